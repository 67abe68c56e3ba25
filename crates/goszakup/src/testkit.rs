//! A fake procurement portal that answers as the real one does, traps included: every page
//! starts with a UTF-8 BOM, items are served as they were given (sums as integers or
//! decimals, ids as lists or numbers), pages are `limit` items long and chained by
//! `next_page` with `search_after=<last id>`; 401 without the right bearer token. A page can
//! be told to carry a broken `next_page`; faults (down, slow, a 500) come from the adapter
//! kit's server underneath.

use crate::Kind;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jospar_adapter::testkit::FakeServer;
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Items of each list by (kind, BIN): id → the item's JSON text as it is served.
type Lists = BTreeMap<(Kind, String), BTreeMap<i64, String>>;

#[derive(Default)]
struct Portal {
    lists: Lists,
    /// The units of each contract: id → the unit's JSON text.
    units: BTreeMap<i64, BTreeMap<i64, String>>,
    /// Lists whose pages carry a next_page that is not a path.
    broken: HashSet<(Kind, String)>,
}

pub struct FakeGoszakup {
    server: FakeServer,
    portal: Arc<Mutex<Portal>>,
}

#[derive(Clone)]
struct Service {
    token: String,
    limit: usize,
    portal: Arc<Mutex<Portal>>,
}

impl FakeGoszakup {
    /// A portal answering `token`'s bearer, `limit` items a page.
    pub async fn spawn(token: &str, limit: usize) -> std::io::Result<FakeGoszakup> {
        let portal: Arc<Mutex<Portal>> = Arc::default();
        let service = Service {
            token: token.to_string(),
            limit: limit.max(1),
            portal: portal.clone(),
        };
        let app = Router::new()
            .route("/v3/plans/{bin}", get(plans))
            .route("/v3/contract/customer/{bin}", get(contracts))
            .route("/v3/contract/{id}/units", get(units))
            .with_state(service);
        Ok(FakeGoszakup {
            server: FakeServer::spawn(app).await?,
            portal,
        })
    }

    /// The customer `bin` has this item (its JSON text, served as it is; its `id` orders it).
    pub fn put(&self, kind: Kind, bin: &str, item: &str) {
        let id = serde_json::from_str::<serde_json::Value>(item)
            .ok()
            .and_then(|v| v["id"].as_i64())
            .unwrap_or_default();
        if let Ok(mut portal) = self.portal.lock() {
            portal
                .lists
                .entry((kind, bin.to_string()))
                .or_default()
                .insert(id, item.to_string());
        }
    }

    /// The contract `contract_id` has this unit (its JSON text, served as it is).
    pub fn put_unit(&self, contract_id: i64, unit: &str) {
        let id = serde_json::from_str::<serde_json::Value>(unit)
            .ok()
            .and_then(|v| v["id"].as_i64())
            .unwrap_or_default();
        if let Ok(mut portal) = self.portal.lock() {
            portal
                .units
                .entry(contract_id)
                .or_default()
                .insert(id, unit.to_string());
        }
    }

    /// The pages of this list carry a `next_page` that is no path to a page.
    pub fn break_next_page(&self, kind: Kind, bin: &str) {
        if let Ok(mut portal) = self.portal.lock() {
            portal.broken.insert((kind, bin.to_string()));
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

async fn plans(
    State(service): State<Service>,
    Path(bin): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    answer(&service, Kind::Plans, &bin, &query, &headers)
}

async fn contracts(
    State(service): State<Service>,
    Path(bin): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    answer(&service, Kind::Contracts, &bin, &query, &headers)
}

async fn units(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !jospar_adapter::testkit::has_bearer(&headers, &service.token) {
        return unauthorized();
    }
    let Ok(portal) = service.portal.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let empty = BTreeMap::new();
    let list = portal.units.get(&id).unwrap_or(&empty);
    serve(
        &service,
        list,
        false,
        &format!("/v3/contract/{id}/units"),
        &query,
    )
}

fn unauthorized() -> Response {
    let refusal = json!({"code": 401, "status": 401, "name": "Unauthorized", "message": "Your request was made with invalid credentials."});
    (StatusCode::UNAUTHORIZED, axum::Json(refusal)).into_response()
}

fn answer(
    service: &Service,
    kind: Kind,
    bin: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Response {
    if !jospar_adapter::testkit::has_bearer(headers, &service.token) {
        return unauthorized();
    }
    let Ok(portal) = service.portal.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let key = (kind, bin.to_string());
    let empty = BTreeMap::new();
    let list = portal.lists.get(&key).unwrap_or(&empty);
    let path = match kind {
        Kind::Plans => format!("/v3/plans/{bin}"),
        Kind::Contracts => format!("/v3/contract/customer/{bin}"),
    };
    serve(service, list, portal.broken.contains(&key), &path, query)
}

/// A page of `list` after the query's `search_after`, chained to the next by `path`.
fn serve(
    service: &Service,
    list: &BTreeMap<i64, String>,
    broken: bool,
    path: &str,
    query: &HashMap<String, String>,
) -> Response {
    let after: i64 = query
        .get("search_after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(i64::MIN);
    let page: Vec<(&i64, &String)> = list
        .range(after.saturating_add(1)..)
        .take(service.limit)
        .collect();
    let last = page.last().map(|(id, _)| **id);
    let more = last.is_some_and(|last| list.range(last + 1..).next().is_some());
    let next_page = match (more, last) {
        _ if broken => format!("{path}?page=next&search_after=next"),
        (true, Some(last)) => format!(
            "{path}?page=next&limit={}&search_after={last}",
            service.limit
        ),
        _ => String::new(),
    };
    let items: Vec<&str> = page.iter().map(|(_, item)| item.as_str()).collect();
    // Written by hand, so that the items go out exactly as they were given.
    let body = format!(
        "\u{feff}{{\"total\": {}, \"limit\": {}, \"next_page\": {}, \"items\": [{}]}}",
        list.len(),
        service.limit,
        json!(next_page),
        items.join(",")
    );
    ([("Content-Type", "application/json")], body).into_response()
}
