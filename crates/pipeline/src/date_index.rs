//! Finding a requested date (`--date`) among a table's dates, or saying which are near.

use peergroup_data::{Date, InputError};

/// Index of `date` in the sorted `dates` of a table of `what` (e.g. `exposures`,
/// `similarities`); when it is not there, an error naming the dates on either side of it
/// and the table's range, e.g. `no exposures dated 2021-06-15; nearest dates: 2021-06-11,
/// 2021-06-18 (first 2019-01-04, last 2023-12-29, 209 dates)`. The caller names the file.
pub fn date_index(dates: &[Date], date: Date, what: &str) -> Result<usize, InputError> {
    let k = match dates.binary_search(&date) {
        Ok(k) => return Ok(k),
        Err(k) => k,
    };
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
        return Err(InputError::new(format!(
            "no {what} dated {date}: the table has no dates"
        )));
    };
    let near: Vec<String> = [k.checked_sub(1), Some(k)]
        .into_iter()
        .flatten()
        .filter_map(|i| dates.get(i))
        .map(Date::to_string)
        .collect();
    let nearest = if near.len() == 1 {
        format!("nearest date: {}", near[0])
    } else {
        format!("nearest dates: {}", near.join(", "))
    };
    let count = match dates.len() {
        1 => "1 date".to_string(),
        n => format!("{n} dates"),
    };
    Err(InputError::new(format!(
        "no {what} dated {date}; {nearest} (first {first}, last {last}, {count})"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    /// Fridays from 2019-01-04 to 2023-12-29: 261 dates.
    fn fridays() -> Vec<Date> {
        let mut out = vec![d("2019-01-04")];
        while *out.last().unwrap() < d("2023-12-29") {
            out.push(out.last().unwrap().add_days(7));
        }
        out
    }

    fn message(dates: &[Date], date: &str) -> String {
        date_index(dates, d(date), "exposures")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_present_date_gives_its_index() {
        let dates = fridays();
        assert_eq!(date_index(&dates, d("2019-01-11"), "exposures").unwrap(), 1);
        assert_eq!(
            date_index(&dates, d("2023-12-29"), "exposures").unwrap(),
            dates.len() - 1
        );
    }

    #[test]
    fn a_missing_date_lists_its_neighbours_and_the_range() {
        let dates = fridays();
        assert_eq!(dates.len(), 261);
        assert_eq!(
            message(&dates, "2021-06-15"),
            "no exposures dated 2021-06-15; nearest dates: 2021-06-11, 2021-06-18 \
             (first 2019-01-04, last 2023-12-29, 261 dates)"
        );
        assert_eq!(
            message(&dates, "2018-12-31"),
            "no exposures dated 2018-12-31; nearest date: 2019-01-04 \
             (first 2019-01-04, last 2023-12-29, 261 dates)"
        );
        assert_eq!(
            message(&dates, "2024-01-02"),
            "no exposures dated 2024-01-02; nearest date: 2023-12-29 \
             (first 2019-01-04, last 2023-12-29, 261 dates)"
        );
        assert_eq!(
            message(&dates[..1], "2019-01-05"),
            "no exposures dated 2019-01-05; nearest date: 2019-01-04 \
             (first 2019-01-04, last 2019-01-04, 1 date)"
        );
        assert_eq!(
            message(&[], "2019-01-05"),
            "no exposures dated 2019-01-05: the table has no dates"
        );
    }
}
