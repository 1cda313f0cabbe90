//! Significance of the clusters of a dendrogram by multiscale bootstrap, as in pvclust
//! (Shimodaira 2002, 2004; Suzuki & Shimodaira 2006) (METHODS §4.7).
//!
//! The rows of a data matrix (return periods, dates of an averaging window, features)
//! are resampled with replacement at sample sizes `n' = r·n_rows` for several scales `r`;
//! for each replicate the distances between the objects (funds) and the same hierarchical
//! clustering are recomputed, and every clade (cluster) of the original dendrogram is
//! looked up among the replicate's clades. `BP(r)` is the share of replicates at scale
//! `r` that contain the clade.
//!
//! With `ψ(r) = Φ⁻¹(1 − BP(r))` the model `ψ(r) = v√r + c/√r` is fitted by weighted least
//! squares with weights the inverse of the delta-method variance of `ψ`,
//! `BP(1 − BP) / (φ(ψ)² · B)`, over the scales with `0.001 < BP < 0.999` (pvclust 2.2's
//! `msfit`, whose rules are followed exactly). Then
//!
//! * `AU = 1 − Φ(v − c)`: approximately unbiased p-value (extrapolated to `r = −1`);
//! * `BP = 1 − Φ(v + c)`: the fitted ordinary bootstrap probability at `r = 1`;
//! * `SI = 1 − Φ(v − c)/Φ(−c)` (clipped to [0, 1]): the selective-inference p-value of
//!   Terada & Shimodaira (2017), also reported by pvclust ≥ 2.1.
//!
//! A clade with `AU ≥ 0.95` is strongly supported by the data. AU is conditioned on
//! nothing: the clades tested are the ones the data produced, so even on pure noise
//! their AU values sit mostly above ½ (the observation always lies inside its own
//! clade's region, `v ≤ 0`). SI corrects for that selection and is the one to read
//! when the question is "is this cluster real, given that I found it?".
//!
//! Clades with fewer than three usable scales get pvclust's fallback: AU = BP = SI = 1
//! if the mean BP is at least ½, else 0 (and zero standard errors, `v = c = 0`).
//!
//! Φ, φ and Φ⁻¹ are [`peergroup_numeric::stats`]' (Cody's and Wichura's algorithms, as
//! R's `pnorm` and `qnorm`): accurate to about 1e-16 relative, far into the tails.

// Index loops are kept where they mirror the algebra.
#![allow(clippy::needless_range_loop)]

use crate::linkage::{condensed_len, linkage_owned, Dendrogram, Linkage};
use peergroup_numeric::stats::{normal_cdf, normal_pdf, normal_quantile};
use peergroup_random::Rng;
use rayon::prelude::*;
use std::collections::HashMap;

/// pvclust's default scales `r = 0.5, 0.6, …, 1.4`.
pub const PVCLUST_SCALES: [f64; 10] = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4];

/// Bootstrap support of one clade of the original dendrogram.
#[derive(Clone, Debug, PartialEq)]
pub struct CladePValue {
    /// Merge index `i` in the original dendrogram (the clade is node `n_objects + i`).
    pub node: usize,
    /// Sorted object indices of the clade.
    pub members: Vec<usize>,
    /// The z-value model fitted to `bp_by_scale`: AU (approximately unbiased p-value), BP
    /// at scale 1, SI and their standard errors.
    pub fit: MultiscaleFit,
    /// Raw bootstrap probability at each scale, in the order of `scales`.
    pub bp_by_scale: Vec<f64>,
}

/// Result of fitting `ψ(r) = v√r + c/√r` to bootstrap probabilities at several scales.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MultiscaleFit {
    /// Signed distance `v` of the z-value model `ψ(r) = v√r + c/√r`.
    pub v: f64,
    /// Curvature `c` of the z-value model.
    pub c: f64,
    /// Approximately unbiased p-value `1 − Φ(v − c)`.
    pub au: f64,
    /// Fitted bootstrap probability at scale 1, `1 − Φ(v + c)`.
    pub bp: f64,
    /// Standard error of `au` (delta method, from the weighted least squares).
    pub se_au: f64,
    /// Standard error of `bp`.
    pub se_bp: f64,
    /// `1 − Φ(v − c)/Φ(−c)`, clipped to [0, 1].
    pub si: f64,
    /// Standard error of `si`.
    pub se_si: f64,
    /// Weighted residual sum of squares (χ² with `df` degrees of freedom if the model holds).
    pub rss: f64,
    /// Number of usable scales minus 2.
    pub df: usize,
}

/// BP values this close to 0 or 1 carry no usable z-value (pvclust's `eps`).
const BP_EPS: f64 = 0.001;

/// Fewer usable scales than this give pvclust's 0/1 fallback (its `min.use`).
const MIN_SCALES: usize = 3;

/// Fit `ψ(r) = Φ⁻¹(1 − BP(r)) = v√r + c/√r` by weighted least squares, as pvclust's
/// `msfit`: `r[s]` are the scales (`n'/n`), `bp[s]` the bootstrap probabilities from
/// `n_boot[s]` replicates; scales with `BP ≤ 0.001` or `BP ≥ 0.999` are skipped. Errors
/// unless there is one r, BP and B per scale.
pub fn fit_multiscale(
    r: &[f64],
    bp: &[f64],
    n_boot: &[usize],
) -> Result<MultiscaleFit, crate::ClusterError> {
    crate::error::check_len("bootstrap probabilities (one per scale)", r.len(), bp.len())?;
    crate::error::check_len("replicate counts (one per scale)", r.len(), n_boot.len())?;
    Ok(fit_checked(r, bp, n_boot))
}

/// [`fit_multiscale`] on checked input.
fn fit_checked(r: &[f64], bp: &[f64], n_boot: &[usize]) -> MultiscaleFit {
    let fallback = || {
        let known: Vec<f64> = bp.iter().cloned().filter(|b| !b.is_nan()).collect();
        let mean = known.iter().sum::<f64>() / known.len().max(1) as f64;
        let p = if mean < 0.5 { 0.0 } else { 1.0 };
        MultiscaleFit {
            v: 0.0,
            c: 0.0,
            au: p,
            bp: p,
            se_au: 0.0,
            se_bp: 0.0,
            si: p,
            se_si: 0.0,
            rss: 0.0,
            df: 0,
        }
    };
    // Normal equations of the 2-parameter weighted regression, X = [√r, 1/√r].
    let (mut s11, mut s12, mut s22, mut t1, mut t2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut used: Vec<(f64, f64, f64)> = Vec::new();
    for s in 0..r.len() {
        let b = bp[s];
        // NaN BP (a scale without valid replicates) fails the range test and is skipped.
        let usable = b > BP_EPS && b < 1.0 - BP_EPS;
        if !usable || n_boot[s] == 0 || r[s].is_nan() || r[s] <= 0.0 {
            continue;
        }
        let z = -normal_quantile(b);
        let var = b * (1.0 - b) / (normal_pdf(z).powi(2) * n_boot[s] as f64);
        let w = 1.0 / var;
        let (x1, x2) = (r[s].sqrt(), 1.0 / r[s].sqrt());
        s11 += w * x1 * x1;
        s12 += w * x1 * x2;
        s22 += w * x2 * x2;
        t1 += w * x1 * z;
        t2 += w * x2 * z;
        used.push((w, r[s], z));
    }
    let det = s11 * s22 - s12 * s12;
    if used.len() < MIN_SCALES || det.is_nan() || det <= 0.0 || !det.is_finite() {
        return fallback();
    }
    let v = (s22 * t1 - s12 * t2) / det;
    let c = (s11 * t2 - s12 * t1) / det;
    // Covariance of (v, c) is the inverse of the weighted normal matrix.
    let (v11, v12, v22) = (s22 / det, -s12 / det, s11 / det);
    let z_au = v - c;
    let z_bp = v + c;
    let var_au = v11 - 2.0 * v12 + v22;
    let var_bp = v11 + 2.0 * v12 + v22;
    // Selective inference: condition on the observation lying in the clade's region,
    // whose probability under the boundary hypothesis is Φ(−c).
    let d0 = normal_cdf(-c);
    let p_iau = normal_cdf(z_au);
    let si = (1.0 - p_iau / d0).clamp(0.0, 1.0);
    let se_si = if si > 0.0 && si < 1.0 {
        // Gradient of si with respect to (v, c), then the delta method.
        let d1 = normal_pdf(z_au) / d0;
        let d2 = p_iau * normal_pdf(c) / (d0 * d0);
        let (h1, h2) = (d1, -d1 + d2);
        (h1 * h1 * v11 + 2.0 * h1 * h2 * v12 + h2 * h2 * v22)
            .max(0.0)
            .sqrt()
    } else {
        0.0
    };
    let rss = used
        .iter()
        .map(|&(w, rs, z)| w * (z - v * rs.sqrt() - c / rs.sqrt()).powi(2))
        .sum();
    MultiscaleFit {
        v,
        c,
        au: normal_cdf(-z_au),
        bp: normal_cdf(-z_bp),
        se_au: normal_pdf(z_au) * var_au.max(0.0).sqrt(),
        se_bp: normal_pdf(z_bp) * var_bp.max(0.0).sqrt(),
        si,
        se_si,
        rss,
        df: used.len() - 2,
    }
}

/// AU/BP p-values of every clade of the hierarchical clustering of `n_objects` objects by
/// multiscale bootstrap of the `n_rows` rows the distances are computed from.
///
/// `distances(rows)` returns the condensed distances between the objects computed from
/// the given rows (indices into `0..n_rows`, with repeats); `distances(&[0, 1, …])` is
/// the original. Each scale `r` draws `round(r·n_rows)` rows (ties to even, as R) in
/// `n_boot` replicates; replicate `b` of scale `s` uses `Rng::stream(seed, s·2³² + b)`,
/// so the result is the same on any number of threads. A replicate whose distances are
/// not all finite (e.g. a correlation with a constant resampled column) is skipped and
/// that scale's BP is taken over the remaining replicates (pvclust divides by all
/// replicates instead, counting a skipped one as not containing any clade).
///
/// Returns one entry per merge of the original dendrogram, in merge order (entry `i` ↔
/// node `n_objects + i`; the last is the root, with AU = BP = 1).
///
/// Errors if a scale is not positive, `n_boot` is 0, `distances` returns the wrong
/// length, or the original distances are not finite.
pub fn multiscale_bootstrap<F>(
    n_rows: usize,
    n_objects: usize,
    distances: F,
    method: Linkage,
    scales: &[f64],
    n_boot: usize,
    seed: u64,
) -> Result<Vec<CladePValue>, crate::ClusterError>
where
    F: Fn(&[usize]) -> Vec<f64> + Sync,
{
    if n_boot == 0 {
        return Err(crate::ClusterError::parameter("n_boot", 0, "at least 1"));
    }
    if let Some(r) = scales.iter().find(|r| !(r.is_finite() && **r > 0.0)) {
        return Err(crate::ClusterError::parameter(
            "scale",
            r,
            "finite and positive",
        ));
    }
    if n_objects < 2 || n_rows == 0 {
        return Ok(Vec::new());
    }
    let all: Vec<usize> = (0..n_rows).collect();
    let original = linkage_owned(distances(&all), n_objects, method)?;
    let clades = original.clades();
    let words = n_objects.div_ceil(64);
    let index: HashMap<Vec<u64>, usize> = clades
        .iter()
        .enumerate()
        .map(|(i, members)| {
            let mut key = vec![0u64; words];
            for &o in members {
                key[o / 64] |= 1 << (o % 64);
            }
            (key, i)
        })
        .collect();
    let m = clades.len();
    let ns = scales.len();
    let sizes: Vec<usize> = scales
        .iter()
        .map(|r| ((r * n_rows as f64).round_ties_even() as usize).max(1))
        .collect();

    // Integer counts summed over replicates: the reduction order cannot change them. A
    // replicate whose distances have the wrong length is counted in `wrong`.
    let (counts, valid, wrong) = (0..ns * n_boot)
        .into_par_iter()
        .fold(
            || (vec![0u32; ns * m], vec![0u32; ns], 0usize),
            |(mut counts, mut valid, mut wrong), job| {
                let (s, b) = (job / n_boot, job % n_boot);
                let mut rng = Rng::stream(seed, ((s as u64) << 32) | b as u64);
                let rows: Vec<usize> = (0..sizes[s])
                    .map(|_| rng.below(n_rows as u64) as usize)
                    .collect();
                let d = distances(&rows);
                if d.len() != condensed_len(n_objects) {
                    wrong += 1;
                } else if let Ok(tree) = linkage_owned(d, n_objects, method) {
                    // Not finite: skipped (see above).
                    valid[s] += 1;
                    for i in clade_hits(&tree, words, &index) {
                        counts[s * m + i] += 1;
                    }
                }
                (counts, valid, wrong)
            },
        )
        .reduce(
            || (vec![0u32; ns * m], vec![0u32; ns], 0),
            |(mut c1, mut v1, w1), (c2, v2, w2)| {
                c1.iter_mut().zip(&c2).for_each(|(a, b)| *a += b);
                v1.iter_mut().zip(&v2).for_each(|(a, b)| *a += b);
                (c1, v1, w1 + w2)
            },
        );
    if wrong > 0 {
        return Err(crate::ClusterError::Length {
            what: "replicate distances (n(n−1)/2)",
            expected: condensed_len(n_objects),
            found: wrong,
        });
    }

    let r_actual: Vec<f64> = sizes.iter().map(|&sz| sz as f64 / n_rows as f64).collect();
    let boots: Vec<usize> = valid.iter().map(|&v| v as usize).collect();
    let p_values = clades
        .into_iter()
        .enumerate()
        .map(|(i, members)| {
            let bp_by_scale: Vec<f64> = (0..ns)
                .map(|s| {
                    if valid[s] > 0 {
                        counts[s * m + i] as f64 / valid[s] as f64
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            CladePValue {
                node: i,
                members,
                fit: fit_checked(&r_actual, &bp_by_scale, &boots),
                bp_by_scale,
            }
        })
        .collect();
    Ok(p_values)
}

/// Indices (into the original clades) of the original clades present in `tree`. Each
/// node's leaf set is built as a bitset from its two children, so a replicate costs
/// O(n·n/64) rather than materialising member lists.
fn clade_hits(tree: &Dendrogram, words: usize, index: &HashMap<Vec<u64>, usize>) -> Vec<usize> {
    let n = tree.n;
    let mut bits = vec![0u64; (n + tree.merges.len()) * words];
    for o in 0..n {
        bits[o * words + o / 64] |= 1 << (o % 64);
    }
    let mut hits = Vec::new();
    for (i, mg) in tree.merges.iter().enumerate() {
        let node = n + i;
        for w in 0..words {
            bits[node * words + w] = bits[mg.left * words + w] | bits[mg.right * words + w];
        }
        if let Some(&j) = index.get(&bits[node * words..(node + 1) * words]) {
            hits.push(j);
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_when_fewer_than_three_scales_are_usable() {
        let f = fit_multiscale(&[0.5, 1.0, 1.5], &[0.9995, 0.95, 0.9], &[100; 3]).unwrap();
        assert_eq!((f.au, f.bp, f.si, f.se_au), (1.0, 1.0, 1.0, 0.0));
        let f = fit_multiscale(&[0.5, 1.0, 1.5], &[0.0, 0.0, 0.1], &[100; 3]).unwrap();
        assert_eq!((f.au, f.bp), (0.0, 0.0));
    }
}
