//! Who is asking, in which language, with which rights. Every handler takes a [`Ctx`]; every
//! check of rights goes through it, on the server, by role and organisation subtree (P-3).

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use chrono::Utc;
pub use jospar_access::Principal;
use jospar_org::{auth, repo};

pub const SESSION_COOKIE: &str = "jospar_session";
pub const LANG_COOKIE: &str = "jospar_lang";

/// The language of this request, decided by the `finish` middleware.
#[derive(Debug, Clone, Copy)]
pub struct RequestLang(pub Lang);

/// `?lang=` present in the query of this request (to be remembered).
#[derive(Debug, Clone, Copy)]
pub struct LangPicked(pub Lang);

pub struct Ctx {
    pub state: AppState,
    pub tr: Tr,
    /// The caller, with the grants that count in the module of the page or route asked for.
    pub principal: Option<Principal>,
    /// The caller with every grant held: what the menu offers.
    pub held: Option<Principal>,
    pub path: String,
    pub query: String,
    /// The signed-in user's unread notices, for the header's counter (0 for the API).
    pub unread: i64,
}

impl Ctx {
    pub fn user(&self) -> AppResult<&Principal> {
        self.principal.as_ref().ok_or(AppError::Unauthenticated)
    }

    pub fn db(&self) -> &jospar_store::Db {
        &self.state.db
    }

    /// The query string read as `T` (fields of text, so that nothing typed is refused here:
    /// the use case names what it cannot read); what does not parse at all is taken as empty.
    pub fn query_params<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        serde_urlencoded::from_str(&self.query).unwrap_or_default()
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = parts
            .extensions
            .get::<RequestLang>()
            .map(|l| l.0)
            .unwrap_or(Lang::Ru);
        let now = Utc::now();
        let db = &state.db;
        let (user, csrf, via_token) = if let Some(token) = bearer(&parts.headers) {
            match auth::api_token_user(db, &token, now.date_naive()).await? {
                Some(user) => (Some(user), None, true),
                None => return Err(AppError::Unauthenticated),
            }
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            match auth::session_user(db, &token, now).await? {
                Some((user, csrf)) => (Some(user), Some(csrf), false),
                None => (None, None, false),
            }
        } else {
            (None, None, false)
        };
        let principal = match user {
            Some(user) => {
                // A language picked in the browser is remembered for the user; an API call's
                // ?lang= only translates that response.
                let picked = parts.extensions.get::<LangPicked>().filter(|_| !via_token);
                if let Some(picked) = picked.filter(|p| user.lang.as_deref() != Some(p.0.code())) {
                    repo::set_user_lang(db, &user, picked.0.code()).await?;
                }
                let grants = repo::grants_of(db, user.id).await?;
                let tree = state.trees.tree(db).await?;
                Some(Principal {
                    user,
                    grants,
                    tree,
                    today: now.date_naive(),
                    via_token,
                    csrf,
                })
            }
            None => None,
        };
        // The use cases decide by the grants that count in this page's or route's module; the
        // menu by every grant the user holds (issue 20).
        let held = principal.clone();
        let principal = principal.map(|p| p.in_module(crate::modules::module_of(parts.uri.path())));
        let unread = match &principal {
            Some(p) if !p.via_token => jospar_notify::unread(db, p.user.id).await?,
            _ => 0,
        };
        Ok(Ctx {
            state: state.clone(),
            tr: Tr(lang),
            principal,
            held,
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            unread,
        })
    }
}
