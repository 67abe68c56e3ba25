//! The e-government bus (ShEP) for Jospar: the sync channel's `SendMessage` (INTEGRATIONS.md
//! §6.1) signed with WS-Security through NCANode, and the Treasury's financing-plan service
//! (FUPF, EX-4, I-6) riding on it. The Treasury's payload schema is issued only with a real
//! connection; [`treasury`] defines ours in one place so that it is replaced there.

pub mod client;
pub mod envelope;
pub mod treasury;
pub mod wsse;
pub mod xml;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use client::ShepClient;
pub use treasury::{
    Decision, DocumentKind, PlanDocument, ShepTreasury, TreasuryGateway, WithAnswerFiles,
};
pub use wsse::{NcaNodeWsseSigner, WsseSigner};

/// Why a message did not get through. Every kind is worth retrying later except
/// [`ShepError::Malformed`], which means the two sides disagree on the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShepError {
    #[error("the bus is unreachable: {0}")]
    Transport(String),
    #[error("the bus refused the message: {code} {message}")]
    Fault { code: String, message: String },
    #[error("the bus did not process the message: {code} {message}")]
    Status { code: String, message: String },
    #[error("the answer cannot be read: {0}")]
    Malformed(String),
    #[error("signing the message failed: {0}")]
    Signing(String),
}
