//! Goods and prices (P-13, P-5, issue 23): the goods classifier and national catalogue, observed
//! prices and the recommended price of a good, the inflation indices, the rule for a price
//! above the recommended one, and the log of price checks.

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::listing::ListParams;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use jospar_goods::{CheckLog, GoodCard, ImportSummary, NewPrice, PriceSettings};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Platform)
        .get(
            "/goods",
            "Search the goods classifier (ЕНС ТРУ): ?q= words of the code or name, ?sort=code|name|-name, paged",
            Access::SignedIn,
            true,
            list,
        )
        .query::<ListParams>()
        .answer::<GoodsPage>()
        .post(
            "/goods/import",
            "Import a file of goods (ЕНС ТРУ), catalogue items (НКТ) or prices, told by its header row; all or nothing (body = file; ?file_name=)",
            Access::SystemConfigure,
            false,
            import,
        )
        .query::<FileName>()
        .file_body(UPLOADS)
        .answer::<ImportSummary>()
        .get(
            "/goods/settings",
            "The rule for a price above the recommended one and the yearly inflation indices",
            Access::SignedIn,
            true,
            settings,
        )
        .answer::<PriceSettings>()
        .put(
            "/goods/settings/rule",
            "Set the rule in force (refuse or justify), with the reason",
            Access::SystemConfigure,
            false,
            set_rule,
        )
        .body::<RuleChange>()
        .no_content()
        .put(
            "/goods/settings/indices/{year}",
            "Set a year's inflation in percent (\"8,6\"); empty removes it",
            Access::SystemConfigure,
            false,
            set_index,
        )
        .body::<IndexChange>()
        .no_content()
        .get(
            "/goods/checks",
            "The latest price checks of calculation rows of the organisations the caller reads",
            Access::SignedIn,
            true,
            checks,
        )
        .answers::<CheckLog>()
        .get(
            "/goods/{code}",
            "A good with its catalogue items, observed prices and recommended prices for the caller's region",
            Access::SignedIn,
            true,
            one,
        )
        .answer::<GoodCard>()
        .post(
            "/goods/{code}/prices",
            "Record an observed price of a good (region, date, price, source)",
            Access::SystemConfigure,
            false,
            add_price,
        )
        .body::<NewPrice>()
        .no_content()
}

#[derive(Serialize, ToSchema)]
struct GoodsPage {
    total: usize,
    goods: Vec<jospar_goods::Good>,
}

async fn list(ctx: Ctx, Query(params): Query<ListParams>) -> AppResult<Json<GoodsPage>> {
    ctx.user()?;
    let (goods, total) = jospar_goods::search(ctx.db(), &params.query()).await?;
    Ok(Json(GoodsPage { total, goods }))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct FileName {
    file_name: String,
}

async fn import(
    ctx: Ctx,
    Query(q): Query<FileName>,
    bytes: Bytes,
) -> AppResult<Json<ImportSummary>> {
    let p = writer(&ctx)?;
    let name = if q.file_name.is_empty() {
        "api upload"
    } else {
        q.file_name.as_str()
    };
    Ok(Json(
        jospar_goods::import(ctx.db(), p, &bytes[..], name).await?,
    ))
}

async fn settings(ctx: Ctx) -> AppResult<Json<PriceSettings>> {
    ctx.user()?;
    Ok(Json(jospar_goods::settings(ctx.db()).await?))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
struct RuleChange {
    /// refuse or justify.
    rule: String,
    reason: String,
}

async fn set_rule(ctx: Ctx, bytes: Bytes) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    let change: RuleChange = body(&bytes)?;
    jospar_goods::set_rule(ctx.db(), p, &change.rule, &change.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
struct IndexChange {
    /// Percent, "8,6"; empty removes the year's index.
    percent: String,
}

async fn set_index(ctx: Ctx, Path(year): Path<String>, bytes: Bytes) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    let change: IndexChange = body(&bytes)?;
    jospar_goods::set_index(ctx.db(), p, &year, &change.percent).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn checks(ctx: Ctx) -> AppResult<Json<Vec<CheckLog>>> {
    let p = ctx.user()?;
    Ok(Json(jospar_goods::checks(ctx.db(), p).await?))
}

async fn one(ctx: Ctx, Path(code): Path<String>) -> AppResult<Json<GoodCard>> {
    let p = ctx.user()?;
    let region = jospar_goods::region_of(ctx.db(), p.user.org_id).await?;
    Ok(Json(
        jospar_goods::card(ctx.db(), p, &code, region.as_deref()).await?,
    ))
}

async fn add_price(ctx: Ctx, Path(code): Path<String>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewPrice = body(&bytes)?;
    jospar_goods::add_price(ctx.db(), p, &code, &new).await?;
    Ok(axum::response::IntoResponse::into_response(
        StatusCode::NO_CONTENT,
    ))
}
