//! Robustness stage: how much the peer groups of one date depend on the factor
//! similarities S_X (seed 004 §7, METHODS §4.13).
//!
//! Each draw multiplies every off-diagonal S_X(i, j) by its own uniform factor in
//! [1 − p, 1 + p] (the same for (j, i), so S_X stays symmetric), clips to [0, 1] and keeps
//! the unit diagonal; recomputes the fund similarity of the date as `peergroup similarity`
//! does (S = R²_A R²_B S*, S* the rescaled systematic similarity); reclusters with the
//! method and k of the unperturbed clustering; aligns the labels to it (Hungarian
//! assignment on the contingency table) and records the share of funds whose group
//! changed.
//!
//! S_SYST(A, B) = Σ_ij S_B(a_i, b_j) S_X(i, j) is linear in S_X, so a draw's S_SYST is a
//! fixed combination of per-pair basis values: Φ_0 = Σ_i S_X(i, i) S_B(a_i, b_i) and, for
//! each factor pair i < j with S_X(i, j) > 0, Φ_ij = S_B(a_i, b_j) + S_B(a_j, b_i), with
//! the draw's S_X(i, j) as coefficient. The draws of a batch are then one matrix product
//! (pairs × basis) · (basis × draws), computed pair by pair (Φ is never stored) with
//! BATCH accumulators per pair, in an AVX2 build where the CPU has it. (faer's product,
//! one fund's row of pairs at a time, took more time: the products are too thin.)

use std::collections::HashMap;

use peergroup_cluster::labels::first_appearance;
use peergroup_cluster::linkage::linkage_owned;
use peergroup_cluster::validity::align_labels;
use peergroup_data::{Date, InputError};
use peergroup_io::{Column, Exposures, Table};
use peergroup_random::Rng;
use peergroup_report::{LineChart, Series, XAxis};
use peergroup_similarity::{
    beta_similarity, scaled_exposures, CondensedSimilarity, FactorSimilarity,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::{cluster, ClusterInput, ClusterMethod, ClusterSettings};
use crate::error::OrInput;
use crate::settings::{as_text, as_text_option, SettingError};
#[cfg(feature = "clap")]
use crate::settings::{comma_default, default_text, parse};
use crate::similarity::{
    similarity_matrices, DateSimilarity, Measure, Scale, SimilarityInputs, SimilaritySettings,
};
use crate::{Chart, KChoice, KRule, Named, Progress, Silent};

/// Draws whose similarities are held in memory at once (16 MB each at 2,000 funds). A
/// constant, so that results do not depend on the number of threads.
const BATCH: usize = 16;

/// Settings of [`robustness`], as written on the command line or in a study file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct RobustnessSettings {
    /// Perturbation sizes p, each in (0, 1): factors drawn uniformly in [1 − p, 1 + p].
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ',', value_parser = parse_perturb, default_value = comma_default(&RobustnessSettings::default().perturb), value_name = "P,..."))]
    pub perturb: Vec<f64>,
    /// Draws per perturbation size.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RobustnessSettings::default().draws, value_name = "N"))]
    pub draws: usize,
    /// Date to cluster (default: the last date of the exposures).
    #[cfg_attr(feature = "clap", arg(long, value_parser = parse::<Date>))]
    #[serde(with = "as_text_option")]
    pub date: Option<Date>,
    /// Exposure scale of the similarity.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = RobustnessSettings::default().scale))]
    pub scale: Scale,
    /// Clustering method (as `peergroup cluster`).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = RobustnessSettings::default().method))]
    pub method: ClusterMethod,
    /// Number of clusters, or auto (chosen once, on the unperturbed similarity, by --k-rule
    /// in 1..--k-max, and kept for every draw).
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&RobustnessSettings::default().k), value_parser = parse::<KChoice>, value_name = "K|auto"))]
    #[serde(with = "as_text")]
    pub k: KChoice,
    /// Largest k tried by --k auto.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RobustnessSettings::default().k_max, value_name = "K"))]
    pub k_max: usize,
    /// Rule of --k auto: bic or silhouette (as `peergroup cluster`).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = RobustnessSettings::default().k_rule, value_name = "RULE"))]
    pub k_rule: KRule,
    /// Random seed of the perturbations (draw d uses its own stream of it) and of the
    /// clustering.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RobustnessSettings::default().seed))]
    pub seed: u64,
}

impl Default for RobustnessSettings {
    /// p = 0.1 and 0.3 (seed 004 §7), 200 draws, the last date, raw exposures, average
    /// linkage with k chosen as `peergroup cluster` does.
    fn default() -> Self {
        let cluster = ClusterSettings::default();
        RobustnessSettings {
            perturb: vec![0.1, 0.3],
            draws: 200,
            date: None,
            scale: Scale::Raw,
            method: cluster.method,
            k: cluster.k,
            k_max: cluster.k_max,
            k_rule: cluster.k_rule,
            seed: cluster.seed,
        }
    }
}

/// Read a perturbation size: a number strictly between 0 and 1.
pub fn parse_perturb(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if p > 0.0 && p < 1.0 => Ok(p),
        Ok(p) => Err(format!("must be in (0, 1), got {p}")),
        Err(_) => Err(format!("expected a number in (0, 1), got '{text}'")),
    }
}

impl RobustnessSettings {
    /// Check the settings before any data is read.
    pub fn validate(&self) -> Result<(), SettingError> {
        if self.perturb.is_empty() {
            return Err(SettingError::new("perturb", "needs at least one size p"));
        }
        if let Some(p) = self.perturb.iter().find(|p| !(**p > 0.0 && **p < 1.0)) {
            return Err(SettingError::new(
                "perturb",
                format!("must be in (0, 1), got {p}"),
            ));
        }
        if self.draws == 0 {
            return Err(SettingError::new("draws", "must be at least 1, got 0"));
        }
        if self.k == KChoice::Fixed(0) {
            return Err(SettingError::new("k", "must be at least 1, got 0"));
        }
        self.cluster_settings(self.k).validate()
    }

    /// The clustering settings with `k`.
    fn cluster_settings(&self, k: KChoice) -> ClusterSettings {
        ClusterSettings {
            method: self.method,
            k,
            k_max: self.k_max,
            k_rule: self.k_rule,
            bootstrap: 0,
            seed: self.seed,
            ..ClusterSettings::default()
        }
    }
}

/// The inputs of [`robustness`] besides the factor similarities.
#[derive(Clone, Copy, Debug)]
pub struct RobustnessInputs<'a> {
    /// `fund,date,factor,beta` as read.
    pub exposures: Named<'a, Exposures>,
    /// R² by (fund, date); without it every R² is 1 (S = S*).
    pub r2: Option<Named<'a, HashMap<(String, Date), f64>>>,
}

/// One draw's result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Draw {
    /// Perturbation size p.
    pub perturb: f64,
    /// Draw number, 1-based.
    pub draw: usize,
    /// Share of funds (0..1) whose aligned group differs from the unperturbed one.
    pub share_changed: f64,
}

/// Summary of the draws of one perturbation size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PerturbSummary {
    /// Perturbation size p.
    pub perturb: f64,
    /// Mean share changed.
    pub mean: f64,
    /// 5th percentile of the share changed (linear interpolation).
    pub p05: f64,
    /// 95th percentile of the share changed.
    pub p95: f64,
}

/// What [`robustness`] found.
#[derive(Clone, Debug)]
pub struct RobustnessOutput {
    /// The date clustered.
    pub date: Date,
    /// The funds present that date, in the order of `labels`.
    pub funds: Vec<String>,
    /// Unperturbed cluster of each fund, 0-based, by first appearance.
    pub labels: Vec<usize>,
    /// Clusters of every clustering.
    pub k: usize,
    /// How k was chosen.
    pub k_note: String,
    /// Every draw, by perturbation size then draw.
    pub draws: Vec<Draw>,
}

impl RobustnessOutput {
    /// `perturb,draw,share_changed`.
    pub fn table(&self) -> Table {
        Table::new()
            .with(
                "perturb",
                Column::F64(self.draws.iter().map(|d| d.perturb).collect()),
            )
            .with(
                "draw",
                Column::I64(self.draws.iter().map(|d| d.draw as i64).collect()),
            )
            .with(
                "share_changed",
                Column::F64(self.draws.iter().map(|d| d.share_changed).collect()),
            )
    }

    /// Mean and 5th/95th percentiles of the share changed per perturbation size, in the
    /// order of the settings.
    pub fn summary(&self) -> Vec<PerturbSummary> {
        let mut sizes: Vec<f64> = Vec::new();
        for d in &self.draws {
            if !sizes.contains(&d.perturb) {
                sizes.push(d.perturb);
            }
        }
        sizes
            .into_iter()
            .map(|p| {
                let mut v: Vec<f64> = self
                    .draws
                    .iter()
                    .filter(|d| d.perturb == p)
                    .map(|d| d.share_changed)
                    .collect();
                v.sort_by(f64::total_cmp);
                PerturbSummary {
                    perturb: p,
                    mean: v.iter().sum::<f64>() / v.len() as f64,
                    p05: percentile(&v, 0.05),
                    p95: percentile(&v, 0.95),
                }
            })
            .collect()
    }

    /// Share changed by perturbation size: the mean and the 5th and 95th percentiles as
    /// lines over p.
    pub fn chart(&self) -> Chart {
        let summary = self.summary();
        let line = |name: &str, f: fn(&PerturbSummary) -> f64| Series {
            name: name.into(),
            points: summary.iter().map(|s| (s.perturb, f(s))).collect(),
        };
        Chart::Line(LineChart {
            title: format!(
                "Peer groups on {} under perturbed factor similarities ({} funds, k = {})",
                self.date,
                self.funds.len(),
                self.k
            ),
            x_label: "perturbation p (S_X × U[1 − p, 1 + p])".into(),
            y_label: "share of funds changing group".into(),
            x_axis: XAxis::Numeric,
            log_y: false,
            series: vec![
                line("95th percentile", |s| s.p95),
                line("mean", |s| s.mean),
                line("5th percentile", |s| s.p05),
            ],
        })
    }
}

/// Percentile `q` of sorted values by linear interpolation between order statistics.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (pos - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Peer-group robustness of one date to perturbed factor similarities `sx` (aligned with
/// the exposures' factors, see [`crate::similarity::factor_similarity`]).
pub fn robustness(
    inputs: RobustnessInputs<'_>,
    sx: &FactorSimilarity,
    settings: &RobustnessSettings,
) -> Result<RobustnessOutput, InputError> {
    robustness_with(inputs, sx, settings, &Silent)
}

/// [`robustness`], reporting the draws done to `progress`.
pub fn robustness_with(
    inputs: RobustnessInputs<'_>,
    sx: &FactorSimilarity,
    settings: &RobustnessSettings,
    progress: &dyn Progress,
) -> Result<RobustnessOutput, InputError> {
    settings.validate()?;
    let ex = inputs.exposures.value;
    let ex_name = inputs.exposures.name;
    // The similarity stage on the date: its checks and messages (date, R²), the funds
    // present, and each fund's R², as S(A, A) = R²_A² S*(A, A) = R²_A² (S_U = 0).
    let stage = similarity_matrices(
        SimilarityInputs {
            exposures: inputs.exposures,
            r2: inputs.r2,
            residuals: None,
        },
        sx,
        &SimilaritySettings {
            scale: settings.scale,
            date: settings.date,
            // with the fit's R², the R²-weighted S (else S*, the similarity default)
            measure: if inputs.r2.is_some() {
                Measure::S
            } else {
                Measure::SStar
            },
            ..SimilaritySettings::default()
        },
    )?
    .pop()
    .ok_or_else(|| {
        let date = settings
            .date
            .map_or("the last date".into(), |d| d.to_string());
        InputError::new(format!("fewer than 2 funds have exposures on {date}")).in_file(ex_name)
    })?;
    let (date, funds) = (stage.date, stage.ids);
    let n = funds.len();
    if n < 3 {
        return Err(InputError::new(format!(
            "clustering needs at least 3 funds with exposures on {date}, got {n}"
        ))
        .in_file(ex_name));
    }
    // sqrt(x²) = x exactly in binary floating point.
    let r2: Vec<f64> = stage.similarity.diagonal.iter().map(|d| d.sqrt()).collect();
    let t = ex.dates.partition_point(|d| *d < date);
    let present: Vec<usize> = funds.iter().filter_map(|f| ex.funds.get(f)).collect();
    let k = sx.len();
    let mut betas = Vec::with_capacity(n * k);
    for &i in &present {
        betas.extend_from_slice(ex.row(t, i));
    }
    let basis = Basis::new(scaled_exposures(&betas, n, k, settings.scale.into()), n, sx);

    // The unperturbed clustering, as `peergroup cluster` makes it (from the same basis as
    // the draws, so that a vanishing perturbation reproduces it exactly).
    let base_similarity = basis.similarities(&[basis.coefficients(sx.matrix())], &r2);
    let base_similarity = base_similarity.into_iter().next().expect("one draw");
    let base = cluster(
        ClusterInput::Matrix(Named::new(
            &DateSimilarity {
                date,
                ids: funds.clone(),
                similarity: base_similarity,
            },
            ex_name,
        )),
        &settings.cluster_settings(settings.k),
    )?;
    let base_k = base.k.max(1);
    let fixed = settings.cluster_settings(KChoice::Fixed(base_k));

    let jobs: Vec<(f64, usize)> = settings
        .perturb
        .iter()
        .flat_map(|&p| (0..settings.draws).map(move |d| (p, d)))
        .collect();
    progress.start("draws", jobs.len() as u64);
    let mut draws = Vec::with_capacity(jobs.len());
    for batch in jobs.chunks(BATCH) {
        let coefficients: Vec<Vec<f64>> = batch
            .iter()
            .map(|&(p, d)| basis.coefficients(&perturbed(sx, p, settings.seed, d)))
            .collect();
        let similarities = basis.similarities(&coefficients, &r2);
        let shares: Vec<f64> = similarities
            .into_par_iter()
            .map(|s| {
                let labels = partition(s, &funds, date, base_k, &fixed)?;
                let aligned = align_labels(&base.labels, &labels).or_input()?;
                let changed = aligned
                    .iter()
                    .zip(&base.labels)
                    .filter(|(a, b)| a != b)
                    .count();
                progress.advance(1);
                Ok(changed as f64 / n as f64)
            })
            .collect::<Result<_, InputError>>()?;
        draws.extend(
            batch
                .iter()
                .zip(shares)
                .map(|(&(perturb, d), share_changed)| Draw {
                    perturb,
                    draw: d + 1,
                    share_changed,
                }),
        );
    }
    Ok(RobustnessOutput {
        date,
        funds,
        labels: base.labels,
        k: base.k,
        k_note: base.k_note,
        draws,
    })
}

/// S_X of draw `draw` at size `p`: every off-diagonal pair i < j times its own uniform
/// factor in [1 − p, 1 + p], mirrored, clipped to [0, 1]; the diagonal kept. The factors
/// come from the draw's own stream as 1 + p(2v − 1) with v uniform in [0, 1), so draw d
/// sees the same v at every p (common random numbers: adding a size leaves the others'
/// draws unchanged).
pub fn perturbed(sx: &FactorSimilarity, p: f64, seed: u64, draw: usize) -> Vec<f64> {
    let k = sx.len();
    let mut m = sx.matrix().to_vec();
    let mut rng = Rng::stream(seed, draw as u64);
    for i in 0..k {
        for j in i + 1..k {
            let u = 1.0 + p * (2.0 * rng.uniform() - 1.0);
            let v = (m[i * k + j] * u).clamp(0.0, 1.0);
            m[i * k + j] = v;
            m[j * k + i] = v;
        }
    }
    m
}

/// The cluster labels of one similarity matrix in `k` clusters (`settings.k` is
/// `Fixed(k)`): the tree cut of a hierarchical method, or the pipeline's k-means /
/// mixture on its embedding.
fn partition(
    s: CondensedSimilarity,
    funds: &[String],
    date: Date,
    k: usize,
    settings: &ClusterSettings,
) -> Result<Vec<usize>, InputError> {
    match settings.method.linkage() {
        Some(method) => {
            let n = s.n;
            let mut d = s.upper;
            d.iter_mut().for_each(|v| *v = 1.0 - *v);
            let tree = linkage_owned(d, n, method).or_input()?;
            Ok(first_appearance(&tree.cut_k(k).or_input()?))
        }
        None => {
            let m = DateSimilarity {
                date,
                ids: funds.to_vec(),
                similarity: s,
            };
            Ok(cluster(ClusterInput::Matrix(Named::new(&m, "")), settings)?.labels)
        }
    }
}

/// Per-pair basis of S_SYST as a linear function of S_X (see the module notes).
struct Basis {
    /// Scaled absolute exposures, funds × factors.
    scaled: Vec<f64>,
    n: usize,
    k: usize,
    /// Factor pairs (i, j), i < j, whose S_X(i, j) is positive (a zero entry stays zero
    /// under multiplication).
    pairs: Vec<(usize, usize)>,
    /// S_X(i, i), the weights of Φ_0.
    diagonal: Vec<f64>,
}

impl Basis {
    fn new(scaled: Vec<f64>, n: usize, sx: &FactorSimilarity) -> Basis {
        let k = sx.len();
        let pairs = (0..k)
            .flat_map(|i| (i + 1..k).map(move |j| (i, j)))
            .filter(|&(i, j)| sx.get(i, j) > 0.0)
            .collect();
        Basis {
            scaled,
            n,
            k,
            pairs,
            diagonal: (0..k).map(|i| sx.get(i, i)).collect(),
        }
    }

    /// The basis coefficients of a (perturbed) S_X matrix: 1 for Φ_0, then S_X(i, j).
    fn coefficients(&self, sx: &[f64]) -> Vec<f64> {
        std::iter::once(1.0)
            .chain(self.pairs.iter().map(|&(i, j)| sx[i * self.k + j]))
            .collect()
    }

    /// Φ of funds a and b into `phi` (inlined into the row kernels, so that the AVX2 one
    /// compiles it for AVX2 too).
    #[inline(always)]
    fn phi(&self, a: usize, b: usize, phi: &mut [f64]) {
        let k = self.k;
        let (x, y) = (
            &self.scaled[a * k..(a + 1) * k],
            &self.scaled[b * k..(b + 1) * k],
        );
        phi[0] = (0..k)
            .map(|i| self.diagonal[i] * beta_similarity(x[i], y[i]))
            .sum();
        for (slot, &(i, j)) in phi[1..].iter_mut().zip(&self.pairs) {
            *slot = beta_similarity(x[i], y[j]) + beta_similarity(x[j], y[i]);
        }
    }

    /// Fund similarity S = R²_A R²_B S* of every draw (one coefficient vector each, at
    /// most [`BATCH`]): S_SYST as Φ · coefficients, rescaled by its diagonal.
    fn similarities(&self, draws: &[Vec<f64>], r2: &[f64]) -> Vec<CondensedSimilarity> {
        let n = self.n;
        let m = self.pairs.len() + 1;
        let nd = draws.len();
        // Coefficients, basis entries × BATCH draws row-major (unused draws 0).
        let mut coef = vec![0.0; m * BATCH];
        for (d, c) in draws.iter().enumerate() {
            for (e, v) in c.iter().enumerate() {
                coef[e * BATCH + d] = *v;
            }
        }
        let kernel = row_kernel();
        // S_SYST of fund a with funds `others` (b ≥ a), others × BATCH row-major.
        let systematic = |a: usize, others: std::ops::Range<usize>, phi: &mut Vec<f64>| {
            phi.resize(m, 0.0);
            let mut out = vec![0.0; others.len() * BATCH];
            let job = RowJob {
                basis: self,
                coef: &coef,
                a,
                others,
            };
            kernel(&job, phi, &mut out);
            out
        };
        // R²_A / sqrt(S_SYST(A, A)) per fund and draw, so S(A, B) = S_SYST(A, B) w_A w_B.
        let weights: Vec<[f64; BATCH]> = (0..n)
            .into_par_iter()
            .map_init(Vec::new, |phi, a| {
                let s = systematic(a, a..a + 1, phi);
                std::array::from_fn(|d| r2[a] / s[d].sqrt())
            })
            .collect();
        let mut uppers: Vec<Vec<f64>> = (0..nd).map(|_| vec![0.0; n * (n - 1) / 2]).collect();
        // Row a of every draw's upper triangle, handed to one task.
        let mut rows: Vec<Vec<&mut [f64]>> = (0..n.saturating_sub(1))
            .map(|_| Vec::with_capacity(nd))
            .collect();
        for upper in &mut uppers {
            let mut rest = upper.as_mut_slice();
            for (a, row) in rows.iter_mut().enumerate() {
                let (head, tail) = rest.split_at_mut(n - 1 - a);
                row.push(head);
                rest = tail;
            }
        }
        rows.into_par_iter()
            .enumerate()
            .for_each_init(Vec::new, |phi, (a, mut out)| {
                let s = systematic(a, a + 1..n, phi);
                for (d, row) in out.iter_mut().enumerate() {
                    for (r, v) in row.iter_mut().enumerate() {
                        *v = s[r * BATCH + d] * weights[a][d] * weights[a + 1 + r][d];
                    }
                }
            });
        // S*(A, A) = 1, so S(A, A) = R²_A² (S_U = 0).
        let diagonal: Vec<f64> = r2.iter().map(|r| r * r).collect();
        uppers
            .into_iter()
            .map(|upper| CondensedSimilarity::new(n, diagonal.clone(), upper))
            .collect()
    }
}

/// One fund's pairs for a row kernel: S_SYST of fund `a` with each fund of `others`
/// for every draw of the batch, from the coefficients (basis × BATCH row-major).
struct RowJob<'a> {
    basis: &'a Basis,
    coef: &'a [f64],
    a: usize,
    others: std::ops::Range<usize>,
}

/// Fills `out` (others × BATCH row-major) for a [`RowJob`]; `phi` holds one pair's basis.
type RowKernel = fn(&RowJob<'_>, &mut [f64], &mut [f64]);

#[inline(always)]
fn accumulate_row(job: &RowJob<'_>, phi: &mut [f64], out: &mut [f64]) {
    for (b, acc) in job.others.clone().zip(out.chunks_exact_mut(BATCH)) {
        job.basis.phi(job.a, b, phi);
        let acc: &mut [f64; BATCH] = acc.try_into().expect("BATCH values per pair");
        for (&f, row) in phi.iter().zip(job.coef.chunks_exact(BATCH)) {
            let row: &[f64; BATCH] = row.try_into().expect("BATCH coefficients");
            for d in 0..BATCH {
                acc[d] += f * row[d];
            }
        }
    }
}

fn accumulate_row_portable(job: &RowJob<'_>, phi: &mut [f64], out: &mut [f64]) {
    accumulate_row(job, phi, out)
}

/// [`accumulate_row`] compiled for AVX2: 4 draws per instruction; no FMA, so it gives
/// bit for bit the portable build's sums.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn accumulate_row_avx2(job: &RowJob<'_>, phi: &mut [f64], out: &mut [f64]) {
    accumulate_row(job, phi, out)
}

/// The AVX2 kernel when the CPU has it, else the portable one.
fn row_kernel() -> RowKernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            return |job, phi, out| {
                // SAFETY: this closure is only returned after AVX2 was detected.
                unsafe { accumulate_row_avx2(job, phi, out) }
            };
        }
    }
    accumulate_row_portable
}

#[cfg(all(test, feature = "clap"))]
mod settings_tests {
    use super::*;
    use crate::settings::check;

    #[test]
    fn robustness_settings() {
        check::settings_type(&RobustnessSettings {
            perturb: vec![0.05, 0.2, 0.5],
            draws: 7,
            date: Some(Date::from_ymd(2020, 6, 30).unwrap()),
            scale: Scale::Gross,
            method: ClusterMethod::Ward,
            k: KChoice::Fixed(4),
            k_max: 6,
            k_rule: KRule::Silhouette,
            seed: 11,
        });
        let s: RobustnessSettings = check::parse(&["--perturb", "0.1,0.3,0.5"]).unwrap();
        assert_eq!(s.perturb, [0.1, 0.3, 0.5]);
        for bad in ["0", "1", "1.5", "-0.1", "x"] {
            let arg = format!("--perturb=0.2,{bad}");
            let e = check::parse::<RobustnessSettings>(&[&arg]).unwrap_err();
            assert!(e.contains("--perturb"), "{e}");
        }
        for (key, s) in [
            (
                "draws",
                check::parse::<RobustnessSettings>(&["--draws", "0"]).unwrap(),
            ),
            (
                "perturb",
                serde_json::from_str(r#"{"perturb": [0.1, 1.0]}"#).unwrap(),
            ),
            (
                "perturb",
                serde_json::from_str(r#"{"perturb": []}"#).unwrap(),
            ),
            (
                "k",
                RobustnessSettings {
                    k: KChoice::Fixed(0),
                    ..RobustnessSettings::default()
                },
            ),
            (
                "k-rule",
                check::parse(&["--method", "gmm", "--k-rule", "silhouette"]).unwrap(),
            ),
        ] {
            check::names_key(s.validate(), key);
        }
        assert_eq!(RobustnessSettings::default().validate(), Ok(()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sx(k: usize, off: f64) -> FactorSimilarity {
        let names = (0..k).map(|i| format!("F{i}")).collect();
        let values = (0..k * k)
            .map(|x| if x / k == x % k { 1.0 } else { off })
            .collect();
        FactorSimilarity::from_matrix(names, values).unwrap()
    }

    /// A draw's S_X is symmetric, in [0, 1], with a unit diagonal, each entry within
    /// [1 − p, 1 + p] times the original (before clipping); zeros stay zero.
    #[test]
    fn perturbed_similarities_stay_valid() {
        let base = sx(6, 0.7);
        for draw in 0..50 {
            let m = perturbed(&base, 0.5, 3, draw);
            FactorSimilarity::from_matrix(base.names().to_vec(), m.clone()).unwrap();
            for i in 0..6 {
                assert_eq!(m[i * 6 + i], 1.0);
                for j in 0..6 {
                    assert_eq!(m[i * 6 + j], m[j * 6 + i]);
                    if i != j {
                        let v = m[i * 6 + j];
                        assert!((0.35 - 1e-12..=1.0).contains(&v), "{v}");
                    }
                }
            }
        }
        // Some entries are clipped at 1 (0.7 × 1.5 > 1) and some fall below 0.7.
        let all: Vec<f64> = (0..50).flat_map(|d| perturbed(&base, 0.5, 3, d)).collect();
        assert!(all.contains(&1.0) && all.iter().any(|&v| v < 0.6));
        let zero = sx(4, 0.0);
        assert!(perturbed(&zero, 0.9, 1, 0)
            .iter()
            .enumerate()
            .all(|(x, &v)| v == if x / 4 == x % 4 { 1.0 } else { 0.0 }));
    }

    /// Draw d sees the same uniforms at every p: the relative change is proportional to p.
    #[test]
    fn common_random_numbers_across_sizes() {
        let base = sx(5, 0.4);
        let (a, b) = (perturbed(&base, 0.1, 9, 4), perturbed(&base, 0.3, 9, 4));
        for (x, y) in a.iter().zip(&b) {
            assert!(((y / 0.4 - 1.0) - 3.0 * (x / 0.4 - 1.0)).abs() < 1e-12 || *x == 1.0);
        }
        assert_ne!(perturbed(&base, 0.1, 9, 4), perturbed(&base, 0.1, 9, 5));
        assert_ne!(perturbed(&base, 0.1, 9, 4), perturbed(&base, 0.1, 10, 4));
    }

    #[test]
    fn percentiles_interpolate() {
        let v: Vec<f64> = (0..=20).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.05), 1.0);
        assert_eq!(percentile(&v, 0.95), 19.0);
        assert_eq!(percentile(&[0.0, 1.0], 0.05), 0.05);
        assert_eq!(percentile(&[2.0], 0.95), 2.0);
    }
}
