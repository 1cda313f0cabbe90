//! `peergroup robustness`: how much one date's peer groups depend on the factor
//! similarities.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::{
    read_cross_labels, read_exposures, read_fit_r2, read_metadata, read_square_matrix,
};
use peergroup_pipeline::robustness::{self, RobustnessInputs, RobustnessSettings};
use peergroup_pipeline::similarity::{self, FactorSource};
use peergroup_pipeline::Named;
use peergroup_similarity::FactorSimilarity;

use super::options::{name, OutputFile};
use super::similarity::{parse_weights, AttributeWeights};
use super::{step, CommandError, CommandResult};

/// Arguments of `peergroup robustness`.
#[derive(Args, Clone, Debug)]
pub struct RobustnessArgs {
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
    #[command(flatten)]
    pub settings: RobustnessSettings,
    /// Share changed by perturbation size: mean and 5th/95th percentiles (SVG).
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputFile,
}

impl RobustnessArgs {
    /// The factor similarities of the exposures' `factors`, from the matrix or the
    /// attribute table given.
    fn factor_similarity(&self, factors: &[String]) -> Result<FactorSimilarity, CommandError> {
        let (matrix, table, cross);
        let weights = self.attribute_weights.clone().unwrap_or_default().0;
        let cross_name = self.cross_label.as_deref().map(name).unwrap_or_default();
        let given = self
            .factor_similarity
            .as_ref()
            .or(self.factor_attributes.as_ref());
        let source_name = given.map(|p| name(p)).unwrap_or_default();
        let source = match (&self.factor_similarity, &self.factor_attributes) {
            (Some(p), _) => {
                matrix = read_square_matrix(p)?;
                FactorSource::Matrix(Named::new(&matrix, &source_name))
            }
            (None, Some(p)) => {
                table = read_metadata(p, "factor", &[])?;
                cross = self.cross_label.as_deref().map(read_cross_labels).transpose()?;
                FactorSource::Attributes {
                    table: Named::new(&table, &source_name),
                    weights: &weights,
                    cross: cross.as_deref().map(|c| Named::new(c, cross_name.as_str())),
                }
            }
            (None, None) => {
                return Err(CommandError::usage(
                    "give the factor similarities to perturb: --factor-similarity FILE (a square matrix) or --factor-attributes FILE (factor,<attribute>...)",
                ))
            }
        };
        Ok(similarity::factor_similarity(source, factors)?)
    }
}

/// Run `peergroup robustness`.
pub fn run(args: &RobustnessArgs) -> CommandResult {
    let settings = &args.settings;
    settings.validate()?;
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    if let Some(p) = &args.chart {
        outputs.plan(p)?;
    }
    let ex = read_exposures(&args.exposures)?;
    let ex_name = name(&args.exposures);
    let sx = args.factor_similarity(&ex.factors.names)?;
    let r2 = args.fit.as_deref().map(read_fit_r2).transpose()?;
    let fit_name = args.fit.as_deref().map(name).unwrap_or_default();
    let inputs = RobustnessInputs {
        exposures: Named::new(&ex, &ex_name),
        r2: r2.as_ref().map(|m| Named::new(m, fit_name.as_str())),
    };
    let result = step("perturbing, reclustering", || {
        robustness::robustness(inputs, &sx, settings)
    })?;
    outputs.write_table(out, &result.table())?;
    if let Some(p) = &args.chart {
        outputs.write_bytes(p, result.chart().to_svg().as_bytes())?;
    }
    outputs.commit()?;
    eprintln!(
        "{} funds on {} in {} clusters ({}); {} draws per size:",
        result.funds.len(),
        result.date,
        result.k,
        result.k_note,
        settings.draws
    );
    for s in result.summary() {
        eprintln!(
            "  p = {}: share of funds changing group mean {:.4}, 5th percentile {:.4}, 95th percentile {:.4}",
            s.perturb, s.mean, s.p05, s.p95
        );
    }
    eprintln!("wrote {}", out.display());
    Ok(())
}
