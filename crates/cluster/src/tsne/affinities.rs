//! Input affinities P: per-point perplexity calibration of a Gaussian by bisection,
//! symmetrised into a dense matrix (exact gradient) or a sparse nearest-neighbour graph
//! (Barnes–Hut).

use rayon::prelude::*;

use super::{dist2, EPS};

/// Input affinities: dense n × n (exact) or a sparse symmetric neighbour graph.
pub(super) enum Affinities {
    Dense(Vec<f64>),
    Sparse(Sparse),
}

/// Compressed sparse rows of a symmetric matrix.
pub(super) struct Sparse {
    pub(super) indptr: Vec<usize>,
    pub(super) indices: Vec<u32>,
    pub(super) values: Vec<f64>,
}

/// Turns squared distances `d2` (to the candidates of one point) into the conditional
/// distribution P_{·|i} of entropy ln(perplexity), in place: bisection on the precision β
/// as scikit-learn's `_binary_search_perplexity` (doubling/halving until bracketed, then
/// halving the bracket; tolerance 1e-5 nats, at most 100 steps). Distances are shifted by
/// their minimum first, which leaves P unchanged but keeps exp() from underflowing.
fn conditional_row(d2: &mut [f64], perplexity: f64) {
    let target = perplexity.ln();
    let min = d2.iter().copied().fold(f64::INFINITY, f64::min);
    d2.iter_mut().for_each(|v| *v -= min);
    let (mut beta, mut lo, mut hi) = (1.0, f64::NEG_INFINITY, f64::INFINITY);
    let mut best_beta = beta;
    for _ in 0..100 {
        let mut sum = 0.0;
        let mut weighted = 0.0;
        for &v in d2.iter() {
            let e = (-v * beta).exp();
            sum += e;
            weighted += v * e;
        }
        // The shifted minimum contributes exp(0) = 1, so sum ≥ 1.
        let entropy = sum.ln() + beta * weighted / sum;
        best_beta = beta;
        let diff = entropy - target;
        if diff.abs() <= 1e-5 {
            break;
        }
        if diff > 0.0 {
            lo = beta;
            beta = if hi == f64::INFINITY {
                beta * 2.0
            } else {
                (beta + hi) / 2.0
            };
        } else {
            hi = beta;
            beta = if lo == f64::NEG_INFINITY {
                beta / 2.0
            } else {
                (beta + lo) / 2.0
            };
        }
    }
    let mut sum = 0.0;
    for v in d2.iter_mut() {
        *v = (-*v * best_beta).exp();
        sum += *v;
    }
    d2.iter_mut().for_each(|v| *v /= sum);
}

/// Dense symmetric P (n × n, zero diagonal, entries ≥ machine epsilon off it, summing to 1).
pub(super) fn dense_affinities(x: &[f64], n: usize, d: usize, perplexity: f64) -> Vec<f64> {
    let mut p = vec![0.0; n * n];
    p.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        let xi = &x[i * d..(i + 1) * d];
        // Candidates are all j ≠ i: compute them contiguously, then spread out again.
        let mut d2: Vec<f64> = (0..n)
            .filter(|&j| j != i)
            .map(|j| dist2(xi, &x[j * d..(j + 1) * d]))
            .collect();
        conditional_row(&mut d2, perplexity);
        let mut it = d2.into_iter();
        for (j, slot) in row.iter_mut().enumerate() {
            if j != i {
                *slot = it.next().expect("n − 1 values");
            }
        }
    });
    let mut total = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            let s = p[i * n + j] + p[j * n + i];
            p[i * n + j] = s;
            p[j * n + i] = s;
            total += 2.0 * s;
        }
    }
    let total = total.max(f64::MIN_POSITIVE);
    for i in 0..n {
        for j in 0..n {
            p[i * n + j] = if i == j {
                0.0
            } else {
                (p[i * n + j] / total).max(EPS)
            };
        }
    }
    p
}

/// Sparse symmetric P on the ⌊3·perplexity⌋ + 1 nearest neighbours of every point
/// (scikit-learn's Barnes–Hut affinities), summing to 1.
pub(super) fn sparse_affinities(x: &[f64], n: usize, d: usize, perplexity: f64) -> Sparse {
    let k = ((3.0 * perplexity + 1.0) as usize).min(n - 1).max(1);
    // Brute-force neighbours, one row per task; ties broken by index for determinism.
    let rows: Vec<Vec<(u32, f64)>> = (0..n)
        .into_par_iter()
        .map_init(
            || Vec::with_capacity(n),
            |buf: &mut Vec<(f64, u32)>, i| {
                let xi = &x[i * d..(i + 1) * d];
                buf.clear();
                buf.extend(
                    (0..n)
                        .filter(|&j| j != i)
                        .map(|j| (dist2(xi, &x[j * d..(j + 1) * d]), j as u32)),
                );
                let cmp = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                if k < buf.len() {
                    buf.select_nth_unstable_by(k, cmp);
                    buf.truncate(k);
                }
                buf.sort_unstable_by(cmp);
                let mut d2: Vec<f64> = buf.iter().map(|e| e.0).collect();
                conditional_row(&mut d2, perplexity);
                buf.iter().zip(d2).map(|(e, p)| (e.1, p)).collect()
            },
        )
        .collect();
    // P + Pᵀ as (row, col, value) triplets, merged per row.
    let mut triplets: Vec<(u32, u32, f64)> = Vec::with_capacity(2 * n * k);
    for (i, row) in rows.iter().enumerate() {
        for &(j, p) in row {
            triplets.push((i as u32, j, p));
            triplets.push((j, i as u32, p));
        }
    }
    triplets.par_sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(a.2.total_cmp(&b.2)));
    let mut indptr = vec![0usize; n + 1];
    let mut indices = Vec::with_capacity(triplets.len());
    let mut values: Vec<f64> = Vec::with_capacity(triplets.len());
    let mut last: Option<(u32, u32)> = None;
    for (i, j, p) in triplets {
        if last == Some((i, j)) {
            *values.last_mut().expect("merged entry") += p;
        } else {
            indices.push(j);
            values.push(p);
            indptr[i as usize + 1] += 1;
            last = Some((i, j));
        }
    }
    for i in 0..n {
        indptr[i + 1] += indptr[i];
    }
    let total: f64 = values.iter().sum();
    values.iter_mut().for_each(|v| *v /= total);
    Sparse {
        indptr,
        indices,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use peergroup_random::Rng;

    #[test]
    fn perplexity_bisection_hits_the_target_entropy() {
        let mut rng = Rng::new(3);
        let mut d2: Vec<f64> = (0..200).map(|_| 50.0 * rng.uniform()).collect();
        conditional_row(&mut d2, 10.0);
        let sum: f64 = d2.iter().sum();
        let h: f64 = -d2
            .iter()
            .filter(|&&p| p > 0.0)
            .map(|p| p * p.ln())
            .sum::<f64>();
        assert!((sum - 1.0).abs() < 1e-12);
        assert!((h - 10f64.ln()).abs() <= 1e-5, "entropy {h}");
    }
}
