use std::fmt;

/// Which input a [`SegmentError`] points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    /// Sales rows (`bd, office, fund, month, amount`).
    Sales,
    /// Fund metadata (`fund, category, broad_category`).
    Funds,
    /// Investor profiles (`user_id, registered, gender, age, occupation, income_band, referral`).
    Users,
    /// Daily balances (`user_id, date, fund_type, balance, buy, sell, profit`).
    Balances,
    /// Cluster or segment labels handed to profiles or the outside-category table.
    Labels,
}

impl Table {
    /// Lower-case name (`sales`, `funds`, `users`, `balances`, `labels`).
    pub fn name(self) -> &'static str {
        match self {
            Table::Sales => "sales",
            Table::Funds => "funds",
            Table::Users => "users",
            Table::Balances => "balances",
            Table::Labels => "labels",
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Bad user input or settings. Rows are 0-based indices into the columns the caller
/// passed in (the caller maps them to file lines); [`SegmentError::message`] is the text
/// without the position, for callers that print their own.
#[derive(Clone, Debug, PartialEq)]
pub enum SegmentError {
    /// The columns of one table have different lengths.
    LengthMismatch {
        /// Table.
        table: Table,
        /// Column whose length differs from the first column's.
        column: &'static str,
        /// Length of the first column (rows).
        expected: usize,
        /// Length of this column (rows).
        found: usize,
    },
    /// A table has no rows.
    Empty {
        /// Table.
        table: Table,
    },
    /// One cell is invalid (not finite, negative, empty id, out of range).
    InvalidValue {
        /// Table.
        table: Table,
        /// 0-based row index.
        row: usize,
        /// Column name.
        column: &'static str,
        /// What was expected and what was found.
        message: String,
    },
    /// A key that must be unique appears a second time.
    Duplicate {
        /// Table.
        table: Table,
        /// 0-based row index of the repeat.
        row: usize,
        /// 0-based row index of the first occurrence.
        first_row: usize,
        /// Key column name.
        column: &'static str,
        /// The repeated key, described (e.g. `fund 'F1'`).
        key: String,
    },
    /// A sales row names a fund absent from the funds table.
    UnknownFund {
        /// 0-based sales row index.
        row: usize,
        /// The fund id.
        fund: String,
    },
    /// A balance row names a user absent from the users table.
    UnknownUser {
        /// 0-based balance row index.
        row: usize,
        /// The user id.
        user: String,
    },
    /// A categorical level has fewer members than k-prototypes can use.
    RareLevel {
        /// Column name (`gender`, `generation`, ...).
        column: String,
        /// The level.
        level: String,
        /// Members of the level.
        count: usize,
        /// Fewest members allowed.
        min: usize,
        /// 0-based users-table row of its first member.
        row: usize,
    },
    /// Nothing is left to work on (e.g. no entity sold in the window).
    NoData {
        /// Table that came up empty.
        table: Table,
        /// What is missing.
        message: String,
    },
    /// An invalid setting (not about any input row).
    Config {
        /// What is wrong.
        message: String,
    },
}

impl SegmentError {
    /// The table at fault, if any.
    pub fn table(&self) -> Option<Table> {
        match self {
            SegmentError::LengthMismatch { table, .. }
            | SegmentError::Empty { table }
            | SegmentError::NoData { table, .. }
            | SegmentError::InvalidValue { table, .. }
            | SegmentError::Duplicate { table, .. } => Some(*table),
            SegmentError::UnknownFund { .. } => Some(Table::Sales),
            SegmentError::UnknownUser { .. } => Some(Table::Balances),
            SegmentError::RareLevel { .. } => Some(Table::Users),
            SegmentError::Config { .. } => None,
        }
    }

    /// The 0-based row index at fault, if one row is.
    pub fn row(&self) -> Option<usize> {
        match self {
            SegmentError::InvalidValue { row, .. }
            | SegmentError::Duplicate { row, .. }
            | SegmentError::UnknownFund { row, .. }
            | SegmentError::UnknownUser { row, .. }
            | SegmentError::RareLevel { row, .. } => Some(*row),
            _ => None,
        }
    }

    /// The column at fault, if one column is.
    pub fn column(&self) -> Option<&str> {
        match self {
            SegmentError::LengthMismatch { column, .. }
            | SegmentError::InvalidValue { column, .. }
            | SegmentError::Duplicate { column, .. } => Some(column),
            SegmentError::UnknownFund { .. } => Some("fund"),
            SegmentError::UnknownUser { .. } => Some("user_id"),
            SegmentError::RareLevel { column, .. } => Some(column),
            _ => None,
        }
    }

    /// What is wrong, without table, row or column (a [`SegmentError::Duplicate`]'s
    /// first occurrence is in [`SegmentError::Duplicate::first_row`], not in the text).
    pub fn message(&self) -> String {
        match self {
            SegmentError::LengthMismatch {
                expected, found, ..
            } => format!("column has {found} rows, expected {expected}"),
            SegmentError::Empty { .. } => "no data rows".to_string(),
            SegmentError::InvalidValue { message, .. } => message.clone(),
            SegmentError::Duplicate { key, .. } => format!("duplicate {key}"),
            SegmentError::UnknownFund { fund, .. } => {
                format!("fund '{fund}' is missing from the funds table")
            }
            SegmentError::UnknownUser { user, .. } => {
                format!("user '{user}' is missing from the users table")
            }
            SegmentError::RareLevel {
                level, count, min, ..
            } => {
                let who = if *count == 1 {
                    "one member".to_string()
                } else {
                    format!("{count} members")
                };
                if level == crate::column::MISSING_LEVEL {
                    format!(
                        "{who} with an empty cell here (level '{level}'), need at least {min}: fill the cell or drop its rows"
                    )
                } else {
                    format!(
                        "level '{level}' has {who}, need at least {min}: merge it into another level or drop its rows"
                    )
                }
            }
            SegmentError::NoData { message, .. } | SegmentError::Config { message } => {
                message.clone()
            }
        }
    }
}

impl fmt::Display for SegmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut prefix = Vec::new();
        if let Some(t) = self.table() {
            prefix.push(t.to_string());
        }
        if let Some(r) = self.row() {
            prefix.push(format!("row index {r}"));
        }
        if let Some(c) = self.column() {
            prefix.push(format!("column '{c}'"));
        }
        let mut message = self.message();
        if let SegmentError::Duplicate { first_row, .. } = self {
            message.push_str(&format!(" (first at row index {first_row})"));
        }
        if prefix.is_empty() {
            f.write_str(&message)
        } else {
            write!(f, "{}: {}", prefix.join(", "), message)
        }
    }
}

impl std::error::Error for SegmentError {}

/// Checks that a column has `expected` rows.
pub(crate) fn check_len(
    table: Table,
    column: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), SegmentError> {
    if expected == found {
        Ok(())
    } else {
        Err(SegmentError::LengthMismatch {
            table,
            column,
            expected,
            found,
        })
    }
}

/// Checks that each column, given as `(name, rows)` in column order, has `n` rows, and
/// that there is at least one row.
pub(crate) fn check_columns(
    table: Table,
    n: usize,
    columns: &[(&'static str, usize)],
) -> Result<(), SegmentError> {
    for &(column, found) in columns {
        check_len(table, column, n, found)?;
    }
    if n == 0 {
        return Err(SegmentError::Empty { table });
    }
    Ok(())
}

/// Checks that every label is below `n` (a clustering of n rows has at most n clusters),
/// so that label-indexed tables stay small.
pub(crate) fn check_labels(labels: &[usize], n: usize) -> Result<(), SegmentError> {
    match labels.iter().position(|&l| l >= n) {
        None => Ok(()),
        Some(row) => Err(SegmentError::InvalidValue {
            table: Table::Labels,
            row,
            column: "label",
            message: format!(
                "expected a cluster label below the number of rows ({n}), found {}",
                labels[row]
            ),
        }),
    }
}

/// The first row (lowest index) at which `bad` holds, checked in parallel over blocks of
/// rows (a tight sequential scan inside each block).
pub(crate) fn first_bad<T: Sync>(
    values: &[T],
    bad: impl Fn(&T) -> bool + Sync + Send,
) -> Option<usize> {
    use rayon::prelude::*;
    const BLOCK: usize = 1 << 14;
    values
        .par_chunks(BLOCK)
        .enumerate()
        .find_map_first(|(b, chunk)| chunk.iter().position(&bad).map(|p| b * BLOCK + p))
}
