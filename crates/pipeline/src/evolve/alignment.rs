//! Labels aligned date to date: each date's clusters take the labels of the previous
//! date's clusters they share most funds with (Hungarian assignment on the contingency
//! table of the funds present both dates); a cluster that matches none gets a label never
//! used before, so that one label is one peer group over time.

use std::collections::HashMap;

use peergroup_cluster::validity::align_labels;
use peergroup_data::InputError;

use crate::error::OrInput;

/// The aligned labelling of the previous date and the next unused label.
#[derive(Default)]
pub(crate) struct Aligner {
    previous: Option<(Vec<usize>, Vec<usize>)>,
    next_label: usize,
}

impl Aligner {
    /// Relabel `labels` (of the funds `ids`, increasing) to agree with the previous call's
    /// result; the first call keeps labels in order of first appearance.
    pub(crate) fn align(
        &mut self,
        ids: &[usize],
        labels: &[usize],
    ) -> Result<Vec<usize>, InputError> {
        let mut map: HashMap<usize, usize> = HashMap::new();
        if let Some((prev_ids, prev_labels)) = &self.previous {
            // Funds present both dates.
            let (mut a, mut b) = (0, 0);
            let (mut prev_c, mut cur_c) = (Vec::new(), Vec::new());
            while a < prev_ids.len() && b < ids.len() {
                match prev_ids[a].cmp(&ids[b]) {
                    std::cmp::Ordering::Less => a += 1,
                    std::cmp::Ordering::Greater => b += 1,
                    std::cmp::Ordering::Equal => {
                        prev_c.push(prev_labels[a]);
                        cur_c.push(labels[b]);
                        a += 1;
                        b += 1;
                    }
                }
            }
            if !cur_c.is_empty() {
                let aligned = align_labels(&prev_c, &cur_c).or_input()?;
                // align_labels numbers unmatched clusters above the largest previous label.
                let largest = prev_c.iter().copied().max().unwrap_or(0);
                for (&c, &l) in cur_c.iter().zip(&aligned) {
                    if l <= largest {
                        map.insert(c, l);
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(labels.len());
        for &c in labels {
            let l = match map.get(&c) {
                Some(&l) => l,
                None => {
                    let l = self.next_label;
                    self.next_label += 1;
                    map.insert(c, l);
                    l
                }
            };
            out.push(l);
        }
        self.previous = Some((ids.to_vec(), out.clone()));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permuted_labelling_is_undone() {
        let ids: Vec<usize> = (0..6).collect();
        let mut al = Aligner::default();
        let first = al.align(&ids, &[0, 0, 1, 1, 2, 2]).unwrap();
        assert_eq!(first, vec![0, 0, 1, 1, 2, 2]);
        // The same partition under permuted labels, one fund moved from group 2 to 0.
        let second = al.align(&ids, &[2, 2, 0, 0, 1, 2]).unwrap();
        assert_eq!(second, vec![0, 0, 1, 1, 2, 0]);
    }

    #[test]
    fn a_new_group_gets_a_never_used_label() {
        let ids: Vec<usize> = (0..5).collect();
        let mut al = Aligner::default();
        al.align(&ids, &[0, 0, 0, 0, 1]).unwrap();
        // group 1 disappears (its fund joins group 0)
        let b = al.align(&ids, &[0, 0, 0, 0, 0]).unwrap();
        assert_eq!(b, vec![0, 0, 0, 0, 0]);
        // a new group appears: it must not reuse label 1
        let c = al.align(&ids, &[0, 0, 0, 1, 1]).unwrap();
        assert_eq!(c, vec![0, 0, 0, 2, 2]);
        // a group of funds that were not there before is new too
        let d = al.align(&[0, 1, 5, 6], &[1, 1, 0, 0]).unwrap();
        assert_eq!(d, vec![0, 0, 3, 3]);
    }
}
