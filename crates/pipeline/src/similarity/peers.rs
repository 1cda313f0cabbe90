//! A fund's closest competitors in a similarity table (METHODS §3.10).

use peergroup_data::{Date, InputError, Metadata};
use peergroup_io::{FundPairs, RowTable, SimilarityTable, Table};
use peergroup_similarity::peers_from_row;

use serde::{Deserialize, Serialize};

use crate::{date_index, Named};

/// Settings of [`peers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct PeersSettings {
    /// Number of peers.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = PeersSettings::default().top, value_name = "N"))]
    pub top: usize,
    /// Date of the similarity table (default: the last).
    #[cfg_attr(feature = "clap", arg(long, value_parser = crate::settings::parse::<Date>))]
    #[serde(with = "crate::settings::as_text_option")]
    pub date: Option<Date>,
}

impl Default for PeersSettings {
    /// The 10 closest peers on the last date.
    fn default() -> Self {
        PeersSettings {
            top: 10,
            date: None,
        }
    }
}

/// One peer of a fund.
#[derive(Clone, Debug, PartialEq)]
pub struct PeerRow {
    /// Peer id.
    pub peer: String,
    /// Similarity to the fund.
    pub similarity: f64,
    /// Whether the peer's category differs from the fund's (None without categories).
    pub outside_category: Option<bool>,
}

/// A fund's closest competitors in a similarity table, as
/// `fund,peer,rank,similarity,peer_category,outside_category`, with the peers.
pub fn peers(
    sim: Named<'_, SimilarityTable>,
    fund: &str,
    categories: Option<&Metadata>,
    settings: &PeersSettings,
) -> Result<(Table, Vec<PeerRow>), InputError> {
    let name = sim.name;
    let f = sim.funds.get(fund).ok_or_else(|| {
        let some: Vec<&str> = sim.funds.names.iter().take(5).map(String::as_str).collect();
        InputError::new(format!(
            "unknown fund '{}': the similarity table has {} funds ({}…)",
            fund,
            sim.funds.len(),
            some.join(", ")
        ))
        .in_file(name)
    })?;
    let t = match settings.date {
        Some(d) => date_index(&sim.dates, d, "similarities").map_err(|e| e.in_file(name))?,
        None => sim.dates.len() - 1,
    };
    let n = sim.funds.len();
    let row = &sim.matrix(t)[f * n..(f + 1) * n];
    Ok(ranked(fund, &sim.funds.names, row, f, categories, settings))
}

/// A fund's closest competitors from its own row of a pair table (streamed by
/// [`peergroup_io::read_fund_pairs`], so the table is never whole), as [`peers`] gives
/// them from the whole table.
pub fn fund_peers(
    pairs: &FundPairs,
    categories: Option<&Metadata>,
    settings: &PeersSettings,
) -> (Table, Vec<PeerRow>) {
    // The fund itself last, so that the row covers every fund as in a full matrix.
    let mut names = pairs.others.clone();
    names.push(pairs.fund.clone());
    let mut row = pairs.similarity.clone();
    row.push(f64::NAN);
    let f = names.len() - 1;
    ranked(&pairs.fund, &names, &row, f, categories, settings)
}

/// The table and rows of the `settings.top` funds most similar to `fund` (index `f` of
/// `names`, whose similarities are `row`).
fn ranked(
    fund: &str,
    names: &[String],
    row: &[f64],
    f: usize,
    categories: Option<&Metadata>,
    settings: &PeersSettings,
) -> (Table, Vec<PeerRow>) {
    let categories: Option<Vec<String>> = categories.map(|meta| {
        names
            .iter()
            .map(|id| meta.get(id, "category").unwrap_or("").to_string())
            .collect()
    });
    let peers = peers_from_row(row, f, settings.top, categories.as_deref());
    let table = RowTable::new(&peers)
        .text("fund", |_| fund.to_string())
        .text("peer", |p| names[p.fund].clone())
        .i64("rank", |p| p.rank as i64)
        .f64("similarity", |p| p.similarity)
        .text("peer_category", |p| p.category.clone().unwrap_or_default())
        .text("outside_category", |p| {
            p.outside_category.map_or(String::new(), |o| o.to_string())
        })
        .table();
    let rows = peers
        .iter()
        .map(|p| PeerRow {
            peer: names[p.fund].clone(),
            similarity: p.similarity,
            outside_category: p.outside_category,
        })
        .collect();
    (table, rows)
}
