//! The audit log cannot be rewritten (P-4, issue 19 point 5), on SQLite and (when reachable)
//! PostgreSQL: the triggers refuse REPLACE and TRUNCATE besides UPDATE and DELETE; every row is
//! chained to the one before it by its hash, so that a changed, removed or inserted row is found
//! at its place; a log rewritten and re-chained whole holds inside the database but not against
//! a head saved outside; rows from before the chain are chained by the migration; concurrent
//! writers get one chain without gaps.

use jospar_store::{AuditEntry, AuditHead, Db, Who, audit, exec_db, on_db};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

async fn sqlite() -> Db {
    let dir = std::env::temp_dir().join(unique("jospar_audit_chain"));
    std::fs::create_dir_all(&dir).expect("dir");
    Db::connect(&format!("sqlite:{}", dir.join("audit.db").display()))
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
    let name = unique("jospar_audit_chain");
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

/// Runs a scenario on a migrated SQLite database and a migrated PostgreSQL one.
macro_rules! on_both_engines {
    ($sqlite:ident, $postgres:ident, $scenario:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            let db = sqlite().await;
            db.migrate().await.expect("migrate");
            $scenario(db).await;
        }

        #[tokio::test]
        async fn $postgres() {
            if let Some(db) = postgres().await {
                db.migrate().await.expect("migrate");
                $scenario(db).await;
            }
        }
    };
}

async fn write(db: &Db, rows: usize) {
    let who = Who {
        user_id: Some(7),
        login: "planner".into(),
        iin: "900101300123".into(),
    };
    for i in 0..rows {
        let mut tx = db.begin().await.expect("begin");
        tx.audit(AuditEntry {
            who: &who,
            org_id: Some(3),
            entity: "limit",
            entity_id: format!("{i}"),
            action: "update",
            old_value: Some(serde_json::json!({ "amount": i })),
            new_value: Some(serde_json::json!({ "amount": i + 1, "note": "ә ө «x»" })),
            reason: (i % 2 == 0).then(|| "correction".to_string()),
        })
        .await
        .expect("audit");
        tx.commit().await.expect("commit");
    }
}

async fn sql(db: &Db, statement: &str) -> Result<u64, jospar_store::sqlx::Error> {
    let statement = jospar_store::sqlx::AssertSqlSafe(statement.to_string());
    on_db!(db, pool => jospar_store::sqlx::raw_sql(statement).execute(pool).await.map(|r| r.rows_affected()))
}

async fn count(db: &Db) -> i64 {
    on_db!(db, pool => jospar_store::sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await)
        .expect("count")
}

async fn logins(db: &Db) -> Vec<(i64, String)> {
    on_db!(db, pool => jospar_store::sqlx::query_as("SELECT id, login FROM audit_log ORDER BY id").fetch_all(pool).await)
        .expect("logins")
}

async fn ids(db: &Db) -> Vec<i64> {
    logins(db).await.into_iter().map(|(id, _)| id).collect()
}

/// What an attacker with access to the database does first: the triggers go.
async fn drop_triggers(db: &Db) {
    let statements: &[&str] = match db {
        Db::Sqlite(_) => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
            "DROP TRIGGER audit_log_no_replace",
            "DROP TRIGGER audit_log_chained",
            "DROP TRIGGER audit_chain_forward",
        ],
        Db::Postgres(_) => &[
            "ALTER TABLE audit_log DISABLE TRIGGER USER",
            "ALTER TABLE audit_chain DISABLE TRIGGER USER",
        ],
    };
    for statement in statements {
        sql(db, statement).await.expect(statement);
    }
}

async fn rewrites_are_refused(db: Db) {
    write(&db, 3).await;
    let before = logins(&db).await;
    let (id, _) = before[1].clone();
    let seq: i64 = on_db!(&db, pool => jospar_store::sqlx::query_scalar("SELECT seq FROM audit_log WHERE id = $1").bind(id).fetch_one(pool).await).expect("seq");
    let columns = "id, at, user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason, seq, prev_hash, hash";
    let row = |id: i64, seq: i64| {
        format!(
            "({id}, '2026-01-01T00:00:00Z', NULL, 'evil', '', NULL, 'limit', '1', 'update', NULL, NULL, NULL, {seq}, 'x', 'y')"
        )
    };
    let attempts: Vec<String> = match db {
        Db::Sqlite(_) => vec![
            format!(
                "INSERT OR REPLACE INTO audit_log ({columns}) VALUES {}",
                row(id, 1000)
            ),
            format!(
                "REPLACE INTO audit_log ({columns}) VALUES {}",
                row(id, 1001)
            ),
            // the same seq under another id would replace the row through the seq index
            format!(
                "INSERT OR REPLACE INTO audit_log ({columns}) VALUES {}",
                row(1, seq)
            ),
            format!(
                "INSERT INTO audit_log ({columns}) VALUES {} ON CONFLICT (id) DO UPDATE SET login = 'evil'",
                row(id, 1002)
            ),
            "DELETE FROM audit_log".into(),
            "UPDATE audit_log SET login = 'evil'".into(),
            "UPDATE audit_chain SET seq = 0".into(),
            "DELETE FROM audit_chain".into(),
        ],
        Db::Postgres(_) => vec![
            "TRUNCATE audit_log".into(),
            "TRUNCATE audit_log CASCADE".into(),
            format!(
                "INSERT INTO audit_log ({columns}) VALUES {} ON CONFLICT (id) DO UPDATE SET login = 'evil'",
                row(id, 1002)
            ),
            "DELETE FROM audit_log".into(),
            "UPDATE audit_log SET login = 'evil'".into(),
            "TRUNCATE audit_chain".into(),
            "UPDATE audit_chain SET seq = 0".into(),
            "DELETE FROM audit_chain".into(),
        ],
    };
    for attempt in &attempts {
        let result = sql(&db, attempt).await;
        assert!(result.is_err(), "{attempt} must be refused");
        assert_eq!(logins(&db).await, before, "{attempt} changed the log");
    }
    // A row outside the chain is refused too.
    let unchained = "INSERT INTO audit_log (id, at, user_id, login, iin, org_id, entity, entity_id, action) \
         VALUES (1, '2026-01-01T00:00:00Z', NULL, 'evil', '', NULL, 'limit', '1', 'update')";
    assert!(
        sql(&db, unchained).await.is_err(),
        "a row without seq must be refused"
    );
    assert_eq!(logins(&db).await, before);
    let check = db.verify_audit_chain(None).await.expect("verify");
    assert!(check.holds(), "{check:?}");
    assert_eq!(check.rows, 3);
}
on_both_engines!(
    rewrites_are_refused_sqlite,
    rewrites_are_refused_postgres,
    rewrites_are_refused
);

async fn the_chain_holds_and_readers_still_read(db: Db) {
    let empty = db.verify_audit_chain(None).await.expect("verify");
    assert!(empty.holds(), "{empty:?}");
    assert_eq!(
        (empty.head.seq, empty.head.hash.as_str()),
        (0, audit::GENESIS)
    );
    write(&db, 5).await;
    // Two rows in one transaction get consecutive places.
    let mut tx = db.begin().await.expect("begin");
    for entity_id in ["a", "b"] {
        tx.audit(AuditEntry {
            who: &Who::system(),
            org_id: None,
            entity: "org",
            entity_id: entity_id.into(),
            action: "create",
            old_value: None,
            new_value: None,
            reason: None,
        })
        .await
        .expect("audit");
    }
    tx.commit().await.expect("commit");
    // A transaction that does not commit leaves no row and no hole.
    let mut tx = db.begin().await.expect("begin");
    tx.audit(AuditEntry {
        who: &Who::system(),
        org_id: None,
        entity: "org",
        entity_id: "rolled back".into(),
        action: "create",
        old_value: None,
        new_value: None,
        reason: None,
    })
    .await
    .expect("audit");
    drop(tx);
    write(&db, 1).await;

    let check = db.verify_audit_chain(None).await.expect("verify");
    assert!(check.holds(), "{check:?}");
    assert_eq!(check.rows, 8);
    assert_eq!(check.head.seq, 8);
    let saved = db.audit_head().await.expect("head");
    assert_eq!(saved.hash, check.head.hash);
    let against_saved = db.verify_audit_chain(Some(&saved)).await.expect("verify");
    assert!(against_saved.holds(), "{against_saved:?}");

    let entries = db
        .audit_entries(&jospar_store::AuditFilter::default())
        .await
        .expect("entries");
    assert_eq!(entries.len(), 8);
    assert!(
        entries
            .iter()
            .any(|e| e.entity_id == "b" && e.login == "system")
    );
    assert!(!entries.iter().any(|e| e.entity_id == "rolled back"));
    let planner = db
        .audit_entries(&jospar_store::AuditFilter {
            login: Some("planner".into()),
            ..Default::default()
        })
        .await
        .expect("entries");
    assert_eq!(planner.len(), 6);
    assert_eq!(
        planner[0].new_value.as_deref(),
        Some(r#"{"amount":1,"note":"ә ө «x»"}"#)
    );
}
on_both_engines!(
    the_chain_holds_and_readers_still_read_sqlite,
    the_chain_holds_and_readers_still_read_postgres,
    the_chain_holds_and_readers_still_read
);

async fn row_at(db: &Db, seq: i64) -> i64 {
    on_db!(db, pool => jospar_store::sqlx::query_scalar("SELECT id FROM audit_log WHERE seq = $1").bind(seq).fetch_one(pool).await)
        .expect("row")
}

async fn a_changed_field_is_found(db: Db) {
    write(&db, 5).await;
    let id = row_at(&db, 3).await;
    drop_triggers(&db).await;
    sql(
        &db,
        &format!("UPDATE audit_log SET new_value = '{{\"amount\":1000000}}' WHERE id = {id}"),
    )
    .await
    .expect("tamper");
    let check = db.verify_audit_chain(None).await.expect("verify");
    assert!(!check.holds());
    let broken = check.broken.expect("broken");
    assert_eq!((broken.position, broken.id), (3, Some(id)), "{broken:?}");
    assert!(broken.problem.contains("changed"), "{}", broken.problem);
    assert_eq!(check.rows, 2);
}
on_both_engines!(
    a_changed_field_is_found_sqlite,
    a_changed_field_is_found_postgres,
    a_changed_field_is_found
);

async fn a_removed_row_is_found(db: Db) {
    write(&db, 5).await;
    let removed = row_at(&db, 2).await;
    let next = row_at(&db, 3).await;
    drop_triggers(&db).await;
    sql(&db, &format!("DELETE FROM audit_log WHERE id = {removed}"))
        .await
        .expect("remove");
    let check = db.verify_audit_chain(None).await.expect("verify");
    let broken = check.broken.expect("broken");
    assert_eq!((broken.position, broken.id), (2, Some(next)), "{broken:?}");
    assert!(broken.problem.contains("removed"), "{}", broken.problem);

    // The rows at the end removed, and the head in the database left as it was.
    sql(&db, "DELETE FROM audit_log WHERE seq > 1")
        .await
        .expect("remove");
    let check = db.verify_audit_chain(None).await.expect("verify");
    let broken = check.broken.expect("broken");
    assert_eq!((broken.position, broken.id), (2, None), "{broken:?}");
    assert!(
        broken.problem.contains("removed at the end"),
        "{}",
        broken.problem
    );
}
on_both_engines!(
    a_removed_row_is_found_sqlite,
    a_removed_row_is_found_postgres,
    a_removed_row_is_found
);

async fn an_inserted_row_is_found(db: Db) {
    write(&db, 4).await;
    drop_triggers(&db).await;
    // Outside the chain.
    sql(
        &db,
        "INSERT INTO audit_log (id, at, user_id, login, iin, org_id, entity, entity_id, action) \
         VALUES (1, '2026-01-01T00:00:00Z', NULL, 'evil', '', NULL, 'limit', '1', 'update')",
    )
    .await
    .expect("insert");
    let check = db.verify_audit_chain(None).await.expect("verify");
    let broken = check.broken.expect("broken");
    assert_eq!((broken.position, broken.id), (5, Some(1)), "{broken:?}");
    assert!(broken.problem.contains("inserted"), "{}", broken.problem);
    sql(&db, "DELETE FROM audit_log WHERE id = 1")
        .await
        .expect("clean");
    // In the middle, the rows after it moved one place on.
    sql(&db, "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3")
        .await
        .expect("shift");
    sql(
        &db,
        "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000",
    )
    .await
    .expect("shift");
    let prev: String = on_db!(&db, pool => jospar_store::sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 2").fetch_one(pool).await).expect("hash");
    sql(
        &db,
        &format!(
            "INSERT INTO audit_log (id, at, user_id, login, iin, org_id, entity, entity_id, action, seq, prev_hash, hash) \
             VALUES (2, '2026-01-01T00:00:00Z', NULL, 'evil', '', NULL, 'limit', '1', 'update', 3, '{prev}', 'made up')"
        ),
    )
    .await
    .expect("insert");
    let check = db.verify_audit_chain(None).await.expect("verify");
    let broken = check.broken.expect("broken");
    assert_eq!((broken.position, broken.id), (3, Some(2)), "{broken:?}");
}
on_both_engines!(
    an_inserted_row_is_found_sqlite,
    an_inserted_row_is_found_postgres,
    an_inserted_row_is_found
);

/// The attacker changes a row and computes the whole chain again, head included: the database
/// alone holds, the head saved before does not.
async fn a_log_rewritten_and_chained_again_fails_the_saved_head(db: Db) {
    write(&db, 4).await;
    let saved = db.audit_head().await.expect("head");
    write(&db, 2).await;
    let later = db.audit_head().await.expect("head");
    drop_triggers(&db).await;
    let id = row_at(&db, 2).await;
    sql(
        &db,
        &format!("UPDATE audit_log SET reason = 'nothing happened' WHERE id = {id}"),
    )
    .await
    .expect("tamper");
    let rows: Vec<audit::ChainedRow> = on_db!(&db, pool => jospar_store::sqlx::query_as(
        "SELECT seq, id, at, user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason, prev_hash, hash \
         FROM audit_log ORDER BY seq").fetch_all(pool).await).expect("rows");
    let mut prev = audit::GENESIS.to_string();
    for row in &rows {
        let seq = row.seq.expect("seq");
        let hash = audit::row_hash(&prev, seq, row);
        exec_db!(&db, pool => jospar_store::sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3")
            .bind(&prev).bind(&hash).bind(row.id).execute(pool).await).expect("re-chain");
        prev = hash;
    }
    exec_db!(&db, pool => jospar_store::sqlx::query("UPDATE audit_chain SET hash = $1 WHERE id = 1")
        .bind(&prev).execute(pool).await).expect("head");

    let inside = db.verify_audit_chain(None).await.expect("verify");
    assert!(
        inside.holds(),
        "the re-chained log holds by itself: {inside:?}"
    );
    for head in [&saved, &later] {
        let check = db.verify_audit_chain(Some(head)).await.expect("verify");
        assert!(!check.holds());
        let problem = check.saved_head_problem.expect("problem");
        assert!(problem.contains("rewritten"), "{problem}");
        assert!(problem.contains(&format!("seq {}", head.seq)), "{problem}");
    }
    // A saved head beyond the end of the log: rows removed.
    let beyond = AuditHead {
        seq: 99,
        ..later.clone()
    };
    let check = db.verify_audit_chain(Some(&beyond)).await.expect("verify");
    assert!(
        check
            .saved_head_problem
            .expect("problem")
            .contains("not in the log")
    );
}
on_both_engines!(
    a_log_rewritten_and_chained_again_fails_the_saved_head_sqlite,
    a_log_rewritten_and_chained_again_fails_the_saved_head_postgres,
    a_log_rewritten_and_chained_again_fails_the_saved_head
);

/// Many writers at once: one chain, no gap, no two rows at one place, and nothing left
/// unchained when they have all returned.
async fn concurrent_writers_share_one_chain(db: Db) {
    let mut tasks = Vec::new();
    for writer in 0..24 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                let mut tx = db.begin().await.expect("begin");
                tx.audit(AuditEntry {
                    who: &Who::system(),
                    org_id: Some(writer),
                    entity: "request",
                    entity_id: format!("{writer}-{i}"),
                    action: "update",
                    old_value: None,
                    new_value: None,
                    reason: None,
                })
                .await
                .expect("audit");
                tokio::task::yield_now().await;
                tx.commit().await.expect("commit");
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
    // Once every writer has returned, every row is in the chain: none is left waiting for a
    // seal on PostgreSQL (migration 0035), before anything else seals.
    assert_eq!(count(&db).await, 120);
    let waiting: i64 = on_db!(&db, pool => jospar_store::sqlx::query_scalar("SELECT COUNT(*) FROM audit_pending").fetch_one(pool).await)
        .expect("waiting");
    assert_eq!(waiting, 0);
    let check = db.verify_audit_chain(None).await.expect("verify");
    assert!(check.holds(), "{check:?}");
    assert_eq!((check.rows, check.head.seq), (120, 120));
}
on_both_engines!(
    concurrent_writers_share_one_chain_sqlite,
    concurrent_writers_share_one_chain_postgres,
    concurrent_writers_share_one_chain
);

/// Rows written before migration 0034 are chained, in id order, when the migration runs; what
/// is written after follows them.
async fn existing_rows_are_chained_by_the_migration(db: Db) {
    db.migrate_to(33).await.expect("migrate to 0033");
    let at = chrono::Utc::now();
    for (id, login) in [(30, "c"), (10, "a"), (20, "b")] {
        exec_db!(&db, pool => jospar_store::sqlx::query(
            "INSERT INTO audit_log (id, at, user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason) \
             VALUES ($1, $2, NULL, $3, '', 1, 'org', '1', 'create', NULL, '{\"name\":\"Ақтау\"}', NULL)")
            .bind(id).bind(at).bind(login).execute(pool).await)
        .expect("old row");
    }
    db.migrate().await.expect("migrate");
    let check = db.verify_audit_chain(None).await.expect("verify");
    assert!(check.holds(), "{check:?}");
    assert_eq!(check.rows, 3);
    assert_eq!(
        [
            row_at(&db, 1).await,
            row_at(&db, 2).await,
            row_at(&db, 3).await
        ],
        [10, 20, 30]
    );
    // Once chained, those rows are as fixed as any.
    assert!(
        sql(&db, "UPDATE audit_log SET login = 'x' WHERE id = 10")
            .await
            .is_err()
    );
    write(&db, 2).await;
    db.migrate().await.expect("migrate again");
    let check = db.verify_audit_chain(None).await.expect("verify");
    assert!(check.holds(), "{check:?}");
    assert_eq!(check.head.seq, 5);
    assert_eq!(ids(&db).await.len(), 5);
}

#[tokio::test]
async fn existing_rows_are_chained_by_the_migration_sqlite() {
    existing_rows_are_chained_by_the_migration(sqlite().await).await;
}

#[tokio::test]
async fn existing_rows_are_chained_by_the_migration_postgres() {
    if let Some(db) = postgres().await {
        existing_rows_are_chained_by_the_migration(db).await;
    }
}
