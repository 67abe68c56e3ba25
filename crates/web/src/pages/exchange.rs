//! The Treasury exchange page (EX-4): every plan and change document queued for the Treasury
//! with its status, registration number, rejection reason or last error; sending what is due
//! now; and sending a failed or rejected document again, with a reason.

use super::common::{form_message, org_names};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_execution::exchange::{OutboxItem, OutboxStatus};
use std::collections::HashMap;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/treasury-exchange",
    current: "exchange",
    title_key: "nav-exchange",
    group: MenuGroup::Execution,
    access: Access::SignedIn,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/treasury-exchange", get(show))
        .route("/treasury-exchange/send", post(send))
        .route("/treasury-exchange/{id}/retry", post(retry))
}

/// One queued document on screen.
pub struct ExchangeRow {
    pub id: i64,
    pub plan_id: i64,
    pub org: String,
    pub document: String,
    pub status_code: &'static str,
    pub status: String,
    pub reference: String,
    /// The rejection reason or the last error.
    pub detail: String,
    pub attempts: i64,
    pub next_attempt: String,
    pub updated: String,
    pub can_retry: bool,
}

/// Kazakhstan time, as users read every date on screen.
fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    super::common::almaty_date_time(at)
}

pub fn exchange_row(ctx: &Ctx, names: &HashMap<i64, String>, item: &OutboxItem) -> ExchangeRow {
    let document = if item.change_number == 0 {
        ctx.tr.t("exchange-doc-plan")
    } else {
        format!(
            "{} №{}",
            ctx.tr.t(&format!("plan-change-{}", item.kind)),
            item.change_number
        )
    };
    let waiting = matches!(item.status, OutboxStatus::Queued | OutboxStatus::Sent);
    ExchangeRow {
        id: item.id,
        plan_id: item.plan_id,
        org: names.get(&item.org_id).cloned().unwrap_or_default(),
        document,
        status_code: item.status.code(),
        status: ctx.tr.t(&format!("exchange-status-{}", item.status.code())),
        reference: item.reference.clone().unwrap_or_default(),
        detail: item
            .reason
            .clone()
            .or_else(|| item.last_error.clone())
            .unwrap_or_default(),
        attempts: item.attempts,
        next_attempt: if waiting {
            local(item.next_attempt_at)
        } else {
            String::new()
        },
        updated: local(item.updated_at),
        can_retry: ctx
            .principal
            .as_ref()
            .is_some_and(|p| jospar_execution::usecases::exchange::may_retry(p, item)),
    }
}

pub struct StatusChoice {
    code: &'static str,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "exchange.html")]
struct ExchangePage {
    page: Page,
    configured: bool,
    can_send: bool,
    statuses: Vec<StatusChoice>,
    rows: Vec<ExchangeRow>,
    message: Option<String>,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Filter {
    status: String,
}

async fn exchange_page(
    ctx: &Ctx,
    status: &str,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let names = org_names(ctx).await?;
    let rows = jospar_execution::usecases::exchange::list(ctx.db(), p)
        .await?
        .iter()
        .filter(|i| status.is_empty() || i.status.code() == status)
        .map(|i| exchange_row(ctx, &names, i))
        .collect();
    let statuses = OutboxStatus::ALL
        .into_iter()
        .map(|s| StatusChoice {
            code: s.code(),
            label: ctx.tr.t(&format!("exchange-status-{}", s.code())),
            selected: s.code() == status,
        })
        .collect();
    let configured = ctx.state.config.treasury.is_some();
    let refused = error.is_some();
    let response = render(ExchangePage {
        page: Page::new(ctx, "exchange-title", "exchange"),
        configured,
        can_send: configured && jospar_execution::usecases::exchange::may_send(p),
        statuses,
        rows,
        message,
        error,
    })?;
    Ok(super::common::unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, Query(filter): Query<Filter>) -> AppResult<Response> {
    exchange_page(&ctx, &filter.status, None, None).await
}

async fn send(ctx: Ctx, Form(fields): Form<HashMap<String, String>>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let gateway = ctx.state.config.treasury.as_ref();
    match jospar_execution::usecases::exchange::send_now(ctx.db(), gateway, p).await {
        Ok(summary) => {
            let message = ctx.tr.args(
                "exchange-sent",
                &[
                    ("accepted", summary.accepted.to_string()),
                    ("registered", summary.registered.to_string()),
                    ("rejected", summary.rejected.to_string()),
                    ("failed", summary.failed.to_string()),
                ],
            );
            exchange_page(&ctx, "", Some(message), None).await
        }
        Err(e) => exchange_page(&ctx, "", None, Some(form_message(&ctx, e)?)).await,
    }
}

async fn retry(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let reason = fields.get("reason").map(String::as_str).unwrap_or("");
    match jospar_execution::usecases::exchange::retry(ctx.db(), p, id, reason).await {
        Ok(_) => {
            Ok(Redirect::to(&crate::view::done("/treasury-exchange", "retried")).into_response())
        }
        Err(e) => exchange_page(&ctx, "", None, Some(form_message(&ctx, e)?)).await,
    }
}
