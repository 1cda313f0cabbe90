//! `peergroup cluster`: peer groups from a similarity table or a feature table.

use std::path::PathBuf;

use clap::{ArgGroup, Args};
use peergroup_data::{Date, InputError};
use peergroup_io::{read_exposures, read_features, read_series, read_similarity, Outputs};
use peergroup_pipeline::chart::cluster::{bic_chart, dendrogram_chart};
use peergroup_pipeline::cluster::{self, ClusterInput, ClusterMethod, ClusterSettings};
use peergroup_pipeline::micro_clusters::{micro_clusters, MicroSettings};
use peergroup_pipeline::reference::agreement;
use peergroup_pipeline::KChoice;
use peergroup_pipeline::{similarity, style, Named};
use peergroup_similarity::ExposureScale;
use peergroup_style::StyleSpec;

use super::factor_inputs::{FactorInputs, FACTORS_NEEDED};
use super::options::{
    name, parse_date, plan_chart, series_options, write_chart, ColumnFlags, Force, MaxReturn,
};
use super::reference::{print_agreement, ReferenceArgs};
use super::{step, CommandError, CommandResult};

/// Arguments of `peergroup cluster`.
#[derive(Args, Clone, Debug)]
// One input or the other: the group refuses both; that one is given is checked by `run`,
// whose message names the alternatives (clap's would list the group as one argument).
#[command(group(ArgGroup::new("input").multiple(false).args(["similarity", "features", "returns", "exposures"])))]
pub struct ClusterArgs {
    /// Similarity table date,fund_a,fund_b,similarity (one of --similarity or --features;
    /// --date-column and --value-column name a vendor file's date and similarity columns).
    #[arg(long, value_name = "FILE")]
    pub similarity: Option<PathBuf>,
    /// Feature table id,<feature>... (one of --similarity or --features; --id-column
    /// names a vendor file's id column).
    #[arg(long, value_name = "FILE")]
    pub features: Option<PathBuf>,
    /// Fund returns (long or wide): cluster S* of their whole-sample Sharpe exposures to
    /// --factors, and with --bootstrap resample the return periods behind them (AU/BP of
    /// a one-date similarity); needs --factors and --factor-similarity or
    /// --factor-attributes.
    #[arg(long, value_name = "FILE", requires = "factors")]
    pub returns: Option<PathBuf>,
    /// Factor returns of --returns (long or wide).
    #[arg(long, value_name = "FILE", requires = "returns")]
    pub factors: Option<PathBuf>,
    /// Style exposures fund,date,factor,beta (from `peergroup style`): peer groups at the
    /// size of the universe, by k-means micro-clusters of the exposures and exact
    /// average linkage of the micro-clusters on their mean S*, with no pair table
    /// (METHODS §4.14); writes id,cluster,micro_cluster. Needs --factor-similarity or
    /// --factor-attributes, --method average and a number --k.
    #[arg(long, value_name = "FILE")]
    pub exposures: Option<PathBuf>,
    /// Micro-clusters of --exposures (default 2,000; as many as the funds is exact
    /// average linkage).
    #[arg(long, value_name = "M", requires = "exposures")]
    pub micro_clusters: Option<usize>,
    #[command(flatten)]
    pub max_return: MaxReturn,
    #[command(flatten)]
    pub factor_similarity: FactorInputs,
    #[command(flatten)]
    pub columns: ColumnFlags,
    /// Date of the similarity table to cluster (default: the last).
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    #[command(flatten)]
    pub settings: ClusterSettings,
    #[command(flatten)]
    pub reference: ReferenceArgs,
    /// Output id,cluster.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Merge table left,right,height,size.
    #[arg(long, value_name = "FILE")]
    pub linkage_out: Option<PathBuf>,
    /// BIC table model,k,bic.
    #[arg(long, value_name = "FILE")]
    pub bic_out: Option<PathBuf>,
    /// Bootstrap p-values cluster_node,members,au,bp.
    #[arg(long, value_name = "FILE")]
    pub pvalues_out: Option<PathBuf>,
    /// Agreement with the reference: contingency counts, ARI and NMI (default: OUT's name
    /// with _agreement.csv).
    #[arg(long, alias = "comparison-out", value_name = "FILE")]
    pub agreement_out: Option<PathBuf>,
    /// Chart (.svg) of a hierarchical --method: the dendrogram, leaves coloured by cluster,
    /// the cut into the chosen k dashed, and with --bootstrap the AU (red) and BP (green)
    /// p-values in % at the nodes.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
    /// Chart (.svg) of the BIC by number of clusters and covariance model, whenever
    /// mixtures are fitted (--method gmm, or --k auto with --k-rule bic), as --bic-out.
    #[arg(long, value_name = "FILE.svg")]
    pub bic_chart: Option<PathBuf>,
    #[command(flatten)]
    pub force: Force,
}

impl ClusterArgs {
    /// Where the agreement with the reference goes: --agreement-out, else next to --out.
    fn agreement_out(&self) -> Option<PathBuf> {
        self.agreement_out.clone().or_else(|| {
            self.reference.reference.as_ref().map(|_| {
                let stem = self
                    .out
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "clusters".into());
                self.out.with_file_name(format!("{stem}_agreement.csv"))
            })
        })
    }
}

/// Peer groups of --exposures at scale: micro-clusters, then weighted average linkage.
fn run_on_exposures(args: &ClusterArgs) -> CommandResult {
    let settings = args.settings;
    let Some(path) = &args.exposures else {
        return Err(CommandError::usage("--exposures is required here"));
    };
    if !args.factor_similarity.given() {
        return Err(CommandError::usage(FACTORS_NEEDED));
    }
    if settings.method != ClusterMethod::Average {
        return Err(CommandError::usage(
            "--exposures forms peer groups by average linkage of micro-clusters: use --method average",
        ));
    }
    let KChoice::Fixed(k) = settings.k else {
        return Err(CommandError::usage(
            "--exposures needs a number of peer groups (--k N): the rules of --k auto need every pair",
        ));
    };
    for (flag, given) in [
        ("--linkage-out", args.linkage_out.is_some()),
        ("--bic-out", args.bic_out.is_some()),
        ("--pvalues-out", args.pvalues_out.is_some()),
        ("--bootstrap", settings.bootstrap > 0),
        ("--chart", args.chart.is_some()),
        ("--bic-chart", args.bic_chart.is_some()),
    ] {
        if given {
            return Err(CommandError::usage(format!(
                "{flag} is not available with --exposures (peer groups at scale write id,cluster,micro_cluster)"
            )));
        }
    }
    let agreement_out = args.agreement_out();
    let mut outputs = Outputs::new(args.force.force);
    outputs.plan_table(&args.out)?;
    if let Some(p) = &agreement_out {
        outputs.plan_table(p)?;
    }
    let source = args.columns.source(path);
    let ex = read_exposures(&source)?;
    let ex_name = source.label();
    let attributes = args.factor_similarity.attributes()?;
    let sx = args
        .factor_similarity
        .similarity(attributes.as_ref(), &ex.factors.names)?;
    let micro = MicroSettings {
        micro: args
            .micro_clusters
            .unwrap_or(MicroSettings::default().micro),
        k,
        seed: settings.seed,
        ..MicroSettings::default()
    };
    let groups = step("peer groups at scale", || {
        micro_clusters(
            Named::new(&ex, &ex_name),
            &sx,
            similarity::Scale::Raw,
            args.date,
            &micro,
            &peergroup_pipeline::Silent,
        )
    })?;
    outputs.write_table(&args.out, &groups.table())?;
    if let Some(r) = args.reference.read()? {
        let a = agreement(
            &groups.ids,
            &groups.labels,
            Named::new(&r.labels[..], &r.name),
        )?;
        print_agreement(&a, &r.name, "cluster");
        if let Some(p) = &agreement_out {
            outputs.write_table(p, &a.table())?;
        }
    } else if args.agreement_out.is_some() {
        return Err(CommandError::usage(
            "--agreement-out needs --reference FILE",
        ));
    }
    outputs.commit()?;
    let mut sizes = vec![0usize; k];
    for &l in &groups.labels {
        sizes[l] += 1;
    }
    let shown: Vec<String> = sizes.iter().map(|s| s.to_string()).collect();
    eprintln!(
        "{} funds on {} in {k} peer groups ({}) from {} micro-clusters (k-means {} iterations{}); wrote {}",
        groups.ids.len(),
        groups.date,
        shown.join("/"),
        groups.dendrogram.n,
        groups.iterations.0,
        if groups.iterations.1 { "" } else { ", not converged" },
        args.out.display()
    );
    Ok(())
}

/// Run `peergroup cluster`.
pub fn run(args: &ClusterArgs) -> CommandResult {
    let settings = args.settings;
    if args.returns.is_some() {
        return run_on_returns(args);
    }
    if args.exposures.is_some() {
        return run_on_exposures(args);
    }
    // The similarity table when both are given (clap refuses that).
    let path = match (&args.similarity, &args.features) {
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => {
            return Err(CommandError::usage(
                "one of --similarity, --features, --returns or --exposures is required",
            ))
        }
    };
    if args.factor_similarity.given() {
        return Err(CommandError::usage(
            "--factor-similarity and --factor-attributes go with --returns (the similarity is computed here)",
        ));
    }
    // With a reference, the agreement is always written: next to --out unless named.
    let agreement_out = args.agreement_out();
    let mut outputs = Outputs::new(args.force.force);
    outputs.plan_table(&args.out)?;
    for p in [
        &args.linkage_out,
        &args.bic_out,
        &args.pvalues_out,
        &agreement_out,
    ]
    .into_iter()
    .flatten()
    {
        outputs.plan_table(p)?;
    }
    plan_chart(&mut outputs, args.chart.as_deref())?;
    plan_chart(&mut outputs, args.bic_chart.as_deref())?;
    for (flag, given) in [
        ("--linkage-out", args.linkage_out.is_some()),
        ("--chart", args.chart.is_some()),
    ] {
        if given && settings.method.linkage().is_none() {
            return Err(CommandError::usage(format!(
                "{flag} needs a hierarchical --method (average, complete, single, ward)"
            )));
        }
    }
    settings.validate()?;
    for (flag, given) in [
        ("--bic-out", args.bic_out.is_some()),
        ("--bic-chart", args.bic_chart.is_some()),
    ] {
        if given && !settings.fits_mixtures() {
            return Err(CommandError::usage(format!(
                "{flag} needs --method gmm or --k auto with --k-rule bic"
            )));
        }
    }
    let source = args.columns.source(path);
    let input_name = source.label();
    let (similarity, features);
    let input = if args.similarity.is_some() {
        similarity = read_similarity(&source)?;
        ClusterInput::Similarity {
            table: Named::new(&similarity, &input_name),
            date: args.date,
        }
    } else {
        features = read_features(&source)?;
        ClusterInput::Features {
            table: Named::new(&features, &input_name),
            metric: settings.metric.into(),
        }
    };
    let clusters = step("clustering", || cluster::cluster(input, &settings))?;
    outputs.write_table(&args.out, &clusters.assignments_table())?;
    if let (Some(p), Some(table)) = (&args.linkage_out, clusters.linkage_table()) {
        outputs.write_table(p, &table)?;
    }
    if let Some(p) = &args.bic_out {
        let table = clusters.bic_table().ok_or_else(|| {
            CommandError::usage("--bic-out needs --method gmm or --k auto with --k-rule bic")
        })?;
        outputs.write_table(p, &table)?;
    }
    let pvalues = if settings.bootstrap > 0 {
        step("multiscale bootstrap", || clusters.pvalues())?
    } else {
        None
    };
    match (&pvalues, &args.pvalues_out) {
        (Some(pv), Some(p)) => outputs.write_table(p, &clusters.pvalues_table(pv))?,
        (None, Some(_)) => return Err(CommandError::usage("--pvalues-out needs --bootstrap N")),
        _ => {}
    }
    if let Some(p) = &args.chart {
        let y_label = if args.similarity.is_some() {
            "1 − similarity".to_string()
        } else {
            format!("{:?} distance", settings.metric).to_lowercase()
        };
        if let Some(c) = dendrogram_chart(&clusters, pvalues.as_deref(), "Peer groups", &y_label) {
            write_chart(&mut outputs, p, &c)?;
        }
    }
    if let (Some(p), Some(selection)) = (&args.bic_chart, &clusters.selection) {
        write_chart(&mut outputs, p, &bic_chart(selection))?;
    }
    let mut agreement = None;
    if let Some(r) = args.reference.read()? {
        let a = clusters.agreement(Named::new(&r.labels[..], &r.name))?;
        print_agreement(&a, &r.name, "cluster");
        if let Some(p) = &agreement_out {
            outputs.write_table(p, &a.table())?;
        }
        agreement = Some((a.ari, a.nmi));
    } else if args.agreement_out.is_some() {
        return Err(CommandError::usage(
            "--agreement-out needs --reference FILE",
        ));
    }
    outputs.commit()?;
    let silhouette = if clusters.k < 2 {
        "silhouette undefined for one cluster".to_string()
    } else if clusters.silhouette.is_nan() {
        "silhouette undefined with one object per cluster".to_string()
    } else {
        format!("mean silhouette {:.3}", clusters.silhouette)
    };
    eprintln!(
        "{} objects in {} cluster{} (k {}); {silhouette}{}; wrote {}",
        clusters.ids.len(),
        clusters.k,
        if clusters.k == 1 { "" } else { "s" },
        clusters.k_note,
        agreement.map_or(String::new(), |(ari, nmi)| format!(
            "; ARI {ari:.3}, NMI {nmi:.3} against the reference"
        )),
        args.out.display()
    );
    Ok(())
}

/// `cluster --returns R --factors F`: S* of whole-sample Sharpe exposures, clustered, and
/// with `--bootstrap N` AU/BP by resampling the return periods behind the exposures
/// (seed 004 Chart 4; METHODS §4.7).
fn run_on_returns(args: &ClusterArgs) -> CommandResult {
    let settings = args.settings;
    let (Some(returns), Some(factors_path)) = (&args.returns, &args.factors) else {
        return Err(CommandError::usage("--returns needs --factors"));
    };
    if !args.factor_similarity.given() {
        return Err(CommandError::usage(FACTORS_NEEDED));
    }
    let Some(linkage) = settings.method.linkage() else {
        return Err(CommandError::usage(
            "--returns clusters a hierarchical --method (average, complete, single, ward)",
        ));
    };
    for (flag, given) in [
        ("--bic-out", args.bic_out.is_some()),
        ("--bic-chart", args.bic_chart.is_some()),
        ("--reference", args.reference.reference.is_some()),
        ("--agreement-out", args.agreement_out.is_some()),
        ("--date", args.date.is_some()),
    ] {
        if given {
            return Err(CommandError::usage(format!(
                "{flag} is not available with --returns"
            )));
        }
    }
    if args.pvalues_out.is_some() && settings.bootstrap == 0 {
        return Err(CommandError::usage("--pvalues-out needs --bootstrap N"));
    }
    settings.validate()?;
    let mut outputs = Outputs::new(args.force.force);
    outputs.plan_table(&args.out)?;
    for p in [&args.linkage_out, &args.pvalues_out].into_iter().flatten() {
        outputs.plan_table(p)?;
    }
    plan_chart(&mut outputs, args.chart.as_deref())?;
    let options = series_options(false, false, args.max_return, &["value"]);
    let funds = read_series(&args.columns.source(returns), &options)?.to_returns();
    let factors = read_series(factors_path, &options)?.to_returns();
    let (funds_name, factors_name) = (name(returns), name(factors_path));
    let fitted = step("estimating exposures", || {
        style::style(
            Named::new(&funds, &funds_name),
            Named::new(&factors, &factors_name),
            &StyleSpec::default(),
        )
    })?;
    let exposures = fitted.exposures();
    let attributes = args.factor_similarity.attributes()?;
    let sx = args
        .factor_similarity
        .similarity(attributes.as_ref(), &exposures.factors.names)?;
    let day = similarity::similarity_matrices(
        similarity::SimilarityInputs {
            exposures: Named::new(&exposures, &funds_name),
            r2: None,
            residuals: None,
        },
        &sx,
        &similarity::SimilaritySettings::default(),
    )?
    .pop()
    .ok_or_else(|| {
        InputError::new("no date with exposures for two funds").in_file(funds_name.clone())
    })?;
    let clusters = step("clustering", || {
        cluster::cluster(
            ClusterInput::Matrix(Named::new(&day, &funds_name)),
            &ClusterSettings {
                bootstrap: 0,
                ..settings
            },
        )
    })?;
    let pvalues = if settings.bootstrap > 0 {
        let pv = step("bootstrapping return periods", || {
            similarity::period_pvalues(
                &fitted,
                &sx,
                ExposureScale::Raw,
                linkage,
                settings.bootstrap,
                settings.seed,
            )
        })?;
        // The bootstrap's tree is the clustering's (same distances, same linkage).
        let same = clusters.dendrogram.as_ref().is_some_and(|d| {
            d.clades() == pv.iter().map(|c| c.members.clone()).collect::<Vec<_>>()
        });
        if !same {
            return Err(CommandError::System(
                "the bootstrap's original tree differs from the clustering's".into(),
            ));
        }
        Some(pv)
    } else {
        None
    };
    outputs.write_table(&args.out, &clusters.assignments_table())?;
    if let (Some(p), Some(table)) = (&args.linkage_out, clusters.linkage_table()) {
        outputs.write_table(p, &table)?;
    }
    if let (Some(pv), Some(p)) = (&pvalues, &args.pvalues_out) {
        outputs.write_table(p, &clusters.pvalues_table(pv))?;
    }
    if let Some(p) = &args.chart {
        let title = format!("Peer groups on {} (S* of the exposures)", day.date);
        if let Some(c) = dendrogram_chart(&clusters, pvalues.as_deref(), &title, "1 − S*") {
            write_chart(&mut outputs, p, &c)?;
        }
    }
    outputs.commit()?;
    eprintln!(
        "{} funds in {} clusters on {}{}; wrote {}",
        clusters.ids.len(),
        clusters.k,
        day.date,
        if settings.bootstrap > 0 {
            format!(
                ", AU/BP from {} bootstrap replicates per scale of the return periods",
                settings.bootstrap
            )
        } else {
            String::new()
        },
        args.out.display()
    );
    Ok(())
}
