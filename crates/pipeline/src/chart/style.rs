//! Charts of the style stage: a fund's exposures and how well they explain its returns.

use peergroup_report::{BarChart, Series, StackedArea, XAxis};
use peergroup_style::StyleResult;

use super::Chart;
use crate::style::Aligned;

/// A fund's style exposures (fractions, summing to 1 under the budget constraint): over
/// time as a stacked area with its R² per window as a line on the same axis (R² in the
/// title when the fit is one, e.g. dynamic style analysis), or, for a single
/// whole-sample fit, as bars per factor with R² in the title. None when `fund` is not
/// among the funds or has no exposures. Negative exposures (long-short fits) show as
/// zero in the area, and as bars below zero in the single-fit chart.
pub fn exposures_chart(aligned: &Aligned, result: &StyleResult, fund: &str) -> Option<Chart> {
    let i = aligned.funds.index_of(fund)?;
    let n = result.n_factors;
    let factors = aligned.factors.ids();
    let dates = aligned.factors.dates();
    let rows: Vec<usize> = (0..result.exposures.len())
        .filter(|&r| result.exposures[r].fund == i)
        .collect();
    let fits: Vec<_> = result.fits.iter().filter(|f| f.fund == i).collect();
    let r2_note = |r2: f64| {
        if r2.is_finite() {
            format!(" (R² {r2:.2})")
        } else {
            String::new()
        }
    };
    match rows.as_slice() {
        [] => None,
        [row] => Some(Chart::Bar(BarChart {
            title: format!(
                "{fund}: whole-sample style exposures{}",
                r2_note(fits.first().map_or(f64::NAN, |f| f.r2))
            ),
            value_label: "exposure (fraction; sums to 1 under the budget constraint)".into(),
            labels: factors.to_vec(),
            values: result.betas[row * n..(row + 1) * n].to_vec(),
            horizontal: true,
        })),
        _ => {
            let day = |t: usize| dates[t].days() as f64;
            let layers = (0..n)
                .map(|k| {
                    let values = rows.iter().map(|&r| result.betas[r * n + k]).collect();
                    (factors[k].clone(), values)
                })
                .collect();
            let (title, line) = if fits.len() >= 2 {
                let points = fits.iter().map(|f| (day(f.t), f.r2)).collect();
                let line = Series {
                    name: "R² of the window".into(),
                    points,
                };
                (
                    format!("{fund}: style exposures and R² over time"),
                    Some(line),
                )
            } else {
                let r2 = fits.first().map_or(f64::NAN, |f| f.r2);
                (
                    format!("{fund}: style exposures over time{}", r2_note(r2)),
                    None,
                )
            };
            Some(Chart::Area(StackedArea {
                title,
                x_axis: XAxis::Dates,
                x: rows.iter().map(|&r| day(result.exposures[r].t)).collect(),
                layers,
                y_label: "exposure (fraction; sums to 1)".into(),
                line,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use peergroup_calendar::Frequency;
    use peergroup_data::{Date, Panel, SeriesKind};
    use peergroup_style::analysis::{ExposureRow, Fit};

    fn panel(ids: &[&str], dates: &[Date]) -> Panel {
        let values = vec![0.01; ids.len() * dates.len()];
        let ids = ids.iter().map(|s| s.to_string()).collect();
        Panel::new(
            ids,
            dates.to_vec(),
            values,
            SeriesKind::Returns,
            Frequency::Monthly,
        )
        .unwrap()
    }

    fn fit(fund: usize, t: usize, r2: f64) -> Fit {
        Fit {
            fund,
            t,
            r2,
            ..Fit::default()
        }
    }

    #[test]
    fn rolling_fits_give_areas_with_the_r2_line() {
        let dates: Vec<Date> = (1..=4).map(|m| Date::month_end(2020, m).unwrap()).collect();
        let aligned = Aligned {
            funds: panel(&["A", "B"], &dates),
            factors: panel(&["value", "growth"], &dates),
        };
        // Fund B in windows ending at dates 2 and 3; fund A at date 3 only.
        let result = StyleResult {
            n_factors: 2,
            exposures: vec![
                ExposureRow { fund: 1, t: 2 },
                ExposureRow { fund: 0, t: 3 },
                ExposureRow { fund: 1, t: 3 },
            ],
            betas: vec![0.25, 0.75, 0.5, 0.5, 0.6, 0.4],
            fits: vec![fit(1, 2, 0.9), fit(0, 3, 0.7), fit(1, 3, 0.8)],
        };
        let Some(Chart::Area(area)) = exposures_chart(&aligned, &result, "B") else {
            panic!("an area chart for B");
        };
        let (d2, d3) = (dates[2].days() as f64, dates[3].days() as f64);
        assert_eq!(area.x, vec![d2, d3]);
        assert_eq!(area.layers[0], ("value".to_string(), vec![0.25, 0.6]));
        assert_eq!(area.layers[1], ("growth".to_string(), vec![0.75, 0.4]));
        assert_eq!(area.line.unwrap().points, vec![(d2, 0.9), (d3, 0.8)]);

        let Some(Chart::Bar(bars)) = exposures_chart(&aligned, &result, "A") else {
            panic!("a bar chart for the single fit of A");
        };
        assert_eq!(bars.values, vec![0.5, 0.5]);
        assert_eq!(bars.labels, vec!["value", "growth"]);
        assert!(bars.title.contains("R² 0.70"), "{}", bars.title);

        assert!(exposures_chart(&aligned, &result, "C").is_none());
    }
}
