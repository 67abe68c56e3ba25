//! The report (fact) year of a budget request (issue 23): the year before the current one,
//! beside the current year and the three planning years. For each program, subprogram and
//! specific of the request's lines it holds the executed amount — filled from the Treasury's
//! form of cash execution where the system has one (the execution module finds it and hands the
//! figures here, [`fill`]) and typed by the economist otherwise ([`type_in`]). Appendices 57,
//! 58 and 70 print it as their first amount column.

use crate::repo::{self, Fact, Target};
use crate::usecases::{planning_error, request};
use jospar_access::{Error, Principal, Result};
use jospar_core::Tenge;
use jospar_org::Right;
use jospar_store::Db;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The report year of a campaign whose first planning year is `first_year`.
pub fn report_year(first_year: i32) -> i32 {
    first_year - 2
}

/// Where a figure came from.
pub const TYPED: &str = "typed";
pub const EXECUTION: &str = "execution";

/// One program, subprogram and specific of the request with its report-year figure, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FactLine {
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub amount: Option<Tenge>,
    /// `execution` or `typed`; none while it has no figure.
    pub source: Option<String>,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportYear {
    pub year: i32,
    pub lines: Vec<FactLine>,
    /// The request's version (the figures are saved against it).
    pub version: i64,
}

/// A figure typed by the economist, in tiyn.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct TypedFact {
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub amount_tiyn: i64,
}

/// The field naming one figure in refusals and on the page.
pub fn field_of(program: &str, subprogram: &str, specific: &str) -> String {
    format!("fact-{program}-{subprogram}-{specific}")
}

/// The request's codes with their report-year figures.
pub async fn of_request(db: &Db, p: &Principal, id: i64) -> Result<ReportYear> {
    let request = request(db, p, id).await?;
    let campaign = jospar_limits::repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let codes: BTreeSet<(String, String, String)> = repo::lines(db, id)
        .await?
        .into_iter()
        .map(|l| (l.program, l.subprogram, l.specific))
        .collect();
    let facts = repo::facts_of(db, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let lines = codes
        .into_iter()
        .map(|(program, subprogram, specific)| {
            let fact = facts.iter().find(|f| {
                f.program == program && f.subprogram == subprogram && f.specific == specific
            });
            FactLine {
                amount: fact.map(|f| f.amount),
                source: fact.map(|f| f.source.clone()),
                basis: fact.map(|f| f.basis.clone()).unwrap_or_default(),
                program,
                subprogram,
                specific,
            }
        })
        .collect();
    Ok(ReportYear {
        year: report_year(campaign.first_year),
        lines,
        version: request.version,
    })
}

/// Saves typed figures, all or none: each must be of a code of the request's lines and not
/// negative (refused naming its field).
pub async fn type_in(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    typed: &[TypedFact],
) -> Result<ReportYear> {
    let current = of_request(db, p, id).await?;
    let request = request(db, p, id).await?;
    p.require(Right::Enter, request.org_id)?;
    let mut facts = Vec::new();
    for t in typed {
        let field = field_of(&t.program, &t.subprogram, &t.specific);
        let known = current.lines.iter().any(|l| {
            l.program == t.program && l.subprogram == t.subprogram && l.specific == t.specific
        });
        if !known {
            return Err(Error::invalid("err-fact-code", &field));
        }
        if t.amount_tiyn < 0 {
            return Err(Error::invalid("err-fact-amount", &field));
        }
        facts.push(Fact {
            program: t.program.clone(),
            subprogram: t.subprogram.clone(),
            specific: t.specific.clone(),
            amount: Tenge::from_tiyn(t.amount_tiyn),
            source: TYPED.into(),
            basis: String::new(),
        });
    }
    let target = Target {
        request_id: id,
        version,
    };
    repo::set_facts(db, &p.who(), target, &facts)
        .await
        .map_err(planning_error)?;
    of_request(db, p, id).await
}

/// Fills the figures from executed amounts by (program, subprogram, specific), as the
/// execution module read them from a Treasury form named by `basis`; a code of the request
/// without a subprogram takes its program's every subprogram; codes of the request the form
/// does not name are executed at zero, codes of the form the request does not have are left
/// out. Typed figures are replaced.
pub async fn fill(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    executed: &[(String, String, String, Tenge)],
    basis: &str,
) -> Result<ReportYear> {
    let current = of_request(db, p, id).await?;
    let request = request(db, p, id).await?;
    p.require(Right::Enter, request.org_id)?;
    let facts: Vec<Fact> = current
        .lines
        .iter()
        .map(|l| {
            let amount = executed
                .iter()
                // A line without a subprogram stands for its program as a whole.
                .filter(|(program, subprogram, specific, _)| {
                    *program == l.program
                        && (l.subprogram.is_empty() || *subprogram == l.subprogram)
                        && *specific == l.specific
                })
                .map(|(.., amount)| *amount)
                .sum();
            Fact {
                program: l.program.clone(),
                subprogram: l.subprogram.clone(),
                specific: l.specific.clone(),
                amount,
                source: EXECUTION.into(),
                basis: basis.to_string(),
            }
        })
        .collect();
    let target = Target {
        request_id: id,
        version,
    };
    repo::set_facts(db, &p.who(), target, &facts)
        .await
        .map_err(planning_error)?;
    of_request(db, p, id).await
}
