//! Inputs the property tests and the fuzzer (`examples/fuzz_readers.rs`) found making
//! the library panic, kept as regression tests.

use peergroup_data::Date;
use peergroup_io::{read_table, write_table, Column, Format, Table};

/// Two columns sharing a name, one of dates and one of text: the Parquet writer's
/// per-column settings (DELTA encoding for dates) were given to both, and the text
/// column's encoder panicked ("unsupported encoding DELTA_BINARY_PACKED for byte array").
#[test]
fn parquet_writer_takes_two_columns_of_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    let d = |s| Date::parse(s).unwrap();
    let table = Table::new()
        .with("date", Column::Date(vec![d("2020-01-31"), d("2020-02-29")]))
        .with("date", Column::Text(vec!["a".into(), "b".into()]))
        .with("value", Column::F64(vec![0.5, 1.5]));
    write_table(&path, Format::Parquet, &table).unwrap();
    let back = read_table(&path).unwrap();
    assert_eq!(back.columns().len(), 3);
}

/// A file of the corpus's `fuzz/` folder (inputs the fuzzer saved).
fn fuzz_input(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../peergroup/tests/corpus/fuzz")
        .join(name)
}

/// Damaged Parquet files on which the `parquet` crate panics (a negative column length
/// in the footer, a page offset past the end, a division by zero, a slice past the end,
/// a dictionary-encoded page without its dictionary: one flipped bit of a page header,
/// read by the parallel industry reader) are refused as damaged, naming the file.
#[test]
fn damaged_parquet_that_panics_the_decoder_is_refused() {
    type Read = fn(&std::path::Path) -> Result<(), peergroup_data::InputError>;
    let cases: [(&str, Read); 5] = [
        ("dictionary-decoder-unset.parquet", |p| {
            peergroup_io::read_industry(p).map(drop)
        }),
        ("metadata-negative-column-length.parquet", |p| {
            peergroup_io::read_cross_labels(p).map(drop)
        }),
        ("offset-out-of-bounds.parquet", |p| {
            peergroup_io::read_series(p, &Default::default()).map(drop)
        }),
        ("divide-by-zero.parquet", |p| {
            peergroup_io::read_fit_r2(p).map(drop)
        }),
        ("range-end-out-of-slice.parquet", |p| {
            peergroup_io::read_similarity(p).map(drop)
        }),
    ];
    for (name, read) in cases {
        let e = read(&fuzz_input(name)).unwrap_err();
        assert!(e.file.is_some(), "{name}: {e}");
        assert!(
            e.message.contains("not a readable Parquet file: damaged"),
            "{name}: {e}"
        );
    }
}
