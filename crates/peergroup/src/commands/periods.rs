//! `peergroup periods`: calendar-year, YTD and trailing returns per series.

use std::path::PathBuf;

use peergroup_io::{read_series, Outputs};
use peergroup_returns::period_returns;

use super::tables::periods_table;
use super::CommandResult;

/// Inputs and settings of `peergroup periods`.
#[derive(Clone, Debug)]
pub struct PeriodsArgs {
    /// Series table (long or wide).
    pub series: PathBuf,
    /// Values are prices/NAVs rather than returns.
    pub prices: bool,
    /// Returns are in percent.
    pub percent: bool,
    /// Value column of a long table.
    pub column: String,
    /// Trailing windows in years.
    pub trailing: Vec<u32>,
    /// Output table.
    pub out: PathBuf,
    /// Replace an existing output.
    pub force: bool,
}

/// Run `peergroup periods`; returns the number of rows written.
pub fn run(args: &PeriodsArgs) -> CommandResult<usize> {
    let mut outputs = Outputs::new(args.force);
    outputs.plan_table(&args.out)?;
    let panel = read_series(
        &args.series,
        &super::series_options(args.prices, args.percent, &[args.column.as_str()]),
    )?;
    let rows = period_returns(&panel, &args.trailing);
    outputs.write_table(&args.out, &periods_table(panel.ids(), &rows))?;
    outputs.commit()?;
    Ok(rows.len())
}
