//! `peergroup periods`: calendar-year, YTD and trailing returns per series.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::read_series;
use peergroup_pipeline::returns::{self, PeriodsSettings};

use super::options::{ColumnFlags, OutputFile, SeriesFlags};
use super::CommandResult;

/// Arguments of `peergroup periods`.
#[derive(Args, Clone, Debug)]
pub struct PeriodsArgs {
    /// Returns (or prices with --prices): long id,date,value or wide date,<id>,... (CSV or
    /// Parquet), e.g. the output of `peergroup industry`.
    #[arg(long, alias = "series", value_name = "FILE")]
    pub returns: PathBuf,
    #[command(flatten)]
    pub flags: SeriesFlags,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub settings: PeriodsSettings,
    #[command(flatten)]
    pub output: OutputFile,
}

/// Run `peergroup periods`.
pub fn run(args: &PeriodsArgs) -> CommandResult {
    args.settings.validate()?;
    let options = args.columns.series_options(&args.flags, &["value"])?;
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    let panel = read_series(&args.returns, &options)?;
    let (table, n) = returns::periods(&panel, &args.settings);
    outputs.write_table(out, &table)?;
    outputs.commit()?;
    eprintln!("wrote {n} period returns to {}", out.display());
    Ok(())
}
