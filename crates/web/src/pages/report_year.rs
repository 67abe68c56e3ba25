//! The report (fact) year of a budget request (issue 23): each program, subprogram and
//! specific of its lines with the executed amount of the year before the current one, typed
//! or filled from the organisation's Treasury form of cash execution.

use super::common::{form_message, unprocessable_if};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_core::Tenge;
use jospar_planning::report_year::{self, TypedFact};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/requests/{id}/report-year", get(show).post(save))
        .route("/requests/{id}/report-year/from-execution", post(fill))
}

/// A code of the request with its figure as shown or typed.
pub struct FactRow {
    field: String,
    program: String,
    subprogram: String,
    specific: String,
    name: String,
    value: String,
    source: String,
}

#[derive(Template)]
#[template(path = "request_report_year.html")]
struct FactPage {
    page: Page,
    id: i64,
    version: i64,
    rows: Vec<FactRow>,
    amount_heading: String,
    total: String,
    editable: bool,
    error: Option<String>,
}

type Fields = HashMap<String, String>;

async fn page(
    ctx: &Ctx,
    id: i64,
    typed: Option<&Fields>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let fy = report_year::of_request(ctx.db(), p, id).await?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let choices = jospar_planning::codes::line_choices(ctx.db(), &ctx.tr, &request).await?;
    let editable = jospar_planning::usecases::request_actions(p, &request).edit;
    let rows: Vec<FactRow> = fy
        .lines
        .iter()
        .map(|l| {
            let field = report_year::field_of(&l.program, &l.subprogram, &l.specific);
            let value = match typed {
                Some(fields) => fields.get(&field).cloned().unwrap_or_default(),
                None => l.amount.map(|a| a.to_string()).unwrap_or_default(),
            };
            let source = match l.source.as_deref() {
                Some(report_year::EXECUTION) => {
                    ctx.tr.args("fact-from", &[("basis", l.basis.clone())])
                }
                Some(_) => ctx.tr.t("fact-typed"),
                None => String::new(),
            };
            FactRow {
                name: format!(
                    "{} · {}",
                    choices.program_name(&l.program),
                    choices.specific_name(&l.specific)
                ),
                field,
                program: l.program.clone(),
                subprogram: l.subprogram.clone(),
                specific: l.specific.clone(),
                value,
                source,
            }
        })
        .collect();
    let total: Tenge = fy.lines.iter().filter_map(|l| l.amount).sum();
    let title = ctx.tr.args("fact-title", &[("year", fy.year.to_string())]);
    let page = Page::new(ctx, "requests-title", "requests").document(
        title,
        vec![
            ("/requests".to_string(), ctx.tr.t("requests-title")),
            (format!("/requests/{id}"), ctx.tr.t("fact-back")),
        ],
    );
    let refused = error.is_some();
    let response = render(FactPage {
        page,
        id,
        version: fy.version,
        rows,
        amount_heading: ctx
            .tr
            .args("fact-col-amount", &[("year", fy.year.to_string())]),
        total: total.to_string(),
        editable,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    page(&ctx, id, None, None).await
}

/// The typed figures: every code's field, an empty one left as it was.
fn typed_facts(
    rows: &[jospar_planning::report_year::FactLine],
    fields: &Fields,
) -> jospar_access::Result<Vec<TypedFact>> {
    let mut typed = Vec::new();
    for l in rows {
        let field = report_year::field_of(&l.program, &l.subprogram, &l.specific);
        let text = fields.get(&field).map(|v| v.trim()).unwrap_or("");
        if text.is_empty() {
            continue;
        }
        let amount = Tenge::parse(text)
            .map_err(|_| jospar_access::Error::invalid("err-fact-amount", &field))?;
        typed.push(TypedFact {
            program: l.program.clone(),
            subprogram: l.subprogram.clone(),
            specific: l.specific.clone(),
            amount_tiyn: amount.tiyn(),
        });
    }
    Ok(typed)
}

async fn save(ctx: Ctx, Path(id): Path<i64>, Form(fields): Form<Fields>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let result = async {
        let version = jospar_access::parse_id(
            fields.get("version").map(String::as_str).unwrap_or(""),
            "version",
        )?;
        let current = report_year::of_request(ctx.db(), p, id).await?;
        let typed = typed_facts(&current.lines, &fields)?;
        report_year::type_in(ctx.db(), p, id, version, &typed).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/requests/{id}/report-year"),
            "saved",
        ))
        .into_response()),
        Err(e) => page(&ctx, id, Some(&fields), Some(form_message(&ctx, e)?)).await,
    }
}

async fn fill(ctx: Ctx, Path(id): Path<i64>, Form(fields): Form<Fields>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let result = async {
        let version = jospar_access::parse_id(
            fields.get("version").map(String::as_str).unwrap_or(""),
            "version",
        )?;
        jospar_execution::usecases::report_year::fill(ctx.db(), p, id, version).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/requests/{id}/report-year"),
            "changed",
        ))
        .into_response()),
        Err(e) => page(&ctx, id, None, Some(form_message(&ctx, e)?)).await,
    }
}
