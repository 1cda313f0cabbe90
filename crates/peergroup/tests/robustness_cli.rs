//! `peergroup robustness` end to end: the table, the printed summary and the chart; the
//! same seed gives the same file whatever --threads; bad inputs exit 2 naming the flag
//! and write nothing.

mod common;

use common::Workdir;

const BASE: &str =
    "robustness --exposures e.csv --fit f.csv --factor-attributes u/factor_attributes.csv";

fn universe() -> Workdir {
    let w = Workdir::new();
    w.synth("universe --funds 40 --factors 8 --periods 120 --groups 4 --seed 3 --out u");
    w.ok("style --funds u/funds.csv --factors u/factors.csv --out e.csv --fit-out f.csv");
    w
}

#[test]
fn writes_draws_summary_and_chart() {
    let w = universe();
    let msg = w.ok(&format!(
        "{BASE} --perturb 0.1,0.5 --draws 12 --k 4 --seed 5 --out r.csv --chart r.svg"
    ));
    let rows = w.rows("r.csv");
    assert_eq!(rows[0], ["perturb", "draw", "share_changed"]);
    assert_eq!(rows.len() - 1, 24);
    assert_eq!(rows[1][..2], ["0.1", "1"]);
    assert_eq!(rows[24][..2], ["0.5", "12"]);
    for r in &rows[1..] {
        let s: f64 = r[2].parse().unwrap();
        // a share of 40 funds
        assert!((0.0..=1.0).contains(&s) && (s * 40.0 - (s * 40.0).round()).abs() < 1e-9);
    }
    assert!(
        msg.contains("40 funds on") && msg.contains("in 4 clusters"),
        "{msg}"
    );
    for p in ["p = 0.1:", "p = 0.5:"] {
        assert!(msg.contains(p) && msg.contains("95th percentile"), "{msg}");
    }
    let svg = w.read("r.svg");
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{svg}");
    assert!(svg.contains("share of funds changing group") && svg.contains("mean"));
    // Same seed, one thread or two: the same file.
    w.ok(&format!(
        "{BASE} --perturb 0.1,0.5 --draws 12 --k 4 --seed 5 --threads 1 --out r1.csv"
    ));
    assert_eq!(w.bytes("r.csv"), w.bytes("r1.csv"));
    // A factor-similarity matrix works too; the date defaults to the last.
    let factors = &w.rows("u/factor_attributes.csv")[1..];
    let mut m = String::from("factor");
    for f in factors {
        m.push_str(&format!(",{}", f[0]));
    }
    m.push('\n');
    for (i, f) in factors.iter().enumerate() {
        m.push_str(&f[0]);
        for j in 0..factors.len() {
            m.push_str(if i == j { ",1" } else { ",0.5" });
        }
        m.push('\n');
    }
    w.write("sx.csv", m);
    let msg = w.ok("robustness --exposures e.csv --factor-similarity sx.csv --draws 3 --k 3 --method ward --out m.csv");
    assert_eq!(w.rows("m.csv").len() - 1, 6, "default --perturb 0.1,0.3");
    assert!(msg.contains("in 3 clusters"), "{msg}");
}

#[test]
fn bad_inputs_exit_2_and_write_nothing() {
    let w = universe();
    let last = w.rows("e.csv").last().unwrap()[1].clone();
    for (args, expect) in [
        ("--perturb 0", vec!["--perturb", "(0, 1)"]),
        ("--perturb 0.1,1", vec!["--perturb", "(0, 1)"]),
        ("--perturb 1.5", vec!["--perturb", "(0, 1)"]),
        ("--draws 0", vec!["--draws must be at least 1, got 0"]),
        ("--draws 1 --draws 2", vec!["--draws"]),
        ("--k 0", vec!["--k", "positive number of clusters"]),
        (
            "--k 41",
            vec!["--k 41 is larger than the number of objects (40)"],
        ),
        (
            "--date 1999-01-01",
            vec!["e.csv", "no exposures dated 1999-01-01", &last],
        ),
        ("--date 2020-13-01", vec!["--date"]),
    ] {
        let k = if args.contains("--k ") { "" } else { "--k 3" };
        let draws = if args.contains("--draws ") {
            ""
        } else {
            "--draws 2"
        };
        w.fails(
            &format!("{BASE} {k} {draws} {args} --out bad.csv --chart bad.svg"),
            &expect,
        );
        assert!(!w.exists("bad.csv") && !w.exists("bad.svg"), "{args}");
    }
    w.fails(
        "robustness --exposures e.csv --draws 2 --out bad.csv",
        &["--factor-similarity", "--factor-attributes"],
    );
    w.fails(
        "robustness --exposures missing.csv --factor-attributes u/factor_attributes.csv --out bad.csv",
        &["missing.csv"],
    );
    assert!(!w.exists("bad.csv"));
}
