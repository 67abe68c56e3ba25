//! Issue 24 (seed 004 integrations 7-9): e-Minfin forms pulled as a service, on SQLite and on
//! PostgreSQL — a pulled 5-52 and 5-17 go through the file import's parser and checks and are
//! reported; pulling the same form again changes nothing; a pulled form with a bad total is
//! refused whole, the form stored before stays, and the monitor shows the refusal; the command
//! `jospar exchange --emin` pulls the same way; only the system administrator may pull.

use crate::app::{Engine, TestApp, spawn};
use crate::execution::get_json;
use crate::story::send_json;
use jospar_emin::FormQuery;
use serde_json::{Value, json};

#[tokio::test]
async fn emin_pulls_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    emin_pulls(&app).await;
}

#[tokio::test]
async fn emin_pulls_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    emin_pulls(&app).await;
}

fn sample(file: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../data/treasury/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample")
}

fn query(form: &str, bin: &str) -> FormQuery {
    FormQuery {
        form: form.into(),
        bin: bin.into(),
        report_date: chrono::NaiveDate::from_ymd_opt(2027, 4, 1).expect("date"),
    }
}

/// The outcome of `form` of `bin` in a pull's answer.
fn outcome(outcomes: &Value, form: &str, bin: &str) -> Value {
    outcomes
        .as_array()
        .expect("outcomes")
        .iter()
        .find(|o| o["form"] == form && o["bin"] == bin)
        .cloned()
        .unwrap_or_else(|| panic!("{form} of {bin} in {outcomes}"))
}

async fn audit_entries(app: &TestApp) -> usize {
    let admin = app.token("admin").await;
    let (_, audit) = get_json(app, &admin, "/audit?entity=treasury_report&limit=500").await;
    audit.as_array().map(Vec::len).unwrap_or(0)
}

async fn pull(app: &TestApp, token: &str) -> (u16, Value) {
    send_json(
        app,
        "post",
        "/integrations/emin/run",
        token,
        json!({"date": "2027-04-01"}),
    )
    .await
}

async fn emin_pulls(app: &TestApp) {
    let admin = app.token("admin").await;
    let abp = app.token("abp.edu").await;
    let edu_id = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let edu = jospar_org::repo::get_org(&app.db, edu_id)
        .await
        .expect("org")
        .and_then(|o| o.bin)
        .expect("the administrator's BIN");
    app.emin
        .put_csv(&query("5-52", &edu), sample("5-52-sample.csv").as_bytes());
    app.emin
        .put_csv(&query("5-17", &edu), sample("5-17-sample.csv").as_bytes());

    // Only the system administrator pulls.
    let (status, _) = pull(app, &abp).await;
    assert_eq!(status, 403);

    let (status, first) = pull(app, &admin).await;
    assert_eq!(status, 200, "{first}");
    let f552 = outcome(&first, "5-52", &edu);
    assert_eq!(f552["result"], "imported", "{f552}");
    let f517 = outcome(&first, "5-17", &edu);
    assert_eq!(f517["result"], "imported", "{f517}");
    assert_eq!(f517["rows"], 3, "{f517}");
    // A form e-Minfin does not have for the date is reported, not fatal.
    assert_eq!(outcome(&first, "4-20", &edu)["result"], "failed");

    // 5-17 is reported like the other movement forms: the money-movement report adds up to
    // the sample's total row to the tiyn.
    let (status, table) = get_json(
        app,
        &abp,
        &format!(
            "/reports/money-movement?treasury={}&format=json",
            f517["report_id"]
        ),
    )
    .await;
    assert_eq!(status, 200, "{table}");
    let total = |column: usize| -> i64 {
        table["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r[column].as_i64().unwrap_or(0))
            .sum()
    };
    assert_eq!(
        [4, 5, 6, 7].map(total),
        [24_500_000, 142_000_000, 121_525_050, 44_974_950],
        "{table}"
    );

    // The same forms again: nothing changes, not even the audit log.
    let audited = audit_entries(app).await;
    let (_, again) = pull(app, &admin).await;
    let same = outcome(&again, "5-52", &edu);
    assert_eq!(same["result"], "unchanged", "{same}");
    assert_eq!(same["report_id"], f552["report_id"]);
    assert_eq!(audit_entries(app).await, audited);

    // A 5-52 whose total disagrees with its rows: refused whole, the stored form stays.
    let broken =
        sample("5-52-sample.csv").replace("Итого;;;;;39 582 000,00", "Итого;;;;;39 582 001,00");
    assert_ne!(broken, sample("5-52-sample.csv"));
    app.emin.put_csv(&query("5-52", &edu), broken.as_bytes());
    let (_, refused) = pull(app, &admin).await;
    let bad = outcome(&refused, "5-52", &edu);
    assert_eq!(bad["result"], "refused", "{bad}");
    let reason = bad["message"].as_str().expect("reason");
    assert!(
        reason.contains("Итого") || reason.contains("итог"),
        "{reason}"
    );
    let (_, forms) = get_json(app, &abp, "/execution/treasury").await;
    let kept = forms
        .as_array()
        .expect("forms")
        .iter()
        .find(|r| r["form"] == "5-52" && r["org_id"] == edu_id)
        .cloned()
        .expect("the 5-52 kept");
    assert_eq!(kept["id"], f552["report_id"], "{kept}");

    // The monitor shows the refusal as e-Minfin's last failure, with its reason.
    let (_, systems) = get_json(app, &admin, "/integrations").await;
    let emin = systems
        .as_array()
        .expect("systems")
        .iter()
        .find(|s| s["info"]["system"] == "emin")
        .cloned()
        .expect("emin on the monitor");
    assert!(
        !systems.to_string().contains("test-token"),
        "a secret on the monitor"
    );
    let failure = emin["last_failure"]["error"].as_str().unwrap_or_default();
    assert!(
        failure == reason || failure.contains("404"),
        "{failure} / {reason}"
    );
    let (_, refusals) = get_json(
        app,
        &admin,
        "/integrations/journal?system=emin&outcome=error&limit=100",
    )
    .await;
    assert!(
        refusals["attempts"]
            .as_array()
            .expect("attempts")
            .iter()
            .any(|a| a["operation"] == "CheckForm 5-52" && a["error"] == reason),
        "{refusals}"
    );

    // The command line pulls the same way: the sound form again, for one organisation.
    app.emin
        .put_csv(&query("5-52", &edu), sample("5-52-sample.csv").as_bytes());
    // Run without blocking this test's runtime, which serves the fake e-Minfin.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_jospar"))
        .args(["exchange", "--emin", "--date", "2027-04-01"])
        .env("JOSPAR_DATABASE_URL", &app.url)
        .env("JOSPAR_EMIN_URL", app.emin.url())
        .env("JOSPAR_EMIN_TOKEN", "test-token")
        .env("JOSPAR_EMIN_BINS", &edu)
        .env("JOSPAR_EMIN_FORMS", "5-52,5-17")
        .output()
        .await
        .expect("jospar exchange --emin");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    // The 5-52 pulled before the broken one is the one stored: its bytes are the same again.
    assert_eq!(lines[0]["result"], "unchanged", "{stdout}");
    assert_eq!(lines[1]["result"], "unchanged", "{stdout}");
}
