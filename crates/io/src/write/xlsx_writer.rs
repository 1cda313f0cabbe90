//! Tables written as `.xlsx` workbooks: a bold, frozen header row; numbers as numbers,
//! dates as Excel dates shown `yyyy-mm-dd`, text as text and missing values as empty
//! cells; one sheet per table, named within Excel's rules.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::path::Path;

use peergroup_data::Date;
use rust_xlsxwriter::{Format as CellFormat, Workbook, Worksheet, XlsxError};

use super::table::{Column, Table};

/// Rows in an Excel sheet, the header included.
pub const EXCEL_MAX_ROWS: usize = 1_048_576;

/// Columns in an Excel sheet.
pub const EXCEL_MAX_COLUMNS: usize = 16_384;

/// Longest sheet name Excel accepts, in characters.
const MAX_SHEET_NAME: usize = 31;

/// Excel's serial number of 1970-01-01 (1900 date system).
const SERIAL_1970: i64 = 25_569;

/// Excel's first serial past its phantom 1900-02-29: earlier dates are written as text.
const FIRST_TRUE_SERIAL: i64 = 61;

/// Why `table` cannot be one Excel sheet (too many rows or columns), if it cannot.
pub fn excel_limits(table: &Table) -> Result<(), String> {
    let (rows, cols) = (table.n_rows(), table.names.len());
    if rows + 1 > EXCEL_MAX_ROWS {
        return Err(format!(
            "{rows} rows do not fit in an Excel sheet (at most {} below the header): write .csv or .parquet instead",
            EXCEL_MAX_ROWS - 1
        ));
    }
    if cols > EXCEL_MAX_COLUMNS {
        return Err(format!(
            "{cols} columns do not fit in an Excel sheet (at most {EXCEL_MAX_COLUMNS}): write .csv or .parquet instead"
        ));
    }
    Ok(())
}

/// Write `table` as the only sheet ("Sheet1") of a new workbook at `path`.
pub(crate) fn write_xlsx(path: &Path, table: &Table) -> std::io::Result<()> {
    write_blocks(path, std::iter::once(table))
}

/// Write consecutive blocks of one table (same columns) as one sheet of a new workbook.
pub(crate) fn write_blocks<T: Borrow<Table>>(
    path: &Path,
    blocks: impl Iterator<Item = T>,
) -> std::io::Result<()> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Sheet1").map_err(io)?;
    let mut names: Option<Vec<String>> = None;
    let mut next_row = 1usize;
    for block in blocks {
        let block = block.borrow();
        match &names {
            None => {
                excel_limits(block).map_err(invalid)?;
                write_header(sheet, block, &formats)?;
                names = Some(block.names.clone());
            }
            Some(n) => block.same_columns_as(n)?,
        }
        if next_row + block.n_rows() > EXCEL_MAX_ROWS {
            return Err(invalid(format!(
                "{} rows do not fit in an Excel sheet (at most {} below the header): write .csv or .parquet instead",
                next_row - 1 + block.n_rows(),
                EXCEL_MAX_ROWS - 1
            )));
        }
        write_rows(sheet, block, next_row, &formats)?;
        next_row += block.n_rows();
    }
    if names.is_none() {
        return Err(invalid(
            "a table written in blocks needs at least one block".to_string(),
        ));
    }
    book.save(path).map_err(io)
}

/// Write each `(name, table)` as a sheet of a new workbook at `path`, in order; names
/// are made valid sheet names (see [`sheet_names`]).
pub fn write_workbook(path: &Path, sheets: &[(&str, &Table)]) -> std::io::Result<()> {
    if sheets.is_empty() {
        return Err(invalid("a workbook needs at least one table".to_string()));
    }
    for (name, table) in sheets {
        excel_limits(table).map_err(|e| invalid(format!("table '{name}': {e}")))?;
    }
    let names = sheet_names(&sheets.iter().map(|s| s.0).collect::<Vec<_>>());
    let mut book = Workbook::new();
    let formats = Formats::new();
    for ((_, table), name) in sheets.iter().zip(names) {
        let sheet = book.add_worksheet();
        sheet.set_name(name).map_err(io)?;
        write_header(sheet, table, &formats)?;
        write_rows(sheet, table, 1, &formats)?;
    }
    book.save(path).map_err(io)
}

/// Valid, distinct Excel sheet names for `wanted`, in order: the characters
/// `[ ] : * ? / \` become `_`, a leading or trailing `'` is dropped, names are cut to 31
/// characters, an empty name becomes `Sheet<n>`, the reserved `History` gets a `_`, and
/// a name already taken (ignoring case) gets ` (2)`, ` (3)`, ... within the 31.
pub fn sheet_names(wanted: &[&str]) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    wanted
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let cleaned: String = w
                .chars()
                .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
                .collect();
            let mut base: String = cleaned.trim_matches('\'').trim().to_string();
            if base.is_empty() {
                base = format!("Sheet{}", i + 1);
            }
            if base.eq_ignore_ascii_case("history") {
                base.push('_');
            }
            let base = cut(&base, MAX_SHEET_NAME);
            let mut name = base.clone();
            let mut n = 2;
            while taken.contains(&name.to_lowercase()) {
                let suffix = format!(" ({n})");
                name = format!(
                    "{}{suffix}",
                    cut(&base, MAX_SHEET_NAME - suffix.chars().count())
                );
                n += 1;
            }
            taken.insert(name.to_lowercase());
            name
        })
        .collect()
}

/// The first `n` characters of `s`, without a trailing `'` or space left by the cut.
fn cut(s: &str, n: usize) -> String {
    let c: String = s.chars().take(n).collect();
    c.trim_end_matches(['\'', ' ']).to_string()
}

/// The cell formats of every sheet.
struct Formats {
    header: CellFormat,
    date: CellFormat,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: CellFormat::new().set_bold(),
            date: CellFormat::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

/// The bold header in row 0, frozen above the data; date columns wide enough for
/// `yyyy-mm-dd`.
fn write_header(sheet: &mut Worksheet, table: &Table, f: &Formats) -> std::io::Result<()> {
    for (j, (name, column)) in table.names.iter().zip(&table.columns).enumerate() {
        let col = j as u16;
        sheet
            .write_string_with_format(0, col, name, &f.header)
            .map_err(io)?;
        if matches!(column.leaf(), Column::Date(_)) {
            sheet.set_column_width(col, 11).map_err(io)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(io)?;
    Ok(())
}

/// The rows of `table` from sheet row `first` on.
fn write_rows(
    sheet: &mut Worksheet,
    table: &Table,
    first: usize,
    f: &Formats,
) -> std::io::Result<()> {
    let n = table.n_rows();
    for (j, column) in table.columns.iter().enumerate() {
        let col = j as u16;
        let plain;
        let column = match column {
            Column::Repeated { .. } | Column::Cycled { .. } => {
                plain = column.materialise(0, n);
                &plain
            }
            c => c,
        };
        for r in 0..n {
            let row = (first + r) as u32;
            match column {
                Column::Key { codes, names } => {
                    text(sheet, row, col, &names[codes[r] as usize])?;
                }
                Column::Text(v) => text(sheet, row, col, &v[r])?,
                Column::F64(v) => {
                    if v[r].is_finite() {
                        sheet.write_number(row, col, v[r]).map_err(io)?;
                    }
                }
                Column::I64(v) => {
                    sheet.write_number(row, col, v[r] as f64).map_err(io)?;
                }
                Column::Date(v) => date(sheet, row, col, v[r], f)?,
                Column::Repeated { .. } | Column::Cycled { .. } => {
                    unreachable!("materialised above")
                }
            }
        }
    }
    Ok(())
}

/// A text cell; an empty text stays an empty cell.
fn text(sheet: &mut Worksheet, row: u32, col: u16, s: &str) -> std::io::Result<()> {
    if !s.is_empty() {
        sheet.write_string(row, col, s).map_err(io)?;
    }
    Ok(())
}

/// A date cell: Excel's serial day number shown `yyyy-mm-dd`; dates before 1900-03-01,
/// which Excel cannot show, as `YYYY-MM-DD` text.
fn date(sheet: &mut Worksheet, row: u32, col: u16, d: Date, f: &Formats) -> std::io::Result<()> {
    let serial = i64::from(d.days()) + SERIAL_1970;
    if serial >= FIRST_TRUE_SERIAL {
        sheet
            .write_number_with_format(row, col, serial as f64, &f.date)
            .map_err(io)?;
    } else {
        sheet.write_string(row, col, d.to_string()).map_err(io)?;
    }
    Ok(())
}

fn io(e: XlsxError) -> std::io::Error {
    std::io::Error::other(format!("cannot write the workbook: {e}"))
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excels_rules() {
        let long = "a very long table name that goes past thirty-one";
        let got = sheet_names(&["a/b", "[x]:y*?", "", "'q'", "History", long, long, "A/B"]);
        assert_eq!(got[0], "a_b");
        assert_eq!(got[1], "_x__y__");
        assert_eq!(got[2], "Sheet3");
        assert_eq!(got[3], "q");
        assert_eq!(got[4], "History_");
        assert_eq!(got[5], "a very long table name that goe");
        assert_eq!(got[6], "a very long table name that (2)");
        assert_eq!(got[7], "A_B (2)");
        for n in &got {
            assert!(n.chars().count() <= 31, "{n}");
        }
    }

    #[test]
    fn dates_are_excel_serials() {
        // 2024-01-31 is serial 45322 in Excel's 1900 system.
        let d = Date::from_ymd(2024, 1, 31).unwrap();
        assert_eq!(i64::from(d.days()) + SERIAL_1970, 45_322);
    }

    #[test]
    fn tables_past_excels_limits_are_refused() {
        let wide = (0..EXCEL_MAX_COLUMNS + 1).fold(Table::new(), |t, j| {
            t.with(&format!("c{j}"), Column::F64(vec![1.0]))
        });
        let e = excel_limits(&wide).unwrap_err();
        assert!(
            e.contains("16385 columns") && e.contains("at most 16384"),
            "{e}"
        );
        let long = Table::new().with("x", Column::F64(vec![0.0; EXCEL_MAX_ROWS]));
        assert!(excel_limits(&long).unwrap_err().contains("1048576 rows"));
        let fits = Table::new().with("x", Column::F64(vec![0.0; EXCEL_MAX_ROWS - 1]));
        assert!(excel_limits(&fits).is_ok());
    }
}
