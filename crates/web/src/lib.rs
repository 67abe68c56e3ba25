//! The web application: server-rendered pages (askama + htmx) and the JSON API under
//! `/api/v1`. It only speaks HTTP: handlers read the request, call a module's use case with
//! the caller ([`jospar_access::Principal`]), which decides the rights, and render its answer
//! as a page or JSON.

pub mod api;
pub mod audit_view;
pub mod charts;
pub mod ctx;
pub use jospar_i18n as i18n;
pub mod eds_login;
pub mod error;
pub mod files;
pub mod listing;
pub mod menu;
pub mod modules;
pub mod openapi;
pub mod pages;
pub mod queries;
pub mod reports;
pub mod routes;
pub mod search;
pub mod upload;
pub mod view;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use ctx::{Ctx, LANG_COOKIE, LangPicked, RequestLang, SESSION_COOKIE, cookie};
use error::{AppError, HttpError};
use i18n::{Lang, Tr};
use jospar_store::Db;
use std::sync::Arc;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    /// The organisation tree every request's rights are checked against.
    pub trees: Arc<jospar_org::repo::TreeCache>,
    /// The menu as the page modules declare it.
    pub menu: Arc<Vec<menu::MenuEntry>>,
}

#[derive(Clone, Default)]
pub struct WebConfig {
    /// Set `Secure` on cookies (behind HTTPS).
    pub secure_cookies: bool,
    pub signing: Signing,
    /// Where approved plans and their changes go (EX-4): the Treasury through ShEP; none = they
    /// wait in the queue and the exchange page says the exchange is not configured.
    pub treasury: Option<Arc<dyn jospar_shep::TreasuryGateway>>,
    /// The "Region passport" portal (EX-R 22-23); none = publishing is refused as not set up.
    pub passport: Option<Arc<dyn jospar_passport::RegionPassport>>,
    /// The national open-budgets portal (BP-14); none = programs are not uploaded, and the
    /// administrator's page says so.
    pub open_budgets: Option<Arc<dyn jospar_obportal::OpenBudgets>>,
    /// e-Minfin's forms service (seed 004 integrations 7-9); none = forms only as files.
    pub emin: Option<jospar_execution::usecases::emin::EminService>,
    /// The ЕБК service (seed 004 integration 3); none = the classification comes as files.
    pub ebk: Option<Arc<dyn jospar_ebkservice::EbkService>>,
    /// The procurement portal (DB-2); none = its pages come only as files.
    pub goszakup: Option<Arc<dyn jospar_goszakup::ProcurementPortal>>,
    /// How each external system is set up, for the exchange monitor (no secrets).
    pub integrations: Vec<jospar_adapter::IntegrationInfo>,
}

pub use jospar_eds::{NCALAYER_URL, Signing};

pub fn app(db: Db, config: WebConfig) -> Router {
    let state = AppState {
        db,
        config: Arc::new(config),
        trees: Arc::default(),
        menu: Arc::new(pages::menu()),
    };
    let static_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/static");
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", get(healthz))
        .nest_service(
            "/static",
            Router::new()
                .fallback_service(ServeDir::new(static_dir))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                )),
        )
        .fallback(|| async { AppError::NotFound })
        // Classification files and supporting documents are larger than axum's 2 MiB default.
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_answer,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), finish))
        .with_state(state)
}

/// A panic in a handler becomes a logged 500 with an incident number the user can quote to
/// support (the log line carries it with the panic's message), not a dropped connection.
fn panic_answer(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    let incident = jospar_core::ids::new_id();
    tracing::error!(incident, what, "a request panicked");
    AppError::Internal(format!("{INCIDENT}{incident}")).into_response()
}

/// How an internal error carries the number of its incident to the message shown.
pub(crate) const INCIDENT: &str = "incident ";

/// `/healthz`: 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

fn query_lang(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v))
}

/// Decides the language of the request (`?lang=` → cookie → Accept-Language → Russian),
/// remembers a picked language in a cookie, and renders errors in that language.
async fn finish(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let picked = query_lang(request.uri().query());
    let lang = picked
        .or_else(|| cookie(request.headers(), LANG_COOKIE).and_then(|c| Lang::parse(&c)))
        .or_else(|| {
            request
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Ru);
    request.extensions_mut().insert(RequestLang(lang));
    if let Some(p) = picked {
        request.extensions_mut().insert(LangPicked(p));
    }
    let path = request.uri().path().to_string();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let is_api = path.starts_with("/api/");
    let is_get = request.method() == axum::http::Method::GET;
    let signed_in = cookie(request.headers(), SESSION_COOKIE).is_some()
        || request.headers().contains_key(header::AUTHORIZATION);
    let (uri, request_headers) = (request.uri().clone(), request.headers().clone());
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions().get::<AppError>().cloned() {
        if matches!(error, AppError::Forbidden) {
            tracing::warn!(path = %path_and_query, "refused request");
        }
        // An error page keeps the signed-in header and menu (issue 20): the visitor is read
        // again from the request, as the handler read it.
        let visitor = if signed_in && !is_api {
            let mut parts = axum::http::Request::new(()).into_parts().0;
            parts.uri = uri;
            parts.headers = request_headers;
            parts.extensions.insert(RequestLang(lang));
            Ctx::from_request_parts(&mut parts, &state).await.ok()
        } else {
            None
        };
        response = render_error(
            &error,
            Tr(lang),
            visitor.as_ref(),
            is_api,
            is_get,
            &path_and_query,
        );
    }
    let headers = response.headers_mut();
    if let Some(p) = picked {
        let value = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            p.code()
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    headers.insert(
        header::VARY,
        HeaderValue::from_static("HX-Request, Accept-Language, Cookie"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // What a signed-in user sees is not kept by the browser or a proxy (static files keep
    // their own caching).
    if signed_in && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Scripts and styles come from the server itself (no inline script runs); the signature
/// pages talk to NCALayer on the user's own computer; no other site may frame the pages.
/// `wasm-unsafe-eval` lets the grid compile the server's own formula engine (formula.wasm).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     connect-src 'self' wss://127.0.0.1:* ws://127.0.0.1:* wss://localhost:* ws://localhost:*; \
     frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

fn render_error(
    error: &AppError,
    tr: Tr,
    visitor: Option<&Ctx>,
    is_api: bool,
    is_get: bool,
    path_and_query: &str,
) -> Response {
    if is_api {
        let body = serde_json::json!({
            "error": error.code(),
            "message": error.message(&tr),
            "field": error.field(),
        });
        return (error.status(), axum::Json(body)).into_response();
    }
    if matches!(error, AppError::Unauthenticated) && is_get {
        let next = urlencoding::encode(path_and_query);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let page = match visitor {
        Some(ctx) => view::ErrorPage::signed_in(ctx, error.message(&tr)),
        None => view::ErrorPage::new(tr, error.message(&tr), path_and_query),
    };
    (error.status(), view::html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_answered_500_with_its_incident_number() {
        let answer = panic_answer(Box::new("cannot access key \"employees\" in JSON array"));
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let error = answer.extensions().get::<AppError>().expect("the error");
        let message = error.message(&Tr(Lang::Ru));
        let AppError::Internal(detail) = error else {
            panic!("{error:?}")
        };
        let incident = detail.strip_prefix(INCIDENT).expect("an incident number");
        assert!(message.contains(incident), "{message}");
    }
}
