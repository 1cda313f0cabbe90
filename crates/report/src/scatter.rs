//! Scatter plots: points coloured by group, e.g. risk against return by peer group.

use std::collections::HashMap;

use crate::axis::{finite_range, Axis};
use crate::frame::AxesChart;
use crate::legend::{Entry, Legend, Swatch};
use crate::marker::{draw_marker, Shape, RADIUS};
use crate::number::format_compact;
use crate::palette::{colour, PALETTE};
use crate::svg::{fit, plottable, Label, MUTED};

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
    let legend = Legend::unless_single(entries);
    let mut chart = AxesChart::new(
        &c.title,
        (&x_axis, &c.x_label),
        (&y_axis, &c.y_label),
        legend,
    );
    let (svg, plot) = (&mut chart.svg, chart.plot);
    svg.open_group(r#"fill-opacity="0.85""#);
    for p in &points {
        let g = group_of[p.group.as_str()];
        let at = (plot.x_of(&x_axis, p.x), plot.y_of(&y_axis, p.y));
        let name = p.label.as_deref().unwrap_or(&p.group);
        let tip = format!("{name}: ({}, {})", format_compact(p.x), format_compact(p.y));
        draw_marker(svg, shape(g), at, colour(g), Some(&tip));
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
    chart.finish(points.is_empty())
}
