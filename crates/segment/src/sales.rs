//! Sales-flow features (METHODS §6.1–§6.3): per broker-dealer office or per fund, net
//! sales by calendar quarter over a rolling window, scale transforms, the mix of the
//! latest quarter, and monthly series for dynamic time warping.
//!
//! Rules, in one place:
//!
//! * A sales row is `(bd, office, fund, month, amount)`: `amount` in dollars, negative for
//!   a redemption. Any date counts for its calendar month; rows repeating the same
//!   `(bd, office, fund, month)` are summed (they are taken as partial bookings of one flow).
//! * An office is the pair (broker-dealer, office), so office ids need only be unique
//!   within a broker-dealer.
//! * The window is the last `quarters` calendar quarters ending at the latest quarter in
//!   the data (or at the quarter holding [`SalesConfig::end`]); a partial latest quarter
//!   counts as it is. Rows outside the window are ignored and counted.
//! * Net sales of an entity in a quarter = the sum of its rows' amounts, 0 when there are
//!   none. An entity whose quarterly net sales are all zero (to within 1e-9 of its gross
//!   flow in the window) is dropped and listed in [`SalesFeatures::dropped`]: it has
//!   nothing to cluster on and would divide by zero in the share transform.
//! * Mix of the latest quarter: offices by the broad category of the funds they sold,
//!   funds by the broker-dealers that sold them (the fund-side analogue: who distributes
//!   it). Per (entity, level) the net sales of the latest quarter are clipped at zero (a
//!   level the entity net-redeemed counts as nothing) and divided by the entity's sum of
//!   clipped values, so a row sums to 1, or is all zero when the entity had no positive
//!   net sales in that quarter.

mod features;
mod keys;
mod quarter;
mod rows;

pub use features::{sales_features, SalesConfig, SalesFeatures, BEHAVIOUR, OTHER_LEVEL};
pub use keys::{Entity, EntityKey};
pub use quarter::Quarter;
pub use rows::{FundTable, SalesTable};
