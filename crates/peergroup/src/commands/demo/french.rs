//! French section: period returns of the 12 industry portfolios.

use super::{pct, select_ids, Run, FRENCH_INDUSTRIES, FRENCH_INPUT, FRENCH_MONTHLY_CSV};
use crate::commands::CommandResult;
use peergroup_pipeline::chart::returns::periods_chart;
use peergroup_pipeline::returns::periods_table;
use peergroup_report::{line_chart, Block, LineChart, Report, Section, Series, XAxis};
use peergroup_returns::{period_returns, Period};

/// Calendar-year and trailing returns of the 12 French industry portfolios.
pub(super) fn section(run: &Run, report: &mut Report) -> CommandResult {
    run.text(FRENCH_INPUT, FRENCH_MONTHLY_CSV)?;
    let all = run.series(FRENCH_INPUT)?;
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
    run.text(
        "french_industry_periods.svg",
        &periods_chart(industries.ids(), &periods, &wanted)
            .titled("French industry portfolios: recent years, YTD and trailing returns (%)")
            .to_svg(),
    )?;
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
            Block::Chart {
                file: "french_industry_periods.svg".into(),
                caption: "Period returns as a colour table: blue for gains, red for losses; trailing returns of more than a year are annualised.".into(),
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
