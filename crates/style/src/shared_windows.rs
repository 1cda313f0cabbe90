//! Plain Sharpe/OLS rolling fits of every fund against the factor sums of each window,
//! shared by all funds: `XᵀX` and the factor column sums are rolled once per window,
//! each fund rolls only `Xᵀr` and its return sums, and a window with missing fund returns
//! gets the sums of its own dates. Fit statistics come from the same sums over the free
//! factors, and results are written in place (no allocation per window).

use peergroup_data::InputError;
use rayon::prelude::*;

use crate::analysis::{
    window_ends, ExposureRow, Fit, Method, StyleProblem, StyleResult, StyleSpec,
};
use crate::moments::{stats_with_gram_beta, Moments, ReturnSums};
use crate::sharpe::{Constraints, SharpeSolver};

/// Windows between rebuilds of rolling sums from scratch (bounds accumulated rounding).
const REBUILD_EVERY: usize = 512;

/// Largest shared Gram store (bytes) before falling back to per-fund rolling sums.
const SHARED_MAX_BYTES: usize = 256 << 20;

/// The factor side of every window, shared by all funds: `XᵀX` and the column sums of
/// the window's factor rows. A fund with a return on every date of a window has exactly
/// these sums, so only `Xᵀr` and the return sums are rolled per fund.
pub(crate) struct SharedWindows {
    ends: Vec<usize>,
    /// `ends.len() × n × n`, row-major per window.
    xx: Vec<f64>,
    /// `ends.len() × n`.
    sx: Vec<f64>,
}

impl SharedWindows {
    /// Rolled with the same add/remove/rebuild schedule as a fund's own sums would be,
    /// so a complete window gets bit-for-bit the Gram matrix it would get alone. `None`
    /// when the store would exceed [`SHARED_MAX_BYTES`].
    pub(crate) fn new(x: &[f64], t: usize, n: usize, spec: &StyleSpec) -> Option<SharedWindows> {
        let ends = window_ends(t, spec);
        if ends.len().saturating_mul(n * n + n).saturating_mul(8) > SHARED_MAX_BYTES {
            return None;
        }
        let w = spec.window.unwrap_or(t);
        let mut xx = Vec::with_capacity(ends.len() * n * n);
        let mut sx = Vec::with_capacity(ends.len() * n);
        let mut mom = Moments::new(n);
        let mut roll = Roll::default();
        for &end in &ends {
            roll.slide(end + 1 - w, end, |row, add| {
                if row == usize::MAX {
                    mom.clear();
                } else if add {
                    mom.add(&x[row * n..(row + 1) * n], 0.0);
                } else {
                    mom.remove(&x[row * n..(row + 1) * n], 0.0);
                }
            });
            xx.extend_from_slice(&mom.xx);
            sx.extend_from_slice(&mom.sx);
        }
        Some(SharedWindows { ends, xx, sx })
    }
}

/// The rolling schedule shared by the factor sums and every fund's sums: which rows
/// leave and enter as the window moves to `start..=end`, and when to rebuild.
#[derive(Default)]
struct Roll {
    /// Rows `[lo, hi)` are in the sums.
    lo: usize,
    hi: usize,
    since_rebuild: usize,
}

impl Roll {
    /// Move to the window `start..=end`, calling `f(row, true)` for rows to add,
    /// `f(row, false)` for rows to remove and `f(usize::MAX, true)` to clear.
    fn slide(&mut self, start: usize, end: usize, mut f: impl FnMut(usize, bool)) {
        if start >= self.hi || self.since_rebuild >= REBUILD_EVERY {
            f(usize::MAX, true);
            self.lo = start;
            self.hi = start;
            self.since_rebuild = 0;
        }
        while self.lo < start {
            f(self.lo, false);
            self.lo += 1;
        }
        while self.hi <= end {
            f(self.hi, true);
            self.hi += 1;
        }
        self.since_rebuild += 1;
    }

    /// The common case of [`Roll::slide`] with step 1: exactly one row leaves and one
    /// enters, no rebuild due. Moves and returns `(leaving, entering)`, else `None` (and
    /// nothing moves).
    fn step_one(&mut self, start: usize, end: usize) -> Option<(usize, usize)> {
        if self.lo + 1 == start && self.hi == end && self.since_rebuild < REBUILD_EVERY {
            let out = (self.lo, self.hi);
            self.lo = start;
            self.hi = end + 1;
            self.since_rebuild += 1;
            Some(out)
        } else {
            None
        }
    }
}

/// `Xᵀr`, `Σr`, `Σr²` and the count of a fund's window, rolled like [`Moments`].
struct FundSums {
    xr: Vec<f64>,
    sr: f64,
    srr: f64,
    count: usize,
}

impl FundSums {
    /// These sums as the fit statistics take them.
    fn returns(&self) -> ReturnSums<'_> {
        ReturnSums {
            xr: &self.xr,
            sr: self.sr,
            srr: self.srr,
            m: self.count,
        }
    }

    fn update(&mut self, x: &[f64], r: f64, sign: f64) {
        for (c, xv) in self.xr.iter_mut().zip(x) {
            *c += (sign * xv) * r;
        }
        self.sr += sign * r;
        self.srr += sign * r * r;
    }

    /// Remove row `(xo, ro)` and add `(xi, ri)` in one pass, rounding exactly as
    /// `update(xo, ro, −1)` followed by `update(xi, ri, 1)`.
    fn replace(&mut self, xo: &[f64], ro: f64, xi: &[f64], ri: f64) {
        for ((c, a), b) in self.xr.iter_mut().zip(xo).zip(xi) {
            *c = (*c - a * ro) + b * ri;
        }
        self.sr = (self.sr - ro) + ri;
        self.srr = (self.srr - ro * ro) + ri * ri;
    }
}

/// Plain Sharpe/OLS rolling fits of every fund against shared factor sums, written
/// straight into the result (no per-window allocation).
pub(crate) fn analyse_shared(
    p: &StyleProblem<'_>,
    spec: &StyleSpec,
    x: &[f64],
    shared: &SharedWindows,
    fund_done: &(dyn Fn() + Sync),
) -> Result<StyleResult, InputError> {
    let n = p.factor_names.len();
    let funds = p.fund_names.len();
    let nw = shared.ends.len();
    let mut betas = vec![0.0; funds * nw * n];
    let mut fits = vec![Fit::default(); funds * nw];
    let counts: Vec<Result<usize, InputError>> = betas
        .par_chunks_mut(nw * n)
        .zip(fits.par_chunks_mut(nw))
        .enumerate()
        .map(|(i, (b, f))| {
            let out = fit_fund_shared(p, spec, x, shared, i, b, f);
            fund_done();
            out
        })
        .collect();
    let mut counts_ok = Vec::with_capacity(funds);
    for c in counts {
        counts_ok.push(c?);
    }
    // Keep the fitted windows of each fund, in order (a no-op when every window fits).
    let mut rows = 0usize;
    for (i, &c) in counts_ok.iter().enumerate() {
        if rows != i * nw {
            betas.copy_within(i * nw * n..(i * nw + c) * n, rows * n);
            fits.copy_within(i * nw..i * nw + c, rows);
        }
        rows += c;
    }
    betas.truncate(rows * n);
    fits.truncate(rows);
    let exposures = fits
        .iter()
        .map(|f| ExposureRow {
            fund: f.fund,
            t: f.t,
        })
        .collect();
    Ok(StyleResult {
        n_factors: n,
        exposures,
        betas,
        fits,
    })
}

/// One fund's windows against [`SharedWindows`]: fills `betas` (`windows × n`) and
/// `fits` from the front and returns how many windows were fitted.
fn fit_fund_shared(
    p: &StyleProblem<'_>,
    spec: &StyleSpec,
    x: &[f64],
    shared: &SharedWindows,
    i: usize,
    betas: &mut [f64],
    fits: &mut [Fit],
) -> Result<usize, InputError> {
    let n = p.factor_names.len();
    let t = p.t();
    let r = &p.funds[i * t..(i + 1) * t];
    let name = &p.fund_names[i];
    let w = spec.window.unwrap_or(t);
    let min_obs = spec
        .min_obs
        .unwrap_or(if spec.window.is_some() { w } else { n + 1 });
    let cons = match spec.method {
        Method::Ols => Constraints::OLS,
        _ => spec.constraints,
    };
    let fail = |e: crate::sharpe::QpError| {
        InputError::new(format!("fund '{name}': {e}")).with_column(name.clone())
    };
    let params = |k: usize| k.saturating_sub(usize::from(cons.budget));
    let te_scale = spec.periods_per_year.sqrt();
    let mut solver = SharpeSolver::new(n);
    let mut warm = vec![false; n];
    let mut have_warm = false;
    let mut sums = FundSums {
        xr: vec![0.0; n],
        sr: 0.0,
        srr: 0.0,
        count: 0,
    };
    // Fund-specific sums for windows with missing returns.
    let mut own = Moments::new(n);
    let mut roll = Roll::default();
    let mut done = 0usize;
    for (e, &end) in shared.ends.iter().enumerate() {
        let start = end + 1 - w;
        let fused = match roll.step_one(start, end) {
            Some((o, a)) if !r[o].is_nan() && !r[a].is_nan() => {
                sums.replace(&x[o * n..(o + 1) * n], r[o], &x[a * n..(a + 1) * n], r[a]);
                true
            }
            Some((o, a)) => {
                // A missing return on either side: apply the two moves separately.
                for (row, sign) in [(o, -1.0), (a, 1.0)] {
                    if !r[row].is_nan() {
                        sums.update(&x[row * n..(row + 1) * n], r[row], sign);
                        if sign > 0.0 {
                            sums.count += 1;
                        } else {
                            sums.count -= 1;
                        }
                    }
                }
                true
            }
            None => false,
        };
        if !fused {
            roll.slide(start, end, |row, add| {
                if row == usize::MAX {
                    sums.xr.fill(0.0);
                    sums.sr = 0.0;
                    sums.srr = 0.0;
                    sums.count = 0;
                } else if !r[row].is_nan() {
                    let xs = &x[row * n..(row + 1) * n];
                    if add {
                        sums.update(xs, r[row], 1.0);
                        sums.count += 1;
                    } else {
                        sums.update(xs, r[row], -1.0);
                        sums.count -= 1;
                    }
                }
            });
        }
        if sums.count < min_obs {
            continue;
        }
        let (xx, sx) = if sums.count == w {
            (
                &shared.xx[e * n * n..(e + 1) * n * n],
                &shared.sx[e * n..(e + 1) * n],
            )
        } else {
            // Missing returns: the factor sums over the fund's own dates.
            own.clear();
            for row in start..=end {
                if !r[row].is_nan() {
                    own.add(&x[row * n..(row + 1) * n], 0.0);
                }
            }
            (&own.xx[..], &own.sx[..])
        };
        let b = solver
            .solve(xx, &sums.xr, n, cons, have_warm.then_some(&warm[..]))
            .map_err(fail)?;
        let out = &mut betas[done * n..(done + 1) * n];
        out.copy_from_slice(b);
        warm.copy_from_slice(&solver.active_set()[..n]);
        have_warm = true;
        let stats = stats_with_gram_beta(solver.gram_beta(), sx, &sums.returns(), out, params(n));
        fits[done] = Fit {
            fund: i,
            t: end,
            r2: stats.r2,
            adj_r2: stats.adj_r2,
            tracking_error: stats.tracking_error * te_scale,
            n_obs: sums.count,
            lambda: f64::NAN,
            predicted_r2: f64::NAN,
        };
        done += 1;
    }
    if done == 0 {
        let have = r.iter().filter(|v| !v.is_nan()).count();
        return Err(InputError::new(format!(
            "fund '{name}' has no window with at least {min_obs} observations (it has {have} on the common dates)"
        ))
        .with_column(name.clone()));
    }
    Ok(done)
}
