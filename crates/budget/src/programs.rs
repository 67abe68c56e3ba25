//! The budget program as a document of its administrator for the planning period (issue 22):
//! its purpose, its subprograms and amounts (from the approved requests), and its indicators
//! of direct and final results, each with a unit and a plan by year; the fact of a year is
//! entered once the year has ended. The administrator of the program draws it up; whoever
//! reads the campaign reads it. Rules, storage and use cases of the one document together.

use chrono::{DateTime, Datelike, Utc};
use jospar_access::{Error, Principal, Reader, Result};
use jospar_core::{Tenge, ids::new_id};
use jospar_org::{OrgKind, Right};
use jospar_store::{AuditEntry, Db, StoreError, exec_tx, on_db};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = IndicatorKind)]
pub enum IndicatorKind {
    /// Показатель прямого результата.
    Direct,
    /// Показатель конечного результата.
    Final,
}

impl IndicatorKind {
    pub fn code(self) -> &'static str {
        match self {
            IndicatorKind::Direct => "direct",
            IndicatorKind::Final => "final",
        }
    }

    pub fn from_code(code: &str) -> Option<IndicatorKind> {
        match code {
            "direct" => Some(IndicatorKind::Direct),
            "final" => Some(IndicatorKind::Final),
            _ => None,
        }
    }
}

/// A quantity as typed ("1 250", "95,5"), kept in hundredths.
pub fn parse_quantity(text: &str) -> Option<i64> {
    Tenge::parse(text).ok().map(|t| t.tiyn())
}

/// A quantity as printed: "1 250", "95,5".
pub fn quantity(hundredths: i64) -> String {
    let printed = Tenge::from_tiyn(hundredths).to_string();
    match printed.strip_suffix(",00") {
        Some(whole) => whole.to_string(),
        None => printed.strip_suffix('0').unwrap_or(&printed).to_string(),
    }
}

/// One indicator with its plan and fact by year of the period (hundredths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ProgramIndicator)]
pub struct Indicator {
    pub kind: IndicatorKind,
    pub name: String,
    pub unit: String,
    pub plan: [i64; 3],
    pub fact: [Option<i64>; 3],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = BudgetProgram)]
pub struct Program {
    pub id: i64,
    pub campaign_id: i64,
    pub budget_id: i64,
    pub first_year: i32,
    pub abp: String,
    pub program: String,
    pub purpose: String,
    pub indicators: Vec<Indicator>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// What the administrator saves: the whole passport at once (`version` 0 for a new one).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = BudgetProgramInput)]
pub struct ProgramInput {
    pub campaign_id: i64,
    pub abp: String,
    pub program: String,
    pub purpose: String,
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub version: i64,
}

/// The program's amounts by year and those of its subprograms, from the approved requests.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = ProgramAmounts)]
pub struct Amounts {
    pub program: [Tenge; 3],
    pub subprograms: Vec<SubprogramAmounts>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubprogramAmounts {
    /// Empty for lines without a subprogram.
    pub code: String,
    pub amounts: [Tenge; 3],
}

/// The first wrong field of a passport, by name: `purpose`, `indicator-N-name`,
/// `indicator-N-unit`, `indicator-N-fact-YEAR` (a fact of a year not ended).
pub fn check(input: &ProgramInput, first_year: i32, today: chrono::NaiveDate) -> Result<()> {
    if input.purpose.trim().is_empty() {
        return Err(Error::invalid("err-required", "purpose"));
    }
    for (n, indicator) in input.indicators.iter().enumerate() {
        let field = |what: &str| format!("indicator-{}-{what}", n + 1);
        let row = vec![("row", (n + 1).to_string())];
        if indicator.name.trim().is_empty() {
            return Err(Error::invalid_with(
                "err-indicator-name",
                &field("name"),
                row,
            ));
        }
        if indicator.unit.trim().is_empty() {
            return Err(Error::invalid_with(
                "err-indicator-unit",
                &field("unit"),
                row,
            ));
        }
        for (i, fact) in indicator.fact.iter().enumerate() {
            let year = first_year + i as i32;
            if fact.is_some() && year >= today.year() {
                let mut args = row.clone();
                args.push(("year", year.to_string()));
                return Err(Error::invalid_with(
                    "err-indicator-fact-early",
                    &field(&format!("fact-{year}")),
                    args,
                ));
            }
        }
    }
    Ok(())
}

fn sql(e: sqlx::Error) -> Error {
    StoreError::Sql(e).into()
}

type ProgramRow = (
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    i64,
    String,
    DateTime<Utc>,
);
type IndicatorRow = (
    i64,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

async fn indicators_of(db: &Db, program_id: i64) -> Result<Vec<Indicator>> {
    let rows: Vec<IndicatorRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT position, kind, name, unit, plan1, plan2, plan3, fact1, fact2, fact3 FROM program_indicators \
         WHERE program_id = $1 ORDER BY position")
        .bind(program_id).fetch_all(pool).await)
    .map_err(sql)?;
    Ok(rows
        .into_iter()
        .map(|r| Indicator {
            kind: IndicatorKind::from_code(&r.1).unwrap_or(IndicatorKind::Direct),
            name: r.2,
            unit: r.3,
            plan: [r.4, r.5, r.6],
            fact: [r.7, r.8, r.9],
        })
        .collect())
}

async fn program_of(db: &Db, row: ProgramRow) -> Result<Program> {
    let (id, campaign_id, budget_id, first_year, abp, program, purpose, version, by, at) = row;
    Ok(Program {
        id,
        campaign_id,
        budget_id,
        first_year: i32::try_from(first_year).unwrap_or_default(),
        abp,
        program,
        purpose,
        indicators: indicators_of(db, id).await?,
        version,
        updated_by: by,
        updated_at: at,
    })
}

const COLUMNS: &str = "id, campaign_id, budget_id, first_year, abp, program, purpose, version, updated_by, updated_at";

/// The passports of a campaign's programs the caller reads.
pub async fn programs(db: &Db, reader: &Reader<'_>, campaign_id: i64) -> Result<Vec<Program>> {
    crate::usecases::campaign(db, reader, campaign_id).await?;
    let query = format!(
        "SELECT {COLUMNS} FROM budget_programs WHERE campaign_id = $1 ORDER BY abp, program"
    );
    let rows: Vec<ProgramRow> =
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(query.clone()))
        .bind(campaign_id).fetch_all(pool).await)
        .map_err(sql)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(program_of(db, row).await?);
    }
    Ok(out)
}

/// The purpose of each program of a campaign with a passport, by ABP and program: for reports
/// that show them beside rows the caller was already allowed to read (appendix 59).
pub async fn purposes(db: &Db, campaign_id: i64) -> Result<BTreeMap<(String, String), String>> {
    let rows: Vec<(String, String, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT abp, program, purpose FROM budget_programs WHERE campaign_id = $1")
        .bind(campaign_id).fetch_all(pool).await)
    .map_err(sql)?;
    Ok(rows
        .into_iter()
        .map(|(abp, program, purpose)| ((abp, program), purpose))
        .collect())
}

/// The passport of one program of a campaign, if drawn up.
pub async fn program(
    db: &Db,
    reader: &Reader<'_>,
    campaign_id: i64,
    abp: &str,
    code: &str,
) -> Result<Option<Program>> {
    crate::usecases::campaign(db, reader, campaign_id).await?;
    let query = format!(
        "SELECT {COLUMNS} FROM budget_programs WHERE campaign_id = $1 AND abp = $2 AND program = $3"
    );
    let row: Option<ProgramRow> =
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(query.clone()))
        .bind(campaign_id).bind(abp).bind(code).fetch_optional(pool).await)
        .map_err(sql)?;
    match row {
        Some(row) => Ok(Some(program_of(db, row).await?)),
        None => Ok(None),
    }
}

/// A program's passport as kept with a version of the budget, with its amounts in that version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = BudgetProgramVersion)]
pub struct ProgramVersion {
    pub act: crate::Act,
    pub purpose: String,
    pub indicators: Vec<Indicator>,
    /// The program's amounts by year of the period in that version.
    pub amounts: [Tenge; 3],
}

/// The versions of a program's passport, oldest first: one for each adopted approval,
/// refinement and correction of the campaign's budget after the passport was drawn up.
pub async fn versions(
    db: &Db,
    reader: &Reader<'_>,
    campaign_id: i64,
    abp: &str,
    code: &str,
) -> Result<Vec<ProgramVersion>> {
    let acts = crate::usecases::acts(db, reader, campaign_id).await?;
    let mut out = Vec::new();
    for act in acts.into_iter().filter(|a| a.kind.is_version()) {
        let kept: Option<(String, String)> = on_db!(db, pool => sqlx::query_as(
            "SELECT purpose, indicators_json FROM budget_program_versions \
             WHERE act_id = $1 AND abp = $2 AND program = $3")
            .bind(act.id).bind(abp).bind(code).fetch_optional(pool).await)
        .map_err(sql)?;
        let Some((purpose, indicators)) = kept else {
            continue;
        };
        let indicators = serde_json::from_str(&indicators)
            .map_err(|e| Error::Internal(format!("passport kept with act {}: {e}", act.id)))?;
        let mut amounts = [Tenge::ZERO; 3];
        for line in crate::repo::lines(db, act.id).await? {
            let at = act.years().iter().position(|y| *y == line.year);
            if let Some(i) = at.filter(|_| line.abp == abp && line.program == code) {
                amounts[i] += line.amount;
            }
        }
        out.push(ProgramVersion {
            act,
            purpose,
            indicators,
            amounts,
        });
    }
    out.sort_by_key(|v| (v.act.act_date, v.act.adopted_at));
    Ok(out)
}

/// The passport of a program for a year, as the open budget publishes it: of the newest
/// period of the budget holding the year, as kept with the latest version of the budget
/// adopted, or as it stands when no version kept it yet. Asked by other modules for a
/// document the caller already may publish; it answers facts, so it checks no rights.
pub async fn for_year(
    db: &Db,
    budget_id: i64,
    abp: &str,
    code: &str,
    year: i32,
) -> Result<Option<(i32, String, Vec<Indicator>)>> {
    let query = format!(
        "SELECT {COLUMNS} FROM budget_programs WHERE budget_id = $1 AND abp = $2 AND program = $3 \
         AND first_year <= $4 AND first_year + 2 >= $4 ORDER BY first_year DESC"
    );
    let row: Option<ProgramRow> =
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(query.clone()))
        .bind(budget_id).bind(abp).bind(code).bind(i64::from(year)).fetch_optional(pool).await)
        .map_err(sql)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let current = program_of(db, row).await?;
    let kept = crate::repo::acts(db, current.campaign_id)
        .await?
        .into_iter()
        .filter(|a| a.kind.is_version() && a.status == crate::ActStatus::Adopted)
        .max_by_key(|a| (a.act_date, a.adopted_at));
    if let Some(act) = kept {
        let row: Option<(String, String)> = on_db!(db, pool => sqlx::query_as(
            "SELECT purpose, indicators_json FROM budget_program_versions \
             WHERE act_id = $1 AND abp = $2 AND program = $3")
            .bind(act.id).bind(abp).bind(code).fetch_optional(pool).await)
        .map_err(sql)?;
        if let Some((purpose, indicators)) = row
            && let Ok(indicators) = serde_json::from_str(&indicators)
        {
            return Ok(Some((current.first_year, purpose, indicators)));
        }
    }
    Ok(Some((
        current.first_year,
        current.purpose,
        current.indicators,
    )))
}

/// The program's amounts from the approved requests of the campaign's budget: the program and
/// each subprogram by year of the period.
pub async fn amounts(
    db: &Db,
    tree: &jospar_org::OrgTree,
    campaign: &jospar_limits::Campaign,
    abp: &str,
    code: &str,
) -> Result<Amounts> {
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let abps = crate::usecases::administrators(db).await?;
    let lines = jospar_planning::usecases::campaign_lines(
        db,
        tree,
        campaign.id,
        campaign.authority_org_id,
        true,
        &|_| true,
    )
    .await?;
    let years = campaign.years();
    let mut out = Amounts::default();
    let mut subprograms: BTreeMap<String, [Tenge; 3]> = BTreeMap::new();
    for (org, line) in lines.iter() {
        let ours = orgs
            .get(&org)
            .is_some_and(|o| o.budget_id == campaign.budget_id)
            && abps.get(&org).map(String::as_str) == Some(abp)
            && line.program == code;
        if !ours {
            continue;
        }
        for (year, amount) in &line.amounts {
            if let Some(i) = years.iter().position(|y| y == year) {
                out.program[i] += *amount;
                subprograms
                    .entry(line.subprogram.clone())
                    .or_insert([Tenge::ZERO; 3])[i] += *amount;
            }
        }
    }
    out.subprograms = subprograms
        .into_iter()
        .map(|(code, amounts)| SubprogramAmounts { code, amounts })
        .collect();
    Ok(out)
}

/// Whether the user enters data for the administrator with this ABP code in the budget.
async fn administers(db: &Db, p: &Principal, budget_id: i64, abp: &str) -> Result<bool> {
    Ok(jospar_org::repo::all_orgs(db).await?.iter().any(|o| {
        o.kind == OrgKind::Administrator
            && o.budget_id == budget_id
            && o.abp_code.as_deref() == Some(abp)
            && p.can(Right::Enter, o.id)
    }))
}

/// Whether the user may edit the passport of this program.
pub async fn can_edit(
    db: &Db,
    p: &Principal,
    campaign: &jospar_limits::Campaign,
    abp: &str,
) -> Result<bool> {
    administers(db, p, campaign.budget_id, abp).await
}

/// Saves a program's passport whole, in one transaction, audited old → new.
pub async fn save(db: &Db, p: &Principal, input: &ProgramInput) -> Result<Program> {
    let reader = Reader::User(p);
    let campaign = crate::usecases::campaign(db, &reader, input.campaign_id).await?;
    let (abp, code) = (input.abp.trim(), input.program.trim());
    if !administers(db, p, campaign.budget_id, abp).await? {
        return Err(Error::Forbidden);
    }
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("err-transfer-code", "program"));
    }
    check(input, campaign.first_year, p.today)?;
    let old = program(db, &reader, campaign.id, abp, code).await?;
    if old.as_ref().map(|o| o.version).unwrap_or(0) != input.version {
        return Err(Error::Stale);
    }
    let id = old.as_ref().map(|o| o.id).unwrap_or_else(new_id);
    let now = Utc::now();
    let who = p.who();
    let mut tx = db.begin().await?;
    let written = match &old {
        None => exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO budget_programs (id, campaign_id, budget_id, first_year, abp, program, purpose, version, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9)")
            .bind(id).bind(campaign.id).bind(campaign.budget_id).bind(i64::from(campaign.first_year))
            .bind(abp).bind(code).bind(input.purpose.trim()).bind(&who.login).bind(now)
            .execute(conn).await),
        Some(_) => exec_tx!(&mut tx, conn => sqlx::query(
            "UPDATE budget_programs SET purpose = $1, version = version + 1, updated_by = $2, updated_at = $3 \
             WHERE id = $4 AND version = $5")
            .bind(input.purpose.trim()).bind(&who.login).bind(now).bind(id).bind(input.version)
            .execute(conn).await),
    }
    .map_err(|e| match StoreError::Sql(e) {
        e if e.is_unique_violation() => Error::Stale,
        e => e.into(),
    })?;
    if written == 0 {
        return Err(Error::Stale);
    }
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM program_indicators WHERE program_id = $1")
        .bind(id).execute(conn).await)
    .map_err(sql)?;
    for (n, i) in input.indicators.iter().enumerate() {
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO program_indicators (program_id, position, kind, name, unit, plan1, plan2, plan3, fact1, fact2, fact3) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(id).bind(n as i64 + 1).bind(i.kind.code()).bind(i.name.trim()).bind(i.unit.trim())
            .bind(i.plan[0]).bind(i.plan[1]).bind(i.plan[2]).bind(i.fact[0]).bind(i.fact[1]).bind(i.fact[2])
            .execute(conn).await)
        .map_err(sql)?;
    }
    tx.audit(AuditEntry {
        who: &who,
        org_id: Some(campaign.authority_org_id),
        entity: "budget_program",
        entity_id: format!("{}/{abp}/{code}", campaign.id),
        action: if old.is_some() { "update" } else { "create" },
        old_value: old
            .as_ref()
            .map(|o| json!({"purpose": o.purpose, "indicators": o.indicators})),
        new_value: Some(json!({"purpose": input.purpose.trim(), "indicators": input.indicators})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    program(db, &reader, campaign.id, abp, code)
        .await?
        .ok_or(Error::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(fact: Option<i64>) -> ProgramInput {
        ProgramInput {
            campaign_id: 1,
            abp: "261".into(),
            program: "003".into(),
            purpose: "Доступное среднее образование".into(),
            indicators: vec![Indicator {
                kind: IndicatorKind::Final,
                name: "Охват детей".into(),
                unit: "%".into(),
                plan: [9_950, 9_960, 9_970],
                fact: [fact, None, None],
            }],
            version: 0,
        }
    }

    fn refused(input: &ProgramInput, today: chrono::NaiveDate) -> Option<String> {
        match check(input, 2027, today) {
            Err(Error::Invalid { field, .. }) => field,
            _ => None,
        }
    }

    #[test]
    fn a_fact_waits_for_its_year_to_end() {
        let day = |y| chrono::NaiveDate::from_ymd_opt(y, 6, 1).unwrap();
        assert_eq!(
            refused(&input(Some(9_900)), day(2027)).as_deref(),
            Some("indicator-1-fact-2027")
        );
        assert!(check(&input(Some(9_900)), 2027, day(2028)).is_ok());
        let mut nameless = input(None);
        nameless.indicators[0].name = " ".into();
        assert_eq!(
            refused(&nameless, day(2027)).as_deref(),
            Some("indicator-1-name")
        );
    }

    #[test]
    fn quantities_print_without_needless_decimals() {
        assert_eq!(quantity(125_000), "1 250");
        assert_eq!(quantity(9_950), "99,5");
        assert_eq!(quantity(1_234), "12,34");
        assert_eq!(parse_quantity("99,5"), Some(9_950));
    }
}
