//! Agreement of a partition with reference labels (METHODS §4.8): adjusted Rand index,
//! normalised mutual information and the contingency table, for peer groups
//! (`cluster --reference`) and segments (`segment … --reference`) alike.

use std::collections::HashMap;

use peergroup_cluster::labels::encode;
use peergroup_cluster::validity::{
    adjusted_rand_index, contingency, normalized_mutual_info, Contingency,
};
use peergroup_data::InputError;
use peergroup_io::{Column, Table};

use crate::error::OrInput;
use crate::Named;

/// Agreement of a partition with reference labels.
#[derive(Clone, Debug)]
pub struct Agreement {
    /// Adjusted Rand index.
    pub ari: f64,
    /// Normalised mutual information.
    pub nmi: f64,
    /// Reference labels in order of first appearance over the objects.
    pub labels: Vec<String>,
    /// Objects per (cluster, reference label).
    pub counts: Contingency,
}

impl Agreement {
    /// `cluster,label,count,value`: the contingency counts, then rows `ARI` and `NMI`
    /// with the measure in `value`.
    pub fn table(&self) -> Table {
        let c = &self.counts;
        let mut cluster = Vec::new();
        let mut label = Vec::new();
        let mut count = Vec::new();
        for r in 0..c.rows {
            for (j, nm) in self.labels.iter().enumerate() {
                cluster.push(format!("{}", r + 1));
                label.push(nm.clone());
                count.push(c.get(r, j) as i64);
            }
        }
        let mut value = vec![f64::NAN; count.len()];
        for (name, v) in [("ARI", self.ari), ("NMI", self.nmi)] {
            cluster.push(name.into());
            label.push(String::new());
            count.push(0);
            value.push(v);
        }
        Table::new()
            .with("cluster", Column::Text(cluster))
            .with("label", Column::Text(label))
            .with("count", Column::I64(count))
            .with("value", Column::F64(value))
    }
}

/// ARI, NMI and contingency of `labels` (cluster 0..k of object `ids[i]`) against
/// `reference` (`id,label` pairs); every object needs a label, else an error naming the
/// first missing id and the reference file.
pub fn agreement(
    ids: &[String],
    labels: &[usize],
    reference: Named<'_, [(String, String)]>,
) -> Result<Agreement, InputError> {
    let map: HashMap<&str, &str> = reference
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let named = ids
        .iter()
        .map(|id| {
            map.get(id.as_str()).copied().ok_or_else(|| {
                InputError::new(format!("'{id}' is missing from the reference labels"))
                    .in_file(reference.name)
            })
        })
        .collect::<Result<Vec<&str>, _>>()?;
    let (ref_labels, names) = encode(&named);
    Ok(Agreement {
        ari: adjusted_rand_index(labels, &ref_labels).or_input()?,
        nmi: normalized_mutual_info(labels, &ref_labels).or_input()?,
        labels: names,
        counts: contingency(labels, &ref_labels).or_input()?,
    })
}
