//! Cluster validity (METHODS §4.8–§4.11): agreement between labellings (contingency table, adjusted
//! Rand index, normalised mutual information), silhouette, within/between dispersion, and
//! Hungarian alignment of labels between dates. The gap statistic, which needs a
//! clusterer, is with the choice of k in [`crate::select`].
//!
//! Labels are small non-negative integers; tables are sized by the largest label, so a
//! labelling should use `0..k` (gaps are allowed and simply give empty rows).
//! The agreement indices follow scikit-learn's formulas term by term.

use peergroup_numeric::MatRef;

use crate::error::{check_len, ClusterError};
use crate::linkage::condensed_len;

/// Cross-tabulation of two labellings of the same items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contingency {
    /// Rows: labels `0..rows` of the first labelling (largest label + 1).
    pub rows: usize,
    /// Columns: labels `0..cols` of the second labelling (largest label + 1).
    pub cols: usize,
    /// Item counts, rows × cols row-major: `counts[i·cols + j]` = #{a = i and b = j}.
    pub counts: Vec<usize>,
}

impl Contingency {
    /// Items with first label `i` and second label `j`.
    pub fn get(&self, i: usize, j: usize) -> usize {
        self.counts[i * self.cols + j]
    }

    /// Items per first label (row totals).
    pub fn row_sums(&self) -> Vec<usize> {
        (0..self.rows)
            .map(|i| self.counts[i * self.cols..(i + 1) * self.cols].iter().sum())
            .collect()
    }

    /// Items per second label (column totals).
    pub fn col_sums(&self) -> Vec<usize> {
        let mut out = vec![0; self.cols];
        for row in self.counts.chunks_exact(self.cols.max(1)) {
            for (o, c) in out.iter_mut().zip(row) {
                *o += c;
            }
        }
        out
    }
}

/// Number of distinct values among `labels`.
fn distinct_labels(labels: &[usize]) -> usize {
    let size = labels.iter().max().map_or(0, |m| m + 1);
    let mut seen = vec![false; size];
    labels.iter().for_each(|&l| seen[l] = true);
    seen.iter().filter(|s| **s).count()
}

/// Contingency table of labellings `a` (rows) and `b` (columns) of the same items; errors
/// if they differ in length.
pub fn contingency(a: &[usize], b: &[usize]) -> Result<Contingency, ClusterError> {
    check_len("second labelling (one label per item)", a.len(), b.len())?;
    let rows = a.iter().max().map_or(0, |m| m + 1);
    let cols = b.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![0; rows * cols];
    for (&i, &j) in a.iter().zip(b) {
        counts[i * cols + j] += 1;
    }
    Ok(Contingency { rows, cols, counts })
}

/// Adjusted Rand index of two labellings (Hubert & Arabie 1985): 1 for identical
/// partitions, about 0 for independent ones, as scikit-learn's `adjusted_rand_score`.
/// Errors if the labellings differ in length.
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> Result<f64, ClusterError> {
    let t = contingency(a, b)?;
    let n = a.len() as i128;
    let sq = |v: usize| (v as i128) * (v as i128);
    let sum_squares: i128 = t.counts.iter().map(|&c| sq(c)).sum();
    let rows: i128 = t.row_sums().into_iter().map(sq).sum();
    let cols: i128 = t.col_sums().into_iter().map(sq).sum();
    // Pair-confusion counts over ordered pairs, exact in integers as scikit-learn has them.
    let tp = sum_squares - n;
    let fp = cols - sum_squares;
    let fn_ = rows - sum_squares;
    let tn = n * n - fp - fn_ - sum_squares;
    if fn_ == 0 && fp == 0 {
        return Ok(1.0);
    }
    let num = tp * tn - fn_ * fp;
    let den = (tp + fn_) * (fn_ + tn) + (tp + fp) * (fp + tn);
    Ok(2.0 * (num as f64) / (den as f64))
}

/// Entropy (nats) of a labelling, as scikit-learn's `entropy`.
fn entropy(counts: &[usize]) -> f64 {
    let nonzero: Vec<f64> = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| c as f64)
        .collect();
    if nonzero.len() <= 1 {
        return 0.0;
    }
    let total: f64 = nonzero.iter().sum();
    let log_total = total.ln();
    -nonzero
        .iter()
        .map(|p| (p / total) * (p.ln() - log_total))
        .sum::<f64>()
}

/// Mutual information (nats) of a contingency table, as scikit-learn's
/// `mutual_info_score`.
fn mutual_info(t: &Contingency) -> f64 {
    let (pi, pj) = (t.row_sums(), t.col_sums());
    if nonzero(&pi) == 1 || nonzero(&pj) == 1 {
        return 0.0;
    }
    let total: f64 = pi.iter().sum::<usize>() as f64;
    let log_total = total.ln();
    let mut mi = 0.0;
    for (i, &a) in pi.iter().enumerate() {
        for (j, &b) in pj.iter().enumerate() {
            let nij = t.get(i, j);
            if nij == 0 {
                continue;
            }
            let p = nij as f64 / total;
            // Same grouping of terms as scikit-learn, so results agree to the last bits.
            let log_outer = -((a as f64) * (b as f64)).ln() + log_total + log_total;
            let term = p * ((nij as f64).ln() - log_total) + p * log_outer;
            // scikit-learn drops terms below machine epsilon before summing.
            if term.abs() >= f64::EPSILON {
                mi += term;
            }
        }
    }
    mi.max(0.0)
}

/// Number of non-empty entries among label counts.
fn nonzero(counts: &[usize]) -> usize {
    counts.iter().filter(|&&c| c > 0).count()
}

/// Normalised mutual information, MI / mean(H(a), H(b)) (arithmetic mean, scikit-learn's
/// default); 1 when both labellings are a single cluster, 0 when MI is 0 otherwise.
/// Errors if the labellings differ in length.
pub fn normalized_mutual_info(a: &[usize], b: &[usize]) -> Result<f64, ClusterError> {
    let t = contingency(a, b)?;
    let (ka, kb) = (distinct_labels(a), distinct_labels(b));
    if ka == kb && ka <= 1 {
        return Ok(1.0);
    }
    let mi = mutual_info(&t);
    if mi == 0.0 {
        return Ok(0.0);
    }
    let (ha, hb) = (entropy(&t.row_sums()), entropy(&t.col_sums()));
    Ok(mi / ((ha + hb) / 2.0))
}

/// Silhouette width of every point from condensed distances: (b − a)/max(a, b) with a the
/// mean distance to its own cluster and b to the nearest other cluster; 0 for singletons
/// and where a = b = 0 (scikit-learn's `silhouette_samples`).
/// Errors if `condensed` is not n(n−1)/2 long or `labels` not n.
pub fn silhouette_samples(
    condensed: &[f64],
    n: usize,
    labels: &[usize],
) -> Result<Vec<f64>, ClusterError> {
    check_condensed(condensed, n, labels)?;
    Ok(silhouette_samples_unchecked(condensed, n, labels))
}

/// `Ok` if `condensed` holds the pairs of n items and `labels` one label per item.
fn check_condensed(condensed: &[f64], n: usize, labels: &[usize]) -> Result<(), ClusterError> {
    check_len(
        "condensed distances (n(n−1)/2)",
        condensed_len(n),
        condensed.len(),
    )?;
    check_len("labels (one per item)", n, labels.len())
}

/// [`silhouette_samples`] on checked input.
fn silhouette_samples_unchecked(condensed: &[f64], n: usize, labels: &[usize]) -> Vec<f64> {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; k];
    labels.iter().for_each(|&l| size[l] += 1);
    // Sum of distances from each point to each cluster, filled from each pair once.
    let mut sums = vec![0.0; n * k];
    let mut idx = 0;
    for i in 0..n {
        for j in i + 1..n {
            let d = condensed[idx];
            idx += 1;
            sums[i * k + labels[j]] += d;
            sums[j * k + labels[i]] += d;
        }
    }
    (0..n)
        .map(|i| {
            let own = labels[i];
            if size[own] <= 1 {
                return 0.0;
            }
            let a = sums[i * k + own] / (size[own] - 1) as f64;
            let b = (0..k)
                .filter(|&c| c != own && size[c] > 0)
                .map(|c| sums[i * k + c] / size[c] as f64)
                .fold(f64::INFINITY, f64::min);
            let s = (b - a) / a.max(b);
            if s.is_finite() {
                s
            } else {
                0.0
            }
        })
        .collect()
}

/// Mean silhouette width (scikit-learn's `silhouette_score` with precomputed distances);
/// NaN unless the number of distinct labels is in 2..=n−1, where scikit-learn raises.
/// Errors as [`silhouette_samples`].
pub fn silhouette(condensed: &[f64], n: usize, labels: &[usize]) -> Result<f64, ClusterError> {
    check_condensed(condensed, n, labels)?;
    Ok(silhouette_unchecked(condensed, n, labels))
}

/// [`silhouette`] on checked input.
pub(crate) fn silhouette_unchecked(condensed: &[f64], n: usize, labels: &[usize]) -> f64 {
    let k = distinct_labels(labels);
    if k < 2 || k >= n {
        return f64::NAN;
    }
    silhouette_samples_unchecked(condensed, n, labels)
        .iter()
        .sum::<f64>()
        / n as f64
}

/// Within- and between-cluster dispersion; `within + between` is the total dispersion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dispersion {
    /// Σ over clusters of Σ‖xᵢ − c‖², squared distances to the cluster mean (units²); the
    /// pooled W_k of the gap statistic and the inertia of k-means.
    pub within: f64,
    /// Σ over clusters of n_c‖c − x̄‖², size-weighted squared distances of the cluster
    /// means to the overall mean (units²).
    pub between: f64,
}

/// Within/between dispersion of the rows of `x` under `labels` (one per row); errors if
/// the lengths differ.
pub fn dispersion(x: MatRef<'_>, labels: &[usize]) -> Result<Dispersion, ClusterError> {
    let (n, d) = (x.rows(), x.cols());
    check_len("labels (one per row)", n, labels.len())?;
    let x = x.as_slice();
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; k];
    let mut centres = vec![0.0; k * d];
    let mut grand = vec![0.0; d];
    for (i, &l) in labels.iter().enumerate() {
        size[l] += 1;
        for f in 0..d {
            centres[l * d + f] += x[i * d + f];
            grand[f] += x[i * d + f];
        }
    }
    for c in 0..k {
        if size[c] > 0 {
            centres[c * d..(c + 1) * d]
                .iter_mut()
                .for_each(|v| *v /= size[c] as f64);
        }
    }
    grand.iter_mut().for_each(|v| *v /= n.max(1) as f64);
    let within = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            (0..d)
                .map(|f| (x[i * d + f] - centres[l * d + f]).powi(2))
                .sum::<f64>()
        })
        .sum();
    let between = (0..k)
        .map(|c| {
            size[c] as f64
                * (0..d)
                    .map(|f| (centres[c * d + f] - grand[f]).powi(2))
                    .sum::<f64>()
        })
        .sum();
    Ok(Dispersion { within, between })
}

/// Within/between dispersion from condensed distances: within = Σ_c (1/n_c) Σ_{i<j in c}
/// d²ᵢⱼ, between = (1/n) Σ_{i<j} d²ᵢⱼ − within (units²). Equals [`dispersion`] when the
/// distances are Euclidean; for other distances it is Tibshirani's pooled W_k.
/// Errors as [`silhouette_samples`].
pub fn dispersion_condensed(
    condensed: &[f64],
    n: usize,
    labels: &[usize],
) -> Result<Dispersion, ClusterError> {
    check_condensed(condensed, n, labels)?;
    Ok(dispersion_condensed_unchecked(condensed, n, labels))
}

/// [`dispersion_condensed`] on checked input.
pub(crate) fn dispersion_condensed_unchecked(
    condensed: &[f64],
    n: usize,
    labels: &[usize],
) -> Dispersion {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; k];
    labels.iter().for_each(|&l| size[l] += 1);
    let mut pair_sums = vec![0.0; k];
    let mut total = 0.0;
    let mut idx = 0;
    for i in 0..n {
        for j in i + 1..n {
            let d2 = condensed[idx] * condensed[idx];
            idx += 1;
            total += d2;
            if labels[i] == labels[j] {
                pair_sums[labels[i]] += d2;
            }
        }
    }
    let within: f64 = (0..k)
        .filter(|&c| size[c] > 0)
        .map(|c| pair_sums[c] / size[c] as f64)
        .sum();
    Dispersion {
        within,
        between: total / n.max(1) as f64 - within,
    }
}

/// Relabels `current` to agree with `previous` (same items, e.g. funds at consecutive
/// dates): each current cluster gets the previous label it shares most items with, under
/// a one-to-one Hungarian assignment maximising the total overlap. Current clusters left
/// over (more clusters than before) get new labels above the largest previous one, in
/// order of their current label. Errors if the labellings differ in length.
pub fn align_labels(previous: &[usize], current: &[usize]) -> Result<Vec<usize>, ClusterError> {
    let t = contingency(current, previous)?;
    let (row_sums, col_sums) = (t.row_sums(), t.col_sums());
    let cur: Vec<usize> = (0..t.rows).filter(|&i| row_sums[i] > 0).collect();
    let prev: Vec<usize> = (0..t.cols).filter(|&j| col_sums[j] > 0).collect();
    let m = cur.len().max(prev.len());
    // Square cost matrix; padding rows/columns cost 0 and absorb unmatched clusters.
    let mut cost = vec![0i64; m * m];
    for (r, &i) in cur.iter().enumerate() {
        for (c, &j) in prev.iter().enumerate() {
            cost[r * m + c] = -(t.get(i, j) as i64);
        }
    }
    let assignment = hungarian(&cost, m);
    let mut new_label = vec![usize::MAX; t.rows];
    let mut next = t.cols;
    for (r, &i) in cur.iter().enumerate() {
        new_label[i] = match prev.get(assignment[r]) {
            Some(&j) => j,
            None => {
                next += 1;
                next - 1
            }
        };
    }
    Ok(current.iter().map(|&l| new_label[l]).collect())
}

/// Minimum-cost perfect assignment of an m × m cost matrix (Kuhn–Munkres with potentials,
/// O(m³)): the column of each row.
fn hungarian(cost: &[i64], m: usize) -> Vec<usize> {
    const INF: i64 = i64::MAX / 4;
    // 1-based arrays with index 0 as the virtual start column, as in the classic
    // shortest-augmenting-path formulation.
    let mut u = vec![0i64; m + 1];
    let mut v = vec![0i64; m + 1];
    let mut row_of = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    for i in 1..=m {
        row_of[0] = i;
        let mut j0 = 0;
        let mut min_v = vec![INF; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = row_of[j0];
            let mut delta = INF;
            let mut j1 = 0;
            for j in 1..=m {
                if !used[j] {
                    let reduced = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
                    if reduced < min_v[j] {
                        min_v[j] = reduced;
                        way[j] = j0;
                    }
                    if min_v[j] < delta {
                        delta = min_v[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_v[j] -= delta;
                }
            }
            j0 = j1;
            if row_of[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut col_of = vec![0; m];
    for j in 1..=m {
        col_of[row_of[j] - 1] = j - 1;
    }
    col_of
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hungarian_small() {
        // Optimum 1 + 2 + 2 = 5 via (0→1, 1→0, 2→2).
        let cost = [4, 1, 3, 2, 0, 5, 3, 2, 2];
        assert_eq!(hungarian(&cost, 3), vec![1, 0, 2]);
    }

    #[test]
    fn new_clusters_get_fresh_labels() {
        let previous = [0, 0, 1, 1, 1, 1];
        let current = [2, 2, 0, 0, 1, 1];
        // Current 2 ↔ previous 0 (overlap 2), one of 0/1 ↔ previous 1, the other is new.
        let aligned = align_labels(&previous, &current).unwrap();
        assert_eq!(&aligned[..2], &[0, 0]);
        let mut rest = aligned[2..].to_vec();
        rest.dedup();
        assert_eq!(rest.len(), 2);
        assert!(rest.contains(&1) && rest.contains(&2));
    }
}
