//! Per-group accumulation by streaming: groups (entities, users) are split into one
//! contiguous range per thread, and each thread scans every row in order, keeping the rows
//! of its own groups. Rows are read sequentially (no gathers), each group's output is
//! touched by one thread only, and each group's sums run in row order, so results do not
//! depend on the number of threads.

use rayon::prelude::*;

/// Key meaning "this row belongs to no group".
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// Runs `work(lo, hi, part)` in parallel for contiguous group ranges `lo..hi` covering
/// `0..n_groups`, where `part = &mut out[lo·width..hi·width]`; returns the results in
/// range order.
pub(crate) fn by_group_ranges<T: Send, R: Send>(
    out: &mut [T],
    width: usize,
    n_groups: usize,
    work: impl Fn(usize, usize, &mut [T]) -> R + Sync + Send,
) -> Vec<R> {
    assert!(width > 0, "by_group_ranges: width must be positive");
    assert_eq!(
        out.len(),
        n_groups * width,
        "by_group_ranges: out must be n_groups × width"
    );
    if n_groups == 0 {
        return Vec::new();
    }
    let parts = rayon::current_num_threads().max(1);
    let per = n_groups.div_ceil(parts);
    out.par_chunks_mut(per * width)
        .enumerate()
        .map(|(p, chunk)| {
            let lo = p * per;
            work(lo, lo + chunk.len() / width, chunk)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_every_group_once() {
        let keys = [2u32, 0, NO_GROUP, 2, 0, 4];
        let mut out = vec![0.0; 5 * 2];
        let seen: usize = by_group_ranges(&mut out, 2, 5, |lo, hi, part| {
            let mut n = 0;
            for (r, &k) in keys.iter().enumerate() {
                let k = k as usize;
                if (lo..hi).contains(&k) {
                    part[(k - lo) * 2] += r as f64;
                    part[(k - lo) * 2 + 1] += 1.0;
                    n += 1;
                }
            }
            n
        })
        .into_iter()
        .sum();
        assert_eq!(seen, 5);
        assert_eq!(out, [5.0, 2.0, 0.0, 0.0, 3.0, 2.0, 0.0, 0.0, 5.0, 1.0]);
    }
}
