//! Results do not depend on the number of threads (bit for bit), on random books.

use peergroup_random::Rng;
use peergroup_segment::eda::investor_eda;
use peergroup_segment::investors::{
    investor_features, BalanceColumns, BalanceRow, FundType, InvestorConfig, InvestorData,
    UserColumns, UserTable,
};
use peergroup_segment::sales::{sales_features, Entity, FundTable, SalesConfig, SalesTable};
use peergroup_segment::transform::Transform;
use peergroup_segment::{Date, TextColumn};

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn sales_features_are_thread_count_independent() {
    let mut rng = Rng::new(3);
    let funds = FundTable::new(
        (0..40).map(|i| format!("F{i}")).collect(),
        (0..40).map(|i| format!("C{}", i % 6)).collect(),
        (0..40).map(|i| format!("B{}", i % 3)).collect(),
    )
    .unwrap();
    let (mut bd, mut office, mut fund) = (TextColumn::new(), TextColumn::new(), TextColumn::new());
    let (mut month, mut amount) = (Vec::new(), Vec::new());
    for _ in 0..30_000 {
        bd.push(&format!("BD{}", rng.below(7)));
        office.push(&format!("O{}", rng.below(300)));
        fund.push(&format!("F{}", rng.below(40)));
        let k = rng.below(30) as i32;
        month.push(Date::month_end(2019 + (k + 6) / 12, ((k + 6) % 12 + 1) as u32).unwrap());
        let a = rng.lognormal(5.0, 2.0);
        amount.push(if rng.bernoulli(0.2) { -a } else { a });
    }
    let sales = SalesTable::new(bd, office, fund, month, amount).unwrap();
    for entity in [Entity::Office, Entity::Fund] {
        let cfg = SalesConfig {
            entity,
            transforms: vec![Transform::Log1p, Transform::ZScore],
            max_mix_levels: 4,
            ..SalesConfig::default()
        };
        let one = in_pool(1, || sales_features(&sales, &funds, &cfg).unwrap());
        let three = in_pool(3, || sales_features(&sales, &funds, &cfg).unwrap());
        assert_eq!(one.keys, three.keys);
        assert_eq!(one.monthly, three.monthly);
        assert_eq!(one.trades, three.trades);
        assert_eq!(one.quarterly, three.quarterly);
        assert_eq!(one.features, three.features);
        assert_eq!(one.mix, three.mix);
        assert_eq!(one.mix_levels, three.mix_levels);
        assert_eq!(one.dropped, three.dropped);
    }
}

#[test]
fn investor_features_are_thread_count_independent() {
    let mut rng = Rng::new(5);
    let n = 2_000;
    let pick = |rng: &mut Rng, v: &[&str]| v[rng.below(v.len() as u64) as usize].to_string();
    let mut cols = UserColumns::default();
    for u in 0..n {
        cols.user_id.push(format!("u{u}"));
        cols.registered.push(Date::from_ymd(2021, 1, 1).unwrap());
        cols.gender.push(&pick(&mut rng, &["F", "M"]));
        cols.age.push(18.0 + rng.below(50) as f64);
        cols.occupation
            .push(&pick(&mut rng, &["Student", "Employee", "Other"]));
        cols.income_band
            .push(&pick(&mut rng, &["low", "mid", "high"]));
        cols.referral.push(&pick(&mut rng, &["used", "not used"]));
    }
    let mut b = BalanceColumns::default();
    for day in 1..=30 {
        for u in 0..n {
            if rng.bernoulli(0.3) {
                continue;
            }
            let t = FundType::ALL[(u + day as usize / 10) % 4];
            let buy = if rng.bernoulli(0.1) {
                rng.lognormal(8.0, 1.0)
            } else {
                0.0
            };
            // Fields are evaluated as written: the balance is drawn before the profit.
            b.push(BalanceRow {
                user_id: &format!("u{u}"),
                date: Date::from_ymd(2021, 9, day).unwrap(),
                fund_type: t,
                balance: rng.lognormal(10.0, 1.0),
                buy,
                sell: 0.0,
                profit: rng.gaussian(0.0, 100.0),
            });
        }
    }
    let data = InvestorData::new(UserTable::new(cols).unwrap(), b).unwrap();
    let cfg = InvestorConfig::default();
    let one = in_pool(1, || investor_features(&data, &cfg).unwrap());
    let three = in_pool(3, || investor_features(&data, &cfg).unwrap());
    assert_eq!(one.numeric_raw, three.numeric_raw);
    assert_eq!(one.numeric, three.numeric);
    assert_eq!(one.categorical, three.categorical);
    let e1 = in_pool(1, || investor_eda(&data, &one, &Default::default()));
    let e3 = in_pool(3, || investor_eda(&data, &three, &Default::default()));
    assert_eq!(e1, e3);
}
