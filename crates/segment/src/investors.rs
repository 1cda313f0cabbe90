//! Investor features (METHODS §6.6–§6.7): one row per app user, ready for k-prototypes.
//!
//! Inputs are a users table (`user_id, registered, gender, age, occupation, income_band,
//! referral`) and daily balances in long form (`user_id, date, fund_type, balance, buy,
//! sell, profit`, one row per user, date and fund type; money in currency units).
//!
//! Rules, in one place:
//!
//! * **Rows**: at most one balance row per (user, date, fund type), in any order; a
//!   repeat is an error naming both rows. Every balance row's user must be in the users
//!   table; balance, buy and sell are ≥ 0, profit may be negative, all finite.
//! * **Generation** from age: birth year = year of the reference date − ⌊age⌋, the age
//!   being taken as of the reference date ([`InvestorConfig::as_of`], default the last
//!   balance date), then Pew Research's cut-offs: born 1997 or later Gen Z (younger
//!   cohorts included), 1981–1996 Millennial, 1965–1980 Gen X, 1964 or earlier Boomer
//!   (older cohorts included). As of 2024 that is Gen Z ≤ 27, Millennial 28–43, Gen X
//!   44–59, Boomer 60+.
//! * **Mean AUM** per fund type = sum of the user's balances ÷ the number of distinct
//!   dates in the balance table: a day without a row counts as a zero balance.
//! * **Monthly buy and sell** per fund type = total over the table ÷ the calendar months
//!   the table spans (first to last date inclusive: 1–30 September is one month).
//! * **Transactions** per fund type = rows with buy > 0 or sell > 0 (a buy and a sell on
//!   the same row count once), over the whole period.
//! * **Profit** per fund type: [`ProfitMeasure::Total`] (default) sums the rows' profit,
//!   reading it as the day's gain, so that balance_t = balance_{t−1} + buy − sell +
//!   profit; [`ProfitMeasure::Latest`] takes the value at the user's last date for that
//!   fund type, for tables where profit is cumulative.
//! * **Scaling** for k-prototypes ([`Scaling::LogZScore`], default): money amounts and
//!   counts are heavy-tailed, so each numeric column goes through sign-preserving
//!   `log1p` and then a z-score (population sd; a constant column becomes 0).
//! * Users without balance rows are dropped (listed in [`InvestorFeatures::inactive`])
//!   unless [`InvestorConfig::keep_inactive`]; then their numeric features are zero.
//! * Categorical levels are the distinct values among the kept users, sorted by name
//!   (generation in age order); an empty cell is the level `(missing)`. A level with
//!   fewer than [`InvestorConfig::min_level_size`] members (default 2) is an error that
//!   names the column and level: k-prototypes cannot learn from a one-member level.

use std::collections::HashMap;
use std::fmt;

use peergroup_calendar::Date;
use rayon::prelude::*;

use crate::error::{check_columns, first_bad};
use crate::grouping::{by_group_ranges, NO_GROUP};
use crate::profile::{CategoricalSpec, Categoricals, Magnitude, NumericSpec};
use crate::transform::Transform;
use crate::{Matrix, SegmentError, Table, TextColumn};

// Defined with the text columns so that `error` can name it without depending on this module.
pub use crate::column::MISSING_LEVEL;

// Defined with the data model, where the generator of balance tables finds it too.
pub use peergroup_data::FundType;

/// Generational cohort by birth year (Pew Research cut-offs; module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Generation {
    /// Born 1997 or later.
    GenZ,
    /// Born 1981–1996.
    Millennial,
    /// Born 1965–1980.
    GenX,
    /// Born 1964 or earlier.
    Boomer,
}

impl Generation {
    /// Every generation, youngest first.
    pub const ALL: [Generation; 4] = [
        Generation::GenZ,
        Generation::Millennial,
        Generation::GenX,
        Generation::Boomer,
    ];

    /// Display name (`Gen Z`, `Millennial`, `Gen X`, `Boomer`).
    pub fn name(self) -> &'static str {
        match self {
            Generation::GenZ => "Gen Z",
            Generation::Millennial => "Millennial",
            Generation::GenX => "Gen X",
            Generation::Boomer => "Boomer",
        }
    }

    /// The generation of someone born in `year`.
    pub fn from_birth_year(year: i32) -> Generation {
        match year {
            y if y >= 1997 => Generation::GenZ,
            y if y >= 1981 => Generation::Millennial,
            y if y >= 1965 => Generation::GenX,
            _ => Generation::Boomer,
        }
    }

    /// The generation of someone `age` years old on `as_of` (birth year = year − ⌊age⌋).
    pub fn from_age(age: f64, as_of: Date) -> Generation {
        Generation::from_birth_year(as_of.year() - age.floor() as i32)
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The users table as columns (unvalidated; see [`UserTable::new`]).
#[derive(Clone, Debug, Default)]
pub struct UserColumns {
    /// User id (unique, non-empty).
    pub user_id: Vec<String>,
    /// Registration date (kept for the caller; not a feature).
    pub registered: Vec<Date>,
    /// Gender.
    pub gender: TextColumn,
    /// Age in years (finite, 0 ≤ age < 150), as of the reference date.
    pub age: Vec<f64>,
    /// Occupation.
    pub occupation: TextColumn,
    /// Income band.
    pub income_band: TextColumn,
    /// Referral-code use (e.g. `used` / `not used`).
    pub referral: TextColumn,
}

/// Validated users: unique non-empty ids, plausible ages, empty categorical cells mapped
/// to [`MISSING_LEVEL`].
#[derive(Clone, Debug)]
pub struct UserTable {
    cols: UserColumns,
    index: HashMap<String, usize>,
}

impl UserTable {
    /// Validate: equal lengths, at least one row, non-empty unique ids, ages finite in
    /// [0, 150).
    pub fn new(cols: UserColumns) -> Result<UserTable, SegmentError> {
        let n = cols.user_id.len();
        check_columns(
            Table::Users,
            n,
            &[
                ("registered", cols.registered.len()),
                ("gender", cols.gender.len()),
                ("age", cols.age.len()),
                ("occupation", cols.occupation.len()),
                ("income_band", cols.income_band.len()),
                ("referral", cols.referral.len()),
            ],
        )?;
        let mut index = HashMap::with_capacity(n);
        for (row, id) in cols.user_id.iter().enumerate() {
            if id.trim().is_empty() {
                return Err(SegmentError::InvalidValue {
                    table: Table::Users,
                    row,
                    column: "user_id",
                    message: "expected a user id, found an empty cell".to_string(),
                });
            }
            if let Some(&first_row) = index.get(id) {
                return Err(SegmentError::Duplicate {
                    table: Table::Users,
                    row,
                    first_row,
                    column: "user_id",
                    key: format!("user_id '{id}'"),
                });
            }
            index.insert(id.clone(), row);
        }
        if let Some(row) = first_bad(&cols.age, |a| !(a.is_finite() && (0.0..150.0).contains(a))) {
            return Err(SegmentError::InvalidValue {
                table: Table::Users,
                row,
                column: "age",
                message: format!(
                    "expected an age in years from 0 to 150, found {}",
                    cols.age[row]
                ),
            });
        }
        let fill = |v: &str| {
            let t = v.trim();
            if t.is_empty() {
                MISSING_LEVEL.to_string()
            } else {
                t.to_string()
            }
        };
        let cols = UserColumns {
            gender: cols.gender.map_values(fill),
            occupation: cols.occupation.map_values(fill),
            income_band: cols.income_band.map_values(fill),
            referral: cols.referral.map_values(fill),
            ..cols
        };
        Ok(UserTable { cols, index })
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.cols.user_id.len()
    }

    /// Whether there are no users (never, once built).
    pub fn is_empty(&self) -> bool {
        self.cols.user_id.is_empty()
    }

    /// Row of user `id`.
    pub fn row(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The validated columns.
    pub fn columns(&self) -> &UserColumns {
        &self.cols
    }
}

/// Daily balances as columns (unvalidated; see [`InvestorData::new`]).
#[derive(Clone, Debug, Default)]
pub struct BalanceColumns {
    /// User id (must be in the users table).
    pub user_id: TextColumn,
    /// Date of the balance.
    pub date: Vec<Date>,
    /// Fund type.
    pub fund_type: Vec<FundType>,
    /// Balance (AUM) at the end of the day, currency units, ≥ 0.
    pub balance: Vec<f64>,
    /// Amount bought that day, currency units, ≥ 0.
    pub buy: Vec<f64>,
    /// Amount sold that day, currency units, ≥ 0.
    pub sell: Vec<f64>,
    /// Profit (module documentation for how it is read), currency units, any sign.
    pub profit: Vec<f64>,
}

/// One row of the balances table, for [`BalanceColumns::push`] (units as there).
#[derive(Clone, Copy, Debug)]
pub struct BalanceRow<'a> {
    /// User id.
    pub user_id: &'a str,
    /// Date of the balance.
    pub date: Date,
    /// Fund type.
    pub fund_type: FundType,
    /// Balance (AUM) at the end of the day.
    pub balance: f64,
    /// Amount bought that day.
    pub buy: f64,
    /// Amount sold that day.
    pub sell: f64,
    /// Profit.
    pub profit: f64,
}

impl BalanceColumns {
    /// Append one row.
    pub fn push(&mut self, row: BalanceRow<'_>) {
        self.user_id.push(row.user_id);
        self.date.push(row.date);
        self.fund_type.push(row.fund_type);
        self.balance.push(row.balance);
        self.buy.push(row.buy);
        self.sell.push(row.sell);
        self.profit.push(row.profit);
    }
}

/// Number of fund types.
const N_TYPES: usize = 4;

/// Sums of one user's rows of one fund type.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// Rows.
    rows: u32,
    /// Rows with buy > 0 or sell > 0.
    tx: u32,
    /// Latest date seen (days since 1970).
    last_date: i32,
    /// Sum of balances.
    balance: f64,
    /// Sum of buys.
    buy: f64,
    /// Sum of sells.
    sell: f64,
    /// Sum of profit.
    profit: f64,
    /// Profit on `last_date`.
    latest_profit: f64,
}

impl Slot {
    /// Add one row (date in days since 1970).
    fn add(&mut self, date: i32, balance: f64, buy: f64, sell: f64, profit: f64) {
        if self.rows == 0 || date > self.last_date {
            self.last_date = date;
            self.latest_profit = profit;
        }
        self.rows += 1;
        self.tx += (buy > 0.0 || sell > 0.0) as u32;
        self.balance += balance;
        self.buy += buy;
        self.sell += sell;
        self.profit += profit;
    }
}

/// Users and their balances, validated together and summed per user and fund type.
pub struct InvestorData {
    users: UserTable,
    bal: BalanceColumns,
    slots: Vec<Slot>,
    first_date: Date,
    last_date: Date,
    dates: Vec<Date>,
}

impl std::fmt::Debug for InvestorData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvestorData")
            .field("users", &self.users.len())
            .field("balance_rows", &self.bal.date.len())
            .field("first_date", &self.first_date)
            .field("last_date", &self.last_date)
            .finish()
    }
}

impl InvestorData {
    /// Validate the balances against the users: equal lengths, at least one row,
    /// non-empty user ids, finite numbers, balance/buy/sell ≥ 0 (the first bad row, by
    /// index, is reported), every user in the users table, and no repeated
    /// (user, date, fund type).
    pub fn new(users: UserTable, bal: BalanceColumns) -> Result<InvestorData, SegmentError> {
        let n = bal.user_id.len();
        check_columns(
            Table::Balances,
            n,
            &[
                ("date", bal.date.len()),
                ("fund_type", bal.fund_type.len()),
                ("balance", bal.balance.len()),
                ("buy", bal.buy.len()),
                ("sell", bal.sell.len()),
                ("profit", bal.profit.len()),
            ],
        )?;
        // Cell checks: the lowest failing row wins, then column order.
        let nonneg = |x: &f64| !(x.is_finite() && *x >= 0.0);
        let checks: [(&'static str, &[f64], bool); 4] = [
            ("balance", &bal.balance, true),
            ("buy", &bal.buy, true),
            ("sell", &bal.sell, true),
            ("profit", &bal.profit, false),
        ];
        let mut worst: Option<(usize, &'static str, f64, bool)> = None;
        for (column, values, must_be_nonneg) in checks {
            let row = if must_be_nonneg {
                first_bad(values, nonneg)
            } else {
                first_bad(values, |x| !x.is_finite())
            };
            if let Some(r) = row {
                if worst.is_none_or(|(w, ..)| r < w) {
                    worst = Some((r, column, values[r], must_be_nonneg));
                }
            }
        }
        let blank: Vec<bool> = bal
            .user_id
            .values()
            .iter()
            .map(|v| v.trim().is_empty())
            .collect();
        let empty_row = first_bad(bal.user_id.codes(), |&c| blank[c as usize]);
        if let Some(r) = empty_row {
            if worst.is_none_or(|(w, ..)| r <= w) {
                return Err(SegmentError::InvalidValue {
                    table: Table::Balances,
                    row: r,
                    column: "user_id",
                    message: "expected a user id, found an empty cell".to_string(),
                });
            }
        }
        if let Some((row, column, value, must_be_nonneg)) = worst {
            let message = if must_be_nonneg && value.is_finite() {
                format!("expected a non-negative amount, found {value}")
            } else {
                format!("expected a finite number, found {value}")
            };
            return Err(SegmentError::InvalidValue {
                table: Table::Balances,
                row,
                column,
                message,
            });
        }

        // Users.
        let user_of_code: Vec<u32> = bal
            .user_id
            .values()
            .par_iter()
            .map(|id| users.row(id).map_or(NO_GROUP, |r| r as u32))
            .collect();
        let row_user: Vec<u32> = bal
            .user_id
            .codes()
            .par_iter()
            .map(|&c| user_of_code[c as usize])
            .collect();
        if let Some(row) = first_bad(&row_user, |&u| u == NO_GROUP) {
            return Err(SegmentError::UnknownUser {
                row,
                user: bal.user_id.get(row).to_string(),
            });
        }
        // Per (user, fund type) sums: one sequential scan of the rows per user range.
        let n_users = users.len();
        let mut slots = vec![Slot::default(); n_users * N_TYPES];
        let unordered: Vec<Vec<u32>> =
            by_group_ranges(&mut slots, N_TYPES, n_users, |lo, hi, part| {
                // Users with a fund type whose dates do not strictly increase row by row:
                // they might repeat a (date, fund type) and get the exact check below.
                let mut unordered = Vec::new();
                for (r, &u) in row_user.iter().enumerate() {
                    let u = u as usize;
                    if u < lo || u >= hi {
                        continue;
                    }
                    let slot = &mut part[(u - lo) * N_TYPES + bal.fund_type[r].index()];
                    let d = bal.date[r].days();
                    if slot.rows > 0 && d <= slot.last_date && unordered.last() != Some(&(u as u32))
                    {
                        unordered.push(u as u32);
                    }
                    slot.add(d, bal.balance[r], bal.buy[r], bal.sell[r], bal.profit[r]);
                }
                unordered
            });

        // Repeated (user, date, fund type) among those users: the lowest repeat row is
        // reported.
        let mut flagged = vec![false; n_users];
        unordered
            .iter()
            .flatten()
            .for_each(|&u| flagged[u as usize] = true);
        let dup = if unordered.iter().all(|v| v.is_empty()) {
            None
        } else {
            let mut keys: Vec<(u32, u8, i32, u32)> = (0..n)
                .into_par_iter()
                .filter(|&r| flagged[row_user[r] as usize])
                .map(|r| {
                    (
                        row_user[r],
                        bal.fund_type[r] as u8,
                        bal.date[r].days(),
                        r as u32,
                    )
                })
                .collect();
            keys.par_sort_unstable();
            keys.par_windows(2)
                .filter(|w| (w[0].0, w[0].1, w[0].2) == (w[1].0, w[1].1, w[1].2))
                .map(|w| (w[1].3 as usize, w[0].3 as usize))
                .min()
        };
        drop(row_user);
        if let Some((row, first_row)) = dup {
            return Err(SegmentError::Duplicate {
                table: Table::Balances,
                row,
                first_row,
                column: "user_id",
                key: format!(
                    "(user_id, date, fund_type) ('{}', {}, {})",
                    bal.user_id.get(row),
                    bal.date[row],
                    bal.fund_type[row]
                ),
            });
        }

        let first_date = *bal.date.par_iter().min().expect("non-empty");
        let last_date = *bal.date.par_iter().max().expect("non-empty");
        let span = (last_date.days() - first_date.days()) as usize + 1;
        let mut seen = vec![false; span];
        for d in &bal.date {
            seen[(d.days() - first_date.days()) as usize] = true;
        }
        let dates = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| first_date.add_days(i as i32))
            .collect();
        Ok(InvestorData {
            users,
            bal,
            slots,
            first_date,
            last_date,
            dates,
        })
    }

    /// The users.
    pub fn users(&self) -> &UserTable {
        &self.users
    }

    /// The balance columns.
    pub fn balances(&self) -> &BalanceColumns {
        &self.bal
    }

    /// Number of balance rows.
    pub fn balance_rows(&self) -> usize {
        self.bal.date.len()
    }

    /// Earliest balance date.
    pub fn first_date(&self) -> Date {
        self.first_date
    }

    /// Latest balance date.
    pub fn last_date(&self) -> Date {
        self.last_date
    }

    /// Distinct balance dates, ascending.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// Calendar months from the first to the last balance date, inclusive.
    pub fn months_spanned(&self) -> usize {
        let m = |d: Date| {
            let (y, m, _) = d.ymd();
            y * 12 + m as i32
        };
        (m(self.last_date) - m(self.first_date) + 1) as usize
    }

    /// Sums of users-table row `user`, one per fund type ([`FundType::ALL`] order).
    fn slots_of(&self, user: usize) -> &[Slot] {
        &self.slots[user * N_TYPES..(user + 1) * N_TYPES]
    }

    /// Whether users-table row `user` has balance rows.
    pub fn is_active(&self, user: usize) -> bool {
        self.slots_of(user).iter().any(|s| s.rows > 0)
    }
}

/// How per-user profit is measured (module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProfitMeasure {
    /// Sum of the rows' profit (each read as the day's gain).
    #[default]
    Total,
    /// Profit at the user's last date for the fund type (profit read as cumulative).
    Latest,
}

/// How numeric features are scaled for clustering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scaling {
    /// Sign-preserving log1p, then z-score per column (default).
    #[default]
    LogZScore,
    /// z-score per column.
    ZScore,
    /// Original units.
    None,
}

/// Settings of [`investor_features`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InvestorConfig {
    /// Date ages refer to (default: the last balance date).
    pub as_of: Option<Date>,
    /// Keep users without balance rows (with zero numeric features); default false.
    pub keep_inactive: bool,
    /// Numeric scaling (default log1p then z-score).
    pub scaling: Scaling,
    /// Profit measure (default total).
    pub profit: ProfitMeasure,
    /// Fewest members a categorical level may have (default 2).
    pub min_level_size: usize,
}

impl Default for InvestorConfig {
    fn default() -> Self {
        InvestorConfig {
            as_of: None,
            keep_inactive: false,
            scaling: Scaling::LogZScore,
            profit: ProfitMeasure::Total,
            min_level_size: 2,
        }
    }
}

/// A numeric measure, computed per fund type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Mean daily balance (currency units).
    Aum,
    /// Bought per month (currency units per month).
    Buy,
    /// Sold per month (currency units per month).
    Sell,
    /// Transactions over the period (count).
    Transactions,
    /// Profit (currency units; total or latest).
    Profit,
}

impl Measure {
    /// Every measure, in column order.
    pub const ALL: [Measure; 5] = [
        Measure::Aum,
        Measure::Buy,
        Measure::Sell,
        Measure::Transactions,
        Measure::Profit,
    ];

    /// Column-name prefix (`aum`, `buy`, `sell`, `transactions`, `profit`).
    pub fn name(self) -> &'static str {
        match self {
            Measure::Aum => "aum",
            Measure::Buy => "buy",
            Measure::Sell => "sell",
            Measure::Transactions => "transactions",
            Measure::Profit => "profit",
        }
    }

    /// Column of `(self, fund_type)` in the numeric matrix (measure-major).
    pub fn column(self, fund_type: FundType) -> usize {
        self as usize * FundType::ALL.len() + fund_type.index()
    }

    /// Spec of `(self, fund_type)` for profiles.
    fn spec(self, t: FundType) -> NumericSpec {
        let l = t.words();
        let (phrase, magnitude) = match self {
            Measure::Aum => (format!("{l} balances"), Magnitude::Amount),
            Measure::Buy => (format!("{l} buying"), Magnitude::Amount),
            Measure::Sell => (format!("{l} selling"), Magnitude::Amount),
            Measure::Transactions => (format!("{l} trades"), Magnitude::Frequency),
            Measure::Profit => (format!("{l} profit"), Magnitude::Level),
        };
        NumericSpec::new(format!("{}_{}", self.name(), t.name()), phrase, magnitude)
    }
}

/// Number of numeric investor features (5 measures × 4 fund types).
pub const N_NUMERIC: usize = 20;

/// Investor features of the kept users (n rows, users-table order).
#[derive(Clone, Debug)]
pub struct InvestorFeatures {
    /// User id of each row.
    pub user_ids: Vec<String>,
    /// Users-table row of each row.
    pub user_rows: Vec<usize>,
    /// Age of each row's user, years.
    pub ages: Vec<f64>,
    /// Reference date of ages and generations.
    pub as_of: Date,
    /// Distinct balance dates (divisor of mean AUM).
    pub days: usize,
    /// Calendar months spanned (divisor of monthly buy and sell).
    pub months: usize,
    /// Names and wording of the 20 numeric columns ([`Measure::column`] order).
    pub numeric_specs: Vec<NumericSpec>,
    /// Numeric features in original units (n × 20).
    pub numeric_raw: Matrix,
    /// Numeric features scaled per [`InvestorConfig::scaling`] (n × 20), for clustering.
    pub numeric: Matrix,
    /// Categorical features: gender, generation, occupation, income_band, referral.
    pub categorical: Categoricals,
    /// Users-table rows without balance rows (dropped unless `keep_inactive`, when they
    /// stay with zero numeric features).
    pub inactive: Vec<usize>,
}

impl InvestorFeatures {
    /// Number of users (rows).
    pub fn len(&self) -> usize {
        self.user_ids.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.user_ids.is_empty()
    }

    /// Names of the numeric columns.
    pub fn numeric_names(&self) -> Vec<&str> {
        self.numeric_specs.iter().map(|s| s.name.as_str()).collect()
    }
}

/// Per-user features (module documentation for every rule). Errors: no user left, or a
/// categorical level with fewer than `min_level_size` members.
pub fn investor_features(
    data: &InvestorData,
    cfg: &InvestorConfig,
) -> Result<InvestorFeatures, SegmentError> {
    let users = data.users.columns();
    let (kept, inactive): (Vec<usize>, Vec<usize>) =
        (0..data.users.len()).partition(|&u| data.is_active(u));
    let kept = if cfg.keep_inactive {
        (0..data.users.len()).collect()
    } else {
        kept
    };
    if kept.is_empty() {
        return Err(SegmentError::NoData {
            table: Table::Balances,
            message: "no user has balance rows".to_string(),
        });
    }
    let n = kept.len();
    let days = data.dates.len() as f64;
    let months = data.months_spanned() as f64;

    let mut raw = Matrix::zeros(n, N_NUMERIC);
    raw.as_mut_slice()
        .par_chunks_mut(N_NUMERIC)
        .zip(kept.par_iter())
        .for_each(|(out, &u)| {
            for (t, s) in data.slots_of(u).iter().enumerate() {
                out[Measure::Aum.column(FundType::ALL[t])] = s.balance / days;
                out[Measure::Buy.column(FundType::ALL[t])] = s.buy / months;
                out[Measure::Sell.column(FundType::ALL[t])] = s.sell / months;
                out[Measure::Transactions.column(FundType::ALL[t])] = s.tx as f64;
                out[Measure::Profit.column(FundType::ALL[t])] = match cfg.profit {
                    ProfitMeasure::Total => s.profit,
                    ProfitMeasure::Latest => s.latest_profit,
                };
            }
        });
    let mut numeric = raw.clone();
    match cfg.scaling {
        Scaling::LogZScore => {
            Transform::Log1p.apply(&mut numeric);
            Transform::ZScore.apply(&mut numeric);
        }
        Scaling::ZScore => Transform::ZScore.apply(&mut numeric),
        Scaling::None => {}
    }

    let as_of = cfg.as_of.unwrap_or(data.last_date);
    let ages: Vec<f64> = kept.iter().map(|&u| users.age[u]).collect();
    let mut specs = Vec::new();
    let mut columns = Vec::new();
    for (name, phrase, col) in [
        ("gender", "{}", &users.gender),
        ("occupation", "{}", &users.occupation),
        ("income_band", "income {}", &users.income_band),
        ("referral", "referral {}", &users.referral),
    ] {
        let (spec, codes) = text_levels(name, phrase, col, &kept);
        specs.push(spec);
        columns.push(codes);
    }
    // Generation goes second, after gender.
    let gens: Vec<Generation> = ages
        .iter()
        .map(|&a| Generation::from_age(a, as_of))
        .collect();
    let present: Vec<Generation> = Generation::ALL
        .into_iter()
        .filter(|g| gens.contains(g))
        .collect();
    let gen_codes = gens
        .iter()
        .map(|g| present.iter().position(|p| p == g).expect("present") as u32)
        .collect();
    specs.insert(
        1,
        CategoricalSpec::new(
            "generation",
            present.iter().map(|g| g.name().to_string()).collect(),
            "{}",
        ),
    );
    columns.insert(1, gen_codes);
    let categorical = Categoricals::new(n, specs, columns);

    for j in 0..categorical.cols() {
        let counts = categorical.counts(j);
        let spec = &categorical.specs()[j];
        if let Some(l) = (0..counts.len()).find(|&l| counts[l] < cfg.min_level_size) {
            let first = (0..n)
                .find(|&i| categorical.code(i, j) as usize == l)
                .expect("levels are present");
            return Err(SegmentError::RareLevel {
                column: spec.name.clone(),
                level: spec.levels[l].clone(),
                count: counts[l],
                min: cfg.min_level_size,
                row: kept[first],
            });
        }
    }

    let numeric_specs = Measure::ALL
        .iter()
        .flat_map(|m| FundType::ALL.iter().map(move |t| m.spec(*t)))
        .collect();
    Ok(InvestorFeatures {
        user_ids: kept.iter().map(|&u| users.user_id[u].clone()).collect(),
        user_rows: kept.clone(),
        ages,
        as_of,
        days: data.dates.len(),
        months: data.months_spanned(),
        numeric_specs,
        numeric_raw: raw,
        numeric,
        categorical,
        inactive,
    })
}

/// Levels (present among `kept`, sorted by name) and codes of a text column.
fn text_levels(
    name: &str,
    phrase: &str,
    col: &TextColumn,
    kept: &[usize],
) -> (CategoricalSpec, Vec<u32>) {
    let mut used = vec![false; col.values().len()];
    for &u in kept {
        used[col.code(u) as usize] = true;
    }
    let mut order: Vec<usize> = (0..used.len()).filter(|&c| used[c]).collect();
    order.sort_by(|&a, &b| col.values()[a].cmp(&col.values()[b]));
    let mut new_code = vec![u32::MAX; used.len()];
    for (i, &c) in order.iter().enumerate() {
        new_code[c] = i as u32;
    }
    let levels = order.iter().map(|&c| col.values()[c].clone()).collect();
    let codes = kept
        .iter()
        .map(|&u| new_code[col.code(u) as usize])
        .collect();
    (CategoricalSpec::new(name, levels, phrase), codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_follow_pew_cutoffs() {
        let d2024 = Date::from_ymd(2024, 6, 30).unwrap();
        let g = |age: f64| Generation::from_age(age, d2024);
        assert_eq!(g(27.9), Generation::GenZ);
        assert_eq!(g(28.0), Generation::Millennial);
        assert_eq!(g(43.0), Generation::Millennial);
        assert_eq!(g(44.0), Generation::GenX);
        assert_eq!(g(59.5), Generation::GenX);
        assert_eq!(g(60.0), Generation::Boomer);
        assert_eq!(g(8.0), Generation::GenZ);
        let d2021 = Date::from_ymd(2021, 9, 30).unwrap();
        assert_eq!(Generation::from_age(24.0, d2021), Generation::GenZ);
        assert_eq!(Generation::from_age(25.0, d2021), Generation::Millennial);
    }

    #[test]
    fn measure_columns_are_measure_major() {
        // Parsing fund types is tested with `FundType` in peergroup-data.
        assert_eq!(Measure::Profit.column(FundType::Mixed), N_NUMERIC - 1);
    }
}
