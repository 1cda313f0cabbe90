//! Validated in-memory tables: the currency between peergroup's stages.
//!
//! Readers (the `peergroup-io` crate) parse files into these types; the numerical stages
//! take them as input and never see a raw row again. Every constructor validates, and
//! every validation failure is an [`InputError`] that points at the offending place.

mod error;
mod fund_type;
mod industry;
mod metadata;
mod panel;
pub mod plausibility;

pub use error::{InputError, Position, PositionKind};
pub use fund_type::FundType;
pub use industry::{IndustryBuilder, IndustryTable};
pub use metadata::Metadata;
pub use panel::{Panel, PanelBuilder, SeriesKind};
pub use peergroup_calendar::{days_in_month, one_line, shown, Date, Frequency, SHOWN_CHARS};
