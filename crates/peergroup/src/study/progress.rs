//! One progress bar per stage on a terminal: counts and an ETA where the work is
//! countable, a spinner otherwise; nothing when stderr is not a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use peergroup_pipeline::Progress;

/// The bars of a run.
pub struct Bars {
    multi: MultiProgress,
    /// Drawn on a terminal.
    shown: bool,
}

impl Bars {
    /// Bars drawn on stderr when it is a terminal, hidden otherwise.
    pub fn new() -> Bars {
        let shown = std::io::stderr().is_terminal();
        let target = if shown {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Bars {
            multi: MultiProgress::with_draw_target(target),
            shown,
        }
    }

    /// The run is over: leave the finished bars on screen and end their last line, so
    /// that what is printed next starts on a line of its own.
    pub fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }

    /// A bar for stage `name`, spinning until the stage says how much work it has.
    pub fn stage(&self, name: &str) -> StageBar {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(spinner_style());
        bar.set_prefix(format!("{name:<18}"));
        bar.set_message("running");
        bar.enable_steady_tick(Duration::from_millis(120));
        StageBar { bar }
    }

    /// A finished line for a stage kept from the previous run.
    pub fn reused(&self, name: &str) {
        let bar = self.multi.add(ProgressBar::new(1));
        bar.set_style(ProgressStyle::with_template("  {prefix} {msg}").expect("valid template"));
        bar.set_prefix(format!("{name:<18}"));
        bar.finish_with_message("reused (inputs and settings unchanged)");
    }
}

/// The bar of one stage.
pub struct StageBar {
    bar: ProgressBar,
}

impl StageBar {
    /// The stage finished in `seconds`.
    pub fn done(&self, seconds: f64) {
        self.bar
            .set_style(ProgressStyle::with_template("✓ {prefix} {msg}").expect("valid template"));
        self.bar
            .finish_with_message(format!("computed in {seconds:.1} s"));
    }

    /// The stage failed.
    pub fn abandon(&self) {
        self.bar.abandon_with_message("failed");
    }
}

impl Progress for StageBar {
    fn start(&self, what: &str, total: u64) {
        self.bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {prefix} [{bar:24}] {pos}/{len} {msg} (ETA {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.bar.set_message(what.to_string());
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn note(&self, what: &str) {
        self.bar.set_style(spinner_style());
        self.bar.set_message(what.to_string());
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]").expect("valid template")
}
