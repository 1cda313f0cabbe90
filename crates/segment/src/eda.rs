//! Descriptive tables of the investor population (METHODS §6.9): ratios and
//! distributions of the profile columns, an occupation Pareto, per-fund-type averages,
//! monthly flows, transactions by weekday and by day, and a linear trend with R² of the
//! daily transaction count per fund type: over weekdays only by default ([`EdaConfig`]),
//! since markets are closed on weekends and their zero counts would swamp any trend.
//!
//! The population is the users of the [`InvestorFeatures`] given (build them with
//! `keep_inactive` to describe every registered user). A *transaction* is a balance row
//! with buy > 0 or sell > 0. Tables of levels are sorted by count, largest first (ties
//! by label), except generations (youngest first) and age bins (ascending).

use peergroup_calendar::Date;
use rayon::prelude::*;

use crate::investors::{FundType, InvestorData, InvestorFeatures, Measure};

/// Width of the age bins, years.
pub const AGE_BIN_YEARS: f64 = 5.0;

/// Count and share of one level.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelCount {
    /// Level.
    pub label: String,
    /// Users at this level.
    pub count: usize,
    /// Count ÷ users (fraction).
    pub share: f64,
}

/// One row of a Pareto table (levels by count, largest first).
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoRow {
    /// Level.
    pub label: String,
    /// Users at this level.
    pub count: usize,
    /// Count ÷ users (fraction).
    pub share: f64,
    /// Share of this and every larger level (fraction; the last row is 1).
    pub cumulative_share: f64,
}

/// One age bin `[from, to)`.
#[derive(Clone, Debug, PartialEq)]
pub struct AgeBin {
    /// Lower bound, years (inclusive).
    pub from: f64,
    /// Upper bound, years (exclusive).
    pub to: f64,
    /// Users in the bin.
    pub count: usize,
    /// Count ÷ users (fraction).
    pub share: f64,
}

/// Summary of ages, years.
#[derive(Clone, Debug, PartialEq)]
pub struct AgeSummary {
    /// Mean age.
    pub mean: f64,
    /// Median age (mean of the middle two for an even count).
    pub median: f64,
    /// Youngest.
    pub min: f64,
    /// Oldest.
    pub max: f64,
}

/// Per-fund-type averages over the users.
#[derive(Clone, Debug, PartialEq)]
pub struct FundTypeRow {
    /// Fund type.
    pub fund_type: FundType,
    /// Users with a positive mean balance in this type.
    pub holders: usize,
    /// Mean over users of their mean daily balance (currency units; non-holders count as 0).
    pub mean_aum: f64,
    /// Mean over users of their monthly buying (currency units per month).
    pub mean_monthly_buy: f64,
    /// Mean over users of their monthly selling (currency units per month).
    pub mean_monthly_sell: f64,
    /// Mean over users of their transactions over the period (count).
    pub mean_transactions: f64,
    /// Mean over users of their profit (currency units; per the features' profit measure).
    pub mean_profit: f64,
}

/// Flows of one fund type in one calendar month.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthRow {
    /// Month end.
    pub month: Date,
    /// Fund type.
    pub fund_type: FundType,
    /// Total bought (currency units).
    pub buy: f64,
    /// Total sold (currency units).
    pub sell: f64,
    /// Transactions (count).
    pub transactions: usize,
    /// Total bought ÷ users (currency units per user).
    pub mean_buy: f64,
    /// Total sold ÷ users (currency units per user).
    pub mean_sell: f64,
}

/// Transactions on one weekday.
#[derive(Clone, Debug, PartialEq)]
pub struct WeekdayRow {
    /// 0 = Monday .. 6 = Sunday.
    pub weekday: u32,
    /// `Mon` .. `Sun`.
    pub name: &'static str,
    /// Balance dates falling on this weekday.
    pub days: usize,
    /// Transactions per fund type ([`FundType::ALL`] order).
    pub transactions: [usize; 4],
    /// Transactions of every type.
    pub total: usize,
}

/// Transactions on one balance date.
#[derive(Clone, Debug, PartialEq)]
pub struct DailyRow {
    /// Date.
    pub date: Date,
    /// Transactions per fund type ([`FundType::ALL`] order).
    pub transactions: [usize; 4],
    /// Transactions of every type.
    pub total: usize,
}

/// An ordinary least-squares line `y = intercept + slope·x` and its R².
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trend {
    /// Points fitted.
    pub n: usize,
    /// Change of y per unit of x (NaN with fewer than two distinct x).
    pub slope: f64,
    /// y at x = 0.
    pub intercept: f64,
    /// Coefficient of determination `1 − SS_res / SS_tot` (NaN when y is constant).
    pub r2: f64,
}

/// Settings of [`investor_eda`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EdaConfig {
    /// Fit the daily trends over every balance date, weekends included (default false:
    /// Monday to Friday only).
    pub weekends: bool,
}

/// Linear trend of the daily transaction count of one fund type.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendRow {
    /// Fund type.
    pub fund_type: FundType,
    /// The fit: x = days since the first balance date, y = transactions that day, one
    /// point per balance date (0 when no transaction; weekends only with
    /// [`EdaConfig::weekends`]); slope in transactions per day per
    /// day, intercept in transactions per day at the first date.
    pub trend: Trend,
}

/// All descriptive tables.
#[derive(Clone, Debug, PartialEq)]
pub struct InvestorEda {
    /// Users described.
    pub users: usize,
    /// Gender ratio.
    pub gender: Vec<LevelCount>,
    /// Referral-code use ratio.
    pub referral: Vec<LevelCount>,
    /// Generations, youngest first.
    pub generation: Vec<LevelCount>,
    /// Ages in [`AGE_BIN_YEARS`]-year bins, from the bin holding the youngest user.
    pub age_bins: Vec<AgeBin>,
    /// Age summary.
    pub age: AgeSummary,
    /// Occupations, Pareto order.
    pub occupation: Vec<ParetoRow>,
    /// Income bands.
    pub income: Vec<LevelCount>,
    /// Averages per fund type.
    pub fund_types: Vec<FundTypeRow>,
    /// Flows per calendar month and fund type.
    pub monthly: Vec<MonthRow>,
    /// Transactions per weekday, Monday first.
    pub weekday: Vec<WeekdayRow>,
    /// Transactions per balance date.
    pub daily: Vec<DailyRow>,
    /// Trend of daily transactions per fund type.
    pub trends: Vec<TrendRow>,
    /// Whether the trends include weekend dates.
    pub trend_weekends: bool,
}

/// Weekday abbreviations, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Ordinary least squares of `y` on `x` (equal lengths).
pub fn linear_trend(x: &[f64], y: &[f64]) -> Trend {
    assert_eq!(x.len(), y.len(), "linear_trend: x and y lengths differ");
    let n = x.len();
    if n == 0 {
        return Trend {
            n,
            slope: f64::NAN,
            intercept: f64::NAN,
            r2: f64::NAN,
        };
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxx += (a - mx) * (a - mx);
        sxy += (a - mx) * (b - my);
        syy += (b - my) * (b - my);
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { f64::NAN };
    let intercept = my - slope * mx;
    let r2 = if syy > 0.0 && sxx > 0.0 {
        let ss_res: f64 = x
            .iter()
            .zip(y)
            .map(|(a, b)| {
                let e = b - (intercept + slope * a);
                e * e
            })
            .sum();
        1.0 - ss_res / syy
    } else {
        f64::NAN
    };
    Trend {
        n,
        slope,
        intercept,
        r2,
    }
}

/// Level counts of one categorical column of the features, by name.
fn level_counts(f: &InvestorFeatures, column: &str) -> Vec<LevelCount> {
    let cat = &f.categorical;
    let j = cat
        .specs()
        .iter()
        .position(|s| s.name == column)
        .expect("investor features have this column");
    let n = cat.rows();
    cat.counts(j)
        .into_iter()
        .zip(&cat.specs()[j].levels)
        .map(|(count, label)| LevelCount {
            label: label.clone(),
            count,
            share: count as f64 / n as f64,
        })
        .collect()
}

/// Sorted by count, largest first, ties by label.
fn by_count(mut v: Vec<LevelCount>) -> Vec<LevelCount> {
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    v
}

/// Balance rows per chunk of the accumulation pass (fixed, so sums do not depend on the
/// number of threads).
const CHUNK: usize = 1 << 18;

/// Per-chunk tallies: transactions per (date offset, type), flows per (month, type).
struct Tally {
    day_tx: Vec<[u32; 4]>,
    month_tx: Vec<[u32; 4]>,
    month_buy: Vec<[f64; 4]>,
    month_sell: Vec<[f64; 4]>,
}

/// Every descriptive table of the module documentation.
pub fn investor_eda(
    data: &InvestorData,
    features: &InvestorFeatures,
    cfg: &EdaConfig,
) -> InvestorEda {
    let n = features.len();
    let nf = n as f64;

    // Profile tables.
    let gender = by_count(level_counts(features, "gender"));
    let referral = by_count(level_counts(features, "referral"));
    let income = by_count(level_counts(features, "income_band"));
    let generation = level_counts(features, "generation");
    let occ = by_count(level_counts(features, "occupation"));
    let mut cum = 0usize;
    let occupation = occ
        .into_iter()
        .map(|l| {
            cum += l.count;
            ParetoRow {
                label: l.label,
                count: l.count,
                share: l.share,
                cumulative_share: cum as f64 / nf,
            }
        })
        .collect();

    let mut ages = features.ages.clone();
    ages.sort_by(f64::total_cmp);
    let age = AgeSummary {
        mean: ages.iter().sum::<f64>() / nf,
        median: if n % 2 == 1 {
            ages[n / 2]
        } else {
            (ages[n / 2 - 1] + ages[n / 2]) / 2.0
        },
        min: ages[0],
        max: ages[n - 1],
    };
    let first_bin = (age.min / AGE_BIN_YEARS).floor() as i64;
    let last_bin = (age.max / AGE_BIN_YEARS).floor() as i64;
    let mut bin_counts = vec![0usize; (last_bin - first_bin + 1) as usize];
    for a in &ages {
        bin_counts[((a / AGE_BIN_YEARS).floor() as i64 - first_bin) as usize] += 1;
    }
    let age_bins = bin_counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let from = (first_bin + i as i64) as f64 * AGE_BIN_YEARS;
            AgeBin {
                from,
                to: from + AGE_BIN_YEARS,
                count,
                share: count as f64 / nf,
            }
        })
        .collect();

    // Per-fund-type means over users.
    let raw = &features.numeric_raw;
    let col_mean = |m: Measure, t: FundType| {
        let j = m.column(t);
        (0..n).map(|i| raw.get(i, j)).sum::<f64>() / nf
    };
    let fund_types = FundType::ALL
        .iter()
        .map(|&t| FundTypeRow {
            fund_type: t,
            holders: (0..n)
                .filter(|&i| raw.get(i, Measure::Aum.column(t)) > 0.0)
                .count(),
            mean_aum: col_mean(Measure::Aum, t),
            mean_monthly_buy: col_mean(Measure::Buy, t),
            mean_monthly_sell: col_mean(Measure::Sell, t),
            mean_transactions: col_mean(Measure::Transactions, t),
            mean_profit: col_mean(Measure::Profit, t),
        })
        .collect();

    // One pass over the balance rows.
    let bal = data.balances();
    let first = data.first_date();
    let span = (data.last_date().days() - first.days()) as usize + 1;
    let month_key = |d: Date| {
        let (y, m, _) = d.ymd();
        y * 12 + m as i32 - 1
    };
    let first_month = month_key(first);
    let n_months = data.months_spanned();
    let month_of_day: Vec<u32> = (0..span)
        .map(|k| (month_key(first.add_days(k as i32)) - first_month) as u32)
        .collect();
    let tallies: Vec<Tally> = (0..bal.date.len())
        .into_par_iter()
        .step_by(CHUNK)
        .map(|start| {
            let end = (start + CHUNK).min(bal.date.len());
            let mut t = Tally {
                day_tx: vec![[0; 4]; span],
                month_tx: vec![[0; 4]; n_months],
                month_buy: vec![[0.0; 4]; n_months],
                month_sell: vec![[0.0; 4]; n_months],
            };
            for r in start..end {
                let k = (bal.date[r].days() - first.days()) as usize;
                let m = month_of_day[k] as usize;
                let ft = bal.fund_type[r].index();
                t.month_buy[m][ft] += bal.buy[r];
                t.month_sell[m][ft] += bal.sell[r];
                if bal.buy[r] > 0.0 || bal.sell[r] > 0.0 {
                    t.day_tx[k][ft] += 1;
                    t.month_tx[m][ft] += 1;
                }
            }
            t
        })
        .collect();
    let mut day_tx = vec![[0usize; 4]; span];
    let mut month_tx = vec![[0usize; 4]; n_months];
    let mut month_buy = vec![[0.0; 4]; n_months];
    let mut month_sell = vec![[0.0; 4]; n_months];
    for t in &tallies {
        for (acc, x) in day_tx.iter_mut().zip(&t.day_tx) {
            (0..4).for_each(|f| acc[f] += x[f] as usize);
        }
        for m in 0..n_months {
            for f in 0..4 {
                month_tx[m][f] += t.month_tx[m][f] as usize;
                month_buy[m][f] += t.month_buy[m][f];
                month_sell[m][f] += t.month_sell[m][f];
            }
        }
    }
    drop(tallies);

    let monthly = (0..n_months)
        .flat_map(|m| {
            let idx = first_month + m as i32;
            let month = Date::month_end(idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1)
                .expect("valid month");
            let (buy, sell, tx) = (month_buy[m], month_sell[m], month_tx[m]);
            FundType::ALL.into_iter().map(move |t| {
                let f = t.index();
                MonthRow {
                    month,
                    fund_type: t,
                    buy: buy[f],
                    sell: sell[f],
                    transactions: tx[f],
                    mean_buy: buy[f] / nf,
                    mean_sell: sell[f] / nf,
                }
            })
        })
        .collect();

    let dates = data.dates();
    let daily: Vec<DailyRow> = dates
        .iter()
        .map(|&d| {
            let tx = day_tx[(d.days() - first.days()) as usize];
            DailyRow {
                date: d,
                transactions: tx,
                total: tx.iter().sum(),
            }
        })
        .collect();
    let weekday = (0..7u32)
        .map(|w| {
            let mut tx = [0usize; 4];
            let mut days = 0;
            for row in daily.iter().filter(|r| r.date.weekday() == w) {
                days += 1;
                (0..4).for_each(|f| tx[f] += row.transactions[f]);
            }
            WeekdayRow {
                weekday: w,
                name: WEEKDAYS[w as usize],
                days,
                transactions: tx,
                total: tx.iter().sum(),
            }
        })
        .collect();
    let fitted: Vec<&DailyRow> = daily
        .iter()
        .filter(|r| cfg.weekends || r.date.weekday() < 5)
        .collect();
    let x: Vec<f64> = fitted
        .iter()
        .map(|r| (r.date.days() - first.days()) as f64)
        .collect();
    let trends = FundType::ALL
        .iter()
        .map(|&t| {
            let y: Vec<f64> = fitted
                .iter()
                .map(|r| r.transactions[t.index()] as f64)
                .collect();
            TrendRow {
                fund_type: t,
                trend: linear_trend(&x, &y),
            }
        })
        .collect();

    InvestorEda {
        users: n,
        gender,
        referral,
        generation,
        age_bins,
        age,
        occupation,
        income,
        fund_types,
        monthly,
        weekday,
        daily,
        trends,
        trend_weekends: cfg.weekends,
    }
}
