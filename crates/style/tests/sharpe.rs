//! The Sharpe kernel against independent references: quadprog fixtures (committed with
//! their script), clarabel, KKT conditions, and synthetic truth.

mod common;

use common::{fixture, problem, sparse_beta, Problem};
use peergroup_random::Rng;
use peergroup_style::conic::sharpe_clarabel;
use peergroup_style::{kkt_violation, Constraints, SharpeSolver};

const ALL: [Constraints; 4] = [
    Constraints {
        budget: true,
        long_only: true,
    },
    Constraints {
        budget: false,
        long_only: true,
    },
    Constraints {
        budget: true,
        long_only: false,
    },
    Constraints {
        budget: false,
        long_only: false,
    },
];

#[test]
fn kkt_holds_to_1e9_on_random_problems() {
    let mut rng = Rng::new(11);
    let mut solver = SharpeSolver::new(20);
    for case in 0..400 {
        let n = 2 + rng.below(18) as usize;
        let t = n + 5 + rng.below(150) as usize;
        let truth: Vec<f64> = (0..n).map(|_| rng.gaussian(0.1, 0.4)).collect();
        let p = problem(&mut rng, t, n, &truth, 0.01);
        let (g, c) = p.gram();
        for cons in ALL {
            let beta = solver.solve(&g, &c, n, cons, None).unwrap().to_vec();
            let v = kkt_violation(&g, &c, n, cons, &beta);
            assert!(v < 1e-9, "case {case} {cons:?}: KKT violation {v}");
            if cons.budget {
                assert!((beta.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
            if cons.long_only {
                assert!(beta.iter().all(|b| *b >= 0.0));
            }
        }
    }
}

#[test]
fn agrees_with_clarabel_on_random_problems() {
    let mut rng = Rng::new(12);
    let mut solver = SharpeSolver::new(15);
    for case in 0..60 {
        let n = 2 + rng.below(13) as usize;
        let t = 3 * n + rng.below(100) as usize;
        let truth: Vec<f64> = (0..n).map(|_| rng.gaussian(0.1, 0.4)).collect();
        let p = problem(&mut rng, t, n, &truth, 0.01);
        let (g, c) = p.gram();
        for cons in ALL {
            let ours = solver.solve(&g, &c, n, cons, None).unwrap().to_vec();
            let reference = sharpe_clarabel(&g, &c, n, cons).unwrap();
            // Objectives agree tightly; betas to the interior-point solver's accuracy.
            let (a, b) = (p.ssr(&ours), p.ssr(&reference));
            assert!(
                a <= b * (1.0 + 1e-9) + 1e-14,
                "case {case} {cons:?}: ours {a} worse than clarabel {b}"
            );
            for (x, y) in ours.iter().zip(&reference) {
                assert!(
                    (x - y).abs() < 1e-5,
                    "case {case} {cons:?}: {ours:?} vs {reference:?}"
                );
            }
        }
    }
}

#[test]
fn warm_start_gives_the_same_answer() {
    let mut rng = Rng::new(13);
    let mut solver = SharpeSolver::new(10);
    for _ in 0..100 {
        let n = 10;
        let truth = sparse_beta(&mut rng, n, 3);
        let p = problem(&mut rng, 60, n, &truth, 0.01);
        let (g, c) = p.gram();
        let cold = solver
            .solve(&g, &c, n, Constraints::SHARPE, None)
            .unwrap()
            .to_vec();
        // warm from an arbitrary active set, including a wrong one
        let wrong: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
        let warm = solver
            .solve(&g, &c, n, Constraints::SHARPE, Some(&wrong))
            .unwrap()
            .to_vec();
        for (a, b) in cold.iter().zip(&warm) {
            assert!((a - b).abs() < 1e-12);
        }
    }
}

#[test]
fn noise_free_recovery_is_exact() {
    let mut rng = Rng::new(14);
    let mut solver = SharpeSolver::new(13);
    for _ in 0..50 {
        let n = 13;
        let truth = sparse_beta(&mut rng, n, 4);
        let p = problem(&mut rng, 104, n, &truth, 0.0);
        let (g, c) = p.gram();
        let b = solver.solve(&g, &c, n, Constraints::SHARPE, None).unwrap();
        for (x, y) in b.iter().zip(&truth) {
            assert!((x - y).abs() < 1e-8, "{b:?} vs {truth:?}");
        }
    }
}

#[test]
fn recovery_error_shrinks_as_the_sample_grows() {
    let mut rng = Rng::new(15);
    let mut solver = SharpeSolver::new(8);
    let mut errors = Vec::new();
    for &t in &[40usize, 160, 640, 2560] {
        let mut total = 0.0;
        for _ in 0..40 {
            let truth = sparse_beta(&mut rng, 8, 3);
            let p = problem(&mut rng, t, 8, &truth, 0.02);
            let (g, c) = p.gram();
            let b = solver.solve(&g, &c, 8, Constraints::SHARPE, None).unwrap();
            total += b
                .iter()
                .zip(&truth)
                .map(|(x, y)| (x - y).abs())
                .sum::<f64>()
                / 8.0;
        }
        errors.push(total / 40.0);
    }
    // mean absolute error falls roughly like 1/√T: at least 1.5× per quadrupling
    for w in errors.windows(2) {
        assert!(w[1] < w[0] / 1.5, "errors {errors:?}");
    }
}

#[test]
fn matches_quadprog_fixtures_on_random_problems() {
    let data = fixture("sharpe_random_data.csv");
    let sol = fixture("sharpe_random.csv");
    let problems: usize = data
        .iter()
        .map(|r| r[0].parse::<usize>().unwrap())
        .max()
        .unwrap()
        + 1;
    let mut solver = SharpeSolver::new(13);
    for pid in 0..problems {
        let rows: Vec<_> = data
            .iter()
            .filter(|r| r[0].parse::<usize>().unwrap() == pid)
            .collect();
        let want: Vec<_> = sol
            .iter()
            .filter(|r| r[0].parse::<usize>().unwrap() == pid)
            .collect();
        let n: usize = want[0][1].parse().unwrap();
        let mut x = Vec::new();
        let mut r = Vec::new();
        for row in &rows {
            for i in 0..n {
                x.push(row[2 + i].parse::<f64>().unwrap());
            }
            r.push(row[15].parse::<f64>().unwrap());
        }
        let p = Problem { n, x, r };
        let (g, c) = p.gram();
        let b = solver
            .solve(&g, &c, n, Constraints::SHARPE, None)
            .unwrap()
            .to_vec();
        for w in &want {
            let i: usize = w[2].parse().unwrap();
            let beta: f64 = w[3].parse().unwrap();
            assert!(
                (b[i] - beta).abs() < 1e-8,
                "problem {pid} factor {i}: {} vs {beta}",
                b[i]
            );
        }
        let obj: f64 = want[0][4].parse().unwrap();
        assert!(
            (p.ssr(&b) - obj).abs() <= 1e-10 * obj.max(1e-12),
            "problem {pid}: objective {} vs {obj}",
            p.ssr(&b)
        );
    }
}

#[test]
fn gram_beta_free_set_and_fit_statistics_describe_the_solution() {
    use peergroup_style::moments::{stats_on_support, stats_with_gram_beta, Moments};
    let mut rng = Rng::new(16);
    let mut solver = SharpeSolver::new(16);
    for case in 0..200 {
        let n = 1 + rng.below(16) as usize;
        let t = n + 5 + rng.below(100) as usize;
        let k = 1 + rng.below(n as u64) as usize;
        let truth = sparse_beta(&mut rng, n, k);
        let p = problem(&mut rng, t, n, &truth, 0.01);
        let mut m = Moments::new(n);
        for s in 0..t {
            m.add(&p.x[s * n..(s + 1) * n], p.r[s]);
        }
        for cons in ALL {
            let beta = solver.solve(&m.xx, &m.xr, n, cons, None).unwrap().to_vec();
            let free = solver.free_set().to_vec();
            assert!(
                free.windows(2).all(|w| w[0] < w[1]),
                "case {case}: {free:?}"
            );
            for i in 0..n {
                let direct: f64 = (0..n).map(|j| m.xx[i * n + j] * beta[j]).sum();
                let gb = solver.gram_beta()[i];
                assert!(
                    (gb - direct).abs() <= 1e-13 * direct.abs().max(m.xx[i * n + i]),
                    "case {case} {cons:?}: (Gβ)_{i} {gb} vs {direct}"
                );
                assert_eq!(free.contains(&i), !solver.active_set()[i]);
                if !free.contains(&i) {
                    assert_eq!(beta[i], 0.0);
                }
            }
            let params = n - usize::from(cons.budget);
            let sums = m.return_sums();
            let a = stats_with_gram_beta(solver.gram_beta(), &m.sx, &sums, &beta, params);
            let b = stats_on_support(&m.xx, &m.sx, &sums, &beta, &free, params);
            let c = m.stats(&beta, params);
            for (x, y) in [
                (a.r2, b.r2),
                (a.ssr, b.ssr),
                (a.tracking_error, b.tracking_error),
            ] {
                assert_eq!(x.to_bits(), y.to_bits(), "case {case} {cons:?}");
            }
            assert!((a.r2 - c.r2).abs() < 1e-12, "case {case} {cons:?}");
        }
    }
}

#[test]
fn a_duplicated_factor_is_solved_through_the_ridge() {
    // Two identical columns make G singular: the factorisation falls back to a ridge
    // and the pair shares the exposure the single column would get.
    let mut rng = Rng::new(17);
    let mut solver = SharpeSolver::new(6);
    for _ in 0..20 {
        let truth = [0.5, 0.3, 0.2, 0.0];
        let p = problem(&mut rng, 80, 4, &truth, 0.005);
        let mut x = Vec::with_capacity(80 * 5);
        for s in 0..80 {
            x.extend_from_slice(&p.x[s * 4..(s + 1) * 4]);
            x.push(p.x[s * 4]);
        }
        let dup = Problem {
            n: 5,
            x,
            r: p.r.clone(),
        };
        let (g, c) = p.gram();
        let (gd, cd) = dup.gram();
        for cons in ALL {
            let single = solver.solve(&g, &c, 4, cons, None).unwrap().to_vec();
            let pair = solver.solve(&gd, &cd, 5, cons, None).unwrap().to_vec();
            assert!((pair[0] + pair[4] - single[0]).abs() < 1e-6, "{cons:?}");
            for k in 1..4 {
                assert!((pair[k] - single[k]).abs() < 1e-6, "{cons:?}");
            }
        }
    }
}
