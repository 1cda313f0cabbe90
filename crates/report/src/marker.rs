//! Point markers: the shapes drawn for scatter points and for their legend swatches.

use crate::svg::{Path, Svg};

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
pub(crate) const RADIUS: f64 = 3.5;

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
