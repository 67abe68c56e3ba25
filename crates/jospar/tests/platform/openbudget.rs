//! The open budget (OB-1…OB-5) on the story's data: the education administrator
//! publishes the passport of program 003 from its approved budget requests; anyone reads it;
//! people signed in with their signature vote and propose; the operator moderates; the
//! administrator answers; when the period is over, the final report has every field.

use crate::app::TestApp;
use crate::execution::{get_json, xlsx_sheet};
use crate::story::send_json;
use jospar_eds::testkit::{KeyAlgorithm, Person, TestCa};
use serde_json::{Value, json};

/// The challenge a page carries for NCALayer.
fn nonce_of(page: &str) -> String {
    crate::app::hidden(page, "nonce")
}

fn csrf_of(page: &str) -> String {
    crate::app::hidden(page, "csrf")
}

/// A person signs in on the public part with a key of `ca`: the status of the answer.
async fn sign_in(app: &TestApp, client: &reqwest::Client, ca: &TestCa, iin: &str) -> u16 {
    let page = client
        .get(app.url("/open-budget/sign-in"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    let nonce = nonce_of(&page);
    let key = ca
        .issue(&Person::individual(iin, "Жители Актау", KeyAlgorithm::P256))
        .expect("key");
    let cms = jospar_eds::testkit::cms_pem(
        &key.sign_detached(&jospar_org::auth::challenge_data(&nonce))
            .expect("sign"),
    );
    client
        .post(app.url("/open-budget/sign-in?lang=ru"))
        .form(&[
            ("nonce", nonce.as_str()),
            ("cms", cms.as_str()),
            ("next", "/open-budget"),
        ])
        .send()
        .await
        .expect("sign in")
        .status()
        .as_u16()
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text")
}

/// Posts a public form of the document's page: the status and the page that answers.
async fn post_form(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, String)],
) -> (u16, String) {
    let response = client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .expect("post");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// OB-1: audit results received on a day are due 15 working days later; the statements of a
/// year by 5 July of the next; a publication is registered, then published with its file, which
/// anyone downloads.
async fn publications(app: &TestApp, abp: &str, edu: i64) {
    let economist = app.token("economist.school5").await;
    let path = "/open-budget/publications";
    let audit = |received: Option<&str>| {
        json!({"org_id": edu, "kind": "audit_results", "year": 2026,
               "title_ru": "Результаты аудита управления образования",
               "title_kk": "Білім басқармасының аудит нәтижелері", "received_on": received})
    };
    let (status, _) = send_json(app, "post", path, &economist, audit(Some("2026-03-13"))).await;
    assert_eq!(status, 403);
    let (status, error) = send_json(app, "post", path, abp, audit(None)).await;
    assert_eq!(
        status, 422,
        "audit results need their day of receipt: {error}"
    );
    let (status, registered) = send_json(app, "post", path, abp, audit(Some("2026-03-13"))).await;
    assert_eq!(status, 201, "{registered}");
    let calendar = app.db.working_calendar().await.expect("calendar");
    let received = chrono::NaiveDate::from_ymd_opt(2026, 3, 13).expect("date");
    assert_eq!(
        registered["due_on"],
        calendar.add_working_days(received, 15).to_string()
    );
    let mut statements = audit(None);
    statements["kind"] = json!("financial_statements");
    let (status, cfs) = send_json(app, "post", path, abp, statements).await;
    assert_eq!(
        (status, cfs["due_on"].as_str()),
        (201, Some("2027-07-05")),
        "{cfs}"
    );
    // Past its day and unpublished: late.
    let (_, listed) = get_json(app, abp, path).await;
    let row = listed
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["publication"]["id"] == registered["id"])
        .expect("listed")
        .clone();
    assert_eq!(row["late"], true, "{row}");
    let public: Value = reqwest::Client::new()
        .get(app.url("/api/v1/open-budget/publications"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(public, json!([]), "nothing published yet");
    let response = reqwest::Client::new()
        .post(app.url(&format!(
            "/api/v1/open-budget/publications/{}/file",
            registered["id"]
        )))
        .query(&[("file_name", "аудит 2026.pdf")])
        .bearer_auth(abp)
        .body(b"%PDF-1.4 audit".to_vec())
        .send()
        .await
        .expect("publish");
    assert_eq!(response.status().as_u16(), 200);
    let file = TestApp::client()
        .get(app.url(&format!(
            "/open-budget/publications/{}/file",
            registered["id"]
        )))
        .send()
        .await
        .expect("file");
    assert_eq!(file.status().as_u16(), 200);
    assert_eq!(
        file.bytes().await.expect("bytes").as_ref(),
        b"%PDF-1.4 audit"
    );
    let list = page(&TestApp::client(), app, "/open-budget").await;
    assert!(
        list.contains("Результаты аудита управления образования"),
        "{list}"
    );
}

pub async fn open_budget(app: &TestApp) {
    let abp = app.token("abp.edu").await;
    let economist = app.token("economist.school5").await;
    let admin = app.token("admin").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let passport = |program: &str, ends_on: Option<&str>| {
        json!({"kind": "passport", "org_id": edu, "program": program, "year": 2027,
               "title_ru": "Общеобразовательное обучение", "title_kk": "Жалпы білім беру",
               "summary_ru": "Цель: доступное качественное школьное образование.",
               "summary_kk": "Мақсаты: қолжетімді сапалы мектептегі білім.",
               "head": "Заместитель руководителя управления", "ends_on": ends_on})
    };
    let path = "/open-budget/documents";
    let (status, _) = send_json(app, "post", path, &economist, passport("003", None)).await;
    assert_eq!(
        status, 403,
        "a school does not publish for its administrator"
    );
    let today = chrono::Utc::now().date_naive();
    let (status, error) = send_json(
        app,
        "post",
        path,
        &abp,
        passport("003", Some(&(today + chrono::Days::new(3)).to_string())),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["message"].to_string().contains("10 рабочих дней"),
        "{error}"
    );
    let (status, error) = send_json(app, "post", path, &abp, passport("999", None)).await;
    assert_eq!(status, 422, "no planning data: {error}");
    let mut late = passport("003", None);
    late["kind"] = json!("report");
    late["year"] = json!(2020);
    let (status, error) = send_json(app, "post", path, &abp, late).await;
    assert_eq!(
        status, 422,
        "a report on 2020 was due by 1 April 2021: {error}"
    );
    let (status, doc) = send_json(app, "post", path, &abp, passport("003", None)).await;
    assert_eq!(status, 201, "{doc}");
    publications(app, &abp, edu).await;
    // An implementation report carries its materials; anyone downloads them.
    let mut report = passport("003", None);
    report["kind"] = json!("report");
    report["materials"] = json!([{"file_name": "акт ввода.pdf", "content": "JVBERi0xLjQgYWt0"}]);
    let (status, with_materials) = send_json(app, "post", path, &abp, report).await;
    assert_eq!(status, 201, "{with_materials}");
    let shown = page(
        &TestApp::client(),
        app,
        &format!("/open-budget/{}", with_materials["id"]),
    )
    .await;
    let link = shown
        .split("href=\"/open-budget/materials/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no material link: {shown}"))
        .to_string();
    assert!(shown.contains("акт ввода.pdf"));
    let material = TestApp::client()
        .get(app.url(&format!("/open-budget/materials/{link}")))
        .send()
        .await
        .expect("material")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(material.as_ref(), b"%PDF-1.4 akt");
    let id = doc["id"].as_i64().expect("id");
    let calendar = app.db.working_calendar().await.expect("calendar");
    assert_eq!(
        doc["ends_on"],
        calendar.add_working_days(today, 10).to_string(),
        "ten working days"
    );
    assert!(
        doc["figures"].as_array().is_some_and(|f| !f.is_empty()),
        "figures from the approved requests: {doc}"
    );
    // BP-14: the program went to the open-budgets portal, in tiyn, both languages.
    assert!(
        doc["portal_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("OB-2027-")),
        "{doc}"
    );
    let uploaded = app.open_budgets.received();
    let program = uploaded.last().expect("uploaded");
    assert_eq!(
        (
            program.administrator_code.as_str(),
            program.program.as_str()
        ),
        ("261", "003")
    );
    assert_eq!(program.title_kk, "Жалпы білім беру");
    let first_year: i64 = doc["figures"][0]["years"]
        .as_object()
        .and_then(|y| y.values().next())
        .and_then(Value::as_i64)
        .expect("amount");
    assert_eq!(
        program.subprograms[0].years[0].1, first_year,
        "the same tiyn"
    );
    let (status, again) = send_json(
        app,
        "post",
        &format!("/open-budget/documents/{}/upload", doc["id"]),
        &abp,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(app.open_budgets.received().len(), uploaded.len() + 1);

    // Anyone reads it, without signing in.
    let public = reqwest::Client::new();
    let listed: Value = public
        .get(app.url("/api/v1/open-budget/documents"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert!(
        listed
            .as_array()
            .is_some_and(|l| l.iter().any(|d| d["id"] == id))
    );
    let anonymous = TestApp::client();
    let shown = page(&anonymous, app, &format!("/open-budget/{id}")).await;
    assert!(shown.contains("Общеобразовательное обучение"), "{shown}");
    assert!(
        shown.contains("id=\"ob-sign-in\""),
        "a sign-in link, no vote buttons"
    );
    let (status, _) = post_form(
        &anonymous,
        app,
        &format!("/open-budget/{id}/vote"),
        &[("csrf", String::new()), ("value", "for".into())],
    )
    .await;
    assert_eq!(status, 422, "a vote needs a signature sign-in");

    // A forged signature (a key of a CA nobody trusts) does not sign in.
    let stranger_ca = TestCa::new("FORGED CA", KeyAlgorithm::P256).expect("ca");
    let forged = TestApp::client();
    assert_eq!(
        sign_in(app, &forged, &stranger_ca, "900101300123").await,
        401
    );

    let first = TestApp::client();
    assert_eq!(sign_in(app, &first, &app.ca, "900101300123").await, 303);
    let shown = page(&first, app, &format!("/open-budget/{id}")).await;
    let csrf = csrf_of(&shown);
    let vote = |value: &str, proposal: Option<i64>| {
        let mut form = vec![("csrf", csrf.clone()), ("value", value.to_string())];
        if let Some(p) = proposal {
            form.push(("proposal", p.to_string()));
        }
        form
    };
    let vote_path = format!("/open-budget/{id}/vote");
    let (status, _) = post_form(&first, app, &vote_path, &vote("for", None)).await;
    assert_eq!(status, 303);
    let (status, again) = post_form(&first, app, &vote_path, &vote("against", None)).await;
    assert_eq!(status, 422, "one vote a person");
    assert!(again.contains("уже голосовали"), "{again}");

    let propose_path = format!("/open-budget/{id}/proposals");
    let proposal = |text: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("part", "expenses".to_string()),
            ("text", text.to_string()),
        ]
    };
    for (text, why) in [
        ("Авторы паспорта — идиоты".to_string(), "недопустимо"),
        ("Подробности на www.example.kz".to_string(), "ссылки"),
        ("о".repeat(1001), "1001"),
    ] {
        let (status, answer) = post_form(&first, app, &propose_path, &proposal(&text)).await;
        assert_eq!(status, 422, "{why}");
        assert!(answer.contains(why), "{why}: {answer}");
    }
    let good = "Предлагаю предусмотреть средства на ремонт спортзала школы №5 в 2028 году.";
    let (status, _) = post_form(&first, app, &propose_path, &proposal(good)).await;
    assert_eq!(status, 303);
    let (status, _) = post_form(
        &first,
        app,
        &propose_path,
        &proposal("Нужно больше кружков робототехники в сельских школах района."),
    )
    .await;
    assert_eq!(status, 303);

    // Not public before the operator publishes it.
    let (_, shown) = get_json(app, &economist, &format!("/open-budget/documents/{id}")).await;
    assert_eq!(shown["proposals"], json!([]), "{shown}");
    let (status, pending) = get_json(app, &admin, "/open-budget/proposals/pending").await;
    assert_eq!(status, 200);
    let pending = pending.as_array().expect("pending").clone();
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert_eq!(
        pending[0]["due"],
        calendar.add_working_days(today, 2).to_string()
    );
    let (status, _) = get_json(app, &abp, "/open-budget/proposals/pending").await;
    assert_eq!(status, 403, "the operator moderates, not the administrator");
    let first_id = pending[0]["proposal"]["id"].as_i64().expect("id");
    let second_id = pending[1]["proposal"]["id"].as_i64().expect("id");
    let moderate = |id: i64| format!("/open-budget/proposals/{id}/moderate");
    let (status, _) = send_json(
        app,
        "post",
        &moderate(second_id),
        &admin,
        json!({"publish": false}),
    )
    .await;
    assert_eq!(status, 422, "a refusal needs its reason");
    let (status, _) = send_json(
        app,
        "post",
        &moderate(second_id),
        &admin,
        json!({"publish": false, "reason": "не относится к программе 003"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send_json(
        app,
        "post",
        &moderate(first_id),
        &admin,
        json!({"publish": true}),
    )
    .await;
    assert_eq!(status, 200);

    // Votes on the published proposal, one each.
    let (status, _) = post_form(&first, app, &vote_path, &vote("for", Some(first_id))).await;
    assert_eq!(status, 303);
    let (status, _) = post_form(&first, app, &vote_path, &vote("for", Some(second_id))).await;
    assert_eq!(status, 422, "a refused proposal is not voted on");
    let second = TestApp::client();
    assert_eq!(sign_in(app, &second, &app.ca, "880202400456").await, 303);
    let shown = page(&second, app, &format!("/open-budget/{id}")).await;
    let csrf2 = csrf_of(&shown);
    assert!(shown.contains("ремонт спортзала"), "published: {shown}");
    let (status, _) = post_form(
        &second,
        app,
        &vote_path,
        &[
            ("csrf", csrf2.clone()),
            ("value", "against".into()),
            ("proposal", first_id.to_string()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _) = post_form(
        &second,
        app,
        &vote_path,
        &[("csrf", csrf.clone()), ("value", "for".into())],
    )
    .await;
    assert_eq!(status, 403, "another person's form token");

    // The administrator answers the published proposal, once.
    let answer = format!("/open-budget/proposals/{first_id}/answer");
    let (status, _) = send_json(
        app,
        "post",
        &answer,
        &economist,
        json!({"accepted": true, "text": "учтём"}),
    )
    .await;
    assert_eq!(status, 403);
    let reply = json!({"accepted": true, "text": "Учтено в заявке на 2028 год"});
    let (status, _) = send_json(app, "post", &answer, &abp, reply.clone()).await;
    assert_eq!(status, 200);
    let (status, _) = send_json(app, "post", &answer, &abp, reply).await;
    assert_eq!(status, 422, "answered already");
    let (status, early) = get_json(
        app,
        &abp,
        &format!("/reports/discussion-final-report?document={id}&format=json"),
    )
    .await;
    assert_eq!(
        status, 422,
        "no final report while the discussion lasts: {early}"
    );

    // The period runs out (the day is moved back, as time would): no more votes; the final report.
    let yesterday = today - chrono::Days::new(1);
    end_discussion(app, id, yesterday).await;
    let (status, ended) = post_form(
        &second,
        app,
        &vote_path,
        &[("csrf", csrf2), ("value", "for".into())],
    )
    .await;
    assert_eq!(status, 422);
    assert!(ended.contains("Обсуждение завершилось"), "{ended}");
    // The server's hourly pass makes the report and keeps it, before anyone asks for it.
    let made = jospar_openbudget::usecases::make_final_reports(&app.db, today)
        .await
        .expect("pass");
    assert!(made >= 1, "{made}");
    let (_, kept) = get_json(app, &abp, &format!("/open-budget/documents/{id}")).await;
    assert!(kept["document"]["final_report"].is_object(), "{kept}");
    let (status, report) = get_json(
        app,
        &abp,
        &format!("/reports/discussion-final-report?document={id}&format=json"),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let subtitle = report["subtitle"].to_string();
    for field in [
        "Всего голосов «за» документ: 1",
        "Всего голосов «против» документа: 0",
        "Всего предложений: 2",
        "Всего голосов «за» (предложения): 1",
        "Всего голосов «против» (предложения): 1",
        "Вид бюджета: местный бюджет",
        "Руководитель бюджетной программы: Заместитель руководителя управления",
        "Уникальный номер: БП-261-003-2027",
    ] {
        assert!(subtitle.contains(field), "{field}: {subtitle}");
    }
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "only the published proposal: {report}");
    assert_eq!(rows[0][2], "Расходы");
    assert_eq!(rows[0][4], "Принято: Учтено в заявке на 2028 год");
    assert_eq!(
        (rows[0][5].as_str(), rows[0][6].as_str()),
        (Some("1"), Some("1"))
    );
    let sheet = xlsx_sheet(
        app,
        &abp,
        &format!("discussion-final-report?document={id}&format=xlsx&lang=kk"),
    )
    .await;
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.iter().any(|c| c.contains("Барлық ұсыныстар: 2")),
        "{text:?}"
    );
}

/// Moves a discussion's last day, as the calendar would.
async fn end_discussion(app: &TestApp, id: i64, day: chrono::NaiveDate) {
    jospar_store::exec_db!(&app.db, pool => sqlx::query("UPDATE ob_documents SET ends_on = $1 WHERE id = $2")
        .bind(day).bind(id).execute(pool).await)
    .expect("moved");
}
