//! Charts of the industry stage: total-return indices and the YTD leaders and laggards.

use peergroup_data::Date;
use peergroup_report::{BarChart, LineChart, Series, XAxis};
use peergroup_returns::{Effects, RankRow, Side};

use super::Chart;

/// Most lines drawn by [`total_return_chart`]; further ids are left out.
const MAX_LINES: usize = 20;

/// The `n` ids of `effects` with the largest AUM on their last date, largest first (ties
/// in id order), e.g. to choose the lines of [`total_return_chart`].
pub fn largest_by_aum(effects: &Effects, n: usize) -> Vec<String> {
    let last_aum = |g: usize| {
        effects
            .rows(g)
            .last()
            .map_or(f64::NEG_INFINITY, |i| effects.aum[i])
    };
    let mut order: Vec<usize> = (0..effects.ids.len()).collect();
    order.sort_by(|&a, &b| last_aum(b).total_cmp(&last_aum(a)).then(a.cmp(&b)));
    order
        .into_iter()
        .take(n)
        .map(|g| effects.ids[g].clone())
        .collect()
}

/// Total-return index lines (1 on each id's first date) over time of the given ids of
/// `effects`, in the order given; unknown ids are skipped and at most 20 lines drawn.
pub fn total_return_chart(effects: &Effects, ids: &[String], title: &str) -> Chart {
    let series = ids
        .iter()
        .filter_map(|id| effects.ids.iter().position(|x| x == id))
        .take(MAX_LINES)
        .map(|g| Series {
            name: effects.ids[g].clone(),
            points: effects
                .rows(g)
                .map(|i| (effects.dates[i].days() as f64, effects.total_return[i]))
                .collect(),
        })
        .collect();
    Chart::Line(LineChart {
        title: title.to_string(),
        x_label: "date".into(),
        y_label: "total-return index (start = 1)".into(),
        x_axis: XAxis::Dates,
        log_y: false,
        series,
    })
}

/// Year-to-date return (%) on `date` of the top and bottom lists of a ranking (`ids`
/// are the ranked series' names) as horizontal bars: the top list best first, then the
/// bottom list; ids ranked in neither list are left out.
pub fn ytd_chart(ids: &[String], ranks: &[RankRow], date: Date) -> Chart {
    let mut rows: Vec<&RankRow> = ranks
        .iter()
        .filter(|r| r.date == date && r.side != Side::Middle)
        .collect();
    rows.sort_by(|a, b| b.ytd.total_cmp(&a.ytd).then(a.id.cmp(&b.id)));
    let (top, bottom) = (
        rows.iter().filter(|r| r.side == Side::Top).count(),
        rows.iter().filter(|r| r.side == Side::Bottom).count(),
    );
    Chart::Bar(BarChart {
        title: format!("YTD return on {date}: top {top} and bottom {bottom}"),
        value_label: "YTD return (%)".into(),
        labels: rows
            .iter()
            .map(|r| ids.get(r.id).cloned().unwrap_or_default())
            .collect(),
        values: rows.iter().map(|r| 100.0 * r.ytd).collect(),
        horizontal: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effects() -> Effects {
        let d = |m| Date::month_end(2021, m).unwrap();
        Effects {
            ids: ["small", "big", "mid"].map(String::from).to_vec(),
            offsets: vec![0, 2, 4, 6],
            dates: vec![d(1), d(2), d(1), d(2), d(1), d(2)],
            aum: vec![5.0, 6.0, 90.0, 100.0, 40.0, 50.0],
            price_effect: vec![f64::NAN; 6],
            subscription_effect: vec![f64::NAN; 6],
            daily_return: vec![f64::NAN; 6],
            total_return: vec![1.0, 1.1, 1.0, 0.9, 1.0, 1.05],
        }
    }

    #[test]
    fn lines_of_the_largest_ids() {
        let e = effects();
        let largest = largest_by_aum(&e, 2);
        assert_eq!(largest, vec!["big", "mid"]);
        let Chart::Line(chart) = total_return_chart(&e, &largest, "TR") else {
            panic!("lines")
        };
        assert_eq!(chart.series.len(), 2);
        assert_eq!(chart.series[0].name, "big");
        let ys: Vec<f64> = chart.series[0].points.iter().map(|p| p.1).collect();
        assert_eq!(ys, vec![1.0, 0.9]);
        assert_eq!(chart.series[0].points[1].0, e.dates[3].days() as f64);
    }

    #[test]
    fn ytd_bars_list_top_then_bottom_on_the_date() {
        let (d1, d2) = (
            Date::month_end(2021, 1).unwrap(),
            Date::month_end(2021, 2).unwrap(),
        );
        let row = |date, id, ytd, side| RankRow {
            date,
            id,
            ytd,
            rank: 1,
            max_rank: 4,
            side,
        };
        let ranks = [
            row(d1, 0, 0.5, Side::Top),
            row(d2, 0, -0.02, Side::Bottom),
            row(d2, 1, 0.10, Side::Top),
            row(d2, 2, 0.01, Side::Middle),
            row(d2, 3, 0.04, Side::Top),
        ];
        let ids = ["a", "b", "c", "d"].map(String::from).to_vec();
        let Chart::Bar(bars) = ytd_chart(&ids, &ranks, d2) else {
            panic!("bars")
        };
        assert_eq!(bars.labels, vec!["b", "d", "a"]);
        assert_eq!(bars.values, vec![10.0, 4.0, -2.0]);
        assert!(bars
            .title
            .starts_with("YTD return on 2021-02-28: top 2 and bottom 1"));
    }
}
