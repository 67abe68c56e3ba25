//! The sync channel's client: one signed `SendMessage` per call, over HTTP POST.

use crate::envelope::{Payload, SUCCESS, SyncRequest, SyncResponse, parse_response};
use crate::{ShepError, WsseSigner};
use chrono::{FixedOffset, Offset as _, Utc};
use std::sync::Arc;
use std::time::Duration;

pub struct ShepClient {
    url: String,
    sender_id: String,
    password: String,
    signer: Arc<dyn WsseSigner>,
    http: reqwest::Client,
}

/// Kazakhstan's single time zone since 1 March 2024: the dates of our messages.
pub fn kazakhstan() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600).unwrap_or_else(|| Utc.fix())
}

/// A random (version 4) UUID, ShEP's message identifier.
pub fn new_message_id() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl ShepClient {
    pub fn new(
        url: &str,
        sender_id: &str,
        password: &str,
        signer: Arc<dyn WsseSigner>,
        timeout: Duration,
    ) -> Self {
        ShepClient {
            url: url.to_string(),
            sender_id: sender_id.to_string(),
            password: password.to_string(),
            signer,
            http: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .unwrap_or_default(),
        }
    }

    /// Sends one message to a service and returns the bus's answer when it processed it
    /// (`SCSS001`); any other status, a fault or no answer is an error.
    pub async fn send(
        &self,
        service_id: &str,
        properties: Vec<(String, String)>,
        data: Payload,
    ) -> Result<SyncResponse, ShepError> {
        let request = SyncRequest {
            message_id: new_message_id(),
            service_id: service_id.to_string(),
            message_date: Utc::now().with_timezone(&kazakhstan()),
            sender_id: self.sender_id.clone(),
            password: self.password.clone(),
            properties,
            data,
        };
        let signed = self.signer.sign(&request.envelope()).await?;
        let answer = self
            .http
            .post(&self.url)
            .header("Content-Type", "text/xml; charset=UTF-8")
            .header("SOAPAction", "\"\"")
            .body(signed)
            .send()
            .await
            .map_err(|e| ShepError::Transport(e.to_string()))?;
        let http = answer.status();
        let text = answer
            .text()
            .await
            .map_err(|e| ShepError::Transport(e.to_string()))?;
        match parse_response(&text) {
            Ok(response) if response.status_code == SUCCESS => Ok(response),
            Ok(response) => Err(ShepError::Status {
                code: response.status_code,
                message: response.status_message,
            }),
            // A proxy's error page instead of an envelope: the bus was not reached.
            Err(ShepError::Malformed(m)) if !http.is_success() => {
                Err(ShepError::Transport(format!("HTTP {http}: {m}")))
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn message_ids_are_version_4_uuids() {
        let id = super::new_message_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!("89ab".contains(&id[19..20]));
        assert_ne!(id, super::new_message_id());
    }
}
