//! Stages chain in memory exactly as through files: the exposures and R² that the style
//! stage hands to the similarity stage equal what reading its written tables gives, and
//! so do the similarities.

use peergroup_data::Panel;
use peergroup_io::{read_exposures, read_fit_r2, write_table, Format};
use peergroup_pipeline::similarity::{
    factor_similarity, similarity, DateChoice, FactorSource, Measure, SimilarityInputs,
    SimilaritySettings,
};
use peergroup_pipeline::style::{style, StyleOutput};
use peergroup_pipeline::synth::universe_panels;
use peergroup_pipeline::{Named, Table};
use peergroup_similarity::FactorSimilarity;
use peergroup_style::{Constraints, Method, StyleSpec};
use peergroup_synth::{universe, UniverseConfig};

fn panels(seed: u64) -> (Panel, Panel) {
    universe_panels(&universe(&UniverseConfig {
        funds: 12,
        factors: 5,
        periods: 160,
        groups: 3,
        seed,
        ..Default::default()
    }))
    .unwrap()
}

/// The style stage on the named `funds.csv` and `factors.csv`.
fn run_style(funds: &Panel, factors: &Panel, spec: &StyleSpec) -> Result<StyleOutput, String> {
    style(
        Named::new(funds, "funds.csv"),
        Named::new(factors, "factors.csv"),
        spec,
    )
    .map_err(|e| e.to_string())
}

fn round_trip(dir: &std::path::Path, name: &str, table: &Table) -> std::path::PathBuf {
    let path = dir.join(name);
    write_table(&path, Format::of(&path).unwrap(), table).unwrap();
    path
}

fn check(out: &StyleOutput, sx: &FactorSimilarity, dates: DateChoice) {
    let dir = tempfile::tempdir().unwrap();
    let from_file =
        read_exposures(&round_trip(dir.path(), "e.csv", &out.exposures_table())).unwrap();
    let r2_file = read_fit_r2(&round_trip(dir.path(), "f.csv", &out.fit_table())).unwrap();
    let in_memory = out.exposures();
    assert_eq!(in_memory.funds.names, from_file.funds.names);
    assert_eq!(in_memory.factors.names, from_file.factors.names);
    assert_eq!(in_memory.dates, from_file.dates);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&in_memory.values), bits(&from_file.values));
    let r2 = out.r2();
    assert_eq!(r2.len(), r2_file.len());
    for (key, v) in &r2 {
        assert_eq!(v.to_bits(), r2_file[key].to_bits(), "{key:?}");
    }
    let settings = SimilaritySettings {
        date: match dates {
            DateChoice::On(d) => Some(d),
            _ => None,
        },
        all_dates: dates == DateChoice::All,
        // the R²-weighted S, so the R² handed over is used
        measure: Measure::S,
        ..Default::default()
    };
    let pairs = |ex, r2| {
        similarity(
            SimilarityInputs {
                exposures: Named::new(ex, "exposures"),
                r2: Some(Named::new(r2, "fit")),
                residuals: None,
            },
            sx,
            &settings,
        )
        .unwrap()
    };
    let a = pairs(&in_memory, &r2);
    let b = pairs(&from_file, &r2_file);
    assert_eq!((a.dates, a.funds, a.pairs), (b.dates, b.funds, b.pairs));
    assert!(a.pairs > 0);
    let text = |name, t: &Table| std::fs::read(round_trip(dir.path(), name, t)).unwrap();
    assert_eq!(text("a.csv", &a.table), text("b.csv", &b.table));
}

#[test]
fn whole_sample_and_rolling_exposures_chain_as_through_files() {
    for seed in [3, 11] {
        let (funds, factors) = panels(seed);
        let sx = FactorSimilarity::identity(factors.ids().to_vec());
        for window in [None, Some(60)] {
            let spec = StyleSpec {
                window,
                step: 10,
                ..StyleSpec::default()
            };
            let out = run_style(&funds, &factors, &spec).unwrap();
            let dates = if window.is_some() {
                DateChoice::All
            } else {
                DateChoice::Last
            };
            check(&out, &sx, dates);
        }
    }
}

#[test]
fn cash_exposure_is_carried_without_the_budget_constraint() {
    let (funds, factors) = panels(5);
    let spec = StyleSpec {
        method: Method::Sharpe,
        constraints: Constraints {
            budget: false,
            long_only: true,
        },
        ..StyleSpec::default()
    };
    let out = run_style(&funds, &factors, &spec).unwrap();
    let ex = out.exposures();
    assert_eq!(ex.factors.names.last().map(String::as_str), Some("CASH"));
    let names: Vec<String> = ex.factors.names.clone();
    let m = peergroup_io::LabelledMatrix {
        values: (0..names.len() * names.len())
            .map(|i| if i % (names.len() + 1) == 0 { 1.0 } else { 0.0 })
            .collect(),
        names,
    };
    let sx = factor_similarity(
        FactorSource::Matrix(Named::new(&m, "sx.csv")),
        &ex.factors.names,
    )
    .unwrap();
    check(&out, &sx, DateChoice::Last);
}

#[test]
fn errors_name_the_input() {
    let (funds, factors) = panels(7);
    let short = factors.select_dates(&factors.dates()[..4]);
    let e = run_style(&funds, &short, &StyleSpec::default()).unwrap_err();
    assert!(
        e.contains("funds.csv") && e.contains("factors.csv") && e.contains("too few common dates"),
        "{e}"
    );
}
