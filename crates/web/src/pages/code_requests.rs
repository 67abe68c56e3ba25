//! Requests to open or close codes of the budget classification (P-15, issue 23): the list
//! with the form of a new request, and one request with the budget-planning body's decision
//! and, once approved, its order.

use super::common::{Choice, form_message, unprocessable_if};
use super::common::{SearchQuery, searched};
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
use chrono::Datelike;
use jospar_access::{Access, Reader};
use jospar_planning::code_requests::{
    self as codes, CodeDecision, CodeRequest, CodeRequestStatus, DECISION_DAYS, NewCodeRequest,
};
use serde::Deserialize;
use std::collections::HashMap;

pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/code-requests",
    current: "code-requests",
    title_key: "nav-code-requests",
    group: MenuGroup::Planning,
    access: Access::Read,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/code-requests", get(list).post(create))
        .route("/code-requests/{id}", get(show))
        .route("/code-requests/{id}/decision", post(decide))
}

/// A request as the pages show it.
pub struct Shown {
    id: i64,
    year: i32,
    action: String,
    kind: String,
    code: String,
    name: String,
    administrator: String,
    status: String,
    /// The decision's due date while it waits, and whether it has passed.
    due: String,
    overdue: bool,
    /// "Order No. N of DATE" once approved.
    order: String,
}

async fn shown(ctx: &Ctx, requests: Vec<CodeRequest>) -> AppResult<Vec<(Shown, CodeRequest)>> {
    let tr = &ctx.tr;
    let lang = tr.lang();
    let orgs = jospar_limits::usecases::org_map(ctx.db()).await?;
    let calendar = ctx.db().working_calendar().await?;
    let today = ctx.user()?.today;
    Ok(requests
        .into_iter()
        .map(|r| {
            let waits = r.status == CodeRequestStatus::Sent;
            let due = r.decision_due(&calendar);
            let order = match (r.order_number, r.order_date) {
                (Some(number), Some(date)) => tr.args(
                    "code-order-link",
                    &[
                        ("number", number.to_string()),
                        ("date", crate::view::date(&date)),
                    ],
                ),
                _ => String::new(),
            };
            let shown = Shown {
                id: r.id,
                year: r.year,
                action: tr.t(&format!("code-action-{}", r.action.code())),
                kind: tr.t(&format!("code-kind-{}", r.kind.code())),
                code: r.code.clone(),
                name: r.name(tr),
                administrator: orgs
                    .get(&r.org_id)
                    .map(|o| o.name(lang).to_string())
                    .unwrap_or_default(),
                status: tr.t(&format!("code-status-{}", r.status.code())),
                due: if waits {
                    crate::view::date(&due)
                } else {
                    String::new()
                },
                overdue: waits && today > due,
                order,
            };
            (shown, r)
        })
        .collect())
}

#[derive(Template)]
#[template(path = "code_requests.html")]
struct ListPage {
    page: Page,
    intro: String,
    rows: Vec<Shown>,
    applicants: Vec<Choice>,
    actions: Vec<Choice>,
    q: String,
    form: NewForm,
    error: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewForm {
    /// The list's search words (from the query string).
    q: String,
    csrf: String,
    org: String,
    year: String,
    action: String,
    code: String,
    name_ru: String,
    name_kk: String,
    reason: String,
}

async fn list_page(ctx: &Ctx, form: NewForm, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let requests = codes::requests(ctx.db(), &Reader::User(p)).await?;
    let requests = jospar_core::listing::list(requests, &searched(&form.q)).rows;
    let rows = shown(ctx, requests)
        .await?
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let applicants = codes::applicants(ctx.db(), p)
        .await?
        .into_iter()
        .map(|o| Choice {
            selected: form.org == o.id.to_string(),
            value: o.id.to_string(),
            label: format!(
                "{} · {}",
                o.abp_code.as_deref().unwrap_or_default(),
                o.name(ctx.tr.lang())
            ),
        })
        .collect();
    let actions = ["open", "close"]
        .iter()
        .map(|a| Choice {
            selected: form.action == *a,
            value: a.to_string(),
            label: ctx.tr.t(&format!("code-action-{a}")),
        })
        .collect();
    let form = if form.year.is_empty() {
        NewForm {
            year: p.today.year().to_string(),
            ..form
        }
    } else {
        form
    };
    let refused = error.is_some();
    let response = render(ListPage {
        page: Page::new(ctx, "code-requests-title", "code-requests"),
        intro: ctx.tr.args(
            "code-requests-intro",
            &[("days", DECISION_DAYS.to_string())],
        ),
        rows,
        applicants,
        actions,
        q: form.q.clone(),
        form,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn list(ctx: Ctx, Query(search): Query<SearchQuery>) -> AppResult<Response> {
    let form = NewForm {
        q: search.q,
        ..NewForm::default()
    };
    list_page(&ctx, form, None).await
}

async fn create(ctx: Ctx, Form(form): Form<NewForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let new = NewCodeRequest {
            org_id: jospar_access::parse_id(&form.org, "org_id")?,
            year: form
                .year
                .trim()
                .parse()
                .map_err(|_| jospar_access::Error::invalid("err-year", "year"))?,
            action: form.action.clone(),
            code: form.code.clone(),
            name_ru: form.name_ru.clone(),
            name_kk: form.name_kk.clone(),
            reason: form.reason.clone(),
        };
        codes::create(ctx.db(), p, new).await
    }
    .await;
    match result {
        Ok(r) => Ok(Redirect::to(&crate::view::done(
            &format!("/code-requests/{}", r.id),
            "created",
        ))
        .into_response()),
        Err(e) => list_page(&ctx, form, Some(form_message(&ctx, e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "code_request.html")]
struct ShowPage {
    page: Page,
    s: Shown,
    r: CodeRequest,
    body: String,
    can_decide: bool,
    /// The subprograms a closed program took with it.
    closed_with: Vec<(String, String)>,
    typed_reason: String,
    error: Option<String>,
}

async fn show_page(
    ctx: &Ctx,
    id: i64,
    typed: &HashMap<String, String>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let r = codes::request(ctx.db(), &Reader::User(p), id).await?;
    let body = jospar_org::usecases::org_name(ctx.db(), ctx.tr.0, r.reviewer_org_id).await?;
    let can_decide = codes::may_decide(p, &r);
    let title = ctx.tr.args(
        "code-request-title",
        &[("code", r.code.clone()), ("year", r.year.to_string())],
    );
    let page = Page::new(ctx, "code-requests-title", "code-requests").document(
        title,
        vec![(
            "/code-requests".to_string(),
            ctx.tr.t("code-requests-title"),
        )],
    );
    let closed_with = r
        .closed_with
        .iter()
        .map(|e| {
            let name = ctx.tr.pick(&e.name_ru, e.name_kk.as_deref()).to_string();
            (e.code.clone(), name)
        })
        .collect();
    let (s, r) = shown(ctx, vec![r])
        .await?
        .pop()
        .ok_or(jospar_access::Error::NotFound)?;
    let refused = error.is_some();
    let response = render(ShowPage {
        page,
        s,
        r,
        body,
        can_decide,
        closed_with,
        typed_reason: typed.get("reason").cloned().unwrap_or_default(),
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    show_page(&ctx, id, &HashMap::new(), None).await
}

async fn decide(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let approve = field("approve") == "1";
    let result = async {
        let decision = CodeDecision {
            version: jospar_access::parse_id(field("version"), "version")?,
            approve,
            reason: field("reason").to_string(),
        };
        codes::decide(ctx.db(), p, id, &decision).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/code-requests/{id}"),
            if approve { "approved" } else { "refused" },
        ))
        .into_response()),
        Err(e) => show_page(&ctx, id, &fields, Some(form_message(&ctx, e)?)).await,
    }
}
