//! `--reference FILE`: reference labels read and compared with a partition (ARI, NMI and
//! the contingency table), for `cluster` and `segment` alike.

use std::path::PathBuf;

use clap::Args;
use peergroup_io::{read_labels, ColumnNames, Source};
use peergroup_pipeline::reference::Agreement;

use super::options::name;
use super::CommandResult;

/// The reference labels of a partition and their columns.
#[derive(Args, Clone, Debug, Default)]
pub struct ReferenceArgs {
    /// Reference labels id,label (e.g. vendor categories, or a synthetic truth).
    #[arg(long, value_name = "FILE")]
    pub reference: Option<PathBuf>,
    /// Label column of the reference table (e.g. category of meta.csv).
    #[arg(long, default_value = "label", value_name = "NAME")]
    pub reference_column: String,
    /// Id column of the reference table (e.g. SecId).
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub reference_id_column: String,
}

/// Reference labels as read: the file's name and its `(id, label)` pairs.
pub struct Reference {
    /// File name, for messages.
    pub name: String,
    /// `(id, label)` per row.
    pub labels: Vec<(String, String)>,
}

impl ReferenceArgs {
    /// The labels of `--reference`, if given.
    pub fn read(&self) -> CommandResult<Option<Reference>> {
        let Some(r) = &self.reference else {
            return Ok(None);
        };
        let source = Source::new(r).with_columns(ColumnNames {
            id: Some(self.reference_id_column.clone()),
            ..ColumnNames::default()
        });
        Ok(Some(Reference {
            name: name(r),
            labels: read_labels(&source, "id", &self.reference_column)?,
        }))
    }
}

/// Print the ARI, NMI and the contingency table (rows: `what`, numbered 1..k).
pub fn print_agreement(a: &Agreement, reference: &str, what: &str) {
    eprintln!(
        "agreement with {reference}: ARI {:.3}, NMI {:.3}",
        a.ari, a.nmi
    );
    eprintln!("contingency (rows: {what}s, columns: reference labels):");
    eprintln!("  {what:>7}  {}", a.labels.join("  "));
    let table = &a.counts;
    for c in 0..table.rows {
        let counts: Vec<String> = (0..table.cols)
            .map(|j| table.get(c, j).to_string())
            .collect();
        eprintln!("  {:>7}  {}", c + 1, counts.join("  "));
    }
}
