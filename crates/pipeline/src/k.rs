//! The number of clusters: given, or chosen by the stage's criterion.

use std::str::FromStr;

/// How many clusters (peer groups, segments) to form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KChoice {
    /// A given number (at least 1).
    Fixed(usize),
    /// Chosen by the stage's criterion (BIC for peer groups, `KRule` for segments).
    #[default]
    Auto,
}

impl std::fmt::Display for KChoice {
    /// `auto` or the number, as [`FromStr`] reads it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KChoice::Fixed(k) => write!(f, "{k}"),
            KChoice::Auto => f.write_str("auto"),
        }
    }
}

impl FromStr for KChoice {
    type Err = String;

    /// Parse `auto` or a positive number.
    fn from_str(s: &str) -> Result<KChoice, String> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(KChoice::Auto);
        }
        match s.parse::<usize>() {
            Ok(k) if k >= 1 => Ok(KChoice::Fixed(k)),
            _ => Err(format!(
                "expected 'auto' or a positive number of clusters, got '{s}'"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_auto_and_numbers() {
        assert_eq!("AUTO".parse(), Ok(KChoice::Auto));
        assert_eq!("4".parse(), Ok(KChoice::Fixed(4)));
        assert!("0".parse::<KChoice>().unwrap_err().contains("positive"));
        assert!("x".parse::<KChoice>().is_err());
        for k in [KChoice::Auto, KChoice::Fixed(7)] {
            assert_eq!(k.to_string().parse(), Ok(k));
        }
    }
}
