//! Columnar tables written as CSV or Parquet.

use std::fs::File;
use std::io::Write;
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

    /// The plain column under any repetition (its type).
    fn leaf(&self) -> &Column {
        match self {
            Column::Repeated { values, .. } | Column::Cycled { values, .. } => values.leaf(),
            plain => plain,
        }
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

    /// The plain column holding rows `start..end` (Parquet batches of repeated and
    /// cycled columns).
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

fn push_date(d: Date, out: &mut Vec<u8>) {
    let (y, m, dd) = d.ymd();
    if (0..=9999).contains(&y) {
        push_padded(y as u32, 4, out);
    } else {
        push_int(y as i64, out);
    }
    out.push(b'-');
    push_padded(m, 2, out);
    out.push(b'-');
    push_padded(dd, 2, out);
}

/// Shortest text that reads back as the same `f64` (finite `x`), in ryu's notation:
/// `1.0`, `0.25`, `1e-7`, `1e16`. Żmij gives the same text as ryu, faster, except that
/// it writes positive exponents as `e+16`; those (|x| ≥ 1e16) go through ryu.
fn push_f64(x: f64, out: &mut Vec<u8>) {
    if x == 0.0 && x.is_sign_positive() {
        out.extend_from_slice(b"0.0");
    } else if x.abs() < 1e15 {
        let mut b = zmij::Buffer::new();
        out.extend_from_slice(b.format_finite(x).as_bytes());
    } else {
        let mut b = ryu::Buffer::new();
        out.extend_from_slice(b.format_finite(x).as_bytes());
    }
}

fn format_cell(col: &Column, r: usize, out: &mut Vec<u8>) {
    match col {
        Column::Key { codes, names } => push_quoted(&names[codes[r] as usize], out),
        Column::Text(v) => push_quoted(&v[r], out),
        Column::Date(v) => push_date(v[r], out),
        Column::F64(v) => {
            let x = v[r];
            if x.is_finite() {
                push_f64(x, out);
            }
        }
        Column::I64(v) => push_int(v[r], out),
        Column::Repeated { values, each } => format_cell(values, r / each, out),
        Column::Cycled { values, .. } => format_cell(values, r % values.len(), out),
    }
}

/// A column made ready for CSV once per write: key names quoted once, dates rendered
/// once per distinct day, so a row costs a few copies and one float formatting.
enum Cells<'a> {
    Names {
        codes: &'a [u32],
        text: Vec<Vec<u8>>,
    },
    Text(&'a [String]),
    Dates {
        days: &'a [Date],
        text: DateText,
    },
    F64(&'a [f64]),
    I64(&'a [i64]),
    Repeated {
        inner: Box<Cells<'a>>,
        each: usize,
    },
    Cycled {
        inner: Box<Cells<'a>>,
        period: usize,
    },
}

/// `YYYY-MM-DD` of every day from `first` on, when the column's span is short enough.
struct DateText {
    first: i32,
    text: Vec<[u8; 10]>,
}

impl DateText {
    /// Days spanned by at most this many days get a table (≈ 10 MB).
    const MAX_SPAN: i64 = 1 << 20;

    fn new(days: &[Date]) -> DateText {
        let (lo, hi) = days.iter().fold((i32::MAX, i32::MIN), |(lo, hi), d| {
            (lo.min(d.days()), hi.max(d.days()))
        });
        let in_range = |d: i32| (0..=9999).contains(&Date::from_days(d).ymd().0);
        if days.is_empty()
            || i64::from(hi) - i64::from(lo) >= Self::MAX_SPAN
            || !in_range(lo)
            || !in_range(hi)
        {
            return DateText {
                first: 0,
                text: Vec::new(),
            };
        }
        let text = (lo..=hi)
            .map(|d| {
                let mut b = [0u8; 10];
                let mut v = Vec::with_capacity(10);
                push_date(Date::from_days(d), &mut v);
                b.copy_from_slice(&v);
                b
            })
            .collect();
        DateText { first: lo, text }
    }

    fn push(&self, d: Date, out: &mut Vec<u8>) {
        match usize::try_from(i64::from(d.days()) - i64::from(self.first))
            .ok()
            .and_then(|i| self.text.get(i))
        {
            Some(t) => out.extend_from_slice(t),
            None => push_date(d, out),
        }
    }
}

impl<'a> Cells<'a> {
    fn new(col: &'a Column) -> Cells<'a> {
        match col {
            Column::Key { codes, names } => Cells::Names {
                codes,
                text: names
                    .iter()
                    .map(|n| {
                        let mut b = Vec::with_capacity(n.len());
                        push_quoted(n, &mut b);
                        b
                    })
                    .collect(),
            },
            Column::Text(v) => Cells::Text(v),
            Column::Date(v) => Cells::Dates {
                days: v,
                text: DateText::new(v),
            },
            Column::F64(v) => Cells::F64(v),
            Column::I64(v) => Cells::I64(v),
            Column::Repeated { values, each } => Cells::Repeated {
                inner: Box::new(Cells::new(values)),
                each: *each,
            },
            Column::Cycled { values, .. } => Cells::Cycled {
                inner: Box::new(Cells::new(values)),
                period: values.len(),
            },
        }
    }

    /// Value `i` of this column's own values.
    fn put(&self, i: usize, out: &mut Vec<u8>) {
        match self {
            Cells::Names { codes, text } => out.extend_from_slice(&text[codes[i] as usize]),
            Cells::Text(v) => push_quoted(&v[i], out),
            Cells::Dates { days, text } => text.push(days[i], out),
            Cells::F64(v) => {
                let x = v[i];
                if x.is_finite() {
                    push_f64(x, out);
                }
            }
            Cells::I64(v) => push_int(v[i], out),
            Cells::Repeated { inner, each } => inner.put(i / each, out),
            Cells::Cycled { inner, period } => inner.put(i % period, out),
        }
    }

    /// The column whose values rows index, and how a row maps to them.
    fn top(&self) -> (&Cells<'a>, Step) {
        match self {
            Cells::Repeated { inner, each } => (inner, Step::Repeat(*each)),
            Cells::Cycled { inner, period } => (inner, Step::Cycle(*period)),
            plain => (plain, Step::Row),
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
    /// (value index, rows left in the current group) of row `r`.
    fn start(self, r: usize) -> (usize, usize) {
        match self {
            Step::Row => (r, 0),
            Step::Repeat(each) => (r / each, r % each),
            Step::Cycle(period) => (r % period, 0),
        }
    }

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

/// Format rows `rows` of `cols`. Leading columns repeated over the same groups (the keys
/// of a long table) are rendered once per group and copied as one prefix.
fn format_rows(cols: &[Cells<'_>], rows: std::ops::Range<usize>, out: &mut Vec<u8>) {
    let tops: Vec<(&Cells<'_>, Step)> = cols.iter().map(Cells::top).collect();
    let lead = match tops.first() {
        Some((_, Step::Repeat(each))) => tops
            .iter()
            .take_while(|(_, s)| *s == Step::Repeat(*each))
            .count(),
        _ => 0,
    };
    let mut cur: Vec<(usize, usize)> = tops.iter().map(|(_, s)| s.start(rows.start)).collect();
    out.clear();
    out.reserve(rows.len() * 12 * cols.len() + 64);
    let mut prefix = Vec::new();
    let mut prefix_of = usize::MAX;
    for _ in rows {
        if lead > 0 {
            if cur[0].0 != prefix_of {
                prefix.clear();
                for (j, (c, _)) in tops[..lead].iter().enumerate() {
                    if j > 0 {
                        prefix.push(b',');
                    }
                    c.put(cur[j].0, &mut prefix);
                }
                prefix_of = cur[0].0;
            }
            out.extend_from_slice(&prefix);
        }
        for (j, (c, _)) in tops.iter().enumerate().skip(lead) {
            if j > 0 {
                out.push(b',');
            }
            c.put(cur[j].0, out);
        }
        out.push(b'\n');
        for ((_, s), st) in tops.iter().zip(cur.iter_mut()) {
            s.advance(st);
        }
    }
}

/// Rows per formatting task; tasks run in parallel, in batches to bound memory.
const CSV_CHUNK: usize = 32 * 1024;

fn write_csv(path: &Path, table: &Table) -> std::io::Result<()> {
    let mut w = File::create(path)?;
    let mut header = Vec::new();
    for (i, n) in table.names.iter().enumerate() {
        if i > 0 {
            header.push(b',');
        }
        push_quoted(n, &mut header);
    }
    header.push(b'\n');
    w.write_all(&header)?;
    let cols: Vec<Cells<'_>> = table.columns.iter().map(Cells::new).collect();
    let n = table.n_rows();
    let threads = rayon::current_num_threads().max(1);
    if threads == 1 {
        // One thread: format a chunk and write it, one buffer reused.
        let mut buf = Vec::new();
        let mut start = 0;
        while start < n {
            let end = (start + CSV_CHUNK).min(n);
            format_rows(&cols, start..end, &mut buf);
            w.write_all(&buf)?;
            start = end;
        }
        return Ok(());
    }
    let batch = CSV_CHUNK * 4 * threads;
    let mut start = 0;
    while start < n {
        let end = (start + batch).min(n);
        let chunks: Vec<usize> = (start..end).step_by(CSV_CHUNK).collect();
        let bufs: Vec<Vec<u8>> = chunks
            .par_iter()
            .map(|&s| {
                let mut buf = Vec::new();
                format_rows(&cols, s..(s + CSV_CHUNK).min(end), &mut buf);
                buf
            })
            .collect();
        for b in &bufs {
            w.write_all(b)?;
        }
        start = end;
    }
    Ok(())
}

const PARQUET_CHUNK: usize = 1 << 20;

fn write_parquet(path: &Path, table: &Table) -> std::io::Result<()> {
    let fields: Vec<Field> = table
        .names
        .iter()
        .zip(&table.columns)
        .map(|(n, c)| {
            let t = match c.leaf() {
                Column::Key { .. } | Column::Text(_) => DataType::Utf8,
                Column::Date(_) => DataType::Date32,
                Column::F64(_) => DataType::Float64,
                Column::I64(_) => DataType::Int64,
                Column::Repeated { .. } | Column::Cycled { .. } => unreachable!("leaf"),
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
        if matches!(c.leaf(), Column::Key { .. } | Column::Text(_)) {
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

    #[test]
    fn floats_are_written_as_ryu_writes_them() {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut checked = 0;
        let special = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            1e-7,
            1e15,
            9.999e15,
            1e16,
            1e17,
            5e-324,
            f64::MAX,
        ];
        let random = (0..400_000).map(|i| {
            let bits = xorshift(&mut s);
            if i % 2 == 0 {
                f64::from_bits(bits)
            } else {
                // values of the size of exposures and statistics
                (bits >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi(i % 9 - 6)
            }
        });
        for x in special.into_iter().chain(random).filter(|x| x.is_finite()) {
            let mut out = Vec::new();
            push_f64(x, &mut out);
            assert_eq!(
                std::str::from_utf8(&out).unwrap(),
                ryu::Buffer::new().format_finite(x),
                "{x:e}"
            );
            checked += 1;
        }
        assert!(checked > 300_000);
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
        let dir = std::env::temp_dir().join(format!("pg-write-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
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
        let (a, b) = (dir.join("a.parquet"), dir.join("b.parquet"));
        write_parquet(&a, &table).unwrap();
        write_parquet(&b, &expanded).unwrap();
        assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
