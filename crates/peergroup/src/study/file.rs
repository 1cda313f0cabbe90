//! The study file (`study.toml`): its inputs, the stages it runs with their settings, and
//! how results are written. Every key has the name of the command-line flag it mirrors.

use std::path::{Path, PathBuf};

use peergroup_data::InputError;
use peergroup_pipeline::cluster::ClusterSettings;
use peergroup_pipeline::evolve::EvolveSettings;
use peergroup_pipeline::industry::IndustrySettings;
use peergroup_pipeline::rating::RateSettings;
use peergroup_pipeline::returns::{PeriodsSettings, RankSettings};
use peergroup_pipeline::segment::{InvestorSettings, SalesSettings};
use peergroup_pipeline::similarity::{PeersSettings, SimilaritySettings};
use peergroup_pipeline::style::StyleSettings;
use serde::{Deserialize, Serialize};

use super::input::{spec, InputSpec};
use super::locate::Locator;

/// A study file, parsed and checked, with where it lives.
pub struct Study {
    /// The study file.
    pub path: PathBuf,
    /// The folder relative input paths are resolved against: the study file's.
    pub base: PathBuf,
    /// Line lookup for messages about the file.
    pub locator: Locator,
    /// The parsed content.
    pub file: StudyFile,
}

/// The content of a study file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StudyFile {
    /// Title and output format.
    #[serde(default)]
    pub study: StudyMeta,
    /// Input tables, per stage and flag.
    #[serde(default)]
    pub inputs: Inputs,
    /// `peergroup industry`.
    pub industry: Option<IndustrySettings>,
    /// `peergroup periods`.
    pub periods: Option<PeriodsSettings>,
    /// `peergroup rank`.
    pub rank: Option<RankSettings>,
    /// `peergroup style`.
    pub style: Option<StyleSettings>,
    /// `peergroup similarity`.
    pub similarity: Option<SimilaritySettings>,
    /// `peergroup cluster`: peer groups.
    pub cluster: Option<ClusterSettings>,
    /// `peergroup evolve`: peer groups at every date.
    pub evolve: Option<EvolveSettings>,
    /// `peergroup peers`.
    pub peers: Option<PeersSettings>,
    /// `peergroup rate`.
    pub rate: Option<RateSettings>,
    /// `peergroup segment sales` and `peergroup segment investors`.
    pub segment: Option<SegmentStages>,
}

/// `[segment.sales]` and `[segment.investors]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SegmentStages {
    /// `peergroup segment sales`.
    pub sales: Option<SalesSettings>,
    /// `peergroup segment investors`.
    pub investors: Option<InvestorSettings>,
}

/// `[study]`: the run as a whole.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct StudyMeta {
    /// Report title.
    pub title: String,
    /// Output folder, relative to the study file (`--out` wins).
    pub out: Option<PathBuf>,
    /// Format of every result table: csv, parquet or xlsx.
    pub format: TableFormat,
    /// Also gather every result table into one workbook, `results.xlsx`, a sheet per table.
    pub workbook: bool,
}

impl Default for StudyMeta {
    fn default() -> Self {
        StudyMeta {
            title: "peergroup study".into(),
            out: None,
            format: TableFormat::Csv,
            workbook: false,
        }
    }
}

/// The format of result tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableFormat {
    /// Comma-separated text.
    #[default]
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Excel workbook, one table per file.
    Xlsx,
}

impl TableFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
            TableFormat::Xlsx => "xlsx",
        }
    }
}

/// `[inputs.<stage>]`: each stage's input tables under the names of its flags.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Inputs {
    /// `[inputs.industry]`.
    #[serde(default)]
    pub industry: IndustryInputs,
    /// `[inputs.periods]`.
    #[serde(default)]
    pub periods: ReturnsInputs,
    /// `[inputs.rank]`.
    #[serde(default)]
    pub rank: ReturnsInputs,
    /// `[inputs.style]`.
    #[serde(default)]
    pub style: StyleInputs,
    /// `[inputs.similarity]`.
    #[serde(default)]
    pub similarity: SimilarityInputs,
    /// `[inputs.cluster]`.
    #[serde(default)]
    pub cluster: ReferenceInputs,
    /// `[inputs.evolve]`.
    #[serde(default)]
    pub evolve: ReturnsAndReference,
    /// `[inputs.rate]`.
    #[serde(default)]
    pub rate: ReturnsAndReference,
    /// `[inputs.segment.sales]` and `[inputs.segment.investors]`.
    #[serde(default)]
    pub segment: SegmentInputs,
}

/// Inputs of `peergroup industry`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IndustryInputs {
    /// Daily class data `class_id,date,price,shares,aum`.
    #[serde(default, deserialize_with = "spec")]
    pub data: Option<InputSpec>,
    /// Class metadata `class_id,fund,manager`.
    #[serde(default, deserialize_with = "spec")]
    pub meta: Option<InputSpec>,
}

/// A stage that reads one table of series (periods, rank).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ReturnsInputs {
    /// The series (default: the industry stage's daily returns).
    #[serde(default, deserialize_with = "spec")]
    pub returns: Option<InputSpec>,
}

/// Inputs of `peergroup style`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StyleInputs {
    /// Fund returns or NAVs.
    #[serde(default, deserialize_with = "spec")]
    pub returns: Option<InputSpec>,
    /// Factor returns or index levels.
    #[serde(default, deserialize_with = "spec")]
    pub factors: Option<InputSpec>,
}

/// Inputs of `peergroup similarity` (besides the style stage's results).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SimilarityInputs {
    /// Square factor-similarity matrix.
    #[serde(default, deserialize_with = "spec")]
    pub factor_similarity: Option<InputSpec>,
    /// Factor attributes `factor,<attribute>...`.
    #[serde(default, deserialize_with = "spec")]
    pub factor_attributes: Option<InputSpec>,
    /// Cross-attribute labels.
    #[serde(default, deserialize_with = "spec")]
    pub cross_label: Option<InputSpec>,
}

/// An outside classification to compare with (cluster).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ReferenceInputs {
    /// `id,<label>` table.
    #[serde(default, deserialize_with = "spec")]
    pub reference: Option<InputSpec>,
}

/// Inputs of `peergroup rate` (daily returns or NAVs; outside star ratings to compare
/// with) and of `peergroup evolve` (fund returns for the cluster portfolios; categories to
/// compare with, by default `[inputs.cluster] reference`; besides the style stage's
/// results and the factor similarity of `[inputs.similarity]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ReturnsAndReference {
    /// Returns (or NAVs with `prices = true`).
    #[serde(default, deserialize_with = "spec")]
    pub returns: Option<InputSpec>,
    /// An outside classification or rating to compare with.
    #[serde(default, deserialize_with = "spec")]
    pub reference: Option<InputSpec>,
}

/// Inputs of `peergroup segment`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SegmentInputs {
    /// `[inputs.segment.sales]`.
    #[serde(default)]
    pub sales: SalesInputs,
    /// `[inputs.segment.investors]`.
    #[serde(default)]
    pub investors: InvestorsInputs,
}

/// Inputs of `peergroup segment sales`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SalesInputs {
    /// Monthly sales by office and fund.
    #[serde(default, deserialize_with = "spec")]
    pub sales: Option<InputSpec>,
    /// Fund categories.
    #[serde(default, deserialize_with = "spec")]
    pub categories: Option<InputSpec>,
}

/// Inputs of `peergroup segment investors`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct InvestorsInputs {
    /// User profiles.
    #[serde(default, deserialize_with = "spec")]
    pub users: Option<InputSpec>,
    /// Daily balances.
    #[serde(default, deserialize_with = "spec")]
    pub balances: Option<InputSpec>,
}

impl Study {
    /// Read and check `path`: syntax, unknown keys, wrong types, missing input files.
    /// Every error names the key and its line; nothing is written.
    pub fn load(path: &Path) -> Result<Study, InputError> {
        let shown = path.display().to_string();
        peergroup_io::check_input(path).map_err(|e| e.in_file(shown.clone()))?;
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::new(format!("cannot read the study file: {e}")).in_file(shown.clone())
        })?;
        let locator = Locator::new(&shown, &text)?;
        let file: StudyFile = toml::from_str(&text).map_err(|e| locator.parse_error(&e))?;
        let base = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let study = Study {
            path: path.to_path_buf(),
            base,
            locator,
            file,
        };
        study.check_files()?;
        Ok(study)
    }

    /// Every named input file exists and passes the readers' checks (a regular file
    /// that fits in memory: see [`peergroup_io::check_input`]).
    fn check_files(&self) -> Result<(), InputError> {
        for (key, spec) in self.file.inputs.all() {
            let p = spec.resolved(&self.base);
            let mut path: Vec<&str> = vec!["inputs"];
            path.extend(key.iter().copied());
            if !p.exists() {
                return Err(self
                    .locator
                    .key_error(&path, format!("file not found: {}", p.display())));
            }
            if let Err(e) = peergroup_io::check_input(&p) {
                let mut err = self
                    .locator
                    .key_error(&path, format!("{} {}", p.display(), e.message));
                err.system = e.system;
                return Err(err);
            }
        }
        Ok(())
    }

    /// An error about a key of the study file, with its line.
    pub fn key_error(&self, path: &[&str], message: impl Into<String>) -> InputError {
        self.locator.key_error(path, message)
    }
}

impl Inputs {
    /// Every input given, with its key path under `[inputs]`.
    pub fn all(&self) -> Vec<(Vec<&'static str>, &InputSpec)> {
        let entries: [(&[&'static str], &Option<InputSpec>); 18] = [
            (&["industry", "data"], &self.industry.data),
            (&["industry", "meta"], &self.industry.meta),
            (&["periods", "returns"], &self.periods.returns),
            (&["rank", "returns"], &self.rank.returns),
            (&["style", "returns"], &self.style.returns),
            (&["style", "factors"], &self.style.factors),
            (
                &["similarity", "factor-similarity"],
                &self.similarity.factor_similarity,
            ),
            (
                &["similarity", "factor-attributes"],
                &self.similarity.factor_attributes,
            ),
            (&["similarity", "cross-label"], &self.similarity.cross_label),
            (&["cluster", "reference"], &self.cluster.reference),
            (&["evolve", "returns"], &self.evolve.returns),
            (&["evolve", "reference"], &self.evolve.reference),
            (&["rate", "returns"], &self.rate.returns),
            (&["rate", "reference"], &self.rate.reference),
            (&["segment", "sales", "sales"], &self.segment.sales.sales),
            (
                &["segment", "sales", "categories"],
                &self.segment.sales.categories,
            ),
            (
                &["segment", "investors", "users"],
                &self.segment.investors.users,
            ),
            (
                &["segment", "investors", "balances"],
                &self.segment.investors.balances,
            ),
        ];
        entries
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|s| (k.to_vec(), s)))
            .collect()
    }
}
