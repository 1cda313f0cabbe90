//! Rate funds 1–5 stars by gain and AT-GARCH risk, with the library alone.
//!
//! Rates the daily returns of a file (long `id,date,value` or wide `date,<fund>,...`,
//! returns as fractions), or, without a file, a synthetic universe whose true GARCH
//! parameters are known, and prints each fund's gain, risk components and stars.
//!
//!     cargo run --release --example ratings [-- RETURNS.csv]

// An example reports on standard output.
#![allow(clippy::print_stdout)]

use std::error::Error;

use peergroup::io::{read_series, SeriesOptions};
use peergroup::pipeline::rating::{rate, star_counts, RateSettings};
use peergroup::pipeline::{synth, Named};

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let file = std::env::args().nth(1);
    let (returns, name) = match &file {
        Some(path) => (read_series(path, &SeriesOptions::default())?, path.clone()),
        None => {
            let universe = peergroup::synth::garch_universe(&peergroup::synth::GarchConfig {
                funds: 20,
                periods: 1600,
                seed: 1,
                ..Default::default()
            });
            (
                synth::garch_panel(&universe)?,
                "synthetic AT-GARCH universe".into(),
            )
        }
    };
    let ratings = rate(Named::new(&returns, &name), &RateSettings::default())?;
    println!(
        "{:<8} {:>8} {:>10} {:>10} {:>10} {:>6}  stars",
        "fund", "gain", "v_min", "v_std", "v_turm", "risk"
    );
    for r in &ratings {
        let c = &r.rated.risk;
        let stars = r
            .class
            .map_or("-".to_string(), |(_, _, s)| "*".repeat(s as usize));
        println!(
            "{:<8} {:>7.2}% {:>10.2e} {:>10.2e} {:>10.2e} {:>6.2}  {stars}",
            r.fund,
            100.0 * r.gain,
            c.v_min,
            c.v_standard,
            c.v_turmoil,
            r.risk
        );
    }
    let counts = star_counts(&ratings);
    println!("funds with 1/2/3/4/5 stars: {counts:?}");
    Ok(())
}
