//! The users and balances tables: columns, validation, and per-user sums by fund type.

use std::collections::HashMap;
use std::fmt;

use peergroup_calendar::Date;
use rayon::prelude::*;

use super::{FundType, MISSING_LEVEL};
use crate::error::{check_columns, first_bad};
use crate::grouping::{by_group_ranges, NO_GROUP};
use crate::{SegmentError, Table, TextColumn};

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
pub(super) struct Slot {
    /// Rows.
    rows: u32,
    /// Rows with buy > 0 or sell > 0.
    pub(super) tx: u32,
    /// Latest date seen (days since 1970).
    last_date: i32,
    /// Sum of balances.
    pub(super) balance: f64,
    /// Sum of buys.
    pub(super) buy: f64,
    /// Sum of sells.
    pub(super) sell: f64,
    /// Sum of profit.
    pub(super) profit: f64,
    /// Profit on `last_date`.
    pub(super) latest_profit: f64,
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
    pub(super) users: UserTable,
    bal: BalanceColumns,
    slots: Vec<Slot>,
    first_date: Date,
    pub(super) last_date: Date,
    pub(super) dates: Vec<Date>,
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
    pub(super) fn slots_of(&self, user: usize) -> &[Slot] {
        &self.slots[user * N_TYPES..(user + 1) * N_TYPES]
    }

    /// Whether users-table row `user` has balance rows.
    pub fn is_active(&self, user: usize) -> bool {
        self.slots_of(user).iter().any(|s| s.rows > 0)
    }
}
