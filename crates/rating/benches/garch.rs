//! Throughput of the AT-GARCH estimator on one core.
//!
//!     cargo bench -p peergroup-rating --bench garch
//!     PEERGROUP_GARCH_CSV=returns.csv cargo bench -p peergroup-rating --bench garch
//!
//! Without a file it simulates 200 series of 1,600 daily returns; with one it reads a wide
//! table (`date,<fund>...`, as written by `peergroup synth garch`). It times, single
//! threaded, (1) the GARCH(1,1) fit (δ fixed at 0; what Python `arch` fits), and (2) the
//! whole rating of a series (AT-GARCH fit, robust t-tests, restricted refit, ARCH-LM and
//! risk decomposition), and prints one JSON line per measurement with the GARCH estimates
//! (so `bench/garch.py` can compare them with `arch`).

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use peergroup_random::Rng;
use peergroup_rating::garch::FitOptions;
use peergroup_rating::{fit_with, rate_series, simulate, AtGarch, Free};

fn load() -> (Vec<String>, Vec<Vec<f64>>) {
    match std::env::var("PEERGROUP_GARCH_CSV") {
        Ok(path) => {
            let mut r = csv::Reader::from_path(&path).expect("readable CSV");
            let names: Vec<String> = r
                .headers()
                .unwrap()
                .iter()
                .skip(1)
                .map(String::from)
                .collect();
            let mut cols = vec![Vec::new(); names.len()];
            for rec in r.records() {
                let rec = rec.unwrap();
                for (k, v) in rec.iter().skip(1).enumerate() {
                    cols[k].push(v.parse::<f64>().expect("numeric return"));
                }
            }
            (names, cols)
        }
        Err(_) => {
            let p = AtGarch {
                mu: 4e-4,
                gamma: 4e-6,
                alpha: 0.06,
                beta: 0.85,
                delta: 0.1,
            };
            let cols = (0..200u64)
                .map(|i| simulate(&p, -0.012, 1600, 500, &mut Rng::stream(9, i)))
                .collect();
            ((0..200).map(|i| format!("S{i}")).collect(), cols)
        }
    }
}

fn main() {
    let (names, series) = load();
    let options = FitOptions::default();
    let t = series[0].len();
    // Warm-up.
    let _ = fit_with(&series[0], Free::GARCH, &options);

    let start = Instant::now();
    let fits: Vec<_> = series
        .iter()
        .map(|r| fit_with(r, Free::GARCH, &options))
        .collect();
    let garch_s = start.elapsed().as_secs_f64();
    for (name, f) in names.iter().zip(&fits) {
        println!(
            "{{\"fund\":\"{name}\",\"mu\":{:e},\"omega\":{:e},\"alpha\":{},\"beta\":{},\"loglik\":{},\"converged\":{}}}",
            f.params.mu, f.params.gamma, f.params.alpha, f.params.beta, f.loglik, f.converged
        );
    }
    let start = Instant::now();
    let rated = series
        .iter()
        .filter(|r| rate_series(r, &options).is_ok_and(|x| x.fit.converged))
        .count();
    let rate_s = start.elapsed().as_secs_f64();
    println!(
        "{{\"series\":{},\"periods\":{t},\"garch_fits_per_s\":{:.1},\"garch_ms_per_fit\":{:.4},\"ratings_per_s\":{:.1},\"rated\":{rated}}}",
        series.len(),
        series.len() as f64 / garch_s,
        1e3 * garch_s / series.len() as f64,
        series.len() as f64 / rate_s,
    );
}
