//! The ЕБК service's change sets (issue 24): for the system administrator, each set received
//! with what it does to its year's classification (the report of the comparison of two years),
//! whether it can apply and why not, the local code requests waiting on the same codes; apply,
//! reject with a reason, and receive the sets of a year now.

use super::classification::{ChangeLine, change_lines};
use super::common::form_message;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use jospar_access::Access;
use jospar_planning::ebk_changes::{self, SetView};
use serde::Deserialize;

pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/classification/changes",
    current: "ebk-changes",
    title_key: "nav-ebk-changes",
    group: MenuGroup::Settings,
    access: Access::SystemConfigure,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/classification/changes", get(show))
        .route("/classification/changes/receive", post(receive))
        .route("/classification/changes/{id}/apply", post(apply))
        .route("/classification/changes/{id}/reject", post(reject))
}

pub struct SetLine {
    id: String,
    year: i32,
    basis: String,
    issued_at: String,
    received_at: String,
    status_code: &'static str,
    status: String,
    decided: String,
    pending: bool,
    changes: Vec<ChangeLine>,
    problem: String,
    conflicts: Vec<String>,
}

#[derive(Template)]
#[template(path = "ebk_changes.html")]
struct ChangesPage {
    page: Page,
    sets: Vec<SetLine>,
    year: i32,
    service: bool,
    message: Option<String>,
    error: Option<String>,
}

fn line(ctx: &Ctx, v: SetView) -> SetLine {
    let tr = &ctx.tr;
    let problem = v
        .problem
        .map(|(index, code, problem)| {
            tr.args(
                "ebk-set-problem",
                &[
                    ("index", index.to_string()),
                    ("code", code),
                    ("problem", tr.t(&format!("ebk-problem-{problem}"))),
                ],
            )
        })
        .unwrap_or_default();
    let conflicts = v
        .conflicts
        .iter()
        .map(|r| {
            tr.args(
                "ebk-set-conflict",
                &[
                    ("code", r.code.clone()),
                    ("request", r.id.to_string()),
                    ("action", tr.t(&format!("code-action-{}", r.action.code()))),
                ],
            )
        })
        .collect();
    let set = v.set;
    let decided = match (&set.decided_by, set.decided_at) {
        (Some(by), Some(at)) => format!(
            "{by}, {}{}",
            jospar_i18n::almaty_date_time(at),
            set.reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        _ => String::new(),
    };
    SetLine {
        pending: set.status == jospar_classification::service::SetStatus::Pending,
        status_code: set.status.code(),
        status: tr.t(&format!("ebk-set-status-{}", set.status.code())),
        changes: change_lines(ctx, v.report),
        id: set.id,
        year: set.year,
        basis: set.basis,
        issued_at: set.issued_at,
        received_at: jospar_i18n::almaty_date_time(set.received_at),
        decided,
        problem,
        conflicts,
    }
}

async fn page(ctx: &Ctx, message: Option<String>, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let sets = ebk_changes::overview(ctx.db(), p)
        .await?
        .into_iter()
        .map(|v| line(ctx, v))
        .collect();
    let refused = error.is_some();
    let response = render(ChangesPage {
        page: Page::new(ctx, "ebk-changes-title", "ebk-changes"),
        sets,
        year: p.today.year(),
        service: ctx.state.config.ebk.is_some(),
        message,
        error,
    })?;
    Ok(super::common::unprocessable_if(refused, response))
}

async fn show(ctx: Ctx) -> AppResult<Response> {
    page(&ctx, None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReceiveForm {
    csrf: String,
    year: String,
}

async fn receive(ctx: Ctx, Form(form): Form<ReceiveForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let year = form
            .year
            .trim()
            .parse()
            .map_err(|_| jospar_access::Error::invalid("err-year", "year"))?;
        let service = ctx.state.config.ebk.as_deref();
        ebk_changes::receive_now(ctx.db(), service, p, year).await
    };
    match result.await {
        Ok(received) => {
            let message = ctx.tr.args(
                "ebk-received",
                &[
                    ("received", received.received.len().to_string()),
                    ("known", received.known.to_string()),
                ],
            );
            page(&ctx, Some(message), None).await
        }
        Err(e) => {
            let message = form_message(&ctx, e)?;
            page(&ctx, None, Some(message)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecideForm {
    csrf: String,
    reason: String,
}

async fn apply(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    match ebk_changes::apply(ctx.db(), p, &id).await {
        Ok(_) => Ok(
            Redirect::to(&crate::view::done("/classification/changes", "changed")).into_response(),
        ),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            page(&ctx, None, Some(message)).await
        }
    }
}

async fn reject(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    match ebk_changes::reject(ctx.db(), p, &id, &form.reason).await {
        Ok(_) => Ok(
            Redirect::to(&crate::view::done("/classification/changes", "refused")).into_response(),
        ),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            page(&ctx, None, Some(message)).await
        }
    }
}
