//! The stages a study can run, in dependency order, and what each reads.
//!
//! Each stage module turns a study's table into a [`Stage`]: its settings (checked when
//! the study is planned, before anything is written), its input files, the stages whose
//! results it reads, and `run`, which calls the pipeline and writes the stage folder.

mod cluster;
mod evolve;
mod industry;
mod rating;
mod segment;
mod similarity;
mod style;

use std::path::{Path, PathBuf};

use peergroup_data::{InputError, Panel};
use peergroup_io::{read_series, read_similarity, SimilarityTable, Source};
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
    /// `peergroup evolve`.
    Evolve,
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
    pub const ALL: [StageId; 11] = [
        StageId::Industry,
        StageId::Periods,
        StageId::Rank,
        StageId::Style,
        StageId::Similarity,
        StageId::Cluster,
        StageId::Evolve,
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
            StageId::Evolve => "evolve",
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
            StageId::Evolve => &["evolve"],
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
            StageId::Evolve => "Peer groups over time",
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

    /// The similarity stage's table of this run, and its path as messages name it.
    pub fn similarity_table(&self) -> Result<(SimilarityTable, String), InputError> {
        let path = self.upstream(StageId::Similarity, "similarity");
        Ok((read_similarity(&path)?, path.display().to_string()))
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

/// Computes one stage of a study into its folder.
pub trait Stage {
    /// Read the stage's inputs (files, or upstream stages' tables), call the pipeline and
    /// write the results into `dir`.
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult;
}

/// A configured stage, checked and ready to run: what it is, what it reads, its settings
/// and how it runs.
pub struct Planned<'a> {
    /// Which stage.
    pub id: StageId,
    /// Input files, by the name of their key under `[inputs.<stage>]`.
    pub files: Vec<(&'static str, &'a InputSpec)>,
    /// Stages whose results this one reads.
    pub upstream: Vec<StageId>,
    /// The settings, as recorded in the manifest and hashed into the stage's key.
    pub settings: serde_json::Value,
    /// The stage itself.
    pub stage: Box<dyn Stage + 'a>,
}

impl<'a> Planned<'a> {
    /// Stage `id` with `settings`, reading nothing yet.
    pub fn new<S: Serialize>(id: StageId, settings: &S, stage: impl Stage + 'a) -> Planned<'a> {
        Planned {
            id,
            files: Vec::new(),
            upstream: Vec::new(),
            settings: serde_json::to_value(settings).unwrap_or(serde_json::Value::Null),
            stage: Box::new(stage),
        }
    }

    /// It reads input file `name` when the study gives one.
    pub fn reads(mut self, name: &'static str, spec: Option<&'a InputSpec>) -> Planned<'a> {
        if let Some(spec) = spec {
            self.files.push((name, spec));
        }
        self
    }

    /// It reads the results of stage `id`.
    pub fn after(mut self, id: StageId) -> Planned<'a> {
        self.upstream.push(id);
        self
    }
}

/// The stages `study` configures, in run order, with their settings checked and their
/// inputs found; every error names the key and line of the study file.
pub fn plan(study: &Study) -> Result<Vec<Planned<'_>>, CommandError> {
    let mut stages: Vec<Planned<'_>> = Vec::new();
    industry::plan(study, &mut stages)?;
    style::plan(study, &mut stages)?;
    similarity::plan(study, &mut stages)?;
    cluster::plan(study, &mut stages)?;
    evolve::plan(study, &mut stages)?;
    rating::plan(study, &mut stages)?;
    segment::plan(study, &mut stages)?;
    stages.sort_by_key(|s| s.id);
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
