//! Validity indices against scikit-learn 1.9.1 (`tests/fixtures/make_validity_fixtures.py`):
//! ARI, NMI, contingency table, silhouette; by hand: ARI, dispersion, label alignment, gap
//! statistic.

mod common;

use common::{case_points, fixture, ints, mat};
use peergroup_cluster::linkage::{feature_distances, Metric};
use peergroup_cluster::select::{gap_choice, gap_statistic, Gap};
use peergroup_cluster::validity::{
    adjusted_rand_index, align_labels, contingency, dispersion, dispersion_condensed,
    normalized_mutual_info, silhouette, silhouette_samples,
};
use peergroup_random::Rng;

#[test]
fn agreement_equals_sklearn() {
    let rows = fixture("agreement.csv");
    assert!(rows.len() >= 15);
    for r in rows {
        let (a, b) = (ints(&r[1]), ints(&r[2]));
        let (ari, nmi): (f64, f64) = (r[3].parse().unwrap(), r[4].parse().unwrap());
        let got = adjusted_rand_index(&a, &b).unwrap();
        assert!((got - ari).abs() <= 1e-12, "{}: ARI {got} vs {ari}", &r[0]);
        let got = normalized_mutual_info(&a, &b).unwrap();
        assert!((got - nmi).abs() <= 1e-12, "{}: NMI {got} vs {nmi}", &r[0]);
        let t = contingency(&a, &b).unwrap();
        assert_eq!(t.rows, r[5].parse::<usize>().unwrap(), "{}", &r[0]);
        assert_eq!(t.cols, r[6].parse::<usize>().unwrap(), "{}", &r[0]);
        assert_eq!(t.counts, ints(&r[7]), "{}", &r[0]);
        // Symmetry of both indices.
        assert!((adjusted_rand_index(&b, &a).unwrap() - ari).abs() <= 1e-12);
        assert!((normalized_mutual_info(&b, &a).unwrap() - nmi).abs() <= 1e-12);
    }
}

#[test]
fn ari_hand_example() {
    // a = [0,0,0,1,1,1], b = [0,0,1,1,2,2]. Contingency rows (2,1,0) and (0,1,2):
    // Σ C(nᵢⱼ,2) = 1 + 1 = 2; rows Σ C(aᵢ,2) = 3 + 3 = 6; columns Σ C(bⱼ,2) = 3·1 = 3;
    // C(6,2) = 15. Expected index 6·3/15 = 1.2, maximum (6 + 3)/2 = 4.5, so
    // ARI = (2 − 1.2)/(4.5 − 1.2) = 8/33.
    let (a, b) = ([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]);
    assert!((adjusted_rand_index(&a, &b).unwrap() - 8.0 / 33.0).abs() < 1e-15);
    let t = contingency(&a, &b).unwrap();
    assert_eq!((t.rows, t.cols), (2, 3));
    assert_eq!(t.counts, vec![2, 1, 0, 0, 1, 2]);
    assert_eq!(t.get(1, 2), 2);
    assert_eq!(t.row_sums(), vec![3, 3]);
    assert_eq!(t.col_sums(), vec![2, 2, 2]);
    // Renaming clusters changes nothing.
    assert_eq!(adjusted_rand_index(&a, &a).unwrap(), 1.0);
    assert_eq!(
        adjusted_rand_index(&[0, 0, 1, 1], &[1, 1, 0, 0]).unwrap(),
        1.0
    );
}

#[test]
fn silhouette_equals_sklearn() {
    let points = case_points("silhouette_points.csv");
    let rows = fixture("silhouette.csv");
    assert!(rows.len() >= 10);
    for r in rows {
        let (n, d, x) = &points[&r[0]];
        let metric = match &r[1] {
            "euclidean" => Metric::Euclidean,
            "correlation" => Metric::Correlation,
            other => panic!("metric {other}"),
        };
        let dist = feature_distances(mat(x, *n, *d), metric);
        let labels = ints(&r[2]);
        let want: f64 = r[3].parse().unwrap();
        let got = silhouette(&dist, *n, &labels).unwrap();
        assert!(
            (got - want).abs() <= 1e-12,
            "{} {}: {got} vs {want}",
            &r[0],
            &r[1]
        );
    }
}

#[test]
fn silhouette_edge_cases() {
    let x = [0.0, 1.0, 10.0, 11.0];
    let d = feature_distances(mat(&x, 4, 1), Metric::Euclidean);
    assert!(silhouette(&d, 4, &[0, 0, 0, 0]).unwrap().is_nan());
    assert!(silhouette(&d, 4, &[0, 1, 2, 3]).unwrap().is_nan());
    // Point 0: a = 1 (to point 1), b = min(10, 11) = 10 → s = 9/10. Singletons score 0.
    let s = silhouette_samples(&d, 4, &[0, 0, 1, 2]).unwrap();
    assert!((s[0] - 0.9).abs() < 1e-15);
    assert_eq!(s[2], 0.0);
    assert_eq!(s[3], 0.0);
}

#[test]
fn dispersion_decomposes_total() {
    let mut rng = Rng::new(3);
    let (n, d) = (50, 3);
    let x: Vec<f64> = (0..n * d).map(|_| rng.gaussian(1.0, 2.0)).collect();
    let labels: Vec<usize> = (0..n).map(|_| rng.below(4) as usize).collect();
    let disp = dispersion(mat(&x, n, d), &labels).unwrap();
    let mean: Vec<f64> = (0..d)
        .map(|f| (0..n).map(|i| x[i * d + f]).sum::<f64>() / n as f64)
        .collect();
    let total: f64 = (0..n * d).map(|i| (x[i] - mean[i % d]).powi(2)).sum();
    assert!((disp.within + disp.between - total).abs() < 1e-10 * total);
    assert!(disp.within > 0.0 && disp.between > 0.0);
    // The condensed form on Euclidean distances is the same quantity.
    let dist = feature_distances(mat(&x, n, d), Metric::Euclidean);
    let c = dispersion_condensed(&dist, n, &labels).unwrap();
    assert!((c.within - disp.within).abs() < 1e-10 * total);
    assert!((c.between - disp.between).abs() < 1e-10 * total);
    // Hand example on a line: {0, 2} (mean 1) and {10}, overall mean 4: within = 1 + 1,
    // between = 2·(1 − 4)² + 1·(10 − 4)² = 54.
    let h = dispersion(mat(&[0.0, 2.0, 10.0], 3, 1), &[0, 0, 1]).unwrap();
    assert!((h.within - 2.0).abs() < 1e-12);
    assert!((h.between - 54.0).abs() < 1e-12);
}

#[test]
fn align_labels_undoes_a_permutation() {
    let mut rng = Rng::new(8);
    let k = 7;
    let previous: Vec<usize> = (0..300).map(|_| rng.below(k as u64) as usize).collect();
    let mut perm: Vec<usize> = (0..k).collect();
    rng.shuffle(&mut perm);
    let current: Vec<usize> = previous.iter().map(|&l| perm[l]).collect();
    assert_eq!(align_labels(&previous, &current).unwrap(), previous);

    // With some funds moving, the bulk of each cluster still decides its label.
    let mut moved = current.clone();
    for i in (0..300).step_by(10) {
        moved[i] = (moved[i] + 1) % k;
    }
    let aligned = align_labels(&previous, &moved).unwrap();
    let same = aligned
        .iter()
        .zip(&previous)
        .filter(|(a, b)| a == b)
        .count();
    assert_eq!(same, 270);

    // Fewer clusters now: two previous clusters merged; the merged one takes the label of
    // its larger part, and no new label appears.
    let previous = [0, 0, 0, 1, 1, 2, 2, 2, 2];
    let current = [5, 5, 5, 5, 5, 3, 3, 3, 3];
    assert_eq!(
        align_labels(&previous, &current).unwrap(),
        vec![0, 0, 0, 0, 0, 2, 2, 2, 2]
    );
}

/// Three well-separated blobs in 2-d (50 points each, sd 0.5, centres 8 apart).
fn three_blobs(rng: &mut Rng) -> Vec<f64> {
    let centres = [(0.0, 0.0), (8.0, 0.0), (4.0, 7.0)];
    let mut x = Vec::new();
    for (cx, cy) in centres {
        for _ in 0..50 {
            x.push(cx + 0.5 * rng.normal());
            x.push(cy + 0.5 * rng.normal());
        }
    }
    x
}

#[test]
fn gap_statistic_picks_three_blobs() {
    for seed in 0..10 {
        let mut rng = Rng::new(100 + seed);
        let x = three_blobs(&mut rng);
        let gaps = gap_statistic(mat(&x, 150, 2), 6, 20, seed).unwrap();
        assert_eq!(gaps.len(), 6);
        assert_eq!(
            gaps.iter().map(|g| g.k).collect::<Vec<_>>(),
            (1..=6).collect::<Vec<_>>()
        );
        assert!(gaps.iter().all(|g| g.s > 0.0 && g.s.is_finite()));
        assert_eq!(gap_choice(&gaps), 3, "seed {seed}: {gaps:?}");
    }
    // Deterministic by seed.
    let mut rng = Rng::new(100);
    let x = three_blobs(&mut rng);
    assert_eq!(
        gap_statistic(mat(&x, 150, 2), 5, 10, 7).unwrap(),
        gap_statistic(mat(&x, 150, 2), 5, 10, 7).unwrap()
    );
}

#[test]
fn gap_statistic_picks_one_on_uniform_noise() {
    for seed in 0..10 {
        let mut rng = Rng::new(200 + seed);
        let x: Vec<f64> = (0..2 * 150).map(|_| rng.uniform()).collect();
        let gaps = gap_statistic(mat(&x, 150, 2), 6, 20, seed).unwrap();
        assert_eq!(gap_choice(&gaps), 1, "seed {seed}: {gaps:?}");
    }
}

#[test]
fn gap_choice_rule() {
    let g = |k, gap, s| Gap {
        k,
        gap,
        s,
        log_w: 0.0,
    };
    // Gap(2) = 0.5 ≥ Gap(3) − s₃ = 0.55 − 0.1 → k = 2, though Gap(3) is larger.
    let gaps = [
        g(1, 0.1, 0.02),
        g(2, 0.5, 0.02),
        g(3, 0.55, 0.1),
        g(4, 0.4, 0.1),
    ];
    assert_eq!(gap_choice(&gaps), 2);
    // Still increasing at the end: the largest k tried.
    let rising = [g(1, 0.1, 0.01), g(2, 0.3, 0.01), g(3, 0.6, 0.01)];
    assert_eq!(gap_choice(&rising), 3);
    assert_eq!(gap_choice(&[]), 0);
}

#[test]
fn mismatched_lengths_are_errors() {
    assert!(adjusted_rand_index(&[0, 1], &[0]).is_err());
    assert!(normalized_mutual_info(&[0, 0], &[0]).is_err());
    assert!(align_labels(&[0, 1], &[0]).is_err());
    assert!(silhouette(&[1.0], 2, &[0]).is_err());
    assert!(dispersion(mat(&[1.0, 2.0], 2, 1), &[0]).is_err());
}
