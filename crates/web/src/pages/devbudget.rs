//! The development budget (issue 25): the register of investment projects — the list with
//! filters, search, sort and pages; a project's form (new or changed) with its financing by
//! year and source and its construction objects, kept as typed when refused — and an
//! organisation's procurement from the portal: load now, a saved page imported, its contracts
//! each linked to a project, and its plan points.

use super::common::{Choice, Upload, choices, form_message, multipart_form, unprocessable_if};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_core::money::Tenge;
use jospar_devbudget::procurement::{self, LoadOutcome};
use jospar_devbudget::projects::{
    self, ConstructionObject, Financing, KINDS, Project, ProjectInput, SOURCES, SPHERES, STATES,
};
use serde::Deserialize;
use std::collections::HashMap;

pub(super) const MENU: &[MenuEntry] = &[
    MenuEntry {
        path: "/investment-projects",
        current: "investment-projects",
        title_key: "nav-investment-projects",
        group: MenuGroup::Planning,
        access: Access::Read,
    },
    MenuEntry {
        path: "/procurement",
        current: "procurement",
        title_key: "nav-procurement",
        group: MenuGroup::Execution,
        access: Access::Read,
    },
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/investment-projects", get(list).post(create))
        .route("/investment-projects/new", get(new_form))
        .route("/investment-projects/form-409", post(load_409))
        .route("/investment-projects/{id}", get(show).post(update))
        .route("/procurement", get(procurement_page))
        .route("/procurement/{org}/load/{kind}", post(load))
        .route("/procurement/{org}/import/{kind}", post(import))
        .route(
            "/procurement/{org}/contracts/{contract}/project",
            post(link),
        )
        .route(
            "/procurement/{org}/plans/{point}/expense",
            post(link_expense),
        )
}

type Fields = HashMap<String, String>;

fn field<'a>(fields: &'a Fields, key: &str) -> &'a str {
    fields.get(key).map(String::as_str).unwrap_or("")
}

/// Blank rows the form offers for financing and objects beyond those filled.
const SPARE_ROWS: usize = 3;

const PROJECT_COLUMNS: &[(&str, &str, bool)] = &[
    ("code", "project-col-code", false),
    ("name", "col-name", false),
    ("program", "project-col-program", false),
    ("sphere", "project-col-sphere", false),
    ("state", "project-col-state", false),
    ("starts_on", "project-col-dates", false),
    ("total_cost", "project-col-cost", true),
];

pub struct ProjectLine {
    id: i64,
    code: String,
    name: String,
    program: String,
    sphere: String,
    state: String,
    state_code: String,
    dates: String,
    cost: String,
}

#[derive(Template)]
#[template(path = "investment_projects.html")]
struct ListPage {
    page: Page,
    lines: Vec<ProjectLine>,
    columns: Vec<Column>,
    pager: Pager,
    q: String,
    sort: String,
    states: Vec<Choice>,
    spheres: Vec<Choice>,
    can_enter: bool,
    /// The organisations whose form 4-09 the user may load.
    loaders: Vec<Choice>,
    /// The form's date as typed when a load was refused.
    form409_date: String,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProjectFilter {
    state: String,
    sphere: String,
}

fn labelled(ctx: &Ctx, prefix: &str, codes: &[&str], selected: &str) -> Vec<Choice> {
    choices(
        codes
            .iter()
            .map(|c| (c.to_string(), ctx.tr.t(&format!("{prefix}{c}")))),
        selected,
    )
}

fn money(tiyn: i64) -> String {
    Tenge::from_tiyn(tiyn).to_string()
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    list_with(&ctx, None, None, &Fields::new()).await
}

/// The list with the outcome of a load of form 4-09 (`typed`: its fields as sent, kept on a
/// refusal).
async fn list_with(
    ctx: &Ctx,
    message: Option<String>,
    error: Option<String>,
    typed: &Fields,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let params: ListParams = ctx.query_params();
    let query = params.query();
    let filter: ProjectFilter = ctx.query_params();
    let listed = projects::list(ctx.db(), p, &filter.state, &filter.sphere, &query).await?;
    let lang = ctx.tr.lang();
    let lines = listed
        .rows
        .iter()
        .map(|pr| ProjectLine {
            id: pr.id,
            code: pr.code.clone(),
            name: pr.name(lang).to_string(),
            program: format!("{} {}", pr.input.program, pr.input.subprogram),
            sphere: ctx.tr.t(&format!("project-sphere-{}", pr.input.sphere)),
            state: ctx.tr.t(&format!("project-state-{}", pr.input.state)),
            state_code: pr.input.state.clone(),
            dates: format!(
                "{} – {}",
                crate::view::date(&pr.input.starts_on),
                crate::view::date(&pr.input.ends_on)
            ),
            cost: money(pr.input.total_cost_tiyn),
        })
        .collect();
    let links = Links::new(&ctx.path, &ctx.query);
    let loaders = projects::administrators(ctx.db(), p, None)
        .await?
        .iter()
        .map(|o| (o.id.to_string(), o.name(lang).to_string()))
        .collect::<Vec<_>>();
    let refused = error.is_some();
    let response = render(ListPage {
        page: Page::new(ctx, "projects-title", "investment-projects"),
        lines,
        columns: columns(ctx.tr, &links, &query, PROJECT_COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        q: params.q.clone(),
        sort: params.sort.clone(),
        states: labelled(ctx, "project-state-", &STATES, &filter.state),
        spheres: labelled(ctx, "project-sphere-", &SPHERES, &filter.sphere),
        can_enter: projects::may_register(p),
        loaders: choices(
            loaders,
            match field(typed, "org") {
                "" => p.user.org_id.to_string(),
                org => org.to_string(),
            }
            .as_str(),
        ),
        form409_date: field(typed, "date").to_string(),
        message,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

/// Loads form 4-09 from the list page: the outcome or the refusal above the list.
async fn load_409(ctx: Ctx, multipart: Multipart) -> AppResult<Response> {
    let p = ctx.user()?;
    let (fields, files) = multipart_form(multipart).await?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let typed = |key: &str| fields.get(key).map(String::as_str).unwrap_or("");
    let Some(Upload { bytes, .. }) = files.into_iter().next() else {
        let error = Some(ctx.tr.t("err-import-upload"));
        return list_with(&ctx, None, error, &fields).await;
    };
    let loaded = async {
        let org = jospar_access::parse_id(typed("org"), "org")?;
        let date = jospar_access::parse_date(typed("date"), "date")?;
        jospar_devbudget::form409::load(ctx.db(), p, org, date, &bytes).await
    }
    .await;
    match loaded {
        Ok(o) => {
            let message = ctx.tr.args(
                "form409-loaded",
                &[
                    ("projects", o.projects_created.len().to_string()),
                    (
                        "codes",
                        if o.projects_created.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", o.projects_created.join(", "))
                        },
                    ),
                    ("created", o.contracts_created.to_string()),
                    ("changed", o.contracts_changed.to_string()),
                    ("unchanged", o.contracts_unchanged.to_string()),
                ],
            );
            list_with(&ctx, Some(message), None, &Fields::new()).await
        }
        Err(e) => {
            let error = Some(form_message(&ctx, e)?);
            list_with(&ctx, None, error, &fields).await
        }
    }
}

/// A row of the financing table as typed.
pub struct FinancingRow {
    year: String,
    sources: Vec<Choice>,
    amount: String,
}

/// A row of the objects table as typed.
pub struct ObjectRow {
    name_ru: String,
    name_kk: String,
    kato: String,
    cost: String,
}

pub struct LinkedContract {
    number: String,
    name: String,
    year: i64,
    sum: String,
    executed: String,
}

#[derive(Template)]
#[template(path = "investment_project.html")]
struct FormPage {
    page: Page,
    /// None for a new project.
    id: Option<i64>,
    code: String,
    version: String,
    fields: Fields,
    admins: Vec<Choice>,
    spheres: Vec<Choice>,
    kinds: Vec<Choice>,
    states: Vec<Choice>,
    financing: Vec<FinancingRow>,
    objects: Vec<ObjectRow>,
    contracts: Vec<LinkedContract>,
    can_enter: bool,
    error: Option<String>,
}

impl FormPage {
    /// A field as typed (or as saved).
    fn f(&self, key: &str) -> &str {
        field(&self.fields, key)
    }
}

/// The form's fields of a saved project.
fn fields_of(project: &Project) -> Fields {
    let i = &project.input;
    let mut fields: Fields = [
        ("name_ru", i.name_ru.clone()),
        ("name_kk", i.name_kk.clone()),
        ("admin_org_id", i.admin_org_id.to_string()),
        ("program", i.program.clone()),
        ("subprogram", i.subprogram.clone()),
        ("sphere", i.sphere.clone()),
        ("kind", i.kind.clone()),
        ("state", i.state.clone()),
        ("kato", i.kato.clone()),
        ("starts_on", i.starts_on.to_string()),
        ("ends_on", i.ends_on.to_string()),
        ("total_cost", money(i.total_cost_tiyn)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (n, f) in i.financing.iter().enumerate() {
        fields.insert(format!("fin_year_{n}"), f.year.to_string());
        fields.insert(format!("fin_source_{n}"), f.source.clone());
        fields.insert(format!("fin_amount_{n}"), money(f.amount_tiyn));
    }
    for (n, o) in i.objects.iter().enumerate() {
        fields.insert(format!("obj_name_ru_{n}"), o.name_ru.clone());
        fields.insert(format!("obj_name_kk_{n}"), o.name_kk.clone());
        fields.insert(format!("obj_kato_{n}"), o.kato.clone());
        fields.insert(format!("obj_cost_{n}"), money(o.cost_tiyn));
    }
    fields
}

/// How many numbered rows with `prefix` the form holds.
fn rows_typed(fields: &Fields, prefix: &str) -> usize {
    fields
        .keys()
        .filter_map(|k| k.strip_prefix(prefix)?.parse::<usize>().ok())
        .map(|n| n + 1)
        .max()
        .unwrap_or(0)
}

async fn form_page(
    ctx: &Ctx,
    id: Option<i64>,
    code: String,
    version: i64,
    fields: Fields,
    contracts: Vec<LinkedContract>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let lang = ctx.tr.lang();
    let admin = field(&fields, "admin_org_id").to_string();
    let admins = choices(
        projects::administrators(ctx.db(), p, admin.parse().ok())
            .await?
            .into_iter()
            .map(|o| (o.id.to_string(), o.name(lang).to_string())),
        &admin,
    );
    let financing = (0..rows_typed(&fields, "fin_year_") + SPARE_ROWS)
        .map(|n| FinancingRow {
            year: field(&fields, &format!("fin_year_{n}")).to_string(),
            sources: labelled(
                ctx,
                "project-source-",
                &SOURCES,
                field(&fields, &format!("fin_source_{n}")),
            ),
            amount: field(&fields, &format!("fin_amount_{n}")).to_string(),
        })
        .collect();
    let objects = (0..rows_typed(&fields, "obj_name_ru_") + SPARE_ROWS)
        .map(|n| ObjectRow {
            name_ru: field(&fields, &format!("obj_name_ru_{n}")).to_string(),
            name_kk: field(&fields, &format!("obj_name_kk_{n}")).to_string(),
            kato: field(&fields, &format!("obj_kato_{n}")).to_string(),
            cost: field(&fields, &format!("obj_cost_{n}")).to_string(),
        })
        .collect();
    let title = if code.is_empty() {
        ctx.tr.t("project-new")
    } else {
        format!("{} {code}", ctx.tr.t("project-mizh"))
    };
    let refused = error.is_some();
    let can_enter = match admin.parse::<i64>() {
        Ok(org) => projects::may_enter(p, org),
        Err(_) => projects::may_register(p),
    };
    let response = render(FormPage {
        page: Page::new(ctx, "projects-title", "investment-projects").document(
            title,
            vec![(
                "/investment-projects".to_string(),
                ctx.tr.t("projects-title"),
            )],
        ),
        id,
        code,
        version: version.to_string(),
        spheres: labelled(ctx, "project-sphere-", &SPHERES, field(&fields, "sphere")),
        kinds: labelled(ctx, "project-kind-", &KINDS, field(&fields, "kind")),
        states: labelled(ctx, "project-state-", &STATES, field(&fields, "state")),
        fields,
        admins,
        financing,
        objects,
        contracts,
        can_enter,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    let mut fields = Fields::new();
    fields.insert("state".into(), "planned".into());
    form_page(&ctx, None, String::new(), 0, fields, Vec::new(), None).await
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let p = ctx.user()?;
    let project = projects::get(ctx.db(), p, id).await?;
    let contracts = linked_contracts(&ctx, id).await?;
    form_page(
        &ctx,
        Some(id),
        project.code.clone(),
        project.version,
        fields_of(&project),
        contracts,
        None,
    )
    .await
}

/// The project's contracts: from form 4-09 (its codes and supplier for a name, what was paid
/// as executed), then from the procurement portal.
async fn linked_contracts(ctx: &Ctx, id: i64) -> AppResult<Vec<LinkedContract>> {
    let p = ctx.user()?;
    let lang = ctx.tr.lang();
    let registered = jospar_devbudget::form409::contracts_of_project(ctx.db(), p, id)
        .await?
        .into_iter()
        .map(|c| LinkedContract {
            name: ctx.tr.args(
                "project-contract-409",
                &[
                    (
                        "codes",
                        format!("{} {} {} {}", c.abp, c.program, c.subprogram, c.specific),
                    ),
                    ("supplier", c.supplier_bin.clone()),
                    ("date", crate::view::date(&c.signed_on)),
                ],
            ),
            number: c.number,
            year: c.year,
            sum: money(c.amount),
            executed: money(c.paid),
        });
    Ok(registered
        .chain(
            procurement::contracts_of_project(ctx.db(), p, id)
                .await?
                .into_iter()
                .map(|c| LinkedContract {
                    number: c.contract_number_sys,
                    name: if lang == "kk" && !c.name_kz.is_empty() {
                        c.name_kz
                    } else {
                        c.name_ru
                    },
                    year: c.fin_year,
                    sum: money(c.sum_with_vat),
                    executed: money(c.executed_with_vat),
                }),
        )
        .collect())
}

fn amount(value: &str, field_name: &str) -> Result<i64, jospar_access::Error> {
    if value.trim().is_empty() {
        return Ok(0);
    }
    Tenge::parse(value)
        .map(Tenge::tiyn)
        .map_err(|_| jospar_access::Error::invalid("err-amount-field", field_name))
}

/// The project a form holds, refused naming the field (a table's row by its number).
fn input_of(fields: &Fields) -> Result<ProjectInput, jospar_access::Error> {
    let mut financing = Vec::new();
    for n in 0..rows_typed(fields, "fin_year_") {
        let row = format!("financing[{}]", n + 1);
        let year = field(fields, &format!("fin_year_{n}")).trim();
        let typed = field(fields, &format!("fin_amount_{n}")).trim();
        if year.is_empty() && typed.is_empty() {
            continue;
        }
        financing.push(Financing {
            year: year
                .parse()
                .map_err(|_| jospar_access::Error::invalid("err-year", &row))?,
            source: field(fields, &format!("fin_source_{n}")).to_string(),
            amount_tiyn: amount(typed, &row)?,
        });
    }
    let mut objects = Vec::new();
    for n in 0..rows_typed(fields, "obj_name_ru_") {
        let row = format!("objects[{}]", n + 1);
        let name_ru = field(fields, &format!("obj_name_ru_{n}")).trim();
        let name_kk = field(fields, &format!("obj_name_kk_{n}")).trim();
        let kato = field(fields, &format!("obj_kato_{n}")).trim();
        let cost = field(fields, &format!("obj_cost_{n}")).trim();
        if [name_ru, name_kk, kato, cost].iter().all(|v| v.is_empty()) {
            continue;
        }
        objects.push(ConstructionObject {
            name_ru: name_ru.to_string(),
            name_kk: name_kk.to_string(),
            kato: kato.to_string(),
            cost_tiyn: amount(cost, &row)?,
        });
    }
    Ok(ProjectInput {
        name_ru: field(fields, "name_ru").trim().to_string(),
        name_kk: field(fields, "name_kk").trim().to_string(),
        admin_org_id: jospar_access::parse_id(field(fields, "admin_org_id"), "admin_org_id")?,
        program: field(fields, "program").trim().to_string(),
        subprogram: field(fields, "subprogram").trim().to_string(),
        sphere: field(fields, "sphere").to_string(),
        kind: field(fields, "kind").to_string(),
        state: field(fields, "state").to_string(),
        kato: field(fields, "kato").trim().to_string(),
        starts_on: date_field(fields, "starts_on")?,
        ends_on: date_field(fields, "ends_on")?,
        total_cost_tiyn: amount(field(fields, "total_cost"), "total_cost")?,
        financing,
        objects,
    })
}

async fn create(ctx: Ctx, Form(fields): Form<Fields>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = match input_of(&fields) {
        Ok(input) => projects::create(ctx.db(), p, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(project) => Ok(Redirect::to(&crate::view::done(
            &format!("/investment-projects/{}", project.id),
            "created",
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            form_page(
                &ctx,
                None,
                String::new(),
                0,
                fields,
                Vec::new(),
                Some(message),
            )
            .await
        }
    }
}

async fn update(ctx: Ctx, Path(id): Path<i64>, Form(fields): Form<Fields>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let version = field(&fields, "version").parse().unwrap_or(0);
    let reason = Some(field(&fields, "reason").trim().to_string()).filter(|r| !r.is_empty());
    let result = match input_of(&fields) {
        Ok(input) => projects::update(ctx.db(), p, id, version, input, reason).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/investment-projects/{id}"),
            "saved",
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let project = projects::get(ctx.db(), p, id).await?;
            let contracts = linked_contracts(&ctx, id).await?;
            form_page(
                &ctx,
                Some(id),
                project.code,
                version,
                fields,
                contracts,
                Some(message),
            )
            .await
        }
    }
}

const CONTRACT_COLUMNS: &[(&str, &str, bool)] = &[
    ("number", "contract-col-number", false),
    ("name", "col-name", false),
    ("year", "field-year", true),
    ("signed", "contract-col-signed", false),
    ("sum", "contract-col-sum", true),
    ("executed", "contract-col-executed", true),
    ("", "contract-col-project", false),
];

pub struct ContractLine {
    id: i64,
    number: String,
    name: String,
    year: i64,
    signed: String,
    sum: String,
    executed: String,
    deleted: bool,
    projects: Vec<Choice>,
}

pub struct PointLine {
    id: i64,
    year: i64,
    name: String,
    enstru: String,
    quantity: String,
    amount: String,
    active: bool,
    /// The expense identifier it buys for, as typed in its field.
    expense: String,
}

#[derive(Template)]
#[template(path = "procurement.html")]
struct ProcurementPage {
    page: Page,
    orgs: Vec<Choice>,
    org: Option<i64>,
    bin: String,
    contracts: Vec<ContractLine>,
    columns: Vec<Column>,
    pager: Pager,
    q: String,
    points: Vec<PointLine>,
    points_total: usize,
    states: Vec<String>,
    can_enter: bool,
    portal: bool,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OrgQuery {
    org: String,
}

async fn procurement_page(ctx: Ctx) -> AppResult<Response> {
    procurement_page_with(&ctx, None, None, None).await
}

async fn procurement_page_with(
    ctx: &Ctx,
    org: Option<i64>,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let lang = ctx.tr.lang();
    let customers = procurement::customers(ctx.db(), p).await?;
    let asked: OrgQuery = ctx.query_params();
    let org = org
        .or_else(|| asked.org.parse().ok())
        .or_else(|| {
            // The user's own organisation first, when it buys through the portal.
            customers
                .iter()
                .find(|o| o.id == p.user.org_id)
                .or(customers.first())
                .map(|o| o.id)
        })
        .filter(|id| customers.iter().any(|o| o.id == *id));
    let params: ListParams = ctx.query_params();
    let query = params.query();
    let links = Links::new(&ctx.path, &ctx.query);
    let (contracts, pager, points, points_total, states, bin) = match org {
        Some(org) => {
            let listed = procurement::contracts(ctx.db(), p, org, &query).await?;
            let readable = projects::readable(ctx.db(), p).await?;
            let contracts = listed
                .rows
                .iter()
                .map(|c| ContractLine {
                    id: c.id,
                    number: c.contract_number_sys.clone(),
                    name: if lang == "kk" && !c.name_kz.is_empty() {
                        c.name_kz.clone()
                    } else {
                        c.name_ru.clone()
                    },
                    year: c.fin_year,
                    signed: signed_on(c.sign_date.as_deref()),
                    sum: money(c.sum_with_vat),
                    executed: money(c.executed_with_vat),
                    deleted: c.deleted,
                    projects: choices(
                        readable.iter().map(|pr| {
                            (pr.id.to_string(), format!("{} {}", pr.code, pr.name(lang)))
                        }),
                        &c.project_id.map(|id| id.to_string()).unwrap_or_default(),
                    ),
                })
                .collect();
            let points_query = jospar_core::listing::ListQuery {
                limit: 20,
                ..Default::default()
            };
            let listed_points = procurement::plan_points(ctx.db(), p, org, &points_query).await?;
            let points = listed_points
                .rows
                .iter()
                .map(|pt| PointLine {
                    id: pt.id,
                    year: pt.year,
                    name: if lang == "kk" && !pt.name_kz.is_empty() {
                        pt.name_kz.clone()
                    } else {
                        pt.name_ru.clone()
                    },
                    enstru: pt.enstru_code.clone(),
                    quantity: pt.quantity.clone(),
                    amount: money(pt.amount),
                    active: pt.active,
                    expense: pt.expense_id.map(|e| e.to_string()).unwrap_or_default(),
                })
                .collect();
            let bin = customers
                .iter()
                .find(|o| o.id == org)
                .and_then(|o| o.bin.clone())
                .unwrap_or_default();
            let mut states = Vec::new();
            for kind in [
                jospar_goszakup::Kind::Plans,
                jospar_goszakup::Kind::Contracts,
            ] {
                if let Some(s) = procurement::load_state(ctx.db(), &bin, kind).await? {
                    states.push(load_state_text(ctx, &s));
                }
            }
            (
                contracts,
                Pager::new(ctx.tr, &links, &listed),
                points,
                listed_points.total,
                states,
                bin,
            )
        }
        None => (
            Vec::new(),
            Pager::new(
                ctx.tr,
                &links,
                &jospar_core::listing::Listed::<()> {
                    rows: Vec::new(),
                    total: 0,
                    offset: 0,
                    limit: query.limit,
                },
            ),
            Vec::new(),
            0,
            Vec::new(),
            String::new(),
        ),
    };
    let refused = error.is_some();
    let response = render(ProcurementPage {
        page: Page::new(ctx, "procurement-title", "procurement"),
        orgs: choices(
            customers
                .iter()
                .map(|o| (o.id.to_string(), o.name(lang).to_string())),
            &org.map(|o| o.to_string()).unwrap_or_default(),
        ),
        org,
        bin,
        contracts,
        columns: columns(ctx.tr, &links, &query, CONTRACT_COLUMNS),
        pager,
        q: params.q.clone(),
        points,
        points_total,
        states,
        can_enter: org.is_some_and(|o| procurement::may_enter(p, o)),
        portal: ctx.state.config.goszakup.is_some(),
        message,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

fn load_state_text(ctx: &Ctx, s: &procurement::LoadState) -> String {
    let kind = ctx.tr.t(&format!("procurement-kind-{}", s.kind));
    let key = if s.finished_at.is_some() {
        "procurement-state-finished"
    } else {
        "procurement-state-stopped"
    };
    ctx.tr.args(
        key,
        &[
            ("kind", kind),
            ("pages", s.pages.to_string()),
            ("items", s.items.to_string()),
            (
                "date",
                jospar_i18n::almaty_date_time(s.finished_at.unwrap_or(s.started_at)),
            ),
        ],
    )
}

fn kind_of(value: &str) -> AppResult<jospar_goszakup::Kind> {
    crate::api::devbudget_kind(value)
}

fn outcome_text(ctx: &Ctx, o: &LoadOutcome) -> (Option<String>, Option<String>) {
    let args = [
        (
            "kind",
            ctx.tr.t(&format!("procurement-kind-{}", o.kind.code())),
        ),
        ("pages", o.pages.to_string()),
        ("items", o.items.to_string()),
        ("problem", o.problem.clone().unwrap_or_default()),
    ];
    match &o.problem {
        None => (Some(ctx.tr.args("procurement-loaded", &args)), None),
        Some(_) => (None, Some(ctx.tr.args("procurement-load-stopped", &args))),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn load(
    ctx: Ctx,
    Path((org, kind)): Path<(i64, String)>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let kind = kind_of(&kind)?;
    let Some(portal) = ctx.state.config.goszakup.as_ref() else {
        let error = Some(ctx.tr.t("err-goszakup-off"));
        return procurement_page_with(&ctx, Some(org), None, error).await;
    };
    let outcome = procurement::load(ctx.db(), portal.as_ref(), p, org, kind).await?;
    let (message, error) = outcome_text(&ctx, &outcome);
    procurement_page_with(&ctx, Some(org), message, error).await
}

async fn import(
    ctx: Ctx,
    Path((org, kind)): Path<(i64, String)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let (fields, files) = multipart_form(multipart).await?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let kind = kind_of(&kind)?;
    let Some(Upload { bytes, .. }) = files.into_iter().next() else {
        let error = Some(ctx.tr.t("err-import-upload"));
        return procurement_page_with(&ctx, Some(org), None, error).await;
    };
    match procurement::import_page(ctx.db(), p, org, kind, &bytes).await {
        Ok(items) => {
            let message = ctx
                .tr
                .args("procurement-imported", &[("items", items.to_string())]);
            procurement_page_with(&ctx, Some(org), Some(message), None).await
        }
        Err(e) => {
            let error = Some(form_message(&ctx, e)?);
            procurement_page_with(&ctx, Some(org), None, error).await
        }
    }
}

async fn link(
    ctx: Ctx,
    Path((org, contract)): Path<(i64, i64)>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let project = match field(&fields, "project_id").trim() {
        "" => None,
        typed => Some(jospar_access::parse_id(typed, "project_id")?),
    };
    match procurement::link(ctx.db(), p, org, contract, project).await {
        Ok(()) => Ok(Redirect::to(&crate::view::done(
            &format!("/procurement?org={org}#contract-{contract}"),
            "saved",
        ))
        .into_response()),
        Err(e) => {
            let error = Some(form_message(&ctx, e)?);
            procurement_page_with(&ctx, Some(org), None, error).await
        }
    }
}

/// A date field of a form, refused naming it.
fn date_field(fields: &Fields, name: &str) -> Result<chrono::NaiveDate, jospar_access::Error> {
    jospar_access::parse_date(field(fields, name), name)
}

/// The day a contract was signed, as people read dates (the portal gives date and time).
fn signed_on(sign_date: Option<&str>) -> String {
    let text = sign_date.unwrap_or_default();
    text.get(..10)
        .and_then(|day| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .map_or_else(|| text.to_string(), |day| crate::view::date(&day))
}

async fn link_expense(
    ctx: Ctx,
    Path((org, point)): Path<(i64, i64)>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let linked = async {
        let expense = match field(&fields, "expense_id").trim() {
            "" => None,
            typed => Some(jospar_access::parse_id(typed, "expense_id")?),
        };
        procurement::link_expense(ctx.db(), p, org, point, expense).await
    }
    .await;
    match linked {
        Ok(()) => Ok(Redirect::to(&crate::view::done(
            &format!("/procurement?org={org}#point-{point}"),
            "saved",
        ))
        .into_response()),
        Err(e) => {
            let error = Some(form_message(&ctx, e)?);
            procurement_page_with(&ctx, Some(org), None, error).await
        }
    }
}
