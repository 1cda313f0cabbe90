//! The Parquet writer: each (row group, column) chunk encoded as its own task on all
//! cores while the previous batch of row groups is appended to the file.

use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::UInt32Type;
use arrow_array::{
    ArrayRef, Date32Array, DictionaryArray, Float64Array, Int64Array, RecordBatch, StringArray,
    UInt32Array,
};
use arrow_buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnWriter};
use parquet::arrow::arrow_writer::{ArrowRowGroupWriterFactory, ArrowWriterOptions};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;

use super::parquet_crc::{ChecksumStores, ChecksummedChunk, ChunkHandle};
use super::table::{Column, Table};
use crate::format::PARQUET_CHUNK;
use crate::sys::preallocate::PreallocatedFile;

/// A column as the Parquet writer sees it: borrowed (copied per row group) or owned
/// Arrow buffers (sliced per row group, no copy).
pub(super) enum Source<'a> {
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

/// An open Parquet file taking rows block by block; each block becomes one or more row
/// groups of at most [`PARQUET_CHUNK`] rows.
pub(super) struct ParquetSink {
    writer: SerializedFileWriter<BufWriter<PreallocatedFile>>,
    factory: ArrowRowGroupWriterFactory,
    schema: Arc<Schema>,
    /// The page stores of the column writers, which checksum every page.
    stores: Arc<ChecksumStores>,
    /// Row groups written so far (the index of the next one).
    groups: usize,
}

impl ParquetSink {
    /// `names` with the types (and, for Snappy, a sample of the values) of `first`, the
    /// first block.
    pub(super) fn create(
        path: &Path,
        names: &[String],
        first: &[Source<'_>],
    ) -> std::io::Result<ParquetSink> {
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
            // Settings are keyed by column name: a name two columns share would give one
            // column's encoding (DELTA for dates) to the other, which the writer refuses
            // with a panic. Such columns keep the defaults.
            if names.iter().filter(|m| *m == n).count() > 1 {
                continue;
            }
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
        // Checksummed chunks reach the file through std::io::copy, in 8 KiB pieces that
        // the crate's own 8 KiB buffer passes straight on: gathered here into 1 MiB
        // writes (8 KiB system calls cost 0.08 s more on a 100 MB output).
        let file = BufWriter::with_capacity(1 << 20, PreallocatedFile::create(path)?);
        // ArrowWriter sets up the file; its lower-level parts then let every (row group,
        // column) chunk be encoded as its own task. Without the Arrow schema in the
        // footer, readers see key columns as the plain UTF-8 strings they are (the
        // dictionary type only saves spelling every id out before Parquet's own
        // dictionary encoding). Every page gets its CRC-32 on the way through the stores.
        let stores = Arc::new(ChecksumStores::default());
        let options = ArrowWriterOptions::new()
            .with_properties(props)
            .with_skip_arrow_metadata(true)
            .with_page_store_factory(stores.clone());
        let (writer, factory) = ArrowWriter::try_new_with_options(file, schema.clone(), options)
            .and_then(ArrowWriter::into_serialized_writer)
            .map_err(std::io::Error::other)?;
        Ok(ParquetSink {
            writer,
            factory,
            schema,
            stores,
            groups: 0,
        })
    }

    /// Append the rows of `sources` (one per column) as one or more row groups.
    pub(super) fn write(&mut self, sources: Vec<Source<'_>>) -> std::io::Result<()> {
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
            stores,
            groups: written,
        } = self;
        let width = sources.len();
        let encode = |batch: &[(usize, (usize, usize))]| -> parquet::errors::Result<Vec<Vec<ChecksummedChunk>>> {
            let mut writers = Vec::with_capacity(batch.len());
            for (g, _) in batch {
                let ws = factory.create_column_writers(*g)?;
                // One store per column writer, made as the writers were.
                let handles = stores.take_created();
                if ws.len() != width || handles.len() != width {
                    return Err(parquet::errors::ParquetError::General(format!(
                        "{width} columns gave {} column writers and {} page stores",
                        ws.len(),
                        handles.len()
                    )));
                }
                writers.push(ws.into_iter().zip(handles).collect::<Vec<_>>());
            }
            let tasks: Vec<(usize, usize, ArrowColumnWriter, ChunkHandle)> = writers
                .into_iter()
                .enumerate()
                .flat_map(|(b, ws)| {
                    ws.into_iter()
                        .enumerate()
                        .map(move |(c, (w, h))| (b, c, w, h))
                })
                .collect();
            let chunks = tasks
                .into_par_iter()
                .map(|(b, c, mut w, h)| {
                    let (start, end) = batch[b].1;
                    let array = sources[c].chunk(start, end);
                    for leaf in compute_leaves(schema.field(c), &array)? {
                        w.write(&leaf)?;
                    }
                    ChecksummedChunk::new(w.close()?, &h)
                })
                .collect::<parquet::errors::Result<Vec<_>>>()?;
            let mut out: Vec<Vec<ChecksummedChunk>> = Vec::with_capacity(batch.len());
            let mut it = chunks.into_iter();
            for _ in batch {
                out.push(it.by_ref().take(width).collect());
            }
            Ok(out)
        };
        let append = |writer: &mut SerializedFileWriter<BufWriter<PreallocatedFile>>,
                      done: Vec<Vec<ChecksummedChunk>>|
         -> parquet::errors::Result<()> {
            for group in done {
                let mut rg = writer.next_row_group()?;
                for c in group {
                    c.append_to(&mut rg)?;
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
        let mut pending: Vec<Vec<ChecksummedChunk>> = Vec::new();
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

    pub(super) fn finish(self) -> std::io::Result<()> {
        // No fsync: outputs are renamed into place for atomicity against failures of this
        // process; durability against power loss is the file system's business.
        self.writer
            .into_inner()
            .map_err(std::io::Error::other)?
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?
            .finish()
    }
}

/// Write `table` to a new Parquet file at `path`, copying its columns row group by row
/// group.
pub(super) fn write_parquet(path: &Path, table: &Table) -> std::io::Result<()> {
    let sources = table.columns.iter().map(Source::Borrowed).collect();
    write_sources(path, &table.names, sources)
}

/// [`write_parquet`] for a table that is no longer needed: its number columns are handed
/// to Arrow without copying them.
pub(super) fn write_parquet_owned(path: &Path, table: Table) -> std::io::Result<()> {
    let Table { names, columns } = table;
    let sources: Vec<Source<'_>> = columns.into_iter().map(Source::owned).collect();
    write_sources(path, &names, sources)
}

/// `names` are the column names (the columns themselves are in `sources`).
fn write_sources(path: &Path, names: &[String], sources: Vec<Source<'_>>) -> std::io::Result<()> {
    let mut sink = ParquetSink::create(path, names, &sources)?;
    sink.write(sources)?;
    sink.finish()
}

/// A table as Arrow record batches of at most [`PARQUET_CHUNK`] rows, the types the
/// Parquet writer gives it (keys dictionary-encoded), its number columns handed over
/// without a copy: the form a front end in the same process takes a result in.
pub(crate) fn record_batches(table: Table) -> (Arc<Schema>, Vec<RecordBatch>) {
    let Table { names, columns } = table;
    let sources: Vec<Source<'_>> = columns.into_iter().map(Source::owned).collect();
    let fields: Vec<Field> = names
        .iter()
        .zip(&sources)
        .map(|(n, c)| Field::new(n, c.data_type(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let rows = sources.first().map_or(0, Source::len);
    let mut batches = Vec::new();
    let mut start = 0;
    while start < rows {
        let end = (start + PARQUET_CHUNK).min(rows);
        let arrays: Vec<ArrayRef> = sources.iter().map(|s| s.chunk(start, end)).collect();
        batches.push(
            RecordBatch::try_new(schema.clone(), arrays).expect("columns of one table match"),
        );
        start = end;
    }
    (schema, batches)
}

/// The columns of a block that is no longer needed, as owned sources.
pub(super) fn owned_sources(t: Table) -> Vec<Source<'static>> {
    t.columns.into_iter().map(Source::owned).collect()
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
