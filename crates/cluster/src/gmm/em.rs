//! The EM loop: M-step, then E and M steps until Aitken's convergence rule holds.

use super::steps::{argmax, column_scales, e_step, m_step, Em};
use super::{CovModel, Gmm, GmmFit, GmmOptions};
use crate::error::{check_features, check_len, ClusterError};
use peergroup_numeric::MatRef;

/// [`Gmm::fit_from_labels`](super::Gmm::fit_from_labels) on checked input.
pub(super) fn fit_from_labels(
    x: &[f64],
    n: usize,
    d: usize,
    k: usize,
    model: CovModel,
    init: &[usize],
    opts: &GmmOptions,
) -> GmmFit {
    let scale = column_scales(x, n, d);
    let em = Em {
        x,
        n,
        d,
        k,
        model,
        scale: &scale,
        opts,
    };
    run_em(&em, one_hot(init, k), 0, f64::NEG_INFINITY)
}

pub(super) fn one_hot(labels: &[usize], k: usize) -> Vec<f64> {
    let mut resp = vec![0.0; labels.len() * k];
    for (i, &l) in labels.iter().enumerate() {
        resp[i * k + l] = 1.0;
    }
    resp
}

/// EM from responsibilities `resp` (hard labels, or the E-step of an earlier run that had
/// done `iterations` iterations and reached `prev`): M-step, then E and M until the
/// relative log-likelihood change is below `opts.tol` or `opts.max_iter` is reached.
pub(super) fn run_em(em: &Em, mut resp: Vec<f64>, mut iterations: usize, mut prev: f64) -> GmmFit {
    let (x, n, d, k, model, opts) = (em.x, em.n, em.d, em.k, em.model, em.opts);
    let mut p = m_step(em, &resp);
    let mut converged = false;
    let mut prev_step = f64::NAN;
    let loglik = loop {
        let ll = e_step(x, n, d, k, model, &mut p, &mut resp);
        if !ll.is_finite() {
            break ll;
        }
        let step = ll - prev;
        if prev.is_finite() && remaining(step, prev_step).abs() < opts.tol * (1.0 + ll.abs()) {
            converged = true;
            break ll;
        }
        if iterations >= opts.max_iter {
            break ll;
        }
        p = m_step(em, &resp);
        iterations += 1;
        // No step before the first log-likelihood (prev = −∞): NaN makes `remaining`
        // fall back to the plain step.
        prev_step = if prev.is_finite() { step } else { f64::NAN };
        prev = ll;
    };
    let labels = (0..n).map(|i| argmax(&resp[i * k..(i + 1) * k])).collect();
    let params = model.params(k, d);
    GmmFit {
        model,
        k,
        weights: p.weights,
        means: p.means,
        covariances: p.covs,
        loglik,
        bic: 2.0 * loglik - params as f64 * (n as f64).ln(),
        params,
        labels,
        responsibilities: resp,
        iterations,
        converged,
        singular: p.singular || !loglik.is_finite(),
    }
}

/// Aitken's estimate of the log-likelihood still to be gained, `ℓ∞ − ℓ_t`, from the last
/// two steps. EM converges linearly, `step_t ≈ a·step_{t−1}`, so the remaining gain is
/// `step_t·a/(1 − a)`: a stopping rule on it bounds the error of the log-likelihood (and
/// BIC), where a rule on the step alone stops far too early when `a` is close to 1, as
/// it is for overlapping components. Outside `0 ≤ a < 1` (no linear regime yet) the
/// step itself is used, unless it is growing.
fn remaining(step: f64, prev_step: f64) -> f64 {
    if step == 0.0 {
        return 0.0;
    }
    let a = step / prev_step;
    if (0.0..1.0).contains(&a) {
        step * a / (1.0 - a)
    } else if a.is_nan() || a < 0.0 {
        step
    } else {
        f64::INFINITY
    }
}

// A mixture fitted from given labels is one EM run from their M-step.
impl Gmm {
    /// EM from the hard labels `init` (one per row of `x`, each below k): the first step
    /// is the M-step of those labels, so the fit is fully determined by them. Singular or
    /// degenerate data (including NaN) give a fit flagged [`GmmFit::singular`], not an
    /// error.
    pub fn fit_from_labels(&self, x: MatRef<'_>, init: &[usize]) -> Result<GmmFit, ClusterError> {
        self.validate()?;
        let (n, d) = (x.rows(), x.cols());
        check_features(d)?;
        check_len("initial labels", n, init.len())?;
        if let Some(&l) = init.iter().find(|&&l| l >= self.k) {
            return Err(ClusterError::parameter("initial label", l, "below k"));
        }
        let x = x.as_slice();
        Ok(fit_from_labels(
            x,
            n,
            d,
            self.k,
            self.model,
            init,
            &self.options,
        ))
    }
}
