//! Trustworthiness of an embedding: how far its neighbourhoods are input neighbourhoods.

use peergroup_numeric::MatRef;
use rayon::prelude::*;

use super::dist2;
use crate::error::{check_len, ClusterError};

/// Trustworthiness of an embedding (Venna & Kaski 2001, scikit-learn's `trustworthiness`
/// with Euclidean distances): 1 − 2/(n·k·(2n − 3k − 1)) · Σ_i Σ_{j ∈ N_k^E(i)} max(0,
/// r(i, j) − k), where N_k^E(i) are the k nearest neighbours of i in the embedding and
/// r(i, j) the rank of j among i's neighbours in the input space (1 = nearest); in [0, 1],
/// 1 when every embedded neighbourhood is also an input neighbourhood. Distance ties are
/// broken by index. O(n²·(d + dims + k)) time, O(n) memory per thread.
///
/// Errors unless `embedding` has a row per row of `x` and 1 ≤ k < n/2 (scikit-learn's
/// limit).
pub fn trustworthiness(
    x: MatRef<'_>,
    embedding: MatRef<'_>,
    k_neighbors: usize,
) -> Result<f64, ClusterError> {
    let k = k_neighbors;
    let (n, d, dims) = (x.rows(), x.cols(), embedding.cols());
    check_len("embedding rows (one per input row)", n, embedding.rows())?;
    if !(k >= 1 && (k as f64) < n as f64 / 2.0) {
        return Err(ClusterError::parameter(
            "k_neighbors",
            k,
            "at least 1 and below n/2",
        ));
    }
    let (x, embedding) = (x.as_slice(), embedding.as_slice());
    let penalties: Vec<usize> = (0..n)
        .into_par_iter()
        .map_init(
            || (Vec::with_capacity(n), Vec::with_capacity(n)),
            |(dx, de): &mut (Vec<f64>, Vec<(f64, usize)>), i| {
                let xi = &x[i * d..(i + 1) * d];
                let ei = &embedding[i * dims..(i + 1) * dims];
                dx.clear();
                dx.extend((0..n).map(|j| dist2(xi, &x[j * d..(j + 1) * d])));
                de.clear();
                de.extend(
                    (0..n)
                        .filter(|&j| j != i)
                        .map(|j| (dist2(ei, &embedding[j * dims..(j + 1) * dims]), j)),
                );
                let cmp =
                    |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                de.select_nth_unstable_by(k - 1, cmp);
                de[..k]
                    .iter()
                    .map(|&(_, j)| {
                        // Input-space rank of j: 1 + points strictly before it in
                        // (distance, index) order.
                        let rank = 1
                            + (0..n)
                                .filter(|&l| l != i && (dx[l], l) < (dx[j], j))
                                .count();
                        rank.saturating_sub(k)
                    })
                    .sum()
            },
        )
        .collect();
    let total: f64 = penalties.iter().sum::<usize>() as f64;
    let (n, k) = (n as f64, k as f64);
    Ok(1.0 - total * 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)))
}
