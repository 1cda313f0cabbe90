//! k-prototypes for mixed numeric and categorical data (Huang 1997, 1998; SPEC §6:
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

use peergroup_random::Rng;
use rayon::prelude::*;

/// Assign/update iterations allowed per restart (`kmodes`' default `max_iter`).
pub const MAX_ITER: usize = 100;

/// Default relative cost decrease below which a fit stops. Restarts that land near a
/// poor local optimum can creep downhill for dozens of iterations by ~1e-5 each (seen on
/// 1M rows: 50 iterations instead of 3-4 for the good ones); stopping them changes the
/// cost by less than that creep, and the best restart is kept anyway.
pub const TOL: f64 = 1e-5;

/// Rows per block of every parallel pass; fixed, so results do not depend on threads.
const BLOCK: usize = 4096;

/// Settings of [`kprototypes`].
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
///
/// # Panics
/// If `numeric.len() != n·p`.
pub fn default_gamma(numeric: &[f64], n: usize, p: usize) -> f64 {
    assert_eq!(numeric.len(), n * p, "default_gamma: numeric must be n × p");
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

/// Checks shapes and returns the level count of every categorical column.
#[allow(clippy::too_many_arguments)]
fn check(
    what: &str,
    numeric: &[f64],
    categorical: &[u32],
    n: usize,
    p: usize,
    q: usize,
    k: usize,
    gamma: f64,
) -> Vec<usize> {
    assert_eq!(numeric.len(), n * p, "{what}: numeric must be n × p");
    assert_eq!(
        categorical.len(),
        n * q,
        "{what}: categorical must be n × q"
    );
    assert!(p + q >= 1, "{what}: need at least one feature");
    assert!(
        k >= 1 && k <= n,
        "{what}: need 1 ≤ k ≤ n (k = {k}, n = {n})"
    );
    assert!(
        gamma.is_finite() && gamma >= 0.0,
        "{what}: γ must be finite and ≥ 0 (γ = {gamma})"
    );
    let mut levels = vec![0usize; q];
    for row in categorical.chunks_exact(q.max(1)) {
        for (l, &v) in levels.iter_mut().zip(row) {
            *l = (*l).max(v as usize + 1);
        }
    }
    levels
}

/// Best of `options.restarts` k-prototypes fits (lowest cost; the earlier restart on a
/// tie) of `n` rows with numeric part `numeric` (n × p row-major, finite, already scaled)
/// and categorical part `categorical` (n × q row-major codes) into `k` clusters; see the
/// module docs. Labels are renumbered by first appearance in input order.
///
/// # Panics
/// If the shapes do not match, p + q = 0, k = 0 or k > n, or γ is negative or not finite.
pub fn kprototypes(
    numeric: &[f64],
    categorical: &[u32],
    n: usize,
    p: usize,
    q: usize,
    k: usize,
    options: &KPrototypesOptions,
) -> KPrototypesFit {
    let gamma = options
        .gamma
        .unwrap_or_else(|| default_gamma(numeric, n, p));
    let levels = check("kprototypes", numeric, categorical, n, p, q, k, gamma);
    let data = Data {
        numeric,
        categorical,
        n,
        p,
        q,
        gamma,
    };
    let fits: Vec<KPrototypesFit> = (0..options.restarts.max(1) as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = Rng::stream(options.seed, r);
            let (centroids, modes) = seed_prototypes(&data, k, &mut rng);
            run(
                &data,
                &levels,
                centroids,
                modes,
                options.max_iter,
                options.tol,
            )
        })
        .collect();
    let mut best = fits
        .into_iter()
        .reduce(|a, b| if b.cost < a.cost { b } else { a })
        .expect("at least one restart");
    renumber(&mut best, p, q);
    best
}

/// One k-prototypes fit from the given prototypes (centroids k × p, modes k × q) with
/// `options.gamma` (`None` = [`default_gamma`]), `options.max_iter` and `options.tol`
/// (restarts and seed are not used); labels are not renumbered, so cluster c keeps
/// prototype c. With γ = 0, tol = 0 and the same centres this is exactly
/// [`crate::kmeans::lloyd`] on the numerics.
///
/// # Panics
/// As [`kprototypes`], or if the prototypes are not k × p and k × q for one k ≥ 1.
#[allow(clippy::too_many_arguments)]
pub fn kprototypes_from(
    numeric: &[f64],
    categorical: &[u32],
    n: usize,
    p: usize,
    q: usize,
    centroids: Vec<f64>,
    modes: Vec<u32>,
    options: &KPrototypesOptions,
) -> KPrototypesFit {
    let k = prototype_count(centroids.len(), modes.len(), p, q);
    assert!(
        centroids.len() == k * p && modes.len() == k * q,
        "kprototypes_from: prototypes must be k × p and k × q"
    );
    let gamma = options
        .gamma
        .unwrap_or_else(|| default_gamma(numeric, n, p));
    let mut levels = check("kprototypes_from", numeric, categorical, n, p, q, k, gamma);
    let data = Data {
        numeric,
        categorical,
        n,
        p,
        q,
        gamma,
    };
    // Modes outside the observed levels simply never match; widen the tables to hold them.
    for m in modes.chunks_exact(q.max(1)) {
        for (l, &v) in levels.iter_mut().zip(m) {
            *l = (*l).max(v as usize + 1);
        }
    }
    run(
        &data,
        &levels,
        centroids,
        modes,
        options.max_iter,
        options.tol,
    )
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

/// Alternating assignment and update from the given prototypes (see the module docs).
fn run(
    data: &Data,
    levels: &[usize],
    mut centroids: Vec<f64>,
    mut modes: Vec<u32>,
    max_iter: usize,
    tol: f64,
) -> KPrototypesFit {
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

/// Renumbers clusters by first appearance in input order, permuting the prototypes.
fn renumber(fit: &mut KPrototypesFit, p: usize, q: usize) {
    let k = prototype_count(fit.centroids.len(), fit.modes.len(), p, q);
    let mut new_of = vec![usize::MAX; k];
    let mut next = 0;
    for &l in &fit.labels {
        if new_of[l] == usize::MAX {
            new_of[l] = next;
            next += 1;
        }
    }
    for slot in new_of.iter_mut().filter(|s| **s == usize::MAX) {
        *slot = next;
        next += 1;
    }
    let mut centroids = vec![0.0; fit.centroids.len()];
    let mut modes = vec![0; fit.modes.len()];
    for (old, &new) in new_of.iter().enumerate() {
        centroids[new * p..(new + 1) * p].copy_from_slice(&fit.centroids[old * p..(old + 1) * p]);
        modes[new * q..(new + 1) * q].copy_from_slice(&fit.modes[old * q..(old + 1) * q]);
    }
    fit.centroids = centroids;
    fit.modes = modes;
    for l in &mut fit.labels {
        *l = new_of[*l];
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
        let fit = kprototypes_from(
            &numeric,
            &categorical,
            6,
            1,
            1,
            vec![2.0, 100.0],
            vec![0, 0],
            &options,
        );
        assert_eq!(fit.labels, vec![0, 0, 0, 0, 0, 1]);
        assert_eq!(fit.centroids, vec![2.0, 10.0]);
        assert_eq!(fit.modes, vec![0, 1]);
        assert_eq!(fit.cost, 10.0);
    }

    #[test]
    fn modes_break_ties_towards_the_smallest_code() {
        // One cluster, codes 2 and 1 twice each: mode 1.
        let categorical = [2, 1, 2, 1];
        let fit = kprototypes_from(
            &[],
            &categorical,
            4,
            0,
            1,
            vec![],
            vec![2],
            &KPrototypesOptions::default(),
        );
        assert_eq!(fit.modes, vec![1]);
        assert_eq!(fit.cost, 2.0);
    }
}
