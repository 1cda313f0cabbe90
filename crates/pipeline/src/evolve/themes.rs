//! Cluster themes: the mean exposure of each cluster's funds to each factor, and its sums
//! over the factors sharing an attribute label (e.g. all Equity factors).

use peergroup_data::{InputError, Metadata};
use peergroup_io::Exposures;

use super::DateClusters;
use crate::Named;

/// Mean exposure of one cluster's funds to one factor at one date.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Averaging rule (index into the settings' list).
    pub rule: usize,
    /// Date index.
    pub t: usize,
    /// Aligned cluster.
    pub cluster: usize,
    /// Factor (index into the exposures' factors).
    pub factor: usize,
    /// Mean beta of the cluster's funds (fraction).
    pub mean_beta: f64,
}

/// Sum of a cluster's mean betas over the factors with one label of one attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeTheme {
    /// Averaging rule.
    pub rule: usize,
    /// Date index.
    pub t: usize,
    /// Aligned cluster.
    pub cluster: usize,
    /// Attribute (column of the factor attribute table).
    pub attribute: String,
    /// Label of the attribute, e.g. Equity.
    pub label: String,
    /// Sum of the mean betas of the factors with that label (fraction).
    pub sum_beta: f64,
}

/// Mean beta per cluster and factor of one clustering (clusters increasing, factors in
/// the exposures' order).
pub(crate) fn themes(rule: usize, c: &DateClusters, ex: &Exposures) -> Vec<Theme> {
    let k = ex.factors.len();
    let mut clusters: Vec<usize> = c.labels.clone();
    clusters.sort_unstable();
    clusters.dedup();
    let mut out = Vec::with_capacity(clusters.len() * k);
    for &cl in &clusters {
        let mut sum = vec![0.0; k];
        let mut n = 0usize;
        for (&i, _) in c.ids.iter().zip(&c.labels).filter(|(_, &l)| l == cl) {
            for (s, b) in sum.iter_mut().zip(ex.row(c.t, i)) {
                // A factor outside a fund's model counts as 0.
                *s += if b.is_finite() { *b } else { 0.0 };
            }
            n += 1;
        }
        for (factor, s) in sum.into_iter().enumerate() {
            out.push(Theme {
                rule,
                t: c.t,
                cluster: cl,
                factor,
                mean_beta: s / n as f64,
            });
        }
    }
    out
}

/// The label of every factor under every attribute of the factor attribute table
/// (attribute name, label per factor); errors on a factor missing from the table.
pub(crate) fn factor_labels(
    factors: &[String],
    attrs: Named<'_, Metadata>,
) -> Result<Vec<(String, Vec<String>)>, InputError> {
    attrs
        .columns()
        .iter()
        .map(|col| {
            let labels = factors
                .iter()
                .map(|f| {
                    attrs.get(f, col).map(str::to_string).ok_or_else(|| {
                        InputError::new(format!(
                            "factor '{f}' of the exposures is missing from the factor attribute table"
                        ))
                        .in_file(attrs.name)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((col.clone(), labels))
        })
        .collect()
}

/// [`themes`] summed over the factors of each attribute label (labels in order of first
/// appearance over the factors). `themes` holds whole clusters: every factor, in order.
pub(crate) fn by_attribute(
    themes: &[Theme],
    labels: &[(String, Vec<String>)],
) -> Vec<AttributeTheme> {
    let mut out = Vec::new();
    let Some(k) = labels.first().map(|(_, l)| l.len()).filter(|&k| k > 0) else {
        return out;
    };
    for block in themes.chunks(k) {
        let head = &block[0];
        for (attribute, per_factor) in labels {
            let mut order: Vec<&str> = Vec::new();
            for l in per_factor {
                if !order.contains(&l.as_str()) {
                    order.push(l);
                }
            }
            for label in order {
                let sum_beta = block
                    .iter()
                    .filter(|th| per_factor[th.factor] == label)
                    .map(|th| th.mean_beta)
                    .sum();
                out.push(AttributeTheme {
                    rule: head.rule,
                    t: head.t,
                    cluster: head.cluster,
                    attribute: attribute.clone(),
                    label: label.to_string(),
                    sum_beta,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_over_factors_with_one_label() {
        let th = |factor, mean_beta| Theme {
            rule: 0,
            t: 0,
            cluster: 1,
            factor,
            mean_beta,
        };
        let themes = vec![th(0, 0.5), th(1, 0.2), th(2, 0.3)];
        let labels = vec![(
            "asset_class".to_string(),
            vec!["Equity".into(), "Bond".into(), "Equity".into()],
        )];
        let out = by_attribute(&themes, &labels);
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].label.as_str(), out[0].sum_beta), ("Equity", 0.8));
        assert_eq!((out[1].label.as_str(), out[1].sum_beta), ("Bond", 0.2));
    }
}
