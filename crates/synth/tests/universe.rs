//! Properties of the synthetic fund universe that style analysis and peer grouping rely on.

use peergroup_data::{Date, Frequency};
use peergroup_synth::universe::{universe, Universe, UniverseConfig};

fn cfg(funds: usize, factors: usize, periods: usize, groups: usize) -> UniverseConfig {
    UniverseConfig {
        funds,
        factors,
        periods,
        groups,
        ..Default::default()
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn var(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64
}

fn corr(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    let mut syy = 0.0;
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Σ_k β_i,t,k f_k,t for every t.
fn systematic(u: &Universe, i: usize) -> Vec<f64> {
    (0..u.periods())
        .map(|t| {
            u.betas(i, t)
                .iter()
                .enumerate()
                .map(|(k, b)| b * u.factor_series(k)[t])
                .sum()
        })
        .collect()
}

fn support(b: &[f64]) -> Vec<usize> {
    (0..b.len()).filter(|&k| b[k] > 0.0).collect()
}

#[test]
fn deterministic_and_shaped() {
    let c = UniverseConfig {
        dynamic: true,
        ..cfg(60, 15, 120, 6)
    };
    let a = universe(&c);
    let b = universe(&c);
    assert_eq!(a.fund_returns, b.fund_returns);
    assert_eq!(a.factor_returns, b.factor_returns);
    assert_eq!(a.true_betas, b.true_betas);
    assert_eq!(a.category, b.category);
    assert_eq!(a.true_group, b.true_group);
    assert_eq!(a.switches, b.switches);
    let other = universe(&UniverseConfig { seed: 2, ..c });
    assert_ne!(a.fund_returns, other.fund_returns);

    assert_eq!(a.dates.len(), 120);
    assert_eq!(a.periods(), 120);
    assert_eq!(a.factor_names.len(), 15);
    assert_eq!(a.factor_attributes.len(), 15);
    assert_eq!(a.factor_returns.len(), 15 * 120);
    assert_eq!(a.factor_covariance.len(), 15 * 15);
    assert_eq!(a.fund_names.len(), 60);
    assert_eq!(a.fund_names[0], "FUND0001");
    assert_eq!(a.fund_returns.len(), 60 * 120);
    assert_eq!(a.true_betas.len(), 60 * 120 * 15);
    assert_eq!(a.true_group.len(), 60);
    assert_eq!(a.category.len(), 60);
    assert_eq!(a.target_r2.len(), 60);
    assert_eq!(a.group_labels.len(), 6);
    assert_eq!(a.prototypes.len(), 6 * 15);
    assert!(a.fund_returns.iter().all(|r| r.is_finite() && *r > -1.0));

    // Unique names and labels; every group used.
    let mut names = a.factor_names.clone();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 15);
    let mut labels = a.group_labels.clone();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), 6);
    for g in 0..6 {
        assert!(a.true_group.contains(&g), "group {g} empty");
    }
    assert!(a.category.iter().all(|c| a.group_labels.contains(c)));
    // Target R² within the configured range.
    assert!(a.target_r2.iter().all(|r| (0.75..=0.95).contains(r)));
}

#[test]
fn exposures_on_the_simplex() {
    for dynamic in [false, true] {
        let u = universe(&UniverseConfig {
            dynamic,
            ..cfg(80, 40, 200, 12)
        });
        for i in 0..u.n_funds() {
            for t in 0..u.periods() {
                let b = u.betas(i, t);
                assert!(b.iter().all(|x| *x >= 0.0 && x.is_finite()));
                assert!(
                    (b.iter().sum::<f64>() - 1.0).abs() < 1e-12,
                    "fund {i} t {t}"
                );
            }
        }
        for g in 0..12 {
            let p = u.prototype(g);
            assert!(p.iter().all(|x| *x >= 0.0));
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let n = support(p).len();
            assert!((2..=4).contains(&n), "group {g} has {n} factors");
        }
        // Static funds keep their prototype's support.
        if !dynamic {
            for i in 0..u.n_funds() {
                assert_eq!(
                    support(u.betas(i, 0)),
                    support(u.prototype(u.true_group[i]))
                );
            }
        }
    }
}

#[test]
fn noise_free_funds_are_exact_mixtures() {
    for dynamic in [false, true] {
        let u = universe(&UniverseConfig {
            dynamic,
            r2: (1.0, 1.0),
            ..cfg(40, 20, 300, 5)
        });
        for i in 0..u.n_funds() {
            let s = systematic(&u, i);
            for (t, (x, y)) in u.fund_series(i).iter().zip(&s).enumerate() {
                assert!((x - y).abs() <= 1e-12, "fund {i} t {t}: {x} vs {y}");
            }
        }
        assert!(u.target_r2.iter().all(|r| *r == 1.0));
    }
}

#[test]
fn realised_r2_matches_target() {
    for dynamic in [false, true] {
        let u = universe(&UniverseConfig {
            dynamic,
            r2: (0.3, 0.95),
            ..cfg(200, 20, 5000, 10)
        });
        let mut diffs = Vec::new();
        for i in 0..u.n_funds() {
            let r = u.fund_series(i);
            let eps: Vec<f64> = r
                .iter()
                .zip(systematic(&u, i))
                .map(|(a, b)| a - b)
                .collect();
            let realised = 1.0 - var(&eps) / var(r);
            diffs.push((realised - u.target_r2[i]).abs());
        }
        let mean_diff = mean(&diffs);
        let max_diff = diffs.iter().cloned().fold(0.0, f64::max);
        assert!(
            mean_diff < 0.02,
            "dynamic {dynamic}: mean |ΔR²| {mean_diff}"
        );
        assert!(max_diff < 0.08, "dynamic {dynamic}: max |ΔR²| {max_diff}");
        // R² varies across funds, so some funds are noisy.
        assert!(u.target_r2.iter().any(|r| *r < 0.45));
    }
}

#[test]
fn factors_correlated_but_distinguishable() {
    let u = universe(&cfg(5, 40, 5000, 3));
    let k = u.n_factors();
    let mut max_off = f64::MIN;
    let mut equity_pairs = 0;
    let mut equity_high = 0;
    for a in 0..k {
        for b in a + 1..k {
            let c = corr(u.factor_series(a), u.factor_series(b));
            max_off = max_off.max(c);
            let eq = |x: usize| u.factor_attributes[x].asset_class == "Equity";
            if eq(a) && eq(b) {
                equity_pairs += 1;
                assert!(
                    (0.35..0.92).contains(&c),
                    "{} ~ {}: {c}",
                    u.factor_names[a],
                    u.factor_names[b]
                );
                if c > 0.5 {
                    equity_high += 1;
                }
            }
        }
    }
    assert!(max_off < 0.95, "max correlation {max_off}");
    assert!(equity_high * 2 > equity_pairs);

    // Sample covariance close to the published population covariance.
    for a in 0..k {
        let pop = u.factor_covariance[a * k + a];
        let sample = var(u.factor_series(a));
        assert!(
            (sample / pop - 1.0).abs() < 0.1,
            "{}: {sample} vs {pop}",
            u.factor_names[a]
        );
    }

    // Weekly volatility: equity ≈ 2.2%, government bonds ≈ 0.5%.
    let sd = |name: &str| {
        let i = u.factor_names.iter().position(|n| n == name).unwrap();
        var(u.factor_series(i)).sqrt()
    };
    assert!(
        (0.019..0.025).contains(&sd("US_Large")),
        "{}",
        sd("US_Large")
    );
    assert!((0.004..0.007).contains(&sd("US_Govt")), "{}", sd("US_Govt"));
    // Stocks and government bonds are mildly negatively correlated.
    let i_eq = u.factor_names.iter().position(|n| n == "US_Large").unwrap();
    let i_b = u.factor_names.iter().position(|n| n == "US_Govt").unwrap();
    assert!(corr(u.factor_series(i_eq), u.factor_series(i_b)) < 0.0);

    // Attributes cover several asset classes.
    for class in ["Equity", "Fixed Income", "Commodity", "Cash"] {
        assert!(u.factor_attributes.iter().any(|a| a.asset_class == class));
    }
}

#[test]
fn groups_differ_and_lookalikes_are_a_trap() {
    let u = universe(&cfg(100, 20, 3000, 8));
    // Distinct dominant factors.
    let mut dominants: Vec<usize> = (0..8)
        .map(|g| {
            let p = u.prototype(g);
            (0..p.len()).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap()
        })
        .collect();
    dominants.sort();
    dominants.dedup();
    assert_eq!(dominants.len(), 8);

    let (g, h) = u.lookalike_groups.expect("look-alike pair with 20 factors");
    let (sg, sh) = (support(u.prototype(g)), support(u.prototype(h)));
    let attrs = &u.factor_attributes;
    for &a in &sg {
        assert_eq!(attrs[a].asset_class, "Equity");
        assert_eq!(attrs[a].region, attrs[sg[0]].region);
        for &b in &sh {
            assert_ne!(a, b);
            assert_ne!(attrs[a].sector, attrs[b].sector);
            assert_eq!(attrs[a].region, attrs[b].region);
        }
    }
    let proto_returns = |g: usize| -> Vec<f64> {
        let p = u.prototype(g);
        (0..u.periods())
            .map(|t| (0..p.len()).map(|k| p[k] * u.factor_series(k)[t]).sum())
            .collect()
    };
    let c = corr(&proto_returns(g), &proto_returns(h));
    assert!(c > 0.8, "look-alike correlation {c}");

    // Too few factors for a look-alike pair.
    assert!(universe(&cfg(10, 4, 50, 3)).lookalike_groups.is_none());
    assert!(universe(&cfg(10, 20, 50, 1)).lookalike_groups.is_none());
}

#[test]
fn category_noise_rate() {
    for noise in [0.0, 0.15, 0.4] {
        let u = universe(&UniverseConfig {
            category_noise: noise,
            ..cfg(6000, 30, 10, 12)
        });
        let wrong = (0..u.n_funds())
            .filter(|&i| u.category[i] != u.group_labels[u.true_group[i]])
            .count() as f64
            / u.n_funds() as f64;
        assert!((wrong - noise).abs() < 0.025, "noise {noise}: {wrong}");
    }
}

#[test]
fn dynamic_styles_drift_and_switch() {
    let stat = universe(&cfg(300, 20, 500, 6));
    for i in 0..stat.n_funds() {
        let b0 = stat.betas(i, 0);
        assert!((1..stat.periods()).all(|t| stat.betas(i, t) == b0));
    }
    assert!(stat.switches.iter().all(Option::is_none));

    let dynu = universe(&UniverseConfig {
        dynamic: true,
        ..cfg(300, 20, 500, 6)
    });
    let last = dynu.periods() - 1;
    let switched: Vec<usize> = (0..300).filter(|&i| dynu.switches[i].is_some()).collect();
    let share = switched.len() as f64 / 300.0;
    assert!((0.2..0.4).contains(&share), "switch share {share}");
    for &i in &switched {
        let s = dynu.switches[i].unwrap();
        assert_ne!(s.to_group, dynu.true_group[i]);
        assert_eq!(s.end - s.start + 1, 50);
        assert!(s.end <= last);
        // Before the switch: own style; after: the target's support.
        let own = support(dynu.prototype(dynu.true_group[i]));
        let target = support(dynu.prototype(s.to_group));
        if s.start > 0 {
            assert_eq!(support(dynu.betas(i, s.start - 1)), own);
        }
        assert_eq!(support(dynu.betas(i, last)), target);
        let moved: f64 = dynu
            .betas(i, 0)
            .iter()
            .zip(dynu.betas(i, last))
            .map(|(a, b)| (a - b).abs())
            .sum();
        assert!(moved > 0.1, "fund {i} moved only {moved}");
    }
    // Non-switchers drift on their own support.
    for i in (0..300).filter(|&i| dynu.switches[i].is_none()) {
        let own = support(dynu.prototype(dynu.true_group[i]));
        assert_ne!(dynu.betas(i, 0), dynu.betas(i, last));
        assert_eq!(support(dynu.betas(i, last)), own);
    }
}

#[test]
fn dates_follow_the_frequency() {
    let u = universe(&cfg(3, 5, 60, 2));
    assert_eq!(u.dates[0], Date::from_ymd(2012, 1, 6).unwrap());
    assert!(u.dates.iter().all(|d| d.weekday() == 4));
    assert!(u.dates.windows(2).all(|w| w[1] == w[0].add_days(7)));
    assert_eq!(Frequency::detect(&u.dates), Some(Frequency::Weekly));

    let m = universe(&UniverseConfig {
        frequency: Frequency::Monthly,
        ..cfg(3, 5, 30, 2)
    });
    assert_eq!(m.dates[0], Date::month_end(2012, 1).unwrap());
    assert_eq!(m.dates[29], Date::month_end(2014, 6).unwrap());
    assert_eq!(Frequency::detect(&m.dates), Some(Frequency::Monthly));

    let q = universe(&UniverseConfig {
        frequency: Frequency::Quarterly,
        ..cfg(3, 5, 8, 2)
    });
    assert_eq!(q.dates[0], Date::month_end(2012, 3).unwrap());
    assert_eq!(q.dates[7], Date::month_end(2013, 12).unwrap());

    let d = universe(&UniverseConfig {
        frequency: Frequency::Daily,
        start: Date::from_ymd(2012, 1, 7).unwrap(), // a Saturday
        ..cfg(3, 5, 30, 2)
    });
    assert_eq!(d.dates[0], Date::from_ymd(2012, 1, 9).unwrap());
    assert!(d.dates.iter().all(|x| x.weekday() < 5));
    assert_eq!(Frequency::detect(&d.dates), Some(Frequency::Daily));

    // Monthly equity volatility scales with the frequency (≈ 16%/√12).
    let long = universe(&UniverseConfig {
        frequency: Frequency::Monthly,
        ..cfg(3, 5, 3000, 2)
    });
    let sd = var(long.factor_series(0)).sqrt();
    assert!((0.040..0.052).contains(&sd), "monthly US_Large sd {sd}");
}

#[test]
fn validate_rejects_bad_configs() {
    let ok = UniverseConfig::default();
    assert!(ok.validate().is_ok());
    let bad = [
        UniverseConfig { factors: 1, ..ok },
        UniverseConfig { factors: 41, ..ok },
        UniverseConfig {
            funds: 0,
            groups: 0,
            ..ok
        },
        UniverseConfig { groups: 0, ..ok },
        UniverseConfig {
            funds: 5,
            groups: 6,
            ..ok
        },
        UniverseConfig { periods: 1, ..ok },
        UniverseConfig {
            r2: (0.0, 0.5),
            ..ok
        },
        UniverseConfig {
            r2: (0.5, 1.1),
            ..ok
        },
        UniverseConfig {
            r2: (0.9, 0.5),
            ..ok
        },
        UniverseConfig {
            r2: (f64::NAN, 0.5),
            ..ok
        },
        UniverseConfig {
            category_noise: -0.1,
            ..ok
        },
        UniverseConfig {
            category_noise: 1.5,
            ..ok
        },
        UniverseConfig {
            category_noise: f64::NAN,
            ..ok
        },
    ];
    for c in bad {
        assert!(c.validate().is_err(), "{c:?}");
    }
    // Edge cases that are valid.
    for c in [
        UniverseConfig {
            factors: 2,
            funds: 1,
            groups: 1,
            periods: 2,
            ..ok
        },
        UniverseConfig {
            factors: 40,
            r2: (1.0, 1.0),
            category_noise: 1.0,
            ..ok
        },
    ] {
        assert!(c.validate().is_ok(), "{c:?}");
        let u = universe(&c);
        assert_eq!(u.n_factors(), c.factors);
    }
}

#[test]
#[should_panic(expected = "invalid universe config")]
fn universe_panics_on_invalid_config() {
    universe(&UniverseConfig {
        periods: 0,
        ..Default::default()
    });
}
