//! The search page (issue 23, P-6): one box finding documents of every kind the user may read,
//! refreshed as they type (htmx swaps the results only).

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::search::{Group, search};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(show))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: Page,
    q: String,
    groups: Vec<Group>,
}

async fn show(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let query: SearchQuery = ctx.query_params();
    let groups = search(ctx.db(), &ctx.tr, p, &query.q).await?;
    render(SearchPage {
        page: Page::new(&ctx, "search-title", "search"),
        q: query.q,
        groups,
    })
}
