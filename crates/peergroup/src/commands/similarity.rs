//! `peergroup similarity`, `peergroup correlation` and `peergroup peers`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use peergroup_data::Date;
use peergroup_io::{
    read_cross_labels, read_exposures, read_fit_r2, read_metadata, read_series, read_similarity,
    read_square_matrix,
};
use peergroup_pipeline::similarity::{
    self, Averaging, CorrelationSettings, DateChoice, FactorSource, PeersSettings,
    SimilaritySettings,
};
use peergroup_pipeline::Named;
use peergroup_similarity::ExposureScale;

use super::options::{name, parse_date, series_options, OutputFile, SeriesFlags};
use super::{step, CommandError, CommandResult};

/// Exposure scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScaleArg {
    /// Absolute exposures as estimated.
    Raw,
    /// Absolute exposures divided by their sum (eq. 3 of Fragkiskos & Bauman).
    Gross,
}

/// Arguments of `peergroup similarity`.
#[derive(Args, Clone, Debug)]
pub struct SimilarityArgs {
    /// Exposures fund,date,factor,beta (from `peergroup style`).
    #[arg(long, value_name = "FILE")]
    pub exposures: PathBuf,
    /// Fit statistics fund,date,r2 (from `peergroup style --fit-out`); without it R² = 1.
    #[arg(long, value_name = "FILE")]
    pub fit: Option<PathBuf>,
    /// Square factor-similarity matrix (first column and header = factor names).
    #[arg(long, value_name = "FILE", conflicts_with = "factor_attributes")]
    pub factor_similarity: Option<PathBuf>,
    /// Factor attribute table factor,<attribute>... (e.g. asset_class,sector,region).
    #[arg(long, value_name = "FILE")]
    pub factor_attributes: Option<PathBuf>,
    /// Attribute weights NAME=W,... (default equal).
    #[arg(long, value_name = "NAME=W,...", value_parser = parse_weights)]
    pub attribute_weights: Option<AttributeWeights>,
    /// Cross-label similarities attribute,label_a,label_b,similarity (default 0).
    #[arg(long, value_name = "FILE")]
    pub cross_label: Option<PathBuf>,
    /// Exposure scale.
    #[arg(long, value_enum, default_value = "raw")]
    pub scale: ScaleArg,
    /// Date to report (default: the last date of the exposures).
    #[arg(long, value_parser = parse_date, conflicts_with = "all_dates")]
    pub date: Option<Date>,
    /// Report every date.
    #[arg(long)]
    pub all_dates: bool,
    /// current, ma:P (mean of the last P dates) or ewma:ETA.
    #[arg(long, default_value_t = SimilaritySettings::default().averaging, value_parser = str::parse::<Averaging>)]
    pub average: Averaging,
    /// Idiosyncratic similarity: none, or residual (needs --residuals).
    #[arg(long, default_value = "none", value_parser = ["none", "residual"])]
    pub idio: String,
    /// Residual returns per fund (long or wide series) for --idio residual.
    #[arg(long, value_name = "FILE")]
    pub residuals: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputFile,
}

/// Attribute weights `NAME=W,...` as one command-line value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttributeWeights(pub Vec<(String, f64)>);

/// Parse `NAME=W,NAME=W`.
pub fn parse_weights(s: &str) -> Result<AttributeWeights, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (name, w) = p
                .split_once('=')
                .ok_or_else(|| format!("expected NAME=WEIGHT, got '{p}'"))?;
            let w: f64 = w
                .trim()
                .parse()
                .map_err(|_| format!("expected a number after '=' in '{p}'"))?;
            if !(w >= 0.0 && w.is_finite()) {
                return Err(format!(
                    "weights must be non-negative, got {w} for '{}'",
                    name.trim()
                ));
            }
            Ok((name.trim().to_string(), w))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(AttributeWeights)
}

const FACTORS_NEEDED: &str = "factor similarities are needed: give --factor-similarity FILE (a square matrix) or --factor-attributes FILE (factor,<attribute>...)";

/// Run `peergroup similarity`.
pub fn run(args: &SimilarityArgs) -> CommandResult {
    if args.idio == "residual" && args.residuals.is_none() {
        return Err(CommandError::usage(
            "--idio residual needs --residuals FILE",
        ));
    }
    if args.factor_similarity.is_none() && args.factor_attributes.is_none() {
        return Err(CommandError::usage(FACTORS_NEEDED));
    }
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    let ex = read_exposures(&args.exposures)?;
    let ex_name = name(&args.exposures);
    let sx = if let Some(path) = &args.factor_similarity {
        {
            let m = read_square_matrix(path)?;
            similarity::factor_similarity(
                FactorSource::Matrix(Named::new(&m, &name(path))),
                &ex.factors.names,
            )?
        }
    } else if let Some(path) = &args.factor_attributes {
        {
            let table = read_metadata(path, "factor", &[])?;
            let cross = args
                .cross_label
                .as_deref()
                .map(read_cross_labels)
                .transpose()?;
            let cross_name = args.cross_label.as_deref().map(name).unwrap_or_default();
            let weights = args.attribute_weights.clone().unwrap_or_default().0;
            similarity::factor_similarity(
                FactorSource::Attributes {
                    table: Named::new(&table, &name(path)),
                    weights: &weights,
                    cross: cross.as_deref().map(|c| Named::new(c, cross_name.as_str())),
                },
                &ex.factors.names,
            )?
        }
    } else {
        return Err(CommandError::usage(FACTORS_NEEDED));
    };
    let r2 = args.fit.as_deref().map(read_fit_r2).transpose()?;
    let fit_name = args.fit.as_deref().map(name).unwrap_or_default();
    let residuals = match (&args.residuals, args.idio.as_str()) {
        (Some(path), "residual") => Some(read_series(
            path,
            &series_options(false, false, &["value", "residual"]),
        )?),
        _ => None,
    };
    let residuals_name = args.residuals.as_deref().map(name).unwrap_or_default();
    let settings = SimilaritySettings {
        scale: match args.scale {
            ScaleArg::Raw => ExposureScale::Raw,
            ScaleArg::Gross => ExposureScale::Gross,
        },
        dates: match (args.all_dates, args.date) {
            (true, _) => DateChoice::All,
            (false, Some(d)) => DateChoice::On(d),
            (false, None) => DateChoice::Last,
        },
        averaging: args.average,
    };
    let inputs = similarity::SimilarityInputs {
        exposures: Named::new(&ex, &ex_name),
        r2: r2.as_ref().map(|m| Named::new(m, fit_name.as_str())),
        residuals: residuals
            .as_ref()
            .map(|p| Named::new(p, residuals_name.as_str())),
    };
    let pairs = step("computing similarities", || {
        similarity::similarity(inputs, &sx, &settings)
    })?;
    outputs.write_table(out, &pairs.table)?;
    outputs.commit()?;
    eprintln!(
        "{} pairs of up to {} funds on {} date(s); wrote {}",
        pairs.pairs,
        pairs.funds,
        pairs.dates,
        out.display()
    );
    Ok(())
}

/// Arguments of `peergroup correlation`.
#[derive(Args, Clone, Debug)]
pub struct CorrelationArgs {
    /// Fund returns (long or wide).
    #[arg(long, value_name = "FILE")]
    pub returns: PathBuf,
    #[command(flatten)]
    pub flags: SeriesFlags,
    /// Window length in observations (default: the whole sample).
    #[arg(long, value_name = "W")]
    pub window: Option<usize>,
    /// One matrix per window end instead of only the last.
    #[arg(long)]
    pub all_dates: bool,
    #[command(flatten)]
    pub output: OutputFile,
}

/// Run `peergroup correlation`.
pub fn run_correlation(args: &CorrelationArgs) -> CommandResult {
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    let panel = read_series(&args.returns, &args.flags.options(&["value"]))?.to_returns();
    let pairs = similarity::correlation(
        &panel,
        &CorrelationSettings {
            window: args.window,
            all_dates: args.all_dates,
        },
    )?;
    outputs.write_table(out, &pairs.table)?;
    outputs.commit()?;
    eprintln!("{} pairs; wrote {}", pairs.pairs, out.display());
    Ok(())
}

/// Arguments of `peergroup peers`.
#[derive(Args, Clone, Debug)]
pub struct PeersArgs {
    /// Similarity table date,fund_a,fund_b,similarity.
    #[arg(long, value_name = "FILE")]
    pub similarity: PathBuf,
    /// The fund whose peers to list.
    #[arg(long, value_name = "ID")]
    pub fund: String,
    /// Number of peers.
    #[arg(long, default_value_t = PeersSettings::default().top)]
    pub top: usize,
    /// Fund metadata id,category,... (adds peer_category and outside_category).
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,
    /// Date (default: the last).
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    #[command(flatten)]
    pub output: OutputFile,
}

/// Run `peergroup peers`.
pub fn run_peers(args: &PeersArgs) -> CommandResult {
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    let sim = read_similarity(&args.similarity)?;
    let meta = args
        .meta
        .as_deref()
        .map(|m| read_metadata(m, "id", &["category"]))
        .transpose()?;
    let (table, peers) = similarity::peers(
        Named::new(&sim, &name(&args.similarity)),
        &args.fund,
        meta.as_ref(),
        &PeersSettings {
            top: args.top,
            date: args.date,
        },
    )?;
    outputs.write_table(out, &table)?;
    outputs.commit()?;
    let outside = peers
        .iter()
        .filter(|p| p.outside_category == Some(true))
        .count();
    eprintln!(
        "{} peers of {} ({outside} outside its category); wrote {}",
        peers.len(),
        args.fund,
        out.display()
    );
    Ok(())
}
