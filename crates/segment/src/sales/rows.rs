//! The fund and sales tables: columns and validation.

use std::collections::HashMap;

use peergroup_calendar::Date;

use crate::error::{check_columns, first_bad};
use crate::{SegmentError, Table, TextColumn};

/// Fund metadata: id, (Morningstar-style) category and broad category, ids unique.
#[derive(Clone, Debug)]
pub struct FundTable {
    ids: Vec<String>,
    category: TextColumn,
    pub(super) broad: TextColumn,
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

    /// The distinct broad categories, in order of first appearance.
    pub fn broad_categories(&self) -> Vec<String> {
        self.broad.values().to_vec()
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
    pub(super) bd: TextColumn,
    pub(super) office: TextColumn,
    pub(super) fund: TextColumn,
    pub(super) month: Vec<Date>,
    pub(super) amount: Vec<f64>,
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
