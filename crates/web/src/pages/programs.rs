//! Budget programs as documents (issue 22): the programs of a campaign with their amounts from
//! the approved requests, and one program's passport — its purpose, subprograms and result
//! indicators with the plan and, after each year, the fact — typed or pasted by its
//! administrator.

use super::common::{Choice, form_message, unprocessable_if};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jospar_access::Reader;
use jospar_budget::programs::{self, Indicator, IndicatorKind, ProgramInput, quantity};
use jospar_core::Tenge;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

pub fn routes() -> Router<AppState> {
    Router::new().route("/budget-programs", get(list)).route(
        "/budget-programs/{campaign}/{abp}/{program}",
        get(show).post(save),
    )
}

pub struct ProgramRow {
    link: String,
    abp: String,
    program: String,
    name: String,
    amounts: Vec<String>,
    has_passport: bool,
    indicators: usize,
}

#[derive(Template)]
#[template(path = "budget_programs.html")]
struct ListPage {
    page: Page,
    campaigns: Vec<Choice>,
    years: [i32; 3],
    rows: Vec<ProgramRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    campaign: String,
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let p = ctx.user()?;
    let reader = Reader::User(p);
    let campaigns = jospar_limits::usecases::visible_campaigns(ctx.db(), p).await?;
    let campaign = campaigns
        .iter()
        .find(|c| c.id.to_string() == q.campaign)
        .or(campaigns.first())
        .cloned();
    let lang = ctx.tr.lang();
    let choices = campaigns
        .iter()
        .map(|c| Choice {
            value: c.id.to_string(),
            label: if lang == "kk" {
                c.name_kk.clone()
            } else {
                c.name_ru.clone()
            },
            selected: Some(c.id) == campaign.as_ref().map(|x| x.id),
        })
        .collect();
    let mut rows = Vec::new();
    let mut years = [0; 3];
    if let Some(c) = &campaign {
        years = c.years();
        let requested = jospar_budget::usecases::requested(ctx.db(), &p.tree, c).await?;
        let passports = programs::programs(ctx.db(), &reader, c.id).await?;
        let codes: BTreeSet<(String, String)> = requested
            .keys()
            .map(|k| (k.abp.clone(), k.program.clone()))
            .chain(passports.iter().map(|p| (p.abp.clone(), p.program.clone())))
            .collect();
        let year = jospar_planning::codes::classification_year(ctx.db(), c.first_year).await?;
        let abps: Vec<String> = codes.iter().map(|(a, _)| a.clone()).collect();
        let names = jospar_classification::repo::ExpenseNames::of_administrators(
            ctx.db(),
            year,
            abps,
            lang,
        )
        .await?;
        for (abp, program) in codes {
            let passport = passports
                .iter()
                .find(|p| p.abp == abp && p.program == program);
            let amounts = years
                .iter()
                .map(|y| {
                    requested
                        .iter()
                        .filter(|(k, _)| k.abp == abp && k.program == program && k.year == *y)
                        .map(|(_, a)| *a)
                        .fold(Tenge::ZERO, |s, a| s + a)
                        .to_string()
                })
                .collect();
            rows.push(ProgramRow {
                link: format!("/budget-programs/{}/{abp}/{program}", c.id),
                name: names.program_under(&abp, &program),
                amounts,
                has_passport: passport.is_some(),
                indicators: passport.map(|p| p.indicators.len()).unwrap_or(0),
                abp,
                program,
            });
        }
    }
    render(ListPage {
        page: Page::new(&ctx, "programs-title", "budget"),
        campaigns: choices,
        years,
        rows,
    })
}

/// An indicator's row of the form: its field values as typed or stored.
pub struct IndicatorRow {
    n: usize,
    kind: String,
    kind_label: String,
    name: String,
    unit: String,
    plan: Vec<String>,
    fact: Vec<String>,
}

#[derive(Template)]
#[template(path = "budget_program.html")]
struct ShowPage {
    page: Page,
    action: String,
    years: [i32; 3],
    purpose: String,
    version: i64,
    /// (code, name, amounts by year): the program first, then its subprograms.
    amounts: Vec<(String, String, Vec<String>)>,
    rows: Vec<IndicatorRow>,
    editable: bool,
    /// The passport as kept with each version of the budget.
    versions: Vec<VersionRow>,
    error: Option<String>,
}

/// A version of the budget with the program's amounts in it and its passport as kept then.
pub struct VersionRow {
    act_id: i64,
    act: String,
    amounts: Vec<String>,
    purpose: String,
    /// (kind, name, unit, plans by year)
    indicators: Vec<(String, String, String, Vec<String>)>,
}

/// Empty rows the passport offers for new indicators.
const BLANK_ROWS: usize = 4;

async fn show_page(
    ctx: &Ctx,
    (campaign_id, abp, code): (i64, String, String),
    typed: Option<&HashMap<String, String>>,
    error: Option<String>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let reader = Reader::User(p);
    let campaign = jospar_budget::usecases::campaign(ctx.db(), &reader, campaign_id).await?;
    let passport = programs::program(ctx.db(), &reader, campaign_id, &abp, &code).await?;
    let amounts = programs::amounts(ctx.db(), &p.tree, &campaign, &abp, &code).await?;
    let lang = ctx.tr.lang();
    let year = jospar_planning::codes::classification_year(ctx.db(), campaign.first_year).await?;
    let names = jospar_classification::repo::ExpenseNames::of_administrators(
        ctx.db(),
        year,
        vec![abp.clone()],
        lang,
    )
    .await?;
    let money = |a: &[Tenge; 3]| a.iter().map(Tenge::to_string).collect::<Vec<_>>();
    let program_name = names.program_under(&abp, &code);
    let mut amount_rows = vec![(
        format!("{abp} {code}"),
        program_name.clone(),
        money(&amounts.program),
    )];
    for sub in amounts.subprograms.iter().filter(|s| !s.code.is_empty()) {
        let name = names.subprogram_under(&abp, &code, &sub.code);
        amount_rows.push((sub.code.clone(), name, money(&sub.amounts)));
    }
    let stored = passport
        .as_ref()
        .map(|p| p.indicators.clone())
        .unwrap_or_default();
    // As many rows as the form had, so that every typed row shows again after a refusal.
    let count = stored.len() + BLANK_ROWS;
    let rows = (1..=count)
        .map(|n| {
            let field = |k: &str| format!("i{n}_{k}");
            let given = |k: &str| typed.and_then(|t| t.get(&field(k)).cloned());
            let kept = stored.get(n - 1);
            let kind = given("kind")
                .or(kept.map(|i| i.kind.code().to_string()))
                .unwrap_or_else(|| "direct".into());
            IndicatorRow {
                n,
                kind_label: ctx.tr.t(&format!("programs-kind-{kind}")),
                kind,
                name: given("name")
                    .or(kept.map(|i| i.name.clone()))
                    .unwrap_or_default(),
                unit: given("unit")
                    .or(kept.map(|i| i.unit.clone()))
                    .unwrap_or_default(),
                plan: (0..3)
                    .map(|i| {
                        given(&format!("p{i}"))
                            .or(kept.map(|k| quantity(k.plan[i])))
                            .unwrap_or_default()
                    })
                    .collect(),
                fact: (0..3)
                    .map(|i| {
                        given(&format!("f{i}"))
                            .or(kept.and_then(|k| k.fact[i].map(quantity)))
                            .unwrap_or_default()
                    })
                    .collect(),
            }
        })
        .collect();
    let editable = programs::can_edit(ctx.db(), p, &campaign, &abp).await?;
    let versions = programs::versions(ctx.db(), &reader, campaign_id, &abp, &code)
        .await?
        .into_iter()
        .map(|v| VersionRow {
            act_id: v.act.id,
            act: jospar_budget::reports::act_label(&ctx.tr, &v.act),
            amounts: money(&v.amounts),
            purpose: v.purpose,
            indicators: v
                .indicators
                .iter()
                .map(|i| {
                    (
                        ctx.tr.t(&format!("programs-kind-{}", i.kind.code())),
                        i.name.clone(),
                        i.unit.clone(),
                        i.plan.iter().map(|q| quantity(*q)).collect(),
                    )
                })
                .collect(),
        })
        .collect();
    let title = ctx.tr.args(
        "program-title",
        &[("code", format!("{abp} {code}")), ("name", program_name)],
    );
    let page = Page::new(ctx, "programs-title", "budget").document(
        title,
        vec![(
            format!("/budget-programs?campaign={campaign_id}"),
            ctx.tr.t("programs-title"),
        )],
    );
    let refused = error.is_some();
    let response = render(ShowPage {
        page,
        action: format!("/budget-programs/{campaign_id}/{abp}/{code}"),
        years: campaign.years(),
        purpose: typed
            .and_then(|t| t.get("purpose").cloned())
            .or(passport.as_ref().map(|p| p.purpose.clone()))
            .unwrap_or_default(),
        version: passport.as_ref().map(|p| p.version).unwrap_or(0),
        amounts: amount_rows,
        rows,
        editable,
        versions,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, Path(key): Path<(i64, String, String)>) -> AppResult<Response> {
    show_page(&ctx, key, None, None).await
}

/// The indicators typed in the form: every row with a name, a unit or a plan; a row's empty
/// plan is refused, an empty fact is none.
fn indicators_of(fields: &HashMap<String, String>) -> Result<Vec<Indicator>, jospar_access::Error> {
    let mut out = Vec::new();
    for n in 1.. {
        let field = |k: &str| fields.get(&format!("i{n}_{k}")).map(|v| v.trim());
        let Some(kind) = field("kind") else {
            break;
        };
        let texts = ["name", "unit", "p0", "p1", "p2", "f0", "f1", "f2"];
        if texts.iter().all(|k| field(k).unwrap_or("").is_empty()) {
            continue;
        }
        let row = vec![("row", n.to_string())];
        let number = |k: &str, key: &'static str| {
            programs::parse_quantity(field(k).unwrap_or("")).ok_or_else(|| {
                jospar_access::Error::invalid_with(key, &format!("indicator-{n}-{k}"), row.clone())
            })
        };
        let fact = |k: &str| match field(k).unwrap_or("") {
            "" => Ok(None),
            _ => number(k, "err-indicator-fact").map(Some),
        };
        out.push(Indicator {
            kind: IndicatorKind::from_code(kind).unwrap_or(IndicatorKind::Direct),
            name: field("name").unwrap_or("").to_string(),
            unit: field("unit").unwrap_or("").to_string(),
            plan: [
                number("p0", "err-indicator-plan")?,
                number("p1", "err-indicator-plan")?,
                number("p2", "err-indicator-plan")?,
            ],
            fact: [fact("f0")?, fact("f1")?, fact("f2")?],
        });
    }
    Ok(out)
}

async fn save(
    ctx: Ctx,
    Path((campaign, abp, code)): Path<(i64, String, String)>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    p.check_csrf(field("csrf"))?;
    let result = async {
        let input = ProgramInput {
            campaign_id: campaign,
            abp: abp.clone(),
            program: code.clone(),
            purpose: field("purpose").to_string(),
            indicators: indicators_of(&fields)?,
            version: field("version").trim().parse().unwrap_or(0),
        };
        programs::save(ctx.db(), p, &input).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&crate::view::done(
            &format!("/budget-programs/{campaign}/{abp}/{code}"),
            "saved",
        ))
        .into_response()),
        Err(e) => {
            let message = form_message(&ctx, e)?;
            show_page(&ctx, (campaign, abp, code), Some(&fields), Some(message)).await
        }
    }
}
