//! The style stage: every fund's exposures to the factors.

use peergroup_pipeline::chart::style::exposures_chart;
use peergroup_pipeline::style;
use peergroup_pipeline::Named;
use peergroup_style::StyleSpec;

use super::{missing_input, setting_error, Ctx, Planned, Stage, StageId};
use crate::commands::{CommandError, CommandResult};
use crate::study::file::{Study, StyleInputs};
use crate::study::input::InputSpec;
use crate::study::stage_dir::StageDir;

/// Funds whose exposures are drawn in the report (the first ones of the table).
const CHARTED_FUNDS: usize = 3;

/// The style stage of a study.
struct StyleStage<'a> {
    spec: StyleSpec,
    returns: &'a InputSpec,
    factors: &'a InputSpec,
}

/// Add the style stage if the study has `[style]`.
pub fn plan<'a>(study: &'a Study, stages: &mut Vec<Planned<'a>>) -> Result<(), CommandError> {
    let Some(settings) = &study.file.style else {
        return Ok(());
    };
    let id = StageId::Style;
    let spec = settings.spec().map_err(|e| setting_error(study, id, e))?;
    let StyleInputs { returns, factors } = &study.file.inputs.style;
    let returns = returns
        .as_ref()
        .ok_or_else(|| missing_input(study, id, "returns", "fund returns"))?;
    let factors = factors
        .as_ref()
        .ok_or_else(|| missing_input(study, id, "factors", "factor returns"))?;
    stages.push(
        Planned::new(
            id,
            settings,
            StyleStage {
                spec,
                returns,
                factors,
            },
        )
        .reads("returns", Some(returns))
        .reads("factors", Some(factors)),
    );
    Ok(())
}

impl Stage for StyleStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        ctx.bar.note("reading funds and factors");
        let funds = ctx.returns(self.returns, &["value"])?;
        let factors = ctx.returns(self.factors, &["value"])?;
        let (fname, xname) = (
            ctx.source(self.returns).label(),
            ctx.source(self.factors).label(),
        );
        let aligned = style::align_for(
            Named::new(&funds, &fname),
            Named::new(&factors, &xname),
            &self.spec,
        )?;
        ctx.bar.note("estimating exposures");
        let out = style::fit_with(aligned, &fname, &xname, &self.spec, ctx.bar)?;
        let s = out.summary();
        dir.metrics(vec![
            ("funds".into(), s.funds.to_string()),
            ("factors".into(), s.factors.to_string()),
            ("dates".into(), s.dates.to_string()),
            ("fits".into(), s.fits.to_string()),
            ("mean R²".into(), format!("{:.3}", s.mean_r2)),
        ]);
        for fund in out.aligned.funds.ids().iter().take(CHARTED_FUNDS) {
            if let Some(chart) = exposures_chart(&out.aligned, &out.result, fund) {
                let stem = format!("exposures_{}", file_safe(fund));
                dir.chart(
                    &stem,
                    &chart,
                    &format!("Exposures of {fund} over time, with R²"),
                )?;
            }
        }
        let (exposures, fit) = out.into_tables(true);
        dir.table_shown(
            "exposures",
            &exposures,
            "Exposures (fund, date, factor, beta)",
        )?;
        if let Some(fit) = fit {
            dir.table_shown("fit", &fit, "Fit statistics per fund and window")?;
        }
        Ok(())
    }
}

/// `id` with characters that are unsafe in file names replaced by `_`.
pub fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
