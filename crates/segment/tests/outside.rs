//! Funds whose sales-pattern cluster is dominated by other categories.

use peergroup_segment::outside::{outside_category, DEFAULT_MAX_OWN_SHARE};
use peergroup_segment::{SegmentError, Table};

#[test]
fn flags_funds_outside_their_category() {
    let funds = ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8"];
    let cats = ["LG", "LG", "LV", "LV", "LV", "LB", "B", "A"];
    let labels = [0, 0, 0, 1, 1, 1, 2, 2];
    let rows = outside_category(&funds, &labels, &cats, DEFAULT_MAX_OWN_SHARE).unwrap();
    assert_eq!(rows.len(), 8);
    // Cluster 0: LG, LG, LV. F3 is the LV fund among large-growth sellers.
    let f3 = &rows[2];
    assert_eq!(
        (f3.fund.as_str(), f3.cluster, f3.cluster_size),
        ("F3", 0, 3)
    );
    assert_eq!(
        (f3.category.as_str(), f3.majority_category.as_str()),
        ("LV", "LG")
    );
    assert!((f3.own_share - 1.0 / 3.0).abs() < 1e-15);
    assert!((f3.majority_share - 2.0 / 3.0).abs() < 1e-15);
    assert!(f3.outside);
    assert_eq!(f3.peers, ["F1", "F2"]);
    let f1 = &rows[0];
    assert!(!f1.outside);
    assert_eq!(f1.peers, ["F3"]);
    assert!((f1.own_share - 2.0 / 3.0).abs() < 1e-15);
    // Cluster 1: LV, LV, LB: F6 is outside.
    let flagged: Vec<&str> = rows
        .iter()
        .filter(|r| r.outside)
        .map(|r| r.fund.as_str())
        .collect();
    assert_eq!(flagged, ["F3", "F6"]);
    // Cluster 2: a 1–1 tie: majority by name ("A"), own share 0.5 is not below 0.5.
    assert_eq!(rows[6].majority_category, "A");
    assert_eq!(rows[6].own_share, 0.5);
    assert!(!rows[6].outside && !rows[7].outside);
    assert_eq!(rows[6].peers, ["F8"]);
    // A stricter threshold flags the tie too.
    let strict = outside_category(&funds, &labels, &cats, 0.6).unwrap();
    assert!(strict[6].outside && strict[7].outside && !strict[0].outside);
}

#[test]
fn lengths_must_match() {
    let e = outside_category(&["F1", "F2"], &[0], &["a", "b"], 0.5).unwrap_err();
    assert_eq!(
        e,
        SegmentError::LengthMismatch {
            table: Table::Labels,
            column: "label",
            expected: 2,
            found: 1
        }
    );
    let e = outside_category(&["F1", "F2"], &[0, 7], &["a", "b"], 0.5).unwrap_err();
    assert_eq!((e.row(), e.column()), (Some(1), Some("label")));
    let none: [&str; 0] = [];
    assert!(matches!(
        outside_category(&none, &[], &none, 0.5),
        Err(SegmentError::Empty { .. })
    ));
}
