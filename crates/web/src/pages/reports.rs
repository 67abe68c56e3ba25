//! The report catalogue on screen (BP-R, P-19): `/reports` lists the reports, and
//! `/reports/{name}` asks for the parameters, shows the table in its official layout and
//! downloads it as XLSX, PDF or CSV.

use super::form_message;
use crate::AppState;
use crate::appendices::Reader;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::reports::{REPORTS, find};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::get;
use jospar_reports::{Cell, Table};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(catalogue))
        .route("/reports/{name}", get(show))
}

pub struct ReportLink {
    name: String,
    title: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct CataloguePage {
    page: Page,
    reports: Vec<ReportLink>,
}

async fn catalogue(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    render(CataloguePage {
        page: Page::new(&ctx, "reports-title", "reports"),
        reports: REPORTS
            .iter()
            .map(|r| ReportLink {
                name: r.name.into(),
                title: ctx.tr.t(&format!("report-{}", r.name)),
            })
            .collect(),
    })
}

pub struct ParamField {
    name: String,
    label: String,
    value: String,
    required: bool,
}

/// A table ready for the template: cells as text with their alignment.
pub struct TableView {
    title: String,
    subtitle: Vec<String>,
    groups: Vec<(String, usize)>,
    headers: Vec<String>,
    numbers: Vec<usize>,
    rows: Vec<(bool, Vec<(String, bool)>)>,
    footer: Vec<String>,
}

impl TableView {
    fn of(table: &Table) -> TableView {
        let cells = |row: &Vec<Cell>| -> Vec<(String, bool)> {
            row.iter()
                .map(|c| (c.display(), matches!(c, Cell::Money(_))))
                .collect()
        };
        let mut rows: Vec<(bool, Vec<(String, bool)>)> = table
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (table.strong_rows.contains(&i), cells(r)))
            .collect();
        if let Some(total) = &table.total {
            rows.push((true, cells(total)));
        }
        TableView {
            title: table.title.clone(),
            subtitle: table.subtitle.clone(),
            groups: table.groups.clone(),
            headers: table.headers.clone(),
            numbers: if table.numbered {
                (1..=table.headers.len()).collect()
            } else {
                Vec::new()
            },
            rows,
            footer: table.footer.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    page: Page,
    name: String,
    fields: Vec<ParamField>,
    query_string: String,
    error: Option<String>,
    table: Option<TableView>,
}

async fn show(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let report = find(&name).ok_or(AppError::NotFound)?;
    let fields: Vec<ParamField> = report
        .params
        .iter()
        .map(|d| ParamField {
            name: d.name.into(),
            label: ctx.tr.t(&format!("report-param-{}", d.name)),
            value: params.get(d.name).cloned().unwrap_or_default(),
            required: d.required,
        })
        .collect();
    let ready = report
        .params
        .iter()
        .filter(|d| d.required)
        .all(|d| params.get(d.name).is_some_and(|v| !v.trim().is_empty()));
    let mut page = Page::new(&ctx, "reports-title", "reports");
    page.title = ctx.tr.t(&format!("report-{name}"));
    let query_string = fields
        .iter()
        .filter(|f| !f.value.is_empty())
        .map(|f| format!("{}={}", f.name, urlencoding::encode(&f.value)))
        .collect::<Vec<_>>()
        .join("&");
    let (table, error) = if ready {
        let reader = Reader::User(p);
        match crate::reports::build(ctx.db(), &ctx.tr, &p.tree, &reader, &name, &params).await {
            Ok(table) => {
                let format = params.get("format").map(String::as_str).unwrap_or("");
                if let Some(file) = super::requests::download(&table, format, &name)? {
                    return Ok(file);
                }
                (Some(TableView::of(&table)), None)
            }
            Err(e @ AppError::Invalid { .. }) => (None, Some(form_message(&ctx, e)?)),
            Err(e) => return Err(e),
        }
    } else {
        (None, None)
    };
    render(ReportPage {
        page,
        name,
        fields,
        query_string,
        error,
        table,
    })
}
