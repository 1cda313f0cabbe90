//! `peergroup robustness`: how much one date's peer groups depend on the factor
//! similarities.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::{read_exposures, read_fit_r2};
use peergroup_pipeline::robustness::{self, RobustnessInputs, RobustnessSettings};
use peergroup_pipeline::Named;

use super::factor_inputs::FactorInputs;
use super::options::{name, OutputFile};
use super::{step, CommandResult};

/// Arguments of `peergroup robustness`.
#[derive(Args, Clone, Debug)]
pub struct RobustnessArgs {
    /// Exposures fund,date,factor,beta (from `peergroup style`).
    #[arg(long, value_name = "FILE")]
    pub exposures: PathBuf,
    /// Fit statistics fund,date,r2 (from `peergroup style --fit-out`); without it R² = 1.
    #[arg(long, value_name = "FILE")]
    pub fit: Option<PathBuf>,
    #[command(flatten)]
    pub factors: FactorInputs,
    #[command(flatten)]
    pub settings: RobustnessSettings,
    /// Share changed by perturbation size: mean and 5th/95th percentiles (SVG).
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputFile,
}

/// Run `peergroup robustness`.
pub fn run(args: &RobustnessArgs) -> CommandResult {
    let settings = &args.settings;
    settings.validate()?;
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    if let Some(p) = &args.chart {
        outputs.plan(p)?;
    }
    let ex = read_exposures(&args.exposures)?;
    let ex_name = name(&args.exposures);
    let attributes = args.factors.attributes()?;
    let sx = args
        .factors
        .similarity(attributes.as_ref(), &ex.factors.names)?;
    let r2 = args.fit.as_deref().map(read_fit_r2).transpose()?;
    let fit_name = args.fit.as_deref().map(name).unwrap_or_default();
    let inputs = RobustnessInputs {
        exposures: Named::new(&ex, &ex_name),
        r2: r2.as_ref().map(|m| Named::new(m, fit_name.as_str())),
    };
    let result = step("perturbing, reclustering", || {
        robustness::robustness(inputs, &sx, settings)
    })?;
    outputs.write_table(out, &result.table())?;
    if let Some(p) = &args.chart {
        outputs.write_bytes(p, result.chart().to_svg().as_bytes())?;
    }
    outputs.commit()?;
    eprintln!(
        "{} funds on {} in {} clusters ({}); {} draws per size:",
        result.funds.len(),
        result.date,
        result.k,
        result.k_note,
        settings.draws
    );
    for s in result.summary() {
        eprintln!(
            "  p = {}: share of funds changing group mean {:.4}, 5th percentile {:.4}, 95th percentile {:.4}",
            s.perturb, s.mean, s.p05, s.p95
        );
    }
    eprintln!("wrote {}", out.display());
    Ok(())
}
