//! Tables in memory (Arrow record batches, as a Python DataFrame arrives) read exactly as
//! the same data from a file, with errors that name the table, row and column.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use peergroup_io::{read_balances, read_industry, read_series, MemoryTable, SeriesOptions, Source};

/// `id,date,value` in two batches (rows 1–3 and 4–5).
fn long_returns(bad_value_at: Option<usize>) -> MemoryTable {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("date", DataType::Date32, false),
        Field::new("value", DataType::Float64, true),
    ]));
    // 2024-01-31 is day 19753 since 1970-01-01.
    let rows: Vec<(&str, i32, f64)> = vec![
        ("A", 19753, 0.01),
        ("A", 19782, -0.02),
        ("A", 19813, 0.03),
        ("B", 19753, 0.005),
        ("B", 19782, 0.0),
    ];
    let batch = |range: std::ops::Range<usize>| {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(
                rows[range.clone()].iter().map(|r| r.0),
            )),
            Arc::new(Date32Array::from_iter_values(
                rows[range.clone()].iter().map(|r| r.1),
            )),
            Arc::new(Float64Array::from_iter_values(range.map(|i| {
                if Some(i) == bad_value_at {
                    f64::INFINITY
                } else {
                    rows[i].2
                }
            }))),
        ];
        RecordBatch::try_new(schema.clone(), cols).unwrap()
    };
    MemoryTable::new(schema.clone(), vec![batch(0..3), batch(3..5)])
}

#[test]
fn a_table_in_memory_reads_as_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    std::fs::write(
        &path,
        "id,date,value\nA,2024-01-31,0.01\nA,2024-02-29,-0.02\nA,2024-03-31,0.03\nB,2024-01-31,0.005\nB,2024-02-29,0\n",
    )
    .unwrap();
    let options = SeriesOptions::default();
    let from_file = read_series(&path, &options).unwrap();
    let from_memory =
        read_series(&Source::in_memory("returns", long_returns(None)), &options).unwrap();
    assert_eq!(from_memory.ids(), from_file.ids());
    assert_eq!(from_memory.dates(), from_file.dates());
    for i in 0..2 {
        let (a, b) = (from_memory.series(i), from_file.series(i));
        assert!(a
            .iter()
            .zip(b)
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan())));
    }
}

#[test]
fn errors_name_the_table_row_and_column() {
    // Row 5 (in the second batch) holds an infinite return.
    let e = read_series(
        &Source::in_memory("returns", long_returns(Some(4))),
        &SeriesOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("returns") && e.contains("row 5") && e.contains("'value'"),
        "{e}"
    );
    // A missing column, and a table of another kind.
    let e = read_industry(&Source::in_memory("industry", long_returns(None)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("industry") && e.contains("class_id"), "{e}");
    let e = read_balances(&Source::in_memory("balances", long_returns(None)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("balances") && e.contains("user_id"), "{e}");
    // A sheet makes no sense for a table in memory.
    let s = Source::in_memory("returns", long_returns(None)).with_sheet(Some("x".into()));
    assert!(read_series(&s, &SeriesOptions::default()).is_err());
}

/// A registered table reads at `memory:<name>` through a bare path, as a command's
/// `--returns memory:returns` does, and is gone once its guard drops.
#[test]
fn a_registered_table_reads_at_its_memory_path() {
    let options = SeriesOptions::default();
    let guard = peergroup_io::register_memory("pytest-returns", long_returns(None));
    assert_eq!(guard.path(), "memory:pytest-returns");
    let panel = read_series(std::path::Path::new(&guard.path()), &options).unwrap();
    assert_eq!(panel.ids(), ["A", "B"]);
    // Messages name the table without the prefix.
    let bad = peergroup_io::register_memory("pytest-bad", long_returns(Some(1)));
    let e = read_series(std::path::Path::new(&bad.path()), &options)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("pytest-bad") && e.contains("row 2"), "{e}");
    drop(guard);
    assert!(read_series(std::path::Path::new("memory:pytest-returns"), &options).is_err());
}

/// An output path `memory:<name>` keeps the table in memory for the caller (no file):
/// published on commit only, taken once, keys as Arrow dictionaries, numbers as they were.
#[test]
fn a_memory_output_is_kept_for_the_caller() {
    use arrow_array::cast::AsArray;
    use peergroup_io::{take_captured, Column, Outputs, Table};

    let table = Table::new()
        .with(
            "fund",
            Column::Key {
                codes: vec![0, 0, 1],
                names: vec!["A".into(), "B".into()],
            },
        )
        .with("beta", Column::F64(vec![0.25, f64::NAN, 1.0]));
    let path = std::path::Path::new("memory:pytest-out.parquet");
    let mut out = Outputs::new(false);
    out.plan_table(path).unwrap();
    out.write_table(path, &table).unwrap();
    assert!(
        take_captured("pytest-out.parquet").is_none(),
        "published before commit"
    );
    out.commit().unwrap();
    assert!(!path.exists());
    let t = take_captured("pytest-out.parquet").expect("captured");
    assert_eq!(t.rows(), 3);
    let b = &t.batches()[0];
    assert!(matches!(
        b.schema().field(0).data_type(),
        DataType::Dictionary(..)
    ));
    let beta = b
        .column(1)
        .as_primitive::<arrow_array::types::Float64Type>();
    assert_eq!(
        (beta.value(0), beta.is_null(1), beta.value(2)),
        (0.25, true, 1.0)
    );
    assert!(take_captured("pytest-out.parquet").is_none(), "taken once");
    // Only tables can be kept in memory: a chart there is a usage error naming it.
    let mut out = Outputs::new(false);
    let svg = std::path::Path::new("memory:chart.svg");
    let e = out.write_bytes(svg, b"<svg/>").unwrap_err().to_string();
    assert!(
        e.contains("memory:chart.svg") && e.contains("only tables"),
        "{e}"
    );
    // An uncommitted command publishes nothing.
    let mut out = Outputs::new(false);
    out.plan_table(path).unwrap();
    out.write_table(path, &table).unwrap();
    drop(out);
    assert!(take_captured("pytest-out.parquet").is_none());
}
