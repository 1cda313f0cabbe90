//! Residual returns behind the reported exposures: a hand-worked rolling case (step 2, a
//! skipped window, a missing return) and whole-sample fits whose residual variance gives
//! back the reported R².

use peergroup_style::analysis::{ExposureRow, Fit};
use peergroup_style::{
    analyse, residuals, Constraints, Lambda, Method, StyleProblem, StyleResult, StyleSpec,
};

/// Factors `F0..` and funds `f0..` (series-major), dated in 12-period years from 2000.
struct Case {
    factor_names: Vec<String>,
    fund_names: Vec<String>,
    factors: Vec<f64>,
    funds: Vec<f64>,
    years: Vec<i32>,
}

impl Case {
    fn new(factors: Vec<f64>, funds: Vec<f64>, t: usize) -> Case {
        let names = |prefix: &str, len: usize| -> Vec<String> {
            (0..len / t).map(|k| format!("{prefix}{k}")).collect()
        };
        Case {
            factor_names: names("F", factors.len()),
            fund_names: names("f", funds.len()),
            years: (0..t).map(|d| 2000 + (d / 12) as i32).collect(),
            factors,
            funds,
        }
    }

    fn problem(&self) -> StyleProblem<'_> {
        StyleProblem {
            factor_names: &self.factor_names,
            factors: &self.factors,
            fund_names: &self.fund_names,
            funds: &self.funds,
            years: &self.years,
        }
    }
}

#[test]
fn rolling_residuals_by_hand() {
    // Window 3, step 2: windows end on dates 2, 4 and 6. Fund b has no window ending on 4
    // (skipped, e.g. too few returns) and no return on date 5.
    let factors = vec![
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, // f1
        1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, // f2
    ];
    let nan = f64::NAN;
    let funds = vec![
        10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, // a
        1.0, 1.0, 1.0, 1.0, 1.0, nan, 1.0, // b
    ];
    let case = Case::new(factors, funds, 7);
    let p = case.problem();
    let spec = StyleSpec {
        window: Some(3),
        step: 2,
        ..StyleSpec::default()
    };
    let rows = [(0, 2), (0, 4), (0, 6), (1, 2), (1, 6)];
    let res = StyleResult {
        n_factors: 2,
        exposures: rows
            .iter()
            .map(|&(fund, t)| ExposureRow { fund, t })
            .collect(),
        betas: vec![1.0, 2.0, 2.0, 0.0, 0.0, 1.0, 0.5, 0.5, 0.25, 0.75],
        fits: vec![Fit::default(); 5],
    };
    let e = residuals(&p, &spec, &res);
    // a: dates 0-2 from the window ending on 2 (β = 1, 2): 10 − 3, 11 − 2, 12 − 5;
    //    dates 3-4 from the one ending on 4 (β = 2, 0): 13 − 8, 14 − 10;
    //    dates 5-6 from the one ending on 6 (β = 0, 1): 15 − 0, 16 − 1.
    // b: dates 0-2 (β = .5, .5): 0, 0, −1; date 3 is outside the window ending on 6
    //    (dates 4-6), date 5 has no return: date 4 (β = .25, .75): 1 − 2, date 6: 1 − 2.5.
    assert_eq!(e.fund, vec![0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    assert_eq!(e.t, vec![0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 4, 6]);
    assert_eq!(
        e.value,
        vec![7.0, 9.0, 7.0, 5.0, 4.0, 15.0, 15.0, 0.0, 0.0, -1.0, -1.0, -1.5]
    );
}

/// Deterministic pseudo-random numbers in (−1, 1) (a small LCG: the test needs no
/// statistical quality, only varied values).
fn noise(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ((*state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

#[test]
fn whole_sample_residuals_give_back_the_reported_r2() {
    let (t, n, funds) = (120, 3, 4);
    let mut s = 7u64;
    let factors: Vec<f64> = (0..n * t).map(|_| 0.05 * noise(&mut s)).collect();
    let mut returns = vec![0.0; funds * t];
    for i in 0..funds {
        let b = [0.5, 0.3, 0.2];
        for d in 0..t {
            let sys: f64 = (0..n).map(|k| b[(k + i) % n] * factors[k * t + d]).sum();
            returns[i * t + d] = sys + 0.01 * (i + 1) as f64 * noise(&mut s);
        }
    }
    let case = Case::new(factors, returns.clone(), t);
    let p = case.problem();
    for (method, constraints) in [
        (Method::Sharpe, Constraints::SHARPE),
        (Method::Ols, Constraints::OLS),
    ] {
        let spec = StyleSpec {
            method,
            constraints,
            lambda: Lambda::Auto,
            ..StyleSpec::default()
        };
        let res = analyse(&p, &spec).unwrap();
        let e = residuals(&p, &spec, &res);
        assert_eq!(e.value.len(), funds * t);
        for (i, fit) in res.fits.iter().enumerate() {
            let ei = &e.value[i * t..(i + 1) * t];
            let ri = &returns[i * t..(i + 1) * t];
            let var = |v: &[f64]| {
                let m = v.iter().sum::<f64>() / v.len() as f64;
                v.iter().map(|x| (x - m).powi(2)).sum::<f64>()
            };
            let r2 = 1.0 - var(ei) / var(ri);
            assert!(
                (r2 - fit.r2).abs() < 1e-9,
                "{method:?} fund {i}: {r2} vs {}",
                fit.r2
            );
        }
    }
}

#[test]
fn whole_sample_dsa_residuals_use_each_dates_exposures() {
    let (t, n) = (48, 2);
    let mut s = 11u64;
    let factors: Vec<f64> = (0..n * t).map(|_| 0.04 * noise(&mut s)).collect();
    let returns: Vec<f64> = (0..t)
        .map(|d| {
            let w = d as f64 / t as f64;
            w * factors[d] + (1.0 - w) * factors[t + d] + 0.002 * noise(&mut s)
        })
        .collect();
    let case = Case::new(factors.clone(), returns.clone(), t);
    let p = case.problem();
    let spec = StyleSpec {
        method: Method::Dsa,
        lambda: Lambda::Fixed(0.5),
        ..StyleSpec::default()
    };
    let res = analyse(&p, &spec).unwrap();
    assert_eq!(res.exposures.len(), t);
    let e = residuals(&p, &spec, &res);
    for d in 0..t {
        let b = &res.betas[d * n..(d + 1) * n];
        let want = returns[d] - b[0] * factors[d] - b[1] * factors[t + d];
        assert_eq!(e.t[d], d);
        assert!((e.value[d] - want).abs() < 1e-15);
    }
}
