//! The number of clusters: given, or chosen by a rule.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How many clusters (peer groups, segments) to form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KChoice {
    /// A given number (at least 1).
    Fixed(usize),
    /// Chosen by the stage's [`KRule`] in 1..=k-max.
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

/// How `--k auto` chooses k: the same names in every command that chooses k.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum KRule {
    /// Best BIC of Gaussian mixtures (the rule of `--method gmm` and of `cluster`).
    Bic,
    /// Widest mean silhouette width; k = 1 when even that is at most 0.25.
    Silhouette,
    /// Tibshirani's gap statistic.
    Gap,
}

impl KRule {
    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            KRule::Bic => "bic",
            KRule::Silhouette => "silhouette",
            KRule::Gap => "gap",
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
