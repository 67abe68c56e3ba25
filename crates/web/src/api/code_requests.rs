//! Requests to open or close codes of the budget classification (P-15, issue 23); the order of
//! an approved one is the catalogue's report `code-order`.

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use jospar_access::Reader;
use jospar_planning::code_requests::{self as codes, CodeDecision, CodeRequest, NewCodeRequest};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Planning)
        .get(
            "/code-requests",
            "Requests to open or close program and subprogram codes the caller sees, newest first (P-15)",
            Access::SignedIn,
            true,
            list,
        )
        .answers::<CodeRequest>()
        .post(
            "/code-requests",
            "An administrator asks to open or close a code under its administrator code for a year, with the reason; sent to the budget-planning body of its budget",
            Access::Enter,
            false,
            create,
        )
        .body::<NewCodeRequest>()
        .created::<CodeRequest>()
        .get(
            "/code-requests/{id}",
            "One code request with its decision and order",
            Access::SignedIn,
            true,
            one,
        )
        .answer::<CodeRequest>()
        .post(
            "/code-requests/{id}/decision",
            "The budget-planning body approves (the year's classification changes and the order is issued) or refuses with the reason",
            Access::Approve,
            false,
            decide,
        )
        .body::<CodeDecision>()
        .answer::<CodeRequest>()
}

async fn list(ctx: Ctx) -> AppResult<Json<Vec<CodeRequest>>> {
    let p = ctx.user()?;
    Ok(Json(codes::requests(ctx.db(), &Reader::User(p)).await?))
}

async fn create(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewCodeRequest = body(&bytes)?;
    Ok(created(codes::create(ctx.db(), p, new).await?))
}

async fn one(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<CodeRequest>> {
    let p = ctx.user()?;
    Ok(Json(codes::request(ctx.db(), &Reader::User(p), id).await?))
}

async fn decide(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<CodeRequest>> {
    let p = writer(&ctx)?;
    let decision: CodeDecision = body(&bytes)?;
    Ok(Json(codes::decide(ctx.db(), p, id, &decision).await?))
}
