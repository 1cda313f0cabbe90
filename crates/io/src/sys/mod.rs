//! Operating-system speed-ups, one file per mechanism, each with a portable fallback:
//! the rest of the crate (and the CLI, for the allocator) reaches them only through
//! here, so platform-specific code lives in this module alone.
//!
//! - `huge_pages`: transparent huge pages behind large fresh columns (Linux; a no-op
//!   elsewhere).
//! - `preallocate`: disk blocks reserved ahead of the writes on ext4 (Linux; a plain
//!   file elsewhere).
//! - `memory_map`: input files mapped from the page cache (where the platform maps
//!   them; read into memory otherwise).
//! - `replace`: atomic replacement of outputs by exchange (Linux; a rename elsewhere).
//! - [`tune_allocator`]: glibc's malloc settings (Linux with glibc; a no-op elsewhere).

mod allocator;
pub(crate) mod huge_pages;
pub(crate) mod memory_map;
pub(crate) mod preallocate;
pub(crate) mod replace;

pub use allocator::tune_allocator;
