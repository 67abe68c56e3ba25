//! The HTTP load: 200 signed-in clients (personal API tokens of the institutions'
//! economists) on loopback, each opening its institution's consolidated plan report and
//! saving a change of its financing plan, again and again for a fixed time, pausing `PACE`
//! after each request (200 clients then ask for 100 pages and saves a second; a person reads a
//! page for longer).

use super::{Figure, Timing};
use anyhow::{Context, Result};
use jospar_core::Tenge;
use jospar_store::{Db, Who};
use serde_json::json;
use std::time::{Duration, Instant};

const CLIENTS: usize = 200;

/// How long a client waits after each answer.
const PACE: Duration = Duration::from_secs(2);

pub async fn figure(
    db: &Db,
    engine: &str,
    g: &crate::scale::Generated,
    seconds: u64,
) -> Result<Figure> {
    let region = &g.regions[0];
    let count = CLIENTS.min(region.economists.len());
    let (root, server) = serve(db).await?;
    let base = format!("{root}/api/v1");
    let until = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
    let mut clients = Vec::new();
    for i in 0..count {
        let user = jospar_org::repo::user_by_login(db, &region.economists[i])
            .await?
            .context("generated economist")?;
        let (_, token) =
            jospar_org::auth::create_api_token(db, &Who::system(), &user, "jospar bench", until)
                .await?;
        clients.push((token, region.institutions[i], region.plans[i]));
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .timeout(Duration::from_secs(30))
        .build()?;
    let one_tenge = serde_json::to_value(Tenge::from_tiyn(100))?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let spread = clients.len().max(1) as u32;
    for (i, (token, org, plan)) in clients.into_iter().enumerate() {
        let start = PACE * i as u32 / spread;
        let (http, base, year) = (http.clone(), base.clone(), g.year);
        let report = format!("{base}/reports/consolidated-plan?org={org}&year={year}&format=json");
        let change = format!("{base}/financing-plans/{plan}/changes");
        let body = json!({"kind": "certificate", "dated": chrono::Utc::now().date_naive(),
            "reason": "jospar bench", "moves": [{"expense_id": 0, "basis": "payments",
            "from_month": 3, "to_month": 4, "amount": one_tenge}]});
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(start).await;
            client_until(&http, &token, &report, &change, body, deadline).await
        }));
    }
    let (mut samples, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (s, e) = task.await?;
        samples.extend(s);
        errors += e;
    }
    let wall = started.elapsed();
    server.abort();
    let timing = Timing::of(samples, wall, errors);
    let met = timing.p99_ms <= 250.0 && timing.errors == 0;
    Ok(Figure::measured(
        engine,
        format!(
            "HTTP: report page and plan change, {count} concurrent signed-in clients, each pausing {} s after an answer",
            PACE.as_secs()
        ),
        "http",
        count,
        met,
        timing,
        "p99 ≤ 250 ms, no errors",
    ))
}

/// The application on 127.0.0.1 over `db`: its address (`http://…`, no trailing slash) and
/// the task serving it (abort it when done).
pub async fn serve(db: &Db) -> Result<(String, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let signing = crate::signing::from_config(
        &crate::config::Config::default(),
        Vec::new(),
        std::sync::Arc::new(jospar_adapter::LogJournal),
    )?;
    let app = jospar_web::app(
        db.clone(),
        jospar_web::WebConfig {
            secure_cookies: false,
            signing,
            treasury: None,
            passport: None,
            open_budgets: None,
            emin: None,
            goszakup: None,
            ebk: None,
            integrations: Vec::new(),
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((base, server))
}

async fn client_until(
    http: &reqwest::Client,
    token: &str,
    report: &str,
    change: &str,
    mut body: serde_json::Value,
    deadline: Instant,
) -> (Vec<Duration>, usize) {
    let (mut samples, mut errors) = (Vec::new(), 0);
    // The plan's first line, as the page shows it to the user before a change.
    let plan_url = change.trim_end_matches("/changes");
    let plan: Option<serde_json::Value> = match http.get(plan_url).bearer_auth(token).send().await {
        Ok(r) => r.json().await.ok(),
        Err(_) => None,
    };
    let Some(expense) = plan.and_then(|p| p["lines_as_of"][0]["expense_id"].as_i64()) else {
        return (samples, 1);
    };
    body["moves"][0]["expense_id"] = expense.into();
    while Instant::now() < deadline {
        let t = Instant::now();
        if answered(http.get(report).bearer_auth(token).send().await).await {
            samples.push(t.elapsed());
        } else {
            errors += 1;
        }
        tokio::time::sleep(PACE).await;
        let t = Instant::now();
        if answered(
            http.post(change)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await,
        )
        .await
        {
            samples.push(t.elapsed());
        } else {
            errors += 1;
        }
    }
    (samples, errors)
}

/// A success status with its whole body received.
async fn answered(response: reqwest::Result<reqwest::Response>) -> bool {
    match response {
        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
        _ => false,
    }
}
