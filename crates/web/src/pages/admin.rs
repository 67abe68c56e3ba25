//! Audit log (P-4), personal API tokens, working-day calendar (P-13).

use super::common::form_message;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::queries::AuditQuery;
use crate::view::{Page, date, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_core::DayKind;
use jospar_core::listing::Listed;
use jospar_org::auth;
use jospar_org::usecases as service;
use serde::Deserialize;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[
    MenuEntry {
        path: "/audit",
        current: "audit",
        title_key: "nav-audit",
        group: MenuGroup::Settings,
        access: Access::Read,
    },
    MenuEntry {
        path: "/calendar",
        current: "calendar",
        title_key: "nav-calendar",
        group: MenuGroup::Settings,
        access: Access::SignedIn,
    },
    MenuEntry {
        path: "/tokens",
        current: "tokens",
        title_key: "nav-tokens",
        group: MenuGroup::Settings,
        access: Access::SignedIn,
    },
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit))
        .route("/tokens", get(tokens).post(create_token))
        .route("/tokens/{id}/revoke", post(revoke_token))
        .route("/calendar", get(calendar).post(set_day))
        .route("/calendar/delete", post(delete_day))
}

pub struct AuditLine {
    pub at: String,
    pub login: String,
    pub iin: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub changes: Vec<crate::audit_view::Change>,
    pub old_value: String,
    pub new_value: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    q: AuditQuery,
    error: Option<String>,
    lines: Vec<AuditLine>,
    entities: Vec<(String, String)>,
    columns: Vec<Column>,
    pager: Pager,
    /// The sort asked for, kept by the filter form.
    sort: Option<String>,
}

/// The columns of the audit log: it is sorted by time only (newest first, or oldest first).
const AUDIT_COLUMNS: &[(&str, &str, bool)] = &[
    ("at", "col-time", false),
    ("", "field-login", false),
    ("", "field-iin", false),
    ("", "field-entity", false),
    ("", "col-action", false),
    ("", "audit-changes", false),
    ("", "field-reason", false),
];

const ENTITIES: &[&str] = &[
    "org",
    "user",
    "role_grant",
    "api_token",
    "budget",
    "ebk_code",
    "calendar_day",
];

async fn audit(ctx: Ctx, Query(q): Query<AuditQuery>) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let query = search.query();
    let result = match q.filter_page(&query) {
        Ok(filter) => service::audit_page(ctx.db(), p, filter).await,
        Err(e) => Err(e),
    };
    let ((lines, total), error) = match result {
        Ok(found) => (found, None),
        Err(e) => ((Vec::new(), 0), Some(form_message(&ctx, e)?)),
    };
    let links = Links::new(&ctx.path, &ctx.query);
    let pager = Pager::new(
        ctx.tr,
        &links,
        &Listed {
            rows: vec![(); lines.len()],
            total: usize::try_from(total).unwrap_or_default(),
            offset: query.offset,
            limit: query.limit,
        },
    );
    let almaty = chrono::FixedOffset::east_opt(5 * 3600);
    let names = super::common::org_names(&ctx).await?;
    let lines = lines
        .into_iter()
        .map(|r| AuditLine {
            at: almaty
                .map(|tz| {
                    r.at.with_timezone(&tz)
                        .format("%d.%m.%Y %H:%M:%S")
                        .to_string()
                })
                .unwrap_or_default(),
            changes: crate::audit_view::changes(
                &ctx.tr,
                &names,
                r.old_value.as_deref(),
                r.new_value.as_deref(),
            ),
            entity: ctx.tr.t(&format!("entity-{}", r.entity)),
            action: ctx.tr.t(&format!("action-{}", r.action)),
            login: r.login,
            iin: r.iin,
            entity_id: r.entity_id,
            old_value: r.old_value.unwrap_or_default(),
            new_value: r.new_value.unwrap_or_default(),
            reason: r.reason.unwrap_or_default(),
        })
        .collect();
    let entities = ENTITIES
        .iter()
        .map(|e| (e.to_string(), ctx.tr.t(&format!("entity-{e}"))))
        .collect();
    render(AuditPage {
        page: Page::new(&ctx, "audit-title", "audit"),
        columns: columns(ctx.tr, &links, &query, AUDIT_COLUMNS),
        pager,
        sort: Some(search.sort.clone()).filter(|s| !s.is_empty()),
        q,
        error,
        lines,
        entities,
    })
}

pub struct TokenLine {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    page: Page,
    error: Option<String>,
    new_token: Option<String>,
    tokens: Vec<TokenLine>,
    default_expiry: String,
}

async fn tokens_page(
    ctx: &Ctx,
    new_token: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let tokens = auth::api_tokens_of(ctx.db(), p.user.id)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            created: date(&t.created_at.date_naive()),
            expires: date(&t.expires_on),
            revoked: t.revoked,
        })
        .collect();
    let default_expiry = (p.today + chrono::Duration::days(90))
        .format("%d.%m.%Y")
        .to_string();
    render(TokensPage {
        page: Page::new(ctx, "tokens-title", "tokens"),
        error,
        new_token,
        tokens,
        default_expiry,
    })
}

async fn tokens(ctx: Ctx) -> AppResult<Response> {
    tokens_page(&ctx, None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    csrf: String,
    name: String,
    expires_on: String,
}

async fn create_token(ctx: Ctx, Form(form): Form<TokenForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let name = Some(form.name.trim())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| AppError::invalid("err-required", "name"))?;
        let expires = jospar_access::parse_date(&form.expires_on, "expires_on")?;
        if expires < p.today {
            return Err(AppError::invalid("err-expiry-past", "expires_on"));
        }
        let (_, token) = auth::create_api_token(ctx.db(), &p.who(), &p.user, name, expires).await?;
        Ok(token)
    }
    .await;
    match result {
        Ok(token) => tokens_page(&ctx, Some(token), None).await,
        Err(e) => {
            let message = form_message(&ctx, e)?;
            tokens_page(&ctx, None, Some(message)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn revoke_token(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    auth::revoke_api_token(ctx.db(), &p.who(), &p.user, id).await?;
    Ok(Redirect::to(&crate::view::done("/tokens", "revoked")).into_response())
}

pub struct DayLine {
    pub day: String,
    pub iso: String,
    pub kind: String,
    pub note: String,
    pub is_override: bool,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    page: Page,
    error: Option<String>,
    year: i32,
    working_days: u32,
    days: Vec<DayLine>,
    can_edit: bool,
    kinds: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct YearQuery {
    year: String,
}

async fn calendar_page(ctx: &Ctx, year: i32, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let calendar = ctx.db().working_calendar().await?;
    let overrides = ctx.db().calendar_overrides().await?;
    let days = calendar
        .days_off_and_exceptions(year)
        .into_iter()
        .map(|(d, kind)| {
            let o = overrides.iter().find(|o| o.day == d);
            DayLine {
                day: date(&d),
                iso: d.format("%Y-%m-%d").to_string(),
                kind: ctx.tr.t(&format!("day-{}", kind.code())),
                note: o.map(|o| o.note.clone()).unwrap_or_default(),
                is_override: o.is_some(),
            }
        })
        .collect();
    let kinds = [
        DayKind::Holiday,
        DayKind::DayOffMoved,
        DayKind::WorkdayMoved,
        DayKind::Working,
    ]
    .iter()
    .map(|k| (k.code().to_string(), ctx.tr.t(&format!("day-{}", k.code()))))
    .collect();
    render(CalendarPage {
        page: Page::new(ctx, "calendar-title", "calendar"),
        error,
        year,
        working_days: calendar.working_days_in_year(year),
        days,
        can_edit: jospar_org::usecases::may_edit_calendar(p),
        kinds,
    })
}

async fn calendar(ctx: Ctx, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let year = q
        .year
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| {
            use chrono::Datelike;
            chrono::Utc::now().year()
        });
    calendar_page(&ctx, year, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DayForm {
    csrf: String,
    day: String,
    kind: String,
    note: String,
}

async fn set_day(ctx: Ctx, Form(form): Form<DayForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let day = jospar_access::parse_date(&form.day, "day")?;
        jospar_org::usecases::set_calendar_day(ctx.db(), p, day, &form.kind, &form.note).await?;
        Ok::<_, AppError>(day)
    }
    .await;
    match result {
        Ok(day) => {
            use chrono::Datelike;
            Ok(Redirect::to(&crate::view::done(
                &format!("/calendar?year={}", day.year()),
                "saved",
            ))
            .into_response())
        }
        Err(e) => {
            let message = form_message(&ctx, e)?;
            calendar_page(&ctx, chrono::Datelike::year(&p.today), Some(message)).await
        }
    }
}

async fn delete_day(ctx: Ctx, Form(form): Form<DayForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let day = jospar_access::parse_date(&form.day, "day")?;
    match jospar_org::usecases::delete_calendar_day(ctx.db(), p, day).await {
        Ok(()) | Err(AppError::NotFound) => {}
        Err(e) => return Err(e),
    }
    use chrono::Datelike;
    Ok(Redirect::to(&crate::view::done(
        &format!("/calendar?year={}", day.year()),
        "saved",
    ))
    .into_response())
}
