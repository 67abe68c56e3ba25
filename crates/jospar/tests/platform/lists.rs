//! Lists at work through the API, on both engines (issue 20): the requests list takes `q`,
//! filters, `sort`, `limit` and `offset`, returns the rows found on every page in
//! `X-Total-Count`, numbers requests per organisation and year, keeps to the caller's scope,
//! and refuses an amount it cannot read, naming the field.

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
    for org in [school, school, school, edu] {
        jospar_planning::repo::create_request(
            &app.db,
            &jospar_store::Who::system(),
            campaign.id,
            org,
            jospar_planning::RequestKind::Plan,
        )
        .await
        .expect("request");
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
    assert_eq!(total, Some(4));
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
