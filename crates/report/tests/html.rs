//! The HTML report: escaping, chart inlining, tables and the JSON form of the model.

mod xml;

use std::collections::HashMap;

use peergroup_report::*;

/// A report exercising every kind of block.
fn sample() -> Report {
    Report {
        title: "Peer groups <script>alert(1)</script> & more".into(),
        subtitle: "Synthetic data, 1990-01 to 2020-12".into(),
        sections: vec![
            Section {
                heading: "Overview".into(),
                blocks: vec![
                    Block::Paragraph {
                        text: "First paragraph.\n\nSecond < third.".into(),
                    },
                    Block::Metrics {
                        items: vec![
                            ("Funds".into(), "1,204".into()),
                            ("Peer groups".into(), "12".into()),
                        ],
                    },
                ],
            },
            Section {
                heading: "Charts".into(),
                blocks: vec![
                    Block::Chart {
                        file: "charts/growth.svg".into(),
                        caption: "Growth of 1".into(),
                    },
                    Block::Chart {
                        file: "charts/absent.svg".into(),
                        caption: String::new(),
                    },
                ],
            },
            Section {
                heading: "Tables".into(),
                blocks: vec![
                    Block::Table {
                        caption: "Top funds".into(),
                        columns: vec!["Fund".into(), "Return".into(), "Inception".into()],
                        rows: vec![
                            vec!["Alpha & Sons".into(), "12.5%".into(), "2001-03-31".into()],
                            vec!["Beta".into(), "-1,234.5".into(), "2004-01-31".into()],
                            vec!["Gamma".into(), "n/a".into()],
                        ],
                        file: Some("tables/top funds.csv".into()),
                    },
                    Block::Notes {
                        items: vec!["Returns are net of fees.".into()],
                    },
                ],
            },
        ],
    }
}

/// Loads charts from an in-memory map, as the command-line tool would from a run directory.
fn render(report: &Report) -> String {
    let files: HashMap<&str, String> = HashMap::from([(
        "charts/growth.svg",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_string()
            + &line_chart(&LineChart {
                title: "Growth".into(),
                series: vec![Series {
                    name: "A".into(),
                    points: vec![(0.0, 1.0), (1.0, 2.0)],
                }],
                ..LineChart::default()
            }),
    )]);
    render_html(report, &|file: &str| files.get(file).cloned())
}

#[test]
fn the_page_is_well_formed_and_self_contained() {
    let html = render(&sample());
    assert!(html.starts_with("<!DOCTYPE html>"));
    if let Err(e) = xml::check(&html) {
        panic!("malformed page: {e}");
    }
    assert!(
        !html.contains("<script"),
        "no scripts, and titles are escaped"
    );
    assert!(
        !html.contains("http://") || html.matches("http://").count() == 1,
        "only the SVG namespace"
    );
    assert!(!html.contains("https://"));
    assert!(html.contains("<style>"));
}

#[test]
fn text_is_escaped() {
    let html = render(&sample());
    assert!(html
        .contains("<title>Peer groups &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</title>"));
    assert!(html.contains("<p>Second &lt; third.</p>"));
    assert!(html.contains("Alpha &amp; Sons"));
}

#[test]
fn charts_are_inlined_and_missing_ones_reported() {
    let html = render(&sample());
    assert!(html.contains("<figure class=\"chart\">\n<svg xmlns="));
    assert!(!html.contains("<?xml"));
    assert!(html.contains("chart missing: charts/absent.svg"));
    assert!(html.contains("<figcaption>Growth of 1</figcaption>"));
}

#[test]
fn contents_link_to_sections() {
    let html = render(&sample());
    for (id, heading) in [
        ("s1-overview", "Overview"),
        ("s2-charts", "Charts"),
        ("s3-tables", "Tables"),
    ] {
        assert!(html.contains(&format!("<li><a href=\"#{id}\">{heading}</a></li>")));
        assert!(html.contains(&format!("<section id=\"{id}\">")));
    }
}

#[test]
fn tables_align_numbers_and_link_their_csv() {
    let html = render(&sample());
    assert!(html.contains("<th>Fund</th><th class=\"num\">Return</th><th>Inception</th>"));
    assert!(html.contains("<td>Beta</td><td class=\"num\">-1,234.5</td>"));
    assert!(
        html.contains("<td>Gamma</td><td class=\"num\">n/a</td><td></td>"),
        "short rows are padded"
    );
    assert!(html.contains("<a href=\"tables/top%20funds.csv\">"));
    assert!(html.contains("<div class=\"metric\"><div class=\"value\">1,204</div><div class=\"label\">Funds</div></div>"));
}

#[test]
fn reports_round_trip_through_json() {
    let report = sample();
    let json = serde_json::to_string_pretty(&report).unwrap();
    assert!(json.contains("\"type\": \"chart\""));
    assert!(json.contains("\"type\": \"paragraph\""));
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);

    let minimal: Report = serde_json::from_str(
        r#"{"title": "T", "sections": [{"heading": "H", "blocks": [
            {"type": "table", "columns": ["a"], "rows": [["1"]]},
            {"type": "metrics", "items": [["k", "v"]]}]}]}"#,
    )
    .unwrap();
    assert_eq!(minimal.subtitle, "");
    assert!(matches!(
        &minimal.sections[0].blocks[0],
        Block::Table { file: None, .. }
    ));
}

#[test]
fn the_file_loader_stays_inside_the_run_directory() {
    let dir = std::env::temp_dir().join(format!("peergroup-report-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("charts")).unwrap();
    std::fs::write(dir.join("charts/a.svg"), "<svg/>").unwrap();
    let load = svg_file_loader(&dir);
    assert_eq!(load("charts/a.svg").as_deref(), Some("<svg/>"));
    assert_eq!(load("charts/missing.svg"), None);
    assert_eq!(load("../charts/a.svg"), None);
    assert_eq!(load(dir.join("charts/a.svg").to_str().unwrap()), None);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn columns_of_sentences_wrap_in_a_wide_column() {
    let note = "alpha, delta not significant at 5%: set to 0 and re-estimated; no ARCH effect";
    let report = Report {
        title: "t".into(),
        subtitle: String::new(),
        sections: vec![Section {
            heading: "s".into(),
            blocks: vec![Block::Table {
                caption: String::new(),
                columns: vec!["fund".into(), "gain".into(), "note".into()],
                rows: vec![
                    vec!["A".into(), "1.5%".into(), note.into()],
                    vec!["B".into(), "2.0%".into(), String::new()],
                ],
                file: None,
            }],
        }],
    };
    let html = render(&report);
    assert!(html.contains("<th class=\"prose\">note</th>"));
    assert!(html.contains(&format!("<td class=\"prose\">{}</td>", note)));
    assert!(html.contains("<td>A</td><td class=\"num\">1.5%</td>"));
    assert!(html.contains("td.prose, th.prose { min-width: 18rem; white-space: normal;"));
}
