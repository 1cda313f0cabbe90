//! Charts of the peer-group stage: the dendrogram with its cut and p-values, and the BIC
//! of Gaussian mixtures by number of clusters.

use peergroup_cluster::bootstrap::CladePValue;
use peergroup_cluster::gmm::GmmSelection;
use peergroup_cluster::linkage::Dendrogram as Tree;
use peergroup_report::{Dendrogram, LineChart, Series, XAxis};

use super::Chart;
use crate::cluster::ClusterOutput;

/// Height between the merges that a cut into `k` clusters separates: midway between the
/// (n − k)-th and (n − k + 1)-th lowest merge (half the lowest for k = n). None for one
/// cluster, or k outside 1..=n.
pub fn cut_height(tree: &Tree, k: usize) -> Option<f64> {
    let mut heights: Vec<f64> = tree.merges.iter().map(|m| m.height).collect();
    heights.sort_by(f64::total_cmp);
    let m = heights.len();
    if k < 2 || k > m + 1 {
        return None;
    }
    let above = heights[m + 1 - k];
    let below = if k == m + 1 { 0.0 } else { heights[m - k] };
    Some((below + above) / 2.0)
}

/// The merge tree of a hierarchical clustering as a dendrogram (heights in the input's
/// distance units, `y_label`, e.g. `1 − S`), cut into the chosen clusters: a dashed line
/// at the cut height and leaves coloured by cluster; with pvclust's p-values, each node
/// carries AU (red, left) and BP (green, right) in percent. None for methods without a
/// tree (k-means, mixtures). Trees of more than about 55 leaves keep the p-values in the
/// links' tooltips, and leaf names are dropped when they cannot fit.
pub fn dendrogram_chart(
    out: &ClusterOutput,
    pvalues: Option<&[CladePValue]>,
    title: &str,
    y_label: &str,
) -> Option<Chart> {
    let tree = out.dendrogram.as_ref()?;
    let mut p_values = Vec::new();
    if let Some(pv) = pvalues {
        p_values = vec![(f64::NAN, f64::NAN); tree.merges.len()];
        for c in pv {
            if let Some(slot) = p_values.get_mut(c.node) {
                *slot = (c.fit.au, c.fit.bp);
            }
        }
    }
    let title = if pvalues.is_some() {
        format!("{title}: {} clusters, AU | BP p-values (%)", out.k)
    } else {
        format!("{title}: {} clusters", out.k)
    };
    Some(Chart::Dendrogram(Dendrogram {
        title,
        labels: out.ids.clone(),
        merges: tree
            .merges
            .iter()
            .map(|m| (m.left, m.right, m.height, m.size))
            .collect(),
        y_label: y_label.to_string(),
        p_values,
        cut: cut_height(tree, out.k),
        leaf_clusters: out.labels.clone(),
    }))
}

/// mclust's plot of a BIC table: BIC (higher is better) by number of clusters k, one
/// line per covariance model in the order fitted; failed fits break their line.
pub fn bic_chart(selection: &GmmSelection) -> Chart {
    let mut series: Vec<Series> = Vec::new();
    for &(model, k, bic) in &selection.table {
        let name = model.name();
        match series.iter_mut().find(|s| s.name == name) {
            Some(s) => s.points.push((k as f64, bic)),
            None => series.push(Series {
                name: name.to_string(),
                points: vec![(k as f64, bic)],
            }),
        }
    }
    for s in &mut series {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let best = &selection.best;
    Chart::Line(LineChart {
        title: format!(
            "BIC by number of clusters: best {} with k = {}",
            best.model.name(),
            best.k
        ),
        x_label: "number of clusters k".into(),
        y_label: "BIC (higher is better)".into(),
        x_axis: XAxis::Numeric,
        log_y: false,
        series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{cluster, ClusterInput, ClusterMethod, ClusterSettings};
    use crate::similarity::DateSimilarity;
    use crate::{KChoice, Named};
    use peergroup_cluster::bootstrap::MultiscaleFit;
    use peergroup_cluster::linkage::Merge;
    use peergroup_data::Date;
    use peergroup_similarity::CondensedSimilarity;

    /// Five funds: {A, B} and {C, D, E} with the given similarities.
    fn five() -> DateSimilarity {
        // Pairs in pdist order: AB AC AD AE BC BD BE CD CE DE.
        let upper = vec![0.9, 0.1, 0.2, 0.1, 0.2, 0.1, 0.15, 0.8, 0.7, 0.75];
        DateSimilarity {
            date: Date::month_end(2020, 1).unwrap(),
            ids: ["A", "B", "C", "D", "E"].map(String::from).to_vec(),
            similarity: CondensedSimilarity {
                n: 5,
                diagonal: vec![1.0; 5],
                upper,
            },
        }
    }

    fn grouped(k: usize) -> ClusterOutput {
        let s = five();
        let settings = ClusterSettings {
            method: ClusterMethod::Average,
            k: KChoice::Fixed(k),
            ..ClusterSettings::default()
        };
        cluster(ClusterInput::Matrix(Named::new(&s, "s")), &settings).unwrap()
    }

    #[test]
    fn cut_lies_between_the_merges_it_separates() {
        let merge = |height| Merge {
            left: 0,
            right: 1,
            height,
            size: 2,
        };
        let tree = Tree {
            n: 4,
            merges: vec![merge(1.0), merge(3.0), merge(2.0)],
        };
        assert_eq!(cut_height(&tree, 2), Some(2.5));
        assert_eq!(cut_height(&tree, 3), Some(1.5));
        assert_eq!(cut_height(&tree, 4), Some(0.5));
        assert_eq!(cut_height(&tree, 1), None);
        assert_eq!(cut_height(&tree, 5), None);
    }

    #[test]
    fn dendrogram_carries_the_cut_clusters_and_p_values() {
        let out = grouped(2);
        let tree = out.dendrogram.as_ref().unwrap();
        let fit = |au, bp| MultiscaleFit {
            v: 0.0,
            c: 0.0,
            au,
            bp,
            se_au: 0.0,
            se_bp: 0.0,
            si: 0.0,
            se_si: 0.0,
            rss: 0.0,
            df: 8,
        };
        let pv: Vec<CladePValue> = (0..tree.merges.len())
            .map(|node| CladePValue {
                node,
                members: Vec::new(),
                fit: fit(0.9 - 0.1 * node as f64, 0.5 + 0.1 * node as f64),
                bp_by_scale: Vec::new(),
            })
            .collect();
        let Some(Chart::Dendrogram(d)) = dendrogram_chart(&out, Some(&pv), "Funds", "1 − S")
        else {
            panic!("a dendrogram");
        };
        for (node, &(au, bp)) in d.p_values.iter().enumerate() {
            assert_eq!((au, bp), (pv[node].fit.au, pv[node].fit.bp));
        }
        assert_eq!(d.p_values.len(), 4);
        // Cut between the highest merge (joining the two groups) and the next one.
        let mut heights: Vec<f64> = tree.merges.iter().map(|m| m.height).collect();
        heights.sort_by(f64::total_cmp);
        assert_eq!(d.cut, Some((heights[2] + heights[3]) / 2.0));
        assert_eq!(d.leaf_clusters, vec![0, 0, 1, 1, 1]);
        assert_eq!(d.y_label, "1 − S");
        let svg = Chart::Dendrogram(d).to_svg();
        assert!(svg.contains("cut at height") && svg.contains(">90</text>"));

        let Some(Chart::Dendrogram(plain)) = dendrogram_chart(&out, None, "Funds", "1 − S")
        else {
            panic!("a dendrogram");
        };
        assert!(plain.p_values.is_empty());
        assert_eq!(plain.title, "Funds: 2 clusters");
    }

    #[test]
    fn bic_chart_has_one_line_per_model() {
        let s = five();
        let settings = ClusterSettings {
            method: ClusterMethod::Gmm,
            k: KChoice::Auto,
            ..ClusterSettings::default()
        };
        let out = cluster(ClusterInput::Matrix(Named::new(&s, "s")), &settings).unwrap();
        let selection = out.selection.as_ref().unwrap();
        let Chart::Line(chart) = bic_chart(selection) else {
            panic!("lines")
        };
        let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["EII", "VII", "EEI", "VVI", "EEE", "VVV"]);
        for s in &chart.series {
            let expected: Vec<(f64, f64)> = selection
                .table
                .iter()
                .filter(|r| r.0.name() == s.name)
                .map(|r| (r.1 as f64, r.2))
                .collect();
            assert_eq!(s.points.len(), expected.len());
            for (got, want) in s.points.iter().zip(&expected) {
                assert_eq!(got.0, want.0);
                assert!(got.1 == want.1 || (got.1.is_nan() && want.1.is_nan()));
            }
        }
        assert!(chart.title.contains(&format!("k = {}", selection.best.k)));
    }
}
