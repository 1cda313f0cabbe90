//! Initial prototypes: greedy k-means++ seeding on the mixed dissimilarity.

use peergroup_random::Rng;
use rayon::prelude::*;

use super::data::Data;
use super::dissimilarity::Prototypes;
use super::BLOCK;

/// Greedy k-means++ seeding on the mixed dissimilarity: k prototypes copied from rows.
/// The candidates of one pick are drawn together (all from the same distribution, as the
/// sequential draws of [`crate::kmeans::kmeans_plus_plus`] are) and evaluated in one pass
/// over the data, so a pick costs one read of the rows, not one per candidate.
pub(super) fn seed_prototypes(data: &Data, k: usize, rng: &mut Rng) -> (Vec<f64>, Vec<u32>) {
    let (n, p, q) = (data.n, data.p, data.q);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centroids = Vec::with_capacity(k * p);
    let mut modes = Vec::with_capacity(k * q);
    let first = rng.below(n as u64) as usize;
    centroids.extend_from_slice(data.num(first));
    modes.extend_from_slice(data.cat(first));
    let mut closest: Vec<f64> = (0..n)
        .into_par_iter()
        .with_min_len(BLOCK)
        .map(|i| data.dissim(i, data.num(first), data.cat(first)))
        .collect();
    let mut potential = block_sum(&closest);
    // n × trials: the closest-prototype dissimilarity of every row if candidate t is added.
    let mut candidate = vec![0.0; n * trials];
    for _ in 1..k {
        // With every row on a prototype already (duplicates) D² sampling is undefined.
        let picks: Vec<usize> = (0..trials)
            .map(|_| {
                if potential > 0.0 {
                    rng.weighted_index(&closest)
                } else {
                    rng.below(n as u64) as usize
                }
            })
            .collect();
        let picked_num: Vec<f64> = picks.iter().flat_map(|&c| data.num(c).to_vec()).collect();
        let picked_cat: Vec<u32> = picks.iter().flat_map(|&c| data.cat(c).to_vec()).collect();
        let protos = Prototypes::new(&picked_num, &picked_cat, p, q, trials);
        let partials: Vec<Vec<f64>> = candidate
            .par_chunks_mut(BLOCK * trials)
            .enumerate()
            .map(|(b, chunk)| {
                let mut sums = vec![0.0; trials];
                for (o, slots) in chunk.chunks_exact_mut(trials).enumerate() {
                    let i = b * BLOCK + o;
                    protos.dissims(data.num(i), data.cat(i), data.gamma, slots);
                    for (slot, sum) in slots.iter_mut().zip(&mut sums) {
                        *slot = closest[i].min(*slot);
                        *sum += *slot;
                    }
                }
                sums
            })
            .collect();
        let mut totals = vec![0.0; trials];
        for part in partials {
            totals.iter_mut().zip(part).for_each(|(t, v)| *t += v);
        }
        // Lowest total; the earlier candidate on a tie.
        let best = (1..trials).fold(0, |b, t| if totals[t] < totals[b] { t } else { b });
        let c = picks[best];
        centroids.extend_from_slice(data.num(c));
        modes.extend_from_slice(data.cat(c));
        closest
            .par_iter_mut()
            .with_min_len(BLOCK)
            .enumerate()
            .for_each(|(i, v)| *v = candidate[i * trials + best]);
        potential = totals[best];
    }
    (centroids, modes)
}

/// Sum of `v` over fixed blocks, added in block order (thread-count independent).
fn block_sum(v: &[f64]) -> f64 {
    let partials: Vec<f64> = v.par_chunks(BLOCK).map(|c| c.iter().sum()).collect();
    partials.iter().sum()
}
