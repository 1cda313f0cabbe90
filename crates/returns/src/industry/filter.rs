//! The outlier filters of METHODS §1.2: the AUM floor, then the day-by-day price-move
//! rule against each day's cross-section.

use peergroup_data::{Date, IndustryTable};
use rayon::prelude::*;

use super::day_major::{class_blocks, DayIndex, DayMajor, Scan};
use super::{DropReason, Dropped, IndustryConfig, Kept};

/// Apply the two outlier filters of METHODS §1.2 and return the survivors and every drop.
///
/// First, points with `A < min_aum` go. Then dates are processed in order: a point's
/// move is its price against the class's last *kept* price, the day's mean and sample
/// standard deviation are taken over every class's move that day, and a point is dropped
/// when `|move| > max_move` and `|move − mean| / sd > max_z`. Comparing with the last kept
/// price matters: after a bad print is removed, the correct print that follows it is not
/// a "reversal" and stays. With fewer than two moves on a day, or zero dispersion, no
/// z-score exists and nothing is dropped by the second rule that day.
pub fn filter_points(table: &IndustryTable, cfg: &IndustryConfig) -> (Kept, Vec<Dropped>) {
    let n = table.n_records();
    let k = table.n_classes();
    let dates = table.all_dates();
    let aum = table.all_aum();
    // AUM values are finite (checked on reading), so `>=` is the complement of `<`.
    let keep: Vec<bool> = aum.par_iter().map(|a| *a >= cfg.min_aum).collect();

    // The global date grid and a record's index on it. Each class's dates are sorted, so
    // the span is known from first and last dates; for the usual few thousand days a
    // dense day -> index table replaces sorting every record's date.
    let days = DayIndex::new(table);
    let g = days.grid.len();

    // Records that pass the AUM rule, counted per day and contiguous block of classes
    // (the blocks later copy their records in parallel).
    let blocks = class_blocks(table, rayon::current_num_threads() * 4, g);
    let counts: Vec<Vec<u32>> = blocks
        .par_iter()
        .map(|cs| {
            let mut c = vec![0u32; g];
            for i in table.offset(cs.start)..table.offset(cs.end) {
                if keep[i] {
                    c[days.index(dates[i])] += 1;
                }
            }
            c
        })
        .collect();
    let mut day_start = vec![0usize; g + 1];
    for t in 0..g {
        day_start[t + 1] = day_start[t] + counts.iter().map(|c| c[t] as usize).sum::<usize>();
    }

    // Dates are walked in windows of a few days: the window's records are copied
    // day-major into reused buffers (each class block fills its own part of every day's
    // run, in parallel, so within a day records stay in class order), and the copy of
    // the next window overlaps the date-by-date pass over the current one. Small windows
    // keep the scatter's write targets in cache and need no table-sized allocation.
    let per_day = day_start[g] / g.max(1) + 1;
    // At least a few windows even for small tables, or the copy would not overlap the
    // pass at all.
    let records = (n / MIN_WINDOWS).clamp(MIN_WINDOW_RECORDS, WINDOW_RECORDS);
    let window = (records / per_day).clamp(1, g.max(1));
    let windows: Vec<std::ops::Range<usize>> = (0..g)
        .step_by(window)
        .map(|t| t..(t + window).min(g))
        .collect();
    let cap = windows
        .iter()
        .map(|w| day_start[w.end] - day_start[w.start])
        .max()
        .unwrap_or(0);
    let mut cursors: Vec<usize> = (0..k).map(|c| table.offset(c)).collect();
    let mut cur = DayMajor::new(cap);
    let mut next = DayMajor::new(cap);
    let mut rule = OutlierRule {
        cfg,
        keep,
        last_price: vec![f64::NAN; k],
        moves: Vec::new(),
        outliers: Vec::new(),
    };
    let scan = Scan {
        table,
        days: &days,
        counts: &counts,
        blocks: &blocks,
        min_aum: cfg.min_aum,
    };
    if let Some(w) = windows.first() {
        scan.fill(w.clone(), &mut cursors, &mut next);
    }
    for (j, w) in windows.iter().enumerate() {
        std::mem::swap(&mut cur, &mut next);
        let base = day_start[w.start];
        let runs: Vec<std::ops::Range<usize>> = w
            .clone()
            .map(|t| day_start[t] - base..day_start[t + 1] - base)
            .collect();
        let mut walk = || {
            for (t, day) in w.clone().zip(runs.iter().cloned()) {
                rule.step_day(days.grid[t], &cur, day);
            }
        };
        match windows.get(j + 1) {
            Some(wn) => {
                rayon::join(walk, || scan.fill(wn.clone(), &mut cursors, &mut next));
            }
            None => walk(),
        }
    }
    drop((cur, next));
    let OutlierRule {
        keep, mut outliers, ..
    } = rule;

    // Drops in (class, date) order: the AUM drops come in that order from a walk over
    // the records; the few outliers are sorted and merged in.
    outliers.sort_by_key(|d| (d.class, d.date));
    let mut dropped = Vec::with_capacity(n - keep.iter().filter(|x| **x).count());
    let mut out = outliers.into_iter().peekable();
    for c in 0..k {
        for i in table.offset(c)..table.offset(c + 1) {
            if aum[i] < cfg.min_aum {
                while let Some(o) = out.next_if(|o| (o.class, o.date) < (c, dates[i])) {
                    dropped.push(o);
                }
                dropped.push(Dropped {
                    class: c,
                    date: dates[i],
                    reason: DropReason::BelowMinAum { aum: aum[i] },
                });
            }
        }
    }
    dropped.extend(out);
    (Kept { keep }, dropped)
}

/// Most records per date window of the outlier pass (see `filter_points`).
const WINDOW_RECORDS: usize = 1 << 21;
/// Windows a table is cut into at least, unless that makes them smaller than
/// [`MIN_WINDOW_RECORDS`] (where the per-window hand-over would cost more than it hides).
const MIN_WINDOWS: usize = 16;
/// Fewest records per date window.
const MIN_WINDOW_RECORDS: usize = 1 << 15;

/// The outlier rule as it walks the days in date order.
struct OutlierRule<'a> {
    cfg: &'a IndustryConfig,
    /// Whether each record (by table index) is kept.
    keep: Vec<bool>,
    /// Each class's last kept price.
    last_price: Vec<f64>,
    /// Scratch for one day's `(slot, price move)` pairs.
    moves: Vec<(usize, f64)>,
    /// Records dropped as outliers, in walk order.
    outliers: Vec<Dropped>,
}

impl OutlierRule<'_> {
    /// The rule on one day: moves against each class's last kept price, the day's
    /// mean and sample sd, drops; then the last kept prices move on.
    fn step_day(&mut self, date: Date, rec: &DayMajor, day: std::ops::Range<usize>) {
        self.moves.clear();
        for slot in day.clone() {
            let prev = self.last_price[rec.class[slot] as usize];
            if prev.is_finite() {
                self.moves.push((slot, rec.price[slot] / prev - 1.0));
            }
        }
        let mut flagged = false;
        if self.moves.len() >= 2 {
            let moves = &self.moves;
            let m = moves.len() as f64;
            let mean = moves.iter().map(|x| x.1).sum::<f64>() / m;
            let var = moves.iter().map(|x| (x.1 - mean).powi(2)).sum::<f64>() / (m - 1.0);
            let sd = var.sqrt();
            if sd > 0.0 {
                for &(slot, mv) in moves.iter() {
                    let z = (mv - mean) / sd;
                    if mv.abs() > self.cfg.max_move && z.abs() > self.cfg.max_z {
                        self.keep[rec.record[slot] as usize] = false;
                        flagged = true;
                        self.outliers.push(Dropped {
                            class: rec.class[slot] as usize,
                            date,
                            reason: DropReason::PriceOutlier { price_move: mv, z },
                        });
                    }
                }
            }
        }
        for slot in day {
            if !flagged || self.keep[rec.record[slot] as usize] {
                self.last_price[rec.class[slot] as usize] = rec.price[slot];
            }
        }
    }
}
