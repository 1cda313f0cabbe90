//! The layout shared by charts: plot area, margins, title and the "no data" note.

use crate::axis::{draw_x, draw_y, Axis};
use crate::legend::Legend;
use crate::svg::{fit, Anchor, Label, Rect, Svg, FONT, HEIGHT, MUTED, WIDTH};

/// Height of the band below a plot that holds x tick labels.
pub(crate) const X_TICK_BAND: f64 = 22.0;
/// Height of the band below the tick labels that holds the x axis title.
pub(crate) const X_TITLE_BAND: f64 = 18.0;
/// Space right of the plot, so that the last x tick label is not cut off.
pub(crate) const RIGHT_MARGIN: f64 = 24.0;
/// Font size of chart titles.
const TITLE_FONT: f64 = 15.0;

/// Space above the plot: room for the title when there is one.
pub(crate) fn top_margin(title: &str) -> f64 {
    if title.trim().is_empty() {
        14.0
    } else {
        40.0
    }
}

/// Width left of the plot for a vertical axis: tick labels plus, if any, its title.
pub(crate) fn left_margin(y: &Axis, y_title: &str) -> f64 {
    let title_band = if y_title.trim().is_empty() { 8.0 } else { 28.0 };
    title_band + y.label_width() + 8.0
}

/// Height below the plot for x tick labels, the x axis title and a legend.
pub(crate) fn bottom_margin(x_title: &str, legend: &Legend) -> f64 {
    let legend_band = if legend.height() > 0.0 {
        legend.height() + 6.0
    } else {
        0.0
    };
    X_TICK_BAND + title_band(x_title) + legend_band + 6.0
}

/// Height of the x axis title band, none without a title.
fn title_band(x_title: &str) -> f64 {
    if x_title.trim().is_empty() {
        0.0
    } else {
        X_TITLE_BAND
    }
}

/// The plot area of a chart `height` px tall with a value axis `y` on the left, an x axis
/// at the bottom and `legend` below it.
fn plot_area(
    height: f64,
    title: &str,
    y: &Axis,
    axis_titles: (&str, &str),
    legend: &Legend,
) -> Rect {
    let (x_title, y_title) = axis_titles;
    Rect::between(
        left_margin(y, y_title),
        top_margin(title),
        WIDTH - RIGHT_MARGIN,
        height - bottom_margin(x_title, legend),
    )
}

/// Top of the legend under a plot laid out by [`plot_area`].
fn legend_top(plot: Rect, x_title: &str) -> f64 {
    plot.bottom() + X_TICK_BAND + title_band(x_title) + 6.0
}

/// Draws the chart title centred at the top.
pub(crate) fn draw_title(svg: &mut Svg, title: &str) {
    let title = fit(title, WIDTH - 20.0, TITLE_FONT);
    let label = Label::new(&title)
        .size(TITLE_FONT)
        .bold()
        .anchor(Anchor::Middle);
    svg.label(WIDTH / 2.0, 24.0, label);
}

/// Draws a "no data" note in the middle of an empty plot.
pub(crate) fn draw_no_data(svg: &mut Svg, plot: Rect) {
    let label = Label::new("no data")
        .size(FONT + 2.0)
        .anchor(Anchor::Middle)
        .fill(MUTED);
    svg.label(plot.center_x(), plot.top + plot.height / 2.0, label);
}

/// A chart with a value axis on the left, an x axis at the bottom and a legend below them:
/// the frame of line, area and scatter charts.
pub(crate) struct AxesChart<'a> {
    /// The document, with the title and both axes drawn.
    pub svg: Svg,
    /// Where the data go.
    pub plot: Rect,
    legend: Legend,
    x_title: &'a str,
}

impl<'a> AxesChart<'a> {
    /// Lays out and starts a chart titled `title` with axis `x` titled `x_title`, axis `y`
    /// titled `y_title` and `legend`.
    pub(crate) fn new(
        title: &str,
        (x, x_title): (&Axis, &'a str),
        (y, y_title): (&Axis, &str),
        legend: Legend,
    ) -> AxesChart<'a> {
        let plot = plot_area(HEIGHT, title, y, (x_title, y_title), &legend);
        let mut svg = Svg::new(WIDTH, HEIGHT, title);
        draw_title(&mut svg, title);
        draw_y(&mut svg, plot, y, y_title);
        draw_x(&mut svg, plot, x, x_title);
        AxesChart {
            svg,
            plot,
            legend,
            x_title,
        }
    }

    /// Adds the "no data" note if `empty`, then the legend, and returns the SVG document.
    pub(crate) fn finish(mut self, empty: bool) -> String {
        if empty {
            draw_no_data(&mut self.svg, self.plot);
        }
        self.legend
            .draw(&mut self.svg, legend_top(self.plot, self.x_title));
        self.svg.finish()
    }
}
