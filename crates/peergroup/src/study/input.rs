//! A study's input tables: where each is, which sheet and columns to read, what its
//! values are; and their content hashes.

use std::fmt;
use std::path::{Path, PathBuf};

use peergroup_data::SeriesKind;
use peergroup_io::{ColumnNames, SeriesOptions, Source};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// One input table: a path (relative to the study file), or a table with the path and
/// how to read it — the same names as the command-line flags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct InputSpec {
    /// The file: CSV, Parquet or a spreadsheet.
    pub path: PathBuf,
    /// The sheet of a spreadsheet (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The column that holds ids (default `id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_column: Option<String>,
    /// The column that holds dates (default `date`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_column: Option<String>,
    /// The column that holds values (default `value`, or the stage's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_column: Option<String>,
    /// The column that holds categories, where one is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_column: Option<String>,
    /// Values are prices or NAVs (returns are derived).
    #[serde(default)]
    pub prices: bool,
    /// Returns are in percent.
    #[serde(default)]
    pub percent: bool,
    /// Largest plausible return per period, a fraction (default 10 = +1,000%): the
    /// command line's --max-return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_return: Option<f64>,
}

impl InputSpec {
    /// The file's path, resolved against the study's folder.
    pub fn resolved(&self, base: &Path) -> PathBuf {
        if self.path.is_absolute() {
            self.path.clone()
        } else {
            base.join(&self.path)
        }
    }

    /// The file, sheet and column roles, for the readers.
    pub fn source(&self, base: &Path) -> Source {
        Source::new(self.resolved(base))
            .with_sheet(self.sheet.clone())
            .with_columns(ColumnNames {
                id: self.id_column.clone(),
                date: self.date_column.clone(),
                value: self.value_column.clone(),
                category: self.category_column.clone(),
            })
    }

    /// How to read the file as a series table whose long form has one of `value_columns`
    /// (unless `value-column` names it).
    pub fn series_options(&self, value_columns: &[&str]) -> SeriesOptions {
        let columns: Vec<String> = value_columns.iter().map(|c| c.to_string()).collect();
        SeriesOptions {
            kind: if self.prices {
                SeriesKind::Prices
            } else {
                SeriesKind::Returns
            },
            percent: self.percent,
            value_columns: columns,
            max_return: self.max_return(),
        }
    }

    /// The bound of a plausible return (`max-return`, by default 10 = +1,000%).
    pub fn max_return(&self) -> f64 {
        self.max_return
            .unwrap_or(peergroup_data::plausibility::DEFAULT_MAX_RETURN)
    }
}

/// Accept `returns = "funds.csv"` as well as `returns = { path = "funds.csv", … }`.
pub fn spec<'de, D: Deserializer<'de>>(d: D) -> Result<Option<InputSpec>, D::Error> {
    struct SpecVisitor;
    impl<'de> Visitor<'de> for SpecVisitor {
        type Value = InputSpec;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a file path or a table { path = \"...\", ... }")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<InputSpec, E> {
            Ok(InputSpec {
                path: PathBuf::from(v),
                ..InputSpec::default()
            })
        }
        fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<InputSpec, M::Error> {
            InputSpec::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_any(SpecVisitor).map(Some)
}
