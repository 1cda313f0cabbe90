//! How a value from an input file is echoed in an error message: shortened and on one
//! line. It lives in the lowest crate so that the date parser's messages use it too;
//! `peergroup-data` re-exports it for every reader.

use std::borrow::Cow;
use std::fmt::Write;

/// Most characters of a value echoed in a message.
pub const SHOWN_CHARS: usize = 64;

/// `text` as a message echoes it: control characters escaped (see [`one_line`]) and,
/// beyond [`SHOWN_CHARS`] characters, cut with the full length in bytes appended
/// (`abc… (10485760 bytes)`), so that a 10 MB cell gives a short, one-line message.
pub fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => one_line(text).into_owned(),
        Some((cut, _)) => format!("{}… ({} bytes)", one_line(&text[..cut]), text.len()),
    }
}

/// `text` with CR, LF and tab written as `\r`, `\n`, `\t` and every other control
/// character as `\u{..}`, so that a message never spans lines.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_controls_escaped() {
        assert_eq!(shown("abc"), "abc");
        assert_eq!(shown("a\r\nb\tc\u{0}"), "a\\r\\nb\\tc\\u{0}");
        assert!(matches!(one_line("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn long_text_is_cut_with_its_length() {
        let long = "é".repeat(1000);
        let s = shown(&long);
        assert_eq!(s, format!("{}… (2000 bytes)", "é".repeat(SHOWN_CHARS)));
        let exact = "x".repeat(SHOWN_CHARS);
        assert_eq!(shown(&exact), exact);
        let lines = "1\n".repeat(100);
        assert!(!shown(&lines).contains('\n'));
    }
}
