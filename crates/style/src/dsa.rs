//! Dynamic style analysis (Markov, Mottl & Muchnik 2004; seed 004 appendix C):
//!
//! `min Σ_t w_t (r_t − x_tᵀβ_t)² + λ Σ_{t≥2} (β_t − β_{t−1})ᵀ D (β_t − β_{t−1})`
//! subject to `1ᵀβ_t = 1` (budget) and optionally `β_t ≥ 0`.
//!
//! D is diagonal with the factors' variances, so that a change of exposure is priced by
//! the return variance it moves and λ is free of units (default scaling of the SPEC).
//!
//! **Sign-free case, O(T·n³).** The budget is removed by writing `β_t = β₀ + M u_t` with
//! `β₀ = 1/n` and M a basis of the plane `1ᵀβ = 0` whitened so that `MᵀDM = I`. The
//! normal equations in `u` are block tridiagonal with identity coupling `−λI`; one
//! forward elimination and one back substitution (a Kalman/RTS-smoother in disguise,
//! the flexible-least-squares recursion) solve them exactly.
//!
//! **Long-only case.** A sparse QP in all `T·n` exposures, solved with clarabel.
//!
//! **λ.** Chosen by predicted R²: leave one block of time out (calendar years, or five
//! contiguous blocks when the window spans fewer than four years), refit with the
//! block's observations removed (their exposures are then interpolated by the
//! smoothness penalty), predict the block's returns, and score
//! `1 − PRESS / Σ(r − r̄)²`. A coarse grid over λ = 10⁻²…10⁶ is refined by golden-section
//! search in log λ. For the long-only model λ is selected on the sign-free model (exact
//! and fast) and the long-only path is solved once at that λ.
//! As λ → ∞ every β_t equals the whole-sample budget-constrained fit (Sharpe's model
//! under long-only); as λ → 0 the path fits the returns exactly.

use clarabel::algebra::CscMatrix;
use clarabel::solver::SupportedConeT;

use crate::conic::solve_qp;
use crate::linalg::{cholesky, cholesky_inverse, cholesky_regularised};
use crate::sharpe::QpError;

/// How λ is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lambda {
    /// Maximise predicted R² (leave-one-block-out).
    Auto,
    /// A fixed positive value.
    Fixed(f64),
}

/// One fund's dynamic style problem on a window of T dates.
#[derive(Clone, Copy, Debug)]
pub struct DsaProblem<'a> {
    /// Factor returns, row-major `T × n`.
    pub x: &'a [f64],
    /// Fund returns (NaN = not observed: the date gets no fit term).
    pub r: &'a [f64],
    /// Cross-validation block of each date (e.g. its calendar year).
    pub block: &'a [i32],
    /// Number of factors.
    pub n: usize,
}

/// Result of a dynamic style fit.
#[derive(Clone, Debug, PartialEq)]
pub struct DsaFit {
    /// Exposures, row-major `T × n`.
    pub betas: Vec<f64>,
    /// λ used.
    pub lambda: f64,
    /// Leave-one-block-out predicted R² at λ.
    pub predicted_r2: f64,
}

/// Reduced, whitened sign-free problem.
struct Reduced {
    t: usize,
    n: usize,
    m: usize,
    beta0: Vec<f64>,
    /// n × m, row-major: β_t = β₀ + M u_t.
    basis: Vec<f64>,
    /// T × m: x̂_t = Mᵀ x_t.
    xh: Vec<f64>,
    /// r_t − x_tᵀβ₀ (NaN where unobserved).
    r0: Vec<f64>,
}

impl Reduced {
    fn new(p: &DsaProblem<'_>, budget: bool) -> Result<Reduced, QpError> {
        let n = p.n;
        let t = p.r.len();
        // D = diag(Var(x_i)) over the observed dates.
        let obs: Vec<usize> = (0..t).filter(|&k| !p.r[k].is_nan()).collect();
        let mut d = vec![0.0; n];
        for (i, di) in d.iter_mut().enumerate() {
            let mean = obs.iter().map(|&k| p.x[k * n + i]).sum::<f64>() / obs.len() as f64;
            *di = obs
                .iter()
                .map(|&k| (p.x[k * n + i] - mean).powi(2))
                .sum::<f64>()
                / (obs.len() as f64 - 1.0).max(1.0);
            if !(*di > 0.0) {
                return Err(QpError(format!("factor {i} has no variance in the window")));
            }
        }
        // Orthonormal basis N of 1ᵀβ = 0 from a Householder reflection (or I without budget).
        let (m, nb) = if budget {
            let s = 1.0 / (n as f64).sqrt();
            let mut v: Vec<f64> = vec![s; n];
            v[0] -= 1.0;
            let vv: f64 = v.iter().map(|a| a * a).sum();
            // H = I − 2vvᵀ/vᵀv maps 1/√n to e₁; its columns 2..n span 1⊥.
            let mut nb = vec![0.0; n * (n - 1)];
            for i in 0..n {
                for j in 1..n {
                    let h = f64::from(u8::from(i == j)) - 2.0 * v[i] * v[j] / vv;
                    nb[i * (n - 1) + (j - 1)] = h;
                }
            }
            (n - 1, nb)
        } else {
            let mut nb = vec![0.0; n * n];
            for i in 0..n {
                nb[i * n + i] = 1.0;
            }
            (n, nb)
        };
        // Whiten: C Cᵀ = NᵀDN, M = N C⁻ᵀ so that MᵀDM = I.
        let mut ndn = vec![0.0; m * m];
        for a in 0..m {
            for b in 0..m {
                ndn[a * m + b] = (0..n).map(|i| nb[i * m + a] * d[i] * nb[i * m + b]).sum();
            }
        }
        let mut c = vec![0.0; m * m];
        if !cholesky(&ndn, m, &mut c) {
            return Err(QpError("penalty scaling is not positive definite".into()));
        }
        // M = N C⁻ᵀ: solve C Mᵀ_row... row i of M = (C⁻¹ Nᵢᵀ)ᵀ
        let mut basis = vec![0.0; n * m];
        for i in 0..n {
            let mut row: Vec<f64> = nb[i * m..(i + 1) * m].to_vec();
            for a in 0..m {
                let mut s = row[a];
                for b in 0..a {
                    s -= c[a * m + b] * row[b];
                }
                row[a] = s / c[a * m + a];
            }
            basis[i * m..(i + 1) * m].copy_from_slice(&row);
        }
        let beta0 = if budget {
            vec![1.0 / n as f64; n]
        } else {
            vec![0.0; n]
        };
        let mut xh = vec![0.0; t * m];
        let mut r0 = vec![f64::NAN; t];
        for k in 0..t {
            let xk = &p.x[k * n..(k + 1) * n];
            for a in 0..m {
                xh[k * m + a] = (0..n).map(|i| basis[i * m + a] * xk[i]).sum();
            }
            if !p.r[k].is_nan() {
                r0[k] = p.r[k] - xk.iter().zip(&beta0).map(|(a, b)| a * b).sum::<f64>();
            }
        }
        Ok(Reduced {
            t,
            n,
            m,
            beta0,
            basis,
            xh,
            r0,
        })
    }

    /// Solve the smoother with dates where `skip(k)` is true left out of the fit term.
    /// Returns u (T × m).
    fn solve(
        &self,
        lambda: f64,
        skip: &dyn Fn(usize) -> bool,
        ws: &mut Workspace,
    ) -> Result<Vec<f64>, QpError> {
        let (t, m) = (self.t, self.m);
        ws.sinv.resize(t * m * m, 0.0);
        let mut y = vec![0.0; t * m];
        let mut s = vec![0.0; m * m];
        let mut l = vec![0.0; m * m];
        let mut work = vec![0.0; m * m];
        let mut col = vec![0.0; m];
        for k in 0..t {
            let neighbours = f64::from(u8::from(k > 0) + u8::from(k + 1 < t));
            s.fill(0.0);
            for a in 0..m {
                s[a * m + a] = lambda * neighbours;
            }
            let yk = &mut y[k * m..(k + 1) * m];
            let use_obs = !self.r0[k].is_nan() && !skip(k);
            if use_obs {
                let xk = &self.xh[k * m..(k + 1) * m];
                for a in 0..m {
                    for b in 0..m {
                        s[a * m + b] += xk[a] * xk[b];
                    }
                    yk[a] = self.r0[k] * xk[a];
                }
            }
            if k > 0 {
                let (prev, _) = ws.sinv.split_at(k * m * m);
                let pinv = &prev[(k - 1) * m * m..];
                let (ys, yrest) = y.split_at_mut(k * m);
                let yprev = &ys[(k - 1) * m..];
                for a in 0..m {
                    for b in 0..m {
                        s[a * m + b] -= lambda * lambda * pinv[a * m + b];
                    }
                    yrest[a] += lambda * (0..m).map(|b| pinv[a * m + b] * yprev[b]).sum::<f64>();
                }
            }
            if !cholesky_regularised(&s, m, &mut l, &mut work) {
                return Err(QpError(
                    "dynamic style system is not positive definite".into(),
                ));
            }
            cholesky_inverse(&l, m, &mut ws.sinv[k * m * m..(k + 1) * m * m], &mut col);
        }
        // back substitution: u_T = S_T⁻¹ y_T, u_k = S_k⁻¹ (y_k + λ u_{k+1})
        let mut u = vec![0.0; t * m];
        for k in (0..t).rev() {
            for a in 0..m {
                col[a] = y[k * m + a]
                    + if k + 1 < t {
                        lambda * u[(k + 1) * m + a]
                    } else {
                        0.0
                    };
            }
            let sinv = &ws.sinv[k * m * m..(k + 1) * m * m];
            for a in 0..m {
                u[k * m + a] = (0..m).map(|b| sinv[a * m + b] * col[b]).sum();
            }
        }
        Ok(u)
    }

    fn betas(&self, u: &[f64]) -> Vec<f64> {
        let (n, m) = (self.n, self.m);
        let mut out = vec![0.0; self.t * n];
        for k in 0..self.t {
            for i in 0..n {
                out[k * n + i] = self.beta0[i]
                    + (0..m)
                        .map(|a| self.basis[i * m + a] * u[k * m + a])
                        .sum::<f64>();
            }
        }
        out
    }

    /// Leave-one-block-out PRESS and the total sum of squares.
    fn press(
        &self,
        p: &DsaProblem<'_>,
        blocks: &[i32],
        lambda: f64,
        ws: &mut Workspace,
    ) -> Result<(f64, f64), QpError> {
        let mut press = 0.0;
        for &b in blocks {
            let skip = |k: usize| p.block[k] == b;
            let u = self.solve(lambda, &skip, ws)?;
            for k in 0..self.t {
                if p.block[k] == b && !self.r0[k].is_nan() {
                    let pred: f64 = (0..self.m)
                        .map(|a| self.xh[k * self.m + a] * u[k * self.m + a])
                        .sum();
                    press += (self.r0[k] - pred).powi(2);
                }
            }
        }
        let obs: Vec<f64> = p.r.iter().copied().filter(|v| !v.is_nan()).collect();
        let mean = obs.iter().sum::<f64>() / obs.len() as f64;
        let sst = obs.iter().map(|v| (v - mean).powi(2)).sum::<f64>();
        Ok((press, sst))
    }
}

#[derive(Default)]
struct Workspace {
    sinv: Vec<f64>,
}

/// Cross-validation blocks: the given labels when there are at least four, otherwise
/// five contiguous blocks of observed dates.
fn cv_blocks(p: &DsaProblem<'_>) -> (Vec<i32>, Vec<i32>) {
    let mut labels: Vec<i32> = (0..p.r.len())
        .filter(|&k| !p.r[k].is_nan())
        .map(|k| p.block[k])
        .collect();
    labels.dedup();
    let mut distinct = labels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() >= 4 {
        return (distinct, p.block.to_vec());
    }
    let obs: Vec<usize> = (0..p.r.len()).filter(|&k| !p.r[k].is_nan()).collect();
    let mut block = vec![0i32; p.r.len()];
    for (pos, &k) in obs.iter().enumerate() {
        block[k] = (pos * 5 / obs.len().max(1)) as i32;
    }
    // unobserved dates take the block of the previous observed date
    let mut last = 0;
    for k in 0..p.r.len() {
        if p.r[k].is_nan() {
            block[k] = last;
        } else {
            last = block[k];
        }
    }
    ((0..5).collect(), block)
}

/// Fit a dynamic style model.
pub fn dsa(
    p: &DsaProblem<'_>,
    budget: bool,
    long_only: bool,
    lambda: Lambda,
) -> Result<DsaFit, QpError> {
    let t = p.r.len();
    assert_eq!(p.x.len(), t * p.n, "x must be T × n");
    let red = Reduced::new(p, budget)?;
    let mut ws = Workspace::default();
    let (blocks, labels) = cv_blocks(p);
    let relabelled = DsaProblem {
        block: &labels,
        ..*p
    };
    let score = |log_l: f64, ws: &mut Workspace| -> Result<f64, QpError> {
        let (press, sst) = red.press(&relabelled, &blocks, 10f64.powf(log_l), ws)?;
        Ok(1.0 - press / sst)
    };
    let (lam, pred) = match lambda {
        Lambda::Fixed(l) => (l, score(l.log10(), &mut ws)?),
        Lambda::Auto => {
            let grid: Vec<f64> = (-2..=6).map(f64::from).collect();
            let mut best = (grid[0], f64::NEG_INFINITY);
            for &g in &grid {
                let s = score(g, &mut ws)?;
                if s > best.1 {
                    best = (g, s);
                }
            }
            // golden-section refinement in log10 λ around the best grid point
            let (mut a, mut b) = (best.0 - 1.0, best.0 + 1.0);
            let phi = (5f64.sqrt() - 1.0) / 2.0;
            let mut c = b - phi * (b - a);
            let mut d = a + phi * (b - a);
            let mut fc = score(c, &mut ws)?;
            let mut fd = score(d, &mut ws)?;
            for _ in 0..10 {
                if fc > fd {
                    b = d;
                    d = c;
                    fd = fc;
                    c = b - phi * (b - a);
                    fc = score(c, &mut ws)?;
                } else {
                    a = c;
                    c = d;
                    fc = fd;
                    d = a + phi * (b - a);
                    fd = score(d, &mut ws)?;
                }
            }
            for (g, s) in [(c, fc), (d, fd)] {
                if s > best.1 {
                    best = (g, s);
                }
            }
            (10f64.powf(best.0), best.1)
        }
    };
    let betas = if long_only {
        long_only_path(p, budget, lam)?
    } else {
        let u = red.solve(lam, &|_| false, &mut ws)?;
        red.betas(&u)
    };
    Ok(DsaFit {
        betas,
        lambda: lam,
        predicted_r2: pred,
    })
}

/// The long-only path as one sparse QP in all T·n exposures (clarabel).
fn long_only_path(p: &DsaProblem<'_>, budget: bool, lambda: f64) -> Result<Vec<f64>, QpError> {
    let n = p.n;
    let t = p.r.len();
    let obs: Vec<usize> = (0..t).filter(|&k| !p.r[k].is_nan()).collect();
    let mut d = vec![0.0; n];
    for (i, di) in d.iter_mut().enumerate() {
        let mean = obs.iter().map(|&k| p.x[k * n + i]).sum::<f64>() / obs.len() as f64;
        *di = obs
            .iter()
            .map(|&k| (p.x[k * n + i] - mean).powi(2))
            .sum::<f64>()
            / (obs.len() as f64 - 1.0).max(1.0);
    }
    let dim = t * n;
    // P = 2(blockdiag(w_t x_t x_tᵀ) + λ L ⊗ D), upper triangle, column by column.
    let mut colptr = Vec::with_capacity(dim + 1);
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    colptr.push(0);
    for k in 0..t {
        let w = if p.r[k].is_nan() { 0.0 } else { 1.0 };
        let neighbours = f64::from(u8::from(k > 0) + u8::from(k + 1 < t));
        for i in 0..n {
            if k > 0 {
                rowval.push((k - 1) * n + i);
                nzval.push(-2.0 * lambda * d[i]);
            }
            for j in 0..=i {
                let mut v = 2.0 * w * p.x[k * n + j] * p.x[k * n + i];
                if i == j {
                    v += 2.0 * lambda * neighbours * d[i];
                }
                rowval.push(k * n + j);
                nzval.push(v);
            }
            colptr.push(rowval.len());
        }
    }
    let pm = CscMatrix::new(dim, dim, colptr, rowval, nzval);
    let q: Vec<f64> = (0..dim)
        .map(|j| {
            let k = j / n;
            if p.r[k].is_nan() {
                0.0
            } else {
                -2.0 * p.r[k] * p.x[j]
            }
        })
        .collect();
    let budget_rows = if budget { t } else { 0 };
    let rows = budget_rows + dim;
    let mut colptr = Vec::with_capacity(dim + 1);
    let mut rowval = Vec::with_capacity(2 * dim);
    let mut nzval = Vec::with_capacity(2 * dim);
    colptr.push(0);
    for j in 0..dim {
        if budget {
            rowval.push(j / n);
            nzval.push(1.0);
        }
        rowval.push(budget_rows + j);
        nzval.push(-1.0);
        colptr.push(rowval.len());
    }
    let am = CscMatrix::new(rows, dim, colptr, rowval, nzval);
    let mut b = vec![0.0; rows];
    b[..budget_rows].fill(1.0);
    let mut cones = Vec::new();
    if budget {
        cones.push(SupportedConeT::ZeroConeT(t));
    }
    cones.push(SupportedConeT::NonnegativeConeT(dim));
    let mut x = solve_qp(&pm, &q, &am, &b, &cones)?;
    // interior-point solutions sit a hair inside the bounds: snap to them
    for v in &mut x {
        if *v < 0.0 {
            *v = 0.0;
        }
    }
    Ok(x)
}
