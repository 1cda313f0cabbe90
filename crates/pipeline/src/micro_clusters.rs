//! Peer groups at the size of the universe (METHODS §4.14): micro-clusters of the
//! exposures by k-means, then exact average linkage of the micro-clusters on their mean
//! pairwise S*, weighted by their sizes. The pair table is never built: the mean S*
//! between micro-clusters is summed row by row from the exposures (the cost of the
//! triangle, memory m² for m micro-clusters), and the linkage runs on m, not N, leaves.

use peergroup_cluster::kmeans::lloyd;
use peergroup_cluster::labels::first_appearance;
use peergroup_cluster::linkage::Dendrogram;
use peergroup_cluster::weighted_average::average_linkage_weighted;
use peergroup_cluster::MatRef;
use peergroup_data::{Date, InputError};
use peergroup_io::{Column, Exposures, Table};
use peergroup_random::Rng;
use peergroup_similarity::{check_exposures, scaled_exposures, FactorSimilarity, StarRows};

use crate::similarity::Scale;
use crate::{date_index, Named, Progress};

/// How peer groups at scale are formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MicroSettings {
    /// Micro-clusters (at most the number of funds; as many as funds is exact average
    /// linkage).
    pub micro: usize,
    /// Peer groups.
    pub k: usize,
    /// Seed of the k-means start.
    pub seed: u64,
    /// Most Lloyd iterations.
    pub max_iter: usize,
}

impl Default for MicroSettings {
    /// 2,000 micro-clusters, 8 peer groups, seed 1, 25 Lloyd iterations.
    fn default() -> Self {
        MicroSettings {
            micro: 2_000,
            k: 8,
            seed: 1,
            max_iter: 25,
        }
    }
}

/// Peer groups of one date by micro-clusters and weighted average linkage.
#[derive(Clone, Debug)]
pub struct MicroClusters {
    /// The date.
    pub date: Date,
    /// Funds with exposures that date, in the exposures' order.
    pub ids: Vec<String>,
    /// Micro-cluster of each fund (0-based, by first appearance).
    pub micro: Vec<usize>,
    /// Peer group of each fund (0-based, by first appearance).
    pub labels: Vec<usize>,
    /// Average linkage of the micro-clusters (leaves are micro-clusters).
    pub dendrogram: Dendrogram,
    /// Lloyd iterations run, and whether k-means converged.
    pub iterations: (usize, bool),
}

impl MicroClusters {
    /// `id,cluster,micro_cluster` with 1-based peer groups, as `cluster` writes `id,cluster`.
    pub fn table(&self) -> Table {
        Table::new()
            .with("id", Column::Text(self.ids.clone()))
            .with(
                "cluster",
                Column::I64(self.labels.iter().map(|&l| l as i64 + 1).collect()),
            )
            .with(
                "micro_cluster",
                Column::I64(self.micro.iter().map(|&l| l as i64 + 1).collect()),
            )
    }
}

/// Peer groups on `date` (default: the last) of the exposures: k-means into
/// `settings.micro` micro-clusters on the scaled exposures, the mean S* of every two
/// micro-clusters, and the weighted average linkage of those cut into `settings.k`.
pub fn micro_clusters(
    exposures: Named<'_, Exposures>,
    sx: &FactorSimilarity,
    scale: Scale,
    date: Option<Date>,
    settings: &MicroSettings,
    progress: &dyn Progress,
) -> Result<MicroClusters, InputError> {
    let ex = exposures.value;
    let name = exposures.name;
    let t = match date {
        Some(d) => date_index(&ex.dates, d, "exposures").map_err(|e| e.in_file(name))?,
        None => ex.dates.len() - 1,
    };
    let (present, out) = on_date(exposures, sx, scale, t, settings, progress)?;
    Ok(MicroClusters {
        date: ex.dates[t],
        ids: present.iter().map(|&i| ex.funds.names[i].clone()).collect(),
        ..out
    })
}

/// [`micro_clusters`] on date index `t`: the exposures indices of the funds present
/// that date, and their micro-clusters and peer groups (`date` and `ids` of the result
/// are left for the caller).
pub(crate) fn on_date(
    exposures: Named<'_, Exposures>,
    sx: &FactorSimilarity,
    scale: Scale,
    t: usize,
    settings: &MicroSettings,
    progress: &dyn Progress,
) -> Result<(Vec<usize>, MicroClusters), InputError> {
    let ex = exposures.value;
    let name = exposures.name;
    let present: Vec<usize> = (0..ex.funds.len())
        .filter(|&i| !ex.row(t, i)[0].is_nan())
        .collect();
    let n = present.len();
    let k_factors = ex.factors.len();
    if settings.k == 0 || settings.k > n {
        return Err(InputError::new(format!(
            "--k {} must be between 1 and the {n} funds with exposures on {}",
            settings.k, ex.dates[t]
        ))
        .with_column("k"));
    }
    if settings.micro < settings.k {
        return Err(InputError::new(format!(
            "--micro-clusters {} must be at least --k {}",
            settings.micro, settings.k
        ))
        .with_column("micro-clusters"));
    }
    let mut b = Vec::with_capacity(n * k_factors);
    for &i in &present {
        b.extend_from_slice(ex.row(t, i));
    }
    // Checked here (finite, shape) so that k-means below only sees valid exposures.
    check_exposures(&b, n, sx.names()).map_err(|e| e.in_file(name))?;
    let m = settings.micro.min(n);
    progress.note("micro-clusters (k-means)");
    let (micro, iterations) = if m == n {
        ((0..n).collect::<Vec<_>>(), (0, true))
    } else {
        let scaled = scaled_exposures(&b, n, k_factors, scale.into());
        let x = MatRef::new(&scaled, n, k_factors).expect("n × k exposures");
        let mut rng = Rng::new(settings.seed);
        let start: Vec<f64> = rng
            .sample(n, m)
            .into_iter()
            .flat_map(|i| scaled[i * k_factors..(i + 1) * k_factors].to_vec())
            .collect();
        let fit = lloyd(x, start, settings.max_iter)
            .map_err(|e| InputError::new(e.to_string()).in_file(name))?;
        (
            first_appearance(&fit.labels),
            (fit.iterations, fit.converged),
        )
    };
    let groups = micro.iter().max().map_or(0, |&g| g + 1);
    // Funds sorted by micro-cluster (stable), so each micro-cluster is a block of rows.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| micro[i]);
    let mut offsets = vec![0usize; groups + 1];
    for &g in &micro {
        offsets[g + 1] += 1;
    }
    for g in 0..groups {
        offsets[g + 1] += offsets[g];
    }
    let mut sorted = Vec::with_capacity(n * k_factors);
    for &i in &order {
        sorted.extend_from_slice(&b[i * k_factors..(i + 1) * k_factors]);
    }
    progress.note("mean S* between micro-clusters");
    let star = StarRows::new(&sorted, n, sx, scale.into()).map_err(|e| e.in_file(name))?;
    let means = star.group_means(&offsets);
    drop(star);
    let distances: Vec<f64> = means.into_iter().map(|s| 1.0 - s).collect();
    let sizes: Vec<usize> = offsets.windows(2).map(|w| w[1] - w[0]).collect();
    progress.note("average linkage of the micro-clusters");
    let dendrogram = average_linkage_weighted(distances, &sizes)
        .map_err(|e| InputError::new(e.to_string()).in_file(name))?;
    let cut = dendrogram
        .cut_k(settings.k)
        .map_err(|e| InputError::new(e.to_string()))?;
    let labels = first_appearance(&micro.iter().map(|&g| cut[g]).collect::<Vec<_>>());
    Ok((
        present,
        MicroClusters {
            date: ex.dates[t],
            ids: Vec::new(),
            micro,
            labels,
            dendrogram,
            iterations,
        },
    ))
}
