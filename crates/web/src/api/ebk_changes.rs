//! The ЕБК service's change sets (issue 24): list them with what each does and its conflicts,
//! receive a year's sets now, apply or reject one. For the system administrator.

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use jospar_classification::Change;
use jospar_classification::service::ChangeSet;
use jospar_planning::ebk_changes::{self, Received, SetView};
use serde::Deserialize;
use utoipa::ToSchema;

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Platform)
        .get(
            "/classification/change-sets",
            "The ЕБК service's change sets, pending first: each with what it does to its year's classification, why it cannot apply, and the local code requests waiting on its codes",
            Access::SystemConfigure,
            false,
            list,
        )
        .answers::<SetView>()
        .post(
            "/classification/change-sets/receive",
            "Receive the change sets of a year from the ЕБК service now: new ones kept pending, known ones left",
            Access::SystemConfigure,
            false,
            receive,
        )
        .body::<ReceiveBody>()
        .answer::<Received>()
        .post(
            "/classification/change-sets/{id}/apply",
            "Apply a pending change set to its year's classification, all or nothing: refused while a local code request waits on one of its codes, or naming the change that cannot apply",
            Access::SystemConfigure,
            false,
            apply,
        )
        .answers::<Change>()
        .post(
            "/classification/change-sets/{id}/reject",
            "Reject a pending change set with the reason; the classification is left as it is",
            Access::SystemConfigure,
            false,
            reject,
        )
        .body::<ReasonBody>()
        .answer::<ChangeSet>()
}

async fn list(ctx: Ctx) -> AppResult<Json<Vec<SetView>>> {
    let p = ctx.user()?;
    Ok(Json(ebk_changes::overview(ctx.db(), p).await?))
}

#[derive(Deserialize, ToSchema)]
struct ReceiveBody {
    year: i32,
}

async fn receive(ctx: Ctx, bytes: Bytes) -> AppResult<Json<Received>> {
    let p = writer(&ctx)?;
    let b: ReceiveBody = body(&bytes)?;
    let service = ctx.state.config.ebk.as_deref();
    Ok(Json(
        ebk_changes::receive_now(ctx.db(), service, p, b.year).await?,
    ))
}

async fn apply(ctx: Ctx, Path(id): Path<String>) -> AppResult<Json<Vec<Change>>> {
    let p = writer(&ctx)?;
    Ok(Json(ebk_changes::apply(ctx.db(), p, &id).await?))
}

#[derive(Deserialize, ToSchema)]
struct ReasonBody {
    reason: String,
}

async fn reject(ctx: Ctx, Path(id): Path<String>, bytes: Bytes) -> AppResult<Json<ChangeSet>> {
    let p = writer(&ctx)?;
    let b: ReasonBody = body(&bytes)?;
    Ok(Json(
        ebk_changes::reject(ctx.db(), p, &id, &b.reason).await?,
    ))
}
