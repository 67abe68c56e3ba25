//! Applications for targeted transfers from the republican budget (issue 22, seed 002): the
//! list with the form of a new application, and one application with its step — sending it,
//! or the republican authority's decision.

use super::common::{Choice, form_message, unprocessable_if};
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
use jospar_access::{Access, Reader};
use jospar_budget::transfers::{self, Application, Decision, NewApplication, Status};
use jospar_core::Tenge;
use serde::Deserialize;
use std::collections::HashMap;

pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/transfer-applications",
    current: "transfers",
    title_key: "nav-transfers",
    group: MenuGroup::Planning,
    access: Access::Read,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/transfer-applications", get(list).post(create))
        .route("/transfer-applications/{id}", get(show))
        .route("/transfer-applications/{id}/send", post(send))
        .route("/transfer-applications/{id}/decision", post(decide))
}

pub struct Row {
    id: i64,
    budget: String,
    year: i32,
    purpose: String,
    program: String,
    amount: String,
    approved: String,
    status: String,
}

#[derive(Template)]
#[template(path = "transfers.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    applicants: Vec<Choice>,
    form: NewForm,
    error: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewForm {
    csrf: String,
    applicant: String,
    year: String,
    purpose: String,
    amount: String,
    abp: String,
    program: String,
    source_program: String,
    justification: String,
}

fn status_name(ctx: &Ctx, status: Status) -> String {
    ctx.tr.t(&format!("transfer-status-{}", status.code()))
}

async fn budget_names(ctx: &Ctx) -> AppResult<HashMap<i64, String>> {
    Ok(jospar_org::repo::budgets(ctx.db())
        .await?
        .into_iter()
        .map(|b| {
            let name = if ctx.tr.lang() == "kk" {
                b.name_kk
            } else {
                b.name_ru
            };
            (b.id, name)
        })
        .collect())
}

async fn list_page(ctx: &Ctx, form: NewForm, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let budgets = budget_names(ctx).await?;
    let rows = transfers::applications(ctx.db(), &Reader::User(p))
        .await?
        .into_iter()
        .map(|a| Row {
            id: a.id,
            budget: budgets.get(&a.budget_id).cloned().unwrap_or_default(),
            year: a.year,
            program: format!("{} {}", a.abp, a.program),
            amount: a.amount.to_string(),
            approved: a.approved_amount.map(|t| t.to_string()).unwrap_or_default(),
            status: status_name(ctx, a.status),
            purpose: a.purpose,
        })
        .collect();
    let applicants = transfers::applicants(ctx.db(), p)
        .await?
        .into_iter()
        .map(|o| Choice {
            selected: form.applicant == o.id.to_string(),
            value: o.id.to_string(),
            label: o.name(ctx.tr.lang()).to_string(),
        })
        .collect();
    let form = if form.year.is_empty() {
        NewForm {
            year: (p.today.year() + 1).to_string(),
            ..form
        }
    } else {
        form
    };
    let refused = error.is_some();
    let response = render(ListPage {
        page: Page::new(ctx, "transfers-title", "transfers"),
        rows,
        applicants,
        form,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    list_page(&ctx, NewForm::default(), None).await
}

async fn create(ctx: Ctx, Form(form): Form<NewForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let new = NewApplication {
            applicant_org_id: jospar_access::parse_id(&form.applicant, "applicant_org_id")?,
            year: form
                .year
                .trim()
                .parse()
                .map_err(|_| jospar_access::Error::invalid("err-transfer-year", "year"))?,
            purpose: form.purpose.clone(),
            amount_tiyn: Tenge::parse(&form.amount)
                .map_err(|_| jospar_access::Error::invalid("err-transfer-amount", "amount"))?
                .tiyn(),
            abp: form.abp.clone(),
            program: form.program.clone(),
            source_program: form.source_program.clone(),
            justification: form.justification.clone(),
        };
        transfers::create(ctx.db(), p, new).await
    }
    .await;
    match result {
        Ok(a) => Ok(Redirect::to(&crate::view::done(
            &format!("/transfer-applications/{}", a.id),
            "created",
        ))
        .into_response()),
        Err(e) => list_page(&ctx, form, Some(form_message(&ctx, e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "transfer.html")]
struct ShowPage {
    page: Page,
    a: Application,
    budget: String,
    applicant: String,
    status: String,
    amount: String,
    approved: String,
    can_send: bool,
    can_decide: bool,
    /// What the reviewer typed when the decision was refused.
    typed_amount: String,
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
    let a = transfers::application(ctx.db(), &Reader::User(p), id).await?;
    let budgets = budget_names(ctx).await?;
    let applicant = jospar_org::usecases::org_name(ctx.db(), ctx.tr.0, a.applicant_org_id).await?;
    let (can_send, can_decide) = transfers::actions(p, &a);
    let title = ctx.tr.args(
        "transfer-title",
        &[("purpose", a.purpose.clone()), ("year", a.year.to_string())],
    );
    let page = Page::new(ctx, "transfers-title", "transfers").document(
        title,
        vec![(
            "/transfer-applications".to_string(),
            ctx.tr.t("transfers-title"),
        )],
    );
    let refused = error.is_some();
    let response = render(ShowPage {
        page,
        budget: budgets.get(&a.budget_id).cloned().unwrap_or_default(),
        applicant,
        status: status_name(ctx, a.status),
        amount: a.amount.to_string(),
        approved: a.approved_amount.map(|t| t.to_string()).unwrap_or_default(),
        can_send,
        can_decide,
        typed_amount: typed
            .get("amount")
            .cloned()
            .unwrap_or_else(|| a.amount.to_string()),
        typed_reason: typed.get("reason").cloned().unwrap_or_default(),
        error,
        a,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    show_page(&ctx, id, &HashMap::new(), None).await
}

async fn send(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let result = async {
        let version = jospar_access::parse_id(field("version"), "version")?;
        transfers::send(ctx.db(), p, id, version).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/transfer-applications/{id}"),
            "sent",
        ))
        .into_response()),
        Err(e) => show_page(&ctx, id, &fields, Some(form_message(&ctx, e)?)).await,
    }
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
        let amount = match approve {
            true => Some(
                Tenge::parse(field("amount"))
                    .map_err(|_| jospar_access::Error::invalid("err-transfer-amount", "amount"))?
                    .tiyn(),
            ),
            false => None,
        };
        let decision = Decision {
            version: jospar_access::parse_id(field("version"), "version")?,
            approve,
            amount_tiyn: amount,
            reason: field("reason").to_string(),
        };
        transfers::decide(ctx.db(), p, id, &decision).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/transfer-applications/{id}"),
            if approve { "approved" } else { "refused" },
        ))
        .into_response()),
        Err(e) => show_page(&ctx, id, &fields, Some(form_message(&ctx, e)?)).await,
    }
}
