//! The nested silhouette rule for the number of segments (METHODS §6.4).
//!
//! A flat silhouette answers the coarsest split when segments nest (private-wealth vs
//! regular offices, each with sub-types): two groups far apart make every finer partition
//! look narrower. The nested rule applies the silhouette rule top-down instead: split the
//! entities by the widest mean silhouette over k = 2..k_max (parts of at least the minimum
//! size), and only when that width exceeds [`SILHOUETTE_NO_STRUCTURE`] (Kaufman &
//! Rousseeuw's "no substantial structure"); then try each part again, largest first,
//! until no part splits or there are k_max segments. k = 1 — no split of the whole —
//! reads "no further meaningful clustering".
//!
//! On features (Euclidean distance) a split must also beat a Gaussian null, after
//! Liu, Hayes, Nobel & Marron's SigClust (2008): its cluster index `W_k/W_1` (k-means
//! cost over total sum of squares) must be below that of each of [`NULL_REFERENCES`]
//! Gaussian samples of the part's size with the part's covariance eigenvalues, clustered
//! the same way (p = 1/20 at best, split at p ≤ 0.05). A single Gaussian cloud has no
//! segments, however wide a split of it may look in few dimensions.

use peergroup_cluster::kmeans::KMeans;
use peergroup_cluster::pca::pca;
use peergroup_cluster::select::{KSelect, GAP_RESTARTS, SILHOUETTE_NO_STRUCTURE};
use peergroup_cluster::validity::silhouette;
use peergroup_cluster::{Fit, MatRef};
use peergroup_data::InputError;
use peergroup_io::{RowTable, Table};
use peergroup_random::Rng;

use crate::error::OrInput;

/// One split tried by the nested rule.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitTry {
    /// Entities in the part tried.
    pub size: usize,
    /// Parts of its widest admissible split (1 when none is admissible).
    pub k: usize,
    /// Mean silhouette width of that split (NaN when none is admissible).
    pub silhouette: f64,
    /// p-value of the split against the Gaussian null (NaN when not tested).
    pub p_value: f64,
    /// Whether the part was split.
    pub split: bool,
}

/// The nested rule's answer: the number of segments and every split tried.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedK {
    /// Segments found (1 = no further meaningful clustering).
    pub k: usize,
    /// Splits tried, in order.
    pub tries: Vec<SplitTry>,
    /// Labels 0..k of the nested partition.
    pub labels: Vec<usize>,
}

impl NestedK {
    /// `step,size,k,silhouette,p_value,split`.
    pub fn table(&self) -> Table {
        let rows: Vec<(usize, &SplitTry)> = self.tries.iter().enumerate().collect();
        RowTable::new(&rows)
            .i64("step", |r| r.0 as i64 + 1)
            .i64("size", |r| r.1.size as i64)
            .i64("k", |r| r.1.k as i64)
            .f64("silhouette", |r| r.1.silhouette)
            .f64("p_value", |r| r.1.p_value)
            .text("split", |r| {
                if r.1.split { "yes" } else { "no" }.to_string()
            })
            .table()
    }
}

/// Gaussian samples the null test of a split draws.
pub const NULL_REFERENCES: usize = 19;

/// Significance level of the null test.
pub const NULL_LEVEL: f64 = 0.05;

/// The widest admissible split of some rows: parts, labels 0..k per row, mean silhouette
/// width and the p-value against the Gaussian null (NaN when not tested).
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// Parts.
    pub k: usize,
    /// Part of each row.
    pub labels: Vec<usize>,
    /// Mean silhouette width.
    pub silhouette: f64,
    /// p-value against the Gaussian null; NaN when not tested.
    pub p_value: f64,
}

/// p-value of the k-means cluster index `W_k/W_1` of the rows of `x` (k ≥ 2 parts, cost
/// `w_k`) against [`NULL_REFERENCES`] Gaussian samples with `x`'s covariance eigenvalues:
/// (1 + #references with an index at or below the observed one) / (1 + references).
pub fn gaussian_null_p(x: MatRef<'_>, k: usize, w_k: f64, seed: u64) -> Result<f64, InputError> {
    let (n, d) = (x.rows(), x.cols());
    let p = pca(x, d.min(n.saturating_sub(1)).max(1)).or_input()?;
    let mut w_1 = 0.0;
    for j in 0..d {
        let mean = x.row_iter().map(|r| r[j]).sum::<f64>() / n as f64;
        w_1 += x.row_iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>();
    }
    if w_1 <= 0.0 {
        return Ok(1.0);
    }
    let observed = w_k / w_1;
    let sd: Vec<f64> = p
        .explained_variance
        .iter()
        .map(|v| v.max(0.0).sqrt())
        .collect();
    let below = (0..NULL_REFERENCES)
        .map(|b| {
            let mut rng = Rng::stream(seed, u64::MAX - 1000 - b as u64);
            let data: Vec<f64> = (0..n)
                .flat_map(|_| sd.iter().map(|s| s * rng.normal()).collect::<Vec<_>>())
                .collect();
            let m = MatRef::new(&data, n, sd.len()).or_input()?;
            let total: f64 = (0..sd.len())
                .map(|j| {
                    let mean = m.row_iter().map(|r| r[j]).sum::<f64>() / n as f64;
                    m.row_iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>()
                })
                .sum();
            let fit = KMeans::new(k)
                .restarts(GAP_RESTARTS)
                .seed(rng.next_u64())
                .fit(m)
                .or_input()?;
            Ok(total > 0.0 && fit.inertia / total <= observed)
        })
        .collect::<Result<Vec<bool>, InputError>>()?
        .into_iter()
        .filter(|&b| b)
        .count();
    Ok((1 + below) as f64 / (1 + NULL_REFERENCES) as f64)
}

/// Most items the silhouette of a split is computed on; more are sampled down to it.
pub const SILHOUETTE_SAMPLE: usize = 2000;

/// The widest-silhouette split of the items of `sel` into 2..=k_max parts of at least
/// `min_size` items each: (parts, labels, silhouette), or `None` when no k is admissible.
/// Above [`SILHOUETTE_SAMPLE`] items the silhouette is that of a seeded sample.
pub fn best_split(
    sel: &impl KSelect,
    k_max: usize,
    min_size: usize,
    seed: u64,
) -> Result<Option<(usize, Vec<usize>, f64)>, InputError> {
    let n = sel.items();
    let min_size = min_size.max(1);
    let top = k_max.min(n / min_size);
    if top < 2 {
        return Ok(None);
    }
    // The silhouette on all items, or on a seeded sample of SILHOUETTE_SAMPLE of them.
    let sample: Vec<usize> = if n <= SILHOUETTE_SAMPLE {
        (0..n).collect()
    } else {
        let mut all: Vec<usize> = (0..n).collect();
        Rng::stream(seed, u64::MAX - 3).shuffle(&mut all);
        all.truncate(SILHOUETTE_SAMPLE);
        all.sort_unstable();
        all
    };
    let m = sample.len();
    let mut condensed = Vec::with_capacity(m * (m - 1) / 2);
    for (a, &i) in sample.iter().enumerate() {
        for &j in &sample[a + 1..] {
            condensed.push(sel.distance(i, j));
        }
    }
    let mut best: Option<(usize, Vec<usize>, f64)> = None;
    for k in 2..=top {
        let fit = sel.fit(k, seed).or_input()?;
        let mut sizes = vec![0usize; k];
        fit.labels.iter().for_each(|&l| sizes[l] += 1);
        if sizes.iter().any(|&s| s < min_size) {
            continue;
        }
        let sub: Vec<usize> = sample.iter().map(|&i| fit.labels[i]).collect();
        let width = silhouette(&condensed, m, &sub).or_input()?;
        if best.as_ref().is_none_or(|b| width > b.2) {
            best = Some((k, fit.labels, width));
        }
    }
    Ok(best)
}

/// The nested rule over `n` items: `split(rows)` gives the widest admissible split of
/// those rows ([`best_split`] on them) or `None`.
pub fn nested_k(
    n: usize,
    k_max: usize,
    split: impl Fn(&[usize]) -> Result<Option<Split>, InputError>,
) -> Result<NestedK, InputError> {
    let mut parts: Vec<Vec<usize>> = vec![(0..n).collect()];
    let mut done: Vec<Vec<usize>> = Vec::new();
    let mut tries = Vec::new();
    while let Some(pos) = (0..parts.len()).max_by_key(|&p| (parts[p].len(), usize::MAX - p)) {
        if parts.len() + done.len() >= k_max {
            break;
        }
        let rows = parts.remove(pos);
        let room = k_max - parts.len() - done.len();
        let found = split(&rows)?;
        let (k, labels, width, p_value) = match found {
            Some(s) if s.k <= room => (s.k, s.labels, s.silhouette, s.p_value),
            Some(s) => (1, Vec::new(), s.silhouette, s.p_value),
            None => (1, Vec::new(), f64::NAN, f64::NAN),
        };
        let splits = k >= 2
            && width > SILHOUETTE_NO_STRUCTURE
            && (p_value.is_nan() || p_value <= NULL_LEVEL);
        tries.push(SplitTry {
            size: rows.len(),
            k,
            silhouette: width,
            p_value,
            split: splits,
        });
        if splits {
            let mut new: Vec<Vec<usize>> = vec![Vec::new(); k];
            for (&r, &l) in rows.iter().zip(&labels) {
                new[l].push(r);
            }
            parts.extend(new);
        } else {
            done.push(rows);
        }
    }
    done.extend(parts);
    done.sort_by_key(|p| p[0]);
    let mut labels = vec![0; n];
    for (l, p) in done.iter().enumerate() {
        p.iter().for_each(|&r| labels[r] = l);
    }
    Ok(NestedK {
        k: done.len(),
        tries,
        labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use peergroup_cluster::select::KMeansSelect;

    /// Rows of `x` (n × d) as a k-means split, as the sales stage does.
    fn kmeans_split(
        x: &[f64],
        d: usize,
        min_size: usize,
    ) -> impl Fn(&[usize]) -> Result<Option<Split>, InputError> + '_ {
        move |rows: &[usize]| {
            let sub: Vec<f64> = rows
                .iter()
                .flat_map(|&r| x[r * d..(r + 1) * d].iter().copied())
                .collect();
            let m = MatRef::new(&sub, rows.len(), d).or_input()?;
            let Some((k, labels, silhouette)) = best_split(&KMeansSelect::new(m), 8, min_size, 1)?
            else {
                return Ok(None);
            };
            let w_k = KMeans::new(k)
                .restarts(GAP_RESTARTS)
                .seed(1)
                .fit(m)
                .or_input()?
                .inertia;
            let p_value = gaussian_null_p(m, k, w_k, 1)?;
            Ok(Some(Split {
                k,
                labels,
                silhouette,
                p_value,
            }))
        }
    }

    #[test]
    fn finds_nested_groups_and_no_structure() {
        let mut rng = Rng::new(3);
        // Two groups 12 apart on axis 0, each with two sub-groups 4 apart on axis 1.
        let centres = [[0.0, 0.0], [0.0, 4.0], [12.0, 0.0], [12.0, 4.0]];
        let mut x = Vec::new();
        let mut truth = Vec::new();
        for i in 0..200 {
            let c = centres[i % 4];
            x.push(c[0] + rng.normal() * 0.5);
            x.push(c[1] + rng.normal() * 0.5);
            truth.push(i % 4);
        }
        let nested = nested_k(200, 8, kmeans_split(&x, 2, 10)).unwrap();
        assert_eq!(nested.k, 4, "{:?}", nested.tries);
        let ari = peergroup_cluster::validity::adjusted_rand_index(&nested.labels, &truth).unwrap();
        assert!(ari > 0.99, "ARI {ari}");
        // One Gaussian blob in 6 dimensions: no split is wide enough.
        let blob: Vec<f64> = (0..200 * 6).map(|_| rng.normal()).collect();
        let flat = nested_k(200, 8, kmeans_split(&blob, 6, 10)).unwrap();
        assert_eq!(flat.k, 1, "{:?}", flat.tries);
        assert_eq!(flat.tries.len(), 1);
        assert!(!flat.tries[0].split);
    }
}
