//! The three measures an analyst compares for a fund and its peers side by side: S*, S
//! and the correlation of returns (METHODS §3.6, §3.7 and §3.9), computed for the few
//! pairs asked about rather than for every pair.

use std::collections::HashMap;

use peergroup_data::{Date, InputError, Panel};
use peergroup_io::Exposures;
use peergroup_similarity::{
    correlation as correlation_matrix, fund_similarity_condensed, rescaled_condensed,
    systematic_similarity_condensed, FactorSimilarity, MissingReturns,
};

use crate::{date_index, Named};

use super::Scale;

/// The measures of one fund against one peer on one date.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairMeasures {
    /// Rescaled systematic similarity S* (eq. 8), unitless, 1 for identical exposures.
    pub s_star: f64,
    /// Fund similarity S = R²_A R²_B S* with S_U = 0 (eq. 9); None without the fit's R².
    pub s: Option<f64>,
    /// Pearson correlation of the two funds' returns over the estimation window ending
    /// on the date (pairwise-complete); None without returns or with too few common dates.
    pub correlation: Option<f64>,
}

/// What [`PeerMeasures::of`] needs, fixed for one date: exposures and the factors'
/// similarity, and optionally the fit's R² and the funds' returns.
pub struct PeerMeasures<'a> {
    exposures: Named<'a, Exposures>,
    sx: &'a FactorSimilarity,
    scale: Scale,
    r2: Option<Named<'a, HashMap<(String, Date), f64>>>,
    returns: Option<Named<'a, Panel>>,
    /// Date index into the exposures.
    t: usize,
    /// Returns window `[start, end)` in the returns' dates, when there are returns.
    window: (usize, usize),
}

impl<'a> PeerMeasures<'a> {
    /// Measures on `date` of the exposures; the correlation uses the last `window`
    /// returns up to and including `date` (the style window), or every return up to it.
    pub fn new(
        exposures: Named<'a, Exposures>,
        sx: &'a FactorSimilarity,
        scale: Scale,
        r2: Option<Named<'a, HashMap<(String, Date), f64>>>,
        returns: Option<Named<'a, Panel>>,
        window: Option<usize>,
        date: Date,
    ) -> Result<PeerMeasures<'a>, InputError> {
        let t = date_index(&exposures.dates, date, "exposures")
            .map_err(|e| e.in_file(exposures.name))?;
        let window = match returns {
            Some(r) => {
                let end = r.dates().partition_point(|d| *d <= date);
                (window.map_or(0, |w| end.saturating_sub(w)), end)
            }
            None => (0, 0),
        };
        Ok(PeerMeasures {
            exposures,
            sx,
            scale,
            r2,
            returns,
            t,
            window,
        })
    }

    /// S*, S and correlation of `fund` against each of `peers`, in their order. Errors
    /// name the fund without exposures on the date or without an R².
    pub fn of(&self, fund: &str, peers: &[&str]) -> Result<Vec<PairMeasures>, InputError> {
        let ex = self.exposures.value;
        let ids: Vec<&str> = std::iter::once(fund).chain(peers.iter().copied()).collect();
        let date = ex.dates[self.t];
        let mut b = Vec::with_capacity(ids.len() * ex.factors.len());
        for id in &ids {
            let i = ex.funds.get(id).ok_or_else(|| {
                InputError::new(format!("fund '{id}' has no exposures"))
                    .in_file(self.exposures.name)
            })?;
            let row = ex.row(self.t, i);
            if row[0].is_nan() {
                return Err(
                    InputError::new(format!("fund '{id}' has no exposures on {date}"))
                        .in_file(self.exposures.name),
                );
            }
            b.extend_from_slice(row);
        }
        let star = rescaled_condensed(&systematic_similarity_condensed(
            &b,
            ids.len(),
            self.sx,
            self.scale.into(),
        )?);
        let s = match &self.r2 {
            Some(map) => {
                let r2v: Vec<f64> = ids
                    .iter()
                    .map(|id| {
                        map.get(&(id.to_string(), date)).copied().ok_or_else(|| {
                            InputError::new(format!(
                                "no R² for fund '{id}' on {date} in the fit table"
                            ))
                            .in_file(map.name)
                        })
                    })
                    .collect::<Result<_, _>>()?;
                Some(fund_similarity_condensed(&star, &r2v, None)?)
            }
            None => None,
        };
        let correlation = self.correlations(&ids)?;
        Ok((1..ids.len())
            .map(|j| PairMeasures {
                s_star: star.get(0, j),
                s: s.as_ref().map(|s| s.get(0, j)),
                correlation: correlation.as_ref().and_then(|c| c[j]),
            })
            .collect())
    }

    /// Correlation of the first of `ids` with each (index 0 unused); None without returns.
    fn correlations(&self, ids: &[&str]) -> Result<Option<Vec<Option<f64>>>, InputError> {
        let Some(panel) = self.returns else {
            return Ok(None);
        };
        let (start, end) = self.window;
        let w = end - start;
        // The baseline's rule (correlation.rs): half the window, at least 3 dates.
        let min_obs = (w / 2).max(3);
        if w < min_obs {
            return Ok(Some(vec![None; ids.len()]));
        }
        let mut rows = Vec::with_capacity(ids.len() * w);
        let mut known = Vec::with_capacity(ids.len());
        for id in ids {
            match panel.index_of(id) {
                Some(i) => {
                    rows.extend_from_slice(&panel.series(i)[start..end]);
                    known.push(true);
                }
                None => {
                    rows.extend(std::iter::repeat_n(f64::NAN, w));
                    known.push(false);
                }
            }
        }
        let c = correlation_matrix(
            &rows,
            ids.len(),
            w,
            min_obs,
            MissingReturns::PairwiseComplete,
        )
        .map_err(|e| e.in_file(panel.name))?;
        Ok(Some(
            (0..ids.len())
                .map(|j| {
                    let v = c.get(0, j);
                    (known[0] && known[j] && v.is_finite()).then_some(v)
                })
                .collect(),
        ))
    }
}
