//! Budget requests, their lines and calculation forms, the review chain, signatures,
//! attachments, the curator's desk and the consolidation (BP-1…BP-13).

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jospar_planning::usecases::LineYearRows;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Planning)
        .get(
            "/requests/{id}/report-year",
            "The report (fact) year of a request: each program, subprogram and specific of its lines with the executed amount of the year before the current one, its source and basis (issue 23)",
            Access::SignedIn,
            true,
            report_year,
        )
        .answer::<jospar_planning::report_year::ReportYear>()
        .put(
            "/requests/{id}/report-year",
            "Type report-year amounts, all or none; each must be of a code of the request's lines",
            Access::Enter,
            false,
            type_report_year,
        )
        .body::<ReportYearBody>()
        .answer::<jospar_planning::report_year::ReportYear>()
        .post(
            "/requests/{id}/report-year/from-execution",
            "Fill the report year from the organisation's latest cash-execution form of that year (5-52 and its kind)",
            Access::Enter,
            false,
            fill_report_year,
        )
        .body::<ReportYearFill>()
        .answer::<jospar_planning::report_year::ReportYear>()
        .get(
            "/requests/{id}/revenues",
            "A state enterprise's revenues by source (paid services, the administrator's state order or subsidy), counterparty and year (issue 23, BP-13)",
            Access::SignedIn,
            true,
            revenues,
        )
        .answer::<jospar_planning::revenues::Revenues>()
        .put(
            "/requests/{id}/revenues",
            "Replace a state enterprise's revenues, all or none; each refusal names revenues[i].field",
            Access::Enter,
            false,
            save_revenues,
        )
        .body::<RevenuesBody>()
        .answer::<jospar_planning::revenues::Revenues>()
        .get(
            "/workdesk",
            "The caller's start page (issue 20): own requests by state, those awaiting the caller's review, those returned with the reason, each open campaign's deadline with its curator's-desk counts, and own financing plans by state",
            Access::SignedIn,
            true,
            workdesk,
        )
        .answer::<StartPage>()
        .get(
            "/campaigns/{id}/desk",
            "Curator's desk (BP-7): the campaign, its deadline, the counts of the whole desk and its organisations with their latest request (number, state, first-year amount, stage) in the order of the administrators' codes: searched (q), filtered (within an organisation's subtree, status none/in_work/sent/approved/returned, kind, overdue=1, amount min/max in tenge), sorted (sort=org, number, kind, status, stage, date, amount, overdue; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::Approve,
            true,
            desk,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::DeskFilterParams>()
        .answer::<Desk>()
        .get(
            "/campaigns/{id}/consolidated",
            "Requested amounts of the subtree by a slice (BP-5); ?by=&year=&format=json|csv|csv-plain|xlsx|pdf",
            Access::Read,
            true,
            consolidated,
        )
        .query::<ConsolidationQuery>()
        .file_or::<jospar_reports::Table>(crate::api::common::TABLE_FILES)
        .get(
            "/forms",
            "Calculation forms (BP-8)",
            Access::SignedIn,
            true,
            forms,
        )
        .answers::<jospar_forms::FormDef>()
        .put(
            "/forms/{code}",
            "Add or change a calculation form without code (BP-10)",
            Access::SystemConfigure,
            false,
            put_form,
        )
        .body::<jospar_forms::FormDef>()
        .no_content()
        .get(
            "/requests",
            "Budget requests visible to the caller: searched (q), filtered (org subtree, year, status, kind, amount from/to), sorted (sort=column, -column descending: number, date, org, campaign, kind, status, amount) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::SignedIn,
            true,
            requests,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::RequestFilterParams>()
        .answers::<jospar_planning::usecases::RequestListRow>()
        .post(
            "/requests",
            "Create a budget request of an institution for a campaign (BP-1)",
            Access::Enter,
            false,
            create_request,
        )
        .body::<NewRequestBody>()
        .created::<jospar_planning::Request>()
        .get(
            "/requests/{id}",
            "A request with its lines and amounts",
            Access::Read,
            true,
            request,
        )
        .answer::<RequestLines>()
        .post(
            "/requests/{id}/lines",
            "Add a line: program, subprogram, specific, kind of limit, project",
            Access::Enter,
            false,
            add_line,
        )
        .body::<LineBody>()
        .created::<jospar_planning::Line>()
        .get(
            "/requests/{id}/line-choices",
            "What a line of the request may be made of, with names in the caller's language (issue 21): the programs whose limits reached the organisation, the subprograms of each, and the specifics a calculation form serves",
            Access::Read,
            true,
            line_choices,
        )
        .answer::<jospar_planning::codes::LineChoices>()
        .delete(
            "/requests/{id}/lines/{line}",
            "Delete a line of a request in work with its amounts of every year (issue 21); ?version= is the request's version the caller saw",
            Access::Enter,
            false,
            delete_line,
        )
        .query::<VersionQuery>()
        .no_content()
        .put(
            "/requests/{id}/lines/{line}/years/{year}",
            "Save the calculation-form rows of a line and year; computed cells are refused (BP-8)",
            Access::Enter,
            false,
            set_rows,
        )
        .body::<RowsBody>()
        .answer::<LineAmount>()
        .put(
            "/requests/{id}/years/{year}",
            "Save the calculation rows of every line of one year at once, as the grid does (issue 21): all or nothing, with the version check; a refusal names the line, the row and the column",
            Access::Enter,
            false,
            set_year,
        )
        .body::<YearBody>()
        .answer::<RequestLines>()
        .put(
            "/requests/{id}/grid",
            "Save the calculation rows of lines × years at once, as the grid page does (issue 21): all or nothing, with the version check; a refusal names the line, the year, the row and the column",
            Access::Enter,
            false,
            set_grid,
        )
        .body::<GridBody>()
        .answer::<RequestLines>()
        .get(
            "/requests/{id}/export",
            "Breakdowns of the request as XLSX or CSV with expense identifiers (BP-13, P-19)",
            Access::Read,
            true,
            export_request,
        )
        .query::<FormatQuery>()
        .file_or::<jospar_reports::Table>(crate::api::common::TABLE_FILES)
        .get(
            "/requests/{id}/file",
            "The whole request as a file to load back (issue 24): every line with its codes, form and expense identifier, every calculation row of every year cell by cell; ?format=xlsx|csv",
            Access::Read,
            true,
            request_file,
        )
        .query::<FormatQuery>()
        .file_or::<jospar_reports::Table>(crate::api::common::TABLE_FILES)
        .post(
            "/requests/{id}/file",
            "Load a request file (XLSX or CSV, as GET /file gives) into this request in work, replacing its lines (payroll lines computed from staffing stay): all or nothing, checked as the grid, a refusal naming the file's row and column; lines from another organisation's file get new expense identifiers, listed with the file's",
            Access::Enter,
            false,
            load_request_file,
        )
        .query::<AttachQuery>()
        .file_body(crate::api::common::UPLOADS)
        .answer::<jospar_planning::request_file::Loaded>()
        .get(
            "/requests/{id}/file/origins",
            "The lines loaded from another organisation's file, with the file's expense identifier and their own",
            Access::Read,
            true,
            request_file_origins,
        )
        .answers::<jospar_planning::repo::LineOrigin>()
        .post(
            "/requests/{id}/versions",
            "A refinement or correction of an approved request as a new version (BP-2)",
            Access::Enter,
            false,
            new_version,
        )
        .body::<VersionBody>()
        .created::<jospar_planning::Request>()
        .get(
            "/requests/{id}/diff",
            "Differences of a version from the approved request by year",
            Access::Read,
            true,
            diff,
        )
        .answers::<jospar_planning::LineDiff>()
        .get(
            "/requests/{id}/attachments",
            "Supporting documents of a request (P-18)",
            Access::Read,
            true,
            attachments,
        )
        .answers::<jospar_planning::repo::Attachment>()
        .post(
            "/requests/{id}/attachments",
            "Attach a supporting document (multipart)",
            Access::Enter,
            false,
            attach,
        )
        .query::<AttachQuery>()
        .file_body(crate::api::common::UPLOADS)
        .created::<jospar_planning::repo::Attachment>()
        .get(
            "/requests/{id}/attachments/{attachment}",
            "Download a supporting document",
            Access::Read,
            true,
            attachment,
        )
        .file(crate::api::common::ANY_FILE)
        .post(
            "/requests/{id}/fill-inflation",
            "Fill later years from the first with inflation coefficients (BP-11)",
            Access::Enter,
            false,
            fill_inflation,
        )
        .body::<StepBody>()
        .answer::<jospar_planning::Request>()
        .post(
            "/requests/{id}/undo-fill",
            "Undo the last inflation fill",
            Access::Enter,
            false,
            undo_fill,
        )
        .body::<StepBody>()
        .answer::<jospar_planning::Request>()
        .get(
            "/requests/{id}/signing-data",
            "The canonical bytes to sign (base64), their SHA-256 and the version (P-9)",
            Access::Read,
            true,
            signing_data,
        )
        .answer::<crate::api::common::SigningData>()
        .post(
            "/requests/{id}/send",
            "Send for review within limits, signed by the head of the institution or its acting head named by a delegation in force: {version, cms} (BP-4, BP-6, issue 21)",
            Access::Approve,
            false,
            send_request,
        )
        .body::<StepBody>()
        .answer::<jospar_planning::Request>()
        .get(
            "/requests/{id}/signatures",
            "Signatures of a request: signer, IIN, certificate, time",
            Access::Read,
            true,
            request_signatures,
        )
        .answers::<jospar_planning::repo::SignatureRecord>()
        .post(
            "/requests/{id}/approve",
            "Approve at the current stage of the review chain, signed by the approver: {version, cms} over the request's signing data (BP-9, issue 21)",
            Access::Approve,
            false,
            approve_request,
        )
        .body::<StepBody>()
        .answer::<jospar_planning::Request>()
        .post(
            "/requests/{id}/return",
            "Return with a reason (BP-2)",
            Access::Approve,
            false,
            return_request,
        )
        .body::<StepBody>()
        .answer::<jospar_planning::Request>()
        .get(
            "/requests/{id}/lines/{line}/years/{year}",
            "The calculation rows of a line of a request in one year, with the amount",
            Access::Read,
            true,
            line_rows,
        )
        .answer_inline::<Vec<std::collections::BTreeMap<String, String>>>()
}

async fn forms(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    Ok(Json(json!(jospar_planning::repo::forms(ctx.db()).await?)))
}

async fn put_form(ctx: Ctx, Path(code): Path<String>, bytes: Bytes) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    let def: jospar_forms::FormDef = body(&bytes)?;
    if def.code != code {
        return Err(AppError::invalid("err-form-code", "code"));
    }
    jospar_planning::usecases::save_form(ctx.db(), p, &def).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn requests(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::RequestFilterParams = ctx.query_params();
    let listed = jospar_planning::usecases::list_requests(
        ctx.db(),
        p,
        &ctx.tr,
        &filters.filter()?,
        &search.query(),
    )
    .await?;
    Ok(crate::listing::api_answer(listed))
}

#[derive(Deserialize, ToSchema)]
struct NewRequestBody {
    campaign_id: i64,
    org_id: i64,
    kind: String,
}

async fn create_request(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewRequestBody = body(&bytes)?;
    Ok(created(
        jospar_planning::usecases::create(ctx.db(), p, &ctx.tr, b.campaign_id, b.org_id, &b.kind)
            .await?,
    ))
}

/// A budget request with its lines.
#[derive(Serialize, ToSchema)]
struct RequestLines {
    request: jospar_planning::Request,
    lines: Vec<jospar_planning::Line>,
}

async fn request(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<RequestLines>> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let lines = jospar_planning::usecases::lines(ctx.db(), &request).await?;
    Ok(Json(RequestLines { request, lines }))
}

/// The amount of a line's year after its rows were saved.
#[derive(Serialize, ToSchema)]
struct LineAmount {
    amount_tiyn: i64,
}

/// What the start page shows, as data.
#[derive(Serialize, ToSchema)]
struct StartPage {
    #[serde(flatten)]
    planning: jospar_planning::workdesk::Workdesk,
    /// Own financing plans by state: (draft|approved, count).
    plans: Vec<(String, usize)>,
    /// Financing plans waiting for their approval or the Treasury, soonest deadline first.
    plans_due: Vec<jospar_execution::usecases::deadlines::PlanDue>,
    /// Notices not read yet.
    unread: i64,
}

async fn workdesk(ctx: Ctx) -> AppResult<Json<StartPage>> {
    let p = ctx.user()?;
    Ok(Json(StartPage {
        planning: jospar_planning::workdesk::workdesk(ctx.db(), p, &ctx.tr).await?,
        plans: jospar_execution::usecases::plans::my_plan_counts(ctx.db(), p).await?,
        plans_due: jospar_execution::usecases::deadlines::plans_due(ctx.db(), p, &ctx.tr).await?,
        unread: jospar_notify::unread(ctx.db(), p.user.id).await?,
    }))
}

/// The curator's desk of a campaign: its deadline and each organisation's request.
#[derive(Serialize, ToSchema)]
struct Desk {
    campaign: jospar_limits::Campaign,
    deadline: chrono::NaiveDate,
    /// Organisations whose latest request is sent or approved, on the whole desk.
    submitted: usize,
    /// Organisations past the deadline, on the whole desk.
    overdue: usize,
    /// The page of rows asked for; the rows found on every page in X-Total-Count.
    rows: Vec<jospar_planning::usecases::DeskListRow>,
}

/// `?format=`: json (default), csv (for Excel: a byte order mark, a decimal comma), csv-plain
/// (for programs: a decimal point), xlsx or pdf.
#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query read as [`crate::pages::ExportQuery`].
struct FormatQuery {
    format: Option<String>,
}

/// The slices of the consolidation; every part optional.
#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query read as [`crate::pages::ConsolidationParams`].
struct ConsolidationQuery {
    /// The organisation whose subtree is consolidated (an id).
    org: Option<String>,
    /// The slice of the rows.
    by: Option<String>,
    /// A second slice for the columns (a pivot of one year); empty: the years.
    cols: Option<String>,
    year: Option<String>,
    /// Only approved requests when set.
    approved: Option<String>,
    /// json (default), csv (for Excel: a byte order mark, a decimal comma), csv-plain (for
    /// programs: a decimal point), xlsx or pdf.
    format: Option<String>,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
struct LineBody {
    version: i64,
    program: String,
    subprogram: String,
    specific: String,
    limit_kind: String,
    project: String,
}

async fn add_line(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: LineBody = body(&bytes)?;
    let input = jospar_planning::usecases::LineInput {
        program: b.program,
        subprogram: b.subprogram,
        specific: b.specific,
        limit_kind: b.limit_kind,
        project: b.project,
    };
    Ok(created(
        jospar_planning::usecases::add_line(ctx.db(), p, id, b.version, input).await?,
    ))
}

/// The rows of every line of a year.
#[derive(Deserialize, ToSchema)]
struct YearBody {
    version: i64,
    lines: Vec<YearLine>,
}

#[derive(Deserialize, ToSchema)]
struct YearLine {
    line_id: i64,
    rows: Vec<jospar_forms::RowInput>,
}

async fn set_year(
    ctx: Ctx,
    Path((id, year)): Path<(i64, i32)>,
    bytes: Bytes,
) -> AppResult<Json<RequestLines>> {
    let b: YearBody = body(&bytes)?;
    let cells: Vec<LineYearRows> = b
        .lines
        .into_iter()
        .map(|l| LineYearRows {
            line_id: l.line_id,
            year,
            rows: l.rows,
        })
        .collect();
    save_grid(&ctx, id, b.version, &cells).await
}

/// The rows of lines × years.
#[derive(Deserialize, ToSchema)]
struct GridBody {
    version: i64,
    cells: Vec<GridCell>,
}

#[derive(Deserialize, ToSchema)]
struct GridCell {
    line_id: i64,
    year: i32,
    rows: Vec<jospar_forms::RowInput>,
}

async fn set_grid(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<RequestLines>> {
    let b: GridBody = body(&bytes)?;
    let cells: Vec<LineYearRows> = b
        .cells
        .into_iter()
        .map(|c| LineYearRows {
            line_id: c.line_id,
            year: c.year,
            rows: c.rows,
        })
        .collect();
    save_grid(&ctx, id, b.version, &cells).await
}

async fn save_grid(
    ctx: &Ctx,
    id: i64,
    version: i64,
    cells: &[LineYearRows],
) -> AppResult<Json<RequestLines>> {
    let p = writer(ctx)?;
    let edit = jospar_planning::usecases::GridEdit { id, version, cells };
    jospar_planning::usecases::set_grid(ctx.db(), p, &ctx.tr, edit).await?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let lines = jospar_planning::usecases::lines(ctx.db(), &request).await?;
    Ok(Json(RequestLines { request, lines }))
}

async fn line_choices(
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<jospar_planning::codes::LineChoices>> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    Ok(Json(
        jospar_planning::codes::line_choices(ctx.db(), &ctx.tr, &request).await?,
    ))
}

async fn delete_line(
    ctx: Ctx,
    Path((id, line)): Path<(i64, i64)>,
    Query(q): Query<VersionQuery>,
) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    jospar_planning::usecases::delete_line(ctx.db(), p, id, q.version, line).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn line_rows(
    ctx: Ctx,
    Path((id, line, year)): Path<(i64, i64, i32)>,
) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let rows = jospar_planning::repo::line_rows(ctx.db(), request.id, line, year).await?;
    Ok(Json(json!(rows)))
}

#[derive(Deserialize, ToSchema)]
struct RowsBody {
    version: i64,
    rows: Vec<jospar_forms::RowInput>,
}

async fn set_rows(
    ctx: Ctx,
    Path((id, line, year)): Path<(i64, i64, i32)>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: RowsBody = body(&bytes)?;
    let amount = jospar_planning::usecases::set_rows(
        ctx.db(),
        p,
        &ctx.tr,
        jospar_planning::usecases::RowsEdit {
            id,
            version: b.version,
            line_id: line,
            year,
            rows: &b.rows,
        },
    )
    .await?;
    Ok(Json(json!(LineAmount {
        amount_tiyn: amount.tiyn()
    })))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
struct StepBody {
    version: i64,
    reason: String,
    /// The CMS signature from NCALayer (PEM or base64) over the request's signing data.
    cms: String,
}

async fn send_request(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    let signing = &ctx.state.config.signing;
    Ok(Json(json!(
        jospar_planning::usecases::send(ctx.db(), signing, p, id, b.version, &b.cms).await?
    )))
}

async fn signing_data(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    use base64::Engine as _;
    let p = ctx.user()?;
    let (request, data) = jospar_planning::usecases::signing_data(ctx.db(), p, id).await?;
    Ok(Json(json!(crate::api::common::SigningData {
        version: request.version,
        data: base64::engine::general_purpose::STANDARD.encode(&data),
        sha256: jospar_eds::sha256_hex(&data),
    })))
}

async fn request_signatures(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_planning::usecases::signatures(ctx.db(), p, id).await?
    )))
}

async fn approve_request(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    let signing = &ctx.state.config.signing;
    Ok(Json(json!(
        jospar_planning::usecases::approve(ctx.db(), signing, p, id, b.version, &b.cms).await?
    )))
}

async fn return_request(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_planning::usecases::return_request(ctx.db(), p, id, b.version, &b.reason).await?
    )))
}

async fn desk(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::DeskFilterParams = ctx.query_params();
    let desk = jospar_planning::usecases::list_desk(
        ctx.db(),
        p,
        &ctx.tr,
        id,
        &filters.filter()?,
        &search.query(),
    )
    .await?;
    Ok(crate::listing::api_answer_with(
        desk.listed.total,
        Desk {
            campaign: desk.campaign,
            deadline: desk.deadline,
            submitted: desk.submitted,
            overdue: desk.overdue,
            rows: desk.listed.rows,
        },
    ))
}

async fn fill_inflation(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_planning::usecases::fill_inflation(ctx.db(), p, id, b.version).await?
    )))
}

async fn undo_fill(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_planning::usecases::undo_fill(ctx.db(), p, id, b.version).await?
    )))
}

async fn consolidated(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(params): Query<crate::queries::ConsolidationParams>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let query = params.query(id);
    let pivot = params.pivot(id);
    let table =
        jospar_planning::usecases::consolidation(ctx.db(), p, &ctx.tr, &query, pivot.as_ref())
            .await?;
    match crate::files::download(&table, &params.format, &format!("consolidated-{id}"))? {
        Some(file) => Ok(file),
        None => Ok(Json(json!(table)).into_response()),
    }
}

async fn attachments(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    Ok(Json(json!(
        jospar_planning::repo::attachments(ctx.db(), request.id).await?
    )))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct AttachQuery {
    version: i64,
    file_name: String,
}

async fn attach(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<AttachQuery>,
    headers: axum::http::HeaderMap,
    bytes: Bytes,
) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(created(
        jospar_planning::usecases::attach(
            ctx.db(),
            p,
            id,
            q.version,
            &q.file_name,
            content_type,
            &bytes,
        )
        .await?,
    ))
}

async fn attachment(ctx: Ctx, Path((id, attachment)): Path<(i64, i64)>) -> AppResult<Response> {
    let p = ctx.user()?;
    let (meta, content) =
        jospar_planning::usecases::attachment(ctx.db(), p, id, attachment).await?;
    Ok(crate::files::attachment_response(&meta, content))
}

async fn export_request(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<crate::queries::ExportQuery>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let table = jospar_planning::usecases::breakdown_table(ctx.db(), &ctx.tr, &request).await?;
    match crate::files::download(&table, &q.format, &format!("request-{id}"))? {
        Some(file) => Ok(file),
        None => Ok(Json(json!(table)).into_response()),
    }
}

async fn request_file(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<crate::queries::ExportQuery>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let table = jospar_planning::request_file::table(ctx.db(), &ctx.tr, &request).await?;
    match crate::files::download(&table, &q.format, &format!("request-file-{id}"))? {
        Some(file) => Ok(file),
        None => Ok(Json(json!(table)).into_response()),
    }
}

async fn load_request_file(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<AttachQuery>,
    bytes: Bytes,
) -> AppResult<Json<jospar_planning::request_file::Loaded>> {
    let p = writer(&ctx)?;
    let target = jospar_planning::repo::Target {
        request_id: id,
        version: q.version,
    };
    let name = if q.file_name.is_empty() {
        "api upload"
    } else {
        &q.file_name
    };
    Ok(Json(
        jospar_planning::request_file::load(ctx.db(), p, &ctx.tr, target, name, &bytes).await?,
    ))
}

async fn request_file_origins(
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<jospar_planning::repo::LineOrigin>>> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    Ok(Json(
        jospar_planning::repo::line_origins(ctx.db(), request.id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct VersionBody {
    kind: String,
}

async fn new_version(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: VersionBody = body(&bytes)?;
    Ok(created(
        jospar_planning::usecases::new_version(ctx.db(), p, id, &b.kind).await?,
    ))
}

async fn diff(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_planning::usecases::diff(ctx.db(), p, id).await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct ReportYearBody {
    version: i64,
    facts: Vec<jospar_planning::report_year::TypedFact>,
}

#[derive(Deserialize, ToSchema)]
struct ReportYearFill {
    version: i64,
}

async fn report_year(
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<jospar_planning::report_year::ReportYear>> {
    let p = ctx.user()?;
    Ok(Json(
        jospar_planning::report_year::of_request(ctx.db(), p, id).await?,
    ))
}

async fn type_report_year(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<jospar_planning::report_year::ReportYear>> {
    let p = writer(&ctx)?;
    let b: ReportYearBody = body(&bytes)?;
    Ok(Json(
        jospar_planning::report_year::type_in(ctx.db(), p, id, b.version, &b.facts).await?,
    ))
}

async fn fill_report_year(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<jospar_planning::report_year::ReportYear>> {
    let p = writer(&ctx)?;
    let b: ReportYearFill = body(&bytes)?;
    Ok(Json(
        jospar_execution::usecases::report_year::fill(ctx.db(), p, id, b.version).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct RevenuesBody {
    version: i64,
    revenues: Vec<jospar_planning::revenues::RevenueInput>,
}

async fn revenues(
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<jospar_planning::revenues::Revenues>> {
    let p = ctx.user()?;
    Ok(Json(
        jospar_planning::revenues::of_request(ctx.db(), p, id).await?,
    ))
}

async fn save_revenues(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<jospar_planning::revenues::Revenues>> {
    let p = writer(&ctx)?;
    let b: RevenuesBody = body(&bytes)?;
    Ok(Json(
        jospar_planning::revenues::save(ctx.db(), p, id, b.version, &b.revenues).await?,
    ))
}
