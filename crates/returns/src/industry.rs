//! Price and subscription effects of fund classes and their groups (METHODS §1.3–§1.4).
//!
//! For class c on day T with price per share P (price ÷ price unit), shares N and AUM A,
//! and "prev" the class's previous *kept* observation:
//!
//! * price effect `PE_T = (P_T − P_prev)·N_prev`
//! * subscription effect `SE_T = A_T − A_prev − PE_T`
//! * daily return `DR_T = PE_T / A_prev`, total-return index `TR_T = Π(1 + DR)`
//!
//! Groups (funds, managers) sum PE and A over member classes: `DR = ΣPE / ΣA_prev` over
//! the members priced on both dates. A member's AUM is carried forward over its own
//! dropped days, so a removed bad print is not mistaken for a redemption and a
//! re-subscription; `SE = A_T − A_prev − PE_T` then holds for the group by construction.

mod day_major;
mod effects;
mod filter;
mod grouping;
mod series;

pub use self::effects::{effects, EffectsPlan};
pub use self::filter::filter_points;
pub use self::grouping::Grouping;

use peergroup_data::{Date, IndustryTable};

/// Settings of the industry computation (defaults follow the CAFCI guide, METHODS §1.2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IndustryConfig {
    /// Points with AUM below this (currency units) are dropped.
    pub min_aum: f64,
    /// Prices are quoted per this many shares (CAFCI quotes per 1,000 shares).
    pub price_unit: f64,
    /// Absolute daily price move (fraction) above which a point may be an outlier.
    pub max_move: f64,
    /// Cross-sectional z-score of the move above which such a point is dropped.
    pub max_z: f64,
}

impl Default for IndustryConfig {
    fn default() -> Self {
        IndustryConfig {
            min_aum: 1_000_000.0,
            price_unit: 1.0,
            max_move: 0.10,
            max_z: 10.0,
        }
    }
}

/// Why a point was removed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DropReason {
    /// AUM below `min_aum`.
    BelowMinAum {
        /// The point's AUM.
        aum: f64,
    },
    /// A price move both large and extreme against that day's cross-section.
    PriceOutlier {
        /// Price move against the class's last kept price (fraction).
        price_move: f64,
        /// `(move − mean_day) / sd_day`.
        z: f64,
    },
}

impl DropReason {
    /// Short machine-readable code (`min_aum`, `price_outlier`).
    pub fn code(&self) -> &'static str {
        match self {
            DropReason::BelowMinAum { .. } => "min_aum",
            DropReason::PriceOutlier { .. } => "price_outlier",
        }
    }
}

/// A removed point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropped {
    /// Class index in the industry table.
    pub class: usize,
    /// Date of the point.
    pub date: Date,
    /// Why.
    pub reason: DropReason,
}

/// The `(class, date)` of the points in `dropped` that went as price outliers, sorted;
/// the class as a `u32` code, as in the tables and in the synthetic truth.
pub fn price_outliers(dropped: &[Dropped]) -> Vec<(u32, Date)> {
    let mut found: Vec<(u32, Date)> = dropped
        .iter()
        .filter(|d| matches!(d.reason, DropReason::PriceOutlier { .. }))
        .map(|d| (d.class as u32, d.date))
        .collect();
    found.sort();
    found
}

/// Which records survive the filters (flat, aligned with the table's records).
#[derive(Clone, Debug)]
pub struct Kept {
    keep: Vec<bool>,
}

impl Kept {
    /// Keep every record (no filtering).
    pub fn all(table: &IndustryTable) -> Kept {
        Kept {
            keep: vec![true; table.n_records()],
        }
    }

    /// Whether record `i` of class `c` survives.
    pub fn is_kept(&self, table: &IndustryTable, c: usize, i: usize) -> bool {
        self.keep[table.offset(c) + i]
    }

    /// Number of kept records.
    pub fn count(&self) -> usize {
        self.keep.iter().filter(|k| **k).count()
    }
}

/// Effects and total-return index per output id and date, id-major (CSR by id).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effects {
    /// Output ids.
    pub ids: Vec<String>,
    /// Rows of id `g` are `offsets[g]..offsets[g+1]`.
    pub offsets: Vec<usize>,
    /// Date per row.
    pub dates: Vec<Date>,
    /// AUM per row (sum over members, carried forward over a member's dropped days).
    pub aum: Vec<f64>,
    /// Price effect (NaN on an id's first date).
    pub price_effect: Vec<f64>,
    /// Subscription effect (NaN on an id's first date).
    pub subscription_effect: Vec<f64>,
    /// Daily return as a fraction (NaN on an id's first date).
    pub daily_return: Vec<f64>,
    /// Total-return index, 1 on an id's first date.
    pub total_return: Vec<f64>,
}

impl Effects {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.dates.len()
    }

    /// Row range of id `g`.
    pub fn rows(&self, g: usize) -> std::ops::Range<usize> {
        self.offsets[g]..self.offsets[g + 1]
    }
}
