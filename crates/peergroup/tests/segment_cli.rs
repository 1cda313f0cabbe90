//! `peergroup synth sales|investors` and `peergroup segment sales|investors` end to end:
//! known office types and personas found again, "no structure" detected, the tables and
//! charts of METHODS §6 written, and bad input refused.

mod common;

use std::collections::HashMap;

use common::{col, Workdir};
use peergroup::cluster::validity::adjusted_rand_index;

fn codes(values: &[String]) -> Vec<usize> {
    let mut map = HashMap::new();
    values
        .iter()
        .map(|v| {
            let next = map.len();
            *map.entry(v.clone()).or_insert(next)
        })
        .collect()
}

/// ARI between a label column of table `a` and a truth column of table `b` (both in `w`),
/// joined on their first column.
fn ari(
    w: &Workdir,
    (a, a_col): (&str, &str),
    (b, b_col): (&str, &str),
    truth: impl Fn(&str) -> String,
) -> f64 {
    let (ta, tb) = (w.rows(a), w.rows(b));
    let (ca, cb) = (col(&ta, a_col), col(&tb, b_col));
    let map: HashMap<&str, &str> = tb[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[cb].as_str()))
        .collect();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for r in &ta[1..] {
        x.push(r[ca].clone());
        y.push(truth(map[r[0].as_str()]));
    }
    adjusted_rand_index(&codes(&x), &codes(&y)).unwrap()
}

/// `segment sales` on the synthetic sales and funds in `s/`.
const SEGMENT_SYNTH_SALES: &str = "segment sales --sales s/sales.csv --funds s/funds.csv";

#[test]
fn office_types_are_recovered_from_sales() {
    let w = Workdir::new();
    w.synth("sales --offices 300 --funds 80 --seed 2 --out s");
    let err = w.ok(&format!(
        "{SEGMENT_SYNTH_SALES} --k auto --out o --reference s/truth.csv \
         --reference-id-column office --reference-column type"
    ));
    // The four office sub-types, by the nested rule (seed 2 is a tuning seed; the
    // pipeline's office_segments test checks untuned seeds).
    assert!(err.contains("300 segmented into 4 clusters"), "{err}");
    assert!(err.contains("nested silhouette rule"), "{err}");
    let a = ari(
        &w,
        ("o/assignments.csv", "cluster"),
        ("s/truth.csv", "type"),
        |t| t.to_string(),
    );
    assert!(a >= 0.8, "office sub-types: ARI {a}");
    // The stability is printed and tabled.
    assert!(
        err.contains("stability over 50 bootstrap resamples: mean ARI"),
        "{err}"
    );
    let st = w.rows("o/stability.csv");
    assert_eq!(
        st[0],
        ["segments", "replicates", "mean_ari", "sd_ari", "p05_ari"]
    );
    assert!(st[1][2].parse::<f64>().unwrap() > 0.8, "{st:?}");
    // The reference: ARI printed as in the assignments, the contingency table written.
    assert!(err.contains(&format!("ARI {a:.3}")), "{err}");
    assert!(err.contains("contingency (rows: segments"), "{err}");
    let agreement = w.rows("o/agreement.csv");
    assert_eq!(agreement[0], ["cluster", "label", "count", "value"]);
    assert!(agreement.iter().any(|r| r[0] == "ARI"));
    for svg in ["segment_mix.svg", "segment_sales.svg"] {
        assert!(w.read(&format!("o/{svg}")).starts_with("<svg"));
    }
    let nested = w.rows("o/k_nested.csv");
    assert_eq!(nested.iter().filter(|r| r[5] == "yes").count(), 3);

    // One broker-dealer and one broad category; unknown names list the known ones.
    let err = w.ok(&format!(
        "{SEGMENT_SYNTH_SALES} --bd BD01 --broad-category Equity --stability-replicates 0 --out one"
    ));
    assert!(
        err.contains("--bd BD01 and --broad-category Equity"),
        "{err}"
    );
    assert!(!w.exists("one/stability.csv"));
    let one = w.rows("one/assignments.csv");
    assert!(one[1..].iter().all(|r| r.last().unwrap() == "BD01"));
    w.fails(
        &format!("{SEGMENT_SYNTH_SALES} --bd BD99 --out x"),
        &["--bd 'BD99'", "known: BD01, BD02"],
    );
    w.fails(
        &format!("{SEGMENT_SYNTH_SALES} --broad-category Equities --out x"),
        &["--broad-category 'Equities'", "Equity", "Money Market"],
    );
    assert!(!w.exists("x"));
    w.fails(
        &format!(
            "{SEGMENT_SYNTH_SALES} --entity fund --k 2 --stability-replicates 0 --out x \
             --reference s/truth.csv --reference-id-column office --reference-column type"
        ),
        &["missing from the reference"],
    );
    assert!(!w.exists("x/assignments.csv"));
    let t = w.rows("o/assignments.csv");
    assert_eq!(
        &t[0][..6],
        ["entity", "cluster", "pc1", "pc2", "tsne1", "tsne2"]
    );
    assert!(t[1..]
        .iter()
        .all(|r| r[4].parse::<f64>().unwrap().is_finite()));
    let pca = w.rows("o/pca.csv");
    let total: f64 = pca[1..].iter().map(|r| r[1].parse::<f64>().unwrap()).sum();
    assert!(
        (total - 1.0).abs() < 1e-9,
        "explained variance sums to {total}"
    );
    let k = w.rows("o/k_selection.csv");
    assert_eq!(k[0], ["k", "cost", "gap", "gap_sd", "silhouette", "chosen"]);
    assert_eq!(k.iter().filter(|r| r[5] == "yes").count(), 1);
    let p = w.rows("o/profiles.csv");
    assert_eq!(&p[0][..4], ["segment", "size", "share", "description"]);
    assert!(p[1..].iter().all(|r| !r[3].is_empty()));
    for svg in ["scree.svg", "pca.svg", "tsne.svg"] {
        assert!(w.read(&format!("o/{svg}")).starts_with("<svg"));
    }

    // Funds, hierarchical on quarterly shares: the outside-category table and a dendrogram.
    w.ok(&format!(
        "{SEGMENT_SYNTH_SALES} --entity fund --transform share --features quarterly \
         --method ward --k 6 --out f"
    ));
    let o = w.rows("f/outside_category.csv");
    assert_eq!(
        o[0],
        [
            "fund",
            "category",
            "sells_like",
            "own_similarity",
            "sells_like_similarity",
            "statistic",
            "z_score",
            "p_value",
            "q_value",
            "williams_p",
            "outside"
        ]
    );
    assert_eq!(o.len(), 81);
    for r in &o[1..] {
        // Flagged exactly when the Benjamini–Hochberg q-value and the Williams p-value are
        // within the default 0.05, and then the fund sells like another category.
        let q: f64 = r[8].parse().unwrap_or(f64::NAN);
        let w: f64 = r[9].parse().unwrap_or(f64::NAN);
        assert_eq!(r[10] == "true", q <= 0.05 && w <= 0.05, "{r:?}");
        if r[10] == "true" {
            assert_ne!(r[1], r[2], "{r:?}");
        }
    }
    assert!(w.read("f/outside_category.svg").starts_with("<svg"));
    assert!(w.read("f/dendrogram.svg").starts_with("<svg"));

    // A rerun with a fixed k into the same directory leaves no k_selection.csv of the
    // earlier --k auto run behind.
    let err = w.ok(&format!(
        "{SEGMENT_SYNTH_SALES} --k 3 --quarters 12 --out o --force"
    ));
    assert!(!w.exists("o/k_selection.csv"));
    // 24 months of data hold 8 quarters: a 12-quarter window is shortened, with a note.
    assert!(err.contains("window is shortened from 12 to 8"), "{err}");

    // DTW on monthly series needs a hierarchical method.
    w.fails(
        &format!("{SEGMENT_SYNTH_SALES} --distance dtw --out x"),
        &["--metric dtw needs a hierarchical --method"],
    );
    w.ok(&format!(
        "{SEGMENT_SYNTH_SALES} --distance dtw --method average --k 3 --out dtw"
    ));
}

/// Offices buying the same funds with independent amounts: no segment structure.
#[test]
fn structureless_sales_give_one_cluster() {
    let w = Workdir::new();
    let mut rng = peergroup::random::Rng::new(5);
    let mut s = String::from("bd,office,fund,month,amount\n");
    for o in 0..80 {
        for m in 1..=12 {
            for f in 0..4 {
                let amount = (10.0 + rng.normal()).exp();
                s.push_str(&format!("BD,O{o},F{f},2024-{m:02},{amount:.2}\n"));
            }
        }
    }
    w.write("sales.csv", s);
    w.write(
        "funds.csv",
        "fund,category,broad_category\nF0,Large Blend,Equity\nF1,Core Bond,Fixed Income\nF2,Allocation,Allocation\nF3,Money,Money Market\n",
    );
    let err = w.ok("segment sales --sales sales.csv --funds funds.csv --quarters 4 --out o");
    assert!(
        err.contains("into 1 cluster") && err.contains("no further meaningful clustering"),
        "{err}"
    );
    let t = w.rows("o/assignments.csv");
    assert!(t[1..].iter().all(|r| r[1] == "1"));
}

#[test]
fn personas_are_recovered_from_balances() {
    let w = Workdir::new();
    w.synth("investors --users 2500 --days 30 --seed 3 --out i");
    let err = w.ok(
        "segment investors --users i/users.csv --balances i/balances.csv --k 5 --out o \
         --reference i/truth.csv --reference-id-column user_id --reference-column persona",
    );
    assert!(err.contains("into 5 clusters"), "{err}");
    let a = ari(
        &w,
        ("o/assignments.csv", "segment"),
        ("i/truth.csv", "persona"),
        str::to_string,
    );
    assert!(a >= 0.7, "personas: ARI {a}");
    // --reference prints the same ARI and writes the contingency table.
    assert!(err.contains(&format!("ARI {a:.3}")), "{err}");
    let agreement = w.rows("o/agreement.csv");
    assert_eq!(agreement[0], ["cluster", "label", "count", "value"]);
    assert!(agreement.iter().any(|r| r[1] == "young_professional_stock"));
    let p = w.rows("o/profiles.csv");
    assert_eq!(&p[0][..4], ["segment", "size", "share", "description"]);
    assert!(
        p[0].iter().any(|c| c == "generation=Gen Z") && p[0].iter().any(|c| c == "mean_aum_stock"),
        "{:?}",
        p[0]
    );
    for f in [
        "gender.csv",
        "referral.csv",
        "generation.csv",
        "income.csv",
        "age.csv",
        "occupation_pareto.csv",
        "fund_types.csv",
        "monthly_flows.csv",
        "weekday.csv",
        "trends.csv",
    ] {
        assert!(w.rows(&format!("o/eda/{f}")).len() > 1, "{f}");
    }
    let wd = w.rows("o/eda/weekday.csv");
    // No trades on weekends in the synthetic data.
    for r in &wd[6..8] {
        assert_eq!(r.last().unwrap(), "0", "{r:?}");
    }
    // Generated persona names and themes, stability, per-segment and daily charts.
    assert_eq!(&p[0][4..6], ["persona", "themes"]);
    assert!(p[1..].iter().all(|r| !r[4].is_empty() && !r[5].is_empty()));
    assert!(
        err.contains("stability over 20 bootstrap resamples"),
        "{err}"
    );
    let st = w.rows("o/stability.csv");
    assert_eq!(st.len(), 1 + 20 + 3);
    for f in [
        "profiles/segment_1.svg",
        "profiles/segment_5.svg",
        "segment_sizes.svg",
    ] {
        assert!(w.exists(&format!("o/{f}")), "{f}");
    }
    for t in ["money_market", "bond", "stock", "mixed"] {
        let svg = std::fs::read_to_string(w.path().join(format!("o/eda/daily_{t}.svg"))).unwrap();
        assert!(svg.contains("weekdays only") && svg.contains("R²"), "{t}");
    }
    let trends = w.rows("o/eda/trends.csv");
    assert!(trends[1..]
        .iter()
        .all(|r| r.last().unwrap() == "weekdays only"));
    // Every registered user is in the descriptive tables unless excluded.
    let users = |dir: &str| -> usize {
        w.rows(&format!("{dir}/eda/gender.csv"))[1..]
            .iter()
            .map(|r| r[1].parse::<usize>().unwrap())
            .sum()
    };
    assert_eq!(users("o"), 2500);
    let err = w.ok(
        "segment investors --users i/users.csv --balances i/balances.csv --k 5 \
         --exclude-no-balance --trend-weekends --stability-replicates 0 --out x",
    );
    assert!(!w.exists("x/agreement.csv"));
    assert!(!err.contains("stability"), "{err}");
    assert!(!w.exists("x/stability.csv"));
    let segmented = w.rows("x/assignments.csv").len() - 1;
    assert!(segmented < 2500);
    assert_eq!(users("x"), segmented);
    let trends = w.rows("x/eda/trends.csv");
    assert!(trends[1..].iter().all(|r| r.last().unwrap() == "all days"));
}

#[test]
fn bad_segmentation_input_is_refused() {
    let w = Workdir::new();
    w.write(
        "funds.csv",
        "fund,category,broad_category\nF1,Large Blend,Equity\nF2,Core Bond,Fixed Income\n",
    );
    let sales = |body: &str| w.write("sales.csv", format!("bd,office,fund,month,amount\n{body}"));
    let seg = "segment sales --sales sales.csv --funds funds.csv --out o";
    let bad_sales: [(&str, &[&str]); 2] = [
        (
            "B,O1,F1,2024-01,100\nB,O2,F9,2024-01,50\n",
            &["sales.csv", "line 3", "fund", "F9"],
        ),
        ("B,O1,F1,2024-13,100\n", &["sales.csv", "line 2", "month"]),
    ];
    for (body, expect) in bad_sales {
        sales(body);
        w.fails(seg, expect);
    }
    sales("B,O1,F1,2024-01,100\nB,O2,F2,2024-01,50\n");
    w.fails(
        &format!("{seg} --k 3"),
        &["--k 3 is more than the 2 offices"],
    );
    w.fails(
        &format!("{seg} --quarters 0"),
        &["--quarters must be at least 1"],
    );
    w.fails(&format!("{seg} --k-max 0"), &["--k-max must be at least 1"]);
    for share in ["-0.1", "2", "NaN"] {
        w.fails(
            &format!("synth sales --misfit-share {share} --out x"),
            &["--misfit-share must be a share in [0, 1]"],
        );
    }
    for level in ["0", "1", "1.5", "-0.1", "NaN"] {
        w.fails(
            &format!("{seg} --outside-level {level}"),
            &["--outside-level must be a false discovery rate in (0, 1)"],
        );
    }
    w.fails(
        &format!("{seg} --k-rule bic"),
        &["--k-rule bic needs Gaussian mixtures", "silhouette or gap"],
    );
    w.fails(
        &format!("{seg} --distance dtw --method kmeans"),
        &["--metric dtw needs a hierarchical --method"],
    );
    w.fails(
        &format!("{seg} --metric dtw --method kmeans"),
        &["--metric dtw needs a hierarchical --method"],
    );
    assert!(!w.exists("o"));

    let users = "user_id,registered,gender,age,occupation,income_band,referral\n\
                 1,2021-01-01,Female,25,Student,< 10M,used\n\
                 2,2021-01-01,Male,35,Employee,10-50M,not used\n\
                 3,2021-01-01,Female,27,Student,< 10M,used\n\
                 4,2021-01-01,Male,38,Employee,10-50M,not used\n";
    w.write("users.csv", users);
    let balances = |body: &str| {
        w.write(
            "balances.csv",
            format!("user_id,date,fund_type,balance,buy,sell,profit\n{body}"),
        )
    };
    let inv = "segment investors --users users.csv --balances balances.csv --k 2 --out i";
    let bad_balances: [(&str, &[&str]); 3] = [
        (
            "1,2021-09-01,stock,100,0,0,0\n7,2021-09-01,bond,50,0,0,0\n",
            &["balances.csv", "line 3", "user_id", "7"],
        ),
        (
            "1,2021-09-01,stock,-100,0,0,0\n",
            &["balances.csv", "line 2", "balance"],
        ),
        (
            "1,2021-09-01,crypto,100,0,0,0\n",
            &["balances.csv", "line 2", "fund_type", "crypto"],
        ),
    ];
    for (body, expect) in bad_balances {
        balances(body);
        w.fails(inv, expect);
    }
    // One Retired user: a category level with one member.
    w.write(
        "users.csv",
        format!("{users}5,2021-01-01,Male,36,Retired,10-50M,used\n"),
    );
    balances("1,2021-09-01,stock,100,0,0,0\n2,2021-09-01,bond,100,0,0,0\n3,2021-09-01,stock,100,0,0,0\n4,2021-09-01,bond,100,0,0,0\n5,2021-09-01,bond,100,0,0,0\n");
    w.fails(
        inv,
        &["users.csv", "line 6", "occupation", "Retired", "one member"],
    );
    assert!(!w.exists("i"));
}
