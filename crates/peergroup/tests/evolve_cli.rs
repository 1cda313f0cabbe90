//! `peergroup evolve` end to end on a `synth universe --dynamic` universe: every file of
//! the issue written with its columns, and bad input refused with exit code 2, naming the
//! flag, with nothing written.

mod common;

use common::{col, Workdir};

const BASE: &str =
    "evolve --exposures u/true_betas.csv --factor-attributes u/factor_attributes.csv";

fn universe() -> Workdir {
    let w = Workdir::new();
    w.synth("universe --funds 40 --factors 6 --periods 60 --groups 3 --seed 4 --dynamic --out u");
    w
}

#[test]
fn writes_every_table_and_chart() {
    let w = universe();
    w.ok(&format!(
        "{BASE} --average ma:1,ma:4,ewma:0.5 --k 3 --horizons 1,4 --returns u/funds.csv \
         --reference u/meta.csv --reference-column category --correlation-window 26 --out out"
    ));
    let expect = [
        ("assignments.csv", "average,date,fund,cluster"),
        ("stability.csv", "average,horizon,stability,n"),
        (
            "transitions.csv",
            "average,date,fund,from_cluster,to_cluster",
        ),
        ("concentration.csv", "average,date,cluster,n_funds,share"),
        ("themes.csv", "average,date,cluster,factor,mean_beta"),
        (
            "themes_by_attribute.csv",
            "average,date,cluster,attribute,label,sum_beta",
        ),
        (
            "portfolios.csv",
            "average,date,group_kind,group,n_funds,next_return,return_date",
        ),
        (
            "dispersion.csv",
            "average,group_kind,dates,within_sd,between_sd",
        ),
        ("agreement.csv", "average,date,against,n_funds,ari,nmi"),
    ];
    for (file, header) in expect {
        let rows = w.rows(&format!("out/{file}"));
        assert_eq!(rows[0].join(","), header, "{file}");
        assert!(rows.len() > 1, "{file} is empty");
    }
    for svg in [
        "allocation.svg",
        "stability.svg",
        "transitions.svg",
        "themes.svg",
        "portfolios.svg",
    ] {
        assert!(w.read(&format!("out/{svg}")).starts_with("<svg"), "{svg}");
    }
    // 60 dates: ma:1 clusters all of them, ma:4 from the 4th date on.
    let a = w.rows("out/assignments.csv");
    let c = col(&a, "average");
    let count = |rule: &str| a[1..].iter().filter(|r| r[c] == rule).count();
    assert_eq!(count("ma:1"), 60 * 40);
    assert_eq!(count("ma:4"), 57 * 40);
    // Stability is a share, and horizon 1 compares every consecutive pair of dates.
    let s = w.rows("out/stability.csv");
    for r in &s[1..] {
        let v: f64 = r[2].parse().unwrap();
        assert!((0.0..=1.0).contains(&v), "{r:?}");
    }
    let ma1_h1 = s[1..]
        .iter()
        .find(|r| r[0] == "ma:1" && r[1] == "1")
        .unwrap();
    assert_eq!(ma1_h1[3], (59 * 40).to_string());
    // Both kinds of portfolio and both kinds of agreement.
    let p = w.rows("out/portfolios.csv");
    assert!(p[1..].iter().any(|r| r[2] == "category"));
    let ag = w.rows("out/agreement.csv");
    assert!(ag[1..].iter().any(|r| r[2] == "reference"));
    assert!(ag[1..].iter().any(|r| r[2] == "correlation"));
    // An existing output is not replaced without --force.
    w.fails(
        &format!("{BASE} --average ma:1 --horizons 1 --out out"),
        &["--force"],
    );
}

#[test]
fn bad_input_names_the_flag_and_writes_nothing() {
    let w = universe();
    let cases: [(&str, &[&str]); 6] = [
        ("--k 0", &["--k"]),
        (
            "--average ma:61 --horizons 1",
            &["--average", "ma:61", "60"],
        ),
        ("--average ma:1 --horizons 60", &["--horizons", "60"]),
        ("--average ma:0", &["--average"]),
        ("--horizons 0", &["--horizons"]),
        ("--average ma:1 --horizons 1 --k 41", &["--k 41"]),
    ];
    for (flags, expect) in cases {
        w.fails(&format!("{BASE} {flags} --out bad"), expect);
        assert!(!w.exists("bad"), "{flags}: something was written");
    }
    w.fails(
        "evolve --exposures u/true_betas.csv --out bad",
        &["--factor-similarity", "--factor-attributes"],
    );
    assert!(!w.exists("bad"));
}

/// Peer groups at scale at every date: with as many micro-clusters as funds the
/// assignments are those of the exact path; settings that need whole matrices are refused
/// by name, with nothing written.
#[test]
fn micro_clusters_at_every_date() {
    let w = universe();
    let flags = "--average current --k 3 --horizons 1,4";
    w.ok(&format!("{BASE} {flags} --out exact"));
    let msg = w.ok(&format!("{BASE} {flags} --micro-clusters 40 --out micro"));
    assert!(!msg.is_empty());
    assert_eq!(
        w.read("exact/assignments.csv"),
        w.read("micro/assignments.csv")
    );
    w.ok(&format!("{BASE} {flags} --micro-clusters 12 --out twelve"));
    assert_eq!(
        w.rows("twelve/assignments.csv").len(),
        w.rows("exact/assignments.csv").len()
    );
    for (extra, expect) in [
        (
            "--average current --k 3 --micro-clusters 12 --method ward",
            "--method average",
        ),
        (
            "--average ma:4 --k 3 --micro-clusters 12",
            "--average current",
        ),
        ("--average current --k auto --micro-clusters 12", "--k N"),
    ] {
        w.fails(&format!("{BASE} {extra} --horizons 1 --out bad"), &[expect]);
        assert!(!w.exists("bad"));
    }
}
