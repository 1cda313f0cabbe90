//! One fund's row of a pair table `date,fund_a,fund_b,similarity`, streamed: memory is
//! the fund's pairs, never the table. A Parquet file in the similarity command's layout
//! skips row groups whose fund statistics cannot hold the fund, reads the two fund
//! columns as dictionaries (one string comparison per distinct id and row group, an
//! integer per row) and decodes date and similarity only for the matching rows. Any
//! other file, or an unusual Parquet layout, goes through the row reader, row by row.

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type};
use arrow_array::{Array, ArrayRef, BooleanArray, DictionaryArray, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use parquet::arrow::arrow_reader::{
    ArrowPredicateFn, ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
    RowFilter,
};
use parquet::arrow::ProjectionMask;
use peergroup_data::{Date, InputError, Position};
use rayon::prelude::*;

use crate::decode_guard::guarded;
use crate::matrices::nonempty_text;
use crate::rows::{for_each_row, Row};
use crate::source::{AsSource, Role};

/// A fund's similarity to each other fund on one date of a pair table.
#[derive(Clone, Debug, PartialEq)]
pub struct FundPairs {
    /// The fund.
    pub fund: String,
    /// The date (the one asked for, or the table's last date with the fund).
    pub date: Date,
    /// The other funds, in order of first appearance in the table.
    pub others: Vec<String>,
    /// Similarity to each of `others` (the table's units).
    pub similarity: Vec<f64>,
}

/// One matching row: date, the other fund, similarity, where it was.
type Match = (Date, String, f64, Option<Position>);

/// The row of `fund` on `date` (default: the last date the table has it) of a pair table.
/// Errors name the file: an unknown fund (with the table's number of funds), a date the
/// fund does not have, a pair given twice with different values, and bad cells as the
/// row reader reports them.
///
/// Roles: date and value (`similarity`).
pub fn read_fund_pairs<S: AsSource + ?Sized>(
    source: &S,
    fund: &str,
    date: Option<Date>,
) -> Result<FundPairs, InputError> {
    let src = source.as_source();
    let file = src.label();
    let plain_names = src.columns.date.is_none() && src.columns.value.is_none();
    let plain_file = src.memory_table().is_none() && src.sheet.is_none() && plain_names;
    let find = |date: Option<Date>| -> Result<Vec<Match>, InputError> {
        let fast = match plain_file {
            true => parquet_matches(&src.path, fund, date).map_err(|e| e.in_file(&file))?,
            false => None,
        };
        match fast {
            Some(m) => Ok(m),
            None => row_matches(&src, fund),
        }
    };
    let matches = find(date)?;
    if let (true, Some(asked)) = (matches.is_empty(), date) {
        let mut dates: Vec<Date> = find(None)?.into_iter().map(|m| m.0).collect();
        dates.sort_unstable();
        dates.dedup();
        if let (Some(first), Some(last)) = (dates.first(), dates.last()) {
            return Err(InputError::new(format!(
                "fund '{fund}' has no similarities on {}; the table has it on {} date(s), {first} to {last}",
                asked,
                dates.len()
            ))
            .in_file(file));
        }
    }
    if matches.is_empty() {
        let n = count_funds(&src)?;
        return Err(InputError::new(format!(
            "unknown fund '{fund}': no pair of the similarity table's {n} funds names it"
        ))
        .in_file(file));
    }
    let chosen = match date {
        Some(d) => d,
        None => matches.iter().map(|m| m.0).max().expect("not empty"),
    };
    let mut others: Vec<String> = Vec::new();
    let mut similarity: Vec<f64> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (d, other, s, pos) in matches {
        if d != chosen {
            continue;
        }
        match seen.get(&other) {
            Some(&i) => {
                let before: f64 = similarity[i];
                if (before - s).abs() > 1e-12 {
                    let message = format!(
                        "similarity of '{fund}' and '{other}' on {d} is given twice with different values ({before} and {s})"
                    );
                    let e = match pos {
                        Some(p) => InputError::at(p, message),
                        None => InputError::new(message),
                    };
                    return Err(e.in_file(file));
                }
            }
            None => {
                seen.insert(other.clone(), others.len());
                others.push(other);
                similarity.push(s);
            }
        }
    }
    if others.is_empty() {
        return Err(
            InputError::new(format!("fund '{fund}' has no similarities on {chosen}")).in_file(file),
        );
    }
    Ok(FundPairs {
        fund: fund.to_string(),
        date: chosen,
        others,
        similarity,
    })
}

/// Every row naming `fund`, through the row reader (CSV, sheets, memory tables and any
/// Parquet layout): rows of other funds are checked for their ids only.
fn row_matches(src: &crate::source::Source, fund: &str) -> Result<Vec<Match>, InputError> {
    let mut matches = Vec::new();
    let roles = [(Role::Date, "date"), (Role::Value, "similarity")];
    for_each_row(src, &roles, |h| {
        let c = h.require(&["date", "fund_a", "fund_b", "similarity"])?;
        let matches = &mut matches;
        Ok(move |row: &Row<'_>| {
            let a = nonempty_text(row, c[1], "fund_a")?;
            let b = nonempty_text(row, c[2], "fund_b")?;
            let other = if a == fund {
                b
            } else if b == fund {
                a
            } else {
                return Ok(());
            };
            let d = row.required_date(c[0], "date")?;
            let s = row.required_number(c[3], "similarity")?;
            matches.push((d, other, s, Some(row.position())));
            Ok(())
        })
    })?;
    Ok(matches)
}

/// The number of distinct funds of the table (for the message about an unknown fund).
fn count_funds(src: &crate::source::Source) -> Result<usize, InputError> {
    let mut names: HashSet<String> = HashSet::new();
    let roles = [(Role::Date, "date"), (Role::Value, "similarity")];
    for_each_row(src, &roles, |h| {
        let c = h.require(&["date", "fund_a", "fund_b", "similarity"])?;
        let names = &mut names;
        Ok(move |row: &Row<'_>| {
            names.insert(nonempty_text(row, c[1], "fund_a")?);
            names.insert(nonempty_text(row, c[2], "fund_b")?);
            Ok(())
        })
    })?;
    Ok(names.len())
}

/// The Parquet fast path: `Ok(None)` when the file is not Parquet in the similarity
/// command's layout (the row reader then reads it and words any error).
fn parquet_matches(
    path: &Path,
    fund: &str,
    date: Option<Date>,
) -> Result<Option<Vec<Match>>, InputError> {
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
    {
        return Ok(None);
    }
    let Ok(f) = File::open(path) else {
        return Ok(None);
    };
    let Ok(Ok(plain)) = guarded(|| ArrowReaderMetadata::load(&f, ArrowReaderOptions::new())) else {
        return Ok(None);
    };
    let fields = plain.schema().fields().clone();
    let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
    if names != ["date", "fund_a", "fund_b", "similarity"] {
        return Ok(None);
    }
    let text = |t: &DataType| match t {
        DataType::Utf8 | DataType::LargeUtf8 => true,
        DataType::Dictionary(_, v) => matches!(v.as_ref(), DataType::Utf8 | DataType::LargeUtf8),
        _ => false,
    };
    if fields[0].data_type() != &DataType::Date32
        || !text(fields[1].data_type())
        || !text(fields[2].data_type())
        || fields[3].data_type() != &DataType::Float64
    {
        return Ok(None);
    }
    // Fund ids as dictionaries: keys per row, strings once per page dictionary.
    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let wanted = Schema::new(vec![
        fields[0].as_ref().clone(),
        Field::new("fund_a", dict.clone(), true),
        Field::new("fund_b", dict, true),
        fields[3].as_ref().clone(),
    ]);
    let Ok(meta) = ArrowReaderMetadata::try_new(
        Arc::clone(plain.metadata()),
        ArrowReaderOptions::new().with_schema(Arc::new(wanted)),
    ) else {
        return Ok(None);
    };
    let day = date.map(|d| d.days());
    // Row groups whose statistics allow the fund in fund_a or fund_b (and the date).
    let groups: Vec<usize> = meta
        .metadata()
        .row_groups()
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            let holds = |c: usize| {
                g.column(c).statistics().is_none_or(|s| {
                    let (lo, hi) = (s.min_bytes_opt(), s.max_bytes_opt());
                    lo.is_none_or(|lo| lo <= fund.as_bytes())
                        && hi.is_none_or(|hi| fund.as_bytes() <= hi)
                })
            };
            let on_date = match (day, g.column(0).statistics()) {
                (Some(d), Some(parquet::file::statistics::Statistics::Int32(s))) => {
                    s.min_opt().is_none_or(|lo| *lo <= d) && s.max_opt().is_none_or(|hi| d <= *hi)
                }
                _ => true,
            };
            on_date && (holds(1) || holds(2))
        })
        .map(|(g, _)| g)
        .collect();
    let results: Vec<Result<Vec<Match>, Miss>> = groups
        .into_par_iter()
        .map(|g| {
            guarded(|| group_matches(path, &meta, g, fund, day)).unwrap_or_else(|m| {
                Err(Miss::Error(format!(
                    "not a readable Parquet file: damaged ({m})"
                )))
            })
        })
        .collect();
    let mut out = Vec::new();
    for r in results {
        match r {
            Ok(m) => out.extend(m),
            Err(Miss::Fallback) => return Ok(None),
            Err(Miss::Error(m)) => return Err(InputError::new(m)),
        }
    }
    Ok(Some(out))
}

/// Why a row group was not read on the fast path.
enum Miss {
    /// Unusual content (a null, a non-finite number): the row reader reads and reports it.
    Fallback,
    /// The file could not be decoded.
    Error(String),
}

/// The rows of row group `g` that name `fund` (on day `day` when given).
fn group_matches(
    path: &Path,
    meta: &ArrowReaderMetadata,
    g: usize,
    fund: &str,
    day: Option<i32>,
) -> Result<Vec<Match>, Miss> {
    let err = |e: &dyn std::fmt::Display| Miss::Error(format!("cannot read Parquet: {e}"));
    let file = File::open(path).map_err(|e| err(&e))?;
    let schema = meta.parquet_schema();
    let wanted = fund.to_string();
    // The key of `fund` in the last dictionary seen per column. Pages of one column
    // chunk share one dictionary; holding it keeps its identity (no reuse of a freed
    // address by a later dictionary).
    let mut cached: [Option<(ArrayRef, Option<i32>)>; 2] = [None, None];
    let predicate = ArrowPredicateFn::new(
        ProjectionMask::roots(schema, [1, 2]),
        move |batch: RecordBatch| -> Result<BooleanArray, ArrowError> {
            let mut keep = vec![false; batch.num_rows()];
            for (c, cache) in cached.iter_mut().enumerate() {
                let ids: &DictionaryArray<Int32Type> = batch.column(c).as_dictionary();
                let same = cache
                    .as_ref()
                    .is_some_and(|(v, _)| Arc::ptr_eq(v, ids.values()));
                if !same {
                    let values = ids.values().as_string::<i32>();
                    let key = (0..values.len())
                        .find(|&i| values.is_valid(i) && values.value(i) == wanted)
                        .map(|i| i as i32);
                    *cache = Some((Arc::clone(ids.values()), key));
                }
                if let Some((_, Some(key))) = cache {
                    for (k, x) in keep.iter_mut().zip(ids.keys().values()) {
                        *k |= *x == *key;
                    }
                }
            }
            Ok(BooleanArray::from(keep))
        },
    );
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone())
        .with_row_groups(vec![g])
        .with_batch_size(64 * 1024)
        .with_row_filter(RowFilter::new(vec![Box::new(predicate)]))
        .build()
        .map_err(|e| err(&e))?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| err(&e))?;
        let dates = batch.column(0).as_primitive::<Date32Type>();
        let a: &DictionaryArray<Int32Type> = batch.column(1).as_dictionary();
        let b: &DictionaryArray<Int32Type> = batch.column(2).as_dictionary();
        let s = batch.column(3).as_primitive::<Float64Type>();
        let (av, bv) = (a.values().as_string::<i32>(), b.values().as_string::<i32>());
        for r in 0..batch.num_rows() {
            if dates.is_null(r) || s.is_null(r) || a.is_null(r) || b.is_null(r) {
                return Err(Miss::Fallback);
            }
            let d = dates.value(r);
            if day.is_some_and(|x| x != d) {
                continue;
            }
            let (fa, fb) = (
                av.value(a.keys().value(r) as usize),
                bv.value(b.keys().value(r) as usize),
            );
            let other = if fa == fund { fb } else { fa };
            let value = s.value(r);
            if !value.is_finite() || fa.is_empty() || fb.is_empty() {
                return Err(Miss::Fallback);
            }
            out.push((Date::from_days(d), other.to_string(), value, None));
        }
    }
    Ok(out)
}
