//! Use cases of the Limits module (L-1…L-4) shared by the pages and the API: who may see a
//! campaign, who may distribute which amount, and the translated errors of L-4.

use crate::repo::{self, Amount, Change, NewCampaign, RepoError};
use crate::{Campaign, LimitError, LimitKind, Node, Slot, source_of};
use jospar_access::Principal;
use jospar_access::{Error, Result};
use jospar_classification::{CodeKind, repo as ebk};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_org::{Org, OrgKind, Right, repo as orgs_repo};
use jospar_store::Db;
use std::collections::HashMap;

pub async fn org_map(db: &Db) -> Result<HashMap<i64, Org>> {
    Ok(orgs_repo::all_orgs(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
}

/// Campaigns in which the user reads at least one organisation.
pub async fn visible_campaigns(db: &Db, p: &Principal) -> Result<Vec<Campaign>> {
    let read = p.scope(Right::Read);
    Ok(repo::campaigns(db)
        .await?
        .into_iter()
        .filter(|c| {
            p.tree
                .subtree(c.authority_org_id)
                .iter()
                .any(|id| read.contains(*id))
        })
        .collect())
}

pub async fn campaign(db: &Db, p: &Principal, id: i64) -> Result<Campaign> {
    let campaign = repo::campaign(db, id).await?.ok_or(Error::NotFound)?;
    let read = p.scope(Right::Read);
    if !p
        .tree
        .subtree(campaign.authority_org_id)
        .iter()
        .any(|id| read.contains(*id))
    {
        return Err(Error::Forbidden);
    }
    Ok(campaign)
}

pub async fn create_campaign(db: &Db, p: &Principal, new: NewCampaign) -> Result<Campaign> {
    let authority = orgs_repo::get_org(db, new.authority_org_id)
        .await?
        .ok_or_else(|| Error::invalid("err-unknown-org", "authority_org_id"))?;
    p.require(Right::Enter, authority.id)?;
    if authority.kind != OrgKind::AuthorizedBody {
        return Err(Error::invalid("err-not-authority", "authority_org_id"));
    }
    repo::create_campaign(db, &p.who(), &authority, new)
        .await
        .map_err(|e| limit_error(e, None))
}

/// The nodes that receive their amount from `node`.
pub fn children(
    campaign: &Campaign,
    node: &Node,
    orgs: &HashMap<i64, Org>,
    p: &Principal,
    amounts: &[Amount],
) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    let receives_from = |candidate: &Node| {
        source_of(candidate, campaign, orgs, &p.tree)
            .ok()
            .flatten()
            .as_ref()
            == Some(node)
    };
    if node.program.is_empty() {
        // An administrator's total, and an institution's page (issue 20: what an economist
        // opens), list the organisation's own programs that hold amounts.
        let lists_own_programs = orgs.get(&node.org_id).is_some_and(|o| {
            matches!(
                o.kind,
                OrgKind::Administrator
                    | OrgKind::Committee
                    | OrgKind::Institution
                    | OrgKind::Enterprise
            )
        });
        if lists_own_programs {
            // The organisation's programs that hold amounts.
            for a in amounts
                .iter()
                .filter(|a| a.slot.org_id == node.org_id && !a.slot.program.is_empty())
            {
                let n = a.slot.node();
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        } else {
            for id in p.tree.subtree(node.org_id) {
                let candidate = Node {
                    org_id: id,
                    program: String::new(),
                };
                if id != node.org_id && receives_from(&candidate) {
                    out.push(candidate);
                }
            }
        }
    } else {
        for id in p.tree.subtree(node.org_id) {
            let candidate = Node {
                org_id: id,
                program: node.program.clone(),
            };
            if id != node.org_id && receives_from(&candidate) {
                out.push(candidate);
            }
        }
    }
    out.sort_by(|a, b| {
        let name = |n: &Node| {
            orgs.get(&n.org_id)
                .map(|o| (o.abp_code.clone(), o.name_ru.clone()))
        };
        (name(a), &a.program).cmp(&(name(b), &b.program))
    });
    out
}

/// Checks rights and program codes, then saves the grid atomically.
pub async fn save(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    campaign: &Campaign,
    changes: &[Change],
    reason: Option<&str>,
) -> Result<usize> {
    let orgs = org_map(db).await?;
    for change in changes {
        let node = Node {
            org_id: change.org_id,
            program: change.program.trim().to_string(),
        };
        if !p.tree.contains(node.org_id) {
            return Err(Error::invalid("err-unknown-org", "org_id"));
        }
        // The distributor decides: the authorized body for administrators' totals, the
        // administrator for its programs, and so on down the chain (L-2, L-3).
        let distributor = source_of(&node, campaign, &orgs, &p.tree)
            .map_err(|e| limit_message(e, &orgs, tr))?
            .map(|s| s.org_id)
            .unwrap_or(campaign.authority_org_id);
        p.require(Right::Enter, distributor)?;
        let is_admin_program = !node.program.is_empty()
            && orgs
                .get(&node.org_id)
                .is_some_and(|o| o.kind == OrgKind::Administrator);
        if is_admin_program {
            check_program(db, campaign, &orgs[&node.org_id], &node.program).await?;
        }
    }
    repo::save_amounts(db, &p.who(), campaign, &orgs, &p.tree, changes, reason)
        .await
        .map_err(|e| limit_error(e, Some((&orgs, tr))))
}

/// A program distributed by an administrator must exist in the classification of the
/// campaign's first year, or of the latest year before it while that year is not loaded.
async fn check_program(db: &Db, campaign: &Campaign, admin: &Org, program: &str) -> Result<()> {
    let abp = admin.abp_code.clone().unwrap_or_default();
    let years = ebk::years(db).await?;
    let year = years
        .iter()
        .copied()
        .filter(|y| *y <= campaign.first_year)
        .max();
    let code = format!("{abp} {program}");
    let known = match year {
        Some(y) => ebk::get(db, y, CodeKind::Program, &code).await?.is_some(),
        None => false,
    };
    if known {
        Ok(())
    } else {
        Err(Error::Invalid {
            key: "err-unknown-code",
            args: vec![("field", "program".into()), ("value", code)],
            field: Some("program".into()),
        })
    }
}

fn node_name(node: &Node, orgs: &HashMap<i64, Org>, tr: &Tr) -> String {
    let org = orgs
        .get(&node.org_id)
        .map(|o| o.name(tr.lang()).to_string())
        .unwrap_or_default();
    if node.program.is_empty() {
        org
    } else {
        format!("{org}, {} {}", tr.t("limits-program"), node.program)
    }
}

pub fn kind_name(tr: &Tr, kind: LimitKind) -> String {
    tr.t(&format!("limit-kind-{}", kind.code()))
}

fn limit_error(e: RepoError, names: Option<(&HashMap<i64, Org>, &Tr)>) -> Error {
    match e {
        RepoError::Store(s) => s.into(),
        RepoError::Limit(l) => match names {
            Some((orgs, tr)) => limit_message(l, orgs, tr),
            None => limit_message(l, &HashMap::new(), &Tr(jospar_i18n::Lang::Ru)),
        },
    }
}

/// L-4 errors with the names, year, kind and amounts a user needs to act.
pub fn limit_message(e: LimitError, orgs: &HashMap<i64, Org>, tr: &Tr) -> Error {
    let invalid = |key, args: Vec<(&'static str, String)>, field: &str| Error::Invalid {
        key,
        args,
        field: Some(field.to_string()),
    };
    match e {
        LimitError::ExceedsSource {
            node,
            year,
            kind,
            available,
            distributed,
        } => invalid(
            "err-limit-exceeds",
            vec![
                ("source", node_name(&node, orgs, tr)),
                ("year", year.to_string()),
                ("kind", kind_name(tr, kind)),
                ("available", available.to_string()),
                ("distributed", distributed.to_string()),
                ("excess", (distributed - available).to_string()),
            ],
            "amount",
        ),
        LimitError::BelowDistributed {
            node,
            year,
            kind,
            amount,
            distributed,
        } => invalid(
            "err-limit-below",
            vec![
                ("node", node_name(&node, orgs, tr)),
                ("year", year.to_string()),
                ("kind", kind_name(tr, kind)),
                ("amount", amount.to_string()),
                ("distributed", distributed.to_string()),
            ],
            "amount",
        ),
        LimitError::Negative { node, year, kind } => invalid(
            "err-limit-negative",
            vec![
                ("node", node_name(&node, orgs, tr)),
                ("year", year.to_string()),
                ("kind", kind_name(tr, kind)),
            ],
            "amount",
        ),
        LimitError::YearOutsidePeriod(year) => {
            invalid("err-limit-year", vec![("year", year.to_string())], "year")
        }
        LimitError::NotAReceiver(node) => invalid(
            "err-limit-receiver",
            vec![("node", node_name(&node, orgs, tr))],
            "org_id",
        ),
        LimitError::ProgramCode(code) => Error::Invalid {
            key: "err-unknown-value",
            args: vec![("field", "program".into()), ("value", code)],
            field: Some("program".into()),
        },
        LimitError::UnknownProgram { abp, program, .. } => Error::Invalid {
            key: "err-unknown-code",
            args: vec![
                ("field", "program".into()),
                ("value", format!("{abp} {program}")),
            ],
            field: Some("program".into()),
        },
        LimitError::Stale => Error::Stale,
        LimitError::NotFound => Error::NotFound,
        LimitError::Field(field) => Error::invalid("err-required", field),
    }
}

/// Received, distributed and remaining amounts of a node, per year and kind.
pub struct Balance {
    pub kind: LimitKind,
    pub year: i32,
    pub received: Tenge,
    pub distributed: Tenge,
    pub remaining: Tenge,
}

pub fn balances(campaign: &Campaign, node: &Node, ledger: &crate::Ledger) -> Vec<Balance> {
    let mut out = Vec::new();
    for kind in LimitKind::ALL {
        for year in campaign.years() {
            let received = ledger.amount(&Slot {
                org_id: node.org_id,
                program: node.program.clone(),
                year,
                kind,
            });
            let distributed = ledger.distributed_from(node, year, kind);
            out.push(Balance {
                kind,
                year,
                received,
                distributed,
                remaining: received - distributed,
            });
        }
    }
    out
}

/// A campaign with the amounts of the organisations the caller reads.
pub async fn campaign_with_amounts(
    db: &Db,
    p: &Principal,
    id: i64,
) -> Result<(Campaign, Vec<Amount>)> {
    let campaign = campaign(db, p, id).await?;
    let read = p.scope(Right::Read);
    let amounts = repo::amounts(db, id)
        .await?
        .into_iter()
        .filter(|a| read.contains(a.slot.org_id))
        .collect();
    Ok((campaign, amounts))
}

/// What an organisation (or one program of it) received, passed on and has left in a
/// campaign, by year and kind of limit; the caller reads the organisation.
pub async fn node_balance(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    id: i64,
    node: &Node,
) -> Result<Vec<Balance>> {
    let campaign = campaign(db, p, id).await?;
    p.require(Right::Read, node.org_id)?;
    let orgs = org_map(db).await?;
    let amounts = repo::amounts(db, id).await?;
    let ledger = repo::ledger_of(&campaign, &amounts, &orgs, &p.tree)
        .map_err(|e| limit_message(e, &orgs, tr))?;
    Ok(balances(&campaign, node, &ledger))
}

/// Campaigns' authorized bodies the caller may open a new campaign for: open authorized
/// bodies where the caller enters data.
pub fn campaign_authorities<'a>(
    p: &Principal,
    orgs: impl IntoIterator<Item = &'a Org>,
) -> Vec<&'a Org> {
    orgs.into_iter()
        .filter(|o| o.kind == OrgKind::AuthorizedBody && o.closed_on.is_none())
        .filter(|o| p.can(Right::Enter, o.id))
        .collect()
}

/// One node of a campaign's distribution as its page shows it: what it received, who it
/// passes amounts on to, the chain of distributors above it, and what the caller may type.
pub struct NodeView {
    pub campaign: Campaign,
    pub node: Node,
    pub orgs: HashMap<i64, Org>,
    pub ledger: crate::Ledger,
    /// The version of every stored amount, for the optimistic check of a save.
    pub versions: HashMap<Slot, i64>,
    /// The distributors above the node, the top first.
    pub breadcrumbs: Vec<Node>,
    /// The node's own amounts are typed here: only the top of the campaign, by the
    /// authorized body itself.
    pub own_editable: bool,
    /// The receivers shown under the node (with a program being added, if any).
    pub children: Vec<Node>,
    /// The receivers are typed by whoever enters data for their common distributor.
    pub children_editable: bool,
    /// The node is an administrator's total, under which programs are added.
    pub is_admin_total: bool,
    /// The node is an institution's (or committee's) page: the list of its programs, which
    /// receive; it receives and distributes nothing itself, so it has no balance.
    pub programs_only: bool,
    pub balances: Vec<Balance>,
}

/// The node a user lands on: the authorized body's total for those who read it, otherwise
/// the user's own organisation.
fn default_node(p: &Principal, campaign: &Campaign) -> Node {
    let org_id = if p.can(Right::Read, campaign.authority_org_id) {
        campaign.authority_org_id
    } else {
        p.user.org_id
    };
    Node {
        org_id,
        program: String::new(),
    }
}

/// A campaign's node for its page (`org` none: the caller's default node); `add` is a
/// program code being added under an administrator's total.
pub async fn node_view(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    id: i64,
    org: Option<i64>,
    program: &str,
    add: &str,
) -> Result<NodeView> {
    let campaign = campaign(db, p, id).await?;
    let node = match org {
        Some(org_id) => Node {
            org_id,
            program: program.trim().to_string(),
        },
        None => default_node(p, &campaign),
    };
    p.require(Right::Read, node.org_id)?;
    let orgs = org_map(db).await?;
    let amounts = repo::amounts(db, campaign.id).await?;
    let ledger = repo::ledger_of(&campaign, &amounts, &orgs, &p.tree)
        .map_err(|e| limit_message(e, &orgs, tr))?;
    let versions = amounts
        .iter()
        .map(|a| (a.slot.clone(), a.version))
        .collect();
    // An institution's (or committee's) page without a program is the list of its programs:
    // it receives nothing itself.
    let programs_only = node.program.is_empty()
        && orgs.get(&node.org_id).is_some_and(|o| {
            matches!(
                o.kind,
                OrgKind::Committee | OrgKind::Institution | OrgKind::Enterprise
            )
        });
    let source = if programs_only {
        None
    } else {
        source_of(&node, &campaign, &orgs, &p.tree).map_err(|e| limit_message(e, &orgs, tr))?
    };
    let own_editable =
        !programs_only && source.is_none() && p.can(Right::Enter, campaign.authority_org_id);
    let mut children = children(&campaign, &node, &orgs, p, &amounts);
    let is_admin_total = node.program.is_empty()
        && orgs
            .get(&node.org_id)
            .is_some_and(|o| o.kind == OrgKind::Administrator);
    let added = crate::validate_program_code(add)
        .ok()
        .filter(|code| is_admin_total && !code.is_empty())
        .map(|program| Node {
            org_id: node.org_id,
            program,
        });
    if let Some(added) = added.filter(|a| !children.contains(a)) {
        children.push(added);
    }
    // Receivers are editable by whoever holds the enter right on their distributor — this
    // node's organisation, unless the listed nodes are an institution's own programs (which
    // its administrator or committee distributes).
    let children_editable = p.can(Right::Enter, node.org_id)
        && children.iter().all(|c| {
            source_of(c, &campaign, &orgs, &p.tree)
                .ok()
                .flatten()
                .as_ref()
                == Some(&node)
        });
    let mut breadcrumbs = Vec::new();
    let mut cursor = source;
    while let Some(up) = cursor {
        cursor = source_of(&up, &campaign, &orgs, &p.tree).ok().flatten();
        breadcrumbs.push(up);
    }
    breadcrumbs.reverse();
    let balances = if programs_only {
        Vec::new()
    } else {
        balances(&campaign, &node, &ledger)
    };
    Ok(NodeView {
        campaign,
        node,
        orgs,
        ledger,
        versions,
        breadcrumbs,
        own_editable,
        children,
        children_editable,
        is_admin_total,
        programs_only,
        balances,
    })
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
    fn a_campaign_is_opened_by_an_authorized_body_where_the_caller_enters_data() {
        let all = jospar_org::testing::region_orgs();
        let planner = principal(1, &[(Role::Planner, 1)], REGION);
        let administrator = principal(2, &[(Role::Abp, 2)], REGION);
        let admin = principal(1, &[(Role::Sysadmin, 1)], REGION);
        assert_eq!(ids(campaign_authorities(&planner, &all)), vec![1]);
        assert!(campaign_authorities(&administrator, &all).is_empty());
        // The system's administrator configures, it does not plan.
        assert!(campaign_authorities(&admin, &all).is_empty());
    }
}
