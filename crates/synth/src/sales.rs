//! Monthly fund sales by broker-dealer office, with known office types and funds that
//! sell like another category (METHODS §7.5).
//!
//! **Rows** are net sales `bd, office, fund, month, amount`: one row per office, fund and
//! month in which the office traded the fund, dated at the month end, amount in dollars
//! (negative = net redemption). Offices carry only part of the fund range on their shelf
//! and trade a few dozen times a month, so the table is sparse.
//!
//! **Offices** are of four types in two groups. Private-wealth offices
//! (`private_wealth/equity_tilt`, `private_wealth/alternatives`) buy tickets about ten
//! times larger, more equity and alternatives, and sell steadily through the year;
//! regular offices (`regular/fixed_income`, `regular/balanced`) buy small tickets, more
//! bonds, allocation and money-market funds, with strong seasonality (January
//! contributions, quarter ends, a summer lull) and more redemptions. Each office draws
//! its activity, ticket size, category mix, seasonal amplitude and trend around its
//! type's values, so types overlap at the edges. On the features a segment stage builds,
//! k-means separates the two groups clearly (ARI ≈ 0.9 on z-scored log1p sales of the
//! last 8 quarters plus the latest quarter's broad-category mix) and the subtypes within
//! a group less so (ARI ≈ 0.65, from the mix alone); scale-free features (quarterly
//! shares of the office total) drop the ticket size and separate the groups only partly.
//!
//! **Funds** have a Morningstar-style category and broad category (Equity, Fixed Income,
//! Allocation, Alternative, Money Market) and a lognormal popularity. Each category has
//! its own demand path over the months (trend, cycle, shocks); a fund sells with the path
//! of `sells_like`, which for a share of funds (`misfit_share`, mostly within the same
//! broad category) is another category: those are the "competitors outside your
//! category" that grouping funds by sales pattern should find.
//!
//! Trades per office, month and broad category are Poisson with mean
//! `activity × season × mix × category demand`; a trade picks a shelf fund by popularity
//! × demand, and its dollar amount is `office ticket × broad-category multiplier ×
//! lognormal(0, 0.9)`, so amounts span from hundreds of dollars to millions.
//!
//! Deterministic in the seed. Category paths come from sub-stream 0, funds from 1, the
//! office plan (types, broker-dealers) from 2, and office `i` trades on its own sub-stream
//! `2^32 + i`, so output does not depend on the number of threads.

use peergroup_data::Date;
use peergroup_random::Rng;
use rayon::prelude::*;

/// Broad categories, in the order used by [`OfficeType::broad_mix`].
pub const BROAD_CATEGORIES: [&str; 5] = [
    "Equity",
    "Fixed Income",
    "Allocation",
    "Alternative",
    "Money Market",
];

/// Categories and the index of their broad category in [`BROAD_CATEGORIES`].
pub const CATEGORIES: [(&str, usize); 18] = [
    ("US Large Growth", 0),
    ("US Large Value", 0),
    ("US Large Blend", 0),
    ("US Small Blend", 0),
    ("Foreign Large Blend", 0),
    ("Technology", 0),
    ("Intermediate Core Bond", 1),
    ("Short-Term Bond", 1),
    ("High Yield Bond", 1),
    ("Muni National Intermediate", 1),
    ("Moderate Allocation", 2),
    ("Conservative Allocation", 2),
    ("Target-Date 2045", 2),
    ("Long-Short Equity", 3),
    ("Multistrategy", 3),
    ("Managed Futures", 3),
    ("Prime Money Market", 4),
    ("Government Money Market", 4),
];

/// Relative number of funds per broad category (equity funds are the most numerous).
const BROAD_FUND_WEIGHT: [f64; 5] = [0.45, 0.25, 0.15, 0.10, 0.05];

/// Dollar size of a trade relative to the office ticket, per broad category: cash and
/// bond allocations are parked in larger blocks than allocation-fund savings plans.
const TICKET_MULT: [f64; 5] = [1.0, 1.2, 0.8, 1.3, 1.5];

/// Monthly multiplier of regular offices' trade counts (January contributions, quarter
/// ends, April tax season, the July–August lull). Private-wealth offices use a small
/// power of it.
const SEASON: [f64; 12] = [
    1.6, 1.0, 1.35, 1.25, 1.0, 1.2, 0.75, 0.75, 1.2, 1.0, 1.0, 1.45,
];

/// True type of a broker-dealer office.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum OfficeType {
    /// Private-wealth office leaning to equity funds.
    PrivateWealthEquityTilt,
    /// Private-wealth office with a large alternatives allocation.
    PrivateWealthAlternatives,
    /// Regular office selling mostly bond and money-market funds.
    RegularFixedIncome,
    /// Regular office selling mostly allocation (balanced) funds.
    RegularBalanced,
}

impl OfficeType {
    /// All types, in code order.
    pub const ALL: [OfficeType; 4] = [
        OfficeType::PrivateWealthEquityTilt,
        OfficeType::PrivateWealthAlternatives,
        OfficeType::RegularFixedIncome,
        OfficeType::RegularBalanced,
    ];

    /// Label written to the truth table, e.g. "private_wealth/equity_tilt".
    pub fn label(self) -> &'static str {
        match self {
            OfficeType::PrivateWealthEquityTilt => "private_wealth/equity_tilt",
            OfficeType::PrivateWealthAlternatives => "private_wealth/alternatives",
            OfficeType::RegularFixedIncome => "regular/fixed_income",
            OfficeType::RegularBalanced => "regular/balanced",
        }
    }

    /// Top-level group: "private_wealth" or "regular".
    pub fn group(self) -> &'static str {
        if self.is_private_wealth() {
            "private_wealth"
        } else {
            "regular"
        }
    }

    /// Whether this is a private-wealth type.
    pub fn is_private_wealth(self) -> bool {
        matches!(
            self,
            OfficeType::PrivateWealthEquityTilt | OfficeType::PrivateWealthAlternatives
        )
    }

    /// Typical share of trades per broad category (order of [`BROAD_CATEGORIES`]); each
    /// office tilts it.
    pub fn broad_mix(self) -> [f64; 5] {
        match self {
            OfficeType::PrivateWealthEquityTilt => [0.60, 0.15, 0.08, 0.12, 0.05],
            OfficeType::PrivateWealthAlternatives => [0.30, 0.15, 0.08, 0.40, 0.07],
            OfficeType::RegularFixedIncome => [0.15, 0.45, 0.12, 0.03, 0.25],
            OfficeType::RegularBalanced => [0.25, 0.20, 0.42, 0.03, 0.10],
        }
    }
}

/// Size, seed and shape of synthetic sales data.
#[derive(Clone, Copy, Debug)]
pub struct SalesConfig {
    /// Number of broker-dealer offices.
    pub offices: usize,
    /// Number of funds.
    pub funds: usize,
    /// Number of months (24 gives the 8 quarters of a rolling two-year window).
    pub months: usize,
    /// Number of broker-dealers the offices belong to.
    pub broker_dealers: usize,
    /// Random seed.
    pub seed: u64,
    /// Any day of the first month; rows are dated at month ends.
    pub start: Date,
    /// Share of private-wealth offices, in [0, 1] (split evenly over its two types).
    pub private_wealth_share: f64,
    /// Share of funds that sell like another category, in [0, 1].
    pub misfit_share: f64,
}

impl Default for SalesConfig {
    fn default() -> Self {
        SalesConfig {
            offices: 400,
            funds: 120,
            months: 24,
            broker_dealers: 6,
            seed: 1,
            start: Date::from_ymd(2023, 1, 31).expect("valid date"),
            private_wealth_share: 0.3,
            misfit_share: 0.1,
        }
    }
}

/// Generated sales data: net sales rows plus the fund table and the truth.
///
/// Rows are sorted by office, month and fund; each (office, fund, month) appears once.
#[derive(Clone, Debug)]
pub struct SalesSynth {
    /// Month ends covered, oldest first.
    pub months: Vec<Date>,
    /// Broker-dealer ids ("BD01", …).
    pub bd_names: Vec<String>,
    /// Office ids ("BD03-OF0042", …; the number is unique across broker-dealers).
    pub office_names: Vec<String>,
    /// Broker-dealer of each office (index into `bd_names`).
    pub office_bd: Vec<u32>,
    /// True type of each office.
    pub office_type: Vec<OfficeType>,
    /// Fund ids ("FUND0001", …).
    pub fund_names: Vec<String>,
    /// Category of each fund (from [`CATEGORIES`]).
    pub fund_category: Vec<String>,
    /// Broad category of each fund (from [`BROAD_CATEGORIES`]).
    pub fund_broad_category: Vec<String>,
    /// Category whose sales pattern each fund follows (its own category unless a misfit).
    pub fund_sells_like: Vec<String>,
    /// Office per row (index into `office_names`).
    pub office: Vec<u32>,
    /// Fund per row (index into `fund_names`).
    pub fund: Vec<u32>,
    /// Month end per row.
    pub month: Vec<Date>,
    /// Net sales per row in dollars, rounded to cents; negative = net redemption.
    pub amount: Vec<f64>,
}

impl SalesSynth {
    /// Number of sales rows.
    pub fn n_rows(&self) -> usize {
        self.amount.len()
    }

    /// Broker-dealer id of row `r`.
    pub fn row_bd(&self, r: usize) -> &str {
        &self.bd_names[self.office_bd[self.office[r] as usize] as usize]
    }

    /// Office id of row `r`.
    pub fn row_office(&self, r: usize) -> &str {
        &self.office_names[self.office[r] as usize]
    }

    /// Fund id of row `r`.
    pub fn row_fund(&self, r: usize) -> &str {
        &self.fund_names[self.fund[r] as usize]
    }

    /// Index of row `r`'s month in `months`.
    pub fn row_month_index(&self, r: usize) -> usize {
        self.months.partition_point(|&d| d < self.month[r])
    }

    /// Whether fund `f` sells like a category other than its own.
    pub fn is_misfit(&self, f: usize) -> bool {
        self.fund_sells_like[f] != self.fund_category[f]
    }
}

/// Typical office parameters of a group; each office draws its own around them.
struct GroupParams {
    /// Trades per month.
    trades: f64,
    /// Median trade in dollars.
    ticket: f64,
    /// Log-sd of month-to-month activity noise.
    month_sd: f64,
    /// Range of the power applied to [`SEASON`] (0 = flat).
    season_amp: (f64, f64),
    /// Share of trades that are redemptions.
    redemption: f64,
    /// Share of the fund range on the office's shelf.
    shelf: f64,
}

const PRIVATE_WEALTH: GroupParams = GroupParams {
    trades: 14.0,
    ticket: 150_000.0,
    month_sd: 0.08,
    season_amp: (0.1, 0.3),
    redemption: 0.08,
    shelf: 0.6,
};

const REGULAR: GroupParams = GroupParams {
    trades: 16.0,
    ticket: 12_000.0,
    month_sd: 0.25,
    season_amp: (0.7, 1.3),
    redemption: 0.15,
    shelf: 0.45,
};

/// Poisson draw: Knuth's product method for small means, a rounded normal above 30
/// (trade counts only need the right mean and spread, not exact tails).
fn poisson(rng: &mut Rng, mean: f64) -> usize {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        return rng.gaussian(mean, mean.sqrt()).round().max(0.0) as usize;
    }
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = rng.uniform();
    while p > limit {
        k += 1;
        p *= rng.uniform();
    }
    k
}

/// The month ends from `start`'s month on.
fn month_ends(start: Date, months: usize) -> Vec<Date> {
    let (y, m, _) = start.ymd();
    (0..months as i32)
        .map(|k| {
            let total = y * 12 + (m as i32 - 1) + k;
            Date::month_end(total.div_euclid(12), (total.rem_euclid(12) + 1) as u32)
                .expect("valid month")
        })
        .collect()
}

/// Demand path of each category over the months, `[c * months + m]`, mean about 1:
/// trend (up to ×4.5 over the window either way), a cycle of 12–30 months, AR(1) shocks.
fn category_paths(rng: &mut Rng, months: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(CATEGORIES.len() * months);
    let span = (months.max(2) - 1) as f64;
    for _ in 0..CATEGORIES.len() {
        let trend = rng.uniform_range(-1.5, 1.5);
        let amp = rng.uniform_range(0.25, 0.6);
        let period = rng.uniform_range(12.0, 30.0);
        let phase = rng.uniform_range(0.0, std::f64::consts::TAU);
        let mut shock = 0.0;
        for m in 0..months {
            shock = 0.6 * shock + 0.12 * rng.normal();
            let t = m as f64;
            let log = trend * (t / span - 0.5)
                + amp * (std::f64::consts::TAU * t / period + phase).sin()
                + shock;
            out.push(log.exp());
        }
    }
    out
}

/// Generate sales data. Same config → identical output, whatever the thread count.
///
/// # Panics
/// If `offices`, `funds`, `months` or `broker_dealers` is zero.
pub fn sales(cfg: &SalesConfig) -> SalesSynth {
    assert!(cfg.offices > 0, "sales: offices must be at least 1");
    assert!(cfg.funds > 0, "sales: funds must be at least 1");
    assert!(cfg.months > 0, "sales: months must be at least 1");
    assert!(
        cfg.broker_dealers > 0,
        "sales: broker_dealers must be at least 1"
    );
    let n_months = cfg.months;
    let months = month_ends(cfg.start, n_months);
    let n_cat = CATEGORIES.len();

    let mut path_rng = Rng::stream(cfg.seed, 0);
    let paths = category_paths(&mut path_rng, n_months);

    // Funds: every category once while funds last (so small configs still span the
    // categories), the rest by broad-category weight, then shuffled.
    let mut fund_rng = Rng::stream(cfg.seed, 1);
    let cat_weight: Vec<f64> = CATEGORIES
        .iter()
        .map(|&(_, b)| {
            let in_broad = CATEGORIES.iter().filter(|c| c.1 == b).count() as f64;
            BROAD_FUND_WEIGHT[b] / in_broad
        })
        .collect();
    let mut fund_cat: Vec<usize> = (0..cfg.funds.min(n_cat)).collect();
    while fund_cat.len() < cfg.funds {
        fund_cat.push(fund_rng.weighted_index(&cat_weight));
    }
    fund_rng.shuffle(&mut fund_cat);
    let popularity: Vec<f64> = (0..cfg.funds)
        .map(|_| fund_rng.lognormal(0.0, 1.0))
        .collect();
    let mut sells_like = fund_cat.clone();
    let misfits = (cfg.funds as f64 * cfg.misfit_share.clamp(0.0, 1.0)).round() as usize;
    let mut order: Vec<usize> = (0..cfg.funds).collect();
    fund_rng.shuffle(&mut order);
    for &f in order.iter().take(misfits) {
        let own = fund_cat[f];
        let broad = CATEGORIES[own].1;
        // Mostly a sibling category: the question of METHODS §6.11 is about equity funds that
        // compete outside their Morningstar category but inside the broad one.
        let siblings: Vec<usize> = (0..n_cat)
            .filter(|&c| c != own && CATEGORIES[c].1 == broad)
            .collect();
        sells_like[f] = if !siblings.is_empty() && fund_rng.bernoulli(0.7) {
            siblings[fund_rng.below(siblings.len() as u64) as usize]
        } else {
            let c = fund_rng.below(n_cat as u64 - 1) as usize;
            if c >= own {
                c + 1
            } else {
                c
            }
        };
    }
    // Fund weight per month: popularity × demand path of the category it sells like.
    let weight: Vec<f64> = (0..cfg.funds)
        .flat_map(|f| {
            let path = &paths[sells_like[f] * n_months..(sells_like[f] + 1) * n_months];
            let pop = popularity[f];
            path.iter().map(move |d| pop * d)
        })
        .collect();
    // Broad-category demand per month relative to its own mean, so an office's mix is
    // its average split and demand paths move trade counts rather than the mix alone.
    let mut broad_demand = vec![0.0; 5 * n_months];
    for f in 0..cfg.funds {
        let b = CATEGORIES[fund_cat[f]].1;
        for m in 0..n_months {
            broad_demand[b * n_months + m] += weight[f * n_months + m];
        }
    }
    for b in 0..5 {
        let row = &mut broad_demand[b * n_months..(b + 1) * n_months];
        let mean = row.iter().sum::<f64>() / n_months as f64;
        if mean > 0.0 {
            row.iter_mut().for_each(|x| *x /= mean);
        }
    }

    // Office plan: exact type counts (shuffled), uneven broker-dealer sizes.
    let mut plan_rng = Rng::stream(cfg.seed, 2);
    let n_pw = (cfg.offices as f64 * cfg.private_wealth_share.clamp(0.0, 1.0)).round() as usize;
    let mut office_type: Vec<OfficeType> = (0..cfg.offices)
        .map(|i| {
            if i < n_pw {
                OfficeType::ALL[i % 2]
            } else {
                OfficeType::ALL[2 + (i - n_pw) % 2]
            }
        })
        .collect();
    plan_rng.shuffle(&mut office_type);
    let bd_size: Vec<f64> = (0..cfg.broker_dealers)
        .map(|_| plan_rng.lognormal(0.0, 0.6))
        .collect();
    let office_bd: Vec<u32> = (0..cfg.offices)
        .map(|i| {
            if i < cfg.broker_dealers {
                i as u32
            } else {
                plan_rng.weighted_index(&bd_size) as u32
            }
        })
        .collect();
    let bd_width = cfg.broker_dealers.to_string().len().max(2);
    let bd_names: Vec<String> = (1..=cfg.broker_dealers)
        .map(|b| format!("BD{b:0bd_width$}"))
        .collect();
    let office_width = cfg.offices.to_string().len().max(4);
    let office_names: Vec<String> = (0..cfg.offices)
        .map(|i| {
            format!(
                "{}-OF{:0office_width$}",
                bd_names[office_bd[i] as usize],
                i + 1
            )
        })
        .collect();
    let fund_width = cfg.funds.to_string().len().max(4);
    let fund_names: Vec<String> = (1..=cfg.funds)
        .map(|f| format!("FUND{f:0fund_width$}"))
        .collect();

    let funds_in_broad: Vec<Vec<usize>> = (0..5)
        .map(|b| {
            (0..cfg.funds)
                .filter(|&f| CATEGORIES[fund_cat[f]].1 == b)
                .collect()
        })
        .collect();

    // Offices, each on its own stream.
    let per_office: Vec<(Vec<u32>, Vec<Date>, Vec<f64>)> = (0..cfg.offices)
        .into_par_iter()
        .map(|i| {
            let mut r = Rng::stream(cfg.seed, (1u64 << 32) + i as u64);
            let ty = office_type[i];
            let p = if ty.is_private_wealth() {
                &PRIVATE_WEALTH
            } else {
                &REGULAR
            };
            let mut mix = ty.broad_mix();
            for x in mix.iter_mut() {
                *x *= (0.3 * r.normal()).exp();
            }
            let total: f64 = mix.iter().sum();
            mix.iter_mut().for_each(|x| *x /= total);
            let activity = p.trades * r.lognormal(0.0, 0.45);
            let ticket = p.ticket * r.lognormal(0.0, 0.5);
            let amp = r.uniform_range(p.season_amp.0, p.season_amp.1);
            let trend = r.gaussian(0.0, 0.15);
            // Shelf: the funds this office sells; at least one per broad category.
            let shelf: Vec<Vec<usize>> = funds_in_broad
                .iter()
                .map(|fs| {
                    let mut s: Vec<usize> = fs
                        .iter()
                        .copied()
                        .filter(|_| r.bernoulli(p.shelf))
                        .collect();
                    if s.is_empty() && !fs.is_empty() {
                        s.push(fs[r.below(fs.len() as u64) as usize]);
                    }
                    s
                })
                .collect();
            let span = (n_months.max(2) - 1) as f64;
            let (mut fv, mut mv, mut av) = (Vec::new(), Vec::new(), Vec::new());
            let mut trades: Vec<(u32, f64)> = Vec::new();
            let mut cumulative: Vec<f64> = Vec::new();
            for (m, month_end) in months.iter().enumerate() {
                let season = SEASON[month_end.month() as usize - 1].powf(amp);
                let level = activity
                    * season
                    * (trend * (m as f64 / span - 0.5)).exp()
                    * r.lognormal(0.0, p.month_sd);
                trades.clear();
                for (b, funds) in shelf.iter().enumerate() {
                    if funds.is_empty() {
                        continue;
                    }
                    let n = poisson(&mut r, level * mix[b] * broad_demand[b * n_months + m]);
                    if n == 0 {
                        continue;
                    }
                    cumulative.clear();
                    let mut acc = 0.0;
                    for &f in funds {
                        acc += weight[f * n_months + m];
                        cumulative.push(acc);
                    }
                    for _ in 0..n {
                        let u = r.uniform() * acc;
                        let k = cumulative.partition_point(|&c| c <= u).min(funds.len() - 1);
                        let mut amount = ticket * TICKET_MULT[b] * r.lognormal(0.0, 0.9);
                        // Redemptions run a little smaller than purchases, so
                        // offices and funds are net buyers on the whole.
                        if r.bernoulli(p.redemption) {
                            amount *= -0.8;
                        }
                        trades.push((funds[k] as u32, amount));
                    }
                }
                trades.sort_by_key(|t| t.0);
                let mut k = 0;
                while k < trades.len() {
                    let f = trades[k].0;
                    let mut net = 0.0;
                    while k < trades.len() && trades[k].0 == f {
                        net += trades[k].1;
                        k += 1;
                    }
                    let net = (net * 100.0).round() / 100.0;
                    if net != 0.0 {
                        fv.push(f);
                        mv.push(*month_end);
                        av.push(net);
                    }
                }
            }
            (fv, mv, av)
        })
        .collect();

    let rows: usize = per_office.iter().map(|o| o.0.len()).sum();
    let mut out = SalesSynth {
        months,
        bd_names,
        office_names,
        office_bd,
        office_type,
        fund_names,
        fund_category: fund_cat
            .iter()
            .map(|&c| CATEGORIES[c].0.to_string())
            .collect(),
        fund_broad_category: fund_cat
            .iter()
            .map(|&c| BROAD_CATEGORIES[CATEGORIES[c].1].to_string())
            .collect(),
        fund_sells_like: sells_like
            .iter()
            .map(|&c| CATEGORIES[c].0.to_string())
            .collect(),
        office: Vec::with_capacity(rows),
        fund: Vec::with_capacity(rows),
        month: Vec::with_capacity(rows),
        amount: Vec::with_capacity(rows),
    };
    for (i, (f, m, a)) in per_office.into_iter().enumerate() {
        out.office.extend(std::iter::repeat_n(i as u32, f.len()));
        out.fund.extend(f);
        out.month.extend(m);
        out.amount.extend(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_mean_and_variance() {
        let mut r = Rng::new(5);
        for mean in [0.3, 4.0, 45.0] {
            let n = 40_000;
            let draws: Vec<f64> = (0..n).map(|_| poisson(&mut r, mean) as f64).collect();
            let m = draws.iter().sum::<f64>() / n as f64;
            let v = draws.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
            assert!(
                (m - mean).abs() < 0.05 * mean.max(1.0),
                "mean {m} vs {mean}"
            );
            assert!(
                (v - mean).abs() < 0.1 * mean.max(1.0),
                "variance {v} vs {mean}"
            );
        }
        assert_eq!(poisson(&mut r, 0.0), 0);
    }

    #[test]
    fn month_ends_cross_years() {
        let m = month_ends(Date::from_ymd(2023, 11, 5).unwrap(), 4);
        let text: Vec<String> = m.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            text,
            ["2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29"]
        );
    }
}
