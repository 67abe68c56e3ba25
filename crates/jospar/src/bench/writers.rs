//! Concurrent writers: each of 100 writers, on its own institution, saves a line of
//! its budget request with the limit check, then a change of its financing plan with the plan's
//! invariants, again and again for a fixed time. Latency includes waiting for the database.
//!
//! Two loads: writers at a person's pace — fast for a person — pausing `PACE` after each save
//! (100 writers offer 100 saves a second), where the latency target applies; and writers that
//! never pause, which measures the most saves a second the system takes (saturation), where a
//! closed loop of 100 makes latency simply 100 ÷ throughput.

use super::{Figure, Timing};
use anyhow::{Context, Result, anyhow};
use chrono::Utc;
use jospar_core::Tenge;
use jospar_execution::{Basis, ChangeDoc, ChangeKind, LineMove, MonthMove, plans};
use jospar_planning::repo::{self as planning, Target};
use jospar_store::{Db, Who};
use std::time::{Duration, Instant};

/// The writers' count the issue asks for (fewer when the scale has fewer institutions).
const WRITERS: usize = 100;

/// How long a paced writer waits after each save.
pub const PACE: Duration = Duration::from_secs(1);

struct Writer {
    who: Who,
    request_id: i64,
    org_id: i64,
    campaign_id: i64,
    first_year: i32,
    line_id: i64,
    form: jospar_forms::FormDef,
    plan_id: i64,
}

#[derive(Default)]
struct Samples {
    line_saves: Vec<Duration>,
    plan_changes: Vec<Duration>,
    errors: usize,
}

pub async fn figures(
    db: &Db,
    engine: &str,
    g: &crate::scale::Generated,
    seconds: u64,
    paced: bool,
) -> Result<Vec<Figure>> {
    let region = &g.regions[0];
    let count = WRITERS
        .min(region.open_requests.len())
        .min(region.plans.len());
    let forms = planning::forms(db).await?;
    let mut writers = Vec::new();
    for i in 0..count {
        let (request_id, org_id) = region.open_requests[i];
        // The request's own campaign: the oblast's, or its district's.
        let campaign_id = planning::request(db, request_id)
            .await?
            .context("a generated request")?
            .campaign_id;
        let line = planning::lines(db, request_id)
            .await?
            .into_iter()
            .next()
            .context("a generated request has lines")?;
        let form = forms
            .iter()
            .find(|f| f.code == line.form_code)
            .cloned()
            .context("the line's form")?;
        writers.push(Writer {
            who: Who {
                user_id: None,
                login: format!("bench.writer.{i}"),
                iin: String::new(),
            },
            request_id,
            org_id,
            campaign_id,
            first_year: g.year,
            line_id: line.id,
            form,
            plan_id: region.plans[i],
        });
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let pace = paced.then_some(PACE);
    for (i, writer) in writers.into_iter().enumerate() {
        let db = db.clone();
        // Paced writers start spread over one pause, as people do, not all at one instant.
        let start = pace.map(|p| p * i as u32 / count.max(1) as u32);
        tasks.push(tokio::spawn(async move {
            write_until(&db, writer, deadline, start, pace).await
        }));
    }
    let mut all = Samples::default();
    for task in tasks {
        let samples = task.await?;
        all.line_saves.extend(samples.line_saves);
        all.plan_changes.extend(samples.plan_changes);
        all.errors += samples.errors;
    }
    let wall = started.elapsed();
    let load = if paced {
        format!(
            "{count} concurrent writers, each pausing {} s after a save",
            PACE.as_secs()
        )
    } else {
        format!("{count} concurrent writers without pause (saturation)")
    };
    let figure = |name: &str, samples: Vec<Duration>| {
        let timing = Timing::of(samples, wall, all.errors);
        let (target, met) = if paced {
            ("p99 ≤ 20 ms", timing.p99_ms <= 20.0 && timing.errors == 0)
        } else {
            ("none: the most saves a second", timing.errors == 0)
        };
        Figure::measured(
            engine,
            format!("{name}, {load}"),
            if paced { "writes" } else { "writes-saturation" },
            1,
            met,
            timing,
            target,
        )
    };
    Ok(vec![
        figure(
            "request line saved with its limit check",
            std::mem::take(&mut all.line_saves),
        ),
        figure(
            "financing-plan change with its invariants",
            std::mem::take(&mut all.plan_changes),
        ),
    ])
}

async fn write_until(
    db: &Db,
    writer: Writer,
    deadline: Instant,
    start: Option<Duration>,
    pace: Option<Duration>,
) -> Samples {
    let mut samples = Samples::default();
    if let Some(start) = start {
        tokio::time::sleep(start).await;
    }
    let mut version = match planning::request(db, writer.request_id).await {
        Ok(Some(r)) => r.version,
        _ => {
            samples.errors += 1;
            return samples;
        }
    };
    let mut price = 100_000; // 1,000 tenge, in tiyn
    while Instant::now() < deadline {
        let t = Instant::now();
        match save_line(db, &writer, version, price).await {
            Ok(()) => {
                version += 1;
                samples.line_saves.push(t.elapsed());
            }
            Err(_) => samples.errors += 1,
        }
        price += 1;
        if let Some(pause) = pace {
            tokio::time::sleep(pause).await;
        }
        let t = Instant::now();
        match change_plan(db, &writer).await {
            Ok(()) => samples.plan_changes.push(t.elapsed()),
            Err(_) => samples.errors += 1,
        }
        if let Some(pause) = pace {
            tokio::time::sleep(pause).await;
        }
    }
    samples
}

/// What a save of a line's rows does (BP-1, BP-4): the form computes the amount, the rows are
/// stored, and the request is checked against the limits the institution received.
async fn save_line(db: &Db, w: &Writer, version: i64, price: i64) -> Result<()> {
    let rows = vec![crate::scale::form_row(&w.form, price)];
    let target = Target {
        request_id: w.request_id,
        version,
    };
    planning::set_rows(db, &w.who, target, w.line_id, w.first_year, &rows, &w.form)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let lines = planning::lines(db, w.request_id).await?;
    let limits = jospar_limits::repo::amounts_of(db, w.campaign_id, w.org_id).await?;
    let years = [w.first_year, w.first_year + 1, w.first_year + 2];
    jospar_planning::check_limits(&lines, &years, |program, year, kind| {
        limits
            .iter()
            .find(|a| a.slot.program == program && a.slot.year == year && a.slot.kind == kind)
            .map(|a| a.amount)
            .unwrap_or_default()
    })
    .map_err(|e| anyhow!("{e}"))
}

/// A change certificate moving one tenge of payments from March to April (EX-2): refused
/// whole if any rule breaks; the kept totals change in the same transaction.
async fn change_plan(db: &Db, w: &Writer) -> Result<()> {
    let plan = plans::plan(db, w.plan_id)
        .await?
        .context("the writer's plan")?;
    let line = plan.lines.first().context("a plan line")?;
    let doc = ChangeDoc {
        number: 0,
        kind: ChangeKind::Certificate,
        dated: Utc::now().date_naive(),
        reason: "jospar bench".into(),
        moves: vec![LineMove {
            expense_id: line.expense_id,
            change: MonthMove {
                basis: Basis::Payments,
                from_month: 3,
                to_month: 4,
                amount: Tenge::from_tiyn(100),
            },
        }],
    };
    plans::add_change(db, &w.who, &plan, doc)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(())
}
