//! A fake e-Minfin: gives the forms it was given, each in its envelope, to a caller with the
//! right bearer token; 401 to another, 404 for a form it does not have. Faults (down, slow,
//! a 500) come from the adapter kit's server underneath; a broken body from [`FakeEMinfin::put_raw`].

use crate::FormQuery;
use crate::envelope::{FormTable, seal};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jospar_adapter::testkit::FakeServer;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Answers by (form, BIN, date as YYYY-MM-DD).
type Answers = Arc<Mutex<HashMap<(String, String, String), String>>>;

pub struct FakeEMinfin {
    server: FakeServer,
    answers: Answers,
}

#[derive(Clone)]
struct Service {
    token: String,
    answers: Answers,
}

fn key(query: &FormQuery) -> (String, String, String) {
    (
        query.form.clone(),
        query.bin.clone(),
        query.report_date.to_string(),
    )
}

impl FakeEMinfin {
    pub async fn spawn(token: &str) -> std::io::Result<FakeEMinfin> {
        let answers: Answers = Arc::default();
        let app = Router::new()
            .route("/api/forms/{form}", get(form))
            .with_state(Service {
                token: token.to_string(),
                answers: answers.clone(),
            });
        Ok(FakeEMinfin {
            server: FakeServer::spawn(app).await?,
            answers,
        })
    }

    /// The service has this form to give, sealed in its envelope.
    pub fn put(&self, query: &FormQuery, table: FormTable) {
        let message = seal(query, table, "2027-01-01T06:00:00Z");
        self.put_raw(query, &json!(message).to_string());
    }

    /// The service has this form to give, read from a Treasury export in CSV (`;`): the
    /// title lines above the table are left out, its headings are the first row that fills
    /// every cell.
    pub fn put_csv(&self, query: &FormQuery, csv: &[u8]) {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .flexible(true)
            .from_reader(csv);
        let rows: Vec<Vec<String>> = reader
            .records()
            .filter_map(|r| r.ok())
            .map(|r| r.iter().map(str::to_string).collect())
            .collect();
        let full = |row: &Vec<String>| row.len() > 1 && row.iter().all(|c| !c.trim().is_empty());
        let start = rows.iter().position(full).unwrap_or(0);
        let mut table = rows.into_iter().skip(start);
        let columns = table.next().unwrap_or_default();
        let rows = table.collect();
        self.put(query, FormTable { columns, rows });
    }

    /// The service answers the form's request with this body, as it is.
    pub fn put_raw(&self, query: &FormQuery, body: &str) {
        if let Ok(mut answers) = self.answers.lock() {
            answers.insert(key(query), body.to_string());
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The kit's server underneath: faults to inject and every request as it came.
    pub fn server(&self) -> &FakeServer {
        &self.server
    }
}

async fn form(
    State(service): State<Service>,
    Path(form): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !jospar_adapter::testkit::has_bearer(&headers, &service.token) {
        let refusal = json!({ "error": "invalid token" });
        return (StatusCode::UNAUTHORIZED, axum::Json(refusal)).into_response();
    }
    let field = |name: &str| query.get(name).cloned().unwrap_or_default();
    let key = (form, field("bin"), field("date"));
    let answer = service
        .answers
        .lock()
        .ok()
        .and_then(|answers| answers.get(&key).cloned());
    match answer {
        Some(body) => ([("Content-Type", "application/json")], body).into_response(),
        None => {
            let refusal = json!({ "error": format!("no form {key:?}") });
            (StatusCode::NOT_FOUND, axum::Json(refusal)).into_response()
        }
    }
}
