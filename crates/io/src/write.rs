//! Columnar tables written as CSV or Parquet.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use peergroup_data::Date;

use crate::rows::Format;

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
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::Key { codes, .. } => codes.len(),
            Column::Text(v) => v.len(),
            Column::Date(v) => v.len(),
            Column::F64(v) => v.len(),
            Column::I64(v) => v.len(),
        }
    }
}

/// A named set of equally long columns.
#[derive(Clone, Debug, Default)]
pub struct Table {
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Table {
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

    /// Cell `(row, col)` as CSV text (for previews in reports).
    pub fn cell(&self, row: usize, col: usize) -> String {
        let mut s = String::new();
        format_cell(&self.columns[col], row, &mut s);
        s
    }
}

/// Write `table` to `path` in the format of its extension (no atomicity: see [`crate::Outputs`]).
pub fn write_table(path: &Path, format: Format, table: &Table) -> std::io::Result<()> {
    match format {
        Format::Csv => write_csv(path, table),
        Format::Parquet => write_parquet(path, table),
    }
}

fn push_quoted(s: &str, out: &mut String) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn format_cell(col: &Column, r: usize, out: &mut String) {
    match col {
        Column::Key { codes, names } => push_quoted(&names[codes[r] as usize], out),
        Column::Text(v) => push_quoted(&v[r], out),
        Column::Date(v) => {
            let (y, m, d) = v[r].ymd();
            use std::fmt::Write as _;
            let _ = write!(out, "{y:04}-{m:02}-{d:02}");
        }
        Column::F64(v) => {
            let x = v[r];
            if x.is_finite() {
                let mut b = ryu::Buffer::new();
                let s = b.format_finite(x);
                // ryu writes 1.0 as "1.0" and 1e-7 as "1e-7": both parse everywhere.
                out.push_str(s);
            }
        }
        Column::I64(v) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{}", v[r]);
        }
    }
}

fn write_csv(path: &Path, table: &Table) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut line = String::with_capacity(256);
    for (i, n) in table.names.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_quoted(n, &mut line);
    }
    line.push('\n');
    w.write_all(line.as_bytes())?;
    for r in 0..table.n_rows() {
        line.clear();
        for (i, c) in table.columns.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            format_cell(c, r, &mut line);
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    w.into_inner().map_err(|e| e.into_error())?;
    Ok(())
}

const PARQUET_CHUNK: usize = 1 << 20;

fn write_parquet(path: &Path, table: &Table) -> std::io::Result<()> {
    let fields: Vec<Field> = table
        .names
        .iter()
        .zip(&table.columns)
        .map(|(n, c)| {
            let t = match c {
                Column::Key { .. } | Column::Text(_) => DataType::Utf8,
                Column::Date(_) => DataType::Date32,
                Column::F64(_) => DataType::Float64,
                Column::I64(_) => DataType::Int64,
            };
            Field::new(n, t, true)
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    // Dictionary encoding pays for repeated ids, not for floats: hashing tens of
    // millions of distinct values per column only slows the write.
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(PARQUET_CHUNK))
        .set_dictionary_enabled(false);
    for (n, c) in table.names.iter().zip(&table.columns) {
        if matches!(c, Column::Key { .. } | Column::Text(_)) {
            props = props.set_column_dictionary_enabled(ColumnPath::from(n.as_str()), true);
        }
    }
    let props = props.build();
    let file = File::create(path)?;
    let mut writer =
        ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(std::io::Error::other)?;
    let n = table.n_rows();
    let mut start = 0;
    while start < n || (n == 0 && start == 0) {
        let end = (start + PARQUET_CHUNK).min(n);
        let arrays: Vec<ArrayRef> = table.columns.iter().map(|c| chunk(c, start, end)).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(std::io::Error::other)?;
        writer.write(&batch).map_err(std::io::Error::other)?;
        if n == 0 {
            break;
        }
        start = end;
    }
    // No fsync: outputs are renamed into place for atomicity against failures of this
    // process; durability against power loss is the file system's business.
    writer.close().map_err(std::io::Error::other)?;
    Ok(())
}

fn chunk(c: &Column, start: usize, end: usize) -> ArrayRef {
    match c {
        Column::Key { codes, names } => {
            let mut b = StringBuilder::with_capacity(end - start, (end - start) * 8);
            for &k in &codes[start..end] {
                b.append_value(&names[k as usize]);
            }
            Arc::new(b.finish())
        }
        Column::Text(v) => {
            let mut b = StringBuilder::with_capacity(end - start, (end - start) * 8);
            for s in &v[start..end] {
                b.append_value(s);
            }
            Arc::new(b.finish())
        }
        Column::Date(v) => Arc::new(Date32Array::from_iter_values(
            v[start..end].iter().map(|d| d.days()),
        )),
        Column::F64(v) => Arc::new(Float64Array::from_iter(
            v[start..end].iter().map(|&x| x.is_finite().then_some(x)),
        )),
        Column::I64(v) => Arc::new(Int64Array::from_iter_values(v[start..end].iter().copied())),
    }
}
