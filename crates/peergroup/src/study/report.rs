//! The run's HTML report: one section per stage (kept in each stage's folder, so reused
//! stages keep theirs), and a summary of what was computed and what reused.

use std::path::Path;

use peergroup_report::{render_html, svg_file_loader, Block, Report, Section};

use super::file::Study;
use super::manifest::Manifest;
use super::stage_dir::{system, SECTION_FILE};
use crate::commands::{CommandError, CommandResult};

/// Write `report.json` and `index.html` into the run folder `dir`.
pub fn write(dir: &Path, study: &Study, manifest: &Manifest, left_out: &[String]) -> CommandResult {
    let mut run = summary(manifest);
    if study.file.study.workbook {
        let mut items = vec!["Every result table is also a sheet of results.xlsx.".to_string()];
        items.extend(
            left_out
                .iter()
                .map(|t| format!("Left out of results.xlsx, too large for a sheet: {t}.")),
        );
        run.blocks.push(Block::Notes { items });
    }
    let mut sections = vec![run];
    for record in &manifest.stages {
        let path = dir.join(&record.stage).join(SECTION_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| system(&path, e))?;
        let section: Section = serde_json::from_str(&text)
            .map_err(|e| CommandError::System(format!("cannot read {}: {e}", path.display())))?;
        sections.push(section);
    }
    let report = Report {
        title: study.file.study.title.clone(),
        subtitle: format!(
            "Study {}: {} stages, run with peergroup {}. Tables are files in a folder per stage; charts are SVG.",
            study.path.display(),
            manifest.stages.len(),
            manifest.version
        ),
        sections,
    };
    let json =
        serde_json::to_string_pretty(&report).map_err(|e| CommandError::System(e.to_string()))?;
    let rpath = dir.join("report.json");
    std::fs::write(&rpath, json).map_err(|e| system(&rpath, e))?;
    let html = render_html(&report, &svg_file_loader(dir));
    let ipath = dir.join("index.html");
    std::fs::write(&ipath, html).map_err(|e| system(&ipath, e))
}

/// The first section: each stage, its time, and whether it was reused.
fn summary(manifest: &Manifest) -> Section {
    let rows = manifest
        .stages
        .iter()
        .map(|s| {
            vec![
                s.stage.clone(),
                if s.reused {
                    "reused".into()
                } else {
                    "computed".into()
                },
                format!("{:.2}", s.seconds),
                s.outputs.len().to_string(),
            ]
        })
        .collect();
    Section {
        heading: "Run".into(),
        blocks: vec![
            Block::Paragraph {
                text: "Stages run in dependency order. A stage is reused when its inputs (file contents and how they are read, or the stages it reads) and its settings are unchanged since the previous run into this folder; manifest.json records each stage's input hashes, settings, version and time.".into(),
            },
            Block::Table {
                caption: "Stages".into(),
                columns: vec!["stage".into(), "status".into(), "seconds".into(), "files".into()],
                rows,
                file: Some("manifest.json".into()),
            },
        ],
    }
}
