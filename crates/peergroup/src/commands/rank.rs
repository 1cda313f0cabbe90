//! `peergroup rank`: top and bottom ids by year-to-date return on every date.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::read_series;
use peergroup_pipeline::chart::industry::ytd_chart;
use peergroup_pipeline::returns::{rank_table, RankSettings};
use peergroup_returns::rank_ytd;

use super::options::{plan_chart, write_chart, OutputFile, ReturnsInput};
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
    /// Chart (.svg): YTD returns (%) of the top and bottom lists on the last date, as bars.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

/// Run `peergroup rank`.
pub fn run(args: &RankArgs) -> CommandResult {
    let options = args.input.options(&["daily_return", "value"]);
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    plan_chart(&mut outputs, args.chart.as_deref())?;
    let panel = read_series(&args.input.source(), &options)?.to_returns();
    let s = &args.settings;
    let rows = rank_ytd(&panel, s.top, s.bottom, s.all);
    let n = rows.len();
    outputs.write_table(out, &rank_table(panel.ids(), &rows))?;
    if let (Some(p), Some(last)) = (&args.chart, rows.iter().map(|r| r.date).max()) {
        write_chart(&mut outputs, p, &ytd_chart(panel.ids(), &rows, last))?;
    }
    outputs.commit()?;
    eprintln!("wrote {n} ranked rows to {}", out.display());
    Ok(())
}
