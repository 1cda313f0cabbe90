//! The compact "who and how" features segments are clustered on by default (METHODS
//! §6.6): fund-type mix, size, frequency and buying, with generation, occupation and
//! income band.

use super::features::{InvestorFeatures, Measure};
use super::FundType;
use crate::profile::Categoricals;
use crate::transform::Transform;
use crate::Matrix;

/// Names of the mix features, in column order.
pub const MIX_NAMES: [&str; 7] = [
    "aum_share_money_market",
    "aum_share_bond",
    "aum_share_stock",
    "aum_share_mixed",
    "log_total_aum",
    "log_transactions_per_month",
    "log_monthly_buy",
];

/// Categorical columns of the mix features (by name, in the features' column order).
pub const MIX_CATEGORICALS: [&str; 3] = ["generation", "occupation", "income_band"];

/// Default clustering features of investors, one row per user of `f`, z-scored per
/// column (population sd; a constant column becomes 0):
///
/// * the share of each fund type in the user's total mean AUM (fractions summing to 1,
///   all 0 without a balance): *what* the user holds, whatever the amount;
/// * `ln(1 + total mean AUM)`: *how much*;
/// * `ln(1 + transactions per month)` over all types: *how often*;
/// * `ln(1 + monthly buy)` over all types: *how much new money*.
///
/// Logs because money and counts are heavy-tailed. Returns the numeric matrix (n × 7,
/// [`MIX_NAMES`]) and the categoricals generation, occupation and income band.
pub fn mix_features(f: &InvestorFeatures) -> (Matrix, Categoricals) {
    let n = f.len();
    let raw = &f.numeric_raw;
    let months = f.months.max(1) as f64;
    let mut x = Matrix::zeros(n, MIX_NAMES.len());
    for i in 0..n {
        let sum = |m: Measure| {
            FundType::ALL
                .iter()
                .map(|&t| raw.get(i, m.column(t)))
                .sum::<f64>()
        };
        let total = sum(Measure::Aum);
        let row = x.row_mut(i);
        for (j, &t) in FundType::ALL.iter().enumerate() {
            row[j] = if total > 0.0 {
                raw.get(i, Measure::Aum.column(t)) / total
            } else {
                0.0
            };
        }
        row[4] = total.max(0.0).ln_1p();
        row[5] = (sum(Measure::Transactions) / months).ln_1p();
        row[6] = sum(Measure::Buy).max(0.0).ln_1p();
    }
    Transform::ZScore.apply(&mut x);
    (x, select(&f.categorical, &MIX_CATEGORICALS))
}

/// The columns of `c` named `names` (each must exist), in that order.
fn select(c: &Categoricals, names: &[&str]) -> Categoricals {
    let cols: Vec<usize> = names
        .iter()
        .map(|n| {
            c.specs()
                .iter()
                .position(|s| s.name == *n)
                .expect("investor features have this column")
        })
        .collect();
    Categoricals::new(
        c.rows(),
        cols.iter().map(|&j| c.specs()[j].clone()).collect(),
        cols.iter()
            .map(|&j| (0..c.rows()).map(|i| c.code(i, j)).collect())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_columns() {
        assert_eq!(MIX_NAMES.len(), FundType::ALL.len() + 3);
        for (j, t) in FundType::ALL.iter().enumerate() {
            assert!(MIX_NAMES[j].ends_with(t.name()));
        }
    }
}
