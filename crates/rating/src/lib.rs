//! Risk/return rating of funds without a vendor (METHODS §5, after Lisi & Otranto).
//!
//! The pipeline per fund: the **gain** is the mean of calendar-year returns; the **risk**
//! comes from an asymmetric threshold GARCH(1,1) ([`garch`]) whose conditional variance is
//! split into a constant minimum, a time-varying standard and a time-varying turmoil part
//! ([`risk`]); the residual ARCH effect is checked by Engle's LM test ([`archlm`]). Across
//! funds, gain and risk are each cut into low/medium/high groups by average linkage and
//! merged into 1–5 stars ([`classify`](mod@classify)).
//!
//! Everything here is pure: slices in, results out. Returns may be fractions or percent;
//! the estimator rescales internally, so the shape parameters (α, β, δ) do not depend on
//! the unit and μ, γ and the risks come back in the input's units.

// The likelihood recursions index 5-vectors and 5 × 5 matrices by parameter; index loops
// read like the formulas they implement.
#![allow(clippy::needless_range_loop)]

pub mod archlm;
pub mod classify;
pub mod garch;
pub mod model;
mod qp;
pub mod risk;
pub mod simulate;

pub use archlm::{arch_lm, ArchLm};
pub use classify::{
    classify, classify_with, compare, levels, levels_with, stars, ClassSpec, Comparison,
    FundClasses, Level, Linkage, Metric,
};
pub use garch::{fit, fit_with, rate_series, FitOptions, Free, GarchFit, RatedSeries};
pub use model::AtGarch;
pub use risk::{decompose, risk_paths, RiskComponents, RiskPaths};
pub use simulate::{simulate, stationary_threshold};
