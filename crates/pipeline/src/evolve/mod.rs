//! Evolve stage: evolutionary peer groups (seed 004 sections 4-7, METHODS §4.12). The
//! fund similarity of every date, averaged by each rule (ma:p, ewma:η), is clustered at
//! every date; labels are aligned date to date so that one label is one peer group over
//! time; then the groups' stability by horizon, transitions, concentration, themes,
//! out-of-sample portfolios and agreement with categories and with return correlation.
//!
//! Dates are streamed: only the last p dates' similarities (for the longest moving
//! average) and each EWMA's state are held, never every date's pairs.

use std::collections::HashMap;

use peergroup_data::{Date, InputError, Metadata, Panel};
use peergroup_io::{Column, RowTable, Table};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::ClusterMethod;
use crate::settings::{as_text, as_text_list, SettingError};
#[cfg(feature = "clap")]
use crate::settings::{comma_default, default_text, parse};
use crate::similarity::{Averaging, Scale};
use crate::{Artifacts, KChoice, KRule, Named, Progress, Silent};

mod agreement;
mod alignment;
mod at_scale;
mod averaging;
mod partition;
mod portfolios;
mod source;
mod stability;
mod themes;
mod transitions;

pub use agreement::{Against, AgreementRow};
pub use portfolios::{Dispersion, GroupKind, Portfolio};
pub use source::EvolveSource;
pub use themes::{AttributeTheme, Theme};
pub use transitions::Transition;

use averaging::{RuleState, Window};

/// Dates whose (date, rule) clusterings run in parallel: enough to keep both cores busy
/// with 1-4 rules, few enough to hold only a dozen averaged matrices.
const BATCH: usize = 4;

/// A (date, rule) clustering of a batch: rule, date index, funds and their labels.
type Clustered = (usize, usize, Vec<usize>, Result<Vec<usize>, InputError>);

/// Format of the tables written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum TableFormat {
    /// Comma-separated text.
    #[default]
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl TableFormat {
    /// File extension (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }
}

/// Settings of [`evolve`], as written on the command line or in a study file (`[evolve]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct EvolveSettings {
    /// Clustering method at each date.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = EvolveSettings::default().method))]
    pub method: ClusterMethod,
    /// Number of clusters at each date, or auto (chosen per date by --k-rule in 1..--k-max).
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&EvolveSettings::default().k), value_parser = parse::<KChoice>, value_name = "K|auto"))]
    #[serde(with = "as_text")]
    pub k: KChoice,
    /// Largest k tried by --k auto.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = EvolveSettings::default().k_max, value_name = "K"))]
    pub k_max: usize,
    /// Rule of --k auto: bic or silhouette.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = EvolveSettings::default().k_rule, value_name = "RULE"))]
    pub k_rule: KRule,
    /// Averaging rules of the similarity over dates: ma:P (mean of the last P dates, from
    /// the P-th date on), ewma:ETA, current (= ma:1); each clustered separately.
    #[cfg_attr(feature = "clap", arg(long, default_value = comma_default(&EvolveSettings::default().average), value_delimiter = ',', value_parser = parse::<Averaging>, value_name = "LIST"))]
    #[serde(with = "as_text_list")]
    pub average: Vec<Averaging>,
    /// Stability horizons, in dates (each shorter than the number of dates).
    #[cfg_attr(feature = "clap", arg(long, default_value = comma_default(&EvolveSettings::default().horizons), value_delimiter = ',', value_name = "LIST"))]
    pub horizons: Vec<usize>,
    /// Exposure scale of the similarity (as `similarity --scale`).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = EvolveSettings::default().scale))]
    pub scale: Scale,
    /// Periods of returns behind the correlation clusters compared with (with returns).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = EvolveSettings::default().correlation_window, value_name = "PERIODS"))]
    pub correlation_window: usize,
    /// Random seed (k-means, mixtures).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = EvolveSettings::default().seed))]
    pub seed: u64,
    /// Format of the tables written.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = EvolveSettings::default().format))]
    pub format: TableFormat,
    /// Peer groups at scale at each date: M k-means micro-clusters of the exposures, then
    /// average linkage of those on their mean S* (METHODS §4.14); no pair matrix, so
    /// 50,000 funds fit. Needs exposures, --method average, a number --k and --average
    /// current.
    #[cfg_attr(feature = "clap", arg(long, value_name = "M"))]
    pub micro_clusters: Option<usize>,
}

impl Default for EvolveSettings {
    /// Average linkage cut at k = 3 (seed 004's three clusters); current, 4- and 13-date
    /// moving averages and an EWMA with η = 0.9; horizons 1, 4, 13, 26 and 52 dates.
    fn default() -> Self {
        EvolveSettings {
            method: ClusterMethod::Average,
            k: KChoice::Fixed(3),
            k_max: 9,
            k_rule: KRule::Silhouette,
            average: vec![
                Averaging::MovingAverage(1),
                Averaging::MovingAverage(4),
                Averaging::MovingAverage(13),
                Averaging::Ewma(0.9),
            ],
            horizons: vec![1, 4, 13, 26, 52],
            scale: Scale::Raw,
            correlation_window: 104,
            seed: 1,
            format: TableFormat::Csv,
            micro_clusters: None,
        }
    }
}

impl EvolveSettings {
    /// Check the settings before any data is read.
    pub fn validate(&self) -> Result<(), SettingError> {
        if self.average.is_empty() {
            return Err(SettingError::new("average", "needs at least one rule"));
        }
        if self.horizons.is_empty() {
            return Err(SettingError::new("horizons", "needs at least one horizon"));
        }
        if self.horizons.contains(&0) {
            return Err(SettingError::new(
                "horizons",
                "must be at least 1 date, got 0",
            ));
        }
        if self.k_max == 0 {
            return Err(SettingError::new("k-max", "must be at least 1, got 0"));
        }
        if self.k == KChoice::Auto {
            match (self.k_rule, self.method) {
                (KRule::Gap, _) => {
                    return Err(SettingError::new(
                        "k-rule",
                        "evolve chooses k by bic or silhouette",
                    ))
                }
                (KRule::Silhouette, ClusterMethod::Gmm) => {
                    return Err(SettingError::new("k-rule", "--method gmm chooses k by bic"))
                }
                _ => {}
            }
        }
        if let Some(m) = self.micro_clusters {
            at_scale::validate(self, m)?;
        }
        if self.correlation_window < 3 {
            return Err(SettingError::new(
                "correlation-window",
                format!(
                    "must be at least 3 periods, got {}",
                    self.correlation_window
                ),
            ));
        }
        Ok(())
    }

    /// Check the settings against the number of dates: every moving-average window and
    /// every horizon shorter than it.
    pub fn validate_dates(&self, dates: usize) -> Result<(), SettingError> {
        for a in &self.average {
            if let Averaging::MovingAverage(p) = a {
                if *p > dates {
                    return Err(SettingError::new(
                        "average",
                        format!("{a} averages {p} dates but the input has {dates}"),
                    ));
                }
            }
        }
        if let Some(h) = self.horizons.iter().find(|&&h| h >= dates) {
            return Err(SettingError::new(
                "horizons",
                format!("{h} must be shorter than the number of dates ({dates})"),
            ));
        }
        Ok(())
    }
}

/// The inputs of [`evolve`].
#[derive(Clone, Copy, Debug)]
pub struct EvolveInputs<'a> {
    /// Each date's similarity.
    pub source: EvolveSource<'a>,
    /// Factor attribute table (`factor,<attribute>...`), for themes by attribute.
    pub factor_attributes: Option<Named<'a, Metadata>>,
    /// Fund returns, for portfolios and correlation clusters.
    pub returns: Option<Named<'a, Panel>>,
    /// Reference labels `id,label` (e.g. vendor categories).
    pub reference: Option<Named<'a, [(String, String)]>>,
}

/// One rule's aligned clustering of one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateClusters {
    /// Date index.
    pub t: usize,
    /// Funds clustered (indices into the source's funds, increasing).
    pub ids: Vec<usize>,
    /// Aligned cluster of each fund (0-based; one label is one group over time).
    pub labels: Vec<usize>,
}

/// Stability of one rule at one horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct Stability {
    /// Averaging rule (index into `averages`).
    pub rule: usize,
    /// Horizon in dates.
    pub horizon: usize,
    /// Mean share of funds keeping their cluster (NaN when nothing was compared).
    pub stability: f64,
    /// Fund-date pairs compared.
    pub n: usize,
}

/// The results of [`evolve`].
#[derive(Clone, Debug)]
pub struct Evolution {
    /// The averaging rules, in settings order.
    pub averages: Vec<Averaging>,
    /// Dates of the source.
    pub dates: Vec<Date>,
    /// Funds of the source.
    pub funds: Vec<String>,
    /// Factors (with exposures).
    pub factors: Vec<String>,
    /// Aligned clusterings of each rule, in date order.
    pub paths: Vec<Vec<DateClusters>>,
    /// Stability of each rule at each horizon.
    pub stability: Vec<Stability>,
    /// Every change of cluster.
    pub transitions: Vec<Transition>,
    /// Mean beta per cluster and factor (with exposures).
    pub themes: Option<Vec<Theme>>,
    /// Themes summed by attribute label (with a factor attribute table).
    pub themes_by_attribute: Option<Vec<AttributeTheme>>,
    /// Next-period group portfolios (with returns).
    pub portfolios: Option<Vec<Portfolio>>,
    /// Dispersion of next-period returns within and between groups (with returns).
    pub dispersion: Option<Vec<Dispersion>>,
    /// ARI/NMI per date against the reference and correlation clusters.
    pub agreement: Option<Vec<AgreementRow>>,
    format: TableFormat,
}

/// The files [`Evolution::artifacts`] will hold for these inputs and settings, so that a
/// front end can plan them before any work.
pub fn output_files(inputs: &EvolveInputs<'_>, settings: &EvolveSettings) -> Vec<String> {
    let ext = settings.format.extension();
    let exposures = matches!(inputs.source, EvolveSource::Exposures { .. });
    let mut tables = vec!["assignments", "stability", "transitions", "concentration"];
    if exposures {
        tables.push("themes");
        if inputs.factor_attributes.is_some() {
            tables.push("themes_by_attribute");
        }
    }
    if inputs.returns.is_some() {
        tables.extend(["portfolios", "dispersion"]);
    }
    if inputs.returns.is_some() || inputs.reference.is_some() {
        tables.push("agreement");
    }
    let mut files: Vec<String> = tables.iter().map(|t| format!("{t}.{ext}")).collect();
    files.extend(["allocation.svg", "stability.svg", "transitions.svg"].map(String::from));
    if exposures {
        files.push("themes.svg".into());
    }
    if inputs.returns.is_some() {
        files.push("portfolios.svg".into());
    }
    files
}

/// Evolutionary peer groups: cluster every date's averaged similarity under each rule,
/// align labels date to date, and measure the groups over time.
pub fn evolve(
    inputs: EvolveInputs<'_>,
    settings: &EvolveSettings,
) -> Result<Evolution, InputError> {
    evolve_with(inputs, settings, &Silent)
}

/// [`evolve`], reporting the dates done to `progress`.
pub fn evolve_with(
    inputs: EvolveInputs<'_>,
    settings: &EvolveSettings,
    progress: &dyn Progress,
) -> Result<Evolution, InputError> {
    settings.validate()?;
    let source = inputs.source;
    let dates = source.dates().to_vec();
    let funds = source.funds().to_vec();
    settings.validate_dates(dates.len())?;
    let capacity = settings
        .average
        .iter()
        .map(|&a| RuleState::window(a))
        .max()
        .unwrap_or(1);
    let mut window = Window::new(capacity);
    let mut rules: Vec<RuleState> = settings
        .average
        .iter()
        .map(|&a| RuleState::new(a))
        .collect();
    let mut aligners: Vec<alignment::Aligner> = settings
        .average
        .iter()
        .map(|_| Default::default())
        .collect();
    let mut paths: Vec<Vec<DateClusters>> = settings.average.iter().map(|_| Vec::new()).collect();
    progress.start("dates", dates.len() as u64);
    // Dates go in batches: the similarities and averages of a batch are formed in date
    // order (each date's similarity is itself parallel), then every (date, rule) of the
    // batch is clustered in parallel, then labels are aligned in date order. The batch
    // bounds the averaged matrices held at once (BATCH × rules).
    if let Some(m) = settings.micro_clusters {
        at_scale::paths(source, settings, m, &mut aligners, &mut paths, progress)?;
    } else {
        for start in (0..dates.len()).step_by(BATCH) {
            let mut jobs: Vec<(usize, usize, averaging::Averaged)> = Vec::new();
            for t in start..(start + BATCH).min(dates.len()) {
                progress.advance(1);
                let Some(m) = source.on(t, settings.scale)? else {
                    continue;
                };
                window.push(m);
                let averaged: Vec<Option<averaging::Averaged>> =
                    rules.par_iter_mut().map(|r| r.step(&window, t)).collect();
                for (r, a) in averaged.into_iter().enumerate() {
                    if let Some(a) = a.filter(|a| a.ids.len() >= 3) {
                        jobs.push((r, t, a));
                    }
                }
            }
            let clustered: Vec<Clustered> = jobs
                .into_par_iter()
                .map(|(r, t, a)| {
                    let labels =
                        partition::partition(a.distance, &a.ids, &funds, dates[t], settings)
                            .map_err(|e| e.in_file(source.name()));
                    (r, t, a.ids, labels)
                })
                .collect();
            for (r, t, ids, labels) in clustered {
                let labels = aligners[r].align(&ids, &labels?)?;
                paths[r].push(DateClusters { t, ids, labels });
            }
        }
    }
    if paths.iter().all(Vec::is_empty) {
        return Err(
            InputError::new("no date has similarities of at least three funds to cluster")
                .in_file(source.name()),
        );
    }
    let mut stability_rows = Vec::new();
    for (r, path) in paths.iter().enumerate() {
        for &h in &settings.horizons {
            let (s, n) = stability::stability(path, h);
            stability_rows.push(Stability {
                rule: r,
                horizon: h,
                stability: s,
                n,
            });
        }
    }
    let all_transitions = paths
        .iter()
        .enumerate()
        .flat_map(|(r, p)| transitions::transitions(r, p))
        .collect();
    let (factors, themes, by_attribute) = match source {
        EvolveSource::Exposures { inputs: si, .. } => {
            let ex = si.exposures.value;
            let th: Vec<Theme> = paths
                .iter()
                .enumerate()
                .flat_map(|(r, p)| p.iter().flat_map(move |c| themes::themes(r, c, ex)))
                .collect();
            let by = inputs
                .factor_attributes
                .map(|a| themes::factor_labels(&ex.factors.names, a))
                .transpose()?
                .map(|labels| themes::by_attribute(&th, &labels));
            (ex.factors.names.clone(), Some(th), by)
        }
        EvolveSource::Similarity(_) => (Vec::new(), None, None),
    };
    let category: Option<Vec<Option<String>>> = inputs.reference.map(|r| {
        let map: HashMap<&str, &str> = r.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        funds
            .iter()
            .map(|f| map.get(f.as_str()).map(|s| s.to_string()))
            .collect()
    });
    let column: Option<Vec<Option<usize>>> = inputs
        .returns
        .map(|p| funds.iter().map(|f| p.index_of(f)).collect());
    let (portfolios, dispersion) = match (inputs.returns, &column) {
        (Some(panel), Some(column)) => {
            let r = portfolios::Returns {
                panel: panel.value,
                column: column.clone(),
                category: category.clone(),
                dates: &dates,
            };
            let (mut ps, mut ds) = (Vec::new(), Vec::new());
            for (rule, path) in paths.iter().enumerate() {
                let (p, d) = portfolios::portfolios(rule, path, &r);
                ps.extend(p);
                ds.extend(d);
            }
            (Some(ps), Some(ds))
        }
        _ => (None, None),
    };
    let agreement_rows = if category.is_some() || inputs.returns.is_some() {
        let mut rows = Vec::new();
        // Correlation clusters depend on the date only: computed once per date used.
        let mut corr: HashMap<usize, Option<Vec<Option<String>>>> = HashMap::new();
        for (rule, path) in paths.iter().enumerate() {
            for c in path {
                if let Some(cat) = &category {
                    rows.extend(agreement::against(rule, c, cat, Against::Reference)?);
                }
                if let (Some(panel), Some(column)) = (inputs.returns, &column) {
                    if let std::collections::hash_map::Entry::Vacant(e) = corr.entry(c.t) {
                        e.insert(
                            agreement::correlation_clusters(
                                panel.value,
                                column,
                                &funds,
                                dates[c.t],
                                settings,
                            )
                            .map_err(|e| e.in_file(panel.name))?,
                        );
                    }
                    if let Some(Some(other)) = corr.get(&c.t) {
                        rows.extend(agreement::against(rule, c, other, Against::Correlation)?);
                    }
                }
            }
        }
        Some(rows)
    } else {
        None
    };
    Ok(Evolution {
        averages: settings.average.clone(),
        dates,
        funds,
        factors,
        paths,
        stability: stability_rows,
        transitions: all_transitions,
        themes,
        themes_by_attribute: by_attribute,
        portfolios,
        dispersion,
        agreement: agreement_rows,
        format: settings.format,
    })
}

impl Evolution {
    fn rule(&self, r: usize) -> String {
        self.averages[r].to_string()
    }

    /// `average,date,fund,cluster` (clusters 1-based, aligned over time).
    pub fn assignments_table(&self) -> Table {
        let (mut avg, mut date, mut fund, mut cluster) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (r, path) in self.paths.iter().enumerate() {
            for c in path {
                for (&i, &l) in c.ids.iter().zip(&c.labels) {
                    avg.push(r as u32);
                    date.push(self.dates[c.t]);
                    fund.push(i as u32);
                    cluster.push(l as i64 + 1);
                }
            }
        }
        Table::new()
            .with("average", self.rule_column(avg))
            .with("date", Column::Date(date))
            .with(
                "fund",
                Column::Key {
                    codes: fund,
                    names: self.funds.clone(),
                },
            )
            .with("cluster", Column::I64(cluster))
    }

    fn rule_column(&self, codes: Vec<u32>) -> Column {
        Column::Key {
            codes,
            names: (0..self.averages.len()).map(|r| self.rule(r)).collect(),
        }
    }

    /// `average,horizon,stability,n`.
    pub fn stability_table(&self) -> Table {
        RowTable::new(&self.stability)
            .text("average", |s| self.rule(s.rule))
            .i64("horizon", |s| s.horizon as i64)
            .f64("stability", |s| s.stability)
            .i64("n", |s| s.n as i64)
            .table()
    }

    /// `average,date,fund,from_cluster,to_cluster`.
    pub fn transitions_table(&self) -> Table {
        RowTable::new(&self.transitions)
            .text("average", |x| self.rule(x.rule))
            .date("date", |x| self.dates[x.t])
            .text("fund", |x| self.funds[x.fund].clone())
            .i64("from_cluster", |x| x.from as i64 + 1)
            .i64("to_cluster", |x| x.to as i64 + 1)
            .table()
    }

    /// `average,date,cluster,n_funds,share`.
    pub fn concentration_table(&self) -> Table {
        let mut rows = Vec::new();
        for (r, path) in self.paths.iter().enumerate() {
            for c in path {
                let total = c.ids.len() as f64;
                for (cl, n) in transitions::concentration(c) {
                    rows.push((r, c.t, cl, n, n as f64 / total));
                }
            }
        }
        RowTable::new(&rows)
            .text("average", |x| self.rule(x.0))
            .date("date", |x| self.dates[x.1])
            .i64("cluster", |x| x.2 as i64 + 1)
            .i64("n_funds", |x| x.3 as i64)
            .f64("share", |x| x.4)
            .table()
    }

    /// `average,date,cluster,factor,mean_beta` (with exposures).
    pub fn themes_table(&self) -> Option<Table> {
        let th = self.themes.as_ref()?;
        Some(
            RowTable::new(th)
                .text("average", |x| self.rule(x.rule))
                .date("date", |x| self.dates[x.t])
                .i64("cluster", |x| x.cluster as i64 + 1)
                .text("factor", |x| self.factors[x.factor].clone())
                .f64("mean_beta", |x| x.mean_beta)
                .table(),
        )
    }

    /// `average,date,cluster,attribute,label,sum_beta` (with a factor attribute table).
    pub fn themes_by_attribute_table(&self) -> Option<Table> {
        let th = self.themes_by_attribute.as_ref()?;
        Some(
            RowTable::new(th)
                .text("average", |x| self.rule(x.rule))
                .date("date", |x| self.dates[x.t])
                .i64("cluster", |x| x.cluster as i64 + 1)
                .text("attribute", |x| x.attribute.clone())
                .text("label", |x| x.label.clone())
                .f64("sum_beta", |x| x.sum_beta)
                .table(),
        )
    }

    /// `average,date,group_kind,group,n_funds,next_return,return_date` (with returns).
    pub fn portfolios_table(&self) -> Option<Table> {
        let p = self.portfolios.as_ref()?;
        Some(
            RowTable::new(p)
                .text("average", |x| self.rule(x.rule))
                .date("date", |x| self.dates[x.t])
                .text("group_kind", |x| x.kind.name().into())
                .text("group", |x| x.group.clone())
                .i64("n_funds", |x| x.n_funds as i64)
                .f64("next_return", |x| x.next_return)
                .date("return_date", |x| x.return_date)
                .table(),
        )
    }

    /// `average,group_kind,dates,within_sd,between_sd` (with returns).
    pub fn dispersion_table(&self) -> Option<Table> {
        let d = self.dispersion.as_ref()?;
        Some(
            RowTable::new(d)
                .text("average", |x| self.rule(x.rule))
                .text("group_kind", |x| x.kind.name().into())
                .i64("dates", |x| x.dates as i64)
                .f64("within_sd", |x| x.within_sd)
                .f64("between_sd", |x| x.between_sd)
                .table(),
        )
    }

    /// `average,date,against,n_funds,ari,nmi` (with a reference or returns).
    pub fn agreement_table(&self) -> Option<Table> {
        let a = self.agreement.as_ref()?;
        Some(
            RowTable::new(a)
                .text("average", |x| self.rule(x.rule))
                .date("date", |x| self.dates[x.t])
                .text("against", |x| x.against.name().into())
                .i64("n_funds", |x| x.n_funds as i64)
                .f64("ari", |x| x.ari)
                .f64("nmi", |x| x.nmi)
                .table(),
        )
    }

    /// Every table and chart under its file name (see [`output_files`]).
    pub fn artifacts(&self) -> Artifacts {
        use crate::chart::evolve as ch;
        let ext = self.format.extension();
        let mut a = Artifacts::default();
        a.table(format!("assignments.{ext}"), self.assignments_table());
        a.table(format!("stability.{ext}"), self.stability_table());
        a.table(format!("transitions.{ext}"), self.transitions_table());
        a.table(format!("concentration.{ext}"), self.concentration_table());
        let optional = [
            ("themes", self.themes_table()),
            ("themes_by_attribute", self.themes_by_attribute_table()),
            ("portfolios", self.portfolios_table()),
            ("dispersion", self.dispersion_table()),
            ("agreement", self.agreement_table()),
        ];
        for (name, table) in optional {
            if let Some(t) = table {
                a.table(format!("{name}.{ext}"), t);
            }
        }
        a.chart("allocation.svg", ch::allocation_chart(self, 0));
        a.chart("stability.svg", ch::stability_chart(self));
        a.chart("transitions.svg", ch::transitions_chart(self, 0));
        if let Some(c) = ch::themes_chart(self, 0) {
            a.chart("themes.svg", c);
        }
        if let Some(c) = ch::portfolios_chart(self, 0) {
            a.chart("portfolios.svg", c);
        }
        a
    }

    /// A few lines for the terminal: clusterings, transitions and stability per rule.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for (r, path) in self.paths.iter().enumerate() {
            let moves = self.transitions.iter().filter(|x| x.rule == r).count();
            let stab: Vec<String> = self
                .stability
                .iter()
                .filter(|s| s.rule == r)
                .map(|s| format!("h={} {:.3}", s.horizon, s.stability))
                .collect();
            out.push_str(&format!(
                "{}: {} dates clustered, {} transitions; stability {}\n",
                self.rule(r),
                path.len(),
                moves,
                stab.join(", ")
            ));
        }
        out
    }
}

#[cfg(all(test, feature = "clap"))]
mod settings_tests {
    use super::*;
    use crate::settings::check;

    #[test]
    fn evolve_settings() {
        check::settings_type(&EvolveSettings {
            method: ClusterMethod::Ward,
            k: KChoice::Fixed(8),
            k_max: 5,
            k_rule: KRule::Bic,
            average: vec![Averaging::MovingAverage(2), Averaging::Ewma(0.5)],
            horizons: vec![1, 2],
            scale: Scale::Gross,
            correlation_window: 52,
            seed: 7,
            format: TableFormat::Parquet,
            micro_clusters: Some(500),
        });
        let e = check::parse::<EvolveSettings>(&["--k", "0"]).unwrap_err();
        assert!(e.contains("--k"), "{e}");
        let s: EvolveSettings = check::parse(&["--horizons", "0"]).unwrap();
        check::names_key(s.validate(), "horizons");
        let s: EvolveSettings = check::parse(&["--average", "ma:5", "--horizons", "1"]).unwrap();
        check::names_key(s.validate_dates(4), "average");
        assert_eq!(s.validate_dates(5), Ok(()));
        let s: EvolveSettings = check::parse(&["--average", "ma:1", "--horizons", "1,4"]).unwrap();
        check::names_key(s.validate_dates(4), "horizons");
        let s: EvolveSettings = check::parse(&["--k", "auto", "--k-rule", "gap"]).unwrap();
        check::names_key(s.validate(), "k-rule");
    }
}
