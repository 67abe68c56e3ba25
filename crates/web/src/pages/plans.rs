//! Financing plan pages (EX-1, EX-2, EX-6): `/plans` lists the plans the user may read and
//! makes a draft from an approved request; `/plans/{id}` shows the plan as of a date, lets the
//! institution shape a draft month by month, the administrator approve it, and, once
//! approved, takes dated change documents.

use super::common::form_message;
use super::common::{Choice, org_names, unprocessable_if};
use crate::AppState;
use crate::ctx::{Ctx, Principal};
use crate::error::{AppError, AppResult};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::queries::PlanFilterParams;
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use jospar_access::Access;
use jospar_classification::repo::ExpenseNames;
use jospar_core::Tenge;
use jospar_execution::plans::Plan;
use jospar_execution::{Basis, ChangeDoc, ChangeKind, LineMove, MonthMove, PlanLine};
use std::collections::{HashMap, HashSet};

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/plans",
    current: "plans",
    title_key: "nav-plans",
    group: MenuGroup::Execution,
    access: Access::SignedIn,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list).post(create))
        .route("/plans/deadlines", get(deadlines).post(set_deadlines))
        .route("/plans/{id}", get(show).post(save))
        .route("/plans/{id}/approve", post(approve))
        .route("/plans/{id}/step", post(step))
        .route("/plans/{id}/changes", post(add_change))
}

pub struct PlanRow {
    id: i64,
    number: String,
    org: String,
    year: i64,
    status: String,
    date: String,
}

/// The sortable columns of the plans list: (sort column, heading, numeric).
const COLUMNS: &[(&str, &str, bool)] = &[
    ("", "col-number", false),
    ("org", "field-org_id", false),
    ("year", "field-year", false),
    ("status", "plan-status", false),
    ("date", "col-changed", false),
];

#[derive(Template)]
#[template(path = "plans.html")]
struct ListPage {
    page: Page,
    plans: Vec<PlanRow>,
    columns: Vec<Column>,
    pager: Pager,
    total: usize,
    search: ListParams,
    filtered: bool,
    parents: Vec<Choice>,
    years: Vec<Choice>,
    statuses: Vec<Choice>,
    /// Approved requests the user may make a plan from.
    requests: Vec<Choice>,
    error: Option<String>,
}

async fn list_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let names = org_names(ctx).await?;
    let search: ListParams = ctx.query_params();
    let filters: PlanFilterParams = ctx.query_params();
    let query = search.query();
    let listed = jospar_execution::usecases::plans::list_plans(
        ctx.db(),
        p,
        &ctx.tr,
        &filters.filter(),
        &query,
    )
    .await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let plans = listed
        .rows
        .iter()
        .map(|row| PlanRow {
            id: row.plan.id,
            number: row.number_label.clone(),
            org: row.org_name.clone(),
            year: row.plan.year,
            status: ctx.tr.t(&format!("plan-status-{}", row.plan.status)),
            date: crate::view::date(&row.plan.updated_at.date_naive()),
        })
        .collect();
    let requests = jospar_execution::usecases::plans::plannable_requests(ctx.db(), p)
        .await?
        .into_iter()
        .map(|r| Choice {
            value: r.id.to_string(),
            label: format!(
                "{} №{} · {}",
                ctx.tr.t("request-number-prefix"),
                r.number,
                names.get(&r.org_id).cloned().unwrap_or_default()
            ),
            selected: false,
        })
        .collect();
    let refused = error.is_some();
    let response = render(ListPage {
        page: Page::new(ctx, "plans-title", "plans"),
        columns: columns(ctx.tr, &links, &query, COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        total: listed.total,
        filtered: !query.q.is_empty() || filters.filter() != Default::default(),
        parents: super::common::parent_choices(ctx, p, &filters.within).await?,
        years: super::common::year_choices(&filters.year),
        statuses: plan_status_choices(ctx, &filters.status),
        search,
        plans,
        requests,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

/// The states of a plan to filter by (financing plans and plans of receipts alike).
pub(super) fn plan_status_choices(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    super::common::choices(
        jospar_execution::plans::PlanStatus::ALL.iter().map(|s| {
            (
                s.code().to_string(),
                ctx.tr.t(&format!("plan-status-{}", s.code())),
            )
        }),
        selected,
    )
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    list_page(&ctx, None).await
}

#[derive(serde::Deserialize)]
struct CreateForm {
    csrf: String,
    request: String,
    year: String,
}

async fn create(ctx: Ctx, Form(form): Form<CreateForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let request = jospar_access::parse_id(&form.request, "request_id")?;
        let year: i32 = form
            .year
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("err-year", "year"))?;
        jospar_execution::usecases::plans::create_from_request(ctx.db(), p, request, year).await
    }
    .await;
    match result {
        Ok(plan) => Ok(Redirect::to(&crate::view::done(
            &format!("/plans/{}", plan.id),
            "created",
        ))
        .into_response()),
        Err(e) => list_page(&ctx, Some(form_message(&ctx, e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "plan_deadlines.html")]
struct DeadlinesPage {
    page: Page,
    /// (organisation, year, counted from, plan days, plans due, Treasury days, Treasury due,
    /// set by)
    rows: Vec<[String; 8]>,
    /// Organisations whose deadlines the user may set; no form when none.
    setters: Vec<Choice>,
    form: DeadlinesForm,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DeadlinesForm {
    csrf: String,
    org: String,
    year: String,
    opens_on: String,
    plan_days: String,
    treasury_days: String,
    reason: String,
}

/// The financing plans' deadlines of each year (issue 20, P-17) and, for the approving
/// authority of a budget holder, the form that sets them. What was typed stays on a refusal.
async fn deadlines_page(
    ctx: &Ctx,
    form: DeadlinesForm,
    error: Option<String>,
) -> AppResult<Response> {
    use jospar_execution::usecases::deadlines as service;
    let p = ctx.user()?;
    let rows = service::list(ctx.db(), p, &ctx.tr)
        .await?
        .into_iter()
        .map(|d| {
            [
                d.org_name,
                d.deadlines.year.to_string(),
                crate::view::date(&d.deadlines.opens_on),
                d.deadlines.plan_days.to_string(),
                crate::view::date(&d.plans_due),
                d.deadlines.treasury_days.to_string(),
                crate::view::date(&d.treasury_due),
                d.deadlines.set_by,
            ]
        })
        .collect();
    let orgs = jospar_org::repo::all_orgs(ctx.db()).await?;
    let setters = service::setters(p, &orgs)
        .into_iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(ctx.tr.lang()).to_string(),
            selected: o.id.to_string() == form.org,
        })
        .collect();
    let refused = error.is_some();
    let response = render(DeadlinesPage {
        page: Page::new(ctx, "plan-deadlines-title", "plans"),
        rows,
        setters,
        form,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn deadlines(ctx: Ctx) -> AppResult<Response> {
    let year = (chrono::Utc::now().year() + 1).to_string();
    let form = DeadlinesForm {
        year,
        plan_days: "10".into(),
        treasury_days: "5".into(),
        ..DeadlinesForm::default()
    };
    deadlines_page(&ctx, form, None).await
}

async fn set_deadlines(ctx: Ctx, Form(form): Form<DeadlinesForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    // Days that are not a number are refused by the use case as out of range, naming the field.
    let days = |text: &str| text.trim().parse::<i64>().unwrap_or(-1);
    let result = async {
        let input = jospar_execution::usecases::deadlines::NewDeadlines {
            org_id: jospar_access::parse_id(&form.org, "org_id")?,
            year: form
                .year
                .trim()
                .parse()
                .map_err(|_| AppError::invalid("err-year", "year"))?,
            opens_on: jospar_access::parse_date(&form.opens_on, "opens_on")?,
            plan_days: days(&form.plan_days),
            treasury_days: days(&form.treasury_days),
            reason: form.reason.clone(),
        };
        jospar_execution::usecases::deadlines::set(ctx.db(), p, &input).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done("/plans/deadlines", "saved")).into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            deadlines_page(&ctx, form, Some(message)).await
        }
    }
}

/// One line of the plan on screen: its month cells, as stored or as typed.
pub struct LineView {
    expense_id: i64,
    label: String,
    /// The codes with their names, under the codes.
    names: String,
    approved: String,
    obligations: Vec<CellView>,
    payments: Vec<CellView>,
}

/// A month cell of the grid: its input's name, its text, and whether a refused save found it
/// wrong (issue 21: a refused save keeps everything typed and marks the bad cells).
pub struct CellView {
    name: String,
    value: String,
    bad: bool,
}

/// What a refused save of the grid had typed, and the cells it found wrong.
#[derive(Default)]
struct Typed {
    fields: HashMap<String, String>,
    bad: HashSet<String>,
}

/// The input name of a month cell: `o-…` obligations, `p-…` payments, month 1–12.
fn cell_name(basis: Basis, expense_id: i64, month: usize) -> String {
    let letter = match basis {
        Basis::Obligations => 'o',
        Basis::Payments => 'p',
    };
    format!("{letter}-{expense_id}-{month}")
}

impl LineView {
    fn of(line: &PlanLine, typed: &Typed, names: &ExpenseNames) -> LineView {
        let cells = |basis: Basis, stored: &[Tenge; 12]| {
            stored
                .iter()
                .enumerate()
                .map(|(m, amount)| {
                    let name = cell_name(basis, line.expense_id, m + 1);
                    CellView {
                        value: typed
                            .fields
                            .get(&name)
                            .cloned()
                            .unwrap_or_else(|| amount.to_string()),
                        bad: typed.bad.contains(&name),
                        name,
                    }
                })
                .collect()
        };
        LineView {
            expense_id: line.expense_id,
            label: line.label(),
            names: names.names(&line.program, &line.subprogram, &line.specific),
            approved: line.approved.to_string(),
            obligations: cells(Basis::Obligations, &line.obligations),
            payments: cells(Basis::Payments, &line.payments),
        }
    }
}

pub struct ChangeView {
    number: i64,
    kind: String,
    dated: String,
    reason: String,
    moves: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    page: Page,
    id: i64,
    org: String,
    status: String,
    version: i64,
    as_of: String,
    lines: Vec<LineView>,
    changes: Vec<ChangeView>,
    /// The months' names, January first.
    months: Vec<String>,
    /// The rows of the change form: what was typed in them, kept on a refusal.
    change_rows: Vec<ChangeRow>,
    change_head: ChangeHead,
    can_edit: bool,
    can_submit: bool,
    can_approve: bool,
    can_change: bool,
    /// What the approve form gives NCALayer: its address, whose key signs, the bytes.
    ncalayer_url: String,
    iin: String,
    data_base64: String,
    /// The approval signatures, one line each.
    signatures: Vec<String>,
    /// The plan's documents in the Treasury exchange (EX-4).
    rows: Vec<super::exchange::ExchangeRow>,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AsOf {
    as_of: String,
}

fn change_view(ctx: &Ctx, plan: &Plan, doc: &ChangeDoc) -> ChangeView {
    let label = |id: i64| {
        plan.lines
            .iter()
            .find(|l| l.expense_id == id)
            .map(PlanLine::label)
            .unwrap_or_default()
    };
    ChangeView {
        number: doc.number,
        kind: ctx
            .tr
            .t(&format!("plan-change-{:?}", doc.kind).to_lowercase()),
        dated: doc.dated.format("%d.%m.%Y").to_string(),
        reason: doc.reason.clone(),
        moves: doc
            .moves
            .iter()
            .map(|m| {
                ctx.tr.args(
                    "plan-move",
                    &[
                        ("line", label(m.expense_id)),
                        (
                            "basis",
                            ctx.tr
                                .t(&format!("plan-basis-{:?}", m.change.basis).to_lowercase()),
                        ),
                        ("from", m.change.from_month.to_string()),
                        ("to", m.change.to_month.to_string()),
                        ("amount", m.change.amount.to_string()),
                    ],
                )
            })
            .collect(),
    }
}

/// What a refused action had typed: the grid's cells (with the bad ones) or the change form.
#[derive(Default)]
struct Refused {
    message: Option<String>,
    grid: Typed,
    change: HashMap<String, String>,
}

impl Refused {
    fn with(message: String) -> Refused {
        Refused {
            message: Some(message),
            ..Refused::default()
        }
    }
}

async fn plan_page(
    ctx: &Ctx,
    p: &Principal,
    id: i64,
    as_of: &str,
    refused: Refused,
) -> AppResult<Response> {
    let error = refused.message;
    let plan = jospar_execution::usecases::plans::readable(ctx.db(), p, id).await?;
    let date = if as_of.trim().is_empty() {
        p.today
    } else {
        jospar_access::parse_date(as_of, "as_of")?
    };
    let lines = plan
        .as_of(date)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let names = org_names(ctx).await?;
    let abp = jospar_planning::codes::administrator_code(ctx.db(), plan.org_id).await?;
    let expense_names = ExpenseNames::load(ctx.db(), plan.year, abp, ctx.tr.lang()).await?;
    let actions = jospar_execution::usecases::plans::actions(p, &plan);
    let signatures = jospar_execution::usecases::plans::signatures(ctx.db(), p, id)
        .await?
        .into_iter()
        .map(|s| {
            format!(
                "{} · {} {} · {} · {}",
                s.signer_name,
                ctx.tr.t("field-iin"),
                s.signer_iin,
                super::common::almaty_date_time(s.signed_at),
                s.data_sha256
            )
        })
        .collect();
    let rows = jospar_execution::usecases::exchange::of_plan(ctx.db(), p, &plan)
        .await?
        .iter()
        .map(|i| super::exchange::exchange_row(ctx, &names, i))
        .collect();
    let page = Page::new(ctx, "plans-title", "plans").document(
        ctx.tr
            .args("plan-title", &[("year", plan.year.to_string())]),
        vec![
            ("/plans".into(), ctx.tr.t("nav-plans")),
            (
                format!("/plans?within={}", plan.org_id),
                names.get(&plan.org_id).cloned().unwrap_or_default(),
            ),
        ],
    );
    let is_refused = error.is_some();
    let response = render(PlanPage {
        page,
        id,
        org: names.get(&plan.org_id).cloned().unwrap_or_default(),
        status: ctx.tr.t(&format!("plan-status-{}", plan.status.code())),
        version: plan.version,
        as_of: date.format("%d.%m.%Y").to_string(),
        lines: lines
            .iter()
            .map(|l| LineView::of(l, &refused.grid, &expense_names))
            .collect(),
        changes: plan
            .changes
            .iter()
            .map(|d| change_view(ctx, &plan, d))
            .collect(),
        months: (1..=12).map(|m| ctx.tr.t(&format!("month-{m}"))).collect(),
        change_rows: change_rows(&refused.change),
        change_head: ChangeHead::of(&refused.change, date),
        can_edit: actions.edit,
        can_submit: actions.submit,
        can_approve: actions.approve,
        can_change: actions.change,
        ncalayer_url: ctx.state.config.signing.ncalayer_url.clone(),
        iin: p.user.iin.clone(),
        data_base64: {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .encode(jospar_execution::plans::canonical_bytes(&plan))
        },
        signatures,
        rows,
        error,
    })?;
    Ok(unprocessable_if(is_refused, response))
}

async fn show(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<AsOf>) -> AppResult<Response> {
    let p = ctx.user()?;
    plan_page(&ctx, p, id, &q.as_of, Refused::default()).await
}

fn amount(fields: &HashMap<String, String>, name: &str) -> AppResult<Tenge> {
    let text = fields.get(name).map(String::as_str).unwrap_or("0");
    Tenge::parse(if text.trim().is_empty() { "0" } else { text })
        .map_err(|_| AppError::invalid("err-plan-amount-field", name))
}

/// The lines of the plan with the months typed on the grid; every cell that is not an amount
/// is named, so that the page can mark them all at once.
fn typed_lines(plan: &Plan, fields: &HashMap<String, String>) -> (Vec<PlanLine>, Vec<String>) {
    let mut lines = plan.lines.clone();
    let mut bad = Vec::new();
    for line in &mut lines {
        for m in 0..12 {
            for basis in [Basis::Obligations, Basis::Payments] {
                let name = cell_name(basis, line.expense_id, m + 1);
                let cell = match basis {
                    Basis::Obligations => &mut line.obligations[m],
                    Basis::Payments => &mut line.payments[m],
                };
                match amount(fields, &name) {
                    Ok(value) => *cell = value,
                    Err(_) => bad.push(name),
                }
            }
        }
    }
    (lines, bad)
}

/// The message of cells that are not amounts: how many, and where the first one is.
fn bad_cells_message(ctx: &Ctx, plan: &Plan, bad: &[String]) -> String {
    let first = bad.first().map(String::as_str).unwrap_or_default();
    let mut parts = first.splitn(3, '-');
    let (letter, expense, month) = (parts.next(), parts.next(), parts.next());
    let line = expense
        .and_then(|e| e.parse::<i64>().ok())
        .and_then(|e| plan.lines.iter().find(|l| l.expense_id == e))
        .map(PlanLine::label)
        .unwrap_or_default();
    let basis = if letter == Some("o") {
        "plan-basis-obligations"
    } else {
        "plan-basis-payments"
    };
    ctx.tr.args(
        "err-plan-cells",
        &[
            ("count", bad.len().to_string()),
            ("line", line),
            ("basis", ctx.tr.t(basis)),
            (
                "month",
                ctx.tr.t(&format!("month-{}", month.unwrap_or("1"))),
            ),
        ],
    )
}

/// Saves the months of a draft typed on the page (tenge with tiyn). A refusal shows the page
/// again with everything typed, the cells that are not amounts marked.
async fn save(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let plan = jospar_execution::usecases::plans::readable(ctx.db(), p, id).await?;
    let version: i64 = fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let (lines, bad) = typed_lines(&plan, &fields);
    let message = if bad.is_empty() {
        match jospar_execution::usecases::plans::save_months(ctx.db(), p, id, version, &lines).await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&crate::view::done(&format!("/plans/{id}"), "saved"))
                        .into_response(),
                );
            }
            Err(e) => form_message(&ctx, e)?,
        }
    } else {
        bad_cells_message(&ctx, &plan, &bad)
    };
    let refused = Refused {
        message: Some(message),
        grid: Typed {
            bad: bad.into_iter().collect(),
            fields,
        },
        change: HashMap::new(),
    };
    plan_page(&ctx, p, id, "", refused).await
}

async fn approve(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let version: i64 = fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let cms = fields.get("cms").map(String::as_str).unwrap_or("");
    let signing = &ctx.state.config.signing;
    match jospar_execution::usecases::plans::approve(ctx.db(), signing, p, id, version, cms).await {
        Ok(_) => Ok(
            Redirect::to(&crate::view::done(&format!("/plans/{id}"), "approved")).into_response(),
        ),
        Err(e) => plan_page(&ctx, p, id, "", Refused::with(form_message(&ctx, e)?)).await,
    }
}

/// How many moves one change document takes on the page (a change of more is entered as
/// two documents, or through the API).
const CHANGE_ROWS: usize = 6;

/// The head of the change form: kind, date and reason, as typed.
pub struct ChangeHead {
    kind: String,
    dated: String,
    reason: String,
}

impl ChangeHead {
    fn of(typed: &HashMap<String, String>, today: chrono::NaiveDate) -> ChangeHead {
        let get = |k: &str| typed.get(k).cloned().unwrap_or_default();
        ChangeHead {
            kind: get("kind"),
            dated: typed
                .get("dated")
                .cloned()
                .unwrap_or_else(|| today.format("%d.%m.%Y").to_string()),
            reason: get("reason"),
        }
    }
}

/// One move row of the change form, as typed (`n` counts from 1).
pub struct ChangeRow {
    n: usize,
    expense_id: String,
    basis: String,
    from_month: String,
    to_month: String,
    amount: String,
}

fn change_rows(typed: &HashMap<String, String>) -> Vec<ChangeRow> {
    (1..=CHANGE_ROWS)
        .map(|n| {
            let get = |k: &str| typed.get(&format!("m{n}-{k}")).cloned().unwrap_or_default();
            ChangeRow {
                n,
                expense_id: get("expense_id"),
                basis: get("basis"),
                from_month: get("from_month"),
                to_month: get("to_month"),
                amount: get("amount"),
            }
        })
        .collect()
}

/// Submits a draft, or returns a submitted plan with a reason (issue 21).
async fn step(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let version: i64 = fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let reason = fields.get("reason").map(String::as_str).unwrap_or("");
    let (result, done) = match fields.get("action").map(String::as_str) {
        Some("return") => (
            jospar_execution::usecases::plans::return_plan(ctx.db(), p, id, version, reason).await,
            "returned",
        ),
        _ => (
            jospar_execution::usecases::plans::submit(ctx.db(), p, id, version).await,
            "sent",
        ),
    };
    match result {
        Ok(_) => {
            Ok(Redirect::to(&crate::view::done(&format!("/plans/{id}"), done)).into_response())
        }
        Err(e) => plan_page(&ctx, p, id, "", Refused::with(form_message(&ctx, e)?)).await,
    }
}

fn parse_change(fields: &HashMap<String, String>) -> AppResult<ChangeDoc> {
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let kind = match get("kind").as_str() {
        "refinement" => ChangeKind::Refinement,
        "correction" => ChangeKind::Correction,
        _ => ChangeKind::Certificate,
    };
    let mut moves = Vec::new();
    for n in 1..=CHANGE_ROWS {
        let field = |k: &str| format!("m{n}-{k}");
        // A row whose amount is left empty is not a move.
        if get(&field("amount")).is_empty() {
            continue;
        }
        let month = |k: &str| -> AppResult<usize> {
            get(&field(k))
                .parse()
                .map_err(|_| AppError::invalid("err-plan-month-field", k))
        };
        moves.push(LineMove {
            expense_id: jospar_access::parse_id(&get(&field("expense_id")), "expense_id")?,
            change: MonthMove {
                basis: if get(&field("basis")) == "obligations" {
                    Basis::Obligations
                } else {
                    Basis::Payments
                },
                from_month: month("from_month")?,
                to_month: month("to_month")?,
                amount: amount(fields, &field("amount"))
                    .map_err(|_| AppError::invalid("err-plan-amount-field", "amount"))?,
            },
        });
    }
    Ok(ChangeDoc {
        number: 0,
        kind,
        dated: jospar_access::parse_date(&get("dated"), "dated")?,
        reason: get("reason"),
        moves,
    })
}

/// Takes a dated change document of one or several moves; a refusal keeps what was typed.
async fn add_change(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let result = async {
        let doc = parse_change(&fields)?;
        jospar_execution::usecases::plans::add_change(ctx.db(), p, id, doc).await
    }
    .await;
    match result {
        Ok(_) => {
            Ok(Redirect::to(&crate::view::done(&format!("/plans/{id}"), "added")).into_response())
        }
        Err(e) => {
            let refused = Refused {
                message: Some(form_message(&ctx, e)?),
                change: fields,
                ..Refused::default()
            };
            plan_page(&ctx, p, id, "", refused).await
        }
    }
}
