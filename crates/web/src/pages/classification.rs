//! Budget classification (P-13): browse and search by year, compare two years, import files.

use super::common::form_message;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Query};
use axum::response::Response;
use axum::routing::get;
use jospar_access::Access;
use jospar_classification::{ChangeKind, CodeKind, ImportSummary, diff_years, repo as ebk};
use serde::Deserialize;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/classification",
    current: "classification",
    title_key: "nav-classification",
    group: MenuGroup::Settings,
    access: Access::SignedIn,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/classification", get(browse))
        .route("/classification/compare", get(compare))
        .route("/classification/import", get(import_form).post(import))
        .route("/classification/copy-year", axum::routing::post(copy_year))
}

pub struct CodeLine {
    pub kind: String,
    pub kind_code: String,
    pub code: String,
    pub name: String,
    pub name_is_ru_fallback: bool,
    pub child_kind: Option<String>,
    /// The parent code of the children link (for an ABP in a subgroup, the ABP's own code).
    pub child_parent: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BrowseQuery {
    year: String,
    kind: String,
    q: String,
    parent: String,
}

#[derive(Template)]
#[template(path = "classification.html")]
struct BrowsePage {
    page: Page,
    years: Vec<i32>,
    year: i32,
    kinds: Vec<(String, String, i64, bool)>,
    q: String,
    parent: String,
    lines: Vec<CodeLine>,
    can_import: bool,
}

/// Where "open" leads from a code: its children, and from an administrator within a
/// functional subgroup, to that administrator's programs.
fn children_link(kind: CodeKind, code: &str) -> Option<(CodeKind, String)> {
    if kind == CodeKind::FuncAbp {
        return code
            .rsplit(' ')
            .next()
            .map(|abp| (CodeKind::Program, abp.to_string()));
    }
    CodeKind::ALL
        .into_iter()
        .find(|k| k.parent_kind() == Some(kind))
        .map(|k| (k, code.to_string()))
}

async fn browse(ctx: Ctx, Query(q): Query<BrowseQuery>) -> AppResult<Response> {
    let p = ctx.user()?;
    let years = ebk::years(ctx.db()).await?;
    let year = q
        .year
        .parse()
        .ok()
        .filter(|y| years.contains(y))
        .or(years.last().copied())
        .unwrap_or(0);
    let kind = CodeKind::from_code(&q.kind);
    // Without a search or a parent, start at the top of the functional tree.
    let kind =
        kind.or((q.q.trim().is_empty() && q.parent.is_empty()).then_some(CodeKind::FuncGroup));
    let parent = Some(q.parent.as_str()).filter(|p| !p.is_empty());
    let entries = ebk::search(ctx.db(), year, kind, parent, &q.q, 500).await?;
    let counts = ebk::counts(ctx.db(), year).await?;
    let kinds = counts
        .iter()
        .map(|(k, n)| {
            (
                k.code().to_string(),
                ctx.tr.t(&format!("ebk-kind-{}", k.code())),
                *n,
                Some(*k) == kind,
            )
        })
        .collect();
    let lines = entries
        .into_iter()
        .map(|e| {
            let link = children_link(e.kind, &e.code);
            CodeLine {
                kind: ctx.tr.t(&format!("ebk-kind-{}", e.kind.code())),
                kind_code: e.kind.code().into(),
                name: ctx.tr.pick(&e.name_ru, e.name_kk.as_deref()).to_string(),
                name_is_ru_fallback: ctx.tr.is_fallback(e.name_kk.as_deref()),
                child_kind: link.as_ref().map(|(k, _)| k.code().to_string()),
                child_parent: link.map(|(_, p)| p).unwrap_or_default(),
                code: e.code,
            }
        })
        .collect();
    render(BrowsePage {
        page: Page::new(&ctx, "ebk-title", "classification"),
        years,
        year,
        kinds,
        q: q.q,
        parent: q.parent,
        lines,
        can_import: jospar_classification::usecases::may_import(p),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CompareQuery {
    from: String,
    to: String,
}

pub struct ChangeLine {
    pub change: String,
    pub change_code: String,
    pub kind: String,
    pub code: String,
    pub old_name: String,
    pub new_name: String,
}

/// Changes of codes as the pages show them: the comparison of two years, a change set of the
/// ЕБК service.
pub(super) fn change_lines(
    ctx: &Ctx,
    changes: Vec<jospar_classification::Change>,
) -> Vec<ChangeLine> {
    let change_code = |k: ChangeKind| match k {
        ChangeKind::Opened => "opened",
        ChangeKind::Closed => "closed",
        ChangeKind::Renamed => "renamed",
    };
    changes
        .into_iter()
        .map(|c| ChangeLine {
            change: ctx.tr.t(&format!("ebk-change-{}", change_code(c.change))),
            change_code: change_code(c.change).into(),
            kind: ctx.tr.t(&format!("ebk-kind-{}", c.kind.code())),
            code: c.code,
            old_name: c.old_name.unwrap_or_default(),
            new_name: c.new_name.unwrap_or_default(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    page: Page,
    years: Vec<i32>,
    from: i32,
    to: i32,
    changes: Vec<ChangeLine>,
    opened: usize,
    closed: usize,
    renamed: usize,
}

async fn compare(ctx: Ctx, Query(q): Query<CompareQuery>) -> AppResult<Response> {
    ctx.user()?;
    let years = ebk::years(ctx.db()).await?;
    let to = q.to.parse().ok().or(years.last().copied()).unwrap_or(0);
    let from = q
        .from
        .parse()
        .ok()
        .or(years.iter().rev().nth(1).copied())
        .unwrap_or(to);
    let a = ebk::codes_of_year(ctx.db(), from).await?;
    let b = ebk::codes_of_year(ctx.db(), to).await?;
    let diff = diff_years(&a, &b);
    let count = |k: ChangeKind| diff.iter().filter(|c| c.change == k).count();
    let (opened, closed, renamed) = (
        count(ChangeKind::Opened),
        count(ChangeKind::Closed),
        count(ChangeKind::Renamed),
    );
    let changes = change_lines(&ctx, diff);
    render(ComparePage {
        page: Page::new(&ctx, "ebk-compare-title", "classification"),
        years,
        from,
        to,
        changes,
        opened,
        closed,
        renamed,
    })
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    page: Page,
    error: Option<String>,
    summary: Option<ImportSummary>,
    years: Vec<i32>,
}

async fn import_page(
    ctx: &Ctx,
    error: Option<String>,
    summary: Option<ImportSummary>,
) -> AppResult<Response> {
    let years = ebk::years(ctx.db()).await?;
    render(ImportPage {
        page: Page::new(ctx, "ebk-import-title", "classification"),
        error,
        summary,
        years,
    })
}

async fn import_form(ctx: Ctx) -> AppResult<Response> {
    jospar_classification::usecases::require_importer(ctx.user()?)?;
    import_page(&ctx, None, None).await
}

async fn import(ctx: Ctx, mut multipart: Multipart) -> AppResult<Response> {
    let p = ctx.user()?;
    // Refused before the upload is read; the import checks again.
    jospar_classification::usecases::require_importer(p)?;
    let (mut csrf, mut from, mut to, mut file_name, mut bytes) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        Vec::new(),
    );
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("err-import-upload", "file"))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            file_name = field.file_name().unwrap_or("upload.csv").to_string();
            bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::invalid("err-import-upload", "file"))?
                .to_vec();
        } else {
            let text = field.text().await.unwrap_or_default();
            match name.as_str() {
                "csrf" => csrf = text,
                "year_from" => from = text,
                "year_to" => to = text,
                _ => {}
            }
        }
    }
    p.check_csrf(&csrf)?;
    let result = match jospar_classification::usecases::parse_years(&from, &to) {
        Ok(years) => {
            jospar_classification::usecases::import_classification(
                ctx.db(),
                p,
                &bytes,
                years,
                &file_name,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(summary) => import_page(&ctx, None, Some(summary)).await,
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = import_page(&ctx, Some(message), None).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CopyForm {
    csrf: String,
    from: String,
    to: String,
}

async fn copy_year(ctx: Ctx, Form(form): Form<CopyForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result =
        jospar_classification::usecases::copy_year(ctx.db(), p, &form.from, &form.to).await;
    match result {
        Ok(summary) => import_page(&ctx, None, Some(summary)).await,
        Err(e) => {
            let message = form_message(&ctx, e)?;
            import_page(&ctx, Some(message), None).await
        }
    }
}
