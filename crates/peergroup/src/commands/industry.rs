//! `peergroup industry`: class, fund or manager total-return indices from daily data.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::{read_industry, read_metadata, Outputs};
use peergroup_pipeline::industry::{self, GroupBy};
use peergroup_pipeline::Named;
use peergroup_returns::IndustryConfig;

use super::options::{name, OutputFile};
use super::{step, CommandError, CommandResult};

/// Arguments of `peergroup industry`.
#[derive(Args, Clone, Debug)]
pub struct IndustryArgs {
    /// Daily class data: class_id,date,price,shares,aum (CSV or Parquet).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Class metadata: class_id,fund,manager (required for --group-by fund|manager).
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,
    /// Report classes, or sum them to funds or managers.
    #[arg(long, value_enum, default_value_t)]
    pub group_by: GroupBy,
    /// Drop points with AUM below this (currency units).
    #[arg(long, default_value_t = IndustryConfig::default().min_aum, value_name = "AMOUNT")]
    pub min_aum: f64,
    /// Prices are quoted per this many shares (1000 for CAFCI's "valor mil cuotapartes").
    #[arg(long, default_value_t = IndustryConfig::default().price_unit, value_name = "SHARES")]
    pub price_unit: f64,
    /// A price move above this fraction (0.10 = 10%) may be an outlier.
    #[arg(long, default_value_t = IndustryConfig::default().max_move, value_name = "FRACTION")]
    pub max_move: f64,
    /// ...and is dropped when its z-score against the day's cross-section exceeds this.
    #[arg(long, default_value_t = IndustryConfig::default().max_z, value_name = "Z")]
    pub max_z: f64,
    #[command(flatten)]
    pub output: OutputFile,
    /// Also write every removed point with the reason.
    #[arg(long, value_name = "FILE")]
    pub dropped: Option<PathBuf>,
}

impl IndustryArgs {
    /// The filter settings.
    pub fn config(&self) -> IndustryConfig {
        IndustryConfig {
            min_aum: self.min_aum,
            price_unit: self.price_unit,
            max_move: self.max_move,
            max_z: self.max_z,
        }
    }
}

/// Run `peergroup industry`.
pub fn run(args: &IndustryArgs) -> CommandResult {
    let config = args.config();
    industry::validate_config(&config)?;
    if args.group_by != GroupBy::Class && args.meta.is_none() {
        return Err(CommandError::usage(
            "--group-by fund|manager needs --meta FILE with columns class_id,fund,manager",
        ));
    }
    let out = &args.output.out;
    let mut outputs = Outputs::new(args.output.force.force);
    let out_format = outputs.plan_table(out)?;
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
    let (data_name, meta_name) = (name(&args.data), args.meta.as_deref().map(name));
    let grouping = industry::grouping(
        Named::new(&table, &data_name),
        meta.as_ref()
            .zip(meta_name.as_deref())
            .map(|(m, n)| Named::new(m, n)),
        args.group_by,
    )?;
    let filtered = step("filtering outliers", || industry::filter(&table, &config));
    let plan = filtered.plan(&table, &grouping, &config);
    let (ids, rows) = (plan.n_ids(), plan.n_rows());
    // Effects are computed a block of ids at a time while the previous block is
    // written: the 50M-row result never exists whole.
    let block_rows = out_format.block_rows();
    step("computing effects and writing", || -> CommandResult {
        let blocks = plan
            .blocks(block_rows)
            .into_iter()
            .map(|ids| industry::table(plan.compute(ids)));
        outputs.write_table_blocks(out, blocks)?;
        if let Some(d) = &args.dropped {
            outputs.write_table(d, &filtered.dropped_table(&table))?;
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
