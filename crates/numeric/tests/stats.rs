//! Φ and Φ⁻¹ against high-precision values, in the centre and far into both tails.

// Reference values are written with all the digits printed by their source.
#![allow(clippy::excessive_precision)]

use peergroup_numeric::stats::{normal_cdf, normal_quantile};

// Reference values computed with mpmath 1.3 at 60 significant digits from the exact
// binary value of each argument (`mp.ncdf(mp.mpf(x))`; quantiles by `mp.findroot` on
// `ln Φ(z) − ln p`, checked by `Φ(z)/p − 1 < 1e-80`).
const CDF: [(f64, f64); 20] = [
    (-37.5, 4.605_353_009_581_954_8e-308),
    (-30.0, 4.906_713_927_148_187_1e-198),
    (-20.0, 2.753_624_118_606_233_7e-89),
    (-10.0, 7.619_853_024_160_526_1e-24),
    (-8.0, 6.220_960_574_271_784_1e-16),
    (-5.656, 7.747_073_323_749_067_7e-9),
    (-5.0, 2.866_515_718_791_939_1e-7),
    (-3.0, 0.001_349_898_031_630_094_5),
    (-1.959963984540054, 0.025_000_000_000_000_011),
    (-1.0, 0.158_655_253_931_457_05),
    (-0.6744897501960817, 0.250_000_000_000_000_01),
    (-0.5, 0.308_537_538_725_986_9),
    (-1e-10, 0.499_999_999_960_105_77),
    (0.0, 0.5),
    (0.3, 0.617_911_422_188_952_63),
    (0.67, 0.748_571_104_904_689_9),
    (1.0, 0.841_344_746_068_542_95),
    (2.5, 0.993_790_334_674_223_86),
    (5.5, 0.999_999_981_010_437_53),
    (8.0, 0.999_999_999_999_999_38),
];

const QUANTILE: [(f64, f64); 16] = [
    (1e-300, -37.047_096_299_361_199),
    (1e-100, -21.273_453_560_965_324),
    (1e-20, -9.262_340_089_798_407_6),
    (1e-10, -6.361_340_902_404_056_2),
    (1e-5, -4.264_890_793_922_824_6),
    (0.001, -3.090_232_306_167_813_5),
    (0.025, -1.959_963_984_540_054_2),
    (0.075, -1.439_531_470_938_455_9),
    (0.1, -1.281_551_565_544_600_4),
    (0.3, -0.524_400_512_708_040_82),
    (0.5, 0.0),
    (0.7, 0.524_400_512_708_040_66),
    (0.924, 1.432_502_720_825_811_9),
    (0.975, 1.959_963_984_540_053_9),
    (0.999, 3.090_232_306_167_813_3),
    (0.99999, 4.264_890_793_923_840_8),
];

/// `|a − b| / |b|`, or `|a|` when `b` is 0.
fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / if b == 0.0 { 1.0 } else { b.abs() }
}

#[test]
fn normal_cdf_is_accurate_in_the_centre_and_both_tails() {
    for (x, p) in CDF {
        let got = normal_cdf(x);
        assert!(rel(got, p) < 1e-14, "Φ({x}) = {got:e}, want {p:e}");
        // Upper tail by symmetry, without cancellation.
        let q = normal_cdf(-x);
        let want = 1.0 - p;
        if x < 0.0 {
            assert!(rel(q, want) < 1e-15, "1-Φ({x})");
        }
    }
    assert_eq!(normal_cdf(-40.0), 0.0);
    assert!(normal_cdf(-38.0) > 0.0 && normal_cdf(-38.0) < 3e-316);
    assert_eq!(normal_cdf(f64::INFINITY), 1.0);
    assert_eq!(normal_cdf(f64::NEG_INFINITY), 0.0);
    assert!(normal_cdf(f64::NAN).is_nan());
}

#[test]
fn normal_quantile_is_accurate_and_inverts_the_cdf() {
    for (p, x) in QUANTILE {
        let got = normal_quantile(p);
        assert!(rel(got, x) < 1e-14, "Φ⁻¹({p}) = {got}, want {x}");
    }
    assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(normal_quantile(1.0), f64::INFINITY);
    assert!(normal_quantile(-0.1).is_nan() && normal_quantile(1.1).is_nan());
    assert!(normal_quantile(f64::NAN).is_nan());
    // Round trip from deep in the lower tail to the centre. (Above the centre p = Φ(x)
    // itself has lost the digits of the upper tail, 1 − p, so the upper tail is reached
    // through the symmetric lower one.)
    for i in 0..2000 {
        let x = -37.0 + i as f64 * 0.0187;
        let back = normal_quantile(normal_cdf(x));
        assert!((back - x).abs() < 1e-13 * x.abs().max(1.0), "x={x}: {back}");
    }
}

/// Student's t upper tail: closed forms for ν = 1 (Cauchy) and ν = 2, and SciPy 1.16's
/// `scipy.stats.t.sf` at other points (made with
/// `python -c "from scipy import stats; print(stats.t.sf(t, nu))"`).
#[test]
fn student_t_tail_against_closed_forms_and_scipy() {
    use peergroup_numeric::stats::student_t_sf;
    for t in [-3.0, -0.4, 0.0, 0.7, 2.5, 40.0] {
        let cauchy = 0.5 - f64::atan(t) / std::f64::consts::PI;
        assert!((student_t_sf(t, 1.0) - cauchy).abs() < 1e-14, "{t}");
        let two = 0.5 - t / (2.0 * (2.0 + t * t).sqrt());
        assert!((student_t_sf(t, 2.0) - two).abs() < 1e-14, "{t}");
    }
    for (nu, t, want) in [
        (21.0, 0.5, 0.311_137_037_827_109_3),
        (21.0, 1.7207, 0.050_003_963_774_820_574),
        (21.0, 3.5, 0.001_066_173_216_200_822_3),
        (21.0, -2.0, 0.970_699_993_975_644_8),
        (5.0, 10.0, 8.547_378_787_148_181e-5),
        (30.0, 6.0, 6.971_384_383_602_382e-7),
        (3.5, 1.2, 0.152_507_242_688_932_26),
    ] {
        let got = student_t_sf(t, nu);
        assert!(
            (got - want).abs() <= 1e-12 * want,
            "t {t} ν {nu}: {got} vs {want}"
        );
    }
    assert!(student_t_sf(f64::NAN, 3.0).is_nan() && student_t_sf(1.0, 0.0).is_nan());
}

/// The regularised incomplete beta against SciPy's `special.betainc` and the symmetry
/// `I_x(a, b) = 1 − I_{1−x}(b, a)`.
#[test]
fn incomplete_beta_against_scipy() {
    use peergroup_numeric::stats::beta_i;
    for (a, b, x, want) in [
        (2.5, 0.5, 0.3, 0.018_927_124_071_945_658),
        (10.5, 0.5, 0.9, 0.141_553_091_812_887),
        (0.5, 0.5, 0.5, 0.5),
        (3.0, 7.0, 0.2, 0.261_802_496),
    ] {
        assert!((beta_i(a, b, x) - want).abs() < 1e-13, "{a} {b} {x}");
        assert!((beta_i(a, b, x) - (1.0 - beta_i(b, a, 1.0 - x))).abs() < 1e-14);
    }
    assert_eq!((beta_i(2.0, 3.0, 0.0), beta_i(2.0, 3.0, 1.0)), (0.0, 1.0));
    assert!(beta_i(-1.0, 3.0, 0.5).is_nan() && beta_i(1.0, 3.0, 1.5).is_nan());
}
