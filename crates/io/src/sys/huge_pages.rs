//! Large freshly allocated columns backed by transparent huge pages where the kernel
//! offers them on request.
//!
//! Parsing a CSV file of daily industry data fills five columns of 2-4 MB per 500k rows,
//! first touched by the parsing threads: with 4 KiB pages that is one page fault per
//! 4 KiB (about 3,600 of the small benchmark's 7,100 faults, at ~2 us each on the CI
//! machine). Where transparent huge pages are enabled "on request" (`madvise`, the
//! common default), asking for them turns every whole 2 MiB inside such a column into a
//! single fault. Measured on the small benchmark: ~1,500 fewer faults, 1-3% less wall
//! time in interleaved runs, also with the page cache filling memory (no compaction
//! stalls seen). Only those five columns ask: glibc's `hugetlb` tunable, which asks for
//! every allocation, made the 45M-row run much slower (bench/README.md).

/// Ask for huge pages behind `v` (a hint; nothing changes where the kernel declines).
/// Call it before the first write to `v`, so its pages are not faulted in small yet.
pub(crate) fn advise<T>(v: &mut [T]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        const HUGE: usize = 2 << 20;
        let start = v.as_mut_ptr() as usize;
        let end = start + std::mem::size_of_val(v);
        // The advice is per page; whole pages around `v` may belong to neighbouring
        // allocations, for which it is a harmless hint too.
        let (from, to) = (start & !(PAGE - 1), end.next_multiple_of(PAGE));
        if to - from >= HUGE {
            // SAFETY: madvise with MADV_HUGEPAGE only changes how the kernel backs
            // mapped memory of this process; it never changes its contents or validity.
            unsafe {
                libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}
