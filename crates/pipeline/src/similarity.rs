//! Similarity stage: factor-aware fund similarity, the correlation baseline and a
//! fund's peers (METHODS §3).

use std::collections::HashMap;

use peergroup_data::{Date, InputError, Metadata, Panel};
pub use peergroup_io::CrossLabel;
use peergroup_io::{Column, Exposures, LabelledMatrix, RowTable, SimilarityTable, Table};
use peergroup_similarity::{
    correlation as correlation_matrix, ewma, fund_similarity_condensed, moving_average,
    peers_from_row, rescaled_condensed, residual_similarity, systematic_similarity_condensed,
    Attribute, CondensedSimilarity, ExposureScale, FactorSimilarity, MissingReturns,
};

use crate::Named;

/// How similarities are combined over dates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Averaging {
    /// The similarity of the date itself.
    Current,
    /// Mean of the last P dates' similarities.
    MovingAverage(usize),
    /// `S̄_t = (1 − η) S_t + η S̄_{t−1}`.
    Ewma(f64),
}

impl std::fmt::Display for Averaging {
    /// `current`, `ma:P` or `ewma:ETA`, as [`FromStr`](std::str::FromStr) reads it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Averaging::Current => f.write_str("current"),
            Averaging::MovingAverage(p) => write!(f, "ma:{p}"),
            Averaging::Ewma(eta) => write!(f, "ewma:{eta}"),
        }
    }
}

impl std::str::FromStr for Averaging {
    type Err = String;

    /// Parse `current`, `ma:P` or `ewma:ETA`.
    fn from_str(s: &str) -> Result<Averaging, String> {
        let lower = s.to_ascii_lowercase();
        if lower == "current" {
            return Ok(Averaging::Current);
        }
        if let Some(p) = lower.strip_prefix("ma:") {
            return match p.parse::<usize>() {
                Ok(p) if p >= 1 => Ok(Averaging::MovingAverage(p)),
                _ => Err(format!("expected ma:P with P ≥ 1 dates, got '{s}'")),
            };
        }
        if let Some(e) = lower.strip_prefix("ewma:") {
            return match e.parse::<f64>() {
                Ok(e) if (0.0..1.0).contains(&e) => Ok(Averaging::Ewma(e)),
                _ => Err(format!("expected ewma:ETA with 0 ≤ ETA < 1, got '{s}'")),
            };
        }
        Err(format!("expected current, ma:P or ewma:ETA, got '{s}'"))
    }
}

/// Where factor similarities come from.
#[derive(Clone, Copy, Debug)]
pub enum FactorSource<'a> {
    /// A square matrix (first column and header = factor names).
    Matrix(Named<'a, LabelledMatrix>),
    /// A `factor,<attribute>...` table, weights by attribute name (empty: equal) and
    /// cross-label similarities.
    Attributes {
        /// The attribute table.
        table: Named<'a, Metadata>,
        /// Weights by attribute name (empty: equal).
        weights: &'a [(String, f64)],
        /// `attribute,label_a,label_b,similarity` rows.
        cross: Option<Named<'a, [CrossLabel]>>,
    },
}

/// Factor similarities aligned with the exposures' factors.
pub fn factor_similarity(
    source: FactorSource<'_>,
    factors: &[String],
) -> Result<FactorSimilarity, InputError> {
    match source {
        FactorSource::Matrix(m) => {
            let name = m.name;
            let sx = FactorSimilarity::from_matrix(m.names.clone(), m.values.clone())
                .map_err(|e| e.in_file(name))?;
            for f in factors {
                if sx.index_of(f).is_none() {
                    return Err(InputError::new(format!(
                        "factor '{f}' of the exposures is missing from the factor-similarity matrix{}",
                        if f == "CASH" { " (add a CASH row and column: exposures without the budget constraint carry CASH = 1 − Σβ)" } else { "" }
                    ))
                    .with_column(f.clone())
                    .in_file(name));
                }
            }
            sx.reorder(factors).map_err(|e| e.in_file(name))
        }
        FactorSource::Attributes {
            table: meta,
            weights,
            cross,
        } => {
            let name = meta.name;
            let mut cross_rows: Vec<&CrossLabel> = Vec::new();
            if let Some(c) = cross {
                for r in c.value {
                    if !(0.0..=1.0).contains(&r.value) {
                        return Err(InputError::at(
                            r.position,
                            format!("expected a similarity in [0, 1], found {}", r.value),
                        )
                        .with_column("similarity")
                        .in_file(c.name));
                    }
                    cross_rows.push(r);
                }
            }
            let mut attributes = Vec::new();
            for col in meta.columns() {
                let mut labels = Vec::with_capacity(factors.len());
                for f in factors {
                    let v = meta.get(f, col).ok_or_else(|| {
                        InputError::new(format!("factor '{f}' of the exposures is missing from the factor attribute table")).with_column("factor").in_file(name)
                    })?;
                    labels.push(v.to_string());
                }
                let cross: Vec<(String, String, f64)> = cross_rows
                    .iter()
                    .filter(|r| r.attribute.eq_ignore_ascii_case(col))
                    .map(|r| (r.a.clone(), r.b.clone(), r.value))
                    .collect();
                attributes.push(Attribute {
                    name: col.clone(),
                    labels,
                    cross,
                });
            }
            for (w, _) in weights {
                if !meta.columns().iter().any(|c| c.eq_ignore_ascii_case(w)) {
                    return Err(InputError::new(format!("--attribute-weights names '{w}', which is not a column of {name} (columns: {})", meta.columns().join(", "))));
                }
            }
            let w: Option<Vec<f64>> = (!weights.is_empty()).then(|| {
                meta.columns()
                    .iter()
                    .map(|c| {
                        weights
                            .iter()
                            .find(|(n, _)| n.eq_ignore_ascii_case(c))
                            .map_or(0.0, |x| x.1)
                    })
                    .collect()
            });
            FactorSimilarity::from_attributes(factors, &attributes, w.as_deref())
                .map_err(|e| e.in_file(name))
        }
    }
}

/// Which dates of the exposures to report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DateChoice {
    /// The last date.
    #[default]
    Last,
    /// One given date.
    On(Date),
    /// Every date.
    All,
}

/// Settings of [`similarity`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimilaritySettings {
    /// Exposure scale.
    pub scale: ExposureScale,
    /// The dates to report.
    pub dates: DateChoice,
    /// Combination over dates.
    pub averaging: Averaging,
}

impl Default for SimilaritySettings {
    fn default() -> Self {
        SimilaritySettings {
            scale: ExposureScale::Raw,
            dates: DateChoice::Last,
            averaging: Averaging::Current,
        }
    }
}

/// The inputs of [`similarity`] besides the factor similarities.
#[derive(Clone, Copy, Debug)]
pub struct SimilarityInputs<'a> {
    /// `fund,date,factor,beta` as read.
    pub exposures: Named<'a, Exposures>,
    /// R² by (fund, date); without it every R² is 1.
    pub r2: Option<Named<'a, HashMap<(String, Date), f64>>>,
    /// Residual returns per fund, for the idiosyncratic term.
    pub residuals: Option<Named<'a, Panel>>,
}

/// Pair similarities `date,fund_a,fund_b,similarity` (upper triangle per date).
pub struct PairTable {
    /// The table.
    pub table: Table,
    /// Dates reported.
    pub dates: usize,
    /// Most funds on one date.
    pub funds: usize,
    /// Pairs written.
    pub pairs: usize,
}

/// What every date's similarity needs besides the date.
struct Context<'a> {
    ex: &'a Exposures,
    sx: &'a FactorSimilarity,
    scale: ExposureScale,
    r2: Option<Named<'a, HashMap<(String, Date), f64>>>,
}

/// Fund similarity on date index `t` for the funds present that date.
fn similarity_on(
    cx: &Context<'_>,
    t: usize,
    funds: &[usize],
    s_u: Option<&CondensedSimilarity>,
) -> Result<CondensedSimilarity, InputError> {
    let Context { ex, sx, scale, r2 } = *cx;
    let k = ex.factors.len();
    let mut b = Vec::with_capacity(funds.len() * k);
    for &i in funds {
        b.extend_from_slice(ex.row(t, i));
    }
    let syst = systematic_similarity_condensed(&b, funds.len(), sx, scale)?;
    let star = rescaled_condensed(&syst);
    let r2v: Vec<f64> = match r2 {
        None => vec![1.0; funds.len()],
        Some(map) => funds
            .iter()
            .map(|&i| {
                map.get(&(ex.funds.names[i].clone(), ex.dates[t]))
                    .copied()
                    .ok_or_else(|| {
                        InputError::new(format!(
                            "no R² for fund '{}' on {} in the fit table",
                            ex.funds.names[i], ex.dates[t]
                        ))
                        .in_file(map.name)
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    fund_similarity_condensed(&star, &r2v, s_u)
}

/// Pairs of several dates as rows of a table.
struct PairRows {
    date: Vec<Date>,
    a: Vec<u32>,
    b: Vec<u32>,
    s: Vec<f64>,
}

impl PairRows {
    fn new() -> PairRows {
        PairRows {
            date: Vec::new(),
            a: Vec::new(),
            b: Vec::new(),
            s: Vec::new(),
        }
    }

    fn push(&mut self, date: Date, ids: &[usize], upper: &[f64]) {
        let n = ids.len();
        let mut idx = 0;
        for i in 0..n {
            for j in i + 1..n {
                self.date.push(date);
                self.a.push(ids[i] as u32);
                self.b.push(ids[j] as u32);
                self.s.push(upper[idx]);
                idx += 1;
            }
        }
    }

    fn table(self, names: &[String]) -> Table {
        Table::new()
            .with("date", Column::Date(self.date))
            .with(
                "fund_a",
                Column::Key {
                    codes: self.a,
                    names: names.to_vec(),
                },
            )
            .with(
                "fund_b",
                Column::Key {
                    codes: self.b,
                    names: names.to_vec(),
                },
            )
            .with("similarity", Column::F64(self.s))
    }
}

/// One date's fund similarities as a condensed matrix, for the stages that take the
/// matrix itself (peer groups) rather than its table.
#[derive(Clone, Debug)]
pub struct DateSimilarity {
    /// The date.
    pub date: Date,
    /// The funds present that date, in the order of the matrix.
    pub ids: Vec<String>,
    /// Similarity of every pair (scipy's condensed order).
    pub similarity: CondensedSimilarity,
}

/// Factor-aware similarity of every pair of funds on the chosen dates:
/// S = R²_A R²_B S* + (1 − R²_A)(1 − R²_B) S_U, with S* from the exposures and `sx`.
pub fn similarity(
    inputs: SimilarityInputs<'_>,
    sx: &FactorSimilarity,
    settings: &SimilaritySettings,
) -> Result<PairTable, InputError> {
    let ex = inputs.exposures.value;
    let mut out = PairRows::new();
    let mut funds_seen = 0;
    let dates = for_each_date(inputs, sx, settings, |t, ids, combined| {
        funds_seen = funds_seen.max(ids.len());
        out.push(ex.dates[t], ids, &combined.upper);
    })?;
    Ok(PairTable {
        pairs: out.s.len(),
        table: out.table(&ex.funds.names),
        dates,
        funds: funds_seen,
    })
}

/// [`similarity`] as condensed matrices, one per reported date.
pub fn similarity_matrices(
    inputs: SimilarityInputs<'_>,
    sx: &FactorSimilarity,
    settings: &SimilaritySettings,
) -> Result<Vec<DateSimilarity>, InputError> {
    let ex = inputs.exposures.value;
    let mut out = Vec::new();
    for_each_date(inputs, sx, settings, |t, ids, combined| {
        out.push(DateSimilarity {
            date: ex.dates[t],
            ids: ids.iter().map(|&i| ex.funds.names[i].clone()).collect(),
            similarity: combined,
        })
    })?;
    Ok(out)
}

/// Compute the similarity of each reported date and hand it to `visit` with the date's
/// index and the funds present; returns the number of dates asked for. Errors when no
/// date has two funds.
fn for_each_date(
    inputs: SimilarityInputs<'_>,
    sx: &FactorSimilarity,
    settings: &SimilaritySettings,
    mut visit: impl FnMut(usize, &[usize], CondensedSimilarity),
) -> Result<usize, InputError> {
    let ex = inputs.exposures.value;
    let ex_name = inputs.exposures.name;
    let targets: Vec<usize> = match settings.dates {
        DateChoice::All => (0..ex.dates.len()).collect(),
        DateChoice::On(d) => vec![ex.dates.binary_search(&d).map_err(|_| {
            InputError::new(format!(
                "--date {d} is not a date of the exposures ({} to {})",
                ex.dates[0],
                ex.dates[ex.dates.len() - 1]
            ))
            .in_file(ex_name)
        })?],
        DateChoice::Last => vec![ex.dates.len() - 1],
    };
    let present = |t: usize| -> Vec<usize> {
        (0..ex.funds.len())
            .filter(|&i| !ex.row(t, i)[0].is_nan())
            .collect()
    };
    // idiosyncratic similarity from residual returns (whole residual series)
    let s_u_full = match inputs.residuals {
        Some(panel) => {
            let mut rows = Vec::new();
            for name in &ex.funds.names {
                let i = panel.index_of(name).ok_or_else(|| {
                    InputError::new(format!(
                        "fund '{name}' of the exposures has no residual series"
                    ))
                    .in_file(panel.name)
                })?;
                rows.extend_from_slice(panel.series(i));
            }
            Some(residual_similarity(
                &rows,
                ex.funds.len(),
                panel.n_dates(),
                12,
            )?)
        }
        None => None,
    };
    let cx = Context {
        ex,
        sx,
        scale: settings.scale,
        r2: inputs.r2,
    };
    let mut visited = 0;
    for &t in &targets {
        let window: Vec<usize> = match settings.averaging {
            Averaging::Current => vec![t],
            Averaging::MovingAverage(p) => (t.saturating_sub(p - 1)..=t).collect(),
            Averaging::Ewma(_) => (0..=t).collect(),
        };
        // funds present on every date of the window
        let ids: Vec<usize> = present(t)
            .into_iter()
            .filter(|&i| window.iter().all(|&s| !ex.row(s, i)[0].is_nan()))
            .collect();
        if ids.len() < 2 {
            continue;
        }
        let s_u = s_u_full.as_ref().map(|full| {
            let sub: Vec<f64> = ids
                .iter()
                .flat_map(|&a| ids.iter().map(move |&b| full.get(a, b)))
                .collect();
            peergroup_similarity::SimilarityMatrix::new(ids.len(), sub).to_condensed()
        });
        let mut seq: Vec<CondensedSimilarity> = window
            .iter()
            .map(|&s| similarity_on(&cx, s, &ids, s_u.as_ref()))
            .collect::<Result<_, _>>()?;
        let combined = match settings.averaging {
            Averaging::Current => seq.swap_remove(0),
            Averaging::MovingAverage(_) => moving_average(&seq, seq.len())?,
            // ewma gives one average per date of the (non-empty) window
            Averaging::Ewma(eta) => ewma(&seq, eta)?.pop().expect("one average per date"),
        };
        visit(t, &ids, combined);
        visited += 1;
    }
    if visited == 0 {
        return Err(
            InputError::new("no date has exposures for at least two funds").in_file(ex_name),
        );
    }
    Ok(targets.len())
}

/// Settings of [`correlation`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CorrelationSettings {
    /// Window length in observations (None: the whole sample).
    pub window: Option<usize>,
    /// One matrix per window end instead of only the last.
    pub all_dates: bool,
}

/// Pearson correlation of fund returns, in the format of [`similarity`] (the baseline).
pub fn correlation(
    returns: &Panel,
    settings: &CorrelationSettings,
) -> Result<PairTable, InputError> {
    let panel = returns;
    let t = panel.n_dates();
    let w = settings.window.unwrap_or(t);
    if w < 3 || w > t {
        return Err(InputError::new(format!(
            "--window must be between 3 and the {t} dates of the returns, got {w}"
        )));
    }
    if panel.n_ids() < 2 {
        return Err(InputError::new("correlation needs at least two series"));
    }
    let ends: Vec<usize> = if settings.all_dates {
        (w - 1..t).collect()
    } else {
        vec![t - 1]
    };
    let ids: Vec<usize> = (0..panel.n_ids()).collect();
    let mut out = PairRows::new();
    for &end in &ends {
        let mut rows = Vec::with_capacity(panel.n_ids() * w);
        for i in 0..panel.n_ids() {
            rows.extend_from_slice(&panel.series(i)[end + 1 - w..=end]);
        }
        let c = correlation_matrix(
            &rows,
            panel.n_ids(),
            w,
            (w / 2).max(3),
            MissingReturns::PairwiseComplete,
        )?;
        out.push(panel.dates()[end], &ids, &c.to_condensed().upper);
    }
    let pairs = out.s.len();
    Ok(PairTable {
        table: out.table(panel.ids()),
        dates: ends.len(),
        funds: panel.n_ids(),
        pairs,
    })
}

/// Settings of [`peers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeersSettings {
    /// Number of peers.
    pub top: usize,
    /// Date of the similarity table (None: the last).
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
        Some(d) => sim.dates.binary_search(&d).map_err(|_| {
            InputError::new(format!("--date {d} is not in the similarity table")).in_file(name)
        })?,
        None => sim.dates.len() - 1,
    };
    let categories: Option<Vec<String>> = categories.map(|meta| {
        sim.funds
            .names
            .iter()
            .map(|id| meta.get(id, "category").unwrap_or("").to_string())
            .collect()
    });
    let n = sim.funds.len();
    let row = &sim.matrix(t)[f * n..(f + 1) * n];
    let peers = peers_from_row(row, f, settings.top, categories.as_deref());
    let table = RowTable::new(&peers)
        .text("fund", |_| fund.to_string())
        .text("peer", |p| sim.funds.names[p.fund].clone())
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
            peer: sim.funds.names[p.fund].clone(),
            similarity: p.similarity,
            outside_category: p.outside_category,
        })
        .collect();
    Ok((table, rows))
}
