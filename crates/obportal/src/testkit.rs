//! A fake open-budgets portal: takes a budget program when the token is right and the document
//! is sound — a passport or report, the administrator's 12-digit BIN and 3-digit code, a 3-digit
//! program, both languages, amounts in tiyn, a discussion that ends after it starts — and keeps
//! it; refuses otherwise with the reason. It also serves the execution reports it was given, as
//! the portal's CSV, to a reader with the token.

use crate::{ExecutionQuery, ProgramUpload};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jospar_adapter::testkit::FakeServer;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

type Shared = Arc<Mutex<Vec<ProgramUpload>>>;
/// Execution reports by (type, region, month).
type Reports = Arc<Mutex<HashMap<(String, String, String), String>>>;

pub struct FakeOpenBudgets {
    pub addr: SocketAddr,
    server: FakeServer,
    received: Shared,
    reports: Reports,
}

#[derive(Clone)]
struct Portal {
    token: String,
    received: Shared,
    reports: Reports,
}

impl FakeOpenBudgets {
    pub async fn spawn(token: &str) -> std::io::Result<FakeOpenBudgets> {
        let received: Shared = Arc::default();
        let reports: Reports = Arc::default();
        let app = Router::new()
            .route("/api/budget-programs", post(take))
            .route("/api/execution-reports", get(report))
            .with_state(Portal {
                token: token.to_string(),
                received: received.clone(),
                reports: reports.clone(),
            });
        let server = FakeServer::spawn(app).await?;
        Ok(FakeOpenBudgets {
            addr: server.addr,
            server,
            received,
            reports,
        })
    }

    /// The portal has this execution report (its CSV) to give.
    pub fn put_execution_report(&self, query: &ExecutionQuery, csv: &str) {
        if let Ok(mut reports) = self.reports.lock() {
            let key = (
                query.report.clone(),
                query.region.clone(),
                query.month.clone(),
            );
            reports.insert(key, csv.to_string());
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The kit's server underneath: faults to inject (down, slow, dropped) and every request
    /// as it came.
    pub fn server(&self) -> &FakeServer {
        &self.server
    }

    /// The programs taken, in order.
    pub fn received(&self) -> Vec<ProgramUpload> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

fn digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

/// What the portal checks of a program; the reason when it is not sound.
fn check(p: &ProgramUpload) -> Result<(), String> {
    if !matches!(p.document.as_str(), "passport" | "report") {
        return Err(format!("document {:?}: passport or report", p.document));
    }
    if !digits(&p.administrator_bin, 12) {
        return Err(format!(
            "administrator_bin {:?} is not 12 digits",
            p.administrator_bin
        ));
    }
    if !digits(&p.administrator_code, 3) || !digits(&p.program, 3) {
        return Err("administrator_code and program are 3 digits".into());
    }
    for (field, value) in [
        ("title_ru", &p.title_ru),
        ("title_kk", &p.title_kk),
        ("summary_ru", &p.summary_ru),
        ("summary_kk", &p.summary_kk),
    ] {
        if value.trim().is_empty() {
            return Err(format!("{field} is empty"));
        }
    }
    if p.unit != "tiyn" {
        return Err(format!("unit {:?}: amounts must be in tiyn", p.unit));
    }
    if p.discussion_ends_on <= p.published_on {
        return Err("the discussion ends before it starts".into());
    }
    Ok(())
}

async fn take(
    State(portal): State<Portal>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, Json<Value>) {
    let refuse = |status, error: String| (status, Json(json!({ "error": error })));
    if !authorised(&portal, &headers) {
        return refuse(StatusCode::UNAUTHORIZED, "invalid token".into());
    }
    let program: ProgramUpload = match serde_json::from_str(&body) {
        Ok(program) => program,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("unreadable program: {e}")),
    };
    if let Err(reason) = check(&program) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, reason);
    }
    let Ok(mut received) = portal.received.lock() else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "storage".into());
    };
    received.push(program.clone());
    let id = format!("OB-{}-{:05}", program.year, received.len());
    (StatusCode::CREATED, Json(json!({ "id": id })))
}

fn authorised(portal: &Portal, headers: &HeaderMap) -> bool {
    jospar_adapter::testkit::has_bearer(headers, &portal.token)
}

async fn report(
    State(portal): State<Portal>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !authorised(&portal, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid token" })),
        )
            .into_response();
    }
    let field = |name: &str| query.get(name).cloned().unwrap_or_default();
    let key = (field("type"), field("region"), field("date"));
    let csv = portal
        .reports
        .lock()
        .ok()
        .and_then(|reports| reports.get(&key).cloned());
    match csv {
        Some(csv) => ([("Content-Type", "text/csv; charset=utf-8")], csv).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no report {key:?}") })),
        )
            .into_response(),
    }
}
