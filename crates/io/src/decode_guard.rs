//! The Parquet decoder (the `parquet` crate) panics on some damaged pages instead of
//! returning an error (for example "Decoder for dict should have been set" when a page
//! header's encoding byte is corrupted). Its calls run under [`guarded`], which turns
//! such a panic into an error message and keeps the panic's report off stderr, so a
//! damaged file is one more bad input (exit 2), not a crash.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside [`guarded`] (its panics are reported as errors).
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Installs, once, a panic hook that stays silent inside [`guarded`] and hands every
/// other panic to the hook that was there before.
static HOOK: Once = Once::new();

/// Run `f`, returning the message of its panic as `Err` instead of unwinding.
pub(crate) fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(outer));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder failed".to_string())
    })
}
