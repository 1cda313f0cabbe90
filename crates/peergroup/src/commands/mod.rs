//! Commands: parse arguments, read inputs, call the pipeline stage, write outputs and
//! charts. One module per command, each with its clap `Args` and `run`.

pub mod cluster;
pub mod count_text;
pub mod demo;
pub mod evolve;
pub mod factor_inputs;
pub mod industry;
pub mod options;
pub mod periods;
pub mod rank;
pub mod rate;
pub mod reference;
pub mod render;
pub mod robustness;
pub mod segment;
pub mod serve;
pub mod similarity;
pub mod study;
pub mod style;
pub mod synth;

mod progress;

pub use progress::{observe_steps, set_verbose, step, StepObserver};

use std::fmt;

use peergroup_data::InputError;
use peergroup_io::OutputError;

/// A command's failure, with the process exit code it maps to.
#[derive(Debug)]
pub enum CommandError {
    /// Bad input or bad arguments: exit code 2.
    Input(InputError),
    /// The system failed (disk, permissions): exit code 1.
    System(String),
}

impl CommandError {
    /// Process exit code: 2 for bad input, 1 for system failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            CommandError::Input(_) => 2,
            CommandError::System(_) => 1,
        }
    }

    /// A usage error about an argument.
    pub fn usage(message: impl Into<String>) -> CommandError {
        CommandError::Input(InputError::new(message))
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Input(e) => e.fmt(f),
            CommandError::System(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for CommandError {}

impl From<InputError> for CommandError {
    /// Bad input (exit 2), unless reading the input failed for the system's sake
    /// ([`InputError::system`]: permissions, I/O errors, too little memory; exit 1).
    fn from(e: InputError) -> Self {
        if e.system {
            CommandError::System(e.to_string())
        } else {
            CommandError::Input(e)
        }
    }
}

impl From<peergroup_pipeline::SettingError> for CommandError {
    /// A bad setting, named by its flag.
    fn from(e: peergroup_pipeline::SettingError) -> Self {
        CommandError::Input(e.into())
    }
}

impl From<peergroup_cluster::ClusterError> for CommandError {
    fn from(e: peergroup_cluster::ClusterError) -> Self {
        CommandError::Input(InputError::new(e.to_string()))
    }
}

impl From<peergroup_cluster::ShapeError> for CommandError {
    fn from(e: peergroup_cluster::ShapeError) -> Self {
        peergroup_cluster::ClusterError::from(e).into()
    }
}

impl From<OutputError> for CommandError {
    fn from(e: OutputError) -> Self {
        match e {
            OutputError::Usage(e) => CommandError::Input(e),
            OutputError::Io(s) => CommandError::System(s),
        }
    }
}

/// Result of a command.
pub type CommandResult<T = ()> = Result<T, CommandError>;
