//! Gain and risk classes and the star table (METHODS §5.9), and agreement with another rating.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A class of gain or of risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The group with the lowest mean.
    Low,
    /// The middle group.
    Medium,
    /// The group with the highest mean.
    High,
}

impl Level {
    /// `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// Stars from the (gain, risk) classes: 1 = (l,h); 2 = (l,m),(l,l); 3 = (m,h),(m,m),(h,h);
/// 4 = (m,l),(h,m); 5 = (h,l).
pub fn stars(gain: Level, risk: Level) -> u8 {
    use Level::*;
    match (gain, risk) {
        (Low, High) => 1,
        (Low, Medium) | (Low, Low) => 2,
        (Medium, High) | (Medium, Medium) | (High, High) => 3,
        (Medium, Low) | (High, Medium) => 4,
        (High, Low) => 5,
    }
}

/// How the distance between two classes is measured while they are merged (METHODS §5.9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Linkage {
    /// Mean of the pairwise distances between the two classes (UPGMA; the seed's choice).
    #[default]
    Average,
    /// Smallest pairwise distance between the two classes.
    Single,
    /// Largest pairwise distance between the two classes.
    Complete,
}

impl Linkage {
    /// Every choice.
    pub const ALL: [Linkage; 3] = [Linkage::Average, Linkage::Single, Linkage::Complete];

    /// `average`, `single` or `complete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Linkage::Average => "average",
            Linkage::Single => "single",
            Linkage::Complete => "complete",
        }
    }
}

impl std::str::FromStr for Linkage {
    type Err = String;

    /// Parse `average`, `single` or `complete`.
    fn from_str(s: &str) -> Result<Linkage, String> {
        parse_choice(s, &Linkage::ALL, Linkage::as_str, "linkage")
    }
}

/// The choice among `all` named `s` by `name`, or a message listing the names.
fn parse_choice<T: Copy>(
    s: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &str,
) -> Result<T, String> {
    all.iter().copied().find(|&c| name(c) == s).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|&c| name(c)).collect();
        let (last, rest) = names.split_last().expect("at least one choice");
        format!(
            "unknown {what} '{s}': expected {} or {last}",
            rest.join(", ")
        )
    })
}

/// Distance between two funds' values (METHODS §5.9).
///
/// Gain and risk score are single numbers per fund, and on one dimension both metrics
/// are `|x − y|`: the choice is offered as in the seed's robustness check and gives the
/// same classes either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Metric {
    /// `√Σ(xₖ − yₖ)²` (the seed's choice).
    #[default]
    Euclidean,
    /// `Σ|xₖ − yₖ|`.
    Manhattan,
}

impl Metric {
    /// Every choice.
    pub const ALL: [Metric; 2] = [Metric::Euclidean, Metric::Manhattan];

    /// `euclidean` or `manhattan`.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Euclidean => "euclidean",
            Metric::Manhattan => "manhattan",
        }
    }

    /// Distance between two one-dimensional values, in their units.
    fn distance_1d(self, x: f64, y: f64) -> f64 {
        match self {
            // √((x − y)²) and |x − y| are the same number.
            Metric::Euclidean | Metric::Manhattan => (x - y).abs(),
        }
    }
}

impl std::str::FromStr for Metric {
    type Err = String;

    /// Parse `euclidean` or `manhattan`.
    fn from_str(s: &str) -> Result<Metric, String> {
        parse_choice(s, &Metric::ALL, Metric::as_str, "metric")
    }
}

/// How gain and risk score are cut into classes: linkage and metric of the hierarchical
/// clustering. The default is the seed's: average linkage on Euclidean distance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClassSpec {
    /// Distance between classes.
    pub linkage: Linkage,
    /// Distance between funds.
    pub metric: Metric,
}

/// Three classes of the values by hierarchical average linkage on Euclidean distance,
/// labelled by group mean (METHODS §5.9); [`levels_with`] with the default [`ClassSpec`].
///
/// # Panics
/// If fewer than 3 values or a value is not finite.
pub fn levels(values: &[f64]) -> Vec<Level> {
    levels_with(values, &ClassSpec::default())
}

/// Three classes of the values by hierarchical clustering with `spec`'s linkage and
/// metric, labelled by group mean (METHODS §5.9).
///
/// In one dimension the three linkages have a closed form, used here so 10,000 funds need
/// no 400 MB distance matrix: clusters stay intervals of the sorted values (for intervals
/// A < B < C each linkage has d(A,C) ≥ d(A,B), so a closest pair is always adjacent), and
/// the distance of adjacent intervals is the difference of their means (average), the gap
/// between them (single) or the width of their union (complete). Merging the closest
/// adjacent pair until three remain is therefore the same dendrogram cut as
/// `peergroup_cluster::linkage::linkage(…).cut_k(3)`; the tests check this against that
/// routine and against SciPy.
///
/// # Panics
/// If fewer than 3 values or a value is not finite.
pub fn levels_with(values: &[f64], spec: &ClassSpec) -> Vec<Level> {
    let groups = linkage_1d(values, 3, spec);
    let mut sums = [(0.0f64, 0usize); 3];
    for (g, v) in groups.iter().zip(values) {
        sums[*g].0 += v;
        sums[*g].1 += 1;
    }
    let mut order = [0usize, 1, 2];
    order.sort_by(|&a, &b| {
        (sums[a].0 / sums[a].1 as f64).total_cmp(&(sums[b].0 / sums[b].1 as f64))
    });
    let mut level = [Level::Low; 3];
    for (rank, &g) in order.iter().enumerate() {
        level[g] = [Level::Low, Level::Medium, Level::High][rank];
    }
    groups.iter().map(|&g| level[g]).collect()
}

/// Risk scores, classes and stars of a set of funds.
#[derive(Clone, Debug, PartialEq)]
pub struct FundClasses {
    /// Mean of the three standardised risks (unitless).
    pub risk: Vec<f64>,
    /// Class of the gain.
    pub gain_level: Vec<Level>,
    /// Class of the risk score.
    pub risk_level: Vec<Level>,
    /// 1–5 stars.
    pub stars: Vec<u8>,
}

/// [`classify_with`] the seed's classes: average linkage on Euclidean distance.
///
/// # Panics
/// If fewer than 3 funds, lengths differ, or a value is not finite.
pub fn classify(gain: &[f64], components: &[crate::RiskComponents]) -> FundClasses {
    classify_with(gain, components, &ClassSpec::default())
}

/// Classify funds by `gain` (mean calendar-year return) and risk components (METHODS §5.8–§5.9):
/// each component is standardised across the funds (mean 0, sample standard deviation 1;
/// a component with no spread, e.g. no fund with a turmoil term, contributes 0), the risk
/// score is their mean, and gain and risk score are each cut into three classes by
/// `spec`'s linkage and metric.
///
/// # Panics
/// If fewer than 3 funds, lengths differ, or a value is not finite.
pub fn classify_with(
    gain: &[f64],
    components: &[crate::RiskComponents],
    spec: &ClassSpec,
) -> FundClasses {
    assert_eq!(gain.len(), components.len(), "classify: one gain per fund");
    let n = gain.len();
    let standardised = |f: &dyn Fn(&crate::RiskComponents) -> f64| -> Vec<f64> {
        let v: Vec<f64> = components.iter().map(f).collect();
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
        v.iter()
            .map(|x| if sd > 0.0 { (x - mean) / sd } else { 0.0 })
            .collect()
    };
    let zm = standardised(&|c| c.v_min);
    let zs = standardised(&|c| c.v_standard);
    let zt = standardised(&|c| c.v_turmoil);
    let risk: Vec<f64> = (0..n).map(|i| (zm[i] + zs[i] + zt[i]) / 3.0).collect();
    let gain_level = levels_with(gain, spec);
    let risk_level = levels_with(&risk, spec);
    let stars = gain_level
        .iter()
        .zip(&risk_level)
        .map(|(&g, &r)| stars(g, r))
        .collect();
    FundClasses {
        risk,
        gain_level,
        risk_level,
        stars,
    }
}

/// Candidate merge of the adjacent intervals `left` and its right neighbour.
#[derive(PartialEq)]
struct Candidate {
    gap: f64,
    left: usize,
    stamp: (u32, u32),
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        // Min-heap on the gap; the leftmost pair first on ties.
        other
            .gap
            .total_cmp(&self.gap)
            .then_with(|| other.left.cmp(&self.left))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Labels `0..k` (numbered from the lowest interval) of one-dimensional average linkage
/// cut at `k` clusters; [`linkage_1d`] with the default [`ClassSpec`]. O(n log n).
///
/// # Panics
/// If `k == 0`, `values.len() < k` or a value is not finite.
pub fn average_linkage_1d(values: &[f64], k: usize) -> Vec<usize> {
    linkage_1d(values, k, &ClassSpec::default())
}

/// Labels `0..k` (numbered from the lowest interval) of one-dimensional hierarchical
/// clustering with `spec`'s linkage and metric, cut at `k` clusters. Of equally close
/// pairs the leftmost merges first. O(n log n).
///
/// # Panics
/// If `k == 0`, `values.len() < k` or a value is not finite.
pub fn linkage_1d(values: &[f64], k: usize, spec: &ClassSpec) -> Vec<usize> {
    let n = values.len();
    assert!(k >= 1 && n >= k, "linkage_1d: need 1 ≤ k ≤ n");
    assert!(
        values.iter().all(|v| v.is_finite()),
        "linkage_1d: non-finite value"
    );
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    // Intervals indexed by their first sorted position; a linked list of live ones. An
    // interval's smallest value is its first, its largest is `high`.
    let mut sum: Vec<f64> = order.iter().map(|&i| values[i]).collect();
    let low: Vec<f64> = sum.clone();
    let mut high: Vec<f64> = sum.clone();
    let mut count = vec![1usize; n];
    let mut next: Vec<usize> = (1..=n).collect();
    let mut prev: Vec<usize> = (0..n).map(|i| i.wrapping_sub(1)).collect();
    let mut version = vec![0u32; n];
    let (linkage, metric) = (spec.linkage, spec.metric);
    // The merge candidate of adjacent live intervals `left` and `right` as they are now.
    let candidate = |left: usize,
                     right: usize,
                     (sum, count, high): (&[f64], &[usize], &[f64]),
                     version: &[u32]| {
        let gap = match linkage {
            // The mean of |x − y| over pairs across two intervals is the difference of
            // their means.
            Linkage::Average => sum[right] / count[right] as f64 - sum[left] / count[left] as f64,
            Linkage::Single => metric.distance_1d(low[right], high[left]),
            Linkage::Complete => metric.distance_1d(high[right], low[left]),
        };
        Candidate {
            gap,
            left,
            stamp: (version[left], version[right]),
        }
    };
    let mut heap = BinaryHeap::with_capacity(n);
    for i in 0..n.saturating_sub(1) {
        heap.push(candidate(i, i + 1, (&sum, &count, &high), &version));
    }
    let mut clusters = n;
    while clusters > k {
        let c = heap
            .pop()
            .expect("a live adjacent pair exists while clusters > k");
        let right = next[c.left];
        if right >= n || c.stamp != (version[c.left], version[right]) || count[c.left] == 0 {
            continue;
        }
        let l = c.left;
        sum[l] += sum[right];
        count[l] += count[right];
        high[l] = high[right];
        count[right] = 0;
        next[l] = next[right];
        if next[l] < n {
            prev[next[l]] = l;
        }
        version[l] += 1;
        clusters -= 1;
        if prev[l] < n {
            heap.push(candidate(prev[l], l, (&sum, &count, &high), &version));
        }
        if next[l] < n {
            heap.push(candidate(l, next[l], (&sum, &count, &high), &version));
        }
    }
    let mut labels = vec![0; n];
    let (mut label, mut start) = (0, 0);
    while start < n {
        let end = next[start];
        for &i in &order[start..end.min(n)] {
            labels[i] = label;
        }
        label += 1;
        start = end;
    }
    labels
}

/// Agreement between our stars and an external rating of the same funds.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Funds compared.
    pub n: usize,
    /// `counts[ours − 1][external − 1]`.
    pub contingency: [[usize; 5]; 5],
    /// Spearman rank correlation (average ranks for ties); NaN if either side is constant.
    pub spearman: f64,
    /// Share of funds with the same stars.
    pub share_equal: f64,
    /// Share of funds within one star.
    pub share_within_one: f64,
}

/// Compare two star ratings (1–5) of the same funds, pairwise by position.
///
/// # Panics
/// If the lengths differ or a rating is outside 1..=5.
pub fn compare(ours: &[u8], external: &[u8]) -> Comparison {
    assert_eq!(
        ours.len(),
        external.len(),
        "compare: one external rating per fund"
    );
    let n = ours.len();
    let mut contingency = [[0usize; 5]; 5];
    let (mut equal, mut within) = (0usize, 0usize);
    for (&a, &b) in ours.iter().zip(external) {
        assert!(
            (1..=5).contains(&a) && (1..=5).contains(&b),
            "compare: stars are 1–5"
        );
        contingency[a as usize - 1][b as usize - 1] += 1;
        equal += usize::from(a == b);
        within += usize::from(a.abs_diff(b) <= 1);
    }
    let share = |c: usize| {
        if n == 0 {
            f64::NAN
        } else {
            c as f64 / n as f64
        }
    };
    Comparison {
        n,
        contingency,
        spearman: spearman(ours, external),
        share_equal: share(equal),
        share_within_one: share(within),
    }
}

/// Average ranks (1-based) of small integer scores.
fn ranks(v: &[u8]) -> Vec<f64> {
    let mut counts = [0usize; 256];
    for &x in v {
        counts[x as usize] += 1;
    }
    let mut average = [0.0; 256];
    let mut below = 0usize;
    for (x, &c) in counts.iter().enumerate() {
        average[x] = below as f64 + (c as f64 + 1.0) / 2.0;
        below += c;
    }
    v.iter().map(|&x| average[x as usize]).collect()
}

fn spearman(a: &[u8], b: &[u8]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        f64::NAN
    } else {
        sab / (saa * sbb).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_table_matches_spec() {
        use Level::*;
        let table = [
            ((Low, High), 1),
            ((Low, Medium), 2),
            ((Low, Low), 2),
            ((Medium, High), 3),
            ((Medium, Medium), 3),
            ((High, High), 3),
            ((Medium, Low), 4),
            ((High, Medium), 4),
            ((High, Low), 5),
        ];
        for ((g, r), s) in table {
            assert_eq!(stars(g, r), s, "({g:?}, {r:?})");
        }
    }

    #[test]
    fn hand_worked_classes() {
        // Sorted 0, 1, 2, 10, 11, 30 with adjacent gaps 1, 1, 8, 1, 19: merge {0,1} (gap
        // 1, leftmost tie), then {10,11} (1), then {0,1} with 2 (mean 0.5 to 2: 1.5).
        // Three classes remain: {0,1,2}, {10,11}, {30}.
        let v = [10.0, 0.0, 30.0, 1.0, 11.0, 2.0];
        let l = levels(&v);
        use Level::*;
        assert_eq!(l, vec![Medium, Low, High, Low, Medium, Low]);
    }

    #[test]
    fn hand_worked_single_and_complete_classes() {
        // Sorted 0, 1, 2, 3, 4, 5, 8, 20. Single linkage cuts the two widest gaps (12 and
        // 3): {0..5}, {8}, {20}. Complete linkage merges the narrowest union (leftmost
        // on ties): {0,1}, {2,3}, {4,5} (width 1 each), then {0..3} (width 3, tied with
        // {2..5}), then {4,5,8} (width 4, against 5 for {0..5} and 12 for {8,20}).
        let v = [20.0, 0.0, 8.0, 3.0, 1.0, 5.0, 2.0, 4.0];
        use Level::*;
        let spec = |linkage| ClassSpec {
            linkage,
            metric: Metric::Manhattan,
        };
        assert_eq!(
            levels_with(&v, &spec(Linkage::Single)),
            vec![High, Low, Medium, Low, Low, Low, Low, Low]
        );
        assert_eq!(
            levels_with(&v, &spec(Linkage::Complete)),
            vec![High, Low, Medium, Low, Low, Medium, Low, Medium]
        );
    }

    #[test]
    fn risk_score_is_the_mean_of_standardised_components() {
        use crate::RiskComponents;
        let c = |m, s, t| RiskComponents {
            v_min: m,
            v_standard: s,
            v_turmoil: t,
        };
        // v_min 1, 2, 3 → z −1, 0, 1; v_standard constant → 0; v_turmoil 0, 0, 3 →
        // mean 1, sd √3 → −1/√3, −1/√3, 2/√3.
        let comps = [c(1.0, 5.0, 0.0), c(2.0, 5.0, 0.0), c(3.0, 5.0, 3.0)];
        let k = classify(&[0.1, 0.2, 0.3], &comps);
        let r3 = 3f64.sqrt();
        let want = [
            (-1.0 - 1.0 / r3) / 3.0,
            (-1.0 / r3) / 3.0,
            (1.0 + 2.0 / r3) / 3.0,
        ];
        for i in 0..3 {
            assert!((k.risk[i] - want[i]).abs() < 1e-15);
        }
        use Level::*;
        assert_eq!(k.gain_level, vec![Low, Medium, High]);
        assert_eq!(k.risk_level, vec![Low, Medium, High]);
        assert_eq!(k.stars, vec![2, 3, 3]);
    }

    #[test]
    fn spearman_and_shares_by_hand() {
        let ours = [1, 2, 3, 4, 5];
        let c = compare(&ours, &[1, 2, 3, 5, 4]);
        // d = (0,0,0,1,−1): ρ = 1 − 6·2/(5·24) = 0.9.
        assert!((c.spearman - 0.9).abs() < 1e-15);
        assert_eq!(c.share_equal, 0.6);
        assert_eq!(c.share_within_one, 1.0);
        assert_eq!(c.contingency[3][4], 1);
        // Ties: average ranks.
        let c = compare(&[1, 1, 2, 2], &[1, 2, 1, 2]);
        assert!(c.spearman.abs() < 1e-15);
    }
}

#[cfg(test)]
mod oracle {
    use super::*;
    use peergroup_cluster::linkage::{condensed_len, linkage, Linkage};
    use peergroup_cluster::validity::adjusted_rand_index;
    use peergroup_random::Rng;

    /// The one-dimensional shortcut cuts the same dendrogram as the clustering stage's
    /// general linkage (kodama, checked against SciPy), for each of the three linkages.
    #[test]
    fn one_dimensional_shortcut_equals_general_linkage() {
        for seed in 0..20u64 {
            let mut rng = Rng::stream(seed, 0);
            let n = 5 + rng.below(200) as usize;
            let v: Vec<f64> = (0..n)
                .map(|i| rng.lognormal(0.0, 1.0) * if i % 3 == 0 { -1.0 } else { 1.0 })
                .collect();
            let mut d = Vec::with_capacity(condensed_len(n));
            for i in 0..n {
                for j in i + 1..n {
                    d.push((v[i] - v[j]).abs());
                }
            }
            for (ours, general) in [
                (super::Linkage::Average, Linkage::Average),
                (super::Linkage::Single, Linkage::Single),
                (super::Linkage::Complete, Linkage::Complete),
            ] {
                let spec = ClassSpec {
                    linkage: ours,
                    metric: Metric::Euclidean,
                };
                for k in 1..=5.min(n) {
                    let want = linkage(&d, n, general).unwrap().cut_k(k).unwrap();
                    let got = linkage_1d(&v, k, &spec);
                    assert_eq!(
                        adjusted_rand_index(&want, &got).unwrap(),
                        1.0,
                        "seed {seed}, {ours:?}, k {k}"
                    );
                }
            }
        }
    }
}
