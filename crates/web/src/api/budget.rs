//! The budget cycle's acts (issue 22, P-17): conclusions, the commission's decision, the
//! maslikhat's approval, the akimat's resolution, refinements and corrections. Reports 6, 9, 10
//! and 11 come from the report catalogue (`/reports/budget-…`).

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use jospar_access::Reader;
use jospar_budget::forecast::{self, Forecast, ForecastLine, ForecastWithLines};
use jospar_budget::programs::{self, Amounts, Program, ProgramInput};
use jospar_budget::transfers::{self, Application, Decision, NewApplication};
use jospar_budget::usecases::{self as service, ActWithLines, NewAct};
use jospar_budget::{Act, LineEdit};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Budget)
        .get(
            "/budget-acts",
            "The acts of a campaign's budget cycle: conclusions, decisions, resolutions (P-17)",
            Access::SignedIn,
            true,
            acts,
        )
        .query::<CampaignQuery>()
        .answers::<Act>()
        .post(
            "/budget-acts",
            "Draw up an act; its amounts start from the requests, the conclusions, the commission's decision or the version in force",
            Access::Enter,
            false,
            create,
        )
        .body::<NewAct>()
        .created::<ActWithLines>()
        .get(
            "/budget-acts/{id}",
            "One act with its amounts by administrator, program and year",
            Access::SignedIn,
            true,
            act,
        )
        .answer::<ActWithLines>()
        .put(
            "/budget-acts/{id}/lines",
            "Set amounts of a draft act, all or none; more than the base needs a reason",
            Access::Enter,
            false,
            save_lines,
        )
        .body::<LinesBody>()
        .answer::<ActWithLines>()
        .delete(
            "/budget-acts/{id}",
            "Discard a draft act drawn up by mistake; ?version= is the act's version the caller saw",
            Access::Enter,
            false,
            discard,
        )
        .query::<VersionQuery>()
        .no_content()
        .get(
            "/budget-acts/{id}/signing-data",
            "The act's canonical bytes to sign for adoption (base64), their SHA-256 and the version (P-9)",
            Access::SignedIn,
            true,
            signing_data,
        )
        .answer::<SigningData>()
        .post(
            "/budget-acts/{id}/adopt",
            "Adopt a draft act {version, cms}, signed over its signing-data by the person of the authorized body; an approval, refinement or correction becomes the version in force",
            Access::Approve,
            false,
            adopt,
        )
        .body::<AdoptBody>()
        .answer::<ActWithLines>()
        .get(
            "/budget-acts/{id}/signature",
            "The electronic signature an act was adopted with (null while it is a draft)",
            Access::SignedIn,
            true,
            signature,
        )
        .answer::<Option<jospar_budget::repo::ActSignature>>()
        .get(
            "/receipt-forecasts",
            "The versions of a campaign's forecast of receipts",
            Access::SignedIn,
            true,
            forecasts,
        )
        .query::<CampaignQuery>()
        .answers::<Forecast>()
        .post(
            "/receipt-forecasts",
            "A new version of the forecast of receipts, a copy of the latest",
            Access::Enter,
            false,
            create_forecast,
        )
        .body::<NewForecast>()
        .created::<ForecastWithLines>()
        .get(
            "/receipt-forecasts/{id}",
            "One version of the forecast with its figures by receipts code and year",
            Access::SignedIn,
            true,
            forecast,
        )
        .answer::<ForecastWithLines>()
        .put(
            "/receipt-forecasts/{id}/lines",
            "Set figures of a draft forecast, all or none; each figure needs its basis",
            Access::Enter,
            false,
            save_forecast,
        )
        .body::<ForecastBody>()
        .answer::<ForecastWithLines>()
        .post(
            "/receipt-forecasts/{id}/from-execution",
            "Fill a draft forecast from an imported form 2-19 {version, receipt_form, growth}: each code's estimate of the form's year (received at 1 January, else the year's plan) grown by growth % a year, with that basis",
            Access::Enter,
            false,
            fill_forecast,
        )
        .body::<FillBody>()
        .answer::<ForecastWithLines>()
        .post(
            "/receipt-forecasts/{id}/adopt",
            "Adopt a draft forecast: the draft budget reads its receipts",
            Access::Approve,
            false,
            adopt_forecast,
        )
        .body::<VersionBody>()
        .answer::<ForecastWithLines>()
        .get(
            "/transfer-applications",
            "Applications for targeted transfers from the republican budget the caller sees (seed 002)",
            Access::SignedIn,
            true,
            transfer_applications,
        )
        .answers::<Application>()
        .post(
            "/transfer-applications",
            "A local budget's authorized body asks for a targeted transfer (a draft)",
            Access::Enter,
            false,
            create_transfer,
        )
        .body::<NewApplication>()
        .created::<Application>()
        .get(
            "/transfer-applications/{id}",
            "One application for a transfer",
            Access::SignedIn,
            true,
            transfer_application,
        )
        .answer::<Application>()
        .post(
            "/transfer-applications/{id}/send",
            "Send a draft application to the republican authority",
            Access::Enter,
            false,
            send_transfer,
        )
        .body::<VersionBody>()
        .answer::<Application>()
        .post(
            "/transfer-applications/{id}/decision",
            "The republican authority approves (up to the amount asked) or refuses, with the reason",
            Access::Approve,
            false,
            decide_transfer,
        )
        .body::<Decision>()
        .answer::<Application>()
        .get(
            "/budget-programs",
            "The passports of a campaign's budget programs: purpose and result indicators",
            Access::SignedIn,
            true,
            budget_programs,
        )
        .query::<CampaignQuery>()
        .answers::<Program>()
        .put(
            "/budget-programs",
            "Save a program's passport whole, by its administrator; a fact only after its year",
            Access::Enter,
            false,
            save_program,
        )
        .body::<ProgramInput>()
        .answer::<Program>()
        .get(
            "/budget-programs/{campaign}/{abp}/{program}",
            "One program: its passport (if drawn up), its amounts from the approved requests, and the passport as kept with each version of the budget",
            Access::SignedIn,
            true,
            budget_program,
        )
        .answer::<ProgramView>()
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct CampaignQuery {
    /// The planning campaign's id (required).
    campaign: String,
}

async fn acts(ctx: Ctx, Query(q): Query<CampaignQuery>) -> AppResult<Json<Vec<Act>>> {
    let p = ctx.user()?;
    let campaign = jospar_access::parse_id(&q.campaign, "campaign")?;
    Ok(Json(
        service::acts(ctx.db(), &Reader::User(p), campaign).await?,
    ))
}

async fn create(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewAct = body(&bytes)?;
    Ok(created(service::create(ctx.db(), p, new).await?))
}

async fn act(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<ActWithLines>> {
    let p = ctx.user()?;
    Ok(Json(service::act(ctx.db(), &Reader::User(p), id).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = BudgetLinesBody)]
struct LinesBody {
    /// The act's version the amounts were typed on.
    version: i64,
    lines: Vec<LineEdit>,
}

async fn save_lines(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<ActWithLines>> {
    let p = writer(&ctx)?;
    let b: LinesBody = body(&bytes)?;
    Ok(Json(
        service::save_lines(ctx.db(), p, id, b.version, &b.lines).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = BudgetActVersion)]
struct VersionBody {
    version: i64,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = BudgetActAdoption)]
struct AdoptBody {
    version: i64,
    /// The CMS over the act's signing-data (PEM or base64).
    #[serde(default)]
    cms: String,
}

async fn adopt(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<ActWithLines>> {
    let p = writer(&ctx)?;
    let b: AdoptBody = body(&bytes)?;
    let signing = &ctx.state.config.signing;
    Ok(Json(
        service::adopt(ctx.db(), signing, p, id, b.version, &b.cms).await?,
    ))
}

async fn discard(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<VersionQuery>,
) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    service::discard(ctx.db(), p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn signing_data(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<SigningData>> {
    use base64::Engine as _;
    let p = ctx.user()?;
    let (act, data) = service::signing_data(ctx.db(), p, id).await?;
    Ok(Json(SigningData {
        version: act.version,
        data: base64::engine::general_purpose::STANDARD.encode(&data),
        sha256: jospar_eds::sha256_hex(&data),
    }))
}

async fn signature(
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Option<jospar_budget::repo::ActSignature>>> {
    let p = ctx.user()?;
    Ok(Json(service::signature(ctx.db(), p, id).await?))
}

async fn forecasts(ctx: Ctx, Query(q): Query<CampaignQuery>) -> AppResult<Json<Vec<Forecast>>> {
    let p = ctx.user()?;
    let campaign = jospar_access::parse_id(&q.campaign, "campaign")?;
    Ok(Json(
        forecast::forecasts(ctx.db(), &Reader::User(p), campaign).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = NewReceiptForecast)]
struct NewForecast {
    campaign_id: i64,
}

async fn create_forecast(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewForecast = body(&bytes)?;
    Ok(created(
        forecast::create(ctx.db(), p, new.campaign_id).await?,
    ))
}

async fn forecast(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<ForecastWithLines>> {
    let p = ctx.user()?;
    Ok(Json(
        forecast::forecast(ctx.db(), &Reader::User(p), id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ReceiptForecastBody)]
struct ForecastBody {
    version: i64,
    lines: Vec<ForecastLine>,
}

async fn save_forecast(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<ForecastWithLines>> {
    let p = writer(&ctx)?;
    let b: ForecastBody = body(&bytes)?;
    Ok(Json(
        forecast::save_lines(ctx.db(), p, id, b.version, &b.lines).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = ReceiptForecastFill)]
struct FillBody {
    version: i64,
    /// The id of an imported form 2-19.
    receipt_form: i64,
    /// A percent a year as typed: "8", "7,5".
    growth: String,
}

async fn fill_forecast(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<ForecastWithLines>> {
    let p = writer(&ctx)?;
    let b: FillBody = body(&bytes)?;
    Ok(Json(
        jospar_execution::usecases::forecast::fill_from_execution(
            ctx.db(),
            &ctx.tr,
            p,
            id,
            b.version,
            b.receipt_form,
            &b.growth,
        )
        .await?,
    ))
}

async fn adopt_forecast(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<ForecastWithLines>> {
    let p = writer(&ctx)?;
    let b: VersionBody = body(&bytes)?;
    Ok(Json(forecast::adopt(ctx.db(), p, id, b.version).await?))
}

async fn transfer_applications(ctx: Ctx) -> AppResult<Json<Vec<Application>>> {
    let p = ctx.user()?;
    Ok(Json(
        transfers::applications(ctx.db(), &Reader::User(p)).await?,
    ))
}

async fn create_transfer(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewApplication = body(&bytes)?;
    Ok(created(transfers::create(ctx.db(), p, new).await?))
}

async fn transfer_application(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Application>> {
    let p = ctx.user()?;
    Ok(Json(
        transfers::application(ctx.db(), &Reader::User(p), id).await?,
    ))
}

async fn send_transfer(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Application>> {
    let p = writer(&ctx)?;
    let b: VersionBody = body(&bytes)?;
    Ok(Json(transfers::send(ctx.db(), p, id, b.version).await?))
}

async fn decide_transfer(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Application>> {
    let p = writer(&ctx)?;
    let decision: Decision = body(&bytes)?;
    Ok(Json(transfers::decide(ctx.db(), p, id, &decision).await?))
}

async fn budget_programs(
    ctx: Ctx,
    Query(q): Query<CampaignQuery>,
) -> AppResult<Json<Vec<Program>>> {
    let p = ctx.user()?;
    let campaign = jospar_access::parse_id(&q.campaign, "campaign")?;
    Ok(Json(
        programs::programs(ctx.db(), &Reader::User(p), campaign).await?,
    ))
}

async fn save_program(ctx: Ctx, bytes: Bytes) -> AppResult<Json<Program>> {
    let p = writer(&ctx)?;
    let input: ProgramInput = body(&bytes)?;
    Ok(Json(programs::save(ctx.db(), p, &input).await?))
}

/// A program's passport, none before it is drawn up, with its amounts.
#[derive(serde::Serialize, ToSchema)]
struct ProgramView {
    passport: Option<Program>,
    amounts: Amounts,
    /// The passport as kept with each adopted version of the budget, oldest first.
    versions: Vec<programs::ProgramVersion>,
}

async fn budget_program(
    ctx: Ctx,
    Path((campaign, abp, program)): Path<(i64, String, String)>,
) -> AppResult<Json<ProgramView>> {
    let p = ctx.user()?;
    let reader = Reader::User(p);
    let c = service::campaign(ctx.db(), &reader, campaign).await?;
    let passport = programs::program(ctx.db(), &reader, campaign, &abp, &program).await?;
    let amounts = programs::amounts(ctx.db(), &p.tree, &c, &abp, &program).await?;
    let versions = programs::versions(ctx.db(), &reader, campaign, &abp, &program).await?;
    Ok(Json(ProgramView {
        passport,
        amounts,
        versions,
    }))
}
