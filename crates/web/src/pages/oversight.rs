//! The integrator's page of oversight access (issue 6; OV-3, OV-4): every access granted to an
//! employee of a representative or audit body, whether it is in force, expired or blocked; a
//! form that grants one by the competence table, and one that blocks an access.

use super::form_message;
use super::orgs::Choice;
use super::plans::unprocessable_if;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_org::{BudgetLevel, Right};
use jospar_oversight::BodyKind;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oversight", get(show).post(grant))
        .route("/oversight/{id}/block", post(block))
}

pub struct AccessRow {
    id: i64,
    user: String,
    kind: String,
    anchor: String,
    roots: String,
    until: String,
    state: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "oversight.html")]
struct OversightPage {
    page: Page,
    rows: Vec<AccessRow>,
    users: Vec<Choice>,
    kinds: Vec<Choice>,
    anchors: Vec<Choice>,
    error: Option<String>,
}

async fn page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.require_system(Right::Configure)?;
    let lang = ctx.tr.lang();
    let orgs = jospar_org::repo::all_orgs(ctx.db()).await?;
    let org_name = |id: i64| {
        orgs.iter()
            .find(|o| o.id == id)
            .map(|o| o.name(lang).to_string())
            .unwrap_or_default()
    };
    let users = jospar_org::repo::users(ctx.db(), "", None).await?;
    let user_name = |id: i64| {
        users
            .iter()
            .find(|u| u.id == id)
            .map(|u| format!("{} ({})", u.full_name, u.login))
            .unwrap_or_default()
    };
    let rows = crate::oversight::list(ctx.db(), p)
        .await?
        .into_iter()
        .map(|a| {
            let state = if a.blocked_at.is_some() {
                "blocked"
            } else if a.valid_until < p.today {
                "expired"
            } else {
                "active"
            };
            AccessRow {
                id: a.id,
                user: user_name(a.user_id),
                kind: ctx.tr.t(&format!("oversight-kind-{}", a.kind.code())),
                anchor: a.anchor_org_id.map(org_name).unwrap_or_default(),
                roots: a
                    .roots
                    .iter()
                    .map(|r| org_name(*r))
                    .collect::<Vec<_>>()
                    .join("; "),
                until: a.valid_until.to_string(),
                state: match (&a.block_reason, state) {
                    (Some(reason), "blocked") => {
                        format!("{}: {reason}", ctx.tr.t("oversight-state-blocked"))
                    }
                    _ => ctx.tr.t(&format!("oversight-state-{state}")),
                },
                active: state == "active",
            }
        })
        .collect();
    let choice = |value: String, label: String| Choice {
        value,
        label,
        selected: false,
    };
    let budgets = jospar_org::repo::budgets(ctx.db()).await?;
    let republican = |budget: i64| {
        budgets
            .iter()
            .any(|b| b.id == budget && b.level == BudgetLevel::Republican)
    };
    // A region is the root of a local budget's tree; a central body is any organisation of the
    // republican budget.
    let anchors = orgs
        .iter()
        .filter(|o| o.parent_id.is_none() || republican(o.budget_id))
        .map(|o| choice(o.id.to_string(), o.name(lang).to_string()))
        .collect();
    let refused = error.is_some();
    let response = render(OversightPage {
        page: Page::new(ctx, "oversight-title", "oversight"),
        rows,
        users: users
            .iter()
            .map(|u| choice(u.id.to_string(), format!("{} ({})", u.full_name, u.login)))
            .collect(),
        kinds: BodyKind::ALL
            .iter()
            .map(|k| {
                choice(
                    k.code().to_string(),
                    ctx.tr.t(&format!("oversight-kind-{}", k.code())),
                )
            })
            .collect(),
        anchors,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx) -> AppResult<Response> {
    page(&ctx, None).await
}

fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map(String::as_str).unwrap_or("")
}

async fn grant(ctx: Ctx, Form(fields): Form<HashMap<String, String>>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = async {
        let user = field(&fields, "user_id")
            .parse()
            .map_err(|_| AppError::invalid("err-oversight-no-user", "user_id"))?;
        let anchor = field(&fields, "anchor_org_id").parse().ok();
        crate::oversight::grant(ctx.db(), p, user, field(&fields, "kind"), anchor).await
    }
    .await;
    answer(&ctx, result.map(|_| ())).await
}

async fn block(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = crate::oversight::block(ctx.db(), p, id, field(&fields, "reason")).await;
    answer(&ctx, result.map(|_| ())).await
}

async fn answer(ctx: &Ctx, result: AppResult<()>) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to("/oversight").into_response()),
        Err(e @ AppError::Invalid { .. }) => page(ctx, Some(form_message(ctx, e)?)).await,
        Err(e) => Err(e),
    }
}
