//! Engle's Lagrange-multiplier test for ARCH effects.

use crate::qp::solve_in_place;
use peergroup_numeric::stats::chi2_sf;

/// Result of Engle's ARCH-LM test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArchLm {
    /// LM statistic `n·R²` (χ² with `lags` degrees of freedom under no ARCH).
    pub statistic: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
    /// Lags in the auxiliary regression.
    pub lags: usize,
    /// Observations in the auxiliary regression (`T − lags`).
    pub nobs: usize,
}

/// Engle's ARCH-LM test on residuals `z` (typically standardised): regress `z²_t` on a
/// constant and `z²_{t−1}, …, z²_{t−q}` over `t = q+1..T` and return `n·R²` with its
/// χ²(q) p-value. Same definition as statsmodels' `het_arch(z, nlags=q)` (ddof = 0).
///
/// # Panics
/// If `lags == 0` or `z.len() ≤ 2·lags + 1`.
pub fn arch_lm(z: &[f64], lags: usize) -> ArchLm {
    assert!(
        lags >= 1 && z.len() > 2 * lags + 1,
        "arch_lm: too few observations"
    );
    let u: Vec<f64> = z.iter().map(|v| v * v).collect();
    let n = u.len() - lags;
    let k = lags + 1;
    // Normal equations; columns are centred first so the constant drops out and the
    // system stays well conditioned.
    let y = &u[lags..];
    let y_mean = y.iter().sum::<f64>() / n as f64;
    let col = |j: usize| &u[lags - j..u.len() - j];
    let means: Vec<f64> = (1..k)
        .map(|j| col(j).iter().sum::<f64>() / n as f64)
        .collect();
    let q = lags;
    let mut xtx = vec![0.0; q * q];
    let mut xty = vec![0.0; q];
    for a in 0..q {
        let ca = col(a + 1);
        for b in 0..=a {
            let cb = col(b + 1);
            let s: f64 = ca
                .iter()
                .zip(cb)
                .map(|(x, w)| (x - means[a]) * (w - means[b]))
                .sum();
            xtx[a * q + b] = s;
            xtx[b * q + a] = s;
        }
        xty[a] = ca
            .iter()
            .zip(y)
            .map(|(x, v)| (x - means[a]) * (v - y_mean))
            .sum();
    }
    let tss: f64 = y.iter().map(|v| (v - y_mean) * (v - y_mean)).sum();
    let xty_copy = xty.clone();
    let ess = if solve_in_place(&mut xtx, q, &mut xty) {
        xty.iter().zip(&xty_copy).map(|(b, c)| b * c).sum::<f64>()
    } else {
        f64::NAN
    };
    let r2 = if tss > 0.0 { ess / tss } else { 0.0 };
    let statistic = n as f64 * r2;
    ArchLm {
        statistic,
        p_value: chi2_sf(statistic, lags as f64),
        lags,
        nobs: n,
    }
}
