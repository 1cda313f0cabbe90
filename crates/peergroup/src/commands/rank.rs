//! `peergroup rank`: top and bottom ids by year-to-date return on every date.

use std::path::PathBuf;

use peergroup_io::{read_series, Outputs};
use peergroup_returns::rank_ytd;

use super::tables::rank_table;
use super::CommandResult;

/// Inputs and settings of `peergroup rank`.
#[derive(Clone, Debug)]
pub struct RankArgs {
    /// Series table, or the output of `peergroup industry` (its `daily_return` is used).
    pub returns: PathBuf,
    /// Values are prices/NAVs.
    pub prices: bool,
    /// Returns are in percent.
    pub percent: bool,
    /// Size of the top list.
    pub top: usize,
    /// Size of the bottom list.
    pub bottom: usize,
    /// Also list ids in neither list.
    pub all: bool,
    /// Output table.
    pub out: PathBuf,
    /// Replace an existing output.
    pub force: bool,
}

/// Run `peergroup rank`; returns the number of rows written.
pub fn run(args: &RankArgs) -> CommandResult<usize> {
    let mut outputs = Outputs::new(args.force);
    outputs.plan_table(&args.out)?;
    let panel = read_series(
        &args.returns,
        &super::series_options(args.prices, args.percent, &["daily_return", "value"]),
    )?;
    let returns = panel.to_returns();
    let rows = rank_ytd(&returns, args.top, args.bottom, args.all);
    outputs.write_table(&args.out, &rank_table(returns.ids(), &rows))?;
    outputs.commit()?;
    Ok(rows.len())
}
