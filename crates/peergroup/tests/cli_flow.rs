//! Whole command flows on small data: synth → industry → rank, CSV and Parquet,
//! periods on the bundled French data, determinism of `synth`, and the demo.

mod common;

use common::Workdir;

#[test]
fn synth_industry_rank_round_trip_in_csv_and_parquet() {
    let w = Workdir::new();
    let industry = "industry --classes 250 --days 60 --seed 4";
    w.synth(&format!("{industry} --out a"));
    w.synth(&format!("{industry} --out b"));
    for f in ["industry.csv", "classes.csv", "truth_outliers.csv"] {
        assert_eq!(
            w.bytes(&format!("a/{f}")),
            w.bytes(&format!("b/{f}")),
            "{f} differs for the same seed"
        );
    }
    w.synth(&format!("{industry} --out pq --format parquet"));

    let msg = w.ok(
        "industry --data a/industry.csv --meta a/classes.csv --group-by class \
                    --out classes_out.csv --dropped dropped.csv",
    );
    assert!(msg.contains("price outliers"), "{msg}");
    // The same data from Parquet gives the same output, written as Parquet and CSV.
    let from_parquet = "industry --data pq/industry.parquet --meta pq/classes.csv";
    w.ok(&format!(
        "{from_parquet} --out classes_pq.parquet --dropped dropped_pq.csv"
    ));
    w.ok(&format!("{from_parquet} --out classes_pq.csv"));
    assert_eq!(w.bytes("classes_out.csv"), w.bytes("classes_pq.csv"));
    assert_eq!(w.bytes("dropped.csv"), w.bytes("dropped_pq.csv"));

    // Every injected bad print is in the dropped list as a price outlier, nothing else is.
    let truth = w.rows("a/truth_outliers.csv");
    let dropped = w.rows("dropped.csv");
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
    let by_manager = "industry --data a/industry.csv --meta a/classes.csv --group-by manager";
    w.ok(&format!("{by_manager} --out m.parquet"));
    w.ok(&format!("{by_manager} --out m.csv"));
    w.ok("rank --returns m.parquet --top 3 --bottom 3 --out r1.csv");
    w.ok("rank --returns m.csv --top 3 --bottom 3 --out r2.csv");
    assert_eq!(w.bytes("r1.csv"), w.bytes("r2.csv"));
    let ranks = w.rows("r1.csv");
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
    let w = Workdir::new();
    // percent returns in YYYYMM form: 2020 is +1% each month, 2021 has Jan only
    let mut s = String::from("Date,Fund\n");
    for m in 1..=12 {
        s.push_str(&format!("2020{m:02},1\n"));
    }
    s.push_str("202101,-2\n");
    w.write("pct.csv", s);
    w.ok("periods --series pct.csv --percent --out per.csv");
    let rows = w.rows("per.csv");
    assert_eq!(
        rows[0],
        ["id", "period", "start", "end", "return", "partial"]
    );
    let y2020 = rows.iter().find(|r| r[1] == "2020").unwrap();
    assert!((y2020[4].parse::<f64>().unwrap() - (1.01f64.powi(12) - 1.0)).abs() < 1e-12);
    let ytd = rows.iter().find(|r| r[1] == "YTD").unwrap();
    assert!((ytd[4].parse::<f64>().unwrap() + 0.02).abs() < 1e-12);
    assert_eq!(
        (ytd[2].as_str(), ytd[3].as_str()),
        ("2020-12-31", "2021-01-31")
    );

    w.write(
        "nav.csv",
        "id,date,value\nX,2019-12-31,100\nX,2020-06-30,90\nX,2020-12-31,121\n",
    );
    // irregular gaps (182/184 days) are not a known frequency
    w.fails(
        "periods --series nav.csv --prices --out nav_p.csv",
        &["nav.csv", "cannot tell the frequency"],
    );
}

#[test]
fn periods_on_daily_industry_output_and_when_nothing_can_be_computed() {
    let w = Workdir::new();
    // Daily returns of +1% on the 5 weekdays from Mon 2024-03-04, in a column named as
    // in the industry output: YTD and 1Y from the base 2024-03-03, partial.
    let mut s = String::from("id,date,daily_return\n");
    for day in 4..=8 {
        s.push_str(&format!("I,2024-03-{day:02},0.01\n"));
    }
    w.write("ind.csv", s);
    let msg = w.ok("periods --series ind.csv --column daily_return --out per.csv");
    let rows = w.rows("per.csv");
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (row, period) in rows[1..].iter().zip(["YTD", "1Y"]) {
        assert_eq!(
            (
                row[1].as_str(),
                row[2].as_str(),
                row[3].as_str(),
                row[5].as_str()
            ),
            (period, "2024-03-03", "2024-03-08", "true")
        );
        assert!((row[4].parse::<f64>().unwrap() - (1.01f64.powi(5) - 1.0)).abs() < 1e-12);
    }
    assert!(msg.contains("wrote 2 period returns (2 partial"), "{msg}");

    // Every period spans a missing return: say so, write nothing.
    let mut s = String::from("id,date,value\n");
    for day in [
        "2024-07-01",
        "2024-07-02",
        "2024-07-03",
        "2024-07-04",
        "2024-07-05",
    ] {
        for (id, missing) in [("A", "2024-07-02"), ("B", "2024-07-03")] {
            if day != missing {
                s.push_str(&format!("{id},{day},0.001\n"));
            }
        }
    }
    w.write("gaps.csv", s);
    w.fails(
        "periods --series gaps.csv --out g.csv",
        &[
            "gaps.csv",
            "no period return can be computed: series 'A' misses its return of 2024-07-02 \
           (its observations run from 2024-06-30 to 2024-07-05)",
        ],
    );
    assert!(!w.exists("g.csv"));
}

#[test]
fn demo_writes_a_report_and_reruns() {
    let w = Workdir::new();
    w.ok("demo --out run");
    let html = w.read("run/index.html");
    assert!(html.contains("<svg"), "charts are inlined");
    assert!(html.contains("Industry analytics"));
    assert!(html.contains("Fama-French 12 industry"));
    assert!(html.contains("Returns-based style analysis"));
    assert!(html.contains("Dynamic style analysis vs rolling windows"));
    assert!(html.contains("Fund similarity and peer groups"));
    // Peer groups at the size of the universe, against the exact ones and the truth.
    assert!(html.contains("S* at scale (24 micro-clusters, then average linkage)"));
    assert!(html.contains("cluster --exposures --micro-clusters M"));
    for f in [
        "french_similarity_dendrogram.svg",
        "french_similarity_heatmap.svg",
        "french_correlation_vs_similarity.svg",
        "french_similarity_pairs.csv",
    ] {
        assert!(w.exists(&format!("run/{f}")), "{f} missing");
    }
    assert!(w.exists("run/style/S5M5.svg") && w.exists("run/french_style_exposures.csv"));
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
        assert!(w.exists(&format!("run/{f}")), "{f} missing");
    }
    // every injected bad print was found
    assert!(html.contains("injected bad prints found"));
    let truth = w.rows("run/inputs/truth_outliers.csv").len() - 1;
    assert!(
        html.contains(&format!("{truth} of {truth}")),
        "all {truth} bad prints found"
    );
    demo_finds_the_style_switchers(&w, &html);
    // a second run replaces the first; `report` re-renders the page
    w.ok("demo --out run");
    w.remove("run/index.html");
    w.ok("report run");
    assert!(w.read("run/index.html").contains("<svg"));
    // a foreign non-empty directory is not replaced without --force
    w.mkdir("mine");
    w.write("mine/notes.txt", "precious");
    w.fails("demo --out mine", &["--force"]);
    assert_eq!(w.read("mine/notes.txt"), "precious");
}

/// The demo's peer groups over time: its charts exist, and the funds that change peer
/// group under the charted rule (evolve's transitions.csv) are mostly the universe's
/// known style switchers (switchers.csv's truth columns), as the page says.
fn demo_finds_the_style_switchers(w: &Workdir, html: &str) {
    assert!(html.contains("Peer groups over time"));
    for f in [
        "evolve/synthetic/allocation.svg",
        "evolve/synthetic/stability.svg",
        "evolve/synthetic/transitions.svg",
        "evolve/french/allocation.svg",
        "evolve/french/themes.svg",
    ] {
        assert!(w.exists(&format!("run/{f}")), "{f} missing");
    }
    // switchers.csv: average,fund,true_group,switch_to,... one row per rule and fund
    let truth = w.rows("run/evolve/synthetic/switchers.csv");
    let rule = truth[1][0].clone(); // the first rule, the one charted and headlined
    let switcher: std::collections::HashMap<String, bool> = truth[1..]
        .iter()
        .filter(|r| r[0] == rule)
        .map(|r| (r[1].clone(), !r[3].is_empty()))
        .collect();
    let moved: std::collections::HashSet<String> = w.rows("run/evolve/synthetic/transitions.csv")
        [1..]
        .iter()
        .filter(|r| r[0] == rule)
        .map(|r| r[2].clone())
        .collect();
    let n_sw = switcher.values().filter(|&&s| s).count();
    let n_other = switcher.len() - n_sw;
    let sw_moved = moved.iter().filter(|f| switcher[*f]).count();
    let other_moved = moved.len() - sw_moved;
    assert!(
        n_sw >= 5 && n_other >= 5,
        "{n_sw} switchers, {n_other} others"
    );
    let (sw_share, other_share) = (
        sw_moved as f64 / n_sw as f64,
        other_moved as f64 / n_other as f64,
    );
    assert!(
        sw_share >= 0.8 && other_share <= 0.25,
        "{sw_moved} of {n_sw} switchers and {other_moved} of {n_other} others moved"
    );
    let shown = format!(
        "{sw_moved} of {n_sw} ({:.0}%)</div><div class=\"label\">style switchers that changed peer group ({rule})",
        100.0 * sw_share
    );
    assert!(html.contains(&shown), "the page shows {shown}");
}
