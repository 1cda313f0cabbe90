//! Pairwise values between funds, stored in full (n×n) or condensed (upper triangle) form.

use rayon::prelude::*;

/// A full n×n matrix of pairwise values between funds, row-major and symmetric (a
/// similarity, a correlation or a distance; each producer says which and in what units).
#[derive(Clone, Debug, PartialEq)]
pub struct SimilarityMatrix {
    /// Number of funds.
    pub n: usize,
    /// `values[i * n + j]` is the value for funds i and j.
    pub values: Vec<f64>,
}

impl SimilarityMatrix {
    /// Wraps `values` (length n², row-major) as an n×n matrix.
    ///
    /// # Panics
    /// If `values.len() != n * n`.
    pub fn new(n: usize, values: Vec<f64>) -> SimilarityMatrix {
        assert_eq!(
            values.len(),
            n * n,
            "a {n}×{n} matrix needs {} values",
            n * n
        );
        SimilarityMatrix { n, values }
    }

    /// The value for funds `i` and `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.n + j]
    }

    /// Row `i`: the values of fund `i` against every fund (itself included).
    pub fn row(&self, i: usize) -> &[f64] {
        &self.values[i * self.n..(i + 1) * self.n]
    }

    /// The diagonal (each fund against itself).
    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.get(i, i)).collect()
    }

    /// The same values in condensed form (diagonal + upper triangle).
    pub fn to_condensed(&self) -> CondensedSimilarity {
        let n = self.n;
        let mut upper = Vec::with_capacity(pair_count(n));
        for i in 0..n {
            upper.extend_from_slice(&self.row(i)[i + 1..]);
        }
        CondensedSimilarity {
            n,
            diagonal: self.diagonal(),
            upper,
        }
    }
}

/// A symmetric n×n matrix stored as its diagonal and its upper triangle: half the memory
/// of [`SimilarityMatrix`], same values.
#[derive(Clone, Debug, PartialEq)]
pub struct CondensedSimilarity {
    /// Number of funds.
    pub n: usize,
    /// Value of each fund against itself (length n).
    pub diagonal: Vec<f64>,
    /// Values of pairs i < j, row by row (scipy `pdist` order, length n(n−1)/2).
    pub upper: Vec<f64>,
}

/// Number of unordered pairs of `n` funds, n(n−1)/2.
pub fn pair_count(n: usize) -> usize {
    n * n.saturating_sub(1) / 2
}

/// Position of pair (i, j), i < j < n, in a condensed upper triangle (scipy `pdist` order).
pub fn pair_index(n: usize, i: usize, j: usize) -> usize {
    debug_assert!(i < j && j < n);
    // Rows 0..i hold (n−1) + (n−2) + … + (n−i) pairs.
    i * (2 * n - i - 1) / 2 + (j - i - 1)
}

impl CondensedSimilarity {
    /// Wraps a diagonal (length n) and an upper triangle (length n(n−1)/2).
    ///
    /// # Panics
    /// If the lengths do not match `n`.
    pub fn new(n: usize, diagonal: Vec<f64>, upper: Vec<f64>) -> CondensedSimilarity {
        assert_eq!(diagonal.len(), n, "the diagonal needs {n} values");
        assert_eq!(
            upper.len(),
            pair_count(n),
            "the upper triangle needs n(n−1)/2 values"
        );
        CondensedSimilarity { n, diagonal, upper }
    }

    /// The value for funds `i` and `j` (either order).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        match i.cmp(&j) {
            std::cmp::Ordering::Equal => self.diagonal[i],
            std::cmp::Ordering::Less => self.upper[pair_index(self.n, i, j)],
            std::cmp::Ordering::Greater => self.upper[pair_index(self.n, j, i)],
        }
    }

    /// Values of fund `i` against funds i+1..n (a contiguous slice of `upper`).
    pub fn upper_row(&self, i: usize) -> &[f64] {
        let start = pair_index_row_start(self.n, i);
        &self.upper[start..start + (self.n - i - 1)]
    }

    /// Row `i` of the full matrix: fund `i` against every fund (itself included).
    pub fn row(&self, i: usize) -> Vec<f64> {
        (0..self.n).map(|j| self.get(i, j)).collect()
    }

    /// The full n×n matrix.
    pub fn to_full(&self) -> SimilarityMatrix {
        // Rows are filled in blocks so that, for a fixed column j < i, the values read
        // from the condensed triangle, (j, i0..i0+BLOCK), are adjacent in memory: a few
        // whole cache lines per j rather than one scattered value per row.
        const BLOCK: usize = 64;
        let n = self.n;
        let mut values = vec![0.0; n * n];
        if n == 0 {
            return SimilarityMatrix { n, values };
        }
        values
            .par_chunks_mut(n * BLOCK)
            .enumerate()
            .for_each(|(block, chunk)| {
                let i0 = block * BLOCK;
                let rows = chunk.len() / n;
                for j in 0..i0 + rows {
                    for r in 0..rows {
                        let i = i0 + r;
                        if j < i {
                            chunk[r * n + j] = self.upper[pair_index(n, j, i)];
                        }
                    }
                }
                for r in 0..rows {
                    let i = i0 + r;
                    chunk[r * n + i] = self.diagonal[i];
                    chunk[r * n + i + 1..(r + 1) * n].copy_from_slice(self.upper_row(i));
                }
            });
        SimilarityMatrix { n, values }
    }
}

fn pair_index_row_start(n: usize, i: usize) -> usize {
    i * (2 * n - i - 1) / 2
}

/// Either matrix form, seen as flat value slices so that element-wise operations (moving
/// averages, EWMA) work on both.
pub trait PairwiseValues: Clone {
    /// Number of funds.
    fn n(&self) -> usize;
    /// Every stored value, as one or two slices.
    fn slices(&self) -> [&[f64]; 2];
    /// Every stored value, mutable, in the same order as [`PairwiseValues::slices`].
    fn slices_mut(&mut self) -> [&mut [f64]; 2];
}

impl PairwiseValues for SimilarityMatrix {
    fn n(&self) -> usize {
        self.n
    }
    fn slices(&self) -> [&[f64]; 2] {
        [&self.values, &[]]
    }
    fn slices_mut(&mut self) -> [&mut [f64]; 2] {
        [&mut self.values, &mut []]
    }
}

impl PairwiseValues for CondensedSimilarity {
    fn n(&self) -> usize {
        self.n
    }
    fn slices(&self) -> [&[f64]; 2] {
        [&self.diagonal, &self.upper]
    }
    fn slices_mut(&mut self) -> [&mut [f64]; 2] {
        [&mut self.diagonal, &mut self.upper]
    }
}

/// Splits a condensed upper triangle into its rows (fund i against funds i+1..n), for
/// filling rows in parallel.
pub(crate) fn upper_rows_mut(n: usize, upper: &mut [f64]) -> Vec<(usize, &mut [f64])> {
    let mut rows = Vec::with_capacity(n);
    let mut rest = upper;
    for i in 0..n {
        let (head, tail) = rest.split_at_mut(n - i - 1);
        rows.push((i, head));
        rest = tail;
    }
    rows
}

/// Fills a condensed triangle row by row in parallel: `fill(i, row)` writes the values of
/// fund i against funds i+1..n.
pub(crate) fn fill_upper<F>(n: usize, fill: F) -> Vec<f64>
where
    F: Fn(usize, &mut [f64]) + Sync,
{
    let mut upper = vec![0.0; pair_count(n)];
    let mut rows = upper_rows_mut(n, &mut upper);
    // Row i costs about n − i: interleaving long and short rows (0, n−1, 1, n−2, …) gives
    // every contiguous run of rows, and so every rayon split, about the same work.
    let mut balanced = Vec::with_capacity(rows.len());
    let mut back = rows.split_off(rows.len() / 2);
    back.reverse();
    let mut front = rows.into_iter();
    let mut back = back.into_iter();
    loop {
        match (front.next(), back.next()) {
            (None, None) => break,
            (f, b) => {
                balanced.extend(f);
                balanced.extend(b);
            }
        }
    }
    balanced
        .into_par_iter()
        .with_max_len(1)
        .for_each(|(i, row)| fill(i, row));
    upper
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_index_is_scipy_order() {
        let n = 5;
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                assert_eq!(pair_index(n, i, j), k);
                k += 1;
            }
        }
        assert_eq!(k, pair_count(n));
    }

    #[test]
    fn full_and_condensed_round_trip() {
        for n in [0usize, 1, 2, 7, 9, 17] {
            let mut v = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    v[i * n + j] = (i.min(j) * 100 + i.max(j)) as f64;
                }
            }
            let full = SimilarityMatrix::new(n, v);
            let c = full.to_condensed();
            assert_eq!(c.to_full(), full);
            for i in 0..n {
                assert_eq!(c.row(i), full.row(i));
            }
        }
    }

    #[test]
    fn fill_upper_visits_every_row_once() {
        let n = 11;
        let upper = fill_upper(n, |i, row| {
            for (d, v) in row.iter_mut().enumerate() {
                *v = (i * 100 + i + 1 + d) as f64;
            }
        });
        for i in 0..n {
            for j in i + 1..n {
                assert_eq!(upper[pair_index(n, i, j)], (i * 100 + j) as f64);
            }
        }
    }
}
