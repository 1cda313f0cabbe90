//! The segmentation stages: offices or funds by their sales, and app investors by profile
//! and balances.

use peergroup_io::{read_balances, read_funds, read_sales, read_users};
use peergroup_pipeline::segment::{investors, sales, InvestorSettings, SalesSettings};
use peergroup_pipeline::KChoice;

use super::{missing_input, setting_error, Ctx, Planned, Stage, StageId};
use crate::commands::{CommandError, CommandResult};
use crate::study::file::Study;
use crate::study::input::InputSpec;
use crate::study::stage_dir::StageDir;

/// The sales-segmentation stage.
struct SalesStage<'a> {
    settings: &'a SalesSettings,
    sales: &'a InputSpec,
    categories: &'a InputSpec,
}

/// The investor-segmentation stage.
struct InvestorsStage<'a> {
    settings: &'a InvestorSettings,
    users: &'a InputSpec,
    balances: &'a InputSpec,
}

/// Add the segmentation stages the study configures.
pub fn plan<'a>(study: &'a Study, stages: &mut Vec<Planned<'a>>) -> Result<(), CommandError> {
    let Some(seg) = &study.file.segment else {
        return Ok(());
    };
    let inputs = &study.file.inputs.segment;
    if let Some(settings) = &seg.sales {
        let id = StageId::SegmentSales;
        settings
            .validate()
            .map_err(|e| setting_error(study, id, e))?;
        let sales =
            inputs.sales.sales.as_ref().ok_or_else(|| {
                missing_input(study, id, "sales", "monthly sales by office and fund")
            })?;
        let categories = inputs
            .sales
            .categories
            .as_ref()
            .ok_or_else(|| missing_input(study, id, "categories", "the funds' categories"))?;
        stages.push(
            Planned::new(
                id,
                settings,
                SalesStage {
                    settings,
                    sales,
                    categories,
                },
            )
            .reads("sales", Some(sales))
            .reads("categories", Some(categories)),
        );
    }
    if let Some(settings) = &seg.investors {
        let id = StageId::SegmentInvestors;
        settings
            .validate()
            .map_err(|e| setting_error(study, id, e))?;
        let users = inputs
            .investors
            .users
            .as_ref()
            .ok_or_else(|| missing_input(study, id, "users", "the users' profiles"))?;
        let balances = inputs
            .investors
            .balances
            .as_ref()
            .ok_or_else(|| missing_input(study, id, "balances", "daily balances"))?;
        stages.push(
            Planned::new(
                id,
                settings,
                InvestorsStage {
                    settings,
                    users,
                    balances,
                },
            )
            .reads("users", Some(users))
            .reads("balances", Some(balances)),
        );
    }
    Ok(())
}

impl Stage for SalesStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        ctx.bar.note("reading sales");
        let (sp, cp) = (ctx.source(self.sales), ctx.source(self.categories));
        let (s, c) = (read_sales(&sp)?, read_funds(&cp)?);
        let input = sales::prepare(s, &sp.label(), c, &cp.label(), self.settings)?;
        ctx.bar.note("clustering");
        let clusters = input.cluster()?;
        ctx.bar.note("stability");
        let stability = input.stability(&clusters)?;
        ctx.bar.note("t-SNE map");
        let tsne = input.tsne()?;
        let segments = input.segments(clusters, tsne, stability)?;
        dir.artifacts(&segments.artifacts())?;
        Ok(())
    }
}

impl Stage for InvestorsStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        ctx.bar.note("reading users and balances");
        let (up, bp) = (ctx.source(self.users), ctx.source(self.balances));
        let (u, b) = (read_users(&up)?, read_balances(&bp)?);
        let input = investors::prepare(u, &up.label(), b, &bp.label(), self.settings)?;
        let eda = input.eda();
        ctx.bar.note(if self.settings.k == KChoice::Auto {
            "choosing k"
        } else {
            "k-prototypes"
        });
        let (k, selection) = input.choose_k()?;
        let fit = input.fit(k)?;
        let segments = input.segments(k, selection, &fit, eda)?;
        dir.artifacts(&segments.artifacts())?;
        Ok(())
    }
}
