//! Limits (L-1…L-4): campaigns, and the distribution grid of one node — what it received,
//! what it passed on to each receiver, and what remains — per year and kind.

use super::common::Choice;
use super::common::form_message;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::menu::{MenuEntry, MenuGroup};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Datelike;
use jospar_access::Access;
use jospar_core::Tenge;
use jospar_limits::repo::{Change, NewCampaign};
use jospar_limits::usecases::{self as service, Balance, kind_name};
use jospar_limits::{Campaign, LimitKind, Node, Slot};
use serde::Deserialize;
use std::collections::HashMap;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/limits",
    current: "limits",
    title_key: "nav-limits",
    group: MenuGroup::Planning,
    access: Access::Read,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/limits", get(list).post(create))
        .route("/limits/{id}", get(show).post(save))
}

pub struct CampaignLine {
    pub id: i64,
    pub name: String,
    pub period: String,
    pub authority: String,
}

#[derive(Template)]
#[template(path = "limits.html")]
struct ListPage {
    page: Page,
    error: Option<String>,
    campaigns: Vec<CampaignLine>,
    authorities: Vec<Choice>,
    form: CampaignForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CampaignForm {
    csrf: String,
    authority_org_id: String,
    first_year: String,
    name_ru: String,
    name_kk: String,
    inflation2: String,
    inflation3: String,
    request_days: String,
    committee_days: String,
    administrator_days: String,
    authority_days: String,
}

/// A number of working days typed in the form.
fn days(text: &str, field: &'static str) -> AppResult<i64> {
    text.trim()
        .parse()
        .map_err(|_| AppError::invalid("err-required", field))
}

async fn list_page(ctx: &Ctx, form: CampaignForm, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let orgs = service::org_map(ctx.db()).await?;
    let lang = ctx.tr.lang();
    let campaigns = service::visible_campaigns(ctx.db(), p)
        .await?
        .into_iter()
        .map(|c| CampaignLine {
            id: c.id,
            name: if lang == "kk" {
                c.name_kk.clone()
            } else {
                c.name_ru.clone()
            },
            period: format!("{}–{}", c.first_year, c.first_year + 2),
            authority: orgs
                .get(&c.authority_org_id)
                .map(|o| o.name(lang).to_string())
                .unwrap_or_default(),
        })
        .collect();
    let mut authorities: Vec<Choice> = service::campaign_authorities(p, orgs.values())
        .into_iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(lang).to_string(),
            selected: form.authority_org_id == o.id.to_string(),
        })
        .collect();
    authorities.sort_by(|a, b| a.label.cmp(&b.label));
    let form = if form.first_year.is_empty() {
        CampaignForm {
            first_year: (p.today.year() + 1).to_string(),
            inflation2: "105,0".into(),
            inflation3: "105,0".into(),
            request_days: "10".into(),
            committee_days: "5".into(),
            administrator_days: "5".into(),
            authority_days: "10".into(),
            ..form
        }
    } else {
        form
    };
    render(ListPage {
        page: Page::new(ctx, "limits-title", "limits"),
        error,
        campaigns,
        authorities,
        form,
    })
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    list_page(&ctx, CampaignForm::default(), None).await
}

/// "105,5" (percent of the previous year) → 10 550 basis points.
fn percent_to_bp(text: &str, field: &str) -> AppResult<i64> {
    let tenths = Tenge::parse(text).map_err(|_| AppError::invalid("err-percent", field))?;
    Ok(tenths.tiyn())
}

async fn create(ctx: Ctx, Form(form): Form<CampaignForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let new = NewCampaign {
            authority_org_id: form
                .authority_org_id
                .parse()
                .map_err(|_| AppError::invalid("err-required", "authority_org_id"))?,
            first_year: form
                .first_year
                .trim()
                .parse()
                .map_err(|_| AppError::invalid("err-year", "first_year"))?,
            name_ru: form.name_ru.clone(),
            name_kk: form.name_kk.clone(),
            inflation_bp: [
                percent_to_bp(&form.inflation2, "inflation2")?,
                percent_to_bp(&form.inflation3, "inflation3")?,
            ],
            request_days: Some(days(&form.request_days, "request_days")?),
            review_days: Some([
                days(&form.committee_days, "committee_days")?,
                days(&form.administrator_days, "administrator_days")?,
                days(&form.authority_days, "authority_days")?,
            ]),
        };
        service::create_campaign(ctx.db(), p, new).await
    }
    .await;
    match result {
        Ok(c) => Ok(
            Redirect::to(&crate::view::done(&format!("/limits/{}", c.id), "created"))
                .into_response(),
        ),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = list_page(&ctx, form, Some(message)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

pub struct Cell {
    pub name: String,
    pub text: String,
    pub version: i64,
    pub editable: bool,
}

pub struct GridRow {
    pub label: String,
    pub link: String,
    pub kind: String,
    pub cells: Vec<Cell>,
}

pub struct BalanceRow {
    pub kind: String,
    pub distributed: Vec<String>,
    pub remaining: Vec<String>,
}

#[derive(Template)]
#[template(path = "limit_node.html")]
struct NodePage {
    page: Page,
    error: Option<String>,
    campaign_id: i64,
    node_org: i64,
    node_program: String,
    years: Vec<i32>,
    breadcrumbs: Vec<(String, String)>,
    own: Vec<GridRow>,
    balance: Vec<BalanceRow>,
    rows: Vec<GridRow>,
    any_editable: bool,
    can_add_program: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NodeQuery {
    org: String,
    program: String,
    add: String,
}

fn cell_name(slot: &Slot) -> String {
    format!(
        "{}|{}|{}|{}",
        slot.org_id,
        slot.program,
        slot.year,
        slot.kind.code()
    )
}

fn node_link(campaign: &Campaign, node: &Node) -> String {
    format!(
        "/limits/{}?org={}&program={}",
        campaign.id, node.org_id, node.program
    )
}

async fn node_page(
    ctx: &Ctx,
    id: i64,
    q: NodeQuery,
    error: Option<String>,
    typed: Option<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let view = service::node_view(
        ctx.db(),
        p,
        &ctx.tr,
        id,
        q.org.parse::<i64>().ok(),
        &q.program,
        &q.add,
    )
    .await?;
    let (campaign, node, orgs) = (&view.campaign, &view.node, &view.orgs);
    let lang = ctx.tr.lang();
    let years = campaign.years().to_vec();
    // Programs are named under the ABP of the administrator the node belongs to.
    let abp = jospar_planning::codes::administrator_code(ctx.db(), node.org_id).await?;
    let programs =
        jospar_classification::repo::ExpenseNames::load(ctx.db(), campaign.first_year, abp, lang)
            .await?;
    let label = |n: &Node| {
        let name = orgs
            .get(&n.org_id)
            .map(|o| o.name(lang).to_string())
            .unwrap_or_default();
        if n.program.is_empty() {
            name
        } else {
            let program = programs.label(&n.program, "", "");
            format!("{} {program} — {name}", ctx.tr.t("limits-program"))
        }
    };
    let grid_rows = |n: &Node, editable: bool| -> Vec<GridRow> {
        LimitKind::ALL
            .iter()
            .map(|kind| GridRow {
                label: label(n),
                link: node_link(campaign, n),
                kind: kind_name(&ctx.tr, *kind),
                cells: years
                    .iter()
                    .map(|year| {
                        let slot = Slot {
                            org_id: n.org_id,
                            program: n.program.clone(),
                            year: *year,
                            kind: *kind,
                        };
                        let name = cell_name(&slot);
                        let text = typed
                            .as_ref()
                            .and_then(|t| t.get(&format!("a|{name}")).cloned())
                            .unwrap_or_else(|| view.ledger.amount(&slot).to_string());
                        Cell {
                            text,
                            version: view.versions.get(&slot).copied().unwrap_or(0),
                            editable,
                            name,
                        }
                    })
                    .collect(),
            })
            .collect()
    };
    // An institution's page lists its programs only: it has no balance of its own.
    let own = if view.programs_only {
        Vec::new()
    } else {
        grid_rows(node, view.own_editable)
    };
    let rows: Vec<GridRow> = view
        .children
        .iter()
        .flat_map(|c| grid_rows(c, view.children_editable))
        .collect();
    let balance = LimitKind::ALL
        .iter()
        .map(|kind| {
            let bs: Vec<&Balance> = view.balances.iter().filter(|b| b.kind == *kind).collect();
            BalanceRow {
                kind: kind_name(&ctx.tr, *kind),
                distributed: bs.iter().map(|b| b.distributed.to_string()).collect(),
                remaining: bs.iter().map(|b| b.remaining.to_string()).collect(),
            }
        })
        .collect();
    let breadcrumbs = view
        .breadcrumbs
        .iter()
        .map(|up| (label(up), node_link(campaign, up)))
        .collect();
    let title = if lang == "kk" {
        campaign.name_kk.clone()
    } else {
        campaign.name_ru.clone()
    };
    render(NodePage {
        page: Page {
            title: format!("{title} · {}", label(node)),
            ..Page::new(ctx, "limits-title", "limits")
        },
        error,
        campaign_id: campaign.id,
        node_org: node.org_id,
        node_program: node.program.clone(),
        years,
        breadcrumbs,
        any_editable: view.own_editable || (view.children_editable && !rows.is_empty()),
        can_add_program: view.is_admin_total && view.children_editable,
        own,
        balance,
        rows,
    })
}

async fn show(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<NodeQuery>) -> AppResult<Response> {
    node_page(&ctx, id, q, None, None).await
}

/// Reads the grid: every `a|org|program|year|kind` cell whose text differs from what was
/// shown (`o|…`) becomes a change with the version shown (`v|…`).
fn changes_from_form(fields: &HashMap<String, String>, ctx: &Ctx) -> AppResult<Vec<Change>> {
    let mut changes = Vec::new();
    for (key, value) in fields {
        let Some(name) = key.strip_prefix("a|") else {
            continue;
        };
        if fields
            .get(&format!("o|{name}"))
            .is_some_and(|o| o.trim() == value.trim())
        {
            continue;
        }
        let parts: Vec<&str> = name.split('|').collect();
        let [org, program, year, kind] = parts.as_slice() else {
            return Err(AppError::invalid("err-required", "amount"));
        };
        let amount = Tenge::parse(value).map_err(|_| AppError::Invalid {
            key: "err-amount",
            args: vec![
                ("value", value.clone()),
                ("year", year.to_string()),
                ("kind", ctx.tr.t(&format!("limit-kind-{kind}"))),
            ],
            field: Some(name.to_string()),
        })?;
        changes.push(Change {
            org_id: org
                .parse()
                .map_err(|_| AppError::invalid("err-required", "org_id"))?,
            program: program.to_string(),
            year: year
                .parse()
                .map_err(|_| AppError::invalid("err-year", "year"))?,
            kind: LimitKind::from_code(kind)
                .ok_or_else(|| AppError::invalid("err-required", "kind"))?,
            amount_tiyn: amount.tiyn(),
            version: fields
                .get(&format!("v|{name}"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        });
    }
    Ok(changes)
}

async fn save(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or(""))?;
    let campaign = service::campaign(ctx.db(), p, id).await?;
    let org = fields.get("node_org").cloned().unwrap_or_default();
    let program = fields.get("node_program").cloned().unwrap_or_default();
    let result = match changes_from_form(&fields, &ctx) {
        Ok(changes) => {
            let reason = fields.get("reason").map(String::as_str);
            service::save(ctx.db(), p, &ctx.tr, &campaign, &changes, reason).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/limits/{id}?org={org}&program={program}&done=saved"
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let q = NodeQuery {
                org,
                program,
                add: fields.get("add").cloned().unwrap_or_default(),
            };
            let mut response = node_page(&ctx, id, q, Some(message), Some(fields)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}
