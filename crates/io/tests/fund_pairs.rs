//! One fund's row of a pair table, streamed: the Parquet fast path (row groups pruned by
//! their fund statistics, ids as dictionaries) gives exactly what the row reader gives
//! on the same table as CSV and what the whole table gives; dates, an unknown fund and a
//! pair given twice are reported by name; unusual Parquet falls back to the row reader.

use peergroup_data::Date;
use peergroup_io::{
    read_fund_pairs, read_similarity, write_table, write_table_blocks, Column, Format, Table,
};

fn date(m: u32) -> Date {
    Date::month_end(2024, m).unwrap()
}

/// Every pair of `n` funds on two dates, in blocks of `per_block` funds' rows (one
/// Parquet row group each); similarity a deterministic function of the pair and date.
fn blocks(n: usize, per_block: usize) -> Vec<Table> {
    let names: Vec<String> = (0..n).map(|i| format!("F{i:04}")).collect();
    let mut out = Vec::new();
    for d in [date(5), date(6)] {
        for start in (0..n).step_by(per_block) {
            let (mut a, mut b, mut s) = (Vec::new(), Vec::new(), Vec::new());
            for i in start..(start + per_block).min(n) {
                for j in i + 1..n {
                    a.push(i as u32);
                    b.push(j as u32);
                    let x = ((i * 31 + j * 17 + d.month() as usize * 7) % 1000) as f64;
                    s.push(x / 1000.0);
                }
            }
            let len = a.len();
            let key = |codes| Column::Key {
                codes,
                names: names.clone(),
            };
            out.push(
                Table::new()
                    .with("date", Column::Date(vec![d; len]))
                    .with("fund_a", key(a))
                    .with("fund_b", key(b))
                    .with("similarity", Column::F64(s)),
            );
        }
    }
    out
}

#[test]
fn parquet_csv_and_the_whole_table_agree() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("pairs.parquet");
    let csv = dir.path().join("pairs.csv");
    write_table_blocks(&pq, Format::Parquet, blocks(90, 7).into_iter()).unwrap();
    write_table_blocks(&csv, Format::Csv, blocks(90, 7).into_iter()).unwrap();
    let whole = read_similarity(&csv).unwrap();
    for fund in ["F0000", "F0044", "F0089"] {
        for day in [None, Some(date(5))] {
            let a = read_fund_pairs(&pq, fund, day).unwrap();
            let b = read_fund_pairs(&csv, fund, day).unwrap();
            assert_eq!(a.date, day.unwrap_or(date(6)));
            assert_eq!(a.others.len(), 89);
            // Same pairs (row order may differ between row groups read in parallel).
            let mut x: Vec<_> = a.others.iter().zip(&a.similarity).collect();
            let mut y: Vec<_> = b.others.iter().zip(&b.similarity).collect();
            x.sort_by(|p, q| p.0.cmp(q.0));
            y.sort_by(|p, q| p.0.cmp(q.0));
            assert_eq!(x, y);
            let t = whole.dates.binary_search(&a.date).unwrap();
            let n = whole.funds.len();
            let f = whole.funds.get(fund).unwrap();
            for (other, s) in x {
                let o = whole.funds.get(other).unwrap();
                assert_eq!(whole.matrix(t)[f * n + o], *s);
            }
        }
    }
}

#[test]
fn dates_unknown_funds_and_conflicts_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("pairs.parquet");
    write_table_blocks(&pq, Format::Parquet, blocks(12, 5).into_iter()).unwrap();
    let e = read_fund_pairs(&pq, "F9", None).unwrap_err().to_string();
    assert!(
        e.contains("pairs.parquet") && e.contains("unknown fund 'F9'") && e.contains("12 funds"),
        "{e}"
    );
    let e = read_fund_pairs(&pq, "F0003", Some(date(7)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no similarities on 2024-07-31"), "{e}");
    let csv = dir.path().join("twice.csv");
    std::fs::write(
        &csv,
        "date,fund_a,fund_b,similarity\n2024-06-30,A,B,0.5\n2024-06-30,B,A,0.6\n",
    )
    .unwrap();
    let e = read_fund_pairs(&csv, "A", None).unwrap_err().to_string();
    assert!(
        e.contains("twice.csv") && e.contains("line 3") && e.contains("given twice"),
        "{e}"
    );
}

#[test]
fn unusual_parquet_goes_through_the_row_reader() {
    // Plain strings rather than dictionaries, a NaN similarity: the row reader reads
    // the first and names the file, row and column of the second.
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("text.parquet");
    let table = |s: f64| {
        Table::new()
            .with("date", Column::Date(vec![date(6); 2]))
            .with("fund_a", Column::Text(vec!["A".into(), "A".into()]))
            .with("fund_b", Column::Text(vec!["B".into(), "C".into()]))
            .with("similarity", Column::F64(vec![0.25, s]))
    };
    write_table(&pq, Format::Parquet, &table(0.75)).unwrap();
    let p = read_fund_pairs(&pq, "A", None).unwrap();
    assert_eq!(p.others, ["B", "C"]);
    assert_eq!(p.similarity, [0.25, 0.75]);
    write_table(&pq, Format::Parquet, &table(f64::NAN)).unwrap();
    let e = read_fund_pairs(&pq, "C", None).unwrap_err().to_string();
    assert!(
        e.contains("text.parquet") && e.contains("similarity"),
        "{e}"
    );
}
