//! `jospar verify`: the consolidated totals kept as data changes must equal a
//! recomputation from the detail, to the tiyn; and the audit log's hash chain must hold from its
//! first row to its head, and contain the head saved outside the database (P-4, issue 19
//! point 5).

use anyhow::Result;
use jospar_consolidation::repo::{self, Discrepancies};
use jospar_store::{AuditHead, ChainCheck, Db};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Verification {
    /// Kept totals against a recomputation from the kept cells and the request lines.
    pub totals: Discrepancies,
    /// Financing plans whose kept cells differ from the plan with every change applied.
    pub plans_off_their_cells: Vec<i64>,
    /// The audit chain: the first changed, removed or inserted row, if any, and whether the
    /// saved head is in the chain.
    pub audit: ChainCheck,
}

impl Verification {
    pub fn holds(&self) -> bool {
        self.totals.none() && self.plans_off_their_cells.is_empty() && self.audit.holds()
    }

    /// What does not hold, one line each (empty when everything does).
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if !self.totals.none() || !self.plans_off_their_cells.is_empty() {
            failures.push("the kept totals differ from the detail".to_string());
        }
        if let Some(broken) = &self.audit.broken {
            failures.push(format!(
                "the audit chain is broken at seq {}{}: {}",
                broken.position,
                broken
                    .id
                    .map(|id| format!(" (row id {id})"))
                    .unwrap_or_default(),
                broken.problem
            ));
        }
        if let Some(problem) = &self.audit.saved_head_problem {
            failures.push(format!(
                "the audit chain does not hold the saved head: {problem}"
            ));
        }
        failures
    }
}

/// Checks the kept totals and the audit chain within the database.
pub async fn verify(db: &Db) -> Result<Verification> {
    verify_with_head(db, None).await
}

/// Checks the kept totals and the audit chain, and that the chain holds `saved_head` (a head
/// written outside the database: its seq must have its hash).
pub async fn verify_with_head(db: &Db, saved_head: Option<&AuditHead>) -> Result<Verification> {
    Ok(Verification {
        totals: repo::verify(db).await?,
        plans_off_their_cells: jospar_execution::plans::plans_off_their_cells(db).await?,
        audit: db.verify_audit_chain(saved_head).await?,
    })
}
