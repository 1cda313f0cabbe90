//! The optimiser: the linear constraints of METHODS §5.3, starting points from a grid and
//! sequential quadratic programming with an Armijo line search (standardised units).

use super::likelihood::Prepared;
use crate::model::{ALPHA, BETA, DELTA, GAMMA};
use crate::qp::{self, Constraint, P};

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

    pub(super) fn mask(self) -> [bool; P] {
        [true, true, self.alpha, self.beta, self.delta]
    }
}

/// Upper bound on β and on the persistence α + β + κδ (keeps `1 − β` away from 0).
const MAX_PERSISTENCE: f64 = 1.0 - 1e-6;
/// Lower bound on γ in standardised units (the sample variance is 1).
const MIN_GAMMA: f64 = 1e-10;

impl Prepared {
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
/// Outcome of one optimisation in standardised units.
pub(super) struct Optimum {
    pub theta: [f64; P],
    pub loglik: f64,
    pub iterations: usize,
    pub failure: Option<String>,
}

/// Maximise the likelihood from `start` over the free coordinates.
pub(super) fn optimise(
    p: &Prepared,
    start: [f64; P],
    free: &[bool; P],
    max_iter: usize,
) -> Optimum {
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
pub(super) fn starts(p: &Prepared, free: Free) -> Vec<[f64; P]> {
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
