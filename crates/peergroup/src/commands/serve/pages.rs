//! The pages: a fund, a peer group, funds side by side, the home page and the 404 page.
//! Each page is a list of sections (a table, a chart, a note); the same sections feed the
//! CSV and XLSX downloads, so what is shown is what is downloaded.

use std::collections::BTreeMap;
use std::fmt::Write;

use peergroup_calendar::Date;
use peergroup_report::{line_chart, stacked_area, LineChart, Series, StackedArea, XAxis};

use super::run_data::{Grid, RunData, STAGES};

/// Rows of a table shown on a page; the download has them all.
const SHOWN_ROWS: usize = 200;

/// One part of a page.
pub struct Section {
    /// Name in download links (`/fund/F1/peers.csv`).
    pub key: &'static str,
    /// Heading.
    pub title: String,
    /// A sentence above the table (what it is, or why it is missing).
    pub note: Option<String>,
    /// The table, if the run has one.
    pub grid: Option<Grid>,
    /// An SVG chart.
    pub chart: Option<String>,
}

impl Section {
    fn new(key: &'static str, title: &str) -> Section {
        Section {
            key,
            title: title.to_string(),
            note: None,
            grid: None,
            chart: None,
        }
    }

    fn missing(key: &'static str, title: &str, stage: &str) -> Section {
        let how = STAGES.iter().find(|s| s.0 == stage).map_or("", |s| s.2);
        Section {
            note: Some(format!(
                "The run has no {stage} stage: add {how} to the study file and run `peergroup run` again."
            )),
            ..Section::new(key, title)
        }
    }
}

fn days(text: &str) -> f64 {
    Date::parse(text).map_or(f64::NAN, |d| f64::from(d.days()))
}

/// The sections of a fund's page.
pub fn fund_sections(run: &RunData, id: &str) -> Vec<Section> {
    let mut out = Vec::new();
    let group = run.cluster_of.get(id).cloned();

    // Its peer group now.
    let mut s = Section::new("group", "Peer group");
    if run.present.contains("cluster") {
        let mut g = Grid {
            header: vec![
                "fund".into(),
                "category".into(),
                "peer_group".into(),
                "members".into(),
                "au".into(),
                "bp".into(),
            ],
            rows: Vec::new(),
        };
        if let Some(c) = &group {
            let members = run.members(c);
            let (au, bp) = run.au_bp(c).unwrap_or_default();
            let category = run.category_of.get(id).cloned().unwrap_or_default();
            g.rows.push(vec![
                id.into(),
                category,
                c.clone(),
                members.len().to_string(),
                au,
                bp,
            ]);
            s.note = Some("AU and BP: bootstrap p-values (%/100) of the node holding exactly this group, when the cut made it from one subtree.".into());
        } else {
            s.note = Some("This fund was not clustered.".into());
        }
        s.grid = Some(g);
    } else {
        s = Section::missing("group", "Peer group", "cluster");
    }
    out.push(s);

    // Its closest peers.
    let mut s = Section::new("peers", "Closest peers");
    if run.present.contains("peers") {
        let mut g = run.rows("peers/peers.csv", "fund", id);
        g.header.push("peer_group".into());
        let with_category = !run.category_of.is_empty() && g.col("peer_category").is_none();
        if with_category {
            g.header.push("peer_category".into());
        }
        let p = g.col("peer").unwrap_or(0);
        for r in &mut g.rows {
            let c = run.cluster_of.get(&r[p]).cloned().unwrap_or_default();
            let category = run.category_of.get(&r[p]).cloned().unwrap_or_default();
            r.push(c);
            if with_category {
                r.push(category);
            }
        }
        if g.is_empty() {
            s.note = Some("The run's peers stage did not list peers of this fund.".into());
        } else if g.col("s_star").is_some() {
            s.note = Some(
                "Ranked by the run's similarity measure; side by side: s_star = S* (style \
                 exposures through the factors' similarity), s = R²-weighted S, correlation \
                 = of the funds' returns over the style window."
                    .into(),
            );
        }
        s.grid = Some(g);
    } else {
        s = Section::missing("peers", "Closest peers", "peers");
    }
    out.push(s);

    // Style exposures over time.
    let mut s = Section::new("exposures", "Style exposures over time");
    if run.present.contains("style") {
        let g = run.rows("style/exposures.csv", "fund", id);
        s.chart = exposures_chart(&g, id);
        s.grid = Some(g);
    } else {
        s = Section::missing("exposures", "Style exposures over time", "style");
    }
    out.push(s);

    // Peer group over time.
    let mut s = Section::new("membership", "Peer group over time");
    if run.present.contains("evolve") {
        let rule = run.first("evolve/assignments.csv", "average");
        let mut g = run
            .rows("evolve/assignments.csv", "fund", id)
            .filter("average", &rule);
        g.header.push("moved".into());
        let c = g.col("cluster").unwrap_or(0);
        let mut prev: Option<String> = None;
        let mut moves = Vec::new();
        for r in &mut g.rows {
            let moved = prev.as_ref().is_some_and(|p| *p != r[c]);
            if moved {
                moves.push(r[g.header.iter().position(|h| h == "date").unwrap_or(0)].clone());
            }
            prev = Some(r[c].clone());
            r.push(if moved { "yes".into() } else { String::new() });
        }
        s.note = Some(if moves.is_empty() {
            format!("Averaging rule {rule}: never changed group.")
        } else {
            format!("Averaging rule {rule}: moved on {}.", moves.join(", "))
        });
        s.grid = Some(g);
    } else {
        s = Section::missing("membership", "Peer group over time", "evolve");
    }
    out.push(s);

    // Rating and risk components.
    let mut s = Section::new("rating", "Rating and risk components");
    if run.present.contains("rate") {
        let g = run.rows("rate/ratings.csv", "fund", id);
        if g.is_empty() {
            s.note = Some(
                "This fund has no rating in the run (the rate stage rated other series).".into(),
            );
        }
        s.grid = Some(g);
    } else {
        s = Section::missing("rating", "Rating and risk components", "rate");
    }
    out.push(s);

    // Period returns and ranks within the peer group.
    let mut s = Section::new("returns", "Period returns and rank within the peer group");
    if run.present.contains("periods") {
        let all = run.table("periods/periods.csv");
        let mut g = run.rows("periods/periods.csv", "id", id);
        g.header.push("rank_in_group".into());
        g.header.push("rank_in_category".into());
        let (pc, rc) = (
            all.col("period").unwrap_or(0),
            all.col("return").unwrap_or(0),
        );
        let members = group.as_ref().map_or(&[][..], |c| run.members(c));
        let category = run.category_of.get(id);
        let ic = all.col("id").unwrap_or(0);
        for r in &mut g.rows {
            let mine: f64 = r[rc].parse().unwrap_or(f64::NAN);
            let same = run.rows("periods/periods.csv", "period", &r[pc]);
            // Rank of `mine` among the funds of the period that `keep` admits ("3 of 12").
            let rank = |keep: &dyn Fn(&str) -> bool| -> String {
                let others: Vec<f64> = same
                    .rows
                    .iter()
                    .filter(|o| keep(&o[ic]))
                    .filter_map(|o| o[rc].parse().ok())
                    .collect();
                if others.is_empty() || mine.is_nan() {
                    String::new()
                } else {
                    let above = others.iter().filter(|&&x| x > mine).count();
                    format!("{} of {}", 1 + above, others.len())
                }
            };
            let in_group = rank(&|f| members.binary_search_by(|m| m.as_str().cmp(f)).is_ok());
            let in_category = match category {
                Some(c) => rank(&|f| run.category_of.get(f) == Some(c)),
                None => String::new(),
            };
            r.push(in_group);
            r.push(in_category);
        }
        if g.is_empty() {
            s.note = Some("No period returns of this fund in the run.".into());
        }
        s.grid = Some(g);
    } else {
        s = Section::missing("returns", "Period returns", "periods");
    }
    out.push(s);
    out
}

/// A stacked area of one fund's exposures by date.
fn exposures_chart(g: &Grid, id: &str) -> Option<String> {
    let (d, f, b) = (g.col("date")?, g.col("factor")?, g.col("beta")?);
    let dates: Vec<String> = g.distinct("date");
    if dates.len() < 2 {
        return None;
    }
    let at: BTreeMap<&str, usize> = dates
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    let mut layers: Vec<(String, Vec<f64>)> = Vec::new();
    for r in &g.rows {
        let i = match layers.iter().position(|l| l.0 == r[f]) {
            Some(i) => i,
            None => {
                layers.push((r[f].clone(), vec![0.0; dates.len()]));
                layers.len() - 1
            }
        };
        layers[i].1[at[r[d].as_str()]] = r[b].parse().unwrap_or(0.0);
    }
    Some(stacked_area(&StackedArea {
        title: format!("Style exposures of {id}"),
        x_axis: XAxis::Dates,
        x: dates.iter().map(|d| days(d)).collect(),
        layers,
        y_label: "exposure".into(),
        line: None,
    }))
}

/// The sections of a peer group's page.
pub fn group_sections(run: &RunData, id: &str) -> Vec<Section> {
    let mut out = Vec::new();
    let members = run.members(id).to_vec();
    let mut s = Section::new("members", "Members");
    let mut g = Grid {
        header: vec!["fund".into(), "stars".into()],
        rows: Vec::new(),
    };
    for m in &members {
        let r = run.rows("rate/ratings.csv", "fund", m);
        let stars = r
            .col("stars")
            .and_then(|c| r.rows.first().map(|x| x[c].clone()))
            .unwrap_or_default();
        g.rows.push(vec![m.clone(), stars]);
    }
    s.note = Some(match run.au_bp(id) {
        Some((au, bp)) => format!(
            "{} funds; AU {au}, BP {bp} (bootstrap p-values of this subtree).",
            members.len()
        ),
        None => format!(
            "{} funds; no bootstrap p-value for exactly this group.",
            members.len()
        ),
    });
    s.grid = Some(g);
    out.push(s);

    let mut s = Section::new("over_time", "Members over time");
    if run.present.contains("evolve") {
        let all = run.table("evolve/assignments.csv");
        let rule = run.first("evolve/assignments.csv", "average");
        let mine = all.filter("average", &rule).filter("cluster", id);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let d = mine.col("date").unwrap_or(0);
        for r in &mine.rows {
            *counts.entry(r[d].clone()).or_default() += 1;
        }
        s.chart = (counts.len() > 1).then(|| {
            line_chart(&LineChart {
                title: format!("Members of group {id} ({rule})"),
                x_label: "date".into(),
                y_label: "funds".into(),
                x_axis: XAxis::Dates,
                log_y: false,
                series: vec![Series {
                    name: "members".into(),
                    points: counts.iter().map(|(k, v)| (days(k), *v as f64)).collect(),
                }],
            })
        });
        s.grid = Some(Grid {
            header: vec!["date".into(), "members".into()],
            rows: counts
                .into_iter()
                .map(|(k, v)| vec![k, v.to_string()])
                .collect(),
        });
        s.note = Some("Group numbers over time are aligned date to date (METHODS §5), so group 1 today is the group 1 of earlier dates.".into());
    } else {
        s = Section::missing("over_time", "Members over time", "evolve");
    }
    out.push(s);

    let mut s = Section::new("theme", "Theme: exposures by attribute, latest date");
    let themes = run.table("evolve/themes_by_attribute.csv");
    if themes.is_empty() {
        s = Section::missing("theme", "Theme", "evolve");
    } else {
        let rule = run.first("evolve/themes_by_attribute.csv", "average");
        let t = run
            .rows("evolve/themes_by_attribute.csv", "cluster", id)
            .filter("average", &rule);
        let last = t.distinct("date").into_iter().max().unwrap_or_default();
        s.grid = Some(t.filter("date", &last));
    }
    out.push(s);

    let mut s = Section::new(
        "portfolio",
        "Out-of-sample returns of the group's portfolio",
    );
    let p = run.table("evolve/portfolios.csv");
    if p.is_empty() {
        s = Section::missing("portfolio", "Portfolio returns", "evolve");
    } else {
        let rule = run.first("evolve/portfolios.csv", "average");
        let g = run
            .rows("evolve/portfolios.csv", "group", id)
            .filter("average", &rule)
            .filter("group_kind", "cluster");
        let (d, r) = (
            g.col("return_date").unwrap_or(0),
            g.col("next_return").unwrap_or(0),
        );
        let mut level = 1.0;
        let points: Vec<(f64, f64)> = g
            .rows
            .iter()
            .map(|row| {
                level *= 1.0 + row[r].parse::<f64>().unwrap_or(0.0);
                (days(&row[d]), level)
            })
            .collect();
        s.chart = (points.len() > 1).then(|| {
            line_chart(&LineChart {
                title: format!("Group {id}: growth of 1 invested in its funds, equal weights"),
                x_label: "date".into(),
                y_label: "value".into(),
                x_axis: XAxis::Dates,
                log_y: false,
                series: vec![Series {
                    name: format!("group {id}"),
                    points,
                }],
            })
        });
        s.grid = Some(g);
    }
    out.push(s);
    out
}

/// The sections comparing `funds`.
pub fn compare_sections(run: &RunData, funds: &[String]) -> Vec<Section> {
    let mut facts = Grid {
        header: vec![
            "fund".into(),
            "peer_group".into(),
            "stars".into(),
            "gain".into(),
            "risk".into(),
        ],
        rows: Vec::new(),
    };
    for f in funds {
        let r = run.rows("rate/ratings.csv", "fund", f);
        let cell = |name: &str| {
            r.col(name)
                .and_then(|c| r.rows.first().map(|x| x[c].clone()))
                .unwrap_or_default()
        };
        facts.rows.push(vec![
            f.clone(),
            run.cluster_of.get(f).cloned().unwrap_or_default(),
            cell("stars"),
            cell("gain"),
            cell("risk"),
        ]);
    }
    let mut first = Section::new("facts", "Side by side");
    first.grid = Some(facts);
    // Latest exposures, a column per fund.
    let exp = run.table("style/exposures.csv");
    let mut latest = Section::new("exposures", "Latest style exposures");
    if exp.is_empty() {
        latest = Section::missing("exposures", "Latest style exposures", "style");
    } else {
        let mut by_factor: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, f) in funds.iter().enumerate() {
            let g = run.rows("style/exposures.csv", "fund", f);
            let last = g.distinct("date").into_iter().max().unwrap_or_default();
            let g = g.filter("date", &last);
            let (fc, bc) = (g.col("factor").unwrap_or(0), g.col("beta").unwrap_or(0));
            for r in &g.rows {
                by_factor
                    .entry(r[fc].clone())
                    .or_insert_with(|| vec![String::new(); funds.len()])[k] = r[bc].clone();
            }
        }
        let mut header = vec!["factor".to_string()];
        header.extend(funds.iter().cloned());
        latest.grid = Some(Grid {
            header,
            rows: by_factor
                .into_iter()
                .map(|(f, mut v)| {
                    v.insert(0, f);
                    v
                })
                .collect(),
        });
    }
    vec![first, latest]
}

/// HTML-escaped text.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A path segment, percent-encoded (ids may hold spaces or slashes).
pub fn enc(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

/// A whole page.
pub fn page(run: &RunData, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} · peergroup</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><style>{CSS}</style></head>\
         <body><header><a href=\"/\">peergroup</a> · {run_title}</header><main><h1>{t}</h1>{body}</main></body></html>",
        t = esc(title),
        run_title = esc(&run.title),
    )
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#222}header{background:#1f3a5f;color:#fff;padding:.6em 1em}\
header a{color:#fff;font-weight:bold;text-decoration:none}main{padding:1em 2em;max-width:1200px}\
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}\
th{background:#eef2f7}.note{color:#555}.dl{font-size:.85em}svg{max-width:100%;height:auto}";

/// Columns whose cells name a fund or a peer group: shown as links.
fn link(column: &str, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    match column {
        "fund" | "peer" | "id" => Some(format!("/fund/{}", enc(value))),
        "peer_group" | "cluster" => Some(format!("/group/{}", enc(value))),
        _ => None,
    }
}

/// A cell as shown on a page: numbers with more than four decimals are rounded to four
/// (the downloads keep every digit).
fn shown_number(v: &str) -> std::borrow::Cow<'_, str> {
    let decimals = v.split_once('.').map_or(0, |(_, d)| d.len());
    match v.parse::<f64>() {
        Ok(x) if decimals > 4 && x.is_finite() => format!("{x:.4}").into(),
        _ => v.into(),
    }
}

/// A table as HTML (at most [`SHOWN_ROWS`] rows).
pub fn table_html(g: &Grid) -> String {
    let mut h = String::from("<table><thead><tr>");
    for c in &g.header {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr></thead><tbody>");
    for r in g.rows.iter().take(SHOWN_ROWS) {
        h.push_str("<tr>");
        for (c, v) in g.header.iter().zip(r) {
            match link(c, v) {
                Some(url) => {
                    let _ = write!(h, "<td><a href=\"{url}\">{}</a></td>", esc(v));
                }
                None => {
                    let _ = write!(h, "<td>{}</td>", esc(&shown_number(v)));
                }
            }
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    if g.rows.len() > SHOWN_ROWS {
        let _ = write!(
            h,
            "<p class=\"note\">First {SHOWN_ROWS} of {} rows; the download has them all.</p>",
            g.rows.len()
        );
    }
    h
}

/// Sections as HTML; downloads under `base` (`/fund/F1`).
pub fn sections_html(base: &str, sections: &[Section]) -> String {
    let mut h = String::new();
    for s in sections {
        let _ = write!(
            h,
            "<section id=\"{k}\"><h2>{}</h2>",
            esc(&s.title),
            k = s.key
        );
        if let Some(n) = &s.note {
            let _ = write!(h, "<p class=\"note\">{}</p>", esc(n));
        }
        if let Some(svg) = &s.chart {
            h.push_str(svg);
            let _ = write!(
                h,
                "<p class=\"dl\"><a href=\"{base}/{k}.svg\" download>chart (SVG)</a></p>",
                k = s.key
            );
        }
        if let Some(g) = &s.grid {
            h.push_str(&table_html(g));
            let _ = write!(
                h,
                "<p class=\"dl\">Download: <a href=\"{base}/{k}.csv\" download>CSV</a> · <a href=\"{base}/{k}.xlsx\" download>XLSX</a></p>",
                k = s.key
            );
        }
        h.push_str("</section>");
    }
    h
}
