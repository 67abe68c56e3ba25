//! Issue 30 (specification item 15): the monthly self-check on SQLite and on PostgreSQL. A
//! sound database with a fresh backup passes every check of its own; a kept total off by one
//! tiyn, a backup cut short and a backup whose rows differ from the counts kept with it are
//! each found and fail the run; an integration that does not answer fails, one that answers
//! passes, and the exchange monitor's last failure is a warning; API tokens about to end are
//! warned of. The reports are kept, the system administrator's alone, on the page and in the
//! API, and `jospar selfcheck` exits 1 on a failure.

use crate::app::{Engine, TestApp, spawn};
use crate::execution::get_json;
use jospar::config::Config;
use jospar_service::selfcheck::{Level, Report};
use jospar_store::{Who, exec_db, on_db};
use std::path::{Path, PathBuf};

#[tokio::test]
async fn selfcheck_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    selfcheck(&app).await;
}

#[tokio::test]
async fn selfcheck_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    selfcheck(&app).await;
}

fn level(report: &Report, name: &str, system: Option<&str>) -> Level {
    report
        .checks
        .iter()
        .find(|c| c.name == name && c.system.as_deref() == system)
        .unwrap_or_else(|| panic!("{name} {system:?} in {report:?}"))
        .level()
}

fn keys(report: &Report, name: &str) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|c| c.name == name)
        .flat_map(|c| c.findings.iter().map(|f| f.key.clone()))
        .collect()
}

fn backup_folder(app: &TestApp) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "jospar-selfcheck-{}-{:?}-{}",
        std::process::id(),
        app.engine,
        jospar_core::ids::new_id()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

/// Cuts the copy to half its length.
fn cut_short(copy: &Path) {
    let bytes = std::fs::read(copy).expect("copy");
    std::fs::write(copy, &bytes[..bytes.len() / 2]).expect("cut");
}

async fn selfcheck(app: &TestApp) {
    let dir = backup_folder(app);
    let roots = dir.join("roots.pem");
    std::fs::write(&roots, app.ca.root_pem()).expect("roots");
    let config = Config {
        database_url: app.url.clone(),
        backup_dir: Some(dir.clone()),
        eds_trusted_roots: Some(roots),
        emin_url: Some(app.emin.url()),
        emin_token: "test-token".into(),
        ..Default::default()
    };
    let who = Who::system();
    let admin = app.token("admin").await;

    // No backup yet: a failure.
    let report = jospar::selfcheck::run(&app.db, &config, &who)
        .await
        .expect("run");
    assert_eq!(level(&report, "backup", None), Level::Failed);
    assert_eq!(keys(&report, "backup"), ["backup-none"]);

    // A sound database with a fresh copy: every check of its own passes.
    let copy = jospar::backup::run_once(&app.db, &config, &dir)
        .await
        .expect("backup");
    let report = jospar::selfcheck::run(&app.db, &config, &who)
        .await
        .expect("run");
    assert_eq!(level(&report, "verify", None), Level::Ok, "{report:?}");
    assert_eq!(
        keys(&report, "verify"),
        ["verify-ok"],
        "the saved head is checked"
    );
    assert_eq!(level(&report, "integrity", None), Level::Ok, "{report:?}");
    assert_eq!(level(&report, "backup", None), Level::Ok, "{report:?}");
    assert_eq!(keys(&report, "backup"), ["backup-restored"]);
    assert_eq!(level(&report, "eds_roots", None), Level::Ok, "{report:?}");
    assert_eq!(level(&report, "integration", Some("emin")), Level::Ok);
    assert_eq!(level(&report, "integration", Some("shep")), Level::Skipped);
    // The test's tokens end in 10 days.
    assert_eq!(level(&report, "api_tokens", None), Level::Warning);
    assert!(keys(&report, "api_tokens").contains(&"token-expiring".to_string()));
    assert_eq!(report.outcome, Level::Warning, "{report:?}");

    // A backup whose rows differ from the counts kept with it.
    let counts_file = jospar::backup::counts_path(&copy);
    let mut counts = jospar::backup::read_counts(&copy)
        .expect("counts")
        .expect("kept with the copy");
    *counts.get_mut("users").expect("users") += 1;
    jospar::backup::write_counts(&copy, &counts).expect("write");
    let report = jospar::selfcheck::run(&app.db, &config, &who)
        .await
        .expect("run");
    assert_eq!(report.outcome, Level::Failed);
    let differs = &report
        .checks
        .iter()
        .find(|c| c.name == "backup")
        .expect("backup")
        .findings;
    assert_eq!(differs.len(), 1, "{differs:?}");
    assert_eq!(differs[0].key, "backup-count-differs");
    assert_eq!(differs[0].args["table"], "users");
    std::fs::remove_file(counts_file).expect("remove the counts");

    // A copy cut short does not restore.
    cut_short(&copy);
    let report = jospar::selfcheck::run(&app.db, &config, &who)
        .await
        .expect("run");
    assert_eq!(level(&report, "backup", None), Level::Failed);
    assert_eq!(keys(&report, "backup"), ["backup-unreadable"], "{report:?}");

    // A kept total one tiyn off; an integration that does not answer, one whose last
    // exchange failed.
    tamper_a_kept_total(app, true).await;
    let broken = Config {
        passport_url: Some("http://127.0.0.1:9".into()),
        open_budgets_url: Some(app.open_budgets.url()),
        ..config.clone()
    };
    jospar_execution::journal::insert(
        &app.db,
        &jospar_adapter::ExchangeRecord {
            system: "obportal".into(),
            operation: "UploadProgram".into(),
            direction: jospar_adapter::Direction::Outbound,
            url: app.open_budgets.url(),
            started_at: chrono::Utc::now(),
            duration_ms: 10,
            attempt: 1,
            status: Some(500),
            bytes_sent: 1,
            bytes_received: 1,
            outcome: jospar_adapter::Outcome::Error("HTTP 500: portal down".into()),
        },
    )
    .await
    .expect("journal");
    let report = jospar::selfcheck::run(&app.db, &broken, &who)
        .await
        .expect("run");
    assert_eq!(level(&report, "verify", None), Level::Failed);
    assert!(keys(&report, "verify").contains(&"totals-differ".to_string()));
    assert_eq!(
        level(&report, "integration", Some("passport")),
        Level::Failed
    );
    assert_eq!(
        level(&report, "integration", Some("obportal")),
        Level::Warning
    );

    // `jospar selfcheck` exits 1 on a failure, and prints what failed.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args(["selfcheck", "--lang", "ru"])
        .env("JOSPAR_DATABASE_URL", &app.url)
        .env("JOSPAR_BACKUP_DIR", &dir)
        .output()
        .expect("jospar selfcheck");
    let printed = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains("Хранимые итоги расходятся с детализацией"),
        "{printed}"
    );
    tamper_a_kept_total(app, false).await;
    assert!(
        jospar::verify::verify(&app.db)
            .await
            .expect("verify")
            .holds()
    );

    // The reports are kept, newest first, for the system administrator alone.
    let (status, page) = get_json(app, &admin, "/selfcheck/reports?limit=2").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 6, "{page}");
    assert_eq!(page["reports"][0]["run_by"], "jospar selfcheck");
    assert_eq!(page["reports"][0]["outcome"], "failed");
    let id = page["reports"][1]["id"].as_i64().expect("id");
    let (status, one) = get_json(app, &admin, &format!("/selfcheck/reports/{id}")).await;
    assert_eq!((status, one["id"].as_i64()), (200, Some(id)), "{one}");
    let planner = app.token("planner").await;
    for path in [
        "/selfcheck/reports".to_string(),
        format!("/selfcheck/reports/{id}"),
    ] {
        assert_eq!(get_json(app, &planner, &path).await.0, 403, "{path}");
    }
    assert_eq!(get_json(app, &admin, "/selfcheck/reports/1").await.0, 404);
    let audited: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'selfcheck_report'").fetch_one(pool).await)
    .expect("audit");
    assert_eq!(audited, 6);

    // The page, in both languages, failures marked.
    let browser = app.signed_in("admin").await;
    for (lang, text) in [
        ("ru", "Хранимые итоги расходятся"),
        ("kk", "Сақталған жиынтықтар"),
    ] {
        let html = browser
            .get(app.url(&format!("/selfcheck?lang={lang}")))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("text");
        assert!(html.contains(text), "{lang}: {html}");
        assert!(html.contains("data-level=\"failed\""));
    }
    let planner_page = app.signed_in("planner").await;
    let refused = planner_page
        .get(app.url("/selfcheck"))
        .send()
        .await
        .expect("page");
    assert_eq!(refused.status(), 403);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Puts a kept plan total of one tiyn that no plan holds (or takes it away again).
async fn tamper_a_kept_total(app: &TestApp, put: bool) {
    let node = app
        .org_id("Управление образования Мангистауской области")
        .await;
    if put {
        let months: Vec<String> = (1..=12)
            .flat_map(|m| [format!("o{m}"), format!("p{m}")])
            .collect();
        let amounts: Vec<&str> = months
            .iter()
            .map(|m| if m == "p1" { "1" } else { "0" })
            .collect();
        let insert = format!(
            "INSERT INTO plan_totals (node_id, year, admin_id, program, subprogram, specific, {}) \
             VALUES ($1, 2099, 0, '001', '000', '111', {})",
            months.join(", "),
            amounts.join(", ")
        );
        exec_db!(&app.db, pool => sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
            .bind(node).execute(pool).await)
        .expect("tamper");
    } else {
        exec_db!(&app.db, pool => sqlx::query(
            "DELETE FROM plan_totals WHERE node_id = $1 AND year = 2099")
            .bind(node).execute(pool).await)
        .expect("repair");
    }
}
