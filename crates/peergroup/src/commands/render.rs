//! `peergroup report RUN_DIR`: one self-contained HTML page for a run directory.

use std::path::{Path, PathBuf};

use clap::Args;
use peergroup_report::{render_html, Block, Report, Section};

use super::{CommandError, CommandResult};

/// Arguments of `peergroup report`.
#[derive(Args, Clone, Debug)]
pub struct ReportArgs {
    /// A run directory (written by `peergroup demo` or holding tables and SVG charts).
    #[arg(value_name = "RUN_DIR")]
    pub run_dir: PathBuf,
}

/// Run `peergroup report`.
pub fn run(args: &ReportArgs) -> CommandResult {
    let index = render(&args.run_dir)?;
    eprintln!("report: {}", index.display());
    Ok(())
}

const PREVIEW_ROWS: usize = 15;

/// Render `RUN_DIR/index.html` from `RUN_DIR/report.json`, or, for a directory of
/// tables and charts without one, from every `.svg` (inlined) and `.csv` (first rows)
/// found directly in it. The page is the command's output and is always rewritten.
pub fn render(dir: &Path) -> CommandResult<PathBuf> {
    if !dir.is_dir() {
        return Err(CommandError::usage(format!(
            "'{}' is not a directory",
            dir.display()
        )));
    }
    let json = dir.join("report.json");
    let report = if json.exists() {
        let text = std::fs::read_to_string(&json)
            .map_err(|e| CommandError::System(format!("cannot read {}: {e}", json.display())))?;
        serde_json::from_str::<Report>(&text).map_err(|e| {
            CommandError::Input(
                peergroup_data::InputError::new(format!("not a peergroup report description: {e}"))
                    .in_file(json.display().to_string()),
            )
        })?
    } else {
        scan(dir)?
    };
    let html = render_html(&report, &peergroup_report::svg_file_loader(dir));
    let index = dir.join("index.html");
    let tmp = dir.join(format!(".index.html.tmp-{}", std::process::id()));
    std::fs::write(&tmp, html)
        .map_err(|e| CommandError::System(format!("cannot write {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, &index)
        .map_err(|e| CommandError::System(format!("cannot write {}: {e}", index.display())))?;
    Ok(index)
}

fn scan(dir: &Path) -> CommandResult<Report> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| CommandError::System(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut charts = Vec::new();
    let mut tables = Vec::new();
    for f in &files {
        if f.ends_with(".svg") {
            charts.push(Block::Chart {
                file: f.clone(),
                caption: f.clone(),
            });
        } else if f.ends_with(".csv") {
            if let Some(block) = preview(&dir.join(f), f) {
                tables.push(block);
            }
        }
    }
    if charts.is_empty() && tables.is_empty() {
        return Err(CommandError::usage(format!(
            "'{}' holds no report.json, .svg or .csv files",
            dir.display()
        )));
    }
    let mut sections = Vec::new();
    if !charts.is_empty() {
        sections.push(Section {
            heading: "Charts".into(),
            blocks: charts,
        });
    }
    if !tables.is_empty() {
        sections.push(Section {
            heading: "Tables".into(),
            blocks: tables,
        });
    }
    Ok(Report {
        title: format!("peergroup run: {}", dir.display()),
        subtitle: "Charts and the first rows of every table in this directory.".into(),
        sections,
    })
}

fn preview(path: &Path, name: &str) -> Option<Block> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .ok()?;
    let columns: Vec<String> = rdr.headers().ok()?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    let mut total = 0usize;
    for rec in rdr.records() {
        let rec = rec.ok()?;
        if rows.len() < PREVIEW_ROWS {
            rows.push(rec.iter().map(str::to_string).collect());
        }
        total += 1;
    }
    Some(Block::Table {
        caption: format!("{name}: first {} of {total} rows", rows.len()),
        columns,
        rows,
        file: Some(name.to_string()),
    })
}
