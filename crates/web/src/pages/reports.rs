//! The report catalogue on screen (BP-R, P-19): `/reports` lists the reports, and
//! `/reports/{name}` asks for the parameters, shows the table in its official layout and
//! downloads it as XLSX, PDF or CSV.

use super::common::Choice;
use super::common::form_message;
use crate::AppState;
use crate::ctx::Ctx;
use crate::ctx::Principal;
use crate::error::{AppError, AppResult};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::queries::CatalogueFilterParams;
use crate::reports;
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::get;
use jospar_access::Access;
use jospar_access::Reader;
use jospar_org::{OrgKind, Right};
use jospar_planning::Dimension;
use jospar_reports::catalogue::CatalogueRow;
use jospar_reports::{Shown, Table};
use std::collections::HashMap;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/reports",
    current: "reports",
    title_key: "nav-reports",
    group: MenuGroup::Reports,
    access: Access::SignedIn,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(catalogue))
        .route("/reports/{name}", get(show))
}

pub struct ReportLink {
    name: String,
    title: String,
    module: String,
    /// The data the report is built from.
    source: String,
    /// Its numbers in the technical specification's list of execution reports.
    numbers: String,
}

/// The sortable columns of the report catalogue: (sort column, heading, numeric).
const COLUMNS: &[(&str, &str, bool)] = &[
    ("title", "col-name", false),
    ("module", "col-module", false),
    ("source", "reports-source", false),
    ("numbers", "reports-spec-numbers", false),
];

#[derive(Template)]
#[template(path = "reports.html")]
struct CataloguePage {
    page: Page,
    reports: Vec<ReportLink>,
    columns: Vec<Column>,
    pager: Pager,
    total: usize,
    search: ListParams,
    filters: CatalogueFilterParams,
    modules: Vec<Choice>,
}

fn report_link(ctx: &Ctx, row: CatalogueRow) -> ReportLink {
    ReportLink {
        name: row.name.into(),
        title: row.title,
        module: ctx.tr.t(&format!("reports-module-{}", row.module)),
        source: row.source,
        numbers: row
            .spec_numbers
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The report catalogue (P-19, issue 20): searched, filtered by module and number, sorted and
/// paged.
async fn catalogue(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let search: ListParams = ctx.query_params();
    let filters: CatalogueFilterParams = ctx.query_params();
    let query = search.query();
    let listed = reports::catalogue().list(&ctx.tr, &filters.filter(), &query);
    let links = Links::new(&ctx.path, &ctx.query);
    render(CataloguePage {
        page: Page::new(&ctx, "reports-title", "reports"),
        columns: columns(ctx.tr, &links, &query, COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        total: listed.total,
        modules: super::common::choices(
            reports::catalogue()
                .modules()
                .into_iter()
                .map(|m| (m.to_string(), ctx.tr.t(&format!("reports-module-{m}")))),
            &filters.module,
        ),
        reports: listed
            .rows
            .into_iter()
            .map(|row| report_link(&ctx, row))
            .collect(),
        search,
        filters,
    })
}

pub struct ParamField {
    name: String,
    label: String,
    value: String,
    required: bool,
    /// A yes/no parameter, shown as a checkbox.
    flag: bool,
    /// The values to choose from (campaigns, requests, organisations, slices); none = typed.
    choices: Vec<Choice>,
}

/// What a parameter can take, for a select: the caller's campaigns, requests and upper
/// organisations, the slices and the planning years.
async fn choices_of(
    ctx: &Ctx,
    p: &Principal,
    report: &str,
    name: &str,
    params: &HashMap<String, String>,
) -> AppResult<Vec<Choice>> {
    let value = params.get(name).map(String::as_str).unwrap_or("");
    let lang = ctx.tr.lang();
    let choice = |v: String, label: String| Choice {
        selected: v == value,
        value: v,
        label,
    };
    Ok(match name {
        "campaign" => jospar_limits::usecases::visible_campaigns(ctx.db(), p)
            .await?
            .into_iter()
            .map(|c| {
                let label = if lang == "kk" { c.name_kk } else { c.name_ru };
                choice(c.id.to_string(), label)
            })
            .collect(),
        "request" => {
            let orgs = jospar_limits::usecases::org_map(ctx.db()).await?;
            jospar_planning::usecases::visible_requests(ctx.db(), p)
                .await?
                .into_iter()
                .map(|r| {
                    let org = orgs
                        .get(&r.org_id)
                        .map(|o| o.name(lang).to_string())
                        .unwrap_or_default();
                    let label = format!(
                        "№{} · {org} · {} · {}",
                        r.id,
                        ctx.tr.t(&format!("request-kind-{}", r.kind.code())),
                        ctx.tr.t(&format!("status-{}", r.status.code()))
                    );
                    choice(r.id.to_string(), label)
                })
                .collect()
        }
        "org" => {
            let all = jospar_org::repo::all_orgs(ctx.db()).await?;
            let mut orgs: Vec<Choice> = jospar_org::usecases::orgs_with(p, Right::Read, &all)
                .into_iter()
                .filter(|o| !matches!(o.kind, OrgKind::Institution | OrgKind::Enterprise))
                .map(|o| {
                    let label = match &o.abp_code {
                        Some(code) => format!("{code} {}", o.name(lang)),
                        None => o.name(lang).to_string(),
                    };
                    choice(o.id.to_string(), label)
                })
                .collect();
            orgs.sort_by(|a, b| a.label.cmp(&b.label));
            orgs
        }
        "import" => jospar_execution::usecases::portal_reports::imports(ctx.db(), &Reader::User(p))
            .await?
            .into_iter()
            .map(|i| {
                let label = format!("{} · {} — {}", i.title, i.first_month, i.last_month);
                choice(i.id.to_string(), label)
            })
            .collect(),
        "month" => match params.get("import").and_then(|i| i.parse().ok()) {
            Some(import) => jospar_execution::usecases::portal_reports::import_months(
                ctx.db(),
                &Reader::User(p),
                import,
            )
            .await?
            .into_iter()
            .rev()
            .map(|m| choice(m.to_string(), m.to_string()))
            .collect(),
            None => Vec::new(),
        },
        "treasury" | "f552" | "f420" | "f219" | "f243" | "f409" | "f127" => {
            use jospar_execution::layouts::{Shape, layouts};
            let forms = match (name, report) {
                ("f420", _) => vec!["4-20"],
                ("f409", _) => vec!["4-09"],
                ("f127", _) => vec!["1-27"],
                ("f219", _) => vec!["2-19"],
                ("f243", _) => vec!["2-43"],
                ("f552", _) | (_, "cash-execution-552") => vec!["5-52"],
                (_, "reconcile-plan-127") => layouts().forms_of(Shape::Budget),
                (_, "money-movement") => layouts().forms_of(Shape::Movement),
                _ => layouts().forms_of(Shape::Cash),
            };
            let orgs = jospar_limits::usecases::org_map(ctx.db()).await?;
            jospar_execution::usecases::treasury::reports(ctx.db(), &Reader::User(p))
                .await?
                .into_iter()
                .filter(|r| forms.contains(&r.form.as_str()))
                .map(|r| {
                    let name = orgs
                        .get(&r.org_id)
                        .map(|o| o.name(lang).to_string())
                        .unwrap_or_default();
                    choice(
                        r.id.to_string(),
                        format!("{} · {} · {name}", r.form, r.report_date),
                    )
                })
                .collect()
        }
        "plan" => {
            let orgs = jospar_limits::usecases::org_map(ctx.db()).await?;
            jospar_execution::usecases::plans::list(ctx.db(), p)
                .await?
                .into_iter()
                .map(|(id, org, year)| {
                    let name = orgs
                        .get(&org)
                        .map(|o| o.name(lang).to_string())
                        .unwrap_or_default();
                    choice(id.to_string(), format!("{name} · {year}"))
                })
                .collect()
        }
        "n" if report == "development-appendix" => jospar_devbudget::appendices::APPENDICES
            .iter()
            .map(|n| {
                let label = ctx
                    .tr
                    .args("development-appendix-n", &[("n", n.to_string())]);
                choice(n.to_string(), label)
            })
            .collect(),
        "act" | "from" | "to" => jospar_budget::usecases::visible_acts(ctx.db(), p)
            .await?
            .into_iter()
            .map(|a| {
                let label = jospar_budget::reports::act_label(&ctx.tr, &a);
                choice(a.id.to_string(), label)
            })
            .collect(),
        "adhoc" => jospar_adhoc::forms(ctx.db(), &Reader::User(p), &p.tree)
            .await?
            .into_iter()
            .filter(|f| f.status == jospar_adhoc::AdhocStatus::Sent)
            .map(|f| choice(f.id.to_string(), f.title(&ctx.tr)))
            .collect(),
        "code_request" => jospar_planning::code_requests::requests(ctx.db(), &Reader::User(p))
            .await?
            .into_iter()
            .filter_map(|r| {
                let number = r.order_number?;
                let label = format!("№ {number} · {} · {}", r.code, r.name(&ctx.tr));
                Some(choice(r.id.to_string(), label))
            })
            .collect(),
        "kind" => ["cash_execution", "budget_structure"]
            .iter()
            .map(|k| {
                choice(
                    k.to_string(),
                    ctx.tr.t(&format!("report-region-passport-{k}")),
                )
            })
            .collect(),
        "document" => jospar_openbudget::usecases::readable_documents(ctx.db(), p)
            .await?
            .into_iter()
            .map(|d| {
                let label = format!("{} · {}", d.unique_number(), d.title(lang));
                choice(d.id.to_string(), label)
            })
            .collect(),
        "pair" => jospar_execution::usecases::offsetting::list(ctx.db(), p)
            .await?
            .into_iter()
            .map(|pair| {
                let label = format!(
                    "{} · {} {} {} → {} · {}",
                    pair.year,
                    pair.abp,
                    pair.program,
                    pair.subprogram,
                    pair.receipt_code,
                    pair.name
                );
                choice(pair.id.to_string(), label)
            })
            .collect(),
        "form" => jospar_execution::layouts::layouts()
            .forms_of(jospar_execution::layouts::Shape::Receipts)
            .into_iter()
            .map(|f| choice(f.to_string(), f.to_string()))
            .collect(),
        "basis" => ["payments", "obligations"]
            .iter()
            .map(|b| choice(b.to_string(), ctx.tr.t(&format!("plan-basis-{b}"))))
            .collect(),
        "by" | "cols" => Dimension::ALL
            .iter()
            .map(|d| {
                choice(
                    d.code().into(),
                    ctx.tr.t(&format!("dimension-{}", d.code())),
                )
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A table ready for the template: the heading rows with their spans, cells as printed (in
/// the table's unit, by its rounding rule) with their alignment.
pub struct TableView {
    number: Vec<String>,
    title: String,
    subtitle: Vec<String>,
    unit: String,
    heading: Vec<Vec<HeadView>>,
    numbers: Vec<String>,
    rows: Vec<(bool, Vec<(String, bool)>)>,
    footer: Vec<String>,
}

/// A heading cell: its text and how many columns and rows it spans.
struct HeadView {
    text: String,
    cols: usize,
    rows: usize,
}

impl TableView {
    fn of(table: &Table) -> TableView {
        // Amounts, and the percentages and counts of a layout, align right.
        let cells = |row: &Vec<Shown>| -> Vec<(String, bool)> {
            row.iter()
                .enumerate()
                .map(|(col, c)| {
                    let numeric = matches!(c, Shown::Amount(_)) || table.is_numeric(col);
                    (c.display(), numeric)
                })
                .collect()
        };
        let printed = table.printed();
        let mut rows: Vec<(bool, Vec<(String, bool)>)> = printed
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (table.strong_rows.contains(&i), cells(r)))
            .collect();
        if let Some(total) = &printed.total {
            rows.push((true, cells(total)));
        }
        let heading = table
            .heading_rows()
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|c| HeadView {
                        text: c.text,
                        cols: c.cols,
                        rows: c.rows,
                    })
                    .collect()
            })
            .collect();
        TableView {
            number: table.number.clone(),
            title: table.title.clone(),
            subtitle: table.subtitle.clone(),
            unit: table
                .unit
                .as_ref()
                .map(|u| u.label.clone())
                .unwrap_or_default(),
            heading,
            numbers: table.numbers(),
            rows,
            footer: table.closing_lines(),
        }
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    page: Page,
    name: String,
    fields: Vec<ParamField>,
    query_string: String,
    error: Option<String>,
    table: Option<TableView>,
    /// The form prints its amounts in a larger unit than the tenge: a link shows them exact.
    rounded: bool,
    /// The amounts are shown exact, in tenge with tiyn.
    exact: bool,
}

async fn show(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let report = reports::catalogue().find(&name).ok_or(AppError::NotFound)?;
    let mut fields: Vec<ParamField> = Vec::new();
    for d in report.params {
        let value = params.get(d.name).cloned().unwrap_or_default();
        fields.push(ParamField {
            name: d.name.into(),
            label: ctx.tr.t(&format!("report-param-{}", d.name)),
            choices: choices_of(&ctx, p, &name, d.name, &params).await?,
            flag: matches!(d.name, "approved" | "counterparty" | "failures" | "growth"),
            value,
            required: d.required,
        });
    }
    let ready = report
        .params
        .iter()
        .filter(|d| d.required)
        .all(|d| params.get(d.name).is_some_and(|v| !v.trim().is_empty()));
    let mut page = Page::new(&ctx, "reports-title", "reports");
    page.title = ctx.tr.t(&format!("report-{name}"));
    let query_string = fields
        .iter()
        .filter(|f| !f.value.is_empty())
        .map(|f| format!("{}={}", f.name, urlencoding::encode(&f.value)))
        .collect::<Vec<_>>()
        .join("&");
    // A form printed in thousands may be read to the tiyn on screen (`exact=1`); its files
    // stay the official form.
    let exact = params.get("exact").is_some_and(|v| v == "1");
    let (table, error, rounded) = if ready {
        let reader = Reader::User(p);
        match crate::reports::catalogue()
            .build(ctx.db(), &ctx.tr, &p.tree, &reader, &name, &params)
            .await
        {
            Ok(table) => {
                let format = params.get("format").map(String::as_str).unwrap_or("");
                if let Some(file) = crate::files::download(&table, format, &name)? {
                    return Ok(file);
                }
                let rounded = table.scale() != jospar_reports::Scale::default();
                let shown = if exact { table.exact() } else { table };
                (Some(TableView::of(&shown)), None, rounded)
            }
            Err(e @ AppError::Invalid { .. }) => (None, Some(form_message(&ctx, e)?), false),
            Err(e) => return Err(e),
        }
    } else {
        (None, None, false)
    };
    render(ReportPage {
        page,
        name,
        fields,
        query_string,
        error,
        table,
        rounded,
        exact,
    })
}
