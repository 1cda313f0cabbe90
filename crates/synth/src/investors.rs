//! Users and daily fund balances of an investment app, with known personas (METHODS §7.6,
//! after an Indonesian mutual-fund app; amounts in rupiah, IDR).
//!
//! **Users** have a registration date, gender, age, occupation, annual income band and
//! whether they signed up with a referral code. Each user belongs to one of five
//! [`Persona`]s that sets both the profile distributions and the behaviour:
//!
//! | persona | share | profile | holdings and behaviour |
//! |---|---|---|---|
//! | `gen_z_student_money_market` | 35% | 18–24, students, < 10M, referral 55% | money market (≈ 400k IDR), frequent small buys |
//! | `young_professional_stock` | 22% | 23–34, employees, 10–100M | stock (≈ 12M), money market, monthly buys |
//! | `family_saver_bond_mixed` | 13% | 33–50, housewives, teachers, employees | bond and mixed (≈ 30–40M), rare trades |
//! | `affluent_diversified` | 5% | 35–62, entrepreneurs, retired, ≥ 100M | all four types (≈ 150–400M each), large trades |
//! | `dormant` | 25% | 18–35, mixed, low income, referral 50% | no trades; a tiny money-market balance or nothing |
//!
//! Personas overlap at the edges (a 23-year-old employee may be a student-style saver or a
//! young professional), so per-user features (mean balance, monthly buy and sell,
//! transaction count and profit per fund type, plus generation, occupation, income band
//! and referral) separate them well but not perfectly.
//!
//! **Balances** are long rows `user, date, fund_type, balance, buy, sell, profit`, one per
//! calendar day of the window and fund type the user holds, from the day the position
//! opens (the first day of the window for positions held before it) to the last day;
//! a position sold out stays with balance 0. All amounts are whole rupiah stored in
//! `f64`, so the accounting identity holds exactly:
//!
//! `balance_t = balance_{t−1} + buy_t − sell_t + profit_t`, with `balance_{t−1} = 0` on
//! the day a position opens inside the window (the opening balance of a position held
//! before the window is not a row). Balances are never negative.
//!
//! Markets are closed on weekends: buy, sell and profit are 0 on Saturdays and Sundays
//! and the balance is carried. On weekdays profit is the previous balance times the
//! fund type's daily return (a common market return per type, scaled by a per-user beta,
//! plus a per-user alpha), and users trade most on Mondays and least on Fridays.
//!
//! **Memory.** Rows are struct-of-arrays: `u32` user index, 4-byte [`Date`], 1-byte
//! [`FundType`] and four `f64` amounts, 41 bytes a row. Amounts stay `f64` because
//! balances reach 10^10 IDR, where `f32` resolves only about 1,000 IDR and the identity
//! above would no longer hold exactly. 1M users × 30 days is about 42M rows (1.7 GB,
//! about 1.5 s on 2 idle cores); [`investor_balances`] generates any contiguous
//! range of users and [`investor_balance_chunks`] iterates over ranges, for callers that
//! write as they go and for larger runs.
//!
//! Deterministic in the seed. Market returns come from sub-stream 0, user `i`'s profile
//! from sub-stream `2^32 + i` and its balances from `2^33 + i`, so the output does not
//! depend on the thread count, and balances of any user range equal the corresponding
//! rows of the full table.

use std::ops::Range;

use peergroup_data::Date;
use peergroup_random::Rng;
use rayon::prelude::*;

// Defined with the data model, where the reader of balance tables finds it too.
pub use peergroup_data::FundType;

/// Gender of a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
}

impl Gender {
    /// Label: "Female" or "Male".
    pub fn label(self) -> &'static str {
        ["Female", "Male"][self as usize]
    }
}

/// Occupation of a user, as in the app's sign-up form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Occupation {
    /// Student.
    Student,
    /// Private-sector employee.
    Employee,
    /// Business owner.
    Entrepreneur,
    /// Housewife.
    Housewife,
    /// Retired.
    Retired,
    /// Teacher.
    Teacher,
    /// Anything else.
    Other,
}

impl Occupation {
    /// All occupations, in code order.
    pub const ALL: [Occupation; 7] = [
        Occupation::Student,
        Occupation::Employee,
        Occupation::Entrepreneur,
        Occupation::Housewife,
        Occupation::Retired,
        Occupation::Teacher,
        Occupation::Other,
    ];

    /// Label, e.g. "Student".
    pub fn label(self) -> &'static str {
        [
            "Student",
            "Employee",
            "Entrepreneur",
            "Housewife",
            "Retired",
            "Teacher",
            "Other",
        ][self as usize]
    }
}

/// Annual income band in IDR (M = million rupiah).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum IncomeBand {
    /// Below 10M IDR a year.
    Below10M,
    /// 10M to 50M IDR.
    From10To50M,
    /// 50M to 100M IDR.
    From50To100M,
    /// 100M to 500M IDR.
    From100To500M,
    /// Above 500M IDR.
    Above500M,
}

impl IncomeBand {
    /// All bands, lowest first.
    pub const ALL: [IncomeBand; 5] = [
        IncomeBand::Below10M,
        IncomeBand::From10To50M,
        IncomeBand::From50To100M,
        IncomeBand::From100To500M,
        IncomeBand::Above500M,
    ];

    /// Label: "< 10M", "10-50M", "50-100M", "100-500M" or "> 500M".
    pub fn label(self) -> &'static str {
        ["< 10M", "10-50M", "50-100M", "100-500M", "> 500M"][self as usize]
    }
}

/// True persona of a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Persona {
    /// Gen-Z students saving small amounts in money-market funds, trading often.
    GenZStudentMoneyMarket,
    /// Young employees building a stock-fund position with monthly buys.
    YoungProfessionalStock,
    /// Families holding bond and mixed funds, trading rarely.
    FamilySaverBondMixed,
    /// High earners with large balances in every fund type.
    AffluentDiversified,
    /// Registered users who do not trade; a tiny money-market balance or none.
    Dormant,
}

impl Persona {
    /// All personas, in code order.
    pub const ALL: [Persona; 5] = [
        Persona::GenZStudentMoneyMarket,
        Persona::YoungProfessionalStock,
        Persona::FamilySaverBondMixed,
        Persona::AffluentDiversified,
        Persona::Dormant,
    ];

    /// Label written to the truth table, e.g. "gen_z_student_money_market".
    pub fn label(self) -> &'static str {
        [
            "gen_z_student_money_market",
            "young_professional_stock",
            "family_saver_bond_mixed",
            "affluent_diversified",
            "dormant",
        ][self as usize]
    }

    fn profile(self) -> &'static Profile {
        &PROFILES[self as usize]
    }
}

/// Size, seed and window of synthetic app data.
#[derive(Clone, Copy, Debug)]
pub struct InvestorsConfig {
    /// Number of users (at most 2^32 − 1).
    pub users: usize,
    /// Number of calendar days of balances.
    pub days: usize,
    /// Random seed.
    pub seed: u64,
    /// First day of the balance window.
    pub start: Date,
}

impl Default for InvestorsConfig {
    fn default() -> Self {
        InvestorsConfig {
            users: 10_000,
            days: 30,
            seed: 1,
            start: Date::from_ymd(2021, 9, 1).expect("valid date"),
        }
    }
}

/// The user table (one entry per user) with the true persona.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InvestorUsers {
    /// User ids, `index + 1`.
    pub user_id: Vec<u32>,
    /// Registration date (inside the window for users who join during it).
    pub registered: Vec<Date>,
    /// Gender.
    pub gender: Vec<Gender>,
    /// Age in years on the first day of the window.
    pub age: Vec<u8>,
    /// Occupation.
    pub occupation: Vec<Occupation>,
    /// Annual income band (IDR).
    pub income: Vec<IncomeBand>,
    /// Whether the user signed up with a referral code.
    pub referral: Vec<bool>,
    /// True persona (the truth table).
    pub persona: Vec<Persona>,
}

impl InvestorUsers {
    /// Number of users.
    pub fn len(&self) -> usize {
        self.user_id.len()
    }

    /// Whether there are no users.
    pub fn is_empty(&self) -> bool {
        self.user_id.is_empty()
    }
}

/// Daily balance rows, sorted by user, date and fund type; amounts in whole IDR.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InvestorBalances {
    /// User per row (index into [`InvestorUsers`]; the id is `user + 1`).
    pub user: Vec<u32>,
    /// Calendar day per row.
    pub date: Vec<Date>,
    /// Fund type per row.
    pub fund_type: Vec<FundType>,
    /// End-of-day balance in IDR (≥ 0).
    pub balance: Vec<f64>,
    /// Amount bought that day in IDR (0 on weekends).
    pub buy: Vec<f64>,
    /// Amount sold that day in IDR (0 on weekends).
    pub sell: Vec<f64>,
    /// Gain or loss that day in IDR (0 on weekends).
    pub profit: Vec<f64>,
}

impl InvestorBalances {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.user.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.user.is_empty()
    }
}

/// Generated app data: users with personas and their daily balances.
#[derive(Clone, Debug)]
pub struct InvestorsSynth {
    /// Calendar days of the window.
    pub dates: Vec<Date>,
    /// Users and the truth.
    pub users: InvestorUsers,
    /// Daily balance rows of all users.
    pub balances: InvestorBalances,
}

/// Profile and behaviour of a persona. Amounts are medians of lognormals in IDR; rates
/// are probabilities per weekday (before the weekday factor).
struct Profile {
    share: f64,
    age: (u8, u8),
    male: f64,
    occupation: [f64; 7],
    income: [f64; 5],
    referral: f64,
    /// Share of users who register inside the window (all their positions open then).
    new_share: f64,
    /// Longest tenure before the window, in days.
    tenure_days: u64,
    hold: [f64; 4],
    opening: [f64; 4],
    buy_rate: [f64; 4],
    ticket: [f64; 4],
    sell_rate: [f64; 4],
}

const PROFILES: [Profile; 5] = [
    // Gen-Z students: money market first, many small top-ups.
    Profile {
        share: 0.35,
        age: (18, 24),
        male: 0.62,
        occupation: [0.80, 0.12, 0.0, 0.0, 0.0, 0.0, 0.08],
        income: [0.80, 0.18, 0.02, 0.0, 0.0],
        referral: 0.55,
        new_share: 0.15,
        tenure_days: 540,
        hold: [1.0, 0.08, 0.15, 0.03],
        opening: [400e3, 300e3, 300e3, 200e3],
        buy_rate: [0.22, 0.05, 0.10, 0.02],
        ticket: [100e3, 100e3, 100e3, 100e3],
        sell_rate: [0.08, 0.02, 0.03, 0.01],
    },
    // Young professionals: stock funds, monthly salary-day buys.
    Profile {
        share: 0.22,
        age: (23, 34),
        male: 0.68,
        occupation: [0.0, 0.80, 0.08, 0.0, 0.0, 0.05, 0.07],
        income: [0.10, 0.60, 0.27, 0.03, 0.0],
        referral: 0.35,
        new_share: 0.08,
        tenure_days: 900,
        hold: [0.80, 0.10, 1.0, 0.08],
        opening: [3e6, 5e6, 12e6, 5e6],
        buy_rate: [0.06, 0.03, 0.12, 0.02],
        ticket: [1e6, 1e6, 1.5e6, 1e6],
        sell_rate: [0.03, 0.01, 0.04, 0.01],
    },
    // Family savers: bond and mixed funds, buy and hold.
    Profile {
        share: 0.13,
        age: (33, 50),
        male: 0.40,
        occupation: [0.0, 0.30, 0.10, 0.35, 0.0, 0.25, 0.0],
        income: [0.15, 0.45, 0.35, 0.05, 0.0],
        referral: 0.20,
        new_share: 0.05,
        tenure_days: 1000,
        hold: [0.15, 1.0, 0.05, 0.90],
        opening: [5e6, 30e6, 10e6, 40e6],
        buy_rate: [0.02, 0.04, 0.01, 0.03],
        ticket: [2e6, 5e6, 2e6, 4e6],
        sell_rate: [0.01, 0.01, 0.005, 0.01],
    },
    // Affluent: every fund type, large balances and tickets.
    Profile {
        share: 0.05,
        age: (35, 62),
        male: 0.70,
        occupation: [0.0, 0.25, 0.50, 0.0, 0.15, 0.0, 0.10],
        income: [0.0, 0.0, 0.10, 0.60, 0.30],
        referral: 0.10,
        new_share: 0.03,
        tenure_days: 1000,
        hold: [0.97, 0.97, 0.97, 0.95],
        opening: [150e6, 250e6, 300e6, 400e6],
        buy_rate: [0.05, 0.05, 0.06, 0.04],
        ticket: [20e6, 30e6, 30e6, 25e6],
        sell_rate: [0.03, 0.02, 0.03, 0.02],
    },
    // Dormant: signed up (often through a referral promotion) and stopped.
    Profile {
        share: 0.25,
        age: (18, 35),
        male: 0.65,
        occupation: [0.45, 0.40, 0.0, 0.0, 0.0, 0.0, 0.15],
        income: [0.60, 0.35, 0.05, 0.0, 0.0],
        referral: 0.50,
        new_share: 0.0,
        tenure_days: 1000,
        hold: [0.50, 0.03, 0.05, 0.02],
        opening: [60e3, 100e3, 100e3, 100e3],
        buy_rate: [0.0; 4],
        ticket: [0.0; 4],
        sell_rate: [0.0; 4],
    },
];

/// Daily return per fund type on weekdays: (mean, sd). Mixed funds lose on average, as
/// in the investment app's September 2021 data (METHODS §0.1); stock funds earn most
/// and swing most.
const MARKET: [(f64, f64); 4] = [
    (0.00016, 0.00002),
    (0.00022, 0.0012),
    (0.0004, 0.011),
    (-0.0002, 0.006),
];

/// Per-user daily alpha sd per fund type (different funds within a type).
const ALPHA_SD: [f64; 4] = [0.00001, 0.0002, 0.0006, 0.0004];

/// Trade-rate multiplier Monday..Friday: users trade most at the start of the week.
const WEEKDAY_FACTOR: [f64; 5] = [1.5, 1.1, 1.0, 0.9, 0.8];

/// Smallest buy the app accepts, IDR.
const MIN_BUY: f64 = 10_000.0;

const PROFILE_STREAM: u64 = 1 << 32;
const BEHAVIOUR_STREAM: u64 = 1 << 33;

/// The window's days, which of them are weekdays, and the market returns.
struct Window {
    dates: Vec<Date>,
    weekdays: Vec<usize>,
    /// Return per day and fund type (0 on weekends).
    returns: Vec<[f64; 4]>,
}

impl Window {
    fn new(cfg: &InvestorsConfig) -> Window {
        let dates: Vec<Date> = (0..cfg.days)
            .map(|d| cfg.start.add_days(d as i32))
            .collect();
        let weekdays: Vec<usize> = (0..cfg.days).filter(|&d| dates[d].weekday() < 5).collect();
        let mut rng = Rng::stream(cfg.seed, 0);
        let returns = dates
            .iter()
            .map(|d| {
                let mut r = [0.0; 4];
                if d.weekday() < 5 {
                    for (x, &(mu, sd)) in r.iter_mut().zip(&MARKET) {
                        *x = mu + sd * rng.normal().clamp(-4.0, 4.0);
                    }
                }
                r
            })
            .collect();
        Window {
            dates,
            weekdays,
            returns,
        }
    }
}

/// Age drawn as the mean of two uniforms over the range, so middle ages are likelier.
fn draw_age(r: &mut Rng, (lo, hi): (u8, u8)) -> u8 {
    let span = (hi - lo) as f64 + 1.0;
    let x = 0.5 * (r.uniform() + r.uniform()) * span;
    (lo as f64 + x.floor()).min(hi as f64) as u8
}

/// Generate the user table. Same config → identical output.
///
/// # Panics
/// If `users` exceeds `u32::MAX`.
pub fn investor_users(cfg: &InvestorsConfig) -> InvestorUsers {
    assert!(cfg.users <= u32::MAX as usize, "investors: too many users");
    let window = Window::new(cfg);
    let shares: Vec<f64> = PROFILES.iter().map(|p| p.share).collect();
    let rows: Vec<(Date, Gender, u8, Occupation, IncomeBand, bool, Persona)> = (0..cfg.users)
        .into_par_iter()
        .map(|i| {
            let mut r = Rng::stream(cfg.seed, PROFILE_STREAM + i as u64);
            let persona = Persona::ALL[r.weighted_index(&shares)];
            let p = persona.profile();
            let age = draw_age(&mut r, p.age);
            let occupation = Occupation::ALL[r.weighted_index(&p.occupation)];
            let male = r.bernoulli(p.male);
            // The sign-up form's housewife option implies a woman.
            let gender = if male && occupation != Occupation::Housewife {
                Gender::Male
            } else {
                Gender::Female
            };
            let income = IncomeBand::ALL[r.weighted_index(&p.income)];
            let referral = r.bernoulli(p.referral);
            let joins = r.bernoulli(p.new_share) && !window.weekdays.is_empty();
            // New users register on a weekday so that their first buy can be that day.
            let registered = if joins {
                window.dates[window.weekdays[r.below(window.weekdays.len() as u64) as usize]]
            } else {
                cfg.start.add_days(-1 - r.below(p.tenure_days) as i32)
            };
            (
                registered, gender, age, occupation, income, referral, persona,
            )
        })
        .collect();
    let mut u = InvestorUsers {
        user_id: (1..=cfg.users as u32).collect(),
        ..Default::default()
    };
    for (registered, gender, age, occupation, income, referral, persona) in rows {
        u.registered.push(registered);
        u.gender.push(gender);
        u.age.push(age);
        u.occupation.push(occupation);
        u.income.push(income);
        u.referral.push(referral);
        u.persona.push(persona);
    }
    u
}

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

/// Generate users and all their balances. Same config → identical output, whatever the
/// thread count.
///
/// # Panics
/// If `users` exceeds `u32::MAX`.
pub fn investors(cfg: &InvestorsConfig) -> InvestorsSynth {
    let users = investor_users(cfg);
    let balances = investor_balances(cfg, &users, 0..users.len());
    InvestorsSynth {
        dates: Window::new(cfg).dates,
        users,
        balances,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persona_shares_sum_to_one() {
        let total: f64 = PROFILES.iter().map(|p| p.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
        for p in &PROFILES {
            assert!((p.occupation.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!((p.income.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(p.age.0 <= p.age.1);
        }
    }

    #[test]
    fn ages_stay_in_range() {
        let mut r = Rng::new(3);
        for _ in 0..10_000 {
            let a = draw_age(&mut r, (18, 24));
            assert!((18..=24).contains(&a));
        }
    }
}
