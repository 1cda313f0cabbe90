//! Similarity at scale (METHODS §3.13): each fund's top-k peers, or chosen funds against
//! every fund, computed row by row from the exposures and handed out in blocks of rows,
//! so that 50,000 funds (1.25 billion pairs per date) never hold the N² table.

use std::collections::HashMap;

use peergroup_data::{Date, InputError};
use peergroup_io::{Column, Exposures, Table};
use peergroup_similarity::{fund_similarity_pair, peers_from_row, FactorSimilarity, StarRows};
use rayon::prelude::*;

use super::{measure_r2, target_dates, Idio, SimilarityInputs, SimilaritySettings};
use crate::{Named, Progress};

/// Which pairs a similarity run reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PairSelection {
    /// Every pair, upper triangle per date (the table `cluster` and `peers` read).
    All,
    /// Each fund's K most similar other funds: `date,fund,rank,peer,similarity`.
    TopK(usize),
    /// Each of these funds against every other fund: `date,fund_a,fund_b,similarity`.
    Funds(Vec<String>),
    /// The K most similar other funds of each of these funds (a block of
    /// [`PairSelection::TopK`], e.g. one task of a distributed run).
    TopKOf(usize, Vec<String>),
}

impl PairSelection {
    /// K when the selection is each fund's top K.
    fn top(&self) -> Option<usize> {
        match self {
            PairSelection::TopK(k) | PairSelection::TopKOf(k, _) => Some(*k),
            _ => None,
        }
    }

    /// The funds whose rows are reported, when not every fund's.
    fn chosen(&self) -> Option<&[String]> {
        match self {
            PairSelection::Funds(f) | PairSelection::TopKOf(_, f) => Some(f),
            _ => None,
        }
    }
}

/// Most funds whose every pair is written without asking for it: 10,000 funds make 50
/// million pairs per date (about 0.5 GB of Parquet); beyond, the command asks for
/// `--top-k`, `--funds` or `--all-pairs`.
pub const ALL_PAIRS_LIMIT: usize = 10_000;

/// Rows computed together over each column tile of S* (16 rows × 50,000 funds = 6.4 MB).
const ROWS_PER_TASK: usize = 16;

/// Output rows per block: one Parquet row group's worth, so memory stays bounded.
const ROWS_PER_BLOCK: usize = 1 << 20;

/// Blocks of a [`PairSelection::TopK`] or [`PairSelection::Funds`] table, computed as
/// they are taken: memory is the exposures, one row per thread and one block.
pub struct RowBlocks<'a> {
    ex: &'a Exposures,
    sx: &'a FactorSimilarity,
    settings: SimilaritySettings,
    r2: Option<Named<'a, HashMap<(String, Date), f64>>>,
    selection: PairSelection,
    /// Exposures indices of the chosen funds ([`PairSelection::Funds`]).
    chosen: Vec<usize>,
    progress: &'a dyn Progress,
    /// Date indices still to do, in order.
    dates: std::vec::IntoIter<usize>,
    /// The date being done.
    current: Option<DateRows>,
    /// Rows reported.
    pub rows: usize,
}

/// One date's prepared rows.
struct DateRows {
    t: usize,
    /// Exposures indices of the funds present that date (the rows' columns).
    ids: Vec<usize>,
    star: StarRows,
    /// R² of each present fund (measure s).
    r2: Option<Vec<f64>>,
    /// Positions in `ids` of the rows to report, and the next one to do.
    rows: Vec<usize>,
    next: usize,
}

impl<'a> RowBlocks<'a> {
    /// Prepare the blocks of `selection` (not [`PairSelection::All`]) on the dates of
    /// `settings`. Refused: averaging over dates and the residual term (both need the
    /// whole matrices), a K of 0, an unknown chosen fund.
    pub fn new(
        inputs: SimilarityInputs<'a>,
        sx: &'a FactorSimilarity,
        settings: &SimilaritySettings,
        selection: PairSelection,
        progress: &'a dyn Progress,
    ) -> Result<RowBlocks<'a>, InputError> {
        let ex = inputs.exposures.value;
        let name = inputs.exposures.name;
        let what = match &selection {
            PairSelection::All => {
                return Err(InputError::new(
                    "every pair is the similarity table itself: use similarity()",
                ))
            }
            PairSelection::TopK(0) | PairSelection::TopKOf(0, _) => {
                return Err(InputError::new("--top-k must be at least 1").with_column("top-k"))
            }
            PairSelection::Funds(f) | PairSelection::TopKOf(_, f) if f.is_empty() => {
                return Err(InputError::new("--funds names no fund").with_column("funds"))
            }
            PairSelection::TopK(_) | PairSelection::TopKOf(..) => "--top-k",
            PairSelection::Funds(_) => "--funds",
        };
        if settings.average != super::Averaging::Current {
            return Err(InputError::new(format!(
                "{what} computes each date's rows from its exposures; --average {} combines whole matrices over dates: leave it out or use --all-pairs",
                settings.average
            )));
        }
        if settings.idio != Idio::None {
            return Err(InputError::new(format!(
                "{what} computes S from exposures and R²; the residual term needs every pair's residual correlation: use --all-pairs"
            )));
        }
        let r2 = measure_r2(settings, inputs.r2)?;
        let chosen = match selection.chosen() {
            Some(list) => list
                .iter()
                .map(|f| {
                    ex.funds.get(f).ok_or_else(|| {
                        let near: Vec<&str> = ex
                            .funds
                            .names
                            .iter()
                            .filter(|n| n.to_lowercase().contains(&f.to_lowercase()))
                            .take(3)
                            .map(String::as_str)
                            .collect();
                        let hint = if near.is_empty() {
                            String::new()
                        } else {
                            format!(" (did you mean {}?)", near.join(", "))
                        };
                        InputError::new(format!("--funds: fund '{f}' has no exposures{hint}"))
                            .in_file(name)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let dates = target_dates(inputs.exposures, settings)?;
        progress.start("dates", dates.len() as u64);
        Ok(RowBlocks {
            ex,
            sx,
            settings: *settings,
            r2,
            selection,
            chosen,
            progress,
            dates: dates.into_iter(),
            current: None,
            rows: 0,
        })
    }

    /// Prepare date index `t`: the funds present, their rows of S*, their R².
    fn prepare(&self, t: usize) -> Result<DateRows, InputError> {
        let ex = self.ex;
        let k = ex.factors.len();
        let ids: Vec<usize> = (0..ex.funds.len())
            .filter(|&i| !ex.row(t, i)[0].is_nan())
            .collect();
        let mut b = Vec::with_capacity(ids.len() * k);
        for &i in &ids {
            b.extend_from_slice(ex.row(t, i));
        }
        let star = StarRows::new(&b, ids.len(), self.sx, self.settings.scale.into())?;
        let r2 = match &self.r2 {
            None => None,
            Some(map) => Some(
                ids.iter()
                    .map(|&i| {
                        let fund = &ex.funds.names[i];
                        let v =
                            map.get(&(fund.clone(), ex.dates[t]))
                                .copied()
                                .ok_or_else(|| {
                                    InputError::new(format!(
                                        "no R² for fund '{fund}' on {} in the fit table",
                                        ex.dates[t]
                                    ))
                                    .in_file(map.name)
                                })?;
                        if !(0.0..=1.0).contains(&v) {
                            return Err(InputError::new(format!(
                                "fund '{fund}' on {}: R² = {v} is outside [0, 1]",
                                ex.dates[t]
                            ))
                            .in_file(map.name)
                            .with_column("r2"));
                        }
                        Ok(v)
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let rows: Vec<usize> = match self.selection.chosen() {
            Some(_) => {
                let position: HashMap<usize, usize> =
                    ids.iter().enumerate().map(|(p, &i)| (i, p)).collect();
                self.chosen
                    .iter()
                    .filter_map(|i| position.get(i).copied())
                    .collect()
            }
            _ => (0..ids.len()).collect(),
        };
        Ok(DateRows {
            t,
            ids,
            star,
            r2,
            rows,
            next: 0,
        })
    }

    /// The next block of the current date, or None when the date is done.
    fn block(&mut self) -> Option<Table> {
        let d = self.current.as_mut()?;
        if d.next >= d.rows.len() || d.ids.len() < 2 {
            return None;
        }
        let n = d.ids.len();
        let per_row = self.selection.top().map_or(n - 1, |k| k.min(n - 1));
        let take = (ROWS_PER_BLOCK / per_row.max(1)).clamp(1, d.rows.len() - d.next);
        let rows = &d.rows[d.next..d.next + take];
        d.next += take;
        let (star, r2) = (&d.star, d.r2.as_deref());
        let top = self.selection.top();
        // Rows in groups of ROWS_PER_TASK (computed together over each column tile, see
        // StarRows::rows), each row on its own so results do not depend on the thread
        // count; a row is reduced to its pairs before the next group.
        let per_row_pairs: Vec<Vec<(u32, f64)>> = rows
            .par_chunks(ROWS_PER_TASK)
            .flat_map_iter(|chunk| {
                let mut buf = vec![0.0; chunk.len() * n];
                star.rows(chunk, &mut buf);
                let mut out = Vec::with_capacity(chunk.len());
                for (&a, row) in chunk.iter().zip(buf.chunks_mut(n)) {
                    if let Some(r2) = r2 {
                        for (b, v) in row.iter_mut().enumerate() {
                            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                            *v = fund_similarity_pair(*v, 0.0, r2[lo], r2[hi]);
                        }
                    }
                    out.push(match top {
                        Some(k) => peers_from_row(row, a, k, None)
                            .into_iter()
                            .map(|p| (p.fund as u32, p.similarity))
                            .collect::<Vec<_>>(),
                        None => (0..n)
                            .filter(|&b| b != a)
                            .map(|b| (b as u32, row[b]))
                            .collect(),
                    });
                }
                out
            })
            .collect();
        let date = self.ex.dates[d.t];
        let total: usize = per_row_pairs.iter().map(Vec::len).sum();
        let mut fund = Vec::with_capacity(total);
        let mut other = Vec::with_capacity(total);
        let mut rank = Vec::with_capacity(total);
        let mut value = Vec::with_capacity(total);
        for (&a, pairs) in rows.iter().zip(&per_row_pairs) {
            for (r, &(b, s)) in pairs.iter().enumerate() {
                fund.push(d.ids[a] as u32);
                other.push(d.ids[b as usize] as u32);
                rank.push(r as i64 + 1);
                value.push(s);
            }
        }
        self.rows += total;
        let names = &self.ex.funds.names;
        let key = |codes| Column::Key {
            codes,
            names: names.clone(),
        };
        let dates = Column::Date(vec![date; total]);
        Some(match self.selection.top() {
            Some(_) => Table::new()
                .with("date", dates)
                .with("fund", key(fund))
                .with("rank", Column::I64(rank))
                .with("peer", key(other))
                .with("similarity", Column::F64(value)),
            None => Table::new()
                .with("date", dates)
                .with("fund_a", key(fund))
                .with("fund_b", key(other))
                .with("similarity", Column::F64(value)),
        })
    }
}

impl Iterator for RowBlocks<'_> {
    type Item = Result<Table, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(table) = self.block() {
                return Some(Ok(table));
            }
            let t = self.dates.next()?;
            self.progress.advance(1);
            match self.prepare(t) {
                Ok(d) => self.current = Some(d),
                Err(e) => {
                    // Nothing after an error: the caller discards what it has.
                    self.dates = Vec::new().into_iter();
                    self.current = None;
                    return Some(Err(e));
                }
            }
        }
    }
}
