//! The AT-GARCH(1,1) model's parameters, their order in the parameter vector, and the
//! quantile that defines the turmoil threshold.
//!
//! Shared by the estimator ([`crate::garch`]), the risk decomposition ([`crate::risk`]) and
//! the simulator ([`simulate`](mod@crate::simulate)), none of which needs the others for it.

use crate::qp::P;

pub(crate) const MU: usize = 0;
pub(crate) const GAMMA: usize = 1;
pub(crate) const ALPHA: usize = 2;
pub(crate) const BETA: usize = 3;
pub(crate) const DELTA: usize = 4;
/// Names of the parameters in vector order.
pub const PARAMETER_NAMES: [&str; P] = ["mu", "gamma", "alpha", "beta", "delta"];

/// AT-GARCH(1,1) parameters in the units of the returns: μ in return units, γ in squared
/// return units, α, β, δ unitless.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AtGarch {
    /// Constant mean of the returns.
    pub mu: f64,
    /// Variance intercept γ > 0 (squared return units).
    pub gamma: f64,
    /// ARCH coefficient α ≥ 0.
    pub alpha: f64,
    /// GARCH coefficient 0 ≤ β < 1.
    pub beta: f64,
    /// Turmoil (threshold) coefficient δ ≥ −α.
    pub delta: f64,
}

impl AtGarch {
    fn to_array(self) -> [f64; P] {
        [self.mu, self.gamma, self.alpha, self.beta, self.delta]
    }

    pub(crate) fn from_array(a: [f64; P]) -> AtGarch {
        AtGarch {
            mu: a[MU],
            gamma: a[GAMMA],
            alpha: a[ALPHA],
            beta: a[BETA],
            delta: a[DELTA],
        }
    }

    /// Value of parameter `k` in [`PARAMETER_NAMES`] order.
    pub fn get(&self, k: usize) -> f64 {
        self.to_array()[k]
    }
}

/// Quantile `q` of `v` with linear interpolation between order statistics (numpy default).
pub fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    s[lo] + (pos - lo as f64) * (s[hi] - s[lo])
}
