//! `peergroup synth ...`: write synthetic data sets with known truth.

use std::path::{Path, PathBuf};

use peergroup_data::Frequency;
use peergroup_io::{Column, Outputs, Table};
use peergroup_synth::investors::{FundType, Gender, IncomeBand, InvestorsConfig, Occupation};
use peergroup_synth::{
    garch_universe, industry, investors, sales, universe, GarchConfig, GarchSynth, IndustrySynth,
    IndustrySynthConfig, InvestorsSynth, SalesConfig, SalesSynth, Universe, UniverseConfig,
};

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

/// Settings of `peergroup synth industry`.
#[derive(Clone, Debug)]
pub struct SynthIndustryArgs {
    /// Number of classes.
    pub classes: usize,
    /// Number of business days.
    pub days: usize,
    /// Seed.
    pub seed: u64,
    /// Output directory.
    pub out: PathBuf,
    /// Format of `industry.*`.
    pub format: TableFormat,
    /// Replace existing files.
    pub force: bool,
}

/// The three tables of a synthetic industry: data, class metadata, injected outliers.
pub fn industry_tables(s: &IndustrySynth) -> (Table, Table, Table) {
    let data = Table::new()
        .with(
            "class_id",
            Column::Key {
                codes: s.class.clone(),
                names: s.class_names.clone(),
            },
        )
        .with("date", Column::Date(s.date.clone()))
        .with("price", Column::F64(s.price.clone()))
        .with("shares", Column::F64(s.shares.clone()))
        .with("aum", Column::F64(s.aum.clone()));
    let classes = Table::new()
        .with("class_id", Column::Text(s.class_names.clone()))
        .with("fund", Column::Text(s.fund_of.clone()))
        .with("manager", Column::Text(s.manager_of.clone()));
    let truth = Table::new()
        .with(
            "class_id",
            Column::Key {
                codes: s.outliers.iter().map(|o| o.0).collect(),
                names: s.class_names.clone(),
            },
        )
        .with(
            "date",
            Column::Date(s.outliers.iter().map(|o| o.1).collect()),
        );
    (data, classes, truth)
}

/// Run `peergroup synth industry`; returns the number of data rows.
pub fn run_industry(args: &SynthIndustryArgs) -> CommandResult<usize> {
    if args.classes == 0 || args.days < 2 {
        return Err(CommandError::usage(
            "--classes must be at least 1 and --days at least 2",
        ));
    }
    let dir: &Path = &args.out;
    let data_path = dir.join(format!("industry.{}", args.format.ext()));
    let mut outputs = Outputs::new(args.force);
    outputs.plan_table(&data_path)?;
    outputs.plan_table(&dir.join("classes.csv"))?;
    outputs.plan_table(&dir.join("truth_outliers.csv"))?;
    let s = step("generating", || {
        industry(&IndustrySynthConfig {
            classes: args.classes,
            days: args.days,
            seed: args.seed,
            ..Default::default()
        })
    });
    let (data, classes, truth) = industry_tables(&s);
    step("writing", || -> CommandResult {
        outputs.write_table(&data_path, &data)?;
        outputs.write_table(&dir.join("classes.csv"), &classes)?;
        outputs.write_table(&dir.join("truth_outliers.csv"), &truth)?;
        Ok(())
    })?;
    outputs.commit()?;
    Ok(data.n_rows())
}

/// Outputs for the tables `names` under `dir`, checked before anything is generated so a
/// clobber or a bad extension fails fast.
fn plan_tables(dir: &Path, names: &[String], force: bool) -> CommandResult<Outputs> {
    let mut outputs = Outputs::new(force);
    for n in names {
        outputs.plan_table(&dir.join(n))?;
    }
    Ok(outputs)
}

/// Write `tables` as `names` under `dir` and commit them together.
fn write_tables(
    mut outputs: Outputs,
    dir: &Path,
    names: &[String],
    tables: &[Table],
) -> CommandResult {
    step("writing", || -> CommandResult {
        for (n, t) in names.iter().zip(tables) {
            outputs.write_table(&dir.join(n), t)?;
        }
        Ok(())
    })?;
    outputs.commit()?;
    Ok(())
}

/// Settings of `peergroup synth universe`.
#[derive(Clone, Debug)]
pub struct SynthUniverseArgs {
    /// Generator settings.
    pub config: UniverseConfig,
    /// Output directory.
    pub out: PathBuf,
    /// Format of the large tables (funds, true betas).
    pub format: TableFormat,
    /// Replace existing files.
    pub force: bool,
}

/// The five tables of a synthetic universe: factors (wide), funds (wide), meta, true
/// betas (static: one row per fund and factor dated at the last date; dynamic: every
/// date) and factor attributes.
pub fn universe_tables(u: &Universe, dynamic: bool) -> [Table; 5] {
    let t = u.periods();
    let k = u.n_factors();
    let wide = |names: &[String], values: &[f64]| {
        let mut tab = Table::new().with("date", Column::Date(u.dates.clone()));
        for (j, name) in names.iter().enumerate() {
            tab.push(name, Column::F64(values[j * t..(j + 1) * t].to_vec()));
        }
        tab
    };
    let factors = wide(&u.factor_names, &u.factor_returns);
    let funds = wide(&u.fund_names, &u.fund_returns);
    let meta = Table::new()
        .with("id", Column::Text(u.fund_names.clone()))
        .with("category", Column::Text(u.category.clone()))
        .with(
            "true_group",
            Column::Text(
                u.true_group
                    .iter()
                    .map(|g| u.group_labels[*g].clone())
                    .collect(),
            ),
        );
    let dates: Vec<usize> = if dynamic {
        (0..t).collect()
    } else {
        vec![t - 1]
    };
    let rows = u.n_funds() * dates.len() * k;
    let (mut f, mut d, mut fac, mut b) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    for i in 0..u.n_funds() {
        for &s in &dates {
            for j in 0..k {
                f.push(i as u32);
                d.push(u.dates[s]);
                fac.push(j as u32);
                b.push(u.true_betas[(i * t + s) * k + j]);
            }
        }
    }
    let betas = Table::new()
        .with(
            "fund",
            Column::Key {
                codes: f,
                names: u.fund_names.clone(),
            },
        )
        .with("date", Column::Date(d))
        .with(
            "factor",
            Column::Key {
                codes: fac,
                names: u.factor_names.clone(),
            },
        )
        .with("beta", Column::F64(b));
    let attrs = Table::new()
        .with("factor", Column::Text(u.factor_names.clone()))
        .with(
            "asset_class",
            Column::Text(
                u.factor_attributes
                    .iter()
                    .map(|a| a.asset_class.clone())
                    .collect(),
            ),
        )
        .with(
            "sector",
            Column::Text(
                u.factor_attributes
                    .iter()
                    .map(|a| a.sector.clone())
                    .collect(),
            ),
        )
        .with(
            "region",
            Column::Text(
                u.factor_attributes
                    .iter()
                    .map(|a| a.region.clone())
                    .collect(),
            ),
        );
    [factors, funds, meta, betas, attrs]
}

/// Run `peergroup synth universe`; returns (funds, factors, periods).
pub fn run_universe(args: &SynthUniverseArgs) -> CommandResult<(usize, usize, usize)> {
    args.config.validate().map_err(CommandError::usage)?;
    let ext = args.format.ext();
    let names = [
        "factors.csv".to_string(),
        format!("funds.{ext}"),
        "meta.csv".to_string(),
        format!("true_betas.{ext}"),
        "factor_attributes.csv".to_string(),
    ];
    let outputs = plan_tables(&args.out, &names, args.force)?;
    let u = step("generating", || universe(&args.config));
    let tables = universe_tables(&u, args.config.dynamic);
    write_tables(outputs, &args.out, &names, &tables)?;
    Ok((u.n_funds(), u.n_factors(), u.periods()))
}

/// Settings of `peergroup synth garch`.
#[derive(Clone, Debug)]
pub struct SynthGarchArgs {
    /// Generator settings.
    pub config: GarchConfig,
    /// Output directory.
    pub out: PathBuf,
    /// Format of `returns.*`.
    pub format: TableFormat,
    /// Replace existing files.
    pub force: bool,
}

/// Returns (wide, fractions) and truth tables of a synthetic GARCH universe.
pub fn garch_tables(s: &GarchSynth) -> (Table, Table) {
    let t = s.dates.len();
    let mut returns = Table::new().with("date", Column::Date(s.dates.clone()));
    for (i, f) in s.funds.iter().enumerate() {
        returns.push(&f.name, Column::F64(s.returns[i * t..(i + 1) * t].to_vec()));
    }
    let col = |g: &dyn Fn(&peergroup_synth::GarchFund) -> f64| {
        Column::F64(s.funds.iter().map(g).collect())
    };
    let truth = Table::new()
        .with(
            "fund",
            Column::Text(s.funds.iter().map(|f| f.name.clone()).collect()),
        )
        .with(
            "kind",
            Column::Text(
                s.funds
                    .iter()
                    .map(|f| f.kind.as_str().to_string())
                    .collect(),
            ),
        )
        .with("mu", col(&|f| f.params.mu))
        .with("gamma", col(&|f| f.params.gamma))
        .with("alpha", col(&|f| f.params.alpha))
        .with("beta", col(&|f| f.params.beta))
        .with("delta", col(&|f| f.params.delta))
        .with("threshold", col(&|f| f.threshold))
        .with("annual_vol", col(&|f| f.annual_vol));
    (returns, truth)
}

/// Run `peergroup synth garch`; returns (funds, periods).
pub fn run_garch(args: &SynthGarchArgs) -> CommandResult<(usize, usize)> {
    if args.config.funds == 0 || args.config.periods < 2 {
        return Err(CommandError::usage(
            "--funds must be at least 1 and --periods at least 2",
        ));
    }
    let returns_path = args.out.join(format!("returns.{}", args.format.ext()));
    let truth_path = args.out.join("truth.csv");
    let mut outputs = Outputs::new(args.force);
    outputs.plan_table(&returns_path)?;
    outputs.plan_table(&truth_path)?;
    let s = step("generating", || garch_universe(&args.config));
    let (returns, truth) = garch_tables(&s);
    step("writing", || -> CommandResult {
        outputs.write_table(&returns_path, &returns)?;
        outputs.write_table(&truth_path, &truth)?;
        Ok(())
    })?;
    outputs.commit()?;
    Ok((s.funds.len(), s.dates.len()))
}

/// Settings of `peergroup synth sales`.
#[derive(Clone, Debug)]
pub struct SynthSalesArgs {
    /// Generator settings.
    pub config: SalesConfig,
    /// Output directory.
    pub out: PathBuf,
    /// Format of `sales.*`.
    pub format: TableFormat,
    /// Replace existing files.
    pub force: bool,
}

/// `sales`, `funds`, `truth` (office types) and `fund_truth` tables of synthetic sales.
pub fn sales_tables(s: &SalesSynth) -> [Table; 4] {
    let key = |codes: Vec<u32>, names: &[String]| Column::Key {
        codes,
        names: names.to_vec(),
    };
    let data = Table::new()
        .with(
            "bd",
            key(
                s.office.iter().map(|&o| s.office_bd[o as usize]).collect(),
                &s.bd_names,
            ),
        )
        .with("office", key(s.office.clone(), &s.office_names))
        .with("fund", key(s.fund.clone(), &s.fund_names))
        .with("month", Column::Date(s.month.clone()))
        .with("amount", Column::F64(s.amount.clone()));
    let funds = Table::new()
        .with("fund", Column::Text(s.fund_names.clone()))
        .with("category", Column::Text(s.fund_category.clone()))
        .with(
            "broad_category",
            Column::Text(s.fund_broad_category.clone()),
        );
    let truth = Table::new()
        .with("office", Column::Text(s.office_names.clone()))
        .with(
            "type",
            Column::Text(
                s.office_type
                    .iter()
                    .map(|t| t.label().to_string())
                    .collect(),
            ),
        );
    let fund_truth = Table::new()
        .with("fund", Column::Text(s.fund_names.clone()))
        .with("category", Column::Text(s.fund_category.clone()))
        .with("sells_like", Column::Text(s.fund_sells_like.clone()));
    [data, funds, truth, fund_truth]
}

/// Run `peergroup synth sales`; returns (rows, offices, funds).
pub fn run_sales(args: &SynthSalesArgs) -> CommandResult<(usize, usize, usize)> {
    let c = &args.config;
    if c.offices == 0 || c.funds == 0 || c.months == 0 {
        return Err(CommandError::usage(
            "--offices, --funds and --months must each be at least 1",
        ));
    }
    let names = [
        format!("sales.{}", args.format.ext()),
        "funds.csv".into(),
        "truth.csv".into(),
        "fund_truth.csv".into(),
    ];
    let outputs = plan_tables(&args.out, &names, args.force)?;
    let s = step("generating", || sales(c));
    let tables = sales_tables(&s);
    write_tables(outputs, &args.out, &names, &tables)?;
    Ok((s.n_rows(), s.office_names.len(), s.fund_names.len()))
}

/// Settings of `peergroup synth investors`.
#[derive(Clone, Debug)]
pub struct SynthInvestorsArgs {
    /// Generator settings.
    pub config: InvestorsConfig,
    /// Output directory.
    pub out: PathBuf,
    /// Format of `balances.*`.
    pub format: TableFormat,
    /// Replace existing files.
    pub force: bool,
}

fn labelled<T: Copy + PartialEq>(
    values: &[T],
    all: &[T],
    label: impl Fn(T) -> &'static str,
) -> Column {
    Column::Key {
        codes: values
            .iter()
            .map(|v| all.iter().position(|a| a == v).expect("a known level") as u32)
            .collect(),
        names: all.iter().map(|&a| label(a).to_string()).collect(),
    }
}

/// `users`, `balances` and `truth` tables of synthetic app data (consumes the balances,
/// which can be tens of millions of rows).
pub fn investors_tables(s: InvestorsSynth) -> [Table; 3] {
    let u = &s.users;
    let ids: Vec<i64> = u.user_id.iter().map(|&i| i as i64).collect();
    let users = Table::new()
        .with("user_id", Column::I64(ids.clone()))
        .with("registered", Column::Date(u.registered.clone()))
        .with(
            "gender",
            labelled(&u.gender, &[Gender::Female, Gender::Male], Gender::label),
        )
        .with(
            "age",
            Column::I64(u.age.iter().map(|&a| a as i64).collect()),
        )
        .with(
            "occupation",
            labelled(&u.occupation, &Occupation::ALL, Occupation::label),
        )
        .with(
            "income_band",
            labelled(&u.income, &IncomeBand::ALL, IncomeBand::label),
        )
        .with(
            "referral",
            Column::Text(
                u.referral
                    .iter()
                    .map(|&r| if r { "used" } else { "not used" }.to_string())
                    .collect(),
            ),
        );
    let truth = Table::new().with("user_id", Column::I64(ids)).with(
        "persona",
        Column::Text(u.persona.iter().map(|p| p.label().to_string()).collect()),
    );
    let b = s.balances;
    let fund_type = labelled(&b.fund_type, &FundType::ALL, FundType::label);
    let balances = Table::new()
        .with(
            "user_id",
            Column::I64(b.user.iter().map(|&i| i as i64 + 1).collect()),
        )
        .with("date", Column::Date(b.date))
        .with("fund_type", fund_type)
        .with("balance", Column::F64(b.balance))
        .with("buy", Column::F64(b.buy))
        .with("sell", Column::F64(b.sell))
        .with("profit", Column::F64(b.profit));
    [users, balances, truth]
}

/// Run `peergroup synth investors`; returns (users, balance rows).
pub fn run_investors(args: &SynthInvestorsArgs) -> CommandResult<(usize, usize)> {
    let c = &args.config;
    if c.users == 0 || c.days == 0 {
        return Err(CommandError::usage(
            "--users and --days must each be at least 1",
        ));
    }
    let names = [
        "users.csv".to_string(),
        format!("balances.{}", args.format.ext()),
        "truth.csv".to_string(),
    ];
    let outputs = plan_tables(&args.out, &names, args.force)?;
    let s = step("generating", || investors(c));
    let (users, rows) = (s.users.len(), s.balances.len());
    let tables = investors_tables(s);
    write_tables(outputs, &args.out, &names, &tables)?;
    Ok((users, rows))
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
