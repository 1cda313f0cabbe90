//! Starting partitions: k-means on the column-standardised data.

use peergroup_random::Rng;

use super::steps::argmax;

/// Columns scaled to unit variance (constant columns left centred at 0), so the k-means
/// starts do not depend on the units of each variable.
pub(super) fn standardise(x: &[f64], n: usize, d: usize) -> Vec<f64> {
    let mut z = x.to_vec();
    for j in 0..d {
        let mean = (0..n).map(|i| x[i * d + j]).sum::<f64>() / n as f64;
        let var = (0..n).map(|i| (x[i * d + j] - mean).powi(2)).sum::<f64>() / n as f64;
        let inv = if var > 0.0 { 1.0 / var.sqrt() } else { 0.0 };
        for i in 0..n {
            z[i * d + j] = (x[i * d + j] - mean) * inv;
        }
    }
    z
}

/// k-means partition of `z` (n×d): k-means++ seeding, then Lloyd iterations until no
/// label changes. An emptied cluster is re-seeded at the point farthest from its centre.
pub(super) fn kmeans_labels(z: &[f64], n: usize, d: usize, k: usize, rng: &mut Rng) -> Vec<usize> {
    let dist2 =
        |i: usize, c: &[f64]| -> f64 { (0..d).map(|j| (z[i * d + j] - c[j]).powi(2)).sum::<f64>() };
    let mut centres = vec![0.0; k * d];
    let first = rng.below(n as u64) as usize;
    centres[..d].copy_from_slice(&z[first * d..(first + 1) * d]);
    let mut near: Vec<f64> = (0..n).map(|i| dist2(i, &centres[..d])).collect();
    for c in 1..k {
        let total: f64 = near.iter().sum();
        let pick = if total > 0.0 {
            rng.weighted_index(&near)
        } else {
            rng.below(n as u64) as usize
        };
        centres[c * d..(c + 1) * d].copy_from_slice(&z[pick * d..(pick + 1) * d]);
        for i in 0..n {
            near[i] = near[i].min(dist2(i, &centres[c * d..(c + 1) * d]));
        }
    }

    let mut labels = vec![usize::MAX; n];
    for _ in 0..100 {
        let mut changed = false;
        let mut own = vec![0.0; n];
        for i in 0..n {
            let mut best = 0;
            let mut best_d = f64::INFINITY;
            for c in 0..k {
                let dd = dist2(i, &centres[c * d..(c + 1) * d]);
                if dd < best_d {
                    best_d = dd;
                    best = c;
                }
            }
            own[i] = best_d;
            if labels[i] != best {
                labels[i] = best;
                changed = true;
            }
        }
        let mut counts = vec![0usize; k];
        for &l in &labels {
            counts[l] += 1;
        }
        for c in 0..k {
            if counts[c] == 0 {
                let far = argmax(&own);
                if own[far] > 0.0 {
                    counts[labels[far]] -= 1;
                    labels[far] = c;
                    counts[c] = 1;
                    own[far] = 0.0;
                    changed = true;
                }
            }
        }
        centres.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..n {
            let c = labels[i];
            for j in 0..d {
                centres[c * d + j] += z[i * d + j];
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                for j in 0..d {
                    centres[c * d + j] /= counts[c] as f64;
                }
            }
        }
        if !changed {
            break;
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmeans_separates_two_blobs() {
        let mut rng = Rng::new(3);
        let mut z = Vec::new();
        for i in 0..40 {
            let off = if i < 20 { -5.0 } else { 5.0 };
            z.push(off + rng.normal());
            z.push(rng.normal());
        }
        let l = kmeans_labels(&z, 40, 2, 2, &mut Rng::new(1));
        assert!(l[..20].iter().all(|&v| v == l[0]));
        assert!(l[20..].iter().all(|&v| v == l[20]));
        assert_ne!(l[0], l[20]);
    }
}
