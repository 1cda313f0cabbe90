//! Industry stage: price and subscription effects, daily returns and total-return indices
//! of classes, funds or managers from daily price/shares/AUM data (METHODS §1).

use peergroup_data::{IndustryTable, InputError, Metadata};
use peergroup_io::Table;
use peergroup_returns::{
    effects, filter_points, Dropped, Effects, EffectsPlan, Grouping, IndustryConfig, Kept,
};

use crate::returns::{dropped_table, effects_table};
use crate::Named;

/// Level at which returns are reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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

/// Check the filter settings before any data is read.
pub fn validate_config(c: &IndustryConfig) -> Result<(), InputError> {
    let bad = |name: &str, v: f64, what: &str| {
        Err(InputError::new(format!("--{name} must be {what}, got {v}")))
    };
    if !(c.min_aum >= 0.0 && c.min_aum.is_finite()) {
        return bad("min-aum", c.min_aum, "a non-negative number");
    }
    if !(c.price_unit > 0.0 && c.price_unit.is_finite()) {
        return bad("price-unit", c.price_unit, "a positive number");
    }
    if c.max_move.is_nan() || c.max_move <= 0.0 {
        return bad("max-move", c.max_move, "a positive fraction (0.10 = 10%)");
    }
    if c.max_z.is_nan() || c.max_z <= 0.0 {
        return bad("max-z", c.max_z, "a positive number");
    }
    Ok(())
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
