//! Sales-flow features (METHODS §6.1–§6.3): per broker-dealer office or per fund, net
//! sales by calendar quarter over a rolling window, scale transforms, the mix of the
//! latest quarter, and monthly series for dynamic time warping.
//!
//! Rules, in one place:
//!
//! * A sales row is `(bd, office, fund, month, amount)`: `amount` in dollars, negative for
//!   a redemption. Any date counts for its calendar month; rows repeating the same
//!   `(bd, office, fund, month)` are summed (they are taken as partial bookings of one flow).
//! * An office is the pair (broker-dealer, office), so office ids need only be unique
//!   within a broker-dealer.
//! * The window is the last `quarters` calendar quarters ending at the latest quarter in
//!   the data (or at the quarter holding [`SalesConfig::end`]); a partial latest quarter
//!   counts as it is. Rows outside the window are ignored and counted.
//! * Net sales of an entity in a quarter = the sum of its rows' amounts, 0 when there are
//!   none. An entity whose quarterly net sales are all zero (to within 1e-9 of its gross
//!   flow in the window) is dropped and listed in [`SalesFeatures::dropped`]: it has
//!   nothing to cluster on and would divide by zero in the share transform.
//! * Mix of the latest quarter: offices by the broad category of the funds they sold,
//!   funds by the broker-dealers that sold them (the fund-side analogue: who distributes
//!   it). Per (entity, level) the net sales of the latest quarter are clipped at zero (a
//!   level the entity net-redeemed counts as nothing) and divided by the entity's sum of
//!   clipped values, so a row sums to 1, or is all zero when the entity had no positive
//!   net sales in that quarter.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use peergroup_calendar::Date;
use rayon::prelude::*;

use crate::error::{check_columns, first_bad};
use crate::grouping::{by_group_ranges, NO_GROUP};
use crate::transform::{apply_all, Transform};
use crate::{Matrix, SegmentError, Table, TextColumn};

/// A calendar quarter (Q1 = January–March).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter(i32);

impl Quarter {
    /// Quarter `number` (1..=4) of `year`, or `None` if `number` is out of range.
    pub fn new(year: i32, number: u32) -> Option<Quarter> {
        (1..=4)
            .contains(&number)
            .then(|| Quarter(year * 4 + number as i32 - 1))
    }

    /// The quarter holding `date`.
    pub fn of(date: Date) -> Quarter {
        let (y, m, _) = date.ymd();
        Quarter(y * 4 + (m as i32 - 1) / 3)
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(4)
    }

    /// Quarter of the year, 1..=4.
    pub fn number(self) -> u32 {
        self.0.rem_euclid(4) as u32 + 1
    }

    /// The quarter `n` quarters later (earlier for negative `n`).
    pub fn offset(self, n: i32) -> Quarter {
        Quarter(self.0 + n)
    }

    /// First month of the quarter as a month index `year·12 + month − 1`.
    fn first_month_index(self) -> i32 {
        self.year() * 12 + 3 * (self.number() as i32 - 1)
    }

    /// Last day of the quarter.
    pub fn end(self) -> Date {
        Date::month_end(self.year(), 3 * self.number()).expect("valid quarter")
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year(), self.number())
    }
}

/// Month index `year·12 + month − 1` of a date.
fn month_index(d: Date) -> i32 {
    let (y, m, _) = d.ymd();
    y * 12 + m as i32 - 1
}

/// The last day of month index `i`.
fn month_end_of_index(i: i32) -> Date {
    Date::month_end(i.div_euclid(12), i.rem_euclid(12) as u32 + 1).expect("valid month")
}

/// What one row of the sales feature matrix stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entity {
    /// A broker-dealer office (the pair bd, office): "which offices buy alike".
    Office,
    /// A fund: "which funds sell alike".
    Fund,
}

impl Entity {
    /// Command-line name (`office`, `fund`).
    pub fn name(self) -> &'static str {
        match self {
            Entity::Office => "office",
            Entity::Fund => "fund",
        }
    }

    /// The entity called `name` (case-insensitive).
    pub fn parse(name: &str) -> Option<Entity> {
        match name.trim().to_ascii_lowercase().as_str() {
            "office" => Some(Entity::Office),
            "fund" => Some(Entity::Fund),
            _ => None,
        }
    }
}

/// Fund metadata: id, (Morningstar-style) category and broad category, ids unique.
#[derive(Clone, Debug)]
pub struct FundTable {
    ids: Vec<String>,
    category: TextColumn,
    broad: TextColumn,
    index: HashMap<String, usize>,
}

impl FundTable {
    /// Validate and index the columns `fund`, `category`, `broad_category` (equal
    /// lengths, at least one row, non-empty cells, unique fund ids).
    pub fn new(
        fund: Vec<String>,
        category: Vec<String>,
        broad_category: Vec<String>,
    ) -> Result<FundTable, SegmentError> {
        let n = fund.len();
        check_columns(
            Table::Funds,
            n,
            &[
                ("category", category.len()),
                ("broad_category", broad_category.len()),
            ],
        )?;
        for (column, values) in [
            ("fund", &fund),
            ("category", &category),
            ("broad_category", &broad_category),
        ] {
            if let Some(row) = values.iter().position(|v| v.trim().is_empty()) {
                return Err(empty_cell(Table::Funds, row, column));
            }
        }
        let mut index = HashMap::with_capacity(n);
        for (row, id) in fund.iter().enumerate() {
            if let Some(&first_row) = index.get(id) {
                return Err(SegmentError::Duplicate {
                    table: Table::Funds,
                    row,
                    first_row,
                    column: "fund",
                    key: format!("fund '{id}'"),
                });
            }
            index.insert(id.clone(), row);
        }
        Ok(FundTable {
            ids: fund,
            category: category.iter().collect(),
            broad: broad_category.iter().collect(),
            index,
        })
    }

    /// Build from `(fund, category, broad_category)` rows.
    pub fn from_rows<'a>(
        rows: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Result<FundTable, SegmentError> {
        let (mut f, mut c, mut b) = (Vec::new(), Vec::new(), Vec::new());
        for (fund, cat, broad) in rows {
            f.push(fund.to_string());
            c.push(cat.to_string());
            b.push(broad.to_string());
        }
        FundTable::new(f, c, b)
    }

    /// Number of funds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the table is empty (never, once built).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Fund ids in table order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Row of fund `id`.
    pub fn row(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Category of the fund in row `row`.
    pub fn category(&self, row: usize) -> &str {
        self.category.get(row)
    }

    /// Broad category of the fund in row `row`.
    pub fn broad_category(&self, row: usize) -> &str {
        self.broad.get(row)
    }
}

/// An "expected a value, found an empty cell" error.
fn empty_cell(table: Table, row: usize, column: &'static str) -> SegmentError {
    SegmentError::InvalidValue {
        table,
        row,
        column,
        message: "expected a value, found an empty cell".to_string(),
    }
}

/// The first row whose text cell is empty (or blank), if any.
fn first_empty(c: &TextColumn) -> Option<usize> {
    let blank: Vec<bool> = c.values().iter().map(|v| v.trim().is_empty()).collect();
    if !blank.iter().any(|b| *b) {
        return None;
    }
    first_bad(c.codes(), |&code| blank[code as usize])
}

/// Sales rows as columns: broker-dealer, office, fund, month, amount (dollars, negative =
/// redemption). Validated: equal lengths, at least one row, non-empty ids, finite amounts.
#[derive(Clone, Debug)]
pub struct SalesTable {
    bd: TextColumn,
    office: TextColumn,
    fund: TextColumn,
    month: Vec<Date>,
    amount: Vec<f64>,
}

impl SalesTable {
    /// Validate the columns (see the type's documentation).
    pub fn new(
        bd: TextColumn,
        office: TextColumn,
        fund: TextColumn,
        month: Vec<Date>,
        amount: Vec<f64>,
    ) -> Result<SalesTable, SegmentError> {
        let n = bd.len();
        check_columns(
            Table::Sales,
            n,
            &[
                ("office", office.len()),
                ("fund", fund.len()),
                ("month", month.len()),
                ("amount", amount.len()),
            ],
        )?;
        let mut bad: Option<(usize, &'static str)> = None;
        for (column, c) in [("bd", &bd), ("office", &office), ("fund", &fund)] {
            if let Some(row) = first_empty(c) {
                if bad.is_none_or(|(r, _)| row < r) {
                    bad = Some((row, column));
                }
            }
        }
        if let Some((row, column)) = bad {
            return Err(empty_cell(Table::Sales, row, column));
        }
        if let Some(row) = first_bad(&amount, |a| !a.is_finite()) {
            return Err(SegmentError::InvalidValue {
                table: Table::Sales,
                row,
                column: "amount",
                message: format!("expected a finite number of dollars, found {}", amount[row]),
            });
        }
        Ok(SalesTable {
            bd,
            office,
            fund,
            month,
            amount,
        })
    }

    /// Build from `(bd, office, fund, month, amount)` rows.
    pub fn from_rows<'a>(
        rows: impl IntoIterator<Item = (&'a str, &'a str, &'a str, Date, f64)>,
    ) -> Result<SalesTable, SegmentError> {
        let (mut b, mut o, mut f) = (TextColumn::new(), TextColumn::new(), TextColumn::new());
        let (mut m, mut a) = (Vec::new(), Vec::new());
        for (bd, office, fund, month, amount) in rows {
            b.push(bd);
            o.push(office);
            f.push(fund);
            m.push(month);
            a.push(amount);
        }
        SalesTable::new(b, o, f, m, a)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.amount.len()
    }

    /// Whether there are no rows (never, once built).
    pub fn is_empty(&self) -> bool {
        self.amount.is_empty()
    }
}

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
}

impl Default for SalesConfig {
    fn default() -> Self {
        SalesConfig {
            entity: Entity::Office,
            quarters: 8,
            end: None,
            transforms: vec![Transform::Share],
            max_mix_levels: 12,
        }
    }
}

/// Identifies one entity: for offices the broker-dealer and office id, for funds the
/// fund id (and no broker-dealer).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityKey {
    /// Broker-dealer (offices only).
    pub bd: Option<String>,
    /// Office id or fund id.
    pub id: String,
}

impl fmt::Display for EntityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.bd {
            Some(bd) => write!(f, "{bd}/{}", self.id),
            None => f.write_str(&self.id),
        }
    }
}

/// Name of the pooled mix column.
pub const OTHER_LEVEL: &str = "(other)";

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
    /// Mix columns: broad categories (offices) or broker-dealers (funds), by name, then
    /// [`OTHER_LEVEL`] if levels were pooled.
    pub mix_levels: Vec<String>,
    /// Share of each mix level in the entity's latest-quarter positive net sales
    /// (n × mix levels, fractions; rows sum to 1 or are all 0).
    pub mix: Matrix,
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
struct EntityPass {
    /// Whether the entity has any sales row.
    seen: bool,
    /// Rows of the entity in the window.
    rows_in: usize,
    /// Sum of |amount| over those rows, dollars.
    gross: f64,
    /// (mix level, latest-quarter net sales) for levels with positive net sales.
    mix: Vec<(u32, f64)>,
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
            pass.rows_in += 1;
            pass.gross += a.abs();
            if mi >= n_months as i32 - 3 {
                latest.push((e as u32, level_of(r), a));
            }
        }
        (passes, latest)
    });
    drop(row_entity);
    let mut passes = Vec::with_capacity(n_ent);
    let mut latest = Vec::new();
    for (p, l) in parts {
        passes.extend(p);
        latest.extend(l);
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
    for (i, &e) in kept.iter().enumerate() {
        monthly_kept
            .row_mut(i)
            .copy_from_slice(&monthly[e * n_months..(e + 1) * n_months]);
        for (k, slot) in quarterly.row_mut(i).iter_mut().enumerate() {
            *slot = quarter_sum(e, k);
        }
    }
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
        mix_levels,
        mix,
        dropped,
        rows_in_window,
        rows_outside_window: sales.len() - rows_in_window,
    })
}

/// Hasher for packed (bd code, office code) pairs: a SplitMix64 mix, a fraction of
/// SipHash's cost on the 5-million-row path.
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, x: u64) {
        // SplitMix64's finaliser: every input bit reaches the low (bucket) and high
        // (control) bits alike.
        let z = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }
}

/// Set of packed (bd code, office code) pairs.
type PairSet = HashSet<u64, BuildHasherDefault<PairHasher>>;

/// Office (bd, office) of every row as a dense index, and the keys sorted by name.
fn office_entities(sales: &SalesTable) -> (Vec<u32>, Vec<EntityKey>) {
    let pair = |r: usize| ((sales.bd.code(r) as u64) << 32) | sales.office.code(r) as u64;
    let mut distinct = PairSet::default();
    for r in 0..sales.len() {
        distinct.insert(pair(r));
    }
    let mut pairs: Vec<u64> = distinct.into_iter().collect();
    let name = |p: u64| {
        (
            sales.bd.values()[(p >> 32) as usize].as_str(),
            sales.office.values()[(p & 0xffff_ffff) as usize].as_str(),
        )
    };
    pairs.sort_unstable_by(|a, b| name(*a).cmp(&name(*b)));
    let index: HashMap<u64, u32, BuildHasherDefault<PairHasher>> = pairs
        .iter()
        .enumerate()
        .map(|(i, &p)| (p, i as u32))
        .collect();
    let ent = (0..sales.len())
        .into_par_iter()
        .map(|r| index[&pair(r)])
        .collect();
    let keys = pairs
        .iter()
        .map(|&p| {
            let (bd, office) = name(p);
            EntityKey {
                bd: Some(bd.to_string()),
                id: office.to_string(),
            }
        })
        .collect();
    (ent, keys)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_and_months() {
        let d = Date::from_ymd(2020, 11, 30).unwrap();
        let q = Quarter::of(d);
        assert_eq!(q.to_string(), "2020Q4");
        assert_eq!(q.offset(1).to_string(), "2021Q1");
        assert_eq!(q.offset(-4), Quarter::new(2019, 4).unwrap());
        assert_eq!(q.end(), Date::from_ymd(2020, 12, 31).unwrap());
        assert_eq!(q.first_month_index(), 2020 * 12 + 9);
        assert_eq!(
            month_end_of_index(2020 * 12 + 1),
            Date::from_ymd(2020, 2, 29).unwrap()
        );
        assert_eq!(Quarter::new(2020, 5), None);
        assert_eq!(
            Quarter::of(Date::from_ymd(-1, 1, 1).unwrap()).to_string(),
            "-1Q1"
        );
    }
}
