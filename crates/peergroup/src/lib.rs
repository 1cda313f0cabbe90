//! peergroup: fund peer groups, style analysis, risk ratings and investor segments.
//!
//! The pipeline is a set of crates, one per stage, re-exported here:
//!
//! | stage | crate | what |
//! |---|---|---|
//! | dates | [`calendar`] | dates, parsing, frequencies |
//! | tables | [`data`] | validated panels, industry records, metadata |
//! | files | [`io`] | CSV/Parquet readers and writers, atomic outputs |
//! | returns | [`returns`] | industry effects, total-return indices, period returns, rankings |
//! | style | [`style`] | returns-based style analysis: Sharpe, rolling, stepwise, dynamic |
//! | similarity | [`similarity`] | factor-aware fund similarity, correlation baseline, peers |
//! | clusters | [`cluster`] | linkage, k-means, Gaussian mixtures, bootstrap p-values, validity |
//! | ratings | [`rating`] | AT-GARCH risk components, gain and risk classes, 1–5 stars |
//! | segments | [`segment`] | sales-flow and investor features, EDA tables, segment profiles |
//! | synthetic data | [`synth`] | generators with known truth |
//! | report | [`report`] | SVG charts and the HTML run report |
//!
//! The [`pipeline`] crate has one typed function per stage, from validated tables to
//! result tables and charts; the `peergroup` binary is a thin command-line front end to
//! it.

pub use peergroup_calendar as calendar;
pub use peergroup_cluster as cluster;
pub use peergroup_data as data;
pub use peergroup_io as io;
pub use peergroup_numeric as numeric;
pub use peergroup_pipeline as pipeline;
pub use peergroup_random as random;
pub use peergroup_rating as rating;
pub use peergroup_report as report;
pub use peergroup_returns as returns;
pub use peergroup_segment as segment;
pub use peergroup_similarity as similarity;
pub use peergroup_style as style;
pub use peergroup_synth as synth;
