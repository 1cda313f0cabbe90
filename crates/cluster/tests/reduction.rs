//! Dimension reduction: PCA against NumPy SVD / scikit-learn 1.9.1 PCA, t-SNE on
//! synthetic blobs (trustworthiness, determinism, KL history, Barnes–Hut vs exact, and
//! scikit-learn's TSNE as a loose reference), trustworthiness against scikit-learn
//! (`tests/fixtures/make_reduction_fixtures.py`).

mod common;

use common::{fixture, mat};
use peergroup_cluster::pca::pca;
use peergroup_cluster::tsne::{trustworthiness, tsne, TsneInit, TsneMethod, TsneOptions};
use peergroup_random::Rng;

/// Non-empty cells from column `from` on, as numbers.
fn numbers(r: &csv::StringRecord, from: usize) -> Vec<f64> {
    r.iter()
        .skip(from)
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().unwrap())
        .collect()
}

/// The 60 × 4 points of `tsne_points.csv`, row-major.
fn tsne_points() -> Vec<f64> {
    fixture("tsne_points.csv")
        .iter()
        .flat_map(|r| numbers(r, 1))
        .collect()
}

/// Rows of one case of a `case,row,...` fixture, as one row-major matrix and its width.
fn case_matrix(name: &str, case: &str) -> (Vec<f64>, usize, usize) {
    let rows: Vec<Vec<f64>> = fixture(name)
        .iter()
        .filter(|r| &r[0] == case)
        .map(|r| numbers(r, 2))
        .collect();
    let d = rows[0].len();
    (rows.concat(), rows.len(), d)
}

#[test]
fn pca_matches_sklearn_and_numpy_svd() {
    for case in ["tall", "wide"] {
        let (x, n, d) = case_matrix("pca_points.csv", case);
        let k = n.min(d);
        let fit = pca(mat(&x, n, d), k).unwrap();
        let reference: Vec<csv::StringRecord> = fixture("pca_sklearn.csv")
            .into_iter()
            .filter(|r| &r[0] == case)
            .collect();
        // The wide case has n − 1 = 7 meaningful components (the 8th has zero variance
        // and an arbitrary direction), the tall one all 6.
        assert_eq!(reference.len(), if case == "tall" { 6 } else { 7 });
        for r in &reference {
            let c: usize = r[1].parse().unwrap();
            let (var, ratio): (f64, f64) = (r[2].parse().unwrap(), r[3].parse().unwrap());
            let loadings: Vec<f64> = r[4].split(' ').map(|v| v.parse().unwrap()).collect();
            assert!(
                (fit.explained_variance[c] - var).abs() <= 1e-10 * var.max(1.0),
                "{case} {c}: variance {} vs {var}",
                fit.explained_variance[c]
            );
            assert!((fit.explained_variance_ratio[c] - ratio).abs() <= 1e-12);
            for (f, w) in loadings.iter().enumerate() {
                let got = fit.components[c * d + f];
                assert!(
                    (got - w).abs() <= 1e-9,
                    "{case} component {c}[{f}]: {got} vs {w}"
                );
            }
        }
        let (scores, _, kept) = case_matrix("pca_scores.csv", case);
        for i in 0..n {
            for c in 0..kept {
                let (got, want) = (fit.scores[i * k + c], scores[i * kept + c]);
                assert!(
                    (got - want).abs() <= 1e-9,
                    "{case} score [{i},{c}]: {got} vs {want}"
                );
            }
        }
        // Ratios over all min(n, d) components sum to 1.
        let total: f64 = fit.explained_variance_ratio.iter().sum();
        assert!(
            (total - 1.0).abs() <= 1e-12,
            "{case}: ratios sum to {total}"
        );
        // Unit rows, orthogonal to each other.
        for a in 0..kept {
            for b in 0..kept {
                let dot: f64 = (0..d)
                    .map(|f| fit.components[a * d + f] * fit.components[b * d + f])
                    .sum();
                let want = if a == b { 1.0 } else { 0.0 };
                assert!((dot - want).abs() <= 1e-12, "{case}: rows {a}·{b} = {dot}");
            }
        }
    }
}

#[test]
fn pca_scores_reconstruct_the_data_with_all_components() {
    let mut rng = Rng::new(8);
    let (n, d) = (50, 5);
    // Correlated columns with offsets far from zero.
    let x: Vec<f64> = (0..n)
        .flat_map(|_| {
            let z: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
            (0..d)
                .map(|f| 1e4 * f as f64 + z[f] + 0.5 * z[(f + 1) % d])
                .collect::<Vec<_>>()
        })
        .collect();
    let fit = pca(mat(&x, n, d), d).unwrap();
    let back = fit.inverse_transform(mat(&fit.scores, n, fit.k)).unwrap();
    for (a, b) in x.iter().zip(&back) {
        assert!((a - b).abs() <= 1e-9, "{a} vs {b}");
    }
    // Scores of the training rows equal transform of the same rows; the variance of each
    // score column (ddof = 1) is the explained variance, and they are decreasing.
    assert_eq!(fit.transform(mat(&x, n, d)).unwrap(), fit.scores);
    for c in 0..d {
        let col: Vec<f64> = (0..n).map(|i| fit.scores[i * d + c]).collect();
        let mean = col.iter().sum::<f64>() / n as f64;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!(mean.abs() < 1e-9);
        assert!((var - fit.explained_variance[c]).abs() <= 1e-9 * var);
    }
    assert!(fit.explained_variance.windows(2).all(|w| w[0] >= w[1]));
    // Fewer components: the leading ones are unchanged.
    let two = pca(mat(&x, n, d), 2).unwrap();
    assert_eq!(two.components[..], fit.components[..2 * d]);
    assert_eq!(
        two.explained_variance_ratio[..],
        fit.explained_variance_ratio[..2]
    );
}

/// `k` Gaussian blobs of `per` points in `d` dimensions (unit sd, centres 10 apart on
/// distinct axes) and their labels.
fn blobs(seed: u64, k: usize, per: usize, d: usize) -> (Vec<f64>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut x = Vec::with_capacity(k * per * d);
    let mut labels = Vec::with_capacity(k * per);
    for c in 0..k {
        for _ in 0..per {
            for f in 0..d {
                x.push(if f == c { 10.0 } else { 0.0 } + rng.normal());
            }
            labels.push(c);
        }
    }
    (x, labels)
}

/// Share of points whose nearest embedded neighbour has the same label.
fn neighbour_purity(e: &[f64], labels: &[usize]) -> f64 {
    let n = labels.len();
    let hits = (0..n)
        .filter(|&i| {
            let j = (0..n)
                .filter(|&j| j != i)
                .min_by(|&a, &b| {
                    let da = (e[2 * i] - e[2 * a]).powi(2) + (e[2 * i + 1] - e[2 * a + 1]).powi(2);
                    let db = (e[2 * i] - e[2 * b]).powi(2) + (e[2 * i + 1] - e[2 * b + 1]).powi(2);
                    da.total_cmp(&db)
                })
                .unwrap();
            labels[j] == labels[i]
        })
        .count();
    hits as f64 / n as f64
}

#[test]
fn tsne_separates_blobs_and_is_deterministic() {
    let (n, d) = (300, 10);
    let (x, labels) = blobs(21, 5, 60, d);
    let options = TsneOptions {
        seed: 3,
        ..TsneOptions::default()
    };
    let fit = tsne(mat(&x, n, d), &options).unwrap();
    assert_eq!(fit.method, TsneMethod::Exact);
    assert_eq!(fit.embedding.len(), n * 2);
    assert_eq!(fit.learning_rate, 50.0);
    let t = trustworthiness(mat(&x, n, d), mat(&fit.embedding, n, 2), 5).unwrap();
    assert!(t >= 0.9, "trustworthiness {t}");
    assert!(neighbour_purity(&fit.embedding, &labels) >= 0.99);
    // KL: decreases from the start, and over the un-exaggerated stage.
    let h = &fit.kl_history;
    assert_eq!(h[0].0, 0);
    assert_eq!(h.last().unwrap().0, fit.iterations);
    assert_eq!(h.last().unwrap().1, fit.kl_divergence);
    let after = h.iter().find(|e| e.0 == 300).unwrap().1;
    assert!(fit.kl_divergence < after && after < h[0].1, "{h:?}");
    assert!(fit.kl_divergence < 1.0, "KL {}", fit.kl_divergence);
    // Same inputs and seed → identical embedding, on one thread or two.
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| tsne(mat(&x, n, d), &options))
        .unwrap();
    assert_eq!(single, fit);
    // Random initialisation depends on the seed.
    let random = |seed| TsneOptions {
        init: TsneInit::Random,
        iterations: 300,
        seed,
        ..TsneOptions::default()
    };
    let a = tsne(mat(&x, n, d), &random(1)).unwrap();
    assert_eq!(a, tsne(mat(&x, n, d), &random(1)).unwrap());
    assert_ne!(
        a.embedding,
        tsne(mat(&x, n, d), &random(2)).unwrap().embedding
    );
}

#[test]
fn barnes_hut_agrees_with_exact_on_small_n() {
    let (n, d) = (300, 10);
    let (x, labels) = blobs(22, 5, 60, d);
    let run = |method| {
        tsne(
            mat(&x, n, d),
            &TsneOptions {
                method,
                ..TsneOptions::default()
            },
        )
        .unwrap()
    };
    let (exact, bh) = (run(TsneMethod::Exact), run(TsneMethod::BarnesHut));
    assert_eq!(bh.method, TsneMethod::BarnesHut);
    let te = trustworthiness(mat(&x, n, d), mat(&exact.embedding, n, 2), 10).unwrap();
    let tb = trustworthiness(mat(&x, n, d), mat(&bh.embedding, n, 2), 10).unwrap();
    assert!(
        tb >= 0.9 && (te - tb).abs() <= 0.02,
        "exact {te}, Barnes–Hut {tb}"
    );
    assert!(neighbour_purity(&bh.embedding, &labels) >= 0.99);
    // KL (Barnes–Hut's over its neighbour graph) of the same order.
    assert!(
        (bh.kl_divergence - exact.kl_divergence).abs() <= 0.25 * exact.kl_divergence,
        "exact {}, Barnes–Hut {}",
        exact.kl_divergence,
        bh.kl_divergence
    );
    // Auto switches to Barnes–Hut only above the documented size.
    assert_eq!(run(TsneMethod::Auto).method, TsneMethod::Exact);
}

#[test]
fn tsne_kl_close_to_sklearn() {
    let x = tsne_points();
    let n = 60;
    for r in fixture("tsne_sklearn.csv") {
        let method = match &r[0] {
            "exact" => TsneMethod::Exact,
            _ => TsneMethod::BarnesHut,
        };
        let (kl, trust5): (f64, f64) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        let fit = tsne(
            mat(&x, n, 4),
            &TsneOptions {
                perplexity: r[1].parse().unwrap(),
                method,
                ..TsneOptions::default()
            },
        )
        .unwrap();
        // Runs are chaotic: only closeness is expected.
        assert!(
            (fit.kl_divergence - kl).abs() <= 0.15 * kl,
            "{}: KL {} vs scikit-learn {kl}",
            &r[0],
            fit.kl_divergence
        );
        let t = trustworthiness(mat(&x, n, 4), mat(&fit.embedding, n, 2), 5).unwrap();
        assert!(
            t >= trust5 - 0.02,
            "{}: trustworthiness {t} vs {trust5}",
            &r[0]
        );
    }
}

#[test]
fn trustworthiness_matches_sklearn() {
    let x = tsne_points();
    let e: Vec<f64> = fixture("trust_embedding.csv")
        .iter()
        .flat_map(|r| numbers(r, 1))
        .collect();
    let rows = fixture("trustworthiness.csv");
    assert_eq!(rows.len(), 5);
    for r in rows {
        let k: usize = r[0].parse().unwrap();
        let want: f64 = r[1].parse().unwrap();
        let got = trustworthiness(mat(&x, 60, 4), mat(&e, 60, 2), k).unwrap();
        assert!((got - want).abs() <= 1e-12, "k = {k}: {got} vs {want}");
    }
    // An embedding equal to the data is perfectly trustworthy.
    assert_eq!(
        trustworthiness(mat(&x, 60, 4), mat(&x, 60, 4), 5).unwrap(),
        1.0
    );
}

#[test]
fn bad_parameters_are_errors() {
    let x = tsne_points();
    let x = mat(&x, 60, 4);
    assert!(pca(x, 0).is_err());
    assert!(pca(x, 5).is_err());
    let too_perplexed = TsneOptions {
        perplexity: 60.0,
        ..TsneOptions::default()
    };
    assert!(tsne(x, &too_perplexed).is_err());
    let wide = TsneOptions {
        dims: 4,
        method: TsneMethod::BarnesHut,
        ..TsneOptions::default()
    };
    assert!(tsne(x, &wide).is_err());
    assert!(trustworthiness(x, x, 30).is_err());
}
