//! Moves between peer groups and the funds' concentration in each group.

use super::DateClusters;

/// A fund's move from one aligned cluster to another between consecutive clusterings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// Averaging rule (index into the settings' list).
    pub rule: usize,
    /// Date index of the clustering where the fund is in its new cluster.
    pub t: usize,
    /// Fund (index into the source's funds).
    pub fund: usize,
    /// Aligned cluster at the previous clustering.
    pub from: usize,
    /// Aligned cluster at `t`.
    pub to: usize,
}

/// Every change of cluster between consecutive clusterings of one rule, for the funds
/// present in both.
pub(crate) fn transitions(rule: usize, path: &[DateClusters]) -> Vec<Transition> {
    let mut out = Vec::new();
    for w in path.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        for (&fund, &to) in b.ids.iter().zip(&b.labels) {
            if let Ok(i) = a.ids.binary_search(&fund) {
                if a.labels[i] != to {
                    out.push(Transition {
                        rule,
                        t: b.t,
                        fund,
                        from: a.labels[i],
                        to,
                    });
                }
            }
        }
    }
    out
}

/// Funds per aligned cluster of one clustering: `(cluster, n_funds)` by cluster.
pub(crate) fn concentration(c: &DateClusters) -> Vec<(usize, usize)> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    let mut labels = c.labels.clone();
    labels.sort_unstable();
    for l in labels {
        match counts.last_mut() {
            Some((last, n)) if *last == l => *n += 1,
            _ => counts.push((l, 1)),
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_is_listed_once() {
        let path = vec![
            DateClusters {
                t: 0,
                ids: vec![0, 1, 2],
                labels: vec![0, 1, 1],
            },
            DateClusters {
                t: 1,
                ids: vec![0, 1, 3],
                labels: vec![1, 1, 0],
            },
            DateClusters {
                t: 2,
                ids: vec![0, 1, 3],
                labels: vec![1, 1, 0],
            },
        ];
        let tr = transitions(2, &path);
        assert_eq!(
            tr,
            vec![Transition {
                rule: 2,
                t: 1,
                fund: 0,
                from: 0,
                to: 1
            }]
        );
        assert_eq!(concentration(&path[1]), vec![(0, 1), (1, 2)]);
    }
}
