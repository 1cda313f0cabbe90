//! `peergroup periods`: calendar-year, YTD and trailing returns per series.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::read_series;
use peergroup_pipeline::chart::returns::periods_chart;
use peergroup_pipeline::returns::{self, PeriodsSettings};
use peergroup_pipeline::Named;
use peergroup_returns::period_returns;

use super::options::{plan_chart, write_chart, OutputFile, ReturnsInput};
use super::CommandResult;

/// Arguments of `peergroup periods`.
#[derive(Args, Clone, Debug)]
pub struct PeriodsArgs {
    #[command(flatten)]
    pub input: ReturnsInput,
    #[command(flatten)]
    pub settings: PeriodsSettings,
    #[command(flatten)]
    pub output: OutputFile,
    /// Chart (.svg): colour table of the period returns (%), a row per series (the first
    /// 40 of the input), a column per period; losses red, gains blue.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

/// Series drawn by --chart: a colour table stays legible up to about this many rows.
const CHARTED_SERIES: usize = 40;

/// Run `peergroup periods`.
pub fn run(args: &PeriodsArgs) -> CommandResult {
    args.settings.validate()?;
    let options = args.input.options(&["value"]);
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    plan_chart(&mut outputs, args.chart.as_deref())?;
    let panel = read_series(&args.input.source(), &options)?;
    let file = args.input.name();
    let periods = returns::periods(Named::new(&panel, &file), &args.settings)?;
    outputs.write_table(out, &periods.table)?;
    if let Some(p) = &args.chart {
        // The rows again (the table is what the stage returns); cheap next to reading.
        let rows: Vec<_> = period_returns(&panel, &args.settings.trailing)
            .into_iter()
            .filter(|r| r.id < CHARTED_SERIES)
            .collect();
        let shown = &panel.ids()[..panel.n_ids().min(CHARTED_SERIES)];
        write_chart(&mut outputs, p, &periods_chart(shown, &rows, &[]))?;
    }
    outputs.commit()?;
    eprintln!(
        "wrote {} period returns ({} partial: the series starts after the period) to {}",
        periods.rows,
        periods.partial,
        out.display()
    );
    Ok(())
}
