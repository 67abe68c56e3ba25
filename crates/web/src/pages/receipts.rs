//! Plans of receipts pages (EX-1): `/receipt-plans` lists the plans the user may read and makes
//! a draft from the approved annual amounts typed one code per line; `/receipt-plans/{id}`
//! shapes a draft month by month and approves it.

use super::common::Choice;
use super::common::form_message;
use super::common::unprocessable_if;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, HttpError};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::queries::ReceiptPlanFilterParams;
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Reader;
use jospar_core::Tenge;
use jospar_execution::receipts::ReceiptKind;
use jospar_execution::usecases::receipt_plans::{self, ReceiptPlanListRow};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/receipt-plans", get(list).post(create))
        .route("/receipt-plans/{id}", get(show).post(save))
        .route("/receipt-plans/{id}/approve", post(approve))
        .route("/receipt-plans/{id}/reasons", post(explain))
}

pub struct PlanRow {
    id: i64,
    org: String,
    year: i32,
    status: String,
    codes: usize,
    annual: String,
    date: String,
}

/// The sortable columns of the list of plans of receipts: (sort column, heading, numeric).
const COLUMNS: &[(&str, &str, bool)] = &[
    ("org", "field-org_id", false),
    ("year", "field-year", false),
    ("status", "plan-status", false),
    ("codes", "receipts-codes", true),
    ("amount", "receipts-annual-total", true),
    ("date", "col-changed", false),
];

#[derive(Template)]
#[template(path = "receipt_plans.html")]
struct ListPage {
    page: Page,
    plans: Vec<PlanRow>,
    columns: Vec<Column>,
    pager: Pager,
    total: usize,
    filtered: bool,
    search: ListParams,
    filters: ReceiptPlanFilterParams,
    parents: Vec<Choice>,
    years: Vec<Choice>,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    /// Organisations where the user may make a plan.
    orgs: Vec<Choice>,
    error: Option<String>,
}

fn plan_row(ctx: &Ctx, row: &ReceiptPlanListRow) -> PlanRow {
    PlanRow {
        id: row.id,
        org: row.org_name.clone(),
        year: row.year,
        status: ctx.tr.t(&format!("plan-status-{}", row.status.code())),
        codes: row.codes,
        annual: row.annual.to_string(),
        date: crate::view::date(&row.updated_at.date_naive()),
    }
}

/// Plans of receipts are a budget's: made by its authorized body (finance department).
async fn planning_bodies(ctx: &Ctx) -> AppResult<Vec<Choice>> {
    let p = ctx.user()?;
    let mut orgs: Vec<Choice> = receipt_plans::planning_bodies(ctx.db(), p)
        .await?
        .into_iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(ctx.tr.lang()).to_string(),
            selected: false,
        })
        .collect();
    orgs.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(orgs)
}

async fn list_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let filters: ReceiptPlanFilterParams = ctx.query_params();
    let (filter, error) = match filters.filter() {
        Ok(filter) => (filter, error),
        Err(e) => (Default::default(), Some(e.message(&ctx.tr))),
    };
    let query = search.query();
    let listed =
        receipt_plans::list_receipt_plans(ctx.db(), p, ctx.tr.lang(), &filter, &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let refused = error.is_some();
    let response = render(ListPage {
        page: Page::new(ctx, "receipts-title", "plans"),
        plans: listed.rows.iter().map(|r| plan_row(ctx, r)).collect(),
        columns: columns(ctx.tr, &links, &query, COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        total: listed.total,
        filtered: !query.q.is_empty() || filter != Default::default(),
        parents: super::common::parent_choices(ctx, p, &filters.within).await?,
        years: super::common::year_choices(&filters.year),
        statuses: super::plans::plan_status_choices(ctx, &filters.status),
        kinds: super::common::choices(
            ReceiptKind::ALL.iter().map(|k| {
                (
                    k.code().to_string(),
                    ctx.tr.t(&format!("receipt-kind-{}", k.code())),
                )
            }),
            &filters.kind,
        ),
        search,
        filters,
        orgs: planning_bodies(ctx).await?,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    list_page(&ctx, None).await
}

/// Reads "code;annual" lines (tenge with tiyn), naming the line that cannot be read.
fn typed_lines(text: &str) -> AppResult<Vec<(String, Tenge)>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let bad = || AppError::Invalid {
                key: "err-receipt-line-format",
                args: vec![("line", (i + 1).to_string())],
                field: Some(format!("lines[{}]", i + 1)),
            };
            let (code, amount) = line.split_once([';', '\t']).ok_or_else(bad)?;
            let amount = Tenge::parse(amount.trim()).map_err(|_| bad())?;
            Ok((code.trim().to_string(), amount))
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct CreateForm {
    csrf: String,
    org: String,
    year: String,
    lines: String,
}

async fn create(ctx: Ctx, Form(form): Form<CreateForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let org = jospar_access::parse_id(&form.org, "org_id")?;
        let year: i32 = form
            .year
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("err-year", "year"))?;
        let lines = typed_lines(&form.lines)?;
        jospar_execution::usecases::receipt_plans::create(ctx.db(), p, org, year, &lines).await
    }
    .await;
    match result {
        Ok(plan) => Ok(Redirect::to(&crate::view::done(
            &format!("/receipt-plans/{}", plan.id),
            "created",
        ))
        .into_response()),
        Err(e) => list_page(&ctx, Some(form_message(&ctx, e)?)).await,
    }
}

pub struct LineView {
    code: String,
    /// The name of the code's subclass of receipts: the classification goes down to subclasses.
    name: String,
    kind: String,
    annual: String,
    months: Vec<String>,
}

#[derive(Template)]
#[template(path = "receipt_plan.html")]
struct PlanPage {
    page: Page,
    id: i64,
    org: String,
    status: String,
    version: i64,
    lines: Vec<LineView>,
    months: Vec<usize>,
    total: String,
    can_edit: bool,
    can_approve: bool,
    /// An approved plan: the reasons of its shortfalls can be given.
    can_explain: bool,
    approved: String,
    error: Option<String>,
}

async fn plan_page(ctx: &Ctx, id: i64, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let plan =
        jospar_execution::usecases::receipt_plans::readable(ctx.db(), &Reader::User(p), id).await?;
    let names = super::common::org_names(ctx).await?;
    let actions = jospar_execution::usecases::receipt_plans::actions(p, &plan);
    let mut page = Page::new(ctx, "receipts-title", "plans");
    page.title = ctx.tr.args(
        "report-receipt-plan-title",
        &[("year", plan.year.to_string())],
    );
    let subclasses = jospar_classification::repo::code_names(
        ctx.db(),
        plan.year,
        jospar_classification::CodeKind::ReceiptSubclass,
    )
    .await?;
    let lines = plan
        .lines
        .iter()
        .map(|l| LineView {
            code: l.code.clone(),
            name: subclasses.name(l.code.get(..4).unwrap_or(&l.code), ctx.tr.lang()),
            kind: ReceiptKind::of(&l.code)
                .map(|k| ctx.tr.t(&format!("receipt-kind-{}", k.code())))
                .unwrap_or_default(),
            annual: l.annual.to_string(),
            months: l.months.iter().map(Tenge::to_string).collect(),
        })
        .collect();
    let refused = error.is_some();
    let response = render(PlanPage {
        page,
        id,
        org: names.get(&plan.org_id).cloned().unwrap_or_default(),
        status: ctx.tr.t(&format!("plan-status-{}", plan.status.code())),
        version: plan.version,
        lines,
        months: (1..=12).collect(),
        total: plan.annual_total().to_string(),
        can_edit: actions.edit,
        can_approve: actions.approve,
        can_explain: actions.explain,
        approved: match (&plan.approved_by, plan.approved_at) {
            (Some(who), Some(at)) => format!("{who} · {}", super::common::almaty_date_time(at)),
            _ => String::new(),
        },
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    plan_page(&ctx, id, None).await
}

fn version_of(fields: &HashMap<String, String>) -> i64 {
    fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Saves the months typed on the page; each code's annual amount is the sum of its months.
async fn save(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let result = async {
        let plan =
            jospar_execution::usecases::receipt_plans::readable(ctx.db(), &Reader::User(p), id)
                .await?;
        let mut lines = plan.lines.clone();
        for line in &mut lines {
            for m in 0..12 {
                let name = format!("m-{}-{}", line.code, m + 1);
                let text = fields.get(&name).map(String::as_str).unwrap_or("0");
                line.months[m] = Tenge::parse(if text.trim().is_empty() { "0" } else { text })
                    .map_err(|_| AppError::invalid("err-plan-amount-field", &name))?;
            }
        }
        jospar_execution::usecases::receipt_plans::save(
            ctx.db(),
            p,
            id,
            version_of(&fields),
            &lines,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(
            Redirect::to(&crate::view::done(&format!("/receipt-plans/{id}"), "saved"))
                .into_response(),
        ),
        Err(e) => plan_page(&ctx, id, Some(form_message(&ctx, e)?)).await,
    }
}

async fn approve(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    match jospar_execution::usecases::receipt_plans::approve(ctx.db(), p, id, version_of(&fields))
        .await
    {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/receipt-plans/{id}"),
            "approved",
        ))
        .into_response()),
        Err(e) => plan_page(&ctx, id, Some(form_message(&ctx, e)?)).await,
    }
}

/// Gives the reason a code fell short in a reporting period (appendix 2 of order No. 629).
async fn explain(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    match jospar_execution::usecases::receipt_plans::set_shortfall_reason(
        ctx.db(),
        p,
        id,
        field("month"),
        field("code"),
        field("reason"),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/receipt-plans/{id}#reasons"),
            "saved",
        ))
        .into_response()),
        Err(e) => plan_page(&ctx, id, Some(form_message(&ctx, e)?)).await,
    }
}
