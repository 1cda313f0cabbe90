//! Shared helpers for the style tests.
#![allow(dead_code)]

use peergroup_random::Rng;

/// Row-major X (t × n) and r, with Gram G and c = Xᵀr.
pub struct Problem {
    pub n: usize,
    pub x: Vec<f64>,
    pub r: Vec<f64>,
}

impl Problem {
    pub fn gram(&self) -> (Vec<f64>, Vec<f64>) {
        let t = self.r.len();
        let n = self.n;
        let mut g = vec![0.0; n * n];
        let mut c = vec![0.0; n];
        for s in 0..t {
            for i in 0..n {
                c[i] += self.x[s * n + i] * self.r[s];
                for j in 0..n {
                    g[i * n + j] += self.x[s * n + i] * self.x[s * n + j];
                }
            }
        }
        (g, c)
    }

    pub fn ssr(&self, beta: &[f64]) -> f64 {
        let n = self.n;
        (0..self.r.len())
            .map(|s| {
                let fit: f64 = (0..n).map(|i| self.x[s * n + i] * beta[i]).sum();
                (self.r[s] - fit).powi(2)
            })
            .sum()
    }
}

/// Correlated factor returns (t × n): a common market factor plus idiosyncratic parts.
pub fn factors(rng: &mut Rng, t: usize, n: usize) -> Vec<f64> {
    let loads: Vec<f64> = (0..n).map(|_| rng.uniform_range(0.3, 1.2)).collect();
    let mut x = vec![0.0; t * n];
    for s in 0..t {
        let m = rng.gaussian(0.005, 0.04);
        for i in 0..n {
            x[s * n + i] = loads[i] * m + rng.gaussian(0.002, 0.02);
        }
    }
    x
}

/// A random sparse long-only β with Σβ = 1 on `k` of `n` factors.
pub fn sparse_beta(rng: &mut Rng, n: usize, k: usize) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut idx);
    let mut b = vec![0.0; n];
    let mut total = 0.0;
    for &i in &idx[..k] {
        b[i] = rng.uniform_range(0.2, 1.0);
        total += b[i];
    }
    for v in &mut b {
        *v /= total;
    }
    b
}

/// A problem with returns X·β + noise.
pub fn problem(rng: &mut Rng, t: usize, n: usize, beta: &[f64], noise: f64) -> Problem {
    let x = factors(rng, t, n);
    let r = (0..t)
        .map(|s| (0..n).map(|i| x[s * n + i] * beta[i]).sum::<f64>() + rng.gaussian(0.0, noise))
        .collect();
    Problem { n, x, r }
}

/// The rows of fixture file `tests/fixtures/<path>`.
pub fn fixture(path: &str) -> Vec<csv::StringRecord> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    csv::Reader::from_path(full)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}
