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
        &["one of --similarity, --features, --returns or --exposures is required"],
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
        "cluster --similarity c.csv --k-rule gap --out x.csv",
        &[
            "--k-rule gap needs reference data sets",
            "bic or silhouette",
        ],
    );
    w.fails(
        "cluster --similarity c.csv --method gmm --k-rule silhouette --out x.csv",
        &["--k-rule silhouette", "gmm chooses k by bic"],
    );
    w.fails(
        "cluster --similarity c.csv --k-rule silhouette --bic-out b.csv --out x.csv",
        &["--bic-out needs --method gmm or --k auto with --k-rule bic"],
    );
    // The same rule names as segment: the widest mean silhouette of the tree's cuts.
    let sil = w.ok("cluster --similarity c.csv --k-rule silhouette --k-max 6 --out ks.csv");
    assert!(
        sil.contains("chosen by the widest mean silhouette over k = 2..6")
            || sil.contains("no meaningful grouping"),
        "{sil}"
    );
    let chosen = w.rows("ks.csv")[1..]
        .iter()
        .map(|r| r[1].parse::<usize>().unwrap())
        .max()
        .unwrap();
    assert!(sil.contains(&format!("in {chosen} cluster")), "{sil}");
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
    // A vendor's name for the category column.
    let renamed = w
        .read("u/meta.csv")
        .replacen(",category,", ",Categoria,", 1);
    assert!(renamed.contains(",Categoria,"));
    w.write("meta_es.csv", renamed);
    w.ok(&format!(
        "peers --similarity c.csv --fund {fund} --categories meta_es.csv --category-column Categoria --out p_es.csv"
    ));
    let new = w.rows("p_new.csv");
    assert_eq!(new, w.rows("p_old.csv"));
    assert_eq!(new, w.rows("p_es.csv"));
    w.fails(
        &format!("peers --similarity c.csv --fund {fund} --categories meta_es.csv --out x.csv"),
        &["meta_es.csv", "category"],
    );
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

/// `long.csv` under a vendor's column names: `SecId,Date,Return`.
fn vendor_returns(w: &Workdir) {
    let text = w
        .read("long.csv")
        .replacen("id,date,ret", "SecId,Date,Return", 1);
    w.write("vendor.csv", text);
}

#[test]
fn a_vendor_file_is_read_unchanged_with_the_column_flags() {
    let w = Workdir::new();
    long_returns(&w);
    vendor_returns(&w);
    w.ok("periods --returns long.csv --value-column ret --out ours.csv");
    w.ok(
        "periods --returns vendor.csv --id-column SecId --date-column Date --value-column Return \
         --out vendor_periods.csv",
    );
    assert_eq!(w.rows("ours.csv"), w.rows("vendor_periods.csv"));
    w.ok(
        "rank --returns vendor.csv --id-column SecId --date-column Date --value-column Return \
         --top 1 --bottom 1 --out ranks.csv",
    );
    assert!(w.rows("ranks.csv").len() > 2);
    w.ok(
        "correlation --returns vendor.csv --id-column SecId --date-column Date --value-column Return \
         --out corr.csv",
    );
    assert_eq!(
        w.rows("corr.csv")[0],
        ["date", "fund_a", "fund_b", "similarity"]
    );
    // Without the mapping the reader says what it looked for, and writes nothing.
    w.fails("periods --returns vendor.csv --out x.csv", &["vendor.csv"]);
    w.fails(
        "periods --returns vendor.csv --id-column Fund --date-column Date --value-column Return --out x.csv",
        &["vendor.csv", "Fund"],
    );
    assert!(!w.exists("x.csv"));
}

#[test]
fn a_vendor_workbook_is_read_from_its_sheet() {
    let w = Workdir::new();
    let book = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../io/tests/fixtures/excel/vendor.xlsx"
    );
    let cols = "--id-column SecId --date-column Date --value-column Return";
    w.ok(&format!(
        "periods --returns {book} --sheet Returns {cols} --out p.csv"
    ));
    let rows = w.rows("p.csv");
    let ytd = rows
        .iter()
        .find(|r| r[0] == "F1" && r[1] == "YTD")
        .unwrap_or_else(|| panic!("no YTD of F1 in {rows:?}"));
    let expect = 1.01 * 0.98 * 1.03 * 1.005 - 1.0;
    assert!(
        (ytd[4].parse::<f64>().unwrap() - expect).abs() < 1e-12,
        "{ytd:?}"
    );
    // The first sheet holds notes, not the returns: the message names the sheet.
    w.fails(
        &format!("periods --returns {book} {cols} --out x.csv"),
        &["vendor.xlsx", "Notes"],
    );
    w.fails(
        &format!("periods --returns {book} --sheet Prices {cols} --out x.csv"),
        &["vendor.xlsx", "Prices"],
    );
    assert!(!w.exists("x.csv"));
}

#[test]
fn style_industry_and_segments_map_their_columns() {
    let w = Workdir::new();
    w.synth("universe --funds 8 --factors 3 --periods 60 --groups 2 --seed 4 --out u");
    // Fund returns long under vendor names; the factors stay wide (their date column
    // matches Date case-insensitively).
    let funds = w.rows("u/funds.csv");
    let mut long = String::from("SecId,Date,Return\n");
    for row in &funds[1..] {
        for (j, id) in funds[0].iter().enumerate().skip(1) {
            long.push_str(&format!("{id},{},{}\n", row[0], row[j]));
        }
    }
    w.write("vendor_funds.csv", long);
    w.ok("style --returns u/funds.csv --factors u/factors.csv --out ours.csv");
    w.ok(
        "style --returns vendor_funds.csv --factors u/factors.csv --id-column SecId \
         --date-column Date --value-column Return --out vendor.csv",
    );
    assert_eq!(w.rows("ours.csv"), w.rows("vendor.csv"));

    w.synth("industry --classes 12 --days 60 --seed 1 --out i");
    let renamed = w
        .read("i/industry.csv")
        .replacen("class_id,date,", "ClassId,Fecha,", 1);
    assert!(renamed.starts_with("ClassId,Fecha,"), "{}", &renamed[..40]);
    w.write("cafci.csv", renamed);
    w.ok("industry --data i/industry.csv --out ours_i.csv");
    w.ok("industry --data cafci.csv --id-column ClassId --date-column Fecha --out vendor_i.csv");
    assert_eq!(w.rows("ours_i.csv"), w.rows("vendor_i.csv"));
    w.fails(
        "industry --data cafci.csv --id-column ClassId --date-column Fecha --value-column price --out x.csv",
        &["--value-column does not apply to industry data"],
    );

    w.synth("sales --offices 40 --funds 12 --months 12 --seed 1 --out s");
    let funds = w
        .read("s/funds.csv")
        .replacen(",category,", ",Segmento,", 1);
    assert!(funds.contains(",Segmento,"));
    w.write("funds_es.csv", funds);
    let seg = "segment sales --sales s/sales.csv --k 2";
    w.ok(&format!("{seg} --categories s/funds.csv --out a"));
    w.ok(&format!(
        "{seg} --categories funds_es.csv --category-column Segmento --out b"
    ));
    assert_eq!(w.rows("a/assignments.csv"), w.rows("b/assignments.csv"));
    let sales = w.read("s/sales.csv").replacen(
        "bd,office,fund,month,amount",
        "bd,office,Fondo,Mes,Monto",
        1,
    );
    assert!(sales.starts_with("bd,office,Fondo,Mes,Monto"));
    w.write("ventas.csv", sales);
    w.ok(
        "segment sales --sales ventas.csv --id-column Fondo --date-column Mes --value-column Monto \
         --k 2 --categories s/funds.csv --out c",
    );
    assert_eq!(w.rows("a/assignments.csv"), w.rows("c/assignments.csv"));
    assert!(!w.exists("x.csv"));
}
