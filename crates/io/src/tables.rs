//! Readers for each kind of input table.

use std::collections::HashMap;
use std::path::Path;

use peergroup_data::{
    IndustryBuilder, IndustryTable, InputError, Metadata, Panel, PanelBuilder, Position, SeriesKind,
};

use crate::rows::{find_column, for_each_row, require_columns};

/// How to read a series table.
#[derive(Clone, Debug)]
pub struct SeriesOptions {
    /// Returns (fractions) or prices/NAVs.
    pub kind: SeriesKind,
    /// Values are in percent (divide by 100); only meaningful for returns.
    pub percent: bool,
    /// Candidate names of the value column of a long table, first match wins.
    pub value_columns: Vec<String>,
}

impl Default for SeriesOptions {
    fn default() -> Self {
        SeriesOptions {
            kind: SeriesKind::Returns,
            percent: false,
            value_columns: vec!["value".to_string()],
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
/// Empty cells are missing observations. Rows may come in any order; duplicates
/// `(id, date)`, NaN/inf, unparsable dates and mixed frequencies are errors.
pub fn read_series(path: &Path, opts: &SeriesOptions) -> Result<Panel, InputError> {
    let scale = if opts.percent { 0.01 } else { 1.0 };
    let mut builder = PanelBuilder::new(opts.kind, scale);
    let mut rows = 0usize;
    for_each_row(path, |names, header| {
        let layout = series_layout(names, opts, header)?;
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
    let file = path.display().to_string();
    if rows == 0 {
        return Err(InputError::new("no data rows after the header").in_file(file));
    }
    builder.build().map_err(|e| e.in_file(file))
}

fn series_layout(
    names: &[String],
    opts: &SeriesOptions,
    header: Option<Position>,
) -> Result<Layout, InputError> {
    let at_header = |e: InputError| match header {
        Some(p) => e.with_position(p),
        None => e,
    };
    if let (Some(id), Some(date)) = (find_column(names, "id"), find_column(names, "date")) {
        for v in &opts.value_columns {
            if let Some(value) = find_column(names, v) {
                return Ok(Layout::Long {
                    id,
                    date,
                    value,
                    value_name: names[value].clone(),
                });
            }
        }
        return Err(at_header(
            InputError::new(format!(
                "missing column: a long table needs id,date,{}; found {}",
                opts.value_columns.join("|"),
                names.join(",")
            ))
            .with_column(opts.value_columns[0].clone()),
        ));
    }
    if names
        .first()
        .is_some_and(|n| n.eq_ignore_ascii_case("date") || n.eq_ignore_ascii_case("dates"))
    {
        if names.len() < 2 {
            return Err(at_header(InputError::new(
                "a wide table needs at least one series column after 'date'",
            )));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut ids = Vec::with_capacity(names.len() - 1);
        for (i, n) in names.iter().enumerate().skip(1) {
            if n.is_empty() {
                return Err(at_header(InputError::new(format!(
                    "column {} has an empty name: expected a series id",
                    i + 1
                ))));
            }
            if let Some(prev) = seen.insert(n.as_str(), i) {
                return Err(at_header(
                    InputError::new(format!(
                        "duplicate column: '{n}' appears as column {} and column {}",
                        prev + 1,
                        i + 1
                    ))
                    .with_column(n.clone()),
                ));
            }
            ids.push((i, n.clone()));
        }
        return Ok(Layout::Wide { date: 0, ids });
    }
    Err(at_header(InputError::new(format!(
        "expected long form (columns id,date,{}) or wide form (first column date, then one column per series); found {}",
        opts.value_columns[0],
        names.join(",")
    ))))
}

/// Read CAFCI-style daily class data: `class_id,date,price,shares,aum`.
///
/// Quote-free CSV files are parsed on all cores; other CSV files and Parquet take the
/// general row reader. Both give the same table and the same error positions.
pub fn read_industry(path: &Path) -> Result<IndustryTable, InputError> {
    let file = path.display().to_string();
    if crate::format::Format::of(path).map_err(|e| e.in_file(file.clone()))?
        == crate::format::Format::Csv
    {
        let bytes = crate::sys::memory_map::read_file(path)
            .map_err(|e| InputError::new(format!("cannot open: {e}")).in_file(file.clone()))?;
        if crate::fast_csv::is_simple(&bytes) {
            let body_start = bytes
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |p| p + 1);
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
            let cols = require_columns(
                &names,
                &["class_id", "date", "price", "shares", "aum"],
                Some(Position::Line(1)),
            )
            .map_err(|e| e.in_file(file.clone()))?;
            let b = crate::fast_csv::industry_body(&bytes[body_start..], names.len(), &cols)
                .map_err(|e| e.in_file(file.clone()))?;
            if b.class.is_empty() {
                return Err(InputError::new("no data rows after the header").in_file(file));
            }
            return b.build().map_err(|e| e.in_file(file));
        }
    } else if let Some(b) =
        crate::fast_parquet::industry(path).map_err(|e| e.in_file(file.clone()))?
    {
        return b.build().map_err(|e| e.in_file(file));
    }
    read_industry_rows(path)
}

fn read_industry_rows(path: &Path) -> Result<IndustryTable, InputError> {
    let mut b = IndustryBuilder::default();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut last: Option<(String, u32)> = None;
    for_each_row(path, |names, header| {
        let cols = require_columns(
            names,
            &["class_id", "date", "price", "shares", "aum"],
            header,
        )?;
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
    let file = path.display().to_string();
    if b.class.is_empty() {
        return Err(InputError::new("no data rows after the header").in_file(file));
    }
    b.build().map_err(|e| e.in_file(file))
}

/// Read a metadata table keyed by `key` that must contain `required` columns; every
/// other column is kept as an attribute.
pub fn read_metadata(path: &Path, key: &str, required: &[&str]) -> Result<Metadata, InputError> {
    let mut attr_names: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for_each_row(path, |names, header| {
        let mut attr_cols: Vec<usize> = Vec::new();
        let mut wanted = vec![key];
        wanted.extend_from_slice(required);
        let idx = require_columns(names, &wanted, header)?;
        let key_col = idx[0];
        for (i, n) in names.iter().enumerate() {
            if i != key_col {
                attr_cols.push(i);
                // required columns keep their canonical (lower-case) names
                let canon = required.iter().find(|r| r.eq_ignore_ascii_case(n));
                attr_names.push(canon.map_or_else(|| n.clone(), |r| r.to_string()));
            }
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
    let file = path.display().to_string();
    Metadata::new(key, attr_names, rows).map_err(|e| e.in_file(file))
}
