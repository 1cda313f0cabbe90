//! S̄ of each averaging rule, streamed over dates: a moving average keeps only the last p
//! dates' similarities (shared by every rule through one window), an EWMA only its state.

use std::collections::VecDeque;

use peergroup_similarity::pair_index;

use super::source::DateMatrix;
use crate::similarity::Averaging;

/// The last dates' similarities, as many as the longest moving average needs.
pub(crate) struct Window {
    capacity: usize,
    entries: VecDeque<DateMatrix>,
}

impl Window {
    /// A window of the last `capacity` (≥ 1) dates.
    pub(crate) fn new(capacity: usize) -> Window {
        Window {
            capacity: capacity.max(1),
            entries: VecDeque::with_capacity(capacity.max(1)),
        }
    }

    /// Add the newest date, dropping the oldest beyond the capacity.
    pub(crate) fn push(&mut self, m: DateMatrix) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(m);
    }

    /// The newest date's similarity.
    pub(crate) fn last(&self) -> Option<&DateMatrix> {
        self.entries.back()
    }

    /// The entry of date index `t`, if still held.
    fn get(&self, t: usize) -> Option<&DateMatrix> {
        self.entries.iter().find(|m| m.t == t)
    }

    /// The last `p` dates when they are the consecutive date indices `t − p + 1..=t`.
    fn last_run(&self, t: usize, p: usize) -> Option<Vec<&DateMatrix>> {
        if p > self.entries.len() || p > t + 1 {
            return None;
        }
        let run: Vec<&DateMatrix> = self.entries.iter().skip(self.entries.len() - p).collect();
        run.iter()
            .enumerate()
            .all(|(e, m)| m.t == t + 1 - p + e)
            .then_some(run)
    }
}

/// S̄ of one date as the clustering takes it: funds (increasing indices) and the
/// distance 1 − S̄ of their pairs, formed in the same pass as the average.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Averaged {
    /// Funds present on every date the average covers.
    pub ids: Vec<usize>,
    /// 1 − S̄ of every pair of `ids` (condensed order).
    pub distance: Vec<f64>,
}

/// An EWMA's state: funds and S̄ of their pairs.
pub(crate) struct EwmaState {
    ids: Vec<usize>,
    upper: Vec<f64>,
}

/// 1 − s of every pair.
fn distances(similarity: &[f64]) -> Vec<f64> {
    similarity.iter().map(|s| 1.0 - s).collect()
}

/// One averaging rule's state.
pub(crate) enum RuleState {
    /// Mean of the last p dates, from the p-th date on, with the running sum of the last
    /// p dates when they share their funds.
    Moving { p: usize, sum: Option<RunningSum> },
    /// `S̄_t = (1 − η) S_t + η S̄_{t−1}` over the funds present since the first date.
    Ewma { eta: f64, state: Option<EwmaState> },
}

/// Σ of the last p dates' similarities, updated by adding the newest date and removing
/// the one that leaves the window: 3 passes over the pairs instead of p.
pub(crate) struct RunningSum {
    /// Date index of the newest date in the sum.
    t: usize,
    /// Funds (the same on every date of the sum).
    ids: Vec<usize>,
    /// The sum, pair by pair.
    sum: Vec<f64>,
    /// Updates since the sum was last computed from scratch.
    updates: usize,
}

/// Updates of a running sum before it is recomputed from scratch, so that rounding
/// cannot accumulate (each update adds at most a few ulps).
const RESUM_EVERY: usize = 26;

impl RuleState {
    /// The state of a rule before the first date.
    pub(crate) fn new(rule: Averaging) -> RuleState {
        match rule {
            Averaging::Current => RuleState::Moving { p: 1, sum: None },
            Averaging::MovingAverage(p) => RuleState::Moving { p, sum: None },
            Averaging::Ewma(eta) => RuleState::Ewma { eta, state: None },
        }
    }

    /// The dates a rule needs in the window: p + 1 for a moving average (the date that
    /// leaves the running sum), 1 for an EWMA.
    pub(crate) fn window(rule: Averaging) -> usize {
        match rule {
            Averaging::MovingAverage(p) => p + 1,
            Averaging::Current | Averaging::Ewma(_) => 1,
        }
    }

    /// S̄ at date index `t`, the newest entry of `window` (None when the rule has no value
    /// that date: a moving average before its p-th date, or after a date without
    /// similarities inside its window). Moving sums and EWMAs advance their state.
    pub(crate) fn step(&mut self, window: &Window, t: usize) -> Option<Averaged> {
        match self {
            RuleState::Moving { p, sum } => {
                let p = *p;
                let Some(run) = window.last_run(t, p) else {
                    *sum = None;
                    return None;
                };
                let now = run[p - 1];
                if p == 1 {
                    return Some(Averaged {
                        ids: now.ids.clone(),
                        distance: distances(&now.upper),
                    });
                }
                // The date leaving the window, when the sum can be updated.
                let leaving = sum.as_ref().and_then(|s| {
                    let fits = s.t + 1 == t && s.updates < RESUM_EVERY && s.ids == now.ids;
                    let old = window.get(t - p)?;
                    (fits && old.ids == now.ids).then_some(old)
                });
                match (sum.as_mut(), leaving) {
                    (Some(s), Some(old)) => {
                        let inv = 1.0 / p as f64;
                        let mut out = Vec::with_capacity(s.sum.len());
                        for ((x, new), gone) in s.sum.iter_mut().zip(&now.upper).zip(&old.upper) {
                            *x += new - gone;
                            out.push(1.0 - *x * inv);
                        }
                        s.t = t;
                        s.updates += 1;
                        Some(Averaged {
                            ids: s.ids.clone(),
                            distance: out,
                        })
                    }
                    _ => {
                        let (ids, total) = sum_of(&run);
                        let distance = total.iter().map(|x| 1.0 - x / p as f64).collect();
                        let same = run.iter().all(|m| m.ids == ids);
                        *sum = same.then(|| RunningSum {
                            t,
                            ids: ids.clone(),
                            sum: total,
                            updates: 0,
                        });
                        Some(Averaged { ids, distance })
                    }
                }
            }
            RuleState::Ewma { eta, state } => {
                let now = window.last().filter(|m| m.t == t)?;
                let next = match state.take() {
                    None => EwmaState {
                        ids: now.ids.clone(),
                        upper: now.upper.clone(),
                    },
                    Some(prev) => {
                        let ids = intersect(&[&prev.ids, &now.ids]);
                        let old = gather(&prev.ids, &prev.upper, &ids);
                        let mut cur = gather(&now.ids, &now.upper, &ids);
                        for (x, o) in cur.iter_mut().zip(&old) {
                            *x = (1.0 - *eta) * *x + *eta * o;
                        }
                        EwmaState { ids, upper: cur }
                    }
                };
                let out = Averaged {
                    ids: next.ids.clone(),
                    distance: distances(&next.upper),
                };
                *state = Some(next);
                Some(out)
            }
        }
    }
}

/// Element-wise sum of the dates of `run` over the funds present on all of them.
fn sum_of(run: &[&DateMatrix]) -> (Vec<usize>, Vec<f64>) {
    let id_lists: Vec<&[usize]> = run.iter().map(|m| m.ids.as_slice()).collect();
    let ids = intersect(&id_lists);
    let mut sum = vec![0.0; ids.len() * ids.len().saturating_sub(1) / 2];
    for m in run {
        if m.ids == ids {
            // Same funds: no gathering (the usual case).
            for (s, v) in sum.iter_mut().zip(&m.upper) {
                *s += v;
            }
        } else {
            for (s, v) in sum.iter_mut().zip(gather(&m.ids, &m.upper, &ids)) {
                *s += v;
            }
        }
    }
    (ids, sum)
}

/// Funds present in every list (each increasing).
fn intersect(lists: &[&[usize]]) -> Vec<usize> {
    let Some((first, rest)) = lists.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .copied()
        .filter(|i| rest.iter().all(|l| l.binary_search(i).is_ok()))
        .collect()
}

/// The pairs of `keep` (a subset of `ids`, both increasing) out of a condensed matrix over `ids`.
fn gather(ids: &[usize], upper: &[f64], keep: &[usize]) -> Vec<f64> {
    if ids == keep {
        return upper.to_vec();
    }
    let n = ids.len();
    let pos: Vec<usize> = keep
        .iter()
        .map(|i| ids.binary_search(i).expect("keep is a subset of ids"))
        .collect();
    let mut out = Vec::with_capacity(keep.len() * keep.len().saturating_sub(1) / 2);
    for (a, &pa) in pos.iter().enumerate() {
        for &pb in &pos[a + 1..] {
            out.push(upper[pair_index(n, pa, pb)]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(t: usize, ids: &[usize], upper: &[f64]) -> DateMatrix {
        DateMatrix {
            t,
            ids: ids.to_vec(),
            upper: upper.to_vec(),
        }
    }

    #[test]
    fn moving_average_starts_at_the_pth_date_and_drops_leavers() {
        let mut w = Window::new(RuleState::window(Averaging::MovingAverage(2)));
        let mut rule = RuleState::new(Averaging::MovingAverage(2));
        w.push(m(0, &[0, 1, 2], &[0.2, 0.4, 0.6]));
        assert_eq!(rule.step(&w, 0), None);
        // fund 1 leaves on date 1: only the pair (0, 2) is averaged
        w.push(m(1, &[0, 2], &[0.8]));
        let a = rule.step(&w, 1).unwrap();
        assert_eq!(a.ids, vec![0, 2]);
        assert!((a.distance[0] - 0.4).abs() < 1e-15);
        // a gap in the dates breaks the window
        w.push(m(3, &[0, 2], &[0.1]));
        assert_eq!(rule.step(&w, 3), None);
    }

    /// The running sum gives the mean of the last p dates computed afresh, over many
    /// updates and a re-sum.
    #[test]
    fn running_sum_equals_the_fresh_mean() {
        let (p, n_pairs) = (3, 10);
        let mut w = Window::new(RuleState::window(Averaging::MovingAverage(p)));
        let mut rule = RuleState::new(Averaging::MovingAverage(p));
        let ids: Vec<usize> = (0..5).collect();
        let value = |t: usize, e: usize| ((t * 31 + e * 17) % 97) as f64 / 97.0;
        let mut all: Vec<Vec<f64>> = Vec::new();
        for t in 0..60 {
            let upper: Vec<f64> = (0..n_pairs).map(|e| value(t, e)).collect();
            all.push(upper.clone());
            w.push(m(t, &ids, &upper));
            let got = rule.step(&w, t);
            if t + 1 < p {
                assert_eq!(got, None);
                continue;
            }
            let got = got.unwrap();
            for (e, got) in got.distance.iter().enumerate() {
                let fresh = all[t + 1 - p..=t].iter().map(|u| u[e]).sum::<f64>() / p as f64;
                assert!((got - (1.0 - fresh)).abs() < 1e-14, "t {t} pair {e}");
            }
        }
    }

    #[test]
    fn ewma_follows_its_recursion() {
        let mut w = Window::new(1);
        let mut rule = RuleState::new(Averaging::Ewma(0.5));
        w.push(m(0, &[0, 1], &[1.0]));
        assert_eq!(rule.step(&w, 0).unwrap().distance, vec![0.0]);
        w.push(m(1, &[0, 1], &[0.0]));
        assert_eq!(rule.step(&w, 1).unwrap().distance, vec![0.5]);
        w.push(m(2, &[0, 1], &[0.0]));
        assert_eq!(rule.step(&w, 2).unwrap().distance, vec![0.75]);
    }
}
