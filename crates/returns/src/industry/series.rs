//! One id's series: its members merged on the union of their kept dates, with price and
//! subscription effects, daily return and total-return index.

use peergroup_data::{Date, IndustryTable};

use super::{Effects, Kept};

/// One id's output rows.
pub(super) struct GroupSlices<'a> {
    dates: &'a mut [Date],
    aum: &'a mut [f64],
    pe: &'a mut [f64],
    se: &'a mut [f64],
    dr: &'a mut [f64],
    tr: &'a mut [f64],
}

impl<'a> GroupSlices<'a> {
    pub(super) fn split(e: &'a mut Effects, lens: &[usize]) -> Vec<GroupSlices<'a>> {
        let mut rest = GroupSlices {
            dates: &mut e.dates,
            aum: &mut e.aum,
            pe: &mut e.price_effect,
            se: &mut e.subscription_effect,
            dr: &mut e.daily_return,
            tr: &mut e.total_return,
        };
        let mut out = Vec::with_capacity(lens.len());
        for &l in lens {
            let (d, d2) = std::mem::take(&mut rest.dates).split_at_mut(l);
            let (a, a2) = std::mem::take(&mut rest.aum).split_at_mut(l);
            let (p, p2) = std::mem::take(&mut rest.pe).split_at_mut(l);
            let (s, s2) = std::mem::take(&mut rest.se).split_at_mut(l);
            let (r, r2) = std::mem::take(&mut rest.dr).split_at_mut(l);
            let (t, t2) = std::mem::take(&mut rest.tr).split_at_mut(l);
            out.push(GroupSlices {
                dates: d,
                aum: a,
                pe: p,
                se: s,
                dr: r,
                tr: t,
            });
            rest = GroupSlices {
                dates: d2,
                aum: a2,
                pe: p2,
                se: s2,
                dr: r2,
                tr: t2,
            };
        }
        out
    }
}

/// Sorted union of the members' kept dates.
pub(super) fn group_dates(table: &IndustryTable, kept: &Kept, members: &[usize]) -> Vec<Date> {
    let mut dates: Vec<Date> = Vec::new();
    for &c in members {
        let r = table.class(c);
        dates.extend(
            r.dates
                .iter()
                .enumerate()
                .filter(|(i, _)| kept.is_kept(table, c, *i))
                .map(|(_, d)| *d),
        );
    }
    if members.len() > 1 {
        dates.sort_unstable();
        dates.dedup();
    }
    dates
}

/// One group's series, written into its output slices. Members are merged on the
/// union of their kept dates.
pub(super) fn group_series(
    table: &IndustryTable,
    kept: &Kept,
    members: &[usize],
    unit: f64,
    out: GroupSlices<'_>,
) {
    let GroupSlices {
        dates: out_dates,
        aum,
        pe,
        se,
        dr,
        tr,
    } = out;
    let t = out_dates.len();
    let mut aprev = vec![0.0; t];
    let mut priced = vec![false; t];
    if let &[c] = members {
        // One class: its kept records are the grid, in order. Same arithmetic as the
        // general path below (sums start from 0.0), without collecting dates first.
        let r = table.class(c);
        let mut prev: Option<usize> = None;
        let mut j = 0;
        for i in 0..r.dates.len() {
            if !kept.is_kept(table, c, i) {
                continue;
            }
            out_dates[j] = r.dates[i];
            aum[j] = 0.0 + r.aum[i];
            pe[j] = 0.0;
            if let Some(pi) = prev {
                pe[j] += (r.price[i] - r.price[pi]) / unit * r.shares[pi];
                aprev[j] += r.aum[pi];
                priced[j] = true;
            }
            prev = Some(i);
            j += 1;
        }
    } else {
        let dates = group_dates(table, kept, members);
        out_dates.copy_from_slice(&dates);
        aum.fill(0.0);
        pe.fill(0.0);
        for &c in members {
            let r = table.class(c);
            let mut prev: Option<(usize, usize)> = None; // (record index, grid index)
            for i in 0..r.dates.len() {
                if !kept.is_kept(table, c, i) {
                    continue;
                }
                let j = dates
                    .binary_search(&r.dates[i])
                    .expect("member date on group grid");
                aum[j] += r.aum[i];
                if let Some((pi, pj)) = prev {
                    // carry the member's AUM over grid dates it was missing
                    for a in &mut aum[pj + 1..j] {
                        *a += r.aum[pi];
                    }
                    pe[j] += (r.price[i] - r.price[pi]) / unit * r.shares[pi];
                    aprev[j] += r.aum[pi];
                    priced[j] = true;
                }
                prev = Some((i, j));
            }
        }
    }
    for j in 0..t {
        if j == 0 {
            pe[0] = f64::NAN;
            se[0] = f64::NAN;
            dr[0] = f64::NAN;
            tr[0] = 1.0;
            continue;
        }
        // A date where no member has two consecutive kept prints carries no price
        // information: its price effect and return are zero.
        let ret = if priced[j] && aprev[j] > 0.0 {
            pe[j] / aprev[j]
        } else {
            0.0
        };
        if !priced[j] {
            pe[j] = 0.0;
        }
        dr[j] = ret;
        se[j] = aum[j] - aum[j - 1] - pe[j];
        tr[j] = tr[j - 1] * (1.0 + ret);
    }
}
