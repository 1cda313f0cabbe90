//! `peergroup style`: exposures of every fund to a factor universe.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::read_series;
use peergroup_pipeline::chart::style::exposures_chart;
use peergroup_pipeline::style::{self, StyleSettings};
use peergroup_pipeline::Named;

use super::options::{
    name, plan_chart, write_chart, ColumnFlags, MaxReturn, OutputFile, SeriesFlags,
};
use super::{step, CommandError, CommandResult};

/// Arguments of `peergroup style`.
#[derive(Args, Clone, Debug)]
pub struct StyleArgs {
    /// Fund returns (or NAVs with --prices): long id,date,value or wide date,<fund>,...
    /// (CSV, Parquet, .xlsx, .xls or .ods).
    #[arg(long, alias = "funds", value_name = "FILE")]
    pub returns: PathBuf,
    /// Factor returns, same forms, under their own column names (--sheet and the column
    /// flags are for --returns); every factor must be observed on a date for it to be used.
    #[arg(long, value_name = "FILE")]
    pub factors: PathBuf,
    /// Fund values are NAVs or prices (returns are derived).
    #[arg(long, alias = "fund-prices")]
    pub prices: bool,
    /// Factor values are index levels (returns are derived).
    #[arg(long)]
    pub factor_prices: bool,
    /// Returns in both files are in percent (5 = 5%).
    #[arg(long)]
    pub percent: bool,
    #[command(flatten)]
    pub max_return: MaxReturn,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub settings: StyleSettings,
    #[command(flatten)]
    pub output: OutputFile,
    /// Fit statistics output: fund,date,r2,adj_r2,tracking_error,n_obs,lambda,predicted_r2.
    #[arg(long, value_name = "FILE")]
    pub fit_out: Option<PathBuf>,
    /// Residuals output: fund,date,residual, the return minus that of the exposures that
    /// apply to the date (the rolling window ending on it); the input of
    /// `similarity --idio residual`.
    #[arg(long, value_name = "FILE")]
    pub residuals_out: Option<PathBuf>,
    /// Chart (.svg): the exposures of --chart-fund over time as a stacked area with the
    /// R² of each window (bars per factor for a single whole-sample fit).
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
    /// Fund drawn by --chart (default: the first fund of --returns).
    #[arg(long, value_name = "ID", requires = "chart")]
    pub chart_fund: Option<String>,
}

/// Run `peergroup style`.
pub fn run(args: &StyleArgs) -> CommandResult {
    let spec = args.settings.spec()?;
    let options = |prices: bool| {
        SeriesFlags {
            prices,
            percent: args.percent,
            max_return: args.max_return,
        }
        .options(&["value"])
    };
    let (fund_options, factor_options) = (options(args.prices), options(args.factor_prices));
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    for f in [&args.fit_out, &args.residuals_out].into_iter().flatten() {
        outputs.plan_table(f)?;
    }
    plan_chart(&mut outputs, args.chart.as_deref())?;
    let (funds, factors) = step("reading", || -> CommandResult<_> {
        let funds = read_series(&args.columns.source(&args.returns), &fund_options)?.to_returns();
        let factors = read_series(&args.factors, &factor_options)?.to_returns();
        Ok((funds, factors))
    })?;
    let (funds_name, factors_name) = (name(&args.returns), name(&args.factors));
    let aligned = style::align_for(
        Named::new(&funds, &funds_name),
        Named::new(&factors, &factors_name),
        &spec,
    )?;
    // The charted fund is checked before the fits, so a misspelt id costs no work.
    let chart_fund = match (&args.chart, &args.chart_fund) {
        (None, _) => None,
        (Some(_), Some(id)) => match aligned.funds.index_of(id) {
            Some(_) => Some(id.clone()),
            None => {
                return Err(CommandError::usage(format!(
                    "--chart-fund '{id}' is not a fund of {funds_name} with exposures to estimate"
                )))
            }
        },
        (Some(_), None) => aligned.funds.ids().first().cloned(),
    };
    let res = step("estimating exposures", || {
        style::fit(aligned, &funds_name, &factors_name, &spec)
    })?;
    let summary = res.summary();
    let chart = chart_fund
        .as_deref()
        .and_then(|fund| exposures_chart(&res.aligned, &res.result, fund));
    if let (Some(_), Some(fund), None) = (&args.chart, &chart_fund, &chart) {
        return Err(CommandError::usage(format!(
            "--chart: fund '{fund}' has no fitted window (too few returns for --min-obs)"
        )));
    }
    step("writing", || -> CommandResult {
        if let Some(f) = &args.residuals_out {
            outputs.write_table(f, &res.residuals_table())?;
        }
        let (exposures, fit) = res.into_tables(args.fit_out.is_some());
        outputs.write_table(out, &exposures)?;
        if let (Some(f), Some(fit)) = (&args.fit_out, fit) {
            outputs.write_table(f, &fit)?;
        }
        if let (Some(p), Some(c)) = (&args.chart, &chart) {
            write_chart(&mut outputs, p, c)?;
        }
        Ok(())
    })?;
    outputs.commit()?;
    eprintln!(
        "{} funds × {} factors on {} common dates: {} fits, mean R² {:.3}; wrote {}",
        summary.funds,
        summary.factors,
        summary.dates,
        summary.fits,
        summary.mean_r2,
        out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Style {
        #[command(flatten)]
        args: StyleArgs,
    }

    /// The old names --funds and --fund-prices still read the fund file as prices.
    #[test]
    fn old_names_are_aliases() {
        for (file, prices) in [("--returns", "--prices"), ("--funds", "--fund-prices")] {
            let s = Style::parse_from([
                "x",
                file,
                "f.csv",
                "--factors",
                "g.csv",
                prices,
                "--out",
                "o.csv",
            ]);
            assert_eq!(s.args.returns, PathBuf::from("f.csv"));
            assert!(s.args.prices && !s.args.factor_prices);
            assert_eq!(s.args.settings, StyleSettings::default());
        }
    }
}
