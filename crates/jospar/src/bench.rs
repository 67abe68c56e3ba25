//! `jospar bench`: generated data on SQLite and on PostgreSQL, each figure beside a
//! baseline measured in the same run on the same data, printed as a table and written as
//! JSON, with a plot (PNG) and BENCHMARKS.md. No figure is typed by hand.
//!
//! The baselines: for a consolidated report, the one SQL `GROUP BY` over the detail rows that
//! a SQL-reporting system would run, and the mere reading of the report's answer rows (copied
//! into a plain table); for writes, there is no baseline but the targets of the issue.

mod browser;
mod http;
mod pages;
mod plot;
mod soak;
mod writers;

use anyhow::{Context, Result, bail};
use jospar_consolidation::repo as kept;
use jospar_store::{Db, exec_db, on_db};
use serde::Serialize;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::scale::{Generated, Scale};

/// What to run.
pub struct BenchOptions {
    pub scale: Scale,
    pub seed: u64,
    pub sqlite: bool,
    /// PostgreSQL server (an administrative database); None = SQLite only.
    pub postgres: Option<String>,
    /// Where the JSON, the PNG and the databases go.
    pub out: PathBuf,
    /// BENCHMARKS.md to write (None = do not).
    pub markdown: Option<PathBuf>,
    /// How long each concurrent load runs.
    pub load_seconds: u64,
    /// The `jospar` program that runs the import in a process of its own.
    pub jospar: PathBuf,
    /// The parts to measure; empty = all.
    pub only: Vec<Part>,
    /// After the runs at `scale`, a run at republic scale on PostgreSQL (the issue runs the
    /// republic there), shown beside them as the engine "postgres (republic)".
    pub republic: bool,
    /// Instead of the figures, the soak run for this long (`--soak MINUTES`).
    pub soak: Option<Duration>,
}

/// A part of the bench, to measure alone while working on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    Reports,
    Writers,
    Import,
    Http,
    Pages,
}

impl BenchOptions {
    fn measures(&self, part: Part) -> bool {
        self.only.is_empty() || self.only.contains(&part)
    }
}

/// Latencies of repeated runs of one operation.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub runs: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Operations per second over the whole measurement (concurrent loads).
    pub throughput: f64,
    pub errors: usize,
}

impl Timing {
    pub fn of(mut samples: Vec<Duration>, wall: Duration, errors: usize) -> Timing {
        samples.sort();
        let pick = |q: f64| {
            if samples.is_empty() {
                return 0.0;
            }
            let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
            samples[i].as_secs_f64() * 1000.0
        };
        Timing {
            runs: samples.len(),
            p50_ms: pick(0.50),
            p99_ms: pick(0.99),
            throughput: samples.len() as f64 / wall.as_secs_f64().max(1e-9),
            errors,
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub engine: String,
    /// What was measured.
    pub name: String,
    /// institution, administrator, region or republic (for the plot).
    pub scope: String,
    /// Rows of the answer (reports) or rows imported (import).
    pub rows: usize,
    pub timing: Timing,
    /// The `GROUP BY` baseline, and how many times faster the figure is.
    pub baseline: Option<Timing>,
    pub speedup: Option<f64>,
    /// Reading the answer rows only, and the figure's time over it.
    pub answer_read: Option<Timing>,
    pub over_answer_read: Option<f64>,
    pub peak_rss_mb: Option<f64>,
    /// The target and whether this run meets it.
    pub target: String,
    pub met: bool,
}

impl Figure {
    /// A figure of loads timed as they are, with no baseline of its own.
    pub fn measured(
        engine: &str,
        name: String,
        scope: &str,
        rows: usize,
        met: bool,
        timing: Timing,
        target: &str,
    ) -> Figure {
        Figure {
            engine: engine.to_string(),
            name,
            scope: scope.to_string(),
            rows,
            timing,
            baseline: None,
            speedup: None,
            answer_read: None,
            over_answer_read: None,
            peak_rss_mb: None,
            target: target.to_string(),
            met,
        }
    }
}

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub struct BenchReport {
    pub scale: Scale,
    pub seed: u64,
    pub machine: String,
    pub command: String,
    pub started_at: String,
    pub engines: Vec<EngineRun>,
}

#[derive(Debug, Serialize)]
pub struct EngineRun {
    pub engine: String,
    pub scale: Scale,
    pub generation_seconds: f64,
    pub counts: crate::scale::Counts,
    pub verified: bool,
    pub figures: Vec<Figure>,
}

/// Runs `op` `runs` times, one after another.
async fn repeat<F, Fut, T>(runs: usize, mut op: F) -> Result<(Timing, T)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut samples = Vec::with_capacity(runs);
    let started = Instant::now();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        last = Some(op().await?);
        samples.push(t.elapsed());
    }
    let value = last.context("at least one run")?;
    Ok((Timing::of(samples, started.elapsed(), 0), value))
}

/// Like [`repeat`] for two operations run in turns, so that both meet the same conditions
/// (caches, the CPU's clock, other processes) however these drift during the runs.
async fn repeat_in_turns<FA, FutA, A, FB, FutB, B>(
    runs: usize,
    mut first: FA,
    mut second: FB,
) -> Result<((Timing, A), (Timing, B))>
where
    FA: FnMut() -> FutA,
    FutA: Future<Output = Result<A>>,
    FB: FnMut() -> FutB,
    FutB: Future<Output = Result<B>>,
{
    let (mut first_samples, mut second_samples) = (Vec::new(), Vec::new());
    let (mut first_last, mut second_last) = (None, None);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        first_last = Some(first().await?);
        first_samples.push(t.elapsed());
        let t = Instant::now();
        second_last = Some(second().await?);
        second_samples.push(t.elapsed());
    }
    let timing = |samples: Vec<Duration>| {
        let total = samples.iter().sum();
        Timing::of(samples, total, 0)
    };
    Ok((
        (
            timing(first_samples),
            first_last.context("at least one run")?,
        ),
        (
            timing(second_samples),
            second_last.context("at least one run")?,
        ),
    ))
}

pub async fn run(options: &BenchOptions) -> Result<BenchReport> {
    let started_at = chrono::Utc::now().to_rfc3339();
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("creating {}", options.out.display()))?;
    let mut engines = Vec::new();
    if options.sqlite {
        let path = options
            .out
            .join(format!("bench-{:?}.db", options.scale).to_lowercase());
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let url = format!("sqlite:{}", path.display());
        engines.push(run_engine(options, "sqlite", &url, options.scale).await?);
    }
    if let Some(admin_url) = &options.postgres {
        let url = fresh_postgres(admin_url).await?;
        engines.push(run_engine(options, "postgres", &url, options.scale).await?);
        if options.republic && options.scale != Scale::Republic {
            let url = fresh_postgres(admin_url).await?;
            engines.push(run_engine(options, REPUBLIC_RUN, &url, Scale::Republic).await?);
        }
    }
    let report = BenchReport {
        scale: options.scale,
        seed: options.seed,
        machine: machine(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        started_at,
        engines,
    };
    let json = options.out.join("bench.json");
    std::fs::write(&json, serde_json::to_string_pretty(&report)?)?;
    let png = options.out.join("bench.png");
    plot::draw(&report, &png)?;
    if let Some(markdown) = &options.markdown {
        let kept = std::fs::read_to_string(markdown).unwrap_or_default();
        let page = match options.section() {
            // A partial run replaces its own section of the page and keeps the rest.
            Some(name) => with_section(&kept, &name, &section_of(&report, &name)),
            None => {
                // The plot goes beside the page that shows it.
                let beside = markdown.with_extension("png");
                std::fs::copy(&png, &beside)?;
                let mut page = markdown_of(&report, &beside);
                for (name, body) in sections(&kept) {
                    page = with_section(&page, &name, &body);
                }
                page
            }
        };
        std::fs::write(markdown, page)?;
    }
    Ok(report)
}

impl BenchOptions {
    /// The section of BENCHMARKS.md a partial run writes: the soak, or the parts measured.
    fn section(&self) -> Option<String> {
        if self.soak.is_some() {
            return Some("soak".into());
        }
        if self.only.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .only
            .iter()
            .map(|p| format!("{p:?}").to_lowercase())
            .collect();
        Some(format!("only {}", parts.join(", ")))
    }
}

/// The marks around a section of BENCHMARKS.md written by a partial run.
fn section_marks(name: &str) -> (String, String) {
    (
        format!("<!-- jospar bench section: {name} -->"),
        format!("<!-- end of section: {name} -->"),
    )
}

/// The page with the section `name` set to `body` (replaced in place, or added at the end).
fn with_section(page: &str, name: &str, body: &str) -> String {
    let (open, close) = section_marks(name);
    let block = format!("{open}\n{}\n{close}\n", body.trim_end());
    match (page.find(&open), page.find(&close)) {
        (Some(start), Some(end)) if end > start => {
            format!(
                "{}{block}{}",
                &page[..start],
                page[end + close.len()..].trim_start_matches('\n')
            )
        }
        _ => format!("{}\n{block}", page.trim_end()),
    }
}

/// The sections of a page: (name, body).
fn sections(page: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let prefix = "<!-- jospar bench section: ";
    let mut rest = page;
    while let Some(start) = rest.find(prefix) {
        let after = &rest[start + prefix.len()..];
        let Some(name_end) = after.find(" -->") else {
            break;
        };
        let name = after[..name_end].to_string();
        let (open, close) = section_marks(&name);
        let body_start = start + open.len();
        let Some(end) = rest[body_start..].find(&close) else {
            break;
        };
        found.push((name, rest[body_start..body_start + end].trim().to_string()));
        rest = &rest[body_start + end + close.len()..];
    }
    found
}

/// A partial run's section: how it was run, then its figures.
fn section_of(report: &BenchReport, name: &str) -> String {
    let mut out = format!("## Partial run: {name}\n\n");
    out.push_str(&format!(
        "- Machine: {}\n- Command: `{}`\n- Scale: {:?}, seed {}\n- Run at: {}\n\n",
        report.machine, report.command, report.scale, report.seed, report.started_at
    ));
    out.push_str(&table(report));
    out
}

/// A new empty database on the PostgreSQL server, dropped and created again each run.
async fn fresh_postgres(admin_url: &str) -> Result<String> {
    let admin = Db::connect(admin_url)
        .await
        .with_context(|| format!("PostgreSQL at {admin_url}"))?;
    for sql in [
        "DROP DATABASE IF EXISTS jospar_bench WITH (FORCE)",
        "CREATE DATABASE jospar_bench",
    ] {
        exec_db!(&admin, pool => jospar_store::sqlx::query(sql).execute(pool).await)?;
    }
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(head, _)| head)
        .unwrap_or(admin_url);
    Ok(format!("{base}/jospar_bench"))
}

/// The engine's name in the figures of the republic run.
const REPUBLIC_RUN: &str = "postgres (republic)";

async fn run_engine(
    options: &BenchOptions,
    engine: &str,
    url: &str,
    scale: Scale,
) -> Result<EngineRun> {
    println!("== {engine}: generating {scale:?} (seed {})", options.seed);
    let db = Db::connect(url).await?;
    db.migrate().await?;
    crate::demo::load_classification(&db).await?;
    let started = Instant::now();
    let generated = crate::scale::generate(&db, scale, options.seed).await?;
    let generation_seconds = started.elapsed().as_secs_f64();
    println!(
        "   generated in {generation_seconds:.1} s: {}",
        serde_json::to_string(&generated.counts)?
    );
    let verified = crate::verify::verify(&db).await?.holds();
    if !verified {
        bail!("{engine}: the kept totals of the generated data differ from the detail");
    }
    let figures = match options.soak {
        Some(length) => {
            soak::figures(&db, url, engine, &generated, length, &options.jospar).await?
        }
        None => figures(options, &db, engine, url, &generated, scale).await?,
    };
    // The writes of the loads went through the kept totals: they must still add up.
    let verified = crate::verify::verify(&db).await?.holds();
    if !verified {
        bail!("{engine}: the kept totals differ from the detail after the loads");
    }
    db.close().await;
    Ok(EngineRun {
        engine: engine.to_string(),
        scale,
        generation_seconds,
        counts: generated.counts.clone(),
        verified,
        figures,
    })
}

/// The figures of the parts asked for.
async fn figures(
    options: &BenchOptions,
    db: &Db,
    engine: &str,
    url: &str,
    generated: &Generated,
    scale: Scale,
) -> Result<Vec<Figure>> {
    let mut figures = Vec::new();
    if options.measures(Part::Reports) {
        figures.extend(report_figures(db, engine, generated, scale).await?);
    }
    if options.measures(Part::Writers) {
        for paced in [true, false] {
            figures.extend(
                writers::figures(db, engine, generated, options.load_seconds, paced).await?,
            );
        }
    }
    if options.measures(Part::Import) {
        for rows in import_sizes(scale) {
            figures.push(import_figure(db, engine, url, generated, options, rows).await?);
        }
        let goods = import_sizes(scale)[1];
        figures.push(goods_import_figure(db, engine, url, options, goods).await?);
    }
    if options.measures(Part::Http) {
        figures.push(http::figure(db, engine, generated, options.load_seconds).await?);
    }
    if options.measures(Part::Pages) {
        figures.extend(pages::figures(db, engine, generated).await?);
    }
    Ok(figures)
}

/// Runs, by scope: the whole region's reports are slow by nature (their baseline is), a
/// subtree's are quick and repeated more.
fn runs_for(scope: &str) -> (usize, usize) {
    match scope {
        "republic" => (10, 3),
        "region" => (20, 5),
        _ => (200, 20),
    }
}

async fn report_figures(db: &Db, engine: &str, g: &Generated, scale: Scale) -> Result<Vec<Figure>> {
    let region = &g.regions[0];
    let mut scopes: Vec<(&str, i64)> = vec![
        ("institution", region.institutions[0]),
        ("administrator", region.admins[0]),
        ("region", region.authority),
    ];
    if scale == Scale::Republic {
        scopes.push(("republic", g.root));
    }
    let mut figures = Vec::new();
    for (scope, node) in scopes {
        let (runs, baseline_runs) = runs_for(scope);
        let year = g.year;
        let (timing, rows, answer) =
            kept_and_answer_read(db, "plan", node, year, runs, || async move {
                Ok(kept::plan_totals(db, node, year).await?.len())
            })
            .await?;
        let (baseline, grouped) = repeat(baseline_runs, || async move {
            Ok(kept::plan_by_group_by(db, node, year).await?.len())
        })
        .await?;
        if grouped != rows {
            bail!("{engine}: kept plan of {node} has {rows} rows, GROUP BY {grouped}");
        }
        figures.push(report_figure(
            engine,
            "consolidated financing plan",
            scope,
            rows,
            timing,
            baseline,
            answer,
        ));
        if scope == "republic" {
            continue;
        }
        let campaign = region.campaign_id;
        let (timing, rows, answer) =
            kept_and_answer_read(db, "request", node, campaign, runs, || async move {
                Ok(kept::request_totals(db, node, campaign).await?.len())
            })
            .await?;
        let (baseline, grouped) = repeat(baseline_runs, || async move {
            Ok(kept::requests_by_group_by(db, node, campaign).await?.len())
        })
        .await?;
        if grouped != rows {
            bail!("{engine}: kept requests of {node} have {rows} rows, GROUP BY {grouped}");
        }
        figures.push(report_figure(
            engine,
            "consolidated budget request (3 planning years)",
            scope,
            rows,
            timing,
            baseline,
            answer,
        ));
    }
    Ok(figures)
}

fn report_figure(
    engine: &str,
    name: &str,
    scope: &str,
    rows: usize,
    timing: Timing,
    baseline: Timing,
    answer: Timing,
) -> Figure {
    let speedup = baseline.p50_ms / timing.p50_ms.max(1e-6);
    let over_answer = timing.p50_ms / answer.p50_ms.max(1e-6);
    let (target, met) = match scope {
        "institution" | "administrator" => ("p50 ≤ 10 ms".to_string(), timing.p50_ms <= 10.0),
        "republic" => ("p50 ≤ 500 ms".to_string(), timing.p50_ms <= 500.0),
        _ => (
            "≥ 10× baseline, ≤ 2× answer read".to_string(),
            speedup >= 10.0 && over_answer <= 2.0,
        ),
    };
    Figure {
        engine: engine.to_string(),
        name: name.to_string(),
        scope: scope.to_string(),
        rows,
        timing,
        baseline: Some(baseline),
        speedup: Some(speedup),
        answer_read: Some(answer),
        over_answer_read: Some(over_answer),
        peak_rss_mb: None,
        target,
        met,
    }
}

/// The kept read of a report (`kept_read`, giving its rows) and, in turns with it, the time
/// to read the report's answer rows and nothing else: the rows are copied into a plain table,
/// then read whole and decoded into the same column types.
async fn kept_and_answer_read<F, Fut>(
    db: &Db,
    what: &str,
    node: i64,
    key: impl Into<i64>,
    runs: usize,
    kept_read: F,
) -> Result<(Timing, usize, Timing)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<usize>>,
{
    let key: i64 = key.into();
    let (copy, read) = match what {
        "plan" => (
            format!(
                "CREATE TABLE bench_answer AS SELECT admin_id, program, subprogram, specific, {months} \
                 FROM plan_totals WHERE node_id = {node} AND year = {key} AND {any}",
                months = *kept::MONTH_COLUMNS,
                any = *kept::ANY_MONTH,
            ),
            format!(
                "SELECT admin_id, program, subprogram, specific, {} FROM bench_answer",
                *kept::MONTH_COLUMNS
            ),
        ),
        _ => (
            format!(
                "CREATE TABLE bench_answer AS SELECT admin_id, program, subprogram, specific, {years} \
                 FROM request_totals WHERE node_id = {node} AND campaign_id = {key} AND {any}",
                years = kept::YEAR_COLUMNS,
                any = kept::ANY_YEAR,
            ),
            format!(
                "SELECT admin_id, program, subprogram, specific, {} FROM bench_answer",
                kept::YEAR_COLUMNS
            ),
        ),
    };
    exec_db!(db, pool => jospar_store::sqlx::query("DROP TABLE IF EXISTS bench_answer").execute(pool).await)?;
    exec_db!(db, pool => jospar_store::sqlx::query(jospar_store::sqlx::AssertSqlSafe(copy)).execute(pool).await)?;
    type RequestRow = (i64, String, String, String, i64, i64, i64, i64);
    let read = read.as_str();
    let answer_read = || async move {
        let read = jospar_store::sqlx::AssertSqlSafe(read);
        Ok(if what == "plan" {
            let rows: Vec<kept::PlanTotal> =
                on_db!(db, pool => jospar_store::sqlx::query_as(read).fetch_all(pool).await)?;
            rows.len()
        } else {
            let rows: Vec<RequestRow> =
                on_db!(db, pool => jospar_store::sqlx::query_as(read).fetch_all(pool).await)?;
            rows.len()
        })
    };
    let ((kept, rows), (answer, _)) = repeat_in_turns(runs, kept_read, answer_read).await?;
    exec_db!(db, pool => jospar_store::sqlx::query("DROP TABLE bench_answer").execute(pool).await)?;
    Ok((kept, rows, answer))
}

/// Rows of the generated 5-52 files: 50,000 and 500,000 at region scale and above, so that
/// the table shows whether the import's memory grows with the file (it must not). The tiny
/// sizes still span several chunks of storage.
fn import_sizes(scale: Scale) -> [usize; 2] {
    match scale {
        Scale::Tiny => [2_000, 10_000],
        _ => [50_000, 500_000],
    }
}

/// Imports a generated 5-52 with the `jospar import treasury` command in a process of its
/// own, so that its peak memory is the import's.
async fn import_figure(
    db: &Db,
    engine: &str,
    url: &str,
    g: &Generated,
    options: &BenchOptions,
    rows: usize,
) -> Result<Figure> {
    let file = options.out.join(format!("5-52-{rows}.csv"));
    write_552(std::fs::File::create(&file)?, rows)?;
    let config = options.out.join(format!("bench-{engine}.toml"));
    std::fs::write(&config, format!("database_url = \"{url}\"\n"))?;
    let date = chrono::NaiveDate::from_ymd_opt(g.year, 12, 1).context("date")?;
    let started = Instant::now();
    let output = tokio::process::Command::new(&options.jospar)
        .arg("--config")
        .arg(&config)
        .args(["import", "treasury", "--form", "5-52"])
        .arg("--org")
        .arg(g.regions[0].authority.to_string())
        .arg("--date")
        .arg(date.to_string())
        .arg(&file)
        .env("JOSPAR_PEAK_RSS", "1")
        .env("JOSPAR_LOG", "warn")
        .output()
        .await?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("{engine}: import failed: {stderr}");
    }
    let peak_kb: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    let stored: i64 = on_db!(db, pool => jospar_store::sqlx::query_scalar(
        "SELECT row_count FROM treasury_reports WHERE form = '5-52' AND org_id = $1 AND report_date = $2")
        .bind(g.regions[0].authority).bind(date).fetch_one(pool).await)?;
    if stored as usize != rows {
        bail!("{engine}: the import stored {stored} rows of {rows}");
    }
    let timing = Timing {
        runs: 1,
        p50_ms: elapsed.as_secs_f64() * 1000.0,
        p99_ms: elapsed.as_secs_f64() * 1000.0,
        throughput: rows as f64 / elapsed.as_secs_f64(),
        errors: 0,
    };
    let peak_rss_mb = peak_kb / 1024.0;
    Ok(Figure {
        engine: engine.to_string(),
        name: "import of a 5-52 file, validated, committed (rows/s)".into(),
        scope: "import".into(),
        rows,
        met: timing.throughput >= 100_000.0 && peak_rss_mb <= 256.0,
        timing,
        baseline: None,
        speedup: None,
        answer_read: None,
        over_answer_read: None,
        peak_rss_mb: Some(peak_rss_mb),
        target: "≥ 100,000 rows/s, peak RSS ≤ 256 MB".into(),
    })
}

/// Imports a generated goods classifier (ЕНС ТРУ, data/goods/README.md) of `rows` goods
/// with the `jospar import goods` command in a process of its own (issue 23): its time and
/// peak memory.
async fn goods_import_figure(
    db: &Db,
    engine: &str,
    url: &str,
    options: &BenchOptions,
    rows: usize,
) -> Result<Figure> {
    let file = options.out.join(format!("enstru-{rows}.csv"));
    write_goods(std::fs::File::create(&file)?, rows)?;
    let config = options.out.join(format!("bench-{engine}.toml"));
    std::fs::write(&config, format!("database_url = \"{url}\"\n"))?;
    let before = jospar_goods::store::count_goods(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let output = tokio::process::Command::new(&options.jospar)
        .arg("--config")
        .arg(&config)
        .args(["import", "goods"])
        .arg(&file)
        .env("JOSPAR_PEAK_RSS", "1")
        .env("JOSPAR_LOG", "warn")
        .output()
        .await?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("{engine}: goods import failed: {stderr}");
    }
    let peak_kb: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    let after = jospar_goods::store::count_goods(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if (after - before) as usize != rows {
        bail!(
            "{engine}: the goods import stored {} goods of {rows}",
            after - before
        );
    }
    let timing = Timing {
        runs: 1,
        p50_ms: elapsed.as_secs_f64() * 1000.0,
        p99_ms: elapsed.as_secs_f64() * 1000.0,
        throughput: rows as f64 / elapsed.as_secs_f64(),
        errors: 0,
    };
    let peak_rss_mb = peak_kb / 1024.0;
    Ok(Figure {
        engine: engine.to_string(),
        name: "import of the goods classifier (ЕНС ТРУ), checked, committed (goods/s)".into(),
        scope: "import".into(),
        rows,
        met: timing.throughput >= 20_000.0 && peak_rss_mb <= 256.0,
        timing,
        baseline: None,
        speedup: None,
        answer_read: None,
        over_answer_read: None,
        peak_rss_mb: Some(peak_rss_mb),
        target: "≥ 20,000 goods/s, peak RSS ≤ 256 MB".into(),
    })
}

/// A goods classifier in the native layout: `rows` distinct codes `NNNNNN.NNN.NNNNNN`, every
/// tenth a service, names in both languages.
pub fn write_goods(out: impl std::io::Write, rows: usize) -> Result<()> {
    let mut out = std::io::BufWriter::new(out);
    writeln!(out, "code;kind;name_ru;name_kk;unit")?;
    for k in 0..rows {
        let code = format!(
            "{:06}.{:03}.{:06}",
            100_000 + k / 1_000_000,
            (k / 1_000) % 1_000,
            k % 1_000
        );
        let kind = if k % 10 == 0 { "service" } else { "goods" };
        writeln!(
            out,
            "{code};{kind};Товар {k} сгенерированный;Жасалған {k} тауар;штука"
        )?;
    }
    out.flush()?;
    Ok(())
}

/// A 5-52 in the documented layout (data/treasury/5-52-sample.csv) with `rows` distinct code
/// lines and its total: real administrator and specific codes, programs 001…999. The header
/// is the file's fourth row, so data row `k` (from 1) is the file's row `k + 4`.
pub fn write_552(out: impl std::io::Write, rows: usize) -> Result<()> {
    let abps = [
        "261", "251", "252", "253", "254", "255", "256", "257", "258", "262",
    ];
    let specifics = [
        "111", "112", "113", "116", "121", "122", "124", "141", "144", "149", "151", "152", "159",
        "161", "169",
    ];
    let mut out = std::io::BufWriter::new(out);
    writeln!(
        out,
        "Отчет о кассовом исполнении бюджета по бюджетным программам (форма 5-52);;;;;;;;"
    )?;
    writeln!(out, "Бюджет: сгенерированный областной бюджет;;;;;;;;")?;
    writeln!(out, "На 01.12;;;;;;;;")?;
    writeln!(
        out,
        "АБП;Программа;Подпрограмма;Специфика;Наименование;План на год;План на период;Кассовые расходы;Остаток"
    )?;
    let (mut year, mut period, mut paid) = (0i64, 0i64, 0i64);
    let tenge = |tiyn: i64| format!("{},{:02}", tiyn / 100, tiyn % 100);
    let mut written = 0;
    'all: for abp in abps {
        for program in 1..1000 {
            for specific in specifics {
                for subprogram in ["011", "015", "000", "032"] {
                    if written == rows {
                        break 'all;
                    }
                    let plan_year = 10_000_000 + (written as i64 % 977) * 100_000;
                    let plan_period = plan_year / 12 * 11;
                    let executed = plan_period - (written as i64 % 13) * 100;
                    writeln!(
                        out,
                        "{abp};{program:03};{subprogram};{specific};Расходы;{};{};{};{}",
                        tenge(plan_year),
                        tenge(plan_period),
                        tenge(executed),
                        tenge(plan_period - executed)
                    )?;
                    year += plan_year;
                    period += plan_period;
                    paid += executed;
                    written += 1;
                }
            }
        }
    }
    writeln!(
        out,
        "Итого;;;;;{};{};{};{}",
        tenge(year),
        tenge(period),
        tenge(paid),
        tenge(period - paid)
    )?;
    out.flush()?;
    if written != rows {
        bail!("the code space holds only {written} rows");
    }
    Ok(())
}

/// The peak resident memory of this process (Linux), in kB.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| format!("{:.1} GB RAM", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {memory}")
}

fn ms(t: &Timing) -> String {
    format!("{:.2}", t.p50_ms)
}

/// The table of a run, as printed and as written into BENCHMARKS.md.
pub fn table(report: &BenchReport) -> String {
    let mut out = String::from(
        "| engine | measured | scope | rows | p50 ms | p99 ms | throughput /s | errors | GROUP BY p50 ms | speed-up | answer read p50 ms | × answer read | peak RSS MB | target | met |\n\
         |---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n",
    );
    for run in &report.engines {
        for f in &run.figures {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {:.2} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                f.engine,
                f.name,
                f.scope,
                f.rows,
                ms(&f.timing),
                f.timing.p99_ms,
                f.timing.throughput,
                f.timing.errors,
                f.baseline.as_ref().map(ms).unwrap_or_default(),
                f.speedup.map(|s| format!("{s:.1}×")).unwrap_or_default(),
                f.answer_read.as_ref().map(ms).unwrap_or_default(),
                f.over_answer_read
                    .map(|s| format!("{s:.2}×"))
                    .unwrap_or_default(),
                f.peak_rss_mb
                    .map(|m| format!("{m:.0}"))
                    .unwrap_or_default(),
                f.target,
                if f.met { "yes" } else { "**no**" },
            ));
        }
    }
    out
}

fn markdown_of(report: &BenchReport, png: &Path) -> String {
    let mut out = String::from("# Benchmarks\n\n");
    out.push_str(
        "Written by `jospar bench`; every figure below comes from the run it describes. \
         Each consolidated report is measured beside two baselines from the same run on the same \
         data: the one SQL `GROUP BY` over the detail rows a SQL-reporting system would run, and \
         the mere reading of the report's answer rows. Reports read the totals kept up to date in \
         the transactions that change plans and requests (`crates/consolidation`); `jospar verify` \
         checks them against the detail, and the run checks them before and after its loads. \
         A row of a plan's answer is one administrator and codes (program, subprogram, specific) \
         with its twelve months of obligations and payments across; a row of a request's answer \
         is one administrator and codes with the current year and the three planning years \
         across. The baselines group the detail into the same rows (one `SUM(CASE …)` per \
         month or year).\n\n",
    );
    out.push_str(&format!(
        "- Machine: {}\n- Command: `{}`\n- Scale: {:?}, seed {}\n- Run at: {}\n\n",
        report.machine, report.command, report.scale, report.seed, report.started_at
    ));
    out.push_str("## Generation\n\n| engine | scale | seconds | rows written | kept totals verified |\n|---|---|---:|---|---|\n");
    for run in &report.engines {
        out.push_str(&format!(
            "| {} | {:?} | {:.1} | {} | {} |\n",
            run.engine,
            run.scale,
            run.generation_seconds,
            serde_json::to_string(&run.counts).unwrap_or_default(),
            if run.verified { "yes" } else { "no" }
        ));
    }
    out.push_str("\n## Figures\n\n");
    out.push_str(&table(report));
    out.push_str(&format!(
        "\n## Scaling from institution to region{}\n\n![p50 by scope, kept totals against GROUP BY]({})\n\n",
        if report.engines.iter().any(|e| e.scale == Scale::Republic) {
            " to republic"
        } else {
            ""
        },
        png.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    ));
    out.push_str(
        "The plot shows, for each engine, the p50 of the consolidated financing plan read from the \
         kept totals and of its `GROUP BY` baseline, for one institution, one administrator's \
         subtree and the whole region (log scale): the kept read grows with the answer, the \
         baseline with the detail below the node.\n",
    );
    out
}

/// `jospar bench`: runs, prints the table.
pub async fn main(options: BenchOptions) -> Result<()> {
    let report = run(&options).await?;
    println!("{}", table(&report));
    println!(
        "written: {} and {}{}",
        options.out.join("bench.json").display(),
        options.out.join("bench.png").display(),
        options
            .markdown
            .as_ref()
            .map(|m| format!(", {}", m.display()))
            .unwrap_or_default()
    );
    Ok(())
}
