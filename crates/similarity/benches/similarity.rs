//! `cargo bench -p peergroup-similarity`: S_SYST for 5,000 funds × 14 factors (12.5M
//! pairs × 196 factor pairs), target < 1 s on 2 cores.
//!
//! Exposures are long-only style betas with about 30% of the factors selected per fund
//! (sparse, as stepwise selection gives); a dense case (every factor held) is timed too.
//! S_X is built from two attributes (asset class, region) with cross-label values, so
//! most of its entries are nonzero.

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use peergroup_random::Rng;
use peergroup_similarity::{
    condensed_distance_from, correlation, rescaled_condensed, systematic_similarity,
    systematic_similarity_condensed, Attribute, ExposureScale, FactorSimilarity, MissingReturns,
};

fn exposures(rng: &mut Rng, n: usize, k: usize, p_nonzero: f64) -> Vec<f64> {
    let mut x = vec![0.0; n * k];
    for f in 0..n {
        let row = &mut x[f * k..(f + 1) * k];
        for b in row.iter_mut() {
            if rng.bernoulli(p_nonzero) {
                *b = rng.uniform();
            }
        }
        row[f % k] += 0.2;
        let sum: f64 = row.iter().sum();
        row.iter_mut().for_each(|b| *b /= sum);
    }
    x
}

fn factor_similarity(k: usize) -> FactorSimilarity {
    let names: Vec<String> = (0..k).map(|j| format!("F{j}")).collect();
    let classes = ["equity", "bond", "commodity", "cash"];
    let regions = ["us", "europe", "asia"];
    let class = Attribute {
        name: "asset_class".into(),
        labels: (0..k).map(|j| classes[j % 4].to_string()).collect(),
        cross: vec![
            ("bond".into(), "cash".into(), 0.6),
            ("equity".into(), "bond".into(), 0.2),
        ],
    };
    let region = Attribute {
        name: "region".into(),
        labels: (0..k).map(|j| regions[j % 3].to_string()).collect(),
        cross: vec![
            ("us".into(), "europe".into(), 0.5),
            ("europe".into(), "asia".into(), 0.3),
            ("us".into(), "asia".into(), 0.3),
        ],
    };
    FactorSimilarity::from_attributes(&names, &[class, region], None).expect("valid attributes")
}

/// CPU seconds used by this process so far (all threads), from /proc on Linux: on a
/// shared machine wall time includes other processes' load, CPU time does not.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on every mainstream Linux configuration.
    Some(ticks / 100.0)
}

fn time<T>(label: &str, reps: usize, mut f: impl FnMut() -> T) -> T {
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps {
        let c0 = cpu_seconds();
        let t0 = Instant::now();
        let r = f();
        best = best.min(t0.elapsed().as_secs_f64());
        if let (Some(c0), Some(c1)) = (c0, cpu_seconds()) {
            best_cpu = best_cpu.min(c1 - c0);
        }
        out = Some(r);
    }
    if best_cpu.is_finite() {
        println!("{label:<50} {best:>7.3} s wall, {best_cpu:>6.2} s CPU (best of {reps})");
    } else {
        println!("{label:<50} {best:>7.3} s wall (best of {reps})");
    }
    out.expect("at least one repetition")
}

fn main() {
    let (n, k) = (5_000usize, 14usize);
    let sx = factor_similarity(k);
    let nonzero = sx.matrix().iter().filter(|v| **v != 0.0).count();
    println!(
        "{n} funds × {k} factors, {} pairs, S_X with {nonzero}/{} nonzero entries, {} threads",
        n * (n - 1) / 2,
        k * k,
        rayon::current_num_threads()
    );
    let mut rng = Rng::new(7);
    for (label, p) in [
        ("sparse exposures (~30% held)", 0.3),
        ("dense exposures (all held)", 1.0),
    ] {
        let x = exposures(&mut rng, n, k, p);
        let held = x.iter().filter(|b| **b != 0.0).count() as f64 / n as f64;
        println!("{label}: {held:.1} factors held per fund on average");
        let c = time("  S_SYST condensed (upper triangle + diagonal)", 3, || {
            systematic_similarity_condensed(&x, n, &sx, ExposureScale::Raw).expect("finite")
        });
        time("  S_SYST full n×n matrix", 3, || {
            systematic_similarity(&x, n, &sx, ExposureScale::Raw).expect("finite")
        });
        time("  condensed → full n×n", 3, || c.to_full());
        let s = time("  rescale to S* (condensed)", 3, || rescaled_condensed(&c));
        time("  clustering distance 1 − S* (condensed)", 3, || {
            condensed_distance_from(&s)
        });
    }
    // The correlation baseline on two years of weekly returns, no gaps.
    let t = 104;
    let market: Vec<f64> = (0..t).map(|_| rng.gaussian(0.001, 0.02)).collect();
    let returns: Vec<f64> = (0..n * t)
        .map(|p| rng.uniform_range(0.3, 1.3) * market[p % t] + rng.gaussian(0.0, 0.01))
        .collect();
    time("correlation baseline, 104 weekly returns", 3, || {
        correlation(&returns, n, t, 52, MissingReturns::PairwiseComplete).expect("valid window")
    });
}
