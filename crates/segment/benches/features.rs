//! `cargo bench -p peergroup-segment --bench features [-- SALES_ROWS USERS]`: feature
//! building at scale (defaults: 5,000,000 sales rows over 50,000 offices and 5,000 funds;
//! 1,000,000 investors × 30 days, each holding one or two fund types, ≈ 45 M balance rows).
//!
//! Columns are built dictionary-encoded (as a Parquet reader would hand them over), and
//! only the library's work is timed: validation, grouping, features, EDA tables.

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use peergroup_random::Rng;
use peergroup_segment::eda::investor_eda;
use peergroup_segment::investors::{
    investor_features, BalanceColumns, FundType, InvestorConfig, InvestorData, UserColumns,
    UserTable,
};
use peergroup_segment::sales::{sales_features, Entity, FundTable, SalesConfig, SalesTable};
use peergroup_segment::transform::Transform;
use peergroup_segment::{Date, TextColumn};

/// Peak resident set size of this process in bytes (Linux `VmHWM`), if readable.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// CPU seconds (user + system, all threads) used by this process so far, if readable
/// (Linux; assumes 100 clock ticks per second): on a shared machine, a measure of work
/// that does not depend on what else runs.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        f.get(i)
            .and_then(|x| x.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (tick(11) + tick(12)) / 100.0
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn bench_sales(rows: usize) {
    let (n_bd, per_bd, n_funds) = (100usize, 500usize, 5_000usize);
    let mut rng = Rng::new(7);
    let fund_ids = ids("F", n_funds);
    let broad = [
        "Equity",
        "Fixed Income",
        "Allocation",
        "Alternative",
        "Money Market",
    ];
    let funds = FundTable::new(
        fund_ids.clone(),
        (0..n_funds).map(|i| format!("C{}", i % 40)).collect(),
        (0..n_funds).map(|i| broad[i % 5].to_string()).collect(),
    )
    .unwrap();
    let months: Vec<Date> = (0..27)
        .map(|k| Date::month_end(2019 + (k + 9) / 12, ((k + 9) % 12 + 1) as u32).unwrap())
        .collect();
    let mut bd = Vec::with_capacity(rows);
    let mut office = Vec::with_capacity(rows);
    let mut fund = Vec::with_capacity(rows);
    let mut month = Vec::with_capacity(rows);
    let mut amount = Vec::with_capacity(rows);
    for _ in 0..rows {
        bd.push(rng.below(n_bd as u64) as u32);
        office.push(rng.below(per_bd as u64) as u32);
        fund.push(rng.below(n_funds as u64) as u32);
        month.push(months[rng.below(months.len() as u64) as usize]);
        let a = rng.lognormal(8.0, 1.5);
        amount.push(if rng.bernoulli(0.1) { -a } else { a });
    }
    let sales = SalesTable::new(
        TextColumn::from_codes(ids("BD", n_bd), bd),
        TextColumn::from_codes(ids("O", per_bd), office),
        TextColumn::from_codes(fund_ids, fund),
        month,
        amount,
    )
    .unwrap();
    for entity in [Entity::Office, Entity::Fund] {
        let cfg = SalesConfig {
            entity,
            transforms: vec![Transform::Log1p, Transform::ZScore],
            ..SalesConfig::default()
        };
        // Best of three: the machine is shared.
        let mut best = f64::INFINITY;
        let mut f = None;
        let cpu = cpu_seconds();
        for _ in 0..3 {
            let t = Instant::now();
            f = Some(sales_features(&sales, &funds, &cfg).unwrap());
            best = best.min(t.elapsed().as_secs_f64());
        }
        let cpu = (cpu_seconds() - cpu) / 3.0;
        let f = f.expect("ran");
        println!(
            "sales {rows} rows → {} {}s × {} quarters, {} mix columns: {best:.3} s (best of 3), \
             {cpu:.2} CPU s per run",
            f.len(),
            entity.name(),
            f.quarters.len(),
            f.mix_levels.len(),
        );
    }
}

fn bench_investors(users: usize) {
    let mut rng = Rng::new(11);
    let genders = ["M", "F"];
    let occupations = [
        "Student",
        "Employee",
        "Entrepreneur",
        "Civil servant",
        "Housewife",
        "Other",
    ];
    let incomes = ["<10M", "10-50M", "50-100M", ">100M"];
    let referral = ["used", "not used"];
    let pick = |rng: &mut Rng, n: usize| rng.below(n as u64) as u32;
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cols = UserColumns {
        user_id: ids("u", users),
        registered: vec![Date::from_ymd(2021, 1, 1).unwrap(); users],
        gender: TextColumn::from_codes(
            names(&genders),
            (0..users).map(|_| pick(&mut rng, 2)).collect(),
        ),
        age: (0..users)
            .map(|_| 18.0 + (rng.uniform() * 50.0).floor())
            .collect(),
        occupation: TextColumn::from_codes(
            names(&occupations),
            (0..users).map(|_| pick(&mut rng, 6)).collect(),
        ),
        income_band: TextColumn::from_codes(
            names(&incomes),
            (0..users).map(|_| pick(&mut rng, 4)).collect(),
        ),
        referral: TextColumn::from_codes(
            names(&referral),
            (0..users).map(|_| pick(&mut rng, 2)).collect(),
        ),
    };
    let t = Instant::now();
    let table = UserTable::new(cols).unwrap();
    let t_users = t.elapsed().as_secs_f64();

    // Date-major, as daily snapshot files append: every user's rows are ~1.5 M rows apart,
    // the unfavourable layout for per-user work.
    let holdings: Vec<(u32, FundType, f64)> = (0..users)
        .flat_map(|u| {
            let first = rng.below(4) as usize;
            let n = if rng.bernoulli(0.5) { 1 } else { 2 };
            let start = rng.lognormal(12.0, 1.5);
            (0..n).map(move |k| (u as u32, FundType::ALL[(first + k) % 4], start))
        })
        .collect();
    let mut balance: Vec<f64> = holdings.iter().map(|h| h.2).collect();
    let mut user_codes = Vec::with_capacity(holdings.len() * 30);
    let mut b = BalanceColumns::default();
    for day in 1..=30 {
        let date = Date::from_ymd(2021, 9, day).unwrap();
        for (h, &(u, t, _)) in holdings.iter().enumerate() {
            let buy = if rng.bernoulli(0.05) {
                rng.lognormal(11.0, 1.0)
            } else {
                0.0
            };
            let sell = if rng.bernoulli(0.03) {
                balance[h] * 0.1
            } else {
                0.0
            };
            let profit = balance[h] * rng.gaussian(0.0, 0.01);
            balance[h] = (balance[h] + buy - sell + profit).max(0.0);
            user_codes.push(u);
            b.date.push(date);
            b.fund_type.push(t);
            b.balance.push(balance[h]);
            b.buy.push(buy);
            b.sell.push(sell);
            b.profit.push(profit);
        }
    }
    b.user_id = TextColumn::from_codes(ids("u", users), user_codes);
    let rows = b.date.len();
    let cpu = cpu_seconds();
    let t = Instant::now();
    let data = InvestorData::new(table, b).unwrap();
    let t_data = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let cfg = InvestorConfig {
        min_level_size: 1,
        ..InvestorConfig::default()
    };
    let f = investor_features(&data, &cfg).unwrap();
    let t_feat = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let e = investor_eda(&data, &f, &Default::default());
    let t_eda = t.elapsed().as_secs_f64();
    println!(
        "investors {users} users, {rows} balance rows: users table {t_users:.3} s, \
         validate + group {t_data:.3} s, features {t_feat:.3} s, EDA {t_eda:.3} s \
         (total {:.3} s, {:.2} CPU s after the users table; {} daily rows)",
        t_users + t_data + t_feat + t_eda,
        cpu_seconds() - cpu,
        e.daily.len()
    );
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect();
    let sales_rows = args.first().copied().unwrap_or(5_000_000);
    let users = args.get(1).copied().unwrap_or(1_000_000);
    println!("threads: {}", rayon::current_num_threads());
    bench_sales(sales_rows);
    bench_investors(users);
    if let Some(b) = peak_rss() {
        println!("peak RSS {:.2} GB", b as f64 / 1e9);
    }
}
