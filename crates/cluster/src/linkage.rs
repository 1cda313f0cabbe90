//! Hierarchical agglomerative clustering (METHODS §4.1–§4.2): average, complete, single and Ward
//! linkage on a condensed distance matrix, dendrogram cuts, and the distances to feed it
//! (Euclidean, Manhattan, correlation, dynamic time warping).
//!
//! The merge table follows `scipy.cluster.hierarchy.linkage`: leaves are `0..n` in input
//! order, merge `i` creates node `n + i`, `left < right`, heights are non-decreasing. The
//! algorithms are Müllner's (MST for single, nearest-neighbour chain for the others), via
//! the `kodama` crate, which runs in place on the condensed matrix: [`linkage_owned`] takes
//! the matrix by value so that no second N²/2 copy is ever made.

use peergroup_numeric::MatRef;
use rayon::prelude::*;

use crate::error::{check_finite, check_len, ClusterError};
use crate::labels::first_appearance;

/// Rule for the distance between two clusters when they are merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Linkage {
    /// UPGMA: mean of all pairwise distances between the two clusters.
    Average,
    /// Largest pairwise distance between the two clusters.
    Complete,
    /// Smallest pairwise distance between the two clusters.
    Single,
    /// Ward's minimum-variance rule (Lance–Williams update on squared distances).
    Ward,
}

/// One merge of a dendrogram: nodes `left < right` joined at `height` into `size` leaves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Merge {
    /// Smaller node id of the two merged clusters (leaf `< n`, or merge node `n + i`).
    pub left: usize,
    /// Larger node id of the two merged clusters.
    pub right: usize,
    /// Linkage distance at which the two clusters merge (units of the input distances).
    pub height: f64,
    /// Number of leaves in the new cluster.
    pub size: usize,
}

/// A hierarchical clustering of `n` leaves as `n − 1` merges (SciPy linkage convention).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Dendrogram {
    /// Number of leaves (observations).
    pub n: usize,
    /// Merges in order of non-decreasing height; merge `i` creates node `n + i`.
    pub merges: Vec<Merge>,
}

/// Number of entries of the condensed matrix of `n` observations: n(n − 1)/2.
pub fn condensed_len(n: usize) -> usize {
    n * n.saturating_sub(1) / 2
}

/// Position of pair `(i, j)`, `i ≠ j`, in a condensed matrix of `n` observations.
pub fn condensed_index(n: usize, i: usize, j: usize) -> usize {
    let (i, j) = if i < j { (i, j) } else { (j, i) };
    debug_assert!(i != j && j < n);
    // Rows 0..i hold (n−1) + (n−2) + … + (n−i) entries before row i starts.
    i * (2 * n - i - 1) / 2 + (j - i - 1)
}

/// Hierarchical clustering of `n` observations from their condensed distances (SciPy
/// `pdist` order), leaving `condensed` untouched; copies it once (8·n(n−1)/2 bytes).
///
/// Ward is applied to whatever distances are given, as SciPy does; it has its
/// minimum-variance meaning only for Euclidean distances. Errors if `condensed.len() !=
/// n(n−1)/2` or a distance is NaN or infinite.
pub fn linkage(condensed: &[f64], n: usize, method: Linkage) -> Result<Dendrogram, ClusterError> {
    linkage_owned(condensed.to_vec(), n, method)
}

/// [`linkage`] without the copy: clusters in place in `condensed`, whose memory
/// (8·n(n−1)/2 bytes) is the only O(n²) allocation, and frees it on return. Errors as
/// [`linkage`].
pub fn linkage_owned(
    mut condensed: Vec<f64>,
    n: usize,
    method: Linkage,
) -> Result<Dendrogram, ClusterError> {
    check_len(
        "condensed distances (n(n−1)/2)",
        condensed_len(n),
        condensed.len(),
    )?;
    // kodama requires finite values and would otherwise panic deep inside or, worse,
    // return a tree built on NaN comparisons.
    check_finite("linkage distances", &condensed)?;
    let kodama_method = match method {
        Linkage::Average => kodama::Method::Average,
        Linkage::Complete => kodama::Method::Complete,
        Linkage::Single => kodama::Method::Single,
        Linkage::Ward => kodama::Method::Ward,
    };
    let steps = kodama::linkage(&mut condensed, n, kodama_method);
    drop(condensed);
    let merges = steps
        .steps()
        .iter()
        .map(|s| Merge {
            left: s.cluster1.min(s.cluster2),
            right: s.cluster1.max(s.cluster2),
            height: s.dissimilarity,
            size: s.size,
        })
        .collect();
    Ok(Dendrogram { n, merges })
}

/// Union–find over leaves, enough to replay a prefix of the merges.
struct Forest {
    parent: Vec<usize>,
}

impl Forest {
    fn new(n: usize) -> Forest {
        Forest {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            // Path halving keeps the trees shallow without recursion.
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
}

impl Dendrogram {
    /// Flat clustering into exactly `min(k, n)` clusters (`k ≥ 1`): the first `n − k`
    /// merges are applied; labels `0..k` numbered by first appearance in input order.
    ///
    /// Equals SciPy `fcluster(Z, k, "maxclust")` up to label names whenever the heights
    /// of merges `n − k − 1` and `n − k` differ; on a tie SciPy may return fewer clusters.
    /// Errors if k = 0 (unless there are no leaves).
    pub fn cut_k(&self, k: usize) -> Result<Vec<usize>, ClusterError> {
        if k == 0 && self.n > 0 {
            return Err(ClusterError::parameter("k", 0, "at least 1"));
        }
        let applied = self.n.saturating_sub(k.max(1)).min(self.merges.len());
        Ok(self.labels_after(applied))
    }

    /// Flat clustering that applies every merge of height ≤ `h` (SciPy
    /// `fcluster(Z, h, "distance")`); labels numbered by first appearance in input order.
    pub fn cut_height(&self, h: f64) -> Vec<usize> {
        // Heights are non-decreasing, so the merges at or below h are a prefix.
        let applied = self.merges.iter().take_while(|m| m.height <= h).count();
        self.labels_after(applied)
    }

    /// Labels after replaying the first `applied` merges.
    fn labels_after(&self, applied: usize) -> Vec<usize> {
        let n = self.n;
        let mut forest = Forest::new(n);
        // A leaf standing for each node, so a merge of two nodes is a union of two leaves.
        let mut leaf_of: Vec<usize> = (0..n).collect();
        for m in &self.merges[..applied] {
            let (a, b) = (leaf_of[m.left], leaf_of[m.right]);
            let (ra, rb) = (forest.find(a), forest.find(b));
            forest.parent[rb] = ra;
            leaf_of.push(a);
        }
        let roots: Vec<usize> = (0..n).map(|i| forest.find(i)).collect();
        first_appearance(&roots)
    }

    /// Sorted leaf members of every merge node: entry `i` ↔ node `n + i` (the clades whose
    /// bootstrap support pvclust reports). Memory is the sum of the cluster sizes.
    pub fn clades(&self) -> Vec<Vec<usize>> {
        let n = self.n;
        let mut out: Vec<Vec<usize>> = Vec::with_capacity(self.merges.len());
        for m in &self.merges {
            // A leaf is not stored as a clade; it stands for itself.
            let leaves = [m.left, m.right];
            let left: &[usize] = if m.left < n {
                &leaves[..1]
            } else {
                &out[m.left - n]
            };
            let right: &[usize] = if m.right < n {
                &leaves[1..]
            } else {
                &out[m.right - n]
            };
            let members = merge_sorted(left, right);
            out.push(members);
        }
        out
    }

    /// Leaves in dendrogram drawing order, left subtree first (SciPy `leaves_list`).
    pub fn leaf_order(&self) -> Vec<usize> {
        let n = self.n;
        if n == 0 {
            return Vec::new();
        }
        if self.merges.is_empty() {
            return (0..n).collect();
        }
        let mut order = Vec::with_capacity(n);
        // Explicit stack: chained dendrograms are n deep and would overflow recursion.
        let mut stack = vec![n + self.merges.len() - 1];
        while let Some(node) = stack.pop() {
            if node < n {
                order.push(node);
            } else {
                let m = &self.merges[node - n];
                stack.push(m.right);
                stack.push(m.left);
            }
        }
        order
    }
}

/// Union of two sorted, disjoint index lists, sorted.
fn merge_sorted(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Distance between two feature vectors (rows of a matrix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// √Σ(xₖ − yₖ)², in feature units.
    Euclidean,
    /// Σ|xₖ − yₖ|, in feature units.
    Manhattan,
    /// 1 − Pearson correlation of the two rows, in [0, 2].
    Correlation,
}

/// Condensed distances (SciPy `pdist` order) between the rows of `x` under `metric`.
///
/// Correlation distance is 1 − r clamped to [0, 2]; a row with zero variance is taken as
/// uncorrelated with every other row (distance 1), where SciPy would give NaN, so that the
/// result can always be clustered.
pub fn feature_distances(x: MatRef<'_>, metric: Metric) -> Vec<f64> {
    let (n, d) = (x.rows(), x.cols());
    let x = x.as_slice();
    match metric {
        Metric::Euclidean => pairwise(n, |i, j| {
            let (a, b) = (&x[i * d..(i + 1) * d], &x[j * d..(j + 1) * d]);
            a.iter()
                .zip(b)
                .map(|(p, q)| (p - q) * (p - q))
                .sum::<f64>()
                .sqrt()
        }),
        Metric::Manhattan => pairwise(n, |i, j| {
            let (a, b) = (&x[i * d..(i + 1) * d], &x[j * d..(j + 1) * d]);
            a.iter().zip(b).map(|(p, q)| (p - q).abs()).sum::<f64>()
        }),
        Metric::Correlation => {
            // Centre and scale each row once, so each pair costs one dot product.
            let mut z = vec![0.0; n * d];
            let mut flat = vec![false; n];
            for i in 0..n {
                let row = &x[i * d..(i + 1) * d];
                let mean = row.iter().sum::<f64>() / d as f64;
                let norm = row
                    .iter()
                    .map(|v| (v - mean) * (v - mean))
                    .sum::<f64>()
                    .sqrt();
                // Exactly zero only: a NaN row must stay NaN for linkage to reject.
                flat[i] = norm == 0.0;
                if !flat[i] {
                    for (zk, v) in z[i * d..(i + 1) * d].iter_mut().zip(row) {
                        *zk = (v - mean) / norm;
                    }
                }
            }
            pairwise(n, |i, j| {
                if flat[i] || flat[j] {
                    return 1.0;
                }
                let (a, b) = (&z[i * d..(i + 1) * d], &z[j * d..(j + 1) * d]);
                let r: f64 = a.iter().zip(b).map(|(p, q)| p * q).sum();
                (1.0 - r).clamp(0.0, 2.0)
            })
        }
    }
}

/// Condensed matrix of `dist(i, j)` for all pairs `i < j`, rows filled in parallel.
fn pairwise(n: usize, dist: impl Fn(usize, usize) -> f64 + Sync) -> Vec<f64> {
    let mut out = vec![0.0; condensed_len(n)];
    let mut rows: Vec<(usize, &mut [f64])> = Vec::with_capacity(n);
    let mut rest: &mut [f64] = &mut out;
    for i in 0..n.saturating_sub(1) {
        let (row, tail) = rest.split_at_mut(n - 1 - i);
        rows.push((i, row));
        rest = tail;
    }
    rows.into_par_iter().for_each(|(i, row)| {
        for (off, v) in row.iter_mut().enumerate() {
            *v = dist(i, i + 1 + off);
        }
    });
    out
}

/// Dynamic time warping distance between series `a` and `b`: the least sum of |aᵢ − bⱼ|
/// over monotone alignments, optionally within a Sakoe–Chiba band of half-width `window`
/// (widened to |len a − len b| so that an alignment exists). Units of the series.
///
/// Two empty series are at distance 0; an empty and a non-empty one at +∞.
pub fn dtw(a: &[f64], b: &[f64], window: Option<usize>) -> f64 {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return if n == m { 0.0 } else { f64::INFINITY };
    }
    let w = window.map_or(n.max(m), |w| w.max(n.abs_diff(m)));
    // Two rows of the (n+1) × (m+1) cumulative-cost table; row 0 and column 0 are the
    // boundary (0 at the origin, +∞ elsewhere).
    let mut prev = vec![f64::INFINITY; m + 1];
    let mut curr = vec![f64::INFINITY; m + 1];
    prev[0] = 0.0;
    for i in 1..=n {
        curr.fill(f64::INFINITY);
        let lo = i.saturating_sub(w).max(1);
        let hi = (i + w).min(m);
        for j in lo..=hi {
            let best = prev[j - 1].min(prev[j]).min(curr[j - 1]);
            curr[j] = (a[i - 1] - b[j - 1]).abs() + best;
        }
        std::mem::swap(&mut prev, &mut curr);
    }
    prev[m]
}

/// Condensed DTW distances between the rows of `series` (one series per row), see
/// [`dtw`].
pub fn dtw_distances(series: MatRef<'_>, window: Option<usize>) -> Vec<f64> {
    pairwise(series.rows(), |i, j| {
        dtw(series.row(i), series.row(j), window)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condensed_index_matches_row_order() {
        let n = 6;
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                assert_eq!(condensed_index(n, i, j), k);
                assert_eq!(condensed_index(n, j, i), k);
                k += 1;
            }
        }
        assert_eq!(k, condensed_len(n));
    }

    #[test]
    fn tiny_inputs() {
        for n in 0..2 {
            let z = linkage(&[], n, Linkage::Average).unwrap();
            assert!(z.merges.is_empty());
            assert_eq!(z.cut_k(1).unwrap(), vec![0; n]);
            assert_eq!(z.leaf_order(), (0..n).collect::<Vec<_>>());
        }
        let z = linkage(&[2.5], 2, Linkage::Ward).unwrap();
        assert_eq!(
            z.merges,
            vec![Merge {
                left: 0,
                right: 1,
                height: 2.5,
                size: 2
            }]
        );
        assert_eq!(z.cut_k(2).unwrap(), vec![0, 1]);
        assert_eq!(z.cut_height(2.5), vec![0, 0]);
        assert_eq!(z.clades(), vec![vec![0, 1]]);
    }
}
