use std::fmt;

use peergroup_calendar::{one_line, shown};

/// Where in an input file a problem sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// 1-based line of a text file (the header is line 1).
    Line(u64),
    /// 1-based data row of a columnar file (Parquet has no header line).
    Row(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// Whether positions in a file count text lines or data rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PositionKind {
    /// Text lines (CSV).
    #[default]
    Line,
    /// Data rows (Parquet).
    Row,
}

impl PositionKind {
    /// The position `n` (1-based) of this kind.
    pub fn at(self, n: u64) -> Position {
        match self {
            PositionKind::Line => Position::Line(n),
            PositionKind::Row => Position::Row(n),
        }
    }
}

impl Position {
    /// The kind and number of this position.
    pub fn parts(self) -> (PositionKind, u64) {
        match self {
            Position::Line(n) => (PositionKind::Line, n),
            Position::Row(n) => (PositionKind::Row, n),
        }
    }
}

/// A problem with user input: which file, where, which column, and what was expected.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    /// File name as the user gave it (`None` for in-memory data).
    pub file: Option<String>,
    /// Line or row of the offending record, when there is one.
    pub position: Option<Position>,
    /// Column name, when one column is at fault.
    pub column: Option<String>,
    /// What was expected and what was found.
    pub message: String,
    /// Whether the system failed rather than the input (a file that exists but cannot be
    /// read: permissions, I/O errors): the command then exits 1, not 2.
    pub system: bool,
}

impl InputError {
    /// An error about the input as a whole.
    pub fn new(message: impl Into<String>) -> InputError {
        InputError {
            file: None,
            position: None,
            column: None,
            message: message.into(),
            system: false,
        }
    }

    /// A failure of the system rather than of the input (exit code 1): a file that
    /// exists could not be read, or does not fit in memory.
    pub fn system(message: impl Into<String>) -> InputError {
        InputError {
            system: true,
            ..InputError::new(message)
        }
    }

    /// An error at a given position.
    pub fn at(position: Position, message: impl Into<String>) -> InputError {
        InputError::new(message).with_position(position)
    }

    /// Attach the position.
    pub fn with_position(mut self, position: Position) -> InputError {
        self.position = Some(position);
        self
    }

    /// Attach the column name.
    pub fn with_column(mut self, column: impl Into<String>) -> InputError {
        self.column = Some(column.into());
        self
    }

    /// Attach the file name, unless one is already set.
    pub fn in_file(mut self, file: impl Into<String>) -> InputError {
        if self.file.is_none() {
            self.file = Some(file.into());
        }
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut prefix = Vec::new();
        // Every part on one line whatever a file name, column or message holds.
        if let Some(file) = &self.file {
            prefix.push(one_line(file).into_owned());
        }
        if let Some(p) = &self.position {
            prefix.push(p.to_string());
        }
        if let Some(c) = &self.column {
            prefix.push(format!("column '{}'", shown(c)));
        }
        let message = one_line(&self.message);
        if prefix.is_empty() {
            f.write_str(&message)
        } else {
            write!(f, "{}: {}", prefix.join(", "), message)
        }
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_every_part() {
        let e = InputError::at(Position::Line(7), "expected a number, found 'abc'")
            .with_column("price")
            .in_file("data.csv");
        assert_eq!(
            e.to_string(),
            "data.csv, line 7, column 'price': expected a number, found 'abc'"
        );
        assert_eq!(InputError::new("empty").to_string(), "empty");
        let r = InputError::at(Position::Row(3), "bad")
            .in_file("x.parquet")
            .in_file("y");
        assert_eq!(r.to_string(), "x.parquet, row 3: bad");
        assert!(!r.system && InputError::system("cannot read").system);
    }

    #[test]
    fn never_prints_a_raw_newline() {
        let e = InputError::new("found 'a\nb'")
            .with_column("x\ry")
            .in_file("dir\n/f.csv");
        assert_eq!(e.to_string(), "dir\\n/f.csv, column 'x\\ry': found 'a\\nb'");
    }
}
