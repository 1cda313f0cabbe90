use std::collections::HashMap;

use crate::{InputError, Position};

/// A metadata table keyed by an id column (`id,name,category,manager,...` for funds,
/// `class_id,fund,manager` for industry classes). Every other column is kept as text.
#[derive(Clone, Debug)]
pub struct Metadata {
    key: String,
    columns: Vec<String>,
    ids: Vec<String>,
    values: Vec<Vec<String>>,
    positions: Vec<Position>,
    index: HashMap<String, usize>,
}

impl Metadata {
    /// Build from rows; `columns` excludes the key column, each row has one value per column.
    pub fn new(
        key: &str,
        columns: Vec<String>,
        rows: Vec<(String, Vec<String>, Position)>,
    ) -> Result<Metadata, InputError> {
        let mut index = HashMap::with_capacity(rows.len());
        let mut first = HashMap::with_capacity(rows.len());
        let mut ids = Vec::with_capacity(rows.len());
        let mut values = Vec::with_capacity(rows.len());
        let mut positions = Vec::with_capacity(rows.len());
        for (id, vals, pos) in rows {
            if id.is_empty() {
                return Err(
                    InputError::at(pos, "expected an id, found an empty cell").with_column(key)
                );
            }
            if let Some(prev) = first.insert(id.clone(), pos) {
                return Err(
                    InputError::at(pos, format!("duplicate id '{id}' (first at {prev})"))
                        .with_column(key),
                );
            }
            index.insert(id.clone(), ids.len());
            ids.push(id);
            values.push(vals);
            positions.push(pos);
        }
        if ids.is_empty() {
            return Err(InputError::new("no data rows"));
        }
        Ok(Metadata {
            key: key.to_string(),
            columns,
            ids,
            values,
            positions,
            index,
        })
    }

    /// Name of the key column.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Attribute column names (without the key).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Ids in file order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Row index of `id`.
    pub fn row(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Where row `row` sits in its file.
    pub fn position(&self, row: usize) -> Position {
        self.positions[row]
    }

    /// Value of attribute `column` for `id`.
    pub fn get(&self, id: &str, column: &str) -> Option<&str> {
        let c = self.columns.iter().position(|x| x == column)?;
        self.row(id).map(|r| self.values[r][c].as_str())
    }

    /// Whole attribute column, aligned with [`Metadata::ids`].
    pub fn column(&self, column: &str) -> Option<Vec<&str>> {
        let c = self.columns.iter().position(|x| x == column)?;
        Some(self.values.iter().map(|r| r[c].as_str()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_and_rejects_duplicates() {
        let rows = vec![
            (
                "a".to_string(),
                vec!["F1".to_string(), "M1".to_string()],
                Position::Line(2),
            ),
            (
                "b".to_string(),
                vec!["F1".to_string(), "M2".to_string()],
                Position::Line(3),
            ),
        ];
        let m = Metadata::new(
            "class_id",
            vec!["fund".into(), "manager".into()],
            rows.clone(),
        )
        .unwrap();
        assert_eq!(m.get("b", "manager"), Some("M2"));
        assert_eq!(m.get("c", "manager"), None);
        assert_eq!(m.column("fund").unwrap(), vec!["F1", "F1"]);
        let mut dup = rows;
        dup.push((
            "a".to_string(),
            vec!["F9".into(), "M9".into()],
            Position::Line(4),
        ));
        let e = Metadata::new("class_id", vec!["fund".into(), "manager".into()], dup).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 4, column 'class_id': duplicate id 'a' (first at line 2)"
        );
    }
}
