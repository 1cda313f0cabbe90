//! Formatting of numbers for tick labels and value labels.

/// Labels for ticks `step` apart: one shared unit suffix and number of decimals, so that
/// the labels of an axis line up ("0.0, 0.2, …" or "0, 5k, 10k").
pub(crate) fn format_ticks(values: &[f64], step: f64) -> Vec<String> {
    if !(step.is_finite() && step > 0.0) {
        return values.iter().map(|&v| format_compact(v)).collect();
    }
    let largest = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if largest >= 1e15 {
        return values.iter().map(|&v| format_compact(v)).collect();
    }
    // Plain numbers up to 9,999 read better than "2.5k", and keep years like 2010 intact.
    let (divisor, suffix) = unit(largest, 1e4);
    let decimals = decimals_for(step / divisor);
    values
        .iter()
        .map(|&v| match v == 0.0 && !suffix.is_empty() {
            // "0" needs no unit, and "0k" would read as a typo.
            true => "0".to_string(),
            false => fixed(v / divisor, decimals) + suffix,
        })
        .collect()
}

/// A short label for one value: about three significant digits with a k/M/B suffix
/// ("0.05", "1.2k", "3M"); "n/a" when not finite.
pub(crate) fn format_compact(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    if v != 0.0 && !(1e-4..1e15).contains(&v.abs()) {
        return scientific(v);
    }
    let (divisor, suffix) = unit(v.abs(), 1e3);
    let scaled = v / divisor;
    let magnitude = scaled.abs();
    let decimals = if magnitude == 0.0 || magnitude >= 100.0 {
        0
    } else {
        (2.0 - magnitude.log10().floor()).clamp(0.0, 8.0) as usize
    };
    trim_zeros(fixed(scaled, decimals)) + suffix
}

/// `v` as mantissa and exponent with up to three significant digits ("1.5e-7", "1e30").
fn scientific(v: f64) -> String {
    let text = format!("{v:.2e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa.to_string())),
        None => text,
    }
}

/// A decimal without trailing zeros after the point, nor a bare point.
fn trim_zeros(mut text: String) -> String {
    if text.contains('.') {
        text.truncate(text.trim_end_matches('0').trim_end_matches('.').len());
    }
    text
}

/// `v` with `decimals` decimals, never printed as a negative zero.
pub(crate) fn fixed(v: f64, decimals: usize) -> String {
    let text = format!("{v:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

/// Decimals needed to tell apart numbers that differ by `step` (0.2 → 1, 0.05 → 2, 5 → 0).
pub(crate) fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    // The tolerance keeps exact powers of ten, whose logarithm may come out a hair off, on the
    // right side of the ceiling.
    (-step.log10() - 1e-9).ceil().clamp(0.0, 12.0) as usize
}

/// Divisor and suffix for numbers up to `largest`; thousands are abbreviated from `k_from`.
fn unit(largest: f64, k_from: f64) -> (f64, &'static str) {
    if largest >= 1e9 {
        (1e9, "B")
    } else if largest >= 1e6 {
        (1e6, "M")
    } else if largest >= k_from {
        (1e3, "k")
    } else {
        (1.0, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_share_decimals_and_units() {
        assert_eq!(
            format_ticks(&[0.0, 0.2, 0.4], 0.2),
            vec!["0.0", "0.2", "0.4"]
        );
        assert_eq!(
            format_ticks(&[-0.05, 0.0, 0.05], 0.05),
            vec!["-0.05", "0.00", "0.05"]
        );
        assert_eq!(
            format_ticks(&[0.0, 5000.0, 10000.0], 5000.0),
            vec!["0", "5k", "10k"]
        );
        assert_eq!(format_ticks(&[1990.0, 2000.0], 10.0), vec!["1990", "2000"]);
        assert_eq!(
            format_ticks(&[0.0, 5e5, 1e6, 1.5e6], 5e5),
            vec!["0", "0.5M", "1.0M", "1.5M"]
        );
    }

    #[test]
    fn compact_values() {
        assert_eq!(format_compact(0.05), "0.05");
        assert_eq!(format_compact(1200.0), "1.2k");
        assert_eq!(format_compact(3e6), "3M");
        assert_eq!(format_compact(-0.0), "0");
        assert_eq!(format_compact(12.345), "12.3");
        assert_eq!(format_compact(f64::NAN), "n/a");
        assert_eq!(format_compact(1e30), "1e30");
        assert_eq!(format_compact(-1.5e-7), "-1.5e-7");
    }
}
