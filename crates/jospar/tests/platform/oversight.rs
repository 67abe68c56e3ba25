//! Oversight access (OV-3, OV-4) on SQLite and PostgreSQL: the integrator grants
//! employees of a maslikhat, of an MVD territorial body's internal audit and of Parliament
//! read-only access by the competence table; each reads exactly what the table gives it, can
//! write nothing, and a blocked access reads nothing more.

use crate::app::TestApp;
use crate::execution::get_json;
use crate::story::send_json;
use serde_json::{Value, json};

async fn new_user(app: &TestApp, admin: &str, org: i64, login: &str, iin: &str) -> i64 {
    let (status, user) = send_json(
        app,
        "post",
        "/users",
        admin,
        json!({"org_id": org, "login": login, "iin": iin, "full_name": "Сотрудник контрольного органа",
               "position": "главный специалист", "phone": "+7 701 000 00 00", "email": "a@mail.kz",
               "password": "Long-enough-pass"}),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    user["id"].as_i64().expect("id")
}

/// The BIN of the maslikhat whose employees get oversight access in these tests.
const BODY_BIN: &str = "990140000017";

/// A sign-in page's challenge, as the page gives it to NCALayer.
async fn challenge(client: &reqwest::Client, app: &TestApp) -> String {
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("text");
    page.split("name=\"nonce\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("nonce")
        .to_string()
}

/// Signs in through `/login/eds` with `person`'s key over a fresh challenge (or over `nonce`
/// when given): the status and the page.
async fn eds_login(
    app: &TestApp,
    client: &reqwest::Client,
    person: &jospar_eds::testkit::Person,
    nonce: Option<&str>,
) -> (u16, String, String) {
    let nonce = match nonce {
        Some(n) => n.to_string(),
        None => challenge(client, app).await,
    };
    let key = app.ca.issue(person).expect("key");
    let cms = jospar_eds::testkit::cms_pem(
        &key.sign_detached(&jospar_org::auth::challenge_data(&nonce))
            .expect("sign"),
    );
    // The page's own CSRF token (a fresh page: a replayed challenge stays the old one).
    let csrf = app.login_token(client).await;
    let response = client
        .post(app.url("/login/eds?lang=ru"))
        .form(&[
            ("nonce", nonce.as_str()),
            ("cms", cms.as_str()),
            ("next", "/orgs"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .expect("post");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default(), nonce)
}

/// OV-5: the maslikhat's employee signs in with the maslikhat's legal-entity certificate only;
/// a personal or another body's certificate, an expired one, a replayed challenge and a
/// password are refused, each with its reason.
async fn eds_sign_in(app: &TestApp) {
    use jospar_eds::testkit::{KeyAlgorithm, Person};
    let person = |bin: Option<&str>| {
        let mut p = Person::individual("850101300005", "Сотрудник маслихата", KeyAlgorithm::P256);
        p.organisation = bin.map(|b| ("МАСЛИХАТ МАНГИСТАУСКОЙ ОБЛАСТИ".to_string(), b.to_string()));
        p
    };
    let client = TestApp::client();
    let password = app
        .post_login(
            &client,
            "/login?lang=ru",
            &[
                ("login", "audit.maslikhat"),
                ("password", "Long-enough-pass"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(password.status().as_u16(), 401);
    assert!(
        password
            .text()
            .await
            .unwrap_or_default()
            .contains("только по ЭЦП")
    );

    let (status, page, _) = eds_login(app, &client, &person(None), None).await;
    assert_eq!(status, 401, "a personal certificate is not the body's");
    assert!(page.contains(BODY_BIN), "{page}");
    let (status, page, _) = eds_login(app, &client, &person(Some("990240000019")), None).await;
    assert_eq!(status, 401, "another body's certificate");
    assert!(page.contains("990240000019"), "{page}");
    let mut expired = person(Some(BODY_BIN));
    expired.not_after = chrono::Utc::now() - chrono::Duration::days(1);
    let (status, page, _) = eds_login(app, &client, &expired, None).await;
    assert_eq!(status, 401, "an expired certificate");
    assert!(page.contains("недействителен"), "{page}");
    let stranger = Person::individual("900101300123", "Посторонний", KeyAlgorithm::P256);
    let (status, page, _) = eds_login(app, &client, &stranger, None).await;
    assert_eq!(status, 401);
    assert!(page.contains("Ни одна учётная запись"), "{page}");

    let (status, _, nonce) = eds_login(app, &client, &person(Some(BODY_BIN)), None).await;
    assert_eq!(status, 303, "the body's certificate signs in");
    let orgs = client.get(app.url("/orgs")).send().await.expect("orgs");
    assert_eq!(orgs.status().as_u16(), 200, "the session works");
    let again = TestApp::client();
    let (status, page, _) = eds_login(app, &again, &person(Some(BODY_BIN)), Some(&nonce)).await;
    assert_eq!(status, 401, "a challenge counts once");
    assert!(page.contains("уже использован"), "{page}");
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn blank_png() -> Vec<u8> {
    let mut png = Vec::new();
    image::GrayImage::from_pixel(80, 80, image::Luma([255]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    png
}

/// A PNG of a QR code as E-Qyzmet shows it: four pixels a module, a quiet zone around.
fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("code");
    let width = code.width();
    let (scale, quiet) = (4, 16);
    let side = (width * scale + 2 * quiet) as u32;
    let mut picture = image::GrayImage::from_pixel(side, side, image::Luma([255]));
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % width, i / width);
            for dx in 0..scale {
                for dy in 0..scale {
                    let (px, py) = (quiet + x * scale + dx, quiet + y * scale + dy);
                    picture.put_pixel(px as u32, py as u32, image::Luma([0]));
                }
            }
        }
    }
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    png
}

/// OV-1 through the page: the form takes the QR picture of an employee and reads it; the
/// new draft opens with its signing form.
async fn file_through_the_page(app: &TestApp, region: i64) {
    // A signed-in employee files for the body; the demo planner stands in for the clerk.
    let client = app.signed_in("planner").await;
    let page = client
        .get(app.url("/oversight-applications"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf")
        .to_string();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("body_name", "Маслихат Мангистауской области")
        .text("body_bin", BODY_BIN)
        .text("kind", "maslikhat")
        .text("anchor_org_id", region.to_string())
        .text("purpose", "контроль исполнения местного бюджета")
        .text("analytic", "on")
        .text("e1-full_name", "Жумабаев Ерлан")
        .text("e1-iin", "860606400009")
        .text("e1-position", "эксперт")
        .text("e1-unit", "аппарат")
        .text("e1-qr_code", "")
        .part(
            "e1-qr_image",
            reqwest::multipart::Part::bytes(qr_png("EQYZMET-860606400009-11AA"))
                .file_name("qr.png")
                .mime_str("image/png")
                .expect("mime"),
        )
        .text("e1-phone", "+7 701 000 00 01")
        .text("e1-email", "zh@maslikhat.kz");
    let response = client
        .post(app.url("/oversight-applications"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    let status = response.status().as_u16();
    if status != 303 {
        let text = response.text().await.unwrap_or_default();
        let error = text.split("role=\"alert\"").nth(1).unwrap_or(&text);
        panic!("{status}: {}", &error[..error.len().min(400)]);
    }
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .to_string();
    let draft = client
        .get(app.url(&location))
        .send()
        .await
        .expect("draft")
        .text()
        .await
        .expect("text");
    assert!(draft.contains("EQYZMET-860606400009-11AA"), "{draft}");
    assert!(
        draft.contains("src=\"data:image/png;base64,"),
        "the picture is kept: {draft}"
    );
    assert!(draft.contains("id=\"application-sign-form\""), "{draft}");
}

/// OV-1: the clerk signs the maslikhat's draft application with the maslikhat's key; a
/// personal key is refused, and the draft is not reviewed before it is signed.
async fn sign_application(app: &TestApp, clerk: &str, id: i64) {
    use jospar_eds::testkit::{KeyAlgorithm, Person};
    let planner = app.token("planner").await;
    let review = format!("/oversight-applications/{id}/review");
    let (status, _) = send_json(app, "post", &review, &planner, json!({"forward": true})).await;
    assert_eq!(status, 422, "a draft is not reviewed");
    let (status, data) = get_json(
        app,
        clerk,
        &format!("/oversight-applications/{id}/signing-data"),
    )
    .await;
    assert_eq!(status, 200, "{data}");
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data["data"].as_str().expect("data"))
        .expect("base64");
    let sign = |bin: Option<&str>| {
        let mut person = Person::individual(
            "860505300003",
            "Делопроизводитель маслихата",
            KeyAlgorithm::P256,
        );
        person.organisation =
            bin.map(|b| ("МАСЛИХАТ МАНГИСТАУСКОЙ ОБЛАСТИ".to_string(), b.to_string()));
        let key = app.ca.issue(&person).expect("key");
        json!({"cms": jospar_eds::testkit::cms_pem(&key.sign_detached(&bytes).expect("sign"))})
    };
    let path = format!("/oversight-applications/{id}/sign");
    let (status, error) = send_json(app, "post", &path, clerk, sign(None)).await;
    assert_eq!(status, 422, "a personal key: {error}");
    assert!(error["message"].to_string().contains(BODY_BIN), "{error}");
    let (status, error) = send_json(app, "post", &path, clerk, sign(Some("990240000019"))).await;
    assert_eq!(status, 422, "another body's key: {error}");
    let (status, signed) = send_json(app, "post", &path, clerk, sign(Some(BODY_BIN))).await;
    assert_eq!(status, 200, "{signed}");
    assert_eq!(signed["status"], "submitted");
    assert_eq!(signed["signature"]["signer_bin"], BODY_BIN);
    let (status, _) = send_json(app, "post", &path, clerk, sign(Some(BODY_BIN))).await;
    assert_eq!(status, 422, "signed once");
}

async fn reads(app: &TestApp, token: &str, org: i64) -> u16 {
    get_json(app, token, &format!("/orgs/{org}")).await.0
}

/// OV-1, OV-2: a maslikhat files an application for two employees; the authorized body
/// forwards it within its 2 working days; the integrator grants it once both have accounts.
async fn applications(app: &TestApp, region: i64, edu: i64) {
    let admin = app.token("admin").await;
    new_user(app, &admin, region, "clerk.maslikhat", "860505300003").await;
    let clerk = app.token("clerk.maslikhat").await;
    let employee = |name: &str, iin: &str| {
        json!({"full_name": name, "iin": iin, "position": "главный специалист", "unit": "аппарат",
               "qr_code": "EQ-0001", "phone": "+7 701 000 00 00", "email": "e@maslikhat.kz"})
    };
    let application = |employees: Value, anchor: Option<i64>| {
        json!({"body_name": "Маслихат Мангистауской области", "body_bin": "990140000017",
               "kind": "maslikhat", "anchor_org_id": anchor, "employees": employees,
               "purpose": "контроль исполнения местного бюджета", "analytic": true, "planning": false})
    };
    let (status, error) = send_json(
        app,
        "post",
        "/oversight-applications",
        &clerk,
        application(
            json!([employee("Ахметов Арман", "860606400008")]),
            Some(region),
        ),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("сотрудник 1"),
        "{error}"
    );
    let (status, _) = send_json(
        app,
        "post",
        "/oversight-applications",
        &clerk,
        application(json!([employee("Ахметов Арман", "860606400009")]), None),
    )
    .await;
    assert_eq!(status, 422, "a maslikhat names its region");
    // The second employee's E-Qyzmet code comes as the picture; a picture without a code is refused.
    let mut serikova = employee("Серикова Дана", "860707500004");
    serikova["qr_code"] = json!("");
    serikova["qr_image"] = json!(b64(&blank_png()));
    let (status, error) = send_json(
        app,
        "post",
        "/oversight-applications",
        &clerk,
        application(
            json!([employee("Ахметов Арман", "860606400009"), serikova.clone()]),
            Some(region),
        ),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["message"].to_string().contains("Сотрудник 2"),
        "{error}"
    );
    serikova["qr_image"] = json!(b64(&qr_png("EQYZMET-860707500004-7C1D")));
    let employees = json!([employee("Ахметов Арман", "860606400009"), serikova]);
    let (status, filed) = send_json(
        app,
        "post",
        "/oversight-applications",
        &clerk,
        application(employees, Some(region)),
    )
    .await;
    assert_eq!(status, 201, "{filed}");
    let id = filed["id"].as_i64().expect("id");
    file_through_the_page(app, region).await;
    assert_eq!(
        filed["request"]["employees"][1]["qr_code"],
        "EQYZMET-860707500004-7C1D"
    );
    assert_eq!(filed["status"], "draft", "waits for the body's signature");
    sign_application(app, &clerk, id).await;
    let (_, mine) = get_json(app, &clerk, "/oversight-applications").await;
    let listed = mine
        .as_array()
        .expect("list")
        .iter()
        .find(|a| a["id"] == id)
        .expect("listed");
    assert_eq!(listed["status"], "submitted");
    assert!(
        listed["due"].is_string() && listed["overdue"].is_null(),
        "{listed}"
    );

    let economist = app.token("economist.school5").await;
    let review = format!("/oversight-applications/{id}/review");
    let (status, _) = send_json(app, "post", &review, &economist, json!({"forward": true})).await;
    assert_eq!(status, 403, "only the authorized body reviews");
    let planner = app.token("planner").await;
    let (status, _) = send_json(app, "post", &review, &planner, json!({"forward": false})).await;
    assert_eq!(status, 422, "a refusal gives its reason");
    let (status, forwarded) =
        send_json(app, "post", &review, &planner, json!({"forward": true})).await;
    assert_eq!(
        (status, forwarded["status"].as_str()),
        (200, Some("forwarded"))
    );

    let grant = format!("/oversight-applications/{id}/grant");
    let (status, error) = send_json(app, "post", &grant, &admin, json!({})).await;
    assert_eq!(status, 422, "the employees have no accounts yet: {error}");
    let akhmetov = new_user(app, &admin, region, "audit.akhmetov", "860606400009").await;
    let serikova = new_user(app, &admin, region, "audit.serikova", "860707500004").await;
    let (status, error) = send_json(app, "post", &grant, &admin, json!({})).await;
    assert_eq!(status, 422, "not trained yet: {error}");
    train(app, &admin, &[akhmetov, serikova]).await;
    let (status, granted) = send_json(app, "post", &grant, &admin, json!({})).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["access_ids"].as_array().map(Vec::len), Some(2));
    let token = app.token("audit.serikova").await;
    assert_eq!(reads(app, &token, edu).await, 200);
    let (status, _) = send_json(app, "post", &grant, &admin, json!({})).await;
    assert_eq!(status, 422, "granted once");

    // OV-3: Serikova leaves; the maslikhat asks to block her access, due in 3 working days.
    let access = granted["access_ids"][1].as_i64().expect("access");
    let ask = format!("/oversight-access/{access}/block-request");
    let (status, _) = send_json(app, "post", &ask, &economist, json!({"reason": "x"})).await;
    assert_eq!(status, 403, "not her employer");
    let (status, _) = send_json(app, "post", &ask, &clerk, json!({"reason": " "})).await;
    assert_eq!(status, 422, "a reason is needed");
    let (status, asked) =
        send_json(app, "post", &ask, &clerk, json!({"reason": "увольнение"})).await;
    assert_eq!(status, 200, "{asked}");
    let (status, _) = send_json(app, "post", &ask, &clerk, json!({"reason": "again"})).await;
    assert_eq!(status, 422, "asked once");
    let (_, list) = get_json(app, &admin, "/oversight-access").await;
    let row = list
        .as_array()
        .expect("list")
        .iter()
        .find(|a| a["id"] == access)
        .unwrap_or_else(|| panic!("{list}"));
    let today = chrono::Utc::now().date_naive();
    let calendar = app.db.working_calendar().await.expect("calendar");
    assert_eq!(
        row["block_due"],
        calendar.add_working_days(today, 3).to_string()
    );
    assert_eq!(row["block_overdue"], false);
    let page = app
        .signed_in("admin")
        .await
        .get(app.url(&format!("/oversight-applications/{id}?lang=kk")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("Маслихат Мангистауской области") && page.contains("Т.А.Ә."),
        "{page}"
    );
}

/// P-12: a session held today that `users` passed; its report lists them and is due in 5
/// working days; issuing it is recorded.
async fn train(app: &TestApp, admin: &str, users: &[i64]) {
    let today = chrono::Utc::now().date_naive();
    let (status, session) = send_json(
        app,
        "post",
        "/training-sessions",
        admin,
        json!({"held_on": today, "topic": "Модуль «Исполнение бюджета»: чтение отчётов",
               "trainer": "Сарсенов Д.", "passed": users}),
    )
    .await;
    assert_eq!(status, 201, "{session}");
    let id = session["id"].as_i64().expect("id");
    let (status, report) = get_json(
        app,
        admin,
        &format!("/reports/training-report?session={id}&format=json"),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rows"].as_array().map(Vec::len), Some(users.len()));
    let (status, issued) = send_json(
        app,
        "post",
        &format!("/training-sessions/{id}/report"),
        admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["report_issued_on"], today.to_string());
}

pub async fn oversight_access(app: &TestApp) {
    let admin = app.token("admin").await;
    let region = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let republic = app
        .org_id("Министерство национальной экономики Республики Казахстан")
        .await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let police = app
        .org_id("Департамент полиции Мангистауской области Министерства внутренних дел Республики Казахстан")
        .await;
    let finance = app
        .org_id("Министерство финансов Республики Казахстан")
        .await;

    let maslikhat = new_user(app, &admin, region, "audit.maslikhat", "850101300005").await;
    let grant = |user: i64, kind: &str, anchor: Option<i64>| json!({"user_id": user, "kind": kind, "anchor_org_id": anchor, "body_bin": BODY_BIN});
    let planner = app.token("planner").await;
    let (status, _) = send_json(
        app,
        "post",
        "/oversight-access",
        &planner,
        grant(maslikhat, "maslikhat", Some(region)),
    )
    .await;
    assert_eq!(status, 403, "only the integrator grants oversight access");
    for (anchor, why) in [
        (None, "no region"),
        (Some(republic), "the republic is no region"),
        (Some(edu), "a department is no region"),
    ] {
        let (status, error) = send_json(
            app,
            "post",
            "/oversight-access",
            &admin,
            grant(maslikhat, "maslikhat", anchor),
        )
        .await;
        assert_eq!(status, 422, "{why}: {error}");
    }
    let (status, error) = send_json(
        app,
        "post",
        "/oversight-access",
        &admin,
        grant(maslikhat, "maslikhat", Some(region)),
    )
    .await;
    assert_eq!(status, 422, "not trained yet: {error}");
    train(app, &admin, &[maslikhat]).await;
    let (status, access) = send_json(
        app,
        "post",
        "/oversight-access",
        &admin,
        grant(maslikhat, "maslikhat", Some(region)),
    )
    .await;
    assert_eq!(status, 201, "{access}");
    assert_eq!(access["roots"], json!([region]));
    let until = chrono::Utc::now().date_naive() + chrono::Months::new(12) - chrono::Days::new(1);
    assert_eq!(
        access["valid_until"],
        until.to_string(),
        "one calendar year"
    );

    eds_sign_in(app).await;

    // The maslikhat reads its region's local budget, not the republic's; it writes nothing.
    let token = app.token("audit.maslikhat").await;
    assert_eq!(reads(app, &token, edu).await, 200);
    assert_eq!(reads(app, &token, finance).await, 403);
    let (status, report) = get_json(
        app,
        &token,
        &format!("/reports/consolidated-plan?org={edu}&year=2027&format=json"),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let (status, _) = send_json(
        app,
        "post",
        "/receipt-plans",
        &token,
        json!({"org_id": edu, "year": 2030, "lines": []}),
    )
    .await;
    assert_eq!(status, 403, "read only");

    // The MVD territorial body's internal audit reads the police administrator only.
    let mvd = new_user(app, &admin, region, "audit.mvd", "850202400000").await;
    train(app, &admin, &[mvd]).await;
    let (status, access_mvd) = send_json(
        app,
        "post",
        "/oversight-access",
        &admin,
        grant(mvd, "mvd_internal_audit", Some(region)),
    )
    .await;
    assert_eq!(status, 201, "{access_mvd}");
    assert_eq!(access_mvd["roots"], json!([police]));
    let token_mvd = app.token("audit.mvd").await;
    assert_eq!(reads(app, &token_mvd, police).await, 200);
    assert_eq!(reads(app, &token_mvd, edu).await, 403);

    // A central body's internal audit reads that body; Parliament reads every budget.
    let ministry = new_user(app, &admin, finance, "audit.mf", "850303500006").await;
    train(app, &admin, &[ministry]).await;
    let (status, _) = send_json(
        app,
        "post",
        "/oversight-access",
        &admin,
        grant(ministry, "central_internal_audit", Some(edu)),
    )
    .await;
    assert_eq!(status, 422, "the education department is no central body");
    let (status, central) = send_json(
        app,
        "post",
        "/oversight-access",
        &admin,
        grant(ministry, "central_internal_audit", Some(finance)),
    )
    .await;
    assert_eq!((status, &central["roots"]), (201, &json!([finance])));
    let deputy = new_user(app, &admin, republic, "audit.parliament", "850404600001").await;
    train(app, &admin, &[deputy]).await;
    let (_, parliament) = send_json(
        app,
        "post",
        "/oversight-access",
        &admin,
        grant(deputy, "parliament", None),
    )
    .await;
    let roots: Vec<i64> = parliament["roots"]
        .as_array()
        .expect("roots")
        .iter()
        .map(|r| r.as_i64().expect("id"))
        .collect();
    assert!(
        roots.contains(&region) && roots.contains(&republic),
        "{parliament}"
    );

    // An account that can enter data is not given oversight access.
    let economist = jospar_org::repo::user_by_login(&app.db, "economist.school5")
        .await
        .expect("q")
        .expect("user");
    let (status, error) = send_json(
        app,
        "post",
        "/oversight-access",
        &admin,
        grant(economist.id, "parliament", None),
    )
    .await;
    assert_eq!(status, 422, "{error}");

    // The employee leaves: the access is blocked, with the reason, and reads nothing more.
    let id = access["id"].as_i64().expect("id");
    let path = format!("/oversight-access/{id}/block");
    let (status, _) = send_json(app, "post", &path, &admin, json!({"reason": ""})).await;
    assert_eq!(status, 422, "a reason is needed");
    let (status, blocked) = send_json(
        app,
        "post",
        &path,
        &admin,
        json!({"reason": "уволен 28.11.2026"}),
    )
    .await;
    assert_eq!(status, 200, "{blocked}");
    assert_eq!(blocked["block_reason"], "уволен 28.11.2026");
    assert_eq!(reads(app, &token, edu).await, 403);
    let (status, _) = send_json(app, "post", &path, &admin, json!({"reason": "again"})).await;
    assert_eq!(status, 422);
    let (_, list) = get_json(app, &admin, "/oversight-access").await;
    assert_eq!(list.as_array().map(Vec::len), Some(4), "{list}");
    applications(app, region, edu).await;
    let (_, sessions) = get_json(app, &admin, "/training-sessions").await;
    let session = &sessions.as_array().expect("sessions")[0];
    let calendar = app.db.working_calendar().await.expect("calendar");
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        session["report_due"],
        calendar.add_working_days(today, 5).to_string()
    );
    let (status, _) = get_json(
        app,
        &planner,
        &format!(
            "/reports/training-report?session={}&format=json",
            session["id"]
        ),
    )
    .await;
    assert_eq!(status, 403, "the training report is the integrator's");
    let page = app
        .signed_in("admin")
        .await
        .get(app.url("/oversight?lang=ru"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("audit.maslikhat") && page.contains("уволен 28.11.2026"),
        "{page}"
    );
}
