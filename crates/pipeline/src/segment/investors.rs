//! Segments of app investors from their profile and daily balances (METHODS §6):
//! k-prototypes on categorical profile features and scaled numeric balance features, with
//! k chosen on a seeded sample, segment profiles and descriptive tables.

use peergroup_cluster::kprototypes::{KPrototypes, KPrototypesFit, KPrototypesOptions, MixedRef};
use peergroup_cluster::select::{choose_k, KPrototypesSelect};
use peergroup_cluster::{Fit, MatRef};
use peergroup_data::{InputError, Position};
use peergroup_io::{BalancesFile, Column, Table, UsersFile};
use peergroup_random::Rng;
use peergroup_report::BarChart;
use peergroup_segment::eda::{investor_eda, InvestorEda};
use peergroup_segment::investors::{
    investor_features, BalanceColumns, FundType, InvestorConfig, InvestorData, InvestorFeatures,
    UserColumns, UserTable,
};
use peergroup_segment::profile::{profiles, DescribeConfig, ProfileInput, Profiles};

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
}

impl Default for InvestorSettings {
    /// k by the widest silhouette in 1..8 on 3,000 sampled users.
    fn default() -> Self {
        let k = KSettings::default();
        InvestorSettings {
            k: k.k,
            k_max: k.k_max,
            k_rule: KRule::Silhouette,
            k_sample: 3000,
            seed: 1,
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
    features: InvestorFeatures,
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
    let n = features.len();
    if let KChoice::Fixed(k) = settings.k {
        if k > n {
            return Err(InputError::new(format!(
                "--k {k} is more than the {n} users with balances"
            ))
            .in_file(balances_name));
        }
    }
    Ok(InvestorInput {
        settings: *settings,
        names,
        data,
        features,
    })
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

    /// The descriptive tables' figures.
    pub fn eda(&self) -> InvestorEda {
        investor_eda(&self.data, &self.features)
    }

    fn options(&self) -> KPrototypesOptions {
        KPrototypesOptions {
            seed: self.settings.seed,
            ..KPrototypesOptions::default()
        }
    }

    /// The number of segments: given, or chosen by the settings' rule on a seeded sample
    /// of `k_sample` users (the gap statistic refits every k on every reference set).
    pub fn choose_k(&self) -> Result<(usize, KSelection), InputError> {
        let s = &self.settings;
        let ks = s.k_settings()?;
        let k_max = match ks.k {
            KChoice::Fixed(k) => return Ok((k, KSelection::given())),
            KChoice::Auto => ks.k_max,
        };
        let f = &self.features;
        let (n, p, q) = (f.len(), f.numeric.cols(), f.categorical.cols());
        let (numeric, categorical) = (f.numeric.as_slice(), f.categorical.codes());
        let m = s.k_sample.min(n);
        let mut idx: Vec<usize> = (0..n).collect();
        let mut rng = Rng::stream(s.seed, 0x5e9);
        for i in 0..m {
            let j = i + rng.below((n - i) as u64) as usize;
            idx.swap(i, j);
        }
        idx.truncate(m);
        idx.sort_unstable();
        let sn: Vec<f64> = idx
            .iter()
            .flat_map(|&i| numeric[i * p..(i + 1) * p].to_vec())
            .collect();
        let sc: Vec<u32> = idx
            .iter()
            .flat_map(|&i| categorical[i * q..(i + 1) * q].to_vec())
            .collect();
        let sample = MixedRef::new(MatRef::new(&sn, m, p).or_input()?, &sc, q).or_input()?;
        let sel = KPrototypesSelect::new(sample, self.options()).or_input()?;
        let c = choose_k(&sel, k_max.min(m), GAP_REFERENCES, ks.rule, s.seed).or_input()?;
        let note = format!("{} on a sample of {m} users", k_note(&c));
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
        let f = &self.features;
        let numeric = f.numeric.as_ref();
        let data =
            MixedRef::new(numeric, f.categorical.codes(), f.categorical.cols()).or_input()?;
        KPrototypes::new(k)
            .options(self.options())
            .fit(data)
            .or_input()
    }

    /// Number the fitted segments by size and describe them: profiles and PCA map.
    pub fn segments(
        self,
        k: usize,
        selection: KSelection,
        fit: &KPrototypesFit,
        eda: InvestorEda,
    ) -> Result<InvestorSegments, InputError> {
        let f = self.features;
        let labels = by_size(&fit.labels);
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
        let pca = PcaMap::of(f.numeric.as_slice(), f.len(), f.numeric.cols())?;
        let mut notes = Vec::new();
        if !f.inactive.is_empty() {
            notes.push(format!(
                "{} users without balance rows were left out",
                f.inactive.len()
            ));
        }
        Ok(InvestorSegments {
            user_ids: f.user_ids,
            labels,
            k,
            selection,
            pca,
            profiles,
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
    ];
    if settings.k == KChoice::Auto {
        files.push("k_selection.csv".into());
    }
    files.extend(super::eda::TABLES.iter().map(|t| format!("eda/{t}.csv")));
    files.extend(super::eda::CHARTS.iter().map(|c| format!("eda/{c}.svg")));
    files
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
    /// Principal components of the scaled numeric features.
    pub pca: PcaMap,
    /// Profile of each segment.
    pub profiles: Profiles,
    /// Descriptive figures of all users and balances.
    pub eda: InvestorEda,
    /// Remarks for the user.
    pub notes: Vec<String>,
}

impl InvestorSegments {
    /// Every output as a named file: assignments, profiles, the segments chart, the k
    /// selection (with `--k auto`) and the descriptive tables and charts under `eda/`.
    pub fn artifacts(&self) -> crate::Artifacts {
        let mut a = crate::Artifacts::default();
        a.table("assignments.csv", self.assignments_table());
        a.table("profiles.csv", self.profiles_table());
        a.chart("segments.svg", self.segments_chart());
        if let Some(t) = self.selection.table() {
            a.table("k_selection.csv", t);
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

    /// Per segment: size, share, description, share of each category level, numeric
    /// means.
    pub fn profiles_table(&self) -> Table {
        profiles_table(&self.profiles)
    }

    /// Segment shares with their descriptions.
    pub fn segments_chart(&self) -> Chart {
        let segs = &self.profiles.segments;
        Chart::Bar(BarChart {
            title: "Investor segments".into(),
            value_label: "share of users".into(),
            labels: segs
                .iter()
                .map(|s| format!("{}: {}", s.segment + 1, s.description))
                .collect(),
            values: segs.iter().map(|s| s.share).collect(),
            horizontal: true,
        })
    }
}
