//! Mutually offsetting codes (EX-R 30, "взаимопогашаемые коды"). A transfer between budgets is
//! planned twice: as an expense of the paying budget (its administrator's program — a
//! subvention, a targeted transfer, a budget withdrawal) and as a receipt of the receiving
//! budget (a code of category 4, "Поступления трансфертов"). At consolidation the two cancel
//! out, so they must agree: the control sets the paying side's financing plans by payments
//! beside the receiving side's plans of receipts, month by month.
//!
//! The pairs are reference data the authorized body keeps for a year: the classification the
//! project holds does not say which program pays which transfer.

use crate::PlanLine;
use crate::repo::Result;
use chrono::{DateTime, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, Who, exec_tx, on_db, on_tx};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An expense of the paying budget and the receipts code it arrives under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OffsettingPair {
    pub id: i64,
    /// The authorized body that keeps the pair.
    pub org_id: i64,
    pub year: i64,
    pub abp: String,
    pub program: String,
    /// Empty: every subprogram of the program.
    pub subprogram: String,
    /// Six digits: category 4, class, subclass, specific.
    pub receipt_code: String,
    pub name: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl OffsettingPair {
    /// Whether a plan line of an institution under administrator `abp` pays this transfer.
    pub fn pays(&self, abp: &str, line: &PlanLine) -> bool {
        abp == self.abp
            && line.program == self.program
            && (self.subprogram.is_empty() || line.subprogram == self.subprogram)
    }
}

/// A pair as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewPair {
    pub org_id: i64,
    pub year: i64,
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub receipt_code: String,
    pub name: String,
}

/// Why a typed pair was refused: the field and what was typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    #[error("{field}: «{value}» is not a code of {digits} digits")]
    BadCode {
        field: &'static str,
        value: String,
        digits: usize,
    },
    #[error("a receipts code of transfers starts with 4, not «{0}»")]
    NotTransfer(String),
    #[error("the pair needs a name")]
    NoName,
}

fn digits(
    field: &'static str,
    value: &str,
    count: usize,
    optional: bool,
) -> std::result::Result<String, PairError> {
    let value: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if (optional && value.is_empty())
        || (value.len() == count && value.chars().all(|c| c.is_ascii_digit()))
    {
        Ok(value)
    } else {
        Err(PairError::BadCode {
            field,
            value,
            digits: count,
        })
    }
}

impl NewPair {
    /// The pair with its codes as the classification writes them ("4 02 2 01" → "402201"),
    /// or the first field that is wrong.
    pub fn checked(self) -> std::result::Result<NewPair, PairError> {
        let receipt_code = digits("receipt_code", &self.receipt_code, 6, false)?;
        if !receipt_code.starts_with('4') {
            return Err(PairError::NotTransfer(receipt_code));
        }
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err(PairError::NoName);
        }
        Ok(NewPair {
            abp: digits("abp", &self.abp, 3, false)?,
            program: digits("program", &self.program, 3, false)?,
            subprogram: digits("subprogram", &self.subprogram, 3, true)?,
            receipt_code,
            name,
            ..self
        })
    }
}

const COLUMNS: &str =
    "id, org_id, year, abp, program, subprogram, receipt_code, name, created_by, created_at";

/// Every pair, by year, then code.
pub async fn pairs(db: &Db) -> Result<Vec<OffsettingPair>> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM offsetting_codes ORDER BY year DESC, abp, program, subprogram, receipt_code")))
        .fetch_all(pool).await)?,
    )
}

/// Adds a checked pair; none when the organisation has the same pair for the year already.
pub async fn add(db: &Db, who: &Who, new: NewPair) -> Result<Option<OffsettingPair>> {
    let pair = OffsettingPair {
        id: new_id(),
        org_id: new.org_id,
        year: new.year,
        abp: new.abp,
        program: new.program,
        subprogram: new.subprogram,
        receipt_code: new.receipt_code,
        name: new.name,
        created_by: who.login.clone(),
        created_at: Utc::now(),
    };
    let mut tx = db.begin().await?;
    let exists: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT id FROM offsetting_codes WHERE org_id = $1 AND year = $2 AND abp = $3 \
         AND program = $4 AND subprogram = $5 AND receipt_code = $6")
        .bind(pair.org_id).bind(pair.year).bind(&pair.abp).bind(&pair.program)
        .bind(&pair.subprogram).bind(&pair.receipt_code).fetch_optional(conn).await)?;
    if exists.is_some() {
        return Ok(None);
    }
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO offsetting_codes (id, org_id, year, abp, program, subprogram, receipt_code, \
         name, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(pair.id).bind(pair.org_id).bind(pair.year).bind(&pair.abp).bind(&pair.program)
        .bind(&pair.subprogram).bind(&pair.receipt_code).bind(&pair.name)
        .bind(&pair.created_by).bind(pair.created_at).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(pair.org_id),
        entity: "offsetting_code",
        entity_id: pair.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(pair)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(Some(pair))
}

/// Removes a pair, with the reason; none when there is no such pair.
pub async fn remove(db: &Db, who: &Who, id: i64, reason: &str) -> Result<Option<OffsettingPair>> {
    let mut tx = db.begin().await?;
    let old: Option<OffsettingPair> = on_tx!(&mut tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM offsetting_codes WHERE id = $1")))
        .bind(id).fetch_optional(conn).await)?;
    let Some(old) = old else {
        return Ok(None);
    };
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM offsetting_codes WHERE id = $1")
        .bind(id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(old.org_id),
        entity: "offsetting_code",
        entity_id: id.to_string(),
        action: "delete",
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

    fn typed(abp: &str, program: &str, subprogram: &str, code: &str, name: &str) -> NewPair {
        NewPair {
            org_id: 1,
            year: 2027,
            abp: abp.into(),
            program: program.into(),
            subprogram: subprogram.into(),
            receipt_code: code.into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_pair_is_checked_field_by_field() {
        let pair = typed("257", "007", "", "4 02 2 01", " Субвенции ")
            .checked()
            .expect("valid");
        assert_eq!(
            (pair.receipt_code.as_str(), pair.name.as_str()),
            ("402201", "Субвенции")
        );
        assert_eq!(
            typed("25", "007", "", "402201", "x").checked().err(),
            Some(PairError::BadCode {
                field: "abp",
                value: "25".into(),
                digits: 3
            })
        );
        assert_eq!(
            typed("257", "007", "", "101101", "x").checked().err(),
            Some(PairError::NotTransfer("101101".into()))
        );
        assert_eq!(
            typed("257", "007", "", "402201", "  ").checked().err(),
            Some(PairError::NoName)
        );
        assert!(matches!(
            typed("257", "007", "1", "402201", "x").checked(),
            Err(PairError::BadCode {
                field: "subprogram",
                ..
            })
        ));
    }

    #[test]
    fn a_pair_without_subprogram_takes_every_subprogram_of_its_program() {
        let pair = OffsettingPair {
            id: 1,
            org_id: 1,
            year: 2027,
            abp: "261".into(),
            program: "003".into(),
            subprogram: String::new(),
            receipt_code: "402201".into(),
            name: "x".into(),
            created_by: "t".into(),
            created_at: Utc::now(),
        };
        let line = |program: &str, subprogram: &str| PlanLine {
            expense_id: 1,
            program: program.into(),
            subprogram: subprogram.into(),
            specific: "159".into(),
            approved: jospar_core::Tenge::ZERO,
            obligations: [jospar_core::Tenge::ZERO; 12],
            payments: [jospar_core::Tenge::ZERO; 12],
        };
        assert!(pair.pays("261", &line("003", "015")));
        assert!(pair.pays("261", &line("003", "011")));
        assert!(!pair.pays("253", &line("003", "015")));
        assert!(!pair.pays("261", &line("001", "015")));
        let narrow = OffsettingPair {
            subprogram: "011".into(),
            ..pair
        };
        assert!(!narrow.pays("261", &line("003", "015")));
    }
}
