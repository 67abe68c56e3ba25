//! A fake NCANode v3 `POST /wsse/sign`: puts a `wsse:Security` header with a digest of the
//! body into the envelope, or answers NCANode's 400 envelope when the key cannot be opened.

use super::body_digest;
use crate::envelope::{BODY_ID, WSSE_NS};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use jospar_adapter::testkit::FakeServer;
use serde_json::{Value, json};
use std::net::SocketAddr;

pub struct FakeNcaNodeWsse {
    pub addr: SocketAddr,
    server: FakeServer,
}

/// The password every fake key container opens with.
pub const KEY_PASSWORD: &str = "Qwerty12";

impl FakeNcaNodeWsse {
    pub async fn spawn() -> std::io::Result<FakeNcaNodeWsse> {
        let app = Router::new().route("/wsse/sign", post(sign));
        let server = FakeServer::spawn(app).await?;
        Ok(FakeNcaNodeWsse {
            addr: server.addr,
            server,
        })
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The kit's server underneath: faults to inject and every request as it came.
    pub fn server(&self) -> &FakeServer {
        &self.server
    }

    pub fn password() -> &'static str {
        KEY_PASSWORD
    }
}

fn refuse(message: &str) -> (StatusCode, Json<Value>) {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"status": 400, "message": message})),
    )
}

async fn sign(Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    let xml = body["xml"].as_str().unwrap_or_default();
    if body["key"].as_str().unwrap_or_default().is_empty() {
        return refuse("key is required");
    }
    if body["password"].as_str() != Some(KEY_PASSWORD) {
        return refuse("Failed to load key store: wrong password");
    }
    let (Some(digest), Some(at)) = (body_digest(xml), xml.find(":Header/>")) else {
        return refuse("Failed to parse XML: no SOAP Header or Body");
    };
    let prefix_start = xml[..at].rfind('<').unwrap_or(at);
    let prefix = &xml[prefix_start + 1..at];
    let security = format!(
        r##"<{prefix}:Header><wsse:Security xmlns:wsse="{WSSE_NS}"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:Reference URI="#{BODY_ID}"><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>ZmFrZQ==</ds:SignatureValue></ds:Signature></wsse:Security></{prefix}:Header>"##
    );
    let signed = format!(
        "{}{security}{}",
        &xml[..prefix_start],
        &xml[at + ":Header/>".len()..]
    );
    (
        StatusCode::OK,
        Json(json!({"status": 200, "message": "", "xml": signed})),
    )
}
