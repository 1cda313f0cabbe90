//! The rating stage: AT-GARCH risk, gain and risk classes, 1–5 stars, and agreement with
//! outside star ratings when the study gives them.

use peergroup_io::{read_series, read_star_ratings};
use peergroup_pipeline::chart::rating::ratings_chart;
use peergroup_pipeline::rating::{self, RateSettings};
use peergroup_pipeline::Named;

use super::{missing_input, setting_error, Ctx, Planned, Stage, StageId};
use crate::commands::{CommandError, CommandResult};
use crate::study::file::Study;
use crate::study::input::InputSpec;
use crate::study::stage_dir::StageDir;

/// The rating stage of a study.
struct RateStage<'a> {
    settings: &'a RateSettings,
    returns: &'a InputSpec,
    reference: Option<&'a InputSpec>,
}

/// Add the rating stage if the study has `[rate]`.
pub fn plan<'a>(study: &'a Study, stages: &mut Vec<Planned<'a>>) -> Result<(), CommandError> {
    let Some(settings) = &study.file.rate else {
        return Ok(());
    };
    let id = StageId::Rate;
    settings
        .validate()
        .map_err(|e| setting_error(study, id, e))?;
    let inputs = &study.file.inputs.rate;
    let returns = inputs
        .returns
        .as_ref()
        .ok_or_else(|| missing_input(study, id, "returns", "daily returns or NAVs"))?;
    let reference = inputs.reference.as_ref();
    stages.push(
        Planned::new(
            id,
            settings,
            RateStage {
                settings,
                returns,
                reference,
            },
        )
        .reads("returns", Some(returns))
        .reads("reference", reference),
    );
    Ok(())
}

impl Stage for RateStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        ctx.bar.note("reading series");
        let path = ctx.source(self.returns);
        let shown = path.label();
        let values = read_series(&path, &self.returns.series_options(&["value"]))?;
        ctx.bar.note("fitting AT-GARCH models");
        let rows = rating::rate_with(Named::new(&values, &shown), self.settings, ctx.bar)?;
        let stars = rating::star_counts(&rows);
        let rated: usize = stars.iter().sum();
        let mut metrics = vec![
            ("funds".into(), rows.len().to_string()),
            ("rated".into(), rated.to_string()),
            (
                "stars 1/2/3/4/5".into(),
                stars.map(|c| c.to_string()).join("/"),
            ),
        ];
        if let Some(spec) = self.reference {
            let rpath = ctx.source(spec);
            let column = spec.category_column.as_deref().unwrap_or("stars");
            let external = read_star_ratings(&rpath, column)?;
            let c = rating::compare_external(&rows, Named::new(&external, &rpath.label()), &shown)?;
            metrics.push(("Spearman vs reference".into(), format!("{:.3}", c.spearman)));
            metrics.push((
                "within one star".into(),
                format!("{:.0}%", 100.0 * c.share_within_one),
            ));
            dir.metrics(metrics);
            dir.table_shown(
                "agreement",
                &rating::comparison_table(&c),
                "Our stars against the reference",
            )?;
        } else {
            dir.metrics(metrics);
        }
        let title = format!("Gain and risk of {rated} funds");
        dir.chart(
            "ratings",
            &ratings_chart(&rows, &title),
            "Gain against risk, coloured by stars",
        )?;
        dir.table_shown("ratings", &rating::ratings_table(&rows), "Ratings")?;
        dir.table("details", &rating::details_table(&rows))?;
        Ok(())
    }
}
