//! Risk components of an AT-GARCH(1,1) variance (METHODS §5.7; Lisi & Otranto eqs. 7–9).
//!
//! Unrolling the recursion gives
//! `h_t = γ/(1−β) + α Σ_{j≥1} β^{j−1} ε²_{t−j} + δ Σ_{j≥1} β^{j−1} S_{t−j} ε²_{t−j}`:
//! a constant minimum risk, a time-varying standard risk driven by every shock, and a
//! time-varying turmoil risk driven by shocks below the threshold. In a finite sample the
//! sums start from the same backcast as the likelihood (`ε²₀ → b`, `S₀ε²₀ → b_S`), which
//! leaves the exactly known truncation term `β^{t}·β·(b − γ/(1−β))` (t counted from 0):
//! `h_t = v_m + standard_t + turmoil_t + truncation_t`.

use crate::model::AtGarch;

/// The three risks of one fund, in squared return units per period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskComponents {
    /// Constant minimum risk `v_m = γ/(1−β)`.
    pub v_min: f64,
    /// Time-varying standard risk `v_s`: mean over t of the α-term.
    pub v_standard: f64,
    /// Time-varying turmoil risk `v_τ`: mean over t of the δ-term.
    pub v_turmoil: f64,
}

/// The per-period terms of the decomposition (squared return units).
#[derive(Clone, Debug, PartialEq)]
pub struct RiskPaths {
    /// `α Σ β^{j−1} ε²_{t−j}`.
    pub standard: Vec<f64>,
    /// `δ Σ β^{j−1} S_{t−j} ε²_{t−j}`.
    pub turmoil: Vec<f64>,
    /// `β^{t+1}(b − v_m)`, the part of `h_t` owed to the backcast start.
    pub truncation: Vec<f64>,
}

/// Per-period standard, turmoil and truncation terms for residuals `e = r − μ`, turmoil
/// indicators `s`, and backcasts `b`, `b_s` (as in [`crate::GarchFit`]).
pub fn risk_paths(params: &AtGarch, e: &[f64], s: &[bool], b: f64, b_s: f64) -> RiskPaths {
    assert_eq!(e.len(), s.len(), "risk_paths: one indicator per residual");
    let v_min = params.gamma / (1.0 - params.beta);
    let (mut a_sum, mut d_sum) = (b, b_s);
    let mut trunc = params.beta * (b - v_min);
    let mut out = RiskPaths {
        standard: Vec::with_capacity(e.len()),
        turmoil: Vec::with_capacity(e.len()),
        truncation: Vec::with_capacity(e.len()),
    };
    for (&e, &s) in e.iter().zip(s) {
        out.standard.push(params.alpha * a_sum);
        out.turmoil.push(params.delta * d_sum);
        out.truncation.push(trunc);
        let e2 = e * e;
        a_sum = e2 + params.beta * a_sum;
        d_sum = if s { e2 } else { 0.0 } + params.beta * d_sum;
        trunc *= params.beta;
    }
    out
}

/// The three risks: `v_m`, and the means over the sample of the standard and turmoil terms.
pub fn decompose(params: &AtGarch, e: &[f64], s: &[bool], b: f64, b_s: f64) -> RiskComponents {
    let paths = risk_paths(params, e, s, b, b_s);
    let n = e.len().max(1) as f64;
    RiskComponents {
        v_min: params.gamma / (1.0 - params.beta),
        v_standard: paths.standard.iter().sum::<f64>() / n,
        v_turmoil: paths.turmoil.iter().sum::<f64>() / n,
    }
}
