//! Quarterly and monthly sales features over the window.

use peergroup_calendar::Date;
use rayon::prelude::*;

use super::keys::{office_entities, Entity, EntityKey};
use super::quarter::{month_end_of_index, month_index, Quarter};
use super::rows::{FundTable, SalesTable};
use crate::error::first_bad;
use crate::grouping::{by_group_ranges, NO_GROUP};
use crate::transform::{apply_all, Transform};
use crate::{Matrix, SegmentError, Table};

/// Settings of [`sales_features`].
#[derive(Clone, Debug, PartialEq)]
pub struct SalesConfig {
    /// Offices or funds as rows.
    pub entity: Entity,
    /// Calendar quarters in the window (default 8: the rolling two years of METHODS §6.1).
    pub quarters: usize,
    /// The window ends with the quarter holding this date (default: the latest quarter
    /// in the data).
    pub end: Option<Date>,
    /// Transforms applied, in order, to the quarterly matrix to give
    /// [`SalesFeatures::features`] (default: `share`).
    pub transforms: Vec<Transform>,
    /// Most mix columns (default 12): beyond that, the largest `max_mix_levels − 1` levels
    /// by latest-quarter sales are kept and the rest pooled into `(other)`; 0 = no mix.
    pub max_mix_levels: usize,
    /// Quarters, ending with the latest, over which the mix is taken (default 1: the
    /// notebook's latest quarter; at most `quarters`).
    pub mix_quarters: usize,
}

impl Default for SalesConfig {
    fn default() -> Self {
        SalesConfig {
            entity: Entity::Office,
            quarters: 8,
            end: None,
            transforms: vec![Transform::Share],
            max_mix_levels: 12,
            mix_quarters: 1,
        }
    }
}
/// Sales features of the entities that sold in the window (n rows).
#[derive(Clone, Debug)]
pub struct SalesFeatures {
    /// What a row stands for.
    pub entity: Entity,
    /// Entity of each row: offices sorted by (bd, office), funds in funds-table order.
    pub keys: Vec<EntityKey>,
    /// The window's quarters, oldest first.
    pub quarters: Vec<Quarter>,
    /// Net sales per entity and quarter, dollars (n × quarters); row i is entity i's
    /// quarterly series.
    pub quarterly: Matrix,
    /// [`SalesFeatures::quarterly`] after [`SalesConfig::transforms`] (n × quarters).
    pub features: Matrix,
    /// Month ends of the window, oldest first (3 per quarter).
    pub months: Vec<Date>,
    /// Net sales per entity and month, dollars (n × months): series for DTW.
    pub monthly: Matrix,
    /// Trades per entity and month: sales rows with a non-zero amount (n × months,
    /// counts). For funds with one row per office and month (as `synth sales` writes),
    /// the number of offices that traded the fund: a measure of demand that a few large
    /// tickets do not dominate.
    pub trades: Matrix,
    /// Mix columns: broad categories (offices) or broker-dealers (funds), by name, then
    /// [`OTHER_LEVEL`] if levels were pooled.
    pub mix_levels: Vec<String>,
    /// Share of each mix level in the entity's latest-quarter positive net sales
    /// (n × mix levels, fractions; rows sum to 1 or are all 0).
    pub mix: Matrix,
    /// Selling behaviour per entity (n × [`BEHAVIOUR`]): ticket size, volatility,
    /// redemption share and growth (module documentation).
    pub behaviour: Matrix,
    /// Entities with sales rows but zero net sales in every quarter of the window.
    pub dropped: Vec<EntityKey>,
    /// Sales rows inside the window.
    pub rows_in_window: usize,
    /// Sales rows outside the window (ignored).
    pub rows_outside_window: usize,
}

impl SalesFeatures {
    /// Number of entities (rows).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no entity is left.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Names of the quarterly columns (`2021Q3`, ...).
    pub fn quarter_names(&self) -> Vec<String> {
        self.quarters.iter().map(|q| q.to_string()).collect()
    }

    /// Category of each row's fund (fund entities; `None` for offices).
    pub fn categories(&self, funds: &FundTable) -> Option<Vec<String>> {
        (self.entity == Entity::Fund).then(|| {
            self.keys
                .iter()
                .map(|k| {
                    let row = funds
                        .row(&k.id)
                        .expect("feature rows come from the funds table");
                    funds.category(row).to_string()
                })
                .collect()
        })
    }

    /// Numeric features for [`crate::profile::profiles`]: the quarterly net sales in
    /// dollars (`sales_2021Q3`, ...) followed by the mix shares (`mix_<level>`).
    pub fn profile_numeric(&self) -> (Matrix, Vec<crate::profile::NumericSpec>) {
        use crate::profile::{Magnitude, NumericSpec};
        let mut specs: Vec<NumericSpec> = self
            .quarters
            .iter()
            .map(|q| {
                NumericSpec::new(
                    format!("sales_{q}"),
                    format!("{q} sales"),
                    Magnitude::Amount,
                )
            })
            .collect();
        specs.extend(
            self.mix_levels.iter().map(|l| {
                NumericSpec::new(format!("mix_{l}"), format!("{l} share"), Magnitude::Level)
            }),
        );
        (self.quarterly.hstack(&self.mix), specs)
    }
}

/// Per-entity results of the scan.
#[derive(Default)]
pub(super) struct EntityPass {
    /// Whether the entity has any sales row.
    seen: bool,
    /// Rows of the entity in the window.
    rows_in: usize,
    /// Sum of |amount| over those rows, dollars.
    gross: f64,
    /// Sum of |amount| over those rows with a negative amount, dollars.
    redeemed: f64,
    /// (mix level, latest-quarter net sales) for levels with positive net sales.
    pub(super) mix: Vec<(u32, f64)>,
}

/// Quarterly sales features of offices or funds (see the module documentation for the
/// rules). Errors: a sales row whose fund is missing from `funds` (the first such row),
/// `quarters == 0`, or no entity with non-zero sales in the window.
pub fn sales_features(
    sales: &SalesTable,
    funds: &FundTable,
    cfg: &SalesConfig,
) -> Result<SalesFeatures, SegmentError> {
    if cfg.quarters == 0 || cfg.quarters > 400 {
        return Err(SegmentError::Config {
            message: format!("quarters must be between 1 and 400, got {}", cfg.quarters),
        });
    }
    // Fund dictionary code → funds-table row.
    let fund_row: Vec<u32> = sales
        .fund
        .values()
        .iter()
        .map(|f| funds.row(f).map_or(NO_GROUP, |r| r as u32))
        .collect();
    if let Some(row) = first_bad(sales.fund.codes(), |&c| fund_row[c as usize] == NO_GROUP) {
        return Err(SegmentError::UnknownFund {
            row,
            fund: sales.fund.get(row).to_string(),
        });
    }

    // The window, as month indices [start, start + n_months).
    let end_q = match cfg.end {
        Some(d) => Quarter::of(d),
        None => Quarter::of(*sales.month.par_iter().max().expect("non-empty table")),
    };
    let q = cfg.quarters;
    let first_q = end_q.offset(1 - q as i32);
    let start = first_q.first_month_index();
    let n_months = 3 * q;
    let mix_months = 3 * cfg.mix_quarters.clamp(1, q) as i32;

    // Entity of every row, and the entity keys.
    let (row_entity, keys): (Vec<u32>, Vec<EntityKey>) = match cfg.entity {
        Entity::Fund => {
            let ent = sales
                .fund
                .codes()
                .par_iter()
                .map(|&c| fund_row[c as usize])
                .collect();
            let keys = funds
                .ids()
                .iter()
                .map(|id| EntityKey {
                    bd: None,
                    id: id.clone(),
                })
                .collect();
            (ent, keys)
        }
        Entity::Office => office_entities(sales),
    };
    let n_ent = keys.len();

    // Mix level of a row: the broad category of its fund (offices) or its bd (funds).
    let (fund_codes, bd_codes) = (sales.fund.codes(), sales.bd.codes());
    let level_of = |r: usize| -> u32 {
        match cfg.entity {
            Entity::Office => funds.broad.code(fund_row[fund_codes[r] as usize] as usize),
            Entity::Fund => bd_codes[r],
        }
    };
    let level_names: Vec<String> = match cfg.entity {
        Entity::Office => funds.broad.values().to_vec(),
        Entity::Fund => sales.bd.values().to_vec(),
    };

    // One sequential scan per entity range: monthly sums and the latest quarter's
    // (entity, level, amount) entries, each entity's rows in row order.
    let mut monthly = vec![0.0; n_ent * n_months];
    let parts = by_group_ranges(&mut monthly, n_months, n_ent, |lo, hi, part| {
        let mut passes: Vec<EntityPass> = (lo..hi).map(|_| EntityPass::default()).collect();
        let mut latest: Vec<(u32, u32, f64)> = Vec::new();
        let mut traded = vec![0u32; (hi - lo) * n_months];
        for (r, &e) in row_entity.iter().enumerate() {
            let e = e as usize;
            if e < lo || e >= hi {
                continue;
            }
            let pass = &mut passes[e - lo];
            pass.seen = true;
            let mi = month_index(sales.month[r]) - start;
            if mi < 0 || mi >= n_months as i32 {
                continue;
            }
            let a = sales.amount[r];
            part[(e - lo) * n_months + mi as usize] += a;
            traded[(e - lo) * n_months + mi as usize] += u32::from(a != 0.0);
            pass.rows_in += 1;
            pass.gross += a.abs();
            if a < 0.0 {
                pass.redeemed -= a;
            }
            if mi >= n_months as i32 - mix_months {
                latest.push((e as u32, level_of(r), a));
            }
        }
        (passes, latest, traded)
    });
    drop(row_entity);
    let mut passes = Vec::with_capacity(n_ent);
    let mut latest = Vec::new();
    let mut traded = Vec::with_capacity(n_ent * n_months);
    for (p, l, b) in parts {
        passes.extend(p);
        latest.extend(l);
        traded.extend(b);
    }
    // Latest-quarter net sales per (entity, level), summed in row order (stable sort),
    // keeping the positive ones.
    latest.sort_by_key(|&(e, l, _)| (e, l));
    for run in latest.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        let v: f64 = run.iter().map(|x| x.2).sum();
        if v > 0.0 {
            passes[run[0].0 as usize].mix.push((run[0].1, v));
        }
    }
    drop(latest);

    // Keep entities with non-zero quarterly net sales.
    let quarter_sum = |e: usize, k: usize| -> f64 {
        monthly[e * n_months + 3 * k..e * n_months + 3 * k + 3]
            .iter()
            .sum()
    };
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    let mut rows_in_window = 0;
    for (e, p) in passes.iter().enumerate() {
        if !p.seen {
            continue;
        }
        rows_in_window += p.rows_in;
        let activity: f64 = (0..q).map(|k| quarter_sum(e, k).abs()).sum();
        if p.gross > 0.0 && activity > 1e-9 * p.gross {
            kept.push(e);
        } else {
            dropped.push(keys[e].clone());
        }
    }
    if kept.is_empty() {
        return Err(SegmentError::NoData {
            table: Table::Sales,
            message: format!(
                "no {} has non-zero net sales in the window {first_q}–{end_q}",
                cfg.entity.name()
            ),
        });
    }

    let n = kept.len();
    let mut quarterly = Matrix::zeros(n, q);
    let mut monthly_kept = Matrix::zeros(n, n_months);
    let mut trades = Matrix::zeros(n, n_months);
    for (i, &e) in kept.iter().enumerate() {
        monthly_kept
            .row_mut(i)
            .copy_from_slice(&monthly[e * n_months..(e + 1) * n_months]);
        for (slot, &c) in trades
            .row_mut(i)
            .iter_mut()
            .zip(&traded[e * n_months..(e + 1) * n_months])
        {
            *slot = f64::from(c);
        }
        for (k, slot) in quarterly.row_mut(i).iter_mut().enumerate() {
            *slot = quarter_sum(e, k);
        }
    }
    let behaviour = behaviour_matrix(&kept, &passes, &monthly_kept);
    let (mix_levels, mix) = mix_matrix(&kept, &passes, &level_names, cfg.max_mix_levels);
    let mut features = quarterly.clone();
    apply_all(&mut features, &cfg.transforms);

    Ok(SalesFeatures {
        entity: cfg.entity,
        keys: kept.iter().map(|&e| keys[e].clone()).collect(),
        quarters: (0..q as i32).map(|k| first_q.offset(k)).collect(),
        quarterly,
        features,
        months: (0..n_months as i32)
            .map(|k| month_end_of_index(start + k))
            .collect(),
        monthly: monthly_kept,
        trades,
        mix_levels,
        mix,
        behaviour,
        dropped,
        rows_in_window,
        rows_outside_window: sales.len() - rows_in_window,
    })
}

// Selling behaviour.

/// Columns of [`SalesFeatures::behaviour`]: name and what it measures.
pub const BEHAVIOUR: [(&str, &str); 4] = [
    ("log_ticket", "ticket size"),
    ("volatility", "month-to-month volatility"),
    ("redemption_share", "redemption share"),
    ("growth", "growth"),
];

/// Per kept entity, scale-free measures of how it sells over the window:
/// * `log_ticket` = log10 of the mean |amount| of its rows (dollars per booking);
/// * `volatility` = population sd of its monthly net sales ÷ their mean absolute value
///   (0 when that is 0);
/// * `redemption_share` = gross redemptions ÷ gross flow (|amount| summed);
/// * `growth` = (S2 − S1)/(|S1| + |S2|) with S1, S2 the net sales of the first and
///   second half of the window (the middle month of an odd count left out), in [−1, 1]
///   (0 when both are 0).
fn behaviour_matrix(kept: &[usize], passes: &[EntityPass], monthly: &Matrix) -> Matrix {
    let mut out = Matrix::zeros(kept.len(), BEHAVIOUR.len());
    for (i, &e) in kept.iter().enumerate() {
        let p = &passes[e];
        let m = monthly.row(i);
        let len = m.len() as f64;
        let mean = m.iter().sum::<f64>() / len;
        let sd = (m.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / len).sqrt();
        let mean_abs = m.iter().map(|x| x.abs()).sum::<f64>() / len;
        let half = m.len() / 2;
        let s1: f64 = m[..half].iter().sum();
        let s2: f64 = m[m.len() - half..].iter().sum();
        let row = out.row_mut(i);
        row[0] = (p.gross / p.rows_in.max(1) as f64).max(1e-2).log10();
        row[1] = if mean_abs > 0.0 { sd / mean_abs } else { 0.0 };
        row[2] = if p.gross > 0.0 {
            p.redeemed / p.gross
        } else {
            0.0
        };
        row[3] = if s1.abs() + s2.abs() > 0.0 {
            (s2 - s1) / (s1.abs() + s2.abs())
        } else {
            0.0
        };
    }
    out
}

// The category mix of the latest quarters.

/// Name of the pooled mix column.
pub const OTHER_LEVEL: &str = "(other)";
/// Mix columns and the n × levels matrix of latest-quarter shares (module documentation).
fn mix_matrix(
    kept: &[usize],
    passes: &[EntityPass],
    level_names: &[String],
    max_levels: usize,
) -> (Vec<String>, Matrix) {
    let mut total = vec![0.0; level_names.len()];
    for &e in kept {
        for &(l, v) in &passes[e].mix {
            total[l as usize] += v;
        }
    }
    let mut levels: Vec<usize> = (0..level_names.len()).filter(|&l| total[l] > 0.0).collect();
    let pooled = max_levels > 0 && levels.len() > max_levels;
    if max_levels == 0 {
        levels.clear();
    } else if pooled {
        levels.sort_by(|&a, &b| {
            total[b]
                .total_cmp(&total[a])
                .then_with(|| level_names[a].cmp(&level_names[b]))
        });
        levels.truncate(max_levels - 1);
    }
    levels.sort_by(|&a, &b| level_names[a].cmp(&level_names[b]));
    let mut column = vec![usize::MAX; level_names.len()];
    for (c, &l) in levels.iter().enumerate() {
        column[l] = c;
    }
    let mut names: Vec<String> = levels.iter().map(|&l| level_names[l].clone()).collect();
    if pooled {
        names.push(OTHER_LEVEL.to_string());
    }
    let width = names.len();
    let mut mix = Matrix::zeros(kept.len(), width);
    if width == 0 {
        return (names, mix);
    }
    for (i, &e) in kept.iter().enumerate() {
        let row = mix.row_mut(i);
        for &(l, v) in &passes[e].mix {
            let c = column[l as usize];
            row[if c == usize::MAX { width - 1 } else { c }] += v;
        }
        let s: f64 = row.iter().sum();
        if s > 0.0 {
            row.iter_mut().for_each(|x| *x /= s);
        }
    }
    (names, mix)
}
