//! Segmentation (METHODS §6): the numerical core behind
//! `peergroup segment`.
//!
//! * [`sales`]: per broker-dealer office or per fund, quarterly net sales over a rolling
//!   window, scale transforms (share, log1p, z-score, row normalisation), the mix of the
//!   latest quarter, and monthly series for dynamic time warping.
//! * [`investors`]: per app user, categorical (gender, generation, occupation, income band,
//!   referral) and numeric (mean AUM, monthly buy and sell, transactions and profit per
//!   fund type) features, scaled for k-prototypes.
//! * [`eda`]: descriptive tables of the investor population (ratios, distributions,
//!   occupation Pareto, transactions by weekday, linear trends with R²).
//! * [`profile`]: per-segment size, level shares, means and a generated one-line
//!   description; works for any table of named numeric and categorical features.
//! * [`outside`]: funds whose sales pattern is significantly closer to another
//!   category's funds than to their own (category centres, empirical null, Williams' test, Benjamini–Hochberg).
//! * [`transform`]: the scale transforms, usable on any [`Matrix`].
//!
//! Everything here is pure: validated tables in, plain results out. Errors about user
//! input are [`SegmentError`]s that name the table, the 0-based row index within the
//! input columns and the column, so the caller can point at the file and line.
//!
//! Text columns come dictionary-encoded ([`TextColumn`]), so tens of millions of rows
//! cost four bytes each per id column. Per-entity and per-user sums stream the rows in
//! order, one contiguous range of entities per thread, so results do not depend on the
//! thread count (`cargo bench -p peergroup-segment --bench features`: 5 M sales rows or
//! 1 M users × 30 days of balances in a few seconds on 2 cores).
//!
//! ```
//! use peergroup_segment::sales::{sales_features, Entity, FundTable, SalesConfig, SalesTable};
//! use peergroup_segment::profile::{profiles, Categoricals, DescribeConfig, ProfileInput};
//! use peergroup_segment::outside::{outside_test, OutsideConfig};
//! use peergroup_segment::Date;
//!
//! let m = |y, mo| Date::month_end(y, mo).unwrap();
//! let funds = FundTable::from_rows([
//!     ("F1", "Large Growth", "Equity"),
//!     ("F2", "Large Value", "Equity"),
//!     ("F3", "Short Bond", "Fixed Income"),
//! ])?;
//! let sales = SalesTable::from_rows([
//!     ("BD", "office 1", "F1", m(2021, 3), 100.0),
//!     ("BD", "office 1", "F2", m(2021, 6), 250.0),
//!     ("BD", "office 2", "F3", m(2021, 6), 40.0),
//! ])?;
//! let cfg = SalesConfig { entity: Entity::Fund, quarters: 2, ..SalesConfig::default() };
//! let f = sales_features(&sales, &funds, &cfg)?;
//! assert_eq!(f.quarter_names(), ["2021Q1", "2021Q2"]);
//! // `f.features` (share of each fund's activity by quarter) goes to a clustering; say:
//! let labels = [0, 1, 1];
//! let categories = f.categories(&funds).unwrap();
//! let ids: Vec<&str> = f.keys.iter().map(|k| k.id.as_str()).collect();
//! let test = outside_test(&ids, &f.features, &categories, &OutsideConfig::default())?;
//! assert_eq!(test.funds.len(), 3);
//! assert!(test.flagged().next().is_none()); // each category has a single fund: no test
//! let (numeric, specs) = f.profile_numeric();
//! let cats = Categoricals::from_text("category", "{}", &categories);
//! let input = ProfileInput {
//!     numeric: &numeric,
//!     numeric_specs: &specs,
//!     scaled: Some(&f.features.hstack(&f.mix)),
//!     categorical: Some(&cats),
//! };
//! let p = profiles(&input, &labels, &DescribeConfig::default())?;
//! assert_eq!(p.segments[0].size, 1);
//! # Ok::<(), peergroup_segment::SegmentError>(())
//! ```

#![warn(missing_docs)]

mod column;
mod error;

pub mod eda;
pub mod investors;
pub mod outside;
pub mod profile;
pub mod sales;

mod grouping;
pub mod transform;

pub use column::TextColumn;
pub use error::{SegmentError, Table};
pub use peergroup_calendar::Date;
/// The dense row-major `f64` matrix of the features (rows = entities or users).
pub use peergroup_numeric::Matrix;
