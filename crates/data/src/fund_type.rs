//! The type of mutual fund a balance row is about: one vocabulary for the investor
//! balances table, shared by its generator (`peergroup-synth`) and its reader
//! (`peergroup-segment`).

use std::fmt;

/// The type of mutual fund a balance row is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
// One byte a row in generated balance tables.
#[repr(u8)]
pub enum FundType {
    /// Money-market funds.
    MoneyMarket,
    /// Bond (fixed-income) funds.
    Bond,
    /// Stock (equity) funds.
    Stock,
    /// Mixed (balanced) funds.
    Mixed,
}

impl FundType {
    /// Every fund type, in column (and code) order.
    pub const ALL: [FundType; 4] = [
        FundType::MoneyMarket,
        FundType::Bond,
        FundType::Stock,
        FundType::Mixed,
    ];

    /// Position in [`FundType::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Table name (`money_market`, `bond`, `stock`, `mixed`).
    pub fn name(self) -> &'static str {
        match self {
            FundType::MoneyMarket => "money_market",
            FundType::Bond => "bond",
            FundType::Stock => "stock",
            FundType::Mixed => "mixed",
        }
    }

    /// The table name again ([`FundType::name`]), under the name the generator's other
    /// categorical enums use for their table text.
    pub fn label(self) -> &'static str {
        self.name()
    }

    /// Words for descriptions (`money-market`, `bond`, `stock`, `mixed`).
    pub fn words(self) -> &'static str {
        match self {
            FundType::MoneyMarket => "money-market",
            other => other.name(),
        }
    }

    /// Parse a fund type, case-insensitive, ignoring spaces, `-` and `_`: `money_market`
    /// (`mm`), `bond` (`bonds`, `fixed_income`), `stock` (`stocks`, `equity`), `mixed`
    /// (`mix`, `balanced`).
    pub fn parse(text: &str) -> Option<FundType> {
        let t: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        match t.as_str() {
            "moneymarket" | "mm" => Some(FundType::MoneyMarket),
            "bond" | "bonds" | "fixedincome" => Some(FundType::Bond),
            "stock" | "stocks" | "equity" => Some(FundType::Stock),
            "mixed" | "mix" | "balanced" => Some(FundType::Mixed),
            _ => None,
        }
    }
}

impl fmt::Display for FundType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fund_types() {
        assert_eq!(FundType::parse("Money Market"), Some(FundType::MoneyMarket));
        assert_eq!(FundType::parse("money_market"), Some(FundType::MoneyMarket));
        assert_eq!(FundType::parse("EQUITY"), Some(FundType::Stock));
        assert_eq!(FundType::parse("fixed-income"), Some(FundType::Bond));
        assert_eq!(FundType::parse("gold"), None);
        for t in FundType::ALL {
            assert_eq!(FundType::parse(t.name()), Some(t));
            assert_eq!(t.label(), t.name());
            assert_eq!(FundType::ALL[t.index()], t);
        }
        assert_eq!(FundType::MoneyMarket.words(), "money-market");
        assert_eq!(std::mem::size_of::<FundType>(), 1);
    }
}
