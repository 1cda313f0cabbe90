//! Gaussian mixtures against scikit-learn fixtures (committed with their script), closed-form
//! M-steps on a hand example, EM monotonicity, and BIC selection on synthetic mixtures.

mod common;

use common::{fixture, mat};
use peergroup_cluster::fit::{Fit, Predict};
use peergroup_cluster::gmm::{CovModel, Gmm, GmmFit, GmmOptions, GmmSearch, GmmSelection};
use peergroup_random::Rng;
use std::collections::BTreeMap;

fn f(rec: &csv::StringRecord, i: usize) -> f64 {
    rec[i].parse().unwrap()
}

/// The BIC search over every model and `ks` on the n × d rows of `x`.
fn select_all(
    x: &[f64],
    n: usize,
    d: usize,
    ks: std::ops::RangeInclusive<usize>,
    seed: u64,
) -> GmmSelection {
    GmmSearch::new(ks, &CovModel::ALL)
        .seed(seed)
        .fit(mat(x, n, d))
        .unwrap()
}

/// `(x, n, d, init)` per data set of `gmm_data.csv`.
fn fixture_data() -> BTreeMap<String, (Vec<f64>, usize, usize, Vec<usize>)> {
    let mut out: BTreeMap<String, (Vec<f64>, usize, usize, Vec<usize>)> = BTreeMap::new();
    for rec in fixture("gmm_data.csv") {
        let d = (3..7).filter(|&c| !rec[c].is_empty()).count();
        let e = out
            .entry(rec[0].to_string())
            .or_insert((Vec::new(), 0, d, Vec::new()));
        assert_eq!(rec[1].parse::<usize>().unwrap(), e.1, "rows in order");
        e.0.extend((3..3 + d).map(|c| f(&rec, c)));
        e.1 += 1;
        e.3.push(rec[2].parse().unwrap());
    }
    out
}

struct SkCase {
    dataset: String,
    model: CovModel,
    reg: f64,
    score: f64,
    bic: f64,
    n_params: usize,
    n_iter: usize,
    weights: Vec<f64>,
    means: Vec<f64>,
}

fn sklearn_cases() -> Vec<SkCase> {
    let mut cases: Vec<SkCase> = Vec::new();
    for rec in fixture("gmm_sklearn.csv") {
        let d: usize = rec[6].parse().unwrap();
        let component: usize = rec[13].parse().unwrap();
        if component == 0 {
            cases.push(SkCase {
                dataset: rec[0].to_string(),
                model: CovModel::from_name(&rec[1]).unwrap(),
                reg: f(&rec, 4),
                score: f(&rec, 8),
                bic: f(&rec, 10),
                n_params: rec[11].parse().unwrap(),
                n_iter: rec[12].parse().unwrap(),
                weights: Vec::new(),
                means: Vec::new(),
            });
        }
        let case = cases.last_mut().unwrap();
        case.weights.push(f(&rec, 14));
        case.means.extend((15..15 + d).map(|c| f(&rec, c)));
    }
    cases
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn loglik_means_weights_and_bic_match_sklearn() {
    let data = fixture_data();
    let cases = sklearn_cases();
    assert_eq!(cases.len(), 32);
    let (mut worst_ll, mut worst_mean) = (0.0f64, 0.0f64);
    for case in &cases {
        let (x, n, d, init) = &data[&case.dataset];
        let k = case.weights.len();
        // The same number of EM iterations as scikit-learn ran (tol 0 never stops early).
        let opts = GmmOptions {
            reg_covar: case.reg,
            tol: 0.0,
            max_iter: case.n_iter,
            ..GmmOptions::default()
        };
        let fit = Gmm::new(k, case.model)
            .options(opts.clone())
            .fit_from_labels(mat(x, *n, *d), init)
            .unwrap();
        let tag = format!("{} {} reg={}", case.dataset, case.model, case.reg);
        assert!(!fit.singular, "{tag}");
        assert_eq!(fit.iterations, case.n_iter, "{tag}");
        let score = fit.loglik / *n as f64;
        assert!(
            rel(score, case.score) < 1e-6,
            "{tag}: score {score} vs {}",
            case.score
        );
        assert!(
            rel(fit.bic, case.bic) < 1e-6,
            "{tag}: bic {} vs {}",
            fit.bic,
            case.bic
        );
        assert_eq!(fit.params, case.n_params, "{tag}");
        for (a, b) in fit.weights.iter().zip(&case.weights) {
            assert!((a - b).abs() < 1e-5, "{tag}: weight {a} vs {b}");
        }
        for (a, b) in fit.means.iter().zip(&case.means) {
            assert!((a - b).abs() < 1e-5, "{tag}: mean {a} vs {b}");
            worst_mean = worst_mean.max((a - b).abs());
        }
        worst_ll = worst_ll.max(rel(score, case.score));
    }
    eprintln!("vs sklearn: max rel score diff {worst_ll:.1e}, max mean diff {worst_mean:.1e}");
}

#[test]
fn default_fit_gmm_reaches_the_sklearn_optimum() {
    // Gmm::fit_from_labels with its own stopping rule and the default ridge (1e-6 of each column's
    // variance = sklearn's 1e-6 here, the columns having unit variance). The rule stops
    // when the estimated remaining gain is below 1e-6·(1 + |loglik|), so the
    // log-likelihood is within a few 1e-6 (relative) of the limit.
    let data = fixture_data();
    let mut worst = (0.0f64, 0.0f64);
    for case in sklearn_cases().iter().filter(|c| c.reg > 0.0) {
        let (x, n, d, init) = &data[&case.dataset];
        let fit = Gmm::new(case.weights.len(), case.model)
            .fit_from_labels(mat(x, *n, *d), init)
            .unwrap();
        let tag = format!("{} {}", case.dataset, case.model);
        assert!(fit.converged, "{tag}");
        let r = rel(fit.loglik / *n as f64, case.score);
        assert!(r < 5e-6, "{tag}: {r}");
        worst.0 = worst.0.max(r);
        for (a, b) in fit.means.iter().zip(&case.means) {
            // blobs1 (d = 1, two overlapping components) has a flat likelihood: the
            // stopping rule leaves its means ~1e-2 from the limit, far inside their
            // standard errors (~0.1), while the log-likelihood is exact to 1e-7.
            assert!((a - b).abs() < 5e-2, "{tag}: mean {a} vs {b}");
            worst.1 = worst.1.max((a - b).abs());
        }
    }
    eprintln!(
        "fit_gmm defaults vs sklearn: max rel score diff {:.1e}, max mean diff {:.1e}",
        worst.0, worst.1
    );
}

/// Two groups far apart (responsibilities are exactly 0/1), scatter matrices by hand:
/// A = (0,0),(2,1),(1,3),(3,4): mean (1.5,2), W_A = [[5,5],[5,10]], n_A = 4;
/// B = (100,100),(104,100),(100,102),(104,102),(102,101): mean (102,101), W_B = diag(16,4).
fn hand_example() -> (Vec<f64>, Vec<usize>) {
    let pts = [
        (0.0, 0.0),
        (2.0, 1.0),
        (1.0, 3.0),
        (3.0, 4.0),
        (100.0, 100.0),
        (104.0, 100.0),
        (100.0, 102.0),
        (104.0, 102.0),
        (102.0, 101.0),
    ];
    let x = pts.iter().flat_map(|&(a, b)| [a, b]).collect();
    (x, vec![0, 0, 0, 0, 1, 1, 1, 1, 1])
}

fn expected_hand_covariances(model: CovModel) -> [[f64; 4]; 2] {
    let full = |a: f64, b: f64, c: f64| [a, b, b, c];
    match model {
        CovModel::VVV => [full(1.25, 1.25, 2.5), full(3.2, 0.0, 0.8)],
        CovModel::EEE => [full(21.0 / 9.0, 5.0 / 9.0, 14.0 / 9.0); 2],
        CovModel::VVI => [full(1.25, 0.0, 2.5), full(3.2, 0.0, 0.8)],
        CovModel::EEI => [full(21.0 / 9.0, 0.0, 14.0 / 9.0); 2],
        CovModel::VII => [full(15.0 / 8.0, 0.0, 15.0 / 8.0), full(2.0, 0.0, 2.0)],
        CovModel::EII => [full(35.0 / 18.0, 0.0, 35.0 / 18.0); 2],
    }
}

#[test]
fn closed_form_m_steps_on_a_hand_example() {
    let (x, init) = hand_example();
    let no_ridge = GmmOptions {
        reg_covar: 0.0,
        ..GmmOptions::default()
    };
    let m_step_only = GmmOptions {
        max_iter: 0,
        ..no_ridge.clone()
    };
    // Column variances over all 9 points, for the default ridge 1e-6·var_j.
    let var = |j: usize| {
        let v: Vec<f64> = (0..9).map(|i| x[i * 2 + j]).collect();
        let m = v.iter().sum::<f64>() / 9.0;
        v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / 9.0
    };
    let (v0, v1) = (var(0), var(1));
    for model in CovModel::ALL {
        let expected = expected_hand_covariances(model);
        let first = Gmm::new(2, model)
            .options(m_step_only.clone())
            .fit_from_labels(mat(&x, 9, 2), &init)
            .unwrap();
        let full = Gmm::new(2, model)
            .options(no_ridge.clone())
            .fit_from_labels(mat(&x, 9, 2), &init)
            .unwrap();
        let ridged = Gmm::new(2, model)
            .fit_from_labels(mat(&x, 9, 2), &init)
            .unwrap();
        assert_eq!(first.iterations, 0);
        assert!(
            full.converged && full.iterations <= 2,
            "{model}: {}",
            full.iterations
        );
        for fit in [&first, &full] {
            assert!(!fit.singular, "{model}");
            assert!((fit.weights[0] - 4.0 / 9.0).abs() < 1e-13);
            assert!((fit.means[0] - 1.5).abs() < 1e-12 && (fit.means[1] - 2.0).abs() < 1e-12);
            assert!((fit.means[2] - 102.0).abs() < 1e-12 && (fit.means[3] - 101.0).abs() < 1e-12);
            assert_eq!(fit.covariances.len(), 8);
            for (got, want) in fit.covariances.iter().zip(expected.iter().flatten()) {
                assert!((got - want).abs() < 1e-12, "{model}: {got} vs {want}");
            }
            assert_eq!(fit.labels, init);
        }
        // The ridge is 1e-6 of each column's variance (spherical: of their mean).
        for c in 0..2 {
            let (r0, r1) = match model {
                CovModel::EII | CovModel::VII => (1e-6 * (v0 + v1) / 2.0, 1e-6 * (v0 + v1) / 2.0),
                _ => (1e-6 * v0, 1e-6 * v1),
            };
            let got0 = ridged.covariances[c * 4] - full.covariances[c * 4];
            let got1 = ridged.covariances[c * 4 + 3] - full.covariances[c * 4 + 3];
            assert!(
                rel(got0, r0) < 1e-6 && rel(got1, r1) < 1e-6,
                "{model}: {got0} {got1}"
            );
        }
    }
    // EII log-likelihood by hand: Σ_i ln π_c − 9·ln(2πλ) − tr(W)/(2λ) with λ = 35/18,
    // tr W = 35, so the last term is 9.
    let fit = Gmm::new(2, CovModel::EII)
        .options(m_step_only.clone())
        .fit_from_labels(mat(&x, 9, 2), &init)
        .unwrap();
    let lambda = 35.0 / 18.0;
    let expected = 4.0 * (4.0f64 / 9.0).ln() + 5.0 * (5.0f64 / 9.0).ln()
        - 9.0 * (2.0 * std::f64::consts::PI * lambda).ln()
        - 9.0;
    assert!(
        (fit.loglik - expected).abs() < 1e-11,
        "{} vs {expected}",
        fit.loglik
    );
    assert!((fit.bic - (2.0 * expected - 6.0 * 9f64.ln())).abs() < 1e-10);
}

#[test]
fn mclust_parameter_counts() {
    // k = 4, d = 3: 12 means + 3 weights + covariance parameters.
    let expected = [
        (CovModel::EII, 16),
        (CovModel::VII, 19),
        (CovModel::EEI, 18),
        (CovModel::VVI, 27),
        (CovModel::EEE, 21),
        (CovModel::VVV, 39),
    ];
    for (model, p) in expected {
        assert_eq!(model.params(4, 3), p, "{model}");
        assert_eq!(CovModel::from_name(model.name()), Some(model));
    }
    assert_eq!(CovModel::VVV.params(1, 2), 5);
}

/// `n_per[c]` points around `centres[c]` with covariance `L_c L_cᵀ` (`chol[c]` lower, d×d).
fn mixture(
    rng: &mut Rng,
    n_per: &[usize],
    centres: &[Vec<f64>],
    chol: &[Vec<f64>],
) -> (Vec<f64>, Vec<usize>) {
    let d = centres[0].len();
    let (mut x, mut truth) = (Vec::new(), Vec::new());
    for (c, &m) in n_per.iter().enumerate() {
        for _ in 0..m {
            let z: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
            for a in 0..d {
                let s: f64 = (0..=a).map(|b| chol[c][a * d + b] * z[b]).sum();
                x.push(centres[c][a] + s);
            }
            truth.push(c);
        }
    }
    (x, truth)
}

fn diag(v: &[f64]) -> Vec<f64> {
    let d = v.len();
    let mut m = vec![0.0; d * d];
    for j in 0..d {
        m[j * d + j] = v[j];
    }
    m
}

/// Share of observations in the majority true class of their fitted component.
fn purity(labels: &[usize], truth: &[usize], k: usize) -> f64 {
    let kt = truth.iter().max().unwrap() + 1;
    let mut table = vec![0usize; k * kt];
    for (&l, &t) in labels.iter().zip(truth) {
        table[l * kt + t] += 1;
    }
    let hits: usize = (0..k)
        .map(|l| *table[l * kt..(l + 1) * kt].iter().max().unwrap())
        .sum();
    hits as f64 / labels.len() as f64
}

#[test]
fn em_log_likelihood_never_decreases() {
    let mut rng = Rng::new(5);
    let d = 3;
    let centres = vec![
        vec![0.0, 0.0, 0.0],
        vec![2.5, 0.5, 0.0],
        vec![0.0, 2.5, 1.0],
    ];
    let chol = vec![
        vec![1.0, 0.0, 0.0, 0.5, 0.8, 0.0, 0.2, 0.1, 0.6],
        diag(&[0.7, 1.2, 0.9]),
        diag(&[1.0, 1.0, 1.0]),
    ];
    let (x, _) = mixture(&mut rng, &[90, 60, 50], &centres, &chol);
    let n = 200;
    let init: Vec<usize> = (0..n).map(|_| rng.below(3) as usize).collect();
    for model in CovModel::ALL {
        for reg_covar in [0.0, 1e-6] {
            let mut prev = f64::NEG_INFINITY;
            for t in 0..60 {
                let opts = GmmOptions {
                    reg_covar,
                    tol: 0.0,
                    max_iter: t,
                    ..GmmOptions::default()
                };
                let fit = Gmm::new(3, model)
                    .options(opts.clone())
                    .fit_from_labels(mat(&x, n, d), &init)
                    .unwrap();
                // With the ridge the M-step is not the exact maximiser, so allow its size.
                let slack = 1e-12 * fit.loglik.abs() + if reg_covar > 0.0 { 1e-4 } else { 0.0 };
                assert!(
                    fit.loglik >= prev - slack,
                    "{model} reg {reg_covar} t={t}: {prev} -> {}",
                    fit.loglik
                );
                prev = fit.loglik;
            }
        }
    }
}

#[test]
fn bic_recovers_k_on_separated_mixtures() {
    let mut rng = Rng::new(2024);
    // (sizes, centres, Cholesky factors of the covariances) per case.
    type Case = (Vec<usize>, Vec<Vec<f64>>, Vec<Vec<f64>>);
    let cases: Vec<Case> = vec![
        // d = 1, three components.
        (
            vec![100, 80, 120],
            vec![vec![-8.0], vec![0.0], vec![7.0]],
            vec![vec![1.0], vec![0.7], vec![1.3]],
        ),
        // d = 2, four spherical components.
        (
            vec![60, 60, 60, 60],
            vec![
                vec![0.0, 0.0],
                vec![10.0, 0.0],
                vec![0.0, 10.0],
                vec![10.0, 10.0],
            ],
            vec![diag(&[1.0, 1.0]); 4],
        ),
        // d = 3, three full-covariance components.
        (
            vec![120, 90, 70],
            vec![
                vec![0.0, 0.0, 0.0],
                vec![12.0, 0.0, 3.0],
                vec![0.0, -12.0, 6.0],
            ],
            vec![
                vec![1.0, 0.0, 0.0, 0.8, 0.6, 0.0, -0.5, 0.3, 0.7],
                diag(&[2.0, 0.5, 1.0]),
                vec![0.6, 0.0, 0.0, -0.9, 1.1, 0.0, 0.0, 0.4, 0.5],
            ],
        ),
        // d = 5, two diagonal components.
        (
            vec![150, 100],
            vec![vec![0.0; 5], vec![6.0, -6.0, 6.0, 0.0, 3.0]],
            vec![
                diag(&[1.0, 2.0, 0.5, 1.0, 1.0]),
                diag(&[0.5, 1.0, 1.5, 2.0, 1.0]),
            ],
        ),
    ];
    for (n_per, centres, chol) in cases {
        let d = centres[0].len();
        let (x, truth) = mixture(&mut rng, &n_per, &centres, &chol);
        let n = truth.len();
        let sel = select_all(&x, n, d, 1..=9, 7);
        assert_eq!(sel.table.len(), 6 * 9);
        assert_eq!(
            sel.best.k,
            n_per.len(),
            "d={d}: chose {} {}",
            sel.best.model,
            sel.best.k
        );
        assert!(!sel.best.singular);
        assert!(purity(&sel.best.labels, &truth, sel.best.k) > 0.99, "d={d}");
        // The best fit is the table's maximum.
        let top = sel
            .table
            .iter()
            .filter(|r| !r.2.is_nan())
            .map(|r| r.2)
            .fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(top, sel.best.bic);
    }
}

fn rotation(angle: f64, sd: (f64, f64)) -> Vec<f64> {
    // Cholesky factor of R diag(sd²) Rᵀ.
    let (c, s) = (angle.cos(), angle.sin());
    let (a, b) = (sd.0 * sd.0, sd.1 * sd.1);
    let m = [
        c * c * a + s * s * b,
        c * s * (a - b),
        s * s * a + c * c * b,
    ];
    let l00 = m[0].sqrt();
    let l10 = m[1] / l00;
    vec![l00, 0.0, l10, (m[2] - l10 * l10).sqrt()]
}

#[test]
fn bic_picks_the_generating_covariance_family() {
    let mut rng = Rng::new(77);
    let centres = vec![vec![0.0, 0.0], vec![9.0, 1.0], vec![2.0, 9.0]];
    // Spherical, equal volume → EII.
    let (x, _) = mixture(
        &mut rng,
        &[150, 150, 150],
        &centres,
        &vec![diag(&[1.0, 1.0]); 3],
    );
    let sel = select_all(&x, 450, 2, 1..=6, 1);
    assert_eq!(
        (sel.best.model, sel.best.k),
        (CovModel::EII, 3),
        "{:?}",
        sel.table
    );
    // One elongated, rotated covariance shared by all → EEE.
    let shared = rotation(0.6, (2.0, 0.4));
    let (x, _) = mixture(&mut rng, &[150, 150, 150], &centres, &vec![shared; 3]);
    let sel = select_all(&x, 450, 2, 1..=6, 1);
    assert_eq!(
        (sel.best.model, sel.best.k),
        (CovModel::EEE, 3),
        "{:?}",
        sel.table
    );
    // Elongated in different directions and sizes → VVV.
    let chol = vec![
        rotation(0.6, (2.0, 0.4)),
        rotation(-0.9, (1.5, 0.3)),
        rotation(0.0, (0.5, 1.0)),
    ];
    let (x, _) = mixture(&mut rng, &[150, 150, 150], &centres, &chol);
    let sel = select_all(&x, 450, 2, 1..=6, 1);
    assert_eq!(
        (sel.best.model, sel.best.k),
        (CovModel::VVV, 3),
        "{:?}",
        sel.table
    );
}

#[test]
fn selection_is_deterministic_and_unit_free() {
    let mut rng = Rng::new(9);
    let centres = vec![vec![0.0, 0.0], vec![5.0, 5.0]];
    let (x, _) = mixture(&mut rng, &[70, 50], &centres, &vec![diag(&[1.0, 1.0]); 2]);
    let a = select_all(&x, 120, 2, 1..=4, 3);
    let b = select_all(&x, 120, 2, 1..=4, 3);
    assert_eq!(a.best.labels, b.best.labels);
    assert_eq!(format!("{:?}", a.table), format!("{:?}", b.table));

    // Column 0 in "percent" (×100), column 1 in "basis points of a percent" (×1e-4): for
    // the diagonal and full models (spherical ones are unit-dependent by definition) the
    // log-likelihood shifts by −n·ln(100·1e-4), everything else is unchanged.
    let models = [CovModel::EEI, CovModel::VVI, CovModel::EEE, CovModel::VVV];
    // Converged tightly, so that both runs stop at the same point of a flat likelihood.
    let tight = GmmOptions {
        tol: 1e-12,
        max_iter: 10_000,
        ..GmmOptions::default()
    };
    let a = GmmSearch::new(1..=4, &models)
        .seed(3)
        .options(tight.clone())
        .fit(mat(&x, 120, 2))
        .unwrap();
    let scaled: Vec<f64> = x
        .chunks(2)
        .flat_map(|r| [r[0] * 100.0, r[1] * 1e-4])
        .collect();
    let shift = -120.0 * (100.0f64 * 1e-4).ln();
    let c = GmmSearch::new(1..=4, &models)
        .seed(3)
        .options(tight.clone())
        .fit(mat(&scaled, 120, 2))
        .unwrap();
    assert_eq!((c.best.model, c.best.k), (a.best.model, a.best.k));
    assert_eq!(c.best.labels, a.best.labels);
    for (ra, rc) in a.table.iter().zip(&c.table) {
        assert!(
            (rc.2 - (ra.2 + 2.0 * shift)).abs() < 1e-6 * ra.2.abs(),
            "{ra:?} {rc:?}"
        );
    }
}

fn assert_no_nan_params(fit: &GmmFit) {
    assert!(fit.weights.iter().all(|w| w.is_finite()));
    assert!(fit.responsibilities.iter().all(|r| r.is_finite()));
}

#[test]
fn degenerate_data_never_panics_and_is_flagged() {
    // All observations identical.
    let x = vec![1.5; 40];
    let sel = select_all(&x, 20, 2, 1..=3, 0);
    assert!(sel.table.iter().all(|r| r.2.is_nan()));
    assert!(sel.best.singular);
    assert_eq!(sel.best.labels.len(), 20);

    // A constant column beside an informative one: every covariance is singular in the
    // constant direction, except for spherical models (their λ averages the directions).
    let mut rng = Rng::new(4);
    let x: Vec<f64> = (0..60)
        .flat_map(|i| [if i < 30 { -4.0 } else { 4.0 } + rng.normal(), 2.0])
        .collect();
    let sel = select_all(&x, 60, 2, 1..=3, 0);
    for &(model, k, bic) in &sel.table {
        let spherical = matches!(model, CovModel::EII | CovModel::VII);
        assert_eq!(bic.is_nan(), !spherical, "{model} {k}");
    }
    assert!(matches!(sel.best.model, CovModel::EII | CovModel::VII));
    assert!(!sel.best.singular);

    // Few distinct points, many components: components on single points are singular.
    let base = [(0.0, 0.0), (3.0, 1.0), (1.0, 4.0), (5.0, 5.0)];
    let x: Vec<f64> = (0..40)
        .flat_map(|i| {
            let (a, b) = base[i % 4];
            [a + 1e-3 * (i / 4) as f64, b]
        })
        .collect();
    let sel = select_all(&x, 40, 2, 1..=9, 0);
    for &(model, k, bic) in &sel.table {
        if model == CovModel::VVV && k >= 4 {
            assert!(bic.is_nan(), "{model} {k} should fail: {bic}");
        }
    }
    assert!(!sel.best.singular && sel.best.bic.is_finite());
    assert_no_nan_params(&sel.best);

    // More components than observations, an empty initial component, a zero ridge.
    let x = [0.0, 1.0, 2.0];
    let opts = GmmOptions {
        reg_covar: 0.0,
        ..GmmOptions::default()
    };
    for model in CovModel::ALL {
        let fit = Gmm::new(5, model)
            .options(opts.clone())
            .fit_from_labels(mat(&x, 3, 1), &[0, 1, 2])
            .unwrap();
        assert_eq!(fit.labels.len(), 3);
        if !model.name().starts_with('E') {
            assert!(fit.singular, "{model}");
        }
    }

    // NaN in the data: a failed fit, not a panic.
    let x = [0.0, f64::NAN, 2.0, 3.0];
    let fit = Gmm::new(2, CovModel::VVV)
        .fit_from_labels(mat(&x, 4, 1), &[0, 0, 1, 1])
        .unwrap();
    assert!(fit.singular && fit.loglik.is_nan());
}

#[test]
fn bad_parameters_are_errors_and_predict_reproduces_labels() {
    let mut rng = Rng::new(5);
    let x: Vec<f64> = (0..40)
        .map(|i| if i < 20 { 0.0 } else { 10.0 } + rng.normal())
        .collect();
    let data = mat(&x, 40, 1);
    assert!(Gmm::new(0, CovModel::VVV).fit(data).is_err());
    assert!(Gmm::new(41, CovModel::VVV).fit(data).is_err());
    assert!(Gmm::new(2, CovModel::VVV)
        .fit_from_labels(data, &[0; 39])
        .is_err());
    assert!(Gmm::new(2, CovModel::VVV)
        .fit_from_labels(data, &[2; 40])
        .is_err());
    assert!(GmmSearch::new(0..=0, &CovModel::ALL).fit(data).is_err());
    assert!(GmmSearch::new(1..=3, &[]).fit(data).is_err());
    let fit = Gmm::new(2, CovModel::VVV).seed(1).fit(data).unwrap();
    assert_eq!(fit.predict(data).unwrap(), fit.labels);
    assert_eq!(fit.labels[0..20], [fit.labels[0]; 20]);
}
