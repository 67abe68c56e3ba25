//! The Region passport portal through the adapter kit (EX-R 22-23): a report is not sent twice
//! when the portal may have taken it, a busy portal is asked again, and every attempt is in the
//! journal without the token.

use chrono::NaiveDate;
use jospar_adapter::{AdapterConfig, MemoryJournal};
use jospar_passport::testkit::FakeRegionPassport;
use jospar_passport::{
    HttpRegionPassport, PassportError, PassportReport, PassportRow, RegionPassport, ReportKind,
};
use std::sync::Arc;
use std::time::Duration;

fn report() -> PassportReport {
    let row = PassportRow {
        section: "expenses".into(),
        code: "261/003".into(),
        name: String::new(),
        plan_year: 100_000,
        plan_period: 30_000,
        executed: 12_000,
    };
    PassportReport::new(
        ReportKind::CashExecution,
        "971240001315",
        "Управление финансов",
        NaiveDate::from_ymd_opt(2027, 3, 31).expect("date"),
        vec![row],
    )
}

#[tokio::test]
async fn a_down_portal_is_not_sent_the_report_twice_and_a_busy_one_is_asked_again() {
    let fake = FakeRegionPassport::spawn("secret").await.expect("fake");
    let journal = MemoryJournal::new();
    let config = AdapterConfig::new(&fake.url())
        .bearer("secret")
        .retries(2)
        .backoff(Duration::from_millis(10), Duration::from_millis(100));
    let portal = HttpRegionPassport::with_config(config, Arc::new(journal.clone()));

    fake.server().fail_next(1, 503);
    let down = portal.publish(&report()).await;
    assert!(
        matches!(&down, Err(PassportError::Unreachable(m)) if m.contains("503")),
        "{down:?}"
    );
    assert_eq!(
        fake.server().received().len(),
        1,
        "a POST that may have arrived"
    );

    fake.server().fail_next(1, 429);
    let receipt = portal.publish(&report()).await.expect("taken");
    assert_eq!(receipt.id, "RP-20270331-0001");
    let records = journal.records();
    let statuses: Vec<_> = records.iter().map(|r| (r.attempt, r.status)).collect();
    assert_eq!(statuses, [(1, Some(503)), (1, Some(429)), (2, Some(201))]);
    assert!(records.iter().all(|r| r.system == "passport"
        && r.operation == "publish-report"
        && r.url.ends_with("/api/reports")));
    assert!(records[2].bytes_sent > 0 && records[2].bytes_received > 0);
}
