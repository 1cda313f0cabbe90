//! The side-by-side peer measures (S*, S, correlation) of a few pairs are the entries the
//! full similarity stage computes for every pair, and the correlation is a hand-written
//! two-pass Pearson over the window's pairwise-complete dates; bad funds and dates are
//! refused by name.

use std::collections::HashMap;

use peergroup_calendar::Frequency;
use peergroup_data::{Date, Panel, SeriesKind};
use peergroup_io::{Exposures, Keys};
use peergroup_pipeline::similarity::{
    similarity_matrices, Measure, PeerMeasures, Scale, SimilarityInputs, SimilaritySettings,
};
use peergroup_pipeline::Named;
use peergroup_similarity::FactorSimilarity;

/// A deterministic stream of uniforms in [0, 1).
fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn month(m: usize) -> Date {
    Date::month_end(2015 + (m / 12) as i32, (m % 12) as u32 + 1).unwrap()
}

/// `funds` funds on `k` factors over two exposure dates (months 40 and 47), an R² for
/// each, and `months` of returns with a few gaps.
struct Case {
    ex: Exposures,
    r2: HashMap<(String, Date), f64>,
    returns: Panel,
    sx: FactorSimilarity,
}

fn case(funds: usize, k: usize, months: usize, seed: u64) -> Case {
    let mut u = uniforms(seed);
    let (mut fund_keys, mut factor_keys) = (Keys::default(), Keys::default());
    for j in 0..k {
        factor_keys.intern(&format!("X{j}"));
    }
    for i in 0..funds {
        fund_keys.intern(&format!("F{i:02}"));
    }
    let dates = vec![month(40), month(47)];
    let mut values = Vec::new();
    let mut r2 = HashMap::new();
    for &d in &dates {
        for i in 0..funds {
            let row: Vec<f64> = (0..k).map(|_| if u() < 0.5 { u() } else { 0.0 }).collect();
            let s: f64 = row.iter().sum::<f64>() + 1e-3;
            values.extend(row.iter().map(|x| (x + 1e-3 / k as f64) / s));
            r2.insert((format!("F{i:02}"), d), 0.4 + 0.55 * u());
        }
    }
    let ex = Exposures {
        funds: fund_keys,
        factors: factor_keys.clone(),
        dates,
        values,
    };
    let names = factor_keys.names.clone();
    let sx_values: Vec<f64> = (0..k * k)
        .map(|x| {
            let (a, b) = (x / k, x % k);
            if a == b {
                1.0
            } else {
                0.1 + 0.6 * (((a + b) % 5) as f64 / 5.0)
            }
        })
        .collect();
    let sx = FactorSimilarity::from_matrix(names, sx_values).unwrap();
    // Returns: a common factor plus noise, with a gap now and then.
    let ids: Vec<String> = (0..funds).map(|i| format!("F{i:02}")).collect();
    let common: Vec<f64> = (0..months).map(|_| u() - 0.5).collect();
    let mut rv = Vec::new();
    for i in 0..funds {
        for c in &common {
            let v = if u() < 0.08 {
                f64::NAN
            } else {
                (i % 3) as f64 * 0.3 * c + (u() - 0.5)
            };
            rv.push(v / 100.0);
        }
    }
    let returns = Panel::new(
        ids,
        (0..months).map(month).collect(),
        rv,
        SeriesKind::Returns,
        Frequency::Monthly,
    )
    .unwrap();
    Case {
        ex,
        r2,
        returns,
        sx,
    }
}

/// Two-pass Pearson correlation over the dates where both have a return.
fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .collect();
    let n = pairs.len() as f64;
    let (ma, mb) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

fn full(c: &Case, measure: Measure, date: Date) -> (Vec<String>, Vec<Vec<f64>>) {
    let settings = SimilaritySettings {
        measure,
        date: Some(date),
        ..SimilaritySettings::default()
    };
    let m = similarity_matrices(
        SimilarityInputs {
            exposures: Named::new(&c.ex, "exposures.csv"),
            r2: Some(Named::new(&c.r2, "fit.csv")),
            residuals: None,
        },
        &c.sx,
        &settings,
    )
    .unwrap()
    .pop()
    .unwrap();
    let n = m.ids.len();
    let rows = (0..n)
        .map(|i| (0..n).map(|j| m.similarity.get(i, j)).collect())
        .collect();
    (m.ids, rows)
}

#[test]
fn the_few_pairs_asked_about_match_the_full_stage_and_a_hand_pearson() {
    for seed in [3u64, 17, 91] {
        let c = case(25, 7, 60, seed);
        for (date, window) in [(month(47), Some(36)), (month(40), None)] {
            let pm = PeerMeasures::new(
                Named::new(&c.ex, "exposures.csv"),
                &c.sx,
                Scale::Raw,
                Some(Named::new(&c.r2, "fit.csv")),
                Some(Named::new(&c.returns, "returns.csv")),
                window,
                date,
            )
            .unwrap();
            let (ids, star) = full(&c, Measure::SStar, date);
            let (_, s) = full(&c, Measure::S, date);
            let end = c.returns.dates().partition_point(|d| *d <= date);
            let start = window.map_or(0, |w| end - w);
            for a in [0usize, 7, 24] {
                let peers: Vec<usize> = (0..25).filter(|&b| b != a).step_by(3).collect();
                let names: Vec<&str> = peers.iter().map(|&b| ids[b].as_str()).collect();
                let got = pm.of(&ids[a], &names).unwrap();
                assert_eq!(got.len(), peers.len());
                for (g, &b) in got.iter().zip(&peers) {
                    assert!((g.s_star - star[a][b]).abs() < 1e-12, "S* {a},{b}");
                    assert!((g.s.unwrap() - s[a][b]).abs() < 1e-12, "S {a},{b}");
                    let ia = c.returns.index_of(&ids[a]).unwrap();
                    let ib = c.returns.index_of(&ids[b]).unwrap();
                    let want = pearson(
                        &c.returns.series(ia)[start..end],
                        &c.returns.series(ib)[start..end],
                    );
                    assert!(
                        (g.correlation.unwrap() - want).abs() < 1e-12,
                        "correlation {a},{b}: {:?} vs {want}",
                        g.correlation
                    );
                }
            }
        }
    }
}

#[test]
fn without_r2_or_returns_those_columns_are_empty() {
    let c = case(6, 4, 50, 5);
    let pm = PeerMeasures::new(
        Named::new(&c.ex, "exposures.csv"),
        &c.sx,
        Scale::Gross,
        None,
        None,
        None,
        month(47),
    )
    .unwrap();
    let got = pm.of("F00", &["F01", "F02"]).unwrap();
    assert!(got.iter().all(|m| m.s.is_none() && m.correlation.is_none()));
    assert!(got.iter().all(|m| m.s_star > 0.0));
}

#[test]
fn unknown_funds_and_dates_are_named() {
    let c = case(6, 4, 50, 5);
    let err = PeerMeasures::new(
        Named::new(&c.ex, "exposures.csv"),
        &c.sx,
        Scale::Raw,
        None,
        None,
        None,
        month(41),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("exposures.csv") && err.contains("2018-06-30"),
        "{err}"
    );
    let pm = PeerMeasures::new(
        Named::new(&c.ex, "exposures.csv"),
        &c.sx,
        Scale::Raw,
        Some(Named::new(&c.r2, "fit.csv")),
        Some(Named::new(&c.returns, "returns.csv")),
        None,
        month(47),
    )
    .unwrap();
    let err = pm.of("F00", &["NOPE"]).unwrap_err().to_string();
    assert!(
        err.contains("NOPE") && err.contains("exposures.csv"),
        "{err}"
    );
}
