//! `peergroup segment sales|investors`: segments of broker-dealer offices or funds from
//! sales flows, and of app investors from profile and balances (METHODS §6).

use std::path::{Path, PathBuf};

use clap::Args;
use peergroup_data::{InputError, Position};
use peergroup_io::{
    position_of_row, read_balances, read_funds, read_sales, read_users, ColumnNames, Outputs,
    Source, Table,
};
use peergroup_pipeline::reference::agreement;
use peergroup_pipeline::segment::sales::{self, SalesSegments};
use peergroup_pipeline::segment::{investors, investors::InvestorSegments};
use peergroup_pipeline::segment::{InvestorSettings, SalesSettings, SegmentSummary};
use peergroup_pipeline::{Artifact, Artifacts};
use peergroup_pipeline::{Chart, KChoice, Named};

use super::options::{name, CategoryColumn, ColumnFlags, OutputDir};
use super::progress::step;
use super::reference::{print_agreement, ReferenceArgs};
use super::{CommandError, CommandResult};

/// Arguments of `peergroup segment sales`.
#[derive(Args, Clone, Debug)]
pub struct SegmentSalesArgs {
    /// Sales rows: bd,office,fund,month,amount (--id-column names the fund column,
    /// --date-column the month, --value-column the amount).
    #[arg(long, value_name = "FILE")]
    pub sales: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    /// Fund categories: fund,category,broad_category.
    #[arg(long, alias = "funds", value_name = "FILE")]
    pub categories: PathBuf,
    #[command(flatten)]
    pub category: CategoryColumn,
    #[command(flatten)]
    pub settings: SalesSettings,
    /// Compare the segments with reference labels of the offices or funds (ARI, NMI and
    /// the contingency table, written to agreement.csv under --out).
    #[command(flatten)]
    pub reference: ReferenceArgs,
    #[command(flatten)]
    pub output: OutputDir,
}

/// Arguments of `peergroup segment investors`.
#[derive(Args, Clone, Debug)]
pub struct SegmentInvestorsArgs {
    /// Users: user_id,registered,gender,age,occupation,income_band,referral (--id-column
    /// names the user id column, --registered-column the registration date).
    #[arg(long, value_name = "FILE")]
    pub users: PathBuf,
    /// Registration-date column of --users (default: registered).
    #[arg(long, value_name = "NAME")]
    pub registered_column: Option<String>,
    /// Daily balances: user_id,date,fund_type,balance,buy,sell,profit (--id-column names
    /// the user id column, --date-column the date, --value-column the balance; --sheet
    /// is the sheet of --balances).
    #[arg(long, value_name = "FILE")]
    pub balances: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub settings: InvestorSettings,
    /// Compare the segments with reference labels of the users (ARI, NMI and the
    /// contingency table in agreement.csv), e.g. synth investors' truth.csv with
    /// --reference-id-column user_id --reference-column persona.
    #[command(flatten)]
    pub reference: ReferenceArgs,
    #[command(flatten)]
    pub output: OutputDir,
}

impl SegmentInvestorsArgs {
    /// The users table: the user id column of --id-column and --registered-column.
    fn users_source(&self, path: &Path) -> Source {
        Source::new(path).with_columns(ColumnNames {
            id: self.columns.id_column.clone(),
            date: self.registered_column.clone(),
            ..ColumnNames::default()
        })
    }
}

/// A stage error whose data row ([`Position::Row`]) is in one of `files`, pointed at the
/// file's line (CSV) or row (Parquet) by reading the file again: error paths only.
fn locate(mut e: InputError, files: &[&Path]) -> CommandError {
    if let (Some(Position::Row(r)), Some(file)) = (e.position, &e.file) {
        if let Some(path) = files.iter().find(|p| name(p) == *file) {
            e.position = position_of_row(path, r as usize - 1).ok().flatten();
        }
    }
    CommandError::Input(e)
}

/// Read a stage's two input files, then build its input from them ("building
/// features"), errors pointed at the files' lines.
fn read_and_prepare<A, B, T>(
    files: [&Path; 2],
    read: (
        impl FnOnce(&Path) -> Result<A, InputError>,
        impl FnOnce(&Path) -> Result<B, InputError>,
    ),
    prepare: impl FnOnce(A, &str, B, &str) -> Result<T, InputError>,
) -> CommandResult<T> {
    let (a, b) = step("reading", || -> CommandResult<_> {
        Ok(((read.0)(files[0])?, (read.1)(files[1])?))
    })?;
    let [a_name, b_name] = files.map(name);
    step("building features", || prepare(a, &a_name, b, &b_name)).map_err(|e| locate(e, &files))
}

/// With --force, remove outputs of an earlier run that this run did not write (say a
/// k_selection.csv from --k auto after a rerun with a fixed k), so a directory never
/// mixes two runs.
fn remove_stale(dir: &Path, written: &[&str], all: &[&str], force: bool) -> CommandResult {
    if !force {
        return Ok(());
    }
    for f in all.iter().filter(|f| !written.contains(f)) {
        let p = dir.join(f);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| {
                CommandError::System(format!("cannot remove stale {}: {e}", p.display()))
            })?;
        }
    }
    Ok(())
}

/// Tables and charts under one directory, written together.
struct Folder<'a> {
    dir: &'a Path,
    outputs: Outputs,
}

impl Folder<'_> {
    fn table(&mut self, file: &str, t: &Table) -> CommandResult {
        Ok(self.outputs.write_table(&self.dir.join(file), t)?)
    }

    fn chart(&mut self, file: &str, c: &Chart) -> CommandResult {
        Ok(self
            .outputs
            .write_bytes(&self.dir.join(file), c.to_svg().as_bytes())?)
    }

    /// Write every artifact of a stage under its file name.
    fn artifacts(&mut self, artifacts: &Artifacts) -> CommandResult {
        for (file, artifact) in &artifacts.0 {
            match artifact {
                Artifact::Table(t) => self.table(file, t)?,
                Artifact::Chart(c) => self.chart(file, c)?,
            }
        }
        Ok(())
    }

    /// Put every written file in place.
    fn commit(self) -> CommandResult {
        Ok(self.outputs.commit()?)
    }
}

/// Plan `files` under `dir` (failing before any work if one exists without --force).
fn plan<'a>(dir: &'a Path, files: &[&str], force: bool) -> CommandResult<Folder<'a>> {
    let mut outputs = Outputs::new(force);
    for f in files {
        outputs.plan(&dir.join(f))?;
    }
    Ok(Folder { dir, outputs })
}

/// The agreement of the segments with `--reference`, under `--out`.
const AGREEMENT: &str = "agreement.csv";

/// Run `peergroup segment sales` and print its summary.
pub fn run_sales(args: &SegmentSalesArgs) -> CommandResult {
    let s = write_sales(args)?;
    print_summary(&s.summary(), &args.output.out);
    Ok(())
}

/// Segment offices or funds and write the outputs under `--out`.
pub fn write_sales(args: &SegmentSalesArgs) -> CommandResult<SalesSegments> {
    let settings = &args.settings;
    settings.validate()?;
    let (dir, force) = (&args.output.out, args.output.force.force);
    let reference = args.reference.read()?;
    let mut files = sales::output_files(settings);
    if reference.is_some() {
        files.push(AGREEMENT);
    }
    let mut out = plan(dir, &files, force)?;
    let input = read_and_prepare(
        [&args.sales, &args.categories],
        (
            |p: &Path| read_sales(&args.columns.source(p)),
            |p: &Path| read_funds(&args.category.source(p, args.columns.sheet.as_deref())),
        ),
        |sales, sales_name, funds, funds_name| {
            sales::prepare(sales, sales_name, funds, funds_name, settings)
        },
    )?;
    let clusters = step("clustering", || input.cluster())?;
    let stability = step("stability", || input.stability(&clusters))?;
    let tsne = step("t-SNE", || input.tsne())?;
    let s = input.segments(clusters, tsne, stability)?;
    out.artifacts(&s.artifacts())?;
    if let Some(r) = &reference {
        let ids: Vec<String> = s.keys.iter().map(|k| k.id.clone()).collect();
        let a = agreement(&ids, &s.labels, Named::new(&r.labels[..], &r.name))?;
        print_agreement(&a, &r.name, "segment");
        out.table(AGREEMENT, &a.table())?;
    }
    out.commit()?;
    let mut all = sales::ALL_OUTPUTS.to_vec();
    all.push(AGREEMENT);
    remove_stale(dir, &files, &all, force)?;
    Ok(s)
}

/// Run `peergroup segment investors` and print its summary.
pub fn run_investors(args: &SegmentInvestorsArgs) -> CommandResult {
    let s = write_investors(args)?;
    print_summary(&s.summary(), &args.output.out);
    Ok(())
}

/// Segment app investors and write the outputs (and `eda/`) under `--out`.
pub fn write_investors(args: &SegmentInvestorsArgs) -> CommandResult<InvestorSegments> {
    let settings = &args.settings;
    settings.validate()?;
    let (dir, force) = (&args.output.out, args.output.force.force);
    let auto = settings.k == KChoice::Auto;
    let reference = args.reference.read()?;
    let files = investors::output_files(settings);
    let mut files: Vec<&str> = files.iter().map(String::as_str).collect();
    if reference.is_some() {
        files.push(AGREEMENT);
    }
    let mut out = plan(dir, &files, force)?;
    let input = read_and_prepare(
        [&args.users, &args.balances],
        (
            |p: &Path| read_users(&args.users_source(p)),
            |p: &Path| read_balances(&args.columns.source(p)),
        ),
        |users, users_name, balances, balances_name| {
            investors::prepare(users, users_name, balances, balances_name, settings)
        },
    )?;
    let eda = step("descriptive tables", || input.eda());
    let (k, selection) = if auto {
        step("choosing k", || input.choose_k())?
    } else {
        input.choose_k()?
    };
    let fit = step("k-prototypes", || input.fit(k))?;
    let s = input.segments(k, selection, &fit, eda)?;
    out.artifacts(&s.artifacts())?;
    if let Some(r) = &reference {
        let a = agreement(&s.user_ids, &s.labels, Named::new(&r.labels[..], &r.name))?;
        print_agreement(&a, &r.name, "segment");
        out.table(AGREEMENT, &a.table())?;
    }
    out.commit()?;
    let mut written = vec![];
    if auto {
        written.push("k_selection.csv");
    }
    if reference.is_some() {
        written.push(AGREEMENT);
    }
    remove_stale(dir, &written, &["k_selection.csv", AGREEMENT], force)?;
    Ok(s)
}

/// The summary line (and notes) of a segmentation.
fn print_summary(s: &SegmentSummary, out: &Path) {
    eprintln!(
        "{} segmented into {} cluster{} (k {}); sizes {}; wrote {}",
        s.n,
        s.k,
        if s.k == 1 { "" } else { "s" },
        s.k_note,
        s.sizes
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("/"),
        out.display()
    );
    for n in &s.notes {
        eprintln!("note: {n}");
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Sales {
        #[command(flatten)]
        args: SegmentSalesArgs,
    }

    #[derive(Parser)]
    struct Investors {
        #[command(flatten)]
        args: SegmentInvestorsArgs,
    }

    /// The defaults written as text (enums, lists, k) are the stages' defaults, and the
    /// old name of --categories still works.
    #[test]
    fn defaults_are_the_stages_defaults() {
        for flag in ["--categories", "--funds"] {
            let s = Sales::parse_from(["x", "--sales", "s", flag, "f", "--out", "o"]);
            assert_eq!(s.args.settings, SalesSettings::default());
            assert_eq!(s.args.categories, PathBuf::from("f"));
        }
        let i = Investors::parse_from(["x", "--users", "u", "--balances", "b", "--out", "o"]);
        assert_eq!(i.args.settings, InvestorSettings::default());
    }
}
