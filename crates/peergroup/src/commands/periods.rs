//! `peergroup periods`: calendar-year, YTD and trailing returns per series.

use clap::Args;
use peergroup_io::read_series;
use peergroup_pipeline::returns::{self, PeriodsSettings};
use peergroup_pipeline::Named;

use super::options::{OutputFile, ReturnsInput};
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
}

/// Run `peergroup periods`.
pub fn run(args: &PeriodsArgs) -> CommandResult {
    args.settings.validate()?;
    let options = args.input.options(&["value"]);
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    let panel = read_series(&args.input.source(), &options)?;
    let file = args.input.name();
    let periods = returns::periods(Named::new(&panel, &file), &args.settings)?;
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
