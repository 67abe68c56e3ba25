//! Storage of campaigns and limit amounts. A save of several amounts is one transaction: the
//! whole campaign is checked against L-4 as it would be after the save, and either every
//! amount is written (each with its audit row) or none.

use crate::domain::*;
use chrono::Utc;
use jospar_core::{Tenge, ids::new_id};
use jospar_org::{Org, OrgTree};
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db, on_tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error(transparent)]
    Limit(LimitError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RepoError {
    fn from(e: sqlx::Error) -> Self {
        RepoError::Store(StoreError::Sql(e))
    }
}

impl From<LimitError> for RepoError {
    fn from(e: LimitError) -> Self {
        RepoError::Limit(e)
    }
}

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: i64,
    budget_id: i64,
    authority_org_id: i64,
    first_year: i64,
    name_ru: String,
    name_kk: String,
    inflation2_bp: i64,
    inflation3_bp: i64,
    opened_on: chrono::NaiveDate,
    request_days: i64,
    committee_days: i64,
    administrator_days: i64,
    authority_days: i64,
    version: i64,
}

impl CampaignRow {
    fn into_campaign(self) -> Campaign {
        Campaign {
            id: self.id,
            budget_id: self.budget_id,
            authority_org_id: self.authority_org_id,
            first_year: i32::try_from(self.first_year).unwrap_or_default(),
            name_ru: self.name_ru,
            name_kk: self.name_kk,
            inflation_bp: [self.inflation2_bp, self.inflation3_bp],
            opened_on: self.opened_on,
            request_days: self.request_days,
            review_days: [
                self.committee_days,
                self.administrator_days,
                self.authority_days,
            ],
            version: self.version,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewCampaign {
    pub authority_org_id: i64,
    pub first_year: i32,
    pub name_ru: String,
    pub name_kk: String,
    pub inflation_bp: [i64; 2],
    /// Working days to submit requests (default 10).
    pub request_days: Option<i64>,
    /// Working days of the committees', the administrators' and the authorized body's review,
    /// one after another (default 5, 5, 10).
    pub review_days: Option<[i64; 3]>,
}

pub async fn create_campaign(
    db: &Db,
    who: &Who,
    authority: &Org,
    new: NewCampaign,
) -> Result<Campaign, RepoError> {
    if !(2000..=2100).contains(&new.first_year) {
        return Err(LimitError::Field("first_year").into());
    }
    if new.name_ru.trim().is_empty() {
        return Err(LimitError::Field("name_ru").into());
    }
    if new.name_kk.trim().is_empty() {
        return Err(LimitError::Field("name_kk").into());
    }
    if new.request_days.is_some_and(|d| !(1..=250).contains(&d)) {
        return Err(LimitError::Field("request_days").into());
    }
    let review_days = new.review_days.unwrap_or([5, 5, 10]);
    for (days, field) in
        review_days
            .iter()
            .zip(["committee_days", "administrator_days", "authority_days"])
    {
        if !(0..=250).contains(days) {
            return Err(LimitError::Field(field).into());
        }
    }
    for (i, bp) in new.inflation_bp.iter().enumerate() {
        if !(5_000..=30_000).contains(bp) {
            return Err(LimitError::Field(if i == 0 { "inflation2" } else { "inflation3" }).into());
        }
    }
    let campaign = Campaign {
        id: new_id(),
        budget_id: authority.budget_id,
        authority_org_id: authority.id,
        first_year: new.first_year,
        name_ru: new.name_ru.trim().into(),
        name_kk: new.name_kk.trim().into(),
        inflation_bp: new.inflation_bp,
        opened_on: Utc::now().date_naive(),
        request_days: new.request_days.unwrap_or(10),
        review_days,
        version: 1,
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO limit_campaigns (id, budget_id, authority_org_id, first_year, name_ru, name_kk, inflation2_bp, inflation3_bp, version, created_at, opened_on, request_days, \
         committee_days, administrator_days, authority_days) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12, $13, $14)")
        .bind(campaign.id).bind(campaign.budget_id).bind(campaign.authority_org_id).bind(i64::from(campaign.first_year))
        .bind(&campaign.name_ru).bind(&campaign.name_kk).bind(campaign.inflation_bp[0]).bind(campaign.inflation_bp[1])
        .bind(Utc::now()).bind(campaign.opened_on).bind(campaign.request_days)
        .bind(review_days[0]).bind(review_days[1]).bind(review_days[2])
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(authority.id),
        entity: "campaign",
        entity_id: campaign.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(campaign)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(campaign)
}

pub async fn campaigns(db: &Db) -> Result<Vec<Campaign>, StoreError> {
    let rows: Vec<CampaignRow> = on_db!(db, pool => sqlx::query_as::<_, CampaignRow>(
        "SELECT id, budget_id, authority_org_id, first_year, name_ru, name_kk, inflation2_bp, inflation3_bp, opened_on, request_days, committee_days, administrator_days, authority_days, version \
         FROM limit_campaigns ORDER BY first_year DESC, id DESC")
        .fetch_all(pool).await)?;
    Ok(rows.into_iter().map(CampaignRow::into_campaign).collect())
}

pub async fn campaign(db: &Db, id: i64) -> Result<Option<Campaign>, StoreError> {
    let row: Option<CampaignRow> = on_db!(db, pool => sqlx::query_as::<_, CampaignRow>(
        "SELECT id, budget_id, authority_org_id, first_year, name_ru, name_kk, inflation2_bp, inflation3_bp, opened_on, request_days, committee_days, administrator_days, authority_days, version \
         FROM limit_campaigns WHERE id = $1")
        .bind(id).fetch_optional(pool).await)?;
    Ok(row.map(CampaignRow::into_campaign))
}

/// One stored amount with its version (for optimistic locking of grids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Amount {
    pub slot: Slot,
    pub amount: Tenge,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct AmountRow {
    org_id: i64,
    program: String,
    year: i64,
    kind: String,
    amount: i64,
    version: i64,
}

fn to_amounts(rows: Vec<AmountRow>) -> Vec<Amount> {
    rows.into_iter()
        .filter_map(|r| {
            Some(Amount {
                slot: Slot {
                    org_id: r.org_id,
                    program: r.program,
                    year: i32::try_from(r.year).ok()?,
                    kind: LimitKind::from_code(&r.kind)?,
                },
                amount: Tenge::from_tiyn(r.amount),
                version: r.version,
            })
        })
        .collect()
}

pub async fn amounts(db: &Db, campaign_id: i64) -> Result<Vec<Amount>, StoreError> {
    let rows: Vec<AmountRow> = on_db!(db, pool => sqlx::query_as::<_, AmountRow>(
        "SELECT org_id, program, year, kind, amount, version FROM limit_amounts WHERE campaign_id = $1")
        .bind(campaign_id).fetch_all(pool).await)?;
    Ok(to_amounts(rows))
}

/// The limits one organisation received in a campaign (the line-save check reads only these).
pub async fn amounts_of(db: &Db, campaign_id: i64, org_id: i64) -> Result<Vec<Amount>, StoreError> {
    let rows: Vec<AmountRow> = on_db!(db, pool => sqlx::query_as::<_, AmountRow>(
        "SELECT org_id, program, year, kind, amount, version FROM limit_amounts WHERE campaign_id = $1 AND org_id = $2")
        .bind(campaign_id).bind(org_id).fetch_all(pool).await)?;
    Ok(to_amounts(rows))
}

async fn amounts_in_tx(tx: &mut Tx, campaign_id: i64) -> Result<Vec<Amount>, StoreError> {
    let rows: Vec<AmountRow> = on_tx!(tx, conn => sqlx::query_as::<_, AmountRow>(
        "SELECT org_id, program, year, kind, amount, version FROM limit_amounts WHERE campaign_id = $1")
        .bind(campaign_id).fetch_all(conn).await)?;
    Ok(to_amounts(rows))
}

/// Builds the ledger of a campaign: every stored amount with the parent of its node.
pub fn ledger_of(
    campaign: &Campaign,
    amounts: &[Amount],
    orgs: &HashMap<i64, Org>,
    tree: &OrgTree,
) -> Result<Ledger, LimitError> {
    let mut ledger = Ledger::new();
    for a in amounts {
        let parent = source_of(&a.slot.node(), campaign, orgs, tree)?;
        ledger.insert(a.slot.clone(), a.amount, parent);
    }
    Ok(ledger)
}

/// One amount to set; `version` is the one the user saw (0 for an amount not stored yet).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = LimitChange)]
pub struct Change {
    pub org_id: i64,
    #[serde(default)]
    pub program: String,
    pub year: i32,
    pub kind: LimitKind,
    pub amount_tiyn: i64,
    #[serde(default)]
    pub version: i64,
}

/// Saves several amounts at once (a grid), checking L-4 over the whole campaign.
pub async fn save_amounts(
    db: &Db,
    who: &Who,
    campaign: &Campaign,
    orgs: &HashMap<i64, Org>,
    tree: &OrgTree,
    changes: &[Change],
    reason: Option<&str>,
) -> Result<usize, RepoError> {
    let mut tx = db.begin().await?;
    let stored = amounts_in_tx(&mut tx, campaign.id).await?;
    let mut ledger = ledger_of(campaign, &stored, orgs, tree)?;
    let by_slot: HashMap<Slot, &Amount> = stored.iter().map(|a| (a.slot.clone(), a)).collect();
    let mut changed = Vec::new();
    for change in changes {
        if !campaign.years().contains(&change.year) {
            return Err(LimitError::YearOutsidePeriod(change.year).into());
        }
        let program = validate_program_code(&change.program)?;
        let slot = Slot {
            org_id: change.org_id,
            program,
            year: change.year,
            kind: change.kind,
        };
        let current = by_slot.get(&slot);
        if current.map(|a| a.version).unwrap_or(0) != change.version {
            return Err(LimitError::Stale.into());
        }
        let amount = Tenge::from_tiyn(change.amount_tiyn);
        if current.map(|a| a.amount) == Some(amount) || (current.is_none() && amount == Tenge::ZERO)
        {
            continue;
        }
        let parent = source_of(&slot.node(), campaign, orgs, tree)?;
        ledger.insert(slot.clone(), amount, parent);
        changed.push((slot, current.map(|a| (a.amount, a.version)), amount));
    }
    let slots: Vec<Slot> = changed.iter().map(|(s, _, _)| s.clone()).collect();
    ledger.check(&slots)?;
    let now = Utc::now();
    for (slot, old, amount) in &changed {
        let version = old.map(|(_, v)| v + 1).unwrap_or(1);
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO limit_amounts (campaign_id, org_id, program, year, kind, amount, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (campaign_id, org_id, program, year, kind) DO UPDATE SET amount = excluded.amount, \
             version = excluded.version, updated_at = excluded.updated_at")
            .bind(campaign.id).bind(slot.org_id).bind(&slot.program).bind(i64::from(slot.year)).bind(slot.kind.code())
            .bind(amount.tiyn()).bind(version).bind(now)
            .execute(conn).await)?;
        tx.audit(AuditEntry {
            who,
            org_id: Some(slot.org_id),
            entity: "limit",
            entity_id: format!(
                "{}/{}/{}/{}/{}",
                campaign.id,
                slot.org_id,
                slot.program,
                slot.year,
                slot.kind.code()
            ),
            action: if old.is_some() { "update" } else { "create" },
            old_value: old.map(|(a, v)| json!({"amount_tiyn": a.tiyn(), "version": v})),
            new_value: Some(json!({"amount_tiyn": amount.tiyn(), "version": version})),
            reason: reason.map(str::to_string).filter(|r| !r.trim().is_empty()),
        })
        .await?;
    }
    tx.commit().await?;
    Ok(changed.len())
}
