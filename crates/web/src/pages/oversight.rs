//! The integrator's page of oversight access (OV-3, OV-4): every access granted to an
//! employee of a representative or audit body, whether it is in force, expired or blocked; a
//! form that grants one by the competence table, and one that blocks an access.

use super::common::Choice;
use super::common::form_message;
use super::common::unprocessable_if;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::queries::{ApplicationFilterParams, SessionFilterParams};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_org::BudgetLevel;
use jospar_oversight::BodyKind;
use jospar_oversight::usecases::{ApplicationView, ReportState, SessionView};
use std::collections::HashMap;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[
    MenuEntry {
        path: "/oversight-applications",
        current: "oversight-apps",
        title_key: "nav-oversight-apps",
        group: MenuGroup::Oversight,
        access: Access::SignedIn,
    },
    MenuEntry {
        path: "/training",
        current: "training",
        title_key: "nav-training",
        group: MenuGroup::Oversight,
        access: Access::SystemConfigure,
    },
    MenuEntry {
        path: "/oversight",
        current: "oversight",
        title_key: "nav-oversight",
        group: MenuGroup::Oversight,
        access: Access::SystemConfigure,
    },
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oversight", get(show).post(grant))
        .route("/oversight/{id}/block", post(block))
        .route("/training", get(show_training).post(record_training))
        .route("/training/{id}/report", post(issue_training_report))
        .route(
            "/oversight-applications",
            get(list_applications).post(file_application),
        )
        .route("/oversight-applications/{id}/sign", post(sign_application))
        .route("/oversight-applications/{id}", get(show_application))
        .route(
            "/oversight-applications/{id}/review",
            post(review_application),
        )
        .route(
            "/oversight-applications/{id}/grant",
            post(grant_application),
        )
}

pub struct AccessRow {
    id: i64,
    user: String,
    kind: String,
    anchor: String,
    roots: String,
    until: String,
    state: String,
    /// The employer's request to block, with its deadline.
    requested: String,
    overdue: bool,
    active: bool,
}

#[derive(Template)]
#[template(path = "oversight.html")]
struct OversightPage {
    page: Page,
    rows: Vec<AccessRow>,
    users: Vec<Choice>,
    kinds: Vec<Choice>,
    anchors: Vec<Choice>,
    error: Option<String>,
}

async fn page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    // The list is the integrator's; its use case refuses anybody else before users are read.
    let accesses = jospar_oversight::usecases::list(ctx.db(), p).await?;
    let lang = ctx.tr.lang();
    let orgs = jospar_org::repo::all_orgs(ctx.db()).await?;
    let org_name = |id: i64| {
        orgs.iter()
            .find(|o| o.id == id)
            .map(|o| o.name(lang).to_string())
            .unwrap_or_default()
    };
    let users = jospar_org::repo::users(ctx.db(), "", None).await?;
    let user_name = |id: i64| {
        users
            .iter()
            .find(|u| u.id == id)
            .map(|u| format!("{} ({})", u.full_name, u.login))
            .unwrap_or_default()
    };
    let rows = accesses
        .into_iter()
        .map(|v| {
            let a = &v.access;
            let state = if a.blocked_at.is_some() {
                "blocked"
            } else if a.valid_until < p.today {
                "expired"
            } else {
                "active"
            };
            AccessRow {
                id: a.id,
                user: user_name(a.user_id),
                kind: ctx.tr.t(&format!("oversight-kind-{}", a.kind.code())),
                anchor: a.anchor_org_id.map(org_name).unwrap_or_default(),
                roots: a
                    .roots
                    .iter()
                    .map(|r| org_name(*r))
                    .collect::<Vec<_>>()
                    .join("; "),
                until: a.valid_until.to_string(),
                state: match (&a.block_reason, state) {
                    (Some(reason), "blocked") => {
                        format!("{}: {reason}", ctx.tr.t("oversight-state-blocked"))
                    }
                    _ => ctx.tr.t(&format!("oversight-state-{state}")),
                },
                requested: match (&a.block_request_reason, v.block_due) {
                    (Some(reason), Some(due)) if a.blocked_at.is_none() => ctx.tr.args(
                        "oversight-block-requested",
                        &[("reason", reason.clone()), ("due", due.to_string())],
                    ),
                    _ => String::new(),
                },
                overdue: v.block_overdue,
                active: state == "active",
            }
        })
        .collect();
    let refused = error.is_some();
    let response = render(OversightPage {
        page: Page::new(ctx, "oversight-title", "oversight"),
        rows,
        users: user_choices(&users),
        kinds: kind_choices(ctx, ""),
        anchors: anchor_choices(ctx).await?,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx) -> AppResult<Response> {
    page(&ctx, None).await
}

fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map(String::as_str).unwrap_or("")
}

async fn grant(ctx: Ctx, Form(fields): Form<HashMap<String, String>>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = async {
        let user = field(&fields, "user_id")
            .parse()
            .map_err(|_| AppError::invalid("err-oversight-no-user", "user_id"))?;
        let anchor = field(&fields, "anchor_org_id").parse().ok();
        let bin = field(&fields, "body_bin");
        jospar_oversight::usecases::grant(ctx.db(), p, user, field(&fields, "kind"), anchor, bin)
            .await
    }
    .await;
    answer(&ctx, result.map(|_| ()), "added").await
}

async fn block(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = jospar_oversight::usecases::block(ctx.db(), p, id, field(&fields, "reason")).await;
    answer(&ctx, result.map(|_| ()), "revoked").await
}

async fn answer(ctx: &Ctx, result: AppResult<()>, key: &'static str) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&crate::view::done("/oversight", key)).into_response()),
        Err(e @ AppError::Invalid { .. }) => page(ctx, Some(form_message(ctx, e)?)).await,
        Err(e) => Err(e),
    }
}

pub struct ApplicationRow {
    id: i64,
    body: String,
    kind: String,
    employees: usize,
    submitted: String,
    status: String,
    due: String,
    overdue: String,
    can_review: bool,
    can_grant: bool,
}

/// The sortable columns of the list of applications: (sort column, heading, numeric).
const APPLICATION_COLUMNS: &[(&str, &str, bool)] = &[
    ("body", "oversight-body", false),
    ("kind", "oversight-kind", false),
    ("employees", "oversight-employees", true),
    ("submitted", "oversight-submitted", false),
    ("status", "oversight-state", false),
    ("due", "oversight-due", false),
    ("", "oversight-actions", false),
];

#[derive(Template)]
#[template(path = "oversight_applications.html")]
struct ApplicationsPage {
    page: Page,
    rows: Vec<ApplicationRow>,
    columns: Vec<Column>,
    pager: Pager,
    total: usize,
    filtered: bool,
    search: ListParams,
    filters: ApplicationFilterParams,
    parents: Vec<Choice>,
    years: Vec<Choice>,
    statuses: Vec<Choice>,
    kind_filter: Vec<Choice>,
    kinds: Vec<Choice>,
    anchors: Vec<Choice>,
    slots: Vec<usize>,
    error: Option<String>,
}

/// Regions (roots of local budgets) and central bodies (organisations of the republican
/// budget): what a body's competence can be anchored at.
async fn anchor_choices(ctx: &Ctx) -> AppResult<Vec<Choice>> {
    let lang = ctx.tr.lang();
    let budgets = jospar_org::repo::budgets(ctx.db()).await?;
    let republican = |budget: i64| {
        budgets
            .iter()
            .any(|b| b.id == budget && b.level == BudgetLevel::Republican)
    };
    Ok(jospar_org::repo::all_orgs(ctx.db())
        .await?
        .iter()
        .filter(|o| o.parent_id.is_none() || republican(o.budget_id))
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(lang).to_string(),
            selected: false,
        })
        .collect())
}

fn user_choices(users: &[jospar_org::repo::User]) -> Vec<Choice> {
    users
        .iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{} ({})", u.full_name, u.login),
            selected: false,
        })
        .collect()
}

fn kind_choices(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    super::common::choices(
        BodyKind::ALL.iter().map(|k| {
            (
                k.code().to_string(),
                ctx.tr.t(&format!("oversight-kind-{}", k.code())),
            )
        }),
        selected,
    )
}

fn application_status_choices(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    super::common::choices(
        jospar_oversight::application::Status::ALL.iter().map(|s| {
            (
                s.code().to_string(),
                ctx.tr.t(&format!("oversight-app-{}", s.code())),
            )
        }),
        selected,
    )
}

/// Employee rows the filing form offers; an application names one to this many.
const EMPLOYEE_SLOTS: usize = 3;

fn application_row(ctx: &Ctx, v: &ApplicationView) -> ApplicationRow {
    let a = &v.application;
    let status = ctx.tr.t(&format!("oversight-app-{}", a.status.code()));
    ApplicationRow {
        id: a.id,
        body: a.request.body_name.clone(),
        kind: ctx
            .tr
            .t(&format!("oversight-kind-{}", a.request.kind.code())),
        employees: a.request.employees.len(),
        submitted: a.submitted_on.to_string(),
        status: match &a.reason {
            Some(reason) => format!("{status}: {reason}"),
            None => status,
        },
        due: v.due.map(|d| d.to_string()).unwrap_or_default(),
        overdue: v
            .overdue
            .map(|_| ctx.tr.t("oversight-overdue"))
            .unwrap_or_default(),
        can_review: v.can_review,
        can_grant: v.can_grant,
    }
}

/// The applications the user may see, searched, filtered, sorted and paged (issue 20), and
/// the filing form.
async fn applications_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let filters: ApplicationFilterParams = ctx.query_params();
    let query = search.query();
    let filter = filters.filter();
    let listed =
        jospar_oversight::usecases::list_applications(ctx.db(), p, &filter, &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let refused = error.is_some();
    let response = render(ApplicationsPage {
        page: Page::new(ctx, "oversight-apps-title", "oversight-apps"),
        rows: listed
            .rows
            .iter()
            .map(|v| application_row(ctx, v))
            .collect(),
        columns: columns(ctx.tr, &links, &query, APPLICATION_COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        total: listed.total,
        filtered: !query.q.is_empty() || filter != Default::default(),
        parents: super::common::parent_choices(ctx, p, &filters.within).await?,
        years: super::common::year_choices(&filters.year),
        statuses: application_status_choices(ctx, &filters.status),
        kind_filter: kind_choices(ctx, &filters.kind),
        kinds: kind_choices(ctx, ""),
        anchors: anchor_choices(ctx).await?,
        slots: (1..=EMPLOYEE_SLOTS).collect(),
        search,
        filters,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn list_applications(ctx: Ctx) -> AppResult<Response> {
    applications_page(&ctx, None).await
}

/// The filing form as an application: the employee rows with a name, in order.
fn request_of(
    fields: &HashMap<String, String>,
) -> AppResult<jospar_oversight::application::Request> {
    let kind = BodyKind::from_code(field(fields, "kind")).ok_or_else(|| AppError::Invalid {
        key: "err-unknown-value",
        args: vec![
            ("field", "kind".into()),
            ("value", field(fields, "kind").into()),
        ],
        field: Some("kind".into()),
    })?;
    let employees = (1..=EMPLOYEE_SLOTS)
        .filter(|n| !field(fields, &format!("e{n}-full_name")).trim().is_empty())
        .map(|n| {
            let get = |name: &str| field(fields, &format!("e{n}-{name}")).trim().to_string();
            jospar_oversight::application::Employee {
                full_name: get("full_name"),
                iin: get("iin"),
                position: get("position"),
                unit: get("unit"),
                qr_code: get("qr_code"),
                qr_picture: String::new(),
                phone: get("phone"),
                email: get("email"),
            }
        })
        .collect();
    Ok(jospar_oversight::application::Request {
        body_name: field(fields, "body_name").trim().to_string(),
        body_bin: field(fields, "body_bin").trim().to_string(),
        kind,
        anchor_org_id: field(fields, "anchor_org_id").parse().ok(),
        employees,
        purpose: field(fields, "purpose").trim().to_string(),
        analytic: fields.contains_key("analytic"),
        planning: fields.contains_key("planning"),
    })
}

/// The filing form: its fields, and the E-Qyzmet QR pictures by employee number.
async fn filing_of(
    multipart: axum::extract::Multipart,
) -> AppResult<(HashMap<String, String>, Vec<(usize, Vec<u8>)>)> {
    let (fields, files) = super::common::multipart_form(multipart).await?;
    let pictures = files
        .into_iter()
        .filter_map(|file| {
            let number = file
                .field
                .strip_prefix('e')
                .and_then(|rest| rest.strip_suffix("-qr_image"))
                .and_then(|n| n.parse::<usize>().ok())?;
            Some((number, file.bytes))
        })
        .collect();
    Ok((fields, pictures))
}

async fn file_application(ctx: Ctx, multipart: axum::extract::Multipart) -> AppResult<Response> {
    let p = ctx.user()?;
    let (fields, pictures) = filing_of(multipart).await?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = async {
        let mut request = request_of(&fields)?;
        jospar_oversight::usecases::read_qr_pictures(&mut request, pictures).await?;
        jospar_oversight::usecases::submit(ctx.db(), p, &request).await
    }
    .await;
    match result {
        // A new application waits for the body's signature on its page.
        Ok(application) => Ok(Redirect::to(&crate::view::done(
            &format!("/oversight-applications/{}", application.id),
            "created",
        ))
        .into_response()),
        Err(e) => applications_answer(&ctx, Err(e), "sent").await,
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SignForm {
    csrf: String,
    cms: String,
}

/// The body signs its draft application on its page (OV-1).
async fn sign_application(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<SignForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&f.csrf)?;
    let signing = &ctx.state.config.signing;
    match jospar_oversight::usecases::sign(ctx.db(), signing, p, id, &f.cms).await {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/oversight-applications/{id}"),
            "sent",
        ))
        .into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let message = form_message(&ctx, e)?;
            let mut response = application_page(&ctx, id, Some(message)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

async fn review_application(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let forward = field(&fields, "decision") == "forward";
    let result =
        jospar_oversight::usecases::review(ctx.db(), p, id, forward, field(&fields, "reason"))
            .await;
    applications_answer(&ctx, result.map(|_| ()), "saved").await
}

async fn grant_application(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = jospar_oversight::usecases::grant_application(ctx.db(), p, id).await;
    applications_answer(&ctx, result.map(|_| ()), "approved").await
}

async fn applications_answer(
    ctx: &Ctx,
    result: AppResult<()>,
    key: &'static str,
) -> AppResult<Response> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&crate::view::done("/oversight-applications", key)).into_response())
        }
        Err(e @ AppError::Invalid { .. }) => {
            applications_page(ctx, Some(form_message(ctx, e)?)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "oversight_application.html")]
struct ApplicationPage {
    page: Page,
    body: String,
    bin: String,
    kind: String,
    anchor: String,
    purpose: String,
    systems: String,
    status: String,
    submitted: String,
    employees: Vec<jospar_oversight::application::Employee>,
    /// Who signed it for the body, or, for a draft of the user's, the signing form.
    signed: Option<String>,
    signing: Option<SigningView>,
    error: Option<String>,
}

pub struct SigningView {
    id: i64,
    iin: String,
    data_base64: String,
    ncalayer_url: String,
}

/// One application as the order's appendix lays it out, for printing in Kazakh or Russian.
async fn show_application(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    application_page(&ctx, id, None).await
}

async fn application_page(ctx: &Ctx, id: i64, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let view = jospar_oversight::usecases::applications(ctx.db(), p)
        .await?
        .into_iter()
        .find(|v| v.application.id == id)
        .ok_or(AppError::NotFound)?;
    let a = view.application;
    let lang = ctx.tr.lang();
    let anchor = match a.request.anchor_org_id {
        Some(org) => jospar_org::repo::get_org(ctx.db(), org)
            .await?
            .map(|o| o.name(lang).to_string())
            .unwrap_or_default(),
        None => ctx.tr.t("oversight-anchor-none"),
    };
    let systems = [
        (a.request.analytic, "oversight-system-analytic"),
        (a.request.planning, "oversight-system-planning"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, key)| ctx.tr.t(key))
    .collect::<Vec<_>>()
    .join("; ");
    let mut page = Page::new(ctx, "oversight-app-print", "oversight-apps");
    page.title = ctx.tr.t("oversight-app-print");
    let signed = a.signature.as_ref().map(|s| {
        ctx.tr.args(
            "oversight-signed-by",
            &[
                ("name", s.signer_name.clone()),
                ("bin", s.signer_bin.clone()),
                ("date", s.signed_on.to_string()),
                ("serial", s.cert_serial.clone()),
            ],
        )
    });
    let signing = (a.status == jospar_oversight::application::Status::Draft
        && a.submitted_by == p.user.login)
        .then(|| {
            use base64::Engine as _;
            SigningView {
                id: a.id,
                iin: p.user.iin.clone(),
                data_base64: base64::engine::general_purpose::STANDARD.encode(a.signing_data()),
                ncalayer_url: ctx.state.config.signing.ncalayer_url.clone(),
            }
        });
    render(ApplicationPage {
        signed,
        signing,
        error,
        page,
        body: a.request.body_name.clone(),
        bin: a.request.body_bin.clone(),
        kind: ctx
            .tr
            .t(&format!("oversight-kind-{}", a.request.kind.code())),
        anchor,
        purpose: a.request.purpose.clone(),
        systems,
        status: ctx.tr.t(&format!("oversight-app-{}", a.status.code())),
        submitted: a.submitted_on.to_string(),
        employees: a.request.employees,
    })
}

pub struct SessionRow {
    id: i64,
    date: String,
    topic: String,
    trainer: String,
    passed: usize,
    due: String,
    issued: String,
    overdue: bool,
}

/// The sortable columns of the training records: (sort column, heading, numeric).
const SESSION_COLUMNS: &[(&str, &str, bool)] = &[
    ("date", "training-date", false),
    ("topic", "training-topic", false),
    ("trainer", "training-trainer", false),
    ("passed", "training-count", true),
    ("due", "training-report-due", false),
    ("", "oversight-actions", false),
];

#[derive(Template)]
#[template(path = "training.html")]
struct TrainingPage {
    page: Page,
    rows: Vec<SessionRow>,
    columns: Vec<Column>,
    pager: Pager,
    total: usize,
    filtered: bool,
    search: ListParams,
    parents: Vec<Choice>,
    years: Vec<Choice>,
    reports: Vec<Choice>,
    users: Vec<Choice>,
    error: Option<String>,
}

fn session_row(ctx: &Ctx, v: &SessionView) -> SessionRow {
    SessionRow {
        id: v.session.id,
        date: v.session.held_on.to_string(),
        topic: v.session.topic.clone(),
        trainer: v.session.trainer.clone(),
        passed: v.session.passed.len(),
        due: v.report_due.to_string(),
        issued: v
            .session
            .report_issued_on
            .map(|d| {
                ctx.tr
                    .args("training-report-issued", &[("date", d.to_string())])
            })
            .unwrap_or_default(),
        overdue: v.report_overdue,
    }
}

/// The training records, searched, filtered, sorted and paged (issue 20), and the form that
/// records a session.
async fn training_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let filters: SessionFilterParams = ctx.query_params();
    let query = search.query();
    let filter = filters.filter();
    let listed = jospar_oversight::usecases::list_sessions(ctx.db(), p, &filter, &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let users = user_choices(&jospar_org::repo::users(ctx.db(), "", None).await?);
    let refused = error.is_some();
    let response = render(TrainingPage {
        page: Page::new(ctx, "training-title", "training"),
        rows: listed.rows.iter().map(|v| session_row(ctx, v)).collect(),
        columns: columns(ctx.tr, &links, &query, SESSION_COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        total: listed.total,
        filtered: !query.q.is_empty() || filter != Default::default(),
        parents: super::common::parent_choices(ctx, p, &filters.within).await?,
        years: super::common::year_choices(&filters.year),
        reports: super::common::choices(
            ReportState::ALL.iter().map(|r| {
                (
                    r.code().to_string(),
                    ctx.tr.t(&format!("training-state-{}", r.code())),
                )
            }),
            &filters.report,
        ),
        search,
        users,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show_training(ctx: Ctx) -> AppResult<Response> {
    training_page(&ctx, None).await
}

/// Records a session from the form; the users who passed come as repeated `passed` fields.
async fn record_training(
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    p.check_csrf(get("csrf"))?;
    let result = async {
        let held_on = jospar_access::parse_date(get("held_on"), "held_on")?;
        let passed: Vec<i64> = fields
            .iter()
            .filter(|(k, _)| k == "passed")
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
        jospar_oversight::usecases::record_session(
            ctx.db(),
            p,
            held_on,
            get("topic"),
            get("trainer"),
            &passed,
        )
        .await
    }
    .await;
    training_answer(&ctx, result.map(|_| ()), "added").await
}

async fn issue_training_report(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = jospar_oversight::usecases::issue_report(ctx.db(), p, id).await;
    training_answer(&ctx, result.map(|_| ()), "created").await
}

async fn training_answer(
    ctx: &Ctx,
    result: AppResult<()>,
    key: &'static str,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&crate::view::done("/training", key)).into_response()),
        Err(e @ AppError::Invalid { .. }) => training_page(ctx, Some(form_message(ctx, e)?)).await,
        Err(e) => Err(e),
    }
}
