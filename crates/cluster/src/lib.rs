//! Clustering for peer groups and segments (SPEC §4 and §6): hierarchical linkage
//! (scipy's conventions), k-means, k-prototypes for mixed numeric/categorical data,
//! Gaussian mixtures with BIC model selection, pvclust-style multiscale bootstrap
//! p-values, validity and agreement indices and the choice of k (gap statistic,
//! silhouette); and dimension reduction: PCA, t-SNE (exact and Barnes–Hut) with
//! trustworthiness, and classical MDS embeddings.
//!
//! Everything takes condensed distances (scipy `pdist` order) or row-major feature
//! matrices and returns plain results; randomness is seeded and thread-count independent.

pub mod bootstrap;
pub mod embed;
pub mod gmm;
pub mod kmeans;
pub mod kprototypes;
pub mod linkage;
pub mod pca;
pub mod select;
pub mod tsne;
pub mod validity;
