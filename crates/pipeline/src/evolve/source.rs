//! Each date's fund similarity, one date at a time: computed from exposures and factor
//! similarities (as `peergroup similarity` does), or read off a similarity table.

use peergroup_data::{Date, InputError};
use peergroup_io::SimilarityTable;
use peergroup_similarity::FactorSimilarity;

use crate::similarity::{date_similarity, Scale, SimilarityInputs};
use crate::Named;

/// Where each date's similarity comes from.
#[derive(Clone, Copy, Debug)]
pub enum EvolveSource<'a> {
    /// Exposures (with optional R²) and factor similarities: S of every date, S_U = 0.
    Exposures {
        /// Exposures and R² (residuals are not used).
        inputs: SimilarityInputs<'a>,
        /// Factor similarities aligned with the exposures' factors.
        sx: &'a FactorSimilarity,
    },
    /// A similarity table `date,fund_a,fund_b,similarity` with several dates.
    Similarity(Named<'a, SimilarityTable>),
}

/// One date's similarity over the funds present that date.
#[derive(Clone, Debug)]
pub(crate) struct DateMatrix {
    /// Date index.
    pub t: usize,
    /// Funds present (indices into the source's funds, increasing).
    pub ids: Vec<usize>,
    /// Similarity of every pair of `ids` (scipy's condensed order).
    pub upper: Vec<f64>,
}

impl EvolveSource<'_> {
    /// Fund names of the source.
    pub(crate) fn funds(&self) -> &[String] {
        match self {
            EvolveSource::Exposures { inputs, .. } => &inputs.exposures.value.funds.names,
            EvolveSource::Similarity(s) => &s.value.funds.names,
        }
    }

    /// Dates of the source, increasing.
    pub(crate) fn dates(&self) -> &[Date] {
        match self {
            EvolveSource::Exposures { inputs, .. } => &inputs.exposures.value.dates,
            EvolveSource::Similarity(s) => &s.value.dates,
        }
    }

    /// The input's name, for messages.
    pub(crate) fn name(&self) -> &str {
        match self {
            EvolveSource::Exposures { inputs, .. } => inputs.exposures.name,
            EvolveSource::Similarity(s) => s.name,
        }
    }

    /// The similarity of date index `t` over the funds present that date; None when
    /// fewer than two funds are present.
    pub(crate) fn on(&self, t: usize, scale: Scale) -> Result<Option<DateMatrix>, InputError> {
        match self {
            EvolveSource::Exposures { inputs, sx } => {
                let ex = inputs.exposures.value;
                let ids: Vec<usize> = (0..ex.funds.len())
                    .filter(|&i| !ex.row(t, i)[0].is_nan())
                    .collect();
                if ids.len() < 2 {
                    return Ok(None);
                }
                let s = date_similarity(inputs, sx, scale, t, &ids)?;
                Ok(Some(DateMatrix {
                    t,
                    ids,
                    upper: s.upper,
                }))
            }
            EvolveSource::Similarity(sim) => {
                let table = sim.value;
                let n = table.funds.len();
                let m = table.matrix(t);
                // A fund is present when it has a similarity with some other fund.
                let ids: Vec<usize> = (0..n)
                    .filter(|&i| (0..n).any(|j| j != i && !m[i * n + j].is_nan()))
                    .collect();
                if ids.len() < 2 {
                    return Ok(None);
                }
                let mut upper = Vec::with_capacity(ids.len() * (ids.len() - 1) / 2);
                for (a, &i) in ids.iter().enumerate() {
                    for &j in &ids[a + 1..] {
                        let v = m[i * n + j];
                        if v.is_nan() {
                            return Err(InputError::new(format!(
                                "no similarity of '{}' and '{}' on {}: every pair of the funds present on a date is needed",
                                table.funds.names[i], table.funds.names[j], table.dates[t]
                            ))
                            .in_file(sim.name));
                        }
                        upper.push(v);
                    }
                }
                Ok(Some(DateMatrix { t, ids, upper }))
            }
        }
    }
}
