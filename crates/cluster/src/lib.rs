//! Clustering for peer groups (SPEC §4): hierarchical linkage (scipy's conventions),
//! k-means, Gaussian mixtures with BIC model selection, pvclust-style multiscale
//! bootstrap p-values, classical MDS embeddings, and validity and agreement indices.
//!
//! Everything takes condensed distances (scipy `pdist` order) or row-major feature
//! matrices and returns plain results; randomness is seeded and thread-count independent.

pub mod bootstrap;
pub mod embed;
pub mod gmm;
pub mod kmeans;
pub mod linkage;
pub mod validity;
