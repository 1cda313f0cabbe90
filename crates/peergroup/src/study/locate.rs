//! Where things are in a study file: the line of a key, for error messages.
//!
//! The typed parse (serde) reports a byte span for the first error it meets; checks made
//! after parsing (a missing file, a setting out of range) look their key up here, so every
//! message about a study file names its line.

use std::ops::Range;

use peergroup_data::{InputError, PositionKind};
use toml::de::{DeTable, DeValue};

/// The study file's text and the spans of its keys.
pub struct Locator {
    /// The file name as messages show it.
    file: String,
    /// The file's text.
    text: String,
    /// Every key path (`["inputs", "style", "returns"]`) with the span of its key.
    keys: Vec<(Vec<String>, Range<usize>)>,
}

impl Locator {
    /// Index the keys of `text`; a syntax error is returned with its line.
    pub fn new(file: &str, text: &str) -> Result<Locator, InputError> {
        let mut locator = Locator {
            file: file.to_string(),
            text: text.to_string(),
            keys: Vec::new(),
        };
        let doc = DeTable::parse(text).map_err(|e| {
            let at = e
                .span()
                .and_then(|s| locator.snippet(&s))
                .map(|t| format!(" ('{t}')"))
                .unwrap_or_default();
            locator.error_at(
                e.span(),
                format!("not valid TOML: {}{at}", first_line(e.message())),
            )
        })?;
        let mut path = Vec::new();
        collect(doc.get_ref(), &mut path, &mut locator.keys);
        Ok(locator)
    }

    /// 1-based line of byte offset `at`.
    pub fn line_of(&self, at: usize) -> u64 {
        let at = at.min(self.text.len());
        1 + self.text.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    }

    /// The span of the key at `path`, e.g. `["style", "window"]`.
    pub fn span(&self, path: &[&str]) -> Option<Range<usize>> {
        self.keys
            .iter()
            .find(|(p, _)| p.len() == path.len() && p.iter().zip(path).all(|(a, b)| a == b))
            .map(|(_, s)| s.clone())
    }

    /// An error about the key at `path`: `study.toml, line 12: key 'window' in [style]: …`.
    /// A key that is absent from the file (a default) is reported at its table.
    pub fn key_error(&self, path: &[&str], message: impl Into<String>) -> InputError {
        let message = message.into();
        let (table, key) = match path.split_last() {
            Some((key, table)) => (table, *key),
            None => return InputError::new(message).in_file(self.file.clone()),
        };
        let text = if table.is_empty() {
            format!("key '{key}': {message}")
        } else {
            format!("key '{key}' in [{}]: {message}", table.join("."))
        };
        let span = (1..=path.len()).rev().find_map(|n| self.span(&path[..n]));
        self.error_at(span, text)
    }

    /// An error about the table at `path`, e.g. `["segment", "sales"]`: `study.toml, line 30:
    /// [segment.sales]: …`.
    pub fn table_error(&self, path: &[&str], message: impl Into<String>) -> InputError {
        let text = format!("[{}]: {}", path.join("."), message.into());
        self.error_at(self.span(path), text)
    }

    /// An error at byte span `span` (or without a line when there is none).
    pub fn error_at(&self, span: Option<Range<usize>>, message: impl Into<String>) -> InputError {
        let e = InputError::new(message).in_file(self.file.clone());
        match span {
            Some(s) => e.with_position(PositionKind::Line.at(self.line_of(s.start))),
            None => e,
        }
    }

    /// The typed parse's error, reworded for an analyst: which key, which table, what
    /// was expected.
    pub fn parse_error(&self, e: &toml::de::Error) -> InputError {
        let span = e.span();
        let message = first_line(e.message());
        let table = span
            .as_ref()
            .and_then(|s| self.table_around(s.start))
            .unwrap_or_default();
        let place = if table.is_empty() {
            String::new()
        } else {
            format!(" in [{table}]")
        };
        let text = if let Some(rest) = message.strip_prefix("unknown field `") {
            let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
            let expected = expected
                .trim_start_matches(", expected ")
                .trim_start_matches("one of ")
                .replace('`', "");
            format!("unknown key '{key}'{place}; expected one of: {expected}")
        } else if let Some(rest) = message.strip_prefix("missing field `") {
            let key = rest.split('`').next().unwrap_or(rest);
            format!("missing key '{key}'{place}")
        } else {
            let key = span
                .as_ref()
                .and_then(|s| self.key_at(s.start))
                .map(|k| format!("key '{k}'{place}: "))
                .unwrap_or_else(|| {
                    if place.is_empty() {
                        String::new()
                    } else {
                        format!("[{table}]: ")
                    }
                });
            format!("{key}{}", plain_types(&message.replace('`', "'")))
        };
        self.error_at(span, text)
    }

    /// The key whose key or value starts on the line of byte `at`.
    fn key_at(&self, at: usize) -> Option<String> {
        let line = self.line_of(at);
        self.keys
            .iter()
            .filter(|(_, s)| self.line_of(s.start) == line)
            .max_by_key(|(p, _)| p.len())
            .and_then(|(p, _)| p.last().cloned())
    }

    /// The dotted name of the table byte `at` is in: the innermost header before it, or,
    /// when `at` is inside a header, that header's parent (the error is then about the
    /// header's own last part).
    fn table_around(&self, at: usize) -> Option<String> {
        let at = at.min(self.text.len());
        let start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i);
        if let Some(name) = header_name(&self.text[start..end]) {
            return Some(
                name.rsplit_once('.')
                    .map(|(p, _)| p.to_string())
                    .unwrap_or_default(),
            );
        }
        self.text[..start].lines().rev().find_map(header_name)
    }

    /// The source text of `span` when it is short and on one line, for messages.
    fn snippet(&self, span: &Range<usize>) -> Option<&str> {
        let text = self.text.get(span.clone())?.trim();
        (!text.is_empty() && text.len() <= 40 && !text.contains('\n')).then_some(text)
    }
}

/// The dotted name of a `[table]` header line (not an array of tables).
fn header_name(line: &str) -> Option<String> {
    let line = line.trim();
    if line.starts_with('[') && !line.starts_with("[[") {
        let name = line.trim_start_matches('[').split(']').next()?.trim();
        Some(name.replace(' ', ""))
    } else {
        None
    }
}

/// Walk a parsed table, recording every key's path and span.
fn collect(
    table: &DeTable<'_>,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Range<usize>)>,
) {
    for (key, value) in table.iter() {
        path.push(key.get_ref().to_string());
        out.push((path.clone(), key.span()));
        if let DeValue::Table(t) = value.get_ref() {
            collect(t, path, out);
        }
        path.pop();
    }
}

/// serde's Rust type names in words an analyst reads.
fn plain_types(message: &str) -> String {
    let mut m = message.to_string();
    for (rust, plain) in [
        ("expected usize", "expected a whole number ≥ 0"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
        ("expected a sequence", "expected a list, e.g. [1, 3]"),
    ] {
        m = m.replace(rust, plain);
    }
    m
}

/// The first line of a multi-line parser message.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[study]\ntitle = \"x\"\n\n[style]\nwindow = 104\n\n[inputs.style]\nreturns = \"funds.csv\"\n";

    #[test]
    fn lines_of_keys() {
        let l = Locator::new("s.toml", TEXT).unwrap();
        let span = l.span(&["style", "window"]).unwrap();
        assert_eq!(l.line_of(span.start), 5);
        let span = l.span(&["inputs", "style", "returns"]).unwrap();
        assert_eq!(l.line_of(span.start), 8);
        let e = l.key_error(&["inputs", "style", "returns"], "file not found");
        assert_eq!(
            e.to_string(),
            "s.toml, line 8: key 'returns' in [inputs.style]: file not found"
        );
        // A defaulted key is reported at its table's header.
        let e = l.key_error(&["style", "step"], "must be at least 1");
        assert_eq!(
            e.to_string(),
            "s.toml, line 4: key 'step' in [style]: must be at least 1"
        );
    }

    #[test]
    fn errors_name_their_table() {
        let l = Locator::new("s.toml", "[segment.salse]\nk = 2\n\n[style]\nwindw = 3\n").unwrap();
        assert_eq!(l.table_around(10).as_deref(), Some("segment"));
        assert_eq!(l.table_around(33).as_deref(), Some("style"));
        let e = Locator::new("s.toml", "[style]\nstep = 1\nstep = 2\n")
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("duplicate key ('step')"),
            "{e}"
        );
    }

    #[test]
    fn syntax_error_names_its_line() {
        let e = Locator::new("s.toml", "[style]\nwindow = = 3\n")
            .err()
            .unwrap()
            .to_string();
        assert!(e.starts_with("s.toml, line 2: not valid TOML"), "{e}");
    }
}
