//! Browser test: headless Chromium through WebDriver signs in, switches language,
//! searches the classification (htmx, as the user types) and opens the audit log.

use crate::app::{DEMO_PASSWORD, Engine, spawn};
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn browser_available() -> bool {
    let present = std::path::Path::new("/usr/bin/chromium").exists()
        && std::path::Path::new("/usr/bin/chromedriver").exists();
    if !present {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("chromium and chromedriver must be installed in CI (.ci/run installs them)");
        }
        eprintln!(
            "SKIPPED: /usr/bin/chromium or /usr/bin/chromedriver missing (apt-get install chromium chromium-driver)"
        );
    }
    present
}

async fn wait_for_text(client: &fantoccini::Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never contained {needle:?}; last text: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// With JOSPAR_SCREENSHOTS=DIR the test keeps a PNG of each page it checks (to look at).
async fn keep_screenshot(client: &fantoccini::Client, name: &str) {
    if let Ok(dir) = std::env::var("JOSPAR_SCREENSHOTS") {
        let png = client.screenshot().await.expect("screenshot");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(format!("{dir}/{name}.png"), png).expect("write screenshot");
    }
}

/// A headless Chromium session through a chromedriver of its own (stopped on drop).
async fn browser() -> (Driver, fantoccini::Client, std::path::PathBuf) {
    let port = free_port();
    let driver = Driver(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver"),
    );
    let profile =
        std::env::temp_dir().join(format!("jospar-chromium-{}-{port}", std::process::id()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1366,768", "--lang=ru", format!("--user-data-dir={}", profile.display())]
        }),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let client = loop {
        match ClientBuilder::rustls()
            .expect("connector")
            .capabilities(caps.clone())
            .connect(&webdriver)
            .await
        {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("webdriver session: {e}"),
        }
    };
    (driver, client, profile)
}

#[tokio::test]
async fn sign_in_switch_language_search_and_open_audit() {
    if !browser_available() {
        return;
    }
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    let (_driver, client, profile) = browser().await;

    // The home page before sign-in, then switch to Kazakh.
    client.goto(&app.url("/?lang=ru")).await.expect("home");
    wait_for_text(&client, "h1", "планирование и исполнение бюджета").await;
    client
        .find(Locator::Id("lang-kk"))
        .await
        .expect("switch")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "h1", "бюджетті жоспарлау және атқару").await;

    // Sign in; the chosen language stays.
    client
        .find(Locator::Id("login-link"))
        .await
        .expect("login link")
        .click()
        .await
        .expect("click");
    client
        .find(Locator::Id("login"))
        .await
        .expect("login")
        .send_keys("admin")
        .await
        .expect("type");
    client
        .find(Locator::Id("password"))
        .await
        .expect("password")
        .send_keys(DEMO_PASSWORD)
        .await
        .expect("type");
    client
        .find(Locator::Id("login-submit"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "h1", "Жұмыс үстелі").await;

    // Search the classification as you type (htmx swaps the list).
    client
        .goto(&app.url("/classification"))
        .await
        .expect("classification");
    let search = client.find(Locator::Id("ebk-q")).await.expect("search box");
    let before = wait_for_text(&client, "#ebk-list", "Қорғаныс").await;
    assert!(
        !before.contains("04 2 261"),
        "the search result must come from the search"
    );
    search.send_keys("261").await.expect("type");
    let found = wait_for_text(&client, "#ebk-list", "04 2 261").await;
    assert!(
        !found.contains("Қорғаныс"),
        "the list is filtered as the user types"
    );
    keep_screenshot(&client, "classification-kk").await;

    // Back to Russian on the same page.
    client
        .find(Locator::Id("lang-ru"))
        .await
        .expect("switch")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "h1", "Единая бюджетная классификация").await;

    // The audit log.
    client
        .find(Locator::LinkText("Журнал изменений"))
        .await
        .expect("nav")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "h1", "Журнал изменений").await;
    let table = wait_for_text(&client, "#audit-table", "system").await;
    assert!(table.contains("Создание"));
    keep_screenshot(&client, "audit-ru").await;
    for page in ["/orgs", "/users", "/calendar?year=2026"] {
        client.goto(&app.url(page)).await.expect("page");
        wait_for_text(&client, "h1", "").await;
        keep_screenshot(
            &client,
            page.trim_start_matches('/')
                .split('?')
                .next()
                .unwrap_or("page"),
        )
        .await;
    }

    client.close().await.expect("close");
    let _ = std::fs::remove_dir_all(profile);
}

async fn fill(client: &fantoccini::Client, css: &str, text: &str) {
    let input = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("input {css}"));
    input.clear().await.expect("clear");
    input.send_keys(text).await.expect("type");
}

/// Signs out (the session cookie dropped) and signs in as `login`.
async fn switch_user(client: &fantoccini::Client, app: &crate::app::TestApp, login: &str) {
    client.delete_all_cookies().await.expect("cookies");
    sign_in(client, app, login).await;
}

/// Picks the option of `value` in the select `css`, as a person does from the keyboard.
async fn pick(client: &fantoccini::Client, css: &str, value: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("select {css}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|_| panic!("{css}: no option {value}"));
}

async fn sign_in(client: &fantoccini::Client, app: &crate::app::TestApp, login: &str) {
    client
        .goto(&app.url("/login?lang=ru"))
        .await
        .expect("login page");
    fill(client, "#login", login).await;
    fill(client, "#password", DEMO_PASSWORD).await;
    client
        .find(Locator::Id("login-submit"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    wait_for_text(client, "h1", "Рабочий стол").await;
}

/// an economist fills a request line; the head of the school signs and sends it, sees the
/// limit error; the economist fixes the line and the head signs and sends it (issue 21).
#[tokio::test]
async fn fill_a_request_line_see_the_limit_error_fix_and_send() {
    if !browser_available() {
        return;
    }
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    let root = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let who = jospar_store::Who::system();
    let campaign = app.open_campaign_2027().await;
    let orgs: std::collections::HashMap<i64, jospar_org::Org> = jospar_org::repo::all_orgs(&app.db)
        .await
        .expect("orgs")
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let tree = jospar_org::repo::org_tree(&app.db).await.expect("tree");
    let mln = 100_000_000i64;
    let change = |org: i64, program: &str, amount: i64| jospar_limits::repo::Change {
        org_id: org,
        program: program.into(),
        year: 2027,
        kind: jospar_limits::LimitKind::Base,
        amount_tiyn: amount * mln,
        version: 0,
    };
    jospar_limits::repo::save_amounts(
        &app.db,
        &who,
        &campaign,
        &orgs,
        &tree,
        &[
            change(root, "", 1000),
            change(edu, "", 600),
            change(edu, "003", 500),
            change(school, "003", 50),
        ],
        None,
    )
    .await
    .expect("limits");
    let request = jospar_planning::repo::create_request(
        &app.db,
        &who,
        campaign.id,
        school,
        jospar_planning::RequestKind::Plan,
    )
    .await
    .expect("request");

    let (_driver, client, profile) = browser().await;
    sign_in(&client, &app, "economist.school5").await;
    client
        .goto(&app.url(&format!("/requests/{}", request.id)))
        .await
        .expect("request page");
    // Codes are picked by name (issue 21), the subprograms narrowed to the program's.
    pick(&client, "#l-program", "003").await;
    pick(&client, "#l-subprogram", "015").await;
    pick(&client, "#l-specific", "111").await;
    client
        .find(Locator::Id("line-add"))
        .await
        .expect("add")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "h1", "Расчёт строки").await;
    fill(&client, "input[name='c|0|position']", "Учитель").await;
    fill(&client, "input[name='c|0|staff_units']", "20").await;
    fill(&client, "input[name='c|0|salary']", "300 000").await;
    fill(&client, "input[name='c|0|months']", "12").await;
    client
        .find(Locator::Id("line-save"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#line-amount", "72 000 000,00").await;
    assert!(
        client
            .find(Locator::Css("input[name='c|0|total']"))
            .await
            .is_err(),
        "no input for a computed cell"
    );
    keep_screenshot(&client, "request-line").await;

    // The economist prepares, the head of the school signs and sends (issue 21).
    client
        .goto(&app.url(&format!("/requests/{}", request.id)))
        .await
        .expect("request page");
    wait_for_text(&client, "#head-signs", "руководитель").await;
    assert!(
        client.find(Locator::Id("request-send")).await.is_err(),
        "the economist has no send button"
    );
    switch_user(&client, &app, "head.school5").await;
    client
        .goto(&app.url(&format!("/requests/{}", request.id)))
        .await
        .expect("request page");
    client
        .find(Locator::Id("request-send"))
        .await
        .expect("send")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#request-error", "превышение 22 000 000,00").await;
    keep_screenshot(&client, "request-over-limit").await;

    switch_user(&client, &app, "economist.school5").await;
    client
        .goto(&app.url(&format!("/requests/{}", request.id)))
        .await
        .expect("request page");
    client
        .find(Locator::Css("#request-lines a"))
        .await
        .expect("line link")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "h1", "Расчёт строки").await;
    fill(&client, "input[name='c|0|staff_units']", "10").await;
    client
        .find(Locator::Id("line-save"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#line-amount", "36 000 000,00").await;
    switch_user(&client, &app, "head.school5").await;
    client
        .goto(&app.url(&format!("/requests/{}", request.id)))
        .await
        .expect("request page");
    // The head closes NCALayer's key window: nothing is sent (BP-6).
    app.ncalayer
        .script(serde_json::json!({"status": true, "body": {}}));
    client
        .find(Locator::Id("request-send"))
        .await
        .expect("send")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#sign-status", "Подписание отменено").await;
    // Signed with the head's key through (fake) NCALayer, verified by the server.
    client
        .find(Locator::Id("request-send"))
        .await
        .expect("send")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#request-status", "Отправлена на рассмотрение").await;
    let head = jospar_org::repo::user_by_login(&app.db, "head.school5")
        .await
        .expect("query")
        .expect("user");
    wait_for_text(&client, "#signatures", &head.iin).await;
    wait_for_text(&client, "#signature-current", "действующая").await;
    keep_screenshot(&client, "request-sent").await;

    client.close().await.expect("close");
    let _ = std::fs::remove_dir_all(profile);
}

/// (ST-1) an economist adds a position to the school's staffing table and sees its
/// salary computed from the reference tables.
#[tokio::test]
async fn add_a_position_and_see_its_salary() {
    if !browser_available() {
        return;
    }
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    let who = jospar_store::Who::system();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let tables = [
        ("base_salary", serde_json::json!(1_769_700)),
        ("mci", serde_json::json!(432_500)),
        ("minimum_wage", serde_json::json!(8_500_000)),
        (
            "grid",
            serde_json::json!({"rows": {"civil_servant": {"B2": [[0, 35000], [5, 39000]]}}}),
        ),
        (
            "rates",
            serde_json::json!({"social_tax": 600, "social_contributions": 500, "health_insurance": 300,
                               "employer_pension": 350, "employee_pension": 1000}),
        ),
    ];
    for (table, value) in tables {
        jospar_staffing::repo::set_reference(&app.db, &who, table, day, &value)
            .await
            .expect("reference");
    }
    let school = app.org_id("Общеобразовательная школа №5").await;
    let (driver, client, profile) = browser().await;
    let _driver = driver;
    sign_in(&client, &app, "economist.school5").await;
    client
        .goto(&app.url(&format!("/staffing?org={school}&year=2027&lang=ru")))
        .await
        .expect("staffing page");
    wait_for_text(&client, "h1", "Штатное расписание").await;
    fill(&client, "#p-program", "003").await;
    fill(&client, "#p-unit", "Педагоги").await;
    fill(&client, "#p-title", "Учитель").await;
    fill(&client, "#p-grade", "B2").await;
    fill(&client, "#p-service", "6").await;
    fill(&client, "#p-units", "1,5").await;
    fill(&client, "input[name='allowance_value']", "10").await;
    client
        .find(Locator::Id("position-add"))
        .await
        .expect("add")
        .click()
        .await
        .expect("click");
    // Below the minimum wage: 17 697 × 3.9 = 69 018.30 + 10 % = 75 920.13 < 85 000.
    wait_for_text(
        &client,
        "#staffing-error",
        "ниже минимальной заработной платы",
    )
    .await;
    // With a fixed supplement of 10 000 a month it is allowed.
    client
        .find(Locator::Id("p-ak1"))
        .await
        .expect("second allowance kind")
        .select_by_value("fixed")
        .await
        .expect("select");
    let values = client
        .find_all(Locator::Css("input[name='allowance_value']"))
        .await
        .expect("allowance values");
    values[1].send_keys("10000").await.expect("type");
    client
        .find(Locator::Id("position-add"))
        .await
        .expect("add")
        .click()
        .await
        .expect("click");
    // 69 018.30 + 6 901.83 + 10 000 = 85 920.13 a month; × 1.5 × 12 = 1 546 562.34 a year.
    wait_for_text(&client, "#positions", "85 920,13").await;
    wait_for_text(&client, "#fund", "1 546 562,34").await;
    // Edit the position in place: two staff units, the allowances kept.
    client
        .goto(&app.url(&format!("/staffing?org={school}&year=2027&edit=0&lang=ru")))
        .await
        .expect("edit");
    fill(&client, "#p-units", "2").await;
    client
        .find(Locator::Id("position-add"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    // 85 920.13 × 2 × 12 = 2 062 083.12
    wait_for_text(&client, "#fund", "2 062 083,12").await;
    keep_screenshot(&client, "staffing").await;
    client.close().await.expect("close");
    let _ = std::fs::remove_dir_all(profile);
}

/// (EX-6, EX-R 18) the education administrator approves a school's financing plan
/// with the EDS through (fake) NCALayer, then the planner uploads the portal's execution report
/// of Astana and lands on its reconciliation, and imports the Treasury's form 5-52 (EX-5).
#[tokio::test]
async fn approve_a_plan_with_eds_and_import_execution_files() {
    if !browser_available() {
        return;
    }
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    let school = app.org_id("Общеобразовательная школа №5").await;
    let annual = jospar_core::Tenge::from_tiyn(120_000_000);
    let line = jospar_execution::PlanLine {
        expense_id: 7,
        program: "003".into(),
        subprogram: "015".into(),
        specific: "111".into(),
        approved: annual,
        obligations: jospar_execution::even_months(annual),
        payments: jospar_execution::even_months(annual),
    };
    let line_expense = line.expense_id;
    let plan = jospar_execution::plans::create_plan(
        &app.db,
        &jospar_store::Who::system(),
        school,
        1,
        2027,
        &[line],
    )
    .await
    .expect("plan");

    let (_driver, client, profile) = browser().await;
    sign_in(&client, &app, "abp.edu").await;
    client
        .goto(&app.url(&format!("/plans/{}?lang=ru", plan.id)))
        .await
        .expect("plan page");
    wait_for_text(&client, "#plan-status", "черновик").await;
    // A month that is not an amount: the save is refused, the typed months stay, the bad
    // cell is marked (issue 21).
    let february = format!("input[name='o-{}-2']", line_expense);
    let march = format!("input[name='p-{}-3']", line_expense);
    fill(&client, &february, "12абв").await;
    fill(&client, &march, "1 234,50").await;
    client
        .find(Locator::Id("plan-save"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#plan-error", "Февраль").await;
    for (css, typed) in [(&february, "12абв"), (&march, "1 234,50")] {
        let value = client
            .find(Locator::Css(css))
            .await
            .expect("cell")
            .prop("value")
            .await
            .expect("value");
        assert_eq!(value.as_deref(), Some(typed), "{css} keeps what was typed");
    }
    assert!(
        client
            .find(Locator::Css(&format!("{february}.bad")))
            .await
            .is_ok()
    );
    keep_screenshot(&client, "plan-refused").await;
    // Submitted, then approved with the EDS (issue 21); the page asks first.
    client
        .goto(&app.url(&format!("/plans/{}?lang=ru", plan.id)))
        .await
        .expect("plan page");
    client
        .execute("window.confirm = () => true;", vec![])
        .await
        .expect("confirm");
    client
        .find(Locator::Id("plan-submit"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#plan-status", "представлен").await;
    client
        .find(Locator::Id("plan-approve"))
        .await
        .expect("approve")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#plan-status", "утверждён").await;
    let abp = jospar_org::repo::user_by_login(&app.db, "abp.edu")
        .await
        .expect("query")
        .expect("user");
    wait_for_text(&client, "#plan-signatures", &abp.iin).await;
    keep_screenshot(&client, "plan-approved").await;

    // Another user on the same browser: the session cookie is dropped first.
    client.delete_all_cookies().await.expect("cookies");
    sign_in(&client, &app, "planner").await;
    client
        .goto(&app.url("/execution?lang=ru"))
        .await
        .expect("execution page");
    let file = format!(
        "{}/../../data/portal/local_astana_city_execution_tree.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    fill(&client, "#e-title", "Бюджет города Астаны").await;
    client
        .find(Locator::Id("e-file"))
        .await
        .expect("file input")
        .send_keys(
            &std::fs::canonicalize(&file)
                .expect("file")
                .display()
                .to_string(),
        )
        .await
        .expect("choose file");
    client
        .find(Locator::Id("execution-import"))
        .await
        .expect("import")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#report-title", "Сверка").await;
    wait_for_text(
        &client,
        ".signature",
        "расхождений сверх округления источника 0",
    )
    .await;
    keep_screenshot(&client, "execution-reconciliation").await;
    // Form 5-52 of the Treasury, the documented sample, for the education administrator.
    client
        .goto(&app.url("/execution?lang=ru"))
        .await
        .expect("execution page");
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    client
        .find(Locator::Css(&format!("#t-org option[value='{edu}']")))
        .await
        .expect("org option")
        .click()
        .await
        .expect("pick org");
    fill(&client, "#t-date", "01.04.2027").await;
    let sample = format!(
        "{}/../../data/treasury/5-52-sample.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    client
        .find(Locator::Id("t-file"))
        .await
        .expect("file input")
        .send_keys(
            &std::fs::canonicalize(&sample)
                .expect("file")
                .display()
                .to_string(),
        )
        .await
        .expect("choose file");
    client
        .find(Locator::Id("treasury-import"))
        .await
        .expect("import")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#report-title", "5-52").await;
    wait_for_text(&client, "#report", "9 565 000,50").await;
    keep_screenshot(&client, "cash-execution-552").await;
    client.close().await.expect("close");
    let _ = std::fs::remove_dir_all(profile);
}

/// (OB-3) a citizen opens a passport in discussion without signing in, signs in with
/// the signature through NCALayer and votes "for" it; a second vote is refused on the page.
#[tokio::test]
async fn a_citizen_signs_in_with_eds_and_votes_for_a_passport() {
    if !browser_available() {
        return;
    }
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let today = chrono::Utc::now().date_naive();
    let doc = jospar_openbudget::repo::publish(
        &app.db,
        &jospar_store::Who::system(),
        jospar_openbudget::repo::NewDocument {
            kind: jospar_openbudget::DocKind::Passport,
            org_id: edu,
            abp: "261".into(),
            program: "003".into(),
            year: 2027,
            title_ru: "Общеобразовательное обучение".into(),
            title_kk: "Жалпы білім беру".into(),
            summary_ru: "Цель: доступное качественное школьное образование.".into(),
            summary_kk: "Мақсаты: қолжетімді сапалы мектептегі білім.".into(),
            head: "Заместитель руководителя".into(),
            budget_kind: "local".into(),
            figures: vec![],
            published_on: today,
            ends_on: today + chrono::Days::new(20),
        },
        &[],
    )
    .await
    .expect("document");
    // Any person with a signature takes part: here one whose key the fake NCALayer holds.
    let citizen = jospar_org::repo::user_by_login(&app.db, "economist.school5")
        .await
        .expect("q")
        .expect("user");

    let (_driver, client, profile) = browser().await;
    client
        .goto(&app.url(&format!("/open-budget/{}?lang=ru", doc.id)))
        .await
        .expect("document page");
    wait_for_text(&client, "#ob-doc-title", "Общеобразовательное обучение").await;
    client
        .find(Locator::Id("ob-sign-in"))
        .await
        .expect("sign-in link")
        .click()
        .await
        .expect("click");
    fill(&client, "#ob-iin", &citizen.iin).await;
    client
        .find(Locator::Id("ob-sign-in-submit"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#ob-doc-votes", "«За»: 0").await;
    keep_screenshot(&client, "open-budget-document").await;
    client
        .find(Locator::Id("ob-vote-for"))
        .await
        .expect("vote button")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#ob-doc-votes", "«За»: 1").await;
    client
        .find(Locator::Id("ob-vote-against"))
        .await
        .expect("vote button")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#ob-error", "уже голосовали").await;
    wait_for_text(&client, "#ob-doc-votes", "«Против»: 0").await;
    client.close().await.expect("close");
    let _ = std::fs::remove_dir_all(profile);
}

/// (OV-4) a read-only auditor signed in through the browser reads an organisation but
/// a write sent from the page is refused, and the organisation is unchanged.
#[tokio::test]
async fn an_auditor_reads_but_a_write_from_the_page_is_refused() {
    if !browser_available() {
        return;
    }
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let (_driver, client, profile) = browser().await;
    sign_in(&client, &app, "auditor").await;
    client
        .goto(&app.url("/execution?lang=ru"))
        .await
        .expect("execution page");
    wait_for_text(&client, "h1", "Исполнение").await;
    assert!(
        client.find(Locator::Id("close-period-form")).await.is_err(),
        "no form to close a month for a read-only auditor"
    );
    // The same request the form would send, from the auditor's page with its session.
    let script = format!(
        "const csrf = document.querySelector('input[name=csrf]').value;
         const body = new URLSearchParams({{csrf, org: '{edu}', month: '2027-03', reason: 'проверка'}});
         const answer = await fetch('/execution/periods', {{method: 'POST', body}});
         return answer.status;"
    );
    let status = client.execute(&script, vec![]).await.expect("script");
    assert_eq!(status, serde_json::json!(403), "the write is refused");
    let closed = jospar_execution::periods::closed_periods(&app.db)
        .await
        .expect("periods");
    assert!(closed.is_empty(), "nothing was written: {closed:?}");
    client.close().await.expect("close");
    let _ = std::fs::remove_dir_all(profile);
}

/// (issue 20) the requests list pages, searches and sorts on the server: 61 requests, 50 a
/// page, the second page holds the rest; a search by organisation finds its 60; sorting by
/// number descending puts the newest first; numbers, not ids, are the rows' text.
#[tokio::test]
async fn search_sort_and_page_the_requests_list() {
    if !browser_available() {
        return;
    }
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    let school = app.org_id("Общеобразовательная школа №5").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let campaign = app.open_campaign_2027().await;
    // One request in work per organisation, campaign and kind (issue 21): the school's 60 are
    // refinements, each approved before the next is opened.
    let who = jospar_store::Who::system();
    for org in std::iter::repeat_n(school, 60).chain([edu]) {
        let request = jospar_planning::repo::create_request(
            &app.db,
            &who,
            campaign.id,
            org,
            jospar_planning::RequestKind::Refinement,
        )
        .await
        .expect("request");
        let approved = jospar_planning::repo::Move {
            from: &[jospar_planning::Status::InWork],
            to: jospar_planning::Status::Approved,
            stage: None,
            reason: None,
        };
        let target = jospar_planning::repo::Target {
            request_id: request.id,
            version: request.version,
        };
        jospar_planning::repo::transition(&app.db, &who, target, approved)
            .await
            .expect("approved");
    }
    let (_driver, client, profile) = browser().await;
    sign_in(&client, &app, "planner").await;
    client
        .goto(&app.url("/requests?lang=ru"))
        .await
        .expect("requests");
    wait_for_text(&client, ".pager-summary", "Строки 1–50 из 61").await;
    let rows = client
        .find_all(Locator::Css("#requests tbody tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 50);
    let first = client
        .find(Locator::Css("#requests tbody tr td"))
        .await
        .expect("cell")
        .text()
        .await
        .expect("text");
    assert!(
        first.starts_with("БЗ-2027-"),
        "a number, not an id: {first}"
    );
    keep_screenshot(&client, "requests-list-ru").await;

    client
        .find(Locator::Css("a[rel=next]"))
        .await
        .expect("next page")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, ".pager-summary", "Строки 51–61 из 61").await;

    fill(&client, "#r-q", "школа №5").await;
    client
        .find(Locator::Id("requests-find"))
        .await
        .expect("find")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, ".pager-summary", "Строки 1–50 из 60").await;

    // Sorting by number: ascending, then descending on the second click; the search stays.
    for _ in 0..2 {
        client
            .find(Locator::Css("th[aria-sort] a[href*='sort=']"))
            .await
            .expect("number heading")
            .click()
            .await
            .expect("click");
    }
    wait_for_text(&client, "#requests tbody tr td", "БЗ-2027-0060").await;
    wait_for_text(&client, ".pager-summary", "из 60").await;
    assert!(
        client
            .current_url()
            .await
            .expect("url")
            .as_str()
            .contains("sort=-number"),
        "the sort is in the address"
    );
    client
        .goto(&app.url("/requests?lang=kk&q=%D0%BD%D0%B8%D1%87%D0%B5%D0%B3%D0%BE"))
        .await
        .expect("kk");
    wait_for_text(&client, "#requests-empty", "ештеңе табылмады").await;
    keep_screenshot(&client, "requests-list-kk-empty").await;
    client.close().await.expect("close");
    let _ = std::fs::remove_dir_all(profile);
}

/// Issue 20: the demo's budget year (`jospar::demo_workflow`) seen in the browser. The school's
/// economist signs in to a start page that shows the returned request with the reason and the
/// notice in the header, and opens the request from the notice. A user whose grant is limited
/// to financing plans sees plans and not budget requests in the menu, enters a plan, and is
/// offered no way to create a request.
#[tokio::test]
async fn start_page_with_a_returned_request_and_a_plan_only_grant() {
    if !browser_available() {
        return;
    }
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");
    let (_driver, client, profile) = browser().await;
    sign_in(&client, &app, "economist.school5").await;
    wait_for_text(
        &client,
        "#home-returned",
        "в штатном расписании школы 9 ставок",
    )
    .await;
    wait_for_text(&client, "#unread", "1").await;
    keep_screenshot(&client, "start-page-economist-ru").await;
    client
        .find(Locator::Css("#home-notices li a"))
        .await
        .expect("the notice")
        .click()
        .await
        .expect("click");
    let url = client.current_url().await.expect("url");
    assert!(url.path().starts_with("/requests/"), "{url}");
    let counter = client.find(Locator::Id("unread")).await;
    assert!(counter.is_err(), "the opened notice is read");

    // A return asks first: dismissed, nothing happens; agreed, the request is returned and
    // the page confirms it.
    client.delete_all_cookies().await.expect("sign out");
    sign_in(&client, &app, "abp.edu").await;
    client
        .find(Locator::Css("#home-review tbody a"))
        .await
        .expect("the request awaiting review")
        .click()
        .await
        .expect("click");
    fill(&client, "#reason", "Приложите расчёт по штату").await;
    client
        .find(Locator::Id("request-return"))
        .await
        .expect("return")
        .click()
        .await
        .expect("click");
    assert!(
        client
            .get_alert_text()
            .await
            .is_ok_and(|t| t.contains("Вернуть заявку")),
        "the return asks first"
    );
    client.dismiss_alert().await.expect("dismiss");
    assert!(client.find(Locator::Id("request-return")).await.is_ok());
    client
        .find(Locator::Id("request-return"))
        .await
        .expect("return")
        .click()
        .await
        .expect("click");
    client.accept_alert().await.expect("accept");
    wait_for_text(&client, "main", "Приложите расчёт по штату").await;

    // A plan-only grant at school №23, whose request is approved.
    let school = app.org_id("Общеобразовательная школа №23").await;
    app.add_user(
        "economist.plans23",
        "900101300007",
        school,
        Some(("economist", jospar_access::Module::Plans)),
    )
    .await;
    let today = chrono::Utc::now().date_naive();
    client.delete_all_cookies().await.expect("sign out");
    sign_in(&client, &app, "economist.plans23").await;
    assert!(
        client
            .find(Locator::Css("nav a[href='/plans']"))
            .await
            .is_ok()
    );
    assert!(
        client
            .find(Locator::Css("nav a[href='/requests']"))
            .await
            .is_err(),
        "no budget requests in the menu of a plan-only grant"
    );
    client
        .goto(&app.url("/plans?lang=ru"))
        .await
        .expect("plans");
    let next_year = chrono::Datelike::year(&today) + 2;
    fill(&client, "#pl-year", &next_year.to_string()).await;
    client
        .find(Locator::Id("plan-create"))
        .await
        .expect("create")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "h1", &next_year.to_string()).await;
    let url = client.current_url().await.expect("url");
    assert!(url.path().starts_with("/plans/"), "{url}");
    keep_screenshot(&client, "plan-only-grant-plan-ru").await;
    client
        .goto(&app.url("/requests?lang=ru"))
        .await
        .expect("requests");
    assert!(
        client.find(Locator::Id("request-create")).await.is_err(),
        "no request can be created with a plan-only grant"
    );
    client.close().await.expect("close");
    let _ = std::fs::remove_dir_all(profile);
}

/// A small deterministic generator of test inputs (no dependency for one test).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }

    /// A number as a person types it: whole or with tiyn, sometimes with spaces (ordinary or
    /// no-break) between the thousands and a decimal comma.
    fn typed(&mut self, max: u64) -> String {
        let whole = self.next(max + 1);
        let grouped = |n: u64, sep: &str| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push_str(sep);
                }
                out.push(c);
            }
            out
        };
        let body = match self.next(3) {
            0 => whole.to_string(),
            1 => grouped(whole, " "),
            _ => grouped(whole, "\u{a0}"),
        };
        match self.next(3) {
            0 => body,
            1 => format!("{body},{}", self.next(10)),
            _ => format!("{body},{:02}", self.next(100)),
        }
    }
}

/// (issue 21) the request grid: the school's economist pastes a block from Excel into the
/// calculation rows, with a Russian-locale amount; the line, the year and the remaining limit
/// are computed as typed; a cell that is not a number is marked, its save refused with the
/// line named and everything typed kept; the corrected grid saves. The browser's formula
/// engine agrees with the server's on random rows of every shipped form, to the tiyn.
#[tokio::test]
async fn enter_a_request_through_the_grid_with_a_pasted_block() {
    if !browser_available() {
        return;
    }
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");
    let school = app.org_id("Общеобразовательная школа №5").await;
    let request = jospar_planning::repo::requests(&app.db)
        .await
        .expect("requests")
        .into_iter()
        .find(|r| r.org_id == school)
        .expect("the school's request");
    let (_driver, client, profile) = browser().await;
    sign_in(&client, &app, "economist.school5").await;
    let grid = app.url(&format!("/requests/{}/grid?lang=ru", request.id));
    client.goto(&grid).await.expect("grid");
    wait_for_text(&client, "#grid-year-total-2027", "36 000 000,00").await;

    // Two rows pasted into the first cell: 12 × 300 000 × 12 and 1 × 250 000,50 × 12.
    let block = "Учитель\t12\t300 000\t12\nПедагог-психолог\t1\t250\u{a0}000,50\t12\n";
    client
        .execute(
            "const input = document.querySelector('section.grid-line[data-year=\"2027\"] tbody input[data-key]');
             const data = new DataTransfer();
             data.setData('text/plain', arguments[0]);
             input.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));",
            vec![serde_json::json!(block)],
        )
        .await
        .expect("paste");
    wait_for_text(&client, "#grid-year-total-2027", "46 200 006,00").await;
    wait_for_text(
        &client,
        "tr[data-limit-year='2027'] [data-remaining]",
        "13 799 994,00",
    )
    .await;
    // Lines × years: the line's 2027 in the summary, the later years untouched, the request's sum.
    wait_for_text(&client, "[data-sum-year='2027']", "46 200 006,00").await;
    wait_for_text(&client, "#grid-year-total-2028", "36 000 000,00").await;
    wait_for_text(&client, "#grid-request-total", "118 200 006,00").await;
    keep_screenshot(&client, "request-grid-pasted").await;

    // A cell that is not a number: marked as typed, the save refused naming the line.
    fill(&client, "input[name$='|2027|1|staff_units']", "один").await;
    wait_for_text(&client, "#grid-year-total-2027", "43 200 000,00").await;
    assert!(
        client
            .find(Locator::Css("input.bad[name$='|2027|1|staff_units']"))
            .await
            .is_ok(),
        "the bad cell is marked"
    );
    client
        .find(Locator::Id("grid-save"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#grid-error", "003 111").await;
    let kept = client
        .find(Locator::Css("input[name$='|2027|1|staff_units']"))
        .await
        .expect("cell")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("один"), "what was typed is kept");
    assert!(
        client
            .find(Locator::Css("section.grid-line.refused"))
            .await
            .is_ok()
    );

    fill(&client, "input[name$='|2027|1|staff_units']", "1").await;
    client
        .find(Locator::Id("grid-save"))
        .await
        .expect("save")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#done", "").await;
    wait_for_text(&client, "#grid-year-total-2027", "46 200 006,00").await;
    let lines = jospar_planning::repo::lines(&app.db, request.id)
        .await
        .expect("lines");
    let stored: jospar_core::Tenge = lines
        .iter()
        .filter_map(|l| l.amounts.get(&2027))
        .copied()
        .sum();
    assert_eq!(
        stored.tiyn(),
        4_620_000_600,
        "the server stored what the grid showed"
    );

    // The browser's engine against the server's, on random rows of every shipped form.
    let forms = jospar_forms::shipped();
    let mut random = Lcg(21);
    let mut cases = Vec::new();
    for _ in 0..400 {
        let form = &forms[random.next(forms.len() as u64) as usize];
        let row: jospar_forms::RowInput = form
            .columns
            .iter()
            .filter_map(|c| match c.column_type {
                jospar_forms::ColumnType::Text => Some((c.key.clone(), "строка".to_string())),
                jospar_forms::ColumnType::Number | jospar_forms::ColumnType::Money => {
                    Some((c.key.clone(), {
                        let max = if random.next(2) == 0 { 100 } else { 2_000_000 };
                        random.typed(max)
                    }))
                }
                jospar_forms::ColumnType::Computed => None,
            })
            .collect();
        cases.push((form.clone(), row));
    }
    let answers = client
        .execute(
            "return arguments[0].map(([form, row]) => window.JosparForms.evaluateRow(form, row));",
            vec![serde_json::json!(cases)],
        )
        .await
        .expect("the browser's engine");
    let mut compared = 0;
    for ((form, row), answer) in cases.iter().zip(answers.as_array().expect("answers")) {
        match form.evaluate(std::slice::from_ref(row)) {
            Ok(values) => {
                compared += 1;
                assert_eq!(
                    answer["tiyn"].as_str(),
                    Some(values[0].amount.tiyn().to_string().as_str()),
                    "{} {row:?}: {answer}",
                    form.code
                );
                assert_eq!(answer["bad"], serde_json::json!([]), "{row:?}: {answer}");
                for column in form
                    .columns
                    .iter()
                    .filter(|c| c.column_type == jospar_forms::ColumnType::Computed)
                {
                    assert_eq!(
                        answer["computed"][&column.key].as_str(),
                        values[0].values.get(&column.key).map(String::as_str),
                        "{} {row:?}",
                        form.code
                    );
                }
            }
            Err(_) => assert_ne!(
                answer["bad"],
                serde_json::json!([]),
                "{} {row:?}: {answer}",
                form.code
            ),
        }
    }
    assert!(compared > 100, "only {compared} rows were in range");
    client.close().await.expect("close");
    let _ = std::fs::remove_dir_all(profile);
}
