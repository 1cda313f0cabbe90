//! Fund similarity (METHODS §3.7): the rescaled systematic similarity weighted by how
//! well each fund's factor model explains it, plus an optional idiosyncratic part.

use peergroup_data::InputError;
use rayon::prelude::*;

use crate::correlation::{correlation, MissingReturns};
use crate::matrix::{fill_upper, CondensedSimilarity, SimilarityMatrix};

/// S(A,B) = R²_A R²_B S*(A,B) + (1 − R²_A)(1 − R²_B) S_U(A,B) (unitless, ≥ 0, and ≤ 1
/// whenever S* ≤ 1; see [`crate::rescaled`]); S_U = 0 when `s_u` is `None` (Fragkiskos &
/// Bauman's default).
///
/// The diagonal follows the same formula (R⁴ + (1 − R²)² S_U(A,A)), so it is not 1 unless
/// R² = 1; clustering uses 1 − S with a zero diagonal regardless. Errors when an R² is
/// outside [0, 1] or NaN; the message names the fund's 0-based index.
///
/// # Panics
/// If `r2` or `s_u` do not match the size of `s_star`.
pub fn fund_similarity(
    s_star: &SimilarityMatrix,
    r2: &[f64],
    s_u: Option<&SimilarityMatrix>,
) -> Result<SimilarityMatrix, InputError> {
    let n = s_star.n;
    check_inputs(r2, n, s_u.map(|u| u.n))?;
    let mut values = vec![0.0; n * n];
    values
        .par_chunks_mut(n.max(1))
        .enumerate()
        .for_each(|(a, row)| {
            for (b, v) in row.iter_mut().enumerate() {
                let u = s_u.map_or(0.0, |u| u.get(a, b));
                *v = combine(s_star.get(a, b), u, r2[a], r2[b]);
            }
        });
    Ok(SimilarityMatrix { n, values })
}

/// [`fund_similarity`] on condensed matrices.
pub fn fund_similarity_condensed(
    s_star: &CondensedSimilarity,
    r2: &[f64],
    s_u: Option<&CondensedSimilarity>,
) -> Result<CondensedSimilarity, InputError> {
    let n = s_star.n;
    check_inputs(r2, n, s_u.map(|u| u.n))?;
    let diagonal = (0..n)
        .map(|a| {
            combine(
                s_star.diagonal[a],
                s_u.map_or(0.0, |u| u.diagonal[a]),
                r2[a],
                r2[a],
            )
        })
        .collect();
    let upper = fill_upper(n, |a, row| {
        let star = s_star.upper_row(a);
        let u = s_u.map(|u| u.upper_row(a));
        for (d, v) in row.iter_mut().enumerate() {
            *v = combine(star[d], u.map_or(0.0, |u| u[d]), r2[a], r2[a + 1 + d]);
        }
    });
    Ok(CondensedSimilarity::new(n, diagonal, upper))
}

/// S of one pair from its S*, S_U and the two R² (eq. 9), as the matrix functions
/// compute each entry.
pub fn combine(s_star: f64, s_u: f64, r2a: f64, r2b: f64) -> f64 {
    r2a * r2b * s_star + (1.0 - r2a) * (1.0 - r2b) * s_u
}

/// Errors on an R² outside [0, 1]; panics unless there is one R² per fund and S_U (with
/// `s_u_funds` funds, if given) matches S*'s `n`.
fn check_inputs(r2: &[f64], n: usize, s_u_funds: Option<usize>) -> Result<(), InputError> {
    assert_eq!(r2.len(), n, "one R² per fund");
    if let Some(a) = r2.iter().position(|x| !(0.0..=1.0).contains(x)) {
        return Err(InputError::new(format!(
            "fund {a} (0-based): R² = {} is outside [0, 1]; a fund similarity needs each model's R² in [0, 1]",
            r2[a]
        ))
        .with_column("r2"));
    }
    if let Some(m) = s_u_funds {
        assert_eq!(m, n, "S_U must have as many funds as S*");
    }
    Ok(())
}

/// Idiosyncratic similarity S_U: the correlation of residual returns (funds × T, NaN =
/// missing), clipped to [0, 1]; pairs with too few common observations get 0 (no
/// evidence of shared idiosyncratic risk) and the diagonal is 1.
pub fn residual_similarity(
    residuals: &[f64],
    n_funds: usize,
    t: usize,
    min_obs: usize,
) -> Result<SimilarityMatrix, InputError> {
    let mut c = correlation(
        residuals,
        n_funds,
        t,
        min_obs,
        MissingReturns::PairwiseComplete,
    )?;
    let n = c.n;
    for (p, v) in c.values.iter_mut().enumerate() {
        *v = if p / n == p % n {
            1.0
        } else if v.is_nan() {
            0.0
        } else {
            v.clamp(0.0, 1.0)
        };
    }
    Ok(c)
}
