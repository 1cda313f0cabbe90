//! Fund exposures as the similarity measure sees them: absolute values, raw or gross.

use peergroup_data::InputError;

/// How a fund's betas enter the beta similarity S_B (METHODS §3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExposureScale {
    /// |β| as estimated, in fractions of NAV (1.0 = 100%); the default.
    #[default]
    Raw,
    /// |β| / Σ|β| (METHODS §3.1): the fund's share of gross exposure per factor.
    Gross,
}

/// Exposures as used by S_B: |β| (raw) or |β|/Σ|β| (gross), funds × k row-major.
///
/// A fund whose exposures are all 0 stays all 0 under `Gross` (there is no profile to
/// normalise, and 0/0 must not leak NaN into every similarity with that fund).
pub fn scaled_exposures(
    exposures: &[f64],
    n_funds: usize,
    k: usize,
    scale: ExposureScale,
) -> Vec<f64> {
    assert_eq!(
        exposures.len(),
        n_funds * k,
        "exposures must be funds × factors"
    );
    let mut out: Vec<f64> = exposures.iter().map(|b| b.abs()).collect();
    if scale == ExposureScale::Gross && k > 0 {
        for row in out.chunks_exact_mut(k) {
            let gross: f64 = row.iter().sum();
            if gross > 0.0 {
                row.iter_mut().for_each(|b| *b /= gross);
            }
        }
    }
    out
}

/// Appends the artificial cash exposure 1 − Σβ (METHODS §2.2) that an unbudgeted
/// regression needs for similarity purposes: funds × k in, funds × (k + 1) out (fractions).
pub fn with_cash(exposures: &[f64], n_funds: usize, k: usize) -> Vec<f64> {
    assert_eq!(
        exposures.len(),
        n_funds * k,
        "exposures must be funds × factors"
    );
    let mut out = Vec::with_capacity(n_funds * (k + 1));
    for f in 0..n_funds {
        let row = &exposures[f * k..(f + 1) * k];
        out.extend_from_slice(row);
        out.push(1.0 - row.iter().sum::<f64>());
    }
    out
}

/// Checks that every exposure is finite; the error names the fund (0-based index, for
/// the caller to map to a name) and the factor (as the column).
pub fn check_exposures(
    exposures: &[f64],
    n_funds: usize,
    factors: &[String],
) -> Result<(), InputError> {
    let k = factors.len();
    if exposures.len() != n_funds * k {
        return Err(InputError::new(format!(
            "{} exposures given for {n_funds} funds × {k} factors",
            exposures.len()
        )));
    }
    if let Some(p) = exposures.iter().position(|b| !b.is_finite()) {
        let (fund, factor) = (p / k, p % k);
        return Err(InputError::new(format!(
            "fund {fund} (0-based): the exposure to '{}' is {}; expected a finite number",
            factors[factor], exposures[p]
        ))
        .with_column(factors[factor].clone()));
    }
    Ok(())
}
