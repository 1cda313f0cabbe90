//! `peergroup rank`: top and bottom ids by year-to-date return on every date.

use clap::Args;
use peergroup_io::read_series;
use peergroup_pipeline::returns::{self, RankSettings};

use super::options::{OutputFile, ReturnsInput};
use super::CommandResult;

/// Arguments of `peergroup rank`.
#[derive(Args, Clone, Debug)]
pub struct RankArgs {
    #[command(flatten)]
    pub input: ReturnsInput,
    #[command(flatten)]
    pub settings: RankSettings,
    #[command(flatten)]
    pub output: OutputFile,
}

/// Run `peergroup rank`.
pub fn run(args: &RankArgs) -> CommandResult {
    let options = args.input.options(&["daily_return", "value"]);
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    let panel = read_series(&args.input.source(), &options)?;
    let (table, n) = returns::rank(&panel.to_returns(), &args.settings);
    outputs.write_table(out, &table)?;
    outputs.commit()?;
    eprintln!("wrote {n} ranked rows to {}", out.display());
    Ok(())
}
