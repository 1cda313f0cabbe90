//! The closed-form M-step of every covariance model and the E-step.

use peergroup_numeric::linalg::cholesky;

use super::model::Shape;
use super::{CovModel, GmmOptions};

/// One EM problem: the data (n × d), k components of `model`, the per-variable ridge
/// scale and the options.
#[derive(Clone, Copy)]
pub(super) struct Em<'a> {
    pub(super) x: &'a [f64],
    pub(super) n: usize,
    pub(super) d: usize,
    pub(super) k: usize,
    pub(super) model: CovModel,
    pub(super) scale: &'a [f64],
    pub(super) opts: &'a GmmOptions,
}

/// Smallest eigenvalue of a covariance before the ridge, relative to the data variance,
/// below which the fit is reported as singular.
const SINGULAR_TOL: f64 = 1e-6;

/// Parameters after an M-step.
pub(super) struct Params {
    pub(super) weights: Vec<f64>,
    pub(super) means: Vec<f64>,
    pub(super) covs: Vec<f64>,
    pub(super) singular: bool,
}

/// Per-variable scale for the ridge and the singularity test: the column variance, with
/// a floor so that constant columns still get a (tiny) positive ridge.
pub(super) fn column_scales(x: &[f64], n: usize, d: usize) -> Vec<f64> {
    let mut var = vec![0.0; d];
    for j in 0..d {
        let mean = (0..n).map(|i| x[i * d + j]).sum::<f64>() / n as f64;
        var[j] = (0..n).map(|i| (x[i * d + j] - mean).powi(2)).sum::<f64>() / n as f64;
    }
    let top = var.iter().cloned().fold(0.0, f64::max);
    let floor = if top > 0.0 { 1e-12 * top } else { 1.0 };
    var.iter().map(|&v| v.max(floor)).collect()
}

/// Closed-form M-step for responsibilities `resp` (n×k), plus the ridge and the
/// singularity test on the covariances before the ridge.
pub(super) fn m_step(em: &Em, resp: &[f64]) -> Params {
    let (x, n, d, k, model) = (em.x, em.n, em.d, em.k, em.model);
    let (scale, reg) = (em.scale, em.opts.reg_covar);
    // As scikit-learn: 10·eps keeps an emptied component's mean finite; its weight ≈ 0.
    let mut nk = vec![10.0 * f64::EPSILON; k];
    let mut means = vec![0.0; k * d];
    for i in 0..n {
        let xi = &x[i * d..(i + 1) * d];
        for c in 0..k {
            let r = resp[i * k + c];
            if r != 0.0 {
                nk[c] += r;
                for j in 0..d {
                    means[c * d + j] += r * xi[j];
                }
            }
        }
    }
    for c in 0..k {
        for j in 0..d {
            means[c * d + j] /= nk[c];
        }
    }
    let total: f64 = nk.iter().sum();
    let weights: Vec<f64> = nk.iter().map(|v| v / total).collect();

    // Scatter about each component's own mean (centred, for accuracy): full matrices
    // for EEE/VVV, diagonals only otherwise.
    let shape = model.shape();
    let mut scatter = vec![0.0; shape.per_component(d) * k];
    let mut diff = vec![0.0; d];
    for i in 0..n {
        for c in 0..k {
            let r = resp[i * k + c];
            if r == 0.0 {
                continue;
            }
            for j in 0..d {
                diff[j] = x[i * d + j] - means[c * d + j];
            }
            if shape == Shape::Full {
                let w = &mut scatter[c * d * d..(c + 1) * d * d];
                for a in 0..d {
                    let ra = r * diff[a];
                    for b in 0..=a {
                        w[a * d + b] += ra * diff[b];
                    }
                }
            } else {
                for j in 0..d {
                    scatter[c * d + j] += r * diff[j] * diff[j];
                }
            }
        }
    }
    if shape == Shape::Full {
        for c in 0..k {
            for a in 0..d {
                for b in 0..a {
                    scatter[c * d * d + b * d + a] = scatter[c * d * d + a * d + b];
                }
            }
        }
    }

    // Raw (unregularised) covariance of each distinct matrix: pooled ones divide the
    // summed scatter by n, varying ones each scatter by its n_c.
    let groups = if model.shared() { 1 } else { k };
    let block = scatter.len() / k;
    let mut raw = vec![0.0; groups * block];
    if model.shared() {
        for c in 0..k {
            for t in 0..block {
                raw[t] += scatter[c * block + t];
            }
        }
        raw.iter_mut().for_each(|v| *v /= total);
    } else {
        for c in 0..k {
            for t in 0..block {
                raw[c * block + t] = scatter[c * block + t] / nk[c];
            }
        }
    }
    let mean_scale = scale.iter().sum::<f64>() / d as f64;
    let mut covs = vec![0.0; k * d * d];
    let mut singular = false;
    for g in 0..groups {
        let m = &raw[g * block..(g + 1) * block];
        let mut cov = vec![0.0; d * d];
        match shape {
            Shape::Spherical => {
                let lambda = m.iter().sum::<f64>() / d as f64;
                singular |= lambda.is_nan() || lambda <= SINGULAR_TOL * mean_scale;
                for j in 0..d {
                    cov[j * d + j] = lambda + reg * mean_scale;
                }
            }
            Shape::Diagonal => {
                for j in 0..d {
                    singular |= m[j].is_nan() || m[j] <= SINGULAR_TOL * scale[j];
                    cov[j * d + j] = m[j] + reg * scale[j];
                }
            }
            Shape::Full => {
                // λ_min(D^{-1/2} M D^{-1/2}) > tol  ⇔  M − tol·D is positive definite.
                let mut shifted = m.to_vec();
                for j in 0..d {
                    shifted[j * d + j] -= SINGULAR_TOL * scale[j];
                }
                let mut l = vec![0.0; d * d];
                singular |= !cholesky(&shifted, d, &mut l);
                cov.copy_from_slice(m);
                for j in 0..d {
                    cov[j * d + j] += reg * scale[j];
                }
            }
        }
        let targets = if model.shared() { 0..k } else { g..g + 1 };
        for c in targets {
            covs[c * d * d..(c + 1) * d * d].copy_from_slice(&cov);
        }
    }
    Params {
        weights,
        means,
        covs,
        singular,
    }
}

/// E-step: responsibilities into `resp`, returns the log-likelihood. A covariance that is
/// not numerically positive definite (possible only with a zero ridge) gets a growing
/// jitter and marks the fit singular.
pub(super) fn e_step(
    x: &[f64],
    n: usize,
    d: usize,
    k: usize,
    model: CovModel,
    p: &mut Params,
    resp: &mut [f64],
) -> f64 {
    let shape = model.shape();
    let ln2pi = (2.0 * std::f64::consts::PI).ln();
    // Per component: Cholesky factor (full) or inverse variances (diagonal), and
    // the constant  ln π_c − ½(d ln 2π + ln det Σ_c).
    let mut factor = vec![0.0; shape.per_component(d) * k];
    let mut konst = vec![0.0; k];
    for c in 0..k {
        let cov = &mut p.covs[c * d * d..(c + 1) * d * d];
        let logdet = if shape == Shape::Full {
            let l = &mut factor[c * d * d..(c + 1) * d * d];
            if !cholesky(cov, d, l) {
                p.singular = true;
                let mean_diag = (0..d).map(|j| cov[j * d + j].abs()).sum::<f64>() / d as f64;
                let mut jitter = 1e-10 * mean_diag.max(f64::MIN_POSITIVE);
                let mut ok = false;
                for _ in 0..40 {
                    for j in 0..d {
                        cov[j * d + j] += jitter;
                    }
                    if cholesky(cov, d, l) {
                        ok = true;
                        break;
                    }
                    jitter *= 10.0;
                }
                if !ok {
                    return f64::NAN;
                }
            }
            (0..d).map(|j| 2.0 * l[j * d + j].ln()).sum::<f64>()
        } else {
            let mut s = 0.0;
            for j in 0..d {
                let v = cov[j * d + j];
                if v.is_nan() || v <= 0.0 {
                    return f64::NAN;
                }
                factor[c * d + j] = 1.0 / v;
                s += v.ln();
            }
            s
        };
        konst[c] = p.weights[c].ln() - 0.5 * (d as f64 * ln2pi + logdet);
    }

    let mut loglik = 0.0;
    let mut diff = vec![0.0; d];
    for i in 0..n {
        let xi = &x[i * d..(i + 1) * d];
        let row = &mut resp[i * k..(i + 1) * k];
        for c in 0..k {
            let mu = &p.means[c * d..(c + 1) * d];
            let maha = if shape == Shape::Full {
                // Forward substitution L y = x − μ; the Mahalanobis distance is |y|².
                let l = &factor[c * d * d..(c + 1) * d * d];
                let mut s2 = 0.0;
                for a in 0..d {
                    let mut s = xi[a] - mu[a];
                    for b in 0..a {
                        s -= l[a * d + b] * diff[b];
                    }
                    diff[a] = s / l[a * d + a];
                    s2 += diff[a] * diff[a];
                }
                s2
            } else {
                let inv = &factor[c * d..(c + 1) * d];
                (0..d).map(|j| (xi[j] - mu[j]).powi(2) * inv[j]).sum()
            };
            row[c] = konst[c] - 0.5 * maha;
        }
        // log-sum-exp, so that far-away points do not underflow to 0/0.
        let top = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = row.iter().map(|v| (v - top).exp()).sum();
        let lse = top + sum.ln();
        for v in row.iter_mut() {
            *v = (*v - lse).exp();
        }
        loglik += lse;
    }
    loglik
}

pub(super) fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (c, &p) in v.iter().enumerate() {
        if p > v[best] {
            best = c;
        }
    }
    best
}
