//! Who signs for the head of an organisation (issue 21): the head, by their role on the
//! organisation itself, or an acting head named by a dated delegation — a person of the
//! organisation, from one day to another, on a basis (an order). The head or the system
//! administrator names and revokes acting heads; both are audited.

use chrono::{DateTime, NaiveDate, Utc};
use jospar_access::{Error, Principal, Result, Right, Role};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, exec_tx, on_db, on_tx};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Delegation {
    pub id: i64,
    pub org_id: i64,
    pub acting_user_id: i64,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub basis: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
}

impl Delegation {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        !self.revoked && self.valid_from <= today && today <= self.valid_to
    }
}

/// A delegation as typed: whom, from, to, on what basis.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewDelegation {
    pub acting_user_id: i64,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub basis: String,
}

/// The head of `org` by role: an active head's grant on the organisation itself (a head of
/// an organisation above is not its head).
pub fn is_head_of(p: &Principal, org: i64) -> bool {
    p.grants
        .iter()
        .any(|g| g.role == Role::Head && g.org_id == org && g.is_active(p.today))
}

/// The head of `org`, or its acting head today.
pub async fn signs_for_head(db: &Db, p: &Principal, org: i64) -> Result<bool> {
    if is_head_of(p, org) {
        return Ok(true);
    }
    Ok(of_org(db, org)
        .await?
        .iter()
        .any(|d| d.acting_user_id == p.user.id && d.in_force(p.today)))
}

/// Refused to whoever is neither the head of `org` nor its acting head today.
pub async fn require_head(db: &Db, p: &Principal, org: i64) -> Result<()> {
    if signs_for_head(db, p, org).await? {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// The head of the organisation or its system administrator names acting heads.
pub fn may_delegate(p: &Principal, org: i64) -> bool {
    is_head_of(p, org) || p.can(Right::Configure, org)
}

/// The delegations of an organisation, newest first, to whoever reads it.
pub async fn list(db: &Db, p: &Principal, org: i64) -> Result<Vec<Delegation>> {
    p.require(Right::Read, org)?;
    of_org(db, org).await
}

async fn of_org(db: &Db, org: i64) -> Result<Vec<Delegation>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, acting_user_id, valid_from, valid_to, basis, created_by, created_at, revoked \
         FROM head_delegations WHERE org_id = $1 ORDER BY valid_from DESC, id DESC")
        .bind(org).fetch_all(pool).await)
    .map_err(jospar_store::StoreError::from)?)
}

/// Names an acting head: a person of the organisation, for dates in order, on a basis.
pub async fn create(db: &Db, p: &Principal, org: i64, new: NewDelegation) -> Result<Delegation> {
    if !may_delegate(p, org) {
        return Err(Error::Forbidden);
    }
    let acting = crate::repo::user_by_id(db, new.acting_user_id)
        .await?
        .filter(|u| u.org_id == org && !u.blocked)
        .ok_or_else(|| Error::invalid("err-acting-user", "acting_user_id"))?;
    if new.valid_to < new.valid_from {
        return Err(Error::invalid("err-date-order", "valid_to"));
    }
    let basis = new.basis.trim();
    if basis.is_empty() {
        return Err(Error::invalid("err-required", "basis"));
    }
    let delegation = Delegation {
        id: new_id(),
        org_id: org,
        acting_user_id: acting.id,
        valid_from: new.valid_from,
        valid_to: new.valid_to,
        basis: basis.to_string(),
        created_by: p.user.login.clone(),
        created_at: Utc::now(),
        revoked: false,
    };
    let who = p.who();
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO head_delegations (id, org_id, acting_user_id, valid_from, valid_to, basis, created_by, created_at, revoked) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE)")
        .bind(delegation.id).bind(org).bind(acting.id).bind(delegation.valid_from).bind(delegation.valid_to)
        .bind(&delegation.basis).bind(&delegation.created_by).bind(delegation.created_at).execute(conn).await)
        .map_err(jospar_store::StoreError::from)?;
    tx.audit(AuditEntry {
        who: &who,
        org_id: Some(org),
        entity: "head_delegation",
        entity_id: delegation.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(delegation)),
        reason: Some(delegation.basis.clone()),
    })
    .await?;
    tx.commit().await?;
    Ok(delegation)
}

/// Revokes a delegation before its end.
pub async fn revoke(db: &Db, p: &Principal, org: i64, id: i64) -> Result<()> {
    if !may_delegate(p, org) {
        return Err(Error::Forbidden);
    }
    let who = p.who();
    let mut tx = db.begin().await?;
    let old: Option<Delegation> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT id, org_id, acting_user_id, valid_from, valid_to, basis, created_by, created_at, revoked \
         FROM head_delegations WHERE id = $1 AND org_id = $2")
        .bind(id).bind(org).fetch_optional(conn).await)
    .map_err(jospar_store::StoreError::from)?;
    let old = old.ok_or(Error::NotFound)?;
    exec_tx!(&mut tx, conn => sqlx::query("UPDATE head_delegations SET revoked = TRUE WHERE id = $1")
        .bind(id).execute(conn).await)
        .map_err(jospar_store::StoreError::from)?;
    tx.audit(AuditEntry {
        who: &who,
        org_id: Some(org),
        entity: "head_delegation",
        entity_id: id.to_string(),
        action: "revoke",
        old_value: Some(json!(old)),
        new_value: Some(json!(Delegation {
            revoked: true,
            ..old.clone()
        })),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).expect("date")
    }

    #[test]
    fn a_delegation_is_in_force_between_its_dates_unless_revoked() {
        let mut d = Delegation {
            id: 1,
            org_id: 2,
            acting_user_id: 3,
            valid_from: day(10),
            valid_to: day(20),
            basis: "Приказ № 15-к".into(),
            created_by: "head".into(),
            created_at: Utc::now(),
            revoked: false,
        };
        assert!(!d.in_force(day(9)));
        assert!(d.in_force(day(10)) && d.in_force(day(20)));
        assert!(!d.in_force(day(21)));
        d.revoked = true;
        assert!(!d.in_force(day(15)));
    }
}
