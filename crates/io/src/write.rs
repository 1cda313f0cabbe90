//! Columnar tables written as CSV or Parquet.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::UInt32Type;
use arrow_array::{
    ArrayRef, Date32Array, DictionaryArray, Float64Array, Int64Array, StringArray, UInt32Array,
};
use arrow_buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnChunk, ArrowColumnWriter};
use parquet::arrow::arrow_writer::{ArrowRowGroupWriterFactory, ArrowWriterOptions};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use peergroup_data::Date;
use rayon::prelude::*;

use crate::preallocate::PreallocatedFile;
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
    fn leaf(&self) -> &Column {
        match self {
            Column::Repeated { values, .. } | Column::Cycled { values, .. } => values.leaf(),
            plain => plain,
        }
    }

    /// The plain column holding rows `start..end` (Parquet chunks of repeated and cycled
    /// columns).
    fn materialise(&self, start: usize, end: usize) -> Column {
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
        Format::Parquet => {
            let sources = table.columns.iter().map(Source::Borrowed).collect();
            write_parquet(path, &table.names, sources)
        }
    }
}

/// [`write_table`] for a table that is no longer needed: Parquet then hands its number
/// columns to Arrow without copying them (at 50M rows the copies and their page faults
/// cost more than the encoding).
pub fn write_table_owned(path: &Path, format: Format, table: Table) -> std::io::Result<()> {
    match format {
        Format::Csv => write_csv(path, &table),
        Format::Parquet => {
            let Table { names, columns } = table;
            let sources: Vec<Source<'_>> = columns.into_iter().map(Source::owned).collect();
            write_parquet(path, &names, sources)
        }
    }
}

/// A column as the Parquet writer sees it: borrowed (copied per row group) or owned
/// Arrow buffers (sliced per row group, no copy).
enum Source<'a> {
    Borrowed(&'a Column),
    /// A repeated or cycled column, made plain one row group at a time.
    Lazy(Column),
    /// Codes and the distinct names they index.
    Key(ScalarBuffer<u32>, Arc<StringArray>),
    Text(Vec<String>),
    F64(ScalarBuffer<f64>, Option<NullBuffer>),
    Date(ScalarBuffer<i32>),
    I64(ScalarBuffer<i64>),
}

impl Source<'_> {
    fn owned(c: Column) -> Source<'static> {
        match c {
            Column::Key { codes, names } => Source::Key(
                ScalarBuffer::from(codes),
                Arc::new(StringArray::from_iter_values(&names)),
            ),
            Column::Text(v) => Source::Text(v),
            Column::F64(v) => {
                // NaN (and inf) are written as nulls; most columns have few or none.
                let valid = BooleanBuffer::collect_bool(v.len(), |i| v[i].is_finite());
                let nulls = (valid.count_set_bits() < v.len()).then(|| NullBuffer::new(valid));
                Source::F64(ScalarBuffer::from(v), nulls)
            }
            // Same size and alignment: the collect reuses the allocation.
            Column::Date(v) => Source::Date(ScalarBuffer::from(
                v.into_iter().map(|d| d.days()).collect::<Vec<i32>>(),
            )),
            Column::I64(v) => Source::I64(ScalarBuffer::from(v)),
            lazy @ (Column::Repeated { .. } | Column::Cycled { .. }) => Source::Lazy(lazy),
        }
    }

    /// Whether Snappy would save less than a quarter of this column's bytes: full-precision
    /// doubles (returns, effects) hardly ever repeat a byte sequence, and AUM sums save
    /// ~20%. Compressing 50M of them costs about a second, more than writing the bytes
    /// saved. Judged on a sample spread over the column; anything else keeps Snappy.
    fn snappy_saves_little(&self) -> bool {
        let v: &[f64] = match self {
            Source::Borrowed(Column::F64(v)) => v,
            Source::F64(v, _) => v,
            _ => return false,
        };
        const PIECE: usize = 8 * 1024;
        if v.len() < 16 * PIECE {
            return false; // small files: size matters more than time
        }
        let mut raw = 0usize;
        let mut packed = 0usize;
        let mut enc = snap::raw::Encoder::new();
        for k in 0..8 {
            let start = (v.len() - PIECE) / 7 * k;
            let bytes: Vec<u8> = v[start..start + PIECE]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect();
            raw += bytes.len();
            packed += enc.compress_vec(&bytes).map_or(bytes.len(), |c| c.len());
        }
        packed * 4 > raw * 3
    }

    fn len(&self) -> usize {
        match self {
            Source::Borrowed(c) => c.len(),
            Source::Lazy(c) => c.len(),
            Source::Key(codes, _) => codes.len(),
            Source::Text(v) => v.len(),
            Source::F64(v, _) => v.len(),
            Source::Date(v) => v.len(),
            Source::I64(v) => v.len(),
        }
    }

    fn data_type(&self) -> DataType {
        let plain = |c: &Column| match c.leaf() {
            Column::Key { .. } => key_type(),
            Column::Text(_) => DataType::Utf8,
            Column::Date(_) => DataType::Date32,
            Column::F64(_) => DataType::Float64,
            Column::I64(_) => DataType::Int64,
            Column::Repeated { .. } | Column::Cycled { .. } => unreachable!("a leaf is plain"),
        };
        match self {
            Source::Borrowed(c) => plain(c),
            Source::Lazy(c) => plain(c),
            Source::Key(..) => key_type(),
            Source::Text(_) => DataType::Utf8,
            Source::Date(_) => DataType::Date32,
            Source::F64(..) => DataType::Float64,
            Source::I64(_) => DataType::Int64,
        }
    }

    fn chunk(&self, start: usize, end: usize) -> ArrayRef {
        let len = end - start;
        match self {
            Source::Borrowed(c) => chunk(c, start, end),
            Source::Lazy(c) => chunk(c, start, end),
            Source::Key(codes, names) => Arc::new(DictionaryArray::<UInt32Type>::new(
                UInt32Array::new(codes.slice(start, len), None),
                names.clone(),
            )),
            Source::Text(v) => Arc::new(StringArray::from_iter_values(&v[start..end])),
            Source::F64(v, nulls) => Arc::new(Float64Array::new(
                v.slice(start, len),
                nulls.as_ref().map(|n| n.slice(start, len)),
            )),
            Source::Date(v) => Arc::new(Date32Array::new(v.slice(start, len), None)),
            Source::I64(v) => Arc::new(Int64Array::new(v.slice(start, len), None)),
        }
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
    let mut buf = [0u8; I64_WIDTH];
    out.extend_from_slice(int_text(v, &mut buf));
}

/// The decimal text of `v`, written at the end of `buf`.
fn int_text(v: i64, buf: &mut [u8; I64_WIDTH]) -> &[u8] {
    let mut x = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
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
                // Shortest round-trip text (Żmij, ~2x faster than ryu): 1.0 as "1.0",
                // 1e-7 as "1e-7", 1e22 as "1e+22"; all parse everywhere.
                let mut b = zmij::Buffer::new();
                out.extend_from_slice(b.format_finite(x).as_bytes());
            }
        }
        Column::I64(v) => push_int(v[r], out),
        Column::Repeated { values, each } => format_cell(values, r / each, out),
        Column::Cycled { values, .. } => format_cell(values, r % values.len(), out),
    }
}

/// A column made ready for CSV: key names quoted once, dates looked up in a table of
/// their text (a file spans a few thousand distinct days but millions of rows).
enum CsvCol<'a> {
    Key {
        codes: &'a [u32],
        names: Vec<Vec<u8>>,
    },
    Date {
        days: &'a [Date],
        first: i32,
        text: Vec<[u8; 10]>,
    },
    F64(&'a [f64]),
    I64(&'a [i64]),
    Repeated {
        inner: Box<CsvCol<'a>>,
        each: usize,
    },
    Cycled {
        inner: Box<CsvCol<'a>>,
        period: usize,
    },
    Other(&'a Column),
}

/// Longest text of one cell: f64 as shortest round-trip text ("-1.2345678901234567e-308"
/// is 24 bytes) and i64 ("-9223372036854775808", 20 bytes); `None` for unbounded text.
const F64_WIDTH: usize = 24;
const I64_WIDTH: usize = 20;

/// Copy `s` to `buf[p..]` and return the new end. Cells are short, and a call to
/// `memcpy` per cell cost more than the copy: two overlapping fixed-size moves do it.
#[inline(always)]
fn put(buf: &mut [u8], p: usize, s: &[u8]) -> usize {
    let n = s.len();
    if (16..=32).contains(&n) {
        buf[p..p + 16].copy_from_slice(&s[..16]);
        buf[p + n - 16..p + n].copy_from_slice(&s[n - 16..]);
    } else if (8..16).contains(&n) {
        buf[p..p + 8].copy_from_slice(&s[..8]);
        buf[p + n - 8..p + n].copy_from_slice(&s[n - 8..]);
    } else if (4..8).contains(&n) {
        buf[p..p + 4].copy_from_slice(&s[..4]);
        buf[p + n - 4..p + n].copy_from_slice(&s[n - 4..]);
    } else if n < 4 {
        for (i, &b) in s.iter().enumerate() {
            buf[p + i] = b;
        }
    } else {
        buf[p..p + n].copy_from_slice(s);
    }
    p + n
}

impl<'a> CsvCol<'a> {
    fn new(c: &'a Column) -> CsvCol<'a> {
        match c {
            Column::Key { codes, names } => CsvCol::Key {
                codes,
                names: names
                    .iter()
                    .map(|n| {
                        let mut q = Vec::new();
                        push_quoted(n, &mut q);
                        q
                    })
                    .collect(),
            },
            Column::Date(v) => {
                let lo = v.iter().map(|d| d.days()).min().unwrap_or(0);
                let hi = v.iter().map(|d| d.days()).max().unwrap_or(0);
                // Four-digit years only; a table is pointless beyond ~100 years of days.
                let plain = |d: i32| (0..=9999).contains(&Date::from_days(d).ymd().0);
                if v.is_empty() || hi - lo > 40_000 || !plain(lo) || !plain(hi) {
                    return CsvCol::Other(c);
                }
                let text = (lo..=hi)
                    .map(|d| {
                        let mut t = Vec::with_capacity(10);
                        format_cell(&Column::Date(vec![Date::from_days(d)]), 0, &mut t);
                        t.try_into().expect("YYYY-MM-DD is 10 bytes")
                    })
                    .collect();
                CsvCol::Date {
                    days: v,
                    first: lo,
                    text,
                }
            }
            Column::F64(v) => CsvCol::F64(v),
            Column::I64(v) => CsvCol::I64(v),
            Column::Repeated { values, each } => CsvCol::Repeated {
                inner: Box::new(CsvCol::new(values)),
                each: *each,
            },
            Column::Cycled { values, .. } => CsvCol::Cycled {
                inner: Box::new(CsvCol::new(values)),
                period: values.len(),
            },
            other => CsvCol::Other(other),
        }
    }

    /// The column whose values rows index, and how a row maps to them.
    fn top(&self) -> (&CsvCol<'a>, Step) {
        match self {
            CsvCol::Repeated { inner, each } => (inner, Step::Repeat(*each)),
            CsvCol::Cycled { inner, period } => (inner, Step::Cycle(*period)),
            plain => (plain, Step::Row),
        }
    }

    /// Most bytes a cell of this column can take, if bounded.
    fn width(&self) -> Option<usize> {
        match self {
            CsvCol::Key { names, .. } => Some(names.iter().map(Vec::len).max().unwrap_or(0)),
            CsvCol::Date { .. } => Some(10),
            CsvCol::F64(_) => Some(F64_WIDTH),
            CsvCol::I64(_) => Some(I64_WIDTH),
            CsvCol::Repeated { inner, .. } | CsvCol::Cycled { inner, .. } => inner.width(),
            CsvCol::Other(_) => None,
        }
    }

    #[inline]
    fn push(&self, r: usize, out: &mut Vec<u8>) {
        match self {
            CsvCol::Key { codes, names } => out.extend_from_slice(&names[codes[r] as usize]),
            CsvCol::Date { days, first, text } => {
                out.extend_from_slice(&text[(days[r].days() - first) as usize])
            }
            CsvCol::F64(v) => {
                let x = v[r];
                if x.is_finite() {
                    let mut b = zmij::Buffer::new();
                    out.extend_from_slice(b.format_finite(x).as_bytes());
                }
            }
            CsvCol::I64(v) => push_int(v[r], out),
            CsvCol::Repeated { inner, each } => inner.push(r / each, out),
            CsvCol::Cycled { inner, period } => inner.push(r % period, out),
            CsvCol::Other(c) => format_cell(c, r, out),
        }
    }

    /// [`CsvCol::push`] into a buffer known to have room.
    #[inline]
    fn put(&self, r: usize, buf: &mut [u8], p: usize) -> usize {
        match self {
            CsvCol::Key { codes, names } => put(buf, p, &names[codes[r] as usize]),
            CsvCol::Date { days, first, text } => {
                buf[p..p + 10].copy_from_slice(&text[(days[r].days() - first) as usize]);
                p + 10
            }
            CsvCol::F64(v) => {
                let x = v[r];
                if x.is_finite() {
                    let mut b = zmij::Buffer::new();
                    put(buf, p, b.format_finite(x).as_bytes())
                } else {
                    p
                }
            }
            CsvCol::I64(v) => {
                let mut tmp = [0u8; I64_WIDTH];
                put(buf, p, int_text(v[r], &mut tmp))
            }
            CsvCol::Repeated { inner, each } => inner.put(r / each, buf, p),
            CsvCol::Cycled { inner, period } => inner.put(r % period, buf, p),
            CsvCol::Other(_) => unreachable!("only bounded columns are put"),
        }
    }
}

/// How the value index of a top-level column moves from one row to the next.
#[derive(Clone, Copy, PartialEq)]
enum Step {
    Row,
    Repeat(usize),
    Cycle(usize),
}

impl Step {
    /// (value index, rows already taken from the current group) of row `r`.
    fn start(self, r: usize) -> (usize, usize) {
        match self {
            Step::Row => (r, 0),
            Step::Repeat(each) => (r / each, r % each),
            Step::Cycle(period) => (r % period, 0),
        }
    }

    #[inline]
    fn advance(self, (i, k): &mut (usize, usize)) {
        match self {
            Step::Row => *i += 1,
            Step::Repeat(each) => {
                *k += 1;
                if *k == each {
                    *k = 0;
                    *i += 1;
                }
            }
            Step::Cycle(period) => {
                *i += 1;
                if *i == period {
                    *i = 0;
                }
            }
        }
    }
}

/// A reusable text buffer: `bytes[..len]` is the text. Bounded rows are written by
/// index, so the buffer keeps its size between uses instead of being zeroed again.
#[derive(Clone, Default)]
struct TextBuf {
    bytes: Vec<u8>,
    len: usize,
}

impl TextBuf {
    fn text(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Format rows `rows` of `cols` into `buf`. Value indices of repeated and cycled columns
/// are stepped rather than divided out per cell, and leading columns repeated over the
/// same groups (the keys of a long table) are rendered once per group and copied as one
/// prefix.
fn format_rows(cols: &[CsvCol<'_>], rows: std::ops::Range<usize>, buf: &mut TextBuf) {
    let tops: Vec<(&CsvCol<'_>, Step)> = cols.iter().map(CsvCol::top).collect();
    let lead = match tops.first() {
        Some((_, Step::Repeat(each))) => tops
            .iter()
            .take_while(|(_, s)| *s == Step::Repeat(*each))
            .count(),
        _ => 0,
    };
    let mut cur: Vec<(usize, usize)> = tops.iter().map(|(_, s)| s.start(rows.start)).collect();
    let mut prefix = Vec::new();
    let mut prefix_of = usize::MAX;
    let mut prefix_for = |cur: &[(usize, usize)], prefix: &mut Vec<u8>| {
        if lead > 0 && cur[0].0 != prefix_of {
            prefix.clear();
            for (j, (c, _)) in tops[..lead].iter().enumerate() {
                if j > 0 {
                    prefix.push(b',');
                }
                c.push(cur[j].0, prefix);
            }
            prefix_of = cur[0].0;
        }
    };
    // Bounded rows (the usual case) are written by index into a buffer sized for the
    // widest possible row, then cut to what was written.
    let widths: Option<usize> = cols.iter().map(CsvCol::width).sum();
    if let Some(w) = widths {
        let row_max = w + cols.len();
        let need = rows.len() * row_max;
        if buf.bytes.len() < need {
            // A fresh zeroed buffer rather than `resize`: rows are written by index before
            // they are read, so the old text need not be kept, and a zeroed allocation
            // leaves the pages that no row reaches untouched.
            buf.bytes = vec![0; need];
        }
        let out = &mut buf.bytes[..need];
        let mut p = 0;
        if tops.iter().all(|(_, s)| *s == Step::Row) {
            // Plain columns (the usual table): every cell of row `r` is value `r`, so no
            // per-column cursors are kept or stepped.
            for r in rows {
                p = put_row(&tops, 0, |_| r, &[], out, p);
            }
        } else {
            for _ in rows {
                prefix_for(&cur, &mut prefix);
                p = put_row(&tops, lead, |j| cur[j].0, &prefix, out, p);
                for ((_, s), st) in tops.iter().zip(cur.iter_mut()) {
                    s.advance(st);
                }
            }
        }
        buf.len = p;
        return;
    }
    let out = &mut buf.bytes;
    out.clear();
    for _ in rows {
        let mut first = true;
        if lead > 0 {
            prefix_for(&cur, &mut prefix);
            out.extend_from_slice(&prefix);
            first = false;
        }
        for (j, (c, _)) in tops.iter().enumerate().skip(lead) {
            if !first {
                out.push(b',');
            }
            first = false;
            c.push(cur[j].0, out);
        }
        out.push(b'\n');
        for ((_, s), st) in tops.iter().zip(cur.iter_mut()) {
            s.advance(st);
        }
    }
    buf.len = buf.bytes.len();
}

/// Write one row into `out` at `p` (known to have room) and return the new end: the
/// `prefix` text (the first `lead` columns, rendered once per group), then the other
/// columns, the value of column `j` being `at(j)`.
#[inline(always)]
fn put_row(
    tops: &[(&CsvCol<'_>, Step)],
    lead: usize,
    at: impl Fn(usize) -> usize,
    prefix: &[u8],
    out: &mut [u8],
    mut p: usize,
) -> usize {
    // The row's floats are formatted first and copied afterwards. Żmij builds its text
    // with stores of mixed sizes, and a 16-byte load straight after them cannot be
    // forwarded from the store buffer: it waits until they reach the cache. Measured:
    // 41% of the row loop's samples sat on that load, and the whole small `industry` run
    // took ~5% less CPU and wall time once it was gone.
    let mut zb: [zmij::Buffer; AHEAD] = std::array::from_fn(|_| zmij::Buffer::new());
    let mut texts: [&[u8]; AHEAD] = [&[]; AHEAD];
    let mut slots = zb.iter_mut();
    let mut n_ahead = 0;
    for (j, (c, _)) in tops.iter().enumerate().skip(lead) {
        if let CsvCol::F64(v) = c {
            let Some(b) = slots.next() else { break };
            let i = at(j);
            prefetch(v, i + PREFETCH_AHEAD);
            let x = v[i];
            if x.is_finite() {
                texts[n_ahead] = b.format_finite(x).as_bytes();
            }
            n_ahead += 1;
        }
    }
    let mut first = true;
    if lead > 0 {
        p = put(out, p, prefix);
        first = false;
    }
    let mut k = 0;
    for (j, (c, _)) in tops.iter().enumerate().skip(lead) {
        if !first {
            out[p] = b',';
            p += 1;
        }
        first = false;
        p = match c {
            CsvCol::F64(_) if k < n_ahead => {
                k += 1;
                put(out, p, texts[k - 1])
            }
            _ => c.put(at(j), out, p),
        };
    }
    out[p] = b'\n';
    p + 1
}

/// Float cells per row formatted ahead of their copy (see [`format_rows`]).
const AHEAD: usize = 8;

/// Rows ahead of the current one whose float cells are prefetched (four cache lines).
const PREFETCH_AHEAD: usize = 32;

/// Ask for `v[i]` (if it exists) to be brought into the cache. The float columns of a
/// block were just written by the thread computing effects, often on the other core,
/// and the hardware prefetcher does not run far enough ahead across five such streams:
/// measured, the load of each cell was ~29% of the row loop's samples, and prefetching
/// cut the small `industry` run's median time by ~3-4% in interleaved runs.
#[inline(always)]
fn prefetch(v: &[f64], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = v.get(i) {
        // SAFETY: a prefetch is only a hint; the address is a valid element anyway.
        unsafe {
            std::arch::x86_64::_mm_prefetch(
                (x as *const f64).cast::<i8>(),
                std::arch::x86_64::_MM_HINT_T0,
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// Rows per formatting task.
pub(crate) const CSV_CHUNK: usize = 2 * 1024;

/// An open CSV file taking rows block by block. Rows are formatted in parallel, a batch
/// of chunks at a time, by the rayon workers; a writer thread of its own copies the
/// finished chunks into the file in order and hands their buffers back. The workers
/// never wait in a `write` system call (on 2 cores that left one of them formatting
/// alone for as long as the kernel copied), and the buffers are reused across batches
/// and blocks, so memory stays at a few MB whatever the table size.
struct CsvSink {
    /// Finished batches of chunks, in file order, to the writer thread.
    to_writer: Option<std::sync::mpsc::Sender<Vec<TextBuf>>>,
    /// Empty buffers back from the writer thread.
    free: std::sync::mpsc::Receiver<TextBuf>,
    /// Buffers in flight: each is either free or queued for writing.
    n_bufs: usize,
    /// Set by the writer thread when a write failed: formatting stops at the next batch.
    failed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    writer: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl CsvSink {
    fn create(path: &Path, names: &[String]) -> std::io::Result<CsvSink> {
        let mut file = PreallocatedFile::create(path)?;
        let mut header = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                header.push(b',');
            }
            push_quoted(n, &mut header);
        }
        header.push(b'\n');
        // Two batches of four chunks per core: one being formatted while the other is
        // written. Small chunks keep the cores evenly busy up to each batch's end
        // (measured: 2k-row chunks and eight buffers per core, ~3% faster than 4k-row
        // chunks and four).
        let n_bufs = 8 * rayon::current_num_threads().max(1);
        let (to_writer, queued) = std::sync::mpsc::channel::<Vec<TextBuf>>();
        let (give_back, free) = std::sync::mpsc::channel::<TextBuf>();
        for _ in 0..n_bufs {
            give_back
                .send(TextBuf::default())
                .expect("receiver held by this function");
        }
        let failed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = failed.clone();
        let writer = std::thread::Builder::new()
            .name("csv-writer".into())
            .spawn(move || -> std::io::Result<()> {
                let mut failed = file.write_all(&header).err();
                for buf in queued.into_iter().flatten() {
                    if failed.is_none() {
                        failed = file.write_all(buf.text()).err();
                    }
                    if failed.is_some() {
                        flag.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    // The formatting side may have stopped (an error of its own): then
                    // nobody takes the buffer back, which is fine.
                    let _ = give_back.send(buf);
                }
                match failed {
                    Some(e) => Err(e),
                    None => file.finish(),
                }
            })?;
        Ok(CsvSink {
            to_writer: Some(to_writer),
            free,
            n_bufs,
            failed,
            writer: Some(writer),
        })
    }

    fn write(&mut self, table: &Table) -> std::io::Result<()> {
        let cols: Vec<CsvCol<'_>> = table.columns.iter().map(CsvCol::new).collect();
        let n = table.n_rows();
        let chunks: Vec<std::ops::Range<usize>> = (0..n)
            .step_by(CSV_CHUNK)
            .map(|s| s..(s + CSV_CHUNK).min(n))
            .collect();
        for batch in chunks.chunks(self.n_bufs / 2) {
            if self.failed.load(std::sync::atomic::Ordering::Relaxed) {
                return self.finish_failed();
            }
            let mut bufs = Vec::with_capacity(batch.len());
            for _ in batch {
                match self.free.recv() {
                    Ok(b) => bufs.push(b),
                    // The writer thread ended early: it failed, and `finish_failed` returns its error.
                    Err(_) => return self.finish_failed(),
                }
            }
            bufs.par_iter_mut()
                .zip(batch.par_iter())
                .for_each(|(buf, rows)| format_rows(&cols, rows.clone(), buf));
            let to_writer = self.to_writer.as_ref().expect("open until finished");
            if to_writer.send(bufs).is_err() {
                return self.finish_failed();
            }
        }
        Ok(())
    }

    /// Close the queue and wait until every chunk is in the file.
    fn finish(mut self) -> std::io::Result<()> {
        self.close()
    }

    /// The writer thread's error (it has one when this is called).
    fn finish_failed(&mut self) -> std::io::Result<()> {
        self.close()?;
        Err(std::io::Error::other("the CSV writer thread stopped early"))
    }

    fn close(&mut self) -> std::io::Result<()> {
        drop(self.to_writer.take());
        match self.writer.take() {
            Some(w) => w
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the CSV writer thread panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for CsvSink {
    /// A sink dropped on an error path still stops its thread before the caller removes
    /// the file.
    fn drop(&mut self) {
        let _ = self.close();
    }
}

fn write_csv(path: &Path, table: &Table) -> std::io::Result<()> {
    let mut sink = CsvSink::create(path, &table.names)?;
    sink.write(table)?;
    sink.finish()
}

/// Most rows in a Parquet row group.
pub(crate) const PARQUET_CHUNK: usize = 1 << 20;

/// An open Parquet file taking rows block by block; each block becomes one or more row
/// groups of at most [`PARQUET_CHUNK`] rows.
struct ParquetSink {
    writer: SerializedFileWriter<PreallocatedFile>,
    factory: ArrowRowGroupWriterFactory,
    schema: Arc<Schema>,
    /// Row groups written so far (the index of the next one).
    groups: usize,
}

impl ParquetSink {
    /// `names` with the types (and, for Snappy, a sample of the values) of `first`, the
    /// first block.
    fn create(path: &Path, names: &[String], first: &[Source<'_>]) -> std::io::Result<ParquetSink> {
        let fields: Vec<Field> = names
            .iter()
            .zip(first)
            .map(|(n, c)| Field::new(n, c.data_type(), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        // Dictionary encoding pays for repeated ids, not for floats: hashing tens of
        // millions of distinct values per column only slows the write.
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(PARQUET_CHUNK))
            .set_dictionary_enabled(false);
        for (n, c) in names.iter().zip(first) {
            if c.snappy_saves_little() {
                props = props.set_column_compression(
                    ColumnPath::from(n.as_str()),
                    Compression::UNCOMPRESSED,
                );
            }
            if matches!(c.data_type(), DataType::Utf8 | DataType::Dictionary(..)) {
                props = props.set_column_dictionary_enabled(ColumnPath::from(n.as_str()), true);
            }
            if c.data_type() == DataType::Date32 {
                // Long tables list each id's dates in order: deltas of 1 to 3 days pack
                // into a few bits each, ~20x smaller than plain and far cheaper than Snappy.
                props = props
                    .set_column_encoding(
                        ColumnPath::from(n.as_str()),
                        Encoding::DELTA_BINARY_PACKED,
                    )
                    .set_column_compression(
                        ColumnPath::from(n.as_str()),
                        Compression::UNCOMPRESSED,
                    );
            }
        }
        let props = props.build();
        let file = PreallocatedFile::create(path)?;
        // ArrowWriter sets up the file; its lower-level parts then let every (row group,
        // column) chunk be encoded as its own task. Without the Arrow schema in the
        // footer, readers see key columns as the plain UTF-8 strings they are (the
        // dictionary type only saves spelling every id out before Parquet's own
        // dictionary encoding).
        let options = ArrowWriterOptions::new()
            .with_properties(props)
            .with_skip_arrow_metadata(true);
        let (writer, factory) = ArrowWriter::try_new_with_options(file, schema.clone(), options)
            .and_then(ArrowWriter::into_serialized_writer)
            .map_err(std::io::Error::other)?;
        Ok(ParquetSink {
            writer,
            factory,
            schema,
            groups: 0,
        })
    }

    fn write(&mut self, sources: Vec<Source<'_>>) -> std::io::Result<()> {
        let n = sources.first().map_or(0, Source::len);
        // Equal row groups of at most PARQUET_CHUNK rows; an empty block adds none, as
        // ArrowWriter does for an empty table.
        let parts = n.div_ceil(PARQUET_CHUNK);
        let groups: Vec<(usize, usize)> = (0..parts)
            .map(|k| (n * k / parts, n * (k + 1) / parts))
            .collect();
        let ParquetSink {
            writer,
            factory,
            schema,
            groups: written,
        } = self;
        let encode = |batch: &[(usize, (usize, usize))]| -> parquet::errors::Result<Vec<Vec<ArrowColumnChunk>>> {
            let writers = batch
                .iter()
                .map(|(g, _)| factory.create_column_writers(*g))
                .collect::<parquet::errors::Result<Vec<_>>>()?;
            let tasks: Vec<(usize, usize, ArrowColumnWriter)> = writers
                .into_iter()
                .enumerate()
                .flat_map(|(b, ws)| ws.into_iter().enumerate().map(move |(c, w)| (b, c, w)))
                .collect();
            let chunks = tasks
                .into_par_iter()
                .map(|(b, c, mut w)| {
                    let (start, end) = batch[b].1;
                    let array = sources[c].chunk(start, end);
                    for leaf in compute_leaves(schema.field(c), &array)? {
                        w.write(&leaf)?;
                    }
                    w.close()
                })
                .collect::<parquet::errors::Result<Vec<_>>>()?;
            let width = sources.len();
            let mut out: Vec<Vec<ArrowColumnChunk>> = Vec::with_capacity(batch.len());
            let mut it = chunks.into_iter();
            for _ in batch {
                out.push(it.by_ref().take(width).collect());
            }
            Ok(out)
        };
        let append = |writer: &mut SerializedFileWriter<PreallocatedFile>,
                      done: Vec<Vec<ArrowColumnChunk>>|
         -> parquet::errors::Result<()> {
            for group in done {
                let mut rg = writer.next_row_group()?;
                for c in group {
                    c.append_to_row_group(&mut rg)?;
                }
                rg.close()?;
            }
            Ok(())
        };
        // Encode a batch of row groups on all cores while the previous one is written out.
        let indexed: Vec<(usize, (usize, usize))> = groups
            .into_iter()
            .enumerate()
            .map(|(k, g)| (*written + k, g))
            .collect();
        let per_batch = rayon::current_num_threads().max(1);
        let mut pending: Vec<Vec<ArrowColumnChunk>> = Vec::new();
        for batch in indexed.chunks(per_batch) {
            let prev = std::mem::take(&mut pending);
            let (appended, encoded) = rayon::join(|| append(writer, prev), || encode(batch));
            appended.map_err(std::io::Error::other)?;
            pending = encoded.map_err(std::io::Error::other)?;
        }
        append(writer, pending).map_err(std::io::Error::other)?;
        *written += indexed.len();
        Ok(())
    }

    fn finish(self) -> std::io::Result<()> {
        // No fsync: outputs are renamed into place for atomicity against failures of this
        // process; durability against power loss is the file system's business.
        self.writer
            .into_inner()
            .map_err(std::io::Error::other)?
            .finish()
    }
}

/// `names` are the column names (the columns themselves are in `sources`).
fn write_parquet(path: &Path, names: &[String], sources: Vec<Source<'_>>) -> std::io::Result<()> {
    let mut sink = ParquetSink::create(path, names, &sources)?;
    sink.write(sources)?;
    sink.finish()
}

/// Write one table given as consecutive blocks of rows, each a [`Table`] with the same
/// column names and types, to `path` in `format` (no atomicity: see [`crate::Outputs`]).
/// The next block is produced (on all cores) while the previous one is encoded and
/// written, and no more than two blocks exist at a time: a 50M-row result need never be
/// held whole, and its memory is reused block after block instead of being faulted in
/// fresh. At least one block, possibly empty, gives the columns.
pub fn write_table_blocks<I>(path: &Path, format: Format, blocks: I) -> std::io::Result<()>
where
    I: Iterator<Item = Table> + Send,
{
    let mut blocks = blocks;
    let first = blocks.next().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "a table written in blocks needs at least one block",
        )
    })?;
    let names = first.names.clone();
    let check = |t: &Table| -> std::io::Result<()> {
        if t.names == names {
            Ok(())
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "every block of a table needs the same columns",
            ))
        }
    };
    match format {
        Format::Csv => {
            let mut sink = CsvSink::create(path, &names)?;
            let mut pending = Some(first);
            while let Some(block) = pending.take() {
                check(&block)?;
                let (done, next) = rayon::join(|| sink.write(&block), || blocks.next());
                done?;
                pending = next;
            }
            sink.finish()
        }
        Format::Parquet => {
            let owned = |t: Table| -> Vec<Source<'static>> {
                t.columns.into_iter().map(Source::owned).collect()
            };
            let first = owned(first);
            let mut sink = ParquetSink::create(path, &names, &first)?;
            let mut pending = Some(first);
            while let Some(sources) = pending.take() {
                let (done, next) = rayon::join(
                    || sink.write(sources),
                    || {
                        blocks
                            .next()
                            .map(|t| -> std::io::Result<_> { check(&t).map(|()| owned(t)) })
                    },
                );
                done?;
                pending = next.transpose()?;
            }
            sink.finish()
        }
    }
}

/// Arrow type of key columns: codes into their distinct names, so ids repeated over
/// millions of rows are never spelled out row by row.
fn key_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::Utf8))
}

fn chunk(c: &Column, start: usize, end: usize) -> ArrayRef {
    match c {
        // Names are laid out once per chunk: worth it unless they outnumber the rows.
        Column::Key { codes, names } if names.len() <= end - start => {
            Arc::new(DictionaryArray::<UInt32Type>::new(
                UInt32Array::from(codes[start..end].to_vec()),
                Arc::new(StringArray::from_iter_values(names)),
            ))
        }
        Column::Key { codes, names } => {
            let values: Vec<&str> = codes[start..end]
                .iter()
                .map(|&k| names[k as usize].as_str())
                .collect();
            let keys = UInt32Array::from_iter_values(0..values.len() as u32);
            Arc::new(DictionaryArray::<UInt32Type>::new(
                keys,
                Arc::new(StringArray::from_iter_values(values)),
            ))
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
        Column::F64(v) => {
            let v = &v[start..end];
            // NaN (and inf) are written as nulls; most columns have few or none.
            let valid = BooleanBuffer::collect_bool(v.len(), |i| v[i].is_finite());
            let nulls = (valid.count_set_bits() < v.len()).then(|| NullBuffer::new(valid));
            Arc::new(Float64Array::new(ScalarBuffer::from(v.to_vec()), nulls))
        }
        Column::I64(v) => Arc::new(Int64Array::from_iter_values(v[start..end].iter().copied())),
        Column::Repeated { .. } | Column::Cycled { .. } => {
            let plain = c.materialise(start, end);
            chunk(&plain, 0, end - start)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Row by row through `format_cell`: the reference for the prepared formatter.
    fn naive(table: &Table) -> Vec<u8> {
        let mut out = Vec::new();
        for r in 0..table.n_rows() {
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

    fn xorshift(s: &mut u64) -> u64 {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        *s
    }

    /// Rows of bounded cells only (the path of `peergroup industry`), with more float
    /// columns than are formatted ahead of their copy, floats between other columns,
    /// and empty (non-finite) cells.
    #[test]
    fn bounded_rows_with_many_float_columns_equal_cell_by_cell_formatting() {
        let n = 9_000; // several chunks
        let mut s = 11u64;
        let mut float = |r: usize, j: usize| match (r + j) % 11 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => 1.0,
            3 => -1e-7,
            4 => 1e22,
            _ => {
                ((xorshift(&mut s) >> 11) as f64 / (1u64 << 53) as f64 - 0.5)
                    * 10f64.powi(j as i32 - 4)
            }
        };
        // keyed (a repeated leading column) and plain (every column one value a row)
        let keyed = Column::repeated(
            Column::Key {
                codes: (0..n / 3).map(|g| (g % 2) as u32).collect(),
                names: vec!["A".into(), "B,2".into()],
            },
            3,
        );
        let plain = Column::Key {
            codes: (0..n).map(|r| ((r / 3) % 2) as u32).collect(),
            names: vec!["A".into(), "B,2".into()],
        };
        for id in [keyed, plain] {
            let mut table = Table::new().with("id", id);
            for j in 0..AHEAD + 3 {
                let v: Vec<f64> = (0..n).map(|r| float(r, j)).collect();
                table.push(&format!("x{j}"), Column::F64(v));
                if j % 4 == 1 {
                    table.push(
                        &format!("d{j}"),
                        Column::Date(
                            (0..n)
                                .map(|r| Date::from_days(18_000 + (r % 500) as i32))
                                .collect(),
                        ),
                    );
                    table.push(
                        &format!("n{j}"),
                        Column::I64((0..n as i64).map(|r| r * 7 - 300).collect()),
                    );
                }
            }
            let want = naive(&table);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.csv");
            write_csv(&path, &table).unwrap();
            let got = std::fs::read(&path).unwrap();
            let header_len = got.iter().position(|&b| b == b'\n').unwrap() + 1;
            assert!(got[header_len..] == want[..]);
        }
    }

    #[test]
    fn prepared_rows_equal_cell_by_cell_formatting() {
        let groups = 40_000; // 120,000 rows: groups straddle the 32,768-row chunks
        let mut s = 7u64;
        let dates: Vec<Date> = (0..groups)
            .map(|g| {
                Date::from_days(if g % 1000 == 7 {
                    -800_000
                } else {
                    15_000 + (g % 300) as i32
                })
            })
            .collect();
        let plain_rows = groups * 3;
        let values: Vec<f64> = (0..plain_rows)
            .map(|r| match r % 7 {
                0 => 0.0,
                1 => f64::NAN,
                _ => (xorshift(&mut s) >> 11) as f64 / (1u64 << 53) as f64 - 0.5,
            })
            .collect();
        let names = vec!["F,1".to_string(), "F2".to_string(), "F\"3\"".to_string()];
        let table = Table::new()
            .with(
                "fund",
                Column::repeated(
                    Column::Key {
                        codes: (0..groups).map(|g| (g % 3) as u32).collect(),
                        names: names.clone(),
                    },
                    3,
                ),
            )
            .with("date", Column::repeated(Column::Date(dates.clone()), 3))
            .with(
                "factor",
                Column::cycled(
                    Column::Text(vec!["a".into(), "b".into(), "c".into()]),
                    plain_rows,
                ),
            )
            .with("beta", Column::F64(values.clone()))
            .with(
                "n",
                Column::I64((0..plain_rows as i64).map(|r| r - 50).collect()),
            );
        assert_eq!(table.n_rows(), plain_rows);
        let want = naive(&table);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| write_csv(&path, &table)).unwrap();
            let got = std::fs::read(&path).unwrap();
            let header = b"fund,date,factor,beta,n\n";
            assert_eq!(&got[..header.len()], header);
            assert!(got[header.len()..] == want[..], "{threads} thread(s)");
        }
        // the same rows spelled out plainly
        let expanded = Table::new()
            .with(
                "fund",
                Column::Key {
                    codes: (0..plain_rows).map(|r| ((r / 3) % 3) as u32).collect(),
                    names,
                },
            )
            .with(
                "date",
                Column::Date((0..plain_rows).map(|r| dates[r / 3]).collect()),
            )
            .with(
                "factor",
                Column::Text(
                    (0..plain_rows)
                        .map(|r| ["a", "b", "c"][r % 3].into())
                        .collect(),
                ),
            )
            .with("beta", Column::F64(values))
            .with(
                "n",
                Column::I64((0..plain_rows as i64).map(|r| r - 50).collect()),
            );
        assert!(naive(&expanded) == want);
        // Parquet: repeated and cycled columns are written as their plain values
        let (a, b, c) = (
            dir.path().join("a.parquet"),
            dir.path().join("b.parquet"),
            dir.path().join("c.parquet"),
        );
        write_table(&a, Format::Parquet, &table).unwrap();
        write_table(&b, Format::Parquet, &expanded).unwrap();
        write_table_owned(&c, Format::Parquet, table.clone()).unwrap();
        assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
        assert!(std::fs::read(&c).unwrap() == std::fs::read(&b).unwrap());
    }
}
