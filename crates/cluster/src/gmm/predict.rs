//! Most probable component of new rows under a fitted mixture.

use peergroup_numeric::MatRef;

use super::steps::{argmax, e_step, Params};
use super::GmmFit;
use crate::error::{check_features, check_len, ClusterError};
use crate::fit::Predict;

impl Predict<MatRef<'_>> for GmmFit {
    /// Most probable component of each row of `x` (the fitted data's columns) under the
    /// fitted mixture.
    fn predict(&self, x: MatRef<'_>) -> Result<Vec<usize>, ClusterError> {
        let (n, d, k) = (x.rows(), x.cols(), self.k);
        check_features(d)?;
        check_len(
            "columns of the data to predict",
            self.means.len() / k.max(1),
            d,
        )?;
        let mut p = Params {
            weights: self.weights.clone(),
            means: self.means.clone(),
            covs: self.covariances.clone(),
            singular: false,
        };
        let mut resp = vec![0.0; n * k];
        e_step(x.as_slice(), n, d, k, self.model, &mut p, &mut resp);
        Ok((0..n).map(|i| argmax(&resp[i * k..(i + 1) * k])).collect())
    }
}
