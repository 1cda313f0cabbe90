//! Period-end dates of each frequency.

use peergroup_data::{Date, Frequency};

pub(super) fn schedule(freq: Frequency, start: Date, n: usize) -> Vec<Date> {
    let mut out = Vec::with_capacity(n);
    match freq {
        Frequency::Daily => {
            let mut d = start;
            while out.len() < n {
                if d.weekday() < 5 {
                    out.push(d);
                }
                d = d.add_days(1);
            }
        }
        Frequency::Weekly => {
            let first = start.add_days((4 + 7 - start.weekday() as i32) % 7);
            out.extend((0..n).map(|i| first.add_days(7 * i as i32)));
        }
        Frequency::Monthly | Frequency::Quarterly | Frequency::Annual => {
            let step = match freq {
                Frequency::Monthly => 1,
                Frequency::Quarterly => 3,
                _ => 12,
            };
            let (y, m, _) = start.ymd();
            // Months counted from year 0; first period end on or after `start`.
            let mut idx = y * 12 + m as i32 - 1;
            idx += (step - 1 - idx.rem_euclid(step)) % step;
            while out.len() < n {
                let (yy, mm) = (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1);
                out.push(Date::month_end(yy, mm).expect("valid month"));
                idx += step;
            }
        }
    }
    out
}
