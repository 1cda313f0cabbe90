//! A run folder's tables, loaded once at start, and the per-fund and per-group views the
//! pages show. Everything is read-only after loading, so requests share it freely.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use peergroup_data::InputError;

/// A CSV table as text cells: what the pages show and the downloads write.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells, as wide as the header.
    pub rows: Vec<Vec<String>>,
}

impl Grid {
    /// Read `path` (a result table the run wrote).
    pub fn read(path: &Path) -> Result<Grid, InputError> {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .map_err(|e| {
                InputError::new(format!("cannot read: {e}")).in_file(path.display().to_string())
            })?;
        let header = r
            .headers()
            .map_err(|e| InputError::new(e.to_string()).in_file(path.display().to_string()))?
            .iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec
                .map_err(|e| InputError::new(e.to_string()).in_file(path.display().to_string()))?;
            let mut row: Vec<String> = rec.iter().map(str::to_string).collect();
            row.resize(header.len(), String::new());
            rows.push(row);
        }
        Ok(Grid { header, rows })
    }

    /// Index of column `name`.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The rows whose column `name` equals `value` (none when the column is missing).
    pub fn filter(&self, name: &str, value: &str) -> Grid {
        let rows = match self.col(name) {
            Some(c) => self
                .rows
                .iter()
                .filter(|r| r[c] == value)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        Grid {
            header: self.header.clone(),
            rows,
        }
    }

    /// The distinct values of column `name`, in order of first appearance.
    pub fn distinct(&self, name: &str) -> Vec<String> {
        let Some(c) = self.col(name) else {
            return Vec::new();
        };
        let mut seen = BTreeSet::new();
        self.rows
            .iter()
            .filter(|r| seen.insert(r[c].clone()))
            .map(|r| r[c].clone())
            .collect()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table for a download: header and rows as the columnar output model.
    pub fn to_table(&self) -> peergroup_io::Table {
        let mut t = peergroup_io::Table::new();
        for (c, name) in self.header.iter().enumerate() {
            let cells: Vec<&str> = self.rows.iter().map(|r| r[c].as_str()).collect();
            let numbers: Option<Vec<f64>> = cells
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        Some(f64::NAN)
                    } else {
                        s.parse().ok()
                    }
                })
                .collect();
            let column = match numbers {
                Some(v) if !cells.is_empty() => peergroup_io::Column::F64(v),
                _ => peergroup_io::Column::Text(cells.iter().map(|s| s.to_string()).collect()),
            };
            t = t.with(name, column);
        }
        t
    }
}

/// Stages a run may hold, with the table each page reads and what the study needs to
/// produce it.
pub const STAGES: [(&str, &str, &str); 8] = [
    (
        "style",
        "exposures.csv",
        "[style] with [inputs.style] returns and factors",
    ),
    ("peers", "peers.csv", "[peers] (after [similarity])"),
    ("cluster", "clusters.csv", "[cluster] (after [similarity])"),
    ("evolve", "assignments.csv", "[evolve] with [inputs.evolve]"),
    ("rate", "ratings.csv", "[rate] with [inputs.rate] returns"),
    (
        "periods",
        "periods.csv",
        "[periods] (after [industry] or with [inputs.periods])",
    ),
    ("rank", "rank.csv", "[rank]"),
    (
        "similarity",
        "similarity.csv",
        "[similarity] (after [style])",
    ),
];

/// A run folder, loaded.
pub struct RunData {
    /// The folder, canonical.
    pub root: PathBuf,
    /// The study's title (from report.json) or the folder's name.
    pub title: String,
    /// Tables by `stage/file` (e.g. `style/exposures.csv`).
    pub tables: BTreeMap<String, Grid>,
    /// Stages found, by name.
    pub present: BTreeSet<String>,
    /// Every fund id any table names, sorted.
    pub funds: Vec<String>,
    /// Latest peer group of each fund (`cluster/clusters.csv`).
    pub cluster_of: HashMap<String, String>,
    /// Category of each fund (`--categories`).
    pub category_of: HashMap<String, String>,
    /// Name of each fund (a `name` column of `--categories`).
    pub name_of: HashMap<String, String>,
    /// Peer groups of the latest clustering, in numeric order.
    groups: Vec<String>,
    /// Members of each peer group.
    members_of: HashMap<String, Vec<String>>,
    /// AU and BP of each peer group that is exactly one subtree.
    pvalues_of: HashMap<String, (String, String)>,
    /// Rows of a table by the value of one column, for the lookups every page makes:
    /// `(table, column) → value → row numbers`.
    index: HashMap<(String, String), HashMap<String, Vec<usize>>>,
}

/// The (table, column) pairs looked up per request, indexed at load.
const INDEXED: [(&str, &str); 8] = [
    ("periods/periods.csv", "period"),
    ("style/exposures.csv", "fund"),
    ("peers/peers.csv", "fund"),
    ("evolve/assignments.csv", "fund"),
    ("rate/ratings.csv", "fund"),
    ("periods/periods.csv", "id"),
    ("evolve/portfolios.csv", "group"),
    ("evolve/themes_by_attribute.csv", "cluster"),
];

/// The table no stage wrote.
static EMPTY: Grid = Grid {
    header: Vec::new(),
    rows: Vec::new(),
};

impl RunData {
    /// Load the run in `dir`: every CSV table of the stage folders the pages use.
    pub fn load(dir: &Path) -> Result<RunData, InputError> {
        let root = dir.canonicalize().map_err(|e| {
            InputError::new(format!("cannot open the run folder: {e}"))
                .in_file(dir.display().to_string())
        })?;
        if !root.is_dir() {
            return Err(
                InputError::new("expected the folder of a study run (peergroup run)")
                    .in_file(dir.display().to_string()),
            );
        }
        let mut tables = BTreeMap::new();
        let mut present = BTreeSet::new();
        for (stage, _, _) in STAGES {
            let folder = root.join(stage);
            if !folder.is_dir() {
                continue;
            }
            present.insert(stage.to_string());
            let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
                .map_err(|e| InputError::new(e.to_string()).in_file(folder.display().to_string()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "csv"))
                .collect();
            files.sort();
            for f in files {
                // The full pair table can be large and no page needs it whole.
                if stage == "similarity" {
                    continue;
                }
                let name = format!(
                    "{stage}/{}",
                    f.file_name().unwrap_or_default().to_string_lossy()
                );
                tables.insert(name, Grid::read(&f)?);
            }
        }
        let title = std::fs::read_to_string(root.join("report.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(str::to_string))
            .unwrap_or_else(|| {
                root.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            });
        let mut ids = BTreeSet::new();
        for (table, column) in [
            ("style/exposures.csv", "fund"),
            ("peers/peers.csv", "fund"),
            ("cluster/clusters.csv", "id"),
            ("evolve/assignments.csv", "fund"),
            ("rate/ratings.csv", "fund"),
        ] {
            if let Some(g) = tables.get(table) {
                ids.extend(g.distinct(column));
            }
        }
        let mut cluster_of = HashMap::new();
        if let Some(g) = tables.get("cluster/clusters.csv") {
            if let (Some(i), Some(c)) = (g.col("id"), g.col("cluster")) {
                for r in &g.rows {
                    cluster_of.insert(r[i].clone(), r[c].clone());
                }
            }
        }
        let mut index = HashMap::new();
        for (table, column) in INDEXED {
            if let Some(g) = tables.get(table) {
                if let Some(c) = g.col(column) {
                    let mut by: HashMap<String, Vec<usize>> = HashMap::new();
                    for (i, r) in g.rows.iter().enumerate() {
                        by.entry(r[c].clone()).or_default().push(i);
                    }
                    index.insert((table.to_string(), column.to_string()), by);
                }
            }
        }
        let clusters = tables
            .get("cluster/clusters.csv")
            .cloned()
            .unwrap_or_default();
        let mut groups = clusters.distinct("cluster");
        groups.sort_by_key(|c| c.parse::<u64>().unwrap_or(u64::MAX));
        let mut members_of: HashMap<String, Vec<String>> = HashMap::new();
        for (f, c) in &cluster_of {
            members_of.entry(c.clone()).or_default().push(f.clone());
        }
        members_of.values_mut().for_each(|m| m.sort());
        let mut pvalues_of = HashMap::new();
        if let Some(p) = tables.get("cluster/pvalues.csv") {
            if let (Some(m), Some(au), Some(bp)) = (p.col("members"), p.col("au"), p.col("bp")) {
                let by_set: HashMap<Vec<&str>, (String, String)> = p
                    .rows
                    .iter()
                    .map(|r| {
                        let mut set: Vec<&str> = r[m].split(';').collect();
                        set.sort_unstable();
                        (set, (r[au].clone(), r[bp].clone()))
                    })
                    .collect();
                for (g, members) in &members_of {
                    let key: Vec<&str> = members.iter().map(String::as_str).collect();
                    if let Some(v) = by_set.get(&key) {
                        pvalues_of.insert(g.clone(), v.clone());
                    }
                }
            }
        }
        Ok(RunData {
            root,
            title,
            tables,
            present,
            funds: ids.into_iter().collect(),
            cluster_of,
            category_of: HashMap::new(),
            name_of: HashMap::new(),
            groups,
            members_of,
            pvalues_of,
            index,
        })
    }

    /// A table of the run, or an empty one.
    pub fn table(&self, name: &str) -> &Grid {
        self.tables.get(name).unwrap_or(&EMPTY)
    }

    /// The rows of table `name` whose `column` is `value` (through the index where there
    /// is one).
    pub fn rows(&self, name: &str, column: &str, value: &str) -> Grid {
        let g = self.table(name);
        match self.index.get(&(name.to_string(), column.to_string())) {
            Some(by) => Grid {
                header: g.header.clone(),
                rows: by
                    .get(value)
                    .map(|rows| rows.iter().map(|&i| g.rows[i].clone()).collect())
                    .unwrap_or_default(),
            },
            None => g.filter(column, value),
        }
    }

    /// Whether `id` is a fund of the run.
    pub fn has_fund(&self, id: &str) -> bool {
        self.funds.binary_search_by(|f| f.as_str().cmp(id)).is_ok()
    }

    /// Peer groups of the latest clustering, in numeric order.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Members of peer group `group` in the latest clustering, sorted.
    pub fn members(&self, group: &str) -> &[String] {
        self.members_of.get(group).map_or(&[], Vec::as_slice)
    }

    /// AU and BP p-values of the node whose members are exactly those of `group` (a
    /// group the cut made from one subtree), if the run has bootstrap p-values.
    pub fn au_bp(&self, group: &str) -> Option<(String, String)> {
        self.pvalues_of.get(group).cloned()
    }

    /// The first row's `column` of table `name` (e.g. the first averaging rule of the
    /// evolve tables, the one the pages show), or empty.
    pub fn first(&self, name: &str, column: &str) -> String {
        let g = self.table(name);
        match (g.col(column), g.rows.first()) {
            (Some(c), Some(r)) => r[c].clone(),
            _ => String::new(),
        }
    }

    /// Categories and names of the funds, from a categories table (`id`, `category`,
    /// and `name` when it has one).
    pub fn set_categories(&mut self, meta: &peergroup_data::Metadata) {
        for id in meta.ids() {
            if let Some(c) = meta.get(id, "category") {
                self.category_of.insert(id.clone(), c.to_string());
            }
            if let Some(n) = meta.get(id, "name").filter(|n| !n.is_empty()) {
                self.name_of.insert(id.clone(), n.to_string());
            }
        }
    }

    /// Fund ids close to `query` (id or name containing it, ignoring case, then ids
    /// sharing its start): the suggestions of a 404 page and the search results.
    pub fn suggest(&self, query: &str, limit: usize) -> Vec<String> {
        let q = query.to_lowercase();
        let mut hits: Vec<&String> = self
            .funds
            .iter()
            .filter(|f| {
                f.to_lowercase().contains(&q)
                    || self
                        .name_of
                        .get(*f)
                        .is_some_and(|n| n.to_lowercase().contains(&q))
            })
            .collect();
        if hits.is_empty() && !q.is_empty() {
            let stem: String = q.chars().take(q.chars().count().div_ceil(2)).collect();
            hits = self
                .funds
                .iter()
                .filter(|f| f.to_lowercase().starts_with(&stem))
                .collect();
        }
        hits.into_iter().take(limit).cloned().collect()
    }
}
