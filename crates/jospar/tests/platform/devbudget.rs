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
    let received = app.goszakup.server().received();
    assert_eq!(received.len(), asked_before + 2);
    assert!(
        received[asked_before].path.contains("search_after=104"),
        "{}",
        received[asked_before].path
    );
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
