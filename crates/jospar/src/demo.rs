//! The demo region: Mangystau oblast with its districts and rural districts, real
//! administrator codes and names, 100 organisations, users of every role — plus the public
//! classification shipped in `data/`. Loaded once, into an empty database.

use anyhow::{Context, Result};
use chrono::{Duration, Utc};
use jospar_classification::{YearRange, import_entries, parse, repo as ebk};
use jospar_org::{BudgetLevel, NewOrg, NewUser, repo};
use jospar_store::{Db, Who};
use jospar_web::error::HttpError as _;
use serde::Deserialize;
use std::collections::HashMap;

/// The password of every demo user (README).
pub const DEMO_PASSWORD: &str = "Jospar-demo-2026";

const REGION: &str = include_str!("../demo/region.json");

/// A shipped classification file: name, contents, and the years of an undated file.
pub type EbkFile = (&'static str, &'static [u8], Option<(i32, i32)>);

/// Classification files in load order.
pub const EBK_FILES: &[EbkFile] = &[
    (
        "abp_codes.csv",
        include_bytes!("../../../data/ebk/abp_codes.csv"),
        None,
    ),
    (
        "expenses_group_subgroup_abp.csv",
        include_bytes!("../../../data/ebk/expenses_group_subgroup_abp.csv"),
        None,
    ),
    (
        "receipts_category_class_subclass.csv",
        include_bytes!("../../../data/ebk/receipts_category_class_subclass.csv"),
        None,
    ),
    (
        "economic_categories.csv",
        include_bytes!("../../../data/ebk/economic_categories.csv"),
        Some((2023, 2025)),
    ),
    (
        "ekr_specifics_partial_pa_finplan.csv",
        include_bytes!("../../../data/ebk/ekr_specifics_partial_pa_finplan.csv"),
        Some((2023, 2025)),
    ),
    (
        "rb_investment_programs_subprograms.csv",
        include_bytes!("../../../data/ebk/rb_investment_programs_subprograms.csv"),
        Some((2023, 2025)),
    ),
    (
        "specifics_reconstructed.csv",
        include_bytes!("../../../data/ebk/specifics_reconstructed.csv"),
        None,
    ),
    (
        "names_kk.csv",
        include_bytes!("../../../data/ebk/names_kk.csv"),
        None,
    ),
    (
        "local_programs_annotation.csv",
        include_bytes!("../../../data/ebk/local_programs_annotation.csv"),
        None,
    ),
];

#[derive(Deserialize)]
struct Region {
    budgets: Vec<DemoBudget>,
    orgs: Vec<DemoOrg>,
    users: Vec<DemoUser>,
}

#[derive(Deserialize)]
struct DemoBudget {
    key: String,
    level: String,
    parent: Option<String>,
    kato: String,
    name_ru: String,
    name_kk: String,
}

#[derive(Deserialize)]
struct DemoOrg {
    key: String,
    parent: Option<String>,
    kind: String,
    scenario: String,
    budget: String,
    abp_code: Option<String>,
    bin: String,
    name_ru: String,
    name_kk: String,
}

#[derive(Deserialize)]
struct DemoUser {
    login: String,
    roles: Vec<DemoRole>,
    org: String,
    iin: String,
    full_name: String,
    position_ru: String,
    phone: String,
    email: String,
}

#[derive(Deserialize)]
struct DemoRole {
    role: String,
    org: String,
}

/// The BIN of the demo's education administrator, whose procurement the demo's stand-in of the
/// portal serves (`data/goszakup`).
pub const PROCUREMENT_CUSTOMER: &str = "120440167618";

/// Loads the classification and the demo region unless the database already has organisations.
/// Returns whether anything was loaded.
pub async fn load_if_empty(db: &Db) -> Result<bool> {
    if !repo::all_orgs(db).await?.is_empty() {
        tracing::info!("the database already has organisations: demo data not loaded");
        return Ok(false);
    }
    load_classification(db).await?;
    load_region(db).await?;
    load_staffing(db).await?;
    load_portal_execution(db).await?;
    load_goods(db).await?;
    Ok(true)
}

/// The samples of the goods classifier, the national catalogue and the price database
/// (`data/goods`, illustrative), and inflation indices.
const GOODS_SAMPLES: [(&str, &[u8]); 3] = [
    (
        "goods-sample.csv",
        include_bytes!("../../../data/goods/goods-sample.csv"),
    ),
    (
        "catalogue-sample.csv",
        include_bytes!("../../../data/goods/catalogue-sample.csv"),
    ),
    (
        "prices-sample.csv",
        include_bytes!("../../../data/goods/prices-sample.csv"),
    ),
];

/// Yearly inflation in basis points. 2024 is the published December-to-December figure
/// (8.6 %); the later years are demo values for a forecast: the authorized body types the
/// official ones on /goods/settings.
const DEMO_INFLATION: [(i32, i64); 6] = [
    (2024, 860),
    (2025, 1_230),
    (2026, 1_000),
    (2027, 850),
    (2028, 700),
    (2029, 600),
];

async fn load_goods(db: &Db) -> Result<()> {
    let who = Who::system();
    for (name, bytes) in GOODS_SAMPLES {
        jospar_goods::store::import(db, &who, bytes, name)
            .await
            .with_context(|| format!("data/goods/{name}"))?;
    }
    for (year, bp) in DEMO_INFLATION {
        jospar_goods::store::set_index(db, &who, year, Some(bp)).await?;
    }
    Ok(())
}

/// The documented sample of every Treasury form (`data/treasury`), imported as a finance
/// department would: the budget's receipts forms for the oblast's authorized body, the expense
/// forms for the education administrator, so that every execution report can be opened at once.
const TREASURY_SAMPLES: [(&str, &str, &str, &[u8]); 14] = [
    (
        "2-19",
        "obl.ueibp",
        "2027-04-01",
        include_bytes!("../../../data/treasury/2-19-sample.csv"),
    ),
    (
        "2-43",
        "obl.ueibp",
        "2027-04-01",
        include_bytes!("../../../data/treasury/2-43-sample.csv"),
    ),
    (
        "2-11",
        "obl.ueibp",
        "2027-04-01",
        include_bytes!("../../../data/treasury/2-11-sample.csv"),
    ),
    (
        "5-52",
        "obl.edu",
        "2027-04-01",
        include_bytes!("../../../data/treasury/5-52-sample.csv"),
    ),
    (
        "4-20",
        "obl.edu",
        "2027-04-01",
        include_bytes!("../../../data/treasury/4-20-sample.csv"),
    ),
    (
        "4-09",
        "obl.edu",
        "2027-04-01",
        include_bytes!("../../../data/treasury/4-09-sample.csv"),
    ),
    (
        "1-27",
        "obl.edu",
        "2027-04-01",
        include_bytes!("../../../data/treasury/1-27-sample.csv"),
    ),
    (
        "5-42",
        "obl.ueibp",
        "2027-04-01",
        include_bytes!("../../../data/treasury/5-42-sample.csv"),
    ),
    (
        "5-42",
        "obl.ueibp",
        "2026-04-01",
        include_bytes!("../../../data/treasury/5-42-2026-sample.csv"),
    ),
    (
        "5-02",
        "obl.edu",
        "2027-04-01",
        include_bytes!("../../../data/treasury/5-02-sample.csv"),
    ),
    (
        "2-15",
        "obl.ueibp",
        "2027-04-01",
        include_bytes!("../../../data/treasury/2-15-sample.csv"),
    ),
    (
        "5-34",
        "obl.edu",
        "2027-04-01",
        include_bytes!("../../../data/treasury/5-34-sample.csv"),
    ),
    (
        "5-17",
        "obl.edu",
        "2027-04-01",
        include_bytes!("../../../data/treasury/5-17-sample.csv"),
    ),
    (
        "0-67",
        "obl.edu",
        "2027-04-01",
        include_bytes!("../../../data/treasury/0-67-sample.csv"),
    ),
];

/// The samples of the forms e-Minfin gives, each with the BIN of the demo organisation it
/// belongs to and its report date: what the demo's stand-in for e-Minfin serves.
pub fn emin_samples() -> Result<Vec<(jospar_emin::FormQuery, &'static [u8])>> {
    let region: Region = serde_json::from_str(REGION).context("demo/region.json")?;
    let mut samples = Vec::new();
    for (form, key, date, bytes) in TREASURY_SAMPLES {
        let org = region.orgs.iter().find(|o| o.key == key);
        if let Some(org) = org.filter(|_| jospar_emin::FORMS.contains(&form)) {
            let query = jospar_emin::FormQuery {
                form: form.to_string(),
                bin: org.bin.clone(),
                report_date: date.parse().context("sample date")?,
            };
            samples.push((query, bytes));
        }
    }
    Ok(samples)
}

/// `jospar demo` loads them after the region (the test suite's region starts without forms).
pub async fn load_treasury_forms(db: &Db) -> Result<()> {
    let region: Region = serde_json::from_str(REGION).context("demo/region.json")?;
    let orgs = repo::all_orgs(db).await?;
    let tr = jospar_i18n::Tr(jospar_i18n::Lang::Ru);
    for (form, key, date, bytes) in TREASURY_SAMPLES {
        let name = &region
            .orgs
            .iter()
            .find(|o| o.key == key)
            .with_context(|| format!("demo organisation {key}"))?
            .name_ru;
        let org = orgs
            .iter()
            .find(|o| &o.name_ru == name)
            .with_context(|| format!("demo organisation {key} not loaded"))?;
        let target = jospar_execution::usecases::treasury::FormTarget {
            org_id: org.id,
            report_date: date.parse().context("sample date")?,
            file_name: &format!("{form}-sample.csv"),
            pulled: None,
        };
        jospar_execution::usecases::treasury::import_form(
            db,
            &Who::system(),
            None,
            form,
            target,
            std::io::Cursor::new(bytes),
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo form {form}: {}", e.message(&tr)))?;
    }
    Ok(())
}

/// A passport in public discussion (OB-1) for the demo's education administrator, so the open
/// budget has something to read, vote on and propose to at once. The demo region has no budget
/// campaign, so its figures are the annual plans of program 003 in the demo's form 5-52; a
/// passport published from the pages takes them from the approved budget requests.
pub async fn load_open_budget(db: &Db) -> Result<()> {
    use jospar_execution::treasury::CashRow;
    let region: Region = serde_json::from_str(REGION).context("demo/region.json")?;
    let name = &region
        .orgs
        .iter()
        .find(|o| o.key == "obl.edu")
        .context("demo organisation obl.edu")?
        .name_ru;
    let org = repo::all_orgs(db)
        .await?
        .into_iter()
        .find(|o| &o.name_ru == name)
        .context("obl.edu not loaded")?;
    let form = jospar_execution::treasury_store::reports(db)
        .await?
        .into_iter()
        .find(|r| r.form == "5-52" && r.org_id == org.id)
        .context("the demo's 5-52")?;
    let (_, rows) = jospar_execution::treasury_store::report::<CashRow>(db, form.id, "5-52")
        .await?
        .context("the demo's 5-52 rows")?;
    let mut by_subprogram: std::collections::BTreeMap<String, jospar_core::Tenge> =
        Default::default();
    for row in rows.iter().filter(|r| r.program == "003") {
        *by_subprogram.entry(row.subprogram.clone()).or_default() += row.plan_year;
    }
    let figures = by_subprogram
        .into_iter()
        .map(|(subprogram, amount)| jospar_openbudget::repo::FigureRow {
            subprogram,
            years: [(2027, amount)].into_iter().collect(),
        })
        .collect();
    let today = chrono::Utc::now().date_naive();
    let calendar = db.working_calendar().await?;
    let ends_on = jospar_openbudget::discussion_end(&calendar, today, None)?;
    jospar_openbudget::repo::publish(
        db,
        &Who::system(),
        jospar_openbudget::repo::NewDocument {
            kind: jospar_openbudget::DocKind::Passport,
            org_id: org.id,
            abp: org.abp_code.clone().unwrap_or_default(),
            program: "003".into(),
            year: 2027,
            title_ru: "Общеобразовательное обучение".into(),
            title_kk: "Жалпы білім беру".into(),
            summary_ru: "Цель: доступное и качественное школьное образование. Задачи: содержание школ, \
                         обновление материально-технической базы. Показатели: охват детей школьного \
                         возраста обучением — 100 %."
                .into(),
            summary_kk: "Мақсаты: қолжетімді және сапалы мектептегі білім. Міндеттері: мектептерді ұстау, \
                         материалдық-техникалық базаны жаңарту. Көрсеткіштер: мектеп жасындағы балаларды \
                         оқытумен қамту — 100 %."
                .into(),
            head: "Руководитель управления образования".into(),
            budget_kind: "local".into(),
            figures,
            published_on: today,
            ends_on,
        },
        &[],
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo passport: {e}"))?;
    Ok(())
}

/// The real execution report of Mangystau region's local budget from the open-budgets portal
/// (`data/portal`), kept under the oblast's authorized body, so that the EX-R 18 report and
/// its reconciliation can be opened at once.
const MANGYSTAU_EXECUTION: &[u8] =
    include_bytes!("../../../data/portal/local_mangystau_region_execution_tree.csv");

async fn load_portal_execution(db: &Db) -> Result<()> {
    let region: Region = serde_json::from_str(REGION).context("demo/region.json")?;
    let root = region
        .orgs
        .iter()
        .find(|o| o.parent.is_none())
        .context("demo region has no root organisation")?;
    let org = repo::all_orgs(db)
        .await?
        .into_iter()
        .find(|o| o.name_ru == root.name_ru)
        .context("demo root organisation not loaded")?;
    let target = jospar_execution::usecases::portal_reports::ImportTarget {
        org_id: org.id,
        title: "Местный бюджет Мангистауской области (портал, 2023–2025)",
        file_name: "local_mangystau_region_execution_tree.csv",
    };
    let tr = jospar_i18n::Tr(jospar_i18n::Lang::Ru);
    jospar_execution::usecases::portal_reports::import_portal(
        db,
        &Who::system(),
        None,
        target,
        MANGYSTAU_EXECUTION,
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo portal execution: {}", e.message(&tr)))?;
    Ok(())
}

const STAFFING: &str = include_str!("../demo/staffing.json");

#[derive(Deserialize)]
struct DemoStaffing {
    valid_from: chrono::NaiveDate,
    base_salary_tiyn: i64,
    mci_tiyn: i64,
    minimum_wage_tiyn: i64,
    rates: serde_json::Value,
    grid: serde_json::Value,
    tables: Vec<DemoStaffingTable>,
}

#[derive(Deserialize)]
struct DemoStaffingTable {
    org: String,
    year: i32,
    positions: Vec<jospar_staffing::Position>,
}

/// Pay reference tables and a staffing table of one school (`demo/staffing.json`), so that the
/// staffing page and the payroll lines of its requests can be tried at once.
async fn load_staffing(db: &Db) -> Result<()> {
    let demo: DemoStaffing = serde_json::from_str(STAFFING).context("demo/staffing.json")?;
    let who = Who::system();
    let values = [
        ("base_salary", serde_json::json!(demo.base_salary_tiyn)),
        ("mci", serde_json::json!(demo.mci_tiyn)),
        ("minimum_wage", serde_json::json!(demo.minimum_wage_tiyn)),
        ("rates", demo.rates),
        ("grid", demo.grid),
    ];
    for (table, value) in values {
        jospar_staffing::repo::set_reference(db, &who, table, demo.valid_from, &value)
            .await
            .with_context(|| format!("demo pay reference {table}"))?;
    }
    let region: Region = serde_json::from_str(REGION).context("demo/region.json")?;
    let orgs = repo::all_orgs(db).await?;
    for table in demo.tables {
        let name = region
            .orgs
            .iter()
            .find(|o| o.key == table.org)
            .map(|o| o.name_ru.clone())
            .with_context(|| format!("demo staffing: no organisation {}", table.org))?;
        let org = orgs
            .iter()
            .find(|o| o.name_ru == name)
            .with_context(|| format!("demo staffing: {name} not loaded"))?;
        jospar_staffing::repo::save_staffing_table(
            db,
            &who,
            org.id,
            table.year,
            0,
            &table.positions,
        )
        .await
        .with_context(|| format!("demo staffing table of {}", table.org))?;
    }
    Ok(())
}

pub async fn load_classification(db: &Db) -> Result<()> {
    let who = Who::system();
    for (name, bytes, years) in EBK_FILES {
        let years = years.map(|(from, to)| YearRange { from, to });
        let parsed = parse(bytes, years).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        import_entries(
            db,
            &who,
            &parsed.entries,
            &format!("{name} ({})", parsed.format),
        )
        .await?;
    }
    // No public list for 2026 yet: open it as a copy of 2025.
    if ebk::codes_of_year(db, 2026).await?.is_empty() {
        ebk::copy_year(db, &who, 2025, 2026).await?;
    }
    Ok(())
}

async fn load_region(db: &Db) -> Result<()> {
    let region: Region = serde_json::from_str(REGION).context("demo/region.json")?;
    let who = Who::system();
    let mut budgets: HashMap<String, i64> = HashMap::new();
    for b in &region.budgets {
        let level = BudgetLevel::from_code(&b.level)
            .with_context(|| format!("budget {}: level {}", b.key, b.level))?;
        let parent = b.parent.as_ref().and_then(|p| budgets.get(p).copied());
        let budget =
            repo::create_budget(db, &who, parent, level, &b.kato, &b.name_ru, &b.name_kk).await?;
        budgets.insert(b.key.clone(), budget.id);
    }
    let mut orgs: HashMap<String, i64> = HashMap::new();
    for o in &region.orgs {
        let new = NewOrg {
            parent_id: o.parent.as_ref().and_then(|p| orgs.get(p).copied()),
            kind: o.kind.clone(),
            scenario: Some(o.scenario.clone()),
            budget_id: *budgets
                .get(&o.budget)
                .with_context(|| format!("org {}: budget {}", o.key, o.budget))?,
            abp_code: o.abp_code.clone(),
            bin: Some(o.bin.clone()),
            name_ru: o.name_ru.clone(),
            name_kk: o.name_kk.clone(),
        };
        let known = match &o.abp_code {
            Some(code) => {
                ebk::exists_any_year(db, jospar_classification::CodeKind::Abp, code).await?
            }
            None => false,
        };
        let org = repo::create_org(db, &who, new, known)
            .await
            .map_err(|e| anyhow::anyhow!("org {}: {e}", o.key))?;
        orgs.insert(o.key.clone(), org.id);
    }
    let roots: Vec<i64> = region
        .orgs
        .iter()
        .filter(|o| o.parent.is_none())
        .filter_map(|o| orgs.get(&o.key).copied())
        .collect();
    let today = Utc::now().date_naive();
    let valid_until = today + Duration::days(365);
    for u in &region.users {
        let new = NewUser {
            org_id: *orgs
                .get(&u.org)
                .with_context(|| format!("user {}: org {}", u.login, u.org))?,
            login: u.login.clone(),
            iin: u.iin.clone(),
            full_name: u.full_name.clone(),
            position: u.position_ru.clone(),
            phone: u.phone.clone(),
            email: u.email.clone(),
            password: DEMO_PASSWORD.into(),
        };
        let user = repo::create_user(db, &who, new)
            .await
            .map_err(|e| anyhow::anyhow!("user {}: {e}", u.login))?;
        for role in &u.roles {
            // The system administrator administers every tree of the demo, not only the oblast.
            let targets: Vec<i64> = if role.role == "sysadmin" {
                roots.clone()
            } else {
                vec![
                    *orgs
                        .get(&role.org)
                        .with_context(|| format!("user {}: org {}", u.login, role.org))?,
                ]
            };
            for org in targets {
                repo::grant_role(
                    db,
                    &who,
                    user.id,
                    repo::NewGrant {
                        role: &role.role,
                        org_id: org,
                        valid_until,
                        module: None,
                    },
                    today,
                )
                .await
                .map_err(|e| anyhow::anyhow!("user {}: {e}", u.login))?;
            }
        }
    }
    Ok(())
}

/// The demo's investment project: a school the education administrator builds, financed by a
/// republican transfer and local money, with the contracts of the demo's procurement portal
/// (`data/goszakup`) to link to it and, from the development budget's 4-09
/// (`data/treasury/4-09-development-sample.csv`), the contracts the Treasury registered with
/// what was paid. Illustrative: the shipped data names no Mangystau project.
pub async fn load_investment_project(db: &Db) -> Result<()> {
    use jospar_devbudget::projects::{ConstructionObject, Financing, ProjectInput};
    let Some(edu) = repo::all_orgs(db)
        .await?
        .into_iter()
        .find(|o| o.bin.as_deref() == Some(PROCUREMENT_CUSTOMER))
    else {
        return Ok(());
    };
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).context("a date");
    let financing = |year, source: &str, tenge: i64| Financing {
        year,
        source: source.to_string(),
        amount_tiyn: tenge * 100,
    };
    let input = ProjectInput {
        name_ru: "Строительство общеобразовательной школы на 600 мест в 34 микрорайоне г. Актау"
            .into(),
        name_kk: "Ақтау қаласының 34 шағын ауданында 600 орындық жалпы білім беретін мектеп салу"
            .into(),
        admin_org_id: edu.id,
        program: "032".into(),
        subprogram: "015".into(),
        sphere: "education".into(),
        kind: "construction".into(),
        state: "in_progress".into(),
        kato: "471010000".into(),
        starts_on: date(2027, 2, 1)?,
        ends_on: date(2028, 8, 31)?,
        total_cost_tiyn: 2_300_000_000 * 100,
        financing: vec![
            financing(2027, "republican", 1_200_000_000),
            financing(2027, "local", 300_000_000),
            financing(2028, "local", 800_000_000),
        ],
        objects: vec![ConstructionObject {
            name_ru: "Здание школы на 600 мест".into(),
            name_kk: "600 орындық мектеп ғимараты".into(),
            kato: "471010000".into(),
            cost_tiyn: 2_100_000_000 * 100,
        }],
    };
    let who = jospar_store::Who::system();
    jospar_devbudget::projects::register(db, &who, input)
        .await
        .map_err(|e| anyhow::anyhow!("the demo's investment project: {e}"))?;
    // Its contracts as the Treasury registered them, with what was paid to 1 April 2027.
    jospar_devbudget::form409::apply(
        db,
        &who,
        &|_| true,
        edu.id,
        date(2027, 4, 1)?,
        include_bytes!("../../../data/treasury/4-09-development-sample.csv"),
    )
    .await
    .map_err(|e| anyhow::anyhow!("the demo's development 4-09: {e}"))?;
    Ok(())
}
