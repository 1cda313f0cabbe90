//! Sufficient statistics of a regression window, updated row by row.
//!
//! Rolling windows add the entering observation and remove the leaving one, so a step
//! costs O(n²) instead of rebuilding `XᵀX` from the whole window (O(W·n²)). Fit
//! statistics come from the same sums, without a second pass over the window.

/// `XᵀX`, `Xᵀr`, `Σx`, `Σr`, `Σr²` and the count of a window.
#[derive(Clone, Debug)]
pub struct Moments {
    n: usize,
    /// Row-major `n × n` Gram matrix.
    pub xx: Vec<f64>,
    /// `Xᵀr`.
    pub xr: Vec<f64>,
    /// Column sums of X.
    pub sx: Vec<f64>,
    /// Sum of returns.
    pub sr: f64,
    /// Sum of squared returns.
    pub srr: f64,
    /// Observations in the window.
    pub count: usize,
}

/// Goodness of fit of exposures on a window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitStats {
    /// `1 − Var(e) / Var(r)` (Sharpe's definition; residuals need not have zero mean).
    pub r2: f64,
    /// `1 − (1 − R²)(m − 1)/(m − p − 1)` with p free parameters.
    pub adj_r2: f64,
    /// Standard deviation of residuals per period.
    pub tracking_error: f64,
    /// Sum of squared residuals `‖r − Xβ‖²`.
    pub ssr: f64,
}

impl Moments {
    /// Empty moments for `n` factors.
    pub fn new(n: usize) -> Moments {
        Moments {
            n,
            xx: vec![0.0; n * n],
            xr: vec![0.0; n],
            sx: vec![0.0; n],
            sr: 0.0,
            srr: 0.0,
            count: 0,
        }
    }

    /// Number of factors.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Reset to an empty window.
    pub fn clear(&mut self) {
        self.xx.fill(0.0);
        self.xr.fill(0.0);
        self.sx.fill(0.0);
        self.sr = 0.0;
        self.srr = 0.0;
        self.count = 0;
    }

    fn update(&mut self, x: &[f64], r: f64, sign: f64) {
        let n = self.n;
        for i in 0..n {
            let xi = sign * x[i];
            let row = &mut self.xx[i * n..(i + 1) * n];
            for (g, xj) in row.iter_mut().zip(x) {
                *g += xi * xj;
            }
            self.xr[i] += xi * r;
            self.sx[i] += xi;
        }
        self.sr += sign * r;
        self.srr += sign * r * r;
    }

    /// Add one observation (factor row `x`, fund return `r`).
    pub fn add(&mut self, x: &[f64], r: f64) {
        self.update(x, r, 1.0);
        self.count += 1;
    }

    /// Remove an observation added before.
    pub fn remove(&mut self, x: &[f64], r: f64) {
        self.update(x, r, -1.0);
        self.count -= 1;
    }

    /// Fit statistics of exposures `beta` with `params` free parameters.
    pub fn stats(&self, beta: &[f64], params: usize) -> FitStats {
        let n = self.n;
        let mut quad = 0.0;
        for i in 0..n {
            let gi: f64 = (0..n).map(|j| self.xx[i * n + j] * beta[j]).sum();
            quad += beta[i] * gi;
        }
        let lin: f64 = beta.iter().zip(&self.xr).map(|(b, c)| b * c).sum();
        let fitted: f64 = beta.iter().zip(&self.sx).map(|(b, s)| b * s).sum();
        finish_stats((quad, lin, fitted), &self.return_sums(), params)
    }

    /// The return side of these sums.
    pub fn return_sums(&self) -> ReturnSums<'_> {
        ReturnSums {
            xr: &self.xr,
            sr: self.sr,
            srr: self.srr,
            m: self.count,
        }
    }

    /// Gram matrix and `Xᵀr` restricted to the factors in `subset`, into `g` and `c`.
    pub fn restrict(&self, subset: &[usize], g: &mut [f64], c: &mut [f64]) {
        let k = subset.len();
        for (a, &i) in subset.iter().enumerate() {
            for (b, &j) in subset.iter().enumerate() {
                g[a * k + b] = self.xx[i * self.n + j];
            }
            c[a] = self.xr[i];
        }
    }
}

/// The return side of a window's sums, which the fit statistics need besides the factor
/// side: `Xᵀr`, `Σr`, `Σr²` over `m` observations.
#[derive(Clone, Copy, Debug)]
pub struct ReturnSums<'a> {
    /// `Xᵀr`, one entry per factor.
    pub xr: &'a [f64],
    /// Sum of returns.
    pub sr: f64,
    /// Sum of squared returns.
    pub srr: f64,
    /// Observations in the window.
    pub m: usize,
}

/// Fit statistics of `beta` from a window's sums when `beta` is zero outside `support`
/// (ascending factor indices): `xx` is the row-major `n × n` Gram matrix, `sx` the column
/// sums of X, `sums` the return side. Equal to [`Moments::stats`] on the same sums, in
/// O(|support|²).
pub fn stats_on_support(
    xx: &[f64],
    sx: &[f64],
    sums: &ReturnSums<'_>,
    beta: &[f64],
    support: &[usize],
    params: usize,
) -> FitStats {
    let xr = sums.xr;
    let n = xr.len();
    let mut quad = 0.0;
    let (mut lin, mut fitted) = (-0.0, -0.0);
    for &i in support {
        let row = &xx[i * n..(i + 1) * n];
        let gi: f64 = support.iter().map(|&j| row[j] * beta[j]).sum();
        quad += beta[i] * gi;
        lin += beta[i] * xr[i];
        fitted += beta[i] * sx[i];
    }
    finish_stats((quad, lin, fitted), sums, params)
}

/// Fit statistics of `beta` (first `n` entries, `n = sums.xr.len()`) when `gbeta = Gβ`
/// is already known, as the active-set solver leaves it, with `sx` the column sums of X:
/// the same sums as [`stats_on_support`] (terms off the support are exact zeros) in O(n).
pub fn stats_with_gram_beta(
    gbeta: &[f64],
    sx: &[f64],
    sums: &ReturnSums<'_>,
    beta: &[f64],
    params: usize,
) -> FitStats {
    let xr = sums.xr;
    let n = xr.len();
    let (beta, gbeta, sx) = (&beta[..n], &gbeta[..n], &sx[..n]);
    let mut quad = 0.0;
    let (mut lin, mut fitted) = (-0.0, -0.0);
    for i in 0..n {
        quad += beta[i] * gbeta[i];
        lin += beta[i] * xr[i];
        fitted += beta[i] * sx[i];
    }
    finish_stats((quad, lin, fitted), sums, params)
}

/// R², adjusted R², tracking error and SSR from `(βᵀGβ, βᵀXᵀr, βᵀΣx)` and the return
/// sums.
fn finish_stats(
    (quad, lin, fitted): (f64, f64, f64),
    sums: &ReturnSums<'_>,
    params: usize,
) -> FitStats {
    let (sr, srr, m) = (sums.sr, sums.srr, sums.m as f64);
    let ssr = (srr - 2.0 * lin + quad).max(0.0);
    let mean_e = (sr - fitted) / m;
    let var_e = ((ssr - m * mean_e * mean_e) / (m - 1.0)).max(0.0);
    let var_r = ((srr - sr * sr / m) / (m - 1.0)).max(0.0);
    let r2 = if var_r > 0.0 {
        1.0 - var_e / var_r
    } else {
        f64::NAN
    };
    let dof = m - params as f64 - 1.0;
    let adj_r2 = if dof > 0.0 {
        1.0 - (1.0 - r2) * (m - 1.0) / dof
    } else {
        f64::NAN
    };
    FitStats {
        r2,
        adj_r2,
        tracking_error: var_e.sqrt(),
        ssr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_update_equals_rebuild_and_stats_match_direct_computation() {
        let xs = [[1.0, 0.5], [0.2, -0.3], [-0.4, 0.8], [0.9, 0.1], [0.3, 0.3]];
        let rs = [0.7, -0.1, 0.3, 0.5, 0.25];
        let mut rolled = Moments::new(2);
        for k in 0..3 {
            rolled.add(&xs[k], rs[k]);
        }
        rolled.remove(&xs[0], rs[0]);
        rolled.add(&xs[3], rs[3]);
        let mut fresh = Moments::new(2);
        for k in 1..4 {
            fresh.add(&xs[k], rs[k]);
        }
        for (a, b) in rolled.xx.iter().zip(&fresh.xx) {
            assert!((a - b).abs() < 1e-15);
        }
        // statistics against a direct residual computation
        let beta = [0.6, 0.4];
        let e: Vec<f64> = (1..4)
            .map(|k| rs[k] - beta[0] * xs[k][0] - beta[1] * xs[k][1])
            .collect();
        let r: Vec<f64> = (1..4).map(|k| rs[k]).collect();
        let var = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
        };
        let s = fresh.stats(&beta, 1);
        assert!((s.ssr - e.iter().map(|x| x * x).sum::<f64>()).abs() < 1e-14);
        assert!((s.r2 - (1.0 - var(&e) / var(&r))).abs() < 1e-13);
        assert!((s.tracking_error - var(&e).sqrt()).abs() < 1e-13);
        assert!((s.adj_r2 - (1.0 - (1.0 - s.r2) * 2.0 / 1.0)).abs() < 1e-13);
    }
}
