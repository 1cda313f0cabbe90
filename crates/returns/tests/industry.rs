//! Industry effects: a hand-worked example, grouping, the accounting identity and the
//! outlier rule against synthetic truth.

use peergroup_data::{Date, IndustryBuilder, IndustryTable};
use peergroup_random::Rng;
use peergroup_returns::{
    effects, filter_points, price_outliers, DropReason, Effects, EffectsPlan, Grouping,
    IndustryConfig, Kept,
};
use peergroup_synth::{industry, IndustrySynthConfig};

fn table(names: &[&str], rows: &[(u32, &str, f64, f64, f64)]) -> IndustryTable {
    let mut b = IndustryBuilder {
        class_names: names.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    for (i, (c, d, p, n, a)) in rows.iter().enumerate() {
        b.class.push(*c);
        b.date.push(Date::parse(d).unwrap());
        b.price.push(*p);
        b.shares.push(*n);
        b.aum.push(*a);
        b.position.push(i as u32 + 2);
    }
    b.build().unwrap()
}

/// Two classes over four days. Class a (fund F1) and class b (fund F2), both manager M.
///
/// class a: P 10, 11, 11, 9.9; N 100, 100, 150, 150; A 1000, 1100, 1650, 1485
///   day2 PE = (11−10)·100 = 100,   SE = 1100−1000−100 = 0,   DR = 100/1000 = 0.1,   TR = 1.1
///   day3 PE = (11−11)·100 = 0,     SE = 1650−1100−0 = 550,   DR = 0,                TR = 1.1
///   day4 PE = (9.9−11)·150 = −165, SE = 1485−1650+165 = 0,   DR = −165/1650 = −0.1, TR = 0.99
/// class b: P 20, 21, 21, 22.05; N 50, 50, 40, 40; A 1000, 1050, 840, 882
///   day2 PE = 50,  SE = 0,    DR = 50/1000 = 0.05, TR = 1.05
///   day3 PE = 0,   SE = −210, DR = 0,              TR = 1.05
///   day4 PE = 1.05·40 = 42, SE = 882−840−42 = 0, DR = 42/840 = 0.05, TR = 1.1025
/// manager M = a + b: A 2000, 2150, 2490, 2367
///   day2 PE = 150, DR = 150/2000 = 0.075, SE = 2150−2000−150 = 0, TR = 1.075
///   day3 PE = 0,   DR = 0, SE = 2490−2150 = 340, TR = 1.075
///   day4 PE = −165+42 = −123, DR = −123/2490, SE = 2367−2490+123 = 0, TR = 1.075·(1−123/2490)
/// [`table`] from owned names and rows (as the property tests generate them).
fn owned_table(names: &[String], rows: &[(u32, String, f64, f64, f64)]) -> IndustryTable {
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let row_refs: Vec<(u32, &str, f64, f64, f64)> = rows
        .iter()
        .map(|(c, d, p, n, a)| (*c, d.as_str(), *p, *n, *a))
        .collect();
    table(&name_refs, &row_refs)
}

fn hand_table() -> IndustryTable {
    table(
        &["a", "b"],
        &[
            (0, "2022-01-03", 10.0, 100.0, 1000.0),
            (0, "2022-01-04", 11.0, 100.0, 1100.0),
            (0, "2022-01-05", 11.0, 150.0, 1650.0),
            (0, "2022-01-06", 9.9, 150.0, 1485.0),
            (1, "2022-01-03", 20.0, 50.0, 1000.0),
            (1, "2022-01-04", 21.0, 50.0, 1050.0),
            (1, "2022-01-05", 21.0, 40.0, 840.0),
            (1, "2022-01-06", 22.05, 40.0, 882.0),
        ],
    )
}

fn no_filters() -> IndustryConfig {
    IndustryConfig {
        min_aum: 0.0,
        ..Default::default()
    }
}

fn assert_series(
    e: &Effects,
    g: usize,
    aum: &[f64],
    pe: &[f64],
    se: &[f64],
    dr: &[f64],
    tr: &[f64],
) {
    let r = e.rows(g);
    let close = |a: &[f64], b: &[f64], what: &str| {
        assert_eq!(a.len(), b.len(), "{what}");
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x.is_nan() && y.is_nan()) || (x - y).abs() < 1e-9,
                "{what}: {a:?} vs {b:?}"
            );
        }
    };
    close(&e.aum[r.clone()], aum, "aum");
    close(&e.price_effect[r.clone()], pe, "price effect");
    close(&e.subscription_effect[r.clone()], se, "subscription effect");
    close(&e.daily_return[r.clone()], dr, "daily return");
    close(&e.total_return[r], tr, "total return");
}

const N: f64 = f64::NAN;

#[test]
fn hand_worked_classes_funds_and_manager() {
    let t = hand_table();
    let cfg = no_filters();
    let (kept, dropped) = filter_points(&t, &cfg);
    assert!(dropped.is_empty());
    let classes = effects(&t, &kept, &Grouping::by_class(&t), &cfg);
    assert_eq!(classes.ids, vec!["a", "b"]);
    assert_series(
        &classes,
        0,
        &[1000.0, 1100.0, 1650.0, 1485.0],
        &[N, 100.0, 0.0, -165.0],
        &[N, 0.0, 550.0, 0.0],
        &[N, 0.1, 0.0, -0.1],
        &[1.0, 1.1, 1.1, 0.99],
    );
    assert_series(
        &classes,
        1,
        &[1000.0, 1050.0, 840.0, 882.0],
        &[N, 50.0, 0.0, 42.0],
        &[N, 0.0, -210.0, 0.0],
        &[N, 0.05, 0.0, 0.05],
        &[1.0, 1.05, 1.05, 1.1025],
    );

    // one class per fund: fund ids carry the class series unchanged
    let funds = effects(&t, &kept, &Grouping::by_label(&["F1", "F2"]), &cfg);
    assert_eq!(funds.ids, vec!["F1", "F2"]);
    assert_eq!(funds.total_return, classes.total_return);

    let managers = effects(&t, &kept, &Grouping::by_label(&["M", "M"]), &cfg);
    let d4 = -123.0 / 2490.0;
    assert_series(
        &managers,
        0,
        &[2000.0, 2150.0, 2490.0, 2367.0],
        &[N, 150.0, 0.0, -123.0],
        &[N, 0.0, 340.0, 0.0],
        &[N, 0.075, 0.0, d4],
        &[1.0, 1.075, 1.075, 1.075 * (1.0 + d4)],
    );
}

/// Class b's day-3 point is below min AUM (840 < 850) and is dropped. Class b then
/// compares day 4 with day 2; the manager carries b's day-2 AUM over day 3:
///   b day4: PE = (22.05−21)·50 = 52.5, SE = 882−1050−52.5 = −220.5, DR = 52.5/1050 = 0.05
///   M day3: A = 1650 + 1050 = 2700, PE = 0 (a only), SE = 2700−2150 = 550
///   M day4: A = 2367, PE = −165+52.5 = −112.5, DR = −112.5/(1650+1050), SE = 2367−2700+112.5 = −220.5
#[test]
fn dropped_point_is_bridged_and_carried_forward() {
    let t = hand_table();
    let cfg = IndustryConfig {
        min_aum: 850.0,
        ..Default::default()
    };
    let (kept, dropped) = filter_points(&t, &cfg);
    assert_eq!(dropped.len(), 1);
    assert_eq!(
        (dropped[0].class, dropped[0].date.to_string()),
        (1, "2022-01-05".to_string())
    );
    assert_eq!(dropped[0].reason, DropReason::BelowMinAum { aum: 840.0 });
    let classes = effects(&t, &kept, &Grouping::by_class(&t), &cfg);
    assert_series(
        &classes,
        1,
        &[1000.0, 1050.0, 882.0],
        &[N, 50.0, 52.5],
        &[N, 0.0, -220.5],
        &[N, 0.05, 0.05],
        &[1.0, 1.05, 1.1025],
    );
    let m = effects(&t, &kept, &Grouping::by_label(&["M", "M"]), &cfg);
    let d4 = -112.5 / 2700.0;
    assert_series(
        &m,
        0,
        &[2000.0, 2150.0, 2700.0, 2367.0],
        &[N, 150.0, 0.0, -112.5],
        &[N, 0.0, 550.0, -220.5],
        &[N, 0.075, 0.0, d4],
        &[1.0, 1.075, 1.075, 1.075 * (1.0 + d4)],
    );
}

#[test]
fn price_unit_scales_the_price_effect() {
    // Prices quoted per 1,000 shares: 10,000 per 1,000 shares = 10 per share.
    let t = table(
        &["a"],
        &[
            (0, "2022-01-03", 10_000.0, 100.0, 1000.0),
            (0, "2022-01-04", 11_000.0, 100.0, 1100.0),
        ],
    );
    let cfg = IndustryConfig {
        min_aum: 0.0,
        price_unit: 1000.0,
        ..Default::default()
    };
    let (kept, _) = filter_points(&t, &cfg);
    let e = effects(&t, &kept, &Grouping::by_class(&t), &cfg);
    assert!((e.price_effect[1] - 100.0).abs() < 1e-9);
    assert!((e.daily_return[1] - 0.1).abs() < 1e-12);
}

fn check_identity(e: &Effects) {
    for g in 0..e.ids.len() {
        let r = e.rows(g);
        if r.is_empty() {
            continue;
        }
        let flows: f64 = r
            .clone()
            .skip(1)
            .map(|i| e.price_effect[i] + e.subscription_effect[i])
            .sum();
        let change = e.aum[r.end - 1] - e.aum[r.start];
        let scale = e.aum[r.clone()].iter().fold(1.0f64, |m, a| m.max(a.abs()));
        assert!(
            (flows - change).abs() <= 1e-9 * scale * r.len() as f64,
            "id {}: {flows} vs {change}",
            e.ids[g]
        );
        // TR compounds DR
        for i in r.clone().skip(1) {
            assert!(
                (e.total_return[i] - e.total_return[i - 1] * (1.0 + e.daily_return[i])).abs()
                    < 1e-12 * e.total_return[i].abs().max(1.0)
            );
        }
    }
}

/// Blocks of ids cover every id once, in order, within the row limit (unless one id
/// alone exceeds it), and the effects computed block by block are the whole result.
fn check_blocks(t: &IndustryTable, kept: &Kept, grouping: &Grouping, cfg: &IndustryConfig) {
    let whole = effects(t, kept, grouping, cfg);
    let plan = EffectsPlan::new(t, kept, grouping, cfg);
    assert_eq!(plan.n_ids(), whole.ids.len());
    assert_eq!(plan.n_rows(), whole.n_rows());
    for limit in [1, 2, 5, 17, usize::MAX] {
        let blocks = plan.blocks(limit);
        assert!(!blocks.is_empty());
        assert_eq!(blocks[0].start, 0);
        assert_eq!(blocks.last().unwrap().end, plan.n_ids());
        let mut joined = Effects::default();
        joined.offsets.push(0);
        for (k, b) in blocks.iter().enumerate() {
            if k > 0 {
                assert_eq!(b.start, blocks[k - 1].end, "blocks are consecutive");
            }
            let e = plan.compute(b.clone());
            assert!(
                e.n_rows() <= limit || b.len() == 1,
                "{b:?}: {} rows",
                e.n_rows()
            );
            let base = joined.n_rows();
            joined.ids.extend(e.ids.iter().cloned());
            joined
                .offsets
                .extend(e.offsets[1..].iter().map(|o| o + base));
            joined.dates.extend(&e.dates);
            joined.aum.extend(&e.aum);
            joined.price_effect.extend(&e.price_effect);
            joined.subscription_effect.extend(&e.subscription_effect);
            joined.daily_return.extend(&e.daily_return);
            joined.total_return.extend(&e.total_return);
        }
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(joined.ids, whole.ids);
        assert_eq!(joined.offsets, whole.offsets);
        assert_eq!(joined.dates, whole.dates);
        for (a, b) in [
            (&joined.aum, &whole.aum),
            (&joined.price_effect, &whole.price_effect),
            (&joined.subscription_effect, &whole.subscription_effect),
            (&joined.daily_return, &whole.daily_return),
            (&joined.total_return, &whole.total_return),
        ] {
            assert_eq!(bits(a), bits(b));
        }
    }
}

/// The outlier rule as its definition reads, one date after another over every class:
/// the reference for the parallel, speculative pass of `filter_points`. Returns the
/// (class, record) of each drop, AUM drops and outliers alike, sorted.
fn reference_drops(t: &IndustryTable, cfg: &IndustryConfig) -> Vec<(usize, usize, bool)> {
    let k = t.n_classes();
    let mut grid: Vec<Date> = (0..k).flat_map(|c| t.class(c).dates.to_vec()).collect();
    grid.sort();
    grid.dedup();
    let mut dropped = Vec::new();
    let mut last = vec![f64::NAN; k];
    for d in grid {
        // candidates of the day in class order: (class, record, price)
        let mut cands = Vec::new();
        for c in 0..k {
            let r = t.class(c);
            if let Ok(i) = r.dates.binary_search(&d) {
                if r.aum[i] < cfg.min_aum {
                    dropped.push((c, i, false));
                } else {
                    cands.push((c, i, r.price[i]));
                }
            }
        }
        let moves: Vec<(usize, f64)> = cands
            .iter()
            .enumerate()
            .filter(|(_, (c, _, _))| last[*c].is_finite())
            .map(|(j, (c, _, p))| (j, p / last[*c] - 1.0))
            .collect();
        let mut out = vec![false; cands.len()];
        if moves.len() >= 2 {
            let m = moves.len() as f64;
            let mean = moves.iter().map(|x| x.1).sum::<f64>() / m;
            let sd = (moves.iter().map(|x| (x.1 - mean).powi(2)).sum::<f64>() / (m - 1.0)).sqrt();
            if sd > 0.0 {
                for &(j, mv) in &moves {
                    if mv.abs() > cfg.max_move && ((mv - mean) / sd).abs() > cfg.max_z {
                        out[j] = true;
                    }
                }
            }
        }
        for (j, &(c, i, p)) in cands.iter().enumerate() {
            if out[j] {
                dropped.push((c, i, true));
            } else {
                last[c] = p;
            }
        }
    }
    dropped.sort();
    dropped
}

/// The outlier pass copies the records day-major a window of dates at a time, in
/// parallel, while it walks the previous window. On random tables with many bad prints
/// (runs of them, prints below the AUM floor in between, low z cut-offs that make drops
/// cascade) it drops exactly what the rule's plain definition drops; the last seeds are
/// large enough (~100k records) to be cut into several windows.
#[test]
fn outlier_pass_matches_the_plain_definition() {
    let mut total_outliers = 0;
    for seed in 0..64u64 {
        let mut rng = Rng::new(1000 + seed);
        let (k, days) = if seed < 60 {
            (3 + rng.below(12) as usize, 20 + rng.below(50) as usize)
        } else {
            (250 + rng.below(100) as usize, 300 + rng.below(200) as usize)
        };
        let names: Vec<String> = (0..k).map(|c| format!("c{c:02}")).collect();
        let mut rows = Vec::new();
        for c in 0..k {
            let mut p = rng.uniform_range(5.0, 50.0);
            let mut bad_run = 0;
            for t in 0..days {
                if rng.bernoulli(0.15) {
                    continue;
                }
                p *= 1.0 + rng.gaussian(0.0, 0.01);
                if bad_run == 0 && rng.bernoulli(0.08) {
                    bad_run = 1 + rng.below(3);
                }
                let shown = if bad_run > 0 {
                    bad_run -= 1;
                    p * rng.uniform_range(1.3, 3.0)
                } else {
                    p
                };
                let a = rng.uniform_range(0.0, 2000.0);
                let d = Date::from_ymd(2022, 1, 3)
                    .unwrap()
                    .add_days(t as i32)
                    .to_string();
                rows.push((c as u32, d, shown, 10.0, a));
            }
        }
        let t = owned_table(&names, &rows);
        let cfg = IndustryConfig {
            min_aum: rng.uniform_range(0.0, 300.0),
            max_move: rng.uniform_range(0.02, 0.2),
            max_z: rng.uniform_range(0.5, 2.5),
            ..Default::default()
        };
        let (kept, dropped) = filter_points(&t, &cfg);
        let mut got: Vec<(usize, usize, bool)> = dropped
            .iter()
            .map(|d| {
                let i = t.class(d.class).dates.binary_search(&d.date).unwrap();
                let outlier = matches!(d.reason, DropReason::PriceOutlier { .. });
                (d.class, i, outlier)
            })
            .collect();
        got.sort();
        let want = reference_drops(&t, &cfg);
        assert_eq!(got, want, "seed {seed}");
        for c in 0..k {
            for i in 0..t.class(c).dates.len() {
                // `want` is sorted by (class, record)
                let at = want.partition_point(|&(cc, ii, _)| (cc, ii) < (c, i));
                let gone = want.get(at).is_some_and(|&(cc, ii, _)| (cc, ii) == (c, i));
                assert_eq!(
                    kept.is_kept(&t, c, i),
                    !gone,
                    "seed {seed}, class {c}, record {i}"
                );
            }
        }
        total_outliers += want.iter().filter(|d| d.2).count();
    }
    // the rule fired often enough for cascades to be exercised
    assert!(total_outliers > 300, "{total_outliers}");
}

/// Σ PE + Σ SE = AUM_last − AUM_first per id, for classes, funds and managers, on
/// random tables with gaps, late starts and random drops.
#[test]
fn accounting_identity_property() {
    for seed in 0..40u64 {
        let mut rng = Rng::new(seed);
        let k = 2 + rng.below(6) as usize;
        let days = 3 + rng.below(15) as usize;
        let mut rows = Vec::new();
        let names: Vec<String> = (0..k).map(|c| format!("c{c}")).collect();
        let mut dates = Vec::new();
        for t in 0..days {
            dates.push(
                Date::from_ymd(2022, 1, 3)
                    .unwrap()
                    .add_days(t as i32)
                    .to_string(),
            );
        }
        for c in 0..k {
            let mut p = rng.uniform_range(1.0, 100.0);
            let mut n = rng.uniform_range(10.0, 1000.0);
            for d in &dates {
                if rng.bernoulli(0.25) {
                    continue; // gap
                }
                p *= 1.0 + rng.gaussian(0.0, 0.05);
                n *= (1.0 + rng.gaussian(0.0, 0.1)).max(0.1);
                let a = p * n * rng.uniform_range(0.98, 1.02); // AUM need not equal P·N exactly
                rows.push((c as u32, d.clone(), p, n, a));
            }
        }
        if rows.is_empty() {
            continue;
        }
        let t = owned_table(&names, &rows);
        let cfg = IndustryConfig {
            min_aum: rng.uniform_range(0.0, 3000.0),
            ..Default::default()
        };
        let (kept, _) = filter_points(&t, &cfg);
        check_identity(&effects(&t, &kept, &Grouping::by_class(&t), &cfg));
        check_blocks(&t, &kept, &Grouping::by_class(&t), &cfg);
        let funds: Vec<&str> = (0..t.n_classes())
            .map(|c| {
                if c % 3 == 0 {
                    "F0"
                } else if c % 3 == 1 {
                    "F1"
                } else {
                    "F2"
                }
            })
            .collect();
        check_identity(&effects(&t, &kept, &Grouping::by_label(&funds), &cfg));
        check_blocks(&t, &kept, &Grouping::by_label(&funds), &cfg);
        let one: Vec<&str> = vec!["M"; t.n_classes()];
        check_identity(&effects(&t, &kept, &Grouping::by_label(&one), &cfg));
    }
}

fn synth_table(
    classes: usize,
    days: usize,
    seed: u64,
) -> (IndustryTable, peergroup_synth::IndustrySynth) {
    let s = industry(&IndustrySynthConfig {
        classes,
        days,
        seed,
        ..Default::default()
    });
    let b = IndustryBuilder {
        class: s.class.clone(),
        class_names: s.class_names.clone(),
        date: s.date.clone(),
        price: s.price.clone(),
        shares: s.shares.clone(),
        aum: s.aum.clone(),
        position: (0..s.class.len()).map(|i| i as u32 + 2).collect(),
        ..Default::default()
    };
    (b.build().unwrap(), s)
}

/// The injected bad prints, and nothing else, are dropped by the price rule; the
/// min-AUM rule drops exactly the points below the threshold.
#[test]
fn outlier_rule_recovers_synthetic_truth() {
    for seed in [1u64, 2, 3] {
        let (t, s) = synth_table(400, 120, seed);
        assert!(s.outliers.len() >= 3);
        let cfg = IndustryConfig::default();
        let (kept, dropped) = filter_points(&t, &cfg);
        let found = price_outliers(&dropped);
        assert_eq!(found, s.outliers, "seed {seed}");
        let low = s.aum.iter().filter(|a| **a < cfg.min_aum).count();
        let low_dropped = dropped
            .iter()
            .filter(|d| d.reason.code() == "min_aum")
            .count();
        assert_eq!(low, low_dropped);
        assert_eq!(kept.count() + dropped.len(), t.n_records());
        // cleaned class returns are all sane
        let e = effects(&t, &kept, &Grouping::by_class(&t), &cfg);
        assert!(e
            .daily_return
            .iter()
            .filter(|r| !r.is_nan())
            .all(|r| r.abs() < 0.2));
        check_identity(&e);
    }
}

/// Without the filter the same bad prints blow up the index: the rule matters.
#[test]
fn unfiltered_bad_prints_distort_returns() {
    let (t, _) = synth_table(300, 80, 5);
    let cfg = IndustryConfig {
        min_aum: 0.0,
        max_move: f64::INFINITY,
        ..Default::default()
    };
    let (kept, dropped) = filter_points(&t, &cfg);
    assert!(dropped.is_empty());
    let e = effects(&t, &kept, &Grouping::by_class(&t), &cfg);
    assert!(e.daily_return.iter().any(|r| r.abs() > 5.0));
}
