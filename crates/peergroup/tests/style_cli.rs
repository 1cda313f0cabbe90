//! `peergroup style` and `peergroup synth universe` end to end, and their bad inputs.

mod common;

use common::Workdir;

/// The style command on the synthetic universe in `u/`.
const STYLE: &str = "style --funds u/funds.csv --factors u/factors.csv";

/// Noise-free synthetic universe: whole-sample Sharpe recovers the true betas exactly;
/// rolling, stepwise, OLS (with CASH) and DSA all run and write what they promise.
#[test]
fn style_on_a_synthetic_universe() {
    let w = Workdir::new();
    w.synth("universe --funds 12 --factors 8 --periods 156 --groups 3 --r2 1,1 --seed 5 --out u");
    for f in [
        "factors.csv",
        "funds.csv",
        "meta.csv",
        "true_betas.csv",
        "factor_attributes.csv",
    ] {
        assert!(w.exists(&format!("u/{f}")), "{f}");
    }
    assert_eq!(w.rows("u/meta.csv")[0], ["id", "category", "true_group"]);
    assert_eq!(
        w.rows("u/factor_attributes.csv")[0],
        ["factor", "asset_class", "sector", "region"]
    );
    let msg = w.ok(&format!("{STYLE} --out e.csv --fit-out f.csv"));
    assert!(
        msg.contains("12 funds × 8 factors on 156 common dates"),
        "{msg}"
    );
    let truth = w.rows("u/true_betas.csv");
    let est = w.rows("e.csv");
    assert_eq!(est[0], ["fund", "date", "factor", "beta"]);
    assert_eq!(est.len(), truth.len());
    for (a, b) in est[1..].iter().zip(&truth[1..]) {
        assert_eq!(&a[..3], &b[..3]);
        let (x, y): (f64, f64) = (a[3].parse().unwrap(), b[3].parse().unwrap());
        assert!((x - y).abs() < 1e-8, "{a:?} vs {b:?}");
    }
    let fit = w.rows("f.csv");
    assert_eq!(
        fit[0],
        [
            "fund",
            "date",
            "r2",
            "adj_r2",
            "tracking_error",
            "n_obs",
            "lambda",
            "predicted_r2"
        ]
    );
    assert!(fit[1..]
        .iter()
        .all(|r| (r[2].parse::<f64>().unwrap() - 1.0).abs() < 1e-9
            && r[5] == "156"
            && r[6].is_empty()));

    w.ok(&format!(
        "{STYLE} --window 52 --step 4 --select stepwise --out r.csv --fit-out rf.csv"
    ));
    // windows end at 52, 56, ..., 156 → 27 per fund
    assert_eq!(w.rows("rf.csv").len() - 1, 12 * 27);
    w.ok(&format!("{STYLE} --method ols --out o.csv"));
    let o = w.rows("o.csv");
    let cash: Vec<_> = o[1..].iter().filter(|r| r[2] == "CASH").collect();
    assert_eq!(cash.len(), 12);
    for c in cash {
        assert!(
            c[3].parse::<f64>().unwrap().abs() < 1e-8,
            "noise-free funds hold no cash: {c:?}"
        );
    }
    w.ok(&format!(
        "{STYLE} --method dsa --lambda 1000 --out d.csv --fit-out df.csv"
    ));
    let d = w.rows("df.csv");
    assert_eq!(d[1][6].parse::<f64>().unwrap(), 1000.0);
    assert_eq!(
        w.rows("d.csv").len() - 1,
        12 * 156 * 8,
        "DSA reports every date"
    );
}

#[test]
fn style_bad_inputs() {
    let w = Workdir::new();
    w.synth("universe --funds 4 --factors 5 --periods 60 --groups 2 --seed 2 --out u");
    let factors = w.read("u/factors.csv");
    let cases: &[(&str, &[&str])] = &[
        (
            "--window 5",
            &[
                "window of 5 observations is too short for 5 factors",
                "at least 6",
            ],
        ),
        (
            "--window 61",
            &["share 60", "a window of 61 observations needs at least 61"],
        ),
        ("--method dsa --lambda 0", &["--lambda", "positive"]),
        ("--method dsa --lambda -3", &["positive"]),
        ("--step 0", &["--step"]),
    ];
    for (extra, expect) in cases {
        w.fails(&format!("{STYLE} --out x.csv {extra}"), expect);
        assert!(!w.exists("x.csv"));
    }
    // a constant factor, and a duplicated factor
    let mut lines: Vec<String> = factors.lines().map(str::to_string).collect();
    lines[0].push_str(",Flat,Twin");
    for l in lines.iter_mut().skip(1) {
        let first = l.split(',').nth(1).unwrap().to_string();
        l.push_str(&format!(",0.001,{first}"));
    }
    w.write("bad_factors.csv", lines.join("\n"));
    w.fails(
        "style --funds u/funds.csv --factors bad_factors.csv --out x.csv",
        &["bad_factors.csv", "column 'Flat'", "constant"],
    );
    let no_flat: Vec<String> = lines
        .iter()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(cells.len() - 2);
            cells.join(",")
        })
        .collect();
    w.write("dup_factors.csv", no_flat.join("\n"));
    w.fails(
        "style --funds u/funds.csv --factors dup_factors.csv --out x.csv",
        &["column 'Twin'", "duplicates factor"],
    );
    // dates that barely overlap: the message counts them
    let shifted: Vec<String> = factors
        .lines()
        .enumerate()
        .filter(|(i, _)| *i == 0 || *i > 55)
        .map(|(_, l)| l.to_string())
        .collect();
    w.write("late_factors.csv", shifted.join("\n"));
    w.fails(
        "style --funds u/funds.csv --factors late_factors.csv --out x.csv",
        &[
            "u/funds.csv has 60 dates, late_factors.csv has 5",
            "share 5",
            "needs at least 6",
        ],
    );
    // a fund with no returns at all
    let funds = w.read("u/funds.csv");
    let emptied: Vec<String> = funds
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l},Ghost")
            } else {
                format!("{l},")
            }
        })
        .collect();
    w.write("ghost.csv", emptied.join("\n"));
    w.fails(
        "style --funds ghost.csv --factors u/factors.csv --out x.csv",
        &["ghost.csv", "fund 'Ghost' has no returns"],
    );
}
