//! The category mix of the latest quarter.

use super::features::EntityPass;
use crate::Matrix;

/// Name of the pooled mix column.
pub const OTHER_LEVEL: &str = "(other)";
/// Mix columns and the n × levels matrix of latest-quarter shares (module documentation).
pub(super) fn mix_matrix(
    kept: &[usize],
    passes: &[EntityPass],
    level_names: &[String],
    max_levels: usize,
) -> (Vec<String>, Matrix) {
    let mut total = vec![0.0; level_names.len()];
    for &e in kept {
        for &(l, v) in &passes[e].mix {
            total[l as usize] += v;
        }
    }
    let mut levels: Vec<usize> = (0..level_names.len()).filter(|&l| total[l] > 0.0).collect();
    let pooled = max_levels > 0 && levels.len() > max_levels;
    if max_levels == 0 {
        levels.clear();
    } else if pooled {
        levels.sort_by(|&a, &b| {
            total[b]
                .total_cmp(&total[a])
                .then_with(|| level_names[a].cmp(&level_names[b]))
        });
        levels.truncate(max_levels - 1);
    }
    levels.sort_by(|&a, &b| level_names[a].cmp(&level_names[b]));
    let mut column = vec![usize::MAX; level_names.len()];
    for (c, &l) in levels.iter().enumerate() {
        column[l] = c;
    }
    let mut names: Vec<String> = levels.iter().map(|&l| level_names[l].clone()).collect();
    if pooled {
        names.push(OTHER_LEVEL.to_string());
    }
    let width = names.len();
    let mut mix = Matrix::zeros(kept.len(), width);
    if width == 0 {
        return (names, mix);
    }
    for (i, &e) in kept.iter().enumerate() {
        let row = mix.row_mut(i);
        for &(l, v) in &passes[e].mix {
            let c = column[l as usize];
            row[if c == usize::MAX { width - 1 } else { c }] += v;
        }
        let s: f64 = row.iter().sum();
        if s > 0.0 {
            row.iter_mut().for_each(|x| *x /= s);
        }
    }
    (names, mix)
}
