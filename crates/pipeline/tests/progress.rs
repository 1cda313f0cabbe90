//! The stages' progress reports count what they say they count (funds, dates, bootstrap
//! replicates), end where they started, and leave the results unchanged.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use peergroup_io::{write_table, Format};
use peergroup_pipeline::cluster::{cluster, ClusterInput, ClusterSettings};
use peergroup_pipeline::rating::{rate, rate_with, RateSettings};
use peergroup_pipeline::similarity::{
    similarity, similarity_with, SimilarityInputs, SimilaritySettings,
};
use peergroup_pipeline::style::{align_for, fit, fit_with};
use peergroup_pipeline::{synth, KChoice, Named, Progress};
use peergroup_similarity::FactorSimilarity;
use peergroup_style::StyleSpec;
use peergroup_synth::{garch_universe, universe, GarchConfig, UniverseConfig};

/// Records the totals announced and the units reported.
#[derive(Default)]
struct Count {
    totals: Mutex<Vec<(String, u64)>>,
    done: AtomicU64,
}

impl Progress for Count {
    fn start(&self, what: &str, total: u64) {
        self.totals.lock().unwrap().push((what.to_string(), total));
    }
    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
    fn note(&self, _what: &str) {}
}

impl Count {
    /// The one announced `(what, total)` and the units reported.
    fn result(&self) -> ((String, u64), u64) {
        let totals = self.totals.lock().unwrap();
        assert_eq!(totals.len(), 1, "{totals:?}");
        (totals[0].clone(), self.done.load(Ordering::Relaxed))
    }
}

#[test]
fn style_similarity_and_bootstrap_count_their_units() {
    let u = universe(&UniverseConfig {
        funds: 18,
        factors: 4,
        periods: 120,
        groups: 3,
        seed: 4,
        ..Default::default()
    });
    let (funds, factors) = synth::universe_panels(&u).unwrap();
    let spec = StyleSpec {
        window: Some(60),
        step: 10,
        ..StyleSpec::default()
    };
    let aligned = || align_for(Named::new(&funds, "f"), Named::new(&factors, "x"), &spec).unwrap();
    let count = Count::default();
    let out = fit_with(aligned(), "f", "x", &spec, &count).unwrap();
    assert_eq!(count.result(), (("funds".into(), 18), 18));
    let plain = fit(aligned(), "f", "x", &spec).unwrap();
    assert_eq!(out.result.betas, plain.result.betas);

    let (exposures, r2) = (out.exposures(), out.r2());
    let sx = FactorSimilarity::identity(factors.ids().to_vec());
    let inputs = SimilarityInputs {
        exposures: Named::new(&exposures, "exposures"),
        r2: Some(Named::new(&r2, "fit")),
        residuals: None,
    };
    let settings = SimilaritySettings {
        all_dates: true,
        ..SimilaritySettings::default()
    };
    let count = Count::default();
    let pairs = similarity_with(inputs, &sx, &settings, &count).unwrap();
    assert_eq!(
        count.result(),
        (
            ("dates".into(), exposures.dates.len() as u64),
            exposures.dates.len() as u64
        )
    );
    assert_eq!(
        pairs.table.n_rows(),
        similarity(inputs, &sx, &settings).unwrap().table.n_rows()
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.csv");
    write_table(&path, Format::of(&path).unwrap(), &pairs.table).unwrap();
    let table = peergroup_io::read_similarity(&path).unwrap();
    let groups = cluster(
        ClusterInput::Similarity {
            table: Named::new(&table, "sim"),
            date: None,
        },
        &ClusterSettings {
            k: KChoice::Fixed(3),
            bootstrap: 20,
            ..ClusterSettings::default()
        },
    )
    .unwrap();
    let count = Count::default();
    let pv = groups.pvalues_with(&count).unwrap().unwrap();
    // 10 scales × 20 replicates, plus the original tree.
    assert_eq!(count.result(), (("bootstrap replicates".into(), 201), 201));
    assert_eq!(pv, groups.pvalues().unwrap().unwrap());
}

#[test]
fn rating_counts_funds() {
    let g = garch_universe(&GarchConfig {
        funds: 6,
        periods: 800,
        seed: 3,
        ..Default::default()
    });
    let returns = synth::garch_panel(&g).unwrap();
    let count = Count::default();
    let rated = rate_with(Named::new(&returns, "r"), &RateSettings::default(), &count).unwrap();
    assert_eq!(count.result(), (("funds".into(), 6), 6));
    let plain = rate(Named::new(&returns, "r"), &RateSettings::default()).unwrap();
    let stars = |r: &[peergroup_pipeline::rating::FundRating]| -> Vec<_> {
        r.iter().map(|f| f.class).collect()
    };
    assert_eq!(stars(&rated), stars(&plain));
}
