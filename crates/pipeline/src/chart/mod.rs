//! Chart descriptions of the stages' results; front ends render them to SVG.
//!
//! One builder per chart, grouped by stage: each takes a stage's output (or the table it
//! wrote), returns a [`Chart`] with a descriptive title and axis labels, and touches no
//! file, so the CLI's `--chart`, the demo and the study report draw the same charts.
//! [`Chart::titled`] replaces the default title where the caller knows better.

pub mod cluster;
pub mod evolve;
pub mod industry;
pub mod rating;
pub mod returns;
pub mod similarity;
pub mod style;

use peergroup_report::{
    bar_chart, dendrogram, heatmap, line_chart, scatter, stacked_area, BarChart, Dendrogram,
    Heatmap, LineChart, Scatter, StackedArea,
};

/// One chart of a stage's result, as data; [`Chart::to_svg`] draws it.
#[derive(Clone, Debug)]
pub enum Chart {
    /// Lines over a shared x axis.
    Line(LineChart),
    /// Horizontal or vertical bars.
    Bar(BarChart),
    /// Points, optionally coloured by group.
    Scatter(Scatter),
    /// Shares stacked over time.
    Area(StackedArea),
    /// A square matrix as colours.
    Heatmap(Heatmap),
    /// A merge tree.
    Dendrogram(Dendrogram),
}

impl Chart {
    /// The same chart under another title.
    pub fn titled(mut self, title: impl Into<String>) -> Chart {
        let title = title.into();
        match &mut self {
            Chart::Line(c) => c.title = title,
            Chart::Bar(c) => c.title = title,
            Chart::Scatter(c) => c.title = title,
            Chart::Area(c) => c.title = title,
            Chart::Heatmap(c) => c.title = title,
            Chart::Dendrogram(c) => c.title = title,
        }
        self
    }

    /// The title of the chart.
    pub fn title(&self) -> &str {
        match self {
            Chart::Line(c) => &c.title,
            Chart::Bar(c) => &c.title,
            Chart::Scatter(c) => &c.title,
            Chart::Area(c) => &c.title,
            Chart::Heatmap(c) => &c.title,
            Chart::Dendrogram(c) => &c.title,
        }
    }

    /// The chart as a standalone SVG document (800 px wide viewBox, scales with the page).
    pub fn to_svg(&self) -> String {
        match self {
            Chart::Line(c) => line_chart(c),
            Chart::Bar(c) => bar_chart(c),
            Chart::Scatter(c) => scatter(c),
            Chart::Area(c) => stacked_area(c),
            Chart::Heatmap(c) => heatmap(c),
            Chart::Dendrogram(c) => dendrogram(c),
        }
    }
}
