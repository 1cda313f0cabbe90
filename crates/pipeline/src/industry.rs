//! Industry stage: price and subscription effects, daily returns and total-return indices
//! of classes, funds or managers from daily price/shares/AUM data (METHODS §1).

use peergroup_data::{IndustryTable, InputError, Metadata};
use peergroup_io::Table;
use peergroup_returns::{
    effects, filter_points, Dropped, Effects, EffectsPlan, Grouping, IndustryConfig, Kept,
};

use serde::{Deserialize, Serialize};

use crate::returns::{dropped_table, effects_table};
use crate::{Named, SettingError};

/// Level at which returns are reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum GroupBy {
    /// Each fund class on its own.
    #[default]
    Class,
    /// Classes summed per fund (meta column `fund`).
    Fund,
    /// Classes summed per management company (meta column `manager`).
    Manager,
}

/// Settings of the industry stage: the reporting level and the outlier filters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct IndustrySettings {
    /// Report classes, or sum them to funds or managers.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = IndustrySettings::default().group_by))]
    pub group_by: GroupBy,
    /// Drop points with AUM below this (currency units).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IndustrySettings::default().min_aum, value_name = "AMOUNT"))]
    pub min_aum: f64,
    /// Prices are quoted per this many shares (1000 for CAFCI's "valor mil cuotapartes").
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IndustrySettings::default().price_unit, value_name = "SHARES"))]
    pub price_unit: f64,
    /// A price move above this fraction (0.10 = 10%) may be an outlier.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IndustrySettings::default().max_move, value_name = "FRACTION"))]
    pub max_move: f64,
    /// ...and is dropped when its z-score against the day's cross-section exceeds this.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IndustrySettings::default().max_z, value_name = "Z"))]
    pub max_z: f64,
}

impl Default for IndustrySettings {
    /// Classes, with the filters of [`IndustryConfig::default`].
    fn default() -> Self {
        let c = IndustryConfig::default();
        IndustrySettings {
            group_by: GroupBy::Class,
            min_aum: c.min_aum,
            price_unit: c.price_unit,
            max_move: c.max_move,
            max_z: c.max_z,
        }
    }
}

impl IndustrySettings {
    /// The filter settings of the returns crate, checked before any data is read.
    pub fn config(&self) -> Result<IndustryConfig, SettingError> {
        let bad = |key: &'static str, v: f64, what: &str| {
            Err(SettingError::new(key, format!("must be {what}, got {v}")))
        };
        if !(self.min_aum >= 0.0 && self.min_aum.is_finite()) {
            return bad("min-aum", self.min_aum, "a non-negative number");
        }
        if !(self.price_unit > 0.0 && self.price_unit.is_finite()) {
            return bad("price-unit", self.price_unit, "a positive number");
        }
        if self.max_move.is_nan() || self.max_move <= 0.0 {
            return bad(
                "max-move",
                self.max_move,
                "a positive fraction (0.10 = 10%)",
            );
        }
        if self.max_z.is_nan() || self.max_z <= 0.0 {
            return bad("max-z", self.max_z, "a positive number");
        }
        Ok(IndustryConfig {
            min_aum: self.min_aum,
            price_unit: self.price_unit,
            max_move: self.max_move,
            max_z: self.max_z,
        })
    }
}

/// The output grouping for `group_by`, checking that every class of the data is in `meta`.
pub fn grouping(
    data: Named<'_, IndustryTable>,
    meta: Option<Named<'_, Metadata>>,
    group_by: GroupBy,
) -> Result<Grouping, InputError> {
    let table = data.value;
    if let Some(m) = meta {
        for (c, class) in table.classes().iter().enumerate() {
            if m.row(class).is_none() {
                return Err(InputError::at(
                    table.first_position(c),
                    format!("class '{class}' is missing from the meta table {}", m.name),
                )
                .with_column("class_id")
                .in_file(data.name));
            }
        }
    }
    let column = match group_by {
        GroupBy::Class => return Ok(Grouping::by_class(table)),
        GroupBy::Fund => "fund",
        GroupBy::Manager => "manager",
    };
    let m = meta.ok_or_else(|| {
        InputError::new(format!(
            "--group-by {column} needs --meta with class_id,fund,manager"
        ))
    })?;
    let mut labels = Vec::with_capacity(table.n_classes());
    for class in table.classes() {
        // every class has a row: checked above
        let Some(row) = m.row(class) else {
            continue;
        };
        let label = m.get(class, column).unwrap_or_default();
        if label.is_empty() {
            return Err(InputError::at(
                m.position(row),
                format!("expected a {column} name for class '{class}', found an empty cell"),
            )
            .with_column(column)
            .in_file(m.name));
        }
        labels.push(label);
    }
    Ok(Grouping::by_label(&labels))
}

/// The points kept by the filters and the ones dropped, with the reason.
pub struct Filtered {
    /// Points that pass both filters.
    pub kept: Kept,
    /// Points removed, in date order within each reason's pass.
    pub dropped: Vec<Dropped>,
}

/// Apply the minimum-AUM and price-outlier filters.
pub fn filter(table: &IndustryTable, config: &IndustryConfig) -> Filtered {
    let (kept, dropped) = filter_points(table, config);
    Filtered { kept, dropped }
}

impl Filtered {
    /// Effects computed block by block (the 50M-row result need never exist whole).
    pub fn plan<'a>(
        &'a self,
        table: &'a IndustryTable,
        grouping: &'a Grouping,
        config: &'a IndustryConfig,
    ) -> EffectsPlan<'a> {
        EffectsPlan::new(table, &self.kept, grouping, config)
    }

    /// Effects of every id at once.
    pub fn effects(
        &self,
        table: &IndustryTable,
        grouping: &Grouping,
        config: &IndustryConfig,
    ) -> Effects {
        effects(table, &self.kept, grouping, config)
    }

    /// The returns rule for industry data: on every class, the daily return between
    /// consecutive kept points, `(P_T − P_prev)/unit · N_prev / A_prev`, lies in
    /// `[−1, max_return]`. Such a return (or a price effect on a zero AUM) means the
    /// shares or the price unit disagree with the AUM; group returns are AUM-weighted
    /// means of these, so they obey the rule too. Checked before any output is written.
    pub fn check_returns(
        &self,
        data: Named<'_, IndustryTable>,
        config: &IndustryConfig,
        max_return: f64,
    ) -> Result<(), InputError> {
        use peergroup_data::plausibility::{
            percent_per_period, plausible_return, shown, valid_max_return,
        };
        use rayon::prelude::*;
        if !valid_max_return(max_return) {
            return Err(InputError::new(format!(
                "--max-return {max_return}: expected a positive number, a fraction per period (10 = +1,000%)"
            )));
        }
        let table = data.value;
        let bad = (0..table.n_classes()).into_par_iter().find_map_first(|c| {
            let r = table.class(c);
            let mut prev: Option<usize> = None;
            for i in 0..r.dates.len() {
                if !self.kept.is_kept(table, c, i) {
                    continue;
                }
                if let Some(p) = prev {
                    let pe = (r.price[i] - r.price[p]) / config.price_unit * r.shares[p];
                    if pe != 0.0 && !plausible_return(pe / r.aum[p], max_return) {
                        return Some((c, p, i, pe / r.aum[p]));
                    }
                }
                prev = Some(i);
            }
            None
        });
        let Some((c, p, i, dr)) = bad else {
            return Ok(());
        };
        let r = table.class(c);
        Err(InputError::at(
            table.position(c, i),
            format!(
                "class '{}' on {}: a daily return of {} (outside -100% to {} per period) from price {} after {} on {} ({}), shares {} and AUM {}: shares × price ÷ --price-unit ({}) should be close to the AUM; check the units of shares and price (--max-return allows larger returns)",
                table.classes()[c],
                r.dates[i],
                shown(dr),
                percent_per_period(max_return),
                shown(r.price[i]),
                shown(r.price[p]),
                r.dates[p],
                table.position(c, p),
                shown(r.shares[p]),
                shown(r.aum[p]),
                shown(config.price_unit),
            ),
        )
        .in_file(data.name))
    }

    /// Points dropped for low AUM and as price outliers.
    pub fn dropped_counts(&self) -> (usize, usize) {
        let min_aum = self
            .dropped
            .iter()
            .filter(|d| d.reason.code() == "min_aum")
            .count();
        (min_aum, self.dropped.len() - min_aum)
    }

    /// `class_id,date,reason,aum,price_move,z_score`.
    pub fn dropped_table(&self, table: &IndustryTable) -> Table {
        dropped_table(table, &self.dropped)
    }
}

/// `id,date,aum,price_effect,subscription_effect,daily_return,total_return`, taking the
/// effects by value (at 50M rows a copy would cost gigabytes).
pub fn table(e: Effects) -> Table {
    effects_table(e)
}

#[cfg(all(test, feature = "clap"))]
mod settings_tests {
    use super::*;
    use crate::settings::check;

    #[test]
    fn industry_settings() {
        check::settings_type(&IndustrySettings {
            group_by: GroupBy::Manager,
            min_aum: 0.0,
            price_unit: 1000.0,
            max_move: 0.2,
            max_z: 5.5,
        });
        assert_eq!(
            IndustrySettings::default().config(),
            Ok(IndustryConfig::default())
        );
        let s: IndustrySettings = check::parse(&["--max-move", "0"]).unwrap();
        check::names_key(s.config().map(|_| ()), "max-move");
        let s: IndustrySettings = check::parse(&["--price-unit=-1"]).unwrap();
        check::names_key(s.config().map(|_| ()), "price-unit");
        assert!(check::parse::<IndustrySettings>(&["--group-by", "desk"])
            .unwrap_err()
            .contains("--group-by"));
    }
}
