//! Clustering distances from similarities: d = 1 − S with a zero diagonal (METHODS §3.11).

use crate::matrix::{CondensedSimilarity, SimilarityMatrix};

/// Condensed distance vector 1 − S(i, j) for pairs i < j, row by row (scipy `pdist`
/// order, length n(n−1)/2). Not clipped: a correlation of −0.4 gives a distance of 1.4,
/// and a rescaled similarity above 1 (possible, see [`crate::rescaled`]) a negative one.
pub fn condensed_distance(sim: &SimilarityMatrix) -> Vec<f64> {
    let n = sim.n;
    let mut out = Vec::with_capacity(crate::matrix::pair_count(n));
    for i in 0..n {
        out.extend(sim.row(i)[i + 1..].iter().map(|s| 1.0 - s));
    }
    out
}

/// [`condensed_distance`] from a condensed similarity (same order, diagonal ignored).
pub fn condensed_distance_from(sim: &CondensedSimilarity) -> Vec<f64> {
    sim.upper.iter().map(|s| 1.0 - s).collect()
}

/// Full distance matrix 1 − S with an exact zero diagonal (a fund is at distance 0 from
/// itself even when S(A,A) < 1, e.g. after R² weighting).
pub fn distance_matrix(sim: &SimilarityMatrix) -> SimilarityMatrix {
    let n = sim.n;
    let values = sim
        .values
        .iter()
        .enumerate()
        .map(|(p, s)| if p / n == p % n { 0.0 } else { 1.0 - s })
        .collect();
    SimilarityMatrix { n, values }
}
