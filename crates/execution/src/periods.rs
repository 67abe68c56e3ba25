//! Closed execution periods (EX-5): once an organisation closes a month, the Treasury's forms
//! reporting that month for it or for anyone below it are neither imported nor replaced, so
//! what was reported and reconciled for the month stays as it was. The month a form reports is
//! the last month its figures cover: a form dated 1 April covers January–March (March), one
//! dated 31 March too.

use crate::portal::Month;
use crate::repo::Result;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use jospar_store::{AuditEntry, Db, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde_json::json;

/// The last month a form dated `date` covers.
pub fn period_of(date: NaiveDate) -> Month {
    if date.day() == 1 {
        let previous = date.pred_opt().unwrap_or(date);
        Month {
            year: previous.year(),
            month: previous.month(),
        }
    } else {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ClosedPeriod {
    pub org_id: i64,
    /// "2027-03".
    pub month: String,
    pub reason: String,
    pub closed_by: String,
    pub closed_at: DateTime<Utc>,
}

/// The closing that keeps a form of `org` dated `date` out, if any: a closing of the form's
/// month by the organisation or by one above it (`covers(closing_org)` tells).
pub fn closing_of(
    closed: &[ClosedPeriod],
    date: NaiveDate,
    covers: impl Fn(i64) -> bool,
) -> Option<&ClosedPeriod> {
    let month = period_of(date).to_string();
    closed.iter().find(|c| c.month == month && covers(c.org_id))
}

/// Every closed period, newest month first.
pub async fn closed_periods(db: &Db) -> Result<Vec<ClosedPeriod>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT org_id, month, reason, closed_by, closed_at FROM closed_periods ORDER BY month DESC, org_id")
        .fetch_all(pool).await)?)
}

/// Closes a month for an organisation's subtree; refused when it is closed already.
pub async fn close(
    db: &Db,
    who: &Who,
    org_id: i64,
    month: Month,
    reason: &str,
) -> Result<Option<ClosedPeriod>> {
    let period = ClosedPeriod {
        org_id,
        month: month.to_string(),
        reason: reason.to_string(),
        closed_by: who.login.clone(),
        closed_at: Utc::now(),
    };
    let mut tx = db.begin().await?;
    let exists: Option<String> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT month FROM closed_periods WHERE org_id = $1 AND month = $2")
        .bind(org_id).bind(&period.month).fetch_optional(conn).await)?;
    if exists.is_some() {
        return Ok(None);
    }
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO closed_periods (org_id, month, reason, closed_by, closed_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(org_id).bind(&period.month).bind(&period.reason).bind(&period.closed_by)
        .bind(period.closed_at).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "closed_period",
        entity_id: format!("{org_id}/{}", period.month),
        action: "close",
        old_value: None,
        new_value: Some(json!(period)),
        reason: Some(reason.to_string()),
    })
    .await?;
    tx.commit().await?;
    Ok(Some(period))
}

/// Opens a closed month again, with the reason; none when it was not closed.
pub async fn reopen(
    db: &Db,
    who: &Who,
    org_id: i64,
    month: Month,
    reason: &str,
) -> Result<Option<ClosedPeriod>> {
    let month = month.to_string();
    let mut tx = db.begin().await?;
    let old: Option<ClosedPeriod> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT org_id, month, reason, closed_by, closed_at FROM closed_periods WHERE org_id = $1 AND month = $2")
        .bind(org_id).bind(&month).fetch_optional(conn).await)?;
    let Some(old) = old else {
        return Ok(None);
    };
    exec_tx!(&mut tx, conn => sqlx::query(
        "DELETE FROM closed_periods WHERE org_id = $1 AND month = $2")
        .bind(org_id).bind(&month).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "closed_period",
        entity_id: format!("{org_id}/{month}"),
        action: "reopen",
        old_value: Some(json!(old)),
        new_value: None,
        reason: Some(reason.to_string()),
    })
    .await?;
    tx.commit().await?;
    Ok(Some(old))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_form_reports_the_last_month_it_covers() {
        assert_eq!(period_of(d(2027, 4, 1)).to_string(), "2027-03");
        assert_eq!(period_of(d(2027, 3, 31)).to_string(), "2027-03");
        assert_eq!(period_of(d(2027, 1, 1)).to_string(), "2026-12");
        assert_eq!(period_of(d(2027, 3, 15)).to_string(), "2027-03");
    }

    #[test]
    fn a_closing_above_keeps_the_form_out() {
        let closed = vec![ClosedPeriod {
            org_id: 10,
            month: "2027-03".into(),
            reason: "отчёт сдан".into(),
            closed_by: "abp".into(),
            closed_at: Utc::now(),
        }];
        let above = |org: i64| org == 10;
        assert!(closing_of(&closed, d(2027, 4, 1), above).is_some());
        assert!(closing_of(&closed, d(2027, 4, 2), above).is_none());
        assert!(closing_of(&closed, d(2027, 3, 31), |_| false).is_none());
    }
}
