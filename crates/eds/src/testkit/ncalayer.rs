//! A fake NCALayer on 127.0.0.1 (plain `ws://`, like ncalayer-mocker's `noTLS`): the greeting,
//! `--heartbeat--`, `MODULE_NOT_FOUND`, `getVersion` of the mobile extensions, and
//! `kz.gov.pki.knca.basics` `sign` that really signs the given bytes with the test key of the
//! IIN asked for in `signerParams` — in Kalkan's BER, as PEM — so that the server verifies a real
//! signature. Scripted answers (cancel, errors) can be queued and are returned first.

use super::{TestKey, as_kalkan_ber, cms_pem};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::any;
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

const HEARTBEAT: &str = "--heartbeat--";

#[derive(Clone)]
struct Shared {
    keys: Arc<Vec<TestKey>>,
    scripted: Arc<Mutex<VecDeque<Value>>>,
}

pub struct FakeNcaLayer {
    pub addr: SocketAddr,
    scripted: Arc<Mutex<VecDeque<Value>>>,
}

impl FakeNcaLayer {
    /// Listens on `bind` (e.g. `127.0.0.1:0`, or `127.0.0.1:13579` for the demo).
    pub async fn spawn(bind: &str, keys: Vec<TestKey>) -> std::io::Result<FakeNcaLayer> {
        let shared = Shared {
            keys: Arc::new(keys),
            scripted: Arc::default(),
        };
        let scripted = shared.scripted.clone();
        let app = Router::new().route("/", any(upgrade)).with_state(shared);
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeNcaLayer { addr, scripted })
    }

    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// The next `sign` is answered with `response` instead of a signature, e.g. the
    /// cancellation `{"status":true,"body":{}}`.
    pub fn script(&self, response: Value) {
        if let Ok(mut queue) = self.scripted.lock() {
            queue.push_back(response);
        }
    }
}

async fn upgrade(ws: WebSocketUpgrade, State(shared): State<Shared>) -> Response {
    ws.on_upgrade(move |socket| session(socket, shared))
}

async fn session(mut socket: WebSocket, shared: Shared) {
    let greeting = json!({"result": {"version": "1.4"}}).to_string();
    if socket.send(Message::Text(greeting.into())).await.is_err() {
        return;
    }
    while let Some(Ok(message)) = socket.recv().await {
        let Message::Text(text) = message else {
            continue;
        };
        let reply = if text.as_str() == HEARTBEAT {
            HEARTBEAT.to_string()
        } else {
            answer(&shared, text.as_str()).to_string()
        };
        if socket.send(Message::Text(reply.into())).await.is_err() {
            return;
        }
    }
}

fn answer(shared: &Shared, request: &str) -> Value {
    let Ok(request) = serde_json::from_str::<Value>(request) else {
        return failure("INVALID_SIGNING_PARAMS", "request is not JSON");
    };
    match (request["module"].as_str(), request["method"].as_str()) {
        (Some("kz.digiflow.mobile.extensions"), Some("getVersion")) => json!({}),
        (Some("kz.gov.pki.knca.basics"), Some("sign")) => {
            let scripted = shared.scripted.lock().ok().and_then(|mut q| q.pop_front());
            scripted.unwrap_or_else(|| sign(shared, &request["args"]))
        }
        (Some("kz.gov.pki.knca.basics"), _) => failure("INVALID_SIGNING_PARAMS", "method"),
        _ => json!({"success": false, "errorCode": "MODULE_NOT_FOUND"}),
    }
}

fn failure(code: &str, details: &str) -> Value {
    json!({"status": false, "code": code, "message": "Signing has failed.", "details": details})
}

fn sign(shared: &Shared, args: &Value) -> Value {
    if args["format"].as_str() != Some("cms") {
        return failure("INVALID_SIGNING_PARAMS", "only cms is faked");
    }
    let wanted_iin = args["signerParams"]["iin"].as_str().unwrap_or_default();
    let key = shared
        .keys
        .iter()
        .find(|k| wanted_iin.is_empty() || k.iin().as_deref() == Some(wanted_iin));
    let Some(key) = key else {
        return failure("SIGNING_FAILURE", "no key of the requested IIN");
    };
    let documents: Vec<&str> = match &args["data"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => return failure("INVALID_SIGNING_PARAMS", "data"),
    };
    let decode = args["signingParams"]["decode"].as_bool().unwrap_or(false);
    let mut signatures = Vec::new();
    for document in documents {
        let bytes = if decode {
            match base64::engine::general_purpose::STANDARD.decode(document) {
                Ok(bytes) => bytes,
                Err(_) => return failure("INVALID_SIGNING_PARAMS", "data is not base64"),
            }
        } else {
            document.as_bytes().to_vec()
        };
        match key.sign_detached(&bytes) {
            Ok(der) => signatures.push(cms_pem(&as_kalkan_ber(&der))),
            Err(e) => return failure("SIGNING_FAILURE", &e.to_string()),
        }
    }
    json!({"status": true, "body": {"result": signatures}})
}
