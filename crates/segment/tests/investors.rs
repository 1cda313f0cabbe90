//! Investor features on four active users and one inactive one, by hand; validation
//! errors (user missing from users, negative balance, one-member level, duplicates).

use peergroup_segment::investors::{
    investor_features, BalanceColumns, BalanceRow, FundType, InvestorConfig, InvestorData, Measure,
    ProfitMeasure, Scaling, UserColumns, UserTable,
};
use peergroup_segment::{Date, SegmentError, Table, TextColumn};

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

/// `(id, gender, age, occupation, income, referral)` rows.
fn users(rows: &[(&str, &str, f64, &str, &str, &str)]) -> UserTable {
    UserTable::new(UserColumns {
        user_id: rows.iter().map(|r| r.0.to_string()).collect(),
        registered: rows.iter().map(|_| d(2021, 1, 1)).collect(),
        gender: rows.iter().map(|r| r.1).collect(),
        age: rows.iter().map(|r| r.2).collect(),
        occupation: rows.iter().map(|r| r.3).collect(),
        income_band: rows.iter().map(|r| r.4).collect(),
        referral: rows.iter().map(|r| r.5).collect(),
    })
    .unwrap()
}

/// Four active users and u5, who has no balance rows (and is the only retiree).
fn five_users() -> UserTable {
    users(&[
        ("u1", "F", 22.0, "Student", "<10M", "yes"),
        ("u2", "M", 30.0, "Employee", "10-50M", "no"),
        ("u3", "M", 24.5, "Student", "<10M", "no"),
        ("u4", "F", 35.0, "Employee", "10-50M", "yes"),
        ("u5", "M", 40.0, "Retired", "10-50M", "no"),
    ])
}

type Row = (&'static str, Date, FundType, f64, f64, f64, f64);

fn balances(rows: &[Row]) -> BalanceColumns {
    let mut b = BalanceColumns::default();
    for &(user_id, date, fund_type, balance, buy, sell, profit) in rows {
        b.push(BalanceRow {
            user_id,
            date,
            fund_type,
            balance,
            buy,
            sell,
            profit,
        });
    }
    b
}

/// Dates 30 and 31 August, 1 and 6 September 2021: 4 distinct dates over 2 months.
fn book() -> Vec<Row> {
    use FundType::*;
    vec![
        ("u1", d(2021, 8, 30), MoneyMarket, 100.0, 100.0, 0.0, 0.0),
        ("u1", d(2021, 8, 31), MoneyMarket, 101.0, 0.0, 0.0, 1.0),
        ("u2", d(2021, 8, 30), Bond, 1000.0, 0.0, 0.0, 5.0),
        ("u1", d(2021, 9, 1), MoneyMarket, 151.0, 50.0, 0.0, 0.0),
        ("u1", d(2021, 9, 6), MoneyMarket, 140.0, 0.0, 12.0, 1.0),
        ("u1", d(2021, 9, 6), Stock, 200.0, 200.0, 0.0, 0.0),
        ("u2", d(2021, 9, 1), Bond, 990.0, 0.0, 20.0, 10.0),
        ("u3", d(2021, 8, 31), MoneyMarket, 10.0, 10.0, 0.0, 0.0),
        ("u3", d(2021, 9, 6), MoneyMarket, 30.0, 20.0, 0.0, 0.0),
        ("u4", d(2021, 8, 30), Mixed, 500.0, 500.0, 0.0, 0.0),
        ("u4", d(2021, 8, 31), Mixed, 480.0, 0.0, 0.0, -20.0),
        ("u4", d(2021, 9, 6), Mixed, 0.0, 0.0, 480.0, 0.0),
    ]
}

fn data() -> InvestorData {
    InvestorData::new(five_users(), balances(&book())).unwrap()
}

#[test]
fn numeric_features_by_hand() {
    let data = data();
    assert_eq!(data.dates().len(), 4);
    assert_eq!(data.months_spanned(), 2);
    let f = investor_features(&data, &InvestorConfig::default()).unwrap();
    assert_eq!(f.user_ids, ["u1", "u2", "u3", "u4"]);
    assert_eq!(f.user_rows, [0, 1, 2, 3]);
    assert_eq!(f.inactive, [4]);
    assert_eq!((f.days, f.months), (4, 2));
    assert_eq!(f.as_of, d(2021, 9, 6));
    assert_eq!(f.numeric_specs.len(), 20);
    assert_eq!(f.numeric_names()[0], "aum_money_market");
    assert_eq!(f.numeric_names()[19], "profit_mixed");
    use FundType::*;
    let v = |i: usize, m: Measure, t: FundType| f.numeric_raw.get(i, m.column(t));
    // u1: AUM (100 + 101 + 151 + 140) / 4 days; buys 150 and 200 over 2 months; sell 12 / 2;
    // 3 money-market transactions, 1 stock; profit 0 + 1 + 0 + 1.
    assert_eq!(v(0, Measure::Aum, MoneyMarket), 123.0);
    assert_eq!(v(0, Measure::Aum, Stock), 50.0);
    assert_eq!(v(0, Measure::Buy, MoneyMarket), 75.0);
    assert_eq!(v(0, Measure::Buy, Stock), 100.0);
    assert_eq!(v(0, Measure::Sell, MoneyMarket), 6.0);
    assert_eq!(v(0, Measure::Transactions, MoneyMarket), 3.0);
    assert_eq!(v(0, Measure::Transactions, Stock), 1.0);
    assert_eq!(v(0, Measure::Profit, MoneyMarket), 2.0);
    assert_eq!(v(0, Measure::Aum, Bond), 0.0);
    // u2: bond AUM 1990 / 4, sell 20 / 2, one transaction, profit 15.
    assert_eq!(v(1, Measure::Aum, Bond), 497.5);
    assert_eq!(v(1, Measure::Sell, Bond), 10.0);
    assert_eq!(v(1, Measure::Transactions, Bond), 1.0);
    assert_eq!(v(1, Measure::Profit, Bond), 15.0);
    // u3: 40 / 4, 30 / 2, 2 transactions.
    assert_eq!(v(2, Measure::Aum, MoneyMarket), 10.0);
    assert_eq!(v(2, Measure::Buy, MoneyMarket), 15.0);
    assert_eq!(v(2, Measure::Transactions, MoneyMarket), 2.0);
    // u4: mixed AUM 980 / 4, buy 500 / 2, sell 480 / 2, profit −20.
    assert_eq!(v(3, Measure::Aum, Mixed), 245.0);
    assert_eq!(v(3, Measure::Buy, Mixed), 250.0);
    assert_eq!(v(3, Measure::Sell, Mixed), 240.0);
    assert_eq!(v(3, Measure::Transactions, Mixed), 2.0);
    assert_eq!(v(3, Measure::Profit, Mixed), -20.0);

    // Scaled: money-market transactions (3, 0, 2, 0) → log1p → (ln 4, 0, ln 3, 0) → z.
    let l = [4f64.ln(), 0.0, 3f64.ln(), 0.0];
    let mean = l.iter().sum::<f64>() / 4.0;
    let sd = (l.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 4.0).sqrt();
    let j = Measure::Transactions.column(MoneyMarket);
    for (i, x) in l.iter().enumerate() {
        assert!((f.numeric.get(i, j) - (x - mean) / sd).abs() < 1e-12);
    }
    // A column that is zero for everyone stays zero.
    assert_eq!(f.numeric.as_ref().col(Measure::Buy.column(Bond)), [0.0; 4]);
    // Profit u4 (−20 only) is the most negative after scaling.
    let pj = Measure::Profit.column(Mixed);
    assert!(f.numeric.get(3, pj) < f.numeric.get(0, pj));

    // Plain z-score and no scaling.
    let z = investor_features(
        &data,
        &InvestorConfig {
            scaling: Scaling::ZScore,
            ..InvestorConfig::default()
        },
    )
    .unwrap();
    let aum = [123.0, 0.0, 10.0, 0.0];
    let m = aum.iter().sum::<f64>() / 4.0;
    let s = (aum.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / 4.0).sqrt();
    assert!((z.numeric.get(0, 0) - (123.0 - m) / s).abs() < 1e-12);
    let none = investor_features(
        &data,
        &InvestorConfig {
            scaling: Scaling::None,
            ..InvestorConfig::default()
        },
    )
    .unwrap();
    assert_eq!(none.numeric, none.numeric_raw);
}

#[test]
fn latest_profit_takes_the_last_date() {
    let f = investor_features(
        &data(),
        &InvestorConfig {
            profit: ProfitMeasure::Latest,
            ..InvestorConfig::default()
        },
    )
    .unwrap();
    let v = |i: usize, t: FundType| f.numeric_raw.get(i, Measure::Profit.column(t));
    assert_eq!(v(0, FundType::MoneyMarket), 1.0); // 6 Sep
    assert_eq!(v(1, FundType::Bond), 10.0); // 1 Sep
    assert_eq!(v(3, FundType::Mixed), 0.0); // 6 Sep
}

#[test]
fn categorical_codes_and_levels() {
    let f = investor_features(&data(), &InvestorConfig::default()).unwrap();
    let c = &f.categorical;
    let names: Vec<&str> = c.specs().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "gender",
            "generation",
            "occupation",
            "income_band",
            "referral"
        ]
    );
    assert_eq!((c.rows(), c.cols()), (4, 5));
    // As of 2021-09-06: born 1999, 1991, 1997, 1986.
    assert_eq!(c.specs()[1].levels, ["Gen Z", "Millennial"]);
    assert_eq!(c.specs()[0].levels, ["F", "M"]);
    // The retiree is inactive and dropped, so "Retired" is not a level.
    assert_eq!(c.specs()[2].levels, ["Employee", "Student"]);
    // Levels sort by name: "10-50M" before "<10M" ('1' < '<').
    assert_eq!(c.specs()[3].levels, ["10-50M", "<10M"]);
    assert_eq!(c.specs()[4].levels, ["no", "yes"]);
    assert_eq!(
        c.codes(),
        [
            0, 0, 1, 1, 1, // u1: F, Gen Z, Student, <10M, yes
            1, 1, 0, 0, 0, // u2: M, Millennial, Employee, 10-50M, no
            1, 0, 1, 1, 0, // u3: M, Gen Z (24.5 → born 1997), Student, <10M, no
            0, 1, 0, 0, 1, // u4: F, Millennial, Employee, 10-50M, yes
        ]
    );
    assert_eq!(c.level(0, 3), "<10M");
    // Ages are as of a chosen date: in 2030, u2 (30) was born in 2000 and u4 (35) in 1995,
    // the only Millennial left (allowed by min_level_size 1).
    let later = investor_features(
        &data(),
        &InvestorConfig {
            as_of: Some(d(2030, 1, 1)),
            min_level_size: 1,
            ..InvestorConfig::default()
        },
    )
    .unwrap();
    assert_eq!(later.categorical.specs()[1].levels, ["Gen Z", "Millennial"]);
    assert_eq!(later.categorical.counts(1), [3, 1]);
    assert_eq!(later.categorical.code(3, 1), 1);
}

#[test]
fn one_member_level_is_an_error() {
    let cfg = InvestorConfig {
        keep_inactive: true,
        ..InvestorConfig::default()
    };
    let e = investor_features(&data(), &cfg).unwrap_err();
    assert_eq!(
        e,
        SegmentError::RareLevel {
            column: "occupation".into(),
            level: "Retired".into(),
            count: 1,
            min: 2,
            row: 4
        }
    );
    assert_eq!(
        e.to_string(),
        "users, row index 4, column 'occupation': level 'Retired' has one member, need at \
         least 2: merge it into another level or drop its rows"
    );
    // Allowed when the threshold is 1; the inactive user has zero numeric features.
    let f = investor_features(
        &data(),
        &InvestorConfig {
            min_level_size: 1,
            ..cfg
        },
    )
    .unwrap();
    assert_eq!(f.len(), 5);
    assert_eq!(f.numeric_raw.row(4), [0.0; 20]);
    assert_eq!(f.inactive, [4]);
}

#[test]
fn balance_of_unknown_user_names_the_row() {
    let mut rows = book();
    rows[5].0 = "zz";
    rows[7].0 = "zz";
    let e = InvestorData::new(five_users(), balances(&rows)).unwrap_err();
    assert_eq!(
        e,
        SegmentError::UnknownUser {
            row: 5,
            user: "zz".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "balances, row index 5, column 'user_id': user 'zz' is missing from the users table"
    );
}

#[test]
fn negative_amounts_are_errors() {
    let mut rows = book();
    rows[6].4 = -1.0; // buy
    rows[3].3 = -5.0; // balance, earlier row
    let e = InvestorData::new(five_users(), balances(&rows)).unwrap_err();
    assert_eq!(
        e,
        SegmentError::InvalidValue {
            table: Table::Balances,
            row: 3,
            column: "balance",
            message: "expected a non-negative amount, found -5".into()
        }
    );
    let mut rows = book();
    rows[2].6 = f64::INFINITY; // profit may be negative but must be finite
    let e = InvestorData::new(five_users(), balances(&rows)).unwrap_err();
    assert_eq!((e.row(), e.column()), (Some(2), Some("profit")));
    let mut rows = book();
    rows[9].5 = f64::NAN;
    let e = InvestorData::new(five_users(), balances(&rows)).unwrap_err();
    assert_eq!((e.row(), e.column()), (Some(9), Some("sell")));
}

#[test]
fn repeated_user_date_and_type_is_an_error() {
    let mut rows = book();
    rows.push((
        "u3",
        d(2021, 8, 31),
        FundType::MoneyMarket,
        1.0,
        0.0,
        0.0,
        0.0,
    ));
    rows.push(("u1", d(2021, 9, 6), FundType::Stock, 1.0, 0.0, 0.0, 0.0));
    let e = InvestorData::new(five_users(), balances(&rows)).unwrap_err();
    assert_eq!((e.table(), e.row()), (Some(Table::Balances), Some(12)));
    match e {
        SegmentError::Duplicate { first_row, key, .. } => {
            assert_eq!(first_row, 7);
            assert_eq!(
                key,
                "(user_id, date, fund_type) ('u3', 2021-08-31, money_market)"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_users_are_rejected() {
    let base = || UserColumns {
        user_id: vec!["a".into(), "b".into(), "a".into()],
        registered: vec![d(2021, 1, 1); 3],
        gender: ["F", "M", "F"].into_iter().collect(),
        age: vec![20.0, 30.0, 40.0],
        occupation: ["x", "y", ""].into_iter().collect(),
        income_band: ["x", "y", "z"].into_iter().collect(),
        referral: ["x", "y", "z"].into_iter().collect::<TextColumn>(),
    };
    let e = UserTable::new(base()).unwrap_err();
    assert_eq!((e.row(), e.column()), (Some(2), Some("user_id")));
    assert!(matches!(e, SegmentError::Duplicate { first_row: 0, .. }));
    let mut c = base();
    c.user_id[2] = "c".into();
    c.age[1] = -3.0;
    let e = UserTable::new(c).unwrap_err();
    assert_eq!((e.row(), e.column()), (Some(1), Some("age")));
    let mut c = base();
    c.user_id[2] = "c".into();
    c.age.pop();
    assert_eq!(
        UserTable::new(c).unwrap_err(),
        SegmentError::LengthMismatch {
            table: Table::Users,
            column: "age",
            expected: 3,
            found: 2
        }
    );
    // Empty categorical cells become the level "(missing)".
    let mut c = base();
    c.user_id[2] = "c".into();
    let t = UserTable::new(c).unwrap();
    assert_eq!(t.columns().occupation.get(2), "(missing)");
    assert_eq!(t.row("c"), Some(2));
}

#[test]
fn row_order_does_not_matter() {
    let base = investor_features(&data(), &InvestorConfig::default()).unwrap();
    let mut rows = book();
    rows.reverse();
    let data = InvestorData::new(five_users(), balances(&rows)).unwrap();
    for profit in [ProfitMeasure::Total, ProfitMeasure::Latest] {
        let cfg = InvestorConfig {
            profit,
            ..InvestorConfig::default()
        };
        let a = investor_features(&data, &cfg).unwrap();
        let b = if profit == ProfitMeasure::Total {
            base.clone()
        } else {
            investor_features(&self::data(), &cfg).unwrap()
        };
        assert_eq!(a.numeric_raw, b.numeric_raw);
        assert_eq!(a.categorical, b.categorical);
    }
}
