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
    /// Returns-based style analysis: each fund's exposures to a factor universe.
    #[command(
        long_about = "Returns-based style analysis (Sharpe 1992; dynamic style analysis, Markov et al. 2004): each fund's exposures to a universe of factor returns.\n\n\
Methods:\n  sharpe  min ‖r − Xβ‖² with Σβ = 1 (budget) and β ≥ 0 (long-only); --no-budget / --no-long-only switch them off (exact active-set solver)\n  \
ols     unconstrained least squares\n  \
dsa     dynamic style analysis: β_t for every date, penalising λ Σ (β_t − β_{t−1})ᵀ D (β_t − β_{t−1}) with D = diag(factor variances); \
λ by leave-one-year-out predicted R² (--lambda auto) or fixed\n\n\
Without --window: one fit over the whole common sample, dated at its last date (dsa: exposures at every date). With --window W --step S: rolling windows, \
each dated at its last observation (dsa: each window's last exposures). A window is fitted when the fund has at least --min-obs returns in it (default: the whole window).\n\
--select stepwise chooses each fund's factors per window by forward steps with backward checks on --criterion (bic, default: consistent; aic; adj-r2); unselected factors get β = 0.\n\n\
Output (--out): fund,date,factor,beta, plus a CASH row = 1 − Σβ when there is no budget constraint (ols, --no-budget).\n\
--fit-out: fund,date,r2,adj_r2,tracking_error,n_obs,lambda,predicted_r2 with R² = 1 − Var(e)/Var(r) (Sharpe), adjusted for the free parameters \
(selected factors, minus one under the budget), tracking error = annualised standard deviation of residuals; lambda and predicted_r2 for dsa only.\n\n\
Example:\n  peergroup style --funds funds.csv --factors factors.csv --window 104 --step 1 --out exposures.csv --fit-out fit.csv"
    )]
    Style(StyleCli),
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum MethodArg {
    /// Sharpe's constrained regression.
    Sharpe,
    /// Unconstrained least squares (with a CASH exposure).
    Ols,
    /// Dynamic style analysis.
    Dsa,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SelectArg {
    /// Use every factor.
    None,
    /// Stepwise selection per fund and window.
    Stepwise,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CriterionArg {
    /// Bayesian information criterion (consistent).
    Bic,
    /// Akaike information criterion.
    Aic,
    /// Adjusted R².
    AdjR2,
}

#[derive(Args)]
struct StyleCli {
    /// Fund returns: long id,date,value or wide date,<fund>,... (CSV or Parquet).
    #[arg(long, value_name = "FILE")]
    funds: PathBuf,
    /// Factor returns, same forms; every factor must be observed on a date for it to be used.
    #[arg(long, value_name = "FILE")]
    factors: PathBuf,
    /// Fund values are NAVs or prices (returns are derived).
    #[arg(long)]
    fund_prices: bool,
    /// Factor values are index levels (returns are derived).
    #[arg(long)]
    factor_prices: bool,
    /// Returns in both files are in percent.
    #[arg(long)]
    percent: bool,
    /// Estimation method.
    #[arg(long, value_enum, default_value = "sharpe")]
    method: MethodArg,
    /// Rolling window length in observations (default: the whole sample).
    #[arg(long, value_name = "W")]
    window: Option<usize>,
    /// Step between rolling window ends.
    #[arg(long, default_value_t = 1, value_name = "S")]
    step: usize,
    /// Minimum fund observations in a window (default: the whole window).
    #[arg(long, value_name = "N")]
    min_obs: Option<usize>,
    /// Factor selection.
    #[arg(long, value_enum, default_value = "none")]
    select: SelectArg,
    /// Criterion of stepwise selection.
    #[arg(long, value_enum, default_value = "bic")]
    criterion: CriterionArg,
    /// λ of dynamic style analysis: auto (predicted R²) or a positive number.
    #[arg(long, default_value = "auto", value_parser = commands::style::parse_lambda, value_name = "auto|X", allow_hyphen_values = true)]
    lambda: peergroup::style::Lambda,
    /// Allow negative exposures (drop β ≥ 0).
    #[arg(long)]
    no_long_only: bool,
    /// Drop the budget constraint Σβ = 1 (a CASH exposure 1 − Σβ is reported).
    #[arg(long)]
    no_budget: bool,
    /// Exposures output.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Fit statistics output.
    #[arg(long, value_name = "FILE")]
    fit_out: Option<PathBuf>,
    #[command(flatten)]
    force: Force,
}

#[derive(Subcommand)]
enum SynthCommand {
    /// Daily class data like CAFCI's: industry.csv, classes.csv and truth_outliers.csv
    /// (the injected bad prints). Realistic prices, flows and AUM; same seed, same files.
    Industry(SynthIndustryCli),
    /// A fund universe with known exposures: factors.csv, funds.csv (wide returns),
    /// meta.csv (id,category,true_group), true_betas.csv, factor_attributes.csv.
    #[command(
        long_about = "A fund universe with known truth for style analysis and peer groups.\n\n\
Factors (equity sectors and regions, bonds, commodities) share market, region, sector and rate shocks, so they are realistically correlated (equity pairs 0.4–0.86). \
Each of G groups has a long-only prototype on 2–4 factors; funds perturb their group's weights, and returns = exposures × factors + noise with a per-fund R² drawn from --r2. \
Vendor categories disagree with the true group with probability --category-noise. --dynamic makes exposures drift and about 30% of funds switch style.\n\n\
Writes factors.csv and funds.csv (wide), meta.csv (id,category,true_group), true_betas.csv (fund,date,factor,beta: static universes one row per fund and factor dated at the last date, dynamic ones every date) \
and factor_attributes.csv (factor,asset_class,sector,region).\n\n\
Example:\n  peergroup synth universe --funds 200 --factors 12 --periods 520 --groups 6 --seed 1 --out universe/"
    )]
    Universe(SynthUniverseCli),
}

#[derive(Args)]
struct SynthUniverseCli {
    /// Number of funds.
    #[arg(long, default_value_t = 200)]
    funds: usize,
    /// Number of factors (2 to 40).
    #[arg(long, default_value_t = 12)]
    factors: usize,
    /// Number of periods.
    #[arg(long, default_value_t = 520)]
    periods: usize,
    /// Number of true peer groups.
    #[arg(long, default_value_t = 6)]
    groups: usize,
    /// Exposures drift and some funds switch style.
    #[arg(long)]
    dynamic: bool,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Observation frequency: daily, weekly or monthly.
    #[arg(long, default_value = "weekly", value_parser = commands::synth::parse_frequency)]
    frequency: peergroup::data::Frequency,
    /// Range of per-fund R² (systematic share of variance), as LO,HI.
    #[arg(long, default_value = "0.75,0.95", value_parser = commands::style::parse_pair, value_name = "LO,HI")]
    r2: (f64, f64),
    /// Probability that a fund's vendor category disagrees with its true group.
    #[arg(long, default_value_t = 0.15, value_name = "P")]
    category_noise: f64,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Format of funds.* and true_betas.* (Parquet for large universes).
    #[arg(long, value_enum, default_value = "csv")]
    format: TableFormat,
    #[command(flatten)]
    force: Force,
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
        Command::Style(a) => {
            let method = match a.method {
                MethodArg::Sharpe => peergroup::style::Method::Sharpe,
                MethodArg::Ols => peergroup::style::Method::Ols,
                MethodArg::Dsa => peergroup::style::Method::Dsa,
            };
            let criterion = match a.criterion {
                CriterionArg::Bic => peergroup::style::Criterion::Bic,
                CriterionArg::Aic => peergroup::style::Criterion::Aic,
                CriterionArg::AdjR2 => peergroup::style::Criterion::AdjR2,
            };
            let s = commands::style::run(&commands::style::StyleArgs {
                funds: a.funds,
                factors: a.factors,
                fund_prices: a.fund_prices,
                factor_prices: a.factor_prices,
                percent: a.percent,
                spec: peergroup::style::StyleSpec {
                    method,
                    constraints: commands::style::constraints(method, a.no_long_only, a.no_budget),
                    window: a.window,
                    step: a.step,
                    min_obs: a.min_obs,
                    selection: (a.select == SelectArg::Stepwise).then_some(criterion),
                    lambda: a.lambda,
                    periods_per_year: 12.0,
                },
                out: a.out.clone(),
                fit_out: a.fit_out,
                force: a.force.force,
            })?;
            eprintln!(
                "{} funds × {} factors on {} common dates: {} fits, mean R² {:.3}; wrote {}",
                s.funds,
                s.factors,
                s.dates,
                s.fits,
                s.mean_r2,
                a.out.display()
            );
        }
        Command::Synth(SynthCommand::Universe(a)) => {
            let (f, k, t) = commands::synth::run_universe(&commands::synth::SynthUniverseArgs {
                config: peergroup::synth::UniverseConfig {
                    funds: a.funds,
                    factors: a.factors,
                    periods: a.periods,
                    groups: a.groups,
                    dynamic: a.dynamic,
                    seed: a.seed,
                    frequency: a.frequency,
                    r2: a.r2,
                    category_noise: a.category_noise,
                    ..Default::default()
                },
                out: a.out.clone(),
                format: a.format,
                force: a.force.force,
            })?;
            eprintln!(
                "wrote a universe of {f} funds, {k} factors, {t} periods to {}",
                a.out.display()
            );
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
