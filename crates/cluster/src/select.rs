//! Choosing the number of clusters k (METHODS §4.10).
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
//! Ready-made methods, each a member of the [`Fit`] family swept over k: [`KMeansSelect`]
//! (k-means on a feature matrix; [`gap_statistic`] is its gap table),
//! [`KPrototypesSelect`] (k-prototypes on mixed data) and [`LinkageSelect`] (dendrogram
//! cuts). Other methods (mixtures) implement [`KSelect`].

use peergroup_numeric::MatRef;
use peergroup_random::Rng;
use rayon::prelude::*;

use crate::error::{check_features, check_finite, check_k, ClusterError};
use crate::fit::{Clustering, Fit, Partition};
use crate::kmeans::KMeans;
use crate::kprototypes::{KPrototypes, KPrototypesOptions, MixedRef};
use crate::linkage::condensed_len;
use crate::validity::{dispersion_condensed_unchecked, silhouette_unchecked};

/// Largest number of items the silhouette is computed on; more are sampled down to it
/// (O(m²) distances).
pub const SILHOUETTE_SAMPLE: usize = 2_000;

/// Mean silhouette width at or below which the silhouette rule answers k = 1.
pub const SILHOUETTE_NO_STRUCTURE: f64 = 0.25;

/// Stream index of the silhouette sample, apart from restart (small) and reference
/// (near `u64::MAX`) streams.
const SAMPLE_STREAM: u64 = u64::MAX / 2;

/// A clustering method and its data, as [`choose_k`] needs them: a member of the
/// [`Fit`] family fitted for any k.
pub trait KSelect: Sync {
    /// Number of items clustered.
    fn items(&self) -> usize;
    /// Labels (`0..k`) and within-cluster cost W_k (> 0 unless items coincide) of the
    /// observed data in `k` clusters (1 ≤ k ≤ items), deterministic in `seed`.
    fn fit(&self, k: usize, seed: u64) -> Result<Clustering, ClusterError>;
    /// W_1, …, W_{k_max} of one reference data set drawn from `rng`: data of the same
    /// shape without cluster structure, clustered the same way.
    fn reference_costs(&self, k_max: usize, rng: &mut Rng) -> Result<Vec<f64>, ClusterError>;
    /// Dissimilarity of items i and j used by the silhouette (a distance, not squared).
    fn distance(&self, i: usize, j: usize) -> f64;
}

/// The labels and cost of any fitted [`Partition`].
fn clustering(model: &impl Partition) -> Clustering {
    Clustering {
        labels: model.labels().to_vec(),
        cost: model.cost(),
    }
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
/// references run in parallel; the result depends on the seed only. Errors if k_max is
/// not in 1..=items, refs = 0, or a fit fails.
pub fn choose_k(
    method: &impl KSelect,
    k_max: usize,
    refs: usize,
    rule: KRule,
    seed: u64,
) -> Result<KChoice, ClusterError> {
    let n = method.items();
    check_k(k_max, n)?;
    check_refs(refs)?;
    let fits: Vec<Clustering> = (1..=k_max)
        .into_par_iter()
        .map(|k| method.fit(k, seed))
        .collect::<Result<_, _>>()?;
    let reference = reference_log_costs(method, k_max, refs, seed)?;
    // Silhouette sample: all items, or a seeded subset in increasing order.
    let sample = Rng::stream(seed, SAMPLE_STREAM).sample(n, SILHOUETTE_SAMPLE);
    let m = sample.len();
    let condensed = if k_max >= 2 {
        sample_distances(method, &sample)
    } else {
        Vec::new()
    };
    let gaps: Vec<Gap> = fits
        .iter()
        .enumerate()
        .map(|(ki, fit)| gap_row(ki, fit.cost.ln(), &reference))
        .collect();
    let table: Vec<KCriteria> = fits
        .iter()
        .zip(&gaps)
        .enumerate()
        .map(|(ki, (fit, g))| {
            let sil = if ki == 0 {
                f64::NAN
            } else {
                let sub: Vec<usize> = sample.iter().map(|&i| fit.labels[i]).collect();
                silhouette_unchecked(&condensed, m, &sub)
            };
            KCriteria {
                k: g.k,
                cost: fit.cost,
                gap: g.gap,
                s: g.s,
                silhouette: sil,
            }
        })
        .collect();
    let k_gap = gap_choice(&gaps);
    let k_silhouette = silhouette_choice(&table);
    let k = match rule {
        KRule::Gap => k_gap,
        KRule::Silhouette => k_silhouette,
    };
    let labels = fits[k - 1].labels.clone();
    Ok(KChoice {
        table,
        rule,
        k,
        k_gap,
        k_silhouette,
        labels,
    })
}

fn check_refs(refs: usize) -> Result<(), ClusterError> {
    if refs == 0 {
        return Err(ClusterError::parameter("refs", 0, "at least 1"));
    }
    Ok(())
}

/// ln W*_1..=ln W*_{k_max} of `refs` reference sets; set b draws from
/// `Rng::stream(seed, u64::MAX − b)`, past any index the fits use for their restarts, so
/// the reference data never reuses the numbers that seeded the observed fits.
fn reference_log_costs(
    method: &impl KSelect,
    k_max: usize,
    refs: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>, ClusterError> {
    (0..refs as u64)
        .into_par_iter()
        .map(|b| {
            let mut rng = Rng::stream(seed, u64::MAX - b);
            let costs = method.reference_costs(k_max, &mut rng)?;
            Ok(costs.iter().map(|w| w.ln()).collect())
        })
        .collect()
}

/// k-means restarts behind every W_k of [`gap_statistic`].
pub const GAP_RESTARTS: usize = 5;

/// One row of the gap statistic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gap {
    /// Number of clusters.
    pub k: usize,
    /// Gap(k) = mean over references of ln W*_k − ln W_k (nats).
    pub gap: f64,
    /// s_k = sd of the reference ln W*_k × √(1 + 1/B) (nats).
    pub s: f64,
    /// ln W_k of the data, W_k the within-cluster cost (k-means: sum of squares).
    pub log_w: f64,
}

/// The gap row of k = ki + 1 from ln W_k of the data and the ln W*_k of every reference.
fn gap_row(ki: usize, log_w: f64, reference: &[Vec<f64>]) -> Gap {
    let b = reference.len() as f64;
    let mean = reference.iter().map(|r| r[ki]).sum::<f64>() / b;
    let var = reference
        .iter()
        .map(|r| (r[ki] - mean).powi(2))
        .sum::<f64>()
        / b;
    Gap {
        k: ki + 1,
        gap: mean - log_w,
        s: var.sqrt() * (1.0 + 1.0 / b).sqrt(),
        log_w,
    }
}

/// Gap statistic (Tibshirani, Walther & Hastie 2001) for k = 1..=k_max on the rows of `x`
/// (finite): W_k from k-means ([`GAP_RESTARTS`] restarts), `refs` reference sets drawn
/// uniformly over the data's bounding box (feature-wise range); the gap columns of
/// [`choose_k`] on a [`KMeansSelect`].
///
/// Deterministic in `seed`; reference sets are generated and clustered in parallel, each
/// from its own stream. If k reaches the number of distinct points, W_k = 0 and the gap is
/// +∞. Errors if k_max is not in 1..=n, refs = 0 or the data are not finite.
pub fn gap_statistic(
    x: MatRef<'_>,
    k_max: usize,
    refs: usize,
    seed: u64,
) -> Result<Vec<Gap>, ClusterError> {
    check_k(k_max, x.rows())?;
    check_refs(refs)?;
    let method = KMeansSelect::new(x);
    let observed: Vec<f64> = (1..=k_max)
        .map(|k| Ok(method.fit(k, seed)?.cost.ln()))
        .collect::<Result<_, ClusterError>>()?;
    let reference = reference_log_costs(&method, k_max, refs, seed)?;
    Ok(observed
        .iter()
        .enumerate()
        .map(|(ki, &log_w)| gap_row(ki, log_w, &reference))
        .collect())
}

/// Tibshirani's choice: the smallest k with Gap(k) ≥ Gap(k+1) − s_{k+1}; the largest k
/// tried if none qualifies (0 for an empty table).
pub fn gap_choice(gaps: &[Gap]) -> usize {
    gaps.windows(2)
        .find(|w| w[0].gap >= w[1].gap - w[1].s)
        .map_or_else(|| gaps.last().map_or(0, |g| g.k), |w| w[0].k)
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

/// Feature-wise minimum and maximum of the rows of `x`.
fn bounding_box(x: MatRef<'_>) -> (Vec<f64>, Vec<f64>) {
    let d = x.cols();
    let mut lo = vec![f64::INFINITY; d];
    let mut hi = vec![f64::NEG_INFINITY; d];
    for row in x.row_iter() {
        for f in 0..d {
            lo[f] = lo[f].min(row[f]);
            hi[f] = hi[f].max(row[f]);
        }
    }
    (lo, hi)
}

/// n × d values drawn uniformly over the box `lo..hi`, row after row.
fn uniform_in_box(n: usize, lo: &[f64], hi: &[f64], rng: &mut Rng) -> Vec<f64> {
    let d = lo.len();
    (0..n * d)
        .map(|i| rng.uniform_range(lo[i % d], hi[i % d]))
        .collect()
}

/// k-means (greedy k-means++, `restarts` restarts) on the rows of a feature matrix; W_k =
/// inertia (units²); references uniform over the data's bounding box (Tibshirani's
/// "uniform over the range of each feature"); silhouette on Euclidean distances.
#[derive(Clone, Debug)]
pub struct KMeansSelect<'a> {
    x: MatRef<'a>,
    /// Restarts per fit ([`GAP_RESTARTS`] by default).
    pub restarts: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl<'a> KMeansSelect<'a> {
    /// k-means selection on the rows of `x` (finite) with [`GAP_RESTARTS`] restarts, which
    /// makes [`choose_k`]'s gap columns equal [`gap_statistic`]'s.
    pub fn new(x: MatRef<'a>) -> Self {
        let (lo, hi) = bounding_box(x);
        KMeansSelect {
            x,
            restarts: GAP_RESTARTS,
            lo,
            hi,
        }
    }

    fn method(&self, k: usize, seed: u64) -> KMeans {
        KMeans::new(k).restarts(self.restarts).seed(seed)
    }
}

impl KSelect for KMeansSelect<'_> {
    fn items(&self) -> usize {
        self.x.rows()
    }

    fn fit(&self, k: usize, seed: u64) -> Result<Clustering, ClusterError> {
        Ok(clustering(&self.method(k, seed).fit(self.x)?))
    }

    fn reference_costs(&self, k_max: usize, rng: &mut Rng) -> Result<Vec<f64>, ClusterError> {
        let n = self.x.rows();
        let data = uniform_in_box(n, &self.lo, &self.hi, rng);
        let data = MatRef::new(&data, n, self.x.cols())?;
        let seed = rng.next_u64();
        (1..=k_max)
            .map(|k| Ok(self.method(k, seed).fit(data)?.inertia))
            .collect()
    }

    fn distance(&self, i: usize, j: usize) -> f64 {
        self.x
            .row(i)
            .iter()
            .zip(self.x.row(j))
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
    data: MixedRef<'a>,
    options: KPrototypesOptions,
    /// γ of `options`, resolved.
    gamma: f64,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl<'a> KPrototypesSelect<'a> {
    /// k-prototypes selection on mixed `data` with `options` for every fit (γ resolved
    /// here from the observed data if `None`; the seed is replaced by [`choose_k`]'s).
    /// Errors on invalid options or non-finite numerics.
    pub fn new(data: MixedRef<'a>, options: KPrototypesOptions) -> Result<Self, ClusterError> {
        options.validate()?;
        check_finite("numeric features", data.numeric().as_slice())?;
        let gamma = options.gamma_for(data.numeric());
        let (lo, hi) = bounding_box(data.numeric());
        Ok(KPrototypesSelect {
            data,
            options: KPrototypesOptions {
                gamma: Some(gamma),
                ..options
            },
            gamma,
            lo,
            hi,
        })
    }

    /// Options of every fit; `gamma` is always `Some` (resolved by [`Self::new`]).
    pub fn options(&self) -> &KPrototypesOptions {
        &self.options
    }

    fn method(&self, k: usize, seed: u64) -> KPrototypes {
        KPrototypes::new(k).options(KPrototypesOptions {
            seed,
            ..self.options
        })
    }
}

impl KSelect for KPrototypesSelect<'_> {
    fn items(&self) -> usize {
        self.data.rows()
    }

    fn fit(&self, k: usize, seed: u64) -> Result<Clustering, ClusterError> {
        Ok(clustering(&self.method(k, seed).fit(self.data)?))
    }

    fn reference_costs(&self, k_max: usize, rng: &mut Rng) -> Result<Vec<f64>, ClusterError> {
        let (n, p, q) = (self.data.rows(), self.data.p(), self.data.q());
        let numeric = uniform_in_box(n, &self.lo, &self.hi, rng);
        // A random row's code per cell: a draw from that column's empirical distribution.
        let observed = self.data.categorical();
        let categorical: Vec<u32> = (0..n * q)
            .map(|i| observed[rng.below(n as u64) as usize * q + i % q])
            .collect();
        let seed = rng.next_u64();
        let data = MixedRef::new(MatRef::new(&numeric, n, p)?, &categorical, q)?;
        (1..=k_max)
            .map(|k| Ok(self.method(k, seed).fit(data)?.cost))
            .collect()
    }

    fn distance(&self, i: usize, j: usize) -> f64 {
        let d = &self.data;
        crate::kprototypes::dissimilarity(d.num(i), d.cat(i), d.num(j), d.cat(j), self.gamma).sqrt()
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

fn row_distances(x: MatRef<'_>, distance: RowDistance) -> Vec<f64> {
    match distance {
        RowDistance::Euclidean => {
            crate::linkage::feature_distances(x, crate::linkage::Metric::Euclidean)
        }
        RowDistance::Dtw => crate::linkage::dtw_distances(x, None),
    }
}

/// W_1..=W_{k_max} of one dendrogram over `condensed`.
fn linkage_costs(
    condensed: &[f64],
    n: usize,
    tree: &crate::linkage::Dendrogram,
    k_max: usize,
) -> Result<Vec<f64>, ClusterError> {
    (1..=k_max)
        .map(|k| Ok(within_dispersion(condensed, n, &tree.cut_k(k)?)))
        .collect()
}

/// Σ_clusters (1/n_r) Σ_{i<j in r} d²_ij: the within part of
/// [`crate::validity::dispersion_condensed`].
fn within_dispersion(condensed: &[f64], n: usize, labels: &[usize]) -> f64 {
    dispersion_condensed_unchecked(condensed, n, labels).within
}

impl LinkageSelect {
    /// Hierarchical selection on the rows of `x` (finite, at least two) with `method`
    /// linkage under `distance`; builds the observed dendrogram once.
    pub fn new(
        x: MatRef<'_>,
        method: crate::linkage::Linkage,
        distance: RowDistance,
    ) -> Result<Self, ClusterError> {
        let (n, d) = (x.rows(), x.cols());
        if n < 2 {
            return Err(ClusterError::TooFew {
                what: "rows",
                need: 2,
                found: n,
            });
        }
        check_features(d)?;
        check_finite("linkage input", x.as_slice())?;
        let condensed = row_distances(x, distance);
        let tree = crate::linkage::linkage(&condensed, n, method)?;
        let (lo, hi) = bounding_box(x);
        Ok(LinkageSelect {
            n,
            d,
            method,
            distance,
            condensed,
            tree,
            lo,
            hi,
        })
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

    fn fit(&self, k: usize, _seed: u64) -> Result<Clustering, ClusterError> {
        let labels = self.tree.cut_k(k)?;
        let cost = within_dispersion(&self.condensed, self.n, &labels);
        Ok(Clustering { labels, cost })
    }

    fn reference_costs(&self, k_max: usize, rng: &mut Rng) -> Result<Vec<f64>, ClusterError> {
        let n = self.n;
        let data = uniform_in_box(n, &self.lo, &self.hi, rng);
        let condensed = row_distances(MatRef::new(&data, n, self.d)?, self.distance);
        let tree = crate::linkage::linkage(&condensed, n, self.method)?;
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
