//! Organisations, budgets, the classification, users and their roles, the audit log, the
//! working-day calendar and personal API tokens (P-1…P-4, P-13).

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::queries::AuditQuery;
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use jospar_classification::{CodeKind, diff_years, repo as ebk};
use jospar_org::usecases as service;
use jospar_org::{NewOrg, NewUser, OrgChange, UserChange, auth, repo};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Platform)
        .get(
            "/me",
            "The signed-in user with roles",
            Access::SignedIn,
            true,
            me,
        )
        .answer::<Me>()
        .get(
            "/search",
            "Documents of every kind the caller may read holding all the words of q (number, organisation, code, text): for each kind found, the first five, how many in all and the list showing them (P-6)",
            Access::SignedIn,
            true,
            search,
        )
        .query::<SearchParams>()
        .answers::<crate::search::Group>()
        .get(
            "/budgets",
            "Budgets (levels and territories)",
            Access::SignedIn,
            true,
            budgets,
        )
        .answers::<jospar_org::Budget>()
        .get(
            "/orgs",
            "Organisations readable by the caller, in tree order with their depth unless searched (q) or sorted (sort=name, code, kind, scenario; -column descending); filtered (within an organisation's subtree, kind, state open or closed) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::Read,
            true,
            orgs,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::OrgFilterParams>()
        .answers::<jospar_org::usecases::OrgListRow>()
        .post(
            "/orgs",
            "Create an organisation (NewOrg)",
            Access::Configure,
            false,
            create_org,
        )
        .body::<NewOrg>()
        .created::<jospar_org::Org>()
        .get("/orgs/{id}", "One organisation", Access::Read, true, org)
        .answer::<jospar_org::Org>()
        .patch(
            "/orgs/{id}",
            "Rename, move, switch scenario, close (OrgChange with version)",
            Access::Configure,
            false,
            update_org,
        )
        .body::<OrgChange>()
        .answer::<jospar_org::Org>()
        .get(
            "/orgs/{id}/delegations",
            "Acting heads of the organisation: who signs for its head, from which day to which, on what basis (issue 21)",
            Access::Read,
            true,
            delegations,
        )
        .answers::<jospar_org::delegations::Delegation>()
        .post(
            "/orgs/{id}/delegations",
            "Name an acting head: a person of the organisation, for dates, on a basis; by the head or the system administrator (issue 21)",
            Access::Approve,
            false,
            add_delegation,
        )
        .body::<jospar_org::delegations::NewDelegation>()
        .created::<jospar_org::delegations::Delegation>()
        .delete(
            "/orgs/{id}/delegations/{delegation}",
            "Revoke a delegation before its end (issue 21)",
            Access::Approve,
            false,
            revoke_delegation,
        )
        .no_content()
        .get(
            "/classification/years",
            "Years that have a classification",
            Access::SignedIn,
            true,
            years,
        )
        .answer_inline::<Vec<i32>>()
        .get(
            "/classification/compare",
            "Codes opened, closed, renamed between ?from= and ?to=",
            Access::SignedIn,
            true,
            compare,
        )
        .query::<YearsQuery>()
        .answers::<jospar_classification::Change>()
        .post(
            "/classification/import",
            "Import a classification file (body = file; ?year_from=&year_to=&file_name=)",
            Access::SystemConfigure,
            false,
            import,
        )
        .query::<ImportQuery>()
        .file_body(UPLOADS)
        .answer::<ebk::ImportSummary>()
        .get(
            "/classification/{year}",
            "Search codes of a year: ?q=&kind=&parent=",
            Access::SignedIn,
            true,
            codes,
        )
        .query::<CodesQuery>()
        .answers::<jospar_classification::CodeEntry>()
        .get(
            "/classification/{year}/{kind}/{code}",
            "One code",
            Access::SignedIn,
            true,
            code,
        )
        .answer::<jospar_classification::CodeEntry>()
        .get(
            "/users",
            "Users of organisations the caller configures, by login: searched (q: login, IIN, name, organisation), filtered (within an organisation's subtree, state active or blocked), sorted (sort=login, name, iin, org, state; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::Configure,
            false,
            users,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::UserFilterParams>()
        .answers::<jospar_org::usecases::UserListRow>()
        .post(
            "/users",
            "Create a user (NewUser)",
            Access::Configure,
            false,
            create_user,
        )
        .body::<NewUser>()
        .created::<jospar_access::User>()
        .get(
            "/users/{id}",
            "One user with roles",
            Access::Configure,
            false,
            user,
        )
        .answer::<UserGrants>()
        .patch(
            "/users/{id}",
            "Change, block or unblock a user (UserChange with version)",
            Access::Configure,
            false,
            update_user,
        )
        .body::<UserChange>()
        .answer::<jospar_access::User>()
        .post(
            "/users/{id}/grants",
            "Grant a role on an organisation subtree until a date",
            Access::Configure,
            false,
            add_grant,
        )
        .body::<GrantBody>()
        .created::<jospar_access::Grant>()
        .delete(
            "/users/{id}/grants/{grant}",
            "Revoke a role",
            Access::Configure,
            false,
            remove_grant,
        )
        .no_content()
        .get(
            "/audit",
            "Audit log, newest first (sort=at: oldest first): ?login=&entity=&entity_id=&from=&to=, paged (offset or page, limit; 50 by default); the entries found on every page in the X-Total-Count header",
            Access::Read,
            true,
            audit,
        )
        .query::<AuditParams>()
        .query::<crate::listing::ListParams>()
        .answers::<jospar_store::AuditRecord>()
        .get(
            "/calendar/{year}",
            "Days off and exceptions of a year, working-day count",
            Access::SignedIn,
            true,
            calendar,
        )
        .answer::<Calendar>()
        .put(
            "/calendar/days/{day}",
            "Set the kind of a day (decree, announced holiday)",
            Access::SystemConfigure,
            false,
            set_day,
        )
        .body::<DayBody>()
        .no_content()
        .delete(
            "/calendar/days/{day}",
            "Remove the exception of a day",
            Access::SystemConfigure,
            false,
            delete_day,
        )
        .no_content()
        .get(
            "/tokens",
            "The caller's API tokens",
            Access::SignedIn,
            true,
            tokens,
        )
        .answers::<auth::ApiToken>()
        .post(
            "/tokens",
            "Create an API token {name, expires_on}",
            Access::SignedIn,
            true,
            create_token,
        )
        .body::<TokenBody>()
        .created::<NewToken>()
        .delete(
            "/tokens/{id}",
            "Revoke one of the caller's tokens",
            Access::SignedIn,
            true,
            revoke_token,
        )
        .no_content()
        .get(
            "/notifications",
            "The caller's notices, newest first (unread=1: only unread ones), paged (offset or page, limit; 50 by default); the total in the X-Total-Count header",
            Access::SignedIn,
            true,
            notifications,
        )
        .query::<crate::listing::ListParams>()
        .query::<NoticeParams>()
        .answers::<jospar_notify::Notification>()
        .post(
            "/notifications/{id}/read",
            "Mark one of the caller's notices read",
            Access::SignedIn,
            true,
            read_notification,
        )
        .no_content()
        .post(
            "/notifications/read",
            "Mark all the caller's notices read; answers how many",
            Access::SignedIn,
            true,
            read_notifications,
        )
        .answer::<Marked>()
}

/// The filter of the caller's notices.
#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
struct NoticeParams {
    /// `1`: only the notices not read yet.
    unread: String,
}

/// How many notices were marked read.
#[derive(Serialize, ToSchema)]
struct Marked {
    marked: u64,
}

async fn notifications(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let filter: NoticeParams = ctx.query_params();
    let query = ctx.query_params::<crate::listing::ListParams>().query();
    let listed = crate::pages::notices(&ctx, p.user.id, filter.unread == "1", &query).await?;
    Ok(crate::listing::api_answer(listed))
}

async fn read_notification(ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    if jospar_notify::open(ctx.db(), p.user.id, id)
        .await?
        .is_some()
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

async fn read_notifications(ctx: Ctx) -> AppResult<Json<Marked>> {
    let p = writer(&ctx)?;
    let marked = jospar_notify::mark_read(ctx.db(), p.user.id, None).await?;
    Ok(Json(Marked { marked }))
}

/// Content types of uploaded files.
const UPLOADS: &[&str] = &["application/octet-stream"];

/// A user with the roles granted.
#[derive(Serialize, ToSchema)]
struct Me {
    user: jospar_access::User,
    grants: Vec<jospar_access::Grant>,
}

/// A user with the roles granted.
#[derive(Serialize, ToSchema)]
struct UserGrants {
    user: jospar_access::User,
    grants: Vec<jospar_access::Grant>,
}

async fn me(ctx: Ctx) -> AppResult<Json<Me>> {
    let p = ctx.user()?;
    Ok(Json(Me {
        user: p.user.clone(),
        grants: p.grants.clone(),
    }))
}

async fn budgets(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    Ok(Json(json!(repo::budgets(ctx.db()).await?)))
}

/// `?q=`: a search text.
#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query read as [`SearchQuery`].
struct TextQuery {
    /// Words of a name, a code or a BIN; empty lists all.
    q: Option<String>,
}

/// `?from=&to=`: two years.
#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query read as [`SearchQuery`].
struct YearsQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `?q=&kind=&parent=`: a search of the codes of a year.
#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query read as [`SearchQuery`].
struct CodesQuery {
    q: Option<String>,
    /// The kind of code (its short name); empty for every kind.
    kind: Option<String>,
    /// The parent code.
    parent: Option<String>,
}

/// The audit log's filter: every part optional, dates as YYYY-MM-DD.
#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query read as [`AuditQuery`].
struct AuditParams {
    login: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
    kind: String,
    parent: String,
    from: String,
    to: String,
}

async fn orgs(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::OrgFilterParams = ctx.query_params();
    let listed =
        service::list_orgs(ctx.db(), p, ctx.tr.0, &filters.filter(), &search.query()).await?;
    Ok(crate::listing::api_answer(listed))
}

async fn org(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(service::org(ctx.db(), p, id).await?)))
}

async fn create_org(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewOrg = body(&bytes)?;
    Ok(created(service::create_org(ctx.db(), p, new).await?))
}

async fn update_org(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let change: OrgChange = body(&bytes)?;
    Ok(Json(json!(
        service::update_org(ctx.db(), p, id, change).await?
    )))
}

async fn years(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    Ok(Json(json!(ebk::years(ctx.db()).await?)))
}

async fn compare(ctx: Ctx, Query(q): Query<SearchQuery>) -> AppResult<Json<Value>> {
    ctx.user()?;
    let from: i32 = q
        .from
        .parse()
        .map_err(|_| AppError::invalid("err-year", "from"))?;
    let to: i32 =
        q.to.parse()
            .map_err(|_| AppError::invalid("err-year", "to"))?;
    let a = ebk::codes_of_year(ctx.db(), from).await?;
    let b = ebk::codes_of_year(ctx.db(), to).await?;
    Ok(Json(json!(diff_years(&a, &b))))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct ImportQuery {
    year_from: String,
    year_to: String,
    file_name: String,
}

async fn import(ctx: Ctx, Query(q): Query<ImportQuery>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let years = jospar_classification::usecases::parse_years(&q.year_from, &q.year_to)?;
    let name = if q.file_name.is_empty() {
        "api upload"
    } else {
        q.file_name.as_str()
    };
    Ok(Json(json!(
        jospar_classification::usecases::import_classification(ctx.db(), p, &bytes, years, name)
            .await?
    )))
}

fn kind_param(kind: &str) -> AppResult<Option<CodeKind>> {
    if kind.is_empty() {
        return Ok(None);
    }
    CodeKind::from_code(kind)
        .map(Some)
        .ok_or_else(|| AppError::Invalid {
            key: "err-unknown-value",
            args: vec![("field", "kind".into()), ("value", kind.into())],
            field: Some("kind".into()),
        })
}

async fn codes(
    ctx: Ctx,
    Path(year): Path<i32>,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<Value>> {
    ctx.user()?;
    let kind = kind_param(&q.kind)?;
    let parent = Some(q.parent.as_str()).filter(|p| !p.is_empty());
    Ok(Json(json!(
        ebk::search(ctx.db(), year, kind, parent, &q.q, 1000).await?
    )))
}

async fn code(
    ctx: Ctx,
    Path((year, kind, code)): Path<(i32, String, String)>,
) -> AppResult<Json<Value>> {
    ctx.user()?;
    let kind = kind_param(&kind)?.ok_or(AppError::NotFound)?;
    match ebk::get(ctx.db(), year, kind, &code).await? {
        Some(entry) => Ok(Json(json!(entry))),
        None => Err(AppError::Invalid {
            key: "err-unknown-code",
            args: vec![("field", "code".into()), ("value", code.clone())],
            field: Some("code".into()),
        }),
    }
}

async fn users(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::UserFilterParams = ctx.query_params();
    let listed =
        service::list_users(ctx.db(), p, ctx.tr.0, &filters.filter(), &search.query()).await?;
    Ok(crate::listing::api_answer(listed))
}

async fn user(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<UserGrants>> {
    let p = ctx.user()?;
    let user = service::user(ctx.db(), p, id).await?;
    let grants = repo::grants_of(ctx.db(), id).await?;
    Ok(Json(UserGrants { user, grants }))
}

async fn create_user(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewUser = body(&bytes)?;
    Ok(created(service::create_user(ctx.db(), p, new).await?))
}

async fn update_user(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let change: UserChange = body(&bytes)?;
    Ok(Json(json!(
        service::update_user(ctx.db(), p, id, change).await?
    )))
}

#[derive(Deserialize, ToSchema)]
struct GrantBody {
    role: String,
    org_id: i64,
    valid_until: chrono::NaiveDate,
    /// The one module the grant reaches (limits, planning, staffing, plans, treasury,
    /// reports, oversight, open_budget, configuration); empty or "all": every module.
    #[serde(default)]
    module: String,
}

async fn add_grant(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let g: GrantBody = body(&bytes)?;
    Ok(created(
        service::grant(ctx.db(), p, id, &g.role, g.org_id, g.valid_until, &g.module).await?,
    ))
}

async fn delegations(
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<jospar_org::delegations::Delegation>>> {
    let p = ctx.user()?;
    Ok(Json(jospar_org::delegations::list(ctx.db(), p, id).await?))
}

async fn add_delegation(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: jospar_org::delegations::NewDelegation = body(&bytes)?;
    Ok(created(
        jospar_org::delegations::create(ctx.db(), p, id, new).await?,
    ))
}

async fn revoke_delegation(
    ctx: Ctx,
    Path((id, delegation)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    jospar_org::delegations::revoke(ctx.db(), p, id, delegation).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_grant(ctx: Ctx, Path((id, grant)): Path<(i64, i64)>) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    service::revoke(ctx.db(), p, id, grant).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn audit(ctx: Ctx, Query(q): Query<AuditQuery>) -> AppResult<Response> {
    let p = ctx.user()?;
    let page: crate::listing::ListParams = ctx.query_params();
    let query = page.query();
    let (rows, total) = service::audit_page(ctx.db(), p, q.filter_page(&query)?).await?;
    Ok(crate::listing::api_answer(jospar_core::listing::Listed {
        rows,
        total: usize::try_from(total).unwrap_or_default(),
        offset: query.offset,
        limit: query.limit,
    }))
}

/// A year's days off and exceptions, and how many working days it has.
#[derive(Serialize, ToSchema)]
struct Calendar {
    year: i32,
    working_days: u32,
    days: Vec<CalendarDay>,
}

#[derive(Serialize, ToSchema)]
struct CalendarDay {
    day: chrono::NaiveDate,
    /// working, weekend, holiday, day_off_moved, workday_moved
    kind: &'static str,
}

async fn calendar(ctx: Ctx, Path(year): Path<i32>) -> AppResult<Json<Calendar>> {
    ctx.user()?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::invalid("err-year", "year"));
    }
    let calendar = ctx.db().working_calendar().await?;
    let days = calendar
        .days_off_and_exceptions(year)
        .into_iter()
        .map(|(day, k)| CalendarDay {
            day,
            kind: k.code(),
        })
        .collect();
    Ok(Json(Calendar {
        year,
        working_days: calendar.working_days_in_year(year),
        days,
    }))
}

#[derive(Deserialize, ToSchema)]
struct DayBody {
    kind: String,
    #[serde(default)]
    note: String,
}

async fn set_day(ctx: Ctx, Path(day): Path<String>, bytes: Bytes) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    let date = jospar_access::parse_date(&day, "day")?;
    let b: DayBody = body(&bytes)?;
    service::set_calendar_day(ctx.db(), p, date, &b.kind, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_day(ctx: Ctx, Path(day): Path<String>) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    let date = jospar_access::parse_date(&day, "day")?;
    service::delete_calendar_day(ctx.db(), p, date).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn tokens(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(auth::api_tokens_of(ctx.db(), p.user.id).await?)))
}

#[derive(Deserialize, ToSchema)]
struct TokenBody {
    name: String,
    expires_on: chrono::NaiveDate,
}

/// A new token: shown once, here.
#[derive(Serialize, ToSchema)]
struct NewToken {
    token: String,
    record: auth::ApiToken,
}

async fn create_token(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: TokenBody = body(&bytes)?;
    if b.name.trim().is_empty() {
        return Err(AppError::invalid("err-required", "name"));
    }
    if b.expires_on < p.today {
        return Err(AppError::invalid("err-expiry-past", "expires_on"));
    }
    let (record, token) =
        auth::create_api_token(ctx.db(), &p.who(), &p.user, &b.name, b.expires_on).await?;
    Ok(created(NewToken { token, record }))
}

async fn revoke_token(ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    if auth::revoke_api_token(ctx.db(), &p.who(), &p.user, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
struct SearchParams {
    /// The words to find.
    q: String,
}

async fn search(ctx: Ctx) -> AppResult<Json<Vec<crate::search::Group>>> {
    let p = ctx.user()?;
    let params: SearchParams = ctx.query_params();
    Ok(Json(
        crate::search::search(ctx.db(), &ctx.tr, p, &params.q).await?,
    ))
}
