//! Shared steps of the readers that parse a file in parallel chunks straight into
//! preallocated columns.

use std::collections::HashMap;

use rayon::prelude::*;

/// Split `v` into consecutive mutable pieces of the given lengths.
pub(crate) fn split_lens<'a, T>(mut v: &'a mut [T], lens: &[usize]) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(lens.len());
    for &l in lens {
        let (head, tail) = std::mem::take(&mut v).split_at_mut(l);
        out.push(head);
        v = tail;
    }
    out
}

/// Turn chunk-local id codes into global ones in place. `pieces[k]` holds chunk `k`'s
/// codes into `local[k]`; global codes number the ids in order of first appearance over
/// the chunks in file order, as the row reader numbers them. Returns the global names.
pub(crate) fn globalise_codes(pieces: Vec<&mut [u32]>, local: Vec<Vec<String>>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut global: HashMap<String, u32> = HashMap::new();
    let maps: Vec<Vec<u32>> = local
        .into_iter()
        .map(|chunk| {
            chunk
                .into_iter()
                .map(|name| {
                    let next = names.len() as u32;
                    *global.entry(name).or_insert_with_key(|name| {
                        names.push(name.clone());
                        next
                    })
                })
                .collect()
        })
        .collect();
    pieces
        .into_par_iter()
        .zip(maps.par_iter())
        .for_each(|(codes, map)| {
            for c in codes.iter_mut() {
                *c = map[*c as usize];
            }
        });
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_first_appearance_across_chunks() {
        let mut codes = vec![0, 1, 0, /* chunk 2 */ 0, 1, /* chunk 3 */ 0];
        let local = vec![
            vec!["b".to_string(), "a".to_string()],
            vec!["c".to_string(), "b".to_string()],
            vec!["a".to_string()],
        ];
        let names = globalise_codes(split_lens(&mut codes, &[3, 2, 1]), local);
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!(codes, [0, 1, 0, 2, 0, 1]);
    }
}
