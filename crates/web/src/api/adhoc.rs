//! Ad-hoc forms (P-16, issue 23): designed by a body, sent to a subtree with a deadline, filled
//! by each organisation; the consolidation is the catalogue's report `adhoc-form`.

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use jospar_access::Reader;
use jospar_adhoc::{AdhocForm, NewAdhocForm};
use serde::Deserialize;
use utoipa::ToSchema;

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Planning)
        .get(
            "/adhoc-forms",
            "Ad-hoc forms the caller sends or fills, newest first (P-16)",
            Access::SignedIn,
            true,
            list,
        )
        .answers::<AdhocForm>()
        .post(
            "/adhoc-forms",
            "An authorized body or administrator designs a form: columns with types, formulas and checks, fixed row labels or free rows, the subtree and the deadline (a draft)",
            Access::Enter,
            false,
            create,
        )
        .body::<NewAdhocForm>()
        .created::<AdhocForm>()
        .get(
            "/adhoc-forms/{id}",
            "One ad-hoc form with the copies the caller sees",
            Access::SignedIn,
            true,
            one,
        )
        .answer::<FormWithResponses>()
        .post(
            "/adhoc-forms/{id}/send",
            "Send a draft: a copy for every organisation of the subtree",
            Access::Enter,
            false,
            send,
        )
        .body::<SendBody>()
        .answer::<AdhocForm>()
        .get(
            "/adhoc-forms/{id}/responses/{org}",
            "An organisation's copy of a form",
            Access::SignedIn,
            true,
            response,
        )
        .answer::<jospar_adhoc::Response>()
        .put(
            "/adhoc-forms/{id}/responses/{org}",
            "Save an organisation's rows, all or none (submit=true hands them to the sender); a refusal names the row and column",
            Access::Enter,
            false,
            save,
        )
        .body::<RowsBody>()
        .answer::<jospar_adhoc::Response>()
}

#[derive(serde::Serialize, ToSchema)]
#[schema(as = AdhocFormWithResponses)]
struct FormWithResponses {
    form: AdhocForm,
    responses: Vec<jospar_adhoc::Response>,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = AdhocSend)]
struct SendBody {
    version: i64,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = AdhocRows)]
struct RowsBody {
    version: i64,
    #[schema(value_type = Vec<std::collections::BTreeMap<String, String>>)]
    rows: Vec<jospar_forms::RowInput>,
    #[serde(default)]
    submit: bool,
}

async fn list(ctx: Ctx) -> AppResult<Json<Vec<AdhocForm>>> {
    let p = ctx.user()?;
    Ok(Json(
        jospar_adhoc::forms(ctx.db(), &Reader::User(p), &p.tree).await?,
    ))
}

async fn create(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewAdhocForm = body(&bytes)?;
    Ok(created(jospar_adhoc::create(ctx.db(), p, new).await?))
}

async fn one(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<FormWithResponses>> {
    let p = ctx.user()?;
    let (form, responses) =
        jospar_adhoc::responses(ctx.db(), &Reader::User(p), &p.tree, id).await?;
    Ok(Json(FormWithResponses { form, responses }))
}

async fn send(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<AdhocForm>> {
    let p = writer(&ctx)?;
    let b: SendBody = body(&bytes)?;
    Ok(Json(jospar_adhoc::send(ctx.db(), p, id, b.version).await?))
}

async fn response(
    ctx: Ctx,
    Path((id, org)): Path<(i64, i64)>,
) -> AppResult<Json<jospar_adhoc::Response>> {
    let p = ctx.user()?;
    let (_, r) = jospar_adhoc::response(ctx.db(), &Reader::User(p), &p.tree, id, org).await?;
    Ok(Json(r))
}

async fn save(
    ctx: Ctx,
    Path((id, org)): Path<(i64, i64)>,
    bytes: Bytes,
) -> AppResult<Json<jospar_adhoc::Response>> {
    let p = writer(&ctx)?;
    let b: RowsBody = body(&bytes)?;
    Ok(Json(
        jospar_adhoc::save(ctx.db(), p, id, org, b.version, b.rows, b.submit).await?,
    ))
}
