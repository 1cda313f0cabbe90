//! Bar charts: one bar per category, coloured by sign, e.g. returns or scores by fund.

use crate::axis::{draw_x, draw_y, finite_range, Axis};
use crate::frame::{
    draw_no_data, draw_title, left_margin, top_margin, RIGHT_MARGIN, X_TICK_BAND, X_TITLE_BAND,
};
use crate::number::format_compact;
use crate::palette::{NEGATIVE, POSITIVE};
use crate::svg::{
    fit, plottable, widest, Anchor, Label, Rect, Svg, AXIS, FONT, HEIGHT, MAX_HEIGHT, WIDTH,
};

/// A bar chart of one value per category.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarChart {
    /// Title above the chart.
    pub title: String,
    /// Title of the value axis.
    pub value_label: String,
    /// Category names, one per value.
    pub labels: Vec<String>,
    /// Values; negative ones are drawn below (or left of) zero in another colour, and
    /// non-finite ones leave an empty slot.
    pub values: Vec<f64>,
    /// Whether bars run left to right, with category names on the left (better for many or
    /// long names); horizontal charts grow taller with the number of bars.
    pub horizontal: bool,
}

/// Widest category label beside horizontal bars.
const MAX_SIDE_LABEL: f64 = 220.0;
/// Longest rotated category label under vertical bars.
const MAX_ROTATED_LABEL: f64 = 120.0;
/// Height per bar that horizontal charts grow to provide.
const ROW_HEIGHT: f64 = 16.0;
/// Fraction of its slot a bar fills.
const BAR_FILL: f64 = 0.7;
/// Thickest a bar gets, so that a handful of bars do not turn into slabs.
const MAX_BAR: f64 = 80.0;

/// Renders a bar chart as an SVG document.
pub fn bar_chart(c: &BarChart) -> String {
    let range = finite_range(c.values.iter().copied()).map(|(lo, hi)| (lo.min(0.0), hi.max(0.0)));
    let axis = Axis::linear(range, 6);
    let mut svg;
    let plot;
    if c.horizontal {
        let top = top_margin(&c.title);
        let bottom = X_TICK_BAND + X_TITLE_BAND + 6.0;
        let height = (top + bottom + c.values.len() as f64 * ROW_HEIGHT).clamp(HEIGHT, MAX_HEIGHT);
        let label_width = widest(&c.labels).clamp(30.0, MAX_SIDE_LABEL);
        plot = Rect::between(
            label_width + 16.0,
            top,
            WIDTH - RIGHT_MARGIN,
            height - bottom,
        );
        svg = Svg::new(WIDTH, height, &c.title);
        draw_title(&mut svg, &c.title);
        draw_x(&mut svg, plot, &axis, &c.value_label);
        draw_horizontal(&mut svg, c, plot, &axis, label_width);
    } else {
        let left = left_margin(&axis, &c.value_label);
        let slot = (WIDTH - RIGHT_MARGIN - left) / c.values.len().max(1) as f64;
        let rotate = widest(&c.labels) > slot * 0.9;
        let label_band = if rotate {
            widest(&c.labels).min(MAX_ROTATED_LABEL) * 0.71 + 16.0
        } else {
            X_TICK_BAND
        };
        plot = Rect::between(
            left,
            top_margin(&c.title),
            WIDTH - RIGHT_MARGIN,
            HEIGHT - label_band - 6.0,
        );
        svg = Svg::new(WIDTH, HEIGHT, &c.title);
        draw_title(&mut svg, &c.title);
        draw_y(&mut svg, plot, &axis, &c.value_label);
        draw_vertical(&mut svg, c, plot, &axis, rotate);
    }
    if range.is_none() {
        draw_no_data(&mut svg, plot);
    }
    svg.finish()
}

/// Fill of a bar of value `v`.
fn fill(v: f64) -> &'static str {
    if v < 0.0 {
        NEGATIVE
    } else {
        POSITIVE
    }
}

/// Tooltip of a bar: its category and value.
fn tip(label: &str, v: f64) -> String {
    format!("{}: {}", label.trim(), format_compact(v))
}

/// Draws bars running from zero to the right (or left) with names on the left.
fn draw_horizontal(svg: &mut Svg, c: &BarChart, plot: Rect, axis: &Axis, label_width: f64) {
    let slot = plot.height / c.values.len().max(1) as f64;
    // With many bars only every k-th name fits; the bars themselves are all drawn.
    let stride = (12.0 / slot).ceil().max(1.0) as usize;
    let zero = plot.x_of(axis, 0.0);
    for (i, &v) in c.values.iter().enumerate() {
        let y = plot.top + slot * (i as f64 + 0.5);
        let name = c.labels.get(i).map_or("", String::as_str);
        if plottable(v) {
            let end = plot.x_of(axis, v);
            let h = (slot * BAR_FILL).min(MAX_BAR / 2.0);
            svg.rect(
                zero,
                y - h / 2.0,
                end - zero,
                h,
                fill(v),
                Some(&tip(name, v)),
            );
        }
        if i % stride == 0 {
            let text = fit(name, label_width, FONT);
            let label = Label::new(&text).anchor(Anchor::End);
            svg.label(plot.left - 6.0, y + 4.0, label);
        }
    }
    svg.line((zero, plot.top), (zero, plot.bottom()), AXIS, 1.0);
}

/// Draws bars rising (or falling) from zero with names below, rotated when they are
/// wider than a bar's slot.
fn draw_vertical(svg: &mut Svg, c: &BarChart, plot: Rect, axis: &Axis, rotate: bool) {
    let slot = plot.width / c.values.len().max(1) as f64;
    let stride = if rotate {
        (13.0 / slot).ceil().max(1.0) as usize
    } else {
        1
    };
    let zero = plot.y_of(axis, 0.0);
    for (i, &v) in c.values.iter().enumerate() {
        let x = plot.left + slot * (i as f64 + 0.5);
        let name = c.labels.get(i).map_or("", String::as_str);
        if plottable(v) {
            let w = (slot * BAR_FILL).min(MAX_BAR);
            let end = plot.y_of(axis, v);
            svg.rect(
                x - w / 2.0,
                zero,
                w,
                end - zero,
                fill(v),
                Some(&tip(name, v)),
            );
        }
        if i % stride != 0 {
            continue;
        }
        if rotate {
            let text = fit(name, MAX_ROTATED_LABEL, FONT);
            let label = Label::new(&text).anchor(Anchor::End).rotate(-45.0);
            svg.label(x + 3.0, plot.bottom() + 10.0, label);
        } else {
            let text = fit(name, slot, FONT);
            let label = Label::new(&text).anchor(Anchor::Middle);
            svg.label(x, plot.bottom() + 15.0, label);
        }
    }
    svg.line((plot.left, zero), (plot.right(), zero), AXIS, 1.0);
}
