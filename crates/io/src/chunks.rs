//! Shared steps of the readers that parse a file in parallel chunks straight into
//! preallocated columns.

use std::collections::HashMap;

use peergroup_data::{Date, IndustryBuilder, PositionKind};
use rayon::prelude::*;

use crate::sys::huge_pages;

/// The columns of an industry table, allocated whole before the chunks fill them.
pub(crate) struct IndustryColumns {
    pub(crate) class: Vec<u32>,
    /// Days since 1970-01-01.
    pub(crate) date: Vec<i32>,
    pub(crate) price: Vec<f64>,
    pub(crate) shares: Vec<f64>,
    pub(crate) aum: Vec<f64>,
}

/// One chunk's disjoint share of the output columns, filled in place.
pub(crate) struct Slots<'a> {
    pub(crate) class: &'a mut [u32],
    pub(crate) date: &'a mut [i32],
    pub(crate) price: &'a mut [f64],
    pub(crate) shares: &'a mut [f64],
    pub(crate) aum: &'a mut [f64],
}

impl IndustryColumns {
    /// `rows` zeroed rows: a zeroed allocation leaves its pages to be first touched by
    /// the threads that fill them.
    pub(crate) fn zeroed(rows: usize) -> IndustryColumns {
        IndustryColumns {
            class: vec![0u32; rows],
            date: vec![0i32; rows],
            price: vec![0.0f64; rows],
            shares: vec![0.0f64; rows],
            aum: vec![0.0f64; rows],
        }
    }

    /// Ask for huge pages behind every column (see [`huge_pages`]), before any is written.
    pub(crate) fn advise_huge_pages(&mut self) {
        huge_pages::advise(&mut self.class);
        huge_pages::advise(&mut self.date);
        huge_pages::advise(&mut self.price);
        huge_pages::advise(&mut self.shares);
        huge_pages::advise(&mut self.aum);
    }

    /// Consecutive disjoint pieces of all columns, of `lens` rows each (one per chunk).
    pub(crate) fn slots(&mut self, lens: &[usize]) -> Vec<Slots<'_>> {
        split_lens(&mut self.class, lens)
            .into_iter()
            .zip(split_lens(&mut self.date, lens))
            .zip(split_lens(&mut self.price, lens))
            .zip(split_lens(&mut self.shares, lens))
            .zip(split_lens(&mut self.aum, lens))
            .map(|((((class, date), price), shares), aum)| Slots {
                class,
                date,
                price,
                shares,
                aum,
            })
            .collect()
    }

    /// The filled columns with their class names and record positions, for validation.
    pub(crate) fn into_builder(
        self,
        class_names: Vec<String>,
        position_kind: PositionKind,
        position: Vec<u32>,
    ) -> IndustryBuilder {
        IndustryBuilder {
            class: self.class,
            class_names,
            // Same size and alignment: the collect reuses the allocation.
            date: self.date.into_iter().map(Date::from_days).collect(),
            price: self.price,
            shares: self.shares,
            aum: self.aum,
            position_kind,
            position,
        }
    }
}

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
