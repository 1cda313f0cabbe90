//! Readers of small reference tables: cross-label similarities of factor attributes, and
//! an external vendor's star ratings.

use std::collections::HashMap;

use peergroup_data::{shown, InputError, Position};

use crate::matrices::read_text_columns;
use crate::rows::{for_each_row, Row};
use crate::source::{AsSource, Role};

/// One row of a cross-label table: the similarity of two labels of one attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossLabel {
    /// Attribute name.
    pub attribute: String,
    /// First label.
    pub a: String,
    /// Second label.
    pub b: String,
    /// Similarity as read (the similarity stage checks that it lies in [0, 1]).
    pub value: f64,
    /// Where the row came from.
    pub position: Position,
}

/// Rows of a cross-label table `attribute,label_a,label_b,similarity`; every similarity
/// a number.
pub fn read_cross_labels<S: AsSource + ?Sized>(source: &S) -> Result<Vec<CrossLabel>, InputError> {
    let (rows, file) = read_text_columns(
        &source.as_source(),
        &[],
        &["attribute", "label_a", "label_b", "similarity"],
    )?;
    rows.into_iter()
        .map(|(cells, position)| {
            let value: f64 = cells[3].trim().parse().map_err(|_| {
                InputError::at(
                    position,
                    format!("expected a number, found '{}'", shown(&cells[3])),
                )
                .with_column("similarity")
                .in_file(file.clone())
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

/// Star ratings `fund,<column>` of an external vendor: whole stars 1 to 5, each fund once.
/// Roles: id (`fund`) and category (the stars `column`).
pub fn read_star_ratings<S: AsSource + ?Sized>(
    source: &S,
    column: &str,
) -> Result<HashMap<String, u8>, InputError> {
    let mut out = HashMap::new();
    let roles = [(Role::Id, "fund"), (Role::Category, column)];
    for_each_row(&source.as_source(), &roles, |h| {
        let c = h.require(&["fund", column])?;
        let out = &mut out;
        Ok(move |row: &Row<'_>| {
            let fund = row.text(c[0], "fund")?;
            let text = row.text(c[1], column)?;
            let stars = match text.parse::<f64>() {
                Ok(v) if v.fract() == 0.0 && (1.0..=5.0).contains(&v) => v as u8,
                _ => {
                    return Err(InputError::at(
                        row.position(),
                        format!("expected stars 1 to 5, found '{}'", shown(&text)),
                    )
                    .with_column(column))
                }
            };
            if out.insert(fund.to_string(), stars).is_some() {
                return Err(InputError::at(
                    row.position(),
                    format!("fund '{fund}' is rated twice"),
                )
                .with_column("fund"));
            }
            Ok(())
        })
    })?;
    Ok(out)
}
