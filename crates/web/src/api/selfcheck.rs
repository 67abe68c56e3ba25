//! The monthly self-check's reports (issue 30, specification item 15), for the system
//! administrator: the kept reports, newest first, and one with its checks and findings.

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::listing::ListParams;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::extract::{Path, Query};
use jospar_service::selfcheck::{self, Report};
use serde::Serialize;
use utoipa::ToSchema;

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Platform)
        .get(
            "/selfcheck/reports",
            "The self-check's reports, newest first, paged: each with its outcome (ok, warning, failed) and every check's findings",
            Access::SystemConfigure,
            false,
            list,
        )
        .query::<ListParams>()
        .answer::<ReportPage>()
        .get(
            "/selfcheck/reports/{id}",
            "One report of the self-check with every check and finding",
            Access::SystemConfigure,
            false,
            one,
        )
        .answer::<Report>()
}

#[derive(Serialize, ToSchema)]
struct ReportPage {
    total: usize,
    reports: Vec<Report>,
}

async fn list(ctx: Ctx, Query(list): Query<ListParams>) -> AppResult<Json<ReportPage>> {
    let p = ctx.user()?;
    let list = list.query();
    let (reports, total) = selfcheck::reports(ctx.db(), p, list.offset, list.limit).await?;
    Ok(Json(ReportPage { total, reports }))
}

async fn one(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Report>> {
    let p = ctx.user()?;
    Ok(Json(selfcheck::report(ctx.db(), p, id).await?))
}
