//! Hierarchical clustering against SciPy 1.17.1 fixtures (`tests/fixtures/
//! make_linkage_fixtures.py`): merge tables, fcluster cuts, leaf order, pdist; DTW by hand.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::{case_points, fixture, ints, mat, num};
use peergroup_cluster::labels::first_appearance;
use peergroup_cluster::linkage::{
    condensed_index, dtw, dtw_distances, feature_distances, linkage, linkage_owned, Dendrogram,
    Linkage, Merge, Metric,
};

const METHODS: [(&str, Linkage); 4] = [
    ("average", Linkage::Average),
    ("complete", Linkage::Complete),
    ("single", Linkage::Single),
    ("ward", Linkage::Ward),
];
const CASES: [&str; 5] = ["e5", "e12", "e40", "e150", "c40"];

/// Points of each case: (n, d, row-major values).
fn points() -> HashMap<String, (usize, usize, Vec<f64>)> {
    case_points("linkage_points.csv")
}

/// SciPy pdist values by (case, metric).
fn scipy_distances() -> HashMap<(String, String), Vec<f64>> {
    let mut out: HashMap<(String, String), Vec<f64>> = HashMap::new();
    for r in fixture("linkage_distances.csv") {
        let v = out.entry((r[0].to_string(), r[1].to_string())).or_default();
        assert_eq!(v.len(), r[2].parse::<usize>().unwrap());
        v.push(num(&r[3]));
    }
    out
}

/// Condensed distances a case is clustered from: Euclidean from the points, or the
/// correlation distances exactly as SciPy computed them for `c40`.
fn case_distances(case: &str) -> (usize, Vec<f64>) {
    if case == "c40" {
        let d = scipy_distances()[&("c40".to_string(), "correlation".to_string())].clone();
        return (40, d);
    }
    let (n, d, x) = &points()[case];
    (*n, feature_distances(mat(x, *n, *d), Metric::Euclidean))
}

/// SciPy's linkage matrix of each (case, method).
fn scipy_merges() -> HashMap<(String, String), Vec<Merge>> {
    let mut out: HashMap<(String, String), Vec<Merge>> = HashMap::new();
    for r in fixture("linkage_merges.csv") {
        let v = out.entry((r[0].to_string(), r[1].to_string())).or_default();
        assert_eq!(v.len(), r[2].parse::<usize>().unwrap());
        v.push(Merge {
            left: r[3].parse().unwrap(),
            right: r[4].parse().unwrap(),
            height: num(&r[5]),
            size: r[6].parse().unwrap(),
        });
    }
    out
}

/// Leaf set of every merge node of a SciPy-convention merge table, computed here
/// independently of the crate.
fn members(n: usize, merges: &[Merge]) -> Vec<Vec<usize>> {
    let mut nodes: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for m in merges {
        let mut v = [nodes[m.left].clone(), nodes[m.right].clone()].concat();
        v.sort_unstable();
        nodes.push(v);
    }
    nodes.split_off(n)
}

fn check_structure(z: &Dendrogram) {
    let n = z.n;
    assert_eq!(z.merges.len(), n - 1);
    let mut used = vec![false; 2 * n - 1];
    for (i, m) in z.merges.iter().enumerate() {
        assert!(m.left < m.right && m.right < n + i, "merge {i}: {m:?}");
        assert!(!used[m.left] && !used[m.right], "node merged twice at {i}");
        used[m.left] = true;
        used[m.right] = true;
        if i > 0 {
            assert!(
                m.height >= z.merges[i - 1].height,
                "heights decrease at {i}"
            );
        }
    }
}

#[test]
fn merges_equal_scipy_up_to_tie_order() {
    let reference = scipy_merges();
    let mut checked = 0;
    for case in CASES {
        let (n, d) = case_distances(case);
        for (name, method) in METHODS {
            let want = &reference[&(case.to_string(), name.to_string())];
            let z = linkage(&d, n, method).unwrap();
            assert_eq!(z, linkage_owned(d.clone(), n, method).unwrap());
            assert_eq!(z.n, n);
            check_structure(&z);
            // Heights step by step (the sorted sequences agree even under ties).
            for (i, (got, exp)) in z.merges.iter().zip(want).enumerate() {
                assert!(
                    (got.height - exp.height).abs() <= 1e-9,
                    "{case} {name} merge {i}: height {} vs SciPy {}",
                    got.height,
                    exp.height
                );
                assert_eq!(got.size, exp.size, "{case} {name} merge {i}: size");
            }
            // The same clusters at the same heights, whatever node ids ties produced.
            let ours: BTreeMap<Vec<usize>, f64> = z
                .clades()
                .into_iter()
                .zip(z.merges.iter().map(|m| m.height))
                .collect();
            let theirs = members(n, want);
            assert_eq!(ours.len(), n - 1, "{case} {name}: repeated clade");
            for (clade, m) in theirs.iter().zip(want) {
                let h = ours
                    .get(clade)
                    .unwrap_or_else(|| panic!("{case} {name}: SciPy clade {clade:?} missing"));
                assert!((h - m.height).abs() <= 1e-9, "{case} {name}: {clade:?}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 20);
}

#[test]
fn clades_are_sorted_members_of_each_node() {
    let (n, d) = case_distances("e40");
    let z = linkage(&d, n, Linkage::Average).unwrap();
    let clades = z.clades();
    assert_eq!(clades, members(n, &z.merges));
    for (c, m) in clades.iter().zip(&z.merges) {
        assert_eq!(c.len(), m.size);
        assert!(c.windows(2).all(|w| w[0] < w[1]));
    }
    assert_eq!(clades.last().unwrap(), &(0..n).collect::<Vec<_>>());
}

#[test]
fn leaf_order_equals_scipy_leaves_list() {
    for r in fixture("linkage_leaves.csv") {
        let (n, d) = case_distances(&r[0]);
        let method = METHODS.iter().find(|m| m.0 == &r[1]).unwrap().1;
        let z = linkage_owned(d, n, method).unwrap();
        assert_eq!(z.leaf_order(), ints(&r[2]), "{} {}", &r[0], &r[1]);
    }
}

#[test]
fn cuts_equal_scipy_fcluster() {
    let rows = fixture("linkage_fcluster.csv");
    assert!(rows.len() >= 100);
    let mut trees: HashMap<(String, String), Dendrogram> = HashMap::new();
    for r in &rows {
        let key = (r[0].to_string(), r[1].to_string());
        let z = trees.entry(key).or_insert_with(|| {
            let (n, d) = case_distances(&r[0]);
            let method = METHODS.iter().find(|m| m.0 == &r[1]).unwrap().1;
            linkage_owned(d, n, method).unwrap()
        });
        let want = first_appearance(&ints(&r[4]));
        let got = match &r[2] {
            "maxclust" => z.cut_k(r[3].parse().unwrap()).unwrap(),
            "distance" => z.cut_height(num(&r[3])),
            other => panic!("criterion {other}"),
        };
        // Our labels are already numbered by first appearance.
        assert_eq!(got, first_appearance(&got));
        assert_eq!(got, want, "{} {} {} t = {}", &r[0], &r[1], &r[2], &r[3]);
    }
}

#[test]
fn cut_k_gives_exactly_k_clusters() {
    let (n, d) = case_distances("e150");
    let z = linkage(&d, n, Linkage::Ward).unwrap();
    for k in [1, 2, 5, 17, 149, 150, 400] {
        let labels = z.cut_k(k).unwrap();
        assert_eq!(labels.iter().max().unwrap() + 1, k.min(n));
    }
    // Duplicated points: three merges at height 0, still exactly k clusters.
    let x = [0.0, 0.0, 1.0, 1.0, 5.0];
    let d = feature_distances(mat(&x, 5, 1), Metric::Euclidean);
    let z = linkage(&d, 5, Linkage::Average).unwrap();
    assert_eq!(z.cut_k(4).unwrap().iter().max(), Some(&3));
    assert_eq!(z.cut_height(0.0), vec![0, 0, 1, 1, 2]);
    assert_eq!(z.cut_k(2).unwrap(), vec![0, 0, 0, 0, 1]);
}

#[test]
fn feature_distances_equal_scipy_pdist() {
    let pts = points();
    for ((case, metric), want) in scipy_distances() {
        let (n, d, x) = &pts[&case];
        let m = match metric.as_str() {
            "euclidean" => Metric::Euclidean,
            "cityblock" => Metric::Manhattan,
            "correlation" => Metric::Correlation,
            other => panic!("metric {other}"),
        };
        let got = feature_distances(mat(x, *n, *d), m);
        assert_eq!(got.len(), want.len());
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= 1e-12, "{case} {metric} [{k}]: {g} vs {w}");
        }
        if case == "c40" {
            assert!(
                got.iter().any(|&v| v > 1.5),
                "c40 must have distances past 1"
            );
        }
    }
}

#[test]
fn correlation_of_a_flat_row_is_one() {
    let x = [1.0, 2.0, 3.0, 4.0, 4.0, 4.0, 3.0, 2.0, 1.0];
    let d = feature_distances(mat(&x, 3, 3), Metric::Correlation);
    assert_eq!(d[0], 1.0);
    assert!((d[1] - 2.0).abs() < 1e-15);
    assert_eq!(d[2], 1.0);
}

#[test]
fn ward_hand_example() {
    // Points 0, 1, 5 on a line: {0,1} at 1, then Ward distance
    // √(2·|A||B|/(|A|+|B|))·|c_A − c_B| = √(4/3)·4.5.
    let d = [1.0, 5.0, 4.0];
    let z = linkage(&d, 3, Linkage::Ward).unwrap();
    assert_eq!((z.merges[0].left, z.merges[0].right), (0, 1));
    assert_eq!((z.merges[1].left, z.merges[1].right), (2, 3));
    assert!((z.merges[1].height - (4.0f64 / 3.0).sqrt() * 4.5).abs() < 1e-12);
}

#[test]
fn dtw_hand_computed() {
    // a = [1, 3, 4, 9], b = [1, 4, 9]. Cumulative cost D[i][j] = |aᵢ − bⱼ| +
    // min(D[i−1][j−1], D[i−1][j], D[i][j−1]):
    //
    //            b=1   b=4   b=9
    //     a=1     0     3    11
    //     a=3     2     1     7
    //     a=4     5     1     6
    //     a=9    13     6     1
    //
    // (3 and 4 both align with 4, so only |3 − 4| = 1 is paid.)
    assert_eq!(dtw(&[1.0, 3.0, 4.0, 9.0], &[1.0, 4.0, 9.0], None), 1.0);
    assert_eq!(dtw(&[1.0, 4.0, 9.0], &[1.0, 3.0, 4.0, 9.0], None), 1.0);

    // a = [0, 1, 2, 3], b = [1, 2, 3, 0], no band:
    //
    //            b=1   b=2   b=3   b=0
    //     a=0     1     3     6     6
    //     a=1     1     2     4     5
    //     a=2     2     1     2     4
    //     a=3     4     2     1     4
    //
    // With a band of half-width 1 the cells |i − j| > 1 are ∞ and the optimum (4, along
    // the diagonal shifted by one) survives; with width 0 only the diagonal is left:
    // |0−1| + |1−2| + |2−3| + |3−0| = 6.
    let (a, b) = ([0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 0.0]);
    assert_eq!(dtw(&a, &b, None), 4.0);
    assert_eq!(dtw(&a, &b, Some(1)), 4.0);
    assert_eq!(dtw(&a, &b, Some(0)), 6.0);
    // Unequal lengths: the band widens to |4 − 3| so a path exists.
    assert_eq!(dtw(&[1.0, 3.0, 4.0, 9.0], &[1.0, 4.0, 9.0], Some(0)), 1.0);
    assert_eq!(dtw(&[], &[], None), 0.0);
    assert_eq!(dtw(&[1.0], &[], None), f64::INFINITY);
}

#[test]
fn dtw_distances_condensed_layout() {
    let series = [
        0.0, 1.0, 2.0, 3.0, //
        1.0, 2.0, 3.0, 0.0, //
        0.0, 0.0, 1.0, 2.0, //
        3.0, 3.0, 3.0, 3.0,
    ];
    let d = dtw_distances(mat(&series, 4, 4), Some(2));
    assert_eq!(d.len(), 6);
    for i in 0..4 {
        for j in i + 1..4 {
            let want = dtw(
                &series[i * 4..i * 4 + 4],
                &series[j * 4..j * 4 + 4],
                Some(2),
            );
            assert_eq!(d[condensed_index(4, i, j)], want);
        }
    }
    assert_eq!(d[condensed_index(4, 0, 2)], 1.0);
}

#[test]
fn bad_inputs_are_errors() {
    assert!(linkage(&[1.0, 2.0], 3, Linkage::Average).is_err());
    assert!(linkage(&[1.0, f64::NAN, 2.0], 3, Linkage::Average).is_err());
    let z = linkage(&[1.0, 2.0, 3.0], 3, Linkage::Average).unwrap();
    assert!(z.cut_k(0).is_err());
}
