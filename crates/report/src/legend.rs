//! Legends: which colour, dash or marker stands for which series.

use crate::marker::{draw_marker, Shape};
use crate::svg::{fit, text_width, Label, Svg, FONT, MUTED, WIDTH};

/// Height of one legend row.
const ROW_HEIGHT: f64 = 16.0;
/// Rows a legend may use before the remaining entries are summarised as "+N more".
const MAX_ROWS: usize = 3;
/// Width of a swatch plus the gap before its label.
const SWATCH: f64 = 20.0;
/// Gap between entries on a row.
const SPACING: f64 = 14.0;
/// Longest label, in px; longer names are shortened with "…".
const MAX_LABEL: f64 = 170.0;
/// Width available to legend rows.
const ROW_WIDTH: f64 = WIDTH - 24.0;

/// The mark drawn before a legend label.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Swatch {
    /// A line segment, as in line charts.
    Line {
        /// Stroke colour.
        colour: &'static str,
        /// SVG dash pattern, if not solid.
        dash: Option<&'static str>,
    },
    /// A filled square, as for areas.
    Block {
        /// Fill colour.
        colour: &'static str,
    },
    /// A point marker, as in scatter plots.
    Marker {
        /// Fill colour.
        colour: &'static str,
        /// Marker shape.
        shape: Shape,
    },
}

/// One legend entry.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// What the swatch stands for.
    pub label: String,
    /// The mark shown.
    pub swatch: Swatch,
}

/// An entry placed in a row.
#[derive(Debug)]
struct Placed {
    swatch: Swatch,
    text: String,
    width: f64,
}

/// A legend laid out in centred rows.
#[derive(Debug, Default)]
pub(crate) struct Legend {
    rows: Vec<Vec<Placed>>,
    /// Entries left out for lack of room.
    more: usize,
}

impl Legend {
    /// No legend at all.
    pub(crate) fn none() -> Legend {
        Legend::default()
    }

    /// Lays out `entries` in rows; those that do not fit in three rows are summarised as
    /// "+N more" so a chart with many series keeps most of its height for data.
    pub(crate) fn new(entries: Vec<Entry>) -> Legend {
        let total = entries.len();
        let mut rows: Vec<Vec<Placed>> = Vec::new();
        for entry in entries {
            let text = fit(&entry.label, MAX_LABEL, FONT);
            let width = SWATCH + text_width(&text, FONT);
            let placed = Placed {
                swatch: entry.swatch,
                text,
                width,
            };
            let last_row = rows
                .last_mut()
                .filter(|row| row_width(row) + SPACING + width <= ROW_WIDTH);
            if let Some(row) = last_row {
                row.push(placed);
            } else if rows.len() < MAX_ROWS {
                rows.push(vec![placed]);
            } else {
                break;
            }
        }
        let shown: usize = rows.iter().map(Vec::len).sum();
        let mut legend = Legend {
            rows,
            more: total - shown,
        };
        // Make room for the note on the last row by dropping entries from its end.
        while legend.more > 0 {
            let note = legend.more_note();
            let Some(row) = legend.rows.last_mut() else {
                break;
            };
            if row.len() <= 1 || row_width(row) + SPACING + text_width(&note, FONT) <= ROW_WIDTH {
                break;
            }
            row.pop();
            legend.more += 1;
        }
        legend
    }

    /// A legend of `entries` when there are several; none for a single entry, which the
    /// chart's title already names.
    pub(crate) fn unless_single(entries: Vec<Entry>) -> Legend {
        if entries.len() > 1 {
            Legend::new(entries)
        } else {
            Legend::none()
        }
    }

    /// Height taken by the legend, zero when empty.
    pub(crate) fn height(&self) -> f64 {
        self.rows.len() as f64 * ROW_HEIGHT
    }

    /// The "+N more" note for left-out entries.
    fn more_note(&self) -> String {
        format!("+{} more", self.more)
    }

    /// Draws the legend with its first row's top at `top`, rows centred across the chart.
    pub(crate) fn draw(&self, svg: &mut Svg, top: f64) {
        let last = self.rows.len().saturating_sub(1);
        for (r, row) in self.rows.iter().enumerate() {
            let note = (r == last && self.more > 0).then(|| self.more_note());
            let note_width = note.as_ref().map_or(0.0, |n| SPACING + text_width(n, FONT));
            let mut x = (WIDTH - row_width(row) - note_width) / 2.0;
            let y = top + r as f64 * ROW_HEIGHT + ROW_HEIGHT / 2.0;
            for placed in row {
                draw_swatch(svg, placed.swatch, x, y);
                svg.label(x + SWATCH, y + 4.0, Label::new(&placed.text));
                x += placed.width + SPACING;
            }
            if let Some(note) = note {
                svg.label(x, y + 4.0, Label::new(&note).fill(MUTED));
            }
        }
    }
}

/// Width of a row of entries including the gaps between them.
fn row_width(row: &[Placed]) -> f64 {
    let gaps = row.len().saturating_sub(1) as f64 * SPACING;
    row.iter().map(|p| p.width).sum::<f64>() + gaps
}

/// Draws a swatch whose left edge is at `x`, vertically centred on `y`.
fn draw_swatch(svg: &mut Svg, swatch: Swatch, x: f64, y: f64) {
    match swatch {
        Swatch::Line { colour, dash } => {
            let mut path = crate::svg::Path::new();
            path.move_to(x, y);
            path.line_to(x + 15.0, y);
            let dash = dash.map_or(String::new(), |d| format!(r#" stroke-dasharray="{d}""#));
            let attributes = format!(r#"fill="none" stroke="{colour}" stroke-width="2"{dash}"#);
            svg.path(&path, &attributes, None);
        }
        Swatch::Block { colour } => svg.rect(x + 2.0, y - 5.0, 11.0, 10.0, colour, None),
        Swatch::Marker { colour, shape } => draw_marker(svg, shape, (x + 7.0, y), colour, None),
    }
}
