//! Bad user input gives clear errors, never a panic.

mod common;

use common::names;
use peergroup_data::InputError;
use peergroup_similarity::{
    check_exposures, correlation, ewma, fund_similarity, moving_average, peers, rescaled,
    systematic_similarity, Attribute, ExposureScale, FactorSimilarity, MissingReturns,
    SimilarityMatrix,
};

fn abc() -> Vec<String> {
    names(&["Equity", "Bonds", "Cash"])
}

#[track_caller]
fn expect_err<T: std::fmt::Debug>(r: Result<T, InputError>, column: Option<&str>, words: &[&str]) {
    let e = r.expect_err("expected an input error");
    assert_eq!(e.column.as_deref(), column, "column of: {e}");
    for w in words {
        assert!(
            e.message.contains(w),
            "'{}' does not mention '{w}'",
            e.message
        );
    }
}

#[test]
fn factor_matrix_errors_name_the_factors() {
    #[rustfmt::skip]
    let asym = vec![1.0, 0.5, 0.0,
                    0.4, 1.0, 0.0,
                    0.0, 0.0, 1.0];
    expect_err(
        FactorSimilarity::from_matrix(abc(), asym),
        Some("Bonds"),
        &[
            "not symmetric",
            "S_X('Equity', 'Bonds') = 0.5",
            "S_X('Bonds', 'Equity') = 0.4",
        ],
    );
    // Within 1e-12 is rounding, and is accepted (and made exactly symmetric).
    let nearly = vec![1.0, 0.5 + 1e-13, 0.0, 0.5, 1.0, 0.0, 0.0, 0.0, 1.0];
    let ok = FactorSimilarity::from_matrix(abc(), nearly).unwrap();
    assert_eq!(ok.get(0, 1), ok.get(1, 0));

    let outside = vec![1.0, 1.2, 0.0, 1.2, 1.0, 0.0, 0.0, 0.0, 1.0];
    expect_err(
        FactorSimilarity::from_matrix(abc(), outside),
        Some("Bonds"),
        &["1.2", "outside [0, 1]", "'Equity'"],
    );
    let negative = vec![1.0, 0.0, -0.1, 0.0, 1.0, 0.0, -0.1, 0.0, 1.0];
    expect_err(
        FactorSimilarity::from_matrix(abc(), negative),
        Some("Cash"),
        &["-0.1", "outside [0, 1]"],
    );
    let diagonal = vec![1.0, 0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0, 1.0];
    expect_err(
        FactorSimilarity::from_matrix(abc(), diagonal),
        Some("Bonds"),
        &["S_X('Bonds', 'Bonds') = 0.9", "diagonal must be 1"],
    );
    expect_err(
        FactorSimilarity::from_matrix(abc(), vec![1.0; 6]),
        None,
        &["6 values", "3 factors need 3×3 = 9"],
    );
    expect_err(
        FactorSimilarity::from_matrix(names(&["A", "B", "A"]), vec![0.0; 9]),
        Some("A"),
        &["'A' appears twice"],
    );
    expect_err(
        FactorSimilarity::from_matrix(vec![], vec![]),
        None,
        &["no factors"],
    );
    let nan = f64::NAN;
    expect_err(
        FactorSimilarity::from_matrix(abc(), vec![1.0, nan, 0.0, nan, 1.0, 0.0, 0.0, 0.0, 1.0]),
        Some("Bonds"),
        &[
            "S_X('Equity', 'Bonds') is missing",
            "S_X('Bonds', 'Equity')",
        ],
    );
    expect_err(
        FactorSimilarity::from_matrix(
            abc(),
            vec![1.0, f64::INFINITY, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        ),
        Some("Bonds"),
        &["inf"],
    );
}

#[test]
fn reorder_lists_missing_factors() {
    let sx = FactorSimilarity::identity(abc());
    expect_err(
        sx.reorder(&names(&["Equity", "Gold"])),
        Some("Gold"),
        &["factor 'Gold' is not in the factor similarity matrix"],
    );
    expect_err(
        sx.reorder(&names(&["Gold", "Cash", "Oil"])),
        Some("Gold"),
        &["factors 'Gold', 'Oil' are not in"],
    );
    expect_err(
        sx.reorder(&names(&["Cash", "Cash"])),
        Some("Cash"),
        &["appears twice"],
    );
}

#[test]
fn attribute_errors() {
    let f = abc();
    let attr = |labels: &[&str], cross: Vec<(&str, &str, f64)>| Attribute {
        name: "asset_class".into(),
        labels: names(labels),
        cross: cross
            .into_iter()
            .map(|(a, b, v)| (a.to_string(), b.to_string(), v))
            .collect(),
    };
    let good = attr(&["eq", "fi", "fi"], vec![]);
    expect_err(
        FactorSimilarity::from_attributes(&f, &[attr(&["eq", "fi"], vec![])], None),
        Some("asset_class"),
        &["2 labels for 3 factors"],
    );
    expect_err(
        FactorSimilarity::from_attributes(
            &f,
            &[attr(&["eq", "fi", "fi"], vec![("eq", "cash", 0.5)])],
            None,
        ),
        Some("asset_class"),
        &["label 'cash', which no factor has"],
    );
    expect_err(
        FactorSimilarity::from_attributes(
            &f,
            &[attr(&["eq", "fi", "fi"], vec![("eq", "fi", 1.5)])],
            None,
        ),
        Some("asset_class"),
        &["1.5", "[0, 1]"],
    );
    expect_err(
        FactorSimilarity::from_attributes(
            &f,
            &[attr(&["eq", "fi", "fi"], vec![("fi", "fi", 0.0)])],
            None,
        ),
        Some("asset_class"),
        &["same-label similarity must be in (0, 1]"],
    );
    expect_err(
        FactorSimilarity::from_attributes(
            &f,
            &[attr(
                &["eq", "fi", "fi"],
                vec![("eq", "fi", 0.2), ("fi", "eq", 0.3)],
            )],
            None,
        ),
        Some("asset_class"),
        &["given twice", "0.2", "0.3"],
    );
    expect_err(
        FactorSimilarity::from_attributes(&f, &[], None),
        None,
        &["no factor attributes"],
    );
    expect_err(
        FactorSimilarity::from_attributes(&f, std::slice::from_ref(&good), Some(&[1.0, 2.0])),
        None,
        &["2 attribute weights given for 1 attributes"],
    );
    expect_err(
        FactorSimilarity::from_attributes(&f, std::slice::from_ref(&good), Some(&[-1.0])),
        Some("asset_class"),
        &["weight", "≥ 0"],
    );
    expect_err(
        FactorSimilarity::from_attributes(&f, &[good], Some(&[0.0])),
        None,
        &["all 0"],
    );
}

#[test]
fn r2_outside_unit_interval_names_the_fund() {
    let s = SimilarityMatrix::new(3, vec![1.0; 9]);
    expect_err(
        fund_similarity(&s, &[0.5, 1.2, 0.3], None),
        Some("r2"),
        &["fund 1", "1.2", "outside [0, 1]"],
    );
    expect_err(
        fund_similarity(&s, &[0.5, 0.2, -0.05], None),
        Some("r2"),
        &["fund 2", "-0.05"],
    );
    expect_err(
        fund_similarity(&s, &[f64::NAN, 0.2, 0.3], None),
        Some("r2"),
        &["fund 0", "NaN"],
    );
}

#[test]
fn non_finite_exposures_name_fund_and_factor() {
    let sx = FactorSimilarity::identity(abc());
    let x = [0.5, 0.5, 0.0, 0.2, f64::NAN, 0.8];
    expect_err(
        systematic_similarity(&x, 2, &sx, ExposureScale::Raw),
        Some("Bonds"),
        &["fund 1", "'Bonds'", "NaN"],
    );
    expect_err(
        check_exposures(&x[..5], 2, &abc()),
        None,
        &["5 exposures given for 2 funds × 3 factors"],
    );
}

#[test]
fn correlation_errors() {
    let r = vec![0.01; 2 * 10];
    expect_err(
        correlation(&r, 2, 10, 2, MissingReturns::PairwiseComplete),
        None,
        &["at least 3 observations", "±1"],
    );
    expect_err(
        correlation(&r, 2, 10, 12, MissingReturns::PairwiseComplete),
        None,
        &["10 observations", "at least 12"],
    );
    let mut inf = r.clone();
    inf[13] = f64::INFINITY;
    expect_err(
        correlation(&inf, 2, 10, 3, MissingReturns::PairwiseComplete),
        None,
        &["fund 1", "observation 3", "inf"],
    );
    let mut gaps = r.clone();
    gaps[..8].fill(f64::NAN);
    expect_err(
        correlation(&gaps, 2, 10, 3, MissingReturns::CommonDates),
        None,
        &["only 2 dates", "every fund"],
    );
    // Pairwise-complete instead reports the pair as undefined (NaN), not an error.
    let c = correlation(&gaps, 2, 10, 3, MissingReturns::PairwiseComplete).unwrap();
    assert!(c.get(0, 1).is_nan());
}

#[test]
fn averaging_errors() {
    let seq = vec![SimilarityMatrix::new(1, vec![1.0])];
    expect_err(moving_average(&seq, 0), None, &["window is 0"]);
    expect_err(
        moving_average::<SimilarityMatrix>(&[], 3),
        None,
        &["at least one date"],
    );
    expect_err(ewma(&seq, 1.0), None, &["η is 1", "[0, 1)"]);
    expect_err(ewma(&seq, -0.1), None, &["[0, 1)"]);
    expect_err(ewma(&seq, f64::NAN), None, &["NaN"]);
    expect_err(
        ewma::<SimilarityMatrix>(&[], 0.5),
        None,
        &["at least one date"],
    );
}

/// Nothing here needs 3 funds: with 0, 1 or 2 funds every step returns an answer (the
/// 3-observation minimum that does exist applies to correlations, above).
#[test]
fn tiny_universes_do_not_fail() {
    let sx = FactorSimilarity::identity(abc());
    let empty = systematic_similarity(&[], 0, &sx, ExposureScale::Raw).unwrap();
    assert_eq!(empty.n, 0);
    assert_eq!(rescaled(&empty).values.len(), 0);
    assert_eq!(fund_similarity(&empty, &[], None).unwrap().n, 0);
    let one = systematic_similarity(&[0.5, 0.5, 0.0], 1, &sx, ExposureScale::Raw).unwrap();
    assert_eq!(one.values, vec![3.0]);
    assert!(peers(&rescaled(&one), 0, 5, None).is_empty());
    let c = correlation(
        &[0.01, 0.02, -0.01],
        1,
        3,
        3,
        MissingReturns::PairwiseComplete,
    )
    .unwrap();
    assert_eq!(c.values, vec![1.0]);
}
