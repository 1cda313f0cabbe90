//! The correlation baseline: Pearson correlation of fund returns, in the format of the
//! similarity table (METHODS §3.9).

use peergroup_data::{InputError, Panel};
use peergroup_similarity::{correlation as correlation_matrix, MissingReturns, SimilarityMatrix};

use serde::{Deserialize, Serialize};

use super::{DateSimilarity, PairRows, PairTable};

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
    let (w, ends) = window_ends(panel, settings)?;
    let ids: Vec<usize> = (0..panel.n_ids()).collect();
    let mut out = PairRows::new();
    for &end in &ends {
        let c = window_correlation(panel, end, w)?;
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

/// The correlation matrix of the last window of [`correlation`] (e.g. for its heat map),
/// dated at the window's last date.
pub fn last_correlation(
    returns: &Panel,
    settings: &CorrelationSettings,
) -> Result<DateSimilarity, InputError> {
    let (w, ends) = window_ends(returns, settings)?;
    let end = *ends.last().expect("at least one window end");
    Ok(DateSimilarity {
        date: returns.dates()[end],
        ids: returns.ids().to_vec(),
        similarity: window_correlation(returns, end, w)?.to_condensed(),
    })
}

/// The window length and the window ends (date indices) reported, after checking both.
fn window_ends(
    panel: &Panel,
    settings: &CorrelationSettings,
) -> Result<(usize, Vec<usize>), InputError> {
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
    Ok((w, ends))
}

/// Pairwise-complete correlation of every pair over the `w` dates ending at index `end`
/// (a pair needs at least half the window, and at least 3 returns).
fn window_correlation(panel: &Panel, end: usize, w: usize) -> Result<SimilarityMatrix, InputError> {
    let mut rows = Vec::with_capacity(panel.n_ids() * w);
    for i in 0..panel.n_ids() {
        rows.extend_from_slice(&panel.series(i)[end + 1 - w..=end]);
    }
    correlation_matrix(
        &rows,
        panel.n_ids(),
        w,
        (w / 2).max(3),
        MissingReturns::PairwiseComplete,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use peergroup_calendar::Frequency;
    use peergroup_data::{Date, SeriesKind};

    /// Three series over `t` months, the returns of series i a pattern of its own.
    fn panel(t: usize, skip: usize) -> Panel {
        let dates: Vec<Date> = (skip..t)
            .map(|m| Date::month_end(2020 + (m / 12) as i32, (m % 12) as u32 + 1).unwrap())
            .collect();
        let values: Vec<f64> = (0..3)
            .flat_map(|i| (skip..t).map(move |m| (((m * (i + 2) * 7) % 11) as f64 - 5.0) / 100.0))
            .collect();
        let ids = ["A", "B", "C"].map(String::from).to_vec();
        Panel::new(ids, dates, values, SeriesKind::Returns, Frequency::Monthly).unwrap()
    }

    /// The last window's matrix is the correlation over those dates alone, dated at the
    /// last one; a window longer than the sample is refused.
    #[test]
    fn last_window_matrix() {
        let window = CorrelationSettings {
            window: Some(12),
            all_dates: true,
        };
        let last = last_correlation(&panel(30, 0), &window).unwrap();
        let alone = last_correlation(&panel(30, 18), &CorrelationSettings::default()).unwrap();
        assert_eq!(last.ids, vec!["A", "B", "C"]);
        assert_eq!(last.date, alone.date);
        assert_eq!(last.similarity, alone.similarity);
        let whole = last_correlation(&panel(30, 0), &CorrelationSettings::default()).unwrap();
        assert_ne!(whole.similarity, last.similarity);
        let too_long = CorrelationSettings {
            window: Some(31),
            all_dates: false,
        };
        assert!(last_correlation(&panel(30, 0), &too_long).is_err());
    }
}
