//! The sales segments as data, tables and charts.

use peergroup_cluster::linkage::Dendrogram;
use peergroup_cluster::stability::Stability;
use peergroup_io::{Column, Table};
use peergroup_report::{
    BarChart, Dendrogram as DendrogramChart, Heatmap, LineChart, Series, XAxis,
};
use peergroup_segment::outside::OutsideTest;
use peergroup_segment::profile::Profiles;
use peergroup_segment::sales::{Entity, EntityKey, Quarter};

use super::SegMethod;
use crate::segment::nested::NestedK;
use crate::segment::{profiles_table, segment_scatter, KSelection, PcaMap, SegmentSummary};
use crate::{Artifacts, Chart};

/// Segments of offices or funds, with their maps, profiles and charts.
#[derive(Clone, Debug)]
pub struct SalesSegments {
    /// Offices or funds.
    pub entity: Entity,
    /// The clustering method.
    pub method: SegMethod,
    /// Entity of each row: offices sorted by (bd, office), funds in funds-table order.
    pub keys: Vec<EntityKey>,
    /// Segment of each entity, 0-based, numbered by size (0 = largest).
    pub labels: Vec<usize>,
    /// Segments found.
    pub k: usize,
    /// How k was set.
    pub selection: KSelection,
    /// The nested silhouette rule's splits (k chosen by it).
    pub nested: Option<NestedK>,
    /// Bootstrap stability of the segments (off, or a single segment: `None`).
    pub stability: Option<Stability>,
    /// Bootstrap replicates asked for (0 = stability off).
    pub stability_replicates: usize,
    /// Merge tree of a hierarchical method (leaves in entity order).
    pub tree: Option<Dendrogram>,
    /// The window's quarters, oldest first.
    pub quarters: Vec<Quarter>,
    /// Principal components of the clustered features.
    pub pca: PcaMap,
    /// t-SNE coordinates per entity (NaN when skipped).
    pub tsne: Vec<[f64; 2]>,
    /// Profile of each segment.
    pub profiles: Profiles,
    /// Funds only: each fund's test of selling outside its category.
    pub outside: Option<OutsideTest>,
    /// Remarks for the user.
    pub notes: Vec<String>,
}

/// Every file a sales segmentation may write, for removing those of an earlier run.
pub const ALL_OUTPUTS: [&str; 14] = [
    "assignments.csv",
    "pca.csv",
    "profiles.csv",
    "scree.svg",
    "pca.svg",
    "tsne.svg",
    "segment_mix.svg",
    "segment_sales.svg",
    "k_selection.csv",
    "dendrogram.svg",
    "outside_category.csv",
    "k_nested.csv",
    "stability.csv",
    "outside_category.svg",
];

/// The files [`SalesSegments::artifacts`] will hold for `settings`, known before any
/// work (so that a front end can refuse an existing output first).
pub fn output_files(settings: &super::SalesSettings) -> Vec<&'static str> {
    let mut files = ALL_OUTPUTS[..8].to_vec();
    if settings.k == crate::KChoice::Auto {
        files.push("k_selection.csv");
    }
    if settings.method != SegMethod::Kmeans {
        files.push("dendrogram.svg");
    }
    if settings.entity == Entity::Fund {
        files.extend(["outside_category.csv", "outside_category.svg"]);
    }
    if settings.k == crate::KChoice::Auto
        && settings.k_rule == crate::KRule::Silhouette
        && !settings.flat_k
    {
        files.push("k_nested.csv");
    }
    if settings.stability_replicates > 0 {
        files.push("stability.csv");
    }
    files
}

impl SalesSegments {
    /// Every output as a named file: assignments, PCA, profiles, the maps, and (as the
    /// settings ask) the k selection, dendrogram and outside-category table.
    pub fn artifacts(&self) -> Artifacts {
        let mut a = Artifacts::default();
        a.table("assignments.csv", self.assignments_table());
        a.table("pca.csv", self.pca.table());
        a.table("profiles.csv", self.profiles_table());
        a.chart("scree.svg", self.scree_chart());
        a.chart("pca.svg", self.pca_chart());
        a.chart("tsne.svg", self.tsne_chart());
        a.chart("segment_mix.svg", self.mix_chart());
        a.chart("segment_sales.svg", self.sales_chart());
        if let Some(t) = self.selection.table() {
            a.table("k_selection.csv", t);
        }
        if let Some(c) = self.dendrogram_chart() {
            a.chart("dendrogram.svg", c);
        }
        if let Some(t) = &self.outside {
            a.table("outside_category.csv", super::outside::table(t));
            a.chart("outside_category.svg", super::outside::chart(t));
        }
        if let Some(n) = &self.nested {
            a.table("k_nested.csv", n.table());
        }
        if let Some(t) = self.stability_table() {
            a.table("stability.csv", t);
        }
        a
    }

    /// Counts, sizes and notes (with the stability), for a summary line.
    pub fn summary(&self) -> SegmentSummary {
        let mut notes = self.notes.clone();
        if let Some(line) = self.stability_line() {
            notes.push(line);
        }
        SegmentSummary::of(&self.labels, self.k, &self.selection, &notes)
    }

    /// "stability over B bootstrap resamples: mean ARI …, sd …, 5th percentile …".
    pub fn stability_line(&self) -> Option<String> {
        self.stability.as_ref().map(|s| {
            format!(
                "stability over {} bootstrap resamples: mean ARI {:.3}, sd {:.3}, 5th percentile {:.3} ({})",
                s.aris.len(),
                s.mean_ari,
                s.sd_ari,
                s.p05_ari,
                stability_reading(s.mean_ari)
            )
        })
    }

    /// `segments,replicates,mean_ari,sd_ari,p05_ari` (one row; with a single segment 0
    /// replicates and empty figures), or `None` when stability is off.
    pub fn stability_table(&self) -> Option<Table> {
        if self.stability_replicates == 0 {
            return None;
        }
        let (b, mean, sd, p05) = match &self.stability {
            Some(s) => (s.aris.len() as i64, s.mean_ari, s.sd_ari, s.p05_ari),
            None => (0, f64::NAN, f64::NAN, f64::NAN),
        };
        Some(
            Table::new()
                .with("segments", Column::I64(vec![self.k as i64]))
                .with("replicates", Column::I64(vec![b]))
                .with("mean_ari", Column::F64(vec![mean]))
                .with("sd_ari", Column::F64(vec![sd]))
                .with("p05_ari", Column::F64(vec![p05])),
        )
    }

    fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.id.clone()).collect()
    }

    /// `entity,cluster,pc1,pc2,tsne1,tsne2` (offices: and `bd`), clusters numbered 1..k.
    pub fn assignments_table(&self) -> Table {
        let (pcs, emb) = (&self.pca.scores, &self.tsne);
        let mut t = Table::new()
            .with("entity", Column::Text(self.ids()))
            .with(
                "cluster",
                Column::I64(self.labels.iter().map(|&l| l as i64 + 1).collect()),
            )
            .with("pc1", Column::F64(pcs.iter().map(|p| p[0]).collect()))
            .with("pc2", Column::F64(pcs.iter().map(|p| p[1]).collect()))
            .with("tsne1", Column::F64(emb.iter().map(|p| p[0]).collect()))
            .with("tsne2", Column::F64(emb.iter().map(|p| p[1]).collect()));
        if self.entity == Entity::Office {
            t.push(
                "bd",
                Column::Text(
                    self.keys
                        .iter()
                        .map(|k| k.bd.clone().unwrap_or_default())
                        .collect(),
                ),
            );
        }
        t
    }

    /// Per segment: size, share, description, category shares (funds), mean quarterly
    /// sales and mix.
    pub fn profiles_table(&self) -> Table {
        profiles_table(&self.profiles)
    }

    /// `fund,category,sells_like,own_similarity,sells_like_similarity,statistic,p_value,q_value,outside`
    /// (funds only).
    pub fn outside_table(&self) -> Option<Table> {
        self.outside.as_ref().map(super::outside::table)
    }

    /// Share of variance per principal component (the first 20).
    pub fn scree_chart(&self) -> Chart {
        let ratios = &self.pca.explained;
        let shown = ratios.len().min(20);
        Chart::Bar(BarChart {
            title: "Scree: share of variance per principal component".into(),
            value_label: "explained variance ratio".into(),
            labels: (1..=shown).map(|c| format!("PC{c}")).collect(),
            values: ratios[..shown].to_vec(),
            horizontal: false,
        })
    }

    /// Entities on the first two principal components, by segment.
    pub fn pca_chart(&self) -> Chart {
        segment_scatter(
            &format!(
                "{}s on the first two principal components",
                self.entity.name()
            ),
            "PC1",
            "PC2",
            &self.pca.scores,
            &self.labels,
        )
    }

    /// The t-SNE map, by segment.
    pub fn tsne_chart(&self) -> Chart {
        segment_scatter(
            &format!("t-SNE map of the {}s", self.entity.name()),
            "t-SNE 1",
            "t-SNE 2",
            &self.tsne,
            &self.labels,
        )
    }

    /// Per segment and for all entities, the mean share of each mix level (broad
    /// categories for offices, broker-dealers for funds): what each segment sells
    /// against the whole.
    pub fn mix_chart(&self) -> Chart {
        let p = &self.profiles;
        let cols: Vec<usize> = (0..p.numeric.len())
            .filter(|&j| p.numeric[j].name.starts_with("mix_"))
            .collect();
        let n: usize = p.segments.iter().map(|s| s.size).sum();
        let mut values = Vec::new();
        let mut rows = Vec::new();
        for s in &p.segments {
            rows.push(format!("segment {} ({})", s.segment + 1, s.size));
            values.extend(cols.iter().map(|&j| s.means[j]));
        }
        rows.push(format!("all ({n})"));
        values.extend(cols.iter().map(|&j| {
            p.segments
                .iter()
                .map(|s| s.means[j] * s.size as f64)
                .sum::<f64>()
                / n.max(1) as f64
        }));
        Chart::Heatmap(Heatmap {
            title: format!(
                "Mean {} mix per segment against all {}s (shares)",
                if self.entity == Entity::Office {
                    "broad-category"
                } else {
                    "broker-dealer"
                },
                self.entity.name()
            ),
            row_labels: rows,
            col_labels: cols
                .iter()
                .map(|&j| p.numeric[j].name["mix_".len()..].to_string())
                .collect(),
            values,
            min: 0.0,
            max: 1.0,
            reversed: false,
        })
    }

    /// Net sales per quarter of each segment (the sum over its members), dollars.
    pub fn sales_chart(&self) -> Chart {
        let p = &self.profiles;
        let x: Vec<f64> = self
            .quarters
            .iter()
            .map(|q| q.end().days() as f64)
            .collect();
        let series = p
            .segments
            .iter()
            .map(|s| Series {
                name: format!("segment {}", s.segment + 1),
                points: self
                    .quarters
                    .iter()
                    .enumerate()
                    .map(|(k, q)| {
                        let j = p
                            .numeric
                            .iter()
                            .position(|spec| spec.name == format!("sales_{q}"))
                            .expect("a mean per quarter");
                        (x[k], s.means[j] * s.size as f64)
                    })
                    .collect(),
            })
            .collect();
        Chart::Line(LineChart {
            title: format!(
                "Net sales per quarter by segment of {}s",
                self.entity.name()
            ),
            x_label: "quarter end".into(),
            y_label: "net sales (dollars)".into(),
            x_axis: XAxis::Dates,
            log_y: false,
            series,
        })
    }

    /// The merge tree (hierarchical methods).
    pub fn dendrogram_chart(&self) -> Option<Chart> {
        let t = self.tree.as_ref()?;
        Some(Chart::Dendrogram(DendrogramChart {
            title: format!(
                "{}s: {} linkage",
                self.entity.name(),
                if self.method == SegMethod::Average {
                    "average"
                } else {
                    "Ward"
                }
            ),
            labels: self.ids(),
            merges: t
                .merges
                .iter()
                .map(|m| (m.left, m.right, m.height, m.size))
                .collect(),
            y_label: "merge height".into(),
            ..DendrogramChart::default()
        }))
    }
}

/// Hennig's reading of a mean bootstrap ARI: above 0.85 highly stable, 0.75–0.85 stable,
/// 0.6–0.75 some pattern, below that not to be trusted.
fn stability_reading(mean_ari: f64) -> &'static str {
    if mean_ari > 0.85 {
        "highly stable"
    } else if mean_ari > 0.75 {
        "stable"
    } else if mean_ari > 0.6 {
        "weakly stable"
    } else {
        "not stable: the segments may be an artefact of the sample"
    }
}
