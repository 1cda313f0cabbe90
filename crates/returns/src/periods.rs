//! Calendar-year, year-to-date and trailing returns of each series.

use std::fmt;

use peergroup_data::{Date, Panel};

/// A return period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Period {
    /// A full calendar year.
    Year(i32),
    /// From the last year end to the series' last date.
    Ytd,
    /// The last N years to the series' last date, annualised.
    Trailing(u32),
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Ytd => f.write_str("YTD"),
            Period::Trailing(n) => write!(f, "{n}Y"),
        }
    }
}

/// One period return of one series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeriodReturn {
    /// Series index in the panel.
    pub id: usize,
    /// Which period.
    pub period: Period,
    /// Date of the starting level (the base).
    pub start: Date,
    /// Date of the ending level.
    pub end: Date,
    /// Return as a fraction; annualised for trailing periods of more than one year (a
    /// partial one over the years it covers, when more than one).
    pub value: f64,
    /// The series starts after the period does, so the return runs from its first
    /// observation (`start`) instead of the period's start.
    pub partial: bool,
}

/// Slack (days) when a boundary such as a year end must be matched by an observation:
/// covers weekends and holidays for daily data and business month-ends for monthly data.
const SLACK_DAYS: i32 = 7;

/// The level at `date`: the last level dated on or before it, if not older than the slack
/// and not a gap marker.
fn level_at(levels: &[(Date, f64)], date: Date) -> Option<(Date, f64)> {
    let k = levels.partition_point(|(d, _)| *d <= date);
    let (d, l) = *levels.get(k.checked_sub(1)?)?;
    (d.days() >= date.days() - SLACK_DAYS && !l.is_nan()).then_some((d, l))
}

/// Whether a missing return (a `NaN` level) lies in `(start, end]`.
fn spans_gap(levels: &[(Date, f64)], start: Date, end: Date) -> bool {
    levels
        .iter()
        .any(|(d, l)| l.is_nan() && *d > start && *d <= end)
}

/// Calendar-year returns for every full year, YTD, and trailing `trailing_years` returns,
/// complete or partial.
///
/// Levels come from [`Panel::levels`] (returns are compounded from a base of 1 dated one
/// period before the first return). Year y is reported when a level exists within 7 days
/// before the end of y−1 and within 7 days before the end of y. YTD runs from the last
/// year end (same rule) to the last observation. A trailing N-year return needs a level
/// within 7 days before the date N years before the last observation, and is annualised
/// as `(L_end / L_start)^(1/N) − 1` with N in calendar years. No period spans a missing
/// return.
///
/// A series that starts after a period's start gets the period from its first level
/// instead, marked `partial` (METHODS §1.5): the year it starts in (when the data reach
/// that year's end), YTD when it starts within the last year, and the shortest trailing
/// window it does not cover, annualised over the years covered (`days / 365.25`) when
/// more than one and not annualised otherwise. Longer uncovered windows would repeat it.
pub fn period_returns(panel: &Panel, trailing_years: &[u32]) -> Vec<PeriodReturn> {
    let mut out = Vec::new();
    for i in 0..panel.n_ids() {
        let levels = panel.levels(i);
        let (Some(&(first, l_first)), Some(&(last, l_last))) = (levels.first(), levels.last())
        else {
            continue;
        };
        // The period from the series' first level to `end`, when the series starts after
        // the period's nominal start `base`.
        let partial_from_first = |base: Date, end: Date| {
            (first > base && first < end && !spans_gap(&levels, first, end))
                .then_some((first, l_first))
        };
        for y in first.year()..=last.year() {
            let (Some(y0), Some(y1)) = (Date::from_ymd(y - 1, 12, 31), Date::from_ymd(y, 12, 31))
            else {
                continue;
            };
            let Some((d1, l1)) = level_at(&levels, y1).filter(|(d1, _)| d1.year() == y) else {
                continue;
            };
            let complete = level_at(&levels, y0)
                .filter(|&(d0, _)| d0 < d1 && !spans_gap(&levels, d0, d1))
                .map(|b| (b, false));
            let from_first = || partial_from_first(y0, d1).map(|b| (b, true));
            if let Some(((d0, l0), partial)) = complete.or_else(from_first) {
                out.push(PeriodReturn {
                    id: i,
                    period: Period::Year(y),
                    start: d0,
                    end: d1,
                    value: l1 / l0 - 1.0,
                    partial,
                });
            }
        }
        let year_end = last.previous_year_end();
        let complete = level_at(&levels, year_end)
            .filter(|&(d0, _)| d0 < last && !spans_gap(&levels, d0, last))
            .map(|b| (b, false));
        let from_first = || partial_from_first(year_end, last).map(|b| (b, true));
        if let Some(((d0, l0), partial)) = complete.or_else(from_first) {
            out.push(PeriodReturn {
                id: i,
                period: Period::Ytd,
                start: d0,
                end: last,
                value: l_last / l0 - 1.0,
                partial,
            });
        }
        // Every window longer than the series gives the same partial return: keep the
        // shortest.
        let shortest_uncovered = trailing_years
            .iter()
            .copied()
            .filter(|&n| first > last.minus_years(n as i32))
            .min();
        for &n in trailing_years {
            let window_start = last.minus_years(n as i32);
            if let Some((d0, l0)) = level_at(&levels, window_start) {
                if d0 < last && !spans_gap(&levels, d0, last) {
                    out.push(PeriodReturn {
                        id: i,
                        period: Period::Trailing(n),
                        start: d0,
                        end: last,
                        value: (l_last / l0).powf(1.0 / n as f64) - 1.0,
                        partial: false,
                    });
                }
            } else if Some(n) == shortest_uncovered {
                if let Some((d0, l0)) = partial_from_first(window_start, last) {
                    let years = f64::from(last.days() - d0.days()) / 365.25;
                    let growth = l_last / l0;
                    out.push(PeriodReturn {
                        id: i,
                        period: Period::Trailing(n),
                        start: d0,
                        end: last,
                        value: if years > 1.0 {
                            growth.powf(1.0 / years) - 1.0
                        } else {
                            growth - 1.0
                        },
                        partial: true,
                    });
                }
            }
        }
    }
    out
}

/// Why [`period_returns`] finds nothing in `panel`: `every series …` when one reason fits
/// all, else the reasons of the first three series and how many more there are.
pub fn explain_no_period_returns(panel: &Panel) -> String {
    let reasons: Vec<String> = (0..panel.n_ids())
        .map(|i| no_period_reason(panel, i))
        .collect();
    let head = "no period return can be computed";
    match reasons.as_slice() {
        [] => format!("{head}: the table has no series"),
        [only] => format!("{head}: series '{}' {only}", panel.ids()[0]),
        [one, rest @ ..] if rest.iter().all(|r| r == one) => format!("{head}: every series {one}"),
        _ => {
            let listed: Vec<String> = reasons
                .iter()
                .zip(panel.ids())
                .take(3)
                .map(|(r, id)| format!("series '{id}' {r}"))
                .collect();
            let more = reasons.len().saturating_sub(3);
            let more = if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            };
            format!("{head}: {}{more}", listed.join("; "))
        }
    }
}

/// Why series `i` has no period return, as a predicate of the series.
fn no_period_reason(panel: &Panel, i: usize) -> String {
    let levels = panel.levels(i);
    let (first, last) = match levels.as_slice() {
        [] => return "has no observation".into(),
        [(d, _)] => return format!("has a single observation, on {d}"),
        [(first, _), .., (last, _)] => (*first, *last),
    };
    if let Some((gap, _)) = levels.iter().rev().find(|(_, l)| l.is_nan()) {
        return format!(
            "misses its return of {gap} (its observations run from {first} to {last}), and \
             no year end or window start after it has an observation within {SLACK_DAYS} days"
        );
    }
    let year_end = last.previous_year_end();
    format!(
        "starts on {first}, before the last year end {year_end}, but has no observation \
         within {SLACK_DAYS} days before that year end, a trailing window's start or the end \
         of any year it covers (latest date {last})"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use peergroup_data::{PanelBuilder, Position, SeriesKind};

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn panel(kind: SeriesKind, rows: &[(&str, f64)]) -> Panel {
        let mut b = PanelBuilder::new(kind, 1.0);
        for (k, (date, v)) in rows.iter().enumerate() {
            b.push("F", d(date), *v, Position::Line(k as u64 + 2), "value")
                .unwrap();
        }
        b.build().unwrap()
    }

    /// The complete return of period `p`.
    fn find(r: &[PeriodReturn], p: Period) -> Option<f64> {
        r.iter()
            .find(|x| x.period == p && !x.partial)
            .map(|x| x.value)
    }

    /// The partial return of period `p`: (start, end, value).
    fn find_partial(r: &[PeriodReturn], p: Period) -> Option<(Date, Date, f64)> {
        r.iter()
            .find(|x| x.period == p && x.partial)
            .map(|x| (x.start, x.end, x.value))
    }

    /// Daily returns of `value` on every weekday from `from` to `to`, per id, except the
    /// listed (id, date) pairs.
    fn weekdays(ids: &[&str], from: &str, to: &str, value: f64, missing: &[(&str, &str)]) -> Panel {
        let mut b = PanelBuilder::new(SeriesKind::Returns, 1.0);
        let (mut day, mut line) = (d(from), 2);
        while day <= d(to) {
            if day.weekday() < 5 {
                for id in ids {
                    if !missing.contains(&(*id, &day.to_string())) {
                        b.push(id, day, value, Position::Line(line), "value")
                            .unwrap();
                        line += 1;
                    }
                }
            }
            day = day.add_days(1);
        }
        b.build().unwrap()
    }

    #[test]
    fn monthly_returns_hand_computed() {
        // 2020: twelve months of +1% → 1.01^12 − 1 = 0.12682503013196977
        // 2021: Jan..Mar of −2%, +3%, +0.5% → 0.98·1.03·1.005 − 1 = 0.014447
        let mut rows = Vec::new();
        let months: Vec<String> = (1..=12).map(|m| format!("2020-{m:02}")).collect();
        for m in &months {
            rows.push((m.as_str(), 0.01));
        }
        rows.extend([("2021-01", -0.02), ("2021-02", 0.03), ("2021-03", 0.005)]);
        let p = panel(SeriesKind::Returns, &rows);
        let r = period_returns(&p, &[1, 3]);
        assert!((find(&r, Period::Year(2020)).unwrap() - 0.126_825_030_131_969_77).abs() < 1e-12);
        assert_eq!(find(&r, Period::Year(2021)), None, "2021 is not complete");
        assert!((find(&r, Period::Ytd).unwrap() - (0.98 * 1.03 * 1.005 - 1.0)).abs() < 1e-12);
        // 1Y to 2021-03-31 starts at 2020-03-31: Apr..Dec 2020 (9 × 1%) and Jan..Mar 2021
        let one = 1.01f64.powi(9) * 0.98 * 1.03 * 1.005 - 1.0;
        assert!((find(&r, Period::Trailing(1)).unwrap() - one).abs() < 1e-12);
        assert_eq!(
            find(&r, Period::Trailing(3)),
            None,
            "not enough history for 3Y"
        );
        let y2020 = r.iter().find(|x| x.period == Period::Year(2020)).unwrap();
        assert_eq!((y2020.start, y2020.end), (d("2019-12-31"), d("2020-12-31")));
    }

    #[test]
    fn prices_and_annualisation() {
        // Price doubles over exactly 3 years: 3Y annualised = 2^(1/3) − 1.
        let p = panel(
            SeriesKind::Prices,
            &[
                ("2018-12-31", 100.0),
                ("2019-12-31", 120.0),
                ("2020-12-31", 150.0),
                ("2021-12-31", 200.0),
            ],
        );
        let r = period_returns(&p, &[1, 3, 5]);
        assert!(
            (find(&r, Period::Trailing(3)).unwrap() - (2f64.powf(1.0 / 3.0) - 1.0)).abs() < 1e-12
        );
        assert!((find(&r, Period::Trailing(1)).unwrap() - (200.0 / 150.0 - 1.0)).abs() < 1e-12);
        assert_eq!(find(&r, Period::Trailing(5)), None);
        assert!((find(&r, Period::Year(2019)).unwrap() - 0.2).abs() < 1e-12);
        assert!((find(&r, Period::Year(2020)).unwrap() - 0.25).abs() < 1e-12);
        assert!((find(&r, Period::Year(2021)).unwrap() - (200.0 / 150.0 - 1.0)).abs() < 1e-12);
        assert_eq!(find(&r, Period::Year(2018)), None, "no base before 2018");
    }

    #[test]
    fn a_missing_return_voids_the_periods_that_span_it() {
        // 2021 complete; 2022 misses June; 2023 complete
        let mut b = PanelBuilder::new(SeriesKind::Returns, 1.0);
        let mut line = 2;
        for y in 2021..=2023 {
            for m in 1..=12u32 {
                for (id, skip) in [("A", false), ("B", y == 2022 && m == 6)] {
                    if !skip {
                        b.push(
                            id,
                            Date::month_end(y, m).unwrap(),
                            0.01,
                            Position::Line(line),
                            "value",
                        )
                        .unwrap();
                    }
                    line += 1;
                }
            }
        }
        let p = b.build().unwrap();
        let r = period_returns(&p, &[1, 3]);
        let of = |id: usize, per: Period| {
            r.iter()
                .find(|x| x.id == id && x.period == per)
                .map(|x| x.value)
        };
        assert!(
            of(1, Period::Year(2022)).is_none(),
            "2022 spans B's missing June"
        );
        assert!(
            (of(1, Period::Year(2023)).unwrap() - (1.01f64.powi(12) - 1.0)).abs() < 1e-12,
            "after the gap is fine"
        );
        assert!((of(1, Period::Year(2021)).unwrap() - (1.01f64.powi(12) - 1.0)).abs() < 1e-12);
        assert!(of(1, Period::Trailing(3)).is_none());
        assert!(of(1, Period::Trailing(1)).is_some());
        assert!(of(0, Period::Year(2022)).is_some() && of(0, Period::Trailing(3)).is_some());
    }

    #[test]
    fn daily_year_ends_with_weekend_slack() {
        // Daily prices: last print of 2021 on Thu 2021-12-30, first of 2022 on Mon 2022-01-03.
        let p = panel(
            SeriesKind::Prices,
            &[
                ("2021-12-28", 10.0),
                ("2021-12-29", 10.1),
                ("2021-12-30", 10.0),
                ("2022-01-03", 10.5),
                ("2022-01-04", 11.0),
            ],
        );
        let r = period_returns(&p, &[]);
        let ytd = r.iter().find(|x| x.period == Period::Ytd).unwrap();
        assert_eq!(ytd.start, d("2021-12-30"));
        assert!((ytd.value - 0.1).abs() < 1e-12);
        assert_eq!(find(&r, Period::Year(2021)), None);
    }

    #[test]
    fn one_year_of_daily_data_starting_mid_year() {
        // +0.1% on every weekday from Fri 2024-03-01 to Fri 2025-02-28: 218 weekdays in
        // 2024, 43 in 2025, 261 in all; the base level is dated 2024-02-29.
        let p = weekdays(&["F"], "2024-03-01", "2025-02-28", 0.001, &[]);
        let r = period_returns(&p, &[1, 3, 5]);
        assert_eq!(r.len(), 3, "{r:?}");
        // 2024 from the first observation, marked partial.
        let (s, e, v) = find_partial(&r, Period::Year(2024)).unwrap();
        assert_eq!((s, e), (d("2024-02-29"), d("2024-12-31")));
        assert!((v - (1.001f64.powi(218) - 1.0)).abs() < 1e-12);
        assert_eq!(find(&r, Period::Year(2024)), None);
        // YTD 2025 from the 2024 year end is complete.
        assert!((find(&r, Period::Ytd).unwrap() - (1.001f64.powi(43) - 1.0)).abs() < 1e-12);
        // 1Y would start on 2024-02-28, a day before the base: partial, 365 days (under a
        // year of 365.25 days) so not annualised. 3Y and 5Y would repeat it.
        let (s, e, v) = find_partial(&r, Period::Trailing(1)).unwrap();
        assert_eq!((s, e), (d("2024-02-29"), d("2025-02-28")));
        assert!((v - (1.001f64.powi(261) - 1.0)).abs() < 1e-12);
        assert!(r
            .iter()
            .all(|x| !matches!(x.period, Period::Trailing(3 | 5))));
    }

    #[test]
    fn partial_trailing_window_is_annualised_over_the_years_it_covers() {
        // Prices 100 on 2019-12-31 and 150 on 2021-12-31 (731 days): 3Y partial,
        // 1.5^(365.25/731) − 1; 5Y would repeat it.
        let p = panel(
            SeriesKind::Prices,
            &[
                ("2019-12-31", 100.0),
                ("2020-12-31", 120.0),
                ("2021-12-31", 150.0),
            ],
        );
        let r = period_returns(&p, &[5, 3, 1]);
        let (s, _, v) = find_partial(&r, Period::Trailing(3)).unwrap();
        assert_eq!(s, d("2019-12-31"));
        assert!((v - (1.5f64.powf(365.25 / 731.0) - 1.0)).abs() < 1e-12);
        assert!(find_partial(&r, Period::Trailing(5)).is_none());
        assert!((find(&r, Period::Trailing(1)).unwrap() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn a_series_with_a_gap_gets_no_partial_period_across_it() {
        // July 2024 weekdays (23); B misses 2024-07-10. A: YTD and 1Y from its base
        // 2024-06-30, partial. B: every period from its first observation spans the gap.
        let p = weekdays(
            &["A", "B"],
            "2024-07-01",
            "2024-07-31",
            0.001,
            &[("B", "2024-07-10")],
        );
        let r = period_returns(&p, &[1]);
        let a = 1.001f64.powi(23) - 1.0;
        for per in [Period::Ytd, Period::Trailing(1)] {
            let x = r.iter().find(|x| x.id == 0 && x.period == per).unwrap();
            assert!(x.partial && x.start == d("2024-06-30") && (x.value - a).abs() < 1e-12);
        }
        assert_eq!(r.len(), 2, "nothing for B: {r:?}");
    }

    #[test]
    fn nothing_computable_says_why() {
        let p = weekdays(
            &["A", "B"],
            "2024-07-01",
            "2024-07-31",
            0.001,
            &[("A", "2024-07-10"), ("B", "2024-07-11")],
        );
        assert!(period_returns(&p, &[1, 3]).is_empty());
        assert_eq!(
            explain_no_period_returns(&p),
            "no period return can be computed: \
             series 'A' misses its return of 2024-07-10 (its observations run from 2024-06-30 \
             to 2024-07-31), and no year end or window start after it has an observation within 7 days; \
             series 'B' misses its return of 2024-07-11 (its observations run from 2024-06-30 \
             to 2024-07-31), and no year end or window start after it has an observation within 7 days"
        );
    }
}
