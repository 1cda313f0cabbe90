//! `peergroup rate`: gain, AT-GARCH risk components and 1–5 stars per fund.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::{read_series, read_star_ratings, ColumnNames, Source};
use peergroup_pipeline::chart::rating::ratings_chart;
use peergroup_pipeline::rating::{self, RateSettings};
use peergroup_pipeline::Named;

use super::options::{name, plan_chart, write_chart, OutputFile, ReturnsInput};
use super::{step, CommandError, CommandResult};

/// Arguments of `peergroup rate`.
#[derive(Args, Clone, Debug)]
pub struct RateArgs {
    #[command(flatten)]
    pub input: ReturnsInput,
    #[command(flatten)]
    pub settings: RateSettings,
    /// A rating to compare with (e.g. a vendor's): fund,stars (1–5).
    #[arg(long, alias = "external", value_name = "FILE")]
    pub reference: Option<PathBuf>,
    /// Stars column of the reference file.
    #[arg(
        long,
        alias = "external-column",
        default_value = "stars",
        value_name = "NAME"
    )]
    pub reference_column: String,
    /// Fund id column of the reference file (e.g. SecId).
    #[arg(long, default_value = "fund", value_name = "NAME")]
    pub reference_id_column: String,
    /// Where to write the agreement with the reference (default: <out>_external.csv).
    #[arg(long, alias = "comparison-out", value_name = "FILE")]
    pub agreement_out: Option<PathBuf>,
    /// Chart (.svg): gain against risk score, one point per fund coloured by stars.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
    /// Per fund and parameter: estimate, robust standard error and t-statistic of the unrestricted and the final model.
    #[arg(long, alias = "details", value_name = "FILE")]
    pub details_out: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputFile,
}

impl RateArgs {
    /// Where the agreement with the reference rating goes: --agreement-out, else next to
    /// --out.
    fn agreement_out(&self) -> Option<PathBuf> {
        self.agreement_out.clone().or_else(|| {
            self.reference.as_ref().map(|_| {
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
    let settings = &args.settings;
    settings.validate()?;
    let options = args.input.options(&["value"]);
    let agreement_path = args.agreement_out();
    if args.agreement_out.is_some() && args.reference.is_none() {
        return Err(CommandError::usage(
            "--agreement-out needs --reference FILE",
        ));
    }
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    if let Some(p) = &agreement_path {
        outputs.plan_table(p)?;
    }
    plan_chart(&mut outputs, args.chart.as_deref())?;
    if let Some(p) = &args.details_out {
        outputs.plan_table(p)?;
    }
    let file = args.input.name();
    let values = read_series(&args.input.source(), &options)?;
    let external = args
        .reference
        .as_ref()
        .map(|p| {
            let source = Source::new(p).with_columns(ColumnNames {
                id: Some(args.reference_id_column.clone()),
                ..ColumnNames::default()
            });
            read_star_ratings(&source, &args.reference_column)
        })
        .transpose()?;
    let rows = step("fitting AT-GARCH models", || {
        rating::rate(Named::new(&values, &file), settings)
    })?;
    let stars = rating::star_counts(&rows);
    let mut comparison = None;
    if let (Some(ext), Some(path), Some(ext_path)) = (&external, &agreement_path, &args.reference) {
        let c = rating::compare_external(&rows, Named::new(ext, &name(ext_path)), &file)?;
        outputs.write_table(path, &rating::comparison_table(&c))?;
        comparison = Some(c);
    }
    outputs.write_table(out, &rating::ratings_table(&rows))?;
    if let Some(p) = &args.details_out {
        outputs.write_table(p, &rating::details_table(&rows))?;
    }
    if let Some(p) = &args.chart {
        let title = format!("Gain and risk of {} funds", stars.iter().sum::<usize>());
        write_chart(&mut outputs, p, &ratings_chart(&rows, &title))?;
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
            "against the reference rating ({} funds): Spearman {:.3}, {:.0}% equal, {:.0}% within one star",
            c.n,
            c.spearman,
            100.0 * c.share_equal,
            100.0 * c.share_within_one
        );
        eprintln!("contingency (rows: ours 1–5, columns: reference 1–5):");
        for (k, row) in c.contingency.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|v| format!("{v:>5}")).collect();
            eprintln!("  {}  {}", k + 1, cells.join(""));
        }
    }
    Ok(())
}
