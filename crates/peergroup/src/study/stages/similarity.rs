//! The similarity stage (factor-aware similarity of every pair of funds, from the style
//! stage's exposures) and the peers stage (each fund's nearest peers).

use peergroup_data::{InputError, Metadata};
use peergroup_io::{
    read_cross_labels, read_exposures, read_fit_r2, read_metadata, read_similarity,
    read_square_matrix, RowTable,
};
use peergroup_pipeline::chart::similarity::{peers_chart, similarity_heatmap};
use peergroup_pipeline::similarity::{
    self, FactorSource, Idio, PairMeasures, PeerMeasures, PeerRow, PeersSettings, SimilarityInputs,
    SimilaritySettings,
};
use peergroup_pipeline::Named;
use peergroup_similarity::FactorSimilarity;

use super::{missing_input, setting_error, Ctx, Planned, Stage, StageId};
use crate::commands::{CommandError, CommandResult};
use crate::study::file::Study;
use crate::study::input::InputSpec;
use crate::study::stage_dir::StageDir;

/// Funds whose peers are drawn in the report.
const CHARTED_FUNDS: usize = 3;

/// The similarity stage of a study.
struct SimilarityStage<'a> {
    settings: &'a SimilaritySettings,
}

/// The peers stage of a study.
struct PeersStage<'a> {
    settings: &'a PeersSettings,
    categories: Option<&'a InputSpec>,
    /// The style stage's fund returns, for the correlation column.
    returns: Option<&'a InputSpec>,
}

/// Add the similarity and peers stages the study configures.
pub fn plan<'a>(study: &'a Study, stages: &mut Vec<Planned<'a>>) -> Result<(), CommandError> {
    if let Some(settings) = &study.file.similarity {
        let id = StageId::Similarity;
        settings.dates().map_err(|e| setting_error(study, id, e))?;
        if study.file.style.is_none() {
            return Err(needs(study, id, "style", "the style stage's exposures"));
        }
        if settings.idio == Idio::Residual {
            return Err(CommandError::Input(study.key_error(
                &["similarity", "idio"],
                "residual similarity needs the funds' residuals, which a study does not compute yet: use idio = \"none\"",
            )));
        }
        let inputs = &study.file.inputs.similarity;
        if inputs.factor_similarity.is_none() && inputs.factor_attributes.is_none() {
            return Err(missing_input(
                study,
                id,
                "factor-attributes",
                "the factors' similarity (factor-attributes or factor-similarity)",
            ));
        }
        stages.push(
            Planned::new(id, settings, SimilarityStage { settings })
                .reads("factor-similarity", inputs.factor_similarity.as_ref())
                .reads("factor-attributes", inputs.factor_attributes.as_ref())
                .reads("cross-label", inputs.cross_label.as_ref())
                .after(StageId::Style),
        );
    }
    if let Some(settings) = &study.file.peers {
        if study.file.similarity.is_none() {
            return Err(needs(
                study,
                StageId::Peers,
                "similarity",
                "the similarity stage's table",
            ));
        }
        let categories = study.file.inputs.cluster.reference.as_ref();
        let returns = study.file.inputs.style.returns.as_ref();
        let inputs = &study.file.inputs.similarity;
        stages.push(
            Planned::new(
                StageId::Peers,
                settings,
                PeersStage {
                    settings,
                    categories,
                    returns,
                },
            )
            .reads("categories", categories)
            .reads("returns", returns)
            .reads("factor-similarity", inputs.factor_similarity.as_ref())
            .reads("factor-attributes", inputs.factor_attributes.as_ref())
            .reads("cross-label", inputs.cross_label.as_ref())
            .after(StageId::Similarity),
        );
    }
    Ok(())
}

/// The factors' similarity from `[inputs.similarity]` (a matrix, or attributes with
/// optional cross labels) for the factors `names`, and the attribute table when there is
/// one (for themes by attribute).
pub fn factor_similarity(
    ctx: &Ctx<'_>,
    names: &[String],
) -> Result<(FactorSimilarity, Option<(Metadata, String)>), InputError> {
    let inputs = &ctx.study.file.inputs.similarity;
    if let Some(spec) = &inputs.factor_similarity {
        let path = ctx.source(spec);
        let m = read_square_matrix(&path)?;
        let sx = similarity::factor_similarity(
            FactorSource::Matrix(Named::new(&m, &path.label())),
            names,
        )?;
        return Ok((sx, None));
    }
    let Some(spec) = inputs.factor_attributes.as_ref() else {
        return Err(InputError::new(
            "the factors' similarity is needed: give factor-attributes or factor-similarity under [inputs.similarity]",
        ));
    };
    let path = ctx.source(spec);
    let table = read_metadata(&path, "factor", &[])?;
    let cross = inputs
        .cross_label
        .as_ref()
        .map(|c| read_cross_labels(&ctx.source(c)))
        .transpose()?;
    let cross_name = inputs
        .cross_label
        .as_ref()
        .map(|c| ctx.source(c).label())
        .unwrap_or_default();
    let shown = path.label();
    let sx = similarity::factor_similarity(
        FactorSource::Attributes {
            table: Named::new(&table, &shown),
            weights: &[],
            cross: cross.as_deref().map(|c| Named::new(c, cross_name.as_str())),
        },
        names,
    )?;
    Ok((sx, Some((table, shown))))
}

/// A stage that needs another one the study does not run.
pub fn needs(study: &Study, id: StageId, other: &str, what: &str) -> CommandError {
    CommandError::Input(study.locator.table_error(
        id.table_path(),
        format!("this stage reads {what}: add a [{other}] table"),
    ))
}

impl Stage for SimilarityStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        ctx.bar.note("reading exposures");
        let ex_path = ctx.upstream(StageId::Style, "exposures");
        let fit_path = ctx.upstream(StageId::Style, "fit");
        let ex = read_exposures(&ex_path)?;
        let r2 = read_fit_r2(&fit_path)?;
        let (sx, _) = factor_similarity(ctx, &ex.factors.names)?;
        ctx.bar.note("computing similarities");
        let (ex_name, fit_name) = (
            ex_path.display().to_string(),
            fit_path.display().to_string(),
        );
        let pairs = similarity::similarity_with(
            SimilarityInputs {
                exposures: Named::new(&ex, &ex_name),
                r2: Some(Named::new(&r2, &fit_name)),
                residuals: None,
            },
            &sx,
            self.settings,
            ctx.bar,
        )?;
        dir.metrics(vec![
            ("funds".into(), pairs.funds.to_string()),
            ("pairs".into(), pairs.pairs.to_string()),
            ("dates".into(), pairs.dates.to_string()),
        ]);
        dir.table_shown(
            "similarity",
            &pairs.table,
            "Similarity of every pair of funds",
        )?;
        let sim = read_similarity(&dir_path(dir, "similarity"))?;
        if let Some(&last) = sim.dates.last() {
            let t = sim.dates.len() - 1;
            let chart = similarity_heatmap(
                &sim.funds.names,
                sim.matrix(t),
                &format!("Similarity on {last}"),
            );
            dir.chart(
                "heatmap",
                &chart,
                "Similarity heat map (average-linkage leaf order)",
            )?;
        }
        Ok(())
    }
}

impl Stage for PeersStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        let (sim, shown) = ctx.similarity_table()?;
        let categories = self
            .categories
            .map(|spec| read_metadata(&ctx.source(spec), "id", &["category"]))
            .transpose()?;
        // S*, S and correlation of every listed pair, side by side (whichever of them
        // ranked the peers), so a reader sees where the measures disagree.
        ctx.bar.note("reading exposures and returns");
        let ex_path = ctx.upstream(StageId::Style, "exposures");
        let fit_path = ctx.upstream(StageId::Style, "fit");
        let ex = read_exposures(&ex_path)?;
        let r2 = read_fit_r2(&fit_path)?;
        let (sx, _) = factor_similarity(ctx, &ex.factors.names)?;
        let returns = self
            .returns
            .map(|spec| ctx.returns(spec, &["value"]))
            .transpose()?;
        let returns_name = self
            .returns
            .map(|s| ctx.source(s).label())
            .unwrap_or_default();
        let (ex_name, fit_name) = (
            ex_path.display().to_string(),
            fit_path.display().to_string(),
        );
        let t = match self.settings.date {
            Some(d) => peergroup_pipeline::date_index(&sim.dates, d, "similarities")
                .map_err(|e| e.in_file(&shown))?,
            None => sim.dates.len() - 1,
        };
        let scale = ctx
            .study
            .file
            .similarity
            .map(|s| s.scale)
            .unwrap_or(similarity::Scale::Raw);
        let window = ctx.study.file.style.as_ref().and_then(|s| s.window);
        let measures = PeerMeasures::new(
            Named::new(&ex, &ex_name),
            &sx,
            scale,
            Some(Named::new(&r2, &fit_name)),
            returns.as_ref().map(|r| Named::new(r, &returns_name)),
            window,
            sim.dates[t],
        )?;
        let n = sim.funds.len();
        ctx.bar.start("funds", n as u64);
        let mut rows: Vec<(usize, usize, PeerRow, PairMeasures)> = Vec::new();
        for (i, fund) in sim.funds.names.iter().enumerate() {
            let (_, peers) = similarity::peers(
                Named::new(&sim, &shown),
                fund,
                categories.as_ref(),
                self.settings,
            )?;
            if i < CHARTED_FUNDS {
                dir.chart(
                    &format!("peers_{}", super::style::file_safe(fund)),
                    &peers_chart(fund, &peers),
                    &format!("Nearest peers of {fund}"),
                )?;
            }
            let names: Vec<&str> = peers.iter().map(|p| p.peer.as_str()).collect();
            let m = measures.of(fund, &names)?;
            rows.extend(
                peers
                    .into_iter()
                    .zip(m)
                    .enumerate()
                    .map(|(r, (p, m))| (i, r + 1, p, m)),
            );
            ctx.bar.advance(1);
        }
        let table = RowTable::new(&rows)
            .text("fund", |(i, _, _, _)| sim.funds.names[*i].clone())
            .i64("rank", |(_, r, _, _)| *r as i64)
            .text("peer", |(_, _, p, _)| p.peer.clone())
            .f64("similarity", |(_, _, p, _)| p.similarity)
            .f64("s_star", |(_, _, _, m)| m.s_star)
            .f64("s", |(_, _, _, m)| m.s.unwrap_or(f64::NAN))
            .f64("correlation", |(_, _, _, m)| {
                m.correlation.unwrap_or(f64::NAN)
            })
            .text("outside_category", |(_, _, p, _)| {
                p.outside_category.map_or(String::new(), |o| o.to_string())
            })
            .table();
        dir.table_shown("peers", &table, "Each fund's nearest peers")?;
        Ok(())
    }
}

/// The path of a table the stage has just written.
fn dir_path(dir: &StageDir, stem: &str) -> std::path::PathBuf {
    dir.path(&dir.table_file(stem))
}
