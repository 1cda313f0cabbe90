//! Whole command flows on small data: synth → industry → rank, CSV and Parquet,
//! periods on the bundled French data, determinism of `synth`, and the demo.

mod common;

use common::{ok, rows, run};

#[test]
fn synth_industry_rank_round_trip_in_csv_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(
        &[
            "synth",
            "industry",
            "--classes",
            "250",
            "--days",
            "60",
            "--seed",
            "4",
            "--out",
            "a",
        ],
        p,
    );
    ok(
        &[
            "synth",
            "industry",
            "--classes",
            "250",
            "--days",
            "60",
            "--seed",
            "4",
            "--out",
            "b",
        ],
        p,
    );
    for f in ["industry.csv", "classes.csv", "truth_outliers.csv"] {
        assert_eq!(
            std::fs::read(p.join("a").join(f)).unwrap(),
            std::fs::read(p.join("b").join(f)).unwrap(),
            "{f} differs for the same seed"
        );
    }
    ok(
        &[
            "synth",
            "industry",
            "--classes",
            "250",
            "--days",
            "60",
            "--seed",
            "4",
            "--out",
            "pq",
            "--format",
            "parquet",
        ],
        p,
    );

    let msg = ok(
        &[
            "industry",
            "--data",
            "a/industry.csv",
            "--meta",
            "a/classes.csv",
            "--group-by",
            "class",
            "--out",
            "classes_out.csv",
            "--dropped",
            "dropped.csv",
        ],
        p,
    );
    assert!(msg.contains("price outliers"), "{msg}");
    // The same data from Parquet gives the same output, written as Parquet and CSV.
    ok(
        &[
            "industry",
            "--data",
            "pq/industry.parquet",
            "--meta",
            "pq/classes.csv",
            "--out",
            "classes_pq.parquet",
            "--dropped",
            "dropped_pq.csv",
        ],
        p,
    );
    ok(
        &[
            "industry",
            "--data",
            "pq/industry.parquet",
            "--meta",
            "pq/classes.csv",
            "--out",
            "classes_pq.csv",
        ],
        p,
    );
    assert_eq!(
        std::fs::read(p.join("classes_out.csv")).unwrap(),
        std::fs::read(p.join("classes_pq.csv")).unwrap()
    );
    assert_eq!(
        std::fs::read(p.join("dropped.csv")).unwrap(),
        std::fs::read(p.join("dropped_pq.csv")).unwrap()
    );

    // Every injected bad print is in the dropped list as a price outlier, nothing else is.
    let truth = rows(&p.join("a/truth_outliers.csv"));
    let dropped = rows(&p.join("dropped.csv"));
    assert_eq!(
        dropped[0],
        ["class_id", "date", "reason", "aum", "price_move", "z_score"]
    );
    let mut found: Vec<(String, String)> = dropped[1..]
        .iter()
        .filter(|r| r[2] == "price_outlier")
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let mut want: Vec<(String, String)> = truth[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    found.sort();
    want.sort();
    assert_eq!(found, want);

    // Rank from the industry output, CSV and Parquet alike.
    ok(
        &[
            "industry",
            "--data",
            "a/industry.csv",
            "--meta",
            "a/classes.csv",
            "--group-by",
            "manager",
            "--out",
            "m.parquet",
        ],
        p,
    );
    ok(
        &[
            "industry",
            "--data",
            "a/industry.csv",
            "--meta",
            "a/classes.csv",
            "--group-by",
            "manager",
            "--out",
            "m.csv",
        ],
        p,
    );
    ok(
        &[
            "rank",
            "--returns",
            "m.parquet",
            "--top",
            "3",
            "--bottom",
            "3",
            "--out",
            "r1.csv",
        ],
        p,
    );
    ok(
        &[
            "rank",
            "--returns",
            "m.csv",
            "--top",
            "3",
            "--bottom",
            "3",
            "--out",
            "r2.csv",
        ],
        p,
    );
    assert_eq!(
        std::fs::read(p.join("r1.csv")).unwrap(),
        std::fs::read(p.join("r2.csv")).unwrap()
    );
    let ranks = rows(&p.join("r1.csv"));
    assert_eq!(
        ranks[0],
        ["date", "id", "ytd_return", "rank", "max_rank", "side"]
    );
    let first_date = &ranks[1][0];
    let day: Vec<_> = ranks[1..].iter().filter(|r| &r[0] == first_date).collect();
    let tops: Vec<i64> = day
        .iter()
        .filter(|r| r[5] == "top")
        .map(|r| r[3].parse().unwrap())
        .collect();
    assert_eq!(tops, vec![1, 2, 3]);
    // the top list is sorted by YTD, best first
    let ytd: Vec<f64> = day
        .iter()
        .filter(|r| r[5] == "top")
        .map(|r| r[2].parse().unwrap())
        .collect();
    assert!(ytd.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn periods_on_wide_percent_and_prices() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // percent returns in YYYYMM form: 2020 is +1% each month, 2021 has Jan only
    let mut s = String::from("Date,Fund\n");
    for m in 1..=12 {
        s.push_str(&format!("2020{m:02},1\n"));
    }
    s.push_str("202101,-2\n");
    std::fs::write(p.join("pct.csv"), s).unwrap();
    ok(
        &[
            "periods",
            "--series",
            "pct.csv",
            "--percent",
            "--out",
            "per.csv",
        ],
        p,
    );
    let rows = rows(&p.join("per.csv"));
    assert_eq!(rows[0], ["id", "period", "start", "end", "return"]);
    let y2020 = rows.iter().find(|r| r[1] == "2020").unwrap();
    assert!((y2020[4].parse::<f64>().unwrap() - (1.01f64.powi(12) - 1.0)).abs() < 1e-12);
    let ytd = rows.iter().find(|r| r[1] == "YTD").unwrap();
    assert!((ytd[4].parse::<f64>().unwrap() + 0.02).abs() < 1e-12);
    assert_eq!(
        (ytd[2].as_str(), ytd[3].as_str()),
        ("2020-12-31", "2021-01-31")
    );

    std::fs::write(
        p.join("nav.csv"),
        "id,date,value\nX,2019-12-31,100\nX,2020-06-30,90\nX,2020-12-31,121\n",
    )
    .unwrap();
    // irregular gaps (182/184 days) are not a known frequency
    let (code, err) = run(
        &[
            "periods",
            "--series",
            "nav.csv",
            "--prices",
            "--out",
            "nav_p.csv",
        ],
        p,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("nav.csv") && err.contains("cannot tell the frequency"),
        "{err}"
    );
}

#[test]
fn demo_writes_a_report_and_reruns() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&["demo", "--out", "run"], p);
    let run = p.join("run");
    let html = std::fs::read_to_string(run.join("index.html")).unwrap();
    assert!(html.contains("<svg"), "charts are inlined");
    assert!(html.contains("Industry analytics"));
    assert!(html.contains("Fama-French 12 industry"));
    assert!(html.contains("Returns-based style analysis"));
    assert!(html.contains("Dynamic style analysis vs rolling windows"));
    assert!(html.contains("Fund similarity and peer groups"));
    for f in [
        "french_similarity_dendrogram.svg",
        "french_similarity_heatmap.svg",
        "french_correlation_vs_similarity.svg",
        "french_similarity_pairs.csv",
    ] {
        assert!(run.join(f).exists(), "{f} missing");
    }
    assert!(run.join("style/S5M5.svg").exists() && run.join("french_style_exposures.csv").exists());
    assert!(!html.contains("chart missing"));
    for f in [
        "industry_managers.csv",
        "industry_classes.csv",
        "dropped.csv",
        "manager_ranks.csv",
        "french_industry_periods.csv",
        "manager_total_return.svg",
        "report.json",
    ] {
        assert!(run.join(f).exists(), "{f} missing");
    }
    // every injected bad print was found
    assert!(html.contains("injected bad prints found"));
    let truth = rows(&run.join("inputs/truth_outliers.csv")).len() - 1;
    assert!(
        html.contains(&format!("{truth} of {truth}")),
        "all {truth} bad prints found"
    );
    // a second run replaces the first; `report` re-renders the page
    ok(&["demo", "--out", "run"], p);
    std::fs::remove_file(run.join("index.html")).unwrap();
    ok(&["report", "run"], p);
    assert!(std::fs::read_to_string(run.join("index.html"))
        .unwrap()
        .contains("<svg"));
    // a foreign non-empty directory is not replaced without --force
    std::fs::create_dir(p.join("mine")).unwrap();
    std::fs::write(p.join("mine/notes.txt"), "precious").unwrap();
    let (code, err) = common::run(&["demo", "--out", "mine"], p);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(p.join("mine/notes.txt")).unwrap(),
        "precious"
    );
}
