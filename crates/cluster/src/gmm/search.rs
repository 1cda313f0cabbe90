//! BIC model search over numbers of components and covariance models.

use peergroup_numeric::MatRef;
use peergroup_random::Rng;
use rayon::prelude::*;
use std::ops::RangeInclusive;

use super::em::{fit_from_labels, one_hot, run_em};
use super::init::{kmeans_labels, standardise};
use super::steps::column_scales;
use super::steps::Em;
use super::{CovModel, Gmm, GmmFit, GmmOptions};
use crate::error::{check_features, check_k, ClusterError};
use crate::fit::{Fit, Partition};
use crate::labels::first_appearance;

/// The BIC table of a model search and the model it selects.
#[derive(Clone, Debug)]
pub struct GmmSelection {
    /// The fit with the highest BIC among the non-singular ones.
    pub best: GmmFit,
    /// `(model, k, BIC)` for every model and k tried, models outer; BIC is NaN if the
    /// fit failed (singular covariance, or k larger than the number of observations).
    pub table: Vec<(CovModel, usize, f64)>,
}

/// BIC model search over `ks` × `models` with EM `options`, initialised by seeded k-means
/// (see the [module docs](super)). Built as `GmmSearch::new(1..=9, &CovModel::ALL).seed(1)`.
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

// A single mixture is one cell of the search: the same starts and EM.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_relabels_by_first_appearance() {
        assert_eq!(first_appearance(&[2, 2, 0, 1, 0]), vec![0, 0, 1, 2, 1]);
    }
}
