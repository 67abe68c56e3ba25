//! The Treasury's financing-plan service (ФУПФ, EX-4, I-6) over the bus: approved plans and the
//! documents changing them go out; the Treasury accepts a document (with its registration
//! number), registers it for a later decision, or rejects it with a reason.
//!
//! The Treasury's XSD comes with the connection (INTEGRATIONS.md §10.5), so the payload here is
//! ours: one element per fact, amounts in tiyn, months numbered 1…12. Replacing it with the
//! Treasury's schema touches only [`PlanDocument::payload`] and [`Decision::from_data`].

use crate::client::read_answer;
use crate::envelope::{Payload, SyncResponse};
use crate::xml::{Element, escape};
use crate::{ShepClient, ShepError};
use chrono::NaiveDate;
use jospar_adapter::{Adapter, Source};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

pub const FUPF_NS: &str = "urn:jospar:fupf:financing-plan:1";
/// The service codes we expect for the Treasury's financing-plan service and its status
/// request; the real ones come with the connection and are set in the configuration.
pub const PLAN_SERVICE: &str = "FUPF_FINANCING_PLAN";
pub const STATUS_SERVICE: &str = "FUPF_DOCUMENT_STATUS";
/// The `properties` key carrying our document identifier, repeated in every attempt so that
/// the Treasury can recognise a document sent again.
pub const DOCUMENT_ID: &str = "DOCUMENT_ID";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// An approved individual financing plan.
    Plan,
    /// Справка о внесении изменений.
    Certificate,
    Refinement,
    Correction,
}

impl DocumentKind {
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Plan => "plan",
            DocumentKind::Certificate => "certificate",
            DocumentKind::Refinement => "refinement",
            DocumentKind::Correction => "correction",
        }
    }

    pub fn from_code(code: &str) -> Option<DocumentKind> {
        [
            DocumentKind::Plan,
            DocumentKind::Certificate,
            DocumentKind::Refinement,
            DocumentKind::Correction,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// A line of a plan with its annual amount and months, in tiyn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    pub expense_id: i64,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub annual: i64,
    pub obligations: [i64; 12],
    pub payments: [i64; 12],
}

/// A move of an amount between two months of a line, in tiyn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMove {
    pub expense_id: i64,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    /// `obligations` or `payments`.
    pub basis: String,
    pub from_month: u32,
    pub to_month: u32,
    pub amount: i64,
}

/// A plan (with its lines) or a change document (with its moves) of one institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDocument {
    pub document_id: String,
    pub kind: DocumentKind,
    pub bin: String,
    pub organisation: String,
    pub year: i32,
    pub plan_id: i64,
    /// The change document's number within the plan; 0 for the plan.
    pub number: i64,
    pub dated: NaiveDate,
    pub reason: String,
    pub lines: Vec<DocumentLine>,
    pub moves: Vec<DocumentMove>,
}

fn tag(name: &str, value: impl ToString) -> String {
    format!("<{name}>{}</{name}>", escape(value.to_string().as_str()))
}

fn codes(program: &str, subprogram: &str, specific: &str) -> String {
    tag("program", program) + &tag("subprogram", subprogram) + &tag("specific", specific)
}

impl DocumentLine {
    fn xml(&self) -> String {
        let months: String = (0..12)
            .map(|m| {
                format!(
                    r#"<month number="{}" obligations="{}" payments="{}"/>"#,
                    m + 1,
                    self.obligations[m],
                    self.payments[m]
                )
            })
            .collect();
        format!(
            "<line>{}{}{}{months}</line>",
            tag("expenseId", self.expense_id),
            codes(&self.program, &self.subprogram, &self.specific),
            tag("annual", self.annual)
        )
    }
}

impl DocumentMove {
    fn xml(&self) -> String {
        format!(
            "<move>{}{}{}{}{}{}</move>",
            tag("expenseId", self.expense_id),
            codes(&self.program, &self.subprogram, &self.specific),
            tag("basis", &self.basis),
            tag("fromMonth", self.from_month),
            tag("toMonth", self.to_month),
            tag("amount", self.amount)
        )
    }
}

impl PlanDocument {
    pub fn payload(&self) -> Payload {
        let lines: String = self.lines.iter().map(DocumentLine::xml).collect();
        let moves: String = self.moves.iter().map(DocumentMove::xml).collect();
        Payload {
            namespace: FUPF_NS.into(),
            type_name: "FinancingPlanDocument".into(),
            inner_xml: [
                tag("documentId", &self.document_id),
                tag("kind", self.kind.code()),
                tag("bin", &self.bin),
                tag("organisation", &self.organisation),
                tag("year", self.year),
                tag("planId", self.plan_id),
                tag("number", self.number),
                tag("dated", self.dated),
                tag("reason", &self.reason),
                format!("<lines>{lines}</lines>"),
                format!("<moves>{moves}</moves>"),
            ]
            .concat(),
        }
    }

    /// Reads a document as the Treasury receives it; the error names the element.
    pub fn from_data(data: &Element) -> Result<PlanDocument, String> {
        let kind = text(data, "kind")?;
        Ok(PlanDocument {
            document_id: text(data, "documentId")?,
            kind: DocumentKind::from_code(&kind).ok_or(format!("kind {kind:?} is unknown"))?,
            bin: text(data, "bin")?,
            organisation: text(data, "organisation")?,
            year: number(data, "year")?,
            plan_id: number(data, "planId")?,
            number: number(data, "number")?,
            dated: text(data, "dated")?
                .parse()
                .map_err(|e| format!("dated: {e}"))?,
            reason: text(data, "reason").unwrap_or_default(),
            lines: data
                .child("lines")
                .map(|l| {
                    l.children_named("line")
                        .map(read_line)
                        .collect::<Result<Vec<_>, String>>()
                })
                .transpose()?
                .unwrap_or_default(),
            moves: data
                .child("moves")
                .map(|m| {
                    m.children_named("move")
                        .map(read_move)
                        .collect::<Result<Vec<_>, String>>()
                })
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

fn text(element: &Element, name: &str) -> Result<String, String> {
    element
        .text_at(&[name])
        .map(str::to_string)
        .ok_or_else(|| format!("{} has no {name}", element.name))
}

fn number<T: std::str::FromStr>(element: &Element, name: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    let value = text(element, name)?;
    value
        .parse()
        .map_err(|e| format!("{}/{name} {value:?}: {e}", element.name))
}

fn read_line(line: &Element) -> Result<DocumentLine, String> {
    let mut obligations = [0; 12];
    let mut payments = [0; 12];
    for month in line.children_named("month") {
        let attribute = |name: &str| -> Result<i64, String> {
            let value = month.attribute(name).unwrap_or_default();
            value
                .parse()
                .map_err(|e| format!("line/month/@{name} {value:?}: {e}"))
        };
        let n = attribute("number")?;
        let index = n
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .filter(|i| *i < 12)
            .ok_or(format!("line/month/@number {n} is not 1…12"))?;
        obligations[index] = attribute("obligations")?;
        payments[index] = attribute("payments")?;
    }
    Ok(DocumentLine {
        expense_id: number(line, "expenseId")?,
        program: text(line, "program")?,
        subprogram: text(line, "subprogram")?,
        specific: text(line, "specific")?,
        annual: number(line, "annual")?,
        obligations,
        payments,
    })
}

fn read_move(element: &Element) -> Result<DocumentMove, String> {
    Ok(DocumentMove {
        expense_id: number(element, "expenseId")?,
        program: text(element, "program")?,
        subprogram: text(element, "subprogram")?,
        specific: text(element, "specific")?,
        basis: text(element, "basis")?,
        from_month: number(element, "fromMonth")?,
        to_month: number(element, "toMonth")?,
        amount: number(element, "amount")?,
    })
}

/// The Treasury's answer about a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Registered in the Treasury under this number.
    Accepted {
        reference: String,
    },
    /// Received and being checked: ask again later.
    Registered {
        reference: String,
    },
    Rejected {
        reason: String,
    },
}

impl Decision {
    pub fn payload(&self) -> Payload {
        let (status, detail) = match self {
            Decision::Accepted { reference } => ("ACCEPTED", tag("reference", reference)),
            Decision::Registered { reference } => ("REGISTERED", tag("reference", reference)),
            Decision::Rejected { reason } => ("REJECTED", tag("reason", reason)),
        };
        Payload {
            namespace: FUPF_NS.into(),
            type_name: "Decision".into(),
            inner_xml: tag("status", status) + &detail,
        }
    }

    pub fn from_data(data: &Element) -> Result<Decision, ShepError> {
        let field = |name| data.text_at(&[name]).unwrap_or_default().to_string();
        match data.text_at(&["status"]) {
            Some("ACCEPTED") => Ok(Decision::Accepted {
                reference: field("reference"),
            }),
            Some("REGISTERED") => Ok(Decision::Registered {
                reference: field("reference"),
            }),
            Some("REJECTED") => Ok(Decision::Rejected {
                reason: field("reason"),
            }),
            other => Err(ShepError::Malformed(format!(
                "the Treasury's decision has status {other:?}"
            ))),
        }
    }
}

/// The status request for a document sent earlier.
pub fn status_query(document_id: &str) -> Payload {
    Payload {
        namespace: FUPF_NS.into(),
        type_name: "StatusQuery".into(),
        inner_xml: tag("documentId", document_id),
    }
}

pub type DecisionFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Decision, ShepError>> + Send + 'a>>;

/// Where financing plans go: the Treasury, reached however it is reached.
pub trait TreasuryGateway: Send + Sync {
    fn submit<'a>(&'a self, document: &'a PlanDocument) -> DecisionFuture<'a>;
    /// The decision on a document submitted earlier.
    fn status<'a>(&'a self, document_id: &'a str) -> DecisionFuture<'a>;
}

/// The Treasury over the bus: one ShEP service for documents, one for their statuses.
pub struct ShepTreasury {
    pub client: ShepClient,
    pub submit_service: String,
    pub status_service: String,
}

impl ShepTreasury {
    async fn ask(
        &self,
        service: &str,
        document_id: &str,
        payload: Payload,
    ) -> Result<Decision, ShepError> {
        // The Treasury recognises a document sent again by its DOCUMENT_ID, so a message that
        // timed out may go again.
        let response = self
            .client
            .send_idempotent(
                service,
                vec![(DOCUMENT_ID.into(), document_id.into())],
                payload,
            )
            .await?;
        decision_of(response)
    }

    /// The decision on a document, from the bus or from the Treasury's answer file as `source`
    /// says; the file is read by the same reading as the bus's answer.
    pub async fn status_from(
        &self,
        document_id: &str,
        source: &Source,
    ) -> Result<Decision, ShepError> {
        match source {
            Source::Remote => self.status(document_id).await,
            Source::File(path) => self.decision_from_file(path).await,
            Source::RemoteOrFile(path) => match self.status(document_id).await {
                Err(ShepError::Transport(_)) if path.exists() => {
                    self.decision_from_file(path).await
                }
                other => other,
            },
        }
    }
}

impl ShepTreasury {
    async fn decision_from_file(&self, path: &Path) -> Result<Decision, ShepError> {
        let operation = format!("answer file {}", self.status_service);
        let bytes = self
            .client
            .http()
            .read_file(&operation, path)
            .await
            .map_err(|e| ShepError::Transport(e.to_string()))?;
        decision_from_answer(&String::from_utf8_lossy(&bytes))
    }
}

fn decision_of(response: SyncResponse) -> Result<Decision, ShepError> {
    let data = response
        .data
        .ok_or_else(|| ShepError::Malformed("the Treasury answered without data".into()))?;
    Decision::from_data(&data)
}

/// The Treasury's answer about a document in a file it handed over while the bus was down: the
/// whole `SendMessageResponse` envelope, read exactly as an answer through the bus.
pub fn decision_from_answer(text: &str) -> Result<Decision, ShepError> {
    decision_of(read_answer(200, text)?)
}

impl TreasuryGateway for ShepTreasury {
    fn submit<'a>(&'a self, document: &'a PlanDocument) -> DecisionFuture<'a> {
        Box::pin(self.ask(
            &self.submit_service,
            &document.document_id,
            document.payload(),
        ))
    }

    fn status<'a>(&'a self, document_id: &'a str) -> DecisionFuture<'a> {
        Box::pin(self.ask(&self.status_service, document_id, status_query(document_id)))
    }
}

/// The Treasury over the bus, with the answer files it hands over when the bus cannot be
/// reached (`shep_answers_dir`): `{dir}/{document id}.xml`, each the `SendMessageResponse` the
/// bus would have carried. Documents go out only through the bus; their decisions are read
/// from a file when the bus is unreachable and the file is there.
pub struct WithAnswerFiles {
    pub gateway: ShepTreasury,
    pub dir: PathBuf,
}

impl WithAnswerFiles {
    async fn status_or_file(&self, document_id: &str) -> Result<Decision, ShepError> {
        // Our document ids are numbers; anything else cannot name a file of ours.
        if !document_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return self.gateway.status(document_id).await;
        }
        let path = self.dir.join(format!("{document_id}.xml"));
        self.gateway
            .status_from(document_id, &Source::RemoteOrFile(path))
            .await
    }
}

impl TreasuryGateway for WithAnswerFiles {
    fn submit<'a>(&'a self, document: &'a PlanDocument) -> DecisionFuture<'a> {
        self.gateway.submit(document)
    }

    fn status<'a>(&'a self, document_id: &'a str) -> DecisionFuture<'a> {
        Box::pin(self.status_or_file(document_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    pub(crate) fn sample() -> PlanDocument {
        PlanDocument {
            document_id: "7001".into(),
            kind: DocumentKind::Certificate,
            bin: "123456789012".into(),
            organisation: "КГУ «Школа №5» & Co".into(),
            year: 2026,
            plan_id: 55,
            number: 2,
            dated: NaiveDate::from_ymd_opt(2026, 3, 14).unwrap(),
            reason: "перенос <срока>".into(),
            lines: vec![DocumentLine {
                expense_id: 9,
                program: "003".into(),
                subprogram: "015".into(),
                specific: "111".into(),
                annual: 120_000_000,
                obligations: [10_000_000; 12],
                payments: [10_000_000; 12],
            }],
            moves: vec![DocumentMove {
                expense_id: 9,
                program: "003".into(),
                subprogram: "015".into(),
                specific: "111".into(),
                basis: "payments".into(),
                from_month: 3,
                to_month: 5,
                amount: 250_050,
            }],
        }
    }

    fn data_of(payload: &Payload) -> Element {
        let xml = format!(
            r#"<data xmlns:p="{}">{}</data>"#,
            payload.namespace, payload.inner_xml
        );
        parse(&xml).unwrap()
    }

    #[test]
    fn a_document_reads_back_whole() {
        let document = sample();
        assert_eq!(
            PlanDocument::from_data(&data_of(&document.payload())).unwrap(),
            document
        );
    }

    /// Found while writing the fuzz target `shep_xml` (the document, kept as
    /// `fuzz/corpus/shep_xml/regression-month-overflow.xml`, crashed it): the lowest month
    /// number overflowed when it was turned into an index.
    #[test]
    fn a_month_number_out_of_range_is_named_not_overflowed() {
        let mut payload = sample().payload();
        payload.inner_xml = payload.inner_xml.replacen(
            r#"<month number="1""#,
            r#"<month number="-9223372036854775808""#,
            1,
        );
        let error = PlanDocument::from_data(&data_of(&payload)).unwrap_err();
        assert!(error.contains("is not 1…12"), "{error}");
    }

    #[test]
    fn the_treasury_names_a_broken_element() {
        let mut payload = sample().payload();
        payload.inner_xml = payload
            .inner_xml
            .replace("<year>2026</year>", "<year>20x6</year>");
        let error = PlanDocument::from_data(&data_of(&payload)).unwrap_err();
        assert!(error.starts_with("data/year \"20x6\""), "{error}");
    }

    #[test]
    fn decisions_read_back() {
        for decision in [
            Decision::Accepted {
                reference: "FUPF-1".into(),
            },
            Decision::Registered {
                reference: "FUPF-2".into(),
            },
            Decision::Rejected {
                reason: "БИН не найден".into(),
            },
        ] {
            assert_eq!(
                Decision::from_data(&data_of(&decision.payload())).unwrap(),
                decision
            );
        }
    }
}
