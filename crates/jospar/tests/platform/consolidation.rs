//! Kept consolidated totals, after the whole story has approved requests and plans
//! and changed them: the totals kept in the writing transactions equal a recomputation from the
//! detail for every organisation, the consolidated plan read from them equals the one replayed
//! from the plans and their documents, and `verify` notices a total that is off by one tiyn.

use crate::app::TestApp;
use crate::story::send_json;
use jospar_consolidation::repo;
use jospar_store::{exec_db, on_db};
use serde_json::Value;

pub async fn kept_totals(app: &TestApp) {
    let verification = jospar::verify::verify(&app.db).await.expect("verify");
    assert!(verification.holds(), "{verification:?}");

    let plan_nodes: Vec<(i64, i64)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT DISTINCT node_id, year FROM plan_totals").fetch_all(pool).await)
    .expect("nodes");
    assert!(
        plan_nodes.len() > 1,
        "the story approves plans: {plan_nodes:?}"
    );
    for (node, year) in plan_nodes {
        let kept = repo::plan_totals(&app.db, node, year as i32)
            .await
            .expect("kept");
        let grouped = repo::plan_by_group_by(&app.db, node, year as i32)
            .await
            .expect("group by");
        assert!(!kept.is_empty());
        assert_eq!(kept, grouped, "plan of {node} in {year}");
    }
    let request_nodes: Vec<(i64, i64)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT DISTINCT node_id, campaign_id FROM request_totals").fetch_all(pool).await)
    .expect("nodes");
    assert!(request_nodes.len() > 1, "the story approves requests");
    let campaigns: std::collections::BTreeSet<i64> = request_nodes
        .iter()
        .map(|(_, campaign)| *campaign)
        .collect();
    for (node, campaign) in request_nodes {
        let kept = repo::request_totals(&app.db, node, campaign)
            .await
            .expect("kept");
        let grouped = repo::requests_by_group_by(&app.db, node, campaign)
            .await
            .expect("group by");
        assert_eq!(kept, grouped, "requests of {node} in campaign {campaign}");
    }

    // The consolidation of approved requests by program, read from the kept totals (their
    // four year columns), has the same totals year by year as the one by kind of limit,
    // summed from the request lines.
    let admin = app.token("admin").await;
    for campaign in campaigns {
        let total = |by: &'static str| {
            let admin = admin.clone();
            async move {
                let path =
                    format!("/campaigns/{campaign}/consolidated?by={by}&approved=1&format=json");
                let (status, table) = send_json(app, "get", &path, &admin, Value::Null).await;
                assert_eq!(status, 200, "{table}");
                let total = table["total"].as_array().expect("a total row").clone();
                assert!(total.len() > 4, "the four years: {table}");
                total[total.len() - 4..].to_vec()
            }
        };
        let by_program = total("program").await;
        assert!(
            by_program.iter().any(|amount| amount != 0),
            "{by_program:?}"
        );
        assert_eq!(by_program, total("limit_kind").await, "campaign {campaign}");
    }

    // The report read from the kept totals is the one replayed from the plans' documents.
    let abp = app.token("abp.edu").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let report = |as_of: &'static str| {
        let path = format!(
            "/reports/consolidated-plan?org={edu}&year=2027&by=administrator&format=json{as_of}"
        );
        let abp = abp.clone();
        async move {
            let (status, table) = send_json(app, "get", &path, &abp, Value::Null).await;
            assert_eq!(status, 200, "{table}");
            table
        }
    };
    let kept = report("").await;
    let replayed = report("&as_of=9999-12-31").await;
    assert!(!kept["rows"].as_array().expect("rows").is_empty());
    assert_eq!(kept["rows"], replayed["rows"]);
    assert_eq!(kept["total"], replayed["total"]);
    let (status, refused) = send_json(
        app,
        "get",
        &format!("/reports/consolidated-plan?org={edu}&year=2027&by=budget&format=json"),
        &abp,
        Value::Null,
    )
    .await;
    assert_eq!(status, 422, "{refused}");

    // One tiyn off in one kept total is found, and so is its repair.
    let off_by_one = |sign: i64| async move {
        exec_db!(&app.db, pool => sqlx::query(
            "UPDATE plan_totals SET p1 = p1 + $1 WHERE node_id = $2 AND year = 2027 AND p1 <> 0")
            .bind(sign).bind(edu).execute(pool).await)
        .expect("tamper");
    };
    off_by_one(1).await;
    let verification = jospar::verify::verify(&app.db).await.expect("verify");
    assert!(!verification.holds());
    assert!(verification.totals.plan_totals >= 2, "{verification:?}");
    off_by_one(-1).await;
    assert!(
        jospar::verify::verify(&app.db)
            .await
            .expect("verify")
            .holds()
    );
}
