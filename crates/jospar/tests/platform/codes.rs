//! Issue 23 (P-15): requests to open or close classification codes, on SQLite and on
//! PostgreSQL — the education administrator asks, the refusals name their field (a code that
//! exists, one under another administrator, a second request for the same code, a refusal
//! without its reason), the request waits on the planner's start page with its deadline in
//! working days, the approval opens the code in the year's classification and issues order
//! No. 1 (XLSX and PDF), closing the program takes its subprogram with it under order No. 2,
//! and every step is in the audit log.

use crate::app::{Engine, TestApp, spawn};
use crate::execution::get_json;
use crate::story::send_json;
use jospar_classification::CodeKind;
use serde_json::{Value, json};

const YEAR: i32 = 2026;

#[tokio::test]
async fn code_requests_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    code_requests(&app).await;
}

#[tokio::test]
async fn code_requests_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    code_requests(&app).await;
}

fn ask(org: i64, action: &str, code: &str) -> Value {
    json!({"org_id": org, "year": YEAR, "action": action, "code": code,
           "name_ru": "За счет трансфертов из республиканского бюджета",
           "name_kk": "Республикалық бюджеттен берілетін трансферттер есебінен",
           "reason": "Трансферты учитываются отдельно"})
}

async fn code_exists(app: &TestApp, kind: CodeKind, code: &str) -> bool {
    jospar_classification::repo::get(&app.db, YEAR, kind, code)
        .await
        .expect("code")
        .is_some()
}

/// The field a refused call names, with its status.
async fn refused_field(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, String) {
    let (status, answer) = send_json(app, "post", path, token, body).await;
    (
        status,
        answer["field"].as_str().unwrap_or_default().to_string(),
    )
}

async fn code_requests(app: &TestApp) {
    let abp = app.token("abp.edu").await;
    let planner = app.token("planner").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let health = app
        .org_id("Управление здравоохранения Мангистауской области")
        .await;

    // What cannot be asked is refused, naming the field.
    for (body, field) in [
        (ask(edu, "open", "261 003"), "code"),     // the program exists
        (ask(edu, "open", "253 003 011"), "code"), // another administrator's code
        (ask(edu, "close", "261 003 099"), "code"), // nothing to close
        (ask(edu, "open", "261 03"), "code"),      // not a code
        (ask(edu, "rename", "261 003 011"), "action"),
        (
            json!({"org_id": edu, "year": YEAR, "action": "open", "code": "261003011",
                "name_ru": "Подпрограмма", "name_kk": "", "reason": "x"}),
            "name_kk",
        ),
    ] {
        assert_eq!(
            refused_field(app, &abp, "/code-requests", body.clone()).await,
            (422, field.to_string()),
            "{body}"
        );
    }
    // A request for another administrator is not the education administrator's to make.
    let (status, _) = send_json(
        app,
        "post",
        "/code-requests",
        &abp,
        ask(health, "open", "253 003 011"),
    )
    .await;
    assert_eq!(status, 403);

    // Typed without spaces, the subprogram is read as "261 003 011" and sent at once.
    let (status, asked) = send_json(
        app,
        "post",
        "/code-requests",
        &abp,
        ask(edu, "open", "261003011"),
    )
    .await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!(asked["code"], "261 003 011");
    assert_eq!(asked["kind"], "subprogram");
    assert_eq!(asked["status"], "sent");
    let id = asked["id"].as_i64().expect("id");
    assert_eq!(
        refused_field(app, &abp, "/code-requests", ask(edu, "open", "261 003 011")).await,
        (422, "code".to_string()),
        "a second request for a code under review"
    );

    // It waits on the planner's start page with its deadline in working days.
    let due = app
        .db
        .working_calendar()
        .await
        .expect("calendar")
        .add_working_days(
            chrono::DateTime::parse_from_rfc3339(asked["created_at"].as_str().expect("created"))
                .expect("date")
                .date_naive(),
            jospar_planning::code_requests::DECISION_DAYS,
        )
        .format("%d.%m.%Y")
        .to_string();
    let page = app.signed_in("planner").await;
    let home = page
        .get(app.url("/?lang=kk"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    let budget = home
        .split("id=\"home-budget\"")
        .nth(1)
        .expect("budget section");
    assert!(
        budget.contains("261 003 011") && budget.contains(&due),
        "{budget}"
    );

    // The administrator does not decide; a refusal needs its reason.
    let decision = format!("/code-requests/{id}/decision");
    let (status, _) = send_json(
        app,
        "post",
        &decision,
        &abp,
        json!({"version": 1, "approve": true}),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        refused_field(
            app,
            &planner,
            &decision,
            json!({"version": 1, "approve": false})
        )
        .await,
        (422, "reason".to_string())
    );
    assert!(!code_exists(app, CodeKind::Subprogram, "261 003 011").await);

    // Approved: the code opens in the year's classification and order No. 1 is issued.
    let (status, approved) = send_json(
        app,
        "post",
        &decision,
        &planner,
        json!({"version": 1, "approve": true}),
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["order_number"], 1);
    let opened =
        jospar_classification::repo::get(&app.db, YEAR, CodeKind::Subprogram, "261 003 011")
            .await
            .expect("code")
            .expect("opened");
    assert_eq!(opened.parent_code.as_deref(), Some("261 003"));
    assert_eq!(
        opened.name_kk.as_deref(),
        Some("Республикалық бюджеттен берілетін трансферттер есебінен")
    );
    let (status, _) = send_json(
        app,
        "post",
        &decision,
        &planner,
        json!({"version": 2, "approve": true}),
    )
    .await;
    assert_eq!(status, 422, "decided once");

    let order_path = format!("/reports/code-order?code_request={id}");
    let (status, order) = get_json(app, &planner, &format!("{order_path}&lang=ru")).await;
    assert_eq!(status, 200, "{order}");
    let today = chrono::Utc::now()
        .date_naive()
        .format("%d.%m.%Y")
        .to_string();
    assert_eq!(order["number"][0], format!("Приказ № 1 от {today}"));
    let rows = order["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "Открыть");
    assert_eq!(rows[0][2], "261 003 011");
    for (format, magic) in [("xlsx", &b"PK"[..]), ("pdf", &b"%PDF"[..])] {
        let bytes = reqwest::Client::new()
            .get(app.url(&format!("/api/v1{order_path}&format={format}&lang=kk")))
            .bearer_auth(&planner)
            .send()
            .await
            .expect("order file")
            .bytes()
            .await
            .expect("bytes");
        assert!(bytes.starts_with(magic), "{format}");
    }
    // Another administrator's economist does not see the request or its order.
    let health_abp = app.token("abp.health").await;
    let (status, _) = get_json(app, &health_abp, &order_path).await;
    assert_eq!(status, 403);

    // Closing the program takes its new subprogram with it, under order No. 2.
    let (status, close) = send_json(
        app,
        "post",
        "/code-requests",
        &abp,
        ask(edu, "close", "261 003"),
    )
    .await;
    assert_eq!(status, 201, "{close}");
    assert_eq!(
        close["name_ru"], "Общеобразовательное обучение",
        "named from the classification"
    );
    let close_id = close["id"].as_i64().expect("id");
    let (status, closed) = send_json(
        app,
        "post",
        &format!("/code-requests/{close_id}/decision"),
        &planner,
        json!({"version": 1, "approve": true}),
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["order_number"], 2);
    assert_eq!(closed["closed_with"][0]["code"], "261 003 011");
    assert!(!code_exists(app, CodeKind::Program, "261 003").await);
    assert!(!code_exists(app, CodeKind::Subprogram, "261 003 011").await);
    let (_, order) = get_json(
        app,
        &planner,
        &format!("/reports/code-order?code_request={close_id}&lang=ru"),
    )
    .await;
    let codes: Vec<&str> = order["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r[2].as_str().unwrap_or_default())
        .collect();
    assert_eq!(codes, ["261 003", "261 003 011"]);

    // The search box finds the request by its code typed without spaces, within the rights.
    let found_by = |token: String| async move {
        let (status, found) = get_json(app, &token, "/search?q=261003011").await;
        assert_eq!(status, 200, "{found}");
        found
            .as_array()
            .expect("groups")
            .iter()
            .find(|g| g["kind"] == "code_requests")
            .map(|g| {
                g["hits"][0]["link"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
    };
    assert_eq!(
        found_by(planner.clone()).await,
        Some(format!("/code-requests/{id}"))
    );
    assert_eq!(
        found_by(health_abp.clone()).await,
        None,
        "not another administrator's"
    );

    // Every step is in the audit log: the requests, the decisions and each code changed.
    let audit = |entity: &str| {
        let filter = jospar_store::AuditFilter {
            entity: Some(entity.into()),
            ..Default::default()
        };
        let db = app.db.clone();
        async move { db.audit_entries(&filter).await.expect("audit") }
    };
    let steps: Vec<String> = audit("ebk_code_request")
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    for step in ["create", "approve"] {
        assert_eq!(steps.iter().filter(|s| *s == step).count(), 2, "{steps:?}");
    }
    let changes = audit("ebk_code").await;
    let changed = |action: &str, id: &str| {
        changes.iter().any(|e| {
            e.action == action
                && e.entity_id == id
                && e.reason.as_deref().is_some_and(|r| r.starts_with("order "))
        })
    };
    assert!(changed("create", &format!("{YEAR}/subprogram/261 003 011")));
    assert!(changed("delete", &format!("{YEAR}/subprogram/261 003 011")));
    assert!(changed("delete", &format!("{YEAR}/program/261 003")));
}
