//! Segments of broker-dealer offices or funds from monthly sales flows (METHODS §6):
//! quarterly net sales over a rolling window and the latest quarter's mix, clustered by
//! k-means or hierarchical linkage, with PCA and t-SNE maps, segment profiles and, for
//! funds, the funds that sell outside their category.

mod outside;
mod segments;
mod settings;

pub use outside::{sales_patterns, PATTERN_TRANSFORMS};
pub use segments::{output_files, SalesSegments, ALL_OUTPUTS};
pub use settings::{FeatureSet, SalesSettings, SegDistance, SegMethod};

use peergroup_cluster::kmeans::{self, KMeans};
use peergroup_cluster::linkage::{Dendrogram, Linkage};
use peergroup_cluster::pca::pca;
use peergroup_cluster::select::{
    choose_k, KMeansSelect, KRule as SelectRule, LinkageSelect, RowDistance,
    SILHOUETTE_NO_STRUCTURE,
};
use peergroup_cluster::stability::{resample_stability, Stability};
use peergroup_cluster::tsne::{tsne, TsneOptions};
use peergroup_cluster::{Fit, MatRef};
use peergroup_data::{Date, InputError};
use peergroup_io::{FundsFile, SalesFile};
use peergroup_segment::profile::{
    profiles, Categoricals, DescribeConfig, Magnitude, NumericSpec, ProfileInput,
};
use peergroup_segment::sales::{
    sales_features, Entity, FundTable, Quarter, SalesConfig, SalesFeatures, SalesTable,
};
use peergroup_segment::transform::{apply_all, signed_log1p, Transform};
use peergroup_segment::Matrix;

use super::nested::{best_split, gaussian_null_p, nested_k, NestedK, Split};
use super::{
    by_size, k_note, text_column, InputNames, KSelection, KSettings, PcaMap, GAP_REFERENCES,
};
use peergroup_cluster::select::KSelect;

use crate::error::OrInput;
use crate::KChoice;

/// Validated sales and funds with the entities' features: what the clustering, the
/// embedding and the profiles work on.
pub struct SalesInput {
    settings: SalesSettings,
    k: KSettings,
    funds: FundTable,
    features: SalesFeatures,
    /// The clustered feature sets side by side (n × d).
    x: Matrix,
    /// Monthly series after the transforms, compared by DTW.
    series: Option<Matrix>,
    notes: Vec<String>,
}

/// Validate the sales (`bd,office,fund,month,amount`) and funds
/// (`fund,category,broad_category`) tables, set the window and build each entity's
/// features. Errors name the table (`sales_name`, `funds_name`), its data row and column.
pub fn prepare(
    sales: SalesFile,
    sales_name: &str,
    funds: FundsFile,
    funds_name: &str,
    settings: &SalesSettings,
) -> Result<SalesInput, InputError> {
    settings.validate()?;
    let k = settings.k_settings()?;
    let names = InputNames {
        sales: Some(sales_name.into()),
        funds: Some(funds_name.into()),
        ..InputNames::default()
    };
    let funds = FundTable::new(funds.fund, funds.category, funds.broad_category)
        .map_err(|e| names.error(e))?;
    let mut notes = Vec::new();
    let sales = restrict(sales, sales_name, &funds, settings, &mut notes)?;
    let quarters = window(&sales.month, settings.quarters, &mut notes);
    let table = SalesTable::new(
        text_column(sales.bd),
        text_column(sales.office),
        text_column(sales.fund),
        sales.month,
        sales.amount,
    )
    .map_err(|e| names.error(e))?;
    let features = sales_features(
        &table,
        &funds,
        &SalesConfig {
            entity: settings.entity,
            quarters,
            end: None,
            transforms: settings.transform.clone(),
            mix_quarters: if settings.mix_quarters == 0 {
                quarters
            } else {
                settings.mix_quarters
            },
            ..SalesConfig::default()
        },
    )
    .map_err(|e| names.error(e))?;
    let n = features.len();
    if let KChoice::Fixed(k) = settings.k {
        if k > n {
            return Err(InputError::new(format!(
                "--k {k} is more than the {n} {}s with sales in the window",
                settings.entity.name()
            ))
            .in_file(sales_name));
        }
    }
    if n < 2 {
        return Err(InputError::new(format!(
            "only {n} {} with sales in the window: nothing to segment",
            settings.entity.name()
        ))
        .in_file(sales_name));
    }
    let mut x = Matrix::zeros(n, 0);
    for set in &settings.features {
        // Shares and behaviour measures are z-scored so that each column counts alike
        // whatever its unit (a share of 0.1 and a tenfold ticket are both large).
        let standardized = |m: &Matrix| {
            let mut m = m.clone();
            Transform::ZScore.apply(&mut m);
            m
        };
        x = x.hstack(&match set {
            FeatureSet::Quarterly => features.features.clone(),
            FeatureSet::CategoryMix => standardized(&features.mix),
            FeatureSet::Behaviour => standardized(&features.behaviour),
        });
    }
    // DTW compares the monthly series, scaled by the same transforms.
    let series = (settings.metric == SegDistance::Dtw).then(|| {
        let mut m = features.monthly.clone();
        apply_all(&mut m, &settings.transform);
        m
    });
    Ok(SalesInput {
        settings: settings.clone(),
        k,
        funds,
        features,
        x,
        series,
        notes,
    })
}

/// The rows of `--bd` and of funds in `--broad-category` (all rows when neither is set);
/// an unknown name is an error listing the known ones.
fn restrict(
    mut sales: SalesFile,
    sales_name: &str,
    funds: &FundTable,
    settings: &SalesSettings,
    notes: &mut Vec<String>,
) -> Result<SalesFile, InputError> {
    let unknown = |flag: &str, name: &str, known: &[String]| {
        let mut known = known.to_vec();
        known.sort();
        InputError::new(format!(
            "--{flag} '{name}' is not in the data; known: {}",
            known.join(", ")
        ))
        .in_file(sales_name)
    };
    let n = sales.amount.len();
    let mut keep = vec![true; n];
    if let Some(bd) = &settings.bd {
        let code = sales
            .bd
            .names
            .iter()
            .position(|b| b == bd)
            .ok_or_else(|| unknown("bd", bd, &sales.bd.names))?;
        for (k, &c) in keep.iter_mut().zip(&sales.bd.codes) {
            *k &= c as usize == code;
        }
    }
    if let Some(broad) = &settings.broad_category {
        let known = funds.broad_categories();
        if !known.iter().any(|b| b == broad) {
            return Err(unknown("broad-category", broad, &known));
        }
        // Funds missing from the fund table stay, so that the usual error names them.
        let in_broad: Vec<bool> = sales
            .fund
            .names
            .iter()
            .map(|f| {
                funds
                    .row(f)
                    .is_none_or(|r| funds.broad_category(r) == broad)
            })
            .collect();
        for (k, &c) in keep.iter_mut().zip(&sales.fund.codes) {
            *k &= in_broad[c as usize];
        }
    }
    let kept = keep.iter().filter(|&&k| k).count();
    if kept == n {
        return Ok(sales);
    }
    if kept == 0 {
        return Err(
            InputError::new(format!("no sales row left after {}", restriction(settings)))
                .in_file(sales_name),
        );
    }
    notes.push(format!(
        "{kept} of {n} sales rows kept: {}",
        restriction(settings)
    ));
    let filter = |v: &mut Vec<u32>| {
        let mut i = 0;
        v.retain(|_| (keep[i], i += 1).0);
    };
    filter(&mut sales.bd.codes);
    filter(&mut sales.office.codes);
    filter(&mut sales.fund.codes);
    let mut i = 0;
    sales.month.retain(|_| (keep[i], i += 1).0);
    let mut i = 0;
    sales.amount.retain(|_| (keep[i], i += 1).0);
    Ok(sales)
}

/// "--bd X and --broad-category Y", as set.
fn restriction(s: &SalesSettings) -> String {
    let mut parts = Vec::new();
    if let Some(b) = &s.bd {
        parts.push(format!("--bd {b}"));
    }
    if let Some(b) = &s.broad_category {
        parts.push(format!("--broad-category {b}"));
    }
    parts.join(" and ")
}

/// The quarters in the window: `wanted`, or fewer when the data cover fewer. The window
/// ends at the latest quarter with data; it must not reach back before the first month
/// with data, where "no sales" would only mean "no data". Notes a partial latest quarter
/// and a shortened window.
fn window(months: &[Date], wanted: usize, notes: &mut Vec<String>) -> usize {
    let (Some(&first), Some(&last)) = (months.iter().min(), months.iter().max()) else {
        return wanted;
    };
    let (q0, q1) = (Quarter::of(first), Quarter::of(last));
    let available =
        (q1.year() - q0.year()) as usize * 4 + q1.number() as usize - q0.number() as usize + 1;
    if last.month() % 3 != 0 {
        notes.push(format!(
            "the latest quarter {q1} has data up to {last} only: its sales are partial"
        ));
    }
    if available < wanted {
        notes.push(format!(
            "the data cover {available} quarter{} ({q0} to {q1}): the window is shortened from {wanted} to {available}",
            if available == 1 { "" } else { "s" },
        ));
        available
    } else {
        wanted
    }
}

/// Most entities the stability bootstrap resamples; above, a seeded sample of them.
pub const STABILITY_SAMPLE: usize = 2000;

/// Segment labels as fitted (not yet numbered by size), how k was set, and the merge
/// tree of a hierarchical method.
pub struct Clusters {
    labels: Vec<usize>,
    selection: KSelection,
    nested: Option<NestedK>,
    tree: Option<Dendrogram>,
}

impl SalesInput {
    /// Entities with features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether no entity has features (never: [`prepare`] needs two).
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The matrix the clustering sees: the features rotated onto all their principal
    /// components (Euclidean), or the monthly series (DTW); n × d row-major and d.
    fn clustered(&self) -> Result<(Vec<f64>, usize), InputError> {
        let n = self.len();
        let (x, d) = match &self.series {
            Some(m) => (m.as_slice(), m.cols()),
            None => (self.x.as_slice(), self.x.cols()),
        };
        // Clustering runs on the principal-component scores (all components): distances
        // are unchanged, so are the clusters, but the gap statistic's uniform reference box
        // is then aligned with the data (Tibshirani, Walther & Hastie's second reference),
        // which keeps correlated features — quarters of one entity's sales move together —
        // from making every extra cluster look significant.
        if self.settings.metric == SegDistance::Euclidean && n > 2 {
            let keep = d.min(n - 1);
            let rotated = pca(MatRef::new(x, n, d).or_input()?, keep)
                .or_input()?
                .scores;
            Ok((rotated, keep))
        } else {
            Ok((x.to_vec(), d))
        }
    }

    /// The linkage and row distance of a hierarchical method.
    fn linkage(&self) -> Option<(Linkage, RowDistance)> {
        let linkage = match self.settings.method {
            SegMethod::Kmeans => return None,
            SegMethod::Average => Linkage::Average,
            SegMethod::Ward => Linkage::Ward,
        };
        let dist = match self.settings.metric {
            SegDistance::Euclidean => RowDistance::Euclidean,
            SegDistance::Dtw => RowDistance::Dtw,
        };
        Some((linkage, dist))
    }

    /// Labels of the rows `rows` of the n × d `x` in `k` segments by the settings'
    /// method (k-means seeded by `seed`).
    fn fit_rows(
        &self,
        x: &[f64],
        d: usize,
        rows: &[usize],
        k: usize,
        seed: u64,
    ) -> Result<Vec<usize>, peergroup_cluster::ClusterError> {
        let sub: Vec<f64> = rows
            .iter()
            .flat_map(|&r| x[r * d..(r + 1) * d].iter().copied())
            .collect();
        let m = MatRef::new(&sub, rows.len(), d)?;
        match self.linkage() {
            None => Ok(KMeans::new(k)
                .restarts(kmeans::RESTARTS)
                .seed(seed)
                .fit(m)?
                .labels),
            Some((linkage, dist)) => LinkageSelect::new(m, linkage, dist)?.dendrogram().cut_k(k),
        }
    }

    /// The nested silhouette rule on the n × d `x` (module [`super::nested`]).
    fn nested(&self, x: &[f64], d: usize, k_max: usize) -> Result<NestedK, InputError> {
        let s = &self.settings;
        nested_k(self.len(), k_max, |rows: &[usize]| {
            let sub: Vec<f64> = rows
                .iter()
                .flat_map(|&r| x[r * d..(r + 1) * d].iter().copied())
                .collect();
            let m = MatRef::new(&sub, rows.len(), d).or_input()?;
            match self.linkage() {
                None => {
                    let sel = KMeansSelect::new(m);
                    let Some((k, labels, silhouette)) =
                        best_split(&sel, k_max, s.min_segment, s.seed)?
                    else {
                        return Ok(None);
                    };
                    let w_k = sel.fit(k, s.seed).or_input()?.cost;
                    let p_value = gaussian_null_p(m, k, w_k, s.seed)?;
                    Ok(Some(Split {
                        k,
                        labels,
                        silhouette,
                        p_value,
                    }))
                }
                Some((linkage, dist)) => {
                    let sel = LinkageSelect::new(m, linkage, dist).or_input()?;
                    Ok(best_split(&sel, k_max, s.min_segment, s.seed)?.map(
                        |(k, labels, silhouette)| Split {
                            k,
                            labels,
                            silhouette,
                            p_value: f64::NAN,
                        },
                    ))
                }
            }
        })
    }

    /// Cluster the entities: k given, or chosen by the settings' rule (the nested
    /// silhouette rule unless --flat-k or --k-rule gap).
    pub fn cluster(&self) -> Result<Clusters, InputError> {
        let s = &self.settings;
        let n = self.len();
        let (data, d) = self.clustered()?;
        let k_max = self.k.k_max.min(n);
        let x = MatRef::new(&data, n, d).or_input()?;
        let chosen = |c: peergroup_cluster::select::KChoice| {
            let note = k_note(&c);
            (
                c.labels.clone(),
                KSelection {
                    choice: Some(c),
                    note,
                },
            )
        };
        let tree = match self.linkage() {
            Some((linkage, dist)) => Some(LinkageSelect::new(x, linkage, dist).or_input()?),
            None => None,
        };
        let (mut labels, mut selection) = match (self.k.k, &tree) {
            (KChoice::Fixed(k), None) => {
                let fit = KMeans::new(k)
                    .restarts(kmeans::RESTARTS)
                    .seed(s.seed)
                    .fit(x)
                    .or_input()?;
                (fit.labels, KSelection::given())
            }
            (KChoice::Fixed(k), Some(sel)) => {
                (sel.dendrogram().cut_k(k).or_input()?, KSelection::given())
            }
            (KChoice::Auto, None) => chosen(
                choose_k(
                    &KMeansSelect::new(x),
                    k_max,
                    GAP_REFERENCES,
                    self.k.rule,
                    s.seed,
                )
                .or_input()?,
            ),
            (KChoice::Auto, Some(sel)) => {
                chosen(choose_k(sel, k_max, GAP_REFERENCES, self.k.rule, s.seed).or_input()?)
            }
        };
        let mut nested = None;
        if self.k.k == KChoice::Auto && self.k.rule == SelectRule::Silhouette && !s.flat_k {
            let found = self.nested(&data, d, k_max)?;
            let all: Vec<usize> = (0..n).collect();
            labels = self.fit_rows(&data, d, &all, found.k, s.seed).or_input()?;
            let flat = selection.choice.as_ref().map_or(1, |c| c.k_silhouette);
            // k_selection.csv marks the k used.
            if let Some(c) = selection.choice.as_mut() {
                c.k = found.k;
            }
            selection.note = if found.k == 1 {
                format!(
                    "nested silhouette rule (splits of at least {} entities, silhouette above {SILHOUETTE_NO_STRUCTURE}): no further meaningful clustering; the flat silhouette would give k = {flat}",
                    s.min_segment
                )
            } else {
                format!(
                    "nested silhouette rule (splits of at least {} entities, silhouette above {SILHOUETTE_NO_STRUCTURE}) in {} split{}; the flat silhouette would give k = {flat}",
                    s.min_segment,
                    found.tries.iter().filter(|t| t.split).count(),
                    if found.tries.iter().filter(|t| t.split).count() == 1 { "" } else { "s" },
                )
            };
            nested = Some(found);
        }
        Ok(Clusters {
            labels,
            selection,
            nested,
            tree: tree.map(|t| t.dendrogram().clone()),
        })
    }

    /// Bootstrap stability of `clusters` (METHODS §6.4): `--stability-replicates` draws of
    /// the entities, each refitted by the same method with the same k; `None` when off or
    /// when there is a single segment.
    pub fn stability(&self, clusters: &Clusters) -> Result<Option<Stability>, InputError> {
        let s = &self.settings;
        let k = clusters.labels.iter().max().map_or(0, |m| m + 1);
        if s.stability_replicates == 0 || k < 2 || self.len() < 3 {
            return Ok(None);
        }
        let (data, d) = self.clustered()?;
        // Above STABILITY_SAMPLE entities, a seeded sample of them (with their segments).
        let n = self.len();
        let sample =
            peergroup_random::Rng::stream(s.seed, u64::MAX - 2).sample(n, STABILITY_SAMPLE);
        let labels: Vec<usize> = sample.iter().map(|&i| clusters.labels[i]).collect();
        resample_stability(&labels, s.stability_replicates, s.seed, |rows, seed| {
            let rows: Vec<usize> = rows.iter().map(|&r| sample[r]).collect();
            self.fit_rows(&data, d, &rows, k, seed)
        })
        .map(Some)
        .or_input()
    }

    /// The t-SNE map of the features (perplexity 30, or less for few entities), or NaN
    /// coordinates and a note when there are under 5 or over `tsne_max` entities.
    pub fn tsne(&self) -> Result<TsneMap, InputError> {
        let (x, n, d) = (self.x.as_slice(), self.len(), self.x.cols());
        let max = self.settings.tsne_max;
        if n < 5 || n > max {
            let note = if n < 5 {
                format!("t-SNE needs at least 5 rows, there are {n}")
            } else {
                format!("t-SNE skipped: {n} rows > --tsne-max {max}")
            };
            return Ok(TsneMap {
                coordinates: vec![[f64::NAN; 2]; n],
                note: Some(note),
            });
        }
        let t = tsne(
            MatRef::new(x, n, d).or_input()?,
            &TsneOptions {
                perplexity: 30f64.min((n as f64 - 1.0) / 3.0),
                seed: self.settings.seed,
                ..TsneOptions::default()
            },
        )
        .or_input()?;
        Ok(TsneMap {
            coordinates: (0..n)
                .map(|i| [t.embedding[2 * i], t.embedding[2 * i + 1]])
                .collect(),
            note: None,
        })
    }

    /// Number the clusters by size and describe them: PCA map, profiles and, for funds,
    /// the outside-category table.
    pub fn segments(
        self,
        clusters: Clusters,
        tsne: TsneMap,
        stability: Option<Stability>,
    ) -> Result<SalesSegments, InputError> {
        let f = &self.features;
        let labels = by_size(&clusters.labels);
        let pca = PcaMap::of(self.x.as_slice(), self.len(), self.x.cols())?;
        let (numeric, specs) = f.profile_numeric();
        let categories = f.categories(&self.funds);
        let cats = categories
            .as_ref()
            .map(|c| Categoricals::from_text("category", "{}", c));
        let scaled = f.features.hstack(&f.mix);
        // Descriptions from one size figure and the mix: eight quarterly columns that move
        // together would otherwise fill every description with "large … sales" three times.
        let (compact, compact_specs, compact_scaled) = description_features(f);
        let labels_error = |e| InputNames::default().error(e);
        let profile = |numeric, numeric_specs, scaled| {
            let input = ProfileInput {
                numeric,
                numeric_specs,
                scaled: Some(scaled),
                categorical: cats.as_ref(),
            };
            profiles(&input, &labels, &DescribeConfig::default()).map_err(labels_error)
        };
        let mut prof = profile(&numeric, &specs, &scaled)?;
        let described = profile(&compact, &compact_specs, &compact_scaled)?;
        for (p, d) in prof.segments.iter_mut().zip(described.segments) {
            p.description = d.description;
        }
        let mut notes = self.notes;
        let what = self.settings.entity.name();
        let outside = match categories {
            Some(cats) if self.settings.entity == Entity::Fund => {
                let t = outside::test_funds(f, &cats, &self.settings.outside_config())
                    .map_err(labels_error)?;
                notes.push(outside::note(&t));
                Some(t)
            }
            _ => None,
        };
        if !f.dropped.is_empty() {
            notes.push(format!(
                "{} {what}s with zero net sales in every quarter of the window were left out",
                f.dropped.len(),
            ));
        }
        notes.extend(tsne.note);
        let k = labels.iter().max().map_or(0, |m| m + 1);
        Ok(SalesSegments {
            entity: self.settings.entity,
            method: self.settings.method,
            quarters: self.features.quarters,
            keys: self.features.keys,
            labels,
            k,
            selection: clusters.selection,
            nested: clusters.nested,
            stability,
            stability_replicates: self.settings.stability_replicates,
            tree: clusters.tree,
            pca,
            tsne: tsne.coordinates,
            profiles: prof,
            outside,
            notes,
        })
    }
}

/// A t-SNE map, or why there is none.
pub struct TsneMap {
    /// (t-SNE 1, t-SNE 2) per entity (NaN when skipped).
    pub coordinates: Vec<[f64; 2]>,
    /// Why the map was skipped.
    pub note: Option<String>,
}

/// Segment offices or funds by their sales: [`prepare`], cluster, embed and describe.
pub fn segment_sales(
    sales: SalesFile,
    sales_name: &str,
    funds: FundsFile,
    funds_name: &str,
    settings: &SalesSettings,
) -> Result<SalesSegments, InputError> {
    let input = prepare(sales, sales_name, funds, funds_name, settings)?;
    let clusters = input.cluster()?;
    let stability = input.stability(&clusters)?;
    let tsne = input.tsne()?;
    input.segments(clusters, tsne, stability)
}

/// Mean quarterly net sales (with its signed log1p for the z-scores) and the mix shares:
/// the features a segment description is built from.
fn description_features(f: &SalesFeatures) -> (Matrix, Vec<NumericSpec>, Matrix) {
    let n = f.len();
    let q = f.quarterly.cols().max(1) as f64;
    let mean: Vec<f64> = (0..n)
        .map(|i| f.quarterly.row(i).iter().sum::<f64>() / q)
        .collect();
    let size = Matrix::new(mean.clone(), n, 1).expect("one mean per office");
    let size_scaled = Matrix::new(mean.iter().map(|&v| signed_log1p(v)).collect(), n, 1)
        .expect("one mean per office");
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
