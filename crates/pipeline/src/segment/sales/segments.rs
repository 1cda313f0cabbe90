//! The sales segments as data, tables and charts.

use peergroup_cluster::linkage::Dendrogram;
use peergroup_io::{Column, Table};
use peergroup_report::{BarChart, Dendrogram as DendrogramChart};
use peergroup_segment::outside::OutsideTest;
use peergroup_segment::profile::Profiles;
use peergroup_segment::sales::{Entity, EntityKey};

use super::SegMethod;
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
    /// Merge tree of a hierarchical method (leaves in entity order).
    pub tree: Option<Dendrogram>,
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
pub const ALL_OUTPUTS: [&str; 10] = [
    "assignments.csv",
    "pca.csv",
    "profiles.csv",
    "scree.svg",
    "pca.svg",
    "tsne.svg",
    "k_selection.csv",
    "dendrogram.svg",
    "outside_category.csv",
    "outside_category.svg",
];

/// The files [`SalesSegments::artifacts`] will hold for `settings`, known before any
/// work (so that a front end can refuse an existing output first).
pub fn output_files(settings: &super::SalesSettings) -> Vec<&'static str> {
    let mut files = ALL_OUTPUTS[..6].to_vec();
    if settings.k == crate::KChoice::Auto {
        files.push("k_selection.csv");
    }
    if settings.method != SegMethod::Kmeans {
        files.push("dendrogram.svg");
    }
    if settings.entity == Entity::Fund {
        files.extend(["outside_category.csv", "outside_category.svg"]);
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
        a
    }

    /// Counts, sizes and notes, for a summary line.
    pub fn summary(&self) -> SegmentSummary {
        SegmentSummary::of(&self.labels, self.k, &self.selection, &self.notes)
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
