//! The exchange monitor (issue 24): each external system's set-up (no secrets), last success
//! and failure and what waits, the journal of every attempt, and a Treasury pass run now.

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::listing::ListParams;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use jospar_execution::journal::{JournalEntry, JournalFilter};
use jospar_execution::usecases::emin::{self, PullOutcome};
use jospar_execution::usecases::exchange::PassSummary;
use jospar_execution::usecases::monitor::{self, SystemStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Platform)
        .get(
            "/integrations",
            "Each external system: its set-up (never a secret), last success, last failure with its message, and what waits to be sent",
            Access::SystemConfigure,
            false,
            status,
        )
        .answers::<SystemStatus>()
        .get(
            "/integrations/journal",
            "Every attempt of an exchange, newest first: ?system=shep|ncanode|passport|obportal|emin|ebk|goszakup&outcome=ok|error, paged",
            Access::SystemConfigure,
            false,
            journal,
        )
        .query::<JournalQuery>()
        .query::<ListParams>()
        .answer::<JournalPage>()
        .post(
            "/integrations/shep/run",
            "Run a pass of the Treasury exchange now over the whole queue",
            Access::SystemConfigure,
            false,
            run_treasury,
        )
        .answer::<PassSummary>()
        .post(
            "/integrations/emin/run",
            "Pull the configured e-Minfin forms now at a report date (default: the 1st of this month): each imported, unchanged, refused by its checks (with the reason) or not received",
            Access::SystemConfigure,
            false,
            run_emin,
        )
        .body::<PullRequest>()
        .answers::<PullOutcome>()
}

#[derive(Deserialize, Default, ToSchema)]
struct PullRequest {
    /// YYYY-MM-DD; empty (or no body) = the 1st of the current month.
    date: String,
}

async fn run_emin(ctx: Ctx, bytes: Bytes) -> AppResult<Json<Vec<PullOutcome>>> {
    let p = writer(&ctx)?;
    let body: PullRequest = if bytes.is_empty() {
        PullRequest::default()
    } else {
        self::body(&bytes)?
    };
    let date = match body.date.trim() {
        "" => None,
        typed => Some(jospar_access::parse_date(typed, "date")?),
    };
    let service = ctx.state.config.emin.as_ref();
    Ok(Json(
        emin::pull_now(ctx.db(), service, p, date, &ctx.tr).await?,
    ))
}

async fn status(ctx: Ctx) -> AppResult<Json<Vec<SystemStatus>>> {
    let p = ctx.user()?;
    Ok(Json(
        monitor::status(ctx.db(), p, &ctx.state.config.integrations).await?,
    ))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct JournalQuery {
    system: String,
    outcome: String,
}

#[derive(Serialize, ToSchema)]
struct JournalPage {
    total: usize,
    attempts: Vec<JournalEntry>,
}

async fn journal(
    ctx: Ctx,
    Query(q): Query<JournalQuery>,
    Query(list): Query<ListParams>,
) -> AppResult<Json<JournalPage>> {
    let p = ctx.user()?;
    let list = list.query();
    let filter = JournalFilter {
        system: Some(q.system).filter(|s| !s.is_empty()),
        outcome: Some(q.outcome).filter(|s| !s.is_empty()),
    };
    let (attempts, total) = monitor::history(ctx.db(), p, &filter, list.offset, list.limit).await?;
    Ok(Json(JournalPage { total, attempts }))
}

async fn run_treasury(ctx: Ctx) -> AppResult<Json<PassSummary>> {
    let p = writer(&ctx)?;
    let gateway = ctx.state.config.treasury.as_ref();
    Ok(Json(monitor::run_treasury(ctx.db(), gateway, p).await?))
}
