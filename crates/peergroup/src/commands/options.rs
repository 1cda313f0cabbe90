//! Option groups shared by several commands, and the parsers of option values.

use std::path::PathBuf;

use clap::Args;
use peergroup_data::{Date, SeriesKind};
use peergroup_io::{OutputError, Outputs, SeriesOptions};

use super::CommandError;

/// `--out FILE` and `--force`: one output table.
#[derive(Args, Clone, Debug)]
pub struct OutputFile {
    /// Output table (CSV or Parquet by extension; its columns are listed in --help).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub force: Force,
}

impl OutputFile {
    /// The outputs of a command, with `--out` planned first: an existing file without
    /// `--force`, a bad extension or a missing folder fail before any work.
    pub fn plan(&self) -> Result<Outputs, OutputError> {
        let mut outputs = Outputs::new(self.force.force);
        outputs.plan_table(&self.out)?;
        Ok(outputs)
    }
}

/// `--out DIR` and `--force`: a folder of outputs.
#[derive(Args, Clone, Debug)]
pub struct OutputDir {
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub force: Force,
}

/// `--force`.
#[derive(Args, Clone, Copy, Debug)]
pub struct Force {
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
}

/// `--returns FILE` with how to read it (`--prices`, `--percent`, the column names): the
/// returns input of every command that reads one table of series.
#[derive(Args, Clone, Debug)]
pub struct ReturnsInput {
    /// Returns (or prices/NAVs with --prices): long id,date,value or wide date,<id>,...
    /// (CSV or Parquet).
    #[arg(long, alias = "series", value_name = "FILE")]
    pub returns: PathBuf,
    #[command(flatten)]
    pub flags: SeriesFlags,
    #[command(flatten)]
    pub columns: ColumnFlags,
}

impl ReturnsInput {
    /// How to read the table, the value column of a long table being --value-column or
    /// the first of `defaults` present; checked before any output is planned.
    pub fn options(&self, defaults: &[&str]) -> Result<SeriesOptions, CommandError> {
        self.columns.series_options(&self.flags, defaults)
    }

    /// The input's name in messages.
    pub fn name(&self) -> String {
        name(&self.returns)
    }
}

/// `--sheet` and the column names of the table inputs: the same flags in every command
/// that reads a table, so a vendor file (`SecId,Date,Return`) is read as it is.
#[derive(Args, Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnFlags {
    /// Sheet of an .xlsx, .xls or .ods input (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Id column of a long table (e.g. SecId; default: the command's, e.g. id).
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,
    /// Date column (e.g. Date; default: date).
    #[arg(long, value_name = "NAME")]
    pub date_column: Option<String>,
    /// Value column of a long table (e.g. Return; default: the command's, e.g. value).
    #[arg(long, alias = "column", value_name = "NAME")]
    pub value_column: Option<String>,
}

impl ColumnFlags {
    /// How to read a series table: prices or returns (`flags`), and the value column of a
    /// long table (`--value-column`, else the first of `defaults` present). The sheet and
    /// the id and date columns need the readers' column mapping, which crates/io does not
    /// have yet: giving them is an error rather than being ignored.
    pub fn series_options(
        &self,
        flags: &SeriesFlags,
        defaults: &[&str],
    ) -> Result<SeriesOptions, CommandError> {
        self.refuse_unmapped()?;
        Ok(match &self.value_column {
            Some(c) => flags.options(&[c.as_str()]),
            None => flags.options(defaults),
        })
    }

    /// Refuse `--sheet`, `--id-column` and `--date-column` until the readers take them.
    pub fn refuse_unmapped(&self) -> Result<(), CommandError> {
        for (flag, given) in [
            ("--sheet", &self.sheet),
            ("--id-column", &self.id_column),
            ("--date-column", &self.date_column),
        ] {
            if given.is_some() {
                return Err(CommandError::usage(format!(
                    "{flag} is not supported by this build's readers yet: rename the column (or save the sheet) as the command's --help lists"
                )));
            }
        }
        Ok(())
    }
}

/// `--category-column`: where a command reads categories.
#[derive(Args, Clone, Debug, Default, PartialEq, Eq)]
pub struct CategoryColumn {
    /// Category column of the categories table (default: category).
    #[arg(long, value_name = "NAME")]
    pub category_column: Option<String>,
}

impl CategoryColumn {
    /// The category column's name: --category-column, else `category`.
    pub fn name(&self) -> &str {
        self.category_column.as_deref().unwrap_or("category")
    }
}

/// `--prices` / `--percent`: what the values of a series table are.
#[derive(Args, Clone, Copy, Debug)]
pub struct SeriesFlags {
    /// Values are prices or NAVs (returns are derived) instead of returns.
    #[arg(long, conflicts_with = "percent")]
    pub prices: bool,
    /// Returns are in percent (5 = 5%) instead of fractions.
    #[arg(long)]
    pub percent: bool,
}

impl SeriesFlags {
    /// How to read a series file whose long form has one of `value_columns`.
    pub fn options(&self, value_columns: &[&str]) -> SeriesOptions {
        series_options(self.prices, self.percent, value_columns)
    }
}

/// How to read a series file: prices or returns, percent or fractions, and the value
/// column of a long table (the first of `value_columns` present).
pub fn series_options(prices: bool, percent: bool, value_columns: &[&str]) -> SeriesOptions {
    SeriesOptions {
        kind: if prices {
            SeriesKind::Prices
        } else {
            SeriesKind::Returns
        },
        percent,
        value_columns: value_columns.iter().map(|c| c.to_string()).collect(),
    }
}

/// Parse a date in any of the accepted forms.
pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).map_err(|e| e.to_string())
}

/// Parse `LO,HI` as a pair of numbers.
pub fn parse_pair(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').collect();
    match parts.as_slice() {
        [a, b] => match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
            (Ok(x), Ok(y)) => Ok((x, y)),
            _ => Err(format!("expected two numbers LO,HI, got '{s}'")),
        },
        _ => Err(format!("expected two numbers LO,HI, got '{s}'")),
    }
}

/// The path's text, as error messages and summaries name files.
pub fn name(path: &std::path::Path) -> String {
    path.display().to_string()
}
