//! k-means (METHODS §4.3): greedy k-means++ seeding, Lloyd iterations, best of several
//! restarts run in parallel; every restart draws from its own random stream, so the result
//! depends on the seed only, not on the thread schedule.

use peergroup_numeric::MatRef;
use peergroup_random::Rng;
use rayon::prelude::*;

use crate::error::{check_features, check_finite, check_k, check_len, ClusterError};
use crate::fit::{Fit, Partition, Predict};
use crate::labels::{permute_rows, renumber_by_first_appearance};

/// Lloyd iterations allowed per restart in [`KMeans`] (scikit-learn's default).
pub const MAX_ITER: usize = 300;

/// Restarts of a [`KMeans`] unless set (scikit-learn's `n_init`).
pub const RESTARTS: usize = 10;

/// Result of a k-means fit of `n` points in `d` dimensions.
#[derive(Clone, Debug, PartialEq)]
pub struct KMeansFit {
    /// Cluster of each point, `0..k`.
    pub labels: Vec<usize>,
    /// Cluster centres, k × d row-major, in feature units.
    pub centers: Vec<f64>,
    /// Sum of squared Euclidean distances of the points to their centres (units²).
    pub inertia: f64,
    /// Centre updates performed.
    pub iterations: usize,
    /// `true` if the assignment stopped changing before the iteration limit.
    pub converged: bool,
    /// Features d of the fitted data (columns of `centers`).
    pub d: usize,
}

/// k-means parameters: `k` clusters, best of `restarts` seeded fits of up to `max_iter`
/// Lloyd iterations each. Built as `KMeans::new(k).restarts(10).seed(1)`; checked against
/// the data by [`KMeans::validate`] when fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KMeans {
    /// Number of clusters, 1..=n.
    pub k: usize,
    /// Independent seeded fits, ≥ 1 ([`RESTARTS`]).
    pub restarts: usize,
    /// Lloyd iterations allowed per fit ([`MAX_ITER`]).
    pub max_iter: usize,
    /// Seed; restart r draws from `Rng::stream(seed, r)` (0).
    pub seed: u64,
}

impl KMeans {
    /// `k` clusters, [`RESTARTS`] restarts, [`MAX_ITER`] iterations, seed 0.
    pub fn new(k: usize) -> Self {
        KMeans {
            k,
            restarts: RESTARTS,
            max_iter: MAX_ITER,
            seed: 0,
        }
    }

    /// Sets the number of restarts.
    pub fn restarts(self, restarts: usize) -> Self {
        KMeans { restarts, ..self }
    }

    /// Sets the iterations allowed per restart.
    pub fn max_iter(self, max_iter: usize) -> Self {
        KMeans { max_iter, ..self }
    }

    /// Sets the seed.
    pub fn seed(self, seed: u64) -> Self {
        KMeans { seed, ..self }
    }

    /// Checks the parameters for `n` points: 1 ≤ k ≤ n and restarts ≥ 1.
    pub fn validate(&self, n: usize) -> Result<(), ClusterError> {
        check_k(self.k, n)?;
        if self.restarts == 0 {
            return Err(ClusterError::parameter("restarts", 0, "at least 1"));
        }
        Ok(())
    }
}

impl Fit<MatRef<'_>> for KMeans {
    type Model = KMeansFit;

    /// Best of the restarts (lowest inertia; the earlier restart on a tie) on the rows of
    /// `x` (finite), each seeded by greedy k-means++ from `Rng::stream(seed, restart)` and
    /// run for up to `max_iter` Lloyd iterations. Labels are renumbered by first
    /// appearance in input order.
    fn fit(&self, x: MatRef<'_>) -> Result<KMeansFit, ClusterError> {
        self.validate(x.rows())?;
        check_features(x.cols())?;
        check_finite("k-means input", x.as_slice())?;
        let fits: Vec<KMeansFit> = (0..self.restarts as u64)
            .into_par_iter()
            .map(|r| {
                let mut rng = Rng::stream(self.seed, r);
                let centers = seed_centers(x, self.k, &mut rng);
                run_lloyd(x, centers, self.max_iter)
            })
            .collect();
        let mut best = fits
            .into_iter()
            .reduce(|a, b| if b.inertia < a.inertia { b } else { a })
            .ok_or_else(|| ClusterError::parameter("restarts", 0, "at least 1"))?;
        let new_of = renumber_by_first_appearance(&mut best.labels, self.k);
        best.centers = permute_rows(&best.centers, x.cols(), &new_of);
        Ok(best)
    }
}

impl Partition for KMeansFit {
    fn labels(&self) -> &[usize] {
        &self.labels
    }

    fn cost(&self) -> f64 {
        self.inertia
    }
}

impl Predict<MatRef<'_>> for KMeansFit {
    /// Nearest centre (lowest index on ties) of every row of `x`, which must have the
    /// fitted data's columns.
    fn predict(&self, x: MatRef<'_>) -> Result<Vec<usize>, ClusterError> {
        let d = x.cols();
        check_len("columns of the data to predict", self.d, d)?;
        check_finite("data to predict", x.as_slice())?;
        let mut labels = vec![usize::MAX; x.rows()];
        let mut dist = vec![0.0; x.rows()];
        assign(x.as_slice(), d, &self.centers, &mut labels, &mut dist);
        Ok(labels)
    }
}

/// Squared Euclidean distance between two points.
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}

/// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with scikit-learn's
/// 2 + ⌊ln k⌋ candidate draws per centre, keeping the one that lowers the potential most):
/// k initial centres, k × d row-major, chosen among the rows of `x` (finite).
pub fn kmeans_plus_plus(x: MatRef<'_>, k: usize, rng: &mut Rng) -> Result<Vec<f64>, ClusterError> {
    check_k(k, x.rows())?;
    check_finite("k-means input", x.as_slice())?;
    Ok(seed_centers(x, k, rng))
}

/// [`kmeans_plus_plus`] on checked input (1 ≤ k ≤ n).
fn seed_centers(x: MatRef<'_>, k: usize, rng: &mut Rng) -> Vec<f64> {
    let (n, d) = (x.rows(), x.cols());
    let row = |i: usize| x.row(i);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Vec::with_capacity(k * d);
    let first = rng.below(n as u64) as usize;
    centers.extend_from_slice(row(first));
    let mut closest: Vec<f64> = (0..n).map(|i| dist2(row(i), row(first))).collect();
    let mut potential: f64 = closest.iter().sum();
    let mut candidate_closest = vec![0.0; n];
    let mut best_closest = vec![0.0; n];
    for _ in 1..k {
        let mut best: Option<(usize, f64)> = None;
        for _ in 0..trials {
            // With every point on a centre already (duplicates) D² sampling is undefined.
            let c = if potential > 0.0 {
                rng.weighted_index(&closest)
            } else {
                rng.below(n as u64) as usize
            };
            for (i, slot) in candidate_closest.iter_mut().enumerate() {
                *slot = closest[i].min(dist2(row(i), row(c)));
            }
            let p: f64 = candidate_closest.iter().sum();
            if best.is_none_or(|(_, bp)| p < bp) {
                best = Some((c, p));
                std::mem::swap(&mut best_closest, &mut candidate_closest);
            }
        }
        // `trials` ≥ 2 draws always leave a best candidate.
        let Some((c, p)) = best else { break };
        centers.extend_from_slice(row(c));
        std::mem::swap(&mut closest, &mut best_closest);
        potential = p;
    }
    centers
}

/// Lloyd's algorithm from the given centres (k × d): alternate nearest-centre assignment
/// and centre = mean of its points, at most `max_iter` updates, until no label changes.
///
/// A cluster left empty by an assignment is re-seeded with the point farthest from its
/// own (updated) centre, taken from a cluster that keeps at least one point, which keeps
/// inertia non-increasing from one iteration to the next. The returned labels are always
/// the nearest-centre assignment to the returned centres. Labels are not renumbered, so
/// cluster c keeps centre c.
pub fn lloyd(x: MatRef<'_>, centers: Vec<f64>, max_iter: usize) -> Result<KMeansFit, ClusterError> {
    let d = x.cols();
    check_features(d)?;
    let k = centers.len() / d;
    check_len("centres (k × d)", k * d, centers.len())?;
    check_k(k, x.rows())?;
    check_finite("k-means input", x.as_slice())?;
    check_finite("k-means centres", &centers)?;
    Ok(run_lloyd(x, centers, max_iter))
}

/// [`lloyd`] on checked input.
fn run_lloyd(x: MatRef<'_>, mut centers: Vec<f64>, max_iter: usize) -> KMeansFit {
    let (n, d) = (x.rows(), x.cols());
    let x = x.as_slice();
    let k = centers.len() / d;
    let mut labels = vec![usize::MAX; n];
    let mut dist = vec![0.0; n];
    let mut iterations = 0;
    let converged = loop {
        let changed = assign(x, d, &centers, &mut labels, &mut dist);
        if !changed {
            break true;
        }
        if iterations == max_iter {
            break false;
        }
        update(x, n, d, k, &mut centers, &mut labels);
        iterations += 1;
    };
    KMeansFit {
        labels,
        centers,
        inertia: dist.iter().sum(),
        iterations,
        converged,
        d,
    }
}

/// Nearest centre (lowest index on ties) of every point and its squared distance; returns
/// whether any label changed.
fn assign(x: &[f64], d: usize, centers: &[f64], labels: &mut [usize], dist: &mut [f64]) -> bool {
    labels
        .par_iter_mut()
        .zip(dist.par_iter_mut())
        .enumerate()
        .with_min_len(256)
        .map(|(i, (label, dist))| {
            let p = &x[i * d..(i + 1) * d];
            let (mut best, mut best_d) = (0, f64::INFINITY);
            for (c, centre) in centers.chunks_exact(d).enumerate() {
                let dc = dist2(p, centre);
                if dc < best_d {
                    best = c;
                    best_d = dc;
                }
            }
            *dist = best_d;
            let changed = *label != best;
            *label = best;
            changed
        })
        .reduce(|| false, |a, b| a || b)
}

/// Centres = means of their points; empty clusters re-seeded (see [`lloyd`]).
fn update(x: &[f64], n: usize, d: usize, k: usize, centers: &mut [f64], labels: &mut [usize]) {
    let means = |centers: &mut [f64], labels: &[usize], only: Option<usize>| -> Vec<usize> {
        let mut counts = vec![0usize; k];
        let mut sums = vec![0.0; k * d];
        for (i, &l) in labels.iter().enumerate() {
            counts[l] += 1;
            if only.is_none_or(|c| c == l) {
                for (s, v) in sums[l * d..(l + 1) * d].iter_mut().zip(&x[i * d..]) {
                    *s += v;
                }
            }
        }
        for c in 0..k {
            if counts[c] > 0 && only.is_none_or(|o| o == c) {
                for (m, s) in centers[c * d..(c + 1) * d]
                    .iter_mut()
                    .zip(&sums[c * d..(c + 1) * d])
                {
                    *m = s / counts[c] as f64;
                }
            }
        }
        counts
    };
    let mut counts = means(centers, labels, None);
    for empty in 0..k {
        if counts[empty] > 0 {
            continue;
        }
        // Farthest point from its centre among clusters that can spare one; exists since
        // k ≤ n means some cluster holds two points while another is empty.
        let mut far = usize::MAX;
        let mut far_d = -1.0;
        for i in 0..n {
            let l = labels[i];
            if counts[l] >= 2 {
                let di = dist2(&x[i * d..(i + 1) * d], &centers[l * d..(l + 1) * d]);
                if di > far_d {
                    far = i;
                    far_d = di;
                }
            }
        }
        let donor = labels[far];
        labels[far] = empty;
        centers[empty * d..(empty + 1) * d].copy_from_slice(&x[far * d..(far + 1) * d]);
        // The donor's mean without the moved point, recomputed rather than downdated.
        counts = means(centers, labels, Some(donor));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_cluster_is_reseeded_with_farthest_point() {
        // Centre 1 sits far from every point, so it starts empty; the farthest point from
        // centre 0 (the mean 2.5 of 0..=5 after the first update) moves to it.
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 10.0];
        let fit = lloyd(MatRef::new(&x, 6, 1).unwrap(), vec![2.0, 100.0], 1).unwrap();
        assert_eq!(fit.labels, vec![0, 0, 0, 0, 0, 1]);
        assert_eq!(fit.centers, vec![2.0, 10.0]);
        assert_eq!(fit.inertia, 10.0);
    }

    #[test]
    fn duplicates_fewer_distinct_points_than_k() {
        let x = [1.0, 1.0, 1.0, 1.0];
        let fit = KMeans::new(3)
            .restarts(2)
            .seed(5)
            .fit(MatRef::new(&x, 4, 1).unwrap())
            .unwrap();
        assert_eq!(fit.inertia, 0.0);
        assert_eq!(fit.centers, vec![1.0; 3]);
    }
}
