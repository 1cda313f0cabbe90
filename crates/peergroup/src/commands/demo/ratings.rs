//! Ratings section: stars of the French portfolios and of a synthetic AT-GARCH universe.

use super::{pct, select_ids, Run, FRENCH_INDUSTRIES, FRENCH_INPUT, FRENCH_PORTFOLIOS};
use crate::commands::CommandResult;
use peergroup_data::Panel;
use peergroup_io::Table;
use peergroup_pipeline::{rating, Named};
use peergroup_report::{Block, Report, Section};

/// The ratings of `returns` (checked and rated by the pipeline), written as `<stem>.csv` and charted as `<stem>.svg` under
/// `title`.
fn rate(
    run: &Run,
    returns: Named<'_, Panel>,
    settings: &rating::RateSettings,
    stem: &str,
    title: &str,
) -> CommandResult<Vec<rating::FundRating>> {
    let rated = rating::rate(returns, settings)?;
    run.table(&format!("{stem}.csv"), &rating::ratings_table(&rated))?;
    run.text(
        &format!("{stem}.svg"),
        &rating::ratings_chart(&rated, title).to_svg(),
    )?;
    Ok(rated)
}

/// Rows of the ratings table shown on the page: fund, stars, classes, gain, risk score,
/// δ and the note (the risk components are in the CSV, leaving the note room to wrap).
fn rating_rows(rows: &[rating::FundRating], show: usize) -> Vec<Vec<String>> {
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
        "δ",
        "note",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Lisi & Otranto ratings of the French portfolios (monthly) and a synthetic daily universe.
pub(super) fn section(run: &Run, report: &mut Report) -> CommandResult {
    use peergroup_rating::garch::FitOptions;
    let options = FitOptions::default();
    // Monthly: the 12 industries and 18 size/value/momentum portfolios, 1949–2017.
    let all = run.series(FRENCH_INPUT)?;
    let mut ids: Vec<&str> = FRENCH_INDUSTRIES.to_vec();
    ids.extend(FRENCH_PORTFOLIOS);
    let monthly = select_ids(&all, &ids)?;
    let mut wide = Table::new().with("date", peergroup_io::Column::Date(monthly.dates().to_vec()));
    for (i, id) in monthly.ids().iter().enumerate() {
        wide.push(id, peergroup_io::Column::F64(monthly.series(i).to_vec()));
    }
    run.table("inputs/french_portfolios_monthly.csv", &wide)?;
    let french = rate(
        run,
        Named::new(&monthly, "french_monthly_1949_2017.csv"),
        &options.into(),
        "french_ratings",
        "French portfolios 1949–2017: gain vs AT-GARCH risk",
    )?;

    // Daily: a synthetic universe with known parameters.
    let config = peergroup_synth::GarchConfig {
        funds: 60,
        periods: 1600,
        seed: 7,
        ..Default::default()
    };
    let synth = peergroup_synth::garch_universe(&config);
    let (returns, truth) = peergroup_pipeline::synth::garch_tables(&synth);
    run.table("inputs/garch/returns.csv", &returns)?;
    run.table("inputs/garch/truth.csv", &truth)?;
    let daily = run.series("inputs/garch/returns.csv")?;
    let rated = rate(
        run,
        Named::new(&daily, "inputs/garch/returns.csv"),
        &options.into(),
        "garch_ratings",
        "Synthetic daily funds: gain vs AT-GARCH risk",
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
    let stars = |rows: &[rating::FundRating]| {
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
                caption: "French portfolios by stars (first 12). Risk components v_min, v_standard and v_turmoil: french_ratings.csv.".into(),
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
                caption: "Synthetic funds by stars (first 12). Risk components v_min, v_standard and v_turmoil: garch_ratings.csv.".into(),
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
