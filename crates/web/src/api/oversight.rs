//! Oversight access of representative and audit bodies, and the training of users (OV-3…OV-5,
//! P-12).

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Oversight)
        .get(
            "/oversight-applications",
            "Applications of representative and audit bodies (OV-1, OV-2) with the deadline of their next step and whether it is overdue: all for the authorized body and the integrator, one's own otherwise; newest first: searched (q: body, BIN, purpose, employee, who filed), filtered (within an organisation's subtree — the anchor, year filed, status, kind of body, overdue=1), sorted (sort=body, kind, employees, submitted, status, due; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::SignedIn,
            true,
            oversight_applications,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::ApplicationFilterParams>()
        .answers::<jospar_oversight::usecases::ApplicationView>()
        .post(
            "/oversight-applications",
            "File an application {body_name, body_bin, kind, anchor_org_id, employees: [{full_name, iin, position, unit, qr_code or qr_image (the E-Qyzmet QR picture, PNG or JPEG, base64: read into qr_code), phone, email}], purpose, analytic, planning}: a draft until the body signs it",
            Access::SignedIn,
            true,
            submit_oversight_application,
        )
        .body::<jospar_oversight::application::Request>()
        .created::<jospar_oversight::applications::Application>()
        .get(
            "/oversight-applications/{id}/signing-data",
            "The bytes of one's own draft application the body signs with its legal-entity key (base64)",
            Access::SignedIn,
            true,
            oversight_application_signing_data,
        )
        .answer::<SigningBytes>()
        .post(
            "/oversight-applications/{id}/sign",
            "Sign one's draft application {cms}: the signer is the user, the certificate the body's (its BIN); the application goes to the authorized body, whose 2 working days start",
            Access::SignedIn,
            true,
            sign_oversight_application,
        )
        .body::<Cms>()
        .answer::<jospar_oversight::applications::Application>()
        .post(
            "/oversight-applications/{id}/review",
            "The authorized body's review {forward: true} or {forward: false, reason}, due within 2 working days",
            Access::Approve,
            false,
            review_oversight_application,
        )
        .body::<Review>()
        .answer::<jospar_oversight::applications::Application>()
        .post(
            "/oversight-applications/{id}/grant",
            "The integrator grants a forwarded application: each employee's account (found by IIN) gets read-only access by competence",
            Access::Configure,
            false,
            grant_oversight_application,
        )
        .answer::<jospar_oversight::applications::Application>()
        .get(
            "/training-sessions",
            "Training sessions (P-12) with who passed and the deadline of their report (5 working days), for the integrator; latest first: searched (q: topic, trainer, who recorded), filtered (within an organisation's subtree — a user of it passed, year held, report issued, awaited or overdue), sorted (sort=date, topic, trainer, passed, due; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::Configure,
            false,
            training_sessions,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::SessionFilterParams>()
        .answers::<jospar_oversight::usecases::SessionView>()
        .post(
            "/training-sessions",
            "Record a session {held_on, topic, trainer, passed: [user ids]}: oversight access starts only for those who passed",
            Access::Configure,
            false,
            record_training_session,
        )
        .body::<NewSession>()
        .created::<jospar_oversight::training::Session>()
        .post(
            "/training-sessions/{id}/report",
            "Record that the session's training report was issued today",
            Access::Configure,
            false,
            issue_training_report,
        )
        .answer::<jospar_oversight::training::Session>()
        .get(
            "/oversight-access",
            "Read-only access granted to employees of representative and audit bodies (OV-3, OV-4), for the integrator",
            Access::Configure,
            false,
            oversight_access,
        )
        .answers::<jospar_oversight::usecases::AccessView>()
        .post(
            "/oversight-access",
            "Grant an employee {user_id, kind, anchor_org_id (the region's root or the central body, as the kind asks), body_bin (the BIN of the employee's body: they sign in with its certificate)} read-only access by the competence table for one calendar year",
            Access::Configure,
            false,
            grant_oversight,
        )
        .body::<NewOversightAccess>()
        .created::<jospar_oversight::repo::Access>()
        .post(
            "/oversight-access/{id}/block-request",
            "The employer asks to block an access {reason} (the employee left): to be blocked within 3 working days; overdue ones are flagged",
            Access::SignedIn,
            false,
            request_oversight_block,
        )
        .body::<Reason>()
        .answer::<jospar_oversight::repo::Access>()
        .post(
            "/oversight-access/{id}/block",
            "Block an access {reason} when the employee leaves: its grants are removed",
            Access::Configure,
            false,
            block_oversight,
        )
        .body::<Reason>()
        .answer::<jospar_oversight::repo::Access>()
}

async fn training_sessions(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::SessionFilterParams = ctx.query_params();
    let listed =
        jospar_oversight::usecases::list_sessions(ctx.db(), p, &filters.filter(), &search.query())
            .await?;
    Ok(crate::listing::api_answer(listed))
}

#[derive(Deserialize, ToSchema)]
struct NewSession {
    held_on: chrono::NaiveDate,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    trainer: String,
    #[serde(default)]
    passed: Vec<i64>,
}

async fn record_training_session(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewSession = body(&bytes)?;
    Ok(created(
        jospar_oversight::usecases::record_session(
            ctx.db(),
            p,
            b.held_on,
            &b.topic,
            &b.trainer,
            &b.passed,
        )
        .await?,
    ))
}

async fn issue_training_report(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    Ok(Json(json!(
        jospar_oversight::usecases::issue_report(ctx.db(), p, id).await?
    )))
}

async fn oversight_applications(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::ApplicationFilterParams = ctx.query_params();
    let listed = jospar_oversight::usecases::list_applications(
        ctx.db(),
        p,
        &filters.filter(),
        &search.query(),
    )
    .await?;
    Ok(crate::listing::api_answer(listed))
}

async fn submit_oversight_application(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    use base64::Engine as _;
    let p = writer(&ctx)?;
    let mut value: Value = body(&bytes)?;
    // Employees' QR pictures come as base64 beside the other fields; they are read into codes.
    let mut pictures = Vec::new();
    // `get_mut`, not indexing: a body that is not an object is refused below, not a panic.
    if let Some(employees) = value.get_mut("employees").and_then(Value::as_array_mut) {
        for (i, employee) in employees.iter_mut().enumerate() {
            let Some(picture) = employee.as_object_mut().and_then(|e| e.remove("qr_image")) else {
                continue;
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(picture.as_str().unwrap_or_default())
                .map_err(|_| AppError::Invalid {
                    key: "err-oversight-qr",
                    args: vec![
                        ("employee", (i + 1).to_string()),
                        ("detail", "base64".into()),
                    ],
                    field: Some(format!("employees[{}].qr_image", i + 1)),
                })?;
            employee["qr_code"] = json!("");
            pictures.push((i + 1, bytes));
        }
    }
    let mut request: jospar_oversight::application::Request = serde_json::from_value(value)
        .map_err(|e| AppError::Invalid {
            key: "err-bad-json",
            args: vec![("message", e.to_string())],
            field: None,
        })?;
    jospar_oversight::usecases::read_qr_pictures(&mut request, pictures).await?;
    Ok(created(
        jospar_oversight::usecases::submit(ctx.db(), p, &request).await?,
    ))
}

async fn oversight_application_signing_data(
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    use base64::Engine as _;
    let p = ctx.user()?;
    let (_, data) = jospar_oversight::usecases::signing_data(ctx.db(), p, id).await?;
    Ok(Json(json!(SigningBytes {
        data: base64::engine::general_purpose::STANDARD.encode(&data),
        sha256: jospar_eds::sha256_hex(&data),
    })))
}

#[derive(Deserialize, ToSchema)]
struct Cms {
    #[serde(default)]
    cms: String,
}

async fn sign_oversight_application(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Cms = body(&bytes)?;
    let signing = &ctx.state.config.signing;
    Ok(Json(json!(
        jospar_oversight::usecases::sign(ctx.db(), signing, p, id, &b.cms).await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct Review {
    forward: bool,
    #[serde(default)]
    reason: String,
}

async fn review_oversight_application(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Review = body(&bytes)?;
    Ok(Json(json!(
        jospar_oversight::usecases::review(ctx.db(), p, id, b.forward, &b.reason).await?
    )))
}

async fn grant_oversight_application(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    Ok(Json(json!(
        jospar_oversight::usecases::grant_application(ctx.db(), p, id).await?
    )))
}

async fn oversight_access(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_oversight::usecases::list(ctx.db(), p).await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct NewOversightAccess {
    user_id: i64,
    kind: String,
    #[serde(default)]
    anchor_org_id: Option<i64>,
    #[serde(default)]
    body_bin: String,
}

async fn grant_oversight(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewOversightAccess = body(&bytes)?;
    Ok(created(
        jospar_oversight::usecases::grant(
            ctx.db(),
            p,
            b.user_id,
            &b.kind,
            b.anchor_org_id,
            &b.body_bin,
        )
        .await?,
    ))
}

async fn request_oversight_block(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Reason = body(&bytes)?;
    Ok(Json(json!(
        jospar_oversight::usecases::request_block(ctx.db(), p, id, &b.reason).await?
    )))
}

async fn block_oversight(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Reason = body(&bytes)?;
    Ok(Json(json!(
        jospar_oversight::usecases::block(ctx.db(), p, id, &b.reason).await?
    )))
}
