//! A short persona name and campaign themes per investor segment, generated from its
//! profile by fixed rules (METHODS §6.10), so no segment text is written by hand.
//!
//! **Name** = who, what, how often, joined with ", ":
//!
//! * *who*: the segment's most common generation and occupation, each when at least
//!   [`DOMINANT`] of the members have it ("Gen Z Student"); the most common income band
//!   is added ("income < 10M") when it is dominant and its lift over the population is at
//!   least [`LIFT`]; "Mixed profile" when none qualifies;
//! * *what*: the fund type holding at least [`ONE_TYPE`] of the segment's mean AUM
//!   ("money-market"), else "diversified" when three or more types each hold at least
//!   [`TYPE_PRESENT`], else the two largest ("bond and mixed"); "no balance" without AUM;
//! * *how often*: transactions per user and month against the population's: "inactive"
//!   below [`INACTIVE_PER_MONTH`], "frequent" at ≥ [`HIGH`] × the population's, "rare" at
//!   ≤ [`LOW`] ×, else "regular".
//!
//! **Themes**, in this order, at most [`MAX_THEMES`]:
//!
//! 1. inactive → *reactivation* (a first-transaction bonus);
//! 2. referral use (the level `used`, `yes` or `true` of column `referral`) below
//!    [`LOW`] × the population's → *referral promo*;
//! 3. mean AUM ≥ [`HIGH`] × the population's and transactions ≤ the population's →
//!    *long-term benefits*;
//! 4. transactions ≥ [`HIGH`] × the population's and mean ticket (monthly buy ÷ monthly
//!    transactions) ≤ [`LOW`] × the population's → *points / cashback*;
//! 5. mean ticket ≥ 2 × [`HIGH`] × the population's → *cashback on large transactions*;
//! 6. one fund type holding at least [`ONE_TYPE`] of the AUM → *diversify* (name the
//!    other types);
//! 7. nothing else applies → *loyalty* (milestone messages and related products).

use super::FundType;
use crate::profile::{Profiles, SegmentProfile};

/// Share of members at which a generation, occupation or income band describes a segment.
pub const DOMINANT: f64 = 0.5;
/// Lift (segment share ÷ population share) an income band needs to be named.
pub const LIFT: f64 = 1.25;
/// Share of the segment's mean AUM at which one fund type dominates.
pub const ONE_TYPE: f64 = 0.6;
/// Share of AUM at which a fund type counts as held, for "diversified".
pub const TYPE_PRESENT: f64 = 0.15;
/// Transactions per user and month below which a segment is inactive.
pub const INACTIVE_PER_MONTH: f64 = 0.1;
/// Ratio to the population at or above which a measure is high.
pub const HIGH: f64 = 1.5;
/// Ratio to the population at or below which a measure is low.
pub const LOW: f64 = 0.5;
/// Most themes kept per segment.
pub const MAX_THEMES: usize = 2;

/// Persona name and campaign themes of one segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Persona {
    /// Segment label.
    pub segment: usize,
    /// Short name, e.g. "Gen Z Student, money-market, frequent".
    pub name: String,
    /// Campaign themes, strongest rule first.
    pub themes: Vec<String>,
}

/// What the rules read from a profile: per-user means, currency units and counts.
struct Reading {
    aum: [f64; 4],
    tx_per_month: f64,
    ticket: f64,
    referral: Option<f64>,
}

/// The persona of every segment of `p`, profiled on the investor measures
/// (`aum_*`, `buy_*`, `transactions_*` per fund type, [`crate::investors::Measure`]) and
/// categoricals `generation`, `occupation`, `income_band`, `referral`, over a balance
/// table spanning `months` calendar months. Missing columns make their rules silent.
pub fn personas(p: &Profiles, months: usize) -> Vec<Persona> {
    let months = months.max(1) as f64;
    let read = |means: &[f64], shares: &[Vec<f64>]| -> Reading {
        let col = |name: String| p.numeric.iter().position(|s| s.name == name);
        let sum = |m: &str| {
            FundType::ALL
                .iter()
                .filter_map(|t| col(format!("{m}_{}", t.name())).map(|j| means[j]))
                .sum::<f64>()
        };
        let mut aum = [0.0; 4];
        for (a, t) in aum.iter_mut().zip(FundType::ALL) {
            *a = col(format!("aum_{}", t.name())).map_or(0.0, |j| means[j]);
        }
        let tx_per_month = sum("transactions") / months;
        let buy = sum("buy");
        Reading {
            aum,
            tx_per_month,
            ticket: if tx_per_month > 0.0 {
                buy / tx_per_month
            } else {
                0.0
            },
            referral: referral_use(p, shares),
        }
    };
    let pop = read(&p.population_means, &p.population_shares);
    p.segments
        .iter()
        .map(|s| {
            let r = read(&s.means, &s.level_shares);
            Persona {
                segment: s.segment,
                name: name(p, s, &r, &pop),
                themes: themes(&r, &pop),
            }
        })
        .collect()
}

/// Share of the `referral` column's "used" level, when there is one.
fn referral_use(p: &Profiles, shares: &[Vec<f64>]) -> Option<f64> {
    let j = p.categorical.iter().position(|c| c.name == "referral")?;
    let l = p.categorical[j]
        .levels
        .iter()
        .position(|l| matches!(l.to_lowercase().as_str(), "used" | "yes" | "true"))?;
    Some(shares[j][l])
}

/// Most common level of column `name` in segment `s` with its share and lift.
fn top_level<'a>(p: &'a Profiles, s: &SegmentProfile, name: &str) -> Option<(&'a str, f64, f64)> {
    let j = p.categorical.iter().position(|c| c.name == name)?;
    let shares = &s.level_shares[j];
    let l = (0..shares.len()).fold(None::<usize>, |best, l| match best {
        Some(b) if shares[b] >= shares[l] => Some(b),
        _ => Some(l),
    })?;
    let pop = p.population_shares[j][l];
    let lift = if pop > 0.0 {
        shares[l] / pop
    } else {
        f64::INFINITY
    };
    Some((p.categorical[j].levels[l].as_str(), shares[l], lift))
}

/// Fund types by share of the AUM, largest first (ties in [`FundType::ALL`] order).
fn mix(aum: &[f64; 4]) -> Vec<(FundType, f64)> {
    let total: f64 = aum.iter().sum();
    let mut v: Vec<(FundType, f64)> = FundType::ALL
        .iter()
        .map(|&t| {
            (
                t,
                if total > 0.0 {
                    aum[t.index()] / total
                } else {
                    0.0
                },
            )
        })
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

fn name(p: &Profiles, s: &SegmentProfile, r: &Reading, pop: &Reading) -> String {
    let mut who = Vec::new();
    for col in ["generation", "occupation"] {
        if let Some((level, share, _)) = top_level(p, s, col) {
            if share >= DOMINANT {
                who.push(level.to_string());
            }
        }
    }
    let mut parts = Vec::new();
    parts.push(if who.is_empty() {
        "Mixed profile".to_string()
    } else {
        who.join(" ")
    });
    if let Some((level, share, lift)) = top_level(p, s, "income_band") {
        if share >= DOMINANT && lift >= LIFT {
            parts.push(format!("income {level}"));
        }
    }
    let m = mix(&r.aum);
    parts.push(if r.aum.iter().sum::<f64>() <= 0.0 {
        "no balance".to_string()
    } else if m[0].1 >= ONE_TYPE {
        m[0].0.words().to_string()
    } else if m.iter().filter(|x| x.1 >= TYPE_PRESENT).count() >= 3 {
        "diversified".to_string()
    } else {
        format!("{} and {}", m[0].0.words(), m[1].0.words())
    });
    parts.push(activity(r, pop).to_string());
    parts.join(", ")
}

/// "inactive", "frequent", "rare" or "regular" (module documentation).
fn activity(r: &Reading, pop: &Reading) -> &'static str {
    if r.tx_per_month < INACTIVE_PER_MONTH {
        "inactive"
    } else if r.tx_per_month >= HIGH * pop.tx_per_month {
        "frequent"
    } else if r.tx_per_month <= LOW * pop.tx_per_month {
        "rare"
    } else {
        "regular"
    }
}

fn themes(r: &Reading, pop: &Reading) -> Vec<String> {
    let mut t = Vec::new();
    let total = |x: &Reading| x.aum.iter().sum::<f64>();
    if r.tx_per_month < INACTIVE_PER_MONTH {
        t.push("Reactivation: a bonus on the first transaction back".to_string());
    }
    if let (Some(seg), Some(all)) = (r.referral, pop.referral) {
        if seg <= LOW * all {
            t.push("Referral promo: reward inviting friends with a referral code".into());
        }
    }
    if total(r) >= HIGH * total(pop) && r.tx_per_month <= pop.tx_per_month {
        t.push("Long-term benefits: rewards for staying invested".into());
    }
    if r.tx_per_month >= HIGH * pop.tx_per_month && r.ticket <= LOW * pop.ticket {
        t.push("Points and cashback on every transaction".into());
    }
    if r.ticket >= 2.0 * HIGH * pop.ticket {
        t.push("Cashback on large transactions".into());
    }
    let m = mix(&r.aum);
    if total(r) > 0.0 && m[0].1 >= ONE_TYPE {
        let others: Vec<&str> = m[1..].iter().map(|x| x.0.words()).collect();
        t.push(format!(
            "Diversify: promos on {} funds beside {}",
            others.join(", "),
            m[0].0.words()
        ));
    }
    if t.is_empty() {
        t.push("Loyalty: milestone messages and related products".into());
    }
    t.truncate(MAX_THEMES);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{CategoricalSpec, Magnitude, NumericSpec};

    /// A profile over the measures AUM, buy and transactions per fund type, with
    /// generation, occupation, income band and referral; `segs` gives each segment's
    /// (size share, AUM per type, monthly buy total, transactions total, level shares).
    /// (size share, AUM per type, monthly buy total, transactions total, level shares).
    type Seg = (f64, [f64; 4], f64, f64, [[f64; 2]; 4]);

    fn profiles(segs: &[Seg]) -> Profiles {
        let mut numeric = Vec::new();
        for m in ["aum", "buy", "transactions"] {
            for t in FundType::ALL {
                numeric.push(NumericSpec::new(
                    format!("{m}_{}", t.name()),
                    "x",
                    Magnitude::Level,
                ));
            }
        }
        let categorical = vec![
            CategoricalSpec::new(
                "generation",
                vec!["Gen Z".into(), "Millennial".into()],
                "{}",
            ),
            CategoricalSpec::new(
                "occupation",
                vec!["Student".into(), "Employee".into()],
                "{}",
            ),
            CategoricalSpec::new("income_band", vec!["< 10M".into(), "10-50M".into()], "{}"),
            CategoricalSpec::new("referral", vec!["not used".into(), "used".into()], "{}"),
        ];
        let means = |aum: &[f64; 4], buy: f64, tx: f64| {
            let mut v = aum.to_vec();
            v.extend([buy, 0.0, 0.0, 0.0, tx, 0.0, 0.0, 0.0]);
            v
        };
        let segments: Vec<SegmentProfile> = segs
            .iter()
            .enumerate()
            .map(|(i, (share, aum, buy, tx, levels))| SegmentProfile {
                segment: i,
                size: (share * 100.0) as usize,
                share: *share,
                level_shares: levels.iter().map(|l| l.to_vec()).collect(),
                means: means(aum, *buy, *tx),
                z: vec![0.0; 12],
                description: String::new(),
            })
            .collect();
        // Population = share-weighted segments.
        let mut population_means = vec![0.0; 12];
        let mut population_shares = vec![vec![0.0; 2]; 4];
        for s in &segments {
            for (p, m) in population_means.iter_mut().zip(&s.means) {
                *p += s.share * m;
            }
            for (p, l) in population_shares.iter_mut().zip(&s.level_shares) {
                for (a, b) in p.iter_mut().zip(l) {
                    *a += s.share * b;
                }
            }
        }
        Profiles {
            numeric,
            categorical,
            population_means,
            population_shares,
            segments,
        }
    }

    #[test]
    fn names_and_themes_follow_the_rules() {
        let p = profiles(&[
            // Gen Z students, money market only, many small buys, rarely referred.
            (
                0.5,
                [1e5, 0.0, 0.0, 0.0],
                2e5,
                12.0,
                [[0.9, 0.1], [0.8, 0.2], [0.9, 0.1], [0.9, 0.1]],
            ),
            // Millennial employees, bond and stock, rich and rarely trading.
            (
                0.3,
                [0.0, 5e7, 4e7, 0.0],
                1e6,
                0.5,
                [[0.1, 0.9], [0.2, 0.8], [0.1, 0.9], [0.5, 0.5]],
            ),
            // Mixed profile, no trades at all, balances in three types.
            (
                0.2,
                [1e5, 1e5, 1e5, 0.0],
                0.0,
                0.0,
                // (a third level, not listed, holds the other 10%)
                [[0.45, 0.45], [0.45, 0.45], [0.45, 0.45], [0.2, 0.8]],
            ),
        ]);
        let v = personas(&p, 1);
        // Population: 6.1 transactions a month, segment 0 at 12 ≥ 1.5 × 6.1: frequent;
        // ticket 2e5/12 ≈ 16,667 against the population's (1e5 + 3e5)/6.15 ≈ 65,000.
        assert_eq!(
            v[0].name,
            "Gen Z Student, income < 10M, money-market, frequent"
        );
        assert_eq!(
            v[0].themes,
            [
                "Referral promo: reward inviting friends with a referral code",
                "Points and cashback on every transaction"
            ]
        );
        // Income 10-50M: 0.9 of members but lift 0.9/0.52 ≥ 1.25: named. Bond holds 5/9
        // of the AUM: no single type, two named; 0.5 trades a month ≤ 0.5 × 6.15: rare.
        assert_eq!(
            v[1].name,
            "Millennial Employee, income 10-50M, bond and stock, rare"
        );
        assert_eq!(
            v[1].themes,
            [
                "Long-term benefits: rewards for staying invested",
                "Cashback on large transactions"
            ]
        );
        // No level reaches 0.5: a mixed profile; three types hold ≥ 0.15 each.
        assert_eq!(v[2].name, "Mixed profile, diversified, inactive");
        assert_eq!(
            v[2].themes,
            ["Reactivation: a bonus on the first transaction back"]
        );
    }

    #[test]
    fn a_segment_like_everyone_gets_loyalty() {
        let same = [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]];
        let p = profiles(&[
            (0.5, [1e6, 1e6, 1e6, 1e6], 1e5, 3.0, same),
            (0.5, [1e6, 1e6, 1e6, 1e6], 1e5, 3.0, same),
        ]);
        let v = personas(&p, 1);
        assert_eq!(v[0].name, "Gen Z Student, diversified, regular");
        assert_eq!(
            v[0].themes,
            ["Loyalty: milestone messages and related products"]
        );
    }
}
