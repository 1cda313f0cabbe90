//! Stacked area charts: parts of a whole over time, e.g. style exposures of a fund.

use crate::axis::{finite_range, Axis, XAxis};
use crate::frame::AxesChart;
use crate::legend::{Entry, Legend, Swatch};
use crate::line::Series;
use crate::palette::fill;
use crate::svg::{plottable, Path};

/// Layers stacked on top of each other over a shared x axis.
///
/// Stacking only makes sense for non-negative parts: negative and non-finite values are
/// drawn as zero (a short position in a style exposure simply does not show).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackedArea {
    /// Title above the chart.
    pub title: String,
    /// Whether x values are numbers or dates.
    pub x_axis: XAxis,
    /// The x values shared by all layers; points with a non-finite x are left out.
    pub x: Vec<f64>,
    /// Named layers, bottom first, each with one value per x (missing values count as 0).
    pub layers: Vec<(String, Vec<f64>)>,
    /// Title of the y axis.
    pub y_label: String,
    /// A line drawn over the layers on the same y axis, e.g. the R² of each window over
    /// exposures that sum to one; a point with a non-finite value breaks it.
    pub line: Option<Series>,
}

/// Colour of the overlaid line: dark, so it reads over any fill.
const LINE_INK: &str = "#1a1a1a";

/// Renders a stacked area chart as an SVG document.
pub fn stacked_area(c: &StackedArea) -> String {
    // Areas are drawn in x order so that their outlines never fold back.
    let mut order: Vec<usize> = (0..c.x.len()).filter(|&i| plottable(c.x[i])).collect();
    order.sort_by(|&a, &b| c.x[a].total_cmp(&c.x[b]));
    let xs: Vec<f64> = order.iter().map(|&i| c.x[i]).collect();

    let part = |values: &[f64], i: usize| {
        values
            .get(i)
            .copied()
            .filter(|&v| plottable(v) && v > 0.0)
            .unwrap_or(0.0)
    };
    // tops[l][k]: the upper edge of layer l at the k-th x, the sum of layers 0..=l.
    let mut tops: Vec<Vec<f64>> = Vec::with_capacity(c.layers.len());
    let mut below = vec![0.0; order.len()];
    for (_, values) in &c.layers {
        let top: Vec<f64> = order
            .iter()
            .zip(&below)
            .map(|(&i, base)| base + part(values, i))
            .collect();
        below.clone_from(&top);
        tops.push(top);
    }
    let line_points: Vec<(f64, f64)> = c.line.as_ref().map_or_else(Vec::new, |l| {
        let mut points = l.points.clone();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        points
    });
    let usable = |&(x, y): &(f64, f64)| plottable(x) && plottable(y);
    let highest = below
        .iter()
        .copied()
        .chain(line_points.iter().filter(|p| usable(p)).map(|p| p.1))
        .fold(0.0, f64::max);

    let x_range = finite_range(xs.iter().copied());
    let x_axis = Axis::x(c.x_axis, x_range);
    let y_axis = Axis::linear(Some((0.0, if highest > 0.0 { highest } else { 1.0 })), 6);
    let entries = c
        .layers
        .iter()
        .enumerate()
        .map(|(l, (name, _))| Entry {
            label: name.clone(),
            swatch: Swatch::Block { colour: fill(l) },
        })
        .collect();
    let mut entries: Vec<Entry> = entries;
    if let Some(line) = &c.line {
        entries.push(Entry {
            label: line.name.clone(),
            swatch: Swatch::Line {
                colour: LINE_INK,
                dash: None,
            },
        });
    }
    let legend = Legend::unless_single(entries);
    let mut chart = AxesChart::new(&c.title, (&x_axis, ""), (&y_axis, &c.y_label), legend);
    let plot = chart.plot;
    let zeros = vec![0.0; xs.len()];
    for (l, top) in tops.iter().enumerate() {
        let base = if l == 0 { &zeros } else { &tops[l - 1] };
        let mut path = Path::new();
        for (k, (&x, &y)) in xs.iter().zip(top).enumerate() {
            let (px, py) = (plot.x_of(&x_axis, x), plot.y_of(&y_axis, y));
            if k == 0 {
                path.move_to(px, py);
            } else {
                path.line_to(px, py);
            }
        }
        for (&x, &y) in xs.iter().zip(base).rev() {
            path.line_to(plot.x_of(&x_axis, x), plot.y_of(&y_axis, y));
        }
        path.close();
        let attributes = format!(r#"fill="{}" fill-opacity="0.9""#, fill(l));
        chart.svg.path(&path, &attributes, Some(&c.layers[l].0));
    }
    if let Some(line) = &c.line {
        let mut path = Path::new();
        for run in line_points.split(|p| !usable(p)) {
            for (k, &(x, y)) in run.iter().enumerate() {
                let (px, py) = (plot.x_of(&x_axis, x), plot.y_of(&y_axis, y));
                if k == 0 {
                    path.move_to(px, py);
                } else {
                    path.line_to(px, py);
                }
            }
        }
        // A white halo keeps the line visible where it crosses a dark fill.
        let halo = r##"fill="none" stroke="#fff" stroke-width="3.5" stroke-linejoin="round""##;
        chart.svg.path(&path, halo, None);
        let attributes = format!(
            r#"fill="none" stroke="{LINE_INK}" stroke-width="1.6" stroke-linejoin="round""#
        );
        chart.svg.path(&path, &attributes, Some(&line.name));
    }
    chart.finish(xs.is_empty() || c.layers.is_empty())
}
