//! The Treasury exchange over the bus, end to end against the fakes (EX-4, I-6): NCANode signs,
//! the bus checks, the Treasury decides; every failure reaches the caller as its own error.

use chrono::NaiveDate;
use jospar_shep::envelope::{Payload, SyncRequest, parse_response};
use jospar_shep::testkit::{FakeNcaNodeWsse, FakeShep, STATUS_SERVICE, SUBMIT_SERVICE};
use jospar_shep::treasury::{DocumentLine, DocumentMove};
use jospar_shep::{
    Decision, DocumentKind, NcaNodeWsseSigner, PlanDocument, ShepClient, ShepError, ShepTreasury,
    TreasuryGateway, WsseSigner,
};
use std::sync::Arc;
use std::time::Duration;

const SENDER: &str = "JOSPAR";
const PASSWORD: &str = "sender-secret";
const BIN: &str = "971240001315";

async fn signer(password: &str) -> (FakeNcaNodeWsse, Arc<NcaNodeWsseSigner>) {
    let ncanode = FakeNcaNodeWsse::spawn().await.expect("fake NCANode");
    let signer = NcaNodeWsseSigner::new(
        &ncanode.url(),
        b"fake PKCS#12 container",
        password,
        None,
        Duration::from_secs(5),
    );
    (ncanode, Arc::new(signer))
}

async fn treasury_with(password: &str) -> (FakeShep, FakeNcaNodeWsse, ShepTreasury) {
    let shep = FakeShep::spawn(SENDER, PASSWORD).await.expect("fake ShEP");
    let (ncanode, signer) = signer(FakeNcaNodeWsse::password()).await;
    let client = ShepClient::new(
        &shep.url(),
        SENDER,
        password,
        signer,
        Duration::from_secs(5),
    );
    let treasury = ShepTreasury {
        client,
        submit_service: SUBMIT_SERVICE.into(),
        status_service: STATUS_SERVICE.into(),
    };
    (shep, ncanode, treasury)
}

fn plan(document_id: &str) -> PlanDocument {
    PlanDocument {
        document_id: document_id.into(),
        kind: DocumentKind::Plan,
        bin: BIN.into(),
        organisation: "КГУ «Общеобразовательная школа №5»".into(),
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

#[tokio::test]
async fn an_approved_plan_is_accepted_with_a_registration_number() {
    let (shep, _ncanode, treasury) = treasury_with(PASSWORD).await;
    let decision = treasury.submit(&plan("d-1")).await.unwrap();
    assert_eq!(
        decision,
        Decision::Accepted {
            reference: "ФУПФ-2026-00001".into()
        }
    );
    assert_eq!(
        shep.received(),
        vec![plan("d-1")],
        "the Treasury read it whole"
    );
    // Sent again, the same document keeps its number.
    assert_eq!(treasury.submit(&plan("d-1")).await.unwrap(), decision);
    assert_eq!(treasury.status("d-1").await.unwrap(), decision);
}

#[tokio::test]
async fn the_treasury_rejects_with_its_reason() {
    let (shep, _ncanode, treasury) = treasury_with(PASSWORD).await;
    let mut broken = plan("d-2");
    broken.lines[0].payments[11] = 9_999;
    match treasury.submit(&broken).await.unwrap() {
        Decision::Rejected { reason } => assert!(reason.contains("003/015/111"), "{reason}"),
        other => panic!("{other:?}"),
    }
    shep.reject_bin(BIN, "Учреждение не зарегистрировано в казначействе");
    assert_eq!(
        treasury.submit(&plan("d-3")).await.unwrap(),
        Decision::Rejected {
            reason: "Учреждение не зарегистрировано в казначействе".into()
        }
    );
    let change = PlanDocument {
        kind: DocumentKind::Certificate,
        number: 1,
        bin: "123".into(),
        lines: Vec::new(),
        moves: vec![DocumentMove {
            expense_id: 1,
            program: "003".into(),
            subprogram: "015".into(),
            specific: "111".into(),
            basis: "payments".into(),
            from_month: 2,
            to_month: 3,
            amount: 500,
        }],
        ..plan("d-4")
    };
    assert!(matches!(
        treasury.submit(&change).await.unwrap(),
        Decision::Rejected { reason } if reason.contains("БИН")
    ));
}

#[tokio::test]
async fn a_held_document_is_decided_when_asked_later() {
    let (shep, _ncanode, treasury) = treasury_with(PASSWORD).await;
    shep.hold();
    let registered = treasury.submit(&plan("d-5")).await.unwrap();
    assert!(matches!(registered, Decision::Registered { .. }));
    assert_eq!(treasury.status("d-5").await.unwrap(), registered);
    shep.release();
    assert!(matches!(
        treasury.status("d-5").await.unwrap(),
        Decision::Accepted { .. }
    ));
}

#[tokio::test]
async fn failures_of_the_bus_are_told_apart() {
    let (shep, _ncanode, treasury) = treasury_with(PASSWORD).await;
    shep.outage(1);
    assert!(matches!(
        treasury.submit(&plan("d-6")).await,
        Err(ShepError::Transport(m)) if m.contains("503")
    ));
    assert!(treasury.submit(&plan("d-6")).await.is_ok(), "back up");
    assert_eq!(
        treasury.status("never-sent").await,
        Err(ShepError::Fault {
            code: "SCE005".into(),
            message: "Unknown document".into()
        })
    );
    let (_shep, _ncanode, wrong_sender) = treasury_with("not the password").await;
    assert!(matches!(
        wrong_sender.submit(&plan("d-7")).await,
        Err(ShepError::Fault { code, .. }) if code == "SCE001"
    ));
}

#[tokio::test]
async fn the_bus_refuses_an_unsigned_or_altered_body() {
    let shep = FakeShep::spawn(SENDER, PASSWORD).await.unwrap();
    let (_ncanode, signer) = signer(FakeNcaNodeWsse::password()).await;
    let request = SyncRequest {
        message_id: jospar_shep::client::new_message_id(),
        service_id: SUBMIT_SERVICE.into(),
        message_date: chrono::Utc::now().with_timezone(&jospar_shep::client::kazakhstan()),
        sender_id: SENDER.into(),
        password: PASSWORD.into(),
        properties: Vec::new(),
        data: plan("d-8").payload(),
    };
    let post = |xml: String| {
        let url = shep.url();
        async move {
            let text = reqwest::Client::new()
                .post(url)
                .body(xml)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            parse_response(&text)
        }
    };
    let unsigned = post(request.envelope()).await;
    assert!(matches!(unsigned, Err(ShepError::Fault { code, .. }) if code == "SCE003"));
    let signed = signer.sign(&request.envelope()).await.unwrap();
    let altered = signed.replace("<annual>120000</annual>", "<annual>999999</annual>");
    assert_ne!(altered, signed);
    let answer = post(altered).await;
    assert!(matches!(answer, Err(ShepError::Fault { code, .. }) if code == "SCE004"));
    let broken = signed
        .replace("<serviceId>", "<service>")
        .replace("</serviceId>", "</service>");
    assert!(matches!(post(broken).await, Err(ShepError::Fault { code, .. }) if code == "SCE002"));
    assert!(post(signed).await.is_ok());
}

#[tokio::test]
async fn a_key_ncanode_cannot_open_stops_before_the_bus() {
    let (_ncanode, signer) = signer("wrong").await;
    let payload = Payload {
        namespace: "urn:x".into(),
        type_name: "X".into(),
        inner_xml: String::new(),
    };
    let client = ShepClient::new(
        "http://127.0.0.1:9/",
        SENDER,
        PASSWORD,
        signer,
        Duration::from_secs(5),
    );
    assert!(matches!(
        client.send("ANY", Vec::new(), payload).await,
        Err(ShepError::Signing(m)) if m.contains("wrong password")
    ));
}
