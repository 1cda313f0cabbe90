//! The whole pipeline on real data (quadprog fixtures on the French portfolios), rolling
//! windows against fresh fits, stepwise selection, and dynamic style analysis.

mod common;

use common::{factors, fixture, sparse_beta, Problem};
use peergroup_random::Rng;
use peergroup_style::analysis::validate_factors;
use peergroup_style::{
    analyse, analyse_with, dsa, Constraints, Criterion, DsaProblem, Lambda, Method, StyleProblem,
    StyleResult, StyleSpec,
};

const INDUSTRIES: [&str; 12] = [
    "NoDur", "Durbl", "Manuf", "Enrgy", "Chems", "BusEq", "Telcm", "Utils", "Shops", "Hlth",
    "Money", "Other",
];
const FUNDS: [&str; 18] = [
    "S1V1", "S1V3", "S1V5", "S3V1", "S3V3", "S3V5", "S5V1", "S5V3", "S5V5", "S1M1", "S1M3", "S1M5",
    "S3M1", "S3M3", "S3M5", "S5M1", "S5M3", "S5M5",
];

struct French {
    dates: Vec<String>,
    cols: std::collections::HashMap<String, Vec<f64>>,
}

fn french() -> French {
    let path = format!(
        "{}/../../data/french_monthly_1949_2017.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let names: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let mut cols: std::collections::HashMap<String, Vec<f64>> =
        names.iter().map(|n| (n.clone(), Vec::new())).collect();
    let mut dates = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        dates.push(rec[0][..7].to_string());
        for (i, n) in names.iter().enumerate().skip(1) {
            cols.get_mut(n).unwrap().push(rec[i].parse().unwrap());
        }
    }
    French { dates, cols }
}

fn spec(method: Method, constraints: Constraints, window: Option<usize>) -> StyleSpec {
    StyleSpec {
        method,
        constraints,
        window,
        step: 1,
        min_obs: None,
        selection: None,
        lambda: Lambda::Auto,
        periods_per_year: 12.0,
    }
}

/// `body` on the 18 French portfolios as funds on the 12 industries as factors.
fn with_french<T>(f: &French, body: impl FnOnce(&StyleProblem<'_>) -> T) -> T {
    let factor_names: Vec<String> = INDUSTRIES.iter().map(|s| s.to_string()).collect();
    let fund_names: Vec<String> = FUNDS.iter().map(|s| s.to_string()).collect();
    let factors: Vec<f64> = INDUSTRIES.iter().flat_map(|n| f.cols[*n].clone()).collect();
    let funds: Vec<f64> = FUNDS.iter().flat_map(|n| f.cols[*n].clone()).collect();
    let years: Vec<i32> = f.dates.iter().map(|d| d[..4].parse().unwrap()).collect();
    body(&StyleProblem {
        factor_names: &factor_names,
        factors: &factors,
        fund_names: &fund_names,
        funds: &funds,
        years: &years,
    })
}

fn run_french(f: &French, spec: &StyleSpec) -> StyleResult {
    with_french(f, |p| analyse(p, spec).unwrap())
}

#[test]
fn whole_sample_matches_quadprog_on_french_portfolios() {
    let f = french();
    let fixtures = fixture("sharpe_french.csv");
    let cases = [
        ("full", Method::Sharpe, Constraints::SHARPE),
        (
            "budget_only",
            Method::Sharpe,
            Constraints {
                budget: true,
                long_only: false,
            },
        ),
        (
            "nonneg_only",
            Method::Sharpe,
            Constraints {
                budget: false,
                long_only: true,
            },
        ),
        ("ols", Method::Ols, Constraints::OLS),
    ];
    for (case, method, cons) in cases {
        let res = run_french(&f, &spec(method, cons, None));
        assert_eq!(res.fits.len(), 18);
        for (row, fit) in res.fits.iter().enumerate() {
            let fund = FUNDS[fit.fund];
            assert_eq!(fit.n_obs, 819);
            for (k, factor) in INDUSTRIES.iter().enumerate() {
                let want: f64 = fixtures
                    .iter()
                    .find(|r| &r[0] == case && &r[1] == fund && &r[4] == *factor)
                    .map(|r| r[5].parse().unwrap())
                    .unwrap();
                let got = res.betas[row * 12 + k];
                assert!(
                    (got - want).abs() < 1e-8,
                    "{case} {fund} {factor}: {got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn rolling_windows_match_quadprog_and_fresh_fits() {
    let f = french();
    let fixtures = fixture("sharpe_french.csv");
    let res = run_french(&f, &spec(Method::Sharpe, Constraints::SHARPE, Some(36)));
    // 819 months → 784 windows per fund
    assert_eq!(res.fits.len(), 18 * 784);
    let ends = ["1960-12", "1975-06", "1990-12", "2005-06", "2017-03"];
    for fund in ["S1V1", "S5V5", "S1M1", "S5M5"] {
        let fi = FUNDS.iter().position(|x| *x == fund).unwrap();
        for end in ends {
            let t = f.dates.iter().position(|d| d == end).unwrap();
            let row = res
                .exposures
                .iter()
                .position(|e| e.fund == fi && e.t == t)
                .unwrap();
            for (k, factor) in INDUSTRIES.iter().enumerate() {
                let want: f64 = fixtures
                    .iter()
                    .find(|r| {
                        &r[0] == "w36" && &r[1] == fund && r[2].starts_with(end) && &r[4] == *factor
                    })
                    .map(|r| r[5].parse().unwrap())
                    .unwrap();
                assert!(
                    (res.betas[row * 12 + k] - want).abs() < 1e-8,
                    "{fund} {end} {factor}"
                );
            }
        }
    }
    // every rolling window equals a fit of that window alone (rolling sums do not drift)
    for (row, e) in res.exposures.iter().enumerate().step_by(97) {
        let mut sub = French {
            dates: f.dates[e.t + 1 - 36..=e.t].to_vec(),
            cols: Default::default(),
        };
        for (k, v) in f.cols.iter().filter(|(_, v)| !v.is_empty()) {
            sub.cols.insert(k.clone(), v[e.t + 1 - 36..=e.t].to_vec());
        }
        let fresh = run_french(&sub, &spec(Method::Sharpe, Constraints::SHARPE, None));
        let frow = fresh
            .exposures
            .iter()
            .position(|x| x.fund == e.fund)
            .unwrap();
        for k in 0..12 {
            assert!((res.betas[row * 12 + k] - fresh.betas[frow * 12 + k]).abs() < 1e-9);
        }
        assert!((res.fits[row].r2 - fresh.fits[frow].r2).abs() < 1e-9);
    }
}

#[test]
fn bad_factor_sets_are_rejected() {
    let mut rng = Rng::new(3);
    let t = 50;
    let x = factors(&mut rng, t, 3);
    let col = |k: usize| -> Vec<f64> { (0..t).map(|s| x[s * 3 + k]).collect() };
    let names: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    let mut cols = [col(0), col(1), col(2), vec![0.01; t]].concat();
    let e = validate_factors(&names, &cols, t).unwrap_err();
    assert!(e.message.contains("'d' is constant"), "{e}");
    cols[3 * t..].copy_from_slice(&col(1));
    assert!(validate_factors(&names, &cols, t)
        .unwrap_err()
        .message
        .contains("'d' duplicates factor 'b'"));
    let combo: Vec<f64> = (0..t)
        .map(|s| 0.5 * x[s * 3] + 0.5 * x[s * 3 + 2])
        .collect();
    cols[3 * t..].copy_from_slice(&combo);
    assert!(validate_factors(&names, &cols, t)
        .unwrap_err()
        .message
        .contains("linear combination"));
}

/// A synthetic universe in the layout `analyse` takes.
struct Synthetic {
    factor_names: Vec<String>,
    factors: Vec<f64>,
    years: Vec<i32>,
}

fn synthetic(rng: &mut Rng, t: usize, n: usize) -> Synthetic {
    Synthetic::from_rows(&factors(rng, t, n), t, n)
}

impl Synthetic {
    /// Factors `F0..` from row-major t × n returns `x`, in 52-week years from 2000.
    fn from_rows(x: &[f64], t: usize, n: usize) -> Synthetic {
        Synthetic {
            factor_names: (0..n).map(|k| format!("F{k}")).collect(),
            factors: (0..n)
                .flat_map(|k| (0..t).map(|s| x[s * n + k]).collect::<Vec<_>>())
                .collect(),
            years: (0..t).map(|s| 2000 + (s / 52) as i32).collect(),
        }
    }

    /// The style problem of `funds` (fund-major) on these factors.
    fn problem<'a>(&'a self, fund_names: &'a [String], funds: &'a [f64]) -> StyleProblem<'a> {
        StyleProblem {
            factor_names: &self.factor_names,
            factors: &self.factors,
            fund_names,
            funds,
            years: &self.years,
        }
    }
}

/// Rolling windows of funds with missing returns (and `--min-obs` below the window)
/// equal a direct fit of each window's observed rows: Gram matrix built from those rows,
/// exact active-set solve, R² and tracking error from the residuals themselves.
#[test]
fn rolling_windows_with_missing_returns_match_direct_fits() {
    let mut rng = Rng::new(33);
    let (t, n, w) = (160, 8, 40);
    let u = synthetic(&mut rng, t, n);
    let x = |s: usize, k: usize| u.factors[k * t + s];
    let funds_n = 6;
    let mut funds = Vec::new();
    for i in 0..funds_n {
        let b = sparse_beta(&mut rng, n, 3);
        for s in 0..t {
            let missing = match i {
                0 => false,                 // complete
                1 => s < 50,                // launched late
                2 => (60..64).contains(&s), // a gap inside
                3 => s % 17 == 3,           // scattered holes
                4 => s >= 150,              // closed early
                _ => s % 5 == 0 && s > 30,  // many holes: some windows below min-obs
            };
            funds.push(if missing {
                f64::NAN
            } else {
                (0..n).map(|k| x(s, k) * b[k]).sum::<f64>() + rng.gaussian(0.0, 0.004)
            });
        }
    }
    let fund_names: Vec<String> = (0..funds_n).map(|i| format!("f{i}")).collect();
    let p = u.problem(&fund_names, &funds);
    let min_obs = 33;
    let mut sp = spec(Method::Sharpe, Constraints::SHARPE, Some(w));
    sp.min_obs = Some(min_obs);
    sp.periods_per_year = 52.0;
    let res = analyse(&p, &sp).unwrap();
    let mut solver = peergroup_style::SharpeSolver::new(n);
    let mut expected_rows = 0;
    for i in 0..funds_n {
        for end in w - 1..t {
            let rows: Vec<usize> = (end + 1 - w..=end)
                .filter(|&s| !funds[i * t + s].is_nan())
                .collect();
            if rows.len() < min_obs {
                assert!(!res.exposures.iter().any(|e| e.fund == i && e.t == end));
                continue;
            }
            expected_rows += 1;
            let row = res
                .exposures
                .iter()
                .position(|e| e.fund == i && e.t == end)
                .unwrap_or_else(|| panic!("fund {i} window {end} missing"));
            let (mut g, mut c) = (vec![0.0; n * n], vec![0.0; n]);
            for &s in &rows {
                for a in 0..n {
                    c[a] += x(s, a) * funds[i * t + s];
                    for b in 0..n {
                        g[a * n + b] += x(s, a) * x(s, b);
                    }
                }
            }
            let want = solver.solve(&g, &c, n, Constraints::SHARPE, None).unwrap();
            let got = &res.betas[row * n..(row + 1) * n];
            for k in 0..n {
                assert!(
                    (got[k] - want[k]).abs() < 1e-9,
                    "fund {i} end {end} factor {k}: {} vs {}",
                    got[k],
                    want[k]
                );
            }
            let resid: Vec<f64> = rows
                .iter()
                .map(|&s| funds[i * t + s] - (0..n).map(|k| x(s, k) * got[k]).sum::<f64>())
                .collect();
            let obs: Vec<f64> = rows.iter().map(|&s| funds[i * t + s]).collect();
            let var = |v: &[f64]| {
                let m = v.iter().sum::<f64>() / v.len() as f64;
                v.iter().map(|e| (e - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
            };
            let fit = &res.fits[row];
            assert_eq!(fit.n_obs, rows.len());
            assert!((fit.r2 - (1.0 - var(&resid) / var(&obs))).abs() < 1e-9);
            assert!((fit.tracking_error - (var(&resid) * 52.0).sqrt()).abs() < 1e-9);
        }
    }
    assert_eq!(res.fits.len(), expected_rows);
    assert!(
        expected_rows < funds_n * (t + 1 - w),
        "some windows are below --min-obs"
    );
}

#[test]
fn stepwise_selection_picks_the_true_factors() {
    let mut rng = Rng::new(21);
    let (t, n) = (260, 12);
    let u = synthetic(&mut rng, t, n);
    let mut funds = Vec::new();
    let mut truths = Vec::new();
    for _ in 0..20 {
        let b = sparse_beta(&mut rng, n, 3);
        for s in 0..t {
            let r: f64 =
                (0..n).map(|k| u.factors[k * t + s] * b[k]).sum::<f64>() + rng.gaussian(0.0, 0.004);
            funds.push(r);
        }
        truths.push(b);
    }
    let fund_names: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
    let p = u.problem(&fund_names, &funds);
    let mut s = spec(Method::Sharpe, Constraints::SHARPE, None);
    s.selection = Some(Criterion::Bic);
    let res = analyse(&p, &s).unwrap();
    // BIC admits an irrelevant factor with probability ~1% (χ²₁ > ln T, one-sided under
    // long-only), so across 20 funds × 9 null factors one or two small extras are expected.
    let mut exact = 0;
    for (i, truth) in truths.iter().enumerate() {
        let b = &res.betas[i * n..(i + 1) * n];
        assert!(
            (0..n).filter(|&k| truth[k] > 0.0).all(|k| b[k] > 0.0),
            "fund {i} misses a true factor: {b:?}"
        );
        assert!(
            (0..n).filter(|&k| truth[k] == 0.0).all(|k| b[k] < 0.05),
            "fund {i} has a large spurious exposure: {b:?}"
        );
        exact += usize::from((0..n).all(|k| (b[k] > 0.0) == (truth[k] > 0.0)));
    }
    assert!(
        exact >= 18,
        "exactly the true factors for only {exact} of 20 funds"
    );
    // adjusted R² keeps the true factors too (it may add some)
    s.selection = Some(Criterion::AdjR2);
    let res = analyse(&p, &s).unwrap();
    for (i, truth) in truths.iter().enumerate() {
        assert!(
            (0..n)
                .filter(|&k| truth[k] > 0.0)
                .all(|k| res.betas[i * n + k] > 0.0),
            "fund {i}"
        );
    }
}

/// A DSA test case: t × n factors `x`, returns `r` from exposures `truth` (t × n) that
/// drift from one sparse β to another (or stay put), and 52-week blocks `years`.
struct DsaCase {
    n: usize,
    x: Vec<f64>,
    r: Vec<f64>,
    truth: Vec<f64>,
    years: Vec<i32>,
}

impl DsaCase {
    fn new(rng: &mut Rng, t: usize, n: usize, drift: bool, noise: f64) -> DsaCase {
        let x = factors(rng, t, n);
        let mut betas = vec![0.0; t * n];
        let start = sparse_beta(rng, n, n.min(3));
        let end = sparse_beta(rng, n, n.min(3));
        for s in 0..t {
            let w = if drift {
                s as f64 / (t - 1) as f64
            } else {
                0.0
            };
            for k in 0..n {
                betas[s * n + k] = (1.0 - w) * start[k] + w * end[k];
            }
        }
        let r = (0..t)
            .map(|s| {
                (0..n).map(|k| x[s * n + k] * betas[s * n + k]).sum::<f64>()
                    + rng.gaussian(0.0, noise)
            })
            .collect();
        let years = (0..t).map(|s| 2000 + (s / 52) as i32).collect();
        DsaCase {
            n,
            x,
            r,
            truth: betas,
            years,
        }
    }

    fn problem(&self) -> DsaProblem<'_> {
        DsaProblem {
            x: &self.x,
            r: &self.r,
            block: &self.years,
            n: self.n,
        }
    }
}

/// As λ grows every β_t tends to the whole-sample fit with the same constraints, the gap
/// falling like 1/λ (to ~1e-6 at λ = 1e8 for the sign-free smoother); for the long-only interior-point path (which
/// cannot take λ that large) the gap shrinks like 1/λ.
#[test]
fn dsa_with_huge_lambda_is_the_whole_sample_fit() {
    let mut rng = Rng::new(31);
    let (t, n) = (156, 5);
    let case = DsaCase::new(&mut rng, t, n, true, 0.01);
    let p = case.problem();
    let whole = |cons: Constraints| {
        let (g, c) = Problem {
            n,
            x: case.x.clone(),
            r: case.r.clone(),
        }
        .gram();
        peergroup_style::SharpeSolver::new(n)
            .solve(&g, &c, n, cons, None)
            .unwrap()
            .to_vec()
    };
    let gap = |cons: Constraints, lambda: f64| {
        let fit = dsa(&p, cons.budget, cons.long_only, Lambda::Fixed(lambda)).unwrap();
        let w = whole(cons);
        (0..t)
            .flat_map(|s| (0..n).map(move |k| (s, k)))
            .map(|(s, k)| (fit.betas[s * n + k] - w[k]).abs())
            .fold(0.0, f64::max)
    };
    let sign_free = Constraints {
        budget: true,
        long_only: false,
    };
    let (g6, g7, g8) = (
        gap(sign_free, 1e6),
        gap(sign_free, 1e7),
        gap(sign_free, 1e8),
    );
    assert!(g8 < 2e-6, "sign-free gap at λ=1e8: {g8}");
    for ratio in [g6 / g7, g7 / g8] {
        assert!(
            (8.0..12.0).contains(&ratio),
            "gap should fall like 1/λ: {g6} {g7} {g8}"
        );
    }
    let (g4, g6) = (gap(Constraints::SHARPE, 1e4), gap(Constraints::SHARPE, 1e6));
    assert!(
        g6 < 5e-4 && g6 < g4 / 20.0,
        "long-only gaps: λ=1e4 {g4}, λ=1e6 {g6}"
    );
}

#[test]
fn dsa_with_tiny_lambda_fits_returns_almost_exactly() {
    let mut rng = Rng::new(32);
    let (t, n) = (104, 4);
    let case = DsaCase::new(&mut rng, t, n, true, 0.02);
    let (x, r) = (&case.x, &case.r);
    let fit = dsa(&case.problem(), true, false, Lambda::Fixed(1e-8)).unwrap();
    let ssr: f64 = (0..t)
        .map(|s| {
            (r[s]
                - (0..n)
                    .map(|k| x[s * n + k] * fit.betas[s * n + k])
                    .sum::<f64>())
            .powi(2)
        })
        .sum();
    let sst: f64 = r.iter().map(|v| v * v).sum();
    assert!(ssr / sst < 1e-6, "relative SSR {}", ssr / sst);
    for s in 0..t {
        assert!(((0..n).map(|k| fit.betas[s * n + k]).sum::<f64>() - 1.0).abs() < 1e-9);
    }
}

#[test]
fn dsa_long_only_respects_constraints_and_auto_lambda_is_finite() {
    let mut rng = Rng::new(33);
    let (t, n) = (156, 5);
    let case = DsaCase::new(&mut rng, t, n, true, 0.005);
    let fit = dsa(&case.problem(), true, true, Lambda::Auto).unwrap();
    assert!(fit.lambda > 0.0 && fit.lambda.is_finite());
    assert!(
        fit.predicted_r2 > 0.5 && fit.predicted_r2 <= 1.0,
        "{}",
        fit.predicted_r2
    );
    for s in 0..t {
        let row = &fit.betas[s * n..(s + 1) * n];
        assert!(row.iter().all(|b| *b >= 0.0));
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-6);
    }
}

/// On exposures that drift from one style to another, DSA's path is closer to the truth
/// than 52-week rolling Sharpe windows: mean absolute error over all dates the rolling
/// windows cover, averaged over 10 funds.
#[test]
fn dsa_tracks_drifting_exposures_better_than_rolling_windows() {
    let mut rng = Rng::new(34);
    let (t, n, w) = (260, 5, 52);
    let mut mae_dsa = 0.0;
    let mut mae_roll = 0.0;
    for _ in 0..10 {
        let case = DsaCase::new(&mut rng, t, n, true, 0.005);
        let truth = &case.truth;
        let fit = dsa(&case.problem(), true, true, Lambda::Auto).unwrap();
        let u = Synthetic::from_rows(&case.x, t, n);
        let fund_names = vec!["f".to_string()];
        let sp = u.problem(&fund_names, &case.r);
        let roll = analyse(&sp, &spec(Method::Sharpe, Constraints::SHARPE, Some(w))).unwrap();
        for (row, e) in roll.exposures.iter().enumerate() {
            for k in 0..n {
                mae_roll += (roll.betas[row * n + k] - truth[e.t * n + k]).abs();
                mae_dsa += (fit.betas[e.t * n + k] - truth[e.t * n + k]).abs();
            }
        }
    }
    let cells = (10 * (t - w + 1) * n) as f64;
    let (mae_dsa, mae_roll) = (mae_dsa / cells, mae_roll / cells);
    assert!(
        mae_dsa < 0.7 * mae_roll,
        "DSA MAE {mae_dsa:.4} vs rolling MAE {mae_roll:.4}"
    );
}

#[test]
fn noise_free_universe_with_stepwise_selection_converges() {
    // Exact fits make degenerate vertices (multipliers and exposures at zero up to
    // rounding): the active-set loop must not block a step no bound limits.
    use peergroup_synth::{universe, UniverseConfig};
    let u = universe(&UniverseConfig {
        funds: 12,
        factors: 8,
        periods: 156,
        groups: 3,
        r2: (1.0, 1.0),
        seed: 5,
        ..UniverseConfig::default()
    });
    let years: Vec<i32> = u.dates.iter().map(|d| d.year()).collect();
    let p = StyleProblem {
        factor_names: &u.factor_names,
        factors: &u.factor_returns,
        fund_names: &u.fund_names,
        funds: &u.fund_returns,
        years: &years,
    };
    for selection in [None, Some(Criterion::AdjR2)] {
        let spec = StyleSpec {
            method: Method::Sharpe,
            constraints: Constraints::SHARPE,
            window: Some(52),
            step: 4,
            min_obs: None,
            selection,
            lambda: Lambda::Auto,
            periods_per_year: 52.0,
        };
        let res = analyse(&p, &spec).unwrap();
        assert!(res.fits.iter().all(|f| f.r2 > 0.999), "{selection:?}");
    }
}

/// `analyse_with` reports every fund once and returns what `analyse` returns, on the
/// shared-window path (plain rolling Sharpe) and the per-fund path (stepwise).
#[test]
fn progress_counts_every_fund_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let rolling = spec(Method::Sharpe, Constraints::SHARPE, Some(60));
    let stepwise = StyleSpec {
        selection: Some(Criterion::Bic),
        ..spec(Method::Sharpe, Constraints::SHARPE, None)
    };
    with_french(&french(), |p| {
        for s in [rolling, stepwise] {
            let done = AtomicUsize::new(0);
            let counted = analyse_with(p, &s, &|| {
                done.fetch_add(1, Ordering::Relaxed);
            })
            .unwrap();
            assert_eq!(done.load(Ordering::Relaxed), FUNDS.len());
            assert_eq!(counted.betas, analyse(p, &s).unwrap().betas);
        }
    });
}

/// Dynamic style analysis with per-window stepwise selection (seed 004 §6.2): a fund
/// drifting between two mixes of factors 0-2, five irrelevant factors. Every window keeps
/// the relevant factors and gives the irrelevant ones β = 0 on every date, the path on
/// the selected factors is exactly the dynamic fit on those columns alone, and the
/// output differs from the run without selection (which spreads small exposures).
#[test]
fn dsa_with_stepwise_selection_drops_irrelevant_factors() {
    let mut rng = Rng::new(35);
    let (t, n, w) = (208, 8, 104);
    let x = factors(&mut rng, t, n);
    let (from, to) = ([0.6, 0.4, 0.0], [0.2, 0.3, 0.5]);
    let r: Vec<f64> = (0..t)
        .map(|s| {
            let a = s as f64 / (t - 1) as f64;
            (0..3)
                .map(|k| x[s * n + k] * ((1.0 - a) * from[k] + a * to[k]))
                .sum::<f64>()
                + rng.gaussian(0.0, 0.002)
        })
        .collect();
    let u = Synthetic::from_rows(&x, t, n);
    let fund_names = vec!["f".to_string()];
    let p = u.problem(&fund_names, &r);
    let mut s = spec(Method::Dsa, Constraints::SHARPE, Some(w));
    s.step = 52;
    s.lambda = Lambda::Fixed(1.0);
    let plain = analyse(&p, &s).unwrap();
    s.selection = Some(Criterion::Bic);
    let selected = analyse(&p, &s).unwrap();
    assert_eq!(selected.exposures, plain.exposures);
    assert_ne!(selected.betas, plain.betas);
    assert!(
        plain
            .betas
            .chunks(n)
            .any(|b| b[3..].iter().any(|v| *v > 1e-6)),
        "without selection the irrelevant factors get some exposure"
    );
    for (row, e) in selected.exposures.iter().enumerate() {
        let b = &selected.betas[row * n..(row + 1) * n];
        assert!(
            b[3..].iter().all(|v| *v == 0.0),
            "window ending {}: {b:?}",
            e.t
        );
        assert!(
            b[..3].iter().all(|v| *v > 0.0),
            "window ending {}: {b:?}",
            e.t
        );
        // the same as a dynamic fit on the three selected columns of the window
        let start = e.t + 1 - w;
        let xs: Vec<f64> = (start..=e.t)
            .flat_map(|d| (0..3).map(move |k| (d, k)))
            .map(|(d, k)| x[d * n + k])
            .collect();
        let years = &u.years[start..=e.t];
        let direct = dsa(
            &DsaProblem {
                x: &xs,
                r: &r[start..=e.t],
                block: years,
                n: 3,
            },
            true,
            true,
            Lambda::Fixed(1.0),
        )
        .unwrap();
        let last = &direct.betas[(w - 1) * 3..];
        for k in 0..3 {
            assert!((b[k] - last[k]).abs() < 1e-12, "{b:?} vs {last:?}");
        }
    }
}
