//! Sparse convex QPs through clarabel (interior point): the long-only dynamic style
//! problem, and an independent reference for the Sharpe kernel in tests.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettings, DefaultSolver, IPSolver, SolverStatus, SupportedConeT};

use crate::sharpe::{Constraints, QpError};

/// Solve `min ½xᵀPx + qᵀx` s.t. `Ax + s = b`, `s ∈ cones` with tight tolerances.
pub(crate) fn solve_qp(
    p: &CscMatrix<f64>,
    q: &[f64],
    a: &CscMatrix<f64>,
    b: &[f64],
    cones: &[SupportedConeT<f64>],
) -> Result<Vec<f64>, QpError> {
    if q.is_empty() {
        // No variables (e.g. stepwise selection kept no factor): clarabel's factorisation
        // indexes an empty matrix and panics. Feasible exactly when s = b lies in the
        // cones: zero rows of the zero cone, non-negative rows of the others.
        let mut at = 0;
        for cone in cones {
            let (n, ok): (usize, fn(f64) -> bool) = match cone {
                SupportedConeT::ZeroConeT(n) => (*n, |v| v == 0.0),
                SupportedConeT::NonnegativeConeT(n) => (*n, |v| v >= 0.0),
                _ => {
                    return Err(QpError(
                        "a problem without variables and an unsupported cone".into(),
                    ))
                }
            };
            if !b[at..at + n].iter().all(|&v| ok(v)) {
                return Err(QpError(
                    "the problem has no variables and its constraints cannot hold".into(),
                ));
            }
            at += n;
        }
        return Ok(Vec::new());
    }
    let settings = DefaultSettings::<f64> {
        verbose: false,
        tol_gap_abs: 1e-11,
        tol_gap_rel: 1e-11,
        tol_feas: 1e-11,
        max_iter: 400,
        ..Default::default()
    };
    let mut solver = DefaultSolver::new(p, q, a, b, cones, settings)
        .map_err(|e| QpError(format!("clarabel setup failed: {e}")))?;
    solver.solve();
    match solver.solution.status {
        SolverStatus::Solved | SolverStatus::AlmostSolved => Ok(solver.solution.x.clone()),
        s => Err(QpError(format!(
            "clarabel did not solve the problem: {s:?}"
        ))),
    }
}

/// Sharpe style analysis through clarabel, from the Gram matrix (reference solver).
pub fn sharpe_clarabel(
    g: &[f64],
    c: &[f64],
    n: usize,
    cons: Constraints,
) -> Result<Vec<f64>, QpError> {
    // P: upper triangle of G, column by column.
    let mut colptr = vec![0usize];
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    for j in 0..n {
        for i in 0..=j {
            rowval.push(i);
            nzval.push(g[i * n + j]);
        }
        colptr.push(rowval.len());
    }
    let p = CscMatrix::new(n, n, colptr, rowval, nzval);
    let q: Vec<f64> = c.iter().map(|v| -v).collect();
    let rows_budget = usize::from(cons.budget);
    let rows = rows_budget + if cons.long_only { n } else { 0 };
    let mut colptr = vec![0usize];
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    for j in 0..n {
        if cons.budget {
            rowval.push(0);
            nzval.push(1.0);
        }
        if cons.long_only {
            rowval.push(rows_budget + j);
            nzval.push(-1.0);
        }
        colptr.push(rowval.len());
    }
    let a = CscMatrix::new(rows, n, colptr, rowval, nzval);
    let mut b = vec![0.0; rows];
    let mut cones = Vec::new();
    if cons.budget {
        b[0] = 1.0;
        cones.push(SupportedConeT::ZeroConeT(1));
    }
    if cons.long_only {
        cones.push(SupportedConeT::NonnegativeConeT(n));
    }
    solve_qp(&p, &q, &a, &b, &cones)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A problem without variables (a window where stepwise selection kept no factor) is
    /// answered without calling clarabel, whose factorisation panics on it: solved when
    /// the constraints hold with nothing, refused when a budget asks for Σβ = 1.
    #[test]
    fn no_variables_is_answered_not_a_panic() {
        let empty = CscMatrix::new(0, 0, vec![0], Vec::new(), Vec::new());
        assert_eq!(
            solve_qp(&empty, &[], &empty, &[], &[]).unwrap(),
            Vec::<f64>::new()
        );
        let none = CscMatrix::new(2, 0, vec![0], Vec::new(), Vec::new());
        let cones = [
            SupportedConeT::ZeroConeT(1),
            SupportedConeT::NonnegativeConeT(1),
        ];
        assert!(solve_qp(&empty, &[], &none, &[0.0, 0.5], &cones).is_ok());
        let err = solve_qp(&empty, &[], &none, &[1.0, 0.0], &cones).unwrap_err();
        assert!(err.0.contains("cannot hold"), "{}", err.0);
        // Through the Sharpe reference with no factors: the budget cannot hold.
        let cons = Constraints {
            budget: true,
            long_only: true,
        };
        assert!(sharpe_clarabel(&[], &[], 0, cons).is_err());
    }
}
