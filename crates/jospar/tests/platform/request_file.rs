//! Issue 24 (seed 004 §1, §7; P-14): a budget request as a file, on SQLite and on PostgreSQL —
//! the school's request exported to XLSX and loaded back gives the same lines, expense
//! identifiers and amounts to the tiyn; loaded by the administrator into another school's
//! request, every line gets a new identifier and the file's is kept and shown; a broken cell is
//! refused naming the file's row and column and nothing changes; the CSV reads the same; a
//! school cannot load into another school's request.

use crate::app::{Engine, TestApp, spawn};
use crate::story::send_json;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[tokio::test]
async fn request_files_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    request_files(&app).await;
}

#[tokio::test]
async fn request_files_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    request_files(&app).await;
}

/// A request's id and version, by its organisation.
async fn request_of(app: &TestApp, token: &str, org: i64) -> (i64, i64) {
    let (_, requests) = send_json(app, "get", "/requests", token, Value::Null).await;
    let request = requests
        .as_array()
        .expect("requests")
        .iter()
        .find(|r| r["org_id"] == org)
        .unwrap_or_else(|| panic!("the request of {org}: {requests}"))
        .clone();
    (
        request["id"].as_i64().expect("id"),
        request["version"].as_i64().expect("version"),
    )
}

/// A request's lines by specific: (expense identifier, program, subprogram, amounts by year).
async fn lines(app: &TestApp, token: &str, id: i64) -> (i64, BTreeMap<String, Value>) {
    let (status, request) =
        send_json(app, "get", &format!("/requests/{id}"), token, Value::Null).await;
    assert_eq!(status, 200, "{request}");
    let lines = request["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            let key = format!("{}-{}-{}", l["program"], l["subprogram"], l["specific"]);
            let shape = json!([
                l["expense_id"],
                l["limit_kind"],
                l["form_code"],
                l["amounts"]
            ]);
            (key, shape)
        })
        .collect();
    (
        request["request"]["version"].as_i64().expect("version"),
        lines,
    )
}

async fn download(app: &TestApp, token: &str, id: i64, format: &str) -> Vec<u8> {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/requests/{id}/file?format={format}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("bytes").to_vec()
}

async fn upload(app: &TestApp, token: &str, id: i64, version: i64, bytes: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!(
            "/api/v1/requests/{id}/file?version={version}&file_name=request.xlsx"
        )))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn request_files(app: &TestApp) {
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");
    let economist = app.token("economist.school5").await;
    let abp = app.token("abp.edu").await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let gymnasium = app.org_id("Школа-гимназия №3").await;
    let (id, version) = request_of(app, &economist, school).await;

    // A line of purchases with two rows in two years, beside the demo's payroll lines.
    let (status, line) = send_json(
        app,
        "post",
        &format!("/requests/{id}/lines"),
        &economist,
        json!({"version": version, "program": "003", "subprogram": "015", "specific": "149"}),
    )
    .await;
    assert_eq!(status, 201, "{line}");
    let line_id = line["id"].as_i64().expect("line");
    let rows = json!([
        {"item": "Бумага; А4", "quantity": "120", "price": "2 450,50"},
        {"item": "=Картриджи", "quantity": "7", "price": "18000"}
    ]);
    for (year, v) in [(2027, version + 1), (2028, version + 2)] {
        let body = json!({"version": v, "lines": [{"line_id": line_id, "rows": rows}]});
        let path = format!("/requests/{id}/years/{year}");
        let (status, saved) = send_json(app, "put", &path, &economist, body).await;
        assert_eq!(status, 200, "{saved}");
    }
    let (version, before) = lines(app, &economist, id).await;
    let purchases = before["\"003\"-\"015\"-\"149\""].clone();
    assert_eq!(
        purchases[3]["2027"],
        120 * 245_050 + 7 * 1_800_000,
        "{purchases}"
    );

    // The same file back into the same request: the same lines, identifiers and amounts.
    let xlsx = download(app, &economist, id, "xlsx").await;
    assert!(xlsx.starts_with(b"PK"), "an XLSX workbook");
    let (status, loaded) = upload(app, &economist, id, version, xlsx.clone()).await;
    assert_eq!(status, 200, "{loaded}");
    assert_eq!(loaded["new_identifiers"], json!([]), "{loaded}");
    let (version, after) = lines(app, &economist, id).await;
    assert_eq!(after, before);
    // The CSV reads the same.
    let csv = download(app, &economist, id, "csv").await;
    let (status, loaded) = upload(app, &economist, id, version, csv.clone()).await;
    assert_eq!(status, 200, "{loaded}");
    let (version, after) = lines(app, &economist, id).await;
    assert_eq!(after, before);

    // A broken cell: refused naming the file's row and column; nothing changes.
    let text = String::from_utf8(csv).expect("utf-8");
    let broken = text.replacen(";quantity;120", ";quantity;сто двадцать", 1);
    assert_ne!(broken, text);
    let (status, refused) = upload(app, &economist, id, version, broken.into_bytes()).await;
    assert_eq!(status, 422, "{refused}");
    let message = refused["message"].as_str().unwrap_or_default();
    assert!(message.contains("2027"), "{refused}");
    let (unchanged, after) = lines(app, &economist, id).await;
    assert_eq!((unchanged, &after), (version, &before));

    // A school cannot load into another school's request.
    let (other, other_version) = request_of(app, &abp, gymnasium).await;
    let (status, _) = upload(app, &economist, other, other_version, xlsx.clone()).await;
    assert_eq!(status, 403);

    // The administrator loads the school's file into the gymnasium's request: new identifiers,
    // the file's kept beside them and shown; the amounts are the file's.
    let (status, loaded) = upload(app, &abp, other, other_version, xlsx).await;
    assert_eq!(status, 200, "{loaded}");
    let mapped = loaded["new_identifiers"]
        .as_array()
        .expect("mapping")
        .clone();
    let (_, theirs) = lines(app, &abp, other).await;
    let copied = theirs["\"003\"-\"015\"-\"149\""].clone();
    assert_eq!(copied[3], purchases[3], "{copied}");
    assert_ne!(copied[0], purchases[0], "an identifier is never shared");
    assert!(
        mapped
            .iter()
            .any(|m| m["file_expense_id"] == purchases[0] && m["expense_id"] == copied[0]),
        "{loaded}"
    );
    let (_, origins) = send_json(
        app,
        "get",
        &format!("/requests/{other}/file/origins"),
        &abp,
        Value::Null,
    )
    .await;
    assert_eq!(
        origins.as_array().map(Vec::len),
        Some(mapped.len()),
        "{origins}"
    );
    let page = app.signed_in("abp.edu").await;
    let html = page
        .get(app.url(&format!("/requests/{other}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        html.contains("id=\"request-file-origins\""),
        "the mapping on the page"
    );
    assert!(
        html.contains(&purchases[0].to_string()),
        "the file's identifier on the page"
    );
}
