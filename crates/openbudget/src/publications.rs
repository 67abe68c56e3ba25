//! The other publications of the open budget (OB-1; rules of order No. 176-НҚ pp. 4–7): budget
//! reports, the consolidated financial statements of republican administrators (by 5 July of
//! the year after the reporting one), the citizen's budget, and the results of state audit and
//! financial control (within 15 working days of their receipt). An administrator registers what
//! is to be published — its due day is computed then — and publishes it with its file; what is
//! past its day unpublished, or was published late, is flagged.

use chrono::{NaiveDate, Utc};
use jospar_core::WorkingCalendar;
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, StoreError, Who, exec_tx, on_db};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Working days the administrator has to publish audit results after receiving them (p. 7).
pub const AUDIT_RESULTS_WORKING_DAYS: u32 = 15;

/// The largest file a publication carries.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicationKind {
    BudgetReport,
    FinancialStatements,
    CitizenBudget,
    AuditResults,
}

impl PublicationKind {
    pub const ALL: [PublicationKind; 4] = [
        PublicationKind::BudgetReport,
        PublicationKind::FinancialStatements,
        PublicationKind::CitizenBudget,
        PublicationKind::AuditResults,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PublicationKind::BudgetReport => "budget_report",
            PublicationKind::FinancialStatements => "financial_statements",
            PublicationKind::CitizenBudget => "citizen_budget",
            PublicationKind::AuditResults => "audit_results",
        }
    }

    pub fn from_code(code: &str) -> Option<PublicationKind> {
        PublicationKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicationError {
    #[error("audit results need the day they were received")]
    NoReceipt,
    #[error("the {0} is empty")]
    Missing(&'static str),
    #[error("the file is empty or larger than {MAX_FILE_BYTES} bytes")]
    BadFile,
    #[error("published already")]
    Published,
}

/// The day a publication is due: statements of year Y by 5 July of Y+1 (p. 5), audit results
/// 15 working days after receipt (p. 7); the rules set none for budget reports and the
/// citizen's budget, which follow their own procedures.
pub fn due_day(
    calendar: &WorkingCalendar,
    kind: PublicationKind,
    year: i32,
    received_on: Option<NaiveDate>,
) -> Result<Option<NaiveDate>, PublicationError> {
    match kind {
        PublicationKind::FinancialStatements => Ok(NaiveDate::from_ymd_opt(year + 1, 7, 5)),
        PublicationKind::AuditResults => {
            let received = received_on.ok_or(PublicationError::NoReceipt)?;
            Ok(Some(
                calendar.add_working_days(received, AUDIT_RESULTS_WORKING_DAYS),
            ))
        }
        PublicationKind::BudgetReport | PublicationKind::CitizenBudget => Ok(None),
    }
}

/// A publication, without its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Publication {
    pub id: i64,
    pub org_id: i64,
    pub kind: String,
    pub year: i64,
    pub title_ru: String,
    pub title_kk: String,
    pub received_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub registered_by: String,
    pub published_on: Option<NaiveDate>,
    pub published_by: Option<String>,
    pub file_name: Option<String>,
}

impl Publication {
    /// Past its day unpublished, or published after it.
    pub fn late(&self, today: NaiveDate) -> bool {
        match (self.due_on, self.published_on) {
            (Some(due), Some(published)) => published > due,
            (Some(due), None) => today > due,
            _ => false,
        }
    }

    pub fn title(&self, lang: &str) -> &str {
        if lang == "kk" {
            &self.title_kk
        } else {
            &self.title_ru
        }
    }
}

/// What an administrator registers.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewPublication {
    pub org_id: i64,
    pub kind: String,
    pub year: i32,
    pub title_ru: String,
    pub title_kk: String,
    pub received_on: Option<NaiveDate>,
}

const COLUMNS: &str = "id, org_id, kind, year, title_ru, title_kk, received_on, due_on, \
    registered_by, published_on, published_by, file_name";

pub async fn publications(db: &Db) -> Result<Vec<Publication>, StoreError> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ob_publications ORDER BY year DESC, id DESC")))
        .fetch_all(pool).await)?,
    )
}

pub async fn publication(db: &Db, id: i64) -> Result<Option<Publication>, StoreError> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ob_publications WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)?,
    )
}

/// A published publication's file.
pub async fn file(db: &Db, id: i64) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    let row: Option<(Option<String>, Option<Vec<u8>>)> = on_db!(db, pool => sqlx::query_as(
        "SELECT file_name, content FROM ob_publications WHERE id = $1 AND published_on IS NOT NULL")
        .bind(id).fetch_optional(pool).await)?;
    Ok(row.and_then(|(name, content)| Some((name?, content?))))
}

/// Registers a checked publication with its due day.
pub async fn register(
    db: &Db,
    who: &Who,
    kind: PublicationKind,
    new: &NewPublication,
    due_on: Option<NaiveDate>,
) -> Result<Publication, StoreError> {
    let publication = Publication {
        id: new_id(),
        org_id: new.org_id,
        kind: kind.code().to_string(),
        year: i64::from(new.year),
        title_ru: new.title_ru.trim().to_string(),
        title_kk: new.title_kk.trim().to_string(),
        received_on: new.received_on,
        due_on,
        registered_by: who.login.clone(),
        published_on: None,
        published_by: None,
        file_name: None,
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO ob_publications (id, org_id, kind, year, title_ru, title_kk, received_on, due_on, registered_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(publication.id).bind(publication.org_id).bind(&publication.kind).bind(publication.year)
        .bind(&publication.title_ru).bind(&publication.title_kk).bind(publication.received_on)
        .bind(publication.due_on).bind(&publication.registered_by).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(publication.org_id),
        entity: "ob_publication",
        entity_id: publication.id.to_string(),
        action: "register",
        old_value: None,
        new_value: Some(json!(publication)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(publication)
}

/// Publishes a registered publication with its file, on `today`.
pub async fn publish(
    db: &Db,
    who: &Who,
    old: &Publication,
    file_name: &str,
    content: &[u8],
    today: NaiveDate,
) -> Result<Publication, StoreError> {
    let new = Publication {
        published_on: Some(today),
        published_by: Some(who.login.clone()),
        file_name: Some(file_name.to_string()),
        ..old.clone()
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE ob_publications SET published_on = $1, published_by = $2, file_name = $3, content = $4 WHERE id = $5")
        .bind(today).bind(&new.published_by).bind(file_name).bind(content).bind(old.id)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(old.org_id),
        entity: "ob_publication",
        entity_id: old.id.to_string(),
        action: "publish",
        old_value: Some(json!(old)),
        new_value: Some(json!({"publication": new, "bytes": content.len(),
                               "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(content)),
                               "at": Utc::now()})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// A document's materials: id and file name.
pub async fn materials(db: &Db, document_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, file_name FROM ob_materials WHERE document_id = $1 ORDER BY id")
        .bind(document_id).fetch_all(pool).await)?)
}

/// A material's file.
pub async fn material(db: &Db, id: i64) -> Result<Option<(i64, String, Vec<u8>)>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT document_id, file_name, content FROM ob_materials WHERE id = $1")
        .bind(id).fetch_optional(pool).await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn each_kind_has_its_due_day() {
        let calendar = WorkingCalendar::new([]);
        assert_eq!(
            due_day(&calendar, PublicationKind::FinancialStatements, 2026, None),
            Ok(Some(d(2027, 7, 5)))
        );
        // Received on Friday 13 March 2026: 15 working days step over Nauryz.
        let due = due_day(
            &calendar,
            PublicationKind::AuditResults,
            2026,
            Some(d(2026, 3, 13)),
        )
        .expect("due")
        .expect("a day");
        assert_eq!(calendar.working_days_between(d(2026, 3, 13), due), 15);
        assert!(due > d(2026, 4, 3), "{due}");
        assert_eq!(
            due_day(&calendar, PublicationKind::AuditResults, 2026, None),
            Err(PublicationError::NoReceipt)
        );
        assert_eq!(
            due_day(&calendar, PublicationKind::CitizenBudget, 2026, None),
            Ok(None)
        );
    }

    #[test]
    fn a_publication_is_late_past_its_day() {
        let p = Publication {
            id: 1,
            org_id: 1,
            kind: "audit_results".into(),
            year: 2026,
            title_ru: "t".into(),
            title_kk: "t".into(),
            received_on: Some(d(2026, 3, 13)),
            due_on: Some(d(2026, 4, 7)),
            registered_by: "a".into(),
            published_on: None,
            published_by: None,
            file_name: None,
        };
        assert!(!p.late(d(2026, 4, 7)));
        assert!(p.late(d(2026, 4, 8)));
        let on_time = Publication {
            published_on: Some(d(2026, 4, 6)),
            ..p.clone()
        };
        assert!(!on_time.late(d(2026, 9, 1)));
        let late = Publication {
            published_on: Some(d(2026, 4, 9)),
            ..p
        };
        assert!(late.late(d(2026, 4, 9)));
    }
}
