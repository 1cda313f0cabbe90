//! The optimiser's step problem: a convex quadratic model of the log-likelihood maximised
//! over at most 5 parameters under at most 6 linear inequality constraints.
//!
//! With so few variables and constraints, enumerating active sets (smallest first) and
//! keeping the first that satisfies the KKT conditions is both exact and cheap (≤ 64
//! solves of an ≤ 11 × 11 system, about one log-likelihood evaluation), and has none of
//! the cycling or tolerance issues a general active-set code must handle.

/// Number of AT-GARCH parameters (μ, γ, α, β, δ).
pub(crate) const P: usize = 5;

/// A linear constraint `a·θ ≥ c` on the parameter vector.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Constraint {
    pub a: [f64; P],
    pub c: f64,
}

/// Solve the dense `n × n` system `m x = rhs` in place (rhs becomes x) by Gaussian
/// elimination with partial pivoting; `false` if numerically singular.
pub(crate) fn solve_in_place(m: &mut [f64], n: usize, rhs: &mut [f64]) -> bool {
    let scale = m
        .iter()
        .fold(0.0f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| m[i * n + col].abs().total_cmp(&m[j * n + col].abs()))
            .expect("non-empty range");
        if m[pivot * n + col].abs() <= 1e-13 * scale {
            return false;
        }
        if pivot != col {
            for k in 0..n {
                m.swap(pivot * n + k, col * n + k);
            }
            rhs.swap(pivot, col);
        }
        let d = m[col * n + col];
        for row in col + 1..n {
            let f = m[row * n + col] / d;
            if f != 0.0 {
                for k in col..n {
                    m[row * n + k] -= f * m[col * n + k];
                }
                rhs[row] -= f * rhs[col];
            }
        }
    }
    for row in (0..n).rev() {
        let mut s = rhs[row];
        for k in row + 1..n {
            s -= m[row * n + k] * rhs[k];
        }
        rhs[row] = s / m[row * n + row];
    }
    true
}

/// The step `d` maximising `g·d − ½ dᵀBd` over the free coordinates (the others stay 0)
/// subject to `a·(θ + d) ≥ c` for every constraint. `B` must be positive definite on the
/// free coordinates and `θ` feasible. `None` if no active set gives a KKT point (only in
/// degenerate, numerically singular cases).
pub(crate) fn step(
    b: &[[f64; P]; P],
    g: &[f64; P],
    theta: &[f64; P],
    free: &[bool; P],
    constraints: &[Constraint],
) -> Option<[f64; P]> {
    let idx: Vec<usize> = (0..P).filter(|&j| free[j]).collect();
    let m = idx.len();
    // Constraints that involve a free coordinate, as (reduced row, slack now).
    let rows: Vec<(Vec<f64>, f64)> = constraints
        .iter()
        .filter_map(|c| {
            let a: Vec<f64> = idx.iter().map(|&j| c.a[j]).collect();
            if a.iter().all(|&v| v == 0.0) {
                return None;
            }
            let slack = (0..P).map(|j| c.a[j] * theta[j]).sum::<f64>() - c.c;
            Some((a, slack.max(0.0)))
        })
        .collect();
    let nc = rows.len();
    let mut masks: Vec<u32> = (0..1u32 << nc).collect();
    masks.sort_by_key(|mask| mask.count_ones());
    let mut kkt = Vec::new();
    let mut rhs = Vec::new();
    for mask in masks {
        let active: Vec<usize> = (0..nc).filter(|&i| mask >> i & 1 == 1).collect();
        let w = active.len();
        if w > m {
            continue;
        }
        let n = m + w;
        kkt.clear();
        kkt.resize(n * n, 0.0);
        rhs.clear();
        rhs.resize(n, 0.0);
        for (r, &jr) in idx.iter().enumerate() {
            for (c, &jc) in idx.iter().enumerate() {
                kkt[r * n + c] = b[jr][jc];
            }
            rhs[r] = g[jr];
        }
        for (k, &i) in active.iter().enumerate() {
            for c in 0..m {
                kkt[c * n + m + k] = -rows[i].0[c];
                kkt[(m + k) * n + c] = rows[i].0[c];
            }
            // a·(θ + d) = c  ⇔  a·d = −slack.
            rhs[m + k] = -rows[i].1;
        }
        if !solve_in_place(&mut kkt, n, &mut rhs) {
            continue;
        }
        let d = &rhs[..m];
        let dual_ok = rhs[m..].iter().all(|&l| l >= -1e-10);
        let primal_ok = (0..nc).all(|i| {
            active.contains(&i) || {
                let ad: f64 = rows[i].0.iter().zip(d).map(|(a, x)| a * x).sum();
                ad >= -rows[i].1 - 1e-12
            }
        });
        if dual_ok && primal_ok {
            let mut out = [0.0; P];
            for (r, &j) in idx.iter().enumerate() {
                out[j] = d[r];
            }
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> [[f64; P]; P] {
        let mut b = [[0.0; P]; P];
        for (j, row) in b.iter_mut().enumerate() {
            row[j] = 1.0;
        }
        b
    }

    #[test]
    fn unconstrained_step_is_newton() {
        let g = [1.0, -2.0, 0.5, 0.0, 3.0];
        let d = step(&identity(), &g, &[0.0; P], &[true; P], &[]).unwrap();
        assert_eq!(d, g);
    }

    #[test]
    fn bound_binds_and_fixed_coordinates_stay() {
        // Maximise g·d − ½|d|² with d₂ ≥ −θ₂ = −0.1 (θ₂ + d₂ ≥ 0): the unconstrained step
        // d₂ = −1 is cut at −0.1; coordinate 3 is not free.
        let theta = [0.0, 0.0, 0.1, 0.0, 0.0];
        let g = [0.0, 0.0, -1.0, 5.0, 0.0];
        let mut a = [0.0; P];
        a[2] = 1.0;
        let free = [true, true, true, false, true];
        let d = step(&identity(), &g, &theta, &free, &[Constraint { a, c: 0.0 }]).unwrap();
        assert!((d[2] + 0.1).abs() < 1e-15);
        assert_eq!(d[3], 0.0);
    }

    #[test]
    fn sum_constraint_projects_the_step() {
        // x + y ≤ 1 from (0, 0) with gradient (2, 2): optimum on the line, d = (½, ½).
        let mut a = [0.0; P];
        a[0] = -1.0;
        a[1] = -1.0;
        let free = [true, true, false, false, false];
        let d = step(
            &identity(),
            &[2.0, 2.0, 0.0, 0.0, 0.0],
            &[0.0; P],
            &free,
            &[Constraint { a, c: -1.0 }],
        )
        .unwrap();
        assert!((d[0] - 0.5).abs() < 1e-14 && (d[1] - 0.5).abs() < 1e-14);
    }
}
