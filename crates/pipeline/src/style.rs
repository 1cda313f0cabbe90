//! Style stage: each fund's exposures to a factor universe (METHODS §2).

use std::collections::HashMap;

use peergroup_data::{Date, InputError, Panel};
use peergroup_io::{Column, Exposures, Keys, RowTable, Table};
use peergroup_style::{
    analyse_with, residuals, Constraints, Criterion, Lambda, Method, StyleProblem, StyleResult,
    StyleSpec,
};
use serde::{Deserialize, Serialize};

use crate::settings::{as_text, SettingError};
#[cfg(feature = "clap")]
use crate::settings::{default_text, parse};
use crate::{Named, Progress, Silent};

/// Style estimation method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum StyleMethod {
    /// Sharpe's constrained regression.
    Sharpe,
    /// Unconstrained least squares (with a CASH exposure).
    Ols,
    /// Dynamic style analysis.
    Dsa,
}

impl From<StyleMethod> for Method {
    fn from(m: StyleMethod) -> Method {
        match m {
            StyleMethod::Sharpe => Method::Sharpe,
            StyleMethod::Ols => Method::Ols,
            StyleMethod::Dsa => Method::Dsa,
        }
    }
}

/// Factor selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Selection {
    /// Use every factor.
    None,
    /// Stepwise selection per fund and window.
    Stepwise,
}

/// Criterion of stepwise selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum SelectionCriterion {
    /// Bayesian information criterion (consistent).
    Bic,
    /// Akaike information criterion.
    Aic,
    /// Adjusted R².
    AdjR2,
}

impl From<SelectionCriterion> for Criterion {
    fn from(c: SelectionCriterion) -> Criterion {
        match c {
            SelectionCriterion::Bic => Criterion::Bic,
            SelectionCriterion::Aic => Criterion::Aic,
            SelectionCriterion::AdjR2 => Criterion::AdjR2,
        }
    }
}

/// Settings of the style stage, as written on the command line or in a study file.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct StyleSettings {
    /// Estimation method.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = StyleSettings::default().method))]
    pub method: StyleMethod,
    /// Rolling window length in observations (default: the whole sample).
    #[cfg_attr(feature = "clap", arg(long, value_name = "W"))]
    pub window: Option<usize>,
    /// Step between rolling window ends.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = StyleSettings::default().step, value_name = "S"))]
    pub step: usize,
    /// Minimum fund observations in a window (default: the whole window).
    #[cfg_attr(feature = "clap", arg(long, value_name = "N"))]
    pub min_obs: Option<usize>,
    /// Factor selection.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = StyleSettings::default().select))]
    pub select: Selection,
    /// Criterion of stepwise selection.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = StyleSettings::default().criterion))]
    pub criterion: SelectionCriterion,
    /// λ of dynamic style analysis: auto (predicted R²) or a positive number.
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&StyleSettings::default().lambda), value_parser = parse::<Lambda>, value_name = "auto|X", allow_hyphen_values = true))]
    #[serde(with = "as_text")]
    pub lambda: Lambda,
    /// Allow negative exposures (drop β ≥ 0).
    #[cfg_attr(feature = "clap", arg(long))]
    pub no_long_only: bool,
    /// Drop the budget constraint Σβ = 1 (a CASH exposure 1 − Σβ is reported).
    #[cfg_attr(feature = "clap", arg(long))]
    pub no_budget: bool,
}

impl Default for StyleSettings {
    /// Sharpe's model with both constraints over the whole sample, every factor, λ by
    /// predicted R² (the defaults of [`StyleSpec`]).
    fn default() -> Self {
        StyleSettings {
            method: StyleMethod::Sharpe,
            window: None,
            step: 1,
            min_obs: None,
            select: Selection::None,
            criterion: SelectionCriterion::Bic,
            lambda: Lambda::Auto,
            no_long_only: false,
            no_budget: false,
        }
    }
}

impl StyleSettings {
    /// The style crate's specification (periods per year are set from the data by
    /// [`fit`]), after the checks that need no data.
    pub fn spec(&self) -> Result<StyleSpec, SettingError> {
        if self.step == 0 {
            return Err(SettingError::new("step", "must be at least 1"));
        }
        if let Some(w) = self.window {
            if w < 2 {
                return Err(SettingError::new(
                    "window",
                    format!("must be at least 2 observations, got {w}"),
                ));
            }
            if let Some(m) = self.min_obs.filter(|&m| m > w) {
                return Err(SettingError::new(
                    "min-obs",
                    format!("{m} is larger than the --window of {w} observations"),
                ));
            }
        }
        let method = Method::from(self.method);
        Ok(StyleSpec {
            method,
            constraints: constraints(method, self.no_long_only, self.no_budget),
            window: self.window,
            step: self.step,
            min_obs: self.min_obs,
            selection: (self.select == Selection::Stepwise).then_some(self.criterion.into()),
            lambda: self.lambda,
            ..StyleSpec::default()
        })
    }
}

/// What a style run did, for a summary line.
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
    /// Mean R² over fits (NaN without fits).
    pub mean_r2: f64,
}

/// Funds and factors aligned on the dates where every factor is observed.
#[derive(Clone, Debug)]
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
) -> Result<Aligned, InputError> {
    if funds.frequency() != factors.frequency() {
        return Err(InputError::new(format!(
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
        return Err(InputError::new(format!(
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
    run_aligned_with(a, spec, &Silent)
}

/// [`run_aligned`], reporting the funds fitted to `progress`.
pub fn run_aligned_with(
    a: &Aligned,
    spec: &StyleSpec,
    progress: &dyn Progress,
) -> Result<StyleResult, InputError> {
    progress.start("funds", a.funds.n_ids() as u64);
    let flat = Flat::new(a);
    analyse_with(&flat.problem(a), spec, &|| progress.advance(1))
}

/// Aligned panels as the style crate takes them: series-major flat arrays and years.
struct Flat {
    factors: Vec<f64>,
    funds: Vec<f64>,
    years: Vec<i32>,
}

impl Flat {
    fn new(a: &Aligned) -> Flat {
        let factors = (0..a.factors.n_ids())
            .flat_map(|k| a.factors.series(k).to_vec())
            .collect();
        let funds = (0..a.funds.n_ids())
            .flat_map(|i| a.funds.series(i).to_vec())
            .collect();
        let years = a.factors.dates().iter().map(|d| d.year()).collect();
        Flat {
            factors,
            funds,
            years,
        }
    }

    fn problem<'a>(&'a self, a: &'a Aligned) -> StyleProblem<'a> {
        StyleProblem {
            factor_names: a.factors.ids(),
            factors: &self.factors,
            fund_names: a.funds.ids(),
            funds: &self.funds,
            years: &self.years,
        }
    }
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
                Column::key(res.exposures.iter().map(|e| e.fund), a.funds.ids()),
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
    RowTable::new(f)
        .with("fund", Column::key(f.iter().map(|x| x.fund), a.funds.ids()))
        .date("date", |x| a.factors.dates()[x.t])
        .f64("r2", |x| x.r2)
        .f64("adj_r2", |x| x.adj_r2)
        .f64("tracking_error", |x| x.tracking_error)
        .i64("n_obs", |x| x.n_obs as i64)
        .f64("lambda", |x| x.lambda)
        .f64("predicted_r2", |x| x.predicted_r2)
        .table()
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

/// Exposures and fit statistics of every fund, on the dates funds and factors share.
#[derive(Clone, Debug)]
pub struct StyleOutput {
    /// Funds and factors on the common dates.
    pub aligned: Aligned,
    /// The fits.
    pub result: StyleResult,
    /// The settings used (with the data's periods per year).
    pub spec: StyleSpec,
}

/// Run style analysis: align funds and factors on the dates where every factor is
/// observed, then fit every fund (and window). Errors name the input they concern.
pub fn style(
    funds: Named<'_, Panel>,
    factors: Named<'_, Panel>,
    spec: &StyleSpec,
) -> Result<StyleOutput, InputError> {
    let aligned = align_for(funds, factors, spec)?;
    fit(aligned, funds.name, factors.name, spec)
}

/// [`align`] with the number of dates `spec` needs: a window, or factors + 1.
pub fn align_for(
    funds: Named<'_, Panel>,
    factors: Named<'_, Panel>,
    spec: &StyleSpec,
) -> Result<Aligned, InputError> {
    let k = factors.n_ids();
    let (needed, why) = match spec.window {
        Some(w) if w > k + 1 => (w, format!("a window of {w} observations")),
        _ => (k + 1, format!("a fit on {k} factors")),
    };
    align(
        funds.value,
        factors.value,
        funds.name,
        factors.name,
        needed,
        &why,
    )
}

/// Fit aligned panels with the data's periods per year; an error about a column names
/// the input (`funds_name` or `factors_name`) it belongs to.
pub fn fit(
    aligned: Aligned,
    funds_name: &str,
    factors_name: &str,
    spec: &StyleSpec,
) -> Result<StyleOutput, InputError> {
    fit_with(aligned, funds_name, factors_name, spec, &Silent)
}

/// [`fit`], reporting the funds fitted to `progress`.
pub fn fit_with(
    aligned: Aligned,
    funds_name: &str,
    factors_name: &str,
    spec: &StyleSpec,
    progress: &dyn Progress,
) -> Result<StyleOutput, InputError> {
    let spec = StyleSpec {
        periods_per_year: aligned.factors.frequency().periods_per_year(),
        ..*spec
    };
    for (panel, name) in [
        (&aligned.funds, funds_name),
        (&aligned.factors, factors_name),
    ] {
        overflowing_moments(panel, name)?;
    }
    let result = run_aligned_with(&aligned, &spec, progress).map_err(|e| {
        let file = match &e.column {
            Some(c) if aligned.factors.index_of(c).is_some() => Some(factors_name),
            Some(c) if aligned.funds.index_of(c).is_some() => Some(funds_name),
            _ => None,
        };
        match file {
            Some(f) => e.in_file(f),
            None => e,
        }
    })?;
    // The solvers keep the budget and bounds for finite moments; anything else is a
    // failure to report, never a row of betas that breaks the constraints.
    if let Some(row) = result
        .exposures
        .iter()
        .enumerate()
        .find(|(k, _)| {
            let n = result.n_factors;
            result.betas[k * n..(k + 1) * n]
                .iter()
                .any(|b| !b.is_finite())
        })
        .map(|(_, row)| *row)
    {
        return Err(InputError::new(format!(
            "fund '{}': the fit on {} gave non-finite exposures (returns too large or degenerate); leave the fund out",
            aligned.funds.ids()[row.fund],
            aligned.factors.dates()[row.t]
        ))
        .in_file(funds_name));
    }
    Ok(StyleOutput {
        aligned,
        result,
        spec,
    })
}

/// A series whose sum of squares overflows has no usable moments: the least-squares
/// fits would return NaN and break the budget constraint. Error naming the series.
fn overflowing_moments(panel: &Panel, name: &str) -> Result<(), InputError> {
    for (i, id) in panel.ids().iter().enumerate() {
        let squares: f64 = panel
            .series(i)
            .iter()
            .filter(|v| !v.is_nan())
            .map(|v| v * v)
            .sum();
        if !squares.is_finite() {
            return Err(InputError::new(format!(
                "series '{id}': its returns are too large for a fit (their sum of squares overflows); returns are fractions (0.01 = 1%)"
            ))
            .with_column(id.clone())
            .in_file(name));
        }
    }
    Ok(())
}

impl StyleOutput {
    /// Counts and mean R², for a summary line.
    pub fn summary(&self) -> StyleSummary {
        let fits = &self.result.fits;
        StyleSummary {
            funds: self.aligned.funds.n_ids(),
            factors: self.aligned.factors.n_ids(),
            dates: self.aligned.factors.n_dates(),
            fits: fits.len(),
            mean_r2: fits.iter().map(|f| f.r2).sum::<f64>() / fits.len().max(1) as f64,
        }
    }

    /// The exposures as the similarity stage takes them: the same values, funds, factors
    /// (with CASH without the budget constraint) and dates as reading back the exposures
    /// table would give.
    pub fn exposures(&self) -> Exposures {
        let res = &self.result;
        let n = res.n_factors;
        let cash = reports_cash(&self.spec);
        let mut factors = Keys::default();
        for name in self.aligned.factors.ids() {
            factors.intern(name);
        }
        if cash {
            factors.intern("CASH");
        }
        let all_dates = self.aligned.factors.dates();
        let mut dates: Vec<Date> = res.exposures.iter().map(|e| all_dates[e.t]).collect();
        dates.sort_unstable();
        dates.dedup();
        let mut funds = Keys::default();
        let codes: Vec<usize> = res
            .exposures
            .iter()
            .map(|e| funds.intern(&self.aligned.funds.ids()[e.fund]))
            .collect();
        let k = factors.len();
        let mut values = vec![f64::NAN; dates.len() * funds.len() * k];
        for (row, (e, &i)) in res.exposures.iter().zip(&codes).enumerate() {
            // every exposure date is in `dates`
            let t = dates.partition_point(|d| *d < all_dates[e.t]);
            let b = &res.betas[row * n..(row + 1) * n];
            let at = (t * funds.len() + i) * k;
            values[at..at + n].copy_from_slice(b);
            if cash {
                values[at + n] = 1.0 - b.iter().sum::<f64>();
            }
        }
        Exposures {
            funds,
            factors,
            dates,
            values,
        }
    }

    /// R² by (fund, date), as the similarity stage takes it.
    pub fn r2(&self) -> HashMap<(String, Date), f64> {
        let dates = self.aligned.factors.dates();
        self.result
            .fits
            .iter()
            .map(|f| ((self.aligned.funds.ids()[f.fund].clone(), dates[f.t]), f.r2))
            .collect()
    }

    /// `fund,date,factor,beta` (plus CASH rows without the budget constraint).
    pub fn exposures_table(&self) -> Table {
        exposures_table(&self.aligned, &self.result, reports_cash(&self.spec))
    }

    /// `fund,date,r2,adj_r2,tracking_error,n_obs,lambda,predicted_r2`.
    pub fn fit_table(&self) -> Table {
        fit_table(&self.aligned, &self.result)
    }

    /// `fund,date,residual`: each fund's return minus the return of the exposures that
    /// apply to the date (METHODS §2.9: the one whole-sample fit, the date's own dynamic
    /// exposures, or the rolling window ending on the date), in return units; the input
    /// of `similarity --idio residual`.
    pub fn residuals_table(&self) -> Table {
        let e = self.residual_rows();
        let dates = self.aligned.factors.dates();
        Table::new()
            .with(
                "fund",
                Column::key(e.fund.iter().copied(), self.aligned.funds.ids()),
            )
            .with(
                "date",
                Column::Date(e.t.iter().map(|&t| dates[t]).collect()),
            )
            .with("residual", Column::F64(e.value))
    }

    /// The residuals as the similarity stage takes them (the same values and dates as
    /// reading back [`StyleOutput::residuals_table`] gives: dates without any residual
    /// left out).
    pub fn residuals(&self) -> Result<Panel, InputError> {
        let e = self.residual_rows();
        let all = self.aligned.factors.dates();
        let mut used = vec![false; all.len()];
        for &t in &e.t {
            used[t] = true;
        }
        let dates: Vec<Date> = (0..all.len())
            .filter(|&t| used[t])
            .map(|t| all[t])
            .collect();
        let position: Vec<usize> = used
            .iter()
            .scan(0, |next, &u| {
                let p = *next;
                *next += usize::from(u);
                Some(p)
            })
            .collect();
        let ids = self.aligned.funds.ids().to_vec();
        let mut values = vec![f64::NAN; ids.len() * dates.len()];
        for ((&i, &t), &v) in e.fund.iter().zip(&e.t).zip(&e.value) {
            values[i * dates.len() + position[t]] = v;
        }
        Panel::new(
            ids,
            dates,
            values,
            self.aligned.funds.kind(),
            self.aligned.funds.frequency(),
        )
    }

    fn residual_rows(&self) -> peergroup_style::Residuals {
        let flat = Flat::new(&self.aligned);
        residuals(&flat.problem(&self.aligned), &self.spec, &self.result)
    }

    /// The exposures table, moving the betas out rather than copying them (a rolling run
    /// over 2,000 funds holds millions), and the fit table when `with_fit`.
    pub fn into_tables(mut self, with_fit: bool) -> (Table, Option<Table>) {
        let betas = std::mem::take(&mut self.result.betas);
        let exposures =
            exposures_table_from(&self.aligned, &self.result, betas, reports_cash(&self.spec));
        (
            exposures,
            with_fit.then(|| fit_table(&self.aligned, &self.result)),
        )
    }
}

#[cfg(all(test, feature = "clap"))]
mod tests {
    use super::*;
    use crate::settings::check;

    #[test]
    fn style_settings() {
        check::settings_type(&StyleSettings {
            method: StyleMethod::Dsa,
            window: Some(36),
            step: 3,
            min_obs: Some(24),
            select: Selection::Stepwise,
            criterion: SelectionCriterion::AdjR2,
            lambda: Lambda::Fixed(0.5),
            no_long_only: true,
            no_budget: true,
        });
        assert_eq!(StyleSettings::default().spec(), Ok(StyleSpec::default()));
        let json = serde_json::to_value(StyleSettings::default()).unwrap();
        assert_eq!(json["lambda"], "auto");
        assert_eq!(json["criterion"], "bic");
        let s: StyleSettings = check::parse(&["--window", "12", "--min-obs", "13"]).unwrap();
        check::names_key(s.spec().map(|_| ()), "min-obs");
        let s: StyleSettings = check::parse(&["--step", "0"]).unwrap();
        check::names_key(s.spec().map(|_| ()), "step");
        let e = check::parse::<StyleSettings>(&["--lambda", "-1"]).unwrap_err();
        assert!(e.contains("--lambda") && e.contains("positive"), "{e}");
        let e = serde_json::from_str::<StyleSettings>(r#"{"lambda": "x"}"#).unwrap_err();
        assert!(e.to_string().contains("expected 'auto'"), "{e}");
        let s: StyleSettings =
            serde_json::from_str(r#"{"lambda": "2.5", "criterion": "adj-r2"}"#).unwrap();
        assert_eq!(
            (s.lambda, s.criterion),
            (Lambda::Fixed(2.5), SelectionCriterion::AdjR2)
        );
    }
}
