//! `peergroup periods`: calendar-year, YTD and trailing returns per series.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::read_series;
use peergroup_pipeline::returns::{self, DEFAULT_TRAILING};
use peergroup_pipeline::Named;

use super::options::{comma_default, name, OutputFile, SeriesFlags};
use super::CommandResult;

/// Arguments of `peergroup periods`.
#[derive(Args, Clone, Debug)]
pub struct PeriodsArgs {
    /// Series table: long id,date,value or wide date,<id>,... (CSV or Parquet).
    #[arg(long, value_name = "FILE")]
    pub series: PathBuf,
    #[command(flatten)]
    pub flags: SeriesFlags,
    /// Value column of a long table.
    #[arg(long, default_value = "value", value_name = "NAME")]
    pub column: String,
    /// Trailing windows in years (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = comma_default(&DEFAULT_TRAILING), value_name = "YEARS")]
    pub trailing: Vec<u32>,
    #[command(flatten)]
    pub output: OutputFile,
}

/// Run `peergroup periods`.
pub fn run(args: &PeriodsArgs) -> CommandResult {
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    let panel = read_series(&args.series, &args.flags.options(&[args.column.as_str()]))?;
    let file = name(&args.series);
    let periods = returns::periods(Named::new(&panel, &file), &args.trailing)?;
    outputs.write_table(out, &periods.table)?;
    outputs.commit()?;
    eprintln!(
        "wrote {} period returns ({} partial: the series starts after the period) to {}",
        periods.rows,
        periods.partial,
        out.display()
    );
    Ok(())
}
