//! The robustness stage: its unperturbed clustering is the similarity and cluster stages'
//! one; vanishing perturbations change nothing; groups separated by construction never
//! change, while a tie between two merges flips with probability 1/2 and moves exactly
//! the swing group; same seed, same draws, whatever the thread count; bad settings and
//! dates are refused by name.

use std::collections::HashMap;

use peergroup_data::Date;
use peergroup_io::{Exposures, Keys};
use peergroup_pipeline::cluster::{cluster, ClusterInput, ClusterMethod, ClusterSettings};
use peergroup_pipeline::robustness::{robustness, RobustnessInputs, RobustnessSettings};
use peergroup_pipeline::similarity::{
    similarity_matrices, Measure, SimilarityInputs, SimilaritySettings,
};
use peergroup_pipeline::{KChoice, Named};
use peergroup_similarity::FactorSimilarity;

/// Exposures of `rows` (one row of betas per fund) on one date.
fn exposures(factors: &[&str], rows: &[Vec<f64>]) -> Exposures {
    let mut funds = Keys::default();
    let mut fs = Keys::default();
    for f in factors {
        fs.intern(f);
    }
    for i in 0..rows.len() {
        funds.intern(&format!("F{i:02}"));
    }
    Exposures {
        funds,
        factors: fs,
        dates: vec![Date::from_ymd(2024, 6, 28).unwrap()],
        values: rows.concat(),
    }
}

fn matrix(names: &[&str], values: &[f64]) -> FactorSimilarity {
    FactorSimilarity::from_matrix(
        names.iter().map(|s| s.to_string()).collect(),
        values.to_vec(),
    )
    .unwrap()
}

/// A deterministic stream of uniforms in [0, 1).
fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `funds` long-only funds in `groups` groups over `k` factors (a group's prototype plus
/// noise of size `noise`; `groups` = 0: no structure) and an R² in [0.5, 0.95] each.
fn grouped(
    funds: usize,
    k: usize,
    groups: usize,
    noise: f64,
    seed: u64,
) -> (Exposures, HashMap<(String, Date), f64>) {
    let mut u = uniforms(seed);
    let prototypes: Vec<Vec<f64>> = (0..groups.max(1))
        .map(|_| (0..k).map(|_| if u() < 0.4 { u() } else { 0.0 }).collect())
        .collect();
    let names: Vec<String> = (0..k).map(|j| format!("X{j}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let rows: Vec<Vec<f64>> = (0..funds)
        .map(|i| {
            let r: Vec<f64> = if groups == 0 {
                (0..k).map(|_| u()).collect()
            } else {
                let g = &prototypes[i % groups];
                g.iter().map(|b| b + noise * u()).collect()
            };
            let s: f64 = r.iter().sum();
            r.iter().map(|x| x / s).collect()
        })
        .collect();
    let ex = exposures(&names, &rows);
    let r2 = ex
        .funds
        .names
        .iter()
        .map(|f| ((f.clone(), ex.dates[0]), 0.5 + 0.45 * u()))
        .collect();
    (ex, r2)
}

/// S_X with every off-diagonal entry `off`.
fn uniform_sx(names: &[String], off: f64) -> FactorSimilarity {
    let k = names.len();
    let values = (0..k * k)
        .map(|x| if x / k == x % k { 1.0 } else { off })
        .collect();
    FactorSimilarity::from_matrix(names.to_vec(), values).unwrap()
}

fn settings(perturb: &[f64], draws: usize, k: usize) -> RobustnessSettings {
    RobustnessSettings {
        perturb: perturb.to_vec(),
        draws,
        k: KChoice::Fixed(k),
        ..RobustnessSettings::default()
    }
}

#[test]
fn unperturbed_clustering_is_the_cluster_stage_one_and_tiny_draws_change_nothing() {
    let (ex, r2) = grouped(60, 6, 4, 0.3, 5);
    let sx = uniform_sx(&ex.factors.names, 0.4);
    for method in [
        ClusterMethod::Average,
        ClusterMethod::Ward,
        ClusterMethod::Kmeans,
    ] {
        let mut s = settings(&[1e-9, 0.3], 20, 4);
        s.method = method;
        let inputs = RobustnessInputs {
            exposures: Named::new(&ex, "e.csv"),
            r2: Some(Named::new(&r2, "fit.csv")),
        };
        let out = robustness(inputs, &sx, &s).unwrap();
        // The same peer groups as `similarity` then `cluster`.
        let m = similarity_matrices(
            SimilarityInputs {
                exposures: Named::new(&ex, "e.csv"),
                r2: Some(Named::new(&r2, "fit.csv")),
                residuals: None,
            },
            &sx,
            // the R²-weighted S, as robustness uses the fit's R²
            &SimilaritySettings {
                measure: Measure::S,
                ..SimilaritySettings::default()
            },
        )
        .unwrap();
        let c = cluster(
            ClusterInput::Matrix(Named::new(&m[0], "memory")),
            &ClusterSettings {
                method,
                k: KChoice::Fixed(4),
                ..ClusterSettings::default()
            },
        )
        .unwrap();
        assert_eq!((&out.funds, &out.labels, out.k), (&c.ids, &c.labels, 4));
        assert_eq!(out.date, ex.dates[0]);
        assert_eq!(out.draws.len(), 40);
        let tiny: Vec<f64> = out.draws[..20].iter().map(|d| d.share_changed).collect();
        assert!(tiny.iter().all(|&x| x == 0.0), "{method:?}: {tiny:?}");
        assert!(out.draws[..20].iter().all(|d| d.perturb == 1e-9));
        assert_eq!(out.draws[20].draw, 1);
        let summary = out.summary();
        assert_eq!(summary.len(), 2);
        assert_eq!(
            (summary[0].mean, summary[0].p05, summary[0].p95),
            (0.0, 0.0, 0.0)
        );
        assert!(summary[1].p05 <= summary[1].mean && summary[1].mean <= summary[1].p95);
    }
}

/// An identity S_X has nothing to perturb (zeros stay zero, the diagonal is kept): every
/// draw at every size gives back the unperturbed groups.
#[test]
fn identity_factor_similarity_never_changes() {
    let (ex, r2) = grouped(40, 5, 0, 0.0, 8);
    let sx = FactorSimilarity::identity(ex.factors.names.clone());
    let inputs = RobustnessInputs {
        exposures: Named::new(&ex, "e.csv"),
        r2: Some(Named::new(&r2, "fit.csv")),
    };
    let out = robustness(inputs, &sx, &settings(&[0.5, 0.95], 10, 5)).unwrap();
    assert!(out.draws.iter().all(|d| d.share_changed == 0.0));
}

/// Pure X, Y and Z funds (k = 3) are separated by construction: funds of one factor are
/// identical (S* = 1), funds of different factors are not, so no perturbation changes
/// the groups. With S_X(Y, Z) = 0 and S_X(X, Y) = S_X(X, Z), k = 2 is a tie: the X funds
/// join Y when S_X(X, Y) draws above S_X(X, Z) and Z otherwise (S*(X, Y) − S*(X, Z) has
/// the sign of S_X(X, Y) − S_X(X, Z)), so each draw moves no fund or exactly the 4 X funds
/// (aligned, the 3 Y or 3 Z funds keep their label): a share of 0 or 0.4, both seen.
#[test]
fn separated_groups_stay_and_a_tie_flips_the_swing_group() {
    let names = ["X", "Y", "Z"];
    let mut rows = Vec::new();
    for (f, count) in [(0, 4), (1, 3), (2, 3)] {
        for _ in 0..count {
            let mut r = vec![0.0; 3];
            r[f] = 1.0;
            rows.push(r);
        }
    }
    let ex = exposures(&names, &rows);
    let inputs = RobustnessInputs {
        exposures: Named::new(&ex, "e.csv"),
        r2: None,
    };
    let separated = matrix(&names, &[1.0, 0.5, 0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 1.0]);
    let out = robustness(inputs, &separated, &settings(&[0.1, 0.9], 30, 3)).unwrap();
    assert_eq!(out.labels, [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert!(out.draws.iter().all(|d| d.share_changed == 0.0));

    let tie = matrix(&names, &[1.0, 0.5, 0.5, 0.5, 1.0, 0.0, 0.5, 0.0, 1.0]);
    let out = robustness(inputs, &tie, &settings(&[0.01, 0.5], 60, 2)).unwrap();
    for d in &out.draws {
        assert!(
            d.share_changed == 0.0 || (d.share_changed - 0.4).abs() < 1e-15,
            "{d:?}"
        );
    }
    for p in [0.01, 0.5] {
        let shares: Vec<f64> = out
            .draws
            .iter()
            .filter(|d| d.perturb == p)
            .map(|d| d.share_changed)
            .collect();
        assert!(
            shares.contains(&0.0) && shares.contains(&0.4),
            "{p}: {shares:?}"
        );
    }
}

/// The same seed gives the same draws in pools of 1 and 2 threads; another seed others.
#[test]
fn draws_depend_on_the_seed_not_the_threads() {
    // Long-only exposures without group structure: fragile groups.
    let (ex, _) = grouped(45, 5, 0, 0.0, 13);
    let sx = uniform_sx(&ex.factors.names, 0.6);
    let inputs = RobustnessInputs {
        exposures: Named::new(&ex, "e.csv"),
        r2: None,
    };
    // 40 draws: more than one batch of draws held at once.
    let s = settings(&[0.2, 0.6], 20, 4);
    let run = |threads: usize, s: &RobustnessSettings| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| robustness(inputs, &sx, s).unwrap().draws)
    };
    let one = run(1, &s);
    assert_eq!(one, run(2, &s));
    assert_eq!(one, run(2, &s));
    assert!(one.iter().any(|d| d.share_changed > 0.0), "{one:?}");
    let other = run(
        2,
        &RobustnessSettings {
            seed: 2,
            ..s.clone()
        },
    );
    assert_ne!(one, other);
    // Adding a size leaves the draws of the others unchanged (common random numbers).
    let more = run(2, &settings(&[0.6], 20, 4));
    assert_eq!(&one[20..], &more[..]);
}

#[test]
fn bad_settings_and_dates_are_refused_by_name() {
    let names = ["X", "Y"];
    let rows: Vec<Vec<f64>> = (0..6).map(|i| vec![i as f64 / 5.0, 1.0]).collect();
    let ex = exposures(&names, &rows);
    let sx = matrix(&names, &[1.0, 0.3, 0.3, 1.0]);
    let inputs = RobustnessInputs {
        exposures: Named::new(&ex, "e.csv"),
        r2: None,
    };
    let cases: Vec<(RobustnessSettings, &str)> = vec![
        (settings(&[0.0], 5, 2), "--perturb must be in (0, 1), got 0"),
        (
            settings(&[0.2, 1.0], 5, 2),
            "--perturb must be in (0, 1), got 1",
        ),
        (settings(&[0.2], 0, 2), "--draws must be at least 1, got 0"),
        (settings(&[0.2], 5, 0), "--k must be at least 1, got 0"),
        (
            settings(&[0.2], 5, 9),
            "--k 9 is larger than the number of objects (6)",
        ),
        (
            RobustnessSettings {
                date: Some(Date::from_ymd(2024, 7, 5).unwrap()),
                ..settings(&[0.2], 5, 2)
            },
            "e.csv: no exposures dated 2024-07-05",
        ),
    ];
    for (s, expected) in cases {
        let e = robustness(inputs, &sx, &s).unwrap_err().to_string();
        assert!(e.contains(expected), "{expected}: {e}");
    }
    let r2: HashMap<(String, Date), f64> = HashMap::new();
    let e = robustness(
        RobustnessInputs {
            exposures: Named::new(&ex, "e.csv"),
            r2: Some(Named::new(&r2, "fit.csv")),
        },
        &sx,
        &settings(&[0.2], 5, 2),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("fit.csv") && e.contains("no R² for fund 'F00'"),
        "{e}"
    );
}
