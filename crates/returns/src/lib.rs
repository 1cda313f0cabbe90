//! Returns from raw data: industry price/subscription effects and total-return indices
//! (METHODS §1, after the CAFCI guide), period returns, and cross-sectional year-to-date
//! rankings.
//!
//! Everything here is pure: validated tables in, plain results out.

pub mod industry;
pub mod periods;
pub mod ranking;

pub use industry::{
    effects, filter_points, price_outliers, DropReason, Dropped, Effects, EffectsPlan, Grouping,
    IndustryConfig, Kept,
};
pub use periods::{explain_no_period_returns, period_returns, Period, PeriodReturn};
pub use ranking::{rank_ytd, RankRow, Side};
