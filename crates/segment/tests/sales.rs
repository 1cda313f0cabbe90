//! Sales features on a tiny hand-made book: quarter aggregation across a year boundary,
//! window and dropped entities, every transform, latest-quarter mix, validation errors.

use peergroup_segment::sales::{
    sales_features, Entity, EntityKey, FundTable, Quarter, SalesConfig, SalesTable, OTHER_LEVEL,
};
use peergroup_segment::transform::Transform;
use peergroup_segment::{Date, Matrix, SegmentError, Table};

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn funds() -> FundTable {
    FundTable::from_rows([
        ("F1", "Large Growth", "Equity"),
        ("F2", "Intermediate Bond", "Fixed Income"),
        ("F3", "Large Value", "Equity"),
    ])
    .unwrap()
}

/// The book. With a 3-quarter window ending 2021Q1 (2020Q3, 2020Q4, 2021Q1):
///
/// | office | 2020Q3       | 2020Q4          | 2021Q1                    |
/// |--------|--------------|-----------------|---------------------------|
/// | A/1    | 100 + 50=150 | −30 + 80 = 50   | 40 + (60+20) − 10 = 110   |
/// | B/1    | 0            | 200             | 100 − 50 = 50             |
/// | B/2    | 0            | 0               | 70 − 70 = 0 → dropped     |
/// | A/2    | (only 2019: outside the window) → dropped                  |
fn book() -> SalesTable {
    SalesTable::from_rows([
        ("A", "1", "F1", d(2020, 6, 30), 500.0), // 2020Q2: outside
        ("A", "1", "F1", d(2020, 7, 31), 100.0),
        ("A", "1", "F2", d(2020, 9, 30), 50.0),
        ("A", "1", "F1", d(2020, 11, 30), -30.0),
        ("A", "1", "F1", d(2020, 12, 31), 80.0),
        ("A", "1", "F1", d(2021, 1, 31), 40.0),
        ("A", "1", "F2", d(2021, 2, 28), 60.0),
        ("A", "1", "F2", d(2021, 2, 28), 20.0), // same (office, fund, month): summed
        ("A", "1", "F3", d(2021, 3, 31), -10.0),
        ("B", "1", "F2", d(2020, 12, 15), 200.0), // mid-month: counts for December
        ("B", "1", "F2", d(2021, 3, 31), 100.0),
        ("B", "2", "F1", d(2021, 1, 31), 70.0),
        ("B", "2", "F1", d(2021, 2, 28), -70.0),
        ("A", "2", "F3", d(2019, 12, 31), 999.0), // outside
        ("B", "1", "F3", d(2021, 3, 31), -50.0),
    ])
    .unwrap()
}

fn office_cfg(transforms: Vec<Transform>) -> SalesConfig {
    SalesConfig {
        entity: Entity::Office,
        quarters: 3,
        end: None,
        transforms,
        max_mix_levels: 12,
        mix_quarters: 1,
    }
}

fn key(bd: &str, id: &str) -> EntityKey {
    EntityKey {
        bd: Some(bd.to_string()),
        id: id.to_string(),
    }
}

fn assert_close(a: &Matrix, b: &[&[f64]]) {
    assert_eq!(a.rows(), b.len());
    for (i, row) in b.iter().enumerate() {
        assert_eq!(a.row(i).len(), row.len(), "row {i} width");
        for (j, (x, y)) in a.row(i).iter().zip(row.iter()).enumerate() {
            assert!((x - y).abs() < 1e-12, "({i},{j}): {x} vs {y}");
        }
    }
}

#[test]
fn office_quarters_across_year_boundary() {
    let f = sales_features(&book(), &funds(), &office_cfg(vec![])).unwrap();
    assert_eq!(f.entity, Entity::Office);
    assert_eq!(f.quarter_names(), ["2020Q3", "2020Q4", "2021Q1"]);
    assert_eq!(f.quarters[2], Quarter::new(2021, 1).unwrap());
    assert_eq!(f.keys, [key("A", "1"), key("B", "1")]);
    assert_eq!(f.keys[0].to_string(), "A/1");
    assert_eq!(f.dropped, [key("A", "2"), key("B", "2")]);
    assert_close(&f.quarterly, &[&[150.0, 50.0, 110.0], &[0.0, 200.0, 50.0]]);
    // No transforms: features are the raw quarterly net sales.
    assert_eq!(f.features, f.quarterly);
    assert_eq!(f.rows_in_window, 13);
    assert_eq!(f.rows_outside_window, 2);
    // Monthly series, July 2020 .. March 2021.
    assert_eq!(f.months.len(), 9);
    assert_eq!(f.months[0], d(2020, 7, 31));
    assert_eq!(f.months[7], d(2021, 2, 28));
    assert_close(
        &f.monthly,
        &[
            &[100.0, 0.0, 50.0, 0.0, -30.0, 80.0, 40.0, 80.0, -10.0],
            &[0.0, 0.0, 0.0, 0.0, 0.0, 200.0, 0.0, 0.0, 50.0],
        ],
    );
    // Trades: rows with a non-zero amount per month, redemptions included (A/1 has two
    // in February and redeems in November and March; B/1 buys and redeems in March).
    assert_close(
        &f.trades,
        &[
            &[1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0],
            &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0],
        ],
    );
    // Latest-quarter mix by broad category, negatives clipped:
    // A/1: Equity 40 − 10 = 30, Fixed Income 80; B/1: Equity −50 → 0, Fixed Income 100.
    assert_eq!(f.mix_levels, ["Equity", "Fixed Income"]);
    assert_close(&f.mix, &[&[30.0 / 110.0, 80.0 / 110.0], &[0.0, 1.0]]);
}

#[test]
fn each_transform_by_hand() {
    let run = |t: Vec<Transform>| sales_features(&book(), &funds(), &office_cfg(t)).unwrap();
    // share: divided by the sum of |quarterly| (310 and 250).
    assert_close(
        &run(vec![Transform::Share]).features,
        &[
            &[150.0 / 310.0, 50.0 / 310.0, 110.0 / 310.0],
            &[0.0, 0.8, 0.2],
        ],
    );
    // log1p of dollars.
    let ln = f64::ln;
    assert_close(
        &run(vec![Transform::Log1p]).features,
        &[
            &[ln(151.0), ln(51.0), ln(111.0)],
            &[0.0, ln(201.0), ln(51.0)],
        ],
    );
    // zscore per column, population sd: (150, 0) → mean 75, sd 75; (50, 200) → 125, 75;
    // (110, 50) → 80, 30.
    assert_close(
        &run(vec![Transform::ZScore]).features,
        &[&[1.0, -1.0, 1.0], &[-1.0, 1.0, -1.0]],
    );
    // rownorm: ‖(150, 50, 110)‖ = √37100, ‖(0, 200, 50)‖ = √42500.
    let (a, b) = (37100f64.sqrt(), 42500f64.sqrt());
    assert_close(
        &run(vec![Transform::RowNorm]).features,
        &[
            &[150.0 / a, 50.0 / a, 110.0 / a],
            &[0.0, 200.0 / b, 50.0 / b],
        ],
    );
    // Chained: share then rownorm is rownorm (scale-free), up to rounding.
    let chained = run(vec![Transform::Share, Transform::RowNorm]).features;
    assert_close(
        &chained,
        &[
            &[150.0 / a, 50.0 / a, 110.0 / a],
            &[0.0, 200.0 / b, 50.0 / b],
        ],
    );
}

#[test]
fn redemptions_keep_their_sign_under_log1p() {
    let s = SalesTable::from_rows([
        ("A", "1", "F1", d(2021, 3, 31), -99.0),
        ("A", "1", "F1", d(2020, 12, 31), 9.0),
    ])
    .unwrap();
    let mut cfg = office_cfg(vec![Transform::Log1p]);
    cfg.quarters = 2;
    let f = sales_features(&s, &funds(), &cfg).unwrap();
    assert_close(&f.features, &[&[10f64.ln(), -(100f64.ln())]]);
    // Nothing had positive net sales in the latest quarter: no mix columns.
    assert!(f.mix_levels.is_empty());
    assert_eq!((f.mix.rows(), f.mix.cols()), (1, 0));
}

#[test]
fn funds_as_entities_mix_by_broker_dealer() {
    let mut cfg = office_cfg(vec![Transform::Share]);
    cfg.entity = Entity::Fund;
    let f = sales_features(&book(), &funds(), &cfg).unwrap();
    let ids: Vec<&str> = f.keys.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["F1", "F2", "F3"]);
    assert!(f.keys.iter().all(|k| k.bd.is_none()));
    assert!(f.dropped.is_empty());
    // F1: Q3 100, Q4 −30 + 80, Q1 40 + 70 − 70; F2: 50, 200, 80 + 100; F3: Q1 −10 − 50.
    assert_close(
        &f.quarterly,
        &[
            &[100.0, 50.0, 40.0],
            &[50.0, 200.0, 180.0],
            &[0.0, 0.0, -60.0],
        ],
    );
    assert_close(
        &f.features,
        &[
            &[100.0 / 190.0, 50.0 / 190.0, 40.0 / 190.0],
            &[50.0 / 430.0, 200.0 / 430.0, 180.0 / 430.0],
            &[0.0, 0.0, -1.0],
        ],
    );
    // Latest quarter by broker-dealer: F1 A 40, B 0; F2 A 80, B 100; F3 all redeemed.
    assert_eq!(f.mix_levels, ["A", "B"]);
    assert_close(
        &f.mix,
        &[&[1.0, 0.0], &[80.0 / 180.0, 100.0 / 180.0], &[0.0, 0.0]],
    );
    assert_eq!(
        f.categories(&funds()).unwrap(),
        ["Large Growth", "Intermediate Bond", "Large Value"]
    );
    cfg.max_mix_levels = 0;
    assert_eq!(
        sales_features(&book(), &funds(), &cfg).unwrap().mix.cols(),
        0
    );
}

#[test]
fn small_mix_levels_are_pooled() {
    // Latest-quarter totals by broker-dealer: A 120, B 100, C 15. Room for 2 columns:
    // the largest (A) stays, B and C go to "(other)".
    let s = SalesTable::from_rows([
        ("B", "1", "F1", d(2021, 3, 31), 100.0),
        ("A", "1", "F1", d(2021, 3, 31), 120.0),
        ("C", "1", "F2", d(2021, 3, 31), 10.0),
        ("C", "1", "F1", d(2021, 3, 31), 5.0),
    ])
    .unwrap();
    let cfg = SalesConfig {
        entity: Entity::Fund,
        quarters: 1,
        max_mix_levels: 2,
        ..SalesConfig::default()
    };
    let f = sales_features(&s, &funds(), &cfg).unwrap();
    assert_eq!(f.mix_levels, ["A", OTHER_LEVEL]);
    assert_close(&f.mix, &[&[120.0 / 225.0, 105.0 / 225.0], &[0.0, 1.0]]);
    // Room for all three: sorted by name, no pooling.
    let all = sales_features(
        &s,
        &funds(),
        &SalesConfig {
            max_mix_levels: 3,
            ..cfg
        },
    )
    .unwrap();
    assert_eq!(all.mix_levels, ["A", "B", "C"]);
    assert_close(
        &all.mix,
        &[
            &[120.0 / 225.0, 100.0 / 225.0, 5.0 / 225.0],
            &[0.0, 0.0, 1.0],
        ],
    );
}

#[test]
fn window_end_can_be_set() {
    let mut cfg = office_cfg(vec![]);
    cfg.end = Some(d(2020, 11, 1));
    let f = sales_features(&book(), &funds(), &cfg).unwrap();
    assert_eq!(f.quarter_names(), ["2020Q2", "2020Q3", "2020Q4"]);
    // A/1: Q2 500, Q3 150, Q4 50; B/1: Q4 200.
    assert_close(&f.quarterly, &[&[500.0, 150.0, 50.0], &[0.0, 0.0, 200.0]]);
    assert_eq!(f.dropped, [key("A", "2"), key("B", "2")]);
    // Mix of 2020Q4: A/1 F1 −30 + 80 = 50 (Equity); B/1 F2 200 (Fixed Income).
    assert_close(&f.mix, &[&[1.0, 0.0], &[0.0, 1.0]]);
}

#[test]
fn unknown_fund_names_the_row() {
    let s = SalesTable::from_rows([
        ("A", "1", "F1", d(2021, 3, 31), 1.0),
        ("A", "1", "F2", d(2021, 3, 31), 1.0),
        ("A", "1", "F9", d(2021, 3, 31), 1.0),
        ("A", "1", "F9", d(2021, 3, 31), 1.0),
    ])
    .unwrap();
    let e = sales_features(&s, &funds(), &SalesConfig::default()).unwrap_err();
    assert_eq!(
        e,
        SegmentError::UnknownFund {
            row: 2,
            fund: "F9".into()
        }
    );
    assert_eq!(
        (e.table(), e.row(), e.column()),
        (Some(Table::Sales), Some(2), Some("fund"))
    );
    assert_eq!(
        e.to_string(),
        "sales, row index 2, column 'fund': fund 'F9' is missing from the funds table"
    );
}

#[test]
fn bad_tables_are_rejected() {
    let e = SalesTable::from_rows([
        ("A", "1", "F1", d(2021, 3, 31), 1.0),
        ("A", "1", "F1", d(2021, 3, 31), f64::NAN),
    ])
    .unwrap_err();
    assert_eq!((e.row(), e.column()), (Some(1), Some("amount")));
    let e = SalesTable::from_rows([
        ("A", "1", "F1", d(2021, 3, 31), 1.0),
        ("A", "", "F1", d(2021, 3, 31), 1.0),
    ])
    .unwrap_err();
    assert_eq!((e.row(), e.column()), (Some(1), Some("office")));
    assert_eq!(
        SalesTable::from_rows([]).unwrap_err(),
        SegmentError::Empty {
            table: Table::Sales
        }
    );
    let e =
        FundTable::from_rows([("F1", "x", "y"), ("F2", "x", "y"), ("F1", "z", "y")]).unwrap_err();
    assert_eq!(
        e,
        SegmentError::Duplicate {
            table: Table::Funds,
            row: 2,
            first_row: 0,
            column: "fund",
            key: "fund 'F1'".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "funds, row index 2, column 'fund': duplicate fund 'F1' (first at row index 0)"
    );
    let e = FundTable::new(vec!["F1".into()], vec![], vec!["y".into()]).unwrap_err();
    assert_eq!(
        e,
        SegmentError::LengthMismatch {
            table: Table::Funds,
            column: "category",
            expected: 1,
            found: 0
        }
    );
    let mut cfg = SalesConfig {
        quarters: 0,
        ..SalesConfig::default()
    };
    assert!(matches!(
        sales_features(&book(), &funds(), &cfg),
        Err(SegmentError::Config { .. })
    ));
    // Nothing sold in the window.
    cfg.quarters = 1;
    cfg.end = Some(d(2030, 1, 1));
    let e = sales_features(&book(), &funds(), &cfg).unwrap_err();
    assert_eq!(
        e.to_string(),
        "sales: no office has non-zero net sales in the window 2030Q1–2030Q1"
    );
}

#[test]
fn row_order_does_not_change_features() {
    let base = sales_features(&book(), &funds(), &office_cfg(vec![Transform::Share])).unwrap();
    let mut rows = vec![
        ("A", "1", "F1", d(2020, 7, 31), 100.0),
        ("B", "1", "F3", d(2021, 3, 31), -50.0),
        ("A", "1", "F2", d(2020, 9, 30), 50.0),
        ("B", "2", "F1", d(2021, 2, 28), -70.0),
        ("A", "1", "F1", d(2020, 11, 30), -30.0),
        ("A", "1", "F1", d(2020, 12, 31), 80.0),
        ("A", "1", "F1", d(2021, 1, 31), 40.0),
        ("A", "1", "F2", d(2021, 2, 28), 20.0),
        ("A", "1", "F2", d(2021, 2, 28), 60.0),
        ("A", "1", "F3", d(2021, 3, 31), -10.0),
        ("B", "1", "F2", d(2021, 3, 31), 100.0),
        ("B", "1", "F2", d(2020, 12, 15), 200.0),
        ("B", "2", "F1", d(2021, 1, 31), 70.0),
        ("A", "2", "F3", d(2019, 12, 31), 999.0),
        ("A", "1", "F1", d(2020, 6, 30), 500.0),
    ];
    rows.reverse();
    let s = SalesTable::from_rows(rows).unwrap();
    let f = sales_features(&s, &funds(), &office_cfg(vec![Transform::Share])).unwrap();
    assert_eq!(f.keys, base.keys);
    assert_close(&f.features, &[base.features.row(0), base.features.row(1)]);
    assert_eq!(f.mix_levels, base.mix_levels);
}
