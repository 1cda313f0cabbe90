//! Daily fund returns from the AT-GARCH(1,1) risk model with known parameters, for the
//! risk/return rating (METHODS §5; what it plants: §7.4).
//!
//! Funds come in three kinds, in a fixed 5 : 3 : 2 rotation so every kind is present from
//! ten funds on: `at_garch` (α, β and a turmoil term δ > 0), `garch` (δ = 0: symmetric
//! GARCH(1,1)) and `no_arch` (α = β = δ = 0: constant variance). Annual volatility is
//! drawn between 4% and 25% (bond-like to equity-like) and the expected annual return
//! rises with it (1% + 0.3·σ plus noise), so the rating has real gain/risk trade-offs to
//! find. γ is set so the unconditional variance is the drawn volatility², and each
//! turmoil fund's threshold ε* is the first decile of its own stationary residuals.
//! Dates are business days (Monday to Friday) from `start`.

use peergroup_data::Date;
use peergroup_random::Rng;
use peergroup_rating::{simulate, stationary_threshold, AtGarch};
use rayon::prelude::*;

/// Size and seed of a synthetic GARCH universe.
#[derive(Clone, Copy, Debug)]
pub struct GarchConfig {
    /// Number of funds (≥ 1).
    pub funds: usize,
    /// Number of daily returns per fund (≥ 2).
    pub periods: usize,
    /// Random seed.
    pub seed: u64,
    /// First business day on or after this date starts the series.
    pub start: Date,
    /// Quantile defining turmoil shocks (the rating's default 0.1).
    pub threshold_quantile: f64,
}

impl Default for GarchConfig {
    fn default() -> Self {
        GarchConfig {
            funds: 100,
            periods: 1600,
            seed: 1,
            start: Date::from_ymd(2018, 1, 1).expect("valid date"),
            threshold_quantile: 0.1,
        }
    }
}

/// Kind of variance process of a synthetic fund.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GarchKind {
    /// Asymmetric: α, β and δ > 0.
    AtGarch,
    /// Symmetric GARCH(1,1): δ = 0.
    Garch,
    /// Constant variance: α = β = δ = 0.
    NoArch,
}

impl GarchKind {
    /// `at_garch`, `garch` or `no_arch`.
    pub fn as_str(self) -> &'static str {
        match self {
            GarchKind::AtGarch => "at_garch",
            GarchKind::Garch => "garch",
            GarchKind::NoArch => "no_arch",
        }
    }
}

/// The truth about one synthetic fund.
#[derive(Clone, Debug, PartialEq)]
pub struct GarchFund {
    /// Fund id (`G0001`, …).
    pub name: String,
    /// Kind of variance process.
    pub kind: GarchKind,
    /// True parameters (daily returns as fractions).
    pub params: AtGarch,
    /// Turmoil threshold ε* on residuals (fraction; NaN when δ = 0, where it plays no role).
    pub threshold: f64,
    /// Annualised unconditional volatility (fraction).
    pub annual_vol: f64,
}

/// A synthetic GARCH universe: business-day dates, funds and their returns.
#[derive(Clone, Debug, PartialEq)]
pub struct GarchSynth {
    /// Business days, increasing.
    pub dates: Vec<Date>,
    /// The funds with their true parameters.
    pub funds: Vec<GarchFund>,
    /// Daily returns as fractions, fund-major: `returns[i * periods + t]`.
    pub returns: Vec<f64>,
}

/// Generate the universe.
///
/// # Panics
/// If `funds == 0` or `periods < 2`.
pub fn garch_universe(config: &GarchConfig) -> GarchSynth {
    assert!(
        config.funds >= 1 && config.periods >= 2,
        "garch_universe: empty universe"
    );
    let mut dates = Vec::with_capacity(config.periods);
    let mut d = config.start;
    while dates.len() < config.periods {
        if d.weekday() < 5 {
            dates.push(d);
        }
        d = d.add_days(1);
    }
    let per_fund: Vec<(GarchFund, Vec<f64>)> = (0..config.funds)
        .into_par_iter()
        .map(|i| fund(config, i))
        .collect();
    let mut funds = Vec::with_capacity(config.funds);
    let mut returns = Vec::with_capacity(config.funds * config.periods);
    for (f, r) in per_fund {
        funds.push(f);
        returns.extend(r);
    }
    GarchSynth {
        dates,
        funds,
        returns,
    }
}

fn fund(config: &GarchConfig, i: usize) -> (GarchFund, Vec<f64>) {
    let mut rng = Rng::stream(config.seed, i as u64);
    let kind = match i % 10 {
        0..=4 => GarchKind::AtGarch,
        5..=7 => GarchKind::Garch,
        _ => GarchKind::NoArch,
    };
    let annual_vol = rng.uniform_range(0.04, 0.25);
    let annual_mean = 0.01 + 0.3 * annual_vol + rng.gaussian(0.0, 0.02);
    let variance = annual_vol * annual_vol / 252.0;
    let (alpha, beta, delta) = match kind {
        GarchKind::AtGarch => (
            rng.uniform_range(0.02, 0.06),
            rng.uniform_range(0.80, 0.88),
            rng.uniform_range(0.08, 0.20),
        ),
        GarchKind::Garch => (
            rng.uniform_range(0.04, 0.10),
            rng.uniform_range(0.82, 0.88),
            0.0,
        ),
        GarchKind::NoArch => (0.0, 0.0, 0.0),
    };
    // E[S ε²]/E[ε²] ≈ 0.33 for a first-decile threshold. Persistence is capped at 0.97 by
    // lowering β, so γ stays positive and the variance mean-reverts within a sample.
    let beta = beta.min(0.97 - alpha - 0.33 * delta);
    let persistence = alpha + beta + 0.33 * delta;
    let params = AtGarch {
        mu: annual_mean / 252.0,
        gamma: variance * (1.0 - persistence),
        alpha,
        beta,
        delta,
    };
    let threshold = if delta > 0.0 {
        stationary_threshold(
            &params,
            config.threshold_quantile,
            20_000,
            config.seed ^ 0x9e37_79b9_7f4a_7c15 ^ i as u64,
        )
    } else {
        f64::NAN
    };
    let r = simulate(&params, threshold, config.periods, 500, &mut rng);
    (
        GarchFund {
            name: format!("G{:04}", i + 1),
            kind,
            params,
            threshold,
            annual_vol,
        },
        r,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_dates_and_determinism() {
        let c = GarchConfig {
            funds: 20,
            periods: 300,
            seed: 4,
            ..Default::default()
        };
        let a = garch_universe(&c);
        let same = |x: &GarchSynth, y: &GarchSynth| {
            x.returns == y.returns
                && x.funds.iter().zip(&y.funds).all(|(f, g)| {
                    f.params == g.params && f.threshold.to_bits() == g.threshold.to_bits()
                })
        };
        assert!(same(&a, &garch_universe(&c)));
        assert_eq!(a.returns.len(), 20 * 300);
        assert!(a.dates.iter().all(|d| d.weekday() < 5));
        assert!(a.dates.windows(2).all(|w| w[0] < w[1]));
        let count = |k| a.funds.iter().filter(|f| f.kind == k).count();
        assert_eq!(
            (
                count(GarchKind::AtGarch),
                count(GarchKind::Garch),
                count(GarchKind::NoArch)
            ),
            (10, 6, 4)
        );
        for f in &a.funds {
            let p = f.params;
            assert!(p.gamma > 0.0 && p.alpha + p.beta + 0.33 * p.delta <= 0.97 + 1e-12);
            assert_eq!(f.kind == GarchKind::NoArch, p.alpha == 0.0 && p.beta == 0.0);
            assert_eq!(f.threshold.is_nan(), p.delta == 0.0);
        }
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| garch_universe(&c));
        assert!(same(&a, &one));
    }

    #[test]
    fn every_fund_is_stationary_with_positive_intercept() {
        let u = garch_universe(&GarchConfig {
            funds: 1000,
            periods: 2,
            seed: 9,
            ..Default::default()
        });
        for f in &u.funds {
            let p = f.params;
            assert!(p.gamma > 0.0, "{}: {p:?}", f.name);
            assert!(
                p.alpha + p.beta + 0.33 * p.delta <= 0.97 + 1e-12,
                "{}: {p:?}",
                f.name
            );
        }
        assert!(u.returns.iter().all(|r| r.is_finite()));
    }
}
