//! Per-year exceptions of the working-day calendar (decrees moving days, announced religious
//! holidays), edited by the system administrator; the rules themselves live in
//! `jospar_core::calendar`.

use crate::{AuditEntry, Db, StoreError, Who, exec_tx, on_db, on_tx};
use chrono::NaiveDate;
use jospar_core::{DayKind, WorkingCalendar};
use serde_json::json;

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CalendarOverride {
    pub day: NaiveDate,
    pub kind: String,
    pub note: String,
}

impl Db {
    pub async fn calendar_overrides(&self) -> Result<Vec<CalendarOverride>, StoreError> {
        Ok(on_db!(self, pool => sqlx::query_as::<_, CalendarOverride>(
            "SELECT day, kind, note FROM calendar_overrides ORDER BY day").fetch_all(pool).await)?)
    }

    pub async fn working_calendar(&self) -> Result<WorkingCalendar, StoreError> {
        let overrides = self.calendar_overrides().await?;
        Ok(WorkingCalendar::new(overrides.into_iter().filter_map(
            |o| DayKind::from_code(&o.kind).map(|k| (o.day, k)),
        )))
    }

    /// Sets (or replaces) the exception of one day.
    pub async fn set_calendar_day(
        &self,
        who: &Who,
        day: NaiveDate,
        kind: DayKind,
        note: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let old: Option<CalendarOverride> = on_tx!(&mut tx, conn => sqlx::query_as::<_, CalendarOverride>(
            "SELECT day, kind, note FROM calendar_overrides WHERE day = $1").bind(day).fetch_optional(conn).await)?;
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO calendar_overrides (day, kind, note) VALUES ($1, $2, $3) \
             ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, note = excluded.note")
            .bind(day).bind(kind.code()).bind(note).execute(conn).await)?;
        tx.audit(AuditEntry {
            who,
            org_id: None,
            entity: "calendar_day",
            entity_id: day.to_string(),
            action: if old.is_some() { "update" } else { "create" },
            old_value: old.map(|o| json!(o)),
            new_value: Some(json!({"day": day, "kind": kind.code(), "note": note})),
            reason: None,
        })
        .await?;
        tx.commit().await
    }

    /// Removes the exception of one day (the rules apply again). False when there was none.
    pub async fn delete_calendar_day(&self, who: &Who, day: NaiveDate) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let old: Option<CalendarOverride> = on_tx!(&mut tx, conn => sqlx::query_as::<_, CalendarOverride>(
            "SELECT day, kind, note FROM calendar_overrides WHERE day = $1").bind(day).fetch_optional(conn).await)?;
        let Some(old) = old else { return Ok(false) };
        exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM calendar_overrides WHERE day = $1").bind(day).execute(conn).await)?;
        tx.audit(AuditEntry {
            who,
            org_id: None,
            entity: "calendar_day",
            entity_id: day.to_string(),
            action: "delete",
            old_value: Some(json!(old)),
            new_value: None,
            reason: None,
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
