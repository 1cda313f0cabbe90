//! Returns-based style analysis (METHODS §2; Sharpe 1992, Markov et al. 2004): a fund's
//! exposures to a universe of factor indices, estimated from returns alone.
//!
//! * [`sharpe`]: Sharpe (1992) constrained regression, exact active-set kernel;
//! * [`moments`]: rolling sufficient statistics (no Gram rebuild per window);
//! * [`select`]: stepwise factor selection;
//! * [`dsa`](mod@dsa): dynamic style analysis with λ by predicted R²;
//! * [`residuals`](mod@residuals): the residual returns behind each reported fit;
//! * [`analysis`]: the whole universe, whole-sample or rolling, in parallel.

// Index loops are kept where they mirror the linear algebra (rows, columns, dates).
#![allow(clippy::needless_range_loop)]

pub mod analysis;
pub mod conic;
pub mod dsa;
pub mod moments;
pub mod residuals;
pub mod select;
mod shared_windows;
pub mod sharpe;

pub use analysis::{analyse, analyse_with, Method, StyleProblem, StyleResult, StyleSpec};
pub use dsa::{dsa, DsaFit, DsaProblem, Lambda};
pub use residuals::{residuals, Residuals};
pub use select::Criterion;
pub use sharpe::{kkt_violation, Constraints, SharpeSolver};
