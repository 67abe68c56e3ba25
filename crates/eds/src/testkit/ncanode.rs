//! A fake NCANode v3: `POST /cms/verify` answers with the fixture registered for the CMS bytes
//! (by their SHA-256), or with NCANode's 400 error envelope; `GET /actuator/health`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

type Fixtures = Arc<Mutex<HashMap<String, Value>>>;

pub struct FakeNcaNode {
    pub addr: SocketAddr,
    fixtures: Fixtures,
}

impl FakeNcaNode {
    pub async fn spawn() -> std::io::Result<FakeNcaNode> {
        let fixtures: Fixtures = Arc::default();
        let app = Router::new()
            .route("/cms/verify", post(verify))
            .route(
                "/actuator/health",
                get(|| async { Json(json!({"status": "UP"})) }),
            )
            .with_state(fixtures.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeNcaNode { addr, fixtures })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `/cms/verify` of these CMS bytes answers `response`.
    pub fn answer(&self, cms: &[u8], response: Value) {
        if let Ok(mut fixtures) = self.fixtures.lock() {
            fixtures.insert(crate::sha256_hex(cms), response);
        }
    }
}

async fn verify(
    State(fixtures): State<Fixtures>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let cms = body["cms"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    let fixture = cms.and_then(|cms| {
        fixtures
            .lock()
            .ok()
            .and_then(|f| f.get(&crate::sha256_hex(&cms)).cloned())
    });
    match fixture {
        Some(response) => (StatusCode::OK, Json(response)),
        None => (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": 400, "message": "Failed to parse CMS"})),
        ),
    }
}
