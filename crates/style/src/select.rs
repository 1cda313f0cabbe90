//! Stepwise factor selection: from a universe of factors, the subset that best explains
//! a fund in a window, by forward steps with backward checks.
//!
//! Criteria (all computed on the constrained fit): adjusted R² (higher is better), AIC
//! `m·ln(SSR/m) + 2p` or BIC `m·ln(SSR/m) + p·ln m` (lower is better), with p the number
//! of free parameters (selected factors, minus one under the budget constraint). BIC is
//! the default: it is consistent (picks the true factors as the sample grows), while
//! adjusted R² keeps any factor whose t-statistic exceeds one and so tends to over-select.

use crate::moments::Moments;
use crate::sharpe::{Constraints, QpError, SharpeSolver};

/// Model-selection criterion of stepwise selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Criterion {
    /// Adjusted R².
    AdjR2,
    /// Akaike information criterion.
    Aic,
    /// Bayesian (Schwarz) information criterion.
    Bic,
}

impl Criterion {
    /// Name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::AdjR2 => "adj-r2",
            Criterion::Aic => "aic",
            Criterion::Bic => "bic",
        }
    }
}

/// Scratch buffers for subset fits.
#[derive(Clone, Debug)]
pub struct SubsetFitter {
    g: Vec<f64>,
    c: Vec<f64>,
    full: Vec<f64>,
    solver: SharpeSolver,
}

impl SubsetFitter {
    /// Buffers for up to `n` factors.
    pub fn new(n: usize) -> SubsetFitter {
        SubsetFitter {
            g: vec![0.0; n * n],
            c: vec![0.0; n],
            full: vec![0.0; n],
            solver: SharpeSolver::new(n),
        }
    }

    /// Fit the factors in `subset`; returns full-length exposures (zeros outside) in an
    /// internal buffer and the score (higher is better).
    pub fn fit(
        &mut self,
        m: &Moments,
        subset: &[usize],
        cons: Constraints,
        criterion: Criterion,
    ) -> Result<(&[f64], f64), QpError> {
        let k = subset.len();
        self.full.fill(0.0);
        if k > 0 {
            m.restrict(subset, &mut self.g[..k * k], &mut self.c[..k]);
            let beta = self
                .solver
                .solve(&self.g[..k * k], &self.c[..k], k, cons, None)?;
            for (a, &i) in subset.iter().enumerate() {
                self.full[i] = beta[a];
            }
        }
        let p = k.saturating_sub(usize::from(cons.budget));
        let stats = m.stats(&self.full, p);
        let mm = m.count as f64;
        let ssr = stats.ssr.max(1e-300);
        let score = match criterion {
            Criterion::AdjR2 => stats.adj_r2,
            Criterion::Aic => -(mm * (ssr / mm).ln() + 2.0 * p as f64),
            Criterion::Bic => -(mm * (ssr / mm).ln() + p as f64 * mm.ln()),
        };
        Ok((
            &self.full,
            if score.is_nan() {
                f64::NEG_INFINITY
            } else {
                score
            },
        ))
    }
}

/// Select factors by forward steps, each followed by backward removals while they
/// improve the criterion. Returns the selected factor indices, sorted.
pub fn stepwise(
    m: &Moments,
    cons: Constraints,
    criterion: Criterion,
    fitter: &mut SubsetFitter,
) -> Result<Vec<usize>, QpError> {
    let n = m.n();
    let mut selected: Vec<usize> = Vec::new();
    // Under the budget the empty model is infeasible: start from nothing and let the
    // first forward step pick the best single factor unconditionally.
    let mut current = if cons.budget {
        f64::NEG_INFINITY
    } else {
        fitter.fit(m, &[], cons, criterion)?.1
    };
    let max_params = m.count.saturating_sub(2);
    for _round in 0..4 * n + 4 {
        // forward
        let mut best: Option<(usize, f64)> = None;
        if selected.len() < n && selected.len() < max_params {
            for j in 0..n {
                if selected.contains(&j) {
                    continue;
                }
                let mut trial = selected.clone();
                trial.push(j);
                trial.sort_unstable();
                let s = fitter.fit(m, &trial, cons, criterion)?.1;
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((j, s));
                }
            }
        }
        match best {
            Some((j, s))
                if s > current + 1e-12 * current.abs().max(1.0) || current == f64::NEG_INFINITY =>
            {
                selected.push(j);
                selected.sort_unstable();
                current = s;
            }
            _ => break,
        }
        // backward
        loop {
            let min_size = usize::from(cons.budget);
            if selected.len() <= min_size.max(1) {
                break;
            }
            let mut drop: Option<(usize, f64)> = None;
            for (pos, _) in selected.iter().enumerate() {
                let mut trial = selected.clone();
                trial.remove(pos);
                let s = fitter.fit(m, &trial, cons, criterion)?.1;
                if drop.is_none_or(|(_, b)| s > b) {
                    drop = Some((pos, s));
                }
            }
            match drop {
                Some((pos, s)) if s > current + 1e-12 * current.abs().max(1.0) => {
                    selected.remove(pos);
                    current = s;
                }
                _ => break,
            }
        }
    }
    Ok(selected)
}
