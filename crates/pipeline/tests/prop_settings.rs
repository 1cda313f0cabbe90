//! Property tests of the stages' settings: arbitrary values (NaN, infinities, zero,
//! huge counts, every choice) never make `validate()`/`spec()` panic, and every setting
//! that validates runs its stage on a small valid data set to an answer (Ok or a
//! located error) without a panic and within a time limit.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use peergroup_data::{Date, IndustryTable, Panel};
use peergroup_io::{Exposures, Keys};
use peergroup_pipeline::cluster::{
    cluster, ClusterInput, ClusterMethod, ClusterSettings, FeatureMetric,
};
use peergroup_pipeline::evolve::{evolve, EvolveInputs, EvolveSettings, EvolveSource, TableFormat};
use peergroup_pipeline::industry::{filter, grouping, GroupBy, IndustrySettings};
use peergroup_pipeline::rating::{rate, Linkage, Metric, RateSettings};
use peergroup_pipeline::returns::{periods, rank, PeriodsSettings, RankSettings};
use peergroup_pipeline::robustness::{robustness, RobustnessInputs, RobustnessSettings};
use peergroup_pipeline::segment::investors::{segment_investors, InvestorFeatureSet};
use peergroup_pipeline::segment::sales::{segment_sales, FeatureSet, SegDistance, SegMethod};
use peergroup_pipeline::segment::{InvestorSettings, SalesSettings};
use peergroup_pipeline::similarity::{
    correlation, similarity, similarity_matrices, Averaging, CorrelationSettings, DateSimilarity,
    Idio, Measure, Scale, SimilarityInputs, SimilaritySettings,
};
use peergroup_pipeline::style::{style, Selection, SelectionCriterion, StyleMethod, StyleSettings};
use peergroup_pipeline::{synth, KChoice, KRule, Named};
use peergroup_segment::sales::Entity;
use peergroup_segment::transform::Transform;
use peergroup_similarity::FactorSimilarity;
use peergroup_style::Lambda;
use peergroup_synth::{garch_universe, universe, GarchConfig, UniverseConfig};
use proptest::prelude::*;

/// A stage that takes longer than this on the small data set does not finish.
const LIMIT: Duration = Duration::from_secs(20);

/// The small valid data every stage runs on.
struct Data {
    funds: Panel,
    factors: Panel,
    daily: Panel,
    exposures: Exposures,
    r2: HashMap<(String, Date), f64>,
    sx: FactorSimilarity,
    matrix: DateSimilarity,
    /// The same ten funds on three dates, drifting (for averaging and evolution).
    moving: Exposures,
    industry: IndustryTable,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let u = universe(&UniverseConfig {
            funds: 8,
            factors: 3,
            periods: 60,
            groups: 2,
            seed: 7,
            ..Default::default()
        });
        let (funds, factors) = synth::universe_panels(&u).unwrap();
        let g = garch_universe(&GarchConfig {
            funds: 3,
            periods: 300,
            seed: 7,
            ..Default::default()
        });
        let daily = synth::garch_panel(&g).unwrap();
        // Ten funds in two style groups over four factors on one date.
        let (mut fund_keys, mut factor_keys) = (Keys::default(), Keys::default());
        for j in 0..4 {
            factor_keys.intern(&format!("X{j}"));
        }
        let mut values = Vec::new();
        for i in 0..10 {
            fund_keys.intern(&format!("F{i}"));
            let tilt = 0.05 * (i % 5) as f64;
            let row = if i % 2 == 0 {
                [0.6 - tilt, 0.2 + tilt, 0.1, 0.1]
            } else {
                [0.1, 0.1, 0.3 + tilt, 0.5 - tilt]
            };
            values.extend_from_slice(&row);
        }
        let date = Date::from_ymd(2024, 6, 28).unwrap();
        let exposures = Exposures {
            funds: fund_keys,
            factors: factor_keys,
            dates: vec![date],
            values,
        };
        let r2 = exposures
            .funds
            .names
            .iter()
            .enumerate()
            .map(|(i, f)| ((f.clone(), date), 0.5 + 0.04 * i as f64))
            .collect();
        let names = exposures.factors.names.clone();
        let k = names.len();
        let sx_values = (0..k * k)
            .map(|x| if x / k == x % k { 1.0 } else { 0.3 })
            .collect();
        let sx = FactorSimilarity::from_matrix(names, sx_values).unwrap();
        let inputs = SimilarityInputs {
            exposures: Named::new(&exposures, "e.csv"),
            r2: None,
            residuals: None,
        };
        let matrix = similarity_matrices(inputs, &sx, &SimilaritySettings::default())
            .unwrap()
            .remove(0);
        let dates: Vec<Date> = (0..3)
            .map(|w| Date::from_ymd(2024, 6, 7 + 7 * w).unwrap())
            .collect();
        let moving_values = (0..3)
            .flat_map(|w| {
                exposures.values.chunks(4).flat_map(move |row| {
                    let shift = 0.05 * w as f64;
                    [
                        row[0] - shift.min(row[0]),
                        row[1],
                        row[2],
                        row[3] + shift.min(row[0]),
                    ]
                })
            })
            .collect();
        let moving = Exposures {
            funds: exposures.funds.clone(),
            factors: exposures.factors.clone(),
            dates,
            values: moving_values,
        };
        Data {
            funds,
            factors,
            daily,
            exposures,
            r2,
            sx,
            matrix,
            moving,
            industry: industry_table(),
        }
    })
}

/// A small synthetic industry table (30 classes, 40 days), read as the CLI reads it.
fn industry_table() -> IndustryTable {
    let s = peergroup_synth::industry(&peergroup_synth::IndustrySynthConfig {
        classes: 30,
        days: 40,
        seed: 7,
        ..Default::default()
    });
    let (data, _, _) = synth::industry_tables(&s);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("industry.csv");
    peergroup_io::write_table(&path, peergroup_io::Format::Csv, &data).unwrap();
    peergroup_io::read_industry(path.as_path()).unwrap()
}

/// Run `f` on a worker thread: its answer, or a failure when it panics or takes longer
/// than [`LIMIT`].
fn finishes<T: Send + 'static>(
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TestCaseError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(LIMIT).map_err(|e| match e {
        std::sync::mpsc::RecvTimeoutError::Timeout => {
            TestCaseError::fail(format!("{what}: no answer in {LIMIT:?}"))
        }
        std::sync::mpsc::RecvTimeoutError::Disconnected => {
            TestCaseError::fail(format!("{what}: panicked"))
        }
    })
}

/// Any float: NaN, infinities, zero, subnormals, huge values, and plain ones.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        -2.0..2.0f64,
        0.0..1.0f64,
        0.0..0.5f64,
        Just(0.0),
        Just(f64::NAN)
    ]
}

/// Any count: small ones (where the stages are busy) and huge ones.
fn count() -> impl Strategy<Value = usize> {
    prop_oneof![0usize..40, any::<usize>()]
}

fn k_choice() -> impl Strategy<Value = KChoice> {
    prop_oneof![Just(KChoice::Auto), count().prop_map(KChoice::Fixed)]
}

fn k_rule() -> impl Strategy<Value = KRule> {
    prop_oneof![Just(KRule::Bic), Just(KRule::Silhouette), Just(KRule::Gap)]
}

fn cluster_method() -> impl Strategy<Value = ClusterMethod> {
    prop_oneof![
        Just(ClusterMethod::Average),
        Just(ClusterMethod::Complete),
        Just(ClusterMethod::Single),
        Just(ClusterMethod::Ward),
        Just(ClusterMethod::Kmeans),
        Just(ClusterMethod::Gmm),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn periods_and_rank_settings(
        trailing in prop::collection::vec(any::<u32>(), 0..4),
        top in count(),
        bottom in count(),
        all in any::<bool>(),
    ) {
        let settings = PeriodsSettings { trailing };
        if settings.validate().is_ok() {
            finishes("periods", move || {
                let _ = periods(Named::new(&data().funds, "r.csv"), &settings);
            })?;
        }
        let settings = RankSettings { top, bottom, all };
        finishes("rank", move || {
            let _ = rank(&data().funds, &settings);
        })?;
    }

    #[test]
    fn style_settings(
        method in prop_oneof![Just(StyleMethod::Sharpe), Just(StyleMethod::Ols), Just(StyleMethod::Dsa)],
        window in prop::option::of(count()),
        step in count(),
        min_obs in prop::option::of(count()),
        stepwise in any::<bool>(),
        aic in any::<bool>(),
        lambda in prop::option::of(float()),
        no_long_only in any::<bool>(),
        no_budget in any::<bool>(),
    ) {
        let settings = StyleSettings {
            method,
            window,
            step,
            min_obs,
            select: if stepwise { Selection::Stepwise } else { Selection::None },
            criterion: if aic { SelectionCriterion::Aic } else { SelectionCriterion::Bic },
            lambda: lambda.map_or(Lambda::Auto, Lambda::Fixed),
            no_long_only,
            no_budget,
        };
        if let Ok(spec) = settings.spec() {
            finishes("style", move || {
                let d = data();
                let _ = style(Named::new(&d.funds, "f.csv"), Named::new(&d.factors, "x.csv"), &spec);
            })?;
        }
    }

    #[test]
    fn cluster_settings(
        method in cluster_method(),
        metric in prop_oneof![Just(FeatureMetric::Euclidean), Just(FeatureMetric::Manhattan), Just(FeatureMetric::Correlation)],
        k in k_choice(),
        k_max in count(),
        k_rule in k_rule(),
        bootstrap in count(),
        seed in any::<u64>(),
    ) {
        let settings = ClusterSettings { method, metric, k, k_max, k_rule, bootstrap, seed };
        if settings.validate().is_ok() {
            finishes("cluster", move || {
                let input = ClusterInput::Matrix(Named::new(&data().matrix, "s"));
                let _ = cluster(input, &settings);
            })?;
        }
    }

    #[test]
    fn robustness_settings(
        perturb in prop::collection::vec(float(), 0..3),
        draws in prop_oneof![0usize..8, any::<usize>()],
        scale in prop_oneof![Just(Scale::Raw), Just(Scale::Gross)],
        method in cluster_method(),
        k in k_choice(),
        k_max in count(),
        k_rule in k_rule(),
        seed in any::<u64>(),
    ) {
        let settings = RobustnessSettings {
            perturb,
            draws,
            date: None,
            scale,
            method,
            k,
            k_max,
            k_rule,
            seed,
        };
        // Validation alone for any draw count; the stage runs with a few draws.
        if settings.validate().is_ok() && draws < 8 {
            finishes("robustness", move || {
                let d = data();
                let inputs = RobustnessInputs {
                    exposures: Named::new(&d.exposures, "e.csv"),
                    r2: Some(Named::new(&d.r2, "fit.csv")),
                };
                let _ = robustness(inputs, &d.sx, &settings);
            })?;
        }
    }
}

fn averaging() -> impl Strategy<Value = Averaging> {
    prop_oneof![
        Just(Averaging::Current),
        count().prop_map(Averaging::MovingAverage),
        float().prop_map(Averaging::Ewma),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn similarity_and_correlation_settings(
        s_star in any::<bool>(),
        gross in any::<bool>(),
        all_dates in any::<bool>(),
        average in averaging(),
        residual in any::<bool>(),
        residual_window in prop::option::of(count()),
        window in prop::option::of(count()),
    ) {
        let settings = SimilaritySettings {
            measure: if s_star { Measure::SStar } else { Measure::S },
            scale: if gross { Scale::Gross } else { Scale::Raw },
            date: None,
            all_dates,
            average,
            idio: if residual { Idio::Residual } else { Idio::None },
            residual_window,
        };
        finishes("similarity", move || {
            let d = data();
            let inputs = SimilarityInputs {
                exposures: Named::new(&d.moving, "e.csv"),
                r2: None,
                residuals: None,
            };
            let _ = similarity(inputs, &d.sx, &settings);
        })?;
        let settings = CorrelationSettings { window, all_dates };
        finishes("correlation", move || {
            let _ = correlation(&data().funds, &settings);
        })?;
    }

    #[test]
    fn evolve_settings(
        method in cluster_method(),
        k in k_choice(),
        k_max in count(),
        k_rule in k_rule(),
        average in prop::collection::vec(averaging(), 0..3),
        horizons in prop::collection::vec(count(), 0..3),
        gross in any::<bool>(),
        correlation_window in count(),
        seed in any::<u64>(),
        micro_clusters in prop::option::of(count()),
    ) {
        let settings = EvolveSettings {
            method,
            k,
            k_max,
            k_rule,
            average,
            horizons,
            scale: if gross { Scale::Gross } else { Scale::Raw },
            correlation_window,
            seed,
            format: TableFormat::Csv,
            micro_clusters,
        };
        // evolve validates first: any settings must come back, never panic or hang.
        finishes("evolve", move || {
            let d = data();
            let inputs = EvolveInputs {
                source: EvolveSource::Exposures {
                    inputs: SimilarityInputs {
                        exposures: Named::new(&d.moving, "e.csv"),
                        r2: None,
                        residuals: None,
                    },
                    sx: &d.sx,
                },
                factor_attributes: None,
                returns: None,
                reference: None,
            };
            let _ = evolve(inputs, &settings);
        })?;
    }

    #[test]
    fn industry_settings(
        min_aum in float(),
        price_unit in float(),
        max_move in float(),
        max_z in float(),
        max_return in float(),
    ) {
        let settings = IndustrySettings {
            group_by: GroupBy::Class,
            min_aum,
            price_unit,
            max_move,
            max_z,
        };
        if let Ok(config) = settings.config() {
            finishes("industry", move || {
                let table = &data().industry;
                let named = Named::new(table, "industry.csv");
                let kept = filter(table, &config);
                if kept.check_returns(named, &config, max_return).is_ok() {
                    if let Ok(g) = grouping(named, None, GroupBy::Class) {
                        let _ = kept.effects(table, &g, &config);
                    }
                }
            })?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn rate_settings(
        threshold_quantile in float(),
        significance in float(),
        arch_lags in count(),
        min_obs in count(),
        max_iter in prop_oneof![0usize..2000, any::<usize>()],
        include_partial_years in any::<bool>(),
        average in any::<bool>(),
        manhattan in any::<bool>(),
    ) {
        let settings = RateSettings {
            threshold_quantile,
            significance,
            arch_lags,
            min_obs,
            max_iter,
            include_partial_years,
            linkage: if average { Linkage::Average } else { Linkage::Complete },
            metric: if manhattan { Metric::Manhattan } else { Metric::Euclidean },
        };
        if settings.validate().is_ok() {
            finishes("rate", move || {
                let _ = rate(Named::new(&data().daily, "r.csv"), &settings);
            })?;
        }
    }
}

/// The default settings of every stage run cleanly on the data: the properties above
/// exercise the stages, not only their refusals.
#[test]
fn defaults_run_on_the_data() {
    let d = data();
    periods(Named::new(&d.funds, "r.csv"), &PeriodsSettings::default()).unwrap();
    let spec = StyleSettings::default().spec().unwrap();
    style(
        Named::new(&d.funds, "f.csv"),
        Named::new(&d.factors, "x.csv"),
        &spec,
    )
    .unwrap();
    let input = ClusterInput::Matrix(Named::new(&d.matrix, "s"));
    cluster(input, &ClusterSettings::default()).unwrap();
    let inputs = RobustnessInputs {
        exposures: Named::new(&d.exposures, "e.csv"),
        r2: Some(Named::new(&d.r2, "fit.csv")),
    };
    let settings = RobustnessSettings {
        draws: 3,
        ..RobustnessSettings::default()
    };
    robustness(inputs, &d.sx, &settings).unwrap();
    rate(Named::new(&d.daily, "r.csv"), &RateSettings::default()).unwrap();
    let dir = segment_files();
    let sales = peergroup_io::read_sales(dir.join("sales.csv").as_path()).unwrap();
    let funds = peergroup_io::read_funds(dir.join("funds.csv").as_path()).unwrap();
    segment_sales(
        sales,
        "sales.csv",
        funds,
        "funds.csv",
        &SalesSettings::default(),
    )
    .unwrap();
    let users = peergroup_io::read_users(dir.join("users.csv").as_path()).unwrap();
    let balances = peergroup_io::read_balances(dir.join("balances.csv").as_path()).unwrap();
    let settings = InvestorSettings::default();
    segment_investors(users, "users.csv", balances, "balances.csv", &settings).unwrap();
}

/// Synthetic sales (60 offices, 30 funds, 12 months) and app users (1,000 users, 20 days),
/// written once as CSV, as the CLI reads them.
fn segment_files() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let s = peergroup_synth::sales(&peergroup_synth::SalesConfig {
            offices: 60,
            funds: 30,
            months: 12,
            seed: 7,
            ..Default::default()
        });
        let [sales, funds, _, _] = synth::sales_tables(&s);
        let csv = peergroup_io::Format::Csv;
        peergroup_io::write_table(&dir.path().join("sales.csv"), csv, &sales).unwrap();
        peergroup_io::write_table(&dir.path().join("funds.csv"), csv, &funds).unwrap();
        let inv = peergroup_synth::investors(&peergroup_synth::InvestorsConfig {
            users: 1000,
            days: 20,
            seed: 7,
            ..Default::default()
        });
        let [users, balances, _] = synth::investors_tables(inv);
        peergroup_io::write_table(&dir.path().join("users.csv"), csv, &users).unwrap();
        peergroup_io::write_table(&dir.path().join("balances.csv"), csv, &balances).unwrap();
        dir
    })
    .path()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn segment_sales_settings(
        fund in any::<bool>(),
        quarters in 0usize..12,
        transform in prop::collection::vec(prop_oneof![
            Just(Transform::Share), Just(Transform::Log1p), Just(Transform::ZScore), Just(Transform::RowNorm)
        ], 0..3),
        features in prop::collection::vec(prop_oneof![
            Just(FeatureSet::Quarterly), Just(FeatureSet::CategoryMix), Just(FeatureSet::Behaviour)
        ], 0..3),
        mix_quarters in 0usize..10,
        method in prop_oneof![Just(SegMethod::Kmeans), Just(SegMethod::Average), Just(SegMethod::Ward)],
        dtw in any::<bool>(),
        k in prop_oneof![Just(KChoice::Auto), (0usize..12).prop_map(KChoice::Fixed)],
        k_max in 0usize..10,
        k_rule in k_rule(),
        flat_k in any::<bool>(),
        min_segment in 0usize..30,
        stability_replicates in 0usize..4,
        outside_level in float(),
        seed in any::<u64>(),
    ) {
        let settings = SalesSettings {
            entity: if fund { Entity::Fund } else { Entity::Office },
            quarters,
            transform,
            features,
            mix_quarters,
            method,
            metric: if dtw { SegDistance::Dtw } else { SegDistance::Euclidean },
            k,
            k_max,
            k_rule,
            flat_k,
            min_segment,
            stability_replicates,
            seed,
            outside_level,
            ..SalesSettings::default()
        };
        if settings.validate().is_ok() {
            finishes("segment sales", move || {
                let dir = segment_files();
                let sales = peergroup_io::read_sales(dir.join("sales.csv").as_path()).unwrap();
                let funds = peergroup_io::read_funds(dir.join("funds.csv").as_path()).unwrap();
                let _ = segment_sales(sales, "sales.csv", funds, "funds.csv", &settings);
            })?;
        }
    }

    #[test]
    fn segment_investors_settings(
        k in prop_oneof![Just(KChoice::Auto), (0usize..12).prop_map(KChoice::Fixed)],
        k_max in 0usize..10,
        k_rule in k_rule(),
        k_sample in prop_oneof![0usize..400, any::<usize>()],
        seed in any::<u64>(),
        measures in any::<bool>(),
        stability_replicates in 0usize..4,
        exclude_no_balance in any::<bool>(),
        trend_weekends in any::<bool>(),
    ) {
        let settings = InvestorSettings {
            k,
            k_max,
            k_rule,
            k_sample,
            seed,
            features: if measures { InvestorFeatureSet::Measures } else { InvestorFeatureSet::Mix },
            stability_replicates,
            exclude_no_balance,
            trend_weekends,
        };
        finishes("segment investors", move || {
            let dir = segment_files();
            let users = peergroup_io::read_users(dir.join("users.csv").as_path()).unwrap();
            let balances = peergroup_io::read_balances(dir.join("balances.csv").as_path()).unwrap();
            let _ = segment_investors(users, "users.csv", balances, "balances.csv", &settings);
        })?;
    }
}
