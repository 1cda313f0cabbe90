//! Small dense linear algebra on row-major `n × n` slices: Cholesky factor, solve,
//! inverse and a ridge-regularised factor for symmetric positive definite systems, a
//! matrix-vector product, and the symmetric eigen-decomposition by cyclic Jacobi.
//!
//! The systems here are small and solved very often: style analysis has 3 to 40 factors
//! in hundreds of thousands of rolling windows, Gaussian mixtures have d ≤ 8 features,
//! PCA a d × d feature covariance and classical MDS a Rayleigh–Ritz block of d + 5.
//! Measured against faer 0.24 (`bench/linalg`, figures in `bench/README.md`), the
//! straight-line Cholesky is 1.5-1.8× faster up to 5 × 5 and at least as fast at 8 × 8
//! (faer's setup dominates small sizes), but faer is faster from 13 × 13 (2× at 40 × 40);
//! cyclic Jacobi is faster only up to 4 × 4, and faer 1.5-2.6× faster from 8 × 8 to
//! 13 × 13, 4.5× at 20 × 20, 25× at 40 × 40 and 50× at 100 × 100. So [`symmetric_eigen`]
//! hands matrices from 32 × 32 on to faer (a 100-feature PCA: ~70 ms → ~1.4 ms) and
//! keeps Jacobi below, where one call (a PCA of up to 31 features, made once per
//! segmentation; the 9 × 9 block of classical MDS) costs tens of microseconds either way
//! and keeping it leaves the outputs of every existing run bit-identical (faer's
//! rotations differ in the last bits: the demo's 20-feature investor PCA moved by 4e-15). The Cholesky kernels stay by hand: they win at the sizes called
//! in loops (Gaussian mixtures, d ≤ 8; dynamic style analysis with the usual 5-13
//! factors), and faer's 1.2× at 13 × 13 needs a preallocated workspace per caller.
//!
//! ```
//! use peergroup_numeric::linalg::{cholesky, cholesky_solve};
//! // A = [[4, 2], [2, 3]]; A x = [2, 1] → x = [0.5, 0]
//! let a = [4.0, 2.0, 2.0, 3.0];
//! let mut l = [0.0; 4];
//! assert!(cholesky(&a, 2, &mut l));
//! let mut b = [2.0, 1.0];
//! cholesky_solve(&l, 2, &mut b);
//! assert!((b[0] - 0.5).abs() < 1e-15 && b[1].abs() < 1e-15);
//! ```

// Index loops are kept where they mirror the algebra (rows, columns, pivots).
#![allow(clippy::needless_range_loop)]

/// Cholesky factor `L` (lower, row-major) of the SPD matrix `a`, written into `l`.
/// Returns `false` if a pivot is not positive (the matrix is not numerically PD).
pub fn cholesky(a: &[f64], n: usize, l: &mut [f64]) -> bool {
    debug_assert!(a.len() >= n * n && l.len() >= n * n);
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return false;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
        for j in i + 1..n {
            l[i * n + j] = 0.0;
        }
    }
    true
}

/// Solve `L Lᵀ x = b` in place (`b` becomes `x`) given the Cholesky factor `l`.
pub fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// Cholesky of `a + ridge·I`, raising the ridge from `1e-13·mean diagonal` until it
/// succeeds. Near-collinear windows stay solvable; well-conditioned ones are untouched
/// (the first attempt uses no ridge at all).
pub fn cholesky_regularised(a: &[f64], n: usize, l: &mut [f64], work: &mut [f64]) -> bool {
    if cholesky(a, n, l) {
        return true;
    }
    let mean_diag = (0..n).map(|i| a[i * n + i].abs()).sum::<f64>() / n.max(1) as f64;
    let mut ridge = 1e-13 * mean_diag.max(f64::MIN_POSITIVE);
    for _ in 0..12 {
        work[..n * n].copy_from_slice(&a[..n * n]);
        for i in 0..n {
            work[i * n + i] += ridge;
        }
        if cholesky(work, n, l) {
            return true;
        }
        ridge *= 100.0;
    }
    false
}

/// Inverse of an SPD matrix from its Cholesky factor, into `inv` (row-major, full).
pub fn cholesky_inverse(l: &[f64], n: usize, inv: &mut [f64], col: &mut [f64]) {
    for j in 0..n {
        col[..n].fill(0.0);
        col[j] = 1.0;
        cholesky_solve(l, n, &mut col[..n]);
        for i in 0..n {
            inv[i * n + j] = col[i];
        }
    }
}

/// `y = A x` for row-major `A` (`rows × cols`).
pub fn mat_vec(a: &[f64], rows: usize, cols: usize, x: &[f64], y: &mut [f64]) {
    for i in 0..rows {
        y[i] = a[i * cols..(i + 1) * cols]
            .iter()
            .zip(x)
            .map(|(p, q)| p * q)
            .sum();
    }
}

/// Size from which [`symmetric_eigen`] uses faer instead of cyclic Jacobi (see the module
/// doc for the measurements).
pub const FAER_EIGEN_FROM: usize = 32;

/// Eigen-decomposition of a symmetric matrix (row-major m × m): eigenvalues descending,
/// eigenvectors as columns (row-major m × m). Cyclic Jacobi below [`FAER_EIGEN_FROM`],
/// faer's self-adjoint solver from there on.
pub fn symmetric_eigen(a: &[f64], m: usize) -> (Vec<f64>, Vec<f64>) {
    if m >= FAER_EIGEN_FROM {
        if let Some(r) = faer_eigen(a, m) {
            return r;
        }
    }
    jacobi_eigen(a, m)
}

/// faer's self-adjoint eigen-decomposition, sorted as [`symmetric_eigen`] returns it;
/// `None` if it does not converge (Jacobi then takes over).
fn faer_eigen(a: &[f64], m: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let mat = faer::Mat::<f64>::from_fn(m, m, |i, j| a[i * m + j]);
    let evd = mat.self_adjoint_eigen(faer::Side::Lower).ok()?;
    // faer sorts ascending; callers want the largest first.
    let s = evd.S().column_vector();
    let u = evd.U();
    let values = (0..m).rev().map(|c| s[c]).collect();
    let mut vectors = vec![0.0; m * m];
    for r in 0..m {
        for c in 0..m {
            vectors[r * m + c] = u[(r, m - 1 - c)];
        }
    }
    Some((values, vectors))
}

/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations:
/// eigenvalues descending, eigenvectors as columns (row-major m × m).
pub fn jacobi_eigen(a: &[f64], m: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; m * m];
    for i in 0..m {
        v[i * m + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|i| (0..m).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * m + j].powi(2))
            .sum();
        let scale: f64 = (0..m)
            .map(|i| a[i * m + i].powi(2))
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                let apq = a[p * m + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..m {
                    let (akp, akq) = (a[k * m + p], a[k * m + q]);
                    a[k * m + p] = c * akp - s * akq;
                    a[k * m + q] = s * akp + c * akq;
                }
                for k in 0..m {
                    let (apk, aqk) = (a[p * m + k], a[q * m + k]);
                    a[p * m + k] = c * apk - s * aqk;
                    a[q * m + k] = s * apk + c * aqk;
                }
                for k in 0..m {
                    let (vkp, vkq) = (v[k * m + p], v[k * m + q]);
                    v[k * m + p] = c * vkp - s * vkq;
                    v[k * m + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| a[j * m + j].total_cmp(&a[i * m + i]));
    let values = order.iter().map(|&i| a[i * m + i]).collect();
    let mut vectors = vec![0.0; m * m];
    for (new, &old) in order.iter().enumerate() {
        for k in 0..m {
            vectors[k * m + new] = v[k * m + old];
        }
    }
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_hand_example() {
        // A = [[4, 2], [2, 3]]: L = [[2, 0], [1, √2]]; A x = [2, 1] → x = [0.5, 0]
        let a = [4.0, 2.0, 2.0, 3.0];
        let mut l = [0.0; 4];
        assert!(cholesky(&a, 2, &mut l));
        assert_eq!(l[0], 2.0);
        assert_eq!(l[2], 1.0);
        assert!((l[3] - 2f64.sqrt()).abs() < 1e-15);
        let mut b = [2.0, 1.0];
        cholesky_solve(&l, 2, &mut b);
        assert!((b[0] - 0.5).abs() < 1e-15 && b[1].abs() < 1e-15);
        let mut inv = [0.0; 4];
        let mut col = [0.0; 2];
        cholesky_inverse(&l, 2, &mut inv, &mut col);
        // A⁻¹ = [[3, −2], [−2, 4]] / 8
        assert!(
            (inv[0] - 0.375).abs() < 1e-15
                && (inv[1] + 0.25).abs() < 1e-15
                && (inv[3] - 0.5).abs() < 1e-15
        );
    }

    #[test]
    fn rejects_indefinite_and_regularises_singular() {
        let a = [1.0, 2.0, 2.0, 1.0];
        let mut l = [0.0; 4];
        assert!(!cholesky(&a, 2, &mut l));
        let singular = [1.0, 1.0, 1.0, 1.0];
        let mut w = [0.0; 4];
        assert!(cholesky_regularised(&singular, 2, &mut l, &mut w));
    }

    #[test]
    fn jacobi_matches_a_hand_example() {
        // [[2, 1], [1, 2]] has eigenvalues 3 and 1
        let (vals, vecs) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!((vals[0] - 3.0).abs() < 1e-14 && (vals[1] - 1.0).abs() < 1e-14);
        assert!((vecs[0].abs() - 0.5f64.sqrt()).abs() < 1e-14);
    }

    /// A symmetric matrix with known eigenvalues: Q diag(λ) Qᵀ for a product of Givens
    /// rotations Q.
    fn with_spectrum(values: &[f64]) -> Vec<f64> {
        let m = values.len();
        let mut q = vec![0.0; m * m];
        for i in 0..m {
            q[i * m + i] = 1.0;
        }
        for k in 0..3 * m {
            let (i, j) = (k % m, (k * 7 + 3) % m);
            if i == j {
                continue;
            }
            let t = 0.3 + 0.1 * k as f64;
            let (c, s) = (t.cos(), t.sin());
            for r in 0..m {
                let (a, b) = (q[r * m + i], q[r * m + j]);
                q[r * m + i] = c * a - s * b;
                q[r * m + j] = s * a + c * b;
            }
        }
        let mut a = vec![0.0; m * m];
        for r in 0..m {
            for c in 0..m {
                a[r * m + c] = (0..m)
                    .map(|k| q[r * m + k] * values[k] * q[c * m + k])
                    .sum();
            }
        }
        a
    }

    #[test]
    fn both_kernels_recover_a_known_spectrum() {
        for m in [3, 9, FAER_EIGEN_FROM - 1, FAER_EIGEN_FROM, 40] {
            let truth: Vec<f64> = (0..m).map(|k| (m - k) as f64 * 0.5 + 0.25).collect();
            let a = with_spectrum(&truth);
            for (vals, vecs) in [symmetric_eigen(&a, m), jacobi_eigen(&a, m)] {
                for (v, t) in vals.iter().zip(&truth) {
                    assert!((v - t).abs() < 1e-10, "m = {m}: {v} vs {t}");
                }
                // A v = λ v and unit length, column by column
                for c in 0..m {
                    let v: Vec<f64> = (0..m).map(|r| vecs[r * m + c]).collect();
                    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                    assert!((norm - 1.0).abs() < 1e-10);
                    for r in 0..m {
                        let av: f64 = (0..m).map(|k| a[r * m + k] * v[k]).sum();
                        assert!((av - vals[c] * v[r]).abs() < 1e-9, "m = {m}, column {c}");
                    }
                }
            }
        }
    }

    #[test]
    fn small_matrices_keep_the_jacobi_bits() {
        let a = with_spectrum(&[4.0, 3.0, 2.5, 1.0, 0.5, 0.1, 0.05, 0.01]);
        assert_eq!(symmetric_eigen(&a, 8), jacobi_eigen(&a, 8));
    }
}
