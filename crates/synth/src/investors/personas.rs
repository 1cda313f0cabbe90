//! The five personas: labels, profile distributions and trading behaviour.

/// True persona of a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Persona {
    /// Gen-Z students saving small amounts in money-market funds, trading often.
    GenZStudentMoneyMarket,
    /// Young employees building a stock-fund position with monthly buys.
    YoungProfessionalStock,
    /// Families holding bond and mixed funds, trading rarely.
    FamilySaverBondMixed,
    /// High earners with large balances in every fund type.
    AffluentDiversified,
    /// Registered users who do not trade; a tiny money-market balance or none.
    Dormant,
}

impl Persona {
    /// All personas, in code order.
    pub const ALL: [Persona; 5] = [
        Persona::GenZStudentMoneyMarket,
        Persona::YoungProfessionalStock,
        Persona::FamilySaverBondMixed,
        Persona::AffluentDiversified,
        Persona::Dormant,
    ];

    /// Label written to the truth table, e.g. "gen_z_student_money_market".
    pub fn label(self) -> &'static str {
        [
            "gen_z_student_money_market",
            "young_professional_stock",
            "family_saver_bond_mixed",
            "affluent_diversified",
            "dormant",
        ][self as usize]
    }

    pub(super) fn profile(self) -> &'static Profile {
        &PROFILES[self as usize]
    }
}

/// Profile and behaviour of a persona. Amounts are medians of lognormals in IDR; rates
/// are probabilities per weekday (before the weekday factor).
pub(super) struct Profile {
    pub(super) share: f64,
    pub(super) age: (u8, u8),
    pub(super) male: f64,
    pub(super) occupation: [f64; 7],
    pub(super) income: [f64; 5],
    pub(super) referral: f64,
    /// Share of users who register inside the window (all their positions open then).
    pub(super) new_share: f64,
    /// Longest tenure before the window, in days.
    pub(super) tenure_days: u64,
    pub(super) hold: [f64; 4],
    pub(super) opening: [f64; 4],
    pub(super) buy_rate: [f64; 4],
    pub(super) ticket: [f64; 4],
    pub(super) sell_rate: [f64; 4],
}

pub(super) const PROFILES: [Profile; 5] = [
    // Gen-Z students: money market first, many small top-ups.
    Profile {
        share: 0.35,
        age: (18, 24),
        male: 0.62,
        occupation: [0.80, 0.12, 0.0, 0.0, 0.0, 0.0, 0.08],
        income: [0.80, 0.18, 0.02, 0.0, 0.0],
        referral: 0.55,
        new_share: 0.15,
        tenure_days: 540,
        hold: [1.0, 0.08, 0.15, 0.03],
        opening: [400e3, 300e3, 300e3, 200e3],
        buy_rate: [0.22, 0.05, 0.10, 0.02],
        ticket: [100e3, 100e3, 100e3, 100e3],
        sell_rate: [0.08, 0.02, 0.03, 0.01],
    },
    // Young professionals: stock funds, monthly salary-day buys.
    Profile {
        share: 0.22,
        age: (23, 34),
        male: 0.68,
        occupation: [0.0, 0.80, 0.08, 0.0, 0.0, 0.05, 0.07],
        income: [0.10, 0.60, 0.27, 0.03, 0.0],
        referral: 0.35,
        new_share: 0.08,
        tenure_days: 900,
        hold: [0.80, 0.10, 1.0, 0.08],
        opening: [3e6, 5e6, 12e6, 5e6],
        buy_rate: [0.06, 0.03, 0.12, 0.02],
        ticket: [1e6, 1e6, 1.5e6, 1e6],
        sell_rate: [0.03, 0.01, 0.04, 0.01],
    },
    // Family savers: bond and mixed funds, buy and hold.
    Profile {
        share: 0.13,
        age: (33, 50),
        male: 0.40,
        occupation: [0.0, 0.30, 0.10, 0.35, 0.0, 0.25, 0.0],
        income: [0.15, 0.45, 0.35, 0.05, 0.0],
        referral: 0.20,
        new_share: 0.05,
        tenure_days: 1000,
        hold: [0.15, 1.0, 0.05, 0.90],
        opening: [5e6, 30e6, 10e6, 40e6],
        buy_rate: [0.02, 0.04, 0.01, 0.03],
        ticket: [2e6, 5e6, 2e6, 4e6],
        sell_rate: [0.01, 0.01, 0.005, 0.01],
    },
    // Affluent: every fund type, large balances and tickets.
    Profile {
        share: 0.05,
        age: (35, 62),
        male: 0.70,
        occupation: [0.0, 0.25, 0.50, 0.0, 0.15, 0.0, 0.10],
        income: [0.0, 0.0, 0.10, 0.60, 0.30],
        referral: 0.10,
        new_share: 0.03,
        tenure_days: 1000,
        hold: [0.97, 0.97, 0.97, 0.95],
        opening: [150e6, 250e6, 300e6, 400e6],
        buy_rate: [0.05, 0.05, 0.06, 0.04],
        ticket: [20e6, 30e6, 30e6, 25e6],
        sell_rate: [0.03, 0.02, 0.03, 0.02],
    },
    // Dormant: signed up (often through a referral promotion) and stopped.
    Profile {
        share: 0.25,
        age: (18, 35),
        male: 0.65,
        occupation: [0.45, 0.40, 0.0, 0.0, 0.0, 0.0, 0.15],
        income: [0.60, 0.35, 0.05, 0.0, 0.0],
        referral: 0.50,
        new_share: 0.0,
        tenure_days: 1000,
        hold: [0.50, 0.03, 0.05, 0.02],
        opening: [60e3, 100e3, 100e3, 100e3],
        buy_rate: [0.0; 4],
        ticket: [0.0; 4],
        sell_rate: [0.0; 4],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persona_shares_sum_to_one() {
        let total: f64 = PROFILES.iter().map(|p| p.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
        for p in &PROFILES {
            assert!((p.occupation.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!((p.income.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(p.age.0 <= p.age.1);
        }
    }
}
