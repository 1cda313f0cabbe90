//! `peergroup similarity`, `peergroup correlation` and `peergroup peers` (SPEC §3).

use std::collections::HashMap;
use std::path::PathBuf;

use peergroup_data::{Date, InputError};
use peergroup_io::{
    read_exposures, read_fit_r2, read_metadata, read_series, read_similarity, read_square_matrix,
    read_text_table, Column, Exposures, Outputs, Table,
};
use peergroup_similarity::{
    correlation, ewma, fund_similarity_condensed, moving_average, peers_from_row,
    rescaled_condensed, residual_similarity, systematic_similarity_condensed, Attribute,
    CondensedSimilarity, ExposureScale, FactorSimilarity, MissingReturns,
};

use super::progress::step;
use super::{CommandError, CommandResult};

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

/// Parse `current`, `ma:P` or `ewma:ETA`.
pub fn parse_averaging(s: &str) -> Result<Averaging, String> {
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

/// Attribute weights `NAME=W,...` as one command-line value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttributeWeights(pub Vec<(String, f64)>);

/// Parse `NAME=W,NAME=W`.
pub fn parse_weights(s: &str) -> Result<AttributeWeights, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (name, w) = p
                .split_once('=')
                .ok_or_else(|| format!("expected NAME=WEIGHT, got '{p}'"))?;
            let w: f64 = w
                .trim()
                .parse()
                .map_err(|_| format!("expected a number after '=' in '{p}'"))?;
            if !(w >= 0.0 && w.is_finite()) {
                return Err(format!(
                    "weights must be non-negative, got {w} for '{}'",
                    name.trim()
                ));
            }
            Ok((name.trim().to_string(), w))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(AttributeWeights)
}

/// Where factor similarities come from.
#[derive(Clone, Debug)]
pub enum FactorSource {
    /// A square matrix file.
    Matrix(PathBuf),
    /// A `factor,<attribute>...` table, optional weights and cross-label table.
    Attributes {
        /// The attribute table.
        file: PathBuf,
        /// Weights by attribute name (default equal).
        weights: Vec<(String, f64)>,
        /// `attribute,label_a,label_b,similarity` rows.
        cross: Option<PathBuf>,
    },
}

/// Inputs and settings of `peergroup similarity`.
#[derive(Clone, Debug)]
pub struct SimilarityArgs {
    /// `fund,date,factor,beta`.
    pub exposures: PathBuf,
    /// `fund,date,r2` (without it every R² is 1).
    pub fit: Option<PathBuf>,
    /// Factor similarities.
    pub factors: FactorSource,
    /// Exposure scale.
    pub scale: ExposureScale,
    /// The date to report (default: the last).
    pub date: Option<Date>,
    /// Report every date.
    pub all_dates: bool,
    /// Combination over dates.
    pub averaging: Averaging,
    /// Residual returns for the idiosyncratic term (`--idio residual`).
    pub residuals: Option<PathBuf>,
    /// Output.
    pub out: PathBuf,
    /// Replace an existing output.
    pub force: bool,
}

/// Factor similarities aligned with the exposures' factors.
pub fn factor_similarity(
    source: &FactorSource,
    factors: &[String],
) -> CommandResult<FactorSimilarity> {
    match source {
        FactorSource::Matrix(path) => {
            let name = path.display().to_string();
            let m = read_square_matrix(path)?;
            let sx = FactorSimilarity::from_matrix(m.names, m.values)
                .map_err(|e| e.in_file(name.clone()))?;
            for f in factors {
                if sx.index_of(f).is_none() {
                    return Err(InputError::new(format!(
                        "factor '{f}' of the exposures is missing from the factor-similarity matrix{}",
                        if f == "CASH" { " (add a CASH row and column: exposures without the budget constraint carry CASH = 1 − Σβ)" } else { "" }
                    ))
                    .with_column(f.clone())
                    .in_file(name)
                    .into());
                }
            }
            Ok(sx.reorder(factors).map_err(|e| e.in_file(name))?)
        }
        FactorSource::Attributes {
            file,
            weights,
            cross,
        } => {
            let name = file.display().to_string();
            let meta = read_metadata(file, "factor", &[])?;
            let mut cross_rows: Vec<(String, String, String, f64)> = Vec::new();
            if let Some(c) = cross {
                let cname = c.display().to_string();
                for r in read_cross_labels(c)? {
                    if !(0.0..=1.0).contains(&r.value) {
                        return Err(InputError::at(
                            r.position,
                            format!("expected a similarity in [0, 1], found {}", r.value),
                        )
                        .with_column("similarity")
                        .in_file(cname)
                        .into());
                    }
                    cross_rows.push((r.attribute, r.a, r.b, r.value));
                }
            }
            let mut attributes = Vec::new();
            for col in meta.columns() {
                let mut labels = Vec::with_capacity(factors.len());
                for f in factors {
                    let v = meta.get(f, col).ok_or_else(|| {
                        InputError::new(format!("factor '{f}' of the exposures is missing from the factor attribute table")).with_column("factor").in_file(name.clone())
                    })?;
                    labels.push(v.to_string());
                }
                let cross: Vec<(String, String, f64)> = cross_rows
                    .iter()
                    .filter(|r| r.0.eq_ignore_ascii_case(col))
                    .map(|r| (r.1.clone(), r.2.clone(), r.3))
                    .collect();
                attributes.push(Attribute {
                    name: col.clone(),
                    labels,
                    cross,
                });
            }
            for (w, _) in weights {
                if !meta.columns().iter().any(|c| c.eq_ignore_ascii_case(w)) {
                    return Err(CommandError::usage(format!("--attribute-weights names '{w}', which is not a column of {name} (columns: {})", meta.columns().join(", "))));
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
            Ok(
                FactorSimilarity::from_attributes(factors, &attributes, w.as_deref())
                    .map_err(|e| e.in_file(name))?,
            )
        }
    }
}

/// One row of a cross-label table.
struct CrossLabel {
    attribute: String,
    a: String,
    b: String,
    value: f64,
    position: peergroup_data::Position,
}

/// Rows of a cross-label table `attribute,label_a,label_b,similarity`.
fn read_cross_labels(path: &std::path::Path) -> Result<Vec<CrossLabel>, InputError> {
    let name = path.display().to_string();
    read_text_table(path, &["attribute", "label_a", "label_b", "similarity"])?
        .into_iter()
        .map(|(cells, position)| {
            let value: f64 = cells[3].trim().parse().map_err(|_| {
                InputError::at(position, format!("expected a number, found '{}'", cells[3]))
                    .with_column("similarity")
                    .in_file(name.clone())
            })?;
            let mut it = cells.into_iter();
            Ok(CrossLabel {
                attribute: it.next().unwrap_or_default(),
                a: it.next().unwrap_or_default(),
                b: it.next().unwrap_or_default(),
                value,
                position,
            })
        })
        .collect()
}

/// What every date's similarity needs besides the date.
struct Context<'a> {
    ex: &'a Exposures,
    sx: &'a FactorSimilarity,
    scale: ExposureScale,
    r2: Option<&'a HashMap<(String, Date), f64>>,
    fit_name: &'a str,
}

/// Fund similarity on date index `t` for the funds present that date.
fn similarity_on(
    cx: &Context<'_>,
    t: usize,
    funds: &[usize],
    s_u: Option<&CondensedSimilarity>,
) -> CommandResult<CondensedSimilarity> {
    let Context {
        ex,
        sx,
        scale,
        r2,
        fit_name,
    } = *cx;
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
                        CommandError::Input(
                            InputError::new(format!(
                                "no R² for fund '{}' on {} in the fit table",
                                ex.funds.names[i], ex.dates[t]
                            ))
                            .in_file(fit_name.to_string()),
                        )
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(fund_similarity_condensed(&star, &r2v, s_u)?)
}

/// One date's pairs as rows of the output.
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

/// Run `peergroup similarity`; returns (dates, funds, pairs) written.
pub fn run_similarity(args: &SimilarityArgs) -> CommandResult<(usize, usize, usize)> {
    let mut outputs = Outputs::new(args.force);
    outputs.plan_table(&args.out)?;
    let ex = read_exposures(&args.exposures)?;
    let ex_name = args.exposures.display().to_string();
    let sx = factor_similarity(&args.factors, &ex.factors.names)?;
    let fit_name = args
        .fit
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let r2 = match &args.fit {
        Some(f) => Some(read_fit_r2(f)?),
        None => None,
    };
    // which dates to report
    let targets: Vec<usize> = if args.all_dates {
        (0..ex.dates.len()).collect()
    } else if let Some(d) = args.date {
        vec![ex.dates.binary_search(&d).map_err(|_| {
            CommandError::Input(
                InputError::new(format!(
                    "--date {d} is not a date of the exposures ({} to {})",
                    ex.dates[0],
                    ex.dates[ex.dates.len() - 1]
                ))
                .in_file(ex_name.clone()),
            )
        })?]
    } else {
        vec![ex.dates.len() - 1]
    };
    let present = |t: usize| -> Vec<usize> {
        (0..ex.funds.len())
            .filter(|&i| !ex.row(t, i)[0].is_nan())
            .collect()
    };
    // idiosyncratic similarity from residual returns (whole residual file)
    let s_u_full = match &args.residuals {
        Some(path) => {
            let panel = read_series(
                path,
                &super::series_options(false, false, &["value", "residual"]),
            )?;
            let mut rows = Vec::new();
            for name in &ex.funds.names {
                let i = panel.index_of(name).ok_or_else(|| {
                    CommandError::Input(
                        InputError::new(format!(
                            "fund '{name}' of the exposures has no residual series"
                        ))
                        .in_file(path.display().to_string()),
                    )
                })?;
                rows.extend_from_slice(panel.series(i));
            }
            let m = residual_similarity(&rows, ex.funds.len(), panel.n_dates(), 12)?;
            Some(m)
        }
        None => None,
    };
    let cx = Context {
        ex: &ex,
        sx: &sx,
        scale: args.scale,
        r2: r2.as_ref(),
        fit_name: &fit_name,
    };
    let mut out = PairRows::new();
    let mut funds_seen = 0;
    step("computing similarities", || -> CommandResult {
        for &t in &targets {
            let window: Vec<usize> = match args.averaging {
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
            let seq: Vec<CondensedSimilarity> = window
                .iter()
                .map(|&s| similarity_on(&cx, s, &ids, s_u.as_ref()))
                .collect::<Result<_, _>>()?;
            let combined = match args.averaging {
                Averaging::Current => seq.into_iter().next().expect("one date"),
                Averaging::MovingAverage(_) => moving_average(&seq, seq.len())?,
                Averaging::Ewma(eta) => ewma(&seq, eta)?.pop().expect("non-empty"),
            };
            funds_seen = funds_seen.max(ids.len());
            out.push(ex.dates[t], &ids, &combined.upper);
        }
        Ok(())
    })?;
    let pairs = out.s.len();
    if pairs == 0 {
        return Err(CommandError::Input(
            InputError::new("no date has exposures for at least two funds").in_file(ex_name),
        ));
    }
    outputs.write_table(&args.out, &out.table(&ex.funds.names))?;
    outputs.commit()?;
    Ok((targets.len(), funds_seen, pairs))
}

/// Inputs and settings of `peergroup correlation`.
#[derive(Clone, Debug)]
pub struct CorrelationArgs {
    /// Returns (long or wide).
    pub returns: PathBuf,
    /// Values are prices.
    pub prices: bool,
    /// Returns in percent.
    pub percent: bool,
    /// Window length (default: the whole sample).
    pub window: Option<usize>,
    /// One matrix per date (rolling) instead of only the last.
    pub all_dates: bool,
    /// Output.
    pub out: PathBuf,
    /// Replace an existing output.
    pub force: bool,
}

/// Run `peergroup correlation`; returns pairs written.
pub fn run_correlation(args: &CorrelationArgs) -> CommandResult<usize> {
    let mut outputs = Outputs::new(args.force);
    outputs.plan_table(&args.out)?;
    let panel = read_series(
        &args.returns,
        &super::series_options(args.prices, args.percent, &["value"]),
    )?
    .to_returns();
    let t = panel.n_dates();
    let w = args.window.unwrap_or(t);
    if w < 3 || w > t {
        return Err(CommandError::usage(format!(
            "--window must be between 3 and the {t} dates of the returns, got {w}"
        )));
    }
    if panel.n_ids() < 2 {
        return Err(CommandError::usage("correlation needs at least two series"));
    }
    let ends: Vec<usize> = if args.all_dates {
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
        let c = correlation(
            &rows,
            panel.n_ids(),
            w,
            (w / 2).max(3),
            MissingReturns::PairwiseComplete,
        )?;
        out.push(panel.dates()[end], &ids, &c.to_condensed().upper);
    }
    let pairs = out.s.len();
    outputs.write_table(&args.out, &out.table(panel.ids()))?;
    outputs.commit()?;
    Ok(pairs)
}

/// Inputs and settings of `peergroup peers`.
#[derive(Clone, Debug)]
pub struct PeersArgs {
    /// `date,fund_a,fund_b,similarity`.
    pub similarity: PathBuf,
    /// The fund to query.
    pub fund: String,
    /// Number of peers.
    pub top: usize,
    /// `id,category,...` metadata.
    pub meta: Option<PathBuf>,
    /// Date (default: the last).
    pub date: Option<Date>,
    /// Output.
    pub out: PathBuf,
    /// Replace an existing output.
    pub force: bool,
}

/// Run `peergroup peers`; returns the peers found.
pub fn run_peers(args: &PeersArgs) -> CommandResult<Vec<(String, f64, bool)>> {
    let mut outputs = Outputs::new(args.force);
    outputs.plan_table(&args.out)?;
    let sim = read_similarity(&args.similarity)?;
    let name = args.similarity.display().to_string();
    let f = sim.funds.get(&args.fund).ok_or_else(|| {
        let some: Vec<&str> = sim.funds.names.iter().take(5).map(String::as_str).collect();
        CommandError::Input(
            InputError::new(format!(
                "unknown fund '{}': the similarity table has {} funds ({}…)",
                args.fund,
                sim.funds.len(),
                some.join(", ")
            ))
            .in_file(name.clone()),
        )
    })?;
    let t = match args.date {
        Some(d) => sim.dates.binary_search(&d).map_err(|_| {
            CommandError::Input(
                InputError::new(format!("--date {d} is not in the similarity table"))
                    .in_file(name.clone()),
            )
        })?,
        None => sim.dates.len() - 1,
    };
    let categories: Option<Vec<String>> = match &args.meta {
        Some(m) => {
            let meta = read_metadata(m, "id", &["category"])?;
            Some(
                sim.funds
                    .names
                    .iter()
                    .map(|id| meta.get(id, "category").unwrap_or("").to_string())
                    .collect(),
            )
        }
        None => None,
    };
    let n = sim.funds.len();
    let row = &sim.matrix(t)[f * n..(f + 1) * n];
    let peers = peers_from_row(row, f, args.top, categories.as_deref());
    let table = Table::new()
        .with("fund", Column::Text(vec![args.fund.clone(); peers.len()]))
        .with(
            "peer",
            Column::Text(
                peers
                    .iter()
                    .map(|p| sim.funds.names[p.fund].clone())
                    .collect(),
            ),
        )
        .with(
            "rank",
            Column::I64(peers.iter().map(|p| p.rank as i64).collect()),
        )
        .with(
            "similarity",
            Column::F64(peers.iter().map(|p| p.similarity).collect()),
        )
        .with(
            "peer_category",
            Column::Text(
                peers
                    .iter()
                    .map(|p| p.category.clone().unwrap_or_default())
                    .collect(),
            ),
        )
        .with(
            "outside_category",
            Column::Text(
                peers
                    .iter()
                    .map(|p| p.outside_category.map_or(String::new(), |o| o.to_string()))
                    .collect(),
            ),
        );
    outputs.write_table(&args.out, &table)?;
    outputs.commit()?;
    Ok(peers
        .iter()
        .map(|p| {
            (
                sim.funds.names[p.fund].clone(),
                p.similarity,
                p.outside_category.unwrap_or(false),
            )
        })
        .collect())
}
