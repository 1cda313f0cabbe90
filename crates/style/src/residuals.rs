//! Residual returns of fitted style models (METHODS §2.9): the part of a fund's return
//! its reported exposures do not explain, the input of the idiosyncratic similarity S_U.
//!
//! Each date of the sample gets one residual per fund, from the exposures reported at the
//! first exposure date on or after it whose window contains it:
//!
//! * whole-sample Sharpe/OLS: the one fit, on every date;
//! * whole-sample dynamic style analysis: the date's own exposures;
//! * rolling windows: the window ending at that date (step 1), so a residual uses no
//!   later data; dates before the first window end take the first window's exposures,
//!   and with a step above 1 the dates since the previous window end take the next one's.
//!
//! So the residuals over the W dates ending at a reported date t are those of the fits
//! reported at those dates: exact for whole-sample fits, and for rolling windows the
//! residual counterpart of the rolling exposures (each one a window's in-sample residual
//! on its last date), never looking past t.

use crate::analysis::{StyleProblem, StyleResult, StyleSpec};

/// Residual returns, one row per (fund, date) with a return and an applicable fit,
/// fund by fund in the order of the result's exposures, dates ascending.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Residuals {
    /// Fund index of each row.
    pub fund: Vec<usize>,
    /// Date index of each row.
    pub t: Vec<usize>,
    /// `r_t − Σ_k x_t,k β_k` (return units, as the fund returns).
    pub value: Vec<f64>,
}

/// The residual of every fund on every date, from the exposures `res` reports (see the
/// module documentation for which exposures apply to which date). `res` must come from
/// `analyse(p, spec)`.
pub fn residuals(p: &StyleProblem<'_>, spec: &StyleSpec, res: &StyleResult) -> Residuals {
    let n = res.n_factors;
    let t_all = p.years.len();
    let w = spec.window.unwrap_or(t_all);
    let mut out = Residuals::default();
    let rows = &res.exposures;
    let mut start = 0;
    while start < rows.len() {
        let fund = rows[start].fund;
        let end = start + rows[start..].partition_point(|e| e.fund == fund);
        let r = &p.funds[fund * t_all..(fund + 1) * t_all];
        // `next` walks the fund's exposure rows: the first whose date is ≥ d.
        let mut next = start;
        for d in 0..t_all {
            while next < end && rows[next].t < d {
                next += 1;
            }
            if next == end {
                break;
            }
            let at = rows[next].t;
            if r[d].is_nan() || at + 1 - w.min(at + 1) > d {
                // no return, or no window reaching back to d
                continue;
            }
            let beta = &res.betas[next * n..(next + 1) * n];
            let fitted: f64 = (0..n).map(|k| p.factors[k * t_all + d] * beta[k]).sum();
            out.fund.push(fund);
            out.t.push(d);
            out.value.push(r[d] - fitted);
        }
        start = end;
    }
    out
}
