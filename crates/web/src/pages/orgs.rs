//! Organisation tree (P-1): browse, search, create, rename, move, close, switch scenario (P-2).

use super::common::{Choice, form_message};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::queries::OrgFilterParams;
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_org::usecases as service;
use jospar_org::{Budget, NewOrg, Org, OrgChange, OrgKind, Scenario, repo};
use serde::Deserialize;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/orgs",
    current: "orgs",
    title_key: "nav-orgs",
    group: MenuGroup::Settings,
    access: Access::Read,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list).post(create))
        .route("/orgs/new", get(new_form))
        .route("/orgs/{id}", get(show).post(update))
        .route("/orgs/{id}/delegations", post(add_delegation))
        .route(
            "/orgs/{id}/delegations/{delegation}/revoke",
            post(revoke_delegation),
        )
}

/// One line of the tree as shown.
pub struct OrgLine {
    pub id: i64,
    pub depth: usize,
    pub name: String,
    pub code: String,
    pub kind: String,
    pub scenario: String,
    pub closed: bool,
}

fn line(ctx: &Ctx, org: &Org, depth: usize) -> OrgLine {
    OrgLine {
        id: org.id,
        depth,
        name: org.name(ctx.tr.lang()).to_string(),
        code: org.abp_code.clone().unwrap_or_default(),
        kind: ctx.tr.t(&format!("kind-{}", org.kind.code())),
        scenario: ctx.tr.t(&format!("scenario-{}", org.scenario.code())),
        closed: org.closed_on.is_some(),
    }
}

/// The sortable columns of the organisations list: (sort column, heading, numeric).
const COLUMNS: &[(&str, &str, bool)] = &[
    ("name", "col-name", false),
    ("code", "col-abp", false),
    ("kind", "col-kind", false),
    ("scenario", "col-scenario", false),
];

#[derive(Template)]
#[template(path = "orgs.html")]
struct ListPage {
    page: Page,
    search: ListParams,
    lines: Vec<OrgLine>,
    columns: Vec<Column>,
    pager: Pager,
    parents: Vec<Choice>,
    kinds: Vec<Choice>,
    states: Vec<Choice>,
    can_create_root: bool,
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let filters: OrgFilterParams = ctx.query_params();
    let query = search.query();
    let lang = ctx.tr.0;
    let listed = service::list_orgs(ctx.db(), p, lang, &filters.filter(), &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let lines = listed
        .rows
        .iter()
        .map(|row| line(&ctx, &row.org, row.depth))
        .collect();
    let option = |value: &str, label: String, selected: &str| Choice {
        selected: value == selected,
        value: value.to_string(),
        label,
    };
    render(ListPage {
        page: Page::new(&ctx, "orgs-title", "orgs"),
        columns: columns(ctx.tr, &links, &query, COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        lines,
        parents: super::common::parent_choices(&ctx, p, &filters.within).await?,
        kinds: OrgKind::ALL
            .iter()
            .map(|k| {
                option(
                    k.code(),
                    ctx.tr.t(&format!("kind-{}", k.code())),
                    &filters.kind,
                )
            })
            .collect(),
        states: ["open", "closed"]
            .iter()
            .map(|s| option(s, ctx.tr.t(&format!("org-state-{s}")), &filters.state))
            .collect(),
        can_create_root: service::may_create_root(p),
        search,
    })
}

fn budget_choices(ctx: &Ctx, budgets: &[Budget], selected: i64) -> Vec<Choice> {
    budgets
        .iter()
        .map(|b| Choice {
            value: b.id.to_string(),
            label: if ctx.tr.lang() == "kk" {
                b.name_kk.clone()
            } else {
                b.name_ru.clone()
            },
            selected: b.id == selected,
        })
        .collect()
}

fn enum_choices(ctx: &Ctx, prefix: &str, codes: &[&str], selected: &str) -> Vec<Choice> {
    codes
        .iter()
        .map(|c| Choice {
            value: c.to_string(),
            label: ctx.tr.t(&format!("{prefix}-{c}")),
            selected: *c == selected,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "org_new.html")]
struct NewPage {
    page: Page,
    error: Option<String>,
    parent_id: String,
    parent_name: String,
    kinds: Vec<Choice>,
    scenarios: Vec<Choice>,
    budgets: Vec<Choice>,
    form: NewOrgForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewOrgForm {
    csrf: String,
    parent_id: String,
    kind: String,
    scenario: String,
    budget_id: String,
    abp_code: String,
    bin: String,
    name_ru: String,
    name_kk: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    parent: String,
}

async fn new_page(ctx: &Ctx, form: NewOrgForm, error: Option<String>) -> AppResult<Response> {
    let parent = match form.parent_id.parse::<i64>() {
        Ok(id) => repo::get_org(ctx.db(), id).await?,
        Err(_) => None,
    };
    let budgets = repo::budgets(ctx.db()).await?;
    let default_budget = form
        .budget_id
        .parse()
        .ok()
        .or(parent.as_ref().map(|p| p.budget_id))
        .unwrap_or(0);
    let kind_codes: Vec<&str> = match &parent {
        Some(p) => p.kind.allowed_children().iter().map(|k| k.code()).collect(),
        None => vec![OrgKind::AuthorizedBody.code()],
    };
    let scenario_codes: Vec<&str> = Scenario::ALL.iter().map(|s| s.code()).collect();
    render(NewPage {
        page: Page::new(ctx, "org-new-title", "orgs"),
        error,
        parent_id: form.parent_id.clone(),
        parent_name: parent
            .map(|p| p.name(ctx.tr.lang()).to_string())
            .unwrap_or_default(),
        kinds: enum_choices(ctx, "kind", &kind_codes, &form.kind),
        scenarios: enum_choices(ctx, "scenario", &scenario_codes, &form.scenario),
        budgets: budget_choices(ctx, &budgets, default_budget),
        form,
    })
}

async fn new_form(ctx: Ctx, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let p = ctx.user()?;
    service::require_create_under(p, q.parent.parse::<i64>().ok())?;
    new_page(
        &ctx,
        NewOrgForm {
            parent_id: q.parent,
            ..Default::default()
        },
        None,
    )
    .await
}

async fn create(ctx: Ctx, Form(form): Form<NewOrgForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let new = NewOrg {
        parent_id: form.parent_id.parse().ok(),
        kind: form.kind.clone(),
        scenario: Some(form.scenario.clone()),
        budget_id: form.budget_id.parse().unwrap_or(0),
        abp_code: Some(form.abp_code.clone()),
        bin: Some(form.bin.clone()),
        name_ru: form.name_ru.clone(),
        name_kk: form.name_kk.clone(),
    };
    match service::create_org(ctx.db(), p, new).await {
        Ok(org) => Ok(
            Redirect::to(&crate::view::done(&format!("/orgs/{}", org.id), "created"))
                .into_response(),
        ),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = new_page(&ctx, form, Some(message)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

#[derive(Template)]
#[template(path = "org.html")]
struct ShowPage {
    page: Page,
    error: Option<String>,
    org: Org,
    kind: String,
    scenario: String,
    budget: String,
    parent: Option<(i64, String)>,
    children: Vec<OrgLine>,
    can_configure: bool,
    scenario_switchable: bool,
    scenarios: Vec<Choice>,
    parents: Vec<Choice>,
    closed_on: String,
    form: OrgForm,
    /// Acting heads of the organisation (issue 21) and whether the caller names them.
    delegations: Vec<DelegationLine>,
    can_delegate: bool,
    staff: Vec<Choice>,
    delegation_form: DelegationForm,
}

/// An acting head as the page lists it.
struct DelegationLine {
    id: i64,
    acting: String,
    period: String,
    basis: String,
    in_force: bool,
    revoked: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DelegationForm {
    csrf: String,
    acting_user_id: String,
    valid_from: String,
    valid_to: String,
    basis: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct OrgForm {
    csrf: String,
    version: String,
    name_ru: String,
    name_kk: String,
    bin: String,
    scenario: String,
    parent_id: String,
    close_on: String,
    reopen: String,
    reason: String,
}

async fn show_page(
    ctx: &Ctx,
    id: i64,
    form: Option<OrgForm>,
    error: Option<String>,
) -> AppResult<Response> {
    show_page_with(ctx, id, form, error, DelegationForm::default()).await
}

async fn show_page_with(
    ctx: &Ctx,
    id: i64,
    form: Option<OrgForm>,
    error: Option<String>,
    delegation_form: DelegationForm,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let org = service::org(ctx.db(), p, id).await?;
    let staff_users: Vec<_> = repo::users(ctx.db(), "", Some(&[id]))
        .await?
        .into_iter()
        .filter(|u| u.org_id == id && !u.blocked)
        .collect();
    let delegations = jospar_org::delegations::list(ctx.db(), p, id)
        .await?
        .into_iter()
        .map(|d| DelegationLine {
            id: d.id,
            acting: staff_users
                .iter()
                .find(|u| u.id == d.acting_user_id)
                .map(|u| u.full_name.clone())
                .unwrap_or_default(),
            period: format!(
                "{} — {}",
                crate::view::date(&d.valid_from),
                crate::view::date(&d.valid_to)
            ),
            in_force: d.in_force(p.today),
            revoked: d.revoked,
            basis: d.basis,
        })
        .collect();
    // An acting head is someone other than the organisation's head.
    let heads: std::collections::HashSet<i64> = repo::all_grants(ctx.db())
        .await?
        .into_iter()
        .filter(|(_, g)| g.role == jospar_access::Role::Head && g.org_id == id)
        .map(|(user, _)| user)
        .collect();
    let staff = staff_users
        .iter()
        .filter(|u| !heads.contains(&u.id))
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{} ({})", u.full_name, u.login),
            selected: delegation_form.acting_user_id == u.id.to_string(),
        })
        .collect();
    let all = repo::all_orgs(ctx.db()).await?;
    let lang = ctx.tr.lang();
    let budgets = repo::budgets(ctx.db()).await?;
    let budget = budgets
        .iter()
        .find(|b| b.id == org.budget_id)
        .map(|b| {
            if lang == "kk" {
                b.name_kk.clone()
            } else {
                b.name_ru.clone()
            }
        })
        .unwrap_or_default();
    let parent = org
        .parent_id
        .and_then(|pid| all.iter().find(|o| o.id == pid))
        .map(|o| (o.id, o.name(lang).to_string()));
    let children = all
        .iter()
        .filter(|o| o.parent_id == Some(id))
        .map(|o| line(ctx, o, 0))
        .collect();
    let can_configure = service::may_configure(p, id);
    let parents = service::move_targets(p, &org, &all)
        .into_iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(lang).to_string(),
            selected: Some(o.id) == org.parent_id,
        })
        .collect();
    let form = form.unwrap_or_else(|| OrgForm {
        version: org.version.to_string(),
        name_ru: org.name_ru.clone(),
        name_kk: org.name_kk.clone(),
        bin: org.bin.clone().unwrap_or_default(),
        scenario: org.scenario.code().into(),
        parent_id: org.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        ..Default::default()
    });
    let scenario_codes: Vec<&str> = Scenario::ALL.iter().map(|s| s.code()).collect();
    render(ShowPage {
        page: Page {
            title: org.name(lang).to_string(),
            ..Page::new(ctx, "orgs-title", "orgs")
        },
        error,
        kind: ctx.tr.t(&format!("kind-{}", org.kind.code())),
        scenario: ctx.tr.t(&format!("scenario-{}", org.scenario.code())),
        budget,
        parent,
        children,
        can_configure,
        scenario_switchable: matches!(org.kind, OrgKind::Institution | OrgKind::Enterprise),
        scenarios: enum_choices(ctx, "scenario", &scenario_codes, &form.scenario),
        parents,
        closed_on: org
            .closed_on
            .as_ref()
            .map(crate::view::date)
            .unwrap_or_default(),
        can_delegate: jospar_org::delegations::may_delegate(p, org.id),
        org,
        form,
        delegations,
        staff,
        delegation_form,
    })
}

/// Names an acting head; a refusal shows the page again with what was typed.
async fn add_delegation(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<DelegationForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let new = jospar_org::delegations::NewDelegation {
            acting_user_id: jospar_access::parse_id(&form.acting_user_id, "acting_user_id")?,
            valid_from: jospar_access::parse_date(&form.valid_from, "valid_from")?,
            valid_to: jospar_access::parse_date(&form.valid_to, "valid_to")?,
            basis: form.basis.clone(),
        };
        jospar_org::delegations::create(ctx.db(), p, id, new).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/orgs/{id}#delegations"),
            "added",
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let response = show_page_with(&ctx, id, None, Some(message), form).await?;
            Ok(super::common::unprocessable_if(true, response))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn revoke_delegation(
    ctx: Ctx,
    Path((id, delegation)): Path<(i64, i64)>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    jospar_org::delegations::revoke(ctx.db(), p, id, delegation).await?;
    Ok(Redirect::to(&crate::view::done(
        &format!("/orgs/{id}#delegations"),
        "revoked",
    ))
    .into_response())
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    show_page(&ctx, id, None, None).await
}

async fn update(ctx: Ctx, Path(id): Path<i64>, Form(form): Form<OrgForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let close_on = match form.close_on.trim() {
        "" => None,
        v => Some(jospar_access::parse_date(v, "close_on")?),
    };
    let change = OrgChange {
        version: form.version.parse().map_err(|_| AppError::Stale)?,
        name_ru: Some(form.name_ru.clone()),
        name_kk: Some(form.name_kk.clone()),
        parent_id: form.parent_id.parse().ok(),
        scenario: Some(form.scenario.clone()).filter(|s| !s.is_empty()),
        bin: Some(form.bin.clone()),
        close_on,
        reopen: Some(form.reopen == "1"),
        reason: Some(form.reason.clone()),
    };
    match service::update_org(ctx.db(), p, id, change).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}?done=saved")).into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = show_page(&ctx, id, Some(form), Some(message)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}
