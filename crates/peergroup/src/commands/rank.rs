//! `peergroup rank`: top and bottom ids by year-to-date return on every date.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::read_series;
use peergroup_pipeline::returns::{self, RankSettings};

use super::options::{ColumnFlags, OutputFile, SeriesFlags};
use super::CommandResult;

/// Arguments of `peergroup rank`.
#[derive(Args, Clone, Debug)]
pub struct RankArgs {
    /// Returns: a series table or the output of `peergroup industry`.
    #[arg(long, alias = "series", value_name = "FILE")]
    pub returns: PathBuf,
    #[command(flatten)]
    pub flags: SeriesFlags,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub settings: RankSettings,
    #[command(flatten)]
    pub output: OutputFile,
}

/// Run `peergroup rank`.
pub fn run(args: &RankArgs) -> CommandResult {
    let options = args
        .columns
        .series_options(&args.flags, &["daily_return", "value"])?;
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    let panel = read_series(&args.returns, &options)?;
    let (table, n) = returns::rank(&panel.to_returns(), &args.settings);
    outputs.write_table(out, &table)?;
    outputs.commit()?;
    eprintln!("wrote {n} ranked rows to {}", out.display());
    Ok(())
}
