//! The on-disk table formats: which one a path names, and the row granularity each
//! format's writer works in (shared by the readers and the writers).

use std::path::Path;

use peergroup_data::InputError;

/// Rows per CSV formatting task (see the CSV writer for the measured choice).
pub(crate) const CSV_CHUNK: usize = 2 * 1024;

/// Most rows in a Parquet row group.
pub(crate) const PARQUET_CHUNK: usize = 1 << 20;

/// On-disk table format: a table file's format is its extension (case-insensitive).
///
/// | extension | format | read | write |
/// |---|---|---|---|
/// | `.csv`, `.txt` | comma-separated text, header line first | yes | yes |
/// | `.parquet`, `.pq` | Apache Parquet | yes | yes |
/// | `.xlsx` | Excel workbook (first sheet, or the named sheet) | yes | yes |
/// | `.xls` | Excel 97-2003 workbook | yes | no: write `.xlsx` instead |
/// | `.ods` | OpenDocument spreadsheet | yes | no: write `.xlsx` instead |
///
/// Any other extension (or none) is refused with the list of accepted ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text with a header line (`.csv`, `.txt`).
    Csv,
    /// Apache Parquet (`.parquet`, `.pq`).
    Parquet,
    /// Office Open XML workbook (`.xlsx`).
    Xlsx,
    /// Excel 97-2003 binary workbook (`.xls`), read only.
    Xls,
    /// OpenDocument spreadsheet (`.ods`), read only.
    Ods,
}

/// The accepted extensions, for messages.
const ACCEPTED: &str = ".csv, .txt, .parquet, .pq, .xlsx, .xls or .ods";

impl Format {
    /// The format of a table file named `path` (for reading), or an error naming the
    /// accepted extensions.
    pub fn of(path: &Path) -> Result<Format, InputError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "txt" => Ok(Format::Csv),
            "parquet" | "pq" => Ok(Format::Parquet),
            "xlsx" => Ok(Format::Xlsx),
            "xls" => Ok(Format::Xls),
            "ods" => Ok(Format::Ods),
            _ => Err(InputError::new(format!(
                "cannot tell the format of '{}': expected a {ACCEPTED} extension",
                path.display()
            ))),
        }
    }

    /// The format of a table output named `path`: as [`Format::of`], but `.xls` and
    /// `.ods` are refused (peergroup writes workbooks as `.xlsx` only).
    pub fn for_output(path: &Path) -> Result<Format, InputError> {
        match Format::of(path)? {
            f @ (Format::Xls | Format::Ods) => Err(InputError::new(format!(
                "cannot write '{}': {} files are read only, write .xlsx instead",
                path.display(),
                f.extension()
            ))),
            f => Ok(f),
        }
    }

    /// The usual extension of this format, with its dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => ".csv",
            Format::Parquet => ".parquet",
            Format::Xlsx => ".xlsx",
            Format::Xls => ".xls",
            Format::Ods => ".ods",
        }
    }

    /// Rows per block for `write_table_blocks`: one Parquet row group, or a few
    /// rounds of CSV formatting on every core.
    pub fn block_rows(self) -> usize {
        match self {
            Format::Parquet => PARQUET_CHUNK,
            _ => 16 * CSV_CHUNK,
        }
    }
}
