//! METHODS §5.5 for one series: fit, restrict by robust t-tests, refit, decompose the risk
//! and test the standardised residuals.

use super::estimate::{fit_prepared, FitOptions, GarchFit};
use super::likelihood::Prepared;
use super::optimise::Free;
use crate::archlm::{arch_lm, ArchLm};
use crate::model::{ALPHA, BETA, DELTA, MU, PARAMETER_NAMES};
use crate::risk::{decompose, RiskComponents};

/// Everything the rating needs from one fund's return series.
#[derive(Clone, Debug, PartialEq)]
pub struct RatedSeries {
    /// The final model: the unrestricted one, or its restriction after the t-tests.
    pub fit: GarchFit,
    /// The unrestricted AT-GARCH fit (the t-tests run on it unless it failed and a
    /// fallback model was fitted instead; see `note`).
    pub unrestricted: GarchFit,
    /// Engle's LM test on the final model's standardised residuals.
    pub arch_lm: ArchLm,
    /// Risk components of the final model (squared return units per period).
    pub risk: RiskComponents,
    /// Parameters dropped by the t-tests, and other remarks, for the report.
    pub note: String,
}

/// Why a series cannot be rated at all.
#[derive(Clone, Debug, PartialEq)]
pub enum SeriesProblem {
    /// Fewer observations than `needed`.
    TooShort {
        /// Observations given.
        have: usize,
        /// Observations required.
        needed: usize,
    },
    /// Zero variance: GARCH is undefined.
    Constant,
    /// A non-finite value at this index.
    NotFinite(usize),
    /// Values so large that their variance overflows (beyond about 1e150).
    Overflow,
}

impl std::fmt::Display for SeriesProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeriesProblem::TooShort { have, needed } => write!(
                f,
                "{have} returns, but the AT-GARCH rating needs at least {needed} (five parameters and a turmoil decile; the paper used 1,600 daily returns)"
            ),
            SeriesProblem::Constant => f.write_str("all returns are equal: the variance model is undefined"),
            SeriesProblem::NotFinite(t) => write!(f, "return {t} is not a finite number"),
            SeriesProblem::Overflow => f.write_str(
                "the returns are too large for the variance model (their variance overflows): expected fractions such as 0.01 for 1%",
            ),
        }
    }
}

/// METHODS §5.5 for one series: fit, drop the parameters among α, β, δ whose robust t-test is
/// not significant and refit, then decompose the risk and test the standardised
/// residuals. When α and δ are both dropped, β goes too (it is not identified) and the
/// variance is constant. A failed optimisation is reported in `fit.converged` and `note`,
/// never hidden.
pub fn rate_series(r: &[f64], options: &FitOptions) -> Result<RatedSeries, SeriesProblem> {
    // The ARCH-LM test on the residuals regresses on `arch_lags` lags: it needs more
    // than `2·arch_lags + 1` of them (a long --arch-lags with a low --min-obs).
    let needed = options
        .min_obs
        .max(options.arch_lags + 10)
        .max(2 * options.arch_lags + 2)
        .max(10);
    if r.len() < needed {
        return Err(SeriesProblem::TooShort {
            have: r.len(),
            needed,
        });
    }
    if let Some(t) = r.iter().position(|v| !v.is_finite()) {
        return Err(SeriesProblem::NotFinite(t));
    }
    let p = Prepared::new(r, options.threshold_quantile);
    let largest = r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    // Finite inputs give a NaN or infinite spread only when a sum overflows.
    if !p.scale.is_finite() {
        return Err(SeriesProblem::Overflow);
    }
    // Equal values leave a rounding-level spread from the mean; treat as constant.
    if p.scale <= 1e-12 * largest {
        return Err(SeriesProblem::Constant);
    }
    let unrestricted = fit_prepared(&p, Free::ALL, options);
    let mut notes = Vec::new();
    // Fallback when the full model fails (typically a flat likelihood in β when there is
    // little or no ARCH effect): the symmetric GARCH(1,1), then constant variance, whose
    // two-parameter likelihood is always well posed. The t-tests then run on that model.
    let base = if unrestricted.converged {
        unrestricted.clone()
    } else {
        let why = unrestricted.failure.clone().unwrap_or_default();
        let garch = fit_prepared(&p, Free::GARCH, options);
        if garch.converged {
            notes.push(format!(
                "AT-GARCH did not converge ({why}): GARCH(1,1) fitted instead"
            ));
            garch
        } else {
            let none = Free {
                alpha: false,
                beta: false,
                delta: false,
            };
            notes.push(format!(
                "AT-GARCH and GARCH(1,1) did not converge ({why}): constant variance fitted instead"
            ));
            fit_prepared(&p, none, options)
        }
    };
    let fit = if base.converged {
        let critical = peergroup_numeric::stats::normal_quantile(1.0 - options.significance / 2.0);
        let keep = |k: usize| base.t_stat(k).abs() >= critical;
        let free = Free {
            alpha: base.free.alpha && keep(ALPHA),
            beta: base.free.beta && keep(BETA),
            delta: base.free.delta && keep(DELTA),
        };
        let was = [base.free.alpha, base.free.beta, base.free.delta];
        let dropped: Vec<&str> = [(ALPHA, free.alpha), (BETA, free.beta), (DELTA, free.delta)]
            .iter()
            .zip(was)
            .filter(|((_, kept), was)| *was && !kept)
            .map(|(x, _)| x)
            .map(|(k, _)| PARAMETER_NAMES[*k])
            .collect();
        if dropped.is_empty() {
            base
        } else {
            notes.push(format!(
                "{} not significant at {}%: set to 0 and re-estimated",
                dropped.join(", "),
                options.significance * 100.0
            ));
            let restricted = fit_prepared(&p, free, options);
            if !free.alpha && !free.delta {
                notes.push("no ARCH effect: constant variance".into());
            }
            restricted
        }
    } else {
        base
    };
    if let Some(f) = &fit.failure {
        notes.push(format!("optimiser did not converge: {f}"));
    }
    let th = [
        fit.params.mu / p.scale,
        fit.params.gamma / (p.scale * p.scale),
        fit.params.alpha,
        fit.params.beta,
        fit.params.delta,
    ];
    let h_std = p.variance(&th);
    let z: Vec<f64> =
        p.x.iter()
            .zip(&h_std)
            .map(|(x, h)| (x - th[MU]) / h.sqrt())
            .collect();
    let test = arch_lm(&z, options.arch_lags);
    if test.p_value < options.significance {
        notes.push(format!(
            "ARCH-LM p = {:.3}: some ARCH effect remains in the standardised residuals",
            test.p_value
        ));
    }
    let residuals: Vec<f64> = r.iter().map(|v| v - fit.params.mu).collect();
    let turmoil: Vec<bool> = p.turmoil.iter().map(|&s| s > 0.5).collect();
    let risk = decompose(
        &fit.params,
        &residuals,
        &turmoil,
        fit.backcast,
        fit.backcast_turmoil,
    );
    Ok(RatedSeries {
        fit,
        unrestricted,
        arch_lm: test,
        risk,
        note: notes.join("; "),
    })
}
