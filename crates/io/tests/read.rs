//! Readers: Parquet column types users produce (pandas, Polars, DuckDB), CSV line ends,
//! quoting and blank lines, and the fast industry readers against the row reader.

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampNanosecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use peergroup_data::{Date, Position, SeriesKind};
use peergroup_io::{read_industry, read_metadata, read_series, ColumnNames, SeriesOptions, Source};

use common::d;

fn write_parquet(path: &Path, cols: Vec<(&str, ArrayRef)>) {
    let fields: Vec<Field> = cols
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch =
        RecordBatch::try_new(schema.clone(), cols.into_iter().map(|c| c.1).collect()).unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn parquet_long_series_with_dictionary_ids_and_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.parquet");
    let mut ids = StringDictionaryBuilder::<Int32Type>::new();
    for id in ["A", "A", "B", "B"] {
        ids.append_value(id);
    }
    let day = 86_400_000_000_000i64;
    let ts = TimestampNanosecondArray::from(vec![
        d("2021-01-31").days() as i64 * day,
        d("2021-02-28").days() as i64 * day,
        d("2021-01-31").days() as i64 * day,
        d("2021-02-28").days() as i64 * day + 3_600_000_000_000, // 01:00 the same day
    ]);
    write_parquet(
        &p,
        vec![
            ("id", Arc::new(ids.finish()) as ArrayRef),
            ("date", Arc::new(ts)),
            (
                "value",
                Arc::new(Float64Array::from(vec![
                    Some(0.01),
                    Some(0.02),
                    Some(-0.01),
                    None,
                ])),
            ),
        ],
    );
    let panel = read_series(&p, &SeriesOptions::default()).unwrap();
    assert_eq!(panel.ids(), &["A".to_string(), "B".to_string()]);
    assert_eq!(panel.dates(), &[d("2021-01"), d("2021-02")]);
    assert_eq!(panel.series(0), &[0.01, 0.02]);
    assert_eq!(panel.series(1)[0], -0.01);
    assert!(panel.series(1)[1].is_nan(), "null is a missing observation");
}

#[test]
fn parquet_wide_series_with_integer_yyyymm_dates() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("w.parquet");
    write_parquet(
        &p,
        vec![
            (
                "Date",
                Arc::new(Int64Array::from(vec![202001, 202002, 202003])) as ArrayRef,
            ),
            ("X", Arc::new(Float64Array::from(vec![1.0, 2.0, -3.0]))),
        ],
    );
    let opts = SeriesOptions {
        percent: true,
        ..Default::default()
    };
    let panel = read_series(&p, &opts).unwrap();
    assert_eq!(panel.dates()[2], d("2020-03-31"));
    assert!((panel.series(0)[2] + 0.03).abs() < 1e-15);
}

#[test]
fn parquet_errors_name_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("i.parquet");
    write_parquet(
        &p,
        vec![
            (
                "class_id",
                Arc::new(StringArray::from(vec!["a", "a", "a"])) as ArrayRef,
            ),
            (
                "date",
                Arc::new(Date32Array::from(vec![
                    d("2022-01-03").days(),
                    d("2022-01-04").days(),
                    d("2022-01-05").days(),
                ])),
            ),
            (
                "price",
                Arc::new(Float64Array::from(vec![1.0, 1.1, f64::NAN])),
            ),
            ("shares", Arc::new(Float64Array::from(vec![1.0, 1.0, 1.0]))),
            ("aum", Arc::new(Float64Array::from(vec![1.0, 1.1, 1.2]))),
        ],
    );
    let e = read_industry(&p).unwrap_err();
    assert_eq!(e.position, Some(Position::Row(3)));
    assert_eq!(e.column.as_deref(), Some("price"));
    assert!(
        e.to_string()
            .starts_with(&format!("{}, row 3, column 'price'", p.display())),
        "{e}"
    );
    // a missing column in Parquet has no header line to point at
    let q = dir.path().join("m.parquet");
    write_parquet(
        &q,
        vec![(
            "class_id",
            Arc::new(StringArray::from(vec!["a"])) as ArrayRef,
        )],
    );
    let e = read_industry(&q).unwrap_err();
    assert_eq!(e.position, None);
    assert_eq!(e.column.as_deref(), Some("date"));
    assert!(e.message.contains("missing column"));
    // unsupported column types are named
    let r = dir.path().join("t.parquet");
    let list =
        arrow_array::ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1)])]);
    write_parquet(
        &r,
        vec![
            ("id", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
            ("date", Arc::new(list)),
        ],
    );
    let e = read_series(
        &r,
        &SeriesOptions {
            value_columns: vec!["date".into()],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.message.contains("Parquet type"), "{e}");
    let _ = DataType::Utf8;
    let _ = TimeUnit::Second;
}

#[test]
fn metadata_keeps_extra_columns() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.csv");
    std::fs::write(&p, "Class_ID,Fund,Manager,currency\na,F,M,ARS\nb,G,M,USD\n").unwrap();
    let m = read_metadata(&p, "class_id", &["fund", "manager"]).unwrap();
    assert_eq!(m.get("b", "currency"), Some("USD"));
    assert_eq!(m.get("a", "fund"), Some("F"));
    std::fs::write(&p, "class_id,fund\na,F\n").unwrap();
    let e = read_metadata(&p, "class_id", &["fund", "manager"]).unwrap_err();
    assert!(
        e.to_string()
            .contains("line 1, column 'manager': missing column"),
        "{e}"
    );
}

#[test]
fn prices_kind_and_bom() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.csv");
    std::fs::write(
        &p,
        "\u{feff}date,F\n2021-01-31,100\n2021-02-28,110\n2021-03-31,\n2021-04-30,121\n",
    )
    .unwrap();
    let panel = read_series(
        &p,
        &SeriesOptions {
            kind: SeriesKind::Prices,
            ..Default::default()
        },
    )
    .unwrap();
    let r = panel.to_returns();
    // a date row with no value at all adds no grid date; the April return spans two months
    assert_eq!(r.n_dates(), 3);
    assert!((r.series(0)[1] - 0.1).abs() < 1e-12);
    assert!((r.series(0)[2] - 0.1).abs() < 1e-12);
}

/// Files written on Windows (CRLF line ends) report the same lines as Unix files.
#[test]
fn crlf_files_report_true_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    for (name, end) in [("unix.csv", "\n"), ("windows.csv", "\r\n")] {
        let rows = [
            "date,a",
            "2024-01-31,0.01",
            "2024-02-29,0.02",
            "2024-03-31,xx",
        ];
        let path = dir.path().join(name);
        std::fs::write(&path, rows.join(end) + end).unwrap();
        let e = read_series(&path, &SeriesOptions::default()).unwrap_err();
        assert_eq!(
            e.position,
            Some(peergroup_data::Position::Line(4)),
            "{name}: {e}"
        );
    }
}

/// Lines outside the plain form the one-pass CSV parser takes (padded ids and numbers,
/// exponents, columns in another order with an extra one) fall back to field splitting
/// and give the same table as the plain file.
#[test]
fn csv_lines_outside_the_plain_form_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut plain = String::from("class_id,date,price,shares,aum\n");
    let mut odd = String::from("date,extra,aum,class_id,shares,price\n");
    for day in 0..90 {
        for (k, class) in ["x", "y"].iter().enumerate() {
            let d = Date::from_days(19_000 + day);
            let (p, n, a) = (
                1.0 + day as f64 / 64.0,
                100.0 + k as f64,
                1e6 + 0.5 * day as f64,
            );
            plain.push_str(&format!("{class},{d},{p},{n},{a}\n"));
            if day % 3 == 0 {
                odd.push_str(&format!("{d},z, {a:e} ,  {class} ,{n}, {p}\n"));
            } else {
                odd.push_str(&format!("{d},z,{a},{class},{n},{p}\n"));
            }
        }
    }
    let (a, b) = (dir.path().join("plain.csv"), dir.path().join("odd.csv"));
    std::fs::write(&a, plain).unwrap();
    std::fs::write(&b, odd).unwrap();
    let (x, y) = (read_industry(&a).unwrap(), read_industry(&b).unwrap());
    assert_eq!(x.classes(), y.classes());
    assert_eq!(x.n_records(), 180);
    for k in 0..2 {
        let (p, q) = (x.class(k), y.class(k));
        assert_eq!(p.dates, q.dates);
        assert_eq!(p.price, q.price);
        assert_eq!(p.shares, q.shares);
        assert_eq!(p.aum, q.aum);
    }
}

/// Line ends the one-pass parser finds by itself (CRLF, blank lines of either kind, a
/// last line without a newline, a lone `\r` at the very end) read as in a Unix file, and
/// an error after them names its true line.
#[test]
fn industry_csv_line_ends_read_like_unix_lines() {
    let dir = tempfile::tempdir().unwrap();
    let header = "class_id,date,price,shares,aum";
    let rows: Vec<String> = (0..40)
        .map(|day| {
            let d = Date::from_days(19_000 + day);
            format!(
                "c{},{d},{}.25,{},{}.5",
                day % 3,
                10 + day,
                100 + day,
                2_000_000 + day
            )
        })
        .collect();
    let unix = format!("{header}\n{}\n", rows.join("\n"));
    let mut odd = format!("{header}\r\n");
    for (k, r) in rows.iter().enumerate() {
        odd.push_str(r);
        if k + 1 == rows.len() {
            odd.push('\r'); // last line: a lone carriage return, no newline
        } else if k % 7 == 3 {
            odd.push_str("\r\n\r\n\n"); // blank lines of both kinds
        } else {
            odd.push_str("\r\n");
        }
    }
    let no_final_newline = format!("{header}\n{}", rows.join("\n"));
    let read = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        read_industry(&path).unwrap()
    };
    let want = read("unix.csv", &unix);
    assert_eq!(want.n_records(), 40);
    for (name, text) in [("odd.csv", &odd), ("last.csv", &no_final_newline)] {
        let got = read(name, text);
        assert_eq!(got.classes(), want.classes(), "{name}");
        for k in 0..want.n_classes() {
            let (p, q) = (want.class(k), got.class(k));
            assert_eq!(p.dates, q.dates, "{name}");
            assert_eq!(p.price, q.price, "{name}");
            assert_eq!(p.shares, q.shares, "{name}");
            assert_eq!(p.aum, q.aum, "{name}");
        }
    }
    // line 1 header, lines 2-5 rows, 6-7 blank, line 8 the bad price
    let bad = format!(
        "{header}\r\n{}\r\n\r\n\n{}\r\n",
        rows[..4].join("\r\n"),
        rows[4].replace("14.25", "14.2x5")
    );
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, bad).unwrap();
    let e = read_industry(&path).unwrap_err();
    assert_eq!(e.position, Some(Position::Line(8)), "{e}");
    assert_eq!(e.column.as_deref(), Some("price"), "{e}");
}

/// The parallel CSV and Parquet readers give the same table as the general row reader:
/// unsorted and interleaved classes, blank lines, many chunks and row groups.
#[test]
fn fast_industry_readers_match_the_row_reader() {
    let dir = tempfile::tempdir().unwrap();
    let mut plain = String::from("class_id,date,price,shares,aum\n");
    let mut rows = Vec::new();
    for day in 0..400 {
        for class in ["b", "a", "c"] {
            // class c starts late; days of class a arrive in reverse order
            if class == "c" && day < 100 {
                continue;
            }
            let day = if class == "a" { 399 - day } else { day };
            let date = Date::from_days(19_000 + day);
            let price = 1.0 + day as f64 / 1000.0 + if class == "b" { 0.5 } else { 0.0 };
            rows.push((
                class,
                date,
                price,
                1000.0 + day as f64,
                1e6 + 0.25 * day as f64,
            ));
        }
    }
    for (k, (c, d, p, s, a)) in rows.iter().enumerate() {
        plain.push_str(&format!("{c},{d},{p},{s},{a}\n"));
        if k % 97 == 0 {
            plain.push('\n'); // blank lines are skipped but counted
        }
    }
    let fast = dir.path().join("fast.csv");
    std::fs::write(&fast, &plain).unwrap();
    // a quote anywhere sends the file to the csv-crate row reader
    let slow = dir.path().join("slow.csv");
    std::fs::write(&slow, plain.replacen("b,", "\"b\",", 1)).unwrap();
    let pq = dir.path().join("t.parquet");
    let fields = vec![
        Field::new("class_id", DataType::Utf8, false),
        Field::new("date", DataType::Date32, false),
        Field::new("price", DataType::Float64, false),
        Field::new("shares", DataType::Float64, false),
        Field::new("aum", DataType::Float64, false),
    ];
    let schema = Arc::new(Schema::new(fields));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(70))
        .build();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(&pq).unwrap(),
        schema.clone(),
        Some(props),
    )
    .unwrap();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(Date32Array::from_iter_values(
            rows.iter().map(|r| r.1.days()),
        )),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.2))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.3))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.4))),
    ];
    w.write(&RecordBatch::try_new(schema, cols).unwrap())
        .unwrap();
    w.close().unwrap();

    let (a, b, c) = (
        read_industry(&fast).unwrap(),
        read_industry(&slow).unwrap(),
        read_industry(&pq).unwrap(),
    );
    assert_eq!(a.classes(), ["b", "a", "c"]);
    for t in [&b, &c] {
        assert_eq!(a.classes(), t.classes());
        assert_eq!(a.n_records(), t.n_records());
        for k in 0..a.n_classes() {
            let (x, y) = (a.class(k), t.class(k));
            assert_eq!(x.dates, y.dates);
            assert_eq!(x.price, y.price);
            assert_eq!(x.shares, y.shares);
            assert_eq!(x.aum, y.aum);
        }
    }
    // (the csv crate does not count blank lines, so only the fast reader's line
    // numbers are checked here) 200 rows of b and a before the first c, and 3 blank lines
    assert_eq!(a.first_position(0), Position::Line(2));
    assert_eq!(a.first_position(1), Position::Line(4));
    assert_eq!(a.first_position(2), Position::Line(207));
    assert_eq!(c.first_position(1), Position::Row(2));
    assert_eq!(c.first_position(2), Position::Row(203));
    // an error in a late chunk names its line, as the row reader does
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, plain.replace("1.899,", "1.899x,")).unwrap();
    let bad_slow = dir.path().join("bad_slow.csv");
    std::fs::write(
        &bad_slow,
        plain
            .replace("1.899,", "1.899x,")
            .replacen("b,", "\"b\",", 1),
    )
    .unwrap();
    let (e1, e2) = (
        read_industry(&bad).unwrap_err(),
        read_industry(&bad_slow).unwrap_err(),
    );
    assert_eq!(e1.message, e2.message);
    assert_eq!(e1.column.as_deref(), Some("price"));
    // day 399 of class b is row 3 * 400 - 100 - 3 = 1097 (0-based), after 12 blank lines
    assert_eq!(e1.position, Some(Position::Line(2 + 1097 + 12)));

    // Errors found after parsing (here a negative AUM, checked when the table is built)
    // name their line too: from the line numbers kept for a file with blank lines, and
    // from the row index (line = row + 2) for one without.
    let dense: String = plain.split_inclusive('\n').filter(|l| *l != "\n").collect();
    let dense_path = dir.path().join("dense.csv");
    std::fs::write(&dense_path, &dense).unwrap();
    let d = read_industry(&dense_path).unwrap();
    assert_eq!(d.first_position(0), Position::Line(2));
    assert_eq!(d.first_position(1), Position::Line(3));
    assert_eq!(d.first_position(2), Position::Line(204)); // row 202: after b and a of day 100
    let negative = |text: &str| text.replace("1.899,1399,1000099.75", "1.899,1399,-1000099.75");
    for (text, line) in [(&dense, 2 + 1097), (&plain, 2 + 1097 + 12)] {
        let path = dir.path().join("negative.csv");
        std::fs::write(&path, negative(text)).unwrap();
        let e = read_industry(&path).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("aum"), "{e}");
        assert_eq!(e.position, Some(Position::Line(line)), "{e}");
    }
}

/// A blank line anywhere (also right where a parsing chunk ends, which some of these
/// file sizes, blank-line places and thread counts hit) keeps the line numbers of later
/// errors right.
#[test]
fn blank_line_anywhere_keeps_error_lines_right() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.csv");
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for n in 8..40 {
            // rows of slightly different lengths; the last one has a negative AUM
            let rows: Vec<String> = (0..n)
                .map(|i| {
                    let aum = if i == n - 1 {
                        -5.0
                    } else {
                        2e6 + 7.25 * (i * i) as f64
                    };
                    format!("c{},2024-01-{:02},10.5,100,{aum}\n", i % 3, 1 + i / 3)
                })
                .collect();
            for k in 0..n - 1 {
                let mut text = String::from("class_id,date,price,shares,aum\n");
                for (i, r) in rows.iter().enumerate() {
                    text.push_str(r);
                    if i == k {
                        text.push('\n');
                    }
                }
                std::fs::write(&path, &text).unwrap();
                let e = pool.install(|| read_industry(&path)).unwrap_err();
                // the last row is on line n + 1, and one blank line comes before it
                let line = n as u64 + 2;
                assert_eq!(
                    e.position,
                    Some(Position::Line(line)),
                    "{n} rows, blank after row {k}: {e}"
                );
                assert_eq!(e.column.as_deref(), Some("aum"));
            }
        }
    }
}

/// A mapped category column replaces a `category` column the file also has (a vendor's
/// broad category next to the one chosen), and a mapped id column an `id` column.
#[test]
fn mapped_category_column_wins_over_one_named_category() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.csv");
    std::fs::write(
        &p,
        "id,SecId,category,Morningstar Category
x,A,Equity,Large Value
y,B,Equity,Small Growth
",
    )
    .unwrap();
    let src = Source::new(&p).with_columns(ColumnNames {
        id: Some("SecId".into()),
        category: Some("Morningstar Category".into()),
        ..ColumnNames::default()
    });
    let m = read_metadata(&src, "id", &["category"]).unwrap();
    assert_eq!(m.get("A", "category"), Some("Large Value"));
    assert_eq!(m.get("B", "category"), Some("Small Growth"));
    assert_eq!(m.get("x", "category"), None);
    // Unmapped, the file's own columns are read as before.
    let plain = read_metadata(&p, "id", &["category"]).unwrap();
    assert_eq!(plain.get("x", "category"), Some("Equity"));
    assert_eq!(plain.get("x", "Morningstar Category"), Some("Large Value"));
}
