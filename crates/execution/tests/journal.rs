//! The exchange journal in the database, on SQLite and (when reachable) PostgreSQL: every attempt
//! of a call is a row, failures included, and reads back as written.

use jospar_adapter::{
    AdapterConfig, Call, Direction, ExchangeJournal, ExchangeRecord, HttpClient, Outcome,
};
use jospar_execution::journal::{DbJournal, recent};
use jospar_store::Db;
use std::sync::Arc;
use std::time::Duration;

async fn sqlite() -> Db {
    let dir = std::env::temp_dir().join(format!("jospar-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("journal.db");
    let _ = std::fs::remove_file(&path);
    Db::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("sqlite")
}

/// A fresh PostgreSQL database, or none when the server is unreachable (outside CI).
async fn postgres() -> Option<Db> {
    let admin_url = std::env::var("JOSPAR_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let Ok(admin) = Db::connect(&admin_url).await else {
        assert!(
            std::env::var("CI").map(|v| v != "true").unwrap_or(true),
            "PostgreSQL unreachable in CI"
        );
        eprintln!("SKIPPED: PostgreSQL unreachable at {admin_url}");
        return None;
    };
    let name = format!("jospar_journal_{}", std::process::id());
    let Db::Postgres(pool) = &admin else {
        unreachable!("connected to postgres")
    };
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        jospar_store::sqlx::query(jospar_store::sqlx::AssertSqlSafe(statement))
            .execute(pool)
            .await
            .expect("database");
    }
    admin.close().await;
    let server = admin_url.rsplit_once('/').expect("url").0;
    Some(
        Db::connect(&format!("{server}/{name}"))
            .await
            .expect("postgres"),
    )
}

async fn every_attempt_is_kept(db: Db) {
    db.migrate().await.expect("migrate");
    let journal = Arc::new(DbJournal::new(db.clone()));
    // A port nothing listens on: two attempts, both failed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let config = AdapterConfig::new(&format!("http://user:pw@127.0.0.1:{port}"))
        .retries(1)
        .backoff(Duration::from_millis(5), Duration::from_millis(10));
    let client = HttpClient::with_journal("passport", config, journal.clone());
    let error = client
        .send(Call::post(
            "publish-report",
            "/api/reports",
            "application/json",
            b"{}".to_vec(),
        ))
        .await
        .expect_err("nothing listens");
    assert!(error.is_unreachable());
    let answered = ExchangeRecord {
        system: "shep".into(),
        operation: "SendMessage FUPF_FINANCING_PLAN".into(),
        direction: Direction::Outbound,
        url: "http://bus/bip-sync-wss-gost/".into(),
        started_at: chrono::Utc::now(),
        duration_ms: 42,
        attempt: 1,
        status: Some(200),
        bytes_sent: 2048,
        bytes_received: 1024,
        outcome: Outcome::Ok,
    };
    journal.record(&answered).await;

    let passport = recent(&db, Some("passport"), 10).await.expect("read");
    assert_eq!(passport.len(), 2, "{passport:?}");
    let attempts: Vec<i64> = passport.iter().map(|e| e.attempt).collect();
    assert_eq!(attempts, [2, 1], "newest first");
    for entry in &passport {
        assert_eq!(
            (entry.outcome.as_str(), entry.http_status, entry.bytes_sent),
            ("error", None, 2)
        );
        assert!(entry.error.as_deref().is_some_and(|e| !e.is_empty()));
        assert_eq!(entry.url, format!("http://127.0.0.1:{port}/api/reports"));
    }
    let all = recent(&db, None, 10).await.expect("read");
    assert_eq!(all.len(), 3);
    let shep = recent(&db, Some("shep"), 10).await.expect("read");
    assert_eq!(
        (
            shep[0].outcome.as_str(),
            shep[0].http_status,
            shep[0].bytes_received,
            shep[0].direction.as_str()
        ),
        ("ok", Some(200), 1024, "outbound")
    );
    db.close().await;
}

#[tokio::test]
async fn every_attempt_is_kept_on_sqlite() {
    every_attempt_is_kept(sqlite().await).await;
}

#[tokio::test]
async fn every_attempt_is_kept_on_postgres() {
    if let Some(db) = postgres().await {
        every_attempt_is_kept(db).await;
    }
}
