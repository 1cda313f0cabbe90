//! Calendar quarters and month indices.

use std::fmt;

use peergroup_calendar::Date;

/// A calendar quarter (Q1 = January–March).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter(i32);

impl Quarter {
    /// Quarter `number` (1..=4) of `year`, or `None` if `number` is out of range.
    pub fn new(year: i32, number: u32) -> Option<Quarter> {
        (1..=4)
            .contains(&number)
            .then(|| Quarter(year * 4 + number as i32 - 1))
    }

    /// The quarter holding `date`.
    pub fn of(date: Date) -> Quarter {
        let (y, m, _) = date.ymd();
        Quarter(y * 4 + (m as i32 - 1) / 3)
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(4)
    }

    /// Quarter of the year, 1..=4.
    pub fn number(self) -> u32 {
        self.0.rem_euclid(4) as u32 + 1
    }

    /// The quarter `n` quarters later (earlier for negative `n`).
    pub fn offset(self, n: i32) -> Quarter {
        Quarter(self.0 + n)
    }

    /// First month of the quarter as a month index `year·12 + month − 1`.
    pub(super) fn first_month_index(self) -> i32 {
        self.year() * 12 + 3 * (self.number() as i32 - 1)
    }

    /// Last day of the quarter.
    pub fn end(self) -> Date {
        Date::month_end(self.year(), 3 * self.number()).expect("valid quarter")
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year(), self.number())
    }
}

/// Month index `year·12 + month − 1` of a date.
pub(super) fn month_index(d: Date) -> i32 {
    let (y, m, _) = d.ymd();
    y * 12 + m as i32 - 1
}

/// The last day of month index `i`.
pub(super) fn month_end_of_index(i: i32) -> Date {
    Date::month_end(i.div_euclid(12), i.rem_euclid(12) as u32 + 1).expect("valid month")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_and_months() {
        let d = Date::from_ymd(2020, 11, 30).unwrap();
        let q = Quarter::of(d);
        assert_eq!(q.to_string(), "2020Q4");
        assert_eq!(q.offset(1).to_string(), "2021Q1");
        assert_eq!(q.offset(-4), Quarter::new(2019, 4).unwrap());
        assert_eq!(q.end(), Date::from_ymd(2020, 12, 31).unwrap());
        assert_eq!(q.first_month_index(), 2020 * 12 + 9);
        assert_eq!(
            month_end_of_index(2020 * 12 + 1),
            Date::from_ymd(2020, 2, 29).unwrap()
        );
        assert_eq!(Quarter::new(2020, 5), None);
        assert_eq!(
            Quarter::of(Date::from_ymd(-1, 1, 1).unwrap()).to_string(),
            "-1Q1"
        );
    }
}
