//! The validated parameters of a fit ([`KPrototypes`], [`KPrototypesOptions`]) and its
//! result.

use peergroup_numeric::MatRef;

use super::default_gamma;
use crate::error::{check_k, ClusterError};
use crate::fit::Partition;

/// Assign/update iterations allowed per restart (`kmodes`' default `max_iter`).
pub const MAX_ITER: usize = 100;

/// Default relative cost decrease below which a fit stops. Restarts that land near a
/// poor local optimum can creep downhill for dozens of iterations by ~1e-5 each (seen on
/// 1M rows: 50 iterations instead of 3-4 for the good ones); stopping them changes the
/// cost by less than that creep, and the best restart is kept anyway.
pub const TOL: f64 = 1e-5;

/// Settings of a [`KPrototypes`] fit (all but k).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KPrototypesOptions {
    /// Weight of one categorical mismatch, in squared numeric units; `None` = [`default_gamma`].
    pub gamma: Option<f64>,
    /// Independent seeded fits; the lowest cost is kept (10, `kmodes`' `n_init`).
    pub restarts: usize,
    /// Iterations allowed per fit ([`MAX_ITER`]).
    pub max_iter: usize,
    /// A fit also stops once an iteration lowers the cost by at most this fraction
    /// ([`TOL`]); 0 = only when no label changes.
    pub tol: f64,
    /// Seed; restart r draws from `Rng::stream(seed, r)`.
    pub seed: u64,
}

impl Default for KPrototypesOptions {
    fn default() -> Self {
        KPrototypesOptions {
            gamma: None,
            restarts: 10,
            max_iter: MAX_ITER,
            tol: TOL,
            seed: 0,
        }
    }
}

/// Result of a k-prototypes fit of n rows (p numeric, q categorical features).
#[derive(Clone, Debug, PartialEq)]
pub struct KPrototypesFit {
    /// Cluster of each row, `0..k`.
    pub labels: Vec<usize>,
    /// Numeric part of the prototypes (cluster means), k × p row-major, feature units.
    pub centroids: Vec<f64>,
    /// Categorical part of the prototypes (cluster modes), k × q row-major codes.
    pub modes: Vec<u32>,
    /// Total dissimilarity of the rows to their prototypes (squared numeric units).
    pub cost: f64,
    /// Cost after each assignment step, first to last; non-increasing, last = `cost`.
    pub history: Vec<f64>,
    /// Prototype updates performed.
    pub iterations: usize,
    /// `true` if, before the iteration limit, the assignment stopped changing or an
    /// iteration lowered the cost by at most `tol` (relative).
    pub converged: bool,
    /// γ used (squared numeric units per mismatch).
    pub gamma: f64,
}

/// k-prototypes parameters: `k` clusters and the [`KPrototypesOptions`] of every fit.
/// Built as `KPrototypes::new(k).options(…)`; checked by [`KPrototypes::validate`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KPrototypes {
    /// Number of clusters, 1..=n.
    pub k: usize,
    /// Everything else (γ, restarts, iterations, tolerance, seed).
    pub options: KPrototypesOptions,
}

impl KPrototypes {
    /// `k` clusters with default options.
    pub fn new(k: usize) -> Self {
        KPrototypes {
            k,
            options: KPrototypesOptions::default(),
        }
    }

    /// Sets all options.
    pub fn options(self, options: KPrototypesOptions) -> Self {
        KPrototypes { options, ..self }
    }

    /// Sets the seed.
    pub fn seed(self, seed: u64) -> Self {
        let options = KPrototypesOptions {
            seed,
            ..self.options
        };
        KPrototypes { options, ..self }
    }

    /// Checks k against n rows (1 ≤ k ≤ n) and the options.
    pub fn validate(&self, n: usize) -> Result<(), ClusterError> {
        check_k(self.k, n)?;
        self.options.validate()
    }
}

impl KPrototypesOptions {
    /// Checks the options: restarts ≥ 1, γ (if given) finite and ≥ 0, tol finite and ≥ 0.
    pub fn validate(&self) -> Result<(), ClusterError> {
        if self.restarts == 0 {
            return Err(ClusterError::parameter("restarts", 0, "at least 1"));
        }
        if let Some(gamma) = self.gamma {
            check_gamma(gamma)?;
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(ClusterError::parameter("tol", self.tol, "finite and ≥ 0"));
        }
        Ok(())
    }

    /// γ given, or [`default_gamma`] of the numeric part.
    pub fn gamma_for(&self, numeric: MatRef<'_>) -> f64 {
        self.gamma.unwrap_or_else(|| default_gamma(numeric))
    }
}

pub(super) fn check_gamma(gamma: f64) -> Result<(), ClusterError> {
    if gamma.is_finite() && gamma >= 0.0 {
        Ok(())
    } else {
        Err(ClusterError::parameter("γ", gamma, "finite and ≥ 0"))
    }
}

impl Partition for KPrototypesFit {
    fn labels(&self) -> &[usize] {
        &self.labels
    }

    fn cost(&self) -> f64 {
        self.cost
    }
}
