//! Peer groups at scale at every date (`--micro-clusters`, METHODS §4.14): each date's
//! groups from micro-clusters of its own exposures, then aligned and followed exactly as
//! the path of a similarity matrix is; no date's pair matrix is built.

use peergroup_data::InputError;

use super::alignment::Aligner;
use super::{DateClusters, EvolveSettings, EvolveSource};
use crate::cluster::ClusterMethod;
use crate::micro_clusters::{on_date, MicroSettings};
use crate::settings::SettingError;
use crate::similarity::Averaging;
use crate::{KChoice, Progress, Silent};

/// The settings `--micro-clusters m` needs: average linkage, a number k ≤ m, and each
/// date's own similarity (averages over dates need whole matrices).
pub(super) fn validate(settings: &EvolveSettings, m: usize) -> Result<(), SettingError> {
    if settings.method != ClusterMethod::Average {
        return Err(SettingError::new(
            "micro-clusters",
            "forms peer groups by average linkage of micro-clusters: use --method average",
        ));
    }
    let KChoice::Fixed(k) = settings.k else {
        return Err(SettingError::new(
            "micro-clusters",
            "needs a number of peer groups (--k N): the rules of --k auto need every pair",
        ));
    };
    if m < k {
        return Err(SettingError::new(
            "micro-clusters",
            format!("{m} must be at least --k {k}"),
        ));
    }
    if settings
        .average
        .iter()
        .any(|a| !matches!(a, Averaging::Current | Averaging::MovingAverage(1)))
    {
        return Err(SettingError::new(
            "micro-clusters",
            "clusters each date's own similarity: use --average current (averages over dates need whole matrices)",
        ));
    }
    Ok(())
}

/// Each rule's path (all rules are the current similarity here) from micro-clusters of
/// every date with at least max(3, k) funds, aligned by `aligners`.
pub(super) fn paths(
    source: EvolveSource<'_>,
    settings: &EvolveSettings,
    m: usize,
    aligners: &mut [Aligner],
    paths: &mut [Vec<DateClusters>],
    progress: &dyn Progress,
) -> Result<(), InputError> {
    let EvolveSource::Exposures { inputs, sx } = source else {
        return Err(InputError::new(
            "--micro-clusters clusters exposures: give --exposures rather than --similarity",
        ));
    };
    let KChoice::Fixed(k) = settings.k else {
        return Err(InputError::new(
            "--micro-clusters needs a number of peer groups (--k N)",
        ));
    };
    let micro = MicroSettings {
        micro: m,
        k,
        seed: settings.seed,
        ..MicroSettings::default()
    };
    let ex = inputs.exposures.value;
    for (r, path) in paths.iter_mut().enumerate() {
        for t in 0..ex.dates.len() {
            if r == 0 {
                progress.advance(1);
            }
            let present = (0..ex.funds.len())
                .filter(|&i| !ex.row(t, i)[0].is_nan())
                .count();
            if present < 3.max(k) {
                continue;
            }
            let (ids, out) = on_date(inputs.exposures, sx, settings.scale, t, &micro, &Silent)?;
            let labels = aligners[r].align(&ids, &out.labels)?;
            path.push(DateClusters { t, ids, labels });
        }
    }
    Ok(())
}
