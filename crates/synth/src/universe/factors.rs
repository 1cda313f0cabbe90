//! The factor catalogue: 40 readable indices driven by market, region, sector, rate,
//! credit, inflation and commodity components.

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
pub(super) const N_COMPONENTS: usize = 22;

pub(super) struct FactorSpec {
    pub(super) name: String,
    pub(super) class: &'static str,
    pub(super) sector: &'static str,
    pub(super) region: &'static str,
    /// Annual volatility.
    pub(super) vol: f64,
    /// Annual drift.
    pub(super) drift: f64,
    /// Loadings on the components (correlation scale: Σ loading² < 1).
    pub(super) loads: Vec<(usize, f64)>,
}

impl FactorSpec {
    /// Standard deviation of the factor's own noise on the correlation scale.
    pub(super) fn own(&self) -> f64 {
        (1.0 - self.loads.iter().map(|(_, l)| l * l).sum::<f64>()).sqrt()
    }
}

pub(super) const EQUITY: &str = "Equity";
pub(super) const FIXED_INCOME: &str = "Fixed Income";
pub(super) const COMMODITY: &str = "Commodity";
pub(super) const CASH: &str = "Cash";

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
pub(super) fn catalogue() -> Vec<FactorSpec> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::universe::MAX_FACTORS;

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
}
