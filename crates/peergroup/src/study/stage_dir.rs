//! A stage's folder being written: its tables in the study's format, its charts as SVG,
//! and its section of the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use peergroup_io::{write_table, Format, Table};
use peergroup_pipeline::{Artifact, Artifacts, Chart};
use peergroup_report::{Block, Section};

use super::file::TableFormat;
use crate::commands::{CommandError, CommandResult};

/// Rows of a table shown in the report; the file holds them all.
const PREVIEW_ROWS: usize = 12;

/// The report section's file in a stage folder, so a reused stage keeps its section.
pub const SECTION_FILE: &str = "section.json";

/// A stage folder being written (a temporary folder, moved into place when the stage
/// succeeds).
pub struct StageDir {
    /// The folder being written.
    dir: PathBuf,
    /// The stage's name: its folder in the run.
    name: String,
    /// Table format.
    format: TableFormat,
    /// Files written, relative to the folder.
    files: Vec<String>,
    /// Tables written: file and rows.
    tables: BTreeMap<String, usize>,
    /// The stage's report section.
    pub section: Section,
}

impl StageDir {
    /// An empty folder at `dir` for stage `name`.
    pub fn create(
        dir: PathBuf,
        name: &str,
        heading: &str,
        format: TableFormat,
    ) -> CommandResult<StageDir> {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| system(&dir, e))?;
        Ok(StageDir {
            dir,
            name: name.to_string(),
            format,
            files: Vec::new(),
            tables: BTreeMap::new(),
            section: Section {
                heading: heading.to_string(),
                blocks: Vec::new(),
            },
        })
    }

    /// The path of `file` in the folder being written.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The file name of table `stem` in the study's format.
    pub fn table_file(&self, stem: &str) -> String {
        format!("{stem}.{}", self.format.extension())
    }

    /// Write table `stem` (e.g. `exposures`); returns its file name.
    pub fn table(&mut self, stem: &str, table: &Table) -> CommandResult<String> {
        let file = self.table_file(stem);
        let path = self.dir.join(&file);
        write_table(&path, Format::for_output(&path)?, table).map_err(|e| system(&path, e))?;
        self.files.push(file.clone());
        self.tables.insert(file.clone(), table.n_rows());
        Ok(file)
    }

    /// Write table `stem` and show its first rows in the report.
    pub fn table_shown(&mut self, stem: &str, table: &Table, caption: &str) -> CommandResult {
        let file = self.table(stem, table)?;
        self.section
            .blocks
            .push(preview(table, caption, &format!("{}/{file}", self.name)));
        Ok(())
    }

    /// Write chart `stem` as SVG and show it in the report.
    pub fn chart(&mut self, stem: &str, chart: &Chart, caption: &str) -> CommandResult {
        let file = format!("{stem}.svg");
        let path = self.dir.join(&file);
        std::fs::write(&path, chart.to_svg()).map_err(|e| system(&path, e))?;
        self.files.push(file.clone());
        self.section.blocks.push(Block::Chart {
            file: format!("{}/{file}", self.name),
            caption: caption.to_string(),
        });
        Ok(())
    }

    /// Write a stage's named artifacts (tables in the study's format, charts as SVG).
    pub fn artifacts(&mut self, artifacts: &Artifacts) -> CommandResult {
        for (file, artifact) in &artifacts.0 {
            let stem = Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.clone());
            match artifact {
                Artifact::Table(t) => {
                    self.table_shown(&stem, t, &stem.replace('_', " "))?;
                }
                Artifact::Chart(c) => self.chart(&stem, c, "")?,
            }
        }
        Ok(())
    }

    /// Key figures at the top of the section.
    pub fn metrics(&mut self, items: Vec<(String, String)>) {
        self.section.blocks.push(Block::Metrics { items });
    }

    /// A paragraph of the section.
    pub fn text(&mut self, text: impl Into<String>) {
        self.section
            .blocks
            .push(Block::Paragraph { text: text.into() });
    }

    /// Finish: write the section; return the files written and the tables' row counts.
    pub fn finish(mut self) -> CommandResult<(Vec<String>, BTreeMap<String, usize>)> {
        let path = self.dir.join(SECTION_FILE);
        let json = serde_json::to_string_pretty(&self.section)
            .map_err(|e| CommandError::System(e.to_string()))?;
        std::fs::write(&path, json).map_err(|e| system(&path, e))?;
        self.files.push(SECTION_FILE.to_string());
        Ok((self.files, self.tables))
    }
}

/// The first rows of `table` as a report block linking the whole file.
fn preview(table: &Table, caption: &str, file: &str) -> Block {
    let n = table.n_rows().min(PREVIEW_ROWS);
    let cols = table.names().len();
    let rows = (0..n)
        .map(|r| (0..cols).map(|c| short(&table.cell(r, c))).collect())
        .collect();
    let caption = if table.n_rows() > n {
        format!("{caption} (first {n} of {} rows)", table.n_rows())
    } else {
        caption.to_string()
    };
    Block::Table {
        caption,
        columns: table.names().to_vec(),
        rows,
        file: Some(file.to_string()),
    }
}

/// A cell as the report shows it: numbers to 6 significant digits (the file keeps them
/// all), everything else as it is.
fn short(cell: &str) -> String {
    // Text cells come CSV-quoted when they hold a comma or a quote.
    if let Some(inner) = cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        return inner.replace("\"\"", "\"");
    }
    match cell.parse::<f64>() {
        Ok(x) if x.is_finite() && cell.contains('.') => {
            let digits = if x == 0.0 {
                0
            } else {
                x.abs().log10().floor() as i32
            };
            let decimals = (5 - digits).clamp(0, 12) as usize;
            let text = format!("{x:.decimals$}");
            if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                text
            }
        }
        _ => cell.to_string(),
    }
}

/// A file-system failure: exit code 1.
pub fn system(path: &Path, e: std::io::Error) -> CommandError {
    CommandError::System(format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn report_cells_keep_six_significant_digits() {
        assert_eq!(short("0.00010214025566719356"), "0.00010214");
        assert_eq!(short("1603328173.6499999"), "1603328174");
        assert_eq!(short("-0.12184159289"), "-0.121842");
        assert_eq!(short("2.5"), "2.5");
        assert_eq!(short("42"), "42");
        assert_eq!(short("Manager 001"), "Manager 001");
        assert_eq!(short("2022-01-03"), "2022-01-03");
        assert_eq!(short("0.0"), "0");
        assert_eq!(
            short("\"Large sales, \"\"steady\"\"\""),
            "Large sales, \"steady\""
        );
    }
}
