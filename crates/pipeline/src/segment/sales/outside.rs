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

/// Transforms of the monthly trade counts that give a fund's sales pattern: signed
/// log1p (demand moves trades multiplicatively and funds differ in size by orders of
/// magnitude) then per-month z-scores across funds (what every fund shares that month,
/// the season of the offices' activity, drops out). The correlation of two patterns then
/// measures how alike their months move, whatever their size.
pub const PATTERN_TRANSFORMS: [Transform; 2] = [Transform::Log1p, Transform::ZScore];

/// Each fund's sales pattern: its trades (sales rows with a non-zero amount; with one row
/// per office and month, the offices that traded it) in each month of the window, through
/// [`PATTERN_TRANSFORMS`] (funds × months), independent of `--transform`. Counts rather
/// than dollars: a fund's monthly dollars are dominated by a few large tickets, while the
/// number of trading offices follows demand closely. Redemptions count too: an office
/// that trades a fund at all answers to its demand (on `synth sales`, all trades rather
/// than purchases alone found 100 rather than 98 of 108 planted funds over nine seeds).
pub fn sales_patterns(f: &SalesFeatures) -> Matrix {
    let mut m = f.trades.clone();
    apply_all(&mut m, &PATTERN_TRANSFORMS);
    m
}

/// Check the outside-category setting: `level` in (0, 1).
pub fn validate(level: f64) -> Result<(), SettingError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(SettingError::new(
            "outside-level",
            format!("must be a false discovery rate in (0, 1), got {level}"),
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

/// The note on the run: how many funds were flagged, at which level, and why some were
/// not tested.
pub fn note(t: &OutsideTest) -> String {
    let untested = t.funds.len() - t.tested();
    let why = if t.null_scale.is_nan() {
        format!(
            "; no fund tested: the empirical null needs at least {} funds with a category-mate",
            peergroup_segment::outside::MIN_TESTED
        )
    } else if untested > 0 {
        format!("; {untested} without a category-mate or with a constant pattern were not tested")
    } else {
        String::new()
    };
    format!(
        "{} of {} funds sell significantly more like another category than like their own (correlation with each category's centre, empirical null centre {:.3} and scale {:.3}, Benjamini–Hochberg FDR {}: outside = true in outside_category.csv){why}",
        t.flagged().count(),
        t.funds.len(),
        t.null_centre,
        t.null_scale,
        t.config.level,
    )
}

/// `fund,category,sells_like,own_similarity,sells_like_similarity,statistic,z_score,p_value,q_value,williams_p,outside`.
pub fn table(t: &OutsideTest) -> Table {
    RowTable::new(&t.funds)
        .text("fund", |r| r.fund.clone())
        .text("category", |r| r.category.clone())
        .text("sells_like", |r| r.sells_like.clone())
        .f64("own_similarity", |r| r.own_similarity)
        .f64("sells_like_similarity", |r| r.sells_like_similarity)
        .f64("statistic", |r| r.statistic)
        .f64("z_score", |r| r.z_score)
        .f64("p_value", |r| r.p_value)
        .f64("q_value", |r| r.q_value)
        .f64("williams_p", |r| r.williams_p)
        .text("outside", |r| r.outside.to_string())
        .table()
}

/// Per flagged fund, two bars: its correlation with its own category's centre and with
/// the centre of the category it sells like (strongest evidence first); no bars (and a
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
        value_label: "correlation of monthly trade pattern with the category centre".into(),
        labels,
        values,
        horizontal: true,
    })
}
