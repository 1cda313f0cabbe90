//! Helpers shared by the integration tests.

use peergroup_data::Date;

/// The date `s` (`YYYY-MM-DD` or any form [`Date::parse`] takes).
pub fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}
