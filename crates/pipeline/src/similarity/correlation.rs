//! The correlation baseline: Pearson correlation of fund returns, in the format of the
//! similarity table (METHODS §3.9).

use peergroup_data::{InputError, Panel};
use peergroup_similarity::{correlation as correlation_matrix, MissingReturns};

use serde::{Deserialize, Serialize};

use super::{PairRows, PairTable};

/// Settings of [`correlation`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct CorrelationSettings {
    /// Window length in observations (default: the whole sample).
    #[cfg_attr(feature = "clap", arg(long, value_name = "W"))]
    pub window: Option<usize>,
    /// One matrix per window end instead of only the last.
    #[cfg_attr(feature = "clap", arg(long))]
    pub all_dates: bool,
}

/// Pearson correlation of fund returns, in the format of [`similarity`](super::similarity) (the baseline).
pub fn correlation(
    returns: &Panel,
    settings: &CorrelationSettings,
) -> Result<PairTable, InputError> {
    let panel = returns;
    let t = panel.n_dates();
    let w = settings.window.unwrap_or(t);
    if w < 3 || w > t {
        return Err(InputError::new(format!(
            "--window must be between 3 and the {t} dates of the returns, got {w}"
        )));
    }
    if panel.n_ids() < 2 {
        return Err(InputError::new("correlation needs at least two series"));
    }
    let ends: Vec<usize> = if settings.all_dates {
        (w - 1..t).collect()
    } else {
        vec![t - 1]
    };
    let ids: Vec<usize> = (0..panel.n_ids()).collect();
    let mut out = PairRows::new();
    for &end in &ends {
        let mut rows = Vec::with_capacity(panel.n_ids() * w);
        for i in 0..panel.n_ids() {
            rows.extend_from_slice(&panel.series(i)[end + 1 - w..=end]);
        }
        let c = correlation_matrix(
            &rows,
            panel.n_ids(),
            w,
            (w / 2).max(3),
            MissingReturns::PairwiseComplete,
        )?;
        out.push(panel.dates()[end], &ids, &c.to_condensed().upper);
    }
    let pairs = out.s.len();
    Ok(PairTable {
        table: out.table(panel.ids()),
        dates: ends.len(),
        funds: panel.n_ids(),
        pairs,
    })
}
