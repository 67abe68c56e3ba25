//! A fake ЕБК service: gives the change sets it was given, by year, in their envelope, to a
//! caller with the right bearer token; 401 to another. Faults (down, slow, a 500) come from the
//! adapter kit's server underneath; a broken body from [`FakeEbkService::put_raw`].

use crate::{ChangeSet, ChangeSets};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jospar_adapter::testkit::FakeServer;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Years {
    sets: HashMap<i32, Vec<ChangeSet>>,
    raw: HashMap<i32, String>,
}

type Shared = Arc<Mutex<Years>>;

pub struct FakeEbkService {
    server: FakeServer,
    years: Shared,
}

#[derive(Clone)]
struct Service {
    token: String,
    years: Shared,
}

impl FakeEbkService {
    pub async fn spawn(token: &str) -> std::io::Result<FakeEbkService> {
        let years: Shared = Arc::default();
        let app = Router::new()
            .route("/api/classification/{year}/change-sets", get(change_sets))
            .with_state(Service {
                token: token.to_string(),
                years: years.clone(),
            });
        Ok(FakeEbkService {
            server: FakeServer::spawn(app).await?,
            years,
        })
    }

    /// The service decides this change set (after those given before).
    pub fn put(&self, set: ChangeSet) {
        if let Ok(mut years) = self.years.lock() {
            years.raw.remove(&set.year);
            years.sets.entry(set.year).or_default().push(set);
        }
    }

    /// The service answers the year's request with this body, as it is.
    pub fn put_raw(&self, year: i32, body: &str) {
        if let Ok(mut years) = self.years.lock() {
            years.raw.insert(year, body.to_string());
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

async fn change_sets(
    State(service): State<Service>,
    Path(year): Path<i32>,
    headers: HeaderMap,
) -> Response {
    if !jospar_adapter::testkit::has_bearer(&headers, &service.token) {
        let refusal = json!({ "error": "invalid token" });
        return (StatusCode::UNAUTHORIZED, axum::Json(refusal)).into_response();
    }
    let Ok(years) = service.years.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let body = match years.raw.get(&year) {
        Some(raw) => raw.clone(),
        None => {
            let sets = years.sets.get(&year).cloned().unwrap_or_default();
            json!(ChangeSets::of(year, sets)).to_string()
        }
    };
    ([("Content-Type", "application/json")], body).into_response()
}
