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
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
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

/// A table already in memory: Arrow record batches, read like a Parquet file with the
/// same checks and the same messages (rows numbered from 1). A front end's DataFrame
/// arrives this way through the Arrow C data interface, without a copy of its columns.
#[derive(Clone)]
pub struct MemoryTable {
    schema: SchemaRef,
    batches: Arc<Vec<RecordBatch>>,
}

impl MemoryTable {
    /// The batches under `schema` (every batch must have it; the readers check cells,
    /// not schemas, so a batch with other columns is read by position of its names).
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> MemoryTable {
        MemoryTable {
            schema,
            batches: Arc::new(batches),
        }
    }

    /// The column names and types.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The record batches, in row order.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// Two handles are equal when they share the same batches (tables are not compared cell
/// by cell).
impl PartialEq for MemoryTable {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.batches, &other.batches)
    }
}

impl Eq for MemoryTable {}

impl fmt::Debug for MemoryTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MemoryTable({} rows × {} columns)",
            self.rows(),
            self.schema.fields().len()
        )
    }
}

/// Prefix of a path naming a table registered in memory ([`register_memory`]):
/// `memory:returns` reads the table registered as `returns`.
pub const MEMORY_PREFIX: &str = "memory:";

/// Tables registered in memory, by name.
static REGISTERED: Mutex<Vec<(String, MemoryTable)>> = Mutex::new(Vec::new());

/// Make `table` readable at the path `memory:<name>` by every reader, until the returned
/// guard is dropped; a front end that runs commands taking paths (the Python package)
/// hands its tables over this way. Names are unique while registered: registering a
/// name again replaces the table until the newer guard drops.
pub fn register_memory(name: &str, table: MemoryTable) -> MemoryRegistration {
    let mut r = REGISTERED.lock().unwrap_or_else(PoisonError::into_inner);
    r.push((name.to_string(), table.clone()));
    MemoryRegistration {
        name: name.to_string(),
        table,
    }
}

/// A table registered by [`register_memory`]; dropping it unregisters the table.
#[derive(Debug)]
pub struct MemoryRegistration {
    name: String,
    table: MemoryTable,
}

impl MemoryRegistration {
    /// The path that reads the table: `memory:<name>`.
    pub fn path(&self) -> String {
        format!("{MEMORY_PREFIX}{}", self.name)
    }
}

impl Drop for MemoryRegistration {
    fn drop(&mut self) {
        let mut r = REGISTERED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = r
            .iter()
            .rposition(|(n, t)| *n == self.name && *t == self.table)
        {
            r.remove(i);
        }
    }
}

/// The table registered under `name` (the latest registration), if any.
fn registered(name: &str) -> Option<MemoryTable> {
    let r = REGISTERED.lock().unwrap_or_else(PoisonError::into_inner);
    r.iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.clone())
}

/// One table input: the file, the sheet (workbooks only; `None` is the first sheet) and
/// the column mapping.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Source {
    /// The file; its extension names the format (see [`crate::Format`]). For a table in
    /// memory, the name it goes by in messages.
    pub path: PathBuf,
    /// Sheet of a `.xlsx`, `.xls` or `.ods` workbook (`--sheet`); `None` reads the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Which columns play which role.
    #[serde(default, skip_serializing_if = "ColumnNames::is_empty")]
    pub columns: ColumnNames,
    /// The table itself when it is already in memory (then `path` is only its name).
    #[serde(skip)]
    pub memory: Option<MemoryTable>,
}

impl Source {
    /// The file `path`, first sheet, default column names.
    pub fn new(path: impl Into<PathBuf>) -> Source {
        Source {
            path: path.into(),
            ..Source::default()
        }
    }

    /// The table `table` in memory, called `name` in messages (e.g. "returns").
    pub fn in_memory(name: impl Into<String>, table: MemoryTable) -> Source {
        Source {
            path: PathBuf::from(name.into()),
            memory: Some(table),
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
    /// `funds.xlsx, sheet 'Returns'`; a registered table in memory by its name.
    pub fn label(&self) -> String {
        let path = self.path.display().to_string();
        let path = path.strip_prefix(MEMORY_PREFIX).unwrap_or(&path);
        match &self.sheet {
            Some(s) => format!("{path}, sheet '{s}'"),
            None => path.to_string(),
        }
    }

    /// The table in memory this source reads: its own, or the one registered under its
    /// `memory:<name>` path.
    pub fn memory_table(&self) -> Option<MemoryTable> {
        self.memory.clone().or_else(|| {
            self.path
                .to_str()
                .and_then(|p| p.strip_prefix(MEMORY_PREFIX))
                .and_then(registered)
        })
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
