//! Users and roles (P-3): create users bound to an organisation, assign roles with an expiry,
//! block and unblock.

use super::common::Choice;
use super::common::form_message;
use crate::AppState;
use crate::ctx::{Ctx, Principal};
use crate::error::{AppError, AppResult};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::queries::UserFilterParams;
use crate::view::{Page, date, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jospar_access::Access;
use jospar_org::repo::{self, User};
use jospar_org::usecases as service;
use jospar_org::{NewUser, Org, Right, Role, UserChange};
use serde::Deserialize;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/users",
    current: "users",
    title_key: "nav-users",
    group: MenuGroup::Settings,
    access: Access::Configure,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/new", get(new_form))
        .route("/users/{id}", get(show).post(update))
        .route("/users/{id}/grants", post(add_grant))
        .route("/users/{id}/grants/{grant}/delete", post(remove_grant))
}

pub struct UserLine {
    pub id: i64,
    pub login: String,
    pub full_name: String,
    pub iin: String,
    pub org: String,
    pub blocked: bool,
}

fn org_name(orgs: &[Org], id: i64, lang: &str) -> String {
    orgs.iter()
        .find(|o| o.id == id)
        .map(|o| o.name(lang).to_string())
        .unwrap_or_default()
}

/// Organisations the user configures, for the selects of the forms.
fn configurable_orgs(p: &Principal, orgs: &[Org], lang: &str, selected: i64) -> Vec<Choice> {
    service::orgs_with(p, Right::Configure, orgs)
        .into_iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name(lang).to_string(),
            selected: o.id == selected,
        })
        .collect()
}

/// The sortable columns of the users list: (sort column, heading, numeric).
const COLUMNS: &[(&str, &str, bool)] = &[
    ("login", "field-login", false),
    ("name", "field-full_name", false),
    ("iin", "field-iin", false),
    ("org", "col-org", false),
    ("state", "col-status", false),
];

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage {
    page: Page,
    search: ListParams,
    users: Vec<UserLine>,
    columns: Vec<Column>,
    pager: Pager,
    parents: Vec<Choice>,
    states: Vec<Choice>,
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let filters: UserFilterParams = ctx.query_params();
    let query = search.query();
    let listed = service::list_users(ctx.db(), p, ctx.tr.0, &filters.filter(), &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let users = listed
        .rows
        .iter()
        .map(|row| UserLine {
            id: row.user.id,
            org: row.org_name.clone(),
            login: row.user.login.clone(),
            full_name: row.user.full_name.clone(),
            iin: row.user.iin.clone(),
            blocked: row.user.blocked,
        })
        .collect();
    render(ListPage {
        page: Page::new(&ctx, "users-title", "users"),
        columns: columns(ctx.tr, &links, &query, COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        parents: super::common::parent_choices(&ctx, p, &filters.within).await?,
        states: ["active", "blocked"]
            .iter()
            .map(|s| Choice {
                selected: *s == filters.state,
                value: s.to_string(),
                label: ctx.tr.t(&format!("user-{s}")),
            })
            .collect(),
        search,
        users,
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewUserForm {
    csrf: String,
    org_id: String,
    login: String,
    iin: String,
    full_name: String,
    position: String,
    phone: String,
    email: String,
    password: String,
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct NewPage {
    page: Page,
    error: Option<String>,
    orgs: Vec<Choice>,
    form: NewUserForm,
}

async fn new_page(ctx: &Ctx, form: NewUserForm, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let orgs = repo::all_orgs(ctx.db()).await?;
    let selected = form.org_id.parse().unwrap_or(p.user.org_id);
    render(NewPage {
        page: Page::new(ctx, "user-new-title", "users"),
        error,
        orgs: configurable_orgs(p, &orgs, ctx.tr.lang(), selected),
        form: NewUserForm {
            password: String::new(),
            ..form
        },
    })
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    service::require_user_manager(ctx.user()?)?;
    new_page(&ctx, NewUserForm::default(), None).await
}

async fn create(ctx: Ctx, Form(form): Form<NewUserForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let new = NewUser {
        org_id: form.org_id.parse().unwrap_or(0),
        login: form.login.clone(),
        iin: form.iin.clone(),
        full_name: form.full_name.clone(),
        position: form.position.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
    };
    match service::create_user(ctx.db(), p, new).await {
        Ok(user) => Ok(Redirect::to(&crate::view::done(
            &format!("/users/{}", user.id),
            "created",
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            let mut response = new_page(&ctx, form, Some(message)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

pub struct GrantLine {
    pub id: i64,
    pub role: String,
    pub org: String,
    pub valid_until: String,
    pub active: bool,
    /// The module the grant reaches, or "all modules".
    pub module: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct UserForm {
    csrf: String,
    version: String,
    org_id: String,
    iin: String,
    full_name: String,
    position: String,
    phone: String,
    email: String,
    blocked: String,
    password: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "user.html")]
struct ShowPage {
    page: Page,
    error: Option<String>,
    user: User,
    form: UserForm,
    orgs: Vec<Choice>,
    grant_orgs: Vec<Choice>,
    roles: Vec<Choice>,
    modules: Vec<Choice>,
    grants: Vec<GrantLine>,
    default_until: String,
}

async fn show_page(
    ctx: &Ctx,
    id: i64,
    form: Option<UserForm>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let user = service::user(ctx.db(), p, id).await?;
    let orgs = repo::all_orgs(ctx.db()).await?;
    let lang = ctx.tr.lang();
    let grants = repo::grants_of(ctx.db(), id)
        .await?
        .into_iter()
        .map(|g| GrantLine {
            id: g.id,
            role: ctx.tr.t(&format!("role-{}", g.role.code())),
            org: org_name(&orgs, g.org_id, lang),
            valid_until: date(&g.valid_until),
            active: g.is_active(p.today),
            module: ctx.tr.t(&format!(
                "module-{}",
                g.module.map_or("all", jospar_access::Module::code)
            )),
        })
        .collect();
    let form = form.unwrap_or_else(|| UserForm {
        version: user.version.to_string(),
        org_id: user.org_id.to_string(),
        iin: user.iin.clone(),
        full_name: user.full_name.clone(),
        position: user.position.clone(),
        phone: user.phone.clone(),
        email: user.email.clone(),
        blocked: if user.blocked {
            "1".into()
        } else {
            String::new()
        },
        ..Default::default()
    });
    let selected_org = form.org_id.parse().unwrap_or(user.org_id);
    let roles = Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.code().into(),
            label: ctx.tr.t(&format!("role-{}", r.code())),
            selected: false,
        })
        .collect();
    let modules = std::iter::once("all")
        .chain(jospar_access::Module::ALL.iter().map(|m| m.code()))
        .map(|code| Choice {
            value: code.into(),
            label: ctx.tr.t(&format!("module-{code}")),
            selected: false,
        })
        .collect();
    let default_until = (p.today + chrono::Duration::days(365))
        .format("%d.%m.%Y")
        .to_string();
    render(ShowPage {
        page: Page {
            title: user.full_name.clone(),
            ..Page::new(ctx, "users-title", "users")
        },
        error,
        orgs: configurable_orgs(p, &orgs, lang, selected_org),
        grant_orgs: configurable_orgs(p, &orgs, lang, user.org_id),
        roles,
        modules,
        grants,
        default_until,
        user,
        form,
    })
}

async fn show(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    show_page(&ctx, id, None, None).await
}

async fn respond(
    ctx: &Ctx,
    id: i64,
    result: AppResult<()>,
    form: Option<UserForm>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/users/{id}?done=saved")).into_response()),
        Err(e) => {
            let message = form_message(ctx, e)?;
            let mut response = show_page(ctx, id, form, Some(message)).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn update(ctx: Ctx, Path(id): Path<i64>, Form(form): Form<UserForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let change = UserChange {
        version: form.version.parse().map_err(|_| AppError::Stale)?,
        org_id: form.org_id.parse().ok(),
        iin: Some(form.iin.clone()),
        full_name: Some(form.full_name.clone()),
        position: Some(form.position.clone()),
        phone: Some(form.phone.clone()),
        email: Some(form.email.clone()),
        blocked: Some(form.blocked == "1"),
        password: Some(form.password.clone()),
        reason: Some(form.reason.clone()),
    };
    let result = service::update_user(ctx.db(), p, id, change)
        .await
        .map(|_| ());
    respond(
        &ctx,
        id,
        result,
        Some(UserForm {
            password: String::new(),
            ..form
        }),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GrantForm {
    csrf: String,
    role: String,
    org_id: String,
    valid_until: String,
    module: String,
}

async fn add_grant(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let until = jospar_access::parse_date(&form.valid_until, "valid_until")?;
        let org = jospar_access::parse_id(&form.org_id, "org_id")?;
        service::grant(ctx.db(), p, id, &form.role, org, until, &form.module)
            .await
            .map(|_| ())
    }
    .await;
    respond(&ctx, id, result, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn remove_grant(
    ctx: Ctx,
    Path((id, grant)): Path<(i64, i64)>,
    Form(form): Form<CsrfForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = service::revoke(ctx.db(), p, id, grant).await;
    respond(&ctx, id, result, None).await
}
