//! Shared by the pipeline tests that start from a synthetic universe.
// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use peergroup_pipeline::style::{style, StyleOutput};
use peergroup_pipeline::synth::universe_panels;
use peergroup_pipeline::Named;
use peergroup_similarity::{Attribute, FactorSimilarity};
use peergroup_style::StyleSpec;
use peergroup_synth::Universe;

/// The universe's whole-sample Sharpe exposures, and S_X from its factor attributes
/// (asset class, sector, region; equal weights).
pub fn style_and_factor_similarity(u: &Universe) -> (StyleOutput, FactorSimilarity) {
    let (funds, factors) = universe_panels(u).unwrap();
    let out = style(
        Named::new(&funds, "funds.csv"),
        Named::new(&factors, "factors.csv"),
        &StyleSpec::default(),
    )
    .unwrap();
    let attributes: Vec<Attribute> = u
        .attribute_columns()
        .into_iter()
        .map(|(name, labels)| Attribute::plain(name, labels))
        .collect();
    let sx = FactorSimilarity::from_attributes(&u.factor_names, &attributes, None).unwrap();
    (out, sx)
}

/// The universe's true exposures on every date, as `exposures.csv` reads them (through
/// the file, so that tests see exactly what the commands see).
pub fn true_exposures(u: &Universe) -> peergroup_io::Exposures {
    use peergroup_io::{read_exposures, write_table, Format};
    let [_, _, _, betas, _] = peergroup_pipeline::synth::universe_tables(u, true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exposures.csv");
    write_table(&path, Format::of(&path).unwrap(), &betas).unwrap();
    read_exposures(&path).unwrap()
}
