//! The ЕБК service's change sets (seed 004 integration 3; issue 24; P-13, P-15): the national
//! service decides the republican codes, the requests to open or close codes decide the local
//! ones. Sets received from the service wait for the system administrator, who sees what each
//! does (the same report as the comparison of two years), whether it can apply, and the local
//! code requests still waiting for a decision on the same codes. A set with such a conflict is
//! not applied until the request is decided; a set applies all or nothing, or is rejected with
//! a reason.

use crate::code_requests::{self, CodeRequest, CodeRequestStatus};
use chrono::Utc;
use jospar_access::{Error, Principal, Reader, Result, Right};
use jospar_classification::service::{self as sets, ApplyRefusal, ChangeSet, ServiceChange};
use jospar_classification::{Change, ChangeKind, CodeKind};
use jospar_ebkservice::{EbkService, ServiceError};
use jospar_store::{Db, Who};
use serde::Serialize;

/// The change sets are the system administrator's: configure right on a root of the tree.
pub fn require_admin(p: &Principal) -> Result<()> {
    p.require_system(Right::Configure)
}

/// What one pass of receiving found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Received {
    /// Sets new to the system, kept pending.
    pub received: Vec<String>,
    /// Sets received before, left as they are.
    pub known: usize,
}

/// Asks the service for the year's change sets and keeps the new ones pending. A set whose
/// change names an unknown change or kind of code is refused whole, naming it.
pub async fn receive(db: &Db, service: &dyn EbkService, who: &Who, year: i32) -> Result<Received> {
    let sets = service.change_sets(year).await.map_err(service_error)?;
    let mut read = Vec::new();
    for set in sets {
        read.push(read_set(set)?);
    }
    let mut summary = Received::default();
    for set in read {
        if sets::receive(db, who, &set).await? {
            summary.received.push(set.id);
        } else {
            summary.known += 1;
        }
    }
    Ok(summary)
}

/// Receives now, for the system administrator on the classification's page.
pub async fn receive_now(
    db: &Db,
    service: Option<&dyn EbkService>,
    p: &Principal,
    year: i32,
) -> Result<Received> {
    require_admin(p)?;
    let service = service.ok_or_else(|| Error::invalid("err-ebk-off", "ebk"))?;
    receive(db, service, &p.who(), year).await
}

fn service_error(e: ServiceError) -> Error {
    let (key, detail) = match e {
        ServiceError::Unreachable(m) => ("err-ebk-unreachable", m),
        ServiceError::Refused { status, message } => {
            ("err-ebk-refused", format!("HTTP {status}: {message}"))
        }
        ServiceError::Malformed(m) => ("err-ebk-malformed", m),
    };
    Error::invalid_with(key, "ebk", vec![("detail", detail)])
}

fn read_set(set: jospar_ebkservice::ChangeSet) -> Result<ChangeSet> {
    let mut changes = Vec::new();
    for (i, c) in set.changes.iter().enumerate() {
        let change = match c.change.as_str() {
            "opened" => Some(ChangeKind::Opened),
            "closed" => Some(ChangeKind::Closed),
            "renamed" => Some(ChangeKind::Renamed),
            _ => None,
        };
        let (Some(change), Some(kind)) = (change, CodeKind::from_code(&c.kind)) else {
            return Err(Error::invalid_with(
                "err-ebk-change",
                "ebk",
                vec![
                    ("set", set.id.clone()),
                    ("index", (i + 1).to_string()),
                    ("value", format!("{} {} {}", c.change, c.kind, c.code)),
                ],
            ));
        };
        changes.push(ServiceChange {
            change,
            kind,
            code: c.code.clone(),
            name_ru: c.name_ru.clone(),
            name_kk: c.name_kk.clone(),
        });
    }
    Ok(ChangeSet {
        id: set.id,
        year: set.year,
        issued_at: set.issued_at,
        basis: set.basis,
        changes,
        status: sets::SetStatus::Pending,
        received_at: Utc::now(),
        decided_by: None,
        decided_at: None,
        reason: None,
    })
}

/// A change set as the administrator sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SetView {
    pub set: ChangeSet,
    /// What a pending set does to its year's classification; empty when it cannot apply.
    pub report: Vec<Change>,
    /// Why a pending set cannot apply: the change (1-based), its code and the problem
    /// (`exists`, `missing`, `parent`, `name`, `code`).
    pub problem: Option<(usize, String, String)>,
    /// Local code requests waiting for a decision on a code the set changes.
    pub conflicts: Vec<CodeRequest>,
}

/// Every change set, pending first, with its report and conflicts.
pub async fn overview(db: &Db, p: &Principal) -> Result<Vec<SetView>> {
    require_admin(p)?;
    let waiting: Vec<CodeRequest> = code_requests::requests(db, &Reader::System)
        .await?
        .into_iter()
        .filter(|r| r.status == CodeRequestStatus::Sent)
        .collect();
    let mut views = Vec::new();
    for set in sets::sets(db).await? {
        views.push(view(db, set, &waiting).await?);
    }
    Ok(views)
}

async fn view(db: &Db, set: ChangeSet, waiting: &[CodeRequest]) -> Result<SetView> {
    let conflicts = conflicts(&set, waiting);
    if set.status != sets::SetStatus::Pending {
        return Ok(SetView {
            set,
            report: Vec::new(),
            problem: None,
            conflicts: Vec::new(),
        });
    }
    let current = jospar_classification::repo::codes_of_year(db, set.year).await?;
    let (report, problem) = match sets::check(&current, &set.changes) {
        Ok(report) => (report, None),
        Err(r) => (Vec::new(), Some((r.index, r.code, r.problem.to_string()))),
    };
    Ok(SetView {
        set,
        report,
        problem,
        conflicts,
    })
}

/// The waiting local requests on a code the set changes, in its year.
fn conflicts(set: &ChangeSet, waiting: &[CodeRequest]) -> Vec<CodeRequest> {
    waiting
        .iter()
        .filter(|r| {
            r.year == set.year
                && set
                    .changes
                    .iter()
                    .any(|c| c.kind == r.kind && c.code == r.code)
        })
        .cloned()
        .collect()
}

/// Applies a pending set: refused while a local request on one of its codes waits, or when a
/// change cannot apply (naming it); otherwise all of it, in one transaction.
pub async fn apply(db: &Db, p: &Principal, id: &str) -> Result<Vec<Change>> {
    require_admin(p)?;
    let set = sets::set(db, id).await?.ok_or(Error::NotFound)?;
    let waiting: Vec<CodeRequest> = code_requests::requests(db, &Reader::System)
        .await?
        .into_iter()
        .filter(|r| r.status == CodeRequestStatus::Sent)
        .collect();
    if let Some(conflict) = conflicts(&set, &waiting).first() {
        return Err(Error::invalid_with(
            "err-ebk-conflict",
            "set",
            vec![
                ("code", conflict.code.clone()),
                ("request", conflict.id.to_string()),
            ],
        ));
    }
    sets::apply(db, &p.who(), id).await.map_err(apply_refusal)
}

/// Rejects a pending set with the reason.
pub async fn reject(db: &Db, p: &Principal, id: &str, reason: &str) -> Result<ChangeSet> {
    require_admin(p)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    sets::set(db, id).await?.ok_or(Error::NotFound)?;
    sets::reject(db, &p.who(), id, reason.trim())
        .await
        .map_err(apply_refusal)
}

fn apply_refusal(e: ApplyRefusal) -> Error {
    match e {
        ApplyRefusal::Decided(status) => Error::invalid_with(
            "err-ebk-decided",
            "set",
            vec![("status", status.code().to_string())],
        ),
        ApplyRefusal::Change(r) => Error::invalid_with(
            "err-ebk-cannot-apply",
            "set",
            vec![
                ("index", r.index.to_string()),
                ("code", r.code),
                ("problem", r.problem.to_string()),
            ],
        ),
        ApplyRefusal::Store(m) => Error::Internal(m),
    }
}
