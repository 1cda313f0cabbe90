//! From raw returns to peer groups, with the library alone.
//!
//! Reads the bundled Kenneth French monthly returns, estimates each size/value and
//! size/momentum portfolio's style exposures to the 12 industry portfolios over the last
//! 10 years, and forms four peer groups of their exposures by average linkage (with 18
//! funds, BIC's choice of k, `KChoice::Auto`, tends to split to the largest k tried).
//! Writes the dendrogram to `peer_groups.svg` in the system's temporary folder (or to the
//! path given).
//!
//!     cargo run --release --example peer_groups [-- OUT.svg]

// An example reports on standard output.
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::path::Path;

use peergroup::io::{read_series, Features, SeriesOptions};
use peergroup::pipeline::cluster::{cluster, ClusterInput, ClusterSettings};
use peergroup::pipeline::{style, KChoice, Named};
use peergroup::style::StyleSpec;

const INDUSTRIES: [&str; 12] = [
    "NoDur", "Durbl", "Manuf", "Enrgy", "Chems", "BusEq", "Telcm", "Utils", "Shops", "Hlth",
    "Money", "Other",
];

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
    let out = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join("peer_groups.svg"),
        std::path::PathBuf::from,
    );
    let data =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/french_monthly_1949_2017.csv");
    let all = read_series(&data, &SeriesOptions::default())?;
    // The last 120 months; funds are the 18 size/value and size/momentum portfolios.
    let recent = all.select_dates(&all.dates()[all.n_dates() - 120..]);
    let pick = |wanted: &dyn Fn(&str) -> bool| {
        let ids: Vec<&str> = recent
            .ids()
            .iter()
            .map(String::as_str)
            .filter(|id| wanted(id))
            .collect();
        recent.select_ids(&ids)
    };
    let factors = pick(&|id| INDUSTRIES.contains(&id))?;
    let funds =
        pick(&|id| id.len() == 4 && id.starts_with('S') && (id.contains('V') || id.contains('M')))?;

    let fit = style::style(
        Named::new(&funds, "size/value and size/momentum portfolios"),
        Named::new(&factors, "industry portfolios"),
        &StyleSpec::default(),
    )?;
    println!(
        "style: {} funds on {} industries over {} months, mean R² {:.2}",
        fit.summary().funds,
        fit.summary().factors,
        fit.summary().dates,
        fit.summary().mean_r2
    );

    // Peer groups of the exposure vectors.
    let features = Features {
        ids: funds.ids().to_vec(),
        names: factors.ids().to_vec(),
        values: fit.result.betas.clone(),
    };
    let groups = cluster(
        ClusterInput::Features {
            table: Named::new(&features, "exposures"),
            metric: peergroup::cluster::linkage::Metric::Euclidean,
        },
        &ClusterSettings {
            k: KChoice::Fixed(4),
            ..ClusterSettings::default()
        },
    )?;
    println!("{} peer groups ({})", groups.k, groups.k_note);
    for g in 0..groups.k {
        let members: Vec<&str> = groups
            .ids
            .iter()
            .zip(&groups.labels)
            .filter(|(_, &l)| l == g)
            .map(|(id, _)| id.as_str())
            .collect();
        println!("  group {}: {}", g + 1, members.join(", "));
    }

    let title = "Peer groups of the French portfolios by style exposures";
    if let Some(chart) = groups.dendrogram_chart(title, "distance between exposures") {
        std::fs::write(&out, chart.to_svg())?;
        println!("dendrogram: {}", out.display());
    }
    Ok(())
}
