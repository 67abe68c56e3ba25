//! The exchange monitor (issue 24): each external system with its set-up (never a secret), its
//! last success and last failure, what waits to be sent, a Treasury pass run now, and the
//! journal of every attempt with filters and paging. For the system administrator.

use super::common::{Choice, form_message, unprocessable_if};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::listing::{Links, ListParams, Pager};
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::Form;
use axum::response::Response;
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_execution::journal::{JournalEntry, JournalFilter};
use jospar_execution::usecases::emin::{self, PullOutcome, PullResult};
use jospar_execution::usecases::monitor;
use serde::Deserialize;

pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/integrations",
    current: "integrations",
    title_key: "nav-integrations",
    group: MenuGroup::Settings,
    access: Access::SystemConfigure,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/integrations", get(show))
        .route("/integrations/shep/run", post(run_treasury))
        .route("/integrations/emin/run", post(run_emin))
}

/// The systems a journal row may name, in the order the monitor lists them.
const SYSTEMS: [&str; 7] = [
    "shep", "ncanode", "passport", "obportal", "emin", "ebk", "goszakup",
];

pub struct SystemLine {
    system: String,
    name: String,
    configured: String,
    url: String,
    setup: String,
    last_success: String,
    last_failure: String,
    failure_message: String,
    waiting: String,
    runnable: bool,
}

/// One form of a pull from e-Minfin run on the page.
pub struct PullLine {
    form: String,
    bin: String,
    result: String,
    rows: String,
    message: String,
    refused: bool,
}

pub struct AttemptLine {
    at: String,
    system: String,
    operation: String,
    url: String,
    status: String,
    duration: String,
    ok: bool,
    error: String,
}

#[derive(Template)]
#[template(path = "integrations.html")]
struct MonitorPage {
    page: Page,
    systems: Vec<SystemLine>,
    attempts: Vec<AttemptLine>,
    pager: Pager,
    system_choices: Vec<Choice>,
    outcome_choices: Vec<Choice>,
    message: Option<String>,
    error: Option<String>,
    /// The forms of the e-Minfin pull just run.
    pulls: Vec<PullLine>,
    /// The report date the e-Minfin pull asks for by default: the 1st of this month.
    emin_date: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MonitorQuery {
    system: String,
    outcome: String,
}

fn when(entry: &Option<JournalEntry>) -> String {
    entry
        .as_ref()
        .map(|e| jospar_i18n::almaty_date_time(e.started_at))
        .unwrap_or_default()
}

fn choices(ctx: &Ctx, prefix: &str, values: &[&str], selected: &str) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice {
            selected: *v == selected,
            value: v.to_string(),
            label: ctx.tr.t(&format!("{prefix}{v}")),
        })
        .collect()
}

async fn monitor_page(
    ctx: &Ctx,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    monitor_page_with(ctx, message, error, Vec::new()).await
}

async fn monitor_page_with(
    ctx: &Ctx,
    message: Option<String>,
    error: Option<String>,
    pulls: Vec<PullLine>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let query: MonitorQuery = ctx.query_params();
    let list: ListParams = ctx.query_params();
    let list = list.query();
    let tr = &ctx.tr;
    let statuses = monitor::status(ctx.db(), p, &ctx.state.config.integrations).await?;
    let systems = statuses
        .iter()
        .map(|s| {
            let info = &s.info;
            let configured = match (&info.url, info.demo) {
                (Some(_), _) => tr.t("monitor-configured"),
                (None, true) => tr.t("monitor-demo"),
                (None, false) => tr.t("monitor-off"),
            };
            let secret = if info.secret_set {
                tr.t("monitor-secret-set")
            } else {
                tr.t("monitor-secret-unset")
            };
            let setup = match &info.url {
                Some(_) => tr.args(
                    "monitor-setup",
                    &[
                        ("timeout", info.timeout_s.to_string()),
                        ("retries", info.retries.to_string()),
                        (
                            "credentials",
                            tr.t(&format!("monitor-credentials-{}", info.credentials)),
                        ),
                        ("user", info.user.clone().unwrap_or_default()),
                        ("secret", secret),
                    ],
                ),
                None => String::new(),
            };
            SystemLine {
                name: tr.t(&format!("monitor-system-{}", info.system)),
                configured,
                url: info.url.clone().unwrap_or_default(),
                setup,
                last_success: when(&s.last_success),
                last_failure: when(&s.last_failure),
                failure_message: s
                    .last_failure
                    .as_ref()
                    .and_then(|e| e.error.clone())
                    .unwrap_or_default(),
                waiting: s.waiting.map(|n| n.to_string()).unwrap_or_default(),
                runnable: match info.system.as_str() {
                    "shep" => ctx.state.config.treasury.is_some(),
                    "emin" => ctx.state.config.emin.is_some(),
                    _ => false,
                },
                system: info.system.clone(),
            }
        })
        .collect();
    let filter = JournalFilter {
        system: Some(query.system.clone()).filter(|s| !s.is_empty()),
        outcome: Some(query.outcome.clone()).filter(|s| !s.is_empty()),
    };
    let (rows, total) = monitor::history(ctx.db(), p, &filter, list.offset, list.limit).await?;
    let attempts = rows
        .iter()
        .map(|e| AttemptLine {
            at: jospar_i18n::almaty_date_time(e.started_at),
            system: tr.t(&format!("monitor-system-{}", e.system)),
            operation: e.operation.clone(),
            url: e.url.clone(),
            status: e.http_status.map(|s| s.to_string()).unwrap_or_default(),
            duration: e.duration_ms.to_string(),
            ok: e.outcome == "ok",
            error: e.error.clone().unwrap_or_default(),
        })
        .collect();
    let listed = jospar_core::listing::Listed {
        rows,
        total,
        offset: list.offset,
        limit: list.limit,
    };
    let links = Links::new(&ctx.path, &ctx.query);
    let refused = error.is_some();
    let response = render(MonitorPage {
        page: Page::new(ctx, "monitor-title", "integrations"),
        systems,
        attempts,
        pager: Pager::new(ctx.tr, &links, &listed),
        system_choices: choices(ctx, "monitor-system-", &SYSTEMS, &query.system),
        outcome_choices: choices(ctx, "monitor-outcome-", &["ok", "error"], &query.outcome),
        message,
        error,
        pulls,
        emin_date: emin::current_report_date(chrono::Utc::now().date_naive()).to_string(),
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx) -> AppResult<Response> {
    monitor_page(&ctx, None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RunForm {
    csrf: String,
}

async fn run_treasury(ctx: Ctx, Form(form): Form<RunForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let gateway = ctx.state.config.treasury.as_ref();
    match monitor::run_treasury(ctx.db(), gateway, p).await {
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
            monitor_page(&ctx, Some(message), None).await
        }
        Err(e) => {
            let message = form_message(&ctx, e)?;
            monitor_page(&ctx, None, Some(message)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PullForm {
    csrf: String,
    date: String,
}

fn pull_line(ctx: &Ctx, o: &PullOutcome) -> PullLine {
    let code = match o.result {
        PullResult::Imported => "imported",
        PullResult::Unchanged => "unchanged",
        PullResult::Refused => "refused",
        PullResult::Failed => "failed",
    };
    PullLine {
        form: o.form.clone(),
        bin: o.bin.clone(),
        result: ctx.tr.t(&format!("monitor-pull-{code}")),
        rows: o.rows.map(|n| n.to_string()).unwrap_or_default(),
        message: o
            .reason
            .map(|r| {
                let detail = o.message.clone().unwrap_or_default();
                ctx.tr.args(
                    &format!("monitor-pull-reason-{}", r.code()),
                    &[("detail", detail)],
                )
            })
            .unwrap_or_default(),
        refused: matches!(o.result, PullResult::Refused | PullResult::Failed),
    }
}

async fn run_emin(ctx: Ctx, Form(form): Form<PullForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let date = match form.date.trim() {
        "" => None,
        typed => Some(jospar_access::parse_date(typed, "date")?),
    };
    let service = ctx.state.config.emin.as_ref();
    match emin::pull_now(ctx.db(), service, p, date, &ctx.tr).await {
        Ok(outcomes) => {
            let count = |r: PullResult| outcomes.iter().filter(|o| o.result == r).count();
            let message = ctx.tr.args(
                "monitor-pulled",
                &[
                    ("imported", count(PullResult::Imported).to_string()),
                    ("unchanged", count(PullResult::Unchanged).to_string()),
                    ("refused", count(PullResult::Refused).to_string()),
                    ("failed", count(PullResult::Failed).to_string()),
                ],
            );
            let lines = outcomes.iter().map(|o| pull_line(&ctx, o)).collect();
            monitor_page_with(&ctx, Some(message), None, lines).await
        }
        Err(e) => {
            let message = form_message(&ctx, e)?;
            monitor_page(&ctx, None, Some(message)).await
        }
    }
}
