//! `peergroup synth ...`: write synthetic data sets with known truth.

use std::path::{Path, PathBuf};

use peergroup_io::{Column, Outputs, Table};
use peergroup_synth::{industry, IndustrySynth, IndustrySynthConfig};

use super::progress::step;
use super::{CommandError, CommandResult};

/// Table format of the main synthetic table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// Comma-separated text.
    Csv,
    /// Apache Parquet (for large data).
    Parquet,
}

impl TableFormat {
    fn ext(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }
}

/// Settings of `peergroup synth industry`.
#[derive(Clone, Debug)]
pub struct SynthIndustryArgs {
    /// Number of classes.
    pub classes: usize,
    /// Number of business days.
    pub days: usize,
    /// Seed.
    pub seed: u64,
    /// Output directory.
    pub out: PathBuf,
    /// Format of `industry.*`.
    pub format: TableFormat,
    /// Replace existing files.
    pub force: bool,
}

/// The three tables of a synthetic industry: data, class metadata, injected outliers.
pub fn industry_tables(s: &IndustrySynth) -> (Table, Table, Table) {
    let data = Table::new()
        .with(
            "class_id",
            Column::Key {
                codes: s.class.clone(),
                names: s.class_names.clone(),
            },
        )
        .with("date", Column::Date(s.date.clone()))
        .with("price", Column::F64(s.price.clone()))
        .with("shares", Column::F64(s.shares.clone()))
        .with("aum", Column::F64(s.aum.clone()));
    let classes = Table::new()
        .with("class_id", Column::Text(s.class_names.clone()))
        .with("fund", Column::Text(s.fund_of.clone()))
        .with("manager", Column::Text(s.manager_of.clone()));
    let truth = Table::new()
        .with(
            "class_id",
            Column::Key {
                codes: s.outliers.iter().map(|o| o.0).collect(),
                names: s.class_names.clone(),
            },
        )
        .with(
            "date",
            Column::Date(s.outliers.iter().map(|o| o.1).collect()),
        );
    (data, classes, truth)
}

/// Run `peergroup synth industry`; returns the number of data rows.
pub fn run_industry(args: &SynthIndustryArgs) -> CommandResult<usize> {
    if args.classes == 0 || args.days < 2 {
        return Err(CommandError::usage(
            "--classes must be at least 1 and --days at least 2",
        ));
    }
    let dir: &Path = &args.out;
    let data_path = dir.join(format!("industry.{}", args.format.ext()));
    let mut outputs = Outputs::new(args.force);
    outputs.plan_table(&data_path)?;
    outputs.plan_table(&dir.join("classes.csv"))?;
    outputs.plan_table(&dir.join("truth_outliers.csv"))?;
    let s = step("generating", || {
        industry(&IndustrySynthConfig {
            classes: args.classes,
            days: args.days,
            seed: args.seed,
            ..Default::default()
        })
    });
    let (data, classes, truth) = industry_tables(&s);
    step("writing", || -> CommandResult {
        outputs.write_table(&data_path, &data)?;
        outputs.write_table(&dir.join("classes.csv"), &classes)?;
        outputs.write_table(&dir.join("truth_outliers.csv"), &truth)?;
        Ok(())
    })?;
    outputs.commit()?;
    Ok(data.n_rows())
}
