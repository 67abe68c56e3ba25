//! The Region passport page (EX-R 22–23): what was sent to the portal and how it ended, and a
//! form that sends the cash execution report of a form 5-52 or the budget's structure (5-52
//! with a 2-19) now.

use super::common::Choice;
use super::common::form_message;
use super::common::unprocessable_if;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jospar_access::Reader;
use jospar_execution::treasury_store::TreasuryReport;
use jospar_execution::usecases::passport::{Publication, exports, publish};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new().route("/execution/passport", get(show).post(send))
}

pub struct ExportRow {
    kind: String,
    org: String,
    date: String,
    sources: String,
    rows: i64,
    executed: String,
    status_code: String,
    status: String,
    detail: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "passport.html")]
struct PassportPage {
    page: Page,
    configured: bool,
    exports: Vec<ExportRow>,
    /// Imported 5-52 and 2-19 forms the user may publish from.
    forms_552: Vec<Choice>,
    forms_219: Vec<Choice>,
    error: Option<String>,
}

async fn passport_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let names = super::common::org_names(ctx).await?;
    let org = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let rows = exports(ctx.db(), p)
        .await?
        .into_iter()
        .map(|e| ExportRow {
            kind: ctx.tr.t(&format!("passport-kind-{}", e.kind)),
            org: org(e.org_id),
            date: e.report_date.to_string(),
            sources: e.sources,
            rows: e.row_count,
            executed: jospar_core::Tenge::from_tiyn(e.executed).to_string(),
            status: ctx.tr.t(&format!("passport-status-{}", e.status)),
            status_code: e.status,
            detail: e.remote_id.or(e.error).unwrap_or_default(),
            by: e.sent_by,
            at: super::common::almaty_date_time(e.sent_at),
        })
        .collect();
    let forms = jospar_execution::usecases::treasury::reports(ctx.db(), &Reader::User(p)).await?;
    let sources = jospar_execution::usecases::passport::sources(p, &forms);
    let choices = |forms: &[&TreasuryReport]| -> Vec<Choice> {
        forms
            .iter()
            .map(|r| Choice {
                value: r.id.to_string(),
                label: format!("{} · {} · {}", r.form, r.report_date, org(r.org_id)),
                selected: false,
            })
            .collect()
    };
    let refused = error.is_some();
    let response = render(PassportPage {
        page: Page::new(ctx, "passport-title", "execution"),
        configured: ctx.state.config.passport.is_some(),
        exports: rows,
        forms_552: choices(&sources.forms_552),
        forms_219: choices(&sources.forms_219),
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx) -> AppResult<Response> {
    passport_page(&ctx, None).await
}

async fn send(ctx: Ctx, Form(fields): Form<HashMap<String, String>>) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let result = async {
        let what = Publication {
            kind: field("kind").to_string(),
            f552: jospar_access::parse_id(field("f552"), "f552")?,
            f219: match field("f219") {
                "" => None,
                id => Some(jospar_access::parse_id(id, "f219")?),
            },
        };
        publish(ctx.db(), p, ctx.state.config.passport.as_ref(), &what).await
    }
    .await;
    match result {
        Ok(_) => {
            Ok(Redirect::to(&crate::view::done("/execution/passport", "sent")).into_response())
        }
        Err(e) => passport_page(&ctx, Some(form_message(&ctx, e)?)).await,
    }
}
