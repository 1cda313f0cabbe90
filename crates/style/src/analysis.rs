//! A whole universe of funds against one factor universe: validation, whole-sample or
//! rolling windows, optional stepwise selection, Sharpe/OLS or dynamic style analysis,
//! funds in parallel.
//!
//! Plain Sharpe/OLS fits (no selection) share the factor side of every window across
//! funds (`shared_windows`); the other fits run fund by fund here.

use peergroup_data::InputError;
use rayon::prelude::*;

use crate::dsa::{dsa, DsaProblem, Lambda};
use crate::moments::Moments;
use crate::select::{stepwise, Criterion, SubsetFitter};
use crate::shared_windows;
use crate::sharpe::{Constraints, SharpeSolver};

/// Estimation method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Sharpe's constrained regression (constraints as given).
    Sharpe,
    /// Unconstrained least squares (a CASH exposure `1 − Σβ` is reported).
    Ols,
    /// Dynamic style analysis.
    Dsa,
}

/// Settings of a style analysis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StyleSpec {
    /// Method.
    pub method: Method,
    /// Constraints (ignored for `Ols`, which has none).
    pub constraints: Constraints,
    /// Rolling window length in observations (`None`: the whole sample).
    pub window: Option<usize>,
    /// Step between window ends.
    pub step: usize,
    /// Minimum fund observations for a window to be fitted (default: the full window).
    pub min_obs: Option<usize>,
    /// Stepwise selection criterion (`None`: all factors).
    pub selection: Option<Criterion>,
    /// λ of dynamic style analysis.
    pub lambda: Lambda,
    /// Observations per year (annualises the tracking error).
    pub periods_per_year: f64,
}

impl Default for StyleSpec {
    /// Sharpe's model with both constraints over the whole sample, every factor, λ chosen
    /// by predicted R², monthly data.
    fn default() -> Self {
        StyleSpec {
            method: Method::Sharpe,
            constraints: Constraints::SHARPE,
            window: None,
            step: 1,
            min_obs: None,
            selection: None,
            lambda: Lambda::Auto,
            periods_per_year: 12.0,
        }
    }
}

/// Aligned inputs: factors complete on every date, funds possibly missing (NaN).
#[derive(Clone, Copy, Debug)]
pub struct StyleProblem<'a> {
    /// Factor names.
    pub factor_names: &'a [String],
    /// Factor returns, factor-major (`factors[k * T + t]`), no missing values.
    pub factors: &'a [f64],
    /// Fund names.
    pub fund_names: &'a [String],
    /// Fund returns, fund-major (`funds[i * T + t]`), NaN where missing.
    pub funds: &'a [f64],
    /// Calendar year of each date (cross-validation blocks of the dynamic model).
    pub years: &'a [i32],
}

impl StyleProblem<'_> {
    /// Dates in the problem.
    pub(crate) fn t(&self) -> usize {
        self.years.len()
    }
}

/// One fitted window (or, for whole-sample dynamic fits, the whole sample).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Fit {
    /// Fund index.
    pub fund: usize,
    /// Date index of the window end.
    pub t: usize,
    /// `1 − Var(e)/Var(r)`.
    pub r2: f64,
    /// Adjusted R² (NaN for dynamic fits, whose degrees of freedom are not a count).
    pub adj_r2: f64,
    /// Annualised standard deviation of residuals.
    pub tracking_error: f64,
    /// Fund observations used.
    pub n_obs: usize,
    /// λ (dynamic fits only, else NaN).
    pub lambda: f64,
    /// Leave-one-block-out predicted R² (dynamic fits only, else NaN).
    pub predicted_r2: f64,
}

/// Exposures of one fund on one date.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExposureRow {
    /// Fund index.
    pub fund: usize,
    /// Date index.
    pub t: usize,
}

/// Results: exposure rows with a flat beta matrix (`betas[row * n + k]`) and fit rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StyleResult {
    /// Number of factors (columns of `betas`).
    pub n_factors: usize,
    /// Which fund and date each exposure row is.
    pub exposures: Vec<ExposureRow>,
    /// Exposures, `exposures.len() × n_factors`; zero for factors not selected.
    pub betas: Vec<f64>,
    /// Fit statistics per window.
    pub fits: Vec<Fit>,
}

/// Reject factor sets that make exposures unidentifiable: a constant factor, two
/// identical factors, or a factor that is a linear combination of the others.
pub fn validate_factors(names: &[String], factors: &[f64], t: usize) -> Result<(), InputError> {
    let n = names.len();
    let col = |k: usize| &factors[k * t..(k + 1) * t];
    let mut z = vec![0.0; n * t];
    for k in 0..n {
        let x = col(k);
        let mean = x.iter().sum::<f64>() / t as f64;
        let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (t as f64 - 1.0)).sqrt();
        let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if sd.is_nan() || sd <= 1e-12 * scale.max(1e-300) {
            return Err(InputError::new(format!(
                "factor '{}' is constant over the {t} common dates: it cannot explain returns",
                names[k]
            ))
            .with_column(names[k].clone()));
        }
        for (zz, v) in z[k * t..(k + 1) * t].iter_mut().zip(x) {
            *zz = (v - mean) / sd;
        }
    }
    for a in 0..n {
        for b in 0..a {
            if col(a) == col(b) {
                return Err(InputError::new(format!(
                    "factor '{}' duplicates factor '{}'",
                    names[a], names[b]
                ))
                .with_column(names[a].clone()));
            }
        }
    }
    // Sequential Gram–Schmidt on standardised factors (with the intercept, since a
    // budget-constrained model is invariant to it): a factor whose residual variance
    // vanishes is a combination of the ones before it.
    let mut basis: Vec<Vec<f64>> = vec![vec![1.0 / (t as f64).sqrt(); t]];
    for k in 0..n {
        let mut v = z[k * t..(k + 1) * t].to_vec();
        for q in &basis {
            let d: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
            for (vi, qi) in v.iter_mut().zip(q) {
                *vi -= d * qi;
            }
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm < 1e-7 * (t as f64).sqrt() {
            return Err(InputError::new(format!(
                "factor '{}' is (almost) a linear combination of the factors before it: exposures would not be identifiable; drop it or one of those",
                names[k]
            ))
            .with_column(names[k].clone()));
        }
        basis.push(v.iter().map(|a| a / norm).collect());
    }
    Ok(())
}

/// Window ends: every `step` from the first full window to the last date.
pub(crate) fn window_ends(t: usize, spec: &StyleSpec) -> Vec<usize> {
    match spec.window {
        None => vec![t - 1],
        Some(w) => (w - 1..t).step_by(spec.step.max(1)).collect(),
    }
}

/// Check the settings against the data; errors name what is wrong and by how much.
pub fn validate_spec(p: &StyleProblem<'_>, spec: &StyleSpec) -> Result<(), InputError> {
    let n = p.factor_names.len();
    let t = p.t();
    if let Lambda::Fixed(l) = spec.lambda {
        if !(l > 0.0 && l.is_finite()) {
            return Err(InputError::new(format!(
                "--lambda must be positive, got {l}"
            )));
        }
    }
    if spec.step == 0 {
        return Err(InputError::new("--step must be at least 1"));
    }
    if let Some(w) = spec.window {
        if w > t {
            return Err(InputError::new(format!(
                "the window ({w} observations) is longer than the common sample ({t} dates)"
            )));
        }
        if w < n + 1 {
            return Err(InputError::new(format!(
                "a window of {w} observations is too short for {n} factors: it needs at least {} (factors + 1)",
                n + 1
            )));
        }
    } else if t < n + 1 {
        return Err(InputError::new(format!(
            "{t} common dates are too few for {n} factors: at least {} are needed",
            n + 1
        )));
    }
    if let Some(m) = spec.min_obs {
        if m < n + 1 {
            return Err(InputError::new(format!(
                "--min-obs {m} is below factors + 1 = {}",
                n + 1
            )));
        }
    }
    for (i, name) in p.fund_names.iter().enumerate() {
        if p.funds[i * t..(i + 1) * t].iter().all(|v| v.is_nan()) {
            return Err(InputError::new(format!(
                "fund '{name}' has no returns on the dates the factors cover"
            ))
            .with_column(name.clone()));
        }
    }
    validate_factors(p.factor_names, p.factors, t)
}

/// Per-fund output before flattening.
struct FundOut {
    /// Date index of each exposure row.
    dates: Vec<usize>,
    /// Exposures, `dates.len() × n`, flat (no allocation per window).
    betas: Vec<f64>,
    fits: Vec<Fit>,
}

/// Run the analysis for every fund (in parallel).
pub fn analyse(p: &StyleProblem<'_>, spec: &StyleSpec) -> Result<StyleResult, InputError> {
    analyse_with(p, spec, &|| {})
}

/// [`analyse`], calling `fund_done` once as each fund's fits finish (from any thread), so
/// a front end can show how many funds are done; the result is the same.
pub fn analyse_with(
    p: &StyleProblem<'_>,
    spec: &StyleSpec,
    fund_done: &(dyn Fn() + Sync),
) -> Result<StyleResult, InputError> {
    validate_spec(p, spec)?;
    let n = p.factor_names.len();
    let t = p.t();
    // Row-major factor matrix (T × n): rows are what windows add and remove.
    let mut x = vec![0.0; t * n];
    for k in 0..n {
        for s in 0..t {
            x[s * n + k] = p.factors[k * t + s];
        }
    }
    if spec.method != Method::Dsa && spec.selection.is_none() {
        if let Some(shared) = shared_windows::SharedWindows::new(&x, t, n, spec) {
            return shared_windows::analyse_shared(p, spec, &x, &shared, fund_done);
        }
    }
    let per_fund: Vec<Result<FundOut, InputError>> = (0..p.fund_names.len())
        .into_par_iter()
        .map(|i| {
            let out = fit_fund(p, spec, &x, i);
            fund_done();
            out
        })
        .collect();
    let mut out = StyleResult {
        n_factors: n,
        ..Default::default()
    };
    for r in per_fund {
        let f = r?;
        let fund = f.fits.first().map_or(0, |ft| ft.fund);
        out.exposures
            .extend(f.dates.iter().map(|&t| ExposureRow { fund, t }));
        out.betas.extend_from_slice(&f.betas);
        out.fits.extend(f.fits);
    }
    Ok(out)
}

fn fit_fund(
    p: &StyleProblem<'_>,
    spec: &StyleSpec,
    x: &[f64],
    i: usize,
) -> Result<FundOut, InputError> {
    let n = p.factor_names.len();
    let t = p.t();
    let r = &p.funds[i * t..(i + 1) * t];
    let name = &p.fund_names[i];
    let ends = window_ends(t, spec);
    let w = spec.window.unwrap_or(t);
    let min_obs = spec
        .min_obs
        .unwrap_or(if spec.window.is_some() { w } else { n + 1 });
    let mut out = FundOut {
        dates: Vec::with_capacity(ends.len()),
        betas: Vec::with_capacity(ends.len() * n),
        fits: Vec::with_capacity(ends.len()),
    };
    let cons = match spec.method {
        Method::Ols => Constraints::OLS,
        _ => spec.constraints,
    };
    let fail = |e: crate::sharpe::QpError| {
        InputError::new(format!("fund '{name}': {e}")).with_column(name.clone())
    };

    if spec.method == Method::Dsa {
        let mut fitter = SubsetFitter::new(n);
        for &end in &ends {
            let start = end + 1 - w;
            let rw = &r[start..=end];
            let m = rw.iter().filter(|v| !v.is_nan()).count();
            if m < min_obs {
                continue;
            }
            let xw = &x[start * n..(end + 1) * n];
            // Per-window selection (seed 004 §6.2): stepwise on the window's static fit
            // picks the factors, the dynamic model is then fitted on those alone and the
            // others get β = 0 on every date.
            let selected: Option<Vec<usize>> = match spec.selection {
                Some(crit) => {
                    let mut mom = Moments::new(n);
                    for (k, &rv) in rw.iter().enumerate() {
                        if !rv.is_nan() {
                            mom.add(&xw[k * n..(k + 1) * n], rv);
                        }
                    }
                    Some(stepwise(&mom, cons, crit, &mut fitter).map_err(fail)?)
                }
                None => None,
            };
            let cols: Vec<usize> = selected.clone().unwrap_or_else(|| (0..n).collect());
            let ns = cols.len();
            let xs: std::borrow::Cow<'_, [f64]> = match &selected {
                None => xw.into(),
                Some(sel) => (0..rw.len())
                    .flat_map(|k| sel.iter().map(move |&j| xw[k * n + j]))
                    .collect::<Vec<f64>>()
                    .into(),
            };
            let prob = DsaProblem {
                x: &xs,
                r: rw,
                block: &p.years[start..=end],
                n: ns,
            };
            let fit = dsa(&prob, cons.budget, cons.long_only, spec.lambda).map_err(fail)?;
            // exposures on every factor, zero where not selected
            let mut path = vec![0.0; rw.len() * n];
            for k in 0..rw.len() {
                for (c, &j) in cols.iter().enumerate() {
                    path[k * n + j] = fit.betas[k * ns + c];
                }
            }
            // in-sample fit of the path
            let resid: Vec<f64> = (0..rw.len())
                .filter(|&k| !rw[k].is_nan())
                .map(|k| rw[k] - (0..n).map(|j| xw[k * n + j] * path[k * n + j]).sum::<f64>())
                .collect();
            let obs: Vec<f64> = rw.iter().copied().filter(|v| !v.is_nan()).collect();
            let (r2, te) = r2_te(&obs, &resid);
            out.fits.push(Fit {
                fund: i,
                t: end,
                r2,
                adj_r2: f64::NAN,
                tracking_error: te * spec.periods_per_year.sqrt(),
                n_obs: m,
                lambda: fit.lambda,
                predicted_r2: fit.predicted_r2,
            });
            if spec.window.is_some() {
                // rolling DSA: each window reports its last exposures (METHODS §2.8)
                out.dates.push(end);
                out.betas.extend_from_slice(&path[(rw.len() - 1) * n..]);
            } else {
                out.dates.extend(start..start + rw.len());
                out.betas.extend_from_slice(&path);
            }
        }
    } else {
        let mut mom = Moments::new(n);
        let mut solver = SharpeSolver::new(n);
        let mut fitter = SubsetFitter::new(n);
        let mut warm = vec![false; n];
        let mut have_warm = false;
        let mut lo = 0usize; // rows [lo, hi) are in `mom`
        let mut hi = 0usize;
        let mut since_rebuild = 0usize;
        for &end in &ends {
            let start = end + 1 - w;
            // Slide: rebuild when the windows do not overlap or periodically, to keep
            // rounding from accumulating over thousands of updates.
            if start >= hi || since_rebuild >= 512 {
                mom.clear();
                lo = start;
                hi = start;
                since_rebuild = 0;
            }
            while lo < start {
                if !r[lo].is_nan() {
                    mom.remove(&x[lo * n..(lo + 1) * n], r[lo]);
                }
                lo += 1;
            }
            while hi <= end {
                if !r[hi].is_nan() {
                    mom.add(&x[hi * n..(hi + 1) * n], r[hi]);
                }
                hi += 1;
            }
            since_rebuild += 1;
            if mom.count < min_obs {
                continue;
            }
            let k = match spec.selection {
                Some(crit) => {
                    let subset = stepwise(&mom, cons, crit, &mut fitter).map_err(fail)?;
                    let (b, _) = fitter.fit(&mom, &subset, cons, crit).map_err(fail)?;
                    out.betas.extend_from_slice(b);
                    subset.len()
                }
                None => {
                    let b = solver
                        .solve(&mom.xx, &mom.xr, n, cons, have_warm.then_some(&warm[..]))
                        .map_err(fail)?;
                    out.betas.extend_from_slice(b);
                    warm.copy_from_slice(&solver.active_set()[..n]);
                    have_warm = true;
                    n
                }
            };
            let beta = &out.betas[out.betas.len() - n..];
            let stats = mom.stats(beta, k.saturating_sub(usize::from(cons.budget)));
            out.fits.push(Fit {
                fund: i,
                t: end,
                r2: stats.r2,
                adj_r2: stats.adj_r2,
                tracking_error: stats.tracking_error * spec.periods_per_year.sqrt(),
                n_obs: mom.count,
                lambda: f64::NAN,
                predicted_r2: f64::NAN,
            });
            out.dates.push(end);
        }
    }
    if out.fits.is_empty() {
        let have = r.iter().filter(|v| !v.is_nan()).count();
        return Err(InputError::new(format!(
            "fund '{name}' has no window with at least {min_obs} observations (it has {have} on the common dates)"
        ))
        .with_column(name.clone()));
    }
    Ok(out)
}

/// Sharpe's R² and the per-period residual standard deviation.
fn r2_te(r: &[f64], e: &[f64]) -> (f64, f64) {
    let var = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
    };
    let (vr, ve) = (var(r), var(e));
    (1.0 - ve / vr, ve.sqrt())
}
