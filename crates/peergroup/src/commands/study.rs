//! `peergroup init` and `peergroup run`: write an example study, run a study file.

use std::path::PathBuf;

use clap::Args;

use super::CommandResult;
use crate::study;

/// Arguments of `peergroup init`.
#[derive(Args, Clone, Debug)]
pub struct InitArgs {
    /// Folder to write the example study into (created if needed).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

/// Run `peergroup init`.
pub fn run_init(args: &InitArgs) -> CommandResult {
    let path = study::write_example(&args.dir, args.force)?;
    eprintln!(
        "wrote the example study {} and its inputs under {}; run it with:\n  peergroup run {}",
        path.display(),
        args.dir.join("data").display(),
        path.display()
    );
    Ok(())
}

/// Arguments of `peergroup run`.
#[derive(Args, Clone, Debug)]
pub struct RunArgs {
    /// The study file.
    #[arg(value_name = "STUDY.toml")]
    pub study: PathBuf,
    /// Run folder (default: the study's `out`, else `results` next to the study file).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write into a non-empty folder that is not an earlier run of a study.
    #[arg(long)]
    pub force: bool,
}

/// Run `peergroup run`.
pub fn run_study(args: &RunArgs) -> CommandResult {
    let outcome = study::run(&args.study, args.out.as_deref(), args.force)?;
    let reused = outcome.reused();
    let computed: Vec<&str> = outcome
        .manifest
        .stages
        .iter()
        .filter(|s| !s.reused)
        .map(|s| s.stage.as_str())
        .collect();
    if !reused.is_empty() {
        eprintln!(
            "reused {} stage(s), inputs and settings unchanged: {}",
            reused.len(),
            reused.join(", ")
        );
    }
    if !computed.is_empty() {
        eprintln!("computed: {}", computed.join(", "));
    }
    for r in &outcome.removed {
        eprintln!("removed {r}: no longer part of the study");
    }
    for t in &outcome.left_out {
        eprintln!("left out of results.xlsx, too large for a sheet: {t}");
    }
    eprintln!(
        "{} stages in {:.1} s; report: {}",
        outcome.manifest.stages.len(),
        outcome.manifest.seconds,
        outcome.dir.join("index.html").display()
    );
    Ok(())
}
