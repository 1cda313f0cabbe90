//! Properties of the synthetic sales data that office segmentation and fund grouping
//! rely on (METHODS §6.1, §7.5).

mod common;

use std::collections::HashSet;

use common::{ari, kprototypes, signed_log1p, zscore, Mixed};
use peergroup_synth::sales::{
    sales, OfficeType, SalesConfig, SalesSynth, BROAD_CATEGORIES, CATEGORIES,
};

fn small(seed: u64) -> SalesConfig {
    SalesConfig {
        offices: 300,
        funds: 80,
        months: 24,
        seed,
        ..Default::default()
    }
}

fn broad_index(name: &str) -> usize {
    BROAD_CATEGORIES
        .iter()
        .position(|b| *b == name)
        .expect("known broad category")
}

/// Per-office features a segment stage builds, z-scored: net sales in each of the 8
/// quarters (signed log1p, so a net-redemption quarter stays negative) and the
/// broad-category mix of the latest quarter's purchases.
fn office_features(s: &SalesSynth) -> (Vec<f64>, usize) {
    let n = s.office_names.len();
    let quarters = s.months.len() / 3;
    let d = quarters + 5;
    let mut x = vec![0.0; n * d];
    let mut mix = vec![0.0; n * 5];
    for r in 0..s.n_rows() {
        let o = s.office[r] as usize;
        let q = s.row_month_index(r) / 3;
        x[o * d + q] += s.amount[r];
        if q == quarters - 1 && s.amount[r] > 0.0 {
            let b = broad_index(&s.fund_broad_category[s.fund[r] as usize]);
            mix[o * 5 + b] += s.amount[r];
        }
    }
    for o in 0..n {
        for q in 0..quarters {
            x[o * d + q] = signed_log1p(x[o * d + q]);
        }
        let total: f64 = mix[o * 5..o * 5 + 5].iter().sum();
        for b in 0..5 {
            x[o * d + quarters + b] = if total > 0.0 {
                mix[o * 5 + b] / total
            } else {
                0.0
            };
        }
    }
    zscore(&mut x, n, d);
    (x, d)
}

fn corr(a: &[f64], b: &[f64]) -> f64 {
    let ma = a.iter().sum::<f64>() / a.len() as f64;
    let mb = b.iter().sum::<f64>() / b.len() as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

fn assert_same(a: &SalesSynth, b: &SalesSynth) {
    assert_eq!(a.office, b.office);
    assert_eq!(a.fund, b.fund);
    assert_eq!(a.month, b.month);
    assert_eq!(a.amount, b.amount);
    assert_eq!(a.office_names, b.office_names);
    assert_eq!(a.office_type, b.office_type);
    assert_eq!(a.fund_category, b.fund_category);
    assert_eq!(a.fund_sells_like, b.fund_sells_like);
}

#[test]
fn sales_deterministic_and_thread_independent() {
    let cfg = small(3);
    let a = sales(&cfg);
    assert_same(&a, &sales(&cfg));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        assert_same(&a, &pool.install(|| sales(&cfg)));
    }
    let other = sales(&SalesConfig { seed: 4, ..cfg });
    assert_ne!(a.amount, other.amount);
}

#[test]
fn sales_rows_sorted_unique_and_reference_known_funds() {
    let s = sales(&small(5));
    assert!(s.n_rows() > 10_000);
    let funds: HashSet<&str> = s.fund_names.iter().map(String::as_str).collect();
    assert_eq!(funds.len(), s.fund_names.len());
    let months: HashSet<_> = s.months.iter().collect();
    for r in 0..s.n_rows() {
        assert!(funds.contains(s.row_fund(r)), "row {r}: unknown fund");
        assert!(months.contains(&s.month[r]));
        assert!(s.row_office(r).starts_with(&format!("{}-OF", s.row_bd(r))));
        assert!(s.amount[r] != 0.0 && s.amount[r].is_finite());
        assert_eq!((s.amount[r] * 100.0).round() / 100.0, s.amount[r], "cents");
        if r > 0 {
            let prev = (s.office[r - 1], s.month[r - 1], s.fund[r - 1]);
            assert!(
                prev < (s.office[r], s.month[r], s.fund[r]),
                "row {r} unsorted or repeated"
            );
        }
    }
    // Month ends, consecutive, from the configured start month.
    assert_eq!(s.months.len(), 24);
    assert_eq!(s.months[0].to_string(), "2023-01-31");
    assert_eq!(s.months[23].to_string(), "2024-12-31");
    assert!(s.months.iter().all(|d| d.add_days(1).ymd().2 == 1));
    // Ids look like those of the Market-Clusters notebook (METHODS §7.5).
    assert_eq!(s.bd_names[0], "BD01");
    assert!(s.office_names.iter().any(|o| o.ends_with("-OF0001")));
    assert_eq!(s.office_names.len(), 300);
    // Sparse: far from every office trading every fund every month.
    let dense = s.office_names.len() * s.fund_names.len() * s.months.len();
    assert!((s.n_rows() as f64) < 0.2 * dense as f64);
}

#[test]
fn sales_amounts_span_orders_of_magnitude_with_redemptions() {
    let s = sales(&small(6));
    let negative = s.amount.iter().filter(|a| **a < 0.0).count() as f64 / s.n_rows() as f64;
    assert!(
        (0.05..0.25).contains(&negative),
        "net redemption share {negative}"
    );
    let mut abs: Vec<f64> = s.amount.iter().map(|a| a.abs()).collect();
    abs.sort_by(f64::total_cmp);
    let p01 = abs[abs.len() / 100];
    let p99 = abs[abs.len() * 99 / 100];
    assert!(p99 / p01 >= 1000.0, "p01 {p01}, p99 {p99}");
    assert!(abs[abs.len() - 1] > 1e6 && abs[0] < 1e3);
}

#[test]
fn fund_table_has_categories_within_broad_categories() {
    for (b, name) in BROAD_CATEGORIES.iter().enumerate() {
        let n = CATEGORIES.iter().filter(|c| c.1 == b).count();
        assert!(n >= 2, "{name} has {n} categories");
    }
    let s = sales(&small(8));
    let cats: HashSet<&str> = s.fund_category.iter().map(String::as_str).collect();
    assert_eq!(cats.len(), CATEGORIES.len(), "every category has a fund");
    for f in 0..s.fund_names.len() {
        let (_, b) = CATEGORIES
            .iter()
            .find(|c| c.0 == s.fund_category[f])
            .expect("known category");
        assert_eq!(s.fund_broad_category[f], BROAD_CATEGORIES[*b]);
        assert!(CATEGORIES.iter().any(|c| c.0 == s.fund_sells_like[f]));
    }
    let misfits = (0..s.fund_names.len()).filter(|&f| s.is_misfit(f)).count();
    assert_eq!(misfits, 8, "10% of 80 funds sell like another category");
    // Equity funds are the most numerous, as in a real fund range.
    let equity = s
        .fund_broad_category
        .iter()
        .filter(|b| *b == "Equity")
        .count();
    assert!(equity > s.fund_names.len() / 4);
}

#[test]
fn regular_offices_seasonal_private_wealth_steady_and_larger() {
    let s = sales(&small(9));
    let n = s.office_names.len();
    let m = s.months.len();
    let mut monthly = vec![0.0; n * m];
    let mut tickets: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for r in 0..s.n_rows() {
        let o = s.office[r] as usize;
        monthly[o * m + s.row_month_index(r)] += s.amount[r].max(0.0);
        let pw = s.office_type[o].is_private_wealth();
        tickets[usize::from(pw)].push(s.amount[r].abs());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (regular, private) = (median(&mut tickets[0]), median(&mut tickets[1]));
    assert!(
        private > 5.0 * regular,
        "median rows {private} vs {regular}"
    );

    // Seasonality: January and December against July–August, and month-to-month
    // variability (coefficient of variation) per office.
    let mut season = [(0.0, 0.0); 2];
    let mut cv = [Vec::new(), Vec::new()];
    for o in 0..n {
        let g = usize::from(s.office_type[o].is_private_wealth());
        let row = &monthly[o * m..(o + 1) * m];
        let mean = row.iter().sum::<f64>() / m as f64;
        let sd = (row.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / m as f64).sqrt();
        cv[g].push(sd / mean);
        for (t, x) in row.iter().enumerate() {
            match s.months[t].month() {
                1 | 12 => season[g].0 += x / mean,
                7 | 8 => season[g].1 += x / mean,
                _ => {}
            }
        }
    }
    let bump = |g: usize| season[g].0 / season[g].1;
    assert!(bump(0) > 1.6, "regular Jan+Dec vs Jul+Aug {}", bump(0));
    assert!(
        bump(1) < bump(0) && bump(1) > 1.0,
        "private wealth {}",
        bump(1)
    );
    let mut cv_regular = cv[0].clone();
    let mut cv_private = cv[1].clone();
    assert!(median(&mut cv_private) < median(&mut cv_regular));
}

#[test]
fn office_groups_recoverable_by_kmeans() {
    for seed in [7, 11] {
        let s = sales(&small(seed));
        let (x, d) = office_features(&s);
        let group: Vec<usize> = s
            .office_type
            .iter()
            .map(|t| usize::from(t.is_private_wealth()))
            .collect();
        let labels = kprototypes(&Mixed::numeric(&x, d), 2, 0.0, 5, 1);
        let a = ari(&labels, &group);
        assert!(
            a >= 0.8,
            "seed {seed}: ARI {a} against private wealth / regular"
        );
    }
}

#[test]
fn office_subtypes_differ_in_category_mix() {
    let s = sales(&small(12));
    let n = s.office_names.len();
    let mut mix = vec![[0.0; 5]; n];
    for r in 0..s.n_rows() {
        if s.amount[r] > 0.0 {
            let b = broad_index(&s.fund_broad_category[s.fund[r] as usize]);
            mix[s.office[r] as usize][b] += s.amount[r];
        }
    }
    for m in mix.iter_mut() {
        let t: f64 = m.iter().sum();
        m.iter_mut().for_each(|x| *x /= t);
    }
    // Share of (type a office, type b office) pairs where a has more of broad category b.
    let more = |a: OfficeType, b: OfficeType, broad: usize| {
        let (mut wins, mut pairs) = (0, 0);
        for i in (0..n).filter(|&i| s.office_type[i] == a) {
            for j in (0..n).filter(|&j| s.office_type[j] == b) {
                pairs += 1;
                if mix[i][broad] > mix[j][broad] {
                    wins += 1;
                }
            }
        }
        wins as f64 / pairs as f64
    };
    use OfficeType::*;
    assert!(more(PrivateWealthAlternatives, PrivateWealthEquityTilt, 3) > 0.9);
    assert!(more(PrivateWealthEquityTilt, PrivateWealthAlternatives, 0) > 0.9);
    assert!(more(RegularFixedIncome, RegularBalanced, 1) > 0.9);
    assert!(more(RegularBalanced, RegularFixedIncome, 2) > 0.9);
    assert!(more(RegularFixedIncome, PrivateWealthEquityTilt, 4) > 0.8);

    // Within each group, k-means on the latest quarter's mix finds the subtypes.
    let (x, d) = office_features(&s);
    for pw in [true, false] {
        let idx: Vec<usize> = (0..n)
            .filter(|&o| s.office_type[o].is_private_wealth() == pw)
            .collect();
        let sub: Vec<f64> = idx
            .iter()
            .flat_map(|&o| x[o * d + d - 5..o * d + d].to_vec())
            .collect();
        let truth: Vec<usize> = idx.iter().map(|&o| s.office_type[o] as usize).collect();
        let labels = kprototypes(&Mixed::numeric(&sub, 5), 2, 0.0, 5, 1);
        let a = ari(&labels, &truth.iter().map(|t| t % 2).collect::<Vec<_>>());
        assert!(a >= 0.4, "private wealth {pw}: subtype ARI {a}");
    }
}

#[test]
fn misfit_funds_sell_like_their_other_category() {
    // Quarterly shares of each fund's net sales, compared with the average shares of the
    // regular funds of its own category and of the category it sells like.
    let (mut hits, mut total, mut own_fit, mut regular) = (0, 0, 0, 0);
    for seed in [1, 2, 3] {
        let s = sales(&SalesConfig {
            offices: 400,
            funds: 120,
            seed,
            ..Default::default()
        });
        let nf = s.fund_names.len();
        let nq = s.months.len() / 3;
        let mut q = vec![0.0; nf * nq];
        for r in 0..s.n_rows() {
            q[s.fund[r] as usize * nq + s.row_month_index(r) / 3] += s.amount[r];
        }
        for f in 0..nf {
            let t: f64 = q[f * nq..(f + 1) * nq].iter().sum();
            q[f * nq..(f + 1) * nq].iter_mut().for_each(|v| *v /= t);
        }
        let profile = |cat: &str, skip: usize| -> Option<Vec<f64>> {
            let members: Vec<usize> = (0..nf)
                .filter(|&g| g != skip && !s.is_misfit(g) && s.fund_category[g] == cat)
                .collect();
            (!members.is_empty()).then(|| {
                (0..nq)
                    .map(|k| {
                        members.iter().map(|&g| q[g * nq + k]).sum::<f64>() / members.len() as f64
                    })
                    .collect()
            })
        };
        for f in 0..nf {
            let own = profile(&s.fund_category[f], f);
            let series = &q[f * nq..(f + 1) * nq];
            if s.is_misfit(f) {
                if let (Some(like), Some(own)) = (profile(&s.fund_sells_like[f], f), own) {
                    total += 1;
                    if corr(series, &like) > corr(series, &own) {
                        hits += 1;
                    }
                }
            } else if let Some(own) = own {
                regular += 1;
                if corr(series, &own) > 0.5 {
                    own_fit += 1;
                }
            }
        }
    }
    assert!(total >= 20);
    assert!(
        hits as f64 >= 0.7 * total as f64,
        "{hits} of {total} misfits"
    );
    assert!(
        own_fit as f64 >= 0.65 * regular as f64,
        "{own_fit} of {regular} regular funds"
    );
}

#[test]
fn tiny_sales_configs_work() {
    let s = sales(&SalesConfig {
        offices: 1,
        funds: 1,
        months: 1,
        broker_dealers: 1,
        ..Default::default()
    });
    assert_eq!(s.office_names, ["BD01-OF0001"]);
    assert_eq!(s.fund_names, ["FUND0001"]);
    assert!(s.fund.iter().all(|&f| f == 0));
}

#[test]
#[should_panic(expected = "offices must be at least 1")]
fn sales_panics_on_zero_offices() {
    sales(&SalesConfig {
        offices: 0,
        ..Default::default()
    });
}
