//! `peergroup cluster`: peer groups from a similarity table or a feature table (SPEC §4).

use std::path::PathBuf;

use peergroup_cluster::bootstrap::multiscale_bootstrap;
use peergroup_cluster::embed::classical_mds;
use peergroup_cluster::gmm::{CovModel, GmmSearch};
use peergroup_cluster::kmeans::KMeans;
use peergroup_cluster::labels::first_appearance;
use peergroup_cluster::linkage::{feature_distances, linkage_owned, Dendrogram, Linkage, Metric};
use peergroup_cluster::validity::{
    adjusted_rand_index, contingency, normalized_mutual_info, silhouette,
};
use peergroup_cluster::{Fit, MatRef};
use peergroup_data::{Date, InputError};
use peergroup_io::{read_features, read_labels, read_similarity, Column, Outputs, Table};

use super::progress::step;
use super::{CommandError, CommandResult};

/// Clustering method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ClusterMethod {
    /// Hierarchical, average linkage (UPGMA).
    Average,
    /// Hierarchical, complete linkage.
    Complete,
    /// Hierarchical, single linkage.
    Single,
    /// Hierarchical, Ward's minimum variance.
    Ward,
    /// k-means (k-means++ starts, 10 restarts).
    Kmeans,
    /// Gaussian mixture (BIC over covariance models).
    Gmm,
}

/// How many clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KChoice {
    /// A given number.
    Fixed(usize),
    /// Chosen by BIC of Gaussian mixtures (k = 1..9, six covariance models).
    Auto,
}

/// Parse `--k K|auto`.
pub fn parse_k(s: &str) -> Result<KChoice, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(KChoice::Auto);
    }
    match s.parse::<usize>() {
        Ok(k) if k >= 1 => Ok(KChoice::Fixed(k)),
        _ => Err(format!(
            "expected 'auto' or a positive number of clusters, got '{s}'"
        )),
    }
}

/// Where the objects' dissimilarities come from.
#[derive(Clone, Debug)]
pub enum ClusterInput {
    /// `date,fund_a,fund_b,similarity`: distance `1 − S` on `date` (default: the last).
    Similarity {
        /// File.
        file: PathBuf,
        /// Date to cluster.
        date: Option<Date>,
    },
    /// `id,<feature>...`, with a distance metric.
    Features {
        /// File.
        file: PathBuf,
        /// Metric for hierarchical methods.
        metric: Metric,
    },
}

/// Inputs and settings of `peergroup cluster`.
#[derive(Clone, Debug)]
pub struct ClusterArgs {
    /// Input.
    pub input: ClusterInput,
    /// Method.
    pub method: ClusterMethod,
    /// Number of clusters.
    pub k: KChoice,
    /// Bootstrap replicates per scale (0: none).
    pub bootstrap: usize,
    /// Seed.
    pub seed: u64,
    /// `id,cluster`.
    pub out: PathBuf,
    /// Merge table (hierarchical methods).
    pub linkage_out: Option<PathBuf>,
    /// `model,k,bic`.
    pub bic_out: Option<PathBuf>,
    /// `cluster_node,members,au,bp`.
    pub pvalues_out: Option<PathBuf>,
    /// `id,label` reference labels (e.g. vendor categories).
    pub reference: Option<PathBuf>,
    /// Label column of the reference table (e.g. `category` of a fund metadata table).
    pub reference_column: String,
    /// Where to write the agreement with the reference.
    pub agreement_out: Option<PathBuf>,
    /// Replace existing outputs.
    pub force: bool,
}

/// What `peergroup cluster` found.
#[derive(Clone, Debug)]
pub struct ClusterSummary {
    /// Objects clustered.
    pub n: usize,
    /// Clusters formed.
    pub k: usize,
    /// How k was chosen (text for the summary line).
    pub k_note: String,
    /// Mean silhouette of the partition (NaN for k = 1).
    pub silhouette: f64,
    /// ARI and NMI against the reference, if given.
    pub agreement: Option<(f64, f64)>,
}

/// Loaded dissimilarities, the data rows the bootstrap resamples, and coordinates for
/// model-based methods.
struct Prepared {
    ids: Vec<String>,
    condensed: Vec<f64>,
    /// Coordinates for k-means / GMM (n × d).
    coords: Vec<f64>,
    d: usize,
    coords_note: String,
    /// Bootstrap: number of resampled rows and a distance function of a row sample.
    resample: Option<Resample>,
}

enum Resample {
    /// Dates of a similarity table: distance = 1 − mean similarity over sampled dates.
    Dates {
        n_dates: usize,
        matrices: Vec<f64>,
        n: usize,
    },
    /// Feature columns: distances recomputed on the sampled columns.
    Features {
        values: Vec<f64>,
        n: usize,
        d: usize,
        metric: Metric,
    },
}

impl Resample {
    fn rows(&self) -> usize {
        match self {
            Resample::Dates { n_dates, .. } => *n_dates,
            Resample::Features { d, .. } => *d,
        }
    }

    fn distances(&self, rows: &[usize]) -> Vec<f64> {
        match self {
            Resample::Dates { matrices, n, .. } => {
                let n = *n;
                let mut out = Vec::with_capacity(n * (n - 1) / 2);
                for i in 0..n {
                    for j in i + 1..n {
                        let mean = rows
                            .iter()
                            .map(|&t| matrices[t * n * n + i * n + j])
                            .sum::<f64>()
                            / rows.len() as f64;
                        out.push(1.0 - mean);
                    }
                }
                out
            }
            Resample::Features {
                values,
                n,
                d,
                metric,
            } => {
                let sub: Vec<f64> = (0..*n)
                    .flat_map(|i| rows.iter().map(move |&c| values[i * d + c]))
                    .collect();
                // `sub` is n × rows by construction; an empty result would be reported as
                // a length error by the bootstrap.
                MatRef::new(&sub, *n, rows.len())
                    .map_or_else(|_| Vec::new(), |x| feature_distances(x, *metric))
            }
        }
    }
}

/// Dimensions of the embedding of a similarity matrix used by k-means and GMM.
const EMBED_DIMS: usize = 4;

fn prepare(input: &ClusterInput, seed: u64) -> CommandResult<Prepared> {
    match input {
        ClusterInput::Similarity { file, date } => {
            let name = file.display().to_string();
            let sim = read_similarity(file)?;
            let t = match date {
                Some(d) => sim.dates.binary_search(d).map_err(|_| {
                    CommandError::Input(
                        InputError::new(format!("--date {d} is not in the similarity table"))
                            .in_file(name.clone()),
                    )
                })?,
                None => sim.dates.len() - 1,
            };
            let n = sim.funds.len();
            let m = sim.matrix(t);
            let mut condensed = Vec::with_capacity(n * (n.saturating_sub(1)) / 2);
            for i in 0..n {
                for j in i + 1..n {
                    condensed.push(1.0 - m[i * n + j]);
                }
            }
            let d = EMBED_DIMS.min(n.saturating_sub(2)).max(1);
            let e = classical_mds(&condensed, n, d, seed);
            let resample = (sim.dates.len() > 1).then(|| Resample::Dates {
                n_dates: t + 1,
                matrices: sim.values[..(t + 1) * n * n].to_vec(),
                n,
            });
            Ok(Prepared {
                ids: sim.funds.names.clone(),
                condensed,
                coords: e.coords,
                d: e.d,
                coords_note: format!(
                    "classical MDS of 1 − S in {} dimensions ({:.0}% of the positive spectrum)",
                    e.d,
                    100.0 * e.explained
                ),
                resample,
            })
        }
        ClusterInput::Features { file, metric } => {
            let f = read_features(file)?;
            let (n, d) = (f.ids.len(), f.names.len());
            // Model-based methods see standardised features, so no feature dominates by scale.
            let mut z = f.values.clone();
            for c in 0..d {
                let mean = (0..n).map(|i| f.values[i * d + c]).sum::<f64>() / n as f64;
                let sd = ((0..n)
                    .map(|i| (f.values[i * d + c] - mean).powi(2))
                    .sum::<f64>()
                    / (n as f64 - 1.0).max(1.0))
                .sqrt();
                for i in 0..n {
                    z[i * d + c] = if sd > 0.0 {
                        (f.values[i * d + c] - mean) / sd
                    } else {
                        0.0
                    };
                }
            }
            let condensed = feature_distances(MatRef::new(&f.values, n, d)?, *metric);
            let (coords, dd, note) = if d <= 8 {
                (z, d, format!("the {d} standardised features"))
            } else {
                let e = classical_mds(
                    &feature_distances(MatRef::new(&z, n, d)?, Metric::Euclidean),
                    n,
                    EMBED_DIMS.min(n.saturating_sub(2)).max(1),
                    seed,
                );
                let note = format!(
                    "classical MDS of the standardised features in {} dimensions",
                    e.d
                );
                (e.coords, e.d, note)
            };
            Ok(Prepared {
                ids: f.ids,
                condensed,
                coords,
                d: dd,
                coords_note: note,
                resample: Some(Resample::Features {
                    values: f.values,
                    n,
                    d,
                    metric: *metric,
                }),
            })
        }
    }
}

fn linkage_of(method: ClusterMethod) -> Option<Linkage> {
    match method {
        ClusterMethod::Average => Some(Linkage::Average),
        ClusterMethod::Complete => Some(Linkage::Complete),
        ClusterMethod::Single => Some(Linkage::Single),
        ClusterMethod::Ward => Some(Linkage::Ward),
        _ => None,
    }
}

/// Run `peergroup cluster`.
pub fn run(args: &ClusterArgs) -> CommandResult<ClusterSummary> {
    // With a reference, the agreement is always written: next to --out unless named.
    let agreement_out = args.agreement_out.clone().or_else(|| {
        args.reference.as_ref().map(|_| {
            let stem = args
                .out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "clusters".into());
            args.out.with_file_name(format!("{stem}_agreement.csv"))
        })
    });
    let mut outputs = Outputs::new(args.force);
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
    if args.linkage_out.is_some() && linkage_of(args.method).is_none() {
        return Err(CommandError::usage(
            "--linkage-out needs a hierarchical --method (average, complete, single, ward)",
        ));
    }
    if args.bootstrap > 0 && linkage_of(args.method).is_none() {
        return Err(CommandError::usage(
            "--bootstrap p-values are for hierarchical methods (average, complete, single, ward)",
        ));
    }
    let prep = prepare(&args.input, args.seed)?;
    let n = prep.ids.len();
    if n < 3 {
        return Err(CommandError::usage(format!(
            "clustering needs at least 3 objects, got {n}"
        )));
    }
    if let KChoice::Fixed(k) = args.k {
        if k > n {
            return Err(CommandError::usage(format!(
                "--k {k} is larger than the number of objects ({n})"
            )));
        }
    }
    // k by BIC of Gaussian mixtures on the embedding, when asked or for --method gmm.
    let need_gmm = args.method == ClusterMethod::Gmm || args.k == KChoice::Auto;
    let selection = if need_gmm {
        let ks = match args.k {
            KChoice::Fixed(k) => k..=k,
            KChoice::Auto => 1..=9.min(n - 1),
        };
        let coords = MatRef::new(&prep.coords, n, prep.d)?;
        Some(step("fitting Gaussian mixtures", || {
            GmmSearch::new(ks, &CovModel::ALL)
                .seed(args.seed)
                .fit(coords)
        })?)
    } else {
        None
    };
    let (k, k_note) = match (args.k, &selection) {
        (KChoice::Fixed(k), _) => (k, "given".to_string()),
        (KChoice::Auto, Some(sel)) => (
            sel.best.k,
            format!("chosen by BIC over k = 1..9 and models EII, VII, EEI, VVI, EEE, VVV on {}: best {} with k = {}", prep.coords_note, sel.best.model.name(), sel.best.k),
        ),
        (KChoice::Auto, None) => unreachable!("auto always fits mixtures"),
    };
    let mut dendrogram: Option<Dendrogram> = None;
    let labels: Vec<usize> = match args.method {
        ClusterMethod::Gmm => selection.as_ref().expect("fitted").best.labels.clone(),
        ClusterMethod::Kmeans => {
            let coords = MatRef::new(&prep.coords, n, prep.d)?;
            step("k-means", || {
                KMeans::new(k).restarts(10).seed(args.seed).fit(coords)
            })?
            .labels
        }
        m => {
            let method = linkage_of(m).expect("hierarchical");
            let tree = step("linkage", || {
                linkage_owned(prep.condensed.clone(), n, method)
            })?;
            let l = tree.cut_k(k)?;
            dendrogram = Some(tree);
            l
        }
    };
    let labels = first_appearance(&labels);
    let k_found = labels.iter().max().map_or(0, |m| m + 1);
    let sil = if k_found >= 2 && k_found < n {
        silhouette(&prep.condensed, n, &labels)?
    } else {
        f64::NAN
    };

    outputs.write_table(
        &args.out,
        &Table::new()
            .with("id", Column::Text(prep.ids.clone()))
            .with(
                "cluster",
                Column::I64(labels.iter().map(|l| *l as i64 + 1).collect()),
            ),
    )?;
    if let (Some(p), Some(tree)) = (&args.linkage_out, &dendrogram) {
        let m = &tree.merges;
        outputs.write_table(
            p,
            &Table::new()
                .with(
                    "left",
                    Column::I64(m.iter().map(|x| x.left as i64).collect()),
                )
                .with(
                    "right",
                    Column::I64(m.iter().map(|x| x.right as i64).collect()),
                )
                .with("height", Column::F64(m.iter().map(|x| x.height).collect()))
                .with(
                    "size",
                    Column::I64(m.iter().map(|x| x.size as i64).collect()),
                ),
        )?;
    }
    if let Some(p) = &args.bic_out {
        let sel = selection
            .as_ref()
            .ok_or_else(|| CommandError::usage("--bic-out needs --method gmm or --k auto"))?;
        outputs.write_table(
            p,
            &Table::new()
                .with(
                    "model",
                    Column::Text(sel.table.iter().map(|r| r.0.name().to_string()).collect()),
                )
                .with(
                    "k",
                    Column::I64(sel.table.iter().map(|r| r.1 as i64).collect()),
                )
                .with("bic", Column::F64(sel.table.iter().map(|r| r.2).collect())),
        )?;
    }
    if args.bootstrap > 0 {
        let tree = dendrogram.as_ref().expect("hierarchical");
        let method = linkage_of(args.method).expect("hierarchical");
        let resample = prep.resample.as_ref().ok_or_else(|| {
            CommandError::usage("--bootstrap resamples the rows the clustering was computed from: give --features, or a similarity table with several dates (e.g. `peergroup similarity --all-dates`)")
        })?;
        let scales: Vec<f64> = (5..=14).map(|s| s as f64 / 10.0).collect();
        let pv = step("multiscale bootstrap", || {
            multiscale_bootstrap(
                resample.rows(),
                n,
                |rows: &[usize]| resample.distances(rows),
                method,
                &scales,
                args.bootstrap,
                args.seed,
            )
        })?;
        if let Some(p) = &args.pvalues_out {
            outputs.write_table(
                p,
                &Table::new()
                    .with(
                        "cluster_node",
                        Column::I64(pv.iter().map(|c| (n + c.node) as i64).collect()),
                    )
                    .with(
                        "members",
                        Column::Text(
                            pv.iter()
                                .map(|c| {
                                    c.members
                                        .iter()
                                        .map(|&i| prep.ids[i].as_str())
                                        .collect::<Vec<_>>()
                                        .join(";")
                                })
                                .collect(),
                        ),
                    )
                    .with("au", Column::F64(pv.iter().map(|c| c.fit.au).collect()))
                    .with("bp", Column::F64(pv.iter().map(|c| c.fit.bp).collect())),
            )?;
        }
        let _ = tree;
    } else if args.pvalues_out.is_some() {
        return Err(CommandError::usage("--pvalues-out needs --bootstrap N"));
    }
    let mut agreement = None;
    if let Some(r) = &args.reference {
        let rname = r.display().to_string();
        let refs = read_labels(r, "id", &args.reference_column)?;
        let map: std::collections::HashMap<&str, &str> =
            refs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut names: Vec<String> = Vec::new();
        let mut ref_labels = Vec::with_capacity(n);
        for id in &prep.ids {
            let l = map.get(id.as_str()).ok_or_else(|| {
                CommandError::Input(
                    InputError::new(format!("'{id}' is missing from the reference labels"))
                        .in_file(rname.clone()),
                )
            })?;
            let code = match names.iter().position(|x| x == l) {
                Some(c) => c,
                None => {
                    names.push(l.to_string());
                    names.len() - 1
                }
            };
            ref_labels.push(code);
        }
        let ari = adjusted_rand_index(&labels, &ref_labels)?;
        let nmi = normalized_mutual_info(&labels, &ref_labels)?;
        let table = contingency(&labels, &ref_labels)?;
        eprintln!("agreement with {rname}: ARI {ari:.3}, NMI {nmi:.3}");
        eprintln!("contingency (rows: clusters, columns: reference labels):");
        eprintln!("  cluster  {}", names.join("  "));
        for c in 0..table.rows {
            let counts: Vec<String> = (0..table.cols)
                .map(|j| table.get(c, j).to_string())
                .collect();
            eprintln!("  {:>7}  {}", c + 1, counts.join("  "));
        }
        if let Some(p) = &agreement_out {
            let mut cluster = Vec::new();
            let mut label = Vec::new();
            let mut count = Vec::new();
            for c in 0..table.rows {
                for (j, nm) in names.iter().enumerate() {
                    cluster.push(format!("{}", c + 1));
                    label.push(nm.clone());
                    count.push(table.get(c, j) as i64);
                }
            }
            cluster.push("ARI".into());
            label.push(String::new());
            count.push(0);
            let mut value = vec![f64::NAN; count.len()];
            *value.last_mut().expect("row") = ari;
            cluster.push("NMI".into());
            label.push(String::new());
            count.push(0);
            value.push(nmi);
            outputs.write_table(
                p,
                &Table::new()
                    .with("cluster", Column::Text(cluster))
                    .with("label", Column::Text(label))
                    .with("count", Column::I64(count))
                    .with("value", Column::F64(value)),
            )?;
        }
        agreement = Some((ari, nmi));
    } else if args.agreement_out.is_some() {
        return Err(CommandError::usage(
            "--agreement-out needs --reference FILE",
        ));
    }
    outputs.commit()?;
    Ok(ClusterSummary {
        n,
        k: k_found,
        k_note,
        silhouette: sil,
        agreement,
    })
}
