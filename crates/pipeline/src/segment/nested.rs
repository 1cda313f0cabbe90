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

use peergroup_cluster::select::{KSelect, SILHOUETTE_NO_STRUCTURE};
use peergroup_cluster::validity::silhouette;
use peergroup_data::InputError;
use peergroup_io::{RowTable, Table};

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
    /// `step,size,k,silhouette,split`.
    pub fn table(&self) -> Table {
        let rows: Vec<(usize, &SplitTry)> = self.tries.iter().enumerate().collect();
        RowTable::new(&rows)
            .i64("step", |r| r.0 as i64 + 1)
            .i64("size", |r| r.1.size as i64)
            .i64("k", |r| r.1.k as i64)
            .f64("silhouette", |r| r.1.silhouette)
            .text("split", |r| if r.1.split { "yes" } else { "no" }.to_string())
            .table()
    }
}

/// The widest-silhouette split of the items of `sel` into 2..=k_max parts of at least
/// `min_size` items each: (parts, labels, silhouette), or `None` when no k is admissible.
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
    let mut condensed = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
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
        let width = silhouette(&condensed, n, &fit.labels).or_input()?;
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
    split: impl Fn(&[usize]) -> Result<Option<(usize, Vec<usize>, f64)>, InputError>,
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
        let (k, labels, width) = match found {
            Some((k, labels, w)) if k <= room => (k, labels, w),
            Some((_, _, w)) => (1, Vec::new(), w),
            None => (1, Vec::new(), f64::NAN),
        };
        let splits = k >= 2 && width > SILHOUETTE_NO_STRUCTURE;
        tries.push(SplitTry {
            size: rows.len(),
            k,
            silhouette: width,
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
    use peergroup_cluster::MatRef;
    use peergroup_random::Rng;

    /// Rows of `x` (n × d) as a k-means split, as the sales stage does.
    fn kmeans_split(
        x: &[f64],
        d: usize,
        min_size: usize,
    ) -> impl Fn(&[usize]) -> Result<Option<(usize, Vec<usize>, f64)>, InputError> + '_ {
        move |rows: &[usize]| {
            let sub: Vec<f64> = rows
                .iter()
                .flat_map(|&r| x[r * d..(r + 1) * d].iter().copied())
                .collect();
            let m = MatRef::new(&sub, rows.len(), d).or_input()?;
            best_split(&KMeansSelect::new(m), 8, min_size, 1)
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
        let ari =
            peergroup_cluster::validity::adjusted_rand_index(&nested.labels, &truth).unwrap();
        assert!(ari > 0.99, "ARI {ari}");
        // One Gaussian blob in 6 dimensions: no split is wide enough.
        let blob: Vec<f64> = (0..200 * 6).map(|_| rng.normal()).collect();
        let flat = nested_k(200, 8, kmeans_split(&blob, 6, 10)).unwrap();
        assert_eq!(flat.k, 1, "{:?}", flat.tries);
        assert_eq!(flat.tries.len(), 1);
        assert!(!flat.tries[0].split);
    }
}
