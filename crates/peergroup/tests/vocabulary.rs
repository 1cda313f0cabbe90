//! One vocabulary across commands: the same flag for the same idea, the old names still
//! accepted (hidden), and settings errors that name the flag.

mod common;

use common::Workdir;

/// Monthly returns of two funds over 2020–2021 in a vendor's long layout, with the value
/// in a column called `ret`.
fn long_returns(w: &Workdir) {
    let mut s = String::from("id,date,ret\n");
    for id in ["A", "B"] {
        for y in [2020, 2021] {
            for m in 1..=12 {
                s.push_str(&format!("{id},{y}{m:02},0.01\n"));
            }
        }
    }
    w.write("long.csv", s);
}

#[test]
fn periods_reads_returns_under_the_new_and_the_old_names() {
    let w = Workdir::new();
    long_returns(&w);
    w.ok("periods --returns long.csv --value-column ret --out new.csv");
    w.ok("periods --series long.csv --column ret --out old.csv");
    let new = w.rows("new.csv");
    assert!(new.len() > 2, "{new:?}");
    assert_eq!(new, w.rows("old.csv"));
    // Without the value column the command says which it looked for.
    w.fails(
        "periods --returns long.csv --out x.csv",
        &["long.csv", "value"],
    );
    assert!(!w.exists("x.csv"));
}

#[test]
fn rate_takes_reference_and_outputs_under_the_new_and_the_old_names() {
    let w = Workdir::new();
    w.synth("garch --funds 12 --periods 800 --seed 3 --out g");
    let ids: Vec<String> = w.rows("g/truth.csv")[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let mut reference = String::from("fund,vendor\n");
    for (i, id) in ids.iter().enumerate() {
        reference.push_str(&format!("{id},{}\n", 1 + i % 5));
    }
    w.write("ref.csv", reference);
    let new = w.ok(
        "rate --returns g/returns.csv --reference ref.csv --reference-column vendor \
         --agreement-out agree.csv --details-out details.csv --linkage complete --metric manhattan --out new.csv",
    );
    assert!(
        new.contains("against the reference rating (12 funds)"),
        "{new}"
    );
    w.ok(
        "rate --series g/returns.csv --external ref.csv --external-column vendor \
         --comparison-out agree_old.csv --details details_old.csv --linkage complete --metric manhattan --out old.csv",
    );
    for (a, b) in [
        ("new.csv", "old.csv"),
        ("agree.csv", "agree_old.csv"),
        ("details.csv", "details_old.csv"),
    ] {
        assert_eq!(w.rows(a), w.rows(b), "{a} vs {b}");
    }
    w.fails(
        "rate --returns g/returns.csv --linkage ward --out x.csv",
        &["--linkage", "average, single or complete"],
    );
    w.fails(
        "rate --returns g/returns.csv --metric cosine --out x.csv",
        &["--metric", "euclidean or manhattan"],
    );
    assert!(!w.exists("x.csv"));
}

#[test]
fn cluster_names_its_inputs_and_one_cluster() {
    let w = Workdir::new();
    w.fails(
        "cluster --out x.csv",
        &["one of --similarity or --features is required"],
    );
    w.synth("universe --funds 30 --factors 4 --periods 120 --groups 3 --seed 1 --out u");
    w.ok("correlation --returns u/funds.csv --out c.csv");
    let one = w.ok("cluster --similarity c.csv --k 1 --out k1.csv");
    assert!(
        one.contains("in 1 cluster (k given); silhouette undefined for one cluster"),
        "{one}"
    );
    assert!(!one.contains("NaN"), "{one}");
    let three = w.ok("cluster --similarity c.csv --k 3 --out k3.csv");
    assert!(
        three.contains("in 3 clusters (k given); mean silhouette 0."),
        "{three}"
    );
    w.fails(
        "cluster --similarity c.csv --features c.csv --out x.csv",
        &["--similarity", "--features", "cannot be used with"],
    );
    w.fails(
        "cluster --similarity c.csv --k-rule silhouette --out x.csv",
        &["--k-rule silhouette is a rule of segment", "bic"],
    );
    w.fails(
        "cluster --similarity c.csv --k-max 0 --out x.csv",
        &["--k-max must be at least 1"],
    );
    assert!(!w.exists("x.csv"));
}

#[test]
fn style_and_peers_take_the_new_and_the_old_names() {
    let w = Workdir::new();
    w.synth("universe --funds 12 --factors 4 --periods 120 --groups 3 --seed 2 --out u");
    w.ok("style --returns u/funds.csv --factors u/factors.csv --out new.csv");
    w.ok("style --funds u/funds.csv --factors u/factors.csv --out old.csv");
    assert_eq!(w.rows("new.csv"), w.rows("old.csv"));
    w.ok("correlation --returns u/funds.csv --out c.csv");
    let fund = &w.rows("u/meta.csv")[1][0].clone();
    w.ok(&format!(
        "peers --similarity c.csv --fund {fund} --categories u/meta.csv --out p_new.csv"
    ));
    w.ok(&format!(
        "peers --similarity c.csv --fund {fund} --meta u/meta.csv --out p_old.csv"
    ));
    // Another category column: the true groups instead of the vendor categories.
    w.ok(&format!(
        "peers --similarity c.csv --fund {fund} --categories u/meta.csv --category-column true_group --out p_true.csv"
    ));
    let new = w.rows("p_new.csv");
    assert_eq!(new, w.rows("p_old.csv"));
    assert_ne!(new, w.rows("p_true.csv"));
    w.fails(
        "style --returns u/funds.csv --factors u/factors.csv --window 10 --min-obs 11 --out x.csv",
        &["--min-obs 11 is larger than the --window of 10 observations"],
    );
    assert!(!w.exists("x.csv"));
}

#[test]
fn industry_writes_dropped_points_under_the_new_and_the_old_names() {
    let w = Workdir::new();
    w.synth("industry --classes 12 --days 60 --seed 1 --out i");
    w.ok("industry --data i/industry.csv --out a.csv --dropped-out d_new.csv");
    w.ok("industry --data i/industry.csv --out b.csv --dropped d_old.csv");
    assert_eq!(w.rows("d_new.csv"), w.rows("d_old.csv"));
    w.fails(
        "industry --data i/industry.csv --max-move 0 --out x.csv",
        &["--max-move must be a positive fraction"],
    );
    assert!(!w.exists("x.csv"));
}
