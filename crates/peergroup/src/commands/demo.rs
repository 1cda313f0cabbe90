//! `peergroup demo`: every stage that exists, on bundled and synthetic data, gathered
//! into a run directory with tables, SVG charts and `index.html`.
//!
//! The run is built in a temporary sibling directory and moved into place at the end,
//! so an interrupted demo leaves nothing half-written. A directory from an earlier demo
//! (it holds the marker file `.peergroup-run`) is replaced; any other non-empty
//! directory needs `--force`.

use std::path::{Path, PathBuf};

use peergroup_cluster::linkage::{linkage_owned, Linkage};
use peergroup_cluster::validity::{adjusted_rand_index, normalized_mutual_info};
use peergroup_cluster::Fit;
use peergroup_data::{Date, IndustryTable, Panel, SeriesKind};
use peergroup_io::{
    read_industry, read_metadata, read_series, write_table, Format, SeriesOptions, Table,
};
use peergroup_report::{
    bar_chart, line_chart, render_html, stacked_area, BarChart, Block, LineChart, Report, Section,
    Series, StackedArea, XAxis,
};
use peergroup_report::{dendrogram, heatmap, scatter, Dendrogram, Heatmap, Scatter, ScatterPoint};
use peergroup_returns::{
    period_returns, rank_ytd, DropReason, Effects, Grouping, IndustryConfig, Period, Side,
};
use peergroup_similarity::{
    condensed_distance_from, correlation, rescaled_condensed, systematic_similarity_condensed,
    Attribute, ExposureScale, FactorSimilarity, MissingReturns,
};
use peergroup_style::{Constraints, Lambda, Method, StyleSpec};
// Ratings reuse the `rate` command's pipeline and tables.
use peergroup_synth::{industry as synth_industry, IndustrySynthConfig};
use peergroup_synth::{universe, UniverseConfig};

use super::industry::{compute, grouping, GroupBy};
use super::progress::step;
use super::synth::industry_tables;
use super::tables::{dropped_table, effects_table, periods_table, rank_table};
use super::{CommandError, CommandResult};

/// The bundled Kenneth French monthly returns (see `data/README.md`).
pub const FRENCH_MONTHLY_CSV: &str = include_str!("../../../../data/french_monthly_1949_2017.csv");

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

const MARKER: &str = ".peergroup-run";

/// A run directory being written.
struct Run {
    dir: PathBuf,
}

impl Run {
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn table(&self, rel: &str, t: &Table) -> CommandResult {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                CommandError::System(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        write_table(&p, Format::of(&p)?, t)
            .map_err(|e| CommandError::System(format!("cannot write {}: {e}", p.display())))
    }

    fn text(&self, rel: &str, s: &str) -> CommandResult {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                CommandError::System(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        std::fs::write(&p, s)
            .map_err(|e| CommandError::System(format!("cannot write {}: {e}", p.display())))
    }
}

/// `1234567` → `1,234,567`.
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.2}%", 100.0 * x)
    } else {
        String::new()
    }
}

/// Run the demo into `out`; returns the path of `index.html`.
pub fn run(out: &Path, force: bool) -> CommandResult<PathBuf> {
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
    std::fs::create_dir_all(&parent)
        .map_err(|e| CommandError::System(format!("cannot create {}: {e}", parent.display())))?;
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
    step("industry analytics on synthetic CAFCI-style data", || {
        industry_section(run, &mut report)
    })?;
    step("period returns of the French industry portfolios", || {
        french_section(run, &mut report)
    })?;
    step(
        "style analysis of the French size/value/momentum portfolios",
        || style_section(run, &mut report),
    )?;
    step("dynamic style analysis on a synthetic universe", || {
        dsa_section(run, &mut report)
    })?;
    step("fund similarity and peer groups", || {
        peer_group_section(run, &mut report)
    })?;
    step("risk/return ratings (AT-GARCH)", || {
        rating_section(run, &mut report)
    })?;
    step("segmentation of offices, funds and app investors", || {
        segmentation_section(run, &mut report)
    })?;
    let json =
        serde_json::to_string_pretty(&report).map_err(|e| CommandError::System(e.to_string()))?;
    run.text("report.json", &json)?;
    let html = render_html(&report, &peergroup_report::svg_file_loader(&run.dir));
    run.text("index.html", &html)?;
    Ok(())
}

/// Synthetic daily industry data → cleaning → class/fund/manager indices → YTD ranks.
fn industry_section(run: &Run, report: &mut Report) -> CommandResult {
    let synth = synth_industry(&IndustrySynthConfig {
        classes: 600,
        days: 500,
        seed: 7,
        ..Default::default()
    });
    let (data, classes, truth) = industry_tables(&synth);
    run.table("inputs/industry.csv", &data)?;
    run.table("inputs/classes.csv", &classes)?;
    run.table("inputs/truth_outliers.csv", &truth)?;

    // Read back through the same readers a user's files go through.
    let data_path = run.path("inputs/industry.csv");
    let meta_path = run.path("inputs/classes.csv");
    let table = read_industry(&data_path)?;
    let meta = read_metadata(&meta_path, "class_id", &["fund", "manager"])?;
    let cfg = IndustryConfig::default();
    let by = |g| {
        grouping(
            &table,
            "inputs/industry.csv",
            Some((&meta, "inputs/classes.csv")),
            g,
        )
    };
    let (class_fx, dropped) = compute(&table, &by(GroupBy::Class)?, &cfg);
    let (fund_fx, _) = compute(&table, &by(GroupBy::Fund)?, &cfg);
    let (mgr_fx, _) = compute(&table, &by(GroupBy::Manager)?, &cfg);
    run.table("industry_classes.csv", &effects_table(class_fx.clone()))?;
    run.table("industry_funds.csv", &effects_table(fund_fx.clone()))?;
    run.table("industry_managers.csv", &effects_table(mgr_fx.clone()))?;
    run.table("dropped.csv", &dropped_table(&table, &dropped))?;

    // YTD ranks of managers.
    let mgr_panel = effects_panel(&mgr_fx)?;
    let ranks = rank_ytd(&mgr_panel, 10, 10, false);
    run.table("manager_ranks.csv", &rank_table(mgr_panel.ids(), &ranks))?;

    let mut sec = Section {
        heading: "Industry analytics: synthetic CAFCI-style daily fund data".into(),
        blocks: Vec::new(),
    };
    let n_out = dropped
        .iter()
        .filter(|d| matches!(d.reason, DropReason::PriceOutlier { .. }))
        .count();
    let n_low = dropped.len() - n_out;
    let mut found: Vec<(u32, Date)> = dropped
        .iter()
        .filter(|d| matches!(d.reason, DropReason::PriceOutlier { .. }))
        .map(|d| (d.class as u32, d.date))
        .collect();
    found.sort();
    let hits = found
        .iter()
        .filter(|f| synth.outliers.binary_search(f).is_ok())
        .count();
    sec.blocks.push(Block::Paragraph {
        text: format!(
            "{} daily records of {} fund classes ({} funds, {} managers) over {} business days, generated by \"peergroup synth industry --classes 600 --days 500 --seed 7\" with {} injected bad prints. \
             For each class: price effect PE = (P_T − P_prev)·N_prev, subscription effect SE = A_T − A_prev − PE, daily return DR = PE / A_prev and total-return index TR = Π(1 + DR); \
             funds and managers sum PE and AUM over their classes.",
            thousands(table.n_records()),
            table.n_classes(),
            fund_fx.ids.len(),
            mgr_fx.ids.len(),
            class_fx.dates.iter().collect::<std::collections::BTreeSet<_>>().len(),
            synth.outliers.len()
        ),
    });
    sec.blocks.push(Block::Metrics {
        items: vec![
            ("records".into(), thousands(table.n_records())),
            ("dropped: AUM below 1,000,000".into(), thousands(n_low)),
            ("dropped: price outliers".into(), n_out.to_string()),
            (
                "injected bad prints found".into(),
                format!("{hits} of {}", synth.outliers.len()),
            ),
        ],
    });

    // Total-return index of the largest managers.
    let last_aum = |e: &Effects, g: usize| e.rows(g).last().map_or(0.0, |i| e.aum[i]);
    let mut order: Vec<usize> = (0..mgr_fx.ids.len()).collect();
    order.sort_by(|&a, &b| last_aum(&mgr_fx, b).total_cmp(&last_aum(&mgr_fx, a)));
    let series: Vec<Series> = order
        .iter()
        .take(8)
        .map(|&g| Series {
            name: mgr_fx.ids[g].clone(),
            points: mgr_fx
                .rows(g)
                .map(|i| (mgr_fx.dates[i].days() as f64, mgr_fx.total_return[i]))
                .collect(),
        })
        .collect();
    run.text(
        "manager_total_return.svg",
        &line_chart(&LineChart {
            title: "Total-return index of the 8 largest managers".into(),
            x_label: "date".into(),
            y_label: "total-return index (start = 1)".into(),
            x_axis: XAxis::Dates,
            log_y: false,
            series,
        }),
    )?;
    sec.blocks.push(Block::Chart {
        file: "manager_total_return.svg".into(),
        caption: "Managers' total-return indices after cleaning (largest 8 by latest AUM). Full table: industry_managers.csv.".into(),
    });

    // Leaders and laggards on the last date.
    let last = *mgr_panel.dates().last().expect("non-empty panel");
    let today: Vec<_> = ranks.iter().filter(|r| r.date == last).collect();
    let mut bars_l = Vec::new();
    let mut bars_v = Vec::new();
    let mut rows = Vec::new();
    for r in &today {
        bars_l.push(mgr_panel.ids()[r.id].clone());
        bars_v.push(100.0 * r.ytd);
        rows.push(vec![
            r.side.name().to_string(),
            r.rank.to_string(),
            mgr_panel.ids()[r.id].clone(),
            pct(r.ytd),
            r.max_rank.to_string(),
        ]);
    }
    run.text(
        "manager_ytd_leaders.svg",
        &bar_chart(&BarChart {
            title: format!("YTD return on {last}: top 10 and bottom 10 managers"),
            value_label: "YTD return (%)".into(),
            labels: bars_l,
            values: bars_v,
            horizontal: true,
        }),
    )?;
    sec.blocks.push(Block::Chart {
        file: "manager_ytd_leaders.svg".into(),
        caption: "Year-to-date leaders and laggards among managers on the last date.".into(),
    });
    sec.blocks.push(Block::Table {
        caption: format!(
            "YTD leaders and laggards on {last} (rank 1 = best; ties share the best rank). Every date: manager_ranks.csv."
        ),
        columns: vec!["list".into(), "rank".into(), "manager".into(), "YTD return".into(), "managers ranked".into()],
        rows,
        file: Some("manager_ranks.csv".into()),
    });
    let _ = Side::Top;

    // Dropped points, and what one bad print would have done.
    let mut drop_rows = Vec::new();
    for d in dropped
        .iter()
        .filter(|d| matches!(d.reason, DropReason::PriceOutlier { .. }))
        .take(15)
    {
        if let DropReason::PriceOutlier { price_move, z } = d.reason {
            let injected = synth
                .outliers
                .binary_search(&(d.class as u32, d.date))
                .is_ok();
            drop_rows.push(vec![
                table.classes()[d.class].clone(),
                d.date.to_string(),
                pct(price_move),
                format!("{z:.1}"),
                if injected { "yes" } else { "no" }.to_string(),
            ]);
        }
    }
    sec.blocks.push(Block::Table {
        caption: format!(
            "Price outliers removed: {n_out} (at most 15 shown). Rule: |move| > 10% and |move − day mean| / day sd > 10, move measured against the class's last kept price. {n_low} further points were dropped for AUM below 1,000,000. Full list: dropped.csv."
        ),
        columns: vec!["class".into(), "date".into(), "price move".into(), "z-score".into(), "injected?".into()],
        rows: drop_rows,
        file: Some("dropped.csv".into()),
    });
    if let Some(chart) = raw_vs_clean_chart(&table, &dropped, &class_fx) {
        run.text("outlier_effect.svg", &chart)?;
        sec.blocks.push(Block::Chart {
            file: "outlier_effect.svg".into(),
            caption: "One class with a removed bad print: its total-return index with and without the filters.".into(),
        });
    }
    report.sections.push(sec);
    Ok(())
}

/// The `daily_return` of effects as a returns panel (for ranking).
fn effects_panel(e: &Effects) -> CommandResult<Panel> {
    let mut b = peergroup_data::PanelBuilder::new(SeriesKind::Returns, 1.0);
    for g in 0..e.ids.len() {
        for i in e.rows(g) {
            if e.daily_return[i].is_finite() {
                b.push(
                    &e.ids[g],
                    e.dates[i],
                    e.daily_return[i],
                    peergroup_data::Position::Row(i as u64 + 1),
                    "daily_return",
                )?;
            }
        }
    }
    Ok(b.build()?)
}

fn raw_vs_clean_chart(
    table: &IndustryTable,
    dropped: &[peergroup_returns::Dropped],
    clean: &Effects,
) -> Option<String> {
    let d = dropped
        .iter()
        .find(|d| matches!(d.reason, DropReason::PriceOutlier { .. }))?;
    let c = d.class;
    let raw_cfg = IndustryConfig {
        min_aum: 0.0,
        max_move: f64::INFINITY,
        ..Default::default()
    };
    let one = Grouping {
        names: vec![table.classes()[c].clone()],
        members: vec![vec![c]],
    };
    let (raw, _) = compute(table, &one, &raw_cfg);
    let pts = |e: &Effects, g: usize| -> Vec<(f64, f64)> {
        e.rows(g)
            .map(|i| (e.dates[i].days() as f64, e.total_return[i]))
            .collect()
    };
    Some(line_chart(&LineChart {
        title: format!("Class {}: bad print on {}", table.classes()[c], d.date),
        x_label: "date".into(),
        y_label: "total-return index".into(),
        x_axis: XAxis::Dates,
        log_y: false,
        series: vec![
            Series {
                name: "raw (no filters)".into(),
                points: pts(&raw, 0),
            },
            Series {
                name: "cleaned".into(),
                points: pts(clean, c),
            },
        ],
    }))
}

/// Calendar-year and trailing returns of the 12 French industry portfolios.
fn french_section(run: &Run, report: &mut Report) -> CommandResult {
    run.text("inputs/french_monthly_1949_2017.csv", FRENCH_MONTHLY_CSV)?;
    let all = read_series(
        &run.path("inputs/french_monthly_1949_2017.csv"),
        &SeriesOptions::default(),
    )?;
    let industries = select_ids(&all, &FRENCH_INDUSTRIES)?;
    let periods = period_returns(&industries, &[1, 3, 5, 10]);
    run.table(
        "french_industry_periods.csv",
        &periods_table(industries.ids(), &periods),
    )?;

    let series: Vec<Series> = (0..industries.n_ids())
        .map(|i| Series {
            name: industries.ids()[i].clone(),
            points: industries
                .levels(i)
                .into_iter()
                .map(|(d, l)| (d.days() as f64, l))
                .collect(),
        })
        .collect();
    run.text(
        "french_industries_growth.svg",
        &line_chart(&LineChart {
            title: "Growth of 1 in the 12 Fama-French industry portfolios, 1949–2017".into(),
            x_label: "date".into(),
            y_label: "wealth (log scale)".into(),
            x_axis: XAxis::Dates,
            log_y: true,
            series,
        }),
    )?;
    let last_year = periods
        .iter()
        .filter_map(|p| {
            if let Period::Year(y) = p.period {
                Some(y)
            } else {
                None
            }
        })
        .max()
        .unwrap_or(0);
    let wanted = [
        Period::Year(last_year - 2),
        Period::Year(last_year - 1),
        Period::Year(last_year),
        Period::Ytd,
        Period::Trailing(1),
        Period::Trailing(3),
        Period::Trailing(5),
        Period::Trailing(10),
    ];
    let mut rows = Vec::new();
    for i in 0..industries.n_ids() {
        let mut row = vec![industries.ids()[i].clone()];
        for w in &wanted {
            row.push(
                periods
                    .iter()
                    .find(|p| p.id == i && p.period == *w)
                    .map_or(String::new(), |p| pct(p.value)),
            );
        }
        rows.push(row);
    }
    let mut columns = vec!["industry".to_string()];
    columns.extend(wanted.iter().map(|w| match w {
        Period::Trailing(n) => format!("{n}Y ann."),
        other => other.to_string(),
    }));
    report.sections.push(Section {
        heading: "Period returns: Fama-French 12 industry portfolios (bundled data)".into(),
        blocks: vec![
            Block::Paragraph {
                text: format!(
                    "Monthly returns of Kenneth French's 12 industry portfolios, {} to {}. Calendar years need a level at both year ends; YTD runs from the last year end to {}; trailing returns are annualised.",
                    industries.dates()[0],
                    industries.dates()[industries.n_dates() - 1],
                    industries.dates()[industries.n_dates() - 1]
                ),
            },
            Block::Chart {
                file: "french_industries_growth.svg".into(),
                caption: "Cumulative wealth of each industry portfolio (log scale).".into(),
            },
            Block::Table {
                caption: "Recent calendar years, YTD and trailing annualised returns. Every year: french_industry_periods.csv.".into(),
                columns,
                rows,
                file: Some("french_industry_periods.csv".into()),
            },
        ],
    });
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

/// Rolling 36-month Sharpe style analysis of the 18 size/value/momentum portfolios on the
/// 12 industry portfolios.
fn style_section(run: &Run, report: &mut Report) -> CommandResult {
    let all = read_series(
        &run.path("inputs/french_monthly_1949_2017.csv"),
        &SeriesOptions::default(),
    )?;
    let factors = select_ids(&all, &FRENCH_INDUSTRIES)?;
    let funds = select_ids(&all, &FRENCH_PORTFOLIOS)?;
    let aligned = super::style::Aligned { funds, factors };
    let spec = |window| sharpe_spec(window, 12.0);
    let rolling = super::style::run_aligned(&aligned, &spec(Some(36)))?;
    let whole = super::style::run_aligned(&aligned, &spec(None))?;
    run.table(
        "french_style_exposures.csv",
        &super::style::exposures_table(&aligned, &rolling, false),
    )?;
    run.table(
        "french_style_fit.csv",
        &super::style::fit_table(&aligned, &rolling),
    )?;
    run.table(
        "french_style_whole_sample.csv",
        &super::style::exposures_table(&aligned, &whole, false),
    )?;
    let n = rolling.n_factors;
    let names = aligned.factors.ids();
    let mut blocks = vec![Block::Paragraph {
        text: format!(
            "Sharpe (1992) style analysis: each size/value (S1V1 = small stocks with low book-to-market, i.e. growth … S5V5 = big stocks with high book-to-market, i.e. value) and size/momentum (M1 = losers … M5 = winners) portfolio \
             is explained by the 12 industry portfolios with exposures that are long-only and sum to one, in rolling 36-month windows dated at their last month \
             ({} windows per portfolio, solved exactly by an active-set method with warm starts). The whole-sample table shows each portfolio's three largest exposures (those of at least 0.5%).",
            rolling.fits.len() / aligned.funds.n_ids()
        ),
    }];
    let mut rows = Vec::new();
    for (row, fit) in whole.fits.iter().enumerate() {
        let b = &whole.betas[row * n..(row + 1) * n];
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &c| b[c].total_cmp(&b[a]));
        let top: Vec<String> = order
            .iter()
            .filter(|&&k| b[k] >= 0.005)
            .take(3)
            .map(|&k| format!("{} {:.0}%", names[k], 100.0 * b[k]))
            .collect();
        rows.push(vec![
            aligned.funds.ids()[fit.fund].clone(),
            top.join(", "),
            format!("{:.3}", fit.r2),
            pct(fit.tracking_error),
        ]);
    }
    blocks.push(Block::Table {
        caption: "Whole-sample exposures (1949–2017). Every window: french_style_exposures.csv; fit statistics: french_style_fit.csv.".into(),
        columns: vec!["portfolio".into(), "largest exposures".into(), "R²".into(), "tracking error (ann.)".into()],
        rows,
        file: Some("french_style_whole_sample.csv".into()),
    });
    for (i, fund) in aligned.funds.ids().iter().enumerate() {
        let rows: Vec<usize> = (0..rolling.exposures.len())
            .filter(|&r| rolling.exposures[r].fund == i)
            .collect();
        let x: Vec<f64> = rows
            .iter()
            .map(|&r| aligned.factors.dates()[rolling.exposures[r].t].days() as f64)
            .collect();
        let layers: Vec<(String, Vec<f64>)> = (0..n)
            .map(|k| {
                (
                    names[k].clone(),
                    rows.iter().map(|&r| rolling.betas[r * n + k]).collect(),
                )
            })
            .collect();
        let file = format!("style/{fund}.svg");
        run.text(
            &file,
            &stacked_area(&StackedArea {
                title: format!("{fund}: industry exposures, rolling 36 months"),
                x_axis: XAxis::Dates,
                x,
                layers,
                y_label: "exposure (sums to 1)".into(),
            }),
        )?;
        blocks.push(Block::Chart {
            file,
            caption: format!("{fund}: style exposures over time."),
        });
    }
    report.sections.push(Section {
        heading:
            "Returns-based style analysis: French size/value/momentum portfolios on 12 industries"
                .into(),
        blocks,
    });
    Ok(())
}

/// On a synthetic universe whose funds drift and switch style, dynamic style analysis
/// against 52-week rolling Sharpe windows, both scored against the true exposures.
fn dsa_section(run: &Run, report: &mut Report) -> CommandResult {
    let u = universe(&UniverseConfig {
        funds: 24,
        factors: 8,
        periods: 260,
        groups: 4,
        dynamic: true,
        seed: 3,
        r2: (0.85, 0.95),
        ..Default::default()
    });
    let (funds, factors) = write_universe(run, &u, true, "universe")?;
    let aligned = super::style::align(
        &funds,
        &factors,
        "funds.csv",
        "factors.csv",
        53,
        "a window of 52 observations",
    )?;
    let base = sharpe_spec(Some(52), 52.0);
    let rolling = super::style::run_aligned(&aligned, &base)?;
    let dynamic = super::style::run_aligned(
        &aligned,
        &StyleSpec {
            method: Method::Dsa,
            window: None,
            ..base
        },
    )?;
    run.table(
        "dsa_exposures.csv",
        &super::style::exposures_table(&aligned, &dynamic, false),
    )?;
    run.table("dsa_fit.csv", &super::style::fit_table(&aligned, &dynamic))?;
    let k = u.n_factors();
    let t = u.periods();
    // mean absolute error against the truth on the dates both cover
    let (mut e_roll, mut e_dsa, mut cells) = (0.0, 0.0, 0usize);
    for (row, e) in rolling.exposures.iter().enumerate() {
        let drow = e.fund * t + e.t; // DSA reports every date of every fund, in order
        for j in 0..k {
            let truth = u.true_betas[(e.fund * t + e.t) * k + j];
            e_roll += (rolling.betas[row * k + j] - truth).abs();
            e_dsa += (dynamic.betas[drow * k + j] - truth).abs();
            cells += 1;
        }
    }
    let (e_roll, e_dsa) = (e_roll / cells as f64, e_dsa / cells as f64);
    let mut blocks = vec![
        Block::Paragraph {
            text: "A synthetic universe (peergroup synth universe --funds 24 --factors 8 --periods 260 --groups 4 --r2 0.85,0.95 --dynamic --seed 3): exposures drift, and some funds switch style. \
                   Rolling windows report a moving average of past exposures, late and blurred; dynamic style analysis estimates the exposure at each date, with its smoothness λ \
                   chosen by leave-one-year-out predicted R²."
                .into(),
        },
        Block::Metrics {
            items: vec![
                ("mean |error| rolling 52w Sharpe".into(), format!("{e_roll:.4}")),
                ("mean |error| dynamic (DSA)".into(), format!("{e_dsa:.4}")),
                ("median λ chosen".into(), {
                    let mut l: Vec<f64> = dynamic.fits.iter().map(|f| f.lambda).collect();
                    l.sort_by(f64::total_cmp);
                    format!("{:.3e}", l[l.len() / 2])
                }),
            ],
        },
    ];
    // the first fund that switches style: truth, DSA and rolling for its two largest moves
    if let Some(i) = u.switches.iter().position(|s| s.is_some()) {
        let moves: Vec<(usize, f64)> = (0..k)
            .map(|j| {
                (
                    j,
                    (u.true_betas[(i * t + t - 1) * k + j] - u.true_betas[i * t * k + j]).abs(),
                )
            })
            .collect();
        let mut moves = moves;
        moves.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut series = Vec::new();
        for &(j, _) in moves.iter().take(2) {
            let name = &u.factor_names[j];
            series.push(Series {
                name: format!("{name} true"),
                points: (0..t)
                    .map(|s| (u.dates[s].days() as f64, u.true_betas[(i * t + s) * k + j]))
                    .collect(),
            });
            series.push(Series {
                name: format!("{name} DSA"),
                points: (0..t)
                    .map(|s| (u.dates[s].days() as f64, dynamic.betas[(i * t + s) * k + j]))
                    .collect(),
            });
            series.push(Series {
                name: format!("{name} rolling 52w"),
                points: rolling
                    .exposures
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.fund == i)
                    .map(|(r, e)| (u.dates[e.t].days() as f64, rolling.betas[r * k + j]))
                    .collect(),
            });
        }
        run.text(
            "dsa_vs_rolling.svg",
            &line_chart(&LineChart {
                title: format!(
                    "{}: a style switch, true vs estimated exposures",
                    u.fund_names[i]
                ),
                x_label: "date".into(),
                y_label: "exposure".into(),
                x_axis: XAxis::Dates,
                log_y: false,
                series,
            }),
        )?;
        blocks.push(Block::Chart {
            file: "dsa_vs_rolling.svg".into(),
            caption: "The two exposures that change most for a fund that switches style.".into(),
        });
    }
    report.sections.push(Section {
        heading: "Dynamic style analysis vs rolling windows (synthetic truth)".into(),
        blocks,
    });
    Ok(())
}

/// Factor-aware similarity and peer groups: the French portfolios (factor similarity =
/// industry return correlation clipped to [0, 1]) and a synthetic universe with truth.
fn peer_group_section(run: &Run, report: &mut Report) -> CommandResult {
    let all = read_series(
        &run.path("inputs/french_monthly_1949_2017.csv"),
        &SeriesOptions::default(),
    )?;
    let factors = select_ids(&all, &FRENCH_INDUSTRIES)?;
    let funds = select_ids(&all, &FRENCH_PORTFOLIOS)?;
    let aligned = super::style::Aligned { funds, factors };
    let spec = sharpe_spec(None, 12.0);
    let whole = super::style::run_aligned(&aligned, &spec)?;
    let (n, k, t) = (
        aligned.funds.n_ids(),
        aligned.factors.n_ids(),
        aligned.factors.n_dates(),
    );
    let fx: Vec<f64> = (0..k)
        .flat_map(|j| aligned.factors.series(j).to_vec())
        .collect();
    let industry_corr = correlation(&fx, k, t, 24, MissingReturns::CommonDates)?;
    let mut sx_values: Vec<f64> = industry_corr
        .values
        .iter()
        .map(|v| v.clamp(0.0, 1.0))
        .collect();
    for i in 0..k {
        sx_values[i * k + i] = 1.0;
    }
    let sx = FactorSimilarity::from_matrix(aligned.factors.ids().to_vec(), sx_values)?;
    let s_star = rescaled_condensed(&systematic_similarity_condensed(
        &whole.betas,
        n,
        &sx,
        ExposureScale::Raw,
    )?);
    let fund_x: Vec<f64> = (0..n)
        .flat_map(|i| aligned.funds.series(i).to_vec())
        .collect();
    let fund_corr = correlation(&fund_x, n, t, 24, MissingReturns::CommonDates)?.to_condensed();
    let names = aligned.funds.ids().to_vec();
    let tree = linkage_owned(condensed_distance_from(&s_star), n, Linkage::Average)?;
    let order = tree.leaf_order();
    run.text(
        "french_similarity_dendrogram.svg",
        &dendrogram(&Dendrogram {
            title: "French portfolios: average linkage on 1 − S* (factor-aware similarity)".into(),
            labels: names.clone(),
            merges: tree
                .merges
                .iter()
                .map(|m| (m.left, m.right, m.height, m.size))
                .collect(),
            y_label: "1 − S*".into(),
        }),
    )?;
    let full = s_star.to_full();
    let mut cells = Vec::with_capacity(n * n);
    for &i in &order {
        for &j in &order {
            cells.push(full.get(i, j));
        }
    }
    let ordered: Vec<String> = order.iter().map(|&i| names[i].clone()).collect();
    let lo = cells.iter().copied().fold(f64::INFINITY, f64::min);
    run.text(
        "french_similarity_heatmap.svg",
        &heatmap(&Heatmap {
            title: "Similarity S* of the French portfolios (dendrogram order)".into(),
            row_labels: ordered.clone(),
            col_labels: ordered,
            values: cells,
            min: lo,
            max: 1.0,
        }),
    )?;
    let mut points = Vec::new();
    let mut idx = 0;
    for i in 0..n {
        for j in i + 1..n {
            let family = |x: &str| {
                if x.contains('V') {
                    "size/value"
                } else {
                    "size/momentum"
                }
            };
            let group = if family(&names[i]) == family(&names[j]) {
                format!("both {}", family(&names[i]))
            } else {
                "one of each".to_string()
            };
            points.push(ScatterPoint {
                x: fund_corr.upper[idx],
                y: s_star.upper[idx],
                group,
                label: None,
            });
            idx += 1;
        }
    }
    run.text(
        "french_correlation_vs_similarity.svg",
        &scatter(&Scatter {
            title: "Pairs of portfolios: return correlation vs factor-aware similarity".into(),
            x_label: "correlation of returns".into(),
            y_label: "similarity S*".into(),
            points,
        }),
    )?;
    let tab_pairs = {
        let mut d = Vec::new();
        let mut idx = 0;
        let mut codes_a = Vec::new();
        let mut codes_b = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                codes_a.push(i as u32);
                codes_b.push(j as u32);
                d.push((s_star.upper[idx], fund_corr.upper[idx]));
                idx += 1;
            }
        }
        Table::new()
            .with(
                "fund_a",
                peergroup_io::Column::Key {
                    codes: codes_a,
                    names: names.clone(),
                },
            )
            .with(
                "fund_b",
                peergroup_io::Column::Key {
                    codes: codes_b,
                    names: names.clone(),
                },
            )
            .with(
                "similarity",
                peergroup_io::Column::F64(d.iter().map(|x| x.0).collect()),
            )
            .with(
                "correlation",
                peergroup_io::Column::F64(d.iter().map(|x| x.1).collect()),
            )
    };
    run.table("french_similarity_pairs.csv", &tab_pairs)?;

    // synthetic universe with truth: similarity vs correlation peer groups
    let u = universe(&UniverseConfig {
        funds: 120,
        factors: 12,
        periods: 156,
        groups: 6,
        seed: 12,
        r2: (0.3, 0.8),
        ..Default::default()
    });
    let (ufunds, ufactors) = write_universe(run, &u, false, "peer_universe")?;
    let ua = super::style::align(
        &ufunds,
        &ufactors,
        "funds.csv",
        "factors.csv",
        13,
        "a fit on 12 factors",
    )?;
    let ustyle = super::style::run_aligned(
        &ua,
        &StyleSpec {
            periods_per_year: 52.0,
            ..spec
        },
    )?;
    let un = u.n_funds();
    let attributes: Vec<Attribute> = u
        .attribute_columns()
        .into_iter()
        .map(|(name, labels)| Attribute {
            name: name.into(),
            labels,
            cross: Vec::new(),
        })
        .collect();
    let usx = FactorSimilarity::from_attributes(&u.factor_names, &attributes, None)?;
    let us = rescaled_condensed(&systematic_similarity_condensed(
        &ustyle.betas,
        un,
        &usx,
        ExposureScale::Raw,
    )?);
    let ucorr = correlation(
        &u.fund_returns,
        un,
        u.periods(),
        24,
        MissingReturns::CommonDates,
    )?
    .to_condensed();
    let g = 6;
    let by_sim = linkage_owned(condensed_distance_from(&us), un, Linkage::Average)?.cut_k(g)?;
    let by_corr = linkage_owned(condensed_distance_from(&ucorr), un, Linkage::Average)?.cut_k(g)?;
    let mut cat_names: Vec<String> = Vec::new();
    let cats: Vec<usize> = u
        .category
        .iter()
        .map(|c| match cat_names.iter().position(|x| x == c) {
            Some(i) => i,
            None => {
                cat_names.push(c.clone());
                cat_names.len() - 1
            }
        })
        .collect();
    let rows = vec![
        vec![
            "factor-aware similarity S*".to_string(),
            format!("{:.3}", adjusted_rand_index(&by_sim, &u.true_group)?),
            format!("{:.3}", normalized_mutual_info(&by_sim, &u.true_group)?),
        ],
        vec![
            "correlation of returns".to_string(),
            format!("{:.3}", adjusted_rand_index(&by_corr, &u.true_group)?),
            format!("{:.3}", normalized_mutual_info(&by_corr, &u.true_group)?),
        ],
        vec![
            "vendor categories".to_string(),
            format!("{:.3}", adjusted_rand_index(&cats, &u.true_group)?),
            format!("{:.3}", normalized_mutual_info(&cats, &u.true_group)?),
        ],
    ];
    let coords =
        peergroup_cluster::embed::classical_mds(&condensed_distance_from(&us), un, 4, 1).coords;
    let sel = peergroup_cluster::gmm::GmmSearch::new(1..=9, &peergroup_cluster::gmm::CovModel::ALL)
        .seed(1)
        .fit(peergroup_cluster::MatRef::new(&coords, un, 4)?)?;
    report.sections.push(Section {
        heading: "Fund similarity and peer groups (Fragkiskos & Bauman)".into(),
        blocks: vec![
            Block::Paragraph {
                text: "Factor-aware similarity (Fragkiskos & Bauman): S_SYST(A, B) = Σ_i Σ_j max(0, 1 − |β^A_i − β^B_j|)·S_X(i, j) over all factor pairs, rescaled like a correlation \
                       (S* = S_SYST(A, B)/√(S_SYST(A, A)·S_SYST(B, B))). For the French portfolios the factor similarity S_X is the industries' return correlation clipped to [0, 1]; \
                       exposures are the whole-sample Sharpe fits above. Peer groups are average-linkage clusters of 1 − S*."
                    .into(),
            },
            Block::Chart { file: "french_similarity_dendrogram.svg".into(), caption: "Size/value and size/momentum portfolios grouped by what they hold, not by how their returns co-move.".into() },
            Block::Chart { file: "french_similarity_heatmap.svg".into(), caption: "Pairwise similarity in dendrogram order.".into() },
            Block::Chart {
                file: "french_correlation_vs_similarity.svg".into(),
                caption: "Every pair of portfolios: similar returns need not mean similar exposures. Table: french_similarity_pairs.csv.".into(),
            },
            Block::Paragraph {
                text: format!(
                    "A synthetic universe (120 funds, 12 factors, 6 true groups, fund R² between 0.3 and 0.8: peergroup synth universe --funds 120 --factors 12 --periods 156 --groups 6 --r2 0.3,0.8 --seed 12) where noisy funds with the same \
                     exposures correlate weakly. Peer groups with 6 clusters against the true groups; Gaussian mixtures on a 4-dimensional MDS embedding of 1 − S* choose k = {} \
                     ({}) by BIC.",
                    sel.best.k,
                    sel.best.model.name()
                ),
            },
            Block::Table {
                caption: "Agreement with the true groups (ARI: 1 = identical, 0 = chance).".into(),
                columns: vec!["grouping".into(), "ARI".into(), "NMI".into()],
                rows,
                file: None,
            },
            Block::Notes {
                items: vec![
                    "S = R²_A·R²_B·S* (eq. 9) weights similarity by model fit. When R² varies across funds more than S* varies between groups, hierarchical clusters of S follow R² \
                     rather than style; cluster S* (peergroup similarity without --fit) and use S to rank peers."
                        .into(),
                ],
            },
        ],
    });
    Ok(())
}

/// Rows of the ratings table shown on the page: fund, stars, classes, gain, risks, δ, note.
fn rating_rows(rows: &[super::rate::FundRating], show: usize) -> Vec<Vec<String>> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    // Best stars first, then higher gain.
    order.sort_by(|&a, &b| {
        let sa = rows[a].class.map_or(0, |c| c.2);
        let sb = rows[b].class.map_or(0, |c| c.2);
        sb.cmp(&sa).then(rows[b].gain.total_cmp(&rows[a].gain))
    });
    order
        .into_iter()
        .take(show)
        .map(|i| {
            let r = &rows[i];
            let (g, k, st) = r
                .class
                .map_or((String::new(), String::new(), String::new()), |c| {
                    (
                        c.0.as_str().into(),
                        c.1.as_str().into(),
                        "★".repeat(c.2 as usize),
                    )
                });
            vec![
                r.fund.clone(),
                st,
                g,
                k,
                pct(r.gain),
                format!("{:.3}", r.risk),
                format!("{:.2e}", r.rated.risk.v_min),
                format!("{:.2e}", r.rated.risk.v_standard),
                format!("{:.2e}", r.rated.risk.v_turmoil),
                format!("{:.3}", r.rated.fit.params.delta),
                r.note.clone(),
            ]
        })
        .collect()
}

fn rating_columns() -> Vec<String> {
    [
        "fund",
        "stars",
        "gain",
        "risk",
        "mean yearly return",
        "risk score",
        "v_min",
        "v_standard",
        "v_turmoil",
        "δ",
        "note",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Lisi & Otranto ratings of the French portfolios (monthly) and a synthetic daily universe.
fn rating_section(run: &Run, report: &mut Report) -> CommandResult {
    use peergroup_rating::garch::FitOptions;
    let options = FitOptions::default();
    // Monthly: the 12 industries and 18 size/value/momentum portfolios, 1949–2017.
    let all = read_series(
        &run.path("inputs/french_monthly_1949_2017.csv"),
        &SeriesOptions::default(),
    )?;
    let mut ids: Vec<&str> = FRENCH_INDUSTRIES.to_vec();
    ids.extend(FRENCH_PORTFOLIOS);
    let monthly = select_ids(&all, &ids)?;
    let mut wide = Table::new().with("date", peergroup_io::Column::Date(monthly.dates().to_vec()));
    for (i, id) in monthly.ids().iter().enumerate() {
        wide.push(id, peergroup_io::Column::F64(monthly.series(i).to_vec()));
    }
    run.table("inputs/french_portfolios_monthly.csv", &wide)?;
    let french =
        super::rate::rate_panel(&monthly, "french_monthly_1949_2017.csv", &options, false)?;
    run.table("french_ratings.csv", &super::rate::ratings_table(&french))?;
    run.text(
        "french_ratings.svg",
        &super::rate::ratings_chart(
            &french,
            "French portfolios 1949–2017: gain vs AT-GARCH risk",
        ),
    )?;

    // Daily: a synthetic universe with known parameters.
    let config = peergroup_synth::GarchConfig {
        funds: 60,
        periods: 1600,
        seed: 7,
        ..Default::default()
    };
    let synth = peergroup_synth::garch_universe(&config);
    let (returns, truth) = super::synth::garch_tables(&synth);
    run.table("inputs/garch/returns.csv", &returns)?;
    run.table("inputs/garch/truth.csv", &truth)?;
    let daily = read_series(
        &run.path("inputs/garch/returns.csv"),
        &SeriesOptions::default(),
    )?;
    let rated = super::rate::rate_panel(&daily, "inputs/garch/returns.csv", &options, false)?;
    run.table("garch_ratings.csv", &super::rate::ratings_table(&rated))?;
    run.text(
        "garch_ratings.svg",
        &super::rate::ratings_chart(&rated, "Synthetic daily funds: gain vs AT-GARCH risk"),
    )?;
    // How often the t-tests keep the terms the truth has.
    let mut recovery = Vec::new();
    for kind in [
        peergroup_synth::GarchKind::AtGarch,
        peergroup_synth::GarchKind::Garch,
        peergroup_synth::GarchKind::NoArch,
    ] {
        let of_kind: Vec<usize> = (0..synth.funds.len())
            .filter(|&i| synth.funds[i].kind == kind)
            .collect();
        let share = |f: &dyn Fn(&peergroup_rating::GarchFit) -> bool| {
            let hits = of_kind.iter().filter(|&&i| f(&rated[i].rated.fit)).count();
            format!("{hits} of {}", of_kind.len())
        };
        recovery.push(vec![
            kind.as_str().to_string(),
            share(&|f| f.params.alpha > 0.0 || f.params.delta > 0.0),
            share(&|f| f.params.delta != 0.0),
            share(&|f| f.converged),
        ]);
    }
    let stars = |rows: &[super::rate::FundRating]| {
        let mut c = [0usize; 5];
        for r in rows {
            if let Some((_, _, s)) = r.class {
                c[s as usize - 1] += 1;
            }
        }
        c.map(|v| v.to_string()).join(" / ")
    };
    report.sections.push(Section {
        heading: "Risk/return ratings: AT-GARCH risk and 1–5 stars (Lisi & Otranto)".into(),
        blocks: vec![
            Block::Paragraph {
                text: "Each fund's gain is its mean calendar-year return. Its risk comes from an asymmetric threshold GARCH(1,1), h_t = γ + α ε²_{t−1} + β h_{t−1} + δ S_{t−1} ε²_{t−1} with S = 1 for shocks in the first decile, fitted by Gaussian QMLE; α, β or δ not significant at 5% (robust t-test) are set to 0 and the model re-estimated. Unrolling h_t splits the risk into a constant minimum v_min = γ/(1−β), a time-varying standard part (α-term) and a turmoil part (δ-term). The risk score is the mean of the three standardised across funds; gain and risk score are each cut into low/medium/high by average linkage and combined into stars: 5 = high gain and low risk, 1 = low gain and high risk."
                    .into(),
            },
            Block::Paragraph {
                text: format!(
                    "Bundled data: the 12 industry and 18 size/value/momentum portfolios of Kenneth French, monthly 1949–2017 (peergroup rate --series inputs/french_portfolios_monthly.csv). Stars 1/2/3/4/5: {}. Monthly data are short for GARCH: 828 returns where the method was designed for about 1,600 daily ones, and monthly volatility clusters less, so many portfolios keep only part of the model (see the notes column) and the rating leans on the gain.",
                    stars(&french)
                ),
            },
            Block::Chart {
                file: "french_ratings.svg".into(),
                caption: "Gain against risk score, coloured by stars. Table: french_ratings.csv.".into(),
            },
            Block::Table {
                caption: "French portfolios by stars (first 12).".into(),
                columns: rating_columns(),
                rows: rating_rows(&french, 12),
                file: Some("french_ratings.csv".into()),
            },
            Block::Paragraph {
                text: format!(
                    "A synthetic daily universe with known parameters: 60 funds × 1,600 business days (peergroup synth garch --funds 60 --periods 1600 --seed 7), half with a turmoil term, 30% symmetric GARCH and 20% with constant variance. Stars 1/2/3/4/5: {}.",
                    stars(&rated)
                ),
            },
            Block::Chart {
                file: "garch_ratings.svg".into(),
                caption: "Synthetic funds: gain against risk score, coloured by stars. Table: garch_ratings.csv; truth: inputs/garch/truth.csv.".into(),
            },
            Block::Table {
                caption: "What the t-tests keep, by true kind of fund.".into(),
                columns: vec![
                    "true kind".into(),
                    "some ARCH term kept".into(),
                    "turmoil term δ kept".into(),
                    "converged".into(),
                ],
                rows: recovery,
                file: None,
            },
            Block::Table {
                caption: "Synthetic funds by stars (first 12).".into(),
                columns: rating_columns(),
                rows: rating_rows(&rated, 12),
                file: Some("garch_ratings.csv".into()),
            },
            Block::Notes {
                items: vec![
                    "Average linkage on one dimension isolates extreme funds: a gain or risk class can hold one or two outliers while most funds share another class, so the stars are unbalanced and depend on the extremes of the universe rated (adding or removing one fund can move other funds' stars). That is the method as published; a different cut (e.g. terciles) would spread the stars more evenly."
                        .into(),
                ],
            },
        ],
    });
    Ok(())
}

/// Columns of a CSV the demo wrote, by name.
fn read_columns(run: &Run, rel: &str, columns: &[&str]) -> CommandResult<Vec<Vec<String>>> {
    Ok(peergroup_io::read_text_table(&run.path(rel), columns)?
        .into_iter()
        .map(|(cells, _)| cells)
        .collect())
}

/// ARI of a label column of `assignments` against `truth(id)`.
fn agreement(rows: &[Vec<String>], truth: impl Fn(&str) -> Option<String>) -> CommandResult<f64> {
    let code = |v: String, names: &mut Vec<String>| match names.iter().position(|n| *n == v) {
        Some(c) => c,
        None => {
            names.push(v);
            names.len() - 1
        }
    };
    let (mut a, mut b, mut na, mut nb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        if let Some(t) = truth(&r[0]) {
            a.push(code(r[1].clone(), &mut na));
            b.push(code(t, &mut nb));
        }
    }
    Ok(peergroup_cluster::validity::adjusted_rand_index(&a, &b)?)
}

/// Sales-flow segments of offices and funds, and investor segments, on synthetic data.
fn segmentation_section(run: &Run, report: &mut Report) -> CommandResult {
    use super::segment::{
        run_investors, run_sales, FeatureSet, KArg, SegDistance, SegMethod, SegmentInvestorsArgs,
        SegmentSalesArgs,
    };
    use peergroup_cluster::select::KRule;
    use peergroup_segment::sales::Entity;
    use peergroup_segment::transform::Transform;

    let sales = peergroup_synth::sales(&peergroup_synth::SalesConfig {
        offices: 400,
        funds: 120,
        months: 24,
        seed: 1,
        ..Default::default()
    });
    let names = ["sales.csv", "funds.csv", "truth.csv", "fund_truth.csv"];
    for (n, t) in names.iter().zip(super::synth::sales_tables(&sales)) {
        run.table(&format!("inputs/sales/{n}"), &t)?;
    }
    let base = SegmentSalesArgs {
        sales: run.path("inputs/sales/sales.csv"),
        funds: run.path("inputs/sales/funds.csv"),
        entity: Entity::Office,
        quarters: 8,
        transforms: vec![Transform::Log1p, Transform::ZScore],
        features: vec![FeatureSet::Quarterly, FeatureSet::CategoryMix],
        method: SegMethod::Kmeans,
        distance: SegDistance::Euclidean,
        k: KArg::Auto,
        k_max: 8,
        k_rule: KRule::Silhouette,
        seed: 1,
        tsne_max: 5000,
        out: run.path("segments/offices"),
        force: true,
    };
    let offices = run_sales(&base)?;
    let funds = run_sales(&SegmentSalesArgs {
        entity: Entity::Fund,
        transforms: vec![Transform::Share],
        features: vec![FeatureSet::Quarterly],
        method: SegMethod::Ward,
        k: KArg::Fixed(6),
        out: run.path("segments/funds"),
        ..base.clone()
    })?;
    let office_type: std::collections::HashMap<&str, &str> = sales
        .office_names
        .iter()
        .zip(&sales.office_type)
        .map(|(o, t)| (o.as_str(), t.label()))
        .collect();
    let assigned = read_columns(
        run,
        "segments/offices/assignments.csv",
        &["entity", "cluster"],
    )?;
    let ari_type = agreement(&assigned, |o| {
        office_type
            .get(o)
            .map(|t| t.split('/').next().unwrap_or(t).to_string())
    })?;
    let profile_rows = |rel: &str| -> CommandResult<Vec<Vec<String>>> {
        Ok(
            read_columns(run, rel, &["segment", "size", "share", "description"])?
                .into_iter()
                .map(|mut r| {
                    r[2] = r[2].parse::<f64>().map_or(r[2].clone(), pct);
                    r
                })
                .collect(),
        )
    };
    let office_profiles = profile_rows("segments/offices/profiles.csv")?;
    let outside = read_columns(
        run,
        "segments/funds/outside_category.csv",
        &[
            "fund",
            "cluster",
            "category",
            "majority_category",
            "own_share",
        ],
    )?;
    let mut hits = 0usize;
    let misfits: Vec<Vec<String>> = outside
        .into_iter()
        .filter(|r| {
            let i = sales.fund_names.iter().position(|f| *f == r[0]);
            i.is_some_and(|i| sales.fund_sells_like[i] != sales.fund_category[i])
        })
        .map(|mut r| {
            let i = sales
                .fund_names
                .iter()
                .position(|f| *f == r[0])
                .expect("known fund");
            r[4] = r[4].parse::<f64>().map_or(r[4].clone(), pct);
            hits += usize::from(r[3] == sales.fund_sells_like[i]);
            r.push(sales.fund_sells_like[i].clone());
            r
        })
        .collect();
    let n_misfits = misfits.len();

    let inv = peergroup_synth::investors(&peergroup_synth::investors::InvestorsConfig {
        users: 5000,
        days: 30,
        seed: 1,
        ..Default::default()
    });
    let persona: std::collections::HashMap<String, &str> = inv
        .users
        .user_id
        .iter()
        .zip(&inv.users.persona)
        .map(|(u, p)| (u.to_string(), p.label()))
        .collect();
    for (n, t) in ["users.csv", "balances.csv", "truth.csv"]
        .iter()
        .zip(super::synth::investors_tables(inv))
    {
        run.table(&format!("inputs/investors/{n}"), &t)?;
    }
    let investors = run_investors(&SegmentInvestorsArgs {
        users: run.path("inputs/investors/users.csv"),
        balances: run.path("inputs/investors/balances.csv"),
        k: KArg::Fixed(5),
        k_max: 8,
        k_rule: KRule::Silhouette,
        k_sample: 3000,
        seed: 1,
        out: run.path("segments/investors"),
        force: true,
    })?;
    let assigned = read_columns(
        run,
        "segments/investors/assignments.csv",
        &["user_id", "segment"],
    )?;
    let ari_persona = agreement(&assigned, |u| persona.get(u).map(|p| p.to_string()))?;
    let investor_profiles = profile_rows("segments/investors/profiles.csv")?;
    let trends = read_columns(
        run,
        "segments/investors/eda/trends.csv",
        &["fund_type", "slope_per_day", "r2"],
    )?
    .into_iter()
    .map(|mut r| {
        for cell in &mut r[1..3] {
            *cell = cell
                .parse::<f64>()
                .map_or(String::new(), |v| format!("{v:.3}"));
        }
        r
    })
    .collect();
    let profile_columns = vec![
        "segment".into(),
        "size".into(),
        "share".into(),
        "description".into(),
    ];
    report.sections.push(Section {
        heading: "Segmentation: broker-dealer offices, funds and app investors".into(),
        blocks: vec![
            Block::Paragraph {
                text: format!(
                    "Synthetic sales (peergroup synth sales --offices 400 --funds 120 --months 24 --seed 1): {} rows of monthly net sales by office and fund. \
                     Each office is described by its net sales in the last 8 quarters (sign-preserving log1p, then z-scored) and the broad-category mix of its latest quarter; \
                     k-means with k chosen by the widest mean silhouette found {} segments ({}). Against the true office types (private wealth vs regular) the ARI is {:.2}.",
                    thousands(sales.n_rows()),
                    offices.k,
                    offices.k_note,
                    ari_type
                ),
            },
            Block::Chart { file: "segments/offices/pca.svg".into(), caption: "Offices on the first two principal components of their features.".into() },
            Block::Chart { file: "segments/offices/tsne.svg".into(), caption: "t-SNE map of the offices (perplexity 30).".into() },
            Block::Chart { file: "segments/offices/scree.svg".into(), caption: "Share of variance per principal component (pca.csv).".into() },
            Block::Table {
                caption: "Office segments with their generated descriptions.".into(),
                columns: profile_columns.clone(),
                rows: office_profiles,
                file: Some("segments/offices/profiles.csv".into()),
            },
            Block::Paragraph {
                text: format!(
                    "Funds by the shape of their sales over the 8 quarters (each quarter's share of the fund's activity), Ward linkage cut at {} clusters. \
                     A fund whose cluster is mostly funds of another category sells with the same rhythm as them: a candidate competitor outside its category. \
                     Quarterly shapes are a weak signal, though: with 18 categories and 8 quarters many ordinary funds also land among other categories. \
                     The generator made {} funds sell like another category on purpose; for {} of them the cluster's most common category is the one they truly sell like:",
                    funds.k, n_misfits, hits
                ),
            },
            Block::Chart { file: "segments/funds/dendrogram.svg".into(), caption: "Funds: Ward linkage on quarterly sales shares.".into() },
            Block::Table {
                caption: "Funds built to sell like another category (the truth), with their cluster's majority category. Every fund: segments/funds/outside_category.csv.".into(),
                columns: vec!["fund".into(), "cluster".into(), "category".into(), "cluster's majority category".into(), "own category's share of the cluster".into(), "truly sells like".into()],
                rows: misfits,
                file: Some("segments/funds/outside_category.csv".into()),
            },
            Block::Paragraph {
                text: format!(
                    "Synthetic app users (peergroup synth investors --users 5000 --days 30 --seed 1) with daily balances in money-market, bond, stock and mixed funds. \
                     Features per user: gender, generation, occupation, income band and referral use, and per fund type the mean balance, monthly buying and selling, \
                     transactions and profit (log1p, then z-scored). k-prototypes with 5 segments ({} users with balances) recovers the generator's personas with ARI {:.2}. Here k is given; --k auto chooses it by the widest mean silhouette (or --k-rule gap), which for these users prefers a coarser split.",
                    investors.n, ari_persona
                ),
            },
            Block::Chart { file: "segments/investors/segments.svg".into(), caption: "Segment sizes and descriptions.".into() },
            Block::Table {
                caption: "Investor segments (shares of every category level and numeric means in the file).".into(),
                columns: profile_columns,
                rows: investor_profiles,
                file: Some("segments/investors/profiles.csv".into()),
            },
            Block::Chart { file: "segments/investors/eda/generation.svg".into(), caption: "Users by generation (eda/generation.csv).".into() },
            Block::Chart { file: "segments/investors/eda/occupation_pareto.svg".into(), caption: "Occupation Pareto (eda/occupation_pareto.csv).".into() },
            Block::Chart { file: "segments/investors/eda/weekday.svg".into(), caption: "Transactions by weekday: none on weekends (eda/weekday.csv).".into() },
            Block::Chart { file: "segments/investors/eda/fund_types_aum.svg".into(), caption: "Mean balance per user by fund type (eda/fund_types.csv).".into() },
            Block::Table {
                caption: "Linear trend of daily transactions per fund type over 30 days (eda/trends.csv). Weekends count with zero trades, so R² is low and the slope mostly reflects where the weekends fall: read it with eda/weekday.csv.".into(),
                columns: vec!["fund type".into(), "slope (transactions/day per day)".into(), "R²".into()],
                rows: trends,
                file: Some("segments/investors/eda/trends.csv".into()),
            },
        ],
    });
    Ok(())
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
    for (name, table) in names.iter().zip(super::synth::universe_tables(u, dynamic)) {
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
