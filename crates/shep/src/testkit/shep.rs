//! A fake ShEP sync channel (INTEGRATIONS.md §6.1) with the Treasury's financing-plan service
//! behind it. The bus checks the envelope, the sender and the body's signature and answers a
//! SOAP fault as ShEP does; the Treasury checks each plan line's months against its annual
//! amount and each move's months, registers documents under FUPF numbers, and can be told to
//! hold its decisions, reject an institution's documents, or let the bus be down for a while.

use super::{body_digest, signed_digest};
use crate::envelope::{ReceivedRequest, SUCCESS, fault_envelope, parse_request, response_envelope};
use crate::treasury::{Decision, DocumentKind, PlanDocument};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{FixedOffset, Utc};
use jospar_adapter::testkit::FakeServer;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use crate::treasury::{PLAN_SERVICE as SUBMIT_SERVICE, STATUS_SERVICE};

#[derive(Default)]
struct Treasury {
    sender_id: String,
    password: String,
    /// Register documents without deciding until a status request after `release`.
    hold: bool,
    rejected_bins: HashMap<String, String>,
    documents: HashMap<String, (PlanDocument, Decision)>,
    received: Vec<PlanDocument>,
    next_number: u32,
}

type Shared = Arc<Mutex<Treasury>>;

pub struct FakeShep {
    pub addr: SocketAddr,
    server: FakeServer,
    treasury: Shared,
}

impl FakeShep {
    /// A bus accepting messages of this sender.
    pub async fn spawn(sender_id: &str, password: &str) -> std::io::Result<FakeShep> {
        let treasury: Shared = Arc::new(Mutex::new(Treasury {
            sender_id: sender_id.into(),
            password: password.into(),
            next_number: 1,
            ..Treasury::default()
        }));
        let app = Router::new()
            .route("/bip-sync-wss-gost/", post(receive))
            .with_state(treasury.clone());
        let server = FakeServer::spawn(app).await?;
        Ok(FakeShep {
            addr: server.addr,
            server,
            treasury,
        })
    }

    /// The kit's server underneath: faults to inject (down, slow, dropped) and every request
    /// as it came.
    pub fn server(&self) -> &FakeServer {
        &self.server
    }

    /// The sync channel's endpoint.
    pub fn url(&self) -> String {
        format!("{}/bip-sync-wss-gost/", self.server.url())
    }

    fn with<T>(&self, f: impl FnOnce(&mut Treasury) -> T) -> T {
        let mut treasury = self.treasury.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut treasury)
    }

    /// The next `requests` requests find the bus down (`503 Service Unavailable`).
    pub fn outage(&self, requests: u32) {
        self.server.fail_next(requests, 503);
    }

    /// Register documents and decide them only when asked after [`FakeShep::release`].
    pub fn hold(&self) {
        self.with(|t| t.hold = true);
    }

    pub fn release(&self) {
        self.with(|t| t.hold = false);
    }

    /// Reject every document of this BIN with this reason.
    pub fn reject_bin(&self, bin: &str, reason: &str) {
        self.with(|t| t.rejected_bins.insert(bin.into(), reason.into()));
    }

    /// Stop rejecting this BIN's documents.
    pub fn accept_bin(&self, bin: &str) {
        self.with(|t| t.rejected_bins.remove(bin));
    }

    /// Every document the Treasury received, in order (the same one again if sent again).
    pub fn received(&self) -> Vec<PlanDocument> {
        self.with(|t| t.received.clone())
    }
}

fn kazakhstan_now() -> chrono::DateTime<FixedOffset> {
    Utc::now().with_timezone(&crate::client::kazakhstan())
}

fn soap(status: StatusCode, xml: String) -> Response {
    (status, [("Content-Type", "text/xml; charset=UTF-8")], xml).into_response()
}

fn fault(code: &str, message: &str) -> Response {
    soap(
        StatusCode::INTERNAL_SERVER_ERROR,
        fault_envelope(code, message, &kazakhstan_now()),
    )
}

async fn receive(State(treasury): State<Shared>, body: String) -> Response {
    let mut treasury = treasury.lock().unwrap_or_else(|e| e.into_inner());
    let request = match parse_request(&body) {
        Ok(request) => request,
        Err(problem) => return fault("SCE002", &format!("Invalid message: {problem}")),
    };
    if !request.signed {
        return fault("SCE003", "The message is not signed");
    }
    if signed_digest(&body).map(str::to_string) != body_digest(&body) {
        return fault("SCE004", "The signature does not match the message body");
    }
    if request.sender_id != treasury.sender_id || request.password != treasury.password {
        return fault("SCE001", "Sender authentication failed");
    }
    let decision = match request.service_id.as_str() {
        SUBMIT_SERVICE => treasury.submit(&request),
        STATUS_SERVICE => match treasury.status(&request) {
            Some(decision) => decision,
            None => return fault("SCE005", "Unknown document"),
        },
        other => return fault("SCE006", &format!("Unknown service {other}")),
    };
    soap(
        StatusCode::OK,
        response_envelope(
            &request.message_id,
            &kazakhstan_now(),
            (SUCCESS, "Message has been processed successfully"),
            Some(&decision.payload()),
        ),
    )
}

impl Treasury {
    fn submit(&mut self, request: &ReceivedRequest) -> Decision {
        let document = match PlanDocument::from_data(&request.data) {
            Ok(document) => document,
            Err(problem) => {
                return Decision::Rejected {
                    reason: format!("Документ не прочитан: {problem}"),
                };
            }
        };
        self.received.push(document.clone());
        // A document sent again is answered as before, unless it was rejected: then it is
        // checked again (the reason may have been dealt with).
        if let Some((_, decision)) = self.documents.get(&document.document_id)
            && !matches!(decision, Decision::Rejected { .. })
        {
            return decision.clone();
        }
        let decision = match self.check(&document) {
            Err(reason) => Decision::Rejected { reason },
            Ok(()) => {
                let reference = format!("ФУПФ-{}-{:05}", document.year, self.next_number);
                self.next_number += 1;
                if self.hold {
                    Decision::Registered { reference }
                } else {
                    Decision::Accepted { reference }
                }
            }
        };
        self.documents
            .insert(document.document_id.clone(), (document, decision.clone()));
        decision
    }

    fn status(&mut self, request: &ReceivedRequest) -> Option<Decision> {
        let id = request.data.text_at(&["documentId"])?;
        let hold = self.hold;
        let (_, decision) = self.documents.get_mut(id)?;
        if let (false, Decision::Registered { reference }) = (hold, &*decision) {
            *decision = Decision::Accepted {
                reference: reference.clone(),
            };
        }
        Some(decision.clone())
    }

    /// What the Treasury checks of a document before registering it.
    fn check(&self, document: &PlanDocument) -> Result<(), String> {
        if let Some(reason) = self.rejected_bins.get(&document.bin) {
            return Err(reason.clone());
        }
        if document.bin.len() != 12 || !document.bin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("БИН «{}» неверен", document.bin));
        }
        if document.kind == DocumentKind::Plan && document.lines.is_empty() {
            return Err("В плане нет строк".into());
        }
        for line in &document.lines {
            let obligations: i64 = line.obligations.iter().sum();
            let payments: i64 = line.payments.iter().sum();
            if obligations != line.annual || payments != line.annual {
                return Err(format!(
                    "Строка {}/{}/{}: сумма по месяцам не равна годовой",
                    line.program, line.subprogram, line.specific
                ));
            }
        }
        if document.kind != DocumentKind::Plan && document.moves.is_empty() {
            return Err("В справке нет изменений".into());
        }
        for change in &document.moves {
            let months = 1..=12;
            if change.amount <= 0
                || !months.contains(&change.from_month)
                || !months.contains(&change.to_month)
            {
                return Err(format!(
                    "Изменение по строке {}/{}/{}: неверные месяцы или сумма",
                    change.program, change.subprogram, change.specific
                ));
            }
        }
        Ok(())
    }
}
