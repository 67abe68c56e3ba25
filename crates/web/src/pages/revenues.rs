//! The revenues of a state enterprise's budget request (issue 23, BP-13): its paid services
//! and the state order or subsidy of its administrator, by counterparty and year, typed in a
//! grid and saved all or none.

use super::common::{Choice, form_message, unprocessable_if};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jospar_core::Tenge;
use jospar_planning::revenues::{self, RevenueInput, SOURCES};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new().route("/requests/{id}/revenues", get(show).post(save))
}

/// Blank rows under the typed ones.
const BLANK_ROWS: usize = 3;

pub struct RevenueRow {
    n: usize,
    sources: Vec<Choice>,
    counterparty: String,
    /// (field name, value) for each year.
    amounts: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "request_revenues.html")]
struct RevenuePage {
    page: Page,
    id: i64,
    version: i64,
    years: Vec<i32>,
    rows: Vec<RevenueRow>,
    administrator: String,
    editable: bool,
    error: Option<String>,
}

type Fields = HashMap<String, String>;

fn field<'a>(fields: &'a Fields, key: &str) -> &'a str {
    fields.get(key).map(String::as_str).unwrap_or("")
}

fn row(
    ctx: &Ctx,
    n: usize,
    source: &str,
    counterparty: String,
    amounts: Vec<(String, String)>,
) -> RevenueRow {
    RevenueRow {
        n,
        sources: SOURCES
            .iter()
            .map(|s| Choice {
                selected: source == *s,
                value: s.to_string(),
                label: ctx.tr.t(&format!("revenue-source-{s}")),
            })
            .collect(),
        counterparty,
        amounts,
    }
}

async fn page(
    ctx: &Ctx,
    id: i64,
    typed: Option<&Fields>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let current = revenues::of_request(ctx.db(), p, id).await?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let editable =
        current.enterprise && jospar_planning::usecases::request_actions(p, &request).edit;
    let amount_field = |n: usize, year: i32| format!("r{n}_{year}");
    let mut rows: Vec<RevenueRow> = match typed {
        Some(fields) => (0..field(fields, "rows").parse::<usize>().unwrap_or(0).min(200))
            .map(|n| {
                let amounts = current
                    .years
                    .iter()
                    .map(|y| {
                        (
                            amount_field(n, *y),
                            field(fields, &amount_field(n, *y)).to_string(),
                        )
                    })
                    .collect();
                row(
                    ctx,
                    n,
                    field(fields, &format!("r{n}_source")),
                    field(fields, &format!("r{n}_counterparty")).to_string(),
                    amounts,
                )
            })
            .collect(),
        None => current
            .rows
            .iter()
            .enumerate()
            .map(|(n, r)| {
                let amounts = current
                    .years
                    .iter()
                    .map(|y| {
                        (
                            amount_field(n, *y),
                            r.amounts.get(y).map(|a| a.to_string()).unwrap_or_default(),
                        )
                    })
                    .collect();
                row(ctx, n, &r.source, r.counterparty.clone(), amounts)
            })
            .collect(),
    };
    if typed.is_none() {
        let start = rows.len();
        for n in start..start + BLANK_ROWS {
            let amounts = current
                .years
                .iter()
                .map(|y| (amount_field(n, *y), String::new()))
                .collect();
            rows.push(row(ctx, n, "", String::new(), amounts));
        }
    }
    let page = Page::new(ctx, "requests-title", "requests").document(
        ctx.tr.t("revenue-title"),
        vec![
            ("/requests".to_string(), ctx.tr.t("requests-title")),
            (format!("/requests/{id}"), ctx.tr.t("fact-back")),
        ],
    );
    let refused = error.is_some();
    let response = render(RevenuePage {
        page,
        id,
        version: current.version,
        years: current.years.clone(),
        rows,
        administrator: current.administrator,
        editable,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    page(&ctx, id, None, None).await
}

/// The typed rows: a row with no amount and no counterparty is a blank one.
fn typed_rows(years: &[i32], fields: &Fields) -> jospar_access::Result<Vec<RevenueInput>> {
    let count = field(fields, "rows").parse::<usize>().unwrap_or(0).min(200);
    let mut rows = Vec::new();
    for n in 0..count {
        let counterparty = field(fields, &format!("r{n}_counterparty"))
            .trim()
            .to_string();
        let mut amounts_tiyn = std::collections::BTreeMap::new();
        for year in years {
            let name = format!("r{n}_{year}");
            let text = field(fields, &name).trim();
            if text.is_empty() {
                continue;
            }
            let amount = Tenge::parse(text).map_err(|_| {
                jospar_access::Error::invalid(
                    "err-revenue-amount",
                    &format!("revenues[{}].{year}", rows.len() + 1),
                )
            })?;
            amounts_tiyn.insert(year.to_string(), amount.tiyn());
        }
        if amounts_tiyn.is_empty() && counterparty.is_empty() {
            continue;
        }
        rows.push(RevenueInput {
            source: field(fields, &format!("r{n}_source")).to_string(),
            counterparty,
            amounts_tiyn,
        });
    }
    Ok(rows)
}

async fn save(ctx: Ctx, Path(id): Path<i64>, Form(fields): Form<Fields>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = async {
        let version = jospar_access::parse_id(field(&fields, "version"), "version")?;
        let current = revenues::of_request(ctx.db(), p, id).await?;
        let rows = typed_rows(&current.years, &fields)?;
        revenues::save(ctx.db(), p, id, version, &rows).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/requests/{id}/revenues"),
            "saved",
        ))
        .into_response()),
        Err(e) => page(&ctx, id, Some(&fields), Some(form_message(&ctx, e)?)).await,
    }
}
