//! The numeric vocabulary every stage shares: a row-major matrix view instead of loose
//! `(x, n, d)` triples ([`matrix`]), the distribution functions ([`stats`]: normal,
//! χ², gamma) and small dense linear algebra ([`linalg`]: Cholesky, symmetric eigen).
//!
//! ```
//! use peergroup_numeric::MatRef;
//! let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
//! let m = MatRef::new(&x, 3, 2).unwrap();
//! assert_eq!(m.row(1), &[3.0, 4.0]);
//! assert_eq!(m.get(2, 0), 5.0);
//! ```

pub mod linalg;
pub mod matrix;
pub mod stats;

pub use matrix::{MatRef, Matrix, ShapeError};
