//! Canonical cluster numbering: equal partitions found from different seeds (or by
//! different methods) print alike when clusters are numbered by first appearance.

/// Renumbers `labels` (each below `k`) by first appearance in input order and returns the
/// map old → new for all `k` clusters; clusters without items keep their relative order
/// after the ones that have items.
///
/// # Panics
/// If a label is `k` or more (a caller's invariant, never user input).
pub fn renumber_by_first_appearance(labels: &mut [usize], k: usize) -> Vec<usize> {
    let mut new_of = vec![usize::MAX; k];
    let mut next = 0;
    for &l in labels.iter() {
        if new_of[l] == usize::MAX {
            new_of[l] = next;
            next += 1;
        }
    }
    // Clusters without items (only possible with duplicate points) go last.
    for slot in new_of.iter_mut().filter(|s| **s == usize::MAX) {
        *slot = next;
        next += 1;
    }
    for l in labels.iter_mut() {
        *l = new_of[*l];
    }
    new_of
}

/// Labels of any values (e.g. arbitrary cluster ids) numbered `0, 1, …` by first
/// appearance in input order.
pub fn first_appearance(labels: &[usize]) -> Vec<usize> {
    let mut map: Vec<Option<usize>> = Vec::new();
    let mut next = 0;
    labels
        .iter()
        .map(|&l| {
            if l >= map.len() {
                map.resize(l + 1, None);
            }
            *map[l].get_or_insert_with(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// Text labels (categories, personas) as codes `0, 1, …` by first appearance, with the
/// label of each code.
pub fn encode<S: AsRef<str>>(labels: &[S]) -> (Vec<usize>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let codes = labels
        .iter()
        .map(|l| {
            let l = l.as_ref();
            *index.entry(l.to_string()).or_insert_with(|| {
                names.push(l.to_string());
                names.len() - 1
            })
        })
        .collect();
    (codes, names)
}

/// The rows of a `k × width` row-major table moved to their new cluster numbers: row
/// `old` becomes row `new_of[old]` (`new_of` as from [`renumber_by_first_appearance`]).
pub fn permute_rows<T: Copy + Default>(table: &[T], width: usize, new_of: &[usize]) -> Vec<T> {
    let mut out = vec![T::default(); table.len()];
    for (old, &new) in new_of.iter().enumerate() {
        out[new * width..(new + 1) * width].copy_from_slice(&table[old * width..(old + 1) * width]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_clusters_go_last() {
        let mut labels = vec![2, 2, 0];
        let new_of = renumber_by_first_appearance(&mut labels, 4);
        assert_eq!(labels, vec![0, 0, 1]);
        assert_eq!(new_of, vec![1, 2, 0, 3]);
        assert_eq!(
            permute_rows(&[10, 11, 12, 13], 1, &new_of),
            vec![12, 10, 11, 13]
        );
    }

    #[test]
    fn first_appearance_of_sparse_ids() {
        assert_eq!(first_appearance(&[7, 7, 3, 9, 3]), vec![0, 0, 1, 2, 1]);
    }

    #[test]
    fn encodes_text_by_first_appearance() {
        let (codes, names) = encode(&["bond", "equity", "bond", "cash"]);
        assert_eq!(codes, vec![0, 1, 0, 2]);
        assert_eq!(names, vec!["bond", "equity", "cash"]);
    }
}
