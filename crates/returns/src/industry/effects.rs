//! Effects per output id and the plan that lays out their rows, so that they can be
//! computed and written block by block.

use peergroup_data::{Date, IndustryTable};
use rayon::prelude::*;

use super::series::{group_dates, group_series, GroupSlices};
use super::{Effects, Grouping, IndustryConfig, Kept};

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
