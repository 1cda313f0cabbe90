//! Option groups shared by several commands, and the parsers of option values.

use std::path::PathBuf;

use clap::Args;
use peergroup_cluster::select::KRule;
use peergroup_data::{Date, SeriesKind};
use peergroup_io::{OutputError, Outputs, SeriesOptions};
use peergroup_pipeline::segment::KSettings;
use peergroup_pipeline::KChoice;

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

/// `--k`, `--k-max` and `--k-rule`: the number of segments, given or chosen.
#[derive(Args, Clone, Copy, Debug)]
pub struct KOptions {
    /// Number of clusters, or auto.
    #[arg(long, default_value_t = KSettings::default().k)]
    pub k: KChoice,
    /// Largest k tried by --k auto.
    #[arg(long, default_value_t = KSettings::default().k_max)]
    pub k_max: usize,
    /// Criterion of --k auto: silhouette (widest mean silhouette; k = 1 when it is at most 0.25) or gap (Tibshirani's gap statistic).
    #[arg(long, default_value = "silhouette", value_parser = parse_k_rule, value_name = "RULE")]
    pub k_rule: KRule,
}

impl From<KOptions> for KSettings {
    fn from(o: KOptions) -> KSettings {
        KSettings {
            k: o.k,
            k_max: o.k_max,
            rule: o.k_rule,
        }
    }
}

/// Parse `silhouette` or `gap`.
pub fn parse_k_rule(s: &str) -> Result<KRule, String> {
    match s.to_ascii_lowercase().as_str() {
        "silhouette" => Ok(KRule::Silhouette),
        "gap" => Ok(KRule::Gap),
        _ => Err(format!("expected silhouette or gap, got '{s}'")),
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

/// A list default as clap shows it and reads it back: comma-separated (clap would join
/// `default_values_t` with spaces, which the comma-delimited option does not accept as
/// one value). Built once per run, when the command line is defined.
pub fn comma_default<T: ToString>(values: &[T]) -> &'static str {
    let text: Vec<String> = values.iter().map(ToString::to_string).collect();
    Box::leak(text.join(",").into_boxed_str())
}

/// The command-line names of choices, for [`comma_default`].
pub fn choice_names<T: clap::ValueEnum>(values: &[T]) -> Vec<String> {
    values
        .iter()
        .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
        .collect()
}

/// The path's text, as error messages and summaries name files.
pub fn name(path: &std::path::Path) -> String {
    path.display().to_string()
}
