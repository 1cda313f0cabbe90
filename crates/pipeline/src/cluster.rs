//! Cluster stage: peer groups from a similarity table or a feature table, the BIC table
//! that chooses k, bootstrap p-values of the tree's clusters, and the agreement with
//! reference labels such as vendor categories (METHODS §4).

use peergroup_cluster::bootstrap::{multiscale_bootstrap, CladePValue};
use peergroup_cluster::embed::classical_mds;
use peergroup_cluster::gmm::{CovModel, GmmSearch, GmmSelection};
use peergroup_cluster::kmeans::{self, KMeans};
use peergroup_cluster::labels::first_appearance;
use peergroup_cluster::linkage::{feature_distances, linkage_owned, Dendrogram, Linkage, Metric};
use peergroup_cluster::select::SILHOUETTE_NO_STRUCTURE;
use peergroup_cluster::validity::silhouette;
use peergroup_cluster::{Fit, MatRef};
use peergroup_data::{Date, InputError};
use peergroup_io::{Column, Features, RowTable, SimilarityTable, Table};

use serde::{Deserialize, Serialize};

use crate::error::OrInput;
use crate::reference::agreement;
pub use crate::reference::Agreement;
use crate::settings::{as_text, SettingError};
#[cfg(feature = "clap")]
use crate::settings::{default_text, parse};
use crate::similarity::DateSimilarity;
use crate::{date_index, Chart, KChoice, KRule, Named, Progress, Silent};

/// Clustering method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ClusterMethod {
    /// Hierarchical, average linkage (UPGMA).
    #[default]
    Average,
    /// Hierarchical, complete linkage.
    Complete,
    /// Hierarchical, single linkage.
    Single,
    /// Hierarchical, Ward's minimum variance.
    Ward,
    /// k-means (k-means++ starts, 10 restarts).
    Kmeans,
    /// Gaussian mixture (BIC over covariance models).
    Gmm,
}

impl ClusterMethod {
    /// The linkage of a hierarchical method; None for k-means and mixtures.
    pub fn linkage(self) -> Option<Linkage> {
        match self {
            ClusterMethod::Average => Some(Linkage::Average),
            ClusterMethod::Complete => Some(Linkage::Complete),
            ClusterMethod::Single => Some(Linkage::Single),
            ClusterMethod::Ward => Some(Linkage::Ward),
            ClusterMethod::Kmeans | ClusterMethod::Gmm => None,
        }
    }
}

/// Where the objects' dissimilarities come from.
#[derive(Clone, Copy, Debug)]
pub enum ClusterInput<'a> {
    /// `date,fund_a,fund_b,similarity`: distance `1 − S` on `date` (None: the last).
    Similarity {
        /// The similarity table.
        table: Named<'a, SimilarityTable>,
        /// Date to cluster.
        date: Option<Date>,
    },
    /// One date's similarity matrix in memory (from the similarity stage): distance
    /// `1 − S`. No bootstrap (it resamples the dates of a table).
    Matrix(Named<'a, DateSimilarity>),
    /// `id,<feature>...`, with the distance of hierarchical methods.
    Features {
        /// The feature table.
        table: Named<'a, Features>,
        /// Distance between feature rows.
        metric: Metric,
    },
}

impl<'a> ClusterInput<'a> {
    /// The name errors about the input as a whole call it by.
    pub fn name(&self) -> &'a str {
        match self {
            ClusterInput::Similarity { table, .. } => table.name,
            ClusterInput::Matrix(m) => m.name,
            ClusterInput::Features { table, .. } => table.name,
        }
    }
}

/// Distance between the rows of a feature table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum FeatureMetric {
    /// Euclidean distance.
    Euclidean,
    /// Manhattan distance.
    Manhattan,
    /// 1 − Pearson correlation of the feature rows.
    Correlation,
}

impl From<FeatureMetric> for Metric {
    fn from(m: FeatureMetric) -> Metric {
        match m {
            FeatureMetric::Euclidean => Metric::Euclidean,
            FeatureMetric::Manhattan => Metric::Manhattan,
            FeatureMetric::Correlation => Metric::Correlation,
        }
    }
}

/// Settings of [`cluster`], as written on the command line or in a study file. The
/// bootstrap p-values are a separate step ([`ClusterOutput::pvalues`]); `metric` is passed
/// to [`ClusterInput::Features`] as a [`Metric`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ClusterSettings {
    /// Method.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = ClusterSettings::default().method))]
    pub method: ClusterMethod,
    /// Distance between feature rows (a feature table; hierarchical methods).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = ClusterSettings::default().metric))]
    pub metric: FeatureMetric,
    /// Number of clusters, or auto (chosen by --k-rule in 1..--k-max).
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&ClusterSettings::default().k), value_parser = parse::<KChoice>, value_name = "K|auto"))]
    #[serde(with = "as_text")]
    pub k: KChoice,
    /// Largest k tried by --k auto.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ClusterSettings::default().k_max, value_name = "K"))]
    pub k_max: usize,
    /// Rule of --k auto: bic (best BIC of Gaussian mixtures; gmm's only rule) or silhouette
    /// (widest mean silhouette of the method's partitions; k = 1 when at most 0.25).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = ClusterSettings::default().k_rule, value_name = "RULE"))]
    pub k_rule: KRule,
    /// Bootstrap replicates per scale for AU/BP p-values (0: none).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ClusterSettings::default().bootstrap, value_name = "N"))]
    pub bootstrap: usize,
    /// Random seed (embedding, k-means, mixtures, bootstrap).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ClusterSettings::default().seed))]
    pub seed: u64,
}

impl Default for ClusterSettings {
    /// Average linkage cut at the k of the best BIC over k = 1..9.
    fn default() -> Self {
        ClusterSettings {
            method: ClusterMethod::Average,
            metric: FeatureMetric::Euclidean,
            k: KChoice::Auto,
            k_max: 9,
            k_rule: KRule::Bic,
            bootstrap: 0,
            seed: 1,
        }
    }
}

impl ClusterSettings {
    /// Check the settings before any data is read: the bootstrap needs a tree, and k is
    /// chosen by BIC, or by silhouette for trees and k-means.
    pub fn validate(&self) -> Result<(), SettingError> {
        if self.bootstrap > 0 && self.method.linkage().is_none() {
            return Err(SettingError::new(
                "bootstrap",
                "p-values are for hierarchical methods (average, complete, single, ward)",
            ));
        }
        if self.k == KChoice::Auto {
            match (self.k_rule, self.method) {
                (KRule::Gap, _) => {
                    return Err(SettingError::new(
                        "k-rule",
                        "gap needs reference data sets drawn like the features (segment offers it); cluster chooses k by bic or silhouette",
                    ))
                }
                (KRule::Silhouette, ClusterMethod::Gmm) => {
                    return Err(SettingError::new(
                        "k-rule",
                        "silhouette compares the partitions of a tree or k-means; --method gmm chooses k by bic",
                    ))
                }
                _ => {}
            }
        }
        if self.k_max == 0 {
            return Err(SettingError::new("k-max", "must be at least 1, got 0"));
        }
        Ok(())
    }

    /// Whether k is chosen by, or the partition is, a Gaussian mixture fit (so that
    /// [`ClusterOutput::bic_table`] exists).
    pub fn fits_mixtures(&self) -> bool {
        self.method == ClusterMethod::Gmm || (self.k == KChoice::Auto && self.k_rule == KRule::Bic)
    }
}

/// The rows the multiscale bootstrap resamples, and the distances of a sample of them.
#[derive(Clone, Debug)]
enum Resample {
    /// Dates of a similarity table: distance = 1 − mean similarity over sampled dates.
    Dates {
        n_dates: usize,
        matrices: Vec<f64>,
        n: usize,
    },
    /// Feature columns: distances recomputed on the sampled columns.
    Features {
        values: Vec<f64>,
        n: usize,
        d: usize,
        metric: Metric,
    },
}

impl Resample {
    fn rows(&self) -> usize {
        match self {
            Resample::Dates { n_dates, .. } => *n_dates,
            Resample::Features { d, .. } => *d,
        }
    }

    fn distances(&self, rows: &[usize]) -> Vec<f64> {
        match self {
            Resample::Dates { matrices, n, .. } => {
                let n = *n;
                let mut out = Vec::with_capacity(n * (n - 1) / 2);
                for i in 0..n {
                    for j in i + 1..n {
                        let mean = rows
                            .iter()
                            .map(|&t| matrices[t * n * n + i * n + j])
                            .sum::<f64>()
                            / rows.len() as f64;
                        out.push(1.0 - mean);
                    }
                }
                out
            }
            Resample::Features {
                values,
                n,
                d,
                metric,
            } => {
                let sub: Vec<f64> = (0..*n)
                    .flat_map(|i| rows.iter().map(move |&c| values[i * d + c]))
                    .collect();
                // `sub` holds n × rows.len() values by construction
                let x = MatRef::new(&sub, *n, rows.len()).expect("n × rows values");
                feature_distances(x, *metric)
            }
        }
    }
}

/// Dissimilarities of the objects, coordinates for model-based methods, and the rows the
/// bootstrap resamples.
struct Prepared {
    ids: Vec<String>,
    condensed: Vec<f64>,
    /// Coordinates for k-means / GMM (n × d).
    coords: Vec<f64>,
    d: usize,
    coords_note: String,
    resample: Option<Resample>,
}

/// Dimensions of the embedding of a similarity matrix used by k-means and GMM.
const EMBED_DIMS: usize = 4;

/// Distances `1 − S` of `ids` with their MDS coordinates for model-based methods.
fn of_distances(
    ids: Vec<String>,
    condensed: Vec<f64>,
    seed: u64,
    resample: Option<Resample>,
) -> Prepared {
    let n = ids.len();
    let d = EMBED_DIMS.min(n.saturating_sub(2)).max(1);
    let e = classical_mds(&condensed, n, d, seed);
    Prepared {
        ids,
        condensed,
        coords: e.coords,
        d: e.d,
        coords_note: format!(
            "classical MDS of 1 − S in {} dimensions ({:.0}% of the positive spectrum)",
            e.d,
            100.0 * e.explained
        ),
        resample,
    }
}

fn prepare(input: ClusterInput<'_>, seed: u64) -> Result<Prepared, InputError> {
    match input {
        ClusterInput::Similarity { table: sim, date } => {
            let t = match date {
                Some(d) => {
                    date_index(&sim.dates, d, "similarities").map_err(|e| e.in_file(sim.name))?
                }
                None => sim.dates.len() - 1,
            };
            let n = sim.funds.len();
            let m = sim.matrix(t);
            let mut condensed = Vec::with_capacity(n * (n.saturating_sub(1)) / 2);
            for i in 0..n {
                for j in i + 1..n {
                    condensed.push(1.0 - m[i * n + j]);
                }
            }
            let resample = (sim.dates.len() > 1).then(|| Resample::Dates {
                n_dates: t + 1,
                matrices: sim.values[..(t + 1) * n * n].to_vec(),
                n,
            });
            Ok(of_distances(
                sim.funds.names.clone(),
                condensed,
                seed,
                resample,
            ))
        }
        ClusterInput::Matrix(m) => {
            let condensed = m.similarity.upper.iter().map(|s| 1.0 - s).collect();
            Ok(of_distances(m.ids.clone(), condensed, seed, None))
        }
        ClusterInput::Features { table: f, metric } => {
            let (n, d) = (f.ids.len(), f.names.len());
            // Model-based methods see standardised features, so no feature dominates by scale.
            let mut z = f.values.clone();
            for c in 0..d {
                let mean = (0..n).map(|i| f.values[i * d + c]).sum::<f64>() / n as f64;
                let sd = ((0..n)
                    .map(|i| (f.values[i * d + c] - mean).powi(2))
                    .sum::<f64>()
                    / (n as f64 - 1.0).max(1.0))
                .sqrt();
                for i in 0..n {
                    z[i * d + c] = if sd > 0.0 {
                        (f.values[i * d + c] - mean) / sd
                    } else {
                        0.0
                    };
                }
            }
            let condensed = feature_distances(MatRef::new(&f.values, n, d).or_input()?, metric);
            let (coords, dd, note) = if d <= 8 {
                (z, d, format!("the {d} standardised features"))
            } else {
                let e = classical_mds(
                    &feature_distances(MatRef::new(&z, n, d).or_input()?, Metric::Euclidean),
                    n,
                    EMBED_DIMS.min(n.saturating_sub(2)).max(1),
                    seed,
                );
                let note = format!(
                    "classical MDS of the standardised features in {} dimensions",
                    e.d
                );
                (e.coords, e.d, note)
            };
            Ok(Prepared {
                ids: f.ids.clone(),
                condensed,
                coords,
                d: dd,
                coords_note: note,
                resample: Some(Resample::Features {
                    values: f.values.clone(),
                    n,
                    d,
                    metric,
                }),
            })
        }
    }
}

/// Peer groups of the objects of one input.
pub struct ClusterOutput {
    /// Object ids, in input order.
    pub ids: Vec<String>,
    /// Cluster of each object, 0-based, numbered by first appearance.
    pub labels: Vec<usize>,
    /// Clusters formed.
    pub k: usize,
    /// How k was chosen (text for a summary line).
    pub k_note: String,
    /// Mean silhouette of the partition on the input's dissimilarities (NaN for one
    /// cluster or one object per cluster).
    pub silhouette: f64,
    /// The merge tree (hierarchical methods).
    pub dendrogram: Option<Dendrogram>,
    /// BIC of every covariance model and k tried, and the best fit (`--method gmm`, or
    /// k auto by bic).
    pub selection: Option<GmmSelection>,
    settings: ClusterSettings,
    resample: Option<Resample>,
}

/// Cluster the objects of `input`: hierarchical linkage on the dissimilarities, or
/// k-means / a Gaussian mixture on an embedding of them; k given, or chosen in
/// 1..=k-max by BIC of Gaussian mixtures over six covariance models (`k-rule` bic) or by
/// the widest mean silhouette of the method's partitions (silhouette). The bootstrap p-values of
/// `settings.bootstrap` are a separate step: [`ClusterOutput::pvalues`].
pub fn cluster(
    input: ClusterInput<'_>,
    settings: &ClusterSettings,
) -> Result<ClusterOutput, InputError> {
    settings.validate()?;
    let name = input.name();
    let prep = prepare(input, settings.seed)?;
    let n = prep.ids.len();
    if n < 3 {
        return Err(
            InputError::new(format!("clustering needs at least 3 objects, got {n}")).in_file(name),
        );
    }
    if let KChoice::Fixed(k) = settings.k {
        if k > n {
            return Err(InputError::new(format!(
                "--k {k} is larger than the number of objects ({n})"
            ))
            .in_file(name));
        }
    }
    // k by BIC of Gaussian mixtures on the embedding, when asked or for --method gmm.
    let selection = settings.fits_mixtures().then(|| {
        let ks = match settings.k {
            KChoice::Fixed(k) => k..=k,
            KChoice::Auto => 1..=settings.k_max.min(n - 1),
        };
        GmmSearch::new(ks, &CovModel::ALL)
            .seed(settings.seed)
            .fit(MatRef::new(&prep.coords, n, prep.d).or_input()?)
            .or_input()
    });
    let selection = selection.transpose()?;
    let k_and_note = match (settings.k, &selection) {
        (KChoice::Fixed(k), _) => (k, "given".to_string()),
        (KChoice::Auto, Some(sel)) => (
            sel.best.k,
            format!("chosen by BIC over k = 1..{} and models EII, VII, EEI, VVI, EEE, VVV on {}: best {} with k = {}", settings.k_max.min(n - 1), prep.coords_note, sel.best.model.name(), sel.best.k),
        ),
        // --k-rule silhouette: chosen below, from the method's own partitions
        (KChoice::Auto, None) => (1, String::new()),
    };
    let dendrogram = settings
        .method
        .linkage()
        .map(|method| linkage_owned(prep.condensed.clone(), n, method).or_input())
        .transpose()?;
    // The partition in k clusters of a tree cut or k-means (mixtures come from `selection`).
    let partition = |k: usize| -> Result<Vec<usize>, InputError> {
        match &dendrogram {
            Some(tree) => tree.cut_k(k).or_input(),
            None => Ok(KMeans::new(k)
                .restarts(kmeans::RESTARTS)
                .seed(settings.seed)
                .fit(MatRef::new(&prep.coords, n, prep.d).or_input()?)
                .or_input()?
                .labels),
        }
    };
    let (k, k_note) = match (settings.k, &selection) {
        (KChoice::Auto, None) => widest_silhouette(&prep.condensed, n, settings.k_max, &partition)?,
        _ => k_and_note,
    };
    let labels: Vec<usize> = match settings.method {
        ClusterMethod::Gmm => selection.as_ref().expect("fitted").best.labels.clone(),
        _ => partition(k)?,
    };
    let labels = first_appearance(&labels);
    let k_found = labels.iter().max().map_or(0, |m| m + 1);
    let sil = if k_found >= 2 && k_found < n {
        silhouette(&prep.condensed, n, &labels).or_input()?
    } else {
        f64::NAN
    };
    Ok(ClusterOutput {
        ids: prep.ids,
        labels,
        k: k_found,
        k_note,
        silhouette: sil,
        dendrogram,
        selection,
        settings: *settings,
        resample: prep.resample,
    })
}

/// k in 2..=`k_max` (below the n objects) whose partition has the widest mean silhouette
/// on the input's dissimilarities, or 1 when even that width is at most
/// [`SILHOUETTE_NO_STRUCTURE`] (Kaufman & Rousseeuw's "no substantial structure"); with
/// a note for the summary line.
fn widest_silhouette(
    condensed: &[f64],
    n: usize,
    k_max: usize,
    partition: &dyn Fn(usize) -> Result<Vec<usize>, InputError>,
) -> Result<(usize, String), InputError> {
    let k_max = k_max.min(n - 1);
    let mut best: Option<(usize, f64)> = None;
    for k in 2..=k_max {
        let labels = first_appearance(&partition(k)?);
        let found = labels.iter().max().map_or(0, |m| m + 1);
        if found < 2 {
            continue;
        }
        let s = silhouette(condensed, n, &labels).or_input()?;
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((k, s));
        }
    }
    Ok(match best {
        Some((k, s)) if s > SILHOUETTE_NO_STRUCTURE => (
            k,
            format!("chosen by the widest mean silhouette over k = 2..{k_max}: {s:.3} at k = {k}"),
        ),
        Some((_, s)) => (
            1,
            format!(
                "widest mean silhouette over k = 2..{k_max} is {s:.3}, at most {SILHOUETTE_NO_STRUCTURE}: no meaningful grouping"
            ),
        ),
        None => (1, format!("no partition in 2..{k_max} clusters to compare")),
    })
}

impl ClusterOutput {
    /// `id,cluster` with clusters numbered 1..k by first appearance.
    pub fn assignments_table(&self) -> Table {
        Table::new()
            .with("id", Column::Text(self.ids.clone()))
            .with(
                "cluster",
                Column::I64(self.labels.iter().map(|l| *l as i64 + 1).collect()),
            )
    }

    /// The merge tree drawn as a dendrogram (hierarchical methods), heights in distance
    /// units (`1 − S` for similarities).
    pub fn dendrogram_chart(&self, title: &str, y_label: &str) -> Option<Chart> {
        crate::chart::cluster::dendrogram_chart(self, None, title, y_label)
    }

    /// scipy's merge table `left,right,height,size` (hierarchical methods): leaves
    /// 0..n−1 in input order, merge i creating node n+i.
    pub fn linkage_table(&self) -> Option<Table> {
        let m = &self.dendrogram.as_ref()?.merges;
        Some(
            RowTable::new(m)
                .i64("left", |x| x.left as i64)
                .i64("right", |x| x.right as i64)
                .f64("height", |x| x.height)
                .i64("size", |x| x.size as i64)
                .table(),
        )
    }

    /// `model,k,bic` for every covariance model and k fitted (when mixtures were fitted).
    pub fn bic_table(&self) -> Option<Table> {
        let sel = self.selection.as_ref()?;
        Some(
            RowTable::new(&sel.table)
                .text("model", |r| r.0.name().to_string())
                .i64("k", |r| r.1 as i64)
                .f64("bic", |r| r.2)
                .table(),
        )
    }

    /// AU and BP p-values of every cluster node of the tree by pvclust's multiscale
    /// bootstrap (scales 0.5..1.4, `settings.bootstrap` replicates each) of the rows the
    /// dissimilarities came from: the dates of a multi-date similarity table, or the
    /// feature columns. None without bootstrap replicates.
    pub fn pvalues(&self) -> Result<Option<Vec<CladePValue>>, InputError> {
        self.pvalues_with(&Silent)
    }

    /// [`ClusterOutput::pvalues`], reporting the bootstrap replicates done to `progress`.
    pub fn pvalues_with(
        &self,
        progress: &dyn Progress,
    ) -> Result<Option<Vec<CladePValue>>, InputError> {
        let replicates = self.settings.bootstrap;
        // `cluster` validated the settings: replicates imply a hierarchical method.
        let Some(method) = self.settings.method.linkage().filter(|_| replicates > 0) else {
            return Ok(None);
        };
        let resample = self.resample.as_ref().ok_or_else(|| {
            InputError::new("--bootstrap resamples the rows the clustering was computed from: give --features, or a similarity table with several dates (e.g. `peergroup similarity --all-dates`)")
        })?;
        let scales: Vec<f64> = (5..=14).map(|s| s as f64 / 10.0).collect();
        // Distances are computed once per replicate and once for the original tree.
        progress.start(
            "bootstrap replicates",
            (scales.len() * replicates + 1) as u64,
        );
        multiscale_bootstrap(
            resample.rows(),
            self.ids.len(),
            |rows: &[usize]| {
                let d = resample.distances(rows);
                progress.advance(1);
                d
            },
            method,
            &scales,
            replicates,
            self.settings.seed,
        )
        .or_input()
        .map(Some)
    }

    /// `cluster_node,members,au,bp` of [`ClusterOutput::pvalues`]; members are ids
    /// joined by `;`.
    pub fn pvalues_table(&self, pv: &[CladePValue]) -> Table {
        let n = self.ids.len();
        RowTable::new(pv)
            .i64("cluster_node", |c| (n + c.node) as i64)
            .text("members", |c| {
                c.members
                    .iter()
                    .map(|&i| self.ids[i].as_str())
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .f64("au", |c| c.fit.au)
            .f64("bp", |c| c.fit.bp)
            .table()
    }

    /// ARI, NMI and contingency of the partition against `reference` (`id,label`
    /// pairs); every object needs a label.
    pub fn agreement(
        &self,
        reference: Named<'_, [(String, String)]>,
    ) -> Result<Agreement, InputError> {
        agreement(&self.ids, &self.labels, reference)
    }
}

#[cfg(all(test, feature = "clap"))]
mod settings_tests {
    use super::*;
    use crate::settings::check;

    #[test]
    fn cluster_settings() {
        check::settings_type(&ClusterSettings {
            method: ClusterMethod::Gmm,
            metric: FeatureMetric::Correlation,
            k: KChoice::Fixed(5),
            k_max: 12,
            k_rule: KRule::Bic,
            bootstrap: 100,
            seed: 3,
        });
        let s: ClusterSettings =
            check::parse(&["--method", "kmeans", "--bootstrap", "10"]).unwrap();
        check::names_key(s.validate(), "bootstrap");
        let s: ClusterSettings = check::parse(&["--k-rule", "gap"]).unwrap();
        check::names_key(s.validate(), "k-rule");
        let s: ClusterSettings =
            check::parse(&["--k-rule", "silhouette", "--method", "gmm"]).unwrap();
        check::names_key(s.validate(), "k-rule");
        let s: ClusterSettings = check::parse(&["--k-rule", "silhouette", "--k", "3"]).unwrap();
        assert_eq!(s.validate(), Ok(()));
        assert!(!s.fits_mixtures());
        let s: ClusterSettings = check::parse(&["--k-max", "0"]).unwrap();
        check::names_key(s.validate(), "k-max");
        let e = check::parse::<ClusterSettings>(&["--k", "none"]).unwrap_err();
        assert!(e.contains("--k") && e.contains("auto"), "{e}");
        let e = serde_json::from_str::<ClusterSettings>(r#"{"k": 0}"#).unwrap_err();
        assert!(e.to_string().contains("positive number of clusters"), "{e}");
        // A study file may write k as text or as a number.
        for text in [
            r#"{"k": "4", "method": "ward"}"#,
            r#"{"k": 4, "method": "ward"}"#,
        ] {
            let s: ClusterSettings = serde_json::from_str(text).unwrap();
            assert_eq!((s.k, s.method), (KChoice::Fixed(4), ClusterMethod::Ward));
        }
    }
}
