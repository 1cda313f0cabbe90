//! The `peergroup` command-line program.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use peergroup::commands::{self, industry::GroupBy, synth::TableFormat, CommandResult};
use peergroup::returns::IndustryConfig;

#[derive(Parser)]
#[command(
    name = "peergroup",
    version,
    about = "Fund peer groups, returns and rankings from the tables fund analysts already have",
    long_about = "peergroup reads fund data (CSV or Parquet, chosen by extension) and writes tables, SVG charts and an HTML report.\n\n\
Exit codes: 0 success, 1 system failure (disk, permissions), 2 bad input or arguments (the message names file, line or row, and column). \
Outputs are written atomically and never replace an existing file without --force.\n\n\
Start with `peergroup demo`, which runs every stage on bundled data and writes a report."
)]
struct Cli {
    /// Worker threads (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Print the time each step takes.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Price and subscription effects, daily returns and total-return indices of fund
    /// classes, funds or managers from daily price/shares/AUM data (CAFCI style).
    #[command(
        long_about = "Price and subscription effects, daily returns and total-return indices from daily class data.\n\n\
For class c on day T (P = price / price-unit, N = shares, A = AUM; prev = the class's previous kept point):\n  \
PE = (P_T − P_prev)·N_prev,  SE = A_T − A_prev − PE,  DR = PE / A_prev,  TR = Π(1 + DR).\n\
Funds and managers sum PE and A over their classes (DR = ΣPE / ΣA_prev); a class's AUM is carried over its own dropped days.\n\n\
Filters: points with AUM < --min-aum are dropped; then, date by date, a point is dropped when its move against the class's last kept price exceeds --max-move \
AND lies more than --max-z standard deviations from that day's mean move over all classes.\n\n\
Output: id,date,aum,price_effect,subscription_effect,daily_return,total_return (first date of each id: effects empty, total_return 1).\n\
--dropped: class_id,date,reason (min_aum | price_outlier),aum,price_move,z_score.\n\n\
Example:\n  peergroup industry --data industry.csv --meta classes.csv --group-by manager --out managers.csv --dropped dropped.csv"
    )]
    Industry(IndustryCli),
    /// Calendar-year, YTD and trailing 1/3/5-year (annualised) returns per series.
    #[command(
        long_about = "Calendar-year, YTD and trailing (annualised) returns per series.\n\n\
Output: id,period,start,end,return with period = a year (2021), YTD, or 1Y/3Y/5Y. A year is reported when the series has a level within 7 days before \
the end of the previous year and within 7 days before the end of that year; returns series start from a level of 1 one period before their first return. \
Trailing N-year returns are (L_end / L_start)^(1/N) − 1.\n\n\
Example:\n  peergroup periods --series navs.csv --prices --out periods.csv"
    )]
    Periods(PeriodsCli),
    /// Rank ids by year-to-date return on every date; top and bottom lists.
    #[command(
        long_about = "Rank ids by year-to-date return on every date (rank 1 = best) and list the top and bottom N.\n\n\
Input: a series table, or the output of `peergroup industry` (its daily_return column is used). YTD compounds the returns dated in the date's calendar year.\n\
Ties: tied ids share the best rank of the tie (competition ranking 1,2,2,4), from the top and from the bottom, so every id tied at a cut-off is listed. \
max_rank is the number of ids ranked that date. An id in both lists (few ids) appears once per list.\n\n\
Output: date,id,ytd_return,rank,max_rank,side (top | bottom | middle with --all).\n\n\
Example:\n  peergroup rank --returns managers.csv --top 20 --bottom 20 --out ranks.csv"
    )]
    Rank(RankCli),
    /// Generate synthetic data sets with known truth.
    #[command(subcommand)]
    Synth(SynthCommand),
    /// Run every stage on bundled data and write a report (tables, SVG charts, index.html).
    Demo(DemoCli),
    /// Gather a run directory into one self-contained HTML page (RUN_DIR/index.html).
    Report(ReportCli),
}

#[derive(Args)]
struct Force {
    /// Replace existing output files.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct IndustryCli {
    /// Daily class data: class_id,date,price,shares,aum (CSV or Parquet).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Class metadata: class_id,fund,manager (required for --group-by fund|manager).
    #[arg(long, value_name = "FILE")]
    meta: Option<PathBuf>,
    /// Report classes, or sum them to funds or managers.
    #[arg(long, value_enum, default_value = "class")]
    group_by: GroupBy,
    /// Drop points with AUM below this (currency units).
    #[arg(long, default_value_t = 1_000_000.0, value_name = "AMOUNT")]
    min_aum: f64,
    /// Prices are quoted per this many shares (1000 for CAFCI's "valor mil cuotapartes").
    #[arg(long, default_value_t = 1.0, value_name = "SHARES")]
    price_unit: f64,
    /// A price move above this fraction (0.10 = 10%) may be an outlier.
    #[arg(long, default_value_t = 0.10, value_name = "FRACTION")]
    max_move: f64,
    /// ...and is dropped when its z-score against the day's cross-section exceeds this.
    #[arg(long, default_value_t = 10.0, value_name = "Z")]
    max_z: f64,
    /// Output table (CSV or Parquet by extension).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Also write every removed point with the reason.
    #[arg(long, value_name = "FILE")]
    dropped: Option<PathBuf>,
    #[command(flatten)]
    force: Force,
}

#[derive(Args)]
struct SeriesFlags {
    /// Values are prices or NAVs (returns are derived) instead of returns.
    #[arg(long, conflicts_with = "percent")]
    prices: bool,
    /// Returns are in percent (5 = 5%) instead of fractions.
    #[arg(long)]
    percent: bool,
}

#[derive(Args)]
struct PeriodsCli {
    /// Series table: long id,date,value or wide date,<id>,... (CSV or Parquet).
    #[arg(long, value_name = "FILE")]
    series: PathBuf,
    #[command(flatten)]
    flags: SeriesFlags,
    /// Value column of a long table.
    #[arg(long, default_value = "value", value_name = "NAME")]
    column: String,
    /// Trailing windows in years (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,3,5",
        value_name = "YEARS"
    )]
    trailing: Vec<u32>,
    /// Output table.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    force: Force,
}

#[derive(Args)]
struct RankCli {
    /// Returns: a series table or the output of `peergroup industry`.
    #[arg(long, value_name = "FILE")]
    returns: PathBuf,
    #[command(flatten)]
    flags: SeriesFlags,
    /// Size of the top list per date.
    #[arg(long, default_value_t = 20, value_name = "N")]
    top: usize,
    /// Size of the bottom list per date.
    #[arg(long, default_value_t = 20, value_name = "N")]
    bottom: usize,
    /// Also write ids in neither list (side = middle).
    #[arg(long)]
    all: bool,
    /// Output table.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    force: Force,
}

#[derive(Subcommand)]
enum SynthCommand {
    /// Daily class data like CAFCI's: industry.csv, classes.csv and truth_outliers.csv
    /// (the injected bad prints). Realistic prices, flows and AUM; same seed, same files.
    Industry(SynthIndustryCli),
}

#[derive(Args)]
struct SynthIndustryCli {
    /// Number of fund classes (use at least ~150 so the outlier z-rule can fire).
    #[arg(long, default_value_t = 600)]
    classes: usize,
    /// Number of business days from 2022-01-03.
    #[arg(long, default_value_t = 250)]
    days: usize,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Format of industry.* (Parquet for large data).
    #[arg(long, value_enum, default_value = "csv")]
    format: TableFormat,
    #[command(flatten)]
    force: Force,
}

#[derive(Args)]
struct DemoCli {
    /// Run directory to write.
    #[arg(long, default_value = "peergroup-demo", value_name = "DIR")]
    out: PathBuf,
    /// Replace a non-empty directory that is not an earlier demo run.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct ReportCli {
    /// A run directory (written by `peergroup demo` or holding tables and SVG charts).
    #[arg(value_name = "RUN_DIR")]
    run_dir: PathBuf,
}

fn run(cli: Cli) -> CommandResult {
    match cli.command {
        Command::Industry(a) => {
            let s = commands::industry::run(&commands::industry::IndustryArgs {
                data: a.data,
                meta: a.meta,
                group_by: a.group_by,
                config: IndustryConfig {
                    min_aum: a.min_aum,
                    price_unit: a.price_unit,
                    max_move: a.max_move,
                    max_z: a.max_z,
                },
                out: a.out.clone(),
                dropped: a.dropped,
                force: a.force.force,
            })?;
            eprintln!(
                "{} records of {} classes -> {} ids, {} rows; dropped {} below min AUM and {} price outliers; wrote {}",
                s.records,
                s.classes,
                s.ids,
                s.rows,
                s.dropped_min_aum,
                s.dropped_outliers,
                a.out.display()
            );
        }
        Command::Periods(a) => {
            let n = commands::periods::run(&commands::periods::PeriodsArgs {
                series: a.series,
                prices: a.flags.prices,
                percent: a.flags.percent,
                column: a.column,
                trailing: a.trailing,
                out: a.out.clone(),
                force: a.force.force,
            })?;
            eprintln!("wrote {n} period returns to {}", a.out.display());
        }
        Command::Rank(a) => {
            let n = commands::rank::run(&commands::rank::RankArgs {
                returns: a.returns,
                prices: a.flags.prices,
                percent: a.flags.percent,
                top: a.top,
                bottom: a.bottom,
                all: a.all,
                out: a.out.clone(),
                force: a.force.force,
            })?;
            eprintln!("wrote {n} ranked rows to {}", a.out.display());
        }
        Command::Synth(SynthCommand::Industry(a)) => {
            let n = commands::synth::run_industry(&commands::synth::SynthIndustryArgs {
                classes: a.classes,
                days: a.days,
                seed: a.seed,
                out: a.out.clone(),
                format: a.format,
                force: a.force.force,
            })?;
            eprintln!(
                "wrote {n} rows of synthetic industry data to {}",
                a.out.display()
            );
        }
        Command::Demo(a) => {
            let index = commands::demo::run(&a.out, a.force)?;
            eprintln!("demo report: {}", index.display());
        }
        Command::Report(a) => {
            let index = commands::render::run(&a.run_dir)?;
            eprintln!("report: {}", index.display());
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::set_verbose(cli.verbose);
    if let Some(n) = cli.threads {
        // Only fails if a pool exists already, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
