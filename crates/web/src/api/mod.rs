//! JSON API under `/api/v1`, one file per module, each declaring its routes next to their
//! handlers through [`crate::routes::Api`]; served as OpenAPI at `/api/v1/openapi.json`.
//! Authentication: `Authorization: Bearer <personal token>`; GET requests also accept the
//! browser session. Handlers call the modules' use cases, which decide the rights, so the API
//! and the pages refuse the same things.
//!
//! A new module adds its file here and one line to [`api`].

mod adhoc;
mod budget;
mod code_requests;
mod common;
mod devbudget;
pub(crate) use devbudget::kind as devbudget_kind;
mod ebk_changes;
mod execution;
mod goods;
mod integrations;
mod limits;
mod openbudget;
mod oversight;
mod planning;
mod platform;
mod reports;
mod selfcheck;
mod staffing;

use crate::AppState;
use crate::routes::{Access, Api, ApiRoute};
use axum::{Json, Router};

/// Every module's routes, declared.
fn api() -> Api {
    let api = Api::default()
        .get(
            "/openapi.json",
            "This OpenAPI document",
            Access::Public,
            true,
            openapi_json,
        )
        .answer::<OpenApiDocument>();
    let api = platform::routes(api);
    let api = limits::routes(api);
    let api = planning::routes(api);
    let api = budget::routes(api);
    let api = code_requests::routes(api);
    let api = adhoc::routes(api);
    let api = goods::routes(api);
    let api = integrations::routes(api);
    let api = ebk_changes::routes(api);
    let api = selfcheck::routes(api);
    let api = devbudget::routes(api);
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
    api()
        .into_router()
        .layer(axum::middleware::from_fn(json_rejections))
}

/// axum's own refusals (a path id that is not a number, a malformed query, a body too large or
/// of the wrong content type) answer in plain text; the API answers every error in JSON with
/// the translated Error body, as its document says, keeping their status (400, 413).
async fn json_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use crate::error::HttpError;
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let lang = request
        .extensions()
        .get::<crate::ctx::RequestLang>()
        .map(|l| l.0)
        .unwrap_or(crate::i18n::Lang::Ru);
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !status.is_client_error()
        || status == StatusCode::NOT_FOUND
        || status == StatusCode::METHOD_NOT_ALLOWED
        || !plain
        || response
            .extensions()
            .get::<crate::error::AppError>()
            .is_some()
    {
        return response;
    }
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let error = crate::error::AppError::Invalid {
        key: if status == StatusCode::PAYLOAD_TOO_LARGE {
            "err-too-large"
        } else {
            "err-bad-request"
        },
        args: vec![("message", String::from_utf8_lossy(&bytes).into_owned())],
        field: None,
    };
    let body = serde_json::json!({
        "error": error.code(),
        "message": error.message(&crate::i18n::Tr(lang)),
        "field": null,
    });
    (status, Json(body)).into_response()
}

/// An OpenAPI 3.1 document (its parts as the OpenAPI specification defines them).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // The document is built as JSON; this declares its shape.
struct OpenApiDocument {
    openapi: String,
    info: OpenApiInfo,
    #[schema(value_type = std::collections::BTreeMap<String, Object>)]
    paths: serde_json::Value,
    #[schema(value_type = Object)]
    components: serde_json::Value,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
struct OpenApiInfo {
    title: String,
    version: String,
}

async fn openapi_json() -> Json<serde_json::Value> {
    Json(crate::openapi::document(&declared()))
}

#[cfg(test)]
mod openapi_tests {
    //! The OpenAPI document of the declared routes: typed throughout.
    #[test]
    fn no_operation_has_a_free_form_schema() {
        let doc = crate::openapi::document(&super::declared());
        let found = crate::openapi::free_form_operations(&doc);
        assert!(
            found.is_empty(),
            "{} free-form schemas:\n{}",
            found.len(),
            found.join("\n")
        );
    }

    #[test]
    fn no_two_types_share_a_name() {
        let (_, collisions) = crate::openapi::build(&super::declared());
        assert!(collisions.is_empty(), "schemas named alike: {collisions:?}");
    }

    #[test]
    fn every_reference_resolves() {
        let doc = crate::openapi::document(&super::declared());
        let text = doc.to_string();
        for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap_or_default();
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling reference to {name}"
            );
        }
    }
}
