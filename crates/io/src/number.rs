//! Fast, exact parsing of the short decimals that fill industry files ("55.933649",
//! "1999999.99").
//!
//! `str::parse::<f64>` is correctly rounded but spends most of its time on validation and
//! on the general algorithm. For a plain decimal `[+-]digits[.digits]` with at most 19
//! digits whose integer mantissa `w` is at most 2^53 and with at most 22 digits after the
//! point, `w` and `10^k` are both exact doubles, so one IEEE division `w / 10^k` is the
//! correctly rounded value of the decimal (Clinger's fast path, the same first step std
//! takes). Correct rounding is unique, so the result is bit-identical to std's; anything
//! else (exponents, long mantissas, `inf`, blanks) returns `None` and the caller falls
//! back to std and its error messages.

/// Exact powers of ten representable as `f64` (10^22 is the largest).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `[+-]digits[.digits]` as an `f64`, or `None` if `b` is not of that form or is outside
/// the exact fast path (the caller then uses `str::parse`).
#[inline]
pub(crate) fn parse_decimal(b: &[u8]) -> Option<f64> {
    let (v, n) = parse_decimal_prefix(b)?;
    (n == b.len()).then_some(v)
}

/// The `[+-]digits[.digits]` at the start of `b` as an `f64`, with its length in bytes,
/// or `None` if there is none or it is outside the exact fast path. What follows it is
/// the caller's to check (a field separator, or the end of the line).
#[inline]
pub(crate) fn parse_decimal_prefix(b: &[u8]) -> Option<(f64, usize)> {
    let (neg, start) = match b.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let mut w: u64 = 0;
    let mut i = start;
    while i < b.len() && b[i].is_ascii_digit() {
        w = w.wrapping_mul(10).wrapping_add((b[i] - b'0') as u64);
        i += 1;
    }
    let mut digits = i - start;
    let mut frac = 0usize;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let from = i;
        while i < b.len() && b[i].is_ascii_digit() {
            w = w.wrapping_mul(10).wrapping_add((b[i] - b'0') as u64);
            i += 1;
        }
        frac = i - from;
        digits += frac;
    }
    // 19 digits cannot overflow u64 (the wrapping ops above are then exact).
    if digits == 0 || digits > 19 || frac > 22 || w > 1 << 53 {
        return None;
    }
    let v = w as f64 / POW10[frac];
    Some((if neg { -v } else { v }, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(s: &str) {
        let fast = parse_decimal(s.as_bytes());
        let std = s.parse::<f64>().ok();
        if let Some(f) = fast {
            let e = std.unwrap_or_else(|| panic!("{s}: fast path accepted what std rejects"));
            assert_eq!(f.to_bits(), e.to_bits(), "{s}: {f} vs {e}");
        }
    }

    #[test]
    fn plain_decimals_match_std_bit_for_bit() {
        for s in [
            "0",
            "-0",
            "-0.0",
            "+1.5",
            "1.",
            ".5",
            "55.933649",
            "1999999.99",
            "35756.6515",
            "0.1",
            "0.3",
            "2.675",
            "9007199254740992",
            "9007199254740993",
            "900719925474099.3",
            "0.0000000000000000000001",
            "1234567890123456789",
            "123456789.0123456789",
            "5e-324",
            "1e5",
            "inf",
            "nan",
            "",
            "-",
            ".",
            "1.2.3",
            " 1",
            "1 ",
            "0x10",
        ] {
            same(s);
        }
        assert_eq!(parse_decimal(b"55.933649"), Some(55.933649));
        assert_eq!(
            parse_decimal(b"-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(parse_decimal(b"1e5"), None);
        assert_eq!(parse_decimal(b""), None);
        assert_eq!(parse_decimal(b"."), None);
        assert_eq!(parse_decimal(b"12345678901234567890"), None);
    }

    #[test]
    fn prefixes_stop_at_the_first_byte_that_is_not_part_of_the_decimal() {
        assert_eq!(parse_decimal_prefix(b"12.5,7"), Some((12.5, 4)));
        assert_eq!(parse_decimal_prefix(b"-3,x"), Some((-3.0, 2)));
        assert_eq!(parse_decimal_prefix(b"1999999.99"), Some((1999999.99, 10)));
        // the caller sees what follows and falls back: exponent, blank, second point
        assert_eq!(parse_decimal_prefix(b"1e5,"), Some((1.0, 1)));
        assert_eq!(parse_decimal_prefix(b"1 ,"), Some((1.0, 1)));
        assert_eq!(parse_decimal_prefix(b"1.2.3"), Some((1.2, 3)));
        assert_eq!(parse_decimal_prefix(b",1"), None);
        assert_eq!(parse_decimal_prefix(b"-,"), None);
        assert_eq!(parse_decimal_prefix(b""), None);
    }

    #[test]
    fn random_decimals_match_std_bit_for_bit() {
        // xorshift: deterministic, no dependency
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..200_000 {
            let int_digits = (next() % 17) as usize;
            let frac_digits = (next() % 17) as usize;
            let mut s = String::new();
            if next() % 4 == 0 {
                s.push('-');
            }
            for _ in 0..int_digits {
                s.push((b'0' + (next() % 10) as u8) as char);
            }
            if frac_digits > 0 || next() % 2 == 0 {
                s.push('.');
            }
            for _ in 0..frac_digits {
                s.push((b'0' + (next() % 10) as u8) as char);
            }
            same(&s);
        }
    }
}
