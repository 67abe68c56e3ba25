//! The demo's budget year at work (issue 20): an open campaign for the coming three years with
//! limits distributed to the education administrator and its schools, and the schools'
//! requests in every state — in work, sent to the administrator, forwarded to the authorized
//! body, returned with a reason, approved — the budget of the period from the working body's
//! conclusion to the maslikhat's approval and the akimat's resolution, an approved financing
//! plan, and a refinement decision. Everything goes
//! through the use cases as the users themselves would do it (their rights checked, their
//! requests signed with demo keys, the audit log and the notices written), so each demo login's
//! start page has something to do and every report opens with data.

use anyhow::{Context, Result};
use chrono::Datelike;
use jospar_access::Principal;
use jospar_eds::testkit::{KeyAlgorithm, Person, TestCa};
use jospar_eds::{NativeVerifier, Signing};
use jospar_i18n::{Lang, Tr};
use jospar_limits::LimitKind;
use jospar_limits::repo::{Change, NewCampaign};
use jospar_org::repo;
use jospar_planning::usecases as planning;
use jospar_store::Db;
use std::collections::HashMap;
use std::sync::Arc;

/// One million tenge in tiyn.
const MLN: i64 = 100_000_000;

/// The education administrator's program the schools are financed from.
const PROGRAM: &str = "003";

/// What happens to each school's request: the school (as in demo/region.json), who enters it,
/// the teachers' staff units, and how far it goes.
const SCHOOLS: &[(&str, &str, &str, u32, Stage)] = &[
    (
        "edu.school5",
        "economist.school5",
        "head.school5",
        10,
        Stage::Returned,
    ),
    (
        "edu.boarding1",
        "abp.edu",
        "head.boarding1",
        12,
        Stage::SentToAdministrator,
    ),
    (
        "edu.kuryk.school1",
        "abp.edu",
        "head.kuryk1",
        8,
        Stage::SentToAuthority,
    ),
    (
        "edu.school23",
        "abp.edu",
        "head.school23",
        9,
        Stage::Approved,
    ),
    (
        "edu.gymnasium3",
        "abp.edu",
        "head.gymnasium3",
        11,
        Stage::InWork,
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    InWork,
    SentToAdministrator,
    SentToAuthority,
    Returned,
    Approved,
}

/// The reason the administrator gives for returning the school's request.
const RETURN_REASON: &str =
    "Уточните количество ставок учителей: в штатном расписании школы 9 ставок, в расчёте 10.";

struct Demo {
    db: Db,
    tr: Tr,
    signing: Signing,
    ca: TestCa,
    tree: Arc<jospar_access::OrgTree>,
    orgs: HashMap<String, i64>,
}

/// Loads the campaign, limits, requests and plan into the freshly loaded demo region.
pub async fn load_workflow(db: &Db) -> Result<()> {
    let demo = Demo::new(db).await?;
    let planner = demo.principal("planner").await?;
    let abp = demo.principal("abp.edu").await?;
    let year = planner.today.year() + 1;
    let campaign = jospar_limits::usecases::create_campaign(
        db,
        &planner,
        NewCampaign {
            authority_org_id: demo.org("obl.ueibp")?,
            first_year: year,
            name_ru: format!("Бюджет на {}–{} годы", year, year + 2),
            name_kk: format!("{}–{} жылдарға арналған бюджет", year, year + 2),
            inflation_bp: [10500, 10450],
            request_days: None,
            review_days: None,
        },
    )
    .await?;
    let slots = |org: i64, program: &str, amount_mln: i64| -> Vec<Change> {
        campaign
            .years()
            .into_iter()
            .map(|y| Change {
                org_id: org,
                program: program.to_string(),
                year: y,
                kind: LimitKind::Base,
                amount_tiyn: amount_mln * MLN,
                version: 0,
            })
            .collect()
    };
    // The authorized body's total and the administrators' limits, then the administrator's
    // program and its schools (L-1…L-3).
    let mut totals = slots(demo.org("obl.ueibp")?, "", 3_000);
    totals.extend(slots(demo.org("obl.edu")?, "", 1_500));
    totals.extend(slots(demo.org("obl.health")?, "", 900));
    totals.extend(slots(demo.org("obl.culture")?, "", 400));
    let letter = Some("Письмо УЭБП о предельных объёмах расходов");
    jospar_limits::usecases::save(db, &planner, &demo.tr, &campaign, &totals, letter).await?;
    let mut program = slots(demo.org("obl.edu")?, PROGRAM, 1_200);
    for (school, ..) in SCHOOLS {
        program.extend(slots(demo.org(school)?, PROGRAM, 60));
    }
    jospar_limits::usecases::save(db, &abp, &demo.tr, &campaign, &program, letter).await?;
    let mut approved = Vec::new();
    for &(school, login, head, staff, stage) in SCHOOLS {
        let author = demo.principal(login).await?;
        let head = demo.principal(head).await?;
        let id = demo
            .request(&author, campaign.id, demo.org(school)?, staff)
            .await
            .map_err(|e| anyhow::anyhow!("the request of {school}: {e:?}"))?;
        demo.move_along(&head, &abp, &planner, id, stage)
            .await
            .map_err(|e| anyhow::anyhow!("the request of {school}: {e:?}"))?;
        if stage == Stage::Approved {
            approved.push(id);
        }
    }
    budget_cycle(&demo, &planner, campaign.id)
        .await
        .map_err(|e| anyhow::anyhow!("the budget cycle: {e:?}"))?;
    program_passport(db, &abp, campaign.id)
        .await
        .map_err(|e| anyhow::anyhow!("the program's passport: {e:?}"))?;
    for id in approved {
        demo.plan(&abp, id, year)
            .await
            .map_err(|e| anyhow::anyhow!("the plan of request {id}: {e:?}"))?;
    }
    refine_budget(&demo, &planner, campaign.id)
        .await
        .map_err(|e| anyhow::anyhow!("the refinement: {e:?}"))?;
    let republic = demo.principal("planner.republic").await?;
    ask_for_a_transfer(db, &planner, &republic, demo.org("obl.ueibp")?, year)
        .await
        .map_err(|e| anyhow::anyhow!("the transfer application: {e:?}"))?;
    let abp = demo.principal("abp.edu").await?;
    ask_for_codes(db, &abp, &planner, demo.org("obl.edu")?)
        .await
        .map_err(|e| anyhow::anyhow!("the code requests: {e:?}"))?;
    let economist = demo.principal("economist.school5").await?;
    collect_school_transport(db, &planner, &economist, demo.org("obl.edu")?)
        .await
        .map_err(|e| anyhow::anyhow!("the ad-hoc form: {e:?}"))?;
    Ok(())
}

/// The oblast's body asks the schools of the education administrator, by an ad-hoc form
/// (P-16), how many pupils are driven to school and at what cost; school 5 has answered, the
/// others wait with the deadline on their start pages.
async fn collect_school_transport(
    db: &Db,
    planner: &Principal,
    economist: &Principal,
    administrator: i64,
) -> std::result::Result<(), jospar_access::Error> {
    use jospar_forms::{Column, ColumnType};
    let column = |key: &str, ru: &str, kk: &str, kind, formula: Option<&str>| Column {
        key: key.into(),
        name_ru: ru.into(),
        name_kk: kk.into(),
        column_type: kind,
        formula: formula.map(str::to_string),
        required: kind != ColumnType::Computed,
        min: Some(Default::default()),
        max: None,
        indexed: false,
        price_check: None,
    };
    let form = jospar_adhoc::create(
        db,
        planner,
        jospar_adhoc::NewAdhocForm {
            owner_org_id: planner.user.org_id,
            root_org_id: Some(administrator),
            title_ru: "Сведения о подвозе учащихся".into(),
            title_kk: "Оқушыларды тасымалдау туралы мәліметтер".into(),
            columns: vec![
                column(
                    "pupils",
                    "Учащихся, человек",
                    "Оқушылар, адам",
                    ColumnType::Number,
                    None,
                ),
                column(
                    "cost",
                    "Стоимость подвоза одного учащегося в год, тенге",
                    "Бір оқушыны жылына тасымалдау құны, теңге",
                    ColumnType::Money,
                    None,
                ),
                column(
                    "total",
                    "Всего, тенге",
                    "Барлығы, теңге",
                    ColumnType::Computed,
                    Some("pupils * cost"),
                ),
            ],
            row_labels: vec!["1–4 классы".into(), "5–11 классы".into()],
            deadline: (planner.today + chrono::Duration::days(14))
                .format("%Y-%m-%d")
                .to_string(),
        },
    )
    .await?;
    let sent = jospar_adhoc::send(db, planner, form.id, form.version).await?;
    let school = economist.user.org_id;
    let reader = jospar_access::Reader::User(economist);
    let (_, copy) = jospar_adhoc::response(db, &reader, &economist.tree, sent.id, school).await?;
    let row = |pupils: &str, cost: &str| {
        [("pupils", pupils), ("cost", cost)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    jospar_adhoc::save(
        db,
        economist,
        sent.id,
        school,
        copy.version,
        vec![row("46", "182 400"), row("31", "182 400")],
        true,
    )
    .await?;
    Ok(())
}

/// The education administrator asks to open two subprograms of its general education program
/// for the current year (P-15): the budget-planning body approves the first, the local
/// budget's money (015) the schools' lines are planned on — the code opens and order No. 1 is
/// issued — and the second, the republican transfers (011), waits on the planner's start page.
async fn ask_for_codes(
    db: &Db,
    abp: &Principal,
    planner: &Principal,
    administrator: i64,
) -> std::result::Result<(), jospar_access::Error> {
    use jospar_planning::code_requests::{self as codes, CodeDecision, NewCodeRequest};
    // The newest year the demo's classification has (the current one, or 2026 later on).
    let year = jospar_classification::repo::years(db)
        .await?
        .into_iter()
        .filter(|y| *y <= abp.today.year())
        .max()
        .unwrap_or(abp.today.year());
    let ask = |code: &str, name_ru: &str, name_kk: &str| {
        NewCodeRequest {
        org_id: administrator,
        year,
        action: String::from("open"),
        code: code.into(),
        name_ru: name_ru.into(),
        name_kk: name_kk.into(),
        reason: "Средства местного бюджета и целевые трансферты из республиканского бюджета на ремонт школ учитываются раздельно.".into(),
    }
    };
    let first = codes::create(
        db,
        abp,
        ask(
            "261 003 015",
            "За счет средств местного бюджета",
            "Жергілікті бюджет қаражаты есебінен",
        ),
    )
    .await?;
    codes::decide(
        db,
        planner,
        first.id,
        &CodeDecision {
            version: first.version,
            approve: true,
            reason: String::new(),
        },
    )
    .await?;
    codes::create(
        db,
        abp,
        ask(
            "261 003 011",
            "За счет трансфертов из республиканского бюджета",
            "Республикалық бюджеттен берілетін трансферттер есебінен",
        ),
    )
    .await?;
    Ok(())
}

/// The region asks the republic for a targeted transfer for the schools' repairs and the
/// republic approves less than asked, saying why (issue 22, seed 002).
async fn ask_for_a_transfer(
    db: &Db,
    planner: &Principal,
    republic: &Principal,
    authority: i64,
    year: i32,
) -> std::result::Result<(), jospar_access::Error> {
    use jospar_budget::transfers;
    let asked = transfers::create(
        db,
        planner,
        transfers::NewApplication {
            applicant_org_id: authority,
            year,
            purpose: "Капитальный ремонт зданий школ Мангистауской области".into(),
            amount_tiyn: 150 * MLN,
            abp: "261".into(),
            program: "003".into(),
            source_program: "225 099".into(),
            justification: "Износ зданий трёх школ превышает 60 % (акты обследования 2026 года)."
                .into(),
        },
    )
    .await?;
    let sent = transfers::send(db, planner, asked.id, asked.version).await?;
    transfers::decide(
        db,
        republic,
        sent.id,
        &transfers::Decision {
            version: sent.version,
            approve: true,
            amount_tiyn: Some(120 * MLN),
            reason: "В пределах лимита целевых трансфертов на ремонт школ на этот год.".into(),
        },
    )
    .await?;
    Ok(())
}

/// The budget of the period from the approved requests to the akimat's resolution (issue 22):
/// the working body's conclusion on the education administrator, which recommends 95 % for
/// the third year with its remark; the commission's decision, which adds a new school to that
/// year with its reason; the adopted forecast of receipts; the maslikhat's approval and the
/// akimat's resolution implementing it. The first two years stay as requested, so the schools'
/// plans of those years fit the budget.
async fn budget_cycle(demo: &Demo, planner: &Principal, campaign: i64) -> Result<()> {
    use jospar_budget::usecases as budget;
    let db = &demo.db;
    use jospar_budget::{ActKind, LineEdit};
    let days_ago = |n: i64| planner.today - chrono::Duration::days(n);
    let new = |kind, administrator: &str, number: &str, days: i64| budget::NewAct {
        campaign_id: campaign,
        kind,
        administrator: administrator.to_string(),
        number: number.to_string(),
        act_date: days_ago(days),
        based_on: None,
        due_on: None,
    };
    let requested = budget::requested(
        db,
        &planner.tree,
        &jospar_limits::usecases::campaign(db, planner, campaign).await?,
    )
    .await?;
    let Some(first) = requested.keys().next().cloned() else {
        return Ok(());
    };
    let edit = |key: &jospar_budget::LineKey, year: i32, amount: i64, reason: &str| LineEdit {
        abp: key.abp.clone(),
        program: key.program.clone(),
        year,
        amount_tiyn: amount,
        reason: reason.to_string(),
    };
    let amount = |year: i32| {
        requested
            .iter()
            .find(|(k, _)| k.abp == first.abp && k.program == first.program && k.year == year)
            .map(|(_, a)| a.tiyn())
            .unwrap_or(0)
    };
    let conclusion =
        budget::create(db, planner, new(ActKind::Conclusion, &first.abp, "РО-1", 8)).await?;
    let third = first.year + 2;
    let recommended = amount(third) / 100 * 95;
    let conclusion = budget::save_lines(
        db,
        planner,
        conclusion.act.id,
        conclusion.act.version,
        &[edit(
            &first,
            third,
            recommended,
            "Рост расходов на третий год не подтверждён расчётами; рекомендовано 95 %.",
        )],
    )
    .await?;
    demo.adopt_act(planner, conclusion.act.id).await?;
    let commission = budget::create(db, planner, new(ActKind::Commission, "", "БК-3", 6)).await?;
    let commission = budget::save_lines(
        db,
        planner,
        commission.act.id,
        commission.act.version,
        &[edit(
            &first,
            third,
            recommended + 25 * MLN,
            "Ввод новой школы в селе Курык с 1 сентября третьего года.",
        )],
    )
    .await?;
    demo.adopt_act(planner, commission.act.id).await?;
    forecast_receipts(db, planner, campaign).await?;
    let approval = budget::create(db, planner, new(ActKind::Approval, "", "45/312", 4)).await?;
    demo.adopt_act(planner, approval.act.id).await?;
    let resolution = budget::create(db, planner, new(ActKind::Resolution, "", "218", 3)).await?;
    demo.adopt_act(planner, resolution.act.id).await?;
    Ok(())
}

/// The demo's forecast of receipts: for each code, the region's approved plan of 2025 as the
/// open-budgets portal publishes it (thousand tenge, `data/portal/local_mangystau_region_
/// execution_tree.csv`, March 2025), grown 8 % a year.
const RECEIPTS_2025: &[(&str, i64)] = &[
    ("101101", 39_266_782),
    ("101201", 143_192_787),
    ("103101", 104_259_164),
    ("104101", 41_234_702),
    ("104301", 673_967),
    ("104401", 6_958_940),
    ("108101", 4_850_097),
    ("201501", 355_110),
    ("206101", 3_718_188),
    ("301101", 3_099_831),
    ("303101", 1_524_518),
    ("402101", 249_005_639),
];

async fn forecast_receipts(
    db: &Db,
    planner: &Principal,
    campaign: i64,
) -> std::result::Result<(), jospar_access::Error> {
    use jospar_budget::forecast;
    let draft = forecast::create(db, planner, campaign).await?;
    let first = draft.forecast.first_year;
    let basis = "План 2025 года (портал открытых бюджетов) с ростом 8 % в год";
    let mut lines = Vec::new();
    for (code, thousands) in RECEIPTS_2025 {
        // Tiyn of 2025, then 8 % a year from 2026 on, rounded down to the tenge.
        let mut tiyn = i128::from(*thousands) * 100_000;
        for year in 2026..first + 3 {
            tiyn = tiyn * 108 / 100 / 100 * 100;
            if year >= first {
                lines.push(forecast::ForecastLine {
                    code: (*code).to_string(),
                    year,
                    amount_tiyn: i64::try_from(tiyn).unwrap_or(i64::MAX),
                    basis: basis.to_string(),
                });
            }
        }
    }
    let saved = forecast::save_lines(db, planner, draft.forecast.id, 1, &lines).await?;
    forecast::adopt(db, planner, saved.forecast.id, saved.forecast.version).await?;
    Ok(())
}

/// The education administrator's passport of its schools' program (issue 22): the purpose and
/// indicators of direct and final results with their plan by year.
async fn program_passport(
    db: &Db,
    abp: &Principal,
    campaign: i64,
) -> std::result::Result<(), jospar_access::Error> {
    use jospar_budget::programs::{Indicator, IndicatorKind, ProgramInput, save};
    let indicator = |kind, name: &str, unit: &str, plan: [i64; 3]| Indicator {
        kind,
        name: name.to_string(),
        unit: unit.to_string(),
        plan: plan.map(|v| v * 100),
        fact: [None; 3],
    };
    save(
        db,
        abp,
        &ProgramInput {
            campaign_id: campaign,
            abp: "261".into(),
            program: PROGRAM.into(),
            purpose: "Обеспечение доступности качественного общего среднего образования".into(),
            indicators: vec![
                indicator(
                    IndicatorKind::Direct,
                    "Количество учащихся государственных школ",
                    "человек",
                    [118_400, 121_300, 124_100],
                ),
                indicator(
                    IndicatorKind::Direct,
                    "Количество школ, получающих финансирование",
                    "единиц",
                    [212, 214, 215],
                ),
                indicator(
                    IndicatorKind::Final,
                    "Охват детей школьного возраста общим средним образованием",
                    "%",
                    [99, 99, 100],
                ),
            ],
            version: 0,
        },
    )
    .await?;
    Ok(())
}

/// A refinement decision of the maslikhat after the plans (issue 22): the program gets more
/// in the first year, with its reason.
async fn refine_budget(demo: &Demo, planner: &Principal, campaign: i64) -> Result<()> {
    use jospar_budget::usecases as budget;
    let db = &demo.db;
    let refinement = budget::create(
        db,
        planner,
        budget::NewAct {
            campaign_id: campaign,
            kind: jospar_budget::ActKind::Refinement,
            administrator: String::new(),
            number: "47/330".into(),
            act_date: planner.today,
            based_on: None,
            due_on: None,
        },
    )
    .await?;
    let Some(line) = refinement.lines.first() else {
        return Ok(());
    };
    let refinement = budget::save_lines(
        db,
        planner,
        refinement.act.id,
        refinement.act.version,
        &[jospar_budget::LineEdit {
            abp: line.abp.clone(),
            program: line.program.clone(),
            year: line.year,
            amount_tiyn: line.amount.tiyn() + 10 * MLN,
            reason: "Распределение свободных остатков бюджетных средств на 1 января.".into(),
        }],
    )
    .await?;
    demo.adopt_act(planner, refinement.act.id).await?;
    Ok(())
}

impl Demo {
    async fn new(db: &Db) -> Result<Demo> {
        let ca = TestCa::new("JOSPAR DEMO CA (loading)", KeyAlgorithm::P256)?;
        let signing = Signing {
            verifier: Arc::new(NativeVerifier::new(vec![ca.certificate.clone()])),
            ncalayer_url: String::new(),
        };
        let all = repo::all_orgs(db).await?;
        let tree = Arc::new(jospar_access::OrgTree::new(
            all.iter().map(|o| (o.id, o.parent_id)),
        ));
        let region: serde_json::Value = serde_json::from_str(include_str!("../demo/region.json"))?;
        let mut orgs = HashMap::new();
        for org in region["orgs"].as_array().context("demo orgs")? {
            let name = org["name_ru"].as_str().unwrap_or_default();
            if let Some(loaded) = all.iter().find(|o| o.name_ru == name) {
                orgs.insert(
                    org["key"].as_str().unwrap_or_default().to_string(),
                    loaded.id,
                );
            }
        }
        Ok(Demo {
            db: db.clone(),
            tr: Tr(Lang::Ru),
            signing,
            ca,
            tree,
            orgs,
        })
    }

    fn org(&self, key: &str) -> Result<i64> {
        self.orgs
            .get(key)
            .copied()
            .with_context(|| format!("demo organisation {key}"))
    }

    async fn principal(&self, login: &str) -> Result<Principal> {
        let user = repo::user_by_login(&self.db, login)
            .await?
            .with_context(|| format!("demo user {login}"))?;
        let grants = repo::grants_of(&self.db, user.id).await?;
        Ok(Principal {
            user,
            grants,
            tree: self.tree.clone(),
            today: chrono::Utc::now().date_naive(),
            via_token: true,
            csrf: None,
        })
    }

    /// A CMS signature of `data` by the user, with a demo key of their own.
    fn sign(&self, p: &Principal, data: &[u8]) -> Result<String> {
        let key = self.ca.issue(&Person::individual(
            &p.user.iin,
            &p.user.full_name,
            KeyAlgorithm::P256,
        ))?;
        Ok(jospar_eds::testkit::cms_pem(&key.sign_detached(data)?))
    }

    /// Adopts a budget act, signed with the key of the person of the authorized body.
    async fn adopt_act(&self, p: &Principal, id: i64) -> Result<()> {
        let (act, data) = jospar_budget::usecases::signing_data(&self.db, p, id).await?;
        let cms = self.sign(p, &data)?;
        jospar_budget::usecases::adopt(&self.db, &self.signing, p, id, act.version, &cms).await?;
        Ok(())
    }

    /// Approves the request at the reviewer's stage, signed with the reviewer's key.
    async fn approve(&self, reviewer: &Principal, id: i64) -> Result<()> {
        let (request, data) = planning::signing_data(&self.db, reviewer, id).await?;
        let cms = self.sign(reviewer, &data)?;
        planning::approve(&self.db, &self.signing, reviewer, id, request.version, &cms).await?;
        Ok(())
    }

    async fn version(&self, p: &Principal, id: i64) -> Result<i64> {
        Ok(planning::request(&self.db, p, id).await?.version)
    }

    /// A school's request: teachers' salaries (form 111) of program 003 for the three
    /// planning years, `staff` units at 300 000 tenge a month.
    async fn request(&self, p: &Principal, campaign: i64, org: i64, staff: u32) -> Result<i64> {
        let request = planning::create(&self.db, p, &self.tr, campaign, org, "plan").await?;
        let line = planning::add_line(
            &self.db,
            p,
            request.id,
            request.version,
            planning::LineInput {
                program: PROGRAM.into(),
                subprogram: String::new(),
                specific: "111".into(),
                limit_kind: "base".into(),
                project: "Штат учителей".into(),
            },
        )
        .await?;
        let campaign = jospar_limits::usecases::campaign(&self.db, p, campaign).await?;
        for year in campaign.years() {
            let row: jospar_forms::RowInput = [
                ("position", "Учитель".to_string()),
                ("staff_units", staff.to_string()),
                ("salary", "300 000".to_string()),
                ("months", "12".to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            let version = self.version(p, request.id).await?;
            planning::set_rows(
                &self.db,
                p,
                &self.tr,
                planning::RowsEdit {
                    id: request.id,
                    version,
                    line_id: line.id,
                    year,
                    rows: &[row],
                },
            )
            .await?;
        }
        Ok(request.id)
    }

    /// Takes the request as far as `stage`: signed and sent by the school's head, reviewed by the administrator
    /// (returned, or approved on to the authorized body), approved at the top.
    async fn move_along(
        &self,
        head: &Principal,
        abp: &Principal,
        planner: &Principal,
        id: i64,
        stage: Stage,
    ) -> Result<()> {
        if stage == Stage::InWork {
            return Ok(());
        }
        let (request, data) = planning::signing_data(&self.db, head, id).await?;
        let cms = self.sign(head, &data)?;
        planning::send(&self.db, &self.signing, head, id, request.version, &cms).await?;
        match stage {
            Stage::SentToAdministrator | Stage::InWork => return Ok(()),
            Stage::Returned => {
                let version = self.version(abp, id).await?;
                planning::return_request(&self.db, abp, id, version, RETURN_REASON).await?;
                return Ok(());
            }
            Stage::SentToAuthority | Stage::Approved => {}
        }
        self.approve(abp, id).await?;
        if stage == Stage::SentToAuthority {
            return Ok(());
        }
        self.approve(planner, id).await?;
        Ok(())
    }

    /// The school's financing plan for the first planning year of its approved request,
    /// submitted and approved by the administrator with its signature.
    async fn plan(&self, abp: &Principal, id: i64, year: i32) -> Result<()> {
        use jospar_execution::usecases::plans;
        let plan = plans::create_from_request(&self.db, abp, id, year).await?;
        let plan = plans::submit(&self.db, abp, plan.id, plan.version).await?;
        let (plan, data) = plans::signing_data(&self.db, abp, plan.id).await?;
        let cms = self.sign(abp, &data)?;
        plans::approve(&self.db, &self.signing, abp, plan.id, plan.version, &cms).await?;
        Ok(())
    }
}
