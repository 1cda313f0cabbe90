//! Columnar tables written as CSV, Parquet or `.xlsx`: the table model ([`Table`],
//! [`Column`]), one writer per format, and the choice between them by [`Format`].

mod cell_text;
mod csv_writer;
mod parquet_crc;
mod parquet_writer;
mod table;
#[cfg(test)]
mod tests;
mod xlsx_writer;

use std::path::Path;

use csv_writer::CsvSink;
use parquet_writer::{owned_sources, ParquetSink};
pub use table::{Column, RowTable, Table};
pub use xlsx_writer::{
    excel_limits, sheet_names, write_workbook, EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS,
};

use crate::format::Format;

/// A table as Arrow record batches (keys dictionary-encoded, numbers not copied): see
/// [`crate::Outputs`]' tables in memory.
pub(crate) fn record_batches(
    table: Table,
) -> (
    std::sync::Arc<arrow_schema::Schema>,
    Vec<arrow_array::RecordBatch>,
) {
    parquet_writer::record_batches(table)
}

/// Write `table` to `path` in the format of its extension (no atomicity: see [`crate::Outputs`]).
pub fn write_table(path: &Path, format: Format, table: &Table) -> std::io::Result<()> {
    match format {
        Format::Csv => csv_writer::write_csv(path, table),
        Format::Parquet => parquet_writer::write_parquet(path, table),
        Format::Xlsx => xlsx_writer::write_xlsx(path, table),
        other => Err(not_writable(other)),
    }
}

/// [`write_table`] for a table that is no longer needed: Parquet then hands its number
/// columns to Arrow without copying them (at 50M rows the copies and their page faults
/// cost more than the encoding).
pub fn write_table_owned(path: &Path, format: Format, table: Table) -> std::io::Result<()> {
    match format {
        Format::Csv => csv_writer::write_csv(path, &table),
        Format::Parquet => parquet_writer::write_parquet_owned(path, table),
        Format::Xlsx => xlsx_writer::write_xlsx(path, &table),
        other => Err(not_writable(other)),
    }
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
    match format {
        Format::Csv => {
            let mut sink = CsvSink::create(path, &names)?;
            overlapped(
                first,
                || next_block(&mut blocks, &names, |t| t),
                |block| sink.write(block),
            )?;
            sink.finish()
        }
        Format::Parquet => {
            let first = owned_sources(first);
            let mut sink = ParquetSink::create(path, &names, &first)?;
            overlapped(
                first,
                || next_block(&mut blocks, &names, owned_sources),
                |sources| sink.write(std::mem::take(sources)),
            )?;
            sink.finish()
        }
        Format::Xlsx => xlsx_writer::write_blocks(path, std::iter::once(first).chain(blocks)),
        other => Err(not_writable(other)),
    }
}

/// The error for a format this crate does not write (`.xls`, `.ods`).
fn not_writable(format: Format) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{} files are read only, write .xlsx instead",
            format.extension()
        ),
    )
}

/// Write `first` and then each block that `next` produces, producing every next block
/// (on all cores) while the previous one is written, so no more than two blocks exist at
/// a time. A block is dropped only once its step is over. Ends at the first error of
/// either side, after both sides of its step are done.
fn overlapped<B: Send>(
    first: B,
    mut next: impl FnMut() -> std::io::Result<Option<B>> + Send,
    mut write: impl FnMut(&mut B) -> std::io::Result<()> + Send,
) -> std::io::Result<()> {
    let mut pending = Some(first);
    while let Some(mut block) = pending.take() {
        let (done, produced) = rayon::join(|| write(&mut block), &mut next);
        done?;
        pending = produced?;
    }
    Ok(())
}

/// The next block of `rest` as `prepare` makes it, after checking that it has the columns
/// `names` of the first block.
fn next_block<I, B>(
    rest: &mut I,
    names: &[String],
    prepare: impl FnOnce(Table) -> B,
) -> std::io::Result<Option<B>>
where
    I: Iterator<Item = Table>,
{
    rest.next()
        .map(|t| t.same_columns_as(names).map(|()| prepare(t)))
        .transpose()
}
