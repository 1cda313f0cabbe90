//! Value axes: domains, "nice" tick values, date ticks and their drawing.

use peergroup_calendar::Date;

use crate::number::{format_compact, format_ticks};
use crate::svg::{plottable, text_width, Anchor, Label, Rect, Svg, AXIS, FONT, GRID, MUTED};

/// How the x values of a chart are to be read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum XAxis {
    /// Plain numbers.
    #[default]
    Numeric,
    /// Days since 1970-01-01, labelled by year, year-month or date depending on the span.
    Dates,
}

/// A tick: its value and its label.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Tick {
    /// Position on the axis, in data units.
    pub value: f64,
    /// Text shown next to the tick.
    pub label: String,
}

/// A continuous axis: its domain, scale and ticks.
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    /// Low end of the domain, in scale units (log10 of the value on a log axis).
    lo: f64,
    /// High end of the domain, in scale units.
    hi: f64,
    /// Whether the scale is base-10 logarithmic.
    log: bool,
    /// Whether zero is a meaningful value here, unlike day 0 (1970-01-01) on a date axis.
    zero_matters: bool,
    /// Ticks in increasing order.
    pub ticks: Vec<Tick>,
}

/// Smallest and largest plottable values, if there are any.
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|&v| plottable(v))
        .fold(None, |range, v| match range {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// `(lo, hi)` widened when it is empty or too narrow to scale: all-equal data sit in the
/// middle of a ±10% (±1 around zero) range.
fn pad((lo, hi): (f64, f64)) -> (f64, f64) {
    if hi - lo > 1e-12 * lo.abs().max(hi.abs()) {
        return (lo, hi);
    }
    let mid = (lo + hi) / 2.0;
    let half = if mid == 0.0 { 1.0 } else { mid.abs() * 0.1 };
    (mid - half, mid + half)
}

/// Round tick values covering `lo..=hi`, about `target` of them, spaced 1, 2 or 5 times a
/// power of ten; returns the values and the step.
///
/// The ticks start at or below `lo` and end at or above `hi`, so a linear axis can use
/// them as its domain.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo, hi], f64::NAN);
    }
    let raw = span / target.max(2).saturating_sub(1) as f64;
    let exponent = raw.log10().floor() as i32;
    let fraction = raw / 10f64.powi(exponent);
    // Round the raw step to the nearest of 1, 2, 5 or 10 (Heckbert's "nice numbers").
    let (mantissa, exponent) = if fraction < 1.5 {
        (1, exponent)
    } else if fraction < 3.0 {
        (2, exponent)
    } else if fraction < 7.0 {
        (5, exponent)
    } else {
        (1, exponent + 1)
    };
    let step = decimal(mantissa, exponent);
    // A little tolerance stops values a rounding error past a tick from adding another.
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    let values = (first..=last.max(first))
        .map(|k| decimal(k * mantissa, exponent))
        .collect();
    (values, step)
}

/// `n × 10^exponent`, computed so that it is the double nearest the decimal (0.6, not
/// 0.6000000000000001), which keeps tick values exact for tests and labels.
fn decimal(n: i64, exponent: i32) -> f64 {
    if exponent >= 0 {
        n as f64 * 10f64.powi(exponent)
    } else {
        n as f64 / 10f64.powi(-exponent)
    }
}

impl Axis {
    /// The horizontal axis over `range` for x values read as `kind` says.
    pub(crate) fn x(kind: XAxis, range: Option<(f64, f64)>) -> Axis {
        match kind {
            XAxis::Numeric => Axis::linear(range, 8),
            XAxis::Dates => Axis::dates(range),
        }
    }

    /// A linear axis over `range` (0..1 without data), widened to round tick values.
    pub(crate) fn linear(range: Option<(f64, f64)>, target: usize) -> Axis {
        let (lo, hi) = pad(range.unwrap_or((0.0, 1.0)));
        let (values, step) = nice_ticks(lo, hi, target);
        let labels = format_ticks(&values, step);
        Axis {
            lo: values.first().map_or(lo, |&v| v.min(lo)),
            hi: values.last().map_or(hi, |&v| v.max(hi)),
            log: false,
            zero_matters: true,
            ticks: zip_ticks(values, labels),
        }
    }

    /// A base-10 logarithmic axis over the positive `range` (1..10 without data).
    pub(crate) fn log(range: Option<(f64, f64)>) -> Axis {
        let (lo, hi) = range
            .filter(|&(lo, hi)| lo > 0.0 && hi >= lo)
            .unwrap_or((1.0, 10.0));
        let (lo, hi) = if hi / lo < 1.0 + 1e-9 {
            (lo / 2.0, hi * 2.0)
        } else {
            (lo, hi)
        };
        Axis {
            lo: lo.log10(),
            hi: hi.log10(),
            log: true,
            zero_matters: false,
            ticks: log_ticks(lo, hi),
        }
    }

    /// A date axis over `range` in days since 1970-01-01 (the year 1970 without data).
    pub(crate) fn dates(range: Option<(f64, f64)>) -> Axis {
        let (lo, hi) = range.unwrap_or((0.0, 365.0));
        let (lo, hi) = if hi - lo < 1.0 {
            (lo - 15.0, hi + 15.0)
        } else {
            (lo, hi)
        };
        Axis {
            lo,
            hi,
            log: false,
            zero_matters: false,
            ticks: date_ticks(lo, hi),
        }
    }

    /// Position of `v` along the axis: 0 at the low end, 1 at the high end.
    pub(crate) fn fraction(&self, v: f64) -> f64 {
        let v = if self.log { v.log10() } else { v };
        (v - self.lo) / (self.hi - self.lo)
    }

    /// Whether zero lies strictly inside a numeric linear axis, where it deserves a
    /// stronger line.
    pub(crate) fn has_inner_zero(&self) -> bool {
        self.zero_matters && self.lo < 0.0 && self.hi > 0.0
    }

    /// Estimated width of the widest tick label.
    pub(crate) fn label_width(&self) -> f64 {
        self.ticks
            .iter()
            .map(|t| text_width(&t.label, FONT))
            .fold(0.0, f64::max)
    }
}

/// Pairs tick values with their labels.
fn zip_ticks(values: Vec<f64>, labels: Vec<String>) -> Vec<Tick> {
    values
        .into_iter()
        .zip(labels)
        .map(|(value, label)| Tick { value, label })
        .collect()
}

/// Ticks of a log axis over `lo..=hi`: powers of ten when the range spans several decades,
/// otherwise 1-2-5 or 1…9 multiples, and plain linear ticks for ranges under a decade.
fn log_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let multiples_within = |multiples: &[f64]| -> Vec<f64> {
        let (e0, e1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        (e0..=e1)
            .flat_map(|e| multiples.iter().map(move |m| m * 10f64.powi(e)))
            .filter(|&v| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9))
            .collect()
    };
    let decades = multiples_within(&[1.0]);
    let values = if decades.len() >= 4 {
        let every = decades.len().div_ceil(8);
        decades.into_iter().step_by(every).collect()
    } else {
        let one_two_five = multiples_within(&[1.0, 2.0, 5.0]);
        let all = multiples_within(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        if one_two_five.len() >= 3 {
            one_two_five
        } else if all.len() >= 3 {
            all
        } else {
            let (values, step) = nice_ticks(lo, hi, 5);
            let inside: Vec<f64> = values.into_iter().filter(|&v| v >= lo && v <= hi).collect();
            let labels = format_ticks(&inside, step);
            return zip_ticks(inside, labels);
        }
    };
    let labels = values.iter().map(|&v| format_compact(v)).collect();
    zip_ticks(values, labels)
}

/// Average length of a year in days.
const DAYS_PER_YEAR: f64 = 365.2425;
/// The most ticks a date axis gets.
const MAX_DATE_TICKS: f64 = 8.0;

/// Ticks of a date axis over `lo..=hi` (days since 1970-01-01): 1 January of round years
/// for spans of two years or more, first days of months for shorter spans, else days.
fn date_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    // Dates outside years ±9,999 cannot be labelled; such ranges keep the ticks they can.
    let clamp = |d: f64| d.clamp(-3_600_000.0, 2_900_000.0);
    let (lo, hi) = (clamp(lo), clamp(hi));
    let span = hi - lo;
    if span >= 2.0 * DAYS_PER_YEAR {
        year_ticks(lo, hi)
    } else if span >= 60.0 {
        month_ticks(lo, hi)
    } else {
        day_ticks(lo, hi)
    }
}

/// Ticks on 1 January of every 1st, 2nd, 5th, 10th, … year in `lo..=hi`.
fn year_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let years = (hi - lo) / DAYS_PER_YEAR;
    let step = [
        1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000,
    ]
    .into_iter()
    .find(|&s| years / s as f64 <= MAX_DATE_TICKS)
    .unwrap_or(5000);
    let first = Date::from_days(lo.floor() as i32).year();
    let last = Date::from_days(hi.ceil() as i32).year();
    let mut ticks = Vec::new();
    let mut year = first.div_euclid(step) * step;
    while year <= last {
        if let Some(date) = Date::from_ymd(year, 1, 1) {
            let day = date.days() as f64;
            if (lo..=hi).contains(&day) {
                ticks.push(Tick {
                    value: day,
                    label: year.to_string(),
                });
            }
        }
        year += step;
    }
    ticks
}

/// Ticks on the first day of every 1st, 2nd, 3rd or 6th month in `lo..=hi`, as YYYY-MM.
fn month_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let months = (hi - lo) / (DAYS_PER_YEAR / 12.0);
    let step = [1, 2, 3, 6, 12]
        .into_iter()
        .find(|&s| months / s as f64 <= MAX_DATE_TICKS)
        .unwrap_or(12);
    let month_index = |day: f64| {
        let (y, m, _) = Date::from_days(day as i32).ymd();
        y * 12 + m as i32 - 1
    };
    let mut ticks = Vec::new();
    for index in month_index(lo.floor())..=month_index(hi.ceil()) {
        if index.rem_euclid(step) != 0 {
            continue;
        }
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        if let Some(date) = Date::from_ymd(year, month, 1) {
            let day = date.days() as f64;
            if (lo..=hi).contains(&day) {
                ticks.push(Tick {
                    value: day,
                    label: format!("{year:04}-{month:02}"),
                });
            }
        }
    }
    ticks
}

/// Ticks on every 1st, 2nd or 7th day (Mondays) in `lo..=hi`, as YYYY-MM-DD.
fn day_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let step = [1, 2, 7, 14]
        .into_iter()
        .find(|&s| (hi - lo) / s as f64 <= MAX_DATE_TICKS)
        .unwrap_or(14);
    // Day 4 (1970-01-05) was a Monday; weekly ticks fall on Mondays.
    let offset = if step >= 7 { 4 } else { 0 };
    (lo.ceil() as i32..=hi.floor() as i32)
        .filter(|day| (day - offset).rem_euclid(step) == 0)
        .map(|day| Tick {
            value: day as f64,
            label: Date::from_days(day).to_string(),
        })
        .collect()
}

/// Every how many ticks a label fits, given label extents along the axis and tick spacing.
fn label_stride(positions: &[f64], extent: f64) -> usize {
    let gap = positions
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(f64::INFINITY, f64::min);
    if gap.is_finite() && gap > 0.0 {
        (extent / gap).ceil().max(1.0) as usize
    } else {
        1
    }
}

// Placing values is the axis's job; kept apart from `Rect` so that the geometry needs no axis.
impl Rect {
    /// Horizontal position of `v` on `axis` spanning the rectangle's width.
    pub(crate) fn x_of(&self, axis: &Axis, v: f64) -> f64 {
        self.left + axis.fraction(v) * self.width
    }

    /// Vertical position of `v` on `axis` spanning the rectangle's height, upwards.
    pub(crate) fn y_of(&self, axis: &Axis, v: f64) -> f64 {
        self.bottom() - axis.fraction(v) * self.height
    }
}

/// Draws the vertical grid lines, tick labels and title of a horizontal axis along the
/// bottom of `plot`.
pub(crate) fn draw_x(svg: &mut Svg, plot: Rect, axis: &Axis, title: &str) {
    let xs: Vec<f64> = axis
        .ticks
        .iter()
        .map(|t| plot.x_of(axis, t.value))
        .collect();
    let stride = label_stride(&xs, axis.label_width() + 8.0);
    for (i, (tick, &x)) in axis.ticks.iter().zip(&xs).enumerate() {
        svg.line((x, plot.top), (x, plot.bottom()), GRID, 1.0);
        if i % stride == 0 {
            let label = Label::new(&tick.label).anchor(Anchor::Middle).fill(MUTED);
            svg.label(x, plot.bottom() + 15.0, label);
        }
    }
    if axis.has_inner_zero() {
        let x = plot.x_of(axis, 0.0);
        svg.line((x, plot.top), (x, plot.bottom()), AXIS, 1.0);
    }
    svg.line(
        (plot.left, plot.bottom()),
        (plot.right(), plot.bottom()),
        AXIS,
        1.0,
    );
    let title = crate::svg::fit(title, plot.width, FONT);
    let label = Label::new(&title).anchor(Anchor::Middle);
    svg.label(plot.center_x(), plot.bottom() + 35.0, label);
}

/// Draws the horizontal grid lines, tick labels and rotated title of a vertical axis
/// along the left of `plot`.
pub(crate) fn draw_y(svg: &mut Svg, plot: Rect, axis: &Axis, title: &str) {
    let ys: Vec<f64> = axis
        .ticks
        .iter()
        .map(|t| plot.y_of(axis, t.value))
        .collect();
    let stride = label_stride(&ys, FONT + 3.0);
    for (i, (tick, &y)) in axis.ticks.iter().zip(&ys).enumerate() {
        svg.line((plot.left, y), (plot.right(), y), GRID, 1.0);
        if i % stride == 0 {
            let label = Label::new(&tick.label).anchor(Anchor::End).fill(MUTED);
            svg.label(plot.left - 6.0, y + 4.0, label);
        }
    }
    if axis.has_inner_zero() {
        let y = plot.y_of(axis, 0.0);
        svg.line((plot.left, y), (plot.right(), y), AXIS, 1.0);
    }
    svg.line((plot.left, plot.top), (plot.left, plot.bottom()), AXIS, 1.0);
    let title = crate::svg::fit(title, plot.height, FONT);
    let (x, y) = (14.0, plot.top + plot.height / 2.0);
    let label = Label::new(&title).anchor(Anchor::Middle).rotate(-90.0);
    svg.label(x, y, label);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ticks: &[Tick]) -> Vec<&str> {
        ticks.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn nice_ticks_on_hand_worked_ranges() {
        let (values, step) = nice_ticks(0.0, 1.0, 5);
        assert_eq!(values, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(step, 0.2);

        let (values, step) = nice_ticks(3.7, 97.0, 5);
        assert_eq!(values, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(step, 20.0);

        let (values, _) = nice_ticks(-0.13, 0.42, 6);
        assert_eq!(values, vec![-0.2, -0.1, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5]);

        let (values, _) = nice_ticks(1.0, 5.0, 5);
        assert_eq!(values, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn linear_axis_pads_equal_values_and_labels_ticks() {
        let axis = Axis::linear(Some((5.0, 5.0)), 5);
        assert!(axis.fraction(5.0) > 0.0 && axis.fraction(5.0) < 1.0);
        let axis = Axis::linear(Some((0.0, 0.0)), 5);
        assert_eq!(
            labels(&axis.ticks),
            vec!["-1.0", "-0.5", "0.0", "0.5", "1.0"]
        );
        let axis = Axis::linear(None, 5);
        assert_eq!(axis.ticks.first().unwrap().value, 0.0);
        assert_eq!(axis.ticks.last().unwrap().value, 1.0);
    }

    #[test]
    fn date_ticks_for_decades_are_years() {
        let lo = Date::from_ymd(1949, 1, 31).unwrap().days() as f64;
        let hi = Date::from_ymd(2017, 12, 31).unwrap().days() as f64;
        let axis = Axis::dates(Some((lo, hi)));
        assert_eq!(
            labels(&axis.ticks),
            vec!["1950", "1960", "1970", "1980", "1990", "2000", "2010"]
        );
        for tick in &axis.ticks {
            let (_, m, d) = Date::from_days(tick.value as i32).ymd();
            assert_eq!((m, d), (1, 1));
        }
    }

    #[test]
    fn date_ticks_for_short_spans_are_months_or_days() {
        let lo = Date::from_ymd(2020, 1, 15).unwrap().days() as f64;
        let hi = Date::from_ymd(2020, 12, 20).unwrap().days() as f64;
        let axis = Axis::dates(Some((lo, hi)));
        assert_eq!(
            labels(&axis.ticks),
            vec!["2020-03", "2020-05", "2020-07", "2020-09", "2020-11"]
        );
        let axis = Axis::dates(Some((lo, lo)));
        assert!(!axis.ticks.is_empty());
        // Day 0 is 1970-01-01, not a value to emphasise.
        assert!(!Axis::dates(Some((-1000.0, 1000.0))).has_inner_zero());
        assert!(Axis::linear(Some((-1.0, 1.0)), 5).has_inner_zero());
        assert!(axis.ticks.iter().all(|t| t.label.len() == 10));
    }

    #[test]
    fn log_ticks_follow_the_span() {
        let axis = Axis::log(Some((1.0, 1500.0)));
        assert_eq!(labels(&axis.ticks), vec!["1", "10", "100", "1k"]);
        let axis = Axis::log(Some((0.8, 30.0)));
        assert_eq!(labels(&axis.ticks), vec!["1", "2", "5", "10", "20"]);
        let axis = Axis::log(Some((0.95, 1.3)));
        assert!(axis.ticks.len() >= 2);
        let axis = Axis::log(Some((1e-3, 1e30)));
        assert!(axis.ticks.len() <= 9);
    }
}
