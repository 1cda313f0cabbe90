//! Stability of a partition under resampling of the items (Hennig 2007, "Cluster-wise
//! assessment of cluster stability"; the bootstrap variant of Lange et al. 2004).
//!
//! Replicate b draws n items with replacement, re-runs the whole clustering on the drawn
//! rows (duplicates included, as `clusterboot` does) and compares the labels it gives the
//! distinct drawn items with the labels of the full-data clustering by the adjusted Rand
//! index. The mean ARI over replicates says whether the segments are real: near 1, every
//! resample finds the same partition; near 0, the partition is an artefact of the sample.
//!
//! ```
//! use peergroup_cluster::kmeans::KMeans;
//! use peergroup_cluster::fit::{Fit, Partition};
//! use peergroup_cluster::stability::resample_stability;
//! use peergroup_numeric::MatRef;
//!
//! // Two well-separated groups: every resample finds them again.
//! let x: Vec<f64> = (0..40).map(|i| if i < 20 { i as f64 * 0.01 } else { 5.0 + i as f64 * 0.01 }).collect();
//! let full = KMeans::new(2).seed(1).fit(MatRef::new(&x, 40, 1).unwrap()).unwrap();
//! let s = resample_stability(full.labels(), 20, 7, |rows, seed| {
//!     let drawn: Vec<f64> = rows.iter().map(|&r| x[r]).collect();
//!     let m = MatRef::new(&drawn, rows.len(), 1)?;
//!     Ok(KMeans::new(2).seed(seed).fit(m)?.labels().to_vec())
//! })
//! .unwrap();
//! assert!(s.mean_ari > 0.99);
//! ```

use peergroup_random::Rng;
use rayon::prelude::*;

use crate::error::ClusterError;
use crate::validity::adjusted_rand_index;

/// Mean and spread of the resampling ARI of one partition.
#[derive(Clone, Debug, PartialEq)]
pub struct Stability {
    /// Mean adjusted Rand index over replicates (1 = always the same partition).
    pub mean_ari: f64,
    /// Standard deviation of the replicates' ARI (n − 1 denominator; 0 for one replicate).
    pub sd_ari: f64,
    /// 5th percentile of the replicates' ARI (the lower end of what a resample gives).
    pub p05_ari: f64,
    /// ARI of each replicate, in replicate order.
    pub aris: Vec<f64>,
}

/// Resampling stability of `labels` (the full-data partition of n items): `replicates`
/// bootstrap draws of the n items, each clustered by `fit(rows, seed)` — `rows` the drawn
/// item indices (with repeats; the closure clusters those rows and returns one label per
/// entry of `rows`), `seed` the replicate's own seed — and compared with `labels` on the
/// distinct drawn items. Replicate b uses `Rng::stream(seed, b)`, so the result does not
/// depend on the number of threads. A replicate whose drawn items all share one full-data
/// label scores ARI 1 when the refit agrees and 0 otherwise, as scikit-learn's ARI does.
/// Errors if there are fewer than 3 items, `replicates` is 0, or a fit fails or returns
/// the wrong number of labels.
pub fn resample_stability<F>(
    labels: &[usize],
    replicates: usize,
    seed: u64,
    fit: F,
) -> Result<Stability, ClusterError>
where
    F: Fn(&[usize], u64) -> Result<Vec<usize>, ClusterError> + Sync,
{
    let n = labels.len();
    if n < 3 {
        return Err(ClusterError::TooFew {
            what: "items to resample",
            need: 3,
            found: n,
        });
    }
    if replicates == 0 {
        return Err(ClusterError::parameter(
            "replicates",
            replicates,
            "at least 1",
        ));
    }
    let aris = (0..replicates)
        .into_par_iter()
        .map(|b| {
            let mut rng = Rng::stream(seed, b as u64);
            let rows: Vec<usize> = (0..n).map(|_| rng.below(n as u64) as usize).collect();
            let refit = fit(&rows, rng.next_u64())?;
            if refit.len() != rows.len() {
                return Err(ClusterError::Length {
                    what: "labels of a resample (one per drawn row)",
                    expected: rows.len(),
                    found: refit.len(),
                });
            }
            // First occurrence of each distinct item: its label in the refit.
            let mut seen = vec![false; n];
            let (mut full, mut again) = (Vec::new(), Vec::new());
            for (&r, &l) in rows.iter().zip(&refit) {
                if !seen[r] {
                    seen[r] = true;
                    full.push(labels[r]);
                    again.push(l);
                }
            }
            adjusted_rand_index(&compact(&full), &compact(&again))
        })
        .collect::<Result<Vec<f64>, ClusterError>>()?;
    let m = aris.len() as f64;
    let mean_ari = aris.iter().sum::<f64>() / m;
    let sd_ari = if aris.len() > 1 {
        (aris.iter().map(|a| (a - mean_ari).powi(2)).sum::<f64>() / (m - 1.0)).sqrt()
    } else {
        0.0
    };
    let mut sorted = aris.clone();
    sorted.sort_by(f64::total_cmp);
    // Type-7 quantile (R's and NumPy's default).
    let h = 0.05 * (m - 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let p05_ari = sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]);
    Ok(Stability {
        mean_ari,
        sd_ari,
        p05_ari,
        aris,
    })
}

/// Labels renumbered 0.. by first appearance, so the contingency table has no empty rows.
fn compact(labels: &[usize]) -> Vec<usize> {
    let mut map = std::collections::HashMap::new();
    labels
        .iter()
        .map(|&l| {
            let next = map.len();
            *map.entry(l).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{Fit, Partition};
    use crate::kmeans::KMeans;
    use peergroup_numeric::MatRef;

    fn kmeans_stability(x: &[f64], k: usize, seeds: u64) -> Stability {
        let n = x.len();
        let full = KMeans::new(k)
            .seed(1)
            .fit(MatRef::new(x, n, 1).unwrap())
            .unwrap();
        resample_stability(full.labels(), 40, seeds, |rows, seed| {
            let drawn: Vec<f64> = rows.iter().map(|&r| x[r]).collect();
            let m = MatRef::new(&drawn, rows.len(), 1)?;
            Ok(KMeans::new(k).seed(seed).fit(m)?.labels().to_vec())
        })
        .unwrap()
    }

    #[test]
    fn separated_groups_are_stable_and_noise_split_in_many_is_not() {
        // Three groups far apart: every resample recovers them.
        let mut rng = Rng::new(11);
        let groups: Vec<f64> = (0..150)
            .map(|i| (i % 3) as f64 * 10.0 + rng.normal() * 0.3)
            .collect();
        let s = kmeans_stability(&groups, 3, 5);
        assert!(s.mean_ari > 0.98, "{s:?}");
        assert!(s.p05_ari > 0.95, "{s:?}");
        // Uniform noise cut into 6: the cut points wander from resample to resample.
        let noise: Vec<f64> = (0..150).map(|_| rng.uniform()).collect();
        let t = kmeans_stability(&noise, 6, 5);
        assert!(t.mean_ari < s.mean_ari - 0.1, "{t:?}");
        assert!(t.sd_ari > 0.0);
    }

    #[test]
    fn deterministic_in_the_seed_and_independent_of_threads() {
        let x: Vec<f64> = (0..60).map(|i| ((i * 37) % 60) as f64).collect();
        let a = kmeans_stability(&x, 4, 9);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| kmeans_stability(&x, 4, 9));
        assert_eq!(a, b);
        assert_eq!(a.aris.len(), 40);
    }

    #[test]
    fn hand_worked_replicate_and_bad_arguments() {
        // A fit that labels by parity of the item: the full partition is parity too, so
        // every replicate agrees exactly (ARI 1); a fit that puts everything in one
        // cluster against a two-cluster truth scores 0.
        let labels: Vec<usize> = (0..10).map(|i| i % 2).collect();
        let same = resample_stability(&labels, 5, 1, |rows, _| {
            Ok(rows.iter().map(|r| r % 2).collect())
        })
        .unwrap();
        assert_eq!(same.aris, vec![1.0; 5]);
        let lumped = resample_stability(&labels, 5, 1, |rows, _| Ok(vec![0; rows.len()])).unwrap();
        assert!(lumped.aris.iter().all(|&a| a.abs() < 1e-12), "{lumped:?}");
        assert!(resample_stability(&labels[..2], 5, 1, |r, _| Ok(vec![0; r.len()])).is_err());
        assert!(resample_stability(&labels, 0, 1, |r, _| Ok(vec![0; r.len()])).is_err());
        assert!(resample_stability(&labels, 3, 1, |_, _| Ok(vec![0; 3])).is_err());
    }
}
