//! Writers: CSV quoting and round trips, tables written in blocks, write errors, and
//! atomic, no-clobber outputs.

mod common;

use std::path::Path;

use arrow_array::{Array, Date32Array, Float64Array, StringArray};
use peergroup_data::{Date, Position};
use peergroup_io::{
    read_industry, write_table, write_table_blocks, Column, Format, Outputs, Table,
};

use common::d;

#[test]
fn csv_and_parquet_writers_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let table = Table::new()
        .with(
            "class_id",
            Column::Key {
                codes: vec![0, 1, 0],
                names: vec!["plain".into(), "has, comma \"q\"".into()],
            },
        )
        .with(
            "date",
            Column::Date(vec![d("2022-01-03"), d("2022-01-03"), d("2022-01-04")]),
        )
        .with("price", Column::F64(vec![1.5, f64::NAN, 1e-7]))
        .with("shares", Column::F64(vec![1.0, 2.0, 3.0]))
        .with("aum", Column::F64(vec![10.0, 20.0, 30.0]));
    let csv = dir.path().join("t.csv");
    write_table(&csv, Format::Csv, &table).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text,
        "class_id,date,price,shares,aum\nplain,2022-01-03,1.5,1.0,10.0\n\"has, comma \"\"q\"\"\",2022-01-03,,2.0,20.0\nplain,2022-01-04,1e-7,3.0,30.0\n"
    );
    let pq = dir.path().join("t.parquet");
    write_table(&pq, Format::Parquet, &table).unwrap();
    // the empty price cell is an error for industry data, in both formats, at the same record
    let e1 = read_industry(&csv).unwrap_err();
    let e2 = read_industry(&pq).unwrap_err();
    assert_eq!(e1.position, Some(Position::Line(3)));
    assert_eq!(e2.position, Some(Position::Row(2)));
    assert_eq!(e1.message, e2.message);
}

/// Rows `rows` of a long table with ids `names` (ids of the rows: `owner`).
fn long_block(names: &[String], owner: &[usize], rows: std::ops::Range<usize>) -> Table {
    // each block names only its own ids, as a block of an id-major result does
    let first = owner[rows.start.min(owner.len() - 1)];
    let used: Vec<String> = names[first..=owner[rows.end.max(1) - 1].max(first)].to_vec();
    let x = |r: usize| r as f64 * 0.37 - 3.0;
    Table::new()
        .with(
            "id",
            Column::Key {
                codes: rows.clone().map(|r| (owner[r] - first) as u32).collect(),
                names: used,
            },
        )
        .with(
            "date",
            Column::Date(
                rows.clone()
                    .map(|r| d("2022-01-03").add_days(r as i32))
                    .collect(),
            ),
        )
        // NaN (empty / null) on every id's first row, as in effects
        .with(
            "v",
            Column::F64(
                rows.clone()
                    .map(|r| {
                        if r == 0 || owner[r] != owner[r - 1] {
                            f64::NAN
                        } else {
                            x(r)
                        }
                    })
                    .collect(),
            ),
        )
        .with("w", Column::F64(rows.map(|r| 1e6 + x(r)).collect()))
}

/// A failing write (a full disk) surfaces as an error from the CSV writer's own thread,
/// for a table far larger than its buffers, rather than a hang or a silent success.
#[cfg(target_os = "linux")]
#[test]
fn csv_write_errors_reach_the_caller() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    let n = 400_000usize;
    let names: Vec<String> = (0..40).map(|k| format!("id{k:02}")).collect();
    let owner: Vec<usize> = (0..n).map(|r| r * names.len() / n).collect();
    let table = long_block(&names, &owner, 0..n);
    let e = write_table(full, Format::Csv, &table).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(28), "{e}"); // ENOSPC
    let blocks = (0..4).map(|b| long_block(&names, &owner, b * n / 4..(b + 1) * n / 4));
    // the first failed write stops the formatting of later blocks, with that error
    let e = write_table_blocks(full, Format::Csv, blocks).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(28), "{e}");
}

#[test]
fn tables_written_in_blocks_equal_tables_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let n = 3_000_000usize; // Parquet row groups hold 1,048,576 rows: several of them
    let names: Vec<String> = (0..300).map(|k| format!("id{k:03}")).collect();
    let owner: Vec<usize> = (0..n).map(|r| r * names.len() / n).collect();
    let whole = long_block(&names, &owner, 0..n);
    let cuts = [
        0,
        10_000,
        10_000 + 10_000 * 3,
        1_500_000,
        1_500_000 + 10_000,
        n,
    ];
    let blocks = || {
        cuts.windows(2)
            .map(|w| long_block(&names, &owner, w[0]..w[1]))
            .collect::<Vec<_>>()
            .into_iter()
    };
    for (format, ext) in [(Format::Csv, "csv"), (Format::Parquet, "parquet")] {
        let a = dir.path().join(format!("whole.{ext}"));
        let b = dir.path().join(format!("blocks.{ext}"));
        write_table(&a, format, &whole).unwrap();
        write_table_blocks(&b, format, blocks()).unwrap();
        if format == Format::Csv {
            assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        } else {
            let read = |p: &Path| {
                let f = std::fs::File::open(p).unwrap();
                let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
                    .unwrap()
                    .build()
                    .unwrap();
                let mut out: (Vec<String>, Vec<i32>, Vec<Option<f64>>, Vec<f64>) =
                    Default::default();
                for batch in r {
                    let batch = batch.unwrap();
                    let c = |i: usize| batch.column(i).clone();
                    let id = c(0);
                    let id = id.as_any().downcast_ref::<StringArray>().unwrap();
                    out.0.extend(id.iter().map(|s| s.unwrap().to_string()));
                    let date = c(1);
                    let date = date.as_any().downcast_ref::<Date32Array>().unwrap();
                    out.1.extend(date.values().iter().copied());
                    let v = c(2);
                    out.2
                        .extend(v.as_any().downcast_ref::<Float64Array>().unwrap().iter());
                    let w = c(3);
                    let w = w.as_any().downcast_ref::<Float64Array>().unwrap();
                    assert_eq!(w.null_count(), 0);
                    out.3.extend(w.values().iter().copied());
                }
                out
            };
            let (x, y) = (read(&a), read(&b));
            assert_eq!(x.0.len(), n);
            assert_eq!(x, y);
            assert_eq!(y.2.iter().filter(|v| v.is_none()).count(), names.len());
        }
    }
    // blocks must share the columns, and there must be one to give them
    let p = dir.path().join("bad.csv");
    let other = Table::new().with("x", Column::F64(vec![1.0]));
    let mixed = vec![long_block(&names, &owner, 0..5), other].into_iter();
    assert!(write_table_blocks(&p, Format::Csv, mixed).is_err());
    assert!(write_table_blocks(&p, Format::Parquet, std::iter::empty()).is_err());
    // one empty block: the header (CSV) or the schema (Parquet) and no rows
    let empty = Table::new().with("x", Column::F64(Vec::new()));
    write_table_blocks(&p, Format::Csv, std::iter::once(empty.clone())).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "x\n");
    let q = dir.path().join("empty.parquet");
    write_table_blocks(&q, Format::Parquet, std::iter::once(empty)).unwrap();
    let f = std::fs::File::open(&q).unwrap();
    let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
    assert_eq!(r.metadata().file_metadata().num_rows(), 0);
    assert_eq!(r.schema().field(0).name(), "x");
}

#[test]
fn outputs_are_atomic_and_no_clobber() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("sub/a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&b, "old").unwrap();
    let t = Table::new().with("x", Column::I64(vec![1, 2]));
    // b exists: planning fails before anything is written
    let mut o = Outputs::new(false);
    o.plan_table(&a).unwrap();
    assert!(o.plan_table(&b).is_err());
    // staged files are invisible until commit, and vanish if the command fails
    {
        let mut o = Outputs::new(true);
        o.write_table(&a, &t).unwrap();
        assert!(!a.exists());
        let staged: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(staged.len(), 1);
    }
    // ...with the folder created for them: a failed command leaves nothing
    assert!(
        !dir.path().join("sub").exists(),
        "temp and its new folder removed on drop"
    );
    let mut o = Outputs::new(true);
    o.write_table(&a, &t).unwrap();
    o.write_table(&b, &t).unwrap();
    // a second name for the old b: replacing b must leave that file untouched
    let old = dir.path().join("old-b");
    std::fs::hard_link(&b, &old).unwrap();
    o.commit().unwrap();
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "x\n1\n2\n");
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "old");
    assert!(a.exists());
    // replacing swaps the files and removes the old one: nothing else is left over
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["b.csv", "old-b", "sub"]);
    // a table's format is its extension: read-only workbooks and unknown extensions are
    // refused before any work, naming what to write instead
    let refused = |name: &str| {
        Outputs::new(true)
            .plan_table(&dir.path().join(name))
            .unwrap_err()
            .to_string()
    };
    assert!(
        refused("x.xls").contains("write .xlsx instead"),
        "{}",
        refused("x.xls")
    );
    assert!(refused("x.ods").contains("write .xlsx instead"));
    let unknown = refused("x.json");
    assert!(
        unknown.contains(".csv, .txt, .parquet, .pq, .xlsx, .xls or .ods"),
        "{unknown}"
    );
}

/// Rows of bounded columns are written by index into a presized buffer; a free-text
/// column sends the table through the general formatter. Both give the same text.
#[test]
fn csv_fast_and_general_formatting_agree() {
    let dir = tempfile::tempdir().unwrap();
    let xs = vec![
        -1.2345678901234567e-308,
        f64::MAX,
        f64::MIN_POSITIVE,
        -0.0,
        f64::NAN,
        1e22,
        123456.789,
        f64::INFINITY,
    ];
    let ints = vec![i64::MIN, i64::MAX, 0, -1, 7, 10, -100, 42];
    let n = xs.len();
    let bounded = Table::new()
        .with(
            "id",
            Column::Key {
                codes: (0..n as u32).map(|i| i % 3).collect(),
                names: vec![
                    "a".into(),
                    "a much longer identifier, quoted".into(),
                    "x".repeat(40),
                ],
            },
        )
        .with(
            "date",
            Column::Date(
                (0..n as i32)
                    .map(|i| Date::from_days(19_000 + 40 * i))
                    .collect(),
            ),
        )
        .with("x", Column::F64(xs))
        .with("k", Column::I64(ints));
    let mut general = bounded.clone();
    general.push("t", Column::Text(vec![String::new(); n]));
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    write_table(&a, Format::Csv, &bounded).unwrap();
    write_table(&b, Format::Csv, &general).unwrap();
    let a = std::fs::read_to_string(a).unwrap();
    let b = std::fs::read_to_string(b).unwrap();
    let b: Vec<String> = b
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string())
        .collect();
    assert_eq!(a.lines().collect::<Vec<_>>(), b);
    assert!(
        a.contains("\n\"a much longer identifier, quoted\",2022-"),
        "{a}"
    );
    assert!(a.contains(",-9223372036854775808\n"), "{a}");
    assert!(a.contains(",-1.2345678901234567e-308,"), "{a}");
}
