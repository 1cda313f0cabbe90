//! Price and subscription effects of fund classes and their groups (METHODS §1.3–§1.4).
//!
//! For class c on day T with price per share P (price ÷ price unit), shares N and AUM A,
//! and "prev" the class's previous *kept* observation:
//!
//! * price effect `PE_T = (P_T − P_prev)·N_prev`
//! * subscription effect `SE_T = A_T − A_prev − PE_T`
//! * daily return `DR_T = PE_T / A_prev`, total-return index `TR_T = Π(1 + DR)`
//!
//! Groups (funds, managers) sum PE and A over member classes: `DR = ΣPE / ΣA_prev` over
//! the members priced on both dates. A member's AUM is carried forward over its own
//! dropped days, so a removed bad print is not mistaken for a redemption and a
//! re-subscription; `SE = A_T − A_prev − PE_T` then holds for the group by construction.

use peergroup_data::{Date, IndustryTable};
use rayon::prelude::*;

/// Settings of the industry computation (defaults follow the CAFCI guide, METHODS §1.2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IndustryConfig {
    /// Points with AUM below this (currency units) are dropped.
    pub min_aum: f64,
    /// Prices are quoted per this many shares (CAFCI quotes per 1,000 shares).
    pub price_unit: f64,
    /// Absolute daily price move (fraction) above which a point may be an outlier.
    pub max_move: f64,
    /// Cross-sectional z-score of the move above which such a point is dropped.
    pub max_z: f64,
}

impl Default for IndustryConfig {
    fn default() -> Self {
        IndustryConfig {
            min_aum: 1_000_000.0,
            price_unit: 1.0,
            max_move: 0.10,
            max_z: 10.0,
        }
    }
}

/// Why a point was removed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DropReason {
    /// AUM below `min_aum`.
    BelowMinAum {
        /// The point's AUM.
        aum: f64,
    },
    /// A price move both large and extreme against that day's cross-section.
    PriceOutlier {
        /// Price move against the class's last kept price (fraction).
        price_move: f64,
        /// `(move − mean_day) / sd_day`.
        z: f64,
    },
}

impl DropReason {
    /// Short machine-readable code (`min_aum`, `price_outlier`).
    pub fn code(&self) -> &'static str {
        match self {
            DropReason::BelowMinAum { .. } => "min_aum",
            DropReason::PriceOutlier { .. } => "price_outlier",
        }
    }
}

/// A removed point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropped {
    /// Class index in the industry table.
    pub class: usize,
    /// Date of the point.
    pub date: Date,
    /// Why.
    pub reason: DropReason,
}

/// The `(class, date)` of the points in `dropped` that went as price outliers, sorted;
/// the class as a `u32` code, as in the tables and in the synthetic truth.
pub fn price_outliers(dropped: &[Dropped]) -> Vec<(u32, Date)> {
    let mut found: Vec<(u32, Date)> = dropped
        .iter()
        .filter(|d| matches!(d.reason, DropReason::PriceOutlier { .. }))
        .map(|d| (d.class as u32, d.date))
        .collect();
    found.sort();
    found
}

/// Which records survive the filters (flat, aligned with the table's records).
#[derive(Clone, Debug)]
pub struct Kept {
    keep: Vec<bool>,
}

impl Kept {
    /// Keep every record (no filtering).
    pub fn all(table: &IndustryTable) -> Kept {
        Kept {
            keep: vec![true; table.n_records()],
        }
    }

    /// Whether record `i` of class `c` survives.
    pub fn is_kept(&self, table: &IndustryTable, c: usize, i: usize) -> bool {
        self.keep[table.offset(c) + i]
    }

    /// Number of kept records.
    pub fn count(&self) -> usize {
        self.keep.iter().filter(|k| **k).count()
    }
}

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

/// One block's part of one day's run: records, classes and prices.
type DayPiece<'a> = (&'a mut [u32], &'a mut [u32], &'a mut [f64]);

/// A window's records that pass the AUM rule, day after day: record index, class, price.
struct DayMajor {
    record: Vec<u32>,
    class: Vec<u32>,
    price: Vec<f64>,
}

impl DayMajor {
    fn new(cap: usize) -> DayMajor {
        DayMajor {
            record: vec![0; cap],
            class: vec![0; cap],
            price: vec![0.0; cap],
        }
    }
}

/// What the window copies need to know about the table.
struct Scan<'a> {
    table: &'a IndustryTable,
    days: &'a DayIndex,
    /// Candidate records per class block and day.
    counts: &'a [Vec<u32>],
    blocks: &'a [std::ops::Range<usize>],
    min_aum: f64,
}

impl Scan<'_> {
    /// Copy the candidates of days `w` into `out`, day-major; `cursors` (next record of
    /// each class) move past the window.
    fn fill(&self, w: std::ops::Range<usize>, cursors: &mut [usize], out: &mut DayMajor) {
        let nb = self.blocks.len();
        let lens: Vec<usize> = w
            .clone()
            .flat_map(|t| self.counts.iter().map(move |c| c[t] as usize))
            .collect();
        let mut per_block: Vec<Vec<DayPiece<'_>>> =
            (0..nb).map(|_| Vec::with_capacity(w.len())).collect();
        let (mut r, mut c, mut p) = (&mut out.record[..], &mut out.class[..], &mut out.price[..]);
        for (j, &l) in lens.iter().enumerate() {
            let (r0, r1) = std::mem::take(&mut r).split_at_mut(l);
            let (c0, c1) = std::mem::take(&mut c).split_at_mut(l);
            let (p0, p1) = std::mem::take(&mut p).split_at_mut(l);
            per_block[j % nb].push((r0, c0, p0));
            (r, c, p) = (r1, c1, p1);
        }
        let mut cursor_parts = Vec::with_capacity(nb);
        let mut rest = cursors;
        for b in self.blocks {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(b.len());
            cursor_parts.push(head);
            rest = tail;
        }
        let dates = self.table.all_dates();
        let aum = self.table.all_aum();
        let prices = self.table.all_prices();
        per_block
            .into_par_iter()
            .zip(cursor_parts.into_par_iter())
            .zip(self.blocks.par_iter())
            .for_each(|((mut pieces, cursors), cs)| {
                let mut fill = vec![0usize; w.len()];
                for (cl, pos) in cs.clone().zip(cursors.iter_mut()) {
                    let end = self.table.offset(cl + 1);
                    let mut i = *pos;
                    while i < end {
                        let t = self.days.index(dates[i]);
                        if t >= w.end {
                            break;
                        }
                        if aum[i] >= self.min_aum {
                            let o = t - w.start;
                            let (r, c, p) = &mut pieces[o];
                            r[fill[o]] = i as u32;
                            c[fill[o]] = cl as u32;
                            p[fill[o]] = prices[i];
                            fill[o] += 1;
                        }
                        i += 1;
                    }
                    *pos = i;
                }
            });
    }
}

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

/// The sorted distinct dates of a table and each date's position among them.
struct DayIndex {
    grid: Vec<Date>,
    /// Dense lookup `date - first -> grid index` when the span is small.
    dense: Option<(i32, Vec<u32>)>,
}

impl DayIndex {
    fn new(table: &IndustryTable) -> DayIndex {
        let k = table.n_classes();
        let spans = (0..k)
            .map(|c| table.class(c).dates)
            .filter(|d| !d.is_empty());
        let lo = spans.clone().map(|d| d[0].days()).min().unwrap_or(0);
        let hi = spans.map(|d| d[d.len() - 1].days()).max().unwrap_or(0);
        let span = (hi as i64 - lo as i64 + 1) as usize;
        let dates = table.all_dates();
        if span <= (1usize << 22).max(dates.len() / 4) {
            let present = dates
                .par_chunks(1 << 16)
                .fold(
                    || vec![false; span],
                    |mut p, ds| {
                        for d in ds {
                            p[(d.days() - lo) as usize] = true;
                        }
                        p
                    },
                )
                .reduce(
                    || vec![false; span],
                    |mut a, b| {
                        a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                        a
                    },
                );
            let mut grid = Vec::new();
            let mut index = vec![u32::MAX; span];
            for (o, &p) in present.iter().enumerate() {
                if p {
                    index[o] = grid.len() as u32;
                    grid.push(Date::from_days(lo + o as i32));
                }
            }
            DayIndex {
                grid,
                dense: Some((lo, index)),
            }
        } else {
            let mut grid = dates.to_vec();
            grid.par_sort_unstable();
            grid.dedup();
            DayIndex { grid, dense: None }
        }
    }

    #[inline]
    fn index(&self, d: Date) -> usize {
        match &self.dense {
            Some((lo, index)) => index[(d.days() - lo) as usize] as usize,
            None => self.grid.binary_search(&d).expect("date on the grid"),
        }
    }
}

/// Contiguous class ranges of roughly equal record counts (at most `parts`), fewer
/// when per-block day counters (`days` each) would outweigh the records.
fn class_blocks(table: &IndustryTable, parts: usize, days: usize) -> Vec<std::ops::Range<usize>> {
    let k = table.n_classes();
    let n = table.n_records();
    let parts = parts.clamp(1, (n / days.max(1)).max(1)).min(k.max(1));
    let target = n.div_ceil(parts).max(1);
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for c in 0..k {
        if table.offset(c + 1) - table.offset(start) >= target || c + 1 == k {
            out.push(start..c + 1);
            start = c + 1;
        }
    }
    if out.is_empty() {
        out.push(0..k);
    }
    out
}

/// Which classes form each output id.
#[derive(Clone, Debug)]
pub struct Grouping {
    /// Output id names.
    pub names: Vec<String>,
    /// Member class indices of each output id.
    pub members: Vec<Vec<usize>>,
}

impl Grouping {
    /// Every class on its own.
    pub fn by_class(table: &IndustryTable) -> Grouping {
        Grouping {
            names: table.classes().to_vec(),
            members: (0..table.n_classes()).map(|c| vec![c]).collect(),
        }
    }

    /// Group classes by a label per class (fund or manager), ids in order of first label.
    pub fn by_label(labels: &[&str]) -> Grouping {
        let mut names: Vec<String> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (c, l) in labels.iter().enumerate() {
            let g = *index.entry(*l).or_insert_with(|| {
                names.push(l.to_string());
                members.push(Vec::new());
                names.len() - 1
            });
            members[g].push(c);
        }
        Grouping { names, members }
    }
}

/// Effects and total-return index per output id and date, id-major (CSR by id).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effects {
    /// Output ids.
    pub ids: Vec<String>,
    /// Rows of id `g` are `offsets[g]..offsets[g+1]`.
    pub offsets: Vec<usize>,
    /// Date per row.
    pub dates: Vec<Date>,
    /// AUM per row (sum over members, carried forward over a member's dropped days).
    pub aum: Vec<f64>,
    /// Price effect (NaN on an id's first date).
    pub price_effect: Vec<f64>,
    /// Subscription effect (NaN on an id's first date).
    pub subscription_effect: Vec<f64>,
    /// Daily return as a fraction (NaN on an id's first date).
    pub daily_return: Vec<f64>,
    /// Total-return index, 1 on an id's first date.
    pub total_return: Vec<f64>,
}

impl Effects {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.dates.len()
    }

    /// Row range of id `g`.
    pub fn rows(&self, g: usize) -> std::ops::Range<usize> {
        self.offsets[g]..self.offsets[g + 1]
    }
}

/// Compute effects for every id of `grouping` from the kept records.
pub fn effects(
    table: &IndustryTable,
    kept: &Kept,
    grouping: &Grouping,
    cfg: &IndustryConfig,
) -> Effects {
    let plan = EffectsPlan::new(table, kept, grouping, cfg);
    plan.compute(0..plan.n_ids())
}

/// The output layout of [`effects`] (rows per id, fixed by the kept records) before any
/// effect is computed, so that effects can be computed block by block: ids are
/// independent, and a block of consecutive ids is a consecutive block of output rows.
#[derive(Clone, Debug)]
pub struct EffectsPlan<'a> {
    table: &'a IndustryTable,
    kept: &'a Kept,
    grouping: &'a Grouping,
    cfg: &'a IndustryConfig,
    /// Rows of id `g` are `offsets[g]..offsets[g+1]` of the whole output.
    offsets: Vec<usize>,
}

impl<'a> EffectsPlan<'a> {
    /// Count each id's output dates (in parallel over ids).
    pub fn new(
        table: &'a IndustryTable,
        kept: &'a Kept,
        grouping: &'a Grouping,
        cfg: &'a IndustryConfig,
    ) -> EffectsPlan<'a> {
        let lens: Vec<usize> = grouping
            .members
            .par_iter()
            .map(|m| match m.as_slice() {
                // one class: its kept records are its dates (no need to collect them)
                &[c] => {
                    let off = table.offset(c);
                    kept.keep[off..off + table.class(c).dates.len()]
                        .iter()
                        .filter(|k| **k)
                        .count()
                }
                _ => group_dates(table, kept, m).len(),
            })
            .collect();
        let mut offsets = Vec::with_capacity(lens.len() + 1);
        offsets.push(0);
        for l in &lens {
            offsets.push(offsets.last().copied().unwrap_or(0) + l);
        }
        EffectsPlan {
            table,
            kept,
            grouping,
            cfg,
            offsets,
        }
    }

    /// Number of output ids.
    pub fn n_ids(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of output rows (all ids).
    pub fn n_rows(&self) -> usize {
        self.offsets[self.n_ids()]
    }

    /// Consecutive ranges of ids covering all of them, each of at most `rows` output
    /// rows unless a single id has more (it is then a block of its own). No ids give one
    /// empty block, so a writer still sees the columns.
    pub fn blocks(&self, rows: usize) -> Vec<std::ops::Range<usize>> {
        let n = self.n_ids();
        let mut out = Vec::new();
        let mut start = 0;
        for g in 0..n {
            let would = self.offsets[g + 1] - self.offsets[start];
            if g > start && would > rows {
                out.push(start..g);
                start = g;
            }
        }
        if n > start || out.is_empty() {
            out.push(start..n);
        }
        out
    }

    /// Effects of the ids `ids` (consecutive ids of the grouping), computed in parallel
    /// over ids; each id fills its own slice of the preallocated columns.
    pub fn compute(&self, ids: std::ops::Range<usize>) -> Effects {
        let base = self.offsets[ids.start];
        let offsets: Vec<usize> = self.offsets[ids.start..=ids.end]
            .iter()
            .map(|o| o - base)
            .collect();
        let lens: Vec<usize> = offsets.windows(2).map(|w| w[1] - w[0]).collect();
        let total = *offsets.last().unwrap_or(&0);
        let mut out = Effects {
            ids: self.grouping.names[ids.clone()].to_vec(),
            offsets,
            dates: vec![Date::from_days(0); total],
            aum: vec![0.0; total],
            price_effect: vec![0.0; total],
            subscription_effect: vec![0.0; total],
            daily_return: vec![0.0; total],
            total_return: vec![0.0; total],
        };
        let slices = GroupSlices::split(&mut out, &lens);
        slices
            .into_par_iter()
            .zip(self.grouping.members[ids].par_iter())
            .for_each(|(s, m)| group_series(self.table, self.kept, m, self.cfg.price_unit, s));
        out
    }
}

/// One id's output rows.
struct GroupSlices<'a> {
    dates: &'a mut [Date],
    aum: &'a mut [f64],
    pe: &'a mut [f64],
    se: &'a mut [f64],
    dr: &'a mut [f64],
    tr: &'a mut [f64],
}

impl<'a> GroupSlices<'a> {
    fn split(e: &'a mut Effects, lens: &[usize]) -> Vec<GroupSlices<'a>> {
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
fn group_dates(table: &IndustryTable, kept: &Kept, members: &[usize]) -> Vec<Date> {
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
fn group_series(
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
