//! Helpers for the recoverability tests: feature scaling, and the clustering stage's
//! k-prototypes and adjusted Rand index behind the small interface the tests use.

#![allow(dead_code)]

/// Standardise each column of a row-major `n × d` matrix in place (constant columns → 0).
pub fn zscore(x: &mut [f64], n: usize, d: usize) {
    for j in 0..d {
        let mean = (0..n).map(|i| x[i * d + j]).sum::<f64>() / n as f64;
        let var = (0..n).map(|i| (x[i * d + j] - mean).powi(2)).sum::<f64>() / n as f64;
        let sd = var.sqrt();
        for i in 0..n {
            x[i * d + j] = if sd > 0.0 {
                (x[i * d + j] - mean) / sd
            } else {
                0.0
            };
        }
    }
}

/// `sign(x) · ln(1 + |x|)`: log1p that keeps net redemptions and losses negative.
pub fn signed_log1p(x: f64) -> f64 {
    x.signum() * x.abs().ln_1p()
}

/// Adjusted Rand index, from the clustering stage.
pub fn ari(a: &[usize], b: &[usize]) -> f64 {
    peergroup_cluster::validity::adjusted_rand_index(a, b).unwrap()
}

/// Rows of mixed data: `n` rows of `d` numeric columns (row-major) and `c` categorical
/// codes.
pub struct Mixed<'a> {
    pub n: usize,
    pub num: &'a [f64],
    pub d: usize,
    pub cat: &'a [u32],
    pub c: usize,
}

impl<'a> Mixed<'a> {
    /// Numeric data only.
    pub fn numeric(num: &'a [f64], d: usize) -> Mixed<'a> {
        Mixed {
            n: num.len() / d,
            num,
            d,
            cat: &[],
            c: 0,
        }
    }
}

/// k-prototypes from the clustering stage (k-means when there are no categorical columns),
/// best of `restarts`.
pub fn kprototypes(data: &Mixed, k: usize, gamma: f64, restarts: usize, seed: u64) -> Vec<usize> {
    let Mixed { n, num, d, cat, c } = *data;
    let options = peergroup_cluster::kprototypes::KPrototypesOptions {
        gamma: Some(gamma),
        restarts,
        seed,
        ..Default::default()
    };
    let numeric = peergroup_cluster::MatRef::new(num, n, d).unwrap();
    let data = peergroup_cluster::kprototypes::MixedRef::new(numeric, cat, c).unwrap();
    let method = peergroup_cluster::kprototypes::KPrototypes::new(k).options(options);
    peergroup_cluster::Fit::fit(&method, data).unwrap().labels
}
