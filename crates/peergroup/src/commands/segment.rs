//! `peergroup segment sales|investors`: segments of broker-dealer offices or funds from
//! sales flows, and of app investors from profile and balances (SPEC §6).

use std::path::{Path, PathBuf};

use peergroup_cluster::kmeans::KMeans;
use peergroup_cluster::kprototypes::{KPrototypes, KPrototypesOptions, MixedRef};
use peergroup_cluster::linkage::Linkage;
use peergroup_cluster::pca::pca;
use peergroup_cluster::select::{
    choose_k, KChoice, KMeansSelect, KPrototypesSelect, KRule, LinkageSelect, RowDistance,
};
use peergroup_cluster::tsne::{tsne, TsneOptions};
use peergroup_cluster::{Fit, MatRef};
use peergroup_data::InputError;
use peergroup_io::{
    position_of_row, read_balances, read_funds, read_sales, read_users, Coded, Column, Outputs,
    Table,
};
use peergroup_random::Rng;
use peergroup_report::{
    bar_chart, dendrogram, scatter, BarChart, Dendrogram, Scatter, ScatterPoint,
};
use peergroup_segment::eda::{investor_eda, InvestorEda, WEEKDAYS};
use peergroup_segment::investors::{
    investor_features, BalanceColumns, FundType, InvestorConfig, InvestorData, InvestorFeatures,
    UserColumns, UserTable,
};
use peergroup_segment::outside::{outside_category, OutsideRow, DEFAULT_MAX_OWN_SHARE};
use peergroup_segment::profile::{profiles, Categoricals, DescribeConfig, ProfileInput, Profiles};
use peergroup_segment::sales::{
    sales_features, Entity, FundTable, Quarter, SalesConfig, SalesTable,
};
use peergroup_segment::transform::{apply_all, Transform};
use peergroup_segment::{Matrix, SegmentError, TextColumn};

use super::progress::step;
use super::{CommandError, CommandResult};

/// Number of clusters: fixed, or chosen by the gap statistic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KArg {
    /// Choose k in 1..=k_max by Tibshirani's gap rule (k = 1: no meaningful clustering).
    Auto,
    /// This many clusters.
    Fixed(usize),
}

/// Parse `auto` or a positive integer.
pub fn parse_k(s: &str) -> Result<KArg, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(KArg::Auto);
    }
    match s.parse::<usize>() {
        Ok(k) if k >= 1 => Ok(KArg::Fixed(k)),
        _ => Err(format!(
            "expected 'auto' or a number of clusters ≥ 1, got '{s}'"
        )),
    }
}

/// Which sales features are clustered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FeatureSet {
    /// Quarterly net sales over the window, after the transforms.
    Quarterly,
    /// Latest-quarter mix: broad categories (offices) or broker-dealers (funds).
    CategoryMix,
}

/// Clustering method of `segment sales`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SegMethod {
    /// k-means (k-means++, 10 restarts).
    Kmeans,
    /// Hierarchical, average linkage.
    Average,
    /// Hierarchical, Ward linkage.
    Ward,
}

/// Row distance of `segment sales`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SegDistance {
    /// Euclidean distance on the features.
    Euclidean,
    /// Dynamic time warping on the monthly sales series (hierarchical methods only).
    Dtw,
}

/// Paths of the input tables, to point errors at file and line.
struct Files<'a> {
    sales: Option<&'a Path>,
    funds: Option<&'a Path>,
    users: Option<&'a Path>,
    balances: Option<&'a Path>,
}

/// A [`SegmentError`] as an input error naming file, line and column.
fn segment_error(e: SegmentError, files: &Files<'_>) -> CommandError {
    use peergroup_segment::Table as T;
    let path = e.table().and_then(|t| match t {
        T::Sales => files.sales,
        T::Funds => files.funds,
        T::Users => files.users,
        T::Balances => files.balances,
        _ => None,
    });
    let mut ie = InputError::new(e.message());
    if let Some(p) = path {
        if let Some(r) = e.row() {
            if let Ok(Some(pos)) = position_of_row(p, r) {
                ie.position = Some(pos);
            }
        }
        ie = ie.in_file(p.display().to_string());
    }
    if let Some(c) = e.column() {
        ie = ie.with_column(c);
    }
    CommandError::Input(ie)
}

fn text_column(c: Coded) -> TextColumn {
    TextColumn::from_codes(c.names, c.codes)
}

/// Inputs and settings of `peergroup segment sales`.
#[derive(Clone, Debug)]
pub struct SegmentSalesArgs {
    /// Sales rows `bd,office,fund,month,amount`.
    pub sales: PathBuf,
    /// Fund categories `fund,category,broad_category`.
    pub funds: PathBuf,
    /// Offices or funds.
    pub entity: Entity,
    /// Quarters in the window.
    pub quarters: usize,
    /// Transforms of the quarterly sales, in order.
    pub transforms: Vec<Transform>,
    /// Feature sets clustered.
    pub features: Vec<FeatureSet>,
    /// Clustering method.
    pub method: SegMethod,
    /// Row distance.
    pub distance: SegDistance,
    /// Number of clusters.
    pub k: KArg,
    /// Largest k tried by `auto`.
    pub k_max: usize,
    /// Criterion of `auto`.
    pub k_rule: KRule,
    /// Random seed (k-means, gap references, t-SNE).
    pub seed: u64,
    /// Largest number of entities embedded by t-SNE.
    pub tsne_max: usize,
    /// Output directory.
    pub out: PathBuf,
    /// Replace existing outputs.
    pub force: bool,
}

/// Summary of a segmentation run.
#[derive(Clone, Debug)]
pub struct SegmentSummary {
    /// Entities (or users) segmented.
    pub n: usize,
    /// Clusters found.
    pub k: usize,
    /// How k was set.
    pub k_note: String,
    /// Segment sizes, by segment.
    pub sizes: Vec<usize>,
    /// Remarks for the user.
    pub notes: Vec<String>,
}

/// Labels, the k-selection table if any, the dendrogram if hierarchical, and a note on how
/// k was set.
type RowClustering = (
    Vec<usize>,
    Option<KChoice>,
    Option<peergroup_cluster::linkage::Dendrogram>,
    String,
);

/// Labels, the k-selection table if any, and a note on how k was set.
fn cluster_rows(
    x: &[f64],
    n: usize,
    d: usize,
    args: &SegmentSalesArgs,
) -> CommandResult<RowClustering> {
    let (method, distance, k, k_max, rule, seed) = (
        args.method,
        args.distance,
        args.k,
        args.k_max,
        args.k_rule,
        args.seed,
    );
    let linkage_of = |m| match m {
        SegMethod::Average => Linkage::Average,
        _ => Linkage::Ward,
    };
    let refs = 10;
    // Clustering runs on the principal-component scores (all components): distances are
    // unchanged, so are the clusters, but the gap statistic's uniform reference box is then
    // aligned with the data (Tibshirani, Walther & Hastie's second reference), which keeps
    // correlated features — quarters of one entity's sales move together — from making
    // every extra cluster look significant.
    let rotated;
    let (x, d) = if distance == SegDistance::Euclidean && n > 2 {
        let keep = d.min(n - 1);
        rotated = pca(MatRef::new(x, n, d)?, keep)?.scores;
        (&rotated[..], keep)
    } else {
        (x, d)
    };
    let x = MatRef::new(x, n, d)?;
    Ok(match method {
        SegMethod::Kmeans => match k {
            KArg::Fixed(k) => (
                KMeans::new(k).restarts(10).seed(seed).fit(x)?.labels,
                None,
                None,
                "given".into(),
            ),
            KArg::Auto => {
                let c = choose_k(&KMeansSelect::new(x), k_max.min(n), refs, rule, seed)?;
                let note = k_note(&c);
                (c.labels.clone(), Some(c), None, note)
            }
        },
        SegMethod::Average | SegMethod::Ward => {
            let dist = match distance {
                SegDistance::Euclidean => RowDistance::Euclidean,
                SegDistance::Dtw => RowDistance::Dtw,
            };
            let sel = LinkageSelect::new(x, linkage_of(method), dist)?;
            let tree = sel.dendrogram().clone();
            match k {
                KArg::Fixed(k) => (tree.cut_k(k)?, None, Some(tree), "given".into()),
                KArg::Auto => {
                    let c = choose_k(&sel, k_max.min(n), refs, rule, seed)?;
                    let note = k_note(&c);
                    (c.labels.clone(), Some(c), Some(tree), note)
                }
            }
        }
    })
}

fn k_note(c: &KChoice) -> String {
    let (rule, other, other_k) = match c.rule {
        KRule::Gap => ("gap statistic", "widest mean silhouette", c.k_silhouette),
        KRule::Silhouette => ("widest mean silhouette", "gap statistic", c.k_gap),
    };
    if c.k == 1 {
        format!(
            "{rule} over k = 1..{}: no further meaningful clustering (the {other} would give k = {other_k})",
            c.table.len()
        )
    } else {
        format!(
            "{rule} over k = 1..{}; the {other} would give k = {other_k}",
            c.table.len()
        )
    }
}

/// Parse `silhouette` or `gap`.
pub fn parse_k_rule(s: &str) -> Result<KRule, String> {
    match s.to_ascii_lowercase().as_str() {
        "silhouette" => Ok(KRule::Silhouette),
        "gap" => Ok(KRule::Gap),
        _ => Err(format!("expected silhouette or gap, got '{s}'")),
    }
}

fn k_table(c: &KChoice) -> Table {
    Table::new()
        .with(
            "k",
            Column::I64(c.table.iter().map(|r| r.k as i64).collect()),
        )
        .with(
            "cost",
            Column::F64(c.table.iter().map(|r| r.cost).collect()),
        )
        .with("gap", Column::F64(c.table.iter().map(|r| r.gap).collect()))
        .with("gap_sd", Column::F64(c.table.iter().map(|r| r.s).collect()))
        .with(
            "silhouette",
            Column::F64(c.table.iter().map(|r| r.silhouette).collect()),
        )
        .with(
            "chosen",
            Column::Text(
                c.table
                    .iter()
                    .map(|r| if r.k == c.k { "yes" } else { "" }.to_string())
                    .collect(),
            ),
        )
}

/// Segment numbers 1..k renumbered by size (largest first), for stable reading.
fn by_size(labels: &[usize]) -> Vec<usize> {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut sizes = vec![0usize; k];
    for &l in labels {
        sizes[l] += 1;
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut rank = vec![0; k];
    for (r, &l) in order.iter().enumerate() {
        rank[l] = r;
    }
    labels.iter().map(|&l| rank[l]).collect()
}

fn sizes(labels: &[usize]) -> Vec<usize> {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut s = vec![0usize; k];
    for &l in labels {
        s[l] += 1;
    }
    s
}

/// PCA scores (first two) and explained-variance table of `x`.
fn pca_outputs(x: &[f64], n: usize, d: usize) -> CommandResult<(Vec<[f64; 2]>, Vec<f64>)> {
    let keep = d.min(n.saturating_sub(1)).max(1);
    let p = pca(MatRef::new(x, n, d)?, keep)?;
    let scores = (0..n)
        .map(|i| {
            let row = &p.scores[i * p.k..(i + 1) * p.k];
            [row[0], if p.k > 1 { row[1] } else { 0.0 }]
        })
        .collect();
    Ok((scores, p.explained_variance_ratio.clone()))
}

fn scatter_svg(
    title: &str,
    x_label: &str,
    y_label: &str,
    xy: &[[f64; 2]],
    labels: &[usize],
) -> String {
    let mut points: Vec<ScatterPoint> = xy
        .iter()
        .zip(labels)
        .map(|(p, &l)| ScatterPoint {
            x: p[0],
            y: p[1],
            group: format!("segment {}", l + 1),
            label: None,
        })
        .collect();
    // Legend in segment order: "segment 2" before "segment 10".
    points.sort_by(|a, b| {
        a.group
            .len()
            .cmp(&b.group.len())
            .then(a.group.cmp(&b.group))
    });
    scatter(&Scatter {
        title: title.into(),
        x_label: x_label.into(),
        y_label: y_label.into(),
        points,
    })
}

fn scree_svg(ratios: &[f64]) -> String {
    let shown = ratios.len().min(20);
    bar_chart(&BarChart {
        title: "Scree: share of variance per principal component".into(),
        value_label: "explained variance ratio".into(),
        labels: (1..=shown).map(|c| format!("PC{c}")).collect(),
        values: ratios[..shown].to_vec(),
        horizontal: false,
    })
}

fn pca_table(ratios: &[f64]) -> Table {
    let mut cum = 0.0;
    Table::new()
        .with(
            "component",
            Column::I64((1..=ratios.len() as i64).collect()),
        )
        .with("explained_variance_ratio", Column::F64(ratios.to_vec()))
        .with(
            "cumulative",
            Column::F64(
                ratios
                    .iter()
                    .map(|r| {
                        cum += r;
                        cum
                    })
                    .collect(),
            ),
        )
}

/// t-SNE embedding, or NaN when there are too few or too many rows.
fn tsne_outputs(
    x: &[f64],
    n: usize,
    d: usize,
    max: usize,
    seed: u64,
) -> CommandResult<(Vec<[f64; 2]>, Option<String>)> {
    if n < 5 || n > max {
        let why = if n < 5 {
            format!("t-SNE needs at least 5 rows, there are {n}")
        } else {
            format!("t-SNE skipped: {n} rows > --tsne-max {max}")
        };
        return Ok((vec![[f64::NAN; 2]; n], Some(why)));
    }
    let t = tsne(
        MatRef::new(x, n, d)?,
        &TsneOptions {
            perplexity: 30f64.min((n as f64 - 1.0) / 3.0),
            seed,
            ..TsneOptions::default()
        },
    )?;
    Ok((
        (0..n)
            .map(|i| [t.embedding[2 * i], t.embedding[2 * i + 1]])
            .collect(),
        None,
    ))
}

/// Wide profile table: segment, size, share, description, then one column per level share
/// (`column=level`) and per numeric mean.
fn profiles_table(p: &Profiles) -> Table {
    let segs = &p.segments;
    let mut t = Table::new()
        .with(
            "segment",
            Column::I64(segs.iter().map(|s| s.segment as i64 + 1).collect()),
        )
        .with(
            "size",
            Column::I64(segs.iter().map(|s| s.size as i64).collect()),
        )
        .with("share", Column::F64(segs.iter().map(|s| s.share).collect()))
        .with(
            "description",
            Column::Text(segs.iter().map(|s| s.description.clone()).collect()),
        );
    for (j, spec) in p.categorical.iter().enumerate() {
        for (l, level) in spec.levels.iter().enumerate() {
            t.push(
                &format!("{}={}", spec.name, level),
                Column::F64(segs.iter().map(|s| s.level_shares[j][l]).collect()),
            );
        }
    }
    for (j, spec) in p.numeric.iter().enumerate() {
        t.push(
            &format!("mean_{}", spec.name),
            Column::F64(segs.iter().map(|s| s.means[j]).collect()),
        );
    }
    t
}

/// A fund "sells outside its category" when its cluster's most common category is another
/// one and its own category makes up less than half of the cluster.
fn sells_outside(r: &OutsideRow) -> bool {
    r.outside && r.majority_category != r.category
}

fn outside_table(rows: &[OutsideRow]) -> Table {
    Table::new()
        .with(
            "fund",
            Column::Text(rows.iter().map(|r| r.fund.clone()).collect()),
        )
        .with(
            "cluster",
            Column::I64(rows.iter().map(|r| r.cluster as i64 + 1).collect()),
        )
        .with(
            "category",
            Column::Text(rows.iter().map(|r| r.category.clone()).collect()),
        )
        .with(
            "majority_category",
            Column::Text(rows.iter().map(|r| r.majority_category.clone()).collect()),
        )
        .with(
            "own_share",
            Column::F64(rows.iter().map(|r| r.own_share).collect()),
        )
        .with(
            "outside",
            Column::Text(rows.iter().map(|r| sells_outside(r).to_string()).collect()),
        )
        .with(
            "peers_outside_category",
            Column::Text(rows.iter().map(|r| r.peers.join(" ")).collect()),
        )
}

/// Mean quarterly net sales (with its signed log1p for the z-scores) and the mix shares:
/// the features a segment description is built from.
fn description_features(
    f: &peergroup_segment::sales::SalesFeatures,
) -> (Matrix, Vec<peergroup_segment::profile::NumericSpec>, Matrix) {
    use peergroup_segment::profile::{Magnitude, NumericSpec};
    use peergroup_segment::transform::signed_log1p;
    let n = f.len();
    let q = f.quarterly.cols().max(1) as f64;
    let mean: Vec<f64> = (0..n)
        .map(|i| f.quarterly.row(i).iter().sum::<f64>() / q)
        .collect();
    let size = Matrix::new(n, 1, mean.clone());
    let size_scaled = Matrix::new(n, 1, mean.iter().map(|&v| signed_log1p(v)).collect());
    let mut specs = vec![NumericSpec::new(
        "sales_per_quarter",
        "quarterly sales",
        Magnitude::Amount,
    )];
    specs.extend(
        f.mix_levels
            .iter()
            .map(|l| NumericSpec::new(format!("mix_{l}"), format!("{l} share"), Magnitude::Level)),
    );
    (size.hstack(&f.mix), specs, size_scaled.hstack(&f.mix))
}

/// Every file `segment sales` may write; which ones depends on the options.
const SALES_OUTPUTS: [&str; 9] = [
    "assignments.csv",
    "pca.csv",
    "profiles.csv",
    "scree.svg",
    "pca.svg",
    "tsne.svg",
    "k_selection.csv",
    "dendrogram.svg",
    "outside_category.csv",
];

/// With --force, remove outputs of an earlier run that this run did not write (say a
/// k_selection.csv from --k auto after a rerun with a fixed k), so a directory never
/// mixes two runs.
fn remove_stale(dir: &Path, written: &[&str], all: &[&str], force: bool) -> CommandResult {
    if !force {
        return Ok(());
    }
    for f in all.iter().filter(|f| !written.contains(f)) {
        let p = dir.join(f);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| {
                CommandError::System(format!("cannot remove stale {}: {e}", p.display()))
            })?;
        }
    }
    Ok(())
}

/// Run `peergroup segment sales`.
pub fn run_sales(args: &SegmentSalesArgs) -> CommandResult<SegmentSummary> {
    if args.distance == SegDistance::Dtw && args.method == SegMethod::Kmeans {
        return Err(CommandError::usage(
            "--distance dtw needs a hierarchical --method (average or ward): k-means averages series point by point",
        ));
    }
    if args.features.is_empty() {
        return Err(CommandError::usage(
            "--features needs at least one of quarterly, category-mix",
        ));
    }
    if args.quarters == 0 || args.k_max == 0 {
        return Err(CommandError::usage(
            "--quarters and --k-max must be at least 1",
        ));
    }
    let dir = &args.out;
    let mut outputs = Outputs::new(args.force);
    let mut files = vec![
        "assignments.csv",
        "pca.csv",
        "profiles.csv",
        "scree.svg",
        "pca.svg",
        "tsne.svg",
    ];
    if args.k == KArg::Auto {
        files.push("k_selection.csv");
    }
    if args.method != SegMethod::Kmeans {
        files.push("dendrogram.svg");
    }
    if args.entity == Entity::Fund {
        files.push("outside_category.csv");
    }
    for f in &files {
        outputs.plan(&dir.join(f))?;
    }
    let names = Files {
        sales: Some(&args.sales),
        funds: Some(&args.funds),
        users: None,
        balances: None,
    };
    let (raw_sales, raw_funds) = step("reading", || -> CommandResult<_> {
        Ok((read_sales(&args.sales)?, read_funds(&args.funds)?))
    })?;
    let funds = FundTable::new(raw_funds.fund, raw_funds.category, raw_funds.broad_category)
        .map_err(|e| segment_error(e, &names))?;
    let mut notes = Vec::new();
    // The window ends at the latest quarter with data; it must not reach back before the
    // first month with data, where "no sales" would only mean "no data".
    let (first, last) = raw_sales.month.iter().fold(
        (None::<peergroup_data::Date>, None::<peergroup_data::Date>),
        |(lo, hi), &d| {
            (
                Some(lo.map_or(d, |l| l.min(d))),
                Some(hi.map_or(d, |h| h.max(d))),
            )
        },
    );
    let quarters = match (first, last) {
        (Some(first), Some(last)) => {
            let (q0, q1) = (Quarter::of(first), Quarter::of(last));
            let available = (q1.year() - q0.year()) as usize * 4 + q1.number() as usize
                - q0.number() as usize
                + 1;
            if last.month() % 3 != 0 {
                notes.push(format!(
                    "the latest quarter {q1} has data up to {last} only: its sales are partial"
                ));
            }
            if available < args.quarters {
                notes.push(format!(
                    "the data cover {available} quarter{} ({q0} to {q1}): the window is shortened from {} to {available}",
                    if available == 1 { "" } else { "s" },
                    args.quarters
                ));
                available
            } else {
                args.quarters
            }
        }
        _ => args.quarters,
    };
    let sales = SalesTable::new(
        text_column(raw_sales.bd),
        text_column(raw_sales.office),
        text_column(raw_sales.fund),
        raw_sales.month,
        raw_sales.amount,
    )
    .map_err(|e| segment_error(e, &names))?;
    let f = step("building features", || {
        sales_features(
            &sales,
            &funds,
            &SalesConfig {
                entity: args.entity,
                quarters,
                end: None,
                transforms: args.transforms.clone(),
                ..SalesConfig::default()
            },
        )
    })
    .map_err(|e| segment_error(e, &names))?;
    let n = f.len();
    if let KArg::Fixed(k) = args.k {
        if k > n {
            return Err(CommandError::usage(format!(
                "--k {k} is more than the {n} {}s with sales in the window",
                args.entity.name()
            )));
        }
    }
    if n < 2 {
        return Err(CommandError::usage(format!(
            "only {n} {} with sales in the window: nothing to segment",
            args.entity.name()
        )));
    }
    let mut x = Matrix::zeros(n, 0);
    for set in &args.features {
        x = x.hstack(match set {
            FeatureSet::Quarterly => &f.features,
            FeatureSet::CategoryMix => &f.mix,
        });
    }
    let d = x.cols();
    // DTW compares the monthly series, scaled by the same transforms.
    let series = if args.distance == SegDistance::Dtw {
        let mut m = f.monthly.clone();
        apply_all(&mut m, &args.transforms);
        Some(m)
    } else {
        None
    };
    let (cx, cd) = match &series {
        Some(m) => (m.as_slice(), m.cols()),
        None => (x.as_slice(), d),
    };
    let (labels, choice, tree, note) = step("clustering", || cluster_rows(cx, n, cd, args))?;
    let labels = by_size(&labels);
    let (pcs, ratios) = pca_outputs(x.as_slice(), n, d)?;
    let (emb, tsne_note) = step("t-SNE", || {
        tsne_outputs(x.as_slice(), n, d, args.tsne_max, args.seed)
    })?;
    let (numeric, specs) = f.profile_numeric();
    let categories = f.categories(&funds);
    let cats = categories
        .as_ref()
        .map(|c| Categoricals::from_text("category", "{}", c));
    let scaled = f.features.hstack(&f.mix);
    let mut prof = profiles(
        &ProfileInput {
            numeric: &numeric,
            numeric_specs: &specs,
            scaled: Some(&scaled),
            categorical: cats.as_ref(),
        },
        &labels,
        &DescribeConfig::default(),
    )
    .map_err(|e| segment_error(e, &names))?;
    // Descriptions from one size figure and the mix: eight quarterly columns that move
    // together would otherwise fill every description with "large … sales" three times.
    let (compact, compact_specs, compact_scaled) = description_features(&f);
    let described = profiles(
        &ProfileInput {
            numeric: &compact,
            numeric_specs: &compact_specs,
            scaled: Some(&compact_scaled),
            categorical: cats.as_ref(),
        },
        &labels,
        &DescribeConfig::default(),
    )
    .map_err(|e| segment_error(e, &names))?;
    for (p, d) in prof.segments.iter_mut().zip(described.segments) {
        p.description = d.description;
    }
    let ids: Vec<String> = f.keys.iter().map(|k| k.id.clone()).collect();
    let mut assign = Table::new()
        .with("entity", Column::Text(ids.clone()))
        .with(
            "cluster",
            Column::I64(labels.iter().map(|&l| l as i64 + 1).collect()),
        )
        .with("pc1", Column::F64(pcs.iter().map(|p| p[0]).collect()))
        .with("pc2", Column::F64(pcs.iter().map(|p| p[1]).collect()))
        .with("tsne1", Column::F64(emb.iter().map(|p| p[0]).collect()))
        .with("tsne2", Column::F64(emb.iter().map(|p| p[1]).collect()));
    if args.entity == Entity::Office {
        assign.push(
            "bd",
            Column::Text(
                f.keys
                    .iter()
                    .map(|k| k.bd.clone().unwrap_or_default())
                    .collect(),
            ),
        );
    }
    outputs.write_table(&dir.join("assignments.csv"), &assign)?;
    outputs.write_table(&dir.join("pca.csv"), &pca_table(&ratios))?;
    outputs.write_table(&dir.join("profiles.csv"), &profiles_table(&prof))?;
    outputs.write_bytes(&dir.join("scree.svg"), scree_svg(&ratios).as_bytes())?;
    let what = args.entity.name();
    outputs.write_bytes(
        &dir.join("pca.svg"),
        scatter_svg(
            &format!("{what}s on the first two principal components"),
            "PC1",
            "PC2",
            &pcs,
            &labels,
        )
        .as_bytes(),
    )?;
    outputs.write_bytes(
        &dir.join("tsne.svg"),
        scatter_svg(
            &format!("t-SNE map of the {what}s"),
            "t-SNE 1",
            "t-SNE 2",
            &emb,
            &labels,
        )
        .as_bytes(),
    )?;
    if let Some(c) = &choice {
        outputs.write_table(&dir.join("k_selection.csv"), &k_table(c))?;
    }
    if let Some(t) = &tree {
        let merges = t
            .merges
            .iter()
            .map(|m| (m.left, m.right, m.height, m.size))
            .collect();
        outputs.write_bytes(
            &dir.join("dendrogram.svg"),
            dendrogram(&Dendrogram {
                title: format!(
                    "{what}s: {} linkage",
                    if args.method == SegMethod::Average {
                        "average"
                    } else {
                        "Ward"
                    }
                ),
                labels: ids.clone(),
                merges,
                y_label: "merge height".into(),
            })
            .as_bytes(),
        )?;
    }
    if args.entity == Entity::Fund {
        let cats = categories.expect("fund entities have categories");
        let rows = outside_category(&ids, &labels, &cats, DEFAULT_MAX_OWN_SHARE)
            .map_err(|e| segment_error(e, &names))?;
        let flagged = rows.iter().filter(|r| sells_outside(r)).count();
        notes.push(format!(
            "{flagged} of {} funds sit in clusters where another category is the most common and their own is under half (outside = true in outside_category.csv)",
            rows.len()
        ));
        outputs.write_table(&dir.join("outside_category.csv"), &outside_table(&rows))?;
    }
    if !f.dropped.is_empty() {
        notes.push(format!(
            "{} {}s with zero net sales in every quarter of the window were left out",
            f.dropped.len(),
            what
        ));
    }
    notes.extend(tsne_note);
    outputs.commit()?;
    remove_stale(dir, &files, &SALES_OUTPUTS, args.force)?;
    let k = labels.iter().max().map_or(0, |m| m + 1);
    Ok(SegmentSummary {
        n,
        k,
        k_note: note,
        sizes: sizes(&labels),
        notes,
    })
}

/// Inputs and settings of `peergroup segment investors`.
#[derive(Clone, Debug)]
pub struct SegmentInvestorsArgs {
    /// Users `user_id,registered,gender,age,occupation,income_band,referral`.
    pub users: PathBuf,
    /// Balances `user_id,date,fund_type,balance,buy,sell,profit`.
    pub balances: PathBuf,
    /// Number of segments.
    pub k: KArg,
    /// Largest k tried by `auto`.
    pub k_max: usize,
    /// Criterion of `auto`.
    pub k_rule: KRule,
    /// Users sampled to choose k (the chosen k is then fitted on everyone).
    pub k_sample: usize,
    /// Random seed.
    pub seed: u64,
    /// Output directory.
    pub out: PathBuf,
    /// Replace existing outputs.
    pub force: bool,
}

/// Read and validate the investor tables.
fn investor_data(args: &SegmentInvestorsArgs, names: &Files<'_>) -> CommandResult<InvestorData> {
    let (u, b) = step("reading", || -> CommandResult<_> {
        Ok((read_users(&args.users)?, read_balances(&args.balances)?))
    })?;
    let users = UserTable::new(UserColumns {
        user_id: u.user_id,
        registered: u.registered,
        gender: text_column(u.gender),
        age: u.age,
        occupation: text_column(u.occupation),
        income_band: text_column(u.income_band),
        referral: text_column(u.referral),
    })
    .map_err(|e| segment_error(e, names))?;
    let types: Vec<Option<FundType>> = b
        .fund_type
        .names
        .iter()
        .map(|t| FundType::parse(t))
        .collect();
    if let Some(code) = types.iter().position(Option::is_none) {
        let row = b
            .fund_type
            .codes
            .iter()
            .position(|&c| c as usize == code)
            .expect("code in use");
        let mut e = InputError::new(format!(
            "expected a fund type money_market, bond, stock or mixed, found '{}'",
            b.fund_type.names[code]
        ))
        .with_column("fund_type");
        if let Ok(Some(pos)) = position_of_row(&args.balances, row) {
            e.position = Some(pos);
        }
        return Err(CommandError::Input(
            e.in_file(args.balances.display().to_string()),
        ));
    }
    let bal = BalanceColumns {
        user_id: text_column(b.user_id),
        date: b.date,
        fund_type: b
            .fund_type
            .codes
            .iter()
            .map(|&c| types[c as usize].expect("checked"))
            .collect(),
        balance: b.balance,
        buy: b.buy,
        sell: b.sell,
        profit: b.profit,
    };
    InvestorData::new(users, bal).map_err(|e| segment_error(e, names))
}

/// The EDA tables under `eda/`, with their charts.
fn write_eda(outputs: &mut Outputs, dir: &Path, e: &InvestorEda) -> CommandResult {
    let level = |rows: &[peergroup_segment::eda::LevelCount], name: &str| {
        Table::new()
            .with(
                name,
                Column::Text(rows.iter().map(|r| r.label.clone()).collect()),
            )
            .with(
                "users",
                Column::I64(rows.iter().map(|r| r.count as i64).collect()),
            )
            .with("share", Column::F64(rows.iter().map(|r| r.share).collect()))
    };
    let d = dir.join("eda");
    outputs.write_table(&d.join("gender.csv"), &level(&e.gender, "gender"))?;
    outputs.write_table(&d.join("referral.csv"), &level(&e.referral, "referral"))?;
    outputs.write_table(
        &d.join("generation.csv"),
        &level(&e.generation, "generation"),
    )?;
    outputs.write_table(&d.join("income.csv"), &level(&e.income, "income_band"))?;
    outputs.write_table(
        &d.join("age.csv"),
        &Table::new()
            .with(
                "from",
                Column::F64(e.age_bins.iter().map(|b| b.from).collect()),
            )
            .with("to", Column::F64(e.age_bins.iter().map(|b| b.to).collect()))
            .with(
                "users",
                Column::I64(e.age_bins.iter().map(|b| b.count as i64).collect()),
            )
            .with(
                "share",
                Column::F64(e.age_bins.iter().map(|b| b.share).collect()),
            ),
    )?;
    outputs.write_table(
        &d.join("occupation_pareto.csv"),
        &Table::new()
            .with(
                "occupation",
                Column::Text(e.occupation.iter().map(|r| r.label.clone()).collect()),
            )
            .with(
                "users",
                Column::I64(e.occupation.iter().map(|r| r.count as i64).collect()),
            )
            .with(
                "share",
                Column::F64(e.occupation.iter().map(|r| r.share).collect()),
            )
            .with(
                "cumulative_share",
                Column::F64(e.occupation.iter().map(|r| r.cumulative_share).collect()),
            ),
    )?;
    let ft = &e.fund_types;
    outputs.write_table(
        &d.join("fund_types.csv"),
        &Table::new()
            .with(
                "fund_type",
                Column::Text(ft.iter().map(|r| r.fund_type.name().to_string()).collect()),
            )
            .with(
                "holders",
                Column::I64(ft.iter().map(|r| r.holders as i64).collect()),
            )
            .with(
                "mean_aum",
                Column::F64(ft.iter().map(|r| r.mean_aum).collect()),
            )
            .with(
                "mean_monthly_buy",
                Column::F64(ft.iter().map(|r| r.mean_monthly_buy).collect()),
            )
            .with(
                "mean_monthly_sell",
                Column::F64(ft.iter().map(|r| r.mean_monthly_sell).collect()),
            )
            .with(
                "mean_transactions",
                Column::F64(ft.iter().map(|r| r.mean_transactions).collect()),
            )
            .with(
                "mean_profit",
                Column::F64(ft.iter().map(|r| r.mean_profit).collect()),
            ),
    )?;
    let m = &e.monthly;
    outputs.write_table(
        &d.join("monthly_flows.csv"),
        &Table::new()
            .with("month", Column::Date(m.iter().map(|r| r.month).collect()))
            .with(
                "fund_type",
                Column::Text(m.iter().map(|r| r.fund_type.name().to_string()).collect()),
            )
            .with("buy", Column::F64(m.iter().map(|r| r.buy).collect()))
            .with("sell", Column::F64(m.iter().map(|r| r.sell).collect()))
            .with(
                "transactions",
                Column::I64(m.iter().map(|r| r.transactions as i64).collect()),
            )
            .with(
                "mean_buy_per_user",
                Column::F64(m.iter().map(|r| r.mean_buy).collect()),
            )
            .with(
                "mean_sell_per_user",
                Column::F64(m.iter().map(|r| r.mean_sell).collect()),
            ),
    )?;
    let mut wd = Table::new()
        .with(
            "weekday",
            Column::Text(e.weekday.iter().map(|r| r.name.to_string()).collect()),
        )
        .with(
            "days",
            Column::I64(e.weekday.iter().map(|r| r.days as i64).collect()),
        );
    for (j, t) in FundType::ALL.iter().enumerate() {
        wd.push(
            t.name(),
            Column::I64(e.weekday.iter().map(|r| r.transactions[j] as i64).collect()),
        );
    }
    wd.push(
        "total",
        Column::I64(e.weekday.iter().map(|r| r.total as i64).collect()),
    );
    outputs.write_table(&d.join("weekday.csv"), &wd)?;
    let tr = &e.trends;
    outputs.write_table(
        &d.join("trends.csv"),
        &Table::new()
            .with(
                "fund_type",
                Column::Text(tr.iter().map(|r| r.fund_type.name().to_string()).collect()),
            )
            .with(
                "days",
                Column::I64(tr.iter().map(|r| r.trend.n as i64).collect()),
            )
            .with(
                "slope_per_day",
                Column::F64(tr.iter().map(|r| r.trend.slope).collect()),
            )
            .with(
                "intercept",
                Column::F64(tr.iter().map(|r| r.trend.intercept).collect()),
            )
            .with("r2", Column::F64(tr.iter().map(|r| r.trend.r2).collect())),
    )?;
    let bars = |title: &str, value: &str, labels: Vec<String>, values: Vec<f64>, horizontal| {
        bar_chart(&BarChart {
            title: title.into(),
            value_label: value.into(),
            labels,
            values,
            horizontal,
        })
    };
    outputs.write_bytes(
        &d.join("generation.svg"),
        bars(
            "Users by generation",
            "share of users",
            e.generation.iter().map(|r| r.label.clone()).collect(),
            e.generation.iter().map(|r| r.share).collect(),
            false,
        )
        .as_bytes(),
    )?;
    outputs.write_bytes(
        &d.join("occupation_pareto.svg"),
        bars(
            "Occupations (Pareto order)",
            "users",
            e.occupation.iter().map(|r| r.label.clone()).collect(),
            e.occupation.iter().map(|r| r.count as f64).collect(),
            true,
        )
        .as_bytes(),
    )?;
    outputs.write_bytes(
        &d.join("fund_types_aum.svg"),
        bars(
            "Mean balance per user by fund type",
            "mean AUM per user",
            ft.iter().map(|r| r.fund_type.name().to_string()).collect(),
            ft.iter().map(|r| r.mean_aum).collect(),
            false,
        )
        .as_bytes(),
    )?;
    outputs.write_bytes(
        &d.join("weekday.svg"),
        bars(
            "Transactions by weekday",
            "transactions",
            WEEKDAYS.iter().map(|s| s.to_string()).collect(),
            e.weekday.iter().map(|r| r.total as f64).collect(),
            false,
        )
        .as_bytes(),
    )?;
    Ok(())
}

/// Run `peergroup segment investors`.
pub fn run_investors(args: &SegmentInvestorsArgs) -> CommandResult<SegmentSummary> {
    if args.k_max == 0 || args.k_sample < 2 {
        return Err(CommandError::usage(
            "--k-max must be at least 1 and --k-sample at least 2",
        ));
    }
    let dir = &args.out;
    let mut outputs = Outputs::new(args.force);
    for f in ["assignments.csv", "profiles.csv", "segments.svg"] {
        outputs.plan(&dir.join(f))?;
    }
    if args.k == KArg::Auto {
        outputs.plan(&dir.join("k_selection.csv"))?;
    }
    let written: &[&str] = if args.k == KArg::Auto {
        &["k_selection.csv"]
    } else {
        &[]
    };
    for f in [
        "gender.csv",
        "referral.csv",
        "generation.csv",
        "income.csv",
        "age.csv",
        "occupation_pareto.csv",
        "fund_types.csv",
        "monthly_flows.csv",
        "weekday.csv",
        "trends.csv",
        "generation.svg",
        "occupation_pareto.svg",
        "fund_types_aum.svg",
        "weekday.svg",
    ] {
        outputs.plan(&dir.join("eda").join(f))?;
    }
    let names = Files {
        sales: None,
        funds: None,
        users: Some(&args.users),
        balances: Some(&args.balances),
    };
    let data = investor_data(args, &names)?;
    let feats: InvestorFeatures = step("building features", || {
        investor_features(&data, &InvestorConfig::default())
    })
    .map_err(|e| segment_error(e, &names))?;
    let n = feats.len();
    if let KArg::Fixed(k) = args.k {
        if k > n {
            return Err(CommandError::usage(format!(
                "--k {k} is more than the {n} users with balances"
            )));
        }
    }
    let eda = step("descriptive tables", || investor_eda(&data, &feats));
    let p = feats.numeric.cols();
    let q = feats.categorical.cols();
    let numeric = feats.numeric.as_slice();
    let categorical = feats.categorical.codes();
    let options = KPrototypesOptions {
        seed: args.seed,
        ..KPrototypesOptions::default()
    };
    let (k, choice, note) = match args.k {
        KArg::Fixed(k) => (k, None, "given".to_string()),
        KArg::Auto => {
            // Choose k on a seeded sample (the gap statistic refits every k on every
            // reference set), then fit the chosen k on everyone.
            let m = args.k_sample.min(n);
            let mut idx: Vec<usize> = (0..n).collect();
            let mut rng = Rng::stream(args.seed, 0x5e9);
            for i in 0..m {
                let j = i + rng.below((n - i) as u64) as usize;
                idx.swap(i, j);
            }
            idx.truncate(m);
            idx.sort_unstable();
            let sn: Vec<f64> = idx
                .iter()
                .flat_map(|&i| numeric[i * p..(i + 1) * p].to_vec())
                .collect();
            let sc: Vec<u32> = idx
                .iter()
                .flat_map(|&i| categorical[i * q..(i + 1) * q].to_vec())
                .collect();
            let sample = MixedRef::new(MatRef::new(&sn, m, p)?, &sc, q)?;
            let c = step("choosing k", || {
                let sel = KPrototypesSelect::new(sample, options)?;
                choose_k(&sel, args.k_max.min(m), 10, args.k_rule, args.seed)
            })?;
            let note = format!("{} on a sample of {m} users", k_note(&c));
            (c.k, Some(c), note)
        }
    };
    let data = MixedRef::new(MatRef::new(numeric, n, p)?, categorical, q)?;
    let fit = step("k-prototypes", || {
        KPrototypes::new(k).options(options).fit(data)
    })?;
    let labels = by_size(&fit.labels);
    let prof = profiles(
        &ProfileInput {
            numeric: &feats.numeric_raw,
            numeric_specs: &feats.numeric_specs,
            scaled: Some(&feats.numeric),
            categorical: Some(&feats.categorical),
        },
        &labels,
        &DescribeConfig::default(),
    )
    .map_err(|e| segment_error(e, &names))?;
    let (pcs, _) = pca_outputs(numeric, n, p)?;
    outputs.write_table(
        &dir.join("assignments.csv"),
        &Table::new()
            .with("user_id", Column::Text(feats.user_ids.clone()))
            .with(
                "segment",
                Column::I64(labels.iter().map(|&l| l as i64 + 1).collect()),
            )
            .with("pc1", Column::F64(pcs.iter().map(|p| p[0]).collect()))
            .with("pc2", Column::F64(pcs.iter().map(|p| p[1]).collect())),
    )?;
    outputs.write_table(&dir.join("profiles.csv"), &profiles_table(&prof))?;
    outputs.write_bytes(
        &dir.join("segments.svg"),
        bar_chart(&BarChart {
            title: "Investor segments".into(),
            value_label: "share of users".into(),
            labels: prof
                .segments
                .iter()
                .map(|s| format!("{}: {}", s.segment + 1, s.description))
                .collect(),
            values: prof.segments.iter().map(|s| s.share).collect(),
            horizontal: true,
        })
        .as_bytes(),
    )?;
    if let Some(c) = &choice {
        outputs.write_table(&dir.join("k_selection.csv"), &k_table(c))?;
    }
    write_eda(&mut outputs, dir, &eda)?;
    outputs.commit()?;
    remove_stale(dir, written, &["k_selection.csv"], args.force)?;
    let mut notes = Vec::new();
    if !feats.inactive.is_empty() {
        notes.push(format!(
            "{} users without balance rows were left out",
            feats.inactive.len()
        ));
    }
    Ok(SegmentSummary {
        n,
        k,
        k_note: note,
        sizes: sizes(&labels),
        notes,
    })
}
