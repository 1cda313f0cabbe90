//! Agreement over time of the peer groups with the reference categories and with
//! clusters of return correlation over a trailing window (seed 004's comparison).

use peergroup_cluster::labels::encode;
use peergroup_cluster::validity::{adjusted_rand_index, normalized_mutual_info};
use peergroup_data::{InputError, Panel};
use peergroup_similarity::{correlation, MissingReturns, MIN_CORRELATION_OBS};

use super::partition::partition;
use super::{DateClusters, EvolveSettings};
use crate::error::OrInput;

/// What a clustering is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Against {
    /// The reference categories.
    Reference,
    /// Clusters of return correlation over the trailing window.
    Correlation,
}

impl Against {
    /// The name written in tables.
    pub fn name(self) -> &'static str {
        match self {
            Against::Reference => "reference",
            Against::Correlation => "correlation",
        }
    }
}

/// ARI and NMI of one rule's clustering at one date against another labelling.
#[derive(Clone, Debug, PartialEq)]
pub struct AgreementRow {
    /// Averaging rule.
    pub rule: usize,
    /// Date index.
    pub t: usize,
    /// Reference categories or correlation clusters.
    pub against: Against,
    /// Funds compared (in both labellings).
    pub n_funds: usize,
    /// Adjusted Rand index.
    pub ari: f64,
    /// Normalised mutual information.
    pub nmi: f64,
}

/// ARI and NMI of `c`'s labels against `other` (a label per source fund, None = absent).
pub(crate) fn against<S: AsRef<str>>(
    rule: usize,
    c: &DateClusters,
    other: &[Option<S>],
    kind: Against,
) -> Result<Option<AgreementRow>, InputError> {
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    for (&i, &l) in c.ids.iter().zip(&c.labels) {
        if let Some(o) = &other[i] {
            mine.push(l);
            theirs.push(o.as_ref());
        }
    }
    if mine.len() < 2 {
        return Ok(None);
    }
    let (theirs, _) = encode(&theirs);
    Ok(Some(AgreementRow {
        rule,
        t: c.t,
        against: kind,
        n_funds: mine.len(),
        ari: adjusted_rand_index(&mine, &theirs).or_input()?,
        nmi: normalized_mutual_info(&mine, &theirs).or_input()?,
    }))
}

/// Clusters (as text labels per source fund) of the return correlation over the
/// `settings.correlation_window` periods of `panel` up to `date`, for the funds with
/// every return of the window, clustered as the similarities are (distance 1 − ρ); None
/// when the window is not full or fewer than k funds qualify.
pub(crate) fn correlation_clusters(
    panel: &Panel,
    column: &[Option<usize>],
    names: &[String],
    date: peergroup_data::Date,
    settings: &EvolveSettings,
) -> Result<Option<Vec<Option<String>>>, InputError> {
    let w = settings.correlation_window;
    let end = panel.dates().partition_point(|x| *x <= date);
    if end < w || w < MIN_CORRELATION_OBS {
        return Ok(None);
    }
    let mut ids = Vec::new();
    let mut rows = Vec::new();
    for (i, col) in column.iter().enumerate() {
        let Some(col) = col else { continue };
        let win = &panel.series(*col)[end - w..end];
        if win.iter().all(|x| x.is_finite()) {
            ids.push(i);
            rows.extend_from_slice(win);
        }
    }
    let k = match settings.k {
        crate::KChoice::Fixed(k) => k,
        crate::KChoice::Auto => 2,
    };
    if ids.len() < k.max(3) {
        return Ok(None);
    }
    let rho = correlation(
        &rows,
        ids.len(),
        w,
        MIN_CORRELATION_OBS,
        MissingReturns::CommonDates,
    )?;
    // Distance 1 − ρ; a constant fund has no correlation: unrelated to every other.
    let distance = rho
        .to_condensed()
        .upper
        .iter()
        .map(|r| if r.is_nan() { 1.0 } else { 1.0 - r })
        .collect();
    let labels = partition(distance, &ids, names, date, settings)?;
    let mut out = vec![None; names.len()];
    for (&i, l) in ids.iter().zip(labels) {
        out[i] = Some(l.to_string());
    }
    Ok(Some(out))
}
