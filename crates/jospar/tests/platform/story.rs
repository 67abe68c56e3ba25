//! One test story of the platform, run on SQLite and on PostgreSQL (P-1…P-4, P-7,
//! P-13): every step goes through the HTTP API or the pages, as a user would.

use crate::app::{Engine, TestApp, spawn};
use serde_json::{Value, json};

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn platform_story_on_sqlite() {
    let app = spawn(Engine::Sqlite)
        .await
        .expect("sqlite always available");
    story(&app).await;
}

#[tokio::test]
async fn platform_story_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    story(&app).await;
}

#[tokio::test]
async fn both_engines_have_the_same_schema() {
    let Some(pg_url) = crate::app::fresh_database(Engine::Postgres).await else {
        return;
    };
    let sqlite_url = crate::app::fresh_database(Engine::Sqlite)
        .await
        .expect("sqlite");
    let sqlite = jospar_store::Db::connect(&sqlite_url)
        .await
        .expect("sqlite");
    let pg = jospar_store::Db::connect(&pg_url).await.expect("pg");
    sqlite.migrate().await.expect("migrate sqlite");
    pg.migrate().await.expect("migrate pg");
    assert_eq!(
        sqlite.schema().await.expect("schema"),
        pg.schema().await.expect("schema")
    );
}

async fn story(app: &TestApp) {
    health_and_openapi(app).await;
    languages(app).await;
    sign_in_and_lock_out(app).await;
    organisations(app).await;
    users_and_roles(app).await;
    classification(app).await;
    audit_log(app).await;
    calendar(app).await;
    limits(app).await;
    budget_requests(app).await;
    staffing(app).await;
    crate::execution::portal_execution(app).await;
    crate::oversight::oversight_access(app).await;
    crate::openbudget::open_budget(app).await;
    crate::consolidation::kept_totals(app).await;
    crate::treasury_stream::large_form(app).await;
    backup_and_restore(app).await;
}

async fn health_and_openapi(app: &TestApp) {
    let client = TestApp::client();
    assert_eq!(
        client
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("healthz")
            .status(),
        200
    );
    let (status, doc) = json_of(
        client
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .expect("openapi"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/orgs/{id}"]["patch"].is_object());
    // Without a token the API refuses, in JSON.
    let (status, body) = json_of(
        client
            .get(app.url("/api/v1/orgs"))
            .send()
            .await
            .expect("orgs"),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthenticated");
}

async fn languages(app: &TestApp) {
    let client = TestApp::client();
    // Accept-Language decides until the user picks a language.
    let kk = client
        .get(app.url("/"))
        .header("Accept-Language", "kk-KZ,ru;q=0.5")
        .send()
        .await
        .expect("home");
    assert!(
        kk.text()
            .await
            .expect("text")
            .contains("Қалай бастау керек")
    );
    let ru = client
        .get(app.url("/"))
        .header("Accept-Language", "ru-RU")
        .send()
        .await
        .expect("home");
    let ru_text = ru.text().await.expect("text");
    assert!(ru_text.contains("Как начать"), "Russian home page");
    assert!(ru_text.contains("lang=\"ru\""));
    // ?lang=kk is remembered in a cookie and wins over Accept-Language afterwards.
    let picked = client
        .get(app.url("/login?lang=kk"))
        .header("Accept-Language", "ru")
        .send()
        .await
        .expect("login");
    assert!(
        picked
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap_or("").starts_with("jospar_lang=kk"))
    );
    let later = client
        .get(app.url("/"))
        .header("Accept-Language", "ru")
        .send()
        .await
        .expect("home");
    assert!(
        later
            .text()
            .await
            .expect("text")
            .contains("Қалай бастау керек")
    );
    // API errors follow the language too.
    let (_, body) = json_of(
        client
            .get(app.url("/api/v1/me?lang=kk"))
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(body["message"], "Жүйеге кіріңіз.");
}

async fn sign_in_and_lock_out(app: &TestApp) {
    let client = TestApp::client();
    // The lock-out victim is a user of its own, so that other steps keep working.
    let admin = app.token("admin").await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let api = reqwest::Client::new();
    let (status, _) = json_of(
        api.post(app.url("/api/v1/users"))
            .bearer_auth(&admin)
            .json(&json!({"org_id": school, "login": "lock.me", "iin": "900101300007", "full_name": "Тест Тестов",
                          "position": "", "phone": "", "email": "", "password": "Lock-me-please-1"}))
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(status, 201);
    let (user_id, _) = user_id_and_version(app, &admin, "lock.me").await;
    let grant = api
        .post(app.url(&format!("/api/v1/users/{user_id}/grants")))
        .bearer_auth(&admin)
        .json(&json!({"role": "economist", "org_id": school, "valid_until": "2099-12-31"}))
        .send()
        .await
        .expect("grant");
    assert_eq!(grant.status(), 201);
    for attempt in 1..=5 {
        let response = app
            .post_login(
                &client,
                "/login",
                &[
                    ("login", "lock.me"),
                    ("password", "wrong-password"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    let locked = app
        .post_login(
            &client,
            "/login?lang=ru",
            &[
                ("login", "lock.me"),
                ("password", "Lock-me-please-1"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(
        locked.status(),
        401,
        "the right password is refused while locked"
    );
    // The lock is told like a wrong password (issue 19): a stranger trying logins learns
    // nothing of which exist; the message itself says that attempts lead to a lock.
    let error_of = |page: String| {
        page.split("id=\"login-error\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .map(str::to_string)
    };
    let locked_message = error_of(locked.text().await.expect("text"));
    let stranger = app
        .post_login(
            &TestApp::client(),
            "/login?lang=ru",
            &[
                ("login", "nobody.here"),
                ("password", "Lock-me-please-1"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(stranger.status(), 401);
    let stranger_message = error_of(stranger.text().await.expect("text"));
    assert_eq!(locked_message, stranger_message);
    assert!(
        locked_message
            .as_deref()
            .is_some_and(|m| m.starts_with("Неверный логин или пароль.") && m.contains("15")),
        "{locked_message:?}"
    );
    // Login CSRF (issue 19): a sign-in posted from elsewhere, without the token of this
    // browser's sign-in page, signs nobody in, even with the right password.
    for token in [None, Some("forged-token")] {
        let mut form = vec![
            ("login", "admin"),
            ("password", jospar::demo::DEMO_PASSWORD),
            ("next", "/"),
        ];
        if let Some(token) = token {
            form.push(("csrf", token));
        }
        let forged = TestApp::client()
            .post(app.url("/login?lang=ru"))
            .form(&form)
            .send()
            .await
            .expect("login");
        assert_eq!(forged.status(), 403, "token {token:?}");
        assert!(
            forged
                .headers()
                .get_all("set-cookie")
                .iter()
                .all(|c| !c.to_str().unwrap_or("").starts_with("jospar_session=")),
            "no session for a forged sign-in"
        );
    }
    // Unblocking through the administrator lifts the lock.
    let (_, version) = user_id_and_version(app, &admin, "lock.me").await;
    let unlock = api
        .patch(app.url(&format!("/api/v1/users/{user_id}")))
        .bearer_auth(&admin)
        .json(&json!({"version": version, "blocked": false}))
        .send()
        .await
        .expect("unlock");
    assert_eq!(unlock.status(), 200);
    let ok = app
        .post_login(
            &client,
            "/login",
            &[
                ("login", "lock.me"),
                ("password", "Lock-me-please-1"),
                ("next", "/orgs"),
            ],
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/orgs");
    // After sign-in only a local path is followed: a tab that browsers drop would turn
    // `/\t/evil.example` into `//evil.example`; a newline is refused before the password.
    let elsewhere = app
        .post_login(
            &TestApp::client(),
            "/login",
            &[
                ("login", "lock.me"),
                ("password", "Lock-me-please-1"),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status(), 400);
    let forged = app
        .post_login(
            &TestApp::client(),
            "/login",
            &[
                ("login", "lock.me"),
                ("password", "Lock-me-please-1"),
                ("next", "/orgs\r\nSet-Cookie: x=1"),
            ],
        )
        .await;
    assert_eq!(forged.status(), 400);
    let protocol_relative = app
        .post_login(
            &TestApp::client(),
            "/login",
            &[
                ("login", "lock.me"),
                ("password", "Lock-me-please-1"),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(protocol_relative.headers()["location"], "/");
    // Sessions live in the database; signing out ends them.
    let orgs = client.get(app.url("/orgs")).send().await.expect("orgs");
    assert_eq!(orgs.status(), 200);
    // A signed-in page is not kept by the browser, runs no inline script and is framed by
    // no other site; static files keep their caching.
    let header = |name: &str| {
        orgs.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("referrer-policy"), "same-origin");
    let policy = header("content-security-policy");
    assert!(
        policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    let css = client
        .get(app.url("/static/app.css"))
        .send()
        .await
        .expect("css");
    assert_ne!(
        css.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let page = client
        .get(app.url("/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("text");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let out = client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 303);
    let after = client.get(app.url("/orgs")).send().await.expect("orgs");
    assert_eq!(
        after.status(),
        303,
        "signed out: redirected to the sign-in page"
    );
}

async fn user_id_and_version(app: &TestApp, token: &str, login: &str) -> (i64, i64) {
    let (_, users) = json_of(
        reqwest::Client::new()
            .get(app.url(&format!("/api/v1/users?q={login}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("users"),
    )
    .await;
    let user = users
        .as_array()
        .and_then(|a| a.iter().find(|u| u["login"] == login))
        .expect("user listed")
        .clone();
    (
        user["id"].as_i64().expect("id"),
        user["version"].as_i64().expect("version"),
    )
}

/// The organisation tree is cached between requests, and a move is seen by the very
/// next request: the education administrator cannot open a kindergarten of another
/// administrator, may once it is moved under education, and may not once it is moved back.
async fn moved_rights_hold_at_once(app: &TestApp, admin: &str, template: &Value, other: i64) {
    let api = reqwest::Client::new();
    let abp_edu = app.token("abp.edu").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let mut body = template.clone();
    body["name_ru"] = json!("КГУ «Тестовый детский сад»");
    let (status, kindergarten) = json_of(
        api.post(app.url("/api/v1/orgs"))
            .bearer_auth(admin)
            .json(&body)
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 201, "{kindergarten}");
    let id = kindergarten["id"].as_i64().expect("id");
    let opened = || async {
        api.get(app.url(&format!("/api/v1/orgs/{id}")))
            .bearer_auth(&abp_edu)
            .send()
            .await
            .expect("get")
            .status()
            .as_u16()
    };
    assert_eq!(opened().await, 403, "another administrator's institution");
    for (version, parent, expected) in [(1, edu, 200), (2, other, 403)] {
        let (status, moved) = json_of(
            api.patch(app.url(&format!("/api/v1/orgs/{id}")))
                .bearer_auth(admin)
                .json(&json!({"version": version, "parent_id": parent, "reason": "приказ о передаче"}))
                .send()
                .await
                .expect("patch"),
        )
        .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(opened().await, expected, "under {parent}");
    }
}

async fn organisations(app: &TestApp) {
    let admin = app.token("admin").await;
    let api = reqwest::Client::new();
    let root = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let (_, root_json) = json_of(
        api.get(app.url(&format!("/api/v1/orgs/{root}")))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("get"),
    )
    .await;
    let budget = root_json["budget_id"].as_i64().expect("budget");
    let new_org = |bin: &str, kind: &str, parent: i64| {
        json!({"parent_id": parent, "kind": kind, "budget_id": budget, "bin": bin,
               "name_ru": "Тестовое управление", "name_kk": "Сынақ басқармасы", "abp_code": "261"})
    };
    // Bad BIN: named field, nothing saved.
    let before = jospar_org::repo::all_orgs(&app.db)
        .await
        .expect("orgs")
        .len();
    let (status, body) = json_of(
        api.post(app.url("/api/v1/orgs?lang=ru"))
            .bearer_auth(&admin)
            .json(&new_org("123456789012", "administrator", root))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["field"], "bin");
    assert!(
        body["message"].as_str().expect("message").contains("БИН"),
        "{body}"
    );
    assert_eq!(
        jospar_org::repo::all_orgs(&app.db)
            .await
            .expect("orgs")
            .len(),
        before
    );
    // Unknown administrator code.
    let mut unknown = new_org("050540012347", "administrator", root);
    unknown["abp_code"] = json!("999");
    let (status, body) = json_of(
        api.post(app.url("/api/v1/orgs"))
            .bearer_auth(&admin)
            .json(&unknown)
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("abp_code")));
    // Created.
    let (status, abp) = json_of(
        api.post(app.url("/api/v1/orgs"))
            .bearer_auth(&admin)
            .json(&new_org("050540012347", "administrator", root))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 201, "{abp}");
    let abp_id = abp["id"].as_i64().expect("id");
    let mut child = new_org("", "institution", abp_id);
    child["abp_code"] = Value::Null;
    child["name_ru"] = json!("КГУ «Тестовая школа»");
    let (status, school) = json_of(
        api.post(app.url("/api/v1/orgs"))
            .bearer_auth(&admin)
            .json(&child)
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 201, "{school}");
    let school_id = school["id"].as_i64().expect("id");
    moved_rights_hold_at_once(app, &admin, &child, abp_id).await;
    // Rename.
    let (status, renamed) = json_of(
        api.patch(app.url(&format!("/api/v1/orgs/{abp_id}")))
            .bearer_auth(&admin)
            .json(&json!({"version": 1, "name_ru": "Переименованное управление", "reason": "приказ № 1"}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(renamed["version"], 2);
    // A stale edit (someone saved first) is refused, not silently overwritten.
    let (status, body) = json_of(
        api.patch(app.url(&format!("/api/v1/orgs/{abp_id}")))
            .bearer_auth(&admin)
            .json(&json!({"version": 1, "name_ru": "Чужая правка"}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("stale")));
    // Moving an organisation under its own child is refused, naming the field.
    let (status, body) = json_of(
        api.patch(app.url(&format!("/api/v1/orgs/{abp_id}?lang=kk")))
            .bearer_auth(&admin)
            .json(&json!({"version": 2, "parent_id": school_id}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("parent_id")));
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("Жоғары тұрған ұйым"),
        "{body}"
    );
    // Scenario switch keeps the data: a user of the school stays bound to it.
    let (status, _) = json_of(
        api.post(app.url("/api/v1/users"))
            .bearer_auth(&admin)
            .json(&json!({"org_id": school_id, "login": "school.test", "iin": "880215300124", "full_name": "Ахметова Айгуль",
                          "position": "экономист", "phone": "", "email": "a@b.kz", "password": "Long-enough-pass"}))
            .send()
            .await
            .expect("user"),
    )
    .await;
    assert_eq!(status, 201);
    for (version, scenario, kind) in [
        (1, "enterprise", "enterprise"),
        (2, "subordinate_institution", "institution"),
        (3, "institution", "institution"),
    ] {
        let (status, org) = json_of(
            api.patch(app.url(&format!("/api/v1/orgs/{school_id}")))
                .bearer_auth(&admin)
                .json(&json!({"version": version, "scenario": scenario}))
                .send()
                .await
                .expect("patch"),
        )
        .await;
        assert_eq!(status, 200, "{org}");
        assert_eq!(
            (org["scenario"].as_str(), org["kind"].as_str()),
            (Some(scenario), Some(kind))
        );
        assert_eq!(org["name_ru"], "КГУ «Тестовая школа»");
    }
    let user = jospar_org::repo::user_by_login(&app.db, "school.test")
        .await
        .expect("q")
        .expect("user kept");
    assert_eq!(user.org_id, school_id);
    // Closing: refused while a subordinate is open, then allowed bottom-up.
    let (status, body) = json_of(
        api.patch(app.url(&format!("/api/v1/orgs/{abp_id}")))
            .bearer_auth(&admin)
            .json(&json!({"version": 2, "close_on": "2026-12-31"}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("close_on")));
    let (status, _) = json_of(
        api.patch(app.url(&format!("/api/v1/orgs/{school_id}")))
            .bearer_auth(&admin)
            .json(&json!({"version": 4, "close_on": "2026-12-31", "reason": "реорганизация"}))
            .send()
            .await
            .expect("patch"),
    )
    .await;
    assert_eq!(status, 200);
    // Search through the page (P-6): by name and by ABP code.
    let browser = app.signed_in("admin").await;
    let page = browser
        .get(app.url("/orgs?q=школа%20№5"))
        .send()
        .await
        .expect("search")
        .text()
        .await
        .expect("text");
    // The list itself (the filter's choices above it name every parent organisation).
    let list = page
        .split_once("id=\"orgs\"")
        .and_then(|(_, rest)| rest.split_once("</table>"))
        .map(|(table, _)| table)
        .unwrap_or_default();
    assert!(
        list.contains("Общеобразовательная школа №5"),
        "{}",
        &page[page.len().saturating_sub(3000)..]
    );
    assert!(!list.contains("Управление здравоохранения"));
    // The economist of school 5 sees only its school.
    let economist = app.signed_in("economist.school5").await;
    let page = economist
        .get(app.url("/orgs"))
        .send()
        .await
        .expect("orgs")
        .text()
        .await
        .expect("text");
    assert!(page.contains("Общеобразовательная школа №5"));
    assert!(!page.contains("Управление здравоохранения"));
}

async fn users_and_roles(app: &TestApp) {
    let admin = app.token("admin").await;
    let api = reqwest::Client::new();
    let school = app.org_id("Общеобразовательная школа №5").await;
    let user = |login: &str, iin: &str| {
        json!({"org_id": school, "login": login, "iin": iin, "full_name": "Нурланов Ерлан", "position": "бухгалтер",
               "phone": "+7 701 000 00 00", "email": "e@mail.kz", "password": "Long-enough-pass"})
    };
    let (status, body) = json_of(
        api.post(app.url("/api/v1/users"))
            .header("Accept-Language", "kk")
            .bearer_auth(&admin)
            .json(&user("new.one", "900101300008"))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("iin")));
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("бақылау цифры"),
        "{body}"
    );
    let (status, body) = json_of(
        api.post(app.url("/api/v1/users"))
            .bearer_auth(&admin)
            .json(&user("admin", "900101300007"))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("login")),
        "duplicate login"
    );
    let (status, created) = json_of(
        api.post(app.url("/api/v1/users"))
            .bearer_auth(&admin)
            .json(&user("new.one", "900101300007"))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["id"].as_i64().expect("id");
    // Without a role the user cannot sign in (every access has an expiry date).
    let browser = TestApp::client();
    let refused = app
        .post_login(
            &browser,
            "/login",
            &[
                ("login", "new.one"),
                ("password", "Long-enough-pass"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 401);
    let (status, body) = json_of(
        api.post(app.url(&format!("/api/v1/users/{id}/grants")))
            .bearer_auth(&admin)
            .json(&json!({"role": "economist", "org_id": school, "valid_until": "2020-01-01"}))
            .send()
            .await
            .expect("grant"),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("valid_until")));
    let (status, grant) = json_of(
        api.post(app.url(&format!("/api/v1/users/{id}/grants")))
            .bearer_auth(&admin)
            .json(&json!({"role": "economist", "org_id": school, "valid_until": "2099-01-01"}))
            .send()
            .await
            .expect("grant"),
    )
    .await;
    assert_eq!(status, 201);
    let ok = app
        .post_login(
            &browser,
            "/login",
            &[
                ("login", "new.one"),
                ("password", "Long-enough-pass"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(ok.status(), 303);
    // Block: sessions end and sign-in is refused.
    let (status, _) = json_of(
        api.patch(app.url(&format!("/api/v1/users/{id}")))
            .bearer_auth(&admin)
            .json(&json!({"version": 1, "blocked": true, "reason": "уволен"}))
            .send()
            .await
            .expect("block"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        browser
            .get(app.url("/orgs"))
            .send()
            .await
            .expect("orgs")
            .status(),
        303
    );
    let blocked = app
        .post_login(
            &browser,
            "/login",
            &[
                ("login", "new.one"),
                ("password", "Long-enough-pass"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(blocked.status(), 401);
    // Revoke the role.
    let revoke = api
        .delete(app.url(&format!("/api/v1/users/{id}/grants/{}", grant["id"])))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoke.status(), 204);
    // The user page through the UI: create with a bad IIN keeps what was typed.
    let page_client = app.signed_in("admin").await;
    let form_page = page_client
        .get(app.url("/users/new"))
        .send()
        .await
        .expect("new")
        .text()
        .await
        .expect("text");
    let csrf = form_page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let response = page_client
        .post(app.url("/users?lang=ru"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("org_id", &school.to_string()),
            ("login", "form.user"),
            ("iin", "12345"),
            ("full_name", "Касымов Арман"),
            ("position", ""),
            ("phone", ""),
            ("email", ""),
            ("password", "Long-enough-pass"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 422);
    let text = response.text().await.expect("text");
    assert!(
        text.contains("Поле «ИИН»: должно быть ровно 12 цифр."),
        "translated message naming the field"
    );
    assert!(text.contains("Касымов Арман"), "input kept");
    // A form without the CSRF token is refused.
    let forged = page_client
        .post(app.url("/users"))
        .form(&[
            ("csrf", "forged"),
            ("org_id", &school.to_string()),
            ("login", "forged.user"),
            ("iin", "900101300007"),
            ("full_name", "X"),
            ("password", "Long-enough-pass"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), 403);
    assert!(
        jospar_org::repo::user_by_login(&app.db, "forged.user")
            .await
            .expect("q")
            .is_none()
    );
}

async fn classification(app: &TestApp) {
    let admin = app.token("admin").await;
    let api = reqwest::Client::new();
    let (_, years) = json_of(
        api.get(app.url("/api/v1/classification/years"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("years"),
    )
    .await;
    assert_eq!(years, json!([2023, 2024, 2025, 2026]));
    // Search by name, in Kazakh where known.
    let (_, found) = json_of(
        api.get(app.url("/api/v1/classification/2025?q=білім"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("search"),
    )
    .await;
    assert!(
        found
            .as_array()
            .expect("array")
            .iter()
            .any(|c| c["code"] == "04" && c["kind"] == "func_group"),
        "{found}"
    );
    // Compare years: ABP 104 closed after 2023 (seen 2023-01…2023-12).
    let (_, changes) = json_of(
        api.get(app.url("/api/v1/classification/compare?from=2023&to=2024"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("compare"),
    )
    .await;
    let changes = changes.as_array().expect("array");
    assert!(
        changes
            .iter()
            .any(|c| c["change"] == "closed" && c["code"] == "104" && c["kind"] == "abp")
    );
    assert!(changes.iter().any(|c| c["change"] == "opened"));
    // Unknown code: named.
    let (status, body) = json_of(
        api.get(app.url("/api/v1/classification/2025/abp/999"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (422, Some("invalid")));
    // A malformed file is refused whole, naming the row; nothing is stored.
    let count_before = jospar_classification::repo::codes_of_year(&app.db, 2024)
        .await
        .expect("codes")
        .len();
    let bad = "abp_code,name_ru,alt_names_ru,first_month_seen,last_month_seen\n901,Новый АБП,,2024-01,2024-12\n90x,Плохой,,2024-01,2024-12\n";
    let (status, body) = json_of(
        api.post(app.url("/api/v1/classification/import?file_name=bad.csv&lang=ru"))
            .bearer_auth(&admin)
            .body(bad)
            .send()
            .await
            .expect("import"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("Строка 3, столбец «abp_code»"),
        "{body}"
    );
    assert_eq!(
        jospar_classification::repo::codes_of_year(&app.db, 2024)
            .await
            .expect("codes")
            .len(),
        count_before
    );
    // The real portal tree of Mangystau region imports through the API.
    let tree = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/portal/local_mangystau_region_execution_tree.csv"
    ))
    .expect("file");
    let (status, summary) = json_of(
        api.post(app.url("/api/v1/classification/import?file_name=mangystau.csv"))
            .bearer_auth(&admin)
            .body(tree)
            .send()
            .await
            .expect("import"),
    )
    .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["years"], json!([2023, 2024, 2025]));
    let (_, education) = json_of(
        api.get(app.url("/api/v1/classification/2025?kind=func_abp&q=261"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("search"),
    )
    .await;
    assert!(
        education
            .as_array()
            .expect("array")
            .iter()
            .any(|c| c["code"] == "04 2 261"),
        "{education}"
    );
    // Upload through the page (multipart) is all-or-nothing as well.
    let browser = app.signed_in("admin").await;
    let page = browser
        .get(app.url("/classification/import"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("year_from", "")
        .text("year_to", "")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"category_code,name_ru\n7,Test\n".to_vec())
                .file_name("cats.csv"),
        );
    let response = browser
        .post(app.url("/classification/import?lang=ru"))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .expect("text")
            .contains("В файле нет дат")
    );
    // The Kazakh page marks names known only in Russian.
    let page = browser
        .get(app.url("/classification?year=2025&kind=abp&q=217&lang=kk"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("Министерство финансов") && page.contains("орыс."));
}

async fn audit_log(app: &TestApp) {
    let admin = app.token("admin").await;
    let api = reqwest::Client::new();
    let (status, entries) = json_of(
        api.get(app.url("/api/v1/audit?entity=org&login=admin"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("audit"),
    )
    .await;
    assert_eq!(status, 200);
    let entries = entries.as_array().expect("array");
    let rename = entries
        .iter()
        .find(|e| e["action"] == "update" && e["reason"] == "приказ № 1")
        .expect("the rename is in the log with its reason");
    assert!(
        rename["old_value"]
            .as_str()
            .expect("old")
            .contains("Тестовое управление")
    );
    assert!(
        rename["new_value"]
            .as_str()
            .expect("new")
            .contains("Переименованное управление")
    );
    assert_eq!(rename["login"], "admin");
    assert!(!rename["iin"].as_str().expect("iin").is_empty());
    // Filter by period.
    let (_, none) = json_of(
        api.get(app.url("/api/v1/audit?from=2000-01-01&to=2000-12-31"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("audit"),
    )
    .await;
    assert_eq!(none, json!([]));
    // The log cannot be edited or deleted, not even by SQL.
    let update = jospar_store::on_db!(&app.db, pool => jospar_store::sqlx::query("UPDATE audit_log SET login = 'x'").execute(pool).await.map(|_| ()));
    assert!(update.is_err(), "UPDATE of audit_log must fail");
    let delete = jospar_store::on_db!(&app.db, pool => jospar_store::sqlx::query("DELETE FROM audit_log").execute(pool).await.map(|_| ()));
    assert!(delete.is_err(), "DELETE of audit_log must fail");
    // The economist of a school sees only the entries of its school.
    let economist = app.token("economist.school5").await;
    let (_, own) = json_of(
        api.get(app.url("/api/v1/audit"))
            .bearer_auth(&economist)
            .send()
            .await
            .expect("audit"),
    )
    .await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    assert!(
        own.as_array()
            .expect("array")
            .iter()
            .all(|e| e["org_id"] == school),
        "{own}"
    );
    // The page shows the table.
    let browser = app.signed_in("admin").await;
    let page = browser
        .get(app.url("/audit?entity=org"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("id=\"audit-table\"") && page.contains("приказ № 1"));
}

async fn calendar(app: &TestApp) {
    let admin = app.token("admin").await;
    let api = reqwest::Client::new();
    let (_, year) = json_of(
        api.get(app.url("/api/v1/calendar/2026"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("calendar"),
    )
    .await;
    let working = year["working_days"].as_i64().expect("count");
    // A decree makes Saturday 2026-12-19 a working day.
    let set = api
        .put(app.url("/api/v1/calendar/days/2026-12-19"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "workday_moved", "note": "постановление Правительства"}))
        .send()
        .await
        .expect("put");
    assert_eq!(set.status(), 204);
    let (_, year) = json_of(
        api.get(app.url("/api/v1/calendar/2026"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("calendar"),
    )
    .await;
    assert_eq!(year["working_days"].as_i64(), Some(working + 1));
    let economist = app.token("economist.school5").await;
    let refused = api
        .put(app.url("/api/v1/calendar/days/2026-12-20"))
        .bearer_auth(&economist)
        .json(&json!({"kind": "holiday"}))
        .send()
        .await
        .expect("put");
    assert_eq!(refused.status(), 403);
}

async fn backup_and_restore(app: &TestApp) {
    let dir = std::env::temp_dir().join(format!(
        "jospar_backup_{}_{:?}",
        std::process::id(),
        app.engine
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join(if app.engine == Engine::Sqlite {
        "copy.db"
    } else {
        "copy.dump"
    });
    let _ = std::fs::remove_file(&file);
    // While the server runs.
    app.db.backup_to(&file, &app.url).await.expect("backup");
    assert!(std::fs::metadata(&file).expect("written").len() > 0);
    // Restore into a fresh database and find the demo data there.
    let target = crate::app::fresh_database(app.engine).await.expect("fresh");
    let config = jospar::config::Config {
        database_url: target.clone(),
        ..Default::default()
    };
    if app.engine == Engine::Sqlite {
        jospar::backup::restore(&config, &file, true)
            .await
            .expect("restore");
    } else {
        // pg_restore into an empty database.
        jospar::backup::restore(&config, &file, true)
            .await
            .expect("restore");
    }
    let restored = jospar_store::Db::connect(&target).await.expect("connect");
    let users = jospar_org::repo::users(&restored, "", None)
        .await
        .expect("users");
    assert!(
        users.iter().any(|u| u.login == "school.test"),
        "data made before the backup is restored"
    );
    // Refuses to restore without --yes.
    assert!(
        jospar::backup::restore(&config, &file, false)
            .await
            .is_err()
    );
    restored.close().await;
}

async fn put_limits(app: &TestApp, token: &str, changes: Value) -> (u16, Value) {
    json_of(
        reqwest::Client::new()
            .put(app.url(&format!(
                "/api/v1/campaigns/{}/limits?lang=ru",
                changes["campaign"]
            )))
            .bearer_auth(token)
            .json(&json!({"changes": changes["changes"], "reason": "письмо УЭБП № 12"}))
            .send()
            .await
            .expect("put"),
    )
    .await
}

const MLN: i64 = 100_000_000; // one million tenge in tiyn

/// L-1…L-4 through the API and the page: totals, distribution to administrators, programs and
/// an institution; over-distribution and reductions below what was passed on are refused with
/// the figures; stale grids are refused; nothing is saved partly.
async fn limits(app: &TestApp) {
    let api = reqwest::Client::new();
    let planner = app.token("planner").await;
    let abp = app.token("abp.edu").await;
    let economist = app.token("economist.school5").await;
    let root = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let health = app
        .org_id("Управление здравоохранения Мангистауской области")
        .await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let campaign_body = json!({"authority_org_id": root, "first_year": 2027, "name_ru": "Бюджет 2027–2029", "name_kk": "2027–2029 бюджеті", "inflation_bp": [10500, 10450]});
    let refused = api
        .post(app.url("/api/v1/campaigns"))
        .bearer_auth(&economist)
        .json(&campaign_body)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 403);
    let (status, campaign) = json_of(
        api.post(app.url("/api/v1/campaigns"))
            .bearer_auth(&planner)
            .json(&campaign_body)
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 201, "{campaign}");
    let id = campaign["id"].as_i64().expect("id");
    let slot = |org: i64, program: &str, amount: i64, version: i64| json!({"org_id": org, "program": program, "year": 2027, "kind": "base", "amount_tiyn": amount * MLN, "version": version});
    // The authorized body's total and the administrators' limits, in one atomic save.
    let (status, body) = put_limits(app, &planner, json!({"campaign": id, "changes": [slot(root, "", 1000, 0), slot(edu, "", 600, 0), slot(health, "", 300, 0)]})).await;
    assert_eq!((status, &body["saved"]), (200, &json!(3)), "{body}");
    // Over-distribution: the message names year, kind, source, amounts; nothing is saved.
    let (status, body) = put_limits(
        app,
        &planner,
        json!({"campaign": id, "changes": [slot(health, "", 500, 1)]}),
    )
    .await;
    assert_eq!(status, 422);
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("2027 год") && message.contains("Базовые расходы"),
        "{message}"
    );
    assert!(
        message.contains("1 100 000 000,00")
            && message.contains("1 000 000 000,00")
            && message.contains("превышение 100 000 000,00"),
        "{message}"
    );
    let (_, full) = json_of(
        api.get(app.url(&format!("/api/v1/campaigns/{id}")))
            .bearer_auth(&planner)
            .send()
            .await
            .expect("get"),
    )
    .await;
    let health_amount = full["amounts"]
        .as_array()
        .expect("amounts")
        .iter()
        .find(|a| a["slot"]["org_id"] == health)
        .expect("health")["amount"]
        .clone();
    assert_eq!(health_amount, json!(300 * MLN));
    // The administrator distributes among its programs (codes from the classification).
    let (status, body) = put_limits(
        app,
        &abp,
        json!({"campaign": id, "changes": [slot(edu, "999", 10, 0)]}),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("program")),
        "{body}"
    );
    let (status, body) = put_limits(
        app,
        &abp,
        json!({"campaign": id, "changes": [slot(edu, "001", 100, 0), slot(edu, "003", 450, 0)]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // …and a program's amount goes down to the school.
    let (status, body) = put_limits(
        app,
        &abp,
        json!({"campaign": id, "changes": [slot(school, "003", 50, 0)]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // A program cannot drop below what it passed on.
    let (status, body) = put_limits(
        app,
        &abp,
        json!({"campaign": id, "changes": [slot(edu, "003", 40, 1)]}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("меньше уже распределённых"),
        "{body}"
    );
    // A stale version is refused.
    let (status, _) = put_limits(
        app,
        &abp,
        json!({"campaign": id, "changes": [slot(edu, "001", 90, 0)]}),
    )
    .await;
    assert_eq!(status, 409);
    // The administrator cannot set other administrators' limits, the school cannot distribute.
    let (status, _) = put_limits(
        app,
        &abp,
        json!({"campaign": id, "changes": [slot(health, "", 10, 1)]}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = put_limits(
        app,
        &economist,
        json!({"campaign": id, "changes": [slot(school, "003", 60, 1)]}),
    )
    .await;
    assert_eq!(status, 403);
    // Remaining amounts.
    let (_, balance) = json_of(
        api.get(app.url(&format!("/api/v1/campaigns/{id}/balance?org={edu}")))
            .bearer_auth(&abp)
            .send()
            .await
            .expect("balance"),
    )
    .await;
    let base_2027 = balance
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["year"] == 2027 && r["kind"] == "base")
        .expect("row")
        .clone();
    assert_eq!(
        (
            base_2027["received_tiyn"].as_i64(),
            base_2027["remaining_tiyn"].as_i64()
        ),
        (Some(600 * MLN), Some(50 * MLN))
    );
    let (_, balance) = json_of(
        api.get(app.url(&format!("/api/v1/campaigns/{id}/balance?org={root}")))
            .bearer_auth(&economist)
            .send()
            .await
            .expect("balance"),
    )
    .await;
    assert_eq!(balance["error"], "forbidden");
    // The page shows the remaining amount and refuses an over-distribution from the grid,
    // keeping what was typed.
    let browser = app.signed_in("abp.edu").await;
    let page = browser
        .get(app.url(&format!("/limits/{id}?org={edu}&lang=ru")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("Остаток") && page.contains("50 000 000,00"),
        "remaining shown"
    );
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let cell = format!("{edu}|001|2027|base");
    let response = browser
        .post(app.url(&format!("/limits/{id}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("node_org", &edu.to_string()),
            ("node_program", ""),
            (&format!("a|{cell}"), "160 000 000,00"),
            (&format!("o|{cell}"), "100 000 000,00"),
            (&format!("v|{cell}"), "1"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 422);
    let text = response.text().await.expect("text");
    assert!(
        text.contains("превышение 10 000 000,00") && text.contains("160 000 000,00"),
        "message and typed value kept"
    );
    // The audit log has each change with its reason.
    let (_, log) = json_of(
        api.get(app.url("/api/v1/audit?entity=limit"))
            .bearer_auth(&planner)
            .send()
            .await
            .expect("audit"),
    )
    .await;
    assert!(
        log.as_array()
            .expect("array")
            .iter()
            .filter(|e| e["reason"] == "письмо УЭБП № 12")
            .count()
            >= 6
    );
}

pub(crate) async fn send_json(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = app.url(&format!("/api/v1{path}"));
    let request = match method {
        "post" => client.post(url),
        "put" => client.put(url),
        "delete" => client.delete(url),
        _ => client.get(url),
    };
    json_of(
        request
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request"),
    )
    .await
}

/// BP-1, BP-2, BP-4, BP-8, BP-10, P-14 through the API and the pages: an institution fills a
/// line by its calculation form, the request is refused over the limit with the figures, fixed
/// and sent, returned with a reason, sent again and approved up the chain, then frozen.
async fn budget_requests(app: &TestApp) {
    let economist = app.token("economist.school5").await;
    let abp = app.token("abp.edu").await;
    let planner = app.token("planner").await;
    let head = app.token("head.school5").await;
    let admin = app.token("admin").await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let (_, campaigns) = send_json(app, "get", "/campaigns", &economist, Value::Null).await;
    let campaign = campaigns
        .as_array()
        .expect("campaigns")
        .iter()
        .find(|c| c["first_year"] == 2027)
        .expect("campaign")["id"]
        .clone();
    let (status, request) = send_json(
        app,
        "post",
        "/requests",
        &economist,
        json!({"campaign_id": campaign, "org_id": school, "kind": "plan"}),
    )
    .await;
    assert_eq!(status, 201, "{request}");
    let id = request["id"].as_i64().expect("id");
    // A specific outside the classification is named.
    let (status, body) = send_json(
        app,
        "post",
        &format!("/requests/{id}/lines"),
        &economist,
        json!({"version": 1, "program": "003", "specific": "998"}),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("specific")),
        "{body}"
    );
    // So is a program that is not one of the administrator's in the classification (issue 19).
    let (status, body) = send_json(
        app,
        "post",
        &format!("/requests/{id}/lines"),
        &economist,
        json!({"version": 1, "program": "999", "specific": "111"}),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("program")),
        "{body}"
    );
    let (status, line) = send_json(
        app,
        "post",
        &format!("/requests/{id}/lines"),
        &economist,
        json!({"version": 1, "program": "003", "specific": "111", "project": "Штат учителей"}),
    )
    .await;
    assert_eq!(status, 201, "{line}");
    let line_id = line["id"].as_i64().expect("expense identifier");
    assert_eq!(line["form_code"], "111");
    let rows = |staff: &str| json!([{"position": "Учитель", "staff_units": staff, "salary": "300 000", "months": "12"}]);
    // 20 staff units × 300 000 × 12 = 72 000 000 tenge for 2027.
    let (status, body) = send_json(
        app,
        "put",
        &format!("/requests/{id}/lines/{line_id}/years/2027"),
        &economist,
        json!({"version": 2, "rows": rows("20")}),
    )
    .await;
    assert_eq!(
        (status, body["amount_tiyn"].as_i64()),
        (200, Some(72 * MLN)),
        "{body}"
    );
    // Computed cells cannot be typed (BP-8): refused, nothing changed.
    let (status, body) = send_json(
        app,
        "put",
        &format!("/requests/{id}/lines/{line_id}/years/2027?lang=ru"),
        &economist,
        json!({"version": 3, "rows": [{"position": "Учитель", "staff_units": "1", "salary": "1", "months": "1", "total": "999"}]}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("вычисляемую графу нельзя редактировать"),
        "{body}"
    );
    // Limit control (BP-4): 72 000 000 exceeds the 50 000 000 distributed to the school; the
    // head, who sends, is told.
    let (status, body) = send_json(
        app,
        "post",
        &format!("/requests/{id}/send?lang=ru"),
        &head,
        json!({"version": 3}),
    )
    .await;
    assert_eq!(status, 422);
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("Программа 003, 2027 год")
            && message.contains("72 000 000,00")
            && message.contains("50 000 000,00")
            && message.contains("превышение 22 000 000,00"),
        "{message}"
    );
    // Fixed: 10 staff units = 36 000 000, then sent to the administrator.
    let (status, _) = send_json(
        app,
        "put",
        &format!("/requests/{id}/lines/{line_id}/years/2027"),
        &economist,
        json!({"version": 3, "rows": rows("10")}),
    )
    .await;
    assert_eq!(status, 200);
    // A second user saving with the version they saw is told, nothing overwritten.
    let (status, _) = send_json(
        app,
        "put",
        &format!("/requests/{id}/lines/{line_id}/years/2027"),
        &economist,
        json!({"version": 3, "rows": rows("11")}),
    )
    .await;
    assert_eq!(status, 409);
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    // BP-11: fill the later years from 2027 with the campaign's indices (105 %, 104,5 %), see, undo.
    let (status, _) = send_json(
        app,
        "post",
        &format!("/requests/{id}/fill-inflation"),
        &economist,
        json!({"version": 4}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, filled) = send_json(
        app,
        "get",
        &format!("/requests/{id}"),
        &economist,
        Value::Null,
    )
    .await;
    // 300 000 × 1,05 = 315 000 → × 10 × 12 = 37 800 000; 315 000 × 1,045 = 329 175 → 39 501 000.
    assert_eq!(
        filled["lines"][0]["amounts"]["2028"].as_i64(),
        Some(37_800_000 * 100)
    );
    assert_eq!(
        filled["lines"][0]["amounts"]["2029"].as_i64(),
        Some(39_501_000 * 100)
    );
    let (status, _) = send_json(
        app,
        "post",
        &format!("/requests/{id}/undo-fill"),
        &economist,
        json!({"version": 5}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, undone) = send_json(
        app,
        "get",
        &format!("/requests/{id}"),
        &economist,
        Value::Null,
    )
    .await;
    assert!(
        undone["lines"][0]["amounts"].get("2028").is_none(),
        "{undone}"
    );
    // The requests list shows the amount of 2027, kept with the request as its lines change
    // (issue 20, migration 0037): the sum of its lines.
    let lines_2027: i64 = undone["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["amounts"]["2027"].as_i64())
        .sum();
    assert!(lines_2027 > 0, "{undone}");
    let (_, listed) = send_json(
        app,
        "get",
        &format!("/requests?org={school}&limit=500"),
        &economist,
        Value::Null,
    )
    .await;
    let row = listed
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["id"] == id)
        .expect("the request is listed");
    assert_eq!(row["amount"].as_i64(), Some(lines_2027), "{row}");
    // Signing (BP-6, P-9, issue 21): the head of the school signs and sends, not its
    // economist; no signature, another person's key, a signature over an older state of the
    // request — each refused with the reason, the request stays in work.
    let (status, _) = send_json(
        app,
        "post",
        &format!("/requests/{id}/send"),
        &economist,
        app.signed_send(id, "economist.school5", &economist).await,
    )
    .await;
    assert_eq!(status, 403, "the economist does not send");
    let (status, body) = send_json(
        app,
        "post",
        &format!("/requests/{id}/send?lang=ru"),
        &head,
        json!({"version": 6}),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("cms")),
        "{body}"
    );
    let signed = app.signed_send(id, "head.school5", &head).await;
    assert_eq!(signed["version"], 6);
    let data = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/requests/{id}/signing-data")))
        .bearer_auth(&economist)
        .send()
        .await
        .expect("signing data");
    let data: Value = data.json().await.expect("json");
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        data["data"].as_str().expect("data"),
    )
    .expect("base64");
    let by_economist = app.sign_as("economist.school5", &bytes).await;
    let (status, body) = send_json(
        app,
        "post",
        &format!("/requests/{id}/send?lang=ru"),
        &head,
        json!({"version": 6, "cms": by_economist}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("а не вашему ИИН"),
        "{body}"
    );
    let mut older = bytes.clone();
    let at = older.len() - 3;
    older[at] ^= 1;
    let stale = app.sign_as("head.school5", &older).await;
    let (status, body) = send_json(
        app,
        "post",
        &format!("/requests/{id}/send?lang=kk"),
        &head,
        json!({"version": 6, "cms": stale}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("басқа мазмұнына"),
        "{body}"
    );
    let (status, sent) =
        send_json(app, "post", &format!("/requests/{id}/send"), &head, signed).await;
    assert_eq!(
        (
            status,
            sent["status"].as_str(),
            sent["stage_org_id"].as_i64()
        ),
        (200, Some("sent"), Some(edu)),
        "{sent}"
    );
    // Sent documents are not edited.
    let (status, _) = send_json(
        app,
        "put",
        &format!("/requests/{id}/lines/{line_id}/years/2027"),
        &economist,
        json!({"version": 7, "rows": rows("9")}),
    )
    .await;
    assert_eq!(status, 422);
    // The school's head is not the reviewer; the administrator returns it with a reason.
    let (status, _) = send_json(
        app,
        "post",
        &format!("/requests/{id}/approve"),
        &head,
        json!({"version": 7}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = send_json(
        app,
        "post",
        &format!("/requests/{id}/return"),
        &abp,
        json!({"version": 7, "reason": ""}),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("reason")));
    let (status, returned) = send_json(
        app,
        "post",
        &format!("/requests/{id}/return"),
        &abp,
        json!({"version": 7, "reason": "уточните штат"}),
    )
    .await;
    assert_eq!(
        (status, returned["status"].as_str()),
        (200, Some("returned"))
    );
    let resend = app.signed_send(id, "head.school5", &head).await;
    assert_eq!(resend["version"], 8);
    let (status, _) = send_json(app, "post", &format!("/requests/{id}/send"), &head, resend).await;
    assert_eq!(status, 200);
    // Both sendings are signed by the head, each over its own version; audited.
    let (status, signatures) = send_json(
        app,
        "get",
        &format!("/requests/{id}/signatures"),
        &abp,
        Value::Null,
    )
    .await;
    let head_iin = jospar_org::repo::user_by_login(&app.db, "head.school5")
        .await
        .expect("query")
        .expect("user")
        .iin;
    let versions: Vec<(i64, String)> = signatures
        .as_array()
        .expect("list")
        .iter()
        .map(|s| {
            (
                s["request_version"].as_i64().expect("version"),
                s["signer_iin"].as_str().expect("iin").to_string(),
            )
        })
        .collect();
    assert_eq!(
        (status, versions),
        (200, vec![(6, head_iin.clone()), (8, head_iin.clone())])
    );
    let audit = app
        .db
        .audit_entries(&jospar_store::AuditFilter {
            entity: Some("request_signature".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 2);
    // Each approval above the institution is signed by its approver (issue 21).
    let (status, body) = send_json(
        app,
        "post",
        &format!("/requests/{id}/approve"),
        &abp,
        json!({"version": 9}),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("cms")),
        "{body}"
    );
    let (status, forwarded) = send_json(
        app,
        "post",
        &format!("/requests/{id}/approve"),
        &abp,
        app.signed_send(id, "abp.edu", &abp).await,
    )
    .await;
    let root = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    assert_eq!(
        (
            status,
            forwarded["status"].as_str(),
            forwarded["stage_org_id"].as_i64()
        ),
        (200, Some("sent"), Some(root))
    );
    let (status, approved) = send_json(
        app,
        "post",
        &format!("/requests/{id}/approve"),
        &planner,
        app.signed_send(id, "planner", &planner).await,
    )
    .await;
    assert_eq!(
        (status, approved["status"].as_str()),
        (200, Some("approved"))
    );
    let planner_user = jospar_org::repo::user_by_login(&app.db, "planner")
        .await
        .expect("q")
        .expect("planner");
    let (_, signatures) = send_json(
        app,
        "get",
        &format!("/requests/{id}/signatures"),
        &planner,
        Value::Null,
    )
    .await;
    assert!(
        signatures.as_array().is_some_and(|all| all
            .iter()
            .any(|s| s["signer_iin"] == planner_user.iin.as_str())),
        "the approval at the top is signed: {signatures}"
    );
    // Approved documents are frozen.
    let (status, body) = send_json(
        app,
        "post",
        &format!("/requests/{id}/lines"),
        &economist,
        json!({"version": 11, "program": "003", "specific": "151"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    // The expense identifier and amounts are on the request and on its page.
    let (_, full) = send_json(app, "get", &format!("/requests/{id}"), &abp, Value::Null).await;
    assert_eq!(full["lines"][0]["id"].as_i64(), Some(line_id));
    assert_eq!(full["lines"][0]["amounts"]["2027"].as_i64(), Some(36 * MLN));
    let browser = app.signed_in("economist.school5").await;
    let page = browser
        .get(app.url(&format!("/requests/{id}?lang=ru")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains(&line_id.to_string())
            && page.contains("36 000 000,00")
            && page.contains("Утверждена")
    );
    let grid = browser
        .get(app.url(&format!("/requests/{id}/lines/{line_id}?year=2027")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        grid.contains("36 000 000,00") && !grid.contains("|total\""),
        "computed cells are shown, never inputs"
    );
    // The curator's desk (BP-7): the school's request approved, the deadline in working days.
    let (status, desk) = send_json(
        app,
        "get",
        &format!("/campaigns/{campaign}/desk"),
        &planner,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    let row = desk["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["org_id"] == school)
        .expect("school on the desk")
        .clone();
    assert_eq!(
        (row["request"]["status"].as_str(), row["overdue"].as_bool()),
        (Some("approved"), Some(false))
    );
    let opened = chrono::NaiveDate::parse_from_str(
        desk["campaign"]["opened_on"].as_str().expect("opened"),
        "%Y-%m-%d",
    )
    .expect("date");
    let deadline =
        chrono::NaiveDate::parse_from_str(desk["deadline"].as_str().expect("deadline"), "%Y-%m-%d")
            .expect("date");
    // In the calendar as the server keeps it: the story made 2026-12-19 a working day by decree.
    let calendar = app.db.working_calendar().await.expect("calendar");
    assert_eq!(calendar.working_days_between(opened, deadline), 10);
    let (_, own_desk) = send_json(
        app,
        "get",
        &format!("/campaigns/{campaign}/desk"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(
        own_desk["rows"].as_array().expect("rows").len(),
        1,
        "an institution sees only itself"
    );
    let page = app
        .signed_in("planner")
        .await
        .get(app.url(&format!("/limits/{campaign}/desk?lang=ru")))
        .send()
        .await
        .expect("desk")
        .text()
        .await
        .expect("text");
    assert!(page.contains("Стол куратора") && page.contains("Общеобразовательная школа №5"));
    // Consolidation (BP-5) on screen, as XLSX and from the command line; totals reconcile.
    let (status, table) = send_json(
        app,
        "get",
        &format!("/campaigns/{campaign}/consolidated?by=program&lang=ru"),
        &planner,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{table}");
    let program_row = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[0] == "003 Общеобразовательное обучение")
        .expect("program 003, named (issue 21)")
        .clone();
    assert_eq!(program_row[2].as_i64(), Some(36 * MLN), "2027 column");
    let total: i64 = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r[2].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(table["total"][2].as_i64(), Some(total));
    let xlsx = reqwest::Client::new()
        .get(app.url(&format!(
            "/api/v1/campaigns/{campaign}/consolidated?by=org&format=xlsx&lang=kk"
        )))
        .bearer_auth(&planner)
        .send()
        .await
        .expect("xlsx")
        .bytes()
        .await
        .expect("bytes");
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(xlsx.to_vec())).expect("xlsx opens");
    let range = calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("sheet")
        .expect("range");
    let cells: Vec<String> = range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        cells.iter().any(|c| c == "Бюджеттік өтінімдердің жиынтығы"),
        "{cells:?}"
    );
    assert!(
        cells
            .iter()
            .any(|c| c.contains("№5 жалпы білім беретін мектеп")),
        "{cells:?}"
    );
    assert!(cells.iter().any(|c| c == "36000000"), "{cells:?}");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args([
            "report",
            "consolidated",
            "--campaign",
            &campaign.to_string(),
            "--by",
            "specific",
            "--format",
            "csv",
        ])
        .env("JOSPAR_DATABASE_URL", &app.url)
        .output()
        .expect("jospar report");
    let csv = String::from_utf8_lossy(&output.stdout);
    // For Russian-locale Excel: a byte order mark and a decimal comma (issue 21).
    assert!(
        output.status.success()
            && csv.starts_with('\u{feff}')
            && csv.contains("111 Оплата труда;0,00;36000000,00"),
        "{csv} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Slices by the organisation's administrator and budget level (the pivot of BP-5).
    let (_, by_admin) = send_json(
        app,
        "get",
        &format!("/campaigns/{campaign}/consolidated?by=administrator&lang=ru"),
        &planner,
        Value::Null,
    )
    .await;
    let admin_row = by_admin["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| {
            r[0].as_str()
                .is_some_and(|n| n.starts_with("261 Управление образования"))
        })
        .expect("administrator 261")
        .clone();
    assert_eq!(admin_row[2].as_i64(), Some(36 * MLN));
    let (_, by_level) = send_json(
        app,
        "get",
        &format!("/campaigns/{campaign}/consolidated?by=level&lang=ru"),
        &planner,
        Value::Null,
    )
    .await;
    assert!(
        by_level["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r[0]
                .as_str()
                .is_some_and(|n| n.starts_with("Областной бюджет"))),
        "{by_level}"
    );
    // A pivot of one year by two slices (BP-5): program × specific; cells reconcile.
    let (status, pivot) = send_json(
        app,
        "get",
        &format!("/campaigns/{campaign}/consolidated?by=program&cols=specific&year=2027&lang=ru"),
        &planner,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{pivot}");
    let headers: Vec<&str> = pivot["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let col_111 = headers
        .iter()
        .position(|h| *h == "111 Оплата труда")
        .expect("111 column, named");
    let row_003 = pivot["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[0] == "003 Общеобразовательное обучение")
        .expect("program 003, named")
        .clone();
    assert_eq!(row_003[col_111].as_i64(), Some(36 * MLN), "{pivot}");
    let last = headers.len() - 1;
    assert_eq!(
        pivot["total"][last], table["total"][2],
        "pivot total = 2027 total"
    );
    let pdf = reqwest::Client::new()
        .get(app.url(&format!(
            "/api/v1/campaigns/{campaign}/consolidated?by=program&cols=org&year=2027&format=pdf&lang=kk"
        )))
        .bearer_auth(&planner)
        .send()
        .await
        .expect("pdf");
    assert_eq!(
        pdf.headers()["content-type"].to_str().expect("type"),
        "application/pdf"
    );
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF-"));
    let campaign_id = campaign.as_i64().expect("campaign id");
    reports_of_the_campaign(app, campaign_id, id, &planner, &abp).await;
    crate::execution::financing_plan(app, id).await;
    crate::devbudget::expense_trace(app, id).await;
    // The breakdowns export (BP-13, P-19): every calculation row with its amount, read back.
    let xlsx = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/requests/{id}/export?format=xlsx&lang=ru")))
        .bearer_auth(&abp)
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("bytes");
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(xlsx.to_vec())).expect("xlsx opens");
    let range = calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("sheet")
        .expect("range");
    let row = range
        .rows()
        .find(|r| {
            r.first()
                .is_some_and(|c| c.to_string() == line_id.to_string())
        })
        .expect("the line's row")
        .to_vec();
    let texts: Vec<String> = row.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        &texts[1..],
        [
            "003",
            "",
            "111",
            "Штат учителей",
            "2027",
            "1",
            "Учитель",
            "36000000"
        ],
        "{texts:?}"
    );
    // P-18: supporting documents on a new request (a forecast); readers download them, others not.
    let (_, refinement) = send_json(
        app,
        "post",
        "/requests",
        &economist,
        json!({"campaign_id": campaign, "org_id": school, "kind": "forecast"}),
    )
    .await;
    let rid = refinement["id"].as_i64().expect("id");
    let document = "Смета на ремонт кровли, 2027".as_bytes().to_vec();
    let upload = |body: Vec<u8>, version: i64| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/requests/{rid}/attachments?version={version}&file_name=%D1%81%D0%BC%D0%B5%D1%82%D0%B0.txt")))
            .bearer_auth(&economist)
            .header("content-type", "text/plain")
            .body(body)
            .send()
    };
    let (status, body) = json_of(upload(Vec::new(), 1).await.expect("upload")).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("file")));
    let (status, attached) = json_of(upload(document.clone(), 1).await.expect("upload")).await;
    assert_eq!(
        (status, attached["file_name"].as_str()),
        (201, Some("смета.txt")),
        "{attached}"
    );
    let download = |token: String| {
        reqwest::Client::new()
            .get(app.url(&format!(
                "/api/v1/requests/{rid}/attachments/{}",
                attached["id"]
            )))
            .bearer_auth(token)
            .send()
    };
    let got = download(abp.clone()).await.expect("download");
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.expect("bytes").to_vec(), document);
    let stranger = app.token("economist.library").await;
    assert_eq!(download(stranger).await.expect("download").status(), 403);
    // BP-10: the system administrator adds a form without code; a broken one is refused.
    let mut form: Value =
        serde_json::from_str(include_str!("../../../../data/forms/149.json")).expect("form");
    form["code"] = json!("149x");
    form["name_ru"] = json!("Прочие запасы (с доставкой)");
    form["columns"][5]["formula"] = json!("quantity * price * 1.05");
    let (status, _) = send_json(app, "put", "/forms/149x", &admin, form.clone()).await;
    assert_eq!(status, 204);
    let (_, forms) = send_json(app, "get", "/forms", &economist, Value::Null).await;
    assert!(
        forms
            .as_array()
            .expect("forms")
            .iter()
            .any(|f| f["code"] == "149x")
    );
    form["columns"][5]["formula"] = json!("quantity * unknown");
    let (status, body) = send_json(app, "put", "/forms/149x", &admin, form).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("definition")),
        "{body}"
    );
    // BP-2, P-14: a refinement of the approved request keeps the expense identifiers and shows
    // its differences; only approved requests get one.
    let (status, _) = send_json(
        app,
        "post",
        &format!("/requests/{rid}/versions"),
        &economist,
        json!({"kind": "refinement"}),
    )
    .await;
    assert_eq!(status, 422, "the draft is not approved");
    let (status, refined) = send_json(
        app,
        "post",
        &format!("/requests/{id}/versions"),
        &economist,
        json!({"kind": "refinement"}),
    )
    .await;
    assert_eq!(
        (status, refined["based_on"].as_i64()),
        (201, Some(id)),
        "{refined}"
    );
    let version_id = refined["id"].as_i64().expect("id");
    let (_, copy) = send_json(
        app,
        "get",
        &format!("/requests/{version_id}"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(
        copy["lines"][0]["expense_id"].as_i64(),
        Some(line_id),
        "the expense identifier is carried"
    );
    let copied_line = copy["lines"][0]["id"].as_i64().expect("line");
    assert_ne!(copied_line, line_id);
    let (status, _) = send_json(
        app,
        "put",
        &format!("/requests/{version_id}/lines/{copied_line}/years/2027"),
        &economist,
        json!({"version": 1, "rows": rows("11")}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, diff) = send_json(
        app,
        "get",
        &format!("/requests/{version_id}/diff"),
        &abp,
        Value::Null,
    )
    .await;
    assert_eq!(diff[0]["expense_id"].as_i64(), Some(line_id), "{diff}");
    assert_eq!(diff[0]["years"]["2027"], json!([36 * MLN, 396 * MLN / 10]));
    let page = app
        .signed_in("economist.school5")
        .await
        .get(app.url(&format!("/requests/{version_id}?lang=ru")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("Отличия от утверждённой заявки") && page.contains("3 600 000,00"),
        "difference shown"
    );
}

/// The appendices 57–60 (BP-R, P-19) on the approved request of school 5: official layout
/// (numbered columns, bold program rows, signatures), amounts reconciling with the
/// consolidation, PDF through the API and CSV from the command line.
async fn reports_of_the_campaign(app: &TestApp, campaign: i64, id: i64, planner: &str, abp: &str) {
    let (status, a57) = send_json(
        app,
        "get",
        &format!("/reports/appendix-57?request={id}&lang=ru"),
        abp,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{a57}");
    assert_eq!(a57["numbered"], true);
    assert!(
        a57["number"][0]
            .as_str()
            .expect("form")
            .contains("Приложение 57")
    );
    assert!(
        a57["signatures"][0]["role"] == "Руководитель государственного учреждения",
        "{a57}"
    );
    let headers: Vec<&str> = a57["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let col_2027 = headers.iter().position(|h| *h == "2027").expect("2027");
    let rows = a57["rows"].as_array().expect("rows");
    let program = rows
        .iter()
        .position(|r| r[0] == "003")
        .expect("program 003 row");
    assert!(
        a57["strong_rows"]
            .as_array()
            .expect("strong")
            .contains(&json!(program))
    );
    let specific = rows
        .iter()
        .find(|r| r[2] == "111")
        .expect("specific 111 row");
    assert_eq!(specific[col_2027].as_i64(), Some(36 * MLN));
    assert_eq!(a57["total"][col_2027].as_i64(), Some(36 * MLN));
    let head_iin = jospar_org::repo::user_by_login(&app.db, "head.school5")
        .await
        .expect("query")
        .expect("user")
        .iin;
    assert!(
        a57["footer"].as_array().expect("footer").iter().any(|l| l
            .as_str()
            .is_some_and(|l| l.contains("Подписано ЭЦП") && l.contains(&head_iin))),
        "{a57}"
    );
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let (status, a58) = send_json(
        app,
        "get",
        &format!("/reports/appendix-58?campaign={campaign}&org={edu}&lang=kk"),
        abp,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{a58}");
    assert!(
        a58["number"][0]
            .as_str()
            .expect("form")
            .contains("58-қосымша")
    );
    let (_, consolidated) = send_json(
        app,
        "get",
        &format!("/campaigns/{campaign}/consolidated?by=program&org={edu}"),
        abp,
        Value::Null,
    )
    .await;
    assert_eq!(
        a58["total"][col_2027], consolidated["total"][2],
        "58 = consolidation"
    );
    let (status, a59) = send_json(
        app,
        "get",
        &format!("/reports/appendix-59?campaign={campaign}&lang=ru"),
        planner,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{a59}");
    let (_, all) = send_json(
        app,
        "get",
        &format!("/campaigns/{campaign}/consolidated?by=program"),
        planner,
        Value::Null,
    )
    .await;
    // ABP, program, name, 2025 (the report year), 2026, 2027…
    assert_eq!(
        a59["total"][5], all["total"][2],
        "59 = consolidation (2027)"
    );
    assert!(
        a59["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r[0] == "261"),
        "{a59}"
    );
    let (status, a60) = send_json(
        app,
        "get",
        &format!("/reports/appendix-60?campaign={campaign}&lang=ru"),
        planner,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{a60}");
    // 2027: base + new initiatives = total, and the base column holds the school's payroll.
    let total = &a60["total"];
    assert_eq!(
        total[3].as_i64().unwrap_or(0) + total[4].as_i64().unwrap_or(0),
        total[5].as_i64().unwrap_or(-1)
    );
    assert!(total[3].as_i64().unwrap_or(0) >= 36 * MLN, "{a60}");
    // Bad parameters are named.
    let (status, body) = send_json(
        app,
        "get",
        &format!("/reports/appendix-58?campaign=x&org={edu}&lang=ru"),
        abp,
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("campaign")),
        "{body}"
    );
    // The XLSX of appendix 57 read back: heading groups, column numbers, amounts.
    let xlsx = reqwest::Client::new()
        .get(app.url(&format!(
            "/api/v1/reports/appendix-57?request={id}&format=xlsx&lang=ru"
        )))
        .bearer_auth(abp)
        .send()
        .await
        .expect("xlsx")
        .bytes()
        .await
        .expect("bytes");
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(xlsx.to_vec())).expect("xlsx opens");
    let range = calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("sheet")
        .expect("range");
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.iter().any(|c| c == "Плановый период")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.len() >= 8 && r[0] == "1" && r[7] == "8"),
        "numbered columns: {rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.get(2).is_some_and(|c| c == "111") && r.iter().any(|c| c == "36000")),
        "thousands of tenge (issue 21): {rows:?}"
    );
    // PDF through the API, the page on screen, CSV from the command line.
    let pdf = reqwest::Client::new()
        .get(app.url(&format!(
            "/api/v1/reports/appendix-57?request={id}&format=pdf&lang=kk"
        )))
        .bearer_auth(abp)
        .send()
        .await
        .expect("pdf")
        .bytes()
        .await
        .expect("bytes");
    assert!(pdf.starts_with(b"%PDF-"));
    let page = app
        .signed_in("abp.edu")
        .await
        .get(app.url(&format!("/reports/appendix-57?request={id}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("id=\"report\"")
            && page.contains("36 000,0")
            && page.contains("id=\"report-exact\""),
        "thousands of tenge with one decimal (issue 21): {page}"
    );
    let exact = app
        .signed_in("abp.edu")
        .await
        .get(app.url(&format!("/reports/appendix-57?request={id}&exact=1")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        exact.contains("36 000 000,00"),
        "the tiyn on screen: {exact}"
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args([
            "report",
            "appendix-59",
            "--campaign",
            &campaign.to_string(),
            "--format",
            "csv",
        ])
        .env("JOSPAR_DATABASE_URL", &app.url)
        .output()
        .expect("jospar report");
    let csv = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && csv.contains("Итого") && csv.contains("261"),
        "{csv} {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// ST-1, ST-2 through the API: the system administrator enters the pay reference tables, the
/// school's economist saves a staffing table and reads each position's pay and the year's
/// fund (the worked example of `crates/staffing`); a bad row is refused whole, by its number.
async fn staffing(app: &TestApp) {
    let admin = app.token("admin").await;
    let economist = app.token("economist.school5").await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let grid = json!({"rows": {"civil_servant": {"B2": [[0, 35000], [5, 39000]]}}});
    let rates = json!({
        "social_tax": 600, "social_contributions": 500,
        "health_insurance": 300, "employer_pension": 350, "employee_pension": 1000
    });
    for (table, value) in [
        ("base_salary", json!(1_769_700)),
        ("mci", json!(432_500)),
        ("minimum_wage", json!(8_500_000)),
        ("grid", grid),
        ("rates", rates),
    ] {
        let (status, body) = send_json(
            app,
            "put",
            &format!("/pay-reference/{table}/2026-01-01"),
            &admin,
            value,
        )
        .await;
        assert_eq!(status, 204, "{table}: {body}");
    }
    let (status, body) = send_json(
        app,
        "put",
        "/pay-reference/grid/2026-01-01?lang=ru",
        &admin,
        json!({"rows": "x"}),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("grid")),
        "{body}"
    );
    let teacher = json!({
        "program": "003", "subprogram": "",
        "unit": "Педагоги", "title": "Учитель", "category": "civil_servant", "grade": "B2",
        "service_years": 6, "staff_units": 1500, "contract_monthly": null,
        "allowances": [
            {"kind": "percent_of_salary", "name": "классное руководство", "percent": 1000},
            {"kind": "percent_of_base", "name": "за квалификацию", "percent": 2500},
            {"kind": "mci", "name": "сельская местность", "count": 20000},
            {"kind": "fixed", "name": "доплата", "monthly": 500000}
        ]
    });
    let (status, saved) = send_json(
        app,
        "put",
        &format!("/staffing/{school}/2027"),
        &economist,
        json!({"version": 0, "positions": [teacher.clone()]}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    // 17 697 × 3.9 = 69 018.30; + 6 901.83 + 4 424.25 + 8 650 + 5 000 = 93 994.38 a month.
    assert_eq!(saved["pay"][0]["total"].as_i64(), Some(9_399_438));
    // × 1.5 units × 12 months = 1 691 898.84; social tax 6 % of pay less 10 % pension.
    assert_eq!(saved["fund"]["payroll"].as_i64(), Some(169_189_884));
    assert_eq!(saved["fund"]["social_tax"].as_i64(), Some(9_136_254));
    let mut bad = teacher.clone();
    bad["grade"] = json!("B9");
    let (status, body) = send_json(
        app,
        "put",
        &format!("/staffing/{school}/2027?lang=ru"),
        &economist,
        json!({"version": 1, "positions": [teacher, bad]}),
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("positions[1]")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("Строка 2"),
        "{body}"
    );
    let (status, stored) = send_json(
        app,
        "get",
        &format!("/staffing/{school}/2027"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(
        (
            status,
            stored["version"].as_i64(),
            stored["positions"].as_array().map(Vec::len)
        ),
        (200, Some(1), Some(1)),
        "nothing of the refused save was stored: {stored}"
    );
    // ST-3: a new request of the school gets the payroll lines of 2027 from the staffing
    // table, as computed cells that cannot be typed over.
    let (_, campaigns) = send_json(app, "get", "/campaigns", &economist, Value::Null).await;
    let campaign = campaigns
        .as_array()
        .expect("campaigns")
        .iter()
        .find(|c| c["first_year"] == 2027)
        .expect("campaign")["id"]
        .clone();
    let (status, request) = send_json(
        app,
        "post",
        "/requests",
        &economist,
        json!({"campaign_id": campaign, "org_id": school, "kind": "correction"}),
    )
    .await;
    assert_eq!(status, 201, "{request}");
    let rid = request["id"].as_i64().expect("id");
    let (_, filled) = send_json(
        app,
        "get",
        &format!("/requests/{rid}"),
        &economist,
        Value::Null,
    )
    .await;
    let amount_of = |specific: &str| {
        filled["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .find(|l| l["program"] == "003" && l["specific"] == specific)
            .and_then(|l| l["amounts"]["2027"].as_i64())
    };
    assert_eq!(amount_of("111"), Some(169_189_884), "{filled}");
    assert_eq!(amount_of("121"), Some(9_136_254), "{filled}");
    // 5 % of 1 691 898.84 × 0.9 = 76 135.45; 3 % = 50 756.97; 3.5 % = 59 216.46
    assert_eq!(amount_of("122"), Some(7_613_545));
    assert_eq!(amount_of("124"), Some(5_075_697));
    assert_eq!(amount_of("116"), Some(5_921_646));
    let line_111 = filled["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["specific"] == "111")
        .expect("line 111")["id"]
        .as_i64()
        .expect("id");
    let (status, body) = send_json(
        app,
        "put",
        &format!("/requests/{rid}/lines/{line_111}/years/2027?lang=ru"),
        &economist,
        json!({"version": filled["request"]["version"], "rows": [{"position": "x", "staff_units": "1", "salary": "1", "months": "1"}]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("штатного расписания"),
        "{body}"
    );
    let line_page = app
        .signed_in("economist.school5")
        .await
        .get(app.url(&format!("/requests/{rid}/lines/{line_111}?year=2027")))
        .send()
        .await
        .expect("line page")
        .text()
        .await
        .expect("text");
    assert!(
        line_page.contains("id=\"from-staffing\"") && !line_page.contains("id=\"line-save\""),
        "the payroll line is shown as computed"
    );
    // Changing the staffing table changes the request (one more teacher unit).
    let mut more = stored["positions"][0].clone();
    more["staff_units"] = json!(2500);
    let (status, _) = send_json(
        app,
        "put",
        &format!("/staffing/{school}/2027"),
        &economist,
        json!({"version": 1, "positions": [more]}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, refilled) = send_json(
        app,
        "get",
        &format!("/requests/{rid}"),
        &economist,
        Value::Null,
    )
    .await;
    // 93 994.38 × 2.5 × 12 = 2 819 831.40
    assert!(
        refilled["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .any(|l| l["specific"] == "111" && l["amounts"]["2027"] == 281_983_140),
        "{refilled}"
    );
    // Copy 2027 to 2028 (a year longer in service), add a position, compare the years.
    let (status, copied) = send_json(
        app,
        "post",
        &format!("/staffing/{school}/2027/copy"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{copied}");
    assert_eq!(copied["positions"][0]["service_years"], 7);
    let (status, body) = send_json(
        app,
        "post",
        &format!("/staffing/{school}/2027/copy?lang=ru"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("year")),
        "{body}"
    );
    let mut psychologist = copied["positions"][0].clone();
    psychologist["title"] = json!("Психолог");
    let positions = json!([copied["positions"][0].clone(), psychologist]);
    let (status, _) = send_json(
        app,
        "put",
        &format!("/staffing/{school}/2028"),
        &economist,
        json!({"version": copied["version"], "positions": positions}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, changes) = send_json(
        app,
        "get",
        &format!("/staffing/{school}/compare?from=2027&to=2028"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{changes}");
    let kinds: Vec<(&str, &str)> = changes
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap_or(""),
                c["title"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(kinds.contains(&("added", "Психолог")), "{changes}");
    crate::analytics::payroll_distribution(app, school).await;
    // A change of a reference table recomputes the request: the MCI of 2027 rises to 5 000,
    // so the rural supplement of 2 MCI is 10 000 instead of 8 650 (+1 350 a month):
    // 95 344.38 × 2.5 × 12 = 2 860 331.40.
    let (status, _) = send_json(
        app,
        "put",
        "/pay-reference/mci/2027-01-01",
        &admin,
        json!(500_000),
    )
    .await;
    assert_eq!(status, 204);
    let (_, recomputed) = send_json(
        app,
        "get",
        &format!("/requests/{rid}"),
        &economist,
        Value::Null,
    )
    .await;
    assert!(
        recomputed["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .any(|l| l["specific"] == "111" && l["amounts"]["2027"] == 286_033_140),
        "{recomputed}"
    );
    let audit = app
        .db
        .audit_entries(&jospar_store::AuditFilter {
            entity: Some("pay_reference".into()),
            login: Some("admin".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(
        audit.len(),
        6,
        "five tables and the MCI of 2027, by the administrator"
    );
    // The reference tables on screen: the administrator adds a grid grade from a form; a
    // malformed band is refused with the field named; the economist sees but cannot edit.
    let admin_pages = app.signed_in("admin").await;
    let page = admin_pages
        .get(app.url("/staffing/reference?lang=ru"))
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
    assert!(
        page.contains("17 697,00") && page.contains("0: 3.5; 5: 3.9"),
        "{page}"
    );
    let post = |bands: &'static str| {
        admin_pages
            .post(app.url("/staffing/reference?lang=ru"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("table", "grid"),
                ("valid_from", "2026-01-01"),
                ("category", "civil_servant"),
                ("grade", "C1"),
                ("bands", bands),
            ])
            .send()
    };
    let refused = post("0 3,1").await.expect("post");
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.expect("text").contains("bands"));
    assert_eq!(post("0: 3,1; 10: 3,4").await.expect("post").status(), 303);
    let page = admin_pages
        .get(app.url("/staffing/reference"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("0: 3.1; 10: 3.4") && page.contains("0: 3.5; 5: 3.9"),
        "{page}"
    );
    let economist_page = app
        .signed_in("economist.school5")
        .await
        .get(app.url("/staffing/reference"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(!economist_page.contains("name=\"bands\""));
    // XLSX exchange: the template read back as an import of 2029; a bad cell is named and
    // nothing is imported; the good file replaces the year's positions.
    let economist_pages = app.signed_in("economist.school5").await;
    let template = economist_pages
        .get(app.url("/staffing/template?lang=ru"))
        .send()
        .await
        .expect("template")
        .bytes()
        .await
        .expect("bytes")
        .to_vec();
    let page = economist_pages
        .get(app.url(&format!("/staffing?org={school}&year=2029")))
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
    let upload = |file: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("org", school.to_string())
            .text("year", "2029")
            .text("version", "0")
            .part(
                "file",
                reqwest::multipart::Part::bytes(file).file_name("staff.xlsx"),
            );
        economist_pages
            .post(app.url("/staffing/import?lang=ru"))
            .multipart(form)
            .send()
    };
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(template.clone())).expect("template opens");
    let range = calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("sheet")
        .expect("range");
    let headings: Vec<String> = range
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(headings[7], "Штатные единицы");
    let bad = jospar_reports::to_plain_xlsx(
        &headings,
        &[[
            "003",
            "",
            "Педагоги",
            "Учитель",
            "civil_servant",
            "B2",
            "6",
            "полторы",
            "",
            "10",
            "25",
            "",
            "2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()],
    )
    .expect("xlsx");
    let refused = upload(bad).await.expect("upload");
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.expect("text");
    assert!(text.contains("Строка 2, графа «Штатные единицы»"), "{text}");
    let (status, _) = send_json(
        app,
        "get",
        &format!("/staffing/{school}/2029"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 404, "nothing imported");
    assert_eq!(upload(template).await.expect("upload").status(), 303);
    let (status, imported) = send_json(
        app,
        "get",
        &format!("/staffing/{school}/2029"),
        &economist,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{imported}");
    assert_eq!(imported["positions"][0]["staff_units"], 1500);
    assert_eq!(
        imported["positions"][0]["allowances"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
}
