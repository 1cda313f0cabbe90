//! The exact O(n²) gradient of KL(P‖Q) on a dense P, parallel over points.

use rayon::prelude::*;

use super::{dist2, EPS};

/// Exact gradient of KL(P‖Q) into `grad` (n × dims) with P scaled by `exaggeration`;
/// returns KL(P‖Q) with the unscaled P when `want_kl`.
///
/// One pass over the pairs: with num_ij = (1 + ‖y_i − y_j‖²)⁻¹ and Z = Σ num, the gradient
/// is 4 (Σ_j e·p_ij·num_ij (y_i − y_j) − Z⁻¹ Σ_j num_ij² (y_i − y_j)), so each row gathers
/// both sums and its share of Z, and Z is applied once all rows are done. The KL needs Z
/// inside a logarithm with a floor on q, so it takes a second pass, only when asked for.
pub(super) fn exact_gradient(
    p: &[f64],
    y: &[f64],
    dims: usize,
    exaggeration: f64,
    grad: &mut [f64],
    want_kl: bool,
) -> Option<f64> {
    let n = y.len() / dims;
    let row = |i: usize| &y[i * dims..(i + 1) * dims];
    // grad holds the attraction; `repulsion` the unnormalised repulsion of every row.
    let mut repulsion = vec![0.0; n * dims];
    let z_rows: Vec<f64> = grad
        .par_chunks_mut(dims)
        .zip(repulsion.par_chunks_mut(dims))
        .enumerate()
        .map(|(i, (attr, rep))| {
            let yi = row(i);
            attr.fill(0.0);
            let mut z = 0.0;
            let p_row = &p[i * n..(i + 1) * n];
            for (j, &pij) in p_row.iter().enumerate() {
                if j == i {
                    continue;
                }
                let yj = row(j);
                let num = 1.0 / (1.0 + dist2(yi, yj));
                z += num;
                let (a, r) = (exaggeration * pij * num, num * num);
                for ((av, rv), (u, v)) in attr.iter_mut().zip(rep.iter_mut()).zip(yi.iter().zip(yj))
                {
                    let diff = u - v;
                    *av += a * diff;
                    *rv += r * diff;
                }
            }
            z
        })
        .collect();
    let z: f64 = z_rows.iter().sum();
    grad.par_iter_mut()
        .zip(&repulsion)
        .for_each(|(g, r)| *g = 4.0 * (*g - r / z));
    want_kl.then(|| {
        let kl_rows: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|i| {
                let yi = row(i);
                (0..n)
                    .filter(|&j| j != i)
                    .map(|j| {
                        let pij = p[i * n + j];
                        let q = 1.0 / (1.0 + dist2(yi, row(j))) / z;
                        pij * (pij.max(EPS) / q.max(EPS)).ln()
                    })
                    .sum()
            })
            .collect();
        kl_rows.iter().sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsne::affinities::dense_affinities;

    /// Rows of a fixture CSV (header skipped), as strings.
    fn fixture(name: &str) -> Vec<Vec<String>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    fn floats(rows: &[Vec<String>], from: usize) -> Vec<f64> {
        rows.iter()
            .flat_map(|r| r[from..].iter().map(|v| v.parse::<f64>().unwrap()))
            .collect()
    }

    /// Joint probabilities, gradient and KL divergence against scikit-learn's
    /// `_joint_probabilities` and `_kl_divergence` (make_reduction_fixtures.py).
    #[test]
    fn exact_affinities_and_gradient_match_sklearn() {
        let x = floats(&fixture("tsne_points.csv"), 1);
        let n = 60;
        let p = dense_affinities(&x, n, 4, 10.0);
        // scikit-learn rounds the squared distances to float32 before its bisection, so
        // P agrees to ~1e-7 relative, not to the last bit. The gradient is checked on
        // scikit-learn's own P.
        let mut p_ref = vec![0.0; n * n];
        for r in fixture("tsne_p.csv") {
            let (i, j): (usize, usize) = (r[0].parse().unwrap(), r[1].parse().unwrap());
            let want: f64 = r[2].parse().unwrap();
            let got = p[i * n + j];
            assert!(
                (got - want).abs() <= 1e-15 + 1e-6 * want,
                "P[{i},{j}] {got} vs {want}"
            );
            assert_eq!(p[j * n + i], got);
            p_ref[i * n + j] = want;
            p_ref[j * n + i] = want;
        }
        let p = p_ref;
        let y = floats(&fixture("tsne_y.csv"), 1);
        let want = floats(&fixture("tsne_gradient.csv"), 1);
        let mut grad = vec![0.0; n * 2];
        let kl = exact_gradient(&p, &y, 2, 1.0, &mut grad, true).unwrap();
        let scale = want.iter().map(|g| g.abs()).fold(0.0, f64::max);
        for (g, w) in grad.iter().zip(&want) {
            assert!((g - w).abs() <= 1e-9 * scale, "gradient {g} vs {w}");
        }
        let kl_want = floats(&fixture("tsne_kl.csv"), 0)[0];
        assert!(
            (kl - kl_want).abs() <= 1e-9 * kl_want,
            "KL {kl} vs {kl_want}"
        );
    }
}
