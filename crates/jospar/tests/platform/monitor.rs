//! Issue 24: the exchange monitor on SQLite and on PostgreSQL — each system's set-up without a
//! secret, its last success and last failure with the message, the Treasury's waiting queue, the
//! journal filtered and paged, a Treasury pass run now, and only the system administrator in.

use crate::app::{Engine, TestApp, spawn};
use crate::execution::get_json;
use crate::story::send_json;
use chrono::{Duration, Utc};
use jospar_adapter::{Direction, ExchangeRecord, Outcome};
use serde_json::Value;

#[tokio::test]
async fn exchange_monitor_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    exchange_monitor(&app).await;
}

#[tokio::test]
async fn exchange_monitor_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    exchange_monitor(&app).await;
}

fn attempt(system: &str, minutes_ago: i64, outcome: Outcome) -> ExchangeRecord {
    ExchangeRecord {
        system: system.into(),
        operation: "UploadProgram".into(),
        direction: Direction::Outbound,
        url: "https://portal.example/api/programs".into(),
        started_at: Utc::now() - Duration::minutes(minutes_ago),
        duration_ms: 120,
        attempt: 1,
        status: Some(if outcome == Outcome::Ok { 200 } else { 500 }),
        bytes_sent: 10,
        bytes_received: 20,
        outcome,
    }
}

async fn exchange_monitor(app: &TestApp) {
    let admin = app.token("admin").await;
    let planner = app.token("planner").await;
    for record in [
        attempt("obportal", 30, Outcome::Ok),
        attempt(
            "obportal",
            20,
            Outcome::Error("HTTP 500: portal down".into()),
        ),
        attempt("obportal", 10, Outcome::Ok),
        attempt("passport", 5, Outcome::Error("timed out after 30 s".into())),
    ] {
        jospar_execution::journal::insert(&app.db, &record)
            .await
            .expect("journal");
    }
    let (status, systems) = get_json(app, &admin, "/integrations").await;
    assert_eq!(status, 200, "{systems}");
    let text = systems.to_string();
    for secret in ["shep-pa55word", "portal-t0ken"] {
        assert!(!text.contains(secret), "a secret on the monitor: {text}");
    }
    let system = |name: &str| -> Value {
        systems
            .as_array()
            .expect("systems")
            .iter()
            .find(|s| s["info"]["system"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {systems}"))
    };
    let portal = system("obportal");
    assert_eq!(portal["info"]["secret_set"], true);
    assert_eq!(portal["last_failure"]["error"], "HTTP 500: portal down");
    let success = portal["last_success"]["started_at"]
        .as_str()
        .expect("success");
    let failure = portal["last_failure"]["started_at"]
        .as_str()
        .expect("failure");
    assert!(
        success > failure,
        "the latest success came after the failure"
    );
    assert_eq!(system("shep")["waiting"], 0);
    assert_eq!(system("passport")["info"]["url"], Value::Null);

    // The journal: filtered by system and outcome, newest first, paged.
    let (_, errors) = get_json(app, &admin, "/integrations/journal?outcome=error").await;
    assert_eq!(errors["total"], 2, "{errors}");
    assert_eq!(errors["attempts"][0]["system"], "passport");
    let (_, page) = get_json(
        app,
        &admin,
        "/integrations/journal?system=obportal&limit=2&page=2",
    )
    .await;
    assert_eq!(
        (
            page["total"].as_i64(),
            page["attempts"].as_array().map(Vec::len)
        ),
        (Some(3), Some(1))
    );
    let (status, refused) =
        get_json(app, &admin, "/integrations/journal?outcome=maybe&lang=ru").await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("outcome")),
        "{refused}"
    );

    // A pass of the Treasury exchange now: nothing waits, nothing fails.
    let (status, pass) =
        send_json(app, "post", "/integrations/shep/run", &admin, Value::Null).await;
    assert_eq!((status, pass["failed"].as_i64()), (200, Some(0)), "{pass}");

    // The monitor is the system administrator's alone.
    for path in ["/integrations", "/integrations/journal"] {
        assert_eq!(get_json(app, &planner, path).await.0, 403, "{path}");
    }
    let page = app.signed_in("admin").await;
    let html = page
        .get(app.url("/integrations?lang=ru"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(html.contains("HTTP 500: portal down") && html.contains("секрет задан"));
    assert!(!html.contains("portal-t0ken") && !html.contains("shep-pa55word"));
}
