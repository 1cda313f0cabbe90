//! AT-GARCH(1,1) by Gaussian quasi-maximum likelihood (METHODS §5.2–§5.5).
//!
//! Model: `r_t = μ + ε_t`, `ε_t | I_{t−1} ~ N(0, h_t)`,
//! `h_t = γ + α ε²_{t−1} + β h_{t−1} + δ S_{t−1} ε²_{t−1}` with `S_t = 1{ε_t < ε*}` and
//! `ε*` the `q`-quantile (default the first decile) of the residuals.
//!
//! Choices the model leaves open, fixed here:
//! * **Threshold.** `ε_t < ε*` with `ε* = Q_q(ε)` is the same event as `r_t < Q_q(r)`
//!   because `ε = r − μ` shifts every observation alike; so `S` is fixed by the data
//!   (numpy's default linear-interpolation quantile) and does not move with μ during
//!   the optimisation, which keeps the likelihood smooth.
//! * **Start of the recursion.** `h_1 = γ + (α + β)·b + δ·b_S`, where `b` is the backcast of
//!   Python `arch` (the 0.94-weighted mean of the first min(75, T) squared residuals at the
//!   sample mean) and `b_S` the same weighted mean of `S_t ε²_t`. With δ = 0 the likelihood
//!   is exactly `arch`'s GARCH(1,1) with a constant mean.
//! * **Constraints.** γ > 0, α ≥ 0, 0 ≤ β < 1, α + δ ≥ 0 (so `h_t ≥ γ` whatever the sign
//!   of the residual), and covariance stationarity `α + β + κδ < 1`, where
//!   `κ = Σ S_t ε²_t / Σ ε²_t` is the sample share of squared-residual mass below the
//!   threshold (from `E h = γ + (α + β) E h + δ E[S ε²]`).
//! * **Optimiser.** Sequential quadratic programming on exact analytic scores: BHHH
//!   (outer-product) steps far from the optimum, Newton steps with a Hessian by central
//!   differences of the analytic score near it, each step the exact solution of a tiny
//!   linearly constrained QP (the crate's `qp` module), with an Armijo line search. Several
//!   starting points from a grid; the next one is tried when an optimisation fails.
//! * **Scale.** Returns are divided by their standard deviation before fitting and the
//!   estimates mapped back (μ·s, γ·s², log-likelihood − T ln s), so percent and fraction
//!   inputs give the same α, β, δ, t-statistics and stars.
//! * **Standard errors.** Robust (sandwich) `H⁻¹ J H⁻¹`, with `H` the Hessian of the
//!   log-likelihood and `J` the sum of outer products of the per-observation scores, on the
//!   estimated (free) parameters only.
//!
//! One module per job: `likelihood` (the prepared series, the log-likelihood and its exact
//! derivatives), `optimise` (constraints, starting points and the SQP iteration), `robust`
//! (the sandwich standard errors), `estimate` (one fit and its result in input units) and
//! `rate` (METHODS §5.5 for one series: fit, t-tests, refit, ARCH-LM, notes).

mod estimate;
mod likelihood;
mod optimise;
mod rate;
mod robust;

// The parameters and the threshold quantile live in `model` so that `risk` and `simulate`
// need not depend on the estimator; re-exported so that their `garch::` paths still resolve.
pub use crate::model::{quantile, AtGarch, PARAMETER_NAMES};
pub use estimate::{conditional_variance, fit, fit_with, loglik, FitOptions, GarchFit};
pub use optimise::Free;
pub use rate::{rate_series, RatedSeries, SeriesProblem};
