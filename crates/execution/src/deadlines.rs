//! Deadlines of a budget year's financing plans (issue 20, P-17: control of document
//! deadlines). A planning body sets them for its subtree in working days, one after the other,
//! from the day the budget was approved: the plans approved within `plan_days`, then accepted
//! by the Treasury within `treasury_days` (EX-4). A plan answers to the deadlines of its own
//! organisation or of the nearest one above it that set the year's.

use crate::repo::Result;
use chrono::{DateTime, NaiveDate, Utc};
use jospar_core::calendar::WorkingCalendar;
use jospar_store::{AuditEntry, Db, Who, exec_tx, on_db, on_tx};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PlanDeadlines {
    pub org_id: i64,
    pub year: i64,
    /// The day the count starts: the budget's approval.
    pub opens_on: NaiveDate,
    /// Working days from `opens_on` for the financing plans to be approved.
    pub plan_days: i64,
    /// Working days after that for the approved plans to be accepted by the Treasury.
    pub treasury_days: i64,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

impl PlanDeadlines {
    /// The day by which the year's plans are approved.
    pub fn plans_due(&self, calendar: &WorkingCalendar) -> NaiveDate {
        calendar.add_working_days(self.opens_on, days(self.plan_days))
    }

    /// The day by which the approved plans are accepted by the Treasury.
    pub fn treasury_due(&self, calendar: &WorkingCalendar) -> NaiveDate {
        calendar.add_working_days(self.plans_due(calendar), days(self.treasury_days))
    }
}

fn days(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

/// The deadlines a plan of `org` for `year` answers to: the organisation's own, or those of
/// the nearest organisation above it (`ancestors`, from the parent up) that set the year's.
pub fn governing<'a>(
    all: &'a [PlanDeadlines],
    org: i64,
    ancestors: &[i64],
    year: i64,
) -> Option<&'a PlanDeadlines> {
    std::iter::once(&org)
        .chain(ancestors)
        .find_map(|id| all.iter().find(|d| d.org_id == *id && d.year == year))
}

/// Every deadline set, newest year first.
pub async fn all(db: &Db) -> Result<Vec<PlanDeadlines>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT org_id, year, opens_on, plan_days, treasury_days, set_by, set_at FROM plan_deadlines ORDER BY year DESC, org_id")
        .fetch_all(pool).await)?)
}

/// Sets (or changes) an organisation's deadlines of a year, in the audit log with the reason.
pub async fn set(db: &Db, who: &Who, new: &PlanDeadlines, reason: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let old: Option<PlanDeadlines> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT org_id, year, opens_on, plan_days, treasury_days, set_by, set_at FROM plan_deadlines WHERE org_id = $1 AND year = $2")
        .bind(new.org_id).bind(new.year).fetch_optional(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "DELETE FROM plan_deadlines WHERE org_id = $1 AND year = $2")
        .bind(new.org_id).bind(new.year).execute(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO plan_deadlines (org_id, year, opens_on, plan_days, treasury_days, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(new.org_id).bind(new.year).bind(new.opens_on).bind(new.plan_days)
        .bind(new.treasury_days).bind(&new.set_by).bind(new.set_at).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(new.org_id),
        entity: "plan_deadlines",
        entity_id: format!("{}/{}", new.org_id, new.year),
        action: if old.is_some() { "update" } else { "create" },
        old_value: old.map(|o| json!(o)),
        new_value: Some(json!(new)),
        reason: Some(reason.to_string()),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_by(org_id: i64, year: i64) -> PlanDeadlines {
        PlanDeadlines {
            org_id,
            year,
            opens_on: NaiveDate::from_ymd_opt(2027, 6, 14).expect("date"),
            plan_days: 10,
            treasury_days: 5,
            set_by: "planner".into(),
            set_at: Utc::now(),
        }
    }

    #[test]
    fn the_nearest_organisation_above_with_the_years_deadlines_counts() {
        let all = vec![set_by(1, 2027), set_by(2, 2027), set_by(3, 2026)];
        // School 4 under administrator 3 under region 1; 3 set only 2026.
        assert_eq!(governing(&all, 4, &[3, 1], 2027).map(|d| d.org_id), Some(1));
        assert_eq!(governing(&all, 4, &[3, 1], 2026).map(|d| d.org_id), Some(3));
        assert_eq!(governing(&all, 2, &[1], 2027).map(|d| d.org_id), Some(2));
        assert_eq!(governing(&all, 4, &[3, 1], 2028), None);
    }

    #[test]
    fn treasury_deadline_follows_the_plans_deadline_in_working_days() {
        let calendar = WorkingCalendar::new([]);
        let d = set_by(1, 2027);
        // From Monday 14 June 2027 (no holiday near): 10 working days → Monday 28 June, then
        // 5 more → Monday 5 July.
        assert_eq!(
            d.plans_due(&calendar),
            NaiveDate::from_ymd_opt(2027, 6, 28).expect("date")
        );
        assert_eq!(
            d.treasury_due(&calendar),
            NaiveDate::from_ymd_opt(2027, 7, 5).expect("date")
        );
    }
}
