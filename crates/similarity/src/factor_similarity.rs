//! Factor similarity S_X (METHODS §3.3–§3.4): how alike two factors are, in [0, 1], from a
//! user matrix or from factor attributes (asset class, sector, region, …).

use std::collections::HashMap;

use peergroup_data::InputError;

/// Largest |S_X(i,j) − S_X(j,i)| and |S_X(i,i) − 1| accepted as rounding in a user matrix.
pub const MATRIX_TOLERANCE: f64 = 1e-12;

/// A validated k×k factor similarity matrix S_X: symmetric, entries in [0, 1], with the
/// factor names it is indexed by. The diagonal is 1 (a user matrix must have it), except
/// when built from attributes whose same-label similarity is set below 1 (seed 004
/// Table 17): then S_X(i,i) = Σ_k w_k S_X^k(i,i) lies in (0, 1].
#[derive(Clone, Debug, PartialEq)]
pub struct FactorSimilarity {
    names: Vec<String>,
    values: Vec<f64>,
}

/// One categorical attribute of the factors, e.g. `asset_class`, for building S_X.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// Attribute name (used in error messages).
    pub name: String,
    /// Label of each factor, in the order of the factor list; an empty label means
    /// "unlabelled": such a factor is similar only to itself under this attribute.
    pub labels: Vec<String>,
    /// Similarity between two labels (either order): in [0, 1] for different labels
    /// (default 0), in (0, 1] for a label with itself (default 1). A same-label entry
    /// applies to every pair of factors with that label, a factor with itself included,
    /// as in seed 004's Table 17 ("within region": 0.8 on its diagonal).
    pub cross: Vec<(String, String, f64)>,
}

impl Attribute {
    /// An attribute whose different labels are not similar at all (no `cross` entries).
    pub fn plain(name: impl Into<String>, labels: Vec<String>) -> Attribute {
        Attribute {
            name: name.into(),
            labels,
            cross: Vec::new(),
        }
    }
}

impl FactorSimilarity {
    /// Validates a user matrix: `values` is k×k row-major for the k `names`.
    ///
    /// Requires finite entries in [0, 1], a unit diagonal and symmetry, both within
    /// [`MATRIX_TOLERANCE`]. A missing (NaN) entry whose mirror is present is filled from
    /// the mirror, so a matrix given as one triangle (like Fragkiskos & Bauman's Table 6)
    /// is accepted.
    /// Errors name the offending factor (as the column) and both factors of a pair.
    pub fn from_matrix(names: Vec<String>, values: Vec<f64>) -> Result<Self, InputError> {
        check_names(&names, "factor similarity matrix")?;
        let k = names.len();
        if values.len() != k * k {
            return Err(InputError::new(format!(
                "the factor similarity matrix has {} values; {k} factors need {k}×{k} = {}",
                values.len(),
                k * k
            )));
        }
        let mut v = values;
        for i in 0..k {
            for j in 0..k {
                let x = v[i * k + j];
                if x.is_infinite() {
                    return Err(InputError::new(format!(
                        "S_X('{}', '{}') is {x}; expected a number in [0, 1]",
                        names[i], names[j]
                    ))
                    .with_column(names[j].clone()));
                }
                if x.is_nan() {
                    let mirror = v[j * k + i];
                    if mirror.is_finite() && i != j {
                        v[i * k + j] = mirror;
                    } else {
                        return Err(InputError::new(format!(
                            "S_X('{}', '{}') is missing{}",
                            names[i],
                            names[j],
                            if i == j {
                                " (the diagonal must be 1)".to_string()
                            } else {
                                format!(" and so is S_X('{}', '{}')", names[j], names[i])
                            }
                        ))
                        .with_column(names[j].clone()));
                    }
                }
            }
        }
        for i in 0..k {
            let d = v[i * k + i];
            if (d - 1.0).abs() > MATRIX_TOLERANCE {
                return Err(InputError::new(format!(
                    "S_X('{0}', '{0}') = {d}; the diagonal must be 1 (a factor is fully similar to itself)",
                    names[i]
                ))
                .with_column(names[i].clone()));
            }
            v[i * k + i] = 1.0;
        }
        for i in 0..k {
            for j in 0..k {
                let x = v[i * k + j];
                if !(0.0..=1.0).contains(&x) {
                    return Err(InputError::new(format!(
                        "S_X('{}', '{}') = {x} is outside [0, 1]",
                        names[i], names[j]
                    ))
                    .with_column(names[j].clone()));
                }
            }
        }
        for i in 0..k {
            for j in i + 1..k {
                let (a, b) = (v[i * k + j], v[j * k + i]);
                if (a - b).abs() > MATRIX_TOLERANCE {
                    return Err(InputError::new(format!(
                        "the factor similarity matrix is not symmetric: S_X('{}', '{}') = {a} but S_X('{}', '{}') = {b}",
                        names[i], names[j], names[j], names[i]
                    ))
                    .with_column(names[j].clone()));
                }
                // Exact symmetry lets every consumer rely on S_X(i,j) == S_X(j,i).
                let m = 0.5 * (a + b);
                v[i * k + j] = m;
                v[j * k + i] = m;
            }
        }
        Ok(FactorSimilarity { names, values: v })
    }

    /// S_X = identity: a factor is similar only to itself (the Euclidean-like view).
    pub fn identity(names: Vec<String>) -> Self {
        let k = names.len();
        let mut values = vec![0.0; k * k];
        for i in 0..k {
            values[i * k + i] = 1.0;
        }
        FactorSimilarity { names, values }
    }

    /// Builds S_X = Σ_k w_k S_X^k from factor attributes, where S_X^k(i,j) is the
    /// attribute's same-label similarity (default 1) when factors i and j share a label,
    /// and its cross-label value otherwise (default 0).
    ///
    /// `weights` (one per attribute, ≥ 0, not all 0) default to equal and are normalised
    /// to sum to 1, so S_X has entries in [0, 1] and a diagonal of exactly 1 unless a
    /// same-label similarity below 1 lowers it.
    pub fn from_attributes(
        factors: &[String],
        attributes: &[Attribute],
        weights: Option<&[f64]>,
    ) -> Result<Self, InputError> {
        check_names(factors, "factor attribute table")?;
        if attributes.is_empty() {
            return Err(InputError::new(
                "no factor attributes given: at least one attribute column is needed to build factor similarities",
            ));
        }
        let w = attribute_weights(attributes, weights)?;
        let k = factors.len();
        let mut values = vec![0.0; k * k];
        let mut unit_diagonal = vec![true; k];
        for (attr, &wk) in attributes.iter().zip(&w) {
            let sim = attribute_similarity(factors, attr)?;
            for (v, s) in values.iter_mut().zip(&sim) {
                *v += wk * s;
            }
            for (i, unit) in unit_diagonal.iter_mut().enumerate() {
                *unit &= sim[i * k + i] == 1.0;
            }
        }
        for (i, unit) in unit_diagonal.into_iter().enumerate() {
            if unit {
                // Exactly 1 whatever the rounding of Σ w_k.
                values[i * k + i] = 1.0;
            }
        }
        Ok(FactorSimilarity {
            names: factors.to_vec(),
            values,
        })
    }

    /// Factor names, in matrix order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The k×k matrix, row-major, in [`FactorSimilarity::names`] order.
    pub fn matrix(&self) -> &[f64] {
        &self.values
    }

    /// Number of factors k.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no factors.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// S_X(i, j) by position.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.names.len() + j]
    }

    /// Position of a factor by name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The sub-matrix for `names`, in that order (e.g. the factors of an exposure table);
    /// errors list every factor that the matrix does not have.
    pub fn reorder(&self, names: &[String]) -> Result<Self, InputError> {
        check_names(names, "factor list")?;
        let index: HashMap<&str, usize> = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let missing: Vec<&String> = names
            .iter()
            .filter(|n| !index.contains_key(n.as_str()))
            .collect();
        if let Some(first) = missing.first() {
            let list: Vec<String> = missing.iter().map(|n| format!("'{n}'")).collect();
            let (noun, verb) = if missing.len() == 1 {
                ("factor", "is")
            } else {
                ("factors", "are")
            };
            return Err(InputError::new(format!(
                "{noun} {} {verb} not in the factor similarity matrix",
                list.join(", ")
            ))
            .with_column((*first).clone()));
        }
        let pos: Vec<usize> = names.iter().map(|n| index[n.as_str()]).collect();
        let k = self.names.len();
        let values = pos
            .iter()
            .flat_map(|&i| pos.iter().map(move |&j| (i, j)))
            .map(|(i, j)| self.values[i * k + j])
            .collect();
        Ok(FactorSimilarity {
            names: names.to_vec(),
            values,
        })
    }
}

/// Rejects an empty list, empty names and duplicates.
fn check_names(names: &[String], what: &str) -> Result<(), InputError> {
    if names.is_empty() {
        return Err(InputError::new(format!("the {what} has no factors")));
    }
    let mut seen = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if n.trim().is_empty() {
            return Err(InputError::new(format!(
                "factor {} of the {what} has an empty name",
                i + 1
            )));
        }
        if let Some(first) = seen.insert(n.as_str(), i) {
            return Err(InputError::new(format!(
                "factor '{n}' appears twice in the {what} (positions {} and {})",
                first + 1,
                i + 1
            ))
            .with_column(n.clone()));
        }
    }
    Ok(())
}

/// Attribute weights normalised to sum to 1 (equal when not given).
fn attribute_weights(
    attributes: &[Attribute],
    weights: Option<&[f64]>,
) -> Result<Vec<f64>, InputError> {
    let Some(w) = weights else {
        return Ok(vec![1.0 / attributes.len() as f64; attributes.len()]);
    };
    if w.len() != attributes.len() {
        return Err(InputError::new(format!(
            "{} attribute weights given for {} attributes",
            w.len(),
            attributes.len()
        )));
    }
    for (a, &x) in attributes.iter().zip(w) {
        if !x.is_finite() || x < 0.0 {
            return Err(InputError::new(format!(
                "the weight of attribute '{}' is {x}; expected a number ≥ 0",
                a.name
            ))
            .with_column(a.name.clone()));
        }
    }
    let sum: f64 = w.iter().sum();
    if sum <= 0.0 {
        return Err(InputError::new(
            "the attribute weights are all 0; at least one must be positive",
        ));
    }
    Ok(w.iter().map(|x| x / sum).collect())
}

/// S_X^k for one attribute, k×k row-major.
fn attribute_similarity(factors: &[String], attr: &Attribute) -> Result<Vec<f64>, InputError> {
    let k = factors.len();
    let err = |msg: String| Err(InputError::new(msg).with_column(attr.name.clone()));
    if attr.labels.len() != k {
        return err(format!(
            "attribute '{}' has {} labels for {k} factors",
            attr.name,
            attr.labels.len()
        ));
    }
    let mut cross: HashMap<(&str, &str), f64> = HashMap::new();
    for (a, b, v) in &attr.cross {
        for label in [a, b] {
            if label.is_empty() || !attr.labels.contains(label) {
                return err(format!(
                    "attribute '{}': the cross-label similarity ('{a}', '{b}') names label '{label}', which no factor has",
                    attr.name
                ));
            }
        }
        if !v.is_finite() || !(0.0..=1.0).contains(v) {
            return err(format!(
                "attribute '{}': the similarity of labels '{a}' and '{b}' is {v}; expected a number in [0, 1]",
                attr.name
            ));
        }
        if a == b && *v == 0.0 {
            return err(format!(
                "attribute '{}': label '{a}' against itself is 0; a same-label similarity must be in (0, 1] (a factor must keep some similarity to itself)",
                attr.name
            ));
        }
        let key = if a <= b {
            (a.as_str(), b.as_str())
        } else {
            (b.as_str(), a.as_str())
        };
        if let Some(old) = cross.insert(key, *v) {
            if (old - v).abs() > MATRIX_TOLERANCE {
                return err(format!(
                    "attribute '{}': the similarity of labels '{a}' and '{b}' is given twice, as {old} and {v}",
                    attr.name
                ));
            }
        }
    }
    let mut s = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            let (a, b) = (attr.labels[i].as_str(), attr.labels[j].as_str());
            s[i * k + j] = if a.is_empty() || b.is_empty() {
                // unlabelled: similar only to itself
                if i == j {
                    1.0
                } else {
                    0.0
                }
            } else if a == b {
                cross.get(&(a, a)).copied().unwrap_or(1.0)
            } else {
                let key = if a <= b { (a, b) } else { (b, a) };
                cross.get(&key).copied().unwrap_or(0.0)
            };
        }
    }
    Ok(s)
}
