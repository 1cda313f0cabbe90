//! Readers for peergroup's matrix-shaped tables: exposures and fits written by
//! `peergroup style`, square factor-similarity matrices, similarity lists, feature
//! tables and label tables.

use std::collections::HashMap;

use peergroup_data::{Date, InputError, Position};

use crate::rows::{for_each_row, Row};
use crate::source::{AsSource, Role};

/// Keys in order of first appearance, with their index.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    /// Distinct keys.
    pub names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Keys {
    /// Index of `key`, adding it if new.
    pub fn intern(&mut self, key: &str) -> usize {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        self.index.insert(key.to_string(), self.names.len());
        self.names.push(key.to_string());
        self.names.len() - 1
    }

    /// Index of `key`, if known.
    pub fn get(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Exposures `fund,date,factor,beta` as a dense array per date.
#[derive(Clone, Debug)]
pub struct Exposures {
    /// Funds.
    pub funds: Keys,
    /// Factors.
    pub factors: Keys,
    /// Dates, increasing.
    pub dates: Vec<Date>,
    /// `values[(t * funds + i) * factors + k]`; NaN where a fund has no row that date.
    pub values: Vec<f64>,
}

impl Exposures {
    /// Exposures of fund `i` on date index `t` (NaN if absent).
    pub fn row(&self, t: usize, i: usize) -> &[f64] {
        let k = self.factors.len();
        let start = (t * self.funds.len() + i) * k;
        &self.values[start..start + k]
    }
}

/// The text of a cell that must not be empty (an id), or an error naming the cell.
pub(crate) fn nonempty_text(row: &Row<'_>, col: usize, name: &str) -> Result<String, InputError> {
    let t = row.text(col, name)?;
    if t.is_empty() {
        return Err(InputError::at(
            row.position(),
            format!("expected a {name}, found an empty cell"),
        )
        .with_column(name));
    }
    Ok(t.into_owned())
}

/// The distinct `dates` of a long table's rows, increasing; an error when it has no rows.
fn distinct_dates(mut dates: Vec<Date>) -> Result<Vec<Date>, InputError> {
    if dates.is_empty() {
        return Err(InputError::new("no data rows after the header"));
    }
    dates.sort_unstable();
    dates.dedup();
    Ok(dates)
}

/// Read `fund,date,factor,beta` (the output of `peergroup style`). Missing factors of a
/// fund on a date are 0 (not selected); duplicates are errors.
///
/// Roles: id (`fund`), date and value (`beta`).
pub fn read_exposures<S: AsSource + ?Sized>(source: &S) -> Result<Exposures, InputError> {
    let src = source.as_source();
    let mut funds = Keys::default();
    let mut factors = Keys::default();
    let mut rows: Vec<(usize, Date, usize, f64, Position)> = Vec::new();
    let roles = [
        (Role::Id, "fund"),
        (Role::Date, "date"),
        (Role::Value, "beta"),
    ];
    let file = for_each_row(&src, &roles, |h| {
        let c = h.require(&["fund", "date", "factor", "beta"])?;
        let (funds, factors, rows) = (&mut funds, &mut factors, &mut rows);
        Ok(move |row: &Row<'_>| {
            let f = funds.intern(&nonempty_text(row, c[0], "fund")?);
            let d = row.required_date(c[1], "date")?;
            let k = factors.intern(&nonempty_text(row, c[2], "factor")?);
            let b = row.required_number(c[3], "beta")?;
            rows.push((f, d, k, b, row.position()));
            Ok(())
        })
    })?;
    let dates =
        distinct_dates(rows.iter().map(|r| r.1).collect()).map_err(|e| e.in_file(file.clone()))?;
    let (n, k) = (funds.len(), factors.len());
    let mut values = vec![f64::NAN; dates.len() * n * k];
    let mut seen = vec![None::<Position>; dates.len() * n * k];
    for (f, d, fac, b, pos) in rows {
        let t = dates.binary_search(&d).expect("date on grid");
        let cell = (t * n + f) * k + fac;
        if let Some(first) = seen[cell] {
            return Err(InputError::at(
                pos,
                format!(
                    "duplicate exposure of fund '{}' to '{}' on {d} (first at {first})",
                    funds.names[f], factors.names[fac]
                ),
            )
            .in_file(file));
        }
        seen[cell] = Some(pos);
        values[cell] = b;
    }
    // A fund present on a date has every factor it was not given at zero.
    for t in 0..dates.len() {
        for i in 0..n {
            let cells = &mut values[(t * n + i) * k..(t * n + i + 1) * k];
            if cells.iter().any(|v| !v.is_nan()) {
                for v in cells.iter_mut().filter(|v| v.is_nan()) {
                    *v = 0.0;
                }
            }
        }
    }
    Ok(Exposures {
        funds,
        factors,
        dates,
        values,
    })
}

/// Read `fund,date,r2` (the fit output of `peergroup style`): R² per (fund, date).
/// R² must lie in [0, 1].
/// Roles: id (`fund`), date and value (`r2`).
pub fn read_fit_r2<S: AsSource + ?Sized>(
    source: &S,
) -> Result<HashMap<(String, Date), f64>, InputError> {
    let src = source.as_source();
    let mut out = HashMap::new();
    let roles = [
        (Role::Id, "fund"),
        (Role::Date, "date"),
        (Role::Value, "r2"),
    ];
    for_each_row(&src, &roles, |h| {
        let c = h.require(&["fund", "date", "r2"])?;
        let out = &mut out;
        Ok(move |row: &Row<'_>| {
            let f = nonempty_text(row, c[0], "fund")?;
            let d = row.required_date(c[1], "date")?;
            let r2 = row.required_number(c[2], "r2")?;
            if !(0.0..=1.0).contains(&r2) {
                return Err(InputError::at(
                    row.position(),
                    format!("expected an R² between 0 and 1, found {r2}"),
                )
                .with_column("r2"));
            }
            out.insert((f, d), r2);
            Ok(())
        })
    })?;
    Ok(out)
}

/// A square labelled matrix: first column and header are the same names.
#[derive(Clone, Debug)]
pub struct LabelledMatrix {
    /// Row and column names.
    pub names: Vec<String>,
    /// Row-major values.
    pub values: Vec<f64>,
}

/// Read a square matrix whose header and first column list the same names (in any
/// order: columns are matched to rows by name).
pub fn read_square_matrix<S: AsSource + ?Sized>(source: &S) -> Result<LabelledMatrix, InputError> {
    let src = source.as_source();
    let mut col_names: Vec<String> = Vec::new();
    let mut rows: Vec<(String, Vec<f64>, Position)> = Vec::new();
    let file = for_each_row(&src, &[], |h| {
        if h.names.len() < 2 {
            return Err(h.error(
                "expected a square matrix: a first column of names, then one column per name",
            ));
        }
        col_names = h.names[1..].to_vec();
        let width = col_names.len();
        let (cols, rows) = (&col_names, &mut rows);
        Ok(move |row: &Row<'_>| {
            let name = nonempty_text(row, 0, "name")?;
            let mut vals = Vec::with_capacity(width);
            for (j, c) in cols.iter().enumerate() {
                vals.push(row.required_number(j + 1, c)?);
            }
            rows.push((name, vals, row.position()));
            Ok(())
        })
    })?;
    let k = col_names.len();
    if rows.len() != k {
        return Err(InputError::new(format!(
            "expected a square matrix: {k} columns of values but {} rows",
            rows.len()
        ))
        .in_file(file));
    }
    let mut values = vec![0.0; k * k];
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    for (i, (name, vals, pos)) in rows.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(InputError::at(*pos, format!("'{name}' appears twice")).in_file(file));
        }
        for (j, c) in col_names.iter().enumerate() {
            let jj = names.iter().position(|n| n == c).ok_or_else(|| {
                InputError::new(format!("column '{c}' has no row of the same name: header and first column must list the same names")).with_column(c.clone()).in_file(file.clone())
            })?;
            values[i * k + jj] = vals[j];
        }
    }
    Ok(LabelledMatrix { names, values })
}

/// Pairwise similarities `date,fund_a,fund_b,similarity` (either or both orders).
#[derive(Clone, Debug)]
pub struct SimilarityTable {
    /// Funds in order of first appearance.
    pub funds: Keys,
    /// Dates, increasing.
    pub dates: Vec<Date>,
    /// Full symmetric matrices per date: `values[t * n * n + i * n + j]`; diagonal 1;
    /// NaN for pairs not given.
    pub values: Vec<f64>,
}

impl SimilarityTable {
    /// The n × n matrix of date index `t`.
    pub fn matrix(&self, t: usize) -> &[f64] {
        let n = self.funds.len();
        &self.values[t * n * n..(t + 1) * n * n]
    }
}

/// Read `date,fund_a,fund_b,similarity` (as written by `peergroup similarity` or
/// `peergroup correlation`). Pairs may be given in one or both orders; the two orders
/// must agree. Every pair must be present on every date.
///
/// Roles: date and value (`similarity`).
pub fn read_similarity<S: AsSource + ?Sized>(source: &S) -> Result<SimilarityTable, InputError> {
    let src = source.as_source();
    let mut funds = Keys::default();
    let mut rows: Vec<(Date, usize, usize, f64, Position)> = Vec::new();
    let roles = [(Role::Date, "date"), (Role::Value, "similarity")];
    let file = for_each_row(&src, &roles, |h| {
        let c = h.require(&["date", "fund_a", "fund_b", "similarity"])?;
        let (funds, rows) = (&mut funds, &mut rows);
        Ok(move |row: &Row<'_>| {
            let d = row.required_date(c[0], "date")?;
            let a = funds.intern(&nonempty_text(row, c[1], "fund_a")?);
            let b = funds.intern(&nonempty_text(row, c[2], "fund_b")?);
            let s = row.required_number(c[3], "similarity")?;
            rows.push((d, a, b, s, row.position()));
            Ok(())
        })
    })?;
    let dates =
        distinct_dates(rows.iter().map(|r| r.0).collect()).map_err(|e| e.in_file(file.clone()))?;
    let n = funds.len();
    let mut values = vec![f64::NAN; dates.len() * n * n];
    for (d, a, b, s, pos) in rows {
        let t = dates.binary_search(&d).expect("date on grid");
        let base = t * n * n;
        for (i, j) in [(a, b), (b, a)] {
            let cell = &mut values[base + i * n + j];
            if !cell.is_nan() && (*cell - s).abs() > 1e-12 {
                return Err(InputError::at(pos, format!("similarity of '{}' and '{}' on {d} is given twice with different values ({} and {s})", funds.names[a], funds.names[b], *cell)).in_file(file));
            }
            *cell = s;
        }
    }
    for t in 0..dates.len() {
        for i in 0..n {
            values[t * n * n + i * n + i] = 1.0;
            for j in 0..n {
                if values[t * n * n + i * n + j].is_nan() {
                    return Err(InputError::new(format!(
                        "no similarity for '{}' and '{}' on {}: every pair of funds must be present on every date",
                        funds.names[i], funds.names[j], dates[t]
                    ))
                    .in_file(file));
                }
            }
        }
    }
    Ok(SimilarityTable {
        funds,
        dates,
        values,
    })
}

/// A numeric feature table `id,<feature>...`.
#[derive(Clone, Debug)]
pub struct Features {
    /// Row ids.
    pub ids: Vec<String>,
    /// Feature names.
    pub names: Vec<String>,
    /// Row-major `ids × names`.
    pub values: Vec<f64>,
}

/// Read `id,<feature>...`: every cell a finite number, ids unique. Role: id.
pub fn read_features<S: AsSource + ?Sized>(source: &S) -> Result<Features, InputError> {
    let src = source.as_source();
    let mut names: Vec<String> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    let mut seen: HashMap<String, Position> = HashMap::new();
    let file = for_each_row(&src, &[(Role::Id, "id")], |h| {
        let c = h.require(&["id"])?;
        let feats: Vec<(usize, String)> = h
            .names
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != c[0])
            .map(|(i, n)| (i, n.clone()))
            .collect();
        if feats.is_empty() {
            return Err(h.error(format!(
                "expected at least one feature column after '{}'",
                h.names[c[0]]
            )));
        }
        names = feats.iter().map(|f| f.1.clone()).collect();
        let (ids, values, seen) = (&mut ids, &mut values, &mut seen);
        Ok(move |row: &Row<'_>| {
            let id = nonempty_text(row, c[0], "id")?;
            if let Some(first) = seen.insert(id.clone(), row.position()) {
                return Err(InputError::at(
                    row.position(),
                    format!("duplicate id '{id}' (first at {first})"),
                )
                .with_column("id"));
            }
            for (col, name) in &feats {
                values.push(row.required_number(*col, name)?);
            }
            ids.push(id);
            Ok(())
        })
    })?;
    if ids.is_empty() {
        return Err(InputError::new("no data rows after the header").in_file(file));
    }
    Ok(Features { ids, names, values })
}

/// Read the named text columns of every row, with each row's position.
pub fn read_text_table<S: AsSource + ?Sized>(
    source: &S,
    columns: &[&str],
) -> Result<Vec<(Vec<String>, Position)>, InputError> {
    read_text_columns(&source.as_source(), &[], columns).map(|(rows, _)| rows)
}

/// Rows of text cells, each with its position.
pub(crate) type TextRows = Vec<(Vec<String>, Position)>;

/// [`read_text_table`] with `roles` mapped; also the input's name for messages.
pub(crate) fn read_text_columns(
    src: &crate::Source,
    roles: &[(Role, &str)],
    columns: &[&str],
) -> Result<(TextRows, String), InputError> {
    let mut out = Vec::new();
    let file = for_each_row(src, roles, |h| {
        let c = h.require(columns)?;
        let out = &mut out;
        let columns = columns.to_vec();
        Ok(move |row: &Row<'_>| {
            let cells = c
                .iter()
                .zip(&columns)
                .map(|(&i, n)| row.text(i, n).map(|t| t.into_owned()))
                .collect::<Result<Vec<_>, _>>()?;
            out.push((cells, row.position()));
            Ok(())
        })
    })?;
    Ok((out, file))
}

/// Read a label table `<key>,<label_column>` into (id → label) in file order.
/// Roles: id (the `key` column) and category (the `label` column).
pub fn read_labels<S: AsSource + ?Sized>(
    source: &S,
    key: &str,
    label: &str,
) -> Result<Vec<(String, String)>, InputError> {
    let src = source.as_source();
    let mut out = Vec::new();
    for_each_row(&src, &[(Role::Id, key), (Role::Category, label)], |h| {
        let c = h.require(&[key, label])?;
        let out = &mut out;
        Ok(move |row: &Row<'_>| {
            out.push((
                nonempty_text(row, c[0], key)?,
                row.text(c[1], label)?.into_owned(),
            ));
            Ok(())
        })
    })?;
    Ok(out)
}
