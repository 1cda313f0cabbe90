//! The calendar window and its daily market return per fund type.

use peergroup_data::Date;
use peergroup_random::Rng;

use super::InvestorsConfig;

/// Daily return per fund type on weekdays: (mean, sd). Mixed funds lose on average, as
/// in the investment app's September 2021 data (METHODS §0.1); stock funds earn most
/// and swing most.
const MARKET: [(f64, f64); 4] = [
    (0.00016, 0.00002),
    (0.00022, 0.0012),
    (0.0004, 0.011),
    (-0.0002, 0.006),
];

/// The window's days, which of them are weekdays, and the market returns.
pub(super) struct Window {
    pub(super) dates: Vec<Date>,
    pub(super) weekdays: Vec<usize>,
    /// Return per day and fund type (0 on weekends).
    pub(super) returns: Vec<[f64; 4]>,
}

impl Window {
    pub(super) fn new(cfg: &InvestorsConfig) -> Window {
        let dates: Vec<Date> = (0..cfg.days)
            .map(|d| cfg.start.add_days(d as i32))
            .collect();
        let weekdays: Vec<usize> = (0..cfg.days).filter(|&d| dates[d].weekday() < 5).collect();
        let mut rng = Rng::stream(cfg.seed, 0);
        let returns = dates
            .iter()
            .map(|d| {
                let mut r = [0.0; 4];
                if d.weekday() < 5 {
                    for (x, &(mu, sd)) in r.iter_mut().zip(&MARKET) {
                        *x = mu + sd * rng.normal().clamp(-4.0, 4.0);
                    }
                }
                r
            })
            .collect();
        Window {
            dates,
            weekdays,
            returns,
        }
    }
}
