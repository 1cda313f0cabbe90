//! Option groups shared by several commands, and the parsers of option values.

use std::path::{Path, PathBuf};

use clap::Args;
use peergroup_data::plausibility::{percent_per_period, valid_max_return, DEFAULT_MAX_RETURN};
use peergroup_data::{Date, InputError, SeriesKind};
use peergroup_io::{ColumnNames, OutputError, Outputs, SeriesOptions, Source};
use peergroup_pipeline::Chart;

/// `--out FILE` and `--force`: one output table.
#[derive(Args, Clone, Debug)]
pub struct OutputFile {
    /// Output table: .csv, .parquet or .xlsx by extension (its columns are listed in --help).
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

/// Plan a `--chart` file with the other outputs: it must end in `.svg`, and an
/// existing file needs --force; both are refused before any work.
pub fn plan_chart(outputs: &mut Outputs, path: Option<&Path>) -> Result<(), OutputError> {
    let Some(path) = path else { return Ok(()) };
    let svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if !svg {
        return Err(OutputError::Usage(InputError::new(format!(
            "--chart '{}': charts are SVG, expected a file name ending in .svg",
            path.display()
        ))));
    }
    outputs.plan(path)
}

/// Stage `chart` as SVG at `path` (planned by [`plan_chart`]), written atomically with
/// the command's other outputs.
pub fn write_chart(outputs: &mut Outputs, path: &Path, chart: &Chart) -> Result<(), OutputError> {
    outputs.write_bytes(path, chart.to_svg().as_bytes())
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
    /// (CSV, Parquet, .xlsx, .xls or .ods).
    #[arg(long, alias = "series", value_name = "FILE")]
    pub returns: PathBuf,
    #[command(flatten)]
    pub flags: SeriesFlags,
    #[command(flatten)]
    pub columns: ColumnFlags,
}

impl ReturnsInput {
    /// The returns table with --sheet and the column names.
    pub fn source(&self) -> Source {
        self.columns.source(&self.returns)
    }

    /// How to read the table: the value column of a long table is --value-column, else
    /// the first of `defaults` present.
    pub fn options(&self, defaults: &[&str]) -> SeriesOptions {
        self.flags.options(defaults)
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
    /// The table `path` as the readers take it: --sheet, and the file's names of the id,
    /// date and value columns (unmapped roles keep each reader's own names).
    pub fn source(&self, path: &Path) -> Source {
        Source::new(path)
            .with_sheet(self.sheet.clone())
            .with_columns(ColumnNames {
                id: self.id_column.clone(),
                date: self.date_column.clone(),
                value: self.value_column.clone(),
                category: None,
            })
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
    /// The categories table `path` with its category column mapped (--sheet applies
    /// when `columns` has one).
    pub fn source(&self, path: &Path, sheet: Option<&str>) -> Source {
        Source::new(path)
            .with_sheet(sheet.map(String::from))
            .with_columns(ColumnNames {
                category: self.category_column.clone(),
                ..ColumnNames::default()
            })
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
    #[command(flatten)]
    pub max_return: MaxReturn,
}

impl SeriesFlags {
    /// How to read a series file whose long form has one of `value_columns`.
    pub fn options(&self, value_columns: &[&str]) -> SeriesOptions {
        series_options(self.prices, self.percent, self.max_return, value_columns)
    }
}

/// `--max-return`: the plausibility bound of the returns read from a file (given, or
/// implied by consecutive prices or by industry price, shares and AUM).
#[derive(Args, Clone, Copy, Debug, PartialEq)]
pub struct MaxReturn {
    /// Largest plausible return per period, as a fraction (10 = +1,000%; also with
    /// --percent): a larger return, given or implied by prices, is an error naming the cell.
    #[arg(long, value_name = "FRACTION", default_value_t = DEFAULT_MAX_RETURN, value_parser = parse_max_return)]
    pub max_return: f64,
}

impl Default for MaxReturn {
    fn default() -> Self {
        MaxReturn {
            max_return: DEFAULT_MAX_RETURN,
        }
    }
}

/// Parse `--max-return`: a finite positive fraction.
pub fn parse_max_return(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if valid_max_return(v) => Ok(v),
        _ => Err(format!(
            "expected a positive number, a fraction per period (the default {DEFAULT_MAX_RETURN} is {})",
            percent_per_period(DEFAULT_MAX_RETURN)
        )),
    }
}

/// How to read a series file: prices or returns, percent or fractions, the bound of a
/// plausible return, and the value column of a long table (the first of `value_columns`
/// present).
pub fn series_options(
    prices: bool,
    percent: bool,
    max_return: MaxReturn,
    value_columns: &[&str],
) -> SeriesOptions {
    SeriesOptions {
        kind: if prices {
            SeriesKind::Prices
        } else {
            SeriesKind::Returns
        },
        percent,
        value_columns: value_columns.iter().map(|c| c.to_string()).collect(),
        max_return: max_return.max_return,
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
