//! The stages a study can run, in dependency order, and what each reads.
//!
//! Each stage module turns a study's table into a [`Stage`]: its settings (checked when
//! the study is planned, before anything is written), its input files, the stages whose
//! results it reads, and `run`, which calls the pipeline and writes the stage folder.

mod cluster;
mod industry;
mod rating;
mod segment;
mod similarity;
mod style;

use std::path::{Path, PathBuf};

use peergroup_data::{InputError, Panel};
use peergroup_io::{read_series, Source};
use peergroup_pipeline::settings::SettingError;
use peergroup_pipeline::Progress;
use serde::Serialize;

use super::file::Study;
use super::input::InputSpec;
use super::stage_dir::StageDir;
use crate::commands::{CommandError, CommandResult};

/// A stage of a study, named as its folder in the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StageId {
    /// `peergroup industry`.
    Industry,
    /// `peergroup periods`.
    Periods,
    /// `peergroup rank`.
    Rank,
    /// `peergroup style`.
    Style,
    /// `peergroup similarity`.
    Similarity,
    /// `peergroup cluster`.
    Cluster,
    /// `peergroup peers`.
    Peers,
    /// `peergroup rate`.
    Rate,
    /// `peergroup segment sales`.
    SegmentSales,
    /// `peergroup segment investors`.
    SegmentInvestors,
}

impl StageId {
    /// Every stage, in run order.
    pub const ALL: [StageId; 10] = [
        StageId::Industry,
        StageId::Periods,
        StageId::Rank,
        StageId::Style,
        StageId::Similarity,
        StageId::Cluster,
        StageId::Peers,
        StageId::Rate,
        StageId::SegmentSales,
        StageId::SegmentInvestors,
    ];

    /// The stage's folder in a run and its name in `manifest.json`.
    pub fn name(self) -> &'static str {
        match self {
            StageId::Industry => "industry",
            StageId::Periods => "periods",
            StageId::Rank => "rank",
            StageId::Style => "style",
            StageId::Similarity => "similarity",
            StageId::Cluster => "cluster",
            StageId::Peers => "peers",
            StageId::Rate => "rate",
            StageId::SegmentSales => "segment-sales",
            StageId::SegmentInvestors => "segment-investors",
        }
    }

    /// The stage named `name`, as [`StageId::name`] spells it.
    pub fn from_name(name: &str) -> Option<StageId> {
        StageId::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The stage's table in the study file, e.g. `["segment", "sales"]`.
    pub fn table_path(self) -> &'static [&'static str] {
        match self {
            StageId::Industry => &["industry"],
            StageId::Periods => &["periods"],
            StageId::Rank => &["rank"],
            StageId::Style => &["style"],
            StageId::Similarity => &["similarity"],
            StageId::Cluster => &["cluster"],
            StageId::Peers => &["peers"],
            StageId::Rate => &["rate"],
            StageId::SegmentSales => &["segment", "sales"],
            StageId::SegmentInvestors => &["segment", "investors"],
        }
    }

    /// The stage's heading in the report.
    pub fn heading(self) -> &'static str {
        match self {
            StageId::Industry => "Industry: total-return indices",
            StageId::Periods => "Period returns",
            StageId::Rank => "YTD rankings",
            StageId::Style => "Style exposures",
            StageId::Similarity => "Fund similarity",
            StageId::Cluster => "Peer groups",
            StageId::Peers => "Nearest peers",
            StageId::Rate => "Ratings: gain, risk and stars",
            StageId::SegmentSales => "Segments of offices and funds by sales",
            StageId::SegmentInvestors => "Segments of app investors",
        }
    }
}

/// What a stage needs while it runs.
pub struct Ctx<'a> {
    /// The study.
    pub study: &'a Study,
    /// The run folder, where upstream stages' results are.
    pub run: &'a Path,
    /// The stage's progress bar.
    pub bar: &'a dyn Progress,
}

impl Ctx<'_> {
    /// The file, sheet and columns of an input, for the readers.
    pub fn source(&self, spec: &InputSpec) -> Source {
        spec.source(&self.study.base)
    }

    /// The path of table `stem` written by stage `stage` of this run.
    pub fn upstream(&self, stage: StageId, stem: &str) -> PathBuf {
        let ext = self.study.file.study.format.extension();
        self.run.join(stage.name()).join(format!("{stem}.{ext}"))
    }

    /// Read a series input (returns, or prices turned into returns).
    pub fn returns(&self, spec: &InputSpec, value_columns: &[&str]) -> Result<Panel, InputError> {
        Ok(read_series(&self.source(spec), &spec.series_options(value_columns))?.to_returns())
    }
}

/// A configured stage, checked and ready to run.
pub trait Stage {
    /// Which stage.
    fn id(&self) -> StageId;
    /// Input files, by the name of their key.
    fn files(&self) -> Vec<(&'static str, &InputSpec)>;
    /// Stages whose results this one reads.
    fn upstream(&self) -> Vec<StageId>;
    /// The settings, as recorded in the manifest and hashed into the stage's key.
    fn settings_json(&self) -> serde_json::Value;
    /// Compute the stage into `dir`.
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult;
}

/// The stages `study` configures, in run order, with their settings checked and their
/// inputs found; every error names the key and line of the study file.
pub fn plan(study: &Study) -> Result<Vec<Box<dyn Stage + '_>>, CommandError> {
    let mut stages: Vec<Box<dyn Stage + '_>> = Vec::new();
    industry::plan(study, &mut stages)?;
    style::plan(study, &mut stages)?;
    similarity::plan(study, &mut stages)?;
    cluster::plan(study, &mut stages)?;
    rating::plan(study, &mut stages)?;
    segment::plan(study, &mut stages)?;
    stages.sort_by_key(|s| s.id());
    Ok(stages)
}

/// A setting's error as a study-file error: the key and its line.
pub fn setting_error(study: &Study, id: StageId, e: SettingError) -> CommandError {
    let mut path: Vec<&str> = id.table_path().to_vec();
    path.push(e.key);
    CommandError::Input(study.key_error(&path, e.message))
}

/// A required input missing from the study: reported at the stage's table.
pub fn missing_input(study: &Study, id: StageId, key: &str, what: &str) -> CommandError {
    let table: Vec<&str> = id.table_path().to_vec();
    let inputs = format!("inputs.{}", table.join("."));
    CommandError::Input(study.locator.table_error(
        &table,
        format!("this stage needs {what}: add `{key} = \"FILE\"` under [{inputs}]"),
    ))
}

/// Settings as JSON for the manifest.
pub fn json<T: Serialize>(settings: &T) -> serde_json::Value {
    serde_json::to_value(settings).unwrap_or(serde_json::Value::Null)
}
