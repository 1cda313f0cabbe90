//! Cross-sectional rankings of year-to-date total return (the CAFCI guide's top/bottom
//! lists, METHODS §1.6).

use peergroup_data::{Date, Panel};

/// Which list a ranked row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// Among the best `top` on that date.
    Top,
    /// Among the worst `bottom` on that date.
    Bottom,
    /// Neither (only listed when every rank is requested).
    Middle,
}

impl Side {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Side::Top => "top",
            Side::Bottom => "bottom",
            Side::Middle => "middle",
        }
    }
}

/// One ranked id on one date.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankRow {
    /// Date of the ranking.
    pub date: Date,
    /// Series index in the panel.
    pub id: usize,
    /// Year-to-date return (fraction) at `date`.
    pub ytd: f64,
    /// 1 = best; tied values share the best rank of the tie (competition ranking 1,2,2,4).
    pub rank: usize,
    /// Number of ids ranked that date (the largest possible rank).
    pub max_rank: usize,
    /// Top, bottom or middle list.
    pub side: Side,
}

/// Rank ids by year-to-date return on every date.
///
/// YTD at date d compounds the id's returns dated in d's calendar year up to d; an id is
/// ranked on the dates it has a return. Ties share the best rank of the tie (1,2,2,4),
/// both for `rank` and for the rank from the bottom, so the top list holds every id with
/// `rank ≤ top` and the bottom list every id whose rank from the bottom is `≤ bottom`:
/// ties at the cut-off are all included. An id in both lists (few ids) gets a row for
/// each. With `all`, ids in neither list are returned with [`Side::Middle`].
pub fn rank_ytd(returns: &Panel, top: usize, bottom: usize, all: bool) -> Vec<RankRow> {
    let n = returns.n_ids();
    let t = returns.n_dates();
    let dates = returns.dates();
    // YTD per id and date (NaN where the id has no return).
    let mut ytd = vec![f64::NAN; n * t];
    for i in 0..n {
        let s = returns.series(i);
        let mut growth = 1.0;
        let mut year = None;
        for k in 0..t {
            if s[k].is_nan() {
                continue;
            }
            let y = dates[k].year();
            if year != Some(y) {
                growth = 1.0;
                year = Some(y);
            }
            growth *= 1.0 + s[k];
            ytd[i * t + k] = growth - 1.0;
        }
    }
    let mut out = Vec::new();
    let mut day: Vec<(usize, f64)> = Vec::with_capacity(n);
    for k in 0..t {
        day.clear();
        day.extend((0..n).filter_map(|i| {
            let v = ytd[i * t + k];
            (!v.is_nan()).then_some((i, v))
        }));
        if day.is_empty() {
            continue;
        }
        day.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let m = day.len();
        // competition ranks from the top and from the bottom
        let mut rank = vec![0usize; m];
        for p in 0..m {
            rank[p] = if p > 0 && day[p].1 == day[p - 1].1 {
                rank[p - 1]
            } else {
                p + 1
            };
        }
        let mut from_bottom = vec![0usize; m];
        for p in (0..m).rev() {
            from_bottom[p] = if p + 1 < m && day[p].1 == day[p + 1].1 {
                from_bottom[p + 1]
            } else {
                m - p
            };
        }
        let mut bottoms = Vec::new();
        for p in 0..m {
            let row = |side| RankRow {
                date: dates[k],
                id: day[p].0,
                ytd: day[p].1,
                rank: rank[p],
                max_rank: m,
                side,
            };
            let is_top = rank[p] <= top;
            let is_bottom = from_bottom[p] <= bottom;
            if is_top {
                out.push(row(Side::Top));
            }
            if is_bottom {
                bottoms.push(row(Side::Bottom));
            }
            if all && !is_top && !is_bottom {
                out.push(row(Side::Middle));
            }
        }
        out.extend(bottoms);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use peergroup_data::{PanelBuilder, Position, SeriesKind};

    fn panel(rows: &[(&str, &str, f64)]) -> Panel {
        let mut b = PanelBuilder::new(SeriesKind::Returns, 1.0);
        for (k, (id, date, v)) in rows.iter().enumerate() {
            b.push(
                id,
                Date::parse(date).unwrap(),
                *v,
                Position::Line(k as u64 + 2),
                "value",
            )
            .unwrap();
        }
        b.build().unwrap()
    }

    #[test]
    fn ranks_with_ties_and_year_reset() {
        // Five funds on two monthly dates; on 2021-01 B and C tie.
        let p = panel(&[
            ("A", "2020-12", 0.50),
            ("A", "2021-01", 0.01),
            ("B", "2021-01", 0.02),
            ("C", "2021-01", 0.02),
            ("D", "2021-01", -0.01),
            ("E", "2021-01", 0.00),
        ]);
        let rows = rank_ytd(&p, 2, 2, true);
        let jan: Vec<_> = rows.iter().filter(|r| r.date.month() == 1).collect();
        // A's YTD in 2021 is 1%, its +50% of 2020 does not count.
        let get = |id: &str, side: Side| {
            let i = p.index_of(id).unwrap();
            jan.iter().find(|r| r.id == i && r.side == side).copied()
        };
        assert!((get("A", Side::Middle).unwrap().ytd - 0.01).abs() < 1e-15);
        // ranks: B=1, C=1 (tie), A=3, E=4, D=5; max_rank 5
        assert_eq!(get("B", Side::Top).unwrap().rank, 1);
        assert_eq!(get("C", Side::Top).unwrap().rank, 1);
        assert_eq!(get("A", Side::Middle).unwrap().rank, 3);
        assert_eq!(get("E", Side::Bottom).unwrap().rank, 4);
        assert_eq!(get("D", Side::Bottom).unwrap().rank, 5);
        assert!(jan.iter().all(|r| r.max_rank == 5));
        let tops: Vec<_> = jan.iter().filter(|r| r.side == Side::Top).collect();
        assert_eq!(tops.len(), 2);
        // on 2020-12 only A is ranked: it is both top and bottom
        let dec: Vec<_> = rows.iter().filter(|r| r.date.month() == 12).collect();
        assert_eq!(dec.len(), 2);
        assert_eq!(dec[0].side, Side::Top);
        assert_eq!(dec[1].side, Side::Bottom);
    }

    #[test]
    fn ties_at_the_cutoff_are_all_included() {
        let p = panel(&[
            ("A", "2021-01", 0.03),
            ("B", "2021-01", 0.02),
            ("C", "2021-01", 0.02),
            ("D", "2021-01", 0.02),
            ("E", "2021-01", 0.01),
            ("E", "2020-12", 0.0),
        ]);
        let rows: Vec<_> = rank_ytd(&p, 2, 1, false)
            .into_iter()
            .filter(|r| r.date.month() == 1)
            .collect();
        let top: Vec<usize> = rows
            .iter()
            .filter(|r| r.side == Side::Top)
            .map(|r| r.rank)
            .collect();
        assert_eq!(top, vec![1, 2, 2, 2]);
        let bottom: Vec<_> = rows.iter().filter(|r| r.side == Side::Bottom).collect();
        assert_eq!(bottom.len(), 1);
        assert_eq!(bottom[0].rank, 5);
    }
}
