//! The plausibility rule shared by every return-like input: a period return is a finite
//! fraction in `[−1, max]`. Below −1 a fund would owe more than it held; above `max`
//! (default +1,000% a period) the value is almost surely a unit or typing error, and a
//! single such value overflows the variances and wealth paths of every later stage.

/// Default upper bound of a period return, as a fraction (10 = +1,000% per period).
pub const DEFAULT_MAX_RETURN: f64 = 10.0;

/// Largest price, share count or AUM an industry record may hold (10^18): beyond any
/// fund's AUM or share count in any currency, so a larger value is a typing or unit
/// error, and its products with the other columns overflow the price and subscription
/// effects of every later day.
pub const MAX_AMOUNT: f64 = 1e18;

/// Whether `max` is a usable bound: finite and positive (a fraction).
pub fn valid_max_return(max: f64) -> bool {
    max.is_finite() && max > 0.0
}

/// Whether the return `r` (a fraction) obeys the rule `−1 ≤ r ≤ max`.
pub fn plausible_return(r: f64, max: f64) -> bool {
    (-1.0..=max).contains(&r)
}

/// The bound `max` (a fraction) said as a percentage per period, e.g. `+1,000%`.
pub fn percent_per_period(max: f64) -> String {
    format!("+{}%", grouped(max * 100.0))
}

/// `v` as a short text for messages: plain for ordinary magnitudes, in exponent form for
/// the very large and very small (1e300 is not echoed as 301 digits).
pub fn shown(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || !v.is_finite() || (1e-4..1e9).contains(&a) {
        format!("{v}")
    } else {
        // five significant digits, trailing zeros of the mantissa dropped
        let text = format!("{v:.4e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        format!("{mantissa}e{exponent}")
    }
}

/// An integral-looking number with thousands separators (1000 → 1,000), else as [`shown`].
fn grouped(v: f64) -> String {
    if v.fract() != 0.0 || v.abs() >= 1e15 {
        return shown(v);
    }
    let digits = format!("{}", v.abs() as u64);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if v < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_and_its_wording() {
        assert!(plausible_return(-1.0, 10.0));
        assert!(plausible_return(10.0, 10.0));
        assert!(!plausible_return(10.01, 10.0));
        assert!(!plausible_return(-1.01, 10.0));
        assert!(!plausible_return(f64::NAN, 10.0));
        assert_eq!(percent_per_period(10.0), "+1,000%");
        assert_eq!(percent_per_period(0.5), "+50%");
        assert_eq!(percent_per_period(1e4), "+1,000,000%");
        assert_eq!(shown(1e300), "1e300");
        assert_eq!(shown(1.5e-300), "1.5e-300");
        assert_eq!(shown(0.05), "0.05");
        assert_eq!(shown(-1.3209118874241065e291), "-1.3209e291");
        assert_eq!(shown(-250.0), "-250");
        assert!(!valid_max_return(0.0) && !valid_max_return(f64::INFINITY));
        assert!(valid_max_return(DEFAULT_MAX_RETURN));
    }
}
