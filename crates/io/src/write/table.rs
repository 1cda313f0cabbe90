//! The columnar table model every writer takes: named, equally long columns, some of
//! them repeated or cycled views of shorter ones.

use peergroup_data::Date;

use super::cell_text::{push_date, push_f64, push_int, push_quoted};

/// One output column.
#[derive(Clone, Debug)]
pub enum Column {
    /// Text stored as codes into `names` (ids repeated over millions of rows).
    Key {
        /// Index into `names` per row.
        codes: Vec<u32>,
        /// Distinct values.
        names: Vec<String>,
    },
    /// Free text per row.
    Text(Vec<String>),
    /// Dates, written as `YYYY-MM-DD` (CSV) or Parquet DATE.
    Date(Vec<Date>),
    /// Numbers; `NaN` is written as an empty cell (CSV) or null (Parquet).
    F64(Vec<f64>),
    /// Integers.
    I64(Vec<i64>),
    /// Row `r` holds `values[r / each]`: one value per group of `each` consecutive rows
    /// (the keys of a long table unrolled from a wide result, without repeating them).
    Repeated {
        /// One value per group.
        values: Box<Column>,
        /// Rows per group (at least 1).
        each: usize,
    },
    /// Row `r` holds `values[r % values.len()]`, for `len` rows (the names of the
    /// unrolled columns).
    Cycled {
        /// One period of values (not empty unless `len` is 0).
        values: Box<Column>,
        /// Rows.
        len: usize,
    },
}

impl Column {
    /// A [`Column::Key`] from each row's index into `names`.
    pub fn key(indices: impl IntoIterator<Item = usize>, names: &[String]) -> Column {
        Column::Key {
            codes: indices.into_iter().map(|i| i as u32).collect(),
            names: names.to_vec(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Key { codes, .. } => codes.len(),
            Column::Text(v) => v.len(),
            Column::Date(v) => v.len(),
            Column::F64(v) => v.len(),
            Column::I64(v) => v.len(),
            Column::Repeated { values, each } => values.len() * each,
            Column::Cycled { len, .. } => *len,
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `values` with each value repeated over `each` consecutive rows.
    pub fn repeated(values: Column, each: usize) -> Column {
        assert!(
            each > 0,
            "a repeated column needs at least one row per value"
        );
        Column::Repeated {
            values: Box::new(values),
            each,
        }
    }

    /// `values` cycled over `len` rows.
    pub fn cycled(values: Column, len: usize) -> Column {
        assert!(
            len == 0 || !values.is_empty(),
            "a cycled column needs values"
        );
        Column::Cycled {
            values: Box::new(values),
            len,
        }
    }

    /// The plain column under any repetition (its type).
    pub(super) fn leaf(&self) -> &Column {
        match self {
            Column::Repeated { values, .. } | Column::Cycled { values, .. } => values.leaf(),
            plain => plain,
        }
    }

    /// The plain column holding rows `start..end` (Parquet chunks of repeated and cycled
    /// columns).
    pub(super) fn materialise(&self, start: usize, end: usize) -> Column {
        let rows: Vec<usize> = (start..end).collect();
        self.pick(&rows)
    }

    /// The plain column of rows `rows`.
    fn pick(&self, rows: &[usize]) -> Column {
        match self {
            Column::Key { codes, names } => Column::Key {
                codes: rows.iter().map(|&i| codes[i]).collect(),
                names: names.clone(),
            },
            Column::Text(v) => Column::Text(rows.iter().map(|&i| v[i].clone()).collect()),
            Column::Date(v) => Column::Date(rows.iter().map(|&i| v[i]).collect()),
            Column::F64(v) => Column::F64(rows.iter().map(|&i| v[i]).collect()),
            Column::I64(v) => Column::I64(rows.iter().map(|&i| v[i]).collect()),
            Column::Repeated { values, each } => {
                values.pick(&rows.iter().map(|&r| r / each).collect::<Vec<_>>())
            }
            Column::Cycled { values, .. } => {
                let p = values.len();
                values.pick(&rows.iter().map(|&r| r % p).collect::<Vec<_>>())
            }
        }
    }

    /// The CSV text of row `r` onto `out`, one cell at a time: the reference that the
    /// CSV writer's prepared formatting matches byte for byte.
    pub(super) fn push_cell(&self, r: usize, out: &mut Vec<u8>) {
        match self {
            Column::Key { codes, names } => push_quoted(&names[codes[r] as usize], out),
            Column::Text(v) => push_quoted(&v[r], out),
            Column::Date(v) => push_date(v[r], out),
            Column::F64(v) => push_f64(v[r], out),
            Column::I64(v) => push_int(v[r], out),
            Column::Repeated { values, each } => values.push_cell(r / each, out),
            Column::Cycled { values, .. } => values.push_cell(r % values.len(), out),
        }
    }
}

/// A named set of equally long columns.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub(super) names: Vec<String>,
    pub(super) columns: Vec<Column>,
}

impl Table {
    /// The columns, in order (their names are [`Table::names`]).
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// An empty table.
    pub fn new() -> Table {
        Table::default()
    }

    /// Add a column (builder style).
    pub fn with(mut self, name: &str, column: Column) -> Table {
        self.push(name, column);
        self
    }

    /// Add a column.
    pub fn push(&mut self, name: &str, column: Column) {
        if let Some(first) = self.columns.first() {
            assert_eq!(
                first.len(),
                column.len(),
                "column '{name}' has a different length"
            );
        }
        self.names.push(name.to_string());
        self.columns.push(column);
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// Column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// `Ok` if this table has exactly the columns `names` (every block of a table written
    /// in blocks must), an `InvalidInput` error otherwise.
    pub(super) fn same_columns_as(&self, names: &[String]) -> std::io::Result<()> {
        if self.names == names {
            Ok(())
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "every block of a table needs the same columns",
            ))
        }
    }

    /// Cell `(row, col)` as CSV text (for previews in reports).
    pub fn cell(&self, row: usize, col: usize) -> String {
        let mut s = Vec::new();
        self.columns[col].push_cell(row, &mut s);
        String::from_utf8(s).expect("cells are UTF-8")
    }
}

/// A [`Table`] built column by column from one record per row, e.g.
/// `RowTable::new(&bins).f64("share", |b| b.share).table()`.
#[derive(Clone, Debug)]
pub struct RowTable<'a, R> {
    rows: &'a [R],
    table: Table,
}

impl<'a, R> RowTable<'a, R> {
    /// A table of no columns over `rows`.
    pub fn new(rows: &'a [R]) -> Self {
        RowTable {
            rows,
            table: Table::new(),
        }
    }

    /// Add a column made elsewhere (as many rows as records).
    pub fn with(mut self, name: &str, column: Column) -> Self {
        self.table.push(name, column);
        self
    }

    /// Add a number column, one value per record.
    pub fn f64(self, name: &str, get: impl Fn(&R) -> f64) -> Self {
        let column = Column::F64(self.rows.iter().map(get).collect());
        self.with(name, column)
    }

    /// Add an integer column, one value per record.
    pub fn i64(self, name: &str, get: impl Fn(&R) -> i64) -> Self {
        let column = Column::I64(self.rows.iter().map(get).collect());
        self.with(name, column)
    }

    /// Add a text column, one value per record.
    pub fn text(self, name: &str, get: impl Fn(&R) -> String) -> Self {
        let column = Column::Text(self.rows.iter().map(get).collect());
        self.with(name, column)
    }

    /// Add a date column, one value per record.
    pub fn date(self, name: &str, get: impl Fn(&R) -> Date) -> Self {
        let column = Column::Date(self.rows.iter().map(get).collect());
        self.with(name, column)
    }

    /// The table built.
    pub fn table(self) -> Table {
        self.table
    }
}
