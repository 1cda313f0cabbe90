//! Dendrograms: the tree of a hierarchical clustering, e.g. of funds by return behaviour.

use crate::axis::{draw_y, Axis};
use crate::frame::{draw_no_data, draw_title, left_margin, top_margin, RIGHT_MARGIN};
use crate::number::format_compact;
use crate::palette::{colour, NEUTRAL};
use crate::svg::{
    fit, plottable, text_width, Anchor, Label, Path, Rect, Svg, FONT, HEIGHT, INK, WIDTH,
};

/// A hierarchical clustering drawn as a tree, leaves along the bottom.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dendrogram {
    /// Title above the chart.
    pub title: String,
    /// Names of the leaves `0..n`.
    pub labels: Vec<String>,
    /// Merges in the SciPy linkage convention: merge `i` joins nodes `left` and `right`
    /// (leaves are `0..n`, merge `i` creates node `n + i`) at `height`, giving a cluster
    /// of `size` leaves. Merges naming unknown or already merged nodes are not drawn.
    pub merges: Vec<(usize, usize, f64, usize)>,
    /// Title of the height axis.
    pub y_label: String,
    /// pvclust's AU and BP p-values of each merge (fractions 0–1, by merge index); when
    /// the leaves are far enough apart they are written above each node in percent, AU
    /// in red on the left and BP in green on the right, as pvclust draws them, and they
    /// always appear in the link's tooltip. Empty, or NaN for a merge: not shown.
    pub p_values: Vec<(f64, f64)>,
    /// Height at which the tree is cut into clusters, drawn as a dashed line.
    pub cut: Option<f64>,
    /// Cluster of each leaf (one per leaf, else ignored): the leaves get a strip and
    /// labels in their cluster's colour and links inside one cluster take that colour,
    /// replacing the 70% rule.
    pub leaf_clusters: Vec<usize>,
}

/// Longest (rotated) leaf label.
const MAX_LEAF_LABEL: f64 = 130.0;
/// Height of the band of cluster colours under the leaves.
const STRIP: f64 = 10.0;
/// Narrowest leaf slot in which leaves are still labelled.
const MIN_LABELLED_SLOT: f64 = 5.0;
/// Fraction of the tallest merge below which subtrees get their own colour, as in SciPy.
const COLOUR_THRESHOLD: f64 = 0.7;
/// Narrowest leaf slot in which the AU/BP p-values are written at the nodes.
const MIN_P_VALUE_SLOT: f64 = 12.0;
/// Font size of the AU/BP p-values.
const P_VALUE_FONT: f64 = 8.0;
/// Colours pvclust gives the AU and BP p-values.
const AU_COLOUR: &str = "#d62728";
const BP_COLOUR: &str = "#2ca02c";

/// The tree of valid merges.
struct Tree {
    /// Number of leaves.
    leaves: usize,
    /// Children of each node (leaves, then one node per merge); `None` for leaves and for
    /// merges that were skipped as invalid.
    children: Vec<Option<(usize, usize)>>,
    /// Parent of each node, if it has been merged.
    parent: Vec<Option<usize>>,
}

impl Tree {
    /// Builds the tree, skipping merges that name missing or already merged nodes, so a
    /// malformed linkage is drawn in part rather than wrongly.
    fn new(leaves: usize, merges: &[(usize, usize, f64, usize)]) -> Tree {
        let total = leaves + merges.len();
        let mut children = vec![None; total];
        let mut parent = vec![None; total];
        for (i, &(a, b, _, _)) in merges.iter().enumerate() {
            let node = leaves + i;
            let exists = |n: usize| n < leaves || (n < node && children[n].is_some());
            if a != b && exists(a) && exists(b) && parent[a].is_none() && parent[b].is_none() {
                children[node] = Some((a, b));
                parent[a] = Some(node);
                parent[b] = Some(node);
            }
        }
        Tree {
            leaves,
            children,
            parent,
        }
    }

    /// Whether `node` is a leaf or a drawn merge.
    fn is_present(&self, node: usize) -> bool {
        node < self.leaves || self.children[node].is_some()
    }

    /// Leaves in drawing order: a depth-first walk, left child first, from each root, so
    /// that every subtree's leaves are adjacent and no branches cross.
    fn leaf_order(&self) -> Vec<usize> {
        let roots = (0..self.children.len())
            .rev()
            .filter(|&n| self.is_present(n) && self.parent[n].is_none());
        // Trees come first (latest merge first), then leaves that were never merged.
        let (trees, singles): (Vec<usize>, Vec<usize>) = roots.partition(|&n| n >= self.leaves);
        let mut order = Vec::with_capacity(self.leaves);
        // An explicit stack, since chained merges can nest thousands deep.
        let mut stack = Vec::new();
        for root in trees.into_iter().chain(singles.into_iter().rev()) {
            stack.push(root);
            while let Some(node) = stack.pop() {
                match self.children[node] {
                    Some((left, right)) => {
                        stack.push(right);
                        stack.push(left);
                    }
                    None => order.push(node),
                }
            }
        }
        order
    }
}

/// Leaf indices in the left-to-right order in which [`dendrogram`] draws them, e.g. to
/// sort a table so that funds of one cluster are adjacent.
pub fn dendrogram_leaf_order(leaves: usize, merges: &[(usize, usize, f64, usize)]) -> Vec<usize> {
    Tree::new(leaves, merges).leaf_order()
}

/// Renders a dendrogram as an SVG document; subtrees joined below 70% of the tallest
/// merge are coloured as clusters, links above in grey.
pub fn dendrogram(c: &Dendrogram) -> String {
    // A full linkage of n leaves has n - 1 merges; labels, when present, fix n.
    let leaves = if c.labels.is_empty() && !c.merges.is_empty() {
        c.merges.len() + 1
    } else {
        c.labels.len()
    };
    let tree = Tree::new(leaves, &c.merges);
    let order = tree.leaf_order();
    let height_of = |node: usize| {
        if node < leaves {
            0.0
        } else {
            Some(c.merges[node - leaves].2)
                .filter(|&h| plottable(h) && h > 0.0)
                .unwrap_or(0.0)
        }
    };
    let tallest = (leaves..tree.children.len())
        .filter(|&n| tree.is_present(n))
        .map(height_of)
        .fold(0.0, f64::max);
    let cut = c.cut.filter(|&h| plottable(h) && h >= 0.0);
    let top = tallest.max(cut.unwrap_or(0.0));
    let axis = Axis::linear(Some((0.0, if top > 0.0 { top } else { 1.0 })), 6);
    let leaf_clusters = (c.leaf_clusters.len() == leaves && leaves > 0).then_some(&c.leaf_clusters);

    let name = |leaf: usize| {
        c.labels
            .get(leaf)
            .map_or_else(|| leaf.to_string(), |l| l.trim().to_string())
    };
    let left = left_margin(&axis, &c.y_label);
    let slot = (WIDTH - RIGHT_MARGIN - left) / order.len().max(1) as f64;
    let widest = order
        .iter()
        .map(|&l| text_width(&name(l), FONT))
        .fold(0.0, f64::max);
    let labelled = slot >= MIN_LABELLED_SLOT;
    let upright = widest <= slot * 0.9;
    let strip = if leaf_clusters.is_some() { STRIP } else { 0.0 };
    let label_band = strip
        + match (labelled, upright) {
            (false, _) => 10.0,
            (true, true) => 22.0,
            (true, false) => widest.min(MAX_LEAF_LABEL) + 14.0,
        };
    let plot = Rect::between(
        left,
        top_margin(&c.title),
        WIDTH - RIGHT_MARGIN,
        HEIGHT - label_band,
    );

    let mut svg = Svg::new(WIDTH, HEIGHT, &c.title);
    draw_title(&mut svg, &c.title);
    draw_y(&mut svg, plot, &axis, &c.y_label);
    if order.is_empty() {
        draw_no_data(&mut svg, plot);
        return svg.finish();
    }

    // x of every node: leaves at their slot centres, merges midway between their children
    // (children always precede their merge, so one pass suffices).
    let mut x = vec![0.0; tree.children.len()];
    for (rank, &leaf) in order.iter().enumerate() {
        x[leaf] = plot.left + slot * (rank as f64 + 0.5);
    }
    for node in leaves..tree.children.len() {
        if let Some((a, b)) = tree.children[node] {
            x[node] = (x[a] + x[b]) / 2.0;
        }
    }
    let (clusters, leaf_colour) = match leaf_clusters {
        Some(of_leaf) => given_clusters(&tree, of_leaf, &order),
        None => (
            cluster_colours(&tree, &x, height_of, COLOUR_THRESHOLD * tallest),
            Vec::new(),
        ),
    };
    let p_value = |node: usize| {
        c.p_values
            .get(node - leaves)
            .copied()
            .filter(|(au, bp)| au.is_finite() && bp.is_finite())
    };

    svg.open_group(r#"fill="none" stroke-width="1.2""#);
    for (node, cluster) in clusters.iter().enumerate().skip(leaves) {
        let Some((a, b)) = tree.children[node] else {
            continue;
        };
        let y = plot.y_of(&axis, height_of(node));
        let mut path = Path::new();
        path.move_to(x[a], plot.y_of(&axis, height_of(a)));
        path.line_to(x[a], y);
        path.line_to(x[b], y);
        path.line_to(x[b], plot.y_of(&axis, height_of(b)));
        let stroke = cluster.map_or(NEUTRAL, colour);
        let mut tip = format!(
            "height {}, {} leaves",
            format_compact(height_of(node)),
            c.merges[node - leaves].3
        );
        if let Some((au, bp)) = p_value(node) {
            tip.push_str(&format!(", AU {}, BP {}", percent(au), percent(bp)));
        }
        svg.path(&path, &format!(r#"stroke="{stroke}""#), Some(&tip));
    }
    svg.close_group();

    if slot >= MIN_P_VALUE_SLOT {
        for (node, &cx) in x.iter().enumerate().skip(leaves) {
            let (Some(_), Some((au, bp))) = (tree.children[node], p_value(node)) else {
                continue;
            };
            let y = plot.y_of(&axis, height_of(node)) - 3.0;
            let (au, bp) = (percent(au), percent(bp));
            let au_label = Label::new(&au).size(P_VALUE_FONT).fill(AU_COLOUR);
            svg.label(cx - 1.5, y, au_label.anchor(Anchor::End));
            let bp_label = Label::new(&bp).size(P_VALUE_FONT).fill(BP_COLOUR);
            svg.label(cx + 1.5, y, bp_label);
        }
    }
    if let Some(h) = cut {
        let y = plot.y_of(&axis, h);
        let mut path = Path::new();
        path.move_to(plot.left, y);
        path.line_to(plot.right(), y);
        let tip = format!("cut at height {}", format_compact(h));
        svg.path(
            &path,
            r##"stroke="#555" stroke-width="1" stroke-dasharray="5 4" fill="none""##,
            Some(&tip),
        );
    }
    if !leaf_colour.is_empty() {
        svg.open_group(r#"shape-rendering="crispEdges""#);
        for (rank, &leaf) in order.iter().enumerate() {
            let x0 = plot.left + slot * rank as f64;
            let tip = format!("{}: cluster {}", name(leaf), c.leaf_clusters[leaf] + 1);
            svg.rect(
                x0,
                plot.bottom() + 2.0,
                slot,
                STRIP - 4.0,
                leaf_colour[leaf],
                Some(&tip),
            );
        }
        svg.close_group();
    }

    if labelled {
        let size = FONT.min(slot * 0.9);
        for (rank, &leaf) in order.iter().enumerate() {
            let cx = plot.left + slot * (rank as f64 + 0.5);
            let text = fit(&name(leaf), MAX_LEAF_LABEL, size);
            let fill = leaf_colour.get(leaf).copied().unwrap_or(INK);
            let label = Label::new(&text).size(size).fill(fill);
            if upright {
                svg.label(
                    cx,
                    plot.bottom() + strip + 15.0,
                    label.anchor(Anchor::Middle),
                );
            } else {
                let label = label.anchor(Anchor::End).rotate(-90.0);
                svg.label(cx + size * 0.35, plot.bottom() + strip + 6.0, label);
            }
        }
    }
    svg.finish()
}

/// A p-value (fraction) as pvclust writes it: whole percent.
fn percent(p: f64) -> String {
    format!("{:.0}", 100.0 * p)
}

/// Colours of given clusters: per node, the colour of the cluster holding all its leaves
/// (`None` when its leaves span clusters); per leaf, its cluster's colour. Clusters are
/// coloured in the order their first leaf is drawn, so neighbouring clusters differ.
fn given_clusters(
    tree: &Tree,
    of_leaf: &[usize],
    order: &[usize],
) -> (Vec<Option<usize>>, Vec<&'static str>) {
    let mut rank_of_cluster = std::collections::HashMap::new();
    for &leaf in order {
        let next = rank_of_cluster.len();
        rank_of_cluster.entry(of_leaf[leaf]).or_insert(next);
    }
    let nodes = tree.children.len();
    let mut cluster: Vec<Option<usize>> = vec![None; nodes];
    for (leaf, c) in of_leaf.iter().enumerate() {
        cluster[leaf] = rank_of_cluster.get(c).copied();
    }
    // Children always precede their merge, so one forward pass suffices.
    for node in tree.leaves..nodes {
        if let Some((a, b)) = tree.children[node] {
            cluster[node] = cluster[a].filter(|&ca| cluster[b] == Some(ca));
        }
    }
    let leaf_colour = cluster[..tree.leaves]
        .iter()
        .map(|c| c.map_or(NEUTRAL, colour))
        .collect();
    (cluster, leaf_colour)
}

/// Cluster of each merge node: the subtrees whose merges all lie at or below `threshold`
/// are numbered left to right by position; `None` above the threshold.
fn cluster_colours(
    tree: &Tree,
    x: &[f64],
    height_of: impl Fn(usize) -> f64,
    threshold: f64,
) -> Vec<Option<usize>> {
    let nodes = tree.children.len();
    let mut cluster_root = vec![None; nodes];
    // Parents come after their children, so a reverse pass sees each parent first.
    for node in (tree.leaves..nodes).rev() {
        if tree.children[node].is_none() || height_of(node) > threshold {
            continue;
        }
        cluster_root[node] = match tree.parent[node].and_then(|p| cluster_root[p]) {
            Some(root) => Some(root),
            None => Some(node),
        };
    }
    let mut roots: Vec<usize> = (tree.leaves..nodes)
        .filter(|&n| cluster_root[n] == Some(n))
        .collect();
    roots.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut number = vec![0; nodes];
    for (i, &root) in roots.iter().enumerate() {
        number[root] = i;
    }
    cluster_root
        .iter()
        .map(|r| r.map(|root| number[root]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_order_of_a_hand_example() {
        // Leaves 0..4: 0 and 2 merge (node 4), 1 and 3 merge (node 5), then 5 with 4 (node 6).
        let merges = [(0, 2, 1.0, 2), (1, 3, 1.5, 2), (5, 4, 3.0, 4)];
        assert_eq!(dendrogram_leaf_order(4, &merges), vec![1, 3, 0, 2]);
    }

    #[test]
    fn invalid_merges_are_skipped_and_every_leaf_kept() {
        // Merge 1 reuses leaf 0, merge 2 names a node that does not exist yet.
        let merges = [(0, 1, 1.0, 2), (0, 2, 2.0, 2), (9, 2, 3.0, 3)];
        let mut order = dendrogram_leaf_order(4, &merges);
        assert_eq!(order[..2], [0, 1]);
        order.sort_unstable();
        assert_eq!(order, vec![0, 1, 2, 3]);
    }

    #[test]
    fn clusters_are_coloured_below_the_threshold() {
        let merges = [(0, 1, 1.0, 2), (2, 3, 1.0, 2), (4, 5, 10.0, 4)];
        let tree = Tree::new(4, &merges);
        let x = [0.0, 1.0, 2.0, 3.0, 0.5, 2.5, 1.5];
        let heights = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 10.0];
        let clusters = cluster_colours(&tree, &x, |n| heights[n], 7.0);
        assert_eq!(clusters[4..], [Some(0), Some(1), None]);
    }
}
