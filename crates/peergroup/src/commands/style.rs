//! `peergroup style`: exposures of every fund to a factor universe (SPEC §2).

use std::path::PathBuf;

use peergroup_data::{InputError, Panel};
use peergroup_io::{read_series, Column, Outputs, Table};
use peergroup_style::{
    analyse, Constraints, Criterion, Lambda, Method, StyleProblem, StyleResult, StyleSpec,
};

use super::progress::step;
use super::{CommandError, CommandResult};

/// Inputs and settings of `peergroup style`.
#[derive(Clone, Debug)]
pub struct StyleArgs {
    /// Fund returns (or NAVs with `fund_prices`).
    pub funds: PathBuf,
    /// Factor returns (or index levels with `factor_prices`).
    pub factors: PathBuf,
    /// Fund values are prices/NAVs.
    pub fund_prices: bool,
    /// Factor values are index levels.
    pub factor_prices: bool,
    /// Returns are in percent (both files).
    pub percent: bool,
    /// Estimation settings.
    pub spec: StyleSpec,
    /// Exposures output.
    pub out: PathBuf,
    /// Fit statistics output.
    pub fit_out: Option<PathBuf>,
    /// Replace existing outputs.
    pub force: bool,
}

/// Summary of a style run.
#[derive(Clone, Debug)]
pub struct StyleSummary {
    /// Funds analysed.
    pub funds: usize,
    /// Factors in the universe.
    pub factors: usize,
    /// Common dates used.
    pub dates: usize,
    /// Fitted windows.
    pub fits: usize,
    /// Mean R² over fits.
    pub mean_r2: f64,
}

/// Funds and factors aligned on the dates where every factor is observed.
pub struct Aligned {
    /// Funds on the common dates.
    pub funds: Panel,
    /// Factors on the common dates (complete).
    pub factors: Panel,
}

/// Align funds and factors; errors say how many dates each file has and share.
/// `needed` dates are required, for the reason `why` (e.g. "a window of 104 observations").
pub fn align(
    funds: &Panel,
    factors: &Panel,
    funds_name: &str,
    factors_name: &str,
    needed: usize,
    why: &str,
) -> CommandResult<Aligned> {
    if funds.frequency() != factors.frequency() {
        return Err(CommandError::usage(format!(
            "{funds_name} is {} but {factors_name} is {}: resample one of them so both have the same frequency",
            funds.frequency(),
            factors.frequency()
        )));
    }
    let complete: Vec<_> = (0..factors.n_dates())
        .filter(|&t| (0..factors.n_ids()).all(|k| !factors.series(k)[t].is_nan()))
        .map(|t| factors.dates()[t])
        .collect();
    let common: Vec<_> = complete
        .iter()
        .copied()
        .filter(|d| funds.dates().binary_search(d).is_ok())
        .collect();
    if common.len() < needed {
        return Err(CommandError::usage(format!(
            "too few common dates: {funds_name} has {} dates, {factors_name} has {} ({} with every factor observed), and they share {}; {why} needs at least {needed}",
            funds.n_dates(),
            factors.n_dates(),
            complete.len(),
            common.len()
        )));
    }
    Ok(Aligned {
        funds: funds.select_dates(&common),
        factors: factors.select_dates(&common),
    })
}

/// Run style analysis on aligned panels.
pub fn run_aligned(a: &Aligned, spec: &StyleSpec) -> Result<StyleResult, InputError> {
    let t = a.factors.n_dates();
    let factors: Vec<f64> = (0..a.factors.n_ids())
        .flat_map(|k| a.factors.series(k).to_vec())
        .collect();
    let funds: Vec<f64> = (0..a.funds.n_ids())
        .flat_map(|i| a.funds.series(i).to_vec())
        .collect();
    let years: Vec<i32> = a.factors.dates().iter().map(|d| d.year()).collect();
    debug_assert_eq!(years.len(), t);
    analyse(
        &StyleProblem {
            factor_names: a.factors.ids(),
            factors: &factors,
            fund_names: a.funds.ids(),
            funds: &funds,
            years: &years,
        },
        spec,
    )
}

/// Whether the fit reports a CASH exposure `1 − Σβ` (no budget constraint).
pub fn reports_cash(spec: &StyleSpec) -> bool {
    spec.method == Method::Ols || !spec.constraints.budget
}

/// `fund,date,factor,beta` (plus CASH rows without the budget constraint): one row per
/// exposure, the fund and date of each window repeated over its factors' rows.
pub fn exposures_table(a: &Aligned, res: &StyleResult, cash: bool) -> Table {
    let rows = res.exposures.len() * res.n_factors;
    exposures_table_from(a, res, res.betas[..rows].to_vec(), cash)
}

/// [`exposures_table`] taking the exposures' betas (`res.betas`, moved out of `res`).
fn exposures_table_from(a: &Aligned, res: &StyleResult, betas: Vec<f64>, cash: bool) -> Table {
    let n = res.n_factors;
    let mut factor_names = a.factors.ids().to_vec();
    if cash {
        factor_names.push("CASH".into());
    }
    let per_row = n + usize::from(cash);
    let rows = res.exposures.len() * per_row;
    let beta = if cash {
        let mut beta = Vec::with_capacity(rows);
        for b in betas.chunks_exact(n.max(1)).take(res.exposures.len()) {
            beta.extend_from_slice(b);
            beta.push(1.0 - b.iter().sum::<f64>());
        }
        beta
    } else {
        let mut betas = betas;
        betas.truncate(rows);
        betas
    };
    let dates = a.factors.dates();
    Table::new()
        .with(
            "fund",
            Column::repeated(
                Column::Key {
                    codes: res.exposures.iter().map(|e| e.fund as u32).collect(),
                    names: a.funds.ids().to_vec(),
                },
                per_row,
            ),
        )
        .with(
            "date",
            Column::repeated(
                Column::Date(res.exposures.iter().map(|e| dates[e.t]).collect()),
                per_row,
            ),
        )
        .with(
            "factor",
            Column::cycled(
                Column::Key {
                    codes: (0..per_row as u32).collect(),
                    names: factor_names,
                },
                rows,
            ),
        )
        .with("beta", Column::F64(beta))
}

/// `fund,date,r2,adj_r2,tracking_error,n_obs,lambda,predicted_r2`.
pub fn fit_table(a: &Aligned, res: &StyleResult) -> Table {
    let f = &res.fits;
    Table::new()
        .with(
            "fund",
            Column::Key {
                codes: f.iter().map(|x| x.fund as u32).collect(),
                names: a.funds.ids().to_vec(),
            },
        )
        .with(
            "date",
            Column::Date(f.iter().map(|x| a.factors.dates()[x.t]).collect()),
        )
        .with("r2", Column::F64(f.iter().map(|x| x.r2).collect()))
        .with("adj_r2", Column::F64(f.iter().map(|x| x.adj_r2).collect()))
        .with(
            "tracking_error",
            Column::F64(f.iter().map(|x| x.tracking_error).collect()),
        )
        .with(
            "n_obs",
            Column::I64(f.iter().map(|x| x.n_obs as i64).collect()),
        )
        .with("lambda", Column::F64(f.iter().map(|x| x.lambda).collect()))
        .with(
            "predicted_r2",
            Column::F64(f.iter().map(|x| x.predicted_r2).collect()),
        )
}

/// Run `peergroup style`.
pub fn run(args: &StyleArgs) -> CommandResult<StyleSummary> {
    let mut outputs = Outputs::new(args.force);
    outputs.plan_table(&args.out)?;
    if let Some(f) = &args.fit_out {
        outputs.plan_table(f)?;
    }
    let opts = |prices: bool| super::series_options(prices, args.percent, &["value"]);
    let (funds, factors) = step("reading", || -> CommandResult<_> {
        let funds = read_series(&args.funds, &opts(args.fund_prices))?.to_returns();
        let factors = read_series(&args.factors, &opts(args.factor_prices))?.to_returns();
        Ok((funds, factors))
    })?;
    let funds_name = args.funds.display().to_string();
    let factors_name = args.factors.display().to_string();
    let k = factors.n_ids();
    let (needed, why) = match args.spec.window {
        Some(w) if w > k + 1 => (w, format!("a window of {w} observations")),
        _ => (k + 1, format!("a fit on {k} factors")),
    };
    let aligned = align(&funds, &factors, &funds_name, &factors_name, needed, &why)?;
    let spec = StyleSpec {
        periods_per_year: aligned.factors.frequency().periods_per_year(),
        ..args.spec
    };
    let mut res = step("estimating exposures", || run_aligned(&aligned, &spec)).map_err(|e| {
        // attach the file the offending column belongs to
        let file = match &e.column {
            Some(c) if aligned.factors.index_of(c).is_some() => Some(&factors_name),
            Some(c) if aligned.funds.index_of(c).is_some() => Some(&funds_name),
            _ => None,
        };
        match file {
            Some(f) => e.in_file(f.clone()),
            None => e,
        }
    })?;
    step("writing", || -> CommandResult {
        let betas = std::mem::take(&mut res.betas);
        outputs.write_table(
            &args.out,
            &exposures_table_from(&aligned, &res, betas, reports_cash(&spec)),
        )?;
        if let Some(f) = &args.fit_out {
            outputs.write_table(f, &fit_table(&aligned, &res))?;
        }
        Ok(())
    })?;
    outputs.commit()?;
    let mean_r2 = res.fits.iter().map(|f| f.r2).sum::<f64>() / res.fits.len().max(1) as f64;
    Ok(StyleSummary {
        funds: aligned.funds.n_ids(),
        factors: aligned.factors.n_ids(),
        dates: aligned.factors.n_dates(),
        fits: res.fits.len(),
        mean_r2,
    })
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

/// The constraints implied by the method and the switches.
pub fn constraints(method: Method, no_long_only: bool, no_budget: bool) -> Constraints {
    match method {
        Method::Ols => Constraints::OLS,
        _ => Constraints {
            budget: !no_budget,
            long_only: !no_long_only,
        },
    }
}

/// Stepwise criterion by name.
pub fn criterion(select: bool, name: Criterion) -> Option<Criterion> {
    select.then_some(name)
}

/// Parse `LO,HI` as a pair of numbers.
pub fn parse_pair(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').collect();
    match parts.as_slice() {
        [a, b] => match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
            (Ok(x), Ok(y)) => Ok((x, y)),
            _ => Err(format!("expected two numbers LO,HI, got '{s}'")),
        },
        _ => Err(format!("expected two numbers LO,HI, got '{s}'")),
    }
}
