//! t-distributed stochastic neighbour embedding (van der Maaten & Hinton 2008; METHODS §6.5:
//! t-SNE projections of segments), and the trustworthiness of an embedding.
//!
//! The recipe is scikit-learn's `TSNE` (itself van der Maaten's reference code):
//!
//! * input affinities from squared Euclidean distances: per point, a Gaussian whose
//!   precision is found by bisection so that the entropy of the conditional distribution
//!   is ln(perplexity) to within 1e-5 nats (at most 100 steps); symmetrised as
//!   P = (P_{j|i} + P_{i|j}) / Σ;
//! * Student-t (one degree of freedom) output affinities, gradient
//!   4 Σ_j (p_ij − q_ij)(1 + ‖y_i − y_j‖²)⁻¹ (y_i − y_j);
//! * gradient descent with momentum 0.5 for the first 250 iterations, during which P is
//!   multiplied by the early exaggeration (12), then momentum 0.8; per-coordinate gains
//!   (+0.2 when the gradient changes sign against the last update, ×0.8 otherwise, at
//!   least 0.01), reset together with the update between the two stages; learning rate
//!   "auto" = max(n / exaggeration / 4, 50); 1000 iterations in all; stops early once the
//!   gradient norm is ≤ 1e-7 or the KL divergence has not improved for 300 iterations
//!   (checked every 50 iterations after the exaggeration stage);
//! * initialisation by PCA, scaled so that the first coordinate has standard deviation
//!   1e-4 (scikit-learn's `init="pca"`), or N(0, 1e-4²) draws.
//!
//! Two gradients: the exact O(n²) one (dense P over all pairs, parallel over points), and
//! Barnes–Hut (van der Maaten 2014) for larger n: P restricted to each point's
//! ⌊3·perplexity⌋ + 1 nearest neighbours (found by brute force, O(n²·d) once), repulsion
//! summarised per cell of a 2^dims-ary space-partitioning tree (quadtree in 2-D) whose
//! side s and distance r to the point's centre of mass satisfy s² / r² < θ² (scikit-learn's
//! criterion, θ = 0.5). [`TsneMethod::Auto`] uses the exact gradient up to
//! [`BARNES_HUT_MIN_N`] points. Both are deterministic: per-point work is parallel, sums
//! over points are taken in point order, so results depend on the inputs and the seed only.

mod affinities;
mod barnes_hut;
mod exact;
mod trustworthiness;

pub use self::trustworthiness::trustworthiness;

use peergroup_numeric::MatRef;
use peergroup_random::Rng;

use crate::error::{check_finite, ClusterError};
use crate::pca::pca_checked;

use self::affinities::{dense_affinities, sparse_affinities, Affinities};
use self::barnes_hut::bh_gradient;
use self::exact::exact_gradient;

/// Largest n for which [`TsneMethod::Auto`] uses the exact gradient; above it, Barnes–Hut
/// (for dims ≤ 3). Measured with 1,000 iterations on 2 shared cores (load 3-4): 1,000
/// points take 4.7 s exact and 2.1 s Barnes–Hut, 2,000 points 33 s and 7.7 s, so the
/// exact objective is kept while it costs a few seconds.
pub const BARNES_HUT_MIN_N: usize = 1_000;

/// Iterations between checks of the KL divergence and the stopping rules (scikit-learn's).
const CHECK_EVERY: usize = 50;

/// Iterations without a KL improvement after which the optimisation stops.
const MAX_ITER_WITHOUT_PROGRESS: usize = 300;

/// Floor on probabilities inside logarithms (numpy's double epsilon, as scikit-learn).
const EPS: f64 = f64::EPSILON;

/// How the gradient is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TsneMethod {
    /// Exact up to [`BARNES_HUT_MIN_N`] points or for dims > 3, Barnes–Hut above.
    Auto,
    /// Dense P, exact O(n²) gradient.
    Exact,
    /// Sparse nearest-neighbour P, Barnes–Hut repulsion (dims ≤ 3).
    BarnesHut,
}

/// Starting configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TsneInit {
    /// Leading principal component scores, scaled to standard deviation 1e-4 in the first
    /// coordinate; deterministic (falls back to `Random` if there are fewer features than
    /// dims).
    Pca,
    /// Independent N(0, 1e-4²) coordinates from the seed.
    Random,
}

/// Settings of [`tsne`]; `Default` gives scikit-learn's defaults in two dimensions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TsneOptions {
    /// Output dimensions (2).
    pub dims: usize,
    /// Effective number of neighbours (30); must be below n.
    pub perplexity: f64,
    /// Factor on P during the first stage (12).
    pub early_exaggeration: f64,
    /// Iterations of the first stage, momentum 0.5 (250).
    pub exaggeration_iterations: usize,
    /// Total iterations including the first stage (1000).
    pub iterations: usize,
    /// Step size; `None` = "auto", max(n / early_exaggeration / 4, 50).
    pub learning_rate: Option<f64>,
    /// Barnes–Hut opening angle θ (0.5); 0 makes Barnes–Hut exact on its sparse P.
    pub theta: f64,
    /// Gradient (Auto).
    pub method: TsneMethod,
    /// Starting configuration (Pca).
    pub init: TsneInit,
    /// Stop once the gradient norm is at most this (1e-7).
    pub min_grad_norm: f64,
    /// Seed of the random initialisation.
    pub seed: u64,
}

impl Default for TsneOptions {
    fn default() -> Self {
        TsneOptions {
            dims: 2,
            perplexity: 30.0,
            early_exaggeration: 12.0,
            exaggeration_iterations: 250,
            iterations: 1000,
            learning_rate: None,
            theta: 0.5,
            method: TsneMethod::Auto,
            init: TsneInit::Pca,
            min_grad_norm: 1e-7,
            seed: 0,
        }
    }
}

/// A t-SNE embedding of n points.
#[derive(Clone, Debug, PartialEq)]
pub struct Tsne {
    /// Output dimensions.
    pub dims: usize,
    /// Coordinates, n × dims row-major (arbitrary units; only relative positions matter).
    pub embedding: Vec<f64>,
    /// KL(P‖Q) of the final embedding (nats; over the neighbour graph for Barnes–Hut).
    pub kl_divergence: f64,
    /// (iteration, KL(P‖Q) in nats) at the start, every 50 iterations and at the end,
    /// always against the un-exaggerated P.
    pub kl_history: Vec<(usize, f64)>,
    /// Iterations run.
    pub iterations: usize,
    /// Gradient used (`Exact` or `BarnesHut`, never `Auto`).
    pub method: TsneMethod,
    /// Learning rate used.
    pub learning_rate: f64,
}

impl TsneOptions {
    /// Checks the options for `n` points and resolves the gradient method and the
    /// learning rate: n ≥ 2, dims ≥ 1, perplexity in (0, n), a positive learning rate,
    /// and dims ≤ 3 for Barnes–Hut.
    pub fn validate(&self, n: usize) -> Result<(TsneMethod, f64), ClusterError> {
        let o = self;
        if n < 2 {
            return Err(ClusterError::TooFew {
                what: "points",
                need: 2,
                found: n,
            });
        }
        if o.dims == 0 {
            return Err(ClusterError::parameter("dims", 0, "at least 1"));
        }
        if !(o.perplexity > 0.0 && o.perplexity < n as f64) {
            return Err(ClusterError::parameter(
                "perplexity",
                o.perplexity,
                "in (0, n), n the number of points",
            ));
        }
        let method = match o.method {
            TsneMethod::Auto if n > BARNES_HUT_MIN_N && o.dims <= 3 => TsneMethod::BarnesHut,
            TsneMethod::Auto => TsneMethod::Exact,
            m => m,
        };
        if method == TsneMethod::BarnesHut && o.dims > 3 {
            return Err(ClusterError::parameter(
                "dims",
                o.dims,
                "at most 3 for Barnes–Hut",
            ));
        }
        let learning_rate = o
            .learning_rate
            .unwrap_or((n as f64 / o.early_exaggeration / 4.0).max(50.0));
        if learning_rate.is_nan() || learning_rate <= 0.0 {
            return Err(ClusterError::parameter(
                "learning rate",
                learning_rate,
                "positive",
            ));
        }
        Ok((method, learning_rate))
    }
}

/// t-SNE of the rows of `x` (finite) into `options.dims` dimensions; see the module docs
/// for the algorithm. Errors as [`TsneOptions::validate`] or on non-finite input.
pub fn tsne(x: MatRef<'_>, options: &TsneOptions) -> Result<Tsne, ClusterError> {
    let o = options;
    let (n, d) = (x.rows(), x.cols());
    let (method, learning_rate) = o.validate(n)?;
    check_finite("t-SNE input", x.as_slice())?;
    let x = x.as_slice();
    let p = match method {
        TsneMethod::Exact => Affinities::Dense(dense_affinities(x, n, d, o.perplexity)),
        _ => Affinities::Sparse(sparse_affinities(x, n, d, o.perplexity)),
    };
    let mut y = initial_embedding(x, n, d, o);
    let dims = o.dims;
    let gradient = |y: &[f64], exaggeration: f64, grad: &mut [f64], want_kl: bool| match &p {
        Affinities::Dense(p) => exact_gradient(p, y, dims, exaggeration, grad, want_kl),
        Affinities::Sparse(p) => bh_gradient(p, y, dims, exaggeration, o.theta, grad, want_kl),
    };
    let mut grad = vec![0.0; n * dims];
    let mut kl_history = vec![(0, gradient(&y, 1.0, &mut grad, true).expect("asked for KL"))];
    let stage1 = o.exaggeration_iterations.min(o.iterations);
    let mut iterations = 0;
    let mut kl = kl_history[0].1;
    for (stage, end, momentum, exaggeration) in [
        (1, stage1, 0.5, o.early_exaggeration),
        (2, o.iterations, 0.8, 1.0),
    ] {
        let mut update = vec![0.0; n * dims];
        let mut gains = vec![1.0f64; n * dims];
        let mut best = (f64::INFINITY, iterations);
        while iterations < end {
            // Every 50 updates (and never during the first), the KL against the true P and
            // the stopping rules; during exaggeration the gradient pass uses 12·P, so the KL
            // then needs a separate un-exaggerated evaluation.
            let check = iterations > 0 && iterations % CHECK_EVERY == 0;
            if check {
                kl = gradient(&y, 1.0, &mut grad, true).expect("asked for KL");
                kl_history.push((iterations, kl));
            }
            if !check || exaggeration != 1.0 {
                gradient(&y, exaggeration, &mut grad, false);
            }
            if check && stage == 2 {
                let grad_norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
                if kl < best.0 {
                    best = (kl, iterations);
                } else if iterations - best.1 > MAX_ITER_WITHOUT_PROGRESS {
                    break;
                }
                if grad_norm <= o.min_grad_norm {
                    break;
                }
            }
            for (((g, u), gain), yv) in grad.iter_mut().zip(&mut update).zip(&mut gains).zip(&mut y)
            {
                if *u * *g < 0.0 {
                    *gain += 0.2;
                } else {
                    *gain *= 0.8;
                }
                *gain = (*gain).max(0.01);
                *g *= *gain;
                *u = momentum * *u - learning_rate * *g;
                *yv += *u;
            }
            iterations += 1;
        }
    }
    if kl_history.last().is_none_or(|&(it, _)| it != iterations) {
        kl = gradient(&y, 1.0, &mut grad, true).expect("asked for KL");
        kl_history.push((iterations, kl));
    }
    Ok(Tsne {
        dims,
        embedding: y,
        kl_divergence: kl,
        kl_history,
        iterations,
        method,
        learning_rate,
    })
}

/// Starting coordinates (n × dims): scaled PCA scores or small Gaussian noise.
fn initial_embedding(x: &[f64], n: usize, d: usize, o: &TsneOptions) -> Vec<f64> {
    if o.init == TsneInit::Pca && o.dims <= d.min(n) {
        let mut y = pca_checked(x, n, d, o.dims).scores;
        let col0: Vec<f64> = y.iter().step_by(o.dims).copied().collect();
        let mean = col0.iter().sum::<f64>() / n as f64;
        let sd = (col0.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        // Constant data has no first axis to scale by; all points then start together.
        if sd > 0.0 {
            y.iter_mut().for_each(|v| *v *= 1e-4 / sd);
            return y;
        }
    }
    let mut rng = Rng::new(o.seed);
    (0..n * o.dims).map(|_| 1e-4 * rng.normal()).collect()
}

/// Squared Euclidean distance.
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}
