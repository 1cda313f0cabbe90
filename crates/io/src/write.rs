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
use rayon::prelude::*;

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
        let mut s = Vec::new();
        format_cell(&self.columns[col], row, &mut s);
        String::from_utf8(s).expect("cells are UTF-8")
    }
}

/// Write `table` to `path` in the format of its extension (no atomicity: see [`crate::Outputs`]).
pub fn write_table(path: &Path, format: Format, table: &Table) -> std::io::Result<()> {
    match format {
        Format::Csv => write_csv(path, table),
        Format::Parquet => write_parquet(path, table),
    }
}

fn push_quoted(s: &str, out: &mut Vec<u8>) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Decimal digits of `v` without going through `fmt` (dates and counts are hot paths).
fn push_int(v: i64, out: &mut Vec<u8>) {
    if v < 0 {
        out.push(b'-');
    }
    let mut x = v.unsigned_abs();
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn push_padded(v: u32, width: usize, out: &mut Vec<u8>) {
    let mut buf = [b'0'; 4];
    let mut x = v;
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (x % 10) as u8;
        x /= 10;
    }
    out.extend_from_slice(&buf[..width]);
}

fn format_cell(col: &Column, r: usize, out: &mut Vec<u8>) {
    match col {
        Column::Key { codes, names } => push_quoted(&names[codes[r] as usize], out),
        Column::Text(v) => push_quoted(&v[r], out),
        Column::Date(v) => {
            let (y, m, d) = v[r].ymd();
            if (0..=9999).contains(&y) {
                push_padded(y as u32, 4, out);
            } else {
                push_int(y as i64, out);
            }
            out.push(b'-');
            push_padded(m, 2, out);
            out.push(b'-');
            push_padded(d, 2, out);
        }
        Column::F64(v) => {
            let x = v[r];
            if x.is_finite() {
                // ryu writes 1.0 as "1.0" and 1e-7 as "1e-7": both parse everywhere.
                let mut b = ryu::Buffer::new();
                out.extend_from_slice(b.format_finite(x).as_bytes());
            }
        }
        Column::I64(v) => push_int(v[r], out),
    }
}

fn format_rows(table: &Table, rows: std::ops::Range<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 16 * table.columns.len());
    for r in rows {
        for (i, c) in table.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            format_cell(c, r, &mut out);
        }
        out.push(b'\n');
    }
    out
}

/// Rows per formatting task; tasks run in parallel, in batches to bound memory.
const CSV_CHUNK: usize = 32 * 1024;

fn write_csv(path: &Path, table: &Table) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut header = Vec::new();
    for (i, n) in table.names.iter().enumerate() {
        if i > 0 {
            header.push(b',');
        }
        push_quoted(n, &mut header);
    }
    header.push(b'\n');
    w.write_all(&header)?;
    let n = table.n_rows();
    let batch = CSV_CHUNK * 4 * rayon::current_num_threads().max(1);
    let mut start = 0;
    while start < n {
        let end = (start + batch).min(n);
        let chunks: Vec<usize> = (start..end).step_by(CSV_CHUNK).collect();
        let bufs: Vec<Vec<u8>> = chunks
            .par_iter()
            .map(|&s| format_rows(table, s..(s + CSV_CHUNK).min(end)))
            .collect();
        for b in &bufs {
            w.write_all(b)?;
        }
        start = end;
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
