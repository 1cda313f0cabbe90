//! The mixed data: the public view [`MixedRef`], its checks, and the row access the
//! passes share.

use peergroup_numeric::MatRef;

use super::dissimilarity;
use super::params::check_gamma;
use crate::error::{check_finite, check_len, ClusterError};

/// Mixed data of n rows: a numeric part (n × p, finite, already scaled) and a
/// categorical part (n × q row-major `u32` codes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MixedRef<'a> {
    numeric: MatRef<'a>,
    categorical: &'a [u32],
    q: usize,
}

impl<'a> MixedRef<'a> {
    /// Rows of `numeric` beside `categorical` read as `numeric.rows() × q`; errors when
    /// the categorical part does not hold that many codes.
    pub fn new(
        numeric: MatRef<'a>,
        categorical: &'a [u32],
        q: usize,
    ) -> Result<Self, ClusterError> {
        check_len(
            "categorical part (n × q)",
            numeric.rows().saturating_mul(q),
            categorical.len(),
        )?;
        Ok(MixedRef {
            numeric,
            categorical,
            q,
        })
    }

    /// Number of rows n.
    pub fn rows(&self) -> usize {
        self.numeric.rows()
    }

    /// Numeric features p.
    pub fn p(&self) -> usize {
        self.numeric.cols()
    }

    /// Categorical features q.
    pub fn q(&self) -> usize {
        self.q
    }

    /// The numeric part, n × p.
    pub fn numeric(&self) -> MatRef<'a> {
        self.numeric
    }

    /// The categorical part, n × q row-major codes.
    pub fn categorical(&self) -> &'a [u32] {
        self.categorical
    }

    /// Numeric part of row i.
    pub fn num(&self, i: usize) -> &'a [f64] {
        self.numeric.row(i)
    }

    /// Categorical part of row i.
    pub fn cat(&self, i: usize) -> &'a [u32] {
        &self.categorical[i * self.q..(i + 1) * self.q]
    }
}

/// Shapes of one data set, shared by the passes.
#[derive(Clone, Copy)]
pub(super) struct Data<'a> {
    pub(super) numeric: &'a [f64],
    pub(super) categorical: &'a [u32],
    pub(super) n: usize,
    pub(super) p: usize,
    pub(super) q: usize,
    pub(super) gamma: f64,
}

impl Data<'_> {
    pub(super) fn num(&self, i: usize) -> &[f64] {
        &self.numeric[i * self.p..(i + 1) * self.p]
    }

    pub(super) fn cat(&self, i: usize) -> &[u32] {
        &self.categorical[i * self.q..(i + 1) * self.q]
    }

    /// Dissimilarity of row i to a prototype (centre, mode).
    pub(super) fn dissim(&self, i: usize, centre: &[f64], mode: &[u32]) -> f64 {
        dissimilarity(self.num(i), self.cat(i), centre, mode, self.gamma)
    }
}

/// Prototypes held by numeric parts of `centroids` values and categorical parts of
/// `modes` values (whichever part exists).
pub(super) fn prototype_count(centroids: usize, modes: usize, p: usize, q: usize) -> usize {
    centroids
        .checked_div(p)
        .or_else(|| modes.checked_div(q))
        .unwrap_or(0)
}

/// Checks the data (at least one feature, finite numerics) and γ, and returns the level
/// count of every categorical column.
pub(super) fn check(data: &MixedRef<'_>, gamma: f64) -> Result<Vec<usize>, ClusterError> {
    let (p, q) = (data.p(), data.q());
    if p + q == 0 {
        return Err(ClusterError::TooFew {
            what: "features",
            need: 1,
            found: 0,
        });
    }
    check_finite("numeric features", data.numeric().as_slice())?;
    check_gamma(gamma)?;
    let mut levels = vec![0usize; q];
    for row in data.categorical().chunks_exact(q.max(1)) {
        for (l, &v) in levels.iter_mut().zip(row) {
            *l = (*l).max(v as usize + 1);
        }
    }
    Ok(levels)
}

/// The shared pass state of a data set and γ.
pub(super) fn passes<'a>(data: &MixedRef<'a>, gamma: f64) -> Data<'a> {
    Data {
        numeric: data.numeric().as_slice(),
        categorical: data.categorical(),
        n: data.rows(),
        p: data.p(),
        q: data.q(),
        gamma,
    }
}
