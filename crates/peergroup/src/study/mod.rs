//! The study runner: `peergroup run study.toml` runs every stage a study file configures,
//! in dependency order, into one folder with a folder per stage, `manifest.json` and an
//! HTML report; `peergroup init` writes an example study.
//!
//! A stage is reused from the previous run into the same folder when its key — a hash of
//! the peergroup version, its settings and its inputs (file contents, or the keys of the
//! stages it reads) — is unchanged; a change therefore recomputes exactly the stages
//! downstream of it.
//!
//! The runner is a front end over the pipeline layer, like the command line: it reads
//! the inputs, calls the same stage functions with the same settings types, and writes
//! the same tables and charts.

mod file;
mod init;
mod input;
mod locate;
mod manifest;
mod progress;
mod report;
mod stage_dir;
mod stages;
mod workbook;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use file::Study;
pub use init::write_example;
pub use manifest::{Manifest, StageRecord};
pub use stages::StageId;

use crate::commands::{CommandError, CommandResult};
use stage_dir::{system, StageDir};

/// Marks a folder as a study run that the next run may update.
const MARKER: &str = ".peergroup-study";

/// How a run went: the manifest it wrote and where the report is.
pub struct RunOutcome {
    /// The run folder.
    pub dir: PathBuf,
    /// The manifest written.
    pub manifest: Manifest,
    /// Tables too large for the workbook, with why.
    pub left_out: Vec<String>,
    /// What the run removed from the folder: stage folders of stages no longer in the
    /// study, an earlier workbook.
    pub removed: Vec<String>,
}

impl RunOutcome {
    /// The stages kept from the previous run.
    pub fn reused(&self) -> Vec<&str> {
        self.manifest
            .stages
            .iter()
            .filter(|s| s.reused)
            .map(|s| s.stage.as_str())
            .collect()
    }
}

/// Run the study at `path` into `out` (default: the study's `out`, else `results` next
/// to the study file). A bad study file fails before anything is written.
pub fn run(path: &Path, out: Option<&Path>, force: bool) -> CommandResult<RunOutcome> {
    let start = Instant::now();
    let study = Study::load(path)?;
    let plan = stages::plan(&study)?;
    if plan.is_empty() {
        let given: Vec<String> = study
            .file
            .inputs
            .all()
            .into_iter()
            .map(|(key, _)| format!("[{}]", key[..key.len() - 1].join(".")))
            .collect();
        let hint = match given.first() {
            Some(t) => format!(
                "; inputs are given for {t}, but a stage runs only when its own table is there too (e.g. an empty {t})"
            ),
            None => String::new(),
        };
        return Err(CommandError::Input(study.locator.error_at(
            None,
            format!("the study configures no stage: add a table such as [style] or [rate] (see `peergroup init`){hint}"),
        )));
    }
    let dir = match out {
        Some(o) => o.to_path_buf(),
        None => match &study.file.study.out {
            Some(o) => study.base.join(o),
            None => study.base.join("results"),
        },
    };
    inputs_outside(&study, &dir)?;
    prepare_dir(&dir, force)?;
    let previous = Manifest::load(&dir).unwrap_or_default();
    let version = env!("CARGO_PKG_VERSION").to_string();
    let mut keys: BTreeMap<StageId, String> = BTreeMap::new();
    let mut records = Vec::new();
    let bars = progress::Bars::new();
    for stage in &plan {
        let id = stage.id;
        let mut inputs = BTreeMap::new();
        for &(name, spec) in &stage.files {
            let p = spec.resolved(&study.base);
            let content = manifest::hash_file(&p).map_err(|e| {
                let mut err = study.key_error(
                    &name_path(id, name),
                    format!("{}: {}", p.display(), e.message),
                );
                err.system = e.system;
                CommandError::from(err)
            })?;
            // How the file is read is part of the input: another value column is other data.
            let how =
                serde_json::to_string(spec).map_err(|e| CommandError::System(e.to_string()))?;
            inputs.insert(
                name.to_string(),
                manifest::hash_bytes(format!("{content}{how}").as_bytes()),
            );
        }
        for &up in &stage.upstream {
            let key = keys.get(&up).cloned().unwrap_or_default();
            inputs.insert(format!("stage:{}", up.name()), key);
        }
        let settings = stage.settings.clone();
        // The table format is part of what the stage wrote.
        let format = study.file.study.format.extension();
        inputs.insert("format".to_string(), format.to_string());
        let key = manifest::stage_key(id.name(), &version, &settings, &inputs);
        let stage_path = dir.join(id.name());
        let reusable = previous
            .stage(id.name())
            .filter(|r| r.key == key && r.outputs.iter().all(|f| stage_path.join(f).is_file()));
        let record = if let Some(prev) = reusable {
            bars.reused(id.name());
            // `seconds` stays the time the results took when they were computed.
            StageRecord {
                reused: true,
                ..prev.clone()
            }
        } else {
            let t0 = Instant::now();
            let tmp = dir.join(format!(".{}.tmp", id.name()));
            let mut stage_dir = StageDir::create(
                tmp.clone(),
                id.name(),
                id.heading(),
                study.file.study.format,
            )?;
            let bar = bars.stage(id.name());
            let ctx = stages::Ctx {
                study: &study,
                run: &dir,
                bar: &bar,
            };
            if let Err(e) = stage.stage.run(&ctx, &mut stage_dir) {
                let _ = std::fs::remove_dir_all(&tmp);
                bar.abandon();
                bars.finish();
                return Err(in_stage(e, &study, id, records.len()));
            }
            let (outputs, tables) = stage_dir.finish()?;
            replace_dir(&tmp, &stage_path)?;
            let seconds = t0.elapsed().as_secs_f64();
            bar.done(seconds);
            StageRecord {
                stage: id.name().to_string(),
                key: key.clone(),
                inputs,
                settings,
                version: version.clone(),
                seconds,
                reused: false,
                outputs,
                tables,
            }
        };
        keys.insert(id, key);
        records.push(record);
    }
    bars.finish();
    // Folders of stages the study no longer runs would mislead: remove them.
    let mut removed = Vec::new();
    for old in &previous.stages {
        if !records.iter().any(|r| r.stage == old.stage)
            && StageId::from_name(&old.stage).is_some()
            && std::fs::remove_dir_all(dir.join(&old.stage)).is_ok()
        {
            removed.push(format!("{}/", old.stage));
        }
    }
    let manifest = Manifest {
        version,
        study: study_as_seen_from(&dir, &study),
        seconds: start.elapsed().as_secs_f64(),
        stages: records,
    };
    let left_out = if study.file.study.workbook {
        workbook::write(&dir, &manifest)?
    } else {
        // A workbook of an earlier run would no longer match the tables.
        if std::fs::remove_file(dir.join(workbook::FILE)).is_ok() {
            removed.push(workbook::FILE.to_string());
        }
        Vec::new()
    };
    report::write(&dir, &study, &manifest, &left_out)?;
    let json =
        serde_json::to_string_pretty(&manifest).map_err(|e| CommandError::System(e.to_string()))?;
    let mpath = dir.join(manifest::FILE);
    std::fs::write(&mpath, json).map_err(|e| system(&mpath, e))?;
    Ok(RunOutcome {
        dir,
        manifest,
        left_out,
        removed,
    })
}

/// A stage's failure on its data, said in the study's terms: which stage (and its line),
/// the flags of its hints as the study's keys, and that the stages before it are kept.
fn in_stage(e: CommandError, study: &Study, id: StageId, done: usize) -> CommandError {
    let CommandError::Input(e) = e else {
        return e;
    };
    let table = id.table_path().join(".");
    let inputs = format!("[inputs.{table}]");
    let text = e
        .to_string()
        .replace(
            "use --percent for percent, --prices for prices",
            &format!("set percent = true or prices = true for this input under {inputs}"),
        )
        .replace("--percent", &format!("percent = true (under {inputs})"))
        .replace("--prices", &format!("prices = true (under {inputs})"))
        .replace("--max-return", &format!("max-return (under {inputs})"));
    let line = study
        .locator
        .span(id.table_path())
        .map(|s| format!(", line {}", study.locator.line_of(s.start)))
        .unwrap_or_default();
    let kept = if done > 0 {
        format!("; the {done} stage(s) before it are complete and kept")
    } else {
        String::new()
    };
    CommandError::Input(peergroup_data::InputError::new(format!(
        "{text} (in the [{table}] stage of {}{line}{kept})",
        study.path.display()
    )))
}

/// The study file as the manifest records it: relative to the run folder when the folder
/// lies inside the study's own (the default `results/`), so a run folder moved or copied
/// with its study still points at it; else as given.
fn study_as_seen_from(dir: &Path, study: &Study) -> String {
    let file = study.path.file_name().map(Path::new);
    match (dir.strip_prefix(&study.base), file) {
        (Ok(inner), Some(file)) => {
            let mut rel = PathBuf::new();
            for _ in inner.components() {
                rel.push("..");
            }
            rel.join(file).display().to_string()
        }
        _ => study.path.display().to_string(),
    }
}

/// The key path of input `name` of stage `id` under `[inputs]`.
fn name_path(id: StageId, name: &str) -> Vec<&str> {
    let mut p = vec!["inputs"];
    p.extend(id.table_path().iter().copied());
    p.push(name);
    p
}

/// An error when an input of the study lies in the run folder `dir`: the run replaces
/// its stage folders, and inputs are never overwritten.
fn inputs_outside(study: &Study, dir: &Path) -> CommandResult {
    let Ok(run) = dir.canonicalize() else {
        return Ok(()); // no folder yet: nothing can be inside it
    };
    for (key, spec) in study.file.inputs.all() {
        let p = spec.resolved(&study.base);
        if p.canonicalize().is_ok_and(|real| real.starts_with(&run)) {
            let mut path: Vec<&str> = vec!["inputs"];
            path.extend(key.iter().copied());
            return Err(CommandError::Input(study.key_error(
                &path,
                format!(
                    "{} is inside the run folder {}, whose stage folders the run replaces: inputs are never overwritten; move it or choose another --out",
                    p.display(),
                    dir.display()
                ),
            )));
        }
    }
    Ok(())
}

/// Make `dir` a run folder: create it, or accept an earlier run or an empty folder; any
/// other folder needs `--force`.
fn prepare_dir(dir: &Path, force: bool) -> CommandResult {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(CommandError::usage(format!(
                "'{}' exists and is not a directory",
                dir.display()
            )));
        }
        let empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !dir.join(MARKER).exists() && !force {
            return Err(CommandError::usage(format!(
                "'{}' is a non-empty folder that is not an earlier study run: pass --force to write into it, or choose another --out",
                dir.display()
            )));
        }
    }
    peergroup_io::create_folders(dir)?;
    let marker = dir.join(MARKER);
    std::fs::write(
        &marker,
        "written by `peergroup run`; the next run of a study may update this folder\n",
    )
    .map_err(|e| system(&marker, e))
}

/// Move the finished stage folder `tmp` to `to`, replacing an older one.
fn replace_dir(tmp: &Path, to: &Path) -> CommandResult {
    if to.exists() {
        std::fs::remove_dir_all(to).map_err(|e| system(to, e))?;
    }
    std::fs::rename(tmp, to).map_err(|e| system(to, e))
}
