//! Generational cohorts from birth year or age (Pew Research cut-offs).

use std::fmt;

use peergroup_calendar::Date;

/// Generational cohort by birth year (Pew Research cut-offs; module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Generation {
    /// Born 1997 or later.
    GenZ,
    /// Born 1981–1996.
    Millennial,
    /// Born 1965–1980.
    GenX,
    /// Born 1964 or earlier.
    Boomer,
}

impl Generation {
    /// Every generation, youngest first.
    pub const ALL: [Generation; 4] = [
        Generation::GenZ,
        Generation::Millennial,
        Generation::GenX,
        Generation::Boomer,
    ];

    /// Display name (`Gen Z`, `Millennial`, `Gen X`, `Boomer`).
    pub fn name(self) -> &'static str {
        match self {
            Generation::GenZ => "Gen Z",
            Generation::Millennial => "Millennial",
            Generation::GenX => "Gen X",
            Generation::Boomer => "Boomer",
        }
    }

    /// The generation of someone born in `year`.
    pub fn from_birth_year(year: i32) -> Generation {
        match year {
            y if y >= 1997 => Generation::GenZ,
            y if y >= 1981 => Generation::Millennial,
            y if y >= 1965 => Generation::GenX,
            _ => Generation::Boomer,
        }
    }

    /// The generation of someone `age` years old on `as_of` (birth year = year − ⌊age⌋).
    pub fn from_age(age: f64, as_of: Date) -> Generation {
        Generation::from_birth_year(as_of.year() - age.floor() as i32)
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_follow_pew_cutoffs() {
        let d2024 = Date::from_ymd(2024, 6, 30).unwrap();
        let g = |age: f64| Generation::from_age(age, d2024);
        assert_eq!(g(27.9), Generation::GenZ);
        assert_eq!(g(28.0), Generation::Millennial);
        assert_eq!(g(43.0), Generation::Millennial);
        assert_eq!(g(44.0), Generation::GenX);
        assert_eq!(g(59.5), Generation::GenX);
        assert_eq!(g(60.0), Generation::Boomer);
        assert_eq!(g(8.0), Generation::GenZ);
        let d2021 = Date::from_ymd(2021, 9, 30).unwrap();
        assert_eq!(Generation::from_age(24.0, d2021), Generation::GenZ);
        assert_eq!(Generation::from_age(25.0, d2021), Generation::Millennial);
    }
}
