//! Authorisation matrix: every API route × every demo role × inside/outside the
//! organisation subtree. "A" = allowed (anything but 401/403), "R" = refused (401/403).
//! Users, in order: admin (sysadmin on the roots), planner (oblast authorized body),
//! abp.edu (education administrator), economist.school5, head.school5, auditor (oblast,
//! read-only), anonymous.

use crate::app::{Engine, spawn};
use serde_json::{Value, json};
use std::collections::HashSet;

const USERS: [&str; 7] = [
    "admin",
    "planner",
    "abp.edu",
    "economist.school5",
    "head.school5",
    "auditor",
    "",
];

/// Targets: "own" is school 5 (inside abp.edu's, the economist's and the head's subtree),
/// "other" is the health administrator (outside them).
struct Case {
    method: &'static str,
    route: &'static str,
    path: String,
    body: Option<Value>,
    expect: &'static str,
}

#[tokio::test]
async fn every_route_refuses_what_it_must() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    let mut tokens = Vec::new();
    for user in USERS {
        tokens.push(if user.is_empty() {
            None
        } else {
            Some(app.token(user).await)
        });
    }
    let own = app.org_id("Общеобразовательная школа №5").await;
    let other = app
        .org_id("Управление здравоохранения Мангистауской области")
        .await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let budget = jospar_org::repo::get_org(&app.db, own)
        .await
        .expect("q")
        .expect("org")
        .budget_id;
    let economist = jospar_org::repo::user_by_login(&app.db, "economist.school5")
        .await
        .expect("q")
        .expect("user");
    let health_user = jospar_org::repo::user_by_login(&app.db, "abp.health")
        .await
        .expect("q")
        .expect("user");
    let grant_of_economist = jospar_org::repo::grants_of(&app.db, economist.id)
        .await
        .expect("grants")[0]
        .id;

    let root = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let root_org = jospar_org::repo::get_org(&app.db, root)
        .await
        .expect("q")
        .expect("root");
    let campaign = jospar_limits::repo::create_campaign(
        &app.db,
        &jospar_store::Who::system(),
        &root_org,
        jospar_limits::repo::NewCampaign {
            authority_org_id: root,
            first_year: 2027,
            name_ru: "К".into(),
            name_kk: "Н".into(),
            inflation_bp: [10500, 10500],
            request_days: None,
            review_days: None,
        },
    )
    .await
    .expect("campaign")
    .id;
    let who = jospar_store::Who::system();
    let act = budget_act(&app.db, campaign, budget, root).await;
    let forecast = draft_forecast(&app, campaign).await;
    let transfer = draft_transfer(&app, root).await;
    let code_request = sent_code_request(&app, edu).await;
    let adhoc_draft = adhoc_form(&app, root, edu, false).await;
    let adhoc_sent = adhoc_form(&app, root, edu, true).await;
    let draft = jospar_planning::repo::create_request(
        &app.db,
        &who,
        campaign,
        own,
        jospar_planning::RequestKind::Plan,
    )
    .await
    .expect("request")
    .id;
    let sent = jospar_planning::repo::create_request(
        &app.db,
        &who,
        campaign,
        own,
        jospar_planning::RequestKind::Forecast,
    )
    .await
    .expect("request")
    .id;
    let step = jospar_planning::repo::Move {
        from: &[jospar_planning::Status::InWork],
        to: jospar_planning::Status::Sent,
        stage: Some(edu),
        reason: None,
    };
    jospar_planning::repo::transition(
        &app.db,
        &who,
        jospar_planning::repo::Target {
            request_id: sent,
            version: 1,
        },
        step,
    )
    .await
    .expect("send");
    let plan_line = jospar_execution::PlanLine {
        expense_id: 1,
        program: "003".into(),
        subprogram: "015".into(),
        specific: "111".into(),
        approved: jospar_core::Tenge::from_tiyn(1200),
        obligations: jospar_execution::even_months(jospar_core::Tenge::from_tiyn(1200)),
        payments: jospar_execution::even_months(jospar_core::Tenge::from_tiyn(1200)),
    };
    let plan = jospar_execution::plans::create_plan(&app.db, &who, own, draft, 2027, &[plan_line])
        .await
        .expect("plan")
        .id;
    let receipts = jospar_execution::receipt_plans::create(
        &app.db,
        &who,
        own,
        2027,
        &[jospar_execution::receipts::ReceiptLine {
            code: "101101".into(),
            annual: jospar_core::Tenge::from_tiyn(1200),
            months: jospar_execution::even_months(jospar_core::Tenge::from_tiyn(1200)),
        }],
    )
    .await
    .expect("receipt plan")
    .id;
    let pair = jospar_execution::offsetting::add(
        &app.db,
        &who,
        jospar_execution::offsetting::NewPair {
            org_id: own,
            year: 2027,
            abp: "261".into(),
            program: "003".into(),
            subprogram: String::new(),
            receipt_code: "402101".into(),
            name: "Матрица".into(),
        },
    )
    .await
    .expect("pair")
    .expect("new pair")
    .id;
    let today = chrono::Utc::now().date_naive();
    let ob_doc = jospar_openbudget::repo::publish(
        &app.db,
        &who,
        jospar_openbudget::repo::NewDocument {
            kind: jospar_openbudget::DocKind::Passport,
            org_id: own,
            abp: "261".into(),
            program: "003".into(),
            year: 2027,
            title_ru: "Матрица".into(),
            title_kk: "Матрица".into(),
            summary_ru: "м".into(),
            summary_kk: "м".into(),
            head: "м".into(),
            budget_kind: "local".into(),
            figures: vec![],
            published_on: today,
            ends_on: today + chrono::Days::new(30),
        },
        &[],
    )
    .await
    .expect("document");
    let ob_proposal = jospar_openbudget::repo::propose(
        &app.db,
        &ob_doc,
        "900101300123",
        "Житель",
        "other",
        "Предложение",
        today,
    )
    .await
    .expect("proposal")
    .id;
    let ob_doc = ob_doc.id;
    let ob_publication = jospar_openbudget::publications::register(
        &app.db,
        &who,
        jospar_openbudget::publications::PublicationKind::CitizenBudget,
        &jospar_openbudget::publications::NewPublication {
            org_id: own,
            kind: "citizen_budget".into(),
            year: 2027,
            title_ru: "Гражданский бюджет".into(),
            title_kk: "Азаматтық бюджет".into(),
            received_on: None,
        },
        None,
    )
    .await
    .expect("publication")
    .id;
    let mut tx = app.db.begin().await.expect("tx");
    jospar_execution::outbox::enqueue(&mut tx, plan, own, "plan", 0)
        .await
        .expect("queued");
    tx.commit().await.expect("commit");
    let queued = jospar_execution::outbox::items_of_plan(&app.db, plan)
        .await
        .expect("queue")[0]
        .id;
    let form_149: serde_json::Value =
        serde_json::from_str(include_str!("../../../../data/forms/149.json")).expect("form");
    let new_org = |parent: i64| json!({"parent_id": parent, "kind": "institution", "budget_id": budget, "name_ru": "Матрица", "name_kk": "Матрица"});
    let (_, project) = crate::story::send_json(
        &app,
        "post",
        "/investment-projects",
        tokens[2].as_deref().expect("abp.edu"),
        crate::devbudget::project_body(edu),
    )
    .await;
    let project = project["id"].as_i64().expect("a project");
    let cases = vec![
        Case {
            method: "get",
            route: "/openapi.json",
            path: "/openapi.json".into(),
            body: None,
            expect: "AAAAAAA",
        },
        Case {
            method: "get",
            route: "/me",
            path: "/me".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/search",
            path: "/search?q=003".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/budgets",
            path: "/budgets".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/orgs",
            path: "/orgs".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/orgs",
            path: "/orgs".into(),
            body: Some(new_org(own)),
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/orgs",
            path: "/orgs".into(),
            body: Some(new_org(other)),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/orgs/{id}",
            path: format!("/orgs/{own}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/orgs/{id}",
            path: format!("/orgs/{other}"),
            body: None,
            expect: "AARRRAR",
        },
        Case {
            method: "patch",
            route: "/orgs/{id}",
            path: format!("/orgs/{own}"),
            body: Some(json!({"version": 999})),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/classification/years",
            path: "/classification/years".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/classification/compare",
            path: "/classification/compare?from=2023&to=2024".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/classification/import",
            path: "/classification/import?year_from=2025".into(),
            body: Some(json!("raw")),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/classification/{year}",
            path: "/classification/2025?q=217".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/classification/{year}/{kind}/{code}",
            path: "/classification/2025/abp/217".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/users",
            path: "/users".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/users",
            path: "/users".into(),
            body: Some(
                json!({"org_id": own, "login": "matrix.user", "iin": "900101300007", "full_name": "М", "password": "Long-enough-pass"}),
            ),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/users/{id}",
            path: format!("/users/{}", economist.id),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/users/{id}",
            path: format!("/users/{}", health_user.id),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "patch",
            route: "/users/{id}",
            path: format!("/users/{}", economist.id),
            body: Some(json!({"version": 999})),
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/users/{id}/grants",
            path: format!("/users/{}/grants", economist.id),
            body: Some(json!({"role": "auditor", "org_id": edu, "valid_until": "2099-01-01"})),
            expect: "ARRRRRR",
        },
        Case {
            method: "delete",
            route: "/users/{id}/grants/{grant}",
            path: format!("/users/{}/grants/{}", economist.id, grant_of_economist + 1),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/audit",
            path: "/audit".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/calendar/{year}",
            path: "/calendar/2026".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/calendar/days/{day}",
            path: "/calendar/days/2026-12-26".into(),
            body: Some(json!({"kind": "working"})),
            expect: "ARRRRRR",
        },
        Case {
            method: "delete",
            route: "/calendar/days/{day}",
            path: "/calendar/days/2026-12-26".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/campaigns",
            path: "/campaigns".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/campaigns",
            path: "/campaigns".into(),
            body: Some(
                json!({"authority_org_id": root, "first_year": 2028, "name_ru": "М", "name_kk": "М", "inflation_bp": [10500, 10500]}),
            ),
            expect: "RARRRRR",
        },
        Case {
            method: "get",
            route: "/budget-acts",
            path: format!("/budget-acts?campaign={campaign}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/budget-acts",
            path: "/budget-acts".into(),
            body: Some(
                json!({"campaign_id": campaign, "kind": "commission", "number": "M-1", "act_date": "2026-12-01"}),
            ),
            expect: "RARRRRR",
        },
        Case {
            method: "get",
            route: "/budget-acts/{id}",
            path: format!("/budget-acts/{act}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/budget-acts/{id}/lines",
            path: format!("/budget-acts/{act}/lines"),
            body: Some(
                json!({"version": 1, "lines": [{"abp": "261", "program": "003", "year": 2027, "amount_tiyn": 100}]}),
            ),
            expect: "RARRRRR",
        },
        Case {
            method: "post",
            route: "/budget-acts/{id}/adopt",
            path: format!("/budget-acts/{act}/adopt"),
            body: Some(json!({"version": 2})),
            expect: "RARRRRR",
        },
        Case {
            method: "get",
            route: "/budget-acts/{id}/signing-data",
            path: format!("/budget-acts/{act}/signing-data"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/budget-acts/{id}/signature",
            path: format!("/budget-acts/{act}/signature"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "delete",
            route: "/budget-acts/{id}",
            path: format!("/budget-acts/{act}?version=99"),
            body: None,
            expect: "RARRRRR",
        },
        Case {
            method: "get",
            route: "/receipt-forecasts",
            path: format!("/receipt-forecasts?campaign={campaign}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/receipt-forecasts",
            path: "/receipt-forecasts".into(),
            body: Some(json!({"campaign_id": campaign})),
            expect: "RARRRRR",
        },
        Case {
            method: "get",
            route: "/receipt-forecasts/{id}",
            path: format!("/receipt-forecasts/{forecast}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/receipt-forecasts/{id}/lines",
            path: format!("/receipt-forecasts/{forecast}/lines"),
            body: Some(
                json!({"version": 1, "lines": [{"code": "101201", "year": 2027, "amount_tiyn": 100, "basis": "оценка"}]}),
            ),
            expect: "RARRRRR",
        },
        Case {
            method: "post",
            route: "/receipt-forecasts/{id}/from-execution",
            path: format!("/receipt-forecasts/{forecast}/from-execution"),
            body: Some(json!({"version": 99, "receipt_form": 1, "growth": "8"})),
            expect: "RARRRRR",
        },
        Case {
            method: "post",
            route: "/receipt-forecasts/{id}/adopt",
            path: format!("/receipt-forecasts/{forecast}/adopt"),
            body: Some(json!({"version": 2})),
            expect: "RARRRRR",
        },
        Case {
            method: "get",
            route: "/transfer-applications",
            path: "/transfer-applications".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/transfer-applications",
            path: "/transfer-applications".into(),
            body: Some(transfer_body(root)),
            expect: "RARRRRR",
        },
        Case {
            method: "get",
            route: "/transfer-applications/{id}",
            path: format!("/transfer-applications/{transfer}"),
            body: None,
            expect: "AARRRAR",
        },
        Case {
            method: "post",
            route: "/transfer-applications/{id}/send",
            path: format!("/transfer-applications/{transfer}/send"),
            body: Some(json!({"version": 1})),
            expect: "RARRRRR",
        },
        // Only the republican authority decides; no user of the matrix works there.
        Case {
            method: "post",
            route: "/transfer-applications/{id}/decision",
            path: format!("/transfer-applications/{transfer}/decision"),
            body: Some(json!({"version": 2, "approve": true})),
            expect: "RRRRRRR",
        },
        Case {
            method: "get",
            route: "/adhoc-forms",
            path: "/adhoc-forms".into(),
            body: None,
            expect: "AAAAAAR",
        },
        // Bodies and administrators send forms; not a school, nor the system administrator.
        Case {
            method: "post",
            route: "/adhoc-forms",
            path: "/adhoc-forms".into(),
            body: Some(crate::adhoc::design(
                root,
                edu,
                "pupils * cost",
                &adhoc_deadline(),
            )),
            expect: "RARRRRR",
        },
        // A draft is its sender's side's only.
        Case {
            method: "get",
            route: "/adhoc-forms/{id}",
            path: format!("/adhoc-forms/{adhoc_draft}"),
            body: None,
            expect: "AARRRAR",
        },
        Case {
            method: "post",
            route: "/adhoc-forms/{id}/send",
            path: format!("/adhoc-forms/{adhoc_draft}/send"),
            body: Some(json!({"version": 1})),
            expect: "RARRRRR",
        },
        // A sent form's copy of the school: read by its subtree and the sender's side…
        Case {
            method: "get",
            route: "/adhoc-forms/{id}/responses/{org}",
            path: format!("/adhoc-forms/{adhoc_sent}/responses/{own}"),
            body: None,
            expect: "AAAAAAR",
        },
        // … and filled by those who enter the school's data.
        Case {
            method: "put",
            route: "/adhoc-forms/{id}/responses/{org}",
            path: format!("/adhoc-forms/{adhoc_sent}/responses/{own}"),
            body: Some(
                json!({"version": 999, "rows": [{"pupils": "1", "cost": "1"}, {"pupils": "1", "cost": "1"}]}),
            ),
            expect: "RAAARRR",
        },
        // The exchange monitor: the system administrator's alone.
        Case {
            method: "get",
            route: "/integrations",
            path: "/integrations".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/integrations/journal",
            path: "/integrations/journal?outcome=error".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/integrations/shep/run",
            path: "/integrations/shep/run".into(),
            body: None,
            expect: "ARRRRRR",
        },
        // The ЕБК service's change sets: the system administrator's alone.
        Case {
            method: "get",
            route: "/classification/change-sets",
            path: "/classification/change-sets".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/classification/change-sets/receive",
            path: "/classification/change-sets/receive".into(),
            body: Some(json!({"year": 2026})),
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/classification/change-sets/{id}/apply",
            path: "/classification/change-sets/NONE/apply".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/classification/change-sets/{id}/reject",
            path: "/classification/change-sets/NONE/reject".into(),
            body: Some(json!({"reason": "нет"})),
            expect: "ARRRRRR",
        },
        // The development budget: projects read in the administrator's subtree, entered by
        // who enters there; an organisation's procurement likewise (the economist reads the
        // administrator through the auditor's grant given above).
        Case {
            method: "get",
            route: "/investment-projects",
            path: "/investment-projects".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/investment-projects",
            path: "/investment-projects".into(),
            body: Some(crate::devbudget::project_body(edu)),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/investment-projects/{id}",
            path: format!("/investment-projects/{project}"),
            body: None,
            expect: "AAAARAR",
        },
        Case {
            method: "put",
            route: "/investment-projects/{id}",
            path: format!("/investment-projects/{project}"),
            body: Some(
                json!({"version": 1, "project": crate::devbudget::project_body(edu), "reason": null}),
            ),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/procurement/{org}/contracts",
            path: format!("/procurement/{edu}/contracts"),
            body: None,
            expect: "AAAARAR",
        },
        Case {
            method: "get",
            route: "/procurement/{org}/plans",
            path: format!("/procurement/{edu}/plans"),
            body: None,
            expect: "AAAARAR",
        },
        Case {
            method: "post",
            route: "/procurement/{org}/load/{kind}",
            path: format!("/procurement/{edu}/load/contracts"),
            body: None,
            expect: "RAARRRR",
        },
        Case {
            method: "post",
            route: "/procurement/{org}/import/plans",
            path: format!("/procurement/{edu}/import/plans"),
            body: Some(json!({"total": 0, "next_page": "", "items": []})),
            expect: "RAARRRR",
        },
        Case {
            method: "post",
            route: "/procurement/{org}/import/contracts",
            path: format!("/procurement/{edu}/import/contracts"),
            body: Some(json!({"total": 0, "next_page": null, "items": []})),
            expect: "RAARRRR",
        },
        Case {
            method: "post",
            route: "/investment-projects/form-409",
            path: format!("/investment-projects/form-409?org={edu}&date=2027-04-01"),
            body: Some(Value::String("x".into())),
            expect: "RAARRRR",
        },
        Case {
            method: "put",
            route: "/procurement/{org}/plans/{point}/expense",
            path: format!("/procurement/{edu}/plans/1/expense"),
            body: Some(json!({"expense_id": null})),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/procurement/{org}/approved-budget",
            path: format!("/procurement/{edu}/approved-budget?year=2027"),
            body: None,
            expect: "AAAARAR",
        },
        Case {
            method: "put",
            route: "/procurement/{org}/contracts/{contract}/project",
            path: format!("/procurement/{edu}/contracts/1/project"),
            body: Some(json!({"project_id": null})),
            expect: "RAARRRR",
        },
        // The self-check's reports: the system administrator's alone.
        Case {
            method: "get",
            route: "/selfcheck/reports",
            path: "/selfcheck/reports".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/selfcheck/reports/{id}",
            path: "/selfcheck/reports/1".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/integrations/emin/run",
            path: "/integrations/emin/run".into(),
            body: None,
            expect: "ARRRRRR",
        },
        // Goods and prices: read by every signed-in user, configured by the system's
        // configurers only.
        Case {
            method: "get",
            route: "/goods",
            path: "/goods?q=дизель".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/goods/import",
            path: "/goods/import?file_name=x.csv".into(),
            body: Some(json!("raw")),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/goods/settings",
            path: "/goods/settings".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/goods/settings/rule",
            path: "/goods/settings/rule".into(),
            body: Some(json!({"rule": "refuse", "reason": ""})),
            expect: "ARRRRRR",
        },
        Case {
            method: "put",
            route: "/goods/settings/indices/{year}",
            path: "/goods/settings/indices/2031".into(),
            body: Some(json!({"percent": "5"})),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/goods/checks",
            path: "/goods/checks".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/goods/{code}",
            path: "/goods/192021.100.000001".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/goods/{code}/prices",
            path: "/goods/192021.100.000001/prices".into(),
            body: Some(
                json!({"region": "47", "date": "2026-01-05", "price": "1", "source": "matrix"}),
            ),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/code-requests",
            path: "/code-requests".into(),
            body: None,
            expect: "AAAAAAR",
        },
        // The administrator and the authorized body above it ask; a school does not.
        Case {
            method: "post",
            route: "/code-requests",
            path: "/code-requests".into(),
            body: Some(code_request_body(edu, "261 003 016")),
            expect: "RAARRRR",
        },
        // The economist reads it through the auditor's grant on the administrator given above.
        Case {
            method: "get",
            route: "/code-requests/{id}",
            path: format!("/code-requests/{code_request}"),
            body: None,
            expect: "AAAARAR",
        },
        // Only the budget-planning body decides, not the administrator that asked.
        Case {
            method: "post",
            route: "/code-requests/{id}/decision",
            path: format!("/code-requests/{code_request}/decision"),
            body: Some(json!({"version": 1, "approve": false, "reason": "Нет основания"})),
            expect: "RARRRRR",
        },
        Case {
            method: "get",
            route: "/budget-programs",
            path: format!("/budget-programs?campaign={campaign}"),
            body: None,
            expect: "AAAAAAR",
        },
        // The education administrator's program: its administrator and the authorized body
        // above it enter it.
        Case {
            method: "put",
            route: "/budget-programs",
            path: "/budget-programs".into(),
            body: Some(
                json!({"campaign_id": campaign, "abp": "261", "program": "003", "purpose": "Цель",
                       "indicators": [], "version": 0}),
            ),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/budget-programs/{campaign}/{abp}/{program}",
            path: format!("/budget-programs/{campaign}/261/003"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/campaigns/{id}",
            path: format!("/campaigns/{campaign}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/campaigns/{id}/balance",
            path: format!("/campaigns/{campaign}/balance?org={other}"),
            body: None,
            expect: "AARRRAR",
        },
        Case {
            method: "get",
            route: "/campaigns/{id}/balance",
            path: format!("/campaigns/{campaign}/balance?org={own}&program=003"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/campaigns/{id}/limits",
            path: format!("/campaigns/{campaign}/limits"),
            body: Some(
                json!({"changes": [{"org_id": other, "program": "", "year": 2027, "kind": "base", "amount_tiyn": 0, "version": 0}]}),
            ),
            expect: "RARRRRR",
        },
        Case {
            method: "put",
            route: "/campaigns/{id}/limits",
            path: format!("/campaigns/{campaign}/limits"),
            body: Some(
                json!({"changes": [{"org_id": own, "program": "003", "year": 2027, "kind": "base", "amount_tiyn": 0, "version": 0}]}),
            ),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/campaigns/{id}/consolidated",
            path: format!("/campaigns/{campaign}/consolidated"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/campaigns/{id}/consolidated",
            path: format!("/campaigns/{campaign}/consolidated?org={other}"),
            body: None,
            expect: "AARRRAR",
        },
        Case {
            method: "get",
            route: "/campaigns/{id}/desk",
            path: format!("/campaigns/{campaign}/desk"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/forms",
            path: "/forms".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/forms/{code}",
            path: "/forms/149".into(),
            body: Some(form_149.clone()),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/requests",
            path: "/requests".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/requests",
            path: "/requests".into(),
            body: Some(json!({"campaign_id": campaign, "org_id": own, "kind": "plan"})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/requests",
            path: "/requests".into(),
            body: Some(json!({"campaign_id": campaign, "org_id": other, "kind": "plan"})),
            expect: "RARRRRR",
        },
        Case {
            method: "get",
            route: "/requests/{id}",
            path: format!("/requests/{draft}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/report-year",
            path: format!("/requests/{draft}/report-year"),
            body: None,
            expect: "AAAAAAR",
        },
        // The report year is typed or filled by those who enter the school's request.
        Case {
            method: "put",
            route: "/requests/{id}/report-year",
            path: format!("/requests/{draft}/report-year"),
            body: Some(json!({"version": 999, "facts": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/revenues",
            path: format!("/requests/{draft}/revenues"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/requests/{id}/revenues",
            path: format!("/requests/{draft}/revenues"),
            body: Some(json!({"version": 999, "revenues": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/report-year/from-execution",
            path: format!("/requests/{draft}/report-year/from-execution"),
            body: Some(json!({"version": 999})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/lines",
            path: format!("/requests/{draft}/lines"),
            body: Some(json!({"version": 999, "program": "003", "specific": "111"})),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/orgs/{id}/delegations",
            path: format!("/orgs/{own}/delegations"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/orgs/{id}/delegations",
            path: format!("/orgs/{own}/delegations"),
            body: Some(
                json!({"acting_user_id": 1, "valid_from": "2027-01-01", "valid_to": "2027-01-10", "basis": "x"}),
            ),
            expect: "ARRRARR",
        },
        Case {
            method: "delete",
            route: "/orgs/{id}/delegations/{delegation}",
            path: format!("/orgs/{own}/delegations/1"),
            body: None,
            expect: "ARRRARR",
        },
        Case {
            method: "put",
            route: "/requests/{id}/years/{year}",
            path: format!("/requests/{draft}/years/2027"),
            body: Some(json!({"version": 999, "lines": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "put",
            route: "/requests/{id}/grid",
            path: format!("/requests/{draft}/grid"),
            body: Some(json!({"version": 999, "cells": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/line-choices",
            path: format!("/requests/{draft}/line-choices"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "delete",
            route: "/requests/{id}/lines/{line}",
            path: format!("/requests/{draft}/lines/1?version=999"),
            body: None,
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/lines/{line}/years/{year}",
            path: format!("/requests/{draft}/lines/1/years/2027"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/requests/{id}/lines/{line}/years/{year}",
            path: format!("/requests/{draft}/lines/1/years/2027"),
            body: Some(json!({"version": 999, "rows": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/versions",
            path: format!("/requests/{draft}/versions"),
            body: Some(json!({"kind": "refinement"})),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/diff",
            path: format!("/requests/{draft}/diff"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/export",
            path: format!("/requests/{draft}/export"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/pay-reference",
            path: "/pay-reference".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/pay-reference/{table}/{valid_from}",
            path: "/pay-reference/mci/2026-01-01".into(),
            body: Some(json!(432_500)),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/staffing/{org}/{year}",
            path: format!("/staffing/{own}/2027"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/staffing/{org}/{year}",
            path: format!("/staffing/{other}/2027"),
            body: None,
            expect: "AARRRAR",
        },
        Case {
            method: "put",
            route: "/staffing/{org}/{year}",
            path: format!("/staffing/{own}/2027"),
            body: Some(json!({"version": 999, "positions": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/staffing/{org}/{year}/copy",
            path: format!("/staffing/{own}/2027/copy"),
            body: None,
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/staffing/{org}/compare",
            path: format!("/staffing/{other}/compare?from=2027&to=2028"),
            body: None,
            expect: "AARRRAR",
        },
        Case {
            method: "get",
            route: "/execution/portal-imports",
            path: "/execution/portal-imports".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/execution/portal-imports",
            path: format!("/execution/portal-imports?org={root}&title=M"),
            body: Some(Value::String("id;code\n".into())),
            expect: "RARRRRR",
        },
        Case {
            method: "post",
            route: "/execution/portal-imports",
            path: format!("/execution/portal-imports?org={edu}&title=M"),
            body: Some(Value::String("id;code\n".into())),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/execution/treasury",
            path: "/execution/treasury".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/execution/treasury/{form}",
            path: format!("/execution/treasury/5-52?org={edu}&date=2027-03-31"),
            body: Some(Value::String("x".into())),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/financing-plans",
            path: "/financing-plans".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/financing-plans",
            path: "/financing-plans".into(),
            body: Some(json!({"request_id": draft, "year": 2027})),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/financing-plans/{id}",
            path: format!("/financing-plans/{plan}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/financing-plans/{id}",
            path: format!("/financing-plans/{plan}"),
            body: Some(json!({"version": 999, "lines": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "put",
            route: "/requests/{id}/grid",
            path: format!("/requests/{draft}/grid"),
            body: Some(json!({"version": 999, "cells": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/financing-plans/{id}/submit",
            path: format!("/financing-plans/{plan}/submit"),
            body: Some(json!({"version": 999})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/financing-plans/{id}/return",
            path: format!("/financing-plans/{plan}/return"),
            body: Some(json!({"version": 999, "reason": "x"})),
            expect: "RAARRRR",
        },
        Case {
            method: "post",
            route: "/financing-plans/{id}/approve",
            path: format!("/financing-plans/{plan}/approve"),
            body: Some(json!({"version": 999})),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/financing-plans/{id}/signing-data",
            path: format!("/financing-plans/{plan}/signing-data"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/financing-plans/{id}/changes",
            path: format!("/financing-plans/{plan}/changes"),
            body: Some(
                json!({"kind": "certificate", "dated": "2027-03-01", "reason": "x", "moves": []}),
            ),
            expect: "RAAARRR",
        },
        Case {
            method: "put",
            route: "/receipt-plans/{id}/reasons",
            path: format!("/receipt-plans/{receipts}/reasons"),
            body: Some(json!({"month": "2027-03", "code": "101101", "reason": ""})),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/training-sessions",
            path: "/training-sessions".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/training-sessions",
            path: "/training-sessions".into(),
            body: Some(json!({"held_on": "2026-12-01", "topic": "", "trainer": "", "passed": []})),
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/training-sessions/{id}/report",
            path: "/training-sessions/1/report".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/oversight-applications",
            path: "/oversight-applications".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/oversight-applications",
            path: "/oversight-applications".into(),
            body: Some(json!({"body_name": ""})),
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/oversight-applications/{id}/review",
            path: "/oversight-applications/1/review".into(),
            body: Some(json!({"forward": true})),
            expect: "RARRRRR",
        },
        Case {
            method: "post",
            route: "/oversight-applications/{id}/grant",
            path: "/oversight-applications/1/grant".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/oversight-access",
            path: "/oversight-access".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/oversight-access",
            path: "/oversight-access".into(),
            body: Some(json!({"user_id": 0, "kind": "x"})),
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/oversight-access/{id}/block-request",
            path: "/oversight-access/1/block-request".into(),
            body: Some(json!({"reason": "x"})),
            expect: "AARRRRR",
        },
        Case {
            method: "post",
            route: "/oversight-access/{id}/block",
            path: "/oversight-access/1/block".into(),
            body: Some(json!({"reason": "x"})),
            expect: "ARRRRRR",
        },
        Case {
            method: "get",
            route: "/financing-plans/deadlines",
            path: "/financing-plans/deadlines".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/financing-plans/deadlines",
            path: "/financing-plans/deadlines".into(),
            body: Some(
                json!({"org_id": edu, "year": 2027, "opens_on": "2027-01-04",
                "plan_days": 10, "treasury_days": 5, "reason": "m"}),
            ),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/execution/closed-periods",
            path: "/execution/closed-periods".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/execution/closed-periods",
            path: "/execution/closed-periods".into(),
            body: Some(json!({"org_id": own, "month": "x", "reason": "m"})),
            expect: "RAARARR",
        },
        Case {
            method: "post",
            route: "/execution/closed-periods/reopen",
            path: "/execution/closed-periods/reopen".into(),
            body: Some(json!({"org_id": own, "month": "x", "reason": "m"})),
            expect: "RAARARR",
        },
        Case {
            method: "get",
            route: "/oversight-applications/{id}/signing-data",
            path: "/oversight-applications/1/signing-data".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/oversight-applications/{id}/sign",
            path: "/oversight-applications/1/sign".into(),
            body: Some(json!({"cms": ""})),
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/open-budget/documents",
            path: "/open-budget/documents".into(),
            body: None,
            expect: "AAAAAAA",
        },
        Case {
            method: "get",
            route: "/open-budget/documents/{id}",
            path: format!("/open-budget/documents/{ob_doc}"),
            body: None,
            expect: "AAAAAAA",
        },
        Case {
            method: "post",
            route: "/open-budget/documents",
            path: "/open-budget/documents".into(),
            body: Some(json!({"kind": "passport", "org_id": own, "program": "003", "year": 2027})),
            expect: "RAARARR",
        },
        Case {
            method: "post",
            route: "/open-budget/documents/{id}/upload",
            path: format!("/open-budget/documents/{ob_doc}/upload"),
            body: Some(json!({})),
            expect: "RAARARR",
        },
        Case {
            method: "get",
            route: "/open-budget/publications",
            path: "/open-budget/publications".into(),
            body: None,
            expect: "AAAAAAA",
        },
        Case {
            method: "post",
            route: "/open-budget/publications",
            path: "/open-budget/publications".into(),
            body: Some(json!({"org_id": own, "kind": "x"})),
            expect: "RAARARR",
        },
        Case {
            method: "post",
            route: "/open-budget/publications/{id}/file",
            path: format!("/open-budget/publications/{ob_publication}/file"),
            body: None,
            expect: "RAARARR",
        },
        Case {
            method: "get",
            route: "/open-budget/proposals/pending",
            path: "/open-budget/proposals/pending".into(),
            body: None,
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/open-budget/proposals/{id}/moderate",
            path: format!("/open-budget/proposals/{ob_proposal}/moderate"),
            body: Some(json!({"publish": false, "reason": ""})),
            expect: "ARRRRRR",
        },
        Case {
            method: "post",
            route: "/open-budget/proposals/{id}/answer",
            path: format!("/open-budget/proposals/{ob_proposal}/answer"),
            body: Some(json!({"accepted": true, "text": ""})),
            expect: "RAARARR",
        },
        Case {
            method: "get",
            route: "/execution/offsetting-codes",
            path: "/execution/offsetting-codes".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/execution/offsetting-codes",
            path: "/execution/offsetting-codes".into(),
            body: Some(json!({"org_id": own, "year": 2027, "abp": "x"})),
            expect: "RAARARR",
        },
        Case {
            method: "post",
            route: "/execution/offsetting-codes/{id}/delete",
            path: format!("/execution/offsetting-codes/{pair}/delete"),
            body: Some(json!({"reason": ""})),
            expect: "RAARARR",
        },
        Case {
            method: "get",
            route: "/execution/passport",
            path: "/execution/passport".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/execution/passport",
            path: "/execution/passport".into(),
            body: Some(json!({"kind": "cash_execution", "f552": 1})),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/receipt-plans",
            path: "/receipt-plans".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/receipt-plans",
            path: "/receipt-plans".into(),
            body: Some(json!({"org_id": own, "year": 2028, "lines": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/receipt-plans/{id}",
            path: format!("/receipt-plans/{receipts}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "put",
            route: "/receipt-plans/{id}",
            path: format!("/receipt-plans/{receipts}"),
            body: Some(json!({"version": 999, "lines": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "put",
            route: "/requests/{id}/grid",
            path: format!("/requests/{draft}/grid"),
            body: Some(json!({"version": 999, "cells": []})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/receipt-plans/{id}/approve",
            path: format!("/receipt-plans/{receipts}/approve"),
            body: Some(json!({"version": 999})),
            expect: "RAARARR",
        },
        Case {
            method: "get",
            route: "/treasury-exchange",
            path: "/treasury-exchange".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/treasury-exchange/send",
            path: "/treasury-exchange/send".into(),
            body: None,
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/treasury-exchange/{id}/retry",
            path: format!("/treasury-exchange/{queued}/retry"),
            body: Some(json!({"reason": "matrix"})),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/reports",
            path: "/reports".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/reports/{name}",
            path: format!("/reports/appendix-57?request={draft}"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/reports/{name}",
            path: format!("/reports/appendix-58?campaign={campaign}&org={other}"),
            body: None,
            expect: "AARRRAR",
        },
        Case {
            method: "get",
            route: "/reports/{name}",
            path: format!("/reports/appendix-59?campaign={campaign}&org={other}&format=pdf"),
            body: None,
            expect: "AARRRAR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/signing-data",
            path: format!("/requests/{draft}/signing-data"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/signatures",
            path: format!("/requests/{draft}/signatures"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/file",
            path: format!("/requests/{draft}/file?format=csv"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/file",
            path: format!("/requests/{draft}/file?version=999&file_name=a.csv"),
            body: Some(json!("raw")),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/file/origins",
            path: format!("/requests/{draft}/file/origins"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/attachments",
            path: format!("/requests/{draft}/attachments"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/attachments",
            path: format!("/requests/{draft}/attachments?version=999&file_name=a.txt"),
            body: Some(json!("raw")),
            expect: "RAAARRR",
        },
        Case {
            method: "get",
            route: "/requests/{id}/attachments/{attachment}",
            path: format!("/requests/{draft}/attachments/1"),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/fill-inflation",
            path: format!("/requests/{draft}/fill-inflation"),
            body: Some(json!({"version": 999})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/undo-fill",
            path: format!("/requests/{draft}/undo-fill"),
            body: Some(json!({"version": 999})),
            expect: "RAAARRR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/send",
            path: format!("/requests/{draft}/send"),
            body: Some(json!({"version": 999})),
            expect: "RRRRARR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/approve",
            path: format!("/requests/{sent}/approve"),
            body: Some(json!({"version": 999})),
            expect: "RAARRRR",
        },
        Case {
            method: "post",
            route: "/requests/{id}/return",
            path: format!("/requests/{sent}/return"),
            body: Some(json!({"version": 999, "reason": "x"})),
            expect: "RAARRRR",
        },
        Case {
            method: "get",
            route: "/tokens",
            path: "/tokens".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/tokens",
            path: "/tokens".into(),
            body: Some(json!({"name": "m", "expires_on": "2099-01-01"})),
            expect: "AAAAAAR",
        },
        Case {
            method: "delete",
            route: "/tokens/{id}",
            path: "/tokens/1".into(),
            body: None,
            expect: "AAAAAAR",
        },
        // Every signed-in user reads and marks their own notices; an id of someone else's is
        // not found (platform::workdesk).
        Case {
            method: "get",
            route: "/notifications",
            path: "/notifications".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/notifications/{id}/read",
            path: "/notifications/1/read".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "post",
            route: "/notifications/read",
            path: "/notifications/read".into(),
            body: None,
            expect: "AAAAAAR",
        },
        Case {
            method: "get",
            route: "/workdesk",
            path: "/workdesk".into(),
            body: None,
            expect: "AAAAAAR",
        },
    ];

    // Every route of the API, as declared, is in the matrix, and the matrix agrees with what the
    // declaration says of read-only oversight users (the auditor's column): a route declared
    // today is covered today.
    let declared = jospar_web::api::declared();
    let covered: HashSet<(&str, &str)> = cases.iter().map(|c| (c.method, c.route)).collect();
    for route in &declared {
        assert!(
            covered.contains(&(route.method, route.path)),
            "route {} {} missing from the matrix",
            route.method,
            route.path
        );
    }
    const AUDITOR: usize = 5;
    for case in &cases {
        let route = declared
            .iter()
            .find(|r| r.method == case.method && r.path == case.route)
            .unwrap_or_else(|| panic!("{} {} is not declared", case.method, case.route));
        let answered = case.expect.as_bytes()[AUDITOR] == b'A';
        assert_eq!(
            answered,
            route.oversight,
            "{} {}: the declaration says oversight users are {}",
            case.method,
            case.route,
            if route.oversight {
                "answered"
            } else {
                "refused"
            }
        );
    }

    let client = reqwest::Client::new();
    let mut failures = Vec::new();
    for case in &cases {
        for (i, user) in USERS.iter().enumerate() {
            let status = call(&app, &client, case, tokens[i].as_deref()).await;
            let refused = status == 401 || status == 403;
            let expected_refused = case.expect.as_bytes()[i] == b'R';
            if refused != expected_refused {
                failures.push(format!(
                    "{} {} as {:?}: got {status}, expected {}",
                    case.method,
                    case.path,
                    user,
                    if expected_refused {
                        "refusal"
                    } else {
                        "access"
                    }
                ));
            }
        }
    }

    // The module dimension (issue 20): a planner whose grant is limited to one module gets in
    // that module (and on pages of no module: notices, tokens, the start page) what the
    // planner gets, and elsewhere no more than a user of the same organisation without any
    // grant.
    const PLANNER: usize = 1;
    let nobody = user_with_grant(&app, "nobody.matrix", root, None).await;
    let mut limited = Vec::new();
    for module in [jospar_access::Module::Limits, jospar_access::Module::Plans] {
        let login = format!("planner.only-{}", module.code());
        limited.push((
            module,
            user_with_grant(&app, &login, root, Some(module)).await,
        ));
    }
    for case in &cases {
        let status = call(&app, &client, case, Some(&nobody)).await;
        let nobody_refused = status == 401 || status == 403;
        let route_module = jospar_web::modules::module_of(case.route);
        for (module, token) in &limited {
            let expected_refused = if route_module.is_none_or(|m| m == *module) {
                case.expect.as_bytes()[PLANNER] == b'R'
            } else {
                nobody_refused
            };
            let status = call(&app, &client, case, Some(token)).await;
            if (status == 401 || status == 403) != expected_refused {
                failures.push(format!(
                    "{} {} as a planner limited to {}: got {status}, expected {}",
                    case.method,
                    case.path,
                    module.code(),
                    if expected_refused {
                        "refusal"
                    } else {
                        "access"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorisation matrix:\n{}",
        failures.join("\n")
    );

    // Pages refuse the same: the economist cannot open the users page or another subtree.
    let economist_page = app.signed_in("economist.school5").await;
    assert_eq!(
        economist_page
            .get(app.url("/users"))
            .send()
            .await
            .expect("page")
            .status(),
        403
    );
    assert_eq!(
        economist_page
            .get(app.url(&format!("/orgs/{other}")))
            .send()
            .await
            .expect("page")
            .status(),
        403
    );
    assert_eq!(
        economist_page
            .get(app.url("/classification/import"))
            .send()
            .await
            .expect("page")
            .status(),
        403
    );
    assert_eq!(
        economist_page
            .get(app.url("/goods/import"))
            .send()
            .await
            .expect("page")
            .status(),
        403
    );
    assert_eq!(
        economist_page
            .get(app.url("/integrations"))
            .send()
            .await
            .expect("page")
            .status(),
        403
    );
    let auditor_page = app.signed_in("auditor").await;
    let page = auditor_page
        .get(app.url(&format!("/orgs/{own}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        !page.contains("id=\"org-save\""),
        "a read-only auditor gets no edit form"
    );
}

/// A draft commission's decision on the campaign's budget, without lines, for the routes of
/// one act.
async fn budget_act(db: &jospar_store::Db, campaign: i64, budget: i64, authority: i64) -> i64 {
    let act = jospar_budget::Act {
        id: jospar_core::ids::new_id(),
        campaign_id: campaign,
        budget_id: budget,
        first_year: 2027,
        kind: jospar_budget::ActKind::Commission,
        administrator: String::new(),
        number: "M-0".into(),
        act_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        based_on: None,
        status: jospar_budget::ActStatus::Draft,
        version: 1,
        created_by: "system".into(),
        adopted_by: None,
        adopted_at: None,
        due_on: None,
    };
    jospar_budget::repo::create_act(db, &jospar_store::Who::system(), authority, &act, &[])
        .await
        .expect("act");
    act.id
}

/// A draft forecast of receipts of the campaign, drawn up by the planner through the API.
async fn draft_forecast(app: &crate::app::TestApp, campaign: i64) -> i64 {
    let planner = app.token("planner").await;
    let (status, created) = crate::story::send_json(
        app,
        "post",
        "/receipt-forecasts",
        &planner,
        json!({"campaign_id": campaign}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["forecast"]["id"].as_i64().expect("id")
}

fn transfer_body(applicant: i64) -> Value {
    json!({"applicant_org_id": applicant, "year": 2027, "purpose": "Ремонт", "amount_tiyn": 100,
           "abp": "261", "program": "003", "source_program": "225 099", "justification": "Износ"})
}

fn adhoc_deadline() -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string()
}

/// An ad-hoc form of the oblast's body to the education administrator's subtree, sent or not.
async fn adhoc_form(app: &crate::app::TestApp, owner: i64, root: i64, send: bool) -> i64 {
    let planner = app.token("planner").await;
    let design = crate::adhoc::design(owner, root, "pupils * cost", &adhoc_deadline());
    let (status, created) =
        crate::story::send_json(app, "post", "/adhoc-forms", &planner, design).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().expect("id");
    if send {
        let path = format!("/adhoc-forms/{id}/send");
        let (status, sent) =
            crate::story::send_json(app, "post", &path, &planner, json!({"version": 1})).await;
        assert_eq!(status, 200, "{sent}");
    }
    id
}

fn code_request_body(administrator: i64, code: &str) -> Value {
    json!({"org_id": administrator, "year": 2026, "action": "open", "code": code,
           "name_ru": "Подпрограмма", "name_kk": "Кіші бағдарлама", "reason": "Новая функция"})
}

/// A request of the education administrator to open a subprogram, sent through the API.
async fn sent_code_request(app: &crate::app::TestApp, administrator: i64) -> i64 {
    let abp = app.token("abp.edu").await;
    let body = code_request_body(administrator, "261 003 011");
    let (status, created) =
        crate::story::send_json(app, "post", "/code-requests", &abp, body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().expect("id")
}

/// A draft application for a transfer of the oblast, made by the planner through the API.
async fn draft_transfer(app: &crate::app::TestApp, applicant: i64) -> i64 {
    let planner = app.token("planner").await;
    let (status, created) = crate::story::send_json(
        app,
        "post",
        "/transfer-applications",
        &planner,
        transfer_body(applicant),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().expect("id")
}

/// Sends one case of the matrix with `token` (none: anonymous); the status.
async fn call(
    app: &crate::app::TestApp,
    client: &reqwest::Client,
    case: &Case,
    token: Option<&str>,
) -> u16 {
    let url = app.url(&format!("/api/v1{}", case.path));
    let mut request = match case.method {
        "get" => client.get(&url),
        "post" => client.post(&url),
        "patch" => client.patch(&url),
        "put" => client.put(&url),
        "delete" => client.delete(&url),
        other => panic!("method {other}"),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = &case.body {
        request = match body {
            Value::String(raw) => request.body(raw.clone()),
            _ => request.json(body),
        };
    }
    request.send().await.expect("request").status().as_u16()
}

/// A new user of `org` with a planner's grant there limited to `module` (none: no grant at
/// all), and its API token.
async fn user_with_grant(
    app: &crate::app::TestApp,
    login: &str,
    org: i64,
    module: Option<jospar_access::Module>,
) -> String {
    let role = module.map(|m| ("planner", m));
    app.add_user(login, &iin_for(login), org, role).await;
    app.token(login).await
}

/// A valid IIN (12 digits with the check digit) that differs by login.
fn iin_for(login: &str) -> String {
    let serial = login
        .bytes()
        .fold(0u32, |a, b| (a * 31 + u32::from(b)) % 10_000);
    (0..10)
        .find_map(|extra| {
            let first = format!("900101{}{serial:04}", 3 + extra % 3);
            let digits: Vec<u32> = first.chars().filter_map(|c| c.to_digit(10)).collect();
            jospar_core::iin::check_digit(&digits).map(|d| format!("{first}{d}"))
        })
        .expect("an IIN")
}
