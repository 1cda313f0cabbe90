//! Calendar dates and observation frequencies.
//!
//! Fund data arrive as daily NAVs, weekly or monthly returns, with dates written as
//! `YYYY-MM-DD`, `YYYY-MM` or `YYYYMM`. This crate turns them into one compact [`Date`]
//! (days since 1970-01-01, proleptic Gregorian) so that every later stage compares and
//! subtracts dates as integers, and it classifies a date grid as daily, weekly or monthly.
//!
//! Monthly dates without a day (`2021-03`, `202103`) denote the *end* of the month, the
//! moment a monthly return is earned.

use std::fmt;

mod shown;

pub use shown::{one_line, shown, SHOWN_CHARS};

/// A calendar date, stored as days since 1970-01-01 (negative before).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date(i32);

/// Days in each month of a non-leap year.
const MONTH_DAYS: [u8; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1..=12) of `year`.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    if month == 2 && is_leap_year(year) {
        29
    } else {
        MONTH_DAYS[(month - 1) as usize] as u32
    }
}

impl Date {
    /// The date `year-month-day`, or `None` if it does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if !(-9999..=9999).contains(&year) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// The last day of `month` in `year`.
    pub fn month_end(year: i32, month: u32) -> Option<Date> {
        if !(1..=12).contains(&month) {
            return None;
        }
        Date::from_ymd(year, month, days_in_month(year, month))
    }

    /// The date `days` days after 1970-01-01.
    pub const fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i32 {
        self.0
    }

    /// `(year, month, day)` of this date.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// Month 1..=12.
    pub fn month(self) -> u32 {
        self.ymd().1
    }

    /// Day of week, 0 = Monday .. 6 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        (self.0 + 3).rem_euclid(7) as u32
    }

    /// This date shifted by `days` days.
    pub fn add_days(self, days: i32) -> Date {
        Date(self.0 + days)
    }

    /// The same day `years` years earlier (29 Feb maps to 28 Feb in non-leap years).
    pub fn minus_years(self, years: i32) -> Date {
        let (y, m, d) = self.ymd();
        let y2 = y - years;
        let d2 = d.min(days_in_month(y2, m));
        Date(days_from_civil(y2, m, d2))
    }

    /// The same day `months` months earlier, clamped to the end of a shorter month.
    pub fn minus_months(self, months: i32) -> Date {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m as i32 - 1) - months;
        let y2 = total.div_euclid(12);
        let m2 = (total.rem_euclid(12) + 1) as u32;
        let d2 = d.min(days_in_month(y2, m2));
        Date(days_from_civil(y2, m2, d2))
    }

    /// Last day of the previous calendar year (e.g. 2020-12-31 for any date in 2021).
    pub fn previous_year_end(self) -> Date {
        Date(days_from_civil(self.year() - 1, 12, 31))
    }

    /// Parse `YYYY-MM-DD`, `YYYYMMDD`, `YYYY-MM` or `YYYYMM` (month forms give the month end).
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let s = text.trim();
        let b = s.as_bytes();
        let bad = || DateError {
            text: text.to_string(),
        };
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = b.get(r)?;
            if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(
                part.iter()
                    .fold(0u32, |acc, d| acc * 10 + (d - b'0') as u32),
            )
        };
        let date = match b.len() {
            10 if b[4] == b'-' && b[7] == b'-' => Date::from_ymd(
                num(0..4).ok_or_else(bad)? as i32,
                num(5..7).ok_or_else(bad)?,
                num(8..10).ok_or_else(bad)?,
            ),
            8 if b.iter().all(u8::is_ascii_digit) => Date::from_ymd(
                num(0..4).ok_or_else(bad)? as i32,
                num(4..6).ok_or_else(bad)?,
                num(6..8).ok_or_else(bad)?,
            ),
            7 if b[4] == b'-' => Date::month_end(
                num(0..4).ok_or_else(bad)? as i32,
                num(5..7).ok_or_else(bad)?,
            ),
            6 if b.iter().all(u8::is_ascii_digit) => Date::month_end(
                num(0..4).ok_or_else(bad)? as i32,
                num(4..6).ok_or_else(bad)?,
            ),
            _ => None,
        };
        date.ok_or_else(bad)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A date string that is not one of the accepted forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError {
    /// The text that failed to parse.
    pub text: String,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected a date as YYYY-MM-DD, YYYYMMDD, YYYY-MM or YYYYMM, found '{}'",
            shown(&self.text)
        )
    }
}

impl std::error::Error for DateError {}

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// How often a series is observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frequency {
    /// Business or calendar days (typical gap 1 to 4 days).
    Daily,
    /// Weeks (typical gap 5 to 10 days).
    Weekly,
    /// Months (typical gap 25 to 35 days).
    Monthly,
    /// Quarters (typical gap 80 to 100 days).
    Quarterly,
    /// Years (typical gap 350 to 380 days).
    Annual,
}

impl Frequency {
    /// Observations per year, for annualising volatilities and means.
    pub fn periods_per_year(self) -> f64 {
        match self {
            Frequency::Daily => 252.0,
            Frequency::Weekly => 52.0,
            Frequency::Monthly => 12.0,
            Frequency::Quarterly => 4.0,
            Frequency::Annual => 1.0,
        }
    }

    /// Lower-case name (`daily`, `weekly`, `monthly`).
    pub fn name(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Annual => "annual",
        }
    }

    /// Classify a typical gap between consecutive observations, in days.
    pub fn from_gap_days(gap: i32) -> Option<Frequency> {
        match gap {
            1..=4 => Some(Frequency::Daily),
            5..=10 => Some(Frequency::Weekly),
            25..=35 => Some(Frequency::Monthly),
            80..=100 => Some(Frequency::Quarterly),
            350..=380 => Some(Frequency::Annual),
            _ => None,
        }
    }

    /// The frequency of strictly increasing `dates`, from the median gap between them.
    /// `None` with fewer than two dates or when the median gap fits no frequency.
    pub fn detect(dates: &[Date]) -> Option<Frequency> {
        median_gap(dates).and_then(Frequency::from_gap_days)
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Median gap in days between consecutive `dates` (lower median), `None` below two dates.
pub fn median_gap(dates: &[Date]) -> Option<i32> {
    if dates.len() < 2 {
        return None;
    }
    let mut gaps: Vec<i32> = dates.windows(2).map(|w| w[1].0 - w[0].0).collect();
    let mid = (gaps.len() - 1) / 2;
    let (_, m, _) = gaps.select_nth_unstable(mid);
    Some(*m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        let start = Date::from_ymd(1900, 1, 1).unwrap().days();
        let end = Date::from_ymd(2300, 12, 31).unwrap().days();
        let mut prev = None;
        for z in start..=end {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
            if let Some((py, pm, pd)) = prev {
                // consecutive days advance the calendar by exactly one day
                let next = if pd < days_in_month(py, pm) {
                    (py, pm, pd + 1)
                } else if pm < 12 {
                    (py, pm + 1, 1)
                } else {
                    (py + 1, 1, 1)
                };
                assert_eq!((y, m, d), next);
            }
            prev = Some((y, m, d));
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days(), 0);
        assert_eq!(Date::from_ymd(2000, 3, 1).unwrap().days(), 11_017);
        assert_eq!(Date::from_ymd(1969, 12, 31).unwrap().days(), -1);
        // 2022-01-03 was a Monday
        assert_eq!(Date::from_ymd(2022, 1, 3).unwrap().weekday(), 0);
        assert_eq!(Date::from_ymd(2022, 1, 9).unwrap().weekday(), 6);
    }

    #[test]
    fn parses_all_forms() {
        let d = Date::parse("2021-03-15").unwrap();
        assert_eq!(d.ymd(), (2021, 3, 15));
        assert_eq!(Date::parse("20210315").unwrap(), d);
        assert_eq!(Date::parse("2021-02").unwrap().ymd(), (2021, 2, 28));
        assert_eq!(Date::parse("202002").unwrap().ymd(), (2020, 2, 29));
        assert_eq!(Date::parse(" 1949-01 ").unwrap().ymd(), (1949, 1, 31));
        assert_eq!(d.to_string(), "2021-03-15");
    }

    #[test]
    fn rejects_bad_dates() {
        for s in [
            "",
            "2021",
            "2021-13",
            "2021-02-30",
            "202113",
            "2021/03/15",
            "15-03-2021",
            "abcd-ef-gh",
            "2021-3-5",
            "2021-00-10",
            "NaN",
        ] {
            assert!(Date::parse(s).is_err(), "{s} should not parse");
        }
        let e = Date::parse("2021/03/15").unwrap_err();
        assert!(e.to_string().contains("'2021/03/15'"));
    }

    #[test]
    fn calendar_arithmetic() {
        let d = Date::from_ymd(2020, 2, 29).unwrap();
        assert_eq!(d.minus_years(1).ymd(), (2019, 2, 28));
        assert_eq!(d.minus_years(4).ymd(), (2016, 2, 29));
        assert_eq!(
            Date::from_ymd(2021, 3, 31).unwrap().minus_months(1).ymd(),
            (2021, 2, 28)
        );
        assert_eq!(
            Date::from_ymd(2021, 1, 15).unwrap().minus_months(13).ymd(),
            (2019, 12, 15)
        );
        assert_eq!(d.previous_year_end().ymd(), (2019, 12, 31));
    }

    #[test]
    fn detects_frequency() {
        let daily: Vec<Date> = (0..30)
            .map(|i| Date::from_ymd(2022, 1, 3).unwrap().add_days(i))
            .filter(|d| d.weekday() < 5)
            .collect();
        assert_eq!(Frequency::detect(&daily), Some(Frequency::Daily));
        let weekly: Vec<Date> = (0..10).map(|i| Date::from_days(i * 7)).collect();
        assert_eq!(Frequency::detect(&weekly), Some(Frequency::Weekly));
        let monthly: Vec<Date> = (1..=12)
            .map(|m| Date::month_end(2021, m).unwrap())
            .collect();
        assert_eq!(Frequency::detect(&monthly), Some(Frequency::Monthly));
        let yearly: Vec<Date> = (2000..2010)
            .map(|y| Date::month_end(y, 12).unwrap())
            .collect();
        assert_eq!(Frequency::detect(&yearly), Some(Frequency::Annual));
        let odd: Vec<Date> = (0..10).map(|i| Date::from_days(i * 50)).collect();
        assert_eq!(Frequency::detect(&odd), None);
        assert_eq!(Frequency::detect(&monthly[..1]), None);
    }
}
