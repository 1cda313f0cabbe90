//! Colours: a categorical palette for series and colour ramps for heatmaps.

use std::fmt;

/// Tableau 10: ten categorical colours that stay distinguishable for the common forms of
/// colour-vision deficiency; series beyond ten reuse them with dashes or other markers.
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// Fill of bars with positive values.
pub(crate) const POSITIVE: &str = "#4e79a7";
/// Fill of bars with negative values.
pub(crate) const NEGATIVE: &str = "#e15759";
/// Colour of elements that belong to no group, such as dendrogram links above the cut.
pub(crate) const NEUTRAL: &str = "#8c8c8c";
/// Fill of heatmap cells without a value.
pub(crate) const MISSING: &str = "#f0f0f0";

/// Tableau 20 for filled areas, which have no dashes to tell a repeated colour apart:
/// stacked exposures over a dozen industries need more than ten fills.
const FILLS: [&str; 20] = [
    "#4e79a7", "#a0cbe8", "#f28e2b", "#ffbe7d", "#59a14f", "#8cd17d", "#b6992d", "#f1ce63",
    "#499894", "#86bcb6", "#e15759", "#ff9d9a", "#79706e", "#bab0ac", "#d37295", "#fabfd2",
    "#b07aa1", "#d4a6c8", "#9d7660", "#d7b5a6",
];

/// Fill colour of the `i`-th area (distinct for the first twenty).
pub(crate) fn fill(i: usize) -> &'static str {
    FILLS[i % FILLS.len()]
}

/// Colour of the `i`-th series.
pub(crate) fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Dash pattern of the `i`-th line: solid for the first ten, then dashed and dotted so
/// that lines sharing a colour can still be told apart.
pub(crate) fn dash(i: usize) -> Option<&'static str> {
    match (i / PALETTE.len()) % 3 {
        0 => None,
        1 => Some("6 3"),
        _ => Some("1.5 2.5"),
    }
}

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Whether white text reads better than dark text on this colour.
    pub(crate) fn is_dark(self) -> bool {
        let luma = 0.299 * self.0 as f64 + 0.587 * self.1 as f64 + 0.114 * self.2 as f64;
        luma < 140.0
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Viridis: perceptually uniform, readable in grey scale and by colour-blind readers.
const SEQUENTIAL: [Rgb; 5] = [
    Rgb(0x44, 0x01, 0x54),
    Rgb(0x3b, 0x52, 0x8b),
    Rgb(0x21, 0x91, 0x8c),
    Rgb(0x5e, 0xc9, 0x62),
    Rgb(0xfd, 0xe7, 0x25),
];

/// ColorBrewer RdBu reversed: blue for negative, white at zero, red for positive, the
/// usual reading of correlation matrices.
const DIVERGING: [Rgb; 5] = [
    Rgb(0x21, 0x66, 0xac),
    Rgb(0x67, 0xa9, 0xcf),
    Rgb(0xf7, 0xf7, 0xf7),
    Rgb(0xef, 0x8a, 0x62),
    Rgb(0xb2, 0x18, 0x2b),
];

/// A continuous colour scale from the low to the high end of a value range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ramp {
    /// Dark to light for ranges of one sign.
    Sequential,
    /// Blue through white to red for ranges that straddle zero.
    Diverging,
}

impl Ramp {
    /// Colour at position `t` (clamped to 0..=1) along the ramp.
    pub(crate) fn at(self, t: f64) -> Rgb {
        let stops = match self {
            Ramp::Sequential => &SEQUENTIAL,
            Ramp::Diverging => &DIVERGING,
        };
        let t = if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) };
        let pos = t * (stops.len() - 1) as f64;
        let i = (pos.floor() as usize).min(stops.len() - 2);
        let f = pos - i as f64;
        let (a, b) = (stops[i], stops[i + 1]);
        let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
        Rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_hit_their_stops() {
        assert_eq!(Ramp::Diverging.at(0.5).to_string(), "#f7f7f7");
        assert_eq!(Ramp::Sequential.at(0.0).to_string(), "#440154");
        assert_eq!(Ramp::Sequential.at(2.0).to_string(), "#fde725");
        assert!(Ramp::Sequential.at(0.0).is_dark());
        assert!(!Ramp::Sequential.at(1.0).is_dark());
    }
}
