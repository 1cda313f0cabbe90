//! Reading one sheet of a `.xlsx`, `.xls` or `.ods` workbook as a table: the first
//! non-empty row is the header, every later row a record. Positions are the sheet's own
//! row numbers (the header of a sheet that starts at the top is row 1).

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use peergroup_data::{InputError, Position};

use crate::rows::{Row, RowSrc};

/// Reads sheet `sheet` (or the first) of the workbook at `path`: shows `on_header` the
/// column names and the header row, then calls the handler it returns for every
/// non-blank row. Returns the name of the input in messages, `book.xlsx, sheet 'Name'`;
/// errors from the sheet on carry it.
pub(crate) fn read_sheet<H, F>(
    path: &Path,
    sheet: Option<&str>,
    on_header: H,
) -> Result<String, InputError>
where
    H: FnOnce(&[String], Option<Position>) -> Result<F, InputError>,
    F: FnMut(&Row<'_>) -> Result<(), InputError>,
{
    crate::input_file::check_input(path)?;
    let mut book = open_workbook_auto(path).map_err(|e| match e {
        calamine::Error::Io(io) => crate::input_file::io_error("cannot read", io),
        e => InputError::new(format!("not a readable workbook: {e}")),
    })?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(s)))
            .ok_or_else(|| {
                InputError::new(format!(
                    "no sheet '{s}': the workbook has {}",
                    quoted_list(&names)
                ))
            })?
            .clone(),
        None => names
            .first()
            .ok_or_else(|| InputError::new("the workbook has no sheets"))?
            .clone(),
    };
    let label = format!("{}, sheet '{name}'", path.display());
    read_range(&mut book, &name, on_header).map_err(|e| e.in_file(label.clone()))?;
    Ok(label)
}

/// The rows of sheet `name` (see [`read_sheet`]).
fn read_range<R, H, F>(
    book: &mut calamine::Sheets<R>,
    name: &str,
    on_header: H,
) -> Result<(), InputError>
where
    R: std::io::Read + std::io::Seek,
    H: FnOnce(&[String], Option<Position>) -> Result<F, InputError>,
    F: FnMut(&Row<'_>) -> Result<(), InputError>,
{
    let range = book
        .worksheet_range(name)
        .map_err(|e| InputError::new(format!("cannot read sheet '{name}': {e}")))?;
    let Some((top, left)) = range.start() else {
        return Err(InputError::new(format!(
            "sheet '{name}' is empty: expected a header row with column names"
        )));
    };
    let mut rows = range.rows();
    let header_cells = rows.next().unwrap_or(&[]);
    let header_row = u64::from(top) + 1;
    let header_pos = Position::Row(header_row);
    let mut header = Vec::with_capacity(header_cells.len());
    for (j, cell) in header_cells.iter().enumerate() {
        let text = match cell {
            Data::Empty => String::new(),
            Data::String(s) => s.trim().to_string(),
            other => other.to_string().trim().to_string(),
        };
        if text.is_empty() {
            return Err(InputError::at(
                header_pos,
                "empty header cell: every column needs a name (merged or blank header cells are not supported)",
            )
            .with_column(column_letters(left as usize + j)));
        }
        header.push(text);
    }
    let mut f = on_header(&header, Some(header_pos))?;
    for (i, cells) in rows.enumerate() {
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        f(&Row {
            pos: Position::Row(header_row + 1 + i as u64),
            src: RowSrc::Cells(cells),
        })?;
    }
    Ok(())
}

/// `'a', 'b' and 'c'` for messages.
fn quoted_list(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match q.len() {
        0 => "no sheets".to_string(),
        1 => format!("only {}", q[0]),
        _ => format!("{} and {}", q[..q.len() - 1].join(", "), q[q.len() - 1]),
    }
}

/// Spreadsheet column letters of 0-based column `j`: A, ..., Z, AA, ...
fn column_letters(j: usize) -> String {
    let mut n = j + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_follow_the_spreadsheet_order() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn sheet_lists_read_naturally() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(quoted_list(&n(&["A"])), "only 'A'");
        assert_eq!(quoted_list(&n(&["A", "B", "C"])), "'A', 'B' and 'C'");
    }
}
