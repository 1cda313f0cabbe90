//! Engle's Lagrange-multiplier test for ARCH effects, and the χ² tail it needs.

use crate::qp::solve_in_place;

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

/// Upper tail `P(X > x)` of a χ² distribution with `k` degrees of freedom.
pub fn chi2_sf(x: f64, k: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    gamma_q(0.5 * k, 0.5 * x)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-15).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularised upper incomplete gamma `Q(a, x)`: series below `a + 1`, Lentz's continued
/// fraction above (Numerical Recipes' split).
fn gamma_q(a: f64, x: f64) -> f64 {
    let log_prefactor = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * log_prefactor.exp()
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        log_prefactor.exp() * h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi2_tail_closed_forms() {
        // k = 2: P(X > x) = e^{−x/2}.
        for x in [0.1, 1.0, 3.0, 10.0, 40.0] {
            assert!((chi2_sf(x, 2.0) - (-x / 2.0).exp()).abs() < 1e-14);
        }
        // k = 4: e^{−x/2}(1 + x/2).
        for x in [0.5f64, 2.0, 9.0] {
            let exact = (-x / 2.0).exp() * (1.0 + x / 2.0);
            assert!((chi2_sf(x, 4.0) - exact).abs() < 1e-14);
        }
        // k = 1: erfc(√(x/2)); the 5% critical value is 3.841458820694124.
        assert!((chi2_sf(3.841_458_820_694_124, 1.0) - 0.05).abs() < 1e-12);
        // scipy.stats.chi2.sf(11.070497693516351, 5) = 0.05.
        assert!((chi2_sf(11.070_497_693_516_351, 5.0) - 0.05).abs() < 1e-12);
        assert_eq!(chi2_sf(0.0, 3.0), 1.0);
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!(ln_gamma(1.0).abs() < 1e-15);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
        assert!((ln_gamma(10.0) - 362_880f64.ln()).abs() < 1e-12);
    }
}
