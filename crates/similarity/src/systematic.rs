//! Systematic similarity S_SYST (METHODS §3.5) and its rescaled form S* (§3.6).
//!
//! S_SYST(A,B) = Σ_i Σ_j S_B(b^A_i, b^B_j) · S_X(i,j), with S_B(a,b) = max(0, 1 − |a − b|),
//! over all k² factor pairs. For N funds that is N(N+1)/2 · k² beta similarities (2.5·10⁹
//! for 5,000 funds × 14 factors), so the kernel is laid out for SIMD:
//!
//! * exposures are stored by factor (structure of arrays), so `b_j[B]` is contiguous over
//!   funds B and one (i, j) term for LANES funds is a few vector instructions;
//! * the accumulator for LANES funds stays in registers across all (i, j) terms;
//! * pairs with S_X(i,j) = 0 are skipped;
//! * factors where fund A has no exposure collapse into one term per j:
//!   Σ_{i: a_i = 0} S_X(i,j) · S_B(0, b_j) = w_j · max(0, 1 − b_j), with max(0, 1 − b_j)
//!   precomputed once per fund. Style exposures are sparse (stepwise selection, long-only
//!   fits), so A typically needs (nnz(A) + 1)·k terms instead of k²;
//! * rows run in parallel, long and short rows interleaved so the triangle splits evenly;
//! * on x86-64 an AVX2 build of the block kernel is picked at run time (release builds
//!   target baseline SSE2); it is bit-for-bit equal to the portable one.

use peergroup_data::InputError;
use rayon::prelude::*;

use crate::exposures::{check_exposures, scaled_exposures, ExposureScale};
use crate::factor_similarity::FactorSimilarity;
use crate::matrix::{fill_upper, CondensedSimilarity, SimilarityMatrix};

/// Funds per column tile of [`StarRows`]: 1,024 funds × 14 factors × 2 arrays × 8 bytes
/// = 230 KB, which stays in a core's L2 cache while a block of rows uses it.
const COLUMN_TILE: usize = 1024;

/// Rows computed together over each column tile.
const ROWS_PER_PASS: usize = 16;

/// Funds handled per accumulator block: 16 f64 = 4 AVX or 8 SSE2 registers, enough
/// independent additions to hide the latency of the add chain.
const LANES: usize = 16;

/// Beta similarity S_B(a, b) = max(0, 1 − |a − b|) of two (absolute) exposures.
#[inline(always)]
pub fn beta_similarity(a: f64, b: f64) -> f64 {
    let d = 1.0 - (a - b).abs();
    // `if` rather than f64::max: it maps to one vector max instruction (no NaN handling,
    // exposures are checked finite before they get here).
    if d > 0.0 {
        d
    } else {
        0.0
    }
}

/// Exposures by factor, padded so that any block of LANES funds starting before `n` can
/// be loaded without a bounds-dependent tail.
struct Columns {
    stride: usize,
    /// `b_j[B]` at `j * stride + B`: scaled absolute exposure of fund B to factor j.
    beta: Vec<f64>,
    /// `S_B(0, b_j[B]) = max(0, 1 − b_j[B])`, the similarity of `b_j[B]` to a zero exposure.
    versus_zero: Vec<f64>,
}

impl Columns {
    fn new(scaled: &[f64], n: usize, k: usize) -> Columns {
        let stride = n + LANES;
        let mut beta = vec![0.0; k * stride];
        let mut versus_zero = vec![0.0; k * stride];
        for f in 0..n {
            for j in 0..k {
                let b = scaled[f * k + j];
                beta[j * stride + f] = b;
                versus_zero[j * stride + f] = beta_similarity(0.0, b);
            }
        }
        Columns {
            stride,
            beta,
            versus_zero,
        }
    }
}

/// S_SYST over every pair, condensed: diagonal S_SYST(A,A) and upper triangle (A < B).
///
/// `exposures` are funds × k row-major betas (fractions, signed as estimated; 0 where a
/// factor is not in the fund's model), in the factor order of `sx` (see
/// [`FactorSimilarity::reorder`]). Errors on non-finite exposures or a shape that is not
/// `n_funds × sx.len()`.
pub fn systematic_similarity_condensed(
    exposures: &[f64],
    n_funds: usize,
    sx: &FactorSimilarity,
    scale: ExposureScale,
) -> Result<CondensedSimilarity, InputError> {
    let k = sx.len();
    check_exposures(exposures, n_funds, sx.names())?;
    let scaled = scaled_exposures(exposures, n_funds, k, scale);
    let n = n_funds;
    let m = sx.matrix();
    let diagonal = (0..n)
        .map(|a| {
            let row = &scaled[a * k..(a + 1) * k];
            pair_naive(row, row, m)
        })
        .collect();
    let cols = Columns::new(&scaled, n, k);
    let nonzero = nonzero_entries(m, k);
    let kernel = block_kernel();
    let upper = fill_upper(n, |a, row| {
        similarity_row(&cols, m, k, &nonzero, kernel, a, row)
    });
    Ok(CondensedSimilarity::new(n, diagonal, upper))
}

/// Nonzero S_X(i, j) per row i, so that zero factor similarities cost nothing.
fn nonzero_entries(m: &[f64], k: usize) -> Vec<Vec<(usize, f64)>> {
    (0..k)
        .map(|i| {
            (0..k)
                .filter(|&j| m[i * k + j] != 0.0)
                .map(|j| (j, m[i * k + j]))
                .collect()
        })
        .collect()
}

/// S_SYST over every pair as a full n×n matrix (values ≥ 0, at most k²); see
/// [`systematic_similarity_condensed`].
pub fn systematic_similarity(
    exposures: &[f64],
    n_funds: usize,
    sx: &FactorSimilarity,
    scale: ExposureScale,
) -> Result<SimilarityMatrix, InputError> {
    Ok(systematic_similarity_condensed(exposures, n_funds, sx, scale)?.to_full())
}

/// S_SYST(A, B) for two scaled exposure rows, straight from the definition.
fn pair_naive(a: &[f64], b: &[f64], sx: &[f64]) -> f64 {
    let k = a.len();
    let mut s = 0.0;
    for i in 0..k {
        for j in 0..k {
            s += beta_similarity(a[i], b[j]) * sx[i * k + j];
        }
    }
    s
}

/// S_SYST(A, B) for B = A+1..n into `out`.
fn similarity_row(
    cols: &Columns,
    sx: &[f64],
    k: usize,
    nonzero: &[Vec<(usize, f64)>],
    kernel: BlockKernel,
    a: usize,
    out: &mut [f64],
) {
    let (zero_terms, terms) = row_terms(cols, sx, k, nonzero, a);
    kernel(cols, &zero_terms, &terms, a + 1, out);
}

/// Fund A's terms for the kernel: (a_i, S_X(i,j), offset of column j) for the factors
/// where A is exposed, and the collapsed weights w_j = Σ_{i: a_i = 0} S_X(i,j) (with
/// column offsets) for the others.
#[allow(clippy::type_complexity)]
fn row_terms(
    cols: &Columns,
    sx: &[f64],
    k: usize,
    nonzero: &[Vec<(usize, f64)>],
    a: usize,
) -> (Vec<(f64, usize)>, Vec<(f64, f64, usize)>) {
    let stride = cols.stride;
    let mut terms: Vec<(f64, f64, usize)> = Vec::with_capacity(k * k);
    let mut zero_weight = vec![0.0; k];
    for i in 0..k {
        let x = cols.beta[i * stride + a];
        if x == 0.0 {
            for (j, w) in zero_weight.iter_mut().enumerate() {
                *w += sx[i * k + j];
            }
        } else {
            terms.extend(nonzero[i].iter().map(|&(j, s)| (x, s, j * stride)));
        }
    }
    let zero_terms: Vec<(f64, usize)> = zero_weight
        .iter()
        .enumerate()
        .filter(|(_, &w)| w != 0.0)
        .map(|(j, &w)| (w, j * stride))
        .collect();
    (zero_terms, terms)
}

/// Whole rows of S* (every fund against every fund), one fund at a time, for N too
/// large for the N² table: the exposures by factor and each fund's S_SYST(A,A) are
/// prepared once (O(N·k) memory), then each row costs N·(nnz(A) + 1)·k kernel terms.
///
/// A row's entries equal [`rescaled_condensed`]'s up to rounding: the kernel sums over
/// the row fund's terms, so S*(A,B) for B < A adds the same k² terms in another order
/// (relative differences ~1e-16).
pub struct StarRows {
    cols: Columns,
    sx: Vec<f64>,
    k: usize,
    nonzero: Vec<Vec<(usize, f64)>>,
    kernel: BlockKernel,
    /// 1 / sqrt(S_SYST(A,A)) per fund.
    inv_sqrt_diagonal: Vec<f64>,
    n: usize,
}

impl StarRows {
    /// Prepare the rows of `n_funds` funds' exposures (funds × k row-major, in the
    /// factor order of `sx`). Errors as [`systematic_similarity_condensed`].
    pub fn new(
        exposures: &[f64],
        n_funds: usize,
        sx: &FactorSimilarity,
        scale: ExposureScale,
    ) -> Result<StarRows, InputError> {
        let k = sx.len();
        check_exposures(exposures, n_funds, sx.names())?;
        let scaled = scaled_exposures(exposures, n_funds, k, scale);
        let m = sx.matrix().to_vec();
        let inv_sqrt_diagonal = (0..n_funds)
            .map(|a| {
                let row = &scaled[a * k..(a + 1) * k];
                1.0 / pair_naive(row, row, &m).sqrt()
            })
            .collect();
        let nonzero = nonzero_entries(&m, k);
        Ok(StarRows {
            cols: Columns::new(&scaled, n_funds, k),
            sx: m,
            k,
            nonzero,
            kernel: block_kernel(),
            inv_sqrt_diagonal,
            n: n_funds,
        })
    }

    /// Number of funds (the length of a row).
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are no funds.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// S*(a, b) for every fund b into `out` (length [`len`](Self::len)); `out[a]` = 1.
    ///
    /// # Panics
    /// If `a` is out of range or `out` has the wrong length.
    pub fn row(&self, a: usize, out: &mut [f64]) {
        assert!(a < self.n, "fund {a} is not among {} funds", self.n);
        assert_eq!(out.len(), self.n, "a row holds one value per fund");
        self.row_from(a, 0, out);
        out[a] = 1.0;
    }

    /// S*(a, b) for the funds b = first, first + 1, … into `out` (length n − first).
    fn row_from(&self, a: usize, first: usize, out: &mut [f64]) {
        self.rows_from(&[a], first, out);
    }

    /// [`row`](Self::row) for several funds at once, `out` holding one row of
    /// [`len`](Self::len) values per fund of `rows`, in their order.
    ///
    /// # Panics
    /// If a fund is out of range or `out` is not `rows.len()` rows long.
    pub fn rows(&self, rows: &[usize], out: &mut [f64]) {
        assert!(
            rows.iter().all(|&a| a < self.n),
            "a fund is not among {} funds",
            self.n
        );
        assert_eq!(out.len(), rows.len() * self.n, "one row per fund");
        self.rows_from(rows, 0, out);
        for (r, &a) in rows.iter().enumerate() {
            out[r * self.n + a] = 1.0;
        }
    }

    /// S*(a, b) for each a of `rows` and b = first.. into consecutive rows of `out`
    /// (each n − first long). Columns are taken in tiles that stay in cache while every
    /// row uses them: one row at a time would stream all N columns from memory per row,
    /// and two processes doing so share the memory bandwidth (measured: no speed-up
    /// from a second worker before tiling).
    fn rows_from(&self, rows: &[usize], first: usize, out: &mut [f64]) {
        let width = self.n - first;
        let terms: Vec<_> = rows
            .iter()
            .map(|&a| row_terms(&self.cols, &self.sx, self.k, &self.nonzero, a))
            .collect();
        let mut start = 0;
        while start < width {
            let end = (start + COLUMN_TILE).min(width);
            for (r, (zero_terms, terms)) in terms.iter().enumerate() {
                let out = &mut out[r * width + start..r * width + end];
                (self.kernel)(&self.cols, zero_terms, terms, first + start, out);
            }
            start = end;
        }
        for (r, &a) in rows.iter().enumerate() {
            let ia = self.inv_sqrt_diagonal[a];
            let row = &mut out[r * width..(r + 1) * width];
            for (v, ib) in row.iter_mut().zip(&self.inv_sqrt_diagonal[first..]) {
                // inv[a]·inv[b] first, as rescaled_condensed multiplies.
                *v *= ia * ib;
            }
        }
    }

    /// Mean S* between every two groups of funds, condensed (SciPy order over groups):
    /// funds must be sorted by group, group g holding funds `offsets[g]..offsets[g + 1]`.
    /// Each pair of funds in different groups is computed once (rows of group g against
    /// the funds of later groups), groups in parallel, so the cost is that of the
    /// triangle and the result does not depend on the thread count.
    ///
    /// # Panics
    /// If `offsets` does not run from 0 to the number of funds, non-decreasing, or a
    /// group is empty.
    pub fn group_means(&self, offsets: &[usize]) -> Vec<f64> {
        let m = offsets.len().saturating_sub(1);
        assert!(
            offsets.first() == Some(&0) && offsets.last() == Some(&self.n),
            "offsets must run from 0 to the number of funds"
        );
        assert!(
            offsets.windows(2).all(|w| w[0] < w[1]),
            "every group holds at least one fund"
        );
        // Row g: summed S* of group g's funds against each later group.
        let sums: Vec<Vec<f64>> = (0..m)
            .into_par_iter()
            .map(|g| {
                let first = offsets[g + 1];
                let width = self.n - first;
                let mut sums = vec![0.0; m - g - 1];
                let members: Vec<usize> = (offsets[g]..first).collect();
                let mut rows = vec![0.0; ROWS_PER_PASS.min(members.len()) * width];
                for chunk in members.chunks(ROWS_PER_PASS) {
                    let rows = &mut rows[..chunk.len() * width];
                    self.rows_from(chunk, first, rows);
                    for row in rows.chunks(width.max(1)) {
                        for (h, sum) in sums.iter_mut().enumerate() {
                            let (lo, hi) = (offsets[g + 1 + h] - first, offsets[g + 2 + h] - first);
                            *sum += row[lo..hi].iter().sum::<f64>();
                        }
                    }
                }
                sums
            })
            .collect();
        let mut means = Vec::with_capacity(m * m.saturating_sub(1) / 2);
        for (g, row) in sums.iter().enumerate() {
            let ng = (offsets[g + 1] - offsets[g]) as f64;
            for (h, s) in row.iter().enumerate() {
                let nh = (offsets[g + 2 + h] - offsets[g + 1 + h]) as f64;
                means.push(s / (ng * nh));
            }
        }
        means
    }
}

/// Fills `out` with the similarity of one fund (described by its terms) to funds
/// `first`, `first + 1`, …, LANES funds at a time.
type BlockKernel = fn(&Columns, &[(f64, usize)], &[(f64, f64, usize)], usize, &mut [f64]);

#[inline(always)]
fn accumulate_blocks(
    cols: &Columns,
    zero_terms: &[(f64, usize)],
    terms: &[(f64, f64, usize)],
    first: usize,
    out: &mut [f64],
) {
    for (block, chunk) in out.chunks_mut(LANES).enumerate() {
        let b0 = first + block * LANES;
        let mut acc = [0.0f64; LANES];
        for &(w, off) in zero_terms {
            let z: &[f64; LANES] = cols.versus_zero[off + b0..off + b0 + LANES]
                .try_into()
                .expect("padded column");
            for l in 0..LANES {
                acc[l] += w * z[l];
            }
        }
        for &(x, s, off) in terms {
            let b: &[f64; LANES] = cols.beta[off + b0..off + b0 + LANES]
                .try_into()
                .expect("padded column");
            for l in 0..LANES {
                acc[l] += s * beta_similarity(x, b[l]);
            }
        }
        chunk.copy_from_slice(&acc[..chunk.len()]);
    }
}

/// The kernel compiled for the baseline target (SSE2 on x86-64).
fn accumulate_blocks_portable(
    cols: &Columns,
    zero_terms: &[(f64, usize)],
    terms: &[(f64, f64, usize)],
    first: usize,
    out: &mut [f64],
) {
    accumulate_blocks(cols, zero_terms, terms, first, out)
}

/// [`accumulate_blocks`] with explicit AVX2 instructions (4 lanes per instruction instead
/// of SSE2's 2). Per lane it performs the same operations in the same order (no FMA), so
/// its results are bit-for-bit those of the portable kernel.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn accumulate_blocks_avx2(
    cols: &Columns,
    zero_terms: &[(f64, usize)],
    terms: &[(f64, f64, usize)],
    first: usize,
    out: &mut [f64],
) {
    use std::arch::x86_64::*;
    const _: () = assert!(LANES == 16, "the AVX2 kernel holds 16 lanes in 4 registers");
    let one = _mm256_set1_pd(1.0);
    let zero = _mm256_setzero_pd();
    let sign = _mm256_set1_pd(-0.0);
    for (block, chunk) in out.chunks_mut(LANES).enumerate() {
        let b0 = first + block * LANES;
        let mut acc = [zero; 4];
        for &(w, off) in zero_terms {
            let z: &[f64; LANES] = cols.versus_zero[off + b0..off + b0 + LANES]
                .try_into()
                .expect("padded column");
            let w = _mm256_set1_pd(w);
            for q in 0..4 {
                // SAFETY: `z` holds LANES = 16 values, so 4q..4q+4 is in bounds for q < 4,
                // and the caller guarantees AVX2.
                let zq = unsafe { _mm256_loadu_pd(z.as_ptr().add(4 * q)) };
                acc[q] = _mm256_add_pd(acc[q], _mm256_mul_pd(w, zq));
            }
        }
        for &(x, s, off) in terms {
            let b: &[f64; LANES] = cols.beta[off + b0..off + b0 + LANES]
                .try_into()
                .expect("padded column");
            let (x, s) = (_mm256_set1_pd(x), _mm256_set1_pd(s));
            for q in 0..4 {
                // SAFETY: as above, `b` holds 16 values and AVX2 is guaranteed.
                let bq = unsafe { _mm256_loadu_pd(b.as_ptr().add(4 * q)) };
                // |x − b| by clearing the sign bit, then max(0, 1 − |x − b|).
                let d = _mm256_andnot_pd(sign, _mm256_sub_pd(x, bq));
                let sb = _mm256_max_pd(_mm256_sub_pd(one, d), zero);
                acc[q] = _mm256_add_pd(acc[q], _mm256_mul_pd(s, sb));
            }
        }
        let mut lanes = [0.0f64; LANES];
        for q in 0..4 {
            // SAFETY: `lanes` holds 16 values, so 4q..4q+4 is in bounds for q < 4.
            unsafe { _mm256_storeu_pd(lanes.as_mut_ptr().add(4 * q), acc[q]) };
        }
        chunk.copy_from_slice(&lanes[..chunk.len()]);
    }
}

/// The widest kernel this CPU runs: release builds target baseline x86-64, so AVX2 is
/// chosen at run time rather than at compile time.
fn block_kernel() -> BlockKernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            return |cols, zero_terms, terms, first, out| {
                // SAFETY: this closure is only returned after AVX2 was detected.
                unsafe { accumulate_blocks_avx2(cols, zero_terms, terms, first, out) }
            };
        }
    }
    accumulate_blocks_portable
}

/// Rescaled similarity S*(A,B) = S_SYST(A,B) / sqrt(S_SYST(A,A) · S_SYST(B,B)) (eq. 8):
/// ≥ 0 with a unit diagonal, exactly as METHODS §3.6 defines it (not clipped).
///
/// Unlike a correlation, S* is not bounded by 1: S_SYST is not a positive semidefinite
/// kernel, so a fund can score above 1 against another (e.g. A all in X, B levered into
/// Y and Z with S_X(X,Y) = S_X(X,Z) = 0.9, S_X(Y,Z) = 0 gives S* = 1.2; about 0.1–0.5% of
/// pairs of random sparse funds exceed 1, by up to ~10%), and then 1 − S* is negative.
///
/// Requires a positive diagonal, which S_SYST always has: S_SYST(A,A) ≥ Σ_i S_X(i,i) > 0
/// because every factor pairs with itself at S_B = 1 (S_X(i,i) is 1, or a positive
/// same-label similarity of seed 004's Table 17).
pub fn rescaled(s_syst: &SimilarityMatrix) -> SimilarityMatrix {
    let n = s_syst.n;
    let inv: Vec<f64> = s_syst.diagonal().iter().map(|d| 1.0 / d.sqrt()).collect();
    let mut values = s_syst.values.clone();
    values
        .par_chunks_mut(n.max(1))
        .enumerate()
        .for_each(|(a, row)| {
            for (b, v) in row.iter_mut().enumerate() {
                // inv[a]·inv[b] first: a commutative product keeps S*(A,B) == S*(B,A) exactly.
                *v = if a == b { 1.0 } else { *v * (inv[a] * inv[b]) };
            }
        });
    SimilarityMatrix { n, values }
}

/// [`rescaled`] for a condensed S_SYST.
pub fn rescaled_condensed(s_syst: &CondensedSimilarity) -> CondensedSimilarity {
    let n = s_syst.n;
    let inv: Vec<f64> = s_syst.diagonal.iter().map(|d| 1.0 / d.sqrt()).collect();
    let upper = fill_upper(n, |a, row| {
        let src = s_syst.upper_row(a);
        for (d, (v, s)) in row.iter_mut().zip(src).enumerate() {
            *v = s * (inv[a] * inv[a + 1 + d]);
        }
    });
    CondensedSimilarity::new(n, vec![1.0; n], upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The run-time-selected kernel gives bit-for-bit the portable kernel's results.
    #[test]
    fn selected_kernel_matches_portable_bitwise() {
        let (n, k) = (53usize, 5usize);
        // Deterministic pseudo-random sparse exposures in [0, 1.3).
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let scaled: Vec<f64> = (0..n * k)
            .map(|_| if next() < 0.4 { 1.3 * next() } else { 0.0 })
            .collect();
        let sx: Vec<f64> = (0..k * k)
            .map(|p| if p / k == p % k { 1.0 } else { 0.5 })
            .collect();
        let nonzero: Vec<Vec<(usize, f64)>> = (0..k)
            .map(|i| (0..k).map(|j| (j, sx[i * k + j])).collect())
            .collect();
        let cols = Columns::new(&scaled, n, k);
        for a in [0, 1, 17, n - 2, n - 1] {
            let mut fast = vec![0.0; n - a - 1];
            let mut portable = vec![0.0; n - a - 1];
            similarity_row(&cols, &sx, k, &nonzero, block_kernel(), a, &mut fast);
            similarity_row(
                &cols,
                &sx,
                k,
                &nonzero,
                accumulate_blocks_portable,
                a,
                &mut portable,
            );
            assert_eq!(fast, portable, "row {a}");
            for (d, v) in fast.iter().enumerate() {
                let b = a + 1 + d;
                let naive = pair_naive(
                    &scaled[a * k..(a + 1) * k],
                    &scaled[b * k..(b + 1) * k],
                    &sx,
                );
                assert!((v - naive).abs() < 1e-12);
            }
        }
    }
}
