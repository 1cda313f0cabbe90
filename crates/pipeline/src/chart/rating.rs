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
