//! Investor features (METHODS §6.6–§6.7): one row per app user, ready for k-prototypes.
//!
//! Inputs are a users table (`user_id, registered, gender, age, occupation, income_band,
//! referral`) and daily balances in long form (`user_id, date, fund_type, balance, buy,
//! sell, profit`, one row per user, date and fund type; money in currency units).
//!
//! Rules, in one place:
//!
//! * **Rows**: at most one balance row per (user, date, fund type), in any order; a
//!   repeat is an error naming both rows. Every balance row's user must be in the users
//!   table; balance, buy and sell are ≥ 0, profit may be negative, all finite.
//! * **Generation** from age: birth year = year of the reference date − ⌊age⌋, the age
//!   being taken as of the reference date ([`InvestorConfig::as_of`], default the last
//!   balance date), then Pew Research's cut-offs: born 1997 or later Gen Z (younger
//!   cohorts included), 1981–1996 Millennial, 1965–1980 Gen X, 1964 or earlier Boomer
//!   (older cohorts included). As of 2024 that is Gen Z ≤ 27, Millennial 28–43, Gen X
//!   44–59, Boomer 60+.
//! * **Mean AUM** per fund type = sum of the user's balances ÷ the number of distinct
//!   dates in the balance table: a day without a row counts as a zero balance.
//! * **Monthly buy and sell** per fund type = total over the table ÷ the calendar months
//!   the table spans (first to last date inclusive: 1–30 September is one month).
//! * **Transactions** per fund type = rows with buy > 0 or sell > 0 (a buy and a sell on
//!   the same row count once), over the whole period.
//! * **Profit** per fund type: [`ProfitMeasure::Total`] (default) sums the rows' profit,
//!   reading it as the day's gain, so that balance_t = balance_{t−1} + buy − sell +
//!   profit; [`ProfitMeasure::Latest`] takes the value at the user's last date for that
//!   fund type, for tables where profit is cumulative.
//! * **Scaling** for k-prototypes ([`Scaling::LogZScore`], default): money amounts and
//!   counts are heavy-tailed, so each numeric column goes through sign-preserving
//!   `log1p` and then a z-score (population sd; a constant column becomes 0).
//! * Users without balance rows are dropped (listed in [`InvestorFeatures::inactive`])
//!   unless [`InvestorConfig::keep_inactive`]; then their numeric features are zero.
//! * **Clustered features** ([`mix_features`], the default of `segment investors`): the
//!   fund-type shares of AUM, log total AUM, log transactions per month and log monthly
//!   buy, z-scored, with generation, occupation and income band.
//! * **Personas** ([`personas`]): a short name and campaign themes per segment, generated
//!   from its profile by the rules of [`persona`].
//! * Categorical levels are the distinct values among the kept users, sorted by name
//!   (generation in age order); an empty cell is the level `(missing)`. A level with
//!   fewer than [`InvestorConfig::min_level_size`] members (default 2) is an error that
//!   names the column and level: k-prototypes cannot learn from a one-member level.

mod features;
mod generation;
mod input;
mod mix;
pub mod persona;

// Defined with the text columns so that `error` can name it without depending on this module.
pub use crate::column::MISSING_LEVEL;

// Defined with the data model, where the generator of balance tables finds it too.
pub use peergroup_data::FundType;

pub use features::{
    investor_features, InvestorConfig, InvestorFeatures, Measure, ProfitMeasure, Scaling, N_NUMERIC,
};
pub use generation::Generation;
pub use input::{BalanceColumns, BalanceRow, InvestorData, UserColumns, UserTable};
pub use mix::{mix_features, MIX_CATEGORICALS, MIX_NAMES};
pub use persona::{personas, Persona};
