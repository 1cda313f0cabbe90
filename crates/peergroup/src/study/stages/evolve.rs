//! The evolutionary peer-group stage: the style stage's funds clustered at every date,
//! labels aligned over time, with stability, transitions, themes and portfolios.

use peergroup_io::{read_exposures, read_labels};
use peergroup_pipeline::evolve::{self, EvolveInputs, EvolveSettings, EvolveSource};
use peergroup_pipeline::similarity::SimilarityInputs;
use peergroup_pipeline::Named;

use super::similarity::{factor_similarity, needs};
use super::{missing_input, setting_error, Ctx, Planned, Stage, StageId};
use crate::commands::{CommandError, CommandResult};
use crate::study::file::Study;
use crate::study::input::InputSpec;
use crate::study::stage_dir::StageDir;

/// The evolutionary peer-group stage of a study.
struct EvolveStage<'a> {
    settings: &'a EvolveSettings,
    returns: Option<&'a InputSpec>,
    reference: Option<&'a InputSpec>,
}

/// Add the evolutionary peer-group stage if the study has `[evolve]`.
pub fn plan<'a>(study: &'a Study, stages: &mut Vec<Planned<'a>>) -> Result<(), CommandError> {
    let Some(settings) = &study.file.evolve else {
        return Ok(());
    };
    let id = StageId::Evolve;
    settings
        .validate()
        .map_err(|e| setting_error(study, id, e))?;
    if study.file.style.is_none() {
        return Err(needs(study, id, "style", "the style stage's exposures"));
    }
    let similarity = &study.file.inputs.similarity;
    if similarity.factor_similarity.is_none() && similarity.factor_attributes.is_none() {
        return Err(missing_input(
            study,
            StageId::Similarity,
            "factor-attributes",
            "the factors' similarity (factor-attributes or factor-similarity), also for [evolve]",
        ));
    }
    let returns = study.file.inputs.evolve.returns.as_ref();
    // The peer groups' reference categories serve both stages unless [evolve] has its own.
    let reference = study.file.inputs.evolve.reference.as_ref().or(study
        .file
        .inputs
        .cluster
        .reference
        .as_ref());
    stages.push(
        Planned::new(
            id,
            settings,
            EvolveStage {
                settings,
                returns,
                reference,
            },
        )
        .reads("factor-similarity", similarity.factor_similarity.as_ref())
        .reads("factor-attributes", similarity.factor_attributes.as_ref())
        .reads("cross-label", similarity.cross_label.as_ref())
        .reads("returns", returns)
        .reads("reference", reference)
        .after(StageId::Style),
    );
    Ok(())
}

impl Stage for EvolveStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        ctx.bar.note("reading exposures");
        let ex_path = ctx.upstream(StageId::Style, "exposures");
        let ex = read_exposures(&ex_path)?;
        let (sx, attributes) = factor_similarity(ctx, &ex.factors.names)?;
        let returns = self
            .returns
            .map(|spec| ctx.returns(spec, &["value", "return"]))
            .transpose()?;
        let returns_name = self
            .returns
            .map(|s| ctx.source(s).label())
            .unwrap_or_default();
        let reference = self
            .reference
            .map(|spec| {
                let column = spec.category_column.as_deref().unwrap_or("category");
                read_labels(&ctx.source(spec), "id", column)
            })
            .transpose()?;
        let reference_name = self
            .reference
            .map(|s| ctx.source(s).label())
            .unwrap_or_default();
        let ex_name = ex_path.display().to_string();
        let inputs = EvolveInputs {
            source: EvolveSource::Exposures {
                // S* (no R² weighting): what ranks and groups peers best (METHODS §3.9).
                inputs: SimilarityInputs {
                    exposures: Named::new(&ex, &ex_name),
                    r2: None,
                    residuals: None,
                },
                sx: &sx,
            },
            factor_attributes: attributes.as_ref().map(|(t, n)| Named::new(t, n.as_str())),
            returns: returns
                .as_ref()
                .map(|r| Named::new(r, returns_name.as_str())),
            reference: reference
                .as_deref()
                .map(|r| Named::new(r, reference_name.as_str())),
        };
        let evolution = evolve::evolve_with(inputs, self.settings, ctx.bar)?;
        dir.text(evolution.summary());
        dir.artifacts(&evolution.artifacts())?;
        Ok(())
    }
}
