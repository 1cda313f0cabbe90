//! Style section: rolling style analysis of the French size/value/momentum portfolios.

use super::{pct, sharpe_spec, Run};
use crate::commands::CommandResult;
use peergroup_pipeline::chart::style::exposures_chart;
use peergroup_report::{Block, Report, Section};

/// Rolling 36-month Sharpe style analysis of the 18 size/value/momentum portfolios on the
/// 12 industry portfolios.
pub(super) fn section(run: &Run, report: &mut Report) -> CommandResult {
    let aligned = run.french_aligned()?;
    let spec = |window| sharpe_spec(window, 12.0);
    let rolling = peergroup_pipeline::style::run_aligned(&aligned, &spec(Some(36)))?;
    let whole = peergroup_pipeline::style::run_aligned(&aligned, &spec(None))?;
    run.table(
        "french_style_exposures.csv",
        &peergroup_pipeline::style::exposures_table(&aligned, &rolling, false),
    )?;
    run.table(
        "french_style_fit.csv",
        &peergroup_pipeline::style::fit_table(&aligned, &rolling),
    )?;
    run.table(
        "french_style_whole_sample.csv",
        &peergroup_pipeline::style::exposures_table(&aligned, &whole, false),
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
    for fund in aligned.funds.ids() {
        let Some(chart) = exposures_chart(&aligned, &rolling, fund) else {
            continue;
        };
        let file = format!("style/{fund}.svg");
        let chart = chart.titled(format!(
            "{fund}: industry exposures and R², rolling 36 months"
        ));
        run.text(&file, &chart.to_svg())?;
        blocks.push(Block::Chart {
            file,
            caption: format!(
                "{fund}: style exposures over time, with the R² of each 36-month window as a line."
            ),
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
