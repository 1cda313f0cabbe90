//! Bad input reaches the user as one clear line: file, line (or row), column, what was
//! expected; exit code 2; and no output file left behind.

mod common;

use common::Workdir;

const META: &str = "class_id,fund,manager\na,F1,M1\nb,F2,M1\n";
const GOOD: &str = "class_id,date,price,shares,aum\n\
a,2022-01-03,10,200000,2000000\n\
a,2022-01-04,11,200000,2200000\n\
b,2022-01-03,20,100000,2000000\n\
b,2022-01-04,21,100000,2100000\n";

/// A working directory holding `data` as data.csv and the two classes' meta.csv.
fn setup(data: &str) -> Workdir {
    let w = Workdir::new();
    w.write("data.csv", data);
    w.write("meta.csv", META);
    w
}

/// Runs `industry` on `data` and checks exit 2, the message parts, and no output.
fn industry_fails(data: &str, expect: &[&str]) {
    let w = setup(data);
    let err = w.fails(
        "industry --data data.csv --meta meta.csv --group-by fund --out out.csv \
         --dropped dropped.csv",
        expect,
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    let left: Vec<_> = std::fs::read_dir(w.path())
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
    let w = setup(GOOD);
    w.ok("industry --data data.csv --meta meta.csv --group-by manager --out out.csv");
    let out = w.read("out.csv");
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
    let w = Workdir::new();
    w.write(
        "wide.csv",
        "date,A,B,A\n2020-01,0.01,0.02,0.03\n2020-02,0.01,0.02,0.03\n",
    );
    w.fails(
        "periods --series wide.csv --out p.csv",
        &["wide.csv, line 1, column 'A': duplicate column"],
    );
    assert!(!w.exists("p.csv"));
}

#[test]
fn existing_output_needs_force() {
    let w = setup(GOOD);
    w.write("out.csv", "keep me");
    let cmd = "industry --data data.csv --out out.csv";
    w.fails(cmd, &["out.csv", "--force"]);
    assert_eq!(w.read("out.csv"), "keep me");
    w.ok(&format!("{cmd} --force"));
    assert!(w.read("out.csv").starts_with("id,date"));
}

#[test]
fn bad_arguments() {
    let w = setup(GOOD);
    w.fails(
        "industry --data data.csv --out o.csv --price-unit 0",
        &["--price-unit"],
    );
    w.fails(
        "industry --data data.csv --group-by fund --out o.csv",
        &["--meta"],
    );
    w.fails(
        "industry --data data.csv --out o.json",
        &[".csv, .txt, .parquet, .pq, .xlsx, .xls or .ods"],
    );
    w.fails(
        "industry --data data.csv --out o.xls",
        &["write .xlsx instead"],
    );
    w.fails("industry --bogus", &[]);
}

#[test]
fn missing_file() {
    let w = Workdir::new();
    w.fails(
        "rank --returns nope.csv --out r.csv",
        &["nope.csv", "cannot open"],
    );
}

#[test]
fn series_errors() {
    let w = Workdir::new();
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
        w.write("s.csv", content);
        w.fails("periods --series s.csv --out p.csv", expect);
        assert!(!w.exists("p.csv"));
    }
}
