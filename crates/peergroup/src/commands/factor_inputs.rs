//! The factor-similarity inputs of the commands that compute fund similarities from
//! exposures (`evolve`, `robustness`, `similarity`, `cluster --returns`): a square
//! matrix, or an attribute table with weights and cross-label similarities.

use std::path::PathBuf;

use clap::Args;
use peergroup_data::Metadata;
use peergroup_io::{read_cross_labels, read_metadata, read_square_matrix};
use peergroup_pipeline::similarity::{self, FactorSource};
use peergroup_pipeline::Named;
use peergroup_similarity::FactorSimilarity;

use super::options::name;
use super::similarity::{parse_weights, AttributeWeights};
use super::{CommandError, CommandResult};

/// `--factor-similarity FILE` or `--factor-attributes FILE` (with `--attribute-weights`
/// and `--cross-label`).
#[derive(Args, Clone, Debug)]
pub struct FactorInputs {
    /// Square factor-similarity matrix (first column and header = factor names).
    #[arg(long, value_name = "FILE", conflicts_with = "factor_attributes")]
    pub factor_similarity: Option<PathBuf>,
    /// Factor attribute table factor,<attribute>... (e.g. asset_class,sector,region).
    #[arg(long, value_name = "FILE")]
    pub factor_attributes: Option<PathBuf>,
    /// Attribute weights NAME=W,... (default equal).
    #[arg(long, value_name = "NAME=W,...", value_parser = parse_weights)]
    pub attribute_weights: Option<AttributeWeights>,
    /// Cross-label similarities attribute,label_a,label_b,similarity (default 0; a row with
    /// label_a = label_b sets a same-label similarity in (0, 1]).
    #[arg(long, value_name = "FILE")]
    pub cross_label: Option<PathBuf>,
}

/// What to say when neither source is given.
pub const FACTORS_NEEDED: &str = "factor similarities are needed: give --factor-similarity FILE (a square matrix) or --factor-attributes FILE (factor,<attribute>...)";

impl FactorInputs {
    /// Whether a source of factor similarities was given.
    pub fn given(&self) -> bool {
        self.factor_similarity.is_some() || self.factor_attributes.is_some()
    }

    /// The attribute table, when given, with its name.
    pub fn attributes(&self) -> CommandResult<Option<(Metadata, String)>> {
        self.factor_attributes
            .as_deref()
            .map(|p| Ok((read_metadata(p, "factor", &[])?, name(p))))
            .transpose()
    }

    /// Factor similarities aligned with `factors`, from the matrix or from `attributes`
    /// (as read by [`FactorInputs::attributes`]).
    pub fn similarity(
        &self,
        attributes: Option<&(Metadata, String)>,
        factors: &[String],
    ) -> CommandResult<FactorSimilarity> {
        if let Some(path) = &self.factor_similarity {
            let m = read_square_matrix(path)?;
            return Ok(similarity::factor_similarity(
                FactorSource::Matrix(Named::new(&m, &name(path))),
                factors,
            )?);
        }
        let (table, table_name) = attributes.ok_or_else(|| CommandError::usage(FACTORS_NEEDED))?;
        let cross = self
            .cross_label
            .as_deref()
            .map(read_cross_labels)
            .transpose()?;
        let cross_name = self.cross_label.as_deref().map(name).unwrap_or_default();
        let weights = self.attribute_weights.clone().unwrap_or_default().0;
        Ok(similarity::factor_similarity(
            FactorSource::Attributes {
                table: Named::new(table, table_name),
                weights: &weights,
                cross: cross.as_deref().map(|c| Named::new(c, cross_name.as_str())),
            },
            factors,
        )?)
    }
}
