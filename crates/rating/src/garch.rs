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
//!   linearly constrained QP ([`crate::qp`]), with an Armijo line search. Several
//!   starting points from a grid; the next one is tried when an optimisation fails.
//! * **Scale.** Returns are divided by their standard deviation before fitting and the
//!   estimates mapped back (μ·s, γ·s², log-likelihood − T ln s), so percent and fraction
//!   inputs give the same α, β, δ, t-statistics and stars.
//! * **Standard errors.** Robust (sandwich) `H⁻¹ J H⁻¹`, with `H` the Hessian of the
//!   log-likelihood and `J` the sum of outer products of the per-observation scores, on the
//!   estimated (free) parameters only.

use crate::archlm::{arch_lm, ArchLm};
use crate::model::{ALPHA, BETA, DELTA, GAMMA, MU};
use crate::qp::{self, Constraint, P};
use crate::risk::{decompose, RiskComponents};

// The parameters and the threshold quantile live in `model` so that `risk` and `simulate`
// need not depend on the estimator; re-exported so that their `garch::` paths still resolve.
pub use crate::model::{quantile, AtGarch, PARAMETER_NAMES};

const LN_2PI: f64 = 1.837_877_066_409_345_5;
/// Upper bound on β and on the persistence α + β + κδ (keeps `1 − β` away from 0).
const MAX_PERSISTENCE: f64 = 1.0 - 1e-6;
/// Lower bound on γ in standardised units (the sample variance is 1).
const MIN_GAMMA: f64 = 1e-10;

/// Which of α, β and δ are estimated; the others are fixed at 0 (μ and γ always are).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Free {
    /// Estimate α.
    pub alpha: bool,
    /// Estimate β.
    pub beta: bool,
    /// Estimate δ.
    pub delta: bool,
}

impl Free {
    /// Every parameter estimated (the unrestricted AT-GARCH).
    pub const ALL: Free = Free {
        alpha: true,
        beta: true,
        delta: true,
    };
    /// GARCH(1,1): δ fixed at 0.
    pub const GARCH: Free = Free {
        alpha: true,
        beta: true,
        delta: false,
    };

    fn mask(self) -> [bool; P] {
        [true, true, self.alpha, self.beta, self.delta]
    }
}

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
    /// Robust standard errors in [`PARAMETER_NAMES`] order; NaN for fixed parameters or
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

/// A return series prepared for fitting: standardised, with its threshold indicators.
pub(crate) struct Prepared {
    /// Returns divided by `scale`.
    pub x: Vec<f64>,
    /// Standard deviation of the raw returns (population).
    pub scale: f64,
    /// `S_t` as 0/1.
    pub turmoil: Vec<f64>,
    /// Threshold on x (standardised units), before subtracting μ.
    pub x_threshold: f64,
    pub backcast: f64,
    pub backcast_turmoil: f64,
    pub kappa: f64,
}

impl Prepared {
    pub(crate) fn new(r: &[f64], q: f64) -> Prepared {
        let n = r.len() as f64;
        let mean = r.iter().sum::<f64>() / n;
        let scale = (r.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
        let x: Vec<f64> = r.iter().map(|v| v / scale).collect();
        let xm = mean / scale;
        let x_threshold = quantile(&x, q);
        let turmoil: Vec<f64> = x
            .iter()
            .map(|&v| f64::from(u8::from(v < x_threshold)))
            .collect();
        // arch's backcast: exponentially weighted mean of the first 75 squared residuals.
        let tau = x.len().min(75);
        let (mut w_sum, mut b, mut bs, mut w) = (0.0, 0.0, 0.0, 1.0);
        for t in 0..tau {
            let e2 = (x[t] - xm) * (x[t] - xm);
            w_sum += w;
            b += w * e2;
            bs += w * e2 * turmoil[t];
            w *= 0.94;
        }
        let (mut all, mut low) = (0.0, 0.0);
        for (v, s) in x.iter().zip(&turmoil) {
            let e2 = (v - xm) * (v - xm);
            all += e2;
            low += s * e2;
        }
        Prepared {
            x,
            scale,
            turmoil,
            x_threshold,
            backcast: b / w_sum,
            backcast_turmoil: bs / w_sum,
            kappa: low / all,
        }
    }

    /// `params` (input units) as a parameter vector in standardised units: μ/s, γ/s².
    fn standardised(&self, params: &AtGarch) -> [f64; P] {
        let s = self.scale;
        [
            params.mu / s,
            params.gamma / (s * s),
            params.alpha,
            params.beta,
            params.delta,
        ]
    }

    /// Log-likelihood (standardised units); NaN if a variance is not positive.
    pub(crate) fn loglik(&self, th: &[f64; P]) -> f64 {
        let [mu, g, a, b, d] = *th;
        let mut h = g + (a + b) * self.backcast + d * self.backcast_turmoil;
        let mut ll = 0.0;
        for (&x, &s) in self.x.iter().zip(&self.turmoil) {
            if h.is_nan() || h <= 0.0 {
                return f64::NAN;
            }
            let e = x - mu;
            let e2 = e * e;
            ll += h.ln() + e2 / h;
            h = g + (a + d * s) * e2 + b * h;
        }
        -0.5 * (ll + LN_2PI * self.x.len() as f64)
    }

    /// Conditional variances h_t (standardised units).
    pub(crate) fn variance(&self, th: &[f64; P]) -> Vec<f64> {
        let [mu, g, a, b, d] = *th;
        let mut h = g + (a + b) * self.backcast + d * self.backcast_turmoil;
        let mut out = Vec::with_capacity(self.x.len());
        for (&x, &s) in self.x.iter().zip(&self.turmoil) {
            out.push(h);
            let e = x - mu;
            h = g + (a + d * s) * e * e + b * h;
        }
        out
    }

    /// `h₁` and `∂h₁/∂θ` at `th`; the backcast is data, so `∂h₁/∂μ = 0` as in arch.
    fn start(&self, th: &[f64; P]) -> (f64, [f64; P]) {
        let [_, g, a, b, d] = *th;
        let (b0, bs) = (self.backcast, self.backcast_turmoil);
        (g + (a + b) * b0 + d * bs, [0.0, 1.0, b0, b0, bs])
    }

    /// Log-likelihood, its gradient and the outer-product (BHHH) matrix of the
    /// per-observation scores; `None` if a variance is not positive. The optimiser uses
    /// [`Prepared::evaluate_with_hessian`]; this first-order pass is its test oracle.
    #[cfg(test)]
    pub(crate) fn evaluate(&self, th: &[f64; P]) -> Option<Evaluation> {
        let [mu, g, a, b, d] = *th;
        let (mut h, mut dh) = self.start(th);
        let mut ll = 0.0;
        let mut grad = [0.0; P];
        let mut opg = [[0.0; P]; P];
        for (&x, &s) in self.x.iter().zip(&self.turmoil) {
            if h.is_nan() || h <= 0.0 {
                return None;
            }
            let (e, e2, inv_h, c) = residual_terms(x, mu, h);
            ll += h.ln() + e2 * inv_h;
            let score = score(c, e * inv_h, &dh);
            for i in 0..P {
                grad[i] += score[i];
                for j in 0..=i {
                    opg[i][j] += score[i] * score[j];
                }
            }
            let k = a + d * s;
            dh = next_dh(&dh, (k, b), (e, s), h);
            h = g + k * e2 + b * h;
        }
        for i in 0..P {
            for j in 0..i {
                opg[j][i] = opg[i][j];
            }
        }
        Some(Evaluation {
            loglik: -0.5 * (ll + LN_2PI * self.x.len() as f64),
            grad,
            opg,
        })
    }

    /// [`Prepared::evaluate`] plus the exact Hessian of the log-likelihood, from the
    /// second-derivative recursion of `h_t` (about three evaluations' work, against the
    /// eleven a central-difference Hessian costs).
    pub(crate) fn evaluate_with_hessian(
        &self,
        th: &[f64; P],
    ) -> Option<(Evaluation, [[f64; P]; P])> {
        let [mu, g, a, b, d] = *th;
        let (mut h, mut dh) = self.start(th);
        // Lower triangle of ∂²h_t/∂θ∂θ' (row ≥ column).
        let mut d2h = [[0.0; P]; P];
        let mut ll = 0.0;
        let mut grad = [0.0; P];
        let mut opg = [[0.0; P]; P];
        let mut hess = [[0.0; P]; P];
        for (&x, &s) in self.x.iter().zip(&self.turmoil) {
            if h.is_nan() || h <= 0.0 {
                return None;
            }
            let (e, e2, inv_h, c) = residual_terms(x, mu, h);
            let inv_h2 = inv_h * inv_h;
            ll += h.ln() + e2 * inv_h;
            // ∂e²/∂θ is −2e for μ and 0 otherwise; ∂²e²/∂μ² = 2.
            let de2_mu = -2.0 * e;
            let score = score(c, e * inv_h, &dh);
            let w = 0.5 * (2.0 * e2 * inv_h - 1.0) * inv_h2;
            for i in 0..P {
                grad[i] += score[i];
                for j in 0..=i {
                    opg[i][j] += score[i] * score[j];
                    // c·∂²h − ½(2e²/h − 1)∂h_i∂h_j/h² + ½(∂e²_i ∂h_j + ∂e²_j ∂h_i)/h²
                    // − ½∂²e²_ij/h.
                    let mut v = c * d2h[i][j] - w * dh[i] * dh[j];
                    if i == 0 {
                        v += 0.5 * de2_mu * dh[j] * inv_h2;
                    }
                    if j == 0 {
                        v += 0.5 * de2_mu * dh[i] * inv_h2;
                    }
                    if i == 0 && j == 0 {
                        v -= inv_h;
                    }
                    hess[i][j] += v;
                }
            }
            let k = a + d * s;
            // ∂²h_{t+1}: β·∂²h_t, plus ∂k_j ∂e²_i + ∂k_i ∂e²_j + k ∂²e²_ij, plus ∂h_t
            // wherever β is differentiated.
            for i in 0..P {
                for j in 0..=i {
                    d2h[i][j] *= b;
                }
            }
            d2h[0][0] += 2.0 * k;
            d2h[ALPHA][MU] += de2_mu;
            d2h[DELTA][MU] += s * de2_mu;
            for j in 0..P {
                if j <= BETA {
                    d2h[BETA][j] += dh[j];
                } else {
                    d2h[j][BETA] += dh[j];
                }
            }
            d2h[BETA][BETA] += dh[BETA];
            dh = next_dh(&dh, (k, b), (e, s), h);
            h = g + k * e2 + b * h;
        }
        for i in 0..P {
            for j in 0..i {
                opg[j][i] = opg[i][j];
                hess[j][i] = hess[i][j];
            }
        }
        let ev = Evaluation {
            loglik: -0.5 * (ll + LN_2PI * self.x.len() as f64),
            grad,
            opg,
        };
        Some((ev, hess))
    }

    /// Linear constraints `a·θ ≥ c` of METHODS §5.3 in standardised units.
    fn constraints(&self) -> [Constraint; 6] {
        let row = |entries: &[(usize, f64)], c: f64| {
            let mut a = [0.0; P];
            for &(k, v) in entries {
                a[k] = v;
            }
            Constraint { a, c }
        };
        [
            row(&[(GAMMA, 1.0)], MIN_GAMMA),
            row(&[(ALPHA, 1.0)], 0.0),
            row(&[(BETA, 1.0)], 0.0),
            row(&[(BETA, -1.0)], -MAX_PERSISTENCE),
            row(&[(ALPHA, 1.0), (DELTA, 1.0)], 0.0),
            row(
                &[(ALPHA, -1.0), (BETA, -1.0), (DELTA, -self.kappa)],
                -MAX_PERSISTENCE,
            ),
        ]
    }

    /// Hessian of the log-likelihood on the free coordinates by central differences of
    /// the analytic gradient (forward differences where a step leaves the domain): the
    /// test oracle of [`Prepared::evaluate_with_hessian`].
    #[cfg(test)]
    fn hessian(&self, th: &[f64; P], free: &[bool; P]) -> Option<[[f64; P]; P]> {
        let base = self.evaluate(th)?;
        let mut hess = [[0.0; P]; P];
        for j in (0..P).filter(|&j| free[j]) {
            let step = 1e-5 * th[j].abs().max(1e-3);
            let mut up = *th;
            up[j] += step;
            let mut down = *th;
            down[j] -= step;
            let column = match (self.evaluate(&up), self.evaluate(&down)) {
                (Some(u), Some(d)) => {
                    let mut c = [0.0; P];
                    for i in 0..P {
                        c[i] = (u.grad[i] - d.grad[i]) / (2.0 * step);
                    }
                    c
                }
                (Some(u), None) => {
                    let mut c = [0.0; P];
                    for i in 0..P {
                        c[i] = (u.grad[i] - base.grad[i]) / step;
                    }
                    c
                }
                _ => return None,
            };
            for i in 0..P {
                hess[i][j] = column[i];
            }
        }
        for i in 0..P {
            for j in 0..i {
                let m = 0.5 * (hess[i][j] + hess[j][i]);
                hess[i][j] = m;
                hess[j][i] = m;
            }
        }
        Some(hess)
    }
}

/// One observation's residual `e_t = x_t − μ`, `e²_t`, `1/h_t` and the score weight
/// `c = ½(e²_t/h_t − 1)/h_t`.
#[inline(always)]
fn residual_terms(x: f64, mu: f64, h: f64) -> (f64, f64, f64, f64) {
    let e = x - mu;
    let e2 = e * e;
    let inv_h = 1.0 / h;
    (e, e2, inv_h, 0.5 * (e2 * inv_h - 1.0) * inv_h)
}

/// One observation's score `∂ℓ_t/∂θ = c·∂h_t/∂θ`, plus `e_t/h_t` for μ, where
/// `c = ½(e²_t/h_t − 1)/h_t`.
#[inline(always)]
fn score(c: f64, e_over_h: f64, dh: &[f64; P]) -> [f64; P] {
    [
        c * dh[0] + e_over_h,
        c * dh[1],
        c * dh[2],
        c * dh[3],
        c * dh[4],
    ]
}

/// `∂h_{t+1}/∂θ` from `∂h_t/∂θ`, with `k = α + δS_t` and β the GARCH coefficient, the
/// residual `e_t` with its turmoil indicator `S_t`, and `h_t`.
#[inline(always)]
fn next_dh(dh: &[f64; P], (k, beta): (f64, f64), (e, s): (f64, f64), h: f64) -> [f64; P] {
    let e2 = e * e;
    [
        -2.0 * k * e + beta * dh[0],
        1.0 + beta * dh[1],
        e2 + beta * dh[2],
        h + beta * dh[3],
        s * e2 + beta * dh[4],
    ]
}

/// Log-likelihood with its derivatives at one parameter vector.
pub(crate) struct Evaluation {
    pub loglik: f64,
    pub grad: [f64; P],
    pub opg: [[f64; P]; P],
}

/// Whether `m` restricted to the free coordinates is positive definite (Cholesky).
fn positive_definite(m: &[[f64; P]; P], free: &[bool; P]) -> bool {
    let idx: Vec<usize> = (0..P).filter(|&j| free[j]).collect();
    let k = idx.len();
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = m[idx[i]][idx[j]];
            for p in 0..j {
                s -= l[i * k + p] * l[j * k + p];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 {
                    return false;
                }
                l[i * k + i] = s.sqrt();
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    true
}

/// Inverse of `m` on the free coordinates (zeros elsewhere); `None` if singular.
fn inverse_free(m: &[[f64; P]; P], free: &[bool; P]) -> Option<[[f64; P]; P]> {
    let idx: Vec<usize> = (0..P).filter(|&j| free[j]).collect();
    let k = idx.len();
    let mut out = [[0.0; P]; P];
    for (c, &jc) in idx.iter().enumerate() {
        let mut a: Vec<f64> = idx
            .iter()
            .flat_map(|&i| idx.iter().map(move |&j| (i, j)))
            .map(|(i, j)| m[i][j])
            .collect();
        let mut e = vec![0.0; k];
        e[c] = 1.0;
        if !qp::solve_in_place(&mut a, k, &mut e) {
            return None;
        }
        for (r, &ir) in idx.iter().enumerate() {
            out[ir][jc] = e[r];
        }
    }
    Some(out)
}

/// Outcome of one optimisation in standardised units.
struct Optimum {
    theta: [f64; P],
    loglik: f64,
    iterations: usize,
    failure: Option<String>,
}

/// Maximise the likelihood from `start` over the free coordinates.
fn optimise(p: &Prepared, start: [f64; P], free: &[bool; P], max_iter: usize) -> Optimum {
    let constraints = p.constraints();
    let mut theta = start;
    let fail = |theta, loglik, iterations, why: String| Optimum {
        theta,
        loglik,
        iterations,
        failure: Some(why),
    };
    let Some((mut ev, mut hess)) = p.evaluate_with_hessian(&theta) else {
        return fail(
            theta,
            f64::NAN,
            0,
            "the starting point has a non-positive variance".into(),
        );
    };
    let mut flat = 0;
    for iteration in 1..=max_iter {
        // Newton steps where the Hessian is negative definite on the free coordinates
        // (quadratic convergence near the optimum); BHHH (outer product of the scores,
        // always positive semi-definite) elsewhere. If the step problem is singular — β
        // is not identified when α and δ sit at 0 — add a growing ridge (Levenberg).
        let neg = hess.map(|row| row.map(|v| -v));
        let base = if positive_definite(&neg, free) {
            neg
        } else {
            ev.opg
        };
        let trace: f64 = (0..P).filter(|&j| free[j]).map(|j| base[j][j].abs()).sum();
        let mut step = None;
        for ridge in [1e-12, 1e-8, 1e-5, 1e-3, 1e-1] {
            let mut curvature = base;
            for (j, row) in curvature.iter_mut().enumerate() {
                row[j] += ridge * trace + 1e-300;
            }
            if let Some(d) = qp::step(&curvature, &ev.grad, &theta, free, &constraints) {
                step = Some((d, curvature));
                break;
            }
        }
        let Some((d, curvature)) = step else {
            return fail(
                theta,
                ev.loglik,
                iteration,
                "no step satisfies the constraints".into(),
            );
        };
        let slope: f64 = (0..P).map(|j| ev.grad[j] * d[j]).sum();
        let quad: f64 = (0..P)
            .map(|i| (0..P).map(|j| d[i] * curvature[i][j] * d[j]).sum::<f64>())
            .sum();
        let predicted = slope - 0.5 * quad;
        if predicted < 1e-12 * (1.0 + ev.loglik.abs()) {
            return Optimum {
                theta,
                loglik: ev.loglik,
                iterations: iteration,
                failure: None,
            };
        }
        let mut a = 1.0;
        let accepted = loop {
            let mut trial = theta;
            for j in 0..P {
                trial[j] += a * d[j];
            }
            let ll = p.loglik(&trial);
            if ll.is_finite() && ll >= ev.loglik + 1e-4 * a * slope {
                break Some(trial);
            }
            a *= 0.5;
            if a < 1e-12 {
                break None;
            }
        };
        match accepted.and_then(|t| p.evaluate_with_hessian(&t).map(|e| (t, e))) {
            Some((t, (e, h))) => {
                // Along an unidentified ridge the likelihood stops changing before the
                // predicted gain vanishes: three steps without a measurable gain end it.
                flat = if e.loglik - ev.loglik <= 1e-13 * (1.0 + ev.loglik.abs()) {
                    flat + 1
                } else {
                    0
                };
                theta = t;
                ev = e;
                hess = h;
                if flat >= 3 {
                    return Optimum {
                        theta,
                        loglik: ev.loglik,
                        iterations: iteration,
                        failure: None,
                    };
                }
            }
            None => {
                // No ascent along the step: at the optimum to rounding, or stuck.
                if predicted > 1e-6 {
                    return fail(
                        theta,
                        ev.loglik,
                        iteration,
                        format!("line search failed with a predicted gain of {predicted:.2e} in log-likelihood"),
                    );
                }
                return Optimum {
                    theta,
                    loglik: ev.loglik,
                    iterations: iteration,
                    failure: None,
                };
            }
        }
    }
    fail(
        theta,
        ev.loglik,
        max_iter,
        format!("no convergence in {max_iter} iterations"),
    )
}

/// Starting points from a small grid, best log-likelihood first.
fn starts(p: &Prepared, free: Free) -> Vec<[f64; P]> {
    let n = p.x.len() as f64;
    let mu = p.x.iter().sum::<f64>() / n;
    let var = p.x.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / n;
    let alphas: &[f64] = if free.alpha {
        &[0.03, 0.08, 0.15]
    } else {
        &[0.0]
    };
    let betas: &[f64] = if free.beta {
        &[0.6, 0.8, 0.9, 0.95]
    } else {
        &[0.0]
    };
    let deltas: &[f64] = if free.delta { &[0.0, 0.1] } else { &[0.0] };
    let mut out: Vec<(f64, [f64; P])> = Vec::new();
    for &a in alphas {
        for &b in betas {
            for &d in deltas {
                let persistence = a + b + p.kappa * d;
                if persistence >= 0.995 {
                    continue;
                }
                let th = [mu, var * (1.0 - persistence), a, b, d];
                let ll = p.loglik(&th);
                if ll.is_finite() {
                    out.push((ll, th));
                }
            }
        }
    }
    out.sort_by(|x, y| y.0.total_cmp(&x.0));
    out.into_iter().map(|(_, th)| th).collect()
}

/// Fit the AT-GARCH model (or the restriction `free`) to returns `r` (any unit).
///
/// # Panics
/// If `r` has fewer than 3 values, a non-finite value or zero variance; callers validate
/// (see [`rate_series`]).
pub fn fit_with(r: &[f64], free: Free, options: &FitOptions) -> GarchFit {
    let p = Prepared::new(r, options.threshold_quantile);
    fit_prepared(&p, free, options)
}

/// Fit the unrestricted AT-GARCH model with default options.
pub fn fit(r: &[f64]) -> GarchFit {
    fit_with(r, Free::ALL, &FitOptions::default())
}

fn fit_prepared(p: &Prepared, free: Free, options: &FitOptions) -> GarchFit {
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

/// Robust standard errors (standardised units) on the free coordinates; NaN where the
/// sandwich cannot be formed.
fn robust_se(p: &Prepared, theta: &[f64; P], mask: &[bool; P]) -> [f64; P] {
    let mut se = [f64::NAN; P];
    let Some((ev, h)) = p.evaluate_with_hessian(theta) else {
        return se;
    };
    let Some(hinv) = inverse_free(&h, mask) else {
        return se;
    };
    for k in (0..P).filter(|&k| mask[k]) {
        let mut v = 0.0;
        for i in 0..P {
            for j in 0..P {
                v += hinv[k][i] * ev.opg[i][j] * hinv[j][k];
            }
        }
        se[k] = if v > 0.0 { v.sqrt() } else { f64::NAN };
    }
    se
}

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
        }
    }
}

/// METHODS §5.5 for one series: fit, drop the parameters among α, β, δ whose robust t-test is
/// not significant and refit, then decompose the risk and test the standardised
/// residuals. When α and δ are both dropped, β goes too (it is not identified) and the
/// variance is constant. A failed optimisation is reported in `fit.converged` and `note`,
/// never hidden.
pub fn rate_series(r: &[f64], options: &FitOptions) -> Result<RatedSeries, SeriesProblem> {
    let needed = options.min_obs.max(options.arch_lags + 10).max(10);
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
    // Equal values leave a rounding-level spread from the mean; treat as constant.
    if p.scale.is_nan() || p.scale <= 1e-12 * largest {
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

/// Conditional variances `h_t` of `params` on returns `r` (squared return units), with
/// the threshold and backcasts of [`Prepared`]; for tests and reports.
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

    #[test]
    fn analytic_score_matches_finite_differences() {
        let mut rng = peergroup_random::Rng::stream(3, 0);
        let r: Vec<f64> = (0..300).map(|_| rng.normal() * 0.8 + 0.1).collect();
        let p = Prepared::new(&r, 0.1);
        let th = [0.05, 0.2, 0.1, 0.7, 0.15];
        let ev = p.evaluate(&th).unwrap();
        assert!((ev.loglik - p.loglik(&th)).abs() < 1e-10);
        for k in 0..P {
            let step = 1e-6;
            let (mut up, mut down) = (th, th);
            up[k] += step;
            down[k] -= step;
            let fd = (p.loglik(&up) - p.loglik(&down)) / (2.0 * step);
            assert!(
                (fd - ev.grad[k]).abs() < 1e-6 * (1.0 + fd.abs()),
                "∂ℓ/∂{}: analytic {} vs numeric {fd}",
                PARAMETER_NAMES[k],
                ev.grad[k]
            );
        }
        // The outer-product matrix is the sum of per-observation score products.
        assert!(ev.opg[2][3] == ev.opg[3][2] && ev.opg[0][0] > 0.0);
    }

    #[test]
    fn analytic_hessian_matches_differences_of_the_score() {
        let mut rng = peergroup_random::Rng::stream(8, 0);
        let r: Vec<f64> = (0..400).map(|_| rng.normal() * 1.3 - 0.1).collect();
        let p = Prepared::new(&r, 0.1);
        for th in [
            [0.05, 0.2, 0.1, 0.7, 0.15],
            [-0.1, 0.05, 0.02, 0.9, -0.01],
            [0.0, 0.5, 0.3, 0.2, 0.4],
        ] {
            let (ev, h) = p.evaluate_with_hessian(&th).unwrap();
            let plain = p.evaluate(&th).unwrap();
            assert_eq!(ev.loglik, plain.loglik);
            assert_eq!(ev.grad, plain.grad);
            let fd = p.hessian(&th, &[true; P]).unwrap();
            for i in 0..P {
                for j in 0..P {
                    assert!(
                        (h[i][j] - fd[i][j]).abs() < 1e-5 * (1.0 + fd[i][j].abs()),
                        "H[{i}][{j}] = {} vs {}",
                        h[i][j],
                        fd[i][j]
                    );
                }
            }
        }
    }

    #[test]
    fn threshold_is_the_first_decile_of_the_returns() {
        let r: Vec<f64> = (1..=21).map(f64::from).collect();
        let p = Prepared::new(&r, 0.1);
        // Position 0.1·20 = 2 → the third value, 3; only 1 and 2 lie strictly below.
        assert_eq!(p.turmoil.iter().filter(|&&s| s > 0.5).count(), 2);
        assert!((p.x_threshold * p.scale - 3.0).abs() < 1e-12);
    }

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
