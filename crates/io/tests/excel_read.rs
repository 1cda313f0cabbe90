//! Workbook inputs written by independent writers (openpyxl, xlwt, odfpy: see
//! `fixtures/excel/make_fixtures.py`), and column mapping for every format: a vendor's
//! `SecId,Date,Return` is read unchanged.

mod common;

use std::path::{Path, PathBuf};

use peergroup_data::Panel;
use peergroup_io::{
    read_industry, read_labels, read_metadata, read_series, write_table, Column, ColumnNames,
    Format, SeriesOptions, Source, Table,
};

use common::d;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/excel")
        .join(name)
}

fn vendor_columns() -> ColumnNames {
    ColumnNames {
        id: Some("SecId".into()),
        date: Some("date".into()),
        value: Some("return".into()),
        category: None,
    }
}

/// The two funds of every fixture: F1 fully observed, F2 missing on 2024-02-29.
fn assert_fixture_panel(p: &Panel) {
    assert_eq!(p.ids(), ["F1", "F2"]);
    let dates: Vec<_> = ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]
        .iter()
        .map(|s| d(s))
        .collect();
    assert_eq!(p.dates(), dates.as_slice());
    assert_eq!(p.series(0), [0.01, -0.02, 0.03, 0.005]);
    let f2 = p.series(1);
    assert_eq!((f2[0], f2[2], f2[3]), (0.02, -0.01, 0.0));
    assert!(f2[1].is_nan(), "an empty cell is a missing observation");
}

fn series_error(src: &Source) -> String {
    read_series(src, &SeriesOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn long_xlsx_with_date_and_date_time_cells() {
    let p = read_series(&fixture("series_long.xlsx"), &SeriesOptions::default()).unwrap();
    assert_fixture_panel(&p);
}

#[test]
fn wide_xlsx_with_text_dates_on_its_first_sheet() {
    let p = read_series(
        &fixture("series_wide_text_dates.xlsx"),
        &SeriesOptions::default(),
    )
    .unwrap();
    assert_fixture_panel(&p);
}

#[test]
fn named_sheet_with_mapped_columns() {
    let src = Source::new(fixture("vendor.xlsx"))
        .with_sheet(Some("Returns".into()))
        .with_columns(vendor_columns());
    assert_fixture_panel(&read_series(&src, &SeriesOptions::default()).unwrap());
    // sheet names match without regard to case, like column names
    let lower = src.clone().with_sheet(Some("returns".into()));
    assert_fixture_panel(&read_series(&lower, &SeriesOptions::default()).unwrap());
}

#[test]
fn xls_and_ods_read_like_xlsx() {
    for name in ["series_long.xls", "series_long.ods"] {
        let p = read_series(&fixture(name), &SeriesOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_fixture_panel(&p);
    }
}

#[test]
fn first_sheet_is_named_in_errors_even_when_not_chosen() {
    // vendor.xlsx opens on its notes: the message names that sheet and its columns.
    let e = series_error(&Source::new(fixture("vendor.xlsx")));
    assert!(e.contains("vendor.xlsx, sheet 'Notes', row 1"), "{e}");
    assert!(e.contains("Exported by a vendor"), "{e}");
}

/// Each bad workbook input, by file and sheet (and column mapping), and the parts its
/// message must contain, in order.
#[test]
fn bad_inputs_name_file_sheet_row_and_column() {
    let mut wrong_value = vendor_columns();
    wrong_value.value = Some("TotalReturn".into());
    let cases: &[(&str, &str, Option<ColumnNames>, &[&str])] = &[
        (
            "bad.xlsx",
            "TextInNumber",
            Some(vendor_columns()),
            &["bad.xlsx, sheet 'TextInNumber', row 5, column 'Return': expected a number, found 'n/a'"],
        ),
        (
            "bad.xlsx",
            "BadDate",
            None,
            &["bad.xlsx, sheet 'BadDate', row 3, column 'date': ", "2024-13-45"],
        ),
        (
            "series_long.xls",
            "Bad",
            None,
            &["series_long.xls, sheet 'Bad', row 2, column 'value': expected a number, found 'n/a'"],
        ),
        (
            "series_long.ods",
            "Bad",
            None,
            &["series_long.ods, sheet 'Bad', row 2, column 'date': ", "31/01/2024"],
        ),
        (
            "bad.xlsx",
            "Prices",
            None,
            &[
                "bad.xlsx",
                "no sheet 'Prices': the workbook has 'TextInNumber', 'BadDate', 'Empty', 'HeaderOnly' and 'BlankHeader'",
            ],
        ),
        (
            "vendor.xlsx",
            "Returns",
            Some(wrong_value),
            &["vendor.xlsx, sheet 'Returns', row 1, column 'TotalReturn': missing column 'TotalReturn' (mapped as the value column): found SecId,Name,Date,Return"],
        ),
        (
            "bad.xlsx",
            "Empty",
            None,
            &["bad.xlsx, sheet 'Empty': sheet 'Empty' is empty: expected a header row"],
        ),
        (
            "bad.xlsx",
            "HeaderOnly",
            None,
            &["bad.xlsx, sheet 'HeaderOnly': no data rows after the header"],
        ),
        (
            "bad.xlsx",
            "BlankHeader",
            None,
            &["bad.xlsx, sheet 'BlankHeader', row 1, column 'B': empty header cell"],
        ),
    ];
    for (file, sheet, columns, parts) in cases {
        let src = Source::new(fixture(file))
            .with_sheet(Some(sheet.to_string()))
            .with_columns(columns.clone().unwrap_or_default());
        let e = series_error(&src);
        let mut rest = e.as_str();
        for part in *parts {
            let at = rest
                .find(part)
                .unwrap_or_else(|| panic!("{file} '{sheet}': no '{part}' in: {e}"));
            rest = &rest[at + part.len()..];
        }
    }
}

#[test]
fn a_sheet_named_for_a_csv_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.csv");
    std::fs::write(&path, "id,date,value\nF1,2024-01-31,0.01\n").unwrap();
    let e = series_error(&Source::new(&path).with_sheet(Some("Returns".into())));
    assert!(
        e.contains("only .xlsx, .xls and .ods workbooks have sheets"),
        "{e}"
    );
}

/// The vendor's table as CSV, Parquet and `.xlsx` (our writer), each read unchanged.
#[test]
fn vendor_columns_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = ["F1", "F1", "F2", "F2"].map(String::from).to_vec();
    let dates = ["2024-01-31", "2024-02-29", "2024-01-31", "2024-02-29"]
        .map(d)
        .to_vec();
    let table = Table::new()
        .with("SecId", Column::Text(ids))
        .with("Date", Column::Date(dates))
        .with("Return", Column::F64(vec![0.01, 0.02, f64::NAN, -0.01]))
        .with(
            "id",
            Column::Text(["x", "y", "z", "w"].map(String::from).to_vec()),
        );
    for name in ["v.csv", "v.parquet", "v.xlsx"] {
        let path = dir.path().join(name);
        write_table(&path, Format::of(&path).unwrap(), &table).unwrap();
        // the file's own 'id' column is shadowed by the mapped one
        let src = Source::new(&path).with_columns(vendor_columns());
        let p = read_series(&src, &SeriesOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.ids(), ["F1", "F2"], "{name}");
        assert_eq!(p.series(0), [0.01, 0.02], "{name}");
        assert!(p.series(1)[0].is_nan() && p.series(1)[1] == -0.01, "{name}");
        // errors name the file's own column
        let mut wrong = vendor_columns();
        wrong.date = Some("Return".into());
        let e = series_error(&Source::new(&path).with_columns(wrong));
        assert!(e.contains("column 'Return': "), "{name}: {e}");
    }
}

#[test]
fn mapped_date_column_of_a_wide_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.csv");
    std::fs::write(
        &path,
        "F1,AsOf,F2\n0.01,2024-01-31,0.02\n0.03,2024-02-29,\n",
    )
    .unwrap();
    let columns = ColumnNames {
        date: Some("asof".into()),
        ..ColumnNames::default()
    };
    let p = read_series(
        &Source::new(&path).with_columns(columns),
        &SeriesOptions::default(),
    )
    .unwrap();
    assert_eq!(p.ids(), ["F1", "F2"]);
    assert_eq!(p.series(0), [0.01, 0.03]);
}

#[test]
fn mapped_industry_metadata_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("daily.csv");
    std::fs::write(
        &data,
        "Class,Day,price,shares,aum\nA,2024-01-02,1.0,10,10\nA,2024-01-03,1.1,10,11\n",
    )
    .unwrap();
    let columns = ColumnNames {
        id: Some("Class".into()),
        date: Some("Day".into()),
        ..ColumnNames::default()
    };
    let t = read_industry(&Source::new(&data).with_columns(columns.clone())).unwrap();
    assert_eq!(t.n_records(), 2);
    std::fs::write(&data, "Class,Day,price,shares,aum\nA,2024-01-02,x,10,10\n").unwrap();
    let e = read_industry(&Source::new(&data).with_columns(columns))
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2, column 'price'"), "{e}");

    let meta = dir.path().join("meta.csv");
    std::fs::write(&meta, "Fund,Style,manager\nA,Growth,M\n").unwrap();
    let columns = ColumnNames {
        id: Some("Fund".into()),
        category: Some("Style".into()),
        ..ColumnNames::default()
    };
    let src = Source::new(&meta).with_columns(columns);
    let m = read_metadata(&src, "id", &["category"]).unwrap();
    assert_eq!(m.get("A", "category"), Some("Growth"));
    let labels = read_labels(&src, "id", "reference").unwrap();
    assert_eq!(labels, [("A".to_string(), "Growth".to_string())]);
}
