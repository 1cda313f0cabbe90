//! `.xlsx` outputs checked by an independent reader, Python's openpyxl: header, numbers
//! as numeric cells, dates as date cells, empty cells, and workbooks of several sheets.
//! `.ci/run` provides openpyxl (in `.ci/.venv`); without it these tests fail, saying how
//! to install it.

mod common;

use std::path::Path;
use std::process::Command;

use peergroup_io::{read_series, Column, Outputs, SeriesOptions, Source, Table, EXCEL_MAX_ROWS};

use common::d;

/// Runs `script` under python3 with openpyxl, with `path` as `sys.argv[1]`; fails the test
/// with the script's output, or with how to install openpyxl when it is missing.
fn python(script: &str, path: &Path) {
    let probe = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        _ => panic!(
            "these tests read .xlsx files with Python's openpyxl, which python3 cannot import: \
             run .ci/run (it makes .ci/.venv with openpyxl and puts it first on PATH), or \
             `python3 -m venv .ci/.venv && .ci/.venv/bin/pip install openpyxl` and run \
             `PATH=$PWD/.ci/.venv/bin:$PATH cargo test`"
        ),
    }
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "openpyxl check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sample() -> Table {
    Table::new()
        .with(
            "fund",
            Column::key([0, 1, 0], &["Alpha".to_string(), "Beta".to_string()]),
        )
        .with(
            "date",
            Column::Date(vec![d("2024-01-31"), d("2024-02-29"), d("1899-12-31")]),
        )
        .with("value", Column::F64(vec![0.25, f64::NAN, -1.5e-3]))
        .with("count", Column::I64(vec![3, -4, 0]))
        .with(
            "note",
            Column::Text(vec!["a, \"quoted\" note".into(), String::new(), "x".into()]),
        )
        .with("group", Column::repeated(Column::Text(vec!["g".into()]), 3))
}

const CHECK_SHEET: &str = r#"
import datetime, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
rows = [[c for c in r] for r in ws.iter_rows()]
assert [c.value for c in rows[0]] == ["fund", "date", "value", "count", "note", "group"], rows[0]
assert all(c.font.b for c in rows[0]), "header is bold"
assert ws.freeze_panes == "A2", ws.freeze_panes
assert len(rows) == 4, len(rows)
a, b, c = rows[1], rows[2], rows[3]
assert a[0].value == "Alpha" and b[0].value == "Beta" and a[0].data_type == "s"
assert a[1].is_date and a[1].value == datetime.datetime(2024, 1, 31), a[1].value
assert b[1].is_date and b[1].value == datetime.datetime(2024, 2, 29), b[1].value
assert a[1].number_format == "yyyy-mm-dd", a[1].number_format
# before 1900-03-01 Excel has no true dates: written as text
assert c[1].data_type == "s" and c[1].value == "1899-12-31", c[1].value
assert a[2].data_type == "n" and a[2].value == 0.25
assert b[2].value is None, "NaN is an empty cell"
assert c[2].data_type == "n" and c[2].value == -1.5e-3
assert [r[3].value for r in (a, b, c)] == [3, -4, 0] and a[3].data_type == "n"
assert a[4].value == 'a, "quoted" note' and b[4].value is None
assert [r[5].value for r in (a, b, c)] == ["g", "g", "g"]
"#;

#[test]
fn xlsx_table_through_outputs_reads_back_in_openpyxl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    let mut out = Outputs::new(false);
    out.plan_table(&path).unwrap();
    out.write_table(&path, &sample()).unwrap();
    assert!(!path.exists(), "staged, not in place before commit");
    out.commit().unwrap();
    python(CHECK_SHEET, &path);
}

#[test]
fn xlsx_blocks_and_owned_tables_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    let mut out = Outputs::new(false);
    out.write_table_owned(&a, sample()).unwrap();
    let blocks = (0..3).map(|i| {
        Table::new()
            .with("x", Column::F64(vec![i as f64]))
            .with("d", Column::Date(vec![d("2024-01-31").add_days(i)]))
    });
    out.write_table_blocks(&b, blocks).unwrap();
    out.commit().unwrap();
    python(CHECK_SHEET, &a);
    python(
        r#"
import datetime, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
vals = [[c.value for c in r] for r in ws.iter_rows()]
day = datetime.datetime(2024, 1, 31)
assert vals == [["x", "d"]] + [[i, day + datetime.timedelta(days=i)] for i in range(3)], vals
"#,
        &b,
    );
}

/// Our writer and our reader agree: a long series written as `.xlsx` reads back equal.
#[test]
fn series_round_trip_through_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.xlsx");
    let ids = vec!["F1".to_string(), "F2".to_string()];
    let table = Table::new()
        .with("id", Column::key([0, 0, 1, 1], &ids))
        .with(
            "date",
            Column::Date(
                ["2024-01-31", "2024-02-29", "2024-01-31", "2024-02-29"]
                    .map(d)
                    .to_vec(),
            ),
        )
        .with("value", Column::F64(vec![0.1, f64::NAN, 1.0 / 3.0, -0.2]));
    let mut out = Outputs::new(false);
    out.write_table(&path, &table).unwrap();
    out.commit().unwrap();
    let p = read_series(&Source::new(&path), &SeriesOptions::default()).unwrap();
    assert_eq!(p.ids(), ids.as_slice());
    assert_eq!(p.dates(), [d("2024-01-31"), d("2024-02-29")]);
    assert_eq!(p.series(1), [1.0 / 3.0, -0.2], "numbers keep every bit");
    assert!(p.series(0)[1].is_nan());
}

#[test]
fn workbook_of_several_tables_with_excel_safe_sheet_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.xlsx");
    let small = Table::new().with("x", Column::F64(vec![1.0, 2.0]));
    let mut out = Outputs::new(false);
    out.plan_workbook(&path).unwrap();
    out.write_workbook(
        &path,
        &[
            ("returns/monthly", &sample()),
            ("a name longer than thirty-one characters", &small),
            ("RETURNS/MONTHLY", &small),
        ],
    )
    .unwrap();
    out.commit().unwrap();
    python(
        r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["returns_monthly", "a name longer than thirty-one c", "RETURNS_MONTHLY (2)"], wb.sheetnames
ws = wb["a name longer than thirty-one c"]
assert [[c.value for c in r] for r in ws.iter_rows()] == [["x"], [1], [2]]
"#,
        &path,
    );
    let e = Outputs::new(false)
        .plan_workbook(&dir.path().join("study.csv"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected a .xlsx extension"), "{e}");
}

#[test]
fn tables_past_excels_limits_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xlsx");
    let big = Table::new().with("x", Column::F64(vec![0.0; EXCEL_MAX_ROWS]));
    let mut out = Outputs::new(false);
    let e = out.write_table(&path, &big).unwrap_err().to_string();
    assert!(
        e.contains("1048576 rows do not fit in an Excel sheet"),
        "{e}"
    );
    assert!(e.contains("write .csv or .parquet instead"), "{e}");
    drop(out);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn txt_outputs_are_csv_and_xls_outputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("t.txt");
    let mut out = Outputs::new(false);
    out.write_table(&txt, &Table::new().with("x", Column::F64(vec![1.5])))
        .unwrap();
    let e = out
        .write_table(&dir.path().join("t.xls"), &sample())
        .unwrap_err()
        .to_string();
    assert!(e.contains("write .xlsx instead"), "{e}");
    out.commit().unwrap();
    assert_eq!(std::fs::read_to_string(&txt).unwrap(), "x\n1.5\n");
}
