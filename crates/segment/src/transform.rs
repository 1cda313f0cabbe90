//! Scale transforms for feature matrices (METHODS §6.2).
//!
//! Sales of a large fund and a small fund differ by orders of magnitude; these put
//! entities on a comparable footing before clustering. Each works on a [`Matrix`] in
//! place and can be chained (e.g. `log1p` then `zscore`).

use rayon::prelude::*;

use crate::Matrix;

/// One transform of a feature matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transform {
    /// Each value divided by the row's sum of absolute values (L1 norm): quarterly sales as
    /// a share of the entity's total activity in the window, in [−1, 1]. With no
    /// redemptions this is the share of the entity's total sales; a net redemption
    /// quarter gives a negative share. A zero row stays zero.
    Share,
    /// Sign-preserving `sign(x)·ln(1 + |x|)` (x in dollars), so redemptions stay negative.
    Log1p,
    /// Per column across rows: `(x − mean) / sd` with the population sd (divisor n, as
    /// scikit-learn's `StandardScaler`); a constant column becomes 0.
    ZScore,
    /// Each row divided by its Euclidean (L2) norm; a zero row stays zero.
    RowNorm,
}

impl Transform {
    /// Every transform, in documentation order.
    pub const ALL: [Transform; 4] = [
        Transform::Share,
        Transform::Log1p,
        Transform::ZScore,
        Transform::RowNorm,
    ];

    /// Command-line name (`share`, `log1p`, `zscore`, `rownorm`).
    pub fn name(self) -> &'static str {
        match self {
            Transform::Share => "share",
            Transform::Log1p => "log1p",
            Transform::ZScore => "zscore",
            Transform::RowNorm => "rownorm",
        }
    }

    /// The transform called `name` (case-insensitive; `z-score`, `row-norm` also accepted).
    pub fn parse(name: &str) -> Option<Transform> {
        let n: String = name
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        Transform::ALL.into_iter().find(|t| t.name() == n)
    }

    /// Apply this transform to `m` in place.
    pub fn apply(self, m: &mut Matrix) {
        let cols = m.cols();
        if cols == 0 {
            return;
        }
        match self {
            Transform::Share => scale_rows(m, |r| r.iter().map(|x| x.abs()).sum()),
            Transform::RowNorm => scale_rows(m, |r| r.iter().map(|x| x * x).sum::<f64>().sqrt()),
            Transform::Log1p => m
                .as_mut_slice()
                .par_iter_mut()
                .for_each(|x| *x = signed_log1p(*x)),
            Transform::ZScore => zscore_columns(m),
        }
    }
}

impl std::fmt::Display for Transform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Apply `transforms` to `m` in order.
pub fn apply_all(m: &mut Matrix, transforms: &[Transform]) {
    for t in transforms {
        t.apply(m);
    }
}

/// `sign(x)·ln(1 + |x|)`: log scale for amounts of either sign (0 ↦ 0).
pub fn signed_log1p(x: f64) -> f64 {
    x.signum() * x.abs().ln_1p()
}

/// Divide each row by `norm(row)` unless that is zero.
fn scale_rows(m: &mut Matrix, norm: impl Fn(&[f64]) -> f64 + Sync) {
    let cols = m.cols();
    m.as_mut_slice().par_chunks_mut(cols).for_each(|r| {
        let s = norm(r);
        if s > 0.0 {
            r.iter_mut().for_each(|x| *x /= s);
        }
    });
}

/// Per-column population mean and sd of `m` (two-pass, summed in row order).
pub fn column_moments(m: &Matrix) -> (Vec<f64>, Vec<f64>) {
    let (n, p) = (m.rows(), m.cols());
    let mut mean = vec![0.0; p];
    let mut sd = vec![0.0; p];
    if n == 0 {
        return (vec![f64::NAN; p], vec![f64::NAN; p]);
    }
    for i in 0..n {
        for (s, x) in mean.iter_mut().zip(m.row(i)) {
            *s += x;
        }
    }
    mean.iter_mut().for_each(|s| *s /= n as f64);
    for i in 0..n {
        for ((s, x), mu) in sd.iter_mut().zip(m.row(i)).zip(&mean) {
            *s += (x - mu) * (x - mu);
        }
    }
    sd.iter_mut().for_each(|s| *s = (*s / n as f64).sqrt());
    (mean, sd)
}

/// Z-score every column in place (population sd; constant columns become 0).
fn zscore_columns(m: &mut Matrix) {
    let (mean, sd) = column_moments(m);
    let cols = m.cols();
    m.as_mut_slice().par_chunks_mut(cols).for_each(|r| {
        for ((x, mu), s) in r.iter_mut().zip(&mean).zip(&sd) {
            // A column is constant when its sd is zero or rounding noise against its scale.
            *x = if *s > 1e-12 * mu.abs().max(f64::MIN_POSITIVE) {
                (*x - mu) / s
            } else {
                0.0
            };
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names() {
        assert_eq!(Transform::parse("Z-Score"), Some(Transform::ZScore));
        assert_eq!(Transform::parse("row_norm"), Some(Transform::RowNorm));
        assert_eq!(Transform::parse("log"), None);
        for t in Transform::ALL {
            assert_eq!(Transform::parse(t.name()), Some(t));
        }
    }

    #[test]
    fn signed_log_keeps_sign() {
        assert_eq!(signed_log1p(0.0), 0.0);
        assert!((signed_log1p(-(std::f64::consts::E - 1.0)) + 1.0).abs() < 1e-15);
        assert!((signed_log1p(99.0) - 100f64.ln()).abs() < 1e-15);
    }
}
