//! A fake external system on 127.0.0.1:0: it serves the routes it is given (the fake of one
//! system) or scripted answers, can be told to fail the next requests (a status such as 503,
//! a delay beyond the client's timeout, a dropped connection), and keeps every request it got.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the next request meets instead of the fake's own answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// This status, with a `Retry-After` of so many seconds when given.
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    /// The answer comes after this wait (longer than the client's timeout, to test it).
    Delay(Duration),
    /// The connection breaks before the answer is whole.
    Drop,
}

/// A request the fake got, faulted or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    /// With the query string.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer of a scripted fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scripted {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Scripted {
    pub fn new(status: u16, body: &str) -> Scripted {
        Scripted {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Scripted {
        Scripted::new(status, &value.to_string()).header("Content-Type", "application/json")
    }

    pub fn header(mut self, name: &str, value: &str) -> Scripted {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

#[derive(Default)]
struct Inner {
    faults: VecDeque<Fault>,
    received: Vec<Received>,
    script: VecDeque<Scripted>,
}

type Shared = Arc<Mutex<Inner>>;

pub struct FakeServer {
    pub addr: SocketAddr,
    inner: Shared,
}

impl FakeServer {
    /// Serves these routes (the fake of one system), with faults and records around them.
    pub async fn spawn(routes: Router) -> std::io::Result<FakeServer> {
        let inner: Shared = Arc::default();
        let app = routes.layer(axum::middleware::from_fn_with_state(
            inner.clone(),
            faults_and_records,
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        // The fake keeps serving after its handle is dropped, for as long as the process runs.
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeServer { addr, inner })
    }

    /// Answers every request, whatever its path, with the next of these answers; then 404.
    pub async fn scripted(
        answers: impl IntoIterator<Item = Scripted>,
    ) -> std::io::Result<FakeServer> {
        let script: Shared = Arc::new(Mutex::new(Inner {
            script: answers.into_iter().collect(),
            ..Inner::default()
        }));
        FakeServer::spawn(Router::new().fallback(next_scripted).with_state(script)).await
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut inner)
    }

    /// The next request meets this fault (after those already queued).
    pub fn inject(&self, fault: Fault) {
        self.with(|i| i.faults.push_back(fault));
    }

    /// The next `count` requests are answered with `status` (e.g. 503: the system is down).
    pub fn fail_next(&self, count: u32, status: u16) {
        for _ in 0..count {
            self.inject(Fault::Status {
                status,
                retry_after: None,
            });
        }
    }

    /// Every request so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.with(|i| i.received.clone())
    }
}

async fn faults_and_records(State(inner): State<Shared>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let fault = {
        let mut inner = inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.received.push(Received {
            method: parts.method.to_string(),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            headers: parts
                .headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
                .collect(),
            body: bytes.to_vec(),
        });
        inner.faults.pop_front()
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    match fault {
        None => next.run(request).await,
        Some(Fault::Delay(wait)) => {
            tokio::time::sleep(wait).await;
            next.run(request).await
        }
        Some(Fault::Status {
            status,
            retry_after,
        }) => status_fault(status, retry_after),
        Some(Fault::Drop) => {
            // A body that fails makes the server abort the connection mid-answer.
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other(
                    "connection dropped by the fake",
                ))
            });
            (StatusCode::OK, Body::from_stream(broken)).into_response()
        }
    }
}

fn status_fault(status: u16, retry_after: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut response = (status, status.canonical_reason().unwrap_or_default()).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert("Retry-After", HeaderValue::from(seconds));
    }
    response
}

async fn next_scripted(State(script): State<Shared>) -> Response {
    let answer = script
        .lock()
        .map(|mut s| s.script.pop_front())
        .unwrap_or_default();
    let Some(answer) = answer else {
        return (StatusCode::NOT_FOUND, "no scripted answer left").into_response();
    };
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, answer.body).into_response();
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::try_from(name),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// Whether a request to a fake carries `Authorization: Bearer {token}`, as the systems that
/// take a bearer token check it.
pub fn has_bearer(headers: &axum::http::HeaderMap, token: &str) -> bool {
    let expected = format!("Bearer {token}");
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}
