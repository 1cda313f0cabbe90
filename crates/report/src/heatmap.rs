//! Heatmaps: a matrix of values as coloured cells, e.g. correlations between funds.

use crate::axis::{finite_range, nice_ticks};
use crate::frame::{draw_no_data, draw_title, top_margin};
use crate::number::{fixed, format_ticks};
use crate::palette::{Ramp, MISSING};
use crate::svg::{
    fit, plottable, text_width, widest, Anchor, Label, Rect, Svg, FONT, HEIGHT, MAX_HEIGHT, MUTED,
    WIDTH,
};

/// A matrix of values with named rows and columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heatmap {
    /// Title above the chart.
    pub title: String,
    /// Names of the rows, top to bottom.
    pub row_labels: Vec<String>,
    /// Names of the columns, left to right.
    pub col_labels: Vec<String>,
    /// Values in row-major order; missing or non-finite cells are drawn in light grey.
    pub values: Vec<f64>,
    /// Value at the low end of the colour scale; smaller values get its colour.
    pub min: f64,
    /// Value at the high end of the colour scale; if not above `min`, the data's range is used.
    pub max: f64,
    /// Whether the diverging scale runs from red (low) to blue (high), e.g. losses and
    /// gains, instead of blue to red as for correlations.
    pub reversed: bool,
}

/// Widest row label.
const MAX_ROW_LABEL: f64 = 160.0;
/// Longest (rotated) column label.
const MAX_COL_LABEL: f64 = 110.0;
/// Height per row that tall heatmaps grow to provide.
const ROW_HEIGHT: f64 = 14.0;
/// Width reserved right of the cells for the colour scale.
const SCALE_BAND: f64 = 80.0;
/// Font size of values written in cells.
const CELL_FONT: f64 = 10.0;
/// Most rows or columns drawn; larger matrices are averaged over blocks of consecutive
/// rows and columns, which bounds the document at about 80 × 80 cells (under 1.5 MB).
pub(crate) const MAX_CELLS: usize = 80;

/// How values map to colours: a diverging ramp centred on zero when the scale straddles
/// zero (so that white means "none"), otherwise a sequential ramp.
struct ColourScale {
    lo: f64,
    hi: f64,
    ramp: Ramp,
    reversed: bool,
}

impl ColourScale {
    /// The scale for `lo..hi`, `lo < hi`.
    fn new(lo: f64, hi: f64, reversed: bool) -> ColourScale {
        let ramp = if lo < 0.0 && hi > 0.0 {
            Ramp::Diverging
        } else {
            Ramp::Sequential
        };
        ColourScale {
            lo,
            hi,
            ramp,
            reversed: reversed && ramp == Ramp::Diverging,
        }
    }

    /// Position of `v` on the ramp; on a diverging scale each sign has its own half, so
    /// that both ends reach full colour even when the range is lopsided.
    fn position(&self, v: f64) -> f64 {
        let p = self.unreversed_position(v);
        if self.reversed {
            1.0 - p
        } else {
            p
        }
    }

    /// Position of `v` on the ramp in its usual direction.
    fn unreversed_position(&self, v: f64) -> f64 {
        match self.ramp {
            Ramp::Diverging if v < 0.0 => 0.5 - 0.5 * v / self.lo,
            Ramp::Diverging => 0.5 + 0.5 * v / self.hi,
            Ramp::Sequential => (v - self.lo) / (self.hi - self.lo),
        }
    }
}

/// Renders a heatmap as an SVG document. Above 80 rows or columns, consecutive rows
/// and columns are averaged in blocks (labelled "first … last") so that the document
/// stays small and readable; the title says so.
pub fn heatmap(c: &Heatmap) -> String {
    if let Some(blocks) = block_means(c) {
        return heatmap(&blocks);
    }
    let (rows, cols) = (c.row_labels.len(), c.col_labels.len());
    let value = |r: usize, k: usize| {
        c.values
            .get(r * cols + k)
            .copied()
            .filter(|&v| plottable(v))
    };
    let data_range = finite_range(c.values.iter().take(rows * cols).copied());
    let (lo, hi) = if plottable(c.min) && plottable(c.max) && c.max > c.min {
        (c.min, c.max)
    } else {
        match data_range {
            Some((lo, hi)) if hi > lo => (lo, hi),
            Some((v, _)) => (v - 1.0, v + 1.0),
            None => (0.0, 1.0),
        }
    };
    let scale = ColourScale::new(lo, hi, c.reversed);

    let row_band = widest(&c.row_labels).clamp(20.0, MAX_ROW_LABEL) + 10.0;
    let col_band = widest(&c.col_labels).min(MAX_COL_LABEL) * 0.71 + 16.0;
    let top = top_margin(&c.title);
    let height = (top + col_band + rows as f64 * ROW_HEIGHT).clamp(HEIGHT, MAX_HEIGHT);
    let plot = Rect::between(row_band, top, WIDTH - SCALE_BAND, height - col_band);

    let mut svg = Svg::new(WIDTH, height, &c.title);
    draw_title(&mut svg, &c.title);
    if rows == 0 || cols == 0 {
        draw_no_data(&mut svg, plot);
        return svg.finish();
    }
    let (cell_w, cell_h) = (plot.width / cols as f64, plot.height / rows as f64);
    let decimals = cell_decimals(lo, hi);
    let widest_value = text_width(&fixed(-hi.abs().max(lo.abs()), decimals), CELL_FONT);
    let write_values = cell_w >= widest_value + 4.0 && cell_h >= CELL_FONT + 2.0;

    // Crisp edges stop anti-aliasing from drawing hairlines between neighbouring cells.
    svg.open_group(r#"shape-rendering="crispEdges""#);
    for r in 0..rows {
        for k in 0..cols {
            let (x, y) = (plot.left + k as f64 * cell_w, plot.top + r as f64 * cell_h);
            let (fill, tip) = match value(r, k) {
                Some(v) => (
                    scale.ramp.at(scale.position(v)).to_string(),
                    fixed(v, decimals),
                ),
                None => (MISSING.to_string(), "n/a".to_string()),
            };
            let tip = format!(
                "{} × {}: {tip}",
                c.row_labels[r].trim(),
                c.col_labels[k].trim()
            );
            svg.rect(x, y, cell_w, cell_h, &fill, Some(&tip));
        }
    }
    svg.close_group();
    if write_values {
        for r in 0..rows {
            for k in 0..cols {
                let Some(v) = value(r, k) else { continue };
                let text = fixed(v, decimals);
                let dark = scale.ramp.at(scale.position(v)).is_dark();
                let label = Label::new(&text)
                    .size(CELL_FONT)
                    .anchor(Anchor::Middle)
                    .fill(if dark { "#fff" } else { "#222" });
                let x = plot.left + (k as f64 + 0.5) * cell_w;
                let y = plot.top + (r as f64 + 0.5) * cell_h + CELL_FONT * 0.35;
                svg.label(x, y, label);
            }
        }
    }
    draw_row_labels(&mut svg, &c.row_labels, plot, row_band - 10.0);
    draw_col_labels(&mut svg, &c.col_labels, plot);
    draw_scale(&mut svg, &scale, plot);
    svg.finish()
}

/// Consecutive indices `0..n` in groups of equal size (the last may be shorter) so that
/// there are at most [`MAX_CELLS`] groups.
fn groups(n: usize) -> Vec<std::ops::Range<usize>> {
    let size = n.div_ceil(MAX_CELLS).max(1);
    (0..n).step_by(size).map(|a| a..(a + size).min(n)).collect()
}

/// The heatmap of block means when `c` has more than [`MAX_CELLS`] rows or columns.
fn block_means(c: &Heatmap) -> Option<Heatmap> {
    let (rows, cols) = (c.row_labels.len(), c.col_labels.len());
    if rows <= MAX_CELLS && cols <= MAX_CELLS {
        return None;
    }
    let (row_groups, col_groups) = (groups(rows), groups(cols));
    let label = |labels: &[String], g: &std::ops::Range<usize>| {
        if g.len() == 1 {
            labels[g.start].trim().to_string()
        } else {
            format!("{} … {}", labels[g.start].trim(), labels[g.end - 1].trim())
        }
    };
    let mut values = Vec::with_capacity(row_groups.len() * col_groups.len());
    for rg in &row_groups {
        for cg in &col_groups {
            let (mut sum, mut count) = (0.0, 0usize);
            for r in rg.clone() {
                for k in cg.clone() {
                    if let Some(v) = c.values.get(r * cols + k).filter(|v| plottable(**v)) {
                        sum += v;
                        count += 1;
                    }
                }
            }
            values.push(if count > 0 {
                sum / count as f64
            } else {
                f64::NAN
            });
        }
    }
    let size = |g: &[std::ops::Range<usize>]| g.first().map_or(1, |r| r.len());
    Some(Heatmap {
        title: format!(
            "{} (means over blocks of {} × {})",
            c.title.trim(),
            size(&row_groups),
            size(&col_groups)
        ),
        row_labels: row_groups.iter().map(|g| label(&c.row_labels, g)).collect(),
        col_labels: col_groups.iter().map(|g| label(&c.col_labels, g)).collect(),
        values,
        min: c.min,
        max: c.max,
        reversed: c.reversed,
    })
}

/// Decimals for values written in cells: two for ranges like correlations, fewer for
/// larger numbers.
fn cell_decimals(lo: f64, hi: f64) -> usize {
    let largest = lo.abs().max(hi.abs());
    if largest >= 100.0 {
        0
    } else if largest >= 10.0 {
        1
    } else {
        2
    }
}

/// Font size and stride for labels in slots of `slot` px: labels shrink to fit,
/// and below a legible size only every k-th is written.
fn label_fit(slot: f64) -> (f64, usize) {
    let size = (slot * 0.9).clamp(7.0, FONT);
    let stride = ((size + 1.0) / slot).ceil().max(1.0) as usize;
    (size, stride)
}

/// Draws the row names right-aligned left of the cells.
fn draw_row_labels(svg: &mut Svg, labels: &[String], plot: Rect, max_width: f64) {
    let slot = plot.height / labels.len() as f64;
    let (size, stride) = label_fit(slot);
    for (r, name) in labels.iter().enumerate().step_by(stride) {
        let text = fit(name, max_width, size);
        let y = plot.top + (r as f64 + 0.5) * slot + size * 0.35;
        svg.label(
            plot.left - 6.0,
            y,
            Label::new(&text).size(size).anchor(Anchor::End),
        );
    }
}

/// Draws the column names below the cells, rotated so that long names fit.
fn draw_col_labels(svg: &mut Svg, labels: &[String], plot: Rect) {
    let slot = plot.width / labels.len() as f64;
    let (size, stride) = label_fit(slot);
    for (k, name) in labels.iter().enumerate().step_by(stride) {
        let text = fit(name, MAX_COL_LABEL, size);
        let x = plot.left + (k as f64 + 0.5) * slot + size * 0.3;
        let label = Label::new(&text)
            .size(size)
            .anchor(Anchor::End)
            .rotate(-45.0);
        svg.label(x, plot.bottom() + 10.0, label);
    }
}

/// Draws the colour scale right of the cells: a bar of small steps (no gradient, since
/// gradient ids could clash when several charts share a page) with value ticks.
fn draw_scale(svg: &mut Svg, scale: &ColourScale, plot: Rect) {
    const STEPS: usize = 48;
    let (x, top) = (plot.right() + 14.0, plot.top);
    let height = plot.height.min(220.0);
    let step_h = height / STEPS as f64;
    let y_of = |v: f64| top + height * (1.0 - (v - scale.lo) / (scale.hi - scale.lo));
    svg.open_group(r#"shape-rendering="crispEdges""#);
    for i in 0..STEPS {
        let v = scale.hi - (i as f64 + 0.5) / STEPS as f64 * (scale.hi - scale.lo);
        let fill = scale.ramp.at(scale.position(v)).to_string();
        svg.rect(x, top + i as f64 * step_h, 12.0, step_h + 0.2, &fill, None);
    }
    svg.close_group();
    let (values, step) = nice_ticks(scale.lo, scale.hi, 5);
    let inside: Vec<f64> = values
        .into_iter()
        .filter(|v| (scale.lo..=scale.hi).contains(v))
        .collect();
    for (v, text) in inside.iter().zip(format_ticks(&inside, step)) {
        let y = y_of(*v);
        svg.line((x + 12.0, y), (x + 15.0, y), MUTED, 1.0);
        svg.label(x + 18.0, y + 3.5, Label::new(&text).size(10.0).fill(MUTED));
    }
}
