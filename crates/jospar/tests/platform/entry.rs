//! Entry of a budget request as a new user meets it (issue 21), on both engines: lines are
//! picked from named codes — the programs whose limits reached the school, their subprograms,
//! the specifics a calculation form serves — and a code outside them is refused naming its
//! field; a line is deleted while the request is in work, audited with what it held; a second
//! request of the same kind is refused with a link to the first.

use crate::app::{Engine, TestApp, spawn};
use crate::story::send_json;
use serde_json::{Value, json};

async fn request_lines_are_picked_named_and_deleted(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    // The demo's budget year: the school's plan stands returned by its administrator.
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");
    let economist = app.token("economist.school5").await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let (_, requests) = send_json(&app, "get", "/requests", &economist, Value::Null).await;
    let request = requests
        .as_array()
        .and_then(|list| list.first())
        .unwrap_or_else(|| panic!("the school's request: {requests}"))
        .clone();
    let id = request["id"].as_i64().expect("id");
    let version = request["version"].as_i64().expect("version");
    let campaign = request["campaign_id"].clone();
    let new_plan = json!({"campaign_id": campaign, "org_id": school, "kind": "plan"});

    // The choices: the programs of the school's limits, each named, with its subprograms.
    let (status, choices) = send_json(
        &app,
        "get",
        &format!("/requests/{id}/line-choices"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{choices}");
    let program = choices["programs"]
        .as_array()
        .expect("programs")
        .iter()
        .find(|p| p["code"] == "003")
        .expect("program 003 reached the school");
    assert_eq!(program["name"], "Общеобразовательное обучение", "{choices}");
    assert!(
        choices["subprograms"]["003"]
            .as_array()
            .is_some_and(|list| list.iter().any(|s| s["code"] == "015")),
        "{choices}"
    );
    assert!(
        choices["specifics"]
            .as_array()
            .is_some_and(|list| list.iter().any(|s| s["code"] == "111" && s["name"] != "")),
        "{choices}"
    );

    // Codes outside the choices are refused naming the field.
    for (line, field) in [
        (json!({"program": "777", "specific": "111"}), "program"),
        (
            json!({"program": "003", "subprogram": "999", "specific": "111"}),
            "subprogram",
        ),
        (json!({"program": "003", "specific": "999"}), "specific"),
    ] {
        let mut body = line.clone();
        body["version"] = json!(version);
        let (status, refusal) = send_json(
            &app,
            "post",
            &format!("/requests/{id}/lines"),
            &economist,
            body,
        )
        .await;
        assert_eq!(
            (status, refusal["field"].as_str()),
            (422, Some(field)),
            "{line}: {refusal}"
        );
    }
    let (status, line) = send_json(
        &app,
        "post",
        &format!("/requests/{id}/lines"),
        &economist,
        json!({"version": version, "program": "003", "subprogram": "015", "specific": "111"}),
    )
    .await;
    assert_eq!(status, 201, "{line}");
    let line_id = line["id"].as_i64().expect("line");

    // The page names every code of the line and offers its deletion.
    let pages = app.signed_in("economist.school5").await;
    let page = pages
        .get(app.url(&format!("/requests/{id}?lang=ru")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("Общеобразовательное обучение")
            && page.contains("За счет средств местного бюджета")
            && page.contains(&format!("id=\"line-delete-{line_id}\""))
            && page.contains("<select id=\"l-program\""),
        "{page}"
    );

    // A second plan of the school in the campaign is refused, linking the first.
    let refused = pages
        .post(app.url("/requests?lang=ru"))
        .form(&[
            ("csrf", crate::app::hidden(&page, "csrf").as_str()),
            ("campaign_id", campaign.to_string().as_str()),
            ("org_id", school.to_string().as_str()),
            ("kind", "plan"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.expect("text");
    assert!(
        refused.contains(&format!("href=\"/requests/{id}\" id=\"request-twin\"")),
        "{refused}"
    );
    let (status, _) = send_json(&app, "post", "/requests", &economist, new_plan).await;
    assert_eq!(status, 422);

    // A stale deletion is refused; the page's deletion removes the line, audited.
    let (status, _) = send_json(
        &app,
        "delete",
        &format!("/requests/{id}/lines/{line_id}?version={version}"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 409);
    let deleted = pages
        .post(app.url(&format!("/requests/{id}/lines/{line_id}/delete")))
        .form(&[
            ("csrf", crate::app::hidden(&page, "csrf").as_str()),
            ("version", (version + 1).to_string().as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(deleted.status(), 303);
    let (_, after) = send_json(
        &app,
        "get",
        &format!("/requests/{id}"),
        &economist,
        Value::Null,
    )
    .await;
    assert!(
        after["lines"]
            .as_array()
            .is_some_and(|lines| lines.iter().all(|l| l["id"] != line_id)),
        "{after}"
    );
    assert_eq!(after["request"]["version"], version + 2, "{after}");

    // A whole year of every line through the API (issue 21): all or nothing, a refusal names
    // the line.
    let kept_line = after["lines"][0]["id"].as_i64().expect("the demo's line");
    let year = |staff: &str| {
        json!({"version": version + 2, "lines": [{"line_id": kept_line, "rows": [
            {"position": "Учитель", "staff_units": staff, "salary": "300 000", "months": "12"}]}]})
    };
    let path = format!("/requests/{id}/years/2027");
    let (status, refused) = send_json(&app, "put", &path, &economist, year("десять")).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some(format!("line-{kept_line}-2027").as_str())),
        "{refused}"
    );
    let (status, saved) = send_json(&app, "put", &path, &economist, year("11")).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["lines"][0]["amounts"]["2027"].as_i64(),
        Some(11 * 300_000 * 12 * 100),
        "{saved}"
    );
    let (_, audit) = send_json(
        &app,
        "get",
        &format!("/audit?entity=request_line&entity_id={line_id}"),
        &app.token("admin").await,
        Value::Null,
    )
    .await;
    let deletion = audit
        .as_array()
        .expect("audit")
        .iter()
        .find(|e| e["action"] == "delete")
        .unwrap_or_else(|| panic!("no deletion in {audit}"));
    assert!(
        deletion["old_value"].to_string().contains("015"),
        "{deletion}"
    );
}

#[tokio::test]
async fn request_lines_are_picked_named_and_deleted_sqlite() {
    request_lines_are_picked_named_and_deleted(Engine::Sqlite).await;
}

#[tokio::test]
async fn request_lines_are_picked_named_and_deleted_postgres() {
    request_lines_are_picked_named_and_deleted(Engine::Postgres).await;
}

/// The head of the school names its economist acting head for a week on a basis (issue 21):
/// the economist then signs and sends the request, which it could not before; an
/// administrator above may not name acting heads, dates out of order are refused naming the
/// field, and a revoked delegation is kept, marked.
async fn an_acting_head_signs_while_the_delegation_is_in_force(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");
    let economist = app.token("economist.school5").await;
    let head = app.token("head.school5").await;
    let abp = app.token("abp.edu").await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let economist_id = jospar_org::repo::user_by_login(&app.db, "economist.school5")
        .await
        .expect("q")
        .expect("user")
        .id;
    let (_, requests) = send_json(&app, "get", "/requests", &economist, Value::Null).await;
    let id = requests[0]["id"].as_i64().expect("the school's request");
    let signed = app.signed_send(id, "economist.school5", &economist).await;
    let send_path = format!("/requests/{id}/send");
    let (status, _) = send_json(&app, "post", &send_path, &economist, signed.clone()).await;
    assert_eq!(status, 403, "not the head");

    // The head names someone else: the page offers the school's people but the head.
    let head_pages = app.signed_in("head.school5").await;
    let org_page = head_pages
        .get(app.url(&format!("/orgs/{school}?lang=ru")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    let form = org_page
        .split("id=\"delegation-form\"")
        .nth(1)
        .expect("the delegation form");
    assert!(
        form.contains("(economist.school5)") && !form.contains("(head.school5)"),
        "{form}"
    );

    let today = chrono::Utc::now().date_naive();
    let delegation = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        json!({"acting_user_id": economist_id, "valid_from": from, "valid_to": to,
            "basis": "Приказ № 15-к об исполнении обязанностей директора"})
    };
    let path = format!("/orgs/{school}/delegations");
    let week = (
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(6),
    );
    let (status, _) = send_json(&app, "post", &path, &abp, delegation(week.0, week.1)).await;
    assert_eq!(status, 403, "only the head or the system administrator");
    let (status, refused) = send_json(&app, "post", &path, &head, delegation(week.1, week.0)).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("valid_to")),
        "{refused}"
    );
    let (status, named) = send_json(&app, "post", &path, &head, delegation(week.0, week.1)).await;
    assert_eq!(status, 201, "{named}");

    let (status, sent) = send_json(&app, "post", &send_path, &economist, signed).await;
    assert_eq!(
        (status, sent["status"].as_str()),
        (200, Some("sent")),
        "{sent}"
    );

    let (status, _) = send_json(
        &app,
        "delete",
        &format!("{path}/{}", named["id"]),
        &head,
        Value::Null,
    )
    .await;
    assert_eq!(status, 204);
    let (_, listed) = send_json(&app, "get", &path, &economist, Value::Null).await;
    assert_eq!(listed[0]["revoked"], true, "{listed}");
    let (_, audit) = send_json(
        &app,
        "get",
        "/audit?entity=head_delegation",
        &app.token("admin").await,
        Value::Null,
    )
    .await;
    assert_eq!(audit.as_array().map(Vec::len), Some(2), "{audit}");
}

#[tokio::test]
async fn an_acting_head_signs_while_the_delegation_is_in_force_sqlite() {
    an_acting_head_signs_while_the_delegation_is_in_force(Engine::Sqlite).await;
}

#[tokio::test]
async fn an_acting_head_signs_while_the_delegation_is_in_force_postgres() {
    an_acting_head_signs_while_the_delegation_is_in_force(Engine::Postgres).await;
}

/// The charts (issue 21) of the demo's Mangystau report: the page holds both specifications
/// for the browser to draw and the server's PNG of each; the by-group chart's executed amounts
/// add up, to the tiyn, to the latest month of the by-month chart; JPEG and PDF download too.
/// An open-budget document charts its program for anyone; an unknown format is refused.
async fn execution_charts_reconcile_and_download(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    let pages = app.signed_in("planner").await;
    let page = pages
        .get(app.url("/execution?lang=ru"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    let specs: Vec<Value> = page
        .split("data-chart=\"")
        .skip(1)
        .map(|rest| {
            let raw = rest.split('"').next().expect("attribute");
            let json = raw
                .replace("&#34;", "\"")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
        })
        .collect();
    assert_eq!(specs.len(), 2, "{page}");
    let sum = |values: &Value| -> i64 {
        values
            .as_array()
            .expect("values")
            .iter()
            .map(|v| v.as_i64().expect("tiyn"))
            .sum()
    };
    let by_month_executed = specs[0]["series"][1]["values"]
        .as_array()
        .and_then(|v| v.last())
        .and_then(Value::as_i64)
        .expect("the latest month");
    assert_eq!(specs[1]["categories"].as_array().map(Vec::len), Some(15));
    assert_eq!(sum(&specs[1]["series"][1]["values"]), by_month_executed);
    for format in ["png", "jpeg", "pdf"] {
        let src = page
            .split("<img src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the chart's image")
            .replace("&#38;", "&")
            .replace("&amp;", "&")
            .replace("format=png", &format!("format={format}"));
        let image = pages.get(app.url(&src)).send().await.expect("image");
        assert_eq!(image.status(), 200);
        let expected = match format {
            "png" => "image/png",
            "jpeg" => "image/jpeg",
            _ => "application/pdf",
        };
        assert_eq!(
            image.headers()["content-type"].to_str().ok(),
            Some(expected)
        );
        let bytes = image.bytes().await.expect("bytes");
        assert!(bytes.len() > 10_000, "{format}: {} bytes", bytes.len());
    }

    // The open budget's document charts its program by subprogram and year, for everyone.
    jospar::demo::load_treasury_forms(&app.db)
        .await
        .expect("the demo's Treasury forms");
    jospar::demo::load_open_budget(&app.db)
        .await
        .expect("the demo's open budget");
    let public = crate::app::TestApp::client();
    let list = public
        .get(app.url("/open-budget?lang=kk"))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("text");
    let doc = list
        .split("href=\"/open-budget/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|id| id.chars().all(|c| c.is_ascii_digit()))
        .expect("a published document")
        .to_string();
    let shown = public
        .get(app.url(&format!("/open-budget/{doc}?lang=kk")))
        .send()
        .await
        .expect("document")
        .text()
        .await
        .expect("text");
    assert!(
        shown.contains("data-chart=") && shown.contains("бағдарламасы"),
        "{shown}"
    );
    let pdf = public
        .get(app.url(&format!("/open-budget/{doc}/chart?format=pdf&lang=kk")))
        .send()
        .await
        .expect("pdf");
    assert_eq!(
        pdf.headers()["content-type"].to_str().ok(),
        Some("application/pdf")
    );
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF"));
    let refused = public
        .get(app.url(&format!("/open-budget/{doc}/chart?format=bmp")))
        .send()
        .await
        .expect("bmp");
    assert_eq!(refused.status(), 422);
}

#[tokio::test]
async fn execution_charts_reconcile_and_download_sqlite() {
    execution_charts_reconcile_and_download(Engine::Sqlite).await;
}

#[tokio::test]
async fn execution_charts_reconcile_and_download_postgres() {
    execution_charts_reconcile_and_download(Engine::Postgres).await;
}

/// The request's version as the API gives it now.
async fn request_version(app: &crate::app::TestApp, token: &str, id: i64) -> i64 {
    let (_, full) = send_json(app, "get", &format!("/requests/{id}"), token, Value::Null).await;
    full["request"]["version"].as_i64().expect("version")
}

/// Issue 23: every specific of the classification can be planned — a budget credit (511) on
/// its own form, an amount with its borrower and a written justification that cannot be left
/// out; any specific without a form of its own (169) on the general one, quantity × price.
async fn every_specific_can_be_planned(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");
    let economist = app.token("economist.school5").await;
    let (_, requests) = send_json(&app, "get", "/requests", &economist, Value::Null).await;
    let id = requests[0]["id"].as_i64().expect("the school's request");
    let (_, choices) = send_json(
        &app,
        "get",
        &format!("/requests/{id}/line-choices"),
        &economist,
        Value::Null,
    )
    .await;
    let offered: Vec<&str> = choices["specifics"]
        .as_array()
        .expect("specifics")
        .iter()
        .filter_map(|s| s["code"].as_str())
        .collect();
    for code in ["111", "136", "169", "312", "324", "511", "611"] {
        assert!(offered.contains(&code), "{code} in {offered:?}");
    }
    let mut lines = Vec::new();
    for (specific, form) in [("511", "credits"), ("169", "general")] {
        let (status, line) = send_json(
            &app,
            "post",
            &format!("/requests/{id}/lines"),
            &economist,
            json!({"version": request_version(&app, &economist, id).await, "program": "003", "subprogram": "015",
                   "specific": specific}),
        )
        .await;
        assert_eq!(
            (status, line["form_code"].as_str()),
            (201, Some(form)),
            "{line}"
        );
        lines.push(line["id"].as_i64().expect("line"));
    }
    let credit = |justification: &str| {
        json!([{"borrower": "ТОО «Жилстрой»", "justification": justification, "term": "120",
                "amount": "1 500 000 000"}])
    };
    let path = format!("/requests/{id}/lines/{}/years/2027?lang=ru", lines[0]);
    let (status, refused) = send_json(
        &app,
        "put",
        &path,
        &economist,
        json!({"version": request_version(&app, &economist, id).await, "rows": credit("")}),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("Обоснование суммы")),
        "{refused}"
    );
    let (status, saved) = send_json(
        &app,
        "put",
        &path,
        &economist,
        json!({"version": request_version(&app, &economist, id).await,
               "rows": credit("Кредитование жилищного строительства по программе")}),
    )
    .await;
    assert_eq!(
        (status, saved["amount_tiyn"].as_i64()),
        (200, Some(150_000_000_000)),
        "{saved}"
    );
    // 12 × 4 500,50 tenge on the general form.
    let (status, saved) = send_json(
        &app,
        "put",
        &format!("/requests/{id}/lines/{}/years/2027", lines[1]),
        &economist,
        json!({"version": request_version(&app, &economist, id).await,
               "rows": [{"item": "Подписка на периодические издания", "unit": "комплект",
                         "quantity": "12", "price": "4 500,50"}]}),
    )
    .await;
    assert_eq!(
        (status, saved["amount_tiyn"].as_i64()),
        (200, Some(5_400_600)),
        "{saved}"
    );
    let campaign = requests[0]["campaign_id"].as_i64().expect("campaign");
    subsidies_in_appendix_67(&app, &economist, id, campaign).await;
    report_year(&app, &economist, id).await;
    enterprise(&app, campaign).await;
    // P-15: a program the schools' requests still plan is not closed.
    let abp = app.token("abp.edu").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let (status, refused) = send_json(
        &app,
        "post",
        "/code-requests",
        &abp,
        json!({"org_id": edu, "year": 2026, "action": "close", "code": "261 003", "reason": "Программа упраздняется"}),
    )
    .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("code")),
        "{refused}"
    );
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("используется")),
        "{refused}"
    );
}

/// The enterprise scenario (issue 23, BP-13): the kindergarten (a ГККП) asks 10 × 1 000 000
/// tenge for 2027 and carries its revenues — the administrator's state order of 8 000 000 and
/// paid services of 2 500 000. A state order without its counterparty and revenues of a school
/// are refused by name. Appendix 57 by counterparty lists the revenues by counterparty with
/// their total and the expenses and balance under them; appendix 58 by counterparty puts the
/// kindergarten's expenses under its name.
async fn enterprise(app: &TestApp, campaign: i64) {
    let abp = app.token("abp.edu").await;
    let kindergarten = app.org_id("Балдәурен").await;
    // The administrator distributes its program's limits to the kindergarten too.
    let changes: Vec<Value> = [2027, 2028, 2029]
        .iter()
        .map(|year| {
            json!({"org_id": kindergarten, "program": "003", "year": year, "kind": "base",
                           "amount_tiyn": 20 * 100_000_000_i64, "version": 0})
        })
        .collect();
    let (status, limits) = send_json(
        app,
        "put",
        &format!("/campaigns/{campaign}/limits"),
        &abp,
        json!({"changes": changes}),
    )
    .await;
    assert_eq!(status, 200, "{limits}");
    let (status, request) = send_json(
        app,
        "post",
        "/requests",
        &abp,
        json!({"campaign_id": campaign, "org_id": kindergarten, "kind": "plan"}),
    )
    .await;
    assert_eq!(status, 201, "{request}");
    let id = request["id"].as_i64().expect("id");
    let (status, line) = send_json(
        app,
        "post",
        &format!("/requests/{id}/lines"),
        &abp,
        json!({"version": request_version(app, &abp, id).await, "program": "003", "subprogram": "015", "specific": "169"}),
    )
    .await;
    assert_eq!(status, 201, "{line}");
    let line = line["id"].as_i64().expect("line");
    let (status, saved) = send_json(
        app,
        "put",
        &format!("/requests/{id}/lines/{line}/years/2027"),
        &abp,
        json!({"version": request_version(app, &abp, id).await,
               "rows": [{"item": "Питание воспитанников", "unit": "месяц", "quantity": "10", "price": "1 000 000"}]}),
    )
    .await;
    assert_eq!(
        (status, saved["amount_tiyn"].as_i64()),
        (200, Some(1_000_000_000)),
        "{saved}"
    );

    let path = format!("/requests/{id}/revenues");
    let administrator = "Управление образования Мангистауской области";
    let revenues = |counterparty: &str| {
        json!([{"source": "state_order", "counterparty": counterparty, "amounts_tiyn": {"2027": 800_000_000}},
               {"source": "paid_services", "counterparty": "", "amounts_tiyn": {"2027": 250_000_000}}])
    };
    let version = request_version(app, &abp, id).await;
    let (status, refused) = send_json(
        app,
        "put",
        &path,
        &abp,
        json!({"version": version, "revenues": revenues("")}),
    )
    .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("revenues[1].counterparty")),
        "{refused}"
    );
    let (status, saved) = send_json(
        app,
        "put",
        &path,
        &abp,
        json!({"version": version, "revenues": revenues(administrator)}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["administrator"], administrator);
    let economist = app.token("economist.school5").await;
    let (_, requests) = send_json(app, "get", "/requests", &economist, Value::Null).await;
    let school = requests[0]["id"].as_i64().expect("the school's request");
    let (status, refused) = send_json(
        app,
        "put",
        &format!("/requests/{school}/revenues"),
        &economist,
        json!({"version": request_version(app, &economist, school).await, "revenues": revenues(administrator)}),
    )
    .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("revenues")),
        "{refused}"
    );

    let (status, a57) = send_json(
        app,
        "get",
        &format!("/reports/appendix-57?request={id}&counterparty=1&lang=ru"),
        &abp,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{a57}");
    let rows = a57["rows"].as_array().expect("rows");
    // Columns: counterparty, source, 2026, 2027, 2028, 2029.
    assert_eq!(
        (rows[0][0].as_str(), rows[0][3].as_i64()),
        (Some("Потребители платных услуг"), Some(250_000_000))
    );
    assert_eq!(rows[1][1], "Платные услуги");
    assert_eq!(
        (rows[2][0].as_str(), rows[2][3].as_i64()),
        (Some(administrator), Some(800_000_000))
    );
    assert_eq!(rows[3][1], "Государственный заказ администратора");
    assert_eq!(a57["total"][3].as_i64(), Some(1_050_000_000));
    let footer = a57["footer"].to_string();
    let expenses = jospar_core::Tenge::from_tiyn(1_000_000_000).to_string();
    let balance = jospar_core::Tenge::from_tiyn(50_000_000).to_string();
    assert!(
        footer.contains(&format!("2027 — {expenses}"))
            && footer.contains(&format!("2027 — {balance}")),
        "{footer}"
    );

    let edu = app.org_id(administrator).await;
    let (status, a58) = send_json(
        app,
        "get",
        &format!("/reports/appendix-58?campaign={campaign}&org={edu}&counterparty=1&lang=ru"),
        &abp,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{a58}");
    let headers: Vec<&str> = a58["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let col = headers.iter().position(|h| *h == "2027").expect("2027");
    let party = a58["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[3].as_str().is_some_and(|n| n.contains("Балдәурен")))
        .unwrap_or_else(|| panic!("the kindergarten in {a58}"));
    assert_eq!(party[col].as_i64(), Some(1_000_000_000));
    assert_eq!(
        a58["total"][col].as_i64(),
        Some(1_000_000_000),
        "only the enterprises' requests"
    );
}

/// The report (fact) year (issue 23): 2025 for the campaign of 2027–2029. Refused while the
/// school has no cash form of 2025; filled from its form 5-52 at 01.01.2026 (the year's cash
/// expenses of each code of the request — the payroll line without a subprogram takes its
/// program's — zero for the codes the form does not name), a typed
/// figure for another code, a code outside the request refused by name; appendix 57 prints the
/// figures in its first amount column, each to the tiyn, and their total.
async fn report_year(app: &TestApp, economist: &str, id: i64) {
    let path = format!("/requests/{id}/report-year");
    let (status, fy) = send_json(app, "get", &path, economist, Value::Null).await;
    assert_eq!((status, fy["year"].as_i64()), (200, Some(2025)), "{fy}");
    let fill = format!("{path}/from-execution");
    let version = fy["version"].as_i64().expect("version");
    let (status, refused) =
        send_json(app, "post", &fill, economist, json!({"version": version})).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("report_year")),
        "{refused}"
    );

    let school = app.org_id("Общеобразовательная школа №5").await;
    let form = "Отчет о кассовом исполнении бюджета по бюджетным программам (форма 5-52);;;;;;;;\n\
        АБП;Программа;Подпрограмма;Специфика;Наименование;План на год;План на период;Кассовые расходы;Остаток\n\
        261;003;015;111;Оплата труда;31 000 000,00;31 000 000,00;30 987 654,32;12 345,68\n\
        261;003;015;144;Приобретение топлива;2 000 000,00;2 000 000,00;1 999 999,99;0,01\n\
        261;001;015;111;Оплата труда;1 000 000,00;1 000 000,00;1 000 000,00;0,00\n";
    let at = crate::execution::FormAt {
        form: "5-52",
        org: school,
        date: "2026-01-01",
        file_name: None,
    };
    let (status, imported) =
        crate::execution::post_treasury(app, economist, at, form.to_string()).await;
    assert_eq!(status, 201, "{imported}");
    let (status, filled) =
        send_json(app, "post", &fill, economist, json!({"version": version})).await;
    assert_eq!(status, 200, "{filled}");
    let figure = |fy: &Value, specific: &str| {
        fy["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .find(|l| l["program"] == "003" && l["specific"] == specific)
            .map(|l| {
                (
                    l["amount"].as_i64(),
                    l["source"].as_str().map(str::to_string),
                )
            })
            .unwrap_or_else(|| panic!("{specific} in {fy}"))
    };
    assert_eq!(
        figure(&filled, "111"),
        (Some(3_098_765_432), Some("execution".into()))
    );
    assert_eq!(
        figure(&filled, "312").0,
        Some(0),
        "not in the form: executed at zero"
    );
    let version = filled["version"].as_i64().expect("version");
    let typed = |specific: &str, amount: i64| json!({"version": version, "facts": [{"program": "003", "subprogram": "015", "specific": specific, "amount_tiyn": amount}]});
    let (status, refused) = send_json(app, "put", &path, economist, typed("999", 100)).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("fact-003-015-999")),
        "{refused}"
    );
    let (status, saved) = send_json(app, "put", &path, economist, typed("312", 123_456)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(figure(&saved, "312"), (Some(123_456), Some("typed".into())));

    let (status, a57) = send_json(
        app,
        "get",
        &format!("/reports/appendix-57?request={id}&lang=ru"),
        economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{a57}");
    let headers: Vec<&str> = a57["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let fact = headers
        .iter()
        .position(|h| *h == "2025")
        .expect("the report year's column");
    assert_eq!(headers[fact + 1], "2026");
    let expected: i64 = saved["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["amount"].as_i64())
        .sum();
    assert_eq!(expected, 3_098_765_432 + 123_456, "111 and 312 only");
    assert_eq!(a57["total"][fact].as_i64(), Some(expected));
    let row_111 = a57["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[2] == "111")
        .expect("111");
    assert_eq!(row_111[fact].as_i64(), Some(3_098_765_432));

    // Appendix 67 prints the subsidy's executed amount in the report year's column, on a row
    // without recipients; appendix 59 adds the report year by program.
    let school = app.org_id("Общеобразовательная школа №5").await;
    let (_, requests) = send_json(app, "get", "/requests", economist, Value::Null).await;
    let campaign = requests[0]["campaign_id"].as_i64().expect("campaign");
    let report = |code: &str| format!("/reports/{code}?campaign={campaign}&org={school}&lang=ru");
    let (status, a67) = send_json(app, "get", &report("appendix-67"), economist, Value::Null).await;
    assert_eq!(status, 200, "{a67}");
    let unnamed = a67["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[3] == "Исполнено в отчётном году (без разбивки по получателям)")
        .unwrap_or_else(|| panic!("the fact's row in {a67}"));
    assert_eq!(
        (unnamed[5].as_i64(), unnamed[7].as_i64()),
        (Some(123_456), Some(0))
    );
    assert_eq!(a67["total"][5].as_i64(), Some(123_456));
    let (status, a59) = send_json(app, "get", &report("appendix-59"), economist, Value::Null).await;
    assert_eq!(status, 200, "{a59}");
    // Columns: ABP, program, name, 2025 (fact), 2026…2029, purpose.
    assert_eq!(a59["headers"][3], "2025");
    assert_eq!(a59["total"][3].as_i64(), Some(expected));
}

/// Appendix 67 (issue 23) against a hand computation: a subsidy line (312) with two
/// recipients in 2027 and one in 2028 is listed by recipient and direction under its program
/// and specific, each year's amount volume × norm, the total their sum to the tiyn.
async fn subsidies_in_appendix_67(app: &TestApp, economist: &str, id: i64, campaign: i64) {
    let (status, line) = send_json(
        app,
        "post",
        &format!("/requests/{id}/lines"),
        economist,
        json!({"version": request_version(app, economist, id).await, "program": "003", "subprogram": "015",
               "specific": "312", "project": "Поддержка пришкольных хозяйств"}),
    )
    .await;
    assert_eq!(
        (status, line["form_code"].as_str()),
        (201, Some("311")),
        "{line}"
    );
    let line = line["id"].as_i64().expect("line");
    let farm = |volume: &str| {
        json!({"recipient": "КХ «Береке»", "purpose": "Удешевление кормов", "volume": volume,
               "norm": "15 000"})
    };
    let company = json!({"recipient": "ТОО «Агро-Маңғыстау»", "purpose": "Возмещение затрат на семена",
                         "volume": "40", "norm": "25 000,50"});
    for (year, rows) in [
        (2027, json!([farm("120"), company])),
        (2028, json!([farm("130")])),
    ] {
        let (status, saved) = send_json(
            app,
            "put",
            &format!("/requests/{id}/lines/{line}/years/{year}"),
            economist,
            json!({"version": request_version(app, economist, id).await, "rows": rows}),
        )
        .await;
        assert_eq!(status, 200, "{saved}");
    }
    let school = app.org_id("Общеобразовательная школа №5").await;
    let (status, a67) = send_json(
        app,
        "get",
        &format!("/reports/appendix-67?campaign={campaign}&org={school}&lang=ru"),
        economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{a67}");
    assert!(
        a67["number"][0]
            .as_str()
            .is_some_and(|n| n.contains("Приложение 67"))
    );
    let rows = a67["rows"].as_array().expect("rows");
    let find = |recipient: &str| {
        rows.iter()
            .find(|r| r[3] == recipient)
            .unwrap_or_else(|| panic!("{recipient} in {a67}"))
    };
    // Columns: program, subprogram, specific, recipient, purpose, 2025 (fact), 2026, 2027,
    // 2028, 2029.
    let farm = find("КХ «Береке»");
    assert_eq!(farm[4], "Удешевление кормов");
    assert_eq!(
        (farm[7].as_i64(), farm[8].as_i64()),
        (Some(180_000_000), Some(195_000_000))
    );
    let company = find("ТОО «Агро-Маңғыстау»");
    assert_eq!(
        (company[7].as_i64(), company[8].as_i64()),
        (Some(100_002_000), Some(0))
    );
    let specific = rows
        .iter()
        .find(|r| r[2] == "312")
        .expect("the specific's subtotal");
    assert_eq!(specific[7].as_i64(), Some(280_002_000));
    assert_eq!(rows[0][0], "261 003", "the program leads: {a67}");
    assert_eq!(
        (a67["total"][7].as_i64(), a67["total"][8].as_i64()),
        (Some(280_002_000), Some(195_000_000))
    );

    // Appendix 70 of the administrator: the line's activity under its subprogram, with its
    // specific; the total is appendix 58's, the same lines grouped otherwise.
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let abp = app.token("abp.edu").await;
    let report = |code: &str| format!("/reports/{code}?campaign={campaign}&org={edu}&lang=kk");
    let (status, a70) = send_json(app, "get", &report("appendix-70"), &abp, Value::Null).await;
    assert_eq!(status, 200, "{a70}");
    let (_, a58) = send_json(app, "get", &report("appendix-58"), &abp, Value::Null).await;
    let rows = a70["rows"].as_array().expect("rows");
    let activity = rows
        .iter()
        .position(|r| r[3] == "Поддержка пришкольных хозяйств")
        .unwrap_or_else(|| panic!("the activity in {a70}"));
    // Columns: program, subprogram, specific, name, 2025 (fact), 2026, 2027, 2028, 2029.
    assert_eq!(
        (rows[activity][6].as_i64(), rows[activity][7].as_i64()),
        (Some(280_002_000), Some(195_000_000))
    );
    assert_eq!(rows[activity + 1][2], "312", "its specific under it");
    assert_eq!(a70["total"], a58["total"]);
    assert!(
        a70["number"][0]
            .as_str()
            .is_some_and(|n| n.contains("70-қосымша"))
    );
}

#[tokio::test]
async fn every_specific_can_be_planned_sqlite() {
    every_specific_can_be_planned(Engine::Sqlite).await;
}

#[tokio::test]
async fn every_specific_can_be_planned_postgres() {
    every_specific_can_be_planned(Engine::Postgres).await;
}
