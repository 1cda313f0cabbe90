//! Hand kernels of `peergroup_numeric::linalg` against faer, at the sizes peergroup uses.
//!
//! * Cholesky factor + one solve (`cholesky` + `cholesky_solve`): style analysis factors a
//!   factors × factors Gram matrix per window (3 to 40 factors, 13 in the bench universe),
//!   Gaussian mixtures a d × d covariance per component and E-step (d ≤ 8).
//! * Symmetric eigen-decomposition (`symmetric_eigen`, cyclic Jacobi): PCA of the d × d
//!   feature covariance (8 and 13 features in the demo, up to about 100 documented) and
//!   the (d + 5) × (d + 5) Rayleigh–Ritz block of classical MDS (9 for its 4 dimensions;
//!   MDS never decomposes the n × n matrix).
//!
//! faer runs sequentially (`Par::Seq`), as peergroup's callers already run one problem
//! per thread, in two forms: its matrix API (`Mat::llt`, `Mat::self_adjoint_eigen`,
//! which allocate per call), and its in-place kernels with workspace allocated once
//! outside the timed loop (the fairest comparison with the hand kernels, which also
//! reuse buffers). Each figure is the best of 15 runs over a batch of 64 different
//! matrices, the three variants taking turns run by run so that they share the load of a
//! busy machine. `ratio` is faer's best time over the hand time: above 1 the hand kernel is
//! faster.
//!
//! ```sh
//! cargo run --release --manifest-path bench/linalg/Cargo.toml          # full table
//! cargo run --release --manifest-path bench/linalg/Cargo.toml -- 0.01  # 10 ms per run
//! ```

use std::hint::black_box;
use std::time::Instant;

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::solvers::Solve;
use faer::{Mat, Par, Side};
use peergroup_numeric::linalg::{cholesky, cholesky_solve, symmetric_eigen};

/// Matrices per batch: enough that one matrix is not always in L1.
const BATCH: usize = 64;
/// Timed runs per figure; the best is kept (the machine is shared, so noise only adds).
const ROUNDS: usize = 15;

/// Cholesky sizes: style factor counts and GMM feature counts.
const CHOL_SIZES: [usize; 8] = [2, 3, 5, 8, 13, 20, 30, 40];
/// Eigen sizes: GMM-sized, MDS block (9), PCA feature counts.
const EIGEN_SIZES: [usize; 8] = [2, 4, 8, 9, 13, 20, 40, 100];

/// SplitMix64 uniform in (-1, 1): the bench needs no other randomness.
struct Uniform(u64);

impl Uniform {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// A covariance-like SPD `n × n` matrix (row-major): `XᵀX/T` of `T = max(3n, 60)`
/// observations with a common factor, so the columns correlate as factor returns do.
fn covariance(n: usize, rng: &mut Uniform) -> Vec<f64> {
    let t = (3 * n).max(60);
    let loading: Vec<f64> = (0..n).map(|_| 0.5 + 0.5 * rng.next().abs()).collect();
    let mut x = vec![0.0; t * n];
    for r in 0..t {
        let common = rng.next();
        for c in 0..n {
            x[r * n + c] = loading[c] * common + 0.4 * rng.next();
        }
    }
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..t).map(|r| x[r * n + i] * x[r * n + j]).sum::<f64>() / t as f64;
            a[i * n + j] = s;
            a[j * n + i] = s;
        }
    }
    a
}

/// Nanoseconds per call of each variant over the batch. Each variant first gets a
/// repetition count that makes one run last at least `seconds`; then the variants run in
/// turn, [`ROUNDS`] times, and each keeps its best run. Taking turns makes all variants
/// sample the same stretches of a shared machine's load.
fn time_interleaved(seconds: f64, variants: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let reps: Vec<usize> = variants
        .iter_mut()
        .map(|f| {
            let mut reps = 1usize;
            loop {
                let start = Instant::now();
                for _ in 0..reps {
                    f();
                }
                if start.elapsed().as_secs_f64() >= seconds {
                    return reps;
                }
                reps *= 2;
            }
        })
        .collect();
    let mut best = vec![f64::INFINITY; variants.len()];
    for _ in 0..ROUNDS {
        for ((f, &reps), best) in variants.iter_mut().zip(&reps).zip(&mut best) {
            let start = Instant::now();
            for _ in 0..reps {
                f();
            }
            let per_call = start.elapsed().as_secs_f64() * 1e9 / (reps * BATCH) as f64;
            *best = best.min(per_call);
        }
    }
    best
}

fn to_mat(a: &[f64], n: usize) -> Mat<f64> {
    Mat::from_fn(n, n, |i, j| a[i * n + j])
}

/// One row of the table.
struct Row {
    kernel: &'static str,
    n: usize,
    hand: f64,
    faer_in_place: f64,
    faer_api: f64,
    max_diff: f64,
}

fn bench_cholesky(n: usize, seconds: f64) -> Row {
    let mut rng = Uniform(0x5EED ^ n as u64);
    let mats: Vec<Vec<f64>> = (0..BATCH).map(|_| covariance(n, &mut rng)).collect();
    let rhs: Vec<Vec<f64>> = (0..BATCH)
        .map(|_| (0..n).map(|_| rng.next()).collect())
        .collect();

    // Hand: factor into a reused buffer, solve in place.
    let mut l = vec![0.0; n * n];
    let mut x = vec![0.0; n];
    let mut hand = || {
        for (a, b) in mats.iter().zip(&rhs) {
            assert!(cholesky(black_box(a), n, &mut l));
            x.copy_from_slice(b);
            cholesky_solve(&l, n, &mut x);
            black_box(&x);
        }
    };

    // faer in place: workspace and matrices allocated once.
    let par = Par::Seq;
    let mut fl = Mat::<f64>::zeros(n, n);
    let mut fx = Mat::<f64>::zeros(n, 1);
    let req = faer::linalg::cholesky::llt::factor::cholesky_in_place_scratch::<f64>(
        n,
        par,
        Default::default(),
    )
    .or(faer::linalg::cholesky::llt::solve::solve_in_place_scratch::<f64>(n, 1, par));
    let mut mem = MemBuffer::new(req);
    let mut faer_in_place = || {
        for (a, b) in mats.iter().zip(&rhs) {
            let a = black_box(a);
            for i in 0..n {
                for j in 0..=i {
                    fl[(i, j)] = a[i * n + j];
                }
            }
            let stack = MemStack::new(&mut mem);
            faer::linalg::cholesky::llt::factor::cholesky_in_place(
                fl.as_mut(),
                Default::default(),
                par,
                stack,
                Default::default(),
            )
            .expect("SPD");
            for i in 0..n {
                fx[(i, 0)] = b[i];
            }
            let stack = MemStack::new(&mut mem);
            faer::linalg::cholesky::llt::solve::solve_in_place(
                fl.as_ref(),
                fx.as_mut(),
                par,
                stack,
            );
            black_box(&fx);
        }
    };

    // faer's matrix API, as a caller would write it first.
    let mut faer_api = || {
        for (a, b) in mats.iter().zip(&rhs) {
            let m = to_mat(black_box(a), n);
            let llt = m.llt(Side::Lower).expect("SPD");
            let mut sol = Mat::from_fn(n, 1, |i, _| b[i]);
            llt.solve_in_place(&mut sol);
            black_box(&sol);
        }
    };
    let t = time_interleaved(seconds, &mut [&mut hand, &mut faer_in_place, &mut faer_api]);
    let (hand, faer_in_place, faer_api) = (t[0], t[1], t[2]);

    // Same answers (to rounding)?
    let mut max_diff = 0.0f64;
    for (a, b) in mats.iter().zip(&rhs) {
        assert!(cholesky(a, n, &mut l));
        x.copy_from_slice(b);
        cholesky_solve(&l, n, &mut x);
        let llt = to_mat(a, n).llt(Side::Lower).expect("SPD");
        let mut sol = Mat::from_fn(n, 1, |i, _| b[i]);
        llt.solve_in_place(&mut sol);
        let scale = x.iter().fold(0.0f64, |s, v| s.max(v.abs()));
        for i in 0..n {
            max_diff = max_diff.max((x[i] - sol[(i, 0)]).abs() / scale);
        }
    }
    Row {
        kernel: "cholesky+solve",
        n,
        hand,
        faer_in_place,
        faer_api,
        max_diff,
    }
}

fn bench_eigen(n: usize, seconds: f64) -> Row {
    let mut rng = Uniform(0xE16E ^ n as u64);
    let mats: Vec<Vec<f64>> = (0..BATCH).map(|_| covariance(n, &mut rng)).collect();

    let mut hand = || {
        for a in &mats {
            black_box(symmetric_eigen(black_box(a), n));
        }
    };

    let par = Par::Seq;
    let mut fa = Mat::<f64>::zeros(n, n);
    let mut s = Diag::<f64>::zeros(n);
    let mut u = Mat::<f64>::zeros(n, n);
    let mut mem = MemBuffer::new(faer::linalg::evd::self_adjoint_evd_scratch::<f64>(
        n,
        faer::linalg::evd::ComputeEigenvectors::Yes,
        par,
        Default::default(),
    ));
    let mut faer_in_place = || {
        for a in &mats {
            let a = black_box(a);
            for i in 0..n {
                for j in 0..n {
                    fa[(i, j)] = a[i * n + j];
                }
            }
            faer::linalg::evd::self_adjoint_evd(
                fa.as_ref(),
                s.as_mut(),
                Some(u.as_mut()),
                par,
                MemStack::new(&mut mem),
                Default::default(),
            )
            .expect("converges");
            black_box((&s, &u));
        }
    };

    let mut faer_api = || {
        for a in &mats {
            let m = to_mat(black_box(a), n);
            black_box(m.self_adjoint_eigen(Side::Lower).expect("converges"));
        }
    };
    let t = time_interleaved(seconds, &mut [&mut hand, &mut faer_in_place, &mut faer_api]);
    let (hand, faer_in_place, faer_api) = (t[0], t[1], t[2]);

    // Eigenvalues agree (faer ascending, hand descending)?
    let mut max_diff = 0.0f64;
    for a in &mats {
        let (values, _) = symmetric_eigen(a, n);
        let e = to_mat(a, n)
            .self_adjoint_eigen(Side::Lower)
            .expect("converges");
        let faer_values = e.S().column_vector();
        for i in 0..n {
            let d = (values[i] - faer_values[n - 1 - i]).abs() / values[0].abs();
            max_diff = max_diff.max(d);
        }
    }
    Row {
        kernel: "symmetric eigen",
        n,
        hand,
        faer_in_place,
        faer_api,
        max_diff,
    }
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("seconds per timed run, e.g. 0.03"))
        .unwrap_or(0.03);
    println!(
        "| kernel | n | hand ns | faer in place ns | faer Mat API ns | ratio (faer best / hand) | max rel. diff |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let rows = CHOL_SIZES
        .iter()
        .map(|&n| bench_cholesky(n, seconds))
        .chain(EIGEN_SIZES.iter().map(|&n| bench_eigen(n, seconds)));
    for r in rows {
        let best_faer = r.faer_in_place.min(r.faer_api);
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.0} | {:.2} | {:.0e} |",
            r.kernel,
            r.n,
            r.hand,
            r.faer_in_place,
            r.faer_api,
            best_faer / r.hand,
            r.max_diff
        );
    }
}
