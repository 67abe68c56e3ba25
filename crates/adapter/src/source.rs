//! The file import for when the other side is unreachable (seed 004, SPEC I): the same bytes a
//! call would have brought are read from a file the other side handed over, and go to the same
//! parser, so a file import and a remote one cannot read differently.

use crate::AdapterError;
use crate::client::{Call, HttpClient};
use std::path::PathBuf;

/// Where the data of an inbound exchange come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The system itself.
    Remote,
    /// A file the other side handed over.
    File(PathBuf),
    /// The system, or this file when the system cannot be reached.
    RemoteOrFile(PathBuf),
}

/// The bytes of a call's answer, or of the file standing for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// The HTTP status of the answer; `None` when the bytes came from a file.
    pub status: Option<u16>,
}

impl Fetched {
    pub fn from_file(&self) -> bool {
        self.status.is_none()
    }
}

impl HttpClient {
    /// The data the call asks for, from the system or from a file as `source` says. An HTTP
    /// answer of any status counts as reached: only no answer at all falls back to the file.
    pub async fn fetch(&self, call: Call, source: &Source) -> Result<Fetched, AdapterError> {
        let from_file = |bytes| Fetched {
            bytes,
            status: None,
        };
        match source {
            Source::File(path) => Ok(from_file(self.read_file(&call.operation, path).await?)),
            Source::Remote => self.fetch_remote(call).await,
            Source::RemoteOrFile(path) => {
                let operation = call.operation.clone();
                match self.fetch_remote(call).await {
                    Err(e) if e.is_unreachable() => {
                        Ok(from_file(self.read_file(&operation, path).await?))
                    }
                    other => other,
                }
            }
        }
    }

    async fn fetch_remote(&self, call: Call) -> Result<Fetched, AdapterError> {
        let answer = self.send(call).await?;
        Ok(Fetched {
            bytes: answer.body,
            status: Some(answer.status),
        })
    }
}
