//! Readers of small reference tables: cross-label similarities of factor attributes, and
//! an external vendor's star ratings.

use std::collections::HashMap;

use peergroup_data::{InputError, Position};

use crate::matrices::read_text_columns;
use crate::read_text_table;
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
    let src = source.as_source();
    let file = src.label();
    read_text_table(&*src, &["attribute", "label_a", "label_b", "similarity"])?
        .into_iter()
        .map(|(cells, position)| {
            let value: f64 = cells[3].trim().parse().map_err(|_| {
                InputError::at(position, format!("expected a number, found '{}'", cells[3]))
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
    let src = source.as_source();
    let file = src.label();
    let roles = [(Role::Id, "fund"), (Role::Category, column)];
    let rows = read_text_columns(&src, &roles, &["fund", column])?;
    let mut out = HashMap::with_capacity(rows.len());
    for (cells, pos) in rows {
        let text = cells[1].trim();
        let stars = match text.parse::<f64>() {
            Ok(v) if v.fract() == 0.0 && (1.0..=5.0).contains(&v) => v as u8,
            _ => {
                return Err(
                    InputError::at(pos, format!("expected stars 1 to 5, found '{text}'"))
                        .with_column(column)
                        .in_file(file),
                )
            }
        };
        if out.insert(cells[0].clone(), stars).is_some() {
            return Err(
                InputError::at(pos, format!("fund '{}' is rated twice", cells[0]))
                    .with_column("fund")
                    .in_file(file),
            );
        }
    }
    Ok(out)
}
