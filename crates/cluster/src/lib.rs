//! Clustering for peer groups and segments (METHODS §4 and §6): hierarchical linkage
//! (scipy's conventions), k-means, k-prototypes for mixed numeric/categorical data,
//! Gaussian mixtures with BIC model selection, pvclust-style multiscale bootstrap
//! p-values, validity and agreement indices and the choice of k (gap statistic,
//! silhouette); and dimension reduction: PCA, t-SNE (exact and Barnes–Hut) with
//! trustworthiness, and classical MDS embeddings.
//!
//! Feature matrices come as [`peergroup_numeric::MatRef`] views (rows = items), distances
//! as condensed vectors (scipy `pdist` order). Clusterers share one trait family
//! ([`fit::Fit`], [`fit::Partition`], [`fit::Predict`]) with parameters validated up
//! front; every bad input is a [`ClusterError`], not a panic. Randomness is seeded and
//! thread-count independent.

pub mod bootstrap;
pub mod embed;
pub mod error;
pub mod fit;
pub mod gmm;
pub mod kmeans;
pub mod kprototypes;
pub mod labels;
pub mod linkage;
pub mod pca;
pub mod select;
pub mod stability;
pub mod tsne;
pub mod validity;
pub mod weighted_average;

pub use error::ClusterError;
pub use fit::{Clustering, Fit, Partition, Predict};
/// The matrix view every clusterer takes, re-exported so that callers need no direct
/// dependency on `peergroup-numeric`.
pub use peergroup_numeric::{MatRef, Matrix, ShapeError};
