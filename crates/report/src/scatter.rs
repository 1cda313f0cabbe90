//! Scatter plots: points coloured by group, e.g. risk against return by peer group.

use std::collections::HashMap;

use crate::axis::{draw_x, draw_y, finite_range, Axis};
use crate::frame::{draw_no_data, draw_title, legend_top, plot_area};
use crate::legend::{Entry, Legend, Swatch};
use crate::number::format_compact;
use crate::palette::{colour, PALETTE};
use crate::svg::{fit, plottable, Label, Path, Svg, HEIGHT, MUTED, WIDTH};

/// One point of a [`Scatter`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScatterPoint {
    /// Horizontal value.
    pub x: f64,
    /// Vertical value.
    pub y: f64,
    /// Group the point belongs to; each group gets its own colour and legend entry.
    pub group: String,
    /// Text written next to the point, if any.
    pub label: Option<String>,
}

/// A scatter plot of points in groups.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scatter {
    /// Title above the chart.
    pub title: String,
    /// Title of the x axis.
    pub x_label: String,
    /// Title of the y axis.
    pub y_label: String,
    /// The points; those with a non-finite coordinate are left out.
    pub points: Vec<ScatterPoint>,
}

/// Shape of a point marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A disc.
    Circle,
    /// A square.
    Square,
    /// A triangle pointing up.
    Triangle,
    /// A square standing on a corner.
    Diamond,
}

/// Radius of point markers.
const RADIUS: f64 = 3.5;
/// Widest label written next to a point.
const MAX_POINT_LABEL: f64 = 120.0;
/// Font size of point labels.
const POINT_LABEL_FONT: f64 = 9.0;

/// Marker shape of the `g`-th group: groups sharing a colour differ in shape.
fn shape(g: usize) -> Shape {
    match (g / PALETTE.len()) % 4 {
        0 => Shape::Circle,
        1 => Shape::Square,
        2 => Shape::Triangle,
        _ => Shape::Diamond,
    }
}

/// Draws a marker centred on `at`, with an optional hover tooltip.
pub(crate) fn draw_marker(
    svg: &mut Svg,
    shape: Shape,
    at: (f64, f64),
    fill: &str,
    tip: Option<&str>,
) {
    let (x, y, r) = (at.0, at.1, RADIUS);
    let mut path = Path::new();
    match shape {
        Shape::Circle => return svg.circle(x, y, r, fill, tip),
        Shape::Square => return svg.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8, fill, tip),
        Shape::Triangle => {
            path.move_to(x, y - r * 1.1);
            path.line_to(x + r, y + r * 0.75);
            path.line_to(x - r, y + r * 0.75);
        }
        Shape::Diamond => {
            path.move_to(x, y - r * 1.2);
            path.line_to(x + r, y);
            path.line_to(x, y + r * 1.2);
            path.line_to(x - r, y);
        }
    }
    path.close();
    svg.path(&path, &format!(r#"fill="{fill}""#), tip);
}

/// Renders a scatter plot as an SVG document.
pub fn scatter(c: &Scatter) -> String {
    let points: Vec<&ScatterPoint> = c
        .points
        .iter()
        .filter(|p| plottable(p.x) && plottable(p.y))
        .collect();
    // Groups are numbered in order of first appearance, which fixes their colours.
    let mut groups: Vec<&str> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for p in &c.points {
        group_of.entry(p.group.as_str()).or_insert_with(|| {
            groups.push(p.group.as_str());
            groups.len() - 1
        });
    }
    let x_axis = Axis::linear(finite_range(points.iter().map(|p| p.x)), 8);
    let y_axis = Axis::linear(finite_range(points.iter().map(|p| p.y)), 6);
    let legend = if groups.len() > 1 {
        let entries = groups
            .iter()
            .enumerate()
            .map(|(g, name)| Entry {
                label: name.to_string(),
                swatch: Swatch::Marker {
                    colour: colour(g),
                    shape: shape(g),
                },
            })
            .collect();
        Legend::new(entries)
    } else {
        Legend::none()
    };
    let plot = plot_area(HEIGHT, &c.title, &y_axis, (&c.x_label, &c.y_label), &legend);

    let mut svg = Svg::new(WIDTH, HEIGHT, &c.title);
    draw_title(&mut svg, &c.title);
    draw_y(&mut svg, plot, &y_axis, &c.y_label);
    draw_x(&mut svg, plot, &x_axis, &c.x_label);
    svg.open_group(r#"fill-opacity="0.85""#);
    for p in &points {
        let g = group_of[p.group.as_str()];
        let at = (plot.x_of(&x_axis, p.x), plot.y_of(&y_axis, p.y));
        let name = p.label.as_deref().unwrap_or(&p.group);
        let tip = format!("{name}: ({}, {})", format_compact(p.x), format_compact(p.y));
        draw_marker(&mut svg, shape(g), at, colour(g), Some(&tip));
    }
    svg.close_group();
    for p in &points {
        if let Some(text) = p.label.as_deref().filter(|t| !t.trim().is_empty()) {
            let (x, y) = (plot.x_of(&x_axis, p.x), plot.y_of(&y_axis, p.y));
            let text = fit(text, MAX_POINT_LABEL, POINT_LABEL_FONT);
            let label = Label::new(&text).size(POINT_LABEL_FONT).fill(MUTED);
            svg.label(x + RADIUS + 2.0, y - RADIUS, label);
        }
    }
    if points.is_empty() {
        draw_no_data(&mut svg, plot);
    }
    legend.draw(&mut svg, legend_top(plot, &c.x_label));
    svg.finish()
}
