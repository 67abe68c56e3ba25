//! Budget execution pages: `/execution` lists the imported execution reports of the
//! open-budgets portal the user may read, links each to its EX-R 18 report and
//! reconciliation, and takes a new file (organisations where the user enters data).

use super::common::Choice;
use super::common::form_message;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::HttpError;
use crate::error::{AppError, AppResult};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::queries::{ImportFilterParams, TreasuryFilterParams};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use jospar_access::Access;
use jospar_execution::layouts::{Shape, layouts};
use jospar_execution::treasury_store::TreasuryReport;
use jospar_execution::usecases::portal_reports::{
    ImportListRow, ImportTarget, import_portal, list_imports,
};

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/execution",
    current: "execution",
    title_key: "nav-execution",
    group: MenuGroup::Execution,
    access: Access::SignedIn,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/execution", get(list))
        .route("/execution/portal-imports", get(portal_imports))
        .route(
            "/execution/portal-imports/{id}/charts/{which}",
            get(chart_image),
        )
        .route("/execution/portal", post(upload))
        .route(
            "/execution/treasury",
            post(upload_treasury).layer(axum::extract::DefaultBodyLimit::max(
                crate::upload::FORM_UPLOAD_LIMIT,
            )),
        )
        .route("/execution/periods", post(close_period))
        .route("/execution/periods/reopen", post(reopen_period))
        .route("/execution/offsetting", post(add_pair))
        .route("/execution/offsetting/{id}/delete", post(remove_pair))
}

pub struct ImportRow {
    id: i64,
    title: String,
    org: String,
    file_name: String,
    months: String,
    rows: i64,
    by: String,
    at: String,
}

/// The sortable columns of the list of portal imports: (sort column, heading, numeric).
const IMPORT_COLUMNS: &[(&str, &str, bool)] = &[
    ("title", "execution-import-title", false),
    ("org", "field-org_id", false),
    ("file", "field-file", false),
    ("months", "execution-months", false),
    ("rows", "execution-rows", true),
    ("imported", "execution-imported", false),
    ("", "nav-reports", false),
];

/// The newest portal imports the execution page shows; the rest are on their own list.
const LATEST_IMPORTS: usize = 10;

fn import_row(row: ImportListRow) -> ImportRow {
    let i = row.import;
    ImportRow {
        id: i.id,
        org: row.org_name,
        months: format!("{} — {}", i.first_month, i.last_month),
        rows: i.row_count,
        by: i.imported_by,
        at: super::common::almaty_date_time(i.imported_at),
        title: i.title,
        file_name: i.file_name,
    }
}

#[derive(Template)]
#[template(path = "portal_imports.html")]
struct ImportsPage {
    page: Page,
    imports: Vec<ImportRow>,
    columns: Vec<Column>,
    pager: Pager,
    total: usize,
    filtered: bool,
    search: ListParams,
    parents: Vec<Choice>,
    years: Vec<Choice>,
}

/// The imported execution reports of the portal (EX-R 18), searched, filtered, sorted and
/// paged (issue 20).
async fn portal_imports(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let filters: ImportFilterParams = ctx.query_params();
    let query = search.query();
    let filter = filters.filter();
    let listed = list_imports(ctx.db(), p, ctx.tr.lang(), &filter, &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    render(ImportsPage {
        page: Page::new(&ctx, "execution-imports-title", "execution"),
        columns: columns(ctx.tr, &links, &query, IMPORT_COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        total: listed.total,
        filtered: !query.q.is_empty() || filter != Default::default(),
        imports: listed.rows.into_iter().map(import_row).collect(),
        parents: super::common::parent_choices(&ctx, p, &filters.within).await?,
        years: super::common::year_choices(&filters.year),
        search,
    })
}

/// The sortable columns of the Treasury forms list: (sort column, heading, numeric).
const TREASURY_COLUMNS: &[(&str, &str, bool)] = &[
    ("form", "treasury-form", false),
    ("date", "treasury-date", false),
    ("org", "field-org_id", false),
    ("file", "field-file", false),
    ("rows", "execution-rows", true),
    ("", "nav-reports", false),
];

pub struct TreasuryRow {
    form: String,
    org: String,
    date: String,
    file_name: String,
    rows: i64,
    /// The report that opens the form, and its title.
    link: String,
    report: String,
}

/// The report that shows an imported form first: its own execution report or its
/// reconciliation with the form it is checked against.
fn report_of(r: &TreasuryReport) -> (&'static str, String) {
    let id = r.id;
    match layouts().form(&r.form).map(|l| l.shape) {
        Some(Shape::Cash) if r.form == jospar_execution::usecases::treasury::FORM_552 => {
            ("cash-execution-552", format!("treasury={id}"))
        }
        Some(Shape::Cash) => ("cash-execution", format!("treasury={id}")),
        Some(Shape::Obligations) => ("reconcile-420-552", format!("f420={id}")),
        Some(Shape::Contracts) => ("reconcile-409-420", format!("f409={id}")),
        Some(Shape::Movement) => ("money-movement", format!("treasury={id}")),
        Some(Shape::Budget) => ("reconcile-plan-127", format!("treasury={id}")),
        Some(Shape::Receipts) if r.form == jospar_execution::usecases::treasury::FORM_219 => {
            ("reconcile-219-243", format!("f219={id}"))
        }
        Some(Shape::Received) => ("reconcile-219-243", format!("f243={id}")),
        _ => (
            "receipts-dynamics",
            format!(
                "org={}&year={}&form={}",
                r.org_id,
                r.report_date.year(),
                r.form
            ),
        ),
    }
}

#[derive(Template)]
#[template(path = "execution.html")]
struct ExecutionPage {
    page: Page,
    /// The charts of the latest import (issue 21).
    charts: Vec<crate::charts::ChartView>,
    /// The newest imports; their headings sort the list of all imports.
    imports: Vec<ImportRow>,
    import_columns: Vec<Column>,
    imports_total: usize,
    /// "All imports (N)".
    all_imports: String,
    treasury: Vec<TreasuryRow>,
    treasury_pager: Pager,
    treasury_columns: Vec<Column>,
    /// Treasury forms found by the search and filters, on every page.
    treasury_total: usize,
    treasury_filter_error: Option<String>,
    search: ListParams,
    filters: TreasuryFilterParams,
    /// The organisations to look within.
    parents: Vec<Choice>,
    /// The forms that can be imported: number and name.
    forms: Vec<(String, String)>,
    /// Organisations the user may import for.
    orgs: Vec<Choice>,
    /// Closed periods and the organisations the user may close a month for.
    periods: Vec<PeriodRow>,
    closers: Vec<Choice>,
    title: String,
    error: Option<String>,
    treasury_error: Option<String>,
    period_error: Option<String>,
    /// Mutually offsetting codes (EX-R 30).
    pairs: Vec<PairRow>,
    offsetting_error: Option<String>,
    this_year: i32,
}

pub struct PairRow {
    id: i64,
    org_id: i64,
    org: String,
    year: i64,
    codes: String,
    receipt_code: String,
    name: String,
    by: String,
    can_remove: bool,
}

pub struct PeriodRow {
    org_id: i64,
    org: String,
    month: String,
    reason: String,
    by: String,
    at: String,
    can_reopen: bool,
}

/// The refusals a form of the page may bring back, each shown beside its form.
#[derive(Default)]
struct Refusals {
    portal: Option<String>,
    treasury: Option<String>,
    period: Option<String>,
    offsetting: Option<String>,
}

async fn page(ctx: &Ctx, title: String, error: Option<String>) -> AppResult<Response> {
    page_with(
        ctx,
        title,
        Refusals {
            portal: error,
            ..Refusals::default()
        },
    )
    .await
}

async fn page_with(ctx: &Ctx, title: String, refusals: Refusals) -> AppResult<Response> {
    let p = ctx.user()?;
    let lang = ctx.tr.lang();
    let all_orgs = jospar_org::repo::all_orgs(ctx.db()).await?;
    let names: std::collections::HashMap<i64, String> = all_orgs
        .iter()
        .map(|o| (o.id, o.name(lang).to_string()))
        .collect();
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let latest = jospar_core::listing::ListQuery {
        limit: LATEST_IMPORTS,
        ..Default::default()
    };
    let imports = list_imports(ctx.db(), p, lang, &Default::default(), &latest).await?;
    let charts = match imports.rows.first() {
        Some(row) => charts_of(ctx, p, row.import.id).await?,
        None => Vec::new(),
    };
    let import_links = Links::new("/execution/portal-imports", "");
    let search: ListParams = ctx.query_params();
    let filters: TreasuryFilterParams = ctx.query_params();
    let (filter, filter_error) = match filters.filter() {
        Ok(filter) => (filter, None),
        Err(e) => (Default::default(), Some(e.message(&ctx.tr))),
    };
    let query = search.query();
    let listed =
        jospar_execution::usecases::treasury::list_reports(ctx.db(), p, lang, &filter, &query)
            .await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let treasury_pager = Pager::new(ctx.tr, &links, &listed);
    let treasury_columns = columns(ctx.tr, &links, &query, TREASURY_COLUMNS);
    let treasury_total = listed.total;
    let treasury = listed
        .rows
        .into_iter()
        .map(|row| {
            let r = row.report;
            let (report, query) = report_of(&r);
            TreasuryRow {
                org: row.org_name,
                date: crate::view::date(&r.report_date),
                rows: r.row_count,
                link: format!("/reports/{report}?{query}"),
                report: ctx.tr.t(&format!("report-{report}")),
                form: r.form,
                file_name: r.file_name,
            }
        })
        .collect();
    let forms = layouts()
        .forms
        .iter()
        .map(|(number, layout)| (number.clone(), layout.name(lang).to_string()))
        .collect();
    let orgs = jospar_execution::usecases::periods::importers(p, &all_orgs)
        .into_iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(lang).to_string(),
            selected: false,
        })
        .collect();
    let periods = jospar_execution::usecases::periods::list(ctx.db(), p)
        .await?
        .into_iter()
        .map(|c| PeriodRow {
            org: name_of(c.org_id),
            can_reopen: jospar_execution::usecases::periods::may_close(p, c.org_id),
            org_id: c.org_id,
            month: c.month,
            reason: c.reason,
            by: c.closed_by,
            at: super::common::almaty_date_time(c.closed_at),
        })
        .collect();
    let closers = jospar_execution::usecases::periods::closers(p, &all_orgs)
        .into_iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(lang).to_string(),
            selected: false,
        })
        .collect();
    let pairs = jospar_execution::usecases::offsetting::list(ctx.db(), p)
        .await?
        .into_iter()
        .map(|pair| PairRow {
            can_remove: jospar_execution::usecases::offsetting::may_remove(p, &pair),
            id: pair.id,
            org_id: pair.org_id,
            org: name_of(pair.org_id),
            year: pair.year,
            codes: format!("{} {} {}", pair.abp, pair.program, pair.subprogram)
                .trim_end()
                .to_string(),
            receipt_code: pair.receipt_code,
            name: pair.name,
            by: pair.created_by,
        })
        .collect();
    let refused = refusals.portal.is_some()
        || refusals.treasury.is_some()
        || refusals.period.is_some()
        || refusals.offsetting.is_some();
    let parents = super::common::parent_choices(ctx, p, &filters.within).await?;
    let response = render(ExecutionPage {
        page: Page::new(ctx, "execution-title", "execution"),
        import_columns: columns(ctx.tr, &import_links, &latest, IMPORT_COLUMNS),
        imports_total: imports.total,
        all_imports: ctx.tr.args(
            "execution-all-imports",
            &[("total", imports.total.to_string())],
        ),
        imports: imports.rows.into_iter().map(import_row).collect(),
        treasury,
        treasury_pager,
        treasury_columns,
        treasury_total,
        treasury_filter_error: filter_error,
        search,
        filters,
        parents,
        forms,
        orgs,
        periods,
        closers,
        title,
        error: refusals.portal,
        treasury_error: refusals.treasury,
        period_error: refusals.period,
        pairs,
        offsetting_error: refusals.offsetting,
        this_year: chrono::Utc::now().year(),
        charts,
    })?;
    Ok(super::common::unprocessable_if(refused, response))
}

/// The execution charts of the latest import (issue 21).
async fn charts_of(
    ctx: &Ctx,
    p: &crate::ctx::Principal,
    import: i64,
) -> AppResult<Vec<crate::charts::ChartView>> {
    use jospar_execution::usecases::charts::{ExecutionChart, execution_chart};
    let reader = jospar_access::Reader::User(p);
    let mut views = Vec::new();
    for which in ExecutionChart::ALL {
        let chart = execution_chart(ctx.db(), &reader, &ctx.tr, import, which).await?;
        let path = format!(
            "/execution/portal-imports/{import}/charts/{}?lang={}",
            which.code(),
            ctx.tr.lang()
        );
        views.push(crate::charts::view(&chart, &path)?);
    }
    Ok(views)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ChartQuery {
    format: String,
}

/// An execution chart drawn by the server, as PNG, JPEG or PDF, to download.
async fn chart_image(
    ctx: Ctx,
    Path((id, which)): Path<(i64, String)>,
    Query(q): Query<ChartQuery>,
) -> AppResult<Response> {
    use jospar_execution::usecases::charts::{ExecutionChart, execution_chart};
    let p = ctx.user()?;
    let which = ExecutionChart::from_code(&which).ok_or(AppError::NotFound)?;
    let reader = jospar_access::Reader::User(p);
    let chart = execution_chart(ctx.db(), &reader, &ctx.tr, id, which).await?;
    crate::charts::chart_response(&chart, &q.format, which.code())
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    page(&ctx, String::new(), None).await
}

/// Takes a portal execution file; a broken one is refused whole, the message naming the line
/// and the column, and the form shown again.
async fn upload(ctx: Ctx, mut multipart: Multipart) -> AppResult<Response> {
    let p = ctx.user()?;
    let (mut csrf, mut org, mut title, mut file_name, mut bytes) = (
        String::new(),
        0i64,
        String::new(),
        String::new(),
        Vec::new(),
    );
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("err-import-upload", "file"))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                file_name = field.file_name().unwrap_or("").to_string();
                bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::invalid("err-import-upload", "file"))?
                    .to_vec()
            }
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "org" => org = field.text().await.unwrap_or_default().parse().unwrap_or(0),
            "title" => title = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    p.check_csrf(&csrf)?;
    let target = ImportTarget {
        org_id: org,
        title: &title,
        file_name: &file_name,
    };
    match import_portal(ctx.db(), &p.who(), Some(p), target, &bytes).await {
        Ok(import) => Ok(Redirect::to(&format!(
            "/reports/execution-reconciliation?import={}&failures=1",
            import.id
        ))
        .into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let message = form_message(&ctx, e)?;
            page(&ctx, title, Some(message)).await
        }
        Err(e) => Err(e),
    }
}

/// Takes a Treasury form (any of the layouts in force) for an organisation at a date and opens
/// its report; a broken file is refused whole.
async fn upload_treasury(ctx: Ctx, mut multipart: Multipart) -> AppResult<Response> {
    let p = ctx.user()?;
    let mut form = jospar_execution::usecases::treasury::FORM_552.to_string();
    let (mut csrf, mut org, mut date, mut file_name) =
        (String::new(), 0i64, String::new(), String::new());
    let unreadable = || AppError::invalid("err-import-upload", "file");
    // The file is spooled to disk as it arrives: a form of any size is never held in memory.
    let mut spool = crate::upload::Spool::new().await?;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        match field.name().unwrap_or("") {
            "file" => {
                file_name = field.file_name().unwrap_or("").to_string();
                while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                    spool.write(&chunk).await?;
                }
            }
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "org" => org = field.text().await.unwrap_or_default().parse().unwrap_or(0),
            "date" => date = field.text().await.unwrap_or_default(),
            "form" => form = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    p.check_csrf(&csrf)?;
    let file = spool.into_file().await?;
    let result = async {
        let target = jospar_execution::usecases::treasury::FormTarget {
            org_id: org,
            report_date: jospar_access::parse_date(&date, "date")?,
            file_name: &file_name,
            pulled: None,
        };
        jospar_execution::usecases::treasury::import_form(
            ctx.db(),
            &p.who(),
            Some(p),
            &form,
            target,
            file,
        )
        .await
    }
    .await;
    match result {
        Ok(report) => {
            let (name, query) = report_of(&report);
            Ok(Redirect::to(&format!("/reports/{name}?{query}")).into_response())
        }
        Err(e @ AppError::Invalid { .. }) => {
            let message = form_message(&ctx, e)?;
            let refusals = Refusals {
                treasury: Some(message),
                ..Refusals::default()
            };
            page_with(&ctx, String::new(), refusals).await
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize)]
struct PeriodForm {
    csrf: String,
    org: i64,
    month: String,
    #[serde(default)]
    reason: String,
}

/// Closes a month for an organisation's subtree (EX-5); a refusal is shown beside the form.
async fn close_period(ctx: Ctx, Form(f): Form<PeriodForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&f.csrf)?;
    let done =
        jospar_execution::usecases::periods::close(ctx.db(), p, f.org, &f.month, &f.reason).await;
    period_answer(&ctx, done.map(|_| ()), "closed").await
}

/// Opens a closed month again, with the reason.
async fn reopen_period(ctx: Ctx, Form(f): Form<PeriodForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&f.csrf)?;
    let done =
        jospar_execution::usecases::periods::reopen(ctx.db(), p, f.org, &f.month, &f.reason).await;
    period_answer(&ctx, done.map(|_| ()), "reopened").await
}

async fn period_answer(ctx: &Ctx, done: AppResult<()>, key: &'static str) -> AppResult<Response> {
    match done {
        Ok(()) => Ok(Redirect::to(&crate::view::done("/execution#periods", key)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let refusals = Refusals {
                period: Some(form_message(ctx, e)?),
                ..Refusals::default()
            };
            page_with(ctx, String::new(), refusals).await
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize)]
struct PairForm {
    csrf: String,
    org_id: i64,
    year: i64,
    abp: String,
    program: String,
    #[serde(default)]
    subprogram: String,
    receipt_code: String,
    name: String,
}

/// Adds a mutually offsetting pair (EX-R 30); a refusal is shown beside the form.
async fn add_pair(ctx: Ctx, Form(f): Form<PairForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&f.csrf)?;
    let pair = jospar_execution::offsetting::NewPair {
        org_id: f.org_id,
        year: f.year,
        abp: f.abp,
        program: f.program,
        subprogram: f.subprogram,
        receipt_code: f.receipt_code,
        name: f.name,
    };
    let done = jospar_execution::usecases::offsetting::add(ctx.db(), p, pair).await;
    offsetting_answer(&ctx, done.map(|_| ()), "added").await
}

#[derive(serde::Deserialize)]
struct RemoveForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// Removes a pair, with the reason.
async fn remove_pair(
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Form(f): Form<RemoveForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&f.csrf)?;
    let done = jospar_execution::usecases::offsetting::remove(ctx.db(), p, id, &f.reason).await;
    offsetting_answer(&ctx, done.map(|_| ()), "deleted").await
}

async fn offsetting_answer(
    ctx: &Ctx,
    done: AppResult<()>,
    key: &'static str,
) -> AppResult<Response> {
    match done {
        Ok(()) => {
            Ok(Redirect::to(&crate::view::done("/execution#offsetting", key)).into_response())
        }
        Err(e @ AppError::Invalid { .. }) => {
            let refusals = Refusals {
                offsetting: Some(form_message(ctx, e)?),
                ..Refusals::default()
            };
            page_with(ctx, String::new(), refusals).await
        }
        Err(e) => Err(e),
    }
}
