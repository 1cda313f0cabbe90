//! Segmentation stages (METHODS §6): segments of broker-dealer offices or funds from
//! sales flows ([`sales`]), and of app investors from profile and balances
//! ([`investors`], with its descriptive tables in [`eda`]).
//!
//! Both stages number segments by size (segment 0 is the largest) and return them as
//! data (entity ids and labels) next to their tables and charts.

pub mod eda;
pub mod investors;
pub mod nested;
pub mod sales;

use peergroup_cluster::pca::pca;
use peergroup_cluster::select::{self, KRule};
use peergroup_cluster::MatRef;
use peergroup_data::{InputError, Position};
use peergroup_io::{Column, RowTable, Table};
use peergroup_report::{Scatter, ScatterPoint};
use peergroup_segment::profile::Profiles;
use peergroup_segment::SegmentError;

pub use investors::InvestorSettings;
pub use sales::SalesSettings;

use crate::error::OrInput;
use crate::{Chart, KChoice, SettingError};

/// How many segments: given, or chosen in 1..=`k_max` by `rule` (the typed form of the
/// settings' `k`, `k-max` and `k-rule`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KSettings {
    /// A given k, or `Auto`.
    pub k: KChoice,
    /// Largest k tried by `Auto`.
    pub k_max: usize,
    /// Criterion of `Auto`: widest mean silhouette (k = 1 when at most 0.25) or the gap
    /// statistic.
    pub rule: KRule,
}

impl Default for KSettings {
    fn default() -> Self {
        KSettings {
            k: KChoice::Auto,
            k_max: 8,
            rule: KRule::Silhouette,
        }
    }
}

impl KSettings {
    /// The segments' k from the settings `k`, `k-max` and `k-rule`: segments choose k by
    /// silhouette or gap (BIC is for Gaussian mixtures, which segments do not fit).
    pub fn of(k: KChoice, k_max: usize, rule: crate::KRule) -> Result<KSettings, SettingError> {
        if k_max == 0 {
            return Err(SettingError::new("k-max", "must be at least 1, got 0"));
        }
        let rule = match rule {
            crate::KRule::Silhouette => KRule::Silhouette,
            crate::KRule::Gap => KRule::Gap,
            crate::KRule::Bic => {
                return Err(SettingError::new(
                    "k-rule",
                    "bic needs Gaussian mixtures (peergroup cluster --method gmm); segments choose k by silhouette or gap",
                ))
            }
        };
        Ok(KSettings { k, k_max, rule })
    }
}

/// Reference sets of the gap statistic.
const GAP_REFERENCES: usize = 10;

/// How k was set: the criteria table of `Auto` and a note for the summary line.
#[derive(Clone, Debug)]
pub struct KSelection {
    /// The criteria over k = 1..=k_max (`Auto` only).
    pub choice: Option<select::KChoice>,
    /// "given", or which rule chose k and what the other rule would give.
    pub note: String,
}

impl KSelection {
    /// A given k.
    fn given() -> KSelection {
        KSelection {
            choice: None,
            note: "given".into(),
        }
    }

    /// `k,cost,gap,gap_sd,silhouette,chosen` (`Auto` only).
    pub fn table(&self) -> Option<Table> {
        self.choice.as_ref().map(k_table)
    }
}

/// Which rule chose k, and what the other would have chosen.
fn k_note(c: &select::KChoice) -> String {
    let (rule, other, other_k) = match c.rule {
        KRule::Gap => ("gap statistic", "widest mean silhouette", c.k_silhouette),
        KRule::Silhouette => ("widest mean silhouette", "gap statistic", c.k_gap),
    };
    if c.k == 1 {
        format!(
            "{rule} over k = 1..{}: no further meaningful clustering (the {other} would give k = {other_k})",
            c.table.len()
        )
    } else {
        format!(
            "{rule} over k = 1..{}; the {other} would give k = {other_k}",
            c.table.len()
        )
    }
}

fn k_table(c: &select::KChoice) -> Table {
    RowTable::new(&c.table)
        .i64("k", |r| r.k as i64)
        .f64("cost", |r| r.cost)
        .f64("gap", |r| r.gap)
        .f64("gap_sd", |r| r.s)
        .f64("silhouette", |r| r.silhouette)
        .text("chosen", |r| {
            if r.k == c.k { "yes" } else { "" }.to_string()
        })
        .table()
}

/// What a segmentation found, for a summary line.
#[derive(Clone, Debug)]
pub struct SegmentSummary {
    /// Entities (or users) segmented.
    pub n: usize,
    /// Segments found.
    pub k: usize,
    /// How k was set.
    pub k_note: String,
    /// Segment sizes, by segment.
    pub sizes: Vec<usize>,
    /// Remarks for the user (data left out, shortened windows, skipped t-SNE).
    pub notes: Vec<String>,
}

impl SegmentSummary {
    /// The summary of `labels` (0..k) fitted with `k` segments.
    fn of(labels: &[usize], k: usize, selection: &KSelection, notes: &[String]) -> Self {
        SegmentSummary {
            n: labels.len(),
            k,
            k_note: selection.note.clone(),
            sizes: sizes(labels),
            notes: notes.to_vec(),
        }
    }
}

/// Segment numbers 0..k renumbered by size (largest first, ties by label), for stable
/// reading.
fn by_size(labels: &[usize]) -> Vec<usize> {
    let sizes = sizes(labels);
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut rank = vec![0; sizes.len()];
    for (r, &l) in order.iter().enumerate() {
        rank[l] = r;
    }
    labels.iter().map(|&l| rank[l]).collect()
}

/// Members of each segment 0..=max label.
fn sizes(labels: &[usize]) -> Vec<usize> {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut s = vec![0usize; k];
    for &l in labels {
        s[l] += 1;
    }
    s
}

/// The first two principal-component scores of each row and the explained-variance
/// ratios of all components.
#[derive(Clone, Debug)]
pub struct PcaMap {
    /// (PC1, PC2) per row, feature units (PC2 = 0 with one component).
    pub scores: Vec<[f64; 2]>,
    /// Share of variance per component, fractions.
    pub explained: Vec<f64>,
}

impl PcaMap {
    /// PCA of the n × d row-major `x`.
    fn of(x: &[f64], n: usize, d: usize) -> Result<PcaMap, InputError> {
        let keep = d.min(n.saturating_sub(1)).max(1);
        let p = pca(MatRef::new(x, n, d).or_input()?, keep).or_input()?;
        let scores = (0..n)
            .map(|i| {
                let row = &p.scores[i * p.k..(i + 1) * p.k];
                [row[0], if p.k > 1 { row[1] } else { 0.0 }]
            })
            .collect();
        Ok(PcaMap {
            scores,
            explained: p.explained_variance_ratio,
        })
    }

    /// `component,explained_variance_ratio,cumulative`.
    pub fn table(&self) -> Table {
        let mut cum = 0.0;
        Table::new()
            .with(
                "component",
                Column::I64((1..=self.explained.len() as i64).collect()),
            )
            .with(
                "explained_variance_ratio",
                Column::F64(self.explained.clone()),
            )
            .with(
                "cumulative",
                Column::F64(
                    self.explained
                        .iter()
                        .map(|r| {
                            cum += r;
                            cum
                        })
                        .collect(),
                ),
            )
    }
}

/// Points coloured by segment ("segment 1", ...), the legend in segment order.
fn segment_scatter(
    title: &str,
    x_label: &str,
    y_label: &str,
    xy: &[[f64; 2]],
    labels: &[usize],
) -> Chart {
    let mut points: Vec<ScatterPoint> = xy
        .iter()
        .zip(labels)
        .map(|(p, &l)| ScatterPoint {
            x: p[0],
            y: p[1],
            group: format!("segment {}", l + 1),
            label: None,
        })
        .collect();
    // Legend in segment order: "segment 2" before "segment 10".
    points.sort_by(|a, b| {
        a.group
            .len()
            .cmp(&b.group.len())
            .then(a.group.cmp(&b.group))
    });
    Chart::Scatter(Scatter {
        title: title.into(),
        x_label: x_label.into(),
        y_label: y_label.into(),
        points,
    })
}

/// Wide profile table: segment, size, share, description, then one column per level share
/// (`column=level`) and per numeric mean.
fn profiles_table(p: &Profiles) -> Table {
    let segs = &p.segments;
    let mut t = RowTable::new(segs)
        .i64("segment", |s| s.segment as i64 + 1)
        .i64("size", |s| s.size as i64)
        .f64("share", |s| s.share)
        .text("description", |s| s.description.clone());
    for (j, spec) in p.categorical.iter().enumerate() {
        for (l, level) in spec.levels.iter().enumerate() {
            t = t.f64(&format!("{}={}", spec.name, level), |s| {
                s.level_shares[j][l]
            });
        }
    }
    for (j, spec) in p.numeric.iter().enumerate() {
        t = t.f64(&format!("mean_{}", spec.name), |s| s.means[j]);
    }
    t.table()
}

/// The names errors give the segmentation inputs (absent: not an input of this stage).
#[derive(Clone, Debug, Default)]
struct InputNames {
    sales: Option<String>,
    funds: Option<String>,
    users: Option<String>,
    balances: Option<String>,
}

impl InputNames {
    /// A [`SegmentError`] as an input error naming the input, its data row
    /// ([`Position::Row`], 1-based) and the column.
    fn error(&self, e: SegmentError) -> InputError {
        use peergroup_segment::Table as T;
        let name = e.table().and_then(|t| match t {
            T::Sales => self.sales.as_deref(),
            T::Funds => self.funds.as_deref(),
            T::Users => self.users.as_deref(),
            T::Balances => self.balances.as_deref(),
            T::Labels => None,
        });
        let mut ie = InputError::new(e.message());
        if let Some(name) = name {
            if let Some(r) = e.row() {
                ie.position = Some(Position::Row(r as u64 + 1));
            }
            ie = ie.in_file(name);
        }
        if let Some(c) = e.column() {
            ie = ie.with_column(c);
        }
        ie
    }
}

/// A text column as read, in the segment crate's form.
fn text_column(c: peergroup_io::Coded) -> peergroup_segment::TextColumn {
    peergroup_segment::TextColumn::from_codes(c.names, c.codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "clap")]
    #[test]
    fn sales_settings() {
        use crate::settings::check;
        use peergroup_segment::sales::Entity;
        use peergroup_segment::transform::Transform;
        use sales::{FeatureSet, SegDistance, SegMethod};
        check::settings_type(&SalesSettings {
            entity: Entity::Fund,
            quarters: 6,
            transform: vec![Transform::Share, Transform::RowNorm],
            features: vec![FeatureSet::CategoryMix],
            mix_quarters: 2,
            method: SegMethod::Ward,
            metric: SegDistance::Dtw,
            k: KChoice::Fixed(4),
            k_max: 12,
            k_rule: crate::KRule::Gap,
            flat_k: true,
            min_segment: 3,
            stability_replicates: 5,
            bd: Some("BD01".into()),
            broad_category: Some("Equity".into()),
            seed: 7,
            tsne_max: 10,
            outside_level: 0.1,
        });
        let json = serde_json::to_value(SalesSettings::default()).unwrap();
        assert_eq!(json["transform"], serde_json::json!(["log1p", "zscore"]));
        assert_eq!(
            json["feature-sets"],
            serde_json::json!(["category-mix", "behaviour"])
        );
        // The old name of --feature-sets still works.
        let s: SalesSettings = check::parse(&["--features", "quarterly"]).unwrap();
        assert_eq!(s.features, vec![FeatureSet::Quarterly]);
        assert_eq!(
            (&json["k"], &json["entity"]),
            (&"auto".into(), &"office".into())
        );
        // The old name of --metric still works.
        let s: SalesSettings = check::parse(&["--distance", "dtw"]).unwrap();
        assert_eq!(s.metric, SegDistance::Dtw);
        check::names_key(s.validate(), "metric");
        let s: SalesSettings = check::parse(&["--k-rule", "bic"]).unwrap();
        check::names_key(s.validate(), "k-rule");
        let s: SalesSettings = check::parse(&["--min-segment", "0"]).unwrap();
        check::names_key(s.validate(), "min-segment");
        let s: SalesSettings = check::parse(&["--quarters", "4", "--mix-quarters", "5"]).unwrap();
        check::names_key(s.validate(), "mix-quarters");
        let s: SalesSettings = check::parse(&["--outside-level", "1.5"]).unwrap();
        check::names_key(s.validate(), "outside-level");
        let s: SalesSettings = check::parse(&["--k-max", "0"]).unwrap();
        check::names_key(s.validate(), "k-max");
        assert!(check::parse::<SalesSettings>(&["--transform", "log2"])
            .unwrap_err()
            .contains("--transform"));
        assert_eq!(
            SalesSettings::default().k_settings(),
            Ok(KSettings::default())
        );
    }

    #[cfg(feature = "clap")]
    #[test]
    fn investor_settings() {
        use crate::settings::check;
        check::settings_type(&InvestorSettings {
            k: KChoice::Fixed(3),
            k_max: 5,
            k_rule: crate::KRule::Gap,
            k_sample: 100,
            seed: 9,
            features: investors::InvestorFeatureSet::Measures,
            stability_replicates: 5,
            exclude_no_balance: true,
            trend_weekends: true,
        });
        let s: InvestorSettings = check::parse(&["--k-sample", "1"]).unwrap();
        check::names_key(s.validate(), "k-sample");
        assert!(check::parse::<InvestorSettings>(&["--k", "0"])
            .unwrap_err()
            .contains("--k"));
    }

    #[test]
    fn segments_are_numbered_by_size() {
        assert_eq!(by_size(&[2, 0, 2, 1, 2, 0]), vec![0, 1, 0, 2, 0, 1]);
        assert_eq!(sizes(&[0, 1, 1]), vec![1, 2]);
        assert!(by_size(&[]).is_empty());
    }
}
