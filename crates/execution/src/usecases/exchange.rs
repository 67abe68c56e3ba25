//! The exchange of financing plans with the Treasury (EX-4, I-6): the queue as users see it,
//! sending what is due through the configured gateway (ShEP to ФУПФ), asking about documents
//! the Treasury registered, and sending a failed or rejected document again.

use crate::exchange::{self, Answer, OutboxItem, OutboxStatus};
use crate::outbox;
use crate::plans::{self, Plan};
use chrono::{DateTime, Utc};
use jospar_access::Principal;
use jospar_access::Right;
use jospar_access::{Error, Result};
use jospar_shep::treasury::{DocumentLine, DocumentMove};
use jospar_shep::{Decision, DocumentKind, PlanDocument, ShepError, TreasuryGateway};
use jospar_store::{Db, Who};
use serde::Serialize;
use std::sync::Arc;

/// Who the audit log names for what the exchange does on its own.
pub fn exchange_who() -> Who {
    Who {
        user_id: None,
        login: "treasury-exchange".into(),
        iin: String::new(),
    }
}

/// The document of a queued item as the Treasury receives it.
pub async fn document_of(db: &Db, item: &OutboxItem) -> Result<PlanDocument> {
    let plan = plans::plan(db, item.plan_id)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    let org = jospar_org::repo::get_org(db, item.org_id)
        .await?
        .ok_or(Error::NotFound)?;
    let kind = DocumentKind::from_code(&item.kind)
        .ok_or_else(|| Error::Internal(format!("queued kind {:?}", item.kind)))?;
    let mut document = PlanDocument {
        document_id: item.id.to_string(),
        kind,
        bin: org.bin.unwrap_or_default(),
        organisation: org.name_ru,
        year: plan.year,
        plan_id: plan.id,
        number: item.change_number,
        dated: item.created_at.date_naive(),
        reason: String::new(),
        lines: Vec::new(),
        moves: Vec::new(),
    };
    if kind == DocumentKind::Plan {
        document.lines = plan.lines.iter().map(document_line).collect();
        return Ok(document);
    }
    let change = plan
        .changes
        .iter()
        .find(|c| c.number == item.change_number)
        .ok_or(Error::NotFound)?;
    document.dated = change.dated;
    document.reason = change.reason.clone();
    document.moves = change
        .moves
        .iter()
        .map(|m| document_move(&plan, m))
        .collect();
    Ok(document)
}

fn document_line(line: &crate::PlanLine) -> DocumentLine {
    DocumentLine {
        expense_id: line.expense_id,
        program: line.program.clone(),
        subprogram: line.subprogram.clone(),
        specific: line.specific.clone(),
        annual: line.approved.tiyn(),
        obligations: line.obligations.map(|t| t.tiyn()),
        payments: line.payments.map(|t| t.tiyn()),
    }
}

fn document_move(plan: &Plan, m: &crate::LineMove) -> DocumentMove {
    let line = plan.lines.iter().find(|l| l.expense_id == m.expense_id);
    let code = |f: fn(&crate::PlanLine) -> &String| line.map(|l| f(l).clone()).unwrap_or_default();
    DocumentMove {
        expense_id: m.expense_id,
        program: code(|l| &l.program),
        subprogram: code(|l| &l.subprogram),
        specific: code(|l| &l.specific),
        basis: match m.change.basis {
            crate::Basis::Obligations => "obligations".into(),
            crate::Basis::Payments => "payments".into(),
        },
        from_month: m.change.from_month as u32,
        to_month: m.change.to_month as u32,
        amount: m.change.amount.tiyn(),
    }
}

fn answer_of(result: Result<Decision, ShepError>) -> Answer {
    match result {
        Ok(Decision::Accepted { reference }) => Answer::Accepted { reference },
        Ok(Decision::Registered { reference }) => Answer::Registered { reference },
        Ok(Decision::Rejected { reason }) => Answer::Rejected { reason },
        Err(e) => Answer::Failed {
            error: e.to_string(),
        },
    }
}

/// A change document goes to the Treasury only after the plan it changes was accepted there
/// and every earlier change of the plan was decided, so that the Treasury reads them in order.
async fn waits_for_earlier_documents(db: &Db, item: &OutboxItem) -> Result<bool> {
    if item.change_number == 0 {
        return Ok(false);
    }
    let earlier = outbox::items_of_plan(db, item.plan_id)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|i| i.change_number < item.change_number)
        .collect::<Vec<_>>();
    let decided = |i: &OutboxItem| match i.change_number {
        0 => i.status == OutboxStatus::Accepted,
        _ => matches!(i.status, OutboxStatus::Accepted | OutboxStatus::Rejected),
    };
    Ok(!earlier.iter().any(|i| i.change_number == 0) || !earlier.iter().all(decided))
}

/// What one pass over the queue did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PassSummary {
    pub accepted: usize,
    pub registered: usize,
    pub rejected: usize,
    /// Attempts that failed (to be retried, or failed for good after the last one).
    pub failed: usize,
    /// Items another pass moved first.
    pub skipped: usize,
}

/// Sends every due document within `scope` (and asks about registered ones), recording each
/// outcome as its own audited step.
pub async fn run_pass(
    db: &Db,
    gateway: &dyn TreasuryGateway,
    who: &Who,
    now: DateTime<Utc>,
    scope: &(dyn Fn(&OutboxItem) -> bool + Sync),
) -> Result<PassSummary> {
    let mut summary = PassSummary::default();
    for item in outbox::due(db, now).await.map_err(Error::from)? {
        if !scope(&item) || waits_for_earlier_documents(db, &item).await? {
            continue;
        }
        let result = if item.status == OutboxStatus::Sent {
            gateway.status(&item.id.to_string()).await
        } else {
            let document = document_of(db, &item).await?;
            gateway.submit(&document).await
        };
        let answer = answer_of(result);
        let next = exchange::after(&item, &answer, Utc::now());
        if !outbox::record(db, who, &item, &next, None)
            .await
            .map_err(Error::from)?
        {
            summary.skipped += 1;
            continue;
        }
        match answer {
            Answer::Accepted { .. } => summary.accepted += 1,
            Answer::Registered { .. } => summary.registered += 1,
            Answer::Rejected { .. } => summary.rejected += 1,
            Answer::Failed { .. } => summary.failed += 1,
        }
    }
    Ok(summary)
}

/// The queued documents of the organisations the caller may read, newest first.
pub async fn list(db: &Db, p: &Principal) -> Result<Vec<OutboxItem>> {
    let scope = p.scope(Right::Read);
    Ok(outbox::items(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|i| scope.contains(i.org_id))
        .collect())
}

/// Whether the caller may send the queue now: someone who enters data somewhere.
pub fn may_send(p: &Principal) -> bool {
    !p.scope(Right::Enter).ids().is_empty()
}

/// Whether the caller may queue a failed or rejected document again.
pub fn may_retry(p: &Principal, item: &OutboxItem) -> bool {
    matches!(item.status, OutboxStatus::Failed | OutboxStatus::Rejected)
        && p.can(Right::Enter, item.org_id)
}

/// The documents of a plan the caller may read.
pub async fn of_plan(db: &Db, p: &Principal, plan: &Plan) -> Result<Vec<OutboxItem>> {
    p.require(Right::Read, plan.org_id)?;
    outbox::items_of_plan(db, plan.id)
        .await
        .map_err(Error::from)
}

fn gateway_of(gateway: Option<&Arc<dyn TreasuryGateway>>) -> Result<&Arc<dyn TreasuryGateway>> {
    gateway.ok_or_else(|| Error::invalid("err-exchange-off", "treasury"))
}

/// Sends now what is due of the organisations where the caller enters data.
pub async fn send_now(
    db: &Db,
    gateway: Option<&Arc<dyn TreasuryGateway>>,
    p: &Principal,
) -> Result<PassSummary> {
    let gateway = gateway_of(gateway)?;
    if !may_send(p) {
        return Err(Error::Forbidden);
    }
    let scope = p.scope(Right::Enter);
    let in_scope = move |item: &OutboxItem| scope.contains(item.org_id);
    run_pass(db, gateway.as_ref(), &p.who(), Utc::now(), &in_scope).await
}

/// Queues a failed or rejected document again, with the caller's reason.
pub async fn retry(db: &Db, p: &Principal, id: i64, reason: &str) -> Result<OutboxItem> {
    let item = outbox::item_by_id(db, id)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    p.require(Right::Enter, item.org_id)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    let next = exchange::requeued(&item, Utc::now()).map_err(|e| Error::Invalid {
        key: "err-exchange-retry",
        args: vec![("status", e.0.code().to_string())],
        field: Some("status".into()),
    })?;
    if !outbox::record(db, &p.who(), &item, &next, Some(reason.trim()))
        .await
        .map_err(Error::from)?
    {
        return Err(Error::Stale);
    }
    Ok(next)
}

#[cfg(test)]
mod rights_tests {
    use super::*;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    fn item(status: OutboxStatus) -> OutboxItem {
        OutboxItem {
            id: 1,
            plan_id: 7,
            org_id: 3,
            kind: "plan".into(),
            change_number: 0,
            status,
            attempts: 3,
            next_attempt_at: Utc::now(),
            last_error: None,
            reference: None,
            reason: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_failed_or_rejected_document_is_queued_again_by_whoever_enters_its_data() {
        let school = principal(3, &[(Role::Economist, 3)], REGION);
        let auditor = principal(1, &[(Role::Auditor, 1)], REGION);
        let hospital = principal(5, &[(Role::Economist, 5)], REGION);
        assert!(may_retry(&school, &item(OutboxStatus::Failed)));
        assert!(may_retry(&school, &item(OutboxStatus::Rejected)));
        assert!(!may_retry(&school, &item(OutboxStatus::Queued)));
        assert!(!may_retry(&auditor, &item(OutboxStatus::Failed)));
        assert!(!may_retry(&hospital, &item(OutboxStatus::Failed)));
        assert!(may_send(&school) && may_send(&hospital) && !may_send(&auditor));
    }
}
