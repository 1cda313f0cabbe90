//! One row-at-a-time view over CSV and Parquet, so that each table type is parsed once.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use calamine::Data;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use peergroup_data::{shown, Date, InputError, Position};

use crate::decode_guard::guarded;
use crate::format::Format;
use crate::source::{Role, Source};

/// A typed view of one Parquet column, resolved once per batch.
pub(crate) enum ArrowCol<'a> {
    F64(&'a arrow_array::Float64Array),
    F32(&'a arrow_array::Float32Array),
    I64(Vec<Option<i64>>),
    Str(&'a arrow_array::StringArray),
    LargeStr(&'a arrow_array::LargeStringArray),
    StrView(&'a arrow_array::StringViewArray),
    Dict(Vec<Option<String>>),
    Date32(&'a arrow_array::PrimitiveArray<Date32Type>),
    /// Days since epoch for Date64 and timestamps (floor division).
    Days(Vec<Option<i32>>),
    Bool(&'a arrow_array::BooleanArray),
    Unsupported(DataType),
}

/// One record, with typed accessors that report errors at this record's position.
pub(crate) struct Row<'a> {
    pub(crate) pos: Position,
    pub(crate) src: RowSrc<'a>,
}

/// Where a record's cells are.
pub(crate) enum RowSrc<'a> {
    Csv(&'a csv::ByteRecord),
    Arrow(&'a [ArrowCol<'a>], usize),
    /// One row of a workbook sheet, as wide as its header.
    Cells(&'a [Data]),
}

fn days_floor(v: i64, per_day: i64) -> i32 {
    v.div_euclid(per_day) as i32
}

impl<'a> Row<'a> {
    /// Where this record is.
    pub fn position(&self) -> Position {
        self.pos
    }

    fn err(&self, column: &str, message: String) -> InputError {
        InputError::at(self.pos, message).with_column(column)
    }

    /// Cell as text (trimmed); numbers are formatted, nulls are empty.
    pub fn text(&self, col: usize, name: &str) -> Result<Cow<'a, str>, InputError> {
        match &self.src {
            RowSrc::Csv(rec) => {
                let bytes = rec.get(col).unwrap_or(b"");
                match std::str::from_utf8(bytes) {
                    Ok(s) => Ok(Cow::Borrowed(s.trim())),
                    Err(_) => Err(self.err(name, "expected UTF-8 text".into())),
                }
            }
            RowSrc::Cells(cells) => Ok(match cells.get(col).unwrap_or(&Data::Empty) {
                Data::String(t) => Cow::Borrowed(t.trim()),
                Data::Empty => Cow::Borrowed(""),
                Data::Float(x) => Cow::Owned(x.to_string()),
                Data::Int(x) => Cow::Owned(x.to_string()),
                Data::Bool(b) => Cow::Owned(b.to_string()),
                Data::DateTime(dt) if dt.is_duration() => Cow::Owned(dt.as_f64().to_string()),
                Data::DateTime(_) | Data::DateTimeIso(_) => match self.date(col, name)? {
                    Some(d) => Cow::Owned(d.to_string()),
                    None => Cow::Borrowed(""),
                },
                Data::DurationIso(t) => Cow::Borrowed(t.trim()),
                Data::Error(e) => {
                    return Err(self.err(name, format!("expected a value, found the error {e}")))
                }
            }),
            RowSrc::Arrow(cols, r) => {
                let r = *r;
                Ok(match &cols[col] {
                    ArrowCol::Str(a) => {
                        Cow::Borrowed(if a.is_null(r) { "" } else { a.value(r).trim() })
                    }
                    ArrowCol::LargeStr(a) => {
                        Cow::Borrowed(if a.is_null(r) { "" } else { a.value(r).trim() })
                    }
                    ArrowCol::StrView(a) => Cow::Owned(if a.is_null(r) {
                        String::new()
                    } else {
                        a.value(r).trim().to_string()
                    }),
                    ArrowCol::Dict(vals) => Cow::Owned(vals[r].clone().unwrap_or_default()),
                    ArrowCol::I64(v) => Cow::Owned(v[r].map(|x| x.to_string()).unwrap_or_default()),
                    ArrowCol::F64(a) => Cow::Owned(if a.is_null(r) {
                        String::new()
                    } else {
                        a.value(r).to_string()
                    }),
                    ArrowCol::F32(a) => Cow::Owned(if a.is_null(r) {
                        String::new()
                    } else {
                        a.value(r).to_string()
                    }),
                    ArrowCol::Date32(a) => Cow::Owned(if a.is_null(r) {
                        String::new()
                    } else {
                        Date::from_days(a.value(r)).to_string()
                    }),
                    ArrowCol::Days(v) => Cow::Owned(
                        v[r].map(|d| Date::from_days(d).to_string())
                            .unwrap_or_default(),
                    ),
                    ArrowCol::Bool(a) => Cow::Owned(if a.is_null(r) {
                        String::new()
                    } else {
                        a.value(r).to_string()
                    }),
                    ArrowCol::Unsupported(t) => {
                        return Err(self.err(
                            name,
                            format!(
                                "expected a text, number or date column, found Parquet type {t}"
                            ),
                        ))
                    }
                })
            }
        }
    }

    /// Cell as a finite number; `None` for an empty cell or null.
    pub fn number(&self, col: usize, name: &str) -> Result<Option<f64>, InputError> {
        let v = match &self.src {
            RowSrc::Arrow(cols, r) => match &cols[col] {
                ArrowCol::F64(a) => (!a.is_null(*r)).then(|| a.value(*r)),
                ArrowCol::F32(a) => (!a.is_null(*r)).then(|| a.value(*r) as f64),
                ArrowCol::I64(v) => v[*r].map(|x| x as f64),
                _ => return self.parse_number(col, name),
            },
            RowSrc::Cells(cells) => match cells.get(col).unwrap_or(&Data::Empty) {
                Data::Float(x) => Some(*x),
                Data::Int(x) => Some(*x as f64),
                Data::DateTime(_) | Data::DateTimeIso(_) => {
                    let shown = self.text(col, name)?;
                    return Err(
                        self.err(name, format!("expected a number, found the date {shown}"))
                    );
                }
                _ => return self.parse_number(col, name),
            },
            RowSrc::Csv(rec) => {
                // Exact fast path for plain decimals; anything else (blanks, exponents,
                // errors) takes std below.
                if let Some(x) = rec.get(col).and_then(crate::number::parse_decimal) {
                    return Ok(Some(x));
                }
                return self.parse_number(col, name);
            }
        };
        match v {
            Some(x) if !x.is_finite() => {
                Err(self.err(name, format!("expected a finite number, found {x}")))
            }
            other => Ok(other),
        }
    }

    fn parse_number(&self, col: usize, name: &str) -> Result<Option<f64>, InputError> {
        let t = self.text(col, name)?;
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            Ok(_) => Err(self.err(
                name,
                format!("expected a finite number, found '{}'", shown(&t)),
            )),
            Err(_) => Err(self.err(name, format!("expected a number, found '{}'", shown(&t)))),
        }
    }

    /// Cell as a required finite number.
    pub fn required_number(&self, col: usize, name: &str) -> Result<f64, InputError> {
        self.number(col, name)?
            .ok_or_else(|| self.err(name, "expected a number, found an empty cell".into()))
    }

    /// Cell as a date; `None` for an empty cell or null.
    pub fn date(&self, col: usize, name: &str) -> Result<Option<Date>, InputError> {
        match &self.src {
            RowSrc::Arrow(cols, r) => match &cols[col] {
                ArrowCol::Date32(a) => {
                    return Ok((!a.is_null(*r)).then(|| Date::from_days(a.value(*r))))
                }
                ArrowCol::Days(v) => return Ok(v[*r].map(Date::from_days)),
                _ => {}
            },
            RowSrc::Cells(cells) => match cells.get(col).unwrap_or(&Data::Empty) {
                Data::DateTime(dt) if dt.is_datetime() => {
                    let (y, m, d, ..) = dt.to_ymd_hms_milli();
                    return Date::from_ymd(i32::from(y), u32::from(m), u32::from(d))
                        .map(Some)
                        .ok_or_else(|| {
                            self.err(
                                name,
                                format!("expected a date, found the serial date {}", dt.as_f64()),
                            )
                        });
                }
                Data::DateTimeIso(t) => {
                    // An ISO date or date-time (`.ods`): the date part.
                    let day = t.trim().get(..10).unwrap_or(t.trim());
                    return Date::parse(day)
                        .map(Some)
                        .map_err(|e| self.err(name, e.to_string()));
                }
                Data::DateTime(_) => {
                    return Err(self.err(name, "expected a date, found a duration".into()))
                }
                Data::Float(_) | Data::Int(_) => {
                    // A number typed as YYYYMMDD reads as it would in a CSV.
                    let shown = self.text(col, name)?;
                    if let Ok(d) = Date::parse(&shown) {
                        return Ok(Some(d));
                    }
                    return Err(self.err(
                        name,
                        format!("expected a date, found the number {shown} (format the cell as a date, or write it as text YYYY-MM-DD)"),
                    ));
                }
                _ => {}
            },
            RowSrc::Csv(_) => {}
        }
        let t = self.text(col, name)?;
        if t.is_empty() {
            return Ok(None);
        }
        Date::parse(&t)
            .map(Some)
            .map_err(|e| self.err(name, e.to_string()))
    }

    /// Cell as a required date.
    pub fn required_date(&self, col: usize, name: &str) -> Result<Date, InputError> {
        self.date(col, name)?
            .ok_or_else(|| self.err(name, "expected a date, found an empty cell".into()))
    }
}

/// The header of a table as a reader sees it: the file's own column names, where the
/// header is, and which columns the source's mapping gave which role.
pub(crate) struct Header<'a> {
    /// Column names as in the file (trimmed).
    pub names: &'a [String],
    /// Line 1 of a CSV, the header row of a sheet, none for Parquet.
    pub position: Option<Position>,
    /// `(reader's name for the role, column index)` of every mapped role.
    mapped: Vec<(&'a str, usize)>,
    /// Every `(reader's name, column index)` resolved so far, to name the file's own
    /// column in errors.
    resolved: RefCell<Vec<(String, usize)>>,
    /// The first column a reader asked for that the file has twice.
    duplicate: RefCell<Option<InputError>>,
}

impl<'a> Header<'a> {
    /// The header `names` at `position`, no role mapped.
    pub fn plain(names: &'a [String], position: Option<Position>) -> Header<'a> {
        Header {
            names,
            position,
            mapped: Vec::new(),
            resolved: RefCell::new(Vec::new()),
            duplicate: RefCell::new(None),
        }
    }

    /// Index of the column the reader calls `wanted`: the mapped column when `wanted` is
    /// a mapped role's name, else the file's column of that name (ignoring case) that
    /// no role was mapped to. A column found by name that the file has twice is
    /// recorded, and refused by [`Header::require`] and after the header is read.
    pub fn find(&self, wanted: &str) -> Option<usize> {
        let unmapped = |i: usize| !self.mapped.iter().any(|&(_, m)| m == i);
        let found = match self
            .mapped
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
        {
            Some(&(_, i)) => Some(i),
            None => {
                let mut same = (0..self.names.len())
                    .filter(|&i| self.names[i].eq_ignore_ascii_case(wanted) && unmapped(i));
                let first = same.next();
                if let (Some(a), Some(b)) = (first, same.next()) {
                    let mut dup = self.duplicate.borrow_mut();
                    dup.get_or_insert_with(|| self.duplicate_column(a, b));
                }
                first
            }
        };
        if let Some(i) = found {
            self.resolved.borrow_mut().push((wanted.to_string(), i));
        }
        found
    }

    /// The error for a column name the header has at (0-based) columns `a` and `b`:
    /// which column is read would be a guess.
    pub fn duplicate_column(&self, a: usize, b: usize) -> InputError {
        let n = &self.names[b];
        self.error(format!(
            "duplicate column: '{}' appears as column {} and column {}",
            shown(n),
            a + 1,
            b + 1
        ))
        .with_column(n.clone())
    }

    /// The duplicate-column error of the columns found so far, if any.
    fn take_duplicate(&self) -> Result<(), InputError> {
        self.duplicate.take().map_or(Ok(()), Err)
    }

    /// Index of each of `wanted` (see [`Header::find`]), or an error listing what was
    /// found.
    pub fn require(&self, wanted: &[&str]) -> Result<Vec<usize>, InputError> {
        let found: Vec<usize> = wanted
            .iter()
            .map(|w| {
                self.find(w).ok_or_else(|| {
                    self.error(format!(
                        "missing column: expected columns {}; found {}",
                        wanted.join(","),
                        shown(&self.names.join(","))
                    ))
                    .with_column(*w)
                })
            })
            .collect::<Result<_, _>>()?;
        self.take_duplicate()?;
        Ok(found)
    }

    /// The name a reader gives column `i`: the role's name when a role was mapped to it
    /// (so `SecId` mapped as the id is stored as `id`), else the file's name.
    pub fn canonical(&self, i: usize) -> &str {
        self.mapped
            .iter()
            .find(|&&(_, m)| m == i)
            .map_or(self.names[i].as_str(), |(n, _)| n)
    }

    /// Whether column `i` carries the reader's name of a role that was mapped to another
    /// column (a file's own `category` when `--category-column` names another): the
    /// mapped column takes that name, so this one must not be read under it.
    pub fn shadowed(&self, i: usize) -> bool {
        !self.mapped.iter().any(|&(_, m)| m == i)
            && self
                .mapped
                .iter()
                .any(|(n, _)| self.names[i].trim().eq_ignore_ascii_case(n))
    }

    /// An error about the header, at the header's position.
    pub fn error(&self, message: impl Into<String>) -> InputError {
        let mut e = InputError::new(message);
        e.position = self.position;
        e
    }
}

/// Reads `src` a record at a time. `roles` gives the reader's name for each role it
/// reads (`(Role::Id, "class_id")`); a role the source maps to one of the file's columns
/// is looked up under that name (a mapped column that is absent is an error listing the
/// columns found), and errors about it name the file's own column. `on_header` sees the
/// header and returns the handler called for every record. Errors get the file name
/// (and sheet) attached; on success, returns that name for the reader's own messages
/// (`funds.xlsx, sheet 'Returns'`: a workbook's sheet is named even when it was not).
pub(crate) fn for_each_row<H, F>(
    src: &Source,
    roles: &[(Role, &str)],
    on_header: H,
) -> Result<String, InputError>
where
    H: FnOnce(&Header<'_>) -> Result<F, InputError>,
    F: FnMut(&Row<'_>) -> Result<(), InputError>,
{
    // The file's name of each column the reader resolved, by the reader's name for it.
    let mut renames: Vec<(String, String)> = Vec::new();
    let header = |names: &[String], position: Option<Position>| {
        let mut mapped = Vec::new();
        for &(role, reader_name) in roles {
            if let Some(wanted) = src.columns.get(role) {
                let mut same = (0..names.len())
                    .filter(|&i| names[i].eq_ignore_ascii_case(wanted.trim()))
                    .skip(1);
                let i = find_column(names, wanted.trim()).ok_or_else(|| {
                    let mut e = InputError::new(format!(
                        "missing column '{}' (mapped as the {} column): found {}",
                        wanted.trim(),
                        role.name(),
                        shown(&names.join(","))
                    ))
                    .with_column(wanted.trim());
                    e.position = position;
                    e
                })?;
                if let Some(j) = same.next() {
                    return Err(Header::plain(names, position).duplicate_column(i, j));
                }
                mapped.push((reader_name, i));
            }
        }
        let h = Header {
            names,
            position,
            mapped,
            resolved: RefCell::new(Vec::new()),
            duplicate: RefCell::new(None),
        };
        let f = on_header(&h)?;
        h.take_duplicate()?;
        renames = h
            .resolved
            .into_inner()
            .into_iter()
            .filter(|(reader, i)| *reader != names[*i])
            .map(|(reader, i)| (reader, names[i].clone()))
            .collect();
        Ok(f)
    };
    let path = src.path.as_path();
    let memory = src.memory_table();
    let format = match &memory {
        Some(_) => Ok(None),
        None => Format::of(path).map(Some),
    };
    let result = match format {
        Ok(None) => no_sheet(src)
            .and_then(|()| read_memory(memory.as_ref().expect("in memory"), header))
            .map(|()| src.label()),
        Ok(Some(Format::Csv)) => no_sheet(src)
            .and_then(|()| read_csv(path, header))
            .map(|()| src.label()),
        Ok(Some(Format::Parquet)) => no_sheet(src)
            .and_then(|()| read_parquet(path, header))
            .map(|()| src.label()),
        Ok(Some(Format::Xlsx | Format::Xls | Format::Ods)) => {
            crate::excel_read::read_sheet(path, src.sheet.as_deref(), header)
        }
        Err(e) => Err(e),
    };
    result.map_err(|mut e| {
        if let Some(c) = &e.column {
            if let Some((_, file_name)) = renames.iter().find(|(r, _)| r == c) {
                e.column = Some(file_name.clone());
            }
        }
        e.in_file(src.label())
    })
}

/// An error when a sheet is named for a file that has none.
fn no_sheet(src: &Source) -> Result<(), InputError> {
    match &src.sheet {
        Some(s) => Err(InputError::new(format!(
            "sheet '{s}' named, but only .xlsx, .xls and .ods workbooks have sheets"
        ))),
        None => Ok(()),
    }
}

fn open(path: &Path) -> Result<File, InputError> {
    crate::input_file::open_input(path).map(|(file, _)| file)
}

fn read_csv<H, F>(path: &Path, on_header: H) -> Result<(), InputError>
where
    H: FnOnce(&[String], Option<Position>) -> Result<F, InputError>,
    F: FnMut(&Row<'_>) -> Result<(), InputError>,
{
    let file = open(path)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 20)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let headers = rdr.byte_headers().map_err(csv_error)?.clone();
    if headers.is_empty() || (headers.len() == 1 && headers.get(0).is_some_and(|h| h.is_empty())) {
        return Err(InputError::new(
            "the file is empty: expected a header line with column names",
        ));
    }
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            std::str::from_utf8(h)
                .map(|s| s.trim().trim_start_matches('\u{feff}').to_string())
                .map_err(|_| {
                    InputError::at(
                        Position::Line(1),
                        format!("header cell {} is not UTF-8", i + 1),
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    let mut f = on_header(&names, Some(Position::Line(1)))?;
    let mut rec = csv::ByteRecord::new();
    // The csv crate does not count a header ended by CRLF (BurntSushi/rust-csv#395), so
    // every record of a Windows file would be reported one line early. The first record
    // after a one-line header is on line 2; the shift seen there applies to all records.
    let mut shift: Option<u64> = None;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let reported = rec.position().map_or(0, |p| p.line());
                let shift = *shift.get_or_insert(2u64.saturating_sub(reported));
                // The crate counts LFs only: in a file of bare-CR line ends every record
                // would be on line 1. A record is never on an earlier line than its
                // number (the header is record 0, on line 1).
                let record = rec.position().map_or(0, |p| p.record());
                let line = (reported + shift).max(record + 1);
                f(&Row {
                    pos: Position::Line(line),
                    src: RowSrc::Csv(&rec),
                })?;
            }
            Err(e) => return Err(csv_error(e)),
        }
    }
    Ok(())
}

fn csv_error(e: csv::Error) -> InputError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => InputError::at(
            Position::Line(pos.as_ref().map_or(0, |p| p.line())),
            format!("expected {expected_len} fields like the header, found {len}"),
        ),
        csv::ErrorKind::Io(io) => crate::input_file::io_error(
            "cannot read",
            std::io::Error::new(io.kind(), io.to_string()),
        ),
        _ => {
            let line = e.position().map(|p| p.line());
            let mut err = InputError::new(format!("malformed CSV: {e}"));
            if let Some(l) = line {
                err = err.with_position(Position::Line(l));
            }
            err
        }
    }
}

fn read_parquet<H, F>(path: &Path, on_header: H) -> Result<(), InputError>
where
    H: FnOnce(&[String], Option<Position>) -> Result<F, InputError>,
    F: FnMut(&Row<'_>) -> Result<(), InputError>,
{
    let file = open(path)?;
    let damaged =
        |m: String| InputError::new(format!("not a readable Parquet file: damaged ({m})"));
    let builder = guarded(|| ParquetRecordBatchReaderBuilder::try_new(file))
        .map_err(damaged)?
        .map_err(|e| parquet_error("not a readable Parquet file", &e))?;
    let names = column_names(builder.schema());
    let mut f = on_header(&names, None)?;
    let mut reader = guarded(|| builder.with_batch_size(64 * 1024).build())
        .map_err(damaged)?
        .map_err(|e| parquet_error("cannot read Parquet", &e))?;
    let mut row0 = 0u64;
    while let Some(batch) = guarded(|| reader.next()).map_err(damaged)? {
        let batch: RecordBatch =
            batch.map_err(|e| InputError::new(format!("cannot read Parquet: {e}")))?;
        row0 = batch_rows(&batch, row0, &mut f)?;
    }
    Ok(())
}

/// Read a table in memory as [`read_parquet`] reads a file's batches: rows numbered from
/// 1 across the batches.
fn read_memory<H, F>(table: &crate::source::MemoryTable, on_header: H) -> Result<(), InputError>
where
    H: FnOnce(&[String], Option<Position>) -> Result<F, InputError>,
    F: FnMut(&Row<'_>) -> Result<(), InputError>,
{
    let names = column_names(table.schema());
    let mut f = on_header(&names, None)?;
    let mut row0 = 0u64;
    for batch in table.batches() {
        if batch.num_columns() != names.len() {
            return Err(InputError::new(format!(
                "a record batch has {} columns where the schema has {}",
                batch.num_columns(),
                names.len()
            )));
        }
        row0 = batch_rows(batch, row0, &mut f)?;
    }
    Ok(())
}

/// The column names of an Arrow schema, trimmed as CSV headers are.
fn column_names(schema: &arrow_schema::Schema) -> Vec<String> {
    schema
        .fields()
        .iter()
        .map(|fl| fl.name().trim().to_string())
        .collect()
}

/// Hand every row of `batch` to `f`, numbered on from `row0` (1-based positions); the
/// next batch's `row0`.
fn batch_rows<F>(batch: &RecordBatch, row0: u64, f: &mut F) -> Result<u64, InputError>
where
    F: FnMut(&Row<'_>) -> Result<(), InputError>,
{
    let cols: Vec<ArrowCol<'_>> = batch.columns().iter().map(resolve).collect();
    for r in 0..batch.num_rows() {
        f(&Row {
            pos: Position::Row(row0 + r as u64 + 1),
            src: RowSrc::Arrow(&cols, r),
        })?;
    }
    Ok(row0 + batch.num_rows() as u64)
}

/// A Parquet error while `doing` something: an I/O error of the file is a system
/// failure (exit 1), anything else a bad file (exit 2).
fn parquet_error(doing: &str, e: &parquet::errors::ParquetError) -> InputError {
    if let parquet::errors::ParquetError::External(inner) = e {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            let io = std::io::Error::new(io.kind(), io.to_string());
            return crate::input_file::io_error("cannot read", io);
        }
    }
    InputError::new(format!("{doing}: {e}"))
}

fn ints<T: arrow_array::ArrowPrimitiveType>(a: &ArrayRef) -> Vec<Option<i64>>
where
    T::Native: Into<i64>,
{
    a.as_primitive::<T>()
        .iter()
        .map(|v| v.map(Into::into))
        .collect()
}

fn resolve(a: &ArrayRef) -> ArrowCol<'_> {
    match a.data_type() {
        DataType::Float64 => ArrowCol::F64(a.as_primitive::<Float64Type>()),
        DataType::Float32 => ArrowCol::F32(a.as_primitive::<Float32Type>()),
        DataType::Int8 => ArrowCol::I64(ints::<Int8Type>(a)),
        DataType::Int16 => ArrowCol::I64(ints::<Int16Type>(a)),
        DataType::Int32 => ArrowCol::I64(ints::<Int32Type>(a)),
        DataType::Int64 => ArrowCol::I64(ints::<Int64Type>(a)),
        DataType::UInt8 => ArrowCol::I64(ints::<UInt8Type>(a)),
        DataType::UInt16 => ArrowCol::I64(ints::<UInt16Type>(a)),
        DataType::UInt32 => ArrowCol::I64(ints::<UInt32Type>(a)),
        DataType::UInt64 => ArrowCol::I64(
            a.as_primitive::<UInt64Type>()
                .iter()
                .map(|v| v.map(|x| x.min(i64::MAX as u64) as i64))
                .collect(),
        ),
        DataType::Utf8 => ArrowCol::Str(a.as_string::<i32>()),
        DataType::LargeUtf8 => ArrowCol::LargeStr(a.as_string::<i64>()),
        DataType::Utf8View => ArrowCol::StrView(a.as_string_view()),
        DataType::Boolean => ArrowCol::Bool(a.as_boolean()),
        DataType::Date32 => ArrowCol::Date32(a.as_primitive::<Date32Type>()),
        DataType::Date64 => ArrowCol::Days(
            a.as_primitive::<Date64Type>()
                .iter()
                .map(|v| v.map(|ms| days_floor(ms, 86_400_000)))
                .collect(),
        ),
        DataType::Timestamp(unit, _) => {
            let per_day: i64 = match unit {
                TimeUnit::Second => 86_400,
                TimeUnit::Millisecond => 86_400_000,
                TimeUnit::Microsecond => 86_400_000_000,
                TimeUnit::Nanosecond => 86_400_000_000_000,
            };
            let vals: Vec<Option<i64>> = match unit {
                TimeUnit::Second => a.as_primitive::<TimestampSecondType>().iter().collect(),
                TimeUnit::Millisecond => a
                    .as_primitive::<TimestampMillisecondType>()
                    .iter()
                    .collect(),
                TimeUnit::Microsecond => a
                    .as_primitive::<TimestampMicrosecondType>()
                    .iter()
                    .collect(),
                TimeUnit::Nanosecond => {
                    a.as_primitive::<TimestampNanosecondType>().iter().collect()
                }
            };
            ArrowCol::Days(
                vals.into_iter()
                    .map(|v| v.map(|x| days_floor(x, per_day)))
                    .collect(),
            )
        }
        DataType::Dictionary(_, value)
            if matches!(value.as_ref(), DataType::Utf8 | DataType::LargeUtf8) =>
        {
            let cast = arrow_cast_dict(a);
            ArrowCol::Dict(cast)
        }
        t => ArrowCol::Unsupported(t.clone()),
    }
}

/// Expand a string dictionary column into per-row strings.
fn arrow_cast_dict(a: &ArrayRef) -> Vec<Option<String>> {
    use arrow_array::types::*;
    macro_rules! expand {
        ($k:ty) => {{
            let d = a.as_dictionary::<$k>();
            let values = d.values();
            let strings: Vec<Option<String>> = match values.data_type() {
                DataType::Utf8 => values
                    .as_string::<i32>()
                    .iter()
                    .map(|s| s.map(str::to_string))
                    .collect(),
                _ => values
                    .as_string::<i64>()
                    .iter()
                    .map(|s| s.map(str::to_string))
                    .collect(),
            };
            d.keys()
                .iter()
                .map(|k| k.and_then(|k| strings.get(k as usize).cloned().flatten()))
                .collect()
        }};
    }
    match a.data_type() {
        DataType::Dictionary(k, _) => match k.as_ref() {
            DataType::Int8 => expand!(Int8Type),
            DataType::Int16 => expand!(Int16Type),
            DataType::Int32 => expand!(Int32Type),
            DataType::Int64 => expand!(Int64Type),
            DataType::UInt8 => expand!(UInt8Type),
            DataType::UInt16 => expand!(UInt16Type),
            DataType::UInt32 => expand!(UInt32Type),
            _ => expand!(UInt64Type),
        },
        _ => Vec::new(),
    }
}

/// Index of column `wanted` in `names`, ignoring case.
pub(crate) fn find_column(names: &[String], wanted: &str) -> Option<usize> {
    names.iter().position(|n| n.eq_ignore_ascii_case(wanted))
}
