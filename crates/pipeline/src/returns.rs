//! Period returns and year-to-date rankings (METHODS §1.5-1.6), and the industry
//! stage's output tables.

use peergroup_data::{IndustryTable, InputError, Panel};
use peergroup_io::{Column, RowTable, Table};
use peergroup_returns::{
    explain_no_period_returns, period_returns, rank_ytd, DropReason, Dropped, Effects,
    PeriodReturn, RankRow,
};
use serde::{Deserialize, Serialize};

#[cfg(feature = "clap")]
use crate::settings::comma_default;
use crate::{Named, SettingError};

/// Trailing windows of [`periods`] by default, in years.
pub const DEFAULT_TRAILING: [u32; 3] = [1, 3, 5];

/// Settings of [`periods`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct PeriodsSettings {
    /// Trailing windows in years (comma-separated).
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ',', default_value = comma_default(&PeriodsSettings::default().trailing), value_name = "YEARS"))]
    pub trailing: Vec<u32>,
}

impl Default for PeriodsSettings {
    /// Trailing 1, 3 and 5 years.
    fn default() -> Self {
        PeriodsSettings {
            trailing: DEFAULT_TRAILING.to_vec(),
        }
    }
}

impl PeriodsSettings {
    /// Check the settings before any data is read: windows of at least one year.
    pub fn validate(&self) -> Result<(), SettingError> {
        if self.trailing.contains(&0) {
            return Err(SettingError::new(
                "trailing",
                "windows must be at least 1 year, got 0",
            ));
        }
        Ok(())
    }
}

/// Settings of [`rank`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct RankSettings {
    /// Size of the top list per date.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RankSettings::default().top, value_name = "N"))]
    pub top: usize,
    /// Size of the bottom list per date.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = RankSettings::default().bottom, value_name = "N"))]
    pub bottom: usize,
    /// Also list the ids in neither list (side = middle).
    #[cfg_attr(feature = "clap", arg(long))]
    pub all: bool,
}

impl Default for RankSettings {
    /// The top and bottom 20 per date.
    fn default() -> Self {
        RankSettings {
            top: 20,
            bottom: 20,
            all: false,
        }
    }
}

/// The period returns of a panel as a table, with its row counts.
#[derive(Clone, Debug)]
pub struct PeriodTable {
    /// `id,period,start,end,return,partial` (see [`periods_table`]).
    pub table: Table,
    /// Rows of the table.
    pub rows: usize,
    /// Rows marked partial: periods that start before their series does.
    pub partial: usize,
}

/// Calendar-year, YTD and trailing returns of every series of `panel`, complete or
/// partial (METHODS §1.5); an error saying why when not one can be computed.
pub fn periods(
    panel: Named<'_, Panel>,
    settings: &PeriodsSettings,
) -> Result<PeriodTable, InputError> {
    let rows = period_returns(panel.value, &settings.trailing);
    if rows.is_empty() {
        return Err(InputError::new(explain_no_period_returns(panel.value)).in_file(panel.name));
    }
    // Returns within the plausibility bound can still compound past f64 over many
    // periods (raised --max-return): say so instead of printing inf or NaN.
    if let Some(r) = rows.iter().find(|r| !r.value.is_finite()) {
        return Err(InputError::new(format!(
            "series '{}': the {} return from {} to {} is not a finite number (the returns compound beyond any plausible value); check their unit (0.01 = 1%) and --max-return",
            panel.ids()[r.id],
            r.period,
            r.start,
            r.end
        ))
        .in_file(panel.name));
    }
    Ok(PeriodTable {
        table: periods_table(panel.ids(), &rows),
        rows: rows.len(),
        partial: rows.iter().filter(|r| r.partial).count(),
    })
}

/// Ranks by year-to-date return on every date of `returns`, as the table
/// `date,id,ytd_return,rank,max_rank,side`; also the number of rows.
pub fn rank(returns: &Panel, settings: &RankSettings) -> (Table, usize) {
    let rows = rank_ytd(returns, settings.top, settings.bottom, settings.all);
    (rank_table(returns.ids(), &rows), rows.len())
}

/// `id,date,aum,price_effect,subscription_effect,daily_return,total_return`.
/// Takes the effects by value: at 50M rows a copy would cost gigabytes.
pub fn effects_table(e: Effects) -> Table {
    let mut codes = Vec::with_capacity(e.n_rows());
    for g in 0..e.ids.len() {
        codes.extend(std::iter::repeat_n(g as u32, e.rows(g).len()));
    }
    Table::new()
        .with(
            "id",
            Column::Key {
                codes,
                names: e.ids,
            },
        )
        .with("date", Column::Date(e.dates))
        .with("aum", Column::F64(e.aum))
        .with("price_effect", Column::F64(e.price_effect))
        .with("subscription_effect", Column::F64(e.subscription_effect))
        .with("daily_return", Column::F64(e.daily_return))
        .with("total_return", Column::F64(e.total_return))
}

/// `class_id,date,reason,aum,price_move,z_score`.
pub fn dropped_table(t: &IndustryTable, dropped: &[Dropped]) -> Table {
    let mut aum = Vec::with_capacity(dropped.len());
    let mut moves = Vec::with_capacity(dropped.len());
    let mut z = Vec::with_capacity(dropped.len());
    for d in dropped {
        match d.reason {
            DropReason::BelowMinAum { aum: a } => {
                aum.push(a);
                moves.push(f64::NAN);
                z.push(f64::NAN);
            }
            DropReason::PriceOutlier { price_move, z: zz } => {
                let c = t.class(d.class);
                let i = c.dates.binary_search(&d.date).expect("dropped date exists");
                aum.push(c.aum[i]);
                moves.push(price_move);
                z.push(zz);
            }
        }
    }
    Table::new()
        .with(
            "class_id",
            Column::key(dropped.iter().map(|d| d.class), t.classes()),
        )
        .with(
            "date",
            Column::Date(dropped.iter().map(|d| d.date).collect()),
        )
        .with(
            "reason",
            Column::Text(
                dropped
                    .iter()
                    .map(|d| d.reason.code().to_string())
                    .collect(),
            ),
        )
        .with("aum", Column::F64(aum))
        .with("price_move", Column::F64(moves))
        .with("z_score", Column::F64(z))
}

/// `id,period,start,end,return,partial`: period `YYYY`, `YTD` or `NY` (trailing N years,
/// annualised); `start` the date of the base level; `return` a fraction; `partial` true
/// when the series starts after the period does, so the return runs from `start`, its
/// first observation (METHODS §1.5).
pub fn periods_table(ids: &[String], rows: &[PeriodReturn]) -> Table {
    RowTable::new(rows)
        .with("id", Column::key(rows.iter().map(|r| r.id), ids))
        .text("period", |r| r.period.to_string())
        .date("start", |r| r.start)
        .date("end", |r| r.end)
        .f64("return", |r| r.value)
        .text("partial", |r| r.partial.to_string())
        .table()
}

/// `date,id,ytd_return,rank,max_rank,side`.
pub fn rank_table(ids: &[String], rows: &[RankRow]) -> Table {
    RowTable::new(rows)
        .date("date", |r| r.date)
        .with("id", Column::key(rows.iter().map(|r| r.id), ids))
        .f64("ytd_return", |r| r.ytd)
        .i64("rank", |r| r.rank as i64)
        .i64("max_rank", |r| r.max_rank as i64)
        .text("side", |r| r.side.name().to_string())
        .table()
}

#[cfg(all(test, feature = "clap"))]
mod tests {
    use super::*;
    use crate::settings::check;

    #[test]
    fn periods_settings() {
        check::settings_type(&PeriodsSettings {
            trailing: vec![2, 10],
        });
        let s: PeriodsSettings = check::parse(&["--trailing", "1,0"]).unwrap();
        check::names_key(s.validate(), "trailing");
        assert!(check::parse::<PeriodsSettings>(&["--trailing", "x"])
            .unwrap_err()
            .contains("--trailing"));
    }

    #[test]
    fn rank_settings() {
        check::settings_type(&RankSettings {
            top: 3,
            bottom: 0,
            all: true,
        });
        assert!(check::parse::<RankSettings>(&["--top=-1"])
            .unwrap_err()
            .contains("--top"));
    }
}
