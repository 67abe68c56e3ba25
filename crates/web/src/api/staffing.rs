//! The pay reference tables and the staffing tables of institutions (ST-1…ST-3).

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Staffing)
        .post(
            "/staffing/{org}/{year}/copy",
            "Copy a year's staffing table to the next year (a year longer in service)",
            Access::Enter,
            false,
            copy_staffing_table,
        )
        .answer::<jospar_staffing::usecases::PricedTable>()
        .get(
            "/staffing/{org}/compare",
            "Positions added, removed and changed between ?from=YEAR&to=YEAR",
            Access::Read,
            true,
            compare_staffing,
        )
        .query::<CompareYears>()
        .answers::<jospar_staffing::PositionChange>()
        .get(
            "/pay-reference",
            "Pay reference tables with their history: base salary, MCI, minimum wage, grids, contribution rates (ST-2)",
            Access::SignedIn,
            true,
            pay_reference,
        )
        .answer::<jospar_staffing::ReferenceTables>()
        .put(
            "/pay-reference/{table}/{valid_from}",
            "Set a reference table's value valid from a date (amount in tiyn, grid or rates JSON)",
            Access::SystemConfigure,
            false,
            set_pay_reference,
        )
        .body::<ReferenceValue>()
        .no_content()
        .get(
            "/staffing/{org}/{year}",
            "An institution's staffing table of a year with each position's monthly pay and the annual fund (ST-1)",
            Access::Read,
            true,
            staffing_table,
        )
        .answer::<jospar_staffing::usecases::PricedTable>()
        .put(
            "/staffing/{org}/{year}",
            "Save the positions of a year {version, positions}; priced first, refused whole with the row named",
            Access::Enter,
            false,
            save_staffing_table,
        )
        .body::<StaffingBody>()
        .answer::<jospar_staffing::usecases::PricedTable>()
}

async fn pay_reference(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    Ok(Json(json!(
        jospar_staffing::usecases::reference_tables(ctx.db()).await?
    )))
}

async fn set_pay_reference(
    ctx: Ctx,
    Path((table, valid_from)): Path<(String, String)>,
    bytes: Bytes,
) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    let date = jospar_access::parse_date(&valid_from, "valid_from")?;
    let value: Value = body(&bytes)?;
    jospar_planning::payroll::set_reference(ctx.db(), p, &table, date, &value).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The value of a pay reference table from a date: an amount in tiyn (base salary, MCI,
/// minimum wage), a grid of coefficients, or the contribution rates.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Read as JSON by the use case; declared for the document.
enum ReferenceValue {
    Amount(i64),
    Grid(jospar_staffing::Grid),
    Rates(jospar_staffing::Rates),
}

#[derive(Deserialize, ToSchema)]
struct StaffingBody {
    version: i64,
    positions: Vec<jospar_staffing::Position>,
}

async fn staffing_table(ctx: Ctx, Path((org, year)): Path<(i64, i32)>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_staffing::usecases::staffing_table(ctx.db(), p, org, year).await?
    )))
}

async fn save_staffing_table(
    ctx: Ctx,
    Path((org, year)): Path<(i64, i32)>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StaffingBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_planning::payroll::save_staffing_table(
            ctx.db(),
            p,
            org,
            year,
            b.version,
            &b.positions
        )
        .await?
    )))
}

async fn copy_staffing_table(
    ctx: Ctx,
    Path((org, year)): Path<(i64, i32)>,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    Ok(Json(json!(
        jospar_planning::payroll::copy_to_next_year(ctx.db(), p, org, year).await?
    )))
}

#[derive(Deserialize, IntoParams)]
struct CompareYears {
    from: i32,
    to: i32,
}

async fn compare_staffing(
    ctx: Ctx,
    Path(org): Path<i64>,
    Query(years): Query<CompareYears>,
) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_staffing::usecases::compare(ctx.db(), p, org, years.from, years.to).await?
    )))
}
