//! `peergroup cluster`: peer groups from a similarity table or a feature table.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use peergroup_cluster::linkage::Metric;
use peergroup_data::Date;
use peergroup_io::{read_features, read_labels, read_similarity, Outputs};
use peergroup_pipeline::cluster::{self, ClusterInput, ClusterMethod, ClusterSettings};
use peergroup_pipeline::{KChoice, Named};

use super::options::{name, parse_date, Force};
use super::{step, CommandError, CommandResult};

/// Distance between feature rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    /// Euclidean distance.
    Euclidean,
    /// Manhattan distance.
    Manhattan,
    /// 1 − Pearson correlation of the feature rows.
    Correlation,
}

impl From<MetricArg> for Metric {
    fn from(m: MetricArg) -> Metric {
        match m {
            MetricArg::Euclidean => Metric::Euclidean,
            MetricArg::Manhattan => Metric::Manhattan,
            MetricArg::Correlation => Metric::Correlation,
        }
    }
}

/// Arguments of `peergroup cluster`.
#[derive(Args, Clone, Debug)]
pub struct ClusterArgs {
    /// Similarity table date,fund_a,fund_b,similarity.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "features",
        required_unless_present = "features"
    )]
    pub similarity: Option<PathBuf>,
    /// Feature table id,<feature>....
    #[arg(long, value_name = "FILE")]
    pub features: Option<PathBuf>,
    /// Distance between feature rows (hierarchical methods).
    #[arg(long, value_enum, default_value = "euclidean")]
    pub metric: MetricArg,
    /// Date of the similarity table to cluster (default: the last).
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// Method.
    #[arg(long, value_enum, default_value_t = ClusterSettings::default().method)]
    pub method: ClusterMethod,
    /// Number of clusters, or auto (BIC of Gaussian mixtures).
    #[arg(long, default_value_t = ClusterSettings::default().k, value_parser = str::parse::<KChoice>, value_name = "K|auto")]
    pub k: KChoice,
    /// Bootstrap replicates per scale for AU/BP p-values (0: none).
    #[arg(long, default_value_t = ClusterSettings::default().bootstrap, value_name = "N")]
    pub bootstrap: usize,
    /// Random seed.
    #[arg(long, default_value_t = ClusterSettings::default().seed)]
    pub seed: u64,
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
    /// Reference labels id,label (e.g. vendor categories).
    #[arg(long, value_name = "FILE")]
    pub reference: Option<PathBuf>,
    /// Label column of the reference table (e.g. category of meta.csv).
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub reference_column: String,
    /// Agreement with the reference: contingency counts, ARI and NMI (default: OUT's name
    /// with _agreement.csv).
    #[arg(long, value_name = "FILE")]
    pub agreement_out: Option<PathBuf>,
    #[command(flatten)]
    pub force: Force,
}

impl ClusterArgs {
    /// The clustering settings.
    pub fn settings(&self) -> ClusterSettings {
        ClusterSettings {
            method: self.method,
            k: self.k,
            bootstrap: self.bootstrap,
            seed: self.seed,
        }
    }

    /// Where the agreement with the reference goes: --agreement-out, else next to --out.
    fn agreement_out(&self) -> Option<PathBuf> {
        self.agreement_out.clone().or_else(|| {
            self.reference.as_ref().map(|_| {
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

/// Run `peergroup cluster`.
pub fn run(args: &ClusterArgs) -> CommandResult {
    // The similarity table when both are given (clap refuses that).
    let path = match (&args.similarity, &args.features) {
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => return Err(CommandError::usage("give --similarity or --features")),
    };
    let settings = args.settings();
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
    if args.linkage_out.is_some() && settings.method.linkage().is_none() {
        return Err(CommandError::usage(
            "--linkage-out needs a hierarchical --method (average, complete, single, ward)",
        ));
    }
    settings.validate()?;
    let input_name = name(path);
    let (similarity, features);
    let input = if args.similarity.is_some() {
        similarity = read_similarity(path)?;
        ClusterInput::Similarity {
            table: Named::new(&similarity, &input_name),
            date: args.date,
        }
    } else {
        features = read_features(path)?;
        ClusterInput::Features {
            table: Named::new(&features, &input_name),
            metric: args.metric.into(),
        }
    };
    let clusters = step("clustering", || cluster::cluster(input, &settings))?;
    outputs.write_table(&args.out, &clusters.assignments_table())?;
    if let (Some(p), Some(table)) = (&args.linkage_out, clusters.linkage_table()) {
        outputs.write_table(p, &table)?;
    }
    if let Some(p) = &args.bic_out {
        let table = clusters
            .bic_table()
            .ok_or_else(|| CommandError::usage("--bic-out needs --method gmm or --k auto"))?;
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
    let mut agreement = None;
    if let Some(r) = &args.reference {
        let rname = name(r);
        let refs = read_labels(r, "id", &args.reference_column)?;
        let a = clusters.agreement(Named::new(&refs[..], &rname))?;
        eprintln!("agreement with {rname}: ARI {:.3}, NMI {:.3}", a.ari, a.nmi);
        eprintln!("contingency (rows: clusters, columns: reference labels):");
        eprintln!("  cluster  {}", a.labels.join("  "));
        let table = &a.counts;
        for c in 0..table.rows {
            let counts: Vec<String> = (0..table.cols)
                .map(|j| table.get(c, j).to_string())
                .collect();
            eprintln!("  {:>7}  {}", c + 1, counts.join("  "));
        }
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
    eprintln!(
        "{} objects in {} clusters (k {}); mean silhouette {:.3}{}; wrote {}",
        clusters.ids.len(),
        clusters.k,
        clusters.k_note,
        clusters.silhouette,
        agreement.map_or(String::new(), |(ari, nmi)| format!(
            "; ARI {ari:.3}, NMI {nmi:.3} against the reference"
        )),
        args.out.display()
    );
    Ok(())
}
