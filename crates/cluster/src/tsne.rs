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

use peergroup_numeric::MatRef;
use peergroup_random::Rng;
use rayon::prelude::*;

use crate::error::{check_finite, check_len, ClusterError};
use crate::pca::pca_checked;

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

/// Input affinities: dense n × n (exact) or a sparse symmetric neighbour graph.
enum Affinities {
    Dense(Vec<f64>),
    Sparse(Sparse),
}

/// Compressed sparse rows of a symmetric matrix.
struct Sparse {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
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

/// Turns squared distances `d2` (to the candidates of one point) into the conditional
/// distribution P_{·|i} of entropy ln(perplexity), in place: bisection on the precision β
/// as scikit-learn's `_binary_search_perplexity` (doubling/halving until bracketed, then
/// halving the bracket; tolerance 1e-5 nats, at most 100 steps). Distances are shifted by
/// their minimum first, which leaves P unchanged but keeps exp() from underflowing.
fn conditional_row(d2: &mut [f64], perplexity: f64) {
    let target = perplexity.ln();
    let min = d2.iter().copied().fold(f64::INFINITY, f64::min);
    d2.iter_mut().for_each(|v| *v -= min);
    let (mut beta, mut lo, mut hi) = (1.0, f64::NEG_INFINITY, f64::INFINITY);
    let mut best_beta = beta;
    for _ in 0..100 {
        let mut sum = 0.0;
        let mut weighted = 0.0;
        for &v in d2.iter() {
            let e = (-v * beta).exp();
            sum += e;
            weighted += v * e;
        }
        // The shifted minimum contributes exp(0) = 1, so sum ≥ 1.
        let entropy = sum.ln() + beta * weighted / sum;
        best_beta = beta;
        let diff = entropy - target;
        if diff.abs() <= 1e-5 {
            break;
        }
        if diff > 0.0 {
            lo = beta;
            beta = if hi == f64::INFINITY {
                beta * 2.0
            } else {
                (beta + hi) / 2.0
            };
        } else {
            hi = beta;
            beta = if lo == f64::NEG_INFINITY {
                beta / 2.0
            } else {
                (beta + lo) / 2.0
            };
        }
    }
    let mut sum = 0.0;
    for v in d2.iter_mut() {
        *v = (-*v * best_beta).exp();
        sum += *v;
    }
    d2.iter_mut().for_each(|v| *v /= sum);
}

/// Dense symmetric P (n × n, zero diagonal, entries ≥ machine epsilon off it, summing to 1).
fn dense_affinities(x: &[f64], n: usize, d: usize, perplexity: f64) -> Vec<f64> {
    let mut p = vec![0.0; n * n];
    p.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        let xi = &x[i * d..(i + 1) * d];
        // Candidates are all j ≠ i: compute them contiguously, then spread out again.
        let mut d2: Vec<f64> = (0..n)
            .filter(|&j| j != i)
            .map(|j| dist2(xi, &x[j * d..(j + 1) * d]))
            .collect();
        conditional_row(&mut d2, perplexity);
        let mut it = d2.into_iter();
        for (j, slot) in row.iter_mut().enumerate() {
            if j != i {
                *slot = it.next().expect("n − 1 values");
            }
        }
    });
    let mut total = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            let s = p[i * n + j] + p[j * n + i];
            p[i * n + j] = s;
            p[j * n + i] = s;
            total += 2.0 * s;
        }
    }
    let total = total.max(f64::MIN_POSITIVE);
    for i in 0..n {
        for j in 0..n {
            p[i * n + j] = if i == j {
                0.0
            } else {
                (p[i * n + j] / total).max(EPS)
            };
        }
    }
    p
}

/// Sparse symmetric P on the ⌊3·perplexity⌋ + 1 nearest neighbours of every point
/// (scikit-learn's Barnes–Hut affinities), summing to 1.
fn sparse_affinities(x: &[f64], n: usize, d: usize, perplexity: f64) -> Sparse {
    let k = ((3.0 * perplexity + 1.0) as usize).min(n - 1).max(1);
    // Brute-force neighbours, one row per task; ties broken by index for determinism.
    let rows: Vec<Vec<(u32, f64)>> = (0..n)
        .into_par_iter()
        .map_init(
            || Vec::with_capacity(n),
            |buf: &mut Vec<(f64, u32)>, i| {
                let xi = &x[i * d..(i + 1) * d];
                buf.clear();
                buf.extend(
                    (0..n)
                        .filter(|&j| j != i)
                        .map(|j| (dist2(xi, &x[j * d..(j + 1) * d]), j as u32)),
                );
                let cmp = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                if k < buf.len() {
                    buf.select_nth_unstable_by(k, cmp);
                    buf.truncate(k);
                }
                buf.sort_unstable_by(cmp);
                let mut d2: Vec<f64> = buf.iter().map(|e| e.0).collect();
                conditional_row(&mut d2, perplexity);
                buf.iter().zip(d2).map(|(e, p)| (e.1, p)).collect()
            },
        )
        .collect();
    // P + Pᵀ as (row, col, value) triplets, merged per row.
    let mut triplets: Vec<(u32, u32, f64)> = Vec::with_capacity(2 * n * k);
    for (i, row) in rows.iter().enumerate() {
        for &(j, p) in row {
            triplets.push((i as u32, j, p));
            triplets.push((j, i as u32, p));
        }
    }
    triplets.par_sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(a.2.total_cmp(&b.2)));
    let mut indptr = vec![0usize; n + 1];
    let mut indices = Vec::with_capacity(triplets.len());
    let mut values: Vec<f64> = Vec::with_capacity(triplets.len());
    let mut last: Option<(u32, u32)> = None;
    for (i, j, p) in triplets {
        if last == Some((i, j)) {
            *values.last_mut().expect("merged entry") += p;
        } else {
            indices.push(j);
            values.push(p);
            indptr[i as usize + 1] += 1;
            last = Some((i, j));
        }
    }
    for i in 0..n {
        indptr[i + 1] += indptr[i];
    }
    let total: f64 = values.iter().sum();
    values.iter_mut().for_each(|v| *v /= total);
    Sparse {
        indptr,
        indices,
        values,
    }
}

/// Exact gradient of KL(P‖Q) into `grad` (n × dims) with P scaled by `exaggeration`;
/// returns KL(P‖Q) with the unscaled P when `want_kl`.
///
/// One pass over the pairs: with num_ij = (1 + ‖y_i − y_j‖²)⁻¹ and Z = Σ num, the gradient
/// is 4 (Σ_j e·p_ij·num_ij (y_i − y_j) − Z⁻¹ Σ_j num_ij² (y_i − y_j)), so each row gathers
/// both sums and its share of Z, and Z is applied once all rows are done. The KL needs Z
/// inside a logarithm with a floor on q, so it takes a second pass, only when asked for.
fn exact_gradient(
    p: &[f64],
    y: &[f64],
    dims: usize,
    exaggeration: f64,
    grad: &mut [f64],
    want_kl: bool,
) -> Option<f64> {
    let n = y.len() / dims;
    let row = |i: usize| &y[i * dims..(i + 1) * dims];
    // grad holds the attraction; `repulsion` the unnormalised repulsion of every row.
    let mut repulsion = vec![0.0; n * dims];
    let z_rows: Vec<f64> = grad
        .par_chunks_mut(dims)
        .zip(repulsion.par_chunks_mut(dims))
        .enumerate()
        .map(|(i, (attr, rep))| {
            let yi = row(i);
            attr.fill(0.0);
            let mut z = 0.0;
            let p_row = &p[i * n..(i + 1) * n];
            for (j, &pij) in p_row.iter().enumerate() {
                if j == i {
                    continue;
                }
                let yj = row(j);
                let num = 1.0 / (1.0 + dist2(yi, yj));
                z += num;
                let (a, r) = (exaggeration * pij * num, num * num);
                for ((av, rv), (u, v)) in attr.iter_mut().zip(rep.iter_mut()).zip(yi.iter().zip(yj))
                {
                    let diff = u - v;
                    *av += a * diff;
                    *rv += r * diff;
                }
            }
            z
        })
        .collect();
    let z: f64 = z_rows.iter().sum();
    grad.par_iter_mut()
        .zip(&repulsion)
        .for_each(|(g, r)| *g = 4.0 * (*g - r / z));
    want_kl.then(|| {
        let kl_rows: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|i| {
                let yi = row(i);
                (0..n)
                    .filter(|&j| j != i)
                    .map(|j| {
                        let pij = p[i * n + j];
                        let q = 1.0 / (1.0 + dist2(yi, row(j))) / z;
                        pij * (pij.max(EPS) / q.max(EPS)).ln()
                    })
                    .sum()
            })
            .collect();
        kl_rows.iter().sum()
    })
}

/// A cell of the space-partitioning tree: points `order[start..end]`, children
/// `first_child..first_child + children` (none for a leaf), side length `side`.
struct Cell {
    start: usize,
    end: usize,
    first_child: usize,
    children: usize,
    side: f64,
}

/// 2^dims-ary space-partitioning tree (quadtree in 2-D) over the embedding, with the
/// centre of mass of every cell.
struct SpTree {
    dims: usize,
    cells: Vec<Cell>,
    /// Centre of mass per cell, cells × dims.
    com: Vec<f64>,
    /// Point indices, grouped so that every cell holds a contiguous range.
    order: Vec<u32>,
}

impl SpTree {
    /// Builds the tree top-down: each cell splits its points by orthant around its centre
    /// into non-empty children, until one point is left or the cell is too small to tell
    /// points apart (duplicates share a leaf).
    fn new(y: &[f64], n: usize, dims: usize) -> SpTree {
        let mut lo = vec![f64::INFINITY; dims];
        let mut hi = vec![f64::NEG_INFINITY; dims];
        for p in y.chunks_exact(dims) {
            for a in 0..dims {
                lo[a] = lo[a].min(p[a]);
                hi[a] = hi[a].max(p[a]);
            }
        }
        let side0 = (0..dims).map(|a| hi[a] - lo[a]).fold(0.0, f64::max);
        let side0 = side0 * (1.0 + 1e-9) + f64::MIN_POSITIVE;
        let centre0: Vec<f64> = (0..dims).map(|a| (lo[a] + hi[a]) / 2.0).collect();
        let mut tree = SpTree {
            dims,
            cells: Vec::with_capacity(2 * n),
            com: Vec::with_capacity(2 * n * dims),
            order: (0..n as u32).collect(),
        };
        let mut scratch = vec![0u32; n];
        let mut centres = centre0;
        tree.push_cell(y, 0, n, side0);
        // Breadth-first over cells; `centres` holds each cell's geometric centre.
        let mut c = 0;
        while c < tree.cells.len() {
            let (start, end, side) = (tree.cells[c].start, tree.cells[c].end, tree.cells[c].side);
            if end - start > 1 && side > 1e-12 * side0 {
                let centre = centres[c * dims..(c + 1) * dims].to_vec();
                let orthant = |i: u32| -> usize {
                    let p = &y[i as usize * dims..(i as usize + 1) * dims];
                    (0..dims).fold(0, |acc, a| acc | (usize::from(p[a] >= centre[a]) << a))
                };
                let buckets = 1 << dims;
                let mut counts = vec![0usize; buckets + 1];
                for &i in &tree.order[start..end] {
                    counts[orthant(i) + 1] += 1;
                }
                for b in 0..buckets {
                    counts[b + 1] += counts[b];
                }
                let mut fill = counts.clone();
                for &i in &tree.order[start..end] {
                    let b = orthant(i);
                    scratch[start + fill[b]] = i;
                    fill[b] += 1;
                }
                tree.order[start..end].copy_from_slice(&scratch[start..end]);
                tree.cells[c].first_child = tree.cells.len();
                for b in 0..buckets {
                    if counts[b + 1] > counts[b] {
                        tree.push_cell(y, start + counts[b], start + counts[b + 1], side / 2.0);
                        for (a, &ca) in centre.iter().enumerate() {
                            let offset = if (b >> a) & 1 == 1 { 0.25 } else { -0.25 };
                            centres.push(ca + offset * side);
                        }
                        tree.cells[c].children += 1;
                    }
                }
            }
            c += 1;
        }
        tree
    }

    /// Appends a leaf cell over `order[start..end]` with its centre of mass.
    fn push_cell(&mut self, y: &[f64], start: usize, end: usize, side: f64) {
        let dims = self.dims;
        let mut com = vec![0.0; dims];
        for &i in &self.order[start..end] {
            for (c, v) in com
                .iter_mut()
                .zip(&y[i as usize * dims..(i as usize + 1) * dims])
            {
                *c += v;
            }
        }
        let count = (end - start) as f64;
        self.com.extend(com.iter().map(|c| c / count));
        self.cells.push(Cell {
            start,
            end,
            first_child: 0,
            children: 0,
            side,
        });
    }

    /// Repulsion on point `i` at `yi`: adds Σ_j q_ij²Z²(y_i − y_j) (unnormalised) to `neg`
    /// and returns Σ_j (1 + ‖y_i − y_j‖²)⁻¹, over j ≠ i, summarising cells with
    /// side² / r² < θ².
    fn repulsion(
        &self,
        y: &[f64],
        i: usize,
        theta: f64,
        neg: &mut [f64],
        stack: &mut Vec<usize>,
    ) -> f64 {
        let dims = self.dims;
        let yi = &y[i * dims..(i + 1) * dims];
        let theta2 = theta * theta;
        let mut sum_q = 0.0;
        neg.fill(0.0);
        stack.clear();
        stack.push(0);
        while let Some(c) = stack.pop() {
            let cell = &self.cells[c];
            if cell.children == 0 {
                // Leaf: its points one by one (several only for duplicates), never i itself.
                for &j in &self.order[cell.start..cell.end] {
                    let j = j as usize;
                    if j == i {
                        continue;
                    }
                    let yj = &y[j * dims..(j + 1) * dims];
                    let q = 1.0 / (1.0 + dist2(yi, yj));
                    sum_q += q;
                    for ((nv, a), b) in neg.iter_mut().zip(yi).zip(yj) {
                        *nv += q * q * (a - b);
                    }
                }
                continue;
            }
            let com = &self.com[c * dims..(c + 1) * dims];
            let r2 = dist2(yi, com);
            if cell.side * cell.side < theta2 * r2 {
                let size = (cell.end - cell.start) as f64;
                let q = 1.0 / (1.0 + r2);
                sum_q += size * q;
                for ((nv, a), b) in neg.iter_mut().zip(yi).zip(com) {
                    *nv += size * q * q * (a - b);
                }
            } else {
                // Children pushed in reverse so they are visited in order (deterministic
                // either way, but easier to follow).
                for child in (cell.first_child..cell.first_child + cell.children).rev() {
                    stack.push(child);
                }
            }
        }
        sum_q
    }
}

/// Barnes–Hut gradient into `grad` with the sparse P scaled by `exaggeration`; returns
/// KL(P‖Q) over the neighbour graph with the unscaled P when `want_kl`; `y` holds n
/// points of `dims` coordinates.
fn bh_gradient(
    p: &Sparse,
    y: &[f64],
    dims: usize,
    exaggeration: f64,
    theta: f64,
    grad: &mut [f64],
    want_kl: bool,
) -> Option<f64> {
    let n = y.len() / dims;
    let tree = SpTree::new(y, n, dims);
    // Repulsive forces (unnormalised) into grad, Z per point.
    let z_rows: Vec<f64> = grad
        .par_chunks_mut(dims)
        .enumerate()
        .map_init(Vec::new, |stack, (i, g)| {
            tree.repulsion(y, i, theta, g, stack)
        })
        .collect();
    let z: f64 = z_rows.iter().sum();
    let kl_rows: Vec<f64> = grad
        .par_chunks_mut(dims)
        .enumerate()
        .map(|(i, g)| {
            let yi = &y[i * dims..(i + 1) * dims];
            let mut kl = 0.0;
            // g = 4 (attraction − repulsion / Z)
            g.iter_mut().for_each(|v| *v = -*v / z);
            for e in p.indptr[i]..p.indptr[i + 1] {
                let j = p.indices[e] as usize;
                let yj = &y[j * dims..(j + 1) * dims];
                let num = 1.0 / (1.0 + dist2(yi, yj));
                let pij = p.values[e];
                let mult = exaggeration * pij * num;
                for ((gv, a), b) in g.iter_mut().zip(yi).zip(yj) {
                    *gv += mult * (a - b);
                }
                if want_kl {
                    kl += pij * (pij.max(EPS) / (num / z).max(EPS)).ln();
                }
            }
            g.iter_mut().for_each(|v| *v *= 4.0);
            kl
        })
        .collect();
    want_kl.then(|| kl_rows.iter().sum())
}

/// Trustworthiness of an embedding (Venna & Kaski 2001, scikit-learn's `trustworthiness`
/// with Euclidean distances): 1 − 2/(n·k·(2n − 3k − 1)) · Σ_i Σ_{j ∈ N_k^E(i)} max(0,
/// r(i, j) − k), where N_k^E(i) are the k nearest neighbours of i in the embedding and
/// r(i, j) the rank of j among i's neighbours in the input space (1 = nearest); in [0, 1],
/// 1 when every embedded neighbourhood is also an input neighbourhood. Distance ties are
/// broken by index. O(n²·(d + dims + k)) time, O(n) memory per thread.
///
/// Errors unless `embedding` has a row per row of `x` and 1 ≤ k < n/2 (scikit-learn's
/// limit).
pub fn trustworthiness(
    x: MatRef<'_>,
    embedding: MatRef<'_>,
    k_neighbors: usize,
) -> Result<f64, ClusterError> {
    let k = k_neighbors;
    let (n, d, dims) = (x.rows(), x.cols(), embedding.cols());
    check_len("embedding rows (one per input row)", n, embedding.rows())?;
    if !(k >= 1 && (k as f64) < n as f64 / 2.0) {
        return Err(ClusterError::parameter(
            "k_neighbors",
            k,
            "at least 1 and below n/2",
        ));
    }
    let (x, embedding) = (x.as_slice(), embedding.as_slice());
    let penalties: Vec<usize> = (0..n)
        .into_par_iter()
        .map_init(
            || (Vec::with_capacity(n), Vec::with_capacity(n)),
            |(dx, de): &mut (Vec<f64>, Vec<(f64, usize)>), i| {
                let xi = &x[i * d..(i + 1) * d];
                let ei = &embedding[i * dims..(i + 1) * dims];
                dx.clear();
                dx.extend((0..n).map(|j| dist2(xi, &x[j * d..(j + 1) * d])));
                de.clear();
                de.extend(
                    (0..n)
                        .filter(|&j| j != i)
                        .map(|j| (dist2(ei, &embedding[j * dims..(j + 1) * dims]), j)),
                );
                let cmp =
                    |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                de.select_nth_unstable_by(k - 1, cmp);
                de[..k]
                    .iter()
                    .map(|&(_, j)| {
                        // Input-space rank of j: 1 + points strictly before it in
                        // (distance, index) order.
                        let rank = 1
                            + (0..n)
                                .filter(|&l| l != i && (dx[l], l) < (dx[j], j))
                                .count();
                        rank.saturating_sub(k)
                    })
                    .sum()
            },
        )
        .collect();
    let total: f64 = penalties.iter().sum::<usize>() as f64;
    let (n, k) = (n as f64, k as f64);
    Ok(1.0 - total * 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs(n_per: usize, centres: usize, d: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut x = Vec::new();
        for c in 0..centres {
            for _ in 0..n_per {
                for f in 0..d {
                    x.push(if f == c % d { 8.0 } else { 0.0 } + rng.normal());
                }
            }
        }
        x
    }

    /// Rows of a fixture CSV (header skipped), as strings.
    fn fixture(name: &str) -> Vec<Vec<String>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    fn floats(rows: &[Vec<String>], from: usize) -> Vec<f64> {
        rows.iter()
            .flat_map(|r| r[from..].iter().map(|v| v.parse::<f64>().unwrap()))
            .collect()
    }

    /// Joint probabilities, gradient and KL divergence against scikit-learn's
    /// `_joint_probabilities` and `_kl_divergence` (make_reduction_fixtures.py).
    #[test]
    fn exact_affinities_and_gradient_match_sklearn() {
        let x = floats(&fixture("tsne_points.csv"), 1);
        let n = 60;
        let p = dense_affinities(&x, n, 4, 10.0);
        // scikit-learn rounds the squared distances to float32 before its bisection, so
        // P agrees to ~1e-7 relative, not to the last bit. The gradient is checked on
        // scikit-learn's own P.
        let mut p_ref = vec![0.0; n * n];
        for r in fixture("tsne_p.csv") {
            let (i, j): (usize, usize) = (r[0].parse().unwrap(), r[1].parse().unwrap());
            let want: f64 = r[2].parse().unwrap();
            let got = p[i * n + j];
            assert!(
                (got - want).abs() <= 1e-15 + 1e-6 * want,
                "P[{i},{j}] {got} vs {want}"
            );
            assert_eq!(p[j * n + i], got);
            p_ref[i * n + j] = want;
            p_ref[j * n + i] = want;
        }
        let p = p_ref;
        let y = floats(&fixture("tsne_y.csv"), 1);
        let want = floats(&fixture("tsne_gradient.csv"), 1);
        let mut grad = vec![0.0; n * 2];
        let kl = exact_gradient(&p, &y, 2, 1.0, &mut grad, true).unwrap();
        let scale = want.iter().map(|g| g.abs()).fold(0.0, f64::max);
        for (g, w) in grad.iter().zip(&want) {
            assert!((g - w).abs() <= 1e-9 * scale, "gradient {g} vs {w}");
        }
        let kl_want = floats(&fixture("tsne_kl.csv"), 0)[0];
        assert!(
            (kl - kl_want).abs() <= 1e-9 * kl_want,
            "KL {kl} vs {kl_want}"
        );
    }

    #[test]
    fn perplexity_bisection_hits_the_target_entropy() {
        let mut rng = Rng::new(3);
        let mut d2: Vec<f64> = (0..200).map(|_| 50.0 * rng.uniform()).collect();
        conditional_row(&mut d2, 10.0);
        let sum: f64 = d2.iter().sum();
        let h: f64 = -d2
            .iter()
            .filter(|&&p| p > 0.0)
            .map(|p| p * p.ln())
            .sum::<f64>();
        assert!((sum - 1.0).abs() < 1e-12);
        assert!((h - 10f64.ln()).abs() <= 1e-5, "entropy {h}");
    }

    /// Barnes–Hut against the exact gradient on the same (sparse) P: equal to rounding at
    /// θ = 0, close at θ = 0.5.
    #[test]
    fn barnes_hut_gradient_matches_exact_oracle() {
        let (n, d, dims) = (150, 5, 2);
        let x = blobs(50, 3, d, 11);
        let sparse = sparse_affinities(&x, n, d, 10.0);
        let mut dense = vec![0.0; n * n];
        for i in 0..n {
            for e in sparse.indptr[i]..sparse.indptr[i + 1] {
                dense[i * n + sparse.indices[e] as usize] = sparse.values[e];
            }
        }
        let mut rng = Rng::new(5);
        let y: Vec<f64> = (0..n * dims).map(|_| 3.0 * rng.normal()).collect();
        let mut exact = vec![0.0; n * dims];
        let mut bh = vec![0.0; n * dims];
        for exaggeration in [1.0, 12.0] {
            exact_gradient(&dense, &y, dims, exaggeration, &mut exact, false);
            let norm = exact.iter().map(|g| g * g).sum::<f64>().sqrt();
            // Euclidean distance of the Barnes–Hut gradient at θ from the exact one.
            let mut error_at = |theta: f64| {
                bh_gradient(&sparse, &y, dims, exaggeration, theta, &mut bh, false);
                exact
                    .iter()
                    .zip(&bh)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
                    .sqrt()
            };
            let err = error_at(0.0);
            assert!(err <= 1e-12 * norm, "θ = 0: {err} vs norm {norm}");
            let err = error_at(0.5);
            assert!(err <= 0.05 * norm, "θ = 0.5: relative error {}", err / norm);
        }
    }

    #[test]
    fn tree_handles_duplicates_and_three_dimensions() {
        // Duplicated points share a leaf; repulsion still sums over every other point.
        let y = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        for dims in [2, 3] {
            let n = y.len() / dims;
            let tree = SpTree::new(&y, n, dims);
            let mut neg = vec![0.0; dims];
            let mut stack = Vec::new();
            for i in 0..n {
                let z = tree.repulsion(&y, i, 0.0, &mut neg, &mut stack);
                let yi = &y[i * dims..(i + 1) * dims];
                let want: f64 = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| 1.0 / (1.0 + dist2(yi, &y[j * dims..(j + 1) * dims])))
                    .sum();
                assert!((z - want).abs() < 1e-15, "dims {dims}, point {i}");
            }
        }
    }
}
