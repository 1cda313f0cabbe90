//! Every table input read under a vendor's column names: the same results as the file
//! under the documented names, with the column flags naming the vendor's columns.

mod common;

use common::{col, grouped_features, Workdir};

/// `from` with its header line replaced by `header`, written as `to`.
fn renamed(w: &Workdir, from: &str, to: &str, header: &str) {
    let text = w.read(from);
    let (_, body) = text.split_once('\n').unwrap();
    w.write(to, format!("{header}\n{body}"));
}

#[test]
fn cluster_features_similarity_and_reference_under_vendor_names() {
    let w = Workdir::new();
    grouped_features(&w, "features.csv", "id");
    grouped_features(&w, "vendor_features.csv", "SecId");
    let mut reference = String::from("id,label\n");
    let mut vendor = String::from("SecId,label,MsCategory\n");
    for i in 0..12 {
        reference.push_str(&format!("X{i:02},G{}\n", i / 4));
        vendor.push_str(&format!("X{i:02},wrong,G{}\n", i / 4));
    }
    w.write("ref.csv", reference);
    w.write("vendor_ref.csv", vendor);
    w.ok("cluster --features features.csv --k 3 --reference ref.csv --out a.csv");
    let err = w.ok(
        "cluster --features vendor_features.csv --id-column SecId --k 3 --reference vendor_ref.csv \
         --reference-id-column SecId --reference-column MsCategory --out b.csv",
    );
    assert!(err.contains("ARI 1.000"), "{err}");
    assert_eq!(w.rows("a.csv"), w.rows("b.csv"));
    assert_eq!(w.rows("a_agreement.csv"), w.rows("b_agreement.csv"));
    // Without the mapping the vendor's id column is not found, and it is said.
    w.fails(
        "cluster --features features.csv --k 3 --reference vendor_ref.csv --out x.csv",
        &["vendor_ref.csv", "id"],
    );
    assert!(!w.exists("x.csv"));

    // A similarity table with vendor date and value columns.
    w.synth("universe --funds 8 --factors 6 --periods 104 --groups 2 --seed 3 --out u");
    w.ok("correlation --returns u/funds.csv --out sim.csv");
    renamed(&w, "sim.csv", "vendor_sim.csv", "AsOf,fund_a,fund_b,Score");
    w.ok("cluster --similarity sim.csv --k 2 --out s1.csv");
    w.ok("cluster --similarity vendor_sim.csv --date-column AsOf --value-column Score --k 2 --out s2.csv");
    assert_eq!(w.rows("s1.csv"), w.rows("s2.csv"));
}

#[test]
fn similarity_reads_vendor_exposures_and_fit() {
    let w = Workdir::new();
    w.synth("universe --funds 8 --factors 6 --periods 104 --groups 2 --seed 3 --out u");
    w.ok("style --returns u/funds.csv --factors u/factors.csv --out e.csv --fit-out f.csv");
    renamed(&w, "e.csv", "ve.csv", "SecId,AsOf,factor,Weight");
    let fit_header = w.rows("f.csv")[0].join(",");
    renamed(
        &w,
        "f.csv",
        "vf.csv",
        &fit_header
            .replacen("fund", "SecId", 1)
            .replacen("date", "AsOf", 1)
            .replacen("r2", "RSq", 1),
    );
    let attrs = "--factor-attributes u/factor_attributes.csv";
    w.ok(&format!(
        "similarity --exposures e.csv --fit f.csv --measure s {attrs} --out a.csv"
    ));
    w.ok(&format!(
        "similarity --exposures ve.csv --fit vf.csv --measure s --id-column SecId --date-column AsOf \
         --value-column Weight --r2-column RSq {attrs} --out b.csv"
    ));
    assert_eq!(w.rows("a.csv"), w.rows("b.csv"));
    // The R² column is looked for under the name given.
    w.fails(
        &format!(
            "similarity --exposures ve.csv --fit vf.csv --measure s --id-column SecId --date-column AsOf \
             --value-column Weight {attrs} --out x.csv"
        ),
        &["vf.csv", "r2"],
    );
    assert!(!w.exists("x.csv"));
}

#[test]
fn rate_reads_a_vendor_reference() {
    let w = Workdir::new();
    w.synth("garch --funds 10 --periods 700 --seed 4 --out g");
    let ids: Vec<String> = w.rows("g/truth.csv")[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let (mut plain, mut vendor) = (
        String::from("fund,stars\n"),
        String::from("fund,SecId,Rating\n"),
    );
    for (i, id) in ids.iter().enumerate() {
        plain.push_str(&format!("{id},{}\n", 1 + i % 5));
        vendor.push_str(&format!("other{i},{id},{}\n", 1 + i % 5));
    }
    w.write("ref.csv", plain);
    w.write("vendor.csv", vendor);
    w.ok("rate --returns g/returns.csv --reference ref.csv --agreement-out a.csv --out r1.csv");
    let err = w.ok(
        "rate --returns g/returns.csv --reference vendor.csv --reference-id-column SecId \
         --reference-column Rating --agreement-out b.csv --out r2.csv",
    );
    assert!(err.contains("(10 funds)"), "{err}");
    assert_eq!(w.rows("a.csv"), w.rows("b.csv"));
}

#[test]
fn segment_investors_reads_vendor_users_and_balances() {
    let w = Workdir::new();
    w.synth("investors --users 300 --days 20 --seed 2 --out i");
    let users = w.rows("i/users.csv")[0].join(",");
    let balances = w.rows("i/balances.csv")[0].join(",");
    assert_eq!(
        users,
        "user_id,registered,gender,age,occupation,income_band,referral"
    );
    assert_eq!(balances, "user_id,date,fund_type,balance,buy,sell,profit");
    renamed(
        &w,
        "i/users.csv",
        "users.csv",
        "UserID,SignupDate,gender,age,occupation,income_band,referral",
    );
    renamed(
        &w,
        "i/balances.csv",
        "balances.csv",
        "UserID,Day,fund_type,Balance,buy,sell,profit",
    );
    w.ok("segment investors --users i/users.csv --balances i/balances.csv --k 3 --out a");
    w.ok(
        "segment investors --users users.csv --balances balances.csv --id-column UserID \
         --registered-column SignupDate --date-column Day --value-column Balance --k 3 --out b",
    );
    assert_eq!(w.rows("a/assignments.csv"), w.rows("b/assignments.csv"));
    assert_eq!(w.rows("a/profiles.csv"), w.rows("b/profiles.csv"));
    w.fails(
        "segment investors --users users.csv --balances balances.csv --id-column UserID \
         --date-column Day --value-column Balance --k 3 --out c",
        &["users.csv", "registered"],
    );
    assert!(!w.exists("c/assignments.csv"));
}

/// `--category-column` on a file that also has a `category` column reads the column named;
/// the column flags read a vendor's similarity table and categories.
#[test]
fn peers_read_the_named_category_column() {
    let w = Workdir::new();
    w.synth("universe --funds 8 --factors 6 --periods 104 --groups 2 --seed 3 --out u");
    let meta = w.rows("u/meta.csv");
    assert_eq!(meta[0], ["id", "category", "true_group"]);
    w.ok("correlation --returns u/funds.csv --out sim.csv");
    let fund = &meta[1][0];
    w.ok(&format!(
        "peers --similarity sim.csv --fund {fund} --top 7 --categories u/meta.csv \
         --category-column true_group --out p.csv"
    ));
    let p = w.rows("p.csv");
    let (peer, cat) = (col(&p, "peer"), col(&p, "peer_category"));
    assert_eq!(p.len(), 8);
    for r in &p[1..] {
        let truth = meta.iter().find(|m| m[0] == r[peer]).unwrap();
        assert_eq!(r[cat], truth[2], "{}", r[peer]);
    }
    // The same from a vendor's similarity table and categories file.
    renamed(&w, "sim.csv", "vendor_sim.csv", "AsOf,fund_a,fund_b,Score");
    renamed(
        &w,
        "u/meta.csv",
        "vendor_meta.csv",
        "SecId,category,MsCategory",
    );
    w.ok(&format!(
        "peers --similarity vendor_sim.csv --date-column AsOf --value-column Score --fund {fund} \
         --top 7 --categories vendor_meta.csv --id-column SecId --category-column MsCategory --out q.csv"
    ));
    assert_eq!(w.rows("q.csv"), p);
}
