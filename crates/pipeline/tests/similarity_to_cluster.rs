//! The similarity stage feeds the cluster stage in memory exactly as through its table:
//! the same peer groups, tree and BIC choice from the matrix as from the written and
//! re-read pairs; a date that is not there is named with its nearest dates in both.

use std::collections::HashMap;

use peergroup_data::Date;
use peergroup_io::{read_similarity, write_table, Exposures, Format};
use peergroup_pipeline::cluster::{cluster, ClusterInput, ClusterMethod, ClusterSettings};
use peergroup_pipeline::similarity::{
    similarity, similarity_matrices, SimilarityInputs, SimilaritySettings,
};
use peergroup_pipeline::style::style;
use peergroup_pipeline::{synth, KChoice, Named};
use peergroup_similarity::FactorSimilarity;
use peergroup_style::StyleSpec;
use peergroup_synth::{universe, UniverseConfig};

/// Full-sample style exposures and R² of a synthetic universe, and its factors'
/// identity similarity.
fn full_sample_style(
    config: &UniverseConfig,
) -> (Exposures, HashMap<(String, Date), f64>, FactorSimilarity) {
    let (funds, factors) = synth::universe_panels(&universe(config)).unwrap();
    let out = style(
        Named::new(&funds, "funds"),
        Named::new(&factors, "factors"),
        &StyleSpec::default(),
    )
    .unwrap();
    let sx = FactorSimilarity::identity(factors.ids().to_vec());
    (out.exposures(), out.r2(), sx)
}

#[test]
fn matrix_and_table_give_the_same_peer_groups() {
    for seed in [2, 9] {
        let (exposures, r2, sx) = full_sample_style(&UniverseConfig {
            funds: 24,
            factors: 5,
            periods: 150,
            groups: 3,
            seed,
            ..Default::default()
        });
        let inputs = SimilarityInputs {
            exposures: Named::new(&exposures, "exposures"),
            r2: Some(Named::new(&r2, "fit")),
            residuals: None,
        };
        let settings = SimilaritySettings::default();
        let matrices = similarity_matrices(inputs, &sx, &settings).unwrap();
        assert_eq!(matrices.len(), 1);
        let pairs = similarity(inputs, &sx, &settings).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.csv");
        write_table(&path, Format::of(&path).unwrap(), &pairs.table).unwrap();
        let table = read_similarity(&path).unwrap();
        for (method, k) in [
            (ClusterMethod::Average, KChoice::Fixed(3)),
            (ClusterMethod::Ward, KChoice::Auto),
            (ClusterMethod::Gmm, KChoice::Auto),
        ] {
            let s = ClusterSettings {
                method,
                k,
                ..Default::default()
            };
            let a = cluster(ClusterInput::Matrix(Named::new(&matrices[0], "memory")), &s).unwrap();
            let b = cluster(
                ClusterInput::Similarity {
                    table: Named::new(&table, "sim.csv"),
                    date: None,
                },
                &s,
            )
            .unwrap();
            assert_eq!(a.ids, b.ids);
            assert_eq!(a.labels, b.labels, "{method:?}");
            assert_eq!((a.k, &a.k_note), (b.k, &b.k_note));
            assert_eq!(a.silhouette.to_bits(), b.silhouette.to_bits());
            assert_eq!(a.dendrogram.is_some(), b.dendrogram.is_some());
            if let (Some(x), Some(y)) = (&a.dendrogram, &b.dendrogram) {
                assert_eq!(x.merges, y.merges);
            }
        }
    }
}

#[test]
fn a_date_not_in_the_table_lists_the_nearest_dates_in_similarity_and_cluster() {
    let (exposures, r2, sx) = full_sample_style(&UniverseConfig {
        funds: 8,
        factors: 3,
        periods: 60,
        groups: 2,
        seed: 4,
        ..Default::default()
    });
    let inputs = SimilarityInputs {
        exposures: Named::new(&exposures, "exposures.csv"),
        r2: Some(Named::new(&r2, "fit")),
        residuals: None,
    };
    // The full-sample fit has one date, the last of the returns.
    assert_eq!(exposures.dates.len(), 1);
    let only = exposures.dates[0];
    let after = only.add_days(3);
    let settings = SimilaritySettings {
        date: Some(after),
        ..Default::default()
    };
    let Err(err) = similarity(inputs, &sx, &settings) else {
        panic!("a date not in the exposures is refused");
    };
    assert_eq!(
        err.to_string(),
        format!("exposures.csv: no exposures dated {after}; nearest date: {only} (first {only}, last {only}, 1 date)")
    );

    let pairs = similarity(inputs, &sx, &SimilaritySettings::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.csv");
    write_table(&path, Format::of(&path).unwrap(), &pairs.table).unwrap();
    let table = read_similarity(&path).unwrap();
    let before = only.add_days(-1);
    let Err(err) = cluster(
        ClusterInput::Similarity {
            table: Named::new(&table, "sim.csv"),
            date: Some(before),
        },
        &ClusterSettings::default(),
    ) else {
        panic!("a date not in the similarity table is refused");
    };
    assert_eq!(
        err.to_string(),
        format!("sim.csv: no similarities dated {before}; nearest date: {only} (first {only}, last {only}, 1 date)")
    );
}
