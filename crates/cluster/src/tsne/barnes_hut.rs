//! Barnes–Hut gradient (van der Maaten 2014): a 2^dims-ary space-partitioning tree over
//! the embedding summarises the repulsion of far cells; attraction runs over the sparse
//! neighbour graph of P.

use rayon::prelude::*;

use super::affinities::Sparse;
use super::{dist2, EPS};

/// A cell of the space-partitioning tree: points `order[start..end]`, children
/// `first_child..first_child + children` (none for a leaf), side length `side`.
struct Cell {
    start: usize,
    end: usize,
    first_child: usize,
    children: usize,
    side: f64,
}

/// 2^dims-ary space-partitioning tree (quadtree in 2-D) over the embedding, with the
/// centre of mass of every cell.
struct SpTree {
    dims: usize,
    cells: Vec<Cell>,
    /// Centre of mass per cell, cells × dims.
    com: Vec<f64>,
    /// Point indices, grouped so that every cell holds a contiguous range.
    order: Vec<u32>,
}

impl SpTree {
    /// Builds the tree top-down: each cell splits its points by orthant around its centre
    /// into non-empty children, until one point is left or the cell is too small to tell
    /// points apart (duplicates share a leaf).
    fn new(y: &[f64], n: usize, dims: usize) -> SpTree {
        let mut lo = vec![f64::INFINITY; dims];
        let mut hi = vec![f64::NEG_INFINITY; dims];
        for p in y.chunks_exact(dims) {
            for a in 0..dims {
                lo[a] = lo[a].min(p[a]);
                hi[a] = hi[a].max(p[a]);
            }
        }
        let side0 = (0..dims).map(|a| hi[a] - lo[a]).fold(0.0, f64::max);
        let side0 = side0 * (1.0 + 1e-9) + f64::MIN_POSITIVE;
        let centre0: Vec<f64> = (0..dims).map(|a| (lo[a] + hi[a]) / 2.0).collect();
        let mut tree = SpTree {
            dims,
            cells: Vec::with_capacity(2 * n),
            com: Vec::with_capacity(2 * n * dims),
            order: (0..n as u32).collect(),
        };
        let mut scratch = vec![0u32; n];
        let mut centres = centre0;
        tree.push_cell(y, 0, n, side0);
        // Breadth-first over cells; `centres` holds each cell's geometric centre.
        let mut c = 0;
        while c < tree.cells.len() {
            let (start, end, side) = (tree.cells[c].start, tree.cells[c].end, tree.cells[c].side);
            if end - start > 1 && side > 1e-12 * side0 {
                let centre = centres[c * dims..(c + 1) * dims].to_vec();
                let orthant = |i: u32| -> usize {
                    let p = &y[i as usize * dims..(i as usize + 1) * dims];
                    (0..dims).fold(0, |acc, a| acc | (usize::from(p[a] >= centre[a]) << a))
                };
                let buckets = 1 << dims;
                let mut counts = vec![0usize; buckets + 1];
                for &i in &tree.order[start..end] {
                    counts[orthant(i) + 1] += 1;
                }
                for b in 0..buckets {
                    counts[b + 1] += counts[b];
                }
                let mut fill = counts.clone();
                for &i in &tree.order[start..end] {
                    let b = orthant(i);
                    scratch[start + fill[b]] = i;
                    fill[b] += 1;
                }
                tree.order[start..end].copy_from_slice(&scratch[start..end]);
                tree.cells[c].first_child = tree.cells.len();
                for b in 0..buckets {
                    if counts[b + 1] > counts[b] {
                        tree.push_cell(y, start + counts[b], start + counts[b + 1], side / 2.0);
                        for (a, &ca) in centre.iter().enumerate() {
                            let offset = if (b >> a) & 1 == 1 { 0.25 } else { -0.25 };
                            centres.push(ca + offset * side);
                        }
                        tree.cells[c].children += 1;
                    }
                }
            }
            c += 1;
        }
        tree
    }

    /// Appends a leaf cell over `order[start..end]` with its centre of mass.
    fn push_cell(&mut self, y: &[f64], start: usize, end: usize, side: f64) {
        let dims = self.dims;
        let mut com = vec![0.0; dims];
        for &i in &self.order[start..end] {
            for (c, v) in com
                .iter_mut()
                .zip(&y[i as usize * dims..(i as usize + 1) * dims])
            {
                *c += v;
            }
        }
        let count = (end - start) as f64;
        self.com.extend(com.iter().map(|c| c / count));
        self.cells.push(Cell {
            start,
            end,
            first_child: 0,
            children: 0,
            side,
        });
    }

    /// Repulsion on point `i` at `yi`: adds Σ_j q_ij²Z²(y_i − y_j) (unnormalised) to `neg`
    /// and returns Σ_j (1 + ‖y_i − y_j‖²)⁻¹, over j ≠ i, summarising cells with
    /// side² / r² < θ².
    fn repulsion(
        &self,
        y: &[f64],
        i: usize,
        theta: f64,
        neg: &mut [f64],
        stack: &mut Vec<usize>,
    ) -> f64 {
        let dims = self.dims;
        let yi = &y[i * dims..(i + 1) * dims];
        let theta2 = theta * theta;
        let mut sum_q = 0.0;
        neg.fill(0.0);
        stack.clear();
        stack.push(0);
        while let Some(c) = stack.pop() {
            let cell = &self.cells[c];
            if cell.children == 0 {
                // Leaf: its points one by one (several only for duplicates), never i itself.
                for &j in &self.order[cell.start..cell.end] {
                    let j = j as usize;
                    if j == i {
                        continue;
                    }
                    let yj = &y[j * dims..(j + 1) * dims];
                    let q = 1.0 / (1.0 + dist2(yi, yj));
                    sum_q += q;
                    for ((nv, a), b) in neg.iter_mut().zip(yi).zip(yj) {
                        *nv += q * q * (a - b);
                    }
                }
                continue;
            }
            let com = &self.com[c * dims..(c + 1) * dims];
            let r2 = dist2(yi, com);
            if cell.side * cell.side < theta2 * r2 {
                let size = (cell.end - cell.start) as f64;
                let q = 1.0 / (1.0 + r2);
                sum_q += size * q;
                for ((nv, a), b) in neg.iter_mut().zip(yi).zip(com) {
                    *nv += size * q * q * (a - b);
                }
            } else {
                // Children pushed in reverse so they are visited in order (deterministic
                // either way, but easier to follow).
                for child in (cell.first_child..cell.first_child + cell.children).rev() {
                    stack.push(child);
                }
            }
        }
        sum_q
    }
}

/// Barnes–Hut gradient into `grad` with the sparse P scaled by `exaggeration`; returns
/// KL(P‖Q) over the neighbour graph with the unscaled P when `want_kl`; `y` holds n
/// points of `dims` coordinates.
pub(super) fn bh_gradient(
    p: &Sparse,
    y: &[f64],
    dims: usize,
    exaggeration: f64,
    theta: f64,
    grad: &mut [f64],
    want_kl: bool,
) -> Option<f64> {
    let n = y.len() / dims;
    let tree = SpTree::new(y, n, dims);
    // Repulsive forces (unnormalised) into grad, Z per point.
    let z_rows: Vec<f64> = grad
        .par_chunks_mut(dims)
        .enumerate()
        .map_init(Vec::new, |stack, (i, g)| {
            tree.repulsion(y, i, theta, g, stack)
        })
        .collect();
    let z: f64 = z_rows.iter().sum();
    let kl_rows: Vec<f64> = grad
        .par_chunks_mut(dims)
        .enumerate()
        .map(|(i, g)| {
            let yi = &y[i * dims..(i + 1) * dims];
            let mut kl = 0.0;
            // g = 4 (attraction − repulsion / Z)
            g.iter_mut().for_each(|v| *v = -*v / z);
            for e in p.indptr[i]..p.indptr[i + 1] {
                let j = p.indices[e] as usize;
                let yj = &y[j * dims..(j + 1) * dims];
                let num = 1.0 / (1.0 + dist2(yi, yj));
                let pij = p.values[e];
                let mult = exaggeration * pij * num;
                for ((gv, a), b) in g.iter_mut().zip(yi).zip(yj) {
                    *gv += mult * (a - b);
                }
                if want_kl {
                    kl += pij * (pij.max(EPS) / (num / z).max(EPS)).ln();
                }
            }
            g.iter_mut().for_each(|v| *v *= 4.0);
            kl
        })
        .collect();
    want_kl.then(|| kl_rows.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use peergroup_random::Rng;

    use crate::tsne::affinities::sparse_affinities;
    use crate::tsne::exact::exact_gradient;

    fn blobs(n_per: usize, centres: usize, d: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut x = Vec::new();
        for c in 0..centres {
            for _ in 0..n_per {
                for f in 0..d {
                    x.push(if f == c % d { 8.0 } else { 0.0 } + rng.normal());
                }
            }
        }
        x
    }

    /// Barnes–Hut against the exact gradient on the same (sparse) P: equal to rounding at
    /// θ = 0, close at θ = 0.5.
    #[test]
    fn barnes_hut_gradient_matches_exact_oracle() {
        let (n, d, dims) = (150, 5, 2);
        let x = blobs(50, 3, d, 11);
        let sparse = sparse_affinities(&x, n, d, 10.0);
        let mut dense = vec![0.0; n * n];
        for i in 0..n {
            for e in sparse.indptr[i]..sparse.indptr[i + 1] {
                dense[i * n + sparse.indices[e] as usize] = sparse.values[e];
            }
        }
        let mut rng = Rng::new(5);
        let y: Vec<f64> = (0..n * dims).map(|_| 3.0 * rng.normal()).collect();
        let mut exact = vec![0.0; n * dims];
        let mut bh = vec![0.0; n * dims];
        for exaggeration in [1.0, 12.0] {
            exact_gradient(&dense, &y, dims, exaggeration, &mut exact, false);
            let norm = exact.iter().map(|g| g * g).sum::<f64>().sqrt();
            // Euclidean distance of the Barnes–Hut gradient at θ from the exact one.
            let mut error_at = |theta: f64| {
                bh_gradient(&sparse, &y, dims, exaggeration, theta, &mut bh, false);
                exact
                    .iter()
                    .zip(&bh)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
                    .sqrt()
            };
            let err = error_at(0.0);
            assert!(err <= 1e-12 * norm, "θ = 0: {err} vs norm {norm}");
            let err = error_at(0.5);
            assert!(err <= 0.05 * norm, "θ = 0.5: relative error {}", err / norm);
        }
    }

    #[test]
    fn tree_handles_duplicates_and_three_dimensions() {
        // Duplicated points share a leaf; repulsion still sums over every other point.
        let y = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        for dims in [2, 3] {
            let n = y.len() / dims;
            let tree = SpTree::new(&y, n, dims);
            let mut neg = vec![0.0; dims];
            let mut stack = Vec::new();
            for i in 0..n {
                let z = tree.repulsion(&y, i, 0.0, &mut neg, &mut stack);
                let yi = &y[i * dims..(i + 1) * dims];
                let want: f64 = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| 1.0 / (1.0 + dist2(yi, &y[j * dims..(j + 1) * dims])))
                    .sum();
                assert!((z - want).abs() < 1e-15, "dims {dims}, point {i}");
            }
        }
    }
}
