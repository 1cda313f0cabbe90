//! Classical multidimensional scaling (Torgerson 1952): coordinates whose Euclidean
//! distances best reproduce a distance matrix, so that k-means and Gaussian mixtures can
//! run on similarity data (distance `1 − S`).
//!
//! `B = −½·J·D⁽²⁾·J` (double-centred squared distances); the coordinates are the top
//! eigenvectors of B scaled by √eigenvalue. The eigenpairs come from block power
//! iteration with a Rayleigh–Ritz step (a few extra vectors speed convergence), which
//! needs only products with B: O(n²·d) per iteration and no n × n factorisation.

use peergroup_numeric::linalg::symmetric_eigen;
use peergroup_random::Rng;

/// An embedding of n objects in d dimensions.
#[derive(Clone, Debug, PartialEq)]
pub struct Embedding {
    /// Dimensions.
    pub d: usize,
    /// Coordinates, row-major n × d.
    pub coords: Vec<f64>,
    /// The d largest eigenvalues of B (non-negative ones give real coordinates).
    pub eigenvalues: Vec<f64>,
    /// Share of the positive spectrum (trace of B's positive part) captured, in [0, 1].
    pub explained: f64,
}

/// Orthonormalise the columns of the row-major n × b matrix `q` (modified Gram–Schmidt).
fn orthonormalise(q: &mut [f64], n: usize, b: usize) {
    for j in 0..b {
        for i in 0..j {
            let dot: f64 = (0..n).map(|r| q[r * b + i] * q[r * b + j]).sum();
            for r in 0..n {
                q[r * b + j] -= dot * q[r * b + i];
            }
        }
        let norm = (0..n).map(|r| q[r * b + j].powi(2)).sum::<f64>().sqrt();
        if norm > 1e-300 {
            for r in 0..n {
                q[r * b + j] /= norm;
            }
        }
    }
}

/// Classical MDS of a condensed distance matrix (scipy pdist order) into `d` dimensions.
pub fn classical_mds(condensed: &[f64], n: usize, d: usize, seed: u64) -> Embedding {
    let d = d.min(n.saturating_sub(1)).max(1);
    // B = −½ J D² J
    let mut b = vec![0.0; n * n];
    let mut idx = 0;
    for i in 0..n {
        for j in i + 1..n {
            let v = condensed[idx] * condensed[idx];
            b[i * n + j] = v;
            b[j * n + i] = v;
            idx += 1;
        }
    }
    let row_mean: Vec<f64> = (0..n)
        .map(|i| b[i * n..(i + 1) * n].iter().sum::<f64>() / n as f64)
        .collect();
    let all_mean = row_mean.iter().sum::<f64>() / n as f64;
    for i in 0..n {
        for j in 0..n {
            b[i * n + j] = -0.5 * (b[i * n + j] - row_mean[i] - row_mean[j] + all_mean);
        }
    }
    let positive_trace: f64 = {
        // trace of B equals the sum of its eigenvalues; the positive part is estimated
        // below from the Ritz values when B is indefinite (non-Euclidean distances)
        (0..n).map(|i| b[i * n + i]).sum::<f64>()
    };
    let block = (d + 5).min(n);
    let mut rng = Rng::new(seed);
    let mut q: Vec<f64> = (0..n * block).map(|_| rng.normal()).collect();
    orthonormalise(&mut q, n, block);
    let mut z = vec![0.0; n * block];
    let mut values = vec![0.0; block];
    let mut vectors = vec![0.0; block * block];
    let mut previous = vec![f64::NAN; d];
    for _ in 0..1000 {
        // Z = B Q
        z.fill(0.0);
        for i in 0..n {
            for k in 0..n {
                let bik = b[i * n + k];
                if bik != 0.0 {
                    for c in 0..block {
                        z[i * block + c] += bik * q[k * block + c];
                    }
                }
            }
        }
        // Rayleigh–Ritz: T = Qᵀ B Q, rotate Q to T's eigenvectors
        let mut t = vec![0.0; block * block];
        for a in 0..block {
            for c in 0..block {
                t[a * block + c] = (0..n).map(|r| q[r * block + a] * z[r * block + c]).sum();
            }
        }
        let (vals, vecs) = symmetric_eigen(&t, block);
        values.copy_from_slice(&vals);
        vectors.copy_from_slice(&vecs);
        // next block: Z rotated, orthonormalised
        let mut next = vec![0.0; n * block];
        for r in 0..n {
            for c in 0..block {
                next[r * block + c] = (0..block)
                    .map(|a| z[r * block + a] * vectors[a * block + c])
                    .sum();
            }
        }
        orthonormalise(&mut next, n, block);
        let converged =
            (0..d).all(|i| (values[i] - previous[i]).abs() <= 1e-12 * values[0].abs().max(1e-300));
        previous.copy_from_slice(&values[..d]);
        q = next;
        if converged {
            break;
        }
    }
    let mut coords = vec![0.0; n * d];
    for r in 0..n {
        for c in 0..d {
            coords[r * d + c] = q[r * block + c] * values[c].max(0.0).sqrt();
        }
    }
    let captured: f64 = values[..d].iter().map(|v| v.max(0.0)).sum();
    let explained = if positive_trace > 0.0 {
        (captured / positive_trace).min(1.0)
    } else {
        0.0
    };
    Embedding {
        d,
        coords,
        eigenvalues: values[..d].to_vec(),
        explained,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condensed_of(points: &[f64], n: usize, dim: usize) -> Vec<f64> {
        let mut out = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                out.push(
                    (0..dim)
                        .map(|k| (points[i * dim + k] - points[j * dim + k]).powi(2))
                        .sum::<f64>()
                        .sqrt(),
                );
            }
        }
        out
    }

    #[test]
    fn recovers_euclidean_configurations_exactly() {
        let mut rng = Rng::new(4);
        for (n, dim) in [(6, 2), (30, 3), (80, 4)] {
            let points: Vec<f64> = (0..n * dim).map(|_| rng.normal()).collect();
            let dist = condensed_of(&points, n, dim);
            let e = classical_mds(&dist, n, dim, 1);
            // distances are reproduced (the configuration is unique up to rotation)
            let back = condensed_of(&e.coords, n, dim);
            for (a, b) in dist.iter().zip(&back) {
                assert!((a - b).abs() < 1e-8, "n={n}: {a} vs {b}");
            }
            assert!((e.explained - 1.0).abs() < 1e-9);
            // one dimension fewer loses the smallest eigenvalue's share
            let e2 = classical_mds(&dist, n, dim - 1, 1);
            assert!(e2.explained < 1.0);
        }
    }
}
