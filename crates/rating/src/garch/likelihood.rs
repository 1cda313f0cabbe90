//! The prepared series, the Gaussian log-likelihood and its exact first and second
//! derivatives by recursion of `h_t` (standardised units).

use crate::model::{quantile, AtGarch, ALPHA, BETA, DELTA, MU};
use crate::qp::P;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

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
    pub(super) fn standardised(&self, params: &AtGarch) -> [f64; P] {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PARAMETER_NAMES;

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
}
