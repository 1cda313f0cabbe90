//! `peergroup rate` and `peergroup synth garch` end to end: the table of METHODS §5, known
//! parameters found again, unit invariance, failures reported per fund, and bad input.

mod common;

use common::{col, Workdir};

const HEADER: [&str; 18] = [
    "fund",
    "gain",
    "v_min",
    "v_standard",
    "v_turmoil",
    "risk",
    "gain_level",
    "risk_level",
    "stars",
    "mu",
    "gamma",
    "alpha",
    "beta",
    "delta",
    "loglik",
    "arch_lm_pvalue",
    "converged",
    "note",
];

/// A working directory holding a synthetic GARCH universe of `funds` funds and `periods`
/// daily returns in `g/`.
fn garch_universe(funds: usize, periods: usize) -> Workdir {
    let w = Workdir::new();
    w.synth(&format!(
        "garch --funds {funds} --periods {periods} --seed 3 --out g"
    ));
    w
}

#[test]
fn synthetic_universe_is_rated_with_the_spec_table() {
    let w = garch_universe(30, 1500);
    let err = w.ok("rate --series g/returns.csv --chart r.svg --details p.csv --out r.csv");
    let p = w.rows("p.csv");
    assert_eq!(
        p[0],
        [
            "fund",
            "model",
            "parameter",
            "estimate",
            "robust_se",
            "t_stat",
            "estimated"
        ]
    );
    assert_eq!(p.len(), 1 + 30 * 2 * 5);
    // A parameter dropped by its t-test was estimated in the unrestricted model with
    // |t| < 1.96; β also goes when α and δ both went (it is then not identified).
    for w in p[1..].chunks(10) {
        let no_shock_terms = w[7][6] == "false" && w[9][6] == "false";
        for k in 2..5 {
            let (u, f) = (&w[k], &w[5 + k]);
            if f[6] == "false" && u[6] == "true" && !(k == 3 && no_shock_terms) {
                assert!(
                    u[5].parse::<f64>().map_or(true, |t| t.abs() < 1.96),
                    "{u:?}"
                );
            }
        }
    }
    assert!(err.contains("rated 30 of 30 funds"), "{err}");
    let t = w.rows("r.csv");
    assert_eq!(t[0], HEADER);
    assert_eq!(t.len(), 31);
    let truth = w.rows("g/truth.csv");
    let (kind, stars, gl, rl) = (
        col(&truth, "kind"),
        col(&t, "stars"),
        col(&t, "gain_level"),
        col(&t, "risk_level"),
    );
    let (alpha, delta) = (col(&t, "alpha"), col(&t, "delta"));
    let mut turmoil_found = 0;
    for (row, tr) in t[1..].iter().zip(&truth[1..]) {
        assert_eq!(row[0], tr[0]);
        let s: u8 = row[stars].parse().unwrap();
        let expect = match (row[gl].as_str(), row[rl].as_str()) {
            ("low", "high") => 1,
            ("low", _) => 2,
            ("medium", "high") | ("medium", "medium") | ("high", "high") => 3,
            ("medium", "low") | ("high", "medium") => 4,
            ("high", "low") => 5,
            other => panic!("{other:?}"),
        };
        assert_eq!(s, expect);
        let (a, dl): (f64, f64) = (row[alpha].parse().unwrap(), row[delta].parse().unwrap());
        match tr[kind].as_str() {
            "at_garch" => turmoil_found += usize::from(dl > 0.0),
            // Constant-variance funds: no ARCH term survives in most of them.
            "no_arch" => assert!(a < 0.05 && dl.abs() < 0.1, "{row:?}"),
            _ => {}
        }
    }
    assert!(
        turmoil_found >= 10,
        "δ found in {turmoil_found} of 15 turmoil funds"
    );
    let svg = w.read("r.svg");
    assert!(svg.starts_with("<svg") && svg.contains("stars"));

    // Compare with an "external" rating equal to ours but one fund moved by two stars.
    let mut ext = String::from("fund,stars\n");
    for (k, row) in t[1..].iter().enumerate() {
        let s: u8 = row[stars].parse().unwrap();
        let s = if k == 0 {
            if s > 2 {
                s - 2
            } else {
                s + 2
            }
        } else {
            s
        };
        ext.push_str(&format!("{},{s}\n", row[0]));
    }
    w.write("ext.csv", ext);
    let err = w.ok("rate --series g/returns.csv --external ext.csv --out r2.csv");
    assert!(err.contains("97% equal, 97% within one star"), "{err}");
    let c = w.rows("r2_external.csv");
    assert_eq!(c[0], ["ours", "external", "count", "value"]);
    let share = c.iter().find(|r| r[0] == "share_equal").unwrap();
    assert_eq!(share[2], "30");
    assert!((share[3].parse::<f64>().unwrap() - 29.0 / 30.0).abs() < 1e-12);
    let cells: i64 = c[1..26].iter().map(|r| r[2].parse::<i64>().unwrap()).sum();
    assert_eq!(cells, 30);
}

#[test]
fn percent_input_gives_the_same_rating() {
    let w = garch_universe(12, 800);
    let t = w.rows("g/returns.csv");
    let mut pct = t[0].join(",") + "\n";
    for r in &t[1..] {
        let vals: Vec<String> = r[1..]
            .iter()
            .map(|v| format!("{}", v.parse::<f64>().unwrap() * 100.0))
            .collect();
        pct.push_str(&format!("{},{}\n", r[0], vals.join(",")));
    }
    w.write("pct.csv", pct);
    w.ok("rate --series g/returns.csv --out a.csv");
    w.ok("rate --series pct.csv --percent --out b.csv");
    let (a, b) = (w.rows("a.csv"), w.rows("b.csv"));
    for (x, y) in a[1..].iter().zip(&b[1..]) {
        assert_eq!(x[8], y[8], "stars of {}", x[0]);
        for k in [11, 12, 13] {
            let (p, q): (f64, f64) = (x[k].parse().unwrap(), y[k].parse().unwrap());
            assert!((p - q).abs() < 1e-6, "{} {}: {p} vs {q}", x[0], HEADER[k]);
        }
    }
}

#[test]
fn optimiser_failures_are_reported_and_the_others_rated() {
    let w = garch_universe(20, 1000);
    // Six iterations are too few for some funds, enough for others.
    let err = w.ok("rate --series g/returns.csv --max-iter 6 --out r.csv");
    assert!(err.contains("did not converge"), "{err}");
    let t = w.rows("r.csv");
    let (conv, stars, note) = (col(&t, "converged"), col(&t, "stars"), col(&t, "note"));
    let failed: Vec<_> = t[1..].iter().filter(|r| r[conv] == "false").collect();
    assert!(
        !failed.is_empty() && failed.len() < 18,
        "{} failed",
        failed.len()
    );
    for r in &failed {
        assert_eq!(r[stars], "");
        assert!(r[note].contains("optimiser did not converge"), "{r:?}");
    }
    assert!(t[1..]
        .iter()
        .filter(|r| r[conv] == "true")
        .all(|r| !r[stars].is_empty()));
}

/// A wide returns file: `funds` columns of `n` business-day returns from `f(fund, t)`.
fn wide(w: &Workdir, name: &str, funds: usize, n: usize, f: impl Fn(usize, usize) -> String) {
    let mut s = String::from("date");
    for i in 0..funds {
        s.push_str(&format!(",F{i}"));
    }
    s.push('\n');
    let mut day = 0;
    let mut t = 0;
    while t < n {
        // 2020-01-06 is a Monday; skip weekends.
        if day % 7 < 5 {
            let date = peergroup::data::Date::from_ymd(2020, 1, 6)
                .unwrap()
                .add_days(day);
            s.push_str(&date.to_string());
            for i in 0..funds {
                s.push(',');
                s.push_str(&f(i, t));
            }
            s.push('\n');
            t += 1;
        }
        day += 1;
    }
    w.write(name, s);
}

fn noise(i: usize, t: usize) -> f64 {
    // A deterministic, irregular sequence in about ±1%.
    let x = ((t * 7919 + i * 104_729) % 10_007) as f64 / 10_007.0;
    0.02 * (x - 0.5) + 0.0002
}

/// A price near 100 that moves by [`noise`].
fn price(i: usize, t: usize) -> String {
    format!("{}", 100.0 + noise(i, t))
}

/// Runs `rate` on `file` with `extra` options; checks exit 2, the message parts, and no
/// output.
fn rate_fails(w: &Workdir, file: &str, extra: &str, expect: &[&str]) {
    w.fails(&format!("rate --series {file} --out r.csv {extra}"), expect);
    assert!(!w.exists("r.csv"), "no partial output");
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let w = Workdir::new();
    wide(&w, "short.csv", 3, 120, |i, t| noise(i, t).to_string());
    rate_fails(
        &w,
        "short.csv",
        "",
        &[
            "short.csv",
            "fund 'F0'",
            "120 returns",
            "at least 250",
            "--min-obs",
        ],
    );

    wide(&w, "flat.csv", 3, 300, |i, t| {
        if i == 1 {
            "0.001".into()
        } else {
            noise(i, t).to_string()
        }
    });
    rate_fails(&w, "flat.csv", "", &["fund 'F1'", "all returns are equal"]);

    wide(&w, "gap.csv", 3, 300, |i, t| {
        if i == 2 && t == 150 {
            String::new()
        } else {
            noise(i, t).to_string()
        }
    });
    rate_fails(
        &w,
        "gap.csv",
        "",
        &["gap.csv", "fund 'F2' has no return on", "unbroken series"],
    );

    wide(&w, "prices.csv", 3, 300, |i, t| {
        if i == 0 && t == 40 {
            "-3".into()
        } else {
            price(i, t)
        }
    });
    rate_fails(
        &w,
        "prices.csv",
        "--prices",
        &["prices.csv", "line 42", "F0", "positive price"],
    );

    wide(&w, "navs.csv", 3, 300, price);
    rate_fails(
        &w,
        "navs.csv",
        "",
        // NAVs read as returns break the returns rule at their first cell (issue 20).
        &[
            "navs.csv",
            "line 2",
            "column 'F0'",
            "at most 10",
            "--prices",
        ],
    );

    wide(&w, "good.csv", 4, 600, |i, t| noise(i, t).to_string());
    w.write("ext.csv", "fund,stars\nF0,3\nF1,7\n");
    rate_fails(
        &w,
        "good.csv",
        "--external ext.csv",
        &[
            "ext.csv",
            "line 3",
            "stars",
            "expected stars 1 to 5, found '7'",
        ],
    );
    assert!(!w.exists("r_external.csv"));
    let bad_options: [(&str, &[&str]); 6] = [
        // the shared series flags: prices are never in percent
        (
            "--prices --percent",
            &["--prices", "cannot be used with", "--percent"],
        ),
        (
            "--threshold-quantile 0.7",
            &["--threshold-quantile must lie in (0, 0.5)"],
        ),
        // --comparison-out is the old name of --agreement-out, --external of --reference
        (
            "--comparison-out c.csv",
            &["--agreement-out needs --reference"],
        ),
        (
            "--agreement-out c.csv",
            &["--agreement-out needs --reference"],
        ),
        ("--significance 1.5", &["--significance must lie in (0, 1)"]),
        ("--arch-lags 0", &["--arch-lags must be at least 1"]),
    ];
    for (extra, expect) in bad_options {
        rate_fails(&w, "good.csv", extra, expect);
    }
    w.write("twice.csv", "fund,stars\nF0,3\nF0,4\n");
    rate_fails(
        &w,
        "good.csv",
        "--external twice.csv",
        &["twice.csv", "line 3", "fund 'F0' is rated twice"],
    );
}
