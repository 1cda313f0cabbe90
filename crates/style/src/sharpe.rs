//! Sharpe (1992) style analysis: `min ‖r − Xβ‖²` subject to `Σβ = 1` (budget) and
//! `β ≥ 0` (long-only), each switchable, solved exactly by a primal active-set method on
//! the Gram matrix `G = XᵀX` and `c = Xᵀr`.
//!
//! Why a hand-written solver: with at most a few dozen factors the problem is tiny, and
//! rolling windows solve it hundreds of thousands of times. A specialised active-set
//! kernel (with the rolling sums of [`crate::analysis`], ~2.2M 13-factor window fits/s
//! per core, 0.45 µs per fit, including fit statistics, against ~6.6k problems/s for a
//! general conic solver such as clarabel and ~30k/s for quadprog called per window
//! from Python) also gives the
//! exact vertex solution, so KKT conditions hold to rounding error, and it warm-starts
//! from the previous window's active set, which is usually already optimal (1.4
//! equality solves per window on average). clarabel stays the reference in the tests and
//! the solver for the large sparse long-only dynamic problem.
//!
//! Each step solves the equality-constrained problem on the free set `F`:
//! `β_F = G_FF⁻¹(c_F + ν·1)` with `ν = (1 − 1ᵀG_FF⁻¹c_F) / (1ᵀG_FF⁻¹1)` under the budget
//! (ν = 0 without it); bounds block the step (ratio test) or, at a stationary point, the
//! bound with the most negative multiplier `μ_i = (Gβ − c)_i − ν` is released.

/// Which constraints the fit imposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Constraints {
    /// `Σβ = 1`: exposures are portfolio weights.
    pub budget: bool,
    /// `β ≥ 0`: no short positions.
    pub long_only: bool,
}

impl Constraints {
    /// Sharpe's original model: budget and long-only.
    pub const SHARPE: Constraints = Constraints {
        budget: true,
        long_only: true,
    };
    /// Unconstrained least squares.
    pub const OLS: Constraints = Constraints {
        budget: false,
        long_only: false,
    };
}

/// The solver failed: the Gram matrix is not positive definite even after
/// regularisation, or the iteration limit was hit (should not happen for PD problems).
#[derive(Clone, Debug, PartialEq)]
pub struct QpError(pub String);

impl std::fmt::Display for QpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QpError {}

/// Reusable workspace for problems with up to `capacity` factors (no allocation per solve).
#[derive(Clone, Debug)]
pub struct SharpeSolver {
    capacity: usize,
    beta: Vec<f64>,
    at_zero: Vec<bool>,
    /// Free factors, ascending, in `free[..k]`.
    free: Vec<usize>,
    k: usize,
    /// `Gβ` at the returned exposures (all `n` rows).
    gbeta: Vec<f64>,
    /// Strict lower triangle of the unit factor of `G_FF = L D Lᵀ`, packed by rows (row
    /// `a` at `a(a−1)/2`): the free set changes between solves, so it is rebuilt compact.
    l: Vec<f64>,
    /// `1 / D`.
    dinv: Vec<f64>,
    /// Row `a` of `L D` while that row is built.
    w: Vec<f64>,
    /// `L⁻¹c_F`, then the equality-constrained optimum on the free set (compact).
    v: Vec<f64>,
    /// `L⁻¹1`.
    u: Vec<f64>,
    iterations: usize,
    multiplier: f64,
}

impl SharpeSolver {
    /// A workspace for up to `capacity` factors.
    pub fn new(capacity: usize) -> SharpeSolver {
        let c = capacity.max(1);
        SharpeSolver {
            capacity: c,
            beta: vec![0.0; c],
            at_zero: vec![false; c],
            free: vec![0; c],
            k: 0,
            gbeta: vec![0.0; c],
            l: vec![0.0; c * (c - 1) / 2],
            dinv: vec![0.0; c],
            w: vec![0.0; c],
            v: vec![0.0; c],
            u: vec![0.0; c],
            iterations: 0,
            multiplier: 0.0,
        }
    }

    /// Exposures of the last solve.
    pub fn beta(&self) -> &[f64] {
        &self.beta
    }

    /// Which exposures sit at their zero bound after the last solve (the active set).
    pub fn active_set(&self) -> &[bool] {
        &self.at_zero
    }

    /// `Gβ` for the exposures of the last solve (first `n` entries): what the fit
    /// statistics need besides the window's sums (`βᵀGβ`), at no extra cost.
    pub fn gram_beta(&self) -> &[f64] {
        &self.gbeta
    }

    /// Equality-system solves used by the last solve.
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Budget multiplier ν of the last solve (`Gβ − c = ν` on free factors).
    pub fn budget_multiplier(&self) -> f64 {
        self.multiplier
    }

    /// Solve `min ½βᵀGβ − cᵀβ` (equivalently `min ‖r − Xβ‖²`) for `n` factors.
    ///
    /// `g` is the row-major `n × n` symmetric Gram matrix, `c = Xᵀr`. With `warm` (the
    /// previous window's active set) the search starts from that set. Returns the
    /// exposures.
    pub fn solve(
        &mut self,
        g: &[f64],
        c: &[f64],
        n: usize,
        cons: Constraints,
        warm: Option<&[bool]>,
    ) -> Result<&[f64], QpError> {
        assert!(
            n <= self.capacity && n > 0,
            "problem size {n} outside 1..={}",
            self.capacity
        );
        assert!(
            g.len() >= n * n && c.len() >= n,
            "problem data shorter than n"
        );
        let (g, c) = (&g[..n * n], &c[..n]);
        self.iterations = 0;
        self.multiplier = 0.0;
        if !cons.long_only {
            self.at_zero[..n].fill(false);
            self.set_free(n);
            self.solve_free(g, c, n, cons.budget)?;
            self.beta[..n].copy_from_slice(&self.v[..n]);
            self.update_gram_beta(g, n);
            return Ok(&self.beta[..n]);
        }
        if n == 1 && cons.budget {
            self.beta[0] = 1.0;
            self.at_zero[0] = false;
            self.set_free(1);
            self.update_gram_beta(g, n);
            return Ok(&self.beta[..1]);
        }
        // Feasible start consistent with the warm active set.
        match warm {
            Some(w) if w.len() >= n && (!cons.budget || w[..n].iter().any(|z| !z)) => {
                self.at_zero[..n].copy_from_slice(&w[..n]);
            }
            _ => self.at_zero[..n].fill(!cons.budget),
        }
        self.set_free(n);
        let start = if cons.budget {
            1.0 / self.k as f64
        } else {
            0.0
        };
        for (b, &z) in self.beta[..n].iter_mut().zip(&self.at_zero[..n]) {
            *b = if z { 0.0 } else { start };
        }
        let scale = (0..n)
            .map(|i| c[i].abs().max(g[i * n + i].abs()))
            .fold(f64::MIN_POSITIVE, f64::max);
        let tol = 1e-11 * scale;
        let max_iter = 10 * n + 50;
        loop {
            if self.iterations >= max_iter {
                return Err(QpError(format!(
                    "active-set iteration limit ({max_iter}) reached"
                )));
            }
            let k = self.k;
            if k == 0 {
                // only possible without budget: β = 0, check multipliers directly
                self.multiplier = 0.0;
            } else {
                self.solve_free(g, c, n, cons.budget)?;
            }
            let free = &self.free[..k];
            let target = &self.v[..k];
            // From β ≥ 0 towards the optimum on F (in `v`, compact), a bound can only
            // block the step if some target entry is negative: the ratio test only runs
            // then (usually the warm set is optimal and the step is full). It may still
            // find no blocking bound (β rounded a hair below zero), hence the `Option`.
            let mut blocking = None;
            let mut alpha = 1.0;
            if target.iter().fold(0.0f64, |m, &t| m.min(t)) < 0.0 {
                for (a, (&i, &t)) in free.iter().zip(target).enumerate() {
                    let b = self.beta[i];
                    let p = t - b;
                    if p < 0.0 {
                        let s = -b / p;
                        if s < alpha {
                            alpha = s;
                            blocking = Some(a);
                        }
                    }
                }
            }
            if let Some(blocking) = blocking {
                for (&i, &t) in free.iter().zip(target) {
                    self.beta[i] += alpha * (t - self.beta[i]);
                }
                let b = free[blocking];
                self.beta[b] = 0.0;
                self.at_zero[b] = true;
                if cons.budget && k == 1 {
                    return Err(QpError(
                        "budget cannot be met with every exposure at zero".into(),
                    ));
                }
                self.set_free(n);
                continue;
            }
            // Full step: β is the optimum on F (zero elsewhere).
            for (&i, &t) in free.iter().zip(target) {
                self.beta[i] = t;
            }
            // Stationary on F: release the bound with the most negative multiplier
            // μ_i = (Gβ − c)_i − ν.
            self.update_gram_beta(g, n);
            // (`&` not `&&`: one rarely taken branch instead of one per factor.)
            let mut worst = usize::MAX;
            let mut worst_mu = -tol;
            for (i, ((&z, &gb), &ci)) in self.at_zero[..n]
                .iter()
                .zip(&self.gbeta[..n])
                .zip(c)
                .enumerate()
            {
                let mu = (gb - ci) - self.multiplier;
                if z & (mu < worst_mu) {
                    worst_mu = mu;
                    worst = i;
                }
            }
            if worst == usize::MAX {
                break;
            }
            self.at_zero[worst] = false;
            self.set_free(n);
        }
        Ok(&self.beta[..n])
    }

    /// Factors free (not at their bound) after the last solve, ascending.
    pub fn free_set(&self) -> &[usize] {
        &self.free[..self.k]
    }

    /// `free[..k]` from `at_zero[..n]` (branch-free: the pattern is data-dependent).
    fn set_free(&mut self, n: usize) {
        let mut k = 0;
        for (i, &z) in self.at_zero[..n].iter().enumerate() {
            self.free[k] = i;
            k += usize::from(!z);
        }
        self.k = k;
    }

    /// `Gβ` into `gbeta` as a sum of the rows of `G` (symmetric) for free factors: the
    /// rows are contiguous, and `β` is zero off the free set. Each entry is summed in
    /// ascending factor order.
    fn update_gram_beta(&mut self, g: &[f64], n: usize) {
        let gb = &mut self.gbeta[..n];
        gb.fill(0.0);
        for &j in &self.free[..self.k] {
            let bj = self.beta[j];
            for (o, gj) in gb.iter_mut().zip(&g[j * n..(j + 1) * n]) {
                *o += gj * bj;
            }
        }
    }

    /// Equality-constrained optimum on the free set into `v[..k]` (compact, in the
    /// order of `free`), and its budget multiplier.
    ///
    /// A square-root-free Cholesky factor `G_FF = L D Lᵀ` (unit `L`, gathered straight
    /// from `g`) with the forward sweeps fused in: `v = L⁻¹c_F`, `u = L⁻¹1`. Then
    /// `ν = (1 − uᵀD⁻¹v) / uᵀD⁻¹u` (that is `(1 − 1ᵀG_FF⁻¹c_F) / 1ᵀG_FF⁻¹1`) and one back
    /// sweep `β_F = L⁻ᵀD⁻¹(v + νu)`. No square roots, one division per pivot. A
    /// near-collinear free set (a pivot not positive) is refactored with a growing
    /// ridge, as [`peergroup_numeric::linalg::cholesky_regularised`] does.
    fn solve_free(&mut self, g: &[f64], c: &[f64], n: usize, budget: bool) -> Result<(), QpError> {
        self.iterations += 1;
        let k = self.k;
        let free = &self.free[..k];
        let out = &mut self.v[..k];
        // Most free sets are small (2 to 9 of 13 factors in the bench universe): their
        // sizes get a copy of the solve with compile-time loop bounds, which the
        // compiler unrolls (~7% faster rolling fits than the loops of `solve_free_any`).
        let fixed = match k {
            1 => solve_fixed::<1>(free, g, c, n, budget, out),
            2 => solve_fixed::<2>(free, g, c, n, budget, out),
            3 => solve_fixed::<3>(free, g, c, n, budget, out),
            4 => solve_fixed::<4>(free, g, c, n, budget, out),
            5 => solve_fixed::<5>(free, g, c, n, budget, out),
            6 => solve_fixed::<6>(free, g, c, n, budget, out),
            7 => solve_fixed::<7>(free, g, c, n, budget, out),
            8 => solve_fixed::<8>(free, g, c, n, budget, out),
            _ => None,
        };
        if let Some(nu) = fixed {
            self.multiplier = nu;
            return Ok(());
        }
        self.solve_free_any(g, c, n, budget)
    }

    /// [`SharpeSolver::solve_free`] for any free-set size, with the ridge fallback.
    fn solve_free_any(
        &mut self,
        g: &[f64],
        c: &[f64],
        n: usize,
        budget: bool,
    ) -> Result<(), QpError> {
        if !self.factor(g, c, n, 0.0) {
            let k = self.k;
            let mean_diag = self.free[..k]
                .iter()
                .map(|&i| g[i * n + i].abs())
                .sum::<f64>()
                / k.max(1) as f64;
            let mut ridge = 1e-13 * mean_diag.max(f64::MIN_POSITIVE);
            let mut ok = false;
            for _ in 0..12 {
                if self.factor(g, c, n, ridge) {
                    ok = true;
                    break;
                }
                ridge *= 100.0;
            }
            if !ok {
                return Err(QpError(
                    "the factors' Gram matrix is not positive definite (collinear factors?)".into(),
                ));
            }
        }
        let k = self.k;
        let (l, dinv) = (&self.l[..k * (k.max(1) - 1) / 2], &self.dinv[..k]);
        let (v, u) = (&mut self.v[..k], &self.u[..k]);
        let mut nu = 0.0;
        if budget {
            let (mut uv, mut uu) = (0.0, 0.0);
            for ((a, b), d) in u.iter().zip(v.iter()).zip(dinv) {
                let ad = a * d;
                uv += ad * b;
                uu += ad * a;
            }
            nu = (1.0 - uv) / uu;
            for (vb, ub) in v.iter_mut().zip(u) {
                *vb += nu * ub;
            }
        }
        self.multiplier = nu;
        for (vb, d) in v.iter_mut().zip(dinv) {
            *vb *= d;
        }
        // Back sweep Lᵀβ_F = D⁻¹(v + νu), in place, by rows of L (contiguous): once
        // β_j is final, remove its contribution from every earlier entry.
        for j in (1..k).rev() {
            let bj = v[j];
            let row = &l[j * (j - 1) / 2..j * (j - 1) / 2 + j];
            for (vi, lji) in v[..j].iter_mut().zip(row) {
                *vi -= lji * bj;
            }
        }
        Ok(())
    }

    /// `L D Lᵀ = G_FF + ridge·I` with `v = L⁻¹c_F`, `u = L⁻¹1`, row by row; `false` if a
    /// pivot is not positive and finite.
    fn factor(&mut self, g: &[f64], c: &[f64], n: usize, ridge: f64) -> bool {
        let k = self.k;
        let free = &self.free[..k];
        let l = &mut self.l[..k * (k.max(1) - 1) / 2];
        let dinv = &mut self.dinv[..k];
        let w = &mut self.w[..k];
        let v = &mut self.v[..k];
        let u = &mut self.u[..k];
        for (a, &fa) in free.iter().enumerate() {
            let grow = &g[fa * n..(fa + 1) * n];
            let (done, rest) = l.split_at_mut(a * a.saturating_sub(1) / 2);
            let la = &mut rest[..a];
            // w_b = (L D)_ab = g_ab − Σ_{p<b} w_p l_bp; l_ab = w_b / d_b.
            for b in 0..a {
                let lb = &done[b * b.saturating_sub(1) / 2..][..b];
                let mut s = grow[free[b]];
                for (wp, lbp) in w[..b].iter().zip(lb) {
                    s -= wp * lbp;
                }
                w[b] = s;
                la[b] = s * dinv[b];
            }
            let (mut d, mut sv, mut su) = (grow[fa] + ridge, c[fa], 1.0);
            for (((wb, lab), vb), ub) in w[..a].iter().zip(la.iter()).zip(&v[..a]).zip(&u[..a]) {
                d -= wb * lab;
                sv -= lab * vb;
                su -= lab * ub;
            }
            if !(d > 0.0 && d.is_finite()) {
                return false;
            }
            dinv[a] = 1.0 / d;
            v[a] = sv;
            u[a] = su;
        }
        true
    }
}

/// [`SharpeSolver::solve_free`] for a free set of exactly `K` factors, with the same
/// arithmetic in the same order, on stack arrays so that the compiler unrolls the
/// triangular loops completely. Writes `β_F` into `out` and returns `ν`; `None` if a
/// pivot is not positive (the caller then takes the regularised path).
fn solve_fixed<const K: usize>(
    free: &[usize],
    g: &[f64],
    c: &[f64],
    n: usize,
    budget: bool,
    out: &mut [f64],
) -> Option<f64> {
    let free: &[usize; K] = free.try_into().ok()?;
    let out: &mut [f64; K] = out.try_into().ok()?;
    let mut l = [[0.0f64; K]; K];
    let (mut w, mut dinv, mut v, mut u) = ([0.0f64; K], [0.0f64; K], [0.0f64; K], [0.0f64; K]);
    for a in 0..K {
        let grow = &g[free[a] * n..(free[a] + 1) * n];
        for b in 0..a {
            let mut s = grow[free[b]];
            for p in 0..b {
                s -= w[p] * l[b][p];
            }
            w[b] = s;
            l[a][b] = s * dinv[b];
        }
        let (mut d, mut sv, mut su) = (grow[free[a]], c[free[a]], 1.0);
        for b in 0..a {
            d -= w[b] * l[a][b];
            sv -= l[a][b] * v[b];
            su -= l[a][b] * u[b];
        }
        if !(d > 0.0 && d.is_finite()) {
            return None;
        }
        dinv[a] = 1.0 / d;
        v[a] = sv;
        u[a] = su;
    }
    let mut nu = 0.0;
    if budget {
        let (mut uv, mut uu) = (0.0, 0.0);
        for a in 0..K {
            let ad = u[a] * dinv[a];
            uv += ad * v[a];
            uu += ad * u[a];
        }
        nu = (1.0 - uv) / uu;
        for a in 0..K {
            v[a] += nu * u[a];
        }
    }
    for a in 0..K {
        v[a] *= dinv[a];
    }
    for j in (1..K).rev() {
        let bj = v[j];
        for i in 0..j {
            v[i] -= l[j][i] * bj;
        }
    }
    *out = v;
    Some(nu)
}

/// Largest violation of the KKT conditions of `beta` for the problem `(g, c)`, relative
/// to the problem's scale: primal feasibility, stationarity on free factors, and the
/// sign of the bound multipliers. Zero up to rounding at the optimum.
pub fn kkt_violation(g: &[f64], c: &[f64], n: usize, cons: Constraints, beta: &[f64]) -> f64 {
    let scale = (0..n)
        .map(|i| c[i].abs().max(g[i * n + i].abs()))
        .fold(f64::MIN_POSITIVE, f64::max);
    let grad: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| g[i * n + j] * beta[j]).sum::<f64>() - c[i])
        .collect();
    let mut v: f64 = 0.0;
    if cons.budget {
        v = v.max((beta.iter().sum::<f64>() - 1.0).abs());
    }
    // A factor is free unless it sits at the bound under long-only.
    let free: Vec<bool> = beta.iter().map(|b| !cons.long_only || *b > 1e-12).collect();
    let nu = if cons.budget {
        let (s, k) = grad
            .iter()
            .zip(&free)
            .filter(|(_, f)| **f)
            .fold((0.0, 0usize), |(s, k), (g, _)| (s + g, k + 1));
        if k > 0 {
            s / k as f64
        } else {
            0.0
        }
    } else {
        0.0
    };
    for i in 0..n {
        if cons.long_only {
            v = v.max((-beta[i]).max(0.0));
        }
        let mu = grad[i] - nu;
        if free[i] {
            v = v.max(mu.abs() / scale);
        } else {
            v = v.max((-mu).max(0.0) / scale);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unrolled fixed-size solves are the general solve with the same arithmetic.
    #[test]
    fn fixed_size_solves_are_bit_identical_to_the_general_one() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let n = 12;
        let mut solver = SharpeSolver::new(n);
        for case in 0..300 {
            let t = 40;
            let x: Vec<f64> = (0..t * n).map(|_| uniform()).collect();
            let r: Vec<f64> = (0..t).map(|_| uniform()).collect();
            let mut g = vec![0.0; n * n];
            let mut c = vec![0.0; n];
            for s in 0..t {
                for i in 0..n {
                    c[i] += x[s * n + i] * r[s];
                    for j in 0..n {
                        g[i * n + j] += x[s * n + i] * x[s * n + j];
                    }
                }
            }
            let k = 1 + case % 8;
            // a random free set of size k
            let mut free: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                free.swap(i, ((uniform() + 0.5) * (i + 1) as f64) as usize % (i + 1));
            }
            free.truncate(k);
            free.sort_unstable();
            for budget in [true, false] {
                solver.free[..k].copy_from_slice(&free);
                solver.k = k;
                solver.solve_free(&g, &c, n, budget).unwrap();
                let (fast, nu) = (solver.v[..k].to_vec(), solver.multiplier);
                solver.solve_free_any(&g, &c, n, budget).unwrap();
                assert_eq!(solver.multiplier.to_bits(), nu.to_bits(), "case {case}");
                for (a, b) in fast.iter().zip(&solver.v[..k]) {
                    assert_eq!(a.to_bits(), b.to_bits(), "case {case} k {k}: {a} vs {b}");
                }
            }
        }
    }
}
