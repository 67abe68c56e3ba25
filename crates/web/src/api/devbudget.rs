//! The development budget (issue 25): the register of investment projects (DB-1) and an
//! organisation's procurement plan points and contracts from the procurement portal (DB-2),
//! with each contract's project.

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::listing::ListParams;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::post;
use jospar_devbudget::form409::{self, TreasuryContract};
use jospar_devbudget::procurement::{self, ContractRow, LoadOutcome, PlanPointRow};
use jospar_devbudget::projects::{self, Project, ProjectInput};
use jospar_goszakup::Kind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Development)
        .get(
            "/investment-projects",
            "The investment projects the caller may read: ?state=planned|in_progress|completed|suspended&sphere=…, searched, sorted and paged",
            Access::Read,
            true,
            list,
        )
        .query::<ProjectFilter>()
        .query::<ListParams>()
        .answer::<ProjectPage>()
        .post(
            "/investment-projects",
            "Register an investment project: its МИЖ (ten digits) is generated once; financing by year and source, construction objects",
            Access::Enter,
            false,
            create,
        )
        .body::<ProjectInput>()
        .created::<Project>()
        .route(
            axum::http::Method::POST,
            "/investment-projects/form-409",
            "Load Treasury form 4-09 of the development budget (XLSX or CSV body) for ?org= at ?date=YYYY-MM-DD: each row's contract is linked to the project named by its МИЖ (an unknown МИЖ refuses the file, naming the row) or by its name (registered when new); contracts created or changed, all or nothing; loading the same form again changes nothing",
            Access::Enter,
            false,
            post(load_409).layer(axum::extract::DefaultBodyLimit::max(
                crate::upload::FORM_UPLOAD_LIMIT,
            )),
        )
        .query::<Form409Query>()
        .file_body(UPLOADS)
        .answer::<jospar_devbudget::form409::Form409Outcome>()
        .get(
            "/investment-projects/{id}",
            "One investment project with its financing, objects and the contracts linked to it",
            Access::Read,
            true,
            one,
        )
        .answer::<ProjectView>()
        .put(
            "/investment-projects/{id}",
            "Change a project as of its version (never its МИЖ); financing and objects are replaced whole",
            Access::Enter,
            false,
            update,
        )
        .body::<ProjectChange>()
        .answer::<Project>()
        .get(
            "/procurement/{org}/contracts",
            "The organisation's contracts from the procurement portal (by its BIN), with the project each is linked to; searched, sorted and paged",
            Access::Read,
            true,
            contracts,
        )
        .query::<ListParams>()
        .answer::<ContractPage>()
        .get(
            "/procurement/{org}/plans",
            "The organisation's procurement plan points from the portal; searched, sorted and paged",
            Access::Read,
            true,
            plan_points,
        )
        .query::<ListParams>()
        .answer::<PlanPointPage>()
        .post(
            "/procurement/{org}/load/{kind}",
            "Load the organisation's plans or contracts from the procurement portal now (kind: plans or contracts): page by page, each page all or nothing, resuming from the last page stored",
            Access::Enter,
            false,
            load,
        )
        .answer::<LoadOutcome>()
        .post(
            "/procurement/{org}/import/plans",
            "Import one page of the portal's plan points saved as a file (the portal's JSON): all or nothing, a refusal naming the item and the field",
            Access::Enter,
            false,
            import_plans,
        )
        .file_body(&["application/json"])
        .answer::<Imported>()
        .post(
            "/procurement/{org}/import/contracts",
            "Import one page of the portal's contracts saved as a file (the portal's JSON): all or nothing, a refusal naming the item and the field",
            Access::Enter,
            false,
            import_contracts,
        )
        .file_body(&["application/json"])
        .answer::<Imported>()
        .put(
            "/procurement/{org}/plans/{point}/expense",
            "Link a procurement plan point of the organisation to the expense identifier it buys for (a line of the organisation's financing plan of the point's year; expense_id null: unlink) (P-14)",
            Access::Enter,
            false,
            link_expense,
        )
        .body::<ExpenseBody>()
        .no_content()
        .get(
            "/procurement/{org}/approved-budget",
            "The organisation's approved budget of ?year= by expense identifier, as sent to the procurement side (order 254): customer BIN, year, expense identifier, codes, approved amount in tiyn",
            Access::Read,
            true,
            approved_budget,
        )
        .query::<YearQuery>()
        .answer::<Vec<procurement::ApprovedExpense>>()
        .put(
            "/procurement/{org}/contracts/{contract}/project",
            "Link a contract of the organisation to an investment project (project_id null: unlink)",
            Access::Enter,
            false,
            link,
        )
        .body::<LinkBody>()
        .no_content()
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct ProjectFilter {
    state: String,
    sphere: String,
}

#[derive(Serialize, ToSchema)]
struct ProjectPage {
    total: usize,
    projects: Vec<Project>,
}

async fn list(
    ctx: Ctx,
    Query(filter): Query<ProjectFilter>,
    Query(list): Query<ListParams>,
) -> AppResult<Json<ProjectPage>> {
    let p = ctx.user()?;
    let listed = projects::list(ctx.db(), p, &filter.state, &filter.sphere, &list.query()).await?;
    Ok(Json(ProjectPage {
        total: listed.total,
        projects: listed.rows,
    }))
}

async fn create(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let input: ProjectInput = body(&bytes)?;
    Ok(created(projects::create(ctx.db(), p, input).await?))
}

#[derive(Serialize, ToSchema)]
struct ProjectView {
    project: Project,
    /// Its contracts from the procurement portal.
    contracts: Vec<ContractRow>,
    /// Its contracts from Treasury form 4-09.
    treasury_contracts: Vec<TreasuryContract>,
}

async fn one(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<ProjectView>> {
    let p = ctx.user()?;
    Ok(Json(ProjectView {
        project: projects::get(ctx.db(), p, id).await?,
        contracts: procurement::contracts_of_project(ctx.db(), p, id).await?,
        treasury_contracts: form409::contracts_of_project(ctx.db(), p, id).await?,
    }))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct Form409Query {
    /// The organisation whose form it is.
    org: String,
    /// The form's date (YYYY-MM-DD); its year is the year of the obligations.
    date: String,
}

async fn load_409(
    ctx: Ctx,
    Query(q): Query<Form409Query>,
    body: Bytes,
) -> AppResult<Json<jospar_devbudget::form409::Form409Outcome>> {
    let p = writer(&ctx)?;
    let org = jospar_access::parse_id(&q.org, "org")?;
    let date = jospar_access::parse_date(&q.date, "date")?;
    Ok(Json(form409::load(ctx.db(), p, org, date, &body).await?))
}

#[derive(Deserialize, ToSchema)]
struct ProjectChange {
    version: i64,
    project: ProjectInput,
    reason: Option<String>,
}

async fn update(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Project>> {
    let p = writer(&ctx)?;
    let change: ProjectChange = body(&bytes)?;
    Ok(Json(
        projects::update(
            ctx.db(),
            p,
            id,
            change.version,
            change.project,
            change.reason,
        )
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct ContractPage {
    total: usize,
    contracts: Vec<ContractRow>,
}

async fn contracts(
    ctx: Ctx,
    Path(org): Path<i64>,
    Query(list): Query<ListParams>,
) -> AppResult<Json<ContractPage>> {
    let p = ctx.user()?;
    let listed = procurement::contracts(ctx.db(), p, org, &list.query()).await?;
    Ok(Json(ContractPage {
        total: listed.total,
        contracts: listed.rows,
    }))
}

#[derive(Serialize, ToSchema)]
struct PlanPointPage {
    total: usize,
    points: Vec<PlanPointRow>,
}

async fn plan_points(
    ctx: Ctx,
    Path(org): Path<i64>,
    Query(list): Query<ListParams>,
) -> AppResult<Json<PlanPointPage>> {
    let p = ctx.user()?;
    let listed = procurement::plan_points(ctx.db(), p, org, &list.query()).await?;
    Ok(Json(PlanPointPage {
        total: listed.total,
        points: listed.rows,
    }))
}

/// `plans` or `contracts` of a path.
pub(crate) fn kind(value: &str) -> AppResult<Kind> {
    match value {
        "plans" => Ok(Kind::Plans),
        "contracts" => Ok(Kind::Contracts),
        _ => Err(crate::error::AppError::NotFound),
    }
}

async fn load(ctx: Ctx, Path((org, list)): Path<(i64, String)>) -> AppResult<Json<LoadOutcome>> {
    let p = writer(&ctx)?;
    let kind = kind(&list)?;
    let portal = ctx
        .state
        .config
        .goszakup
        .as_ref()
        .ok_or_else(|| jospar_access::Error::invalid("err-goszakup-off", "goszakup"))?;
    Ok(Json(
        procurement::load(ctx.db(), portal.as_ref(), p, org, kind).await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct Imported {
    items: i64,
}

async fn import_plans(ctx: Ctx, Path(org): Path<i64>, bytes: Bytes) -> AppResult<Json<Imported>> {
    import(ctx, org, Kind::Plans, bytes).await
}

async fn import_contracts(
    ctx: Ctx,
    Path(org): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Imported>> {
    import(ctx, org, Kind::Contracts, bytes).await
}

/// A page that is no page of the portal is refused before anything else is looked at.
async fn import(ctx: Ctx, org: i64, kind: Kind, bytes: Bytes) -> AppResult<Json<Imported>> {
    let p = writer(&ctx)?;
    let problem = match kind {
        Kind::Plans => jospar_goszakup::page::parse_plans(&bytes).err(),
        Kind::Contracts => jospar_goszakup::page::parse_contracts(&bytes).err(),
    };
    if let Some(problem) = problem {
        return Err(jospar_access::Error::invalid_with(
            "err-procurement-page",
            "file",
            vec![("problem", problem.to_string())],
        ));
    }
    Ok(Json(Imported {
        items: procurement::import_page(ctx.db(), p, org, kind, &bytes).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
struct LinkBody {
    project_id: Option<i64>,
}

async fn link(
    ctx: Ctx,
    Path((org, contract)): Path<(i64, i64)>,
    bytes: Bytes,
) -> AppResult<axum::http::StatusCode> {
    let p = writer(&ctx)?;
    let b: LinkBody = object_body(&bytes)?;
    procurement::link(ctx.db(), p, org, contract, b.project_id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
struct ExpenseBody {
    expense_id: Option<i64>,
}

async fn link_expense(
    ctx: Ctx,
    Path((org, point)): Path<(i64, i64)>,
    bytes: Bytes,
) -> AppResult<axum::http::StatusCode> {
    let p = writer(&ctx)?;
    let b: ExpenseBody = object_body(&bytes)?;
    procurement::link_expense(ctx.db(), p, org, point, b.expense_id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct YearQuery {
    /// The year (default: the current one).
    year: String,
}

async fn approved_budget(
    ctx: Ctx,
    Path(org): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<Vec<procurement::ApprovedExpense>>> {
    let p = ctx.user()?;
    let year = if q.year.is_empty() {
        chrono::Datelike::year(&chrono::Utc::now())
    } else {
        q.year
            .parse()
            .map_err(|_| jospar_access::Error::invalid("err-year", "year"))?
    };
    Ok(Json(
        procurement::approved_budget(ctx.db(), p, org, year).await?,
    ))
}
