//! EX-R 18 through the adapter kit: the open-budgets portal's execution report read from the
//! portal and read from the file its operator handed over go through the same parser to the
//! same trees, and the file stands for the portal when it cannot be reached.

use jospar_adapter::{AdapterConfig, MemoryJournal, Source};
use jospar_execution::portal::parse;
use jospar_obportal::testkit::FakeOpenBudgets;
use jospar_obportal::{ExecutionQuery, HttpOpenBudgets, UploadError};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/portal/local_mangystau_region_execution_tree.csv")
}

fn query() -> ExecutionQuery {
    ExecutionQuery {
        report: "Местный бюджет в разрезе функциональной классификации".into(),
        region: "Мангистауская область".into(),
        month: "03.2023".into(),
    }
}

fn client(url: &str, journal: &MemoryJournal) -> HttpOpenBudgets {
    let config = AdapterConfig::new(url)
        .bearer("t")
        .retries(1)
        .backoff(Duration::from_millis(5), Duration::from_millis(10));
    HttpOpenBudgets::with_config(config, Arc::new(journal.clone()))
}

#[tokio::test]
async fn the_portals_report_and_its_file_parse_the_same() {
    let csv = std::fs::read_to_string(sample()).expect("sample");
    let fake = FakeOpenBudgets::spawn("t").await.expect("fake");
    fake.put_execution_report(&query(), &csv);
    let journal = MemoryJournal::new();
    let portal = client(&fake.url(), &journal);

    let remote = portal
        .execution_report(&query(), &Source::Remote)
        .await
        .expect("from the portal");
    let file = portal
        .execution_report(&query(), &Source::File(sample()))
        .await
        .expect("from the file");
    let trees = parse(&remote).expect("parsed");
    assert!(!trees.is_empty());
    assert_eq!(trees, parse(&file).expect("parsed"));
    let asked = &fake.server().received()[0];
    assert!(asked.path.contains("date=03.2023"), "{}", asked.path);

    // The portal down: the file is read instead; a report it does not have is its refusal.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let down = client(&format!("http://{closed}"), &journal);
    let fallback = down
        .execution_report(&query(), &Source::RemoteOrFile(sample()))
        .await
        .expect("from the file");
    assert_eq!(parse(&fallback).expect("parsed"), trees);
    let other = ExecutionQuery {
        month: "04.2023".into(),
        ..query()
    };
    assert!(matches!(
        portal.execution_report(&other, &Source::Remote).await,
        Err(UploadError::Refused { status: 404, .. })
    ));
    let kinds: Vec<_> = journal
        .records()
        .iter()
        .map(|r| (r.direction.code(), r.is_ok()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("outbound", true),
            ("inbound", true),
            ("outbound", false),
            ("outbound", false),
            ("inbound", true),
            ("outbound", false)
        ]
    );
}
