//! Line charts: one polyline per series, e.g. growth of 1 or rolling statistics over time.

use crate::axis::{finite_range, Axis, XAxis};
use crate::frame::AxesChart;
use crate::legend::{Entry, Legend, Swatch};
use crate::palette::{colour, dash};
use crate::svg::{plottable, Path, Svg, WIDTH};

/// One named line of a [`LineChart`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Name shown in the legend.
    pub name: String,
    /// `(x, y)` points in drawing order; a point with a non-finite value breaks the line.
    pub points: Vec<(f64, f64)>,
}

/// A chart of one or more lines over a shared x axis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineChart {
    /// Title above the chart.
    pub title: String,
    /// Title of the x axis.
    pub x_label: String,
    /// Title of the y axis.
    pub y_label: String,
    /// Whether x values are numbers or dates.
    pub x_axis: XAxis,
    /// Whether the y axis is logarithmic; values that are not positive then break lines.
    pub log_y: bool,
    /// The lines, drawn in order; a legend appears when there is more than one.
    pub series: Vec<Series>,
}

/// Renders a line chart as an SVG document.
pub fn line_chart(c: &LineChart) -> String {
    let usable = |&(x, y): &(f64, f64)| plottable(x) && plottable(y) && (!c.log_y || y > 0.0);
    let points = || {
        c.series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(usable)
    };
    let x_range = finite_range(points().map(|p| p.0));
    let y_range = finite_range(points().map(|p| p.1));
    let x_axis = Axis::x(c.x_axis, x_range);
    let y_axis = if c.log_y {
        Axis::log(y_range)
    } else {
        Axis::linear(y_range, 6)
    };
    let legend = Legend::unless_single(
        c.series
            .iter()
            .enumerate()
            .map(|(i, s)| Entry {
                label: s.name.clone(),
                swatch: Swatch::Line {
                    colour: colour(i),
                    dash: dash(i),
                },
            })
            .collect(),
    );
    let mut chart = AxesChart::new(
        &c.title,
        (&x_axis, &c.x_label),
        (&y_axis, &c.y_label),
        legend,
    );
    let plot = chart.plot;
    let to_pixel = |&(x, y): &(f64, f64)| (plot.x_of(&x_axis, x), plot.y_of(&y_axis, y));
    for (i, series) in c.series.iter().enumerate() {
        let runs = series
            .points
            .split(|p| !usable(p))
            .map(|run| run.iter().map(to_pixel).collect::<Vec<_>>());
        draw_line(&mut chart.svg, runs, i);
    }
    chart.finish(points().next().is_none())
}

/// Draws the `i`-th series from its unbroken runs of pixel positions; a run of a single
/// point becomes a dot, since a one-point line would be invisible.
fn draw_line(svg: &mut Svg, runs: impl Iterator<Item = Vec<(f64, f64)>>, i: usize) {
    let mut path = Path::new();
    let mut dots = Vec::new();
    for run in runs {
        match run.as_slice() {
            [] => {}
            [dot] => dots.push(*dot),
            _ => {
                let kept = decimate(&run);
                path.move_to(kept[0].0, kept[0].1);
                for &(x, y) in &kept[1..] {
                    path.line_to(x, y);
                }
            }
        }
    }
    let dash = dash(i).map_or(String::new(), |d| format!(r#" stroke-dasharray="{d}""#));
    let attributes = format!(
        r#"fill="none" stroke="{}" stroke-width="1.5" stroke-linejoin="round"{dash}"#,
        colour(i)
    );
    svg.path(&path, &attributes, None);
    for (x, y) in dots {
        svg.circle(x, y, 2.0, colour(i), None);
    }
}

/// Of each run of consecutive points within one pixel column, keeps only the first,
/// lowest, highest and last: the drawn line looks the same, but decades of daily data
/// shrink to a few points per pixel.
fn decimate(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut kept = Vec::with_capacity(points.len().min(4 * WIDTH as usize));
    for run in points.chunk_by(|a, b| a.0.floor() == b.0.floor()) {
        if run.len() <= 4 {
            kept.extend_from_slice(run);
            continue;
        }
        let (mut low, mut high) = (0, 0);
        for (i, p) in run.iter().enumerate() {
            if p.1 < run[low].1 {
                low = i;
            }
            if p.1 > run[high].1 {
                high = i;
            }
        }
        let mut picks = [0, low, high, run.len() - 1];
        picks.sort_unstable();
        let mut previous = None;
        for i in picks {
            if previous != Some(i) {
                kept.push(run[i]);
                previous = Some(i);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::decimate;

    #[test]
    fn decimation_keeps_extremes_in_order() {
        let points: Vec<(f64, f64)> = (0..10)
            .map(|i| (5.0 + i as f64 * 0.05, (i % 4) as f64))
            .collect();
        assert_eq!(decimate(&points), vec![points[0], points[3], points[9]]);
    }
}
