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
    /// Return as a fraction; annualised for trailing periods of more than one year.
    pub value: f64,
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

/// Calendar-year returns for every full year, YTD, and trailing `trailing_years` returns.
///
/// Levels come from [`Panel::levels`] (returns are compounded from a base of 1 dated one
/// period before the first return). Year y is reported when a level exists within 7 days
/// before the end of y−1 and within 7 days before the end of y. YTD runs from the last
/// year end (same rule) to the last observation. A trailing N-year return needs a level
/// within 7 days before the date N years before the last observation, and is annualised
/// as `(L_end / L_start)^(1/N) − 1` with N in calendar years.
pub fn period_returns(panel: &Panel, trailing_years: &[u32]) -> Vec<PeriodReturn> {
    let mut out = Vec::new();
    for i in 0..panel.n_ids() {
        let levels = panel.levels(i);
        let (Some(&(first, _)), Some(&(last, l_last))) = (levels.first(), levels.last()) else {
            continue;
        };
        for y in first.year()..=last.year() {
            let (Some(y0), Some(y1)) = (Date::from_ymd(y - 1, 12, 31), Date::from_ymd(y, 12, 31))
            else {
                continue;
            };
            if let (Some((d0, l0)), Some((d1, l1))) = (level_at(&levels, y0), level_at(&levels, y1))
            {
                if d0 < d1 && d1.year() == y && !spans_gap(&levels, d0, d1) {
                    out.push(PeriodReturn {
                        id: i,
                        period: Period::Year(y),
                        start: d0,
                        end: d1,
                        value: l1 / l0 - 1.0,
                    });
                }
            }
        }
        if let Some((d0, l0)) = level_at(&levels, last.previous_year_end()) {
            if d0 < last && !spans_gap(&levels, d0, last) {
                out.push(PeriodReturn {
                    id: i,
                    period: Period::Ytd,
                    start: d0,
                    end: last,
                    value: l_last / l0 - 1.0,
                });
            }
        }
        for &n in trailing_years {
            if let Some((d0, l0)) = level_at(&levels, last.minus_years(n as i32)) {
                if d0 < last && !spans_gap(&levels, d0, last) {
                    out.push(PeriodReturn {
                        id: i,
                        period: Period::Trailing(n),
                        start: d0,
                        end: last,
                        value: (l_last / l0).powf(1.0 / n as f64) - 1.0,
                    });
                }
            }
        }
    }
    out
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

    fn find(r: &[PeriodReturn], p: Period) -> Option<f64> {
        r.iter().find(|x| x.period == p).map(|x| x.value)
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
}
