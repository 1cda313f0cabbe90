//! Small clustering helpers for the recoverability tests: the segment stage's own
//! k-means and k-prototypes live in other crates, and these tests must not depend on
//! them (synth sits below them in the crate graph).

#![allow(dead_code)]

use peergroup_random::Rng;

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

/// Adjusted Rand index of two labelings (Hubert & Arabie).
pub fn ari(a: &[usize], b: &[usize]) -> f64 {
    let ka = a.iter().max().map_or(0, |m| m + 1);
    let kb = b.iter().max().map_or(0, |m| m + 1);
    let mut table = vec![0u64; ka * kb];
    for (&i, &j) in a.iter().zip(b) {
        table[i * kb + j] += 1;
    }
    let c2 = |x: u64| (x * x.saturating_sub(1)) as f64 / 2.0;
    let sum_cells: f64 = table.iter().map(|&x| c2(x)).sum();
    let rows: f64 = (0..ka)
        .map(|i| c2((0..kb).map(|j| table[i * kb + j]).sum()))
        .sum();
    let cols: f64 = (0..kb)
        .map(|j| c2((0..ka).map(|i| table[i * kb + j]).sum()))
        .sum();
    let total = c2(a.len() as u64);
    let expected = rows * cols / total;
    let max = 0.5 * (rows + cols);
    (sum_cells - expected) / (max - expected)
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

/// k-prototypes (Huang 1998): squared Euclidean distance on the numeric columns plus
/// `gamma` per categorical mismatch; k-means++ seeding on that distance, best of
/// `restarts` by cost. With no categorical columns it is plain k-means.
pub fn kprototypes(data: &Mixed, k: usize, gamma: f64, restarts: usize, seed: u64) -> Vec<usize> {
    let Mixed { n, num, d, cat, c } = *data;
    let dist = |i: usize, cn: &[f64], cc: &[u32]| -> f64 {
        let mut s = 0.0;
        for j in 0..d {
            let z = num[i * d + j] - cn[j];
            s += z * z;
        }
        for j in 0..c {
            if cat[i * c + j] != cc[j] {
                s += gamma;
            }
        }
        s
    };
    let mut best: Option<(f64, Vec<usize>)> = None;
    for run in 0..restarts {
        let mut rng = Rng::stream(seed, run as u64);
        let mut cn: Vec<f64> = Vec::with_capacity(k * d);
        let mut cc: Vec<u32> = Vec::with_capacity(k * c);
        let first = rng.below(n as u64) as usize;
        cn.extend_from_slice(&num[first * d..(first + 1) * d]);
        cc.extend_from_slice(&cat[first * c..(first + 1) * c]);
        let mut near: Vec<f64> = (0..n).map(|i| dist(i, &cn[..d], &cc[..c])).collect();
        for m in 1..k {
            let pick = rng.weighted_index(&near);
            cn.extend_from_slice(&num[pick * d..(pick + 1) * d]);
            cc.extend_from_slice(&cat[pick * c..(pick + 1) * c]);
            for (i, v) in near.iter_mut().enumerate() {
                *v = v.min(dist(i, &cn[m * d..(m + 1) * d], &cc[m * c..(m + 1) * c]));
            }
        }
        let mut labels = vec![usize::MAX; n];
        let mut cost = 0.0;
        for _ in 0..100 {
            let mut changed = false;
            cost = 0.0;
            for (i, label) in labels.iter_mut().enumerate() {
                let (g, v) = (0..k)
                    .map(|g| (g, dist(i, &cn[g * d..(g + 1) * d], &cc[g * c..(g + 1) * c])))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .expect("k > 0");
                cost += v;
                if *label != g {
                    *label = g;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
            for g in 0..k {
                let members: Vec<usize> = (0..n).filter(|&i| labels[i] == g).collect();
                if members.is_empty() {
                    continue;
                }
                for j in 0..d {
                    cn[g * d + j] =
                        members.iter().map(|&i| num[i * d + j]).sum::<f64>() / members.len() as f64;
                }
                for j in 0..c {
                    let mut counts = std::collections::HashMap::new();
                    for &i in &members {
                        *counts.entry(cat[i * c + j]).or_insert(0usize) += 1;
                    }
                    let mode = counts
                        .into_iter()
                        .max_by_key(|&(v, n)| (n, std::cmp::Reverse(v)))
                        .expect("members");
                    cc[g * c + j] = mode.0;
                }
            }
        }
        if best.as_ref().is_none_or(|b| cost < b.0) {
            best = Some((cost, labels));
        }
    }
    best.expect("restarts > 0").1
}
