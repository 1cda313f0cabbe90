//! `peergroup industry`: class, fund or manager total-return indices from daily data.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::{read_industry, read_metadata, Outputs};
use peergroup_pipeline::chart::industry::{largest_by_aum, total_return_chart};
use peergroup_pipeline::industry::{self, GroupBy, IndustrySettings};
use peergroup_pipeline::Named;
use peergroup_returns::Effects;

use super::options::{name, plan_chart, write_chart, ColumnFlags, MaxReturn, OutputFile};
use super::{step, CommandError, CommandResult};

/// Arguments of `peergroup industry`.
#[derive(Args, Clone, Debug)]
pub struct IndustryArgs {
    /// Daily class data: class_id,date,price,shares,aum (CSV, Parquet or a spreadsheet).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Class metadata: class_id,fund,manager (required for --group-by fund|manager).
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub settings: IndustrySettings,
    #[command(flatten)]
    pub max_return: MaxReturn,
    #[command(flatten)]
    pub output: OutputFile,
    /// Also write every removed point with the reason: class_id,date,reason,aum,price_move,z_score.
    #[arg(long, alias = "dropped", value_name = "FILE")]
    pub dropped_out: Option<PathBuf>,
    /// Chart (.svg): total-return index lines of the 10 ids with the largest AUM on their
    /// last date.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

/// Lines drawn by --chart: the ids largest by AUM on their last date.
const CHARTED_IDS: usize = 10;

/// Append the rows of `ids` (ids of `from`, in the order given) to `into`.
fn append(into: &mut Effects, from: &Effects, ids: &[String]) {
    if into.offsets.is_empty() {
        into.offsets.push(0);
    }
    for id in ids {
        let Some(g) = from.ids.iter().position(|x| x == id) else {
            continue;
        };
        let rows = from.rows(g);
        into.ids.push(id.clone());
        into.dates.extend_from_slice(&from.dates[rows.clone()]);
        into.aum.extend_from_slice(&from.aum[rows.clone()]);
        into.price_effect
            .extend_from_slice(&from.price_effect[rows.clone()]);
        into.subscription_effect
            .extend_from_slice(&from.subscription_effect[rows.clone()]);
        into.daily_return
            .extend_from_slice(&from.daily_return[rows.clone()]);
        into.total_return
            .extend_from_slice(&from.total_return[rows]);
        into.offsets.push(into.dates.len());
    }
}

/// The effects of the [`CHARTED_IDS`] largest ids of `kept` and `block` together: the
/// chart's lines gathered block by block, so the whole result is never held.
fn keep_largest(kept: &mut Effects, block: &Effects) {
    append(kept, block, &largest_by_aum(block, CHARTED_IDS));
    let mut largest = Effects::default();
    append(&mut largest, kept, &largest_by_aum(kept, CHARTED_IDS));
    *kept = largest;
}

/// Run `peergroup industry`.
pub fn run(args: &IndustryArgs) -> CommandResult {
    let config = args.settings.config()?;
    // The industry reader has no value role: a value column would be ignored.
    if args.columns.value_column.is_some() {
        return Err(CommandError::usage(
            "--value-column does not apply to industry data (class_id,date,price,shares,aum)",
        ));
    }
    let group_by = args.settings.group_by;
    if group_by != GroupBy::Class && args.meta.is_none() {
        return Err(CommandError::usage(
            "--group-by fund|manager needs --meta FILE with columns class_id,fund,manager",
        ));
    }
    let out = &args.output.out;
    let mut outputs = Outputs::new(args.output.force.force);
    let out_format = outputs.plan_table(out)?;
    if let Some(d) = &args.dropped_out {
        outputs.plan_table(d)?;
    }
    plan_chart(&mut outputs, args.chart.as_deref())?;
    // The small metadata table is read on one core while the data file's parse starts
    // on the other; the data file's errors come first, as in a sequential read.
    let (table, meta) = step("reading industry data", || {
        rayon::join(
            || read_industry(&args.columns.source(&args.data)),
            || {
                args.meta
                    .as_ref()
                    .map(|p| read_metadata(p, "class_id", &["fund", "manager"]))
                    .transpose()
            },
        )
    });
    let (table, meta) = (table?, meta?);
    let (data_name, meta_name) = (name(&args.data), args.meta.as_deref().map(name));
    let grouping = industry::grouping(
        Named::new(&table, &data_name),
        meta.as_ref()
            .zip(meta_name.as_deref())
            .map(|(m, n)| Named::new(m, n)),
        group_by,
    )?;
    let filtered = step("filtering outliers", || industry::filter(&table, &config));
    filtered.check_returns(
        Named::new(&table, &data_name),
        &config,
        args.max_return.max_return,
    )?;
    let plan = filtered.plan(&table, &grouping, &config);
    let (ids, rows) = (plan.n_ids(), plan.n_rows());
    // Effects are computed a block of ids at a time while the previous block is
    // written: the 50M-row result never exists whole. The chart keeps only the rows of
    // the largest ids seen so far.
    let block_rows = out_format.block_rows();
    let mut charted = args.chart.as_ref().map(|_| Effects::default());
    step("computing effects and writing", || -> CommandResult {
        let blocks = plan.blocks(block_rows).into_iter().map(|ids| {
            let effects = plan.compute(ids);
            if let Some(kept) = charted.as_mut() {
                keep_largest(kept, &effects);
            }
            industry::table(effects)
        });
        outputs.write_table_blocks(out, blocks)?;
        if let Some(d) = &args.dropped_out {
            outputs.write_table(d, &filtered.dropped_table(&table))?;
        }
        if let (Some(p), Some(kept)) = (&args.chart, &charted) {
            let title = format!(
                "Total-return index of the {} largest {} by AUM",
                kept.ids.len(),
                match group_by {
                    GroupBy::Class => "classes",
                    GroupBy::Fund => "funds",
                    GroupBy::Manager => "managers",
                }
            );
            let chart = total_return_chart(kept, &kept.ids, &title);
            write_chart(&mut outputs, p, &chart)?;
        }
        Ok(())
    })?;
    outputs.commit()?;
    let (min_aum, outliers) = filtered.dropped_counts();
    eprintln!(
        "{} records of {} classes -> {ids} ids, {rows} rows; dropped {min_aum} below min AUM and {outliers} price outliers; wrote {}",
        table.n_records(),
        table.n_classes(),
        out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use peergroup_data::Date;

    use super::*;

    /// Effects of `ids` with two dates each, the last AUM given per id (no NaN, so that
    /// whole results compare equal).
    fn block(ids: &[(&str, f64)]) -> Effects {
        let d = |m| Date::month_end(2021, m).unwrap();
        let mut e = Effects {
            offsets: vec![0],
            ..Effects::default()
        };
        for (id, aum) in ids {
            e.ids.push(id.to_string());
            e.dates.extend([d(1), d(2)]);
            e.aum.extend([1.0, *aum]);
            e.price_effect.extend([0.0, 0.0]);
            e.subscription_effect.extend([0.0, 0.0]);
            e.daily_return.extend([0.0, *aum / 1000.0]);
            e.total_return.extend([1.0, 1.0 + *aum / 1000.0]);
            e.offsets.push(e.dates.len());
        }
        e
    }

    /// Gathered block by block, the charted ids and rows are those of the whole result.
    #[test]
    fn largest_ids_gathered_by_blocks_are_those_of_the_whole() {
        let aums: Vec<(String, f64)> = (0..25)
            .map(|i| (format!("id{i:02}"), ((i * 37) % 25) as f64 * 10.0))
            .collect();
        let named: Vec<(&str, f64)> = aums.iter().map(|(s, a)| (s.as_str(), *a)).collect();
        let whole = block(&named);
        let mut kept = Effects::default();
        for part in named.chunks(7) {
            keep_largest(&mut kept, &block(part));
        }
        let expected = largest_by_aum(&whole, CHARTED_IDS);
        assert_eq!(kept.ids, expected);
        let mut direct = Effects::default();
        append(&mut direct, &whole, &expected);
        assert_eq!(kept, direct);
        assert_eq!(kept.offsets.len(), CHARTED_IDS + 1);
    }
}
