//! Rating stage: gain, AT-GARCH risk components and 1–5 stars per fund (Lisi & Otranto;
//! METHODS §5), and the comparison with an external star rating.

use std::collections::HashMap;

use peergroup_data::{InputError, Panel, SeriesKind};
use peergroup_io::{Column, RowTable, Table};
use peergroup_rating::garch::{FitOptions, SeriesProblem, PARAMETER_NAMES};
use peergroup_rating::{classify_with, compare, rate_series, Comparison, Level, RatedSeries};
pub use peergroup_rating::{ClassSpec, Linkage, Metric};
use peergroup_returns::{period_returns, Period};
use rayon::prelude::*;

use serde::{Deserialize, Serialize};

use crate::settings::{as_text, SettingError, SettingText};
#[cfg(feature = "clap")]
use crate::settings::{default_text, parse};
use crate::{Named, Progress, Silent};

impl SettingText for Linkage {
    fn to_text(&self) -> String {
        self.as_str().into()
    }
    fn from_text(text: &str) -> Result<Self, String> {
        text.to_ascii_lowercase().parse()
    }
}

impl SettingText for Metric {
    fn to_text(&self) -> String {
        self.as_str().into()
    }
    fn from_text(text: &str) -> Result<Self, String> {
        text.to_ascii_lowercase().parse()
    }
}

/// Settings of [`rate`], as written on the command line or in a study file.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct RateSettings {
    /// Residual quantile below which a shock counts as turmoil.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RateSettings::default().threshold_quantile, value_name = "Q"))]
    pub threshold_quantile: f64,
    /// Level of the robust t-tests that drop α, β or δ.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RateSettings::default().significance, value_name = "LEVEL"))]
    pub significance: f64,
    /// Lags of the ARCH-LM test on the standardised residuals.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RateSettings::default().arch_lags, value_name = "Q"))]
    pub arch_lags: usize,
    /// Fewest returns per fund.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RateSettings::default().min_obs, value_name = "N"))]
    pub min_obs: usize,
    /// Iteration limit of each optimisation (for testing failure handling).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RateSettings::default().max_iter, value_name = "N", hide = true))]
    pub max_iter: usize,
    /// Include the partial first and last calendar years in the gain (their returns over
    /// the part covered, not annualised).
    #[cfg_attr(feature = "clap", arg(long))]
    pub include_partial_years: bool,
    /// Linkage of the gain and risk classes: average, single or complete.
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&RateSettings::default().linkage), value_parser = parse::<Linkage>, value_name = "LINKAGE"))]
    #[serde(with = "as_text")]
    pub linkage: Linkage,
    /// Distance between funds' gains (risk scores) in the classes: euclidean or
    /// manhattan (the same on one dimension, offered as in seed 003's robustness check).
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&RateSettings::default().metric), value_parser = parse::<Metric>, value_name = "METRIC"))]
    #[serde(with = "as_text")]
    pub metric: Metric,
}

impl Default for RateSettings {
    /// The fit options of [`FitOptions::default`], full calendar years, average linkage
    /// on Euclidean distance.
    fn default() -> Self {
        FitOptions::default().into()
    }
}

impl From<FitOptions> for RateSettings {
    /// `fit`, with the gain over full calendar years only and the default classes.
    fn from(fit: FitOptions) -> RateSettings {
        let classes = ClassSpec::default();
        RateSettings {
            threshold_quantile: fit.threshold_quantile,
            significance: fit.significance,
            arch_lags: fit.arch_lags,
            min_obs: fit.min_obs,
            max_iter: fit.max_iter,
            include_partial_years: false,
            linkage: classes.linkage,
            metric: classes.metric,
        }
    }
}

impl RateSettings {
    /// Check the settings before any data is read.
    pub fn validate(&self) -> Result<(), SettingError> {
        if !(self.threshold_quantile > 0.0 && self.threshold_quantile < 0.5) {
            return Err(SettingError::new(
                "threshold-quantile",
                format!("must lie in (0, 0.5), got {}", self.threshold_quantile),
            ));
        }
        if !(self.significance > 0.0 && self.significance < 1.0) {
            return Err(SettingError::new(
                "significance",
                format!("must lie in (0, 1), got {}", self.significance),
            ));
        }
        if self.arch_lags == 0 {
            return Err(SettingError::new("arch-lags", "must be at least 1"));
        }
        Ok(())
    }

    /// The AT-GARCH estimation and test settings.
    pub fn fit_options(&self) -> FitOptions {
        FitOptions {
            threshold_quantile: self.threshold_quantile,
            significance: self.significance,
            arch_lags: self.arch_lags,
            min_obs: self.min_obs,
            max_iter: self.max_iter,
        }
    }

    /// Linkage and metric of the gain and risk classes.
    pub fn classes(&self) -> ClassSpec {
        ClassSpec {
            linkage: self.linkage,
            metric: self.metric,
        }
    }
}

/// One fund's rating.
#[derive(Clone, Debug)]
pub struct FundRating {
    /// Fund id.
    pub fund: String,
    /// Mean calendar-year return (fraction; NaN without a usable year).
    pub gain: f64,
    /// Calendar-year returns used for the gain.
    pub years: usize,
    /// Model, tests and risk components.
    pub rated: RatedSeries,
    /// Risk score: mean of the standardised components (NaN when unrated).
    pub risk: f64,
    /// Gain level, risk level and stars, when rated.
    pub class: Option<(Level, Level, u8)>,
    /// Remarks.
    pub note: String,
}

/// The observed returns of series `i` from its first to its last observation, or an
/// error naming the gap the AT-GARCH recursion cannot cross.
fn contiguous<'p>(panel: &'p Panel, i: usize, file: &str) -> Result<&'p [f64], InputError> {
    let s = panel.series(i);
    let first = s.iter().position(|v| !v.is_nan()).unwrap_or(s.len());
    let last = s.iter().rposition(|v| !v.is_nan()).map_or(first, |l| l + 1);
    if let Some(k) = s[first..last].iter().position(|v| v.is_nan()) {
        let d = panel.dates()[first + k];
        return Err(InputError::new(format!(
            "fund '{}' has no return on {d} (between its first observation {} and its last {}); \
             the AT-GARCH recursion needs an unbroken series: fill the gap or rate the fund on the part after it",
            panel.ids()[i],
            panel.dates()[first],
            panel.dates()[last - 1]
        ))
        .in_file(file));
    }
    Ok(&s[first..last])
}

/// Check the values as read, before they are converted to returns: every series is
/// unbroken (a missing price would silently become a two-period return), and values
/// read as returns (`prices` false) do not look like prices.
fn check_values(values: Named<'_, Panel>, prices: bool) -> Result<(), InputError> {
    let panel = values.value;
    for i in 0..panel.n_ids() {
        contiguous(panel, i, values.name)?;
    }
    if !prices {
        // Returns are never all positive over a rating-length sample; prices always are.
        for i in 0..panel.n_ids() {
            let s = panel.series(i);
            let min = s
                .iter()
                .filter(|v| !v.is_nan())
                .fold(f64::INFINITY, |m, &v| m.min(v));
            let max = s
                .iter()
                .filter(|v| !v.is_nan())
                .fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            // A constant series gets its own, clearer message when it is rated.
            if min > 0.0 && max > min && s.iter().filter(|v| !v.is_nan()).count() >= 20 {
                return Err(InputError::new(format!(
                    "every value of fund '{}' is positive (the smallest is {min}): these look like prices or NAVs; pass --prices",
                    panel.ids()[i]
                ))
                .in_file(values.name));
            }
        }
    }
    Ok(())
}

/// Calendar-year returns of every series: full years (as `peergroup periods`), plus the
/// partial first and last years when asked, compounded from the returns dated in them.
fn yearly_returns(panel: &Panel, include_partial: bool) -> Vec<Vec<(i32, f64)>> {
    let mut out = vec![Vec::new(); panel.n_ids()];
    for p in period_returns(panel, &[]) {
        if let (Period::Year(y), false) = (p.period, p.partial) {
            out[p.id].push((y, p.value));
        }
    }
    if include_partial {
        for (i, years) in out.iter_mut().enumerate() {
            let mut by_year: Vec<(i32, f64)> = Vec::new();
            for (d, r) in panel.dates().iter().zip(panel.series(i)) {
                if r.is_nan() {
                    continue;
                }
                match by_year.last_mut() {
                    Some((y, g)) if *y == d.year() => *g *= 1.0 + r,
                    _ => by_year.push((d.year(), 1.0 + r)),
                }
            }
            for (y, g) in by_year {
                if !years.iter().any(|(full, _)| *full == y) {
                    years.push((y, g - 1.0));
                }
            }
            years.sort_by_key(|(y, _)| *y);
        }
    }
    out
}

/// Rate every fund of a panel of values as read: returns (fractions), or prices/NAVs by
/// the panel's kind. Checks first that every series is unbroken (a missing price would
/// silently become a two-period return) and that returns do not look like prices, then
/// converts to returns and rates: fit, decompose, classify. Funds that cannot be rated
/// (no usable year, optimiser failure) keep their row with a note; at least three must
/// be rated.
pub fn rate(
    values: Named<'_, Panel>,
    settings: &RateSettings,
) -> Result<Vec<FundRating>, InputError> {
    rate_with(values, settings, &Silent)
}

/// [`rate`], reporting the funds fitted to `progress`.
pub fn rate_with(
    values: Named<'_, Panel>,
    settings: &RateSettings,
    progress: &dyn Progress,
) -> Result<Vec<FundRating>, InputError> {
    check_values(values, values.kind() == SeriesKind::Prices)?;
    let returns = values.to_returns();
    rate_panel(Named::new(&returns, values.name), settings, progress)
}

/// [`rate`] on a checked returns panel.
fn rate_panel(
    returns: Named<'_, Panel>,
    settings: &RateSettings,
    progress: &dyn Progress,
) -> Result<Vec<FundRating>, InputError> {
    settings.validate()?;
    let fit_options = settings.fit_options();
    let (panel, file, options) = (returns.value, returns.name, &fit_options);
    let series: Vec<&[f64]> = (0..panel.n_ids())
        .map(|i| contiguous(panel, i, file))
        .collect::<Result<_, _>>()?;
    progress.start("funds", series.len() as u64);
    let fitted: Vec<Result<RatedSeries, SeriesProblem>> = series
        .par_iter()
        .map(|r| {
            let rated = rate_series(r, options);
            progress.advance(1);
            rated
        })
        .collect();
    let years = yearly_returns(panel, settings.include_partial_years);
    let mut out = Vec::with_capacity(panel.n_ids());
    for (i, f) in fitted.into_iter().enumerate() {
        let fund = panel.ids()[i].clone();
        let rated = f.map_err(|p| {
            let hint = match p {
                SeriesProblem::TooShort { needed, .. } if needed > options.min_obs => {
                    "; use fewer --arch-lags or leave the fund out"
                }
                SeriesProblem::TooShort { .. } if options.min_obs > 10 => {
                    "; lower --min-obs or leave the fund out"
                }
                _ => "; leave the fund out",
            };
            InputError::new(format!("fund '{fund}': {p}{hint}")).in_file(file)
        })?;
        let ys = &years[i];
        let gain = if ys.is_empty() {
            f64::NAN
        } else {
            ys.iter().map(|(_, g)| g).sum::<f64>() / ys.len() as f64
        };
        // Returns within a raised --max-return can still compound past f64 in a year.
        if !ys.is_empty() && !gain.is_finite() {
            return Err(InputError::new(format!(
                "fund '{fund}': its calendar-year returns compound beyond any finite number; check the returns' unit (0.01 = 1%) and --max-return"
            ))
            .in_file(file));
        }
        let mut notes = Vec::new();
        if ys.is_empty() {
            notes.push(if settings.include_partial_years {
                "no calendar-year return".to_string()
            } else {
                "no full calendar year (see --include-partial-years)".to_string()
            });
        }
        if !rated.note.is_empty() {
            notes.push(rated.note.clone());
        }
        out.push(FundRating {
            fund,
            gain,
            years: ys.len(),
            rated,
            risk: f64::NAN,
            class: None,
            note: notes.join("; "),
        });
    }
    let eligible: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].gain.is_finite() && out[i].rated.fit.converged)
        .collect();
    if eligible.len() < 3 {
        return Err(InputError::new(format!(
            "only {} of {} funds have a converged model and a calendar-year gain; three classes of gain and risk need at least 3",
            eligible.len(),
            out.len()
        ))
        .in_file(file));
    }
    let gains: Vec<f64> = eligible.iter().map(|&i| out[i].gain).collect();
    let comps: Vec<_> = eligible.iter().map(|&i| out[i].rated.risk).collect();
    let classes = classify_with(&gains, &comps, &settings.classes());
    for (k, &i) in eligible.iter().enumerate() {
        out[i].risk = classes.risk[k];
        out[i].class = Some((
            classes.gain_level[k],
            classes.risk_level[k],
            classes.stars[k],
        ));
    }
    Ok(out)
}

/// Funds per star count, 1 to 5.
pub fn star_counts(rows: &[FundRating]) -> [usize; 5] {
    let mut stars = [0usize; 5];
    for r in rows {
        if let Some((_, _, s)) = r.class {
            stars[s as usize - 1] += 1;
        }
    }
    stars
}

/// `fund,gain,v_min,v_standard,v_turmoil,risk,gain_level,risk_level,stars,mu,gamma,
/// alpha,beta,delta,loglik,arch_lm_pvalue,converged,note`.
pub fn ratings_table(rows: &[FundRating]) -> Table {
    RowTable::new(rows)
        .text("fund", |r| r.fund.clone())
        .f64("gain", |r| r.gain)
        .f64("v_min", |r| r.rated.risk.v_min)
        .f64("v_standard", |r| r.rated.risk.v_standard)
        .f64("v_turmoil", |r| r.rated.risk.v_turmoil)
        .f64("risk", |r| r.risk)
        .text("gain_level", |r| {
            r.class.map_or(String::new(), |c| c.0.as_str().into())
        })
        .text("risk_level", |r| {
            r.class.map_or(String::new(), |c| c.1.as_str().into())
        })
        .text("stars", |r| {
            r.class.map_or(String::new(), |c| c.2.to_string())
        })
        .f64("mu", |r| r.rated.fit.params.mu)
        .f64("gamma", |r| r.rated.fit.params.gamma)
        .f64("alpha", |r| r.rated.fit.params.alpha)
        .f64("beta", |r| r.rated.fit.params.beta)
        .f64("delta", |r| r.rated.fit.params.delta)
        .f64("loglik", |r| r.rated.fit.loglik)
        .f64("arch_lm_pvalue", |r| r.rated.arch_lm.p_value)
        .text("converged", |r| r.rated.fit.converged.to_string())
        .text("note", |r| r.note.clone())
        .table()
}

/// `fund,model,parameter,estimate,robust_se,t_stat,estimated`: the unrestricted AT-GARCH
/// fit the t-tests ran on, and the final model, one row per parameter.
pub fn details_table(rows: &[FundRating]) -> Table {
    let (mut fund, mut model, mut param) = (Vec::new(), Vec::new(), Vec::new());
    let (mut est, mut se, mut t, mut free) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        for (name, fit) in [
            ("unrestricted", &r.rated.unrestricted),
            ("final", &r.rated.fit),
        ] {
            let mask = [true, true, fit.free.alpha, fit.free.beta, fit.free.delta];
            for (k, p) in PARAMETER_NAMES.iter().enumerate() {
                fund.push(r.fund.clone());
                model.push(name.to_string());
                param.push(p.to_string());
                est.push(fit.params.get(k));
                se.push(fit.se[k]);
                t.push(fit.t_stat(k));
                free.push(mask[k].to_string());
            }
        }
    }
    Table::new()
        .with("fund", Column::Text(fund))
        .with("model", Column::Text(model))
        .with("parameter", Column::Text(param))
        .with("estimate", Column::F64(est))
        .with("robust_se", Column::F64(se))
        .with("t_stat", Column::F64(t))
        .with("estimated", Column::Text(free))
}

pub use crate::chart::rating::ratings_chart;

/// Our stars against an external rating (`fund → stars 1–5`) over the rated funds it
/// covers; `ratings_name` names the rated input in the error when none is covered.
pub fn compare_external(
    rows: &[FundRating],
    external: Named<'_, HashMap<String, u8>>,
    ratings_name: &str,
) -> Result<Comparison, InputError> {
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for r in rows {
        if let (Some((_, _, s)), Some(e)) = (r.class, external.get(&r.fund)) {
            ours.push(s);
            theirs.push(*e);
        }
    }
    if ours.is_empty() {
        return Err(InputError::new(format!(
            "no rated fund of {ratings_name} appears in {}",
            external.name
        )));
    }
    Ok(compare(&ours, &theirs))
}

/// `ours,external,count,value`: the 5 × 5 contingency table, then rows `spearman`,
/// `share_equal` and `share_within_one` with the funds compared in `count`.
pub fn comparison_table(c: &Comparison) -> Table {
    let (mut ours, mut ext, mut count, mut value) = (vec![], vec![], vec![], vec![]);
    for a in 0..5 {
        for b in 0..5 {
            ours.push((a + 1).to_string());
            ext.push((b + 1).to_string());
            count.push(c.contingency[a][b] as i64);
            value.push(f64::NAN);
        }
    }
    for (m, v) in [
        ("spearman", c.spearman),
        ("share_equal", c.share_equal),
        ("share_within_one", c.share_within_one),
    ] {
        ours.push(m.into());
        ext.push(String::new());
        count.push(c.n as i64);
        value.push(v);
    }
    Table::new()
        .with("ours", Column::Text(ours))
        .with("external", Column::Text(ext))
        .with("count", Column::I64(count))
        .with("value", Column::F64(value))
}

#[cfg(all(test, feature = "clap"))]
mod tests {
    use super::*;
    use crate::settings::check;

    #[test]
    fn rate_settings() {
        check::settings_type(&RateSettings {
            threshold_quantile: 0.05,
            significance: 0.01,
            arch_lags: 10,
            min_obs: 500,
            max_iter: 50,
            include_partial_years: true,
            linkage: Linkage::Complete,
            metric: Metric::Manhattan,
        });
        assert_eq!(RateSettings::default().fit_options(), FitOptions::default());
        assert_eq!(RateSettings::default().classes(), ClassSpec::default());
        let s: RateSettings =
            check::parse(&["--linkage", "single", "--metric", "manhattan"]).unwrap();
        assert_eq!((s.linkage, s.metric), (Linkage::Single, Metric::Manhattan));
        let s: RateSettings = check::parse(&["--threshold-quantile", "0.7"]).unwrap();
        check::names_key(s.validate(), "threshold-quantile");
        let e = check::parse::<RateSettings>(&["--linkage", "ward"]).unwrap_err();
        assert!(
            e.contains("--linkage") && e.contains("average, single or complete"),
            "{e}"
        );
        let e = serde_json::from_str::<RateSettings>(r#"{"metric": "cosine"}"#).unwrap_err();
        assert!(e.to_string().contains("euclidean or manhattan"), "{e}");
    }
}
