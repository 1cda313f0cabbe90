//! peergroup's pipeline layer: one typed function per stage.
//!
//! Every front end (the `peergroup` command line, the demo, the study runner, the Python
//! package, the dashboard) calls these functions. They take validated in-memory tables
//! (the types of `peergroup-data` and the readers' tables of `peergroup-io`) and return
//! result tables ([`Table`]) plus chart descriptions ([`Chart`]); they never touch a file
//! path and never print. Errors are [`InputError`]s that name the input they concern,
//! using the name the front end gave it ([`Named`]).
//!
//! Each stage's analysis settings are one type next to the stage (`style::StyleSettings`,
//! `cluster::ClusterSettings`, ...), with serde keys and (feature `clap`) long flags of
//! the same names; see [`settings`].
//!
//! The stages, in pipeline order:
//!
//! | module | stage |
//! |---|---|
//! | [`industry`] | price/subscription effects and total-return indices from daily data |
//! | [`returns`] | period returns, YTD ranks |
//! | [`style`] | returns-based style analysis |
//! | [`similarity`] | factor-aware similarity, correlation baseline, peers |
//! | [`cluster`] | peer groups and their agreement with categories |
//! | [`evolve`] | peer groups at every date, aligned over time, and their stability |
//! | [`robustness`] | how much one date's peer groups depend on the factor similarities |
//! | [`rating`] | AT-GARCH risk, gain/risk classes and stars |
//! | [`segment`] | segments of offices, funds and app investors |
//! | [`synth`] | synthetic data with known truth, as tables |

mod artifact;
pub mod chart;
mod date_index;
mod error;
mod k;
mod named;
mod progress;
pub mod settings;

pub mod cluster;
pub mod evolve;
pub mod industry;
pub mod micro_clusters;
pub mod rating;
pub mod reference;
pub mod returns;
pub mod robustness;
pub mod segment;
pub mod similarity;
pub mod style;
pub mod synth;

pub use artifact::{Artifact, Artifacts};
pub use chart::Chart;
pub use date_index::date_index;
pub use k::{KChoice, KRule};
pub use named::Named;
pub use peergroup_data::InputError;
pub use peergroup_io::{Column, Table};
pub use progress::{Progress, Silent};
pub use settings::SettingError;
