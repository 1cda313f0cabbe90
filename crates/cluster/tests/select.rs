//! Choosing k: structureless data → 1, separated blobs → their number, by the gap and
//! silhouette rules; k-means selection reproduces `gap_statistic`; mixed data through
//! k-prototypes.

mod common;

use common::{mat, mixed};
use peergroup_cluster::kprototypes::KPrototypesOptions;
use peergroup_cluster::select::{
    choose_k, gap_statistic, silhouette_choice, KChoice, KCriteria, KMeansSelect,
    KPrototypesSelect, KRule, SILHOUETTE_SAMPLE,
};
use peergroup_cluster::validity::adjusted_rand_index;
use peergroup_random::Rng;

/// Four blobs (sd 1) at the corners of a square of side 12 in the first two of `d`
/// dimensions, `per` points each, in input order; and their labels.
fn four_blobs(seed: u64, per: usize, d: usize) -> (Vec<f64>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let corners = [(0.0, 0.0), (12.0, 0.0), (0.0, 12.0), (12.0, 12.0)];
    let mut x = Vec::new();
    let mut labels = Vec::new();
    for (c, (a, b)) in corners.iter().enumerate() {
        for _ in 0..per {
            for f in 0..d {
                let centre = [*a, *b].get(f).copied().unwrap_or(0.0);
                x.push(centre + rng.normal());
            }
            labels.push(c);
        }
    }
    (x, labels)
}

fn check_table(choice: &KChoice, k_max: usize) {
    assert_eq!(
        choice.table.iter().map(|r| r.k).collect::<Vec<_>>(),
        (1..=k_max).collect::<Vec<_>>()
    );
    assert!(choice.table[0].silhouette.is_nan());
    assert!(choice
        .table
        .iter()
        .all(|r| r.s > 0.0 && r.cost > 0.0 && r.gap.is_finite()));
    assert!(choice.table[1..].iter().all(|r| r.silhouette.abs() <= 1.0));
}

#[test]
fn uniform_noise_gives_one_cluster() {
    for seed in 0..5 {
        let mut rng = Rng::new(300 + seed);
        let x: Vec<f64> = (0..2 * 200).map(|_| 5.0 * rng.uniform()).collect();
        let choice =
            choose_k(&KMeansSelect::new(mat(&x, 200, 2)), 6, 10, KRule::Gap, seed).unwrap();
        check_table(&choice, 6);
        assert_eq!(choice.k, 1, "seed {seed}: {:?}", choice.table);
        assert_eq!(choice.k_gap, 1);
        assert!(choice.labels.iter().all(|&l| l == 0));
    }
    // In ten dimensions uniform noise has no silhouette structure either.
    let mut rng = Rng::new(310);
    let x: Vec<f64> = (0..10 * 200).map(|_| rng.uniform()).collect();
    let choice = choose_k(
        &KMeansSelect::new(mat(&x, 200, 10)),
        6,
        10,
        KRule::Silhouette,
        1,
    )
    .unwrap();
    assert_eq!(
        (choice.k, choice.k_silhouette, choice.k_gap),
        (1, 1, 1),
        "{:?}",
        choice.table
    );
}

#[test]
fn four_blobs_give_four_clusters() {
    for seed in 0..3 {
        let (x, truth) = four_blobs(400 + seed, 50, 3);
        let choice =
            choose_k(&KMeansSelect::new(mat(&x, 200, 3)), 8, 10, KRule::Gap, seed).unwrap();
        check_table(&choice, 8);
        assert_eq!(
            (choice.k_gap, choice.k_silhouette),
            (4, 4),
            "{:?}",
            choice.table
        );
        assert_eq!(choice.k, 4);
        assert_eq!(adjusted_rand_index(&truth, &choice.labels).unwrap(), 1.0);
        let by_silhouette = choose_k(
            &KMeansSelect::new(mat(&x, 200, 3)),
            8,
            10,
            KRule::Silhouette,
            seed,
        )
        .unwrap();
        assert_eq!(by_silhouette.k, 4);
        assert!(by_silhouette.table[3].silhouette > 0.7);
    }
}

#[test]
fn silhouette_on_a_sample_for_large_n() {
    let per = 650;
    let (x, truth) = four_blobs(7, per, 2);
    let n = 4 * per;
    assert!(n > SILHOUETTE_SAMPLE);
    let choice = choose_k(
        &KMeansSelect::new(mat(&x, n, 2)),
        5,
        5,
        KRule::Silhouette,
        3,
    )
    .unwrap();
    assert_eq!((choice.k, choice.k_gap), (4, 4), "{:?}", choice.table);
    assert_eq!(adjusted_rand_index(&truth, &choice.labels).unwrap(), 1.0);
    // Deterministic (compared as text: the k = 1 silhouette is NaN, never == itself).
    let again = choose_k(
        &KMeansSelect::new(mat(&x, n, 2)),
        5,
        5,
        KRule::Silhouette,
        3,
    )
    .unwrap();
    assert_eq!(format!("{choice:?}"), format!("{again:?}"));
}

#[test]
fn kmeans_selection_reproduces_gap_statistic() {
    let (x, _) = four_blobs(9, 30, 2);
    let choice = choose_k(&KMeansSelect::new(mat(&x, 120, 2)), 6, 8, KRule::Gap, 42).unwrap();
    let gaps = gap_statistic(mat(&x, 120, 2), 6, 8, 42).unwrap();
    for (row, g) in choice.table.iter().zip(&gaps) {
        assert_eq!(
            (row.k, row.gap, row.s, row.cost.ln()),
            (g.k, g.gap, g.s, g.log_w)
        );
    }
}

#[test]
fn mixed_data_through_kprototypes() {
    // Three groups: numeric centres on distinct axes, and each group's own level in each
    // categorical column with probability 0.85.
    let mut rng = Rng::new(12);
    let (per, p, q) = (80, 3, 3);
    let n = 3 * per;
    let mut numeric = Vec::new();
    let mut categorical = Vec::new();
    let mut truth = Vec::new();
    for c in 0..3 {
        for _ in 0..per {
            for f in 0..p {
                numeric.push(if f == c { 5.0 } else { 0.0 } + rng.normal());
            }
            for _ in 0..q {
                categorical.push(if rng.bernoulli(0.85) {
                    c as u32
                } else {
                    rng.below(3) as u32
                });
            }
            truth.push(c);
        }
    }
    let options = KPrototypesOptions {
        restarts: 4,
        ..Default::default()
    };
    let method = KPrototypesSelect::new(mixed(&numeric, &categorical, n, p, q), options).unwrap();
    assert!(method.options().gamma.is_some());
    let choice = choose_k(&method, 6, 8, KRule::Gap, 5).unwrap();
    check_table(&choice, 6);
    assert_eq!(
        (choice.k_gap, choice.k_silhouette),
        (3, 3),
        "{:?}",
        choice.table
    );
    assert!(adjusted_rand_index(&truth, &choice.labels).unwrap() >= 0.9);
    // Structureless mixed data: one cluster.
    let numeric: Vec<f64> = (0..n * p).map(|_| rng.uniform()).collect();
    let categorical: Vec<u32> = (0..n * q).map(|_| rng.below(3) as u32).collect();
    let method = KPrototypesSelect::new(mixed(&numeric, &categorical, n, p, q), options).unwrap();
    assert_eq!(choose_k(&method, 6, 8, KRule::Gap, 5).unwrap().k, 1);
}

#[test]
fn silhouette_rule() {
    let row = |k, silhouette| KCriteria {
        k,
        cost: 1.0,
        gap: 0.0,
        s: 0.0,
        silhouette,
    };
    assert_eq!(
        silhouette_choice(&[row(1, f64::NAN), row(2, 0.5), row(3, 0.6), row(4, 0.6)]),
        3
    );
    assert_eq!(
        silhouette_choice(&[row(1, f64::NAN), row(2, 0.25), row(3, 0.1)]),
        1
    );
    assert_eq!(silhouette_choice(&[row(1, f64::NAN)]), 1);
}

#[test]
fn hierarchical_selection_finds_blobs_and_no_structure() {
    use peergroup_cluster::linkage::Linkage;
    use peergroup_cluster::select::{LinkageSelect, RowDistance};
    let mut rng = peergroup_random::Rng::stream(31, 0);
    // Three separated blobs in 3-D.
    let centres = [[0.0, 0.0, 0.0], [6.0, 0.0, 0.0], [0.0, 6.0, 6.0]];
    let mut x = Vec::new();
    for c in &centres {
        for _ in 0..30 {
            for v in c {
                x.push(v + rng.normal());
            }
        }
    }
    let sel = LinkageSelect::new(mat(&x, 90, 3), Linkage::Average, RowDistance::Euclidean).unwrap();
    let choice = choose_k(&sel, 6, 10, KRule::Gap, 1).unwrap();
    assert_eq!(choice.k, 3);
    // W_k for Euclidean distances is the within-cluster sum of squares.
    let labels = &choice.labels;
    let mut wss = 0.0;
    for l in 0..3 {
        let members: Vec<usize> = (0..90).filter(|&i| labels[i] == l).collect();
        for f in 0..3 {
            let m = members.iter().map(|&i| x[i * 3 + f]).sum::<f64>() / members.len() as f64;
            wss += members
                .iter()
                .map(|&i| (x[i * 3 + f] - m).powi(2))
                .sum::<f64>();
        }
    }
    assert!((choice.table[2].cost - wss).abs() < 1e-9 * wss);
    // Uniform noise: one cluster.
    let noise: Vec<f64> = (0..240).map(|_| rng.uniform()).collect();
    let sel =
        LinkageSelect::new(mat(&noise, 80, 3), Linkage::Ward, RowDistance::Euclidean).unwrap();
    assert_eq!(choose_k(&sel, 6, 10, KRule::Gap, 2).unwrap().k, 1);
}

#[test]
fn bad_parameters_are_errors() {
    let (x, _) = four_blobs(9, 5, 2);
    let method = KMeansSelect::new(mat(&x, 20, 2));
    assert!(choose_k(&method, 0, 5, KRule::Gap, 1).is_err());
    assert!(choose_k(&method, 21, 5, KRule::Gap, 1).is_err());
    assert!(choose_k(&method, 3, 0, KRule::Gap, 1).is_err());
    assert!(gap_statistic(mat(&x, 20, 2), 3, 0, 1).is_err());
}
