//! The similarity stage feeds the cluster stage in memory exactly as through its table:
//! the same peer groups, tree and BIC choice from the matrix as from the written and
//! re-read pairs.

use peergroup_io::{read_similarity, write_table, Format};
use peergroup_pipeline::cluster::{cluster, ClusterInput, ClusterMethod, ClusterSettings};
use peergroup_pipeline::similarity::{
    similarity, similarity_matrices, SimilarityInputs, SimilaritySettings,
};
use peergroup_pipeline::style::style;
use peergroup_pipeline::{synth, KChoice, Named};
use peergroup_similarity::FactorSimilarity;
use peergroup_style::StyleSpec;
use peergroup_synth::{universe, UniverseConfig};

#[test]
fn matrix_and_table_give_the_same_peer_groups() {
    for seed in [2, 9] {
        let u = universe(&UniverseConfig {
            funds: 24,
            factors: 5,
            periods: 150,
            groups: 3,
            seed,
            ..Default::default()
        });
        let (funds, factors) = synth::universe_panels(&u).unwrap();
        let out = style(
            Named::new(&funds, "funds"),
            Named::new(&factors, "factors"),
            &StyleSpec::default(),
        )
        .unwrap();
        let (exposures, r2) = (out.exposures(), out.r2());
        let inputs = SimilarityInputs {
            exposures: Named::new(&exposures, "exposures"),
            r2: Some(Named::new(&r2, "fit")),
            residuals: None,
        };
        let sx = FactorSimilarity::identity(factors.ids().to_vec());
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
