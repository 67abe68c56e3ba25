//! Storage of imported Treasury forms: one form of one organisation at one report date,
//! replaced whole (in one transaction) when imported again; its rows kept in chunks written as
//! the file is read; every import audited.

use crate::repo::{RepoError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, Tx, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

/// An imported form, without its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TreasuryReport {
    pub id: i64,
    pub form: String,
    pub org_id: i64,
    pub report_date: NaiveDate,
    pub file_name: String,
    pub row_count: i64,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
}

fn corrupt(id: i64, e: serde_json::Error) -> RepoError {
    RepoError::Corrupt {
        import: id,
        month: "treasury".into(),
        message: e.to_string(),
    }
}

const COLUMNS: &str =
    "id, form, org_id, report_date, file_name, row_count, imported_by, imported_at";

/// How many rows are kept together: a chunk of a 5-52 is some hundreds of kilobytes of JSON.
pub const CHUNK_ROWS: usize = 4096;

/// A form being stored: its rows are written chunk by chunk, as the file is read, in one
/// transaction that replaces the same form of the same organisation and date. Dropped without
/// [`FormWriter::commit`], it leaves nothing (the transaction is rolled back).
pub struct FormWriter {
    tx: Tx,
    report: TreasuryReport,
    replaced: Option<String>,
    chunks: i64,
    pulled: Option<String>,
}

impl FormWriter {
    pub async fn begin(
        db: &Db,
        form: &str,
        org_id: i64,
        report_date: NaiveDate,
        file_name: &str,
    ) -> Result<FormWriter> {
        let mut tx = db.begin().await?;
        let old: Option<(i64, String)> = on_tx!(&mut tx, conn => sqlx::query_as(
            "SELECT id, file_name FROM treasury_reports WHERE form = $1 AND org_id = $2 AND report_date = $3")
            .bind(form).bind(org_id).bind(report_date).fetch_optional(conn).await)?;
        if let Some((old_id, _)) = &old {
            exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM treasury_report_rows WHERE report_id = $1")
                .bind(*old_id).execute(conn).await)?;
            exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM treasury_reports WHERE id = $1")
                .bind(*old_id).execute(conn).await)?;
        }
        let report = TreasuryReport {
            id: new_id(),
            form: form.to_string(),
            org_id,
            report_date,
            file_name: file_name.to_string(),
            row_count: 0,
            imported_by: String::new(),
            imported_at: Utc::now(),
        };
        // The head goes first, so that the chunks' reference to it holds; its count and
        // importer are set at the commit.
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO treasury_reports (id, form, org_id, report_date, file_name, row_count, imported_by, imported_at) \
             VALUES ($1, $2, $3, $4, $5, 0, '', $6)")
            .bind(report.id).bind(form).bind(org_id).bind(report_date).bind(file_name)
            .bind(report.imported_at)
            .execute(conn).await)?;
        Ok(FormWriter {
            tx,
            report,
            replaced: old.map(|(_, file)| file),
            chunks: 0,
            pulled: None,
        })
    }

    /// The form comes from e-Minfin: the digest of its bytes is kept with it.
    pub fn pulled(mut self, digest: Option<&str>) -> FormWriter {
        self.pulled = digest.map(str::to_string);
        self
    }

    /// Writes the next rows of the form (in the order of the file).
    pub async fn write<T: Serialize>(&mut self, rows: &[T]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let text = serde_json::to_string(rows).map_err(|e| corrupt(self.report.id, e))?;
        exec_tx!(&mut self.tx, conn => sqlx::query(
            "INSERT INTO treasury_report_rows (report_id, chunk, rows_json) VALUES ($1, $2, $3)")
            .bind(self.report.id).bind(self.chunks).bind(&text)
            .execute(conn).await)?;
        self.chunks += 1;
        self.report.row_count += rows.len() as i64;
        Ok(())
    }

    /// Records the form's count and importer, audits the import and commits it.
    pub async fn commit(mut self, who: &Who) -> Result<TreasuryReport> {
        self.report.imported_by = who.login.clone();
        let report = self.report;
        exec_tx!(&mut self.tx, conn => sqlx::query(
            "UPDATE treasury_reports SET row_count = $1, imported_by = $2, pulled_digest = $3 WHERE id = $4")
            .bind(report.row_count).bind(&report.imported_by).bind(&self.pulled).bind(report.id)
            .execute(conn).await)?;
        self.tx
            .audit(AuditEntry {
                who,
                org_id: Some(report.org_id),
                entity: "treasury_report",
                entity_id: format!("{}/{}/{}", report.form, report.org_id, report.report_date),
                action: if self.replaced.is_some() {
                    "replace"
                } else {
                    "create"
                },
                old_value: self.replaced.map(|file| json!({"file_name": file})),
                new_value: Some(json!({"file_name": report.file_name, "rows": report.row_count})),
                reason: None,
            })
            .await?;
        self.tx.commit().await?;
        Ok(report)
    }
}

/// Every imported form, newest report date first.
pub async fn reports(db: &Db) -> Result<Vec<TreasuryReport>> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_reports ORDER BY report_date DESC, form")))
        .fetch_all(pool).await)?,
    )
}

/// An imported form without its rows.
pub async fn head(db: &Db, id: i64) -> Result<Option<TreasuryReport>> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_reports WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)?,
    )
}

/// One imported form of the kind `form` with its rows; none when `id` is no such form (the
/// rows of each form have their own shape).
pub async fn report<T: DeserializeOwned>(
    db: &Db,
    id: i64,
    form: &str,
) -> Result<Option<(TreasuryReport, Vec<T>)>> {
    let Some(head) = head(db, id).await?.filter(|h| h.form == form) else {
        return Ok(None);
    };
    // Chunk by chunk, so that only one chunk's text is held beside the rows.
    let mut rows = Vec::with_capacity(usize::try_from(head.row_count).unwrap_or(0));
    for chunk in 0_i64.. {
        let text: Option<String> = on_db!(db, pool => sqlx::query_scalar(
            "SELECT rows_json FROM treasury_report_rows WHERE report_id = $1 AND chunk = $2")
            .bind(id).bind(chunk).fetch_optional(pool).await)?;
        let Some(text) = text else { break };
        let part: Vec<T> = serde_json::from_str(&text).map_err(|e| corrupt(id, e))?;
        rows.extend(part);
    }
    Ok(Some((head, rows)))
}
