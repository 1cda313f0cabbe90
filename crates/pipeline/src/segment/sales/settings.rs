//! The settings of `segment sales`: one type whose serde keys are the command's flags
//! (and a study's `[segment.sales]` keys), checked before any data is read.

use peergroup_segment::outside::OutsideConfig;
use peergroup_segment::sales::{Entity, SalesConfig};
use peergroup_segment::transform::Transform;
use serde::{Deserialize, Serialize};

use super::outside;
use crate::segment::KSettings;
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
    /// Mix of the latest --mix-quarters quarters: broad categories (offices) or
    /// broker-dealers (funds), each share z-scored.
    CategoryMix,
    /// Selling behaviour: log ticket size, monthly volatility, redemption share and
    /// growth, each z-scored.
    Behaviour,
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
    /// Quarters, ending with the latest, over which the category mix is taken (0 = the
    /// whole window; 1 = the latest quarter only, as the notebook).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().mix_quarters, value_name = "N"))]
    pub mix_quarters: usize,
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
    /// With --k auto and --k-rule silhouette: the flat rule (widest silhouette over the
    /// whole set) instead of the nested one (split top-down while a split's silhouette
    /// exceeds 0.25).
    #[cfg_attr(feature = "clap", arg(long))]
    pub flat_k: bool,
    /// Smallest segment the nested rule accepts when splitting (entities).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().min_segment, value_name = "N"))]
    pub min_segment: usize,
    /// Bootstrap replicates of the stability of the chosen segments (0 = off).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().stability_replicates, value_name = "N"))]
    pub stability_replicates: usize,
    /// Only this broker-dealer's sales rows (e.g. one firm's offices).
    #[cfg_attr(feature = "clap", arg(long, value_name = "NAME"))]
    pub bd: Option<String>,
    /// Only sales of funds in this broad category (e.g. Equity).
    #[cfg_attr(feature = "clap", arg(long, value_name = "NAME"))]
    pub broad_category: Option<String>,
    /// Random seed (k-means, gap references, t-SNE).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().seed))]
    pub seed: u64,
    /// Largest number of entities embedded by t-SNE (its columns stay empty above).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().tsne_max, value_name = "N"))]
    pub tsne_max: usize,
    /// Funds: false discovery rate (Benjamini–Hochberg) of the outside-category flag.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SalesSettings::default().outside_level, value_name = "Q"))]
    pub outside_level: f64,
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
            features: vec![FeatureSet::CategoryMix, FeatureSet::Behaviour],
            mix_quarters: 0,
            method: SegMethod::Kmeans,
            metric: SegDistance::Euclidean,
            k: k.k,
            k_max: k.k_max,
            k_rule: KRule::Silhouette,
            flat_k: false,
            min_segment: 10,
            stability_replicates: 50,
            bd: None,
            broad_category: None,
            seed: 1,
            tsne_max: 5000,
            outside_level: OutsideConfig::default().level,
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
                "needs at least one of quarterly, category-mix, behaviour",
            ));
        }
        if self.quarters == 0 {
            return Err(SettingError::new("quarters", "must be at least 1, got 0"));
        }
        if self.mix_quarters > self.quarters {
            return Err(SettingError::new(
                "mix-quarters",
                format!(
                    "must be between 0 (the whole window) and --quarters ({}), got {}",
                    self.quarters, self.mix_quarters
                ),
            ));
        }
        if self.min_segment == 0 {
            return Err(SettingError::new(
                "min-segment",
                "must be at least 1, got 0",
            ));
        }
        outside::validate(self.outside_level)?;
        self.k_settings().map(|_| ())
    }

    /// The settings of the outside-category test (funds).
    pub fn outside_config(&self) -> OutsideConfig {
        OutsideConfig {
            level: self.outside_level,
        }
    }

    /// The number of segments, given or chosen.
    pub fn k_settings(&self) -> Result<KSettings, SettingError> {
        KSettings::of(self.k, self.k_max, self.k_rule)
    }
}
