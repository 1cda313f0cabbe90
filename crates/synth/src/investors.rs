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

use peergroup_data::Date;

// Defined with the data model, where the reader of balance tables finds it too.
pub use peergroup_data::FundType;

mod balances;
mod personas;
mod users;
mod window;

pub use balances::{investor_balance_chunks, investor_balances};
pub use personas::Persona;
pub use users::investor_users;
use window::Window;

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
