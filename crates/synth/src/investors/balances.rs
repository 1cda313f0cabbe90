//! Daily balance rows: position plans and the day-by-day simulation of each user.

use std::ops::Range;

use peergroup_data::Date;
use peergroup_random::Rng;
use rayon::prelude::*;

use super::{FundType, InvestorBalances, InvestorUsers, InvestorsConfig, Persona, Window};

/// Per-user daily alpha sd per fund type (different funds within a type).
const ALPHA_SD: [f64; 4] = [0.00001, 0.0002, 0.0006, 0.0004];

/// Trade-rate multiplier Monday..Friday: users trade most at the start of the week.
const WEEKDAY_FACTOR: [f64; 5] = [1.5, 1.1, 1.0, 0.9, 0.8];

/// Smallest buy the app accepts, IDR.
const MIN_BUY: f64 = 10_000.0;

const BEHAVIOUR_STREAM: u64 = 1 << 33;

/// One held fund type of a user.
#[derive(Clone, Copy)]
struct Position {
    fund_type: usize,
    /// First day (window index) with a row.
    open_day: usize,
    /// Balance before `open_day` (0 when the position opens inside the window).
    opening: f64,
    /// Whether the opening day has a forced first buy.
    first_buy: bool,
    beta: f64,
    alpha: f64,
}

/// A buy amount: lognormal around the persona's ticket, in whole thousands of IDR, at
/// least the app's minimum.
fn draw_ticket(r: &mut Rng, median: f64) -> f64 {
    ((median * r.lognormal(0.0, 0.6) / 1000.0).round() * 1000.0).max(MIN_BUY)
}

/// The positions of user `i`; draws the first numbers of its behaviour stream.
fn plan_user(
    cfg: &InvestorsConfig,
    window: &Window,
    users: &InvestorUsers,
    i: usize,
    r: &mut Rng,
) -> ([Position; 4], usize) {
    let persona = users.persona[i];
    let p = persona.profile();
    let registered = users.registered[i];
    let joins_at = if registered >= cfg.start {
        Some((registered.days() - cfg.start.days()) as usize)
    } else {
        None
    };
    let mut held = [false; 4];
    for (h, &prob) in held.iter_mut().zip(&p.hold) {
        *h = r.bernoulli(prob);
    }
    if persona != Persona::Dormant && !held.iter().any(|&h| h) {
        let main = (0..4)
            .max_by(|&a, &b| p.hold[a].total_cmp(&p.hold[b]))
            .unwrap_or(0);
        held[main] = true;
    }
    let blank = Position {
        fund_type: 0,
        open_day: 0,
        opening: 0.0,
        first_buy: false,
        beta: 1.0,
        alpha: 0.0,
    };
    let mut out = [blank; 4];
    let mut n = 0;
    for t in 0..4 {
        if !held[t] {
            continue;
        }
        let beta = r.uniform_range(0.8, 1.2);
        let alpha = r.gaussian(0.0, ALPHA_SD[t]);
        // A position starts inside the window when the user joins then, or (8%) when an
        // active user buys a fund type for the first time.
        let late_day = if let Some(day) = joins_at {
            Some(day)
        } else if p.buy_rate[t] > 0.0 && !window.weekdays.is_empty() && r.bernoulli(0.08) {
            Some(window.weekdays[r.below(window.weekdays.len() as u64) as usize])
        } else {
            None
        };
        out[n] = match late_day {
            Some(day) => Position {
                fund_type: t,
                open_day: day,
                opening: 0.0,
                first_buy: true,
                beta,
                alpha,
            },
            None => Position {
                fund_type: t,
                open_day: 0,
                opening: (p.opening[t] * r.lognormal(0.0, 0.8)).round(),
                first_buy: false,
                beta,
                alpha,
            },
        };
        n += 1;
    }
    (out, n)
}

/// Mutable views of a block of balance rows.
struct RowsMut<'a> {
    user: &'a mut [u32],
    date: &'a mut [Date],
    fund_type: &'a mut [FundType],
    balance: &'a mut [f64],
    buy: &'a mut [f64],
    sell: &'a mut [f64],
    profit: &'a mut [f64],
}

impl<'a> RowsMut<'a> {
    fn split_at(self, n: usize) -> (RowsMut<'a>, RowsMut<'a>) {
        let (u0, u1) = self.user.split_at_mut(n);
        let (d0, d1) = self.date.split_at_mut(n);
        let (f0, f1) = self.fund_type.split_at_mut(n);
        let (b0, b1) = self.balance.split_at_mut(n);
        let (y0, y1) = self.buy.split_at_mut(n);
        let (s0, s1) = self.sell.split_at_mut(n);
        let (p0, p1) = self.profit.split_at_mut(n);
        (
            RowsMut {
                user: u0,
                date: d0,
                fund_type: f0,
                balance: b0,
                buy: y0,
                sell: s0,
                profit: p0,
            },
            RowsMut {
                user: u1,
                date: d1,
                fund_type: f1,
                balance: b1,
                buy: y1,
                sell: s1,
                profit: p1,
            },
        )
    }
}

/// Simulate user `i` into `rows` from row `at`; returns the next free row.
fn simulate_user(
    cfg: &InvestorsConfig,
    window: &Window,
    users: &InvestorUsers,
    i: usize,
    rows: &mut RowsMut<'_>,
    mut at: usize,
) -> usize {
    let mut r = Rng::stream(cfg.seed, BEHAVIOUR_STREAM + i as u64);
    let (positions, n) = plan_user(cfg, window, users, i, &mut r);
    let positions = &positions[..n];
    let p = users.persona[i].profile();
    let mut balance: [f64; 4] = [0.0; 4];
    for (b, pos) in balance.iter_mut().zip(positions) {
        *b = pos.opening;
    }
    for (d, &date) in window.dates.iter().enumerate() {
        let weekday = date.weekday() as usize;
        for (k, pos) in positions.iter().enumerate() {
            if d < pos.open_day {
                continue;
            }
            let t = pos.fund_type;
            let prev = balance[k];
            let (mut buy, mut sell, mut profit) = (0.0, 0.0, 0.0);
            if weekday < 5 {
                // |return| is far below 1, so the rounded profit never exceeds the balance.
                profit = (prev * (pos.beta * window.returns[d][t] + pos.alpha)).round();
                let f = WEEKDAY_FACTOR[weekday];
                if pos.first_buy && d == pos.open_day
                    || p.buy_rate[t] > 0.0 && r.bernoulli(p.buy_rate[t] * f)
                {
                    buy = draw_ticket(&mut r, p.ticket[t]);
                }
                let available = prev + profit;
                if available > 0.0 && p.sell_rate[t] > 0.0 && r.bernoulli(p.sell_rate[t] * f) {
                    // A quarter of sells redeem everything; the rest part of it.
                    let share = if r.bernoulli(0.25) {
                        1.0
                    } else {
                        r.uniform_range(0.1, 0.6)
                    };
                    sell = (share * available).round().min(available);
                }
            }
            let now = prev + buy - sell + profit;
            balance[k] = now;
            rows.user[at] = i as u32;
            rows.date[at] = date;
            rows.fund_type[at] = FundType::ALL[t];
            rows.balance[at] = now;
            rows.buy[at] = buy;
            rows.sell[at] = sell;
            rows.profit[at] = profit;
            at += 1;
        }
    }
    at
}

/// Users per parallel block: big enough to amortise scheduling, small enough to balance
/// two to dozens of threads.
const BLOCK: usize = 4096;

/// Generate the balance rows of users `range` (indices into `users`, which must come from
/// [`investor_users`] with the same config). Rows of consecutive ranges concatenate to
/// the rows of the union, so callers can generate and write in chunks.
///
/// # Panics
/// If `range` is not inside `0..users.len()`.
pub fn investor_balances(
    cfg: &InvestorsConfig,
    users: &InvestorUsers,
    range: Range<usize>,
) -> InvestorBalances {
    assert!(
        range.start <= range.end && range.end <= users.len(),
        "investor_balances: user range {range:?} outside 0..{}",
        users.len()
    );
    let window = Window::new(cfg);
    // Pass 1 replays only the position plans to count rows, so pass 2 can write every
    // block straight into its final place (no per-block vectors, no second copy).
    let counts: Vec<usize> = range
        .clone()
        .into_par_iter()
        .map(|i| {
            let mut r = Rng::stream(cfg.seed, BEHAVIOUR_STREAM + i as u64);
            let (positions, n) = plan_user(cfg, &window, users, i, &mut r);
            positions[..n].iter().map(|p| cfg.days - p.open_day).sum()
        })
        .collect();
    let total: usize = counts.iter().sum();
    let mut out = InvestorBalances {
        user: vec![0; total],
        date: vec![Date::from_days(0); total],
        fund_type: vec![FundType::MoneyMarket; total],
        balance: vec![0.0; total],
        buy: vec![0.0; total],
        sell: vec![0.0; total],
        profit: vec![0.0; total],
    };
    let mut rest = RowsMut {
        user: &mut out.user,
        date: &mut out.date,
        fund_type: &mut out.fund_type,
        balance: &mut out.balance,
        buy: &mut out.buy,
        sell: &mut out.sell,
        profit: &mut out.profit,
    };
    let mut blocks = Vec::new();
    for (b, chunk) in counts.chunks(BLOCK).enumerate() {
        let (block, tail) = rest.split_at(chunk.iter().sum());
        blocks.push((range.start + b * BLOCK, chunk.len(), block));
        rest = tail;
    }
    blocks.into_par_iter().for_each(|(first, len, mut block)| {
        let mut at = 0;
        for i in first..first + len {
            at = simulate_user(cfg, &window, users, i, &mut block, at);
        }
        debug_assert_eq!(at, block.user.len());
    });
    out
}

/// Balance rows in chunks of `chunk_users` users, in user order; concatenated they equal
/// `investors(cfg).balances`. Use it to write 1M-user tables without holding them whole.
///
/// # Panics
/// If `chunk_users` is zero.
pub fn investor_balance_chunks<'a>(
    cfg: &'a InvestorsConfig,
    users: &'a InvestorUsers,
    chunk_users: usize,
) -> impl Iterator<Item = InvestorBalances> + 'a {
    assert!(
        chunk_users > 0,
        "investor_balance_chunks: chunk_users must be positive"
    );
    (0..users.len())
        .step_by(chunk_users)
        .map(move |s| investor_balances(cfg, users, s..(s + chunk_users).min(users.len())))
}
