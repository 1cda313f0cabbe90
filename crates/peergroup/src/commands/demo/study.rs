//! Study section: the example study of `peergroup init`, run by `peergroup run`, then run
//! again after one clustering setting changed, to show what is reused.

use super::Run;
use crate::commands::{CommandError, CommandResult};
use crate::study;
use peergroup_report::{Block, Report, Section};

/// Where the demo writes the example study.
const DIR: &str = "study";

/// The clustering setting the second run changes.
const CHANGE: (&str, &str) = ("bootstrap = 100", "bootstrap = 50");

/// Write the example study, run it twice, and describe both runs.
pub(super) fn section(run: &Run, report: &mut Report) -> CommandResult {
    let file = study::write_example(&run.path(DIR), false)?;
    let first = study::run(&file, None, false)?;
    let text = std::fs::read_to_string(&file)
        .map_err(|e| CommandError::System(format!("cannot read {}: {e}", file.display())))?;
    std::fs::write(&file, text.replacen(CHANGE.0, CHANGE.1, 1))
        .map_err(|e| CommandError::System(format!("cannot write {}: {e}", file.display())))?;
    let second = study::run(&file, None, false)?;
    let rows = first
        .manifest
        .stages
        .iter()
        .zip(&second.manifest.stages)
        .map(|(a, b)| {
            vec![
                a.stage.clone(),
                format!("{:.2}", a.seconds),
                if b.reused {
                    "reused".into()
                } else {
                    format!("computed, {:.2} s", b.seconds)
                },
            ]
        })
        .collect();
    report.sections.push(Section {
        heading: "A whole analysis from one study file".into(),
        blocks: vec![
            Block::Paragraph {
                text: format!(
                    "`peergroup init {DIR}` wrote {DIR}/study.toml, a commented study of every stage, with small synthetic inputs under {DIR}/data/; `peergroup run {DIR}/study.toml` ran its {} stages in {:.1} s into {DIR}/results/ (open {DIR}/results/index.html for its own report, and results.xlsx for every table in one workbook). The study was then run again with `{}` changed to `{}` under [cluster]: only the peer groups were recomputed.",
                    first.manifest.stages.len(),
                    first.manifest.seconds,
                    CHANGE.0,
                    CHANGE.1
                ),
            },
            Block::Table {
                caption: "Stages of the two runs (seconds)".into(),
                columns: vec!["stage".into(), "first run".into(), "after the change".into()],
                rows,
                file: Some(format!("{DIR}/results/manifest.json")),
            },
        ],
    });
    Ok(())
}
