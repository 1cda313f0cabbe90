//! `cargo bench -p peergroup-cluster --bench kprototypes [-- --rows N ... --k K --restarts R]`:
//! k-prototypes on mixed data, by default 1,000,000 rows × (25 numeric + 4 categorical)
//! features, k = 5, one restart and the default ten. Prints one `key=value` line per run
//! (wall time of the whole `kprototypes` call, iterations of the best restart, cost, γ).
//!
//! Data: read from `$PEERGROUP_KPROTO_DATA/` when set (`shape.txt` = "n p q",
//! `numeric.f64` = n × p little-endian f64 row-major, `categorical.u32` = n × q
//! little-endian u32; `bench/kprototypes.py` writes them and runs Python `kmodes` on the
//! same rows), otherwise generated here from seed 1 (five planted groups: numeric group
//! centres N(0, 1.5²) plus unit noise, then z-scored per column; categorical columns with
//! 3, 5, 8 and 12 levels, the group's own level with probability 0.6, else uniform).
//! `--rows N` runs on the first N rows (repeatable).

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use peergroup_cluster::fit::Fit;
use peergroup_cluster::kprototypes::{KPrototypes, KPrototypesOptions, MixedRef};
use peergroup_numeric::MatRef;
use peergroup_random::Rng;

/// Numeric (n × p) and categorical (n × q) parts.
struct Data {
    n: usize,
    p: usize,
    q: usize,
    numeric: Vec<f64>,
    categorical: Vec<u32>,
}

fn read(dir: &str) -> Data {
    let shape = std::fs::read_to_string(format!("{dir}/shape.txt")).expect("shape.txt");
    let v: Vec<usize> = shape
        .split_whitespace()
        .map(|s| s.parse().expect("shape.txt: n p q"))
        .collect();
    let (n, p, q) = (v[0], v[1], v[2]);
    let raw = std::fs::read(format!("{dir}/numeric.f64")).expect("numeric.f64");
    assert_eq!(raw.len(), n * p * 8, "numeric.f64 size");
    let numeric = raw
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect();
    let raw = std::fs::read(format!("{dir}/categorical.u32")).expect("categorical.u32");
    assert_eq!(raw.len(), n * q * 4, "categorical.u32 size");
    let categorical = raw
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect();
    Data {
        n,
        p,
        q,
        numeric,
        categorical,
    }
}

fn generate(n: usize, p: usize, seed: u64) -> Data {
    let levels = [3u32, 5, 8, 12];
    let (groups, q) = (5, levels.len());
    let mut rng = Rng::new(seed);
    let centres: Vec<f64> = (0..groups * p).map(|_| 1.5 * rng.normal()).collect();
    let own: Vec<u32> = (0..groups * q)
        .map(|i| rng.below(u64::from(levels[i % q])) as u32)
        .collect();
    let mut numeric = Vec::with_capacity(n * p);
    let mut categorical = Vec::with_capacity(n * q);
    for _ in 0..n {
        let g = rng.below(groups as u64) as usize;
        numeric.extend((0..p).map(|f| centres[g * p + f] + rng.normal()));
        categorical.extend((0..q).map(|j| {
            if rng.bernoulli(0.6) {
                own[g * q + j]
            } else {
                rng.below(u64::from(levels[j])) as u32
            }
        }));
    }
    // z-score every numeric column, as the segment stage does.
    for f in 0..p {
        let mean = (0..n).map(|i| numeric[i * p + f]).sum::<f64>() / n as f64;
        let sd = ((0..n)
            .map(|i| (numeric[i * p + f] - mean).powi(2))
            .sum::<f64>()
            / n as f64)
            .sqrt();
        for i in 0..n {
            numeric[i * p + f] = (numeric[i * p + f] - mean) / sd;
        }
    }
    Data {
        n,
        p,
        q,
        numeric,
        categorical,
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut rows = Vec::new();
    let mut restarts = Vec::new();
    let mut k = 5;
    let mut i = 0;
    while i < args.len() {
        let value = || -> usize {
            args.get(i + 1)
                .and_then(|v| v.replace('_', "").parse().ok())
                .unwrap_or_else(|| panic!("{} needs a number", args[i]))
        };
        match args[i].as_str() {
            "--rows" => rows.push(value()),
            "--restarts" => restarts.push(value()),
            "--k" => k = value(),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    if restarts.is_empty() {
        restarts = vec![1, 10];
    }
    let t0 = Instant::now();
    let data = match std::env::var("PEERGROUP_KPROTO_DATA") {
        Ok(dir) => read(&dir),
        Err(_) => generate(1_000_000, 25, 1),
    };
    println!(
        "data n={} p={} q={} load_seconds={:.3} threads={}",
        data.n,
        data.p,
        data.q,
        t0.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    if rows.is_empty() {
        rows.push(data.n);
    }
    for &m in &rows {
        let m = m.min(data.n);
        let numeric = &data.numeric[..m * data.p];
        let categorical = &data.categorical[..m * data.q];
        for &r in &restarts {
            let options = KPrototypesOptions {
                restarts: r,
                seed: 1,
                ..Default::default()
            };
            let t = Instant::now();
            let numeric = MatRef::new(numeric, m, data.p).expect("m × p values");
            let mixed = MixedRef::new(numeric, categorical, data.q).expect("m × q codes");
            let fit = KPrototypes::new(k)
                .options(options)
                .fit(mixed)
                .expect("valid k-prototypes parameters");
            let seconds = t.elapsed().as_secs_f64();
            println!(
                "kprototypes rows={m} k={k} restarts={r} seconds={seconds:.4} iterations={} \
                 converged={} cost={:.6} gamma={:.6}",
                fit.iterations, fit.converged, fit.cost, fit.gamma
            );
        }
    }
}
