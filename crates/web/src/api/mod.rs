//! JSON API under `/api/v1`, one file per module, each declaring its routes next to their
//! handlers through [`crate::routes::Api`]; served as OpenAPI at `/api/v1/openapi.json`.
//! Authentication: `Authorization: Bearer <personal token>`; GET requests also accept the
//! browser session. Handlers call the modules' use cases, which decide the rights, so the API
//! and the pages refuse the same things.
//!
//! A new module adds its file here and one line to [`api`].

mod common;
mod execution;
mod limits;
mod openbudget;
mod oversight;
mod planning;
mod platform;
mod reports;
mod staffing;

use crate::AppState;
use crate::routes::{Access, Api, ApiRoute};
use axum::{Json, Router};

/// Every module's routes, declared.
fn api() -> Api {
    let api = Api::default().get(
        "/openapi.json",
        "This OpenAPI document",
        Access::Public,
        true,
        openapi_json,
    );
    let api = platform::routes(api);
    let api = limits::routes(api);
    let api = planning::routes(api);
    let api = staffing::routes(api);
    let api = execution::routes(api);
    let api = oversight::routes(api);
    let api = openbudget::routes(api);
    reports::routes(api)
}

/// Every route of the API, as declared: the OpenAPI document and the authorisation-matrix test
/// read it.
pub fn declared() -> Vec<ApiRoute> {
    api().declared().to_vec()
}

pub fn routes() -> Router<AppState> {
    api().into_router()
}

async fn openapi_json() -> Json<serde_json::Value> {
    Json(crate::openapi::document(&declared()))
}
