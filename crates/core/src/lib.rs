//! Platform core of Jospar: money, identifiers, the working-day calendar of Kazakhstan,
//! text normalisation for search. No SQL, no HTTP here.

pub mod calendar;
pub mod ids;
pub mod iin;
pub mod listing;
pub mod money;
pub mod text;

pub use calendar::{DayKind, WorkingCalendar};
pub use iin::{Bin, Iin, IinError};
pub use money::Tenge;
