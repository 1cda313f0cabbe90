//! Segments of broker-dealer offices or funds from monthly sales flows (METHODS §6):
//! quarterly net sales over a rolling window and the latest quarter's mix, clustered by
//! k-means or hierarchical linkage, with PCA and t-SNE maps, segment profiles and, for
//! funds, the funds that sell outside their category.

mod outside;
mod segments;

pub use outside::{sales_patterns, PATTERN_TRANSFORMS};
pub use segments::{output_files, SalesSegments, ALL_OUTPUTS};

use peergroup_cluster::kmeans::{self, KMeans};
use peergroup_cluster::linkage::{Dendrogram, Linkage};
use peergroup_cluster::pca::pca;
use peergroup_cluster::select::{choose_k, KMeansSelect, LinkageSelect, RowDistance};
use peergroup_cluster::tsne::{tsne, TsneOptions};
use peergroup_cluster::{Fit, MatRef};
use peergroup_data::{Date, InputError};
use peergroup_io::{FundsFile, SalesFile};
use peergroup_segment::outside::OutsideConfig;
use peergroup_segment::profile::{
    profiles, Categoricals, DescribeConfig, Magnitude, NumericSpec, ProfileInput,
};
use peergroup_segment::sales::{
    sales_features, Entity, FundTable, Quarter, SalesConfig, SalesFeatures, SalesTable,
};
use peergroup_segment::transform::{apply_all, signed_log1p, Transform};
use peergroup_segment::Matrix;

use super::{
    by_size, k_note, text_column, InputNames, KSelection, KSettings, PcaMap, GAP_REFERENCES,
};
use serde::{Deserialize, Serialize};

use crate::error::OrInput;
use crate::settings::{as_text, as_text_list, SettingError};
#[cfg(feature = "clap")]
use crate::settings::{choice_names, comma_default, default_text, parse};
use crate::{KChoice, KRule};

/// Which sales features are clustered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum FeatureSet {
    /// Quarterly net sales over the window, after the transforms.
    Quarterly,
    /// Latest-quarter mix: broad categories (offices) or broker-dealers (funds).
    CategoryMix,
}

/// Clustering method of the sales segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum SegMethod {
    /// k-means (k-means++, 10 restarts).
    Kmeans,
    /// Hierarchical, average linkage.
    Average,
    /// Hierarchical, Ward linkage.
    Ward,
}

/// Row distance of the sales segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum SegDistance {
    /// Euclidean distance on the features.
    Euclidean,
    /// Dynamic time warping on the monthly sales series (hierarchical methods only).
    Dtw,
}

/// Settings of the sales segments, as written on the command line or in a study file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SalesSettings {
    /// What to segment: office or fund.
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&SalesSettings::default().entity), value_parser = parse::<Entity>, value_name = "office|fund"))]
    #[serde(with = "as_text")]
    pub entity: Entity,
    /// Calendar quarters in the rolling window (shortened to the quarters the data cover).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().quarters, value_name = "N"))]
    pub quarters: usize,
    /// Transforms of the quarterly sales, applied in order (comma list of share, log1p,
    /// zscore, rownorm).
    #[cfg_attr(feature = "clap", arg(long, default_value = comma_default(&SalesSettings::default().transform), value_delimiter = ',', value_parser = parse::<Transform>, value_name = "LIST"))]
    #[serde(with = "as_text_list")]
    pub transform: Vec<Transform>,
    /// Feature sets clustered (comma list).
    #[cfg_attr(feature = "clap", arg(long = "feature-sets", alias = "features", default_value = comma_default(&choice_names(&SalesSettings::default().features)), value_delimiter = ',', value_enum))]
    #[serde(rename = "feature-sets")]
    pub features: Vec<FeatureSet>,
    /// Clustering method.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = SalesSettings::default().method))]
    pub method: SegMethod,
    /// Row distance: euclidean on the features, or dtw on the monthly series (hierarchical
    /// methods).
    #[cfg_attr(feature = "clap", arg(long, value_enum, alias = "distance", default_value_t = SalesSettings::default().metric))]
    pub metric: SegDistance,
    /// Number of segments, or auto (chosen by --k-rule in 1..--k-max).
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&SalesSettings::default().k), value_parser = parse::<KChoice>, value_name = "K|auto"))]
    #[serde(with = "as_text")]
    pub k: KChoice,
    /// Largest k tried by --k auto.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().k_max, value_name = "K"))]
    pub k_max: usize,
    /// Rule of --k auto: silhouette (widest mean silhouette; k = 1 when it is at most 0.25)
    /// or gap (Tibshirani's gap statistic); bic is for Gaussian mixtures (cluster).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = SalesSettings::default().k_rule, value_name = "RULE"))]
    pub k_rule: KRule,
    /// Random seed (k-means, gap references, t-SNE).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().seed))]
    pub seed: u64,
    /// Largest number of entities embedded by t-SNE (its columns stay empty above).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().tsne_max, value_name = "N"))]
    pub tsne_max: usize,
    /// Funds: false discovery rate (Benjamini–Hochberg) of the outside-category flag.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().outside_level, value_name = "Q"))]
    pub outside_level: f64,
    /// Funds: category-label permutations per fund of the outside-category test.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().outside_permutations, value_name = "N"))]
    pub outside_permutations: usize,
}

impl Default for SalesSettings {
    /// Offices, log1p then z-score of the quarterly sales and the mix, k-means with k by
    /// the widest silhouette in 1..8.
    fn default() -> Self {
        let k = KSettings::default();
        SalesSettings {
            entity: Entity::Office,
            quarters: SalesConfig::default().quarters,
            transform: vec![Transform::Log1p, Transform::ZScore],
            features: vec![FeatureSet::Quarterly, FeatureSet::CategoryMix],
            method: SegMethod::Kmeans,
            metric: SegDistance::Euclidean,
            k: k.k,
            k_max: k.k_max,
            k_rule: KRule::Silhouette,
            seed: 1,
            tsne_max: 5000,
            outside_level: OutsideConfig::default().level,
            outside_permutations: OutsideConfig::default().permutations,
        }
    }
}

impl SalesSettings {
    /// Check the settings before any data is read.
    pub fn validate(&self) -> Result<(), SettingError> {
        if self.metric == SegDistance::Dtw && self.method == SegMethod::Kmeans {
            return Err(SettingError::new(
                "metric",
                "dtw needs a hierarchical --method (average or ward): k-means averages series point by point",
            ));
        }
        if self.features.is_empty() {
            return Err(SettingError::new(
                "feature-sets",
                "needs at least one of quarterly, category-mix",
            ));
        }
        if self.quarters == 0 {
            return Err(SettingError::new("quarters", "must be at least 1, got 0"));
        }
        outside::validate(self.outside_level, self.outside_permutations)?;
        self.k_settings().map(|_| ())
    }

    /// The settings of the outside-category test (funds).
    pub fn outside_config(&self) -> OutsideConfig {
        OutsideConfig {
            permutations: self.outside_permutations,
            level: self.outside_level,
            seed: self.seed,
        }
    }

    /// The number of segments, given or chosen.
    pub fn k_settings(&self) -> Result<KSettings, SettingError> {
        KSettings::of(self.k, self.k_max, self.k_rule)
    }
}

/// Validated sales and funds with the entities' features: what the clustering, the
/// embedding and the profiles work on.
pub struct SalesInput {
    settings: SalesSettings,
    k: KSettings,
    funds: FundTable,
    features: SalesFeatures,
    /// The clustered feature sets side by side (n × d).
    x: Matrix,
    /// Monthly series after the transforms, compared by DTW.
    series: Option<Matrix>,
    notes: Vec<String>,
}

/// Validate the sales (`bd,office,fund,month,amount`) and funds
/// (`fund,category,broad_category`) tables, set the window and build each entity's
/// features. Errors name the table (`sales_name`, `funds_name`), its data row and column.
pub fn prepare(
    sales: SalesFile,
    sales_name: &str,
    funds: FundsFile,
    funds_name: &str,
    settings: &SalesSettings,
) -> Result<SalesInput, InputError> {
    settings.validate()?;
    let k = settings.k_settings()?;
    let names = InputNames {
        sales: Some(sales_name.into()),
        funds: Some(funds_name.into()),
        ..InputNames::default()
    };
    let funds = FundTable::new(funds.fund, funds.category, funds.broad_category)
        .map_err(|e| names.error(e))?;
    let mut notes = Vec::new();
    let quarters = window(&sales.month, settings.quarters, &mut notes);
    let table = SalesTable::new(
        text_column(sales.bd),
        text_column(sales.office),
        text_column(sales.fund),
        sales.month,
        sales.amount,
    )
    .map_err(|e| names.error(e))?;
    let features = sales_features(
        &table,
        &funds,
        &SalesConfig {
            entity: settings.entity,
            quarters,
            end: None,
            transforms: settings.transform.clone(),
            ..SalesConfig::default()
        },
    )
    .map_err(|e| names.error(e))?;
    let n = features.len();
    if let KChoice::Fixed(k) = settings.k {
        if k > n {
            return Err(InputError::new(format!(
                "--k {k} is more than the {n} {}s with sales in the window",
                settings.entity.name()
            ))
            .in_file(sales_name));
        }
    }
    if n < 2 {
        return Err(InputError::new(format!(
            "only {n} {} with sales in the window: nothing to segment",
            settings.entity.name()
        ))
        .in_file(sales_name));
    }
    let mut x = Matrix::zeros(n, 0);
    for set in &settings.features {
        x = x.hstack(match set {
            FeatureSet::Quarterly => &features.features,
            FeatureSet::CategoryMix => &features.mix,
        });
    }
    // DTW compares the monthly series, scaled by the same transforms.
    let series = (settings.metric == SegDistance::Dtw).then(|| {
        let mut m = features.monthly.clone();
        apply_all(&mut m, &settings.transform);
        m
    });
    Ok(SalesInput {
        settings: settings.clone(),
        k,
        funds,
        features,
        x,
        series,
        notes,
    })
}

/// The quarters in the window: `wanted`, or fewer when the data cover fewer. The window
/// ends at the latest quarter with data; it must not reach back before the first month
/// with data, where "no sales" would only mean "no data". Notes a partial latest quarter
/// and a shortened window.
fn window(months: &[Date], wanted: usize, notes: &mut Vec<String>) -> usize {
    let (Some(&first), Some(&last)) = (months.iter().min(), months.iter().max()) else {
        return wanted;
    };
    let (q0, q1) = (Quarter::of(first), Quarter::of(last));
    let available =
        (q1.year() - q0.year()) as usize * 4 + q1.number() as usize - q0.number() as usize + 1;
    if last.month() % 3 != 0 {
        notes.push(format!(
            "the latest quarter {q1} has data up to {last} only: its sales are partial"
        ));
    }
    if available < wanted {
        notes.push(format!(
            "the data cover {available} quarter{} ({q0} to {q1}): the window is shortened from {wanted} to {available}",
            if available == 1 { "" } else { "s" },
        ));
        available
    } else {
        wanted
    }
}

/// Segment labels as fitted (not yet numbered by size), how k was set, and the merge
/// tree of a hierarchical method.
pub struct Clusters {
    labels: Vec<usize>,
    selection: KSelection,
    tree: Option<Dendrogram>,
}

impl SalesInput {
    /// Entities with features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether no entity has features (never: [`prepare`] needs two).
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// Cluster the entities: k given, or chosen by the settings' rule.
    pub fn cluster(&self) -> Result<Clusters, InputError> {
        let s = &self.settings;
        let n = self.len();
        let (x, d) = match &self.series {
            Some(m) => (m.as_slice(), m.cols()),
            None => (self.x.as_slice(), self.x.cols()),
        };
        // Clustering runs on the principal-component scores (all components): distances
        // are unchanged, so are the clusters, but the gap statistic's uniform reference box
        // is then aligned with the data (Tibshirani, Walther & Hastie's second reference),
        // which keeps correlated features — quarters of one entity's sales move together —
        // from making every extra cluster look significant.
        let rotated;
        let (x, d) = if s.metric == SegDistance::Euclidean && n > 2 {
            let keep = d.min(n - 1);
            rotated = pca(MatRef::new(x, n, d).or_input()?, keep)
                .or_input()?
                .scores;
            (&rotated[..], keep)
        } else {
            (x, d)
        };
        let k_max = self.k.k_max.min(n);
        let x = MatRef::new(x, n, d).or_input()?;
        let chosen = |c: peergroup_cluster::select::KChoice| {
            let note = k_note(&c);
            (
                c.labels.clone(),
                KSelection {
                    choice: Some(c),
                    note,
                },
            )
        };
        match s.method {
            SegMethod::Kmeans => {
                let (labels, selection) = match self.k.k {
                    KChoice::Fixed(k) => {
                        let fit = KMeans::new(k)
                            .restarts(kmeans::RESTARTS)
                            .seed(s.seed)
                            .fit(x)
                            .or_input()?;
                        (fit.labels, KSelection::given())
                    }
                    KChoice::Auto => chosen(
                        choose_k(
                            &KMeansSelect::new(x),
                            k_max,
                            GAP_REFERENCES,
                            self.k.rule,
                            s.seed,
                        )
                        .or_input()?,
                    ),
                };
                Ok(Clusters {
                    labels,
                    selection,
                    tree: None,
                })
            }
            SegMethod::Average | SegMethod::Ward => {
                let linkage = if s.method == SegMethod::Average {
                    Linkage::Average
                } else {
                    Linkage::Ward
                };
                let dist = match s.metric {
                    SegDistance::Euclidean => RowDistance::Euclidean,
                    SegDistance::Dtw => RowDistance::Dtw,
                };
                let sel = LinkageSelect::new(x, linkage, dist).or_input()?;
                let tree = sel.dendrogram().clone();
                let (labels, selection) = match self.k.k {
                    KChoice::Fixed(k) => (tree.cut_k(k).or_input()?, KSelection::given()),
                    KChoice::Auto => chosen(
                        choose_k(&sel, k_max, GAP_REFERENCES, self.k.rule, s.seed).or_input()?,
                    ),
                };
                Ok(Clusters {
                    labels,
                    selection,
                    tree: Some(tree),
                })
            }
        }
    }

    /// The t-SNE map of the features (perplexity 30, or less for few entities), or NaN
    /// coordinates and a note when there are under 5 or over `tsne_max` entities.
    pub fn tsne(&self) -> Result<TsneMap, InputError> {
        let (x, n, d) = (self.x.as_slice(), self.len(), self.x.cols());
        let max = self.settings.tsne_max;
        if n < 5 || n > max {
            let note = if n < 5 {
                format!("t-SNE needs at least 5 rows, there are {n}")
            } else {
                format!("t-SNE skipped: {n} rows > --tsne-max {max}")
            };
            return Ok(TsneMap {
                coordinates: vec![[f64::NAN; 2]; n],
                note: Some(note),
            });
        }
        let t = tsne(
            MatRef::new(x, n, d).or_input()?,
            &TsneOptions {
                perplexity: 30f64.min((n as f64 - 1.0) / 3.0),
                seed: self.settings.seed,
                ..TsneOptions::default()
            },
        )
        .or_input()?;
        Ok(TsneMap {
            coordinates: (0..n)
                .map(|i| [t.embedding[2 * i], t.embedding[2 * i + 1]])
                .collect(),
            note: None,
        })
    }

    /// Number the clusters by size and describe them: PCA map, profiles and, for funds,
    /// the outside-category table.
    pub fn segments(self, clusters: Clusters, tsne: TsneMap) -> Result<SalesSegments, InputError> {
        let f = &self.features;
        let labels = by_size(&clusters.labels);
        let pca = PcaMap::of(self.x.as_slice(), self.len(), self.x.cols())?;
        let (numeric, specs) = f.profile_numeric();
        let categories = f.categories(&self.funds);
        let cats = categories
            .as_ref()
            .map(|c| Categoricals::from_text("category", "{}", c));
        let scaled = f.features.hstack(&f.mix);
        // Descriptions from one size figure and the mix: eight quarterly columns that move
        // together would otherwise fill every description with "large … sales" three times.
        let (compact, compact_specs, compact_scaled) = description_features(f);
        let labels_error = |e| InputNames::default().error(e);
        let profile = |numeric, numeric_specs, scaled| {
            let input = ProfileInput {
                numeric,
                numeric_specs,
                scaled: Some(scaled),
                categorical: cats.as_ref(),
            };
            profiles(&input, &labels, &DescribeConfig::default()).map_err(labels_error)
        };
        let mut prof = profile(&numeric, &specs, &scaled)?;
        let described = profile(&compact, &compact_specs, &compact_scaled)?;
        for (p, d) in prof.segments.iter_mut().zip(described.segments) {
            p.description = d.description;
        }
        let mut notes = self.notes;
        let what = self.settings.entity.name();
        let outside = match categories {
            Some(cats) if self.settings.entity == Entity::Fund => {
                let t = outside::test_funds(f, &cats, &self.settings.outside_config())
                    .map_err(labels_error)?;
                notes.push(outside::note(&t));
                Some(t)
            }
            _ => None,
        };
        if !f.dropped.is_empty() {
            notes.push(format!(
                "{} {what}s with zero net sales in every quarter of the window were left out",
                f.dropped.len(),
            ));
        }
        notes.extend(tsne.note);
        let k = labels.iter().max().map_or(0, |m| m + 1);
        Ok(SalesSegments {
            entity: self.settings.entity,
            method: self.settings.method,
            keys: self.features.keys,
            labels,
            k,
            selection: clusters.selection,
            tree: clusters.tree,
            pca,
            tsne: tsne.coordinates,
            profiles: prof,
            outside,
            notes,
        })
    }
}

/// A t-SNE map, or why there is none.
pub struct TsneMap {
    /// (t-SNE 1, t-SNE 2) per entity (NaN when skipped).
    pub coordinates: Vec<[f64; 2]>,
    /// Why the map was skipped.
    pub note: Option<String>,
}

/// Segment offices or funds by their sales: [`prepare`], cluster, embed and describe.
pub fn segment_sales(
    sales: SalesFile,
    sales_name: &str,
    funds: FundsFile,
    funds_name: &str,
    settings: &SalesSettings,
) -> Result<SalesSegments, InputError> {
    let input = prepare(sales, sales_name, funds, funds_name, settings)?;
    let clusters = input.cluster()?;
    let tsne = input.tsne()?;
    input.segments(clusters, tsne)
}

/// Mean quarterly net sales (with its signed log1p for the z-scores) and the mix shares:
/// the features a segment description is built from.
fn description_features(f: &SalesFeatures) -> (Matrix, Vec<NumericSpec>, Matrix) {
    let n = f.len();
    let q = f.quarterly.cols().max(1) as f64;
    let mean: Vec<f64> = (0..n)
        .map(|i| f.quarterly.row(i).iter().sum::<f64>() / q)
        .collect();
    let size = Matrix::new(mean.clone(), n, 1).expect("one mean per office");
    let size_scaled = Matrix::new(mean.iter().map(|&v| signed_log1p(v)).collect(), n, 1)
        .expect("one mean per office");
    let mut specs = vec![NumericSpec::new(
        "sales_per_quarter",
        "quarterly sales",
        Magnitude::Amount,
    )];
    specs.extend(
        f.mix_levels
            .iter()
            .map(|l| NumericSpec::new(format!("mix_{l}"), format!("{l} share"), Magnitude::Level)),
    );
    (size.hstack(&f.mix), specs, size_scaled.hstack(&f.mix))
}
