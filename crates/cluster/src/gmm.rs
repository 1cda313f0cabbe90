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

use peergroup_numeric::linalg::cholesky;
use peergroup_random::Rng;
use rayon::prelude::*;
use std::ops::RangeInclusive;

use peergroup_numeric::MatRef;

use crate::error::{check_features, check_k, check_len, ClusterError};
use crate::fit::{Fit, Partition, Predict};
use crate::labels::first_appearance;

/// mclust covariance parameterisation (volume / shape / orientation equal or varying).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CovModel {
    /// Spherical, equal volume: `Σ_c = λ I`.
    EII,
    /// Spherical, varying volume: `Σ_c = λ_c I` (scikit-learn `spherical`).
    VII,
    /// Diagonal, shared by all components: `Σ_c = diag(a)`.
    EEI,
    /// Diagonal, varying: `Σ_c = diag(a_c)` (scikit-learn `diag`).
    VVI,
    /// Full, shared by all components: `Σ_c = Σ` (scikit-learn `tied`).
    EEE,
    /// Full, varying: `Σ_c` unconstrained (scikit-learn `full`).
    VVV,
}

/// How a model's covariances are stored and inverted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Spherical,
    Diagonal,
    Full,
}

impl Shape {
    /// Values stored per component: a d × d matrix (full) or a diagonal.
    fn per_component(self, d: usize) -> usize {
        if self == Shape::Full {
            d * d
        } else {
            d
        }
    }
}

impl CovModel {
    /// All six models, in mclust's order of increasing flexibility.
    pub const ALL: [CovModel; 6] = [
        CovModel::EII,
        CovModel::VII,
        CovModel::EEI,
        CovModel::VVI,
        CovModel::EEE,
        CovModel::VVV,
    ];

    /// The mclust name, e.g. `"VVV"`.
    pub fn name(self) -> &'static str {
        match self {
            CovModel::EII => "EII",
            CovModel::VII => "VII",
            CovModel::EEI => "EEI",
            CovModel::VVI => "VVI",
            CovModel::EEE => "EEE",
            CovModel::VVV => "VVV",
        }
    }

    /// The model with mclust name `name` (case-insensitive), if any.
    pub fn from_name(name: &str) -> Option<CovModel> {
        CovModel::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Number of free covariance parameters for `k` components in `d` dimensions.
    pub fn covariance_params(self, k: usize, d: usize) -> usize {
        match self {
            CovModel::EII => 1,
            CovModel::VII => k,
            CovModel::EEI => d,
            CovModel::VVI => k * d,
            CovModel::EEE => d * (d + 1) / 2,
            CovModel::VVV => k * d * (d + 1) / 2,
        }
    }

    /// Number of free parameters of the mixture: means, `k − 1` weights and covariances.
    pub fn params(self, k: usize, d: usize) -> usize {
        k * d + k.saturating_sub(1) + self.covariance_params(k, d)
    }

    fn shape(self) -> Shape {
        match self {
            CovModel::EII | CovModel::VII => Shape::Spherical,
            CovModel::EEI | CovModel::VVI => Shape::Diagonal,
            CovModel::EEE | CovModel::VVV => Shape::Full,
        }
    }

    fn shared(self) -> bool {
        matches!(self, CovModel::EII | CovModel::EEI | CovModel::EEE)
    }
}

impl std::fmt::Display for CovModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A fitted mixture. Matrices are row-major: `means` is k×d, `covariances` k×d×d.
#[derive(Clone, Debug)]
pub struct GmmFit {
    /// Covariance parameterisation.
    pub model: CovModel,
    /// Number of components.
    pub k: usize,
    /// Mixing weights `π_c` (sum 1).
    pub weights: Vec<f64>,
    /// Component means, k×d row-major.
    pub means: Vec<f64>,
    /// Component covariances including the ridge, k×d×d row-major (full matrices for every model).
    pub covariances: Vec<f64>,
    /// Log-likelihood `Σ_i ln Σ_c π_c N(x_i | μ_c, Σ_c)` at the returned parameters.
    pub loglik: f64,
    /// `2·loglik − params·ln n` (mclust's sign: higher is better).
    pub bic: f64,
    /// Number of free parameters ([`CovModel::params`]).
    pub params: usize,
    /// Most probable component of each observation.
    pub labels: Vec<usize>,
    /// Posterior probabilities, n×k row-major.
    pub responsibilities: Vec<f64>,
    /// Number of M-steps after the one from the initial labels.
    pub iterations: usize,
    /// Whether the relative log-likelihood change fell below the tolerance.
    pub converged: bool,
    /// Whether a covariance is singular without the ridge (or the fit is not finite):
    /// mclust would report this model as failed, and [`GmmSearch`] never picks it.
    pub singular: bool,
}

/// Tuning of the EM ([`Gmm`], [`GmmSearch`]).
#[derive(Clone, Debug)]
pub struct GmmOptions {
    /// Ridge added to covariance diagonals, as a multiple of each variable's variance.
    pub reg_covar: f64,
    /// Stop when the log-likelihood still to be gained (Aitken's estimate from the last
    /// steps) is below `tol·(1 + |loglik|)`; `0` never stops early, so exactly
    /// `max_iter` iterations run.
    pub tol: f64,
    /// Maximum number of EM iterations.
    pub max_iter: usize,
    /// Number of k-means starts per k in [`GmmSearch`] and [`Gmm::fit`].
    pub n_starts: usize,
}

impl Default for GmmOptions {
    fn default() -> Self {
        GmmOptions {
            reg_covar: 1e-6,
            tol: 1e-6,
            max_iter: 1000,
            n_starts: 5,
        }
    }
}

/// The BIC table of a model search and the model it selects.
#[derive(Clone, Debug)]
pub struct GmmSelection {
    /// The fit with the highest BIC among the non-singular ones.
    pub best: GmmFit,
    /// `(model, k, BIC)` for every model and k tried, models outer; BIC is NaN if the
    /// fit failed (singular covariance, or k larger than the number of observations).
    pub table: Vec<(CovModel, usize, f64)>,
}

/// Smallest eigenvalue of a covariance before the ridge, relative to the data variance,
/// below which the fit is reported as singular.
const SINGULAR_TOL: f64 = 1e-6;

/// Gaussian mixture parameters: `k` components of covariance `model`, EM `options`, and
/// the `seed` of the k-means starts of [`Gmm::fit`]. Built as
/// `Gmm::new(k, model).seed(1)`; checked by [`Gmm::validate`].
#[derive(Clone, Debug)]
pub struct Gmm {
    /// Number of components, ≥ 1 (and ≤ n for [`Gmm::fit`]).
    pub k: usize,
    /// Covariance parameterisation.
    pub model: CovModel,
    /// EM tuning.
    pub options: GmmOptions,
    /// Seed of the k-means starts (0).
    pub seed: u64,
}

impl Gmm {
    /// `k` components of `model`, default options, seed 0.
    pub fn new(k: usize, model: CovModel) -> Self {
        Gmm {
            k,
            model,
            options: GmmOptions::default(),
            seed: 0,
        }
    }

    /// Sets the EM options.
    pub fn options(self, options: GmmOptions) -> Self {
        Gmm { options, ..self }
    }

    /// Sets the seed of the k-means starts.
    pub fn seed(self, seed: u64) -> Self {
        Gmm { seed, ..self }
    }

    /// Checks k ≥ 1 and the options.
    pub fn validate(&self) -> Result<(), ClusterError> {
        if self.k == 0 {
            return Err(ClusterError::parameter("k", 0, "at least 1"));
        }
        self.options.validate()
    }

    /// EM from the hard labels `init` (one per row of `x`, each below k): the first step
    /// is the M-step of those labels, so the fit is fully determined by them. Singular or
    /// degenerate data (including NaN) give a fit flagged [`GmmFit::singular`], not an
    /// error.
    pub fn fit_from_labels(&self, x: MatRef<'_>, init: &[usize]) -> Result<GmmFit, ClusterError> {
        self.validate()?;
        let (n, d) = (x.rows(), x.cols());
        check_features(d)?;
        check_len("initial labels", n, init.len())?;
        if let Some(&l) = init.iter().find(|&&l| l >= self.k) {
            return Err(ClusterError::parameter("initial label", l, "below k"));
        }
        let x = x.as_slice();
        Ok(fit_from_labels(
            x,
            n,
            d,
            self.k,
            self.model,
            init,
            &self.options,
        ))
    }
}

impl Fit<MatRef<'_>> for Gmm {
    type Model = GmmFit;

    /// EM from seeded k-means starts (as one cell of [`GmmSearch`]); needs k ≤ n.
    fn fit(&self, x: MatRef<'_>) -> Result<GmmFit, ClusterError> {
        self.validate()?;
        check_k(self.k, x.rows())?;
        let search = GmmSearch {
            ks: self.k..=self.k,
            models: vec![self.model],
            seed: self.seed,
            options: self.options.clone(),
        };
        Ok(search.fit(x)?.best)
    }
}

impl GmmOptions {
    /// Checks reg_covar and tol finite and ≥ 0.
    pub fn validate(&self) -> Result<(), ClusterError> {
        if !(self.reg_covar.is_finite() && self.reg_covar >= 0.0) {
            return Err(ClusterError::parameter(
                "reg_covar",
                self.reg_covar,
                "finite and ≥ 0",
            ));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(ClusterError::parameter("tol", self.tol, "finite and ≥ 0"));
        }
        Ok(())
    }
}

impl Partition for GmmFit {
    fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Negative log-likelihood (nats).
    fn cost(&self) -> f64 {
        -self.loglik
    }
}

impl Predict<MatRef<'_>> for GmmFit {
    /// Most probable component of each row of `x` (the fitted data's columns) under the
    /// fitted mixture.
    fn predict(&self, x: MatRef<'_>) -> Result<Vec<usize>, ClusterError> {
        let (n, d, k) = (x.rows(), x.cols(), self.k);
        check_features(d)?;
        check_len(
            "columns of the data to predict",
            self.means.len() / k.max(1),
            d,
        )?;
        let mut p = Params {
            weights: self.weights.clone(),
            means: self.means.clone(),
            covs: self.covariances.clone(),
            singular: false,
        };
        let mut resp = vec![0.0; n * k];
        e_step(x.as_slice(), n, d, k, self.model, &mut p, &mut resp);
        Ok((0..n).map(|i| argmax(&resp[i * k..(i + 1) * k])).collect())
    }
}

/// [`Gmm::fit_from_labels`] on checked input.
fn fit_from_labels(
    x: &[f64],
    n: usize,
    d: usize,
    k: usize,
    model: CovModel,
    init: &[usize],
    opts: &GmmOptions,
) -> GmmFit {
    let scale = column_scales(x, n, d);
    let em = Em {
        x,
        n,
        d,
        k,
        model,
        scale: &scale,
        opts,
    };
    run_em(&em, one_hot(init, k), 0, f64::NEG_INFINITY)
}

/// One EM problem: the data (n × d), k components of `model`, the per-variable ridge
/// scale and the options.
#[derive(Clone, Copy)]
struct Em<'a> {
    x: &'a [f64],
    n: usize,
    d: usize,
    k: usize,
    model: CovModel,
    scale: &'a [f64],
    opts: &'a GmmOptions,
}

fn one_hot(labels: &[usize], k: usize) -> Vec<f64> {
    let mut resp = vec![0.0; labels.len() * k];
    for (i, &l) in labels.iter().enumerate() {
        resp[i * k + l] = 1.0;
    }
    resp
}

/// EM from responsibilities `resp` (hard labels, or the E-step of an earlier run that had
/// done `iterations` iterations and reached `prev`): M-step, then E and M until the
/// relative log-likelihood change is below `opts.tol` or `opts.max_iter` is reached.
fn run_em(em: &Em, mut resp: Vec<f64>, mut iterations: usize, mut prev: f64) -> GmmFit {
    let (x, n, d, k, model, opts) = (em.x, em.n, em.d, em.k, em.model, em.opts);
    let mut p = m_step(em, &resp);
    let mut converged = false;
    let mut prev_step = f64::NAN;
    let loglik = loop {
        let ll = e_step(x, n, d, k, model, &mut p, &mut resp);
        if !ll.is_finite() {
            break ll;
        }
        let step = ll - prev;
        if prev.is_finite() && remaining(step, prev_step).abs() < opts.tol * (1.0 + ll.abs()) {
            converged = true;
            break ll;
        }
        if iterations >= opts.max_iter {
            break ll;
        }
        p = m_step(em, &resp);
        iterations += 1;
        // No step before the first log-likelihood (prev = −∞): NaN makes `remaining`
        // fall back to the plain step.
        prev_step = if prev.is_finite() { step } else { f64::NAN };
        prev = ll;
    };
    let labels = (0..n).map(|i| argmax(&resp[i * k..(i + 1) * k])).collect();
    let params = model.params(k, d);
    GmmFit {
        model,
        k,
        weights: p.weights,
        means: p.means,
        covariances: p.covs,
        loglik,
        bic: 2.0 * loglik - params as f64 * (n as f64).ln(),
        params,
        labels,
        responsibilities: resp,
        iterations,
        converged,
        singular: p.singular || !loglik.is_finite(),
    }
}

/// BIC model search over `ks` × `models` with EM `options`, initialised by seeded k-means
/// (see the module docs). Built as `GmmSearch::new(1..=9, &CovModel::ALL).seed(1)`.
#[derive(Clone, Debug)]
pub struct GmmSearch {
    /// Numbers of components tried (k = 0 is skipped; k > n gives a NaN BIC).
    pub ks: RangeInclusive<usize>,
    /// Models tried, in the order of the table.
    pub models: Vec<CovModel>,
    /// Seed of the k-means starts.
    pub seed: u64,
    /// EM tuning.
    pub options: GmmOptions,
}

impl GmmSearch {
    /// Every k in `ks` × every model in `models`, default options, seed 0.
    pub fn new(ks: RangeInclusive<usize>, models: &[CovModel]) -> Self {
        GmmSearch {
            ks,
            models: models.to_vec(),
            seed: 0,
            options: GmmOptions::default(),
        }
    }

    /// Sets the seed of the k-means starts.
    pub fn seed(self, seed: u64) -> Self {
        GmmSearch { seed, ..self }
    }

    /// Sets the EM options.
    pub fn options(self, options: GmmOptions) -> Self {
        GmmSearch { options, ..self }
    }

    /// Checks that some model and some k ≥ 1 are given, and the options.
    pub fn validate(&self) -> Result<(), ClusterError> {
        if self.models.is_empty() {
            return Err(ClusterError::parameter(
                "models",
                "none",
                "at least one model",
            ));
        }
        if self.ks.clone().all(|k| k == 0) {
            return Err(ClusterError::parameter(
                "ks",
                format!("{:?}", self.ks),
                "a range holding some k ≥ 1",
            ));
        }
        self.options.validate()
    }
}

impl Fit<MatRef<'_>> for GmmSearch {
    type Model = GmmSelection;

    /// The BIC table and the best fit; deterministic for a given seed. If every fit is
    /// singular, `best` is the one with the highest BIC regardless (its `singular` flag
    /// says so) so that callers always get a partition.
    fn fit(&self, x: MatRef<'_>) -> Result<GmmSelection, ClusterError> {
        self.validate()?;
        check_features(x.cols())?;
        if x.rows() == 0 {
            return Err(ClusterError::TooFew {
                what: "rows",
                need: 1,
                found: 0,
            });
        }
        Ok(select(x, self))
    }
}

impl Partition for GmmSelection {
    fn labels(&self) -> &[usize] {
        &self.best.labels
    }

    fn cost(&self) -> f64 {
        -self.best.loglik
    }
}

/// [`GmmSearch::fit`] on checked input.
fn select(x: MatRef<'_>, search: &GmmSearch) -> GmmSelection {
    let (n, d) = (x.rows(), x.cols());
    let x = x.as_slice();
    let (models, seed, opts) = (&search.models[..], search.seed, &search.options);
    let ks: Vec<usize> = search.ks.clone().filter(|&k| k >= 1).collect();

    // The starting partitions depend on k only, so all models share them.
    let z = standardise(x, n, d);
    let starts: Vec<Vec<Vec<usize>>> = ks
        .par_iter()
        .map(|&k| {
            if k > n {
                return Vec::new();
            }
            let mut parts: Vec<Vec<usize>> = Vec::new();
            for s in 0..opts.n_starts.max(1) {
                let mut rng = Rng::stream(seed, ((k as u64) << 32) | s as u64);
                let labels = first_appearance(&kmeans_labels(&z, n, d, k, &mut rng));
                if !parts.contains(&labels) {
                    parts.push(labels);
                }
            }
            parts
        })
        .collect();

    let jobs: Vec<(CovModel, usize)> = models
        .iter()
        .flat_map(|&m| (0..ks.len()).map(move |j| (m, j)))
        .collect();
    let scale = column_scales(x, n, d);
    let fits: Vec<Option<GmmFit>> = jobs
        .par_iter()
        .map(|&(model, j)| {
            let em = Em {
                x,
                n,
                d,
                k: ks[j],
                model,
                scale: &scale,
                opts,
            };
            best_of_starts(&em, &starts[j])
        })
        .collect();

    let table = jobs
        .iter()
        .zip(&fits)
        .map(|(&(model, j), fit)| {
            let bic = match fit {
                Some(f) if !f.singular => f.bic,
                _ => f64::NAN,
            };
            (model, ks[j], bic)
        })
        .collect();
    let mut best: Option<GmmFit> = None;
    for fit in fits.into_iter().flatten() {
        let wins = match &best {
            None => true,
            Some(b) => match (fit.singular, b.singular) {
                (false, true) => true,
                (true, false) => false,
                // Ties keep the earlier (simpler-listed) model.
                _ => fit.bic > b.bic || (b.bic.is_nan() && !fit.bic.is_nan()),
            },
        };
        if wins {
            best = Some(fit);
        }
    }
    let best = best.unwrap_or_else(|| {
        // Only reachable when every k exceeds n: a one-component fit is still defined.
        fit_from_labels(x, n, d, 1, models[0], &vec![0; n], opts)
    });
    GmmSelection { best, table }
}

/// Aitken's estimate of the log-likelihood still to be gained, `ℓ∞ − ℓ_t`, from the last
/// two steps. EM converges linearly, `step_t ≈ a·step_{t−1}`, so the remaining gain is
/// `step_t·a/(1 − a)`: a stopping rule on it bounds the error of the log-likelihood (and
/// BIC), where a rule on the step alone stops far too early when `a` is close to 1, as
/// it is for overlapping components. Outside `0 ≤ a < 1` (no linear regime yet) the
/// step itself is used, unless it is growing.
fn remaining(step: f64, prev_step: f64) -> f64 {
    if step == 0.0 {
        return 0.0;
    }
    let a = step / prev_step;
    if (0.0..1.0).contains(&a) {
        step * a / (1.0 - a)
    } else if a.is_nan() || a < 0.0 {
        step
    } else {
        f64::INFINITY
    }
}

/// Iterations of the short EM runs that rank the starting partitions.
const SHORT_EM: usize = 20;

/// "Short EM" (Biernacki, Celeux & Govaert 2003): a few iterations from every start, then
/// only the most promising run continues to convergence, the next one only if that
/// ends singular. Over-fitted k converge slowly, so full runs from every start would
/// multiply the cost for little gain.
fn best_of_starts(em: &Em, starts: &[Vec<usize>]) -> Option<GmmFit> {
    let (model, opts) = (em.model, em.opts);
    let short = GmmOptions {
        max_iter: SHORT_EM.min(opts.max_iter),
        ..opts.clone()
    };
    let mut runs: Vec<GmmFit> = starts
        .iter()
        .map(|init| {
            let o = if starts.len() == 1 { opts } else { &short };
            let em = Em { opts: o, ..*em };
            run_em(&em, one_hot(init, em.k), 0, f64::NEG_INFINITY)
        })
        .collect();
    // Non-singular first, then by log-likelihood; the sort is stable, so ties keep the
    // order of the starts and the result is deterministic.
    let key = |f: &GmmFit| (f.singular, -f.loglik);
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(&runs[a]), key(&runs[b]));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    let mut fallback: Option<GmmFit> = None;
    for idx in order {
        let run = std::mem::replace(&mut runs[idx], placeholder(model));
        let fit = if run.converged || run.iterations >= opts.max_iter || !run.loglik.is_finite() {
            run
        } else {
            let (it, ll) = (run.iterations + 1, run.loglik);
            run_em(em, run.responsibilities, it, ll)
        };
        if !fit.singular {
            return Some(fit);
        }
        if fallback.as_ref().is_none_or(|f| fit.loglik > f.loglik) {
            fallback = Some(fit);
        }
    }
    fallback
}

/// An empty fit, left behind in a vector slot whose run was moved out.
fn placeholder(model: CovModel) -> GmmFit {
    GmmFit {
        model,
        k: 0,
        weights: Vec::new(),
        means: Vec::new(),
        covariances: Vec::new(),
        loglik: f64::NAN,
        bic: f64::NAN,
        params: 0,
        labels: Vec::new(),
        responsibilities: Vec::new(),
        iterations: 0,
        converged: false,
        singular: true,
    }
}

/// Parameters after an M-step.
struct Params {
    weights: Vec<f64>,
    means: Vec<f64>,
    covs: Vec<f64>,
    singular: bool,
}

/// Per-variable scale for the ridge and the singularity test: the column variance, with
/// a floor so that constant columns still get a (tiny) positive ridge.
fn column_scales(x: &[f64], n: usize, d: usize) -> Vec<f64> {
    let mut var = vec![0.0; d];
    for j in 0..d {
        let mean = (0..n).map(|i| x[i * d + j]).sum::<f64>() / n as f64;
        var[j] = (0..n).map(|i| (x[i * d + j] - mean).powi(2)).sum::<f64>() / n as f64;
    }
    let top = var.iter().cloned().fold(0.0, f64::max);
    let floor = if top > 0.0 { 1e-12 * top } else { 1.0 };
    var.iter().map(|&v| v.max(floor)).collect()
}

/// Closed-form M-step for responsibilities `resp` (n×k), plus the ridge and the
/// singularity test on the covariances before the ridge.
fn m_step(em: &Em, resp: &[f64]) -> Params {
    let (x, n, d, k, model) = (em.x, em.n, em.d, em.k, em.model);
    let (scale, reg) = (em.scale, em.opts.reg_covar);
    // As scikit-learn: 10·eps keeps an emptied component's mean finite; its weight ≈ 0.
    let mut nk = vec![10.0 * f64::EPSILON; k];
    let mut means = vec![0.0; k * d];
    for i in 0..n {
        let xi = &x[i * d..(i + 1) * d];
        for c in 0..k {
            let r = resp[i * k + c];
            if r != 0.0 {
                nk[c] += r;
                for j in 0..d {
                    means[c * d + j] += r * xi[j];
                }
            }
        }
    }
    for c in 0..k {
        for j in 0..d {
            means[c * d + j] /= nk[c];
        }
    }
    let total: f64 = nk.iter().sum();
    let weights: Vec<f64> = nk.iter().map(|v| v / total).collect();

    // Scatter about each component's own mean (centred, for accuracy): full matrices
    // for EEE/VVV, diagonals only otherwise.
    let shape = model.shape();
    let mut scatter = vec![0.0; shape.per_component(d) * k];
    let mut diff = vec![0.0; d];
    for i in 0..n {
        for c in 0..k {
            let r = resp[i * k + c];
            if r == 0.0 {
                continue;
            }
            for j in 0..d {
                diff[j] = x[i * d + j] - means[c * d + j];
            }
            if shape == Shape::Full {
                let w = &mut scatter[c * d * d..(c + 1) * d * d];
                for a in 0..d {
                    let ra = r * diff[a];
                    for b in 0..=a {
                        w[a * d + b] += ra * diff[b];
                    }
                }
            } else {
                for j in 0..d {
                    scatter[c * d + j] += r * diff[j] * diff[j];
                }
            }
        }
    }
    if shape == Shape::Full {
        for c in 0..k {
            for a in 0..d {
                for b in 0..a {
                    scatter[c * d * d + b * d + a] = scatter[c * d * d + a * d + b];
                }
            }
        }
    }

    // Raw (unregularised) covariance of each distinct matrix: pooled ones divide the
    // summed scatter by n, varying ones each scatter by its n_c.
    let groups = if model.shared() { 1 } else { k };
    let block = scatter.len() / k;
    let mut raw = vec![0.0; groups * block];
    if model.shared() {
        for c in 0..k {
            for t in 0..block {
                raw[t] += scatter[c * block + t];
            }
        }
        raw.iter_mut().for_each(|v| *v /= total);
    } else {
        for c in 0..k {
            for t in 0..block {
                raw[c * block + t] = scatter[c * block + t] / nk[c];
            }
        }
    }
    let mean_scale = scale.iter().sum::<f64>() / d as f64;
    let mut covs = vec![0.0; k * d * d];
    let mut singular = false;
    for g in 0..groups {
        let m = &raw[g * block..(g + 1) * block];
        let mut cov = vec![0.0; d * d];
        match shape {
            Shape::Spherical => {
                let lambda = m.iter().sum::<f64>() / d as f64;
                singular |= lambda.is_nan() || lambda <= SINGULAR_TOL * mean_scale;
                for j in 0..d {
                    cov[j * d + j] = lambda + reg * mean_scale;
                }
            }
            Shape::Diagonal => {
                for j in 0..d {
                    singular |= m[j].is_nan() || m[j] <= SINGULAR_TOL * scale[j];
                    cov[j * d + j] = m[j] + reg * scale[j];
                }
            }
            Shape::Full => {
                // λ_min(D^{-1/2} M D^{-1/2}) > tol  ⇔  M − tol·D is positive definite.
                let mut shifted = m.to_vec();
                for j in 0..d {
                    shifted[j * d + j] -= SINGULAR_TOL * scale[j];
                }
                let mut l = vec![0.0; d * d];
                singular |= !cholesky(&shifted, d, &mut l);
                cov.copy_from_slice(m);
                for j in 0..d {
                    cov[j * d + j] += reg * scale[j];
                }
            }
        }
        let targets = if model.shared() { 0..k } else { g..g + 1 };
        for c in targets {
            covs[c * d * d..(c + 1) * d * d].copy_from_slice(&cov);
        }
    }
    Params {
        weights,
        means,
        covs,
        singular,
    }
}

/// E-step: responsibilities into `resp`, returns the log-likelihood. A covariance that is
/// not numerically positive definite (possible only with a zero ridge) gets a growing
/// jitter and marks the fit singular.
fn e_step(
    x: &[f64],
    n: usize,
    d: usize,
    k: usize,
    model: CovModel,
    p: &mut Params,
    resp: &mut [f64],
) -> f64 {
    let shape = model.shape();
    let ln2pi = (2.0 * std::f64::consts::PI).ln();
    // Per component: Cholesky factor (full) or inverse variances (diagonal), and
    // the constant  ln π_c − ½(d ln 2π + ln det Σ_c).
    let mut factor = vec![0.0; shape.per_component(d) * k];
    let mut konst = vec![0.0; k];
    for c in 0..k {
        let cov = &mut p.covs[c * d * d..(c + 1) * d * d];
        let logdet = if shape == Shape::Full {
            let l = &mut factor[c * d * d..(c + 1) * d * d];
            if !cholesky(cov, d, l) {
                p.singular = true;
                let mean_diag = (0..d).map(|j| cov[j * d + j].abs()).sum::<f64>() / d as f64;
                let mut jitter = 1e-10 * mean_diag.max(f64::MIN_POSITIVE);
                let mut ok = false;
                for _ in 0..40 {
                    for j in 0..d {
                        cov[j * d + j] += jitter;
                    }
                    if cholesky(cov, d, l) {
                        ok = true;
                        break;
                    }
                    jitter *= 10.0;
                }
                if !ok {
                    return f64::NAN;
                }
            }
            (0..d).map(|j| 2.0 * l[j * d + j].ln()).sum::<f64>()
        } else {
            let mut s = 0.0;
            for j in 0..d {
                let v = cov[j * d + j];
                if v.is_nan() || v <= 0.0 {
                    return f64::NAN;
                }
                factor[c * d + j] = 1.0 / v;
                s += v.ln();
            }
            s
        };
        konst[c] = p.weights[c].ln() - 0.5 * (d as f64 * ln2pi + logdet);
    }

    let mut loglik = 0.0;
    let mut diff = vec![0.0; d];
    for i in 0..n {
        let xi = &x[i * d..(i + 1) * d];
        let row = &mut resp[i * k..(i + 1) * k];
        for c in 0..k {
            let mu = &p.means[c * d..(c + 1) * d];
            let maha = if shape == Shape::Full {
                // Forward substitution L y = x − μ; the Mahalanobis distance is |y|².
                let l = &factor[c * d * d..(c + 1) * d * d];
                let mut s2 = 0.0;
                for a in 0..d {
                    let mut s = xi[a] - mu[a];
                    for b in 0..a {
                        s -= l[a * d + b] * diff[b];
                    }
                    diff[a] = s / l[a * d + a];
                    s2 += diff[a] * diff[a];
                }
                s2
            } else {
                let inv = &factor[c * d..(c + 1) * d];
                (0..d).map(|j| (xi[j] - mu[j]).powi(2) * inv[j]).sum()
            };
            row[c] = konst[c] - 0.5 * maha;
        }
        // log-sum-exp, so that far-away points do not underflow to 0/0.
        let top = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = row.iter().map(|v| (v - top).exp()).sum();
        let lse = top + sum.ln();
        for v in row.iter_mut() {
            *v = (*v - lse).exp();
        }
        loglik += lse;
    }
    loglik
}

fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (c, &p) in v.iter().enumerate() {
        if p > v[best] {
            best = c;
        }
    }
    best
}

/// Columns scaled to unit variance (constant columns left centred at 0), so the k-means
/// starts do not depend on the units of each variable.
fn standardise(x: &[f64], n: usize, d: usize) -> Vec<f64> {
    let mut z = x.to_vec();
    for j in 0..d {
        let mean = (0..n).map(|i| x[i * d + j]).sum::<f64>() / n as f64;
        let var = (0..n).map(|i| (x[i * d + j] - mean).powi(2)).sum::<f64>() / n as f64;
        let inv = if var > 0.0 { 1.0 / var.sqrt() } else { 0.0 };
        for i in 0..n {
            z[i * d + j] = (x[i * d + j] - mean) * inv;
        }
    }
    z
}

/// k-means partition of `z` (n×d): k-means++ seeding, then Lloyd iterations until no
/// label changes. An emptied cluster is re-seeded at the point farthest from its centre.
fn kmeans_labels(z: &[f64], n: usize, d: usize, k: usize, rng: &mut Rng) -> Vec<usize> {
    let dist2 =
        |i: usize, c: &[f64]| -> f64 { (0..d).map(|j| (z[i * d + j] - c[j]).powi(2)).sum::<f64>() };
    let mut centres = vec![0.0; k * d];
    let first = rng.below(n as u64) as usize;
    centres[..d].copy_from_slice(&z[first * d..(first + 1) * d]);
    let mut near: Vec<f64> = (0..n).map(|i| dist2(i, &centres[..d])).collect();
    for c in 1..k {
        let total: f64 = near.iter().sum();
        let pick = if total > 0.0 {
            rng.weighted_index(&near)
        } else {
            rng.below(n as u64) as usize
        };
        centres[c * d..(c + 1) * d].copy_from_slice(&z[pick * d..(pick + 1) * d]);
        for i in 0..n {
            near[i] = near[i].min(dist2(i, &centres[c * d..(c + 1) * d]));
        }
    }

    let mut labels = vec![usize::MAX; n];
    for _ in 0..100 {
        let mut changed = false;
        let mut own = vec![0.0; n];
        for i in 0..n {
            let mut best = 0;
            let mut best_d = f64::INFINITY;
            for c in 0..k {
                let dd = dist2(i, &centres[c * d..(c + 1) * d]);
                if dd < best_d {
                    best_d = dd;
                    best = c;
                }
            }
            own[i] = best_d;
            if labels[i] != best {
                labels[i] = best;
                changed = true;
            }
        }
        let mut counts = vec![0usize; k];
        for &l in &labels {
            counts[l] += 1;
        }
        for c in 0..k {
            if counts[c] == 0 {
                let far = argmax(&own);
                if own[far] > 0.0 {
                    counts[labels[far]] -= 1;
                    labels[far] = c;
                    counts[c] = 1;
                    own[far] = 0.0;
                    changed = true;
                }
            }
        }
        centres.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..n {
            let c = labels[i];
            for j in 0..d {
                centres[c * d + j] += z[i * d + j];
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                for j in 0..d {
                    centres[c * d + j] /= counts[c] as f64;
                }
            }
        }
        if !changed {
            break;
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_relabels_by_first_appearance() {
        assert_eq!(first_appearance(&[2, 2, 0, 1, 0]), vec![0, 0, 1, 2, 1]);
    }

    #[test]
    fn kmeans_separates_two_blobs() {
        let mut rng = Rng::new(3);
        let mut z = Vec::new();
        for i in 0..40 {
            let off = if i < 20 { -5.0 } else { 5.0 };
            z.push(off + rng.normal());
            z.push(rng.normal());
        }
        let l = kmeans_labels(&z, 40, 2, 2, &mut Rng::new(1));
        assert!(l[..20].iter().all(|&v| v == l[0]));
        assert!(l[20..].iter().all(|&v| v == l[20]));
        assert_ne!(l[0], l[20]);
    }
}
