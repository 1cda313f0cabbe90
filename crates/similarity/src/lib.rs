//! Factor-aware fund similarity (METHODS §3; after Fragkiskos & Bauman):
//! funds are alike when they hold alike exposures to alike factors.
//!
//! Pipeline, all pure functions on slices (funds × factors row-major, fractions):
//!
//! * [`FactorSimilarity`]: S_X, from a user matrix or factor attributes;
//! * [`systematic_similarity`]: S_SYST(A,B) = Σ_i Σ_j S_B(b^A_i, b^B_j) S_X(i,j) with
//!   S_B(a,b) = max(0, 1 − |a − b|) on |β| ([`ExposureScale::Raw`]) or |β|/Σ|β|
//!   ([`ExposureScale::Gross`]); a SIMD-friendly parallel kernel, full or condensed;
//! * [`rescaled`]: S* = S_SYST(A,B) / sqrt(S_SYST(A,A) S_SYST(B,B));
//! * [`fund_similarity()`]: S = R²_A R²_B S* + (1 − R²_A)(1 − R²_B) S_U;
//! * [`moving_average`], [`ewma`]: similarity over time;
//! * baselines: [`correlation()`] of returns, [`euclidean_distances`] of (grouped) exposures;
//! * [`peers()`]: a fund's top-k peers; [`condensed_distance`]: 1 − S for clustering.
//!
//! # Units: which settings reproduce Fragkiskos & Bauman's Table 7 (METHODS §3.12)
//!
//! The paper's worked example (Tables 1, 6, 7) prints exposures in percent. Its ranking
//! against fund A (Complimentary 1, Neutral 2, Concentrated 3, Diversified 4,
//! Irrelevant 5) is reproduced by the rescaled similarity S* with exposures as
//! **fractions (0.15 for 15%) on the raw scale** (the default). The other settings do not:
//! raw percent (15.0) makes S_B zero for any two different nonzero exposures, ranking
//! Concentrated and Irrelevant above Neutral; the gross scale (either unit) gives Neutral,
//! whose exposures are −0.4 × fund A's, a gross profile identical to A's and S* = 1, so it
//! ranks first; and the unrescaled S_SYST reproduces the ranking under none of them.
//! `tests/seed_example.rs` checks all of this.

// Index loops are kept where they mirror the formulas (funds, factors, lanes).
#![allow(clippy::needless_range_loop)]

pub mod correlation;
pub mod distance;
pub mod euclidean;
pub mod exposures;
pub mod factor_similarity;
pub mod fund_similarity;
pub mod matrix;
pub mod over_time;
pub mod peers;
pub mod systematic;

pub use correlation::{correlation, MissingReturns, MIN_CORRELATION_OBS};
pub use distance::{condensed_distance, condensed_distance_from, distance_matrix};
pub use euclidean::{euclidean_distances, factor_groups, grouped_exposures};
pub use exposures::{check_exposures, scaled_exposures, with_cash, ExposureScale};
pub use factor_similarity::{Attribute, FactorSimilarity, MATRIX_TOLERANCE};
pub use fund_similarity::{
    combine as fund_similarity_pair, fund_similarity, fund_similarity_condensed,
    residual_similarity,
};
pub use matrix::{pair_count, pair_index, CondensedSimilarity, PairwiseValues, SimilarityMatrix};
pub use over_time::{ewma, moving_average, moving_averages};
pub use peers::{peers, peers_from_row, Peer};
pub use systematic::{
    beta_similarity, rescaled, rescaled_condensed, systematic_similarity,
    systematic_similarity_condensed, StarRows,
};
