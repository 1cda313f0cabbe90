//! Gaussian mixture models fitted by EM, with mclust's covariance parameterisations and
//! model selection by BIC (METHODS §4.5–§4.6).
//!
//! Component `c` has weight `π_c`, mean `μ_c` and covariance `Σ_c`; the six models are
//! mclust's (Fraley & Raftery) names for how the covariances are constrained:
//!
//! | model | Σ_c | shape | covariance parameters |
//! | --- | --- | --- | --- |
//! | EII | λ I | spherical, equal volume | 1 |
//! | VII | λ_c I | spherical, varying volume | k |
//! | EEI | diag(a), shared | diagonal, equal | d |
//! | VVI | diag(a_c) | diagonal, varying | k·d |
//! | EEE | Σ, shared | full, equal | d(d+1)/2 |
//! | VVV | Σ_c | full, varying | k·d(d+1)/2 |
//!
//! plus `k·d` means and `k − 1` free weights. All six M-steps are closed form (below).
//! scikit-learn's `spherical`, `diag`, `tied` and `full` are VII, VVI, EEE and VVV.
//!
//! **BIC** follows mclust's sign: `BIC = 2·loglik − params·ln n`, *higher is better*
//! (scikit-learn's `bic()` is the negative of this).
//!
//! **Regularisation.** Like scikit-learn's `reg_covar = 1e-6`, a small ridge is added to
//! every covariance diagonal after each M-step so that a component that collapses onto
//! a few points never makes the EM crash. Unlike scikit-learn the ridge is relative: it
//! is `reg_covar × var_j` for variable `j` (its variance over all observations), so the
//! diagonal and full models do not depend on the units of each column (returns as
//! fractions or percent, exposures, log AUM side by side); the spherical models assume
//! commensurate columns by definition. For them the ridge is the mean of the `var_j`
//! times `reg_covar`, as in scikit-learn. With unit-variance columns this is exactly
//! scikit-learn's rule.
//!
//! **Convergence.** EM stops when Aitken's estimate of the log-likelihood still to be
//! gained falls below `tol·(1 + |loglik|)` (default `tol = 1e-6`). A rule on the last
//! step alone (mclust, scikit-learn) stops far from the limit when components overlap
//! and EM crawls; the Aitken rule bounds the error of the log-likelihood and the BIC.
//!
//! **Singular fits.** A ridge keeps the arithmetic finite but cannot make a degenerate
//! solution meaningful: a component sitting on fewer points than it has covariance
//! directions has a likelihood that grows without bound as its covariance shrinks, and
//! the ridge only caps it at an arbitrary height. mclust reports such models as failed
//! (BIC `NA`); here [`GmmFit::singular`] is set when some fitted covariance, before the
//! ridge, has an eigenvalue below `1e-6` of the corresponding data variance (in the
//! metric `diag(var_j)`), and [`GmmSearch`] reports its BIC as NaN and never picks it.
//!
//! **Initialisation** of [`GmmSearch`]: k-means (k-means++ seeding, Lloyd iterations)
//! on the column-standardised data, several starts from `Rng::stream(seed, ·)` (five by
//! default, shared by all models); each model and k runs 20 EM iterations from every
//! start and continues the best non-singular one to convergence ("short EM"). [`Gmm::fit_from_labels`] starts from given hard labels: the first step is the M-step of those
//! labels, so a fit is fully determined by its labels.

// Index loops are kept where they mirror the algebra (observations, components, variables).
#![allow(clippy::needless_range_loop)]

mod em;
mod init;
mod mixture;
mod model;
mod predict;
mod search;
mod steps;

pub use mixture::{Gmm, GmmFit, GmmOptions};
pub use model::CovModel;
pub use search::{GmmSearch, GmmSelection};
