//! Robust (sandwich) standard errors `H⁻¹ J H⁻¹` on the free parameters.

use super::likelihood::Prepared;
use crate::qp::{self, P};

/// Inverse of `m` on the free coordinates (zeros elsewhere); `None` if singular.
fn inverse_free(m: &[[f64; P]; P], free: &[bool; P]) -> Option<[[f64; P]; P]> {
    let idx: Vec<usize> = (0..P).filter(|&j| free[j]).collect();
    let k = idx.len();
    let mut out = [[0.0; P]; P];
    for (c, &jc) in idx.iter().enumerate() {
        let mut a: Vec<f64> = idx
            .iter()
            .flat_map(|&i| idx.iter().map(move |&j| (i, j)))
            .map(|(i, j)| m[i][j])
            .collect();
        let mut e = vec![0.0; k];
        e[c] = 1.0;
        if !qp::solve_in_place(&mut a, k, &mut e) {
            return None;
        }
        for (r, &ir) in idx.iter().enumerate() {
            out[ir][jc] = e[r];
        }
    }
    Some(out)
}
/// Robust standard errors (standardised units) on the free coordinates; NaN where the
/// sandwich cannot be formed.
pub(super) fn robust_se(p: &Prepared, theta: &[f64; P], mask: &[bool; P]) -> [f64; P] {
    let mut se = [f64::NAN; P];
    let Some((ev, h)) = p.evaluate_with_hessian(theta) else {
        return se;
    };
    let Some(hinv) = inverse_free(&h, mask) else {
        return se;
    };
    for k in (0..P).filter(|&k| mask[k]) {
        let mut v = 0.0;
        for i in 0..P {
            for j in 0..P {
                v += hinv[k][i] * ev.opg[i][j] * hinv[j][k];
            }
        }
        se[k] = if v > 0.0 { v.sqrt() } else { f64::NAN };
    }
    se
}
