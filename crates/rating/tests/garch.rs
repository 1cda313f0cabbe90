//! AT-GARCH estimation against hand-worked values, Python `arch`, statsmodels and
//! simulations with known parameters.
#![allow(clippy::needless_range_loop)]

use peergroup_random::Rng;
use peergroup_rating::garch::{conditional_variance, loglik, FitOptions, SeriesProblem};
use peergroup_rating::{
    arch_lm, fit_with, rate_series, risk_paths, simulate, stationary_threshold, AtGarch, Free,
};
use rayon::prelude::*;

fn fixture(name: &str) -> Vec<csv::StringRecord> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .records()
        .map(|r| r.unwrap())
        .collect()
}

fn series(file: &str, case: &str) -> Vec<f64> {
    fixture(file)
        .iter()
        .filter(|r| &r[0] == case)
        .map(|r| r[2].parse().unwrap())
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// The five-observation example worked by hand: threshold, backcast, recursion and
/// log-likelihood written out step by step.
#[test]
fn five_observation_likelihood_by_hand() {
    let r = [0.5, -1.0, 0.3, 2.0, -0.4];
    let p = AtGarch {
        mu: 0.1,
        gamma: 0.2,
        alpha: 0.1,
        beta: 0.6,
        delta: 0.2,
    };
    // First decile (linear interpolation): sorted −1, −0.4, 0.3, 0.5, 2; position 0.4:
    // −1 + 0.4·0.6 = −0.76, so only r₂ = −1 is a turmoil shock.
    // Backcast at the sample mean 0.28: residuals 0.22, −1.28, 0.02, 1.72, −0.68 with
    // weights 0.94^j.
    let w = [1.0, 0.94, 0.8836, 0.830584, 0.78074896];
    let e0: [f64; 5] = [0.22, -1.28, 0.02, 1.72, -0.68];
    let w_sum: f64 = w.iter().sum();
    let b = (0..5).map(|j| w[j] * e0[j] * e0[j]).sum::<f64>() / w_sum;
    let b_s = w[1] * 1.28 * 1.28 / w_sum;
    let h1 = 0.2 + (0.1 + 0.6) * b + 0.2 * b_s;
    let h2 = 0.2 + 0.1 * 0.4 * 0.4 + 0.6 * h1; // ε₁ = 0.4, no turmoil
    let h3 = 0.2 + (0.1 + 0.2) * 1.1 * 1.1 + 0.6 * h2; // ε₂ = −1.1, turmoil
    let h4 = 0.2 + 0.1 * 0.2 * 0.2 + 0.6 * h3; // ε₃ = 0.2
    let h5 = 0.2 + 0.1 * 1.9 * 1.9 + 0.6 * h4; // ε₄ = 1.9
    let h = [h1, h2, h3, h4, h5];
    let e = [0.4, -1.1, 0.2, 1.9, -0.5];
    let ll: f64 = -0.5
        * (0..5)
            .map(|t| (2.0 * std::f64::consts::PI).ln() + h[t].ln() + e[t] * e[t] / h[t])
            .sum::<f64>();
    let got = conditional_variance(&r, &p, 0.1);
    for t in 0..5 {
        assert!(
            rel(got[t], h[t]) < 1e-13,
            "h_{}: {} vs {}",
            t + 1,
            got[t],
            h[t]
        );
    }
    assert!(rel(loglik(&r, &p, 0.1), ll) < 1e-13);
    // The risk terms rebuild every h_t exactly, truncation included.
    let s = [false, true, false, false, false];
    let paths = risk_paths(&p, &e, &s, b, b_s);
    let v_min = 0.2 / (1.0 - 0.6);
    for t in 0..5 {
        let sum = v_min + paths.standard[t] + paths.turmoil[t] + paths.truncation[t];
        assert!(rel(sum, h[t]) < 1e-13, "t = {t}");
    }
    // h₂'s standard term is α(ε₁² + β·b) and its turmoil term δ·β·b_S.
    assert!(rel(paths.standard[1], 0.1 * (0.16 + 0.6 * b)) < 1e-14);
    assert!(rel(paths.turmoil[1], 0.2 * 0.6 * b_s) < 1e-14);
}

/// With δ fixed at 0 the model is arch's GARCH(1,1) with a constant mean.
#[test]
fn garch_matches_python_arch() {
    for row in fixture("garch_arch.csv") {
        let case = &row[0];
        let want: Vec<f64> = (1..10).map(|k| row[k].parse().unwrap()).collect();
        let r = series("garch_series.csv", case);
        let f = fit_with(&r, Free::GARCH, &FitOptions::default());
        assert!(f.converged, "{case}: {:?}", f.failure);
        let got = [
            f.params.mu,
            f.params.gamma,
            f.params.alpha,
            f.params.beta,
            f.loglik,
        ];
        for (k, name) in ["mu", "omega", "alpha", "beta", "loglik"]
            .iter()
            .enumerate()
        {
            assert!(
                rel(got[k], want[k]) < 1e-4,
                "{case} {name}: {} vs arch {}",
                got[k],
                want[k]
            );
        }
        assert_eq!(f.params.delta, 0.0);
        // Robust standard errors: both numerical Hessians, so a looser tolerance.
        for (k, name) in ["mu", "omega", "alpha", "beta"].iter().enumerate() {
            assert!(
                rel(f.se[k], want[5 + k]) < 5e-3,
                "{case} se {name}: {} vs arch {}",
                f.se[k],
                want[5 + k]
            );
        }
    }
}

#[test]
fn arch_lm_matches_statsmodels() {
    for row in fixture("archlm_statsmodels.csv") {
        let z = series("archlm_series.csv", &row[0]);
        let q: usize = row[1].parse().unwrap();
        let (lm, p): (f64, f64) = (row[2].parse().unwrap(), row[3].parse().unwrap());
        let t = arch_lm(&z, q);
        assert!(
            rel(t.statistic, lm) < 1e-10,
            "{} q={q}: {} vs {lm}",
            &row[0],
            t.statistic
        );
        assert!(
            rel(t.p_value, p) < 1e-8,
            "{} q={q}: {} vs {p}",
            &row[0],
            t.p_value
        );
        assert_eq!(t.nobs, z.len() - q);
    }
}

#[test]
fn percent_and_fractions_give_the_same_model() {
    let r = series("garch_series.csv", "sim_frac");
    let pct: Vec<f64> = r.iter().map(|v| v * 100.0).collect();
    let a = fit_with(&r, Free::ALL, &FitOptions::default());
    let b = fit_with(&pct, Free::ALL, &FitOptions::default());
    assert!(a.converged && b.converged);
    assert!((a.params.alpha - b.params.alpha).abs() < 1e-9);
    assert!((a.params.beta - b.params.beta).abs() < 1e-9);
    assert!((a.params.delta - b.params.delta).abs() < 1e-9);
    assert!(rel(a.params.mu * 100.0, b.params.mu) < 1e-9);
    assert!(rel(a.params.gamma * 1e4, b.params.gamma) < 1e-9);
    let n = r.len() as f64;
    assert!((a.loglik - (b.loglik + n * 100f64.ln())).abs() < 1e-7);
}

fn daily_truth() -> AtGarch {
    AtGarch {
        mu: 4e-4,
        gamma: 4e-6,
        alpha: 0.05,
        beta: 0.80,
        delta: 0.15,
    }
}

/// Coverage of the 95% robust confidence intervals over 100 simulated series.
fn coverage(t: usize, seed: u64) -> [f64; 5] {
    let truth = daily_truth();
    let threshold = stationary_threshold(&truth, 0.1, 200_000, seed);
    let hits: Vec<[bool; 5]> = (0..100u64)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng::stream(seed, 100 + i);
            let r = simulate(&truth, threshold, t, 500, &mut rng);
            let f = fit_with(&r, Free::ALL, &FitOptions::default());
            assert!(f.converged, "simulation {i}: {:?}", f.failure);
            std::array::from_fn(|k| (f.params.get(k) - truth.get(k)).abs() <= 1.96 * f.se[k])
        })
        .collect();
    std::array::from_fn(|k| hits.iter().filter(|h| h[k]).count() as f64 / hits.len() as f64)
}

#[test]
fn parameters_recovered_within_robust_intervals() {
    for (t, seed) in [(1600, 1), (5000, 2)] {
        let c = coverage(t, seed);
        for (k, name) in ["mu", "gamma", "alpha", "beta", "delta"].iter().enumerate() {
            assert!(c[k] >= 0.9, "T = {t}: coverage of {name} is {}", c[k]);
        }
    }
}

#[test]
fn insignificant_terms_are_dropped() {
    // A GARCH(1,1) without turmoil term: δ is dropped in most series, and never α, β.
    let truth = AtGarch {
        delta: 0.0,
        alpha: 0.08,
        beta: 0.88,
        ..daily_truth()
    };
    let threshold = stationary_threshold(&truth, 0.1, 200_000, 5);
    let kept: Vec<(bool, bool, bool)> = (0..20u64)
        .into_par_iter()
        .map(|i| {
            let r = simulate(&truth, threshold, 2000, 500, &mut Rng::stream(5, 10 + i));
            let rated = rate_series(&r, &FitOptions::default()).unwrap();
            let f = &rated.fit;
            assert!(f.converged);
            (f.free.alpha, f.free.beta, f.free.delta)
        })
        .collect();
    assert!(kept.iter().all(|k| k.0 && k.1), "{kept:?}");
    assert!(kept.iter().filter(|k| !k.2).count() >= 14, "{kept:?}");

    // iid returns: no ARCH effect, constant variance at the sample variance.
    let mut rng = Rng::stream(6, 0);
    let r: Vec<f64> = (0..1600).map(|_| 0.01 * rng.normal()).collect();
    let rated = rate_series(&r, &FitOptions::default()).unwrap();
    let f = &rated.fit;
    if !f.free.alpha && !f.free.delta {
        assert_eq!(
            (f.params.alpha, f.params.beta, f.params.delta),
            (0.0, 0.0, 0.0)
        );
        assert!(rated.note.contains("no ARCH effect"), "{}", rated.note);
        let var = r.iter().map(|v| (v - f.params.mu).powi(2)).sum::<f64>() / r.len() as f64;
        assert!(rel(f.params.gamma, var) < 1e-6);
        assert_eq!(rated.risk.v_standard, 0.0);
        assert_eq!(rated.risk.v_turmoil, 0.0);
        assert!(rel(rated.risk.v_min, var) < 1e-6);
    } else {
        panic!(
            "iid series kept an ARCH term: {:?} ({})",
            f.free, rated.note
        );
    }
}

#[test]
fn unusable_series_are_refused_with_a_reason() {
    let options = FitOptions::default();
    let short = vec![0.01; 100];
    match rate_series(&short, &options) {
        Err(SeriesProblem::TooShort { have: 100, needed }) => assert_eq!(needed, 250),
        other => panic!("{other:?}"),
    }
    let flat = vec![0.01; 400];
    assert_eq!(rate_series(&flat, &options), Err(SeriesProblem::Constant));
    let mut bad: Vec<f64> = (0..400).map(|i| (i as f64).sin() * 0.01).collect();
    bad[7] = f64::NAN;
    assert_eq!(
        rate_series(&bad, &options),
        Err(SeriesProblem::NotFinite(7))
    );
    // Many ARCH-LM lags need more returns than their own count plus ten (issue 20).
    let lags = FitOptions {
        min_obs: 10,
        arch_lags: 100,
        ..FitOptions::default()
    };
    let some: Vec<f64> = (0..150).map(|i| (i as f64).sin() * 0.01).collect();
    assert_eq!(
        rate_series(&some, &lags),
        Err(SeriesProblem::TooShort {
            have: 150,
            needed: 202
        })
    );
    // One huge return overflows the variance: a reason, not a panic (issue 20).
    for huge in [1e160, 1e300] {
        let mut big: Vec<f64> = (0..400).map(|i| (i as f64).sin() * 0.01).collect();
        big[3] = huge;
        assert_eq!(rate_series(&big, &options), Err(SeriesProblem::Overflow));
    }
}
