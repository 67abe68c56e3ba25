//! Deadlines of the financing plans (issue 20, P-17) for the pages, the API and the start
//! page: who sets a year's deadlines (the approving authority of a budget holder, as for
//! closing periods), and which plans are due, by when, in working days.

use crate::deadlines::{self, PlanDeadlines};
use crate::exchange::OutboxStatus;
use crate::plans;
use chrono::NaiveDate;
use jospar_access::{Error, Principal, Result, Right};
use jospar_i18n::Tr;
use jospar_store::Db;
use std::collections::HashSet;

/// Working days a deadline may lie after the day before it: a quarter is more than any
/// rule gives.
pub const MAX_DAYS: i64 = 66;

/// Deadlines to set, as the form and the API send them.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewDeadlines {
    pub org_id: i64,
    pub year: i64,
    pub opens_on: NaiveDate,
    pub plan_days: i64,
    pub treasury_days: i64,
    pub reason: String,
}

/// A year's deadlines of an organisation with the days they fall on.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DeadlinesView {
    #[serde(flatten)]
    pub deadlines: PlanDeadlines,
    pub org_name: String,
    pub plans_due: NaiveDate,
    pub treasury_due: NaiveDate,
}

/// Whether the caller may set the deadlines of an organisation's subtree.
pub fn may_set(p: &Principal, org: i64) -> bool {
    super::periods::may_close(p, org)
}

/// The organisations whose deadlines the caller may set.
pub fn setters<'a>(p: &Principal, orgs: &'a [jospar_org::Org]) -> Vec<&'a jospar_org::Org> {
    super::periods::closers(p, orgs)
}

/// The deadlines set for organisations the caller reads, with their days.
pub async fn list(db: &Db, p: &Principal, tr: &Tr) -> Result<Vec<DeadlinesView>> {
    let calendar = db.working_calendar().await?;
    let names = jospar_org::repo::org_names(db, tr.lang()).await?;
    Ok(deadlines::all(db)
        .await?
        .into_iter()
        .filter(|d| p.can(Right::Read, d.org_id))
        .map(|d| DeadlinesView {
            org_name: names.get(&d.org_id).cloned().unwrap_or_default(),
            plans_due: d.plans_due(&calendar),
            treasury_due: d.treasury_due(&calendar),
            deadlines: d,
        })
        .collect())
}

/// Sets an organisation's deadlines of a year; refused unless the caller approves for it and
/// it is an authorized body or administrator, naming the field that is wrong.
pub async fn set(db: &Db, p: &Principal, input: &NewDeadlines) -> Result<PlanDeadlines> {
    if !(2000..=2100).contains(&input.year) {
        return Err(Error::invalid("err-year", "year"));
    }
    for (field, days) in [
        ("plan_days", input.plan_days),
        ("treasury_days", input.treasury_days),
    ] {
        if !(0..=MAX_DAYS).contains(&days) {
            return Err(Error::Invalid {
                key: "err-deadline-days",
                args: vec![("max", MAX_DAYS.to_string())],
                field: Some(field.into()),
            });
        }
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    let orgs = jospar_org::repo::all_orgs(db).await?;
    if !setters(p, &orgs).iter().any(|o| o.id == input.org_id) {
        return Err(Error::Forbidden);
    }
    let new = PlanDeadlines {
        org_id: input.org_id,
        year: input.year,
        opens_on: input.opens_on,
        plan_days: input.plan_days,
        treasury_days: input.treasury_days,
        set_by: p.user.login.clone(),
        set_at: chrono::Utc::now(),
    };
    deadlines::set(db, &p.who(), &new, reason).await?;
    Ok(new)
}

/// What a plan on the start page waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AwaitedStep {
    /// The draft is to be approved.
    Approval,
    /// The approved plan is to be accepted by the Treasury.
    Treasury,
}

/// A plan with a deadline ahead of it, as the start page shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PlanDue {
    pub plan_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub year: i64,
    pub step: AwaitedStep,
    pub deadline: NaiveDate,
    /// Working days from today to the deadline (0 on the day itself and after it).
    pub working_days_left: u32,
    pub overdue: bool,
}

/// The plans the caller enters or approves that wait for their approval or for the
/// Treasury, under deadlines set for their year, soonest deadline first.
pub async fn plans_due(db: &Db, p: &Principal, tr: &Tr) -> Result<Vec<PlanDue>> {
    // The start page is no module's: count by the grants of the plans module only.
    let p = &p.in_module(Some(jospar_access::Module::Plans));
    let set = deadlines::all(db).await?;
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let calendar = db.working_calendar().await?;
    let accepted = accepted_by_treasury(db).await?;
    let names = jospar_org::repo::org_names(db, tr.lang()).await?;
    let mut due = Vec::new();
    for plan in plans::plan_summaries(db).await? {
        let approver = p
            .tree
            .ancestors(plan.org_id)
            .first()
            .copied()
            .unwrap_or(plan.org_id);
        let concerned = p.can(Right::Enter, plan.org_id) || p.can(Right::Approve, approver);
        let step = match plan.status.as_str() {
            "draft" => AwaitedStep::Approval,
            _ if accepted.contains(&plan.id) => continue,
            _ => AwaitedStep::Treasury,
        };
        let Some(governing) = concerned
            .then(|| {
                deadlines::governing(&set, plan.org_id, &p.tree.ancestors(plan.org_id), plan.year)
            })
            .flatten()
        else {
            continue;
        };
        let deadline = match step {
            AwaitedStep::Approval => governing.plans_due(&calendar),
            AwaitedStep::Treasury => governing.treasury_due(&calendar),
        };
        due.push(PlanDue {
            plan_id: plan.id,
            org_id: plan.org_id,
            org_name: names.get(&plan.org_id).cloned().unwrap_or_default(),
            year: plan.year,
            step,
            deadline,
            working_days_left: if deadline > p.today {
                calendar.working_days_between(p.today, deadline)
            } else {
                0
            },
            overdue: p.today > deadline,
        });
    }
    due.sort_by(|a, b| (a.deadline, &a.org_name).cmp(&(b.deadline, &b.org_name)));
    Ok(due)
}

/// The plans whose own document (not a change) the Treasury accepted.
async fn accepted_by_treasury(db: &Db) -> Result<HashSet<i64>> {
    Ok(crate::outbox::items(db)
        .await?
        .into_iter()
        .filter(|i| i.kind == "plan" && i.status == OutboxStatus::Accepted)
        .map(|i| i.plan_id)
        .collect())
}
