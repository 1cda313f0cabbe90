//! `peergroup rank`: top and bottom ids by year-to-date return on every date.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::read_series;
use peergroup_pipeline::returns::{self, RankSettings};

use super::options::{OutputFile, SeriesFlags};
use super::CommandResult;

/// Arguments of `peergroup rank`.
#[derive(Args, Clone, Debug)]
pub struct RankArgs {
    /// Returns: a series table or the output of `peergroup industry`.
    #[arg(long, value_name = "FILE")]
    pub returns: PathBuf,
    #[command(flatten)]
    pub flags: SeriesFlags,
    /// Size of the top list per date.
    #[arg(long, default_value_t = RankSettings::default().top, value_name = "N")]
    pub top: usize,
    /// Size of the bottom list per date.
    #[arg(long, default_value_t = RankSettings::default().bottom, value_name = "N")]
    pub bottom: usize,
    /// Also write ids in neither list (side = middle).
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub output: OutputFile,
}

/// Run `peergroup rank`.
pub fn run(args: &RankArgs) -> CommandResult {
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    let panel = read_series(
        &args.returns,
        &args.flags.options(&["daily_return", "value"]),
    )?;
    let settings = RankSettings {
        top: args.top,
        bottom: args.bottom,
        all: args.all,
    };
    let (table, n) = returns::rank(&panel.to_returns(), &settings);
    outputs.write_table(out, &table)?;
    outputs.commit()?;
    eprintln!("wrote {n} ranked rows to {}", out.display());
    Ok(())
}
