//! `peergroup evolve`: evolutionary peer groups — clusters at every date, aligned over
//! time, with stability, transitions, themes, portfolios and agreement (METHODS §4.12).

use std::path::PathBuf;

use clap::Args;
use peergroup_io::{
    read_exposures, read_fit_r2, read_labels, read_series, read_similarity, Outputs,
};
use peergroup_pipeline::evolve::{self, EvolveInputs, EvolveSettings, EvolveSource};
use peergroup_pipeline::similarity::SimilarityInputs;
use peergroup_pipeline::{Artifact, Named};

use super::factor_inputs::{FactorInputs, FACTORS_NEEDED};
use super::options::{name, series_options, ColumnFlags, MaxReturn, OutputDir};
use super::{step, CommandError, CommandResult};

/// Arguments of `peergroup evolve`.
#[derive(Args, Clone, Debug)]
pub struct EvolveArgs {
    /// Exposures fund,date,factor,beta with several dates (from `peergroup style`).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "similarity",
        conflicts_with = "similarity"
    )]
    pub exposures: Option<PathBuf>,
    /// Fit statistics fund,date,r2 (from `peergroup style --fit-out`); without it R² = 1.
    #[arg(long, value_name = "FILE", requires = "exposures")]
    pub fit: Option<PathBuf>,
    #[command(flatten)]
    pub factors: FactorInputs,
    /// Similarity table date,fund_a,fund_b,similarity with several dates (instead of exposures).
    #[arg(long, value_name = "FILE")]
    pub similarity: Option<PathBuf>,
    /// Fund returns (long id,date,value or wide) for portfolios and correlation clusters.
    #[arg(long, value_name = "FILE")]
    pub returns: Option<PathBuf>,
    #[command(flatten)]
    pub max_return: MaxReturn,
    #[command(flatten)]
    pub columns: ColumnFlags,
    /// Reference labels id,label (e.g. vendor categories; see --reference-column).
    #[arg(long, value_name = "FILE")]
    pub reference: Option<PathBuf>,
    /// Label column of the reference table.
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub reference_column: String,
    #[command(flatten)]
    pub settings: EvolveSettings,
    #[command(flatten)]
    pub output: OutputDir,
}

/// Run `peergroup evolve`.
pub fn run(args: &EvolveArgs) -> CommandResult {
    let settings = &args.settings;
    settings.validate()?;
    if args.exposures.is_some() && !args.factors.given() {
        return Err(CommandError::usage(FACTORS_NEEDED));
    }
    let dir = &args.output.out;
    let ex = args.exposures.as_deref().map(read_exposures).transpose()?;
    let ex_name = args.exposures.as_deref().map(name).unwrap_or_default();
    let attrs = args.factors.attributes()?;
    let sx = ex
        .as_ref()
        .map(|ex| args.factors.similarity(attrs.as_ref(), &ex.factors.names))
        .transpose()?;
    let r2 = args.fit.as_deref().map(read_fit_r2).transpose()?;
    let fit_name = args.fit.as_deref().map(name).unwrap_or_default();
    let sim = args
        .similarity
        .as_deref()
        .map(read_similarity)
        .transpose()?;
    let sim_name = args.similarity.as_deref().map(name).unwrap_or_default();
    let returns = args
        .returns
        .as_deref()
        .map(|p| {
            read_series(
                &args.columns.source(p),
                &series_options(false, false, args.max_return, &["value", "return"]),
            )
        })
        .transpose()?;
    let returns_name = args.returns.as_deref().map(name).unwrap_or_default();
    let reference = args
        .reference
        .as_deref()
        .map(|p| read_labels(p, "id", &args.reference_column))
        .transpose()?;
    let reference_name = args.reference.as_deref().map(name).unwrap_or_default();
    let source = match (&ex, &sx, &sim) {
        (Some(ex), Some(sx), _) => EvolveSource::Exposures {
            inputs: SimilarityInputs {
                exposures: Named::new(ex, &ex_name),
                r2: r2.as_ref().map(|m| Named::new(m, fit_name.as_str())),
                residuals: None,
            },
            sx,
        },
        (_, _, Some(sim)) => EvolveSource::Similarity(Named::new(sim, &sim_name)),
        _ => {
            return Err(CommandError::usage(
                "give --exposures (with factor similarities) or --similarity FILE",
            ))
        }
    };
    let inputs = EvolveInputs {
        source,
        factor_attributes: match &ex {
            Some(_) => attrs.as_ref().map(|(a, n)| Named::new(a, n.as_str())),
            None => None,
        },
        returns: returns
            .as_ref()
            .map(|p| Named::new(p, returns_name.as_str())),
        reference: reference
            .as_deref()
            .map(|r| Named::new(r, reference_name.as_str())),
    };
    // Plan every file first: an existing one without --force fails before any work.
    let files = evolve::output_files(&inputs, settings);
    let mut outputs = Outputs::new(args.output.force.force);
    for f in &files {
        outputs.plan(&dir.join(f))?;
    }
    let ev = step("peer groups over time", || evolve::evolve(inputs, settings))?;
    for (file, artifact) in &ev.artifacts().0 {
        let path = dir.join(file);
        match artifact {
            Artifact::Table(t) => outputs.write_table(&path, t)?,
            Artifact::Chart(c) => outputs.write_bytes(&path, c.to_svg().as_bytes())?,
        }
    }
    outputs.commit()?;
    eprint!("{}", ev.summary());
    eprintln!("wrote {} files in {}", files.len(), dir.display());
    Ok(())
}
