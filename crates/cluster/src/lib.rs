//! Clustering for peer groups (SPEC §4). Under construction: each module is owned by one
//! engineer until it lands.

pub mod bootstrap;
pub mod embed;
pub mod gmm;
pub mod kmeans;
pub mod linkage;
pub mod validity;
