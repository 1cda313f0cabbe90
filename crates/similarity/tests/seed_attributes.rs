//! Seed 004 appendix A: factor similarities built from attributes, with the values printed
//! in Tables 14 (asset class), 16 (region) and 17 (within region, where the same label
//! scores 0.8, not 1: two funds holding the same US sector index are judged likely, not
//! certain, to behave alike).

mod common;

use common::names;
use peergroup_similarity::{
    rescaled, systematic_similarity, Attribute, ExposureScale, FactorSimilarity,
};

/// The twelve factors of Table 10 (cash left out, as in Tables 14-17).
const FACTORS: [&str; 12] = [
    "SP500 Financials",
    "SP500 Inf Technology",
    "SP500 Consumer Discret",
    "SP500 Industrials",
    "SP500 Utilities",
    "SP500 Health Care",
    "SP500 Consumer Staples",
    "SP500 Telecomm Svcs",
    "SP500 Energy",
    "SP500 Materials",
    "MSCI AC Asia Pacific USD",
    "MSCI AC Europe USD",
];

/// Tables 16 and 17 as printed (upper triangle, the ten SP500 rows alike): `within` for
/// two factors of one region (1 in Table 16, 0.8 in Table 17), 0.1 US–Asia, 0.5 with
/// Europe.
fn by_region(within: f64, i: usize, j: usize) -> f64 {
    match (i.min(j), i.max(j)) {
        (10, 11) => 0.5,
        (a, 10) if a < 10 => 0.1,
        (a, 11) if a < 10 => 0.5,
        _ => within,
    }
}

fn labels(us: &str, asia: &str, europe: &str) -> Vec<String> {
    let mut l = vec![us.to_string(); 10];
    l.push(asia.into());
    l.push(europe.into());
    l
}

fn cross(rows: &[(&str, &str, f64)]) -> Vec<(String, String, f64)> {
    rows.iter()
        .map(|(a, b, v)| (a.to_string(), b.to_string(), *v))
        .collect()
}

fn within_region() -> Attribute {
    Attribute {
        name: "within_region".into(),
        labels: labels("US", "Asia", "Europe"),
        cross: cross(&[
            ("US", "US", 0.8),
            ("Asia", "Asia", 0.8),
            ("Europe", "Europe", 0.8),
            ("US", "Asia", 0.1),
            ("Europe", "US", 0.5),
            ("Asia", "Europe", 0.5),
        ]),
    }
}

fn region() -> Attribute {
    Attribute {
        name: "region".into(),
        labels: labels("Developed", "Emerging", "Global"),
        cross: cross(&[
            ("Developed", "Emerging", 0.1),
            ("Developed", "Global", 0.5),
            ("Emerging", "Global", 0.5),
        ]),
    }
}

#[test]
fn table_17_same_label_below_one_is_reproduced_cell_by_cell() {
    let f = names(&FACTORS);
    let sx = FactorSimilarity::from_attributes(&f, &[within_region()], None).unwrap();
    for i in 0..12 {
        for j in 0..12 {
            assert_eq!(sx.get(i, j), by_region(0.8, i, j), "({}, {})", f[i], f[j]);
        }
    }
}

#[test]
fn tables_14_16_17_combined_with_equal_weights() {
    let f = names(&FACTORS);
    let class = Attribute::plain("asset_class", vec!["equity".to_string(); 12]);
    let sx =
        FactorSimilarity::from_attributes(&f, &[class, region(), within_region()], None).unwrap();
    for i in 0..12 {
        for j in 0..12 {
            let want = (1.0 + by_region(1.0, i, j) + by_region(0.8, i, j)) / 3.0;
            assert!((sx.get(i, j) - want).abs() < 1e-15, "({i}, {j})");
        }
    }
    // The diagonal is (1 + 1 + 0.8)/3, below 1, yet S* keeps a unit diagonal and stays
    // symmetric: the rescaling divides by each fund's own S_SYST.
    assert!((sx.get(0, 0) - 2.8 / 3.0).abs() < 1e-15);
    let b = [
        0.6, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, //
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.7, //
        0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5,
    ];
    let syst = systematic_similarity(&b, 3, &sx, ExposureScale::Raw).unwrap();
    // Fund 0 against itself by hand: Σ_ij S_B(b_i, b_j) S_X(i, j) over its 12 factors.
    let row = &b[..12];
    let mut by_hand = 0.0;
    for i in 0..12 {
        for j in 0..12 {
            by_hand += (1.0 - (row[i] - row[j]).abs()).max(0.0) * sx.get(i, j);
        }
    }
    assert!((syst.get(0, 0) - by_hand).abs() < 1e-12);
    let star = rescaled(&syst);
    for a in 0..3 {
        assert_eq!(star.get(a, a), 1.0);
        for c in 0..3 {
            assert_eq!(star.get(a, c), star.get(c, a));
            assert!(star.get(a, c).is_finite() && star.get(a, c) > 0.0);
        }
    }
}

#[test]
fn same_label_zero_is_refused() {
    let f = names(&FACTORS);
    let mut attr = within_region();
    attr.cross.push(("US".into(), "US".into(), 0.0));
    let e = FactorSimilarity::from_attributes(&f, &[attr], None).unwrap_err();
    assert!(e.message.contains("(0, 1]"), "{e}");
}
