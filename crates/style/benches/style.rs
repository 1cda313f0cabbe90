//! `cargo bench -p peergroup-style`: single-thread throughput of the style kernels on
//! synthetic data shaped like the targets (13 factors, weekly data).
//!
//! * rolling Sharpe fits, 104-week window, step 1 (target ≥ 50,000 fits/s per core), on
//!   50 funds of its own random data and on the universe `bench/style.py` uses
//!   (`peergroup synth universe --funds 2000 --factors 13 --periods 260 --groups 8
//!   --seed 1`, 314,000 window-fits): the estimation step of `peergroup style` without
//!   reading and writing, best of 3;
//! * dynamic style analysis with λ search, one fund × 260 weeks × 13 factors (< 50 ms).

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use peergroup_random::Rng;
use peergroup_style::{
    analyse, dsa, Constraints, DsaProblem, Lambda, Method, StyleProblem, StyleSpec,
};
use peergroup_synth::{universe, UniverseConfig};

fn main() {
    let (n, t) = (13usize, 260usize);
    let mut rng = Rng::new(1);
    let loads: Vec<f64> = (0..n).map(|_| rng.uniform_range(0.4, 1.2)).collect();
    let mut x = vec![0.0; t * n];
    for s in 0..t {
        let m = rng.gaussian(0.002, 0.02);
        for k in 0..n {
            x[s * n + k] = loads[k] * m + rng.gaussian(0.001, 0.01);
        }
    }
    let funds = 50;
    let mut r = vec![0.0; funds * t];
    for i in 0..funds {
        let mut b: Vec<f64> = (0..n)
            .map(|_| {
                if rng.bernoulli(0.3) {
                    rng.uniform()
                } else {
                    0.0
                }
            })
            .collect();
        b[i % n] += 0.5;
        let sum: f64 = b.iter().sum();
        for s in 0..t {
            r[i * t + s] =
                (0..n).map(|k| x[s * n + k] * b[k] / sum).sum::<f64>() + rng.gaussian(0.0, 0.005);
        }
    }
    let names: Vec<String> = (0..n).map(|k| format!("F{k}")).collect();
    let fund_names: Vec<String> = (0..funds).map(|i| format!("f{i}")).collect();
    let factors: Vec<f64> = (0..n)
        .flat_map(|k| (0..t).map(|s| x[s * n + k]).collect::<Vec<_>>())
        .collect();
    let years: Vec<i32> = (0..t).map(|s| 2015 + (s / 52) as i32).collect();
    let p = StyleProblem {
        factor_names: &names,
        factors: &factors,
        fund_names: &fund_names,
        funds: &r,
        years: &years,
    };
    let spec = StyleSpec {
        method: Method::Sharpe,
        constraints: Constraints::SHARPE,
        window: Some(104),
        step: 1,
        min_obs: None,
        selection: None,
        lambda: Lambda::Auto,
        periods_per_year: 52.0,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        let _ = analyse(&p, &spec).unwrap();
        let reps = 5;
        let start = Instant::now();
        let mut fits = 0;
        for _ in 0..reps {
            fits += analyse(&p, &spec).unwrap().fits.len();
        }
        let secs = start.elapsed().as_secs_f64();
        println!("rolling Sharpe, 13 factors, 104-week window, step 1: {:.0} window-fits/s on one core ({fits} fits in {secs:.3} s)", fits as f64 / secs);

        let u = universe(&UniverseConfig {
            funds: 2000,
            factors: 13,
            periods: 260,
            groups: 8,
            seed: 1,
            ..UniverseConfig::default()
        });
        let years: Vec<i32> = u.dates.iter().map(|d| d.year()).collect();
        let big = StyleProblem {
            factor_names: &u.factor_names,
            factors: &u.factor_returns,
            fund_names: &u.fund_names,
            funds: &u.fund_returns,
            years: &years,
        };
        let mut best = f64::INFINITY;
        let mut fits = 0;
        for _ in 0..3 {
            let start = Instant::now();
            fits = analyse(&big, &spec).unwrap().fits.len();
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!("rolling Sharpe on the bench/style.py universe (2,000 funds × 260 weeks × 13 factors): {:.0} window-fits/s on one core, {:.3} µs per fit ({fits} fits in {best:.3} s, best of 3)", fits as f64 / best, best * 1e6 / fits as f64);

        let prob = DsaProblem { x: &x, r: &r[..t], block: &years, n };
        let _ = dsa(&prob, true, false, Lambda::Auto).unwrap();
        let reps = 10;
        let start = Instant::now();
        let mut lam = 0.0;
        for i in 0..reps {
            let prob = DsaProblem { x: &x, r: &r[i * t..(i + 1) * t], block: &years, n };
            lam = dsa(&prob, true, false, Lambda::Auto).unwrap().lambda;
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / reps as f64;
        println!("DSA (budget) with λ search, 260 weeks × 13 factors: {ms:.1} ms per fund (last λ {lam:.3e})");
        let start = Instant::now();
        for i in 0..3 {
            let prob = DsaProblem { x: &x, r: &r[i * t..(i + 1) * t], block: &years, n };
            let _ = dsa(&prob, true, true, Lambda::Auto).unwrap();
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / 3.0;
        println!("DSA long-only (λ search on the sign-free model, clarabel path), 260 × 13: {ms:.1} ms per fund");
    });
}
