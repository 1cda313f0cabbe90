//! Segment profiles and their generated descriptions on a constructed example, and the
//! same machinery on sales features.

use peergroup_segment::profile::{
    describe, profiles, CategoricalSpec, Categoricals, DescribeConfig, Magnitude, NumericSpec,
    ProfileInput, Profiles,
};
use peergroup_segment::sales::{sales_features, Entity, FundTable, SalesConfig, SalesTable};
use peergroup_segment::{Date, Matrix, SegmentError, Table};

/// Six investors in two segments of three:
///
/// | segment | generation | occupation | money-market AUM | money-market trades |
/// |---------|------------|------------|------------------|---------------------|
/// | 0       | Gen Z      | Student    | 10               | 10                  |
/// | 0       | Gen Z      | Student    | 20               | 8                   |
/// | 0       | Gen Z      | Employee   | 30               | 9                   |
/// | 1       | Millennial | Employee   | 1000             | 1                   |
/// | 1       | Millennial | Employee   | 2000             | 0                   |
/// | 1       | Gen X      | Employee   | 3000             | 2                   |
fn example() -> Example {
    let numeric = Matrix::from_rows(&[
        [10.0, 10.0],
        [20.0, 8.0],
        [30.0, 9.0],
        [1000.0, 1.0],
        [2000.0, 0.0],
        [3000.0, 2.0],
    ])
    .expect("equal rows");
    let specs = vec![
        NumericSpec::new(
            "aum_money_market",
            "money-market balances",
            Magnitude::Amount,
        ),
        NumericSpec::new(
            "transactions_money_market",
            "money-market trades",
            Magnitude::Frequency,
        ),
    ];
    let cat = Categoricals::new(
        6,
        vec![
            CategoricalSpec::new(
                "generation",
                vec!["Gen Z".into(), "Millennial".into(), "Gen X".into()],
                "{}",
            ),
            CategoricalSpec::new(
                "occupation",
                vec!["Employee".into(), "Student".into()],
                "{}",
            ),
        ],
        vec![vec![0, 0, 0, 1, 1, 2], vec![1, 1, 0, 0, 0, 0]],
    );
    Example {
        numeric,
        specs,
        cat,
    }
}

/// The tables of [`example`].
struct Example {
    numeric: Matrix,
    specs: Vec<NumericSpec>,
    cat: Categoricals,
}

impl Example {
    /// Profile input on the raw numbers and the categoricals.
    fn input(&self) -> ProfileInput<'_> {
        ProfileInput {
            numeric: &self.numeric,
            numeric_specs: &self.specs,
            scaled: None,
            categorical: Some(&self.cat),
        }
    }
}

/// The generated description of each segment.
fn descriptions(p: Profiles) -> Vec<String> {
    p.segments.into_iter().map(|s| s.description).collect()
}

const LABELS: [usize; 6] = [0, 0, 0, 1, 1, 1];

#[test]
fn sizes_shares_and_means() {
    let ex = example();
    let input = ex.input();
    let p = profiles(&input, &LABELS, &DescribeConfig::default()).unwrap();
    assert_eq!(p.segments.len(), 2);
    let s0 = &p.segments[0];
    assert_eq!((s0.segment, s0.size, s0.share), (0, 3, 0.5));
    assert_eq!(s0.means, [20.0, 9.0]);
    assert_eq!(p.population_means, [1010.0, 5.0]);
    assert_eq!(s0.level_shares[0], [1.0, 0.0, 0.0]);
    assert_eq!(s0.level_shares[1], [1.0 / 3.0, 2.0 / 3.0]);
    assert_eq!(p.population_shares[0], [0.5, 2.0 / 6.0, 1.0 / 6.0]);
    // z of the AUM mean: population sd √(7,880,800 / 6) (deviations −1000, −990, −980,
    // −10, 990, 1990); of the trades mean: sd √(100 / 6) (deviations 5, 3, 4, −4, −5, −3).
    let sd_aum = (7_880_800.0f64 / 6.0).sqrt();
    let sd_tx = (100.0f64 / 6.0).sqrt();
    assert!((s0.z[0] - (20.0 - 1010.0) / sd_aum).abs() < 1e-12);
    assert!((s0.z[1] - 4.0 / sd_tx).abs() < 1e-12);
    let rows = p.level_rows();
    assert_eq!(rows.len(), 2 * 5);
    let student0 = rows
        .iter()
        .find(|r| r.segment == 0 && r.level == "Student")
        .unwrap();
    assert_eq!(student0.column, "occupation");
    assert!((student0.lift - 2.0).abs() < 1e-12);
    let means = p.mean_rows();
    assert_eq!(means.len(), 4);
    assert_eq!(
        (means[3].segment, means[3].feature.as_str(), means[3].mean),
        (1, "transactions_money_market", 1.0)
    );
}

#[test]
fn descriptions_name_what_stands_out() {
    let ex = example();
    let input = ex.input();
    // Segment 0: Gen Z 100% (lift 2), Student 67% (lift 2); trades z = +0.98 ahead of
    // balances z = −0.86. Segment 1: Millennial 67% (lift 2), Employee 100% (lift 1.5).
    assert_eq!(
        descriptions(profiles(&input, &LABELS, &DescribeConfig::default()).unwrap()),
        [
            "Gen Z, Student, frequent money-market trades, small money-market balances",
            "Millennial, Employee, rare money-market trades, large money-market balances",
        ]
    );
    // Tighter limits: one level (highest lift), one number (largest |z|).
    let tight = DescribeConfig {
        max_levels: 1,
        max_numeric: 1,
        ..DescribeConfig::default()
    };
    assert_eq!(
        descriptions(profiles(&input, &LABELS, &tight).unwrap()),
        [
            "Gen Z, frequent money-market trades",
            "Millennial, rare money-market trades",
        ]
    );
    // A lift threshold above 1.5 drops "Employee"; a z threshold of 0.9 drops balances.
    let strict = DescribeConfig {
        min_lift: 1.6,
        min_z: 0.9,
        ..DescribeConfig::default()
    };
    assert_eq!(
        descriptions(profiles(&input, &LABELS, &strict).unwrap())[1],
        "Millennial, rare money-market trades"
    );
    // One segment is the population: nothing stands out.
    assert_eq!(
        descriptions(profiles(&input, &[0; 6], &DescribeConfig::default()).unwrap())[0],
        "Close to the population average"
    );
    // Label 2 unused: an empty segment.
    let p = profiles(&input, &[0, 0, 0, 2, 2, 2], &DescribeConfig::default()).unwrap();
    assert_eq!(p.segments[1].size, 0);
    assert_eq!(p.segments[1].description, "Empty segment");
    assert!(p.segments[1].means[0].is_nan());
}

#[test]
fn z_uses_the_scaled_matrix_when_given() {
    let ex = example();
    // On a log scale the AUM gap is wide and the trades gap narrower: balances come first.
    let mut scaled = ex.numeric.clone();
    scaled
        .as_mut_slice()
        .iter_mut()
        .for_each(|x| *x = x.ln_1p());
    let input = ProfileInput {
        scaled: Some(&scaled),
        ..ex.input()
    };
    let p = profiles(&input, &LABELS, &DescribeConfig::default()).unwrap();
    assert_eq!(
        p.segments[0].description,
        "Gen Z, Student, small money-market balances, frequent money-market trades"
    );
    // Means stay in original units.
    assert_eq!(p.segments[0].means, [20.0, 9.0]);
}

#[test]
fn phrase_templates_and_capitals() {
    let spec = CategoricalSpec::new("income_band", vec!["< 10M".into()], "income {}");
    assert_eq!(spec.describe(0), "income < 10M");
    let d = describe(
        &[spec],
        &[vec![1.0]],
        &[vec![0.5]],
        &[NumericSpec::new("x", "x", Magnitude::Level)],
        &[-2.0],
        &DescribeConfig::default(),
    );
    assert_eq!(d, "Income < 10M, low x");
}

#[test]
fn mismatched_inputs_are_errors() {
    let ex = example();
    let input = ex.input();
    assert_eq!(
        profiles(&input, &[0, 1], &DescribeConfig::default()).unwrap_err(),
        SegmentError::LengthMismatch {
            table: Table::Labels,
            column: "label",
            expected: 6,
            found: 2
        }
    );
    let bad = ProfileInput {
        numeric_specs: &ex.specs[..1],
        ..input
    };
    assert!(matches!(
        profiles(&bad, &LABELS, &DescribeConfig::default()),
        Err(SegmentError::Config { .. })
    ));
}

#[test]
fn sales_segments_profile_too() {
    let d = |y, m| Date::month_end(y, m).unwrap();
    let funds = FundTable::from_rows([
        ("F1", "Large Growth", "Equity"),
        ("F2", "Large Growth", "Equity"),
        ("F3", "Short Bond", "Fixed Income"),
        ("F4", "Short Bond", "Fixed Income"),
    ])
    .unwrap();
    let sales = SalesTable::from_rows([
        ("A", "1", "F1", d(2021, 3), 100.0),
        ("A", "1", "F1", d(2021, 6), 300.0),
        ("B", "1", "F2", d(2021, 3), 120.0),
        ("B", "1", "F2", d(2021, 6), 280.0),
        ("A", "1", "F3", d(2021, 3), 5.0),
        ("B", "1", "F3", d(2021, 6), 4.0),
        ("B", "1", "F4", d(2021, 3), 6.0),
        ("B", "1", "F4", d(2021, 6), 5.0),
    ])
    .unwrap();
    let f = sales_features(
        &sales,
        &funds,
        &SalesConfig {
            entity: Entity::Fund,
            quarters: 2,
            ..SalesConfig::default()
        },
    )
    .unwrap();
    let (numeric, specs) = f.profile_numeric();
    assert_eq!(specs[0].name, "sales_2021Q1");
    assert_eq!(specs[2].name, "mix_A");
    let cats = Categoricals::from_text("category", "{}", &f.categories(&funds).unwrap());
    let input = ProfileInput {
        numeric: &numeric,
        numeric_specs: &specs,
        scaled: None,
        categorical: Some(&cats),
    };
    let cfg = DescribeConfig {
        max_numeric: 2,
        ..DescribeConfig::default()
    };
    let p = profiles(&input, &[0, 0, 1, 1], &cfg).unwrap();
    assert_eq!(p.segments[0].means[..2], [110.0, 290.0]);
    assert_eq!(
        descriptions(p),
        [
            "Large Growth, large 2021Q2 sales, large 2021Q1 sales",
            "Short Bond, small 2021Q2 sales, small 2021Q1 sales",
        ]
    );
}
