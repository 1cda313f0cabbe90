//! k-means: blob recovery, monotone Lloyd iterations, determinism, and inertia against
//! scikit-learn 1.9.1 (`tests/fixtures/make_validity_fixtures.py`).

mod common;

use common::{fixture, mat};
use peergroup_cluster::fit::Fit;
use peergroup_cluster::kmeans::{kmeans_plus_plus, lloyd, KMeans, KMeansFit};
use peergroup_cluster::validity::{adjusted_rand_index, dispersion};
use peergroup_random::Rng;

/// Best of `restarts` k-means fits of the n × d rows of `x`.
fn kmeans(x: &[f64], n: usize, d: usize, k: usize, restarts: usize, seed: u64) -> KMeansFit {
    KMeans::new(k)
        .restarts(restarts)
        .seed(seed)
        .fit(mat(x, n, d))
        .unwrap()
}

/// The 400 × 4 points of `kmeans_points.csv`, row-major.
fn kmeans_points() -> Vec<f64> {
    fixture("kmeans_points.csv")
        .iter()
        .flat_map(|r| {
            (1..5)
                .map(|c| r[c].parse::<f64>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `k` Gaussian blobs of `per` points in `d` dimensions, centres 10 sd apart or more;
/// points shuffled so that clusters are not contiguous in input order.
fn blobs(seed: u64, k: usize, per: usize, d: usize) -> (Vec<f64>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..k * per).collect();
    rng.shuffle(&mut order);
    let mut x = vec![0.0; k * per * d];
    let mut truth = vec![0; k * per];
    for (pos, &item) in order.iter().enumerate() {
        let c = item / per;
        truth[pos] = c;
        for f in 0..d {
            // Centres on a grid: cluster c sits at 20·c on axis c % d.
            let centre = if f == c % d {
                20.0 * (1 + c / d) as f64
            } else {
                0.0
            };
            x[pos * d + f] = centre + rng.normal();
        }
    }
    (x, truth)
}

#[test]
fn recovers_well_separated_blobs() {
    for (seed, k, d) in [(1, 3, 2), (2, 5, 3), (3, 8, 4)] {
        let (x, truth) = blobs(seed, k, 40, d);
        let n = truth.len();
        let fit = kmeans(&x, n, d, k, 10, seed);
        assert_eq!(
            adjusted_rand_index(&truth, &fit.labels).unwrap(),
            1.0,
            "k = {k}"
        );
        assert!(fit.converged);
        // Reported inertia is the within sum of squares of the reported labels.
        let w = dispersion(mat(&x, n, d), &fit.labels).unwrap().within;
        assert!((fit.inertia - w).abs() <= 1e-9 * w);
        // Labels numbered by first appearance.
        assert_eq!(fit.labels[0], 0);
        assert_eq!(fit.centers.len(), k * d);
    }
}

#[test]
fn inertia_never_increases_over_lloyd_iterations() {
    let x = kmeans_points();
    let n = x.len() / 4;
    for (k, seed) in [(3, 11), (6, 12), (8, 13), (20, 14)] {
        let mut rng = Rng::new(seed);
        let init = kmeans_plus_plus(mat(&x, n, 4), k, &mut rng).unwrap();
        let mut previous = f64::INFINITY;
        let mut steps = 0;
        for t in 0..=100 {
            let fit = lloyd(mat(&x, n, 4), init.clone(), t).unwrap();
            assert!(
                fit.inertia <= previous * (1.0 + 1e-12),
                "k = {k}: inertia rose from {previous} to {} at iteration {t}",
                fit.inertia
            );
            previous = fit.inertia;
            steps = fit.iterations;
            if fit.converged {
                break;
            }
        }
        assert!(steps >= 1);
    }
    // A bad start that forces empty clusters: all centres on one point.
    let init: Vec<f64> = (0..5).flat_map(|_| x[..4].to_vec()).collect();
    let mut previous = f64::INFINITY;
    for t in 0..30 {
        let fit = lloyd(mat(&x, n, 4), init.clone(), t).unwrap();
        assert!(fit.inertia <= previous * (1.0 + 1e-12));
        previous = fit.inertia;
    }
    let fit = lloyd(mat(&x, n, 4), init, 300).unwrap();
    let mut sizes = [0; 5];
    fit.labels.iter().for_each(|&l| sizes[l] += 1);
    assert!(
        sizes.iter().all(|&s| s > 0),
        "empty cluster left: {sizes:?}"
    );
}

#[test]
fn deterministic_by_seed() {
    let (x, _) = blobs(7, 6, 50, 3);
    let n = x.len() / 3;
    let a = kmeans(&x, n, 3, 4, 8, 99);
    // Different thread pools must not change the result.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = pool.install(|| kmeans(&x, n, 3, 4, 8, 99));
    assert_eq!(a, b);
    assert_eq!(a, kmeans(&x, n, 3, 4, 8, 99));
    // Another seed explores other starts (the fit may coincide, the seeding does not).
    let mut r1 = Rng::stream(99, 0);
    let mut r2 = Rng::stream(100, 0);
    assert_ne!(
        kmeans_plus_plus(mat(&x, n, 3), 4, &mut r1).unwrap(),
        kmeans_plus_plus(mat(&x, n, 3), 4, &mut r2).unwrap()
    );
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    0.5 * (v[(v.len() - 1) / 2] + v[v.len() / 2])
}

/// Same k, 10 restarts, 20 seeds against scikit-learn's `KMeans(n_init=10)` for 20
/// random states. Where the optimum is clear (k ≤ 4) every one of our fits must be at
/// least as good as scikit-learn's best; for k = 6 and 8 the data have several local
/// minima within 0.1% and scikit-learn's own result varies with the state, so the
/// typical (median) fit must be at least as good and the best fits must agree.
#[test]
fn inertia_at_most_sklearn() {
    let x = kmeans_points();
    let n = x.len() / 4;
    assert_eq!(n, 400);
    let rows = fixture("kmeans_sklearn.csv");
    for k in [2, 3, 4, 6, 8] {
        let mut sklearn: Vec<f64> = rows
            .iter()
            .filter(|r| r[0].parse::<usize>().unwrap() == k)
            .map(|r| r[2].parse().unwrap())
            .collect();
        assert_eq!(sklearn.len(), 20);
        let mut ours: Vec<f64> = (0..20)
            .map(|s| kmeans(&x, n, 4, k, 10, s).inertia)
            .collect();
        let tol = 1.0 + 1e-6;
        let sk_best = sklearn.iter().copied().fold(f64::INFINITY, f64::min);
        let our_best = ours.iter().copied().fold(f64::INFINITY, f64::min);
        if k <= 4 {
            for (s, v) in ours.iter().enumerate() {
                assert!(
                    v <= &(sk_best * tol),
                    "k = {k}, seed {s}: {v} vs scikit-learn {sk_best}"
                );
            }
        } else {
            assert!(
                our_best <= sk_best * (1.0 + 1e-4),
                "k = {k}: best {our_best} vs {sk_best}"
            );
        }
        let (m_ours, m_sk) = (median(&mut ours), median(&mut sklearn));
        assert!(
            m_ours <= m_sk * tol,
            "k = {k}: median {m_ours} vs scikit-learn {m_sk}"
        );
    }
}

#[test]
fn k_equals_one_and_n() {
    let (x, _) = blobs(5, 2, 10, 2);
    let fit = kmeans(&x, 20, 2, 1, 3, 1);
    assert_eq!(fit.labels, vec![0; 20]);
    let mean: f64 = (0..20).map(|i| x[2 * i]).sum::<f64>() / 20.0;
    assert!((fit.centers[0] - mean).abs() < 1e-12);
    let fit = kmeans(&x, 20, 2, 20, 2, 1);
    assert_eq!(fit.inertia, 0.0);
    assert_eq!(fit.labels, (0..20).collect::<Vec<_>>());
}

#[test]
fn bad_parameters_are_errors() {
    let x = [0.0, 1.0, 2.0];
    let x = mat(&x, 3, 1);
    assert!(KMeans::new(0).fit(x).is_err());
    assert!(KMeans::new(4).fit(x).is_err());
    assert!(KMeans::new(2).restarts(0).fit(x).is_err());
    let nan = [0.0, f64::NAN, 2.0];
    assert!(KMeans::new(2).fit(mat(&nan, 3, 1)).is_err());
    assert!(lloyd(x, vec![0.0, 1.0, 2.0, 3.0], 10).is_err());
}
