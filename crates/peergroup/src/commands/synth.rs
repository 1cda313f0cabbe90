//! `peergroup synth ...`: write synthetic data sets with known truth.

use std::path::PathBuf;

use clap::Args;
use peergroup_data::Frequency;
use peergroup_io::{Outputs, Table};
use peergroup_pipeline::synth::{
    garch_tables, industry_tables, investors_tables, sales_tables, universe_tables,
};
use peergroup_synth::investors::InvestorsConfig;
use peergroup_synth::{
    garch_universe, industry, investors, sales, universe, GarchConfig, IndustrySynthConfig,
    SalesConfig, UniverseConfig,
};

use super::options::{parse_pair, Force};
use super::progress::step;
use super::{CommandError, CommandResult};

/// Table format of the main synthetic table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// Comma-separated text.
    Csv,
    /// Apache Parquet (for large data).
    Parquet,
}

impl TableFormat {
    fn ext(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }
}

/// `--out`, `--format` and `--force`: where and how a `synth` command writes its tables.
#[derive(Args, Clone, Debug)]
pub struct SynthOutput {
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Format of the main table(s) (Parquet for large data).
    #[arg(long, value_enum, default_value = "csv")]
    pub format: TableFormat,
    #[command(flatten)]
    pub force: Force,
}

impl SynthOutput {
    /// Outputs for the tables `names` under `--out`, checked before anything is generated
    /// so a clobber or a bad extension fails fast.
    fn plan(&self, names: &[String]) -> CommandResult<Outputs> {
        let mut outputs = Outputs::new(self.force.force);
        for n in names {
            outputs.plan_table(&self.out.join(n))?;
        }
        Ok(outputs)
    }

    /// Write `tables` as `names` under `--out` and commit them together.
    fn write(&self, mut outputs: Outputs, names: &[String], tables: &[Table]) -> CommandResult {
        step("writing", || -> CommandResult {
            for (n, t) in names.iter().zip(tables) {
                outputs.write_table(&self.out.join(n), t)?;
            }
            Ok(())
        })?;
        outputs.commit()?;
        Ok(())
    }
}

/// Arguments of `peergroup synth industry`.
#[derive(Args, Clone, Debug)]
pub struct SynthIndustryArgs {
    /// Number of fund classes (use at least ~150 so the outlier z-rule can fire).
    #[arg(long, default_value_t = IndustrySynthConfig::default().classes)]
    pub classes: usize,
    /// Number of business days from 2022-01-03.
    #[arg(long, default_value_t = IndustrySynthConfig::default().days)]
    pub days: usize,
    /// Random seed.
    #[arg(long, default_value_t = IndustrySynthConfig::default().seed)]
    pub seed: u64,
    #[command(flatten)]
    pub output: SynthOutput,
}

/// Run `peergroup synth industry`.
pub fn run_industry(args: &SynthIndustryArgs) -> CommandResult {
    if args.classes == 0 || args.days < 2 {
        return Err(CommandError::usage(
            "--classes must be at least 1 and --days at least 2",
        ));
    }
    let names = [
        format!("industry.{}", args.output.format.ext()),
        "classes.csv".into(),
        "truth_outliers.csv".into(),
    ];
    let outputs = args.output.plan(&names)?;
    let s = step("generating", || {
        industry(&IndustrySynthConfig {
            classes: args.classes,
            days: args.days,
            seed: args.seed,
            ..Default::default()
        })
    });
    let (data, classes, truth) = industry_tables(&s);
    let n = data.n_rows();
    args.output
        .write(outputs, &names, &[data, classes, truth])?;
    eprintln!(
        "wrote {n} rows of synthetic industry data to {}",
        args.output.out.display()
    );
    Ok(())
}

/// Arguments of `peergroup synth universe`.
#[derive(Args, Clone, Debug)]
pub struct SynthUniverseArgs {
    /// Number of funds.
    #[arg(long, default_value_t = UniverseConfig::default().funds)]
    pub funds: usize,
    /// Number of factors (2 to 40).
    #[arg(long, default_value_t = UniverseConfig::default().factors)]
    pub factors: usize,
    /// Number of periods.
    #[arg(long, default_value_t = UniverseConfig::default().periods)]
    pub periods: usize,
    /// Number of true peer groups.
    // The command's default (6) is not the generator's (8).
    #[arg(long, default_value_t = 6)]
    pub groups: usize,
    /// Exposures drift and some funds switch style.
    #[arg(long)]
    pub dynamic: bool,
    /// Random seed.
    #[arg(long, default_value_t = UniverseConfig::default().seed)]
    pub seed: u64,
    /// Observation frequency: daily, weekly or monthly.
    #[arg(long, default_value = "weekly", value_parser = parse_frequency)]
    pub frequency: Frequency,
    /// Range of per-fund R² (systematic share of variance), as LO,HI.
    #[arg(long, default_value = "0.75,0.95", value_parser = parse_pair, value_name = "LO,HI")]
    pub r2: (f64, f64),
    /// Probability that a fund's vendor category disagrees with its true group.
    #[arg(long, default_value_t = UniverseConfig::default().category_noise, value_name = "P")]
    pub category_noise: f64,
    #[command(flatten)]
    pub output: SynthOutput,
}

impl SynthUniverseArgs {
    /// The generator's settings.
    pub fn config(&self) -> UniverseConfig {
        UniverseConfig {
            funds: self.funds,
            factors: self.factors,
            periods: self.periods,
            groups: self.groups,
            dynamic: self.dynamic,
            seed: self.seed,
            frequency: self.frequency,
            r2: self.r2,
            category_noise: self.category_noise,
            ..Default::default()
        }
    }
}

/// Run `peergroup synth universe`.
pub fn run_universe(args: &SynthUniverseArgs) -> CommandResult {
    let config = args.config();
    config.validate().map_err(CommandError::usage)?;
    let ext = args.output.format.ext();
    let names = [
        "factors.csv".to_string(),
        format!("funds.{ext}"),
        "meta.csv".to_string(),
        format!("true_betas.{ext}"),
        "factor_attributes.csv".to_string(),
    ];
    let outputs = args.output.plan(&names)?;
    let u = step("generating", || universe(&config));
    let tables = universe_tables(&u, config.dynamic);
    args.output.write(outputs, &names, &tables)?;
    eprintln!(
        "wrote a universe of {} funds, {} factors, {} periods to {}",
        u.n_funds(),
        u.n_factors(),
        u.periods(),
        args.output.out.display()
    );
    Ok(())
}

/// Arguments of `peergroup synth garch`.
#[derive(Args, Clone, Debug)]
pub struct SynthGarchArgs {
    /// Number of funds.
    #[arg(long, default_value_t = GarchConfig::default().funds)]
    pub funds: usize,
    /// Daily returns per fund.
    #[arg(long, default_value_t = GarchConfig::default().periods)]
    pub periods: usize,
    /// Random seed.
    #[arg(long, default_value_t = GarchConfig::default().seed)]
    pub seed: u64,
    #[command(flatten)]
    pub output: SynthOutput,
}

/// Run `peergroup synth garch`.
pub fn run_garch(args: &SynthGarchArgs) -> CommandResult {
    if args.funds == 0 || args.periods < 2 {
        return Err(CommandError::usage(
            "--funds must be at least 1 and --periods at least 2",
        ));
    }
    let names = [
        format!("returns.{}", args.output.format.ext()),
        "truth.csv".into(),
    ];
    let outputs = args.output.plan(&names)?;
    let s = step("generating", || {
        garch_universe(&GarchConfig {
            funds: args.funds,
            periods: args.periods,
            seed: args.seed,
            ..Default::default()
        })
    });
    let (returns, truth) = garch_tables(&s);
    args.output.write(outputs, &names, &[returns, truth])?;
    eprintln!(
        "wrote {} funds × {} daily returns (AT-GARCH, known parameters) to {}",
        s.funds.len(),
        s.dates.len(),
        args.output.out.display()
    );
    Ok(())
}

/// Arguments of `peergroup synth sales`.
#[derive(Args, Clone, Debug)]
pub struct SynthSalesArgs {
    /// Number of broker-dealer offices.
    #[arg(long, default_value_t = SalesConfig::default().offices)]
    pub offices: usize,
    /// Number of funds.
    #[arg(long, default_value_t = SalesConfig::default().funds)]
    pub funds: usize,
    /// Number of months.
    #[arg(long, default_value_t = SalesConfig::default().months)]
    pub months: usize,
    /// Share of funds that sell like another category, in [0, 1] (0: null data for the
    /// outside-category test).
    #[arg(long, default_value_t = SalesConfig::default().misfit_share, value_name = "SHARE")]
    pub misfit_share: f64,
    /// Random seed.
    #[arg(long, default_value_t = SalesConfig::default().seed)]
    pub seed: u64,
    #[command(flatten)]
    pub output: SynthOutput,
}

/// Run `peergroup synth sales`.
pub fn run_sales(args: &SynthSalesArgs) -> CommandResult {
    if args.offices == 0 || args.funds == 0 || args.months == 0 {
        return Err(CommandError::usage(
            "--offices, --funds and --months must each be at least 1",
        ));
    }
    if !(0.0..=1.0).contains(&args.misfit_share) {
        return Err(CommandError::usage(format!(
            "--misfit-share must be a share in [0, 1], got {}",
            args.misfit_share
        )));
    }
    let names = [
        format!("sales.{}", args.output.format.ext()),
        "funds.csv".into(),
        "truth.csv".into(),
        "fund_truth.csv".into(),
    ];
    let outputs = args.output.plan(&names)?;
    let s = step("generating", || {
        sales(&SalesConfig {
            offices: args.offices,
            funds: args.funds,
            months: args.months,
            misfit_share: args.misfit_share,
            seed: args.seed,
            ..Default::default()
        })
    });
    let tables = sales_tables(&s);
    args.output.write(outputs, &names, &tables)?;
    eprintln!(
        "wrote {} sales rows ({} offices, {} funds) to {}",
        s.n_rows(),
        s.office_names.len(),
        s.fund_names.len(),
        args.output.out.display()
    );
    Ok(())
}

/// Arguments of `peergroup synth investors`.
#[derive(Args, Clone, Debug)]
pub struct SynthInvestorsArgs {
    /// Number of users.
    #[arg(long, default_value_t = InvestorsConfig::default().users)]
    pub users: usize,
    /// Number of calendar days of balances.
    #[arg(long, default_value_t = InvestorsConfig::default().days)]
    pub days: usize,
    /// Random seed.
    #[arg(long, default_value_t = InvestorsConfig::default().seed)]
    pub seed: u64,
    #[command(flatten)]
    pub output: SynthOutput,
}

/// Run `peergroup synth investors`.
pub fn run_investors(args: &SynthInvestorsArgs) -> CommandResult {
    if args.users == 0 || args.days == 0 {
        return Err(CommandError::usage(
            "--users and --days must each be at least 1",
        ));
    }
    let names = [
        "users.csv".to_string(),
        format!("balances.{}", args.output.format.ext()),
        "truth.csv".to_string(),
    ];
    let outputs = args.output.plan(&names)?;
    let s = step("generating", || {
        investors(&InvestorsConfig {
            users: args.users,
            days: args.days,
            seed: args.seed,
            ..Default::default()
        })
    });
    let (users, rows) = (s.users.len(), s.balances.len());
    let tables = investors_tables(s);
    args.output.write(outputs, &names, &tables)?;
    eprintln!(
        "wrote {users} users and {rows} balance rows to {}",
        args.output.out.display()
    );
    Ok(())
}

/// Parse a frequency name for synthetic data.
pub fn parse_frequency(s: &str) -> Result<Frequency, String> {
    match s.to_ascii_lowercase().as_str() {
        "daily" => Ok(Frequency::Daily),
        "weekly" => Ok(Frequency::Weekly),
        "monthly" => Ok(Frequency::Monthly),
        other => Err(format!("expected daily, weekly or monthly, got '{other}'")),
    }
}
