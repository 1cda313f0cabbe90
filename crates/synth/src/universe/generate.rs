//! The generator: factor returns, fund membership and categories, and each fund's
//! exposures (with drift and style switches) and returns.

use peergroup_random::Rng;
use rayon::prelude::*;

use super::calendar::schedule;
use super::factors::{catalogue, FactorSpec, N_COMPONENTS};
use super::groups::{normalise, plan_groups};
use super::{FactorAttributes, StyleSwitch, Universe, UniverseConfig};

/// Systematic variance `β'Σβ` over the nonzero entries of `beta`.
fn systematic_variance(beta: &[f64], cov: &[f64]) -> f64 {
    let k_count = beta.len();
    let mut v = 0.0;
    for (k, &bk) in beta.iter().enumerate() {
        if bk == 0.0 {
            continue;
        }
        for (l, &bl) in beta.iter().enumerate() {
            if bl != 0.0 {
                v += bk * bl * cov[k * k_count + l];
            }
        }
    }
    v
}

/// Σ β_k f_k,t over the nonzero entries (same order for every caller, so exact).
fn mix(beta: &[f64], factor_returns: &[f64], periods: usize, t: usize) -> f64 {
    let mut s = 0.0;
    for (k, &b) in beta.iter().enumerate() {
        if b != 0.0 {
            s += b * factor_returns[k * periods + t];
        }
    }
    s
}

const FLOOR: f64 = -0.95;
const TILT_SD: f64 = 0.2;
const SWITCH_SHARE: f64 = 0.3;

/// Generate a universe. Same config → identical output.
///
/// # Panics
/// If `cfg.validate()` fails.
pub fn universe(cfg: &UniverseConfig) -> Universe {
    if let Err(e) = cfg.validate() {
        panic!("invalid universe config: {e}");
    }
    let (n_funds, k_count, periods, g_count) = (cfg.funds, cfg.factors, cfg.periods, cfg.groups);
    let ppy = cfg.frequency.periods_per_year();
    let dates = schedule(cfg.frequency, cfg.start, periods);

    // Factors.
    let specs: Vec<FactorSpec> = catalogue().into_iter().take(k_count).collect();
    let sd: Vec<f64> = specs.iter().map(|s| s.vol / ppy.sqrt()).collect();
    let mu: Vec<f64> = specs.iter().map(|s| s.drift / ppy).collect();
    let own: Vec<f64> = specs.iter().map(FactorSpec::own).collect();
    let mut dense = vec![0.0; k_count * N_COMPONENTS];
    for (k, s) in specs.iter().enumerate() {
        for &(c, l) in &s.loads {
            dense[k * N_COMPONENTS + c] = l;
        }
    }
    let mut cov = vec![0.0; k_count * k_count];
    for k in 0..k_count {
        for l in 0..k_count {
            let mut c: f64 = (0..N_COMPONENTS)
                .map(|c| dense[k * N_COMPONENTS + c] * dense[l * N_COMPONENTS + c])
                .sum();
            if k == l {
                c += own[k] * own[k];
            }
            cov[k * k_count + l] = sd[k] * sd[l] * c;
        }
    }
    let mut rng = Rng::stream(cfg.seed, 0);
    let mut factor_returns = vec![0.0; k_count * periods];
    let mut z = [0.0; N_COMPONENTS];
    for t in 0..periods {
        for zc in z.iter_mut() {
            *zc = rng.normal();
        }
        for k in 0..k_count {
            let common: f64 = specs[k].loads.iter().map(|&(c, l)| l * z[c]).sum();
            let shock = common + own[k] * rng.normal();
            factor_returns[k * periods + t] = (mu[k] + sd[k] * shock).max(FLOOR);
        }
    }
    let factor_names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    let factor_attributes: Vec<FactorAttributes> = specs
        .iter()
        .map(|s| FactorAttributes {
            asset_class: s.class.to_string(),
            sector: s.sector.to_string(),
            region: s.region.to_string(),
        })
        .collect();

    // Groups.
    let mut group_rng = Rng::stream(cfg.seed, 1);
    let plan = plan_groups(g_count, &factor_attributes, &mut group_rng);
    let protos = &plan.prototypes;

    // Membership: every group once, the rest by uneven group sizes; then shuffled.
    let mut assign_rng = Rng::stream(cfg.seed, 2);
    let sizes: Vec<f64> = (0..g_count)
        .map(|_| assign_rng.lognormal(0.0, 0.5))
        .collect();
    let mut true_group: Vec<usize> = (0..g_count).collect();
    while true_group.len() < n_funds {
        true_group.push(assign_rng.weighted_index(&sizes));
    }
    assign_rng.shuffle(&mut true_group);

    // Vendor categories: wrong with probability category_noise, then half the time the
    // most similar other group (vendors confuse neighbours), else any other group.
    let nearest_other: Vec<usize> = (0..g_count)
        .map(|g| {
            let row = |h: usize| &protos[h * k_count..(h + 1) * k_count];
            (0..g_count)
                .filter(|&h| h != g)
                .min_by(|&a, &b| {
                    let da: f64 = row(a).iter().zip(row(g)).map(|(x, y)| (x - y).abs()).sum();
                    let db: f64 = row(b).iter().zip(row(g)).map(|(x, y)| (x - y).abs()).sum();
                    da.total_cmp(&db)
                })
                .unwrap_or(g)
        })
        .collect();
    let category: Vec<String> = true_group
        .iter()
        .map(|&g| {
            let wrong = g_count >= 2 && assign_rng.bernoulli(cfg.category_noise);
            let shown = if !wrong {
                g
            } else if assign_rng.bernoulli(0.5) {
                nearest_other[g]
            } else {
                let h = assign_rng.below(g_count as u64 - 1) as usize;
                if h >= g {
                    h + 1
                } else {
                    h
                }
            };
            plan.labels[shown].clone()
        })
        .collect();

    // Funds, each on its own stream.
    let width = n_funds.to_string().len().max(4);
    let fund_names: Vec<String> = (1..=n_funds).map(|i| format!("FUND{i:0width$}")).collect();
    let phi = 0.5f64.powf(1.0 / ppy);
    let innovation = TILT_SD * (1.0 - phi * phi).sqrt();
    let mut fund_returns = vec![0.0; n_funds * periods];
    let mut true_betas = vec![0.0; n_funds * periods * k_count];
    let per_fund: Vec<(f64, Option<StyleSwitch>)> = fund_returns
        .par_chunks_mut(periods)
        .zip(true_betas.par_chunks_mut(periods * k_count))
        .enumerate()
        .map(|(i, (returns, betas))| {
            let mut r = Rng::stream(cfg.seed, 1_000_000 + i as u64);
            let g = true_group[i];
            let (lo, hi) = cfg.r2;
            let r2 = if lo == hi {
                lo
            } else {
                r.uniform_range(lo, hi)
            };
            let noise_ratio = (1.0 - r2) / r2;
            let mut tilt: Vec<f64> = (0..k_count).map(|_| TILT_SD * r.normal()).collect();
            let own_proto = &protos[g * k_count..(g + 1) * k_count];
            let switch = if cfg.dynamic && g_count >= 2 && r.bernoulli(SWITCH_SHARE) {
                let h = r.below(g_count as u64 - 1) as usize;
                let to_group = if h >= g { h + 1 } else { h };
                let len = ((periods as f64 * 0.1).round() as usize).max(1);
                let margin = periods / 10;
                let (lo_t, hi_t) = if periods >= len + 2 * margin {
                    (margin, periods - len - margin)
                } else {
                    (0, periods - len)
                };
                let start = lo_t + r.below((hi_t - lo_t + 1) as u64) as usize;
                Some(StyleSwitch {
                    to_group,
                    start,
                    end: start + len - 1,
                })
            } else {
                None
            };
            let mut base = own_proto.to_vec();
            let mut beta = vec![0.0; k_count];
            let mut sigma = 0.0;
            for t in 0..periods {
                if t == 0 || cfg.dynamic {
                    if t > 0 {
                        for d in tilt.iter_mut() {
                            *d = phi * *d + innovation * r.normal();
                        }
                    }
                    if let Some(s) = switch {
                        if t >= s.start {
                            let done = (t - s.start + 1) as f64 / (s.end - s.start + 1) as f64;
                            let lambda = done.min(1.0);
                            let target = &protos[s.to_group * k_count..(s.to_group + 1) * k_count];
                            for ((b, &own), &tg) in base.iter_mut().zip(own_proto).zip(target) {
                                *b = (1.0 - lambda) * own + lambda * tg;
                            }
                        }
                    }
                    // Tilt multiplicatively on the support, then renormalise.
                    for ((b, &p), &d) in beta.iter_mut().zip(&base).zip(&tilt) {
                        *b = if p > 0.0 { p * d.exp() } else { 0.0 };
                    }
                    normalise(&mut beta);
                    sigma = (systematic_variance(&beta, &cov) * noise_ratio).sqrt();
                }
                let mut x = mix(&beta, &factor_returns, periods, t);
                if noise_ratio > 0.0 {
                    x += sigma * r.normal();
                }
                returns[t] = x.max(FLOOR);
                betas[t * k_count..(t + 1) * k_count].copy_from_slice(&beta);
            }
            (r2, switch)
        })
        .collect();
    let target_r2: Vec<f64> = per_fund.iter().map(|p| p.0).collect();
    let switches: Vec<Option<StyleSwitch>> = per_fund.iter().map(|p| p.1).collect();

    Universe {
        frequency: cfg.frequency,
        dates,
        factor_names,
        factor_attributes,
        factor_returns,
        factor_covariance: cov,
        fund_names,
        fund_returns,
        true_group,
        group_labels: plan.labels,
        prototypes: plan.prototypes,
        category,
        true_betas,
        target_r2,
        lookalike_groups: plan.lookalike,
        switches,
    }
}
