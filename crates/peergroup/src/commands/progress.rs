//! Progress display: a spinner on a terminal, silence otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner with a message while `f` runs; hidden when stderr is not a terminal.
pub(crate) fn step<T>(message: &str, f: impl FnOnce() -> T) -> T {
    let pb = if std::io::stderr().is_terminal() {
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"),
        );
        pb.set_message(message.to_string());
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    } else {
        ProgressBar::hidden()
    };
    let out = f();
    pb.finish_and_clear();
    out
}
