//! A fake Region passport portal: takes a report when the token is right and the document is
//! sound — a known kind, a 12-digit BIN, amounts in tiyn, each section's totals and the overall
//! ones equal to the sums of the rows — and keeps it; refuses otherwise with the reason.

use crate::{PassportReport, Totals};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use jospar_adapter::testkit::FakeServer;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

type Shared = Arc<Mutex<Vec<PassportReport>>>;

pub struct FakeRegionPassport {
    pub addr: SocketAddr,
    server: FakeServer,
    received: Shared,
}

#[derive(Clone)]
struct Portal {
    token: String,
    received: Shared,
}

impl FakeRegionPassport {
    pub async fn spawn(token: &str) -> std::io::Result<FakeRegionPassport> {
        let received: Shared = Arc::default();
        let app = Router::new()
            .route("/api/reports", post(take))
            .with_state(Portal {
                token: token.to_string(),
                received: received.clone(),
            });
        let server = FakeServer::spawn(app).await?;
        Ok(FakeRegionPassport {
            addr: server.addr,
            server,
            received,
        })
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The kit's server underneath: faults to inject (down, slow, dropped) and every request
    /// as it came.
    pub fn server(&self) -> &FakeServer {
        &self.server
    }

    /// The reports taken, in order.
    pub fn received(&self) -> Vec<PassportReport> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

fn refuse(status: StatusCode, error: String) -> (StatusCode, Json<Value>) {
    (status, Json(json!({ "error": error })))
}

/// What the portal checks of a report; the reason when it is not sound.
fn check(report: &PassportReport) -> Result<(), String> {
    if report.unit != "tiyn" {
        return Err(format!("unit {:?}: amounts must be in tiyn", report.unit));
    }
    if report.bin.len() != 12 || !report.bin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("bin {:?} is not 12 digits", report.bin));
    }
    if report.rows.is_empty() {
        return Err("the report has no rows".into());
    }
    for (section, totals) in &report.totals {
        let sum = if section == "all" {
            Totals::of(&report.rows)
        } else {
            Totals::of(report.rows.iter().filter(|r| &r.section == section))
        };
        if sum != *totals {
            return Err(format!(
                "totals of {section}: {totals:?} differ from the rows' {sum:?}"
            ));
        }
    }
    Ok(())
}

async fn take(
    State(portal): State<Portal>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, Json<Value>) {
    if !jospar_adapter::testkit::has_bearer(&headers, &portal.token) {
        return refuse(StatusCode::UNAUTHORIZED, "invalid token".into());
    }
    let report: PassportReport = match serde_json::from_str(&body) {
        Ok(report) => report,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("unreadable report: {e}")),
    };
    if let Err(reason) = check(&report) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, reason);
    }
    let Ok(mut received) = portal.received.lock() else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "storage".into());
    };
    received.push(report.clone());
    let id = format!(
        "RP-{}-{:04}",
        report.report_date.format("%Y%m%d"),
        received.len()
    );
    (StatusCode::CREATED, Json(json!({ "id": id })))
}
