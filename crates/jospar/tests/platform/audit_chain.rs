//! The audit chain from the command line (P-4, issue 19 point 5), on SQLite and PostgreSQL:
//! `jospar backup` prints the chain's head and keeps it in the backup folder, the daily backup
//! does the same; `jospar verify` walks the chain and exits non-zero at a changed or removed
//! row, naming its place and id, and at a log rewritten and chained again whole, which only the
//! saved head reveals.

use crate::app::{Engine, fresh_database};
use jospar_store::{Db, audit, exec_db, on_db};
use std::path::Path;
use std::process::Output;

fn jospar(url: &str, backups: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args(["--config", "/nonexistent/jospar.toml"])
        .args(args)
        .env("JOSPAR_DATABASE_URL", url)
        .env("JOSPAR_BACKUP_DIR", backups)
        .output()
        .expect("jospar")
}

fn text(output: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn sql(db: &Db, statement: &str) {
    let statement = jospar_store::sqlx::AssertSqlSafe(statement.to_string());
    exec_db!(db, pool => jospar_store::sqlx::raw_sql(statement).execute(pool).await).expect("sql");
}

/// An attacker with access to the database: the triggers go first.
async fn drop_triggers(db: &Db) {
    match db {
        Db::Sqlite(_) => {
            for trigger in [
                "audit_log_no_update",
                "audit_log_no_delete",
                "audit_log_no_replace",
                "audit_log_chained",
                "audit_chain_forward",
            ] {
                sql(db, &format!("DROP TRIGGER {trigger}")).await;
            }
        }
        Db::Postgres(_) => {
            sql(db, "ALTER TABLE audit_log DISABLE TRIGGER USER").await;
            sql(db, "ALTER TABLE audit_chain DISABLE TRIGGER USER").await;
        }
    }
}

async fn row_at(db: &Db, seq: i64) -> i64 {
    on_db!(db, pool => jospar_store::sqlx::query_scalar("SELECT id FROM audit_log WHERE seq = $1").bind(seq).fetch_one(pool).await)
        .expect("row")
}

/// Chains every row again from the first, and moves the head: what an attacker who knows the
/// scheme does after changing a row.
async fn chain_again(db: &Db) {
    let rows: Vec<audit::ChainedRow> = on_db!(db, pool => jospar_store::sqlx::query_as(
        "SELECT seq, id, at, user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason, prev_hash, hash \
         FROM audit_log ORDER BY seq").fetch_all(pool).await).expect("rows");
    let mut prev = audit::GENESIS.to_string();
    for row in &rows {
        let hash = audit::row_hash(&prev, row.seq.expect("seq"), row);
        exec_db!(db, pool => jospar_store::sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3")
            .bind(&prev).bind(&hash).bind(row.id).execute(pool).await)
        .expect("chain again");
        prev = hash;
    }
    exec_db!(db, pool => jospar_store::sqlx::query("UPDATE audit_chain SET hash = $1 WHERE id = 1")
        .bind(&prev).execute(pool).await)
    .expect("head");
}

async fn verify_finds_what_was_done_to_the_log(engine: Engine) {
    let Some(url) = fresh_database(engine).await else {
        return;
    };
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    jospar::demo::load_if_empty(&db).await.expect("demo data");
    let backups = std::env::temp_dir().join(format!(
        "jospar_audit_heads_{}_{engine:?}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&backups);

    // No saved head yet: the chain is checked within the database.
    let output = jospar(&url, &backups, &["verify"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("no saved head"), "{}", text(&output));

    // The daily backup keeps the head in the folder (and the log); so does `jospar backup`,
    // which prints it.
    let config = jospar::config::Config {
        database_url: url.clone(),
        backup_dir: Some(backups.clone()),
        ..Default::default()
    };
    jospar::backup::run_once(&db, &config, &backups)
        .await
        .expect("daily backup");
    let daily = jospar::backup::newest_head(&backups)
        .expect("heads")
        .expect("a head file");
    let head = db.audit_head().await.expect("head");
    assert!(head.seq > 10, "the demo region writes audit rows: {head:?}");
    assert_eq!(
        jospar::backup::read_head(&daily).expect("read").hash,
        head.hash
    );
    // Saved heads are not backups: pruning leaves them.
    jospar::backup::prune(&backups, 1).expect("prune");
    assert!(daily.exists());
    let copy = backups.join("before-the-change.backup");
    let output = jospar(&url, &backups, &["backup", &copy.display().to_string()]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(copy.exists());
    let printed = format!("audit chain head: seq {} hash {}", head.seq, head.hash);
    assert!(text(&output).contains(&printed), "{}", text(&output));
    let saved = jospar::backup::newest_head(&backups)
        .expect("heads")
        .expect("a head file");
    assert_ne!(saved, daily);
    assert_eq!(
        jospar::backup::read_head(&saved).expect("read").seq,
        head.seq
    );
    let output = jospar(&url, &backups, &["verify"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains(&format!(
            "checking the audit chain against {}",
            saved.display()
        )),
        "{}",
        text(&output)
    );

    // A changed field: found at its place, with its id.
    drop_triggers(&db).await;
    let changed = row_at(&db, 5).await;
    sql(
        &db,
        &format!("UPDATE audit_log SET login = 'someone.else' WHERE id = {changed}"),
    )
    .await;
    let output = jospar(&url, &backups, &["verify", "--no-head"]);
    assert!(!output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains(&format!(
            "the audit chain is broken at seq 5 (row id {changed}): the row's fields do not match its hash"
        )),
        "{}",
        text(&output)
    );

    // Chained again whole: the database alone holds, the saved head does not.
    chain_again(&db).await;
    let output = jospar(&url, &backups, &["verify", "--no-head"]);
    assert!(output.status.success(), "{}", text(&output));
    let output = jospar(&url, &backups, &["verify"]);
    assert!(!output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("does not hold the saved head")
            && text(&output).contains("the log was rewritten"),
        "{}",
        text(&output)
    );
    let output = jospar(
        &url,
        &backups,
        &["verify", "--head", &daily.display().to_string()],
    );
    assert!(!output.status.success(), "{}", text(&output));

    // A removed row: found at its place, the id being the row found there instead.
    let removed = row_at(&db, 7).await;
    let next = row_at(&db, 8).await;
    sql(&db, &format!("DELETE FROM audit_log WHERE id = {removed}")).await;
    let output = jospar(&url, &backups, &["verify", "--no-head"]);
    assert!(!output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains(&format!(
            "the audit chain is broken at seq 7 (row id {next}): the row at seq 7 is missing"
        )),
        "{}",
        text(&output)
    );
    let check = jospar::verify::verify(&db).await.expect("verify");
    assert!(!check.holds());
    assert_eq!(check.audit.broken.map(|b| b.position), Some(7));
    db.close().await;
    let _ = std::fs::remove_dir_all(&backups);
}

#[tokio::test]
async fn verify_finds_what_was_done_to_the_log_sqlite() {
    verify_finds_what_was_done_to_the_log(Engine::Sqlite).await;
}

#[tokio::test]
async fn verify_finds_what_was_done_to_the_log_postgres() {
    verify_finds_what_was_done_to_the_log(Engine::Postgres).await;
}
