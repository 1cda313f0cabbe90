//! Similarity stage: factor-aware fund similarity, the correlation baseline and a
//! fund's peers (METHODS §3).

use std::collections::HashMap;

use peergroup_data::{Date, InputError, Panel};
pub use peergroup_io::CrossLabel;
use peergroup_io::{Column, Exposures, Table};
use peergroup_similarity::{
    ewma, fund_similarity_condensed, moving_average, rescaled_condensed, residual_similarity,
    systematic_similarity_condensed, CondensedSimilarity, ExposureScale, FactorSimilarity,
};

use serde::{Deserialize, Serialize};

use crate::settings::{as_text, as_text_option, SettingError};
#[cfg(feature = "clap")]
use crate::settings::{default_text, parse};
use crate::{date_index, Named, Progress, Silent};

mod bootstrap;
mod correlation;
mod factors;
mod measures;
mod peers;
mod rows;

pub use bootstrap::period_pvalues;
pub use correlation::{correlation, last_correlation, CorrelationSettings};
pub use factors::{factor_similarity, FactorSource};
pub use measures::{PairMeasures, PeerMeasures};
pub use peers::{fund_peers, peers, PeerRow, PeersSettings};
pub use rows::{PairSelection, RowBlocks, ALL_PAIRS_LIMIT};

/// How similarities are combined over dates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Averaging {
    /// The similarity of the date itself.
    Current,
    /// Mean of the last P dates' similarities.
    MovingAverage(usize),
    /// `S̄_t = (1 − η) S_t + η S̄_{t−1}`.
    Ewma(f64),
}

impl std::fmt::Display for Averaging {
    /// `current`, `ma:P` or `ewma:ETA`, as [`FromStr`](std::str::FromStr) reads it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Averaging::Current => f.write_str("current"),
            Averaging::MovingAverage(p) => write!(f, "ma:{p}"),
            Averaging::Ewma(eta) => write!(f, "ewma:{eta}"),
        }
    }
}

impl std::str::FromStr for Averaging {
    type Err = String;

    /// Parse `current`, `ma:P` or `ewma:ETA`.
    fn from_str(s: &str) -> Result<Averaging, String> {
        let lower = s.to_ascii_lowercase();
        if lower == "current" {
            return Ok(Averaging::Current);
        }
        if let Some(p) = lower.strip_prefix("ma:") {
            return match p.parse::<usize>() {
                Ok(p) if p >= 1 => Ok(Averaging::MovingAverage(p)),
                _ => Err(format!("expected ma:P with P ≥ 1 dates, got '{s}'")),
            };
        }
        if let Some(e) = lower.strip_prefix("ewma:") {
            return match e.parse::<f64>() {
                Ok(e) if (0.0..1.0).contains(&e) => Ok(Averaging::Ewma(e)),
                _ => Err(format!("expected ewma:ETA with 0 ≤ ETA < 1, got '{s}'")),
            };
        }
        Err(format!("expected current, ma:P or ewma:ETA, got '{s}'"))
    }
}

/// Which dates of the exposures to report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DateChoice {
    /// The last date.
    #[default]
    Last,
    /// One given date.
    On(Date),
    /// Every date.
    All,
}

/// Exposure scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Scale {
    /// Absolute exposures as estimated.
    Raw,
    /// Absolute exposures divided by their sum (eq. 3 of Fragkiskos & Bauman).
    Gross,
}

impl From<Scale> for ExposureScale {
    fn from(s: Scale) -> ExposureScale {
        match s {
            Scale::Raw => ExposureScale::Raw,
            Scale::Gross => ExposureScale::Gross,
        }
    }
}

/// The idiosyncratic similarity S_U of funds' unexplained parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Idio {
    /// S_U = 0.
    None,
    /// Correlation of residual returns (needs the residuals input).
    Residual,
}

/// Which similarity is reported (METHODS §3.10: chosen by measurement on synthetic truth).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Measure {
    /// The rescaled systematic similarity S* (eq. 8): the best peer ranking measured.
    #[serde(rename = "s-star")]
    #[cfg_attr(feature = "clap", value(name = "s-star"))]
    SStar,
    /// The fund similarity S = R²_A R²_B S* + (1 − R²_A)(1 − R²_B) S_U (eq. 9; needs R²).
    S,
}

/// Settings of [`similarity`], as written on the command line or in a study file.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SimilaritySettings {
    /// Similarity reported: s-star (S*, default) or s (R²-weighted S, needs the fit's R²).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = SimilaritySettings::default().measure))]
    pub measure: Measure,
    /// Exposure scale.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = SimilaritySettings::default().scale))]
    pub scale: Scale,
    /// Date to report (default: the last date of the exposures).
    #[cfg_attr(feature = "clap", arg(long, value_parser = parse::<Date>, conflicts_with = "all_dates"))]
    #[serde(with = "as_text_option")]
    pub date: Option<Date>,
    /// Report every date.
    #[cfg_attr(feature = "clap", arg(long))]
    pub all_dates: bool,
    /// Combination over dates: current, ma:P (mean of the last P dates) or ewma:ETA.
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&SimilaritySettings::default().average), value_parser = parse::<Averaging>))]
    #[serde(with = "as_text")]
    pub average: Averaging,
    /// Idiosyncratic similarity of measure s: none, or residual (needs the residuals).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = SimilaritySettings::default().idio))]
    pub idio: Idio,
    /// Residual dates behind S_U at a date: the last N up to it (give style's --window);
    /// default every residual date up to it.
    #[cfg_attr(feature = "clap", arg(long, value_name = "N"))]
    pub residual_window: Option<usize>,
}

impl Default for SimilaritySettings {
    /// S* of raw exposures on the last date, no averaging, no idiosyncratic term.
    fn default() -> Self {
        SimilaritySettings {
            measure: Measure::SStar,
            scale: Scale::Raw,
            date: None,
            all_dates: false,
            average: Averaging::Current,
            idio: Idio::None,
            residual_window: None,
        }
    }
}

impl SimilaritySettings {
    /// The dates to report: `date`, every date, or the last; also checks that `idio` and
    /// `residual-window` fit the measure (the settings' one check without data).
    pub fn dates(&self) -> Result<DateChoice, SettingError> {
        if self.idio == Idio::Residual && self.measure == Measure::SStar {
            return Err(SettingError::new(
                "idio",
                "residual applies to the measure s (S* has no idiosyncratic term): add --measure s and the fit's R²",
            ));
        }
        if let Some(w) = self.residual_window {
            if w < MIN_RESIDUAL_OBS {
                return Err(SettingError::new(
                    "residual-window",
                    format!("must be at least {MIN_RESIDUAL_OBS} dates (a residual correlation needs them), got {w}"),
                ));
            }
        }
        match (self.all_dates, self.date) {
            (true, Some(d)) => Err(SettingError::new(
                "all-dates",
                format!("cannot be combined with --date {d}: give one of them"),
            )),
            (true, None) => Ok(DateChoice::All),
            (false, Some(d)) => Ok(DateChoice::On(d)),
            (false, None) => Ok(DateChoice::Last),
        }
    }
}

/// The inputs of [`similarity`] besides the factor similarities.
#[derive(Clone, Copy, Debug)]
pub struct SimilarityInputs<'a> {
    /// `fund,date,factor,beta` as read.
    pub exposures: Named<'a, Exposures>,
    /// R² by (fund, date), for the measure s (which needs it).
    pub r2: Option<Named<'a, HashMap<(String, Date), f64>>>,
    /// Residual returns per fund, for the idiosyncratic term.
    pub residuals: Option<Named<'a, Panel>>,
}

/// Pair similarities `date,fund_a,fund_b,similarity` (upper triangle per date).
pub struct PairTable {
    /// The table.
    pub table: Table,
    /// Dates reported.
    pub dates: usize,
    /// Most funds on one date.
    pub funds: usize,
    /// Pairs written.
    pub pairs: usize,
}

/// What every date's similarity needs besides the date.
struct Context<'a> {
    ex: &'a Exposures,
    sx: &'a FactorSimilarity,
    scale: ExposureScale,
    r2: Option<Named<'a, HashMap<(String, Date), f64>>>,
}

/// Fund similarity on date index `t` for the funds present that date.
fn similarity_on(
    cx: &Context<'_>,
    t: usize,
    funds: &[usize],
    s_u: Option<&CondensedSimilarity>,
) -> Result<CondensedSimilarity, InputError> {
    let Context { ex, sx, scale, r2 } = *cx;
    let k = ex.factors.len();
    let mut b = Vec::with_capacity(funds.len() * k);
    for &i in funds {
        b.extend_from_slice(ex.row(t, i));
    }
    let syst = systematic_similarity_condensed(&b, funds.len(), sx, scale)?;
    let star = rescaled_condensed(&syst);
    let r2v: Vec<f64> = match r2 {
        None => vec![1.0; funds.len()],
        Some(map) => funds
            .iter()
            .map(|&i| {
                map.get(&(ex.funds.names[i].clone(), ex.dates[t]))
                    .copied()
                    .ok_or_else(|| {
                        InputError::new(format!(
                            "no R² for fund '{}' on {} in the fit table",
                            ex.funds.names[i], ex.dates[t]
                        ))
                        .in_file(map.name)
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    fund_similarity_condensed(&star, &r2v, s_u)
}

/// Pairs of several dates as rows of a table.
struct PairRows {
    date: Vec<Date>,
    a: Vec<u32>,
    b: Vec<u32>,
    s: Vec<f64>,
}

impl PairRows {
    fn new() -> PairRows {
        PairRows {
            date: Vec::new(),
            a: Vec::new(),
            b: Vec::new(),
            s: Vec::new(),
        }
    }

    fn push(&mut self, date: Date, ids: &[usize], upper: &[f64]) {
        let n = ids.len();
        let mut idx = 0;
        for i in 0..n {
            for j in i + 1..n {
                self.date.push(date);
                self.a.push(ids[i] as u32);
                self.b.push(ids[j] as u32);
                self.s.push(upper[idx]);
                idx += 1;
            }
        }
    }

    fn table(self, names: &[String]) -> Table {
        Table::new()
            .with("date", Column::Date(self.date))
            .with(
                "fund_a",
                Column::Key {
                    codes: self.a,
                    names: names.to_vec(),
                },
            )
            .with(
                "fund_b",
                Column::Key {
                    codes: self.b,
                    names: names.to_vec(),
                },
            )
            .with("similarity", Column::F64(self.s))
    }
}

/// One date's fund similarities as a condensed matrix, for the stages that take the
/// matrix itself (peer groups) rather than its table.
#[derive(Clone, Debug)]
pub struct DateSimilarity {
    /// The date.
    pub date: Date,
    /// The funds present that date, in the order of the matrix.
    pub ids: Vec<String>,
    /// Similarity of every pair (scipy's condensed order).
    pub similarity: CondensedSimilarity,
}

/// Factor-aware similarity of every pair of funds on the chosen dates:
/// S = R²_A R²_B S* + (1 − R²_A)(1 − R²_B) S_U, with S* from the exposures and `sx`.
pub fn similarity(
    inputs: SimilarityInputs<'_>,
    sx: &FactorSimilarity,
    settings: &SimilaritySettings,
) -> Result<PairTable, InputError> {
    similarity_with(inputs, sx, settings, &Silent)
}

/// [`similarity`], reporting the dates done to `progress`.
pub fn similarity_with(
    inputs: SimilarityInputs<'_>,
    sx: &FactorSimilarity,
    settings: &SimilaritySettings,
    progress: &dyn Progress,
) -> Result<PairTable, InputError> {
    let ex = inputs.exposures.value;
    let mut out = PairRows::new();
    let mut funds_seen = 0;
    let dates = for_each_date(inputs, sx, settings, progress, |t, ids, combined| {
        funds_seen = funds_seen.max(ids.len());
        out.push(ex.dates[t], ids, &combined.upper);
    })?;
    Ok(PairTable {
        pairs: out.s.len(),
        table: out.table(&ex.funds.names),
        dates,
        funds: funds_seen,
    })
}

/// [`similarity`] as condensed matrices, one per reported date.
pub fn similarity_matrices(
    inputs: SimilarityInputs<'_>,
    sx: &FactorSimilarity,
    settings: &SimilaritySettings,
) -> Result<Vec<DateSimilarity>, InputError> {
    let ex = inputs.exposures.value;
    let mut out = Vec::new();
    for_each_date(inputs, sx, settings, &Silent, |t, ids, combined| {
        out.push(DateSimilarity {
            date: ex.dates[t],
            ids: ids.iter().map(|&i| ex.funds.names[i].clone()).collect(),
            similarity: combined,
        })
    })?;
    Ok(out)
}

/// Compute the similarity of each reported date and hand it to `visit` with the date's
/// index and the funds present, reporting each date to `progress`; returns the number of
/// dates asked for. Errors when no date has two funds.
fn for_each_date(
    inputs: SimilarityInputs<'_>,
    sx: &FactorSimilarity,
    settings: &SimilaritySettings,
    progress: &dyn Progress,
    mut visit: impl FnMut(usize, &[usize], CondensedSimilarity),
) -> Result<usize, InputError> {
    let ex = inputs.exposures.value;
    let ex_name = inputs.exposures.name;
    let targets = target_dates(inputs.exposures, settings)?;
    let present = |t: usize| -> Vec<usize> {
        (0..ex.funds.len())
            .filter(|&i| !ex.row(t, i)[0].is_nan())
            .collect()
    };
    let residuals = match (settings.idio, inputs.residuals) {
        (Idio::None, _) => None,
        (Idio::Residual, Some(panel)) => Some(ResidualRows::new(ex, panel)?),
        (Idio::Residual, None) => {
            return Err(InputError::new(
                "--idio residual needs the residual returns (--residuals FILE)",
            ))
        }
    };
    let r2 = measure_r2(settings, inputs.r2)?;
    let cx = Context {
        ex,
        sx,
        scale: settings.scale.into(),
        r2,
    };
    let mut visited = 0;
    progress.start("dates", targets.len() as u64);
    for &t in &targets {
        // Counted as it starts: a date with fewer than two funds is skipped below.
        progress.advance(1);
        let window: Vec<usize> = match settings.average {
            Averaging::Current => vec![t],
            Averaging::MovingAverage(p) => (t.saturating_sub(p - 1)..=t).collect(),
            Averaging::Ewma(_) => (0..=t).collect(),
        };
        // funds present on every date of the window
        let ids: Vec<usize> = present(t)
            .into_iter()
            .filter(|&i| window.iter().all(|&s| !ex.row(s, i)[0].is_nan()))
            .collect();
        if ids.len() < 2 {
            continue;
        }
        let mut seq: Vec<CondensedSimilarity> = window
            .iter()
            .map(|&s| {
                let s_u = residuals
                    .as_ref()
                    .map(|r| r.s_u(ex.dates[s], &ids, settings.residual_window))
                    .transpose()?;
                similarity_on(&cx, s, &ids, s_u.as_ref())
            })
            .collect::<Result<_, _>>()?;
        let combined = match settings.average {
            Averaging::Current => seq.swap_remove(0),
            Averaging::MovingAverage(_) => moving_average(&seq, seq.len())?,
            // ewma gives one average per date of the (non-empty) window
            Averaging::Ewma(eta) => ewma(&seq, eta)?.pop().expect("one average per date"),
        };
        visit(t, &ids, combined);
        visited += 1;
    }
    if visited == 0 {
        return Err(
            InputError::new("no date has exposures for at least two funds").in_file(ex_name),
        );
    }
    Ok(targets.len())
}

/// R² by (fund, date), as the fit table gives it.
type FitR2<'a> = Named<'a, HashMap<(String, Date), f64>>;

/// The dates `settings` reports, as indices into the exposures' dates.
fn target_dates(
    exposures: Named<'_, Exposures>,
    settings: &SimilaritySettings,
) -> Result<Vec<usize>, InputError> {
    let ex = exposures.value;
    Ok(match settings.dates()? {
        DateChoice::All => (0..ex.dates.len()).collect(),
        DateChoice::On(d) => {
            vec![date_index(&ex.dates, d, "exposures").map_err(|e| e.in_file(exposures.name))?]
        }
        DateChoice::Last => vec![ex.dates.len() - 1],
    })
}

/// The R² the measure weights by: none for S*, the fit's for S (an error without it).
fn measure_r2<'a>(
    settings: &SimilaritySettings,
    r2: Option<FitR2<'a>>,
) -> Result<Option<FitR2<'a>>, InputError> {
    match (settings.measure, r2) {
        (Measure::SStar, _) => Ok(None),
        (Measure::S, Some(r2)) => Ok(Some(r2)),
        (Measure::S, None) => Err(InputError::new(
            "--measure s weights S* by each fund's R²: give the fit table (--fit FILE)",
        )),
    }
}

/// Fewest common residual dates for a pair's S_U; pairs with fewer get S_U = 0.
pub const MIN_RESIDUAL_OBS: usize = 12;

/// Residual returns in the exposures' fund order, for S_U at any date (METHODS §3.8).
struct ResidualRows<'a> {
    panel: Named<'a, Panel>,
    /// Panel series of each exposures fund.
    series: Vec<usize>,
}

impl<'a> ResidualRows<'a> {
    /// Errors when a fund of the exposures has no residual series.
    fn new(ex: &Exposures, panel: Named<'a, Panel>) -> Result<Self, InputError> {
        let series = ex
            .funds
            .names
            .iter()
            .map(|name| {
                panel.index_of(name).ok_or_else(|| {
                    InputError::new(format!(
                        "fund '{name}' of the exposures has no residual series"
                    ))
                    .in_file(panel.name)
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(ResidualRows { panel, series })
    }

    /// S_U on `date` of the exposures funds `ids`: the residual correlation, clipped to
    /// [0, 1], over the residual dates up to `date` (the last `window` of them); no look
    /// past the date, so a similarity at t uses what was known at t.
    fn s_u(
        &self,
        date: Date,
        ids: &[usize],
        window: Option<usize>,
    ) -> Result<CondensedSimilarity, InputError> {
        let dates = self.panel.dates();
        let end = dates.partition_point(|d| *d <= date);
        let start = window.map_or(0, |w| end.saturating_sub(w));
        let t = end - start;
        if t < MIN_RESIDUAL_OBS {
            return Err(InputError::new(format!(
                "only {t} residual dates up to {date}; the residual similarity S_U needs at least {MIN_RESIDUAL_OBS}"
            ))
            .in_file(self.panel.name));
        }
        let mut rows = Vec::with_capacity(ids.len() * t);
        for &i in ids {
            rows.extend_from_slice(&self.panel.series(self.series[i])[start..end]);
        }
        Ok(residual_similarity(&rows, ids.len(), t, MIN_RESIDUAL_OBS)?.to_condensed())
    }
}

/// The current fund similarity on date index `t` of the exposures for the funds `funds`
/// (indices into the exposures' funds, each with exposures that date), with S_U = 0: the
/// matrix [`similarity`] reports for that date without averaging or residuals. Used by
/// stages that stream over dates (`evolve`) and keep only what their averaging needs.
pub fn date_similarity(
    inputs: &SimilarityInputs<'_>,
    sx: &FactorSimilarity,
    scale: Scale,
    t: usize,
    funds: &[usize],
) -> Result<CondensedSimilarity, InputError> {
    let cx = Context {
        ex: inputs.exposures.value,
        sx,
        scale: scale.into(),
        r2: inputs.r2,
    };
    similarity_on(&cx, t, funds, None)
}

#[cfg(all(test, feature = "clap"))]
mod settings_tests {
    use super::*;
    use crate::settings::check;

    #[test]
    fn similarity_settings() {
        check::settings_type(&SimilaritySettings {
            measure: Measure::S,
            scale: Scale::Gross,
            date: Some(Date::from_ymd(2020, 6, 30).unwrap()),
            all_dates: false,
            average: Averaging::Ewma(0.25),
            idio: Idio::Residual,
            residual_window: Some(104),
        });
        let json = serde_json::to_value(SimilaritySettings {
            average: Averaging::MovingAverage(3),
            ..SimilaritySettings::default()
        })
        .unwrap();
        assert_eq!(json["average"], "ma:3");
        let both = SimilaritySettings {
            date: Some(Date::from_ymd(2020, 6, 30).unwrap()),
            all_dates: true,
            ..SimilaritySettings::default()
        };
        check::names_key(both.dates().map(|_| ()), "all-dates");
        let star_residual = SimilaritySettings {
            idio: Idio::Residual,
            ..SimilaritySettings::default()
        };
        check::names_key(star_residual.dates().map(|_| ()), "idio");
        let json = serde_json::to_value(SimilaritySettings::default()).unwrap();
        assert_eq!(json["measure"], "s-star");
        let s: SimilaritySettings = check::parse(&["--measure", "s"]).unwrap();
        assert_eq!(s.measure, Measure::S);
        let short = SimilaritySettings {
            measure: Measure::S,
            residual_window: Some(3),
            ..SimilaritySettings::default()
        };
        check::names_key(short.dates().map(|_| ()), "residual-window");
        let e = check::parse::<SimilaritySettings>(&["--average", "ma:0"]).unwrap_err();
        assert!(e.contains("--average"), "{e}");
        let e = serde_json::from_str::<SimilaritySettings>(r#"{"average": "ma:0"}"#).unwrap_err();
        assert!(e.to_string().contains("ma:P"), "{e}");
    }

    #[test]
    fn correlation_settings() {
        check::settings_type(&CorrelationSettings {
            window: Some(52),
            all_dates: true,
        });
        assert!(check::parse::<CorrelationSettings>(&["--window", "x"])
            .unwrap_err()
            .contains("--window"));
    }

    #[test]
    fn peers_settings() {
        check::settings_type(&PeersSettings {
            top: 3,
            date: Some(Date::from_ymd(2021, 1, 29).unwrap()),
        });
        assert!(check::parse::<PeersSettings>(&["--date", "2021-13-01"])
            .unwrap_err()
            .contains("--date"));
    }
}
