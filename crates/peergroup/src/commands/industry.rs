//! `peergroup industry`: class, fund or manager total-return indices from daily data.

use std::path::PathBuf;

use peergroup_data::{IndustryTable, InputError, Metadata};
use peergroup_io::{read_industry, read_metadata, Outputs};
use peergroup_returns::{
    effects, filter_points, Dropped, Effects, EffectsPlan, Grouping, IndustryConfig,
};

use super::progress::step;
use super::tables::{dropped_table, effects_table};
use super::{CommandError, CommandResult};

/// Level at which returns are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// Each fund class on its own.
    Class,
    /// Classes summed per fund (meta column `fund`).
    Fund,
    /// Classes summed per management company (meta column `manager`).
    Manager,
}

/// Inputs and settings of `peergroup industry`.
#[derive(Clone, Debug)]
pub struct IndustryArgs {
    /// `class_id,date,price,shares,aum` (CSV or Parquet).
    pub data: PathBuf,
    /// `class_id,fund,manager`; required to group by fund or manager.
    pub meta: Option<PathBuf>,
    /// Output level.
    pub group_by: GroupBy,
    /// Filters and price unit.
    pub config: IndustryConfig,
    /// Output table.
    pub out: PathBuf,
    /// Optional table of removed points.
    pub dropped: Option<PathBuf>,
    /// Replace existing outputs.
    pub force: bool,
}

/// What `peergroup industry` did, for its summary line.
#[derive(Clone, Debug)]
pub struct IndustrySummary {
    /// Input records.
    pub records: usize,
    /// Input classes.
    pub classes: usize,
    /// Output ids.
    pub ids: usize,
    /// Output rows.
    pub rows: usize,
    /// Points removed for low AUM.
    pub dropped_min_aum: usize,
    /// Points removed as price outliers.
    pub dropped_outliers: usize,
}

/// Check settings before any reading.
pub fn validate_config(c: &IndustryConfig) -> CommandResult {
    let bad = |name: &str, v: f64, what: &str| {
        Err(CommandError::usage(format!(
            "--{name} must be {what}, got {v}"
        )))
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

/// Output grouping for `group_by`, checking that every class of the data is in `meta`.
pub fn grouping(
    table: &IndustryTable,
    data_name: &str,
    meta: Option<(&Metadata, &str)>,
    group_by: GroupBy,
) -> CommandResult<Grouping> {
    if let Some((m, meta_name)) = meta {
        for (c, class) in table.classes().iter().enumerate() {
            if m.row(class).is_none() {
                return Err(InputError::at(
                    table.first_position(c),
                    format!("class '{class}' is missing from the meta table {meta_name}"),
                )
                .with_column("class_id")
                .in_file(data_name)
                .into());
            }
        }
    }
    let column = match group_by {
        GroupBy::Class => return Ok(Grouping::by_class(table)),
        GroupBy::Fund => "fund",
        GroupBy::Manager => "manager",
    };
    let (m, meta_name) = meta.ok_or_else(|| {
        CommandError::usage(format!(
            "--group-by {column} needs --meta with class_id,fund,manager"
        ))
    })?;
    let mut labels = Vec::with_capacity(table.n_classes());
    for class in table.classes() {
        let row = m.row(class).expect("checked above");
        let label = m.get(class, column).unwrap_or_default();
        if label.is_empty() {
            return Err(InputError::at(
                m.position(row),
                format!("expected a {column} name for class '{class}', found an empty cell"),
            )
            .with_column(column)
            .in_file(meta_name)
            .into());
        }
        labels.push(label);
    }
    Ok(Grouping::by_label(&labels))
}

/// Filter and compute effects (pure given the loaded tables).
pub fn compute(
    table: &IndustryTable,
    grouping: &Grouping,
    config: &IndustryConfig,
) -> (Effects, Vec<Dropped>) {
    let (kept, dropped) = filter_points(table, config);
    let e = effects(table, &kept, grouping, config);
    (e, dropped)
}

/// Run `peergroup industry`.
pub fn run(args: &IndustryArgs) -> CommandResult<IndustrySummary> {
    validate_config(&args.config)?;
    if args.group_by != GroupBy::Class && args.meta.is_none() {
        return Err(CommandError::usage(
            "--group-by fund|manager needs --meta FILE with columns class_id,fund,manager",
        ));
    }
    let mut outputs = Outputs::new(args.force);
    let out_format = outputs.plan_table(&args.out)?;
    if let Some(d) = &args.dropped {
        outputs.plan_table(d)?;
    }
    // The small metadata table is read on one core while the data file's parse starts
    // on the other; the data file's errors come first, as in a sequential read.
    let (table, meta) = step("reading industry data", || {
        rayon::join(
            || read_industry(&args.data),
            || {
                args.meta
                    .as_ref()
                    .map(|p| read_metadata(p, "class_id", &["fund", "manager"]))
                    .transpose()
            },
        )
    });
    let (table, meta) = (table?, meta?);
    let meta_name = args
        .meta
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let grouping = grouping(
        &table,
        &args.data.display().to_string(),
        meta.as_ref().map(|m| (m, meta_name.as_str())),
        args.group_by,
    )?;
    let (kept, dropped) = step("filtering outliers", || filter_points(&table, &args.config));
    let plan = EffectsPlan::new(&table, &kept, &grouping, &args.config);
    let (ids, rows) = (plan.n_ids(), plan.n_rows());
    // Effects are computed a block of ids at a time while the previous block is
    // written: the 50M-row result never exists whole.
    let block_rows = out_format.block_rows();
    step("computing effects and writing", || -> CommandResult {
        let blocks = plan
            .blocks(block_rows)
            .into_iter()
            .map(|ids| effects_table(plan.compute(ids)));
        outputs.write_table_blocks(&args.out, blocks)?;
        if let Some(d) = &args.dropped {
            outputs.write_table(d, &dropped_table(&table, &dropped))?;
        }
        Ok(())
    })?;
    outputs.commit()?;
    let min_aum = dropped
        .iter()
        .filter(|d| d.reason.code() == "min_aum")
        .count();
    Ok(IndustrySummary {
        records: table.n_records(),
        classes: table.n_classes(),
        ids,
        rows,
        dropped_min_aum: min_aum,
        dropped_outliers: dropped.len() - min_aum,
    })
}
