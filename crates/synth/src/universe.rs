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
use peergroup_random::Rng;
use rayon::prelude::*;

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

// ---------------------------------------------------------------------------------------
// Factor catalogue

// Independent driving components (unit-normal each period).
const C_MKT: usize = 0;
const C_US: usize = 1;
const C_EU: usize = 2;
const C_JP: usize = 3;
const C_EM: usize = 4;
const C_UK: usize = 5;
const C_TECH: usize = 6;
const C_FIN: usize = 7;
const C_HEALTH: usize = 8;
const C_ENERGY: usize = 9;
const C_CONS: usize = 10;
const C_INDU: usize = 11;
const C_UTIL: usize = 12;
const C_REAL: usize = 13;
const C_SIZE: usize = 14;
const C_RATES: usize = 15;
const C_RATES_US: usize = 16;
const C_RATES_EU: usize = 17;
const C_RATES_JP: usize = 18;
const C_CREDIT: usize = 19;
const C_INFL: usize = 20;
const C_COMMOD: usize = 21;
const N_COMPONENTS: usize = 22;

struct FactorSpec {
    name: String,
    class: &'static str,
    sector: &'static str,
    region: &'static str,
    /// Annual volatility.
    vol: f64,
    /// Annual drift.
    drift: f64,
    /// Loadings on the components (correlation scale: Σ loading² < 1).
    loads: Vec<(usize, f64)>,
}

impl FactorSpec {
    /// Standard deviation of the factor's own noise on the correlation scale.
    fn own(&self) -> f64 {
        (1.0 - self.loads.iter().map(|(_, l)| l * l).sum::<f64>()).sqrt()
    }
}

const EQUITY: &str = "Equity";
const FIXED_INCOME: &str = "Fixed Income";
const COMMODITY: &str = "Commodity";
const CASH: &str = "Cash";

fn region_info(code: &str) -> (&'static str, usize) {
    match code {
        "US" => ("US", C_US),
        "EU" => ("Europe", C_EU),
        "JP" => ("Japan", C_JP),
        "EM" => ("Emerging Markets", C_EM),
        "UK" => ("UK", C_UK),
        _ => unreachable!("unknown region code {code}"),
    }
}

/// An equity factor: region code, sector (None = broad market index), annual vol.
fn equity(region: &str, sector: Option<&'static str>, vol: f64) -> FactorSpec {
    let (region_name, rc) = region_info(region);
    let em = region == "EM";
    let (m, r) = if em { (0.70, 0.50) } else { (0.775, 0.447) };
    let (short, sector_name, loads) = match sector {
        None => ("Large", "Broad", vec![(C_MKT, m + 0.045), (rc, r + 0.05)]),
        Some(s) => {
            let (short, sc) = match s {
                "Technology" => ("Tech", C_TECH),
                "Financials" => ("Fin", C_FIN),
                "Health Care" => ("Health", C_HEALTH),
                "Energy" => ("Energy", C_ENERGY),
                "Consumer" => ("Cons", C_CONS),
                "Industrials" => ("Indu", C_INDU),
                "Utilities" => ("Util", C_UTIL),
                "Real Estate" => ("RealEst", C_REAL),
                "Small Cap" => ("Small", C_SIZE),
                _ => unreachable!("unknown sector {s}"),
            };
            let mut loads = match s {
                // Defensive, rate-sensitive sectors: less market, some duration.
                "Utilities" => vec![(C_MKT, 0.62), (rc, 0.40), (sc, 0.38), (C_RATES, 0.25)],
                "Real Estate" => vec![(C_MKT, 0.68), (rc, 0.42), (sc, 0.36), (C_RATES, 0.20)],
                "Energy" => vec![(C_MKT, 0.70), (rc, 0.40), (sc, 0.35), (C_COMMOD, 0.30)],
                _ => vec![(C_MKT, m), (rc, r), (sc, 0.35)],
            };
            if em {
                loads[0].1 -= 0.05;
                loads[1].1 = 0.50;
            }
            (short, s, loads)
        }
    };
    FactorSpec {
        name: format!("{region}_{short}"),
        class: EQUITY,
        sector: sector_name,
        region: region_name,
        vol,
        drift: 0.07 + 0.1 * (vol - 0.15),
        loads,
    }
}

fn other(
    name: &str,
    class: &'static str,
    sector: &'static str,
    region: &'static str,
    vol: f64,
    drift: f64,
    loads: &[(usize, f64)],
) -> FactorSpec {
    FactorSpec {
        name: name.to_string(),
        class,
        sector,
        region,
        vol,
        drift,
        loads: loads.to_vec(),
    }
}

/// The 40 catalogue factors, ordered so that every prefix mixes asset classes and the
/// first nine already hold four US sector factors (for the look-alike groups).
fn catalogue() -> Vec<FactorSpec> {
    let fi = FIXED_INCOME;
    vec![
        equity("US", None, 0.16),
        other(
            "US_Govt",
            fi,
            "Government",
            "US",
            0.040,
            0.030,
            &[(C_RATES, 0.75), (C_RATES_US, 0.50), (C_MKT, -0.10)],
        ),
        equity("US", Some("Technology"), 0.22),
        equity("EU", None, 0.17),
        equity("US", Some("Financials"), 0.20),
        other(
            "Gold",
            COMMODITY,
            "Precious Metals",
            "Global",
            0.15,
            0.04,
            &[(C_INFL, 0.40), (C_COMMOD, 0.20), (C_MKT, 0.05)],
        ),
        equity("US", Some("Health Care"), 0.15),
        other(
            "US_Corp",
            fi,
            "Corporate",
            "US",
            0.050,
            0.038,
            &[
                (C_RATES, 0.60),
                (C_RATES_US, 0.40),
                (C_CREDIT, 0.42),
                (C_MKT, 0.15),
            ],
        ),
        equity("US", Some("Consumer"), 0.16),
        equity("EM", None, 0.21),
        equity("US", Some("Energy"), 0.24),
        other(
            "EU_Govt",
            fi,
            "Government",
            "Europe",
            0.045,
            0.022,
            &[(C_RATES, 0.70), (C_RATES_EU, 0.55), (C_MKT, -0.10)],
        ),
        equity("JP", None, 0.17),
        other(
            "US_HighYield",
            fi,
            "High Yield",
            "US",
            0.080,
            0.055,
            &[
                (C_CREDIT, 0.60),
                (C_MKT, 0.45),
                (C_RATES, 0.15),
                (C_RATES_US, 0.10),
            ],
        ),
        equity("EU", Some("Technology"), 0.22),
        equity("US", Some("Small Cap"), 0.20),
        other(
            "Cash_USD",
            CASH,
            "Money Market",
            "US",
            0.005,
            0.020,
            &[(C_RATES_US, 0.10)],
        ),
        equity("EU", Some("Financials"), 0.21),
        equity("US", Some("Industrials"), 0.17),
        other(
            "Oil",
            COMMODITY,
            "Energy",
            "Global",
            0.32,
            0.03,
            &[
                (C_COMMOD, 0.65),
                (C_ENERGY, 0.35),
                (C_MKT, 0.25),
                (C_INFL, 0.15),
            ],
        ),
        other(
            "EM_Debt",
            fi,
            "Sovereign",
            "Emerging Markets",
            0.090,
            0.060,
            &[
                (C_CREDIT, 0.45),
                (C_MKT, 0.30),
                (C_RATES, 0.35),
                (C_EM, 0.30),
            ],
        ),
        equity("EU", Some("Health Care"), 0.15),
        equity("US", Some("Utilities"), 0.14),
        other(
            "US_TIPS",
            fi,
            "Inflation-Linked",
            "US",
            0.050,
            0.032,
            &[(C_RATES, 0.55), (C_RATES_US, 0.35), (C_INFL, 0.50)],
        ),
        equity("EU", Some("Energy"), 0.23),
        equity("EU", Some("Consumer"), 0.17),
        equity("JP", Some("Technology"), 0.23),
        equity("EM", Some("Technology"), 0.26),
        equity("UK", None, 0.15),
        equity("US", Some("Real Estate"), 0.19),
        other(
            "EU_Corp",
            fi,
            "Corporate",
            "Europe",
            0.050,
            0.030,
            &[
                (C_RATES, 0.55),
                (C_RATES_EU, 0.40),
                (C_CREDIT, 0.45),
                (C_MKT, 0.15),
            ],
        ),
        equity("EM", Some("Financials"), 0.24),
        equity("EU", Some("Industrials"), 0.18),
        equity("JP", Some("Industrials"), 0.18),
        equity("EU", Some("Utilities"), 0.14),
        equity("EM", Some("Energy"), 0.27),
        other(
            "JP_Govt",
            fi,
            "Government",
            "Japan",
            0.030,
            0.008,
            &[(C_RATES, 0.45), (C_RATES_JP, 0.60)],
        ),
        other(
            "Agri",
            COMMODITY,
            "Agriculture",
            "Global",
            0.20,
            0.02,
            &[(C_COMMOD, 0.50), (C_INFL, 0.20), (C_MKT, 0.10)],
        ),
        other(
            "EU_HighYield",
            fi,
            "High Yield",
            "Europe",
            0.085,
            0.050,
            &[
                (C_CREDIT, 0.60),
                (C_MKT, 0.40),
                (C_RATES, 0.15),
                (C_RATES_EU, 0.10),
            ],
        ),
        equity("JP", Some("Consumer"), 0.17),
    ]
}

// ---------------------------------------------------------------------------------------
// Dates

fn schedule(freq: Frequency, start: Date, n: usize) -> Vec<Date> {
    let mut out = Vec::with_capacity(n);
    match freq {
        Frequency::Daily => {
            let mut d = start;
            while out.len() < n {
                if d.weekday() < 5 {
                    out.push(d);
                }
                d = d.add_days(1);
            }
        }
        Frequency::Weekly => {
            let first = start.add_days((4 + 7 - start.weekday() as i32) % 7);
            out.extend((0..n).map(|i| first.add_days(7 * i as i32)));
        }
        Frequency::Monthly | Frequency::Quarterly | Frequency::Annual => {
            let step = match freq {
                Frequency::Monthly => 1,
                Frequency::Quarterly => 3,
                _ => 12,
            };
            let (y, m, _) = start.ymd();
            // Months counted from year 0; first period end on or after `start`.
            let mut idx = y * 12 + m as i32 - 1;
            idx += (step - 1 - idx.rem_euclid(step)) % step;
            while out.len() < n {
                let (yy, mm) = (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1);
                out.push(Date::month_end(yy, mm).expect("valid month"));
                idx += step;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Groups

/// Weight of each distinct value of `key` over the support, largest first.
fn weights_by<'a>(
    proto: &[f64],
    attrs: &'a [FactorAttributes],
    class: Option<&str>,
    key: impl Fn(&'a FactorAttributes) -> &'a str,
) -> Vec<(&'a str, f64)> {
    let mut out: Vec<(&'a str, f64)> = Vec::new();
    for (k, &w) in proto.iter().enumerate() {
        if w == 0.0 || class.is_some_and(|c| attrs[k].asset_class != c) {
            continue;
        }
        let v = key(&attrs[k]);
        match out.iter_mut().find(|(name, _)| *name == v) {
            Some(e) => e.1 += w,
            None => out.push((v, w)),
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

/// A vendor-style category name from the prototype's weights: region and sector are
/// named when they hold at least 60% of the (asset-class) weight, as vendors classify
/// by majority holdings.
fn group_label(proto: &[f64], attrs: &[FactorAttributes]) -> String {
    const MAJORITY: f64 = 0.6;
    let classes = weights_by(proto, attrs, None, |a| a.asset_class.as_str());
    let class_w = |c: &str| classes.iter().find(|x| x.0 == c).map_or(0.0, |x| x.1);
    let (eq, fi, cm) = (class_w(EQUITY), class_w(FIXED_INCOME), class_w(COMMODITY));
    let regions = weights_by(proto, attrs, None, |a| a.region.as_str());
    let region = if regions[0].1 >= MAJORITY - 1e-12 {
        regions[0].0
    } else {
        "Global"
    };
    // Sector naming within one asset class.
    let sector = |class: &str| -> (Option<String>, Vec<&str>) {
        let s = weights_by(proto, attrs, Some(class), |a| a.sector.as_str());
        let total: f64 = s.iter().map(|x| x.1).sum();
        let top = (s[0].1 >= MAJORITY * total - 1e-12).then(|| s[0].0.to_string());
        (top, s.iter().map(|x| x.0).collect())
    };
    if classes.len() == 1 {
        match classes[0].0 {
            EQUITY => {
                let style = match sector(EQUITY) {
                    (Some(top), _) if top == "Broad" => "Large Cap".to_string(),
                    (Some(top), _) => top,
                    (None, all) if all.iter().all(|x| *x == "Broad" || *x == "Small Cap") => {
                        "Multi Cap".into()
                    }
                    (None, all) => {
                        let named: Vec<&str> = all.into_iter().filter(|x| *x != "Broad").collect();
                        if named.len() == 1 {
                            format!("{} Tilted", named[0])
                        } else {
                            format!("{} & {}", named[0], named[1])
                        }
                    }
                };
                format!("{region} {style} Equity")
            }
            FIXED_INCOME => {
                let style = sector(FIXED_INCOME).0.unwrap_or("Diversified".into());
                format!("{region} {style} Bond")
            }
            COMMODITY => match sector(COMMODITY).0 {
                Some(top) => format!("Commodities {top}"),
                None => "Commodities Broad Basket".into(),
            },
            _ => format!("{region} Money Market"),
        }
    } else if eq > 0.0 && fi > 0.0 {
        let kind = if eq >= 0.6 {
            "Aggressive"
        } else if eq >= 0.4 {
            "Moderate"
        } else {
            "Cautious"
        };
        format!("{region} {kind} Allocation")
    } else if eq > 0.0 {
        format!("{region} Flexible Allocation")
    } else if fi > 0.0 && cm > 0.0 {
        format!("{region} Real Return")
    } else if fi > 0.0 {
        format!("{region} Ultrashort Bond")
    } else {
        "Real Assets".into()
    }
}

/// Normalise `v` to sum 1 (all entries are non-negative, not all zero).
fn normalise(v: &mut [f64]) {
    let s: f64 = v.iter().sum();
    for x in v.iter_mut() {
        *x /= s;
    }
}

struct GroupPlan {
    prototypes: Vec<f64>,
    labels: Vec<String>,
    lookalike: Option<(usize, usize)>,
}

fn plan_groups(g_count: usize, attrs: &[FactorAttributes], rng: &mut Rng) -> GroupPlan {
    let k_count = attrs.len();
    let mut protos = vec![0.0; g_count * k_count];
    let mut used = vec![false; k_count];
    let mut first_free = 0;

    // Look-alike pair: equity sector factors of one region, disjoint sectors.
    let mut lookalike = None;
    if g_count >= 2 {
        let mut best: Vec<usize> = Vec::new();
        for region in ["US", "Europe", "Japan", "Emerging Markets", "UK"] {
            let cands: Vec<usize> = (0..k_count)
                .filter(|&k| {
                    let a = &attrs[k];
                    a.asset_class == EQUITY
                        && a.region == region
                        && a.sector != "Broad"
                        && a.sector != "Small Cap"
                })
                .collect();
            if cands.len() > best.len() {
                best = cands;
            }
        }
        if best.len() >= 4 {
            rng.shuffle(&mut best);
            let per = (best.len() / 2).min(3);
            for (g, chunk) in [&best[..per], &best[per..2 * per]].iter().enumerate() {
                let row = &mut protos[g * k_count..(g + 1) * k_count];
                for &k in chunk.iter() {
                    row[k] = rng.uniform_range(0.8, 1.2);
                    used[k] = true;
                }
                normalise(row);
            }
            lookalike = Some((0, 1));
            first_free = 2;
        }
    }

    // Dominant factors: unused ones in random order first, then cycle through all.
    let mut fresh: Vec<usize> = (0..k_count).filter(|&k| !used[k]).collect();
    rng.shuffle(&mut fresh);
    let mut dominants = fresh;
    while dominants.len() < g_count {
        let mut all: Vec<usize> = (0..k_count).collect();
        rng.shuffle(&mut all);
        dominants.extend(all);
    }
    for (g, &dom) in (first_free..g_count).zip(dominants.iter()) {
        let row = &mut protos[g * k_count..(g + 1) * k_count];
        let n_support = (2 + rng.below(3) as usize).min(k_count);
        let d = &attrs[dom];
        let mut support = vec![dom];
        while support.len() < n_support {
            // Mostly the dominant's asset class (sector peers first, then its region);
            // sometimes another class, preferably of the same region (allocation funds).
            let free = |k: usize| !support.contains(&k);
            let same_left = (0..k_count).any(|k| free(k) && attrs[k].asset_class == d.asset_class);
            let same_class = same_left && rng.bernoulli(SAME_CLASS_SHARE);
            let weights: Vec<f64> = (0..k_count)
                .map(|k| {
                    let a = &attrs[k];
                    if !free(k) || (a.asset_class == d.asset_class) != same_class {
                        0.0
                    } else if same_class && a.sector == d.sector {
                        3.0
                    } else if a.region == d.region {
                        2.0
                    } else {
                        1.0
                    }
                })
                .collect();
            support.push(rng.weighted_index(&weights));
        }
        let w_dom = rng.uniform_range(0.5, 0.8);
        let rest: Vec<f64> = (1..n_support)
            .map(|_| rng.uniform_range(0.3, 1.0))
            .collect();
        let rest_sum: f64 = rest.iter().sum();
        row[dom] = w_dom;
        for (j, &k) in support.iter().enumerate().skip(1) {
            row[k] = (1.0 - w_dom) * rest[j - 1] / rest_sum;
        }
        normalise(row);
    }

    // Unique labels.
    let mut labels: Vec<String> = Vec::with_capacity(g_count);
    for g in 0..g_count {
        let base = group_label(&protos[g * k_count..(g + 1) * k_count], attrs);
        let mut label = base.clone();
        let mut n = 2;
        while labels.contains(&label) {
            label = format!("{base} {}", roman(n));
            n += 1;
        }
        labels.push(label);
    }
    GroupPlan {
        prototypes: protos,
        labels,
        lookalike,
    }
}

fn roman(mut n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

// ---------------------------------------------------------------------------------------
// Generator

/// Systematic variance `β'Σβ` over the nonzero entries of `beta`.
fn systematic_variance(beta: &[f64], cov: &[f64]) -> f64 {
    let k_count = beta.len();
    let mut v = 0.0;
    for (k, &bk) in beta.iter().enumerate() {
        if bk == 0.0 {
            continue;
        }
        for (l, &bl) in beta.iter().enumerate() {
            if bl != 0.0 {
                v += bk * bl * cov[k * k_count + l];
            }
        }
    }
    v
}

/// Σ β_k f_k,t over the nonzero entries (same order for every caller, so exact).
fn mix(beta: &[f64], factor_returns: &[f64], periods: usize, t: usize) -> f64 {
    let mut s = 0.0;
    for (k, &b) in beta.iter().enumerate() {
        if b != 0.0 {
            s += b * factor_returns[k * periods + t];
        }
    }
    s
}

const FLOOR: f64 = -0.95;
const TILT_SD: f64 = 0.2;
const SWITCH_SHARE: f64 = 0.3;
/// Chance that a secondary factor shares the dominant factor's asset class.
const SAME_CLASS_SHARE: f64 = 0.75;

/// Generate a universe. Same config → identical output.
///
/// # Panics
/// If `cfg.validate()` fails.
pub fn universe(cfg: &UniverseConfig) -> Universe {
    if let Err(e) = cfg.validate() {
        panic!("invalid universe config: {e}");
    }
    let (n_funds, k_count, periods, g_count) = (cfg.funds, cfg.factors, cfg.periods, cfg.groups);
    let ppy = cfg.frequency.periods_per_year();
    let dates = schedule(cfg.frequency, cfg.start, periods);

    // Factors.
    let specs: Vec<FactorSpec> = catalogue().into_iter().take(k_count).collect();
    let sd: Vec<f64> = specs.iter().map(|s| s.vol / ppy.sqrt()).collect();
    let mu: Vec<f64> = specs.iter().map(|s| s.drift / ppy).collect();
    let own: Vec<f64> = specs.iter().map(FactorSpec::own).collect();
    let mut dense = vec![0.0; k_count * N_COMPONENTS];
    for (k, s) in specs.iter().enumerate() {
        for &(c, l) in &s.loads {
            dense[k * N_COMPONENTS + c] = l;
        }
    }
    let mut cov = vec![0.0; k_count * k_count];
    for k in 0..k_count {
        for l in 0..k_count {
            let mut c: f64 = (0..N_COMPONENTS)
                .map(|c| dense[k * N_COMPONENTS + c] * dense[l * N_COMPONENTS + c])
                .sum();
            if k == l {
                c += own[k] * own[k];
            }
            cov[k * k_count + l] = sd[k] * sd[l] * c;
        }
    }
    let mut rng = Rng::stream(cfg.seed, 0);
    let mut factor_returns = vec![0.0; k_count * periods];
    let mut z = [0.0; N_COMPONENTS];
    for t in 0..periods {
        for zc in z.iter_mut() {
            *zc = rng.normal();
        }
        for k in 0..k_count {
            let common: f64 = specs[k].loads.iter().map(|&(c, l)| l * z[c]).sum();
            let shock = common + own[k] * rng.normal();
            factor_returns[k * periods + t] = (mu[k] + sd[k] * shock).max(FLOOR);
        }
    }
    let factor_names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    let factor_attributes: Vec<FactorAttributes> = specs
        .iter()
        .map(|s| FactorAttributes {
            asset_class: s.class.to_string(),
            sector: s.sector.to_string(),
            region: s.region.to_string(),
        })
        .collect();

    // Groups.
    let mut group_rng = Rng::stream(cfg.seed, 1);
    let plan = plan_groups(g_count, &factor_attributes, &mut group_rng);
    let protos = &plan.prototypes;

    // Membership: every group once, the rest by uneven group sizes; then shuffled.
    let mut assign_rng = Rng::stream(cfg.seed, 2);
    let sizes: Vec<f64> = (0..g_count)
        .map(|_| assign_rng.lognormal(0.0, 0.5))
        .collect();
    let mut true_group: Vec<usize> = (0..g_count).collect();
    while true_group.len() < n_funds {
        true_group.push(assign_rng.weighted_index(&sizes));
    }
    assign_rng.shuffle(&mut true_group);

    // Vendor categories: wrong with probability category_noise, then half the time the
    // most similar other group (vendors confuse neighbours), else any other group.
    let nearest_other: Vec<usize> = (0..g_count)
        .map(|g| {
            let row = |h: usize| &protos[h * k_count..(h + 1) * k_count];
            (0..g_count)
                .filter(|&h| h != g)
                .min_by(|&a, &b| {
                    let da: f64 = row(a).iter().zip(row(g)).map(|(x, y)| (x - y).abs()).sum();
                    let db: f64 = row(b).iter().zip(row(g)).map(|(x, y)| (x - y).abs()).sum();
                    da.total_cmp(&db)
                })
                .unwrap_or(g)
        })
        .collect();
    let category: Vec<String> = true_group
        .iter()
        .map(|&g| {
            let wrong = g_count >= 2 && assign_rng.bernoulli(cfg.category_noise);
            let shown = if !wrong {
                g
            } else if assign_rng.bernoulli(0.5) {
                nearest_other[g]
            } else {
                let h = assign_rng.below(g_count as u64 - 1) as usize;
                if h >= g {
                    h + 1
                } else {
                    h
                }
            };
            plan.labels[shown].clone()
        })
        .collect();

    // Funds, each on its own stream.
    let width = n_funds.to_string().len().max(4);
    let fund_names: Vec<String> = (1..=n_funds).map(|i| format!("FUND{i:0width$}")).collect();
    let phi = 0.5f64.powf(1.0 / ppy);
    let innovation = TILT_SD * (1.0 - phi * phi).sqrt();
    let mut fund_returns = vec![0.0; n_funds * periods];
    let mut true_betas = vec![0.0; n_funds * periods * k_count];
    let per_fund: Vec<(f64, Option<StyleSwitch>)> = fund_returns
        .par_chunks_mut(periods)
        .zip(true_betas.par_chunks_mut(periods * k_count))
        .enumerate()
        .map(|(i, (returns, betas))| {
            let mut r = Rng::stream(cfg.seed, 1_000_000 + i as u64);
            let g = true_group[i];
            let (lo, hi) = cfg.r2;
            let r2 = if lo == hi {
                lo
            } else {
                r.uniform_range(lo, hi)
            };
            let noise_ratio = (1.0 - r2) / r2;
            let mut tilt: Vec<f64> = (0..k_count).map(|_| TILT_SD * r.normal()).collect();
            let own_proto = &protos[g * k_count..(g + 1) * k_count];
            let switch = if cfg.dynamic && g_count >= 2 && r.bernoulli(SWITCH_SHARE) {
                let h = r.below(g_count as u64 - 1) as usize;
                let to_group = if h >= g { h + 1 } else { h };
                let len = ((periods as f64 * 0.1).round() as usize).max(1);
                let margin = periods / 10;
                let (lo_t, hi_t) = if periods >= len + 2 * margin {
                    (margin, periods - len - margin)
                } else {
                    (0, periods - len)
                };
                let start = lo_t + r.below((hi_t - lo_t + 1) as u64) as usize;
                Some(StyleSwitch {
                    to_group,
                    start,
                    end: start + len - 1,
                })
            } else {
                None
            };
            let mut base = own_proto.to_vec();
            let mut beta = vec![0.0; k_count];
            let mut sigma = 0.0;
            for t in 0..periods {
                if t == 0 || cfg.dynamic {
                    if t > 0 {
                        for d in tilt.iter_mut() {
                            *d = phi * *d + innovation * r.normal();
                        }
                    }
                    if let Some(s) = switch {
                        if t >= s.start {
                            let done = (t - s.start + 1) as f64 / (s.end - s.start + 1) as f64;
                            let lambda = done.min(1.0);
                            let target = &protos[s.to_group * k_count..(s.to_group + 1) * k_count];
                            for ((b, &own), &tg) in base.iter_mut().zip(own_proto).zip(target) {
                                *b = (1.0 - lambda) * own + lambda * tg;
                            }
                        }
                    }
                    // Tilt multiplicatively on the support, then renormalise.
                    for ((b, &p), &d) in beta.iter_mut().zip(&base).zip(&tilt) {
                        *b = if p > 0.0 { p * d.exp() } else { 0.0 };
                    }
                    normalise(&mut beta);
                    sigma = (systematic_variance(&beta, &cov) * noise_ratio).sqrt();
                }
                let mut x = mix(&beta, &factor_returns, periods, t);
                if noise_ratio > 0.0 {
                    x += sigma * r.normal();
                }
                returns[t] = x.max(FLOOR);
                betas[t * k_count..(t + 1) * k_count].copy_from_slice(&beta);
            }
            (r2, switch)
        })
        .collect();
    let target_r2: Vec<f64> = per_fund.iter().map(|p| p.0).collect();
    let switches: Vec<Option<StyleSwitch>> = per_fund.iter().map(|p| p.1).collect();

    Universe {
        frequency: cfg.frequency,
        dates,
        factor_names,
        factor_attributes,
        factor_returns,
        factor_covariance: cov,
        fund_names,
        fund_returns,
        true_group,
        group_labels: plan.labels,
        prototypes: plan.prototypes,
        category,
        true_betas,
        target_r2,
        lookalike_groups: plan.lookalike,
        switches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_well_formed() {
        let cat = catalogue();
        assert_eq!(cat.len(), MAX_FACTORS);
        let mut names: Vec<&str> = cat.iter().map(|s| s.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), MAX_FACTORS);
        for s in &cat {
            // Enough own variance that no factor is a mix of the others.
            assert!(s.own() * s.own() >= 0.05, "{} own variance", s.name);
            let mut comps: Vec<usize> = s.loads.iter().map(|l| l.0).collect();
            comps.sort();
            comps.dedup();
            assert_eq!(comps.len(), s.loads.len(), "{} repeats a component", s.name);
            assert!(comps.iter().all(|&c| c < N_COMPONENTS));
            assert!(s.vol > 0.0 && s.vol < 0.5);
        }
        // The first nine hold four US sector factors (look-alike groups need them).
        let us_sectors = cat[..9]
            .iter()
            .filter(|s| s.class == EQUITY && s.region == "US" && s.sector != "Broad")
            .count();
        assert_eq!(us_sectors, 4);
    }

    #[test]
    fn labels_read_like_categories() {
        let attrs: Vec<FactorAttributes> = catalogue()
            .iter()
            .map(|s| FactorAttributes {
                asset_class: s.class.into(),
                sector: s.sector.into(),
                region: s.region.into(),
            })
            .collect();
        let names: Vec<String> = catalogue().into_iter().map(|s| s.name).collect();
        let proto = |pairs: &[(&str, f64)]| {
            let mut p = vec![0.0; MAX_FACTORS];
            for (n, w) in pairs {
                p[names.iter().position(|x| x == n).unwrap()] = *w;
            }
            p
        };
        let label = |pairs: &[(&str, f64)]| group_label(&proto(pairs), &attrs);
        assert_eq!(
            label(&[("US_Tech", 0.5), ("EU_Tech", 0.3), ("JP_Tech", 0.2)]),
            "Global Technology Equity"
        );
        assert_eq!(
            label(&[("US_Tech", 0.5), ("US_Fin", 0.5)]),
            "US Technology & Financials Equity"
        );
        assert_eq!(
            label(&[("EU_Large", 0.8), ("UK_Large", 0.2)]),
            "Europe Large Cap Equity"
        );
        assert_eq!(
            label(&[("US_Govt", 0.6), ("US_Corp", 0.4)]),
            "US Government Bond"
        );
        assert_eq!(
            label(&[("US_Large", 0.5), ("US_Govt", 0.5)]),
            "US Moderate Allocation"
        );
        assert_eq!(
            label(&[("Gold", 0.7), ("Oil", 0.3)]),
            "Commodities Precious Metals"
        );
        assert_eq!(
            label(&[("Cash_USD", 0.9), ("US_Govt", 0.1)]),
            "US Ultrashort Bond"
        );
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman(2), "II");
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(19), "XIX");
    }
}
