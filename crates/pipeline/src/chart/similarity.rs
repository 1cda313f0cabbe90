//! Charts of the similarity stage: the matrix as a heat map and a fund's nearest peers.

use peergroup_cluster::linkage::{linkage_owned, Linkage};
use peergroup_report::{dendrogram_leaf_order, BarChart, Heatmap};

use super::Chart;
use crate::similarity::PeerRow;

/// Most peers drawn as bars; a longer list keeps its most similar ones.
const MAX_PEERS: usize = 60;

/// Funds in the leaf order of the average-linkage dendrogram of `1 − S` (the order in
/// which the dendrogram chart draws them); input order when the tree cannot be built
/// (e.g. missing similarities).
pub fn dendrogram_order(full: &[f64], n: usize) -> Vec<usize> {
    let mut condensed = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            condensed.push(1.0 - full[i * n + j]);
        }
    }
    match linkage_owned(condensed, n, Linkage::Average) {
        Ok(tree) => {
            let merges: Vec<_> = tree
                .merges
                .iter()
                .map(|m| (m.left, m.right, m.height, m.size))
                .collect();
            dendrogram_leaf_order(n, &merges)
        }
        Err(_) => (0..n).collect(),
    }
}

/// Heat map of a similarity matrix (units of the similarity, e.g. S* in 0–1) of the
/// funds `ids` (`full` is n × n, row-major), rows and columns in the leaf order of the
/// average-linkage dendrogram of `1 − S`, so that peer groups show as blocks on the
/// diagonal; colours run from the least similar pair to 1. Cells are labelled only when they are large enough; above 80 funds the
/// renderer averages blocks of consecutive funds, so 2,000 funds still give an SVG
/// of about 1 MB.
pub fn similarity_heatmap(ids: &[String], full: &[f64], title: &str) -> Chart {
    let n = ids.len();
    let full = &full[..(n * n).min(full.len())];
    let order = if full.len() == n * n {
        dendrogram_order(full, n)
    } else {
        (0..n).collect()
    };
    let values: Vec<f64> = order
        .iter()
        .flat_map(|&i| order.iter().map(move |&j| (i, j)))
        .map(|(i, j)| full.get(i * n + j).copied().unwrap_or(f64::NAN))
        .collect();
    let lowest = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let labels: Vec<String> = order.iter().map(|&i| ids[i].clone()).collect();
    Chart::Heatmap(Heatmap {
        title: format!("{title} (dendrogram order)"),
        row_labels: labels.clone(),
        col_labels: labels,
        values,
        // The scale runs from the least similar pair to 1, so that close similarities
        // (S* is often above 0.9) still differ in colour.
        min: if lowest.is_finite() && lowest < 1.0 {
            lowest
        } else {
            0.0
        },
        max: 1.0,
        reversed: false,
    })
}

/// A fund's nearest peers as horizontal bars of similarity (units of the table, e.g.
/// S* in 0–1), most similar on top, each labelled with its value to three decimals;
/// peers outside the fund's category are marked "(other category)". At most 60 bars.
pub fn peers_chart(fund: &str, peers: &[PeerRow]) -> Chart {
    let mut order: Vec<&PeerRow> = peers.iter().collect();
    order.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then_with(|| a.peer.cmp(&b.peer))
    });
    order.truncate(MAX_PEERS);
    // The value in the label: close peers often differ only in the third decimal.
    let label = |p: &PeerRow| match p.outside_category {
        Some(true) => format!("{} (other category) {:.3}", p.peer, p.similarity),
        _ => format!("{} {:.3}", p.peer, p.similarity),
    };
    Chart::Bar(BarChart {
        title: format!("{fund}: {} nearest peers", order.len()),
        value_label: "similarity".into(),
        labels: order.iter().map(|p| label(p)).collect(),
        values: order.iter().map(|p| p.similarity).collect(),
        horizontal: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four funds: A and C alike, B and D alike, the pairs far apart.
    fn two_pairs() -> (Vec<String>, Vec<f64>) {
        let ids = ["A", "B", "C", "D"].map(String::from).to_vec();
        #[rustfmt::skip]
        let full = vec![
            1.0, 0.1, 0.9, 0.2,
            0.1, 1.0, 0.3, 0.8,
            0.9, 0.3, 1.0, 0.1,
            0.2, 0.8, 0.1, 1.0,
        ];
        (ids, full)
    }

    #[test]
    fn heat_map_follows_the_dendrogram_leaf_order() {
        let (ids, full) = two_pairs();
        let Chart::Heatmap(h) = similarity_heatmap(&ids, &full, "S") else {
            panic!("a heat map");
        };
        // The order the dendrogram chart of the same tree draws.
        let tree = linkage_owned(vec![0.9, 0.1, 0.8, 0.7, 0.2, 0.9], 4, Linkage::Average).unwrap();
        let merges: Vec<_> = tree
            .merges
            .iter()
            .map(|m| (m.left, m.right, m.height, m.size))
            .collect();
        let drawn: Vec<String> = dendrogram_leaf_order(4, &merges)
            .into_iter()
            .map(|i| ids[i].clone())
            .collect();
        assert_eq!(h.row_labels, drawn);
        assert_eq!(h.col_labels, drawn);
        // Pairs sit next to each other, and every cell is the similarity of its labels.
        let at = |name: &str| h.row_labels.iter().position(|l| l == name).unwrap();
        assert_eq!(at("A").abs_diff(at("C")), 1);
        assert_eq!(at("B").abs_diff(at("D")), 1);
        for (r, a) in h.row_labels.iter().enumerate() {
            for (c, b) in h.col_labels.iter().enumerate() {
                let (i, j) = (
                    ids.iter().position(|x| x == a).unwrap(),
                    ids.iter().position(|x| x == b).unwrap(),
                );
                assert_eq!(h.values[r * 4 + c], full[i * 4 + j]);
            }
        }
        assert_eq!((h.min, h.max), (0.1, 1.0));
    }

    #[test]
    fn two_thousand_funds_give_a_bounded_svg() {
        let n = 2000;
        let ids: Vec<String> = (0..n).map(|i| format!("F{i:04}")).collect();
        // Ten groups of funds interleaved in input order: similar within a group.
        let full: Vec<f64> = (0..n * n)
            .map(|c| {
                let (i, j) = (c / n, c % n);
                if i == j {
                    1.0
                } else if i % 10 == j % 10 {
                    0.8 + 0.1 * ((i * 7 + j * 13) % 10) as f64 / 10.0
                } else {
                    0.1 + 0.1 * ((i + j) % 5) as f64 / 5.0
                }
            })
            .collect();
        let chart = similarity_heatmap(&ids, &full, "S");
        let Chart::Heatmap(h) = &chart else {
            panic!("a heat map")
        };
        // Dendrogram order gathers each group: the first 200 funds share a group.
        let group = |label: &str| label[1..].parse::<usize>().unwrap() % 10;
        assert!(h.row_labels[..200]
            .iter()
            .all(|l| group(l) == group(&h.row_labels[0])));
        let svg = chart.to_svg();
        assert!(svg.len() < 1_500_000, "{} bytes", svg.len());
        assert!(svg.matches("<rect ").count() <= 80 * 80 + 60);
        assert!(svg.ends_with("</svg>\n"));
    }

    #[test]
    fn peers_are_sorted_by_similarity() {
        let row = |peer: &str, similarity: f64, outside: Option<bool>| PeerRow {
            peer: peer.into(),
            similarity,
            outside_category: outside,
        };
        let peers = [
            row("X", 0.5, Some(false)),
            row("Y", 0.9, Some(true)),
            row("Z", 0.7, None),
        ];
        let Chart::Bar(bars) = peers_chart("F", &peers) else {
            panic!("bars")
        };
        assert!(bars.horizontal);
        assert_eq!(
            bars.labels,
            vec!["Y (other category) 0.900", "Z 0.700", "X 0.500"]
        );
        assert_eq!(bars.values, vec![0.9, 0.7, 0.5]);
        assert_eq!(bars.title, "F: 3 nearest peers");
    }
}
