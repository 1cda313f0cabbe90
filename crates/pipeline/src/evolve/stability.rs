//! Stability of peer groups by horizon: the share of funds present at t and at t + h
//! that are in the same aligned cluster, averaged over dates.

use super::DateClusters;

/// Stability at horizon `h` (dates) of one rule's aligned clusterings: the mean over
/// dates t with a clustering at t and at t + h (and a fund in both) of the share of the
/// funds present both dates that keep their label; and the fund-date pairs compared.
/// NaN with 0 pairs when no date has a partner h dates later.
pub(crate) fn stability(path: &[DateClusters], h: usize) -> (f64, usize) {
    let mut shares = Vec::new();
    let mut pairs = 0;
    for (e, a) in path.iter().enumerate() {
        // Paths are in date order, so the partner is at or after e.
        let Some(b) = path[e..].iter().find(|b| b.t == a.t + h) else {
            continue;
        };
        let (same, both) = agreement(a, b);
        if both > 0 {
            shares.push(same as f64 / both as f64);
            pairs += both;
        }
    }
    if shares.is_empty() {
        return (f64::NAN, 0);
    }
    (shares.iter().sum::<f64>() / shares.len() as f64, pairs)
}

/// Funds in the same cluster at `a` and `b`, and funds present at both.
fn agreement(a: &DateClusters, b: &DateClusters) -> (usize, usize) {
    let (mut i, mut j, mut same, mut both) = (0, 0, 0, 0);
    while i < a.ids.len() && j < b.ids.len() {
        match a.ids[i].cmp(&b.ids[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                same += usize::from(a.labels[i] == b.labels[j]);
                i += 1;
                j += 1;
            }
        }
    }
    (same, both)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: usize, ids: &[usize], labels: &[usize]) -> DateClusters {
        DateClusters {
            t,
            ids: ids.to_vec(),
            labels: labels.to_vec(),
        }
    }

    /// Worked by hand: four funds over four dates.
    ///   t0: A B A B      t1: A A A B      t2: A A B B      t3: fund 3 gone, A A B
    /// h = 1: t0→t1 3/4, t1→t2 3/4, t2→t3 3/3 → mean 5/6 over 4+4+3 = 11 pairs.
    /// h = 2: t0→t2 2/4, t1→t3 2/3 → mean 7/12 over 7 pairs. h = 3: t0→t3 1/3.
    #[test]
    fn hand_worked_sequence() {
        let all = [0, 1, 2, 3];
        let path = vec![
            at(0, &all, &[0, 1, 0, 1]),
            at(1, &all, &[0, 0, 0, 1]),
            at(2, &all, &[0, 0, 1, 1]),
            at(3, &[0, 1, 2], &[0, 0, 1]),
        ];
        let (s, n) = stability(&path, 1);
        assert!((s - 5.0 / 6.0).abs() < 1e-15 && n == 11, "{s} {n}");
        let (s, n) = stability(&path, 2);
        assert!((s - 7.0 / 12.0).abs() < 1e-15 && n == 7, "{s} {n}");
        let (s, n) = stability(&path, 3);
        assert!((s - 1.0 / 3.0).abs() < 1e-15 && n == 3, "{s} {n}");
        let (s, n) = stability(&path, 4);
        assert!(s.is_nan() && n == 0);
    }

    #[test]
    fn a_missing_date_has_no_partner() {
        // a moving average starts later: t = 2 and 3 only
        let path = vec![at(2, &[0, 1], &[0, 1]), at(3, &[0, 1], &[0, 1])];
        assert_eq!(stability(&path, 1), (1.0, 2));
        assert_eq!(stability(&path, 2).1, 0);
    }
}
