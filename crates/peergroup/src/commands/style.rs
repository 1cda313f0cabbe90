//! `peergroup style`: exposures of every fund to a factor universe.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use peergroup_io::read_series;
use peergroup_pipeline::style::{self, constraints};
use peergroup_pipeline::Named;
use peergroup_style::{Criterion, Lambda, Method, StyleSpec};

use super::options::{name, series_options, OutputFile};
use super::{step, CommandResult};

/// Estimation method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Sharpe's constrained regression.
    Sharpe,
    /// Unconstrained least squares (with a CASH exposure).
    Ols,
    /// Dynamic style analysis.
    Dsa,
}

impl From<Method> for MethodArg {
    fn from(m: Method) -> MethodArg {
        match m {
            Method::Sharpe => MethodArg::Sharpe,
            Method::Ols => MethodArg::Ols,
            Method::Dsa => MethodArg::Dsa,
        }
    }
}

impl From<MethodArg> for Method {
    fn from(m: MethodArg) -> Method {
        match m {
            MethodArg::Sharpe => Method::Sharpe,
            MethodArg::Ols => Method::Ols,
            MethodArg::Dsa => Method::Dsa,
        }
    }
}

/// Factor selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SelectArg {
    /// Use every factor.
    None,
    /// Stepwise selection per fund and window.
    Stepwise,
}

/// Criterion of stepwise selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CriterionArg {
    /// Bayesian information criterion (consistent).
    Bic,
    /// Akaike information criterion.
    Aic,
    /// Adjusted R².
    AdjR2,
}

impl From<CriterionArg> for Criterion {
    fn from(c: CriterionArg) -> Criterion {
        match c {
            CriterionArg::Bic => Criterion::Bic,
            CriterionArg::Aic => Criterion::Aic,
            CriterionArg::AdjR2 => Criterion::AdjR2,
        }
    }
}

/// Arguments of `peergroup style`.
#[derive(Args, Clone, Debug)]
pub struct StyleArgs {
    /// Fund returns: long id,date,value or wide date,<fund>,... (CSV or Parquet).
    #[arg(long, value_name = "FILE")]
    pub funds: PathBuf,
    /// Factor returns, same forms; every factor must be observed on a date for it to be used.
    #[arg(long, value_name = "FILE")]
    pub factors: PathBuf,
    /// Fund values are NAVs or prices (returns are derived).
    #[arg(long)]
    pub fund_prices: bool,
    /// Factor values are index levels (returns are derived).
    #[arg(long)]
    pub factor_prices: bool,
    /// Returns in both files are in percent.
    #[arg(long)]
    pub percent: bool,
    /// Estimation method.
    #[arg(long, value_enum, default_value_t = StyleSpec::default().method.into())]
    pub method: MethodArg,
    /// Rolling window length in observations (default: the whole sample).
    #[arg(long, value_name = "W")]
    pub window: Option<usize>,
    /// Step between rolling window ends.
    #[arg(long, default_value_t = StyleSpec::default().step, value_name = "S")]
    pub step: usize,
    /// Minimum fund observations in a window (default: the whole window).
    #[arg(long, value_name = "N")]
    pub min_obs: Option<usize>,
    /// Factor selection.
    #[arg(long, value_enum, default_value = "none")]
    pub select: SelectArg,
    /// Criterion of stepwise selection.
    #[arg(long, value_enum, default_value = "bic")]
    pub criterion: CriterionArg,
    /// λ of dynamic style analysis: auto (predicted R²) or a positive number.
    #[arg(long, default_value = "auto", value_parser = parse_lambda, value_name = "auto|X", allow_hyphen_values = true)]
    pub lambda: Lambda,
    /// Allow negative exposures (drop β ≥ 0).
    #[arg(long)]
    pub no_long_only: bool,
    /// Drop the budget constraint Σβ = 1 (a CASH exposure 1 − Σβ is reported).
    #[arg(long)]
    pub no_budget: bool,
    #[command(flatten)]
    pub output: OutputFile,
    /// Fit statistics output.
    #[arg(long, value_name = "FILE")]
    pub fit_out: Option<PathBuf>,
}

impl StyleArgs {
    /// The estimation settings (periods per year are taken from the data).
    pub fn spec(&self) -> StyleSpec {
        let method = Method::from(self.method);
        StyleSpec {
            method,
            constraints: constraints(method, self.no_long_only, self.no_budget),
            window: self.window,
            step: self.step,
            min_obs: self.min_obs,
            selection: (self.select == SelectArg::Stepwise).then_some(self.criterion.into()),
            lambda: self.lambda,
            ..StyleSpec::default()
        }
    }
}

/// Parse `--lambda auto|X`.
pub fn parse_lambda(s: &str) -> Result<Lambda, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(Lambda::Auto);
    }
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(Lambda::Fixed(v)),
        Ok(v) => Err(format!("λ must be positive, got {v}")),
        Err(_) => Err(format!("expected 'auto' or a positive number, got '{s}'")),
    }
}

/// Run `peergroup style`.
pub fn run(args: &StyleArgs) -> CommandResult {
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    if let Some(f) = &args.fit_out {
        outputs.plan_table(f)?;
    }
    let opts = |prices: bool| series_options(prices, args.percent, &["value"]);
    let (funds, factors) = step("reading", || -> CommandResult<_> {
        let funds = read_series(&args.funds, &opts(args.fund_prices))?.to_returns();
        let factors = read_series(&args.factors, &opts(args.factor_prices))?.to_returns();
        Ok((funds, factors))
    })?;
    let (funds_name, factors_name) = (name(&args.funds), name(&args.factors));
    let spec = args.spec();
    let aligned = style::align_for(
        Named::new(&funds, &funds_name),
        Named::new(&factors, &factors_name),
        &spec,
    )?;
    let res = step("estimating exposures", || {
        style::fit(aligned, &funds_name, &factors_name, &spec)
    })?;
    let summary = res.summary();
    step("writing", || -> CommandResult {
        let (exposures, fit) = res.into_tables(args.fit_out.is_some());
        outputs.write_table(out, &exposures)?;
        if let (Some(f), Some(fit)) = (&args.fit_out, fit) {
            outputs.write_table(f, &fit)?;
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
