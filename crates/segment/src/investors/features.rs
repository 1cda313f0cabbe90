//! Settings, measures and the per-user feature matrix for k-prototypes.

use peergroup_calendar::Date;
use rayon::prelude::*;

use super::generation::Generation;
use super::input::InvestorData;
use super::FundType;
use crate::profile::{CategoricalSpec, Categoricals, Magnitude, NumericSpec};
use crate::transform::Transform;
use crate::{Matrix, SegmentError, Table, TextColumn};

/// How per-user profit is measured (module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProfitMeasure {
    /// Sum of the rows' profit (each read as the day's gain).
    #[default]
    Total,
    /// Profit at the user's last date for the fund type (profit read as cumulative).
    Latest,
}

/// How numeric features are scaled for clustering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scaling {
    /// Sign-preserving log1p, then z-score per column (default).
    #[default]
    LogZScore,
    /// z-score per column.
    ZScore,
    /// Original units.
    None,
}

/// Settings of [`investor_features`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InvestorConfig {
    /// Date ages refer to (default: the last balance date).
    pub as_of: Option<Date>,
    /// Keep users without balance rows (with zero numeric features); default false.
    pub keep_inactive: bool,
    /// Numeric scaling (default log1p then z-score).
    pub scaling: Scaling,
    /// Profit measure (default total).
    pub profit: ProfitMeasure,
    /// Fewest members a categorical level may have (default 2).
    pub min_level_size: usize,
}

impl Default for InvestorConfig {
    fn default() -> Self {
        InvestorConfig {
            as_of: None,
            keep_inactive: false,
            scaling: Scaling::LogZScore,
            profit: ProfitMeasure::Total,
            min_level_size: 2,
        }
    }
}

/// A numeric measure, computed per fund type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Mean daily balance (currency units).
    Aum,
    /// Bought per month (currency units per month).
    Buy,
    /// Sold per month (currency units per month).
    Sell,
    /// Transactions over the period (count).
    Transactions,
    /// Profit (currency units; total or latest).
    Profit,
}

impl Measure {
    /// Every measure, in column order.
    pub const ALL: [Measure; 5] = [
        Measure::Aum,
        Measure::Buy,
        Measure::Sell,
        Measure::Transactions,
        Measure::Profit,
    ];

    /// Column-name prefix (`aum`, `buy`, `sell`, `transactions`, `profit`).
    pub fn name(self) -> &'static str {
        match self {
            Measure::Aum => "aum",
            Measure::Buy => "buy",
            Measure::Sell => "sell",
            Measure::Transactions => "transactions",
            Measure::Profit => "profit",
        }
    }

    /// Column of `(self, fund_type)` in the numeric matrix (measure-major).
    pub fn column(self, fund_type: FundType) -> usize {
        self as usize * FundType::ALL.len() + fund_type.index()
    }

    /// Spec of `(self, fund_type)` for profiles.
    fn spec(self, t: FundType) -> NumericSpec {
        let l = t.words();
        let (phrase, magnitude) = match self {
            Measure::Aum => (format!("{l} balances"), Magnitude::Amount),
            Measure::Buy => (format!("{l} buying"), Magnitude::Amount),
            Measure::Sell => (format!("{l} selling"), Magnitude::Amount),
            Measure::Transactions => (format!("{l} trades"), Magnitude::Frequency),
            Measure::Profit => (format!("{l} profit"), Magnitude::Level),
        };
        NumericSpec::new(format!("{}_{}", self.name(), t.name()), phrase, magnitude)
    }
}

/// Number of numeric investor features (5 measures × 4 fund types).
pub const N_NUMERIC: usize = 20;

/// Investor features of the kept users (n rows, users-table order).
#[derive(Clone, Debug)]
pub struct InvestorFeatures {
    /// User id of each row.
    pub user_ids: Vec<String>,
    /// Users-table row of each row.
    pub user_rows: Vec<usize>,
    /// Age of each row's user, years.
    pub ages: Vec<f64>,
    /// Reference date of ages and generations.
    pub as_of: Date,
    /// Distinct balance dates (divisor of mean AUM).
    pub days: usize,
    /// Calendar months spanned (divisor of monthly buy and sell).
    pub months: usize,
    /// Names and wording of the 20 numeric columns ([`Measure::column`] order).
    pub numeric_specs: Vec<NumericSpec>,
    /// Numeric features in original units (n × 20).
    pub numeric_raw: Matrix,
    /// Numeric features scaled per [`InvestorConfig::scaling`] (n × 20), for clustering.
    pub numeric: Matrix,
    /// Categorical features: gender, generation, occupation, income_band, referral.
    pub categorical: Categoricals,
    /// Users-table rows without balance rows (dropped unless `keep_inactive`, when they
    /// stay with zero numeric features).
    pub inactive: Vec<usize>,
}

impl InvestorFeatures {
    /// Number of users (rows).
    pub fn len(&self) -> usize {
        self.user_ids.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.user_ids.is_empty()
    }

    /// Names of the numeric columns.
    pub fn numeric_names(&self) -> Vec<&str> {
        self.numeric_specs.iter().map(|s| s.name.as_str()).collect()
    }
}

/// Per-user features (module documentation for every rule). Errors: no user left, or a
/// categorical level with fewer than `min_level_size` members.
pub fn investor_features(
    data: &InvestorData,
    cfg: &InvestorConfig,
) -> Result<InvestorFeatures, SegmentError> {
    let users = data.users.columns();
    let (kept, inactive): (Vec<usize>, Vec<usize>) =
        (0..data.users.len()).partition(|&u| data.is_active(u));
    let kept = if cfg.keep_inactive {
        (0..data.users.len()).collect()
    } else {
        kept
    };
    if kept.is_empty() {
        return Err(SegmentError::NoData {
            table: Table::Balances,
            message: "no user has balance rows".to_string(),
        });
    }
    let n = kept.len();
    let days = data.dates.len() as f64;
    let months = data.months_spanned() as f64;

    let mut raw = Matrix::zeros(n, N_NUMERIC);
    raw.as_mut_slice()
        .par_chunks_mut(N_NUMERIC)
        .zip(kept.par_iter())
        .for_each(|(out, &u)| {
            for (t, s) in data.slots_of(u).iter().enumerate() {
                out[Measure::Aum.column(FundType::ALL[t])] = s.balance / days;
                out[Measure::Buy.column(FundType::ALL[t])] = s.buy / months;
                out[Measure::Sell.column(FundType::ALL[t])] = s.sell / months;
                out[Measure::Transactions.column(FundType::ALL[t])] = s.tx as f64;
                out[Measure::Profit.column(FundType::ALL[t])] = match cfg.profit {
                    ProfitMeasure::Total => s.profit,
                    ProfitMeasure::Latest => s.latest_profit,
                };
            }
        });
    let mut numeric = raw.clone();
    match cfg.scaling {
        Scaling::LogZScore => {
            Transform::Log1p.apply(&mut numeric);
            Transform::ZScore.apply(&mut numeric);
        }
        Scaling::ZScore => Transform::ZScore.apply(&mut numeric),
        Scaling::None => {}
    }

    let as_of = cfg.as_of.unwrap_or(data.last_date);
    let ages: Vec<f64> = kept.iter().map(|&u| users.age[u]).collect();
    let mut specs = Vec::new();
    let mut columns = Vec::new();
    for (name, phrase, col) in [
        ("gender", "{}", &users.gender),
        ("occupation", "{}", &users.occupation),
        ("income_band", "income {}", &users.income_band),
        ("referral", "referral {}", &users.referral),
    ] {
        let (spec, codes) = text_levels(name, phrase, col, &kept);
        specs.push(spec);
        columns.push(codes);
    }
    // Generation goes second, after gender.
    let gens: Vec<Generation> = ages
        .iter()
        .map(|&a| Generation::from_age(a, as_of))
        .collect();
    let present: Vec<Generation> = Generation::ALL
        .into_iter()
        .filter(|g| gens.contains(g))
        .collect();
    let gen_codes = gens
        .iter()
        .map(|g| present.iter().position(|p| p == g).expect("present") as u32)
        .collect();
    specs.insert(
        1,
        CategoricalSpec::new(
            "generation",
            present.iter().map(|g| g.name().to_string()).collect(),
            "{}",
        ),
    );
    columns.insert(1, gen_codes);
    let categorical = Categoricals::new(n, specs, columns);

    for j in 0..categorical.cols() {
        let counts = categorical.counts(j);
        let spec = &categorical.specs()[j];
        if let Some(l) = (0..counts.len()).find(|&l| counts[l] < cfg.min_level_size) {
            let first = (0..n)
                .find(|&i| categorical.code(i, j) as usize == l)
                .expect("levels are present");
            return Err(SegmentError::RareLevel {
                column: spec.name.clone(),
                level: spec.levels[l].clone(),
                count: counts[l],
                min: cfg.min_level_size,
                row: kept[first],
            });
        }
    }

    let numeric_specs = Measure::ALL
        .iter()
        .flat_map(|m| FundType::ALL.iter().map(move |t| m.spec(*t)))
        .collect();
    Ok(InvestorFeatures {
        user_ids: kept.iter().map(|&u| users.user_id[u].clone()).collect(),
        user_rows: kept.clone(),
        ages,
        as_of,
        days: data.dates.len(),
        months: data.months_spanned(),
        numeric_specs,
        numeric_raw: raw,
        numeric,
        categorical,
        inactive,
    })
}

/// Levels (present among `kept`, sorted by name) and codes of a text column.
fn text_levels(
    name: &str,
    phrase: &str,
    col: &TextColumn,
    kept: &[usize],
) -> (CategoricalSpec, Vec<u32>) {
    let mut used = vec![false; col.values().len()];
    for &u in kept {
        used[col.code(u) as usize] = true;
    }
    let mut order: Vec<usize> = (0..used.len()).filter(|&c| used[c]).collect();
    order.sort_by(|&a, &b| col.values()[a].cmp(&col.values()[b]));
    let mut new_code = vec![u32::MAX; used.len()];
    for (i, &c) in order.iter().enumerate() {
        new_code[c] = i as u32;
    }
    let levels = order.iter().map(|&c| col.values()[c].clone()).collect();
    let codes = kept
        .iter()
        .map(|&u| new_code[col.code(u) as usize])
        .collect();
    (CategoricalSpec::new(name, levels, phrase), codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_columns_are_measure_major() {
        // Parsing fund types is tested with `FundType` in peergroup-data.
        assert_eq!(Measure::Profit.column(FundType::Mixed), N_NUMERIC - 1);
    }
}
