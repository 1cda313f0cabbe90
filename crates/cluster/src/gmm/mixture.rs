//! One mixture: its parameters ([`Gmm`]), EM options and fitted result.

use super::CovModel;
use crate::error::ClusterError;
use crate::fit::Partition;

/// A fitted mixture. Matrices are row-major: `means` is k×d, `covariances` k×d×d.
#[derive(Clone, Debug)]
pub struct GmmFit {
    /// Covariance parameterisation.
    pub model: CovModel,
    /// Number of components.
    pub k: usize,
    /// Mixing weights `π_c` (sum 1).
    pub weights: Vec<f64>,
    /// Component means, k×d row-major.
    pub means: Vec<f64>,
    /// Component covariances including the ridge, k×d×d row-major (full matrices for every model).
    pub covariances: Vec<f64>,
    /// Log-likelihood `Σ_i ln Σ_c π_c N(x_i | μ_c, Σ_c)` at the returned parameters.
    pub loglik: f64,
    /// `2·loglik − params·ln n` (mclust's sign: higher is better).
    pub bic: f64,
    /// Number of free parameters ([`CovModel::params`]).
    pub params: usize,
    /// Most probable component of each observation.
    pub labels: Vec<usize>,
    /// Posterior probabilities, n×k row-major.
    pub responsibilities: Vec<f64>,
    /// Number of M-steps after the one from the initial labels.
    pub iterations: usize,
    /// Whether the relative log-likelihood change fell below the tolerance.
    pub converged: bool,
    /// Whether a covariance is singular without the ridge (or the fit is not finite):
    /// mclust would report this model as failed, and [`GmmSearch`] never picks it.
    pub singular: bool,
}

/// Tuning of the EM ([`Gmm`], [`GmmSearch`]).
#[derive(Clone, Debug)]
pub struct GmmOptions {
    /// Ridge added to covariance diagonals, as a multiple of each variable's variance.
    pub reg_covar: f64,
    /// Stop when the log-likelihood still to be gained (Aitken's estimate from the last
    /// steps) is below `tol·(1 + |loglik|)`; `0` never stops early, so exactly
    /// `max_iter` iterations run.
    pub tol: f64,
    /// Maximum number of EM iterations.
    pub max_iter: usize,
    /// Number of k-means starts per k in [`GmmSearch`] and [`Gmm::fit`].
    pub n_starts: usize,
}

impl Default for GmmOptions {
    fn default() -> Self {
        GmmOptions {
            reg_covar: 1e-6,
            tol: 1e-6,
            max_iter: 1000,
            n_starts: 5,
        }
    }
}

/// Gaussian mixture parameters: `k` components of covariance `model`, EM `options`, and
/// the `seed` of the k-means starts of [`Gmm::fit`]. Built as
/// `Gmm::new(k, model).seed(1)`; checked by [`Gmm::validate`].
#[derive(Clone, Debug)]
pub struct Gmm {
    /// Number of components, ≥ 1 (and ≤ n for [`Gmm::fit`]).
    pub k: usize,
    /// Covariance parameterisation.
    pub model: CovModel,
    /// EM tuning.
    pub options: GmmOptions,
    /// Seed of the k-means starts (0).
    pub seed: u64,
}

impl Gmm {
    /// `k` components of `model`, default options, seed 0.
    pub fn new(k: usize, model: CovModel) -> Self {
        Gmm {
            k,
            model,
            options: GmmOptions::default(),
            seed: 0,
        }
    }

    /// Sets the EM options.
    pub fn options(self, options: GmmOptions) -> Self {
        Gmm { options, ..self }
    }

    /// Sets the seed of the k-means starts.
    pub fn seed(self, seed: u64) -> Self {
        Gmm { seed, ..self }
    }

    /// Checks k ≥ 1 and the options.
    pub fn validate(&self) -> Result<(), ClusterError> {
        if self.k == 0 {
            return Err(ClusterError::parameter("k", 0, "at least 1"));
        }
        self.options.validate()
    }
}

impl GmmOptions {
    /// Checks reg_covar and tol finite and ≥ 0.
    pub fn validate(&self) -> Result<(), ClusterError> {
        if !(self.reg_covar.is_finite() && self.reg_covar >= 0.0) {
            return Err(ClusterError::parameter(
                "reg_covar",
                self.reg_covar,
                "finite and ≥ 0",
            ));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(ClusterError::parameter("tol", self.tol, "finite and ≥ 0"));
        }
        Ok(())
    }
}

impl Partition for GmmFit {
    fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Negative log-likelihood (nats).
    fn cost(&self) -> f64 {
        -self.loglik
    }
}
