//! `--chart FILE.svg` on every command: the chart is written with the other outputs and
//! shows what it should (the fund's factors, the peers, the node p-values, the largest
//! ids), and a chart path that exists (without --force) or is not `.svg` is refused
//! before any output is written.

mod common;

use std::collections::HashMap;

use common::{col, grouped_features, Workdir};

/// A synthetic universe in `u/` (12 funds, 8 factors, three years of weekly returns).
fn universe(w: &Workdir) {
    w.synth("universe --funds 12 --factors 8 --periods 156 --groups 3 --seed 5 --out u");
}

/// The ids of a wide table's header (after the date column).
fn wide_ids(w: &Workdir, file: &str) -> Vec<String> {
    w.rows(file)[0][1..].to_vec()
}

/// The text of an SVG written by the command, checked to be one.
fn svg(w: &Workdir, file: &str) -> String {
    let s = w.read(file);
    assert!(
        s.starts_with("<svg") || s.starts_with("<?xml"),
        "{file}: {}",
        &s[..s.len().min(80)]
    );
    assert!(s.trim_end().ends_with("</svg>"), "{file} is not closed");
    s
}

#[test]
fn style_charts_the_chosen_fund_with_its_factors_and_r2() {
    let w = Workdir::new();
    universe(&w);
    let funds = wide_ids(&w, "u/funds.csv");
    let factors = wide_ids(&w, "u/factors.csv");
    let base = "style --returns u/funds.csv --factors u/factors.csv --window 52 --step 13";
    w.ok(&format!(
        "{base} --out e.csv --chart s.svg --chart-fund {}",
        funds[1]
    ));
    let s = svg(&w, "s.svg");
    assert!(s.contains(&format!("{}: style exposures and R² over time", funds[1])));
    let exposures = w.rows("e.csv");
    let (fund, factor, beta) = (
        col(&exposures, "fund"),
        col(&exposures, "factor"),
        col(&exposures, "beta"),
    );
    // Every factor the fund holds is in the legend.
    for f in &factors {
        let held = exposures[1..].iter().any(|r| {
            r[fund] == funds[1] && r[factor] == *f && r[beta].parse::<f64>().unwrap() > 0.01
        });
        if held {
            assert!(s.contains(f.as_str()), "factor {f} missing from the chart");
        }
    }
    // Default: the first fund.
    w.ok(&format!("{base} --out e2.csv --chart s2.svg"));
    assert!(svg(&w, "s2.svg").contains(&format!("{}: style exposures", funds[0])));
    // An unknown fund is refused before the fits, and nothing is written.
    w.fails(
        &format!("{base} --out e3.csv --chart s3.svg --chart-fund NOPE"),
        &["--chart-fund 'NOPE'", "u/funds.csv"],
    );
    assert!(!w.exists("e3.csv") && !w.exists("s3.svg"));
}

#[test]
fn similarity_correlation_and_peers_charts() {
    let w = Workdir::new();
    universe(&w);
    let funds = wide_ids(&w, "u/funds.csv");
    w.ok("style --returns u/funds.csv --factors u/factors.csv --out e.csv --fit-out f.csv");
    w.ok("similarity --exposures e.csv --fit f.csv --measure s --factor-attributes u/factor_attributes.csv --out sim.csv --chart h.svg");
    let s = svg(&w, "h.svg");
    assert!(s.contains("(dendrogram order)"), "heat map title");
    for f in &funds {
        assert!(s.contains(f.as_str()), "fund {f} missing from the heat map");
    }

    w.ok("correlation --returns u/funds.csv --window 52 --out corr.csv --chart c.svg");
    let s = svg(&w, "c.svg");
    assert!(
        s.contains("Correlation of the 52 returns to"),
        "correlation title"
    );
    assert!(funds.iter().all(|f| s.contains(f.as_str())));

    w.ok(&format!(
        "peers --similarity sim.csv --fund {} --top 4 --categories u/meta.csv --out p.csv --chart p.svg",
        funds[0]
    ));
    let s = svg(&w, "p.svg");
    assert!(s.contains(&format!("{}: 4 nearest peers", funds[0])));
    let peers = w.rows("p.csv");
    let peer = col(&peers, "peer");
    assert_eq!(peers.len(), 5);
    for r in &peers[1..] {
        assert!(s.contains(r[peer].as_str()), "peer {} missing", r[peer]);
    }
}

#[test]
fn cluster_draws_the_dendrogram_with_p_values_and_the_bic() {
    let w = Workdir::new();
    grouped_features(&w, "features.csv", "id");
    w.ok("cluster --features features.csv --method average --k 3 --bootstrap 30 --seed 1 --pvalues-out pv.csv --out c.csv --chart d.svg");
    let s = svg(&w, "d.svg");
    assert!(s.contains("3 clusters, AU | BP p-values (%)"), "title");
    assert!(s.contains("cut at height"), "the cut");
    // Every node's AU p-value, in percent, is written at the node.
    let pv = w.rows("pv.csv");
    let au = col(&pv, "au");
    for r in &pv[1..] {
        let v = (100.0 * r[au].parse::<f64>().unwrap()).round();
        assert!(s.contains(&format!(">{v}</text>")), "AU {v} not drawn");
    }
    for i in 0..12 {
        assert!(s.contains(&format!("X{i:02}")));
    }

    w.ok("cluster --features features.csv --method gmm --k auto --out g.csv --bic-chart b.svg");
    let s = svg(&w, "b.svg");
    assert!(s.contains("BIC by number of clusters") && s.contains("VVV"));
    // Each chart where it has something to draw, said before any work.
    w.fails(
        "cluster --features features.csv --method kmeans --k 3 --out x.csv --chart x.svg",
        &["--chart needs a hierarchical --method"],
    );
    w.fails(
        "cluster --features features.csv --method average --k 3 --out x.csv --bic-chart x.svg",
        &["--bic-chart needs --method gmm or --k auto with --k-rule bic"],
    );
    assert!(!w.exists("x.csv") && !w.exists("x.svg"));
}

#[test]
fn industry_rank_and_periods_charts() {
    let w = Workdir::new();
    w.synth("industry --classes 30 --days 300 --seed 2 --out i");
    w.ok("industry --data i/industry.csv --out ind.csv --chart tr.svg");
    let s = svg(&w, "tr.svg");
    assert!(s.contains("Total-return index of the 10 largest classes by AUM"));
    // The ten ids largest by AUM on their last date are the lines; the others are not.
    let t = w.rows("ind.csv");
    let (id, aum) = (col(&t, "id"), col(&t, "aum"));
    let mut last: HashMap<String, f64> = HashMap::new();
    for r in &t[1..] {
        last.insert(r[id].clone(), r[aum].parse().unwrap());
    }
    let mut by_aum: Vec<(String, f64)> = last.into_iter().collect();
    by_aum.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    assert!(by_aum.len() > 10);
    for (k, (name, _)) in by_aum.iter().enumerate() {
        let drawn = s.contains(&format!(">{name}</text>"));
        assert_eq!(drawn, k < 10, "{name} (rank {k} by AUM) drawn: {drawn}");
    }

    w.ok("rank --returns ind.csv --top 3 --bottom 2 --out r.csv --chart y.svg");
    let s = svg(&w, "y.svg");
    let r = w.rows("r.csv");
    let (date, rid, side) = (col(&r, "date"), col(&r, "id"), col(&r, "side"));
    let last_date = r[1..].iter().map(|x| x[date].clone()).max().unwrap();
    assert!(s.contains(&format!("YTD return on {last_date}: top 3 and bottom 2")));
    for x in r[1..].iter().filter(|x| x[date] == last_date) {
        assert!(x[side] == "top" || x[side] == "bottom");
        assert!(s.contains(x[rid].as_str()), "{} missing", x[rid]);
    }

    w.ok("periods --returns ind.csv --value-column daily_return --out p.csv --chart pc.svg");
    let s = svg(&w, "pc.svg");
    assert!(s.contains("Period returns (%"));
    let p = w.rows("p.csv");
    let period = col(&p, "period");
    for x in &p[1..] {
        assert!(s.contains(x[period].trim_end_matches('Y')), "{}", x[period]);
    }
}

/// Every command with --chart refuses an existing chart without --force, and a chart
/// that is not `.svg`, before writing anything.
#[test]
fn chart_paths_are_checked_before_any_work() {
    let w = Workdir::new();
    universe(&w);
    grouped_features(&w, "features.csv", "id");
    w.synth("industry --classes 6 --days 30 --seed 2 --out i");
    w.write(
        "sim.csv",
        "date,fund_a,fund_b,similarity\n2020-01-31,A,B,0.5\n",
    );
    w.write("taken.svg", "<svg/>");
    let commands = [
        "style --returns u/funds.csv --factors u/factors.csv",
        "similarity --exposures u/true_betas.csv --factor-attributes u/factor_attributes.csv",
        "correlation --returns u/funds.csv",
        "peers --similarity sim.csv --fund A",
        "cluster --features features.csv --k 2",
        "rate --returns u/funds.csv",
        "industry --data i/industry.csv",
        "rank --returns u/funds.csv",
        "periods --returns u/funds.csv",
    ];
    for cmd in commands {
        w.fails(
            &format!("{cmd} --out x.csv --chart taken.svg"),
            &["taken.svg", "already exists", "--force"],
        );
        w.fails(
            &format!("{cmd} --out x.csv --chart chart.png"),
            &["chart.png", "expected a file name ending in .svg"],
        );
        assert!(!w.exists("x.csv") && !w.exists("chart.png"), "{cmd}");
        assert_eq!(w.read("taken.svg"), "<svg/>", "{cmd}");
    }
    w.write("taken_bic.svg", "<svg/>");
    w.fails(
        "cluster --features features.csv --method gmm --out x.csv --bic-chart taken_bic.svg",
        &["taken_bic.svg", "already exists"],
    );
    assert!(!w.exists("x.csv"));
}

/// The segment commands write their charts into --out and list them in --help.
#[test]
fn segment_help_lists_the_charts() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peergroup"))
        .args(["segment", "investors", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for f in [
        "segments.svg",
        "eda/generation.svg",
        "eda/occupation_pareto.svg",
        "eda/fund_types_aum.svg",
        "eda/weekday.svg",
    ] {
        assert!(help.contains(f), "{f} not in: {help}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peergroup"))
        .args(["segment", "sales", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for f in ["scree.svg", "pca.svg", "tsne.svg", "dendrogram.svg"] {
        assert!(help.contains(f), "{f} not in: {help}");
    }
}
