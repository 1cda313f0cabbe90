//! `peergroup similarity`, `peergroup correlation` and `peergroup peers`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use clap::Args;
use peergroup_io::{
    read_exposures, read_fit_r2, read_fund_pairs, read_metadata, read_series, ColumnNames, Source,
};
use peergroup_pipeline::chart::similarity::{peers_chart, similarity_heatmap};
use peergroup_pipeline::similarity::{
    self, CorrelationSettings, Idio, Measure, PairSelection, PeersSettings, RowBlocks,
    SimilaritySettings, ALL_PAIRS_LIMIT,
};
use peergroup_pipeline::Named;

use super::count_text::thousands;
use super::factor_inputs::{FactorInputs, FACTORS_NEEDED};
use super::options::{
    name, plan_chart, series_options, write_chart, CategoryColumn, ColumnFlags, MaxReturn,
    OutputFile, ReturnsInput,
};
use super::{step, CommandError, CommandResult};

/// Arguments of `peergroup similarity`.
#[derive(Args, Clone, Debug)]
pub struct SimilarityArgs {
    /// Exposures fund,date,factor,beta (from `peergroup style`; --sheet, --id-column,
    /// --date-column and --value-column name a vendor file's sheet and fund, date and
    /// beta columns).
    #[arg(long, value_name = "FILE")]
    pub exposures: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    /// Fit statistics fund,date,r2 (from `peergroup style --fit-out`; its fund and date
    /// columns are those of --id-column and --date-column): the R² of --measure s.
    #[arg(long, value_name = "FILE")]
    pub fit: Option<PathBuf>,
    /// R² column of --fit (default: r2).
    #[arg(long, value_name = "NAME", requires = "fit")]
    pub r2_column: Option<String>,
    #[command(flatten)]
    pub factors: FactorInputs,
    /// Residual returns fund,date,residual (from `peergroup style --residuals-out`; also
    /// id,date,value or wide) for --idio residual.
    #[arg(long, value_name = "FILE")]
    pub residuals: Option<PathBuf>,
    #[command(flatten)]
    pub max_return: MaxReturn,
    #[command(flatten)]
    pub settings: SimilaritySettings,
    /// Each fund's K most similar other funds, `date,fund,rank,peer,similarity`, computed
    /// row by row from the exposures and streamed out (memory: the exposures and one
    /// block; for universes too large for every pair); with --funds, only theirs.
    #[arg(long, value_name = "K", conflicts_with = "all_pairs")]
    pub top_k: Option<usize>,
    /// These funds against every other fund, `date,fund_a,fund_b,similarity`, computed
    /// from the exposures directly (comma-separated ids); with --top-k, their top K.
    #[arg(
        long,
        value_name = "ID,...",
        value_delimiter = ',',
        conflicts_with = "all_pairs"
    )]
    pub funds: Vec<String>,
    /// Write every pair even beyond 10,000 funds (50 million pairs per date); without it
    /// a larger universe asks for --top-k or --funds.
    #[arg(long)]
    pub all_pairs: bool,
    #[command(flatten)]
    pub output: OutputFile,
    /// Chart (.svg): heat map of the similarity on the reported date (the last with
    /// --all-dates), funds in the leaf order of the average-linkage dendrogram of 1 − S.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

impl SimilarityArgs {
    /// The --fit table: the fund and date columns of --exposures, and --r2-column.
    fn fit_source(&self, path: &Path) -> Source {
        Source::new(path).with_columns(ColumnNames {
            id: self.columns.id_column.clone(),
            date: self.columns.date_column.clone(),
            value: self.r2_column.clone(),
            category: None,
        })
    }
}

/// Attribute weights `NAME=W,...` as one command-line value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttributeWeights(pub Vec<(String, f64)>);

/// Parse `NAME=W,NAME=W`.
pub fn parse_weights(s: &str) -> Result<AttributeWeights, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (name, w) = p
                .split_once('=')
                .ok_or_else(|| format!("expected NAME=WEIGHT, got '{p}'"))?;
            let w: f64 = w
                .trim()
                .parse()
                .map_err(|_| format!("expected a number after '=' in '{p}'"))?;
            if !(w >= 0.0 && w.is_finite()) {
                return Err(format!(
                    "weights must be non-negative, got {w} for '{}'",
                    name.trim()
                ));
            }
            Ok((name.trim().to_string(), w))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(AttributeWeights)
}

/// Run `peergroup similarity`.
pub fn run(args: &SimilarityArgs) -> CommandResult {
    let settings = &args.settings;
    settings.dates()?;
    if settings.idio == Idio::Residual && args.residuals.is_none() {
        return Err(CommandError::usage(
            "--idio residual needs --residuals FILE",
        ));
    }
    match (settings.measure, &args.fit) {
        (Measure::S, None) => {
            return Err(CommandError::usage(
                "--measure s weights S* by each fund's R²: give --fit FILE (from style --fit-out)",
            ))
        }
        (Measure::SStar, Some(_)) => {
            return Err(CommandError::usage(
                "--fit gives the R² of --measure s; the default S* does not use it: add --measure s or leave out --fit",
            ))
        }
        _ => {}
    }
    if !args.factors.given() {
        return Err(CommandError::usage(FACTORS_NEEDED));
    }
    let selection = match (args.top_k, args.funds.is_empty()) {
        (Some(k), true) => PairSelection::TopK(k),
        (Some(k), false) => PairSelection::TopKOf(k, args.funds.clone()),
        (None, false) => PairSelection::Funds(args.funds.clone()),
        (None, true) => PairSelection::All,
    };
    if selection != PairSelection::All && args.chart.is_some() {
        return Err(CommandError::usage(
            "--chart draws the heat map of every pair; it does not go with --top-k or --funds",
        ));
    }
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    plan_chart(&mut outputs, args.chart.as_deref())?;
    let ex_source = args.columns.source(&args.exposures);
    let ex = read_exposures(&ex_source)?;
    let ex_name = ex_source.label();
    let attributes = args.factors.attributes()?;
    let sx = args
        .factors
        .similarity(attributes.as_ref(), &ex.factors.names)?;
    let r2 = args
        .fit
        .as_deref()
        .map(|p| read_fit_r2(&args.fit_source(p)))
        .transpose()?;
    let fit_name = args.fit.as_deref().map(name).unwrap_or_default();
    let residuals = match (&args.residuals, settings.idio) {
        (Some(path), Idio::Residual) => Some(read_residuals(path, args.max_return)?),
        _ => None,
    };
    let residuals_name = args.residuals.as_deref().map(name).unwrap_or_default();
    let inputs = similarity::SimilarityInputs {
        exposures: Named::new(&ex, &ex_name),
        r2: r2.as_ref().map(|m| Named::new(m, fit_name.as_str())),
        residuals: residuals
            .as_ref()
            .map(|p| Named::new(p, residuals_name.as_str())),
    };
    if selection != PairSelection::All {
        return write_rows(inputs, &sx, settings, selection, outputs, out);
    }
    let n = ex.funds.len();
    if n > ALL_PAIRS_LIMIT && !args.all_pairs {
        return Err(CommandError::usage(format!(
            "{n} funds make {} pairs per date: give --top-k K for each fund's K nearest peers, \
             --funds ID,... for chosen funds against all, or --all-pairs for every pair",
            thousands(n * (n - 1) / 2)
        )));
    }
    let pairs = step("computing similarities", || {
        similarity::similarity(inputs, &sx, settings)
    })?;
    outputs.write_table(out, &pairs.table)?;
    if let Some(p) = &args.chart {
        // The charted date's matrix, computed again: the table holds pairs, not matrices.
        let on = settings.date.or(ex.dates.last().copied());
        let one_date = SimilaritySettings {
            date: on,
            all_dates: false,
            ..*settings
        };
        let chart = step("charting", || {
            similarity::similarity_matrices(inputs, &sx, &one_date)
        })?
        .last()
        .map(|m| {
            let full = m.similarity.to_full();
            similarity_heatmap(&m.ids, &full.values, &format!("Similarity on {}", m.date))
        });
        if let Some(c) = chart {
            write_chart(&mut outputs, p, &c)?;
        }
    }
    outputs.commit()?;
    eprintln!(
        "{} pairs of up to {} funds on {} date(s); wrote {}",
        pairs.pairs,
        pairs.funds,
        pairs.dates,
        out.display()
    );
    Ok(())
}

/// Write the rows of a top-k or chosen-funds selection block by block, so the table is
/// never whole; an error part-way leaves no output.
fn write_rows(
    inputs: similarity::SimilarityInputs<'_>,
    sx: &peergroup_similarity::FactorSimilarity,
    settings: &SimilaritySettings,
    selection: PairSelection,
    mut outputs: peergroup_io::Outputs,
    out: &Path,
) -> CommandResult {
    let silent = peergroup_pipeline::Silent;
    let mut blocks = RowBlocks::new(inputs, sx, settings, selection.clone(), &silent)?;
    let failure = Mutex::new(None);
    step("computing similarities", || {
        let rows = blocks.by_ref().map_while(|b| match b {
            Ok(table) => Some(table),
            Err(e) => {
                *failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                None
            }
        });
        outputs.write_table_blocks(out, rows)
    })?;
    if let Some(e) = failure.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(e.into());
    }
    outputs.commit()?;
    let what = match selection {
        PairSelection::TopK(k) => format!("top {k} peers of every fund"),
        PairSelection::TopKOf(k, f) => format!("top {k} peers of {} funds", f.len()),
        _ => "chosen funds against every fund".to_string(),
    };
    eprintln!("{} rows ({what}); wrote {}", blocks.rows, out.display());
    Ok(())
}

/// Residual returns as `style --residuals-out` writes them (`fund,date,residual`), or as
/// any series file (`id,date,value|residual`, or wide).
fn read_residuals(
    path: &Path,
    max_return: MaxReturn,
) -> Result<peergroup_data::Panel, CommandError> {
    let options = series_options(false, false, max_return, &["residual", "value"]);
    let by_fund = Source::new(path).with_columns(ColumnNames {
        id: Some("fund".into()),
        ..ColumnNames::default()
    });
    match read_series(&by_fund, &options) {
        // no `fund` column: the other forms
        Err(e) if e.column.as_deref() == Some("fund") && e.message.contains("mapped as") => {
            Ok(read_series(path, &options)?)
        }
        other => Ok(other?),
    }
}

/// Arguments of `peergroup correlation`.
#[derive(Args, Clone, Debug)]
pub struct CorrelationArgs {
    #[command(flatten)]
    pub input: ReturnsInput,
    #[command(flatten)]
    pub settings: CorrelationSettings,
    #[command(flatten)]
    pub output: OutputFile,
    /// Chart (.svg): heat map of the correlations of the last window, funds in the leaf
    /// order of the average-linkage dendrogram of 1 − correlation.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

/// Run `peergroup correlation`.
pub fn run_correlation(args: &CorrelationArgs) -> CommandResult {
    let options = args.input.options(&["value"]);
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    plan_chart(&mut outputs, args.chart.as_deref())?;
    let panel = read_series(&args.input.source(), &options)?.to_returns();
    // Whole-input errors (too few series or dates) name the file.
    let name = args.input.name();
    let pairs =
        similarity::correlation(&panel, &args.settings).map_err(|e| e.in_file(name.clone()))?;
    outputs.write_table(out, &pairs.table)?;
    if let Some(p) = &args.chart {
        let last = similarity::last_correlation(&panel, &args.settings)
            .map_err(|e| e.in_file(name.clone()))?;
        let w = args.settings.window.unwrap_or(panel.n_dates());
        let title = format!("Correlation of the {w} returns to {}", last.date);
        let full = last.similarity.to_full();
        write_chart(
            &mut outputs,
            p,
            &similarity_heatmap(&last.ids, &full.values, &title),
        )?;
    }
    outputs.commit()?;
    eprintln!("{} pairs; wrote {}", pairs.pairs, out.display());
    Ok(())
}

/// Arguments of `peergroup peers`.
#[derive(Args, Clone, Debug)]
pub struct PeersArgs {
    /// Similarity table date,fund_a,fund_b,similarity (--date-column and --value-column
    /// name a vendor file's date and similarity columns).
    #[arg(long, value_name = "FILE")]
    pub similarity: PathBuf,
    /// The fund whose peers to list.
    #[arg(long, value_name = "ID")]
    pub fund: String,
    /// Fund categories id,category,... (adds peer_category and outside_category;
    /// --id-column names its fund id column; --sheet applies to both inputs).
    #[arg(long, alias = "meta", value_name = "FILE")]
    pub categories: Option<PathBuf>,
    #[command(flatten)]
    pub category: CategoryColumn,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub settings: PeersSettings,
    #[command(flatten)]
    pub output: OutputFile,
    /// Chart (.svg): the fund's peers as bars of similarity, most similar on top, peers
    /// of another category marked.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

/// Run `peergroup peers`.
pub fn run_peers(args: &PeersArgs) -> CommandResult {
    let out = &args.output.out;
    let mut outputs = args.output.plan()?;
    plan_chart(&mut outputs, args.chart.as_deref())?;
    let sim_source = args.columns.source(&args.similarity);
    // Only the fund's own pairs are read: a 50,000-fund table is never whole in memory.
    let pairs = step("reading the fund's similarities", || {
        read_fund_pairs(&sim_source, &args.fund, args.settings.date)
    })?;
    let meta = args
        .categories
        .as_deref()
        .map(|m| {
            let mut source = args.category.source(m, args.columns.sheet.as_deref());
            source.columns.id = args.columns.id_column.clone();
            read_metadata(&source, "id", &["category"])
        })
        .transpose()?;
    let (table, peers) = similarity::fund_peers(&pairs, meta.as_ref(), &args.settings);
    outputs.write_table(out, &table)?;
    if let Some(p) = &args.chart {
        write_chart(&mut outputs, p, &peers_chart(&args.fund, &peers))?;
    }
    outputs.commit()?;
    let outside = peers
        .iter()
        .filter(|p| p.outside_category == Some(true))
        .count();
    eprintln!(
        "{} peers of {} ({outside} outside its category); wrote {}",
        peers.len(),
        args.fund,
        out.display()
    );
    Ok(())
}
