//! Issue 19 point 8 (P-7): `jospar restore` is refused while a server uses the database, on
//! both engines. A real `jospar serve` runs under a stream of writes; the restore fails and
//! changes nothing, every acknowledged write is read back; once the server is stopped, the
//! same restore goes through.

use crate::app::{Engine, TestApp, spawn};
use serde_json::json;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// `jospar ARGS` on the test's database.
fn jospar(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args(args)
        .env("JOSPAR_DATABASE_URL", &app.url)
        .output()
        .expect("jospar")
}

/// Starts `jospar serve` on a free port: the child and its address.
fn serve(app: &TestApp) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("JOSPAR_DATABASE_URL", &app.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("Jospar listens on ").map(str::to_string))
        .expect("the server's address");
    // The rest of its output is drained, so that the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, address)
}

async fn refused_while_the_server_runs(engine: Engine) {
    let Some(app) = spawn(engine).await else {
        return;
    };
    let dir =
        std::env::temp_dir().join(format!("jospar-restore-{}-{engine:?}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let copy = dir.join(match engine {
        Engine::Sqlite => "backup.db",
        Engine::Postgres => "backup.dump",
    });
    let copy_text = copy.display().to_string();
    let backup = jospar(&app, &["backup", &copy_text]);
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );

    let (mut server, base) = serve(&app);
    let admin = app.token("admin").await;
    let parent = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let budget = jospar_org::repo::get_org(&app.db, parent)
        .await
        .expect("query")
        .expect("org")
        .budget_id;
    // Writers: institutions created one after another until told to stop; each one the server
    // acknowledged (201) is kept to be read back.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let (mut acknowledged, mut failed) = (Vec::new(), Vec::new());
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let answer = client
                    .post(format!("{base}/api/v1/orgs"))
                    .bearer_auth(&admin)
                    .json(&json!({"parent_id": parent, "kind": "institution", "budget_id": budget,
                                  "bin": "", "name_ru": format!("КГУ «Школа восстановления №{n}»"),
                                  "name_kk": format!("№{n} қалпына келтіру мектебі"), "abp_code": null}))
                    .send()
                    .await;
                match answer {
                    Ok(r) if r.status() == 201 => {
                        let body: serde_json::Value = r.json().await.expect("json");
                        acknowledged.push(body["id"].as_i64().expect("id"));
                    }
                    Ok(r) => failed.push(format!(
                        "{}: {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    )),
                    Err(e) => failed.push(e.to_string()),
                }
            }
            (acknowledged, failed)
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let app_url = app.url.clone();
    let copy_for_restore = copy_text.clone();
    let restore = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_jospar"))
            .args(["restore", &copy_for_restore, "--yes"])
            .env("JOSPAR_DATABASE_URL", &app_url)
            .output()
            .expect("restore")
    })
    .await
    .expect("join");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let (acknowledged, failed) = writer.await.expect("writer");

    assert!(
        !restore.status.success(),
        "a restore under a running server went through"
    );
    let said = String::from_utf8_lossy(&restore.stderr);
    assert!(said.contains("server is using"), "{said}");
    assert!(failed.is_empty(), "writes failed: {failed:?}");
    assert!(acknowledged.len() > 3, "only {} writes", acknowledged.len());
    let fresh = jospar_store::Db::connect(&app.url).await.expect("connect");
    for id in &acknowledged {
        assert!(
            jospar_org::repo::get_org(&fresh, *id)
                .await
                .expect("query")
                .is_some(),
            "acknowledged institution {id} lost"
        );
    }
    fresh.close().await;

    // Stopped, the server no longer holds the database: the same restore goes through and
    // brings back the copy, without the institutions created after it.
    server.kill().expect("kill");
    server.wait().expect("wait");
    // The test's own in-process server shares the database too; it is closed as well.
    app.db.close().await;
    let restored = jospar(&app, &["restore", &copy_text, "--yes"]);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let fresh = jospar_store::Db::connect(&app.url).await.expect("connect");
    for id in &acknowledged {
        assert!(
            jospar_org::repo::get_org(&fresh, *id)
                .await
                .expect("query")
                .is_none(),
            "institution {id} survived the restore"
        );
    }
    fresh.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_is_refused_while_a_server_runs_on_sqlite() {
    refused_while_the_server_runs(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_is_refused_while_a_server_runs_on_postgres() {
    refused_while_the_server_runs(Engine::Postgres).await;
}
