//! The CSV text of single values: quoting, integers, dates and floats, written without
//! going through `fmt` (these run once per cell of tables with millions of rows).

use peergroup_data::Date;

/// Longest text of one cell: f64 as shortest round-trip text ("-1.2345678901234567e-308"
/// is 24 bytes) and i64 ("-9223372036854775808", 20 bytes); `None` for unbounded text.
pub(super) const F64_WIDTH: usize = 24;
pub(super) const I64_WIDTH: usize = 20;

/// `s` as one CSV field: quoted (inner quotes doubled) where it holds a comma, a quote
/// or a line break, as is otherwise.
pub(super) fn push_quoted(s: &str, out: &mut Vec<u8>) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Decimal digits of `v` without going through `fmt` (dates and counts are hot paths).
pub(super) fn push_int(v: i64, out: &mut Vec<u8>) {
    let mut buf = [0u8; I64_WIDTH];
    out.extend_from_slice(int_text(v, &mut buf));
}

/// The decimal text of `v`, written at the end of `buf`.
pub(super) fn int_text(v: i64, buf: &mut [u8; I64_WIDTH]) -> &[u8] {
    let mut x = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

fn push_padded(v: u32, width: usize, out: &mut Vec<u8>) {
    let mut buf = [b'0'; 4];
    let mut x = v;
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (x % 10) as u8;
        x /= 10;
    }
    out.extend_from_slice(&buf[..width]);
}

/// `YYYY-MM-DD` (years outside 0-9999 as plain, possibly signed, integers).
pub(super) fn push_date(date: Date, out: &mut Vec<u8>) {
    let (y, m, d) = date.ymd();
    if (0..=9999).contains(&y) {
        push_padded(y as u32, 4, out);
    } else {
        push_int(y as i64, out);
    }
    out.push(b'-');
    push_padded(m, 2, out);
    out.push(b'-');
    push_padded(d, 2, out);
}

/// A finite `x` as its shortest round-trip text; nothing (an empty cell) for NaN and
/// infinities.
#[inline(always)]
pub(super) fn push_f64(x: f64, out: &mut Vec<u8>) {
    if x.is_finite() {
        // Shortest round-trip text (Żmij, ~2x faster than ryu): 1.0 as "1.0",
        // 1e-7 as "1e-7", 1e22 as "1e+22"; all parse everywhere.
        let mut b = zmij::Buffer::new();
        out.extend_from_slice(b.format_finite(x).as_bytes());
    }
}
