//! A fund universe with known style exposures, for returns-based style analysis and
//! factor-aware peer groups.
//!
//! **Model.** Sharpe's (1992) asset-class factor model: each fund's return is a long-only,
//! fully invested mix of factor returns plus idiosyncratic noise,
//! `r_i,t = Σ_k β_i,t,k · f_k,t + ε_i,t` with `β ≥ 0`, `Σ_k β = 1`. Style analysis must
//! recover `β`; peer grouping (Fragkiskos & Bauman, "Factor based clustering") must
//! recover which funds share a style. This generator writes down both truths.
//!
//! **Factors** come from a fixed catalogue of 40 readable indices (`US_Large`, `US_Govt`,
//! `US_Tech`, `Gold`, …; the first `K` are used, ordered so that any prefix mixes equity,
//! bonds and commodities). Each is driven by independent unit-normal components:
//! a global equity market, equity regions, equity sectors, size, global and regional
//! rates, credit, inflation and commodities, plus its own noise. Equity factors load
//! heavily on the market, so they correlate 0.4–0.86 among themselves (median 0.6; more
//! within a region or sector); bonds load on rates and correlate mildly negatively with
//! equity. Every factor keeps at least 5% own variance, so no two factors correlate above
//! 0.86 and style analysis stays identifiable. Volatility and drift are annual figures scaled
//! to the frequency (weekly: ≈2.2% equity, ≈0.5% government bonds). Returns are Gaussian,
//! floored at −95% (binds only for extreme draws at annual frequency).
//!
//! **Groups.** `G` prototypes, each a sparse exposure vector (2–4 factors, `Σ = 1`) with a
//! dominant factor of weight 0.5–0.8; dominant factors differ across groups while factors
//! last. Secondary factors favour the dominant's sector, region and asset class, which
//! yields readable categories ("US Technology Equity", "Global Allocation"). Two pitfalls
//! are built in: groups 0 and 1 are *look-alikes* (when `K ≥ 9` and `G ≥ 2`): equity
//! sector factors of one region with disjoint sectors, so their returns correlate ≈ 0.9
//! although no factor is shared; and per-fund target R² varies, so low-R² funds of one
//! group correlate weakly with each other although their exposures are identical.
//!
//! **Funds** are spread over groups (every group non-empty, sizes uneven). A fund's
//! exposure is its prototype tilted multiplicatively on the same support
//! (`β_k ∝ p_k · e^{0.2 z_k}`). Noise variance is set from the fund's target R² and the
//! *population* factor covariance: `σ² = β'Σβ · (1 − R²)/R²`, so realised R² matches the
//! target on long samples, and R² = 1 gives exactly `r = Σ β f`.
//!
//! **Dynamic.** With `dynamic`, the log-tilts follow an AR(1) with a one-year half-life
//! (a pure random walk on the simplex would drift into a corner over long samples), and
//! about 30% of funds migrate linearly to another group's prototype over 10% of the
//! sample, starting at a random time. `true_betas` records the exposure of every period.
//!
//! Deterministic in the seed; each fund draws from its own sub-stream, so generation is
//! parallel and independent of the thread schedule.

use peergroup_data::{Date, Frequency};

mod calendar;
mod factors;
mod generate;
mod groups;

pub use generate::universe;

/// Size, seed and shape of a synthetic fund universe.
#[derive(Clone, Copy, Debug)]
pub struct UniverseConfig {
    /// Number of funds (≥ 1).
    pub funds: usize,
    /// Number of factors, 2..=40 (the first `factors` of the catalogue).
    pub factors: usize,
    /// Number of return periods (≥ 2).
    pub periods: usize,
    /// Number of true style groups, 1..=funds.
    pub groups: usize,
    /// Whether exposures drift over time and some funds switch style.
    pub dynamic: bool,
    /// Random seed.
    pub seed: u64,
    /// Observation frequency: sets the dates and scales volatility and drift.
    pub frequency: Frequency,
    /// Date of the first return (moved forward to the first valid date of the frequency).
    pub start: Date,
    /// Range `(lo, hi)` of per-fund target R² (systematic share of variance), in (0, 1].
    pub r2: (f64, f64),
    /// Probability that a fund's vendor category is not its true group's label, in [0, 1].
    pub category_noise: f64,
}

impl Default for UniverseConfig {
    fn default() -> Self {
        UniverseConfig {
            funds: 200,
            factors: 12,
            periods: 520,
            groups: 8,
            dynamic: false,
            seed: 1,
            frequency: Frequency::Weekly,
            start: Date::from_ymd(2012, 1, 6).expect("valid date"),
            r2: (0.75, 0.95),
            category_noise: 0.15,
        }
    }
}

impl UniverseConfig {
    /// Check sizes and ranges; the error says which field is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=MAX_FACTORS).contains(&self.factors) {
            return Err(format!(
                "factors must be between 2 and {MAX_FACTORS}, got {}",
                self.factors
            ));
        }
        if self.funds < 1 {
            return Err("funds must be at least 1".into());
        }
        if self.groups < 1 {
            return Err("groups must be at least 1".into());
        }
        if self.groups > self.funds {
            return Err(format!(
                "groups ({}) cannot exceed funds ({})",
                self.groups, self.funds
            ));
        }
        if self.periods < 2 {
            return Err(format!("periods must be at least 2, got {}", self.periods));
        }
        let (lo, hi) = self.r2;
        let in_unit = |x: f64| x > 0.0 && x <= 1.0;
        if !(in_unit(lo) && in_unit(hi) && lo <= hi) {
            return Err(format!(
                "r2 range must satisfy 0 < lo <= hi <= 1, got ({lo}, {hi})"
            ));
        }
        if !(0.0..=1.0).contains(&self.category_noise) {
            return Err(format!(
                "category_noise must be in [0, 1], got {}",
                self.category_noise
            ));
        }
        Ok(())
    }
}

/// Descriptive attributes of one factor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactorAttributes {
    /// "Equity", "Fixed Income", "Commodity" or "Cash".
    pub asset_class: String,
    /// Sector or segment, e.g. "Technology", "Broad", "Government", "Precious Metals".
    pub sector: String,
    /// Region, e.g. "US", "Europe", "Japan", "Emerging Markets", "UK", "Global".
    pub region: String,
}

/// A fund's migration to another group's style (dynamic universes only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StyleSwitch {
    /// Group whose prototype the fund ends up with.
    pub to_group: usize,
    /// First period of the transition (exposure still mostly the original).
    pub start: usize,
    /// Last period of the transition; from here on the exposure is the new style.
    pub end: usize,
}

/// A generated universe; all returns are fractions per period.
#[derive(Clone, Debug)]
pub struct Universe {
    /// Observation frequency.
    pub frequency: Frequency,
    /// Date of each period's return (Fridays, month/quarter/year ends or business days).
    pub dates: Vec<Date>,
    /// Factor names, readable and unique (e.g. "US_Tech", "EU_Govt", "Gold").
    pub factor_names: Vec<String>,
    /// Asset class, sector and region of each factor.
    pub factor_attributes: Vec<FactorAttributes>,
    /// Factor returns, factor-major: `factor_returns[k * periods + t]`.
    pub factor_returns: Vec<f64>,
    /// Population covariance of factor returns per period: `[k * factors + l]`.
    pub factor_covariance: Vec<f64>,
    /// Fund ids ("FUND0001", …).
    pub fund_names: Vec<String>,
    /// Fund returns, fund-major: `fund_returns[i * periods + t]`.
    pub fund_returns: Vec<f64>,
    /// True style group of each fund, in 0..groups (the group at period 0).
    pub true_group: Vec<usize>,
    /// Unique readable label of each group (e.g. "US Technology Equity").
    pub group_labels: Vec<String>,
    /// Group prototype exposures: `prototypes[g * factors + k]`, each row ≥ 0 summing to 1.
    pub prototypes: Vec<f64>,
    /// Vendor category of each fund: a group label, wrong with probability `category_noise`.
    pub category: Vec<String>,
    /// Exposure of fund `i` at period `t` to factor `k`: `[(i * periods + t) * factors + k]`.
    pub true_betas: Vec<f64>,
    /// Target R² of each fund (noise is scaled to reach it).
    pub target_r2: Vec<f64>,
    /// Look-alike groups: highly correlated returns from disjoint sector factors.
    pub lookalike_groups: Option<(usize, usize)>,
    /// Style switch of each fund, if any (always `None` unless dynamic).
    pub switches: Vec<Option<StyleSwitch>>,
}

impl Universe {
    /// The factor attribute table as columns: `(attribute name, label per factor)` for
    /// asset_class, sector and region (the columns of `factor_attributes.csv`).
    pub fn attribute_columns(&self) -> Vec<(&'static str, Vec<String>)> {
        let column = |f: fn(&FactorAttributes) -> &String| {
            self.factor_attributes
                .iter()
                .map(|a| f(a).clone())
                .collect()
        };
        vec![
            ("asset_class", column(|a| &a.asset_class)),
            ("sector", column(|a| &a.sector)),
            ("region", column(|a| &a.region)),
        ]
    }

    /// Number of periods.
    pub fn periods(&self) -> usize {
        self.dates.len()
    }

    /// Number of factors.
    pub fn n_factors(&self) -> usize {
        self.factor_names.len()
    }

    /// Number of funds.
    pub fn n_funds(&self) -> usize {
        self.fund_names.len()
    }

    /// Returns of factor `k`, one per period.
    pub fn factor_series(&self, k: usize) -> &[f64] {
        let t = self.periods();
        &self.factor_returns[k * t..(k + 1) * t]
    }

    /// Returns of fund `i`, one per period.
    pub fn fund_series(&self, i: usize) -> &[f64] {
        let t = self.periods();
        &self.fund_returns[i * t..(i + 1) * t]
    }

    /// True exposures of fund `i` at period `t`, one per factor.
    pub fn betas(&self, i: usize, t: usize) -> &[f64] {
        let k = self.n_factors();
        let at = (i * self.periods() + t) * k;
        &self.true_betas[at..at + k]
    }

    /// Prototype exposures of group `g`, one per factor.
    pub fn prototype(&self, g: usize) -> &[f64] {
        let k = self.n_factors();
        &self.prototypes[g * k..(g + 1) * k]
    }
}

/// Largest supported number of factors (size of the catalogue).
pub const MAX_FACTORS: usize = 40;
