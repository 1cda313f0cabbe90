//! The one error type of the cluster crate: every parameter and input a caller supplies is
//! checked before any work starts, and a bad one is reported here instead of panicking.

use std::fmt;

use peergroup_numeric::ShapeError;

/// Why a clustering, embedding or index could not be computed from the given input.
#[derive(Clone, Debug, PartialEq)]
pub enum ClusterError {
    /// A flat array does not hold a whole `rows × cols` matrix.
    Shape(ShapeError),
    /// Two inputs that must describe the same items (or the same features) differ in
    /// length: `what` expected `expected` values and got `found`.
    Length {
        /// The input that has the wrong length.
        what: &'static str,
        /// Values it should hold.
        expected: usize,
        /// Values it holds.
        found: usize,
    },
    /// The number of clusters is not in `1..=items`.
    K {
        /// Clusters asked for.
        k: usize,
        /// Items to cluster.
        items: usize,
    },
    /// Fewer items than the method needs.
    TooFew {
        /// What is counted (e.g. "rows").
        what: &'static str,
        /// Least number needed.
        need: usize,
        /// Number given.
        found: usize,
    },
    /// A setting is out of its range: `name = value`, which must satisfy `rule`.
    Parameter {
        /// The setting.
        name: &'static str,
        /// Its value, as given.
        value: String,
        /// The range it must lie in.
        rule: &'static str,
    },
    /// The input holds NaN or infinite values where the method needs finite numbers.
    NonFinite {
        /// The input concerned.
        what: &'static str,
    },
}

impl ClusterError {
    /// A [`ClusterError::Parameter`] for `name = value` violating `rule`.
    pub fn parameter(name: &'static str, value: impl fmt::Display, rule: &'static str) -> Self {
        ClusterError::Parameter {
            name,
            value: value.to_string(),
            rule,
        }
    }
}

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClusterError::Shape(e) => e.fmt(f),
            ClusterError::Length {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected {expected} values, got {found}"),
            ClusterError::K { k, items } => {
                write!(f, "need 1 ≤ k ≤ {items} (the number of items), got k = {k}")
            }
            ClusterError::TooFew { what, need, found } => {
                write!(f, "need at least {need} {what}, got {found}")
            }
            ClusterError::Parameter { name, value, rule } => {
                write!(f, "{name} = {value}: must be {rule}")
            }
            ClusterError::NonFinite { what } => {
                write!(f, "{what} must be finite (no NaN or infinity)")
            }
        }
    }
}

impl std::error::Error for ClusterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClusterError::Shape(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ShapeError> for ClusterError {
    fn from(e: ShapeError) -> Self {
        ClusterError::Shape(e)
    }
}

/// `Ok` if `1 ≤ k ≤ items`.
pub(crate) fn check_k(k: usize, items: usize) -> Result<(), ClusterError> {
    if k >= 1 && k <= items {
        Ok(())
    } else {
        Err(ClusterError::K { k, items })
    }
}

/// `Ok` if every value is finite.
pub(crate) fn check_finite(what: &'static str, values: &[f64]) -> Result<(), ClusterError> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(ClusterError::NonFinite { what })
    }
}

/// `Ok` if `found == expected`.
pub(crate) fn check_len(
    what: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), ClusterError> {
    if found == expected {
        Ok(())
    } else {
        Err(ClusterError::Length {
            what,
            expected,
            found,
        })
    }
}

/// `Ok` if there is at least one feature column.
pub(crate) fn check_features(d: usize) -> Result<(), ClusterError> {
    if d >= 1 {
        Ok(())
    } else {
        Err(ClusterError::TooFew {
            what: "features",
            need: 1,
            found: 0,
        })
    }
}
