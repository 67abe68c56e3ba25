//! Ad-hoc forms (P-16, issue 23): the list with the designer of a new form, one form with its
//! copies and its sending, and an organisation's copy to fill from the keyboard.

use super::common::{Choice, form_message, unprocessable_if};
use super::common::{SearchQuery, searched};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::{Access, Reader};
use jospar_adhoc::{AdhocForm, NewAdhocForm, ResponseStatus};
use jospar_forms::{Column, ColumnType, RowInput};
use std::collections::HashMap;

pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/adhoc-forms",
    current: "adhoc",
    title_key: "nav-adhoc",
    group: MenuGroup::Planning,
    access: Access::Read,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/adhoc-forms", get(list).post(create))
        .route("/adhoc-forms/{id}", get(show))
        .route("/adhoc-forms/{id}/send", post(send))
        .route("/adhoc-forms/{id}/responses/{org}", get(fill).post(save))
}

/// Column lines the designer offers; blank ones are left out.
const DESIGN_COLUMNS: usize = 8;
/// Blank rows offered under a free form's rows.
const BLANK_ROWS: usize = 5;
const TYPES: [&str; 4] = ["text", "number", "money", "computed"];

type Fields = HashMap<String, String>;

fn field<'a>(fields: &'a Fields, key: &str) -> &'a str {
    fields.get(key).map(String::as_str).unwrap_or("")
}

async fn org_names(ctx: &Ctx) -> AppResult<HashMap<i64, String>> {
    Ok(jospar_org::repo::all_orgs(ctx.db())
        .await?
        .into_iter()
        .map(|o| (o.id, o.name(ctx.tr.lang()).to_string()))
        .collect())
}

pub struct Listed {
    id: i64,
    title: String,
    sender: String,
    deadline: String,
    status: String,
}

/// A column line of the designer as typed.
pub struct DesignLine {
    n: usize,
    key: String,
    name_ru: String,
    name_kk: String,
    types: Vec<Choice>,
    formula: String,
    required: bool,
    min: String,
    max: String,
}

#[derive(Template)]
#[template(path = "adhoc_forms.html")]
struct ListPage {
    page: Page,
    rows: Vec<Listed>,
    q: String,
    senders: Vec<Choice>,
    roots: Vec<Choice>,
    lines: Vec<DesignLine>,
    title_ru: String,
    title_kk: String,
    deadline: String,
    row_labels: String,
    error: Option<String>,
}

async fn list_page(ctx: &Ctx, typed: Fields, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let names = org_names(ctx).await?;
    let forms = jospar_adhoc::forms(ctx.db(), &Reader::User(p), &p.tree).await?;
    let q = field(&typed, "q").to_string();
    let rows = jospar_core::listing::list(forms, &searched(&q))
        .rows
        .into_iter()
        .map(|f| Listed {
            id: f.id,
            title: f.title(&ctx.tr),
            sender: names.get(&f.owner_org_id).cloned().unwrap_or_default(),
            deadline: crate::view::date(&f.deadline),
            status: ctx.tr.t(&format!("adhoc-status-{}", f.status.code())),
        })
        .collect();
    let senders = jospar_adhoc::senders(ctx.db(), p).await?;
    // The sender is the user's own organisation unless another was picked.
    let own = p.user.org_id.to_string();
    let choices = |name: &str| -> Vec<Choice> {
        let picked = match (name, field(&typed, name)) {
            ("owner", "") => own.as_str(),
            (_, value) => value,
        };
        senders
            .iter()
            .map(|o| Choice {
                selected: picked == o.id.to_string(),
                value: o.id.to_string(),
                label: o.name(ctx.tr.lang()).to_string(),
            })
            .collect()
    };
    let lines = (1..=DESIGN_COLUMNS)
        .map(|n| {
            let get = |name: &str| field(&typed, &format!("c{n}_{name}")).to_string();
            DesignLine {
                n,
                types: TYPES
                    .iter()
                    .map(|t| Choice {
                        selected: get("type") == *t,
                        value: t.to_string(),
                        label: ctx.tr.t(&format!("adhoc-type-{t}")),
                    })
                    .collect(),
                key: get("key"),
                name_ru: get("name_ru"),
                name_kk: get("name_kk"),
                formula: get("formula"),
                required: !get("required").is_empty(),
                min: get("min"),
                max: get("max"),
            }
        })
        .collect();
    let refused = error.is_some();
    let response = render(ListPage {
        page: Page::new(ctx, "adhoc-title", "adhoc"),
        rows,
        q,
        roots: choices("root"),
        senders: choices("owner"),
        lines,
        title_ru: field(&typed, "title_ru").to_string(),
        title_kk: field(&typed, "title_kk").to_string(),
        deadline: field(&typed, "deadline").to_string(),
        row_labels: field(&typed, "row_labels").to_string(),
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn list(ctx: Ctx, Query(search): Query<SearchQuery>) -> AppResult<Response> {
    let typed = Fields::from([("q".to_string(), search.q)]);
    list_page(&ctx, typed, None).await
}

/// The design typed on the page: the column lines with a key, the row labels one a line.
fn design_of(fields: &Fields) -> jospar_access::Result<NewAdhocForm> {
    let mut columns = Vec::new();
    for n in 1..=DESIGN_COLUMNS {
        let get = |name: &str| field(fields, &format!("c{n}_{name}")).trim().to_string();
        if get("key").is_empty() && get("name_ru").is_empty() {
            continue;
        }
        let number = |name: &str| -> jospar_access::Result<_> {
            let text = get(name);
            if text.is_empty() {
                return Ok(None);
            }
            let field = format!("columns[{}].{name}", columns.len() + 1);
            jospar_forms::parse_decimal(&text)
                .map(Some)
                .ok_or_else(|| jospar_access::Error::invalid("err-adhoc-number", &field))
        };
        let column_type = match get("type").as_str() {
            "number" => ColumnType::Number,
            "money" => ColumnType::Money,
            "computed" => ColumnType::Computed,
            _ => ColumnType::Text,
        };
        columns.push(Column {
            key: get("key"),
            name_ru: get("name_ru"),
            name_kk: get("name_kk"),
            column_type,
            formula: Some(get("formula")).filter(|f| !f.is_empty()),
            required: !get("required").is_empty(),
            min: number("min")?,
            max: number("max")?,
            indexed: false,
            price_check: None,
        });
    }
    let owner = field(fields, "owner");
    Ok(NewAdhocForm {
        owner_org_id: jospar_access::parse_id(owner, "owner_org_id")?,
        root_org_id: field(fields, "root").trim().parse().ok(),
        title_ru: field(fields, "title_ru").to_string(),
        title_kk: field(fields, "title_kk").to_string(),
        columns,
        row_labels: field(fields, "row_labels")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        deadline: field(fields, "deadline").to_string(),
    })
}

async fn create(ctx: Ctx, Form(fields): Form<Fields>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = async {
        let new = design_of(&fields)?;
        jospar_adhoc::create(ctx.db(), p, new).await
    }
    .await;
    match result {
        Ok(f) => Ok(Redirect::to(&crate::view::done(
            &format!("/adhoc-forms/{}", f.id),
            "created",
        ))
        .into_response()),
        Err(e) => list_page(&ctx, fields, Some(form_message(&ctx, e)?)).await,
    }
}

/// A copy as the form's page lists it.
pub struct Copy {
    org_id: i64,
    org: String,
    status: String,
    updated: String,
    can_fill: bool,
}

#[derive(Template)]
#[template(path = "adhoc_form.html")]
struct ShowPage {
    page: Page,
    f: AdhocForm,
    sender: String,
    root: String,
    deadline: String,
    status: String,
    columns: Vec<(String, String, String, String)>,
    can_send: bool,
    copies: Vec<Copy>,
    submitted: usize,
    error: Option<String>,
}

fn column_type_name(ctx: &Ctx, c: &Column) -> String {
    let code = match c.column_type {
        ColumnType::Text => "text",
        ColumnType::Number => "number",
        ColumnType::Money => "money",
        ColumnType::Computed => "computed",
    };
    ctx.tr.t(&format!("adhoc-type-{code}"))
}

async fn show_page(ctx: &Ctx, id: i64, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let (f, responses) = jospar_adhoc::responses(ctx.db(), &Reader::User(p), &p.tree, id).await?;
    let names = org_names(ctx).await?;
    let name = |org: i64| names.get(&org).cloned().unwrap_or_default();
    let copies: Vec<Copy> = responses
        .iter()
        .map(|r| Copy {
            org_id: r.org_id,
            org: name(r.org_id),
            status: ctx.tr.t(&format!("adhoc-response-{}", r.status.code())),
            updated: r
                .updated_at
                .map(super::common::almaty_date_time)
                .unwrap_or_default(),
            can_fill: jospar_adhoc::may_fill(p, r.org_id),
        })
        .collect();
    let columns = f
        .columns
        .iter()
        .map(|c| {
            (
                c.key.clone(),
                ctx.tr.pick(&c.name_ru, Some(&c.name_kk)).to_string(),
                column_type_name(ctx, c),
                c.formula.clone().unwrap_or_default(),
            )
        })
        .collect();
    let page = Page::new(ctx, "adhoc-title", "adhoc").document(
        f.title(&ctx.tr),
        vec![("/adhoc-forms".to_string(), ctx.tr.t("adhoc-title"))],
    );
    let refused = error.is_some();
    let response = render(ShowPage {
        page,
        sender: name(f.owner_org_id),
        root: name(f.root_org_id),
        deadline: crate::view::date(&f.deadline),
        status: ctx.tr.t(&format!("adhoc-status-{}", f.status.code())),
        columns,
        can_send: jospar_adhoc::may_send(p, &f),
        submitted: responses
            .iter()
            .filter(|r| r.status == ResponseStatus::Submitted)
            .count(),
        copies,
        error,
        f,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    show_page(&ctx, id, None).await
}

async fn send(ctx: Ctx, Path(id): Path<i64>, Form(fields): Form<Fields>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let result = async {
        let version = jospar_access::parse_id(field(&fields, "version"), "version")?;
        jospar_adhoc::send(ctx.db(), p, id, version).await
    }
    .await;
    match result {
        Ok(_) => Ok(
            Redirect::to(&crate::view::done(&format!("/adhoc-forms/{id}"), "sent")).into_response(),
        ),
        Err(e) => show_page(&ctx, id, Some(form_message(&ctx, e)?)).await,
    }
}

/// A row of the copy to fill: its label (fixed forms) and each column's cell.
pub struct FillRow {
    label: String,
    cells: Vec<FillCell>,
}

pub struct FillCell {
    name: String,
    value: String,
    computed: bool,
    numeric: bool,
}

#[derive(Template)]
#[template(path = "adhoc_fill.html")]
struct FillPage {
    page: Page,
    f: AdhocForm,
    org: i64,
    org_name: String,
    deadline: String,
    status: String,
    version: i64,
    headers: Vec<String>,
    rows: Vec<FillRow>,
    editable: bool,
    error: Option<String>,
}

/// The rows of a copy with their computed cells, as stored or as typed.
fn fill_rows(f: &AdhocForm, rows: &[RowInput], typed: bool) -> Vec<FillRow> {
    let computed = if typed {
        Vec::new()
    } else {
        f.def()
            .evaluate(rows)
            .map(|v| v.into_iter().map(|r| r.values).collect())
            .unwrap_or_default()
    };
    rows.iter()
        .enumerate()
        .map(|(i, row)| FillRow {
            label: f.row_labels.get(i).cloned().unwrap_or_default(),
            cells: f
                .columns
                .iter()
                .map(|c| {
                    let is_computed = c.column_type == ColumnType::Computed;
                    let value = if is_computed {
                        computed
                            .get(i)
                            .and_then(|v: &std::collections::BTreeMap<String, String>| {
                                v.get(&c.key)
                            })
                            .cloned()
                            .unwrap_or_default()
                    } else {
                        row.get(&c.key).cloned().unwrap_or_default()
                    };
                    FillCell {
                        name: format!("r{i}_{}", c.key),
                        value,
                        computed: is_computed,
                        numeric: c.column_type != ColumnType::Text,
                    }
                })
                .collect(),
        })
        .collect()
}

/// The rows posted from the page: `r{i}_{key}` for each input column, `rows` of them.
fn posted_rows(f: &AdhocForm, fields: &Fields) -> Vec<RowInput> {
    let count: usize = field(fields, "rows").parse().unwrap_or(0).min(1000);
    (0..count)
        .map(|i| {
            f.columns
                .iter()
                .filter(|c| c.column_type != ColumnType::Computed)
                .filter_map(|c| {
                    let value = field(fields, &format!("r{i}_{}", c.key)).trim().to_string();
                    (!value.is_empty()).then(|| (c.key.clone(), value))
                })
                .collect()
        })
        .collect()
}

async fn fill_page(
    ctx: &Ctx,
    id: i64,
    org: i64,
    typed: Option<&Fields>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let (f, r) = jospar_adhoc::response(ctx.db(), &Reader::User(p), &p.tree, id, org).await?;
    let names = org_names(ctx).await?;
    let mut rows = match typed {
        Some(fields) => posted_rows(&f, fields),
        None => r.rows.clone(),
    };
    if !f.fixed_rows() {
        rows.extend((0..BLANK_ROWS).map(|_| RowInput::new()));
    }
    let headers = f
        .columns
        .iter()
        .map(|c| ctx.tr.pick(&c.name_ru, Some(&c.name_kk)).to_string())
        .collect();
    let page = Page::new(ctx, "adhoc-title", "adhoc").document(
        f.title(&ctx.tr),
        vec![
            ("/adhoc-forms".to_string(), ctx.tr.t("adhoc-title")),
            (format!("/adhoc-forms/{id}"), f.title(&ctx.tr)),
        ],
    );
    let refused = error.is_some();
    let response = render(FillPage {
        page,
        org,
        org_name: names.get(&org).cloned().unwrap_or_default(),
        deadline: crate::view::date(&f.deadline),
        status: ctx.tr.t(&format!("adhoc-response-{}", r.status.code())),
        version: r.version,
        headers,
        rows: fill_rows(&f, &rows, typed.is_some()),
        editable: jospar_adhoc::may_fill(p, org),
        error,
        f,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn fill(ctx: Ctx, Path((id, org)): Path<(i64, i64)>) -> AppResult<Response> {
    fill_page(&ctx, id, org, None, None).await
}

async fn save(
    ctx: Ctx,
    Path((id, org)): Path<(i64, i64)>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(field(&fields, "csrf"))?;
    let submit = field(&fields, "submit") == "1";
    let result = async {
        let version = jospar_access::parse_id(field(&fields, "version"), "version")?;
        let (f, _) = jospar_adhoc::response(ctx.db(), &Reader::User(p), &p.tree, id, org).await?;
        jospar_adhoc::save(
            ctx.db(),
            p,
            id,
            org,
            version,
            posted_rows(&f, &fields),
            submit,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/adhoc-forms/{id}/responses/{org}"),
            if submit { "sent" } else { "saved" },
        ))
        .into_response()),
        Err(e) => fill_page(&ctx, id, org, Some(&fields), Some(form_message(&ctx, e)?)).await,
    }
}
