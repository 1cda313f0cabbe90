//! A stage's outputs as named files: what a front end writes into a stage's folder.

use peergroup_io::Table;

use crate::Chart;

/// One output of a stage: a table or a chart.
#[derive(Clone, Debug)]
pub enum Artifact {
    /// A table (written as CSV or Parquet by the file name's extension).
    Table(Table),
    /// A chart (written as SVG).
    Chart(Chart),
}

/// An output with its file name relative to the stage's folder (`eda/weekday.svg`).
pub type Named = (String, Artifact);

/// A list of outputs with their names, in writing order.
#[derive(Clone, Debug, Default)]
pub struct Artifacts(pub Vec<Named>);

impl Artifacts {
    /// Add a table.
    pub fn table(&mut self, file: impl Into<String>, table: Table) {
        self.0.push((file.into(), Artifact::Table(table)));
    }

    /// Add a chart.
    pub fn chart(&mut self, file: impl Into<String>, chart: Chart) {
        self.0.push((file.into(), Artifact::Chart(chart)));
    }

    /// The file names, in writing order.
    pub fn files(&self) -> Vec<&str> {
        self.0.iter().map(|(f, _)| f.as_str()).collect()
    }
}
