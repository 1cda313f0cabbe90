//! Simulation of AT-GARCH(1,1) returns with known parameters, for tests and `synth garch`.

use peergroup_random::Rng;

use crate::model::{quantile, AtGarch};

/// `n` returns from the AT-GARCH model with Gaussian innovations and turmoil threshold
/// `threshold` on the residuals (return units), after discarding `burn_in` draws started at
/// the unconditional variance.
pub fn simulate(
    params: &AtGarch,
    threshold: f64,
    n: usize,
    burn_in: usize,
    rng: &mut Rng,
) -> Vec<f64> {
    let AtGarch {
        mu,
        gamma,
        alpha,
        beta,
        delta,
    } = *params;
    // E[S ε²]/E[ε²] is about 0.33 for a Gaussian first decile; only the start depends on it.
    let persistence = (alpha + beta + 0.33 * delta).min(0.999);
    let mut h = gamma / (1.0 - persistence);
    let mut out = Vec::with_capacity(n);
    for t in 0..burn_in + n {
        let e = h.sqrt() * rng.normal();
        if t >= burn_in {
            out.push(mu + e);
        }
        let s = if e < threshold { 1.0 } else { 0.0 };
        h = gamma + (alpha + delta * s) * e * e + beta * h;
    }
    out
}

/// The turmoil threshold ε* that is the `q`-quantile of the model's own stationary
/// residuals: a fixed point found on pilot paths of `draws` draws (three rounds; 200,000
/// draws give about three significant digits).
pub fn stationary_threshold(params: &AtGarch, q: f64, draws: usize, seed: u64) -> f64 {
    let no_turmoil = AtGarch {
        delta: 0.0,
        ..*params
    };
    let mut rng = Rng::stream(seed, 0);
    let pilot = simulate(&no_turmoil, f64::NEG_INFINITY, draws, 1_000, &mut rng);
    let mut threshold = quantile(&pilot, q) - params.mu;
    for round in 1..=3 {
        let mut rng = Rng::stream(seed, round);
        let path = simulate(params, threshold, draws, 1_000, &mut rng);
        threshold = quantile(&path, q) - params.mu;
    }
    threshold
}
