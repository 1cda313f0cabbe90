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
    let mut i = digit_run(b, start, &mut w);
    let mut digits = i - start;
    let mut frac = 0usize;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let from = i;
        i = digit_run(b, i, &mut w);
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

/// Consume the run of ASCII digits at `b[i..]` into `w` (`w = w * 10 + digit`, wrapping)
/// and return where it ends. Eight bytes are looked at per step (SWAR): the position of
/// the first non-digit comes from a bit mask and the digits before it are combined with
/// three multiplications, instead of a compare, branch and multiply per byte.
#[inline]
fn digit_run(b: &[u8], mut i: usize, w: &mut u64) -> usize {
    const LOW: u64 = 0x0101_0101_0101_0101;
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        // A byte is a digit when its high nibble is 3 both as is and after adding 6
        // ('0'..='9' are 0x30..=0x39). Carries between bytes only start at a byte that is
        // not a digit, and only the first such byte is used.
        let off = ((x & (0xF0 * LOW)) ^ (0x30 * LOW))
            | (((x.wrapping_add(0x06 * LOW)) & (0xF0 * LOW)) ^ (0x30 * LOW));
        let n = (off.trailing_zeros() / 8) as usize; // 8 when all are digits
        if n == 0 {
            return i;
        }
        // The first `n` bytes (the low ones) as digit values, moved to the top so the
        // bytes below read as leading zeros.
        let v = (x.wrapping_sub(0x30 * LOW)) << (8 * (8 - n));
        *w = w.wrapping_mul(POW10_U64[n]).wrapping_add(eight_digits(v));
        i += n;
        if n < 8 {
            return i;
        }
    }
    while i < b.len() && b[i].is_ascii_digit() {
        *w = w.wrapping_mul(10).wrapping_add((b[i] - b'0') as u64);
        i += 1;
    }
    i
}

/// Powers of ten up to 10^8 as integers.
const POW10_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The number written by eight digit values (0..=9), one per byte, the first in the
/// lowest byte.
#[inline]
fn eight_digits(v: u64) -> u64 {
    // pairs, then quadruples, then the whole: 10a+b in each 16-bit lane, and so on
    let v = (v.wrapping_mul(10)).wrapping_add(v >> 8);
    let v = ((v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32)))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)));
    v >> 32
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
    fn digit_runs_of_every_length_and_any_following_byte() {
        // runs of 0 to 24 digits (across the 8-byte steps and the byte-wise tail),
        // followed by every possible byte and by more digits after it
        for len in 0..=24usize {
            let run: Vec<u8> = (0..len).map(|k| b"9876543210"[k % 10]).collect();
            for next in 0..=255u8 {
                let mut b = run.clone();
                b.push(next);
                b.extend_from_slice(b"12345678");
                let mut w = 0u64;
                let end = digit_run(&b, 0, &mut w);
                let expect = len + usize::from(next.is_ascii_digit()) * 9;
                assert_eq!(end, expect, "len {len}, next {next}");
                let want = b[..end].iter().fold(0u64, |v, d| {
                    v.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
                });
                assert_eq!(w, want, "len {len}, next {next}");
            }
        }
        assert_eq!(eight_digits(0x0807_0605_0403_0201), 12_345_678);
        assert_eq!(eight_digits(0x0909_0909_0909_0909), 99_999_999);
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
