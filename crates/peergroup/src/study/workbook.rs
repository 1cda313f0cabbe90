//! `results.xlsx`: every result table of a run in one workbook, a sheet per table, for
//! analysts who live in Excel.

use std::path::Path;

use peergroup_io::{read_table, Outputs, Table, EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS};

use super::manifest::Manifest;
use crate::commands::CommandResult;

/// The workbook's file name in a run folder.
pub const FILE: &str = "results.xlsx";

/// Write the workbook of the run in `dir` from the tables the stages wrote (read back,
/// so reused stages are included); returns the tables left out because a sheet cannot
/// hold them.
pub fn write(dir: &Path, manifest: &Manifest) -> CommandResult<Vec<String>> {
    let mut sheets: Vec<(String, Table)> = Vec::new();
    let mut left_out = Vec::new();
    // A table's own name is its sheet's when no other stage has a table of that name
    // (Excel cuts sheet names at 31 characters: `segment-investors occupation…`).
    let stems: Vec<&str> = manifest
        .stages
        .iter()
        .flat_map(|s| s.tables.keys().map(|f| stem(f)))
        .collect();
    for stage in &manifest.stages {
        for (file, &rows) in &stage.tables {
            let stem = stem(file);
            let shown = format!("{}/{file}", stage.stage);
            if rows + 1 > EXCEL_MAX_ROWS {
                left_out.push(format!(
                    "{shown} ({rows} rows; a sheet holds {})",
                    EXCEL_MAX_ROWS - 1
                ));
                continue;
            }
            let table = read_table(&dir.join(&stage.stage).join(file))?;
            if table.names().len() > EXCEL_MAX_COLUMNS {
                left_out.push(format!("{shown} ({} columns)", table.names().len()));
                continue;
            }
            let unique = stems.iter().filter(|s| **s == stem).count() == 1;
            let sheet = if unique {
                stem.to_string()
            } else {
                format!("{} {stem}", stage.stage)
            };
            sheets.push((sheet, table));
        }
    }
    let path = dir.join(FILE);
    // The run folder is the runner's: its previous workbook is replaced.
    let mut outputs = Outputs::new(true);
    outputs.plan_workbook(&path)?;
    let refs: Vec<(&str, &Table)> = sheets.iter().map(|(n, t)| (n.as_str(), t)).collect();
    outputs.write_workbook(&path, &refs)?;
    outputs.commit()?;
    Ok(left_out)
}

/// A table file's name without its extension.
fn stem(file: &str) -> &str {
    file.rsplit_once('.').map_or(file, |(s, _)| s)
}
