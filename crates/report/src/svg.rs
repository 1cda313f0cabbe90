//! A minimal SVG writer: the document frame, plot rectangles, text, shapes and compact paths.
//!
//! Every coordinate is rounded to 0.1 px. That is invisible on screen, keeps files small
//! and makes the output byte-for-byte reproducible.

use std::fmt::{self, Write};

use crate::escape::escape;

/// Width of every chart's viewBox.
pub(crate) const WIDTH: f64 = 800.0;
/// Height of a chart's viewBox unless its content needs more.
pub(crate) const HEIGHT: f64 = 420.0;
/// Height beyond which charts stop growing and shrink their rows instead.
pub(crate) const MAX_HEIGHT: f64 = 2400.0;
/// Font size set on the root element, in px.
pub(crate) const FONT: f64 = 11.0;
/// Colour of titles and labels.
pub(crate) const INK: &str = "#333";
/// Colour of tick labels and secondary text.
pub(crate) const MUTED: &str = "#666";
/// Colour of grid lines.
pub(crate) const GRID: &str = "#e8e8e8";
/// Colour of axis lines and the zero line.
pub(crate) const AXIS: &str = "#999";

/// Smallest width or height a plot area is given, however crowded the margins.
const MIN_PLOT: f64 = 40.0;

/// Whether `v` can be placed on a chart: finite, and small enough that scaling cannot overflow.
pub(crate) fn plottable(v: f64) -> bool {
    v.is_finite() && v.abs() < 1e300
}

/// Estimated width of `text` at `size` px in a typical sans-serif font.
///
/// Without font files the true width is unknown; 0.6 em per character is slightly
/// generous for Latin text, so layouts err towards extra room.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// Estimated width of the widest of `labels`, trimmed, at the chart font.
pub(crate) fn widest(labels: &[String]) -> f64 {
    labels
        .iter()
        .map(|l| text_width(l.trim(), FONT))
        .fold(0.0, f64::max)
}

/// `text` shortened with "…" so that it fits in `max_width` px at `size` px.
pub(crate) fn fit(text: &str, max_width: f64, size: f64) -> String {
    let text = text.trim();
    if text_width(text, size) <= max_width {
        return text.to_string();
    }
    let keep = ((max_width / (size * 0.6)).floor() as usize).saturating_sub(1);
    let mut short: String = text.chars().take(keep).collect();
    short.truncate(short.trim_end().len());
    short.push('…');
    short
}

/// `v` in tenths of a pixel, clamped far outside any viewBox so that later arithmetic
/// cannot overflow.
fn tenths(v: f64) -> i64 {
    (v * 10.0).round().clamp(-1e12, 1e12) as i64
}

/// Writes a number of tenths as a decimal without a trailing ".0".
fn write_tenths(out: &mut impl Write, t: i64) -> fmt::Result {
    let sign = if t < 0 { "-" } else { "" };
    let (whole, tenth) = (t.unsigned_abs() / 10, t.unsigned_abs() % 10);
    if tenth == 0 {
        write!(out, "{sign}{whole}")
    } else {
        write!(out, "{sign}{whole}.{tenth}")
    }
}

/// The rectangle in which data are drawn, in viewBox pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// A rectangle between the given edges, kept at least `MIN_PLOT` wide and high.
    pub(crate) fn between(left: f64, top: f64, right: f64, bottom: f64) -> Rect {
        Rect {
            left,
            top,
            width: (right - left).max(MIN_PLOT),
            height: (bottom - top).max(MIN_PLOT),
        }
    }

    /// Right edge.
    pub(crate) fn right(&self) -> f64 {
        self.left + self.width
    }

    /// Bottom edge.
    pub(crate) fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// Horizontal centre.
    pub(crate) fn center_x(&self) -> f64 {
        self.left + self.width / 2.0
    }
}

/// A coordinate or length, displayed rounded to 0.1 px.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Px(pub f64);

impl fmt::Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_tenths(f, tenths(self.0))
    }
}

/// Horizontal alignment of a text label relative to its anchor point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// Text starts at the point.
    Start,
    /// Text is centred on the point.
    Middle,
    /// Text ends at the point.
    End,
}

/// A text label and how to draw it.
#[derive(Clone, Debug)]
pub(crate) struct Label<'a> {
    text: &'a str,
    size: f64,
    anchor: Anchor,
    bold: bool,
    fill: &'a str,
    rotate: f64,
}

impl<'a> Label<'a> {
    /// A label in the default size and colour, starting at its point.
    pub(crate) fn new(text: &'a str) -> Label<'a> {
        Label {
            text,
            size: FONT,
            anchor: Anchor::Start,
            bold: false,
            fill: INK,
            rotate: 0.0,
        }
    }

    /// Sets the font size in px.
    pub(crate) fn size(mut self, size: f64) -> Self {
        self.size = size;
        self
    }

    /// Sets the alignment.
    pub(crate) fn anchor(mut self, anchor: Anchor) -> Self {
        self.anchor = anchor;
        self
    }

    /// Draws in bold.
    pub(crate) fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    /// Sets the text colour.
    pub(crate) fn fill(mut self, fill: &'a str) -> Self {
        self.fill = fill;
        self
    }

    /// Rotates by `degrees` (negative is counter-clockwise) around the anchor point.
    pub(crate) fn rotate(mut self, degrees: f64) -> Self {
        self.rotate = degrees;
        self
    }
}

/// An SVG document being written.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// Starts a document with a `width` × `height` viewBox, a white background and `title`
    /// as its accessible name.
    pub(crate) fn new(width: f64, height: f64, title: &str) -> Svg {
        let (w, h) = (Px(width), Px(height));
        let mut out = String::with_capacity(16 * 1024);
        // width="100%" without a height lets the viewBox's aspect ratio size the chart,
        // so it scales with the page when inlined in HTML.
        out.push_str(&format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" font-family="sans-serif" font-size="{}" role="img">"#,
            Px(FONT)
        ));
        out.push('\n');
        if !title.trim().is_empty() {
            // The accessible name is what screen readers announce; a sentence is plenty.
            let title = fit(title, 1000.0, FONT);
            out.push_str(&format!("<title>{}</title>\n", escape(&title)));
        }
        // An explicit background keeps the chart readable in viewers with dark themes.
        out.push_str(&format!(
            r##"<rect width="{w}" height="{h}" fill="#fff"/>"##
        ));
        out.push('\n');
        Svg { out }
    }

    /// Draws a text label at `(x, y)`, `y` being the baseline.
    pub(crate) fn label(&mut self, x: f64, y: f64, label: Label<'_>) {
        if label.text.is_empty() {
            return;
        }
        let (x, y) = (Px(x), Px(y));
        self.out.push_str(&format!(r#"<text x="{x}" y="{y}""#));
        if (label.size - FONT).abs() > 0.01 {
            self.out
                .push_str(&format!(r#" font-size="{}""#, Px(label.size)));
        }
        match label.anchor {
            Anchor::Start => {}
            Anchor::Middle => self.out.push_str(r#" text-anchor="middle""#),
            Anchor::End => self.out.push_str(r#" text-anchor="end""#),
        }
        if label.bold {
            self.out.push_str(r#" font-weight="bold""#);
        }
        if label.rotate != 0.0 {
            self.out.push_str(&format!(
                r#" transform="rotate({} {x} {y})""#,
                Px(label.rotate)
            ));
        }
        self.out.push_str(&format!(
            r#" fill="{}">{}</text>"#,
            label.fill,
            escape(label.text)
        ));
        self.out.push('\n');
    }

    /// Draws a straight line.
    pub(crate) fn line(&mut self, from: (f64, f64), to: (f64, f64), stroke: &str, width: f64) {
        self.out.push_str(&format!(
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}" stroke-width="{}"/>"#,
            Px(from.0),
            Px(from.1),
            Px(to.0),
            Px(to.1),
            Px(width)
        ));
        self.out.push('\n');
    }

    /// Draws a filled rectangle; negative sizes extend left or up from `(x, y)`, and `tip`
    /// becomes a hover tooltip.
    pub(crate) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: Option<&str>) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        self.out.push_str(&format!(
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}""#,
            Px(x),
            Px(y),
            Px(w),
            Px(h)
        ));
        self.close_with_tip(tip, "rect");
    }

    /// Draws a filled circle with an optional hover tooltip.
    pub(crate) fn circle(&mut self, x: f64, y: f64, r: f64, fill: &str, tip: Option<&str>) {
        self.out.push_str(&format!(
            r#"<circle cx="{}" cy="{}" r="{}" fill="{fill}""#,
            Px(x),
            Px(y),
            Px(r)
        ));
        self.close_with_tip(tip, "circle");
    }

    /// Draws a path; `attributes` are written verbatim and must come from trusted constants.
    pub(crate) fn path(&mut self, path: &Path, attributes: &str, tip: Option<&str>) {
        if path.is_empty() {
            return;
        }
        self.out
            .push_str(&format!(r#"<path d="{}" {attributes}"#, path.d));
        self.close_with_tip(tip, "path");
    }

    /// Opens a group whose `attributes` (trusted constants) apply to everything inside.
    pub(crate) fn open_group(&mut self, attributes: &str) {
        self.out.push_str(&format!("<g {attributes}>\n"));
    }

    /// Closes the innermost group.
    pub(crate) fn close_group(&mut self) {
        self.out.push_str("</g>\n");
    }

    /// Ends the element being written, as an empty element or with a `<title>` tooltip.
    fn close_with_tip(&mut self, tip: Option<&str>, element: &str) {
        match tip {
            Some(tip) => self
                .out
                .push_str(&format!("><title>{}</title></{element}>\n", escape(tip))),
            None => self.out.push_str("/>\n"),
        }
    }

    /// The finished document.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// Path data built from absolute pixel positions.
///
/// After the first point of each subpath, moves are written relative to the previous
/// point in tenths, with repeated commands and separators elided, which roughly halves
/// the size of long lines compared with absolute coordinates.
#[derive(Default)]
pub(crate) struct Path {
    d: String,
    /// Last point in tenths, to make the next one relative and skip repeats.
    last: Option<(i64, i64)>,
    /// Whether the last command written was a relative line, so the next may omit it.
    in_line: bool,
}

impl Path {
    /// An empty path.
    pub(crate) fn new() -> Path {
        Path::default()
    }

    /// Whether nothing has been added.
    pub(crate) fn is_empty(&self) -> bool {
        self.d.is_empty()
    }

    /// Starts a subpath at `(x, y)`.
    pub(crate) fn move_to(&mut self, x: f64, y: f64) {
        let p = (tenths(x), tenths(y));
        self.d.push('M');
        self.number(p.0);
        self.number(p.1);
        self.last = Some(p);
        self.in_line = false;
    }

    /// Draws a straight segment to `(x, y)`, starting a subpath if there is none.
    pub(crate) fn line_to(&mut self, x: f64, y: f64) {
        let Some(last) = self.last else {
            return self.move_to(x, y);
        };
        let p = (tenths(x), tenths(y));
        if p == last {
            return;
        }
        if !self.in_line {
            self.d.push('l');
            self.in_line = true;
        }
        self.number(p.0 - last.0);
        self.number(p.1 - last.1);
        self.last = Some(p);
    }

    /// Closes the current subpath back to its start.
    pub(crate) fn close(&mut self) {
        if self.last.is_some() {
            self.d.push('z');
            self.last = None;
            self.in_line = false;
        }
    }

    /// Appends a number, with a space only where a digit would otherwise run into it.
    fn number(&mut self, t: i64) {
        if t >= 0 && self.d.ends_with(|c: char| c.is_ascii_digit()) {
            self.d.push(' ');
        }
        // Writing to a String cannot fail.
        let _ = write_tenths(&mut self.d, t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_round_to_tenths() {
        assert_eq!(Px(12.0).to_string(), "12");
        assert_eq!(Px(12.345).to_string(), "12.3");
        assert_eq!(Px(-0.04).to_string(), "0");
        assert_eq!(Px(-3.25).to_string(), "-3.3");
    }

    #[test]
    fn paths_are_relative_and_compact() {
        let mut p = Path::new();
        p.move_to(10.0, 20.0);
        p.line_to(12.5, 18.0);
        p.line_to(12.5, 18.0);
        p.line_to(13.0, 19.0);
        p.close();
        assert_eq!(p.d, "M10 20l2.5-2 0.5 1z");
    }

    #[test]
    fn long_text_is_shortened() {
        let short = fit("a very long fund name indeed", 60.0, 10.0);
        assert!(short.ends_with('…'));
        assert!(text_width(&short, 10.0) <= 60.0);
        assert_eq!(fit("short", 60.0, 10.0), "short");
    }
}
