//! The forecast of receipts for the planning period (issue 22): by code of the receipts
//! classification (category, class, subclass, specific: six digits; category 8, the balances
//! of budget funds used, among the sources of financing) and year, each figure with
//! its basis — the last years' execution, the authorized body's own estimate, the
//! socio-economic model. The authorized body of the campaign draws it up; each version is kept
//! (a new one starts as a copy of the latest) and the latest adopted one feeds the draft
//! budget. Rules, storage and use cases of the one document together.

use chrono::{DateTime, Utc};
use jospar_access::{Error, Principal, Reader, Result};
use jospar_core::{Tenge, ids::new_id};
use jospar_org::Right;
use jospar_store::{AuditEntry, Db, StoreError, exec_tx, on_db};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// One version of the forecast of a campaign's budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ReceiptForecast)]
pub struct Forecast {
    pub id: i64,
    pub campaign_id: i64,
    pub budget_id: i64,
    pub first_year: i32,
    /// 1, 2, … within the campaign.
    pub number: i64,
    pub adopted: bool,
    pub version: i64,
    pub created_by: String,
    pub adopted_by: Option<String>,
    pub adopted_at: Option<DateTime<Utc>>,
}

/// One code's amount for one year, with its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReceiptForecastLine)]
pub struct ForecastLine {
    /// Six digits: category, class (2), subclass, specific (2).
    pub code: String,
    pub year: i32,
    pub amount_tiyn: i64,
    /// Where the figure comes from.
    #[serde(default)]
    pub basis: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ReceiptForecastWithLines)]
pub struct ForecastWithLines {
    pub forecast: Forecast,
    pub lines: Vec<ForecastLine>,
}

fn sql(e: sqlx::Error) -> Error {
    StoreError::Sql(e).into()
}

/// The first refusal of typed lines, naming the line (`code-YEAR`).
fn check(forecast: &Forecast, lines: &[ForecastLine]) -> Result<()> {
    let years = [
        forecast.first_year,
        forecast.first_year + 1,
        forecast.first_year + 2,
    ];
    for line in lines {
        let field = format!("code-{}-{}", line.code, line.year);
        let label = vec![("line", format!("{} · {}", line.code, line.year))];
        let six_digits = line.code.len() == 6 && line.code.bytes().all(|b| b.is_ascii_digit());
        if !six_digits || !('1'..='8').contains(&line.code.chars().next().unwrap_or('0')) {
            return Err(Error::invalid_with("err-forecast-code", &field, label));
        }
        if !years.contains(&line.year) {
            return Err(Error::invalid_with("err-budget-year", &field, label));
        }
        if line.amount_tiyn < 0 {
            return Err(Error::invalid_with("err-budget-negative", &field, label));
        }
        if line.amount_tiyn != 0 && line.basis.trim().is_empty() {
            return Err(Error::invalid_with("err-forecast-basis", &field, label));
        }
    }
    Ok(())
}

type ForecastRow = (
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
    i64,
    String,
    Option<String>,
    Option<DateTime<Utc>>,
);

fn forecast_of(row: ForecastRow) -> Forecast {
    let (id, campaign_id, budget_id, first_year, number, status, version, created_by, by, at) = row;
    Forecast {
        id,
        campaign_id,
        budget_id,
        first_year: i32::try_from(first_year).unwrap_or_default(),
        number,
        adopted: status == "adopted",
        version,
        created_by,
        adopted_by: by,
        adopted_at: at,
    }
}

const COLUMNS: &str = "id, campaign_id, budget_id, first_year, number, status, version, created_by, adopted_by, adopted_at";

async fn stored(db: &Db, campaign_id: i64) -> Result<Vec<Forecast>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM receipt_forecasts WHERE campaign_id = $1 ORDER BY number");
    let rows: Vec<ForecastRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(campaign_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(forecast_of).collect())
}

async fn stored_lines(db: &Db, id: i64) -> Result<Vec<ForecastLine>, StoreError> {
    let rows: Vec<(String, i64, i64, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT code, year, amount, basis FROM receipt_forecast_lines WHERE forecast_id = $1 ORDER BY code, year")
        .bind(id).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(code, year, amount, basis)| ForecastLine {
            code,
            year: i32::try_from(year).unwrap_or_default(),
            amount_tiyn: amount,
            basis,
        })
        .collect())
}

/// The versions of a campaign's forecast the caller reads.
pub async fn forecasts(db: &Db, reader: &Reader<'_>, campaign_id: i64) -> Result<Vec<Forecast>> {
    crate::usecases::campaign(db, reader, campaign_id).await?;
    Ok(stored(db, campaign_id).await?)
}

/// One version with its lines.
pub async fn forecast(db: &Db, reader: &Reader<'_>, id: i64) -> Result<ForecastWithLines> {
    let query = format!("SELECT {COLUMNS} FROM receipt_forecasts WHERE id = $1");
    let row: Option<ForecastRow> =
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(query.clone()))
        .bind(id).fetch_optional(pool).await)
        .map_err(sql)?;
    let forecast = forecast_of(row.ok_or(Error::NotFound)?);
    crate::usecases::campaign(db, reader, forecast.campaign_id).await?;
    let lines = stored_lines(db, id).await?;
    Ok(ForecastWithLines { forecast, lines })
}

/// The amounts of the latest adopted forecast of a campaign by code and year: what the draft
/// budget's receipts are.
pub async fn adopted_amounts(
    db: &Db,
    reader: &Reader<'_>,
    campaign_id: i64,
) -> Result<Option<(Forecast, BTreeMap<(String, i32), Tenge>)>> {
    let Some(latest) = forecasts(db, reader, campaign_id)
        .await?
        .into_iter()
        .filter(|f| f.adopted)
        .max_by_key(|f| f.number)
    else {
        return Ok(None);
    };
    let lines = stored_lines(db, latest.id).await?;
    let amounts = lines
        .into_iter()
        .map(|l| ((l.code, l.year), Tenge::from_tiyn(l.amount_tiyn)))
        .collect();
    Ok(Some((latest, amounts)))
}

/// A new version: a copy of the latest (none before: empty), while no other is a draft.
pub async fn create(db: &Db, p: &Principal, campaign_id: i64) -> Result<ForecastWithLines> {
    let campaign = crate::usecases::campaign(db, &Reader::User(p), campaign_id).await?;
    p.require(Right::Enter, campaign.authority_org_id)?;
    let existing = stored(db, campaign_id).await?;
    if existing.iter().any(|f| !f.adopted) {
        return Err(Error::invalid("err-forecast-draft-exists", "campaign"));
    }
    let lines = match existing.last() {
        Some(latest) => stored_lines(db, latest.id).await?,
        None => Vec::new(),
    };
    let forecast = Forecast {
        id: new_id(),
        campaign_id,
        budget_id: campaign.budget_id,
        first_year: campaign.first_year,
        number: existing.last().map(|f| f.number + 1).unwrap_or(1),
        adopted: false,
        version: 1,
        created_by: p.user.login.clone(),
        adopted_by: None,
        adopted_at: None,
    };
    let who = p.who();
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO receipt_forecasts (id, campaign_id, budget_id, first_year, number, status, version, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', 1, $6, $7)")
        .bind(forecast.id).bind(campaign_id).bind(forecast.budget_id).bind(i64::from(forecast.first_year))
        .bind(forecast.number).bind(&forecast.created_by).bind(Utc::now())
        .execute(conn).await).map_err(sql)?;
    for line in &lines {
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO receipt_forecast_lines (forecast_id, code, year, amount, basis) VALUES ($1, $2, $3, $4, $5)")
            .bind(forecast.id).bind(&line.code).bind(i64::from(line.year)).bind(line.amount_tiyn).bind(&line.basis)
            .execute(conn).await).map_err(sql)?;
    }
    tx.audit(AuditEntry {
        who: &who,
        org_id: Some(campaign.authority_org_id),
        entity: "receipt_forecast",
        entity_id: forecast.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(
            json!({"campaign_id": campaign_id, "number": forecast.number, "lines": lines.len()}),
        ),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(ForecastWithLines { forecast, lines })
}

/// Writes typed lines into a draft, all or none, each change audited old → new.
pub async fn save_lines(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    typed: &[ForecastLine],
) -> Result<ForecastWithLines> {
    let reader = Reader::User(p);
    let current = forecast(db, &reader, id).await?;
    let campaign = crate::usecases::campaign(db, &reader, current.forecast.campaign_id).await?;
    p.require(Right::Enter, campaign.authority_org_id)?;
    if current.forecast.adopted {
        return Err(Error::invalid("err-budget-frozen", "status"));
    }
    let typed: Vec<ForecastLine> = typed
        .iter()
        .map(|l| ForecastLine {
            code: l.code.split_whitespace().collect(),
            basis: l.basis.trim().to_string(),
            ..l.clone()
        })
        .collect();
    // A cell left empty for a code and year the forecast does not have adds no line.
    let typed: Vec<ForecastLine> = typed
        .into_iter()
        .filter(|l| {
            l.amount_tiyn != 0
                || current
                    .lines
                    .iter()
                    .any(|c| c.code == l.code && c.year == l.year)
        })
        .collect();
    check(&current.forecast, &typed)?;
    let who = p.who();
    let mut tx = db.begin().await?;
    let claimed = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE receipt_forecasts SET version = version + 1 WHERE id = $1 AND version = $2 AND status = 'draft'")
        .bind(id).bind(version).execute(conn).await).map_err(sql)?;
    if claimed == 0 {
        return Err(Error::Stale);
    }
    for line in &typed {
        let old = current
            .lines
            .iter()
            .find(|l| l.code == line.code && l.year == line.year);
        if old == Some(line) {
            continue;
        }
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO receipt_forecast_lines (forecast_id, code, year, amount, basis) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (forecast_id, code, year) DO UPDATE SET amount = excluded.amount, basis = excluded.basis")
            .bind(id).bind(&line.code).bind(i64::from(line.year)).bind(line.amount_tiyn).bind(&line.basis)
            .execute(conn).await).map_err(sql)?;
        tx.audit(AuditEntry {
            who: &who,
            org_id: Some(campaign.authority_org_id),
            entity: "receipt_forecast_line",
            entity_id: format!("{id}/{}/{}", line.code, line.year),
            action: if old.is_some() { "update" } else { "create" },
            old_value: old.map(|l| json!({"amount_tiyn": l.amount_tiyn, "basis": l.basis})),
            new_value: Some(json!({"amount_tiyn": line.amount_tiyn, "basis": line.basis})),
            reason: Some(line.basis.clone()).filter(|b| !b.is_empty()),
        })
        .await?;
    }
    tx.commit().await?;
    forecast(db, &reader, id).await
}

/// Adopts a draft version: it becomes the forecast the draft budget reads.
pub async fn adopt(db: &Db, p: &Principal, id: i64, version: i64) -> Result<ForecastWithLines> {
    let reader = Reader::User(p);
    let current = forecast(db, &reader, id).await?;
    let campaign = crate::usecases::campaign(db, &reader, current.forecast.campaign_id).await?;
    p.require(Right::Approve, campaign.authority_org_id)?;
    check(&current.forecast, &current.lines)?;
    let who = p.who();
    let mut tx = db.begin().await?;
    let claimed = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE receipt_forecasts SET version = version + 1, status = 'adopted', adopted_by = $1, adopted_at = $2 \
         WHERE id = $3 AND version = $4 AND status = 'draft'")
        .bind(&who.login).bind(Utc::now()).bind(id).bind(version).execute(conn).await).map_err(sql)?;
    if claimed == 0 {
        return Err(if current.forecast.adopted {
            Error::invalid("err-budget-frozen", "status")
        } else {
            Error::Stale
        });
    }
    tx.audit(AuditEntry {
        who: &who,
        org_id: Some(campaign.authority_org_id),
        entity: "receipt_forecast",
        entity_id: id.to_string(),
        action: "adopt",
        old_value: Some(json!({"status": "draft"})),
        new_value: Some(json!({"status": "adopted", "number": current.forecast.number})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    forecast(db, &reader, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forecast() -> Forecast {
        Forecast {
            id: 1,
            campaign_id: 1,
            budget_id: 1,
            first_year: 2027,
            number: 1,
            adopted: false,
            version: 1,
            created_by: "t".into(),
            adopted_by: None,
            adopted_at: None,
        }
    }

    fn line(code: &str, year: i32, amount: i64, basis: &str) -> ForecastLine {
        ForecastLine {
            code: code.into(),
            year,
            amount_tiyn: amount,
            basis: basis.into(),
        }
    }

    fn refused_field(lines: &[ForecastLine]) -> Option<String> {
        match check(&forecast(), lines) {
            Err(Error::Invalid { field, .. }) => field,
            _ => None,
        }
    }

    #[test]
    fn each_figure_has_a_code_a_year_of_the_period_and_a_basis() {
        assert!(check(&forecast(), &[line("101201", 2027, 5, "исполнение 2025")]).is_ok());
        assert!(check(&forecast(), &[line("101201", 2028, 0, "")]).is_ok());
        assert_eq!(
            refused_field(&[line("101201", 2027, 5, " ")]).as_deref(),
            Some("code-101201-2027")
        );
        assert!(refused_field(&[line("10120", 2027, 5, "x")]).is_some());
        assert!(refused_field(&[line("901201", 2027, 5, "x")]).is_some());
        assert!(
            check(
                &forecast(),
                &[line("801101", 2027, 5, "остатки на 1 января")]
            )
            .is_ok()
        );
        assert!(refused_field(&[line("101201", 2030, 5, "x")]).is_some());
        assert!(refused_field(&[line("101201", 2027, -1, "x")]).is_some());
    }
}
