//! Similarity over time (METHODS §3.8): the current matrix, a moving average of the last
//! p dates, or an exponentially weighted moving average, for stable peer groups.

use peergroup_data::InputError;

use crate::matrix::PairwiseValues;

/// Moving average at the last date: the element-wise mean of the last `p` matrices of
/// `seq` (oldest first), or of all of them while fewer than `p` exist.
///
/// Fragkiskos & Bauman print the window as Σ_{i=T−p}^{T} S_i; METHODS §3.8 takes the
/// mean over the last p dates, which keeps the result a similarity in [0, 1].
///
/// # Panics
/// If the matrices do not all have the same number of funds.
pub fn moving_average<M: PairwiseValues>(seq: &[M], p: usize) -> Result<M, InputError> {
    check_window(seq.len(), p)?;
    Ok(mean(&seq[seq.len().saturating_sub(p)..]))
}

/// The moving average at every date: entry t is the mean of dates t−p+1..=t (fewer at
/// the start).
pub fn moving_averages<M: PairwiseValues>(seq: &[M], p: usize) -> Result<Vec<M>, InputError> {
    check_window(seq.len(), p)?;
    Ok((0..seq.len())
        .map(|t| mean(&seq[(t + 1).saturating_sub(p)..=t]))
        .collect())
}

/// EWMA at every date: S̄_0 = S_0 and S̄_t = (1 − η) S_t + η S̄_{t−1}, with η in [0, 1)
/// (η = 0 is the current similarity; larger η remembers longer, half-life ln ½ / ln η dates).
pub fn ewma<M: PairwiseValues>(seq: &[M], eta: f64) -> Result<Vec<M>, InputError> {
    if seq.is_empty() {
        return Err(InputError::new(
            "no similarity matrices to average: at least one date is needed",
        ));
    }
    if !(0.0..1.0).contains(&eta) {
        return Err(InputError::new(format!(
            "the EWMA decay η is {eta}; expected a number in [0, 1) (0 = current similarity only)"
        )));
    }
    check_sizes(seq);
    let mut out: Vec<M> = Vec::with_capacity(seq.len());
    out.push(seq[0].clone());
    for s in &seq[1..] {
        let mut next = s.clone();
        let prev = out.last().expect("seeded with the first date");
        for (dst, old) in next.slices_mut().into_iter().zip(prev.slices()) {
            for (x, o) in dst.iter_mut().zip(old) {
                *x = (1.0 - eta) * *x + eta * o;
            }
        }
        out.push(next);
    }
    Ok(out)
}

fn check_window(len: usize, p: usize) -> Result<(), InputError> {
    if len == 0 {
        return Err(InputError::new(
            "no similarity matrices to average: at least one date is needed",
        ));
    }
    if p == 0 {
        return Err(InputError::new(
            "the moving-average window is 0 dates; it must be at least 1",
        ));
    }
    Ok(())
}

fn check_sizes<M: PairwiseValues>(seq: &[M]) {
    let n = seq[0].n();
    assert!(
        seq.iter().all(|m| m.n() == n),
        "similarity matrices over time must cover the same funds in the same order"
    );
}

/// Element-wise mean of a non-empty run of matrices.
fn mean<M: PairwiseValues>(run: &[M]) -> M {
    check_sizes(run);
    let mut out = run[0].clone();
    for m in &run[1..] {
        for (dst, src) in out.slices_mut().into_iter().zip(m.slices()) {
            for (x, y) in dst.iter_mut().zip(src) {
                *x += y;
            }
        }
    }
    let scale = 1.0 / run.len() as f64;
    for dst in out.slices_mut() {
        dst.iter_mut().for_each(|x| *x *= scale);
    }
    out
}
