//! The peer-group stage: clusters of the similarity stage's funds, with bootstrap
//! p-values and agreement with an outside classification when the study asks.

use peergroup_io::read_labels;
use peergroup_pipeline::chart::cluster::{bic_chart, dendrogram_chart};
use peergroup_pipeline::cluster::{self, ClusterInput, ClusterSettings};
use peergroup_pipeline::Named;

use super::similarity::needs;
use super::{setting_error, Ctx, Planned, Stage, StageId};
use crate::commands::{CommandError, CommandResult};
use crate::study::file::Study;
use crate::study::input::InputSpec;
use crate::study::stage_dir::StageDir;

/// The peer-group stage of a study.
struct ClusterStage<'a> {
    settings: &'a ClusterSettings,
    reference: Option<&'a InputSpec>,
}

/// Add the peer-group stage if the study has `[cluster]`.
pub fn plan<'a>(study: &'a Study, stages: &mut Vec<Planned<'a>>) -> Result<(), CommandError> {
    let Some(settings) = &study.file.cluster else {
        return Ok(());
    };
    let id = StageId::Cluster;
    settings
        .validate()
        .map_err(|e| setting_error(study, id, e))?;
    if study.file.similarity.is_none() {
        return Err(needs(
            study,
            id,
            "similarity",
            "the similarity stage's table",
        ));
    }
    let reference = study.file.inputs.cluster.reference.as_ref();
    stages.push(
        Planned::new(
            id,
            settings,
            ClusterStage {
                settings,
                reference,
            },
        )
        .reads("reference", reference)
        .after(StageId::Similarity),
    );
    Ok(())
}

impl Stage for ClusterStage<'_> {
    fn run(&self, ctx: &Ctx<'_>, dir: &mut StageDir) -> CommandResult {
        let (sim, shown) = ctx.similarity_table()?;
        ctx.bar.note("clustering");
        let out = cluster::cluster(
            ClusterInput::Similarity {
                table: Named::new(&sim, &shown),
                date: None,
            },
            self.settings,
        )?;
        let pvalues = if self.settings.bootstrap > 0 {
            ctx.bar.note("multiscale bootstrap");
            out.pvalues_with(ctx.bar)?
        } else {
            None
        };
        let mut metrics = vec![
            ("funds".into(), out.ids.len().to_string()),
            ("peer groups".into(), out.k.to_string()),
        ];
        if out.silhouette.is_finite() {
            metrics.push(("mean silhouette".into(), format!("{:.3}", out.silhouette)));
        }
        if let Some(spec) = self.reference {
            let rpath = ctx.source(spec);
            let column = spec.category_column.as_deref().unwrap_or("label");
            let labels = read_labels(&rpath, "id", column)?;
            let rname = rpath.label();
            let a = out.agreement(Named::new(&labels[..], &rname))?;
            metrics.push(("ARI vs reference".into(), format!("{:.3}", a.ari)));
            metrics.push(("NMI vs reference".into(), format!("{:.3}", a.nmi)));
            dir.metrics(metrics);
            dir.table_shown(
                "agreement",
                &a.table(),
                "Peer groups against the reference categories",
            )?;
        } else {
            dir.metrics(metrics);
        }
        dir.text(format!("Number of peer groups: {}, {}.", out.k, out.k_note));
        if let Some(chart) = dendrogram_chart(&out, pvalues.as_deref(), "Peer groups", "distance") {
            dir.chart(
                "dendrogram",
                &chart,
                "Dendrogram with AU (red) and BP (green) p-values in % and the chosen cut",
            )?;
        }
        if let Some(selection) = out.selection.as_ref() {
            dir.chart(
                "bic",
                &bic_chart(selection),
                "BIC by number of groups and covariance model",
            )?;
        }
        dir.table_shown(
            "clusters",
            &out.assignments_table(),
            "Peer group of every fund",
        )?;
        if let Some(t) = out.linkage_table() {
            dir.table("linkage", &t)?;
        }
        if let Some(t) = out.bic_table() {
            dir.table("bic", &t)?;
        }
        if let Some(pv) = &pvalues {
            dir.table_shown(
                "pvalues",
                &out.pvalues_table(pv),
                "AU and BP p-values of every node",
            )?;
        }
        Ok(())
    }
}
