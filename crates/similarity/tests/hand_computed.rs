//! Small cases worked out by hand; the arithmetic is in the comments.

mod common;

use common::names;
use peergroup_similarity::{
    condensed_distance, fund_similarity, peers, rescaled, systematic_similarity, ExposureScale,
    FactorSimilarity, SimilarityMatrix,
};

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

/// Two factors X, Y with S_X(X,Y) = 0.5; A = (0.6, 0.4), B = (0.2, 0.8).
#[test]
fn two_funds() {
    let sx = FactorSimilarity::from_matrix(names(&["X", "Y"]), vec![1.0, 0.5, 0.5, 1.0]).unwrap();
    let x = [0.6, 0.4, 0.2, 0.8];
    let s = systematic_similarity(&x, 2, &sx, ExposureScale::Raw).unwrap();
    // S_SYST(A,B) = S_B(.6,.2)·1 + S_B(.6,.8)·.5 + S_B(.4,.2)·.5 + S_B(.4,.8)·1
    //             = .6 + .8·.5 + .8·.5 + .6 = 2.0
    close(s.get(0, 1), 2.0);
    close(s.get(1, 0), 2.0);
    // S_SYST(A,A) = 1 + S_B(.6,.4)·.5 + S_B(.4,.6)·.5 + 1 = 1 + .4 + .4 + 1 = 2.8
    close(s.get(0, 0), 2.8);
    // S_SYST(B,B) = 1 + S_B(.2,.8)·.5·2 + 1 = 1 + .2 + .2 + 1 = 2.4
    close(s.get(1, 1), 2.4);
    // S* = 2 / sqrt(2.8 · 2.4) = 2 / sqrt(6.72) = 0.7715167498104596
    let star = rescaled(&s);
    close(star.get(0, 1), 2.0 / 6.72f64.sqrt());
    close(star.get(0, 0), 1.0);
    // Budgeted long-only betas already sum to 1: the gross scale changes nothing.
    let g = systematic_similarity(&x, 2, &sx, ExposureScale::Gross).unwrap();
    assert!(common::max_diff(&g.values, &s.values) < 1e-15);

    // R²_A = .9, R²_B = .8: S = .9·.8·S* = .72 · 0.7715167… = 0.5554920598635309,
    // diagonal S(A,A) = .81, S(B,B) = .64.
    let r2 = [0.9, 0.8];
    let f = fund_similarity(&star, &r2, None).unwrap();
    close(f.get(0, 1), 0.72 * 2.0 / 6.72f64.sqrt());
    close(f.get(0, 0), 0.81);
    close(f.get(1, 1), 0.64);
    // With S_U(A,B) = .5: + (1 − .9)(1 − .8)·.5 = + .01; diagonal + (.1)²·1 and (.2)²·1.
    let su = SimilarityMatrix::new(2, vec![1.0, 0.5, 0.5, 1.0]);
    let f = fund_similarity(&star, &r2, Some(&su)).unwrap();
    close(f.get(0, 1), 0.72 * 2.0 / 6.72f64.sqrt() + 0.01);
    close(f.get(0, 0), 0.81 + 0.01);
    close(f.get(1, 1), 0.64 + 0.04);
    // Clustering distance 1 − S for the one pair.
    close(condensed_distance(&f)[0], 1.0 - f.get(0, 1));
}

/// Three factors: S_X(X,Y) = .5, S_X(X,Z) = 0, S_X(Y,Z) = .2;
/// A = (.6, .4, 0), B = (.2, .8, 0), C = (0, −.5, 1.5) (short Y, leveraged Z: |β| = (0, .5, 1.5)).
#[test]
fn three_funds() {
    #[rustfmt::skip]
    let sx = FactorSimilarity::from_matrix(
        names(&["X", "Y", "Z"]),
        vec![1.0, 0.5, 0.0,
             0.5, 1.0, 0.2,
             0.0, 0.2, 1.0],
    )
    .unwrap();
    #[rustfmt::skip]
    let x = [0.6, 0.4, 0.0,
             0.2, 0.8, 0.0,
             0.0, -0.5, 1.5];
    let s = systematic_similarity(&x, 3, &sx, ExposureScale::Raw).unwrap();
    // S_SYST(A,A): row X: 1 + .8·.5 + .4·0;  row Y: .8·.5 + 1 + .6·.2;  row Z: .4·0 + .6·.2 + 1
    //            = 1.4 + 1.52 + 1.12 = 4.04
    close(s.get(0, 0), 4.04);
    // S_SYST(B,B): X: 1 + .4·.5 + 0;  Y: .4·.5 + 1 + .2·.2;  Z: 0 + .2·.2 + 1  = 1.2 + 1.24 + 1.04 = 3.48
    close(s.get(1, 1), 3.48);
    // S_SYST(C,C): X: 1 + .5·.5 + 0;  Y: .5·.5 + 1 + 0·.2;  Z: 0 + 0 + 1 = 1.25 + 1.25 + 1 = 3.5
    close(s.get(2, 2), 3.5);
    // S_SYST(A,B): X(.6): .6 + .8·.5 + 0;  Y(.4): .8·.5 + .6 + .6·.2;  Z(0): 0 + .2·.2 + 1
    //            = 1.0 + 1.12 + 1.04 = 3.16
    close(s.get(0, 1), 3.16);
    // S_SYST(A,C): X(.6): .4 + .9·.5 + .1·0;  Y(.4): .6·.5 + .9 + 0·.2;  Z(0): 0 + .5·.2 + 0·1
    //            = .85 + 1.2 + .1 = 2.15
    close(s.get(0, 2), 2.15);
    // S_SYST(B,C): X(.2): .8 + .7·.5 + 0;  Y(.8): .2·.5 + .7 + .3·.2;  Z(0): 0 + .5·.2 + 0
    //            = 1.15 + .86 + .1 = 2.11
    close(s.get(1, 2), 2.11);
    let star = rescaled(&s);
    // S*(A,B) = 3.16/√(4.04·3.48) = .84276…, S*(A,C) = 2.15/√(4.04·3.5) = .57176…,
    // S*(B,C) = 2.11/√(3.48·3.5) = .60459…
    close(star.get(0, 1), 3.16 / (4.04f64 * 3.48).sqrt());
    close(star.get(0, 2), 2.15 / (4.04f64 * 3.5).sqrt());
    close(star.get(1, 2), 2.11 / (3.48f64 * 3.5).sqrt());

    // Peers of A: B (.843) then C (.572); C sits outside A's category.
    let cats = names(&["Multi-asset", "Multi-asset", "Bond"]);
    let p = peers(&star, 0, 5, Some(&cats));
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].fund, p[0].rank), (1, 1));
    assert_eq!((p[1].fund, p[1].rank), (2, 2));
    assert_eq!(p[0].outside_category, Some(false));
    assert_eq!(p[1].outside_category, Some(true));
    assert_eq!(p[1].category.as_deref(), Some("Bond"));
    close(p[0].similarity, star.get(0, 1));
    // Top 1 only, and without categories.
    let p = peers(&star, 2, 1, None);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].fund, 1); // S*(C,B) = .605 > S*(C,A) = .572
    assert_eq!(p[0].outside_category, None);

    // Gross scale: C becomes (0, .25, .75); S_SYST(C,C) = X: 1 + .75·.5 + .25·0;
    // Y: .75·.5 + 1 + .5·.2;  Z: .25·0 + .5·.2 + 1  = 1.375 + 1.475 + 1.1 = 3.95
    let g = systematic_similarity(&x, 3, &sx, ExposureScale::Gross).unwrap();
    close(g.get(2, 2), 3.95);

    // Condensed distances in scipy pdist order: (A,B), (A,C), (B,C).
    let d = condensed_distance(&star);
    close(d[0], 1.0 - star.get(0, 1));
    close(d[1], 1.0 - star.get(0, 2));
    close(d[2], 1.0 - star.get(1, 2));
}

/// Eq. 8 does not bound S* by 1: S_SYST is not a positive semidefinite kernel. S_X with
/// X–Y = X–Z = .9, Y–Z = 0; A = (1, 0, 0) all in X, B = (0, 1, 1) levered into Y and Z.
#[test]
fn rescaled_similarity_can_exceed_one() {
    #[rustfmt::skip]
    let sx = FactorSimilarity::from_matrix(
        names(&["X", "Y", "Z"]),
        vec![1.0, 0.9, 0.9,
             0.9, 1.0, 0.0,
             0.9, 0.0, 1.0],
    )
    .unwrap();
    let x = [1.0, 0.0, 0.0, 0.0, 1.0, 1.0];
    let s = systematic_similarity(&x, 2, &sx, ExposureScale::Raw).unwrap();
    // S_SYST(A,A): X(1): 1 + 0·.9 + 0·.9;  Y(0): 0·.9 + 1 + 1·0;  Z(0): 0·.9 + 1·0 + 1  = 3
    // S_SYST(B,B): X(0): 1 + 0 + 0;  Y(1): 0·.9 + 1 + 1·0;  Z(1): 0·.9 + 1·0 + 1  = 3
    // S_SYST(A,B): X(1): 0·1 + 1·.9 + 1·.9;  Y(0): 1·.9 + 0 + 0;  Z(0): 1·.9 + 0 + 0  = 3.6
    close(s.get(0, 0), 3.0);
    close(s.get(1, 1), 3.0);
    close(s.get(0, 1), 3.6);
    // S* = 3.6 / √(3·3) = 1.2, and the clustering distance 1 − S* = −0.2.
    let star = rescaled(&s);
    close(star.get(0, 1), 1.2);
    close(condensed_distance(&star)[0], -0.2);
    // On the gross scale B is (0, .5, .5) and S* = 3.7 / √(3·4.8) < 1.
    let g = rescaled(&systematic_similarity(&x, 2, &sx, ExposureScale::Gross).unwrap());
    close(g.get(0, 1), 3.7 / (3.0f64 * 4.8).sqrt());
}
