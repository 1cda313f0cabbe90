//! glibc's allocator settings for how peergroup uses memory.

/// Set glibc's allocator for how peergroup uses memory: a few large tables built once,
/// then blocks of a few MB allocated and freed over and over by several threads. By
/// default, blocks above the mmap threshold and the tops of per-thread heaps go back to
/// the kernel when freed, and the next block faults in fresh zeroed pages. On the
/// development VM each fresh page costs ~1.4-2.4 us. One arena that is never trimmed
/// reuses freed memory instead: the 45M-row industry run faulted ~15% fewer pages
/// (536-550k -> 461-469k) and spent ~1 s less in the kernel (bench/README.md).
///
/// Call it first thing in `main`, before any other thread exists.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune_allocator() {
    // SAFETY: mallopt only changes allocator parameters, and this runs before any other
    // thread exists. A refused setting leaves glibc's default.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
        // glibc's largest allowed threshold (32 MiB on 64-bit), fixed rather than grown
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

/// Outside Linux with glibc there is nothing to set: other allocators keep their defaults.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator() {}
