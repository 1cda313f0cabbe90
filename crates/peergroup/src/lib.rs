//! peergroup: fund peer groups, style analysis, risk ratings and investor segments.
//!
//! This crate is the library facade: it re-exports every crate of the pipeline, so one
//! dependency gives a Rust program the whole engine without the command line.
//!
//! | stage | crate | what |
//! |---|---|---|
//! | dates | [`calendar`] | dates, parsing, frequencies |
//! | numbers | [`numeric`] | matrix views, distribution functions, small dense linear algebra |
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
//! | stages | [`pipeline`] | one typed function per stage: validated tables in, result tables and charts out |
//!
//! Most programs need [`io`] to read their tables and [`pipeline`] to run the stages; the
//! stage crates below it are there for finer control. Every formula is explained in
//! `docs/METHODS.md` of the repository, and `ARCHITECTURE.md` says how the crates fit.
//!
//! # Read a table
//!
//! Series come long (`id,date,value`) or wide (`date,<id>,...`), as returns (fractions or
//! percent) or prices; the reader validates every cell and names the file, line and
//! column of the first bad one.
//!
//! ```
//! use peergroup::data::SeriesKind;
//! use peergroup::io::{read_series, SeriesOptions};
//!
//! let prices = SeriesOptions { kind: SeriesKind::Prices, ..Default::default() };
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("navs.csv");
//! std::fs::write(&path, "date,A,B\n2024-01-31,100,50\n2024-02-29,102,49\n2024-03-31,103,51\n")?;
//! let navs = read_series(&path, &prices)?;
//! let returns = navs.to_returns();
//! assert_eq!(returns.ids(), ["A", "B"]);
//! assert!((returns.series(0)[1] - 0.02).abs() < 1e-12); // 102 / 100 − 1
//!
//! std::fs::write(&path, "date,A\n2024-01-31,oops\n")?;
//! let err = read_series(&path, &prices).unwrap_err().to_string();
//! assert!(err.contains("line 2") && err.contains("column 'A'"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Style: each fund's exposures to a factor universe
//!
//! [`pipeline::style::style`] aligns funds and factors on their common dates and fits
//! Sharpe's constrained regression (or OLS, or dynamic style analysis) to every fund,
//! over the whole sample or rolling windows.
//!
//! ```
//! use peergroup::pipeline::{style, synth, Named};
//! use peergroup::style::StyleSpec;
//!
//! // 30 funds in 3 true groups on 6 factors, weekly for 5 years.
//! let universe = peergroup::synth::universe(&peergroup::synth::UniverseConfig {
//!     funds: 30, factors: 6, periods: 260, groups: 3, seed: 7, ..Default::default()
//! });
//! let (funds, factors) = synth::universe_panels(&universe)?;
//! let out = style::style(Named::new(&funds, "funds"), Named::new(&factors, "factors"), &StyleSpec::default())?;
//! let summary = out.summary();
//! assert_eq!((summary.funds, summary.factors, summary.fits), (30, 6, 30));
//! assert!(summary.mean_r2 > 0.6);
//! // Long-only weights that sum to 1, fund by fund.
//! for betas in out.result.betas.chunks(6) {
//!     assert!(betas.iter().all(|b| *b >= 0.0));
//!     assert!((betas.iter().sum::<f64>() - 1.0).abs() < 1e-9);
//! }
//! # Ok::<(), peergroup::data::InputError>(())
//! ```
//!
//! # Similarity: which funds compete
//!
//! The style output feeds the similarity stage in memory: S* compares exposures through
//! the similarity of the factors themselves, and S weights it by each fund's R².
//!
//! ```
//! use peergroup::pipeline::similarity::{similarity, SimilarityInputs, SimilaritySettings};
//! use peergroup::pipeline::{style, synth, Named};
//! use peergroup::similarity::FactorSimilarity;
//! use peergroup::style::StyleSpec;
//!
//! let universe = peergroup::synth::universe(&peergroup::synth::UniverseConfig {
//!     funds: 20, factors: 5, periods: 260, groups: 2, seed: 3, ..Default::default()
//! });
//! let (funds, factors) = synth::universe_panels(&universe)?;
//! let out = style::style(Named::new(&funds, "funds"), Named::new(&factors, "factors"), &StyleSpec::default())?;
//! let (exposures, r2) = (out.exposures(), out.r2());
//! // Factors similar only to themselves: S* is then a plain overlap of exposures.
//! let sx = FactorSimilarity::identity(factors.ids().to_vec());
//! let pairs = similarity(
//!     SimilarityInputs { exposures: Named::new(&exposures, "exposures"), r2: Some(Named::new(&r2, "fit")), residuals: None },
//!     &sx,
//!     &SimilaritySettings::default(),
//! )?;
//! assert_eq!(pairs.pairs, 20 * 19 / 2); // every pair on the last date
//! # Ok::<(), peergroup::data::InputError>(())
//! ```
//!
//! # Peer groups
//!
//! [`pipeline::cluster::cluster`] forms peer groups from a similarity table or from
//! features: here the funds' exposures, with k chosen by BIC of Gaussian mixtures.
//!
//! ```
//! use peergroup::io::Features;
//! use peergroup::pipeline::cluster::{cluster, ClusterInput, ClusterSettings};
//! use peergroup::pipeline::{style, synth, Named};
//! use peergroup::style::StyleSpec;
//!
//! let universe = peergroup::synth::universe(&peergroup::synth::UniverseConfig {
//!     funds: 40, factors: 6, periods: 260, groups: 3, seed: 11, ..Default::default()
//! });
//! let (funds, factors) = synth::universe_panels(&universe)?;
//! let out = style::style(Named::new(&funds, "funds"), Named::new(&factors, "factors"), &StyleSpec::default())?;
//! let features = Features {
//!     ids: funds.ids().to_vec(),
//!     names: factors.ids().to_vec(),
//!     values: out.result.betas.clone(),
//! };
//! let groups = cluster(
//!     ClusterInput::Features { table: Named::new(&features, "exposures"), metric: peergroup::cluster::linkage::Metric::Euclidean },
//!     &ClusterSettings::default(), // average linkage, k by BIC
//! )?;
//! let ari = peergroup::cluster::validity::adjusted_rand_index(&groups.labels, &universe.true_group).unwrap();
//! assert!(groups.k >= 2 && ari > 0.5, "k = {}, ARI = {ari}", groups.k);
//! # Ok::<(), peergroup::data::InputError>(())
//! ```
//!
//! # Ratings
//!
//! [`pipeline::rating::rate`] checks the series, fits an AT-GARCH(1,1) to every fund, splits its risk
//! into components, and gives 1–5 stars from the gain and risk classes.
//!
//! ```
//! use peergroup::pipeline::rating::{rate, RateSettings};
//! use peergroup::pipeline::{synth, Named};
//!
//! let universe = peergroup::synth::garch_universe(&peergroup::synth::GarchConfig {
//!     funds: 12, periods: 1000, seed: 5, ..Default::default()
//! });
//! let returns = synth::garch_panel(&universe)?;
//! let ratings = rate(Named::new(&returns, "returns"), &RateSettings::default())?;
//! assert_eq!(ratings.len(), 12);
//! for r in &ratings {
//!     if let Some((_, _, stars)) = r.class {
//!         assert!((1..=5).contains(&stars));
//!     }
//! }
//! # Ok::<(), peergroup::data::InputError>(())
//! ```

#[doc(hidden)]
pub mod cli;
mod commands;
mod study;

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
