//! Issue 24 (seed 004 integration 3; P-13, P-15): the ЕБК service's change sets on SQLite and
//! on PostgreSQL — received once however often asked, shown pending with what they do; a set
//! that cannot apply is refused naming the change and leaves the classification as it was; a
//! set touching a code that a local request still waits on is not applied until the request is
//! decided, then applies whole; a set is rejected with a reason; the service down is told; only
//! the system administrator may do any of it.

use crate::app::{Engine, TestApp, spawn};
use crate::execution::get_json;
use crate::story::send_json;
use jospar_classification::CodeKind;
use jospar_ebkservice::{ChangeSet, CodeChange};
use serde_json::{Value, json};

#[tokio::test]
async fn ebk_change_sets_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    ebk_change_sets(&app).await;
}

#[tokio::test]
async fn ebk_change_sets_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    ebk_change_sets(&app).await;
}

fn change(change: &str, kind: &str, code: &str, name: Option<&str>) -> CodeChange {
    CodeChange {
        change: change.into(),
        kind: kind.into(),
        code: code.into(),
        name_ru: name.map(str::to_string),
        name_kk: None,
    }
}

fn set(id: &str, year: i32, changes: Vec<CodeChange>) -> ChangeSet {
    ChangeSet {
        id: id.into(),
        year,
        issued_at: "2026-11-20".into(),
        basis: "Приказ Министра финансов".into(),
        changes,
    }
}

async fn code_name(app: &TestApp, year: i32, kind: CodeKind, code: &str) -> Option<String> {
    jospar_classification::repo::get(&app.db, year, kind, code)
        .await
        .expect("code")
        .map(|e| e.name_ru)
}

fn view<'a>(sets: &'a Value, id: &str) -> &'a Value {
    sets.as_array()
        .expect("sets")
        .iter()
        .find(|s| s["set"]["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {sets}"))
}

async fn ebk_change_sets(app: &TestApp) {
    // The demo's budget year: a request to open 261 003 011 waits on the planner.
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");
    let admin = app.token("admin").await;
    let planner = app.token("planner").await;
    let waiting = jospar_planning::code_requests::requests(&app.db, &jospar_access::Reader::System)
        .await
        .expect("code requests")
        .into_iter()
        .find(|r| r.code == "261 003 011")
        .expect("the waiting code request");
    let year = waiting.year;
    let program = code_name(app, year, CodeKind::Program, "261 003")
        .await
        .expect("the schools' program");

    app.ebk.put(set(
        "EBK-A",
        year,
        vec![
            change(
                "opened",
                "subprogram",
                "261 003 011",
                Some("За счет трансфертов из республиканского бюджета"),
            ),
            change(
                "renamed",
                "program",
                "261 003",
                Some("Общеобразовательное обучение (в новой редакции)"),
            ),
        ],
    ));
    app.ebk.put(set(
        "EBK-B",
        year,
        vec![change("closed", "program", "261 777", None)],
    ));

    // Only the system administrator.
    let receive = json!({"year": year});
    for path in [
        "/classification/change-sets/receive",
        "/classification/change-sets/EBK-A/apply",
    ] {
        let (status, _) = send_json(app, "post", path, &planner, receive.clone()).await;
        assert_eq!(status, 403, "{path}");
    }
    let (status, _) = get_json(app, &planner, "/classification/change-sets").await;
    assert_eq!(status, 403);

    // Received once however often asked.
    let path = "/classification/change-sets/receive";
    let (status, first) = send_json(app, "post", path, &admin, receive.clone()).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["received"], json!(["EBK-A", "EBK-B"]), "{first}");
    let (_, again) = send_json(app, "post", path, &admin, receive.clone()).await;
    assert_eq!(
        (again["received"].clone(), again["known"].clone()),
        (json!([]), json!(2))
    );

    // Pending, with what each does, why B cannot apply, and A's conflict.
    let (status, sets) = get_json(app, &admin, "/classification/change-sets").await;
    assert_eq!(status, 200, "{sets}");
    let a = view(&sets, "EBK-A");
    assert_eq!(a["set"]["status"], "pending");
    assert_eq!(a["report"].as_array().map(Vec::len), Some(2), "{a}");
    assert_eq!(a["report"][1]["old_name"], program.as_str(), "{a}");
    assert_eq!(a["conflicts"][0]["id"], waiting.id, "{a}");
    let b = view(&sets, "EBK-B");
    assert_eq!(b["problem"], json!([1, "261 777", "missing"]), "{b}");

    // B cannot apply: refused naming the change; A waits on the request.
    let (status, refused) = send_json(
        app,
        "post",
        "/classification/change-sets/EBK-B/apply",
        &admin,
        Value::Null,
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("261 777"),
        "{refused}"
    );
    let (status, refused) = send_json(
        app,
        "post",
        "/classification/change-sets/EBK-A/apply",
        &admin,
        Value::Null,
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains(&waiting.id.to_string()),
        "{refused}"
    );
    assert_eq!(
        code_name(app, year, CodeKind::Subprogram, "261 003 011").await,
        None
    );
    assert_eq!(
        code_name(app, year, CodeKind::Program, "261 003").await,
        Some(program.clone())
    );

    // The planner refuses the local request: the service decides this code; A applies whole.
    let decision =
        json!({"version": waiting.version, "approve": false, "reason": "Код открыт сервисом ЕБК"});
    let (status, decided) = send_json(
        app,
        "post",
        &format!("/code-requests/{}/decision", waiting.id),
        &planner,
        decision,
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    let (status, report) = send_json(
        app,
        "post",
        "/classification/change-sets/EBK-A/apply",
        &admin,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report.as_array().map(Vec::len), Some(2), "{report}");
    assert_eq!(
        code_name(app, year, CodeKind::Subprogram, "261 003 011")
            .await
            .as_deref(),
        Some("За счет трансфертов из республиканского бюджета")
    );
    assert_eq!(
        code_name(app, year, CodeKind::Program, "261 003")
            .await
            .as_deref(),
        Some("Общеобразовательное обучение (в новой редакции)")
    );
    let (_, audit) = get_json(app, &admin, "/audit?entity=ebk_change_set&entity_id=EBK-A").await;
    assert!(
        audit
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["action"] == "apply")),
        "{audit}"
    );

    // B is rejected with its reason; a decided set is not decided again.
    let reject = "/classification/change-sets/EBK-B/reject";
    let (status, _) = send_json(app, "post", reject, &admin, json!({"reason": " "})).await;
    assert_eq!(status, 422);
    let (status, rejected) = send_json(
        app,
        "post",
        reject,
        &admin,
        json!({"reason": "Программы 261 777 нет"}),
    )
    .await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["status"], "rejected");
    let (status, _) = send_json(
        app,
        "post",
        "/classification/change-sets/EBK-A/apply",
        &admin,
        Value::Null,
    )
    .await;
    assert_eq!(status, 422);

    // The service down: told, nothing received; the monitor shows the failure.
    app.ebk.server().fail_next(1, 500);
    let (status, down) = send_json(app, "post", path, &admin, receive).await;
    assert_eq!(status, 422, "{down}");
    let (_, systems) = get_json(app, &admin, "/integrations").await;
    let ebk = systems
        .as_array()
        .expect("systems")
        .iter()
        .find(|s| s["info"]["system"] == "ebk")
        .cloned()
        .expect("the ЕБК service on the monitor");
    assert!(
        ebk["last_failure"]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("500"),
        "{ebk}"
    );

    // The page shows the sets with their state.
    let page = app.signed_in("admin").await;
    let html = page
        .get(app.url("/classification/changes"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        html.contains("id=\"set-EBK-A\" data-status=\"applied\""),
        "{html}"
    );
    assert!(
        html.contains("id=\"set-EBK-B\" data-status=\"rejected\""),
        "{html}"
    );
}
