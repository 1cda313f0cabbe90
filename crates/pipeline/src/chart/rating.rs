//! Charts of the rating stage: gain against risk, coloured by stars or by class.

use peergroup_rating::Level;
use peergroup_report::{Scatter, ScatterPoint};

use super::Chart;
use crate::rating::FundRating;

/// Most funds whose names are written next to their points.
const MAX_NAMED: usize = 40;

/// What colours the points of [`ratings_chart_by`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatingColour {
    /// The 1–5 stars.
    Stars,
    /// The gain class (low, medium, high).
    Gain,
    /// The risk class (low, medium, high).
    Risk,
}

/// Gain (mean calendar-year return, % per year) against risk score (standardised units)
/// of the rated funds, one colour per star count; unrated funds are left out.
pub fn ratings_chart(rows: &[FundRating], title: &str) -> Chart {
    ratings_chart_by(rows, title, RatingColour::Stars)
}

/// Gain (mean calendar-year return, % per year) against risk score (standardised units)
/// of the rated funds, coloured by stars or by gain or risk class, legend in rising
/// order; unrated funds are left out, and funds are named at their points when there
/// are at most 40.
pub fn ratings_chart_by(rows: &[FundRating], title: &str, by: RatingColour) -> Chart {
    let named = rows.len() <= MAX_NAMED;
    let level_rank = |l: Level| match l {
        Level::Low => 0,
        Level::Medium => 1,
        Level::High => 2,
    };
    let mut points: Vec<(u8, ScatterPoint)> = rows
        .iter()
        .filter_map(|r| {
            let (gain, risk, stars) = r.class?;
            let (rank, group) = match by {
                RatingColour::Stars => (
                    stars,
                    format!("{stars} star{}", if stars == 1 { "" } else { "s" }),
                ),
                RatingColour::Gain => (level_rank(gain), format!("{} gain", gain.as_str())),
                RatingColour::Risk => (level_rank(risk), format!("{} risk", risk.as_str())),
            };
            let point = ScatterPoint {
                x: r.risk,
                y: 100.0 * r.gain,
                group,
                label: named.then(|| r.fund.clone()),
            };
            Some((rank, point))
        })
        .collect();
    // Groups are coloured in order of first appearance: sorting puts the legend in order.
    points.sort_by_key(|p| p.0);
    Chart::Scatter(Scatter {
        title: title.into(),
        x_label: "risk score (mean of standardised v_min, v_standard, v_turmoil)".into(),
        y_label: "gain: mean calendar-year return (%)".into(),
        points: points.into_iter().map(|p| p.1).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rating::{rate, RateSettings};
    use crate::Named;
    use peergroup_calendar::Frequency;
    use peergroup_data::{Panel, SeriesKind};
    use peergroup_synth::{garch_universe, GarchConfig};

    #[test]
    fn points_are_the_rated_funds_coloured_in_rising_order() {
        let synth = garch_universe(&GarchConfig {
            funds: 12,
            periods: 800,
            seed: 5,
            ..Default::default()
        });
        let ids = synth.funds.iter().map(|f| f.name.clone()).collect();
        let panel = Panel::new(
            ids,
            synth.dates.clone(),
            synth.returns.clone(),
            SeriesKind::Returns,
            Frequency::Daily,
        )
        .unwrap();
        let rows = rate(Named::new(&panel, "r"), &RateSettings::default()).unwrap();
        let rated: Vec<&FundRating> = rows.iter().filter(|r| r.class.is_some()).collect();
        assert!(rated.len() >= 3);

        let Chart::Scatter(by_stars) = ratings_chart(&rows, "t") else {
            panic!("a scatter")
        };
        assert_eq!(by_stars.points.len(), rated.len());
        for p in &by_stars.points {
            let r = rated
                .iter()
                .find(|r| Some(&r.fund) == p.label.as_ref())
                .expect("points named by fund");
            assert_eq!((p.x, p.y), (r.risk, 100.0 * r.gain));
            let stars = r.class.unwrap().2;
            assert!(p.group.starts_with(&format!("{stars} star")));
        }
        let stars: Vec<&str> = by_stars.points.iter().map(|p| &p.group[..1]).collect();
        assert!(stars.windows(2).all(|w| w[0] <= w[1]), "{stars:?}");

        let Chart::Scatter(by_gain) = ratings_chart_by(&rows, "t", RatingColour::Gain) else {
            panic!("a scatter")
        };
        let rank = |g: &str| {
            ["low gain", "medium gain", "high gain"]
                .iter()
                .position(|x| *x == g)
        };
        let ranks: Vec<usize> = by_gain
            .points
            .iter()
            .map(|p| rank(&p.group).unwrap())
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    }
}
