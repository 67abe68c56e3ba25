//! Closed execution periods (EX-5) for the pages and the API: who may close and open a month
//! (the approving authority of the organisation), and the check every Treasury import passes.

use crate::periods::{self, ClosedPeriod, closing_of};
use crate::portal::Month;
use chrono::NaiveDate;
use jospar_access::Principal;
use jospar_access::Right;
use jospar_access::{Error, Result};
use jospar_store::Db;

fn month_of(text: &str) -> Result<Month> {
    Month::parse(text).ok_or_else(|| Error::Invalid {
        key: "err-report-param",
        args: vec![("field", "month".into()), ("value", text.into())],
        field: Some("month".into()),
    })
}

fn reason_of(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(Error::invalid("err-required", "reason"))
    } else {
        Ok(reason)
    }
}

/// The closed periods of the organisations the caller may read.
pub async fn list(db: &Db, p: &Principal) -> Result<Vec<ClosedPeriod>> {
    Ok(periods::closed_periods(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|c| p.can(Right::Read, c.org_id))
        .collect())
}

/// Whether the caller may close and open months of an organisation's subtree.
pub fn may_close(p: &Principal, org: i64) -> bool {
    p.can(Right::Approve, org)
}

/// The organisations whose months the caller may close: authorized bodies and administrators
/// the caller approves for.
pub fn closers<'a>(p: &Principal, orgs: &'a [jospar_org::Org]) -> Vec<&'a jospar_org::Org> {
    orgs.iter()
        .filter(|o| is_budget_holder(o) && may_close(p, o.id))
        .collect()
}

/// The organisations whose Treasury forms the caller may import: authorized bodies and
/// administrators where the caller enters data.
pub fn importers<'a>(p: &Principal, orgs: &'a [jospar_org::Org]) -> Vec<&'a jospar_org::Org> {
    orgs.iter()
        .filter(|o| is_budget_holder(o) && p.can(Right::Enter, o.id))
        .collect()
}

fn is_budget_holder(o: &jospar_org::Org) -> bool {
    matches!(
        o.kind,
        jospar_org::OrgKind::AuthorizedBody | jospar_org::OrgKind::Administrator
    )
}

/// Closes a month ("2027-03") of an organisation's subtree, with the reason.
pub async fn close(
    db: &Db,
    p: &Principal,
    org: i64,
    month: &str,
    reason: &str,
) -> Result<ClosedPeriod> {
    p.require(Right::Approve, org)?;
    let month = month_of(month)?;
    let reason = reason_of(reason)?;
    periods::close(db, &p.who(), org, month, reason)
        .await
        .map_err(Error::from)?
        .ok_or_else(|| Error::Invalid {
            key: "err-period-closed-already",
            args: vec![("month", month.to_string())],
            field: Some("month".into()),
        })
}

/// Opens a closed month again, with the reason.
pub async fn reopen(
    db: &Db,
    p: &Principal,
    org: i64,
    month: &str,
    reason: &str,
) -> Result<ClosedPeriod> {
    p.require(Right::Approve, org)?;
    let month = month_of(month)?;
    let reason = reason_of(reason)?;
    periods::reopen(db, &p.who(), org, month, reason)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)
}

/// Refuses a form of `org` dated `date` when its month is closed for the organisation or for
/// one above it, naming the month, who closed it and why.
pub async fn check_open(db: &Db, org: i64, date: NaiveDate) -> Result<()> {
    let closed = periods::closed_periods(db).await.map_err(Error::from)?;
    if closed.is_empty() {
        return Ok(());
    }
    let tree = jospar_org::repo::org_tree(db).await?;
    match closing_of(&closed, date, |closing_org| {
        tree.is_within(org, closing_org)
    }) {
        None => Ok(()),
        Some(c) => Err(Error::Invalid {
            key: "err-period-closed",
            args: vec![
                ("month", c.month.clone()),
                ("date", date.to_string()),
                ("by", c.closed_by.clone()),
                ("reason", c.reason.clone()),
            ],
            field: Some("date".into()),
        }),
    }
}

#[cfg(test)]
mod rights_tests {
    use super::*;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    fn ids(v: Vec<&jospar_org::Org>) -> Vec<i64> {
        v.iter().map(|o| o.id).collect()
    }

    #[test]
    fn months_are_closed_by_approvers_and_forms_imported_by_enterers_of_budget_holders() {
        let all = jospar_org::testing::region_orgs();
        let planner = principal(1, &[(Role::Planner, 1)], REGION);
        let head = principal(2, &[(Role::Head, 2)], REGION);
        let economist = principal(3, &[(Role::Economist, 3)], REGION);
        // Schools are no budget holders: neither closes months nor imports Treasury forms.
        assert_eq!(ids(closers(&planner, &all)), vec![1, 2, 4]);
        assert_eq!(ids(importers(&planner, &all)), vec![1, 2, 4]);
        assert_eq!(ids(closers(&head, &all)), vec![2]);
        assert!(importers(&head, &all).is_empty());
        assert!(closers(&economist, &all).is_empty() && importers(&economist, &all).is_empty());
        assert!(may_close(&head, 3) && !may_close(&head, 5));
    }
}
