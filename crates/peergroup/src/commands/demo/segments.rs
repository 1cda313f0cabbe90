//! Segmentation section: broker-dealer offices, funds and app investors.

use std::collections::HashMap;

use super::{pct, thousands, Run};
use crate::commands::CommandResult;
use peergroup_io::{read_balances, read_funds, read_sales, read_users};
use peergroup_pipeline::segment::investors::{self, InvestorSettings};
use peergroup_pipeline::segment::sales::{self, FeatureSet, SalesSettings, SegMethod};
use peergroup_pipeline::KChoice;
use peergroup_report::{Block, Report, Section};
use peergroup_segment::profile::Profiles;
use peergroup_segment::sales::Entity;
use peergroup_segment::transform::Transform;

const SALES: &str = "inputs/sales/sales.csv";
const FUNDS: &str = "inputs/sales/funds.csv";
const USERS: &str = "inputs/investors/users.csv";
const BALANCES: &str = "inputs/investors/balances.csv";

/// ARI of segment labels against the truth of each labelled id (ids without a truth are
/// left out).
fn agreement<'a>(
    ids: impl Iterator<Item = &'a str>,
    labels: &[usize],
    truth: impl Fn(&str) -> Option<String>,
) -> CommandResult<f64> {
    let mut names: Vec<String> = Vec::new();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (id, &label) in ids.zip(labels) {
        if let Some(t) = truth(id) {
            let code = match names.iter().position(|n| *n == t) {
                Some(c) => c,
                None => {
                    names.push(t);
                    names.len() - 1
                }
            };
            a.push(label);
            b.push(code);
        }
    }
    Ok(peergroup_cluster::validity::adjusted_rand_index(&a, &b)?)
}

/// Segment, size, share and description of each profile, as the report shows them.
fn profile_rows(p: &Profiles) -> Vec<Vec<String>> {
    p.segments
        .iter()
        .map(|s| {
            vec![
                (s.segment + 1).to_string(),
                s.size.to_string(),
                pct(s.share),
                s.description.clone(),
            ]
        })
        .collect()
}

/// Sales-flow segments of offices and funds, and investor segments, on synthetic data.
pub(super) fn section(run: &Run, report: &mut Report) -> CommandResult {
    let sales = peergroup_synth::sales(&peergroup_synth::SalesConfig {
        offices: 400,
        funds: 120,
        months: 24,
        seed: 1,
        ..Default::default()
    });
    let names = ["sales.csv", "funds.csv", "truth.csv", "fund_truth.csv"];
    for (n, t) in names
        .iter()
        .zip(peergroup_pipeline::synth::sales_tables(&sales))
    {
        run.table(&format!("inputs/sales/{n}"), &t)?;
    }
    // The inputs go through the readers a user's files go through.
    let read = || -> CommandResult<_> {
        Ok((read_sales(&run.path(SALES))?, read_funds(&run.path(FUNDS))?))
    };
    let (sales_file, funds_file) = read()?;
    let offices = sales::segment_sales(
        sales_file,
        SALES,
        funds_file,
        FUNDS,
        &SalesSettings::default(),
    )?;
    run.artifacts("segments/offices", &offices.artifacts())?;
    let (sales_file, funds_file) = read()?;
    let funds = sales::segment_sales(
        sales_file,
        SALES,
        funds_file,
        FUNDS,
        &SalesSettings {
            entity: Entity::Fund,
            transform: vec![Transform::Share],
            features: vec![FeatureSet::Quarterly],
            method: SegMethod::Ward,
            k: KChoice::Fixed(6),
            ..SalesSettings::default()
        },
    )?;
    run.artifacts("segments/funds", &funds.artifacts())?;
    let office_type: HashMap<&str, &str> = sales
        .office_names
        .iter()
        .zip(&sales.office_type)
        .map(|(o, t)| (o.as_str(), t.label()))
        .collect();
    let ari_type = agreement(
        offices.keys.iter().map(|k| k.id.as_str()),
        &offices.labels,
        |o| {
            office_type
                .get(o)
                .map(|t| t.split('/').next().unwrap_or(t).to_string())
        },
    )?;
    let ari_subtype = agreement(
        offices.keys.iter().map(|k| k.id.as_str()),
        &offices.labels,
        |o| office_type.get(o).map(|t| t.to_string()),
    )?;
    let office_stability = offices.stability_line().unwrap_or_default();
    let office_profiles = profile_rows(&offices.profiles);
    // Planted misfits and flagged funds, scored against the generator's truth.
    let (mut planted, mut flagged, mut hits, mut right) = (0usize, 0usize, 0usize, 0usize);
    let misfits: Vec<Vec<String>> = funds
        .outside
        .iter()
        .flat_map(|t| &t.funds)
        .filter_map(|r| {
            let i = sales.fund_names.iter().position(|f| *f == r.fund)?;
            let truly = &sales.fund_sells_like[i];
            let misfit = *truly != sales.fund_category[i];
            planted += usize::from(misfit);
            flagged += usize::from(r.outside);
            hits += usize::from(misfit && r.outside);
            right += usize::from(misfit && r.outside && r.sells_like == *truly);
            (misfit || r.outside).then(|| {
                vec![
                    r.fund.clone(),
                    r.category.clone(),
                    r.sells_like.clone(),
                    format!("{:.3}", r.statistic),
                    format!("{:.4}", r.q_value),
                    r.outside.to_string(),
                    truly.clone(),
                ]
            })
        })
        .collect();
    let n_misfits = planted;
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            "n/a".to_string()
        } else {
            format!("{:.2}", a as f64 / b as f64)
        }
    };
    let (precision, recall) = (ratio(hits, flagged), ratio(hits, planted));

    let inv = peergroup_synth::investors(&peergroup_synth::investors::InvestorsConfig {
        users: 5000,
        days: 30,
        seed: 1,
        ..Default::default()
    });
    let persona: HashMap<String, &str> = inv
        .users
        .user_id
        .iter()
        .zip(&inv.users.persona)
        .map(|(u, p)| (u.to_string(), p.label()))
        .collect();
    for (n, t) in ["users.csv", "balances.csv", "truth.csv"]
        .iter()
        .zip(peergroup_pipeline::synth::investors_tables(inv))
    {
        run.table(&format!("inputs/investors/{n}"), &t)?;
    }
    let investors = investors::segment_investors(
        read_users(&run.path(USERS))?,
        USERS,
        read_balances(&run.path(BALANCES))?,
        BALANCES,
        &InvestorSettings::default(),
    )?;
    run.artifacts("segments/investors", &investors.artifacts())?;
    let ari_persona = agreement(
        investors.user_ids.iter().map(String::as_str),
        &investors.labels,
        |u| persona.get(u).map(|p| p.to_string()),
    )?;
    let personas: Vec<Vec<String>> = investors
        .personas
        .iter()
        .zip(&investors.profiles.segments)
        .map(|(p, s)| {
            vec![
                (p.segment + 1).to_string(),
                s.size.to_string(),
                p.name.clone(),
                p.themes.join("; "),
            ]
        })
        .collect();
    let stability = investors.stability.as_ref().map_or_else(
        || "not computed".to_string(),
        |s| {
            format!(
                "mean ARI {:.2} over {} bootstrap resamples of the k sample (sd {:.3}, 5th percentile {:.2})",
                s.mean_ari,
                s.aris.len(),
                s.sd_ari,
                s.p05_ari
            )
        },
    );
    let investor_k = investors.k;
    let investor_profiles = profile_rows(&investors.profiles);
    let trends = investors
        .eda
        .trends
        .iter()
        .map(|r| {
            let num = |v: f64| {
                if v.is_finite() {
                    format!("{v:.3}")
                } else {
                    String::new()
                }
            };
            vec![
                r.fund_type.name().to_string(),
                num(r.trend.slope),
                num(r.trend.r2),
            ]
        })
        .collect();
    let (offices, funds, investors) = (offices.summary(), funds.summary(), investors.summary());
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
                     Each office is described as a sales analyst would: its broad-category mix over the 8 quarters and how it sells (ticket size, month-to-month volatility, \
                     redemption share, growth), each z-scored. k-means with k chosen by the nested silhouette rule (split while a split's silhouette exceeds 0.25 and beats a Gaussian null) \
                     found {} segments ({}). Against the four true office types the ARI is {:.2} (against private wealth vs regular alone {:.2}, as each group is split in its sub-types). Whether the segments are real or an artefact of the sample: {}.",
                    thousands(sales.n_rows()),
                    offices.k,
                    offices.k_note,
                    ari_subtype,
                    ari_type,
                    office_stability
                ),
            },
            Block::Chart { file: "segments/offices/segment_mix.svg".into(), caption: "What each office segment sells: mean broad-category mix against all offices.".into() },
            Block::Chart { file: "segments/offices/segment_sales.svg".into(), caption: "Net sales per quarter of each office segment (the private-wealth segments sell steadily; regular ones follow the season).".into() },
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
                     Which funds sell outside their category is a separate test (METHODS §6.11): each fund's monthly trade pattern (offices trading it each month, log1p, z-scored per month) is correlated with each category's centre; \
                     the statistic is the correlation with the closest other category minus that with its own, its p-value comes from an empirical null fitted to all funds' statistics \
                     (most funds do sell like their category), a second pass leaves the first pass's flagged funds out of the centres, and funds are flagged at a Benjamini–Hochberg false discovery rate of 5%. \
                     The generator made {} funds sell like another category on purpose; {} funds were flagged, {} of them planted ({} with the right sells-like category): \
                     precision {}, recall {}. A wrong sells-like category is usually a sibling whose demand path looks alike over 24 months.",
                    funds.k, n_misfits, flagged, hits, right, precision, recall
                ),
            },
            Block::Chart { file: "segments/funds/dendrogram.svg".into(), caption: "Funds: Ward linkage on quarterly sales shares.".into() },
            Block::Chart { file: "segments/funds/outside_category.svg".into(), caption: "Flagged funds: correlation with their own category's centre and with the centre of the category they sell like.".into() },
            Block::Table {
                caption: "Funds built to sell like another category (the truth) and funds flagged, with the test's result. Every fund: segments/funds/outside_category.csv.".into(),
                columns: vec!["fund".into(), "category".into(), "closest other category".into(), "statistic".into(), "q-value".into(), "flagged".into(), "truly sells like".into()],
                rows: misfits,
                file: Some("segments/funds/outside_category.csv".into()),
            },
            Block::Paragraph {
                text: format!(
                    "Synthetic app users (peergroup synth investors --users 5000 --days 30 --seed 1) with daily balances in money-market, bond, stock and mixed funds. \
                     Features per user: the share of each fund type in the user's balance, the size of the balance, transactions per month and monthly buying (logs, z-scored), \
                     with generation, occupation and income band. k-prototypes with k chosen on a sample (--k auto: the smallest k within 0.02 of the widest mean silhouette) \
                     found {} segments among the {} users with balances; against the generator's 5 personas the ARI is {:.2}. Stability: {}.",
                    investor_k, thousands(investors.n), ari_persona, stability
                ),
            },
            Block::Chart { file: "segments/investors/segments.svg".into(), caption: "Segment sizes with their generated persona names and first campaign theme.".into() },
            Block::Table {
                caption: "Persona names and campaign themes, generated from each segment's profile by the rules of METHODS §6.10.".into(),
                columns: vec!["segment".into(), "size".into(), "persona".into(), "campaign themes".into()],
                rows: personas,
                file: Some("segments/investors/profiles.csv".into()),
            },
            Block::Chart { file: "segments/investors/profiles/segment_1.svg".into(), caption: "The largest segment against all users (1 = average).".into() },
            Block::Chart { file: "segments/investors/segment_sizes.svg".into(), caption: "Users per segment by registration month (cumulative).".into() },
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
            Block::Chart { file: "segments/investors/eda/daily_stock.svg".into(), caption: "Daily stock-fund transactions on weekdays with their linear trend (eda/daily_<fund_type>.svg for every type).".into() },
            Block::Table {
                caption: "Linear trend of daily transactions per fund type over the weekdays of 30 days (eda/trends.csv; markets are closed on weekends). The generator plants no growth in trading, so R² stays low: day-to-day noise and the Monday peak dominate.".into(),
                columns: vec!["fund type".into(), "slope (transactions/day per day)".into(), "R²".into()],
                rows: trends,
                file: Some("segments/investors/eda/trends.csv".into()),
            },
        ],
    });
    Ok(())
}
