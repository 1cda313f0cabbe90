//! One fit: the options, the restriction, the result in the input's units, and the
//! likelihood and variances of given parameters.

use super::likelihood::Prepared;
use super::optimise::{optimise, starts, Free, Optimum};
use super::robust::robust_se;
use crate::model::{AtGarch, MU};
use crate::qp::P;

/// Settings of the estimation and of the tests around it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitOptions {
    /// Quantile of the residuals below which a shock counts as turmoil (METHODS §5.2: 0.1).
    pub threshold_quantile: f64,
    /// Level of the two-sided robust t-tests that drop α, β or δ (METHODS §5.5: 0.05).
    pub significance: f64,
    /// Lags of Engle's ARCH-LM test on the standardised residuals.
    pub arch_lags: usize,
    /// Fewest observations accepted.
    pub min_obs: usize,
    /// Iteration limit of one optimisation.
    pub max_iter: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            threshold_quantile: 0.1,
            significance: 0.05,
            arch_lags: 5,
            min_obs: 250,
            max_iter: 200,
        }
    }
}

/// One estimated model.
#[derive(Clone, Debug, PartialEq)]
pub struct GarchFit {
    /// Estimates (fixed parameters are 0).
    pub params: AtGarch,
    /// Robust standard errors in [`PARAMETER_NAMES`](super::PARAMETER_NAMES) order; NaN for fixed parameters or
    /// when the Hessian is singular.
    pub se: [f64; P],
    /// Which parameters were estimated.
    pub free: Free,
    /// Gaussian log-likelihood at the estimates (in the input's units).
    pub loglik: f64,
    /// Turmoil threshold ε* on the residuals (return units).
    pub threshold: f64,
    /// Sample share κ of squared-residual mass below the threshold.
    pub kappa: f64,
    /// Backcast `b` standing in for ε²₀ and h₀ (squared return units).
    pub backcast: f64,
    /// Backcast `b_S` standing in for S₀ε²₀ (squared return units).
    pub backcast_turmoil: f64,
    /// Optimiser iterations used.
    pub iterations: usize,
    /// Whether the optimiser reached a KKT point within the iteration limit.
    pub converged: bool,
    /// Why it did not, if it did not.
    pub failure: Option<String>,
}

impl GarchFit {
    /// Robust t-statistic of parameter `k` (NaN when fixed).
    pub fn t_stat(&self, k: usize) -> f64 {
        self.params.get(k) / self.se[k]
    }
}
/// Fit the AT-GARCH model (or the restriction `free`) to returns `r` (any unit).
///
/// # Panics
/// If `r` has fewer than 3 values, a non-finite value or zero variance; callers validate
/// (see [`rate_series`](super::rate_series)).
pub fn fit_with(r: &[f64], free: Free, options: &FitOptions) -> GarchFit {
    let p = Prepared::new(r, options.threshold_quantile);
    fit_prepared(&p, free, options)
}

/// Fit the unrestricted AT-GARCH model with default options.
pub fn fit(r: &[f64]) -> GarchFit {
    fit_with(r, Free::ALL, &FitOptions::default())
}

pub(super) fn fit_prepared(p: &Prepared, free: Free, options: &FitOptions) -> GarchFit {
    assert!(
        p.x.len() >= 3 && p.scale > 0.0 && p.scale.is_finite(),
        "fit: need ≥ 3 finite, non-constant returns"
    );
    // β is not identified without a shock term (h would be a constant γ/(1−β)).
    let free = Free {
        beta: free.beta && (free.alpha || free.delta),
        ..free
    };
    let mask = free.mask();
    let mut best: Option<Optimum> = None;
    let mut iterations = 0;
    for start in starts(p, free).into_iter().take(3) {
        let o = optimise(p, start, &mask, options.max_iter);
        iterations += o.iterations;
        let better = best.as_ref().is_none_or(|b| {
            (b.failure.is_some() && o.failure.is_none())
                || (b.failure.is_some() == o.failure.is_some() && o.loglik > b.loglik)
        });
        let done = o.failure.is_none();
        if better {
            best = Some(o);
        }
        if done {
            break;
        }
    }
    let best = best.unwrap_or(Optimum {
        theta: [0.0; P],
        loglik: f64::NAN,
        iterations: 0,
        failure: Some("no feasible starting point".into()),
    });
    let se_std = robust_se(p, &best.theta, &mask);
    let s = p.scale;
    let unit = [s, s * s, 1.0, 1.0, 1.0];
    let mut theta = best.theta;
    let mut se = [f64::NAN; P];
    for k in 0..P {
        theta[k] *= unit[k];
        se[k] = if mask[k] {
            se_std[k] * unit[k]
        } else {
            f64::NAN
        };
    }
    let mu_std = best.theta[MU];
    GarchFit {
        params: AtGarch::from_array(theta),
        se,
        free,
        loglik: best.loglik - p.x.len() as f64 * s.ln(),
        threshold: (p.x_threshold - mu_std) * s,
        kappa: p.kappa,
        backcast: p.backcast * s * s,
        backcast_turmoil: p.backcast_turmoil * s * s,
        iterations,
        converged: best.failure.is_none(),
        failure: best.failure,
    }
}

/// Conditional variances `h_t` of `params` on returns `r` (squared return units), with
/// the threshold and backcasts of the fit (the prepared series); for tests and reports.
pub fn conditional_variance(r: &[f64], params: &AtGarch, threshold_quantile: f64) -> Vec<f64> {
    let p = Prepared::new(r, threshold_quantile);
    let s = p.scale;
    let th = p.standardised(params);
    p.variance(&th).into_iter().map(|h| h * s * s).collect()
}

/// Log-likelihood of `params` on returns `r` (input units), same conventions as [`fit`].
pub fn loglik(r: &[f64], params: &AtGarch, threshold_quantile: f64) -> f64 {
    let p = Prepared::new(r, threshold_quantile);
    let s = p.scale;
    let th = p.standardised(params);
    p.loglik(&th) - r.len() as f64 * s.ln()
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PARAMETER_NAMES;

    #[test]
    fn fit_satisfies_kkt_on_the_free_coordinates() {
        let mut rng = peergroup_random::Rng::stream(4, 0);
        let truth = AtGarch {
            mu: 0.0,
            gamma: 0.05,
            alpha: 0.07,
            beta: 0.85,
            delta: 0.1,
        };
        let r = crate::simulate(&truth, -1.5, 3000, 500, &mut rng);
        let p = Prepared::new(&r, 0.1);
        let f = fit_prepared(&p, Free::ALL, &FitOptions::default());
        assert!(f.converged);
        let th = p.standardised(&f.params);
        // Interior optimum (no bound active): the gradient vanishes.
        let g = p.evaluate(&th).unwrap().grad;
        for k in 0..P {
            assert!(g[k].abs() < 1e-4, "∂ℓ/∂{} = {}", PARAMETER_NAMES[k], g[k]);
        }
    }
}
