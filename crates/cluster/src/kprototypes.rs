//! k-prototypes for mixed numeric and categorical data (Huang 1997, 1998; METHODS §6.8:
//! investor segments from profile and balances).
//!
//! Each cluster has a prototype: a mean for the numeric features and a mode for each
//! categorical one. The dissimilarity of a row to a prototype is
//! `Σ (x − μ)² + γ · #{categorical mismatches}` (squared Euclidean plus γ per mismatch,
//! as Python `kmodes`' `KPrototypes`), and the cost of a partition is its sum over rows.
//! Equivalently: k-means in the space where every categorical column is one-hot encoded
//! and scaled by √(γ/2), with modes instead of means for those columns.
//!
//! Numeric features are used as given: scale them first (the segment stage z-scores each
//! numeric feature), or the one with the largest spread dominates. Categorical features
//! are `u32` codes `0..levels` per column; tables are sized by the largest code, so codes
//! should be compact.
//!
//! The fit alternates, as Lloyd's k-means does, an assignment of every row to its least
//! dissimilar prototype with an update of every prototype from its rows (mean per numeric
//! column; most frequent code per categorical column, the smallest code on a tie). Both
//! steps can only lower the cost, so the cost never increases; a fit stops when no label
//! changes or an iteration gains less than [`TOL`] of the cost (`tol` in the options).
//! Huang's original moves one row at a time and updates the two prototypes concerned at
//! once; the batch form reaches the same kind of local optimum and lets every row be
//! assigned in parallel. Each pass runs over fixed blocks of rows with per-block partial
//! sums and frequency tables (no per-row allocation), combined in block order, so results
//! do not depend on the number of threads.
//!
//! Initial prototypes are rows picked by greedy k-means++ seeding on the mixed
//! dissimilarity (D² sampling: a row is picked with probability proportional to its
//! dissimilarity to the nearest prototype so far; 2 + ⌊ln k⌋ candidates per pick, keeping
//! the one that lowers the total most), rather than Huang's or Cao's frequency-based
//! seeding. Since the dissimilarity between two rows is their squared distance in the
//! one-hot space above, this is k-means++ there: it spreads the prototypes over both parts
//! of the data. One seeded fit can still end in a poorer local optimum than `kmodes`'
//! deterministic Cao seeding (benchmark data, five planted groups: 17-21% higher cost at
//! 5,000, 20,000 and 50,000 rows, the same cost at 2,000 and 1,000,000); the default ten
//! restarts reached Cao's cost at every size.

use peergroup_numeric::MatRef;
use peergroup_random::Rng;
use rayon::prelude::*;

use crate::error::{check_finite, check_k, check_len, ClusterError};
use crate::fit::{Fit, Partition};
use crate::labels::{permute_rows, renumber_by_first_appearance};

/// Assign/update iterations allowed per restart (`kmodes`' default `max_iter`).
pub const MAX_ITER: usize = 100;

/// Default relative cost decrease below which a fit stops. Restarts that land near a
/// poor local optimum can creep downhill for dozens of iterations by ~1e-5 each (seen on
/// 1M rows: 50 iterations instead of 3-4 for the good ones); stopping them changes the
/// cost by less than that creep, and the best restart is kept anyway.
pub const TOL: f64 = 1e-5;

/// Rows per block of every parallel pass; fixed, so results do not depend on threads.
const BLOCK: usize = 4096;

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

/// `kmodes`' default γ: half the mean of the numeric columns' standard deviations
/// (population sd, ddof = 0), in numeric units — 0.5 for z-scored features. When there
/// are no numeric columns, or all are constant, the numeric part cannot separate rows and
/// any γ > 0 gives the same partitions, so 1 is returned.
pub fn default_gamma(numeric: MatRef<'_>) -> f64 {
    let (n, p) = (numeric.rows(), numeric.cols());
    let numeric = numeric.as_slice();
    if n == 0 || p == 0 {
        return 1.0;
    }
    // Row-wise passes over fixed blocks (column-wise ones stride through memory).
    let column_sums = |f: &(dyn Fn(&[f64], &mut [f64]) + Sync)| -> Vec<f64> {
        let partials: Vec<Vec<f64>> = numeric
            .par_chunks(BLOCK * p)
            .map(|block| {
                let mut acc = vec![0.0; p];
                block.chunks_exact(p).for_each(|row| f(row, &mut acc));
                acc
            })
            .collect();
        let mut total = vec![0.0; p];
        for part in partials {
            total.iter_mut().zip(part).for_each(|(t, v)| *t += v);
        }
        total
    };
    let mean: Vec<f64> =
        column_sums(&|row, acc| acc.iter_mut().zip(row).for_each(|(a, v)| *a += v))
            .into_iter()
            .map(|s| s / n as f64)
            .collect();
    let squares = column_sums(&|row, acc| {
        for ((a, v), m) in acc.iter_mut().zip(row).zip(&mean) {
            *a += (v - m) * (v - m);
        }
    });
    let mean_sd = squares.iter().map(|s| (s / n as f64).sqrt()).sum::<f64>() / p as f64;
    if mean_sd > 0.0 {
        0.5 * mean_sd
    } else {
        1.0
    }
}

/// Mixed data of n rows: a numeric part (n × p, finite, already scaled) and a
/// categorical part (n × q row-major `u32` codes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MixedRef<'a> {
    numeric: MatRef<'a>,
    categorical: &'a [u32],
    q: usize,
}

impl<'a> MixedRef<'a> {
    /// Rows of `numeric` beside `categorical` read as `numeric.rows() × q`; errors when
    /// the categorical part does not hold that many codes.
    pub fn new(
        numeric: MatRef<'a>,
        categorical: &'a [u32],
        q: usize,
    ) -> Result<Self, ClusterError> {
        check_len(
            "categorical part (n × q)",
            numeric.rows().saturating_mul(q),
            categorical.len(),
        )?;
        Ok(MixedRef {
            numeric,
            categorical,
            q,
        })
    }

    /// Number of rows n.
    pub fn rows(&self) -> usize {
        self.numeric.rows()
    }

    /// Numeric features p.
    pub fn p(&self) -> usize {
        self.numeric.cols()
    }

    /// Categorical features q.
    pub fn q(&self) -> usize {
        self.q
    }

    /// The numeric part, n × p.
    pub fn numeric(&self) -> MatRef<'a> {
        self.numeric
    }

    /// The categorical part, n × q row-major codes.
    pub fn categorical(&self) -> &'a [u32] {
        self.categorical
    }

    /// Numeric part of row i.
    pub fn num(&self, i: usize) -> &'a [f64] {
        self.numeric.row(i)
    }

    /// Categorical part of row i.
    pub fn cat(&self, i: usize) -> &'a [u32] {
        &self.categorical[i * self.q..(i + 1) * self.q]
    }
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

fn check_gamma(gamma: f64) -> Result<(), ClusterError> {
    if gamma.is_finite() && gamma >= 0.0 {
        Ok(())
    } else {
        Err(ClusterError::parameter("γ", gamma, "finite and ≥ 0"))
    }
}

/// Shapes of one data set, shared by the passes.
#[derive(Clone, Copy)]
struct Data<'a> {
    numeric: &'a [f64],
    categorical: &'a [u32],
    n: usize,
    p: usize,
    q: usize,
    gamma: f64,
}

impl Data<'_> {
    fn num(&self, i: usize) -> &[f64] {
        &self.numeric[i * self.p..(i + 1) * self.p]
    }

    fn cat(&self, i: usize) -> &[u32] {
        &self.categorical[i * self.q..(i + 1) * self.q]
    }

    /// Dissimilarity of row i to a prototype (centre, mode).
    fn dissim(&self, i: usize, centre: &[f64], mode: &[u32]) -> f64 {
        dissimilarity(self.num(i), self.cat(i), centre, mode, self.gamma)
    }
}

/// Dissimilarity of a row (numeric part `x`, categorical part `a`) to a prototype:
/// Σ (x − μ)² + γ · #{a ≠ mode} (squared numeric units).
pub fn dissimilarity(x: &[f64], a: &[u32], centre: &[f64], mode: &[u32], gamma: f64) -> f64 {
    let numeric: f64 = x.iter().zip(centre).map(|(v, m)| (v - m) * (v - m)).sum();
    let mismatches = a.iter().zip(mode).filter(|(v, m)| v != m).count();
    numeric + gamma * mismatches as f64
}

/// Prototypes advanced together by [`Prototypes::dissims`]: four independent sums fit in
/// two SSE2 registers and hide the adder's latency.
const LANES: usize = 4;

/// m prototypes laid out for computing a row's dissimilarity to all of them at once.
struct Prototypes {
    m: usize,
    /// m rounded up to a multiple of [`LANES`].
    padded: usize,
    /// Numeric parts transposed, p × padded (padding zeros): feature f of every
    /// prototype is contiguous.
    numeric_t: Vec<f64>,
    /// Categorical parts, m × q.
    modes: Vec<u32>,
}

impl Prototypes {
    fn new(centroids: &[f64], modes: &[u32], p: usize, q: usize, m: usize) -> Prototypes {
        let padded = m.div_ceil(LANES) * LANES;
        let mut numeric_t = vec![0.0; p * padded];
        for c in 0..m {
            for f in 0..p {
                numeric_t[f * padded + c] = centroids[c * p + f];
            }
        }
        Prototypes {
            m,
            padded,
            numeric_t,
            modes: modes[..m * q].to_vec(),
        }
    }

    /// `out[c]` = [`dissimilarity`] of the row (x, a) to prototype c, bit for bit (the
    /// same additions in the same order per prototype), with [`LANES`] prototypes'
    /// sums advancing together in registers.
    fn dissims(&self, x: &[f64], a: &[u32], gamma: f64, out: &mut [f64]) {
        let (m, padded) = (self.m, self.padded);
        for c0 in (0..m).step_by(LANES) {
            let mut acc = [0.0f64; LANES];
            for (f, &v) in x.iter().enumerate() {
                let mus: &[f64; LANES] = self.numeric_t[f * padded + c0..f * padded + c0 + LANES]
                    .try_into()
                    .expect("LANES values");
                for (s, &mu) in acc.iter_mut().zip(mus) {
                    *s += (v - mu) * (v - mu);
                }
            }
            let w = (m - c0).min(LANES);
            out[c0..c0 + w].copy_from_slice(&acc[..w]);
        }
        let q = a.len();
        if q > 0 {
            for (o, mode) in out.iter_mut().zip(self.modes.chunks_exact(q)) {
                let mismatches = a.iter().zip(mode).filter(|(v, m)| v != m).count();
                *o += gamma * mismatches as f64;
            }
        }
    }
}

/// Prototypes held by numeric parts of `centroids` values and categorical parts of
/// `modes` values (whichever part exists).
fn prototype_count(centroids: usize, modes: usize, p: usize, q: usize) -> usize {
    centroids
        .checked_div(p)
        .or_else(|| modes.checked_div(q))
        .unwrap_or(0)
}

/// Checks the data (at least one feature, finite numerics) and γ, and returns the level
/// count of every categorical column.
fn check(data: &MixedRef<'_>, gamma: f64) -> Result<Vec<usize>, ClusterError> {
    let (p, q) = (data.p(), data.q());
    if p + q == 0 {
        return Err(ClusterError::TooFew {
            what: "features",
            need: 1,
            found: 0,
        });
    }
    check_finite("numeric features", data.numeric().as_slice())?;
    check_gamma(gamma)?;
    let mut levels = vec![0usize; q];
    for row in data.categorical().chunks_exact(q.max(1)) {
        for (l, &v) in levels.iter_mut().zip(row) {
            *l = (*l).max(v as usize + 1);
        }
    }
    Ok(levels)
}

/// The shared pass state of a data set and γ.
fn passes<'a>(data: &MixedRef<'a>, gamma: f64) -> Data<'a> {
    Data {
        numeric: data.numeric().as_slice(),
        categorical: data.categorical(),
        n: data.rows(),
        p: data.p(),
        q: data.q(),
        gamma,
    }
}

impl Fit<MixedRef<'_>> for KPrototypes {
    type Model = KPrototypesFit;

    /// Best of `options.restarts` k-prototypes fits (lowest cost; the earlier restart on
    /// a tie) of the rows of `data` into `k` clusters; see the module docs. Labels are
    /// renumbered by first appearance in input order.
    fn fit(&self, data: MixedRef<'_>) -> Result<KPrototypesFit, ClusterError> {
        let (k, options) = (self.k, &self.options);
        self.validate(data.rows())?;
        let gamma = options.gamma_for(data.numeric());
        let levels = check(&data, gamma)?;
        let (p, q) = (data.p(), data.q());
        let data = passes(&data, gamma);
        let fits: Vec<KPrototypesFit> = (0..options.restarts as u64)
            .into_par_iter()
            .map(|r| {
                let mut rng = Rng::stream(options.seed, r);
                let (centroids, modes) = seed_prototypes(&data, k, &mut rng);
                run(&data, &levels, centroids, modes, options)
            })
            .collect();
        let mut best = fits
            .into_iter()
            .reduce(|a, b| if b.cost < a.cost { b } else { a })
            .ok_or_else(|| ClusterError::parameter("restarts", 0, "at least 1"))?;
        let new_of = renumber_by_first_appearance(&mut best.labels, k);
        best.centroids = permute_rows(&best.centroids, p, &new_of);
        best.modes = permute_rows(&best.modes, q, &new_of);
        Ok(best)
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

/// One k-prototypes fit of `data` from the given prototypes (centroids k × p, modes
/// k × q) with `options.gamma` (`None` = [`default_gamma`]), `options.max_iter` and
/// `options.tol` (restarts and seed are not used); labels are not renumbered, so cluster
/// c keeps prototype c. With γ = 0, tol = 0 and the same centres this is exactly
/// [`crate::kmeans::lloyd`] on the numerics.
pub fn kprototypes_from(
    data: MixedRef<'_>,
    centroids: Vec<f64>,
    modes: Vec<u32>,
    options: &KPrototypesOptions,
) -> Result<KPrototypesFit, ClusterError> {
    let (p, q) = (data.p(), data.q());
    let k = prototype_count(centroids.len(), modes.len(), p, q);
    check_len("prototype centroids (k × p)", k * p, centroids.len())?;
    check_len("prototype modes (k × q)", k * q, modes.len())?;
    check_k(k, data.rows())?;
    options.validate()?;
    check_finite("prototype centroids", &centroids)?;
    let gamma = options.gamma_for(data.numeric());
    let mut levels = check(&data, gamma)?;
    let data = passes(&data, gamma);
    // Modes outside the observed levels simply never match; widen the tables to hold them.
    for m in modes.chunks_exact(q.max(1)) {
        for (l, &v) in levels.iter_mut().zip(m) {
            *l = (*l).max(v as usize + 1);
        }
    }
    Ok(run(&data, &levels, centroids, modes, options))
}

/// Greedy k-means++ seeding on the mixed dissimilarity: k prototypes copied from rows.
/// The candidates of one pick are drawn together (all from the same distribution, as the
/// sequential draws of [`crate::kmeans::kmeans_plus_plus`] are) and evaluated in one pass
/// over the data, so a pick costs one read of the rows, not one per candidate.
fn seed_prototypes(data: &Data, k: usize, rng: &mut Rng) -> (Vec<f64>, Vec<u32>) {
    let (n, p, q) = (data.n, data.p, data.q);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centroids = Vec::with_capacity(k * p);
    let mut modes = Vec::with_capacity(k * q);
    let first = rng.below(n as u64) as usize;
    centroids.extend_from_slice(data.num(first));
    modes.extend_from_slice(data.cat(first));
    let mut closest: Vec<f64> = (0..n)
        .into_par_iter()
        .with_min_len(BLOCK)
        .map(|i| data.dissim(i, data.num(first), data.cat(first)))
        .collect();
    let mut potential = block_sum(&closest);
    // n × trials: the closest-prototype dissimilarity of every row if candidate t is added.
    let mut candidate = vec![0.0; n * trials];
    for _ in 1..k {
        // With every row on a prototype already (duplicates) D² sampling is undefined.
        let picks: Vec<usize> = (0..trials)
            .map(|_| {
                if potential > 0.0 {
                    rng.weighted_index(&closest)
                } else {
                    rng.below(n as u64) as usize
                }
            })
            .collect();
        let picked_num: Vec<f64> = picks.iter().flat_map(|&c| data.num(c).to_vec()).collect();
        let picked_cat: Vec<u32> = picks.iter().flat_map(|&c| data.cat(c).to_vec()).collect();
        let protos = Prototypes::new(&picked_num, &picked_cat, p, q, trials);
        let partials: Vec<Vec<f64>> = candidate
            .par_chunks_mut(BLOCK * trials)
            .enumerate()
            .map(|(b, chunk)| {
                let mut sums = vec![0.0; trials];
                for (o, slots) in chunk.chunks_exact_mut(trials).enumerate() {
                    let i = b * BLOCK + o;
                    protos.dissims(data.num(i), data.cat(i), data.gamma, slots);
                    for (slot, sum) in slots.iter_mut().zip(&mut sums) {
                        *slot = closest[i].min(*slot);
                        *sum += *slot;
                    }
                }
                sums
            })
            .collect();
        let mut totals = vec![0.0; trials];
        for part in partials {
            totals.iter_mut().zip(part).for_each(|(t, v)| *t += v);
        }
        // Lowest total; the earlier candidate on a tie.
        let best = (1..trials).fold(0, |b, t| if totals[t] < totals[b] { t } else { b });
        let c = picks[best];
        centroids.extend_from_slice(data.num(c));
        modes.extend_from_slice(data.cat(c));
        closest
            .par_iter_mut()
            .with_min_len(BLOCK)
            .enumerate()
            .for_each(|(i, v)| *v = candidate[i * trials + best]);
        potential = totals[best];
    }
    (centroids, modes)
}

/// Sum of `v` over fixed blocks, added in block order (thread-count independent).
fn block_sum(v: &[f64]) -> f64 {
    let partials: Vec<f64> = v.par_chunks(BLOCK).map(|c| c.iter().sum()).collect();
    partials.iter().sum()
}

/// Per-block totals of an assignment pass.
struct Partial {
    /// Numeric sums per cluster, k × p.
    sums: Vec<f64>,
    /// Rows per cluster.
    counts: Vec<usize>,
    /// Code frequencies per cluster, k × Σ levels.
    freq: Vec<usize>,
    cost: f64,
    changed: bool,
}

/// Alternating assignment and update from the given prototypes (see the module docs),
/// for at most `options.max_iter` updates with tolerance `options.tol`.
fn run(
    data: &Data,
    levels: &[usize],
    mut centroids: Vec<f64>,
    mut modes: Vec<u32>,
    options: &KPrototypesOptions,
) -> KPrototypesFit {
    let (max_iter, tol) = (options.max_iter, options.tol);
    let (n, p, q) = (data.n, data.p, data.q);
    let k = prototype_count(centroids.len(), modes.len(), p, q);
    let offsets: Vec<usize> = levels
        .iter()
        .scan(0, |acc, &l| {
            let o = *acc;
            *acc += l;
            Some(o)
        })
        .collect();
    let width: usize = levels.iter().sum();
    let mut labels = vec![usize::MAX; n];
    let mut history = Vec::new();
    let mut iterations = 0;
    let converged = loop {
        let totals = assign(data, &centroids, &modes, &offsets, width, &mut labels);
        let previous = history.last().copied();
        history.push(totals.cost);
        if !totals.changed || previous.is_some_and(|prev| prev - totals.cost <= tol * prev) {
            break true;
        }
        if iterations == max_iter {
            break false;
        }
        update(
            data,
            &offsets,
            levels,
            totals,
            &mut centroids,
            &mut modes,
            &mut labels,
        );
        iterations += 1;
    };
    debug_assert!(labels.iter().all(|&l| l < k));
    KPrototypesFit {
        labels,
        centroids,
        modes,
        cost: *history.last().expect("one assignment at least"),
        history,
        iterations,
        converged,
        gamma: data.gamma,
    }
}

/// Assigns every row to its least dissimilar prototype (lowest index on ties) and
/// gathers the totals the update needs.
fn assign(
    data: &Data,
    centroids: &[f64],
    modes: &[u32],
    offsets: &[usize],
    width: usize,
    labels: &mut [usize],
) -> Partial {
    let (p, q) = (data.p, data.q);
    let k = prototype_count(centroids.len(), modes.len(), p, q);
    let protos = Prototypes::new(centroids, modes, p, q, k);
    let partials: Vec<Partial> = labels
        .par_chunks_mut(BLOCK)
        .enumerate()
        .map(|(b, chunk)| {
            let mut part = Partial {
                sums: vec![0.0; k * p],
                counts: vec![0; k],
                freq: vec![0; k * width],
                cost: 0.0,
                changed: false,
            };
            let mut d = vec![0.0; k];
            for (o, label) in chunk.iter_mut().enumerate() {
                let i = b * BLOCK + o;
                let (x, a) = (data.num(i), data.cat(i));
                protos.dissims(x, a, data.gamma, &mut d);
                let (mut best, mut best_d) = (0, f64::INFINITY);
                for (c, &dc) in d.iter().enumerate() {
                    if dc < best_d {
                        best = c;
                        best_d = dc;
                    }
                }
                part.changed |= *label != best;
                *label = best;
                part.cost += best_d;
                part.counts[best] += 1;
                for (s, v) in part.sums[best * p..(best + 1) * p].iter_mut().zip(x) {
                    *s += v;
                }
                let row = &mut part.freq[best * width..(best + 1) * width];
                for (&v, &off) in a.iter().zip(offsets) {
                    row[off + v as usize] += 1;
                }
            }
            part
        })
        .collect();
    let mut iter = partials.into_iter();
    let mut total = iter.next().expect("n ≥ 1 gives one block");
    for part in iter {
        total
            .sums
            .iter_mut()
            .zip(&part.sums)
            .for_each(|(t, v)| *t += v);
        total
            .counts
            .iter_mut()
            .zip(&part.counts)
            .for_each(|(t, v)| *t += v);
        total
            .freq
            .iter_mut()
            .zip(&part.freq)
            .for_each(|(t, v)| *t += v);
        total.cost += part.cost;
        total.changed |= part.changed;
    }
    total
}

/// Prototype of cluster c from its totals: mean per numeric column, most frequent code
/// (smallest on a tie) per categorical column. Leaves an empty cluster's prototype as is.
fn prototype_of(
    c: usize,
    t: &Partial,
    p: usize,
    offsets: &[usize],
    levels: &[usize],
    centroids: &mut [f64],
    modes: &mut [u32],
) {
    let count = t.counts[c];
    if count == 0 {
        return;
    }
    let width: usize = levels.iter().sum();
    for (m, s) in centroids[c * p..(c + 1) * p]
        .iter_mut()
        .zip(&t.sums[c * p..(c + 1) * p])
    {
        *m = s / count as f64;
    }
    let q = levels.len();
    for j in 0..q {
        let freq = &t.freq[c * width + offsets[j]..c * width + offsets[j] + levels[j]];
        let mut best = 0;
        for (v, &f) in freq.iter().enumerate() {
            if f > freq[best] {
                best = v;
            }
        }
        modes[c * q + j] = best as u32;
    }
}

/// New prototypes from the assignment totals; an empty cluster is re-seeded with the row
/// farthest from its own (updated) prototype, taken from a cluster that keeps at least one
/// row (as [`crate::kmeans::lloyd`] does), which keeps the cost from increasing.
fn update(
    data: &Data,
    offsets: &[usize],
    levels: &[usize],
    mut totals: Partial,
    centroids: &mut [f64],
    modes: &mut [u32],
    labels: &mut [usize],
) {
    let (p, q) = (data.p, data.q);
    let k = totals.counts.len();
    let width: usize = levels.iter().sum();
    for c in 0..k {
        prototype_of(c, &totals, p, offsets, levels, centroids, modes);
    }
    for empty in 0..k {
        if totals.counts[empty] > 0 {
            continue;
        }
        // Farthest row among clusters that can spare one (exists: k ≤ n and one cluster
        // is empty, so another holds two rows). Max by (dissimilarity, −index): the
        // lowest index on ties, whatever the thread schedule.
        let (far, _) = labels
            .par_iter()
            .enumerate()
            .filter(|&(_, &l)| totals.counts[l] >= 2)
            .map(|(i, &l)| {
                let d = data.dissim(
                    i,
                    &centroids[l * p..(l + 1) * p],
                    &modes[l * q..(l + 1) * q],
                );
                (i, d)
            })
            .reduce(
                || (usize::MAX, f64::NEG_INFINITY),
                |a, b| {
                    if b.1 > a.1 || (b.1 == a.1 && b.0 < a.0) {
                        b
                    } else {
                        a
                    }
                },
            );
        let donor = labels[far];
        labels[far] = empty;
        centroids[empty * p..(empty + 1) * p].copy_from_slice(data.num(far));
        modes[empty * q..(empty + 1) * q].copy_from_slice(data.cat(far));
        // Remove the row from the donor's totals and recompute its prototype.
        totals.counts[donor] -= 1;
        totals.counts[empty] = 1;
        for (s, v) in totals.sums[donor * p..(donor + 1) * p]
            .iter_mut()
            .zip(data.num(far))
        {
            *s -= v;
        }
        for (j, &v) in data.cat(far).iter().enumerate() {
            totals.freq[donor * width + offsets[j] + v as usize] -= 1;
        }
        prototype_of(donor, &totals, p, offsets, levels, centroids, modes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_cluster_is_reseeded_with_farthest_row() {
        // Prototype 1 is far from every row, so it starts empty; after the first update
        // prototype 0 is (mean 10/3, mode 0), the farthest row from it, 5 (numeric 10,
        // code 1: (20/3)² + γ), moves to cluster 1, and prototype 0 becomes (2, 0).
        let numeric = [0.0, 1.0, 2.0, 3.0, 4.0, 10.0];
        let categorical = [0, 0, 0, 0, 0, 1];
        let options = KPrototypesOptions {
            gamma: Some(1.0),
            max_iter: 1,
            ..Default::default()
        };
        let data = MixedRef::new(MatRef::new(&numeric, 6, 1).unwrap(), &categorical, 1).unwrap();
        let fit = kprototypes_from(data, vec![2.0, 100.0], vec![0, 0], &options).unwrap();
        assert_eq!(fit.labels, vec![0, 0, 0, 0, 0, 1]);
        assert_eq!(fit.centroids, vec![2.0, 10.0]);
        assert_eq!(fit.modes, vec![0, 1]);
        assert_eq!(fit.cost, 10.0);
    }

    #[test]
    fn modes_break_ties_towards_the_smallest_code() {
        // One cluster, codes 2 and 1 twice each: mode 1.
        let categorical = [2, 1, 2, 1];
        let data = MixedRef::new(MatRef::new(&[], 4, 0).unwrap(), &categorical, 1).unwrap();
        let fit = kprototypes_from(data, vec![], vec![2], &KPrototypesOptions::default()).unwrap();
        assert_eq!(fit.modes, vec![1]);
        assert_eq!(fit.cost, 2.0);
    }
}
