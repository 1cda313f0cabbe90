//! Funds selling outside their category (METHODS §6.11; the Market-Clusters notebook's
//! question: "which funds can I compete with outside my Morningstar category?").
//!
//! The rule, in one place:
//!
//! * Each fund has a sales pattern (a row of `patterns`: the caller's choice, e.g. its
//!   monthly net sales after log1p and per-month z-scores). The similarity of two funds is
//!   the Pearson correlation of their patterns (0 when either is constant).
//! * For fund `i` and category `c`, `m_i(c)` = the sum of the similarities of `i` to the
//!   *other* funds of `c`, divided by their number plus [`PRIOR_FUNDS`] (a mean shrunk
//!   towards 0, so that small categories do not win by chance). The **statistic** is `T_i = max_{c ≠ own} m_i(c) − m_i(own)`; the
//!   maximising category is the one the fund **sells like**.
//! * **p-value** by permutation: the categories of the other funds are shuffled among
//!   them (the fund keeps its own, every category keeps its size), `T_i` recomputed, and
//!   `p_i = (1 + #{T_i* ≥ T_i}) / (1 + B)` over `B` permutations. Under the null "the
//!   other funds' categories say nothing about how they relate to `i`", `p_i` is exact.
//! * **Multiple testing**: Benjamini–Hochberg q-values over the funds with a test; a fund
//!   is **outside** when `q_i ≤ level` (false discovery rate `level`, default 0.05).
//! * A fund alone in its category has no `m_i(own)`: it gets no test (p, q NaN) and is
//!   never flagged.
//!
//! Permutation `b` draws from its own sub-stream `(seed, b)` and exceedances are counted
//! as integers, so results do not depend on the thread count.

use peergroup_random::Rng;
use rayon::prelude::*;

use crate::error::check_columns;
use crate::{Matrix, SegmentError, Table};

/// Pseudo-funds of zero similarity added to every category's mean: a mean over one or
/// two funds is shrunk towards 0 more than a mean over many, so that a single lookalike
/// in a small category does not win the "sells like" maximum by chance.
pub const PRIOR_FUNDS: f64 = 1.0;

/// Settings of [`outside_test`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutsideConfig {
    /// Label permutations per fund (at least 1; default 9999, so p-values reach 10⁻⁴).
    pub permutations: usize,
    /// False discovery rate of the Benjamini–Hochberg step, in (0, 1) (default 0.05).
    pub level: f64,
    /// Seed of the permutations.
    pub seed: u64,
}

impl Default for OutsideConfig {
    fn default() -> Self {
        OutsideConfig {
            permutations: 9999,
            level: 0.05,
            seed: 1,
        }
    }
}

/// One fund's test (module documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct OutsideFund {
    /// Fund id.
    pub fund: String,
    /// The fund's own category.
    pub category: String,
    /// The other category whose funds it is most similar to (empty when there is none).
    pub sells_like: String,
    /// Shrunk mean similarity (correlation; module documentation) to the other funds of
    /// its own category (NaN when alone in it).
    pub own_similarity: f64,
    /// Shrunk mean similarity (correlation) to the funds of `sells_like` (NaN when none).
    pub sells_like_similarity: f64,
    /// `sells_like_similarity − own_similarity` (correlation units; NaN without a test).
    pub statistic: f64,
    /// Permutation p-value (NaN without a test).
    pub p_value: f64,
    /// Benjamini–Hochberg q-value over the tested funds (NaN without a test).
    pub q_value: f64,
    /// Whether `q_value ≤ level`: significantly closer to another category.
    pub outside: bool,
}

/// Every fund's test plus the per-category similarities behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct OutsideTest {
    /// One row per fund, in input order.
    pub funds: Vec<OutsideFund>,
    /// The categories, sorted by name: the columns of `similarity`.
    pub categories: Vec<String>,
    /// Shrunk mean similarity of each fund (row) to the other funds of each category (column);
    /// NaN where the category has no other fund.
    pub similarity: Matrix,
    /// The settings used.
    pub config: OutsideConfig,
}

impl OutsideTest {
    /// Funds flagged outside their category.
    pub fn flagged(&self) -> impl Iterator<Item = &OutsideFund> {
        self.funds.iter().filter(|f| f.outside)
    }
}

/// Test every fund (module documentation). `funds`, the rows of `patterns` and
/// `categories` are aligned. Errors: lengths differ, no funds, a non-finite pattern value,
/// or bad settings (`permutations` 0, `level` outside (0, 1)).
pub fn outside_test<F: AsRef<str>, C: AsRef<str>>(
    funds: &[F],
    patterns: &Matrix,
    categories: &[C],
    config: &OutsideConfig,
) -> Result<OutsideTest, SegmentError> {
    let n = funds.len();
    check_columns(
        Table::Funds,
        n,
        &[("pattern", patterns.rows()), ("category", categories.len())],
    )?;
    if config.permutations == 0 {
        return Err(SegmentError::Config {
            message: "outside-category permutations must be at least 1".into(),
        });
    }
    if !(config.level > 0.0 && config.level < 1.0) {
        return Err(SegmentError::Config {
            message: format!(
                "outside-category level must be in (0, 1), got {}",
                config.level
            ),
        });
    }
    let d = patterns.cols();
    if let Some(bad) = patterns.as_slice().iter().position(|x| !x.is_finite()) {
        return Err(SegmentError::InvalidValue {
            table: Table::Funds,
            row: bad / d.max(1),
            column: "pattern",
            message: format!(
                "expected a finite sales pattern, found {}",
                patterns.as_slice()[bad]
            ),
        });
    }
    let mut names: Vec<String> = categories.iter().map(|c| c.as_ref().to_string()).collect();
    names.sort();
    names.dedup();
    let label: Vec<usize> = categories
        .iter()
        .map(|c| {
            names
                .binary_search_by(|x| x.as_str().cmp(c.as_ref()))
                .expect("listed")
        })
        .collect();
    let k = names.len();
    let mut size = vec![0usize; k];
    for &l in &label {
        size[l] += 1;
    }
    let sim = correlations(patterns);

    // Observed: mean similarity per category, the best other, the statistic.
    let mut means = Matrix::zeros(n, k);
    let mut observed = vec![f64::NAN; n];
    let mut best = vec![None; n];
    for i in 0..n {
        let sums = category_sums(&sim[i * n..(i + 1) * n], &label, i, k);
        let row = means.row_mut(i);
        for c in 0..k {
            let others = size[c] - usize::from(c == label[i]);
            row[c] = if others > 0 {
                sums[c] / (others as f64 + PRIOR_FUNDS)
            } else {
                f64::NAN
            };
        }
        best[i] = best_other(row, label[i]);
        if let Some(b) = best[i] {
            observed[i] = row[b] - row[label[i]];
        }
    }
    let exceed = permutation_counts(&sim, &label, &size, &observed, config);
    let b = config.permutations as f64;
    let p: Vec<f64> = (0..n)
        .map(|i| {
            if observed[i].is_nan() {
                f64::NAN
            } else {
                (1.0 + exceed[i] as f64) / (1.0 + b)
            }
        })
        .collect();
    let q = benjamini_hochberg(&p);
    let funds = (0..n)
        .map(|i| {
            let row = means.row(i);
            OutsideFund {
                fund: funds[i].as_ref().to_string(),
                category: names[label[i]].clone(),
                sells_like: best[i].map_or(String::new(), |b| names[b].clone()),
                own_similarity: row[label[i]],
                sells_like_similarity: best[i].map_or(f64::NAN, |b| row[b]),
                statistic: observed[i],
                p_value: p[i],
                q_value: q[i],
                outside: q[i] <= config.level,
            }
        })
        .collect();
    Ok(OutsideTest {
        funds,
        categories: names,
        similarity: means,
        config: *config,
    })
}

/// Pearson correlations of the rows of `x` (n × n, row-major); 0 with a constant row,
/// 1 on the diagonal.
fn correlations(x: &Matrix) -> Vec<f64> {
    let (n, d) = (x.rows(), x.cols());
    let centred: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let r = x.row(i);
            let mean = r.iter().sum::<f64>() / d.max(1) as f64;
            let c: Vec<f64> = r.iter().map(|v| v - mean).collect();
            let norm = c.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 0.0 {
                c.iter().map(|v| v / norm).collect()
            } else {
                vec![0.0; d]
            }
        })
        .collect();
    let mut out = vec![0.0; n * n];
    out.par_chunks_mut(n.max(1))
        .enumerate()
        .for_each(|(i, row)| {
            for (j, v) in row.iter_mut().enumerate() {
                *v = if i == j {
                    1.0
                } else {
                    centred[i].iter().zip(&centred[j]).map(|(a, b)| a * b).sum()
                };
            }
        });
    out
}

/// Sum of `sims` (fund `i`'s row) per category of `label`, fund `i` left out.
fn category_sums(sims: &[f64], label: &[usize], i: usize, k: usize) -> Vec<f64> {
    let mut sums = vec![0.0; k];
    for (j, (&s, &l)) in sims.iter().zip(label).enumerate() {
        if j != i {
            sums[l] += s;
        }
    }
    sums
}

/// The category other than `own` with the highest mean (ties: first by name), skipping
/// categories without another fund (NaN).
fn best_other(means: &[f64], own: usize) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (c, &m) in means.iter().enumerate() {
        if c != own && !m.is_nan() && best.is_none_or(|b| m > means[b]) {
            best = Some(c);
        }
    }
    best
}

/// Per fund, the permutations whose statistic reaches the observed one. In permutation
/// `b` the labels are shuffled (sub-stream `(seed, b)`); for fund `i` the label that
/// landed on it swaps places with its own, so that the others carry a uniform shuffle of
/// their own labels while `i` keeps its category and every category its size.
fn permutation_counts(
    sim: &[f64],
    label: &[usize],
    size: &[usize],
    observed: &[f64],
    cfg: &OutsideConfig,
) -> Vec<u64> {
    let n = label.len();
    let k = size.len();
    let tested: Vec<usize> = (0..n).filter(|&i| !observed[i].is_nan()).collect();
    if tested.is_empty() {
        return vec![0; n];
    }
    (0..cfg.permutations as u64)
        .into_par_iter()
        .fold(
            || vec![0u64; n],
            |mut counts, b| {
                let mut rng = Rng::stream(cfg.seed, b);
                // perm[j] = the original fund whose label sits at position j.
                let mut perm: Vec<usize> = (0..n).collect();
                rng.shuffle(&mut perm);
                let mut at = vec![0usize; n];
                for (j, &o) in perm.iter().enumerate() {
                    at[o] = j;
                }
                let shuffled: Vec<usize> = perm.iter().map(|&o| label[o]).collect();
                let mut sums = vec![0.0; k];
                for &i in &tested {
                    let row = &sim[i * n..(i + 1) * n];
                    sums.iter_mut().for_each(|s| *s = 0.0);
                    for (j, (&s, &l)) in row.iter().zip(&shuffled).enumerate() {
                        if j != i {
                            sums[l] += s;
                        }
                    }
                    // Fund i's own label sits at position at[i]; give that position the
                    // label that landed on i instead.
                    let j = at[i];
                    if j != i {
                        sums[label[i]] -= row[j];
                        sums[shuffled[i]] += row[j];
                    }
                    let own = label[i];
                    let mut top = f64::NEG_INFINITY;
                    for c in 0..k {
                        let others = size[c] - usize::from(c == own);
                        if c != own && others > 0 {
                            top = top.max(sums[c] / (others as f64 + PRIOR_FUNDS));
                        }
                    }
                    let t = top - sums[own] / ((size[own] - 1) as f64 + PRIOR_FUNDS);
                    if t >= observed[i] - 1e-12 {
                        counts[i] += 1;
                    }
                }
                counts
            },
        )
        .reduce(
            || vec![0u64; n],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        )
}

/// Benjamini–Hochberg q-values of `p` (NaN entries are not tested and stay NaN):
/// `q_(r) = min_{s ≥ r} m·p_(s)/s`, capped at 1, with `m` the number of tested values.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let m = order.len() as f64;
    let mut q = vec![f64::NAN; p.len()];
    let mut running = 1.0f64;
    for (r, &i) in order.iter().enumerate().rev() {
        running = running.min(m * p[i] / (r + 1) as f64);
        q[i] = running;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `groups` categories of `per` funds whose 8-point patterns are their category's
    /// random path plus noise of sd `noise`; fund 0 (category "c0") follows `planted`'s
    /// path when given.
    fn data(
        seed: u64,
        groups: usize,
        per: usize,
        noise: f64,
        planted: Option<usize>,
    ) -> (Vec<String>, Matrix, Vec<String>) {
        let mut rng = Rng::new(seed);
        let d = 8;
        let paths: Vec<Vec<f64>> = (0..groups)
            .map(|_| (0..d).map(|_| rng.normal()).collect())
            .collect();
        let n = groups * per;
        let mut x = Matrix::zeros(n, d);
        let mut cats = Vec::new();
        for i in 0..n {
            let g = i / per;
            let follows = if i == 0 { planted.unwrap_or(g) } else { g };
            for (v, p) in x.row_mut(i).iter_mut().zip(&paths[follows]) {
                *v = p + noise * rng.normal();
            }
            cats.push(format!("c{g}"));
        }
        ((0..n).map(|i| format!("F{i}")).collect(), x, cats)
    }

    #[test]
    fn finds_a_planted_fund_and_what_it_sells_like() {
        let (ids, x, cats) = data(3, 4, 20, 0.5, Some(2));
        let t = outside_test(&ids, &x, &cats, &OutsideConfig::default()).unwrap();
        let flagged: Vec<_> = t.flagged().map(|f| f.fund.as_str()).collect();
        assert_eq!(flagged, ["F0"]);
        let f0 = &t.funds[0];
        assert_eq!((f0.category.as_str(), f0.sells_like.as_str()), ("c0", "c2"));
        assert!(f0.statistic > 0.0 && f0.p_value < 0.001 && f0.q_value <= 0.05);
        assert_eq!(t.categories, ["c0", "c1", "c2", "c3"]);
        // The similarity columns are the shrunk means: F0's own column excludes itself.
        assert!((t.similarity.get(0, 0) - f0.own_similarity).abs() < 1e-12);
    }

    #[test]
    fn same_result_whatever_the_thread_count() {
        let (ids, x, cats) = data(5, 3, 5, 1.0, Some(1));
        let cfg = OutsideConfig {
            permutations: 999,
            ..OutsideConfig::default()
        };
        let many = outside_test(&ids, &x, &cats, &cfg).unwrap();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| outside_test(&ids, &x, &cats, &cfg).unwrap());
        assert_eq!(format!("{many:?}"), format!("{one:?}"));
        let other_seed = outside_test(&ids, &x, &cats, &OutsideConfig { seed: 2, ..cfg }).unwrap();
        assert_ne!(format!("{many:?}"), format!("{other_seed:?}"));
    }

    /// Null data: real category structure, then the categories shuffled across funds.
    /// Over 40 data sets of 24 funds (960 tests) the share flagged stays far below the
    /// 5% level (Benjamini–Hochberg controls the family-wise rate under the global null;
    /// measured: 0 flagged), and the p-values are not too small: the share below 0.05 is
    /// at most about 5%.
    #[test]
    fn false_positive_rate_on_shuffled_categories() {
        let cfg = OutsideConfig {
            permutations: 499,
            ..OutsideConfig::default()
        };
        let (mut flagged, mut small_p, mut tested) = (0, 0, 0);
        for seed in 0..40 {
            let (ids, x, mut cats) = data(100 + seed, 4, 6, 0.7, None);
            Rng::new(seed).shuffle(&mut cats);
            let t = outside_test(&ids, &x, &cats, &cfg).unwrap();
            flagged += t.flagged().count();
            for f in &t.funds {
                tested += 1;
                small_p += usize::from(f.p_value <= 0.05);
            }
        }
        assert!(
            flagged as f64 <= 0.01 * tested as f64,
            "{flagged} of {tested} flagged"
        );
        let rate = small_p as f64 / tested as f64;
        assert!(rate <= 0.07, "p ≤ 0.05 for {rate} of the funds");
    }

    #[test]
    fn alone_in_its_category_means_no_test() {
        let (ids, x, mut cats) = data(7, 3, 4, 0.5, None);
        cats[0] = "solo".into();
        let t = outside_test(&ids, &x, &cats, &OutsideConfig::default()).unwrap();
        let f0 = &t.funds[0];
        assert!(f0.p_value.is_nan() && f0.q_value.is_nan() && !f0.outside);
        assert!(f0.own_similarity.is_nan() && !f0.sells_like.is_empty());
        assert!(t.funds[1..].iter().all(|f| !f.p_value.is_nan()));
    }

    #[test]
    fn bad_inputs_and_settings_are_errors() {
        let (ids, mut x, cats) = data(1, 2, 3, 0.5, None);
        let cfg = OutsideConfig::default();
        for bad in [
            OutsideConfig {
                permutations: 0,
                ..cfg
            },
            OutsideConfig { level: 0.0, ..cfg },
            OutsideConfig { level: 1.0, ..cfg },
            OutsideConfig {
                level: f64::NAN,
                ..cfg
            },
        ] {
            assert!(matches!(
                outside_test(&ids, &x, &cats, &bad),
                Err(SegmentError::Config { .. })
            ));
        }
        let short = &cats[..5];
        assert!(matches!(
            outside_test(&ids, &x, short, &cfg),
            Err(SegmentError::LengthMismatch {
                column: "category",
                ..
            })
        ));
        x.row_mut(4)[2] = f64::NAN;
        match outside_test(&ids, &x, &cats, &cfg) {
            Err(SegmentError::InvalidValue { row, column, .. }) => {
                assert_eq!((row, column), (4, "pattern"))
            }
            other => panic!("{other:?}"),
        }
        let none: [&str; 0] = [];
        assert!(matches!(
            outside_test(&none, &Matrix::zeros(0, 8), &none, &cfg),
            Err(SegmentError::Empty { .. })
        ));
    }

    #[test]
    fn benjamini_hochberg_by_hand() {
        // m = 4: 4·0.01/1 = 0.04, 4·0.02/2 = 0.04, 4·0.03/3 = 0.04, 4·0.5/4 = 0.5.
        let q = benjamini_hochberg(&[0.5, 0.01, f64::NAN, 0.03, 0.02]);
        let want = [0.5, 0.04, f64::NAN, 0.04, 0.04];
        for (a, b) in q.iter().zip(want) {
            assert!(a.is_nan() && b.is_nan() || (a - b).abs() < 1e-12, "{q:?}");
        }
        // Monotone step-up: a large p early cannot exceed a later q.
        let q = benjamini_hochberg(&[0.04, 0.05]);
        assert!((q[0] - 0.05).abs() < 1e-12 && (q[1] - 0.05).abs() < 1e-12);
    }
}
