//! AU/BP p-values of a one-date similarity's clusters (seed 004 Chart 4; METHODS §4.7):
//! pvclust's multiscale bootstrap of the return periods behind the exposures. Each
//! replicate resamples periods, re-estimates every fund's exposures on them, recomputes
//! S* and reclusters, so the p-values say how strongly the returns support each cluster.

use peergroup_cluster::bootstrap::{multiscale_bootstrap, CladePValue};
use peergroup_cluster::linkage::Linkage;
use peergroup_data::InputError;
use peergroup_similarity::{
    rescaled_condensed, systematic_similarity_condensed, with_cash, ExposureScale, FactorSimilarity,
};
use peergroup_style::{analyse, Method, StyleProblem};

use crate::error::OrInput;
use crate::style::{reports_cash, StyleOutput};

/// Scales r of the multiscale bootstrap (pvclust's default 0.5, 0.6, …, 1.4).
const SCALES: [f64; 10] = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4];

/// AU and BP of every clade of the `linkage` tree of `1 − S*` from `style`'s whole-sample
/// exposures, by `replicates` bootstrap samples of its return periods at each scale
/// (replicate streams from `seed`, so the result does not depend on the threads). `sx`
/// is aligned with the exposures' factors (with `CASH` when the fit reports it). One
/// entry per merge of the original tree, in merge order, as [`multiscale_bootstrap`].
///
/// Errors for a rolling or dynamic fit (its exposures are not one estimate from one set
/// of periods), no replicate, fewer than 3 funds, or an `sx` of another size.
pub fn period_pvalues(
    style: &StyleOutput,
    sx: &FactorSimilarity,
    scale: ExposureScale,
    linkage: Linkage,
    replicates: usize,
    seed: u64,
) -> Result<Vec<CladePValue>, InputError> {
    let spec = &style.spec;
    if spec.window.is_some() || spec.method == Method::Dsa {
        return Err(InputError::new(
            "bootstrapping return periods re-estimates one whole-sample fit per replicate: use the sharpe or ols method without --window",
        ));
    }
    if replicates == 0 {
        return Err(InputError::new("--bootstrap needs at least 1 replicate"));
    }
    let a = &style.aligned;
    let (n, k, t) = (a.funds.n_ids(), a.factors.n_ids(), a.factors.n_dates());
    if n < 3 {
        return Err(InputError::new(format!(
            "clustering needs at least 3 funds, got {n}"
        )));
    }
    let cash = reports_cash(spec);
    if sx.len() != k + usize::from(cash) {
        return Err(InputError::new(format!(
            "the factor similarity has {} factors; the exposures have {}",
            sx.len(),
            k + usize::from(cash)
        )));
    }
    let distances = |rows: &[usize]| -> Vec<f64> {
        let pick = |series: &[f64]| rows.iter().map(|&r| series[r]).collect::<Vec<f64>>();
        let factors: Vec<f64> = (0..k).flat_map(|j| pick(a.factors.series(j))).collect();
        let funds: Vec<f64> = (0..n).flat_map(|i| pick(a.funds.series(i))).collect();
        // Blocks are unused by a static fit; one per resampled row keeps them valid.
        let years: Vec<i32> = (0..rows.len() as i32).collect();
        let p = StyleProblem {
            factor_names: a.factors.ids(),
            factors: &factors,
            fund_names: a.funds.ids(),
            funds: &funds,
            years: &years,
        };
        // A replicate that cannot be fitted (e.g. a factor constant on the rows drawn)
        // gives non-finite distances, which the bootstrap skips.
        let skipped = || vec![f64::NAN; n * (n - 1) / 2];
        let Ok(res) = analyse(&p, spec) else {
            return skipped();
        };
        if res.exposures.len() != n {
            return skipped();
        }
        let betas = if cash {
            with_cash(&res.betas, n, k)
        } else {
            res.betas
        };
        match systematic_similarity_condensed(&betas, n, sx, scale) {
            Ok(syst) => rescaled_condensed(&syst)
                .upper
                .iter()
                .map(|s| 1.0 - s)
                .collect(),
            Err(_) => skipped(),
        }
    };
    let original = distances(&(0..t).collect::<Vec<_>>());
    if original.iter().any(|d| !d.is_finite()) {
        return Err(InputError::new(
            "the exposures of the whole sample give non-finite similarities",
        ));
    }
    multiscale_bootstrap(t, n, distances, linkage, &SCALES, replicates, seed).or_input()
}
