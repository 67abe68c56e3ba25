//! `jospar bench --soak MINUTES` (issue 19): a real `jospar serve` under 200 signed-in
//! clients for minutes on end, each reading its institution's report, saving changes of its
//! financing plan and importing Treasury forms, while a few of them send the bombs the
//! hardening refuses: a workbook that unpacks to 2 GB and a 20000×20000 picture as an
//! E-Qyzmet QR code. Meanwhile `/healthz` is asked four times a second and the server's memory
//! is read from `/proc`. At the end every acknowledged save and import is looked for in the
//! database.
//!
//! It must give no 5xx, lose no acknowledged write, keep the server under 1 GB and `/healthz`
//! quick.

use super::{Figure, Timing};
use anyhow::{Context, Result};
use jospar_core::Tenge;
use jospar_store::{Db, Who, on_db};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 200;
/// How long a client waits after each answer: 200 clients then make about 100 requests a
/// second.
const PACE: Duration = Duration::from_secs(2);
/// One client in this many (the first of each) is an attacker, who sends bombs among its
/// requests.
const ATTACKER_EVERY: usize = 50;
/// The memory the server must stay under.
const RSS_LIMIT_MB: f64 = 1024.0;
/// How quickly `/healthz` must answer while the bombs are sent.
const HEALTHZ_P99_MS: f64 = 100.0;

/// What one client did.
#[derive(Default)]
struct Tally {
    /// Latencies of the ordinary requests (reads, saves, imports).
    samples: Vec<Duration>,
    /// Answers of 500 and above, and requests that got no answer.
    server_errors: usize,
    /// Ordinary requests refused (4xx): none is expected.
    refused: Vec<String>,
    /// Plan changes acknowledged, by plan.
    saves: HashMap<i64, u64>,
    /// Treasury reports acknowledged.
    imports: Vec<i64>,
    /// Bombs sent, and those not refused with 422.
    bombs: usize,
    bombs_not_refused: Vec<String>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.samples.extend(other.samples);
        self.server_errors += other.server_errors;
        self.refused.extend(other.refused);
        for (plan, n) in other.saves {
            *self.saves.entry(plan).or_default() += n;
        }
        self.imports.extend(other.imports);
        self.bombs += other.bombs;
        self.bombs_not_refused.extend(other.bombs_not_refused);
    }
}

/// What a client needs: its token, institution and plan, and the shared bodies.
struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    org: i64,
    plan: i64,
    year: i32,
    attacker: bool,
    files: Arc<Files>,
}

/// The bodies sent, made once.
struct Files {
    form_552: Vec<u8>,
    workbook_bomb: Vec<u8>,
    picture_bomb: serde_json::Value,
}

pub async fn figures(
    db: &Db,
    url: &str,
    engine: &str,
    g: &crate::scale::Generated,
    length: Duration,
    jospar: &Path,
) -> Result<Vec<Figure>> {
    let minutes = format!("{:.1}", length.as_secs_f64() / 60.0);
    println!("   soak: preparing the files (a 2 GB workbook bomb, a 20000×20000 picture)");
    let files = Arc::new(Files {
        form_552: {
            let mut bytes = Vec::new();
            super::write_552(&mut bytes, 60)?;
            bytes
        },
        workbook_bomb: jospar_reports::workbook::bomb(2 << 30),
        picture_bomb: picture_bomb_application()?,
    });
    let mut server = Server::start(jospar, url).await?;
    let clients = clients(db, g, &server.base, files).await?;
    let count = clients.len();
    let before = changes_by_plan(db, &clients).await?;
    println!(
        "   soak: {} clients for {minutes} min against {}",
        clients.len(),
        server.base
    );
    let deadline = Instant::now() + length;
    let started = Instant::now();
    let health = tokio::spawn(probe_health(server.base.clone(), deadline));
    let memory = tokio::spawn(watch_memory(server.pid, deadline));
    let spread = clients.len().max(1) as u32;
    let mut tasks = Vec::new();
    for (i, client) in clients.into_iter().enumerate() {
        let start = PACE * i as u32 / spread;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(start).await;
            client.run_until(deadline).await
        }));
    }
    let mut tally = Tally::default();
    for task in tasks {
        tally.add(task.await?);
    }
    let wall = started.elapsed();
    let (health_samples, health_failures) = health.await?;
    let sampled_rss_mb = memory.await?;
    let peak_rss_mb = server
        .peak_rss_mb()
        .unwrap_or(sampled_rss_mb)
        .max(sampled_rss_mb);
    server.stop();
    let lost = lost_writes(db, &before, &tally).await?;
    println!(
        "   soak: {} requests, {} saves and {} imports acknowledged, {} bombs; 5xx or no answer: {}, refused: {}, lost writes: {lost}, peak RSS {peak_rss_mb:.0} MB",
        tally.samples.len(),
        tally.saves.values().sum::<u64>(),
        tally.imports.len(),
        tally.bombs,
        tally.server_errors,
        tally.refused.len(),
    );
    for refusal in tally
        .refused
        .iter()
        .chain(&tally.bombs_not_refused)
        .take(10)
    {
        println!("     {refusal}");
    }
    let errors = tally.server_errors + tally.refused.len() + lost;
    let timing = Timing::of(std::mem::take(&mut tally.samples), wall, errors);
    let health = Timing::of(health_samples, wall, health_failures);
    let bombs_wrong = tally.bombs_not_refused.len();
    let soak = |name: String, scope: &str, rows, timing: Timing, met, target: &str| Figure {
        engine: engine.to_string(),
        name,
        scope: scope.into(),
        rows,
        timing,
        baseline: None,
        speedup: None,
        answer_read: None,
        over_answer_read: None,
        peak_rss_mb: Some(peak_rss_mb),
        target: target.into(),
        met,
    };
    Ok(vec![
        soak(
            format!(
                "soak {minutes} min: {count} signed-in clients reading, saving plan changes and importing 5-52 forms, pausing {} s; errors = 5xx, refusals and lost writes ({lost} lost)",
                PACE.as_secs()
            ),
            "soak",
            tally.saves.values().sum::<u64>() as usize + tally.imports.len(),
            timing.clone(),
            timing.errors == 0 && peak_rss_mb < RSS_LIMIT_MB,
            "no 5xx, no lost write, peak RSS < 1 GB",
        ),
        soak(
            format!(
                "soak {minutes} min: bombs among them (2 GB XLSX, 20000×20000 PNG), each answered 422"
            ),
            "soak",
            tally.bombs,
            Timing::of(Vec::new(), wall, bombs_wrong),
            tally.bombs > 0 && bombs_wrong == 0,
            "every bomb refused with 422",
        ),
        soak(
            format!("soak {minutes} min: /healthz four times a second meanwhile"),
            "soak",
            1,
            health.clone(),
            health.errors == 0 && health.p99_ms <= HEALTHZ_P99_MS,
            "p99 ≤ 100 ms",
        ),
    ])
}

impl Client {
    async fn run_until(self, deadline: Instant) -> Tally {
        let mut tally = Tally::default();
        let report = format!(
            "{}/reports/consolidated-plan?org={}&year={}&format=json",
            self.base, self.org, self.year
        );
        let Some(change) = self.change_body().await else {
            tally.server_errors += 1;
            return tally;
        };
        let (mut imports, mut bombs) = (0_u32, 0_usize);
        let mut turn = 0_usize;
        while Instant::now() < deadline {
            match turn % 10 {
                // An attacker sends a bomb every fifth request, from its first.
                t if self.attacker && t.is_multiple_of(5) => {
                    self.send_bomb(bombs, &mut tally).await;
                    bombs += 1;
                }
                0 => {
                    imports += 1;
                    self.import(imports, &mut tally).await;
                }
                7..=9 => {
                    let url = format!("{}/financing-plans/{}/changes", self.base, self.plan);
                    let request = self.http.post(url).bearer_auth(&self.token).json(&change);
                    if timed(request, &mut tally, "plan change").await.is_some() {
                        *tally.saves.entry(self.plan).or_default() += 1;
                    }
                }
                _ => {
                    let request = self.http.get(&report).bearer_auth(&self.token);
                    timed(request, &mut tally, "report").await;
                }
            }
            turn += 1;
            tokio::time::sleep(PACE).await;
        }
        tally
    }

    /// A change moving one tenge of the plan's first line from March to April.
    async fn change_body(&self) -> Option<serde_json::Value> {
        let plan: serde_json::Value = self
            .http
            .get(format!("{}/financing-plans/{}", self.base, self.plan))
            .bearer_auth(&self.token)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let expense = plan["lines_as_of"][0]["expense_id"].as_i64()?;
        Some(
            json!({"kind": "certificate", "dated": chrono::Utc::now().date_naive(),
            "reason": "jospar bench --soak", "moves": [{"expense_id": expense, "basis": "payments",
            "from_month": 3, "to_month": 4, "amount": serde_json::to_value(Tenge::from_tiyn(100)).ok()?}]}),
        )
    }

    /// A 5-52 of the institution at a day of its own (an import of the same form and day
    /// replaces the earlier one, which would not be a lost write).
    async fn import(&self, number: u32, tally: &mut Tally) {
        let day = chrono::NaiveDate::from_ymd_opt(self.year, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(number % 300))));
        let Some(day) = day else { return };
        let url = format!(
            "{}/execution/treasury/5-52?org={}&date={day}&file_name=soak.csv",
            self.base, self.org
        );
        let request = self
            .http
            .post(url)
            .bearer_auth(&self.token)
            .header("content-type", "application/octet-stream")
            .body(self.files.form_552.clone());
        if let Some(answer) = timed(request, tally, "import").await
            && let Some(id) = answer["id"].as_i64()
        {
            tally.imports.push(id);
        }
    }

    /// The bombs in turn: the workbook as a Treasury form, the picture as a QR code.
    async fn send_bomb(&self, number: usize, tally: &mut Tally) {
        let request = if number.is_multiple_of(2) {
            self.http
                .post(format!(
                    "{}/execution/treasury/5-52?org={}&date={}-01-31",
                    self.base, self.org, self.year
                ))
                .header("content-type", "application/octet-stream")
                .body(self.files.workbook_bomb.clone())
        } else {
            self.http
                .post(format!("{}/oversight-applications", self.base))
                .json(&self.files.picture_bomb)
        };
        tally.bombs += 1;
        match request.bearer_auth(&self.token).send().await {
            Ok(answer) if answer.status() == 422 => {
                let _ = answer.bytes().await;
            }
            Ok(answer) => {
                let status = answer.status();
                if status.is_server_error() {
                    tally.server_errors += 1;
                }
                tally
                    .bombs_not_refused
                    .push(format!("bomb answered {status}"));
            }
            Err(e) => {
                tally.server_errors += 1;
                tally
                    .bombs_not_refused
                    .push(format!("bomb: no answer: {e}"));
            }
        }
    }
}

/// Sends an ordinary request and counts it: the JSON answer of a success.
async fn timed(
    request: reqwest::RequestBuilder,
    tally: &mut Tally,
    what: &str,
) -> Option<serde_json::Value> {
    let started = Instant::now();
    match request.send().await {
        Ok(answer) if answer.status().is_success() => {
            let body = answer.json().await.unwrap_or(serde_json::Value::Null);
            tally.samples.push(started.elapsed());
            Some(body)
        }
        Ok(answer) => {
            let status = answer.status();
            if status.is_server_error() {
                tally.server_errors += 1;
            } else {
                let text = answer.text().await.unwrap_or_default();
                tally.refused.push(format!(
                    "{what}: {status} {}",
                    text.chars().take(200).collect::<String>()
                ));
            }
            None
        }
        Err(_) => {
            tally.server_errors += 1;
            None
        }
    }
}

/// `/healthz` four times a second until the deadline: latencies and failures.
async fn probe_health(base: String, deadline: Instant) -> (Vec<Duration>, usize) {
    let http = reqwest::Client::new();
    let url = base.replace("/api/v1", "/healthz");
    let (mut samples, mut failures) = (Vec::new(), 0);
    while Instant::now() < deadline {
        let started = Instant::now();
        match http.get(&url).send().await {
            Ok(answer) if answer.status().is_success() => samples.push(started.elapsed()),
            _ => failures += 1,
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    (samples, failures)
}

/// The largest resident size of the server seen, sampled every second (MB).
async fn watch_memory(pid: u32, deadline: Instant) -> f64 {
    let mut peak = 0.0_f64;
    while Instant::now() < deadline {
        if let Some(now) = status_mb(pid, "VmRSS:") {
            peak = peak.max(now);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    peak
}

/// A size line of `/proc/PID/status`, in MB.
fn status_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// `jospar serve` on a free port of loopback, in a process of its own, as in production.
struct Server {
    child: std::process::Child,
    pid: u32,
    base: String,
}

impl Server {
    async fn start(jospar: &Path, url: &str) -> Result<Server> {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(jospar)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("JOSPAR_DATABASE_URL", url)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("starting {} serve", jospar.display()))?;
        let pid = child.id();
        let stdout = child.stdout.take().context("the server's output")?;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            let address = lines
                .by_ref()
                .map_while(Result::ok)
                .find_map(|line| line.strip_prefix("Jospar listens on ").map(str::to_string));
            let _ = sender.send(address);
            // The rest of the output is drained, so that the server never blocks on it.
            lines.for_each(drop);
        });
        let address = tokio::time::timeout(Duration::from_secs(60), receiver)
            .await
            .context("the server did not start within a minute")??
            .context("the server ended before it listened")?;
        Ok(Server {
            child,
            pid,
            base: format!("{address}/api/v1"),
        })
    }

    /// The kernel's high-water mark of the server's resident memory (MB).
    fn peak_rss_mb(&self) -> Option<f64> {
        status_mb(self.pid, "VmHWM:")
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The clients: each generated economist with a token, one in [`ATTACKER_EVERY`] an attacker.
async fn clients(
    db: &Db,
    g: &crate::scale::Generated,
    base: &str,
    files: Arc<Files>,
) -> Result<Vec<Client>> {
    let region = &g.regions[0];
    let count = CLIENTS.min(region.economists.len());
    let until = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut clients = Vec::new();
    for i in 0..count {
        let user = jospar_org::repo::user_by_login(db, &region.economists[i])
            .await?
            .context("generated economist")?;
        let (_, token) = jospar_org::auth::create_api_token(
            db,
            &Who::system(),
            &user,
            "jospar bench --soak",
            until,
        )
        .await?;
        clients.push(Client {
            http: http.clone(),
            base: base.to_string(),
            token,
            org: region.institutions[i],
            plan: region.plans[i],
            year: g.year,
            attacker: i % ATTACKER_EVERY == 0,
            files: files.clone(),
        });
    }
    Ok(clients)
}

/// The number of change documents of each client's plan.
async fn changes_by_plan(db: &Db, clients: &[Client]) -> Result<HashMap<i64, u64>> {
    let mut counts = HashMap::new();
    for client in clients {
        counts.insert(client.plan, plan_changes(db, client.plan).await?);
    }
    Ok(counts)
}

async fn plan_changes(db: &Db, plan: i64) -> Result<u64> {
    let n: i64 = on_db!(db, pool => jospar_store::sqlx::query_scalar(
        "SELECT COUNT(*) FROM plan_changes WHERE plan_id = $1")
        .bind(plan).fetch_one(pool).await)?;
    Ok(n.max(0) as u64)
}

/// Acknowledged writes not found in the database: plan changes short of the acknowledged
/// count, and imported reports missing.
async fn lost_writes(db: &Db, before: &HashMap<i64, u64>, tally: &Tally) -> Result<usize> {
    let mut lost = 0;
    for (plan, acknowledged) in &tally.saves {
        let now = plan_changes(db, *plan).await?;
        let added = now.saturating_sub(before.get(plan).copied().unwrap_or(0));
        lost += acknowledged.saturating_sub(added) as usize;
    }
    for id in &tally.imports {
        let found: i64 = on_db!(db, pool => jospar_store::sqlx::query_scalar(
            "SELECT COUNT(*) FROM treasury_reports WHERE id = $1")
            .bind(*id).fetch_one(pool).await)?;
        if found == 0 {
            lost += 1;
        }
    }
    Ok(lost)
}

/// An oversight application whose employee's QR picture is a real 20000×20000 PNG (about
/// 400 KB packed, 400 MB of pixels): what the probe sent.
fn picture_bomb_application() -> Result<serde_json::Value> {
    use base64::Engine as _;
    use image::ImageEncoder as _;
    let side = 20_000;
    let picture = image::GrayImage::from_pixel(side, side, image::Luma([255]));
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(picture.as_raw(), side, side, image::ExtendedColorType::L8)?;
    drop(picture);
    let employee = json!({"full_name": "Ахметов Арман", "iin": "860606400009",
        "position": "главный специалист", "unit": "аппарат", "qr_code": "",
        "phone": "+7 701 000 00 00", "email": "e@maslikhat.kz",
        "qr_image": base64::engine::general_purpose::STANDARD.encode(&png)});
    Ok(
        json!({"body_name": "Маслихат", "body_bin": "990140000017", "kind": "maslikhat",
        "anchor_org_id": null, "employees": [employee],
        "purpose": "контроль исполнения местного бюджета", "analytic": true, "planning": false}),
    )
}
