//! The start page and the notices at work, on both engines (issue 20): the demo's budget year
//! (`jospar::demo_workflow`) gives the school's economist a returned request with its reason,
//! the education administrator a request to review, the planner one forwarded to the authorized
//! body; the counts equal the curator's desk; notices reach who must act, are settled when the
//! request moves on, open their document, and are mailed through the SMTP relay.

use crate::app::{Engine, get_listed as get_json, spawn};
use serde_json::Value;

/// A financing plan's deadlines (issue 20, P-17): the education administrator sets its year's
/// deadlines a month back, so the approved plan of its school, not yet accepted by the
/// Treasury, is overdue on its start page; a school's economist may not set them, and days out
/// of range are refused naming the field.
async fn plan_deadlines_reach_the_start_page(app: &crate::app::TestApp, abp: &str) {
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let year = chrono::Datelike::year(&chrono::Utc::now()) + 1;
    let opens_on = chrono::Utc::now().date_naive() - chrono::Duration::days(30);
    let body = |plan_days: i64| {
        serde_json::json!({"org_id": edu, "year": year, "opens_on": opens_on,
            "plan_days": plan_days, "treasury_days": 5, "reason": "Письмо от 01.12 № 12-3/456"})
    };
    let put = |token: String, body: Value| async move {
        let answer = crate::app::TestApp::client()
            .put(app.url("/api/v1/financing-plans/deadlines"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("put");
        let status = answer.status().as_u16();
        (status, answer.json::<Value>().await.unwrap_or_default())
    };
    let economist = app.token("economist.school5").await;
    assert_eq!(put(economist, body(5)).await.0, 403);
    let (status, refused) = put(abp.to_string(), body(99)).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("plan_days")),
        "{refused}"
    );
    let (status, set) = put(abp.to_string(), body(5)).await;
    assert_eq!(status, 200, "{set}");

    let (_, _, desk) = get_json(app, abp, "/api/v1/workdesk").await;
    let due = desk["plans_due"].as_array().expect("plans due");
    assert_eq!(due.len(), 1, "{desk}");
    assert_eq!(
        (&due[0]["step"], &due[0]["overdue"], &due[0]["year"]),
        (
            &serde_json::json!("treasury"),
            &serde_json::json!(true),
            &serde_json::json!(year)
        ),
        "{due:?}"
    );
    let (_, _, listed) = get_json(app, abp, "/api/v1/financing-plans/deadlines").await;
    assert!(
        listed[0]["treasury_due"].as_str() > listed[0]["plans_due"].as_str(),
        "{listed}"
    );
    // The page: a refused form keeps what was typed and names the field; a saved one says so.
    let client = app.signed_in("abp.edu").await;
    let page = client
        .get(app.url("/plans/deadlines?lang=ru"))
        .send()
        .await
        .expect("page");
    let page = page.text().await.expect("text");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf");
    let form = |plan_days: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("org", edu.to_string()),
            ("year", year.to_string()),
            ("opens_on", opens_on.to_string()),
            ("plan_days", plan_days.to_string()),
            ("treasury_days", "5".to_string()),
            ("reason", "Письмо № 12-3/457".to_string()),
        ]
    };
    let refused = client
        .post(app.url("/plans/deadlines?lang=ru"))
        .form(&form("сорок"))
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.expect("text");
    assert!(
        refused.contains("Рабочих дней на утверждение планов"),
        "names the field"
    );
    assert!(refused.contains("value=\"сорок\""), "keeps what was typed");
    let saved = client
        .post(app.url("/plans/deadlines"))
        .form(&form("7"))
        .send()
        .await
        .expect("post");
    assert_eq!(saved.status(), 303);
    let location = saved.headers()["location"].to_str().expect("location");
    assert_eq!(location, "/plans/deadlines?done=saved");
    let page = client
        .get(app.url(&format!("{location}&lang=ru")))
        .send()
        .await
        .expect("page");
    let page = page.text().await.expect("text");
    assert!(
        page.contains("id=\"done\">Изменения сохранены."),
        "the save confirms"
    );
    let theatre = app.token("economist.theatre").await;
    let (_, _, desk) = get_json(app, &theatre, "/api/v1/workdesk").await;
    assert_eq!(desk["plans_due"], serde_json::json!([]), "not theirs");
}

fn count_of(desk: &Value, status: &str) -> u64 {
    desk["mine"]
        .as_array()
        .expect("mine")
        .iter()
        .find(|c| c["status"] == status)
        .and_then(|c| c["count"].as_u64())
        .expect("every state counted")
}

async fn start_pages_of_the_demo_year(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    // Before the campaign: the empty state says whose step it is and for which years.
    let economist = app.token("economist.school5").await;
    let (_, _, desk) = get_json(&app, &economist, "/api/v1/workdesk").await;
    assert!(desk["campaigns"].as_array().expect("campaigns").is_empty());
    let authority = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    assert_eq!(desk["awaited"]["authority_org_id"], authority, "{desk}");
    let client = app.signed_in("economist.school5").await;
    let home = client.get(app.url("/?lang=ru")).send().await.expect("home");
    let home = home.text().await.expect("text");
    assert!(
        home.contains("ещё не открыл(а) бюджетную кампанию"),
        "the empty state names the next step"
    );

    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");

    // The economist: one request returned, with the administrator's reason, and its notice.
    let (status, _, desk) = get_json(&app, &economist, "/api/v1/workdesk").await;
    assert_eq!(status, 200, "{desk}");
    assert_eq!(count_of(&desk, "returned"), 1, "{desk}");
    assert_eq!(count_of(&desk, "sent"), 0);
    let returned = &desk["returned"][0];
    assert!(
        returned["return_reason"]
            .as_str()
            .is_some_and(|r| r.contains("Уточните количество ставок")),
        "{returned}"
    );
    let year = chrono::Datelike::year(&chrono::Utc::now()) + 1;
    assert_eq!(returned["number_label"], format!("БЗ-{year}-0001"));
    assert!(desk["to_review"].as_array().expect("list").is_empty());
    assert_eq!(desk["unread"], 1);
    let (_, total, notices) = get_json(&app, &economist, "/api/v1/notifications?lang=kk").await;
    assert_eq!(total, Some(1));
    assert!(
        notices[0]["text"].as_str().is_some_and(
            |t| t.contains(&format!("БӨ-{year}-0001")) && t.contains("пысықтауға қайтарылды")
        ),
        "the notice reads in Kazakh: {notices}"
    );
    let returned_id = returned["id"].as_i64().expect("id");

    // The administrator: the boarding school's request waits for review; the school's request
    // it returned and the one it approved on no longer do (settled notices).
    let abp = app.token("abp.edu").await;
    let (_, _, desk) = get_json(&app, &abp, "/api/v1/workdesk").await;
    let waiting: Vec<&str> = desk["to_review"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["org_name"].as_str().expect("org"))
        .collect();
    assert_eq!(waiting.len(), 1, "{desk}");
    assert!(waiting[0].contains("школа-интернат"), "{waiting:?}");
    let (_, unread, _) = get_json(&app, &abp, "/api/v1/notifications?unread=1").await;
    let (_, all, _) = get_json(&app, &abp, "/api/v1/notifications").await;
    assert!(
        unread < all,
        "settled notices are read: {unread:?} of {all:?}"
    );
    // The counts of the campaign equal its curator's desk.
    let campaign = &desk["campaigns"][0];
    let id = campaign["campaign"]["id"].as_i64().expect("campaign");
    let (status, _, curator) = get_json(&app, &abp, &format!("/api/v1/campaigns/{id}/desk")).await;
    assert_eq!(status, 200, "{curator}");
    let rows = curator["rows"].as_array().expect("rows");
    let with = |status: &str| {
        rows.iter()
            .filter(|r| r["request"]["status"] == status)
            .count() as u64
    };
    assert_eq!(campaign["organisations"], rows.len() as u64);
    assert_eq!(campaign["submitted"], with("sent") + with("approved"));
    assert_eq!(campaign["returned"], with("returned"));
    assert_eq!(
        campaign["without_request"],
        rows.iter().filter(|r| r["request"].is_null()).count() as u64
    );
    assert_eq!(
        campaign["overdue"],
        rows.iter().filter(|r| r["overdue"] == true).count() as u64
    );
    assert_eq!(
        desk["plans"],
        serde_json::json!([["draft", 0], ["approved", 1]])
    );
    plan_deadlines_reach_the_start_page(&app, &abp).await;

    // Each stage has its deadline, one after another; a request waiting at the administrator
    // is due by the administrators' deadline.
    let stages = campaign["stages"].as_array().expect("stages");
    let names: Vec<&str> = stages
        .iter()
        .map(|s| s["stage"].as_str().expect("stage"))
        .collect();
    assert_eq!(
        names,
        [
            "institution",
            "committee",
            "administrator",
            "authorized_body"
        ]
    );
    let dates: Vec<&str> = stages
        .iter()
        .map(|s| s["deadline"].as_str().expect("date"))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "{dates:?}");
    assert_eq!(curator["deadline"].as_str(), Some(dates[0]));
    assert_eq!(desk["to_review"][0]["deadline"].as_str(), Some(dates[2]));
    assert_eq!(desk["to_review"][0]["overdue"], false);

    // The planner: the Kuryk school's request, forwarded by the administrator.
    let planner = app.token("planner").await;
    let (_, _, desk) = get_json(&app, &planner, "/api/v1/workdesk").await;
    let waiting = desk["to_review"].as_array().expect("list");
    assert_eq!(waiting.len(), 1, "{desk}");
    assert!(
        waiting[0]["org_name"]
            .as_str()
            .is_some_and(|o| o.contains("Курык"))
    );

    // The page: the counter in the header, the returned request with its reason; opening the
    // notice reads it and goes to the request.
    let home = client
        .get(app.url("/?lang=ru"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("text");
    assert!(
        home.contains("id=\"unread\">1<"),
        "the header counts one notice"
    );
    assert!(home.contains("в штатном расписании школы 9 ставок"));
    let (_, _, notices) = get_json(&app, &economist, "/api/v1/notifications").await;
    let notice = notices[0]["id"].as_i64().expect("id");
    let opened = client
        .get(app.url(&format!("/notifications/{notice}")))
        .send()
        .await
        .expect("open");
    assert_eq!(opened.status(), 303);
    assert_eq!(
        opened.headers()["location"],
        format!("/requests/{returned_id}").as_str()
    );
    let (_, total, _) = get_json(&app, &economist, "/api/v1/notifications?unread=1").await;
    assert_eq!(total, Some(0));
    // Someone else's notice is not theirs to open.
    let stranger = app.signed_in("economist.theatre").await;
    let refused = stranger
        .get(app.url(&format!("/notifications/{notice}")))
        .send()
        .await
        .expect("open");
    assert_eq!(refused.status(), 404);

    // Mail: every notice of a user with an address goes out once through the relay.
    let relay = jospar_notify::mail::testkit::FakeRelay::spawn()
        .await
        .expect("relay");
    let settings = jospar_notify::mail::SmtpSettings {
        relay: relay.addr.clone(),
        from: "jospar@example.kz".into(),
        credentials: None,
    };
    let sent =
        jospar_notify::mail::deliver_pending(&app.db, &settings, "https://jospar.example.kz")
            .await
            .expect("mailed");
    assert!(sent > 0);
    assert_eq!(relay.received().len(), sent);
    let again =
        jospar_notify::mail::deliver_pending(&app.db, &settings, "https://jospar.example.kz")
            .await
            .expect("mailed");
    assert_eq!(again, 0, "nothing is mailed twice");
}

#[tokio::test]
async fn start_pages_of_the_demo_year_sqlite() {
    start_pages_of_the_demo_year(Engine::Sqlite).await;
}

#[tokio::test]
async fn start_pages_of_the_demo_year_postgres() {
    start_pages_of_the_demo_year(Engine::Postgres).await;
}

/// The consolidation keeps the campaign's lines between looks (issue 20, BP-5): a change made
/// after it was read is counted at the next look, the total always equal to the lines stored.
async fn consolidation_counts_a_change_made_after_it_was_read(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");
    let planner = app.token("planner").await;
    let (_, _, desk) = get_json(&app, &planner, "/api/v1/workdesk").await;
    let campaign = desk["campaigns"][0]["campaign"]["id"]
        .as_i64()
        .expect("campaign");
    let first_year = desk["campaigns"][0]["campaign"]["first_year"]
        .as_i64()
        .expect("year") as i32;
    let consolidated = |token: String| {
        let url = format!("/api/v1/campaigns/{campaign}/consolidated?by=org");
        let app = &app;
        async move {
            let (status, _, table) = get_json(app, &token, &url).await;
            assert_eq!(status, 200, "{table}");
            table["total"].clone()
        }
    };
    // What the stored lines of each organisation's latest request add up to, read afresh.
    let stored = || async {
        let mut latest = std::collections::HashMap::new();
        for r in jospar_planning::repo::campaign_requests(&app.db, campaign)
            .await
            .expect("requests")
        {
            latest.entry(r.org_id).or_insert(r.id);
        }
        let mut sum = jospar_core::Tenge::ZERO;
        for id in latest.values() {
            for line in jospar_planning::repo::lines(&app.db, *id)
                .await
                .expect("lines")
            {
                sum += line
                    .amounts
                    .get(&(first_year + 1))
                    .copied()
                    .unwrap_or_default();
            }
        }
        sum
    };
    let before = consolidated(planner.clone()).await;
    let stored_before = stored().await;

    // The gymnasium's request, in work: its next years filled from the first by inflation.
    let gymnasium = app.org_id("Школа-гимназия №3").await;
    let request = jospar_planning::repo::campaign_requests(&app.db, campaign)
        .await
        .expect("requests")
        .into_iter()
        .find(|r| r.org_id == gymnasium)
        .expect("the gymnasium's request");
    let user = jospar_org::repo::user_by_login(&app.db, "abp.edu")
        .await
        .expect("q")
        .expect("user");
    let all = jospar_org::repo::all_orgs(&app.db).await.expect("orgs");
    let principal = jospar_access::Principal {
        grants: jospar_org::repo::grants_of(&app.db, user.id)
            .await
            .expect("grants"),
        user,
        tree: std::sync::Arc::new(jospar_access::OrgTree::new(
            all.iter().map(|o| (o.id, o.parent_id)),
        )),
        today: chrono::Utc::now().date_naive(),
        via_token: true,
        csrf: None,
    };
    jospar_planning::usecases::fill_inflation(&app.db, &principal, request.id, request.version)
        .await
        .expect("filled");
    let stored_after = stored().await;
    assert_ne!(
        stored_before, stored_after,
        "the fill changed the second year"
    );
    let after = consolidated(planner).await;
    assert_ne!(before, after, "the next look counts the change");
    // The total row: its label, the report year, then the campaign's three years (in tiyn).
    assert_eq!(
        after[3].as_i64(),
        Some(stored_after.tiyn()),
        "the total of the second year is what is stored: {after}"
    );
}

#[tokio::test]
async fn consolidation_counts_a_change_made_after_it_was_read_sqlite() {
    consolidation_counts_a_change_made_after_it_was_read(Engine::Sqlite).await;
}

#[tokio::test]
async fn consolidation_counts_a_change_made_after_it_was_read_postgres() {
    consolidation_counts_a_change_made_after_it_was_read(Engine::Postgres).await;
}
