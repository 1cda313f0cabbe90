//! `peergroup rate`: gain, AT-GARCH risk components and 1–5 stars per fund.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::{read_series, read_star_ratings};
use peergroup_pipeline::rating::{self, RateSettings};
use peergroup_pipeline::Named;
use peergroup_rating::garch::FitOptions;

use super::options::{name, OutputFile, SeriesFlags};
use super::{step, CommandError, CommandResult};

/// Arguments of `peergroup rate`.
#[derive(Args, Clone, Debug)]
pub struct RateArgs {
    /// Returns (or prices with --prices), long (id,date,value) or wide (date,<fund>...).
    #[arg(long, value_name = "FILE")]
    pub series: PathBuf,
    #[command(flatten)]
    pub flags: SeriesFlags,
    /// Value column of a long table.
    #[arg(long, default_value = "value")]
    pub column: String,
    /// Residual quantile below which a shock counts as turmoil.
    #[arg(long, default_value_t = FitOptions::default().threshold_quantile, value_name = "Q")]
    pub threshold_quantile: f64,
    /// Level of the robust t-tests that drop α, β or δ.
    #[arg(long, default_value_t = FitOptions::default().significance, value_name = "LEVEL")]
    pub significance: f64,
    /// Lags of the ARCH-LM test on the standardised residuals.
    #[arg(long, default_value_t = FitOptions::default().arch_lags, value_name = "Q")]
    pub arch_lags: usize,
    /// Fewest returns per fund.
    #[arg(long, default_value_t = FitOptions::default().min_obs, value_name = "N")]
    pub min_obs: usize,
    /// Iteration limit of each optimisation (for testing failure handling).
    #[arg(long, default_value_t = FitOptions::default().max_iter, value_name = "N", hide = true)]
    pub max_iter: usize,
    /// Include the partial first and last calendar years in the gain (their returns over the part covered, not annualised).
    #[arg(long)]
    pub include_partial_years: bool,
    /// External rating to compare with: fund,stars (1–5).
    #[arg(long, value_name = "FILE")]
    pub external: Option<PathBuf>,
    /// Stars column of the external file.
    #[arg(long, default_value = "stars", value_name = "NAME")]
    pub external_column: String,
    /// Where to write the comparison (default: <out>_external.csv).
    #[arg(long, value_name = "FILE")]
    pub comparison_out: Option<PathBuf>,
    /// Gain-vs-risk scatter coloured by stars (SVG).
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    /// Per fund and parameter: estimate, robust standard error and t-statistic of the unrestricted and the final model.
    #[arg(long, value_name = "FILE")]
    pub details: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputFile,
}

impl RateArgs {
    /// The estimation settings.
    pub fn settings(&self) -> RateSettings {
        RateSettings {
            fit: FitOptions {
                threshold_quantile: self.threshold_quantile,
                significance: self.significance,
                arch_lags: self.arch_lags,
                min_obs: self.min_obs,
                max_iter: self.max_iter,
            },
            include_partial_years: self.include_partial_years,
            classes: Default::default(),
        }
    }

    /// Where the comparison with the external rating goes: --comparison-out, else next
    /// to --out.
    fn comparison_out(&self) -> Option<PathBuf> {
        self.comparison_out.clone().or_else(|| {
            self.external.as_ref().map(|_| {
                let stem = self
                    .output
                    .out
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "ratings".into());
                self.output
                    .out
                    .with_file_name(format!("{stem}_external.csv"))
            })
        })
    }
}

/// Run `peergroup rate`.
pub fn run(args: &RateArgs) -> CommandResult {
    let settings = args.settings();
    settings.validate()?;
    let comparison_out = args.comparison_out();
    if args.comparison_out.is_some() && args.external.is_none() {
        return Err(CommandError::usage(
            "--comparison-out needs --external FILE",
        ));
    }
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    if let Some(p) = &comparison_out {
        outputs.plan_table(p)?;
    }
    if let Some(p) = &args.chart {
        outputs.plan(p)?;
    }
    if let Some(p) = &args.details {
        outputs.plan_table(p)?;
    }
    let file = name(&args.series);
    let values = read_series(&args.series, &args.flags.options(&[args.column.as_str()]))?;
    let external = args
        .external
        .as_ref()
        .map(|p| read_star_ratings(p, &args.external_column))
        .transpose()?;
    let rows = step("fitting AT-GARCH models", || {
        rating::rate(Named::new(&values, &file), &settings)
    })?;
    let stars = rating::star_counts(&rows);
    let mut comparison = None;
    if let (Some(ext), Some(path), Some(ext_path)) = (&external, &comparison_out, &args.external) {
        let c = rating::compare_external(&rows, Named::new(ext, &name(ext_path)), &file)?;
        outputs.write_table(path, &rating::comparison_table(&c))?;
        comparison = Some(c);
    }
    outputs.write_table(out, &rating::ratings_table(&rows))?;
    if let Some(p) = &args.details {
        outputs.write_table(p, &rating::details_table(&rows))?;
    }
    if let Some(p) = &args.chart {
        let title = format!("Gain and risk of {} funds", stars.iter().sum::<usize>());
        outputs.write_bytes(p, rating::ratings_chart(&rows, &title).to_svg().as_bytes())?;
    }
    outputs.commit()?;
    let not_converged = rows.iter().filter(|r| !r.rated.fit.converged).count();
    eprintln!(
        "rated {} of {} funds: {} with 1/2/3/4/5 stars{}; wrote {}",
        stars.iter().sum::<usize>(),
        rows.len(),
        stars.map(|c| c.to_string()).join("/"),
        if not_converged > 0 {
            format!("; {not_converged} did not converge (see note)")
        } else {
            String::new()
        },
        out.display()
    );
    if let Some(c) = comparison {
        eprintln!(
            "against the external rating ({} funds): Spearman {:.3}, {:.0}% equal, {:.0}% within one star",
            c.n,
            c.spearman,
            100.0 * c.share_equal,
            100.0 * c.share_within_one
        );
        eprintln!("contingency (rows: ours 1–5, columns: external 1–5):");
        for (k, row) in c.contingency.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|v| format!("{v:>5}")).collect();
            eprintln!("  {}  {}", k + 1, cells.join(""));
        }
    }
    Ok(())
}
