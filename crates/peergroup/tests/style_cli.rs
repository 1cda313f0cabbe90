//! `peergroup style` and `peergroup synth universe` end to end, and their bad inputs.

mod common;

use common::{ok, rows, run};

/// Noise-free synthetic universe: whole-sample Sharpe recovers the true betas exactly;
/// rolling, stepwise, OLS (with CASH) and DSA all run and write what they promise.
#[test]
fn style_on_a_synthetic_universe() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(
        &[
            "synth",
            "universe",
            "--funds",
            "12",
            "--factors",
            "8",
            "--periods",
            "156",
            "--groups",
            "3",
            "--r2",
            "1,1",
            "--seed",
            "5",
            "--out",
            "u",
        ],
        p,
    );
    for f in [
        "factors.csv",
        "funds.csv",
        "meta.csv",
        "true_betas.csv",
        "factor_attributes.csv",
    ] {
        assert!(p.join("u").join(f).exists(), "{f}");
    }
    assert_eq!(
        rows(&p.join("u/meta.csv"))[0],
        ["id", "category", "true_group"]
    );
    assert_eq!(
        rows(&p.join("u/factor_attributes.csv"))[0],
        ["factor", "asset_class", "sector", "region"]
    );
    let msg = ok(
        &[
            "style",
            "--funds",
            "u/funds.csv",
            "--factors",
            "u/factors.csv",
            "--out",
            "e.csv",
            "--fit-out",
            "f.csv",
        ],
        p,
    );
    assert!(
        msg.contains("12 funds × 8 factors on 156 common dates"),
        "{msg}"
    );
    let truth = rows(&p.join("u/true_betas.csv"));
    let est = rows(&p.join("e.csv"));
    assert_eq!(est[0], ["fund", "date", "factor", "beta"]);
    assert_eq!(est.len(), truth.len());
    for (a, b) in est[1..].iter().zip(&truth[1..]) {
        assert_eq!(&a[..3], &b[..3]);
        let (x, y): (f64, f64) = (a[3].parse().unwrap(), b[3].parse().unwrap());
        assert!((x - y).abs() < 1e-8, "{a:?} vs {b:?}");
    }
    let fit = rows(&p.join("f.csv"));
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

    ok(
        &[
            "style",
            "--funds",
            "u/funds.csv",
            "--factors",
            "u/factors.csv",
            "--window",
            "52",
            "--step",
            "4",
            "--select",
            "stepwise",
            "--out",
            "r.csv",
            "--fit-out",
            "rf.csv",
        ],
        p,
    );
    // windows end at 52, 56, ..., 156 → 27 per fund
    assert_eq!(rows(&p.join("rf.csv")).len() - 1, 12 * 27);
    ok(
        &[
            "style",
            "--funds",
            "u/funds.csv",
            "--factors",
            "u/factors.csv",
            "--method",
            "ols",
            "--out",
            "o.csv",
        ],
        p,
    );
    let o = rows(&p.join("o.csv"));
    let cash: Vec<_> = o[1..].iter().filter(|r| r[2] == "CASH").collect();
    assert_eq!(cash.len(), 12);
    for c in cash {
        assert!(
            c[3].parse::<f64>().unwrap().abs() < 1e-8,
            "noise-free funds hold no cash: {c:?}"
        );
    }
    ok(
        &[
            "style",
            "--funds",
            "u/funds.csv",
            "--factors",
            "u/factors.csv",
            "--method",
            "dsa",
            "--lambda",
            "1000",
            "--out",
            "d.csv",
            "--fit-out",
            "df.csv",
        ],
        p,
    );
    let d = rows(&p.join("df.csv"));
    assert_eq!(d[1][6].parse::<f64>().unwrap(), 1000.0);
    assert_eq!(
        rows(&p.join("d.csv")).len() - 1,
        12 * 156 * 8,
        "DSA reports every date"
    );
}

#[test]
fn style_bad_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(
        &[
            "synth",
            "universe",
            "--funds",
            "4",
            "--factors",
            "5",
            "--periods",
            "60",
            "--groups",
            "2",
            "--seed",
            "2",
            "--out",
            "u",
        ],
        p,
    );
    let factors = std::fs::read_to_string(p.join("u/factors.csv")).unwrap();
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["--window", "5"],
            vec![
                "window of 5 observations is too short for 5 factors",
                "at least 6",
            ],
        ),
        (
            vec!["--window", "61"],
            vec!["share 60", "a window of 61 observations needs at least 61"],
        ),
        (
            vec!["--method", "dsa", "--lambda", "0"],
            vec!["--lambda", "positive"],
        ),
        (vec!["--method", "dsa", "--lambda", "-3"], vec!["positive"]),
        (vec!["--step", "0"], vec!["--step"]),
    ];
    for (extra, expect) in cases {
        let mut args = vec![
            "style",
            "--funds",
            "u/funds.csv",
            "--factors",
            "u/factors.csv",
            "--out",
            "x.csv",
        ];
        args.extend(extra.iter());
        let (code, err) = run(&args, p);
        assert_eq!(code, 2, "{extra:?}: {err}");
        for e in expect {
            assert!(err.contains(e), "{extra:?}: expected '{e}' in {err}");
        }
        assert!(!p.join("x.csv").exists());
    }
    // a constant factor, and a duplicated factor
    let mut lines: Vec<String> = factors.lines().map(str::to_string).collect();
    lines[0].push_str(",Flat,Twin");
    for l in lines.iter_mut().skip(1) {
        let first = l.split(',').nth(1).unwrap().to_string();
        l.push_str(&format!(",0.001,{first}"));
    }
    std::fs::write(p.join("bad_factors.csv"), lines.join("\n")).unwrap();
    let (code, err) = run(
        &[
            "style",
            "--funds",
            "u/funds.csv",
            "--factors",
            "bad_factors.csv",
            "--out",
            "x.csv",
        ],
        p,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("bad_factors.csv")
            && err.contains("column 'Flat'")
            && err.contains("constant"),
        "{err}"
    );
    let no_flat: Vec<String> = lines
        .iter()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(cells.len() - 2);
            cells.join(",")
        })
        .collect();
    std::fs::write(p.join("dup_factors.csv"), no_flat.join("\n")).unwrap();
    let (code, err) = run(
        &[
            "style",
            "--funds",
            "u/funds.csv",
            "--factors",
            "dup_factors.csv",
            "--out",
            "x.csv",
        ],
        p,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("column 'Twin'") && err.contains("duplicates factor"),
        "{err}"
    );
    // dates that barely overlap: the message counts them
    let shifted: Vec<String> = factors
        .lines()
        .enumerate()
        .filter(|(i, _)| *i == 0 || *i > 55)
        .map(|(_, l)| l.to_string())
        .collect();
    std::fs::write(p.join("late_factors.csv"), shifted.join("\n")).unwrap();
    let (code, err) = run(
        &[
            "style",
            "--funds",
            "u/funds.csv",
            "--factors",
            "late_factors.csv",
            "--out",
            "x.csv",
        ],
        p,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("u/funds.csv has 60 dates, late_factors.csv has 5")
            && err.contains("share 5")
            && err.contains("needs at least 6"),
        "{err}"
    );
    // a fund with no returns at all
    let funds = std::fs::read_to_string(p.join("u/funds.csv")).unwrap();
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
    std::fs::write(p.join("ghost.csv"), emptied.join("\n")).unwrap();
    let (code, err) = run(
        &[
            "style",
            "--funds",
            "ghost.csv",
            "--factors",
            "u/factors.csv",
            "--out",
            "x.csv",
        ],
        p,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("ghost.csv") && err.contains("fund 'Ghost' has no returns"),
        "{err}"
    );
}
