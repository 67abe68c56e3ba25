//! Storage of the open budget: documents, proposals, votes and the sessions of people signed
//! in with their signature. Every change is checked by the rules of the crate before it is
//! written and audited; a person signed in with a signature acts as `citizen:IIN`.

use crate::{DiscussionError, DocKind, FinalReport, ProposalStatus, check_open, moderation_due};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use jospar_core::ids::new_id;
use jospar_core::{Tenge, WorkingCalendar};
use jospar_store::{AuditEntry, Db, StoreError, Who, exec_db, exec_tx, on_db, on_tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Rules(#[from] DiscussionError),
    #[error("stored open-budget record {0} is unreadable")]
    Corrupt(i64),
    #[error("not found")]
    NotFound,
}

impl From<sqlx::Error> for RepoError {
    fn from(e: sqlx::Error) -> Self {
        RepoError::Store(e.into())
    }
}

pub type Result<T> = std::result::Result<T, RepoError>;

/// The figures of a program's passport: each subprogram's amounts by year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FigureRow {
    /// Empty: the program without subprograms.
    pub subprogram: String,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub years: BTreeMap<i32, Tenge>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Document {
    pub id: i64,
    pub kind: DocKind,
    /// The administrator of the program.
    pub org_id: i64,
    pub abp: String,
    pub program: String,
    pub year: i32,
    pub title_ru: String,
    pub title_kk: String,
    pub summary_ru: String,
    pub summary_kk: String,
    /// The head of the budget program.
    pub head: String,
    /// Republican or local budget, as the final report names it.
    pub budget_kind: String,
    pub figures: Vec<FigureRow>,
    pub published_by: String,
    pub published_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub final_report: Option<FinalReport>,
    pub final_made_on: Option<NaiveDate>,
    /// The national open-budgets portal's id of the program (BP-14), or why it was not taken.
    pub portal_id: Option<String>,
    pub portal_error: Option<String>,
}

impl Document {
    /// The unique number of the document on the portal and in its final report.
    pub fn unique_number(&self) -> String {
        format!(
            "{}-{}-{}-{}-{}",
            match self.kind {
                DocKind::Passport => "БП",
                DocKind::Report => "ОР",
            },
            self.abp,
            self.program,
            self.year,
            self.id % 100_000
        )
    }

    pub fn title(&self, lang: &str) -> &str {
        if lang == "kk" {
            &self.title_kk
        } else {
            &self.title_ru
        }
    }

    pub fn summary(&self, lang: &str) -> &str {
        if lang == "kk" {
            &self.summary_kk
        } else {
            &self.summary_ru
        }
    }
}

/// A document as the administrator publishes it.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub kind: DocKind,
    pub org_id: i64,
    pub abp: String,
    pub program: String,
    pub year: i32,
    pub title_ru: String,
    pub title_kk: String,
    pub summary_ru: String,
    pub summary_kk: String,
    pub head: String,
    pub budget_kind: String,
    pub figures: Vec<FigureRow>,
    pub published_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Proposal {
    pub id: i64,
    pub document_id: i64,
    pub part: String,
    pub text: String,
    pub author_iin: String,
    pub author_name: String,
    pub submitted_on: NaiveDate,
    pub status: String,
    pub moderated_by: Option<String>,
    pub moderated_on: Option<NaiveDate>,
    pub moderation_reason: Option<String>,
    pub accepted: Option<bool>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_on: Option<NaiveDate>,
}

impl Proposal {
    pub fn status(&self) -> ProposalStatus {
        ProposalStatus::from_code(&self.status).unwrap_or(ProposalStatus::Pending)
    }

    /// Pending past the operator's 2 working days.
    pub fn moderation_overdue(&self, calendar: &WorkingCalendar, today: NaiveDate) -> bool {
        self.status() == ProposalStatus::Pending
            && today > moderation_due(calendar, self.submitted_on)
    }
}

/// The person acting in the public part: signed in with their signature.
pub fn citizen(iin: &str) -> Who {
    Who {
        user_id: None,
        login: format!("citizen:{iin}"),
        iin: iin.to_string(),
    }
}

/// A document's row as stored.
#[derive(sqlx::FromRow)]
struct DocRow {
    id: i64,
    kind: String,
    org_id: i64,
    abp: String,
    program: String,
    year: i64,
    title_ru: String,
    title_kk: String,
    summary_ru: String,
    summary_kk: String,
    head: String,
    budget_kind: String,
    figures_json: String,
    published_by: String,
    published_on: NaiveDate,
    ends_on: NaiveDate,
    final_json: Option<String>,
    final_made_on: Option<NaiveDate>,
    portal_id: Option<String>,
    portal_error: Option<String>,
}

const DOC_COLUMNS: &str = "id, kind, org_id, abp, program, year, title_ru, title_kk, summary_ru, \
    summary_kk, head, budget_kind, figures_json, published_by, published_on, ends_on, final_json, \
    final_made_on, portal_id, portal_error";

fn document_of(row: DocRow) -> Result<Document> {
    let id = row.id;
    let corrupt = |_| RepoError::Corrupt(id);
    Ok(Document {
        id,
        kind: DocKind::from_code(&row.kind).ok_or(RepoError::Corrupt(id))?,
        org_id: row.org_id,
        abp: row.abp,
        program: row.program,
        year: i32::try_from(row.year).map_err(|_| RepoError::Corrupt(id))?,
        title_ru: row.title_ru,
        title_kk: row.title_kk,
        summary_ru: row.summary_ru,
        summary_kk: row.summary_kk,
        head: row.head,
        budget_kind: row.budget_kind,
        figures: serde_json::from_str(&row.figures_json).map_err(corrupt)?,
        published_by: row.published_by,
        published_on: row.published_on,
        ends_on: row.ends_on,
        final_report: row
            .final_json
            .map(|text| serde_json::from_str::<FinalReport>(&text))
            .transpose()
            .map_err(corrupt)?,
        final_made_on: row.final_made_on,
        portal_id: row.portal_id,
        portal_error: row.portal_error,
    })
}

/// Every document, the newest first.
pub async fn documents(db: &Db) -> Result<Vec<Document>> {
    let rows: Vec<DocRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLUMNS} FROM ob_documents ORDER BY published_on DESC, id DESC")))
        .fetch_all(pool).await)?;
    rows.into_iter().map(document_of).collect()
}

pub async fn document(db: &Db, id: i64) -> Result<Option<Document>> {
    let row: Option<DocRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLUMNS} FROM ob_documents WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)?;
    row.map(document_of).transpose()
}

/// Publishes a checked document for discussion with its materials (file name, content), all
/// in one transaction.
pub async fn publish(
    db: &Db,
    who: &Who,
    new: NewDocument,
    materials: &[(String, Vec<u8>)],
) -> Result<Document> {
    let doc = Document {
        id: new_id(),
        kind: new.kind,
        org_id: new.org_id,
        abp: new.abp,
        program: new.program,
        year: new.year,
        title_ru: new.title_ru,
        title_kk: new.title_kk,
        summary_ru: new.summary_ru,
        summary_kk: new.summary_kk,
        head: new.head,
        budget_kind: new.budget_kind,
        figures: new.figures,
        published_by: who.login.clone(),
        published_on: new.published_on,
        ends_on: new.ends_on,
        final_report: None,
        final_made_on: None,
        portal_id: None,
        portal_error: None,
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO ob_documents (id, kind, org_id, abp, program, year, title_ru, title_kk, \
         summary_ru, summary_kk, head, budget_kind, figures_json, published_by, published_on, ends_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
        .bind(doc.id).bind(doc.kind.code()).bind(doc.org_id).bind(&doc.abp).bind(&doc.program)
        .bind(i64::from(doc.year)).bind(&doc.title_ru).bind(&doc.title_kk).bind(&doc.summary_ru)
        .bind(&doc.summary_kk).bind(&doc.head).bind(&doc.budget_kind)
        .bind(json!(doc.figures).to_string()).bind(&doc.published_by).bind(doc.published_on)
        .bind(doc.ends_on).execute(conn).await)?;
    for (file_name, content) in materials {
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO ob_materials (id, document_id, file_name, content) VALUES ($1, $2, $3, $4)")
            .bind(new_id()).bind(doc.id).bind(file_name).bind(content).execute(conn).await)?;
    }
    let names: Vec<&String> = materials.iter().map(|(name, _)| name).collect();
    tx.audit(AuditEntry {
        who,
        org_id: Some(doc.org_id),
        entity: "ob_document",
        entity_id: doc.id.to_string(),
        action: "publish",
        old_value: None,
        new_value: Some(json!({"document": doc, "materials": names})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(doc)
}

const PROPOSAL_COLUMNS: &str = "id, document_id, part, text, author_iin, author_name, \
    submitted_on, status, moderated_by, moderated_on, moderation_reason, accepted, answer, \
    answered_by, answered_on";

/// A document's proposals, in the order they came.
pub async fn proposals(db: &Db, document_id: i64) -> Result<Vec<Proposal>> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PROPOSAL_COLUMNS} FROM ob_proposals WHERE document_id = $1 ORDER BY submitted_on, id")))
        .bind(document_id).fetch_all(pool).await)?,
    )
}

/// Every proposal waiting for the operator.
pub async fn pending_proposals(db: &Db) -> Result<Vec<Proposal>> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PROPOSAL_COLUMNS} FROM ob_proposals WHERE status = 'pending' ORDER BY submitted_on, id")))
        .fetch_all(pool).await)?,
    )
}

pub async fn proposal(db: &Db, id: i64) -> Result<Option<Proposal>> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PROPOSAL_COLUMNS} FROM ob_proposals WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)?,
    )
}

/// A checked proposal of a signed-in person, while the discussion lasts.
pub async fn propose(
    db: &Db,
    doc: &Document,
    iin: &str,
    name: &str,
    part: &str,
    text: &str,
    today: NaiveDate,
) -> Result<Proposal> {
    check_open(doc.ends_on, today)?;
    let proposal = Proposal {
        id: new_id(),
        document_id: doc.id,
        part: part.to_string(),
        text: text.to_string(),
        author_iin: iin.to_string(),
        author_name: name.to_string(),
        submitted_on: today,
        status: ProposalStatus::Pending.code().to_string(),
        moderated_by: None,
        moderated_on: None,
        moderation_reason: None,
        accepted: None,
        answer: None,
        answered_by: None,
        answered_on: None,
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO ob_proposals (id, document_id, part, text, author_iin, author_name, submitted_on, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(proposal.id).bind(doc.id).bind(part).bind(text).bind(iin).bind(name)
        .bind(today).bind(&proposal.status).execute(conn).await)?;
    tx.audit(AuditEntry {
        who: &citizen(iin),
        org_id: Some(doc.org_id),
        entity: "ob_proposal",
        entity_id: proposal.id.to_string(),
        action: "propose",
        old_value: None,
        new_value: Some(json!(proposal)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(proposal)
}

/// The operator publishes a pending proposal or refuses it with the reason.
pub async fn moderate(
    db: &Db,
    who: &Who,
    id: i64,
    publish: bool,
    reason: &str,
    today: NaiveDate,
) -> Result<Proposal> {
    let old = proposal(db, id).await?.ok_or(RepoError::NotFound)?;
    if old.status() != ProposalStatus::Pending {
        return Err(DiscussionError::Moderated.into());
    }
    if !publish && reason.trim().is_empty() {
        return Err(DiscussionError::NoReason.into());
    }
    let status = if publish {
        ProposalStatus::Published
    } else {
        ProposalStatus::Refused
    };
    let reason = (!reason.trim().is_empty()).then(|| reason.trim().to_string());
    let new = Proposal {
        status: status.code().to_string(),
        moderated_by: Some(who.login.clone()),
        moderated_on: Some(today),
        moderation_reason: reason.clone(),
        ..old.clone()
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE ob_proposals SET status = $1, moderated_by = $2, moderated_on = $3, moderation_reason = $4 WHERE id = $5")
        .bind(&new.status).bind(&new.moderated_by).bind(today).bind(&reason).bind(id)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "ob_proposal",
        entity_id: id.to_string(),
        action: if publish { "publish" } else { "refuse" },
        old_value: Some(json!(old)),
        new_value: Some(json!(new)),
        reason,
    })
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// The administrator accepts or rejects a published proposal, with the reason, within the
/// discussion.
pub async fn answer(
    db: &Db,
    who: &Who,
    doc: &Document,
    id: i64,
    accepted: bool,
    text: &str,
    today: NaiveDate,
) -> Result<Proposal> {
    check_open(doc.ends_on, today)?;
    let old = proposal(db, id)
        .await?
        .filter(|p| p.document_id == doc.id)
        .ok_or(RepoError::NotFound)?;
    if old.status() != ProposalStatus::Published {
        return Err(DiscussionError::NotPublished.into());
    }
    if old.answered_on.is_some() {
        return Err(DiscussionError::Answered.into());
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(DiscussionError::NoReason.into());
    }
    let new = Proposal {
        accepted: Some(accepted),
        answer: Some(text.to_string()),
        answered_by: Some(who.login.clone()),
        answered_on: Some(today),
        ..old.clone()
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE ob_proposals SET accepted = $1, answer = $2, answered_by = $3, answered_on = $4 WHERE id = $5")
        .bind(accepted).bind(text).bind(&new.answered_by).bind(today).bind(id)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(doc.org_id),
        entity: "ob_proposal",
        entity_id: id.to_string(),
        action: if accepted { "accept" } else { "reject" },
        old_value: Some(json!(old)),
        new_value: Some(json!(new)),
        reason: Some(text.to_string()),
    })
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// A person's vote on the document (`proposal` none) or on one of its published proposals:
/// once each, while the discussion lasts.
pub async fn vote(
    db: &Db,
    doc: &Document,
    proposal: Option<i64>,
    iin: &str,
    in_favour: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    check_open(doc.ends_on, now.date_naive())?;
    if let Some(id) = proposal {
        let published = self::proposal(db, id)
            .await?
            .filter(|p| p.document_id == doc.id)
            .is_some_and(|p| p.status() == ProposalStatus::Published);
        if !published {
            return Err(DiscussionError::NotPublished.into());
        }
    }
    let target = proposal.unwrap_or(0);
    let mut tx = db.begin().await?;
    let voted: Option<bool> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT in_favour FROM ob_votes WHERE document_id = $1 AND proposal_id = $2 AND voter_iin = $3")
        .bind(doc.id).bind(target).bind(iin).fetch_optional(conn).await)?;
    if voted.is_some() {
        return Err(DiscussionError::VotedAlready.into());
    }
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO ob_votes (document_id, proposal_id, voter_iin, in_favour, voted_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(doc.id).bind(target).bind(iin).bind(in_favour).bind(now).execute(conn).await)?;
    tx.audit(AuditEntry {
        who: &citizen(iin),
        org_id: Some(doc.org_id),
        entity: "ob_vote",
        entity_id: format!("{}/{target}", doc.id),
        action: if in_favour { "for" } else { "against" },
        old_value: None,
        new_value: Some(json!({"document": doc.id, "proposal": proposal, "in_favour": in_favour})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// "For" and "against" counts of a document (key 0) and of each of its proposals.
pub async fn tallies(db: &Db, document_id: i64) -> Result<BTreeMap<i64, (i64, i64)>> {
    let rows: Vec<(i64, bool)> = on_db!(db, pool => sqlx::query_as(
        "SELECT proposal_id, in_favour FROM ob_votes WHERE document_id = $1")
        .bind(document_id).fetch_all(pool).await)?;
    let mut out: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (target, in_favour) in rows {
        let t = out.entry(target).or_default();
        if in_favour {
            t.0 += 1;
        } else {
            t.1 += 1;
        }
    }
    Ok(out)
}

/// Stores the final report of an ended discussion, once; it goes to the administrator.
pub async fn save_final(
    db: &Db,
    doc: &Document,
    report: &FinalReport,
    today: NaiveDate,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let done = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE ob_documents SET final_json = $1, final_made_on = $2 WHERE id = $3 AND final_json IS NULL")
        .bind(json!(report).to_string()).bind(today).bind(doc.id)
        .execute(conn).await)?;
    if done == 0 {
        return Ok(());
    }
    tx.audit(AuditEntry {
        who: &Who::system(),
        org_id: Some(doc.org_id),
        entity: "ob_document",
        entity_id: doc.id.to_string(),
        action: "final_report",
        old_value: None,
        new_value: Some(json!(report)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records what the open-budgets portal answered to a document's program: its id, or the error.
pub async fn record_upload(
    db: &Db,
    who: &Who,
    doc: &Document,
    outcome: std::result::Result<String, String>,
) -> Result<()> {
    let (id, error) = match &outcome {
        Ok(id) => (Some(id.clone()), None),
        Err(e) => (None, Some(e.clone())),
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE ob_documents SET portal_id = $1, portal_error = $2 WHERE id = $3")
        .bind(&id).bind(&error).bind(doc.id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(doc.org_id),
        entity: "ob_document",
        entity_id: doc.id.to_string(),
        action: "portal_upload",
        old_value: Some(json!({"portal_id": doc.portal_id, "portal_error": doc.portal_error})),
        new_value: Some(json!({"portal_id": id, "portal_error": error})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How long a signed-in person stays signed in on the public part.
pub const SESSION_HOURS: i64 = 8;

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A session of a person who signed in with their signature; the token goes in a cookie.
pub async fn open_session(db: &Db, iin: &str, name: &str, now: DateTime<Utc>) -> Result<String> {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    exec_db!(db, pool => sqlx::query("DELETE FROM ob_sessions WHERE expires_at < $1")
        .bind(now).execute(pool).await)?;
    exec_db!(db, pool => sqlx::query(
        "INSERT INTO ob_sessions (token_hash, iin, full_name, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(digest(&token)).bind(iin).bind(name).bind(now + Duration::hours(SESSION_HOURS))
        .execute(pool).await)?;
    Ok(token)
}

/// The IIN and name of the person a session token belongs to, while it lasts.
pub async fn session(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Option<(String, String)>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT iin, full_name FROM ob_sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(digest(token)).bind(now).fetch_optional(pool).await)?)
}
