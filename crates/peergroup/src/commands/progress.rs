//! Progress display: a spinner on a terminal, silence otherwise.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// Print each step's wall-clock time to stderr.
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

/// Called with each step's message as it begins.
pub type StepObserver = Arc<dyn Fn(&str) + Send + Sync>;

/// The observer of [`step`], if a front end set one.
static OBSERVER: Mutex<Option<StepObserver>> = Mutex::new(None);

/// Tell `observer` about every step as it begins (`None`: stop); the Python package's
/// progress callback listens here.
pub fn observe_steps(observer: Option<StepObserver>) {
    *OBSERVER.lock().unwrap_or_else(PoisonError::into_inner) = observer;
}

/// A spinner with a message while `f` runs; hidden when stderr is not a terminal.
pub fn step<T>(message: &str, f: impl FnOnce() -> T) -> T {
    let observer = OBSERVER
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    if let Some(o) = observer {
        o(message);
    }
    let start = Instant::now();
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
    if VERBOSE.load(Ordering::Relaxed) {
        eprintln!("{message}: {:.3} s", start.elapsed().as_secs_f64());
    }
    out
}
