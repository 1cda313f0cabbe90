//! Readers for each kind of input table.

use std::collections::HashMap;

use peergroup_data::{
    shown, IndustryBuilder, IndustryTable, InputError, Metadata, Panel, PanelBuilder, Position,
    SeriesKind,
};

use crate::rows::{for_each_row, Header};
use crate::source::{AsSource, Role, Source};

/// How to read a series table.
#[derive(Clone, Debug)]
pub struct SeriesOptions {
    /// Returns (fractions) or prices/NAVs.
    pub kind: SeriesKind,
    /// Values are in percent (divide by 100); only meaningful for returns.
    pub percent: bool,
    /// Candidate names of the value column of a long table, first match wins.
    pub value_columns: Vec<String>,
    /// Upper bound of a return, as a fraction after any percent scaling (10 = +1,000%
    /// per period); returns below −1 or above it, given or implied by consecutive
    /// prices, are errors naming the cell.
    pub max_return: f64,
}

impl Default for SeriesOptions {
    fn default() -> Self {
        SeriesOptions {
            kind: SeriesKind::Returns,
            percent: false,
            value_columns: vec!["value".to_string()],
            max_return: peergroup_data::plausibility::DEFAULT_MAX_RETURN,
        }
    }
}

enum Layout {
    /// `id,date,value` with the column indices.
    Long {
        id: usize,
        date: usize,
        value: usize,
        value_name: String,
    },
    /// `date,<id>...`: the date column and `(column index, id)` pairs.
    Wide {
        date: usize,
        ids: Vec<(usize, String)>,
    },
}

/// Read a series table in long (`id,date,value`) or wide (`date,<id>...`) form.
///
/// Roles: id, date and value (long form); date (wide form: the mapped date column may
/// be anywhere, every other column is a series). A mapped value column replaces
/// `opts.value_columns`.
///
/// Empty cells are missing observations. Rows may come in any order; duplicates
/// `(id, date)`, NaN/inf, unparsable dates, mixed frequencies, non-positive prices and
/// returns outside `[−1, opts.max_return]` (given or implied by prices) are errors.
pub fn read_series<S: AsSource + ?Sized>(
    source: &S,
    opts: &SeriesOptions,
) -> Result<Panel, InputError> {
    read_series_from(&source.as_source(), opts)
}

fn read_series_from(src: &Source, opts: &SeriesOptions) -> Result<Panel, InputError> {
    if !peergroup_data::plausibility::valid_max_return(opts.max_return) {
        return Err(InputError::new(format!(
            "--max-return {}: expected a positive number, a fraction per period (10 = +1,000%)",
            opts.max_return
        )));
    }
    let scale = if opts.percent { 0.01 } else { 1.0 };
    let mut builder = PanelBuilder::new(opts.kind, scale).with_max_return(opts.max_return);
    let mut rows = 0usize;
    let roles = [(Role::Id, "id"), (Role::Date, "date"), (Role::Value, VALUE)];
    let file = for_each_row(src, &roles, |h| {
        let layout = series_layout(h, src, opts)?;
        let mut declared = Vec::new();
        if let Layout::Wide { ids, .. } = &layout {
            for (_, id) in ids {
                declared.push(builder.declare(id));
            }
        }
        let (builder, rows) = (&mut builder, &mut rows);
        Ok(move |row: &crate::rows::Row<'_>| {
            *rows += 1;
            match &layout {
                Layout::Long {
                    id,
                    date,
                    value,
                    value_name,
                } => {
                    let name = row.text(*id, "id")?;
                    if name.is_empty() {
                        return Err(InputError::at(
                            row.position(),
                            "expected an id, found an empty cell",
                        )
                        .with_column("id"));
                    }
                    let d = row.required_date(*date, "date")?;
                    if let Some(v) = row.number(*value, value_name)? {
                        builder.push(&name, d, v, row.position(), value_name)?;
                    }
                }
                Layout::Wide { date, ids } => {
                    let d = row.required_date(*date, "date")?;
                    for ((col, id), &k) in ids.iter().zip(&declared) {
                        if let Some(v) = row.number(*col, id)? {
                            builder.push_declared(k, d, v, row.position(), id)?;
                        }
                    }
                }
            }
            Ok(())
        })
    })?;
    if rows == 0 {
        return Err(InputError::new("no data rows after the header").in_file(file));
    }
    builder.build().map_err(|e| e.in_file(file))
}

/// The series reader's name for a mapped value column.
const VALUE: &str = "value";

fn series_layout(h: &Header<'_>, src: &Source, opts: &SeriesOptions) -> Result<Layout, InputError> {
    let names = h.names;
    let value_columns: Vec<&str> = if src.columns.value.is_some() {
        vec![VALUE]
    } else {
        opts.value_columns.iter().map(String::as_str).collect()
    };
    let long_form = src.columns.id.is_some() || src.columns.value.is_some();
    let id = h.find("id");
    let date = h.find("date");
    if let (Some(id), Some(date)) = (id, date) {
        for v in &value_columns {
            if let Some(value) = h.find(v) {
                return Ok(Layout::Long {
                    id,
                    date,
                    value,
                    value_name: names[value].clone(),
                });
            }
        }
        return Err(h
            .error(format!(
                "missing column: a long table needs {},{},{}; found {}",
                names[id],
                names[date],
                value_columns.join("|"),
                shown(&names.join(","))
            ))
            .with_column(value_columns[0].to_string()));
    }
    if long_form {
        let missing = if id.is_none() { "id" } else { "date" };
        return Err(h
            .error(format!(
                "missing column: a long table needs id,date,{}; found {}",
                value_columns.join("|"),
                shown(&names.join(","))
            ))
            .with_column(missing));
    }
    let date = if src.columns.date.is_some() {
        date
    } else {
        names
            .first()
            .filter(|n| n.eq_ignore_ascii_case("date") || n.eq_ignore_ascii_case("dates"))
            .map(|_| 0)
    };
    if let Some(date) = date {
        if names.len() < 2 {
            return Err(h.error(format!(
                "a wide table needs at least one series column after '{}'",
                names[date]
            )));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut ids = Vec::with_capacity(names.len() - 1);
        for (i, n) in names.iter().enumerate().filter(|(i, _)| *i != date) {
            if n.is_empty() {
                return Err(h.error(format!(
                    "column {} has an empty name: expected a series id",
                    i + 1
                )));
            }
            if let Some(prev) = seen.insert(n.as_str(), i) {
                return Err(h.duplicate_column(prev, i));
            }
            ids.push((i, n.clone()));
        }
        return Ok(Layout::Wide { date, ids });
    }
    Err(h.error(format!(
        "expected long form (columns id,date,{}) or wide form (first column date, then one column per series); found {}",
        value_columns[0],
        shown(&names.join(","))
    )))
}

/// Read CAFCI-style daily class data: `class_id,date,price,shares,aum`.
///
/// Roles: id (`class_id`) and date. Quote-free CSV files are parsed on all cores, and
/// Parquet files of the usual types column by column; mapped columns, workbooks and
/// other CSV files take the general row reader. All give the same table and the same
/// error positions.
pub fn read_industry<S: AsSource + ?Sized>(source: &S) -> Result<IndustryTable, InputError> {
    let src = source.as_source();
    if !src.columns.is_empty() || src.sheet.is_some() || src.memory_table().is_some() {
        return read_industry_rows(&src);
    }
    let path = src.path.as_path();
    let file = path.display().to_string();
    let format = crate::format::Format::of(path).map_err(|e| e.in_file(file.clone()))?;
    if format == crate::format::Format::Csv {
        let bytes = crate::sys::memory_map::read_file(path).map_err(|e| e.in_file(file.clone()))?;
        let body_start = bytes
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |p| p + 1);
        // A header line holding a bare CR is a file with CR line ends (old Mac): the
        // fast path splits lines at LF only, the row reader at either.
        let cr_lines = bytes[..body_start]
            .strip_suffix(b"\n")
            .map_or(&bytes[..body_start], |h| h.strip_suffix(b"\r").unwrap_or(h))
            .contains(&b'\r');
        if !cr_lines && crate::fast_csv::is_simple(&bytes) {
            let header_line = &bytes[..body_start];
            let header_text = String::from_utf8_lossy(header_line);
            let names: Vec<String> = header_text
                .trim_end_matches(['\n', '\r'])
                .split(',')
                .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
                .collect();
            if bytes.is_empty() || (names.len() == 1 && names[0].is_empty()) {
                return Err(InputError::new(
                    "the file is empty: expected a header line with column names",
                )
                .in_file(file));
            }
            let cols = Header::plain(&names, Some(Position::Line(1)))
                .require(&INDUSTRY_COLUMNS)
                .map_err(|e| e.in_file(file.clone()))?;
            let b = crate::fast_csv::industry_body(&bytes[body_start..], names.len(), &cols)
                .map_err(|e| e.in_file(file.clone()))?;
            if b.class.is_empty() {
                return Err(InputError::new("no data rows after the header").in_file(file));
            }
            return b.build().map_err(|e| e.in_file(file));
        }
    } else if format == crate::format::Format::Parquet {
        if let Some(b) = crate::fast_parquet::industry(path).map_err(|e| e.in_file(file.clone()))? {
            return b.build().map_err(|e| e.in_file(file));
        }
    }
    read_industry_rows(&src)
}

/// The columns of an industry table.
const INDUSTRY_COLUMNS: [&str; 5] = ["class_id", "date", "price", "shares", "aum"];

fn read_industry_rows(src: &Source) -> Result<IndustryTable, InputError> {
    let mut b = IndustryBuilder::default();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut last: Option<(String, u32)> = None;
    let roles = [(Role::Id, "class_id"), (Role::Date, "date")];
    let file = for_each_row(src, &roles, |h| {
        let cols = h.require(&INDUSTRY_COLUMNS)?;
        let (b, index, last) = (&mut b, &mut index, &mut last);
        Ok(move |row: &crate::rows::Row<'_>| {
            let id = row.text(cols[0], "class_id")?;
            if id.is_empty() {
                return Err(InputError::at(
                    row.position(),
                    "expected a class id, found an empty cell",
                )
                .with_column("class_id"));
            }
            // Exports are usually grouped by class or by date; remembering the last key
            // skips most hash lookups on 50M-row files.
            let code = match &*last {
                Some((k, c)) if k.as_str() == id.as_ref() => *c,
                _ => {
                    let c = match index.get(id.as_ref()) {
                        Some(&c) => c,
                        None => {
                            let c = b.class_names.len() as u32;
                            b.class_names.push(id.to_string());
                            index.insert(id.to_string(), c);
                            c
                        }
                    };
                    *last = Some((id.to_string(), c));
                    c
                }
            };
            b.class.push(code);
            b.date.push(row.required_date(cols[1], "date")?);
            b.price.push(row.required_number(cols[2], "price")?);
            b.shares.push(row.required_number(cols[3], "shares")?);
            b.aum.push(row.required_number(cols[4], "aum")?);
            let (kind, n) = row.position().parts();
            b.position_kind = kind;
            b.position.push(u32::try_from(n).map_err(|_| {
                InputError::at(
                    row.position(),
                    "file too large: more than 4,294,967,295 lines",
                )
            })?);
            Ok(())
        })
    })?;
    if b.class.is_empty() {
        return Err(InputError::new("no data rows after the header").in_file(file));
    }
    b.build().map_err(|e| e.in_file(file))
}

/// Read a metadata table keyed by `key` that must contain `required` columns; every
/// other column is kept as an attribute. Roles: id (the `key` column) and category (a
/// `category` column, kept as the attribute `category`); a column named like a role that
/// is mapped to another column is dropped.
pub fn read_metadata<S: AsSource + ?Sized>(
    source: &S,
    key: &str,
    required: &[&str],
) -> Result<Metadata, InputError> {
    let src = source.as_source();
    let mut attr_names: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    let roles = [(Role::Id, key), (Role::Category, "category")];
    let file = for_each_row(&src, &roles, |h| {
        let mut attr_cols: Vec<usize> = Vec::new();
        let mut wanted = vec![key];
        wanted.extend_from_slice(required);
        let idx = h.require(&wanted)?;
        let key_col = idx[0];
        // A column shadowed by a mapped role (the file's own `category` when another
        // column is mapped as the category) is left out: its name belongs to the mapped one.
        for i in (0..h.names.len()).filter(|&i| i != key_col && !h.shadowed(i)) {
            attr_cols.push(i);
            // required and mapped columns keep their canonical (lower-case) names
            let n = h.canonical(i);
            let canon = required.iter().find(|r| r.eq_ignore_ascii_case(n));
            attr_names.push(canon.map_or_else(|| n.to_string(), |r| r.to_string()));
        }
        let (names_out, rows) = (&attr_names, &mut rows);
        Ok(move |row: &crate::rows::Row<'_>| {
            let id = row.text(key_col, key)?.into_owned();
            let vals = attr_cols
                .iter()
                .zip(names_out.iter())
                .map(|(&c, n)| row.text(c, n).map(|t| t.into_owned()))
                .collect::<Result<Vec<_>, _>>()?;
            rows.push((id, vals, row.position()));
            Ok(())
        })
    })?;
    Metadata::new(key, attr_names, rows).map_err(|e| e.in_file(file))
}
