use std::collections::HashMap;

/// Level name given to empty categorical cells.
pub const MISSING_LEVEL: &str = "(missing)";

/// A text column stored as a dictionary of distinct values plus one `u32` code per row,
/// so that millions of repeated ids cost four bytes a row and no allocation per row.
#[derive(Clone, Debug, Default)]
pub struct TextColumn {
    values: Vec<String>,
    codes: Vec<u32>,
    index: HashMap<String, u32>,
}

impl TextColumn {
    /// An empty column.
    pub fn new() -> TextColumn {
        TextColumn::default()
    }

    /// An empty column with room for `rows` rows.
    pub fn with_capacity(rows: usize) -> TextColumn {
        TextColumn {
            codes: Vec::with_capacity(rows),
            ..TextColumn::default()
        }
    }

    /// Append one row (allocates only the first time a value is seen).
    pub fn push(&mut self, value: &str) {
        let code = match self.index.get(value) {
            Some(&c) => c,
            None => {
                let c = u32::try_from(self.values.len()).expect("fewer than 2^32 distinct values");
                self.values.push(value.to_string());
                self.index.insert(value.to_string(), c);
                c
            }
        };
        self.codes.push(code);
    }

    /// A column from a dictionary and per-row codes (e.g. a Parquet dictionary column).
    /// Repeated dictionary values are merged.
    ///
    /// # Panics
    /// If a code is not below `values.len()`.
    pub fn from_codes(values: Vec<String>, mut codes: Vec<u32>) -> TextColumn {
        let mut index = HashMap::with_capacity(values.len());
        let mut unique = Vec::with_capacity(values.len());
        let mut remap = Vec::with_capacity(values.len());
        for v in values {
            let next = unique.len() as u32;
            let c = *index.entry(v.clone()).or_insert_with(|| {
                unique.push(v);
                next
            });
            remap.push(c);
        }
        let identity = remap.iter().enumerate().all(|(i, &c)| i as u32 == c);
        for c in &mut codes {
            let new = *remap
                .get(*c as usize)
                .unwrap_or_else(|| panic!("TextColumn::from_codes: code {c} out of range"));
            if !identity {
                *c = new;
            }
        }
        TextColumn {
            values: unique,
            codes,
            index,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Value of row `row`.
    pub fn get(&self, row: usize) -> &str {
        &self.values[self.codes[row] as usize]
    }

    /// Dictionary code of row `row` (an index into [`TextColumn::values`]).
    pub fn code(&self, row: usize) -> u32 {
        self.codes[row]
    }

    /// Per-row dictionary codes.
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// The distinct values (the dictionary), in order of first appearance.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Code of `value`, if it occurs.
    pub fn code_of(&self, value: &str) -> Option<u32> {
        self.index.get(value).copied()
    }

    /// The same column with every dictionary value passed through `f` (values that
    /// become equal are merged).
    pub(crate) fn map_values(self, f: impl Fn(&str) -> String) -> TextColumn {
        let values = self.values.iter().map(|v| f(v)).collect();
        TextColumn::from_codes(values, self.codes)
    }
}

impl<S: AsRef<str>> FromIterator<S> for TextColumn {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> TextColumn {
        let mut c = TextColumn::new();
        for v in iter {
            c.push(v.as_ref());
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_encodes_and_merges() {
        let c: TextColumn = ["a", "b", "a", "c"].into_iter().collect();
        assert_eq!(c.values(), ["a", "b", "c"]);
        assert_eq!(c.codes(), [0, 1, 0, 2]);
        assert_eq!(c.get(2), "a");
        let m = TextColumn::from_codes(vec!["x".into(), "y".into(), "x".into()], vec![2, 1, 0]);
        assert_eq!(m.values(), ["x", "y"]);
        assert_eq!(m.codes(), [0, 1, 0]);
        let up = c.map_values(|v| if v == "c" { "a".into() } else { v.into() });
        assert_eq!(up.values(), ["a", "b"]);
        assert_eq!(up.codes(), [0, 1, 0, 0]);
        assert_eq!(up.code_of("b"), Some(1));
    }
}
