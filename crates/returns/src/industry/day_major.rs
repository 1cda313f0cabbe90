//! The outlier pass's view of the table: the global date grid, contiguous class blocks,
//! and a date window's candidate records copied day-major in parallel.

use peergroup_data::{Date, IndustryTable};
use rayon::prelude::*;

/// One block's part of one day's run: records, classes and prices.
type DayPiece<'a> = (&'a mut [u32], &'a mut [u32], &'a mut [f64]);

/// A window's records that pass the AUM rule, day after day: record index, class, price.
pub(super) struct DayMajor {
    pub(super) record: Vec<u32>,
    pub(super) class: Vec<u32>,
    pub(super) price: Vec<f64>,
}

impl DayMajor {
    pub(super) fn new(cap: usize) -> DayMajor {
        DayMajor {
            record: vec![0; cap],
            class: vec![0; cap],
            price: vec![0.0; cap],
        }
    }
}

/// What the window copies need to know about the table.
pub(super) struct Scan<'a> {
    pub(super) table: &'a IndustryTable,
    pub(super) days: &'a DayIndex,
    /// Candidate records per class block and day.
    pub(super) counts: &'a [Vec<u32>],
    pub(super) blocks: &'a [std::ops::Range<usize>],
    pub(super) min_aum: f64,
}

impl Scan<'_> {
    /// Copy the candidates of days `w` into `out`, day-major; `cursors` (next record of
    /// each class) move past the window.
    pub(super) fn fill(
        &self,
        w: std::ops::Range<usize>,
        cursors: &mut [usize],
        out: &mut DayMajor,
    ) {
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

/// The sorted distinct dates of a table and each date's position among them.
pub(super) struct DayIndex {
    pub(super) grid: Vec<Date>,
    /// Dense lookup `date - first -> grid index` when the span is small.
    dense: Option<(i32, Vec<u32>)>,
}

impl DayIndex {
    pub(super) fn new(table: &IndustryTable) -> DayIndex {
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
    pub(super) fn index(&self, d: Date) -> usize {
        match &self.dense {
            Some((lo, index)) => index[(d.days() - lo) as usize] as usize,
            None => self.grid.binary_search(&d).expect("date on the grid"),
        }
    }
}

/// Contiguous class ranges of roughly equal record counts (at most `parts`), fewer
/// when per-block day counters (`days` each) would outweigh the records.
pub(super) fn class_blocks(
    table: &IndustryTable,
    parts: usize,
    days: usize,
) -> Vec<std::ops::Range<usize>> {
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
