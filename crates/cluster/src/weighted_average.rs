//! Average linkage (UPGMA) of groups that already hold several leaves (METHODS §4.14):
//! the distance between two clusters is the mean over all pairs of their leaves, so
//! starting from groups of `sizes[i]` leaves whose mean pairwise distances are given,
//! the merges above the groups are exactly those of average linkage on the leaves, as
//! long as that linkage would not split a group.
//!
//! Nearest-neighbour chain (Müllner 2011, as kodama runs it for unweighted input) with
//! the Lance–Williams update d(k, i∪j) = (n_i d(k,i) + n_j d(k,j)) / (n_i + n_j):
//! O(m²) time and one condensed m×m matrix.

use crate::error::{check_finite, check_len, ClusterError};
use crate::linkage::{condensed_index, condensed_len, Dendrogram, Merge};

/// Average linkage of `sizes.len()` groups from the condensed matrix of their mean
/// pairwise distances (SciPy `pdist` order), weighting each group by its leaves. The
/// dendrogram's leaves are the groups; `size` of a merge counts leaves of the original
/// data. With every size 1 it is average linkage itself. Errors on a wrong length, a
/// non-finite distance or an empty group.
pub fn average_linkage_weighted(
    mut d: Vec<f64>,
    sizes: &[usize],
) -> Result<Dendrogram, ClusterError> {
    let m = sizes.len();
    check_len("condensed distances (m(m−1)/2)", condensed_len(m), d.len())?;
    check_finite("linkage distances", &d)?;
    if let Some(i) = sizes.iter().position(|&s| s == 0) {
        return Err(ClusterError::parameter("group size", i, "at least 1 leaf"));
    }
    let mut size: Vec<usize> = sizes.to_vec();
    let mut active = vec![true; m];
    // Raw merges as (slot a, slot b, height); the merged cluster keeps slot min(a, b).
    let mut raw: Vec<(usize, usize, f64)> = Vec::with_capacity(m.saturating_sub(1));
    let mut chain: Vec<usize> = Vec::with_capacity(m);
    let mut remaining = m;
    while remaining > 1 {
        if chain.is_empty() {
            chain.push(active.iter().position(|&a| a).expect("two clusters remain"));
        }
        loop {
            let a = *chain.last().expect("chain not empty");
            let previous = (chain.len() >= 2).then(|| chain[chain.len() - 2]);
            // Nearest active cluster to a; on a tie keep the previous link of the chain
            // (so the chain ends), then the lower slot.
            let mut best: Option<(f64, usize)> = previous.map(|p| (d[condensed_index(m, a, p)], p));
            for b in 0..m {
                if b == a || !active[b] {
                    continue;
                }
                let x = d[condensed_index(m, a, b)];
                if best.is_none_or(|(bx, _)| x < bx) {
                    best = Some((x, b));
                }
            }
            let (height, b) = best.expect("another active cluster");
            if Some(b) == previous {
                chain.pop();
                chain.pop();
                let (keep, gone) = (a.min(b), a.max(b));
                let (nk, ng) = (size[keep] as f64, size[gone] as f64);
                for (k, &on) in active.iter().enumerate() {
                    if k == keep || k == gone || !on {
                        continue;
                    }
                    let (ik, ig) = (condensed_index(m, k, keep), condensed_index(m, k, gone));
                    d[ik] = (nk * d[ik] + ng * d[ig]) / (nk + ng);
                }
                size[keep] += size[gone];
                active[gone] = false;
                raw.push((keep, gone, height));
                remaining -= 1;
                break;
            }
            chain.push(b);
        }
    }
    Ok(relabel(m, sizes, raw))
}

/// The merges in SciPy's convention: sorted by height (stable), node ids `m + i`.
fn relabel(m: usize, sizes: &[usize], mut raw: Vec<(usize, usize, f64)>) -> Dendrogram {
    raw.sort_by(|x, y| x.2.total_cmp(&y.2));
    // Union–find over slots; each root remembers the node id and leaf count it stands for.
    let mut parent: Vec<usize> = (0..m).collect();
    let mut node: Vec<usize> = (0..m).collect();
    let mut leaves: Vec<usize> = sizes.to_vec();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut merges = Vec::with_capacity(raw.len());
    for (i, (a, b, height)) in raw.into_iter().enumerate() {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        let (na, nb) = (node[ra], node[rb]);
        let size = leaves[ra] + leaves[rb];
        merges.push(Merge {
            left: na.min(nb),
            right: na.max(nb),
            height,
            size,
        });
        parent[rb] = ra;
        node[ra] = m + i;
        leaves[ra] = size;
    }
    Dendrogram { n: m, merges }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::{linkage, Linkage};

    /// Deterministic points on a line and a plane, as condensed Euclidean distances.
    fn points(n: usize, seed: u64) -> Vec<(f64, f64)> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut u = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n).map(|_| (u() * 10.0, u() * 10.0)).collect()
    }

    fn condensed(p: &[(f64, f64)]) -> Vec<f64> {
        let n = p.len();
        let mut d = Vec::with_capacity(condensed_len(n));
        for i in 0..n {
            for j in i + 1..n {
                d.push(((p[i].0 - p[j].0).powi(2) + (p[i].1 - p[j].1).powi(2)).sqrt());
            }
        }
        d
    }

    /// Unit sizes: exactly average linkage (kodama), merge for merge.
    #[test]
    fn unit_sizes_are_average_linkage() {
        for seed in [1, 2, 3] {
            let p = points(60, seed);
            let want = linkage(&condensed(&p), 60, Linkage::Average).unwrap();
            let got = average_linkage_weighted(condensed(&p), &[1; 60]).unwrap();
            assert_eq!(want.merges.len(), got.merges.len());
            for (w, g) in want.merges.iter().zip(&got.merges) {
                assert_eq!((w.left, w.right, w.size), (g.left, g.right, g.size));
                assert!((w.height - g.height).abs() < 1e-12);
            }
        }
    }

    /// Groups of coincident leaves: average linkage on the leaves merges each group at
    /// height 0 first, then exactly as the weighted linkage of the groups.
    #[test]
    fn groups_are_their_leaves_merged_first() {
        for seed in [4, 5] {
            let p = points(25, seed);
            let sizes: Vec<usize> = (0..25).map(|i| 1 + (i * 7) % 4).collect();
            let leaves: Vec<(f64, f64)> = p
                .iter()
                .zip(&sizes)
                .flat_map(|(x, &s)| std::iter::repeat_n(*x, s))
                .collect();
            let n = leaves.len();
            let full = linkage(&condensed(&leaves), n, Linkage::Average).unwrap();
            let want: Vec<f64> = full
                .merges
                .iter()
                .filter(|m| m.height > 0.0)
                .map(|m| m.height)
                .collect();
            let got = average_linkage_weighted(condensed(&p), &sizes).unwrap();
            assert_eq!(want.len(), got.merges.len());
            for (w, g) in want.iter().zip(&got.merges) {
                assert!((w - g.height).abs() < 1e-9, "{w} vs {}", g.height);
            }
            assert_eq!(got.merges.last().unwrap().size, n);
            // The cut into k groups is the leaves' cut, group by group.
            for k in [2, 3, 5] {
                let g = got.cut_k(k).unwrap();
                let f = full.cut_k(k).unwrap();
                let expanded: Vec<usize> = g
                    .iter()
                    .zip(&sizes)
                    .flat_map(|(&l, &s)| std::iter::repeat_n(l, s))
                    .collect();
                assert_eq!(expanded, f);
            }
        }
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(average_linkage_weighted(vec![1.0], &[1, 1, 1]).is_err());
        assert!(average_linkage_weighted(vec![f64::NAN], &[1, 1]).is_err());
        assert!(average_linkage_weighted(vec![1.0], &[1, 0]).is_err());
        let one = average_linkage_weighted(Vec::new(), &[3]).unwrap();
        assert!(one.merges.is_empty());
    }
}
