//! Properties of the synthetic app users and balances that investor segmentation relies
//! on (METHODS §6.6, §7.6).

mod common;

use std::time::Instant;

use common::{ari, kprototypes, signed_log1p, zscore, Mixed};
use peergroup_synth::investors::{
    investor_balance_chunks, investor_balances, investor_users, investors, FundType, Gender,
    IncomeBand, InvestorBalances, InvestorsConfig, InvestorsSynth, Occupation, Persona,
};

fn small(users: usize, seed: u64) -> InvestorsConfig {
    InvestorsConfig {
        users,
        days: 30,
        seed,
        ..Default::default()
    }
}

/// Generation from age in the window's year (Gen Z born 1997 or later, Millennials
/// 1981–1996, Gen X 1965–1980, earlier Boomers).
fn generation(age: u8, year: i32) -> u32 {
    match year - age as i32 {
        y if y >= 1997 => 0,
        y if y >= 1981 => 1,
        y if y >= 1965 => 2,
        _ => 3,
    }
}

/// Per-user features a segment stage builds: numeric (mean balance, monthly buy, monthly
/// sell and profit per fund type, transaction count) as signed log1p, z-scored, and
/// categorical (generation, occupation, income band, referral).
///
/// The log matters: money amounts are heavy-tailed, and on raw z-scores the affluent
/// tail dominates the distance (k-prototypes then splits the affluent and merges the
/// small savers; ARI ≈ 0.4 on these data).
fn user_features(s: &InvestorsSynth) -> (Vec<f64>, usize, Vec<u32>) {
    let n = s.users.len();
    let d = 17;
    let days = s.dates.len() as f64;
    let mut x = vec![0.0; n * d];
    let b = &s.balances;
    for r in 0..b.len() {
        let u = b.user[r] as usize;
        let t = b.fund_type[r] as usize;
        x[u * d + t] += b.balance[r] / days;
        x[u * d + 4 + t] += b.buy[r] * 30.0 / days;
        x[u * d + 8 + t] += b.sell[r] * 30.0 / days;
        x[u * d + 12 + t] += b.profit[r];
        if b.buy[r] > 0.0 || b.sell[r] > 0.0 {
            x[u * d + 16] += 1.0;
        }
    }
    x.iter_mut().for_each(|v| *v = signed_log1p(*v));
    zscore(&mut x, n, d);
    let year = s.dates[0].year();
    let mut cat = Vec::with_capacity(n * 4);
    for u in 0..n {
        cat.extend_from_slice(&[
            generation(s.users.age[u], year),
            s.users.occupation[u] as u32,
            s.users.income[u] as u32,
            s.users.referral[u] as u32,
        ]);
    }
    (x, d, cat)
}

#[test]
fn investors_deterministic_and_thread_independent() {
    let cfg = small(5000, 3);
    let a = investors(&cfg);
    let b = investors(&cfg);
    assert_eq!(a.users, b.users);
    assert_eq!(a.balances, b.balances);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let c = pool.install(|| investors(&cfg));
        assert_eq!(a.users, c.users);
        assert_eq!(a.balances, c.balances);
    }
    let other = investors(&small(5000, 4));
    assert_ne!(a.users.persona, other.users.persona);
    assert_ne!(a.balances.balance, other.balances.balance);
}

#[test]
fn chunked_generation_equals_full_table() {
    let cfg = small(3000, 5);
    let full = investors(&cfg);
    let mut joined = InvestorBalances::default();
    let mut chunks = 0;
    for c in investor_balance_chunks(&cfg, &full.users, 777) {
        chunks += 1;
        joined.user.extend(c.user);
        joined.date.extend(c.date);
        joined.fund_type.extend(c.fund_type);
        joined.balance.extend(c.balance);
        joined.buy.extend(c.buy);
        joined.sell.extend(c.sell);
        joined.profit.extend(c.profit);
    }
    assert_eq!(chunks, 4);
    assert_eq!(joined, full.balances);
    let users = investor_users(&cfg);
    let middle = investor_balances(&cfg, &users, 1000..1001);
    let rows: Vec<usize> = (0..full.balances.len())
        .filter(|&r| full.balances.user[r] == 1000)
        .collect();
    assert_eq!(
        middle.balance,
        rows.iter()
            .map(|&r| full.balances.balance[r])
            .collect::<Vec<_>>()
    );
    assert!(investor_balances(&cfg, &users, 10..10).is_empty());
}

#[test]
fn balances_obey_accounting_identity() {
    let s = investors(&small(4000, 6));
    let b = &s.balances;
    assert!(b.len() > 50_000);
    let first = s.dates[0];
    let last = *s.dates.last().unwrap();
    let whole = |x: f64| x == x.round() && x.is_finite();
    let mut opened_inside = 0;
    for r in 0..b.len() {
        assert!(b.balance[r] >= 0.0, "row {r}: negative balance");
        assert!(b.buy[r] >= 0.0 && b.sell[r] >= 0.0);
        assert!(whole(b.balance[r]) && whole(b.buy[r]) && whole(b.sell[r]) && whole(b.profit[r]));
        // Rows are sorted by (user, date, fund type); find the position's previous day.
        let prev = (0..r)
            .rev()
            .take(4)
            .find(|&p| b.user[p] == b.user[r] && b.fund_type[p] == b.fund_type[r]);
        match prev {
            Some(p) if b.date[p] == b.date[r].add_days(-1) => {
                let expect = b.balance[p] + b.buy[r] - b.sell[r] + b.profit[r];
                assert_eq!(b.balance[r], expect, "row {r}: identity");
            }
            Some(p) => panic!("row {r}: gap after row {p}"),
            None if b.date[r] > first => {
                // A position opened inside the window starts from zero with a buy.
                opened_inside += 1;
                assert!(b.buy[r] > 0.0 && b.profit[r] == 0.0 && b.sell[r] == 0.0);
                assert_eq!(b.balance[r], b.buy[r]);
            }
            None => {}
        }
        if r > 0 {
            let key = |i: usize| (b.user[i], b.date[i], b.fund_type[i]);
            assert!(key(r - 1) < key(r), "row {r}: unsorted or duplicate");
        }
        // Every position runs to the last day of the window.
        if r + 1 == b.len() || b.user[r + 1] != b.user[r] {
            assert_eq!(b.date[r], last);
        }
    }
    assert!(
        opened_inside > 50,
        "{opened_inside} positions opened inside the window"
    );
}

#[test]
fn no_trades_or_profit_on_weekends() {
    let s = investors(&small(4000, 7));
    let b = &s.balances;
    let mut trades_by_weekday = [0usize; 7];
    for r in 0..b.len() {
        let wd = b.date[r].weekday() as usize;
        if wd >= 5 {
            assert_eq!(
                (b.buy[r], b.sell[r], b.profit[r]),
                (0.0, 0.0, 0.0),
                "row {r}"
            );
        }
        if b.buy[r] > 0.0 || b.sell[r] > 0.0 {
            trades_by_weekday[wd] += 1;
        }
    }
    assert_eq!(trades_by_weekday[5] + trades_by_weekday[6], 0);
    // Users trade most at the start of the week (METHODS §7.6). September 2021 has four
    // Mondays and five Wednesdays and Thursdays, so compare per day.
    let per_day = |wd: usize, n: f64| trades_by_weekday[wd] as f64 / n;
    assert!(
        per_day(0, 4.0) > per_day(4, 4.0) * 1.4,
        "{trades_by_weekday:?}"
    );
    assert!(b.profit.iter().any(|p| *p < 0.0) && b.profit.iter().any(|p| *p > 0.0));
}

#[test]
fn users_profiles_follow_personas() {
    let s = investors(&small(20_000, 8));
    let u = &s.users;
    let n = u.len() as f64;
    assert_eq!(u.user_id[0], 1);
    assert_eq!(*u.user_id.last().unwrap(), 20_000);
    let share = |f: &dyn Fn(usize) -> bool| (0..u.len()).filter(|&i| f(i)).count() as f64 / n;
    let male = share(&|i| u.gender[i] == Gender::Male);
    assert!((0.55..0.70).contains(&male), "male share {male}");
    let referral = share(&|i| u.referral[i]);
    assert!((0.3..0.5).contains(&referral), "referral share {referral}");
    let gen_z = share(&|i| generation(u.age[i], 2021) == 0);
    assert!(gen_z > 0.4, "Gen Z share {gen_z}");
    let students_employees =
        share(&|i| matches!(u.occupation[i], Occupation::Student | Occupation::Employee));
    assert!(
        students_employees > 0.7,
        "students and employees {students_employees}"
    );
    let below_50m = share(&|i| u.income[i] <= IncomeBand::From10To50M);
    assert!(below_50m > 0.7, "income below 50M {below_50m}");
    for i in 0..u.len() {
        assert!((17..=70).contains(&u.age[i]));
        if u.occupation[i] == Occupation::Housewife {
            assert_eq!(u.gender[i], Gender::Female);
        }
        if u.persona[i] == Persona::GenZStudentMoneyMarket {
            assert_eq!(generation(u.age[i], 2021), 0);
        }
        if u.persona[i] == Persona::AffluentDiversified {
            assert!(u.income[i] >= IncomeBand::From50To100M);
        }
    }
    for p in Persona::ALL {
        let k = share(&|i| u.persona[i] == p);
        assert!(k > 0.03, "{} share {k}", p.label());
    }
    // Registration precedes every balance row; dormant users never trade.
    let b = &s.balances;
    for r in 0..b.len() {
        let i = b.user[r] as usize;
        assert!(u.registered[i] <= b.date[r]);
        if u.persona[i] == Persona::Dormant {
            assert_eq!(b.buy[r] + b.sell[r], 0.0);
        }
    }
    let joined_inside = share(&|i| u.registered[i] >= s.dates[0]);
    assert!(
        (0.03..0.15).contains(&joined_inside),
        "joined in window {joined_inside}"
    );
}

#[test]
fn fund_types_behave_as_in_the_seed() {
    let s = investors(&small(20_000, 9));
    let b = &s.balances;
    let mut aum = [0.0; 4];
    let mut rows = [0usize; 4];
    let mut trades = [0usize; 4];
    for r in 0..b.len() {
        let t = b.fund_type[r] as usize;
        aum[t] += b.balance[r];
        rows[t] += 1;
        if b.buy[r] > 0.0 || b.sell[r] > 0.0 {
            trades[t] += 1;
        }
    }
    let mean = |t: FundType| aum[t as usize] / rows[t as usize] as f64;
    // Mixed funds hold the largest balance per holder; money market the smallest, and it
    // has the most transactions while mixed has the fewest.
    assert!(mean(FundType::Mixed) > mean(FundType::Stock));
    assert!(mean(FundType::MoneyMarket) < mean(FundType::Bond));
    assert_eq!(
        trades.iter().max(),
        Some(&trades[FundType::MoneyMarket as usize])
    );
    assert_eq!(trades.iter().min(), Some(&trades[FundType::Mixed as usize]));
    let labels: Vec<&str> = FundType::ALL.iter().map(|t| t.label()).collect();
    assert_eq!(labels, ["money_market", "bond", "stock", "mixed"]);
    assert_eq!(IncomeBand::Below10M.label(), "< 10M");
    assert_eq!(Persona::Dormant.label(), "dormant");
}

#[test]
fn personas_recoverable_by_k_prototypes() {
    let s = investors(&small(3000, 1));
    let truth: Vec<usize> = s.users.persona.iter().map(|&p| p as usize).collect();
    let (x, d, cat) = user_features(&s);
    let data = Mixed {
        n: s.users.len(),
        num: &x,
        d,
        cat: &cat,
        c: 4,
    };
    // Huang's γ (about half the numeric standard deviation) and a heavier weight.
    for gamma in [0.5, 1.0] {
        let labels = kprototypes(&data, 5, gamma, 5, 1);
        let a = ari(&labels, &truth);
        assert!(a >= 0.7, "gamma {gamma}: ARI {a}");
    }
}

#[test]
fn tiny_and_empty_configs() {
    let none = investors(&small(0, 1));
    assert!(none.users.is_empty() && none.balances.is_empty());
    let one_day = investors(&InvestorsConfig {
        users: 50,
        days: 1,
        ..Default::default()
    });
    assert_eq!(one_day.dates.len(), 1);
    assert!(one_day.balances.date.iter().all(|d| *d == one_day.dates[0]));
}

/// `cargo test --release -p peergroup-synth --test investors -- --ignored --nocapture`
#[test]
#[ignore = "benchmark: 1M users × 30 days, about 2 GB"]
fn million_users_timing() {
    let cfg = small(1_000_000, 1);
    let t = Instant::now();
    let s = investors(&cfg);
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "1M users × 30 days: {} rows in {secs:.2} s on {} threads",
        s.balances.len(),
        rayon::current_num_threads()
    );
}
