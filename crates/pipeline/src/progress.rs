//! Progress of a stage's countable work (funds, windows, dates, bootstrap replicates),
//! reported to whichever front end is watching; stages never draw anything themselves.

/// Receives a stage's progress; implementations must be cheap, as `advance` may be called
/// from many threads.
pub trait Progress: Sync {
    /// Countable work begins: `total` units of `what` (e.g. "funds").
    fn start(&self, what: &str, total: u64);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// A step whose size is unknown begins.
    fn note(&self, what: &str);
}

/// Progress that goes nowhere: for callers that do not watch.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _what: &str, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn note(&self, _what: &str) {}
}
