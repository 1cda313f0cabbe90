//! Synthetic fund data with known truth, for tests, the demo and benchmarks.
//!
//! Every generator is deterministic in its seed (see `peergroup-random`) and
//! parallel-safe: each class or fund draws from its own sub-stream.

pub mod garch;
pub mod industry;
pub mod universe;

pub use garch::{garch_universe, GarchConfig, GarchFund, GarchKind, GarchSynth};
pub use industry::{industry, IndustrySynth, IndustrySynthConfig};
pub use universe::{universe, Universe, UniverseConfig};
