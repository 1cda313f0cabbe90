//! The mixed dissimilarity of a row to prototypes, and `kmodes`' default γ.

use peergroup_numeric::MatRef;
use rayon::prelude::*;

use super::BLOCK;

/// `kmodes`' default γ: half the mean of the numeric columns' standard deviations
/// (population sd, ddof = 0), in numeric units — 0.5 for z-scored features. When there
/// are no numeric columns, or all are constant, the numeric part cannot separate rows and
/// any γ > 0 gives the same partitions, so 1 is returned.
pub fn default_gamma(numeric: MatRef<'_>) -> f64 {
    let (n, p) = (numeric.rows(), numeric.cols());
    let numeric = numeric.as_slice();
    if n == 0 || p == 0 {
        return 1.0;
    }
    // Row-wise passes over fixed blocks (column-wise ones stride through memory).
    let column_sums = |f: &(dyn Fn(&[f64], &mut [f64]) + Sync)| -> Vec<f64> {
        let partials: Vec<Vec<f64>> = numeric
            .par_chunks(BLOCK * p)
            .map(|block| {
                let mut acc = vec![0.0; p];
                block.chunks_exact(p).for_each(|row| f(row, &mut acc));
                acc
            })
            .collect();
        let mut total = vec![0.0; p];
        for part in partials {
            total.iter_mut().zip(part).for_each(|(t, v)| *t += v);
        }
        total
    };
    let mean: Vec<f64> =
        column_sums(&|row, acc| acc.iter_mut().zip(row).for_each(|(a, v)| *a += v))
            .into_iter()
            .map(|s| s / n as f64)
            .collect();
    let squares = column_sums(&|row, acc| {
        for ((a, v), m) in acc.iter_mut().zip(row).zip(&mean) {
            *a += (v - m) * (v - m);
        }
    });
    let mean_sd = squares.iter().map(|s| (s / n as f64).sqrt()).sum::<f64>() / p as f64;
    if mean_sd > 0.0 {
        0.5 * mean_sd
    } else {
        1.0
    }
}

/// Dissimilarity of a row (numeric part `x`, categorical part `a`) to a prototype:
/// Σ (x − μ)² + γ · #{a ≠ mode} (squared numeric units).
pub fn dissimilarity(x: &[f64], a: &[u32], centre: &[f64], mode: &[u32], gamma: f64) -> f64 {
    let numeric: f64 = x.iter().zip(centre).map(|(v, m)| (v - m) * (v - m)).sum();
    let mismatches = a.iter().zip(mode).filter(|(v, m)| v != m).count();
    numeric + gamma * mismatches as f64
}

/// Prototypes advanced together by [`Prototypes::dissims`]: four independent sums fit in
/// two SSE2 registers and hide the adder's latency.
const LANES: usize = 4;

/// m prototypes laid out for computing a row's dissimilarity to all of them at once.
pub(super) struct Prototypes {
    m: usize,
    /// m rounded up to a multiple of [`LANES`].
    padded: usize,
    /// Numeric parts transposed, p × padded (padding zeros): feature f of every
    /// prototype is contiguous.
    numeric_t: Vec<f64>,
    /// Categorical parts, m × q.
    modes: Vec<u32>,
}

impl Prototypes {
    pub(super) fn new(
        centroids: &[f64],
        modes: &[u32],
        p: usize,
        q: usize,
        m: usize,
    ) -> Prototypes {
        let padded = m.div_ceil(LANES) * LANES;
        let mut numeric_t = vec![0.0; p * padded];
        for c in 0..m {
            for f in 0..p {
                numeric_t[f * padded + c] = centroids[c * p + f];
            }
        }
        Prototypes {
            m,
            padded,
            numeric_t,
            modes: modes[..m * q].to_vec(),
        }
    }

    /// `out[c]` = [`dissimilarity`] of the row (x, a) to prototype c, bit for bit (the
    /// same additions in the same order per prototype), with [`LANES`] prototypes'
    /// sums advancing together in registers.
    pub(super) fn dissims(&self, x: &[f64], a: &[u32], gamma: f64, out: &mut [f64]) {
        let (m, padded) = (self.m, self.padded);
        for c0 in (0..m).step_by(LANES) {
            let mut acc = [0.0f64; LANES];
            for (f, &v) in x.iter().enumerate() {
                let mus: &[f64; LANES] = self.numeric_t[f * padded + c0..f * padded + c0 + LANES]
                    .try_into()
                    .expect("LANES values");
                for (s, &mu) in acc.iter_mut().zip(mus) {
                    *s += (v - mu) * (v - mu);
                }
            }
            let w = (m - c0).min(LANES);
            out[c0..c0 + w].copy_from_slice(&acc[..w]);
        }
        let q = a.len();
        if q > 0 {
            for (o, mode) in out.iter_mut().zip(self.modes.chunks_exact(q)) {
                let mismatches = a.iter().zip(mode).filter(|(v, m)| v != m).count();
                *o += gamma * mismatches as f64;
            }
        }
    }
}
