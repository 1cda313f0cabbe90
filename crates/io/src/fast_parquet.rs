//! Parallel, columnar reading of industry data from Parquet.
//!
//! Row groups are decoded on all cores, each straight into its own slice of the output
//! columns (row counts are in the file's metadata), and class ids are read as a
//! dictionary, so a 45M-row file costs one hash lookup per distinct id and row group
//! rather than a string per row. Only the common, clean layout takes this path:
//! string ids, DATE dates and DOUBLE values without nulls, empty ids or non-finite
//! numbers. Anything else returns `None` and the general row reader runs instead, so
//! every error is reported exactly as before.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use peergroup_data::{IndustryBuilder, InputError, PositionKind};
use rayon::prelude::*;

use crate::chunks::{globalise_codes, split_lens, IndustryColumns, Slots};
use crate::decode_guard::guarded;
use crate::rows::Header;

/// Why a row group could not be read on the fast path.
enum Miss {
    /// Unusual content: let the row reader handle (and report) it.
    Fallback,
    /// The file could not be decoded.
    Error(String),
}

impl From<parquet::errors::ParquetError> for Miss {
    fn from(e: parquet::errors::ParquetError) -> Miss {
        Miss::Error(format!("cannot read Parquet: {e}"))
    }
}

impl From<arrow_schema::ArrowError> for Miss {
    fn from(e: arrow_schema::ArrowError) -> Miss {
        Miss::Error(format!("cannot read Parquet: {e}"))
    }
}

/// The industry columns of `path`, or `Ok(None)` when the file needs the row reader.
pub(crate) fn industry(path: &Path) -> Result<Option<IndustryBuilder>, InputError> {
    // Mapped once and shared by every row-group reader: no read calls copying the file
    // out of the page cache, no file handle per row group.
    let file = crate::sys::memory_map::read_file(path)?.into_bytes();
    let Ok(Ok(plain)) = guarded(|| ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()))
    else {
        return Ok(None); // the row reader words the error
    };
    let fields = plain.schema().fields().clone();
    let names: Vec<String> = fields.iter().map(|f| f.name().trim().to_string()).collect();
    let cols =
        Header::plain(&names, None).require(&["class_id", "date", "price", "shares", "aum"])?;
    // The row reader trims plain string ids but not dictionary ones; do the same.
    let trim_ids = match fields[cols[0]].data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v)
            if matches!(v.as_ref(), DataType::Utf8 | DataType::LargeUtf8) =>
        {
            false
        }
        _ => return Ok(None),
    };
    if fields[cols[1]].data_type() != &DataType::Date32
        || cols[2..]
            .iter()
            .any(|&c| fields[c].data_type() != &DataType::Float64)
    {
        return Ok(None);
    }
    // Ask for the ids as a dictionary: the decoder then hands over each page's
    // dictionary and keys instead of building one string per row.
    let mut wanted: Vec<Field> = fields.iter().map(|f| f.as_ref().clone()).collect();
    wanted[cols[0]] = Field::new(
        fields[cols[0]].name(),
        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
        true,
    );
    let Ok(meta) = ArrowReaderMetadata::try_new(
        Arc::clone(plain.metadata()),
        ArrowReaderOptions::new().with_schema(Arc::new(Schema::new(wanted))),
    ) else {
        return Ok(None);
    };
    let lens: Vec<usize> = meta
        .metadata()
        .row_groups()
        .iter()
        .map(|g| usize::try_from(g.num_rows()).unwrap_or(0))
        .collect();
    let total: usize = lens.iter().sum();
    // Batch columns come in file order; `pick[k]` is where wanted column k lands.
    let mut sorted = cols.clone();
    sorted.sort_unstable();
    let pick: Vec<usize> = cols
        .iter()
        .map(|c| sorted.iter().position(|s| s == c).expect("present"))
        .collect();

    let mut columns = IndustryColumns::zeroed(total);
    let slots = columns.slots(&lens);
    let results: Vec<Result<Vec<String>, Miss>> = slots
        .into_par_iter()
        .enumerate()
        .map(|(g, out)| -> Result<Vec<String>, Miss> {
            // A damaged page can make the decoder panic: read as an error.
            guarded(|| {
                let reader =
                    ParquetRecordBatchReaderBuilder::new_with_metadata(file.clone(), meta.clone())
                        .with_projection(ProjectionMask::roots(meta.parquet_schema(), cols.clone()))
                        .with_row_groups(vec![g])
                        .with_batch_size(64 * 1024)
                        .build()?;
                read_group(reader, &pick, trim_ids, out)
            })
            .unwrap_or_else(|m| {
                Err(Miss::Error(format!(
                    "not a readable Parquet file: damaged ({m})"
                )))
            })
        })
        .collect();
    let mut groups = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(names) => groups.push(names),
            Err(Miss::Fallback) => return Ok(None),
            Err(Miss::Error(m)) => return Err(InputError::new(m)),
        }
    }
    // Global codes in order of first appearance, as the row reader assigns them.
    let class_names = globalise_codes(split_lens(&mut columns.class, &lens), groups);
    // Row r of the file is record r: no need to store 45M row numbers.
    Ok(Some(columns.into_builder(
        class_names,
        PositionKind::Row,
        Vec::new(),
    )))
}

/// Decode one row group into `out`; returns its class names (local code = index).
fn read_group(
    reader: impl Iterator<Item = Result<RecordBatch, arrow_schema::ArrowError>>,
    pick: &[usize],
    trim_ids: bool,
    out: Slots<'_>,
) -> Result<Vec<String>, Miss> {
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut at = 0usize;
    for batch in reader {
        let batch = batch?;
        let n = batch.num_rows();
        if at + n > out.class.len() {
            return Err(Miss::Fallback); // metadata and data disagree: let the row reader decide
        }
        let ids = batch.column(pick[0]);
        let Some(ids) = ids.as_dictionary_opt::<Int32Type>() else {
            return Err(Miss::Fallback);
        };
        if ids.null_count() > 0 {
            return Err(Miss::Fallback);
        }
        let Some(values) = ids.values().as_string_opt::<i32>() else {
            return Err(Miss::Fallback);
        };
        // Local code of every dictionary entry (a few hundred per batch).
        let mut local = Vec::with_capacity(values.len());
        for v in 0..values.len() {
            let text = if values.is_null(v) {
                ""
            } else {
                values.value(v)
            };
            let text = if trim_ids { text.trim() } else { text };
            if text.is_empty() {
                local.push(u32::MAX); // only an error if a row uses it
                continue;
            }
            let code = match index.get(text) {
                Some(&c) => c,
                None => {
                    let c = names.len() as u32;
                    names.push(text.to_string());
                    index.insert(text.to_string(), c);
                    c
                }
            };
            local.push(code);
        }
        let dst = &mut out.class[at..at + n];
        for (d, &k) in dst.iter_mut().zip(ids.keys().values().iter()) {
            *d = local.get(k as usize).copied().unwrap_or(u32::MAX);
        }
        if dst.contains(&u32::MAX) {
            return Err(Miss::Fallback);
        }
        let dates = batch.column(pick[1]).as_primitive::<Date32Type>();
        if dates.null_count() > 0 {
            return Err(Miss::Fallback);
        }
        out.date[at..at + n].copy_from_slice(dates.values());
        for (k, dst) in [
            (2, &mut *out.price),
            (3, &mut *out.shares),
            (4, &mut *out.aum),
        ] {
            let v = batch.column(pick[k]).as_primitive::<Float64Type>();
            if v.null_count() > 0 || !v.values().iter().all(|x| x.is_finite()) {
                return Err(Miss::Fallback);
            }
            dst[at..at + n].copy_from_slice(v.values());
        }
        at += n;
    }
    if at != out.class.len() {
        return Err(Miss::Fallback);
    }
    Ok(names)
}
