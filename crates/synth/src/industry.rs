//! CAFCI-like daily industry data: price, shares outstanding and AUM per fund class.
//!
//! Funds are money-market, bond or equity funds; each has 1–4 share classes that differ
//! by fee, and managers run 1–12 funds. Equity funds share a market factor, bond funds a
//! rates factor, so each day's cross-section has realistic dispersion. Shares follow
//! daily flows with occasional large subscriptions and redemptions; AUM = price × shares.
//! Some classes are small (AUM below 1,000,000), some launch or close mid-sample.
//!
//! Bad prints (unit errors ×1000 or ÷1000, ×10, ÷10, typos of 30–80%) corrupt the price
//! only; below 150 classes (`DETECTABLE_CLASSES`) the upward unit errors are downward
//! ones, since the rule cannot drop them there and the day after one breaks the
//! plausibility rule of industry data (a daily return far below −100%). At most one is placed per day: the rule of METHODS §1.2 uses the day's plain mean and
//! standard deviation, so two gross errors on one day can mask each other, and the truth
//! file is meant to be exactly what the rule finds. Genuine moves are bounded (factor and
//! idiosyncratic shocks clipped at 4σ), so none is both above 10% and 10 sd from the mean.
//! The rule needs enough classes alive per day for a z-score above 10 to be possible
//! (about 150: the largest attainable z with one outlier among n is (n−1)/√n).

use peergroup_data::Date;
use peergroup_random::Rng;
use rayon::prelude::*;

/// Classes from which unit errors of ×1000 are injected: enough alive per day for the
/// outlier rule's z-score above 10 to be attainable, so that the rule can drop them.
const DETECTABLE_CLASSES: usize = 150;

/// Size and seed of a synthetic industry.
#[derive(Clone, Copy, Debug)]
pub struct IndustrySynthConfig {
    /// Number of fund classes.
    pub classes: usize,
    /// Number of business days.
    pub days: usize,
    /// Random seed.
    pub seed: u64,
    /// First business day.
    pub start: Date,
}

impl Default for IndustrySynthConfig {
    fn default() -> Self {
        IndustrySynthConfig {
            classes: 600,
            days: 250,
            seed: 1,
            start: Date::from_ymd(2022, 1, 3).expect("valid date"),
        }
    }
}

/// A generated industry: records grouped by class and sorted by date.
#[derive(Clone, Debug)]
pub struct IndustrySynth {
    /// Class ids.
    pub class_names: Vec<String>,
    /// Fund of each class.
    pub fund_of: Vec<String>,
    /// Manager of each class.
    pub manager_of: Vec<String>,
    /// Class code per record.
    pub class: Vec<u32>,
    /// Date per record.
    pub date: Vec<Date>,
    /// Price per share per record.
    pub price: Vec<f64>,
    /// Shares outstanding per record.
    pub shares: Vec<f64>,
    /// AUM per record.
    pub aum: Vec<f64>,
    /// Injected bad prints: (class code, date).
    pub outliers: Vec<(u32, Date)>,
}

#[derive(Clone, Copy, PartialEq)]
enum FundType {
    MoneyMarket,
    Bond,
    Equity,
}

struct FundPlan {
    kind: FundType,
    beta: f64,
    idio_sd: f64,
    classes: usize,
}

fn business_days(start: Date, n: usize) -> Vec<Date> {
    let mut out = Vec::with_capacity(n);
    let mut d = start;
    while out.len() < n {
        if d.weekday() < 5 {
            out.push(d);
        }
        d = d.add_days(1);
    }
    out
}

fn clipped_normal(rng: &mut Rng, sd: f64) -> f64 {
    rng.normal().clamp(-4.0, 4.0) * sd
}

/// Generate an industry. Same config → identical output.
pub fn industry(cfg: &IndustrySynthConfig) -> IndustrySynth {
    let dates = business_days(cfg.start, cfg.days);
    let mut rng = Rng::stream(cfg.seed, 0);

    // Common factors per day.
    let market: Vec<f64> = (0..cfg.days)
        .map(|_| 0.0004 + clipped_normal(&mut rng, 0.012))
        .collect();
    let rates: Vec<f64> = (0..cfg.days)
        .map(|_| 0.0002 + clipped_normal(&mut rng, 0.002))
        .collect();

    // Funds and managers.
    let mut funds: Vec<FundPlan> = Vec::new();
    let mut total = 0;
    while total < cfg.classes {
        let kind = match rng.weighted_index(&[0.3, 0.3, 0.4]) {
            0 => FundType::MoneyMarket,
            1 => FundType::Bond,
            _ => FundType::Equity,
        };
        let classes = (1 + rng.weighted_index(&[0.35, 0.3, 0.2, 0.15])).min(cfg.classes - total);
        funds.push(FundPlan {
            kind,
            beta: rng.uniform_range(0.6, 1.4),
            idio_sd: match kind {
                FundType::MoneyMarket => 0.00005,
                FundType::Bond => 0.0015,
                FundType::Equity => rng.uniform_range(0.004, 0.008),
            },
            classes,
        });
        total += classes;
    }
    let mut manager_of_fund = Vec::with_capacity(funds.len());
    let mut m = 0;
    while manager_of_fund.len() < funds.len() {
        let size = 1 + rng.below(12) as usize;
        for _ in 0..size.min(funds.len() - manager_of_fund.len()) {
            manager_of_fund.push(m);
        }
        m += 1;
    }

    // Class plans: (fund index, class letter, fee per day).
    let mut class_names = Vec::with_capacity(cfg.classes);
    let mut fund_of = Vec::with_capacity(cfg.classes);
    let mut manager_of = Vec::with_capacity(cfg.classes);
    let mut class_fund = Vec::with_capacity(cfg.classes);
    for (f, plan) in funds.iter().enumerate() {
        for k in 0..plan.classes {
            let letter = (b'A' + k as u8) as char;
            class_names.push(format!("F{:05}-{letter}", f + 1));
            fund_of.push(format!("Fund {:05}", f + 1));
            manager_of.push(format!("Manager {:03}", manager_of_fund[f] + 1));
            class_fund.push((f, k));
        }
    }

    // Fund gross returns per day (each fund its own stream).
    let fund_returns: Vec<Vec<f64>> = funds
        .par_iter()
        .enumerate()
        .map(|(f, plan)| {
            let mut r = Rng::stream(cfg.seed, 1_000_000 + f as u64);
            (0..cfg.days)
                .map(|t| match plan.kind {
                    FundType::MoneyMarket => 0.00018 + clipped_normal(&mut r, plan.idio_sd),
                    FundType::Bond => {
                        0.00025 + plan.beta * rates[t] + clipped_normal(&mut r, plan.idio_sd)
                    }
                    FundType::Equity => {
                        plan.beta * market[t] + clipped_normal(&mut r, plan.idio_sd)
                    }
                })
                .collect()
        })
        .collect();

    // Class paths.
    struct ClassPath {
        day0: usize,
        price: Vec<f64>,
        shares: Vec<f64>,
        aum: Vec<f64>,
    }
    let paths: Vec<ClassPath> = class_fund
        .par_iter()
        .enumerate()
        .map(|(c, &(f, k))| {
            let mut r = Rng::stream(cfg.seed, 2_000_000 + c as u64);
            let late = r.bernoulli(0.15);
            let day0 = if late && cfg.days > 40 {
                r.below((cfg.days - 20) as u64) as usize
            } else {
                0
            };
            let closes = r.bernoulli(0.05) && cfg.days - day0 > 60;
            let last = if closes {
                day0 + 40 + r.below((cfg.days - day0 - 40) as u64) as usize
            } else {
                cfg.days
            };
            let small = r.bernoulli(0.08);
            let aum0 = if small {
                r.uniform_range(1.0e5, 9.0e5)
            } else {
                (r.gaussian(17.7, 1.3)).exp().clamp(2.0e6, 5.0e10)
            };
            let fee = [0.0, 0.005, 0.01, 0.015][k.min(3)] / 252.0;
            let mut price = r.lognormal(4.6, 0.8).clamp(1.0, 5000.0);
            let mut shares = aum0 / price;
            let n = last - day0;
            let (mut pv, mut sv, mut av) = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
            );
            for (t, fund_r) in fund_returns[f].iter().enumerate().take(last).skip(day0) {
                if t > day0 {
                    price *= 1.0 + fund_r - fee;
                    let mut flow = clipped_normal(&mut r, 0.004);
                    if r.bernoulli(0.01) {
                        flow += clipped_normal(&mut r, 0.08);
                    }
                    shares *= (1.0 + flow).max(0.3);
                }
                let p = (price * 1e6).round() / 1e6;
                let s = (shares * 1e4).round() / 1e4;
                pv.push(p);
                sv.push(s);
                av.push((p * s * 100.0).round() / 100.0);
            }
            ClassPath {
                day0,
                price: pv,
                shares: sv,
                aum: av,
            }
        })
        .collect();

    // Bad prints: distinct days, classes alive the day before and well above min AUM.
    let rows: usize = paths.iter().map(|p| p.price.len()).sum();
    let wanted = (rows / 25_000).max(3).min(cfg.days / 2);
    let mut days: Vec<usize> = (1..cfg.days).collect();
    rng.shuffle(&mut days);
    let mut outliers_at: Vec<(usize, usize)> = Vec::new(); // (class, day)
    for &t in &days {
        if outliers_at.len() >= wanted {
            break;
        }
        for _attempt in 0..20 {
            let c = rng.below(cfg.classes as u64) as usize;
            let p = &paths[c];
            if t > p.day0
                && t < p.day0 + p.price.len()
                && p.aum[t - p.day0] > 2.0e6
                && p.aum[t - 1 - p.day0] > 2.0e6
            {
                outliers_at.push((c, t));
                break;
            }
        }
    }
    let mut paths = paths;
    // The day after an upward unit error (×1000, ×10) the class's daily return
    // `ΔP·N/A` is far below −100% (A was right all along), beyond the plausibility rule
    // of industry data; only a universe large enough for the outlier rule to drop such
    // prints gets them. Smaller ones get the downward errors (÷1000, ÷10) instead.
    let detectable = cfg.classes >= DETECTABLE_CLASSES;
    for &(c, t) in &outliers_at {
        let i = t - paths[c].day0;
        let factor = match rng.weighted_index(&[0.3, 0.2, 0.2, 0.1, 0.2]) {
            0 if detectable => 1000.0,
            0 | 1 => 0.001,
            2 if detectable => 10.0,
            2 => 0.1,
            3 => 0.1,
            _ => {
                let jump = rng.uniform_range(0.3, 0.8);
                if rng.bernoulli(0.5) {
                    1.0 + jump
                } else {
                    1.0 - jump
                }
            }
        };
        paths[c].price[i] = (paths[c].price[i] * factor * 1e6).round() / 1e6;
    }
    let mut outliers: Vec<(u32, Date)> = outliers_at
        .iter()
        .map(|&(c, t)| (c as u32, dates[t]))
        .collect();
    outliers.sort();

    let mut out = IndustrySynth {
        class_names,
        fund_of,
        manager_of,
        class: Vec::with_capacity(rows),
        date: Vec::with_capacity(rows),
        price: Vec::with_capacity(rows),
        shares: Vec::with_capacity(rows),
        aum: Vec::with_capacity(rows),
        outliers,
    };
    for (c, p) in paths.iter().enumerate() {
        out.class
            .extend(std::iter::repeat_n(c as u32, p.price.len()));
        out.date
            .extend_from_slice(&dates[p.day0..p.day0 + p.price.len()]);
        out.price.extend_from_slice(&p.price);
        out.shares.extend_from_slice(&p.shares);
        out.aum.extend_from_slice(&p.aum);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_well_formed() {
        let cfg = IndustrySynthConfig {
            classes: 200,
            days: 60,
            seed: 9,
            ..Default::default()
        };
        let a = industry(&cfg);
        let b = industry(&cfg);
        assert_eq!(a.price, b.price);
        assert_eq!(a.outliers, b.outliers);
        assert_eq!(a.class_names.len(), 200);
        assert!(a.price.iter().all(|p| *p > 0.0));
        assert!(a.shares.iter().all(|s| *s >= 0.0));
        assert!(a.date.iter().all(|d| d.weekday() < 5));
        // several classes per fund and several funds per manager
        let funds: std::collections::HashSet<_> = a.fund_of.iter().collect();
        let managers: std::collections::HashSet<_> = a.manager_of.iter().collect();
        assert!(funds.len() < 200 && managers.len() < funds.len());
        // one bad print per day at most
        let mut days: Vec<Date> = a.outliers.iter().map(|o| o.1).collect();
        days.sort();
        days.dedup();
        assert_eq!(days.len(), a.outliers.len());
        let other = industry(&IndustrySynthConfig { seed: 10, ..cfg });
        assert_ne!(a.price, other.price);
    }
}
