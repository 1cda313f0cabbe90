//! `peergroup init DIR`: an example study that runs as it is — `DIR/study.toml`, commented,
//! and small synthetic inputs with known truth under `DIR/data/`.

use std::path::{Path, PathBuf};

use peergroup_io::{Outputs, Table};
use peergroup_pipeline::synth::{
    garch_tables, industry_tables, investors_tables, sales_tables, universe_tables,
};
use peergroup_synth::investors::InvestorsConfig;
use peergroup_synth::{
    garch_universe, industry, investors, sales, universe, GarchConfig, IndustrySynthConfig,
    SalesConfig, UniverseConfig,
};

use crate::commands::{CommandError, CommandResult};

/// The example study file, with a comment on every key.
pub const EXAMPLE: &str = include_str!("example.toml");

/// Write the example study into `dir` (created if needed); existing files are replaced
/// only with `force`. Returns the study file's path.
pub fn write_example(dir: &Path, force: bool) -> CommandResult<PathBuf> {
    let mut outputs = Outputs::new(force);
    let study = dir.join("study.toml");
    outputs.plan(&study)?;
    let tables = sample_tables();
    for (name, _) in &tables {
        outputs.plan_table(&dir.join("data").join(name))?;
    }
    std::fs::create_dir_all(dir.join("data"))
        .map_err(|e| CommandError::System(format!("cannot create {}: {e}", dir.display())))?;
    for (name, table) in &tables {
        outputs.write_table(&dir.join("data").join(name), table)?;
    }
    outputs.write_bytes(&study, EXAMPLE.as_bytes())?;
    outputs.commit()?;
    Ok(study)
}

/// The example's inputs: small enough that the whole study runs in seconds.
fn sample_tables() -> Vec<(&'static str, Table)> {
    let ind = industry(&IndustrySynthConfig {
        // Below ~200 classes the day's cross-section is too thin for the z-score filter
        // to catch every injected bad print (METHODS §1.3); 200 keeps the example clean.
        classes: 200,
        days: 300,
        seed: 1,
        ..IndustrySynthConfig::default()
    });
    let (data, classes, _outliers) = industry_tables(&ind);
    let uni = universe(&UniverseConfig {
        funds: 40,
        factors: 8,
        periods: 260,
        groups: 4,
        seed: 7,
        ..UniverseConfig::default()
    });
    let [factors, funds, meta, _betas, attributes] = universe_tables(&uni, false);
    let garch = garch_universe(&GarchConfig {
        funds: 20,
        periods: 1000,
        seed: 5,
        ..GarchConfig::default()
    });
    let (daily, _garch_truth) = garch_tables(&garch);
    let s = sales(&SalesConfig {
        offices: 120,
        funds: 40,
        months: 24,
        seed: 3,
        ..SalesConfig::default()
    });
    let [sales_t, fund_categories, _office_truth, _fund_truth] = sales_tables(&s);
    let inv = investors(&InvestorsConfig {
        users: 600,
        days: 30,
        seed: 4,
        ..InvestorsConfig::default()
    });
    let [users, balances, _personas] = investors_tables(inv);
    vec![
        ("industry.csv", data),
        ("classes.csv", classes),
        ("funds.csv", funds),
        ("factors.csv", factors),
        ("categories.csv", meta),
        ("factor_attributes.csv", attributes),
        ("daily_returns.csv", daily),
        ("sales.csv", sales_t),
        ("fund_categories.csv", fund_categories),
        ("users.csv", users),
        ("balances.csv", balances),
    ]
}
