//! The monthly self-check's reports (issue 30, specification item 15) for the system
//! administrator: the reports newest first, paged, and one report's checks with their
//! findings, failures and warnings marked.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::listing::{Links, ListParams, Pager};
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use jospar_access::Access;
use jospar_service::selfcheck::{self, Level, Report};
use serde::Deserialize;

pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/selfcheck",
    current: "selfcheck",
    title_key: "nav-selfcheck",
    group: MenuGroup::Settings,
    access: Access::SystemConfigure,
}];

pub fn routes() -> Router<AppState> {
    Router::new().route("/selfcheck", get(show))
}

pub struct ReportLine {
    id: i64,
    started: String,
    run_by: String,
    level: &'static str,
    outcome: String,
    attention: usize,
    shown: bool,
}

pub struct CheckLine {
    level: &'static str,
    outcome: String,
    title: String,
    findings: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "selfcheck.html")]
struct SelfCheckPage {
    page: Page,
    reports: Vec<ReportLine>,
    pager: Pager,
    shown: Option<ReportLine>,
    checks: Vec<CheckLine>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShownQuery {
    id: Option<i64>,
}

fn outcome(ctx: &Ctx, level: Level) -> String {
    ctx.tr.t(&format!("selfcheck-level-{}", level.code()))
}

fn report_line(ctx: &Ctx, report: &Report, shown: bool) -> ReportLine {
    ReportLine {
        id: report.id,
        started: jospar_i18n::almaty_date_time(report.started_at),
        run_by: report.run_by.clone(),
        level: report.outcome.code(),
        outcome: outcome(ctx, report.outcome),
        attention: report
            .checks
            .iter()
            .filter(|c| c.level() >= Level::Warning)
            .count(),
        shown,
    }
}

fn check_lines(ctx: &Ctx, report: &Report) -> Vec<CheckLine> {
    report
        .checks
        .iter()
        .map(|check| CheckLine {
            level: check.level().code(),
            outcome: outcome(ctx, check.level()),
            title: selfcheck::check_title(&ctx.tr, check),
            findings: check
                .findings
                .iter()
                .map(|f| (f.level.code(), selfcheck::finding_text(&ctx.tr, f)))
                .collect(),
        })
        .collect()
}

async fn show(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let list: ListParams = ctx.query_params();
    let list = list.query();
    let query: ShownQuery = ctx.query_params();
    let (reports, total) = selfcheck::reports(ctx.db(), p, list.offset, list.limit).await?;
    // The report asked for, or the newest of the page.
    let shown = match query.id {
        Some(id) => Some(selfcheck::report(ctx.db(), p, id).await?),
        None => reports.first().cloned(),
    };
    let lines = reports
        .iter()
        .map(|r| report_line(&ctx, r, shown.as_ref().is_some_and(|s| s.id == r.id)))
        .collect();
    let listed = jospar_core::listing::Listed {
        rows: reports,
        total,
        offset: list.offset,
        limit: list.limit,
    };
    let links = Links::new(&ctx.path, &ctx.query);
    render(SelfCheckPage {
        page: Page::new(&ctx, "selfcheck-title", "selfcheck"),
        reports: lines,
        pager: Pager::new(ctx.tr, &links, &listed),
        checks: shown
            .as_ref()
            .map(|r| check_lines(&ctx, r))
            .unwrap_or_default(),
        shown: shown.as_ref().map(|r| report_line(&ctx, r, true)),
    })
}
