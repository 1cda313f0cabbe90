//! Funds selling outside their category (METHODS §6.11): the sales pattern each fund is
//! compared on, the test, its table and its chart.

use peergroup_io::{RowTable, Table};
use peergroup_report::BarChart;
use peergroup_segment::outside::{outside_test, OutsideConfig, OutsideTest};
use peergroup_segment::sales::SalesFeatures;
use peergroup_segment::transform::{apply_all, Transform};
use peergroup_segment::{Matrix, SegmentError};

use crate::settings::SettingError;
use crate::Chart;

/// Transforms of the monthly purchase counts that give a fund's sales pattern: signed
/// log1p (demand moves purchases multiplicatively and funds differ in size by orders of
/// magnitude) then per-month z-scores across funds (what every fund shares that month,
/// the season of the offices' activity, drops out). The correlation of two patterns then
/// measures how alike their months move, whatever their size.
pub const PATTERN_TRANSFORMS: [Transform; 2] = [Transform::Log1p, Transform::ZScore];

/// Each fund's sales pattern: the number of offices that bought it (net) in each month of
/// the window, through [`PATTERN_TRANSFORMS`] (funds × months), independent of
/// `--transform`. Counts rather than dollars: a fund's monthly dollars are dominated by a
/// few large tickets, while the number of buying offices follows demand closely.
pub fn sales_patterns(f: &SalesFeatures) -> Matrix {
    let mut m = f.purchases.clone();
    apply_all(&mut m, &PATTERN_TRANSFORMS);
    m
}

/// Check the outside-category settings: `level` in (0, 1), `permutations` at least 1.
pub fn validate(level: f64, permutations: usize) -> Result<(), SettingError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(SettingError::new(
            "outside-level",
            format!("must be a false discovery rate in (0, 1), got {level}"),
        ));
    }
    if permutations == 0 {
        return Err(SettingError::new(
            "outside-permutations",
            "must be at least 1, got 0",
        ));
    }
    Ok(())
}

/// Test every fund of `f` (ids and `categories` aligned with its rows).
pub fn test_funds(
    f: &SalesFeatures,
    categories: &[String],
    config: &OutsideConfig,
) -> Result<OutsideTest, SegmentError> {
    let ids: Vec<&str> = f.keys.iter().map(|k| k.id.as_str()).collect();
    outside_test(&ids, &sales_patterns(f), categories, config)
}

/// The note on the run: how many funds were flagged, at which level.
pub fn note(t: &OutsideTest) -> String {
    let untested = t.funds.iter().filter(|f| f.p_value.is_nan()).count();
    format!(
        "{} of {} funds sell significantly more like another category than like their own (permutation test, {} permutations, Benjamini–Hochberg FDR {}: outside = true in outside_category.csv){}",
        t.flagged().count(),
        t.funds.len(),
        t.config.permutations,
        t.config.level,
        if untested > 0 {
            format!("; {untested} alone in their category could not be tested")
        } else {
            String::new()
        }
    )
}

/// `fund,category,sells_like,own_similarity,sells_like_similarity,statistic,p_value,q_value,outside`.
pub fn table(t: &OutsideTest) -> Table {
    RowTable::new(&t.funds)
        .text("fund", |r| r.fund.clone())
        .text("category", |r| r.category.clone())
        .text("sells_like", |r| r.sells_like.clone())
        .f64("own_similarity", |r| r.own_similarity)
        .f64("sells_like_similarity", |r| r.sells_like_similarity)
        .f64("statistic", |r| r.statistic)
        .f64("p_value", |r| r.p_value)
        .f64("q_value", |r| r.q_value)
        .text("outside", |r| r.outside.to_string())
        .table()
}

/// Per flagged fund, two bars: its mean similarity to its own category's funds and to
/// the funds of the category it sells like (strongest evidence first); no bars (and a
/// title saying so) when no fund is flagged.
pub fn chart(t: &OutsideTest) -> Chart {
    let mut flagged: Vec<_> = t.flagged().collect();
    flagged.sort_by(|a, b| {
        a.q_value
            .total_cmp(&b.q_value)
            .then(b.statistic.total_cmp(&a.statistic))
    });
    let (mut labels, mut values) = (Vec::new(), Vec::new());
    for f in flagged {
        labels.push(format!("{} · own: {}", f.fund, f.category));
        values.push(f.own_similarity);
        labels.push(format!("{} · sells like: {}", f.fund, f.sells_like));
        values.push(f.sells_like_similarity);
    }
    let title = if labels.is_empty() {
        format!(
            "No fund sells significantly outside its category (FDR {})",
            t.config.level
        )
    } else {
        format!(
            "Funds selling outside their category (FDR {}): similarity to own vs sells-like category",
            t.config.level
        )
    };
    Chart::Bar(BarChart {
        title,
        value_label: "mean correlation of monthly purchase patterns".into(),
        labels,
        values,
        horizontal: true,
    })
}
