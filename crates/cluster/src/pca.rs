//! Principal component analysis (METHODS §6.5: PCA projections, explained variance, scree).
//!
//! The components are the eigenvectors of the d × d sample covariance matrix (ddof = 1),
//! found by cyclic Jacobi rotations ([`symmetric_eigen`]). That needs one pass over the
//! data plus O(d³) work, so it suits the tall, narrow matrices of segmentation (many
//! entities, d up to about 100 features), where an SVD of the n × d data would cost
//! O(n·d²) memory traffic per sweep. Forming the covariance squares the condition number,
//! so components of eigenvalues below ~1e-8 × the largest are less accurate than an SVD
//! would give them; their explained variance is still accurate in absolute terms.
//!
//! Conventions follow scikit-learn's `PCA`: components sorted by decreasing variance,
//! variance with ddof = 1, ratios over the total variance, and the sign of each component
//! fixed as `svd_flip(..., u_based_decision=False)` does: its loading of largest absolute
//! value is positive (the first such loading on an exact tie).

use rayon::prelude::*;

use peergroup_numeric::linalg::symmetric_eigen;

/// Rows per block of the parallel covariance pass; fixed, so the result does not depend on
/// the number of threads.
const BLOCK: usize = 4096;

/// A fitted PCA of `n` rows in `d` features keeping `k` components.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// Features d.
    pub d: usize,
    /// Components kept, k.
    pub k: usize,
    /// Column means of the data (feature units), length d.
    pub mean: Vec<f64>,
    /// Principal axes, k × d row-major, unit-length rows, decreasing variance; sign: the
    /// largest-|loading| entry of each row is positive.
    pub components: Vec<f64>,
    /// Variance of the scores along each kept axis (feature units², ddof = 1), length k.
    pub explained_variance: Vec<f64>,
    /// Share of the total variance along each kept axis, in [0, 1]; sums to 1 over all
    /// min(n, d) axes.
    pub explained_variance_ratio: Vec<f64>,
    /// Total variance: sum of the d column variances (feature units², ddof = 1).
    pub total_variance: f64,
    /// Coordinates of the rows on the axes, (x − mean)·componentsᵀ, n × k row-major
    /// (feature units).
    pub scores: Vec<f64>,
}

/// PCA of the rows of `x` (finite) keeping the `n_components` largest-variance axes; see
/// the module docs for the method and sign convention. Errors if there are fewer than
/// two rows, `n_components` is 0 or above min(n, d), or a value is not finite.
pub fn pca(
    x: peergroup_numeric::MatRef<'_>,
    n_components: usize,
) -> Result<Pca, crate::ClusterError> {
    let (n, d) = (x.rows(), x.cols());
    if n < 2 {
        return Err(crate::ClusterError::TooFew {
            what: "rows",
            need: 2,
            found: n,
        });
    }
    if n_components == 0 || n_components > n.min(d) {
        return Err(crate::ClusterError::parameter(
            "n_components",
            n_components,
            "at least 1 and at most min(rows, features)",
        ));
    }
    crate::error::check_finite("PCA input", x.as_slice())?;
    Ok(pca_checked(x.as_slice(), n, d, n_components))
}

/// [`pca`] of `x` (n × d row-major) on checked input.
pub(crate) fn pca_checked(x: &[f64], n: usize, d: usize, n_components: usize) -> Pca {
    let k = n_components;
    // Two passes (mean, then centred cross-products) rather than Σx·xᵀ − n·x̄x̄ᵀ, which
    // cancels catastrophically for features far from zero (e.g. AUM in the millions).
    let mean: Vec<f64> = block_sums(
        x,
        d,
        |row, acc| acc.iter_mut().zip(row).for_each(|(a, v)| *a += v),
        d,
    )
    .into_iter()
    .map(|s| s / n as f64)
    .collect();
    let upper = block_sums(
        x,
        d,
        |row, acc| {
            // Upper triangle only, packed row by row.
            let mut idx = 0;
            for a in 0..d {
                let ca = row[a] - mean[a];
                for b in a..d {
                    acc[idx] += ca * (row[b] - mean[b]);
                    idx += 1;
                }
            }
        },
        d * (d + 1) / 2,
    );
    let mut cov = vec![0.0; d * d];
    let mut idx = 0;
    for a in 0..d {
        for b in a..d {
            let v = upper[idx] / (n - 1) as f64;
            cov[a * d + b] = v;
            cov[b * d + a] = v;
            idx += 1;
        }
    }
    let total_variance: f64 = (0..d).map(|a| cov[a * d + a]).sum();
    let (values, vectors) = symmetric_eigen(&cov, d);
    let mut components = vec![0.0; k * d];
    for c in 0..k {
        let row = &mut components[c * d..(c + 1) * d];
        for (f, slot) in row.iter_mut().enumerate() {
            *slot = vectors[f * d + c];
        }
        // Jacobi returns orthonormal vectors already; renormalising removes the last bits
        // of drift so that rows are unit length to rounding.
        let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
        let largest = row
            .iter()
            .enumerate()
            .fold((0, 0.0f64), |best, (f, v)| {
                if v.abs() > best.1 {
                    (f, v.abs())
                } else {
                    best
                }
            })
            .0;
        let sign = if row[largest] < 0.0 { -1.0 } else { 1.0 };
        row.iter_mut().for_each(|v| *v *= sign / norm);
    }
    // Rounding can leave null directions slightly negative; a variance cannot be.
    let explained_variance: Vec<f64> = values[..k].iter().map(|v| v.max(0.0)).collect();
    let explained_variance_ratio = explained_variance
        .iter()
        .map(|v| {
            if total_variance > 0.0 {
                v / total_variance
            } else {
                0.0
            }
        })
        .collect();
    let mut fit = Pca {
        d,
        k,
        mean,
        components,
        explained_variance,
        explained_variance_ratio,
        total_variance,
        scores: Vec::new(),
    };
    fit.scores = fit.scores_of(x);
    fit
}

/// Per-block partial sums of `f(row, acc)` over the rows of `x`, added in block order, so
/// the floating-point result is the same for any number of threads.
fn block_sums(x: &[f64], d: usize, f: impl Fn(&[f64], &mut [f64]) + Sync, len: usize) -> Vec<f64> {
    let partials: Vec<Vec<f64>> = x
        .par_chunks((BLOCK * d).max(1))
        .map(|block| {
            let mut acc = vec![0.0; len];
            block.chunks_exact(d).for_each(|row| f(row, &mut acc));
            acc
        })
        .collect();
    let mut total = vec![0.0; len];
    for p in partials {
        total.iter_mut().zip(p).for_each(|(t, v)| *t += v);
    }
    total
}

impl Pca {
    /// Scores of new rows `x` (the fitted data's d columns, feature units) on the kept
    /// axes: n × k row-major. Errors if `x` has another number of columns.
    pub fn transform(
        &self,
        x: peergroup_numeric::MatRef<'_>,
    ) -> Result<Vec<f64>, crate::ClusterError> {
        crate::error::check_len("columns of the rows to transform", self.d, x.cols())?;
        Ok(self.scores_of(x.as_slice()))
    }

    /// Scores of the rows of `x` (n × d row-major).
    fn scores_of(&self, x: &[f64]) -> Vec<f64> {
        let (d, k) = (self.d, self.k);
        let n = x.len() / d.max(1);
        let mut scores = vec![0.0; n * k];
        scores
            .par_chunks_mut(k)
            .zip(x.par_chunks(d.max(1)))
            .with_min_len(256)
            .for_each(|(out, row)| {
                for (c, slot) in out.iter_mut().enumerate() {
                    let axis = &self.components[c * d..(c + 1) * d];
                    *slot = row
                        .iter()
                        .zip(&self.mean)
                        .zip(axis)
                        .map(|((v, m), a)| (v - m) * a)
                        .sum();
                }
            });
        scores
    }

    /// Rows rebuilt from scores (n × k): mean + scores·components, n × d row-major
    /// (feature units); exact up to rounding when k = d. Errors if `scores` does not have
    /// k columns.
    pub fn inverse_transform(
        &self,
        scores: peergroup_numeric::MatRef<'_>,
    ) -> Result<Vec<f64>, crate::ClusterError> {
        let (n, d, k) = (scores.rows(), self.d, self.k);
        crate::error::check_len("columns of the scores", k, scores.cols())?;
        let scores = scores.as_slice();
        let mut x = Vec::with_capacity(n * d);
        for s in scores.chunks_exact(k) {
            for f in 0..d {
                x.push(
                    self.mean[f]
                        + (0..k)
                            .map(|c| s[c] * self.components[c * d + f])
                            .sum::<f64>(),
                );
            }
        }
        Ok(x)
    }
}
