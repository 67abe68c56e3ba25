//! Budget requests (BP-1, BP-2, BP-4, BP-8): list and create, the request with its lines and
//! amounts by year, the calculation grid of a line (computed cells are shown, never inputs),
//! send for review, approve or return.

use super::common::form_message;
use super::common::{Choice, choices};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, HttpError};
use crate::files::{attachment_response, download};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::queries::{ConsolidationParams, DeskFilterParams, ExportQuery, RequestFilterParams};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_core::Tenge;
use jospar_forms::{ColumnType, RowInput};
use jospar_limits::LimitKind;
use jospar_limits::usecases::kind_name;
use jospar_planning::codes::LineChoices;
use jospar_planning::usecases as service;
use jospar_planning::{RequestKind, Status, request_years};
use serde::Deserialize;
use std::collections::HashMap;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/requests",
    current: "requests",
    title_key: "nav-requests",
    group: MenuGroup::Planning,
    access: Access::Read,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list).post(create))
        .route("/requests/{id}", get(show))
        .route("/requests/{id}/lines", post(add_line))
        .route("/requests/{id}/lines/{line}/delete", post(delete_line))
        .route("/requests/{id}/grid", get(grid_page).post(save_grid))
        .route(
            "/requests/{id}/lines/{line}",
            get(line_page).post(save_line),
        )
        .route("/requests/{id}/step", post(step))
        .route("/requests/{id}/export", get(export))
        .route("/requests/{id}/file", get(request_file).post(load_file))
        .route("/requests/{id}/versions", post(new_version))
        .route("/requests/{id}/attachments", post(upload))
        .route(
            "/requests/{id}/attachments/{attachment}",
            get(download_attachment),
        )
        .route("/limits/{id}/desk", get(desk))
        .route("/limits/{id}/consolidated", get(consolidated))
}

/// A row of the requests list as the page shows it.
pub struct RequestLine {
    pub id: i64,
    pub number: String,
    pub date: String,
    pub org: String,
    pub campaign: String,
    pub kind: String,
    pub status: String,
    pub status_code: String,
    pub amount: String,
}

/// The sortable columns of the requests list: (sort column, heading, numeric).
const COLUMNS: &[(&str, &str, bool)] = &[
    ("number", "col-number", false),
    ("date", "col-date", false),
    ("org", "col-org", false),
    ("campaign", "field-campaign_id", false),
    ("kind", "col-kind", false),
    ("status", "col-status", false),
    ("amount", "col-amount-first-year", true),
];

#[derive(Template)]
#[template(path = "requests.html")]
struct ListPage {
    page: Page,
    error: Option<String>,
    /// The request that stands (id, link text) when a second one of its kind was refused.
    twin: Option<(String, String)>,
    requests: Vec<RequestLine>,
    columns: Vec<Column>,
    pager: Pager,
    /// Why the list is empty and what to do, when it is.
    empty: Option<String>,
    search: ListParams,
    filters: RequestFilterParams,
    filter_orgs: Vec<Choice>,
    years: Vec<Choice>,
    statuses: Vec<Choice>,
    campaigns: Vec<Choice>,
    orgs: Vec<Choice>,
    kinds: Vec<Choice>,
}

/// A refused creation: its message, and the request that already stands, if that is why.
#[derive(Default)]
struct Refusal {
    message: Option<String>,
    twin: Option<(String, String)>,
}

async fn list_page(ctx: &Ctx, refusal: Refusal) -> AppResult<Response> {
    let error = refusal.message;
    let p = ctx.user()?;
    let lang = ctx.tr.lang();
    let search: ListParams = ctx.query_params();
    let filters: RequestFilterParams = ctx.query_params();
    let (filter, error) = match filters.filter() {
        Ok(filter) => (filter, error),
        Err(e) => (service::RequestFilter::default(), Some(e.message(&ctx.tr))),
    };
    let query = search.query();
    let listed = service::list_requests(ctx.db(), p, &ctx.tr, &filter, &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let orgs = jospar_limits::usecases::org_map(ctx.db()).await?;
    let campaigns = jospar_limits::usecases::visible_campaigns(ctx.db(), p).await?;
    let campaign_name = |c: &jospar_limits::Campaign| {
        if lang == "kk" {
            c.name_kk.clone()
        } else {
            c.name_ru.clone()
        }
    };
    let empty = if listed.total > 0 {
        None
    } else if campaigns.is_empty() {
        Some(ctx.tr.t("requests-empty-no-campaign"))
    } else if query.q.is_empty() && filter == service::RequestFilter::default() {
        Some(ctx.tr.t("requests-empty-create"))
    } else {
        Some(ctx.tr.t("nothing-found-filters"))
    };
    let requests = listed
        .rows
        .iter()
        .map(|r| RequestLine {
            id: r.request.id,
            number: r.number_label.clone(),
            date: r.request.created_at.format("%d.%m.%Y").to_string(),
            org: r.org_name.clone(),
            campaign: r.campaign_name.clone(),
            kind: ctx.tr.t(&format!("request-kind-{}", r.request.kind.code())),
            status: ctx.tr.t(&format!("status-{}", r.request.status.code())),
            status_code: r.request.status.code().into(),
            amount: r.amount.to_string(),
        })
        .collect();
    let mut years: Vec<i32> = campaigns.iter().map(|c| c.first_year).collect();
    years.sort_unstable();
    years.dedup();
    let mut enter_orgs: Vec<Choice> = service::request_orgs(p, orgs.values())
        .into_iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(lang).to_string(),
            selected: o.id == p.user.org_id,
        })
        .collect();
    enter_orgs.sort_by(|a, b| b.selected.cmp(&a.selected).then(a.label.cmp(&b.label)));
    let kinds = kind_choices(ctx, &filters.kind);
    render(ListPage {
        page: Page::new(ctx, "requests-title", "requests"),
        error,
        twin: refusal.twin.map(|(id, number)| {
            let label = ctx.tr.args("request-twin-open", &[("number", number)]);
            (id, label)
        }),
        requests,
        columns: columns(ctx.tr, &links, &query, COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        empty,
        filter_orgs: super::common::parent_choices(ctx, p, &filters.org).await?,
        years: choices(
            years
                .iter()
                .map(|y| (y.to_string(), format!("{y}–{}", y + 2))),
            &filters.year,
        ),
        statuses: choices(status_options(ctx), &filters.status),
        search,
        filters,
        campaigns: campaigns
            .iter()
            .map(|c| Choice {
                value: c.id.to_string(),
                label: campaign_name(c),
                selected: false,
            })
            .collect(),
        orgs: enter_orgs,
        kinds,
    })
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    list_page(&ctx, Refusal::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateForm {
    csrf: String,
    campaign_id: String,
    org_id: String,
    kind: String,
}

async fn create(ctx: Ctx, Form(form): Form<CreateForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let campaign: i64 = form
        .campaign_id
        .parse()
        .map_err(|_| AppError::invalid("err-required", "campaign_id"))?;
    let org: i64 = form
        .org_id
        .parse()
        .map_err(|_| AppError::invalid("err-required", "org_id"))?;
    match service::create(ctx.db(), p, &ctx.tr, campaign, org, &form.kind).await {
        Ok(r) => Ok(Redirect::to(&crate::view::done(
            &format!("/requests/{}", r.id),
            "created",
        ))
        .into_response()),
        Err(e) => {
            let twin = twin_of(&e);
            let message = form_message(&ctx, e)?;
            let refusal = Refusal {
                message: Some(message),
                twin,
            };
            Ok(super::common::unprocessable_if(
                true,
                list_page(&ctx, refusal).await?,
            ))
        }
    }
}

/// The request named by a refusal of a second request of its kind: (id, number).
fn twin_of(e: &AppError) -> Option<(String, String)> {
    match e {
        AppError::Invalid {
            key: "err-request-twin",
            args,
            ..
        } => {
            let arg = |name: &str| {
                args.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
            };
            Some((arg("id")?, arg("number")?))
        }
        _ => None,
    }
}

pub struct LineView {
    pub id: i64,
    pub expense_id: i64,
    pub program: String,
    pub program_name: String,
    pub subprogram: String,
    pub subprogram_name: String,
    pub specific: String,
    pub specific_name: String,
    pub kind: String,
    pub project: String,
    pub amounts: Vec<String>,
}

#[derive(Template)]
#[template(path = "request.html")]
struct ShowPage {
    page: Page,
    error: Option<String>,
    id: i64,
    /// A state enterprise's request, which carries its revenues (issue 23).
    enterprise: bool,
    version: i64,
    org: String,
    campaign: String,
    kind: String,
    status: String,
    stage: String,
    return_reason: String,
    years: Vec<i32>,
    lines: Vec<LineView>,
    totals: Vec<String>,
    editable: bool,
    reviewer: bool,
    can_undo_fill: bool,
    inflation: String,
    attachments: Vec<jospar_planning::repo::Attachment>,
    /// Lines loaded from another organisation's file: the file's expense identifier and the
    /// line's own.
    origins: Vec<jospar_planning::repo::LineOrigin>,
    can_refine: bool,
    based_on: Option<i64>,
    diffs: Vec<(i64, String, String, i32, String, String, String)>,
    limit_kinds: Vec<Choice>,
    line_form: LineForm,
    choices: LineChoices,
    signing: SigningView,
    signatures: Vec<SignatureView>,
    /// What the approver is asked before signing: the request, its organisation, its amounts.
    approve_question: String,
    /// The caller is the head (or acting head) who signs and sends the request.
    can_send: bool,
}

/// What the send form gives NCALayer (P-9): the canonical bytes and whose key may sign.
struct SigningView {
    ncalayer_url: String,
    iin: String,
    data_base64: String,
}

struct SignatureView {
    /// The signature that stands for the request as it is now (the latest one, while the
    /// request is not back in work); the others are kept as history.
    current: bool,
    signer_name: String,
    signer_iin: String,
    signed_at: String,
    request_version: i64,
    data_sha256: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct LineForm {
    csrf: String,
    version: String,
    program: String,
    subprogram: String,
    specific: String,
    limit_kind: String,
    project: String,
}

async fn show_page(
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
    line_form: LineForm,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let request = service::request(ctx.db(), p, id).await?;
    let campaign = jospar_limits::repo::campaign(ctx.db(), request.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = ctx.tr.lang();
    let orgs = jospar_limits::usecases::org_map(ctx.db()).await?;
    let name = |org: i64| {
        orgs.get(&org)
            .map(|o| o.name(lang).to_string())
            .unwrap_or_default()
    };
    let years = request_years(campaign.first_year).to_vec();
    let lines = service::lines(ctx.db(), &request).await?;
    let choices = jospar_planning::codes::line_choices(ctx.db(), &ctx.tr, &request).await?;
    let views = lines
        .iter()
        .map(|l| LineView {
            id: l.id,
            expense_id: l.expense_id,
            program: l.program.clone(),
            program_name: choices.program_name(&l.program),
            subprogram: l.subprogram.clone(),
            subprogram_name: choices.subprogram_name(&l.program, &l.subprogram),
            specific: l.specific.clone(),
            specific_name: choices.specific_name(&l.specific),
            kind: kind_name(&ctx.tr, l.limit_kind),
            project: l.project.clone(),
            amounts: years
                .iter()
                .map(|y| l.amounts.get(y).copied().unwrap_or_default().to_string())
                .collect(),
        })
        .collect();
    let totals: Vec<String> = service::year_totals(&lines, &years)
        .iter()
        .map(Tenge::to_string)
        .collect();
    let actions = service::request_actions(p, &request);
    let (editable, reviewer) = (actions.edit, actions.review);
    let can_undo_fill =
        editable && jospar_planning::repo::can_undo_fill(ctx.db(), &request).await?;
    let percent = |bp: i64| Tenge::from_tiyn(bp).to_string();
    let inflation = format!(
        "{} % · {} %",
        percent(campaign.inflation_bp[0]),
        percent(campaign.inflation_bp[1])
    );
    let signing = SigningView {
        ncalayer_url: ctx.state.config.signing.ncalayer_url.clone(),
        iin: p.user.iin.clone(),
        data_base64: {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .encode(jospar_planning::canonical_bytes(&request, &lines))
        },
    };
    let records = service::signatures(ctx.db(), p, id).await?;
    let latest = records.iter().map(|s| s.signed_at).max();
    let signed_as_is = !request.status.editable();
    let signatures = records
        .into_iter()
        .map(|s| SignatureView {
            current: signed_as_is && Some(s.signed_at) == latest,
            signer_name: s.signer_name,
            signer_iin: s.signer_iin,
            signed_at: super::common::almaty_date_time(s.signed_at),
            request_version: s.request_version,
            data_sha256: s.data_sha256,
        })
        .collect();
    let number = request.number_label(&ctx.tr.t("request-number-prefix"), campaign.first_year);
    let approve_question = ctx.tr.args(
        "confirm-approve",
        &[
            ("number", number.clone()),
            ("org", name(request.org_id)),
            (
                "amounts",
                years
                    .iter()
                    .zip(&totals)
                    .map(|(y, t)| format!("{y}: {t}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ],
    );
    let campaign_name = ctx
        .tr
        .pick(&campaign.name_ru, Some(&campaign.name_kk))
        .to_string();
    let page = Page::new(ctx, "request-title", "requests").document(
        format!("{} {number}", ctx.tr.t("request-title")),
        vec![
            ("/requests".into(), ctx.tr.t("nav-requests")),
            (
                format!("/requests?year={}", campaign.first_year),
                campaign_name,
            ),
        ],
    );
    render(ShowPage {
        page,
        error,
        id,
        version: request.version,
        org: name(request.org_id),
        campaign: if lang == "kk" {
            campaign.name_kk.clone()
        } else {
            campaign.name_ru.clone()
        },
        kind: ctx.tr.t(&format!("request-kind-{}", request.kind.code())),
        status: ctx.tr.t(&format!("status-{}", request.status.code())),
        stage: request.stage_org_id.map(name).unwrap_or_default(),
        return_reason: request.return_reason.clone().unwrap_or_default(),
        years,
        lines: views,
        totals,
        editable,
        reviewer,
        can_undo_fill,
        inflation,
        attachments: jospar_planning::repo::attachments(ctx.db(), id).await?,
        origins: jospar_planning::repo::line_origins(ctx.db(), id).await?,
        can_refine: actions.refine,
        based_on: request.based_on,
        diffs: service::diff(ctx.db(), p, id)
            .await?
            .into_iter()
            .flat_map(|d| {
                // Codes with their names, as everywhere a code is shown (issue 21).
                let program = format!("{} {}", d.program, choices.program_name(&d.program));
                let specific = format!("{} {}", d.specific, choices.specific_name(&d.specific));
                d.years.into_iter().map(move |(y, (a, b))| {
                    (
                        d.expense_id,
                        program.clone(),
                        specific.clone(),
                        y,
                        a.to_string(),
                        b.to_string(),
                        (b - a).to_string(),
                    )
                })
            })
            .collect(),
        limit_kinds: LimitKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: kind_name(&ctx.tr, *k),
                selected: line_form.limit_kind == k.code(),
            })
            .collect(),
        signing,
        signatures,
        approve_question,
        can_send: service::may_send(ctx.db(), p, &request).await?,
        enterprise: jospar_org::repo::get_org(ctx.db(), request.org_id)
            .await?
            .is_some_and(|o| o.kind == jospar_org::OrgKind::Enterprise),
        line_form,
        choices,
    })
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    show_page(&ctx, id, None, LineForm::default()).await
}

async fn add_line(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<LineForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let input = service::LineInput {
        program: form.program.clone(),
        subprogram: form.subprogram.clone(),
        specific: form.specific.clone(),
        limit_kind: form.limit_kind.clone(),
        project: form.project.clone(),
    };
    let version = form.version.parse().unwrap_or(0);
    match service::add_line(ctx.db(), p, id, version, input).await {
        Ok(line) => Ok(Redirect::to(&crate::view::done(
            &format!("/requests/{id}/lines/{}", line.id),
            "added",
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = show_page(&ctx, id, Some(message), form).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeleteLineForm {
    csrf: String,
    version: String,
}

/// Deletes a line of a request in work (issue 21); the page comes back with the line gone.
async fn delete_line(
    ctx: Ctx,
    Path((id, line)): Path<(i64, i64)>,
    Form(form): Form<DeleteLineForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let version = form.version.parse().unwrap_or(0);
    match service::delete_line(ctx.db(), p, id, version, line).await {
        Ok(()) => Ok(
            Redirect::to(&crate::view::done(&format!("/requests/{id}"), "deleted")).into_response(),
        ),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let response = show_page(&ctx, id, Some(message), LineForm::default()).await?;
            Ok(super::common::unprocessable_if(true, response))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    csrf: String,
    version: String,
    action: String,
    reason: String,
    /// The CMS signature NCALayer returned in the browser (sending).
    cms: String,
}

async fn step(ctx: Ctx, Path(id): Path<i64>, Form(form): Form<StepForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let version = form.version.parse().unwrap_or(0);
    let result = match form.action.as_str() {
        "send" => {
            let signing = &ctx.state.config.signing;
            service::send(ctx.db(), signing, p, id, version, &form.cms).await
        }
        "approve" => {
            let signing = &ctx.state.config.signing;
            service::approve(ctx.db(), signing, p, id, version, &form.cms).await
        }
        "return" => service::return_request(ctx.db(), p, id, version, &form.reason).await,
        "fill" => service::fill_inflation(ctx.db(), p, id, version).await,
        "undo" => service::undo_fill(ctx.db(), p, id, version).await,
        _ => Err(AppError::invalid("err-required", "action")),
    };
    let done = match form.action.as_str() {
        "send" => "sent",
        "approve" => "approved",
        "return" => "returned",
        _ => "changed",
    };
    match result {
        Ok(_) => {
            Ok(Redirect::to(&crate::view::done(&format!("/requests/{id}"), done)).into_response())
        }
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = show_page(&ctx, id, Some(message), LineForm::default()).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

pub struct GridColumn {
    pub name: String,
    pub computed: bool,
}

pub struct GridCell {
    pub key: String,
    pub name: String,
    pub value: String,
    pub computed: bool,
    /// The ЕНС ТРУ code a price is checked against (issue 23): suggests goods as typed.
    pub goods: bool,
}

#[derive(Template)]
#[template(path = "request_line.html")]
struct LinePage {
    page: Page,
    error: Option<String>,
    id: i64,
    line_id: i64,
    version: i64,
    year: i32,
    years: Vec<i32>,
    heading: String,
    form_name: String,
    columns: Vec<GridColumn>,
    rows: Vec<Vec<GridCell>>,
    amount: String,
    editable: bool,
    from_staffing: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct YearQuery {
    year: String,
}

async fn line_view(
    ctx: &Ctx,
    id: i64,
    line_id: i64,
    year: Option<i32>,
    typed: Option<Vec<RowInput>>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let (request, years, year) = request_and_year(ctx, p, id, year).await?;
    let lines = service::lines(ctx.db(), &request).await?;
    let line = lines
        .iter()
        .find(|l| l.id == line_id)
        .ok_or(AppError::NotFound)?;
    let form = service::form_of(ctx.db(), line).await?;
    let lang = ctx.tr.lang();
    let stored = jospar_planning::repo::line_rows(ctx.db(), id, line_id, year).await?;
    let evaluated = form.evaluate(&stored).unwrap_or_default();
    let source_rows = typed.unwrap_or(stored);
    // ST-3: payroll lines of a year with a staffing table are computed from it, not typed.
    let from_staffing = jospar_planning::payroll::computed_from_staffing(
        ctx.db(),
        request.org_id,
        year,
        &line.specific,
    )
    .await?;
    let editable = service::request_actions(p, &request).edit && !from_staffing;
    let columns = calc_columns(&form, lang);
    let blank = if editable { 3 } else { 0 };
    let rows = calc_rows(&form, &source_rows, &evaluated, blank, lang);
    render(LinePage {
        page: Page::new(ctx, "request-line-title", "requests"),
        error,
        id,
        line_id,
        version: request.version,
        year,
        years,
        heading: format!(
            "{} {} {} {} · {}",
            line.program, line.subprogram, line.specific, line.project, line.id
        ),
        form_name: if lang == "kk" {
            form.name_kk.clone()
        } else {
            form.name_ru.clone()
        },
        columns,
        rows,
        amount: line
            .amounts
            .get(&year)
            .copied()
            .unwrap_or_default()
            .to_string(),
        editable,
        from_staffing,
    })
}

/// The request, its four years, and the year asked for (the campaign's first when none or
/// another).
async fn request_and_year(
    ctx: &Ctx,
    p: &crate::ctx::Principal,
    id: i64,
    year: Option<i32>,
) -> AppResult<(jospar_planning::Request, Vec<i32>, i32)> {
    let request = service::request(ctx.db(), p, id).await?;
    let campaign = jospar_limits::repo::campaign(ctx.db(), request.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let years = request_years(campaign.first_year).to_vec();
    let year = year
        .filter(|y| years.contains(y))
        .unwrap_or(campaign.first_year);
    Ok((request, years, year))
}

/// The headings of a calculation form in the user's language.
fn calc_columns(form: &jospar_forms::FormDef, lang: &str) -> Vec<GridColumn> {
    form.columns
        .iter()
        .map(|c| GridColumn {
            name: if lang == "kk" {
                c.name_kk.clone()
            } else {
                c.name_ru.clone()
            },
            computed: c.column_type == ColumnType::Computed,
        })
        .collect()
}

/// The cells of a calculation form's rows — typed values as typed, computed ones as money —
/// with `blank` empty rows below for more.
fn calc_rows(
    form: &jospar_forms::FormDef,
    source_rows: &[RowInput],
    evaluated: &[jospar_forms::RowValues],
    blank: usize,
    lang: &str,
) -> Vec<Vec<GridCell>> {
    let goods: Vec<&str> = form
        .columns
        .iter()
        .filter_map(|c| c.price_check.as_ref().map(|check| check.good.as_str()))
        .collect();
    (0..source_rows.len() + blank)
        .map(|i| {
            form.columns
                .iter()
                .map(|c| {
                    let computed = c.column_type == ColumnType::Computed;
                    let value = if computed {
                        // Computed amounts are shown as money: "72 000 000,00".
                        evaluated
                            .get(i)
                            .and_then(|r| r.values.get(&c.key))
                            .and_then(|v| jospar_forms::parse_decimal(v))
                            .map(|v| jospar_forms::to_tenge(v).to_string())
                            .unwrap_or_default()
                    } else {
                        source_rows
                            .get(i)
                            .and_then(|r| r.get(&c.key))
                            .cloned()
                            .unwrap_or_default()
                    };
                    let name = if lang == "kk" {
                        c.name_kk.clone()
                    } else {
                        c.name_ru.clone()
                    };
                    GridCell {
                        goods: goods.contains(&c.key.as_str()),
                        key: c.key.clone(),
                        name,
                        value,
                        computed,
                    }
                })
                .collect()
        })
        .collect()
}

async fn line_page(
    ctx: Ctx,
    Path((id, line)): Path<(i64, i64)>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    line_view(&ctx, id, line, q.year.parse().ok(), None, None).await
}

/// Cells arrive as `c|ROW|COLUMN`; computed columns have no inputs in the page, and a value
/// posted for one anyway is refused by the form engine (BP-8).
fn rows_from_form(fields: &HashMap<String, String>) -> Vec<RowInput> {
    let mut rows: std::collections::BTreeMap<usize, RowInput> = std::collections::BTreeMap::new();
    for (key, value) in fields {
        let Some(rest) = key.strip_prefix("c|") else {
            continue;
        };
        let Some((row, column)) = rest.split_once('|') else {
            continue;
        };
        if let Ok(row) = row.parse::<usize>() {
            rows.entry(row)
                .or_default()
                .insert(column.to_string(), value.clone());
        }
    }
    rows.into_values().collect()
}

async fn save_line(
    ctx: Ctx,
    Path((id, line)): Path<(i64, i64)>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let version = fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let year: i32 = fields.get("year").and_then(|v| v.parse().ok()).unwrap_or(0);
    let rows = rows_from_form(&fields);
    match service::set_rows(
        ctx.db(),
        p,
        &ctx.tr,
        service::RowsEdit {
            id,
            version,
            line_id: line,
            year,
            rows: &rows,
        },
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/requests/{id}/lines/{line}?year={year}"),
            "saved",
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response =
                line_view(&ctx, id, line, Some(year), Some(rows), Some(message)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// One line of the request's grid: its codes and names, its form (for the browser's formula
/// engine) and its calculation rows of each year.
pub struct GridLine {
    id: i64,
    label: String,
    program: String,
    kind: String,
    form_json: String,
    columns: Vec<GridColumn>,
    years: Vec<GridLineYear>,
}

/// The calculation rows of a line in one year, as cells, with their total.
pub struct GridLineYear {
    year: i32,
    editable: bool,
    from_staffing: bool,
    rows: Vec<Vec<GridCell>>,
    total: String,
    refused: bool,
}

/// A limit of a year by program and kind, with what the lines ask of it.
pub struct GridLimit {
    year: i32,
    program: String,
    program_name: String,
    kind: String,
    kind_name: String,
    limit_tiyn: i64,
    limit: String,
    requested: String,
    remaining: String,
    over: bool,
}

/// What the whole request asks in a year.
pub struct GridYearTotal {
    year: i32,
    total: String,
}

#[derive(Template)]
#[template(path = "request_grid.html")]
struct GridPage {
    page: Page,
    error: Option<String>,
    id: i64,
    version: i64,
    years: Vec<i32>,
    lines: Vec<GridLine>,
    limits: Vec<GridLimit>,
    year_totals: Vec<GridYearTotal>,
    request_total: String,
    editable: bool,
    /// The addresses of the grid's script and of the formula engine, versioned by their
    /// contents: static files are cached for a day, and a browser must not keep an old script
    /// or compute with an engine the server has replaced.
    script: &'static str,
    engine: &'static str,
}

/// `/static/formula.wasm?v=…`, versioned by the list of the engine's sources and their SHA-256
/// recorded when it was built (`scripts/build-formula-wasm.sh`).
fn engine_address() -> &'static str {
    static ADDRESS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ADDRESS.get_or_init(|| {
        let sources = include_str!("../../static/formula.wasm.sources");
        format!("/static/formula.wasm?v={:016x}", fnv1a(sources))
    })
}

/// `/static/grid.js?v=…`, versioned by the script itself.
fn grid_script_address() -> &'static str {
    static ADDRESS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ADDRESS.get_or_init(|| {
        let script = include_str!("../../static/grid.js");
        format!("/static/grid.js?v={:016x}", fnv1a(script))
    })
}

/// A 64-bit FNV-1a hash: enough to tell one version of a file from another.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Typed rows of a refused save, by line and year.
type TypedGrid = HashMap<(i64, i32), Vec<RowInput>>;

/// The request's lines × years with their calculation rows on one page (issue 21), computed in
/// the browser as typed by the server's own formula engine; `typed` keeps a refused save's
/// cells.
async fn grid_view(
    ctx: &Ctx,
    id: i64,
    typed: Option<&TypedGrid>,
    error: Option<(String, Option<String>)>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let (request, years, _) = request_and_year(ctx, p, id, None).await?;
    let lang = ctx.tr.lang();
    let lines = service::lines(ctx.db(), &request).await?;
    let choices = jospar_planning::codes::line_choices(ctx.db(), &ctx.tr, &request).await?;
    let forms = jospar_planning::repo::forms(ctx.db()).await?;
    let mut stored = jospar_planning::repo::request_rows(ctx.db(), id).await?;
    let editable = service::request_actions(p, &request).edit;
    let refused_field = error.as_ref().and_then(|(_, f)| f.clone());
    let mut from_staffing: HashMap<(i32, String), bool> = HashMap::new();
    let mut views = Vec::new();
    for line in &lines {
        let Some(form) = forms.iter().find(|f| f.code == line.form_code) else {
            // The refusal that names the specific without a form, as the line page gives it.
            service::form_of(ctx.db(), line).await?;
            return Err(AppError::NotFound);
        };
        let mut line_years = Vec::new();
        for &year in &years {
            let key = (year, line.specific.clone());
            let computed = match from_staffing.get(&key) {
                Some(known) => *known,
                None => {
                    let known = jospar_planning::payroll::computed_from_staffing(
                        ctx.db(),
                        request.org_id,
                        year,
                        &line.specific,
                    )
                    .await?;
                    *from_staffing.entry(key).or_insert(known)
                }
            };
            let saved = stored.remove(&(line.id, year)).unwrap_or_default();
            let evaluated = form.evaluate(&saved).unwrap_or_default();
            let line_editable = editable && !computed;
            let source = typed
                .and_then(|t| t.get(&(line.id, year)))
                .cloned()
                .unwrap_or(saved);
            let blank = if line_editable { 2 } else { 0 };
            line_years.push(GridLineYear {
                year,
                editable: line_editable,
                from_staffing: computed,
                rows: calc_rows(form, &source, &evaluated, blank, lang),
                total: line
                    .amounts
                    .get(&year)
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
                refused: refused_field.as_deref() == Some(&format!("line-{}-{year}", line.id)),
            });
        }
        views.push(GridLine {
            id: line.id,
            label: line_label(line, &choices),
            program: line.program.clone(),
            kind: line.limit_kind.code().to_string(),
            form_json: serde_json::to_string(form)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            columns: calc_columns(form, lang),
            years: line_years,
        });
    }
    let asked_in = |year: i32| -> Tenge {
        lines
            .iter()
            .filter_map(|l| l.amounts.get(&year))
            .copied()
            .sum()
    };
    let limits = grid_limits(ctx, &request, &lines, &years, &choices).await?;
    let year_totals = years
        .iter()
        .map(|&year| GridYearTotal {
            year,
            total: asked_in(year).to_string(),
        })
        .collect();
    let request_total: Tenge = years.iter().map(|&y| asked_in(y)).sum();
    let response = render(GridPage {
        page: Page::new(ctx, "grid-title", "requests"),
        error: error.map(|(m, _)| m),
        id,
        version: request.version,
        years,
        lines: views,
        limits,
        year_totals,
        request_total: request_total.to_string(),
        editable,
        script: grid_script_address(),
        engine: engine_address(),
    })?;
    Ok(super::common::unprocessable_if(typed.is_some(), response))
}

/// A line as the economist reads it: "061 Name · 015 Name · 111 Name".
fn line_label(
    line: &jospar_planning::Line,
    choices: &jospar_planning::codes::LineChoices,
) -> String {
    [
        (line.program.clone(), choices.program_name(&line.program)),
        (
            line.subprogram.clone(),
            choices.subprogram_name(&line.program, &line.subprogram),
        ),
        (line.specific.clone(), choices.specific_name(&line.specific)),
    ]
    .into_iter()
    .filter(|(code, _)| !code.is_empty())
    .map(|(code, name)| format!("{code} {name}"))
    .collect::<Vec<_>>()
    .join(" · ")
}

/// The limits of the request's years by program and kind, with what its lines ask of each.
async fn grid_limits(
    ctx: &Ctx,
    request: &jospar_planning::Request,
    lines: &[jospar_planning::Line],
    years: &[i32],
    choices: &jospar_planning::codes::LineChoices,
) -> AppResult<Vec<GridLimit>> {
    let requested = |program: &str, kind: LimitKind, year: i32| -> Tenge {
        lines
            .iter()
            .filter(|l| l.program == program && l.limit_kind == kind)
            .filter_map(|l| l.amounts.get(&year))
            .copied()
            .sum()
    };
    Ok(service::limits_of(ctx.db(), request)
        .await?
        .into_iter()
        .filter(|a| years.contains(&a.slot.year) && !a.slot.program.is_empty())
        .map(|a| {
            let asked = requested(&a.slot.program, a.slot.kind, a.slot.year);
            GridLimit {
                year: a.slot.year,
                program_name: choices.program_name(&a.slot.program),
                kind: a.slot.kind.code().to_string(),
                kind_name: kind_name(&ctx.tr, a.slot.kind),
                limit_tiyn: a.amount.tiyn(),
                limit: a.amount.to_string(),
                requested: asked.to_string(),
                remaining: (a.amount - asked).to_string(),
                over: asked > a.amount,
                program: a.slot.program,
            }
        })
        .collect())
}

async fn grid_page(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    grid_view(&ctx, id, None, None).await
}

/// Cells arrive as `g|LINE|YEAR|ROW|COLUMN`: the rows of every line and year.
fn grid_from_form(fields: &HashMap<String, String>) -> TypedGrid {
    let mut cells: HashMap<(i64, i32), std::collections::BTreeMap<usize, RowInput>> =
        HashMap::new();
    for (key, value) in fields {
        let mut parts = key.splitn(5, '|');
        let (Some("g"), Some(line), Some(year), Some(row), Some(column)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            continue;
        };
        if let (Ok(line), Ok(year), Ok(row)) = (
            line.parse::<i64>(),
            year.parse::<i32>(),
            row.parse::<usize>(),
        ) {
            cells
                .entry((line, year))
                .or_default()
                .entry(row)
                .or_default()
                .insert(column.to_string(), value.clone());
        }
    }
    cells
        .into_iter()
        .map(|(at, rows)| (at, rows.into_values().collect()))
        .collect()
}

/// Saves every line of every year at once; a refusal keeps all that was typed and marks the
/// line and year.
async fn save_grid(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let version = fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let typed = grid_from_form(&fields);
    let mut cells: Vec<service::LineYearRows> = typed
        .iter()
        .map(|(&(line_id, year), rows)| service::LineYearRows {
            line_id,
            year,
            rows: rows.clone(),
        })
        .collect();
    // The page's order, so that the first refused cell is the first one on the page.
    cells.sort_by_key(|c| (c.line_id, c.year));
    let edit = service::GridEdit {
        id,
        version,
        cells: &cells,
    };
    match service::set_grid(ctx.db(), p, &ctx.tr, edit).await {
        Ok(()) => Ok(
            Redirect::to(&crate::view::done(&format!("/requests/{id}/grid"), "saved"))
                .into_response(),
        ),
        Err(e) => {
            let field = match &e {
                AppError::Invalid { field, .. } => field.clone(),
                _ => None,
            };
            let message = form_message(&ctx, e)?;
            grid_view(&ctx, id, Some(&typed), Some((message, field))).await
        }
    }
}

pub struct DeskLine {
    pub org: String,
    pub request_id: Option<i64>,
    pub number: String,
    pub kind: String,
    pub status: String,
    pub stage: String,
    pub changed: String,
    pub amount: String,
    pub overdue: bool,
}

/// The sortable columns of the curator's desk: (sort column, heading, numeric).
const DESK_COLUMNS: &[(&str, &str, bool)] = &[
    ("org", "col-org", false),
    ("number", "col-number", false),
    ("kind", "col-kind", false),
    ("status", "col-status", false),
    ("stage", "request-stage", false),
    ("date", "desk-changed", false),
    ("amount", "col-amount-first-year", true),
];

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    page: Page,
    id: i64,
    campaign: String,
    deadline: String,
    rows: Vec<DeskLine>,
    overdue: usize,
    submitted: usize,
    columns: Vec<Column>,
    pager: Pager,
    total: usize,
    filtered: bool,
    search: ListParams,
    filters: DeskFilterParams,
    error: Option<String>,
    parents: Vec<Choice>,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
}

fn desk_line(ctx: &Ctx, row: service::DeskListRow) -> DeskLine {
    let request = row.request.as_ref();
    DeskLine {
        org: row.org_name,
        request_id: request.map(|q| q.id),
        number: row.number_label,
        kind: request
            .map(|q| ctx.tr.t(&format!("request-kind-{}", q.kind.code())))
            .unwrap_or_default(),
        status: request
            .map(|q| ctx.tr.t(&format!("status-{}", q.status.code())))
            .unwrap_or_else(|| ctx.tr.t("desk-no-request")),
        stage: row.stage_name,
        changed: request
            .map(|q| super::common::almaty_date_time(q.updated_at))
            .unwrap_or_default(),
        amount: if request.is_some() {
            row.amount.to_string()
        } else {
            String::new()
        },
        overdue: row.overdue,
    }
}

/// A request's states as (code, label) for a filter.
fn status_options(ctx: &Ctx) -> impl Iterator<Item = (String, String)> + '_ {
    Status::ALL.iter().map(|s| {
        (
            s.code().to_string(),
            ctx.tr.t(&format!("status-{}", s.code())),
        )
    })
}

/// The states a desk row is filtered by: no request yet, or a request's state.
fn desk_status_choices(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    let none = ("none".to_string(), ctx.tr.t("desk-no-request"));
    choices(std::iter::once(none).chain(status_options(ctx)), selected)
}

fn kind_choices(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    choices(
        RequestKind::ALL.iter().map(|k| {
            (
                k.code().to_string(),
                ctx.tr.t(&format!("request-kind-{}", k.code())),
            )
        }),
        selected,
    )
}

/// The curator's desk (BP-7): every organisation of the campaign with its request's state,
/// searched, filtered, sorted and paged (issue 20).
async fn desk(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let filters: DeskFilterParams = ctx.query_params();
    let (filter, error) = match filters.filter() {
        Ok(filter) => (filter, None),
        Err(e) => (service::DeskFilter::default(), Some(e.message(&ctx.tr))),
    };
    let query = search.query();
    let desk = service::list_desk(ctx.db(), p, &ctx.tr, id, &filter, &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    render(DeskPage {
        page: Page::new(&ctx, "desk-title", "limits"),
        id,
        campaign: if ctx.tr.lang() == "kk" {
            desk.campaign.name_kk.clone()
        } else {
            desk.campaign.name_ru.clone()
        },
        deadline: crate::view::date(&desk.deadline),
        columns: columns(ctx.tr, &links, &query, DESK_COLUMNS),
        pager: Pager::new(ctx.tr, &links, &desk.listed),
        total: desk.listed.total,
        filtered: !query.q.is_empty() || filter != service::DeskFilter::default(),
        rows: desk
            .listed
            .rows
            .into_iter()
            .map(|row| desk_line(&ctx, row))
            .collect(),
        overdue: desk.overdue,
        submitted: desk.submitted,
        parents: super::common::parent_choices(&ctx, p, &filters.within).await?,
        statuses: desk_status_choices(&ctx, &filters.status),
        kinds: kind_choices(&ctx, &filters.kind),
        search,
        filters,
        error,
    })
}

#[derive(Template)]
#[template(path = "consolidated.html")]
struct ConsolidatedPage {
    page: Page,
    id: i64,
    table: jospar_reports::Table,
    dimensions: Vec<Choice>,
    orgs: Vec<Choice>,
    approved: bool,
    query_string: String,
    /// Column slices of the pivot; none selected = years as columns.
    columns: Vec<Choice>,
    years: Vec<Choice>,
}

/// Consolidated requests of a subtree (BP-5), on screen and as XLSX/PDF/CSV: by one slice and
/// year, or a pivot of one year by two slices.
async fn consolidated(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(params): Query<ConsolidationParams>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let campaign = jospar_limits::usecases::campaign(ctx.db(), p, id).await?;
    let query = params.query(id);
    let pivot = params.pivot(id);
    let table = service::consolidation(ctx.db(), p, &ctx.tr, &query, pivot.as_ref()).await?;
    if let Some(file) = download(&table, &params.format, &format!("consolidated-{id}"))? {
        return Ok(file);
    }
    let lang = ctx.tr.lang();
    let orgs = jospar_limits::usecases::org_map(ctx.db()).await?;
    let mut org_choices: Vec<Choice> =
        service::consolidation_roots(p, campaign.authority_org_id, &orgs)
            .into_iter()
            .map(|o| Choice {
                value: o.id.to_string(),
                label: o.name(lang).to_string(),
                selected: query.root_org == Some(o.id),
            })
            .collect();
    org_choices.sort_by(|a, b| a.label.cmp(&b.label));
    let dimensions = jospar_planning::Dimension::ALL
        .iter()
        .map(|d| Choice {
            value: d.code().into(),
            label: ctx.tr.t(&format!("dimension-{}", d.code())),
            selected: *d == query.by,
        })
        .collect();
    let columns = jospar_planning::Dimension::ALL
        .iter()
        .map(|d| Choice {
            value: d.code().into(),
            label: ctx.tr.t(&format!("dimension-{}", d.code())),
            selected: d.code() == params.cols,
        })
        .collect();
    let years = request_years(campaign.first_year)
        .iter()
        .map(|y| Choice {
            value: y.to_string(),
            label: y.to_string(),
            selected: params.year == y.to_string(),
        })
        .collect();
    render(ConsolidatedPage {
        page: Page::new(&ctx, "consolidated-title", "requests"),
        id,
        query_string: format!(
            "org={}&by={}&cols={}&year={}&approved={}",
            params.org,
            query.by.code(),
            urlencoding::encode(&params.cols),
            urlencoding::encode(&params.year),
            params.approved
        ),
        columns,
        years,
        approved: query.approved_only,
        table,
        dimensions,
        orgs: org_choices,
    })
}

/// The whole request as a file to load back here or elsewhere (issue 24): XLSX or CSV.
async fn request_file(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<crate::queries::ExportQuery>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let request = service::request(ctx.db(), p, id).await?;
    let table = jospar_planning::request_file::table(ctx.db(), &ctx.tr, &request).await?;
    let format = if q.format == "csv" { "csv" } else { "xlsx" };
    download(&table, format, &format!("request-file-{id}"))?.ok_or(AppError::NotFound)
}

/// A file sent from the request page (multipart): the file with its name and type, the
/// request's version the user saw, and the form's token.
struct RequestUpload {
    csrf: String,
    version: i64,
    name: String,
    content_type: String,
    bytes: Vec<u8>,
}

impl RequestUpload {
    /// Reads the form; a file without a name is called `unnamed`.
    async fn read(
        mut multipart: axum::extract::Multipart,
        unnamed: &str,
    ) -> AppResult<RequestUpload> {
        let broken = || AppError::invalid("err-import-upload", "file");
        let mut upload = RequestUpload {
            csrf: String::new(),
            version: 0,
            name: unnamed.to_string(),
            content_type: String::new(),
            bytes: Vec::new(),
        };
        while let Some(field) = multipart.next_field().await.map_err(|_| broken())? {
            match field.name().unwrap_or("") {
                "file" => {
                    upload.name = field.file_name().unwrap_or(unnamed).to_string();
                    upload.content_type = field.content_type().unwrap_or("").to_string();
                    upload.bytes = field.bytes().await.map_err(|_| broken())?.to_vec();
                }
                "csrf" => upload.csrf = field.text().await.unwrap_or_default(),
                "version" => {
                    upload.version = field.text().await.unwrap_or_default().parse().unwrap_or(0)
                }
                _ => {}
            }
        }
        Ok(upload)
    }
}

/// Loads a request file into this request in work (multipart: the file, the version seen).
async fn load_file(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let upload = RequestUpload::read(multipart, "request").await?;
    p.check_csrf(&upload.csrf)?;
    let (version, name, bytes) = (upload.version, upload.name, upload.bytes);
    let target = jospar_planning::repo::Target {
        request_id: id,
        version,
    };
    match jospar_planning::request_file::load(ctx.db(), p, &ctx.tr, target, &name, &bytes).await {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/requests/{id}#request-file"),
            "imported",
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = show_page(&ctx, id, Some(message), LineForm::default()).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// Attaches a supporting document (P-18) from the request page (multipart form).
async fn upload(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let upload = RequestUpload::read(multipart, "document").await?;
    p.check_csrf(&upload.csrf)?;
    let (version, name, content_type, bytes) = (
        upload.version,
        upload.name,
        upload.content_type,
        upload.bytes,
    );
    match service::attach(ctx.db(), p, id, version, &name, &content_type, &bytes).await {
        Ok(_) => Ok(
            Redirect::to(&crate::view::done(&format!("/requests/{id}"), "added")).into_response(),
        ),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = show_page(&ctx, id, Some(message), LineForm::default()).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn download_attachment(
    ctx: Ctx,
    Path((id, attachment)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let (meta, content) = service::attachment(ctx.db(), p, id, attachment).await?;
    Ok(attachment_response(&meta, content))
}

/// The request's breakdowns as XLSX or CSV (BP-13, P-19).
async fn export(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let request = service::request(ctx.db(), p, id).await?;
    let table = service::breakdown_table(ctx.db(), &ctx.tr, &request).await?;
    let format = if q.format.is_empty() {
        "xlsx"
    } else {
        q.format.as_str()
    };
    download(&table, format, &format!("request-{id}"))?
        .ok_or_else(|| AppError::invalid("err-required", "format"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionForm {
    csrf: String,
    kind: String,
}

/// A refinement or correction of an approved request, opened as a new request in work.
async fn new_version(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    match service::new_version(ctx.db(), p, id, &form.kind).await {
        Ok(created) => Ok(Redirect::to(&crate::view::done(
            &format!("/requests/{}", created.id),
            "created",
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = show_page(&ctx, id, Some(message), LineForm::default()).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}
