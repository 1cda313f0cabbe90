//! The plausibility rules (README "Plausibility rules"): an absurd but finite value is
//! an error naming the cell and the flag that allows it, never a panic, a NaN or a broken
//! constraint in the output.

mod common;

use common::Workdir;

/// Replace the value in data line `line` (1-based, header = line 1) and column `col`
/// (0-based) of the CSV `from`, writing it as `to`.
fn set_cell(w: &Workdir, from: &str, to: &str, line: usize, col: usize, value: &str) {
    let text = w.read(from);
    let mut out = String::new();
    for (i, l) in text.lines().enumerate() {
        if i + 1 == line {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells[col] = value;
            out.push_str(&cells.join(","));
        } else {
            out.push_str(l);
        }
        out.push('\n');
    }
    w.write(to, out);
}

/// No file whose name starts with `prefix` is left in the working directory.
fn nothing_written(w: &Workdir, prefix: &str) {
    let left: Vec<String> = std::fs::read_dir(w.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.starts_with(prefix))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn rate_refuses_a_huge_return_and_never_panics() {
    let w = Workdir::new();
    w.synth("garch --funds 5 --periods 300 --seed 1 --out g");
    for value in ["1e300", "1e160"] {
        set_cell(&w, "g/returns.csv", "g/bad.csv", 10, 2, value);
        w.fails(
            "rate --returns g/bad.csv --out r.csv",
            &[
                "g/bad.csv",
                "line 10",
                "column 'G0002'",
                &format!("found {value}"),
                "at most 10 (+1,000% per period)",
                "--max-return",
            ],
        );
        // With the bound lifted the fund's variance overflows: an error naming the
        // fund (exit 2), not the optimiser's panic (exit 101).
        w.fails(
            "rate --returns g/bad.csv --max-return 1e301 --out r.csv",
            &[
                "g/bad.csv",
                "fund 'G0002'",
                "too large for the variance model",
            ],
        );
        nothing_written(&w, "r.csv");
    }
}

/// Daily prices of two funds: 300 business-day-like dates, a steady 0.1% a day.
fn prices(w: &Workdir, bad: Option<&str>) {
    let mut s = String::from("date,A,B\n");
    let start = 18_000; // days since 1970: a date in 2019
    for k in 0..300 {
        let d = time_text(start + k);
        let a = 100.0 * 1.001f64.powi(k as i32);
        let b = match (k, bad) {
            (150, Some(v)) => v.to_string(),
            _ => format!("{}", 50.0 * 0.999f64.powi(k as i32)),
        };
        s.push_str(&format!("{d},{a},{b}\n"));
    }
    w.write("prices.csv", s);
}

/// `days` since 1970-01-01 as YYYY-MM-DD (civil-from-days).
fn time_text(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[test]
fn a_huge_price_is_an_implied_return_error_naming_series_date_and_both_prices() {
    let w = Workdir::new();
    prices(&w, Some("1e300"));
    let err = w.fails(
        "rate --returns prices.csv --prices --out r.csv",
        &[
            "prices.csv",
            "line 152",
            "series 'B'",
            "the price 1e300 on",
            "implies a return of",
            "check the price units",
            "--max-return",
        ],
    );
    assert!(err.contains("(line 151)"), "{err}");
    nothing_written(&w, "r.csv");
    // A price falling to almost nothing is as implausible the other way.
    prices(&w, Some("1e-300"));
    w.fails(
        "periods --returns prices.csv --prices --out p.csv",
        &["series 'B'", "the price 1e-300", "outside -100%"],
    );
    prices(&w, None);
    w.ok("periods --returns prices.csv --prices --out p.csv");
}

#[test]
fn percent_files_are_bounded_after_scaling_and_said_in_percent() {
    let w = Workdir::new();
    let mut s = String::from("id,date,value\n");
    for m in 1..=12 {
        let v = if m == 5 { "5000" } else { "1.5" };
        s.push_str(&format!("A,2020-{m:02},{v}\n"));
    }
    w.write("pct.csv", s);
    w.fails(
        "periods --returns pct.csv --percent --out p.csv",
        &[
            "pct.csv",
            "line 6",
            "column 'value'",
            "at most 1000 (+1,000% per period), found 5000",
            "percent",
        ],
    );
    w.ok("periods --returns pct.csv --percent --max-return 60 --out p.csv");
}

#[test]
fn max_return_must_be_a_positive_fraction() {
    let w = Workdir::new();
    w.write("r.csv", "id,date,value\nA,2020-01,0.01\nA,2020-02,0.02\n");
    for bad in ["0", "abc", "inf", "NaN"] {
        w.fails(
            &format!("periods --returns r.csv --max-return {bad} --out p.csv"),
            &["--max-return", "positive number"],
        );
    }
}

#[test]
fn style_refuses_a_huge_return_instead_of_breaking_the_budget() {
    let w = Workdir::new();
    w.synth("universe --funds 30 --factors 6 --periods 150 --seed 2 --out u");
    set_cell(&w, "u/funds.csv", "u/bad.csv", 20, 3, "1e300");
    w.fails(
        "style --returns u/bad.csv --factors u/factors.csv --out s.csv --fit-out f.csv",
        &["u/bad.csv", "line 20", "found 1e300", "--max-return"],
    );
    // With the bound lifted the fund's moments overflow: named, not fitted to betas of 0.
    let err = w.fails(
        "style --returns u/bad.csv --factors u/factors.csv --max-return 1e301 --out s.csv --fit-out f.csv",
        &["u/bad.csv", "too large for a fit"],
    );
    assert!(!err.contains("NaN"), "{err}");
    nothing_written(&w, "s.csv");
    nothing_written(&w, "f.csv");
}

#[test]
fn periods_never_print_an_overflowing_return() {
    let w = Workdir::new();
    w.write(
        "r.csv",
        "id,date,value\nA,2020-01,0.01\nA,2020-02,1e300\nA,2020-03,0.01\n",
    );
    w.fails(
        "periods --returns r.csv --out p.csv",
        &["r.csv", "line 3", "found 1e300", "--max-return"],
    );
    // Within a raised bound, 260 daily returns of +99,900% compound past f64.
    let mut s = String::from("id,date,value\n");
    for k in 0..400 {
        s.push_str(&format!("A,{},999\n", time_text(18_262 + k)));
    }
    w.write("daily.csv", s);
    let err = w.fails(
        "periods --returns daily.csv --max-return 1000 --out p.csv",
        &["daily.csv", "series 'A'", "not a finite number"],
    );
    assert!(!err.contains("inf"), "{err}");
    nothing_written(&w, "p.csv");
}

const META: &str = "class_id,fund,manager\na,F1,M1\nb,F2,M1\n";

/// Industry rows of two classes over three days; `shares` of class a on the second day.
fn industry(shares: &str) -> String {
    format!(
        "class_id,date,price,shares,aum\n\
a,2022-01-03,10,200000,2000000\n\
a,2022-01-04,11,{shares},2200000\n\
a,2022-01-05,12,200000,2400000\n\
b,2022-01-03,20,100000,2000000\n\
b,2022-01-04,21,100000,2100000\n\
b,2022-01-05,22,100000,2200000\n"
    )
}

#[test]
fn industry_shares_inconsistent_with_aum_are_an_error_not_a_huge_return() {
    let w = Workdir::new();
    w.write("meta.csv", META);
    // Beyond 1e18 the cell itself is refused.
    w.write("data.csv", industry("1e300"));
    w.fails(
        "industry --data data.csv --min-aum 0 --out out.csv",
        &[
            "data.csv, line 3, column 'shares'",
            "at most 1e18",
            "found 1e300",
        ],
    );
    nothing_written(&w, "out");
    // Below it, shares that disagree with the AUM give an impossible daily return.
    w.write("data.csv", industry("1e15"));
    for group in ["class", "fund", "manager"] {
        w.fails(
            &format!(
                "industry --data data.csv --meta meta.csv --group-by {group} --out out.csv --dropped-out d.csv --chart c.svg --min-aum 0"
            ),
            &[
                "data.csv",
                "line 4",
                "class 'a' on 2022-01-05",
                "after 11 on 2022-01-04 (line 3)",
                "shares 1e15",
                "should be close to the AUM",
                "--max-return",
            ],
        );
        nothing_written(&w, "out");
        nothing_written(&w, "d.csv");
        nothing_written(&w, "c.svg");
    }
    w.write("data.csv", industry("200000"));
    w.ok("industry --data data.csv --min-aum 0 --out ok.csv");
    // A price unit a thousand times too small is the same inconsistency.
    w.write("data.csv", industry("200000"));
    w.fails(
        "industry --data data.csv --min-aum 0 --price-unit 0.001 --out out.csv",
        &["class 'a'", "--price-unit (0.001)"],
    );
    w.ok("industry --data data.csv --min-aum 0 --price-unit 0.001 --max-return 1e6 --out big.csv");
}

#[test]
fn correlation_cluster_and_evolve_take_the_flag() {
    let w = Workdir::new();
    w.write(
        "r.csv",
        "date,A,B,C\n2020-01,0.01,0.02,0.03\n2020-02,20,0.01,0.02\n2020-03,0.02,0.03,0.01\n2020-04,0.01,0.0,0.02\n",
    );
    w.fails(
        "correlation --returns r.csv --out c.csv",
        &["r.csv", "line 3", "column 'A'", "found 20"],
    );
    w.ok("correlation --returns r.csv --max-return 25 --out c.csv");
    // Every command that reads returns takes the flag, and checks it before any work.
    for cmd in [
        "cluster",
        "evolve",
        "similarity",
        "industry",
        "style",
        "rank",
        "rate",
    ] {
        w.fails(
            &format!("{cmd} --max-return 0 --out x.csv"),
            &["--max-return", "positive number"],
        );
    }
}

#[test]
fn a_study_input_takes_max_return_under_its_inputs_table() {
    let w = Workdir::new();
    w.ok("init ex");
    set_cell(
        &w,
        "ex/data/daily_returns.csv",
        "ex/data/bad.csv",
        30,
        1,
        "50",
    );
    w.write(
        "ex/s.toml",
        "[inputs.rate]\nreturns = \"data/bad.csv\"\n\n[rate]\n",
    );
    let err = w.fails(
        "run ex/s.toml --out o",
        &[
            "bad.csv",
            "line 30",
            "found 50",
            "max-return (under [inputs.rate])",
            "in the [rate] stage of",
        ],
    );
    assert!(!err.contains("--max-return"), "{err}");
    w.write(
        "ex/s.toml",
        "[inputs.rate]\nreturns = { path = \"data/bad.csv\", max-return = 60 }\n\n[rate]\n",
    );
    w.ok("run ex/s.toml --out o2");
    assert!(w.exists("o2/rate"));
}

#[test]
fn rate_names_a_fund_whose_year_compounds_past_any_number() {
    let w = Workdir::new();
    w.synth("garch --funds 5 --periods 300 --seed 1 --out g");
    let mut text = w.read("g/returns.csv");
    for line in [10, 20, 30, 40] {
        w.write("g/src.csv", &text);
        set_cell(&w, "g/src.csv", "g/big.csv", line, 2, "1e100");
        text = w.read("g/big.csv");
    }
    w.fails(
        "rate --returns g/big.csv --max-return 1e101 --out r.csv",
        &[
            "g/big.csv",
            "fund 'G0002'",
            "compound beyond any finite number",
        ],
    );
    nothing_written(&w, "r.csv");
}

#[test]
fn balances_bought_and_sold_amounts_cannot_be_negative() {
    let w = Workdir::new();
    w.synth("investors --users 300 --days 20 --seed 3 --out i");
    let header = w.read("i/balances.csv");
    let header: Vec<&str> = header.lines().next().unwrap().split(',').collect();
    for column in ["balance", "buy", "sell"] {
        let col = header.iter().position(|h| *h == column).unwrap();
        set_cell(&w, "i/balances.csv", "i/bad.csv", 5, col, "-250");
        w.fails(
            "segment investors --users i/users.csv --balances i/bad.csv --k 3 --out o",
            &[
                "i/bad.csv",
                "line 5",
                &format!("column '{column}'"),
                "expected a non-negative amount, found -250",
            ],
        );
        assert!(!w.exists("o"));
    }
}

#[test]
fn a_study_refuses_a_bad_max_return_naming_its_key() {
    let w = Workdir::new();
    w.ok("init ex");
    w.write(
        "ex/s.toml",
        "[inputs.industry]\ndata = { path = \"data/industry.csv\", max-return = -1 }\n\n[industry]\n",
    );
    w.fails(
        "run ex/s.toml --out o",
        &["max-return (under [inputs.industry])", "positive number"],
    );
}

#[test]
fn rate_with_many_arch_lags_and_few_returns_says_so_instead_of_panicking() {
    let w = Workdir::new();
    w.synth("garch --funds 5 --periods 150 --seed 1 --out g");
    w.fails(
        "rate --returns g/returns.csv --min-obs 10 --arch-lags 100 --out r.csv",
        &[
            "g/returns.csv",
            "150 returns",
            "at least 202",
            "use fewer --arch-lags",
        ],
    );
    nothing_written(&w, "r.csv");
}
