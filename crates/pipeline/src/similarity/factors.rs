//! Factor similarities S_X, from a square matrix or a factor attribute table
//! (METHODS §3.3-3.4).

use peergroup_data::{InputError, Metadata};
use peergroup_io::LabelledMatrix;
use peergroup_similarity::{Attribute, FactorSimilarity};

use super::CrossLabel;
use crate::Named;

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
                    if r.a == r.b && r.value == 0.0 {
                        return Err(InputError::at(
                            r.position,
                            format!(
                                "label '{}' against itself is 0: a same-label similarity must be in (0, 1]",
                                r.a
                            ),
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
