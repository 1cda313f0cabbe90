//! Errors of the numerical crates as input errors: every failure a stage can meet is a
//! problem with its input or settings.

use peergroup_cluster::ClusterError;
use peergroup_data::InputError;
use peergroup_numeric::ShapeError;

/// Turn a numerical crate's error into an [`InputError`] with the same message.
pub(crate) trait OrInput<T> {
    /// The value, or the error as an input error.
    fn or_input(self) -> Result<T, InputError>;
}

impl<T> OrInput<T> for Result<T, ClusterError> {
    fn or_input(self) -> Result<T, InputError> {
        self.map_err(|e| InputError::new(e.to_string()))
    }
}

impl<T> OrInput<T> for Result<T, ShapeError> {
    fn or_input(self) -> Result<T, InputError> {
        self.map_err(|e| InputError::new(ClusterError::from(e).to_string()))
    }
}
