//! Training before access (P-12; seed 000 p.13): a session on a day, its topic and trainer, and
//! the users who passed it. An oversight employee is given access only after passing a session;
//! the training report is due within 5 working days of the session.

use crate::repo::AccessError;
use chrono::{DateTime, NaiveDate, Utc};
use jospar_core::WorkingCalendar;
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde_json::json;

/// Working days after a session within which its report is issued.
pub const REPORT_DAYS: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Session {
    pub id: i64,
    pub held_on: NaiveDate,
    pub topic: String,
    pub trainer: String,
    /// The users who passed.
    pub passed: Vec<i64>,
    pub report_issued_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl Session {
    pub fn report_due(&self, calendar: &WorkingCalendar) -> NaiveDate {
        calendar.add_working_days(self.held_on, REPORT_DAYS)
    }
}

/// Whether `user` passed a session held on or before `today`.
pub fn has_passed(sessions: &[Session], user: i64, today: NaiveDate) -> bool {
    sessions
        .iter()
        .any(|s| s.held_on <= today && s.passed.contains(&user))
}

type Row = (
    i64,
    NaiveDate,
    String,
    String,
    String,
    Option<NaiveDate>,
    String,
    DateTime<Utc>,
);

const COLUMNS: &str =
    "id, held_on, topic, trainer, passed_json, report_issued_on, created_by, created_at";

fn session_of(row: Row) -> Result<Session, AccessError> {
    Ok(Session {
        id: row.0,
        held_on: row.1,
        topic: row.2,
        trainer: row.3,
        passed: serde_json::from_str(&row.4).map_err(|_| AccessError::Corrupt(row.0))?,
        report_issued_on: row.5,
        created_by: row.6,
        created_at: row.7,
    })
}

/// Every session, latest first.
pub async fn sessions(db: &Db) -> Result<Vec<Session>, AccessError> {
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM training_sessions ORDER BY held_on DESC, id DESC")))
        .fetch_all(pool).await)?;
    rows.into_iter().map(session_of).collect()
}

/// Records a session held and who passed it.
pub async fn record(
    db: &Db,
    who: &Who,
    held_on: NaiveDate,
    topic: &str,
    trainer: &str,
    passed: &[i64],
) -> Result<Session, AccessError> {
    let session = Session {
        id: new_id(),
        held_on,
        topic: topic.to_string(),
        trainer: trainer.to_string(),
        passed: passed.to_vec(),
        report_issued_on: None,
        created_by: who.login.clone(),
        created_at: Utc::now(),
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO training_sessions (id, held_on, topic, trainer, passed_json, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(session.id).bind(held_on).bind(topic).bind(trainer).bind(json!(passed).to_string())
        .bind(&session.created_by).bind(session.created_at).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "training_session",
        entity_id: session.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(session)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(session)
}

/// Records that the session's report was issued on `today`.
pub async fn issue_report(
    db: &Db,
    who: &Who,
    id: i64,
    today: NaiveDate,
) -> Result<Option<Session>, AccessError> {
    let mut tx = db.begin().await?;
    let row: Option<Row> = on_tx!(&mut tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM training_sessions WHERE id = $1")))
        .bind(id).fetch_optional(conn).await)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut session = session_of(row)?;
    session.report_issued_on = Some(today);
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE training_sessions SET report_issued_on = $1 WHERE id = $2")
        .bind(today).bind(id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "training_session",
        entity_id: id.to_string(),
        action: "report",
        old_value: None,
        new_value: Some(json!({"report_issued_on": today})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(Some(session))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    fn session(held_on: NaiveDate, passed: Vec<i64>) -> Session {
        Session {
            id: 1,
            held_on,
            topic: "Модуль «Исполнение бюджета»".into(),
            trainer: "интегратор".into(),
            passed,
            report_issued_on: None,
            created_by: "admin".into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn access_waits_for_a_passed_session() {
        let sessions = [session(d(12, 1), vec![7])];
        assert!(has_passed(&sessions, 7, d(12, 1)));
        assert!(
            !has_passed(&sessions, 7, d(11, 30)),
            "not before it is held"
        );
        assert!(!has_passed(&sessions, 8, d(12, 2)), "only who passed");
    }

    #[test]
    fn the_report_is_due_five_working_days_after() {
        let calendar = WorkingCalendar::new([]);
        // Tuesday 1 December: Wednesday to Friday, Monday 7, Tuesday 8.
        assert_eq!(session(d(12, 1), vec![]).report_due(&calendar), d(12, 8));
        // Friday 11 December: 14, 15, (16 Independence Day), 17, 18, 21.
        assert_eq!(session(d(12, 11), vec![]).report_due(&calendar), d(12, 21));
    }
}
