//! Shared helpers for the similarity tests: reference implementations straight from the
//! formulas, and random inputs.
#![allow(dead_code)]
// Index loops mirror the formula's sums over factor pairs.
#![allow(clippy::needless_range_loop)]

use peergroup_random::Rng;
use peergroup_similarity::{ExposureScale, FactorSimilarity, SimilarityMatrix};

/// Owned factor names.
pub fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// S_SYST(A, B) by the definition: a triple loop over funds and factor pairs.
pub fn naive_s_syst(
    exposures: &[f64],
    n: usize,
    sx: &FactorSimilarity,
    scale: ExposureScale,
) -> SimilarityMatrix {
    let k = sx.len();
    let row = |f: usize| -> Vec<f64> {
        let abs: Vec<f64> = exposures[f * k..(f + 1) * k]
            .iter()
            .map(|b| b.abs())
            .collect();
        let gross: f64 = abs.iter().sum();
        match scale {
            ExposureScale::Gross if gross > 0.0 => abs.iter().map(|b| b / gross).collect(),
            _ => abs,
        }
    };
    let mut v = vec![0.0; n * n];
    for a in 0..n {
        for b in 0..n {
            let (ra, rb) = (row(a), row(b));
            let mut s = 0.0;
            for i in 0..k {
                for j in 0..k {
                    s += (1.0 - (ra[i] - rb[j]).abs()).max(0.0) * sx.get(i, j);
                }
            }
            v[a * n + b] = s;
        }
    }
    SimilarityMatrix::new(n, v)
}

/// Random sparse signed exposures (about `p` of the factors held), funds × k.
pub fn random_exposures(rng: &mut Rng, n: usize, k: usize, p: f64) -> Vec<f64> {
    (0..n * k)
        .map(|_| {
            if rng.bernoulli(p) {
                rng.uniform_range(-0.6, 1.4)
            } else {
                0.0
            }
        })
        .collect()
}

/// A random valid factor similarity matrix with some exact zeros.
pub fn random_sx(rng: &mut Rng, k: usize) -> FactorSimilarity {
    let mut v = vec![0.0; k * k];
    for i in 0..k {
        v[i * k + i] = 1.0;
        for j in i + 1..k {
            let x = if rng.bernoulli(0.3) {
                0.0
            } else {
                rng.uniform()
            };
            v[i * k + j] = x;
            v[j * k + i] = x;
        }
    }
    let names = (0..k).map(|j| format!("F{j}")).collect();
    FactorSimilarity::from_matrix(names, v).expect("valid random S_X")
}

/// Largest absolute element-wise difference.
pub fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
