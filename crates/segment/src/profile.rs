//! Segment profiles (METHODS §6.10): for each segment its size and share, the share of every
//! categorical level, the means of the numeric features in original units, and a
//! generated one-line description. Works for any table of named features: investors
//! (k-prototypes segments) and sales entities (k-means or hierarchical clusters) alike.
//!
//! The description is built from what sets the segment apart, deterministically:
//!
//! 1. **Levels.** For each categorical column, the segment's most common level is a
//!    candidate when it is *dominant* (segment share ≥ [`DescribeConfig::dominant_share`])
//!    and *over-represented* (lift = segment share ÷ population share ≥
//!    [`DescribeConfig::min_lift`]). The [`DescribeConfig::max_levels`] candidates of
//!    highest lift are kept (ties: column order) and written in column order, each
//!    through its column's phrase template (`"{}"` ↦ the level, e.g. `"income {}"`).
//! 2. **Numbers.** For each numeric feature, z = (segment mean − population mean) ÷
//!    population sd, computed on the scaled matrix when one is given (the scale the
//!    clustering saw, robust to heavy tails), else on the original units. Features with
//!    |z| ≥ [`DescribeConfig::min_z`] are candidates; the [`DescribeConfig::max_numeric`]
//!    of largest |z| are written in that order (ties: column order) as
//!    "`<adjective> <phrase>`", the adjective from the feature's [`Magnitude`]
//!    (large/small, frequent/rare, high/low).
//! 3. Parts are joined with ", " and the first letter is capitalised, e.g. "Gen Z,
//!    Student, small money-market balances, frequent money-market trades". A segment
//!    with nothing outstanding reads "Close to the population average"; an empty one
//!    "Empty segment".

use crate::error::{check_columns, check_labels, check_len};
use crate::transform::column_moments;
use crate::{Matrix, SegmentError, Table};

/// Which pair of adjectives describes a high or low value of a numeric feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Magnitude {
    /// Money amounts: "large" / "small".
    Amount,
    /// Counts of events: "frequent" / "rare".
    Frequency,
    /// Anything else (shares, returns, profit): "high" / "low".
    Level,
}

impl Magnitude {
    /// The (high, low) adjectives.
    pub fn adjectives(self) -> (&'static str, &'static str) {
        match self {
            Magnitude::Amount => ("large", "small"),
            Magnitude::Frequency => ("frequent", "rare"),
            Magnitude::Level => ("high", "low"),
        }
    }
}

/// Name and wording of one numeric feature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumericSpec {
    /// Column name in tables (`aum_money_market`).
    pub name: String,
    /// Noun phrase for descriptions (`money-market balances`).
    pub phrase: String,
    /// Adjectives used for it.
    pub magnitude: Magnitude,
}

impl NumericSpec {
    /// A numeric feature called `name`, described as `phrase`.
    pub fn new(name: impl Into<String>, phrase: impl Into<String>, magnitude: Magnitude) -> Self {
        NumericSpec {
            name: name.into(),
            phrase: phrase.into(),
            magnitude,
        }
    }
}

/// Name, levels and wording of one categorical feature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoricalSpec {
    /// Column name (`occupation`).
    pub name: String,
    /// Level names; a code `c` means `levels[c]`.
    pub levels: Vec<String>,
    /// Template for descriptions, `{}` standing for the level (`"{}"`, `"income {}"`).
    pub phrase: String,
}

impl CategoricalSpec {
    /// A categorical feature.
    pub fn new(name: impl Into<String>, levels: Vec<String>, phrase: impl Into<String>) -> Self {
        CategoricalSpec {
            name: name.into(),
            levels,
            phrase: phrase.into(),
        }
    }

    /// The description phrase of level `level`.
    pub fn describe(&self, level: usize) -> String {
        self.phrase.replace("{}", &self.levels[level])
    }
}

/// Categorical features of n rows: q columns of level codes, stored row-major (n × q) as
/// k-prototypes takes them.
#[derive(Clone, Debug, PartialEq)]
pub struct Categoricals {
    specs: Vec<CategoricalSpec>,
    rows: usize,
    codes: Vec<u32>,
}

impl Categoricals {
    /// From one code vector per column (all of length `rows`).
    ///
    /// # Panics
    /// If the numbers of specs and columns differ, a column's length is not `rows`, or a
    /// code is not below its column's number of levels.
    pub fn new(rows: usize, specs: Vec<CategoricalSpec>, columns: Vec<Vec<u32>>) -> Categoricals {
        assert_eq!(
            specs.len(),
            columns.len(),
            "Categoricals: one spec per column"
        );
        let q = specs.len();
        let mut codes = vec![0u32; rows * q];
        for (j, (spec, col)) in specs.iter().zip(&columns).enumerate() {
            assert_eq!(
                col.len(),
                rows,
                "Categoricals: column '{}' length",
                spec.name
            );
            for (i, &c) in col.iter().enumerate() {
                assert!(
                    (c as usize) < spec.levels.len(),
                    "Categoricals: code {c} out of range in column '{}'",
                    spec.name
                );
                codes[i * q + j] = c;
            }
        }
        Categoricals { specs, rows, codes }
    }

    /// One column from text values: levels are the distinct values sorted by name.
    pub fn from_text<S: AsRef<str>>(name: &str, phrase: &str, values: &[S]) -> Categoricals {
        let mut levels: Vec<String> = values.iter().map(|v| v.as_ref().to_string()).collect();
        levels.sort();
        levels.dedup();
        let codes = values
            .iter()
            .map(|v| {
                levels
                    .binary_search_by(|l| l.as_str().cmp(v.as_ref()))
                    .expect("level") as u32
            })
            .collect();
        Categoricals::new(
            values.len(),
            vec![CategoricalSpec::new(name, levels, phrase)],
            vec![codes],
        )
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.specs.len()
    }

    /// Column specs.
    pub fn specs(&self) -> &[CategoricalSpec] {
        &self.specs
    }

    /// All codes, row-major (n × q).
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// Code of row `i`, column `j`.
    pub fn code(&self, i: usize, j: usize) -> u32 {
        self.codes[i * self.specs.len() + j]
    }

    /// Level name of row `i`, column `j`.
    pub fn level(&self, i: usize, j: usize) -> &str {
        &self.specs[j].levels[self.code(i, j) as usize]
    }

    /// Members of each level of column `j`.
    pub fn counts(&self, j: usize) -> Vec<usize> {
        let mut c = vec![0; self.specs[j].levels.len()];
        for i in 0..self.rows {
            c[self.code(i, j) as usize] += 1;
        }
        c
    }
}

/// The features to profile: numeric in original units (with optional scaled copy for
/// the z-scores) and optional categorical columns, all with the same rows.
#[derive(Clone, Copy, Debug)]
pub struct ProfileInput<'a> {
    /// Numeric features in original units (n × p).
    pub numeric: &'a Matrix,
    /// Names and wording of the p numeric columns.
    pub numeric_specs: &'a [NumericSpec],
    /// The numeric features as clustered (n × p), for z-scores; `None` = use `numeric`.
    pub scaled: Option<&'a Matrix>,
    /// Categorical features (n rows), if any.
    pub categorical: Option<&'a Categoricals>,
}

/// Thresholds of the generated descriptions (module documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DescribeConfig {
    /// Smallest segment share (fraction) for a level to be named (default 0.5).
    pub dominant_share: f64,
    /// Smallest segment share ÷ population share for a level to be named (default 1.25).
    pub min_lift: f64,
    /// Most levels named (default 2).
    pub max_levels: usize,
    /// Smallest |z| for a numeric feature to be named (default 0.5 sd).
    pub min_z: f64,
    /// Most numeric features named (default 3).
    pub max_numeric: usize,
}

impl Default for DescribeConfig {
    fn default() -> Self {
        DescribeConfig {
            dominant_share: 0.5,
            min_lift: 1.25,
            max_levels: 2,
            min_z: 0.5,
            max_numeric: 3,
        }
    }
}

/// Profile of one segment.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentProfile {
    /// Segment label.
    pub segment: usize,
    /// Members.
    pub size: usize,
    /// Members ÷ all rows (fraction).
    pub share: f64,
    /// Per categorical column, the fraction of members at each level.
    pub level_shares: Vec<Vec<f64>>,
    /// Mean of each numeric feature over members, original units (NaN if empty).
    pub means: Vec<f64>,
    /// (Segment mean − population mean) ÷ population sd of each numeric feature, on the
    /// scaled matrix when given (0 for a constant feature, NaN if empty).
    pub z: Vec<f64>,
    /// Generated one-line description.
    pub description: String,
}

/// Profiles of all segments `0..k` (k = largest label + 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Profiles {
    /// Numeric columns.
    pub numeric: Vec<NumericSpec>,
    /// Categorical columns.
    pub categorical: Vec<CategoricalSpec>,
    /// Population mean of each numeric feature, original units.
    pub population_means: Vec<f64>,
    /// Per categorical column, the population fraction at each level.
    pub population_shares: Vec<Vec<f64>>,
    /// One profile per segment, by label.
    pub segments: Vec<SegmentProfile>,
}

/// One row of the long-form level table.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelShareRow {
    /// Segment label.
    pub segment: usize,
    /// Categorical column.
    pub column: String,
    /// Level.
    pub level: String,
    /// Fraction of the segment at this level.
    pub share: f64,
    /// Fraction of the population at this level.
    pub population_share: f64,
    /// `share / population_share` (NaN when the level is absent from the population).
    pub lift: f64,
}

/// One row of the long-form means table.
#[derive(Clone, Debug, PartialEq)]
pub struct MeanRow {
    /// Segment label.
    pub segment: usize,
    /// Numeric feature.
    pub feature: String,
    /// Segment mean, original units.
    pub mean: f64,
    /// Population mean, original units.
    pub population_mean: f64,
    /// z of the segment mean (see [`SegmentProfile::z`]).
    pub z: f64,
}

impl Profiles {
    /// Long form of the level shares: one row per (segment, column, level).
    pub fn level_rows(&self) -> Vec<LevelShareRow> {
        let mut out = Vec::new();
        for s in &self.segments {
            for (j, spec) in self.categorical.iter().enumerate() {
                for (l, level) in spec.levels.iter().enumerate() {
                    let p = self.population_shares[j][l];
                    let share = s.level_shares[j][l];
                    out.push(LevelShareRow {
                        segment: s.segment,
                        column: spec.name.clone(),
                        level: level.clone(),
                        share,
                        population_share: p,
                        lift: if p > 0.0 { share / p } else { f64::NAN },
                    });
                }
            }
        }
        out
    }

    /// Long form of the means: one row per (segment, numeric feature).
    pub fn mean_rows(&self) -> Vec<MeanRow> {
        let mut out = Vec::new();
        for s in &self.segments {
            for (j, spec) in self.numeric.iter().enumerate() {
                out.push(MeanRow {
                    segment: s.segment,
                    feature: spec.name.clone(),
                    mean: s.means[j],
                    population_mean: self.population_means[j],
                    z: s.z[j],
                });
            }
        }
        out
    }
}

/// Profiles of the segments given by `labels` (one per row, `0..k`), with descriptions
/// per `cfg` (module documentation). Errors: labels, numeric rows, scaled matrix,
/// categorical rows or specs of mismatched sizes, a label not below the number of rows,
/// or no rows.
pub fn profiles(
    input: &ProfileInput<'_>,
    labels: &[usize],
    cfg: &DescribeConfig,
) -> Result<Profiles, SegmentError> {
    let n = input.numeric.rows();
    let p = input.numeric.cols();
    check_columns(Table::Labels, n, &[("label", labels.len())])?;
    check_labels(labels, n)?;
    if input.numeric_specs.len() != p {
        return Err(SegmentError::Config {
            message: format!(
                "{} numeric feature names for {p} numeric columns",
                input.numeric_specs.len()
            ),
        });
    }
    if let Some(s) = input.scaled {
        if s.rows() != n || s.cols() != p {
            return Err(SegmentError::Config {
                message: format!(
                    "scaled features are {}×{}, expected {n}×{p}",
                    s.rows(),
                    s.cols()
                ),
            });
        }
    }
    let empty = Categoricals::new(n, Vec::new(), Vec::new());
    let cat = input.categorical.unwrap_or(&empty);
    check_len(Table::Labels, "categorical", n, cat.rows())?;

    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; k];
    let mut sums = vec![0.0; k * p];
    let scaled = input.scaled.unwrap_or(input.numeric);
    let mut zsums = vec![0.0; k * p];
    for (i, &l) in labels.iter().enumerate() {
        size[l] += 1;
        for (s, x) in sums[l * p..(l + 1) * p]
            .iter_mut()
            .zip(input.numeric.row(i))
        {
            *s += x;
        }
        for (s, x) in zsums[l * p..(l + 1) * p].iter_mut().zip(scaled.row(i)) {
            *s += x;
        }
    }
    let (pop_mean, _) = column_moments(input.numeric);
    let (z_mean, z_sd) = column_moments(scaled);

    let q = cat.cols();
    let pop_counts: Vec<Vec<usize>> = (0..q).map(|j| cat.counts(j)).collect();
    let population_shares: Vec<Vec<f64>> = pop_counts
        .iter()
        .map(|c| c.iter().map(|&x| x as f64 / n as f64).collect())
        .collect();
    // Per segment, per column, per level counts.
    let mut seg_counts: Vec<Vec<Vec<usize>>> = (0..k)
        .map(|_| {
            cat.specs()
                .iter()
                .map(|s| vec![0usize; s.levels.len()])
                .collect()
        })
        .collect();
    for (i, &l) in labels.iter().enumerate() {
        for (j, counts) in seg_counts[l].iter_mut().enumerate() {
            counts[cat.code(i, j) as usize] += 1;
        }
    }

    let segments = (0..k)
        .map(|s| {
            let m = size[s];
            let div = |x: f64| if m == 0 { f64::NAN } else { x / m as f64 };
            let means: Vec<f64> = sums[s * p..(s + 1) * p].iter().map(|&x| div(x)).collect();
            let z: Vec<f64> = (0..p)
                .map(|j| {
                    let mu = div(zsums[s * p + j]);
                    if m == 0 {
                        f64::NAN
                    } else if z_sd[j] > 1e-12 * z_mean[j].abs().max(f64::MIN_POSITIVE) {
                        (mu - z_mean[j]) / z_sd[j]
                    } else {
                        0.0
                    }
                })
                .collect();
            let level_shares: Vec<Vec<f64>> = seg_counts[s]
                .iter()
                .map(|c| c.iter().map(|&x| div(x as f64)).collect())
                .collect();
            let description = if m == 0 {
                "Empty segment".to_string()
            } else {
                describe(
                    cat.specs(),
                    &level_shares,
                    &population_shares,
                    input.numeric_specs,
                    &z,
                    cfg,
                )
            };
            SegmentProfile {
                segment: s,
                size: m,
                share: m as f64 / n as f64,
                level_shares,
                means,
                z,
                description,
            }
        })
        .collect();

    Ok(Profiles {
        numeric: input.numeric_specs.to_vec(),
        categorical: cat.specs().to_vec(),
        population_means: pop_mean,
        population_shares,
        segments,
    })
}

/// The one-line description of a segment (module documentation).
pub fn describe(
    cat_specs: &[CategoricalSpec],
    level_shares: &[Vec<f64>],
    population_shares: &[Vec<f64>],
    numeric_specs: &[NumericSpec],
    z: &[f64],
    cfg: &DescribeConfig,
) -> String {
    // (column, level, lift) of dominant, over-represented levels.
    let mut levels: Vec<(usize, usize, f64)> = Vec::new();
    for (j, shares) in level_shares.iter().enumerate() {
        let mut best: Option<(usize, f64, f64)> = None;
        for (l, &s) in shares.iter().enumerate() {
            let pop = population_shares[j][l];
            if pop <= 0.0 || s < cfg.dominant_share {
                continue;
            }
            let lift = s / pop;
            if lift < cfg.min_lift {
                continue;
            }
            if best.is_none_or(|(_, bs, bl)| s > bs || (s == bs && lift > bl)) {
                best = Some((l, s, lift));
            }
        }
        if let Some((l, _, lift)) = best {
            levels.push((j, l, lift));
        }
    }
    levels.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    levels.truncate(cfg.max_levels);
    levels.sort_by_key(|x| x.0);

    let mut numeric: Vec<(usize, f64)> = z
        .iter()
        .enumerate()
        .filter(|(_, z)| z.abs() >= cfg.min_z)
        .map(|(j, &z)| (j, z))
        .collect();
    numeric.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    numeric.truncate(cfg.max_numeric);

    let mut parts: Vec<String> = levels
        .iter()
        .map(|&(j, l, _)| cat_specs[j].describe(l))
        .collect();
    parts.extend(numeric.iter().map(|&(j, z)| {
        let (hi, lo) = numeric_specs[j].magnitude.adjectives();
        format!(
            "{} {}",
            if z > 0.0 { hi } else { lo },
            numeric_specs[j].phrase
        )
    }));
    if parts.is_empty() {
        return "Close to the population average".to_string();
    }
    let mut text = parts.join(", ");
    if let Some(first) = text.chars().next() {
        if first.is_lowercase() {
            text = first.to_uppercase().chain(text.chars().skip(1)).collect();
        }
    }
    text
}
