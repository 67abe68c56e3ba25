//! The revenues of a state enterprise's budget request (issue 23, P-2, BP-13): an enterprise
//! (ГККП) lives on its paid services and on the state order or subsidy of its administrator.
//! Its request carries them by counterparty and year beside its expenses; appendix 57 by
//! counterparty lays them out against the expenses, and appendix 58 by counterparty puts each
//! enterprise's financing by the administrator beside its expenses.

use crate::repo::{self, Revenue, Target};
use crate::request_years;
use crate::usecases::{planning_error, request};
use jospar_access::{Error, Principal, Result};
use jospar_core::Tenge;
use jospar_org::{OrgKind, Right};
use jospar_store::Db;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where an enterprise's money comes from.
pub const SOURCES: [&str; 3] = ["paid_services", "state_order", "subsidy"];

/// The sources paid by the administrator (the rest by the enterprise's customers).
pub fn from_administrator(source: &str) -> bool {
    matches!(source, "state_order" | "subsidy")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Revenues {
    /// The request's years: the current one and the three planning years.
    pub years: Vec<i32>,
    pub rows: Vec<Revenue>,
    /// Whether the request is an enterprise's (only an enterprise has revenues).
    pub enterprise: bool,
    /// The administrator above the enterprise: the counterparty of its state order.
    pub administrator: String,
    pub version: i64,
}

/// A revenue as typed: its source, counterparty and amounts in tiyn by year.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RevenueInput {
    pub source: String,
    pub counterparty: String,
    /// Year (as text, JSON's keys) → amount in tiyn.
    pub amounts_tiyn: BTreeMap<String, i64>,
}

/// The name of the administrator above an organisation, in Russian (the stored counterparty).
async fn administrator_name(db: &Db, org_id: i64) -> Result<String> {
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let mut next = orgs.iter().find(|o| o.id == org_id);
    while let Some(org) = next {
        if org.kind == OrgKind::Administrator {
            return Ok(org.name_ru.clone());
        }
        next = org
            .parent_id
            .and_then(|parent| orgs.iter().find(|o| o.id == parent));
    }
    Ok(String::new())
}

pub async fn of_request(db: &Db, p: &Principal, id: i64) -> Result<Revenues> {
    let request = request(db, p, id).await?;
    let campaign = jospar_limits::repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let org = jospar_org::repo::get_org(db, request.org_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Revenues {
        years: request_years(campaign.first_year).to_vec(),
        rows: repo::revenues_of(db, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default(),
        enterprise: org.kind == OrgKind::Enterprise,
        administrator: administrator_name(db, org.id).await?,
        version: request.version,
    })
}

/// The typed revenues checked, the first wrong one refused naming `revenues[i].…`: a known
/// source, a counterparty of the administrator's money, a year of the request, no negative
/// amount, each source and counterparty once.
fn check(years: &[i32], inputs: &[RevenueInput]) -> Result<Vec<Revenue>> {
    let mut revenues: Vec<Revenue> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("revenues[{}].{name}", i + 1);
        let source = input.source.trim();
        if !SOURCES.contains(&source) {
            return Err(Error::invalid("err-revenue-source", &field("source")));
        }
        let counterparty = input.counterparty.trim().to_string();
        if from_administrator(source) && counterparty.is_empty() {
            return Err(Error::invalid(
                "err-revenue-counterparty",
                &field("counterparty"),
            ));
        }
        if revenues
            .iter()
            .any(|r| r.source == source && r.counterparty == counterparty)
        {
            return Err(Error::invalid("err-revenue-twice", &field("counterparty")));
        }
        let mut amounts = BTreeMap::new();
        for (year, tiyn) in &input.amounts_tiyn {
            let known = year.parse::<i32>().ok().filter(|y| years.contains(y));
            let Some(year) = known else {
                return Err(Error::invalid("err-revenue-year", &field(year)));
            };
            if *tiyn < 0 {
                return Err(Error::invalid(
                    "err-revenue-amount",
                    &field(&year.to_string()),
                ));
            }
            amounts.insert(year, Tenge::from_tiyn(*tiyn));
        }
        revenues.push(Revenue {
            source: source.to_string(),
            counterparty,
            amounts,
        });
    }
    Ok(revenues)
}

/// Replaces an enterprise's revenues, all or none.
pub async fn save(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    inputs: &[RevenueInput],
) -> Result<Revenues> {
    let current = of_request(db, p, id).await?;
    let request = request(db, p, id).await?;
    p.require(Right::Enter, request.org_id)?;
    if !current.enterprise {
        return Err(Error::invalid("err-revenue-enterprise", "revenues"));
    }
    let revenues = check(&current.years, inputs)?;
    let target = Target {
        request_id: id,
        version,
    };
    repo::set_revenues(db, &p.who(), target, &revenues)
        .await
        .map_err(planning_error)?;
    of_request(db, p, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(source: &str, counterparty: &str, year: &str, tiyn: i64) -> RevenueInput {
        RevenueInput {
            source: source.into(),
            counterparty: counterparty.into(),
            amounts_tiyn: [(year.to_string(), tiyn)].into_iter().collect(),
        }
    }

    fn refused(inputs: &[RevenueInput]) -> String {
        match check(&[2026, 2027, 2028, 2029], inputs) {
            Err(Error::Invalid { field, .. }) => field.unwrap_or_default(),
            other => panic!("{other:?}"),
        }
    }

    /// BP-13: each revenue of an enterprise is refused by its field.
    #[test]
    fn each_revenue_is_checked_by_name() {
        let good = [
            input("paid_services", "", "2027", 100),
            input("state_order", "Управление образования", "2027", 200),
        ];
        assert!(check(&[2026, 2027, 2028, 2029], &good).is_ok());
        assert_eq!(
            refused(&[input("loan", "", "2027", 1)]),
            "revenues[1].source"
        );
        assert_eq!(
            refused(&[input("state_order", " ", "2027", 1)]),
            "revenues[1].counterparty"
        );
        assert_eq!(
            refused(&[input("paid_services", "", "2031", 1)]),
            "revenues[1].2031"
        );
        assert_eq!(
            refused(&[input("paid_services", "", "2027", -1)]),
            "revenues[1].2027"
        );
        assert_eq!(
            refused(&[good[0].clone(), input("paid_services", "", "2028", 5)]),
            "revenues[2].counterparty"
        );
    }
}
