//! The on-disk table formats: which one a path names, and the row granularity each
//! format's writer works in (shared by the readers and the writers).

use std::path::Path;

use peergroup_data::InputError;

/// Rows per CSV formatting task (see the CSV writer for the measured choice).
pub(crate) const CSV_CHUNK: usize = 2 * 1024;

/// Most rows in a Parquet row group.
pub(crate) const PARQUET_CHUNK: usize = 1 << 20;

/// On-disk table format, chosen by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text with a header line (`.csv`, `.txt`).
    Csv,
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
}

impl Format {
    /// The format for `path`'s extension, or an error naming the accepted ones.
    pub fn of(path: &Path) -> Result<Format, InputError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "txt" => Ok(Format::Csv),
            "parquet" | "pq" => Ok(Format::Parquet),
            _ => Err(InputError::new(format!(
                "cannot tell the format of '{}': expected a .csv or .parquet extension",
                path.display()
            ))),
        }
    }

    /// Rows per block for `write_table_blocks`: one Parquet row group, or a few
    /// rounds of CSV formatting on every core.
    pub fn block_rows(self) -> usize {
        match self {
            Format::Csv => 16 * CSV_CHUNK,
            Format::Parquet => PARQUET_CHUNK,
        }
    }
}
