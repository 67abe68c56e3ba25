//! Unified budget classification (ЕБК / ББК), versioned by year (P-13).
//!
//! Each level is its own code with its parent, as in the portal tree (CODES.md §2.4):
//! functional group `04`, subgroup `04 2`, administrator within the subgroup `04 2 261`;
//! administrators `261`; programs `261 003`; subprograms `261 003 015`; economic categories
//! `1` and specifics `111`; receipts category `1`, class `1 01`, subclass `1 01 1`.

pub mod domain;
pub mod import;
pub mod repo;
pub mod service;
pub mod usecases;

pub use domain::{Change, ChangeKind, CodeEntry, CodeKind, diff_years};
pub use import::{ImportError, ParsedImport, YearRange, parse};
pub use repo::{ImportSummary, import_entries};
