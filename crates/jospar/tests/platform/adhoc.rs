//! Issue 23 (P-16): ad-hoc forms on SQLite and on PostgreSQL — the oblast's authorized body
//! designs a form with fixed rows and a computed column (a formula over a missing column and a
//! past deadline are refused by name), sends it to the education administrator's subtree, the
//! school's economist finds it on the start page with its deadline and fills it (a cell that
//! is not a number is refused naming its row and column, nothing written), the administrator
//! fills its own copy, and the consolidated form sums each row and the whole to the tiyn, in
//! XLSX and PDF too; every step is in the audit log.

use crate::app::{Engine, TestApp, spawn};
use crate::execution::get_json;
use crate::story::send_json;
use serde_json::{Value, json};

#[tokio::test]
async fn adhoc_forms_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    adhoc_forms(&app).await;
}

#[tokio::test]
async fn adhoc_forms_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    adhoc_forms(&app).await;
}

fn column(key: &str, kind: &str, formula: Option<&str>) -> Value {
    json!({"key": key, "name_ru": format!("Графа {key}"), "name_kk": format!("{key} бағаны"),
           "type": kind, "formula": formula, "required": kind != "computed", "min": "0"})
}

pub(crate) fn design(owner: i64, root: i64, formula: &str, deadline: &str) -> Value {
    json!({"owner_org_id": owner, "root_org_id": root,
           "title_ru": "Сведения о подвозе учащихся", "title_kk": "Оқушыларды тасымалдау туралы мәліметтер",
           "columns": [column("pupils", "number", None), column("cost", "money", None),
                       column("total", "computed", Some(formula))],
           "row_labels": ["Начальные классы", "Старшие классы"], "deadline": deadline})
}

fn rows(first: (&str, &str), second: (&str, &str)) -> Value {
    json!([{"pupils": first.0, "cost": first.1}, {"pupils": second.0, "cost": second.1}])
}

async fn version_of(app: &TestApp, token: &str, path: &str) -> i64 {
    let (status, copy) = get_json(app, token, path).await;
    assert_eq!(status, 200, "{copy}");
    copy["version"].as_i64().expect("version")
}

async fn adhoc_forms(app: &TestApp) {
    let planner = app.token("planner").await;
    let abp = app.token("abp.edu").await;
    let economist = app.token("economist.school5").await;
    let root = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let deadline = (chrono::Utc::now().date_naive() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();

    // The design is refused by name: a formula over a missing column, a deadline past.
    let (status, refused) = send_json(
        app,
        "post",
        "/adhoc-forms",
        &planner,
        design(root, edu, "pupils * price", &deadline),
    )
    .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("columns[3].formula")),
        "{refused}"
    );
    let (status, refused) = send_json(
        app,
        "post",
        "/adhoc-forms",
        &planner,
        design(root, edu, "pupils * cost", "2020-01-01"),
    )
    .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("deadline")),
        "{refused}"
    );
    // A school sends no forms.
    let (status, _) = send_json(
        app,
        "post",
        "/adhoc-forms",
        &economist,
        design(school, school, "pupils * cost", &deadline),
    )
    .await;
    assert_eq!(status, 403);

    let (status, form) = send_json(
        app,
        "post",
        "/adhoc-forms",
        &planner,
        design(root, edu, "pupils * cost", &deadline),
    )
    .await;
    assert_eq!(status, 201, "{form}");
    let id = form["id"].as_i64().expect("id");
    // A draft is the sender's: the school does not see it yet.
    let (status, _) = get_json(app, &economist, &format!("/adhoc-forms/{id}")).await;
    assert_eq!(status, 403);
    let (status, sent) = send_json(
        app,
        "post",
        &format!("/adhoc-forms/{id}/send"),
        &planner,
        json!({"version": 1}),
    )
    .await;
    assert_eq!(
        (status, sent["status"].as_str()),
        (200, Some("sent")),
        "{sent}"
    );
    let (_, whole) = get_json(app, &planner, &format!("/adhoc-forms/{id}")).await;
    let copies: Vec<i64> = whole["responses"]
        .as_array()
        .expect("copies")
        .iter()
        .filter_map(|c| c["org_id"].as_i64())
        .collect();
    assert!(
        copies.contains(&edu) && copies.contains(&school) && !copies.contains(&root),
        "a copy for the administrator and everything below it, none for the sender: {copies:?}"
    );

    // The school finds its copy on the start page with the deadline.
    let page = app.signed_in("economist.school5").await;
    let home = page
        .get(app.url("/?lang=ru"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    let pending = home
        .split("id=\"home-budget\"")
        .nth(1)
        .expect("the waiting list");
    let due = chrono::NaiveDate::parse_from_str(&deadline, "%Y-%m-%d")
        .expect("date")
        .format("%d.%m.%Y")
        .to_string();
    assert!(
        pending.contains("Сведения о подвозе учащихся") && pending.contains(&due),
        "{pending}"
    );

    // A cell that is not a number is refused naming its row and column; nothing is written.
    let copy = format!("/adhoc-forms/{id}/responses/{school}");
    let version = version_of(app, &economist, &copy).await;
    let (status, refused) = send_json(
        app,
        "put",
        &copy,
        &economist,
        json!({"version": version, "rows": rows(("120", "1 500,50"), ("восемьдесят", "2000"))}),
    )
    .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("row 2, pupils")),
        "{refused}"
    );
    assert_eq!(
        version_of(app, &economist, &copy).await,
        version,
        "nothing written"
    );
    let (status, saved) = send_json(app, "put", &copy, &economist,
        json!({"version": version, "rows": rows(("120", "1 500,50"), ("80", "2000")), "submit": true})).await;
    assert_eq!(
        (status, saved["status"].as_str()),
        (200, Some("submitted")),
        "{saved}"
    );
    // Another organisation's copy is not the school's to fill.
    let theirs = format!("/adhoc-forms/{id}/responses/{edu}");
    let (status, _) = send_json(
        app,
        "put",
        &theirs,
        &economist,
        json!({"version": 1, "rows": rows(("1", "1"), ("1", "1"))}),
    )
    .await;
    assert!(status == 403 || status == 404, "{status}");
    let version = version_of(app, &abp, &theirs).await;
    let (status, _) = send_json(
        app,
        "put",
        &theirs,
        &abp,
        json!({"version": version, "rows": rows(("10", "100"), ("5", "200"))}),
    )
    .await;
    assert_eq!(status, 200);

    // The consolidated form: each fixed row summed over the copies, then each organisation.
    let report = format!("/reports/adhoc-form?adhoc={id}&lang=ru");
    let (status, table) = get_json(app, &planner, &report).await;
    assert_eq!(status, 200, "{table}");
    assert!(
        table["subtitle"][2]
            .as_str()
            .is_some_and(|s| s.starts_with("Заполнено экземпляров: 2 из")),
        "{table}"
    );
    let rows = table["rows"].as_array().expect("rows");
    // Columns: organisation or row, pupils, cost (tiyn), total.
    assert_eq!(rows[0][0], "Начальные классы");
    assert_eq!(
        (rows[0][1].as_str(), rows[0][2].as_i64()),
        (Some("130"), Some(160_050))
    );
    assert_eq!(rows[0][3], "181060", "120 × 1 500,50 + 10 × 100");
    assert_eq!(
        (rows[1][1].as_str(), rows[1][2].as_i64()),
        (Some("85"), Some(220_000))
    );
    assert_eq!(table["total"][2].as_i64(), Some(380_050));
    assert_eq!(table["total"][3], "342060");
    for (format, magic) in [("xlsx", &b"PK"[..]), ("pdf", &b"%PDF"[..])] {
        let bytes = reqwest::Client::new()
            .get(app.url(&format!("/api/v1{report}&format={format}")))
            .bearer_auth(&planner)
            .send()
            .await
            .expect("file")
            .bytes()
            .await
            .expect("bytes");
        assert!(bytes.starts_with(magic), "{format}");
    }

    // The search box and the list's own search find the form by a word of its title.
    let (_, found) = get_json(app, &economist, "/search?q=подвозе").await;
    let forms = found
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["kind"] == "adhoc_forms")
        .unwrap_or_else(|| panic!("the form found: {found}"));
    assert_eq!(forms["hits"][0]["link"], format!("/adhoc-forms/{id}"));
    let listed = page
        .get(app.url("/adhoc-forms?q=подвозе&lang=ru"))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("html");
    assert!(listed.contains(&format!("/adhoc-forms/{id}\"")), "{listed}");

    // Every step is in the audit log.
    let actions = |entity: &'static str| {
        let db = app.db.clone();
        async move {
            db.audit_entries(&jospar_store::AuditFilter {
                entity: Some(entity.into()),
                ..Default::default()
            })
            .await
            .expect("audit")
            .into_iter()
            .map(|e| e.action)
            .collect::<Vec<_>>()
        }
    };
    let form_steps = actions("adhoc_form").await;
    assert!(
        form_steps.contains(&"create".to_string()) && form_steps.contains(&"send".to_string()),
        "{form_steps:?}"
    );
    let copy_steps = actions("adhoc_response").await;
    assert!(
        copy_steps.contains(&"submit".to_string()) && copy_steps.contains(&"update".to_string()),
        "{copy_steps:?}"
    );
}
