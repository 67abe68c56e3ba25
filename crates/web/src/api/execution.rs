//! Budget execution: financing plans and their changes, receipt plans, Treasury forms, closed
//! periods, offsetting codes, the exchange with the Treasury, the region passport and the
//! open-budgets portal's execution reports (EX-…).

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::Method;
use axum::response::Response;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Execution)
        .get(
            "/execution/portal-imports",
            "Imported execution reports of the open-budgets portal the caller may read (EX-R 18), newest first, each with its organisation's name: searched (q: title, file, organisation, who imported), filtered (within an organisation's subtree, year the months reach into), sorted (sort=title, org, file, months, rows, imported; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::Read,
            true,
            portal_imports,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::ImportFilterParams>()
        .answers::<jospar_execution::usecases::portal_reports::ImportListRow>()
        .post(
            "/execution/portal-imports",
            "Import a portal execution report (CSV body) under ?org= as ?title= (&file_name=); the same title is replaced",
            Access::Enter,
            false,
            import_portal,
        )
        .query::<PortalImportQuery>()
        .file_body(UPLOADS)
        .created::<jospar_execution::repo::PortalImport>()
        .get(
            "/execution/treasury",
            "Imported Treasury forms the caller may read (EX-5), newest first: searched (q), filtered (within an organisation's subtree, form, report date from/to), sorted (sort=form, date, org, file, rows, imported; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::Read,
            true,
            treasury_reports,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::TreasuryFilterParams>()
        .answers::<jospar_execution::usecases::treasury::ReportListRow>()
        .route(
            Method::POST,
            "/execution/treasury/{form}",
            "Import a Treasury form of the layouts in force (5-52, 5-42, 5-02, 2-15, 4-20, 2-19, 2-11, 2-43, 1-27; XLSX or CSV body) for ?org= at ?date=YYYY-MM-DD (&file_name=); the same form and date is replaced; refused in a closed month",
            Access::Enter,
            false,
            post(import_treasury_form).layer(axum::extract::DefaultBodyLimit::max(
                crate::upload::FORM_UPLOAD_LIMIT,
            )),
        )
        .query::<TreasuryQuery>()
        .file_body(UPLOADS)
        .created::<jospar_execution::treasury_store::TreasuryReport>()
        .get(
            "/financing-plans",
            "Financing plans the caller may read (EX-1), newest year first: searched (q), filtered (within an organisation's subtree, year, status draft or approved), sorted (sort=org, year, status, date; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::Read,
            true,
            financing_plans,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::PlanFilterParams>()
        .answers::<jospar_execution::usecases::plans::PlanListRow>()
        .get(
            "/financing-plans/deadlines",
            "Deadlines of the financing plans set for the organisations the caller reads (P-17): per organisation and year, counted in working days from opens_on, with the days they fall on (plans_due, treasury_due)",
            Access::Read,
            true,
            plan_deadlines,
        )
        .answers::<jospar_execution::usecases::deadlines::DeadlinesView>()
        .put(
            "/financing-plans/deadlines",
            "Set an organisation's deadlines of a year {org_id, year, opens_on, plan_days, treasury_days, reason}: the plans of its subtree approved within plan_days working days of opens_on, then accepted by the Treasury within treasury_days; by the approving authority of an authorized body or administrator",
            Access::Approve,
            false,
            set_plan_deadlines,
        )
        .body::<jospar_execution::usecases::deadlines::NewDeadlines>()
        .answer::<jospar_execution::deadlines::PlanDeadlines>()
        .post(
            "/financing-plans",
            "A draft financing plan {request_id, year} from an approved budget request, months spread evenly",
            Access::Enter,
            false,
            create_plan,
        )
        .body::<NewPlan>()
        .created::<jospar_execution::plans::Plan>()
        .get(
            "/financing-plans/{id}",
            "A financing plan with its change documents and its lines as of ?as_of=YYYY-MM-DD (default today)",
            Access::Read,
            true,
            financing_plan,
        )
        .query::<AsOfQuery>()
        .answer::<FinancingPlan>()
        .put(
            "/financing-plans/{id}",
            "Save a draft's months {version, lines: [{expense_id, obligations[12], payments[12]}]} (amounts in tiyn)",
            Access::Enter,
            false,
            save_plan,
        )
        .body::<PlanMonths>()
        .answer::<jospar_execution::plans::Plan>()
        .post(
            "/financing-plans/{id}/submit",
            "Submit a draft plan {version} for approval by the organisation above (issue 21); it is no longer edited",
            Access::Enter,
            false,
            submit_plan,
        )
        .body::<PlanStep>()
        .answer::<jospar_execution::plans::Plan>()
        .post(
            "/financing-plans/{id}/return",
            "Return a submitted plan {version, reason} to its draft, by the organisation that approves it (issue 21)",
            Access::Approve,
            false,
            return_plan,
        )
        .body::<PlanStep>()
        .answer::<jospar_execution::plans::Plan>()
        .post(
            "/financing-plans/{id}/approve",
            "Approve a submitted plan {version, cms}: signed over its signing-data by the authorised person of the organisation above (EX-6, P-9)",
            Access::Approve,
            false,
            approve_plan,
        )
        .body::<PlanApproval>()
        .answer::<jospar_execution::plans::Plan>()
        .get(
            "/financing-plans/{id}/signing-data",
            "The plan's canonical bytes to sign for approval (base64), their SHA-256 and the version",
            Access::Read,
            true,
            plan_signing_data,
        )
        .answer::<SigningData>()
        .post(
            "/financing-plans/{id}/changes",
            "A dated change document {kind: certificate|refinement|correction, dated, reason, moves: [{expense_id, basis, from_month, to_month, amount}]} (EX-2)",
            Access::Enter,
            false,
            add_plan_change,
        )
        .body::<NewChange>()
        .created::<jospar_execution::plans::Plan>()
        .get(
            "/receipt-plans",
            "Plans of receipts the caller may read (EX-1), newest year first: searched (q), filtered (within an organisation's subtree, year, status draft or approved, kind of receipts, annual receipts min/max in tenge), sorted (sort=org, year, status, codes, amount, date; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::Read,
            true,
            receipt_plans,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::ReceiptPlanFilterParams>()
        .answers::<jospar_execution::usecases::receipt_plans::ReceiptPlanListRow>()
        .post(
            "/receipt-plans",
            "A draft plan of receipts {org_id, year, lines: [{code, annual}]} (6-digit receipts codes, amounts in tiyn), months spread evenly",
            Access::Enter,
            false,
            create_receipt_plan,
        )
        .body::<NewReceiptPlan>()
        .created::<jospar_execution::receipt_plans::ReceiptPlan>()
        .get(
            "/receipt-plans/{id}",
            "A plan of receipts with its codes and months",
            Access::Read,
            true,
            receipt_plan,
        )
        .answer::<jospar_execution::receipt_plans::ReceiptPlan>()
        .put(
            "/receipt-plans/{id}",
            "Save a draft plan of receipts {version, lines: [{code, annual, months[12]}]}; refused whole with the code and month named",
            Access::Enter,
            false,
            save_receipt_plan,
        )
        .body::<ReceiptMonths>()
        .answer::<jospar_execution::receipt_plans::ReceiptPlan>()
        .post(
            "/receipt-plans/{id}/approve",
            "Approve a draft plan of receipts {version}",
            Access::Approve,
            false,
            approve_receipt_plan,
        )
        .body::<VersionOnly>()
        .answer::<jospar_execution::receipt_plans::ReceiptPlan>()
        .put(
            "/receipt-plans/{id}/reasons",
            "The reason an approved plan of receipts fell short {month: YYYY-MM, code, reason} (appendix 2 of order 629); replaces an earlier one",
            Access::Enter,
            false,
            set_shortfall_reason,
        )
        .body::<ShortfallBody>()
        .answer::<jospar_execution::receipt_plans::ShortfallReason>()
        .get(
            "/execution/closed-periods",
            "Closed execution periods the caller may read: org_id, month, reason, who and when (EX-5)",
            Access::Read,
            true,
            closed_periods,
        )
        .answers::<jospar_execution::periods::ClosedPeriod>()
        .post(
            "/execution/closed-periods",
            "Close a month {org_id, month: YYYY-MM, reason} for the organisation's subtree: Treasury forms reporting it are no longer imported or replaced",
            Access::Approve,
            false,
            close_period,
        )
        .body::<PeriodAct>()
        .created::<jospar_execution::periods::ClosedPeriod>()
        .post(
            "/execution/closed-periods/reopen",
            "Open a closed month again {org_id, month, reason}",
            Access::Approve,
            false,
            reopen_period,
        )
        .body::<PeriodAct>()
        .answer::<jospar_execution::periods::ClosedPeriod>()
        .get(
            "/execution/offsetting-codes",
            "Mutually offsetting codes the caller may read: each pair of a paying administrator's program and the receipts code of the transfer (EX-R 30)",
            Access::Read,
            true,
            offsetting_codes,
        )
        .answers::<jospar_execution::offsetting::OffsettingPair>()
        .post(
            "/execution/offsetting-codes",
            "Add a pair {org_id, year, abp, program, subprogram (empty: all), receipt_code (category 4), name} for an authorized body; codes checked against the classification",
            Access::Approve,
            false,
            add_offsetting_code,
        )
        .body::<jospar_execution::offsetting::NewPair>()
        .created::<jospar_execution::offsetting::OffsettingPair>()
        .post(
            "/execution/offsetting-codes/{id}/delete",
            "Remove a pair {reason}",
            Access::Approve,
            false,
            remove_offsetting_code,
        )
        .body::<Reason>()
        .answer::<jospar_execution::offsetting::OffsettingPair>()
        .get(
            "/execution/passport",
            "Reports sent to the Region passport portal the caller may read, with their outcome (EX-R 22-23)",
            Access::Read,
            true,
            passport_exports,
        )
        .answers::<jospar_execution::passport_store::PassportExport>()
        .post(
            "/execution/passport",
            "Send to the Region passport portal {kind: cash_execution|budget_structure, f552, f219 (for the structure)}: built from imported Treasury forms, totals to the tiyn",
            Access::Enter,
            false,
            publish_to_passport,
        )
        .body::<NewPublication>()
        .created::<jospar_execution::passport_store::PassportExport>()
        .get(
            "/treasury-exchange",
            "Plans and change documents queued for the Treasury (EX-4) with their status: queued, sent, accepted (with the registration number), rejected (with the reason), failed (with the last error)",
            Access::Read,
            true,
            treasury_exchange,
        )
        .answers::<jospar_execution::exchange::OutboxItem>()
        .post(
            "/treasury-exchange/send",
            "Send now what is due of the caller's organisations and ask about registered documents; returns the counts of each outcome",
            Access::Enter,
            false,
            send_to_treasury,
        )
        .answer::<jospar_execution::usecases::exchange::PassSummary>()
        .post(
            "/treasury-exchange/{id}/retry",
            "Queue a failed or rejected document again {reason}",
            Access::Enter,
            false,
            retry_treasury_document,
        )
        .body::<Retry>()
        .answer::<jospar_execution::exchange::OutboxItem>()
}

async fn treasury_reports(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::TreasuryFilterParams = ctx.query_params();
    let listed = jospar_execution::usecases::treasury::list_reports(
        ctx.db(),
        p,
        ctx.tr.lang(),
        &filters.filter()?,
        &search.query(),
    )
    .await?;
    Ok(crate::listing::api_answer(listed))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct TreasuryQuery {
    org: String,
    date: String,
    file_name: String,
}

async fn import_treasury_form(
    ctx: Ctx,
    Path(form): Path<String>,
    Query(q): Query<TreasuryQuery>,
    body: axum::body::Body,
) -> AppResult<Response> {
    let p = writer(&ctx)?;
    // Rights are checked before the body is read (the import checks them again).
    let org_id = jospar_access::parse_id(&q.org, "org")?;
    jospar_execution::usecases::treasury::require_importer(p, org_id)?;
    let file = crate::upload::spool_body(body).await?;
    let target = jospar_execution::usecases::treasury::FormTarget {
        org_id,
        report_date: jospar_access::parse_date(&q.date, "date")?,
        file_name: if q.file_name.is_empty() {
            "api upload"
        } else {
            &q.file_name
        },
        pulled: None,
    };
    let report = jospar_execution::usecases::treasury::import_form(
        ctx.db(),
        &p.who(),
        Some(p),
        &form,
        target,
        file,
    )
    .await?;
    Ok(created(report))
}

/// A financing plan with its lines as of a date, its signatures and its exchange with the
/// Treasury.
#[derive(Serialize, ToSchema)]
struct FinancingPlan {
    plan: jospar_execution::plans::Plan,
    as_of: chrono::NaiveDate,
    lines_as_of: Vec<jospar_execution::PlanLine>,
    signatures: Vec<jospar_execution::plans::PlanSignature>,
    treasury_exchange: Vec<jospar_execution::exchange::OutboxItem>,
}

async fn financing_plans(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::PlanFilterParams = ctx.query_params();
    let listed = jospar_execution::usecases::plans::list_plans(
        ctx.db(),
        p,
        &ctx.tr,
        &filters.filter(),
        &search.query(),
    )
    .await?;
    Ok(crate::listing::api_answer(listed))
}

#[derive(Deserialize, ToSchema)]
struct NewPlan {
    request_id: i64,
    year: i32,
}

async fn create_plan(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewPlan = body(&bytes)?;
    Ok(created(
        jospar_execution::usecases::plans::create_from_request(ctx.db(), p, b.request_id, b.year)
            .await?,
    ))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct AsOfQuery {
    as_of: String,
}

async fn financing_plan(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let plan = jospar_execution::usecases::plans::readable(ctx.db(), p, id).await?;
    let date = if q.as_of.is_empty() {
        p.today
    } else {
        jospar_access::parse_date(&q.as_of, "as_of")?
    };
    let lines = plan
        .as_of(date)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let signatures = jospar_execution::usecases::plans::signatures(ctx.db(), p, id).await?;
    let exchange = jospar_execution::usecases::exchange::of_plan(ctx.db(), p, &plan).await?;
    Ok(Json(json!(FinancingPlan {
        plan,
        as_of: date,
        lines_as_of: lines,
        signatures,
        treasury_exchange: exchange,
    })))
}

#[derive(Deserialize, ToSchema)]
struct PlanMonths {
    version: i64,
    lines: Vec<jospar_execution::PlanLine>,
}

async fn save_plan(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: PlanMonths = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::plans::save_months(ctx.db(), p, id, b.version, &b.lines)
            .await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct PlanApproval {
    version: i64,
    #[serde(default)]
    cms: String,
}

/// A step of a plan: the version seen, and the reason of a return.
#[derive(Deserialize, ToSchema)]
struct PlanStep {
    version: i64,
    #[serde(default)]
    reason: String,
}

async fn submit_plan(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: PlanStep = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::plans::submit(ctx.db(), p, id, b.version).await?
    )))
}

async fn return_plan(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: PlanStep = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::plans::return_plan(ctx.db(), p, id, b.version, &b.reason)
            .await?
    )))
}

async fn approve_plan(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: PlanApproval = body(&bytes)?;
    let signing = &ctx.state.config.signing;
    Ok(Json(json!(
        jospar_execution::usecases::plans::approve(ctx.db(), signing, p, id, b.version, &b.cms)
            .await?
    )))
}

async fn plan_signing_data(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    use base64::Engine as _;
    let p = ctx.user()?;
    let (plan, data) = jospar_execution::usecases::plans::signing_data(ctx.db(), p, id).await?;
    Ok(Json(json!(SigningData {
        version: plan.version,
        data: base64::engine::general_purpose::STANDARD.encode(&data),
        sha256: jospar_eds::sha256_hex(&data),
    })))
}

#[derive(Deserialize, ToSchema)]
struct NewChange {
    kind: jospar_execution::ChangeKind,
    dated: chrono::NaiveDate,
    reason: String,
    moves: Vec<jospar_execution::LineMove>,
}

async fn add_plan_change(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewChange = body(&bytes)?;
    let doc = jospar_execution::ChangeDoc {
        number: 0,
        kind: b.kind,
        dated: b.dated,
        reason: b.reason,
        moves: b.moves,
    };
    Ok(created(
        jospar_execution::usecases::plans::add_change(ctx.db(), p, id, doc).await?,
    ))
}

async fn receipt_plans(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::ReceiptPlanFilterParams = ctx.query_params();
    let listed = jospar_execution::usecases::receipt_plans::list_receipt_plans(
        ctx.db(),
        p,
        ctx.tr.lang(),
        &filters.filter()?,
        &search.query(),
    )
    .await?;
    Ok(crate::listing::api_answer(listed))
}

#[derive(Deserialize, ToSchema)]
struct NewReceiptLine {
    code: String,
    annual: jospar_core::Tenge,
}

#[derive(Deserialize, ToSchema)]
struct NewReceiptPlan {
    org_id: i64,
    year: i32,
    lines: Vec<NewReceiptLine>,
}

async fn create_receipt_plan(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewReceiptPlan = body(&bytes)?;
    let annual: Vec<(String, jospar_core::Tenge)> =
        b.lines.into_iter().map(|l| (l.code, l.annual)).collect();
    Ok(created(
        jospar_execution::usecases::receipt_plans::create(ctx.db(), p, b.org_id, b.year, &annual)
            .await?,
    ))
}

async fn receipt_plan(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let reader = jospar_access::Reader::User(p);
    Ok(Json(json!(
        jospar_execution::usecases::receipt_plans::readable(ctx.db(), &reader, id).await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct ReceiptMonths {
    version: i64,
    lines: Vec<jospar_execution::receipts::ReceiptLine>,
}

async fn save_receipt_plan(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: ReceiptMonths = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::receipt_plans::save(ctx.db(), p, id, b.version, &b.lines)
            .await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct VersionOnly {
    version: i64,
}

async fn approve_receipt_plan(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: VersionOnly = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::receipt_plans::approve(ctx.db(), p, id, b.version).await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct ShortfallBody {
    month: String,
    code: String,
    #[serde(default)]
    reason: String,
}

async fn set_shortfall_reason(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: ShortfallBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::receipt_plans::set_shortfall_reason(
            ctx.db(),
            p,
            id,
            &b.month,
            &b.code,
            &b.reason
        )
        .await?
    )))
}

async fn plan_deadlines(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_execution::usecases::deadlines::list(ctx.db(), p, &ctx.tr).await?
    )))
}

async fn set_plan_deadlines(ctx: Ctx, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: jospar_execution::usecases::deadlines::NewDeadlines = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::deadlines::set(ctx.db(), p, &b).await?
    )))
}

async fn closed_periods(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_execution::usecases::periods::list(ctx.db(), p).await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct PeriodAct {
    org_id: i64,
    month: String,
    #[serde(default)]
    reason: String,
}

async fn close_period(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: PeriodAct = body(&bytes)?;
    Ok(created(
        jospar_execution::usecases::periods::close(ctx.db(), p, b.org_id, &b.month, &b.reason)
            .await?,
    ))
}

async fn reopen_period(ctx: Ctx, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: PeriodAct = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::periods::reopen(ctx.db(), p, b.org_id, &b.month, &b.reason)
            .await?
    )))
}

async fn offsetting_codes(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_execution::usecases::offsetting::list(ctx.db(), p).await?
    )))
}

async fn add_offsetting_code(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: jospar_execution::offsetting::NewPair = body(&bytes)?;
    Ok(created(
        jospar_execution::usecases::offsetting::add(ctx.db(), p, new).await?,
    ))
}

async fn remove_offsetting_code(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Reason = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::offsetting::remove(ctx.db(), p, id, &b.reason).await?
    )))
}

async fn passport_exports(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_execution::usecases::passport::exports(ctx.db(), p).await?
    )))
}

async fn publish_to_passport(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewPublication = body(&bytes)?;
    let what = jospar_execution::usecases::passport::Publication {
        kind: b.kind,
        f552: b.f552,
        f219: b.f219,
    };
    let portal = ctx.state.config.passport.as_ref();
    Ok(created(
        jospar_execution::usecases::passport::publish(ctx.db(), p, portal, &what).await?,
    ))
}

async fn treasury_exchange(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_execution::usecases::exchange::list(ctx.db(), p).await?
    )))
}

async fn send_to_treasury(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let gateway = ctx.state.config.treasury.as_ref();
    Ok(Json(json!(
        jospar_execution::usecases::exchange::send_now(ctx.db(), gateway, p).await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct Retry {
    #[serde(default)]
    reason: String,
}

async fn retry_treasury_document(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Retry = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::exchange::retry(ctx.db(), p, id, &b.reason).await?
    )))
}

async fn portal_imports(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::ImportFilterParams = ctx.query_params();
    let listed = jospar_execution::usecases::portal_reports::list_imports(
        ctx.db(),
        p,
        ctx.tr.lang(),
        &filters.filter(),
        &search.query(),
    )
    .await?;
    Ok(crate::listing::api_answer(listed))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct PortalImportQuery {
    org: String,
    title: String,
    file_name: String,
}

async fn import_portal(
    ctx: Ctx,
    Query(q): Query<PortalImportQuery>,
    bytes: Bytes,
) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let target = jospar_execution::usecases::portal_reports::ImportTarget {
        org_id: jospar_access::parse_id(&q.org, "org")?,
        title: &q.title,
        file_name: if q.file_name.is_empty() {
            "api upload"
        } else {
            &q.file_name
        },
    };
    let import = jospar_execution::usecases::portal_reports::import_portal(
        ctx.db(),
        &p.who(),
        Some(p),
        target,
        &bytes,
    )
    .await?;
    Ok(created(import))
}
