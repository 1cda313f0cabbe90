//! `cargo bench -p peergroup-cluster --bench linkage [-- N...]`: average linkage on N random
//! points (default N = 5,000 and 20,000), condensed Euclidean distances generated directly
//! and handed over by value, so the condensed matrix (8·N(N−1)/2 bytes) is the only O(N²)
//! allocation. Prints the linkage time and the process's peak resident memory.
//!
//! Reference on the project machine (2 cores): SciPy 1.17.1 `linkage(d, "average")` takes
//! 1.1 s at N = 5,000 and 47.5 s at N = 20,000.

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use peergroup_cluster::linkage::{feature_distances, linkage_owned, Linkage, Metric};
use peergroup_numeric::MatRef;
use peergroup_random::Rng;

/// Peak resident set size of this process in bytes (Linux `VmHWM`), if readable.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![5_000, 20_000];
    }
    let d = 5;
    for n in sizes {
        let mut rng = Rng::new(n as u64);
        let x: Vec<f64> = (0..n * d).map(|_| rng.uniform()).collect();
        let t0 = Instant::now();
        let condensed = feature_distances(
            MatRef::new(&x, n, d).expect("n × d values"),
            Metric::Euclidean,
        );
        let t_dist = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let z = linkage_owned(condensed, n, Linkage::Average).expect("finite distances");
        let t_link = t1.elapsed().as_secs_f64();
        let matrix_bytes = 8.0 * (n * (n - 1) / 2) as f64;
        let peak = peak_rss().map_or(f64::NAN, |b| b as f64);
        println!(
            "average linkage N = {n}: {t_link:.3} s (distances {t_dist:.3} s); top height {:.4}; \
             peak RSS {:.0} MB = {:.3} × condensed matrix ({:.0} MB)",
            z.merges.last().map_or(0.0, |m| m.height),
            peak / 1e6,
            peak / matrix_bytes,
            matrix_bytes / 1e6
        );
    }
}
