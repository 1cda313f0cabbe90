//! Charts of the evolve stage: allocation over time, stability by horizon, themes,
//! cluster portfolios and the transitions between two dates.

use std::collections::BTreeMap;

use peergroup_report::{Heatmap, LineChart, Series, StackedArea, XAxis};

use super::Chart;
use crate::evolve::{Evolution, GroupKind};

/// Share of funds in each aligned cluster at every clustering date of rule `rule`,
/// stacked (seed 004 Charts 7-8).
pub fn allocation_chart(ev: &Evolution, rule: usize) -> Chart {
    let path = &ev.paths[rule];
    let mut clusters: Vec<usize> = path.iter().flat_map(|c| c.labels.clone()).collect();
    clusters.sort_unstable();
    clusters.dedup();
    let layers = clusters
        .iter()
        .map(|&cl| {
            let shares = path
                .iter()
                .map(|c| c.labels.iter().filter(|&&l| l == cl).count() as f64 / c.ids.len() as f64)
                .collect();
            (format!("cluster {}", cl + 1), shares)
        })
        .collect();
    Chart::Area(StackedArea {
        title: format!(
            "Allocation of funds across peer groups over time ({})",
            ev.averages[rule]
        ),
        x_axis: XAxis::Dates,
        x: path.iter().map(|c| ev.dates[c.t].days() as f64).collect(),
        layers,
        y_label: "share of funds".into(),
        line: None,
    })
}

/// Stability by horizon, a line per averaging rule (seed 004 Chart 9).
pub fn stability_chart(ev: &Evolution) -> Chart {
    let series = (0..ev.averages.len())
        .map(|r| Series {
            name: ev.averages[r].to_string(),
            points: ev
                .stability
                .iter()
                .filter(|s| s.rule == r)
                .map(|s| (s.horizon as f64, s.stability))
                .collect(),
        })
        .collect();
    Chart::Line(LineChart {
        title: "Share of funds in the same peer group h dates later".into(),
        x_label: "horizon h (dates)".into(),
        y_label: "stability".into(),
        x_axis: XAxis::Numeric,
        log_y: false,
        series,
    })
}

/// Funds by cluster at the first clustering date (rows) and the last (columns) of rule
/// `rule`, for the funds present both dates.
pub fn transitions_chart(ev: &Evolution, rule: usize) -> Chart {
    let path = &ev.paths[rule];
    let (Some(a), Some(b)) = (path.first(), path.last()) else {
        return Chart::Heatmap(Heatmap::default());
    };
    let sorted = |l: &[usize]| {
        let mut v = l.to_vec();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (rows, cols) = (sorted(&a.labels), sorted(&b.labels));
    let mut values = vec![0.0; rows.len() * cols.len()];
    for (&i, &la) in a.ids.iter().zip(&a.labels) {
        if let Ok(j) = b.ids.binary_search(&i) {
            let r = rows.binary_search(&la).expect("a label of a");
            let c = cols.binary_search(&b.labels[j]).expect("a label of b");
            values[r * cols.len() + c] += 1.0;
        }
    }
    Chart::Heatmap(Heatmap {
        title: format!(
            "Funds by peer group on {} (rows) and {} (columns), {}",
            ev.dates[a.t], ev.dates[b.t], ev.averages[rule]
        ),
        row_labels: rows.iter().map(|l| format!("cluster {}", l + 1)).collect(),
        col_labels: cols.iter().map(|l| format!("cluster {}", l + 1)).collect(),
        values,
        min: 0.0,
        max: f64::NAN,
        reversed: false,
    })
}

/// Mean exposure of each cluster at the last clustering date of rule `rule`: by attribute
/// label when a factor attribute table was given, else by factor (seed 004 Chart 13).
pub fn themes_chart(ev: &Evolution, rule: usize) -> Option<Chart> {
    let t = ev.paths[rule].last()?.t;
    let mut cells: BTreeMap<(usize, String), f64> = BTreeMap::new();
    let mut cols: Vec<String> = Vec::new();
    let mut push = |cluster: usize, col: String, v: f64| {
        if !cols.contains(&col) {
            cols.push(col.clone());
        }
        cells.insert((cluster, col), v);
    };
    match &ev.themes_by_attribute {
        Some(by) => by
            .iter()
            .filter(|x| x.rule == rule && x.t == t)
            .for_each(|x| {
                push(
                    x.cluster,
                    format!("{}: {}", x.attribute, x.label),
                    x.sum_beta,
                )
            }),
        None => ev
            .themes
            .as_ref()?
            .iter()
            .filter(|x| x.rule == rule && x.t == t)
            .for_each(|x| push(x.cluster, ev.factors[x.factor].clone(), x.mean_beta)),
    }
    let mut rows: Vec<usize> = cells.keys().map(|k| k.0).collect();
    rows.dedup();
    let values = rows
        .iter()
        .flat_map(|&r| {
            cols.iter()
                .map(|c| cells.get(&(r, c.clone())).copied().unwrap_or(f64::NAN))
                .collect::<Vec<_>>()
        })
        .collect();
    Some(Chart::Heatmap(Heatmap {
        title: format!(
            "Peer group themes on {}: mean exposure ({})",
            ev.dates[t], ev.averages[rule]
        ),
        row_labels: rows.iter().map(|l| format!("cluster {}", l + 1)).collect(),
        col_labels: cols,
        values,
        min: f64::NAN,
        max: f64::NAN,
        reversed: true,
    }))
}

/// Growth of 1 of each cluster's equal-weight portfolio, rebalanced at every clustering
/// date into that date's members (seed 004 Charts 14-15).
pub fn portfolios_chart(ev: &Evolution, rule: usize) -> Option<Chart> {
    let ps = ev.portfolios.as_ref()?;
    let mut by_group: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
    for p in ps
        .iter()
        .filter(|p| p.rule == rule && p.kind == GroupKind::Cluster)
    {
        let g: usize = p.group.parse().unwrap_or(0);
        by_group
            .entry(g)
            .or_default()
            .push((p.return_date.days() as f64, p.next_return));
    }
    let series = by_group
        .into_iter()
        .map(|(g, rets)| {
            let mut level = 1.0;
            Series {
                name: format!("cluster {g}"),
                points: rets
                    .into_iter()
                    .map(|(x, r)| {
                        level *= 1.0 + r;
                        (x, level)
                    })
                    .collect(),
            }
        })
        .collect();
    Some(Chart::Line(LineChart {
        title: format!(
            "Out-of-sample peer group portfolios, equal weight ({})",
            ev.averages[rule]
        ),
        x_label: String::new(),
        y_label: "growth of 1".into(),
        x_axis: XAxis::Dates,
        log_y: false,
        series,
    }))
}
