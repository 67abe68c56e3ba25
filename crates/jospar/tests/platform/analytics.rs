//! The execution module's analytic reports (EX-R 2-3, 6, 25-29, 31, 34, 36, 53-54)
//! on the story's data: the school's approved plan with its change certificate, the education
//! administrator's forms 5-52 and 2-19, the oblast's plan of receipts. Every total is checked
//! against the plans and forms it comes from, to the tiyn, in JSON and in XLSX.

use crate::app::TestApp;
use crate::execution::{FormAt, code, get_json, post_treasury, xlsx_sheet};
use crate::story::send_json;
use serde_json::{Value, json};

fn total(table: &Value, column: usize) -> i64 {
    table["total"][column]
        .as_i64()
        .unwrap_or_else(|| panic!("total column {column}: {table}"))
}

async fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, table) = get_json(app, token, &format!("/reports/{query}&format=json")).await;
    assert_eq!(status, 200, "{query}: {table}");
    table
}

pub async fn analytic_reports(app: &TestApp, abp: &str, economist: &str, edu: i64) {
    plan_based(app, abp, economist, edu).await;
    form_based(app, abp, economist, edu).await;
    receipts(app, abp, edu).await;
    cash_forms(app, abp, edu).await;
    movement_forms(app, abp, edu).await;
    offsetting_codes(app).await;
    treasury_groupings(app, abp, edu).await;
}

async fn import(app: &TestApp, token: &str, form: &str, org: i64, date: &str, file: &str) -> Value {
    let body = std::fs::read(format!(
        "{}/../../data/treasury/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample");
    let at = FormAt {
        form,
        org,
        date,
        file_name: None,
    };
    let (status, answer) = post_treasury(app, token, at, body).await;
    assert_eq!(status, 201, "{form} {file}: {answer}");
    answer
}

/// Reports 5, 8-9, 12-13: the forms of the cash shape the layouts add (5-42, 5-02, 2-15) and
/// 2-11, imported from their documented samples; 5-42 against the same form a year before.
async fn cash_forms(app: &TestApp, abp: &str, edu: i64) {
    let now = import(app, abp, "5-42", edu, "2027-04-01", "5-42-sample.csv").await;
    import(app, abp, "5-42", edu, "2026-04-01", "5-42-2026-sample.csv").await;
    closed_period(app, abp, edu).await;
    let id = now["id"].as_i64().expect("id");
    let growth = report(app, abp, &format!("cash-execution?treasury={id}&growth=1")).await;
    assert_eq!(total(&growth, 6), 4_139_175_100, "{growth}");
    assert_eq!(
        total(&growth, 8),
        3_508_750_000,
        "the 2026 form's own total"
    );
    assert_eq!(growth["total"][9], "118,0", "{growth}");
    let rows = growth["rows"].as_array().expect("rows");
    let new_line = rows
        .iter()
        .find(|r| code(&r[0]) == "253" && code(&r[3]) == "152")
        .unwrap_or_else(|| panic!("{growth}"));
    assert_eq!(new_line[8].as_i64(), Some(0), "not paid a year before");
    assert_eq!(new_line[9], "", "no growth rate from nothing");
    let plain = report(app, abp, &format!("cash-execution?treasury={id}")).await;
    assert_eq!(plain["headers"].as_array().map(Vec::len), Some(8));
    let balances = report(app, abp, &format!("cash-balances?treasury={id}")).await;
    assert_eq!(
        balances["rows"].as_array().map(Vec::len),
        Some(3),
        "{balances}"
    );
    assert_eq!(total(&balances, 5), 89_324_900, "{balances}");

    for (form, file, executed) in [
        ("5-02", "5-02-sample.csv", 944_450_000),
        ("2-15", "2-15-sample.csv", 4_144_900_000),
    ] {
        let saved = import(app, abp, form, edu, "2027-04-01", file).await;
        let table = report(
            app,
            abp,
            &format!("cash-execution?treasury={}", saved["id"]),
        )
        .await;
        assert_eq!(total(&table, 6), executed, "{form}: {table}");
        if form == "2-15" {
            // 16: subprogram 011 is the republic's transfers, the rest the oblast's own money.
            let kinds = report(
                app,
                abp,
                &format!("cash-by-budget-kind?treasury={}", saved["id"]),
            )
            .await;
            assert_eq!(total(&kinds, 3), 295_000_000, "{kinds}");
            assert_eq!(total(&kinds, 5), 3_849_900_000);
            assert_eq!(total(&kinds, 7), executed);
        }
    }
    // Form 4-09: the contracts behind the obligations, against a 4-20.
    let f409 = import(app, abp, "4-09", edu, "2027-04-01", "4-09-sample.csv").await;
    let (_, forms) = get_json(app, abp, "/execution/treasury").await;
    let f420 = forms
        .as_array()
        .expect("forms")
        .iter()
        .find(|f| f["form"] == "4-20")
        .expect("a 4-20")["id"]
        .clone();
    let contracts = report(
        app,
        abp,
        &format!("reconcile-409-420?f409={}&f420={f420}", f409["id"]),
    )
    .await;
    let goods = contracts["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| code(&r[3]) == "149")
        .unwrap_or_else(|| panic!("{contracts}"));
    assert_eq!(
        (goods[4].as_str(), goods[5].as_i64()),
        (Some("2"), Some(60_000_000))
    );
    assert_eq!(total(&contracts, 5), 80_000_000, "{contracts}");
    assert_eq!(
        total(&contracts, 7),
        total(&contracts, 5) - total(&contracts, 6)
    );
    let over = std::fs::read_to_string(format!(
        "{}/../../data/treasury/4-09-sample.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample")
    .replace("500 000,00;200 000,00", "500 000,00;600 000,00");
    let (status, error) = post_text(app, abp, "4-09", edu, "2027-04-02", over).await;
    assert_eq!(status, 422, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Строка 6"),
        "{error}"
    );

    import(app, abp, "2-11", edu, "2027-04-01", "2-11-sample.csv").await;
    let dynamics = report(
        app,
        abp,
        &format!("receipts-dynamics?org={edu}&year=2027&form=2-11"),
    )
    .await;
    assert_eq!(total(&dynamics, 2), 4_004_858_506_000, "{dynamics}");
    let (status, _) = get_json(
        app,
        abp,
        &format!("/reports/receipts-dynamics?org={edu}&year=2027&form=5-52&format=json"),
    )
    .await;
    assert_eq!(status, 422, "5-52 is not a form of receipts");
    // The page offers every form of the layouts.
    let page = app
        .signed_in("abp.edu")
        .await
        .get(app.url("/execution"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("5-42 — ") && page.contains("2-11 — "),
        "{page}"
    );
}

/// Reports 28, 29, 31, 36, 53-54: built from the approved financing plans of the subtree.
async fn plan_based(app: &TestApp, abp: &str, economist: &str, edu: i64) {
    let scope = format!("org={edu}&year=2027");
    let consolidated = report(app, abp, &format!("consolidated-plan?{scope}")).await;
    let annual = total(&consolidated, 5);
    assert!(annual > 0, "{consolidated}");

    // 29: the change certificate moved money between months, never the year's total.
    let balance = report(app, abp, &format!("plan-balance?{scope}")).await;
    assert_eq!(total(&balance, 1), annual, "refined: {balance}");
    assert_eq!(total(&balance, 2), annual, "approved: {balance}");
    assert_eq!(total(&balance, 3), 0);
    assert_eq!(total(&balance, 4), 0, "the running difference of December");
    let rows = balance["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 12);
    assert!(
        rows.iter().any(|r| r[3].as_i64() != Some(0)),
        "the certificate shows in its months: {balance}"
    );
    let before = report(app, abp, &format!("plan-balance?{scope}&as_of=2027-01-01")).await;
    assert!(
        before["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r[3].as_i64() == Some(0)),
        "no change dated before 1 January: {before}"
    );

    // 62-63: the year's plan as approved and as refined — the same year, other quarters.
    let approved = report(app, abp, &format!("approved-plan?{scope}")).await;
    let refined = report(app, abp, &format!("refined-plan?{scope}")).await;
    assert_eq!(total(&approved, 3), annual, "{approved}");
    assert_eq!(total(&refined, 3), annual, "{refined}");
    let quarters = |t: &Value| (4..8).map(|c| total(t, c)).collect::<Vec<_>>();
    assert_eq!(quarters(&approved).iter().sum::<i64>(), annual);
    assert_ne!(
        quarters(&approved),
        quarters(&refined),
        "the certificates moved money"
    );

    // 38: by month, the plans at approval plus what each kind of document moved are the plans
    // after them.
    let dynamics = report(app, abp, &format!("changes-dynamics?{scope}")).await;
    assert_eq!(total(&dynamics, 1), annual, "{dynamics}");
    assert_eq!(total(&dynamics, 5), annual);
    for row in dynamics["rows"].as_array().expect("rows") {
        let cell = |c: usize| row[c].as_i64().expect("tiyn");
        assert_eq!(cell(1) + cell(2) + cell(3) + cell(4), cell(5), "{row}");
    }

    // 31: the specifics add up to the plans, the quarters to the year, the shares to 100.
    let specifics = report(app, abp, &format!("specifics-analysis?{scope}")).await;
    assert_eq!(total(&specifics, 1), annual, "{specifics}");
    assert_eq!((2..6).map(|c| total(&specifics, c)).sum::<i64>(), annual);
    assert_eq!(specifics["total"][6], "100,0");

    // 36: obligations are never behind payments in an approved plan.
    let gaps = report(app, abp, &format!("payments-obligations?{scope}")).await;
    assert!(!gaps["rows"].as_array().expect("rows").is_empty(), "{gaps}");
    assert_eq!(total(&gaps, 4), annual, "{gaps}");
    assert!(
        gaps["footer"][0]
            .as_str()
            .unwrap_or_default()
            .ends_with(": 0"),
        "{gaps}"
    );

    // EX-7: the change documents for accounting systems — each move with its expense id; the
    // amounts moved are the register's.
    let plan_id = register_plan_id(app, abp).await;
    let moves = report(app, abp, &format!("plan-changes-export?plan={plan_id}")).await;
    let rows = moves["rows"].as_array().expect("rows");
    assert!(!rows.is_empty(), "{moves}");
    assert!(
        rows.iter()
            .all(|r| !r[4].as_str().unwrap_or_default().is_empty())
    );

    // 53-54: the plan, then its certificate with its reason and the Treasury's answer.
    let register = report(app, abp, &format!("plan-register?{scope}")).await;
    let rows = register["rows"].as_array().expect("rows");
    assert!(rows.len() >= 2, "{register}");
    assert_eq!(rows[0][1], "план финансирования");
    assert_eq!(
        rows[0][6], "в очереди",
        "the approved plan waits for the Treasury exchange: {register}"
    );
    assert!(
        rows[1][1].as_str().unwrap_or_default().contains("справка"),
        "{register}"
    );
    assert!(
        !rows[1][4].as_str().unwrap_or_default().is_empty(),
        "reason"
    );
    assert_eq!(total(&register, 5), annual);

    // A school reads its own plan, not its administrator's subtree.
    for name in [
        "plan-balance",
        "specifics-analysis",
        "payments-obligations",
        "plan-register",
        "forms-register",
    ] {
        let (status, _) = get_json(
            app,
            economist,
            &format!("/reports/{name}?{scope}&format=json"),
        )
        .await;
        assert_eq!(status, 403, "{name}");
    }
}

/// Reports 6, 25, 26, 27, 34: built from the administrator's form 5-52 of 1 April (the
/// documented sample: one subprogram 261/003/015, four specifics).
async fn form_based(app: &TestApp, abp: &str, economist: &str, edu: i64) {
    let (_, forms) = get_json(app, abp, "/execution/treasury").await;
    let forms = forms.as_array().expect("forms").clone();
    let f552 = forms
        .iter()
        .find(|f| f["form"] == "5-52" && f["report_date"] == "2027-04-01")
        .unwrap_or_else(|| panic!("the sample 5-52: {forms:?}"))["id"]
        .as_i64()
        .expect("id");
    let (plan_year, plan_period, executed) = (3_958_200_000, 989_550_000, 956_500_050);
    let unpaid = plan_period - executed;

    let reminder = report(app, abp, &format!("unpaid-reminder?treasury={f552}")).await;
    let rows = reminder["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{reminder}");
    // Codes with their names (issue 21).
    assert_eq!(
        (rows[0][0].as_str(), rows[0][2].as_str()),
        (
            Some("261 Управление образования области"),
            Some("015 За счет средств местного бюджета")
        )
    );
    assert_eq!(total(&reminder, 5), unpaid, "{reminder}");

    let by_program = report(app, abp, &format!("analytic-abp?treasury={f552}")).await;
    assert_eq!(total(&by_program, 2), plan_year, "{by_program}");
    assert_eq!(total(&by_program, 4), executed);
    assert_eq!(total(&by_program, 7), unpaid);
    assert_eq!(by_program["total"][5], "96,7", "{by_program}");
    let by_abp = report(app, abp, &format!("analytic-budget?treasury={f552}")).await;
    assert_eq!(total(&by_abp, 1), plan_year, "{by_abp}");
    assert_eq!(by_abp["rows"].as_array().map(Vec::len), Some(1));

    let balances = report(app, abp, &format!("cash-balances?treasury={f552}")).await;
    assert_eq!(total(&balances, 4), plan_year - executed, "{balances}");
    assert_eq!(total(&balances, 5), unpaid);

    let (status, _) = get_json(
        app,
        economist,
        &format!("/reports/unpaid-reminder?treasury={f552}&format=json"),
    )
    .await;
    assert_eq!(
        status, 403,
        "a school does not read its administrator's 5-52"
    );
    let f219 = forms.iter().find(|f| f["form"] == "2-19").expect("a 2-19")["id"].clone();
    let (status, error) = get_json(
        app,
        abp,
        &format!("/reports/cash-balances?treasury={f219}&format=json"),
    )
    .await;
    assert_eq!(status, 404, "a 2-19 is not a 5-52: {error}");

    // The reminder in XLSX (Kazakh): the total row's unpaid amount to the tiyn.
    let range = xlsx_sheet(
        app,
        abp,
        &format!("unpaid-reminder?treasury={f552}&format=xlsx&lang=kk"),
    )
    .await;
    let total_row = range
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "Барлығы"))
        .unwrap_or_else(|| panic!("total row: {:?}", range.rows().collect::<Vec<_>>()));
    let cents = total_row[5].to_string().parse::<f64>().expect("number") * 100.0;
    assert_eq!(cents.round() as i64, unpaid);

    // 34: every form of the year the administrator imported is in the register.
    let register = report(app, abp, &format!("forms-register?org={edu}&year=2027")).await;
    let listed = register["rows"].as_array().expect("rows").len();
    let imported = forms
        .iter()
        .filter(|f| {
            f["report_date"]
                .as_str()
                .unwrap_or_default()
                .starts_with("2027")
        })
        .count();
    assert_eq!(listed, imported, "{register}");
}

/// Reports 2-3 and 28: receipts by period between forms 2-19, and the oblast's receipts plan
/// against the plans by payments.
async fn receipts(app: &TestApp, abp: &str, edu: i64) {
    let sample = std::fs::read_to_string(format!(
        "{}/../../data/treasury/2-19-sample.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample");
    let received = 5_221_460_113_700;
    // The same receipts a month later: nothing came in between.
    let (status, answer) = post_text(app, abp, "2-19", edu, "2027-05-01", sample).await;
    assert_eq!(status, 201, "{answer}");
    let dynamics = report(app, abp, &format!("receipts-dynamics?org={edu}&year=2027")).await;
    assert_eq!(
        dynamics["headers"].as_array().map(Vec::len),
        Some(4),
        "{dynamics}"
    );
    assert_eq!(total(&dynamics, 1), received, "{dynamics}");
    assert_eq!(total(&dynamics, 2), 0);
    assert_eq!(total(&dynamics, 3), received);

    let planner = app.token("planner").await;
    let oblast = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let balance = report(
        app,
        &planner,
        &format!("expense-receipt-balance?org={oblast}&year=2027"),
    )
    .await;
    assert_eq!(
        total(&balance, 1),
        16_543_541_800_000,
        "the approved receipts plan: {balance}"
    );
    assert_eq!(total(&balance, 3), total(&balance, 1) - total(&balance, 2));
    assert_eq!(total(&balance, 4), total(&balance, 3));
    // 55-56: the oblast's one approved plan of receipts, consolidated: the same total.
    let consolidated = report(
        app,
        &planner,
        &format!("consolidated-receipt-plan?org={oblast}&year=2027"),
    )
    .await;
    assert_eq!(
        total(&consolidated, 3),
        16_543_541_800_000,
        "{consolidated}"
    );

    // 37: 1 April has both receipts forms, agreeing; 1 May only the 2-19.
    let by_day = report(app, abp, &format!("receipts-by-day?org={edu}&year=2027")).await;
    let rows = by_day["rows"].as_array().expect("rows");
    let april = rows
        .iter()
        .find(|r| r[0] == "2027-04-01")
        .unwrap_or_else(|| panic!("{by_day}"));
    assert_eq!(april[1].as_i64(), Some(received));
    assert_eq!(april[3].as_i64(), Some(0), "{by_day}");
    let may = rows
        .iter()
        .find(|r| r[0] == "2027-05-01")
        .unwrap_or_else(|| panic!("{by_day}"));
    assert_eq!(may[2], "нет формы", "{by_day}");

    shortfall_reasons(app, abp, edu).await;

    // 11: the 2-19 under its categories and classes, named; the total is the form's.
    let (_, forms) = get_json(app, abp, "/execution/treasury").await;
    let april_219 = forms
        .as_array()
        .expect("forms")
        .iter()
        .find(|f| f["form"] == "2-19" && f["report_date"] == "2027-04-01")
        .expect("2-19")["id"]
        .clone();
    let by_class = report(app, abp, &format!("receipts-by-class?f219={april_219}")).await;
    assert_eq!(total(&by_class, 4), received, "{by_class}");
    let rows = by_class["rows"].as_array().expect("rows");
    assert_eq!(rows[0][0], "1", "{by_class}");
    assert!(
        !rows[0][1].as_str().unwrap_or_default().is_empty(),
        "the category is named: {by_class}"
    );
    assert_eq!(rows[0][4].as_i64(), Some(received));

    // 4: the rural budgets' tax receipts; Baskuduk's akimat reported, the others did not.
    let baskuduk = app.org_id("Аппарат акима сельского округа Баскудук").await;
    import(
        app,
        &planner,
        "2-19",
        baskuduk,
        "2027-04-01",
        "2-19-sample.csv",
    )
    .await;
    let rural = report(
        app,
        &planner,
        &format!("rural-tax-receipts?org={oblast}&date=2027-04-01"),
    )
    .await;
    let rows = rural["rows"].as_array().expect("rows");
    assert!(rows.len() > 1, "{rural}");
    assert_eq!(total(&rural, 4), received, "{rural}");
    let missing = rows.iter().filter(|r| r[2] == "нет формы").count();
    assert_eq!(missing, rows.len() - 1);
    assert!(
        rural["footer"][0]
            .as_str()
            .unwrap_or_default()
            .ends_with(&format!(": {missing}"))
    );

    // 1: a 4-20 against the plans by obligations; its columns reconcile across.
    let (_, forms) = get_json(app, abp, "/execution/treasury").await;
    let f420 = forms
        .as_array()
        .expect("forms")
        .iter()
        .find(|f| f["form"] == "4-20")
        .expect("a 4-20")["id"]
        .clone();
    let obligations = report(app, abp, &format!("obligations-420?f420={f420}")).await;
    assert_eq!(
        total(&obligations, 7),
        total(&obligations, 5) - total(&obligations, 6),
        "{obligations}"
    );
    assert_eq!(
        total(&obligations, 9),
        total(&obligations, 8) - total(&obligations, 5)
    );
    assert!(
        total(&obligations, 8) > 0,
        "the school's plan: {obligations}"
    );
}

/// EX-9: the school's plan of 2027, its payroll lines split by the units of its staffing table
/// of 2027 (the teachers): every unit row of a line adds up to the line, to the tiyn.
pub async fn payroll_distribution(app: &TestApp, school: i64) {
    let economist = app.token("economist.school5").await;
    let (_, plans) = get_json(app, &economist, "/financing-plans").await;
    let plan = plans
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["org_id"] == school && p["year"] == 2027)
        .unwrap_or_else(|| panic!("the school's plan: {plans}"))["id"]
        .as_i64()
        .expect("id");
    let (_, full) = get_json(app, &economist, &format!("/financing-plans/{plan}")).await;
    let payroll: i64 = full["plan"]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| {
            ["111", "116", "121", "122", "124"].contains(&l["specific"].as_str().unwrap_or(""))
        })
        .map(|l| l["approved"].as_i64().expect("tiyn"))
        .sum();
    assert!(payroll > 0, "{full}");
    let table = report(
        app,
        &economist,
        &format!("payroll-distribution?plan={plan}"),
    )
    .await;
    assert_eq!(total(&table, 4), payroll, "{table}");
    let rows = table["rows"].as_array().expect("rows");
    let pay = rows
        .iter()
        .find(|r| r[2] == "111 Оплата труда")
        .unwrap_or_else(|| panic!("{table}"));
    assert_eq!(pay[3], "Педагоги", "{table}");
    let months: i64 = (5..17).map(|m| pay[m].as_i64().expect("tiyn")).sum();
    assert_eq!(Some(months), pay[4].as_i64());
    let obligations = report(
        app,
        &economist,
        &format!("payroll-distribution?plan={plan}&basis=obligations"),
    )
    .await;
    assert_eq!(total(&obligations, 4), payroll);
}

/// A closed month keeps its forms: the 5-42 reporting March 2026 is neither imported nor
/// replaced until the month is opened again with a reason.
async fn closed_period(app: &TestApp, abp: &str, edu: i64) {
    let economist = app.token("economist.school5").await;
    let close = json!({"org_id": edu, "month": "2026-03", "reason": "отчёт за март сдан"});
    let (status, _) = send_json(
        app,
        "post",
        "/execution/closed-periods",
        &economist,
        close.clone(),
    )
    .await;
    assert_eq!(
        status, 403,
        "a school does not close its administrator's month"
    );
    let (status, closed) =
        send_json(app, "post", "/execution/closed-periods", abp, close.clone()).await;
    assert_eq!(status, 201, "{closed}");
    let (status, again) = send_json(app, "post", "/execution/closed-periods", abp, close).await;
    assert_eq!(status, 422, "{again}");
    let body = std::fs::read(format!(
        "{}/../../data/treasury/5-42-2026-sample.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample");
    let post = || {
        reqwest::Client::new()
            .post(app.url("/api/v1/execution/treasury/5-42"))
            .query(&[("org", edu.to_string()), ("date", "2026-04-01".into())])
            .bearer_auth(abp)
            .body(body.clone())
            .send()
    };
    let refused = post().await.expect("request");
    assert_eq!(refused.status().as_u16(), 422);
    let error: Value = refused.json().await.expect("json");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("2026-03") && message.contains("отчёт за март сдан"),
        "{message}"
    );
    let (_, list) = get_json(app, abp, "/execution/closed-periods").await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let reopen = |reason: &str| json!({"org_id": edu, "month": "2026-03", "reason": reason});
    let (status, _) = send_json(
        app,
        "post",
        "/execution/closed-periods/reopen",
        abp,
        reopen(" "),
    )
    .await;
    assert_eq!(status, 422, "opening needs a reason");
    let (status, _) = send_json(
        app,
        "post",
        "/execution/closed-periods/reopen",
        abp,
        reopen("исправление Казначейства"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(post().await.expect("request").status().as_u16(), 201);
}

/// 24 (appendix 2 of order 629): the administrator's own plan of receipts, one code planned
/// beyond what came in by 1 April; the code is listed without a reason until one is given.
async fn shortfall_reasons(app: &TestApp, abp: &str, edu: i64) {
    let lines = json!([
        {"code": "101101", "annual": 4_000_000_000_000_i64},
        {"code": "104101", "annual": 100_000_000_000_i64}
    ]);
    let (status, plan) = send_json(
        app,
        "post",
        "/receipt-plans",
        abp,
        json!({"org_id": edu, "year": 2027, "lines": lines}),
    )
    .await;
    assert_eq!(status, 201, "{plan}");
    let id = plan["id"].as_i64().expect("id");
    let reason = |month: &str, code: &str| json!({"month": month, "code": code, "reason": "перенос срока уплаты КПН"});
    let path = format!("/receipt-plans/{id}/reasons");
    let (status, _) = send_json(app, "put", &path, abp, reason("2027-03", "101101")).await;
    assert_eq!(status, 422, "a draft has no shortfalls yet");
    let (status, approved) = send_json(
        app,
        "post",
        &format!("/receipt-plans/{id}/approve"),
        abp,
        json!({"version": plan["version"]}),
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    let (_, forms) = get_json(app, abp, "/execution/treasury").await;
    let f219 = forms
        .as_array()
        .expect("forms")
        .iter()
        .find(|f| f["form"] == "2-19" && f["report_date"] == "2027-04-01")
        .expect("the 2-19 of 1 April")["id"]
        .clone();
    let query = format!("receipts-shortfall?receipt_plan={id}&f219={f219}");
    let before = report(app, abp, &query).await;
    let rows = before["rows"].as_array().expect("rows");
    assert_eq!(
        rows.len(),
        1,
        "only the corporate income tax is short: {before}"
    );
    assert_eq!(rows[0][0], "101101");
    assert_eq!(rows[0][8], "причина не указана");
    assert!(
        before["footer"][0]
            .as_str()
            .unwrap_or_default()
            .ends_with(": 1")
    );
    for (month, code) in [("2026-03", "101101"), ("2027-03", "999999")] {
        let (status, _) = send_json(app, "put", &path, abp, reason(month, code)).await;
        assert_eq!(status, 422, "{month} {code}");
    }
    let economist = app.token("economist.school5").await;
    let (status, _) = send_json(app, "put", &path, &economist, reason("2027-03", "101101")).await;
    assert_eq!(status, 403);
    let (status, saved) = send_json(app, "put", &path, abp, reason("2027-03", "101101")).await;
    assert_eq!(status, 200, "{saved}");
    let after = report(app, abp, &query).await;
    assert_eq!(after["rows"][0][8], "перенос срока уплаты КПН", "{after}");
    assert!(
        after["footer"][0]
            .as_str()
            .unwrap_or_default()
            .ends_with(": 0")
    );
}

/// The id of the school's plan of 2027.
async fn register_plan_id(app: &TestApp, abp: &str) -> i64 {
    let (_, plans) = get_json(app, abp, "/financing-plans").await;
    let school = app.org_id("Общеобразовательная школа №5").await;
    plans
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["org_id"] == school && p["year"] == 2027)
        .unwrap_or_else(|| panic!("{plans}"))["id"]
        .as_i64()
        .expect("id")
}

/// `jospar demo` imports the documented sample of every Treasury form, so each execution report
/// opens at once; every sample passes the same checks as a user's file.
#[tokio::test]
async fn the_demo_imports_every_treasury_sample() {
    let app = crate::app::spawn(crate::app::Engine::Sqlite)
        .await
        .expect("sqlite");
    jospar::demo::load_treasury_forms(&app.db)
        .await
        .expect("every sample imports");
    let forms = jospar_execution::treasury_store::reports(&app.db)
        .await
        .expect("forms");
    let kinds: std::collections::BTreeSet<&str> = forms.iter().map(|f| f.form.as_str()).collect();
    let layouts: std::collections::BTreeSet<&str> = jospar_execution::layouts::layouts()
        .forms
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(kinds, layouts, "a sample of every form of the layouts");
    // The demo's passport in discussion, its figures the 5-52's annual plans of program 003.
    jospar::demo::load_open_budget(&app.db)
        .await
        .expect("demo passport");
    let docs = jospar_openbudget::repo::documents(&app.db)
        .await
        .expect("documents");
    let figures: i64 = docs[0]
        .figures
        .iter()
        .flat_map(|f| f.years.values())
        .map(|t| t.tiyn())
        .sum();
    assert_eq!(
        figures, 3_958_200_000,
        "the 5-52 sample's plan for the year"
    );
    let shown = reqwest::get(app.url(&format!("/open-budget/{}", docs[0].id)))
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(shown.contains("Общеобразовательное обучение"), "{shown}");
}

async fn post_text(
    app: &TestApp,
    token: &str,
    form: &str,
    org: i64,
    date: &str,
    body: String,
) -> (u16, Value) {
    let at = FormAt {
        form,
        org,
        date,
        file_name: None,
    };
    post_treasury(app, token, at, body).await
}

fn sample(file: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../data/treasury/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample")
}

/// EX-5: forms 5-34 (money of paid services) and 0-67 (statement of the account) imported from
/// their documented samples; the movement report adds up to the samples' totals, in JSON and
/// XLSX; a row that does not balance is refused naming it, and nothing is stored.
async fn movement_forms(app: &TestApp, abp: &str, edu: i64) {
    let paid = import(app, abp, "5-34", edu, "2027-04-01", "5-34-sample.csv").await;
    let query = format!("money-movement?treasury={}", paid["id"]);
    let table = report(app, abp, &query).await;
    assert_eq!(table["rows"].as_array().map(Vec::len), Some(3), "{table}");
    assert_eq!(
        [4, 5, 6, 7].map(|c| total(&table, c)),
        [65_000_000, 195_000_000, 184_550_025, 75_449_975],
        "{table}"
    );
    assert_eq!(
        total(&table, 4) + total(&table, 5) - total(&table, 6),
        total(&table, 7)
    );
    let sheet = xlsx_sheet(app, abp, &format!("{query}&format=xlsx")).await;
    let closing = sheet
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "Итого"))
        .and_then(|r| r.get(7).map(|c| c.to_string()))
        .unwrap_or_else(|| panic!("no total row in the XLSX"));
    let tiyn = closing.parse::<f64>().expect("number") * 100.0;
    assert_eq!(tiyn.round() as i64, 75_449_975, "{closing}");

    let statement = import(app, abp, "0-67", edu, "2027-04-01", "0-67-sample.csv").await;
    let table = report(
        app,
        abp,
        &format!("money-movement?treasury={}", statement["id"]),
    )
    .await;
    assert_eq!(total(&table, 7), 13_999_950, "{table}");
    // A 5-52 is not a movement form: not found, not a wrong table.
    let (_, forms) = get_json(app, abp, "/execution/treasury").await;
    let f552 = forms
        .as_array()
        .expect("forms")
        .iter()
        .find(|f| f["form"] == "5-52")
        .expect("a 5-52")["id"]
        .clone();
    let (status, _) = get_json(
        app,
        abp,
        &format!("/reports/money-movement?treasury={f552}&format=json"),
    )
    .await;
    assert_eq!(status, 404);
    // The register of statements (report 34) counts the 0-67.
    let register = report(app, abp, &format!("forms-register?org={edu}&year=2027")).await;
    assert!(
        register["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r[0] == "0-67"),
        "{register}"
    );

    let before = forms.as_array().map(Vec::len);
    let broken =
        sample("5-34-sample.csv").replace("1 100 500,25;669 499,75", "1 100 500,25;669 499,76");
    let (status, error) = post_text(app, abp, "5-34", edu, "2027-05-01", broken).await;
    assert_eq!(status, 422, "{error}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Строка 6") && message.contains("669"),
        "{error}"
    );
    let (_, after) = get_json(app, abp, "/execution/treasury").await;
    assert_eq!(after.as_array().map(Vec::len), before, "nothing stored");
}

/// EX-R 7, 17, 19: form 4-20 for the economy and finance department, cash execution by the
/// local budgets (form MO) and the development programs (6-БПР), each total summed from the
/// forms' detail rows.
async fn treasury_groupings(app: &TestApp, abp: &str, edu: i64) {
    let (_, forms) = get_json(app, abp, "/execution/treasury").await;
    let f420 = forms
        .as_array()
        .expect("forms")
        .iter()
        .find(|f| f["form"] == "4-20")
        .expect("a 4-20")["id"]
        .clone();
    let ecofin = report(app, abp, &format!("obligations-420-ecofin?f420={f420}")).await;
    let rows = ecofin["rows"].as_array().expect("rows");
    // 261 · 261 003 · 261 003 015 · its four specifics.
    assert_eq!(rows.len(), 7, "{ecofin}");
    assert_eq!(ecofin["strong_rows"], json!([0, 1, 2]), "{ecofin}");
    assert_eq!(rows[0][4].as_i64(), Some(total(&ecofin, 4)));
    assert_eq!(total(&ecofin, 4), 3_958_200_000);
    assert_eq!(total(&ecofin, 5), 1_024_550_000);
    // The story's 4-20 pays 500 tenge more on 149 than the sample.
    assert_eq!(total(&ecofin, 7), 956_550_050);
    assert_eq!(total(&ecofin, 9), total(&ecofin, 5) - total(&ecofin, 7));
    assert_eq!(ecofin["total"][8], "93,4", "{ecofin}");
    assert_eq!(ecofin["total"][6], "25,9", "{ecofin}");

    // A 5-52 at 1 July with a construction line (431) of a development program.
    let capital = sample("5-52-sample.csv")
        .replace("На 01.04.2027", "На 01.07.2027")
        .replace(
            "Итого;;;;;39 582 000,00;9 895 500,00;9 565 000,50;330 499,50",
            "261;032;015;431;Строительство школы;120 000 000,00;40 000 000,00;25 000 000,00;15 000 000,00\n\
             Итого;;;;;159 582 000,00;49 895 500,00;34 565 000,50;15 330 499,50",
        );
    let (status, form) = post_text(app, abp, "5-52", edu, "2027-07-01", capital).await;
    assert_eq!(status, 201, "{form}");
    let development = report(
        app,
        abp,
        &format!("development-programs?treasury={}", form["id"]),
    )
    .await;
    let rows = development["rows"].as_array().expect("rows");
    assert_eq!(
        rows.len(),
        4,
        "only the capital line and its subtotals: {development}"
    );
    // Each outline row names its own code (issue 21); the codes above it stay bare.
    assert_eq!(
        rows[3][3],
        "431 Строительство новых объектов и реконструкция имеющихся объектов"
    );
    assert_eq!(rows[3][1], "032", "{development}");
    assert_eq!(code(&rows[1][1]), "032", "{development}");
    assert_eq!(
        [4, 5, 6, 8].map(|c| total(&development, c)),
        [12_000_000_000, 4_000_000_000, 2_500_000_000, 1_500_000_000]
    );
    assert_eq!(development["total"][7], "62,5");

    let budgets = report(
        app,
        abp,
        &format!("cash-by-local-budgets?org={edu}&date=2027-07-01"),
    )
    .await;
    assert_eq!(
        [3, 4, 5].map(|c| total(&budgets, c)),
        [15_958_200_000, 4_989_550_000, 3_456_500_050],
        "{budgets}"
    );
    let (status, _) = get_json(
        app,
        abp,
        "/reports/cash-by-local-budgets?org=1&date=2027-07-01&format=json",
    )
    .await;
    assert_eq!(
        status, 403,
        "the education administrator reads only its own subtree"
    );
}

/// EX-R 30: the oblast's authorized body keeps a pair — the education administrator's program
/// 003 pays a transfer that a district plans as receipts under 4 02 1 01 — and the control
/// sets the school's approved plan by payments beside the district's plan of receipts: first
/// nothing is planned as received, then the district plans exactly what is paid.
async fn offsetting_codes(app: &TestApp) {
    let planner = app.token("planner").await;
    let district_planner = app.token("planner.munaily").await;
    let economist = app.token("economist.school5").await;
    let oblast = app
        .org_id("Управление экономики и бюджетного планирования Мангистауской области")
        .await;
    let district = app
        .org_id("Отдел экономики и финансов Мунайлинского района")
        .await;
    let pair = |code: &str, abp: &str| {
        json!({"org_id": oblast, "year": 2027, "abp": abp, "program": "003", "subprogram": "",
               "receipt_code": code, "name": "Целевые текущие трансферты району"})
    };
    let path = "/execution/offsetting-codes";
    let (status, _) = send_json(app, "post", path, &economist, pair("402101", "261")).await;
    assert_eq!(status, 403, "a school keeps no pairs of the oblast");
    for (bad, field) in [
        (pair("101101", "261"), "101101"),
        (pair("402101", "999"), "999"),
    ] {
        let (status, error) = send_json(app, "post", path, &planner, bad).await;
        assert_eq!(status, 422, "{error}");
        assert!(error["message"].to_string().contains(field), "{error}");
    }
    let (status, saved) = send_json(app, "post", path, &planner, pair("4 02 1 01", "261")).await;
    assert_eq!(status, 201, "{saved}");
    assert_eq!(saved["receipt_code"], "402101");
    let (status, _) = send_json(app, "post", path, &planner, pair("402101", "261")).await;
    assert_eq!(status, 422, "the same pair twice");

    let query = format!("offsetting-codes?org={oblast}&year=2027");
    let control = report(app, &planner, &query).await;
    assert_eq!(
        control["rows"].as_array().map(Vec::len),
        Some(1),
        "{control}"
    );
    let paid = total(&control, 5);
    assert!(paid > 0, "the school's plan pays on 261 003: {control}");
    assert_eq!((total(&control, 6), total(&control, 7)), (0, paid));
    assert_eq!(control["strong_rows"], json!([0]));

    // The district plans the transfer as received: the year agrees to the tiyn.
    let body =
        json!({"org_id": district, "year": 2027, "lines": [{"code": "402101", "annual": paid}]});
    let (status, plan) = send_json(app, "post", "/receipt-plans", &district_planner, body).await;
    assert_eq!(status, 201, "{plan}");
    let (status, approved) = send_json(
        app,
        "post",
        &format!("/receipt-plans/{}/approve", plan["id"]),
        &district_planner,
        json!({"version": plan["version"]}),
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    let control = report(app, &planner, &query).await;
    assert_eq!(
        (total(&control, 5), total(&control, 6), total(&control, 7)),
        (paid, paid, 0)
    );
    let months = report(app, &planner, &format!("{query}&pair={}", saved["id"])).await;
    assert_eq!(months["rows"].as_array().map(Vec::len), Some(12));
    assert_eq!(
        (total(&months, 1), total(&months, 2), total(&months, 4)),
        (paid, paid, 0)
    );

    let (status, _) = send_json(
        app,
        "post",
        &format!("{path}/{}/delete", saved["id"]),
        &planner,
        json!({"reason": ""}),
    )
    .await;
    assert_eq!(status, 422, "a removal needs its reason");
    let (status, _) = send_json(
        app,
        "post",
        &format!("{path}/{}/delete", saved["id"]),
        &planner,
        json!({"reason": "пара внесена для проверки"}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, pairs) = get_json(app, &planner, path).await;
    assert_eq!(pairs, json!([]));

    // The same through the execution page: a refused pair is shown beside the form.
    let pages = app.signed_in("planner").await;
    let page = pages
        .get(app.url("/execution"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("id=\"offsetting-form\""), "{page}");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf")
        .to_string();
    let oblast_text = oblast.to_string();
    let form = |code: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("org_id", oblast_text.clone()),
            ("year", "2027".into()),
            ("abp", "261".into()),
            ("program", "003".into()),
            ("subprogram", String::new()),
            ("receipt_code", code.into()),
            ("name", "Трансферт району".into()),
        ]
    };
    let refused = pages
        .post(app.url("/execution/offsetting?lang=ru"))
        .form(&form("101101"))
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status().as_u16(), 422);
    let text = refused.text().await.expect("text");
    assert!(
        text.contains("id=\"offsetting-error\"") && text.contains("101101"),
        "{text}"
    );
    let added = pages
        .post(app.url("/execution/offsetting?lang=ru"))
        .form(&form("402101"))
        .send()
        .await
        .expect("post");
    assert_eq!(added.status().as_u16(), 303);
    let added = pages
        .get(app.url("/execution"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        added.contains("id=\"offsetting-codes\"") && added.contains("402101"),
        "{added}"
    );
    let (_, pairs) = get_json(app, &planner, path).await;
    assert_eq!(pairs.as_array().map(Vec::len), Some(1), "{pairs}");
}
