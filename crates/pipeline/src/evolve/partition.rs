//! One date's peer groups from its (averaged) similarity: a tree cut at k straight from
//! the distances `1 − S̄`, or the cluster stage for k-means, mixtures and k chosen by rule.

use peergroup_cluster::linkage::linkage_owned;
use peergroup_data::{Date, InputError};
use peergroup_similarity::CondensedSimilarity;

use super::EvolveSettings;
use crate::cluster::{cluster, ClusterInput, ClusterSettings};
use crate::error::OrInput;
use crate::similarity::DateSimilarity;
use crate::{KChoice, Named};

/// Cluster labels (0-based) of the `ids.len()` funds whose pair distances (1 − S̄) are
/// `distance`.
pub(crate) fn partition(
    distance: Vec<f64>,
    ids: &[usize],
    names: &[String],
    date: Date,
    settings: &EvolveSettings,
) -> Result<Vec<usize>, InputError> {
    let n = ids.len();
    if let KChoice::Fixed(k) = settings.k {
        if k > n {
            return Err(InputError::new(format!(
                "--k {k} is larger than the {n} funds present on {date}"
            )));
        }
        if let Some(method) = settings.method.linkage() {
            // The usual case: no embedding, the one O(n²) buffer clustered in place.
            return linkage_owned(distance, n, method)
                .or_input()?
                .cut_k(k)
                .or_input();
        }
    }
    let one = DateSimilarity {
        date,
        ids: ids.iter().map(|&i| names[i].clone()).collect(),
        similarity: CondensedSimilarity::new(
            n,
            vec![1.0; n],
            distance.iter().map(|d| 1.0 - d).collect(),
        ),
    };
    let name = format!("similarity on {date}");
    let out = cluster(
        ClusterInput::Matrix(Named::new(&one, &name)),
        &ClusterSettings {
            method: settings.method,
            k: settings.k,
            k_max: settings.k_max,
            k_rule: settings.k_rule,
            seed: settings.seed,
            ..ClusterSettings::default()
        },
    )?;
    Ok(out.labels)
}
