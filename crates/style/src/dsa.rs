//! Dynamic style analysis (Markov, Mottl & Muchnik 2004; METHODS §2.6–§2.8):
//!
//! `min Σ_t w_t (r_t − x_tᵀβ_t)² + λ Σ_{t≥2} (β_t − β_{t−1})ᵀ D (β_t − β_{t−1})`
//! subject to `1ᵀβ_t = 1` (budget) and optionally `β_t ≥ 0`.
//!
//! D is diagonal with the factors' variances, so that a change of exposure is priced by
//! the return variance it moves and λ is free of units (METHODS §2.6).
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
use crate::sharpe::QpError;
use peergroup_numeric::linalg::{cholesky, cholesky_inverse, cholesky_regularised, cholesky_solve};

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

/// D = diag(Var(x_i)): each factor's sample variance over the dates with a return.
fn penalty_scales(p: &DsaProblem<'_>) -> Vec<f64> {
    let n = p.n;
    let obs: Vec<usize> = (0..p.r.len()).filter(|&k| !p.r[k].is_nan()).collect();
    let m = obs.len() as f64;
    (0..n)
        .map(|i| {
            let mean = obs.iter().map(|&k| p.x[k * n + i]).sum::<f64>() / m;
            obs.iter()
                .map(|&k| (p.x[k * n + i] - mean).powi(2))
                .sum::<f64>()
                / (m - 1.0).max(1.0)
        })
        .collect()
}

impl Reduced {
    fn new(p: &DsaProblem<'_>, budget: bool) -> Result<Reduced, QpError> {
        let n = p.n;
        let t = p.r.len();
        let d = penalty_scales(p);
        if let Some(i) = d.iter().position(|v| v.is_nan() || *v <= 0.0) {
            return Err(QpError(format!("factor {i} has no variance in the window")));
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
    ///
    /// The objective is the negative log-posterior of a random-walk state `u_t` (step
    /// covariance I/λ) observed through scalar returns with unit noise, with a flat prior
    /// on `u_0`. Two phases make it exact and O(T·m²) after the start:
    ///
    /// 1. Information form while the data do not yet pin `u_t` down: the forward message
    ///    `A_k = w·hhᵀ + λI − λ²(A_{k−1} + λI)⁻¹`, `a_k = w·r·h + λ(A_{k−1} + λI)⁻¹a_{k−1}`
    ///    (O(m³) a step), until `A_k` is well-conditioned positive definite, typically after
    ///    about m observations.
    /// 2. From there a covariance Kalman filter, `P = A⁻¹`: every observation is a scalar,
    ///    so each update is rank one, O(m²); then the modified Bryson–Frazier smoother
    ///    backwards, and plain back-substitution `u_k = (A_k + λI)⁻¹(a_k + λu_{k+1})` over
    ///    the first phase.
    fn solve(
        &self,
        lambda: f64,
        skip: &dyn Fn(usize) -> bool,
        ws: &mut Workspace,
    ) -> Result<Vec<f64>, QpError> {
        let (t, m) = (self.t, self.m);
        let q = 1.0 / lambda;
        let mm = m * m;
        ws.pf.resize(t * mm, 0.0);
        ws.zf.resize(t * m, 0.0);
        ws.gain.resize(t * m, 0.0);
        ws.innov.resize(t, 0.0);
        ws.updated.resize(t, false);
        ws.sinv.resize(t * mm, 0.0); // (A_k + λI)⁻¹ of the first phase
        let mut info_a = vec![0.0; mm];
        let mut info_v = vec![0.0; m];
        let mut avec = vec![0.0; t * m]; // a_k of the first phase
        let mut buf = vec![0.0; mm];
        let mut l = vec![0.0; mm];
        let mut work = vec![0.0; mm];
        let mut col = vec![0.0; m];
        let mut ph = vec![0.0; m];
        let mut z = vec![0.0; m];
        let mut p = vec![0.0; mm];
        // first index of the Kalman phase (t if it never starts)
        let mut start = t;
        for k in 0..t {
            let use_obs = !self.r0[k].is_nan() && !skip(k);
            ws.updated[k] = use_obs;
            let h = &self.xh[k * m..(k + 1) * m];
            if start == t {
                // information form: A_k, a_k from A_{k−1} via G = (A_{k−1} + λI)⁻¹
                if k > 0 {
                    // λI − λ²G equals λ·G·A_{k−1}: the product form does not cancel
                    // when λ is large.
                    let g = &ws.sinv[(k - 1) * mm..k * mm];
                    let aprev = avec[(k - 1) * m..k * m].to_vec();
                    buf.copy_from_slice(&info_a);
                    for x in 0..m {
                        for y in 0..m {
                            info_a[x * m + y] =
                                lambda * (0..m).map(|w| g[x * m + w] * buf[w * m + y]).sum::<f64>();
                        }
                        info_v[x] = lambda * (0..m).map(|y| g[x * m + y] * aprev[y]).sum::<f64>();
                    }
                    for x in 0..m {
                        for y in 0..x {
                            let avg = 0.5 * (info_a[x * m + y] + info_a[y * m + x]);
                            info_a[x * m + y] = avg;
                            info_a[y * m + x] = avg;
                        }
                    }
                } else {
                    info_a.fill(0.0);
                    info_v.fill(0.0);
                }
                if use_obs {
                    for x in 0..m {
                        for y in 0..m {
                            info_a[x * m + y] += h[x] * h[y];
                        }
                        info_v[x] += self.r0[k] * h[x];
                    }
                }
                avec[k * m..(k + 1) * m].copy_from_slice(&info_v);
                // switch once A_k is safely positive definite
                if k + 1 >= m && k + 1 < t && cholesky(&info_a, m, &mut l) {
                    let piv: Vec<f64> = (0..m).map(|x| l[x * m + x] * l[x * m + x]).collect();
                    let (lo, hi) = piv
                        .iter()
                        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
                    if lo > 1e-9 * hi {
                        cholesky_inverse(&l, m, &mut p, &mut col);
                        z.copy_from_slice(&info_v);
                        cholesky_solve(&l, m, &mut z);
                        ws.zf[k * m..(k + 1) * m].copy_from_slice(&z);
                        ws.pf[k * mm..(k + 1) * mm].copy_from_slice(&p);
                        // the Kalman phase treats k as already updated
                        ws.updated[k] = false;
                        start = k;
                        continue;
                    }
                }
                // G_k = (A_k + λI)⁻¹ for the next step and the back-substitution
                buf.copy_from_slice(&info_a);
                for x in 0..m {
                    buf[x * m + x] += lambda;
                }
                if !cholesky_regularised(&buf, m, &mut l, &mut work) {
                    return Err(QpError(
                        "dynamic style system is not positive definite".into(),
                    ));
                }
                cholesky_inverse(&l, m, &mut ws.sinv[k * mm..(k + 1) * mm], &mut col);
                if k + 1 == t {
                    // never switched: the last step solves A_{T−1} u = a_{T−1} directly
                    if !cholesky_regularised(&info_a, m, &mut l, &mut work) {
                        return Err(QpError(
                            "too few observations to identify the exposures".into(),
                        ));
                    }
                    z.copy_from_slice(&info_v);
                    cholesky_solve(&l, m, &mut z);
                }
                continue;
            }
            // covariance Kalman filter
            for x in 0..m {
                p[x * m + x] += q;
            }
            if use_obs {
                for x in 0..m {
                    ph[x] = (0..m).map(|y| p[x * m + y] * h[y]).sum();
                }
                let s = 1.0 + h.iter().zip(&ph).map(|(x, y)| x * y).sum::<f64>();
                let e = self.r0[k] - h.iter().zip(&z).map(|(x, y)| x * y).sum::<f64>();
                for x in 0..m {
                    let kx = ph[x] / s;
                    z[x] += kx * e;
                    ws.gain[k * m + x] = kx;
                    for y in 0..m {
                        p[x * m + y] -= kx * ph[y];
                    }
                }
                ws.innov[k] = e / s;
            }
            ws.zf[k * m..(k + 1) * m].copy_from_slice(&z);
            ws.pf[k * mm..(k + 1) * mm].copy_from_slice(&p);
        }
        if z.iter().any(|v| !v.is_finite()) {
            return Err(QpError("dynamic style filter diverged".into()));
        }
        let mut u = vec![0.0; t * m];
        let first_direct = if start == t {
            u[(t - 1) * m..].copy_from_slice(&z);
            t - 1
        } else {
            // Modified Bryson–Frazier: u_k|T = u_k|k − P_k|k λ̂_k, with λ̂ carried back by
            // λ̃_k = −h·e/s + (I − K hᵀ)ᵀ λ̂_k (identity transition).
            let mut lam = vec![0.0; m];
            for k in (start..t).rev() {
                let pk = &ws.pf[k * mm..(k + 1) * mm];
                for x in 0..m {
                    u[k * m + x] =
                        ws.zf[k * m + x] - (0..m).map(|y| pk[x * m + y] * lam[y]).sum::<f64>();
                }
                if ws.updated[k] {
                    let h = &self.xh[k * m..(k + 1) * m];
                    let kl: f64 = (0..m).map(|x| ws.gain[k * m + x] * lam[x]).sum();
                    for x in 0..m {
                        lam[x] += -h[x] * ws.innov[k] - h[x] * kl;
                    }
                }
            }
            start
        };
        for k in (0..first_direct).rev() {
            let g = &ws.sinv[k * mm..(k + 1) * mm];
            for x in 0..m {
                col[x] = avec[k * m + x] + lambda * u[(k + 1) * m + x];
            }
            for x in 0..m {
                u[k * m + x] = (0..m).map(|y| g[x * m + y] * col[y]).sum();
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
    pf: Vec<f64>,
    zf: Vec<f64>,
    gain: Vec<f64>,
    innov: Vec<f64>,
    updated: Vec<bool>,
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
    let d = penalty_scales(p);
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

#[cfg(test)]
mod tests {
    use super::*;
    use peergroup_random::Rng;

    /// The minimiser of [`Reduced::solve`] from the block-tridiagonal normal equations
    /// (O(T·m³)): the reference the Kalman smoother is tested against.
    fn solve_direct(
        red: &Reduced,
        lambda: f64,
        skip: &dyn Fn(usize) -> bool,
        ws: &mut Workspace,
    ) -> Result<Vec<f64>, QpError> {
        let (t, m) = (red.t, red.m);
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
            let use_obs = !red.r0[k].is_nan() && !skip(k);
            if use_obs {
                let xk = &red.xh[k * m..(k + 1) * m];
                for a in 0..m {
                    for b in 0..m {
                        s[a * m + b] += xk[a] * xk[b];
                    }
                    yk[a] = red.r0[k] * xk[a];
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

    /// The O(T·m²) Kalman/MBF smoother equals the direct block-tridiagonal solve, with
    /// and without left-out blocks and missing returns, for small and large λ.
    #[test]
    fn kalman_smoother_equals_direct_solve() {
        let mut rng = Rng::new(5);
        for case in 0..12 {
            let n = 2 + case % 5;
            let t = 30 + 7 * case;
            let x: Vec<f64> = (0..t * n).map(|_| rng.gaussian(0.005, 0.03)).collect();
            let r: Vec<f64> = (0..t)
                .map(|k| {
                    if k % 11 == 3 {
                        f64::NAN
                    } else {
                        (0..n).map(|i| x[k * n + i]).sum::<f64>() / n as f64
                            + rng.gaussian(0.0, 0.01)
                    }
                })
                .collect();
            let block: Vec<i32> = (0..t).map(|k| (k / 12) as i32).collect();
            let p = DsaProblem {
                x: &x,
                r: &r,
                block: &block,
                n,
            };
            for budget in [true, false] {
                let red = Reduced::new(&p, budget).unwrap();
                let mut ws = Workspace::default();
                for lambda in [1e-2, 1.0, 1e3, 1e6] {
                    for left_out in [-1, 1] {
                        let skip = |k: usize| block[k] == left_out;
                        let a = red.solve(lambda, &skip, &mut ws).unwrap();
                        let b = solve_direct(&red, lambda, &skip, &mut ws).unwrap();
                        let scale = b.iter().fold(1e-3f64, |s, v| s.max(v.abs()));
                        let worst = a
                            .iter()
                            .zip(&b)
                            .map(|(x, y)| (x - y).abs())
                            .fold(0.0, f64::max)
                            / scale;
                        assert!(
                            worst < 1e-9,
                            "case {case} budget {budget} λ {lambda}: relative gap {worst:e}"
                        );
                    }
                }
            }
        }
    }
}
