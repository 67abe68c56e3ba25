//! Issue 25 (DB-1, DB-2) on SQLite and on PostgreSQL: the register of investment projects —
//! a МИЖ generated once, financing and objects, refusals naming the field and the row, a
//! stale change refused, rights by organisation — and an organisation's contracts and plan
//! points from the fake procurement portal: pages chained by `next_page` behind a BOM with
//! sums as integers and decimals read to the tiyn, a page with a bad item or a broken
//! `next_page` refused whole, a load resumed from the last page stored, a repeated load
//! changing nothing, and a contract linked to its project.

use crate::app::{Engine, TestApp, spawn};
use crate::execution::get_json;
use crate::story::send_json;
use jospar_goszakup::Kind;
use jospar_store::on_db;
use serde_json::{Value, json};

#[tokio::test]
async fn development_budget_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    development_budget(&app).await;
}

#[tokio::test]
async fn development_budget_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    development_budget(&app).await;
}

/// A school project of the oblast's education administrator.
pub fn project_body(admin_org_id: i64) -> Value {
    json!({
        "name_ru": "Строительство школы на 600 мест в г. Актау",
        "name_kk": "Ақтау қаласында 600 орындық мектеп салу",
        "admin_org_id": admin_org_id,
        "program": "032",
        "subprogram": "015",
        "sphere": "education",
        "kind": "construction",
        "state": "in_progress",
        "kato": "471010000",
        "starts_on": "2027-03-01",
        "ends_on": "2028-12-31",
        "total_cost_tiyn": 500_000_000_000_i64,
        "financing": [
            {"year": 2027, "source": "republican", "amount_tiyn": 300_000_000_000_i64},
            {"year": 2027, "source": "local", "amount_tiyn": 100_000_000_000_i64}
        ],
        "objects": [
            {"name_ru": "Здание школы", "name_kk": "Мектеп ғимараты", "kato": "471010000", "cost_tiyn": 450_000_000_000_i64}
        ]
    })
}

fn contract(id: i64, bin: &str, sum: &str) -> String {
    format!(
        r#"{{"id": {id}, "parent_id": 0, "root_id": {id}, "trd_buy_number_anno": "{id}-1", "trd_buy_name_ru": "Строительство школы, этап {id}", "ref_amendm_agreem_justif_id": [0], "ref_contract_status_id": 190, "deleted": 0, "supplier_biin": "930340000390", "contract_number": "{id}", "customer_bin": "{bin}", "contract_number_sys": "{bin}/{id}/00", "fin_year": 2027, "contract_sum": {sum}, "contract_sum_wnds": {sum}, "fakt_sum_wnds": 0, "sign_date": "2027-02-10 08:50:14", "last_update_date": "2027-02-10 09:50:29"}}"#
    )
}

fn plan_point(id: i64, bin: &str) -> String {
    format!(
        r#"{{"id": {id}, "rootrecord_id": {id}, "subject_biin": "{bin}", "name_ru": "Компьютер", "ref_units_code": "839", "count": 2, "price": 250000.5, "amount": 500001, "ref_months_id": 5, "pln_point_year": 2027, "ref_enstru_code": "262013.000.000011", "ref_finsource_id": 1, "ref_abp_code": 261, "ref_amendm_agreem_justif_id": 0, "is_active": 1}}"#
    )
}

async fn contract_sums(app: &TestApp, bin: &str) -> Vec<(i64, i64)> {
    on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, sum FROM procurement_contracts WHERE customer_bin = $1 ORDER BY id")
        .bind(bin).fetch_all(pool).await)
    .expect("contracts")
}

async fn development_budget(app: &TestApp) {
    let abp = app.token("abp.edu").await;
    let head = app.token("head.school5").await;
    let economist = app.token("economist.school5").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let health = app
        .org_id("Управление здравоохранения Мангистауской области")
        .await;

    // A project: its МИЖ is the first year and its number.
    let (status, project) =
        send_json(app, "post", "/investment-projects", &abp, project_body(edu)).await;
    assert_eq!(status, 201, "{project}");
    let code = project["code"].as_str().expect("code").to_string();
    assert_eq!(code, "2027000001");
    let id = project["id"].as_i64().expect("id");
    let (_, second) = send_json(app, "post", "/investment-projects", &abp, project_body(edu)).await;
    assert_eq!(second["code"], "2027000002");
    // Refusals name the field, a table's row by its number.
    let mut twice = project_body(edu);
    twice["financing"][1]["source"] = json!("republican");
    let (status, refused) =
        send_json(app, "post", "/investment-projects?lang=ru", &abp, twice).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("financing[2]")),
        "{refused}"
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or("")
            .contains("Финансирование, строка 2"),
        "{refused}"
    );
    let mut over = project_body(edu);
    over["total_cost_tiyn"] = json!(1);
    let (status, refused) = send_json(app, "post", "/investment-projects", &abp, over).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("financing")),
        "{refused}"
    );
    // Rights by organisation: a head has no enter right, an economist of a school none on
    // the administrator, and the administrator of education none on health.
    for (token, org) in [(&head, edu), (&economist, edu), (&abp, health)] {
        let (status, _) = send_json(
            app,
            "post",
            "/investment-projects",
            token,
            project_body(org),
        )
        .await;
        assert_eq!(status, 403);
    }
    assert_eq!(
        get_json(app, &economist, &format!("/investment-projects/{id}"))
            .await
            .0,
        403
    );

    // A change keeps the МИЖ; a change as of an older version is refused.
    let mut changed = project_body(edu);
    changed["state"] = json!("suspended");
    let (status, saved) = send_json(
        app,
        "put",
        &format!("/investment-projects/{id}"),
        &abp,
        json!({"version": 1, "project": changed, "reason": "приостановлен подрядчиком"}),
    )
    .await;
    assert_eq!(
        (status, saved["code"].as_str(), saved["version"].as_i64()),
        (200, Some(code.as_str()), Some(2)),
        "{saved}"
    );
    let (status, _) = send_json(
        app,
        "put",
        &format!("/investment-projects/{id}"),
        &abp,
        json!({"version": 1, "project": project_body(edu), "reason": null}),
    )
    .await;
    assert_eq!(status, 409);
    let (_, listed) = get_json(app, &abp, "/investment-projects?state=suspended").await;
    assert_eq!(listed["total"], 1, "{listed}");
    let (_, found) = get_json(app, &abp, "/investment-projects?q=2027000002").await;
    assert_eq!(found["projects"][0]["code"], "2027000002");

    // The procurement portal: five contracts of the administrator, two a page.
    let bin = jospar_org::repo::get_org(&app.db, edu)
        .await
        .expect("q")
        .expect("org")
        .bin
        .expect("a BIN");
    for (n, sum) in [
        (101, "124955.36"),
        (102, "139950"),
        (103, "1"),
        (104, "2.5"),
        (105, "100000000"),
    ] {
        app.goszakup
            .put(Kind::Contracts, &bin, &contract(n, &bin, sum));
    }
    let load = format!("/procurement/{edu}/load/contracts");
    let (status, outcome) = send_json(app, "post", &load, &abp, Value::Null).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(
        (
            outcome["pages"].as_i64(),
            outcome["items"].as_i64(),
            outcome["finished"].as_bool()
        ),
        (Some(3), Some(5), Some(true)),
        "{outcome}"
    );
    let expected = vec![
        (101, 12_495_536),
        (102, 13_995_000),
        (103, 100),
        (104, 250),
        (105, 10_000_000_000),
    ];
    assert_eq!(contract_sums(app, &bin).await, expected);
    // A repeated load reads the list again from its start and changes nothing.
    let (_, again) = send_json(app, "post", &load, &abp, Value::Null).await;
    assert_eq!(again["items"], 5);
    assert_eq!(contract_sums(app, &bin).await, expected);

    // A page with a bad item is refused whole and the load stops there; the next load
    // resumes from that page.
    app.goszakup
        .put(Kind::Contracts, &bin, &contract(106, &bin, "1.005"));
    app.goszakup
        .put(Kind::Contracts, &bin, &contract(107, &bin, "7"));
    let (_, stopped) = send_json(app, "post", &load, &abp, Value::Null).await;
    assert_eq!(stopped["finished"], false, "{stopped}");
    assert!(
        stopped["problem"]
            .as_str()
            .unwrap_or("")
            .contains("item 2 (id 106), field contract_sum"),
        "{stopped}"
    );
    assert_eq!(
        contract_sums(app, &bin).await.len(),
        5,
        "nothing of the bad page"
    );
    let asked_before = app.goszakup.server().received().len();
    app.goszakup
        .put(Kind::Contracts, &bin, &contract(106, &bin, "1.01"));
    let (_, resumed) = send_json(app, "post", &load, &abp, Value::Null).await;
    assert_eq!(
        (resumed["pages"].as_i64(), resumed["finished"].as_bool()),
        (Some(2), Some(true)),
        "{resumed}"
    );
    // The pages of the list asked (each contract's units are asked beside them).
    let received: Vec<String> = app.goszakup.server().received()[asked_before..]
        .iter()
        .map(|r| r.path.clone())
        .filter(|path| !path.contains("/units"))
        .collect();
    assert_eq!(received.len(), 2, "{received:?}");
    assert!(received[0].contains("search_after=104"), "{}", received[0]);
    assert_eq!(contract_sums(app, &bin).await.len(), 7);

    // Plan points: a page whose next_page is no path is refused whole.
    for n in [201, 202, 203] {
        app.goszakup.put(Kind::Plans, &bin, &plan_point(n, &bin));
    }
    app.goszakup.break_next_page(Kind::Plans, &bin);
    let (_, broken) = send_json(
        app,
        "post",
        &format!("/procurement/{edu}/load/plans"),
        &abp,
        Value::Null,
    )
    .await;
    assert_eq!(broken["pages"], 0, "{broken}");
    assert!(
        broken["problem"]
            .as_str()
            .unwrap_or("")
            .contains("next_page"),
        "{broken}"
    );
    let (_, points) = get_json(app, &abp, &format!("/procurement/{edu}/plans")).await;
    assert_eq!(points["total"], 0);
    // The same page saved as a file, without a next page, is imported.
    let page = format!(
        "\u{feff}{{\"total\": 1, \"limit\": 500, \"next_page\": \"\", \"items\": [{}]}}",
        plan_point(201, &bin)
    );
    let imported = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/procurement/{edu}/import/plans")))
        .bearer_auth(&abp)
        .header("content-type", "application/json")
        .body(page)
        .send()
        .await
        .expect("import");
    assert_eq!(imported.status(), 200);
    let (_, points) = get_json(app, &abp, &format!("/procurement/{edu}/plans")).await;
    assert_eq!(
        (
            points["total"].as_i64(),
            points["points"][0]["price"].as_i64()
        ),
        (Some(1), Some(25_000_050))
    );

    // A contract linked to its project, seen from the project.
    let (status, _) = send_json(
        app,
        "put",
        &format!("/procurement/{edu}/contracts/101/project"),
        &abp,
        json!({"project_id": id}),
    )
    .await;
    assert_eq!(status, 204);
    let (_, view) = get_json(app, &abp, &format!("/investment-projects/{id}")).await;
    assert_eq!(view["contracts"][0]["id"], 101, "{view}");
    // The link survives a new load of the contracts.
    send_json(app, "post", &load, &abp, Value::Null).await;
    let (_, view) = get_json(app, &abp, &format!("/investment-projects/{id}")).await;
    assert_eq!(view["contracts"].as_array().map(Vec::len), Some(1));
    let (status, _) = send_json(
        app,
        "put",
        &format!("/procurement/{edu}/contracts/101/project"),
        &abp,
        json!({"project_id": 1}),
    )
    .await;
    assert_eq!(status, 422);
    let audited: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity IN ('investment_project', 'procurement_page', 'procurement_contract')")
        .fetch_one(pool).await)
    .expect("audit");
    assert!(audited >= 8, "{audited}");

    // Report 8: the list of the projects from the register, with a year's financing by
    // source and their totals; only the projects the reader may read.
    let (status, report) = get_json(
        app,
        &abp,
        "/reports/investment-projects?year=2027&format=json",
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{report}");
    let total = report["total"].as_array().expect("a total row");
    let amounts: Vec<&Value> = total[total.len() - 3..].iter().collect();
    assert_eq!(
        amounts,
        [
            &json!(1_000_000_000_000_i64),
            &json!(600_000_000_000_i64),
            &json!(200_000_000_000_i64)
        ],
        "{report}"
    );
    let (_, none) = get_json(app, &economist, "/reports/investment-projects?format=json").await;
    assert_eq!(none["rows"].as_array().map(Vec::len), Some(0), "{none}");
    let (status, refused) = get_json(
        app,
        &abp,
        "/reports/investment-projects?state=dreaming&format=json",
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    for format in ["xlsx", "pdf"] {
        let response = reqwest::Client::new()
            .get(app.url(&format!(
                "/api/v1/reports/investment-projects?year=2027&format={format}&lang=kk"
            )))
            .bearer_auth(&abp)
            .send()
            .await
            .expect("report");
        assert_eq!(response.status(), 200, "{format}");
    }

    // The pages, in both languages.
    let browser = app.signed_in("abp.edu").await;
    for (lang, text) in [
        ("ru", "Инвестиционные проекты"),
        ("kk", "Инвестициялық жобалар"),
    ] {
        for path in [
            "/investment-projects",
            &format!("/investment-projects/{id}"),
            &format!("/procurement?org={edu}"),
        ] {
            let response = browser
                .get(app.url(&format!(
                    "{path}{}lang={lang}",
                    if path.contains('?') { "&" } else { "?" }
                )))
                .send()
                .await
                .expect("page");
            assert_eq!(response.status(), 200, "{path}");
            let html = response.text().await.expect("text");
            assert!(html.contains(text), "{lang} {path}");
            assert!(
                html.contains(&code) || path.starts_with("/procurement"),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn form_409_and_the_comparisons_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    form_409_and_the_comparisons(&app).await;
}

#[tokio::test]
async fn form_409_and_the_comparisons_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    form_409_and_the_comparisons(&app).await;
}

/// Form 4-09 of the development budget as the API takes it: the status and the answer.
async fn post_409(app: &TestApp, token: &str, org: i64, csv: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!(
            "/api/v1/investment-projects/form-409?org={org}&date=2027-04-01&lang=ru"
        )))
        .bearer_auth(token)
        .body(csv.to_string())
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Form 4-09 with the project of each contract: two contracts of a registered project (`code`)
/// paid from the transfer's subprogram 011 and the local 015, and one of a project named
/// only, registered by the load.
fn form_409(code: &str) -> String {
    format!(
        "Детали периодических обязательств (форма 4-09) на 01.04.2027;;;;;;;;;;;\n\
         АБП;Программа;Подпрограмма;Специфика;Номер договора;Дата договора;БИН поставщика;Сумма договора;Сумма обязательства на текущий год;Оплачено;Код проекта (МИЖ);Наименование проекта\n\
         261;032;011;431;№ 1-СМР/2027;15.01.2027;080540012345;2 000 000 000,00;1 500 000 000,00;600 000 000,50;{code};\n\
         261;032;015;431;№ 2-СМР/2027;16.01.2027;080540012345;500 000 000,00;400 000 000,00;100 000 000,00;{code};\n\
         261;032;015;431;№ 3-ТН/2027;20.02.2027;080540099999;10 000 000,00;10 000 000,00;2 500 000,25;;Технический надзор за строительством детского сада\n\
         Итого;;;;;;;2 510 000 000,00;1 910 000 000,00;702 500 000,75;;\n"
    )
}

/// A Treasury form of the organisation at 1 April 2027 imported through the API: its id.
async fn import_treasury(app: &TestApp, token: &str, org: i64, form: &str, csv: &str) -> i64 {
    let at = crate::execution::FormAt {
        form,
        org,
        date: "2027-04-01",
        file_name: None,
    };
    let (status, imported) = crate::execution::post_treasury(app, token, at, csv.to_string()).await;
    assert_eq!(status, 201, "{form}: {imported}");
    imported["id"].as_i64().expect("id")
}

/// How many changes of 4-09 contracts the audit log holds.
async fn contract_audits(app: &TestApp) -> i64 {
    on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'treasury_contract'")
        .fetch_one(pool).await)
    .expect("audit")
}

/// A report of the catalogue as JSON, and its row of the project `code`.
async fn project_row(app: &TestApp, token: &str, path: &str, code: &str) -> (Value, Value) {
    let (status, report) = get_json(app, token, path).await;
    assert_eq!(status, 200, "{path}: {report}");
    let row = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[0] == json!(code))
        .cloned()
        .unwrap_or_else(|| panic!("{path}: no row of {code}: {report}"));
    (report, row)
}

/// The amounts (tiyn) of a report's row from column `from` on.
fn amounts(row: &Value, from: usize) -> Vec<i64> {
    row.as_array().expect("row")[from..]
        .iter()
        .filter_map(Value::as_i64)
        .collect()
}

/// DB-3, DB-1, DB-4: form 4-09 creates the contracts and the project named only, all or
/// nothing, and again changes nothing; the transfers and absorption follow each project; the
/// contracts' payments are set against 5-52 by code and the register against 1-27, every
/// difference listed.
async fn form_409_and_the_comparisons(app: &TestApp) {
    let abp = app.token("abp.edu").await;
    let economist = app.token("economist.school5").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let (status, project) =
        send_json(app, "post", "/investment-projects", &abp, project_body(edu)).await;
    assert_eq!(status, 201, "{project}");
    let code = project["code"].as_str().expect("code").to_string();
    let id = project["id"].as_i64().expect("id");

    // Refused whole: an unknown МИЖ names its row; no right on the administrator.
    let unknown = form_409(&code).replace(
        &format!(";{code};\n261;032;015"),
        ";2027999999;\n261;032;015",
    );
    let (status, refused) = post_409(app, &abp, edu, &unknown).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["field"], "row 3, Код проекта (МИЖ)", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or("")
            .contains("2027999999"),
        "{refused}"
    );
    let (status, _) = post_409(app, &economist, edu, &form_409(&code)).await;
    assert_eq!(status, 403);
    let (_, view) = get_json(app, &abp, &format!("/investment-projects/{id}")).await;
    assert_eq!(
        view["treasury_contracts"],
        json!([]),
        "nothing written: {view}"
    );

    // Loaded: three contracts, a project registered; loaded again, nothing changes.
    let (status, first) = post_409(app, &abp, edu, &form_409(&code)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["contracts_created"], 3, "{first}");
    let created = first["projects_created"].as_array().expect("codes").clone();
    assert_eq!(created.len(), 1, "{first}");
    let audited = contract_audits(app).await;
    let (_, again) = post_409(app, &abp, edu, &form_409(&code)).await;
    assert_eq!(
        (
            &again["contracts_created"],
            &again["contracts_changed"],
            &again["contracts_unchanged"],
            &again["projects_created"]
        ),
        (&json!(0), &json!(0), &json!(3), &json!([])),
        "{again}"
    );
    assert_eq!(
        contract_audits(app).await,
        audited,
        "a repeated load is not audited"
    );
    let (_, view) = get_json(app, &abp, &format!("/investment-projects/{id}")).await;
    let contracts = view["treasury_contracts"].as_array().expect("contracts");
    assert_eq!(contracts.len(), 2, "{view}");
    assert_eq!(contracts[0]["paid"], 60_000_000_050_i64, "{view}");
    // A payment changed is a contract changed, audited old → new.
    let paid_more = form_409(&code).replace(
        &format!("100 000 000,00;{code};"),
        &format!("150 000 000,00;{code};"),
    );
    let paid_more = paid_more.replace("702 500 000,75", "752 500 000,75");
    let (_, changed) = post_409(app, &abp, edu, &paid_more).await;
    assert_eq!(changed["contracts_changed"], 1, "{changed}");
    assert_eq!(contract_audits(app).await, audited + 1);
    let (_, back) = post_409(app, &abp, edu, &form_409(&code)).await;
    assert_eq!(back["contracts_changed"], 1, "{back}");

    // The transfers: planned 3 000 000 000 from the republic and 1 000 000 000 locally;
    // contracted 1 900 000 000; paid 600 000 000,50 from the transfer (subprogram 011) and
    // 100 000 000 locally; the transfer's rest 2 399 999 999,50, not yet due (2027 is on).
    let (report, row) = project_row(
        app,
        &abp,
        "/reports/development-transfers?year=2027&format=json",
        &code,
    )
    .await;
    assert_eq!(
        amounts(&row, 3),
        [
            300_000_000_000,
            100_000_000_000,
            190_000_000_000,
            60_000_000_050,
            10_000_000_000,
            239_999_999_950,
            0
        ],
        "{report}"
    );
    let (absorption, row) = project_row(
        app,
        &abp,
        "/reports/development-absorption?year=2027&format=json",
        &code,
    )
    .await;
    assert_eq!(row[7], "47,5 %", "{absorption}");
    assert_eq!(row[8], "17,5 %", "{absorption}");
    // Appendix 2 of the local development budget (a layout kept as data): by source.
    let (appendix, row) = project_row(
        app,
        &abp,
        "/reports/development-appendix?n=2&year=2027&format=json&lang=kk",
        &code,
    )
    .await;
    assert_eq!(
        amounts(&row, 2),
        [
            300_000_000_000,
            60_000_000_050,
            239_999_999_950,
            0,
            100_000_000_000,
            10_000_000_000
        ],
        "{appendix}"
    );
    assert!(
        appendix["title"].as_str().unwrap_or("").contains("2027"),
        "{appendix}"
    );
    let (status, _) = get_json(app, &abp, "/reports/development-appendix?n=4&format=json").await;
    assert_eq!(status, 422);

    // By sphere: the school (education) and the project the load registered (other).
    let (status, by) = get_json(
        app,
        &abp,
        "/reports/development-projects-by?year=2027&by=sphere&format=json&lang=ru",
    )
    .await;
    assert_eq!(status, 200, "{by}");
    let groups: Vec<(Value, Value, i64)> = by["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[5].as_i64().unwrap_or(-1)))
        .collect();
    assert!(
        groups.contains(&(json!("Образование"), json!("1"), 70_000_000_050))
            && groups.contains(&(json!("Прочее"), json!("1"), 250_000_025)),
        "{by}"
    );
    let (status, _) = get_json(
        app,
        &abp,
        "/reports/development-projects-by?by=colour&format=json",
    )
    .await;
    assert_eq!(status, 422);
    let (_, nothing) = get_json(
        app,
        &economist,
        "/reports/development-transfers?year=2027&format=json",
    )
    .await;
    assert_eq!(nothing["rows"], json!([]), "{nothing}");

    // 5-52: the contracts paid 102 500 000,25 on 032/015/431, the form says 100 000 000; on
    // 032/015/414 the form pays 1 000 000 with no contract; 032/011/431 agrees.
    let f552 = "Форма 5-52 на 01.04.2027\n\
                АБП;Программа;Подпрограмма;Специфика;План на год;План на период;Кассовые расходы\n\
                261;032;011;431;3 000 000 000,00;1 000 000 000,00;600 000 000,50\n\
                261;032;015;431;1 000 000 000,00;500 000 000,00;100 000 000,00\n\
                261;032;015;414;5 000 000,00;5 000 000,00;1 000 000,00\n";
    let f552_id = import_treasury(app, &abp, edu, "5-52", f552).await;
    let (status, check) = get_json(
        app,
        &abp,
        &format!("/reports/development-552?f552={f552_id}&failures=1&format=json"),
    )
    .await;
    assert_eq!(status, 200, "{check}");
    let rows = check["rows"].as_array().expect("rows");
    let differences: Vec<(Value, Vec<i64>)> =
        rows.iter().map(|r| (r[3].clone(), amounts(r, 5))).collect();
    assert_eq!(
        differences,
        [
            (json!("414"), vec![0, 100_000_000, -100_000_000]),
            (
                json!("431"),
                vec![10_250_000_025, 10_000_000_000, 250_000_025]
            ),
        ],
        "{check}"
    );
    let (_, all) = get_json(
        app,
        &abp,
        &format!("/reports/development-552?f552={f552_id}&format=json"),
    )
    .await;
    assert_eq!(all["rows"].as_array().map(Vec::len), Some(3), "{all}");

    // 1-27: program 032/015 holds both projects: 4 000 000 000 planned, 702 500 000,75
    // paid; the form's corrected budget 3 900 000 000 differs, its cash agrees.
    let f127 = "Форма 1-27 на 01.04.2027\n\
                АБП;Программа;Подпрограмма;Наименование;Утвержденный бюджет;Уточненный бюджет;Скорректированный бюджет;План на период;Кассовые расходы\n\
                261;032;015;Строительство объектов образования;3 900 000 000,00;3 900 000 000,00;3 900 000 000,00;1 000 000 000,00;702 500 000,75\n";
    let f127_id = import_treasury(app, &abp, edu, "1-27", f127).await;
    let (status, check) = get_json(
        app,
        &abp,
        &format!("/reports/development-127?f127={f127_id}&format=json&lang=ru"),
    )
    .await;
    assert_eq!(status, 200, "{check}");
    let rows = check["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{check}");
    assert_eq!(
        amounts(&rows[0], 4),
        [
            400_000_000_000,
            390_000_000_000,
            70_250_000_075,
            70_250_000_075
        ],
        "{check}"
    );
    assert_eq!(rows[0][8], "расхождение", "{check}");
    let listed = rows[0][3].as_str().unwrap_or("");
    assert!(
        listed.contains(&code) && listed.contains(created[0].as_str().unwrap_or("?")),
        "{check}"
    );

    // The page: the load form, and a load refused on it keeps the list.
    let browser = app.signed_in("abp.edu").await;
    for (lang, text) in [
        ("ru", "Загрузить форму 4-09"),
        ("kk", "4-09 нысанын жүктеу"),
    ] {
        let html = browser
            .get(app.url(&format!("/investment-projects?lang={lang}")))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("text");
        assert!(html.contains(text), "{lang}");
    }
}

/// A unit of a contract under a plan point.
fn unit(id: i64, point: i64, with_vat: &str, paid: &str) -> String {
    format!(
        r#"{{"id": {id}, "pln_point_id": {point}, "quantity": 1, "total_sum": {with_vat}, "total_sum_wnds": {with_vat}, "fact_sum_wnds": {paid}, "deleted": 0}}"#
    )
}

/// P-14, DB-2: the first line of school 5's approved financing plan (from `request`) followed
/// to payment. The school's plan point is linked to the line's expense identifier (another
/// identifier refused, naming the field); a contract whose units do not add up to its sum
/// refuses its page of the portal, naming the contract; loaded with its units, the trace shows
/// each stage's amount: the request line and the approved budget, the plan point, the unit
/// under it and what was paid.
pub async fn expense_trace(app: &TestApp, request: i64) {
    let economist = app.token("economist.school5").await;
    let abp = app.token("abp.edu").await;
    let (_, plans) = get_json(app, &economist, "/financing-plans").await;
    let plan_id = plans
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["year"] == json!(2027))
        .and_then(|p| p["id"].as_i64())
        .expect("the school's plan of 2027");
    let (_, plan) = get_json(app, &economist, &format!("/financing-plans/{plan_id}")).await;
    assert_eq!(plan["plan"]["request_id"], json!(request), "{plan}");
    let line = &plan["plan"]["lines"][0];
    let expense = line["expense_id"].as_i64().expect("expense id");
    let approved = line["approved"].as_i64().expect("approved");
    let school = plan["plan"]["org_id"].as_i64().expect("org");
    let bin = jospar_org::repo::get_org(&app.db, school)
        .await
        .expect("org")
        .and_then(|o| o.bin)
        .expect("the school's BIN");

    // The approved budget by expense identifier, as the procurement side gets it.
    let (status, budget) = get_json(
        app,
        &economist,
        &format!("/procurement/{school}/approved-budget?year=2027"),
    )
    .await;
    assert_eq!(status, 200, "{budget}");
    assert!(
        budget
            .as_array()
            .expect("lines")
            .iter()
            .any(|l| l["expense_id"] == json!(expense) && l["approved_tiyn"] == json!(approved)),
        "{budget}"
    );

    // The school's plan point and a contract with a unit under it and one under another.
    let point = 77_000_001;
    app.goszakup.put(
        Kind::Plans,
        &bin,
        &format!(
            r#"{{"id": {point}, "subject_biin": "{bin}", "name_ru": "Учебники", "count": 1, "price": 300000, "amount": 300000, "pln_point_year": 2027, "ref_amendm_agreem_justif_id": 0}}"#
        ),
    );
    app.goszakup.put(
        Kind::Contracts,
        &bin,
        &contract(88_000_001, &bin, "280000.5"),
    );
    app.goszakup
        .put_unit(88_000_001, &unit(1, point, "250000.5", "100000.25"));
    app.goszakup
        .put_unit(88_000_001, &unit(2, 77_000_009, "20000", "0"));
    let (status, loaded) = send_json(
        app,
        "post",
        &format!("/procurement/{school}/load/plans"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, &loaded["finished"]),
        (200, &json!(true)),
        "{loaded}"
    );
    let (_, refused) = send_json(
        app,
        "post",
        &format!("/procurement/{school}/load/contracts"),
        &economist,
        Value::Null,
    )
    .await;
    let problem = refused["problem"].as_str().unwrap_or("");
    assert!(
        problem.contains("contract 88000001") && problem.contains("contract_sum_wnds"),
        "{refused}"
    );
    let (_, none) = get_json(app, &economist, &format!("/procurement/{school}/contracts")).await;
    assert_eq!(none["total"], 0, "the refused page is not stored: {none}");
    app.goszakup
        .put_unit(88_000_001, &unit(2, 77_000_009, "30000", "0"));
    let (_, loaded) = send_json(
        app,
        "post",
        &format!("/procurement/{school}/load/contracts"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(loaded["finished"], true, "{loaded}");

    // The plan point carries the expense identifier of the school's plan line.
    let (status, refused) = send_json(
        app,
        "put",
        &format!("/procurement/{school}/plans/{point}/expense"),
        &economist,
        json!({"expense_id": 999}),
    )
    .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("expense_id")),
        "{refused}"
    );
    let (status, _) = send_json(
        app,
        "put",
        &format!("/procurement/{school}/plans/{point}/expense"),
        &abp,
        json!({"expense_id": expense}),
    )
    .await;
    assert_eq!(status, 204);

    let (status, trace) = get_json(
        app,
        &economist,
        &format!("/reports/expense-trace?expense={expense}&year=2027&format=json&lang=ru"),
    )
    .await;
    assert_eq!(status, 200, "{trace}");
    let amounts: Vec<i64> = trace["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r[2].as_i64().expect("amount"))
        .collect();
    assert_eq!(amounts.len(), 6, "{trace}");
    assert_eq!(amounts[1], approved, "{trace}");
    assert_eq!(
        amounts[3..],
        [30_000_000, 25_000_050, 10_000_025],
        "{trace}"
    );
    let (status, _) = get_json(
        app,
        &app.token("economist.school5").await,
        "/reports/expense-trace?expense=424242&year=2027&format=json",
    )
    .await;
    assert_eq!(status, 404, "an identifier nothing holds");

    // The matching: the contract's second unit is under a plan point not loaded.
    let (status, matching) = get_json(
        app,
        &economist,
        &format!("/reports/procurement-matching?org={school}&year=2027&format=json&lang=ru"),
    )
    .await;
    assert_eq!(status, 200, "{matching}");
    assert_eq!(
        matching["rows"][0][5], "пункт плана предмета не загружен",
        "{matching}"
    );
    assert!(
        matching["footer"][0]
            .as_str()
            .unwrap_or("")
            .starts_with("Не сопоставлено: 1 из 1 договоров (100,0 %)"),
        "{matching}"
    );
}
