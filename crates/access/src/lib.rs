//! The access model shared by every module: roles and rights on organisation subtrees, the
//! caller of a use case ([`Principal`], or [`Reader`] for reports), and the refusals a use case
//! answers with ([`Error`]). Each module's use cases take the caller and decide its rights
//! themselves; the web layer only maps their answers to HTTP.

pub mod error;
pub mod function;
pub mod principal;
pub mod rights;
pub mod testing;

pub use error::{Error, Result, parse_date, parse_id};
pub use function::Access;
pub use principal::{Principal, Reader, User};
pub use rights::*;
