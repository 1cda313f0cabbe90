//! Properties of the measure and agreement of the fast kernels with the definitions.

mod common;

use common::{max_diff, naive_s_syst, names, random_exposures, random_sx};
use peergroup_random::Rng;
use peergroup_similarity::{
    condensed_distance, condensed_distance_from, correlation, distance_matrix, euclidean_distances,
    ewma, fund_similarity, fund_similarity_condensed, moving_average, moving_averages, pair_index,
    peers, peers_from_row, rescaled, rescaled_condensed, residual_similarity, scaled_exposures,
    systematic_similarity, systematic_similarity_condensed, with_cash, Attribute,
    CondensedSimilarity, ExposureScale, FactorSimilarity, MissingReturns, SimilarityMatrix,
};

const SCALES: [ExposureScale; 2] = [ExposureScale::Raw, ExposureScale::Gross];

#[test]
fn fast_kernel_equals_naive_triple_loop() {
    let mut rng = Rng::new(11);
    // Sizes around the 16-fund blocks, sparse and dense exposures, sparse and dense S_X.
    for &(n, k, p) in &[
        (1, 3, 1.0),
        (2, 4, 0.5),
        (15, 5, 0.4),
        (16, 6, 1.0),
        (17, 7, 0.3),
        (37, 9, 0.35),
        (70, 14, 0.3),
        (33, 1, 0.8),
    ] {
        let x = random_exposures(&mut rng, n, k, p);
        let sx = random_sx(&mut rng, k);
        for scale in SCALES {
            let fast = systematic_similarity(&x, n, &sx, scale).unwrap();
            let naive = naive_s_syst(&x, n, &sx, scale);
            let diff = max_diff(&fast.values, &naive.values);
            assert!(diff < 1e-12, "n={n} k={k} {scale:?}: {diff}");
            let c = systematic_similarity_condensed(&x, n, &sx, scale).unwrap();
            assert_eq!(c.to_full(), fast);
        }
    }
    // Dense S_X without zeros, and the identity (only diagonal terms).
    let (n, k) = (41, 8);
    let x = random_exposures(&mut rng, n, k, 0.5);
    let names: Vec<String> = (0..k).map(|j| format!("F{j}")).collect();
    let dense: Vec<f64> = (0..k * k)
        .map(|p| if p / k == p % k { 1.0 } else { 0.3 })
        .collect();
    for sx in [
        FactorSimilarity::from_matrix(names.clone(), dense).unwrap(),
        FactorSimilarity::identity(names),
    ] {
        let fast = systematic_similarity(&x, n, &sx, ExposureScale::Raw).unwrap();
        let naive = naive_s_syst(&x, n, &sx, ExposureScale::Raw);
        assert!(max_diff(&fast.values, &naive.values) < 1e-12);
    }
}

#[test]
fn symmetric_and_unit_rescaled_diagonal() {
    let mut rng = Rng::new(12);
    let (n, k) = (29, 6);
    let x = random_exposures(&mut rng, n, k, 0.5);
    let sx = random_sx(&mut rng, k);
    for scale in SCALES {
        let s = systematic_similarity(&x, n, &sx, scale).unwrap();
        let star = rescaled(&s);
        for a in 0..n {
            // S_SYST(A,A) ≥ k: each factor pairs with itself at S_B = S_X = 1.
            assert!(s.get(a, a) >= k as f64 - 1e-12);
            assert_eq!(star.get(a, a), 1.0);
            for b in 0..n {
                assert_eq!(s.get(a, b), s.get(b, a));
                assert_eq!(star.get(a, b), star.get(b, a));
                assert!(star.get(a, b) >= 0.0);
            }
        }
        let c = rescaled_condensed(&systematic_similarity_condensed(&x, n, &sx, scale).unwrap());
        assert_eq!(c.to_full(), star);
    }
}

#[test]
fn invariant_to_factor_order() {
    let mut rng = Rng::new(13);
    let (n, k) = (23, 7);
    let x = random_exposures(&mut rng, n, k, 0.5);
    let sx = random_sx(&mut rng, k);
    let perm = [3usize, 0, 6, 2, 5, 1, 4];
    let permuted_names: Vec<String> = perm.iter().map(|&j| sx.names()[j].clone()).collect();
    let sx_p = sx.reorder(&permuted_names).unwrap();
    let mut x_p = vec![0.0; n * k];
    for f in 0..n {
        for (new, &old) in perm.iter().enumerate() {
            x_p[f * k + new] = x[f * k + old];
        }
    }
    for scale in SCALES {
        let a = systematic_similarity(&x, n, &sx, scale).unwrap();
        let b = systematic_similarity(&x_p, n, &sx_p, scale).unwrap();
        assert!(max_diff(&a.values, &b.values) < 1e-12);
    }
}

/// With S_X = identity only the k diagonal factor pairs count, and gross profiles lie in
/// [0, 1] so |a_i − b_i| ≤ 1 and the max(0, ·) never binds:
///
///   S_SYST(A,B) = Σ_i (1 − |a_i − b_i|) = k − ‖a − b‖₁,  S_SYST(A,A) = k,
///   S*(A,B) = 1 − ‖a − b‖₁ / k,
///
/// where a, b are the gross profiles |β|/Σ|β|.
#[test]
fn identity_gross_closed_form() {
    let mut rng = Rng::new(14);
    let (n, k) = (31, 10);
    let x = random_exposures(&mut rng, n, k, 0.4);
    let sx = FactorSimilarity::identity((0..k).map(|j| format!("F{j}")).collect());
    let s = systematic_similarity(&x, n, &sx, ExposureScale::Gross).unwrap();
    let star = rescaled(&s);
    let g = scaled_exposures(&x, n, k, ExposureScale::Gross);
    for a in 0..n {
        for b in 0..n {
            let l1: f64 = (0..k).map(|i| (g[a * k + i] - g[b * k + i]).abs()).sum();
            assert!((s.get(a, b) - (k as f64 - l1)).abs() < 1e-12);
            assert!((star.get(a, b) - (1.0 - l1 / k as f64)).abs() < 1e-12);
        }
    }
}

#[test]
fn r2_weighting() {
    let mut rng = Rng::new(15);
    let (n, k) = (12, 5);
    let x = random_exposures(&mut rng, n, k, 0.6);
    let sx = random_sx(&mut rng, k);
    let star = rescaled(&systematic_similarity(&x, n, &sx, ExposureScale::Raw).unwrap());
    let r2: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
    let su = SimilarityMatrix::new(
        n,
        (0..n * n)
            .map(|p| {
                let (a, b) = (p / n, p % n);
                if a == b {
                    1.0
                } else {
                    0.1 * ((a + b) % 5) as f64
                }
            })
            .collect(),
    );
    let s0 = fund_similarity(&star, &r2, None).unwrap();
    let s1 = fund_similarity(&star, &r2, Some(&su)).unwrap();
    for a in 0..n {
        for b in 0..n {
            let w = r2[a] * r2[b];
            let u = (1.0 - r2[a]) * (1.0 - r2[b]);
            assert!((s0.get(a, b) - w * star.get(a, b)).abs() < 1e-15);
            assert!((s1.get(a, b) - (w * star.get(a, b) + u * su.get(a, b))).abs() < 1e-15);
        }
    }
    // R² = 1 everywhere: S = S*; R² = 0 everywhere: S = S_U.
    assert_eq!(
        fund_similarity(&star, &vec![1.0; n], Some(&su)).unwrap(),
        star
    );
    assert_eq!(
        fund_similarity(&star, &vec![0.0; n], Some(&su)).unwrap(),
        su
    );
    // A fund whose model explains nothing is similar to no one (S_U = 0).
    let mut r2z = r2.clone();
    r2z[3] = 0.0;
    let z = fund_similarity(&star, &r2z, None).unwrap();
    assert!(z.row(3).iter().all(|v| *v == 0.0));
    // Condensed form agrees.
    let c = fund_similarity_condensed(&star.to_condensed(), &r2, Some(&su.to_condensed())).unwrap();
    assert!(max_diff(&c.to_full().values, &s1.values) < 1e-15);
}

fn m2(a: f64, b: f64) -> SimilarityMatrix {
    // 2 funds: diagonal a, off-diagonal b.
    SimilarityMatrix::new(2, vec![a, b, b, a])
}

#[test]
fn moving_average_and_ewma_by_hand() {
    let seq = [m2(1.0, 0.2), m2(1.0, 0.4), m2(1.0, 0.9), m2(1.0, 0.5)];
    // Last 2 dates: (0.9 + 0.5) / 2 = 0.7; last 3: (0.4 + 0.9 + 0.5) / 3 = 0.6.
    assert!((moving_average(&seq, 2).unwrap().get(0, 1) - 0.7).abs() < 1e-15);
    assert!((moving_average(&seq, 3).unwrap().get(1, 0) - 0.6).abs() < 1e-15);
    // p longer than the history: mean of all 4 = 2.0 / 4 = 0.5.
    assert!((moving_average(&seq, 10).unwrap().get(0, 1) - 0.5).abs() < 1e-15);
    assert_eq!(moving_average(&seq, 1).unwrap(), seq[3]);
    // Every date, p = 2: 0.2, (0.2+0.4)/2 = 0.3, 0.65, 0.7.
    let all = moving_averages(&seq, 2).unwrap();
    let got: Vec<f64> = all.iter().map(|m| m.get(0, 1)).collect();
    for (g, e) in got.iter().zip([0.2, 0.3, 0.65, 0.7]) {
        assert!((g - e).abs() < 1e-15, "{got:?}");
    }
    // EWMA, η = 0.5: 0.2; .5·.4 + .5·.2 = .3; .5·.9 + .5·.3 = .6; .5·.5 + .5·.6 = .55.
    let e = ewma(&seq, 0.5).unwrap();
    let got: Vec<f64> = e.iter().map(|m| m.get(0, 1)).collect();
    for (g, x) in got.iter().zip([0.2, 0.3, 0.6, 0.55]) {
        assert!((g - x).abs() < 1e-15, "{got:?}");
    }
    // η = 0.25: 0.2; .75·.4 + .25·.2 = .35; .75·.9 + .25·.35 = .7625; .75·.5 + .25·.7625 = .565625.
    let e = ewma(&seq, 0.25).unwrap();
    assert!((e[3].get(1, 0) - 0.565625).abs() < 1e-15);
    assert_eq!(e[3].get(0, 0), 1.0);
    // η = 0 is the current similarity.
    assert_eq!(ewma(&seq, 0.0).unwrap()[2], seq[2]);
    // Condensed matrices average the same way.
    let cs: Vec<CondensedSimilarity> = seq.iter().map(|m| m.to_condensed()).collect();
    assert_eq!(
        ewma(&cs, 0.5).unwrap()[3].to_full(),
        ewma(&seq, 0.5).unwrap()[3]
    );
    assert_eq!(
        moving_average(&cs, 3).unwrap().to_full(),
        moving_average(&seq, 3).unwrap()
    );
}

/// Pearson correlation straight from the definition: means over the common dates, then
/// centred sums.
fn two_pass(a: &[f64], b: &[f64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .collect();
    let m = pairs.len() as f64;
    let ma = pairs.iter().map(|p| p.0).sum::<f64>() / m;
    let mb = pairs.iter().map(|p| p.1).sum::<f64>() / m;
    let sab: f64 = pairs.iter().map(|p| (p.0 - ma) * (p.1 - mb)).sum();
    let saa: f64 = pairs.iter().map(|p| (p.0 - ma).powi(2)).sum();
    let sbb: f64 = pairs.iter().map(|p| (p.1 - mb).powi(2)).sum();
    Some(sab / (saa * sbb).sqrt())
}

#[test]
fn correlation_matches_two_pass() {
    let mut rng = Rng::new(16);
    let (n, t) = (19, 53);
    let common: Vec<f64> = (0..t).map(|_| rng.gaussian(0.0, 0.02)).collect();
    let mut r: Vec<f64> = (0..n * t)
        .map(|p| rng.uniform_range(-0.5, 1.5) * common[p % t] + rng.gaussian(0.001, 0.01))
        .collect();
    // Gaps in a few funds; fund 5 nearly empty (fewer than min_obs returns).
    for f in [1usize, 4, 7] {
        for s in 0..t {
            if rng.bernoulli(0.2) {
                r[f * t + s] = f64::NAN;
            }
        }
    }
    for s in 3..t {
        r[5 * t + s] = f64::NAN;
    }
    // Fund 9 constant: no correlation defined.
    for s in 0..t {
        r[9 * t + s] = 0.003;
    }
    let min_obs = 10;
    let c = correlation(&r, n, t, min_obs, MissingReturns::PairwiseComplete).unwrap();
    let row = |f: usize| &r[f * t..(f + 1) * t];
    for a in 0..n {
        for b in 0..n {
            let v = c.get(a, b);
            if a == 5 || b == 5 || a == 9 || b == 9 {
                assert!(v.is_nan(), "({a},{b}) = {v}");
            } else if a == b {
                assert_eq!(v, 1.0);
            } else {
                let e = two_pass(row(a), row(b)).unwrap();
                assert!((v - e).abs() < 1e-12, "({a},{b}): {v} vs {e}");
            }
        }
    }
    // Common dates: every pair on the dates where every fund has a return.
    let keep: Vec<usize> = (0..t)
        .filter(|&s| (0..n).filter(|&f| f != 5).all(|f| !r[f * t + s].is_nan()))
        .collect();
    let sub: Vec<f64> = (0..n)
        .filter(|&f| f != 5)
        .flat_map(|f| keep.iter().map(move |&s| (f, s)))
        .map(|(f, s)| r[f * t + s])
        .collect();
    let n2 = n - 1;
    let c2 = correlation(&sub, n2, keep.len(), 3, MissingReturns::CommonDates).unwrap();
    let with_gaps = {
        let mut g = sub.clone();
        g.push(f64::NAN);
        g
    };
    assert_eq!(with_gaps.len(), sub.len() + 1);
    let m = keep.len();
    for a in 0..n2 {
        for b in 0..n2 {
            if a == b || a == 8 || b == 8 {
                continue; // fund 9 (now 8) is constant
            }
            let e = two_pass(&sub[a * m..(a + 1) * m], &sub[b * m..(b + 1) * m]).unwrap();
            assert!((c2.get(a, b) - e).abs() < 1e-12);
        }
    }
    // Listwise deletion over the full panel drops every date where any fund is missing.
    let mut r3 = r.clone();
    r3.drain(5 * t..6 * t);
    let c3 = correlation(&r3, n2, t, 3, MissingReturns::CommonDates).unwrap();
    assert!(
        max_diff(
            &c3.values
                .iter()
                .map(|v| if v.is_nan() { 9.0 } else { *v })
                .collect::<Vec<_>>(),
            &c2.values
                .iter()
                .map(|v| if v.is_nan() { 9.0 } else { *v })
                .collect::<Vec<_>>()
        ) < 1e-12
    );
}

#[test]
fn residual_similarity_clips_to_unit_interval() {
    // Fund 1 = −fund 0 (correlation −1 → 0), fund 2 = 2·fund 0 + 1 (→ 1).
    let base = [0.01, -0.02, 0.015, 0.0, 0.03, -0.01];
    let t = base.len();
    let mut r = base.to_vec();
    r.extend(base.iter().map(|x| -x));
    r.extend(base.iter().map(|x| 2.0 * x + 1.0));
    let s = residual_similarity(&r, 3, t, 3).unwrap();
    assert_eq!(s.get(0, 1), 0.0);
    assert!((s.get(0, 2) - 1.0).abs() < 1e-12);
    assert_eq!(s.get(1, 1), 1.0);
    // The correlation itself keeps the sign, and the clustering distance is not clipped.
    let c = correlation(&r, 3, t, 3, MissingReturns::PairwiseComplete).unwrap();
    assert!((c.get(0, 1) + 1.0).abs() < 1e-12);
    assert!((condensed_distance(&c)[0] - 2.0).abs() < 1e-12);
}

#[test]
fn distances_and_peers() {
    let s = SimilarityMatrix::new(
        4,
        vec![
            0.8,
            0.5,
            0.9,
            0.5, //
            0.5,
            0.7,
            0.1,
            f64::NAN, //
            0.9,
            0.1,
            0.6,
            0.2, //
            0.5,
            f64::NAN,
            0.2,
            0.9,
        ],
    );
    let d = distance_matrix(&s);
    assert_eq!(d.diagonal(), vec![0.0; 4]);
    assert!((d.get(0, 2) - 0.1).abs() < 1e-15);
    let cd = condensed_distance(&s);
    assert_eq!(cd.len(), 6);
    assert!((cd[pair_index(4, 0, 2)] - 0.1).abs() < 1e-15);
    assert!((cd[pair_index(4, 2, 3)] - 0.8).abs() < 1e-15);
    let cs = s.to_condensed();
    let cd2 = condensed_distance_from(&cs);
    assert_eq!(cd[..4], cd2[..4]);
    // Peers of fund 0: 2 (0.9), then a tie at 0.5 between 1 and 3 broken by index.
    let p = peers(&s, 0, 10, None);
    assert_eq!(p.iter().map(|p| p.fund).collect::<Vec<_>>(), vec![2, 1, 3]);
    assert_eq!(p.iter().map(|p| p.rank).collect::<Vec<_>>(), vec![1, 2, 3]);
    // NaN similarities are not peers; the diagonal never is.
    let p = peers(&s, 1, 10, None);
    assert_eq!(p.iter().map(|p| p.fund).collect::<Vec<_>>(), vec![0, 2]);
    let p = peers_from_row(&cs.row(3), 3, 1, Some(&names(&["a", "b", "", "a"])));
    assert_eq!(p[0].fund, 0);
    assert_eq!(p[0].outside_category, Some(false));
    let p = peers_from_row(&cs.row(3), 3, 2, Some(&names(&["a", "b", "", "a"])));
    assert_eq!(p[1].fund, 2);
    assert_eq!(p[1].outside_category, None); // unknown category
}

#[test]
fn euclidean_matches_definition() {
    let mut rng = Rng::new(17);
    let (n, k) = (21, 5);
    let x = random_exposures(&mut rng, n, k, 0.7);
    let d = euclidean_distances(&x, n, k);
    for a in 0..n {
        for b in 0..n {
            let e: f64 = (0..k)
                .map(|j| (x[a * k + j] - x[b * k + j]).powi(2))
                .sum::<f64>()
                .sqrt();
            assert!((d.get(a, b) - e).abs() < 1e-14);
        }
    }
}

#[test]
fn factor_similarity_from_attributes_by_hand() {
    let factors = names(&["US Large", "US Small", "EU Large", "US Treasury"]);
    let class = Attribute {
        name: "asset_class".into(),
        labels: names(&["equity", "equity", "equity", "bond"]),
        cross: vec![("bond".into(), "equity".into(), 0.1)],
    };
    let region = Attribute {
        name: "region".into(),
        labels: names(&["US", "US", "EU", "US"]),
        cross: vec![],
    };
    // Equal weights: S_X = ½ S_class + ½ S_region.
    let sx = FactorSimilarity::from_attributes(&factors, &[class.clone(), region.clone()], None)
        .unwrap();
    // US Large / US Small: same class, same region → 1.
    assert_eq!(sx.get(0, 1), 1.0);
    // US Large / EU Large: ½·1 + ½·0 = .5.
    assert!((sx.get(0, 2) - 0.5).abs() < 1e-15);
    // US Large / US Treasury: ½·.1 + ½·1 = .55 (cross-label given as (bond, equity)).
    assert!((sx.get(0, 3) - 0.55).abs() < 1e-15);
    // EU Large / US Treasury: ½·.1 + ½·0 = .05.
    assert!((sx.get(2, 3) - 0.05).abs() < 1e-15);
    assert_eq!(sx.get(3, 3), 1.0);
    // Weights 3 : 1 → .75·S_class + .25·S_region: US Large / EU Large = .75.
    let w =
        FactorSimilarity::from_attributes(&factors, &[class, region], Some(&[3.0, 1.0])).unwrap();
    assert!((w.get(0, 2) - 0.75).abs() < 1e-15);
    assert!((w.get(0, 3) - (0.75 * 0.1 + 0.25)).abs() < 1e-15);
    // A valid S_X round-trips through from_matrix, and reorder selects a subset.
    let back = FactorSimilarity::from_matrix(factors.clone(), w.matrix().to_vec()).unwrap();
    assert_eq!(back, w);
    let sub = w.reorder(&names(&["US Treasury", "US Large"])).unwrap();
    assert_eq!(sub.names(), &names(&["US Treasury", "US Large"])[..]);
    assert_eq!(sub.matrix(), &[1.0, w.get(3, 0), w.get(0, 3), 1.0]);
}

#[test]
fn upper_triangle_matrix_is_mirrored() {
    // Table 6 is printed as an upper triangle; missing (NaN) cells take their mirror.
    let nan = f64::NAN;
    let sx = FactorSimilarity::from_matrix(
        names(&["a", "b", "c"]),
        vec![1.0, 0.9, 0.2, nan, 1.0, 0.4, nan, nan, 1.0],
    )
    .unwrap();
    assert_eq!(sx.get(1, 0), 0.9);
    assert_eq!(sx.get(2, 1), 0.4);
}

#[test]
fn cash_and_scales() {
    // Unbudgeted betas (0.7, 0.5) get cash 1 − 1.2 = −0.2, i.e. |cash| = .2 borrowed.
    let x = with_cash(&[0.7, 0.5, 0.3, 0.3], 2, 2);
    assert_eq!(x.len(), 6);
    assert!((x[2] + 0.2).abs() < 1e-15 && (x[5] - 0.4).abs() < 1e-15);
    // Gross: |β| / Σ|β|; an all-zero fund stays zero.
    let g = scaled_exposures(&[1.2, -0.4, 0.0, 0.0, 0.0, 0.0], 2, 3, ExposureScale::Gross);
    assert!(max_diff(&g, &[0.75, 0.25, 0.0, 0.0, 0.0, 0.0]) < 1e-15);
    let r = scaled_exposures(&[1.2, -0.4, 0.0], 1, 3, ExposureScale::Raw);
    assert_eq!(r, vec![1.2, 0.4, 0.0]);
}
