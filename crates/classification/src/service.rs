//! Change sets of the ЕБК service (seed 004 integration 3, issue 24): the codes the national
//! service opened, closed and renamed in a year, kept as received ("pending") until the system
//! administrator applies them — all or nothing, with the same report of opened, closed and
//! renamed codes as the comparison of two years — or rejects them with a reason.

use crate::domain::{Change, ChangeKind, CodeEntry, CodeKind};
use crate::repo::{close_code, open_code};
use chrono::{DateTime, Utc};
use jospar_core::text::search_key;
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db, on_tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// One change of a set, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServiceChange {
    pub change: ChangeKind,
    pub kind: CodeKind,
    pub code: String,
    pub name_ru: Option<String>,
    pub name_kk: Option<String>,
}

/// Where a change set stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SetStatus {
    Pending,
    Applied,
    Rejected,
}

impl SetStatus {
    pub fn code(self) -> &'static str {
        match self {
            SetStatus::Pending => "pending",
            SetStatus::Applied => "applied",
            SetStatus::Rejected => "rejected",
        }
    }

    fn from_code(code: &str) -> SetStatus {
        match code {
            "applied" => SetStatus::Applied,
            "rejected" => SetStatus::Rejected,
            _ => SetStatus::Pending,
        }
    }
}

/// A change set as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChangeSet {
    /// The service's id.
    pub id: String,
    pub year: i32,
    pub issued_at: String,
    pub basis: String,
    pub changes: Vec<ServiceChange>,
    pub status: SetStatus,
    pub received_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// Why a change set cannot apply to the classification: the change (1-based), its code, and
/// what is wrong (`exists`, `missing`, `parent`, `name`, `code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetRefusal {
    pub index: usize,
    pub code: String,
    pub problem: &'static str,
}

/// What the set does to the year's classification, as the comparison of two years reports it:
/// refused at the first change that cannot apply. Changes apply in order, so a set may open a
/// program and then its subprograms.
pub fn check(current: &[CodeEntry], changes: &[ServiceChange]) -> Result<Vec<Change>, SetRefusal> {
    let mut names: BTreeMap<(CodeKind, String), String> = current
        .iter()
        .map(|e| ((e.kind, e.code.clone()), e.name_ru.clone()))
        .collect();
    let mut report = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let refuse = |problem| SetRefusal {
            index: i + 1,
            code: c.code.clone(),
            problem,
        };
        if !c.kind.is_valid_code(&c.code) {
            return Err(refuse("code"));
        }
        let key = (c.kind, c.code.clone());
        let new_name = c.name_ru.clone().filter(|n| !n.trim().is_empty());
        let old_name = names.get(&key).cloned();
        match c.change {
            ChangeKind::Opened => {
                if old_name.is_some() {
                    return Err(refuse("exists"));
                }
                let parent = c.kind.parent_kind().zip(c.kind.parent_of(&c.code));
                if let Some(parent) = parent
                    && c.kind == CodeKind::Subprogram
                    && !names.contains_key(&parent)
                {
                    return Err(refuse("parent"));
                }
                let name = new_name.clone().ok_or_else(|| refuse("name"))?;
                names.insert(key, name);
            }
            ChangeKind::Closed => {
                if names.remove(&key).is_none() {
                    return Err(refuse("missing"));
                }
                if c.kind == CodeKind::Program {
                    let prefix = format!("{} ", c.code);
                    names.retain(|(k, code), _| {
                        !(*k == CodeKind::Subprogram && code.starts_with(&prefix))
                    });
                }
            }
            ChangeKind::Renamed => {
                if old_name.is_none() {
                    return Err(refuse("missing"));
                }
                let name = new_name.clone().ok_or_else(|| refuse("name"))?;
                names.insert(key, name);
            }
        }
        report.push(Change {
            change: c.change,
            kind: c.kind,
            code: c.code.clone(),
            old_name,
            new_name: if c.change == ChangeKind::Closed {
                None
            } else {
                new_name
            },
        });
    }
    Ok(report)
}

#[derive(sqlx::FromRow)]
struct SetRow {
    id: String,
    year: i64,
    issued_at: String,
    basis: String,
    changes_json: String,
    status: String,
    received_at: DateTime<Utc>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    reason: Option<String>,
}

impl SetRow {
    fn into_set(self) -> Result<ChangeSet, StoreError> {
        Ok(ChangeSet {
            changes: serde_json::from_str(&self.changes_json)
                .map_err(|e| StoreError::Other(format!("change set {}: {e}", self.id)))?,
            id: self.id,
            year: i32::try_from(self.year).unwrap_or_default(),
            issued_at: self.issued_at,
            basis: self.basis,
            status: SetStatus::from_code(&self.status),
            received_at: self.received_at,
            decided_by: self.decided_by,
            decided_at: self.decided_at,
            reason: self.reason,
        })
    }
}

const COLUMNS: &str =
    "id, year, issued_at, basis, changes_json, status, received_at, decided_by, decided_at, reason";

/// A set received from the service is kept pending, audited; one received before (by its id)
/// is left as it is. Whether it was new.
pub async fn receive(db: &Db, who: &Who, set: &ChangeSet) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let known: Option<String> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT id FROM ebk_change_sets WHERE id = $1")
        .bind(&set.id).fetch_optional(conn).await)?;
    if known.is_some() {
        return Ok(false);
    }
    let changes =
        serde_json::to_string(&set.changes).map_err(|e| StoreError::Other(e.to_string()))?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO ebk_change_sets (id, year, issued_at, basis, changes_json, status, received_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6)")
        .bind(&set.id).bind(i64::from(set.year)).bind(&set.issued_at).bind(&set.basis)
        .bind(&changes).bind(set.received_at).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "ebk_change_set",
        entity_id: set.id.clone(),
        action: "create",
        old_value: None,
        new_value: Some(
            json!({"year": set.year, "basis": set.basis, "changes": set.changes.len()}),
        ),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Every change set, pending first, newest first.
pub async fn sets(db: &Db) -> Result<Vec<ChangeSet>, StoreError> {
    let rows: Vec<SetRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ebk_change_sets ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, received_at DESC, id DESC")))
        .fetch_all(pool).await)?;
    rows.into_iter().map(SetRow::into_set).collect()
}

pub async fn set(db: &Db, id: &str) -> Result<Option<ChangeSet>, StoreError> {
    let row: Option<SetRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM ebk_change_sets WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)?;
    row.map(SetRow::into_set).transpose()
}

/// Why a pending set was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyRefusal {
    /// It is not pending (applied or rejected already).
    Decided(SetStatus),
    Change(SetRefusal),
    Store(String),
}

impl From<StoreError> for ApplyRefusal {
    fn from(e: StoreError) -> Self {
        ApplyRefusal::Store(e.to_string())
    }
}

/// Applies a pending set to its year's classification in one transaction: each code opened,
/// closed (a program with its subprograms) or renamed, audited with the set as the reason;
/// the set marked applied. Refused whole when any change cannot apply.
pub async fn apply(db: &Db, who: &Who, id: &str) -> Result<Vec<Change>, ApplyRefusal> {
    let set = set(db, id)
        .await?
        .ok_or(ApplyRefusal::Store(format!("no change set {id}")))?;
    if set.status != SetStatus::Pending {
        return Err(ApplyRefusal::Decided(set.status));
    }
    let current = crate::repo::codes_of_year(db, set.year).await?;
    let report = check(&current, &set.changes).map_err(ApplyRefusal::Change)?;
    let source = format!("ЕБК service {}: {}", set.id, set.basis);
    let mut tx = db.begin().await?;
    for c in &set.changes {
        apply_one(&mut tx, who, set.year, c, &source).await?;
    }
    decide(&mut tx, who, &set, SetStatus::Applied, None).await?;
    tx.commit().await?;
    Ok(report)
}

async fn apply_one(
    tx: &mut Tx,
    who: &Who,
    year: i32,
    c: &ServiceChange,
    source: &str,
) -> Result<(), StoreError> {
    let entry = CodeEntry {
        year,
        kind: c.kind,
        code: c.code.clone(),
        parent_code: c.kind.parent_of(&c.code),
        name_ru: c.name_ru.clone().unwrap_or_default(),
        name_kk: c.name_kk.clone(),
    };
    match c.change {
        ChangeKind::Opened => open_code(tx, who, &entry, source).await,
        ChangeKind::Closed => close_code(tx, who, year, c.kind, &c.code, source)
            .await
            .map(|_| ()),
        ChangeKind::Renamed => rename_code(tx, who, &entry, source).await,
    }
}

/// Renames a code of a year inside the caller's transaction, audited old → new.
async fn rename_code(
    tx: &mut Tx,
    who: &Who,
    entry: &CodeEntry,
    source: &str,
) -> Result<(), StoreError> {
    let old: Option<(String, Option<String>)> = on_tx!(&mut *tx, conn => sqlx::query_as(
        "SELECT name_ru, name_kk FROM ebk_codes WHERE year = $1 AND kind = $2 AND code = $3")
        .bind(i64::from(entry.year)).bind(entry.kind.code()).bind(&entry.code)
        .fetch_optional(conn).await)?;
    let Some((old_ru, old_kk)) = old else {
        return Err(StoreError::Other(format!(
            "no code {} to rename",
            entry.code
        )));
    };
    let name_kk = entry.name_kk.clone().or(old_kk.clone());
    exec_tx!(&mut *tx, conn => sqlx::query(
        "UPDATE ebk_codes SET name_ru = $1, name_kk = $2, search_key = $3, source = $4 \
         WHERE year = $5 AND kind = $6 AND code = $7")
        .bind(&entry.name_ru).bind(&name_kk)
        .bind(search_key(&format!("{} {} {}", entry.code, entry.name_ru, name_kk.as_deref().unwrap_or(""))))
        .bind(source).bind(i64::from(entry.year)).bind(entry.kind.code()).bind(&entry.code)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "ebk_code",
        entity_id: format!("{}/{}/{}", entry.year, entry.kind.code(), entry.code),
        action: "update",
        old_value: Some(json!({"name_ru": old_ru, "name_kk": old_kk})),
        new_value: Some(json!({"name_ru": entry.name_ru, "name_kk": name_kk})),
        reason: Some(source.to_string()),
    })
    .await
}

async fn decide(
    tx: &mut Tx,
    who: &Who,
    set: &ChangeSet,
    status: SetStatus,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    exec_tx!(&mut *tx, conn => sqlx::query(
        "UPDATE ebk_change_sets SET status = $1, decided_by = $2, decided_at = $3, reason = $4 WHERE id = $5")
        .bind(status.code()).bind(&who.login).bind(Utc::now()).bind(reason).bind(&set.id)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "ebk_change_set",
        entity_id: set.id.clone(),
        action: if status == SetStatus::Applied {
            "apply"
        } else {
            "refuse"
        },
        old_value: Some(json!({"status": set.status.code()})),
        new_value: Some(json!({"status": status.code()})),
        reason: reason.map(str::to_string),
    })
    .await
}

/// Rejects a pending set with the reason; the classification is left as it is.
pub async fn reject(db: &Db, who: &Who, id: &str, reason: &str) -> Result<ChangeSet, ApplyRefusal> {
    let set = set(db, id)
        .await?
        .ok_or(ApplyRefusal::Store(format!("no change set {id}")))?;
    if set.status != SetStatus::Pending {
        return Err(ApplyRefusal::Decided(set.status));
    }
    let mut tx = db.begin().await?;
    decide(&mut tx, who, &set, SetStatus::Rejected, Some(reason)).await?;
    tx.commit().await?;
    Ok(ChangeSet {
        status: SetStatus::Rejected,
        reason: Some(reason.to_string()),
        ..set
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: CodeKind, code: &str, name: &str) -> CodeEntry {
        CodeEntry {
            year: 2027,
            kind,
            code: code.into(),
            parent_code: kind.parent_of(code),
            name_ru: name.into(),
            name_kk: None,
        }
    }

    fn change(change: ChangeKind, kind: CodeKind, code: &str, name: Option<&str>) -> ServiceChange {
        ServiceChange {
            change,
            kind,
            code: code.into(),
            name_ru: name.map(str::to_string),
            name_kk: None,
        }
    }

    #[test]
    fn a_set_reports_its_changes_in_order_and_refuses_the_first_that_cannot_apply() {
        let current = [
            entry(CodeKind::Abp, "261", "Управление образования"),
            entry(CodeKind::Program, "261 003", "Общее образование"),
            entry(
                CodeKind::Subprogram,
                "261 003 015",
                "За счёт местного бюджета",
            ),
        ];
        let set = [
            change(
                ChangeKind::Opened,
                CodeKind::Program,
                "261 099",
                Some("Новая"),
            ),
            change(
                ChangeKind::Opened,
                CodeKind::Subprogram,
                "261 099 015",
                Some("Местный"),
            ),
            change(
                ChangeKind::Renamed,
                CodeKind::Program,
                "261 003",
                Some("Общеобразовательное обучение"),
            ),
            change(ChangeKind::Closed, CodeKind::Program, "261 003", None),
        ];
        let report = check(&current, &set).expect("applies");
        assert_eq!(report.len(), 4);
        assert_eq!(report[2].old_name.as_deref(), Some("Общее образование"));
        assert_eq!(report[3].change, ChangeKind::Closed);

        let refused = |set: &[ServiceChange]| check(&current, set).expect_err("refused");
        let twice = [change(
            ChangeKind::Opened,
            CodeKind::Program,
            "261 003",
            Some("Снова"),
        )];
        assert_eq!(refused(&twice).problem, "exists");
        let orphan = [change(
            ChangeKind::Opened,
            CodeKind::Subprogram,
            "261 077 015",
            Some("Без программы"),
        )];
        assert_eq!(refused(&orphan).problem, "parent");
        let unnamed = [change(
            ChangeKind::Opened,
            CodeKind::Program,
            "261 098",
            None,
        )];
        assert_eq!(refused(&unnamed).problem, "name");
        let gone = [
            change(ChangeKind::Closed, CodeKind::Program, "261 003", None),
            change(
                ChangeKind::Renamed,
                CodeKind::Subprogram,
                "261 003 015",
                Some("Х"),
            ),
        ];
        let second = refused(&gone);
        assert_eq!((second.index, second.problem), (2, "missing"));
        let bad = [change(
            ChangeKind::Opened,
            CodeKind::Program,
            "26 1",
            Some("Х"),
        )];
        assert_eq!(refused(&bad).problem, "code");
    }
}
