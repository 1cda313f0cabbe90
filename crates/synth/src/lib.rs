//! Synthetic data with known truth, for tests, the demo and benchmarks.
//!
//! * [`mod@industry`]: CAFCI-like daily price, shares and AUM per fund class, with injected
//!   bad prints (METHODS §7.2).
//! * [`mod@universe`]: fund returns from a factor model, with true exposures and style groups
//!   (METHODS §7.3).
//! * [`mod@garch`]: daily returns from AT-GARCH(1,1) with known parameters (METHODS §7.4).
//! * [`mod@sales`]: monthly net sales by broker-dealer office and fund, with true office types
//!   and funds that sell like another category (METHODS §7.5).
//! * [`mod@investors`]: app users and their daily balances per fund type, with true personas
//!   (METHODS §7.6).
//!
//! Every generator is deterministic in its seed (see `peergroup-random`) and
//! parallel-safe: each class, fund, office or user draws from its own sub-stream, so the
//! output does not depend on the number of threads. Generators are pure: they return
//! tables as structs and leave writing files to the caller.

pub mod garch;
pub mod industry;
pub mod investors;
pub mod sales;
pub mod universe;

pub use garch::{garch_universe, GarchConfig, GarchFund, GarchKind, GarchSynth};
pub use industry::{industry, IndustrySynth, IndustrySynthConfig};
pub use investors::{
    investor_balance_chunks, investor_balances, investor_users, investors, FundType, Gender,
    IncomeBand, InvestorBalances, InvestorUsers, InvestorsConfig, InvestorsSynth, Occupation,
    Persona,
};
pub use sales::{sales, OfficeType, SalesConfig, SalesSynth};
pub use universe::{universe, Universe, UniverseConfig};
