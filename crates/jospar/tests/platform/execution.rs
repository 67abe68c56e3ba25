//! Budget execution through the API, the pages and the command line (EX-R 18), on
//! SQLite and on PostgreSQL: the demo's real Mangystau execution report, an upload of the
//! Astana report, a broken file refused whole, a re-import replacing the old one, the report
//! and its reconciliation on screen, in XLSX and from the CLI.

use crate::app::TestApp;
use crate::story::send_json;
use serde_json::{Value, json};

fn portal_file(name: &str) -> Vec<u8> {
    let path = format!("{}/../../data/portal/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1{path}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Where a Treasury form is imported: its number, the organisation, the report date and the
/// file's name (none: the API's default).
#[derive(Clone, Copy)]
pub(crate) struct FormAt<'a> {
    pub form: &'a str,
    pub org: i64,
    pub date: &'a str,
    pub file_name: Option<&'a str>,
}

/// A Treasury form imported through the API as the token's user: the status and the answer.
pub(crate) async fn post_treasury(
    app: &TestApp,
    token: &str,
    at: FormAt<'_>,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let mut query = vec![("org", at.org.to_string()), ("date", at.date.to_string())];
    if let Some(name) = at.file_name {
        query.push(("file_name", name.to_string()));
    }
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/execution/treasury/{}", at.form)))
        .query(&query)
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The first sheet of a report downloaded as XLSX through the API.
pub(crate) async fn xlsx_sheet(
    app: &TestApp,
    token: &str,
    query: &str,
) -> calamine::Range<calamine::Data> {
    let xlsx = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/reports/{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("xlsx")
        .bytes()
        .await
        .expect("bytes");
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(xlsx.to_vec())).expect("xlsx opens");
    calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("sheet")
        .expect("range")
}

async fn upload(app: &TestApp, token: &str, org: i64, title: &str, bytes: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/execution/portal-imports"))
        .query(&[
            ("org", org.to_string().as_str()),
            ("title", title),
            ("file_name", "upload.csv"),
        ])
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The money cell of the row whose first cell is `code`, column `column` (as JSON: tiyn).
/// The code of a cell that shows a code with its name: "149 Приобретение…" → "149".
pub(crate) fn code(cell: &Value) -> &str {
    cell.as_str()
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or_default()
}

fn money(table: &Value, code: &str, column: usize) -> i64 {
    table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[0] == code)
        .and_then(|r| r[column].as_i64())
        .unwrap_or_else(|| panic!("row {code}: {table}"))
}

pub async fn portal_execution(app: &TestApp) {
    let planner = app.token("planner").await;
    let economist = app.token("economist.school5").await;
    let root = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;

    // The demo loaded the real Mangystau report under the oblast's authorized body.
    let (status, imports) = get_json(app, &planner, "/execution/portal-imports").await;
    assert_eq!(status, 200, "{imports}");
    let mangystau = imports
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["file_name"] == "local_mangystau_region_execution_tree.csv")
        .unwrap_or_else(|| panic!("{imports}"))["id"]
        .as_i64()
        .expect("id");
    // An institution's economist does not read the oblast's report.
    let (_, theirs) = get_json(app, &economist, "/execution/portal-imports").await;
    assert_eq!(theirs.as_array().map(Vec::len), Some(0), "{theirs}");
    let (status, _) = get_json(
        app,
        &economist,
        &format!("/reports/execution-report?import={mangystau}&format=json"),
    )
    .await;
    assert_eq!(status, 403);

    // EX-R 18 of March 2025: II recomputed from the detail rows; the published total is
    // 97 148 608.814 thousand tenge, the source rounds each of its rows to the tenge.
    let (status, report) = get_json(
        app,
        &planner,
        &format!("/reports/execution-report?import={mangystau}&month=2025-03&format=json"),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let executed = money(&report, "II", 7);
    assert!((executed - 9_714_860_881_400).abs() <= 50_000, "{executed}");
    assert_eq!(money(&report, "II", 2), 60_523_158_300_000);
    let deficit = money(&report, "V", 7);
    let sections: i64 = ["I", "II", "III", "IV"]
        .iter()
        .zip([1, -1, -1, -1])
        .map(|(s, sign)| sign * money(&report, s, 7))
        .sum();
    assert_eq!(deficit, sections, "V = I − II − III − IV");
    assert!(
        report["footer"][0]
            .as_str()
            .is_some_and(|f| f.contains("расхождений сверх округления источника 0")),
        "{}",
        report["footer"]
    );
    // The reconciliation of every month finds no discrepancy.
    let (_, recon) = get_json(
        app,
        &planner,
        &format!("/reports/execution-reconciliation?import={mangystau}&failures=1&format=json"),
    )
    .await;
    assert_eq!(recon["rows"].as_array().map(Vec::len), Some(0), "{recon}");

    // A broken file: refused whole, naming line and column; nothing is added.
    let text =
        String::from_utf8(portal_file("local_astana_city_execution_tree.csv")).expect("utf-8");
    let broken = text.replacen(";920000000.0;", ";92O000000.0;", 1);
    let (status, error) = upload(app, &planner, root, "Астана", broken.into_bytes()).await;
    assert_eq!(status, 422, "{error}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("utv") && message.contains("92O000000.0"),
        "{message}"
    );
    let (_, after) = get_json(app, &planner, "/execution/portal-imports").await;
    assert_eq!(
        after.as_array().map(Vec::len),
        imports.as_array().map(Vec::len)
    );
    // The economist may not import for the oblast.
    let (status, _) = upload(app, &economist, root, "Астана", text.clone().into_bytes()).await;
    assert_eq!(status, 403);

    // The Astana report, imported twice under one title: the second replaces the first.
    let (status, first) = upload(app, &planner, root, "Астана", text.clone().into_bytes()).await;
    assert_eq!(status, 201, "{first}");
    let (status, second) = upload(app, &planner, root, "Астана", text.into_bytes()).await;
    assert_eq!(status, 201, "{second}");
    let (_, after) = get_json(app, &planner, "/execution/portal-imports").await;
    assert_eq!(
        after.as_array().map(Vec::len),
        imports.as_array().map(|l| l.len() + 1)
    );
    let astana = second["id"].as_i64().expect("id");
    let (status, _) = get_json(
        app,
        &planner,
        &format!(
            "/reports/execution-report?import={}&format=json",
            first["id"]
        ),
    )
    .await;
    assert_eq!(status, 404, "the replaced import is gone");
    let (_, audit) = get_json(app, &planner, "/audit?entity=portal_import").await;
    assert!(audit.to_string().contains("replace"), "{audit}");
    let (_, recon) = get_json(
        app,
        &planner,
        &format!("/reports/execution-reconciliation?import={astana}&format=json"),
    )
    .await;
    let rows = recon["rows"].as_array().expect("rows");
    assert!(rows.len() > 27 * 30, "{} checks", rows.len());
    assert!(rows.iter().all(|r| r[7] == "сходится"));

    // XLSX of the report: the section totals to the tiyn.
    let range = xlsx_sheet(
        app,
        &planner,
        &format!("execution-report?import={mangystau}&month=2025-03&format=xlsx&lang=kk"),
    )
    .await;
    let row = range
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "II"))
        .expect("row II");
    assert!(row[1].to_string().contains("Шығындар"), "{row:?}");
    assert_eq!(row[2].to_string(), "605231583000");

    // The page lists the imports; the report page shows the table.
    let client = app.signed_in("planner").await;
    let page = client
        .get(app.url("/execution"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("id=\"portal-imports\"") && page.contains("Астана"),
        "{page}"
    );
    let page = client
        .get(app.url(&format!(
            "/reports/execution-report?import={mangystau}&month=2025-03&depth=2"
        )))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("id=\"report\"") && page.contains("Образование"),
        "{page}"
    );

    // The command line: an import and the report as CSV.
    let file = format!(
        "{}/../../data/portal/rb_execution_tree_2023-01_2025-03.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args([
            "import",
            "portal-execution",
            &file,
            "--org",
            &root.to_string(),
            "--title",
            "РБ",
        ])
        .env("JOSPAR_DATABASE_URL", &app.url)
        .output()
        .expect("jospar import");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (_, after) = get_json(app, &planner, "/execution/portal-imports").await;
    let rb = after
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["title"] == "РБ")
        .expect("РБ imported")["id"]
        .as_i64()
        .expect("id");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args([
            "report",
            "execution-reconciliation",
            "--import",
            &rb.to_string(),
            "--failures",
            "--format",
            "csv",
        ])
        .env("JOSPAR_DATABASE_URL", &app.url)
        .output()
        .expect("jospar report");
    let csv = String::from_utf8_lossy(&output.stdout);
    // Only the partial 06.2023 month of the republican file differs.
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let discrepancies: Vec<&str> = csv.lines().filter(|l| l.contains("расхождение")).collect();
    assert!(
        !discrepancies.is_empty() && discrepancies.iter().all(|l| l.starts_with("2023-06")),
        "{csv}"
    );
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args(["import", "--help"])
        .output()
        .expect("jospar import --help");
    assert!(String::from_utf8_lossy(&help.stdout).contains("portal-execution"));
}

/// A step of a financing plan through the API: submit, return, approve.
async fn plan_step(app: &TestApp, id: i64, what: &str, token: &str, body: Value) -> (u16, Value) {
    send_json(
        app,
        "post",
        &format!("/financing-plans/{id}/{what}"),
        token,
        body,
    )
    .await
}

/// EX-1, EX-2, EX-6 through the API: the school's economist makes the 2027 financing plan from
/// the approved request, a plan breaking the rules is refused naming line, month and amounts,
/// the education administrator approves it, a dated change certificate moves a month, and the
/// plan shows as of any date; a change breaking the rules is refused whole.
pub async fn financing_plan(app: &TestApp, request: i64) {
    let economist = app.token("economist.school5").await;
    let head = app.token("head.school5").await;
    let abp = app.token("abp.edu").await;
    let (status, plan) = send_json(
        app,
        "post",
        "/financing-plans",
        &economist,
        json!({"request_id": request, "year": 2027}),
    )
    .await;
    assert_eq!(status, 201, "{plan}");
    let id = plan["id"].as_i64().expect("id");
    assert_eq!(plan["status"], "draft");
    let lines = plan["lines"].as_array().expect("lines").clone();
    assert!(!lines.is_empty());
    for line in &lines {
        let sum: i64 = line["payments"]
            .as_array()
            .expect("months")
            .iter()
            .map(|m| m.as_i64().expect("tiyn"))
            .sum();
        assert_eq!(Some(sum), line["approved"].as_i64(), "{line}");
    }
    let (status, _) = send_json(
        app,
        "post",
        "/financing-plans",
        &economist,
        json!({"request_id": request, "year": 2027}),
    )
    .await;
    assert_eq!(status, 422, "one plan per institution and year");

    // Payments of the whole year in January against obligations spread evenly: refused.
    let first = &lines[0];
    let approved = first["approved"].as_i64().expect("approved");
    let label = format!(
        "{} {} {}",
        first["program"].as_str().unwrap_or(""),
        first["subprogram"].as_str().unwrap_or(""),
        first["specific"].as_str().unwrap_or("")
    )
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ");
    let mut ahead = [0i64; 12];
    ahead[0] = approved;
    let (status, error) = send_json(
        app,
        "put",
        &format!("/financing-plans/{id}"),
        &economist,
        json!({"version": 1, "lines": [{"expense_id": first["expense_id"], "program": "", "subprogram": "", "specific": "", "approved": 0,
            "obligations": first["obligations"], "payments": ahead}]}),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&label) && message.contains("месяц 1"),
        "{message}"
    );
    // Through the page, a cell that is not an amount refuses the save whole and keeps all
    // that was typed, the bad cell marked; the months are named (issue 21).
    let grid = app.signed_in("economist.school5").await;
    let page = grid
        .get(app.url(&format!("/plans/{id}?lang=ru")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("Февраль") && page.contains("class=\"sheet\""),
        "{page}"
    );
    let csrf = crate::app::hidden(&page, "csrf");
    let expense = first["expense_id"].to_string();
    let (bad, typed) = (format!("o-{expense}-2"), format!("p-{expense}-3"));
    let refused = grid
        .post(app.url(&format!("/plans/{id}?lang=ru")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            (bad.as_str(), "12абв"),
            (typed.as_str(), "1\u{a0}234,50"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.expect("text");
    assert!(
        refused.contains(&format!(
            "name=\"{bad}\" value=\"12абв\" inputmode=\"decimal\" class=\"bad\" aria-invalid=\"true\""
        )) && refused.contains(&format!("name=\"{typed}\" value=\"1\u{a0}234,50\""))
            && refused.contains("Февраль"),
        "{refused}"
    );
    // Obligations taken in January for the year, payments monthly: accepted.
    let (status, saved) = send_json(
        app,
        "put",
        &format!("/financing-plans/{id}"),
        &economist,
        json!({"version": 1, "lines": [{"expense_id": first["expense_id"], "program": "", "subprogram": "", "specific": "", "approved": 0,
            "obligations": ahead, "payments": first["payments"]}]}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");

    // The school submits its draft (issue 21); the administrator returns it with a reason,
    // and it is submitted again. A draft is not approved.
    let (status, _) = plan_step(app, id, "approve", &abp, json!({"version": 2})).await;
    assert_eq!(status, 422, "a draft is submitted first");
    let (status, submitted) = plan_step(app, id, "submit", &economist, json!({"version": 2})).await;
    assert_eq!(
        (status, submitted["status"].as_str()),
        (200, Some("submitted")),
        "{submitted}"
    );
    let (status, _) = plan_step(app, id, "return", &abp, json!({"version": 3, "reason": ""})).await;
    assert_eq!(status, 422, "a return names its reason");
    let (status, returned) = plan_step(
        app,
        id,
        "return",
        &abp,
        json!({"version": 3, "reason": "уточните помесячное распределение"}),
    )
    .await;
    assert_eq!((status, returned["status"].as_str()), (200, Some("draft")));
    let (status, _) = plan_step(app, id, "submit", &economist, json!({"version": 4})).await;
    assert_eq!(status, 200);

    // Approval by the administrator above the school, not by the school itself.
    let (status, _) = send_json(
        app,
        "post",
        &format!("/financing-plans/{id}/approve"),
        &head,
        json!({"version": 5}),
    )
    .await;
    assert_eq!(status, 403);
    // EX-6: the approval is signed over the plan's signing data by the approver's own key.
    let (_, signing) = send_json(
        app,
        "get",
        &format!("/financing-plans/{id}/signing-data"),
        &abp,
        Value::Null,
    )
    .await;
    assert_eq!(signing["version"], 5, "{signing}");
    let data = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(signing["data"].as_str().expect("data"))
            .expect("base64")
    };
    let (status, error) = send_json(
        app,
        "post",
        &format!("/financing-plans/{id}/approve"),
        &abp,
        json!({"version": 5}),
    )
    .await;
    assert_eq!(status, 422, "no signature: {error}");
    let (status, error) = send_json(
        app,
        "post",
        &format!("/financing-plans/{id}/approve"),
        &abp,
        json!({"version": 5, "cms": app.sign_as("head.school5", &data).await}),
    )
    .await;
    assert_eq!(status, 422, "another person's key: {error}");
    let (status, approved_plan) = send_json(
        app,
        "post",
        &format!("/financing-plans/{id}/approve"),
        &abp,
        json!({"version": 5, "cms": app.sign_as("abp.edu", &data).await}),
    )
    .await;
    assert_eq!(
        (status, approved_plan["status"].as_str()),
        (200, Some("approved")),
        "{approved_plan}"
    );
    let (status, _) = send_json(
        app,
        "put",
        &format!("/financing-plans/{id}"),
        &economist,
        json!({"version": 6, "lines": []}),
    )
    .await;
    assert_eq!(status, 422, "an approved plan changes only by documents");

    // A change certificate of 1 March 2027 moves 1 000 tenge of March's payments to April.
    let march = first["payments"][2].as_i64().expect("march");
    let change = json!({"kind": "certificate", "dated": "2027-03-01", "reason": "перенос оплаты по договору",
        "moves": [{"expense_id": first["expense_id"], "basis": "payments", "from_month": 3, "to_month": 4, "amount": 100_000}]});
    let (status, changed) = send_json(
        app,
        "post",
        &format!("/financing-plans/{id}/changes"),
        &head,
        change.clone(),
    )
    .await;
    assert_eq!(
        status, 403,
        "the head reads and approves, does not enter: {changed}"
    );
    let (status, changed) = send_json(
        app,
        "post",
        &format!("/financing-plans/{id}/changes"),
        &economist,
        change,
    )
    .await;
    assert_eq!(status, 201, "{changed}");
    assert_eq!(changed["changes"][0]["number"], 1);
    // A document moving all obligations to December would pay before owing: refused whole.
    let (status, error) = send_json(app, "post", &format!("/financing-plans/{id}/changes"), &economist,
        json!({"kind": "correction", "dated": "2027-04-01", "reason": "x",
            "moves": [{"expense_id": first["expense_id"], "basis": "obligations", "from_month": 1, "to_month": 12, "amount": approved}]})).await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("месяц 1"),
        "{error}"
    );
    let (_, before) = send_json(
        app,
        "get",
        &format!("/financing-plans/{id}?as_of=2027-02-28"),
        &head,
        Value::Null,
    )
    .await;
    let (_, after) = send_json(
        app,
        "get",
        &format!("/financing-plans/{id}?as_of=2027-03-01"),
        &head,
        Value::Null,
    )
    .await;
    assert_eq!(
        before["lines_as_of"][0]["payments"][2].as_i64(),
        Some(march)
    );
    assert_eq!(
        after["lines_as_of"][0]["payments"][2].as_i64(),
        Some(march - 100_000)
    );
    assert_eq!(after["plan"]["changes"].as_array().map(Vec::len), Some(1));
    let abp_user = jospar_org::repo::user_by_login(&app.db, "abp.edu")
        .await
        .expect("q")
        .expect("abp");
    assert_eq!(
        before["signatures"][0]["signer_iin"],
        abp_user.iin.as_str(),
        "{before}"
    );
    let (_, audit) = send_json(
        app,
        "get",
        "/audit?entity=financing_plan",
        &abp,
        Value::Null,
    )
    .await;
    assert!(audit.to_string().contains("approve"), "{audit}");

    // The pages: the list, the plan as of a date, a change document through the form.
    let pages = app.signed_in("economist.school5").await;
    let list = pages
        .get(app.url("/plans?lang=ru"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(list.contains(&format!("/plans/{id}")), "{list}");
    let page = pages
        .get(app.url(&format!("/plans/{id}?as_of=2027-03-01&lang=ru")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("утверждён") && page.contains("id=\"change-form\"") && page.contains(&label),
        "{page}"
    );
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf")
        .to_string();
    let expense = first["expense_id"].to_string();
    let post = |from: &'static str| {
        pages
            .post(app.url(&format!("/plans/{id}/changes?lang=ru")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("kind", "certificate"),
                ("dated", "2027-04-01"),
                ("reason", "экономия по конкурсу"),
                ("m1-expense_id", expense.as_str()),
                ("m1-basis", "payments"),
                ("m1-from_month", from),
                ("m1-to_month", "5"),
                ("m1-amount", "500,00"),
            ])
            .send()
    };
    let refused = post("13").await.expect("post");
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.expect("text");
    assert!(
        refused.contains("id=\"plan-error\"") && refused.contains("Из месяца"),
        "{refused}"
    );
    // Nothing typed is lost on the refusal (issue 21): the reason and the move stay.
    assert!(
        refused.contains("value=\"экономия по конкурсу\"")
            && refused.contains("name=\"m1-amount\" value=\"500,00\""),
        "{refused}"
    );
    assert_eq!(post("4").await.expect("post").status(), 303);
    let accepted = pages
        .get(app.url(&format!("/plans/{id}?lang=ru")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        accepted.contains("№2") && accepted.contains("экономия по конкурсу"),
        "{accepted}"
    );
    let head_page = app
        .signed_in("head.school5")
        .await
        .get(app.url(&format!("/plans/{id}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        !head_page.contains("id=\"change-form\""),
        "the head does not enter changes"
    );

    // The dynamics of changes: each document's effect by month, rows adding up across.
    let (status, dynamics) = send_json(
        app,
        "get",
        &format!("/reports/plan-changes?plan={id}&format=json"),
        &head,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{dynamics}");
    let march_row = &dynamics["rows"][2];
    assert_eq!(march_row[2].as_i64(), Some(-100_000), "{march_row}");
    assert_eq!(dynamics["rows"][3][2].as_i64(), Some(100_000));
    let total = dynamics["total"].as_array().expect("total");
    assert_eq!(
        total[1],
        total[total.len() - 1],
        "changes keep the year's total"
    );
    // The plan in XLSX as of 1 March: the total row's months add up to the annual amount.
    let range = xlsx_sheet(
        app,
        &abp,
        &format!("financing-plan?plan={id}&as_of=2027-03-01&format=xlsx&lang=kk"),
    )
    .await;
    let total_row = range
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "Барлығы"))
        .unwrap_or_else(|| panic!("total row: {:?}", range.rows().collect::<Vec<_>>()));
    let cents =
        |c: &calamine::Data| (c.to_string().parse::<f64>().expect("number") * 100.0).round() as i64;
    let months: i64 = total_row[6..18].iter().map(cents).sum();
    assert_eq!(months, cents(&total_row[5]));

    // The administrator's consolidated plan (EX-6) adds up the approved plans of its subtree:
    // here the school's, so the totals are the school plan's to the tiyn.
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let (status, consolidated) = send_json(
        app,
        "get",
        &format!("/reports/consolidated-plan?org={edu}&year=2027&as_of=2027-03-01&format=json"),
        &abp,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{consolidated}");
    let (_, single) = send_json(
        app,
        "get",
        &format!("/reports/financing-plan?plan={id}&as_of=2027-03-01&format=json"),
        &abp,
        Value::Null,
    )
    .await;
    assert_eq!(consolidated["total"], single["total"]);
    let (status, _) = send_json(
        app,
        "get",
        &format!("/reports/consolidated-plan?org={edu}&year=2027&format=json"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(
        status, 403,
        "a school does not read its administrator's consolidation"
    );

    // EX-7: the plan for accounting systems, with the expense identifier, as CSV and JSON.
    let (status, export) = send_json(
        app,
        "get",
        &format!("/reports/plan-export?plan={id}&format=json"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{export}");
    let rows = export["rows"].as_array().expect("rows");
    assert_eq!(
        rows.len(),
        lines.len() * 2,
        "a row by obligations and one by payments"
    );
    assert_eq!(rows[0][0], first["expense_id"].to_string().as_str());
    let csv = reqwest::Client::new()
        .get(app.url(&format!(
            "/api/v1/reports/plan-export?plan={id}&format=csv-plain"
        )))
        .bearer_auth(&economist)
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert!(csv.contains(&first["expense_id"].to_string()), "{csv}");
    assert!(
        !csv.starts_with('\u{feff}'),
        "no byte order mark for programs: {csv}"
    );
    treasury_552(app, &abp, &economist, edu).await;
    treasury_exchange(app, id, &economist).await;
}

/// The statuses of a plan's documents in the Treasury exchange, in number order.
async fn exchange_of(app: &TestApp, token: &str, plan: i64) -> Vec<Value> {
    let (status, body) = get_json(app, token, &format!("/financing-plans/{plan}")).await;
    assert_eq!(status, 200, "{body}");
    body["treasury_exchange"]
        .as_array()
        .expect("treasury_exchange")
        .clone()
}

fn statuses(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|i| i["status"].as_str().expect("status"))
        .collect()
}

/// EX-4, I-6: the approved plan and its change certificates went into the Treasury queue with
/// the approval and the changes; a pass while the bus is down counts a failed attempt and
/// holds the changes back until their plan is accepted; the next pass sends all three and the
/// Treasury's registration numbers come back; a rejected change shows the Treasury's reason
/// and, once the reason is dealt with, goes again on a user's request, audited.
async fn treasury_exchange(app: &TestApp, plan: i64, economist: &str) {
    let queued = exchange_of(app, economist, plan).await;
    assert_eq!(
        statuses(&queued),
        ["queued", "queued", "queued"],
        "{queued:?}"
    );
    assert_eq!(queued[0]["kind"], "plan");
    assert_eq!(queued[1]["kind"], "certificate");
    let auditor = app.token("auditor").await;
    let (status, _) = send_json(
        app,
        "post",
        "/treasury-exchange/send",
        &auditor,
        Value::Null,
    )
    .await;
    assert_eq!(status, 403, "the auditor reads the queue, does not send");

    app.shep.outage(1);
    let (status, summary) = send_json(
        app,
        "post",
        "/treasury-exchange/send",
        economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["failed"], 1, "{summary}");
    assert_eq!(
        summary["accepted"], 0,
        "the changes wait for their plan: {summary}"
    );
    let after_outage = exchange_of(app, economist, plan).await;
    assert_eq!(statuses(&after_outage), ["queued", "queued", "queued"]);
    assert_eq!(after_outage[0]["attempts"], 1);
    assert!(
        after_outage[0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("503"),
        "{after_outage:?}"
    );
    // Not due again before its retry delay; due after it.
    let (_, again) = send_json(
        app,
        "post",
        "/treasury-exchange/send",
        economist,
        Value::Null,
    )
    .await;
    assert_eq!(again["failed"], 0, "{again}");
    let later = chrono::Utc::now() + chrono::Duration::minutes(2);
    let who = jospar_execution::usecases::exchange::exchange_who();
    let pass = jospar_execution::usecases::exchange::run_pass(
        &app.db,
        app.treasury.as_ref(),
        &who,
        later,
        &|_| true,
    )
    .await
    .expect("pass");
    assert_eq!(pass.accepted, 3, "{pass:?}");
    let accepted = exchange_of(app, economist, plan).await;
    assert_eq!(statuses(&accepted), ["accepted", "accepted", "accepted"]);
    let references: Vec<&str> = accepted
        .iter()
        .map(|i| i["reference"].as_str().expect("reference"))
        .collect();
    assert_eq!(
        references,
        ["ФУПФ-2027-00001", "ФУПФ-2027-00002", "ФУПФ-2027-00003"]
    );
    let received = app.shep.received();
    let school = jospar_org::repo::get_org(&app.db, accepted[0]["org_id"].as_i64().expect("org"))
        .await
        .expect("q")
        .expect("school");
    let bin = school.bin.clone().expect("the school has a BIN");
    assert_eq!(received.len(), 3);
    assert_eq!(received[0].bin, bin);
    let (_, plan_json) = get_json(app, economist, &format!("/financing-plans/{plan}")).await;
    let lines = plan_json["plan"]["lines"].as_array().expect("lines");
    assert_eq!(received[0].lines.len(), lines.len());
    assert_eq!(
        Some(received[0].lines[0].annual),
        lines[0]["approved"].as_i64(),
        "the Treasury got the amounts to the tiyn"
    );
    assert_eq!(
        received[2].moves[0].amount, 50_000,
        "the page's 500,00 tenge"
    );

    // The Treasury rejects the next change; its reason is shown; sent again it is accepted.
    app.shep
        .reject_bin(&bin, "Учреждение не зарегистрировано в казначействе");
    let expense = lines[0]["expense_id"].clone();
    let (status, _) = send_json(app, "post", &format!("/financing-plans/{plan}/changes"), economist,
        json!({"kind": "correction", "dated": "2027-05-02", "reason": "коррекция бюджета",
            "moves": [{"expense_id": expense, "basis": "payments", "from_month": 6, "to_month": 7, "amount": 100}]})).await;
    assert_eq!(status, 201);
    let (_, summary) = send_json(
        app,
        "post",
        "/treasury-exchange/send",
        economist,
        Value::Null,
    )
    .await;
    assert_eq!(summary["rejected"], 1, "{summary}");
    let (_, queue) = get_json(app, economist, "/treasury-exchange").await;
    let rejected = queue
        .as_array()
        .expect("queue")
        .iter()
        .find(|i| i["status"] == "rejected")
        .expect("the rejected change")
        .clone();
    assert_eq!(
        rejected["reason"],
        "Учреждение не зарегистрировано в казначействе"
    );
    let retry = format!("/treasury-exchange/{}/retry", rejected["id"]);
    let (status, _) = send_json(app, "post", &retry, &auditor, json!({"reason": "x"})).await;
    assert_eq!(status, 403);
    let (status, error) = send_json(app, "post", &retry, economist, json!({"reason": " "})).await;
    assert_eq!(status, 422, "{error}");
    app.shep.accept_bin(&bin);
    let (status, requeued) = send_json(
        app,
        "post",
        &retry,
        economist,
        json!({"reason": "учреждение зарегистрировано 02.05.2027"}),
    )
    .await;
    assert_eq!(
        (status, requeued["status"].as_str()),
        (200, Some("queued")),
        "{requeued}"
    );
    let (status, error) =
        send_json(app, "post", &retry, economist, json!({"reason": "ещё раз"})).await;
    assert_eq!(status, 422, "a queued document is not sent again: {error}");

    // The page shows the queue in the user's language, and the retry through its form.
    let pages = app.signed_in("economist.school5").await;
    let page = pages
        .get(app.url("/treasury-exchange?lang=kk"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("ФУПФ-2027-00003") && page.contains("қабылданды") && page.contains("кезекте"),
        "{page}"
    );
    let page = pages
        .post(app.url("/treasury-exchange/send?lang=ru"))
        .form(&[("csrf", page_csrf(&page).as_str())])
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(page.contains("Принято: 1"), "{page}");
    let all = exchange_of(app, economist, plan).await;
    assert_eq!(
        statuses(&all),
        ["accepted", "accepted", "accepted", "accepted"]
    );
    let plan_page = pages
        .get(app.url(&format!("/plans/{plan}?lang=ru")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(plan_page.contains("ФУПФ-2027-00004"), "{plan_page}");
    let (_, audit) = get_json(app, economist, "/audit?entity=treasury_outbox").await;
    let audit = audit.to_string();
    assert!(
        audit.contains("учреждение зарегистрировано 02.05.2027")
            && audit.contains("treasury-exchange"),
        "{audit}"
    );
}

fn page_csrf(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf")
        .to_string()
}

/// EX-5, EX-8: the education administrator imports form 5-52 at 31 March 2027; the cash
/// execution report sets it against the approved plans of its subtree and lists every
/// discrepancy; a code unknown to the classification refuses the whole file.
async fn treasury_552(app: &TestApp, abp: &str, economist: &str, edu: i64) {
    let at = FormAt {
        form: "5-52",
        org: edu,
        date: "2027-03-31",
        file_name: Some("5-52.csv"),
    };
    // The school's line 003/111: 3 000 000 a month paid, 1 000 moved from March to April on
    // 1 March, so 8 999 000 to the end of March; 149 is not in the system's plan.
    let csv = "Форма 5-52 на 31.03.2027\n\
               АБП;Программа;Подпрограмма;Специфика;План на год;План на период;Кассовые расходы\n\
               261;003;;111;36 000 000,00;8 999 000,00;8 500 000,00\n\
               261;003;;149;1 200 000,00;300 000,00;120 000,00\n\
               Итого;;;;37 200 000,00;9 299 000,00;8 620 000,00\n";
    let (status, _) = post_treasury(app, economist, at, csv.to_string()).await;
    assert_eq!(
        status, 403,
        "the school does not import for its administrator"
    );
    let (status, error) = post_treasury(app, abp, at, csv.replace(";149;", ";999;")).await;
    assert_eq!(status, 422, "{error}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("999") && message.contains("Специфика") && message.contains('4'),
        "{message}"
    );
    let (_, list) = get_json(app, abp, "/execution/treasury").await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(0),
        "nothing imported: {list}"
    );
    let (status, first) = post_treasury(app, abp, at, csv.to_string()).await;
    assert_eq!(status, 201, "{first}");
    let (status, report) = post_treasury(app, abp, at, csv.to_string()).await;
    assert_eq!(status, 201, "{report}");
    let (_, list) = get_json(app, abp, "/execution/treasury").await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "re-import replaces: {list}"
    );
    let id = report["id"].as_i64().expect("id");
    let (status, table) = get_json(
        app,
        abp,
        &format!("/reports/cash-execution-552?treasury={id}&failures=1&format=json"),
    )
    .await;
    assert_eq!(status, 200, "{table}");
    let rows = table["rows"].as_array().expect("rows");
    assert!(
        !rows.iter().any(|r| code(&r[3]) == "111"),
        "111 agrees with the plan: {table}"
    );
    let row_149 = rows
        .iter()
        .find(|r| r[3] == "149 Приобретение прочих запасов")
        .unwrap_or_else(|| panic!("the specific, named (issue 21): {table}"));
    assert_eq!(row_149[10].as_i64(), Some(30_000_000), "{row_149}");
    let (status, _) = get_json(
        app,
        economist,
        &format!("/reports/cash-execution-552?treasury={id}&format=json"),
    )
    .await;
    assert_eq!(status, 403);

    // The sample file of the documented layout through the command line.
    let sample = format!(
        "{}/../../data/treasury/5-52-sample.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args([
            "import",
            "treasury",
            &sample,
            "--form",
            "5-52",
            "--org",
            &edu.to_string(),
            "--date",
            "2027-04-01",
        ])
        .env("JOSPAR_DATABASE_URL", &app.url)
        .output()
        .expect("jospar import");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (_, list) = get_json(app, abp, "/execution/treasury").await;
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");

    // Form 4-20 of the same date (the documented sample, through the API), then a 4-20 whose
    // payments on 149 differ from the 5-52 by 500 tenge: the reconciliation names that code.
    let sample_420 = std::fs::read(format!(
        "{}/../../data/treasury/4-20-sample.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("4-20 sample");
    let post_420 = |body: Vec<u8>, date: &'static str| {
        let at = FormAt {
            form: "4-20",
            org: edu,
            date,
            file_name: None,
        };
        post_treasury(app, abp, at, body)
    };
    let (status, f420) = post_420(sample_420.clone(), "2027-04-01").await;
    assert_eq!(status, 201, "{f420}");
    let f552 = list
        .as_array()
        .expect("list")
        .iter()
        .chain(
            get_json(app, abp, "/execution/treasury")
                .await
                .1
                .as_array()
                .expect("list")
                .iter(),
        )
        .find(|r| r["form"] == "5-52" && r["report_date"] == "2027-04-01")
        .map(|r| r["id"].clone())
        .expect("5-52 of 1 April");
    let (_, agree) = get_json(
        app,
        abp,
        &format!(
            "/reports/reconcile-420-552?f420={}&f552={f552}&format=json",
            f420["id"]
        ),
    )
    .await;
    assert_eq!(agree["rows"].as_array().map(Vec::len), Some(0), "{agree}");
    let text = String::from_utf8(sample_420).expect("utf-8");
    let differing = text
        .replace("600 000,00;120 500,50", "600 000,00;121 000,50")
        .replace("10 245 500,00;9 565 000,50", "10 245 500,00;9 565 500,50");
    let (status, f420b) = post_420(differing.into_bytes(), "2027-04-02").await;
    assert_eq!(status, 201, "{f420b}");
    let (_, differ) = get_json(
        app,
        abp,
        &format!(
            "/reports/reconcile-420-552?f420={}&f552={f552}&format=json",
            f420b["id"]
        ),
    )
    .await;
    let rows = differ["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{differ}");
    assert_eq!(code(&rows[0][3]), "149");
    assert_eq!(rows[0][6].as_i64(), Some(50_000), "{differ}");
    // Paying beyond the obligations accepted is refused whole.
    let over = text
        .replace("200 000,00;0,00", "200 000,00;200 000,01")
        .replace("10 245 500,00;9 565 000,50", "10 245 500,00;9 765 000,51");
    let (status, error) = post_420(over.into_bytes(), "2027-04-03").await;
    assert_eq!(status, 422, "{error}");

    // Receipts: 2-19 and 2-43 of the same date agree code by code; a 2-43 one tenge short on
    // the social tax is reported with both values.
    let post_form = |form: &'static str, body: String, date: &'static str| {
        let at = FormAt {
            form,
            org: edu,
            date,
            file_name: None,
        };
        post_treasury(app, abp, at, body)
    };
    let read = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/../../data/treasury/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("sample")
    };
    let (status, f219) = post_form("2-19", read("2-19-sample.csv"), "2027-04-01").await;
    assert_eq!(status, 201, "{f219}");
    let (status, f243) = post_form("2-43", read("2-43-sample.csv"), "2027-04-01").await;
    assert_eq!(status, 201, "{f243}");
    let (_, agree) = get_json(
        app,
        abp,
        &format!(
            "/reports/reconcile-219-243?f219={}&f243={}&format=json",
            f219["id"], f243["id"]
        ),
    )
    .await;
    assert_eq!(agree["rows"].as_array().map(Vec::len), Some(0), "{agree}");
    receipt_plans(app, f219["id"].as_i64().expect("2-19 id")).await;
    region_passport(app, abp, f219["id"].as_i64().expect("2-19 id")).await;
    crate::analytics::analytic_reports(app, abp, economist, edu).await;
    let short = read("2-43-sample.csv")
        .replace("17 411 528 751,00", "17 411 528 750,00")
        .replace("52 214 601 137,00", "52 214 601 136,00");
    let (_, f243b) = post_form("2-43", short, "2027-04-02").await;
    let (_, differ) = get_json(
        app,
        abp,
        &format!(
            "/reports/reconcile-219-243?f219={}&f243={}&format=json",
            f219["id"], f243b["id"]
        ),
    )
    .await;
    let rows = differ["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{differ}");
    assert_eq!(
        (rows[0][0].as_str(), rows[0][3].as_i64()),
        (Some("103101 Социальный налог"), Some(100)),
        "the receipt code named by its subclass (issue 21)"
    );
    // A code whose subclass the classification does not know is refused whole.
    let (status, error) = post_form(
        "2-19",
        read("2-19-sample.csv").replace("104101;", "199101;"),
        "2027-04-03",
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("199101"),
        "{error}"
    );
    treasury_127(app, abp, edu).await;
}

/// EX-5, EX-8, DB-3: form 1-27 of the education administrator at 31 March 2027, made from the
/// system's approved plans with one planted difference, is compared with them program by
/// program: the one difference is listed with both values, the rest agree.
async fn treasury_127(app: &TestApp, abp: &str, edu: i64) {
    let (_, plans) = get_json(app, abp, "/financing-plans").await;
    let mut groups: std::collections::BTreeMap<(String, String), (i64, i64)> = Default::default();
    for plan in plans.as_array().expect("plans") {
        let (_, body) = get_json(
            app,
            abp,
            &format!("/financing-plans/{}?as_of=2027-03-31", plan["id"]),
        )
        .await;
        if body["plan"]["status"] != "approved" || body["plan"]["year"] != 2027 {
            continue;
        }
        for line in body["lines_as_of"].as_array().expect("lines") {
            let key = (
                line["program"].as_str().expect("program").to_string(),
                line["subprogram"].as_str().expect("subprogram").to_string(),
            );
            let paid: i64 = line["payments"].as_array().expect("payments")[..3]
                .iter()
                .map(|m| m.as_i64().expect("tiyn"))
                .sum();
            let group = groups.entry(key).or_default();
            group.0 += line["approved"].as_i64().expect("approved");
            group.1 += paid;
        }
    }
    assert!(!groups.is_empty(), "the school's plan is approved");
    let tenge = |tiyn: i64| format!("{},{:02}", tiyn / 100, tiyn % 100);
    let mut csv = String::from(
        "Форма 1-27\nАБП;Программа;Подпрограмма;Утвержденный бюджет;Уточненный бюджет;Скорректированный бюджет;План на период;Кассовые расходы\n",
    );
    for (i, ((program, subprogram), (annual, period))) in groups.iter().enumerate() {
        // The first program's plan of the period is 1 000 tenge short of the system's.
        let period = if i == 0 { period - 100_000 } else { *period };
        csv += &format!(
            "261;{program};{subprogram};{a};{a};{a};{p};0\n",
            a = tenge(*annual),
            p = tenge(period)
        );
    }
    let at = FormAt {
        form: "1-27",
        org: edu,
        date: "2027-03-31",
        file_name: None,
    };
    let post = |body: String| post_treasury(app, abp, at, body);
    let (status, error) = post(csv.replace("261;", "999;")).await;
    assert_eq!(
        status, 422,
        "an administrator unknown to the classification"
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("999"),
        "{error}"
    );
    let (status, form) = post(csv.clone()).await;
    assert_eq!(status, 201, "{form}");
    let (status, report) = get_json(
        app,
        abp,
        &format!(
            "/reports/reconcile-plan-127?treasury={}&format=json",
            form["id"]
        ),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), groups.len(), "{report}");
    let first = groups.values().next().expect("a group");
    assert_eq!(
        rows[0][4].as_i64(),
        Some(first.0),
        "the system's annual plan"
    );
    assert_eq!(rows[0][5].as_i64(), Some(0), "the annual amounts agree");
    assert_eq!(
        rows[0][7].as_i64(),
        Some(first.1),
        "the system's plan to March"
    );
    assert_eq!(
        rows[0][8].as_i64(),
        Some(-100_000),
        "the planted difference"
    );
    assert!(
        report["footer"].to_string().contains(": 1."),
        "one row differs: {report}"
    );
    let (_, failures) = get_json(
        app,
        abp,
        &format!(
            "/reports/reconcile-plan-127?treasury={}&failures=1&format=json",
            form["id"]
        ),
    )
    .await;
    assert_eq!(
        failures["rows"].as_array().map(Vec::len),
        Some(1),
        "{failures}"
    );
}

/// EX-1: the oblast's plan of receipts for 2027 from the approved annual amounts of its codes;
/// codes unknown to the classification and broken months refused with the code named; the
/// planner shapes and approves it; its execution to March set against form 2-19 to the tiyn.
async fn receipt_plans(app: &TestApp, f219: i64) {
    let planner = app.token("planner").await;
    let economist = app.token("economist.school5").await;
    let auditor = app.token("auditor").await;
    let oblast = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    // The 2-19 sample's annual plans, in tiyn.
    let annual = [
        ("101101", 2_002_677_600_000_i64),
        ("101201", 6_791_855_800_000),
        ("103101", 5_250_291_800_000),
        ("104101", 2_498_716_600_000),
    ];
    let lines: Vec<Value> = annual
        .iter()
        .map(|(code, tiyn)| json!({"code": code, "annual": tiyn}))
        .collect();
    let body = |lines: &[Value]| json!({"org_id": oblast, "year": 2027, "lines": lines});
    let (status, _) = send_json(app, "post", "/receipt-plans", &economist, body(&lines)).await;
    assert_eq!(status, 403, "a school does not plan the oblast's receipts");
    let mut unknown = lines.clone();
    unknown.push(json!({"code": "199101", "annual": 100}));
    let (status, error) = send_json(app, "post", "/receipt-plans", &planner, body(&unknown)).await;
    assert_eq!(status, 422, "{error}");
    assert!(error.to_string().contains("199101"), "{error}");
    let (status, plan) = send_json(app, "post", "/receipt-plans", &planner, body(&lines)).await;
    assert_eq!(status, 201, "{plan}");
    let id = plan["id"].as_i64().expect("id");
    let version = plan["version"].as_i64().expect("version");
    let months: i64 = plan["lines"][0]["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| m.as_i64().expect("tiyn"))
        .sum();
    assert_eq!(months, annual[0].1, "spread evenly, to the tiyn");

    // January's receipts of the first code move 1 000 tenge to February; a month off refused.
    let mut edited = plan["lines"].clone();
    let jan = edited[0]["months"][0].as_i64().expect("jan");
    let feb = edited[0]["months"][1].as_i64().expect("feb");
    edited[0]["months"][0] = json!(jan - 100_000);
    let (status, error) = send_json(
        app,
        "put",
        &format!("/receipt-plans/{id}"),
        &planner,
        json!({"version": version, "lines": edited}),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert!(error.to_string().contains("101101"), "{error}");
    edited[0]["months"][1] = json!(feb + 100_000);
    let (status, saved) = send_json(
        app,
        "put",
        &format!("/receipt-plans/{id}"),
        &planner,
        json!({"version": version, "lines": edited}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let (status, _) = send_json(
        app,
        "put",
        &format!("/receipt-plans/{id}"),
        &planner,
        json!({"version": version, "lines": edited}),
    )
    .await;
    assert_eq!(status, 409, "saved over a version someone else changed");
    let version = saved["version"].as_i64().expect("version");
    let (status, _) = send_json(
        app,
        "post",
        &format!("/receipt-plans/{id}/approve"),
        &auditor,
        json!({"version": version}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, approved) = send_json(
        app,
        "post",
        &format!("/receipt-plans/{id}/approve"),
        &planner,
        json!({"version": version}),
    )
    .await;
    assert_eq!(
        (status, approved["status"].as_str()),
        (200, Some("approved")),
        "{approved}"
    );
    let (status, _) = send_json(
        app,
        "put",
        &format!("/receipt-plans/{id}"),
        &planner,
        json!({"version": approved["version"], "lines": edited}),
    )
    .await;
    assert_eq!(status, 422, "an approved plan is frozen");

    // Execution to 1 April: January–March of the plan against the 2-19's receipts.
    let (status, report) = get_json(
        app,
        &planner,
        &format!("/reports/receipts-execution?receipt_plan={id}&f219={f219}&format=json"),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 4, "{report}");
    assert_eq!(rows[0][0], "101101");
    // The code's name (issue 21): the classification's subclass 1 01 1.
    assert_eq!(rows[0][1], "Корпоративный подоходный налог", "{report}");
    let quarter = |tiyn: i64| tiyn / 12 * 3;
    assert_eq!(
        rows[0][4].as_i64(),
        Some(quarter(annual[0].1)),
        "the plan Jan–Mar"
    );
    assert_eq!(
        rows[0][5].as_i64(),
        Some(552_611_445_400),
        "the 2-19's receipts"
    );
    assert_eq!(
        report["total"][5].as_i64(),
        Some(5_221_460_113_700),
        "the 2-19's total to the tiyn"
    );
    let (status, by_month) = get_json(
        app,
        &planner,
        &format!("/reports/receipt-plan?receipt_plan={id}&format=json"),
    )
    .await;
    assert_eq!(status, 200, "{by_month}");
    assert_eq!(
        by_month["total"][3].as_i64(),
        Some(annual.iter().map(|(_, t)| t).sum::<i64>())
    );
    let page = app
        .signed_in("planner")
        .await
        .get(app.url(&format!("/receipt-plans/{id}?lang=kk")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("101101") && page.contains("кірістер"),
        "{page}"
    );
}

/// EX-R 22-23: the cash execution of the education administrator's 5-52 and the budget's
/// structure (its 2-19 receipts with the 5-52 expenses) go to the Region passport portal; the
/// portal gets totals equal to the forms' to the tiyn; each attempt is listed.
async fn region_passport(app: &TestApp, abp: &str, f219: i64) {
    let (_, forms) = get_json(app, abp, "/execution/treasury").await;
    let f552 = forms
        .as_array()
        .expect("forms")
        .iter()
        .find(|f| f["form"] == "5-52")
        .expect("the 5-52")["id"]
        .as_i64()
        .expect("id");
    let auditor = app.token("auditor").await;
    let body = |kind: &str, f219: Option<i64>| json!({"kind": kind, "f552": f552, "f219": f219});
    let (status, _) = send_json(
        app,
        "post",
        "/execution/passport",
        &auditor,
        body("cash_execution", None),
    )
    .await;
    assert_eq!(status, 403, "the auditor reads, does not publish");
    let (status, error) = send_json(
        app,
        "post",
        "/execution/passport",
        abp,
        body("budget_structure", None),
    )
    .await;
    assert_eq!(status, 422, "the structure needs a 2-19: {error}");
    let (status, sent) = send_json(
        app,
        "post",
        "/execution/passport",
        abp,
        body("cash_execution", None),
    )
    .await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["status"], "sent");
    assert!(
        sent["remote_id"]
            .as_str()
            .unwrap_or_default()
            .starts_with("RP-"),
        "{sent}"
    );
    let (status, structure) = send_json(
        app,
        "post",
        "/execution/passport",
        abp,
        body("budget_structure", Some(f219)),
    )
    .await;
    assert_eq!(status, 201, "{structure}");
    let received = app.passport.received();
    assert_eq!(received.len(), 2);
    let (_, report) = get_json(
        app,
        abp,
        &format!("/reports/cash-execution-552?treasury={f552}&format=json"),
    )
    .await;
    let all = |r: &jospar_passport::PassportReport, section: &str| {
        r.totals
            .iter()
            .find(|(s, _)| s == section)
            .map(|(_, t)| *t)
            .expect("section")
    };
    assert_eq!(
        Some(all(&received[0], "all").executed),
        report["total"][6].as_i64(),
        "the portal's executed total is the 5-52's: {report}"
    );
    assert_eq!(
        all(&received[1], "receipts").executed,
        5_221_460_113_700,
        "the 2-19's receipts to the tiyn"
    );
    assert_eq!(all(&received[1], "expenses"), all(&received[0], "all"));
    // EX-R 22-23 in the catalogue: the same rows and totals the portal took.
    let (status, preview) = get_json(
        app,
        abp,
        &format!(
            "/reports/region-passport?kind=budget_structure&f552={f552}&f219={f219}&format=json"
        ),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        preview["rows"].as_array().map(Vec::len),
        Some(received[1].rows.len())
    );
    assert_eq!(
        preview["total"][5].as_i64(),
        Some(all(&received[1], "all").executed),
        "{preview}"
    );
    let (status, _) = get_json(
        app,
        &app.token("economist.school5").await,
        &format!("/reports/region-passport?kind=cash_execution&f552={f552}&format=json"),
    )
    .await;
    assert_eq!(
        status, 403,
        "the school does not read the administrator's forms"
    );
    let (_, list) = get_json(app, abp, "/execution/passport").await;
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    let page = app
        .signed_in("abp.edu")
        .await
        .get(app.url("/execution/passport?lang=ru"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("принят порталом") && page.contains("Структура бюджета"),
        "{page}"
    );
}
