//! `peergroup demo`: every stage that exists, on bundled and synthetic data, gathered
//! into a run directory with tables, SVG charts and `index.html`.
//!
//! The run is built in a temporary sibling directory and moved into place at the end,
//! so an interrupted demo leaves nothing half-written. A directory from an earlier demo
//! (it holds the marker file `.peergroup-run`) is replaced; any other non-empty
//! directory needs `--force`.

use std::path::{Path, PathBuf};

use clap::Args;
use peergroup_data::Panel;
use peergroup_io::{read_series, write_table, Format, SeriesOptions, Table};
use peergroup_report::{render_html, Report};
use peergroup_style::{Constraints, Lambda, Method, StyleSpec};

use super::progress::step;
use super::{CommandError, CommandResult};

/// The bundled Kenneth French monthly returns (see `data/README.md`).
pub const FRENCH_MONTHLY_CSV: &str =
    include_str!("../../../../../data/french_monthly_1949_2017.csv");

/// The 9 size/value and 9 size/momentum portfolios: "funds" with known styles.
pub const FRENCH_PORTFOLIOS: [&str; 18] = [
    "S1V1", "S1V3", "S1V5", "S3V1", "S3V3", "S3V5", "S5V1", "S5V3", "S5V5", "S1M1", "S1M3", "S1M5",
    "S3M1", "S3M3", "S3M5", "S5M1", "S5M3", "S5M5",
];

/// The 12 industry portfolios of the French data set.
pub const FRENCH_INDUSTRIES: [&str; 12] = [
    "NoDur", "Durbl", "Manuf", "Enrgy", "Chems", "BusEq", "Telcm", "Utils", "Shops", "Hlth",
    "Money", "Other",
];

mod dsa;
mod evolve;
mod french;
mod industry;
mod peer_groups;
mod ratings;
mod segments;
mod study;
mod style;

const MARKER: &str = ".peergroup-run";

/// Where the run keeps its copy of [`FRENCH_MONTHLY_CSV`].
const FRENCH_INPUT: &str = "inputs/french_monthly_1949_2017.csv";

/// A run directory being written.
struct Run {
    dir: PathBuf,
}

impl Run {
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// The path of `rel`, its parent directory created.
    fn create(&self, rel: &str) -> CommandResult<PathBuf> {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                CommandError::System(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        Ok(p)
    }

    fn table(&self, rel: &str, t: &Table) -> CommandResult {
        let p = self.create(rel)?;
        write_table(&p, Format::of(&p)?, t)
            .map_err(|e| CommandError::System(format!("cannot write {}: {e}", p.display())))
    }

    /// Write a stage's named outputs under the folder `rel`.
    fn artifacts(&self, rel: &str, artifacts: &peergroup_pipeline::Artifacts) -> CommandResult {
        for (file, artifact) in &artifacts.0 {
            let path = format!("{rel}/{file}");
            match artifact {
                peergroup_pipeline::Artifact::Table(t) => self.table(&path, t)?,
                peergroup_pipeline::Artifact::Chart(c) => self.text(&path, &c.to_svg())?,
            }
        }
        Ok(())
    }

    fn text(&self, rel: &str, s: &str) -> CommandResult {
        let p = self.create(rel)?;
        std::fs::write(&p, s)
            .map_err(|e| CommandError::System(format!("cannot write {}: {e}", p.display())))
    }

    /// The series of the wide returns table `rel` of the run.
    fn series(&self, rel: &str) -> CommandResult<Panel> {
        Ok(read_series(&self.path(rel), &SeriesOptions::default())?)
    }

    /// The bundled French data of the run: the 18 portfolios as funds on the 12 industry
    /// portfolios as factors, monthly returns.
    fn french_aligned(&self) -> CommandResult<peergroup_pipeline::style::Aligned> {
        let all = self.series(FRENCH_INPUT)?;
        let factors = select_ids(&all, &FRENCH_INDUSTRIES)?;
        let funds = select_ids(&all, &FRENCH_PORTFOLIOS)?;
        Ok(peergroup_pipeline::style::Aligned { funds, factors })
    }
}

use super::count_text::thousands;

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.2}%", 100.0 * x)
    } else {
        String::new()
    }
}

/// Arguments of `peergroup demo`.
#[derive(Args, Clone, Debug)]
pub struct DemoArgs {
    /// Run directory to write.
    #[arg(long, default_value = "peergroup-demo", value_name = "DIR")]
    pub out: PathBuf,
    /// Replace a non-empty directory that is not an earlier demo run.
    #[arg(long)]
    pub force: bool,
}

/// Run `peergroup demo`.
pub fn run(args: &DemoArgs) -> CommandResult {
    let index = write_demo(&args.out, args.force)?;
    eprintln!("demo report: {}", index.display());
    eprintln!(
        "explore it fund by fund in the browser: peergroup serve {}",
        args.out.display()
    );
    eprintln!(
        "next: a study of your own (peergroup init my-study && peergroup run my-study/study.toml), \
         explored fund by fund in the browser (peergroup serve my-study/results), \
         or from Python (pip install ./python; import peergroup)"
    );
    Ok(())
}

/// Write the demo run into `out`; returns the path of `index.html`.
pub fn write_demo(out: &Path, force: bool) -> CommandResult<PathBuf> {
    if out.exists() {
        let is_dir = out.is_dir();
        let empty = is_dir
            && std::fs::read_dir(out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
        let ours = out.join(MARKER).exists();
        if !is_dir {
            return Err(CommandError::usage(format!(
                "'{}' exists and is not a directory",
                out.display()
            )));
        }
        if !empty && !ours && !force {
            return Err(CommandError::usage(format!(
                "'{}' is a non-empty directory that is not an earlier demo run: pass --force to replace it, or choose another --out",
                out.display()
            )));
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Missing parents are created, and removed again if the demo fails.
    let created = peergroup_io::create_folders(&parent)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)
        .map_err(|e| CommandError::System(format!("cannot create {}: {e}", tmp.display())))?;
    let run = Run { dir: tmp.clone() };
    let result = build(&run);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        peergroup_io::remove_folders(&created);
        return Err(e);
    }
    if out.exists() {
        std::fs::remove_dir_all(out)
            .map_err(|e| CommandError::System(format!("cannot replace {}: {e}", out.display())))?;
    }
    std::fs::rename(&tmp, out).map_err(|e| {
        CommandError::System(format!("cannot move run into {}: {e}", out.display()))
    })?;
    Ok(out.join("index.html"))
}

fn build(run: &Run) -> CommandResult {
    run.text(
        MARKER,
        "written by `peergroup demo`; the next demo run may replace this directory\n",
    )?;
    let mut report = Report {
        title: "peergroup demo".into(),
        subtitle: "Every stage of peergroup on bundled and synthetic data. Tables are CSV files next to this page; charts are SVG.".into(),
        sections: Vec::new(),
    };
    type SectionFn = fn(&Run, &mut Report) -> CommandResult;
    let sections: &[(&str, SectionFn)] = &[
        (
            "industry analytics on synthetic CAFCI-style data",
            industry::section,
        ),
        (
            "period returns of the French industry portfolios",
            french::section,
        ),
        (
            "style analysis of the French size/value/momentum portfolios",
            style::section,
        ),
        (
            "dynamic style analysis on a synthetic universe",
            dsa::section,
        ),
        ("fund similarity and peer groups", peer_groups::section),
        ("peer groups over time", evolve::section),
        ("risk/return ratings (AT-GARCH)", ratings::section),
        (
            "segmentation of offices, funds and app investors",
            segments::section,
        ),
        ("a whole analysis from one study file", study::section),
    ];
    for &(what, section) in sections {
        step(what, || section(run, &mut report))?;
    }
    let json =
        serde_json::to_string_pretty(&report).map_err(|e| CommandError::System(e.to_string()))?;
    run.text("report.json", &json)?;
    let html = render_html(&report, &peergroup_report::svg_file_loader(&run.dir));
    run.text("index.html", &html)?;
    Ok(())
}

/// The panel restricted to `ids` (all must exist).
pub fn select_ids(p: &Panel, ids: &[&str]) -> CommandResult<Panel> {
    let mut values = Vec::with_capacity(ids.len() * p.n_dates());
    for id in ids {
        let i = p.index_of(id).ok_or_else(|| {
            CommandError::usage(format!("series '{id}' is missing from the bundled data"))
        })?;
        values.extend_from_slice(p.series(i));
    }
    Ok(Panel::new(
        ids.iter().map(|s| s.to_string()).collect(),
        p.dates().to_vec(),
        values,
        p.kind(),
        p.frequency(),
    )?)
}

/// Write a synthetic universe's five tables under `inputs/<dir>/` and read its funds and
/// factors back through the same readers a user's files go through.
fn write_universe(
    run: &Run,
    u: &peergroup_synth::Universe,
    dynamic: bool,
    dir: &str,
) -> CommandResult<(Panel, Panel)> {
    let names = [
        "factors.csv",
        "funds.csv",
        "meta.csv",
        "true_betas.csv",
        "factor_attributes.csv",
    ];
    for (name, table) in names
        .iter()
        .zip(peergroup_pipeline::synth::universe_tables(u, dynamic))
    {
        run.table(&format!("inputs/{dir}/{name}"), &table)?;
    }
    let opts = SeriesOptions::default();
    let funds = read_series(&run.path(&format!("inputs/{dir}/funds.csv")), &opts)?;
    let factors = read_series(&run.path(&format!("inputs/{dir}/factors.csv")), &opts)?;
    Ok((funds, factors))
}

/// Whole-sample Sharpe (budget, long-only) settings for `periods_per_year` data.
fn sharpe_spec(window: Option<usize>, periods_per_year: f64) -> StyleSpec {
    StyleSpec {
        method: Method::Sharpe,
        constraints: Constraints::SHARPE,
        window,
        step: 1,
        min_obs: None,
        selection: None,
        lambda: Lambda::Auto,
        periods_per_year,
    }
}
