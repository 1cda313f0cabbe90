//! Group prototypes: sparse style exposures, look-alike pairs and category labels.

use peergroup_random::Rng;

use super::factors::{COMMODITY, EQUITY, FIXED_INCOME};
use super::FactorAttributes;

/// Weight of each distinct value of `key` over the support, largest first.
fn weights_by<'a>(
    proto: &[f64],
    attrs: &'a [FactorAttributes],
    class: Option<&str>,
    key: impl Fn(&'a FactorAttributes) -> &'a str,
) -> Vec<(&'a str, f64)> {
    let mut out: Vec<(&'a str, f64)> = Vec::new();
    for (k, &w) in proto.iter().enumerate() {
        if w == 0.0 || class.is_some_and(|c| attrs[k].asset_class != c) {
            continue;
        }
        let v = key(&attrs[k]);
        match out.iter_mut().find(|(name, _)| *name == v) {
            Some(e) => e.1 += w,
            None => out.push((v, w)),
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

/// A vendor-style category name from the prototype's weights: region and sector are
/// named when they hold at least 60% of the (asset-class) weight, as vendors classify
/// by majority holdings.
fn group_label(proto: &[f64], attrs: &[FactorAttributes]) -> String {
    const MAJORITY: f64 = 0.6;
    let classes = weights_by(proto, attrs, None, |a| a.asset_class.as_str());
    let class_w = |c: &str| classes.iter().find(|x| x.0 == c).map_or(0.0, |x| x.1);
    let (eq, fi, cm) = (class_w(EQUITY), class_w(FIXED_INCOME), class_w(COMMODITY));
    let regions = weights_by(proto, attrs, None, |a| a.region.as_str());
    let region = if regions[0].1 >= MAJORITY - 1e-12 {
        regions[0].0
    } else {
        "Global"
    };
    // Sector naming within one asset class.
    let sector = |class: &str| -> (Option<String>, Vec<&str>) {
        let s = weights_by(proto, attrs, Some(class), |a| a.sector.as_str());
        let total: f64 = s.iter().map(|x| x.1).sum();
        let top = (s[0].1 >= MAJORITY * total - 1e-12).then(|| s[0].0.to_string());
        (top, s.iter().map(|x| x.0).collect())
    };
    if classes.len() == 1 {
        match classes[0].0 {
            EQUITY => {
                let style = match sector(EQUITY) {
                    (Some(top), _) if top == "Broad" => "Large Cap".to_string(),
                    (Some(top), _) => top,
                    (None, all) if all.iter().all(|x| *x == "Broad" || *x == "Small Cap") => {
                        "Multi Cap".into()
                    }
                    (None, all) => {
                        let named: Vec<&str> = all.into_iter().filter(|x| *x != "Broad").collect();
                        if named.len() == 1 {
                            format!("{} Tilted", named[0])
                        } else {
                            format!("{} & {}", named[0], named[1])
                        }
                    }
                };
                format!("{region} {style} Equity")
            }
            FIXED_INCOME => {
                let style = sector(FIXED_INCOME).0.unwrap_or("Diversified".into());
                format!("{region} {style} Bond")
            }
            COMMODITY => match sector(COMMODITY).0 {
                Some(top) => format!("Commodities {top}"),
                None => "Commodities Broad Basket".into(),
            },
            _ => format!("{region} Money Market"),
        }
    } else if eq > 0.0 && fi > 0.0 {
        let kind = if eq >= 0.6 {
            "Aggressive"
        } else if eq >= 0.4 {
            "Moderate"
        } else {
            "Cautious"
        };
        format!("{region} {kind} Allocation")
    } else if eq > 0.0 {
        format!("{region} Flexible Allocation")
    } else if fi > 0.0 && cm > 0.0 {
        format!("{region} Real Return")
    } else if fi > 0.0 {
        format!("{region} Ultrashort Bond")
    } else {
        "Real Assets".into()
    }
}

/// Normalise `v` to sum 1 (all entries are non-negative, not all zero).
pub(super) fn normalise(v: &mut [f64]) {
    let s: f64 = v.iter().sum();
    for x in v.iter_mut() {
        *x /= s;
    }
}

/// Chance that a secondary factor shares the dominant factor's asset class.
const SAME_CLASS_SHARE: f64 = 0.75;

pub(super) struct GroupPlan {
    pub(super) prototypes: Vec<f64>,
    pub(super) labels: Vec<String>,
    pub(super) lookalike: Option<(usize, usize)>,
}

pub(super) fn plan_groups(g_count: usize, attrs: &[FactorAttributes], rng: &mut Rng) -> GroupPlan {
    let k_count = attrs.len();
    let mut protos = vec![0.0; g_count * k_count];
    let mut used = vec![false; k_count];
    let mut first_free = 0;

    // Look-alike pair: equity sector factors of one region, disjoint sectors.
    let mut lookalike = None;
    if g_count >= 2 {
        let mut best: Vec<usize> = Vec::new();
        for region in ["US", "Europe", "Japan", "Emerging Markets", "UK"] {
            let cands: Vec<usize> = (0..k_count)
                .filter(|&k| {
                    let a = &attrs[k];
                    a.asset_class == EQUITY
                        && a.region == region
                        && a.sector != "Broad"
                        && a.sector != "Small Cap"
                })
                .collect();
            if cands.len() > best.len() {
                best = cands;
            }
        }
        if best.len() >= 4 {
            rng.shuffle(&mut best);
            let per = (best.len() / 2).min(3);
            for (g, chunk) in [&best[..per], &best[per..2 * per]].iter().enumerate() {
                let row = &mut protos[g * k_count..(g + 1) * k_count];
                for &k in chunk.iter() {
                    row[k] = rng.uniform_range(0.8, 1.2);
                    used[k] = true;
                }
                normalise(row);
            }
            lookalike = Some((0, 1));
            first_free = 2;
        }
    }

    // Dominant factors: unused ones in random order first, then cycle through all.
    let mut fresh: Vec<usize> = (0..k_count).filter(|&k| !used[k]).collect();
    rng.shuffle(&mut fresh);
    let mut dominants = fresh;
    while dominants.len() < g_count {
        let mut all: Vec<usize> = (0..k_count).collect();
        rng.shuffle(&mut all);
        dominants.extend(all);
    }
    for (g, &dom) in (first_free..g_count).zip(dominants.iter()) {
        let row = &mut protos[g * k_count..(g + 1) * k_count];
        let n_support = (2 + rng.below(3) as usize).min(k_count);
        let d = &attrs[dom];
        let mut support = vec![dom];
        while support.len() < n_support {
            // Mostly the dominant's asset class (sector peers first, then its region);
            // sometimes another class, preferably of the same region (allocation funds).
            let free = |k: usize| !support.contains(&k);
            let same_left = (0..k_count).any(|k| free(k) && attrs[k].asset_class == d.asset_class);
            let same_class = same_left && rng.bernoulli(SAME_CLASS_SHARE);
            let weights: Vec<f64> = (0..k_count)
                .map(|k| {
                    let a = &attrs[k];
                    if !free(k) || (a.asset_class == d.asset_class) != same_class {
                        0.0
                    } else if same_class && a.sector == d.sector {
                        3.0
                    } else if a.region == d.region {
                        2.0
                    } else {
                        1.0
                    }
                })
                .collect();
            support.push(rng.weighted_index(&weights));
        }
        let w_dom = rng.uniform_range(0.5, 0.8);
        let rest: Vec<f64> = (1..n_support)
            .map(|_| rng.uniform_range(0.3, 1.0))
            .collect();
        let rest_sum: f64 = rest.iter().sum();
        row[dom] = w_dom;
        for (j, &k) in support.iter().enumerate().skip(1) {
            row[k] = (1.0 - w_dom) * rest[j - 1] / rest_sum;
        }
        normalise(row);
    }

    // Unique labels.
    let mut labels: Vec<String> = Vec::with_capacity(g_count);
    for g in 0..g_count {
        let base = group_label(&protos[g * k_count..(g + 1) * k_count], attrs);
        let mut label = base.clone();
        let mut n = 2;
        while labels.contains(&label) {
            label = format!("{base} {}", roman(n));
            n += 1;
        }
        labels.push(label);
    }
    GroupPlan {
        prototypes: protos,
        labels,
        lookalike,
    }
}

fn roman(mut n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::universe::factors::catalogue;
    use crate::universe::MAX_FACTORS;

    #[test]
    fn labels_read_like_categories() {
        let attrs: Vec<FactorAttributes> = catalogue()
            .iter()
            .map(|s| FactorAttributes {
                asset_class: s.class.into(),
                sector: s.sector.into(),
                region: s.region.into(),
            })
            .collect();
        let names: Vec<String> = catalogue().into_iter().map(|s| s.name).collect();
        let proto = |pairs: &[(&str, f64)]| {
            let mut p = vec![0.0; MAX_FACTORS];
            for (n, w) in pairs {
                p[names.iter().position(|x| x == n).unwrap()] = *w;
            }
            p
        };
        let label = |pairs: &[(&str, f64)]| group_label(&proto(pairs), &attrs);
        assert_eq!(
            label(&[("US_Tech", 0.5), ("EU_Tech", 0.3), ("JP_Tech", 0.2)]),
            "Global Technology Equity"
        );
        assert_eq!(
            label(&[("US_Tech", 0.5), ("US_Fin", 0.5)]),
            "US Technology & Financials Equity"
        );
        assert_eq!(
            label(&[("EU_Large", 0.8), ("UK_Large", 0.2)]),
            "Europe Large Cap Equity"
        );
        assert_eq!(
            label(&[("US_Govt", 0.6), ("US_Corp", 0.4)]),
            "US Government Bond"
        );
        assert_eq!(
            label(&[("US_Large", 0.5), ("US_Govt", 0.5)]),
            "US Moderate Allocation"
        );
        assert_eq!(
            label(&[("Gold", 0.7), ("Oil", 0.3)]),
            "Commodities Precious Metals"
        );
        assert_eq!(
            label(&[("Cash_USD", 0.9), ("US_Govt", 0.1)]),
            "US Ultrashort Bond"
        );
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman(2), "II");
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(19), "XIX");
    }
}
