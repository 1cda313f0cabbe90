//! Which input to read: the file, the sheet of a workbook, and which of its columns play
//! which role, so that a vendor's table (`SecId,Date,Return`) is read unchanged.
//!
//! Every reader takes `&S` for any `S: AsSource` (a [`Path`], [`PathBuf`], `str`,
//! `String` or [`Source`]): a bare path reads the file under the column names the reader
//! documents; a [`Source`] can also name the sheet and map roles to the file's columns.
//!
//! Roles each reader reads (a role a reader does not read is ignored by it):
//!
//! | reader | id | date | value | category |
//! |---|---|---|---|---|
//! | [`read_series`](crate::read_series) long form | `id` | `date` | `value` (or `SeriesOptions::value_columns`) | – |
//! | [`read_series`](crate::read_series) wide form | – | `date` (any position) | – | – |
//! | [`read_industry`](crate::read_industry) | `class_id` | `date` | – | – |
//! | [`read_metadata`](crate::read_metadata) | the key column | – | – | `category` |
//! | [`read_labels`](crate::read_labels) | the key column | – | – | the label column |
//! | [`read_star_ratings`](crate::read_star_ratings) | `fund` | – | – | the stars column |
//! | [`read_funds`](crate::read_funds) | `fund` | – | – | `category` |
//! | [`read_sales`](crate::read_sales) | `fund` | `month` | `amount` | – |
//! | [`read_users`](crate::read_users) | `user_id` | `registered` | – | – |
//! | [`read_balances`](crate::read_balances) | `user_id` | `date` | `balance` | – |
//! | [`read_exposures`](crate::read_exposures) | `fund` | `date` | `beta` | – |
//! | [`read_fit_r2`](crate::read_fit_r2) | `fund` | `date` | `r2` | – |
//! | [`read_similarity`](crate::read_similarity) | – | `date` | `similarity` | – |
//! | [`read_features`](crate::read_features) | `id` | – | – | – |
//!
//! [`read_square_matrix`](crate::read_square_matrix), [`read_cross_labels`](crate::read_cross_labels)
//! and [`read_text_table`](crate::read_text_table) read no roles (their columns are
//! positional or fixed), but take the sheet.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a column is used for, whatever the file calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The key of each row: a series, fund, class or user id.
    Id,
    /// The date of each row.
    Date,
    /// The number each row holds (a return, price, amount).
    Value,
    /// A label of each row (a category, a reference class, stars).
    Category,
}

impl Role {
    /// The role's name in messages ("id", "date", "value", "category").
    pub fn name(self) -> &'static str {
        match self {
            Role::Id => "id",
            Role::Date => "date",
            Role::Value => "value",
            Role::Category => "category",
        }
    }
}

/// The file's own name of the column playing each role; `None` keeps the reader's
/// default name. Names match case-insensitively.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ColumnNames {
    /// Column of the ids (`--id-column`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Column of the dates (`--date-column`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Column of the values (`--value-column`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Column of the labels (`--category-column`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl ColumnNames {
    /// The file's column named for `role`, if one is.
    pub fn get(&self, role: Role) -> Option<&str> {
        match role {
            Role::Id => self.id.as_deref(),
            Role::Date => self.date.as_deref(),
            Role::Value => self.value.as_deref(),
            Role::Category => self.category.as_deref(),
        }
    }

    /// Whether no role is mapped.
    pub fn is_empty(&self) -> bool {
        *self == ColumnNames::default()
    }
}

/// One table input: the file, the sheet (workbooks only; `None` is the first sheet) and
/// the column mapping.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Source {
    /// The file; its extension names the format (see [`crate::Format`]).
    pub path: PathBuf,
    /// Sheet of a `.xlsx`, `.xls` or `.ods` workbook (`--sheet`); `None` reads the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Which columns play which role.
    #[serde(default, skip_serializing_if = "ColumnNames::is_empty")]
    pub columns: ColumnNames,
}

impl Source {
    /// The file `path`, first sheet, default column names.
    pub fn new(path: impl Into<PathBuf>) -> Source {
        Source {
            path: path.into(),
            ..Source::default()
        }
    }

    /// This source reading sheet `sheet` (builder style; `None` is the first sheet).
    pub fn with_sheet(mut self, sheet: Option<String>) -> Source {
        self.sheet = sheet;
        self
    }

    /// This source with the column mapping `columns` (builder style).
    pub fn with_columns(mut self, columns: ColumnNames) -> Source {
        self.columns = columns;
        self
    }

    /// The file name as shown in messages, with the sheet when one is named:
    /// `funds.xlsx, sheet 'Returns'`.
    pub fn label(&self) -> String {
        match &self.sheet {
            Some(s) => format!("{}, sheet '{s}'", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

impl From<&Path> for Source {
    fn from(path: &Path) -> Source {
        Source::new(path)
    }
}

impl From<&PathBuf> for Source {
    fn from(path: &PathBuf) -> Source {
        Source::new(path.clone())
    }
}

impl From<PathBuf> for Source {
    fn from(path: PathBuf) -> Source {
        Source::new(path)
    }
}

impl From<&str> for Source {
    fn from(path: &str) -> Source {
        Source::new(path)
    }
}

/// Anything a reader can read: a path (default sheet and column names) or a [`Source`].
/// Readers take `&S` with `S: AsSource + ?Sized`, so `read_series(&path, ..)` works for a
/// `Path`, `PathBuf`, `str` or `String`, and `read_sales` still passes as a
/// `fn(&Path) -> ..`.
pub trait AsSource {
    /// This input as a [`Source`].
    fn as_source(&self) -> Cow<'_, Source>;
}

impl AsSource for Source {
    fn as_source(&self) -> Cow<'_, Source> {
        Cow::Borrowed(self)
    }
}

impl AsSource for Path {
    fn as_source(&self) -> Cow<'_, Source> {
        Cow::Owned(Source::from(self))
    }
}

impl AsSource for PathBuf {
    fn as_source(&self) -> Cow<'_, Source> {
        Cow::Owned(Source::from(self))
    }
}

impl AsSource for str {
    fn as_source(&self) -> Cow<'_, Source> {
        Cow::Owned(Source::from(self))
    }
}

impl AsSource for String {
    fn as_source(&self) -> Cow<'_, Source> {
        Cow::Owned(Source::new(self))
    }
}

impl<T: AsSource + ?Sized> AsSource for &T {
    fn as_source(&self) -> Cow<'_, Source> {
        (**self).as_source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_from_kebab_case_keys() {
        let s: Source = serde_json::from_str(
            r#"{"path": "funds.xlsx", "sheet": "Returns", "columns": {"id": "SecId", "value": "Return"}}"#,
        )
        .unwrap();
        assert_eq!(
            s,
            Source::new("funds.xlsx")
                .with_sheet(Some("Returns".into()))
                .with_columns(ColumnNames {
                    id: Some("SecId".into()),
                    value: Some("Return".into()),
                    ..ColumnNames::default()
                })
        );
        assert_eq!(s.label(), "funds.xlsx, sheet 'Returns'");
        let back: Source = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        let bad = serde_json::from_str::<Source>(r#"{"path": "f.csv", "colums": {}}"#);
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("unknown field `colums`"));
    }

    #[test]
    fn paths_are_sources_with_default_names() {
        let p = Path::new("a.csv");
        assert_eq!(*p.as_source(), Source::new("a.csv"));
        assert_eq!(*(&p).as_source(), Source::new("a.csv"));
        assert!(Source::from(p.to_path_buf()).columns.is_empty());
        assert_eq!(ColumnNames::default().get(Role::Value), None);
    }
}
