//! k-means (SPEC §4): greedy k-means++ seeding, Lloyd iterations, best of several
//! restarts run in parallel; every restart draws from its own random stream, so the result
//! depends on the seed only, not on the thread schedule.

use peergroup_random::Rng;
use rayon::prelude::*;

/// Lloyd iterations allowed per restart in [`kmeans`] (scikit-learn's default).
pub const MAX_ITER: usize = 300;

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
}

/// Best of `restarts` k-means fits (lowest inertia; the earlier restart on a tie) of the
/// `n` rows of `x` (n × d, row-major, finite) into `k` clusters, each seeded by greedy
/// k-means++ from `Rng::stream(seed, restart)` and run for up to [`MAX_ITER`] Lloyd
/// iterations. Labels are renumbered by first appearance in input order.
///
/// # Panics
/// If `k == 0`, `k > n` or `x.len() != n·d`.
pub fn kmeans(x: &[f64], n: usize, d: usize, k: usize, restarts: usize, seed: u64) -> KMeansFit {
    assert_eq!(x.len(), n * d, "kmeans: x must be n × d");
    assert!(
        k >= 1 && k <= n,
        "kmeans: need 1 ≤ k ≤ n (k = {k}, n = {n})"
    );
    let fits: Vec<KMeansFit> = (0..restarts.max(1) as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = Rng::stream(seed, r);
            let centers = kmeans_plus_plus(x, n, d, k, &mut rng);
            lloyd(x, n, d, centers, MAX_ITER)
        })
        .collect();
    let mut best = fits
        .into_iter()
        .reduce(|a, b| if b.inertia < a.inertia { b } else { a })
        .expect("at least one restart");
    renumber(&mut best, d);
    best
}

/// Renumbers clusters by first appearance in input order, permuting the centres to match,
/// so equal partitions from different seeds print alike.
fn renumber(fit: &mut KMeansFit, d: usize) {
    let k = fit.centers.len() / d.max(1);
    let mut new_of = vec![usize::MAX; k];
    let mut next = 0;
    for &l in &fit.labels {
        if new_of[l] == usize::MAX {
            new_of[l] = next;
            next += 1;
        }
    }
    // Clusters without points (only possible with duplicate points) go last.
    for slot in new_of.iter_mut().filter(|s| **s == usize::MAX) {
        *slot = next;
        next += 1;
    }
    let mut centers = vec![0.0; fit.centers.len()];
    for (old, &new) in new_of.iter().enumerate() {
        centers[new * d..(new + 1) * d].copy_from_slice(&fit.centers[old * d..(old + 1) * d]);
    }
    fit.centers = centers;
    for l in &mut fit.labels {
        *l = new_of[*l];
    }
}

/// Squared Euclidean distance between two points.
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}

/// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with scikit-learn's
/// 2 + ⌊ln k⌋ candidate draws per centre, keeping the one that lowers the potential most):
/// k initial centres, k × d row-major, chosen among the rows of `x`.
pub fn kmeans_plus_plus(x: &[f64], n: usize, d: usize, k: usize, rng: &mut Rng) -> Vec<f64> {
    assert!(k >= 1 && k <= n, "kmeans_plus_plus: need 1 ≤ k ≤ n");
    let row = |i: usize| &x[i * d..(i + 1) * d];
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
        let (c, p) = best.expect("at least two trials");
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
/// the nearest-centre assignment to the returned centres.
pub fn lloyd(x: &[f64], n: usize, d: usize, mut centers: Vec<f64>, max_iter: usize) -> KMeansFit {
    assert_eq!(x.len(), n * d, "lloyd: x must be n × d");
    assert!(
        d > 0 && !centers.is_empty() && centers.len() % d == 0,
        "lloyd: centres must be k × d with k ≥ 1"
    );
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
        let fit = lloyd(&x, 6, 1, vec![2.0, 100.0], 1);
        assert_eq!(fit.labels, vec![0, 0, 0, 0, 0, 1]);
        assert_eq!(fit.centers, vec![2.0, 10.0]);
        assert_eq!(fit.inertia, 10.0);
    }

    #[test]
    fn duplicates_fewer_distinct_points_than_k() {
        let x = [1.0, 1.0, 1.0, 1.0];
        let fit = kmeans(&x, 4, 1, 3, 2, 5);
        assert_eq!(fit.inertia, 0.0);
        assert_eq!(fit.centers, vec![1.0; 3]);
    }
}
