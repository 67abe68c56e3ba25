//! The budget cycle's pages (issue 22, P-17): the acts of a campaign's budget — conclusions,
//! the commission's decision, the maslikhat's approval, the akimat's resolution, refinements
//! and corrections — and one act's amounts by program and year, typed (or pasted from Excel)
//! while it is a draft, then adopted.

use super::common::{Choice, form_message, unprocessable_if};
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
use jospar_budget::forecast::{self, ForecastLine, ForecastWithLines};
use jospar_budget::reports::{act_label, names};
use jospar_budget::usecases::{self as service, ActWithLines, NewAct};
use jospar_budget::{Act, ActKind, ActStatus, LineEdit};
use jospar_core::Tenge;
use jospar_org::OrgKind;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/budget-acts",
    current: "budget",
    title_key: "nav-budget",
    group: MenuGroup::Planning,
    access: Access::Read,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/budget-acts", get(list).post(create))
        .route("/budget-acts/{id}", get(show).post(save))
        .route("/budget-acts/{id}/adopt", post(adopt))
        .route("/budget-acts/{id}/discard", post(discard))
        .route("/receipt-forecasts", post(create_forecast))
        .route(
            "/receipt-forecasts/{id}",
            get(show_forecast).post(save_forecast),
        )
        .route("/receipt-forecasts/{id}/adopt", post(adopt_forecast))
        .route(
            "/receipt-forecasts/{id}/from-execution",
            post(fill_forecast),
        )
}

pub struct ActRow {
    id: i64,
    label: String,
    status: String,
    adopted: bool,
    based_on: String,
    by: String,
}

#[derive(Template)]
#[template(path = "budget_acts.html")]
struct ListPage {
    page: Page,
    campaigns: Vec<Choice>,
    campaign_id: i64,
    acts: Vec<ActRow>,
    can_enter: bool,
    kinds: Vec<Choice>,
    administrators: Vec<Choice>,
    decisions: Vec<Choice>,
    all_acts: Vec<Choice>,
    /// The versions of the forecast of receipts: (id, label, adopted).
    forecasts: Vec<(i64, String, bool)>,
    form: ActForm,
    error: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ActForm {
    csrf: String,
    campaign: String,
    kind: String,
    administrator: String,
    number: String,
    act_date: String,
    based_on: String,
    due_on: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    campaign: String,
}

fn kind_name(ctx: &Ctx, kind: ActKind) -> String {
    ctx.tr.t(&format!("budget-kind-{}", kind.code()))
}

async fn list_page(ctx: &Ctx, form: ActForm, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let reader = Reader::User(p);
    let lang = ctx.tr.lang();
    let campaigns = jospar_limits::usecases::visible_campaigns(ctx.db(), p).await?;
    let campaign = campaigns
        .iter()
        .find(|c| c.id.to_string() == form.campaign)
        .or(campaigns.first())
        .cloned();
    let campaign_choices = campaigns
        .iter()
        .map(|c| Choice {
            value: c.id.to_string(),
            label: format!(
                "{} ({}–{})",
                if lang == "kk" { &c.name_kk } else { &c.name_ru },
                c.first_year,
                c.first_year + 2
            ),
            selected: Some(c.id) == campaign.as_ref().map(|x| x.id),
        })
        .collect();
    let acts = match &campaign {
        Some(c) => service::acts(ctx.db(), &reader, c.id).await?,
        None => Vec::new(),
    };
    let label_of = |id: Option<i64>| {
        id.and_then(|id| acts.iter().find(|a| a.id == id))
            .map(|a| act_label(&ctx.tr, a))
            .unwrap_or_default()
    };
    let rows = acts
        .iter()
        .rev()
        .map(|a| ActRow {
            id: a.id,
            label: act_label(&ctx.tr, a) + &conclusion_suffix(a),
            status: ctx.tr.t(&format!("budget-status-{}", a.status.code())),
            adopted: a.status == ActStatus::Adopted,
            based_on: label_of(a.based_on),
            by: a.adopted_by.clone().unwrap_or_else(|| a.created_by.clone()),
        })
        .collect();
    let can_enter = campaign
        .as_ref()
        .is_some_and(|c| service::can_draw_up(p, c));
    let kinds = ActKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.code().to_string(),
            label: kind_name(ctx, *k),
            selected: form.kind == k.code(),
        })
        .collect();
    let mut administrators: Vec<Choice> = match &campaign {
        Some(c) => jospar_org::repo::all_orgs(ctx.db())
            .await?
            .into_iter()
            .filter(|o| o.kind == OrgKind::Administrator && o.budget_id == c.budget_id)
            .filter_map(|o| {
                let code = o.abp_code.clone()?;
                Some(Choice {
                    selected: form.administrator == code,
                    label: format!("{code} {}", o.name(lang)),
                    value: code,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    administrators.sort_by(|a, b| a.value.cmp(&b.value));
    let decisions = acts
        .iter()
        .filter(|a| a.kind.is_version() && a.status == ActStatus::Adopted)
        .map(|a| Choice {
            value: a.id.to_string(),
            label: act_label(&ctx.tr, a),
            selected: form.based_on == a.id.to_string(),
        })
        .collect();
    let all_acts = acts
        .iter()
        .map(|a| Choice {
            value: a.id.to_string(),
            label: act_label(&ctx.tr, a) + &conclusion_suffix(a),
            selected: false,
        })
        .collect();
    let forecasts = match &campaign {
        Some(c) => forecast::forecasts(ctx.db(), &reader, c.id)
            .await?
            .into_iter()
            .rev()
            .map(|f| (f.id, forecast_label(ctx, &f), f.adopted))
            .collect(),
        None => Vec::new(),
    };
    let refused = error.is_some();
    let response = render(ListPage {
        page: Page::new(ctx, "budget-title", "budget"),
        campaigns: campaign_choices,
        campaign_id: campaign.as_ref().map(|c| c.id).unwrap_or_default(),
        acts: rows,
        can_enter,
        kinds,
        administrators,
        decisions,
        all_acts,
        forecasts,
        form,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

fn forecast_label(ctx: &Ctx, f: &forecast::Forecast) -> String {
    ctx.tr
        .args("forecast-version", &[("number", f.number.to_string())])
}

/// A conclusion is on one administrator: " · 123".
fn conclusion_suffix(act: &Act) -> String {
    if act.administrator.is_empty() {
        String::new()
    } else {
        format!(" · {}", act.administrator)
    }
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let form = ActForm {
        campaign: q.campaign,
        ..ActForm::default()
    };
    list_page(&ctx, form, None).await
}

async fn create(ctx: Ctx, Form(form): Form<ActForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let new = NewAct {
            campaign_id: jospar_access::parse_id(&form.campaign, "campaign")?,
            kind: ActKind::from_code(&form.kind)
                .ok_or_else(|| jospar_access::Error::invalid("err-budget-kind", "kind"))?,
            administrator: form.administrator.clone(),
            number: form.number.clone(),
            act_date: jospar_access::parse_date(&form.act_date, "act_date")?,
            based_on: match form.based_on.trim() {
                "" => None,
                id => Some(jospar_access::parse_id(id, "based_on")?),
            },
            due_on: match form.due_on.trim() {
                "" => None,
                day => Some(jospar_access::parse_date(day, "due_on")?),
            },
        };
        service::create(ctx.db(), p, new).await
    }
    .await;
    match result {
        Ok(created) => Ok(Redirect::to(&crate::view::done(
            &format!("/budget-acts/{}", created.act.id),
            "created",
        ))
        .into_response()),
        Err(e) => list_page(&ctx, form, Some(form_message(&ctx, e)?)).await,
    }
}

/// One program's row of an act: its amounts of the three years and the reason.
pub struct ProgramRow {
    abp: String,
    program: String,
    name: String,
    cells: Vec<AmountCell>,
    reason_name: String,
    reason: String,
}

pub struct AmountCell {
    year: i32,
    name: String,
    base: String,
    value: String,
    changed: bool,
}

#[derive(Template)]
#[template(path = "budget_act.html")]
struct ActPage {
    page: Page,
    act: Act,
    status: String,
    based_on: Option<(i64, String)>,
    years: [i32; 3],
    rows: Vec<ProgramRow>,
    totals: Vec<String>,
    editable: bool,
    can_adopt: bool,
    /// The day it is due and what is left of it, while a draft.
    due: Option<(String, String, bool)>,
    /// Who signed the adoption, when, and the hash of what they signed.
    signature: Option<String>,
    ncalayer_url: String,
    iin: String,
    data_base64: String,
    q: String,
    new_line: HashMap<String, String>,
    /// The amounts typed for a new program, by year: (field index, year, value).
    new_cells: Vec<(usize, i32, String)>,
    error: Option<String>,
}

impl ActPage {
    fn typed(&self, name: &str) -> String {
        self.new_line.get(name).cloned().unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActQuery {
    q: String,
}

/// The act's page; `typed` holds what the user typed when a save was refused, so nothing is
/// lost.
async fn act_page(
    ctx: &Ctx,
    id: i64,
    q: &str,
    typed: &HashMap<String, String>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let reader = Reader::User(p);
    let ActWithLines { act, lines } = service::act(ctx.db(), &reader, id).await?;
    let campaign = service::campaign(ctx.db(), &reader, act.campaign_id).await?;
    let names = names(ctx.db(), &ctx.tr, &act, &lines).await?;
    let years = act.years();
    let mut programs: BTreeMap<(String, String), Vec<&jospar_budget::ActLine>> = BTreeMap::new();
    for line in &lines {
        programs
            .entry((line.abp.clone(), line.program.clone()))
            .or_default()
            .push(line);
    }
    let mut totals = [Tenge::ZERO; 3];
    let needle = q.trim().to_lowercase();
    let mut rows = Vec::new();
    for ((abp, program), lines) in &programs {
        let name = names.program_under(abp, program);
        for line in lines {
            if let Some(i) = years.iter().position(|y| *y == line.year) {
                totals[i] += line.amount;
            }
        }
        let shown = needle.is_empty()
            || format!("{abp} {program} {abp}{program} {name}")
                .to_lowercase()
                .contains(&needle);
        if !shown {
            continue;
        }
        let cells = years
            .iter()
            .map(|year| {
                let line = lines.iter().find(|l| l.year == *year);
                let cell = format!("a|{abp}|{program}|{year}");
                let stored = line.map(|l| l.amount.to_string()).unwrap_or_default();
                AmountCell {
                    year: *year,
                    value: typed.get(&cell).cloned().unwrap_or(stored),
                    base: line.map(|l| l.base.to_string()).unwrap_or_default(),
                    changed: line.is_some_and(|l| l.amount != l.base),
                    name: cell,
                }
            })
            .collect();
        let reason_name = format!("r|{abp}|{program}");
        let stored_reason = lines
            .iter()
            .map(|l| l.reason.as_str())
            .find(|r| !r.is_empty())
            .unwrap_or_default()
            .to_string();
        rows.push(ProgramRow {
            abp: abp.clone(),
            program: program.clone(),
            name,
            cells,
            reason: typed.get(&reason_name).cloned().unwrap_or(stored_reason),
            reason_name,
        });
    }
    let based_on = match act.based_on {
        Some(base) => jospar_budget::repo::act(ctx.db(), base)
            .await?
            .map(|b| (b.id, act_label(&ctx.tr, &b))),
        None => None,
    };
    let actions = service::act_actions(p, &campaign, &act);
    let (editable, can_adopt) = (actions.edit, actions.adopt);
    let calendar = ctx.db().working_calendar().await?;
    let due = act
        .due_on
        .filter(|_| act.status == ActStatus::Draft)
        .map(|day| service::deadline(&ctx.tr, &calendar, p.today, day));
    let signature = service::signature(ctx.db(), p, id).await?.map(|s| {
        format!(
            "{} · {} {} · {} · {}",
            s.signer_name,
            ctx.tr.t("field-iin"),
            s.signer_iin,
            super::common::almaty_date_time(s.signed_at),
            s.data_sha256
        )
    });
    let data_base64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .encode(jospar_budget::domain::canonical_bytes(&act, &lines))
    };
    let label = act_label(&ctx.tr, &act) + &conclusion_suffix(&act);
    let page = Page::new(ctx, "budget-title", "budget").document(
        label,
        vec![(
            format!("/budget-acts?campaign={}", act.campaign_id),
            ctx.tr.t("budget-title"),
        )],
    );
    let refused = error.is_some();
    let response = render(ActPage {
        page,
        status: ctx.tr.t(&format!("budget-status-{}", act.status.code())),
        based_on,
        years,
        rows,
        totals: totals.iter().map(Tenge::to_string).collect(),
        editable,
        can_adopt,
        due,
        signature,
        ncalayer_url: ctx.state.config.signing.ncalayer_url.clone(),
        iin: p.user.iin.clone(),
        data_base64,
        q: q.to_string(),
        new_cells: years
            .iter()
            .enumerate()
            .map(|(i, y)| {
                let value = typed.get(&format!("new_amount{i}")).cloned();
                (i, *y, value.unwrap_or_default())
            })
            .collect(),
        new_line: typed.clone(),
        error,
        act,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<ActQuery>) -> AppResult<Response> {
    act_page(&ctx, id, &q.q, &HashMap::new(), None).await
}

/// An amount typed in a cell named `field` (empty: zero); a refusal with message `key`
/// names the line (`line`: "261 003 · 2027").
fn amount(
    text: &str,
    key: &'static str,
    field: &str,
    line: String,
) -> Result<i64, jospar_access::Error> {
    if text.trim().is_empty() {
        return Ok(0);
    }
    Tenge::parse(text)
        .map(|t| t.tiyn())
        .map_err(|_| jospar_access::Error::invalid_with(key, field, vec![("line", line)]))
}

/// The edits of the typed grid: every amount cell with its program's reason, and the new
/// program's line when its codes are typed.
fn edits_of(fields: &HashMap<String, String>) -> Result<Vec<LineEdit>, jospar_access::Error> {
    let mut edits = Vec::new();
    for (name, value) in fields {
        let Some(rest) = name.strip_prefix("a|") else {
            continue;
        };
        let parts: Vec<&str> = rest.split('|').collect();
        let [abp, program, year] = parts[..] else {
            continue;
        };
        let field = format!("line-{abp}-{program}-{year}");
        let label = format!("{abp} {program} · {year}");
        let year: i32 = year.parse().map_err(|_| {
            jospar_access::Error::invalid_with(
                "err-budget-year",
                &field,
                vec![("line", label.clone())],
            )
        })?;
        edits.push(LineEdit {
            abp: abp.to_string(),
            program: program.to_string(),
            year,
            amount_tiyn: amount(value, "err-budget-line-amount", &field, label)?,
            reason: fields
                .get(&format!("r|{abp}|{program}"))
                .cloned()
                .unwrap_or_default(),
        });
    }
    let field = |k: &str| fields.get(k).map(|v| v.trim()).unwrap_or("");
    let coded = !field("new_abp").is_empty() || !field("new_program").is_empty();
    for i in 0..3 {
        let (year, typed) = (
            field(&format!("new_year{i}")),
            field(&format!("new_amount{i}")),
        );
        if typed.is_empty() {
            continue;
        }
        // Amounts typed for a new program without its codes are refused, not dropped.
        if !coded {
            return Err(jospar_access::Error::invalid(
                "err-budget-new-line-codes",
                "new_abp",
            ));
        }
        let (abp, program) = (field("new_abp"), field("new_program"));
        let label = format!("{abp} {program} · {year}");
        let name = format!("new_amount{i}");
        edits.push(LineEdit {
            abp: abp.to_string(),
            program: program.to_string(),
            year: year.parse().map_err(|_| {
                jospar_access::Error::invalid_with(
                    "err-budget-year",
                    &name,
                    vec![("line", label.clone())],
                )
            })?,
            amount_tiyn: amount(typed, "err-budget-line-amount", &name, label)?,
            reason: field("new_reason").to_string(),
        });
    }
    // The same order whatever the form's: the first refusal is the first line's.
    edits.sort_by(|a, b| (&a.abp, &a.program, a.year).cmp(&(&b.abp, &b.program, b.year)));
    Ok(edits)
}

async fn save(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let result = async {
        let version = jospar_access::parse_id(field("version"), "version")?;
        service::save_lines(ctx.db(), p, id, version, &edits_of(&fields)?).await
    }
    .await;
    let q = field("q").to_string();
    match result {
        Ok(_) => {
            let path = if q.is_empty() {
                format!("/budget-acts/{id}")
            } else {
                format!("/budget-acts/{id}?q={}", urlencoding::encode(&q))
            };
            Ok(Redirect::to(&crate::view::done(&path, "saved")).into_response())
        }
        Err(e) => act_page(&ctx, id, &q, &fields, Some(form_message(&ctx, e)?)).await,
    }
}

async fn adopt(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let signing = &ctx.state.config.signing;
    let result = async {
        let version = jospar_access::parse_id(field("version"), "version")?;
        service::adopt(ctx.db(), signing, p, id, version, field("cms")).await
    }
    .await;
    let path = format!("/budget-acts/{id}");
    act_step(&ctx, id, result.map(|_| path), "approved").await
}

/// After a step on an act: to `path` with its confirmation, or the act's page again with
/// the refusal.
async fn act_step(
    ctx: &Ctx,
    id: i64,
    result: Result<String, jospar_access::Error>,
    done: &'static str,
) -> AppResult<Response> {
    match result {
        Ok(path) => Ok(Redirect::to(&crate::view::done(&path, done)).into_response()),
        Err(e) => {
            let message = form_message(ctx, e)?;
            act_page(ctx, id, "", &HashMap::new(), Some(message)).await
        }
    }
}

/// After a step on a forecast: to its page with the confirmation, or its page again with the
/// refusal and what was typed.
async fn forecast_step<T>(
    ctx: &Ctx,
    id: i64,
    result: Result<T, jospar_access::Error>,
    done: &'static str,
    typed: &HashMap<String, String>,
) -> AppResult<Response> {
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/receipt-forecasts/{id}"),
            done,
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(ctx, e)?;
            forecast_page(ctx, id, typed, Some(message)).await
        }
    }
}

/// Discards a draft act, back to the campaign's acts.
async fn discard(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let reader = Reader::User(p);
    let result = async {
        let version = jospar_access::parse_id(field("version"), "version")?;
        let campaign = service::act(ctx.db(), &reader, id).await?.act.campaign_id;
        service::discard(ctx.db(), p, id, version).await?;
        Ok(format!("/budget-acts?campaign={campaign}"))
    }
    .await;
    act_step(&ctx, id, result, "deleted").await
}

/// A new version of the forecast of receipts, from the budget acts page.
async fn create_forecast(ctx: Ctx, Form(form): Form<ActForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&form.csrf)?;
    let result = async {
        let campaign = jospar_access::parse_id(&form.campaign, "campaign")?;
        forecast::create(ctx.db(), p, campaign).await
    }
    .await;
    match result {
        Ok(created) => Ok(Redirect::to(&crate::view::done(
            &format!("/receipt-forecasts/{}", created.forecast.id),
            "created",
        ))
        .into_response()),
        Err(e) => list_page(&ctx, form, Some(form_message(&ctx, e)?)).await,
    }
}

/// One code's row of the forecast: the three years' amounts and the basis.
pub struct CodeRow {
    code: String,
    name: String,
    /// (field name, value)
    cells: Vec<(String, String)>,
    basis_name: String,
    basis: String,
}

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    page: Page,
    forecast: forecast::Forecast,
    campaign_id: i64,
    years: [i32; 3],
    rows: Vec<CodeRow>,
    /// Empty rows for new codes, typed or pasted: (row index, values of code, 3 amounts, basis).
    blank: Vec<(usize, Vec<String>)>,
    totals: Vec<String>,
    editable: bool,
    can_adopt: bool,
    /// The forms 2-19 a draft may be filled from, and the form and growth last typed.
    receipt_forms: Vec<Choice>,
    growth: String,
    error: Option<String>,
}

/// How many empty rows the forecast page offers for new codes.
const BLANK_ROWS: usize = 8;

async fn forecast_page(
    ctx: &Ctx,
    id: i64,
    typed: &HashMap<String, String>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let reader = Reader::User(p);
    let ForecastWithLines { forecast: f, lines } =
        forecast::forecast(ctx.db(), &reader, id).await?;
    let campaign = service::campaign(ctx.db(), &reader, f.campaign_id).await?;
    let year = jospar_planning::codes::classification_year(ctx.db(), f.first_year).await?;
    let subclasses = jospar_classification::repo::code_names(
        ctx.db(),
        year,
        jospar_classification::CodeKind::ReceiptSubclass,
    )
    .await?;
    let years = [f.first_year, f.first_year + 1, f.first_year + 2];
    let mut codes: BTreeMap<&str, Vec<&ForecastLine>> = BTreeMap::new();
    for line in &lines {
        codes.entry(line.code.as_str()).or_default().push(line);
    }
    let mut totals = [Tenge::ZERO; 3];
    let rows = codes
        .iter()
        .map(|(code, lines)| {
            let cells = years
                .iter()
                .enumerate()
                .map(|(i, year)| {
                    let stored = lines
                        .iter()
                        .find(|l| l.year == *year)
                        .map(|l| l.amount_tiyn);
                    totals[i] += Tenge::from_tiyn(stored.unwrap_or(0));
                    let name = format!("f|{code}|{year}");
                    let shown = stored
                        .map(|t| Tenge::from_tiyn(t).to_string())
                        .unwrap_or_default();
                    (name.clone(), typed.get(&name).cloned().unwrap_or(shown))
                })
                .collect();
            let basis_name = format!("b|{code}");
            let stored_basis = lines
                .iter()
                .map(|l| l.basis.as_str())
                .find(|b| !b.is_empty());
            CodeRow {
                code: code.to_string(),
                name: subclasses.name(code.get(..4).unwrap_or(code), ctx.tr.lang()),
                cells,
                basis: typed
                    .get(&basis_name)
                    .cloned()
                    .unwrap_or_else(|| stored_basis.unwrap_or_default().to_string()),
                basis_name,
            }
        })
        .collect();
    let blank = (0..BLANK_ROWS)
        .map(|i| {
            let values = ["code", "a0", "a1", "a2", "basis"]
                .iter()
                .map(|k| typed.get(&format!("n{i}_{k}")).cloned().unwrap_or_default())
                .collect();
            (i, values)
        })
        .collect();
    let actions = service::forecast_actions(p, &campaign, f.adopted);
    let (editable, can_adopt) = (actions.edit, actions.adopt);
    let receipt_forms = if editable {
        let names = jospar_org::repo::org_names(ctx.db(), ctx.tr.lang()).await?;
        jospar_execution::usecases::forecast::receipt_forms(ctx.db(), &reader)
            .await?
            .into_iter()
            .map(|r| Choice {
                selected: typed.get("receipt_form") == Some(&r.id.to_string()),
                value: r.id.to_string(),
                label: ctx.tr.args(
                    "forecast-form-label",
                    &[
                        ("date", r.report_date.format("%d.%m.%Y").to_string()),
                        ("org", names.get(&r.org_id).cloned().unwrap_or_default()),
                    ],
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = Page::new(ctx, "forecast-title", "budget").document(
        forecast_label(ctx, &f),
        vec![(
            format!("/budget-acts?campaign={}", f.campaign_id),
            ctx.tr.t("budget-title"),
        )],
    );
    let refused = error.is_some();
    let response = render(ForecastPage {
        page,
        campaign_id: f.campaign_id,
        forecast: f,
        years,
        rows,
        blank,
        totals: totals.iter().map(Tenge::to_string).collect(),
        editable,
        can_adopt,
        receipt_forms,
        growth: typed.get("growth").cloned().unwrap_or_default(),
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show_forecast(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    forecast_page(&ctx, id, &HashMap::new(), None).await
}

/// The figures typed on the forecast page: every amount cell of a known code with its basis,
/// and the new codes' rows.
fn forecast_lines_of(
    fields: &HashMap<String, String>,
    years: [i32; 3],
) -> Result<Vec<ForecastLine>, jospar_access::Error> {
    let mut lines = Vec::new();
    for (name, value) in fields {
        let Some(rest) = name.strip_prefix("f|") else {
            continue;
        };
        let Some((code, year)) = rest.split_once('|') else {
            continue;
        };
        let field = format!("code-{code}-{year}");
        let label = format!("{code} · {year}");
        let year: i32 = year.parse().map_err(|_| {
            jospar_access::Error::invalid_with(
                "err-budget-year",
                &field,
                vec![("line", label.clone())],
            )
        })?;
        lines.push(ForecastLine {
            code: code.to_string(),
            year,
            amount_tiyn: amount(value, "err-forecast-amount", &field, label)?,
            basis: fields
                .get(&format!("b|{code}"))
                .cloned()
                .unwrap_or_default(),
        });
    }
    for i in 0..BLANK_ROWS {
        let field = |k: &str| {
            fields
                .get(&format!("n{i}_{k}"))
                .map(|v| v.trim())
                .unwrap_or("")
        };
        let code: String = field("code").split_whitespace().collect();
        for (j, year) in years.iter().enumerate() {
            let typed = field(&format!("a{j}"));
            if typed.is_empty() {
                continue;
            }
            // Amounts typed on a new row without its code are refused, not dropped.
            if code.is_empty() {
                return Err(jospar_access::Error::invalid(
                    "err-forecast-new-code",
                    &format!("n{i}_code"),
                ));
            }
            let label = format!("{code} · {year}");
            lines.push(ForecastLine {
                code: code.clone(),
                year: *year,
                amount_tiyn: amount(
                    typed,
                    "err-forecast-amount",
                    &format!("code-{code}-{year}"),
                    label,
                )?,
                basis: field("basis").to_string(),
            });
        }
    }
    lines.sort_by(|a, b| (&a.code, a.year).cmp(&(&b.code, b.year)));
    Ok(lines)
}

async fn save_forecast(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let result = async {
        let version = jospar_access::parse_id(field("version"), "version")?;
        let current = forecast::forecast(ctx.db(), &Reader::User(p), id).await?;
        let first = current.forecast.first_year;
        let lines = forecast_lines_of(&fields, [first, first + 1, first + 2])?;
        forecast::save_lines(ctx.db(), p, id, version, &lines).await
    }
    .await;
    forecast_step(&ctx, id, result, "saved", &fields).await
}

/// Fills the draft from a form 2-19 with a yearly growth, then shows it to check and adopt.
async fn fill_forecast(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let result = async {
        let version = jospar_access::parse_id(field("version"), "version")?;
        let form = jospar_access::parse_id(field("receipt_form"), "receipt_form")?;
        jospar_execution::usecases::forecast::fill_from_execution(
            ctx.db(),
            &ctx.tr,
            p,
            id,
            version,
            form,
            field("growth"),
        )
        .await
    }
    .await;
    forecast_step(&ctx, id, result, "saved", &fields).await
}

async fn adopt_forecast(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let result = async {
        let version = jospar_access::parse_id(field("version"), "version")?;
        forecast::adopt(ctx.db(), p, id, version).await
    }
    .await;
    forecast_step(&ctx, id, result, "approved", &HashMap::new()).await
}
