//! `peergroup synth sales|investors` and `peergroup segment sales|investors` end to end:
//! known office types and personas found again, "no structure" detected, the tables and
//! charts of SPEC §6 written, and bad input refused.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{fails, ok, rows};
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

/// ARI between a label column of `a` and a truth column of `b`, joined on their first column.
fn ari(a: &Path, a_col: &str, b: &Path, b_col: &str, truth: impl Fn(&str) -> String) -> f64 {
    let (ta, tb) = (rows(a), rows(b));
    let ca = ta[0].iter().position(|c| c == a_col).unwrap();
    let cb = tb[0].iter().position(|c| c == b_col).unwrap();
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

#[test]
fn office_types_are_recovered_from_sales() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        &[
            "synth",
            "sales",
            "--offices",
            "300",
            "--funds",
            "80",
            "--seed",
            "2",
            "--out",
            "s",
        ],
        d,
    );
    let err = ok(
        &[
            "segment",
            "sales",
            "--sales",
            "s/sales.csv",
            "--funds",
            "s/funds.csv",
            "--k",
            "auto",
            "--out",
            "o",
        ],
        d,
    );
    assert!(err.contains("300 segmented into 2 clusters"), "{err}");
    let top = |t: &str| t.split('/').next().unwrap().to_string();
    let a = ari(
        &d.join("o/assignments.csv"),
        "cluster",
        &d.join("s/truth.csv"),
        "type",
        top,
    );
    assert!(a >= 0.8, "office types: ARI {a}");
    let t = rows(&d.join("o/assignments.csv"));
    assert_eq!(
        &t[0][..6],
        ["entity", "cluster", "pc1", "pc2", "tsne1", "tsne2"]
    );
    assert!(t[1..]
        .iter()
        .all(|r| r[4].parse::<f64>().unwrap().is_finite()));
    let pca = rows(&d.join("o/pca.csv"));
    let total: f64 = pca[1..].iter().map(|r| r[1].parse::<f64>().unwrap()).sum();
    assert!(
        (total - 1.0).abs() < 1e-9,
        "explained variance sums to {total}"
    );
    let k = rows(&d.join("o/k_selection.csv"));
    assert_eq!(k[0], ["k", "cost", "gap", "gap_sd", "silhouette", "chosen"]);
    assert_eq!(k.iter().filter(|r| r[5] == "yes").count(), 1);
    let p = rows(&d.join("o/profiles.csv"));
    assert_eq!(&p[0][..4], ["segment", "size", "share", "description"]);
    assert!(p[1..].iter().all(|r| !r[3].is_empty()));
    for svg in ["scree.svg", "pca.svg", "tsne.svg"] {
        assert!(std::fs::read_to_string(d.join("o").join(svg))
            .unwrap()
            .starts_with("<svg"));
    }

    // Funds, hierarchical on quarterly shares: the outside-category table and a dendrogram.
    ok(
        &[
            "segment",
            "sales",
            "--sales",
            "s/sales.csv",
            "--funds",
            "s/funds.csv",
            "--entity",
            "fund",
            "--transform",
            "share",
            "--features",
            "quarterly",
            "--method",
            "ward",
            "--k",
            "6",
            "--out",
            "f",
        ],
        d,
    );
    let o = rows(&d.join("f/outside_category.csv"));
    assert_eq!(
        o[0],
        [
            "fund",
            "cluster",
            "category",
            "majority_category",
            "own_share",
            "outside",
            "peers_outside_category"
        ]
    );
    assert_eq!(o.len(), 81);
    for r in &o[1..] {
        let own: f64 = r[4].parse().unwrap();
        assert_eq!(r[5] == "true", own < 0.5 && r[2] != r[3], "{r:?}");
    }
    assert!(std::fs::read_to_string(d.join("f/dendrogram.svg"))
        .unwrap()
        .starts_with("<svg"));

    // A rerun with a fixed k into the same directory leaves no k_selection.csv of the
    // earlier --k auto run behind.
    let err = ok(
        &[
            "segment",
            "sales",
            "--sales",
            "s/sales.csv",
            "--funds",
            "s/funds.csv",
            "--k",
            "3",
            "--quarters",
            "12",
            "--out",
            "o",
            "--force",
        ],
        d,
    );
    assert!(!d.join("o/k_selection.csv").exists());
    // 24 months of data hold 8 quarters: a 12-quarter window is shortened, with a note.
    assert!(err.contains("window is shortened from 12 to 8"), "{err}");

    // DTW on monthly series needs a hierarchical method.
    fails(
        &[
            "segment",
            "sales",
            "--sales",
            "s/sales.csv",
            "--funds",
            "s/funds.csv",
            "--distance",
            "dtw",
            "--out",
            "x",
        ],
        d,
        &["--distance dtw needs a hierarchical --method"],
    );
    ok(
        &[
            "segment",
            "sales",
            "--sales",
            "s/sales.csv",
            "--funds",
            "s/funds.csv",
            "--distance",
            "dtw",
            "--method",
            "average",
            "--k",
            "3",
            "--out",
            "dtw",
        ],
        d,
    );
}

/// Offices buying the same funds with independent amounts: no segment structure.
#[test]
fn structureless_sales_give_one_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
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
    std::fs::write(d.join("sales.csv"), s).unwrap();
    std::fs::write(
        d.join("funds.csv"),
        "fund,category,broad_category\nF0,Large Blend,Equity\nF1,Core Bond,Fixed Income\nF2,Allocation,Allocation\nF3,Money,Money Market\n",
    )
    .unwrap();
    let err = ok(
        &[
            "segment",
            "sales",
            "--sales",
            "sales.csv",
            "--funds",
            "funds.csv",
            "--quarters",
            "4",
            "--out",
            "o",
        ],
        d,
    );
    assert!(
        err.contains("into 1 cluster") && err.contains("no further meaningful clustering"),
        "{err}"
    );
    let t = rows(&d.join("o/assignments.csv"));
    assert!(t[1..].iter().all(|r| r[1] == "1"));
}

#[test]
fn personas_are_recovered_from_balances() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        &[
            "synth",
            "investors",
            "--users",
            "2500",
            "--days",
            "30",
            "--seed",
            "3",
            "--out",
            "i",
        ],
        d,
    );
    let err = ok(
        &[
            "segment",
            "investors",
            "--users",
            "i/users.csv",
            "--balances",
            "i/balances.csv",
            "--k",
            "5",
            "--out",
            "o",
        ],
        d,
    );
    assert!(err.contains("into 5 clusters"), "{err}");
    let a = ari(
        &d.join("o/assignments.csv"),
        "segment",
        &d.join("i/truth.csv"),
        "persona",
        str::to_string,
    );
    assert!(a >= 0.7, "personas: ARI {a}");
    let p = rows(&d.join("o/profiles.csv"));
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
        assert!(rows(&d.join("o/eda").join(f)).len() > 1, "{f}");
    }
    let w = rows(&d.join("o/eda/weekday.csv"));
    // No trades on weekends in the synthetic data.
    for r in &w[6..8] {
        assert_eq!(r.last().unwrap(), "0", "{r:?}");
    }
}

#[test]
fn bad_segmentation_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("funds.csv"),
        "fund,category,broad_category\nF1,Large Blend,Equity\nF2,Core Bond,Fixed Income\n",
    )
    .unwrap();
    let sales = |body: &str| {
        std::fs::write(
            d.join("sales.csv"),
            format!("bd,office,fund,month,amount\n{body}"),
        )
        .unwrap();
    };
    let seg = [
        "segment",
        "sales",
        "--sales",
        "sales.csv",
        "--funds",
        "funds.csv",
        "--out",
        "o",
    ];
    sales("B,O1,F1,2024-01,100\nB,O2,F9,2024-01,50\n");
    fails(&seg, d, &["sales.csv", "line 3", "fund", "F9"]);
    sales("B,O1,F1,2024-13,100\n");
    fails(&seg, d, &["sales.csv", "line 2", "month"]);
    sales("B,O1,F1,2024-01,100\nB,O2,F2,2024-01,50\n");
    let mut k3 = seg.to_vec();
    k3.extend(["--k", "3"]);
    fails(&k3, d, &["--k 3 is more than the 2 offices"]);
    let mut q0 = seg.to_vec();
    q0.extend(["--quarters", "0"]);
    fails(&q0, d, &["--quarters and --k-max must be at least 1"]);
    let mut dtw = seg.to_vec();
    dtw.extend(["--distance", "dtw", "--method", "kmeans"]);
    fails(&dtw, d, &["--distance dtw needs a hierarchical --method"]);
    assert!(!d.join("o").exists());

    let users = "user_id,registered,gender,age,occupation,income_band,referral\n\
                 1,2021-01-01,Female,25,Student,< 10M,used\n\
                 2,2021-01-01,Male,35,Employee,10-50M,not used\n\
                 3,2021-01-01,Female,27,Student,< 10M,used\n\
                 4,2021-01-01,Male,38,Employee,10-50M,not used\n";
    std::fs::write(d.join("users.csv"), users).unwrap();
    let balances = |body: &str| {
        std::fs::write(
            d.join("balances.csv"),
            format!("user_id,date,fund_type,balance,buy,sell,profit\n{body}"),
        )
        .unwrap();
    };
    let inv = [
        "segment",
        "investors",
        "--users",
        "users.csv",
        "--balances",
        "balances.csv",
        "--k",
        "2",
        "--out",
        "i",
    ];
    balances("1,2021-09-01,stock,100,0,0,0\n7,2021-09-01,bond,50,0,0,0\n");
    fails(&inv, d, &["balances.csv", "line 3", "user_id", "7"]);
    balances("1,2021-09-01,stock,-100,0,0,0\n");
    fails(&inv, d, &["balances.csv", "line 2", "balance"]);
    balances("1,2021-09-01,crypto,100,0,0,0\n");
    fails(&inv, d, &["balances.csv", "line 2", "fund_type", "crypto"]);
    // One Retired user: a category level with one member.
    std::fs::write(
        d.join("users.csv"),
        format!("{users}5,2021-01-01,Male,36,Retired,10-50M,used\n"),
    )
    .unwrap();
    balances("1,2021-09-01,stock,100,0,0,0\n2,2021-09-01,bond,100,0,0,0\n3,2021-09-01,stock,100,0,0,0\n4,2021-09-01,bond,100,0,0,0\n5,2021-09-01,bond,100,0,0,0\n");
    fails(
        &inv,
        d,
        &["users.csv", "line 6", "occupation", "Retired", "one member"],
    );
    assert!(!d.join("i").exists());
}
