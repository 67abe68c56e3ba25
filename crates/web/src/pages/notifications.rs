//! The user's notices (issue 20): the list behind the header's counter, newest first, paged;
//! opening one marks it read and goes to its document; all can be marked read at once.

use super::common::CsrfForm;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::listing::{Links, ListParams, Pager};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/read", post(read_all))
        .route("/notifications/{id}", get(open))
}

/// What the list shows: all notices or only the unread ones (`unread=1`), and a confirmation
/// after marking all read (`read=N`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct NoticeFilter {
    pub(crate) unread: String,
    read: String,
}

/// One line of the list.
struct Line {
    id: i64,
    text: String,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    page: Page,
    lines: Vec<Line>,
    pager: Pager,
    unread_only: bool,
    /// "N notices marked read" after the button.
    marked: Option<String>,
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let filter: NoticeFilter = ctx.query_params();
    let query = ctx.query_params::<ListParams>().query();
    let unread_only = filter.unread == "1";
    let listed = notices(&ctx, p.user.id, unread_only, &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let marked = filter.read.parse::<u64>().ok().map(|n| {
        ctx.tr
            .args("notifications-marked", &[("count", n.to_string())])
    });
    let pager = Pager::new(ctx.tr, &links, &listed);
    let lines = listed
        .rows
        .into_iter()
        .map(|n| Line {
            id: n.id,
            text: n.text,
            at: super::common::almaty_date_time(n.created_at),
            unread: n.read_at.is_none(),
        })
        .collect();
    render(NotificationsPage {
        page: Page::new(&ctx, "notifications-title", "notifications"),
        lines,
        pager,
        unread_only,
        marked,
    })
}

/// A page of the user's notices as a list of the shared toolkit (the API answers the same).
pub(crate) async fn notices(
    ctx: &Ctx,
    user_id: i64,
    unread_only: bool,
    query: &jospar_core::listing::ListQuery,
) -> AppResult<jospar_core::listing::Listed<jospar_notify::Notification>> {
    let (rows, total) = jospar_notify::page(
        ctx.db(),
        user_id,
        ctx.tr.lang(),
        unread_only,
        query.offset,
        query.limit,
    )
    .await?;
    Ok(jospar_core::listing::Listed {
        rows,
        total,
        offset: query.offset,
        limit: query.limit,
    })
}

/// Opens a notice: marks it read and goes to its document.
async fn open(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let p = ctx.user()?;
    let link = jospar_notify::open(ctx.db(), p.user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&link).into_response())
}

async fn read_all(ctx: Ctx, Form(form): Form<CsrfForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let marked = jospar_notify::mark_read(ctx.db(), p.user.id, None).await?;
    Ok(Redirect::to(&format!("/notifications?read={marked}")).into_response())
}
