//! Publishing to the Region passport portal against its fake (EX-R 22-23): a sound report is
//! taken with the portal's id; a wrong token, broken totals and an unreachable portal each
//! come back as their own error.

use chrono::NaiveDate;
use jospar_passport::testkit::FakeRegionPassport;
use jospar_passport::{
    HttpRegionPassport, PassportError, PassportReport, PassportRow, RegionPassport, ReportKind,
};
use std::time::Duration;

fn report() -> PassportReport {
    let row = |section: &str, code: &str, executed: i64| PassportRow {
        section: section.into(),
        code: code.into(),
        name: String::new(),
        plan_year: 100_000,
        plan_period: 30_000,
        executed,
    };
    PassportReport::new(
        ReportKind::BudgetStructure,
        "971240001315",
        "Управление финансов",
        NaiveDate::from_ymd_opt(2027, 3, 31).expect("date"),
        vec![
            row("receipts", "1 01", 25_050),
            row("expenses", "261/003", 12_000),
            row("expenses", "261/052", 0),
        ],
    )
}

fn portal(url: &str, token: &str) -> HttpRegionPassport {
    HttpRegionPassport::new(url, token, Duration::from_secs(5))
}

#[tokio::test]
async fn a_sound_report_is_taken_and_a_broken_one_refused_with_the_reason() {
    let fake = FakeRegionPassport::spawn("secret").await.expect("fake");
    let sound = report();
    assert_eq!(sound.totals.len(), 3, "receipts, expenses, all");
    assert_eq!(sound.totals[1].1.executed, 12_000);
    let receipt = portal(&fake.url(), "secret")
        .publish(&sound)
        .await
        .expect("taken");
    assert_eq!(receipt.id, "RP-20270331-0001");
    assert_eq!(fake.received(), vec![sound.clone()]);

    let mut broken = sound.clone();
    broken.rows[0].executed += 1;
    let refused = portal(&fake.url(), "secret").publish(&broken).await;
    assert!(
        matches!(&refused, Err(PassportError::Refused { status: 422, message }) if message.contains("receipts")),
        "{refused:?}"
    );
    let refused = portal(&fake.url(), "wrong").publish(&sound).await;
    assert!(matches!(
        refused,
        Err(PassportError::Refused { status: 401, .. })
    ));
    let down = portal("http://127.0.0.1:9", "secret").publish(&sound).await;
    assert!(matches!(down, Err(PassportError::Unreachable(_))));
    assert_eq!(fake.received().len(), 1, "nothing else was kept");
}
