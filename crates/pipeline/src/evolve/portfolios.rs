//! Out-of-sample cluster portfolios (seed 004 Charts 14-15): the equal-weight return of
//! each group's members over the period after each clustering date, for the aligned
//! clusters and for the reference categories, and the dispersion of those returns within
//! and between groups.

use std::collections::BTreeMap;

use peergroup_data::{Date, Panel};

use super::DateClusters;

/// What a portfolio's members share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupKind {
    /// An aligned cluster.
    Cluster,
    /// A reference category.
    Category,
}

impl GroupKind {
    /// The name written in tables.
    pub fn name(self) -> &'static str {
        match self {
            GroupKind::Cluster => "cluster",
            GroupKind::Category => "category",
        }
    }
}

/// The equal-weight next-period return of one group at one clustering date.
#[derive(Clone, Debug, PartialEq)]
pub struct Portfolio {
    /// Averaging rule.
    pub rule: usize,
    /// Date index of the clustering.
    pub t: usize,
    /// Cluster or category.
    pub kind: GroupKind,
    /// Cluster number (1-based, as in the tables) or category label.
    pub group: String,
    /// Members with a return over the next period.
    pub n_funds: usize,
    /// Their mean return over the next period of the returns file (fraction).
    pub next_return: f64,
    /// Date of that return.
    pub return_date: Date,
}

/// Dispersion of next-period returns of one rule and group kind, averaged over dates.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispersion {
    /// Averaging rule.
    pub rule: usize,
    /// Cluster or category.
    pub kind: GroupKind,
    /// Dates averaged.
    pub dates: usize,
    /// Pooled within-group standard deviation of fund returns (fraction per period).
    pub within_sd: f64,
    /// Standard deviation of the groups' mean returns (fraction per period).
    pub between_sd: f64,
}

/// What the portfolios need besides one rule's clusterings.
pub(crate) struct Returns<'a> {
    /// Fund returns.
    pub panel: &'a Panel,
    /// Column of each source fund in `panel` (None: no returns).
    pub column: Vec<Option<usize>>,
    /// Reference category of each source fund, if any.
    pub category: Option<Vec<Option<String>>>,
    /// Dates of the source.
    pub dates: &'a [Date],
}

/// Portfolios of one rule at every clustering date that has a next period, and the
/// dispersion summary per group kind.
pub(crate) fn portfolios(
    rule: usize,
    path: &[DateClusters],
    r: &Returns<'_>,
) -> (Vec<Portfolio>, Vec<Dispersion>) {
    let dates = r.panel.dates();
    let mut out = Vec::new();
    // (within, between) per date, per kind
    let mut spread: BTreeMap<GroupKind, Vec<(f64, f64)>> = BTreeMap::new();
    for c in path {
        let d = r.dates[c.t];
        let next = dates.partition_point(|x| *x <= d);
        if next == dates.len() {
            continue;
        }
        let mut kinds: Vec<(GroupKind, BTreeMap<String, Vec<f64>>)> = Vec::new();
        let mut clusters: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        let mut categories: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for (&i, &l) in c.ids.iter().zip(&c.labels) {
            let Some(col) = r.column[i] else { continue };
            let x = r.panel.series(col)[next];
            if !x.is_finite() {
                continue;
            }
            // Zero-padded so that the groups sort as numbers.
            clusters.entry(format!("{:06}", l + 1)).or_default().push(x);
            if let Some(Some(cat)) = r.category.as_ref().map(|c| &c[i]) {
                categories.entry(cat.clone()).or_default().push(x);
            }
        }
        kinds.push((GroupKind::Cluster, clusters));
        if r.category.is_some() {
            kinds.push((GroupKind::Category, categories));
        }
        for (kind, groups) in kinds {
            for (g, xs) in &groups {
                out.push(Portfolio {
                    rule,
                    t: c.t,
                    kind,
                    group: match kind {
                        GroupKind::Cluster => g.trim_start_matches('0').to_string(),
                        GroupKind::Category => g.clone(),
                    },
                    n_funds: xs.len(),
                    next_return: mean(xs),
                    return_date: dates[next],
                });
            }
            if let Some(s) = within_between(&groups) {
                spread.entry(kind).or_default().push(s);
            }
        }
    }
    let summary = spread
        .into_iter()
        .map(|(kind, v)| Dispersion {
            rule,
            kind,
            dates: v.len(),
            within_sd: v.iter().map(|s| s.0).sum::<f64>() / v.len() as f64,
            between_sd: v.iter().map(|s| s.1).sum::<f64>() / v.len() as f64,
        })
        .collect();
    (out, summary)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Pooled within-group standard deviation (N − G degrees of freedom) and the standard
/// deviation of group means; None without two groups and more funds than groups.
fn within_between(groups: &BTreeMap<String, Vec<f64>>) -> Option<(f64, f64)> {
    let g = groups.len();
    let n: usize = groups.values().map(Vec::len).sum();
    if g < 2 || n <= g {
        return None;
    }
    let means: Vec<f64> = groups.values().map(|xs| mean(xs)).collect();
    let ss: f64 = groups
        .values()
        .zip(&means)
        .map(|(xs, m)| xs.iter().map(|x| (x - m).powi(2)).sum::<f64>())
        .sum();
    let grand = mean(&means);
    let between = (means.iter().map(|m| (m - grand).powi(2)).sum::<f64>() / (g - 1) as f64).sqrt();
    Some(((ss / (n - g) as f64).sqrt(), between))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_and_between_spread_by_hand() {
        let mut g = BTreeMap::new();
        g.insert("a".to_string(), vec![1.0, 3.0]);
        g.insert("b".to_string(), vec![5.0, 7.0, 9.0]);
        // within: (2 + 8) / (5 − 2) = 10/3; means 2 and 7: between sd = √12.5
        let (w, b) = within_between(&g).unwrap();
        assert!((w - (10.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((b - 12.5f64.sqrt()).abs() < 1e-12);
    }
}
