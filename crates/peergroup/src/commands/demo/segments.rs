//! Segmentation section: broker-dealer offices, funds and app investors.

use super::{pct, thousands, Run};
use crate::commands::CommandResult;
use peergroup_report::{Block, Report, Section};

/// Columns of a CSV the demo wrote, by name.
fn read_columns(run: &Run, rel: &str, columns: &[&str]) -> CommandResult<Vec<Vec<String>>> {
    Ok(peergroup_io::read_text_table(&run.path(rel), columns)?
        .into_iter()
        .map(|(cells, _)| cells)
        .collect())
}

/// ARI of a label column of `assignments` against `truth(id)`.
fn agreement(rows: &[Vec<String>], truth: impl Fn(&str) -> Option<String>) -> f64 {
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
    peergroup_cluster::validity::adjusted_rand_index(&a, &b)
}

/// Sales-flow segments of offices and funds, and investor segments, on synthetic data.
pub(super) fn section(run: &Run, report: &mut Report) -> CommandResult {
    use crate::commands::segment::{
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
    for (n, t) in names
        .iter()
        .zip(crate::commands::synth::sales_tables(&sales))
    {
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
    });
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
        .zip(crate::commands::synth::investors_tables(inv))
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
    let ari_persona = agreement(&assigned, |u| persona.get(u).map(|p| p.to_string()));
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
