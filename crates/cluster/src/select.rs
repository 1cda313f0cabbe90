//! Choosing the number of clusters k (SPEC §6: "k chosen by a stated criterion").
//!
//! [`choose_k`] clusters the data for every k = 1..=k_max with a method supplied through
//! the [`KSelect`] trait and tabulates two criteria:
//!
//! * the **gap statistic** (Tibshirani, Walther & Hastie 2001): Gap(k) = mean over B
//!   reference data sets of ln W*_k − ln W_k, W_k the method's within-cluster cost, the
//!   references drawn from a structureless null of the same shape; its rule picks the
//!   smallest k with Gap(k) ≥ Gap(k+1) − s_{k+1} ([`gap_choice`]), so k = 1 means the
//!   data show no more cluster structure than the null, i.e. no meaningful clustering;
//! * the mean **silhouette** width (Rousseeuw 1987) of the method's labels, on the
//!   method's own dissimilarity (on a seeded sample of [`SILHOUETTE_SAMPLE`] items when
//!   there are more); its rule picks the k ≥ 2 with the widest mean silhouette, or k = 1
//!   when that width is at most [`SILHOUETTE_NO_STRUCTURE`] (Kaufman & Rousseeuw's "no
//!   substantial structure has been found"). The silhouette is undefined for k = 1.
//!
//! Both choices are returned; [`KRule`] says which one is `k`. The gap rule is the default
//! because it can answer "one cluster"; note that the silhouette finds "weak structure"
//! (0.3-0.4) even in uniform noise in two dimensions.
//!
//! Cost: (1 + refs) × k_max fits, each with the method's own restarts. For large data
//! (e.g. a million app users) choose k on a random subsample of a few thousand rows and
//! fit the chosen k on everything.
//!
//! Ready-made methods: [`KMeansSelect`] (k-means on a feature matrix; reproduces
//! [`gap_statistic`](crate::validity::gap_statistic) exactly) and [`KPrototypesSelect`]
//! (k-prototypes on mixed data). Other methods (hierarchical cuts, mixtures) implement
//! [`KSelect`].

use peergroup_random::Rng;
use rayon::prelude::*;

use crate::kmeans::kmeans;
use crate::kprototypes::{default_gamma, kprototypes, KPrototypesOptions};
use crate::linkage::condensed_len;
use crate::validity::{gap_choice, silhouette, Gap, GAP_RESTARTS};

/// Largest number of items the silhouette is computed on; more are sampled down to it
/// (O(m²) distances).
pub const SILHOUETTE_SAMPLE: usize = 2_000;

/// Mean silhouette width at or below which the silhouette rule answers k = 1.
pub const SILHOUETTE_NO_STRUCTURE: f64 = 0.25;

/// Stream index of the silhouette sample, apart from restart (small) and reference
/// (near `u64::MAX`) streams.
const SAMPLE_STREAM: u64 = u64::MAX / 2;

/// A clustering method and its data, as [`choose_k`] needs them.
pub trait KSelect: Sync {
    /// Number of items clustered.
    fn items(&self) -> usize;
    /// Labels (`0..k`) and within-cluster cost W_k (> 0 unless items coincide) of the
    /// observed data in `k` clusters, deterministic in `seed`.
    fn fit(&self, k: usize, seed: u64) -> (Vec<usize>, f64);
    /// W_1, …, W_{k_max} of one reference data set drawn from `rng`: data of the same
    /// shape without cluster structure, clustered the same way.
    fn reference_costs(&self, k_max: usize, rng: &mut Rng) -> Vec<f64>;
    /// Dissimilarity of items i and j used by the silhouette (a distance, not squared).
    fn distance(&self, i: usize, j: usize) -> f64;
}

/// Which criterion decides [`KChoice::k`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KRule {
    /// Tibshirani's gap rule.
    Gap,
    /// Widest mean silhouette, k = 1 at or below [`SILHOUETTE_NO_STRUCTURE`].
    Silhouette,
}

/// The criteria for one k.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KCriteria {
    /// Number of clusters.
    pub k: usize,
    /// Within-cluster cost W_k of the observed data (the method's units, e.g. units²).
    pub cost: f64,
    /// Gap(k) = mean ln W*_k − ln W_k (nats).
    pub gap: f64,
    /// s_k = sd of the reference ln W*_k × √(1 + 1/B) (nats).
    pub s: f64,
    /// Mean silhouette width in [−1, 1]; NaN for k = 1 or when fewer than two clusters
    /// are present in the sample.
    pub silhouette: f64,
}

/// Result of [`choose_k`]: the table of criteria and the choices.
#[derive(Clone, Debug, PartialEq)]
pub struct KChoice {
    /// One row per k = 1..=k_max.
    pub table: Vec<KCriteria>,
    /// Rule that chose `k`.
    pub rule: KRule,
    /// Chosen number of clusters; 1 = no meaningful cluster structure.
    pub k: usize,
    /// Choice of the gap rule.
    pub k_gap: usize,
    /// Choice of the silhouette rule.
    pub k_silhouette: usize,
    /// Labels of the chosen fit, `0..k`.
    pub labels: Vec<usize>,
}

/// Tabulates the gap statistic (`refs` reference sets) and the mean silhouette for
/// k = 1..=k_max and picks k by `rule` (see the module docs). Observed fits use `seed` for
/// every k; reference set b draws from `Rng::stream(seed, u64::MAX − b)`. Fits and
/// references run in parallel; the result depends on the seed only.
///
/// # Panics
/// If k_max = 0, k_max > items, or refs = 0.
pub fn choose_k(
    method: &impl KSelect,
    k_max: usize,
    refs: usize,
    rule: KRule,
    seed: u64,
) -> KChoice {
    let n = method.items();
    assert!(
        k_max >= 1 && k_max <= n,
        "choose_k: need 1 ≤ k_max ≤ items (k_max = {k_max}, items = {n})"
    );
    assert!(refs >= 1, "choose_k: need at least one reference set");
    let fits: Vec<(Vec<usize>, f64)> = (1..=k_max)
        .into_par_iter()
        .map(|k| method.fit(k, seed))
        .collect();
    let reference: Vec<Vec<f64>> = (0..refs as u64)
        .into_par_iter()
        .map(|b| {
            let mut rng = Rng::stream(seed, u64::MAX - b);
            method
                .reference_costs(k_max, &mut rng)
                .iter()
                .map(|w| w.ln())
                .collect()
        })
        .collect();
    // Silhouette sample: all items, or a seeded subset in increasing order.
    let sample: Vec<usize> = if n <= SILHOUETTE_SAMPLE {
        (0..n).collect()
    } else {
        let mut all: Vec<usize> = (0..n).collect();
        let mut rng = Rng::stream(seed, SAMPLE_STREAM);
        // Partial Fisher–Yates: the first m slots become a uniform sample.
        for i in 0..SILHOUETTE_SAMPLE {
            let j = i + rng.below((n - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(SILHOUETTE_SAMPLE);
        all.sort_unstable();
        all
    };
    let m = sample.len();
    let condensed = if k_max >= 2 {
        sample_distances(method, &sample)
    } else {
        Vec::new()
    };
    let b = refs as f64;
    let table: Vec<KCriteria> = fits
        .iter()
        .enumerate()
        .map(|(ki, (labels, cost))| {
            let mean = reference.iter().map(|r| r[ki]).sum::<f64>() / b;
            let var = reference
                .iter()
                .map(|r| (r[ki] - mean).powi(2))
                .sum::<f64>()
                / b;
            let sil = if ki == 0 {
                f64::NAN
            } else {
                let sub: Vec<usize> = sample.iter().map(|&i| labels[i]).collect();
                silhouette(&condensed, m, &sub)
            };
            KCriteria {
                k: ki + 1,
                cost: *cost,
                gap: mean - cost.ln(),
                s: var.sqrt() * (1.0 + 1.0 / b).sqrt(),
                silhouette: sil,
            }
        })
        .collect();
    let gaps: Vec<Gap> = table
        .iter()
        .map(|r| Gap {
            k: r.k,
            gap: r.gap,
            s: r.s,
            log_w: r.cost.ln(),
        })
        .collect();
    let k_gap = gap_choice(&gaps);
    let k_silhouette = silhouette_choice(&table);
    let k = match rule {
        KRule::Gap => k_gap,
        KRule::Silhouette => k_silhouette,
    };
    let labels = fits[k - 1].0.clone();
    KChoice {
        table,
        rule,
        k,
        k_gap,
        k_silhouette,
        labels,
    }
}

/// The k ≥ 2 with the widest mean silhouette (the smaller k on a tie), or 1 if that width
/// is at most [`SILHOUETTE_NO_STRUCTURE`] or no silhouette is defined.
pub fn silhouette_choice(table: &[KCriteria]) -> usize {
    let best = table
        .iter()
        .filter(|r| r.k >= 2 && !r.silhouette.is_nan())
        .fold(None::<&KCriteria>, |best, r| match best {
            Some(b) if b.silhouette >= r.silhouette => Some(b),
            _ => Some(r),
        });
    match best {
        Some(r) if r.silhouette > SILHOUETTE_NO_STRUCTURE => r.k,
        _ => 1,
    }
}

/// Condensed distances (scipy pdist order) among the sampled items, rows in parallel.
fn sample_distances(method: &impl KSelect, sample: &[usize]) -> Vec<f64> {
    let m = sample.len();
    let rows: Vec<Vec<f64>> = (0..m)
        .into_par_iter()
        .map(|a| {
            (a + 1..m)
                .map(|b| method.distance(sample[a], sample[b]))
                .collect()
        })
        .collect();
    let out: Vec<f64> = rows.into_iter().flatten().collect();
    debug_assert_eq!(out.len(), condensed_len(m));
    out
}

/// Feature-wise minimum and maximum of an n × d matrix.
fn bounding_box(x: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut lo = vec![f64::INFINITY; d];
    let mut hi = vec![f64::NEG_INFINITY; d];
    for row in x.chunks_exact(d.max(1)) {
        for f in 0..d {
            lo[f] = lo[f].min(row[f]);
            hi[f] = hi[f].max(row[f]);
        }
    }
    (lo, hi)
}

/// k-means (greedy k-means++, `restarts` restarts) on the rows of a feature matrix; W_k =
/// inertia (units²); references uniform over the data's bounding box (Tibshirani's
/// "uniform over the range of each feature"); silhouette on Euclidean distances.
#[derive(Clone, Debug)]
pub struct KMeansSelect<'a> {
    x: &'a [f64],
    n: usize,
    d: usize,
    /// Restarts per fit ([`GAP_RESTARTS`] by default).
    pub restarts: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl<'a> KMeansSelect<'a> {
    /// k-means selection on `x` (n × d row-major, finite) with [`GAP_RESTARTS`] restarts,
    /// which makes [`choose_k`]'s gap columns equal [`gap_statistic`]'s.
    ///
    /// [`gap_statistic`]: crate::validity::gap_statistic
    ///
    /// # Panics
    /// If `x.len() != n·d`.
    pub fn new(x: &'a [f64], n: usize, d: usize) -> Self {
        assert_eq!(x.len(), n * d, "KMeansSelect: x must be n × d");
        let (lo, hi) = bounding_box(x, d);
        KMeansSelect {
            x,
            n,
            d,
            restarts: GAP_RESTARTS,
            lo,
            hi,
        }
    }
}

impl KSelect for KMeansSelect<'_> {
    fn items(&self) -> usize {
        self.n
    }

    fn fit(&self, k: usize, seed: u64) -> (Vec<usize>, f64) {
        let fit = kmeans(self.x, self.n, self.d, k, self.restarts, seed);
        (fit.labels, fit.inertia)
    }

    fn reference_costs(&self, k_max: usize, rng: &mut Rng) -> Vec<f64> {
        let (n, d) = (self.n, self.d);
        let data: Vec<f64> = (0..n * d)
            .map(|i| rng.uniform_range(self.lo[i % d], self.hi[i % d]))
            .collect();
        let seed = rng.next_u64();
        (1..=k_max)
            .map(|k| kmeans(&data, n, d, k, self.restarts, seed).inertia)
            .collect()
    }

    fn distance(&self, i: usize, j: usize) -> f64 {
        let d = self.d;
        self.x[i * d..(i + 1) * d]
            .iter()
            .zip(&self.x[j * d..(j + 1) * d])
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt()
    }
}

/// k-prototypes on mixed data; W_k = the k-prototypes cost. References: each numeric
/// column uniform over its observed range (as [`KMeansSelect`]), each categorical column
/// drawn independently from its observed level frequencies (so a reference keeps every
/// marginal but no association between columns); γ is fixed to the observed data's.
/// Silhouette distance √(Σ (x − y)² + γ · #mismatches), the Euclidean distance in the
/// one-hot embedding in which k-prototypes is k-means (see [`crate::kprototypes`]).
#[derive(Clone, Debug)]
pub struct KPrototypesSelect<'a> {
    numeric: &'a [f64],
    categorical: &'a [u32],
    n: usize,
    p: usize,
    q: usize,
    /// Options of every fit; `gamma` is always `Some` (resolved by [`Self::new`]).
    pub options: KPrototypesOptions,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl<'a> KPrototypesSelect<'a> {
    /// k-prototypes selection on numeric (n × p) and categorical (n × q) parts with
    /// `options` for every fit (γ resolved here from the observed data if `None`; the
    /// seed is replaced by [`choose_k`]'s).
    ///
    /// # Panics
    /// If the shapes do not match.
    pub fn new(
        numeric: &'a [f64],
        categorical: &'a [u32],
        n: usize,
        p: usize,
        q: usize,
        options: KPrototypesOptions,
    ) -> Self {
        assert_eq!(
            numeric.len(),
            n * p,
            "KPrototypesSelect: numeric must be n × p"
        );
        assert_eq!(
            categorical.len(),
            n * q,
            "KPrototypesSelect: categorical must be n × q"
        );
        let gamma = options
            .gamma
            .unwrap_or_else(|| default_gamma(numeric, n, p));
        let (lo, hi) = bounding_box(numeric, p);
        KPrototypesSelect {
            numeric,
            categorical,
            n,
            p,
            q,
            options: KPrototypesOptions {
                gamma: Some(gamma),
                ..options
            },
            lo,
            hi,
        }
    }
}

impl KSelect for KPrototypesSelect<'_> {
    fn items(&self) -> usize {
        self.n
    }

    fn fit(&self, k: usize, seed: u64) -> (Vec<usize>, f64) {
        let options = KPrototypesOptions {
            seed,
            ..self.options
        };
        let fit = kprototypes(
            self.numeric,
            self.categorical,
            self.n,
            self.p,
            self.q,
            k,
            &options,
        );
        (fit.labels, fit.cost)
    }

    fn reference_costs(&self, k_max: usize, rng: &mut Rng) -> Vec<f64> {
        let (n, p, q) = (self.n, self.p, self.q);
        let numeric: Vec<f64> = (0..n * p)
            .map(|i| rng.uniform_range(self.lo[i % p], self.hi[i % p]))
            .collect();
        // A random row's code per cell: a draw from that column's empirical distribution.
        let categorical: Vec<u32> = (0..n * q)
            .map(|i| self.categorical[rng.below(n as u64) as usize * q + i % q])
            .collect();
        let options = KPrototypesOptions {
            seed: rng.next_u64(),
            ..self.options
        };
        (1..=k_max)
            .map(|k| kprototypes(&numeric, &categorical, n, p, q, k, &options).cost)
            .collect()
    }

    fn distance(&self, i: usize, j: usize) -> f64 {
        let (p, q) = (self.p, self.q);
        let gamma = self.options.gamma.expect("resolved in new");
        crate::kprototypes::dissimilarity(
            &self.numeric[i * p..(i + 1) * p],
            &self.categorical[i * q..(i + 1) * q],
            &self.numeric[j * p..(j + 1) * p],
            &self.categorical[j * q..(j + 1) * q],
            gamma,
        )
        .sqrt()
    }
}

/// Row distances a [`LinkageSelect`] clusters on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowDistance {
    /// Euclidean distance between feature rows.
    Euclidean,
    /// Dynamic time warping between rows read as series (no window).
    Dtw,
}

/// Hierarchical clustering (one dendrogram, cut at every k) on the rows of a matrix under
/// Euclidean or DTW distance. W_k = Σ_clusters (1/n_r) Σ_{i<j in r} d²_ij, Tibshirani's
/// pooled within-cluster dispersion (for Euclidean d, the within-cluster sum of squares);
/// references uniform over the data's bounding box, clustered the same way; silhouette on
/// the same distance.
#[derive(Clone, Debug)]
pub struct LinkageSelect {
    n: usize,
    d: usize,
    method: crate::linkage::Linkage,
    distance: RowDistance,
    condensed: Vec<f64>,
    tree: crate::linkage::Dendrogram,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

fn row_distances(x: &[f64], n: usize, d: usize, distance: RowDistance) -> Vec<f64> {
    match distance {
        RowDistance::Euclidean => {
            crate::linkage::feature_distances(x, n, d, crate::linkage::Metric::Euclidean)
        }
        RowDistance::Dtw => crate::linkage::dtw_distances(x, n, d, None),
    }
}

/// W_1..=W_{k_max} of one dendrogram over `condensed`.
fn linkage_costs(
    condensed: &[f64],
    n: usize,
    tree: &crate::linkage::Dendrogram,
    k_max: usize,
) -> Vec<f64> {
    (1..=k_max)
        .map(|k| within_dispersion(condensed, n, &tree.cut_k(k)))
        .collect()
}

/// Σ_clusters (1/n_r) Σ_{i<j in r} d²_ij.
fn within_dispersion(condensed: &[f64], n: usize, labels: &[usize]) -> f64 {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut sums = vec![0.0; k];
    let mut sizes = vec![0usize; k];
    for &l in labels {
        sizes[l] += 1;
    }
    let mut idx = 0;
    for i in 0..n {
        for j in i + 1..n {
            if labels[i] == labels[j] {
                sums[labels[i]] += condensed[idx] * condensed[idx];
            }
            idx += 1;
        }
    }
    sums.iter()
        .zip(&sizes)
        .filter(|(_, &s)| s > 0)
        .map(|(w, &s)| w / s as f64)
        .sum()
}

impl LinkageSelect {
    /// Hierarchical selection on `x` (n × d, row-major, finite) with `method` linkage
    /// under `distance`; builds the observed dendrogram once.
    ///
    /// # Panics
    /// If `x.len() != n·d` or n < 2.
    pub fn new(
        x: &[f64],
        n: usize,
        d: usize,
        method: crate::linkage::Linkage,
        distance: RowDistance,
    ) -> Self {
        assert_eq!(x.len(), n * d, "LinkageSelect: x must be n × d");
        assert!(n >= 2, "LinkageSelect: need at least two rows");
        let condensed = row_distances(x, n, d, distance);
        let tree = crate::linkage::linkage(&condensed, n, method);
        let (lo, hi) = bounding_box(x, d);
        LinkageSelect {
            n,
            d,
            method,
            distance,
            condensed,
            tree,
            lo,
            hi,
        }
    }

    /// The observed dendrogram.
    pub fn dendrogram(&self) -> &crate::linkage::Dendrogram {
        &self.tree
    }

    /// The observed condensed distances.
    pub fn distances(&self) -> &[f64] {
        &self.condensed
    }
}

impl KSelect for LinkageSelect {
    fn items(&self) -> usize {
        self.n
    }

    fn fit(&self, k: usize, _seed: u64) -> (Vec<usize>, f64) {
        let labels = self.tree.cut_k(k);
        let w = within_dispersion(&self.condensed, self.n, &labels);
        (labels, w)
    }

    fn reference_costs(&self, k_max: usize, rng: &mut Rng) -> Vec<f64> {
        let (n, d) = (self.n, self.d);
        let data: Vec<f64> = (0..n * d)
            .map(|i| rng.uniform_range(self.lo[i % d], self.hi[i % d]))
            .collect();
        let condensed = row_distances(&data, n, d, self.distance);
        let tree = crate::linkage::linkage(&condensed, n, self.method);
        linkage_costs(&condensed, n, &tree, k_max)
    }

    fn distance(&self, i: usize, j: usize) -> f64 {
        if i == j {
            return 0.0;
        }
        let (a, b) = if i < j { (i, j) } else { (j, i) };
        self.condensed[crate::linkage::condensed_index(self.n, a, b)]
    }
}
