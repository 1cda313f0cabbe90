//! Charts of the returns stage: period returns per fund.

use peergroup_report::Heatmap;
use peergroup_returns::{Period, PeriodReturn};

use super::Chart;

/// Order of periods in a table: calendar years, then YTD, then trailing windows.
fn period_key(p: &Period) -> (u8, i64) {
    match *p {
        Period::Year(y) => (0, y as i64),
        Period::Ytd => (1, 0),
        Period::Trailing(n) => (2, n as i64),
    }
}

/// Period returns (%; trailing periods of more than a year annualised) as a colour table:
/// a row per series (`ids`, in order), a column per period of `periods` (all periods in
/// `rows` when empty: calendar years, then YTD, then trailing), red for losses and blue
/// for gains (white at zero), values written in cells when they fit; missing returns are grey. Above 80
/// series or periods the renderer averages blocks of neighbours.
pub fn periods_chart(ids: &[String], rows: &[PeriodReturn], periods: &[Period]) -> Chart {
    let mut columns: Vec<Period> = if periods.is_empty() {
        rows.iter().map(|r| r.period).collect()
    } else {
        periods.to_vec()
    };
    if periods.is_empty() {
        columns.sort_by_key(period_key);
        columns.dedup();
    }
    let mut values = vec![f64::NAN; ids.len() * columns.len()];
    for r in rows {
        if let (true, Some(k)) = (
            r.id < ids.len(),
            columns.iter().position(|p| *p == r.period),
        ) {
            values[r.id * columns.len() + k] = 100.0 * r.value;
        }
    }
    Chart::Heatmap(Heatmap {
        title: "Period returns (%; trailing periods annualised)".into(),
        row_labels: ids.to_vec(),
        col_labels: columns
            .iter()
            .map(|p| match p {
                Period::Trailing(n) => format!("{n}Y ann."),
                other => other.to_string(),
            })
            .collect(),
        values,
        // The data's range, centred on zero by the diverging colour scale.
        min: f64::NAN,
        max: f64::NAN,
        reversed: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use peergroup_data::Date;

    #[test]
    fn one_row_per_series_and_one_column_per_period() {
        let d = Date::month_end(2020, 12).unwrap();
        let r = |id, period, value| PeriodReturn {
            id,
            period,
            start: d,
            end: d,
            value,
            partial: false,
        };
        let rows = [
            r(0, Period::Trailing(3), 0.05),
            r(0, Period::Year(2020), 0.10),
            r(1, Period::Year(2019), -0.20),
            r(1, Period::Ytd, 0.01),
            r(0, Period::Year(2019), 0.02),
        ];
        let ids = ["A", "B"].map(String::from).to_vec();
        let Chart::Heatmap(h) = periods_chart(&ids, &rows, &[]) else {
            panic!("a colour table")
        };
        assert_eq!(h.col_labels, vec!["2019", "2020", "YTD", "3Y ann."]);
        assert_eq!(h.row_labels, ids);
        let cell = |row: usize, col: usize| h.values[row * 4 + col];
        assert_eq!(cell(0, 0), 2.0);
        assert_eq!(cell(0, 1), 10.0);
        assert!(cell(0, 2).is_nan());
        assert_eq!(cell(0, 3), 5.0);
        assert_eq!(cell(1, 0), -20.0);
        assert_eq!(cell(1, 2), 1.0);

        // Chosen periods, in the order given.
        let Chart::Heatmap(h) = periods_chart(&ids, &rows, &[Period::Ytd, Period::Year(2019)])
        else {
            panic!("a colour table")
        };
        assert_eq!(h.col_labels, vec!["YTD", "2019"]);
        assert_eq!(h.values[2..], [1.0, -20.0]);
    }
}
