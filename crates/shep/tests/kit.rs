//! The bus through the adapter kit (I-6, EX-4): retries as configured, a SOAP fault taken as an
//! answer, every attempt in the journal, and the Treasury's answer file read as the bus's answer
//! when the bus is down.

use chrono::NaiveDate;
use jospar_adapter::{AdapterConfig, Credentials, Direction, MemoryJournal, Secret, Source};
use jospar_shep::envelope::SyncRequest;
use jospar_shep::testkit::{FakeNcaNodeWsse, FakeShep, STATUS_SERVICE, SUBMIT_SERVICE};
use jospar_shep::treasury::{DOCUMENT_ID, DocumentLine, status_query};
use jospar_shep::{
    Decision, DocumentKind, NcaNodeWsseSigner, PlanDocument, ShepClient, ShepError, ShepTreasury,
    TreasuryGateway, WithAnswerFiles, WsseSigner,
};
use std::sync::Arc;
use std::time::Duration;

const SENDER: &str = "JOSPAR";
const PASSWORD: &str = "sender-secret";

struct Setup {
    shep: FakeShep,
    _ncanode: FakeNcaNodeWsse,
    signer: Arc<NcaNodeWsseSigner>,
    journal: MemoryJournal,
    treasury: ShepTreasury,
}

async fn setup(retries: u32) -> Setup {
    let shep = FakeShep::spawn(SENDER, PASSWORD).await.expect("fake ShEP");
    let ncanode = FakeNcaNodeWsse::spawn().await.expect("fake NCANode");
    let journal = MemoryJournal::new();
    let signer = Arc::new(NcaNodeWsseSigner::with_config(
        AdapterConfig::new(&ncanode.url()),
        b"fake PKCS#12 container",
        FakeNcaNodeWsse::password(),
        None,
        Arc::new(journal.clone()),
    ));
    let config = AdapterConfig::new(&shep.url())
        .timeout(Duration::from_secs(5))
        .retries(retries)
        .backoff(Duration::from_millis(10), Duration::from_millis(100))
        .credentials(Credentials::InMessage {
            user: SENDER.into(),
            password: Secret::new(PASSWORD),
        });
    let client = ShepClient::with_config(config, signer.clone(), Arc::new(journal.clone()));
    let treasury = ShepTreasury {
        client,
        submit_service: SUBMIT_SERVICE.into(),
        status_service: STATUS_SERVICE.into(),
    };
    Setup {
        shep,
        _ncanode: ncanode,
        signer,
        journal,
        treasury,
    }
}

fn plan(document_id: &str) -> PlanDocument {
    PlanDocument {
        document_id: document_id.into(),
        kind: DocumentKind::Plan,
        bin: "971240001315".into(),
        organisation: "КГУ «Школа №5»".into(),
        year: 2026,
        plan_id: 11,
        number: 0,
        dated: NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date"),
        reason: String::new(),
        lines: vec![DocumentLine {
            expense_id: 1,
            program: "003".into(),
            subprogram: "015".into(),
            specific: "111".into(),
            annual: 120_000,
            obligations: [10_000; 12],
            payments: [10_000; 12],
        }],
        moves: Vec::new(),
    }
}

fn shep_attempts(journal: &MemoryJournal) -> Vec<(String, Option<u16>)> {
    journal
        .records()
        .into_iter()
        .filter(|r| r.system == "shep")
        .map(|r| (r.operation, r.status))
        .collect()
}

#[tokio::test]
async fn a_document_goes_again_while_the_bus_is_down_and_is_recorded_each_time() {
    let s = setup(3).await;
    s.shep.outage(2);
    let decision = s.treasury.submit(&plan("k-1")).await.expect("through");
    assert!(
        matches!(decision, Decision::Accepted { .. }),
        "{decision:?}"
    );
    let operation = format!("SendMessage {SUBMIT_SERVICE}");
    assert_eq!(
        shep_attempts(&s.journal),
        [
            (operation.clone(), Some(503)),
            (operation.clone(), Some(503)),
            (operation, Some(200))
        ]
    );
    assert_eq!(s.shep.server().received().len(), 3);
    assert_eq!(s.shep.received().len(), 1, "the Treasury read it once");
    assert!(
        s.journal
            .records()
            .iter()
            .any(|r| r.system == "ncanode" && r.is_ok())
    );
    // The sender's password travels in the message, never in the journal.
    assert!(
        s.journal
            .records()
            .iter()
            .all(|r| !r.url.contains(PASSWORD))
    );
}

#[tokio::test]
async fn a_fault_is_the_bus_answering_and_is_not_sent_again() {
    let s = setup(3).await;
    assert!(matches!(
        s.treasury.status("never-sent").await,
        Err(ShepError::Fault { code, .. }) if code == "SCE005"
    ));
    assert_eq!(shep_attempts(&s.journal).len(), 1);
}

#[tokio::test]
async fn the_treasurys_answer_file_reads_as_its_answer_through_the_bus() {
    let s = setup(0).await;
    let remote = s.treasury.submit(&plan("k-2")).await.expect("accepted");
    // The answer the bus carries, kept as the Treasury would hand it over in a file.
    let request = SyncRequest {
        message_id: jospar_shep::client::new_message_id(),
        service_id: STATUS_SERVICE.into(),
        message_date: chrono::Utc::now().with_timezone(&jospar_shep::client::kazakhstan()),
        sender_id: SENDER.into(),
        password: PASSWORD.into(),
        properties: vec![(DOCUMENT_ID.into(), "k-2".into())],
        data: status_query("k-2"),
    };
    let signed = s.signer.sign(&request.envelope()).await.expect("signed");
    let answer = reqwest::Client::new()
        .post(s.shep.url())
        .body(signed)
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("text");
    let dir = std::env::temp_dir().join(format!("jospar-shep-answers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("k-2.xml"), &answer).expect("answer file");

    let from_file = s
        .treasury
        .status_from("k-2", &Source::File(dir.join("k-2.xml")))
        .await
        .expect("read");
    assert_eq!(from_file, remote);

    s.shep.outage(5);
    let files = WithAnswerFiles {
        gateway: s.treasury,
        dir: dir.clone(),
    };
    assert_eq!(files.status("k-2").await.expect("from the file"), remote);
    assert!(matches!(
        files.status("k-3").await,
        Err(ShepError::Transport(m)) if m.contains("503")
    ));
    let inbound: Vec<_> = s
        .journal
        .records()
        .into_iter()
        .filter(|r| r.direction == Direction::Inbound)
        .collect();
    assert_eq!(inbound.len(), 2, "{inbound:?}");
    std::fs::remove_dir_all(dir).ok();
}
