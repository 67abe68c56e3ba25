//! Issue 21, printed forms: the PDF of every report of the catalogue that the demo builds, in
//! Kazakh and in Russian, shows every column heading whole — read back from the PDF's own text.
//! The layouts' headings are also checked without data by the planning and execution crates.

use crate::app::{Engine, TestApp, spawn_loaded};
use crate::execution::get_json;
use jospar_reports::pdf_text::{pdf_pages, squeezed};
use serde_json::Value;

#[tokio::test]
async fn every_catalogue_report_prints_every_heading_in_its_pdf() {
    let Some(app) = spawn_loaded(Engine::Sqlite, None).await else {
        return;
    };
    jospar::demo::load_treasury_forms(&app.db)
        .await
        .expect("treasury forms");
    jospar::demo::load_open_budget(&app.db)
        .await
        .expect("open budget");
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("workflow");
    let token = app.token("admin").await;
    let page = app.signed_in("admin").await;
    let (_, catalogue) = get_json(&app, &token, "/reports?limit=500").await;
    let mut printed = Vec::new();
    let mut unbuilt = Vec::new();
    for report in catalogue.as_array().expect("catalogue") {
        let name = report["name"].as_str().expect("name");
        let Some(query) = buildable(&app, &token, &page, report).await else {
            unbuilt.push(name);
            continue;
        };
        for lang in ["kk", "ru"] {
            let path = format!("/reports/{name}?{query}&lang={lang}");
            let (status, table) = get_json(&app, &token, &path).await;
            assert_eq!(status, 200, "{path}: {table}");
            let pdf = reqwest::Client::new()
                .get(app.url(&format!("/api/v1{path}&format=pdf")))
                .bearer_auth(&token)
                .send()
                .await
                .expect("pdf")
                .bytes()
                .await
                .expect("bytes");
            let text = squeezed(&pdf_pages(&pdf).expect("text").concat());
            let missing: Vec<String> = headings(&table)
                .into_iter()
                .filter(|h| !text.contains(&squeezed(h)))
                .collect();
            assert!(missing.is_empty(), "{path}: {missing:?}");
        }
        printed.push(name);
    }
    assert_eq!(
        unbuilt, NOT_BUILT_ON_THE_DEMO,
        "the reports this test cannot build on the demo (printed: {printed:?})"
    );
}

/// Reports whose parameters the demo's pages do not offer as choices (a date or a year to type,
/// a receipt plan, a discussion or training records the demo does not have, an expense
/// identifier to type): this test does not
/// reach them yet; a report that becomes buildable is to be removed from here.
const NOT_BUILT_ON_THE_DEMO: [&str; 24] = [
    "plan-refinements",
    "receipt-plan",
    "receipts-execution",
    "receipts-shortfall",
    "consolidated-plan",
    "offsetting-codes",
    "plan-balance",
    "expense-receipt-balance",
    "specifics-analysis",
    "payments-obligations",
    "plan-register",
    "receipts-dynamics",
    "forms-register",
    "consolidated-receipt-plan",
    "receipts-by-day",
    "approved-plan",
    "refined-plan",
    "changes-dynamics",
    "cash-by-local-budgets",
    "rural-tax-receipts",
    "payroll-distribution",
    "expense-trace",
    "discussion-final-report",
    "training-report",
];

/// The headings of a table as its JSON gives them: the cells of its grid of headings, or its
/// one row of headers.
fn headings(table: &Value) -> Vec<String> {
    let text = |v: &Value| v.as_str().map(String::from);
    match table["head"].as_array() {
        Some(cells) if !cells.is_empty() => cells.iter().filter_map(|c| text(&c["text"])).collect(),
        _ => table["headers"]
            .as_array()
            .map(|h| h.iter().filter_map(text).collect())
            .unwrap_or_default(),
    }
}

/// A query the report builds with on the demo: the choices of its first required parameter in
/// turn (a school's plan may have no staffing table to distribute), the others' first ones.
async fn buildable(
    app: &TestApp,
    token: &str,
    page: &reqwest::Client,
    report: &Value,
) -> Option<String> {
    let name = report["name"].as_str()?;
    for nth in 0..8 {
        let query = parameters(app, page, report, nth).await?;
        let (status, _) = get_json(app, token, &format!("/reports/{name}?{query}")).await;
        if status == 200 {
            return Some(query);
        }
    }
    None
}

/// A query that builds the report: the first required parameter its `nth` choice, each other
/// the first choice its page offers, read again with the choices made so far (a month depends
/// on the import). None when a required parameter offers no such choice.
async fn parameters(
    app: &TestApp,
    page: &reqwest::Client,
    report: &Value,
    nth: usize,
) -> Option<String> {
    let name = report["name"].as_str()?;
    let required: Vec<&str> = report["params"]
        .as_array()?
        .iter()
        .filter(|p| p["required"] == true)
        .filter_map(|p| p["name"].as_str())
        .collect();
    let mut chosen: Vec<(String, String)> = Vec::new();
    for _ in 0..=required.len() {
        let query: Vec<String> = chosen.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let url = app.url(&format!("/reports/{name}?{}", query.join("&")));
        let html = page.get(url).send().await.ok()?.text().await.ok()?;
        chosen = required
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let choice = if i == 0 { nth } else { 0 };
                choice_of(&html, p, choice).map(|v| (p.to_string(), v))
            })
            .collect();
        if chosen.len() == required.len() {
            let query: Vec<String> = chosen.iter().map(|(k, v)| format!("{k}={v}")).collect();
            return Some(query.join("&"));
        }
    }
    None
}

/// Option `nth` of the page's select of parameter `param` (the empty one left out); the first
/// is the selected one when one is.
fn choice_of(html: &str, param: &str, nth: usize) -> Option<String> {
    let start = html.find(&format!("<select id=\"r-{param}\""))?;
    let select = &html[start..start + html[start..].find("</select>")?];
    let mut options: Vec<&str> = select
        .split("<option value=\"")
        .skip(1)
        .filter(|o| !o.starts_with('"'))
        .collect();
    options.sort_by_key(|o| !o.contains(" selected>"));
    let option = options.get(nth)?;
    option.split('"').next().map(String::from)
}
