//! The clusterer trait family (linfa's vocabulary): validated parameters [`Fit`] data
//! into a model that is a [`Partition`] of the items; a model that can place new items
//! also implements [`Predict`]. [`crate::select::KSelect`] sweeps a member over k.
//!
//! ```
//! use peergroup_cluster::fit::{Fit, Partition, Predict};
//! use peergroup_cluster::kmeans::KMeans;
//! use peergroup_numeric::MatRef;
//!
//! let data = [0.0, 0.1, 0.2, 9.0, 9.1, 9.2];
//! let x = MatRef::new(&data, 6, 1).unwrap();
//! let fit = KMeans::new(2).restarts(3).seed(1).fit(x).unwrap();
//! assert_eq!(fit.labels(), &[0, 0, 0, 1, 1, 1]);
//! let new = [8.0, 1.0];
//! assert_eq!(fit.predict(MatRef::new(&new, 2, 1).unwrap()).unwrap(), vec![1, 0]);
//! assert!(KMeans::new(7).fit(x).is_err());
//! ```

use crate::error::ClusterError;

/// A clustering of items: a label per item and the cost the method minimised.
pub trait Partition {
    /// Cluster of each item, `0..k`.
    fn labels(&self) -> &[usize];
    /// Within-cluster cost of the partition, in the method's units (e.g. units² for
    /// k-means inertia, nats for a mixture's negative log-likelihood).
    fn cost(&self) -> f64;
}

/// Validated parameters of a clustering method, fitted to data of type `D` (a
/// [`peergroup_numeric::MatRef`] of features, or [`crate::kprototypes::MixedRef`]).
pub trait Fit<D> {
    /// The fitted model.
    type Model: Partition;
    /// Fits the data; errors on parameters that do not suit it (k > items, non-finite
    /// values, …) before any work starts.
    fn fit(&self, data: D) -> Result<Self::Model, ClusterError>;
}

/// A fitted model that assigns new items (of the fitted data's shape) to its clusters.
pub trait Predict<D> {
    /// Cluster of each new item, `0..k`.
    fn predict(&self, data: D) -> Result<Vec<usize>, ClusterError>;
}

/// A partition without a model (e.g. a dendrogram cut): labels and cost only.
#[derive(Clone, Debug, PartialEq)]
pub struct Clustering {
    /// Cluster of each item, `0..k`.
    pub labels: Vec<usize>,
    /// Within-cluster cost, in the method's units.
    pub cost: f64,
}

impl Partition for Clustering {
    fn labels(&self) -> &[usize] {
        &self.labels
    }

    fn cost(&self) -> f64 {
        self.cost
    }
}
