//! Lists at work through the API, on both engines (issue 20): the requests list takes `q`,
//! filters, `sort`, `limit` and `offset`, returns the rows found on every page in
//! `X-Total-Count`, numbers requests per organisation and year, keeps to the caller's scope,
//! and refuses an amount it cannot read, naming the field; so do the plans of receipts, the
//! curator's desk and the report catalogue.

use crate::app::{Engine, TestApp, get_listed as get, spawn, spawn_loaded};
use serde_json::Value;

fn numbers(rows: &Value) -> Vec<String> {
    rows.as_array()
        .expect("rows")
        .iter()
        .map(|r| r["number_label"].as_str().expect("label").to_string())
        .collect()
}

async fn requests_list_through_the_api(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    let campaign = app.open_campaign_2027().await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    use jospar_planning::RequestKind::{Forecast, Plan, Refinement};
    let system = jospar_store::Who::system();
    let create = |org: i64, kind: jospar_planning::RequestKind| {
        jospar_planning::repo::create_request(&app.db, &system, campaign.id, org, kind)
    };
    for (org, kind) in [
        (school, Plan),
        (school, Forecast),
        (school, Refinement),
        (edu, Plan),
    ] {
        create(org, kind).await.expect("request");
    }
    // One request in work per organisation, campaign and kind (issue 21): a second plan of
    // the school is refused, naming the first.
    match create(school, Plan).await {
        Err(jospar_planning::repo::RepoError::Planning(jospar_planning::PlanningError::Twin {
            number,
            ..
        })) => assert_eq!(number, 1),
        other => panic!("a second plan was not refused: {other:?}"),
    }
    let planner = app.token("planner").await;

    let (status, total, rows) = get(&app, &planner, "/api/v1/requests?limit=2").await;
    assert_eq!((status, total), (200, Some(4)));
    assert_eq!(rows.as_array().map(Vec::len), Some(2));

    // Numbered per organisation and year, in the order created.
    let (_, total, rows) = get(
        &app,
        &planner,
        &format!("/api/v1/requests?org={school}&sort=number"),
    )
    .await;
    assert_eq!(total, Some(3));
    assert_eq!(
        numbers(&rows),
        ["БЗ-2027-0001", "БЗ-2027-0002", "БЗ-2027-0003"]
    );
    let (_, _, rows) = get(
        &app,
        &planner,
        &format!("/api/v1/requests?org={school}&sort=-number&offset=1&limit=1"),
    )
    .await;
    assert_eq!(numbers(&rows), ["БЗ-2027-0002"]);
    // The request's own fields are still there.
    assert_eq!(rows[0]["org_id"], school);
    assert_eq!(rows[0]["number"], 2);

    // The search finds by number and by organisation, in either language's prefix.
    let (_, total, _) = get(&app, &planner, "/api/v1/requests?q=2027-0003").await;
    assert_eq!(total, Some(1));
    let (_, total, _) = get(
        &app,
        &planner,
        "/api/v1/requests?q=управление%20образования",
    )
    .await;
    assert_eq!(total, Some(1));
    let (_, total, rows) = get(&app, &planner, "/api/v1/requests?q=БӨ-2027&lang=kk").await;
    assert_eq!(total, Some(4), "{rows}");

    // Filters: state, kind, year and amount (no lines yet: every amount is 0).
    let (_, total, _) = get(&app, &planner, "/api/v1/requests?status=sent").await;
    assert_eq!(total, Some(0));
    let (_, total, _) = get(&app, &planner, "/api/v1/requests?kind=plan&year=2027").await;
    assert_eq!(total, Some(2));
    let (_, total, _) = get(&app, &planner, "/api/v1/requests?min=0,01").await;
    assert_eq!(total, Some(0));
    let (_, total, _) = get(&app, &planner, "/api/v1/requests?max=0").await;
    assert_eq!(total, Some(4));

    // The audit log pages in the database: newest first, `sort=at` oldest first, the total
    // in the header.
    let admin = app.token("admin").await;
    let (status, total, newest) = get(&app, &admin, "/api/v1/audit?limit=2").await;
    assert_eq!(status, 200);
    let total = total.expect("total");
    assert!(total > 4, "{total}");
    assert_eq!(newest.as_array().map(Vec::len), Some(2));
    let (_, _, next) = get(&app, &admin, "/api/v1/audit?limit=2&offset=2").await;
    assert_ne!(newest[0]["id"], next[0]["id"]);
    let (_, same_total, oldest) = get(&app, &admin, "/api/v1/audit?limit=1&sort=at").await;
    assert_eq!(same_total, Some(total));
    assert!(oldest[0]["id"].as_i64() < newest[0]["id"].as_i64());

    // A bad amount is refused, naming its field.
    let (status, _, body) = get(&app, &planner, "/api/v1/requests?min=abc").await;
    assert_eq!(status, 422);
    assert_eq!(body["field"], "min", "{body}");

    // The school's economist sees the school's requests only.
    let economist = app.token("economist.school5").await;
    let (_, total, _) = get(&app, &economist, "/api/v1/requests").await;
    assert_eq!(total, Some(3));
    let (_, total, _) = get(&app, &economist, &format!("/api/v1/requests?org={edu}")).await;
    assert_eq!(
        total,
        Some(3),
        "the filter does not widen the scope: the department's own request stays hidden"
    );
}

#[tokio::test]
async fn requests_list_through_the_api_sqlite() {
    requests_list_through_the_api(Engine::Sqlite).await;
}

#[tokio::test]
async fn requests_list_through_the_api_postgres() {
    requests_list_through_the_api(Engine::Postgres).await;
}

/// A plan of receipts of `org` for `year` stored as is: (code, annual tenge) lines, each year
/// paid in January.
async fn receipt_plan(app: &TestApp, org: i64, year: i32, lines: &[(&str, i64)]) {
    let lines: Vec<jospar_execution::receipts::ReceiptLine> = lines
        .iter()
        .map(|(code, tenge)| {
            let annual = jospar_core::Tenge::from_tiyn(tenge * 100);
            let mut months = [jospar_core::Tenge::from_tiyn(0); 12];
            months[0] = annual;
            jospar_execution::receipts::ReceiptLine {
                code: (*code).into(),
                annual,
                months,
            }
        })
        .collect();
    jospar_execution::receipt_plans::create(
        &app.db,
        &jospar_store::Who::system(),
        org,
        year,
        &lines,
    )
    .await
    .expect("receipt plan");
}

fn years(rows: &Value) -> Vec<(i64, i64)> {
    rows.as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["year"].as_i64().expect("year"),
                r["annual"].as_i64().expect("annual"),
            )
        })
        .collect()
}

/// (issue 20) the plans of receipts through the API: search, filters (subtree, year, kind,
/// amount), sort, limit and offset, the total in X-Total-Count, and each caller's scope.
async fn receipt_plans_list_through_the_api(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    let oblast = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let district = app
        .org_id("Отдел экономики и финансов Мунайлинского района")
        .await;
    receipt_plan(&app, oblast, 2027, &[("101101", 1_000), ("501101", 500)]).await;
    receipt_plan(&app, oblast, 2028, &[("101201", 2_000)]).await;
    receipt_plan(&app, district, 2027, &[("101101", 300)]).await;
    let planner = app.token("planner").await;

    let (status, total, rows) = get(&app, &planner, "/api/v1/receipt-plans").await;
    assert_eq!((status, total), (200, Some(3)), "{rows}");
    assert_eq!(rows[0]["status"], "draft", "{rows}");
    let (_, total, rows) = get(
        &app,
        &planner,
        "/api/v1/receipt-plans?sort=amount&limit=1&offset=1",
    )
    .await;
    assert_eq!(total, Some(3));
    assert_eq!(years(&rows), [(2027, 150_000)]);
    let (_, total, rows) = get(
        &app,
        &planner,
        "/api/v1/receipt-plans?min=1000&sort=-amount",
    )
    .await;
    assert_eq!(total, Some(2));
    assert_eq!(years(&rows), [(2028, 200_000), (2027, 150_000)]);
    let (_, total, _) = get(&app, &planner, "/api/v1/receipt-plans?year=2027").await;
    assert_eq!(total, Some(2));
    let (_, total, _) = get(&app, &planner, "/api/v1/receipt-plans?kind=loan_repayments").await;
    assert_eq!(total, Some(1));
    let (_, total, _) = get(&app, &planner, "/api/v1/receipt-plans?status=approved").await;
    assert_eq!(total, Some(0));
    let (_, total, rows) = get(&app, &planner, "/api/v1/receipt-plans?q=мунайлинского").await;
    assert_eq!(total, Some(1));
    assert_eq!(rows[0]["org_id"], district);
    let (_, total, _) = get(
        &app,
        &planner,
        &format!("/api/v1/receipt-plans?within={district}"),
    )
    .await;
    assert_eq!(total, Some(1));
    let (status, _, body) = get(&app, &planner, "/api/v1/receipt-plans?max=много").await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("max")),
        "{body}"
    );

    // The district's planner sees the district's plan only, whatever the filter; a school none.
    let district_planner = app.token("planner.munaily").await;
    let (_, total, _) = get(&app, &district_planner, "/api/v1/receipt-plans").await;
    assert_eq!(total, Some(1));
    let (_, total, _) = get(
        &app,
        &district_planner,
        &format!("/api/v1/receipt-plans?within={oblast}"),
    )
    .await;
    assert_eq!(total, Some(1), "the filter does not widen the scope");
    let economist = app.token("economist.school5").await;
    let (_, total, _) = get(&app, &economist, "/api/v1/receipt-plans").await;
    assert_eq!(total, Some(0));

    // The page offers the same: sortable headings and the pager's total.
    let page = app
        .signed_in("planner")
        .await
        .get(app.url("/receipt-plans?lang=ru&sort=-amount&limit=2"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("aria-sort=\"descending\""), "{page}");
    assert!(page.contains("Строки 1–2 из 3"), "{page}");
}

#[tokio::test]
async fn receipt_plans_list_through_the_api_sqlite() {
    receipt_plans_list_through_the_api(Engine::Sqlite).await;
}

#[tokio::test]
async fn receipt_plans_list_through_the_api_postgres() {
    receipt_plans_list_through_the_api(Engine::Postgres).await;
}

fn desk_orgs(desk: &Value) -> Vec<String> {
    desk["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["org_name"].as_str().expect("name").to_string())
        .collect()
}

/// (issue 20) the curator's desk through the API: the campaign and its counts with a page of
/// rows, searched, filtered by state, kind and amount, sorted and paged, the rows found in
/// X-Total-Count; an administrator's desk holds its own subtree only.
async fn desk_list_through_the_api(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    let campaign = app.open_campaign_2027().await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    jospar_planning::repo::create_request(
        &app.db,
        &jospar_store::Who::system(),
        campaign.id,
        school,
        jospar_planning::RequestKind::Plan,
    )
    .await
    .expect("request");
    let planner = app.token("planner").await;
    let path = |query: &str| format!("/api/v1/campaigns/{}/desk?{query}", campaign.id);

    let (status, total, desk) = get(&app, &planner, &path("")).await;
    assert_eq!(status, 200, "{desk}");
    let all = total.expect("total");
    assert!(all > 2, "{desk}");
    assert_eq!(desk["campaign"]["id"], campaign.id);
    let (_, total, desk) = get(&app, &planner, &path("limit=2&offset=1&sort=org")).await;
    assert_eq!(total, Some(all));
    let names = desk_orgs(&desk);
    assert_eq!(names.len(), 2);
    let (_, _, sorted) = get(&app, &planner, &path("limit=500&sort=org")).await;
    assert_eq!(
        names,
        desk_orgs(&sorted)[1..3],
        "the page cuts the sorted desk"
    );
    let (_, _, reversed) = get(&app, &planner, &path("limit=1&sort=-org")).await;
    assert_eq!(
        desk_orgs(&reversed).first(),
        desk_orgs(&sorted).last(),
        "descending"
    );

    // The school's request: found by the number and the name, by its state, kind and amount.
    let (_, total, desk) = get(&app, &planner, &path("q=БЗ-2027-0001")).await;
    assert_eq!(total, Some(1), "{desk}");
    assert_eq!(desk["rows"][0]["org_id"], school);
    assert_eq!(desk["rows"][0]["request"]["status"], "in_work");
    let (_, total, _) = get(
        &app,
        &planner,
        &path("q=школа%20№5&status=in_work&kind=plan"),
    )
    .await;
    assert_eq!(total, Some(1));
    let (_, total, _) = get(&app, &planner, &path("status=none")).await;
    assert_eq!(total, Some(all - 1));
    let (_, total, _) = get(&app, &planner, &path("min=0,01")).await;
    assert_eq!(total, Some(0));
    let (status, _, body) = get(&app, &planner, &path("min=abc")).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("min")),
        "{body}"
    );

    // The education department's curator sees its own subtree, whatever the filter.
    let abp = app.token("abp.edu").await;
    let (status, own, desk) = get(&app, &abp, &path("")).await;
    assert_eq!(status, 200, "{desk}");
    let own = own.expect("total");
    assert!(0 < own && own < all, "{own} of {all}");
    let root = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let (_, total, _) = get(&app, &abp, &path(&format!("within={root}"))).await;
    assert_eq!(total, Some(own), "the filter does not widen the scope");
}

#[tokio::test]
async fn desk_list_through_the_api_sqlite() {
    desk_list_through_the_api(Engine::Sqlite).await;
}

#[tokio::test]
async fn desk_list_through_the_api_postgres() {
    desk_list_through_the_api(Engine::Postgres).await;
}

/// (issue 20) the report catalogue through the API: searched, filtered by module, sorted and
/// paged with the total in X-Total-Count.
#[tokio::test]
async fn report_catalogue_through_the_api() {
    let Some(app) = spawn(Engine::Sqlite).await else {
        return;
    };
    let economist = app.token("economist.school5").await;
    let (status, all, rows) = get(&app, &economist, "/api/v1/reports?limit=500").await;
    assert_eq!(status, 200);
    let all = all.expect("total");
    assert_eq!(rows.as_array().map(Vec::len), Some(all));
    let (_, total, rows) = get(&app, &economist, "/api/v1/reports").await;
    assert_eq!(total, Some(all));
    assert_eq!(rows.as_array().map(Vec::len), Some(all.min(50)));
    let (_, oversight, rows) = get(&app, &economist, "/api/v1/reports?module=oversight").await;
    assert!(oversight.is_some_and(|n| 0 < n && n < all), "{rows}");
    assert!(
        rows.as_array()
            .expect("rows")
            .iter()
            .all(|r| r["module"] == "oversight")
    );
    let (_, total, rows) = get(
        &app,
        &economist,
        "/api/v1/reports?module=planning&sort=-title&limit=2&offset=1",
    )
    .await;
    assert!(total.is_some_and(|n| n > 3), "{rows}");
    let titles: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles.len(), 2);
    let (_, found, rows) = get(&app, &economist, "/api/v1/reports?q=сводн").await;
    assert!(found.is_some_and(|n| 0 < n && n < all), "{rows}");
}

/// (issue 20) the training records through the API on both engines: search, the subtree of
/// the users who passed, the report's state, sort, limit/offset and X-Total-Count; the portal
/// imports by year and words within the reader's scope; the other new lists answer their
/// total too, and their pages show the search form.
async fn training_and_other_lists(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    let user = |login: &'static str| {
        let db = app.db.clone();
        async move {
            jospar_org::repo::user_by_login(&db, login)
                .await
                .expect("user")
                .expect("demo user")
                .id
        }
    };
    let (school_user, district_user) = (
        user("economist.school5").await,
        user("planner.munaily").await,
    );
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
    for (held_on, topic, passed) in [
        (day(2), "Открытый бюджет", district_user),
        (day(10), "Бюджетные заявки", school_user),
    ] {
        jospar_oversight::training::record(
            &app.db,
            &jospar_store::Who::system(),
            held_on,
            topic,
            "Тренер",
            &[passed],
        )
        .await
        .expect("session");
    }
    let admin = app.token("admin").await;
    let (status, total, rows) =
        get(&app, &admin, "/api/v1/training-sessions?sort=-date&limit=1").await;
    assert_eq!((status, total), (200, Some(2)), "{rows}");
    assert_eq!(rows[0]["topic"], "Бюджетные заявки");
    let (_, total, rows) = get(&app, &admin, "/api/v1/training-sessions?sort=date&offset=1").await;
    assert_eq!(total, Some(2));
    assert_eq!(rows[0]["topic"], "Бюджетные заявки");
    let (_, total, _) = get(&app, &admin, "/api/v1/training-sessions?q=открытый").await;
    assert_eq!(total, Some(1));
    let district = app
        .org_id("Отдел экономики и финансов Мунайлинского района")
        .await;
    let (_, total, rows) = get(
        &app,
        &admin,
        &format!("/api/v1/training-sessions?within={district}"),
    )
    .await;
    assert_eq!(total, Some(1));
    assert_eq!(rows[0]["topic"], "Открытый бюджет");
    let (_, total, _) = get(
        &app,
        &admin,
        "/api/v1/training-sessions?report=issued&year=2026",
    )
    .await;
    assert_eq!(total, Some(0));
    let (_, total, _) = get(
        &app,
        &admin,
        "/api/v1/training-sessions?report=overdue&year=2026",
    )
    .await;
    assert_eq!(total, Some(2), "reports due in March 2026 are late");
    let planner = app.token("planner").await;
    let (status, _, _) = get(&app, &planner, "/api/v1/training-sessions").await;
    assert_eq!(status, 403, "the integrator's records");

    // The demo's portal import: found by year and words, kept from a school.
    let (_, total, rows) = get(
        &app,
        &planner,
        "/api/v1/execution/portal-imports?year=2025&q=портал&sort=-imported",
    )
    .await;
    assert_eq!(total, Some(1), "{rows}");
    assert!(
        rows[0]["org_name"]
            .as_str()
            .is_some_and(|n| n.contains("Мангистауской"))
    );
    let (_, total, _) = get(&app, &planner, "/api/v1/execution/portal-imports?year=2022").await;
    assert_eq!(total, Some(0));
    let economist = app.token("economist.school5").await;
    let (_, total, _) = get(&app, &economist, "/api/v1/execution/portal-imports").await;
    assert_eq!(total, Some(0), "the region's import is not the school's");

    // Every other new list answers its total, here empty.
    for (token, path) in [
        (
            &planner,
            "/api/v1/oversight-applications?sort=-submitted&status=submitted",
        ),
        (
            &planner,
            "/api/v1/open-budget/documents?state=open&kind=passport&sort=-amount",
        ),
        (
            &admin,
            "/api/v1/open-budget/proposals/pending?overdue=1&sort=due",
        ),
    ] {
        let (status, total, rows) = get(&app, token, path).await;
        assert_eq!((status, total), (200, Some(0)), "{path}: {rows}");
    }
    for (login, path, form) in [
        ("admin", "/training?lang=ru", "training-find"),
        (
            "admin",
            "/open-budget/moderation?lang=ru",
            "ob-moderation-find",
        ),
        (
            "planner",
            "/oversight-applications?lang=ru",
            "applications-find",
        ),
        (
            "planner",
            "/execution/portal-imports?lang=ru",
            "portal-imports-find",
        ),
        ("planner", "/open-budget?lang=ru", "ob-find"),
        (
            "planner",
            "/reports?lang=ru&module=oversight",
            "reports-find",
        ),
    ] {
        let answer = app
            .signed_in(login)
            .await
            .get(app.url(path))
            .send()
            .await
            .expect("page");
        assert_eq!(answer.status(), 200, "{path}");
        let page = answer.text().await.expect("text");
        assert!(page.contains(&format!("id=\"{form}\"")), "{path}: {page}");
    }
}

#[tokio::test]
async fn training_and_other_lists_sqlite() {
    training_and_other_lists(Engine::Sqlite).await;
}

#[tokio::test]
async fn training_and_other_lists_postgres() {
    training_and_other_lists(Engine::Postgres).await;
}

/// (issue 20) an error page keeps the signed-in header: the menu and the sign-out button, not
/// "Войти"; a visitor not signed in still gets the sign-in link.
#[tokio::test]
async fn an_error_page_keeps_the_signed_in_header() {
    let Some(app) = spawn(Engine::Sqlite).await else {
        return;
    };
    let planner = app.signed_in("planner").await;
    let answer = planner
        .get(app.url("/requests/1?lang=ru"))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 404);
    let page = answer.text().await.expect("page");
    assert!(page.contains("id=\"logout\""), "{page}");
    assert!(page.contains("href=\"/requests\""), "the menu: {page}");
    assert!(!page.contains("id=\"login-link\""), "{page}");
    let visitor = TestApp::client()
        .get(app.url("/no-such-page"))
        .send()
        .await
        .expect("answer");
    assert_eq!(visitor.status(), 404);
    assert!(
        visitor
            .text()
            .await
            .expect("page")
            .contains("id=\"login-link\"")
    );
}

/// The links of the signed-in menu of a page.
fn menu_links(page: &str) -> Vec<String> {
    let nav = page
        .split_once("<nav aria-label=")
        .and_then(|(_, rest)| rest.split_once("</nav>"))
        .map(|(nav, _)| nav)
        .unwrap_or_default();
    nav.split("href=\"")
        .skip(1)
        .filter_map(|part| part.split_once('"').map(|(href, _)| href.to_string()))
        .collect()
}

/// (issue 20) on the generated region (tiny in the test suite), the region's planner, its
/// first administrator and its first economist open the start page, every page of their menu
/// and the limits page of every campaign they see: each answers 200.
async fn region_users_open_every_page(engine: Engine) {
    let Some(app) = spawn_loaded(engine, Some(jospar::scale::Scale::Tiny)).await else {
        return;
    };
    for login in ["planner.r01", "abp.r01.a01", "economist.r01.0001"] {
        let client = app.signed_in(login).await;
        let page_of = |path: String| {
            let client = client.clone();
            let url = app.url(&path);
            async move {
                let answer = client.get(url).send().await.expect("answer");
                let status = answer.status().as_u16();
                (status, answer.text().await.expect("page"))
            }
        };
        let (status, home) = page_of("/".into()).await;
        assert_eq!(status, 200, "{login}: the start page");
        let menu = menu_links(&home);
        assert!(menu.iter().any(|l| l == "/requests"), "{login}: {menu:?}");
        for link in &menu {
            let (status, page) = page_of(link.clone()).await;
            assert_eq!(
                status,
                200,
                "{login}: {link}: {}",
                &page[page.len().saturating_sub(1500)..]
            );
        }
        let token = app.token(login).await;
        let (_, _, campaigns) = get(&app, &token, "/api/v1/campaigns").await;
        let campaigns = campaigns.as_array().expect("campaigns").clone();
        assert!(!campaigns.is_empty(), "{login} sees a campaign");
        for campaign in campaigns {
            let path = format!("/limits/{}", campaign["id"]);
            let (status, page) = page_of(path.clone()).await;
            assert_eq!(
                status,
                200,
                "{login}: {path}: {}",
                page.split("class=\"error\"").nth(1).unwrap_or_default()
            );
        }
    }
}

#[tokio::test]
async fn region_users_open_every_page_sqlite() {
    region_users_open_every_page(Engine::Sqlite).await;
}

#[tokio::test]
async fn region_users_open_every_page_postgres() {
    region_users_open_every_page(Engine::Postgres).await;
}
