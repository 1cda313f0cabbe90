//! AU/BP of a one-date similarity by resampling the return periods behind the exposures
//! (seed 004 Chart 4): the original tree is the average linkage of 1 − S* computed by the
//! similarity stage, the true style groups of a well-fitted synthetic universe come out as
//! clades with high AU and BP, replicates are reproducible from the seed, and rolling
//! fits are refused.

mod common;

use common::style_and_factor_similarity;

use peergroup_cluster::linkage::{linkage_owned, Linkage};
use peergroup_pipeline::similarity::{
    period_pvalues, similarity_matrices, SimilarityInputs, SimilaritySettings,
};
use peergroup_pipeline::style::style;
use peergroup_pipeline::synth::universe_panels;
use peergroup_pipeline::Named;
use peergroup_similarity::ExposureScale;
use peergroup_style::StyleSpec;
use peergroup_synth::{universe, UniverseConfig};

#[test]
fn true_groups_are_supported_clades() {
    let u = universe(&UniverseConfig {
        funds: 15,
        factors: 8,
        periods: 156,
        groups: 3,
        r2: (0.75, 0.95),
        seed: 41,
        ..Default::default()
    });
    let (out, sx) = style_and_factor_similarity(&u);
    let (funds, factors) = universe_panels(&u).unwrap();
    let pv = period_pvalues(&out, &sx, ExposureScale::Raw, Linkage::Average, 40, 7).unwrap();
    let n = u.n_funds();
    assert_eq!(pv.len(), n - 1, "one entry per merge");
    // The original tree is that of the similarity stage's S*.
    let ex = out.exposures();
    let day = similarity_matrices(
        SimilarityInputs {
            exposures: Named::new(&ex, "exposures"),
            r2: None,
            residuals: None,
        },
        &sx,
        &SimilaritySettings::default(),
    )
    .unwrap()
    .pop()
    .unwrap();
    let d: Vec<f64> = day.similarity.upper.iter().map(|s| 1.0 - s).collect();
    let tree = linkage_owned(d, n, Linkage::Average).unwrap();
    let clades = tree.clades();
    for (p, members) in pv.iter().zip(&clades) {
        assert_eq!(&p.members, members);
        assert!((0.0..=1.0).contains(&p.fit.au) && (0.0..=1.0).contains(&p.fit.bp));
    }
    let root = pv.last().unwrap();
    assert_eq!(root.members.len(), n);
    assert!((root.fit.au - 1.0).abs() < 1e-9 && (root.fit.bp - 1.0).abs() < 1e-9);
    // Each true group is a clade of the tree, strongly supported.
    for g in 0..3 {
        let members: Vec<usize> = (0..n).filter(|&i| u.true_group[i] == g).collect();
        if members.len() < 2 {
            continue;
        }
        let clade = pv
            .iter()
            .find(|p| p.members == members)
            .unwrap_or_else(|| panic!("group {g} ({members:?}) is not a clade"));
        assert!(
            clade.fit.bp > 0.9 && clade.fit.au > 0.9,
            "group {g}: {:?}",
            clade.fit
        );
    }
    // Reproducible from the seed.
    let again = period_pvalues(&out, &sx, ExposureScale::Raw, Linkage::Average, 40, 7).unwrap();
    assert_eq!(
        pv.iter().map(|p| p.bp_by_scale.clone()).collect::<Vec<_>>(),
        again
            .iter()
            .map(|p| p.bp_by_scale.clone())
            .collect::<Vec<_>>()
    );
    // Rolling exposures and zero replicates are refused.
    let rolling = style(
        Named::new(&funds, "funds.csv"),
        Named::new(&factors, "factors.csv"),
        &StyleSpec {
            window: Some(104),
            ..StyleSpec::default()
        },
    )
    .unwrap();
    let e = period_pvalues(&rolling, &sx, ExposureScale::Raw, Linkage::Average, 40, 7).unwrap_err();
    assert!(e.message.contains("without --window"), "{e}");
    let e = period_pvalues(&out, &sx, ExposureScale::Raw, Linkage::Average, 0, 7).unwrap_err();
    assert!(e.message.contains("at least 1"), "{e}");
}
