//! The iteration: assign every row to its nearest prototype, update the prototypes,
//! until the cost stops falling.

use rayon::prelude::*;

use super::data::{prototype_count, Data};
use super::dissimilarity::Prototypes;
use super::{KPrototypesFit, KPrototypesOptions, BLOCK};

/// Per-block totals of an assignment pass.
struct Partial {
    /// Numeric sums per cluster, k × p.
    sums: Vec<f64>,
    /// Rows per cluster.
    counts: Vec<usize>,
    /// Code frequencies per cluster, k × Σ levels.
    freq: Vec<usize>,
    cost: f64,
    changed: bool,
}

/// Alternating assignment and update from the given prototypes (see the module docs),
/// for at most `options.max_iter` updates with tolerance `options.tol`.
pub(super) fn run(
    data: &Data,
    levels: &[usize],
    mut centroids: Vec<f64>,
    mut modes: Vec<u32>,
    options: &KPrototypesOptions,
) -> KPrototypesFit {
    let (max_iter, tol) = (options.max_iter, options.tol);
    let (n, p, q) = (data.n, data.p, data.q);
    let k = prototype_count(centroids.len(), modes.len(), p, q);
    let offsets: Vec<usize> = levels
        .iter()
        .scan(0, |acc, &l| {
            let o = *acc;
            *acc += l;
            Some(o)
        })
        .collect();
    let width: usize = levels.iter().sum();
    let mut labels = vec![usize::MAX; n];
    let mut history = Vec::new();
    let mut iterations = 0;
    let converged = loop {
        let totals = assign(data, &centroids, &modes, &offsets, width, &mut labels);
        let previous = history.last().copied();
        history.push(totals.cost);
        if !totals.changed || previous.is_some_and(|prev| prev - totals.cost <= tol * prev) {
            break true;
        }
        if iterations == max_iter {
            break false;
        }
        update(
            data,
            &offsets,
            levels,
            totals,
            &mut centroids,
            &mut modes,
            &mut labels,
        );
        iterations += 1;
    };
    debug_assert!(labels.iter().all(|&l| l < k));
    KPrototypesFit {
        labels,
        centroids,
        modes,
        cost: *history.last().expect("one assignment at least"),
        history,
        iterations,
        converged,
        gamma: data.gamma,
    }
}

/// Assigns every row to its least dissimilar prototype (lowest index on ties) and
/// gathers the totals the update needs.
fn assign(
    data: &Data,
    centroids: &[f64],
    modes: &[u32],
    offsets: &[usize],
    width: usize,
    labels: &mut [usize],
) -> Partial {
    let (p, q) = (data.p, data.q);
    let k = prototype_count(centroids.len(), modes.len(), p, q);
    let protos = Prototypes::new(centroids, modes, p, q, k);
    let partials: Vec<Partial> = labels
        .par_chunks_mut(BLOCK)
        .enumerate()
        .map(|(b, chunk)| {
            let mut part = Partial {
                sums: vec![0.0; k * p],
                counts: vec![0; k],
                freq: vec![0; k * width],
                cost: 0.0,
                changed: false,
            };
            let mut d = vec![0.0; k];
            for (o, label) in chunk.iter_mut().enumerate() {
                let i = b * BLOCK + o;
                let (x, a) = (data.num(i), data.cat(i));
                protos.dissims(x, a, data.gamma, &mut d);
                let (mut best, mut best_d) = (0, f64::INFINITY);
                for (c, &dc) in d.iter().enumerate() {
                    if dc < best_d {
                        best = c;
                        best_d = dc;
                    }
                }
                part.changed |= *label != best;
                *label = best;
                part.cost += best_d;
                part.counts[best] += 1;
                for (s, v) in part.sums[best * p..(best + 1) * p].iter_mut().zip(x) {
                    *s += v;
                }
                let row = &mut part.freq[best * width..(best + 1) * width];
                for (&v, &off) in a.iter().zip(offsets) {
                    row[off + v as usize] += 1;
                }
            }
            part
        })
        .collect();
    let mut iter = partials.into_iter();
    let mut total = iter.next().expect("n ≥ 1 gives one block");
    for part in iter {
        total
            .sums
            .iter_mut()
            .zip(&part.sums)
            .for_each(|(t, v)| *t += v);
        total
            .counts
            .iter_mut()
            .zip(&part.counts)
            .for_each(|(t, v)| *t += v);
        total
            .freq
            .iter_mut()
            .zip(&part.freq)
            .for_each(|(t, v)| *t += v);
        total.cost += part.cost;
        total.changed |= part.changed;
    }
    total
}

/// Prototype of cluster c from its totals: mean per numeric column, most frequent code
/// (smallest on a tie) per categorical column. Leaves an empty cluster's prototype as is.
fn prototype_of(
    c: usize,
    t: &Partial,
    p: usize,
    offsets: &[usize],
    levels: &[usize],
    centroids: &mut [f64],
    modes: &mut [u32],
) {
    let count = t.counts[c];
    if count == 0 {
        return;
    }
    let width: usize = levels.iter().sum();
    for (m, s) in centroids[c * p..(c + 1) * p]
        .iter_mut()
        .zip(&t.sums[c * p..(c + 1) * p])
    {
        *m = s / count as f64;
    }
    let q = levels.len();
    for j in 0..q {
        let freq = &t.freq[c * width + offsets[j]..c * width + offsets[j] + levels[j]];
        let mut best = 0;
        for (v, &f) in freq.iter().enumerate() {
            if f > freq[best] {
                best = v;
            }
        }
        modes[c * q + j] = best as u32;
    }
}

/// New prototypes from the assignment totals; an empty cluster is re-seeded with the row
/// farthest from its own (updated) prototype, taken from a cluster that keeps at least one
/// row (as [`crate::kmeans::lloyd`] does), which keeps the cost from increasing.
fn update(
    data: &Data,
    offsets: &[usize],
    levels: &[usize],
    mut totals: Partial,
    centroids: &mut [f64],
    modes: &mut [u32],
    labels: &mut [usize],
) {
    let (p, q) = (data.p, data.q);
    let k = totals.counts.len();
    let width: usize = levels.iter().sum();
    for c in 0..k {
        prototype_of(c, &totals, p, offsets, levels, centroids, modes);
    }
    for empty in 0..k {
        if totals.counts[empty] > 0 {
            continue;
        }
        // Farthest row among clusters that can spare one (exists: k ≤ n and one cluster
        // is empty, so another holds two rows). Max by (dissimilarity, −index): the
        // lowest index on ties, whatever the thread schedule.
        let (far, _) = labels
            .par_iter()
            .enumerate()
            .filter(|&(_, &l)| totals.counts[l] >= 2)
            .map(|(i, &l)| {
                let d = data.dissim(
                    i,
                    &centroids[l * p..(l + 1) * p],
                    &modes[l * q..(l + 1) * q],
                );
                (i, d)
            })
            .reduce(
                || (usize::MAX, f64::NEG_INFINITY),
                |a, b| {
                    if b.1 > a.1 || (b.1 == a.1 && b.0 < a.0) {
                        b
                    } else {
                        a
                    }
                },
            );
        let donor = labels[far];
        labels[far] = empty;
        centroids[empty * p..(empty + 1) * p].copy_from_slice(data.num(far));
        modes[empty * q..(empty + 1) * q].copy_from_slice(data.cat(far));
        // Remove the row from the donor's totals and recompute its prototype.
        totals.counts[donor] -= 1;
        totals.counts[empty] = 1;
        for (s, v) in totals.sums[donor * p..(donor + 1) * p]
            .iter_mut()
            .zip(data.num(far))
        {
            *s -= v;
        }
        for (j, &v) in data.cat(far).iter().enumerate() {
            totals.freq[donor * width + offsets[j] + v as usize] -= 1;
        }
        prototype_of(donor, &totals, p, offsets, levels, centroids, modes);
    }
}

#[cfg(test)]
mod tests {
    use peergroup_numeric::MatRef;

    use crate::kprototypes::{kprototypes_from, KPrototypesOptions, MixedRef};

    #[test]
    fn empty_cluster_is_reseeded_with_farthest_row() {
        // Prototype 1 is far from every row, so it starts empty; after the first update
        // prototype 0 is (mean 10/3, mode 0), the farthest row from it, 5 (numeric 10,
        // code 1: (20/3)² + γ), moves to cluster 1, and prototype 0 becomes (2, 0).
        let numeric = [0.0, 1.0, 2.0, 3.0, 4.0, 10.0];
        let categorical = [0, 0, 0, 0, 0, 1];
        let options = KPrototypesOptions {
            gamma: Some(1.0),
            max_iter: 1,
            ..Default::default()
        };
        let data = MixedRef::new(MatRef::new(&numeric, 6, 1).unwrap(), &categorical, 1).unwrap();
        let fit = kprototypes_from(data, vec![2.0, 100.0], vec![0, 0], &options).unwrap();
        assert_eq!(fit.labels, vec![0, 0, 0, 0, 0, 1]);
        assert_eq!(fit.centroids, vec![2.0, 10.0]);
        assert_eq!(fit.modes, vec![0, 1]);
        assert_eq!(fit.cost, 10.0);
    }

    #[test]
    fn modes_break_ties_towards_the_smallest_code() {
        // One cluster, codes 2 and 1 twice each: mode 1.
        let categorical = [2, 1, 2, 1];
        let data = MixedRef::new(MatRef::new(&[], 4, 0).unwrap(), &categorical, 1).unwrap();
        let fit = kprototypes_from(data, vec![], vec![2], &KPrototypesOptions::default()).unwrap();
        assert_eq!(fit.modes, vec![1]);
        assert_eq!(fit.cost, 2.0);
    }
}
