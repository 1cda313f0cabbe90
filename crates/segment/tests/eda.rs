//! EDA tables on ten hand-made users and five balance dates, every value computed by hand.
//!
//! Users (as of September 2021):
//!
//! | id  | gender | age | occupation   | income | referral |
//! |-----|--------|-----|--------------|--------|----------|
//! | u01 | M      | 19  | Student      | <10M   | no       |
//! | u02 | F      | 21  | Student      | <10M   | yes      |
//! | u03 | M      | 22  | Student      | <10M   | no       |
//! | u04 | M      | 23  | Student      | <10M   | no       |
//! | u05 | F      | 24  | Student      | <10M   | yes      |
//! | u06 | M      | 28  | Employee     | 10-50M | no       |
//! | u07 | F      | 31  | Employee     | 10-50M | no       |
//! | u08 | M      | 36  | Employee     | 10-50M | yes      |
//! | u09 | F      | 45  | Entrepreneur | >50M   | no       |
//! | u10 | M      | 61  | Teacher      | <10M   | no       |
//!
//! Balance dates: Mon 6, Tue 7, Wed 8, Sat 11 and Mon 13 September 2021 (x = 0, 1, 2, 5,
//! 7 days). Transactions per day: money market 3, 1, 2, 0, 4; stock 1, 0, 0, 0, 1;
//! bond none; mixed 0, 0, 0, 0, 1.

use peergroup_segment::eda::{investor_eda, linear_trend, EdaConfig, InvestorEda, AGE_BIN_YEARS};
use peergroup_segment::investors::{
    investor_features, BalanceColumns, BalanceRow, FundType, InvestorConfig, InvestorData,
    UserColumns, UserTable,
};
use peergroup_segment::Date;

fn sep(day: u32) -> Date {
    Date::from_ymd(2021, 9, day).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

fn fixture() -> InvestorEda {
    fixture_with(EdaConfig { weekends: true })
}

fn fixture_with(eda: EdaConfig) -> InvestorEda {
    let rows = [
        ("u01", "M", 19.0, "Student", "<10M", "no"),
        ("u02", "F", 21.0, "Student", "<10M", "yes"),
        ("u03", "M", 22.0, "Student", "<10M", "no"),
        ("u04", "M", 23.0, "Student", "<10M", "no"),
        ("u05", "F", 24.0, "Student", "<10M", "yes"),
        ("u06", "M", 28.0, "Employee", "10-50M", "no"),
        ("u07", "F", 31.0, "Employee", "10-50M", "no"),
        ("u08", "M", 36.0, "Employee", "10-50M", "yes"),
        ("u09", "F", 45.0, "Entrepreneur", ">50M", "no"),
        ("u10", "M", 61.0, "Teacher", "<10M", "no"),
    ];
    let users = UserTable::new(UserColumns {
        user_id: rows.iter().map(|r| r.0.to_string()).collect(),
        registered: vec![sep(1); rows.len()],
        gender: rows.iter().map(|r| r.1).collect(),
        age: rows.iter().map(|r| r.2).collect(),
        occupation: rows.iter().map(|r| r.3).collect(),
        income_band: rows.iter().map(|r| r.4).collect(),
        referral: rows.iter().map(|r| r.5).collect(),
    })
    .unwrap();
    use FundType::*;
    // (user, day, type, balance, buy, sell, profit)
    let bal = [
        ("u01", 6, MoneyMarket, 10.0, 10.0, 0.0, 0.0),
        ("u01", 13, MoneyMarket, 20.0, 10.0, 0.0, 0.0),
        ("u02", 6, MoneyMarket, 20.0, 20.0, 0.0, 0.0),
        ("u02", 8, MoneyMarket, 15.0, 0.0, 5.0, 0.0),
        ("u03", 6, MoneyMarket, 30.0, 30.0, 0.0, 0.0),
        ("u03", 13, MoneyMarket, 0.0, 0.0, 30.0, 0.0),
        ("u04", 7, MoneyMarket, 40.0, 40.0, 0.0, 0.0),
        ("u04", 11, MoneyMarket, 40.0, 0.0, 0.0, 0.0),
        ("u04", 13, MoneyMarket, 50.0, 10.0, 0.0, 0.0),
        ("u05", 8, MoneyMarket, 50.0, 50.0, 0.0, 0.0),
        ("u05", 13, MoneyMarket, 55.0, 5.0, 0.0, 0.0),
        ("u06", 6, Stock, 1000.0, 1000.0, 0.0, 0.0),
        ("u06", 11, Stock, 1010.0, 0.0, 0.0, 10.0),
        ("u07", 13, Stock, 500.0, 500.0, 0.0, 0.0),
        ("u08", 6, Bond, 2000.0, 0.0, 0.0, 0.0),
        ("u08", 13, Bond, 2010.0, 0.0, 0.0, 10.0),
        ("u09", 13, Mixed, 3000.0, 3000.0, 0.0, 0.0),
        ("u09", 8, Bond, 5000.0, 0.0, 0.0, 0.0),
        ("u10", 11, Bond, 100.0, 0.0, 0.0, 0.0),
    ];
    let mut b = BalanceColumns::default();
    for (user_id, day, fund_type, balance, buy, sell, profit) in bal {
        b.push(BalanceRow {
            user_id,
            date: sep(day),
            fund_type,
            balance,
            buy,
            sell,
            profit,
        });
    }
    let data = InvestorData::new(users, b).unwrap();
    let cfg = InvestorConfig {
        min_level_size: 1,
        ..InvestorConfig::default()
    };
    let features = investor_features(&data, &cfg).unwrap();
    investor_eda(&data, &features, &eda)
}

#[test]
fn ratios_and_distributions() {
    let e = fixture();
    assert_eq!(e.users, 10);
    let table = |v: &[peergroup_segment::eda::LevelCount]| -> Vec<(String, usize, f64)> {
        v.iter()
            .map(|l| (l.label.clone(), l.count, l.share))
            .collect()
    };
    assert_eq!(
        table(&e.gender),
        [("M".into(), 6, 0.6), ("F".into(), 4, 0.4)]
    );
    assert_eq!(
        table(&e.referral),
        [("no".into(), 7, 0.7), ("yes".into(), 3, 0.3)]
    );
    assert_eq!(
        table(&e.income),
        [
            ("<10M".into(), 6, 0.6),
            ("10-50M".into(), 3, 0.3),
            (">50M".into(), 1, 0.1)
        ]
    );
    // Born 2002, 2000, 1999, 1998, 1997 | 1993, 1990, 1985 | 1976 | 1960.
    assert_eq!(
        table(&e.generation),
        [
            ("Gen Z".into(), 5, 0.5),
            ("Millennial".into(), 3, 0.3),
            ("Gen X".into(), 1, 0.1),
            ("Boomer".into(), 1, 0.1)
        ]
    );
    // Ages: mean 310 / 10, median (24 + 28) / 2.
    assert_eq!(
        (e.age.mean, e.age.median, e.age.min, e.age.max),
        (31.0, 26.0, 19.0, 61.0)
    );
    let bins: Vec<(f64, usize)> = e.age_bins.iter().map(|b| (b.from, b.count)).collect();
    assert_eq!(
        bins,
        [
            (15.0, 1),
            (20.0, 4),
            (25.0, 1),
            (30.0, 1),
            (35.0, 1),
            (40.0, 0),
            (45.0, 1),
            (50.0, 0),
            (55.0, 0),
            (60.0, 1)
        ]
    );
    assert_eq!(e.age_bins[1].to, 20.0 + AGE_BIN_YEARS);
    assert_eq!(e.age_bins[1].share, 0.4);
}

#[test]
fn occupation_pareto() {
    let e = fixture();
    let rows: Vec<(&str, usize, f64, f64)> = e
        .occupation
        .iter()
        .map(|r| (r.label.as_str(), r.count, r.share, r.cumulative_share))
        .collect();
    // 5 + 3 + 1 + 1 of 10; ties (Entrepreneur, Teacher) by name.
    assert_eq!(
        rows,
        [
            ("Student", 5, 0.5, 0.5),
            ("Employee", 3, 0.3, 0.8),
            ("Entrepreneur", 1, 0.1, 0.9),
            ("Teacher", 1, 0.1, 1.0)
        ]
    );
}

#[test]
fn fund_type_means() {
    let e = fixture();
    let mm = &e.fund_types[0];
    assert_eq!(mm.fund_type, FundType::MoneyMarket);
    // AUM per user = sum of balances / 5 dates: 30/5 + 35/5 + 30/5 + 130/5 + 105/5 = 66;
    // mean over 10 users 6.6. Buys (one month) 20 + 20 + 30 + 50 + 55 = 175 → 17.5;
    // sells 5 + 30 → 3.5; 10 transactions → 1.0.
    assert_eq!(mm.holders, 5);
    assert!(close(mm.mean_aum, 6.6));
    assert!(close(mm.mean_monthly_buy, 17.5));
    assert!(close(mm.mean_monthly_sell, 3.5));
    assert!(close(mm.mean_transactions, 1.0));
    assert_eq!(mm.mean_profit, 0.0);
    // Bond: (2000 + 2010)/5 + 5000/5 + 100/5 = 1822 → 182.2; profit 10 → 1.0.
    let bond = &e.fund_types[1];
    assert_eq!(bond.holders, 3);
    assert!(close(bond.mean_aum, 182.2));
    assert_eq!((bond.mean_monthly_buy, bond.mean_transactions), (0.0, 0.0));
    assert!(close(bond.mean_profit, 1.0));
    // Stock: (1000 + 1010)/5 + 500/5 = 502 → 50.2; buys 1500 → 150; 2 transactions.
    let stock = &e.fund_types[2];
    assert_eq!(stock.holders, 2);
    assert!(close(stock.mean_aum, 50.2));
    assert!(close(stock.mean_monthly_buy, 150.0));
    assert!(close(stock.mean_transactions, 0.2));
    // Mixed: 3000/5 = 600 → 60; buy 3000 → 300.
    let mixed = &e.fund_types[3];
    assert_eq!(mixed.holders, 1);
    assert!(close(mixed.mean_aum, 60.0));
    assert!(close(mixed.mean_monthly_buy, 300.0));
    // One month of flows.
    assert_eq!(e.monthly.len(), 4);
    let m = &e.monthly[0];
    assert_eq!((m.month, m.fund_type), (sep(30), FundType::MoneyMarket));
    assert_eq!((m.buy, m.sell, m.transactions), (175.0, 35.0, 10));
    assert_eq!((m.mean_buy, m.mean_sell), (17.5, 3.5));
}

#[test]
fn transactions_by_weekday_and_day() {
    let e = fixture();
    let daily: Vec<(Date, [usize; 4])> = e.daily.iter().map(|r| (r.date, r.transactions)).collect();
    assert_eq!(
        daily,
        [
            (sep(6), [3, 0, 1, 0]),
            (sep(7), [1, 0, 0, 0]),
            (sep(8), [2, 0, 0, 0]),
            (sep(11), [0, 0, 0, 0]),
            (sep(13), [4, 0, 1, 1])
        ]
    );
    let week: Vec<(&str, usize, [usize; 4], usize)> = e
        .weekday
        .iter()
        .map(|w| (w.name, w.days, w.transactions, w.total))
        .collect();
    assert_eq!(
        week,
        [
            ("Mon", 2, [7, 0, 2, 1], 10),
            ("Tue", 1, [1, 0, 0, 0], 1),
            ("Wed", 1, [2, 0, 0, 0], 2),
            ("Thu", 0, [0, 0, 0, 0], 0),
            ("Fri", 0, [0, 0, 0, 0], 0),
            ("Sat", 1, [0, 0, 0, 0], 0),
            ("Sun", 0, [0, 0, 0, 0], 0)
        ]
    );
}

#[test]
fn daily_trend_by_hand() {
    let e = fixture();
    // x = 0, 1, 2, 5, 7: mean 3, Sxx = 9 + 4 + 1 + 4 + 16 = 34.
    // Money market y = 3, 1, 2, 0, 4: mean 2, Sxy = −3 + 2 + 0 − 4 + 8 = 3, Syy = 10:
    // slope 3/34, intercept 2 − 3·3/34 = 59/34, R² = 3²/(34·10) = 9/340.
    let mm = &e.trends[0].trend;
    assert_eq!(e.trends[0].fund_type, FundType::MoneyMarket);
    assert_eq!(mm.n, 5);
    assert!(close(mm.slope, 3.0 / 34.0));
    assert!(close(mm.intercept, 59.0 / 34.0));
    assert!(close(mm.r2, 9.0 / 340.0));
    // Bond: no transactions at all: flat line, R² undefined.
    let bond = &e.trends[1].trend;
    assert_eq!((bond.slope, bond.intercept), (0.0, 0.0));
    assert!(bond.r2.is_nan());
    // Stock y = 1, 0, 0, 0, 1: mean 0.4, Sxy = 1, Syy = 1.2: slope 1/34,
    // intercept 0.4 − 3/34 = 53/170, R² = 1/(34·1.2) = 5/204.
    let stock = &e.trends[2].trend;
    assert!(close(stock.slope, 1.0 / 34.0));
    assert!(close(stock.intercept, 53.0 / 170.0));
    assert!(close(stock.r2, 5.0 / 204.0));
    // Mixed y = 0, 0, 0, 0, 1: mean 0.2, Sxy = 4, Syy = 0.8: slope 2/17,
    // intercept 0.2 − 6/17 = −13/85, R² = 16/(34·0.8) = 10/17.
    let mixed = &e.trends[3].trend;
    assert!(close(mixed.slope, 2.0 / 17.0));
    assert!(close(mixed.intercept, -13.0 / 85.0));
    assert!(close(mixed.r2, 10.0 / 17.0));
}

#[test]
fn daily_trend_on_weekdays_only_by_default() {
    let e = fixture_with(EdaConfig::default());
    assert!(!e.trend_weekends);
    // Saturday 11 September is left out: x = 0, 1, 2, 7 (mean 2.5, Sxx = 6.25 + 2.25 +
    // 0.25 + 20.25 = 29); money market y = 3, 1, 2, 4 (mean 2.5, Syy = 5,
    // Sxy = −1.25 + 2.25 + 0.25 + 6.75 = 8): slope 8/29, R² = 8²/(29·5) = 64/145.
    let mm = &e.trends[0].trend;
    assert_eq!(mm.n, 4);
    assert!(close(mm.slope, 8.0 / 29.0));
    assert!(close(mm.r2, 64.0 / 145.0));
    // The daily table itself keeps every date.
    assert_eq!(e.daily.len(), 5);
}

#[test]
fn trend_edge_cases() {
    // A perfect line has R² = 1.
    let t = linear_trend(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]);
    assert!(close(t.slope, 2.0) && close(t.intercept, 1.0) && close(t.r2, 1.0));
    // One point: no slope.
    let one = linear_trend(&[4.0], &[2.0]);
    assert!(one.slope.is_nan() && one.r2.is_nan());
}
