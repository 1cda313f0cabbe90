//! Reading a table whose columns are not known in advance (a result table read back, a
//! file to show or convert), each column typed by its cells.

use peergroup_data::{Date, InputError};

use crate::rows::for_each_row;
use crate::source::AsSource;
use crate::write::{Column, Table};

/// What a column's cells have all been so far.
struct Typed {
    /// Every cell as text (empty for a missing value).
    text: Vec<String>,
    /// Every cell as a number (`NaN` when empty), while they all parse.
    numbers: Option<Vec<f64>>,
    /// Every cell as a date, while they all parse and none is empty.
    dates: Option<Vec<Date>>,
}

/// Read every column of `source` (CSV, Parquet or a sheet), each typed by its cells: a
/// column whose name contains "date" and whose cells are all dates is a date column,
/// else one whose cells are all whole numbers an integer column, else one whose cells
/// are all numbers or empty a number column (empty → `NaN`), else dates, else text. Errors name the file as every reader's do.
pub fn read_table<S: AsSource + ?Sized>(source: &S) -> Result<Table, InputError> {
    let src = source.as_source();
    let mut names: Vec<String> = Vec::new();
    let mut columns: Vec<Typed> = Vec::new();
    for_each_row(&src, &[], |header| {
        names = header.names.to_vec();
        columns = (0..names.len())
            .map(|_| Typed {
                text: Vec::new(),
                numbers: Some(Vec::new()),
                dates: Some(Vec::new()),
            })
            .collect();
        let (names, columns) = (&names, &mut columns);
        Ok(move |row: &crate::rows::Row<'_>| {
            for (c, col) in columns.iter_mut().enumerate() {
                let name = &names[c];
                let text = row.text(c, name)?.into_owned();
                if text.is_empty() {
                    if let Some(v) = &mut col.numbers {
                        v.push(f64::NAN);
                    }
                    col.dates = None;
                } else {
                    if col.numbers.is_some() {
                        match row.number(c, name) {
                            Ok(Some(x)) => col.numbers.as_mut().expect("checked").push(x),
                            _ => col.numbers = None,
                        }
                    }
                    if col.dates.is_some() {
                        match row.date(c, name) {
                            Ok(Some(d)) => col.dates.as_mut().expect("checked").push(d),
                            _ => col.dates = None,
                        }
                    }
                }
                col.text.push(text);
            }
            Ok(())
        })
    })?;
    let mut table = Table::new();
    for (name, col) in names.iter().zip(columns) {
        let dated = name.to_ascii_lowercase().contains("date");
        let integers: Option<Vec<i64>> = col.text.iter().map(|t| t.parse::<i64>().ok()).collect();
        let column = match (col.dates, col.numbers) {
            (Some(d), _) if dated && !d.is_empty() => Column::Date(d),
            (_, Some(_)) if integers.is_some() => Column::I64(integers.expect("checked")),
            (_, Some(x)) => Column::F64(x),
            (Some(d), None) => Column::Date(d),
            (None, None) => Column::Text(col.text),
        };
        table.push(name, column);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_typed_by_their_cells() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(
            &path,
            "fund,date,beta,note,code\nA,2024-01-31,0.5,x,20240131\nB,2024-02-29,,y z,20240229\n",
        )
        .unwrap();
        let t = read_table(&path).unwrap();
        assert_eq!(t.names(), ["fund", "date", "beta", "note", "code"]);
        assert_eq!(t.n_rows(), 2);
        assert_eq!(t.cell(0, 0), "A");
        assert_eq!(t.cell(1, 1), "2024-02-29");
        assert_eq!(t.cell(0, 2), "0.5");
        assert_eq!(t.cell(1, 2), "");
        assert_eq!(t.cell(1, 3), "y z");
        // All YYYYMMDD numbers, but not named as dates: integers.
        assert!(matches!(t.columns()[4], Column::I64(_)));
        assert_eq!(t.cell(1, 4), "20240229");
        assert!(matches!(t.columns()[1], Column::Date(_)));
        assert!(matches!(t.columns()[2], Column::F64(_)));
        let bad = dir.path().join("t.json");
        std::fs::write(&bad, "{}").unwrap();
        let e = read_table(&bad).unwrap_err().to_string();
        assert!(e.contains("t.json"), "{e}");
    }
}
