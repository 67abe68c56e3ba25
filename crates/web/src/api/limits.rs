//! Budget planning campaigns and the limits passed down them (L-1…L-4).

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Limits)
        .get(
            "/campaigns",
            "Planning campaigns (L-1)",
            Access::SignedIn,
            true,
            campaigns,
        )
        .answers::<jospar_limits::Campaign>()
        .post(
            "/campaigns",
            "Open a planning campaign for three years (L-1)",
            Access::Configure,
            false,
            create_campaign,
        )
        .body::<jospar_limits::repo::NewCampaign>()
        .created::<jospar_limits::Campaign>()
        .get(
            "/campaigns/{id}",
            "One campaign with its deadlines in working days",
            Access::SignedIn,
            true,
            campaign,
        )
        .answer::<CampaignAmounts>()
        .get(
            "/campaigns/{id}/balance",
            "Received, distributed and undistributed limits per organisation (L-2)",
            Access::Read,
            true,
            balance,
        )
        .query::<NodeQuery>()
        .answers::<BalanceRow>()
        .put(
            "/campaigns/{id}/limits",
            "Enter or distribute limits; never beyond what was received (L-1…L-4)",
            Access::Configure,
            false,
            set_limits,
        )
        .body::<LimitsBody>()
        .answer::<Saved>()
}

async fn campaigns(ctx: Ctx) -> AppResult<Json<Vec<jospar_limits::Campaign>>> {
    let p = ctx.user()?;
    Ok(Json(
        jospar_limits::usecases::visible_campaigns(ctx.db(), p).await?,
    ))
}

async fn create_campaign(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: jospar_limits::repo::NewCampaign = body(&bytes)?;
    Ok(created(
        jospar_limits::usecases::create_campaign(ctx.db(), p, new).await?,
    ))
}

/// A campaign with the amounts of the organisations the caller reads.
#[derive(Serialize, ToSchema)]
struct CampaignAmounts {
    campaign: jospar_limits::Campaign,
    amounts: Vec<jospar_limits::repo::Amount>,
}

async fn campaign(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<CampaignAmounts>> {
    let p = ctx.user()?;
    let (campaign, amounts) =
        jospar_limits::usecases::campaign_with_amounts(ctx.db(), p, id).await?;
    Ok(Json(CampaignAmounts { campaign, amounts }))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct NodeQuery {
    /// The organisation's id (required).
    org: String,
    /// A budget program of it; empty for the whole organisation.
    program: String,
}

/// What a node received, passed on and has left, for one year and kind of limit.
#[derive(Serialize, ToSchema)]
struct BalanceRow {
    year: i32,
    kind: jospar_limits::LimitKind,
    received_tiyn: i64,
    distributed_tiyn: i64,
    remaining_tiyn: i64,
}

#[derive(Serialize, ToSchema)]
struct Saved {
    /// How many amounts were saved.
    saved: usize,
}

async fn balance(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NodeQuery>,
) -> AppResult<Json<Vec<BalanceRow>>> {
    let p = ctx.user()?;
    let org: i64 = q
        .org
        .parse()
        .map_err(|_| AppError::invalid("err-required", "org"))?;
    let node = jospar_limits::Node {
        org_id: org,
        program: q.program.trim().to_string(),
    };
    let rows = jospar_limits::usecases::node_balance(ctx.db(), p, &ctx.tr, id, &node)
        .await?
        .into_iter()
        .map(|b| BalanceRow {
            year: b.year,
            kind: b.kind,
            received_tiyn: b.received.tiyn(),
            distributed_tiyn: b.distributed.tiyn(),
            remaining_tiyn: b.remaining.tiyn(),
        })
        .collect();
    Ok(Json(rows))
}

#[derive(Deserialize, ToSchema)]
struct LimitsBody {
    changes: Vec<jospar_limits::repo::Change>,
    #[serde(default)]
    reason: Option<String>,
}

async fn set_limits(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Saved>> {
    let p = writer(&ctx)?;
    let b: LimitsBody = body(&bytes)?;
    let campaign = jospar_limits::usecases::campaign(ctx.db(), p, id).await?;
    let saved = jospar_limits::usecases::save(
        ctx.db(),
        p,
        &ctx.tr,
        &campaign,
        &b.changes,
        b.reason.as_deref(),
    )
    .await?;
    Ok(Json(Saved { saved }))
}
