//! Bad input reaches the user as one clear line: file, line (or row), column, what was
//! expected; exit code 2; and no output file left behind.

mod common;

use std::path::PathBuf;

use common::run;

const META: &str = "class_id,fund,manager\na,F1,M1\nb,F2,M1\n";
const GOOD: &str = "class_id,date,price,shares,aum\n\
a,2022-01-03,10,200000,2000000\n\
a,2022-01-04,11,200000,2200000\n\
b,2022-01-03,20,100000,2000000\n\
b,2022-01-04,21,100000,2100000\n";

fn setup(data: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.csv"), data).unwrap();
    std::fs::write(dir.path().join("meta.csv"), META).unwrap();
    let p = dir.path().to_path_buf();
    (dir, p)
}

/// Runs `industry` on `data` and checks exit 2, the message parts, and no output.
fn industry_fails(data: &str, expect: &[&str]) {
    let (_guard, dir) = setup(data);
    let (code, err) = run(
        &[
            "industry",
            "--data",
            "data.csv",
            "--meta",
            "meta.csv",
            "--group-by",
            "fund",
            "--out",
            "out.csv",
            "--dropped",
            "dropped.csv",
        ],
        &dir,
    );
    assert_eq!(code, 2, "stderr: {err}");
    for e in expect {
        assert!(err.contains(e), "expected '{e}' in: {err}");
    }
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !left
            .iter()
            .any(|f| f.contains("out") || f.contains("dropped")),
        "left behind: {left:?}"
    );
}

#[test]
fn good_input_works() {
    let (_guard, dir) = setup(GOOD);
    let (code, err) = run(
        &[
            "industry",
            "--data",
            "data.csv",
            "--meta",
            "meta.csv",
            "--group-by",
            "manager",
            "--out",
            "out.csv",
        ],
        &dir,
    );
    assert_eq!(code, 0, "{err}");
    let out = std::fs::read_to_string(dir.join("out.csv")).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,date,aum,price_effect,subscription_effect,daily_return,total_return"
    );
    assert_eq!(lines[1], "M1,2022-01-03,4000000.0,,,,1.0");
    // PE = 1·200000 + 1·100000 = 300000; DR = 300000 / 4000000 = 0.075
    assert_eq!(lines[2], "M1,2022-01-04,4300000.0,300000.0,0.0,0.075,1.075");
}

#[test]
fn missing_column() {
    industry_fails(
        "class_id,date,price,aum\na,2022-01-03,10,2000000\n",
        &["data.csv", "line 1", "column 'shares'", "missing column"],
    );
}

#[test]
fn non_numeric_price() {
    let data = GOOD.replace("a,2022-01-04,11,", "a,2022-01-04,eleven,");
    industry_fails(
        &data,
        &[
            "data.csv",
            "line 3",
            "column 'price'",
            "expected a number, found 'eleven'",
        ],
    );
}

#[test]
fn unparsable_date() {
    let data = GOOD.replace("b,2022-01-03", "b,03/01/2022");
    industry_fails(
        &data,
        &[
            "data.csv",
            "line 4",
            "column 'date'",
            "expected a date",
            "'03/01/2022'",
        ],
    );
}

#[test]
fn duplicate_class_date() {
    let data = format!("{GOOD}a,2022-01-04,11,200000,2200000\n");
    industry_fails(
        &data,
        &[
            "data.csv",
            "line 6",
            "duplicate (class_id, date)",
            "already appears at line 3",
        ],
    );
}

#[test]
fn negative_shares_and_aum() {
    industry_fails(
        &GOOD.replace("a,2022-01-04,11,200000,", "a,2022-01-04,11,-5,"),
        &[
            "data.csv",
            "line 3",
            "column 'shares'",
            "non-negative shares",
        ],
    );
    industry_fails(
        &GOOD.replace(
            "b,2022-01-04,21,100000,2100000",
            "b,2022-01-04,21,100000,-1",
        ),
        &["data.csv", "line 5", "column 'aum'", "non-negative AUM"],
    );
}

#[test]
fn nan_and_inf() {
    industry_fails(
        &GOOD.replace("a,2022-01-04,11,", "a,2022-01-04,NaN,"),
        &["data.csv", "line 3", "column 'price'", "finite number"],
    );
    industry_fails(
        &GOOD.replace(
            "b,2022-01-04,21,100000,2100000",
            "b,2022-01-04,21,100000,inf",
        ),
        &["data.csv", "line 5", "column 'aum'", "finite number"],
    );
}

#[test]
fn class_missing_from_meta() {
    let data = format!("{GOOD}c,2022-01-03,5,1000000,5000000\n");
    industry_fails(
        &data,
        &[
            "data.csv",
            "line 6",
            "column 'class_id'",
            "class 'c' is missing from the meta table meta.csv",
        ],
    );
}

#[test]
fn empty_file() {
    industry_fails("", &["data.csv", "empty"]);
    industry_fails(
        "class_id,date,price,shares,aum\n",
        &["data.csv", "no data rows"],
    );
}

#[test]
fn ragged_row() {
    industry_fails(
        &GOOD.replace("a,2022-01-04,11,200000,2200000", "a,2022-01-04,11,200000"),
        &["data.csv", "line 3", "expected 5 fields"],
    );
}

#[test]
fn wide_file_with_duplicate_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wide.csv"),
        "date,A,B,A\n2020-01,0.01,0.02,0.03\n2020-02,0.01,0.02,0.03\n",
    )
    .unwrap();
    let (code, err) = run(
        &["periods", "--series", "wide.csv", "--out", "p.csv"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("wide.csv, line 1, column 'A': duplicate column"),
        "{err}"
    );
    assert!(!dir.path().join("p.csv").exists());
}

#[test]
fn existing_output_needs_force() {
    let (_guard, dir) = setup(GOOD);
    std::fs::write(dir.join("out.csv"), "keep me").unwrap();
    let args = ["industry", "--data", "data.csv", "--out", "out.csv"];
    let (code, err) = run(&args, &dir);
    assert_eq!(code, 2);
    assert!(err.contains("out.csv") && err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("out.csv")).unwrap(),
        "keep me"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    let (code, err) = run(&forced, &dir);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(dir.join("out.csv"))
        .unwrap()
        .starts_with("id,date"));
}

#[test]
fn bad_arguments() {
    let (_guard, dir) = setup(GOOD);
    let (code, err) = run(
        &[
            "industry",
            "--data",
            "data.csv",
            "--out",
            "o.csv",
            "--price-unit",
            "0",
        ],
        &dir,
    );
    assert_eq!(code, 2);
    assert!(err.contains("--price-unit"), "{err}");
    let (code, err) = run(
        &[
            "industry",
            "--data",
            "data.csv",
            "--group-by",
            "fund",
            "--out",
            "o.csv",
        ],
        &dir,
    );
    assert_eq!(code, 2);
    assert!(err.contains("--meta"), "{err}");
    let (code, err) = run(&["industry", "--data", "data.csv", "--out", "o.xlsx"], &dir);
    assert_eq!(code, 2);
    assert!(err.contains(".csv or .parquet"), "{err}");
    let (code, _) = run(&["industry", "--bogus"], &dir);
    assert_eq!(code, 2);
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = run(
        &["rank", "--returns", "nope.csv", "--out", "r.csv"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("nope.csv") && err.contains("cannot open"),
        "{err}"
    );
}

#[test]
fn series_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let cases: &[(&str, &[&str])] = &[
        ("id,date,value\nA,2020-01,0.1\nA,2020-01,0.2\nA,2020-03,0.1\n", &["s.csv", "line 3", "duplicate observation"]),
        ("id,date,value\nA,2020-01,0.1\nA,2020-02,x\n", &["s.csv", "line 3", "column 'value'", "expected a number"]),
        ("id,date,value\nA,2020-01,0.1\nA,2020-02,-150\n", &["s.csv", "line 3", "--percent"]),
        ("id,when,value\nA,2020-01,0.1\n", &["s.csv", "line 1", "expected long form"]),
        (
            "id,date,value\nD,2020-01-01,0\nD,2020-01-02,0\nD,2020-01-03,0\nD,2020-01-06,0\nD,2020-01-07,0\nD,2020-01-08,0\nD,2020-01-09,0\nM,2020-01-31,0\nM,2020-02-29,0\nM,2020-03-31,0\n",
            &["s.csv", "line 9", "mixed frequencies: id 'M' is observed monthly but the table is daily"],
        ),
    ];
    for (content, expect) in cases {
        std::fs::write(p.join("s.csv"), content).unwrap();
        let (code, err) = run(&["periods", "--series", "s.csv", "--out", "p.csv"], p);
        assert_eq!(code, 2, "{content}: {err}");
        for e in *expect {
            assert!(err.contains(e), "expected '{e}' in: {err}");
        }
        assert!(!p.join("p.csv").exists());
    }
}
