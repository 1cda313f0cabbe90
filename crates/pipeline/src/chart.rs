//! Chart descriptions returned by the stages; front ends render them to SVG.

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
