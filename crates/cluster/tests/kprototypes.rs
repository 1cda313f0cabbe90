//! k-prototypes: a hand-worked example, monotone cost history, recovery of planted mixed
//! clusters, γ = 0 against Lloyd's k-means, the default γ, determinism.

mod common;

use common::{mat, mixed};
use peergroup_cluster::fit::Fit;
use peergroup_cluster::kmeans::{kmeans_plus_plus, lloyd};
use peergroup_cluster::kprototypes::{
    default_gamma, dissimilarity, kprototypes_from, KPrototypes, KPrototypesOptions,
};
use peergroup_cluster::validity::adjusted_rand_index;
use peergroup_random::Rng;

/// Planted mixed clusters: `k` groups of `per` rows, p numeric features (unit normal
/// around a group centre at ±`sep` on axis c % p, + for the first p groups) and q categorical features (3 levels
/// each; the group's own level with probability `agree`, otherwise uniform), rows
/// shuffled. Returns (numeric, categorical, truth).
fn planted(
    seed: u64,
    k: usize,
    per: usize,
    p: usize,
    q: usize,
    sep: f64,
    agree: f64,
) -> (Vec<f64>, Vec<u32>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let n = k * per;
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let mut numeric = vec![0.0; n * p];
    let mut categorical = vec![0u32; n * q];
    let mut truth = vec![0; n];
    for (pos, &item) in order.iter().enumerate() {
        let c = item / per;
        truth[pos] = c;
        for f in 0..p {
            let centre = match (f == c % p, c < p) {
                (true, true) => sep,
                (true, false) => -sep,
                _ => 0.0,
            };
            numeric[pos * p + f] = centre + rng.normal();
        }
        for j in 0..q {
            let own = ((c + j) % 3) as u32;
            categorical[pos * q + j] = if rng.bernoulli(agree) {
                own
            } else {
                rng.below(3) as u32
            };
        }
    }
    (numeric, categorical, truth)
}

#[test]
fn hand_worked_example() {
    // Six rows, one numeric and two categorical features, γ = 2, two clusters from
    // prototypes (0, [a, x]) and (10, [b, y]) with a = x = 0, b = y = 1.
    //
    // row  num  cats   to proto 0           to proto 1
    //  0    0   0 0    0 + 0    = 0          100 + 2·2 = 104
    //  1    1   0 1    1 + 2·1  = 3           81 + 2·1 = 83
    //  2    2   0 0    4 + 0    = 4           64 + 2·2 = 68
    //  3    9   1 1   81 + 2·2  = 85           1 + 0   = 1
    //  4   10   1 0  100 + 2·1  = 102          0 + 2·1 = 2
    //  5   12   1 1  144 + 2·2  = 148          4 + 0   = 4
    //
    // First assignment: {0, 1, 2} and {3, 4, 5}, cost 0 + 3 + 4 + 1 + 2 + 4 = 14.
    // Update: means 1 and 31/3; modes [0, 0] (column 2 has 0, 1, 0) and [1, 1].
    // Second assignment, same clusters: numeric (1 + 0 + 1) + (16/9 + 1/9 + 25/9) = 20/3,
    // mismatches: row 1 column 2 and row 4 column 2, 2 · 2 = 4; cost 20/3 + 4 = 32/3.
    let numeric = [0.0, 1.0, 2.0, 9.0, 10.0, 12.0];
    let categorical = [0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1];
    let fit = kprototypes_from(
        mixed(&numeric, &categorical, 6, 1, 2),
        vec![0.0, 10.0],
        vec![0, 0, 1, 1],
        &KPrototypesOptions {
            gamma: Some(2.0),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(fit.labels, vec![0, 0, 0, 1, 1, 1]);
    assert_eq!(fit.history.len(), 2);
    assert_eq!(fit.history[0], 14.0);
    assert!((fit.cost - 32.0 / 3.0).abs() < 1e-12, "cost {}", fit.cost);
    assert_eq!(fit.centroids[0], 1.0);
    assert!((fit.centroids[1] - 31.0 / 3.0).abs() < 1e-12);
    assert_eq!(fit.modes, vec![0, 0, 1, 1]);
    assert_eq!((fit.iterations, fit.converged), (1, true));
    assert_eq!(fit.gamma, 2.0);
    // The dissimilarity as tabulated above.
    assert_eq!(dissimilarity(&[9.0], &[1, 1], &[0.0], &[0, 0], 2.0), 85.0);
    // The restarted fit finds the same partition (k-means++ from any start).
    let best = KPrototypes::new(2)
        .options(KPrototypesOptions {
            gamma: Some(2.0),
            ..Default::default()
        })
        .fit(mixed(&numeric, &categorical, 6, 1, 2))
        .unwrap();
    assert_eq!(best.labels, fit.labels);
    assert!((best.cost - 32.0 / 3.0).abs() < 1e-12);
}

#[test]
fn recovers_planted_mixed_clusters() {
    for (seed, k) in [(1, 3), (2, 4), (3, 5)] {
        let (p, q) = (4, 3);
        let (numeric, categorical, truth) = planted(seed, k, 200, p, q, 4.0, 0.8);
        let n = truth.len();
        let fit = KPrototypes::new(k)
            .options(KPrototypesOptions {
                seed,
                ..Default::default()
            })
            .fit(mixed(&numeric, &categorical, n, p, q))
            .unwrap();
        let ari = adjusted_rand_index(&truth, &fit.labels).unwrap();
        assert!(ari >= 0.9, "k = {k}: ARI {ari}");
        assert!(fit.converged);
        assert_eq!(fit.labels[0], 0, "labels numbered by first appearance");
        assert_eq!((fit.centroids.len(), fit.modes.len()), (k * p, k * q));
        // The reported cost is the cost of the reported labels and prototypes.
        let cost: f64 = (0..n)
            .map(|i| {
                let c = fit.labels[i];
                dissimilarity(
                    &numeric[i * p..(i + 1) * p],
                    &categorical[i * q..(i + 1) * q],
                    &fit.centroids[c * p..(c + 1) * p],
                    &fit.modes[c * q..(c + 1) * q],
                    fit.gamma,
                )
            })
            .sum();
        assert!((cost - fit.cost).abs() <= 1e-9 * cost);
    }
}

#[test]
fn cost_history_never_increases() {
    // Overlapping groups (noisy categories, centres 1.5 sd apart) so that fits take
    // many iterations.
    let (p, q) = (3, 4);
    let (numeric, categorical, truth) = planted(7, 6, 150, p, q, 1.5, 0.4);
    let n = truth.len();
    let mut longest = 0;
    for seed in 0..10 {
        let fit = KPrototypes::new(6)
            .options(KPrototypesOptions {
                restarts: 1,
                tol: 0.0,
                seed,
                ..Default::default()
            })
            .fit(mixed(&numeric, &categorical, n, p, q))
            .unwrap();
        longest = longest.max(fit.history.len());
        assert_eq!(fit.history.len(), fit.iterations + 1);
        assert_eq!(*fit.history.last().unwrap(), fit.cost);
        assert!(fit.converged);
        for w in fit.history.windows(2) {
            assert!(
                w[1] <= w[0] * (1.0 + 1e-12),
                "seed {seed}: {:?}",
                fit.history
            );
        }
    }
    assert!(
        longest >= 5,
        "fits too short to test monotonicity: {longest}"
    );
    // With the default tolerance a fit stops once an iteration gains less than 1e-5.
    let fit = KPrototypes::new(6)
        .options(KPrototypesOptions::default())
        .fit(mixed(&numeric, &categorical, n, p, q))
        .unwrap();
    let h = &fit.history;
    assert!(h
        .windows(2)
        .rev()
        .skip(1)
        .all(|w| w[0] - w[1] > 1e-5 * w[0]));
}

#[test]
fn gamma_zero_is_lloyd_kmeans_on_the_numerics() {
    let (p, q) = (3, 2);
    let (numeric, categorical, truth) = planted(11, 4, 100, p, q, 2.0, 0.9);
    let n = truth.len();
    for seed in 0..5 {
        let centres = kmeans_plus_plus(mat(&numeric, n, p), 4, &mut Rng::new(seed)).unwrap();
        let reference = lloyd(mat(&numeric, n, p), centres.clone(), 300).unwrap();
        // Arbitrary modes: with γ = 0 categories carry no weight.
        let fit = kprototypes_from(
            mixed(&numeric, &categorical, n, p, q),
            centres,
            vec![0; 4 * q],
            &KPrototypesOptions {
                gamma: Some(0.0),
                max_iter: 300,
                tol: 0.0,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(fit.labels, reference.labels, "seed {seed}");
        assert_eq!(fit.centroids, reference.centers);
        assert_eq!(fit.cost, reference.inertia);
        assert_eq!(fit.iterations, reference.iterations);
    }
}

#[test]
fn default_gamma_is_half_the_mean_sd() {
    // Column sds (ddof = 0): [1, 2, 3, 4] → sd 1.118…; [0, 0, 0, 4] → sd √3.
    let numeric = [1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0, 4.0];
    let want = 0.5 * (1.25f64.sqrt() + 3f64.sqrt()) / 2.0;
    assert!((default_gamma(mat(&numeric, 4, 2)) - want).abs() < 1e-15);
    // No numeric information: γ = 1.
    assert_eq!(default_gamma(mat(&[], 4, 0)), 1.0);
    assert_eq!(default_gamma(mat(&[5.0; 4], 4, 1)), 1.0);
    // z-scored features: 0.5.
    let z = [-1.0, 1.0, -1.0, 1.0];
    assert_eq!(default_gamma(mat(&z, 4, 1)), 0.5);
}

#[test]
fn deterministic_for_any_thread_count_and_pure_categorical() {
    // Enough rows for several parallel blocks.
    let (p, q) = (2, 3);
    let (numeric, categorical, truth) = planted(5, 3, 5_000, p, q, 3.0, 0.7);
    let n = truth.len();
    let options = KPrototypesOptions {
        restarts: 3,
        seed: 9,
        ..Default::default()
    };
    let fit = KPrototypes::new(3)
        .options(options)
        .fit(mixed(&numeric, &categorical, n, p, q))
        .unwrap();
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| {
            KPrototypes::new(3)
                .options(options)
                .fit(mixed(&numeric, &categorical, n, p, q))
                .unwrap()
        });
    assert_eq!(fit, single);
    assert!(adjusted_rand_index(&truth, &fit.labels).unwrap() >= 0.9);
    // Categorical features only: k-modes.
    let (_, categorical, truth) = planted(6, 3, 100, 1, 6, 0.0, 0.9);
    let fit = KPrototypes::new(3)
        .options(KPrototypesOptions::default())
        .fit(mixed(&[], &categorical, 300, 0, 6))
        .unwrap();
    assert!(fit.centroids.is_empty());
    assert_eq!(fit.gamma, 1.0);
    assert!(adjusted_rand_index(&truth, &fit.labels).unwrap() >= 0.9);
}

#[test]
fn bad_parameters_are_errors() {
    let (numeric, categorical, _) = planted(4, 2, 5, 2, 2, 4.0, 0.8);
    let data = mixed(&numeric, &categorical, 10, 2, 2);
    assert!(KPrototypes::new(0).fit(data).is_err());
    assert!(KPrototypes::new(11).fit(data).is_err());
    let bad = |options| KPrototypes::new(2).options(options).fit(data).is_err();
    let default = KPrototypesOptions::default();
    assert!(bad(KPrototypesOptions {
        restarts: 0,
        ..default
    }));
    assert!(bad(KPrototypesOptions {
        gamma: Some(-1.0),
        ..default
    }));
    assert!(bad(KPrototypesOptions {
        tol: f64::NAN,
        ..default
    }));
    assert!(kprototypes_from(data, vec![0.0; 3], vec![0; 4], &default).is_err());
    let wrong = [0u32; 5];
    assert!(
        peergroup_cluster::kprototypes::MixedRef::new(mat(&numeric, 10, 2), &wrong, 2).is_err()
    );
}
