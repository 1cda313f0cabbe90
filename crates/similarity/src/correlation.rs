//! Pearson correlation of returns between funds: the baseline the factor-aware measure is
//! compared with (METHODS §3.9), and the residual correlation behind S_U (§3.7).

use peergroup_data::InputError;

use crate::matrix::{fill_upper, CondensedSimilarity, SimilarityMatrix};

/// Fewest observations a correlation is computed from: with 2 points it is always ±1.
pub const MIN_CORRELATION_OBS: usize = 3;

/// What to do with missing returns (NaN) when correlating two funds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingReturns {
    /// Each pair uses the dates where both funds have a return (pairwise-complete, like
    /// pandas `DataFrame.corr`); the default. Pairs may then use different dates.
    #[default]
    PairwiseComplete,
    /// Only dates where every fund has a return are used (listwise deletion), so every
    /// pair is computed on the same dates.
    CommonDates,
}

/// Pearson correlation of every pair of funds (in [−1, 1]; a full symmetric matrix).
///
/// `returns` is funds × `t` row-major (one window; fractions or percent, correlation does
/// not care), NaN marking a missing return. A pair with fewer than `min_obs` usable
/// observations, or where either fund is constant over them, gets NaN; so does the
/// diagonal of a fund that is constant or has fewer than `min_obs` returns (else 1).
/// Each correlation is computed two-pass (means first, then centred sums).
///
/// Errors: `min_obs` < 3, a window shorter than `min_obs`, an infinite return, or (with
/// [`MissingReturns::CommonDates`]) fewer than `min_obs` dates where every fund has a return.
///
/// # Panics
/// If `returns.len() != n_funds * t`.
pub fn correlation(
    returns: &[f64],
    n_funds: usize,
    t: usize,
    min_obs: usize,
    missing: MissingReturns,
) -> Result<SimilarityMatrix, InputError> {
    assert_eq!(returns.len(), n_funds * t, "returns must be funds × dates");
    if min_obs < MIN_CORRELATION_OBS {
        return Err(InputError::new(format!(
            "a correlation needs at least {MIN_CORRELATION_OBS} observations (with 2 it is always ±1); got a minimum of {min_obs}"
        )));
    }
    if t < min_obs {
        return Err(InputError::new(format!(
            "the correlation window has {t} observations; at least {min_obs} are needed"
        )));
    }
    if let Some(p) = returns.iter().position(|r| r.is_infinite()) {
        return Err(InputError::new(format!(
            "fund {} (0-based), observation {} of the window: the return is {}; expected a number or missing",
            p / t,
            p % t,
            returns[p]
        )));
    }
    let (data, t) = match missing {
        MissingReturns::PairwiseComplete => (returns.to_vec(), t),
        MissingReturns::CommonDates => common_dates(returns, n_funds, t, min_obs)?,
    };
    let n = n_funds;
    let rows: Vec<&[f64]> = (0..n).map(|f| &data[f * t..(f + 1) * t]).collect();
    // Funds without gaps are standardised once (centred, unit sum of squares), so a pair
    // of them costs one dot product; pairs involving gaps are recomputed on common dates.
    let standardised: Vec<Option<Vec<f64>>> = rows
        .iter()
        .map(|r| {
            if r.iter().any(|x| x.is_nan()) || is_constant(r.iter().copied()) {
                return None;
            }
            let mean = r.iter().sum::<f64>() / t as f64;
            let ss: f64 = r.iter().map(|x| (x - mean) * (x - mean)).sum();
            let scale = 1.0 / ss.sqrt();
            Some(r.iter().map(|x| (x - mean) * scale).collect())
        })
        .collect();
    let complete: Vec<bool> = rows.iter().map(|r| !r.iter().any(|x| x.is_nan())).collect();
    let diagonal = rows
        .iter()
        .map(|r| {
            let obs = r.iter().filter(|x| !x.is_nan()).count();
            if obs >= min_obs && !is_constant(r.iter().copied().filter(|x| !x.is_nan())) {
                1.0
            } else {
                f64::NAN
            }
        })
        .collect();
    let upper = fill_upper(n, |a, out| {
        for (d, v) in out.iter_mut().enumerate() {
            let b = a + 1 + d;
            *v = if complete[a] && complete[b] {
                match (&standardised[a], &standardised[b]) {
                    (Some(za), Some(zb)) => dot(za, zb).clamp(-1.0, 1.0),
                    _ => f64::NAN,
                }
            } else {
                pairwise(rows[a], rows[b], min_obs)
            };
        }
    });
    Ok(CondensedSimilarity::new(n, diagonal, upper).to_full())
}

/// Keeps the dates where every fund has a return.
fn common_dates(
    returns: &[f64],
    n: usize,
    t: usize,
    min_obs: usize,
) -> Result<(Vec<f64>, usize), InputError> {
    let keep: Vec<usize> = (0..t)
        .filter(|&s| (0..n).all(|f| !returns[f * t + s].is_nan()))
        .collect();
    if keep.len() < min_obs {
        return Err(InputError::new(format!(
            "only {} dates of the window have a return for every fund; at least {min_obs} are needed (or correlate pairwise-complete)",
            keep.len()
        )));
    }
    let data = (0..n)
        .flat_map(|f| keep.iter().map(move |&s| returns[f * t + s]))
        .collect();
    Ok((data, keep.len()))
}

/// Two-pass correlation over the dates where both series are present.
fn pairwise(a: &[f64], b: &[f64], min_obs: usize) -> f64 {
    let both = || a.iter().zip(b).filter(|(x, y)| !x.is_nan() && !y.is_nan());
    let (mut m, mut sa, mut sb) = (0usize, 0.0, 0.0);
    for (x, y) in both() {
        m += 1;
        sa += x;
        sb += y;
    }
    if m < min_obs || is_constant(both().map(|(x, _)| *x)) || is_constant(both().map(|(_, y)| *y)) {
        return f64::NAN;
    }
    let (ma, mb) = (sa / m as f64, sb / m as f64);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in both() {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    (sab / (saa * sbb).sqrt()).clamp(-1.0, 1.0)
}

/// Whether every value is the same: zero variance, decided exactly rather than by a
/// threshold on a sum of squares that rounding makes tiny but nonzero.
fn is_constant(mut values: impl Iterator<Item = f64>) -> bool {
    match values.next() {
        None => true,
        Some(first) => values.all(|x| x == first),
    }
}

/// Dot product with independent partial sums, so that it vectorises.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    const W: usize = 8;
    let mut acc = [0.0; W];
    let (ca, cb) = (a.chunks_exact(W), b.chunks_exact(W));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..W {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f64>() + tail
}
