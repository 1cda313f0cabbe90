//! k-prototypes for mixed numeric and categorical data (Huang 1997, 1998; METHODS §6.8:
//! investor segments from profile and balances).
//!
//! Each cluster has a prototype: a mean for the numeric features and a mode for each
//! categorical one. The dissimilarity of a row to a prototype is
//! `Σ (x − μ)² + γ · #{categorical mismatches}` (squared Euclidean plus γ per mismatch,
//! as Python `kmodes`' `KPrototypes`), and the cost of a partition is its sum over rows.
//! Equivalently: k-means in the space where every categorical column is one-hot encoded
//! and scaled by √(γ/2), with modes instead of means for those columns.
//!
//! Numeric features are used as given: scale them first (the segment stage z-scores each
//! numeric feature), or the one with the largest spread dominates. Categorical features
//! are `u32` codes `0..levels` per column; tables are sized by the largest code, so codes
//! should be compact.
//!
//! The fit alternates, as Lloyd's k-means does, an assignment of every row to its least
//! dissimilar prototype with an update of every prototype from its rows (mean per numeric
//! column; most frequent code per categorical column, the smallest code on a tie). Both
//! steps can only lower the cost, so the cost never increases; a fit stops when no label
//! changes or an iteration gains less than [`TOL`] of the cost (`tol` in the options).
//! Huang's original moves one row at a time and updates the two prototypes concerned at
//! once; the batch form reaches the same kind of local optimum and lets every row be
//! assigned in parallel. Each pass runs over fixed blocks of rows with per-block partial
//! sums and frequency tables (no per-row allocation), combined in block order, so results
//! do not depend on the number of threads.
//!
//! Initial prototypes are rows picked by greedy k-means++ seeding on the mixed
//! dissimilarity (D² sampling: a row is picked with probability proportional to its
//! dissimilarity to the nearest prototype so far; 2 + ⌊ln k⌋ candidates per pick, keeping
//! the one that lowers the total most), rather than Huang's or Cao's frequency-based
//! seeding. Since the dissimilarity between two rows is their squared distance in the
//! one-hot space above, this is k-means++ there: it spreads the prototypes over both parts
//! of the data. One seeded fit can still end in a poorer local optimum than `kmodes`'
//! deterministic Cao seeding (benchmark data, five planted groups: 17-21% higher cost at
//! 5,000, 20,000 and 50,000 rows, the same cost at 2,000 and 1,000,000); the default ten
//! restarts reached Cao's cost at every size.

mod data;
mod dissimilarity;
mod iterate;
mod params;
mod seed;

use peergroup_random::Rng;
use rayon::prelude::*;

use crate::error::{check_finite, check_k, check_len, ClusterError};
use crate::fit::Fit;
use crate::labels::{permute_rows, renumber_by_first_appearance};
use data::{check, passes, prototype_count};
use iterate::run;
use seed::seed_prototypes;

pub use data::MixedRef;
pub use dissimilarity::{default_gamma, dissimilarity};
pub use params::{KPrototypes, KPrototypesFit, KPrototypesOptions, MAX_ITER, TOL};

/// Rows per block of every parallel pass; fixed, so results do not depend on threads.
const BLOCK: usize = 4096;

impl Fit<MixedRef<'_>> for KPrototypes {
    type Model = KPrototypesFit;

    /// Best of `options.restarts` k-prototypes fits (lowest cost; the earlier restart on
    /// a tie) of the rows of `data` into `k` clusters; see the module docs. Labels are
    /// renumbered by first appearance in input order.
    fn fit(&self, data: MixedRef<'_>) -> Result<KPrototypesFit, ClusterError> {
        let (k, options) = (self.k, &self.options);
        self.validate(data.rows())?;
        let gamma = options.gamma_for(data.numeric());
        let levels = check(&data, gamma)?;
        let (p, q) = (data.p(), data.q());
        let data = passes(&data, gamma);
        let fits: Vec<KPrototypesFit> = (0..options.restarts as u64)
            .into_par_iter()
            .map(|r| {
                let mut rng = Rng::stream(options.seed, r);
                let (centroids, modes) = seed_prototypes(&data, k, &mut rng);
                run(&data, &levels, centroids, modes, options)
            })
            .collect();
        let mut best = fits
            .into_iter()
            .reduce(|a, b| if b.cost < a.cost { b } else { a })
            .ok_or_else(|| ClusterError::parameter("restarts", 0, "at least 1"))?;
        let new_of = renumber_by_first_appearance(&mut best.labels, k);
        best.centroids = permute_rows(&best.centroids, p, &new_of);
        best.modes = permute_rows(&best.modes, q, &new_of);
        Ok(best)
    }
}

/// One k-prototypes fit of `data` from the given prototypes (centroids k × p, modes
/// k × q) with `options.gamma` (`None` = [`default_gamma`]), `options.max_iter` and
/// `options.tol` (restarts and seed are not used); labels are not renumbered, so cluster
/// c keeps prototype c. With γ = 0, tol = 0 and the same centres this is exactly
/// [`crate::kmeans::lloyd`] on the numerics.
pub fn kprototypes_from(
    data: MixedRef<'_>,
    centroids: Vec<f64>,
    modes: Vec<u32>,
    options: &KPrototypesOptions,
) -> Result<KPrototypesFit, ClusterError> {
    let (p, q) = (data.p(), data.q());
    let k = prototype_count(centroids.len(), modes.len(), p, q);
    check_len("prototype centroids (k × p)", k * p, centroids.len())?;
    check_len("prototype modes (k × q)", k * q, modes.len())?;
    check_k(k, data.rows())?;
    options.validate()?;
    check_finite("prototype centroids", &centroids)?;
    let gamma = options.gamma_for(data.numeric());
    let mut levels = check(&data, gamma)?;
    let data = passes(&data, gamma);
    // Modes outside the observed levels simply never match; widen the tables to hold them.
    for m in modes.chunks_exact(q.max(1)) {
        for (l, &v) in levels.iter_mut().zip(m) {
            *l = (*l).max(v as usize + 1);
        }
    }
    Ok(run(&data, &levels, centroids, modes, options))
}
