//! The writers against their references: CSV against cell-by-cell formatting, Parquet
//! of repeated and cycled columns against the same rows spelled out.

use peergroup_data::Date;

use super::csv_writer::{write_csv, AHEAD};
use super::{write_table, write_table_owned, Column, Table};
use crate::Format;

/// Row by row through [`Column::push_cell`]: the reference for the prepared formatter.
fn naive(table: &Table) -> Vec<u8> {
    let mut out = Vec::new();
    for r in 0..table.n_rows() {
        for (i, c) in table.columns.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            c.push_cell(r, &mut out);
        }
        out.push(b'\n');
    }
    out
}

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// Rows of bounded cells only (the path of `peergroup industry`), with more float
/// columns than are formatted ahead of their copy, floats between other columns,
/// and empty (non-finite) cells.
#[test]
fn bounded_rows_with_many_float_columns_equal_cell_by_cell_formatting() {
    let n = 9_000; // several chunks
    let mut s = 11u64;
    let mut float = |r: usize, j: usize| match (r + j) % 11 {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => 1.0,
        3 => -1e-7,
        4 => 1e22,
        _ => {
            ((xorshift(&mut s) >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi(j as i32 - 4)
        }
    };
    // keyed (a repeated leading column) and plain (every column one value a row)
    let keyed = Column::repeated(
        Column::Key {
            codes: (0..n / 3).map(|g| (g % 2) as u32).collect(),
            names: vec!["A".into(), "B,2".into()],
        },
        3,
    );
    let plain = Column::Key {
        codes: (0..n).map(|r| ((r / 3) % 2) as u32).collect(),
        names: vec!["A".into(), "B,2".into()],
    };
    for id in [keyed, plain] {
        let mut table = Table::new().with("id", id);
        for j in 0..AHEAD + 3 {
            let v: Vec<f64> = (0..n).map(|r| float(r, j)).collect();
            table.push(&format!("x{j}"), Column::F64(v));
            if j % 4 == 1 {
                table.push(
                    &format!("d{j}"),
                    Column::Date(
                        (0..n)
                            .map(|r| Date::from_days(18_000 + (r % 500) as i32))
                            .collect(),
                    ),
                );
                table.push(
                    &format!("n{j}"),
                    Column::I64((0..n as i64).map(|r| r * 7 - 300).collect()),
                );
            }
        }
        let want = naive(&table);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        write_csv(&path, &table).unwrap();
        let got = std::fs::read(&path).unwrap();
        let header_len = got.iter().position(|&b| b == b'\n').unwrap() + 1;
        assert!(got[header_len..] == want[..]);
    }
}

#[test]
fn prepared_rows_equal_cell_by_cell_formatting() {
    let groups = 40_000; // 120,000 rows: groups straddle the 32,768-row chunks
    let mut s = 7u64;
    let dates: Vec<Date> = (0..groups)
        .map(|g| {
            Date::from_days(if g % 1000 == 7 {
                -800_000
            } else {
                15_000 + (g % 300) as i32
            })
        })
        .collect();
    let plain_rows = groups * 3;
    let values: Vec<f64> = (0..plain_rows)
        .map(|r| match r % 7 {
            0 => 0.0,
            1 => f64::NAN,
            _ => (xorshift(&mut s) >> 11) as f64 / (1u64 << 53) as f64 - 0.5,
        })
        .collect();
    let names = vec!["F,1".to_string(), "F2".to_string(), "F\"3\"".to_string()];
    let table = Table::new()
        .with(
            "fund",
            Column::repeated(
                Column::Key {
                    codes: (0..groups).map(|g| (g % 3) as u32).collect(),
                    names: names.clone(),
                },
                3,
            ),
        )
        .with("date", Column::repeated(Column::Date(dates.clone()), 3))
        .with(
            "factor",
            Column::cycled(
                Column::Text(vec!["a".into(), "b".into(), "c".into()]),
                plain_rows,
            ),
        )
        .with("beta", Column::F64(values.clone()))
        .with(
            "n",
            Column::I64((0..plain_rows as i64).map(|r| r - 50).collect()),
        );
    assert_eq!(table.n_rows(), plain_rows);
    let want = naive(&table);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| write_csv(&path, &table)).unwrap();
        let got = std::fs::read(&path).unwrap();
        let header = b"fund,date,factor,beta,n\n";
        assert_eq!(&got[..header.len()], header);
        assert!(got[header.len()..] == want[..], "{threads} thread(s)");
    }
    // the same rows spelled out plainly
    let expanded = Table::new()
        .with(
            "fund",
            Column::Key {
                codes: (0..plain_rows).map(|r| ((r / 3) % 3) as u32).collect(),
                names,
            },
        )
        .with(
            "date",
            Column::Date((0..plain_rows).map(|r| dates[r / 3]).collect()),
        )
        .with(
            "factor",
            Column::Text(
                (0..plain_rows)
                    .map(|r| ["a", "b", "c"][r % 3].into())
                    .collect(),
            ),
        )
        .with("beta", Column::F64(values))
        .with(
            "n",
            Column::I64((0..plain_rows as i64).map(|r| r - 50).collect()),
        );
    assert!(naive(&expanded) == want);
    // Parquet: repeated and cycled columns are written as their plain values
    let (a, b, c) = (
        dir.path().join("a.parquet"),
        dir.path().join("b.parquet"),
        dir.path().join("c.parquet"),
    );
    write_table(&a, Format::Parquet, &table).unwrap();
    write_table(&b, Format::Parquet, &expanded).unwrap();
    write_table_owned(&c, Format::Parquet, table.clone()).unwrap();
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
    assert!(std::fs::read(&c).unwrap() == std::fs::read(&b).unwrap());
}
