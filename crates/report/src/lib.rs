//! SVG charts and the self-contained HTML run report of peergroup.
//!
//! Charts are written as SVG text by hand rather than drawn with a plotting crate: the
//! code stays tiny, needs no font files or system fonts (text is left to the viewer's
//! `sans-serif`), and the same data always give byte-identical files, so the charts of
//! two runs can be diffed. Every chart function is pure — a description in, an SVG
//! document out — with a fixed 800 px wide viewBox and `width="100%"`, so charts scale
//! with the page. [`render_html`] inlines them into a single HTML page that needs no other
//! file, script or network access.
//!
//! Inputs are taken as they come: non-finite values are skipped, empty charts show
//! "no data", all-equal values get a padded range, long labels are shortened with "…",
//! and legends with too many entries end in "+N more".

#![warn(missing_docs)]

mod area;
mod axis;
mod bar;
mod dendrogram;
mod escape;
mod frame;
mod heatmap;
mod html;
mod legend;
mod line;
mod marker;
mod number;
mod palette;
mod scatter;
mod svg;

pub use area::{stacked_area, StackedArea};
pub use axis::XAxis;
pub use bar::{bar_chart, BarChart};
pub use dendrogram::{dendrogram, dendrogram_leaf_order, Dendrogram};
pub use heatmap::{heatmap, Heatmap};
pub use html::{render_html, svg_file_loader, Block, Report, Section};
pub use line::{line_chart, LineChart, Series};
pub use palette::PALETTE;
pub use scatter::{scatter, Scatter, ScatterPoint};
