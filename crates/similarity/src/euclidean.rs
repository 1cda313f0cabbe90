//! Euclidean distance of exposures, on individual or grouped factors: the feature-space
//! baseline of Fragkiskos & Bauman's Tables 1 and 2 (METHODS §3.9).

use crate::matrix::{fill_upper, CondensedSimilarity, SimilarityMatrix};

/// Euclidean distance between every pair of exposure rows (funds × k row-major, signed,
/// any unit; the distance is in the same unit), as a full matrix with a zero diagonal.
pub fn euclidean_distances(exposures: &[f64], n_funds: usize, k: usize) -> SimilarityMatrix {
    assert_eq!(
        exposures.len(),
        n_funds * k,
        "exposures must be funds × factors"
    );
    let row = |f: usize| &exposures[f * k..(f + 1) * k];
    let upper = fill_upper(n_funds, |a, out| {
        for (d, v) in out.iter_mut().enumerate() {
            *v = row(a)
                .iter()
                .zip(row(a + 1 + d))
                .map(|(x, y)| (x - y) * (x - y))
                .sum::<f64>()
                .sqrt();
        }
    });
    CondensedSimilarity::new(n_funds, vec![0.0; n_funds], upper).to_full()
}

/// Exposures summed (with sign) within factor groups: funds × `n_groups` row-major.
///
/// Signed sums are what vendors' grouped reports show and what reproduces Fragkiskos &
/// Bauman's Table 2 (e.g. Cash = 10YR Swap + 10YR Treasury); summing absolute values does not.
///
/// # Panics
/// If `group_of_factor` has not k entries or names a group ≥ `n_groups`.
pub fn grouped_exposures(
    exposures: &[f64],
    n_funds: usize,
    k: usize,
    group_of_factor: &[usize],
    n_groups: usize,
) -> Vec<f64> {
    assert_eq!(
        exposures.len(),
        n_funds * k,
        "exposures must be funds × factors"
    );
    assert_eq!(group_of_factor.len(), k, "one group per factor");
    let mut out = vec![0.0; n_funds * n_groups];
    for f in 0..n_funds {
        for (j, &g) in group_of_factor.iter().enumerate() {
            assert!(
                g < n_groups,
                "group {g} of factor {j} is not below {n_groups}"
            );
            out[f * n_groups + g] += exposures[f * k + j];
        }
    }
    out
}

/// Groups factors by label (e.g. a factor attribute column): the group index of each
/// factor and the group labels, in order of first appearance.
pub fn factor_groups(labels: &[String]) -> (Vec<usize>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let groups = labels
        .iter()
        .map(|l| match names.iter().position(|n| n == l) {
            Some(g) => g,
            None => {
                names.push(l.clone());
                names.len() - 1
            }
        })
        .collect();
    (groups, names)
}
