//! The evolve stage against independent references: a moving average of p dates clusters
//! exactly as the mean of p tables of the similarity stage does, and on a dynamic
//! synthetic universe the funds whose style switches are the ones that change group.

mod common;

use common::true_exposures;
use peergroup_cluster::linkage::{linkage, Linkage};
use peergroup_cluster::validity::adjusted_rand_index;
use peergroup_io::{read_similarity, write_table, Exposures, Format};
use peergroup_pipeline::evolve::{evolve, EvolveInputs, EvolveSettings, EvolveSource};
use peergroup_pipeline::similarity::{
    similarity, similarity_matrices, Averaging, SimilarityInputs, SimilaritySettings,
};
use peergroup_pipeline::{KChoice, Named};
use peergroup_similarity::FactorSimilarity;
use peergroup_synth::{universe, Universe, UniverseConfig};

/// A dynamic universe and its true exposures at every date, as `exposures.csv`.
fn dynamic(funds: usize, periods: usize, seed: u64) -> (Universe, Exposures) {
    let u = universe(&UniverseConfig {
        funds,
        factors: 8,
        periods,
        groups: 4,
        dynamic: true,
        seed,
        ..Default::default()
    });
    let ex = true_exposures(&u);
    (u, ex)
}

fn inputs<'a>(ex: &'a Exposures, sx: &'a FactorSimilarity) -> EvolveInputs<'a> {
    EvolveInputs {
        source: EvolveSource::Exposures {
            inputs: SimilarityInputs {
                exposures: Named::new(ex, "exposures.csv"),
                r2: None,
                residuals: None,
            },
            sx,
        },
        factor_attributes: None,
        returns: None,
        reference: None,
    }
}

#[test]
fn moving_average_clusters_as_the_mean_of_p_similarity_tables() {
    let (_, ex) = dynamic(30, 12, 3);
    let sx = FactorSimilarity::identity(ex.factors.names.clone());
    let p = 3;
    let settings = EvolveSettings {
        average: vec![Averaging::MovingAverage(p)],
        horizons: vec![1],
        k: KChoice::Fixed(4),
        ..EvolveSettings::default()
    };
    let ev = evolve(inputs(&ex, &sx), &settings).unwrap();
    // The reference: the similarity stage's table of every date, averaged over p dates.
    let sim_inputs = SimilarityInputs {
        exposures: Named::new(&ex, "exposures.csv"),
        r2: None,
        residuals: None,
    };
    let every = similarity_matrices(
        sim_inputs,
        &sx,
        &SimilaritySettings {
            all_dates: true,
            ..SimilaritySettings::default()
        },
    )
    .unwrap();
    let path = &ev.paths[0];
    assert_eq!(path.len(), ex.dates.len() - p + 1, "from the p-th date on");
    for c in path {
        let window = &every[c.t + 1 - p..=c.t];
        let n = window[0].ids.len();
        let dist: Vec<f64> = (0..window[0].similarity.upper.len())
            .map(|e| 1.0 - window.iter().map(|m| m.similarity.upper[e]).sum::<f64>() / p as f64)
            .collect();
        let reference = linkage(&dist, n, Linkage::Average)
            .unwrap()
            .cut_k(4)
            .unwrap();
        let ari = adjusted_rand_index(&c.labels, &reference).unwrap();
        assert!((ari - 1.0).abs() < 1e-12, "date {}: ARI {ari}", c.t);
    }
    // The same from a similarity table with every date, as `peergroup similarity --all-dates` writes it.
    let table = similarity(
        sim_inputs,
        &sx,
        &SimilaritySettings {
            all_dates: true,
            ..SimilaritySettings::default()
        },
    )
    .unwrap()
    .table;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sim.csv");
    write_table(&file, Format::of(&file).unwrap(), &table).unwrap();
    let sim = read_similarity(&file).unwrap();
    let from_table = evolve(
        EvolveInputs {
            source: EvolveSource::Similarity(Named::new(&sim, "sim.csv")),
            ..inputs(&ex, &sx)
        },
        &settings,
    )
    .unwrap();
    for (a, b) in path.iter().zip(&from_table.paths[0]) {
        assert_eq!(a.t, b.t);
        let ari = adjusted_rand_index(&a.labels, &b.labels).unwrap();
        assert!((ari - 1.0).abs() < 1e-12, "date {}: ARI {ari}", a.t);
    }
}

#[test]
fn transitions_find_the_funds_that_switch_style() {
    let (u, ex) = dynamic(80, 150, 11);
    let sx = FactorSimilarity::identity(ex.factors.names.clone());
    let settings = EvolveSettings {
        average: vec![Averaging::MovingAverage(4)],
        horizons: vec![1, 13],
        k: KChoice::Fixed(4),
        ..EvolveSettings::default()
    };
    let ev = evolve(inputs(&ex, &sx), &settings).unwrap();
    let moved: Vec<bool> = (0..u.fund_names.len())
        .map(|i| ev.transitions.iter().any(|x| x.fund == i))
        .collect();
    let switchers: Vec<usize> = (0..moved.len())
        .filter(|&i| u.switches[i].is_some())
        .collect();
    let stayers: Vec<usize> = (0..moved.len())
        .filter(|&i| u.switches[i].is_none())
        .collect();
    assert!(switchers.len() >= 10, "{} switchers", switchers.len());
    let found = switchers.iter().filter(|&&i| moved[i]).count() as f64 / switchers.len() as f64;
    let false_moves = stayers.iter().filter(|&&i| moved[i]).count() as f64 / stayers.len() as f64;
    eprintln!("switchers with a transition {found:.3}, stayers with one {false_moves:.3}");
    assert!(
        found >= 0.8,
        "only {found:.3} of the switching funds change group"
    );
    assert!(
        false_moves <= 0.2,
        "{false_moves:.3} of the other funds change group"
    );
    // A switcher's move happens around its switch (within the averaging window after it).
    let near = switchers
        .iter()
        .filter(|&&i| {
            let s = u.switches[i].unwrap();
            ev.transitions
                .iter()
                .any(|x| x.fund == i && x.t + 2 >= s.start && x.t <= s.end + 4)
        })
        .count() as f64
        / switchers.len() as f64;
    assert!(
        near >= 0.8,
        "only {near:.3} of switchers move during their switch"
    );
    // Stability falls with the horizon.
    let s1 = ev
        .stability
        .iter()
        .find(|s| s.horizon == 1)
        .unwrap()
        .stability;
    let s13 = ev
        .stability
        .iter()
        .find(|s| s.horizon == 13)
        .unwrap()
        .stability;
    assert!(s1 > s13 && s1 > 0.9, "stability {s1} at 1, {s13} at 13");
}

#[test]
fn bad_settings_name_their_key() {
    let (_, ex) = dynamic(10, 6, 5);
    let sx = FactorSimilarity::identity(ex.factors.names.clone());
    let run =
        |settings: EvolveSettings| evolve(inputs(&ex, &sx), &settings).unwrap_err().to_string();
    let e = run(EvolveSettings {
        average: vec![Averaging::MovingAverage(7)],
        horizons: vec![1],
        ..EvolveSettings::default()
    });
    assert!(e.contains("--average") && e.contains("ma:7"), "{e}");
    let e = run(EvolveSettings {
        average: vec![Averaging::MovingAverage(1)],
        horizons: vec![6],
        ..EvolveSettings::default()
    });
    assert!(e.contains("--horizons") && e.contains('6'), "{e}");
    let e = run(EvolveSettings {
        average: vec![Averaging::MovingAverage(1)],
        horizons: vec![1],
        k: KChoice::Fixed(11),
        ..EvolveSettings::default()
    });
    assert!(e.contains("--k 11"), "{e}");
}

/// Peer groups at scale at every date (METHODS §4.14): with as many micro-clusters as
/// funds they are the exact path (same aligned labels, same stability); with a fifth as
/// many the groups of every date agree with it (ARI ≥ 0.9) and the switching funds still
/// move.
#[test]
fn micro_clusters_at_every_date_follow_the_exact_path() {
    let (_, ex) = dynamic(90, 60, 19);
    let sx = FactorSimilarity::identity(ex.factors.names.clone());
    let base = EvolveSettings {
        average: vec![Averaging::Current],
        horizons: vec![1, 4],
        k: KChoice::Fixed(4),
        ..EvolveSettings::default()
    };
    let exact = evolve(inputs(&ex, &sx), &base).unwrap();
    let all = evolve(
        inputs(&ex, &sx),
        &EvolveSettings {
            micro_clusters: Some(90),
            ..base.clone()
        },
    )
    .unwrap();
    assert_eq!(exact.paths[0].len(), all.paths[0].len());
    for (e, a) in exact.paths[0].iter().zip(&all.paths[0]) {
        assert_eq!((e.t, &e.ids, &e.labels), (a.t, &a.ids, &a.labels));
    }
    assert_eq!(exact.stability, all.stability);
    let fifth = evolve(
        inputs(&ex, &sx),
        &EvolveSettings {
            micro_clusters: Some(18),
            ..base.clone()
        },
    )
    .unwrap();
    for (e, f) in exact.paths[0].iter().zip(&fifth.paths[0]) {
        let ari = adjusted_rand_index(&e.labels, &f.labels).unwrap();
        assert!(ari >= 0.9, "date {}: ARI {ari}", e.t);
    }
    // Settings that need whole matrices are refused by name.
    for (s, key) in [
        (
            EvolveSettings {
                micro_clusters: Some(18),
                average: vec![Averaging::MovingAverage(4)],
                ..base.clone()
            },
            "micro-clusters",
        ),
        (
            EvolveSettings {
                micro_clusters: Some(18),
                k: KChoice::Auto,
                ..base.clone()
            },
            "micro-clusters",
        ),
        (
            EvolveSettings {
                micro_clusters: Some(3),
                ..base.clone()
            },
            "micro-clusters",
        ),
    ] {
        let e = s.validate().unwrap_err();
        assert!(e.to_string().contains(key), "{e}");
    }
}
