//! The start page, signing in (password or EDS) and out.

use super::common::{CsrfForm, form_message};
use crate::AppState;
use crate::ctx::{Ctx, LANG_COOKIE, SESSION_COOKIE, cookie};
use crate::error::{AppError, AppResult};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use jospar_org::auth::{self, AuthError};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/login/eds", post(login_eds))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    /// The landing text in the other language too, so that a visitor reads it either way.
    other: crate::i18n::Tr,
    desk: Option<StartDesk>,
}

/// What waits for a signed-in user (issue 20).
struct StartDesk {
    org_name: String,
    roles: Vec<(String, String, String)>,
    /// The latest unread notices.
    notices: Vec<jospar_notify::Notification>,
    to_review: Vec<DocRow>,
    returned: Vec<DocRow>,
    /// (state label, count, link to the list filtered by it).
    requests: Vec<(String, usize, String)>,
    plans: Vec<(String, usize, String)>,
    campaigns: Vec<CampaignRow>,
    /// Financing plans waiting for their approval or the Treasury under a deadline.
    plans_due: Vec<PlanDueRow>,
    /// Of them: past the deadline.
    plans_overdue: usize,
    /// "The authorized body … has not opened a campaign for 2027–2029", with whose step it is.
    awaited: Option<String>,
    /// The user may open a campaign (the link of the empty state).
    can_open_campaign: bool,
    /// The budget cycle's acts, forecasts and transfer applications waiting for the user.
    budget: Vec<jospar_budget::usecases::Pending>,
}

/// A financing plan and the step it waits for, by when.
struct PlanDueRow {
    id: i64,
    org: String,
    year: i64,
    step: String,
    deadline: String,
    /// "5 рабочих дней" or the overdue mark.
    due: String,
    overdue: bool,
}

/// Plans shown on the start page; the list of plans holds the rest.
const PLANS_DUE_SHOWN: usize = 10;

struct DocRow {
    id: i64,
    number: String,
    org: String,
    date: String,
    reason: String,
    /// The deadline of the stage the request is at, and whether it has passed.
    deadline: String,
    overdue: bool,
}

struct CampaignRow {
    id: i64,
    name: String,
    deadline: String,
    /// "5 рабочих дней" or the overdue mark.
    due: String,
    overdue_deadline: bool,
    organisations: usize,
    submitted: usize,
    overdue: usize,
    returned: usize,
    without_request: usize,
    /// Each stage: its name, deadline, what is left of it, and whether it has passed.
    stages: Vec<(String, String, String, bool)>,
}

async fn home(ctx: Ctx) -> AppResult<Response> {
    let mut page = Page::new(&ctx, "home-title", "home");
    let desk = match &ctx.principal {
        Some(p) => {
            page.title = ctx.tr.t("home-title-signed-in");
            Some(start_desk(&ctx, p).await?)
        }
        None => None,
    };
    let other = crate::i18n::Tr(if ctx.tr.lang() == "kk" {
        crate::i18n::Lang::Ru
    } else {
        crate::i18n::Lang::Kk
    });
    render(HomePage { page, other, desk })
}

/// The start page of a signed-in user: notices, what awaits review, what was returned, the
/// user's documents by state and the campaigns' deadlines (issue 20).
async fn start_desk(ctx: &Ctx, p: &jospar_access::Principal) -> AppResult<StartDesk> {
    let tr = ctx.tr;
    let lang = tr.lang();
    let orgs = jospar_org::repo::all_orgs(ctx.db()).await?;
    let name_of = |id: i64| {
        orgs.iter()
            .find(|o| o.id == id)
            .map(|o| o.name(lang).to_string())
            .unwrap_or_default()
    };
    let roles = p
        .grants
        .iter()
        .map(|g| {
            (
                tr.t(&format!("role-{}", g.role.code())),
                name_of(g.org_id),
                crate::view::date(&g.valid_until),
            )
        })
        .collect();
    let work = jospar_planning::workdesk::workdesk(ctx.db(), p, &tr).await?;
    let doc = |d: &jospar_planning::workdesk::DocLine| DocRow {
        id: d.request.id,
        number: d.number_label.clone(),
        org: d.org_name.clone(),
        date: super::common::almaty_date_time(d.request.updated_at),
        reason: d.request.return_reason.clone().unwrap_or_default(),
        deadline: d
            .deadline
            .map(|d| crate::view::date(&d))
            .unwrap_or_default(),
        overdue: d.overdue,
    };
    let requests = work
        .mine
        .iter()
        .map(|c| {
            (
                tr.t(&format!("status-{}", c.status.code())),
                c.count,
                format!("/requests?status={}", c.status.code()),
            )
        })
        .collect();
    let plans = jospar_execution::usecases::plans::my_plan_counts(ctx.db(), p)
        .await?
        .into_iter()
        .map(|(status, count)| {
            (
                tr.t(&format!("plan-status-{status}")),
                count,
                format!("/plans?status={status}"),
            )
        })
        .collect();
    let campaigns = work
        .campaigns
        .iter()
        .map(|c| {
            let overdue_deadline = p.today > c.deadline;
            CampaignRow {
                id: c.campaign.id,
                name: tr
                    .pick(&c.campaign.name_ru, Some(&c.campaign.name_kk))
                    .to_string(),
                deadline: crate::view::date(&c.deadline),
                due: if overdue_deadline {
                    tr.t("home-deadline-passed")
                } else {
                    tr.args(
                        "home-working-days-left",
                        &[("count", c.working_days_left.to_string())],
                    )
                },
                overdue_deadline,
                organisations: c.organisations,
                submitted: c.submitted,
                overdue: c.overdue,
                returned: c.returned,
                without_request: c.without_request,
                stages: c
                    .stages
                    .iter()
                    .map(|s| {
                        (
                            tr.t(&format!("stage-{}", s.stage.code())),
                            crate::view::date(&s.deadline),
                            if s.passed {
                                tr.t("home-deadline-passed")
                            } else {
                                tr.args(
                                    "home-working-days-left",
                                    &[("count", s.working_days_left.to_string())],
                                )
                            },
                            s.passed,
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let awaited = work.awaited.as_ref().map(|a| {
        tr.args(
            "home-no-campaign",
            &[
                (
                    "authority",
                    a.authority_org_id
                        .map(&name_of)
                        .unwrap_or_else(|| tr.t("home-authority-unknown")),
                ),
                ("from", a.first_year.to_string()),
                ("to", (a.first_year + 2).to_string()),
            ],
        )
    });
    let can_open_campaign = work
        .awaited
        .as_ref()
        .and_then(|a| a.authority_org_id)
        .is_some_and(|id| p.can(jospar_org::Right::Enter, id));
    let (notices, _) = jospar_notify::page(ctx.db(), p.user.id, lang, true, 0, 5).await?;
    let due = jospar_execution::usecases::deadlines::plans_due(ctx.db(), p, &tr).await?;
    let plans_overdue = due.iter().filter(|d| d.overdue).count();
    let plans_due = due
        .into_iter()
        .take(PLANS_DUE_SHOWN)
        .map(|d| PlanDueRow {
            id: d.plan_id,
            org: d.org_name,
            year: d.year,
            step: tr.t(match d.step {
                jospar_execution::usecases::deadlines::AwaitedStep::Approval => {
                    "home-plan-approval"
                }
                jospar_execution::usecases::deadlines::AwaitedStep::Treasury => {
                    "home-plan-treasury"
                }
            }),
            deadline: crate::view::date(&d.deadline),
            due: if d.overdue {
                tr.t("home-deadline-passed")
            } else {
                tr.args(
                    "home-working-days-left",
                    &[("count", d.working_days_left.to_string())],
                )
            },
            overdue: d.overdue,
        })
        .collect();
    Ok(StartDesk {
        org_name: name_of(p.user.org_id),
        roles,
        notices,
        to_review: work.to_review.iter().map(doc).collect(),
        returned: work.returned.iter().map(doc).collect(),
        requests,
        plans,
        campaigns,
        plans_due,
        plans_overdue,
        awaited,
        can_open_campaign,
        budget: pending(ctx, p).await?,
    })
}

/// What waits for the user's action with its deadline: the budget cycle's documents, and the
/// copies of ad-hoc forms to fill (P-16).
async fn pending(
    ctx: &Ctx,
    p: &jospar_access::Principal,
) -> AppResult<Vec<jospar_budget::usecases::Pending>> {
    let tr = ctx.tr;
    let mut items = jospar_budget::usecases::pending(ctx.db(), &tr, p).await?;
    let calendar = ctx.db().working_calendar().await?;
    for (form, copy) in jospar_adhoc::to_fill(ctx.db(), p).await? {
        items.push(jospar_budget::usecases::Pending {
            text: tr.args("adhoc-pending", &[("title", form.title(&tr))]),
            link: format!("/adhoc-forms/{}/responses/{}", form.id, copy.org_id),
            deadline: Some(jospar_budget::usecases::deadline(
                &tr,
                &calendar,
                p.today,
                form.deadline,
            )),
        });
    }
    Ok(items)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    error: Option<String>,
    login: String,
    next: String,
    /// The one-time challenge of the sign-in with an electronic signature (OV-5).
    nonce: String,
    nonce_base64: String,
    ncalayer_url: String,
    /// The sign-in's own CSRF token, also sent as the [`LOGIN_COOKIE`].
    csrf: String,
}

/// The cookie of the sign-in page's CSRF token (double submit): a form posted from another
/// site carries no token that matches it, so nobody can be signed in to someone else's
/// account behind their back (login CSRF).
const LOGIN_COOKIE: &str = "jospar_login";

/// Whether the posted token is the one of the sign-in page this browser was given.
fn login_token_matches(headers: &HeaderMap, posted: &str) -> bool {
    cookie(headers, LOGIN_COOKIE).is_some_and(|kept| !posted.is_empty() && kept == posted)
}

/// The sign-in page with a fresh challenge for the signature; `status` for a refused sign-in.
async fn login_page(
    ctx: &Ctx,
    error: Option<String>,
    login: String,
    next: String,
    status: axum::http::StatusCode,
) -> AppResult<Response> {
    use base64::Engine as _;
    let nonce = auth::create_challenge(ctx.db(), Utc::now()).await?;
    let (csrf, _) = auth::new_token("");
    let secure = if ctx.state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let login_cookie = cookie_header(format!(
        "{LOGIN_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict{secure}"
    ))?;
    let mut response = render(LoginPage {
        page: Page::new(ctx, "login-title", "login"),
        error,
        login,
        next,
        nonce_base64: base64::engine::general_purpose::STANDARD
            .encode(auth::challenge_data(&nonce)),
        nonce,
        ncalayer_url: ctx.state.config.signing.ncalayer_url.clone(),
        csrf,
    })?;
    *response.status_mut() = status;
    response
        .headers_mut()
        .append(header::SET_COOKIE, login_cookie);
    Ok(response)
}

async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> AppResult<Response> {
    if let Some(refused) = next_refused(&ctx, String::new(), &q.next).await? {
        return Ok(refused);
    }
    login_page(
        &ctx,
        None,
        String::new(),
        q.next,
        axum::http::StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    login: String,
    password: String,
    next: String,
    csrf: String,
}

/// A sign-in posted without the token of this browser's sign-in page is refused with 403
/// before any password or signature is checked; the page comes back with a fresh token.
async fn forged_sign_in(
    ctx: &Ctx,
    headers: &HeaderMap,
    posted: &str,
    login: String,
    next: String,
) -> AppResult<Option<Response>> {
    if login_token_matches(headers, posted) {
        return Ok(None);
    }
    let message = ctx.tr.t("err-login-csrf");
    let status = axum::http::StatusCode::FORBIDDEN;
    Ok(Some(
        login_page(ctx, Some(message), login, next, status).await?,
    ))
}

/// Only local paths are followed after sign-in (no open redirect): one `/` followed by
/// neither `/` nor `\`. A control character never passes (browsers drop tabs and newlines, so
/// `/\t/evil.example` would lead to `//evil.example`); such a `next` is refused earlier, by
/// [`next_refused`].
fn safe_next(next: &str) -> &str {
    let mut chars = next.chars();
    let local = match (chars.next(), chars.next()) {
        (Some('/'), None) => true,
        (Some('/'), Some(second)) => second != '/' && second != '\\',
        _ => false,
    };
    if local && !next.chars().any(char::is_control) {
        next
    } else {
        "/"
    }
}

/// A sign-in whose `next` holds a control character is refused with 400 before any password
/// is checked: no browser sends one, a forged link does.
async fn next_refused(ctx: &Ctx, login: String, next: &str) -> AppResult<Option<Response>> {
    if !next.chars().any(char::is_control) {
        return Ok(None);
    }
    let message = ctx.tr.t("err-bad-next");
    let status = axum::http::StatusCode::BAD_REQUEST;
    Ok(Some(
        login_page(ctx, Some(message), login, String::new(), status).await?,
    ))
}

fn cookie_header(value: String) -> AppResult<HeaderValue> {
    HeaderValue::from_str(&value).map_err(|e| AppError::Internal(e.to_string()))
}

/// A session for a user who proved who they are, and the way on.
async fn signed_in(ctx: &Ctx, user: &jospar_org::repo::User, next: &str) -> AppResult<Response> {
    let session = auth::create_session(ctx.db(), user.id, Utc::now()).await?;
    let secure = if ctx.state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let mut response = Redirect::to(safe_next(next)).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookie_header(format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
            session.token
        ))?,
    );
    // The language the user picked before is restored at sign-in.
    if let Some(lang) = user.lang.as_deref() {
        headers.append(
            header::SET_COOKIE,
            cookie_header(format!(
                "{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax"
            ))?,
        );
    }
    Ok(response)
}

/// The message of a refused password, the same for a wrong one and a locked account.
fn login_failed(ctx: &Ctx) -> String {
    ctx.tr.args(
        "err-login-failed",
        &[
            ("attempts", auth::MAX_FAILED_LOGINS.to_string()),
            ("minutes", auth::LOCK_MINUTES.to_string()),
        ],
    )
}

fn auth_message(ctx: &Ctx, error: AuthError) -> String {
    match error {
        AuthError::BadCredentials => login_failed(ctx),
        AuthError::Blocked => ctx.tr.t("err-login-blocked"),
        AuthError::NoAccess => ctx.tr.t("err-login-expired"),
        AuthError::UnknownCertificate => ctx.tr.t("err-login-unknown-certificate"),
        // A lock is told like a wrong password: otherwise the message would tell a stranger
        // which logins exist. The message of both says that attempts lead to a lock.
        AuthError::Locked(_) => login_failed(ctx),
    }
}

async fn login(ctx: Ctx, headers: HeaderMap, Form(form): Form<LoginForm>) -> AppResult<Response> {
    if let Some(refused) = next_refused(&ctx, form.login.clone(), &form.next).await? {
        return Ok(refused);
    }
    let (login, next) = (form.login.clone(), safe_next(&form.next).to_string());
    if let Some(refused) = forged_sign_in(&ctx, &headers, &form.csrf, login, next).await? {
        return Ok(refused);
    }
    let now = Utc::now();
    let refusal = match auth::authenticate(ctx.db(), &form.login, &form.password, now).await? {
        // An employee of an audit body signs in with the body's signature only (OV-5).
        Ok(user)
            if crate::eds_login::oversight_access(ctx.db(), user.id, now)
                .await?
                .is_some() =>
        {
            ctx.tr.t("err-login-eds-required")
        }
        Ok(user) => return signed_in(&ctx, &user, &form.next).await,
        Err(error) => auth_message(&ctx, error),
    };
    let status = axum::http::StatusCode::UNAUTHORIZED;
    login_page(&ctx, Some(refusal), form.login, form.next, status).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EdsLoginForm {
    nonce: String,
    cms: String,
    next: String,
    csrf: String,
}

/// Sign-in with an electronic signature over the page's challenge (OV-5).
async fn login_eds(
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<EdsLoginForm>,
) -> AppResult<Response> {
    if let Some(refused) = next_refused(&ctx, String::new(), &form.next).await? {
        return Ok(refused);
    }
    let next = safe_next(&form.next).to_string();
    if let Some(refused) = forged_sign_in(&ctx, &headers, &form.csrf, String::new(), next).await? {
        return Ok(refused);
    }
    let now = Utc::now();
    let signing = &ctx.state.config.signing;
    let refusal =
        match crate::eds_login::verified_signer(ctx.db(), signing, &form.nonce, &form.cms, now)
            .await
        {
            Ok(signer) => match crate::eds_login::staff_account(ctx.db(), &signer, now).await? {
                Ok(user) => return signed_in(&ctx, &user, &form.next).await,
                Err(crate::eds_login::Refusal::Account(e)) => auth_message(&ctx, e),
                Err(crate::eds_login::Refusal::WrongBody { expected, found }) => ctx.tr.args(
                    "err-login-wrong-body",
                    &[("expected", expected), ("found", found)],
                ),
            },
            Err(e @ AppError::Invalid { .. }) => form_message(&ctx, e)?,
            Err(e) => return Err(e),
        };
    let status = axum::http::StatusCode::UNAUTHORIZED;
    login_page(&ctx, Some(refusal), String::new(), form.next, status).await
}

async fn logout(ctx: Ctx, headers: HeaderMap, Form(form): Form<CsrfForm>) -> AppResult<Response> {
    if let Some(p) = &ctx.principal {
        p.check_csrf(&form.csrf)?;
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        auth::delete_session(ctx.db(), &token).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(format!(
            "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        ))?,
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_a_local_path_is_followed_after_sign_in() {
        for local in [
            "/",
            "/requests",
            "/requests/5?tab=lines",
            "/limits/1?org=2&program=003",
        ] {
            assert_eq!(safe_next(local), local);
        }
        for foreign in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/requests\r\nSet-Cookie: x=1",
            "https://evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(foreign), "/", "{foreign:?}");
        }
    }
}
