//! The exchange monitor (issue 24): for the system administrator, each external system the
//! server exchanges with — how it is set up (never a secret), its last success and last
//! failure with the message, and what waits to be sent — the journal of every attempt with
//! filters, and a Treasury pass run now.

use super::exchange::PassSummary;
use crate::exchange::OutboxItem;
use crate::journal::{self, JournalEntry, JournalFilter};
use crate::outbox;
use chrono::Utc;
use jospar_access::{Error, Principal, Result, Right};
use jospar_adapter::IntegrationInfo;
use jospar_shep::TreasuryGateway;
use jospar_store::Db;
use serde::Serialize;
use std::sync::Arc;

/// One system on the monitor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SystemStatus {
    pub info: IntegrationInfo,
    pub last_success: Option<JournalEntry>,
    pub last_failure: Option<JournalEntry>,
    /// Documents waiting to be sent (the Treasury's queue); none for systems without a queue.
    pub waiting: Option<usize>,
}

/// The monitor is the system administrator's: configure right on a root of the tree.
pub fn require_monitor(p: &Principal) -> Result<()> {
    p.require_system(Right::Configure)
}

pub async fn status(
    db: &Db,
    p: &Principal,
    systems: &[IntegrationInfo],
) -> Result<Vec<SystemStatus>> {
    require_monitor(p)?;
    let mut out = Vec::new();
    for info in systems {
        let waiting = if info.system == "shep" {
            Some(outbox::due(db, Utc::now()).await?.len())
        } else {
            None
        };
        out.push(SystemStatus {
            last_success: journal::last(db, &info.system, "ok").await?,
            last_failure: journal::last(db, &info.system, "error").await?,
            waiting,
            info: info.clone(),
        });
    }
    Ok(out)
}

/// A page of the journal, newest first, and how many attempts the filter finds.
pub async fn history(
    db: &Db,
    p: &Principal,
    filter: &JournalFilter,
    offset: usize,
    limit: usize,
) -> Result<(Vec<JournalEntry>, usize)> {
    require_monitor(p)?;
    if let Some(outcome) = &filter.outcome
        && outcome != "ok"
        && outcome != "error"
    {
        return Err(Error::invalid("err-monitor-outcome", "outcome"));
    }
    let clamp = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let (rows, total) = journal::page(db, filter, clamp(offset), clamp(limit)).await?;
    Ok((rows, usize::try_from(total).unwrap_or(0)))
}

/// Runs a pass of the Treasury exchange now over the whole queue.
pub async fn run_treasury(
    db: &Db,
    gateway: Option<&Arc<dyn TreasuryGateway>>,
    p: &Principal,
) -> Result<PassSummary> {
    require_monitor(p)?;
    let gateway = gateway.ok_or_else(|| Error::invalid("err-exchange-off", "treasury"))?;
    let everything = |_: &OutboxItem| true;
    super::exchange::run_pass(db, gateway.as_ref(), &p.who(), Utc::now(), &everything).await
}
