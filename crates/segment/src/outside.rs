//! Funds selling outside their category (METHODS §6.11; the Market-Clusters notebook's
//! question: "which funds can I compete with outside my Morningstar category?").
//!
//! Given a clustering of funds by sales pattern and each fund's category, every fund gets
//! its cluster's composition: the majority category (most members; ties by category
//! name), the share of its own category in the cluster, and its peers of other
//! categories in the cluster. A fund is flagged [`OutsideRow::outside`] when its own
//! category's share of the cluster is below the threshold (default 0.5): other
//! categories dominate the funds that sell like it.

use std::collections::HashMap;

use crate::error::{check_columns, check_labels};
use crate::{SegmentError, Table};

/// Default threshold of [`outside_category`]: flagged when own share < 0.5.
pub const DEFAULT_MAX_OWN_SHARE: f64 = 0.5;

/// One fund's place in its cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct OutsideRow {
    /// Fund id.
    pub fund: String,
    /// Cluster label.
    pub cluster: usize,
    /// Funds in the cluster (including this one).
    pub cluster_size: usize,
    /// The fund's own category.
    pub category: String,
    /// The cluster's most common category (ties by name).
    pub majority_category: String,
    /// Share of the cluster in the majority category (fraction).
    pub majority_share: f64,
    /// Share of the cluster in the fund's own category (fraction, this fund included).
    pub own_share: f64,
    /// Whether `own_share` is below the threshold: the cluster is dominated by other
    /// categories.
    pub outside: bool,
    /// Funds of other categories in the same cluster, in input order.
    pub peers: Vec<String>,
}

/// One row per fund, in input order (module documentation). `funds`, `labels` and
/// `categories` are aligned; `max_own_share` is the flagging threshold (fraction).
/// Errors: lengths differ, a label is not below the number of funds, or no funds.
pub fn outside_category<F: AsRef<str>, C: AsRef<str>>(
    funds: &[F],
    labels: &[usize],
    categories: &[C],
    max_own_share: f64,
) -> Result<Vec<OutsideRow>, SegmentError> {
    let n = funds.len();
    check_columns(
        Table::Labels,
        n,
        &[("label", labels.len()), ("category", categories.len())],
    )?;
    check_labels(labels, n)?;
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &l) in labels.iter().enumerate() {
        members[l].push(i);
    }
    // Per cluster: category counts and the majority.
    let mut counts: Vec<HashMap<&str, usize>> = vec![HashMap::new(); k];
    for (i, &l) in labels.iter().enumerate() {
        *counts[l].entry(categories[i].as_ref()).or_insert(0) += 1;
    }
    let majority: Vec<Option<(&str, usize)>> = counts
        .iter()
        .map(|c| {
            c.iter()
                .map(|(&cat, &m)| (cat, m))
                .min_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)))
        })
        .collect();

    Ok((0..n)
        .map(|i| {
            let l = labels[i];
            let own = categories[i].as_ref();
            let size = members[l].len();
            let (maj, maj_count) = majority[l].expect("the fund's own cluster is non-empty");
            let own_share = counts[l][own] as f64 / size as f64;
            OutsideRow {
                fund: funds[i].as_ref().to_string(),
                cluster: l,
                cluster_size: size,
                category: own.to_string(),
                majority_category: maj.to_string(),
                majority_share: maj_count as f64 / size as f64,
                own_share,
                outside: own_share < max_own_share,
                peers: members[l]
                    .iter()
                    .filter(|&&j| categories[j].as_ref() != own)
                    .map(|&j| funds[j].as_ref().to_string())
                    .collect(),
            }
        })
        .collect())
}
