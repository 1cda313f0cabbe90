//! Segments of app investors from their profile and daily balances (METHODS §6):
//! k-prototypes on categorical profile features and scaled numeric balance features, with
//! k chosen on a seeded sample, its stability under resampling of that sample, segment
//! profiles with generated persona names and campaign themes, and descriptive tables.

use peergroup_cluster::kprototypes::{KPrototypes, KPrototypesFit, KPrototypesOptions, MixedRef};
use peergroup_cluster::select::{
    self, choose_k, KPrototypesSelect, KSelect, SILHOUETTE_NO_STRUCTURE,
};
use peergroup_cluster::stability::{resample_stability, Stability};
use peergroup_cluster::{Fit, MatRef};
use peergroup_data::{InputError, Position};
use peergroup_io::{BalancesFile, Column, Table, UsersFile};
use peergroup_random::Rng;
use peergroup_report::{BarChart, LineChart, Series, XAxis};
use peergroup_segment::eda::{investor_eda, EdaConfig, InvestorEda};
use peergroup_segment::investors::{
    investor_features, mix_features, personas, BalanceColumns, FundType, InvestorConfig,
    InvestorData, InvestorFeatures, Persona, UserColumns, UserTable,
};
use peergroup_segment::profile::{profiles, Categoricals, DescribeConfig, ProfileInput, Profiles};
use peergroup_segment::Matrix;

use super::{
    by_size, k_note, profiles_table, text_column, InputNames, KSelection, KSettings, PcaMap,
    SegmentSummary, GAP_REFERENCES,
};
use serde::{Deserialize, Serialize};

use crate::error::OrInput;
use crate::settings::{as_text, SettingError};
#[cfg(feature = "clap")]
use crate::settings::{default_text, parse};
use crate::{Chart, KChoice, KRule};

/// Which investor features are clustered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum InvestorFeatureSet {
    /// Fund-type shares of AUM, log total AUM, log transactions per month, log monthly
    /// buy; generation, occupation, income band (default).
    Mix,
    /// All 20 measures (AUM, buy, sell, transactions, profit per fund type, log1p and
    /// z-scored); gender, generation, occupation, income band, referral.
    Measures,
}

/// Mean-silhouette difference within which the silhouette rule prefers the smaller k
/// (with k = 1 whenever the gap rule finds no structure):
/// the smallest k whose width is at least the widest minus this (parsimony, as the gap
/// statistic's one-standard-error rule; differences this small are within the noise of
/// the 2,000-user silhouette sample).
pub const SILHOUETTE_TOLERANCE: f64 = 0.02;

/// Settings of the investor segments, as written on the command line or in a study file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct InvestorSettings {
    /// Number of segments, or auto (chosen by --k-rule in 1..--k-max on a sample).
    #[cfg_attr(feature = "clap", arg(long, default_value = default_text(&InvestorSettings::default().k), value_parser = parse::<KChoice>, value_name = "K|auto"))]
    #[serde(with = "as_text")]
    pub k: KChoice,
    /// Largest k tried by --k auto.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = InvestorSettings::default().k_max, value_name = "K"))]
    pub k_max: usize,
    /// Rule of --k auto: silhouette (widest mean silhouette; k = 1 when it is at most 0.25)
    /// or gap (Tibshirani's gap statistic); bic is for Gaussian mixtures (cluster).
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = InvestorSettings::default().k_rule, value_name = "RULE"))]
    pub k_rule: KRule,
    /// Users sampled to choose k (the chosen k is then fitted on everyone).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = InvestorSettings::default().k_sample, value_name = "N"))]
    pub k_sample: usize,
    /// Random seed (sample, k-prototypes starts, gap references).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = InvestorSettings::default().seed))]
    pub seed: u64,
    /// Features clustered: mix (fund-type shares, size, frequency, buying; generation,
    /// occupation, income) or measures (all 20 measures and 5 profile columns).
    #[cfg_attr(feature = "clap", arg(long = "feature-set", value_enum, default_value_t = InvestorSettings::default().features, value_name = "SET"))]
    #[serde(rename = "feature-set")]
    pub features: InvestorFeatureSet,
    /// Bootstrap replicates of the segments' stability on the k sample (0 = off).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = InvestorSettings::default().stability_replicates, value_name = "N"))]
    pub stability_replicates: usize,
    /// Leave users without balance rows out of the descriptive tables too (they are
    /// never segmented).
    #[cfg_attr(feature = "clap", arg(long))]
    pub exclude_no_balance: bool,
    /// Fit the daily transaction trends over weekends too (default weekdays only:
    /// markets are closed on weekends).
    #[cfg_attr(feature = "clap", arg(long))]
    pub trend_weekends: bool,
}

impl Default for InvestorSettings {
    /// k by the widest silhouette (with [`SILHOUETTE_TOLERANCE`]) in 1..8 on 3,000
    /// sampled users, mix features, 20 stability replicates, every registered user in
    /// the descriptive tables, trends over weekdays.
    fn default() -> Self {
        let k = KSettings::default();
        InvestorSettings {
            k: k.k,
            k_max: k.k_max,
            k_rule: KRule::Silhouette,
            k_sample: 3000,
            seed: 1,
            features: InvestorFeatureSet::Mix,
            stability_replicates: 20,
            exclude_no_balance: false,
            trend_weekends: false,
        }
    }
}

impl InvestorSettings {
    /// Check the settings before any data is read.
    pub fn validate(&self) -> Result<(), SettingError> {
        self.k_settings()?;
        if self.k_sample < 2 {
            return Err(SettingError::new(
                "k-sample",
                format!("must be at least 2, got {}", self.k_sample),
            ));
        }
        Ok(())
    }

    /// The number of segments, given or chosen.
    pub fn k_settings(&self) -> Result<KSettings, SettingError> {
        KSettings::of(self.k, self.k_max, self.k_rule)
    }
}

/// Validated users and balances with each active user's features.
pub struct InvestorInput {
    settings: InvestorSettings,
    names: InputNames,
    data: InvestorData,
    /// Users with balances: the rows segmented.
    features: InvestorFeatures,
    /// Every registered user (None with `exclude_no_balance`), for the descriptive tables.
    everyone: Option<InvestorFeatures>,
    /// Clustered numeric features (n × d, scaled).
    x: Matrix,
    /// Clustered categorical features.
    cats: Categoricals,
    /// The seeded sample of rows k is chosen on (increasing).
    sample: Vec<usize>,
}

/// Validate the users (`user_id,registered,gender,age,occupation,income_band,referral`)
/// and balances (`user_id,date,fund_type,balance,buy,sell,profit`) tables and build each
/// user's features. Errors name the table (`users_name`, `balances_name`), its data row
/// and column.
pub fn prepare(
    users: UsersFile,
    users_name: &str,
    balances: BalancesFile,
    balances_name: &str,
    settings: &InvestorSettings,
) -> Result<InvestorInput, InputError> {
    settings.validate()?;
    let names = InputNames {
        users: Some(users_name.into()),
        balances: Some(balances_name.into()),
        ..InputNames::default()
    };
    let data = investor_data(users, balances, balances_name, &names)?;
    let features =
        investor_features(&data, &InvestorConfig::default()).map_err(|e| names.error(e))?;
    let everyone = if settings.exclude_no_balance || features.inactive.is_empty() {
        None
    } else {
        let all = InvestorConfig {
            keep_inactive: true,
            ..InvestorConfig::default()
        };
        Some(investor_features(&data, &all).map_err(|e| names.error(e))?)
    };
    let (x, cats) = match settings.features {
        InvestorFeatureSet::Mix => mix_features(&features),
        InvestorFeatureSet::Measures => (features.numeric.clone(), features.categorical.clone()),
    };
    let n = features.len();
    if let KChoice::Fixed(k) = settings.k {
        if k > n {
            return Err(InputError::new(format!(
                "--k {k} is more than the {n} users with balances"
            ))
            .in_file(balances_name));
        }
    }
    let sample = seeded_sample(n, settings.k_sample.min(n), settings.seed);
    Ok(InvestorInput {
        settings: *settings,
        names,
        data,
        features,
        everyone,
        x,
        cats,
        sample,
    })
}

/// `m` of `0..n` drawn without replacement (on stream 0x5e9 of `seed`), in increasing order.
fn seeded_sample(n: usize, m: usize, seed: u64) -> Vec<usize> {
    Rng::stream(seed, 0x5e9).sample(n, m)
}

/// The tables as the segment crate's validated data.
fn investor_data(
    u: UsersFile,
    b: BalancesFile,
    balances_name: &str,
    names: &InputNames,
) -> Result<InvestorData, InputError> {
    let users = UserTable::new(UserColumns {
        user_id: u.user_id,
        registered: u.registered,
        gender: text_column(u.gender),
        age: u.age,
        occupation: text_column(u.occupation),
        income_band: text_column(u.income_band),
        referral: text_column(u.referral),
    })
    .map_err(|e| names.error(e))?;
    let types: Vec<Option<FundType>> = b
        .fund_type
        .names
        .iter()
        .map(|t| FundType::parse(t))
        .collect();
    if let Some(code) = types.iter().position(Option::is_none) {
        let row = b
            .fund_type
            .codes
            .iter()
            .position(|&c| c as usize == code)
            .expect("code in use");
        return Err(InputError::new(format!(
            "expected a fund type money_market, bond, stock or mixed, found '{}'",
            peergroup_data::shown(&b.fund_type.names[code])
        ))
        .with_column("fund_type")
        .with_position(Position::Row(row as u64 + 1))
        .in_file(balances_name));
    }
    let fund_type = b
        .fund_type
        .codes
        .iter()
        .map(|&c| types[c as usize].expect("checked"))
        .collect();
    let bal = BalanceColumns {
        user_id: text_column(b.user_id),
        date: b.date,
        fund_type,
        balance: b.balance,
        buy: b.buy,
        sell: b.sell,
        profit: b.profit,
    };
    InvestorData::new(users, bal).map_err(|e| names.error(e))
}

impl InvestorInput {
    /// Users with balances (the rows segmented).
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether no user has balances.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The descriptive tables' figures: every registered user, or only users with
    /// balances with `exclude_no_balance`.
    pub fn eda(&self) -> InvestorEda {
        let cfg = EdaConfig {
            weekends: self.settings.trend_weekends,
        };
        investor_eda(
            &self.data,
            self.everyone.as_ref().unwrap_or(&self.features),
            &cfg,
        )
    }

    fn options(&self) -> KPrototypesOptions {
        KPrototypesOptions {
            seed: self.settings.seed,
            ..KPrototypesOptions::default()
        }
    }

    /// The clustered features of `rows` (repeats allowed), row-major.
    fn rows_of(&self, rows: &[usize]) -> (Vec<f64>, Vec<u32>) {
        let (p, q) = (self.x.cols(), self.cats.cols());
        let (numeric, categorical) = (self.x.as_slice(), self.cats.codes());
        let sn = rows
            .iter()
            .flat_map(|&i| numeric[i * p..(i + 1) * p].iter().copied())
            .collect();
        let sc = rows
            .iter()
            .flat_map(|&i| categorical[i * q..(i + 1) * q].iter().copied())
            .collect();
        (sn, sc)
    }

    /// The number of segments: given, or chosen by the settings' rule on a seeded sample
    /// of `k_sample` users (the gap statistic refits every k on every reference set).
    /// The silhouette rule takes the smallest k within [`SILHOUETTE_TOLERANCE`] of the
    /// widest mean silhouette, and k = 1 when the widest is at most 0.25 or the gap rule
    /// chooses k = 1.
    pub fn choose_k(&self) -> Result<(usize, KSelection), InputError> {
        let s = &self.settings;
        let ks = s.k_settings()?;
        let k_max = match ks.k {
            KChoice::Fixed(k) => return Ok((k, KSelection::given())),
            KChoice::Auto => ks.k_max,
        };
        let m = self.sample.len();
        let (sn, sc) = self.rows_of(&self.sample);
        let (p, q) = (self.x.cols(), self.cats.cols());
        let sample = MixedRef::new(MatRef::new(&sn, m, p).or_input()?, &sc, q).or_input()?;
        let sel = KPrototypesSelect::new(sample, self.options()).or_input()?;
        let mut c = choose_k(&sel, k_max.min(m), GAP_REFERENCES, ks.rule, s.seed).or_input()?;
        // The silhouette finds "weak structure" even in noise (about 0.3 on mixed data
        // drawn from one population), so k = 1 also when the gap rule finds no more
        // structure than its null.
        let parsimonious = if c.k_gap == 1 {
            1
        } else {
            silhouette_within(&c.table, SILHOUETTE_TOLERANCE)
        };
        c.k_silhouette = parsimonious;
        if c.rule == select::KRule::Silhouette && c.k != parsimonious {
            c.k = parsimonious;
            // The labels of the chosen fit, as `choose_k` returns them.
            c.labels = sel.fit(parsimonious, s.seed).or_input()?.labels;
        }
        let note = format!(
            "{} on a sample of {m} users",
            k_note(&c).replace(
                "widest mean silhouette",
                &format!("smallest k within {SILHOUETTE_TOLERANCE} of the widest mean silhouette"),
            )
        );
        Ok((
            c.k,
            KSelection {
                choice: Some(c),
                note,
            },
        ))
    }

    /// k-prototypes with `k` segments on every user.
    pub fn fit(&self, k: usize) -> Result<KPrototypesFit, InputError> {
        let data =
            MixedRef::new(self.x.as_ref(), self.cats.codes(), self.cats.cols()).or_input()?;
        KPrototypes::new(k)
            .options(self.options())
            .fit(data)
            .or_input()
    }

    /// Stability of the fitted segments (`labels`, one per user) by
    /// `stability_replicates` bootstrap resamples of the k sample, each refitted with k
    /// segments and compared with `labels` on the sample by the adjusted Rand index.
    /// `None` when replicates are 0 or the sample has fewer than 3 users.
    pub fn stability(&self, k: usize, labels: &[usize]) -> Result<Option<Stability>, InputError> {
        let reps = self.settings.stability_replicates;
        if reps == 0 || self.sample.len() < 3 {
            return Ok(None);
        }
        let (p, q) = (self.x.cols(), self.cats.cols());
        let on_sample: Vec<usize> = self.sample.iter().map(|&i| labels[i]).collect();
        let st = resample_stability(&on_sample, reps, self.settings.seed, |rows, seed| {
            let drawn: Vec<usize> = rows.iter().map(|&r| self.sample[r]).collect();
            let (sn, sc) = self.rows_of(&drawn);
            let data = MixedRef::new(MatRef::new(&sn, drawn.len(), p)?, &sc, q)?;
            let opts = KPrototypesOptions {
                seed,
                ..self.options()
            };
            Ok(KPrototypes::new(k).options(opts).fit(data)?.labels)
        })
        .or_input()?;
        Ok(Some(st))
    }

    /// Number the fitted segments by size and describe them: profiles and PCA map.
    pub fn segments(
        self,
        k: usize,
        selection: KSelection,
        fit: &KPrototypesFit,
        eda: InvestorEda,
    ) -> Result<InvestorSegments, InputError> {
        let labels = by_size(&fit.labels);
        let stability = self.stability(k, &labels)?;
        let registered: Vec<_> = self
            .features
            .user_rows
            .iter()
            .map(|&u| self.data.users().columns().registered[u])
            .collect();
        let f = self.features;
        let profiles = profiles(
            &ProfileInput {
                numeric: &f.numeric_raw,
                numeric_specs: &f.numeric_specs,
                scaled: Some(&f.numeric),
                categorical: Some(&f.categorical),
            },
            &labels,
            &DescribeConfig::default(),
        )
        .map_err(|e| self.names.error(e))?;
        let pca = PcaMap::of(self.x.as_slice(), f.len(), self.x.cols())?;
        let personas = personas(&profiles, f.months);
        let mut notes = Vec::new();
        if !f.inactive.is_empty() {
            notes.push(format!(
                "{} users without balance rows were not segmented; the descriptive tables {} them",
                f.inactive.len(),
                if self.everyone.is_some() {
                    "count"
                } else {
                    "leave out"
                }
            ));
        }
        if let Some(st) = &stability {
            notes.push(format!(
                "stability over {} bootstrap resamples of the {} sampled users: mean ARI {:.3} (sd {:.3}, 5th percentile {:.3})",
                st.aris.len(),
                self.sample.len(),
                st.mean_ari,
                st.sd_ari,
                st.p05_ari
            ));
        }
        Ok(InvestorSegments {
            user_ids: f.user_ids,
            labels,
            k,
            selection,
            pca,
            profiles,
            personas,
            stability,
            registered,
            eda,
            notes,
        })
    }
}

/// Segment app investors: [`prepare`], describe, choose k, fit k-prototypes and profile.
pub fn segment_investors(
    users: UsersFile,
    users_name: &str,
    balances: BalancesFile,
    balances_name: &str,
    settings: &InvestorSettings,
) -> Result<InvestorSegments, InputError> {
    let input = prepare(users, users_name, balances, balances_name, settings)?;
    let eda = input.eda();
    let (k, selection) = input.choose_k()?;
    let fit = input.fit(k)?;
    input.segments(k, selection, &fit, eda)
}

/// The files [`InvestorSegments::artifacts`] will hold for `settings`, known before any
/// work.
pub fn output_files(settings: &InvestorSettings) -> Vec<String> {
    let mut files = vec![
        "assignments.csv".to_string(),
        "profiles.csv".into(),
        "segments.svg".into(),
        "segment_sizes.svg".into(),
    ];
    if settings.k == KChoice::Auto {
        files.push("k_selection.csv".into());
    }
    if settings.stability_replicates > 0 {
        files.push("stability.csv".into());
    }
    files.extend(super::eda::TABLES.iter().map(|t| format!("eda/{t}.csv")));
    files.extend(super::eda::CHARTS.iter().map(|c| format!("eda/{c}.svg")));
    files
}

/// `a ÷ b`, NaN when b is 0.
fn ratio(a: f64, b: f64) -> f64 {
    if b != 0.0 {
        a / b
    } else {
        f64::NAN
    }
}

/// The smallest k ≥ 2 whose mean silhouette is at least the widest minus `tolerance`, or
/// 1 when the widest is at most [`SILHOUETTE_NO_STRUCTURE`] or none is defined.
pub fn silhouette_within(table: &[select::KCriteria], tolerance: f64) -> usize {
    let widest = table
        .iter()
        .filter(|r| r.k >= 2 && !r.silhouette.is_nan())
        .map(|r| r.silhouette)
        .fold(f64::NEG_INFINITY, f64::max);
    if widest.is_nan() || widest <= SILHOUETTE_NO_STRUCTURE {
        return 1;
    }
    table
        .iter()
        .find(|r| r.k >= 2 && r.silhouette >= widest - tolerance)
        .map_or(1, |r| r.k)
}

/// Segments of app investors, with their profiles, map and descriptive tables.
#[derive(Clone, Debug)]
pub struct InvestorSegments {
    /// Id of each segmented user (users with balances, users-table order).
    pub user_ids: Vec<String>,
    /// Segment of each user, 0-based, numbered by size (0 = largest).
    pub labels: Vec<usize>,
    /// Segments fitted.
    pub k: usize,
    /// How k was set.
    pub selection: KSelection,
    /// Principal components of the clustered numeric features.
    pub pca: PcaMap,
    /// Profile of each segment.
    pub profiles: Profiles,
    /// Generated persona name and campaign themes of each segment, by segment.
    pub personas: Vec<Persona>,
    /// Resampling stability of the segments on the k sample (None when off).
    pub stability: Option<Stability>,
    /// Registration date of each segmented user.
    pub registered: Vec<peergroup_calendar::Date>,
    /// Descriptive figures of all users and balances.
    pub eda: InvestorEda,
    /// Remarks for the user.
    pub notes: Vec<String>,
}

impl InvestorSegments {
    /// Every output as a named file: assignments, profiles, the segments chart, segment
    /// sizes by registration month, one profile chart per segment under `profiles/`, the
    /// k selection (with `--k auto`), the stability (when on) and the descriptive tables
    /// and charts under `eda/`.
    pub fn artifacts(&self) -> crate::Artifacts {
        let mut a = crate::Artifacts::default();
        a.table("assignments.csv", self.assignments_table());
        a.table("profiles.csv", self.profiles_table());
        a.chart("segments.svg", self.segments_chart());
        a.chart("segment_sizes.svg", self.sizes_chart());
        for (s, c) in self.profile_charts().into_iter().enumerate() {
            a.chart(format!("profiles/segment_{}.svg", s + 1), c);
        }
        if let Some(t) = self.selection.table() {
            a.table("k_selection.csv", t);
        }
        if let Some(t) = self.stability_table() {
            a.table("stability.csv", t);
        }
        for (name, t) in super::eda::tables(&self.eda) {
            a.table(format!("eda/{name}.csv"), t);
        }
        for (name, c) in super::eda::charts(&self.eda) {
            a.chart(format!("eda/{name}.svg"), c);
        }
        a
    }

    /// Counts, sizes and notes, for a summary line.
    pub fn summary(&self) -> SegmentSummary {
        SegmentSummary::of(&self.labels, self.k, &self.selection, &self.notes)
    }

    /// `user_id,segment,pc1,pc2`, segments numbered 1..k.
    pub fn assignments_table(&self) -> Table {
        let pcs = &self.pca.scores;
        Table::new()
            .with("user_id", Column::Text(self.user_ids.clone()))
            .with(
                "segment",
                Column::I64(self.labels.iter().map(|&l| l as i64 + 1).collect()),
            )
            .with("pc1", Column::F64(pcs.iter().map(|p| p[0]).collect()))
            .with("pc2", Column::F64(pcs.iter().map(|p| p[1]).collect()))
    }

    /// Per segment: size, share, description, persona name, campaign themes (`; `
    /// separated), share of each category level, numeric means.
    pub fn profiles_table(&self) -> Table {
        let wide = profiles_table(&self.profiles);
        let mut t = Table::new();
        for (j, (name, col)) in wide.names().iter().zip(wide.columns()).enumerate() {
            t.push(name, col.clone());
            if j == 3 {
                t.push(
                    "persona",
                    Column::Text(self.personas.iter().map(|p| p.name.clone()).collect()),
                );
                t.push(
                    "themes",
                    Column::Text(self.personas.iter().map(|p| p.themes.join("; ")).collect()),
                );
            }
        }
        t
    }

    /// `replicate,ari` and a last row `mean`, `sd`, `p05` (None when stability is off).
    pub fn stability_table(&self) -> Option<Table> {
        let st = self.stability.as_ref()?;
        let mut names: Vec<String> = (1..=st.aris.len()).map(|b| b.to_string()).collect();
        names.extend(["mean".into(), "sd".into(), "p05".into()]);
        let mut values = st.aris.clone();
        values.extend([st.mean_ari, st.sd_ari, st.p05_ari]);
        Some(
            Table::new()
                .with("replicate", Column::Text(names))
                .with("ari", Column::F64(values)),
        )
    }

    /// Per segment, its level shares (generation, occupation, income band, referral) and
    /// mean AUM per fund type as an index against all segmented users (1 = average).
    pub fn profile_charts(&self) -> Vec<Chart> {
        let p = &self.profiles;
        self.profiles
            .segments
            .iter()
            .zip(&self.personas)
            .map(|(s, persona)| {
                let mut labels = Vec::new();
                let mut values = Vec::new();
                for (j, spec) in p.categorical.iter().enumerate() {
                    if spec.name == "gender" {
                        continue;
                    }
                    for (l, level) in spec.levels.iter().enumerate() {
                        labels.push(format!("{}: {level}", spec.name));
                        values.push(ratio(s.level_shares[j][l], p.population_shares[j][l]));
                    }
                }
                for t in FundType::ALL {
                    let name = format!("aum_{}", t.name());
                    if let Some(j) = p.numeric.iter().position(|n| n.name == name) {
                        labels.push(format!("mean AUM {}", t.words()));
                        values.push(ratio(s.means[j], p.population_means[j]));
                    }
                }
                Chart::Bar(BarChart {
                    title: format!("Segment {}: {}", s.segment + 1, persona.name),
                    value_label: "segment ÷ all segmented users (1 = average)".into(),
                    labels,
                    values,
                    horizontal: true,
                })
            })
            .collect()
    }

    /// Users per segment by registration month, cumulative: how each segment grew.
    pub fn sizes_chart(&self) -> Chart {
        let month = |d: peergroup_calendar::Date| {
            let (y, m, _) = d.ymd();
            peergroup_calendar::Date::month_end(y, m).expect("valid month")
        };
        let mut months: Vec<_> = self.registered.iter().map(|&d| month(d)).collect();
        months.sort_unstable();
        months.dedup();
        let series = (0..self.k)
            .map(|seg| {
                let mut counts = vec![0usize; months.len()];
                for (&d, &l) in self.registered.iter().zip(&self.labels) {
                    if l == seg {
                        counts[months.binary_search(&month(d)).expect("listed")] += 1;
                    }
                }
                let mut total = 0;
                Series {
                    name: format!("segment {}", seg + 1),
                    points: months
                        .iter()
                        .zip(counts)
                        .map(|(m, c)| {
                            total += c;
                            (m.days() as f64, total as f64)
                        })
                        .collect(),
                }
            })
            .collect();
        Chart::Line(LineChart {
            title: "Segment sizes by registration month (cumulative)".into(),
            x_label: "registration month".into(),
            y_label: "users registered by then".into(),
            x_axis: XAxis::Dates,
            log_y: false,
            series,
        })
    }

    /// Segment shares with their descriptions.
    pub fn segments_chart(&self) -> Chart {
        let segs = &self.profiles.segments;
        Chart::Bar(BarChart {
            title: "Investor segments: persona and campaign theme".into(),
            value_label: "share of users".into(),
            labels: segs
                .iter()
                .zip(&self.personas)
                .map(|(s, p)| {
                    format!(
                        "{}: {} — {}",
                        s.segment + 1,
                        p.name,
                        p.themes.first().map_or("", String::as_str)
                    )
                })
                .collect(),
            values: segs.iter().map(|s| s.share).collect(),
            horizontal: true,
        })
    }
}
