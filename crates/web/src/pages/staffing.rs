//! The staffing table on screen (ST-1): an institution's positions of a year with each
//! position's monthly pay and the year's fund by program, adding and removing positions,
//! copying the year to the next and comparing it with the previous one, XLSX and PDF.

use super::common::Choice;
use super::common::form_message;
use crate::AppState;
use crate::ctx::{Ctx, Principal};
use crate::error::{AppError, AppResult};
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_core::Tenge;
use jospar_org::{OrgKind, Right};
use jospar_staffing::import::parse_fixed;
use jospar_staffing::reports::{allowances_total, annual_pay, units_text};
use jospar_staffing::usecases as service;
use jospar_staffing::{
    Allowance, Coefficient, Percent, Position, PositionChange, StaffUnits, WorkerCategory,
};
use serde::Deserialize;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/staffing",
    current: "staffing",
    title_key: "nav-staffing",
    group: MenuGroup::Planning,
    access: Access::Read,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staffing", get(show))
        .route("/staffing/positions", post(add_position))
        .route("/staffing/positions/remove", post(remove_position))
        .route("/staffing/copy", post(copy_year))
        .route(
            "/staffing/reference",
            get(show_reference).post(set_reference),
        )
        .route("/staffing/template", get(template))
        .route("/staffing/import", post(import))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Which {
    org: String,
    year: String,
    format: String,
    /// The number of a position to edit in the position form.
    edit: String,
}

pub struct PositionView {
    index: usize,
    program: String,
    program_name: String,
    unit: String,
    title: String,
    category: String,
    grade: String,
    service_years: u8,
    staff_units: String,
    salary: String,
    allowances: String,
    total: String,
    annual: String,
}

pub struct ChangeView {
    change: String,
    title: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "staffing.html")]
struct StaffingPage {
    page: Page,
    error: Option<String>,
    orgs: Vec<Choice>,
    years: Vec<Choice>,
    org: i64,
    year: i32,
    exists: bool,
    can_edit: bool,
    version: i64,
    positions: Vec<PositionView>,
    /// Program · subprogram, its name, then payroll, 116, 121, 122, 124.
    groups: Vec<(String, String, Vec<String>)>,
    /// The specifics of the fund's columns: code and name.
    fund_specifics: Vec<(String, String)>,
    totals: Vec<String>,
    categories: Vec<Choice>,
    changes: Vec<ChangeView>,
    /// What the user typed into the position form, kept when the save is refused.
    draft: PositionForm,
    /// The three allowance rows of the form: kinds to choose from, name, value.
    allowance_rows: Vec<(Vec<Choice>, String, String)>,
}

/// The names of the organisation's expense codes, from the classification of the year under
/// the ABP the organisation belongs to.
async fn expense_names(
    ctx: &Ctx,
    org: i64,
    year: i32,
) -> AppResult<jospar_classification::repo::ExpenseNames> {
    let abp = jospar_planning::codes::administrator_code(ctx.db(), org).await?;
    Ok(jospar_classification::repo::ExpenseNames::load(ctx.db(), year, abp, ctx.tr.lang()).await?)
}

/// The payroll specifics of the fund table, with their names.
async fn fund_specifics(ctx: &Ctx, year: i32) -> AppResult<Vec<(String, String)>> {
    let names = jospar_classification::repo::code_names(
        ctx.db(),
        year,
        jospar_classification::CodeKind::EconSpecific,
    )
    .await?;
    Ok(["111", "116", "121", "122", "124"]
        .into_iter()
        .map(|code| (code.to_string(), names.name(code, ctx.tr.lang())))
        .collect())
}

fn category_name(tr: &crate::i18n::Tr, c: WorkerCategory) -> String {
    tr.t(jospar_staffing::reports::category_key(c))
}

fn readable_institutions(
    p: &Principal,
    orgs: &[jospar_org::Org],
    lang: &str,
    selected: i64,
) -> Vec<Choice> {
    let mut list: Vec<Choice> = jospar_org::usecases::orgs_with(p, Right::Read, orgs)
        .into_iter()
        .filter(|o| matches!(o.kind, OrgKind::Institution | OrgKind::Enterprise))
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(lang).to_string(),
            selected: o.id == selected,
        })
        .collect();
    list.sort_by(|a, b| a.label.cmp(&b.label));
    list
}

async fn show(ctx: Ctx, Query(which): Query<Which>) -> AppResult<Response> {
    let p = ctx.user()?;
    let draft = match which.edit.parse::<usize>() {
        Ok(index) => {
            let (org, year) = (
                which.org.parse().unwrap_or(0),
                which.year.parse().unwrap_or(0),
            );
            let positions = current_positions(&ctx, p, org, year).await?;
            let position = positions.get(index).ok_or(AppError::NotFound)?;
            PositionForm::of(position, index)
        }
        Err(_) => PositionForm::blank(),
    };
    page(&ctx, &which, None, draft).await
}

async fn page(
    ctx: &Ctx,
    which: &Which,
    error: Option<String>,
    draft: PositionForm,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let lang = ctx.tr.lang();
    let all = jospar_org::repo::all_orgs(ctx.db()).await?;
    let org: i64 = which
        .org
        .parse()
        .unwrap_or(service::default_org(p).unwrap_or(0));
    let actions = service::table_actions(p, org);
    let this_year = chrono::Datelike::year(&p.today);
    let year: i32 = which.year.parse().unwrap_or(this_year + 1);
    let orgs = readable_institutions(p, &all, lang, org);
    let years = (this_year..=this_year + 3)
        .map(|y| Choice {
            value: y.to_string(),
            label: y.to_string(),
            selected: y == year,
        })
        .collect();
    let mut view = StaffingPage {
        page: Page::new(ctx, "staffing-title", "staffing"),
        error,
        orgs,
        years,
        org,
        year,
        exists: false,
        can_edit: org != 0 && actions.edit,
        version: 0,
        positions: Vec::new(),
        groups: Vec::new(),
        fund_specifics: fund_specifics(ctx, year).await?,
        totals: Vec::new(),
        categories: [
            WorkerCategory::CivilServant,
            WorkerCategory::StateServant,
            WorkerCategory::NonStaff,
        ]
        .into_iter()
        .map(|c| Choice {
            selected: serde_json_code(c) == draft.category,
            value: serde_json_code(c),
            label: category_name(&ctx.tr, c),
        })
        .collect(),
        changes: Vec::new(),
        allowance_rows: (0..3)
            .map(|i| {
                let kind = draft.allowance_kind.get(i).cloned().unwrap_or_default();
                let kinds = ALLOWANCE_KINDS
                    .into_iter()
                    .map(|k| Choice {
                        value: k.into(),
                        label: ctx.tr.t(&format!("staff-allowance-{k}")),
                        selected: k == kind,
                    })
                    .collect();
                (
                    kinds,
                    draft.allowance_name.get(i).cloned().unwrap_or_default(),
                    draft.allowance_value.get(i).cloned().unwrap_or_default(),
                )
            })
            .collect(),
        draft,
    };
    if org == 0 || !actions.read {
        return render(view);
    }
    let priced = match service::staffing_table(ctx.db(), p, org, year).await {
        Ok(t) => Some(t),
        Err(AppError::NotFound) => None,
        Err(e @ AppError::Invalid { .. }) => {
            view.error = Some(form_message(ctx, e)?);
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(t) = priced {
        if let Some(file) = export(ctx, &t, &which.format)? {
            return Ok(file);
        }
        view.exists = true;
        view.version = t.version;
        let names = expense_names(ctx, org, year).await?;
        view.positions = t
            .positions
            .iter()
            .zip(&t.pay)
            .enumerate()
            .map(|(index, (position, pay))| PositionView {
                index,
                program: format!("{} {}", position.program, position.subprogram)
                    .trim()
                    .to_string(),
                program_name: names.label(&position.program, &position.subprogram, ""),
                unit: position.unit.clone(),
                title: position.title.clone(),
                category: category_name(&ctx.tr, position.category),
                grade: position.grade.clone(),
                service_years: position.service_years,
                staff_units: units_text(position.staff_units.0),
                salary: pay.official_salary.to_string(),
                allowances: allowances_total(pay).to_string(),
                total: pay.total.to_string(),
                annual: annual_pay(position, pay).to_string(),
            })
            .collect();
        view.groups = t
            .fund
            .groups
            .iter()
            .map(|g| {
                (
                    format!("{} {}", g.program, g.subprogram).trim().to_string(),
                    names.label(&g.program, &g.subprogram, ""),
                    [
                        g.payroll,
                        g.employer_pension,
                        g.social_tax,
                        g.social_contributions,
                        g.health_insurance,
                    ]
                    .iter()
                    .map(Tenge::to_string)
                    .collect(),
                )
            })
            .collect();
        let f = &t.fund;
        view.totals = [
            f.payroll,
            f.employer_pension,
            f.social_tax,
            f.social_contributions,
            f.health_insurance,
        ]
        .iter()
        .map(Tenge::to_string)
        .collect();
        if let Ok(changes) = service::compare(ctx.db(), p, org, year - 1, year).await {
            view.changes = changes.into_iter().map(|c| change_view(ctx, c)).collect();
        }
    }
    render(view)
}

const ALLOWANCE_KINDS: [&str; 4] = ["percent_of_salary", "percent_of_base", "fixed", "mci"];

fn serde_json_code(c: WorkerCategory) -> String {
    match c {
        WorkerCategory::CivilServant => "civil_servant",
        WorkerCategory::StateServant => "state_servant",
        WorkerCategory::NonStaff => "non_staff",
    }
    .into()
}

fn change_view(ctx: &Ctx, change: PositionChange) -> ChangeView {
    let both = |units: i64, pay: Tenge| format!("{} × {}", units_text(units), pay);
    match change {
        PositionChange::Added {
            unit,
            title,
            staff_units,
            pay,
        } => ChangeView {
            change: ctx.tr.t("staff-added"),
            title: format!("{unit} · {title}"),
            before: String::new(),
            after: both(staff_units, pay),
        },
        PositionChange::Removed {
            unit,
            title,
            staff_units,
            pay,
        } => ChangeView {
            change: ctx.tr.t("staff-removed"),
            title: format!("{unit} · {title}"),
            before: both(staff_units, pay),
            after: String::new(),
        },
        PositionChange::Changed {
            unit,
            title,
            staff_units,
            pay,
        } => ChangeView {
            change: ctx.tr.t("staff-changed"),
            title: format!("{unit} · {title}"),
            before: both(staff_units.0, pay.0),
            after: both(staff_units.1, pay.1),
        },
    }
}

/// The table as XLSX, PDF or CSV (`csv` or `csv-plain`), printable in Kazakh and Russian.
fn export(ctx: &Ctx, t: &service::PricedTable, format: &str) -> AppResult<Option<Response>> {
    if !matches!(format, "xlsx" | "pdf" | "csv" | "csv-plain") {
        return Ok(None);
    }
    let table = jospar_staffing::reports::staffing_table(&ctx.tr, t);
    crate::files::download(&table, format, &format!("staffing-{}-{}", t.org_id, t.year))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PositionForm {
    csrf: String,
    org: String,
    year: String,
    version: String,
    program: String,
    subprogram: String,
    unit: String,
    title: String,
    category: String,
    grade: String,
    service_years: String,
    staff_units: String,
    contract: String,
    allowance_kind: Vec<String>,
    allowance_name: Vec<String>,
    allowance_value: Vec<String>,
    /// Set when an existing position is edited: its number in the table.
    index: String,
}

fn invalid(field: &str) -> AppError {
    AppError::invalid("err-required", field)
}

impl PositionForm {
    /// The form filled with a position, to edit it in place.
    fn of(position: &Position, index: usize) -> PositionForm {
        let mut form = PositionForm {
            program: position.program.clone(),
            subprogram: position.subprogram.clone(),
            unit: position.unit.clone(),
            title: position.title.clone(),
            category: serde_json_code(position.category),
            grade: position.grade.clone(),
            service_years: position.service_years.to_string(),
            staff_units: units_text(position.staff_units.0),
            contract: position
                .contract_monthly
                .map(|c| jospar_staffing::import::plain_decimal(c.tiyn(), 2))
                .unwrap_or_default(),
            index: index.to_string(),
            ..PositionForm::default()
        };
        for allowance in &position.allowances {
            let (kind, value) = match allowance {
                Allowance::PercentOfSalary { percent, .. } => {
                    ("percent_of_salary", percent_text(*percent))
                }
                Allowance::PercentOfBase { percent, .. } => {
                    ("percent_of_base", percent_text(*percent))
                }
                Allowance::Fixed { monthly, .. } => (
                    "fixed",
                    jospar_staffing::import::plain_decimal(monthly.tiyn(), 2),
                ),
                Allowance::Mci { count, .. } => ("mci", coefficient_text(*count)),
            };
            form.allowance_kind.push(kind.into());
            form.allowance_name.push(allowance.name().to_string());
            form.allowance_value.push(value);
        }
        form
    }

    /// The form of a new position: full-time, no service yet.
    fn blank() -> PositionForm {
        PositionForm {
            service_years: "0".into(),
            staff_units: "1".into(),
            ..PositionForm::default()
        }
    }

    fn position(&self) -> AppResult<Position> {
        let category = match self.category.as_str() {
            "civil_servant" => WorkerCategory::CivilServant,
            "state_servant" => WorkerCategory::StateServant,
            "non_staff" => WorkerCategory::NonStaff,
            _ => return Err(invalid("category")),
        };
        let mut allowances = Vec::new();
        for (i, kind) in self.allowance_kind.iter().enumerate() {
            let value = self
                .allowance_value
                .get(i)
                .map(String::as_str)
                .unwrap_or("")
                .trim();
            if value.is_empty() {
                continue;
            }
            let name = self.allowance_name.get(i).cloned().unwrap_or_default();
            let field = || invalid("allowance_value");
            allowances.push(match kind.as_str() {
                "percent_of_salary" => Allowance::PercentOfSalary {
                    name,
                    percent: Percent(parse_fixed(value, 2).ok_or_else(field)?),
                },
                "percent_of_base" => Allowance::PercentOfBase {
                    name,
                    percent: Percent(parse_fixed(value, 2).ok_or_else(field)?),
                },
                "fixed" => Allowance::Fixed {
                    name,
                    monthly: Tenge::parse(value).map_err(|_| field())?,
                },
                "mci" => Allowance::Mci {
                    name,
                    count: Coefficient(parse_fixed(value, 4).ok_or_else(field)?),
                },
                _ => return Err(invalid("allowance_kind")),
            });
        }
        Ok(Position {
            program: self.program.trim().to_string(),
            subprogram: self.subprogram.trim().to_string(),
            unit: self.unit.trim().to_string(),
            title: self.title.trim().to_string(),
            category,
            grade: self.grade.trim().to_string(),
            service_years: self
                .service_years
                .trim()
                .parse()
                .map_err(|_| invalid("service_years"))?,
            staff_units: StaffUnits(
                parse_fixed(&self.staff_units, 3).ok_or_else(|| invalid("staff_units"))?,
            ),
            allowances,
            contract_monthly: match self.contract.trim() {
                "" => None,
                text => Some(Tenge::parse(text).map_err(|_| invalid("contract"))?),
            },
        })
    }
}

/// Back to the table of the organisation and year, saying the change was saved.
fn back(org: i64, year: i32) -> Response {
    Redirect::to(&crate::view::done(
        &format!("/staffing?org={org}&year={year}"),
        "saved",
    ))
    .into_response()
}

async fn save_or_show(
    ctx: &Ctx,
    org: i64,
    year: i32,
    result: AppResult<()>,
    draft: PositionForm,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(back(org, year)),
        Err(e) => {
            let message = form_message(ctx, e)?;
            let which = Which {
                org: org.to_string(),
                year: year.to_string(),
                format: String::new(),
                edit: String::new(),
            };
            let mut response = page(ctx, &which, Some(message), draft).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn current_positions(
    ctx: &Ctx,
    p: &Principal,
    org: i64,
    year: i32,
) -> AppResult<Vec<Position>> {
    match service::staffing_table(ctx.db(), p, org, year).await {
        Ok(t) => Ok(t.positions),
        Err(AppError::NotFound) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

async fn add_position(ctx: Ctx, body: axum::body::Bytes) -> AppResult<Response> {
    let p = ctx.user()?;
    let form: PositionForm = parse_position_form(&body)?;
    p.check_csrf(&form.csrf)?;
    let (org, year) = (
        form.org.parse().unwrap_or(0),
        form.year.parse().unwrap_or(0),
    );
    let version = form.version.parse().unwrap_or(0);
    let result = async {
        let position = form.position()?;
        let mut positions = current_positions(&ctx, p, org, year).await?;
        match form.index.parse::<usize>() {
            Ok(index) if index < positions.len() => positions[index] = position,
            Ok(_) => return Err(AppError::NotFound),
            Err(_) => positions.push(position),
        }
        jospar_planning::payroll::save_staffing_table(ctx.db(), p, org, year, version, &positions)
            .await
            .map(|_| ())
    }
    .await;
    save_or_show(&ctx, org, year, result, form).await
}

/// Repeated fields (the allowance rows) as lists: `a=1&a=2`.
fn parse_position_form(bytes: &[u8]) -> AppResult<PositionForm> {
    let mut form = PositionForm::default();
    for (key, value) in form_urlencoded::parse(bytes) {
        let value = value.into_owned();
        match key.as_ref() {
            "csrf" => form.csrf = value,
            "org" => form.org = value,
            "year" => form.year = value,
            "version" => form.version = value,
            "program" => form.program = value,
            "subprogram" => form.subprogram = value,
            "unit" => form.unit = value,
            "title" => form.title = value,
            "category" => form.category = value,
            "grade" => form.grade = value,
            "service_years" => form.service_years = value,
            "staff_units" => form.staff_units = value,
            "contract" => form.contract = value,
            "index" => form.index = value,
            "allowance_kind" => form.allowance_kind.push(value),
            "allowance_name" => form.allowance_name.push(value),
            "allowance_value" => form.allowance_value.push(value),
            _ => {}
        }
    }
    Ok(form)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RowForm {
    csrf: String,
    org: String,
    year: String,
    version: String,
    index: String,
}

async fn remove_position(ctx: Ctx, Form(form): Form<RowForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let (org, year) = (
        form.org.parse().unwrap_or(0),
        form.year.parse().unwrap_or(0),
    );
    let version = form.version.parse().unwrap_or(0);
    let result = async {
        let mut positions = current_positions(&ctx, p, org, year).await?;
        let index: usize = form.index.parse().map_err(|_| invalid("index"))?;
        if index >= positions.len() {
            return Err(AppError::NotFound);
        }
        positions.remove(index);
        jospar_planning::payroll::save_staffing_table(ctx.db(), p, org, year, version, &positions)
            .await
            .map(|_| ())
    }
    .await;
    save_or_show(&ctx, org, year, result, PositionForm::blank()).await
}

async fn copy_year(ctx: Ctx, Form(form): Form<RowForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let (org, year) = (
        form.org.parse().unwrap_or(0),
        form.year.parse().unwrap_or(0),
    );
    match jospar_planning::payroll::copy_to_next_year(ctx.db(), p, org, year).await {
        Ok(_) => Ok(back(org, year + 1)),
        Err(e) => save_or_show(&ctx, org, year, Err(e), PositionForm::blank()).await,
    }
}

// ---------- pay reference tables (ST-2) ----------

pub struct DatedView {
    valid_from: String,
    value: String,
}

pub struct GridRowView {
    valid_from: String,
    category: String,
    grade: String,
    bands: String,
}

#[derive(Template)]
#[template(path = "pay_reference.html")]
struct ReferencePage {
    page: Page,
    error: Option<String>,
    can_edit: bool,
    amounts: Vec<(String, String, Vec<DatedView>)>,
    rates: Vec<DatedView>,
    grid: Vec<GridRowView>,
    categories: Vec<Choice>,
}

fn percent_text(p: Percent) -> String {
    let text = format!("{}.{:02}", p.0 / 100, p.0 % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn coefficient_text(c: Coefficient) -> String {
    let text = format!("{}.{:04}", c.0 / 10_000, c.0 % 10_000);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

async fn reference_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let tables = service::reference_tables(ctx.db()).await?;
    let dated = |history: &[jospar_staffing::Dated<Tenge>]| {
        history
            .iter()
            .map(|d| DatedView {
                valid_from: d.valid_from.format("%d.%m.%Y").to_string(),
                value: d.value.to_string(),
            })
            .collect::<Vec<_>>()
    };
    let amounts = vec![
        (
            "base_salary".to_string(),
            ctx.tr.t("pay-base_salary"),
            dated(&tables.base_salary),
        ),
        ("mci".to_string(), ctx.tr.t("pay-mci"), dated(&tables.mci)),
        (
            "minimum_wage".to_string(),
            ctx.tr.t("pay-minimum_wage"),
            dated(&tables.minimum_wage),
        ),
    ];
    let rates = tables
        .rates
        .iter()
        .map(|d| DatedView {
            valid_from: d.valid_from.format("%d.%m.%Y").to_string(),
            value: format!(
                "{} {} % · {} {} % · {} {} % · {} {} % · {} {} %",
                ctx.tr.t("pay-social_tax"),
                percent_text(d.value.social_tax),
                ctx.tr.t("pay-social_contributions"),
                percent_text(d.value.social_contributions),
                ctx.tr.t("pay-health_insurance"),
                percent_text(d.value.health_insurance),
                ctx.tr.t("pay-employer_pension"),
                percent_text(d.value.employer_pension),
                ctx.tr.t("pay-employee_pension"),
                percent_text(d.value.employee_pension),
            ),
        })
        .collect();
    let grid = tables
        .grids
        .iter()
        .flat_map(|d| {
            d.value.rows.iter().flat_map(move |(category, grades)| {
                grades.iter().map(move |(grade, bands)| GridRowView {
                    valid_from: d.valid_from.format("%d.%m.%Y").to_string(),
                    category: category_name(&ctx.tr, *category),
                    grade: grade.clone(),
                    bands: bands
                        .iter()
                        .map(|(years, c)| format!("{years}: {}", coefficient_text(*c)))
                        .collect::<Vec<_>>()
                        .join("; "),
                })
            })
        })
        .collect();
    render(ReferencePage {
        page: Page::new(ctx, "pay-reference-title", "staffing"),
        error,
        can_edit: service::may_set_reference(p),
        amounts,
        rates,
        grid,
        categories: [WorkerCategory::CivilServant, WorkerCategory::StateServant]
            .into_iter()
            .map(|c| Choice {
                value: serde_json_code(c),
                label: category_name(&ctx.tr, c),
                selected: false,
            })
            .collect(),
    })
}

async fn show_reference(ctx: Ctx) -> AppResult<Response> {
    reference_page(&ctx, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReferenceForm {
    csrf: String,
    table: String,
    valid_from: String,
    amount: String,
    social_tax: String,
    social_contributions: String,
    health_insurance: String,
    employer_pension: String,
    employee_pension: String,
    category: String,
    grade: String,
    /// "0: 3.5; 5: 3.9" — from so many full years of service, the coefficient.
    bands: String,
}

fn parse_bands(text: &str) -> Option<Vec<(u8, Coefficient)>> {
    text.split(';')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (years, coefficient) = part.split_once(':')?;
            Some((
                years.trim().parse().ok()?,
                Coefficient(parse_fixed(coefficient, 4)?),
            ))
        })
        .collect::<Option<Vec<_>>>()
        .filter(|bands| !bands.is_empty())
}

/// The value of one table from the form, as the API takes it.
async fn reference_value(
    ctx: &Ctx,
    form: &ReferenceForm,
    day: chrono::NaiveDate,
) -> AppResult<serde_json::Value> {
    let percent = |text: &str, field: &str| {
        parse_fixed(text, 2)
            .map(Percent)
            .ok_or_else(|| invalid(field))
    };
    Ok(match form.table.as_str() {
        "base_salary" | "mci" | "minimum_wage" => serde_json::json!(
            Tenge::parse(&form.amount)
                .map_err(|_| invalid("amount"))?
                .tiyn()
        ),
        "rates" => serde_json::json!(jospar_staffing::Rates {
            social_tax: percent(&form.social_tax, "social_tax")?,
            social_contributions: percent(&form.social_contributions, "social_contributions")?,
            health_insurance: percent(&form.health_insurance, "health_insurance")?,
            employer_pension: percent(&form.employer_pension, "employer_pension")?,
            employee_pension: percent(&form.employee_pension, "employee_pension")?,
        }),
        "grid" => {
            let category = match form.category.as_str() {
                "civil_servant" => WorkerCategory::CivilServant,
                "state_servant" => WorkerCategory::StateServant,
                _ => return Err(invalid("category")),
            };
            let grade = form.grade.trim();
            if grade.is_empty() {
                return Err(invalid("grade"));
            }
            let bands = parse_bands(&form.bands).ok_or_else(|| invalid("bands"))?;
            // The grid valid on that day, with this grade's bands set.
            let tables = service::reference_tables(ctx.db()).await?;
            let mut grid = tables
                .grids
                .iter()
                .filter(|d| d.valid_from <= day)
                .max_by_key(|d| d.valid_from)
                .map(|d| d.value.clone())
                .unwrap_or_default();
            grid.rows
                .entry(category)
                .or_default()
                .insert(grade.to_string(), bands);
            serde_json::json!(grid)
        }
        _ => return Err(invalid("table")),
    })
}

async fn set_reference(ctx: Ctx, Form(form): Form<ReferenceForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let day = jospar_access::parse_date(&form.valid_from, "valid_from")?;
        let value = reference_value(&ctx, &form, day).await?;
        jospar_planning::payroll::set_reference(ctx.db(), p, &form.table, day, &value).await
    }
    .await;
    match result {
        Ok(()) => {
            Ok(Redirect::to(&crate::view::done("/staffing/reference", "saved")).into_response())
        }
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = reference_page(&ctx, Some(message)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

// ---------- spreadsheet exchange (ST-1) ----------

fn column_headings(ctx: &Ctx) -> Vec<String> {
    jospar_staffing::import::COLUMNS
        .iter()
        .map(|key| ctx.tr.t(&format!("staff-col-{key}")))
        .collect()
}

/// The import template: the headings in the user's language and one example row.
async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let example: Vec<String> = [
        "003",
        "015",
        "Педагоги",
        "Учитель",
        "civil_servant",
        "B2",
        "6",
        "1,5",
        "",
        "10",
        "25",
        "",
        "2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let bytes = jospar_reports::to_plain_xlsx(&column_headings(&ctx), &[example])
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"staffing-template.xlsx\"".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Replaces the year's positions by those of an XLSX in the template's layout; a file with an
/// error is refused whole, naming the row and the column.
async fn import(ctx: Ctx, mut multipart: axum::extract::Multipart) -> AppResult<Response> {
    let p = ctx.user()?;
    let (mut csrf, mut org, mut year, mut version, mut bytes) =
        (String::new(), 0i64, 0i32, 0i64, Vec::new());
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("err-import-upload", "file"))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::invalid("err-import-upload", "file"))?
                    .to_vec()
            }
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "org" => org = field.text().await.unwrap_or_default().parse().unwrap_or(0),
            "year" => year = field.text().await.unwrap_or_default().parse().unwrap_or(0),
            "version" => version = field.text().await.unwrap_or_default().parse().unwrap_or(0),
            _ => {}
        }
    }
    p.check_csrf(&csrf)?;
    let result = async {
        use jospar_staffing::import::FileRefusal;
        let positions =
            jospar_staffing::import::positions_of_xlsx(&bytes).map_err(|e| match e {
                FileRefusal::Damaged => AppError::invalid("err-file-damaged", "file"),
                FileRefusal::NoPositions => AppError::invalid("err-staffing-import-empty", "file"),
                FileRefusal::OverLimits(refusal) => {
                    let (key, args) = refusal.message();
                    AppError::invalid_with(key, "file", args)
                }
                FileRefusal::Cell(e) => {
                    let index = jospar_staffing::import::COLUMNS
                        .iter()
                        .position(|c| *c == e.column)
                        .unwrap_or(0);
                    AppError::Invalid {
                        key: "err-staffing-import",
                        args: vec![
                            ("row", e.row.to_string()),
                            ("column", column_headings(&ctx)[index].clone()),
                            ("value", e.value),
                        ],
                        field: Some(format!("row {}", e.row)),
                    }
                }
            })?;
        jospar_planning::payroll::save_staffing_table(ctx.db(), p, org, year, version, &positions)
            .await
            .map(|_| ())
    }
    .await;
    save_or_show(&ctx, org, year, result, PositionForm::blank()).await
}
