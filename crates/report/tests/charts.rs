//! Every chart gives a well-formed SVG document, for ordinary and awkward inputs alike.

mod xml;

use peergroup_calendar::Date;
use peergroup_report::*;

/// Asserts that `svg` is a well-formed SVG document and returns it.
fn well_formed(svg: String) -> String {
    if let Err(e) = xml::check(&svg) {
        panic!("malformed SVG: {e}\n{svg}");
    }
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 800 "));
    assert!(svg.contains(r#"width="100%""#) && svg.contains(r#"font-family="sans-serif""#));
    svg
}

/// A deterministic sequence of numbers in 0..1 for bulk test data.
fn noise(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Days since 1970-01-01 of the end of `month` in `year`.
fn month_end(year: i32, month: u32) -> f64 {
    Date::month_end(year, month).unwrap().days() as f64
}

/// A monthly growth-of-1 series from 1949 to 2017.
fn growth(name: &str, seed: u64) -> Series {
    let mut next = noise(seed);
    let mut value = 1.0;
    let points = (1949..=2017)
        .flat_map(|y| (1..=12).map(move |m| (y, m)))
        .map(|(y, m)| {
            value *= 1.0 + (next() - 0.45) * 0.08;
            (month_end(y, m), value)
        })
        .collect();
    Series {
        name: name.to_string(),
        points,
    }
}

const HOSTILE: &str = "<script>alert('x')</script> & \"co\"";

#[test]
fn xml_checker_rejects_malformed_documents() {
    assert!(xml::check(r#"<svg a="1"><g><text>a &amp; b</text></g><rect/></svg>"#).is_ok());
    for bad in [
        "<svg><g></svg>",
        "<svg>a & b</svg>",
        "<svg>a > b</svg>",
        r#"<svg a="<"></svg>"#,
        r#"<svg a=1></svg>"#,
        r#"<svg a="1" a="2"></svg>"#,
        "<svg></svg><svg></svg>",
        "<svg>",
    ] {
        assert!(xml::check(bad).is_err(), "{bad}");
    }
}

#[test]
fn line_charts_are_well_formed() {
    let normal = LineChart {
        title: "Growth of 1".into(),
        x_label: "".into(),
        y_label: "Value".into(),
        x_axis: XAxis::Dates,
        log_y: true,
        series: vec![
            growth("Fund A", 1),
            growth("Fund B", 2),
            growth("Peer median", 3),
        ],
    };
    let svg = well_formed(line_chart(&normal));
    for year in ["1950", "1980", "2010"] {
        assert!(svg.contains(&format!(">{year}</text>")), "{year}");
    }
    assert!(svg.contains(">Peer median</text>"));

    let edge_cases = [
        vec![],
        vec![Series::default()],
        vec![Series {
            name: "one".into(),
            points: vec![(3.0, 4.0)],
        }],
        vec![Series {
            name: "flat".into(),
            points: vec![(0.0, 2.0), (1.0, 2.0), (2.0, 2.0)],
        }],
        vec![Series {
            name: "gaps".into(),
            points: vec![
                (0.0, 1.0),
                (1.0, f64::NAN),
                (2.0, 3.0),
                (3.0, f64::INFINITY),
                (f64::NAN, 2.0),
                (5.0, -1.0),
                (6.0, 0.5),
                (7.0, 1e308),
            ],
        }],
        vec![
            Series {
                name: "x".repeat(500),
                points: vec![(0.0, 1.0), (1.0, 2.0)],
            },
            Series::default(),
        ],
    ];
    for series in edge_cases {
        for (log_y, x_axis) in [(false, XAxis::Numeric), (true, XAxis::Dates)] {
            let chart = LineChart {
                title: HOSTILE.into(),
                x_label: "y".repeat(300),
                y_label: HOSTILE.into(),
                x_axis,
                log_y,
                series: series.clone(),
            };
            let svg = well_formed(line_chart(&chart));
            assert!(!svg.contains("<script"));
        }
    }
}

#[test]
fn empty_charts_say_no_data() {
    let svg = well_formed(line_chart(&LineChart::default()));
    assert!(svg.contains(">no data</text>"));
    let svg = well_formed(bar_chart(&BarChart::default()));
    assert!(svg.contains(">no data</text>"));
}

#[test]
fn titles_are_escaped() {
    let chart = BarChart {
        title: HOSTILE.into(),
        labels: vec![HOSTILE.into()],
        values: vec![1.0],
        ..BarChart::default()
    };
    let svg = well_formed(bar_chart(&chart));
    assert!(!svg.contains("<script"));
    assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
}

#[test]
fn long_labels_are_shortened() {
    let chart = BarChart {
        title: "t".repeat(1000),
        labels: vec!["a very long fund name that goes on and on and on forever more".repeat(5)],
        values: vec![1.0],
        horizontal: true,
        ..BarChart::default()
    };
    let svg = well_formed(bar_chart(&chart));
    assert!(svg.contains('…'));
    assert!(!svg.contains(&"t".repeat(200)));
}

#[test]
fn many_series_get_a_bounded_legend() {
    let series: Vec<Series> = (0..25)
        .map(|i| growth(&format!("Fund number {i}"), i))
        .collect();
    let chart = LineChart {
        title: "Many".into(),
        x_axis: XAxis::Dates,
        series,
        ..LineChart::default()
    };
    let svg = well_formed(line_chart(&chart));
    assert!(svg.contains(" more</text>"), "expected a +N more note");
    assert!(
        svg.contains("stroke-dasharray"),
        "series beyond ten are dashed"
    );
}

#[test]
fn long_lines_give_compact_paths() {
    let series: Vec<Series> = (0..20)
        .map(|s| {
            let mut next = noise(s);
            let mut value = 100.0;
            let points = (0..3000)
                .map(|i| {
                    value += next() - 0.5;
                    (i as f64, value)
                })
                .collect();
            Series {
                name: format!("S{s}"),
                points,
            }
        })
        .collect();
    let chart = LineChart {
        series,
        ..LineChart::default()
    };
    let svg = well_formed(line_chart(&chart));
    assert!(svg.len() < 1_000_000, "{} bytes", svg.len());
    for d in svg
        .split(" d=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
    {
        for number in d.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
            let decimals = number.split_once('.').map_or(0, |(_, f)| f.len());
            assert!(decimals <= 1, "{number} in {d:.80}");
        }
    }
}

#[test]
fn bar_charts_are_well_formed() {
    let labels: Vec<String> = ["Alpha", "Beta", "Gamma", "Delta"]
        .map(String::from)
        .to_vec();
    for horizontal in [false, true] {
        let normal = BarChart {
            title: "Excess return".into(),
            value_label: "% per year".into(),
            labels: labels.clone(),
            values: vec![1.5, -0.7, 0.0, 3.2],
            horizontal,
        };
        let svg = well_formed(bar_chart(&normal));
        assert!(
            svg.contains("#e15759") && svg.contains("#4e79a7"),
            "coloured by sign"
        );

        let many = BarChart {
            labels: (0..300)
                .map(|i| format!("Fund with a longish name {i}"))
                .collect(),
            values: (0..300).map(|i| (i as f64 - 150.0) * 1e5).collect(),
            horizontal,
            ..BarChart::default()
        };
        well_formed(bar_chart(&many));

        for values in [
            vec![],
            vec![f64::NAN],
            vec![0.0, 0.0],
            vec![5.0],
            vec![1.0, f64::INFINITY, -2.0],
        ] {
            let chart = BarChart {
                labels: vec!["only one label".into()],
                values,
                horizontal,
                ..BarChart::default()
            };
            well_formed(bar_chart(&chart));
        }
    }
}

#[test]
fn stacked_areas_are_well_formed() {
    let x: Vec<f64> = (0..120)
        .map(|i| month_end(2010 + i / 12, (i % 12) as u32 + 1))
        .collect();
    let layer = |shift: f64| {
        (0..120)
            .map(|i| ((i as f64 / 10.0 + shift).sin() + 1.0) / 4.0)
            .collect()
    };
    let normal = StackedArea {
        title: "Style exposures".into(),
        x_axis: XAxis::Dates,
        x: x.clone(),
        layers: vec![
            ("Large value".into(), layer(0.0)),
            ("Large growth".into(), layer(1.0)),
            ("Small".into(), layer(2.0)),
        ],
        y_label: "Weight".into(),
        line: None,
    };
    let svg = well_formed(stacked_area(&normal));
    assert_eq!(svg.matches("<path ").count(), 3, "one area per layer");

    // An R² line over the layers: drawn (halo and line), named in the legend and tooltip.
    let with_line = StackedArea {
        line: Some(Series {
            name: "R²".into(),
            points: x.iter().map(|&d| (d, 0.8)).collect(),
        }),
        ..normal.clone()
    };
    let svg = well_formed(stacked_area(&with_line));
    assert_eq!(
        svg.matches("<path ").count(),
        6,
        "areas, halo, line and its legend swatch"
    );
    assert!(svg.contains("<title>R²</title>") && svg.contains(">R²</text>"));

    let edge_cases = [
        StackedArea::default(),
        StackedArea {
            x: vec![1.0],
            layers: vec![("a".into(), vec![1.0])],
            ..StackedArea::default()
        },
        StackedArea {
            x: vec![3.0, f64::NAN, 1.0, 2.0],
            layers: vec![
                ("neg".into(), vec![-1.0, 2.0, f64::NAN]),
                ("b".into(), vec![]),
            ],
            ..StackedArea::default()
        },
        StackedArea {
            x: vec![0.0, 1.0],
            layers: vec![],
            ..StackedArea::default()
        },
    ];
    for chart in edge_cases {
        well_formed(stacked_area(&chart));
    }
}

#[test]
fn scatters_are_well_formed() {
    let mut next = noise(7);
    let points: Vec<ScatterPoint> = (0..200)
        .map(|i| ScatterPoint {
            x: next() * 0.3,
            y: next() * 0.2 - 0.05,
            group: format!("Segment {}", i % 14),
            label: (i % 50 == 0).then(|| format!("Fund <{i}> & co")),
        })
        .collect();
    let chart = Scatter {
        title: "Risk and return".into(),
        x_label: "Volatility".into(),
        y_label: "Return".into(),
        points,
    };
    let svg = well_formed(scatter(&chart));
    assert!(svg.contains("Fund &lt;0&gt; &amp; co"));

    let single = |x: f64, y: f64| Scatter {
        points: vec![ScatterPoint {
            x,
            y,
            group: String::new(),
            label: Some(String::new()),
        }],
        ..Scatter::default()
    };
    for chart in [
        Scatter::default(),
        single(1.0, 1.0),
        single(f64::NAN, 1.0),
        single(0.0, 0.0),
    ] {
        well_formed(scatter(&chart));
    }
}

#[test]
fn heatmaps_are_well_formed() {
    let names: Vec<String> = ["Alpha", "Beta", "Gamma"].map(String::from).to_vec();
    let normal = Heatmap {
        title: "Correlations".into(),
        row_labels: names.clone(),
        col_labels: names.clone(),
        values: vec![1.0, 0.5, -0.3, 0.5, 1.0, 0.1, -0.3, 0.1, 1.0],
        min: -1.0,
        max: 1.0,
        reversed: false,
    };
    let svg = well_formed(heatmap(&normal));
    assert!(
        svg.contains(">-0.30</text>"),
        "values written in large cells"
    );

    let n = 120;
    let big = Heatmap {
        row_labels: (0..n).map(|i| format!("Fund {i}")).collect(),
        col_labels: (0..n).map(|i| format!("Fund {i}")).collect(),
        values: (0..n * n).map(|i| (i % 17) as f64).collect(),
        min: f64::NAN,
        max: f64::NAN,
        ..Heatmap::default()
    };
    well_formed(heatmap(&big));

    let edge_cases = [
        Heatmap::default(),
        Heatmap {
            row_labels: names.clone(),
            ..Heatmap::default()
        },
        Heatmap {
            row_labels: names.clone(),
            col_labels: names.clone(),
            values: vec![2.0; 4],
            min: 5.0,
            max: 5.0,
            ..Heatmap::default()
        },
        Heatmap {
            row_labels: names.clone(),
            col_labels: names[..1].to_vec(),
            values: vec![f64::NAN; 3],
            min: 0.0,
            max: 0.0,
            ..Heatmap::default()
        },
    ];
    for chart in edge_cases {
        well_formed(heatmap(&chart));
    }
}

/// The link paths of a dendrogram SVG (its only group with `fill="none"`).
fn links(svg: &str) -> usize {
    let start = svg.find(r#"<g fill="none""#).expect("a group of links");
    let end = start + svg[start..].find("</g>").unwrap();
    svg[start..end].matches("<path ").count()
}

#[test]
fn dendrograms_draw_every_merge_in_leaf_order() {
    let chart = Dendrogram {
        title: "Clusters".into(),
        labels: ["A", "B", "C", "D"].map(String::from).to_vec(),
        merges: vec![(0, 2, 1.0, 2), (1, 3, 1.5, 2), (5, 4, 3.0, 4)],
        y_label: "Distance".into(),
        ..Dendrogram::default()
    };
    let svg = well_formed(dendrogram(&chart));
    assert_eq!(links(&svg), 3);
    let position = |leaf: &str| svg.find(&format!(">{leaf}</text>")).unwrap();
    assert!(
        position("B") < position("D")
            && position("D") < position("A")
            && position("A") < position("C")
    );

    // A chain-like linkage of 400 leaves: n - 1 merges, and too many leaves to label.
    let n = 400;
    let mut merges = vec![(0, 1, 0.1, 2)];
    for i in 2..n {
        merges.push((n + i - 2, i, 0.1 * i as f64, i + 1));
    }
    let big = Dendrogram {
        labels: (0..n).map(|i| format!("Fund {i}")).collect(),
        merges,
        ..Dendrogram::default()
    };
    let svg = well_formed(dendrogram(&big));
    assert_eq!(links(&svg), n - 1);
    assert_eq!(dendrogram_leaf_order(n, &big.merges).len(), n);

    let edge_cases = [
        Dendrogram::default(),
        Dendrogram {
            labels: vec!["only".into()],
            ..Dendrogram::default()
        },
        Dendrogram {
            merges: vec![(0, 1, f64::NAN, 2)],
            ..Dendrogram::default()
        },
        Dendrogram {
            labels: vec!["a".into(), "b".into(), "c".into()],
            merges: vec![(0, 7, 1.0, 2), (1, 1, 2.0, 2)],
            ..Dendrogram::default()
        },
        Dendrogram {
            labels: vec!["a".into(), "b".into()],
            merges: vec![(0, 1, 0.0, 2)],
            ..Dendrogram::default()
        },
    ];
    for chart in edge_cases {
        well_formed(dendrogram(&chart));
    }
}

#[test]
fn charts_are_deterministic() {
    let chart = LineChart {
        series: vec![growth("A", 1)],
        x_axis: XAxis::Dates,
        ..LineChart::default()
    };
    assert_eq!(line_chart(&chart), line_chart(&chart));
}

#[test]
fn dendrograms_show_p_values_cut_and_given_clusters() {
    let chart = Dendrogram {
        title: "Clusters".into(),
        labels: ["A", "B", "C", "D"].map(String::from).to_vec(),
        merges: vec![(0, 2, 1.0, 2), (1, 3, 1.5, 2), (5, 4, 3.0, 4)],
        y_label: "Distance".into(),
        p_values: vec![(0.95, 0.81), (0.62, 0.4), (1.0, 1.0)],
        cut: Some(2.25),
        leaf_clusters: vec![0, 1, 0, 1],
    };
    let svg = well_formed(dendrogram(&chart));
    // pvclust's layout: AU in red right-aligned left of the node, BP in green after it.
    for (au, bp) in [("95", "81"), ("62", "40"), ("100", "100")] {
        assert!(
            svg.contains(&format!(
                r##"text-anchor="end" fill="#d62728">{au}</text>"##
            )),
            "AU {au}"
        );
        assert!(
            svg.contains(&format!(r##"fill="#2ca02c">{bp}</text>"##)),
            "BP {bp}"
        );
    }
    assert!(svg.contains("AU 95, BP 81"), "p-values in the link tooltip");
    assert!(svg.contains("stroke-dasharray=\"5 4\"") && svg.contains("cut at height 2.25"));
    // Leaves B, D are drawn first: their cluster gets the first colour, A and C the second.
    assert!(
        svg.contains(r##"fill="#4e79a7">B</text>"##)
            && svg.contains(r##"fill="#f28e2b">A</text>"##)
    );
    assert!(
        svg.contains("<title>B: cluster 2</title>") && svg.contains("<title>C: cluster 1</title>")
    );
    // The root spans both clusters: its link is grey, the others take the cluster colours.
    assert!(svg.contains(r##"stroke="#8c8c8c"><title>height 3"##));

    // Too many leaves to write p-values: tooltips only. A cut above the tree widens the axis.
    let n = 200;
    let mut merges = vec![(0, 1, 0.1, 2)];
    for i in 2..n {
        merges.push((n + i - 2, i, 0.1 * i as f64, i + 1));
    }
    let big = Dendrogram {
        labels: (0..n).map(|i| format!("Fund {i}")).collect(),
        p_values: vec![(0.5, 0.25); n - 1],
        merges,
        cut: Some(100.0),
        ..Dendrogram::default()
    };
    let svg = well_formed(dendrogram(&big));
    assert!(!svg.contains(">50</text>") && svg.contains("AU 50, BP 25"));
    assert!(svg.contains(">100</text>"), "axis reaches the cut");
}

#[test]
fn large_heatmaps_are_averaged_in_blocks() {
    let n = 2000;
    let names: Vec<String> = (0..n).map(|i| format!("Fund {i}")).collect();
    // Two halves: 1 within a half, 0 across.
    let values: Vec<f64> = (0..n * n)
        .map(|i| {
            if (i / n < n / 2) == (i % n < n / 2) {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let big = Heatmap {
        title: "Similarity".into(),
        row_labels: names.clone(),
        col_labels: names,
        values,
        min: 0.0,
        max: 1.0,
        reversed: false,
    };
    let svg = well_formed(heatmap(&big));
    let cells = svg.matches("<rect ").count();
    assert!(cells <= 80 * 80 + 60, "{cells} rects");
    assert!(svg.len() < 1_500_000, "{} bytes", svg.len());
    assert!(svg.contains("means over blocks of 25 × 25"));
    assert!(svg.contains(">Fund 0 … Fund 24</text>"));
    assert!(svg.contains("<title>Fund 0 … Fund 24 × Fund 1975 … Fund 1999: 0.00</title>"));
    assert!(svg.contains("<title>Fund 0 … Fund 24 × Fund 25 … Fund 49: 1.00</title>"));
}

#[test]
fn reversed_heatmaps_swap_the_diverging_colours() {
    let chart = Heatmap {
        row_labels: vec!["r".into()],
        col_labels: vec!["loss".into(), "gain".into()],
        values: vec![-1.0, 1.0],
        min: -1.0,
        max: 1.0,
        ..Heatmap::default()
    };
    let fill_of = |svg: &str, cell: &str| {
        let end = svg.find(&format!("><title>r × {cell}:")).unwrap();
        let start = svg[..end].rfind("fill=\"").unwrap() + 6;
        svg[start..end - 1].to_string()
    };
    let normal = well_formed(heatmap(&chart));
    let reversed = well_formed(heatmap(&Heatmap {
        reversed: true,
        ..chart
    }));
    assert_ne!(fill_of(&normal, "loss"), fill_of(&normal, "gain"));
    assert_eq!(fill_of(&normal, "loss"), fill_of(&reversed, "gain"));
    assert_eq!(fill_of(&normal, "gain"), fill_of(&reversed, "loss"));
}
