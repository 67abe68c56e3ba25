//! Goods and prices (P-13, P-5, issue 23): the goods classifier with the national catalogue and
//! the prices of each good, the import of their files, the inflation indices and the rule for
//! a price above the recommended one, and the log of price checks.

use super::common::{Choice, form_message, unprocessable_if};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_core::Tenge;
use jospar_goods::{GoodCard, ImportSummary, NewPrice, Outcome, PriceRule};
use serde::Deserialize;
use std::collections::HashMap;

pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/goods",
    current: "goods",
    title_key: "nav-goods",
    group: MenuGroup::Settings,
    access: Access::SignedIn,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/goods", get(list))
        .route("/goods/import", get(import_form).post(import))
        .route("/goods/settings", get(settings))
        .route("/goods/settings/rule", post(set_rule))
        .route("/goods/settings/index", post(set_index))
        .route("/goods/checks", get(checks))
        .route("/goods/{code}", get(show))
        .route("/goods/{code}/prices", post(add_price))
}

fn tenge(tiyn: i64) -> String {
    Tenge::from_tiyn(tiyn).to_string()
}

const COLUMNS: &[(&str, &str, bool)] = &[
    ("code", "goods-col-code", false),
    ("name", "col-name", false),
    ("", "goods-col-unit", false),
    ("", "col-kind", false),
];

pub struct GoodLine {
    code: String,
    name: String,
    unit: String,
    kind: String,
}

#[derive(Template)]
#[template(path = "goods.html")]
struct ListPage {
    page: Page,
    search: ListParams,
    columns: Vec<Column>,
    pager: Pager,
    lines: Vec<GoodLine>,
    total: String,
    can_configure: bool,
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let query = search.query();
    let (goods, total) = jospar_goods::search(ctx.db(), &query).await?;
    let all = jospar_goods::store::count_goods(ctx.db())
        .await
        .map_err(jospar_goods::goods_error)?;
    let lang = ctx.tr.lang();
    let lines = goods
        .iter()
        .map(|g| GoodLine {
            code: g.code.clone(),
            name: g.name(lang).to_string(),
            unit: g.unit.clone(),
            kind: ctx.tr.t(&format!("goods-kind-{}", g.kind)),
        })
        .collect();
    let listed = jospar_core::listing::Listed {
        rows: goods,
        total,
        offset: query.offset,
        limit: query.limit,
    };
    let links = Links::new(&ctx.path, &ctx.query);
    render(ListPage {
        page: Page::new(&ctx, "goods-title", "goods"),
        columns: columns(ctx.tr, &links, &query, COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        lines,
        total: jospar_core::money::group_digits(u64::try_from(all).unwrap_or(0)),
        can_configure: jospar_goods::may_configure(p),
        search,
    })
}

pub struct PriceLine {
    region: String,
    date: String,
    price: String,
    source: String,
}

pub struct RecommendedLine {
    year: i32,
    price: String,
    basis: String,
}

#[derive(Template)]
#[template(path = "good.html")]
struct GoodPage {
    page: Page,
    card: GoodCard,
    name: String,
    kind: String,
    catalogue: Vec<(String, String, String)>,
    prices: Vec<PriceLine>,
    recommended: Vec<RecommendedLine>,
    region: String,
    can_configure: bool,
    regions: Vec<Choice>,
    form: NewPriceForm,
    error: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewPriceForm {
    csrf: String,
    region: String,
    date: String,
    price: String,
    source: String,
}

/// Region code → the name of the region's budget (КАТО `NN0000000`), for the lists.
async fn region_names(ctx: &Ctx) -> AppResult<HashMap<String, String>> {
    let budgets = jospar_org::repo::budgets(ctx.db()).await?;
    Ok(budgets
        .into_iter()
        .filter(|b| b.kato.len() == 9 && b.kato.ends_with("0000000") && !b.kato.starts_with("00"))
        .map(|b| {
            let name = ctx.tr.pick(&b.name_ru, Some(&b.name_kk)).to_string();
            (b.kato[..2].to_string(), name)
        })
        .collect())
}

async fn good_page(
    ctx: &Ctx,
    code: &str,
    form: NewPriceForm,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let region = jospar_goods::region_of(ctx.db(), p.user.org_id).await?;
    let card = jospar_goods::card(ctx.db(), p, code, region.as_deref()).await?;
    let names = region_names(ctx).await?;
    let region_name = |r: &str| {
        if r.is_empty() {
            ctx.tr.t("goods-republic")
        } else {
            names
                .get(r)
                .map_or_else(|| r.to_string(), |n| format!("{r} · {n}"))
        }
    };
    let lang = ctx.tr.lang();
    let mut regions: Vec<Choice> = names
        .iter()
        .map(|(code, name)| Choice {
            selected: *code == form.region,
            value: code.clone(),
            label: format!("{code} · {name}"),
        })
        .collect();
    regions.sort_by(|a, b| a.value.cmp(&b.value));
    regions.insert(
        0,
        Choice {
            selected: form.region.is_empty(),
            value: String::new(),
            label: ctx.tr.t("goods-republic"),
        },
    );
    let page = GoodPage {
        page: Page::new(ctx, "goods-card-title", "goods"),
        name: card.good.name(lang).to_string(),
        kind: ctx.tr.t(&format!("goods-kind-{}", card.good.kind)),
        catalogue: card
            .catalogue
            .iter()
            .map(|c| {
                let name = ctx.tr.pick(&c.name_ru, Some(&c.name_kk)).to_string();
                (c.code.clone(), name, c.unit.clone())
            })
            .collect(),
        prices: card
            .prices
            .iter()
            .map(|o| PriceLine {
                region: region_name(&o.region),
                date: o.observed_on.format("%d.%m.%Y").to_string(),
                price: tenge(o.price),
                source: o.source.clone(),
            })
            .collect(),
        recommended: card
            .recommended
            .iter()
            .map(|r| RecommendedLine {
                year: r.year,
                price: tenge(r.price),
                basis: ctx.tr.args(
                    if r.regional {
                        "goods-basis-region"
                    } else {
                        "goods-basis-republic"
                    },
                    &[("count", r.observations.to_string())],
                ),
            })
            .collect(),
        region: region
            .as_deref()
            .map_or_else(|| ctx.tr.t("goods-republic"), region_name),
        can_configure: jospar_goods::may_configure(p),
        regions,
        form,
        error,
        card,
    };
    render(page)
}

async fn show(ctx: Ctx, Path(code): Path<String>) -> AppResult<Response> {
    good_page(&ctx, &code, NewPriceForm::default(), None).await
}

async fn add_price(
    ctx: Ctx,
    Path(code): Path<String>,
    Form(form): Form<NewPriceForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let new = NewPrice {
        region: form.region.clone(),
        date: form.date.clone(),
        price: form.price.clone(),
        source: form.source.clone(),
    };
    match jospar_goods::add_price(ctx.db(), p, &code, &new).await {
        Ok(()) => Ok(Redirect::to(&format!("/goods/{code}")).into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let response = good_page(&ctx, &code, form, Some(message)).await?;
            Ok(unprocessable_if(true, response))
        }
    }
}

#[derive(Template)]
#[template(path = "goods_import.html")]
struct ImportPage {
    page: Page,
    error: Option<String>,
    summary: Option<ImportSummary>,
    kind: String,
    /// Each file's native header row and what it holds.
    formats: Vec<(&'static str, String)>,
}

fn import_page(
    ctx: &Ctx,
    error: Option<String>,
    summary: Option<ImportSummary>,
) -> AppResult<Response> {
    let kind = summary
        .as_ref()
        .map(|s| ctx.tr.t(&format!("goods-file-{}", s.kind)))
        .unwrap_or_default();
    render(ImportPage {
        page: Page::new(ctx, "goods-import-title", "goods"),
        error,
        summary,
        kind,
        formats: jospar_goods::import::NATIVE_HEADERS
            .iter()
            .map(|(kind, header)| (*header, ctx.tr.t(&format!("goods-file-{}", kind.code()))))
            .collect(),
    })
}

async fn import_form(ctx: Ctx) -> AppResult<Response> {
    jospar_goods::require_configurer(ctx.user()?)?;
    import_page(&ctx, None, None)
}

async fn import(ctx: Ctx, mut multipart: Multipart) -> AppResult<Response> {
    let p = ctx.user()?;
    // Refused before the upload is read; the import checks again.
    jospar_goods::require_configurer(p)?;
    let (mut csrf, mut file_name, mut bytes) = (String::new(), String::new(), Vec::new());
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("err-import-upload", "file"))?
    {
        if field.name() == Some("file") {
            file_name = field.file_name().unwrap_or("upload.csv").to_string();
            bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::invalid("err-import-upload", "file"))?
                .to_vec();
        } else if field.name() == Some("csrf") {
            csrf = field.text().await.unwrap_or_default();
        }
    }
    p.check_csrf(&csrf)?;
    match jospar_goods::import(ctx.db(), p, &bytes[..], &file_name).await {
        Ok(summary) => import_page(&ctx, None, Some(summary)),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            Ok(unprocessable_if(
                true,
                import_page(&ctx, Some(message), None)?,
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "goods_settings.html")]
struct SettingsPage {
    page: Page,
    rules: Vec<Choice>,
    indices: Vec<(i32, String)>,
    missing: Vec<i32>,
    can_configure: bool,
    error: Option<String>,
    saved: bool,
}

async fn settings_page(ctx: &Ctx, error: Option<String>, saved: bool) -> AppResult<Response> {
    let p = ctx.user()?;
    let s = jospar_goods::settings(ctx.db()).await?;
    let this_year = chrono::Datelike::year(&p.today);
    let render_bp = |bp: i64| {
        let sign = if bp < 0 { "-" } else { "" };
        let bp = bp.abs();
        format!("{sign}{},{:02}", bp / 100, bp % 100)
    };
    render(SettingsPage {
        page: Page::new(ctx, "goods-settings-title", "goods"),
        rules: [PriceRule::Refuse, PriceRule::Justify]
            .into_iter()
            .map(|r| Choice {
                selected: r == s.rule,
                value: r.code().to_string(),
                label: ctx.tr.t(&format!("goods-rule-{}", r.code())),
            })
            .collect(),
        indices: s
            .indices
            .iter()
            .rev()
            .map(|(y, bp)| (*y, render_bp(*bp)))
            .collect(),
        missing: (this_year - 2..=this_year + 3)
            .filter(|y| !s.indices.contains_key(y))
            .collect(),
        can_configure: jospar_goods::may_configure(p),
        error,
        saved,
    })
}

async fn settings(ctx: Ctx) -> AppResult<Response> {
    let saved = ctx.query.contains("saved=1");
    settings_page(&ctx, None, saved).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleForm {
    csrf: String,
    rule: String,
    reason: String,
}

async fn set_rule(ctx: Ctx, Form(form): Form<RuleForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let saved = jospar_goods::set_rule(ctx.db(), p, &form.rule, &form.reason).await;
    settings_saved(&ctx, saved).await
}

/// Back to the settings, saved, or shown again with the refusal.
async fn settings_saved(ctx: &Ctx, saved: AppResult<()>) -> AppResult<Response> {
    match saved {
        Ok(()) => Ok(Redirect::to("/goods/settings?saved=1").into_response()),
        Err(e) => {
            let message = form_message(ctx, e)?;
            Ok(unprocessable_if(
                true,
                settings_page(ctx, Some(message), false).await?,
            ))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IndexForm {
    csrf: String,
    year: String,
    percent: String,
}

async fn set_index(ctx: Ctx, Form(form): Form<IndexForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let saved = jospar_goods::set_index(ctx.db(), p, &form.year, &form.percent).await;
    settings_saved(&ctx, saved).await
}

pub struct CheckLine {
    at: String,
    who: String,
    org: String,
    request_id: i64,
    year: i32,
    row: i64,
    good: String,
    price: String,
    recommended: String,
    outcome: String,
    outcome_code: String,
    justification: String,
}

#[derive(Template)]
#[template(path = "goods_checks.html")]
struct ChecksPage {
    page: Page,
    lines: Vec<CheckLine>,
}

async fn checks(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let orgs = super::common::org_names(&ctx).await?;
    let lines = jospar_goods::checks(ctx.db(), p)
        .await?
        .into_iter()
        .map(|c| {
            let outcome = Outcome::from_code(&c.outcome).unwrap_or(Outcome::Refused);
            CheckLine {
                at: c.checked_at.format("%d.%m.%Y %H:%M").to_string(),
                who: c.login,
                org: orgs.get(&c.org_id).cloned().unwrap_or_default(),
                request_id: c.request_id,
                year: c.year,
                row: c.row_no,
                good: c.good_code,
                price: tenge(c.price),
                recommended: c.recommended.map(tenge).unwrap_or_default(),
                outcome: ctx.tr.t(&format!("goods-outcome-{}", outcome.code())),
                outcome_code: outcome.code().to_string(),
                justification: c.justification,
            }
        })
        .collect();
    render(ChecksPage {
        page: Page::new(&ctx, "goods-checks-title", "goods"),
        lines,
    })
}
