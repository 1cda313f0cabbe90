//! Readers for the segmentation inputs (METHODS §6): sales flows, fund categories, app users
//! and their daily balances. Long tables (tens of millions of balance rows) are read into
//! columns with text ids dictionary-encoded, four bytes per row.

use std::collections::HashMap;

use peergroup_data::{Date, InputError, Position};

use crate::rows::{for_each_row, Row};
use crate::source::{AsSource, Role};

/// A text column as read: a code per row into `names` (first-appearance order).
#[derive(Clone, Debug, Default)]
pub struct Coded {
    /// Index into `names` for each row.
    pub codes: Vec<u32>,
    /// Distinct values.
    pub names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Coded {
    fn push(&mut self, value: &str) {
        let code = match self.index.get(value) {
            Some(&c) => c,
            None => {
                let c = self.names.len() as u32;
                self.index.insert(value.to_string(), c);
                self.names.push(value.to_string());
                c
            }
        };
        self.codes.push(code);
    }

    /// Value of row `i`.
    pub fn get(&self, i: usize) -> &str {
        &self.names[self.codes[i] as usize]
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

fn nonempty<'a>(
    row: &Row<'a>,
    col: usize,
    name: &str,
) -> Result<std::borrow::Cow<'a, str>, InputError> {
    let t = row.text(col, name)?;
    if t.is_empty() {
        return Err(
            InputError::at(row.position(), "expected a value, found an empty cell")
                .with_column(name),
        );
    }
    Ok(t)
}

/// Sales rows `bd,office,fund,month,amount` (amount in currency units, negative for
/// redemptions; month any date in the month, e.g. `2024-03` or `2024-03-31`).
#[derive(Clone, Debug, Default)]
pub struct SalesFile {
    /// Broker-dealer.
    pub bd: Coded,
    /// Office within the broker-dealer.
    pub office: Coded,
    /// Fund.
    pub fund: Coded,
    /// Month (the date as read).
    pub month: Vec<Date>,
    /// Net amount.
    pub amount: Vec<f64>,
}

/// Read a sales table; every cell is required.
pub fn read_sales<S: AsSource + ?Sized>(source: &S) -> Result<SalesFile, InputError> {
    let mut out = SalesFile::default();
    let roles = [
        (Role::Id, "fund"),
        (Role::Date, "month"),
        (Role::Value, "amount"),
    ];
    for_each_row(&source.as_source(), &roles, |h| {
        let c = h.require(&["bd", "office", "fund", "month", "amount"])?;
        let out = &mut out;
        Ok(move |row: &Row<'_>| {
            out.bd.push(&nonempty(row, c[0], "bd")?);
            out.office.push(&nonempty(row, c[1], "office")?);
            out.fund.push(&nonempty(row, c[2], "fund")?);
            out.month.push(row.required_date(c[3], "month")?);
            out.amount.push(row.required_number(c[4], "amount")?);
            Ok(())
        })
    })?;
    Ok(out)
}

/// Fund categories `fund,category,broad_category`.
#[derive(Clone, Debug, Default)]
pub struct FundsFile {
    /// Fund ids.
    pub fund: Vec<String>,
    /// Category of each fund.
    pub category: Vec<String>,
    /// Broad category of each fund.
    pub broad_category: Vec<String>,
}

/// Read a funds table; every cell is required.
pub fn read_funds<S: AsSource + ?Sized>(source: &S) -> Result<FundsFile, InputError> {
    let mut out = FundsFile::default();
    let roles = [(Role::Id, "fund"), (Role::Category, "category")];
    for_each_row(&source.as_source(), &roles, |h| {
        let c = h.require(&["fund", "category", "broad_category"])?;
        let out = &mut out;
        Ok(move |row: &Row<'_>| {
            out.fund.push(nonempty(row, c[0], "fund")?.into_owned());
            out.category
                .push(nonempty(row, c[1], "category")?.into_owned());
            out.broad_category
                .push(nonempty(row, c[2], "broad_category")?.into_owned());
            Ok(())
        })
    })?;
    Ok(out)
}

/// App users `user_id,registered,gender,age,occupation,income_band,referral`.
#[derive(Clone, Debug, Default)]
pub struct UsersFile {
    /// User ids.
    pub user_id: Vec<String>,
    /// Registration dates.
    pub registered: Vec<Date>,
    /// Gender (empty cells allowed: a "(missing)" level).
    pub gender: Coded,
    /// Age in years.
    pub age: Vec<f64>,
    /// Occupation.
    pub occupation: Coded,
    /// Income band.
    pub income_band: Coded,
    /// Referral-code use.
    pub referral: Coded,
}

/// Read a users table; id, registration date and age are required.
pub fn read_users<S: AsSource + ?Sized>(source: &S) -> Result<UsersFile, InputError> {
    let mut out = UsersFile::default();
    let roles = [(Role::Id, "user_id"), (Role::Date, "registered")];
    for_each_row(&source.as_source(), &roles, |h| {
        let c = h.require(&[
            "user_id",
            "registered",
            "gender",
            "age",
            "occupation",
            "income_band",
            "referral",
        ])?;
        let out = &mut out;
        Ok(move |row: &Row<'_>| {
            out.user_id
                .push(nonempty(row, c[0], "user_id")?.into_owned());
            out.registered.push(row.required_date(c[1], "registered")?);
            out.gender.push(&row.text(c[2], "gender")?);
            out.age.push(row.required_number(c[3], "age")?);
            out.occupation.push(&row.text(c[4], "occupation")?);
            out.income_band.push(&row.text(c[5], "income_band")?);
            out.referral.push(&row.text(c[6], "referral")?);
            Ok(())
        })
    })?;
    Ok(out)
}

/// Daily balances `user_id,date,fund_type,balance,buy,sell,profit` (currency units).
#[derive(Clone, Debug, Default)]
pub struct BalancesFile {
    /// User of each row.
    pub user_id: Coded,
    /// Date.
    pub date: Vec<Date>,
    /// Fund type as written.
    pub fund_type: Coded,
    /// End-of-day balance.
    pub balance: Vec<f64>,
    /// Bought that day.
    pub buy: Vec<f64>,
    /// Sold that day.
    pub sell: Vec<f64>,
    /// Profit.
    pub profit: Vec<f64>,
}

/// Read a balances table; every cell is required.
pub fn read_balances<S: AsSource + ?Sized>(source: &S) -> Result<BalancesFile, InputError> {
    let mut out = BalancesFile::default();
    let roles = [
        (Role::Id, "user_id"),
        (Role::Date, "date"),
        (Role::Value, "balance"),
    ];
    for_each_row(&source.as_source(), &roles, |h| {
        let c = h.require(&[
            "user_id",
            "date",
            "fund_type",
            "balance",
            "buy",
            "sell",
            "profit",
        ])?;
        let out = &mut out;
        Ok(move |row: &Row<'_>| {
            out.user_id.push(&nonempty(row, c[0], "user_id")?);
            out.date.push(row.required_date(c[1], "date")?);
            out.fund_type.push(&nonempty(row, c[2], "fund_type")?);
            out.balance.push(non_negative(row, c[3], "balance")?);
            out.buy.push(non_negative(row, c[4], "buy")?);
            out.sell.push(non_negative(row, c[5], "sell")?);
            out.profit.push(row.required_number(c[6], "profit")?);
            Ok(())
        })
    })?;
    Ok(out)
}

/// A required amount that cannot be negative: a balance, or the amount bought or sold
/// (a sale is a positive amount in its own column; profit may be negative).
fn non_negative(row: &Row<'_>, col: usize, name: &str) -> Result<f64, InputError> {
    let v = row.required_number(col, name)?;
    if v < 0.0 {
        return Err(InputError::at(
            row.position(),
            format!(
                "expected a non-negative amount, found {}",
                peergroup_data::plausibility::shown(v)
            ),
        )
        .with_column(name));
    }
    Ok(v)
}

/// Position (CSV line or Parquet row) of the data row with 0-based index `row`, found by
/// reading the file again: error paths only, so readers need not store a position per
/// row of a 40-million-row table.
pub fn position_of_row<S: AsSource + ?Sized>(
    source: &S,
    row: usize,
) -> Result<Option<Position>, InputError> {
    let mut seen = 0usize;
    let mut found = None;
    for_each_row(&source.as_source(), &[], |_| {
        let (seen, found) = (&mut seen, &mut found);
        Ok(move |r: &Row<'_>| {
            if *seen == row {
                *found = Some(r.position());
            }
            *seen += 1;
            Ok(())
        })
    })?;
    Ok(found)
}
