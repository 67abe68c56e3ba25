//! The sync channel's client: one signed `SendMessage` per call, over HTTP POST through the
//! adapter kit's client (timeouts, retries, the exchange journal).

use crate::envelope::{Payload, SUCCESS, SyncRequest, SyncResponse, parse_response};
use crate::{ShepError, WsseSigner};
use chrono::{FixedOffset, Offset as _, Utc};
use jospar_adapter::{
    Adapter, AdapterConfig, Call, Credentials, ExchangeJournal, HttpClient, LogJournal, Secret,
};
use std::sync::Arc;
use std::time::Duration;

/// The bus's name in the exchange journal.
pub const SYSTEM: &str = "shep";

pub struct ShepClient {
    http: HttpClient,
    sender_id: String,
    password: Secret,
    signer: Arc<dyn WsseSigner>,
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
    /// A client sending each message once: the Treasury queue tries a failed one again on its
    /// own schedule. Recorded in the log only.
    pub fn new(
        url: &str,
        sender_id: &str,
        password: &str,
        signer: Arc<dyn WsseSigner>,
        timeout: Duration,
    ) -> Self {
        let config = AdapterConfig::new(url)
            .timeout(timeout)
            .retries(0)
            .credentials(Credentials::InMessage {
                user: sender_id.to_string(),
                password: Secret::new(password),
            });
        ShepClient::with_config(config, signer, Arc::new(LogJournal))
    }

    /// The bus as configured (`shep_url`, `shep_sender_id`, `shep_password`, `exchange_*`):
    /// the sender comes from the in-message credentials.
    pub fn with_config(
        config: AdapterConfig,
        signer: Arc<dyn WsseSigner>,
        journal: Arc<dyn ExchangeJournal>,
    ) -> Self {
        let (sender_id, password) = match &config.credentials {
            Credentials::InMessage { user, password } | Credentials::Basic { user, password } => {
                (user.clone(), password.clone())
            }
            Credentials::None | Credentials::Bearer(_) => (String::new(), Secret::default()),
        };
        ShepClient {
            http: HttpClient::with_journal(SYSTEM, config, journal),
            sender_id,
            password,
            signer,
        }
    }

    /// Sends one message to a service and returns the bus's answer when it processed it
    /// (`SCSS001`); any other status, a fault or no answer is an error. Sent once within the
    /// call, unless no connection could be opened.
    pub async fn send(
        &self,
        service_id: &str,
        properties: Vec<(String, String)>,
        data: Payload,
    ) -> Result<SyncResponse, ShepError> {
        self.exchange(service_id, properties, data, false).await
    }

    /// As [`ShepClient::send`], to a service that recognises a message sent again (by an
    /// identifier among its properties, as the Treasury's `DOCUMENT_ID`), so that a timeout or
    /// a 5xx is tried again as configured.
    pub async fn send_idempotent(
        &self,
        service_id: &str,
        properties: Vec<(String, String)>,
        data: Payload,
    ) -> Result<SyncResponse, ShepError> {
        self.exchange(service_id, properties, data, true).await
    }

    async fn exchange(
        &self,
        service_id: &str,
        properties: Vec<(String, String)>,
        data: Payload,
        retry_safe: bool,
    ) -> Result<SyncResponse, ShepError> {
        let request = SyncRequest {
            message_id: new_message_id(),
            service_id: service_id.to_string(),
            message_date: Utc::now().with_timezone(&kazakhstan()),
            sender_id: self.sender_id.clone(),
            password: self.password.expose().to_string(),
            properties,
            data,
        };
        let signed = self.signer.sign(&request.envelope()).await?;
        let operation = format!("SendMessage {service_id}");
        let mut call = Call::post(
            &operation,
            "",
            "text/xml; charset=UTF-8",
            signed.into_bytes(),
        )
        .header("SOAPAction", "\"\"")
        // SOAP 1.1 answers a fault with 500: the bus's answer, not a failure to retry.
        .answer_500();
        if retry_safe {
            call = call.retry_safe();
        }
        let answer = self
            .http
            .send(call)
            .await
            .map_err(|e| ShepError::Transport(e.to_string()))?;
        read_answer(answer.status, &answer.text())
    }
}

impl Adapter for ShepClient {
    fn http(&self) -> &HttpClient {
        &self.http
    }
}

/// The bus's answer to a message (an HTTP status and the envelope), read the same way whether it
/// came over HTTP or in a file: the answer when the bus processed the message (`SCSS001`).
pub fn read_answer(http_status: u16, text: &str) -> Result<SyncResponse, ShepError> {
    match parse_response(text) {
        Ok(response) if response.status_code == SUCCESS => Ok(response),
        Ok(response) => Err(ShepError::Status {
            code: response.status_code,
            message: response.status_message,
        }),
        // A proxy's error page instead of an envelope: the bus was not reached.
        Err(ShepError::Malformed(m)) if !(200..300).contains(&http_status) => {
            Err(ShepError::Transport(format!("HTTP {http_status}: {m}")))
        }
        Err(e) => Err(e),
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
